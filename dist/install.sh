#!/usr/bin/env bash
# Installs heapdive for the current user (or system-wide with PREFIX=/usr/local as root):
# the binary, the desktop entry, the icon and the .heapsnapshot MIME type.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
install -Dm755 "$here/heapdive" "$prefix/bin/heapdive"
install -Dm644 "$here/heapdive.desktop" "$prefix/share/applications/heapdive.desktop"
install -Dm644 "$here/heapdive.svg" "$prefix/share/icons/hicolor/scalable/apps/heapdive.svg"
install -Dm644 "$here/heapdive.png" "$prefix/share/icons/hicolor/256x256/apps/heapdive.png"
install -Dm644 "$here/heapdive-mime.xml" "$prefix/share/mime/packages/heapdive.xml"
command -v update-mime-database >/dev/null && update-mime-database "$prefix/share/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$prefix/share/applications" || true
echo "installed heapdive into $prefix"
