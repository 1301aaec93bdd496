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
use crate::snapshot::{EdgeType, NodeType, Snapshot};
use crate::util::BitVec;
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
    noise: Noise,
    /// Per node: the cheapest cost of a path from the root (u32::MAX when unreachable).
    cost: Costs,
    /// Per node: the edge (ordinal) of that path into it, or u32::MAX; empty when built
    /// for explaining paths only ([`Explainer::for_paths`]), which need only the costs.
    parent: Vec<u32>,
}

/// Per-node noise in a bit a node: what a node's type says, except runtime scopes and
/// objects (a bit each) and global objects (a short list). A byte a node held 10 MiB for as
/// long as a 1 GB snapshot was open in the window.
struct Noise {
    /// Nodes whose type makes them the user's but whose script is the runtime's.
    runtime: BitVec,
    /// The root's children that are user roots (global objects), sorted: always the user's.
    globals: Vec<u32>,
}

impl Noise {
    /// Runtime scripts (`node:`, `internal/`, `extensions::`) and their scopes and objects
    /// count as internals, as do code, hidden and internal arrays.
    fn build(h: &Heap, locs: &Locations) -> Noise {
        let s = &h.snap;
        let n = s.node_count();
        let mut runtime = BitVec::new(n);
        for o in 0..n as u32 {
            if by_type(s, o) == USER
                && locs.is_scope(s, o)
                && locs
                    .scope_script(h, o)
                    .is_some_and(|n| is_runtime_script(&n))
            {
                runtime.set(o as usize);
            }
        }
        let mut script_names: Vec<(u32, bool)> = Vec::new();
        for &(o, l) in &s.locations {
            if by_type(s, o) == USER && runtime_id(s, locs, &mut script_names, l.script_id) {
                runtime.set(o as usize);
            }
        }
        // Global objects are where users read paths from, whoever constructed them.
        let mut globals: Vec<u32> = s
            .edges(s.root)
            .map(|e| s.edge_to[e])
            .filter(|&t| super::flags::is_user_root(s, t))
            .collect();
        globals.sort_unstable();
        globals.dedup();
        Noise { runtime, globals }
    }

    fn of(&self, s: &Snapshot, o: u32) -> u8 {
        if self.globals.binary_search(&o).is_ok() {
            USER
        } else if self.runtime.get(o as usize) {
            RUNTIME
        } else {
            by_type(s, o)
        }
    }
}

/// A node's noise by its type alone.
fn by_type(s: &Snapshot, o: u32) -> u8 {
    match s.ntype(o) {
        NodeType::CODE => CODE,
        NodeType::HIDDEN => HIDDEN,
        NodeType::ARRAY if s.raw_name(o) == "(internal array)" => INTERNAL_ARRAY,
        NodeType::ARRAY => ARRAY,
        _ => USER,
    }
}

/// Whether script `id` is the runtime's, remembered by id.
fn runtime_id(s: &Snapshot, locs: &Locations, known: &mut Vec<(u32, bool)>, id: u32) -> bool {
    match known.binary_search_by_key(&id, |p| p.0) {
        Ok(i) => known[i].1,
        Err(i) => {
            let r = is_runtime_script(&locs.script_name(s, id));
            known.insert(i, (id, r));
            r
        }
    }
}

/// Dial's algorithm: hop costs are small integers, so a ring of buckets by cost replaces a
/// heap. Each bucket is a list of fixed-size chunks, each freed once its nodes are relaxed:
/// one vector a bucket, doubling as it grows and dropped whole, keeps up to twice what waits
/// (on the 1 GB file up to 2.5M nodes wait at once).
struct Ring {
    buckets: Vec<Vec<Vec<u32>>>,
    pending: usize,
}

/// Above any hop's cost (1 + 6 for a shortcut + 8 for code), so a bucket is never pushed to
/// while it is being taken.
const RING: usize = 32;
/// Nodes a chunk: 256 KiB, above glibc's mmap threshold, so a freed chunk leaves the process.
const CHUNK: usize = 1 << 16;

impl Ring {
    fn new() -> Ring {
        Ring {
            buckets: vec![Vec::new(); RING],
            pending: 0,
        }
    }

    fn push(&mut self, cost: u32, o: u32) {
        let bucket = &mut self.buckets[cost as usize % RING];
        match bucket.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk.push(o),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(o);
                bucket.push(chunk);
            }
        }
        self.pending += 1;
    }

    /// The nodes pushed at `cost`, in the order they were pushed.
    fn take(&mut self, cost: u32) -> Vec<Vec<u32>> {
        let bucket = std::mem::take(&mut self.buckets[cost as usize % RING]);
        self.pending -= bucket.iter().map(Vec::len).sum::<usize>();
        bucket
    }
}

/// Per-node costs in a byte, a page of nodes at a time widened to four bytes once one of
/// its costs reaches 255 (a path of dozens of costly hops). Four bytes a node held 42 MiB
/// for as long as a 1 GB snapshot was open in the window; at worst, every page wide, this
/// holds five.
struct Costs {
    /// Per node, below 255; `u8::MAX` when unreachable or when its page is wide.
    small: Vec<u8>,
    /// Per page of `PAGE` nodes: its costs in full, once one did not fit a byte.
    wide: Vec<Option<Box<[u32]>>>,
}

