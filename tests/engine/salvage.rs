//! Snapshots cut short while being written: cut after the node and edge arrays, they open
//! with a warning and every number of the whole file; cut earlier, they keep a one-line
//! error. The cuts are made in the real fixtures/node/small snapshot, whose whole-file
//! numbers DevTools computed (small.oracle.json).

use crate::common;

use common::{fixture, gunzip_text, run_cli};
use heapdive::cli::Command;
use heapdive::load_quiet;
use heapdive::snapshot::missing_string;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A file with the first `len` bytes of the small snapshot, removed when dropped.
struct Cut(PathBuf);

impl Cut {
    fn new(tag: &str, text: &[u8]) -> Self {
        let p = std::env::temp_dir().join(format!(
            "heapdive-cut-{tag}-{}.heapsnapshot",
            std::process::id()
        ));
        std::fs::write(&p, text).unwrap();
        Cut(p)
    }
}

impl Drop for Cut {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn whole() -> Vec<u8> {
    gunzip_text(&fixture("node/small.heapsnapshot.gz")).into_bytes()
}

/// Where `marker` starts in the whole file.
fn at(text: &[u8], marker: &str) -> usize {
    text.windows(marker.len())
        .position(|w| w == marker.as_bytes())
        .unwrap_or_else(|| panic!("no {marker} in the fixture"))
}

fn summary(file: &Path) -> Value {
    serde_json::from_str(&run_cli(Command::Summary {
        file: file.to_path_buf(),
        json: true,
        top: 0,
        context: None,
        timings: false,
    }))
    .unwrap()
}

fn oracle() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("node/small.oracle.json")).unwrap())
        .unwrap()
}

/// The cut file opens with DevTools' totals for the whole file and a warning naming `inside`
/// and each of `lost`; returns the warning.
fn salvaged(tag: &str, len: usize, inside: &str, lost: &[&str]) -> String {
    let text = whole();
    let cut = Cut::new(tag, &text[..len]);
    let s = summary(&cut.0);
    let o = oracle();
    assert_eq!(s["node_count"], o["nodeCount"], "{tag}");
    assert_eq!(s["edge_count"], o["edgeCount"], "{tag}");
    assert_eq!(s["total_size"], o["totalSize"], "{tag}");
    let warning = s["warning"]
        .as_str()
        .unwrap_or_else(|| panic!("{tag}: no warning"));
    assert!(warning.contains("truncated"), "{tag}: {warning}");
    assert!(warning.contains(inside), "{tag}: {warning}");
    for l in lost {
        assert!(warning.contains(l), "{tag}: {warning} lacks {l}");
    }
    warning.to_string()
}

fn error(text: &[u8], tag: &str) -> String {
    let cut = Cut::new(tag, text);
    let cmd = Command::Summary {
        file: cut.0.clone(),
        json: true,
        top: 0,
        context: None,
        timings: false,
    };
    let err = heapdive::cli::run(cmd, &mut Vec::new()).err().unwrap().0;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&cut.0.display().to_string()), "{err}");
    err
}

#[test]
fn cut_inside_a_string_keeps_every_number_and_the_names_written() {
    let text = whole();
    // Halfway through the string table, inside a string.
    let start = at(&text, "\"strings\":[");
    let mid = start + (text.len() - start) / 2;
    let open = mid + text[mid..].iter().position(|&b| b == b'"').unwrap();
    let len = open + 3;
    let warning = salvaged("string", len, "inside \"strings\"", &["names"]);
    assert!(!warning.contains("locations"), "{warning}");

    let a = load_quiet(&fixture("node/small.heapsnapshot.gz")).unwrap();
    let cut = Cut::new("string-names", &text[..len]);
    let b = load_quiet(&cut.0).unwrap();
    // Every object and size is there, and the graph's numbers are computed for all of
    // them. DevTools' rules for distances and dominators look at a few names (a hidden
    // node's `sloppy_function_map`, `(map descriptors)`), so where those names were lost a
    // few objects may differ from the whole file: here 56 of 39884 retained sizes.
    assert_eq!(a.shallow, b.shallow);
    let n = a.snap.node_count();
    let same = |x: &dyn Fn(usize) -> bool| (0..n).filter(|&i| x(i)).count();
    assert!(same(&|i| a.retained.get(i as u32) == b.retained.get(i as u32)) > n * 99 / 100);
    assert!(same(&|i| a.distance[i] == b.distance[i]) > n * 99 / 100);
    assert!(same(&|i| a.idom[i] == b.idom[i]) > n * 99 / 100);
    assert_eq!(b.retained.len(), n);
    // Names written before the cut are there; the others say which string they were. V8
    // ends every string but the last with ",\n", so the newlines count the strings written.
    let written = text[start..len].iter().filter(|&&c| c == b'\n').count() as u32;
    let (mut kept, mut missing) = (0, 0);
    for n in 0..a.snap.node_count() as u32 {
        let i = a.snap.node_name[n as usize];
        if i as usize >= a.snap.strings.original_len() {
            continue; // a name the analysis made ("Detached <div>")
        }
        if i < written {
            assert_eq!(a.snap.raw_name(n), b.snap.raw_name(n), "node {n}");
            kept += 1;
        } else {
            assert_eq!(b.snap.raw_name(n), missing_string(i), "node {n}");
            missing += 1;
        }
    }
    assert!(
        kept > 1000 && missing > 1000,
        "{kept} kept, {missing} missing"
    );
}

