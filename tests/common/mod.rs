//! Helpers shared by the integration tests.
#![allow(dead_code)]

#[cfg(unix)]
pub mod node;
#[cfg(feature = "gui")]
pub mod window;

use std::io::Read;
use std::path::{Path, PathBuf};

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

pub fn gunzip_text(path: &Path) -> String {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut s = String::new();
    flate2::read::GzDecoder::new(f)
        .read_to_string(&mut s)
        .unwrap();
    s
}

pub fn run_cli(cmd: heapdive::cli::Command) -> String {
    let mut out = Vec::new();
    if let Err(e) = heapdive::cli::run(cmd, &mut out) {
        panic!("command failed: {}", e.0);
    }
    String::from_utf8(out).unwrap()
}

/// Every snapshot fixture, without extension: ("node/small", ...).
pub const SNAPSHOTS: &[&str] = &[
    "node/small",
    "leak/leak-0",
    "leak/leak-1",
    "leak/leak-2",
    "leak/leak-3",
    "chrome/chrome-0",
    "chrome/chrome-1",
    "chrome/chrome-2",
    "srcmap/app",
];

/// Comparison fixtures: (base, target).
pub const DIFFS: &[(&str, &str)] = &[
    ("leak/leak-0", "leak/leak-1"),
    ("leak/leak-0", "leak/leak-3"),
    ("chrome/chrome-0", "chrome/chrome-2"),
    ("node/small", "leak/leak-0"),
];
