//! Sampling heap profiles (`.heapprofile`: `node --heap-prof`, DevTools "Allocation
//! sampling", Clinic): a tree of call stacks with the bytes sampled at each, for a flame
//! graph (top-down) and a table of functions by self size (bottom-up). Held flat: nodes in
//! preorder with their parent's index, functions deduplicated.

mod functions;
mod read;

pub use functions::FunctionRow;
pub use read::{profile_from_bytes, read_profile};

/// The parent of the head.
pub const NO_PARENT: u32 = u32::MAX;

/// A function as the profile names it. Lines and columns are 0-based as in the file (-1
/// where unknown); [`CallFrame::line1`] and [`CallFrame::column1`] give them 1-based.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CallFrame {
    pub name: String,
    pub url: String,
    pub script_id: String,
    pub line: i64,
    pub column: i64,
}

impl CallFrame {
    /// 1-based line, 0 where unknown.
    pub fn line1(&self) -> u64 {
        (self.line + 1).max(0) as u64
    }

    /// 1-based column, 0 where unknown.
    pub fn column1(&self) -> u64 {
        (self.column + 1).max(0) as u64
    }
}

/// A sampling heap profile.
#[derive(Clone, Debug, Default)]
pub struct SamplingProfile {
    /// Per node, in preorder (the head first): the profile's id, the function, the parent
    /// ([`NO_PARENT`] for the head), one past the last node of its subtree.
    pub node_id: Vec<u64>,
    pub node_function: Vec<u32>,
    pub node_parent: Vec<u32>,
    pub node_end: Vec<u32>,
    /// Bytes sampled at the node itself: the sum of its samples' sizes, or its `selfSize`
    /// when the profile lists no samples (V8 rounds `selfSize` per node, so it can differ
    /// from the samples by a few bytes; the samples are what was recorded).
    pub node_self: Vec<u64>,
    pub functions: Vec<CallFrame>,
    /// How many samples the sizes come from (0: from `selfSize`).
    pub sample_count: usize,
    /// Samples of nodes the tree does not have (allocations V8 made while writing the
    /// profile), left out.
    pub samples_outside_tree: usize,
}

impl SamplingProfile {
    pub fn node_count(&self) -> usize {
        self.node_id.len()
    }

    /// All bytes sampled. (Sums saturate: a made-up profile must not overflow them.)
    pub fn total_size(&self) -> u64 {
        self.node_self
            .iter()
            .fold(0u64, |a, &b| a.saturating_add(b))
    }

    /// The function of node `k`.
    pub fn frame(&self, k: u32) -> &CallFrame {
        &self.functions[self.node_function[k as usize] as usize]
    }

    /// The children of node `k`, in file order.
    pub fn children(&self, k: u32) -> impl Iterator<Item = u32> + '_ {
        let end = self.node_end[k as usize];
        let mut next = k + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let c = next;
            next = self.node_end[c as usize];
            Some(c)
        })
    }

    /// Per node: its bytes and its descendants' (a flame graph's widths).
    pub fn subtree_sizes(&self) -> Vec<u64> {
        let mut sum = self.node_self.clone();
        for k in (0..sum.len()).rev() {
            let p = self.node_parent[k];
            if p != NO_PARENT {
                sum[p as usize] = sum[p as usize].saturating_add(sum[k]);
            }
        }
        sum
    }
}
