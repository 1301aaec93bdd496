//! Native contexts: the attribution, sizes and filtered Summary equal DevTools' (the
//! devtools-oracle's X.contexts.json and X.summary.<filter>.json.gz, made by
//! fixtures/make-expected.sh), and the CLI's `summary --context` and `stats --by-context`.

use crate::common;
use common::*;
use heapdive::cli::Command;
use serde_json::Value;

fn snap(name: &str) -> std::path::PathBuf {
    fixture(&format!("{name}.heapsnapshot.gz"))
}

fn by_context(name: &str) -> Value {
    serde_json::from_str(&run_cli(Command::Stats {
        file: snap(name),
        json: true,
        by_context: true,
        timings: false,
    }))
    .unwrap()
}

fn oracle_contexts(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(&format!("{name}.contexts.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn native_context_sizes_match_the_oracle() {
    for name in SNAPSHOTS {
        let mine = by_context(name);
        let oracle = oracle_contexts(name);
        let line = |c: &Value, k: [&str; 6]| -> String {
            k.iter()
                .map(|f| c[*f].to_string())
                .collect::<Vec<_>>()
                .join("|")
        };
        let m: Vec<String> = mine["contexts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let k = ["id", "name", "raw_name", "attributed_size"];
                line(c, [k[0], k[1], k[2], k[3], "self_size", "retained_size"])
            })
            .collect();
        let e: Vec<String> = oracle["nativeContexts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let k = ["id", "name", "rawName", "attributedSize"];
                line(c, [k[0], k[1], k[2], k[3], "selfSize", "retainedSize"])
            })
            .collect();
        // In the filter menu's order: biggest attributed size first.
        assert_eq!(m, e, "{name}: native contexts");
        assert_eq!(
            mine["shared"]["size"], oracle["sharedSize"],
            "{name}: shared"
        );
        assert_eq!(
            mine["unattributed"]["size"], oracle["noAttributionSize"],
            "{name}: not attributed"
        );
    }
}

#[test]
fn the_page_has_three_native_contexts_and_shared_objects() {
    let oracle = oracle_contexts(CONTEXTS_PAGE);
    let contexts = oracle["nativeContexts"].as_array().unwrap();
    // The page and its iframe (both named by the origin) and Blink's own context.
    let names: Vec<&str> = contexts
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "http://shop.localhost:8080",
            "http://shop.localhost:8080",
            ""
        ]
    );
    assert!(oracle["sharedSize"].as_u64().unwrap() > 0);
    // Each context's Statistics add up to its size.
    let mine = by_context(CONTEXTS_PAGE);
    for c in mine["contexts"].as_array().unwrap() {
        assert_eq!(c["statistics"]["total"], c["attributed_size"]);
    }
    assert_eq!(
        mine["shared"]["statistics"]["total"],
        mine["shared"]["size"]
    );
}

/// `--context` for each filter the oracle's rows were dumped for.
fn filters(name: &str) -> Vec<(String, String)> {
    let oracle = oracle_contexts(name);
    let mut out: Vec<(String, String)> = oracle["nativeContexts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                format!("@{}", c["id"]),
                format!("nativeContext@{}", c["id"]),
            )
        })
        .collect();
    out.push(("shared".into(), "sharedNativeContext".into()));
    out.push(("unattributed".into(), "noNativeContext".into()));
    out
}

#[test]
fn summary_under_each_native_context_filter_matches_the_oracle() {
    for (name, (arg, oracle_name)) in CONTEXT_SNAPSHOTS
        .iter()
        .flat_map(|n| filters(n).into_iter().map(move |f| (*n, f)))
    {
        let mine: Value = serde_json::from_str(&run_cli(Command::Summary {
            file: snap(name),
            json: true,
            top: 0,
            context: Some(arg.clone()),
            timings: false,
        }))
        .unwrap();
        let path = fixture(&format!("{name}.summary.{oracle_name}.json.gz"));
        let expected: Value = serde_json::from_str(&gunzip_text(&path)).unwrap();
        let m = summary_rows(
            &mine["classes"],
            ["name", "count", "distance", "shallow_size", "retained_size"],
        );
        let e = summary_rows(
            &expected,
            ["name", "count", "distance", "shallowSize", "retainedSize"],
        );
        assert!(!e.is_empty(), "{name} {arg}: the oracle has rows");
        assert_eq!(m, e, "{name} --context {arg}: summary rows");
        assert!(
            mine["filter"].is_string(),
            "{name} {arg}: the filter is named"
        );
    }
}

#[test]
fn cli_summary_context_names_the_filter_and_refuses_other_ids() {
    let file = snap(CONTEXTS_PAGE);
    let file = file.to_str().unwrap();
    let oracle = oracle_contexts(CONTEXTS_PAGE);
    let page = &oracle["nativeContexts"][0];
    let id = format!("@{}", page["id"]);
    let (code, out, err) = heapdive(&["summary", file, "--context", &id]);
    assert_eq!(code, 0, "{err}");
    let header = format!("Native context http://shop.localhost:8080 {id} (");
    assert!(out.contains(&header), "{out}");
    let (code, out, _) = heapdive(&["summary", file, "--context", "shared"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Objects shared between native contexts ("),
        "{out}"
    );
    let (code, out, _) = heapdive(&["summary", file, "--context", "unattributed"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Objects not attributed to a native context ("),
        "{out}"
    );
    // The root is no native context: the error lists those there are.
    let (code, _, err) = heapdive(&["summary", file, "--context", "@1"]);
    assert_ne!(code, 0);
    assert!(err.contains("@1 is not a native context"), "{err}");
    assert!(err.contains(&id), "{err}");
}

#[test]
fn cli_stats_by_context_lists_every_context_in_text_and_bytes_in_json() {
    let file = snap(CONTEXTS_PAGE);
    let file = file.to_str().unwrap();
    let (code, out, err) = heapdive(&["stats", file, "--by-context"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3 native contexts"), "{out}");
    let oracle = oracle_contexts(CONTEXTS_PAGE);
    for c in oracle["nativeContexts"].as_array().unwrap() {
        assert!(out.contains(&format!("@{} (", c["id"])), "{out}");
    }
    assert!(out.contains("Objects shared between native contexts ("));
    assert!(out.contains("Objects not attributed to a native context ("));
    assert!(out.contains("Other JS objects"));
    let (code, out, _) = heapdive(&["stats", file, "--by-context", "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["contexts"][0]["attributed_size"],
        oracle["nativeContexts"][0]["attributedSize"]
    );
    assert_eq!(v["shared"]["size"], oracle["sharedSize"]);
}
