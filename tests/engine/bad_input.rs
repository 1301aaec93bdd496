//! Every kind of broken input gets a one-line error naming the file, exit code 1, and never
//! a panic or an abort.

use crate::common::{self, META, TempDir, heapdive};
use std::path::{Path, PathBuf};

/// A tiny valid snapshot: root -> global -> array; strings ["", "global", "a", "x"].
fn tiny(nodes: &str, edges: &str, strings: &str, counts: (u32, u32)) -> String {
    format!(
        r#"{{"snapshot":{{"meta":{META},"node_count":{},"edge_count":{},"trace_function_count":0}},
"nodes":[{nodes}],
"edges":[{edges}],
"locations":[],
"strings":[{strings}]}}"#,
        counts.0, counts.1
    )
}

const NODES: &str = "9,0,1,0,1,0,0, 3,1,3,40,1,0,0, 1,3,5,16,0,0,0";
const EDGES: &str = "5,2,7, 2,2,14";
const STRINGS: &str = r#""","global","a","x""#;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn expect_error(path: &Path, needle: &str) {
    let p = path.to_str().unwrap();
    let (code, out, err) = heapdive(&["summary", p]);
    assert_eq!(code, 1, "{p}: exit code; stderr: {err}");
    assert!(out.is_empty(), "{p}: printed {out}");
    assert!(!err.contains("panicked"), "{p}: panic: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{p}: not one line: {err}"
    );
    assert!(
        err.contains(p),
        "{p}: message does not name the file: {err}"
    );
    assert!(
        err.to_lowercase().contains(&needle.to_lowercase()),
        "{p}: expected '{needle}' in: {err}"
    );
}

