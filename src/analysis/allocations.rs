//! DevTools' Allocation view (its `AllocationProfile`) over a snapshot taken with allocation
//! tracking: per function, what it allocated (count, bytes) and what of that is still alive;
//! its callers bottom-up; the top-down tree; which live objects a function allocated; each
//! object's allocation stack. Flat columns by trace node and by node ordinal.

use crate::snapshot::{AllocationTrace, NO_PARENT, Snapshot};
use serde::Serialize;

/// No trace node (the object was allocated before tracking began, or is not a JS object).
pub const NO_TRACE: u32 = u32::MAX;

/// Allocations and what of them is still alive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub count: u64,
    pub size: u64,
    pub live_count: u64,
    pub live_size: u64,
}

impl Totals {
    fn add(&mut self, o: &Totals) {
        self.count += o.count;
        self.size += o.size;
        self.live_count += o.live_count;
        self.live_size += o.live_size;
    }
}

/// A row of the bottom-up view: a function (at the top level) or one of its callers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocationRow {
    /// Index into the trace's functions.
    pub function: u32,
    pub totals: Totals,
    /// Expanding the row shows callers.
    pub has_callers: bool,
}

/// One frame of an allocation stack, as V8 wrote it (lines and columns 1-based, 0 where
/// unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    pub name: &'a str,
    pub script: &'a str,
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for Frame<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}@{}:{}:{}",
            self.name, self.script, self.line, self.column
        )
    }
}

/// The function `k` of `snap`'s allocation trace as a frame.
pub fn frame<'a>(snap: &'a Snapshot, t: &AllocationTrace, function: u32) -> Frame<'a> {
    let k = function as usize;
    let s = |i: u32| snap.strings.get(i);
    Frame {
        name: s(t.function_name[k]),
        script: s(t.function_script_name[k]),
        script_id: t.function_script_id[k],
        line: t.function_line[k],
        column: t.function_column[k],
    }
}

/// The numbers behind the Allocation view, computed once per tracked snapshot.
pub struct AllocationProfile {
    /// Per trace node: what it allocated itself, and what of that is alive.
    pub node: Vec<Totals>,
    /// Per node ordinal: the trace node that allocated it, or [`NO_TRACE`].
    pub object_trace: Vec<u32>,
    /// Per function: DevTools' totals (over its trace nodes that allocated anything).
    pub function: Vec<Totals>,
    /// Each function's trace nodes that allocated anything, in preorder (CSR by function).
    tops_start: Vec<u32>,
    tops: Vec<u32>,
}

impl AllocationProfile {
    /// None when the snapshot carries no allocation trace. `shallow` are the sizes DevTools
    /// shows (after reattribution), which are what it sums as live sizes.
    pub fn new(snap: &Snapshot, shallow: &[u32]) -> Option<AllocationProfile> {
        let t = snap.allocation_trace.as_ref()?;
        let ids = snap.node_trace_id.as_ref()?;
        let m = t.node_count();
        let mut node: Vec<Totals> = (0..m)
            .map(|k| Totals {
                count: t.node_count[k] as u64,
                size: t.node_size[k] as u64,
                ..Totals::default()
            })
            .collect();
        let lookup = IdLookup::new(t);
        let mut object_trace = vec![NO_TRACE; ids.len()];
        for (o, &id) in ids.iter().enumerate() {
            // DevTools counts every node under its trace node id, 0 included.
            if let Some(k) = lookup.get(t, id) {
                object_trace[o] = k;
                node[k as usize].live_count += 1;
                node[k as usize].live_size += shallow[o] as u64;
            }
        }
        let (tops_start, tops) = tops_by_function(t);
        let function = tops_start
            .windows(2)
            .map(|w| {
                let mut sum = Totals::default();
                for &k in &tops[w[0] as usize..w[1] as usize] {
                    sum.add(&node[k as usize]);
                }
                sum
            })
            .collect();
        Some(AllocationProfile {
            node,
            object_trace,
            function,
            tops_start,
            tops,
        })
    }

    /// The trace nodes of `function` that allocated anything, in preorder.
    pub fn tops_of(&self, function: u32) -> &[u32] {
        let f = function as usize;
        &self.tops[self.tops_start[f] as usize..self.tops_start[f + 1] as usize]
    }

