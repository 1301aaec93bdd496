//! The samples, fixtures, tests and docs name no folder of the machine they were made on.
//!
//! A snapshot names the scripts it ran by absolute path, and Node adds `$HOME/.node_modules`
//! and every folder above the script to its module paths: a fixture made in a work tree names
//! that tree and root's home, which mean nothing on a user's machine (the samples then show no
//! code until a remap). Fixtures are made from a neutral folder instead
//! (tools/snapshot-gen/make-fixtures.sh: `/srv/shop`, with HOME there), and this test reads
//! every fixture (gzipped ones decompressed), test, script and doc for the usual machine
//! folders (`machine_folders`: work, tmp, root and home at the top of the file system).

use crate::common;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Folders that belong to the machine a file was made on, not to a user's.
fn machine_folders() -> Vec<String> {
    ["work", "tmp", "root", "home"]
        .iter()
        .map(|d| format!("/{d}/"))
        .collect()
}

/// This file names the folders it looks for as `~tmp~...`, so that it passes its own check.
fn p(text: &str) -> String {
    text.replace('~', "/")
}

/// What may stay, with why: (file relative to the repository, the exact path named there).
/// The README shows `heapdive check` keeping its snapshots in the system's temp folder
/// (`std::env::temp_dir()`, /tmp on Linux): that is where the CLI really writes them.
const ALLOWED: &[(&str, &str)] = &[("README.md", "~tmp~heapdive-check-…~round-1.heapsnapshot")];

/// What is read: the fixtures and tests (with the fuzzers' seeds), the docs, and the tools and
/// packaging scripts that make or ship them.
const ROOTS: &[&str] = &[
    "fixtures",
    "tests",
    "fuzz/seeds",
    "tools",
    "dist",
    "README.md",
    "ARCHITECTURE.md",
];

/// Installed or built, not part of the repository.
const SKIPPED_DIRS: &[&str] = &["node_modules", "dist/out", "tools/devtools-oracle/dist"];

fn files_under(repo: &Path, rel: &str, out: &mut Vec<PathBuf>) {
    let path = repo.join(rel);
    if path.is_file() {
        out.push(path);
        return;
    }
    let Ok(entries) = std::fs::read_dir(&path) else {
        return;
    };
    for e in entries {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let child = format!("{rel}/{name}");
        if SKIPPED_DIRS
            .iter()
            .any(|s| name == *s || child.as_str() == *s)
        {
            continue;
        }
        files_under(repo, &child, out);
    }
}

fn contents(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        text
    } else {
        raw
    }
}

/// Each place in `text` that names a machine folder, with the path it starts (up to 80 bytes).
fn machine_paths(text: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for folder in machine_folders() {
        for at in memchr::memmem::find_iter(text, folder.as_bytes()) {
            let end = text[at..]
                .iter()
                .position(|&b| b == b'"' || b == b'\'' || b == b'`' || b.is_ascii_whitespace())
                .map_or(text.len(), |n| at + n)
                .min(at + 80);
            found.push(String::from_utf8_lossy(&text[at..end]).into_owned());
        }
    }
    found
}

fn allowed(rel: &str, path: &str) -> bool {
    ALLOWED.iter().any(|(f, a)| *f == rel && p(a) == path)
}

#[test]
fn no_fixture_test_or_doc_names_a_machine_folder() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for r in ROOTS {
        files_under(repo, r, &mut files);
    }
    // The roots are there: the check reads what it says it reads.
    let rel = |p: &Path| p.strip_prefix(repo).unwrap().display().to_string();
    let names: Vec<String> = files.iter().map(|p| rel(p)).collect();
    for must in [
        "fixtures/leak/leak-0.heapsnapshot.gz",
        "fixtures/alloc/tracked.heaptimeline.gz",
        "fixtures/chrome/chrome-2.nodes.tsv.gz",
        "tests/engine/sources.rs",
        "tools/snapshot-gen/README.md",
        "README.md",
        "ARCHITECTURE.md",
    ] {
        assert!(names.iter().any(|n| n == must), "{must} is not read");
    }

    let mut bad = Vec::new();
    for (path, rel) in files.iter().zip(&names) {
        let mut seen: Vec<String> = machine_paths(&contents(path))
            .into_iter()
            .filter(|p| !allowed(rel, p))
            .collect();
        seen.sort();
        seen.dedup();
        if !seen.is_empty() {
            let n = seen.len();
            seen.truncate(5);
            bad.push(format!("{rel}: {} ({n} in all)", seen.join(", ")));
        }
    }
    assert!(
        bad.is_empty(),
        "machine folders named (remake the fixture with tools/snapshot-gen/make-fixtures.sh, \
         or write the path relative):\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_check_sees_machine_folders_where_fixtures_keep_them() {
    // As a snapshot's strings name them: a script, a module path, a file URL, a temp file.
    let sample = p(
        r#"["~srv~shop~leak.js","~root~.node_modules~","file:~~~work~gen~page.html","x ~tmp~a.heapsnapshot","~home~me~a.js"]"#,
    );
    let found = machine_paths(sample.as_bytes());
    let mut found: Vec<&str> = found.iter().map(String::as_str).collect();
    found.sort();
    let expected = [
        "~home~me~a.js",
        "~root~.node_modules~",
        "~tmp~a.heapsnapshot",
        "~work~gen~page.html",
    ]
    .map(p);
    assert_eq!(found, expected);
    // Gzipped files are read decompressed.
    let dir = common::TempDir::new("neutral-paths");
    let gz = dir.path("x.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, p(r#"{"s":["~work~wt~leak.js"]}"#).as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    assert_eq!(machine_paths(&contents(&gz)), [p("~work~wt~leak.js")]);
    // The allow-list is exact: the same path elsewhere, or another path there, is not allowed.
    let check_temp = p("~tmp~heapdive-check-…~round-1.heapsnapshot");
    assert!(allowed("README.md", &check_temp));
    assert!(!allowed(
        "README.md",
        &p("~tmp~heapdive-srcmap~app.bundle.js")
    ));
    assert!(!allowed("README.md", &p("~tmp~")));
    assert!(!allowed("tests/engine/sources.rs", &check_temp));
}
