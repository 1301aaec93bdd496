//! Explaining paths where costs outgrow the byte a node the explainer keeps them in.

use crate::common;
use heapdive::analysis::explain::{Explainer, explaining_paths};
use heapdive::analysis::locations::Locations;

/// A root holding a chain of `n` code nodes joined by shortcut edges: each hop costs 15
/// (1, 6 for a shortcut, 8 out of code), so the chain's end costs 15 (n - 1).
fn chain(n: usize) -> String {
    let mut nodes = vec!["9,0,1,0,1,0,0".to_string()];
    let mut edges = vec!["1,0,7".to_string()];
    for i in 1..=n {
        let out = usize::from(i < n);
        nodes.push(format!("4,1,{},10,{out},0,0", 2 * i + 1));
        if i < n {
            edges.push(format!("5,1,{}", 7 * (i + 1)));
        }
    }
    format!(
        r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"]}},"node_count":{},"edge_count":{}}},
"nodes":[{}],
"edges":[{}],
"strings":["","next"]}}"#,
        n + 1,
        n,
        nodes.join(","),
        edges.join(",")
    )
}

#[test]
fn a_chain_too_costly_for_a_byte_is_explained_whole() {
    let n = 6000;
    assert!(
        15 * (n - 1) > u16::MAX as usize,
        "past what two bytes hold, too"
    );
    let dir = common::TempDir::new("explain-chain");
    let file = dir.path("chain.heapsnapshot");
    std::fs::write(&file, chain(n)).unwrap();
    let heap = heapdive::load::load_quiet(&file).unwrap();
    let locs = Locations::build(&heap.snap);
    let last = n as u32;
    let found = explaining_paths(&heap, &Explainer::for_paths(&heap, &locs), last, 3);
    assert_eq!(found.len(), 1);
    let hops: Vec<(u32, u32)> = found[0].hops.iter().map(|h| (h.from, h.edge)).collect();
    assert_eq!(hops.len(), n - 1);
    assert!(
        hops.iter()
            .enumerate()
            .all(|(i, &h)| h == (i as u32 + 1, i as u32 + 1))
    );
    let best = Explainer::build(&heap, &locs)
        .best_path(&heap, last)
        .unwrap();
    let best: Vec<(u32, u32)> = best.hops.iter().map(|h| (h.from, h.edge)).collect();
    assert_eq!(best, hops);
}
