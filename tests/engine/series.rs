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

fn leaks(files: Vec<std::path::PathBuf>) -> Value {
    let out = run_cli(Command::Leaks {
        files,
        json: true,
        top: 0,
        remap: Vec::new(),
        sources: Vec::new(),
        timings: false,
    });
    serde_json::from_str(&out).unwrap()
}

#[test]
fn leak_report_names_the_cache_the_listeners_and_the_timers() {
    let v = leaks((0..4).map(leak).collect());
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
    // One row per leak, each counted in every snapshot: the Map cache's Sessions first (the
    // most bytes added), the listeners, the timers. The timers' scopes, which the listeners
    // share, are part of the timers' row, not a row of their own.
    let rows: Vec<(&str, &str)> = groups
        .iter()
        .map(|g| (g["class"].as_str().unwrap(), g["pattern"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows,
        [
            ("Session", "collection"),
            ("Function", "listeners"),
            ("Timeout", "timers")
        ]
    );
    let counts = |i: usize| groups[i]["counts"].clone();
    assert_eq!(counts(0), serde_json::json!([400, 800, 1200, 1600]));
    assert_eq!(counts(1), serde_json::json!([400, 800, 1200, 1600]));
    assert_eq!(counts(2), serde_json::json!([4, 8, 12, 16]));
    // Added since the first snapshot and still alive.
    assert_eq!(groups[0]["count"], 1200);
    assert_eq!(groups[0]["holder"]["class"], "Map");
    assert_eq!(
        groups[0]["holder"]["label"],
        "Map held by variable cache in module scope of leak.js"
    );
    assert!(
        groups[1]["fix"]
            .as_str()
            .unwrap()
            .contains("'tick' listener"),
        "{}",
        groups[1]["fix"]
    );
    assert!(groups[2]["fix"].as_str().unwrap().contains("clearInterval"));
    // The listeners' row holds what their scopes keep: the request contexts.
    let members: Vec<&str> = groups[1]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["class"].as_str().unwrap())
        .collect();
    assert!(members.contains(&"RequestContext"), "{members:?}");
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
    assert_eq!(cache["location"]["script"], "/srv/shop/leak.js");
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

/// The leak report on a real-app series from `fixtures/verdict/CASE` (see its expected.json).
fn verdict(case: &str) -> (Value, Value) {
    let dir = fixture(&format!("verdict/{case}"));
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let files = expected["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| dir.join(f.as_str().unwrap()))
        .collect();
    (leaks(files), expected)
}

/// The report's row for one of expected.json's leaks: named after its class (original or
/// minified), or for a row whose class is a means (a listener), by its first members.
fn row_of<'a>(groups: &'a [Value], classes: &[Value]) -> Option<(usize, &'a Value)> {
    let named = |g: &Value| {
        let name = if g["original_class"].is_null() {
            &g["class"]
        } else {
            &g["original_class"]
        };
        classes.contains(name)
    };
    let member = |g: &Value| {
        g["members"]
            .as_array()
            .unwrap()
            .iter()
            .take(3)
            .any(|m| classes.contains(&m["original_class"]) || classes.contains(&m["class"]))
    };
    (groups.iter().position(named))
        .or_else(|| groups.iter().position(member))
        .map(|i| (i, &groups[i]))
}

/// Every planted leak is one row among the first, growing by its planted count every round,
/// with its pattern; the bounded cache, the churn and the one-off objects are not leaks.
fn assert_verdict(case: &str) {
    let (v, expected) = verdict(case);
    let groups = v["groups"].as_array().unwrap();
    let leaks = expected["leaks"].as_array().unwrap();
    for leak in leaks {
        let classes = leak["classes"].as_array().unwrap();
        let (rank, g) =
            row_of(groups, classes).unwrap_or_else(|| panic!("{case}: no row for {leak}"));
        assert!(
            rank < 2 * leaks.len(),
            "{case}: {} at rank {}",
            leak["name"],
            rank + 1
        );
        let counts: Vec<u64> = g["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .collect();
        let per_round = leak["per_round"].as_u64().unwrap();
        assert!(
            counts.windows(2).all(|w| w[1] - w[0] == per_round),
            "{case}: {} counts {counts:?}",
            leak["name"]
        );
        let ok = leak
            .get("patterns_ok")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_else(|| vec![leak["pattern"].clone()]);
        assert!(
            ok.contains(&g["pattern"]),
            "{case}: {} is {}",
            leak["name"],
            g["pattern"]
        );
        // One row per leak: no other leak row is named after it.
        let spread = groups
            .iter()
            .filter(|g| {
                let name = if g["original_class"].is_null() {
                    &g["class"]
                } else {
                    &g["original_class"]
                };
                classes.contains(name)
            })
            .count();
        assert!(
            spread <= 1,
            "{case}: {} spread over {spread} rows",
            leak["name"]
        );
    }
    for not in expected["not_leaks"].as_array().unwrap() {
        let classes = not["classes"].as_array().unwrap();
        let named = groups
            .iter()
            .find(|g| classes.contains(&g["class"]) || classes.contains(&g["original_class"]));
        assert!(
            named.is_none(),
            "{case}: {} reported as a leak",
            not["name"]
        );
    }
}

#[test]
fn a_node_service_s_five_leaks_are_five_rows_and_its_bounded_cache_none() {
    assert_verdict("node-service");
    let (v, _) = verdict("node-service");
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 5, "{:#}", v["groups"]);
    let session = groups.iter().find(|g| g["class"] == "Session").unwrap();
    assert_eq!(session["counts"], serde_json::json!([5, 45, 85, 125]));
    assert_eq!(session["holder"]["class"], "Map");
    // The one-off objects were allocated once.
    assert!(
        v["allocated_once"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["class"] == "StartupConfig")
    );
}

#[test]
fn a_minified_page_s_undisposed_editor_views_are_one_row_under_their_authors_name() {
    assert_verdict("page-widget");
    let (v, _) = verdict("page-widget");
    let first = &v["groups"][0];
    // esbuild named the class `n`, as it did thousands of other objects; the map says which.
    assert_eq!(first["class"], "n");
    assert_eq!(first["original_class"], "EditorView");
    assert!(
        first["fix"]
            .as_str()
            .unwrap()
            .contains("destroy() on each EditorView"),
        "{}",
        first["fix"]
    );
}

#[test]
fn an_out_of_memory_snapshot_s_first_suspect_is_the_map_that_filled_it() {
    let dir = fixture("verdict/oom");
    let v = leaks(vec![dir.join("oom.heapsnapshot.gz")]);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    assert_eq!(v["snapshots"], 1);
    let first = &v["groups"][0];
    assert_eq!(first["class"], expected["suspect"]["class"]);
    assert_eq!(first["count"], expected["suspect"]["count"]);
    assert_eq!(first["pattern"], "collection");
    let holder = first["holder"]["label"].as_str().unwrap();
    assert!(holder.contains("variable cache"), "{holder}");
}

#[test]
fn summary_and_diff_name_minified_classes_as_their_authors_did() {
    let dir = fixture("verdict/page-widget");
    let out = run_cli(Command::Summary {
        file: dir.join("S3.heapsnapshot.gz"),
        json: true,
        top: 0,
        context: None,
        timings: false,
    });
    let v: Value = serde_json::from_str(&out).unwrap();
    let classes = v["classes"].as_array().unwrap();
    // esbuild called EditorView `n`, as it did other classes: each row (one per
    // constructor) gets its own name from the map.
    let view = classes
        .iter()
        .find(|c| c["original_class"] == "EditorView")
        .expect("a row for EditorView");
    assert_eq!(view["name"], "n");
    assert_eq!(view["count"], 15);
    assert!(classes.iter().filter(|c| c["name"] == "n").count() > 1);
    let out = run_cli(Command::Diff {
        base: dir.join("S0.heapsnapshot.gz"),
        file: dir.join("S3.heapsnapshot.gz"),
        json: true,
        top: 0,
        timings: false,
    });
    let v: Value = serde_json::from_str(&out).unwrap();
    let view = v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["original_class"] == "EditorView")
        .expect("a Comparison row for EditorView");
    assert_eq!(view["new_count"], 15);
}
