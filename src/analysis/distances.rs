//! Distance from the nearest user root (BFS), with DevTools' special cases: weak edges are
//! not followed, nor NativeContext's `sloppy_function_map`, nor descriptor-array value
//! slots, and a WeakMap value is reached only through the second edge of its pair.

use super::flags::is_user_root;
use super::weakmap::Ephemerons;
use crate::snapshot::{EdgeType, NodeType, Snapshot};
use crate::util::{BitVec, js_parse_int};

pub const NO_DISTANCE: i32 = -5;
pub const BASE_SYSTEM_DISTANCE: i32 = 100_000_000;
pub const BASE_UNREACHABLE_DISTANCE: i32 = 200_000_000;

/// True when DevTools would show "−" for this distance.
pub fn is_unreachable_or_system(d: i32) -> bool {
    !(0..BASE_SYSTEM_DISTANCE).contains(&d)
}

/// The extra, optional rule a caller adds (e.g. "do not enter ignored nodes").
pub type ExtraFilter<'a> = &'a dyn Fn(u32, usize) -> bool;

pub fn calculate_distances(
    s: &Snapshot,
    eph: &Ephemerons,
    extra: Option<ExtraFilter<'_>>,
) -> Vec<i32> {
    let n = s.node_count();
    let mut dist = vec![NO_DISTANCE; n];
    let mut queue: Vec<u32> = Vec::with_capacity(n);
    let mut pending = BitVec::new(eph.pair_count as usize);
    let mut filter = |src: u32, e: usize| -> bool {
        let st = s.ntype(src);
        if st == NodeType::HIDDEN
            && s.edge_str(e) == Some("sloppy_function_map")
            && s.raw_name(src) == "system / NativeContext"
        {
            return false;
        }
        if st == NodeType::ARRAY && s.raw_name(src) == "(map descriptors)" {
            let idx = match s.edge_str(e) {
                None => Some(s.edge_name[e] as f64),
                Some(name) => js_parse_int(name),
            };
            return match idx {
                Some(i) => i < 2.0 || (i % 3.0) != 1.0,
                None => true,
            };
        }
        if s.edge_type[e] == EdgeType::INTERNAL
            && let Some((pair, _)) = eph.get(s.edge_name[e])
        {
            let p = pair as usize;
            if pending.get(p) {
                pending.clear(p);
            } else {
                pending.set(p);
                return false;
            }
        }
        match extra {
            Some(f) => f(src, e),
            None => true,
        }
    };

    for e in s.edges(s.root) {
        let t = s.edge_to[e];
        if is_user_root(s, t) {
            dist[t as usize] = 1;
            queue.push(t);
        }
    }
    let had_user_roots = !queue.is_empty();
    bfs(s, &mut dist, &mut queue, &mut filter);
    dist[s.root as usize] = if had_user_roots {
        BASE_SYSTEM_DISTANCE
    } else {
        0
    };
    queue.clear();
    queue.push(s.root);
    bfs(s, &mut dist, &mut queue, &mut filter);
    dist
}

/// FIFO over `queue` (already seeded), following non-weak edges that pass `filter`.
pub fn bfs(
    s: &Snapshot,
    dist: &mut [i32],
    queue: &mut Vec<u32>,
    filter: &mut dyn FnMut(u32, usize) -> bool,
) {
    let mut head = 0;
    while head < queue.len() {
        let o = queue[head];
        head += 1;
        let d = dist[o as usize] + 1;
        for e in s.edges(o) {
            if s.edge_type[e] == EdgeType::WEAK {
                continue;
            }
            let c = s.edge_to[e];
            if dist[c as usize] != NO_DISTANCE {
                continue;
            }
            if !filter(o, e) {
                continue;
            }
            dist[c as usize] = d;
            queue.push(c);
        }
    }
}
