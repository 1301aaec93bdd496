//! The raw snapshot as V8 wrote it, held in flat columns indexed by node ordinal and edge
//! ordinal. Field layouts are read from `snapshot.meta` by name; types are mapped onto the
//! canonical V8 enums so that every pass can compare against constants.

mod columns;
mod error;
mod header;
mod lexer;
mod locations;
mod numbers;
mod parse;
mod prefetch;
mod records;
pub mod retainers;
mod salvage;
mod strings;
mod trace;
pub mod types;

pub use error::LoadError;
pub use parse::{read_snapshot, read_snapshot_from};
pub use salvage::missing_string;
pub use strings::Strings;
pub use trace::{AllocationTrace, NO_PARENT, Samples};
pub use types::{EdgeType, NodeType};

/// A location entry: where the constructor of an object (or a closure) lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

/// A parsed `.heapsnapshot`. Node and edge columns have one entry per node / edge.
#[derive(Default)]
pub struct Snapshot {
    /// Type names by canonical index (see [`types`]), then any unknown names from the file.
    pub node_type_names: Vec<String>,
    pub edge_type_names: Vec<String>,
    pub node_type: Vec<u8>,
    pub node_name: Vec<u32>,
    pub node_id: Vec<u32>,
    /// Raw self sizes as read; the analysis moves this column into `Heap::shallow`
    /// (reattributed in place), so it is empty in an analysed snapshot.
    pub node_self_size: Vec<u32>,
    /// `detachedness` field (0 unknown, 1 attached, 2 detached); `None` in old snapshots.
    pub node_detachedness: Option<Vec<u8>>,
    /// Each node's allocation trace node id (0: allocated before tracking began); only in
    /// snapshots with an allocation trace.
    pub node_trace_id: Option<Vec<u32>>,
    /// CSR: node `n`'s edges are `first_edge[n]..first_edge[n+1]` (edge ordinals).
    pub first_edge: Vec<u32>,
    pub edge_type: Vec<u8>,
    pub edge_name: Vec<u32>,
    /// Target node ordinal (the file stores node indexes; they are divided on read).
    pub edge_to: Vec<u32>,
    pub strings: Strings,
    /// Node ordinal -> location, sorted by ordinal, last entry per node wins (as in DevTools).
    pub locations: Vec<(u32, Location)>,
    /// Allocation stacks (snapshots taken with allocation tracking).
    pub allocation_trace: Option<AllocationTrace>,
    /// The allocation timeline's samples (empty without a recording).
    pub samples: Samples,
    pub root: u32,
    pub extra_native_bytes: u64,
    /// Bytes of the file as stored (compressed size for `.gz`).
    pub file_bytes: u64,
    /// Set when the file was cut short after its node and edge arrays and completed from
    /// what was read: the warning to show, saying what was lost.
    pub truncated: Option<String>,
    /// The retainer index and each slot's edge, built while the file was still being read;
    /// taken by the analysis.
    pub(crate) retainer_index: Option<(retainers::Retainers, Vec<u32>)>,
}

impl Snapshot {
    pub fn node_count(&self) -> usize {
        self.node_type.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edge_type.len()
    }

    #[inline]
    pub fn edges(&self, n: u32) -> std::ops::Range<usize> {
        self.first_edge[n as usize] as usize..self.first_edge[n as usize + 1] as usize
    }

    #[inline]
    pub fn ntype(&self, n: u32) -> u8 {
        self.node_type[n as usize]
    }

    #[inline]
    pub fn raw_name(&self, n: u32) -> &str {
        self.strings.get(self.node_name[n as usize])
    }

    pub fn type_name(&self, n: u32) -> &str {
        &self.node_type_names[self.node_type[n as usize] as usize]
    }

    pub fn edge_type_name(&self, e: usize) -> &str {
        &self.edge_type_names[self.edge_type[e] as usize]
    }

    /// True when the edge's `name_or_index` is an index into `strings`.
    #[inline]
    pub fn edge_has_string_name(&self, e: usize) -> bool {
        let t = self.edge_type[e];
        t != EdgeType::ELEMENT && t != EdgeType::HIDDEN
    }

    /// The edge's name as DevTools' `edge.name()` gives it (numbers for element and hidden
    /// edges; shortcut names that parse as integers are shown as those integers).
    pub fn edge_name(&self, e: usize) -> String {
        if !self.edge_has_string_name(e) {
            return self.edge_name[e].to_string();
        }
        let s = self.strings.get(self.edge_name[e]);
        if self.edge_type[e] == EdgeType::SHORTCUT
            && let Some(v) = crate::util::js_parse_int(s)
        {
            return crate::util::js_number_to_string(v);
        }
        s.to_string()
    }

    /// The string name of an edge, or None for numbered edges.
    #[inline]
    pub fn edge_str(&self, e: usize) -> Option<&str> {
        if self.edge_has_string_name(e) {
            Some(self.strings.get(self.edge_name[e]))
        } else {
            None
        }
    }

    pub fn location(&self, n: u32) -> Option<Location> {
        self.locations
            .binary_search_by_key(&n, |&(o, _)| o)
            .ok()
            .map(|i| self.locations[i].1)
    }

    /// The ordinal of the node with this id (a linear scan, as ids are not sorted).
    pub fn ordinal_of_id(&self, id: u64) -> Option<u32> {
        if id > u32::MAX as u64 {
            return None;
        }
        let id = id as u32;
        self.node_id.iter().position(|&x| x == id).map(|p| p as u32)
    }

    /// Bytes held by the columns (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.node_type.capacity()
            + self.node_name.capacity() * 4
            + self.node_id.capacity() * 4
            + self.node_self_size.capacity() * 4
            + self.node_detachedness.as_ref().map_or(0, |v| v.capacity())
            + self.node_trace_id.as_ref().map_or(0, |v| v.capacity() * 4)
            + self.first_edge.capacity() * 4
            + self.edge_type.capacity()
            + self.edge_name.capacity() * 4
            + self.edge_to.capacity() * 4
            + self.strings.heap_bytes()
            + self.locations.capacity() * 16
    }
}