#[test]
fn the_tiny_snapshot_itself_loads() {
    let d = TempDir::new("bad-ok");
    let p = write(
        &d,
        "ok.heapsnapshot",
        tiny(NODES, EDGES, STRINGS, (3, 2)).as_bytes(),
    );
    let (code, out, err) = heapdive(&["summary", p.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["node_count"], 3);
    assert_eq!(v["total_size"], 56);
    // The array's 16 bytes are reattributed to its only owner, global.
    assert_eq!(v["classes"][0]["name"], "global");
    assert_eq!(v["classes"][0]["shallow_size"], 56);
}

#[test]
fn broken_files_get_one_line_errors() {
    let d = TempDir::new("bad-cases");
    let good = tiny(NODES, EDGES, STRINGS, (3, 2));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "empty"),
        (
            "random",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
                .collect(),
            "not a heap snapshot",
        ),
        (
            "truncated",
            good.as_bytes()[..good.len() / 2].to_vec(),
            "truncated",
        ),
        (
            "notsnapshot",
            br#"{"hello": [1, 2, 3], "world": {"a": null}}"#.to_vec(),
            "no \"snapshot\" header",
        ),
        ("array", b"[1,2,3]".to_vec(), "not a heap snapshot"),
        (
            "fewer-nodes",
            tiny(NODES, EDGES, STRINGS, (4, 2)).into_bytes(),
            "header declares 4 nodes",
        ),
        (
            "more-nodes",
            tiny(NODES, EDGES, STRINGS, (2, 2)).into_bytes(),
            "more than the 2 nodes",
        ),
        (
            "edge-count",
            tiny(NODES, EDGES, STRINGS, (3, 3)).into_bytes(),
            "edge counts add up",
        ),
        (
            "edge-outside",
            tiny(NODES, "5,2,7, 2,2,70", STRINGS, (3, 2)).into_bytes(),
            "outside the node array",
        ),
        (
            "edge-inside",
            tiny(NODES, "5,2,7, 2,2,15", STRINGS, (3, 2)).into_bytes(),
            "points inside a node",
        ),
        (
            "two-edge-arrays",
            tiny(NODES, EDGES, STRINGS, (3, 2))
                .replace(r#""locations":"#, r#""edges":[5,2,7, 2,2,14],"locations":"#)
                .into_bytes(),
            "two \"edges\" arrays",
        ),
        (
            "string-index",
            tiny(NODES, "5,2,7, 2,99,14", STRINGS, (3, 2)).into_bytes(),
            "names string 99",
        ),
        (
            "node-string",
            tiny(
                "9,0,1,0,1,0,0, 3,77,3,40,1,0,0, 1,3,5,16,0,0,0",
                EDGES,
                STRINGS,
                (3, 2),
            )
            .into_bytes(),
            "names string 77",
        ),
        (
            "negative",
            tiny(
                "9,0,1,0,1,0,0, 3,1,3,-40,1,0,0, 1,3,5,16,0,0,0",
                EDGES,
                STRINGS,
                (3, 2),
            )
            .into_bytes(),
            "negative",
        ),
        (
            "overflow",
            tiny(
                "9,0,1,0,1,0,0, 3,1,3,99999999999,1,0,0, 1,3,5,16,0,0,0",
                EDGES,
                STRINGS,
                (3, 2),
            )
            .into_bytes(),
            "too large",
        ),
        (
            "float",
            tiny(
                "9,0,1,0,1,0,0, 3,1,3,4.5,1,0,0, 1,3,5,16,0,0,0",
                EDGES,
                STRINGS,
                (3, 2),
            )
            .into_bytes(),
            "non-integer",
        ),
        (
            "huge-count",
            tiny(NODES, EDGES, STRINGS, (3_000_000_000, 2)).into_bytes(),
            "more than a file of this size",
        ),
        (
            "negative-count",
            tiny(NODES, EDGES, STRINGS, (3, 2))
                .replace("\"node_count\":3", "\"node_count\":-3")
                .into_bytes(),
            "not a valid count",
        ),
        (
            "no-meta-field",
            good.replace("\"self_size\",", "").into_bytes(),
            "no \"self_size\" field",
        ),
        (
            "nesting",
            format!(
                r#"{{"snapshot":{{"meta":{META},"node_count":0,"edge_count":0}},"x":{}{}}}"#,
                "[".repeat(100_000),
                "]".repeat(100_000)
            )
            .into_bytes(),
            "nested too deeply",
        ),
        (
            "bad-utf8",
            good.replace("\"global\"", "\"glob\u{1}\"").into_bytes(),
            "control character",
        ),
        (
            "trailing",
            format!("{good} garbage").into_bytes(),
            "after the end",
        ),
        (
            "no-nodes",
            tiny("", "", STRINGS, (0, 0)).into_bytes(),
            "no nodes",
        ),
    ];
    for (name, bytes, needle) in cases {
        let p = write(&d, &format!("{name}.heapsnapshot"), &bytes);
        expect_error(&p, needle);
    }
    // Invalid UTF-8 bytes inside a string.
    let mut bytes = good.clone().into_bytes();
    let at = good.find("global").unwrap();
    bytes[at + 1] = 0xff;
    expect_error(&write(&d, "utf8.heapsnapshot", &bytes), "invalid UTF-8");
    // A gzip file cut short.
    let gz = std::fs::read(common::fixture("node/small.heapsnapshot.gz")).unwrap();
    expect_error(&write(&d, "cut.heapsnapshot.gz", &gz[..gz.len() / 3]), "");
    // A directory and a missing file.
    expect_error(&d, "directory");
    expect_error(&d.join("missing.heapsnapshot"), "no such file");
}

#[test]
fn usage_errors_exit_with_2() {
    let (code, _, err) = heapdive(&["summary"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = heapdive(&["summary", "x.heapsnapshot", "--no-such-flag"]);
    assert_eq!(code, 2);
}

#[test]
fn unknown_object_id_is_an_error() {
    let p = common::fixture("node/small.heapsnapshot.gz");
    let (code, _, err) = heapdive(&["retainers", p.to_str().unwrap(), "@4"]);
    assert_eq!(code, 1);
    assert!(err.contains("no object with id @4"), "{err}");
    let (code, _, err) = heapdive(&["retainers", p.to_str().unwrap(), "abc"]);
    assert_eq!(code, 1);
    assert!(err.contains("not an object id"), "{err}");
}

#[test]
fn leaks_of_two_snapshots_says_what_it_takes() {
    let a = common::fixture("leak/leak-0.heapsnapshot.gz");
    let b = common::fixture("leak/leak-1.heapsnapshot.gz");
    let (code, out, err) = heapdive(&["leaks", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("one snapshot (its suspects) or a series of three or more"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
