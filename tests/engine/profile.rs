//! Sampling heap profiles: the `profile` command's numbers against the profile's own samples
//! (fixtures/alloc/sampled.heapprofile, from `node --heap-prof` running
//! fixtures/alloc/sampled.js), computed here independently; broken profiles get one line.

use crate::common;
use common::*;
use heapdive::cli::Command;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

const PROFILE: &str = "alloc/sampled.heapprofile";

fn profile_json(path: &Path) -> Value {
    serde_json::from_str(&run_cli(Command::Profile {
        file: path.to_path_buf(),
        json: true,
        top: 0,
    }))
    .unwrap()
}

/// A function as the command prints it: name, url, script id, 1-based line and column.
fn key(frame: &Value) -> String {
    let n = |k: &str| frame[k].as_i64().unwrap() + 1;
    format!(
        "{}|{}|{}|{}|{}",
        frame["functionName"].as_str().unwrap(),
        frame["url"].as_str().unwrap(),
        frame["scriptId"].as_str().unwrap(),
        n("lineNumber"),
        n("columnNumber")
    )
}

/// Per function: bytes of its own samples, and bytes sampled in it or below it with a
/// recursive function counted once (by recursion over the tree, with the path's functions).
fn expected(doc: &Value) -> (u64, HashMap<String, (u64, u64)>) {
    let mut by_node: HashMap<u64, u64> = HashMap::new();
    for s in doc["samples"].as_array().unwrap() {
        *by_node.entry(s["nodeId"].as_u64().unwrap()).or_default() += s["size"].as_u64().unwrap();
    }
    fn walk(
        n: &Value,
        by_node: &HashMap<u64, u64>,
        path: &mut Vec<String>,
        out: &mut HashMap<String, (u64, u64)>,
        head: bool,
    ) -> u64 {
        let k = key(&n["callFrame"]);
        let own = by_node
            .get(&n["id"].as_u64().unwrap())
            .copied()
            .unwrap_or(0);
        path.push(k.clone());
        let below: u64 = n["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| walk(c, by_node, path, out, false))
            .sum();
        path.pop();
        if !head {
            let e = out.entry(k.clone()).or_default();
            e.0 += own;
            if !path.contains(&k) {
                e.1 += own + below;
            }
        }
        own + below
    }
    let mut out = HashMap::new();
    let total = walk(&doc["head"], &by_node, &mut Vec::new(), &mut out, true);
    (total, out)
}

#[test]
fn self_and_total_sizes_equal_the_samples() {
    let path = fixture(PROFILE);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let (total, want) = expected(&doc);
    let mine = profile_json(&path);
    assert_eq!(mine["total_size"].as_u64().unwrap(), total);
    assert!(total > 1_000_000);
    let rows = mine["functions"].as_array().unwrap();
    assert_eq!(rows.len(), want.len());
    let mut recursive_seen = false;
    for r in rows {
        let k = format!(
            "{}|{}|{}|{}|{}",
            r["name"].as_str().unwrap(),
            r["url"].as_str().unwrap(),
            r["script_id"].as_str().unwrap(),
            r["line"],
            r["column"]
        );
        let (own, inclusive) = want[&k];
        assert_eq!(r["self_size"].as_u64().unwrap(), own, "{k}");
        assert_eq!(r["total_size"].as_u64().unwrap(), inclusive, "{k}");
        recursive_seen |= r["name"] == "tree";
    }
    assert!(recursive_seen, "the fixture's recursive function");
    let self_sizes: Vec<u64> = rows
        .iter()
        .map(|r| r["self_size"].as_u64().unwrap())
        .collect();
    assert!(self_sizes.windows(2).all(|w| w[0] >= w[1]), "by self size");
}

#[test]
fn the_flame_graph_tree_nests_the_sizes() {
    let p = heapdive::profile::read_profile(&fixture(PROFILE)).unwrap();
    let sub = p.subtree_sizes();
    assert_eq!(sub[0], p.total_size());
    for k in 0..p.node_count() as u32 {
        let children: u64 = p.children(k).map(|c| sub[c as usize]).sum();
        assert_eq!(sub[k as usize], children + p.node_self[k as usize]);
    }
    // The recursive function sits under itself in the tree.
    let nested = (0..p.node_count() as u32).any(|k| {
        let parent = p.node_parent[k as usize];
        p.frame(k).name == "tree"
            && parent != heapdive::profile::NO_PARENT
            && p.frame(parent).name == "tree"
    });
    assert!(nested);
}

#[test]
fn deep_stacks_parse() {
    // 400 frames: deeper than serde_json's default nesting limit.
    let mut text = String::new();
    let depth = 400;
    for i in 0..depth {
        text.push_str(&format!(
            r#"{{"callFrame":{{"functionName":"f{i}","scriptId":"1","url":"a.js","lineNumber":{i},"columnNumber":0}},"selfSize":1,"id":{},"children":["#,
            i + 1
        ));
    }
    for _ in 0..depth {
        text.push_str("]}");
    }
    let d = TempDir::new("profile-deep");
    let path = d.join("deep.heapprofile");
    std::fs::write(&path, format!(r#"{{"head":{text},"samples":[]}}"#)).unwrap();
    let mine = profile_json(&path);
    assert_eq!(mine["total_size"], depth);
    assert_eq!(mine["functions"].as_array().unwrap().len(), depth - 1);
}

fn node(id: u32, name: &str, children: &str) -> String {
    format!(
        r#"{{"callFrame":{{"functionName":"{name}","scriptId":"1","url":"a.js","lineNumber":0,"columnNumber":0}},"selfSize":8,"id":{id},"children":[{children}]}}"#
    )
}

#[test]
fn broken_profiles_get_one_line_errors() {
    let ok_tree = node(1, "(root)", &node(2, "f", ""));
    let cases = [
        ("not-json", "this is not json".to_string(), "not valid JSON"),
        ("no-head", r#"{"samples":[]}"#.to_string(), "no \"head\""),
        (
            "head-not-node",
            r#"{"head":[1,2]}"#.to_string(),
            "not a heap profile",
        ),
        (
            "cycle",
            format!(
                r#"{{"head":{}}}"#,
                node(1, "(root)", &node(2, "f", &node(1, "g", "")))
            ),
            "node id 1 appears inside itself (a cycle)",
        ),
        (
            "duplicate",
            format!(
                r#"{{"head":{}}}"#,
                node(
                    1,
                    "(root)",
                    &format!("{},{}", node(2, "f", ""), node(2, "g", ""))
                )
            ),
            "two nodes have the id 2",
        ),
        (
            "bad-size",
            format!(r#"{{"head":{ok_tree},"samples":[{{"size":-5,"nodeId":2,"ordinal":1}}]}}"#),
            "a sample's size (-5) is not a whole number",
        ),
        (
            "too-deep",
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)),
            "nested 5000 levels deep",
        ),
    ];
    let d = TempDir::new("profile-bad");
    for (name, text, needle) in cases {
        let path = d.join(format!("{name}.heapprofile"));
        std::fs::write(&path, text).unwrap();
        let p = path.to_str().unwrap();
        let (code, out, err) = heapdive(&["profile", p]);
        assert_eq!(code, 1, "{name}: exit code; stderr: {err}");
        assert!(out.is_empty(), "{name}: printed {out}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
        assert!(err.contains(p), "{name}: does not name the file: {err}");
        assert!(
            err.contains(needle),
            "{name}: expected '{needle}' in: {err}"
        );
    }
    let (code, _, err) = heapdive(&["profile", d.join("missing.heapprofile").to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
}
