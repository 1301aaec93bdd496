//! The Allocations view's model (DevTools' Allocation view, bottom-up): one row per function
//! that allocated, expandable to its callers (computed when expanded), sortable; the live
//! objects of the selected row (computed as a job); and any object's allocation stack.

use super::ids::SnapId;
use crate::analysis::Heap;
use crate::analysis::allocations::{AllocationProfile, AllocationRow, Totals, frame};
use std::collections::HashSet;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocColumn {
    Function,
    Count,
    Size,
    LiveCount,
    LiveSize,
}

/// A visible row: a function (depth 0) or a caller of the row above it.
#[derive(Clone, Debug)]
pub struct AllocRow {
    /// The function, then the caller picked at each level (`AllocationProfile::callers`).
    pub chain: Vec<u32>,
    pub data: AllocationRow,
}

impl AllocRow {
    pub fn depth(&self) -> usize {
        self.chain.len() - 1
    }

    pub fn function(&self) -> u32 {
        self.data.function
    }
}

/// The live objects a row allocated: None while they are computed.
pub struct AllocObjects {
    pub chain: Vec<u32>,
    pub objects: Option<Vec<u32>>,
}

pub struct AllocationModel {
    pub snap: SnapId,
    pub heap: Arc<Heap>,
    pub profile: Arc<AllocationProfile>,
    pub rows: Vec<AllocRow>,
    /// Column and descending.
    pub sort: (AllocColumn, bool),
    expanded: HashSet<Vec<u32>>,
    pub objects: Option<AllocObjects>,
}

impl AllocationModel {
    pub fn new(snap: SnapId, heap: Arc<Heap>, profile: Arc<AllocationProfile>) -> Self {
        let mut m = AllocationModel {
            snap,
            heap,
            profile,
            rows: Vec::new(),
            sort: (AllocColumn::Size, true),
            expanded: HashSet::new(),
            objects: None,
        };
        m.rebuild();
        m
    }

    /// The function's name, or "(anonymous)".
    pub fn name(&self, function: u32) -> &str {
        let Some(t) = self.heap.snap.allocation_trace.as_ref() else {
            return "";
        };
        let f = frame(&self.heap.snap, t, function);
        if f.name.is_empty() {
            "(anonymous)"
        } else {
            f.name
        }
    }

    /// "script:line:column" of the function (as V8 wrote them, 1-based).
    pub fn location(&self, function: u32) -> String {
        let Some(t) = self.heap.snap.allocation_trace.as_ref() else {
            return String::new();
        };
        let f = frame(&self.heap.snap, t, function);
        format!("{}:{}:{}", f.script, f.line, f.column)
    }

    pub fn is_expanded(&self, i: usize) -> bool {
        self.expanded.contains(&self.rows[i].chain)
    }

    /// Expands (its callers) or collapses row `i`.
    pub fn toggle(&mut self, i: usize) {
        let Some(r) = self.rows.get(i) else { return };
        if !r.data.has_callers {
            return;
        }
        let chain = r.chain.clone();
        if !self.expanded.remove(&chain) {
            self.expanded.insert(chain);
        }
        self.rebuild();
    }

    pub fn click_header(&mut self, c: AllocColumn) {
        self.sort = if self.sort.0 == c {
            (c, !self.sort.1)
        } else {
            (c, c != AllocColumn::Function)
        };
        self.rebuild();
    }

    /// The visible rows from the top level, with the expanded rows' callers, sorted.
    fn rebuild(&mut self) {
        let Some(t) = self.heap.snap.allocation_trace.as_ref() else {
            return;
        };
        let mut top = self.profile.functions(t);
        self.sort_rows(&mut top);
        let mut out = Vec::new();
        for r in top {
            self.push_row(&mut out, vec![r.function], r);
        }
        self.rows = out;
    }

    fn push_row(&self, out: &mut Vec<AllocRow>, chain: Vec<u32>, data: AllocationRow) {
        let open = self.expanded.contains(&chain);
        out.push(AllocRow {
            chain: chain.clone(),
            data,
        });
        if !open {
            return;
        }
        let Some(t) = self.heap.snap.allocation_trace.as_ref() else {
            return;
        };
        let mut callers = self.profile.callers(t, &chain);
        self.sort_rows(&mut callers);
        for c in callers {
            let mut next = chain.clone();
            next.push(c.function);
            self.push_row(out, next, c);
        }
    }

    fn sort_rows(&self, rows: &mut [AllocationRow]) {
        let (c, desc) = self.sort;
        let key = |t: &Totals| match c {
            AllocColumn::Count => t.count,
            AllocColumn::Size => t.size,
            AllocColumn::LiveCount => t.live_count,
            AllocColumn::LiveSize => t.live_size,
            AllocColumn::Function => 0,
        };
        rows.sort_by(|a, b| {
            let o = if c == AllocColumn::Function {
                self.name(a.function).cmp(self.name(b.function))
            } else {
                key(&a.totals).cmp(&key(&b.totals))
            };
            if desc { o.reverse() } else { o }
        });
    }

    /// The row showing `chain`, if visible.
    pub fn row_of(&self, chain: &[u32]) -> Option<usize> {
        self.rows.iter().position(|r| r.chain == chain)
    }
}

/// One frame of an object's allocation stack, for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackLine {
    pub function: String,
    /// "script:line:column", lines and columns 1-based as V8 wrote them (0: unknown).
    pub location: String,
    /// The position to open in the editor; None when V8 recorded none.
    pub code: Option<crate::analysis::locations::SourceLocation>,
}

/// What the details panel says about where object `o` was allocated: None when the snapshot
/// has no allocation trace; Err with words when there is no stack to show.
pub fn object_stack(heap: &Heap, o: u32) -> Option<Result<Vec<StackLine>, &'static str>> {
    let s = &heap.snap;
    let t = s.allocation_trace.as_ref()?;
    let id = *s.node_trace_id.as_ref()?.get(o as usize)?;
    if id == 0 {
        return Some(Err(
            "allocated before allocation tracking began (no stack recorded)",
        ));
    }
    let Some(k) = t.index_of_id(id) else {
        return Some(Err("its allocation stack is not in the trace tree"));
    };
    Some(Ok(t
        .stack(k)
        .map(|k| {
            let f = frame(s, t, t.node_function[k as usize]);
            StackLine {
                function: if f.name.is_empty() {
                    "(anonymous)".to_string()
                } else {
                    f.name.to_string()
                },
                location: format!("{}:{}:{}", f.script, f.line, f.column),
                code: (f.line > 0 && !f.script.is_empty()).then(|| {
                    crate::analysis::locations::SourceLocation {
                        script: f.script.to_string(),
                        script_id: 0,
                        line: f.line,
                        column: f.column,
                    }
                }),
            }
        })
        .collect()))
}
