//! Retaining paths ranked the way people read them. The fewest hops often run through V8's
//! and Node's own structures (timer lists, compiled code, feedback vectors, internal arrays)
//! while the reason a user cares about is a variable or a property of their own objects. So
//! each hop costs by what it goes through: user objects and variables are cheap, runtime
//! internals, hidden and shortcut edges dear. One weighted shortest-path pass from the root
//! ([`Explainer::build`]) gives every node its cheapest cost and parent; K paths to one
//! object are then found backwards with that cost as an exact A* estimate, and kept only when
//! their last user-level step (the variable or property that holds the object) differs.

use super::Heap;
use super::locations::Locations;
use super::paths::{Hop, RetainingPath};
use crate::snapshot::{EdgeType, NodeType};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// How much going through a node costs beyond one hop.
const USER: u8 = 0;
const ARRAY: u8 = 1;
const HIDDEN: u8 = 3;
const INTERNAL_ARRAY: u8 = 4;
const RUNTIME: u8 = 6;
const CODE: u8 = 8;
/// Starting from a GC-root category rather than a global object.
const GC_ROOT_START: u32 = 4;
const NONE: u32 = u32::MAX;
/// The reason of paths without a user-level step.
const RUNTIME_REASON: u32 = u32::MAX - 1;

/// Node noise and the cheapest weighted path from the root to every node.
pub struct Explainer {
    /// Per node: its noise weight (0 for user objects).
    pub noise: Vec<u8>,
    /// Per node: the cheapest cost of a path from the root (u32::MAX when unreachable).
    pub cost: Vec<u32>,
    /// Per node: the edge (ordinal) of that path into it, or u32::MAX; empty when built
    /// for explaining paths only ([`Explainer::for_paths`]), which need only the costs.
    parent: Vec<u32>,
}

/// What a node weighs on a path: runtime scripts (`node:`, `internal/`, `extensions::`) and
/// their scopes and objects count as internals, as do code, hidden and internal arrays.
fn noise(h: &Heap, locs: &Locations) -> Vec<u8> {
    let s = &h.snap;
    let mut runtime_script: Vec<(u32, bool)> = Vec::new();
    let mut is_runtime = |id: u32| match runtime_script.binary_search_by_key(&id, |p| p.0) {
        Ok(i) => runtime_script[i].1,
        Err(i) => {
            let name = locs.script_name(s, id);
            let r = is_runtime_script(&name);
            runtime_script.insert(i, (id, r));
            r
        }
    };
    let mut noise = vec![USER; s.node_count()];
    for o in 0..s.node_count() as u32 {
        noise[o as usize] = match s.ntype(o) {
            NodeType::CODE => CODE,
            NodeType::HIDDEN => HIDDEN,
            NodeType::ARRAY if s.raw_name(o) == "(internal array)" => INTERNAL_ARRAY,
            NodeType::ARRAY => ARRAY,
            _ if locs.is_scope(s, o) => match locs.scope_script(h, o) {
                Some(script) if is_runtime_script(&script) => RUNTIME,
                _ => USER,
            },
            _ => USER,
        };
    }
    for &(o, l) in &s.locations {
        if noise[o as usize] == USER && is_runtime(l.script_id) {
            noise[o as usize] = RUNTIME;
        }
    }
    // Global objects are where users read paths from, whoever constructed them.
    for e in s.edges(s.root) {
        let t = s.edge_to[e];
        if super::flags::is_user_root(s, t) {
            noise[t as usize] = USER;
        }
    }
    noise
}

/// Scripts of the runtime rather than the application.
pub fn is_runtime_script(name: &str) -> bool {
    name.starts_with("node:")
        || name.starts_with("internal/")
        || name.starts_with("extensions::")
        || name.starts_with("v8/")
        || name.starts_with("chrome")
        || name.starts_with("(script ")
}

/// The extra cost of an edge by its kind; None for edges no path follows.
fn edge_cost(h: &Heap, e: usize) -> Option<u32> {
    let s = &h.snap;
    Some(match s.edge_type[e] {
        EdgeType::CONTEXT | EdgeType::PROPERTY | EdgeType::ELEMENT => 0,
        // A closure's scope and a scope's parent are how closures retain: no penalty.
        EdgeType::INTERNAL => match s.edge_str(e) {
            Some("context") | Some("previous") => 0,
            _ => 1,
        },
        EdgeType::HIDDEN => 2,
        EdgeType::SHORTCUT => 6,
        _ => return None,
    })
}

