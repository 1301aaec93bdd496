//! The Allocation view's top-down tree: trace nodes from the entry points down to the
//! functions that allocated, each with its own and its callees' allocations. Rows expand
//! lazily; the subtree totals are one pass over the trace tree, made once.

use crate::analysis::Heap;
use crate::analysis::allocations::{AllocationProfile, Totals};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeRow {
    pub trace_node: u32,
    pub depth: usize,
    pub expanded: bool,
    pub has_children: bool,
}

pub struct AllocationTree {
    pub heap: Arc<Heap>,
    /// Per trace node: its subtree's totals.
    pub totals: Vec<Totals>,
    pub rows: Vec<TreeRow>,
}

impl AllocationTree {
    /// The roots' rows; None without trace data.
    pub fn new(heap: Arc<Heap>, profile: &AllocationProfile) -> Option<Self> {
        let trace = heap.snap.allocation_trace.as_ref()?;
        let totals = profile.subtree_totals(trace);
        let rows = Self::children_rows(&heap, &totals, None, 0);
        Some(AllocationTree { totals, rows, heap })
    }

    /// Children of `parent` (or the roots), biggest allocated size first.
    fn children_rows(
        heap: &Heap,
        totals: &[Totals],
        parent: Option<u32>,
        depth: usize,
    ) -> Vec<TreeRow> {
        let Some(trace) = heap.snap.allocation_trace.as_ref() else {
            return Vec::new();
        };
        let mut kids: Vec<u32> = match parent {
            Some(p) => trace.children(p).collect(),
            None => trace.roots().collect(),
        };
        kids.sort_by_key(|&k| std::cmp::Reverse(totals[k as usize].size));
        kids.into_iter()
            .map(|k| TreeRow {
                trace_node: k,
                depth,
                expanded: false,
                has_children: trace.children(k).next().is_some(),
            })
            .collect()
    }

    /// Opens or closes row `i`.
    pub fn toggle(&mut self, i: usize) {
        let Some(r) = self.rows.get(i).copied() else {
            return;
        };
        if r.expanded {
            let end = (i + 1..self.rows.len())
                .find(|&j| self.rows[j].depth <= r.depth)
                .unwrap_or(self.rows.len());
            self.rows.drain(i + 1..end);
        } else if r.has_children {
            let kids =
                Self::children_rows(&self.heap, &self.totals, Some(r.trace_node), r.depth + 1);
            self.rows.splice(i + 1..i + 1, kids);
        }
        self.rows[i].expanded = !r.expanded && r.has_children;
    }

    /// The function of a trace node (index into the function infos).
    pub fn function(&self, trace_node: u32) -> u32 {
        self.heap
            .snap
            .allocation_trace
            .as_ref()
            .map_or(0, |t| t.node_function[trace_node as usize])
    }
}
