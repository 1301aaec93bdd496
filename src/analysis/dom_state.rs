//! DOM link state (attached / detached) propagated from the embedder's marks through native
//! nodes, and the `Detached ` name prefix DevTools gives detached natives.

use crate::snapshot::{EdgeType, NodeType, Snapshot};
use crate::util::BitVec;
use std::collections::HashMap;

pub const UNKNOWN: u8 = 0;
pub const ATTACHED: u8 = 1;
pub const DETACHED: u8 = 2;

/// Returns the per-node state and rewrites the names of detached natives in `s`.
pub fn propagate_dom_state(s: &mut Snapshot) -> Vec<u8> {
    let n = s.node_count();
    let Some(seed) = s.node_detachedness.take() else {
        // Old snapshots: natives named "Detached ..." are detached; nothing propagates.
        let mut state = vec![UNKNOWN; n];
        for i in 0..n {
            if s.node_type[i] == NodeType::NATIVE && s.raw_name(i as u32).starts_with("Detached ") {
                state[i] = DETACHED;
            }
        }
        return state;
    };
    let mut state = seed;
    let mut visited = BitVec::new(n);
    let mut attached: Vec<u32> = Vec::new();
    let mut detached: Vec<u32> = Vec::new();
    let mut renamed: HashMap<u32, u32> = HashMap::new();

    let mut process = |s: &mut Snapshot,
                       state: &mut Vec<u8>,
                       o: u32,
                       new_state: u8,
                       attached: &mut Vec<u32>,
                       detached: &mut Vec<u32>| {
        let i = o as usize;
        if visited.get(i) {
            return;
        }
        visited.set(i);
        // No propagation through JavaScript: every entry into embedder code knows its state.
        if s.node_type[i] != NodeType::NATIVE {
            return;
        }
        state[i] = new_state;
        if new_state == ATTACHED {
            attached.push(o);
        } else if new_state == DETACHED {
            let old = s.node_name[i];
            let new = *renamed.entry(old).or_insert_with(|| {
                let text = format!("Detached {}", s.strings.get(old));
                s.strings.push(&text)
            });
            s.node_name[i] = new;
            detached.push(o);
        }
    };

    for o in 0..n as u32 {
        let st = state[o as usize];
        if st == UNKNOWN {
            continue;
        }
        process(s, &mut state, o, st, &mut attached, &mut detached);
    }
    let follows = |t: u8| t != EdgeType::HIDDEN && t != EdgeType::INVISIBLE && t != EdgeType::WEAK;
    while let Some(o) = attached.pop() {
        for e in s.edges(o) {
            if follows(s.edge_type[e]) {
                let to = s.edge_to[e];
                process(s, &mut state, to, ATTACHED, &mut attached, &mut detached);
            }
        }
    }
    while let Some(o) = detached.pop() {
        if state[o as usize] == ATTACHED {
            continue;
        }
        for e in s.edges(o) {
            if follows(s.edge_type[e]) {
                let to = s.edge_to[e];
                process(s, &mut state, to, DETACHED, &mut attached, &mut detached);
            }
        }
    }
    state
}
