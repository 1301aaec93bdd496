#!/usr/bin/env bash
# Builds a release archive: dist/out/heapdive-VERSION-TARGET.tar.gz with the binary, the
# desktop entry, the MIME type, the icons, the README and an install script.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
target=$(rustc -vV | sed -n 's/^host: //p')
cargo build --release --locked
name=heapdive-$version-$target
stage=dist/out/$name
rm -rf "$stage" && mkdir -p "$stage"
cp target/release/heapdive "$stage/"
cp dist/heapdive.desktop dist/heapdive-mime.xml dist/install.sh README.md "$stage/"
cp assets/icon.svg "$stage/heapdive.svg"
cp assets/icon.png "$stage/heapdive.png"
tar -C dist/out -czf "dist/out/$name.tar.gz" "$name"
echo "dist/out/$name.tar.gz ($(du -h "$stage/heapdive" | cut -f1) binary)"
