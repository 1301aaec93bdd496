//! Golden tests: every number equals what DevTools' own worker computes on the same real
//! snapshot (expected files made by fixtures/make-expected.sh with the devtools-oracle).

use crate::common;
use common::*;
use heapdive::cli::Command;
use serde_json::Value;

fn snap(name: &str) -> std::path::PathBuf {
    fixture(&format!("{name}.heapsnapshot.gz"))
}

#[test]
fn every_node_matches_the_oracle() {
    for name in SNAPSHOTS {
        let mine = run_cli(Command::Nodes {
            file: snap(name),
            timings: false,
        });
        let expected = gunzip_text(&fixture(&format!("{name}.nodes.tsv.gz")));
        let (m, e): (Vec<&str>, Vec<&str>) = (mine.lines().collect(), expected.lines().collect());
        assert_eq!(m.len(), e.len(), "{name}: node count");
        let bad: Vec<_> = m.iter().zip(&e).filter(|(a, b)| a != b).take(5).collect();
        assert!(
            bad.is_empty(),
            "{name}: first differing nodes (mine, oracle): {bad:#?}"
        );
    }
}

fn summary_json(name: &str) -> Value {
    serde_json::from_str(&run_cli(Command::Summary {
        file: snap(name),
        json: true,
        top: 0,
        context: None,
        timings: false,
    }))
    .unwrap()
}

#[test]
fn summary_rows_and_statistics_match_the_oracle() {
    for name in SNAPSHOTS {
        let mine = summary_json(name);
        let oracle: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture(&format!("{name}.oracle.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(mine["node_count"], oracle["nodeCount"], "{name}");
        assert_eq!(mine["edge_count"], oracle["edgeCount"], "{name}");
        assert_eq!(mine["total_size"], oracle["totalSize"], "{name}");
        let st = &mine["statistics"];
        let os = &oracle["statistics"];
        assert_eq!(st["total"], os["total"], "{name}");
        assert_eq!(st["native"], os["native"]["total"], "{name}");
        assert_eq!(st["typed_arrays"], os["native"]["typedArrays"], "{name}");
        assert_eq!(st["code"], os["v8heap"]["code"], "{name}");
        assert_eq!(st["strings"], os["v8heap"]["strings"], "{name}");
        assert_eq!(st["js_arrays"], os["v8heap"]["jsArrays"], "{name}");
        assert_eq!(st["system"], os["v8heap"]["system"], "{name}");

        let expected: Value =
            serde_json::from_str(&gunzip_text(&fixture(&format!("{name}.summary.json.gz"))))
                .unwrap();
        let m = summary_rows(
            &mine["classes"],
            ["name", "count", "distance", "shallow_size", "retained_size"],
        );
        let e = summary_rows(
            &expected,
            ["name", "count", "distance", "shallowSize", "retainedSize"],
        );
        assert_eq!(m.len(), e.len(), "{name}: class count");
        assert_eq!(m, e, "{name}: summary rows");
        // Sorted by retained size, as the Summary grid.
        let ret: Vec<u64> = mine["classes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["retained_size"].as_u64().unwrap())
            .collect();
        assert!(
            ret.windows(2).all(|w| w[0] >= w[1]),
            "{name}: not sorted by retained size"
        );
    }
}

#[test]
fn comparison_rows_match_the_oracle() {
    for (base, target) in DIFFS {
        let mine: Value = serde_json::from_str(&run_cli(Command::Diff {
            base: snap(base),
            file: snap(target),
            json: true,
            top: 0,
            timings: false,
        }))
        .unwrap();
        let short = base.rsplit('/').next().unwrap();
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture(&format!("{target}__vs__{short}.diff.json"))).unwrap(),
        )
        .unwrap();
        let norm = |v: &Value, k: [&str; 7]| -> Vec<String> {
            let mut r: Vec<String> = v
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    k.iter()
                        .map(|f| c[*f].to_string())
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect();
            r.sort();
            r
        };
        let m = norm(
            &mine["classes"],
            [
                "name",
                "new_count",
                "deleted_count",
                "delta_count",
                "alloc_size",
                "freed_size",
                "size_delta",
            ],
        );
        let e = norm(
            &expected,
            [
                "name",
                "newCount",
                "deletedCount",
                "deltaCount",
                "allocSize",
                "freedSize",
                "sizeDelta",
            ],
        );
        assert!(!e.is_empty());
        assert_eq!(m, e, "{base} -> {target}");
    }
}
