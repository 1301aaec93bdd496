//! Why an object is alive: its retainers as the Retainers panel lists them, and the K
//! shortest retaining paths from a GC root (weak edges and edges from the root skipped).

use super::Heap;
use super::distances::{BASE_SYSTEM_DISTANCE, BASE_UNREACHABLE_DISTANCE, NO_DISTANCE};
use super::retainers::Retainer;
use crate::snapshot::EdgeType;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// One hop of a path: `edge` (ordinal) goes from `from` to the next node of the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hop {
    pub from: u32,
    pub edge: u32,
}

/// A retaining path: hops from the node nearest a GC root down to the object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetainingPath {
    pub hops: Vec<Hop>,
    pub target: u32,
}

/// Distance used to sort retainers (DevTools' Retainers view).
pub fn retainer_sort_distance(h: &Heap, o: u32) -> i64 {
    let d = h.distance[o as usize];
    if d == NO_DISTANCE {
        BASE_UNREACHABLE_DISTANCE as i64
    } else {
        d as i64
    }
}

/// Retainers of `o` that the Retainers view shows (no weak edges, none from the root),
/// sorted by the retainer's distance, then edge name; the storage order breaks ties.
pub fn shown_retainers(h: &Heap, o: u32) -> Vec<Retainer> {
    let s = &h.snap;
    let mut v: Vec<Retainer> = h
        .retainers
        .list(s, o)
        .into_iter()
        .filter(|r| {
            let t = s.edge_type[r.edge as usize];
            t != EdgeType::WEAK && t != EdgeType::INVISIBLE && r.from != s.root
        })
        .collect();
    v.sort_by_cached_key(|r| {
        (
            retainer_sort_distance(h, r.from),
            s.edge_name(r.edge as usize),
        )
    });
    v
}

fn heuristic(h: &Heap, o: u32) -> i64 {
    let d = h.distance[o as usize];
    if d == NO_DISTANCE {
        1 << 20
    } else if d >= BASE_SYSTEM_DISTANCE {
        (d - BASE_SYSTEM_DISTANCE) as i64 + 64
    } else {
        d as i64
    }
}

/// Up to `k` shortest simple retaining paths to `target`, shortest first. A path starts at
/// a node the root holds directly (a user root, or a GC-root category).
pub fn shortest_paths(h: &Heap, target: u32, k: usize, max_depth: usize) -> Vec<RetainingPath> {
    let s = &h.snap;
    // Arena of partial paths: (node, edge into child, parent entry).
    struct Entry {
        node: u32,
        edge: u32,
        parent: u32,
        len: u32,
    }
    const NONE: u32 = u32::MAX;
    let mut arena: Vec<Entry> = vec![Entry {
        node: target,
        edge: NONE,
        parent: NONE,
        len: 0,
    }];
    let mut queue: BinaryHeap<Reverse<(i64, u32)>> = BinaryHeap::new();
    queue.push(Reverse((heuristic(h, target), 0)));
    let mut out = Vec::new();
    let mut expansions = 0usize;
    let held_by_root = |o: u32| {
        h.retainers
            .of(o)
            .any(|slot| h.retainers.node[slot] == s.root)
    };
    while let Some(Reverse((_, idx))) = queue.pop() {
        if out.len() >= k || expansions > 200_000 {
            break;
        }
        expansions += 1;
        let (node, len) = (arena[idx as usize].node, arena[idx as usize].len);
        if node == s.root {
            continue;
        }
        if held_by_root(node) || len as usize >= max_depth {
            if held_by_root(node) {
                let mut hops = Vec::new();
                let mut cur = idx;
                while arena[cur as usize].parent != NONE {
                    let e = &arena[cur as usize];
                    hops.push(Hop {
                        from: e.node,
                        edge: e.edge,
                    });
                    cur = e.parent;
                }
                out.push(RetainingPath { hops, target });
            }
            continue;
        }
        for r in shown_retainers(h, node) {
            let src = r.from;
            // Simple paths only: the source must not already be on this path.
            let mut cur = idx;
            let mut cycle = false;
            loop {
                if arena[cur as usize].node == src {
                    cycle = true;
                    break;
                }
                if arena[cur as usize].parent == NONE {
                    break;
                }
                cur = arena[cur as usize].parent;
            }
            if cycle {
                continue;
            }
            let e = Entry {
                node: src,
                edge: r.edge,
                parent: idx,
                len: len + 1,
            };
            let score = (len + 1) as i64 + heuristic(h, src);
            arena.push(e);
            queue.push(Reverse((score, (arena.len() - 1) as u32)));
        }
    }
    out
}
