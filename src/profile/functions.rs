//! The bottom-up table of a sampling heap profile: per function, the bytes sampled in it
//! (self) and in it or anything it called (total, a recursive function counted once).

use super::{NO_PARENT, SamplingProfile};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionRow {
    /// Index into the profile's functions.
    pub function: u32,
    pub self_size: u64,
    pub total_size: u64,
}

impl SamplingProfile {
    /// One row per function (the head, the profile's `(root)`, left out), largest self
    /// size first, then largest total, then file order.
    pub fn functions_by_self_size(&self) -> Vec<FunctionRow> {
        let nf = self.functions.len();
        let mut rows: Vec<FunctionRow> = (0..nf as u32)
            .map(|function| FunctionRow {
                function,
                self_size: 0,
                total_size: 0,
            })
            .collect();
        let mut present = vec![false; nf];
        let subtree = self.subtree_sizes();
        // Walk in preorder keeping the open path: a node adds its subtree to its function's
        // total only when no ancestor on the path has the same function.
        let mut on_path = vec![0u32; nf];
        let mut path: Vec<u32> = Vec::new();
        for k in 1..self.node_count() {
            while let Some(&top) = path.last() {
                if self.node_end[top as usize] as usize > k {
                    break;
                }
                on_path[self.node_function[top as usize] as usize] -= 1;
                path.pop();
            }
            let f = self.node_function[k] as usize;
            present[f] = true;
            rows[f].self_size = rows[f].self_size.saturating_add(self.node_self[k]);
            if on_path[f] == 0 {
                rows[f].total_size = rows[f].total_size.saturating_add(subtree[k]);
            }
            on_path[f] += 1;
            path.push(k as u32);
        }
        let mut rows: Vec<FunctionRow> = rows
            .into_iter()
            .filter(|r| present[r.function as usize])
            .collect();
        rows.sort_by(|a, b| {
            b.self_size
                .cmp(&a.self_size)
                .then(b.total_size.cmp(&a.total_size))
        });
        rows
    }

    /// The head's children are the top-down tree's first level.
    pub fn head(&self) -> Option<u32> {
        (self.node_count() > 0 && self.node_parent[0] == NO_PARENT).then_some(0)
    }
}
