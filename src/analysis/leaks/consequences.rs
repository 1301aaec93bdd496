//! One leak, one row. A component that is never disposed leaks everything it registered:
//! listeners on long-lived emitters, entries in registries, detached DOM, its model. Each of
//! those builds up under its own holder, so it is a row of its own, and a real app's leak
//! becomes hundreds of growing rows. They are consequences: what the leaked component reaches
//! through other new objects. Rows are taken coarsest first (fewest objects added per
//! snapshot, in powers of two, then most bytes): each marks what its objects reach through new objects; a later
//! row whose objects are mostly marked already is folded into the row that marked them.

use super::holders::{NONE, Since};
use super::{RawRow, merge_members};
use crate::analysis::Heap;
use crate::snapshot::EdgeType;

/// A growing row and its counts per snapshot.
pub struct Growing {
    pub row: RawRow,
    pub counts: Vec<u64>,
}

/// How coarse a row is: the objects it adds per interval, in powers of two (a component and
/// its main parts add about as many; 14 tiles for 15 views are the same grain).
fn grain(counts: &[u64]) -> u32 {
    let first = counts.first().copied().unwrap_or(0);
    let last = counts.last().copied().unwrap_or(0);
    let per = last.saturating_sub(first) / (counts.len().max(2) as u64 - 1);
    per.max(1).ilog2()
}

/// Marks with `mark` every unmarked new object reachable from `tops` through new objects
/// (weak edges are not followed: they keep nothing alive).
fn mark_reach(h: &Heap, since: &Since, tops: &[u32], mark: u32, marks: &mut [u32]) {
    let s = &h.snap;
    let mut stack: Vec<u32> = Vec::new();
    for &t in tops {
        if marks[t as usize] == NONE {
            marks[t as usize] = mark;
            stack.push(t);
        }
    }
    while let Some(o) = stack.pop() {
        for e in s.edges(o) {
            if s.edge_type[e] == EdgeType::WEAK {
                continue;
            }
            let t = s.edge_to[e];
            if marks[t as usize] == NONE && since.is_new(h, t) {
                marks[t as usize] = mark;
                stack.push(t);
            }
        }
    }
}

/// Folds each growing row whose objects another, coarser row reaches into that row.
pub fn fold(h: &Heap, since: &Since, rows: Vec<Growing>) -> Vec<Growing> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (&rows[a], &rows[b]);
        grain(&ra.counts)
            .cmp(&grain(&rb.counts))
            .then(rb.row.retained.cmp(&ra.row.retained))
    });
    let mut marks = vec![NONE; h.node_count()];
    // Where each row went: itself, or the row it folds into.
    let mut into: Vec<usize> = (0..rows.len()).collect();
    for &r in &order {
        if rows[r].row.internal {
            // The runtime's objects neither explain nor follow a user's row.
            continue;
        }
        let tops = &rows[r].row.tops;
        let marked: Vec<u32> = tops
            .iter()
            .map(|&t| marks[t as usize])
            .filter(|&m| m != NONE)
            .collect();
        let by = most_common(&marked);
        match by {
            Some((root, n)) if n * 2 > tops.len() => into[r] = into[root as usize],
            _ => mark_reach(h, since, tops, r as u32, &mut marks),
        }
    }
    merge(rows, &into)
}

fn most_common(v: &[u32]) -> Option<(u32, usize)> {
    let mut sorted = v.to_vec();
    sorted.sort_unstable();
    sorted
        .chunk_by(|a, b| a == b)
        .map(|c| (c[0], c.len()))
        .max_by_key(|&(_, n)| n)
}

fn merge(rows: Vec<Growing>, into: &[usize]) -> Vec<Growing> {
    let mut slots: Vec<Option<Growing>> = rows.into_iter().map(Some).collect();
    for r in 0..slots.len() {
        let root = into[r];
        if root == r {
            continue;
        }
        let Some(folded) = slots[r].take() else {
            continue;
        };
        if let Some(target) = slots[root].as_mut() {
            target.row.retained += folded.row.retained;
            target.row.shallow += folded.row.shallow;
            target.row.folded_rows += 1 + folded.row.folded_rows;
            merge_members(&mut target.row.members, folded.row.members);
        }
    }
    slots.into_iter().flatten().collect()
}
