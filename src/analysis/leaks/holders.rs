//! Where objects accumulate. A leak builds up in one place: a Map, an array, an object used
//! as a map, a listener list, the timer list, a scope. Two walks find it per object:
//!
//! - [`Tops`]: an object owned by a new object (its strings, arrays, model) belongs to the
//!   topmost new object above it in the dominator tree, so it joins that object's row.
//! - [`HolderWalk`]: from a top object up its explaining path (the one the words and the
//!   graph use), through new objects and backing stores, to the first object that is
//!   neither: where the growth attaches to the heap that was already there (Eclipse MAT's
//!   accumulation point, found by time rather than by size).
//!
//! Both memoise per node, so a series of N objects in a linked list or a closure chain costs
//! O(N), not O(N²).

use crate::analysis::Heap;
use crate::analysis::explain::{Explainer, edge_source};
use crate::snapshot::NodeType;

pub const NONE: u32 = u32::MAX;
const UNSET: u64 = u64::MAX;

/// Which objects are new in a snapshot of a series: allocated after its first snapshot. V8
/// numbers heap objects with odd ids as a snapshot first sees them, so an odd id above every
/// odd id of the first snapshot is a new object. Embedder objects (even ids, which Node and
/// Blink may derive from addresses) are new when the first snapshot lacks their id.
#[derive(Clone, Debug)]
pub struct Since {
    max_odd: u32,
    /// The first snapshot's even ids, sorted.
    even: std::sync::Arc<Vec<u32>>,
    /// Everything is new (to walk whole dominator subtrees).
    all_new: bool,
}

impl Since {
    pub fn first_snapshot(h: &Heap) -> Since {
        let ids = &h.snap.node_id;
        let max_odd = ids
            .iter()
            .copied()
            .filter(|i| i & 1 == 1)
            .max()
            .unwrap_or(0);
        let mut even: Vec<u32> = ids.iter().copied().filter(|i| i & 1 == 0).collect();
        even.sort_unstable();
        Since {
            max_odd,
            even: std::sync::Arc::new(even),
            all_new: false,
        }
    }
    /// Every object but the root counts as new (to walk whole dominator subtrees).
    pub fn everything() -> Since {
        Since {
            max_odd: 0,
            even: Default::default(),
            all_new: true,
        }
    }
    #[inline]
    pub fn is_new(&self, h: &Heap, o: u32) -> bool {
        let id = h.snap.node_id[o as usize];
        if self.all_new {
            return true;
        }
        if id & 1 == 1 {
            id > self.max_odd
        } else {
            self.even.binary_search(&id).is_err()
        }
    }
}

/// Which code made an object: its constructor's (or a closure's own) position, packed; 0
/// when the snapshot has none. Minifiers give many classes one short name (`n`), so a class
/// is its name and this.
#[inline]
pub fn code_key(h: &Heap, o: u32) -> u64 {
    match h.snap.location(o) {
        Some(l) => {
            ((l.script_id as u64 & 0xffff) << 48)
                | ((l.line as u64 & 0xf_ffff) << 28)
                | (l.column as u64 & 0xfff_ffff)
        }
        None => 0,
    }
}

/// Backing stores (elements, properties, hash tables): they are replaced as a collection
/// grows, so they are new without being what leaked, and a path goes through them to the
/// collection that owns them.
#[inline]
pub fn is_storage(h: &Heap, o: u32) -> bool {
    h.snap.ntype(o) == NodeType::ARRAY
}

/// The topmost new object above each new object in the dominator tree (backing stores are
/// never tops), memoised. Old objects are their own tops.
pub struct Tops<'a> {
    h: &'a Heap,
    since: Since,
    memo: Vec<u32>,
}

