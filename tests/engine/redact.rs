//! `heapdive redact`: a snapshot of a process holding planted secrets (made by
//! tools/snapshot-gen/secrets.js) is copied with every string value replaced; no secret
//! survives, and the graph, the sizes, the names and the Summary are those of the original.

use crate::common;

use common::{TempDir, fixture, gunzip_text, run_cli};
use heapdive::cli::Command;
use heapdive::load_quiet;
use heapdive::redact::{VALUE_TYPES, placeholder};
use std::path::{Path, PathBuf};

/// Every planted secret holds this; nothing in the script that is a name does.
const MARK: &str = "HUNTER2";

fn secrets() -> PathBuf {
    fixture("redact/secrets.heapsnapshot.gz")
}

fn redact(input: &Path, output: &Path) -> String {
    run_cli(Command::Redact {
        input: input.to_path_buf(),
        output: output.to_path_buf(),
    })
}

fn summary_json(file: &Path) -> serde_json::Value {
    let text = run_cli(Command::Summary {
        file: file.to_path_buf(),
        json: true,
        top: 30,
        context: None,
        timings: false,
    });
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v.as_object_mut().unwrap().remove("file");
    v
}

#[test]
fn no_planted_secret_survives_and_the_summary_is_equal() {
    let original = gunzip_text(&secrets());
    // The secrets are there to be removed: as flat, concatenated (its parts) and sliced
    // strings, in a Map and an array, and in the script's source.
    for planted in [
        "pw-HUNTER2-built-",
        "pw-HUNTER2-cons-",
        "pw-HUNTER2-sliced-",
        "pw-HUNTER2-session-",
        "pw-HUNTER2-history-",
        "pw-HUNTER2-literal-in-source",
        "Every planted value contains HUNTER2",
    ] {
        assert!(original.contains(planted), "the fixture lacks {planted}");
    }
    let dir = TempDir::new("redact-secrets");
    let out = dir.path("copy.heapsnapshot");
    let printed = redact(&secrets(), &out);
    assert!(printed.contains("strings replaced:"), "{printed}");
    let copy = std::fs::read_to_string(&out).unwrap();
    assert!(!copy.contains(MARK), "a secret survived redaction");
    let summary = summary_json(&out);
    assert_eq!(summary_json(&secrets()), summary);
    // And those are DevTools' numbers for the original (fixtures/make-expected.sh).
    let oracle: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("redact/secrets.oracle.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["node_count"], oracle["nodeCount"]);
    assert_eq!(summary["edge_count"], oracle["edgeCount"]);
    assert_eq!(summary["total_size"], oracle["totalSize"]);
    assert_eq!(
        summary["classes"].as_array().unwrap().len() as u64,
        oracle["summaryClassCount"].as_u64().unwrap()
    );
    // Nothing is left behind beside the copy.
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 1);
}

#[test]
fn graph_sizes_and_names_stay_while_values_go() {
    let dir = TempDir::new("redact-names");
    let out = dir.path("copy.heapsnapshot.gz");
    redact(&secrets(), &out);
    let a = load_quiet(&secrets()).unwrap();
    let b = load_quiet(&out).unwrap();
    let (sa, sb) = (&a.snap, &b.snap);
    assert_eq!(sa.node_count(), sb.node_count());
    assert_eq!(sa.edge_count(), sb.edge_count());
    assert_eq!(sa.node_id, sb.node_id);
    assert_eq!(sa.node_type, sb.node_type);
    assert_eq!(a.shallow, b.shallow);
    assert_eq!(sa.first_edge, sb.first_edge);
    assert_eq!(sa.edge_to, sb.edge_to);
    assert_eq!(sa.edge_type, sb.edge_type);
    assert_eq!(a.retained, b.retained);
    assert_eq!(a.distance, b.distance);
    for e in 0..sa.edge_count() {
        assert_eq!(sa.edge_name(e), sb.edge_name(e), "edge {e}");
    }
    let mut values = 0;
    let mut value_equal_to_a_name = false;
    for n in 0..sa.node_count() as u32 {
        let is_value = VALUE_TYPES.contains(&sa.type_name(n));
        if !is_value {
            assert_eq!(sa.raw_name(n), sb.raw_name(n), "node {n}");
            assert_eq!(a.class_name(n), b.class_name(n), "node {n}");
            continue;
        }
        values += 1;
        let shown = sb.raw_name(n);
        assert!(
            shown.starts_with("<redacted #") && shown.ends_with('>'),
            "node {n} shows {shown:?}"
        );
        // The string "password" is also the property `password`: the property keeps its
        // name, the string loses its text.
        if sa.raw_name(n) == "password" {
            value_equal_to_a_name = true;
            assert_eq!(shown, placeholder(sa.node_name[n as usize]));
            assert_ne!(sb.node_name[n as usize], sa.node_name[n as usize]);
        }
    }
    assert!(values > 1000, "only {values} string nodes");
    assert!(
        value_equal_to_a_name,
        "the fixture lacks the string 'password'"
    );
    assert!((0..sb.edge_count()).any(|e| sb.edge_str(e) == Some("password")));
}

#[test]
fn the_report_counts_what_was_replaced() {
    let dir = TempDir::new("redact-report");
    let out = dir.path("copy.heapsnapshot");
    let printed = redact(&fixture("node/small.heapsnapshot.gz"), &out);
    let heap = load_quiet(&fixture("node/small.heapsnapshot.gz")).unwrap();
    let s = &heap.snap;
    let count = |t: &str| {
        (0..s.node_count() as u32)
            .filter(|&n| s.type_name(n) == t)
            .count()
    };
    let expected = format!(
        "value nodes: {} strings, {} concatenated strings, {} sliced strings",
        count("string"),
        count("concatenated string"),
        count("sliced string")
    );
    assert!(
        printed.contains(&expected),
        "{printed}\nexpected: {expected}"
    );
}

#[test]
fn broken_input_and_the_same_file_are_refused_in_words() {
    let dir = TempDir::new("redact-broken");
    let text = gunzip_text(&fixture("node/small.heapsnapshot.gz"));
    let cut = dir.path("cut.heapsnapshot");
    std::fs::write(&cut, &text.as_bytes()[..text.len() / 2]).unwrap();
    let out = dir.path("copy.heapsnapshot");
    let cmd = Command::Redact {
        input: cut.clone(),
        output: out.clone(),
    };
    let err = heapdive::cli::run(cmd, &mut Vec::new()).err().unwrap().0;
    assert!(
        err.contains("cut.heapsnapshot") && err.contains("truncated"),
        "{err}"
    );
    assert!(!out.exists(), "a failed redaction left a file");
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 1);

    let cmd = Command::Redact {
        input: cut.clone(),
        output: cut.clone(),
    };
    let err = heapdive::cli::run(cmd, &mut Vec::new()).err().unwrap().0;
    assert!(err.contains("another file"), "{err}");
    assert_eq!(std::fs::read(&cut).unwrap().len(), text.len() / 2);
}
