//! The Statistics view: memory by category, with DevTools' rules (JS arrays include their
//! elements store when it has no other retainer; typed arrays are native backing stores).

use super::retainers::slots;
use crate::snapshot::{EdgeType, NodeType, Snapshot};

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Statistics {
    pub total: u64,
    pub code: u64,
    pub strings: u64,
    pub js_arrays: u64,
    pub typed_arrays: u64,
    pub system: u64,
    /// All native memory (embedder objects plus `extra_native_bytes`).
    pub native: u64,
    /// V8 heap total (total minus native).
    pub v8heap: i64,
}

impl Statistics {
    pub fn other_js(&self) -> u64 {
        (self.v8heap - (self.code + self.strings + self.js_arrays + self.system) as i64).max(0)
            as u64
    }
    pub fn other_native(&self) -> u64 {
        self.native.saturating_sub(self.typed_arrays)
    }
}

/// Category sums; `total` and `v8heap` are set by [`Statistics::set_total`] once the root's
/// retained size is known.
/// `ret_first` is [`Retainers::first`](super::retainers::Retainers::first): only counts of
/// retainers are read, so the dominator pass may rewrite the index's sources meanwhile.
pub fn calculate_statistics(s: &Snapshot, shallow: &[u32], ret_first: &[u32]) -> Statistics {
    let mut st = Statistics {
        native: s.extra_native_bytes,
        ..Default::default()
    };
    for o in 0..s.node_count() as u32 {
        add_node(&mut st, s, shallow, ret_first, o);
    }
    st
}

/// Adds node `o` to its category (and its shallow size to `total`, which
/// [`Statistics::set_total`] replaces for the whole heap). Used per native context too.
#[inline]
pub fn add_node(st: &mut Statistics, s: &Snapshot, shallow: &[u32], ret_first: &[u32], o: u32) {
    let size = shallow[o as usize] as u64;
    st.total += size;
    match s.ntype(o) {
        NodeType::HIDDEN => st.system += size,
        NodeType::NATIVE => {
            st.native += size;
            if s.raw_name(o) == "system / JSArrayBufferData" {
                st.typed_arrays += size;
            }
        }
        NodeType::CODE => st.code += size,
        NodeType::STRING | NodeType::CONS_STRING | NodeType::SLICED_STRING => st.strings += size,
        _ => {
            if s.raw_name(o) == "Array" {
                st.js_arrays += size;
                for e in s.edges(o) {
                    if s.edge_type[e] != EdgeType::INTERNAL
                        || s.strings.get(s.edge_name[e]) != "elements"
                    {
                        continue;
                    }
                    let el = s.edge_to[e];
                    if slots(ret_first, el).len() == 1 {
                        st.js_arrays += shallow[el as usize] as u64;
                    }
                    break;
                }
            }
        }
    }
}

impl Statistics {
    pub fn set_total(&mut self, total: u64) {
        self.total = total;
        self.v8heap = total as i64 - self.native as i64;
    }
}
