//! Several snapshots: growth series (checked against each snapshot's oracle Summary) and the
//! leak report on the leaking service's snapshots.

mod common;
use common::*;
use heapdive::cli::Command;
use serde_json::Value;

fn leak(i: u32) -> std::path::PathBuf {
    fixture(&format!("leak/leak-{i}.heapsnapshot.gz"))
}

#[test]
fn growth_json_matches_each_snapshots_summary() {
    let out = run_cli(Command::Growth {
        files: (0..4).map(leak).collect(),
        json: true,
        by_size: false,
        top: 0,
        timings: false,
    });
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["snapshots"].as_array().unwrap().len(), 4);
    for i in 0..4 {
        let oracle: Value = serde_json::from_str(
            &std::fs::read_to_string(fixture(&format!("leak/leak-{i}.oracle.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(v["snapshots"][i]["total_size"], oracle["totalSize"]);
        assert_eq!(v["snapshots"][i]["node_count"], oracle["nodeCount"]);
        let expected: Value = serde_json::from_str(&gunzip_text(&fixture(&format!(
            "leak/leak-{i}.summary.json.gz"
        ))))
        .unwrap();
        for row in expected.as_array().unwrap() {
            let name = row["name"].as_str().unwrap();
            // Classes with one key per name (located classes may share a name).
            let same: Vec<&Value> = expected
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["name"] == row["name"])
                .collect();
            if same.len() != 1 {
                continue;
            }
            let mine: Vec<&Value> = v["classes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["name"] == name)
                .collect();
            assert_eq!(mine.len(), 1, "{name}");
            assert_eq!(mine[0]["counts"][i], row["count"], "{name} in snapshot {i}");
            assert_eq!(
                mine[0]["shallow_sizes"][i], row["shallowSize"],
                "{name} in snapshot {i}"
            );
            assert_eq!(
                mine[0]["retained_sizes"][i], row["retainedSize"],
                "{name} in snapshot {i}"
            );
        }
    }
    // The leaking classes grow by 400 per round.
    let session = v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Session")
        .unwrap();
    assert_eq!(session["counts"], serde_json::json!([400, 800, 1200, 1600]));
}

#[test]
fn leak_report_names_the_cache_the_listeners_and_the_timers() {
    let out = run_cli(Command::Leaks {
        baseline: leak(0),
        target: leak(1),
        fin: leak(3),
        json: true,
        top: 0,
        timings: false,
    });
    let v: Value = serde_json::from_str(&out).unwrap();
    let groups = v["groups"].as_array().unwrap();
    let path_of = |class: &str| -> Vec<String> {
        let g = groups
            .iter()
            .find(|g| g["class"] == class)
            .unwrap_or_else(|| panic!("no {class} group"));
        g["path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["edge"].as_str().unwrap().to_string())
            .collect()
    };
    // The biggest group is the Map cache's Sessions: all 400 allocated in round 1.
    assert_eq!(groups[0]["class"], "Session");
    assert_eq!(groups[0]["count"], 400);
    assert!(
        path_of("Session").contains(&"->cache".to_string()),
        "{:?}",
        path_of("Session")
    );
    let listeners = path_of("Function");
    assert!(
        listeners.contains(&"->bus".to_string())
            && listeners.contains(&"._events".to_string())
            && listeners.contains(&".tick".to_string()),
        "{listeners:?}"
    );
    assert!(
        path_of("Timeout").contains(&"->timers".to_string()),
        "{:?}",
        path_of("Timeout")
    );
    // The cache Map and the listener array grow in every snapshot.
    let growing = v["growing_collections"].as_array().unwrap();
    assert!(
        growing
            .iter()
            .any(|c| c["class"] == "Map" && c["entries"][0].as_u64() < c["entries"][2].as_u64())
    );
    assert!(growing.len() >= 2);
}
