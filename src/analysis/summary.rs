//! The Summary view: objects grouped by class key with count, min distance, shallow sum and
//! the retained size of each class's topmost members in the dominator tree.

use super::Heap;
use super::dominators::DominatorTree;
use super::retained::RetainedSizes;
use crate::snapshot::{NodeType, Snapshot};
use crate::util::BitVec;
use rustc_hash::FxHashMap;
use std::collections::HashMap;

#[derive(Clone, Debug, serde::Serialize)]
pub struct ClassAggregate {
    /// DevTools' public class key: `,Name`, or `script,line,col,Name` for located objects.
    pub key: String,
    pub name: String,
    pub count: u64,
    /// Minimum member distance (DevTools' internal value; see `distances`).
    pub distance: i32,
    pub shallow_size: u64,
    pub retained_size: u64,
    /// Member node ordinals, ascending.
    #[serde(skip)]
    pub members: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl ClassAggregate {
    fn new(key: String, name: &str, distance: i32) -> Self {
        ClassAggregate {
            key,
            name: name.to_string(),
            count: 0,
            distance,
            shallow_size: 0,
            retained_size: 0,
            members: Vec::new(),
        }
    }
}

/// Aggregates every node passing `filter` (None: all objects) with non-zero shallow size.
/// Rows come in DevTools' map order (first appearance); rows whose public keys collide
/// overwrite each other as DevTools' record does. The unfiltered rows were made on load.
pub fn aggregates(h: &Heap, filter: Option<&BitVec>) -> Vec<ClassAggregate> {
    match (filter, &h.summary) {
        (None, Some(rows)) => rows.clone(),
        _ => aggregates_with_classes(h, &h.class, &[], filter),
    }
}

/// Aggregates with a given class per node; class indexes past the string table name
/// `extra[c - strings.len()]` (interface names not appended to this snapshot).
pub fn aggregates_with_classes(
    h: &Heap,
    class: &[u32],
    extra: &[String],
    filter: Option<&BitVec>,
) -> Vec<ClassAggregate> {
    let cols = Columns {
        shallow: &h.shallow,
        class,
        filter,
    };
    group(&h.snap, &h.distance, cols, extra).finish(&h.snap, cols, &h.dominator_tree, &h.retained)
}

/// The per-node columns that say which row a node falls in: grouping and finishing must
/// be given the same.
#[derive(Clone, Copy)]
pub struct Columns<'a> {
    pub shallow: &'a [u32],
    pub class: &'a [u32],
    /// Nodes to aggregate (None: all objects).
    pub filter: Option<&'a BitVec>,
}

impl<'a> Columns<'a> {
    /// Every object's columns, unfiltered.
    pub fn all(shallow: &'a [u32], class: &'a [u32]) -> Self {
        Columns {
            shallow,
            class,
            filter: None,
        }
    }
}

/// Objects grouped by class key with everything but the retained sizes (which need the
/// dominator tree): it can be made while dominators are still being computed. It holds no
/// column per node (the row of a node is worked out again from its class and location
/// when needed), so that it costs no memory at the load's peak.
pub struct Grouping {
    aggs: Vec<ClassAggregate>,
    rows: Rows,
}

/// Which row each node falls in: by class, or for objects with a location by that location
/// entry (found by rank in a bitmap of located ordinals).
struct Rows {
    of_class: FxHashMap<u32, u32>,
    /// Row of each `s.locations` entry that is an aggregated object's (else NONE).
    of_location: Vec<u32>,
    /// One bit per node: has a location entry.
    located: Vec<u64>,
    /// Located ordinals before each 64-node word of `located`.
    rank: Vec<u32>,
}

impl Rows {
    fn new(s: &Snapshot) -> Self {
        let n = s.node_count();
        let mut located = vec![0u64; n.div_ceil(64)];
        for &(o, _) in &s.locations {
            located[o as usize >> 6] |= 1 << (o & 63);
        }
        let mut rank = Vec::with_capacity(located.len());
        let mut acc = 0u32;
        for w in &located {
            rank.push(acc);
            acc += w.count_ones();
        }
        Rows {
            of_class: FxHashMap::default(),
            of_location: vec![NONE; s.locations.len()],
            located,
            rank,
        }
    }