const PAGE_BITS: u32 = 12;
const PAGE: usize = 1 << PAGE_BITS;

impl Costs {
    fn new(n: usize) -> Costs {
        Costs {
            small: vec![u8::MAX; n],
            wide: vec![None; n.div_ceil(PAGE)],
        }
    }

    #[inline]
    fn get(&self, o: u32) -> u32 {
        match &self.wide[(o >> PAGE_BITS) as usize] {
            Some(page) => page[o as usize % PAGE],
            None => match self.small[o as usize] {
                u8::MAX => NONE,
                c => c as u32,
            },
        }
    }

    #[inline]
    fn set(&mut self, o: u32, c: u32) {
        let p = (o >> PAGE_BITS) as usize;
        if self.wide[p].is_none() && c < u8::MAX as u32 {
            self.small[o as usize] = c as u8;
            return;
        }
        let small = &self.small;
        let page = self.wide[p].get_or_insert_with(|| {
            let bytes = small[p * PAGE..small.len().min((p + 1) * PAGE)].iter();
            let mut page: Vec<u32> = bytes
                .map(|&b| if b == u8::MAX { NONE } else { b as u32 })
                .collect();
            page.resize(PAGE, NONE);
            page.into_boxed_slice()
        });
        page[o as usize % PAGE] = c;
    }
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

/// The cost of hop `e` out of a node of noise `from_noise`.
fn hop_cost(h: &Heap, from_noise: u8, e: usize) -> Option<u32> {
    Some(1 + edge_cost(h, e)? + from_noise as u32)
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
        assert_eq!(
            self.parent.len(),
            self.cost.small.len(),
            "built without parents"
        );
        &self.parent
    }

    fn dial(h: &Heap, locs: &Locations, parents: bool) -> Explainer {
        let s = &h.snap;
        let n = s.node_count();
        let noise = Noise::build(h, locs);
        let mut cost = Costs::new(n);
        let mut parent = vec![NONE; if parents { n } else { 0 }];
        let mut ring = Ring::new();
        cost.set(s.root, 0);
        for e in s.edges(s.root) {
            let t = s.edge_to[e];
            let c = start_cost(h, t);
            if c < cost.get(t) {
                cost.set(t, c);
                ring.push(c, t);
            }
        }
        let mut d = 0u32;
        while ring.pending > 0 {
            for chunk in ring.take(d) {
                for o in chunk {
                    if cost.get(o) != d {
                        continue;
                    }
                    let w = noise.of(s, o);
                    for e in s.edges(o) {
                        let Some(c) = hop_cost(h, w, e) else {
                            continue;
                        };
                        let t = s.edge_to[e];
                        if d + c < cost.get(t) {
                            cost.set(t, d + c);
                            if parents {
                                parent[t as usize] = e as u32;
                            }
                            ring.push(d + c, t);
                        }
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
        if self.cost.get(o) == NONE || o == h.snap.root {
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
        let to = s.edge_to[e];
        let user = self.noise.of(s, hop.from) == USER
            && s.ntype(hop.from) != NodeType::SYNTHETIC
            && matches!(s.edge_type[e], EdgeType::CONTEXT | EdgeType::PROPERTY)
            && self.noise.of(s, to) <= ARRAY;
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
    if ex.cost.get(target) == NONE || target == s.root {
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
    queue.push(Reverse((ex.cost.get(target), 0u32)));
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
            let Some(c) = hop_cost(h, ex.noise.of(s, from), e) else {
                continue;
            };
            let from_cost = ex.cost.get(from);
            if from_cost == NONE || on_path(&arena, idx, from) {
                continue;
            }
            let hop = Hop { from, edge: r.edge };
            let key = match key {
                NONE => ex.reason(h, &hop).unwrap_or(NONE),
                k => k,
            };
            let g = g + c;
            queue.push(Reverse((g + from_cost, arena.len() as u32)));
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

#[cfg(test)]
mod tests {
    use super::{Costs, NONE};

    #[test]
    fn costs_beyond_a_byte_widen_their_page_and_stay_exact() {
        let n = super::PAGE + 10;
        let mut c = Costs::new(n);
        assert_eq!(c.get(0), NONE);
        c.set(0, 254);
        c.set(1, 3);
        assert_eq!((c.get(0), c.get(1)), (254, 3));
        assert!(c.wide.iter().all(Option::is_none));
        c.set(2, 70_000);
        assert!(c.wide[0].is_some() && c.wide[1].is_none());
        assert_eq!(
            (c.get(0), c.get(1), c.get(2), c.get(3)),
            (254, 3, 70_000, NONE)
        );
        c.set(2, 12);
        c.set(0, 0);
        assert_eq!((c.get(0), c.get(2)), (0, 12));
        let last = n as u32 - 1;
        c.set(last, 255);
        assert_eq!((c.get(last), c.get(last - 1)), (255, NONE));
    }
}