#[test]
fn cut_inside_locations() {
    let text = whole();
    let start = at(&text, "\"locations\":[");
    let len = start + (at(&text, "\"strings\"") - start) / 2;
    let w = salvaged(
        "locations",
        len,
        "inside \"locations\"",
        &["source locations after the first"],
    );
    assert!(w.contains("22875 of the 22875 names"), "{w}");
}

#[test]
fn cut_inside_the_allocation_traces() {
    let text = whole();
    let len = at(&text, "\"trace_tree\":[") + "\"trace_tree\":[".len();
    salvaged(
        "traces",
        len,
        "inside \"trace_tree\"",
        &[
            "allocation traces",
            "the objects' source locations",
            "names",
        ],
    );
}

#[test]
fn cut_right_after_the_edges() {
    let text = whole();
    let len = at(&text, "\"trace_function_infos\"") - 2; // before the "," that follows
    salvaged("edges-end", len, "between two members", &["names"]);
}

#[test]
fn cut_inside_the_edges_is_a_clean_error() {
    let text = whole();
    let start = at(&text, "\"edges\":[");
    let len = start + (at(&text, "\"trace_function_infos\"") - start) / 2;
    let err = error(&text[..len], "edges");
    assert!(
        err.contains("inside edges") && err.contains("truncated"),
        "{err}"
    );
    // Cut inside the nodes, the file is too short for the nodes its header declares.
    let err = error(&text[..at(&text, "\"edges\"") / 2], "nodes");
    assert!(err.contains("39884 nodes"), "{err}");
}

#[test]
fn an_empty_file_says_the_writer_probably_died() {
    let err = error(b"", "empty");
    assert!(
        err.contains("empty") && err.contains("probably died"),
        "{err}"
    );
    let err = error(b" \n", "blank");
    assert!(err.contains("probably died"), "{err}");
}

#[test]
fn a_cut_file_naming_an_absurd_string_is_refused_not_padded() {
    // Three nodes, the last naming string 4e9: whole arrays, then a cut inside the strings.
    // Padding up to that index would mean billions of strings; it is damage, not a cut.
    let meta = r#"{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden","array","string","object"],"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property"],"string_or_number","node"]}"#;
    let text = format!(
        r#"{{"snapshot":{{"meta":{meta},"node_count":3,"edge_count":2}},
"nodes":[0,0,1,0,1, 3,1,3,40,1, 1,4000000000,5,16,0],
"edges":[2,2,5, 2,2,10],
"strings":["","glob"#
    );
    let err = error(text.as_bytes(), "absurd");
    assert!(
        err.contains("truncated") && err.contains("4000000000"),
        "{err}"
    );
}

/// The small snapshot gzipped and cut `keep` compressed bytes after a sync point placed at
/// `sync_at` (so everything before it inflates whatever the cut).
fn gzip_cut_after(text: &[u8], sync_at: usize, keep: usize) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&text[..sync_at]).unwrap();
    enc.flush().unwrap();
    let synced = enc.get_ref().len();
    enc.write_all(&text[sync_at..]).unwrap();
    let mut gz = enc.finish().unwrap();
    gz.truncate(synced + keep);
    gz
}

#[test]
fn a_cut_gzip_stream_is_salvaged_from_what_inflates() {
    let text = whole();
    // The compressed stream stops a little after the string table has begun.
    let gz = gzip_cut_after(&text, at(&text, "\"strings\":[") + 20, 4096);
    // Read as gzip for its magic bytes, whatever the name.
    let cut = Cut::new("gz-strings", &gz);
    let s = summary(&cut.0);
    let o = oracle();
    assert_eq!(s["node_count"], o["nodeCount"]);
    assert_eq!(s["edge_count"], o["edgeCount"]);
    assert_eq!(s["total_size"], o["totalSize"]);
    let warning = s["warning"].as_str().expect("a warning");
    assert!(
        warning.contains("truncated")
            && warning.contains("of the inflated text")
            && warning.contains("inside \"strings\""),
        "{warning}"
    );

    // Cut inside the edges, a .gz keeps the one-line error.
    let gz = gzip_cut_after(&text, at(&text, "\"edges\":[") + 20, 4096);
    let err = error(&gz, "gz-edges");
    assert!(
        err.contains("inside edges") && err.contains("truncated"),
        "{err}"
    );
}