/// The cost of hop `e` out of node `from`.
fn hop_cost(h: &Heap, ex_noise: &[u8], from: u32, e: usize) -> Option<u32> {
    Some(1 + edge_cost(h, e)? + ex_noise[from as usize] as u32)
}

fn start_cost(h: &Heap, o: u32) -> u32 {
    if super::flags::is_user_root(&h.snap, o) {
        0
    } else {
        GC_ROOT_START
    }
}

impl Explainer {
    /// Costs and parents: what the leak report and [`Explainer::best_path`] walk.
    pub fn build(h: &Heap, locs: &Locations) -> Explainer {
        Self::dial(h, locs, true)
    }

    /// Costs without parents, for [`explaining_paths`] and [`Explainer::reason`]: 4 bytes a
    /// node less for as long as a snapshot is open in the window (42 MiB on the 1 GB file's
    /// 11M nodes).
    pub fn for_paths(h: &Heap, locs: &Locations) -> Explainer {
        Self::dial(h, locs, false)
    }

    /// The edges of the cheapest paths, by node.
    /// Panics on an explainer built [`Explainer::for_paths`].
    pub fn parents(&self) -> &[u32] {
        assert_eq!(self.parent.len(), self.cost.len(), "built without parents");
        &self.parent
    }

    fn dial(h: &Heap, locs: &Locations, parents: bool) -> Explainer {
        let s = &h.snap;
        let n = s.node_count();
        let noise = noise(h, locs);
        let mut cost = vec![NONE; n];
        let mut parent = vec![NONE; if parents { n } else { 0 }];
        // Dial's algorithm: hop costs are small integers, so a ring of buckets replaces a heap.
        const RING: usize = 32;
        let mut ring: Vec<Vec<u32>> = vec![Vec::new(); RING];
        let mut pending = 0usize;
        cost[s.root as usize] = 0;
        for e in s.edges(s.root) {
            let t = s.edge_to[e];
            let c = start_cost(h, t);
            if c < cost[t as usize] {
                cost[t as usize] = c;
                ring[c as usize % RING].push(t);
                pending += 1;
            }
        }
        let mut d = 0u32;
        while pending > 0 {
            let bucket = std::mem::take(&mut ring[d as usize % RING]);
            pending -= bucket.len();
            for &o in &bucket {
                if cost[o as usize] != d {
                    continue;
                }
                for e in s.edges(o) {
                    let Some(c) = hop_cost(h, &noise, o, e) else {
                        continue;
                    };
                    let t = s.edge_to[e] as usize;
                    if d + c < cost[t] {
                        cost[t] = d + c;
                        if parents {
                            parent[t] = e as u32;
                        }
                        ring[(d + c) as usize % RING].push(t as u32);
                        pending += 1;
                    }
                }
            }
            d += 1;
        }
        Explainer {
            noise,
            cost,
            parent,
        }
    }

    /// The cheapest path to `o` (None when no path from a root reaches it).
    pub fn best_path(&self, h: &Heap, o: u32) -> Option<RetainingPath> {
        if self.cost[o as usize] == NONE || o == h.snap.root {
            return None;
        }
        let parent = self.parents();
        let mut hops = Vec::new();
        let mut cur = o;
        while parent[cur as usize] != NONE && hops.len() < 10_000 {
            let e = parent[cur as usize];
            let from = edge_source(h, e);
            hops.push(Hop { from, edge: e });
            cur = from;
        }
        hops.reverse();
        Some(RetainingPath { hops, target: o })
    }

    /// What a hop means as a reason, when it is one: a variable or a property of a user
    /// object that holds a user object or an array. Elements are not reasons of their own (the
    /// array's variable is), and a global's property that leads into the runtime is the
    /// runtime's reason, not the user's.
    pub fn reason(&self, h: &Heap, hop: &Hop) -> Option<u32> {
        let s = &h.snap;
        let e = hop.edge as usize;
        let to = s.edge_to[e] as usize;
        let user = self.noise[hop.from as usize] == USER
            && s.ntype(hop.from) != NodeType::SYNTHETIC
            && matches!(s.edge_type[e], EdgeType::CONTEXT | EdgeType::PROPERTY)
            && self.noise[to] <= ARRAY;
        user.then_some(hop.edge)
    }
}