    /// The Allocation view's top level: one row per function that allocated, largest size
    /// first (ties in file order, as DevTools' stable sort).
    pub fn functions(&self, t: &AllocationTrace) -> Vec<AllocationRow> {
        let mut rows: Vec<AllocationRow> = (0..self.function.len() as u32)
            .filter(|&f| self.function[f as usize].count != 0)
            .map(|f| AllocationRow {
                function: f,
                totals: self.function[f as usize],
                has_callers: self
                    .tops_of(f)
                    .iter()
                    .any(|&k| t.node_parent[k as usize] != NO_PARENT),
            })
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.totals.size));
        rows
    }

    /// The trace nodes behind a bottom-up row: `chain` is the function, then the caller
    /// picked at each level of expansion ([f], [f, caller], [f, caller, its caller]...).
    pub fn trace_nodes(&self, t: &AllocationTrace, chain: &[u32]) -> Vec<u32> {
        let Some((&f, path)) = chain.split_first() else {
            return Vec::new();
        };
        self.tops_of(f)
            .iter()
            .copied()
            .filter(|&k| walk_up(t, k, path).is_some())
            .collect()
    }

    /// The callers of a bottom-up row (see [`Self::trace_nodes`] for `chain`), in the order
    /// DevTools lists them; each with the numbers of the allocations that went through it.
    pub fn callers(&self, t: &AllocationTrace, chain: &[u32]) -> Vec<AllocationRow> {
        let Some((&f, path)) = chain.split_first() else {
            return Vec::new();
        };
        let mut rows: Vec<AllocationRow> = Vec::new();
        for &k in self.tops_of(f) {
            let Some(at) = walk_up(t, k, path) else {
                continue;
            };
            let caller = t.node_parent[at as usize];
            if caller == NO_PARENT {
                continue;
            }
            let cf = t.node_function[caller as usize];
            let i = match rows.iter().position(|r| r.function == cf) {
                Some(i) => i,
                None => {
                    rows.push(AllocationRow {
                        function: cf,
                        totals: Totals::default(),
                        has_callers: false,
                    });
                    rows.len() - 1
                }
            };
            rows[i].totals.add(&self.node[k as usize]);
            rows[i].has_callers |= t.node_parent[caller as usize] != NO_PARENT;
        }
        rows
    }

    /// The live objects (node ordinals, ascending) that these trace nodes allocated.
    pub fn objects(&self, trace_nodes: &[u32]) -> Vec<u32> {
        let mut chosen = vec![false; self.node.len()];
        for &k in trace_nodes {
            chosen[k as usize] = true;
        }
        (0..self.object_trace.len() as u32)
            .filter(|&o| {
                let k = self.object_trace[o as usize];
                k != NO_TRACE && chosen[k as usize]
            })
            .collect()
    }

    /// Object `o`'s allocation stack as trace nodes, innermost first: None for an object
    /// allocated before tracking began (trace node id 0), empty when its trace node is not
    /// in the tree (as DevTools).
    pub fn stack(&self, snap: &Snapshot, t: &AllocationTrace, o: u32) -> Option<Vec<u32>> {
        let id = snap.node_trace_id.as_ref()?[o as usize];
        if id == 0 {
            return None;
        }
        match self.object_trace[o as usize] {
            NO_TRACE => Some(Vec::new()),
            k => Some(t.stack(k).collect()),
        }
    }

    /// Object `o`'s allocation stack as frames (see [`Self::stack`]).
    pub fn stack_frames<'a>(
        &self,
        snap: &'a Snapshot,
        t: &'a AllocationTrace,
        o: u32,
    ) -> Option<Vec<Frame<'a>>> {
        let stack = self.stack(snap, t, o)?;
        Some(
            stack
                .into_iter()
                .map(|k| frame(snap, t, t.node_function[k as usize]))
                .collect(),
        )
    }

    /// The top-down tree's numbers: per trace node, its own and its descendants'
    /// allocations (walk it with [`AllocationTrace::roots`] and [`AllocationTrace::children`]).
    pub fn subtree_totals(&self, t: &AllocationTrace) -> Vec<Totals> {
        let mut sum = self.node.clone();
        for k in (0..sum.len()).rev() {
            let p = t.node_parent[k];
            if p != NO_PARENT {
                let here = sum[k];
                sum[p as usize].add(&here);
            }
        }
        sum
    }
}

/// From trace node `k`, follows parents whose functions are `path`, in order. Returns the
/// node reached, or None where the stack differs.
fn walk_up(t: &AllocationTrace, k: u32, path: &[u32]) -> Option<u32> {
    let mut at = k;
    for &f in path {
        at = t.node_parent[at as usize];
        if at == NO_PARENT || t.node_function[at as usize] != f {
            return None;
        }
    }
    Some(at)
}

/// Each function's trace nodes with allocations, in preorder, as CSR.
fn tops_by_function(t: &AllocationTrace) -> (Vec<u32>, Vec<u32>) {
    let nf = t.function_count();
    let mut start = vec![0u32; nf + 1];
    let allocating = |k: usize| t.node_count[k] != 0;
    for k in (0..t.node_count()).filter(|&k| allocating(k)) {
        start[t.node_function[k] as usize + 1] += 1;
    }
    for f in 0..nf {
        start[f + 1] += start[f];
    }
    let mut next = start.clone();
    let mut tops = vec![0u32; start[nf] as usize];
    for k in (0..t.node_count()).filter(|&k| allocating(k)) {
        let f = t.node_function[k] as usize;
        tops[next[f] as usize] = k as u32;
        next[f] += 1;
    }
    (start, tops)
}

/// Trace node ids to indexes: a dense table when the ids are compact (V8 numbers them from
/// 1), else a binary search.
struct IdLookup(Option<Vec<u32>>);

impl IdLookup {
    fn new(t: &AllocationTrace) -> IdLookup {
        let max = t.node_id.iter().copied().max().unwrap_or(0) as usize;
        if max > 4 * t.node_count() + 4096 {
            return IdLookup(None);
        }
        let mut dense = vec![NO_TRACE; max + 1];
        for (k, &id) in t.node_id.iter().enumerate() {
            dense[id as usize] = k as u32;
        }
        IdLookup(Some(dense))
    }

    #[inline]
    fn get(&self, t: &AllocationTrace, id: u32) -> Option<u32> {
        match &self.0 {
            Some(d) => d.get(id as usize).copied().filter(|&k| k != NO_TRACE),
            None => t.index_of_id(id),
        }
    }
}
