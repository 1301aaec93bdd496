//! Several snapshots: growth series (checked against each snapshot's oracle Summary) and the
//! leak report on the leaking service's snapshots.

use crate::common;
use common::*;
use heapdive::cli::Command;
use serde_json::Value;

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
    // The reason is in the last steps (the explaining path, not the shortest detour through
    // Node's timer lists), and reads as a variable of leak.js's module scope.
    let last = |class: &str, n: usize| -> Vec<String> {
        let p = path_of(class);
        p[p.len().saturating_sub(n)..].to_vec()
    };
    assert!(
        last("Session", 3).contains(&"->cache".to_string()),
        "{:?}",
        path_of("Session")
    );
    let l = last("Function", 5);
    assert!(
        l.contains(&"._events".to_string()) && l.contains(&".tick".to_string()),
        "{l:?}"
    );
    assert!(
        last("Timeout", 4).contains(&"->timers".to_string()),
        "{:?}",
        path_of("Timeout")
    );
    // Each group says why in words: the last variable or property of a user object.
    let reason = |class: &str| {
        groups.iter().find(|g| g["class"] == class).unwrap()["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        reason("Session"),
        "variable cache in module scope of leak.js"
    );
    assert_eq!(
        reason("Timeout"),
        "variable timers in module scope of leak.js"
    );
    assert!(
        reason("Function").starts_with("property tick of Object @"),
        "{}",
        reason("Function")
    );
    let session_path = groups[0]["path"].as_array().unwrap();
    let cache = session_path
        .iter()
        .find(|s| s["edge"] == "->cache")
        .unwrap();
    assert_eq!(cache["from_label"], "module scope of leak.js");
    assert_eq!(cache["edge_label"], "variable cache");
    assert_eq!(
        cache["location"]["script"],
        "/work/shared/tools/snapshot-gen/leak.js"
    );
    for class in ["Session", "Function", "Timeout"] {
        let g = groups.iter().find(|g| g["class"] == class).unwrap();
        assert!(
            !g["path"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["from_class"] == "TimersList" || s["from_class"] == "(compiled code)"),
            "{class}: {:#}",
            g["path"]
        );
    }
    // The cache Map and the listener array grow in every snapshot.
    let growing = v["growing_collections"].as_array().unwrap();
    assert!(
        growing
            .iter()
            .any(|c| c["class"] == "Map" && c["entries"][0].as_u64() < c["entries"][2].as_u64())
    );
    assert!(growing.len() >= 2);
}

#[test]
fn retainers_lead_with_the_variable_and_differ_in_their_last_user_step() {
    let h = heapdive::load_quiet(&leak(3)).unwrap();
    let newest = |class: &str| {
        (0..h.node_count() as u32)
            .filter(|&o| h.class_name(o) == class)
            .max_by_key(|&o| h.id(o))
            .unwrap()
    };
    let retainers = |o: u32| -> Value {
        let out = run_cli(Command::Retainers {
            file: leak(3),
            id: format!("@{}", h.id(o)),
            json: true,
            paths: 5,
            remap: Vec::new(),
            timings: false,
        });
        serde_json::from_str(&out).unwrap()
    };
    let v = retainers(newest("Session"));
    let paths = v["paths"].as_array().unwrap();
    let first = paths[0]["text"].as_str().unwrap();
    assert!(
        first.contains("module scope of leak.js variable cache → Map"),
        "{first}"
    );
    assert!(!first.contains("TimersList"), "{first}");
    assert_eq!(
        paths[0]["reason"],
        "variable cache in module scope of leak.js"
    );
    // Only the cache holds a Session: other routes differ nearer the root, not in the reason.
    assert_eq!(paths.len(), 1, "{paths:#?}");
    // The Session object and the path steps carry their places (1-based).
    let loc = &v["object"]["location"];
    assert_eq!(
        (loc["line"].as_u64(), loc["column"].as_u64()),
        (Some(7), Some(28))
    );
    assert!(loc["source_map"]["status"].is_string());
    let steps = paths[0]["steps"].as_array().unwrap();
    let scope = steps
        .iter()
        .find(|s| s["edge_label"] == "variable cache")
        .unwrap();
    assert_eq!(scope["from"]["location"]["line"], 1);

    // A timer is held by the `timers` array and by Node's timer list: two reasons, the
    // user's variable first.
    let v = retainers(newest("Timeout"));
    let texts: Vec<&str> = v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert!(texts.len() >= 2, "{texts:#?}");
    assert!(texts[0].contains("variable timers"), "{texts:#?}");
    assert!(
        texts[1..].iter().all(|t| !t.contains("variable timers")),
        "{texts:#?}"
    );
}