    /// The index in `s.locations` of `o`'s entry, if it has one.
    #[inline]
    fn location_index(&self, o: u32) -> Option<usize> {
        let (w, b) = (o as usize >> 6, o & 63);
        let word = self.located[w];
        (word >> b & 1 != 0)
            .then(|| (self.rank[w] + (word & ((1u64 << b) - 1)).count_ones()) as usize)
    }

    #[inline]
    fn row_of(&self, s: &Snapshot, c: Columns<'_>, o: u32) -> u32 {
        if c.shallow[o as usize] == 0 || c.filter.is_some_and(|f| !f.get(o as usize)) {
            return NONE;
        }
        if s.ntype(o) == NodeType::OBJECT
            && let Some(i) = self.location_index(o)
        {
            return self.of_location[i];
        }
        self.of_class
            .get(&c.class[o as usize])
            .copied()
            .unwrap_or(NONE)
    }
}

pub fn group(s: &Snapshot, distance: &[i32], c: Columns<'_>, extra: &[String]) -> Grouping {
    let n = s.node_count();
    let base = s.strings.len();
    let text = |c: u32| -> &str {
        if (c as usize) < base {
            s.strings.get(c)
        } else {
            extra.get(c as usize - base).map_or("", |t| t.as_str())
        }
    };
    let mut rows = Rows::new(s);
    let mut slot_of_located: HashMap<String, u32> = HashMap::new();
    let mut aggs: Vec<ClassAggregate> = Vec::new();
    // Looked up once per located object: a fast hash matters.
    let mut slot_of_tuple: FxHashMap<(u32, u32, u32, u32), u32> = FxHashMap::default();
    for o in 0..n as u32 {
        let size = c.shallow[o as usize];
        if size == 0 || c.filter.is_some_and(|f| !f.get(o as usize)) {
            continue;
        }
        let cl = c.class[o as usize];
        let d = distance[o as usize];
        let located = match s.ntype(o) {
            NodeType::OBJECT => rows.location_index(o),
            _ => None,
        };
        let slot = match located {
            None => *rows.of_class.entry(cl).or_insert_with(|| {
                aggs.push(ClassAggregate::new(format!(",{}", text(cl)), text(cl), d));
                aggs.len() as u32 - 1
            }),
            // Located keys: numbers first; the text key (which merges equal class names) is
            // built once per distinct (location, class).
            Some(i) => {
                let l = s.locations[i].1;
                let tuple = (l.script_id, l.line, l.column, cl);
                let slot = match slot_of_tuple.get(&tuple) {
                    Some(&slot) => slot,
                    None => {
                        let key = format!("{},{},{},{}", l.script_id, l.line, l.column, text(cl));
                        let slot = *slot_of_located.entry(key.clone()).or_insert_with(|| {
                            aggs.push(ClassAggregate::new(key, text(cl), d));
                            aggs.len() as u32 - 1
                        });
                        slot_of_tuple.insert(tuple, slot);
                        slot
                    }
                };
                rows.of_location[i] = slot;
                slot
            }
        };
        let a = &mut aggs[slot as usize];
        a.count += 1;
        a.distance = a.distance.min(d);
        a.shallow_size += size as u64;
    }
    Grouping { aggs, rows }
}

