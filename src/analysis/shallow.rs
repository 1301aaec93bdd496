//! Shallow-size reattribution: internal arrays and hidden objects owned by exactly one
//! object have their size moved into that owner, as DevTools shows them since 2024.

use super::flags::is_user_root;
use crate::snapshot::{EdgeType, NodeType, Snapshot};

const UNVISITED: u32 = u32::MAX;
const MULTIPLE: u32 = u32::MAX - 1;

pub fn has_user_roots(s: &Snapshot) -> bool {
    s.edges(s.root).any(|e| is_user_root(s, s.edge_to[e]))
}

/// Turns the raw self sizes (`node_self_size`, taken from `s`) into the shallow sizes
/// DevTools shows, in place: nothing changes when nothing is reattributed.
pub fn calculate_shallow_sizes(s: &Snapshot, self_sizes: Vec<u32>) -> Vec<u32> {
    let mut sizes = self_sizes;
    if !has_user_roots(s) {
        return sizes;
    }
    let n = s.node_count();
    let mut owners = crate::process_memory::populated(vec![0u32; n]);
    for i in 0..n {
        let t = s.node_type[i];
        owners[i] = if t == NodeType::HIDDEN
            || t == NodeType::ARRAY
            || (t == NodeType::NATIVE && s.raw_name(i as u32) == "system / ExternalStringData")
        {
            UNVISITED
        } else {
            i as u32
        };
    }
    // Ownership only moves up (unvisited, one owner, several), so the fixed point does not
    // depend on the visiting order: owners spread in node order first (edges read in
    // sequence), then whatever changed spreads from a stack.
    let mut work: Vec<u32> = Vec::new();
    let spread = |id: u32, owners: &mut [u32], work: &mut Vec<u32>| {
        let owner = owners[id as usize];
        for e in s.edges(id) {
            if s.edge_type[e] == EdgeType::WEAK {
                continue;
            }
            let t = s.edge_to[e];
            let cur = owners[t as usize];
            if cur == UNVISITED {
                owners[t as usize] = owner;
                work.push(t);
            } else if cur == t || cur == owner || cur == MULTIPLE {
            } else {
                owners[t as usize] = MULTIPLE;
                work.push(t);
            }
        }
    };
    for i in 0..n as u32 {
        if owners[i as usize] == i {
            spread(i, &mut owners, &mut work);
        }
    }
    while let Some(id) = work.pop() {
        spread(id, &mut owners, &mut work);
    }
    for i in 0..n {
        let o = owners[i];
        if o == UNVISITED || o == MULTIPLE || o == i as u32 {
            continue;
        }
        if s.node_type[o as usize] == NodeType::SYNTHETIC || o == s.root {
            continue;
        }
        let moved = sizes[i];
        sizes[i] = 0;
        // Uint32Array arithmetic in DevTools: wraps.
        sizes[o as usize] = sizes[o as usize].wrapping_add(moved);
    }
    sizes
}
