//! Which edges count for dominators: not weak, not self edges, not shortcuts (except from the
//! root), not the table half of a WeakMap pair, and not from non-page objects into page
//! objects (so objects also held by the debugger are attributed to the page).

use super::flags::PAGE_OBJECT;
use super::weakmap::Ephemerons;
use crate::snapshot::{EdgeType, Snapshot};
use crate::util::BitVec;
use rayon::prelude::*;

/// `flags` may be None when no node can be page-owned ([`super::flags::has_page_roots`]).
pub fn essential_edges(s: &Snapshot, flags: Option<&[u8]>, eph: &Ephemerons) -> BitVec {
    // Node.js snapshots have no page objects and most have no WeakMap pairs: the rules
    // that need them are compiled out of the loop when they cannot apply.
    let pages = flags.is_some_and(|f| f.iter().any(|&f| f & PAGE_OBJECT != 0));
    let flags = flags.unwrap_or(&[]);
    let pairs = eph.pair_count > 0;
    match (pages, pairs) {
        (false, false) => edges_where(s, |src, e| {
            is_essential::<false, false>(s, flags, eph, src, e)
        }),
        (true, false) => edges_where(s, |src, e| {
            is_essential::<true, false>(s, flags, eph, src, e)
        }),
        (false, true) => edges_where(s, |src, e| {
            is_essential::<false, true>(s, flags, eph, src, e)
        }),
        (true, true) => edges_where(s, |src, e| {
            is_essential::<true, true>(s, flags, eph, src, e)
        }),
    }
}

/// One bit per edge: `keep(source, edge)`, in one pass over the nodes (edges in order).
fn edges_where(s: &Snapshot, keep: impl Fn(u32, usize) -> bool) -> BitVec {
    let m = s.edge_count();
    let mut bits = BitVec::new(m);
    for src in 0..s.node_count() as u32 {
        for e in s.edges(src) {
            if keep(src, e) {
                bits.set(e);
            }
        }
    }
    bits
}

#[inline(always)]
fn is_essential<const PAGES: bool, const PAIRS: bool>(
    s: &Snapshot,
    flags: &[u8],
    eph: &Ephemerons,
    src: u32,
    e: usize,
) -> bool {
    let t = s.edge_type[e];
    if PAIRS
        && t == EdgeType::INTERNAL
        && let Some((_, table)) = eph.get(s.edge_name[e])
        && s.node_id[src as usize] as u64 == table
    {
        return false;
    }
    if t == EdgeType::WEAK {
        return false;
    }
    let to = s.edge_to[e];
    if to == src {
        return false;
    }
    if src != s.root {
        if t == EdgeType::SHORTCUT {
            return false;
        }
        if PAGES {
            let src_page = flags[src as usize] & PAGE_OBJECT != 0;
            let to_page = flags[to as usize] & PAGE_OBJECT != 0;
            if to_page && !src_page {
                return false;
            }
        }
    }
    true
}

/// The essential bit of each retainer slot (the edge a slot stands for is `slot_edge[slot]`).
pub fn slot_essential(essential: &BitVec, slot_edge: &[u32]) -> BitVec {
    let m = slot_edge.len();
    let words: Vec<u64> = slot_edge
        .par_chunks(64)
        .map(|chunk| {
            let mut bits = 0u64;
            for (i, &e) in chunk.iter().enumerate() {
                if essential.get(e as usize) {
                    bits |= 1 << i;
                }
            }
            bits
        })
        .collect();
    BitVec::from_words(words, m)
}
