//! Per-node flags: detached DOM tree node, queryable from the page, and page-owned (used by
//! the essential-edge rule that attributes objects also held by the debugger to the page).

use super::dom_state::DETACHED;
use crate::snapshot::{EdgeType, NodeType, Snapshot};

pub const CAN_BE_QUERIED: u8 = 1;
pub const DETACHED_DOM_TREE_NODE: u8 = 2;
pub const PAGE_OBJECT: u8 = 4;

/// `(Document DOM trees)`: a synthetic root child that counts as a user root.
pub fn is_document_dom_trees_root(s: &Snapshot, n: u32) -> bool {
    s.ntype(n) == NodeType::SYNTHETIC && s.raw_name(n) == "(Document DOM trees)"
}

/// DevTools' `isUserRoot` for direct children of the root.
pub fn is_user_root(s: &Snapshot, n: u32) -> bool {
    s.ntype(n) != NodeType::SYNTHETIC || is_document_dom_trees_root(s, n)
}

/// Whether any node can be page-owned: the page-owned walk starts only from the root's
/// shortcut edges and its `(Document DOM trees)` child (Node.js snapshots have neither).
pub fn has_page_roots(s: &Snapshot) -> bool {
    s.edges(s.root).any(|e| {
        let t = s.edge_type[e];
        t == EdgeType::SHORTCUT
            || (t == EdgeType::ELEMENT && is_document_dom_trees_root(s, s.edge_to[e]))
    })
}

pub fn calculate_flags(s: &Snapshot, dom_state: &[u8]) -> Vec<u8> {
    let n = s.node_count();
    let mut flags = vec![0u8; n];
    for i in 0..n {
        if s.node_type[i] == NodeType::NATIVE && dom_state[i] == DETACHED {
            flags[i] |= DETACHED_DOM_TREE_NODE;
        }
    }

    // Queryable: reachable from non-synthetic root children over plain JS references.
    let mut stack: Vec<u32> = Vec::new();
    for e in s.edges(s.root) {
        let t = s.edge_to[e];
        if s.ntype(t) != NodeType::SYNTHETIC {
            stack.push(t);
        }
    }
    while let Some(o) = stack.pop() {
        if flags[o as usize] & CAN_BE_QUERIED != 0 {
            continue;
        }
        flags[o as usize] |= CAN_BE_QUERIED;
        for e in s.edges(o) {
            let c = s.edge_to[e];
            if flags[c as usize] & CAN_BE_QUERIED != 0 {
                continue;
            }
            let t = s.edge_type[e];
            if t == EdgeType::HIDDEN
                || t == EdgeType::INVISIBLE
                || t == EdgeType::INTERNAL
                || t == EdgeType::WEAK
            {
                continue;
            }
            stack.push(c);
        }
    }

    // Page-owned: reachable from Window objects (root shortcuts) and DOM tree roots.
    let mut stack: Vec<u32> = Vec::new();
    for e in s.edges(s.root) {
        let t = s.edge_type[e];
        let to = s.edge_to[e];
        if t == EdgeType::ELEMENT {
            if !is_document_dom_trees_root(s, to) {
                continue;
            }
        } else if t != EdgeType::SHORTCUT {
            continue;
        }
        stack.push(to);
        flags[to as usize] |= PAGE_OBJECT;
    }
    while let Some(o) = stack.pop() {
        for e in s.edges(o) {
            let c = s.edge_to[e];
            if flags[c as usize] & PAGE_OBJECT != 0 || s.edge_type[e] == EdgeType::WEAK {
                continue;
            }
            flags[c as usize] |= PAGE_OBJECT;
            stack.push(c);
        }
    }
    flags
}