impl Explainer {
    /// The path's reason: its last hop that is a variable or property of a user object.
    pub fn last_reason(&self, h: &Heap, path: &RetainingPath) -> Option<Hop> {
        path.hops
            .iter()
            .rev()
            .find(|hop| self.reason(h, hop).is_some())
            .copied()
    }
}

/// The node an edge leaves.
pub fn edge_source(h: &Heap, e: u32) -> u32 {
    let f = &h.snap.first_edge;
    (f.partition_point(|&x| x <= e) - 1) as u32
}

/// One partial path, grown backwards from the target.
struct Partial {
    node: u32,
    edge: u32,
    parent: u32,
    /// Cost from `node` down to the target.
    g: u32,
    /// The edge of the last user-level step (nearest the target) once the path has one.
    key: u32,
    /// A complete path: `node` is held by the root.
    done: bool,
}

/// Up to `k` retaining paths to `target`, cheapest first, each with a different last
/// user-level step (paths that differ only nearer the root explain nothing new).
pub fn explaining_paths(h: &Heap, ex: &Explainer, target: u32, k: usize) -> Vec<RetainingPath> {
    let s = &h.snap;
    if ex.cost[target as usize] == NONE || target == s.root {
        return Vec::new();
    }
    let mut arena = vec![Partial {
        node: target,
        edge: NONE,
        parent: NONE,
        g: 0,
        key: NONE,
        done: false,
    }];
    let mut queue = BinaryHeap::new();
    queue.push(Reverse((ex.cost[target as usize], 0u32)));
    let mut keys: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    let mut expansions = 0usize;
    while let Some(Reverse((_, idx))) = queue.pop() {
        if out.len() >= k || expansions > 200_000 {
            break;
        }
        expansions += 1;
        let p = &arena[idx as usize];
        if p.key != NONE && keys.contains(&p.key) {
            continue;
        }
        if p.done {
            keys.push(p.key);
            out.push(collect(&arena, idx, target));
            continue;
        }
        let (node, g, key) = (p.node, p.g, p.key);
        for r in h.retainers.list(s, node) {
            let e = r.edge as usize;
            let from = r.from;
            if from == s.root {
                let mut done = Partial {
                    node,
                    edge: NONE,
                    parent: idx,
                    g: g + start_cost(h, node),
                    key,
                    done: true,
                };
                if done.key == NONE {
                    // No user-level reason at all: the runtime holds it. One such path
                    // is enough, whichever runtime function it starts from.
                    done.key = RUNTIME_REASON;
                }
                queue.push(Reverse((done.g, arena.len() as u32)));
                arena.push(done);
                continue;
            }
            let Some(c) = hop_cost(h, &ex.noise, from, e) else {
                continue;
            };
            if ex.cost[from as usize] == NONE || on_path(&arena, idx, from) {
                continue;
            }
            let hop = Hop { from, edge: r.edge };
            let key = match key {
                NONE => ex.reason(h, &hop).unwrap_or(NONE),
                k => k,
            };
            let g = g + c;
            queue.push(Reverse((g + ex.cost[from as usize], arena.len() as u32)));
            arena.push(Partial {
                node: from,
                edge: r.edge,
                parent: idx,
                g,
                key,
                done: false,
            });
        }
    }
    out
}

fn on_path(arena: &[Partial], mut idx: u32, node: u32) -> bool {
    while idx != NONE {
        let p = &arena[idx as usize];
        if p.node == node {
            return true;
        }
        idx = p.parent;
    }
    false
}

/// The hops of a complete partial path, from the root's child down to the target.
fn collect(arena: &[Partial], done: u32, target: u32) -> RetainingPath {
    let mut hops = Vec::new();
    let mut cur = arena[done as usize].parent;
    while cur != NONE {
        let p = &arena[cur as usize];
        if p.edge != NONE {
            hops.push(Hop {
                from: p.node,
                edge: p.edge,
            });
        }
        cur = p.parent;
    }
    // Partials are linked from the outermost node back to the target: hops are already
    // in root-to-target order.
    RetainingPath { hops, target }
}