impl Grouping {
    /// Adds each class's retained size and folds rows with equal public keys. `c` must be
    /// the columns the grouping was made from.
    pub fn finish(
        self,
        s: &Snapshot,
        c: Columns<'_>,
        tree: &DominatorTree,
        retained: &RetainedSizes,
    ) -> Vec<ClassAggregate> {
        let Grouping { mut aggs, rows } = self;
        // Members (ascending, each list sized exactly: growing them one push at a time
        // while grouping held up to twice the memory through the dominator pass) on one
        // core; the retained sizes on the other.
        let k = aggs.len();
        let root = s.root;
        let row_of = |o: u32| rows.row_of(s, c, o);
        let (_, sums) = rayon::join(
            || {
                for a in aggs.iter_mut() {
                    a.members = Vec::with_capacity(a.count as usize);
                }
                for o in 0..s.node_count() as u32 {
                    let slot = row_of(o);
                    if slot != NONE {
                        aggs[slot as usize].members.push(o);
                    }
                }
            },
            || topmost_retained(tree, retained, &row_of, root, k),
        );
        for (a, sum) in aggs.iter_mut().zip(sums) {
            a.retained_size += sum;
        }

        // Public keys: a later class with the same public key replaces the earlier one in place.
        let mut by_public: HashMap<String, usize> = HashMap::new();
        let mut out: Vec<ClassAggregate> = Vec::with_capacity(aggs.len());
        for a in aggs {
            match by_public.get(&a.key) {
                Some(&i) => out[i] = a,
                None => {
                    by_public.insert(a.key.clone(), out.len());
                    out.push(a);
                }
            }
        }
        out
    }
}

/// Per row, the retained sizes of its topmost members: those with no member of the same
/// row above them in the dominator tree. The root's subtrees are walked in parallel (the
/// sums do not depend on the order); in each walk a row stays "seen" while one of its
/// members is on the path.
fn topmost_retained(
    tree: &DominatorTree,
    retained: &RetainedSizes,
    row_of: &(impl Fn(u32) -> u32 + Sync),
    root: u32,
    k: usize,
) -> Vec<u64> {
    use rayon::prelude::*;
    let mut sums = vec![0u64; k];
    let root_slot = row_of(root);
    let children = tree.of(root);
    // The root counts for its row, which is then seen on every path below it.
    let mut seen_below_root = None;
    if root_slot != NONE {
        sums[root_slot as usize] += retained.get(root);
        if !children.is_empty() {
            seen_below_root = Some(root_slot);
        }
    }
    let walk = |mut st: Walk, start: u32| {
        st.list.push(start);
        while let Some(o) = st.list.pop() {
            let slot = row_of(o);
            let below = tree.of(o);
            if slot != NONE && !st.seen[slot as usize] {
                st.sums[slot as usize] += retained.get(o);
                if !below.is_empty() {
                    st.seen[slot as usize] = true;
                    st.sizes.push(st.list.len());
                    st.keys.push(slot);
                }
            }
            st.list.extend_from_slice(below);
            while st.sizes.last() == Some(&st.list.len()) {
                st.sizes.pop();
                if let Some(key) = st.keys.pop() {
                    st.seen[key as usize] = false;
                }
            }
        }
        st
    };
    let new_walk = || {
        let mut seen = vec![false; k];
        if let Some(r) = seen_below_root {
            seen[r as usize] = true;
        }
        Walk {
            sums: vec![0; k],
            seen,
            list: Vec::new(),
            sizes: Vec::new(),
            keys: Vec::new(),
        }
    };
    let below: Vec<u64> = children
        .par_iter()
        .with_min_len(64)
        .fold(new_walk, |st, &c| walk(st, c))
        .map(|st| st.sums)
        .reduce(
            || vec![0; k],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    for (x, y) in sums.iter_mut().zip(below) {
        *x += y;
    }
    sums
}

/// One walker's state in [`topmost_retained`].
struct Walk {
    sums: Vec<u64>,
    seen: Vec<bool>,
    list: Vec<u32>,
    sizes: Vec<usize>,
    keys: Vec<u32>,
}

/// Sorts rows as the Summary grid does by default: retained size descending, then name.
pub fn sort_by_retained(rows: &mut [ClassAggregate]) {
    rows.sort_by(|a, b| {
        b.retained_size
            .cmp(&a.retained_size)
            .then_with(|| crate::util::js_cmp(&a.name, &b.name))
    });
}
