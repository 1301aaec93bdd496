//! Helpers shared by the integration tests.
#![allow(dead_code)]

#[cfg(unix)]
pub mod node;
#[cfg(unix)]
pub mod processes;
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
    "contexts/shop",
    "contexts/realms",
];

/// A Chromium page (made from tools/snapshot-gen/contexts) with an iframe and a worker: three
/// native contexts (the page, the iframe, Blink's own) and objects the two realms share.
pub const CONTEXTS_PAGE: &str = "contexts/shop";

/// Snapshots whose Summary rows under every native-context filter the oracle dumped: the page
/// and a Node process with two `vm` contexts (tools/snapshot-gen/realms.js).
pub const CONTEXT_SNAPSHOTS: &[&str] = &[CONTEXTS_PAGE, "contexts/realms"];

/// Summary rows (a JSON array) as sorted `name|count|distance|shallow|retained` lines, for
/// comparing heapdive's (`keys`: its field names) with the oracle's. The oracle prints
/// DevTools' internal distance, the CLI null where DevTools shows "−": both become "-".
pub fn summary_rows(v: &serde_json::Value, keys: [&str; 5]) -> Vec<String> {
    let mut r: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let d = match c[keys[2]].as_i64() {
                Some(x) if (0..100_000_000).contains(&x) => x.to_string(),
                _ => "-".into(),
            };
            format!(
                "{}|{}|{}|{}|{}",
                c[keys[0]], c[keys[1]], d, c[keys[3]], c[keys[4]]
            )
        })
        .collect();
    r.sort();
    r
}

/// Comparison fixtures: (base, target).
pub const DIFFS: &[(&str, &str)] = &[
    ("leak/leak-0", "leak/leak-1"),
    ("leak/leak-0", "leak/leak-3"),
    ("chrome/chrome-0", "chrome/chrome-2"),
    ("node/small", "leak/leak-0"),
];

/// A snapshot's `meta` as Node writes it (with detachedness and locations), for the tiny
/// snapshots tests write by hand.
pub const META: &str = r#"{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]}"#;

/// One snapshot of the leaking app's series (leak/leak-0 … leak-3).
pub fn leak(i: usize) -> PathBuf {
    fixture(&format!("leak/leak-{i}.heapsnapshot.gz"))
}

/// Runs the heapdive binary (no stdin) to its end.
pub fn heapdive_output(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_heapdive"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// Runs the heapdive binary: its exit code, stdout and stderr.
pub fn heapdive(args: &[&str]) -> (i32, String, String) {
    let out = heapdive_output(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An empty folder of its own under the system's temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("heapdive-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An empty folder of its own under the target's temp dir, kept after the test (to look at
/// what a live capture wrote).
pub fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