impl<'a> Tops<'a> {
    pub fn new(h: &'a Heap, since: Since) -> Tops<'a> {
        Tops {
            h,
            since,
            memo: vec![UNSET as u32; h.node_count()],
        }
    }

    /// The top of `o`, or NONE for a new backing store no new object owns.
    pub fn of(&mut self, o: u32) -> u32 {
        let h = self.h;
        if !self.since.is_new(h, o) {
            return o;
        }
        let mut chain = Vec::new();
        let mut cur = o;
        // Walk up while the dominator is new; the answer is the topmost non-storage node.
        let mut top = loop {
            let m = self.memo[cur as usize];
            if m != UNSET as u32 {
                break m;
            }
            chain.push(cur);
            let d = h.idom[cur as usize];
            if d == cur || d == h.snap.root || !self.since.is_new(h, d) {
                break NONE;
            }
            cur = d;
        };
        // `chain` runs from `o` upwards: fill the memo from the top down.
        for &x in chain.iter().rev() {
            if top == NONE && !is_storage(h, x) {
                top = x;
            }
            self.memo[x as usize] = top;
        }
        self.memo[o as usize]
    }
}

/// Where a top object is held: the first object up its explaining path that the walk does
/// not pass through, and the edge that leaves it towards the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeldBy {
    /// The holder's ordinal, or NONE when the path starts at the object (a GC root's child).
    pub holder: u32,
    /// The edge out of the holder on the path, or NONE.
    pub edge: u32,
}

/// The holder walk, memoised per node: up the explaining path (the words' holder), or up
/// the dominator tree (a row's identity: every snapshot has its dominators already, while
/// an explaining path costs a pass of its own).
pub struct HolderWalk<'a> {
    h: &'a Heap,
    /// Explaining-path parent edges, or None to walk the dominator tree.
    parent: Option<&'a [u32]>,
    /// The walk goes through new objects, backing stores and objects of the start's class.
    since: Since,
    memo: Vec<u64>,
}

fn pack(b: HeldBy) -> u64 {
    ((b.holder as u64) << 32) | b.edge as u64
}

fn unpack(v: u64) -> HeldBy {
    HeldBy {
        holder: (v >> 32) as u32,
        edge: v as u32,
    }
}

impl<'a> HolderWalk<'a> {
    pub fn new(h: &'a Heap, explainer: &'a Explainer, since: Since) -> HolderWalk<'a> {
        HolderWalk {
            h,
            parent: Some(explainer.parents()),
            since,
            memo: vec![UNSET; h.node_count()],
        }
    }

    pub fn by_dominators(h: &'a Heap, since: Since) -> HolderWalk<'a> {
        HolderWalk {
            h,
            parent: None,
            since,
            memo: vec![UNSET; h.node_count()],
        }
    }

    /// The next node up, and the edge from it (NONE on the dominator tree); None at the top.
    fn up(&self, o: u32) -> Option<(u32, u32)> {
        match self.parent {
            Some(parent) => {
                let e = parent[o as usize];
                (e != NONE).then(|| (edge_source(self.h, e), e))
            }
            None => {
                let d = self.h.idom[o as usize];
                (d != o).then_some((d, NONE))
            }
        }
    }

    fn passes(&self, p: u32, start_class: u32) -> bool {
        let h = self.h;
        if p == h.snap.root || h.snap.ntype(p) == NodeType::SYNTHETIC {
            return false;
        }
        // Objects of the start's class too: old links of a linked list (Node's timers are
        // chained both ways through `_idleNext` and `_idlePrev`).
        is_storage(h, p) || self.since.is_new(h, p) || h.class[p as usize] == start_class
    }

    /// Where `o` is held.
    pub fn of(&mut self, o: u32) -> HeldBy {
        let start_class = self.h.class[o as usize];
        let mut chain = Vec::new();
        let mut cur = o;
        let found = loop {
            let m = self.memo[cur as usize];
            if m != UNSET {
                break m;
            }
            chain.push(cur);
            let Some((p, e)) = self.up(cur) else {
                break pack(HeldBy {
                    holder: NONE,
                    edge: NONE,
                });
            };
            if !self.passes(p, start_class) {
                break pack(HeldBy { holder: p, edge: e });
            }
            cur = p;
        };
        for &x in &chain {
            self.memo[x as usize] = found;
        }
        unpack(found)
    }
}
