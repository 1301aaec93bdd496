//! One snapshot, no series: the suspects, as Eclipse MAT's Leak Suspects finds them. Start
//! from the objects that retain a big share of the heap; go down the dominator tree while one
//! child (through backing stores) keeps most of it; where the size spreads over many
//! children is the accumulation point. Its children, grouped by class, are the row.

use super::holders::{HeldBy, NONE, Since, is_storage};
use super::words::{Words, empty_report};
use super::{LeakReport, MemberStat, RawRow, rank};
use crate::analysis::Heap;
use crate::analysis::explain::{Explainer, edge_source};
use crate::analysis::locations::Locations;
use crate::snapshot::{EdgeType, NodeType};
use rustc_hash::FxHashMap;

/// A suspect retains at least this share of the heap (MAT's default is 10 %).
const SUSPECT_SHARE: f64 = 0.05;
/// Going down, a child that keeps this share of its parent is still the same suspect.
const ONE_CHILD_SHARE: f64 = 0.8;
const MAX_SUSPECTS: usize = 10;

/// Dominator children of `o`, looking through backing stores to what they hold.
fn children(h: &Heap, o: u32, out: &mut Vec<u32>) {
    out.clear();
    let mut stack = vec![o];
    while let Some(x) = stack.pop() {
        for &c in h.dominator_tree.of(x) {
            if is_storage(h, c) {
                stack.push(c);
            } else {
                out.push(c);
            }
        }
    }
}

/// From a big object down to where its size spreads out.
fn accumulation_point(h: &Heap, mut cur: u32, kids: &mut Vec<u32>) -> u32 {
    loop {
        children(h, cur, kids);
        let Some(&big) = kids.iter().max_by_key(|&&c| h.retained.get(c)) else {
            return cur;
        };
        if (h.retained.get(big) as f64) < ONE_CHILD_SHARE * h.retained.get(cur) as f64 {
            return cur;
        }
        cur = big;
    }
}

pub fn suspects(h: &Heap, locs: &Locations, ex: &Explainer) -> LeakReport {
    let total = h.retained.get(h.snap.root).max(1);
    let big = |o: u32| h.retained.get(o) as f64 >= SUSPECT_SHARE * total as f64;
    let mut points: Vec<u32> = Vec::new();
    let mut kids = Vec::new();
    for o in 0..h.node_count() as u32 {
        if !big(o) || h.snap.ntype(o) == NodeType::SYNTHETIC || o == h.snap.root {
            continue;
        }
        // Only the top of each chain of big objects starts a descent.
        let d = h.idom[o as usize];
        if d != h.snap.root && h.snap.ntype(d) != NodeType::SYNTHETIC && big(d) {
            continue;
        }
        let p = accumulation_point(h, o, &mut kids);
        if !points.contains(&p) {
            points.push(p);
        }
    }
    let words = Words::new(h, locs, ex);
    let mut report = empty_report(1, h.total_size);
    for p in points {
        if let Some(row) = row_at(h, ex, p) {
            let count = row.count_new;
            report.groups.push(words.group(&row, vec![count]));
        }
    }
    rank(&mut report.groups);
    report.groups.truncate(MAX_SUSPECTS);
    report
}

/// The row of an accumulation point: its children of the class that retains the most.
fn row_at(h: &Heap, ex: &Explainer, p: u32) -> Option<RawRow> {
    let mut kids = Vec::new();
    children(h, p, &mut kids);
    let mut by_class: FxHashMap<u32, u64> = FxHashMap::default();
    for &c in &kids {
        *by_class.entry(h.class[c as usize]).or_default() += h.retained.get(c);
    }
    let (&class, _) = by_class.iter().max_by_key(|&(c, r)| (*r, *c))?;
    let first = *kids.iter().find(|&&c| h.class[c as usize] == class)?;
    // The edge from the point itself, when the explaining path takes it (not through a
    // backing store): a variable or a property names the row.
    let edge = ex.parents()[first as usize];
    let edge = if edge != NONE && edge_source(h, edge) == p {
        edge
    } else {
        NONE
    };
    // A backing store is named by its owner (a Map's table, which a handle may also hold,
    // is dominated by the root rather than by its Map).
    let holder = owner_of_store(h, ex, p);
    let edge = if holder == p { edge } else { NONE };
    let mut row = RawRow::new(h, first, HeldBy { holder, edge }, false);
    for &c in &kids {
        if h.class[c as usize] == class {
            row.add_top(h, c);
        }
    }
    row.members = member_classes(h, &row.tops);
    Some(row)
}

/// The collection a backing store belongs to: the object whose `table`, `elements` or
/// `properties` it is (a Map's table that a handle scope also holds is dominated by the root,
/// and its explaining path may start at the handle); else the first object up its explaining
/// path that is not a backing store.
fn owner_of_store(h: &Heap, ex: &Explainer, p: u32) -> u32 {
    if !is_storage(h, p) {
        return p;
    }
    let s = &h.snap;
    let owner = h.retainers.list(s, p).into_iter().find(|r| {
        s.edge_type[r.edge as usize] == EdgeType::INTERNAL
            && matches!(
                s.edge_str(r.edge as usize),
                Some("table" | "elements" | "properties")
            )
            && !is_storage(h, r.from)
            && s.ntype(r.from) != NodeType::SYNTHETIC
    });
    if let Some(r) = owner {
        return r.from;
    }
    let mut cur = p;
    for _ in 0..8 {
        if !is_storage(h, cur) {
            return cur;
        }
        let e = ex.parents()[cur as usize];
        if e == NONE {
            break;
        }
        cur = edge_source(h, e);
    }
    p
}

/// The classes under the row's objects: count and retained size of each class's topmost.
fn member_classes(h: &Heap, tops: &[u32]) -> Vec<MemberStat> {
    let mut row = RawRow::new(
        h,
        tops[0],
        HeldBy {
            holder: NONE,
            edge: NONE,
        },
        false,
    );
    row.tops = tops.to_vec();
    row.class = h.class[tops[0] as usize];
    super::series::members_of(h, &mut row, &Since::everything());
    row.members
}
