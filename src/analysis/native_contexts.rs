//! Native-context attribution, as DevTools' worker computes it for the Summary's "Native
//! context …" filters (`calculateNativeContextAttribution`, `calculateNativeContextSizes`).
//!
//! A native context is a node named `system / NativeContext` (or `… / NativeContext / URL`,
//! with or without `Detached `). Another node is *fixed* to a context when
//! `node -map-> map -map-> meta map -native_context-> context` (the first internal `map`
//! edge of each, the first internal `native_context` edge that leads to a native context).
//! From the fixed nodes, ownership flows over every edge but shortcuts and weak ones into
//! nodes that are not fixed: a node reached from two contexts is shared between them, one
//! reached from none is not attributed. Sizes sum the (reattributed) shallow sizes.
//!
//! Computed on demand (a filter, the CLI, the Statistics picker): one `u32` per node while
//! it runs, kept only by a filter that asks for its nodes.

use super::Heap;
use super::statistics::{Statistics, add_node};
use crate::snapshot::{EdgeType, Snapshot};
use crate::util::BitVec;

/// Owner of a node reached from no native context.
pub const UNATTRIBUTED: u32 = u32::MAX;
/// Owner of a node reached from more than one native context.
pub const SHARED: u32 = u32::MAX - 1;

/// Each node's owner: an index into `contexts`, [`SHARED`] or [`UNATTRIBUTED`].
pub struct Attribution {
    pub owner: Vec<u32>,
    /// The native contexts' node ordinals, ascending (the order DevTools finds them in).
    pub contexts: Vec<u32>,
}

/// Which nodes a native-context filter keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// The native context at this node ordinal.
    Context(u32),
    Shared,
    Unattributed,
}

/// True for DevTools' native-context names.
pub fn is_native_context_name(name: &str) -> bool {
    let name = name.strip_prefix("Detached ").unwrap_or(name);
    name == "system / NativeContext" || name.starts_with("system / NativeContext / ")
}

/// The part of a native context's name the filter menu shows (its URL, or nothing).
pub fn short_name(raw: &str) -> &str {
    let name = raw.strip_prefix("Detached ").unwrap_or(raw);
    if let Some(rest) = name.strip_prefix("system / NativeContext / ") {
        rest
    } else {
        name.strip_prefix("system / NativeContext").unwrap_or(name)
    }
}

/// DevTools' `strings.indexOf(name)`: the first string with this text.
fn first_string(s: &Snapshot, text: &str) -> Option<u32> {
    (0..s.strings.len() as u32).find(|&i| s.strings.get(i) == text)
}

/// Node names (string indexes) that name a native context.
fn context_names(s: &Snapshot) -> BitVec {
    let mut names = BitVec::new(s.strings.len());
    for i in 0..s.strings.len() as u32 {
        if is_native_context_name(s.strings.get(i)) {
            names.set(i as usize);
        }
    }
    names
}

struct Fixer<'a> {
    s: &'a Snapshot,
    names: BitVec,
    map: Option<u32>,
    native_context: Option<u32>,
}

impl Fixer<'_> {
    fn is_context(&self, o: u32) -> bool {
        let name = self.s.node_name[o as usize] as usize;
        name < self.s.strings.len() && self.names.get(name)
    }

    fn internal(&self, o: u32, name: u32, accept: impl Fn(u32) -> bool) -> Option<u32> {
        let s = self.s;
        s.edges(o)
            .filter(|&e| s.edge_type[e] == EdgeType::INTERNAL && s.edge_name[e] == name)
            .map(|e| s.edge_to[e])
            .find(|&t| accept(t))
    }

    /// The first `map` edge's target, wherever it leads.
    fn map_of(&self, o: u32) -> Option<u32> {
        self.internal(o, self.map?, |_| true)
    }

    /// The context of the objects whose map is `m`: its meta map's `native_context`, as an
    /// index into `contexts` (or [`UNATTRIBUTED`]).
    fn context_of_map(&self, m: u32, contexts: &[u32]) -> u32 {
        let nc = self.native_context.and_then(|nc| {
            let meta = self.map_of(m)?;
            self.internal(meta, nc, |t| self.is_context(t))
        });
        nc.and_then(|c| contexts.binary_search(&c).ok())
            .map_or(UNATTRIBUTED, |i| i as u32)
    }
}

/// Maps remembered by [`attribute`] (objects of one map tend to come together): a small
/// direct-mapped cache of map ordinal -> context, not a column.
const MAP_CACHE: usize = 1 << 12;

/// Attributes every node to a native context, to [`SHARED`] or to [`UNATTRIBUTED`].
pub fn attribute(s: &Snapshot) -> Attribution {
    let n = s.node_count();
    let fixer = Fixer {
        s,
        names: context_names(s),
        map: first_string(s, "map"),
        native_context: first_string(s, "native_context"),
    };
    let contexts: Vec<u32> = (0..n as u32).filter(|&o| fixer.is_context(o)).collect();
    let mut owner = vec![UNATTRIBUTED; n];
    let mut fixed = BitVec::new(n);
    for (i, &c) in contexts.iter().enumerate() {
        owner[c as usize] = i as u32;
        fixed.set(c as usize);
    }
    let mut cache = vec![(u32::MAX, UNATTRIBUTED); MAP_CACHE];
    for o in 0..n as u32 {
        if fixed.get(o as usize) {
            continue;
        }
        let Some(m) = fixer.map_of(o) else {
            continue;
        };
        let slot = &mut cache[m as usize % MAP_CACHE];
        if slot.0 != m {
            *slot = (m, fixer.context_of_map(m, &contexts));
        }
        if slot.1 != UNATTRIBUTED {
            owner[o as usize] = slot.1;
            fixed.set(o as usize);
        }
    }
    propagate(s, &mut owner, &fixed);
    Attribution { owner, contexts }
}

/// DevTools' `mergeNativeContextOwner`.
#[inline]
fn merge(current: u32, incoming: u32) -> u32 {
    if current == UNATTRIBUTED || current == incoming {
        incoming
    } else {
        SHARED
    }
}

/// Ownership flows from the fixed nodes into the others over non-shortcut, non-weak edges.
/// The result is the least fixed point of the merge, so the visiting order (here: depth
/// first from each fixed node in turn, DevTools: one queue) does not change it.
fn propagate(s: &Snapshot, owner: &mut [u32], fixed: &BitVec) {
    let mut stack: Vec<u32> = Vec::new();
    for start in 0..s.node_count() as u32 {
        if !fixed.get(start as usize) {
            continue;
        }
        stack.push(start);
        while let Some(o) = stack.pop() {
            let current = owner[o as usize];
            for e in s.edges(o) {
                let t = s.edge_type[e];
                if t == EdgeType::SHORTCUT || t == EdgeType::WEAK {
                    continue;
                }
                let to = s.edge_to[e];
                if to == o || fixed.get(to as usize) {
                    continue;
                }
                let merged = merge(owner[to as usize], current);
                if merged != owner[to as usize] {
                    owner[to as usize] = merged;
                    stack.push(to);
                }
            }
        }
    }
}

impl Attribution {
    /// The nodes a filter keeps.
    pub fn nodes_of(&self, which: Owner) -> BitVec {
        let want = match which {
            Owner::Context(node) => match self.contexts.binary_search(&node) {
                Ok(i) => i as u32,
                // Not a native context: nothing is attributed to it.
                Err(_) => return BitVec::new(self.owner.len()),
            },
            Owner::Shared => SHARED,
            Owner::Unattributed => UNATTRIBUTED,
        };
        let mut keep = BitVec::new(self.owner.len());
        for (o, &w) in self.owner.iter().enumerate() {
            if w == want {
                keep.set(o);
            }
        }
        keep
    }
}

/// One native context as the filter menu lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NativeContext {
    /// Node ordinal.
    #[serde(skip)]
    pub node: u32,
    pub id: u32,
    /// What the menu shows of its name: the URL, or nothing.
    pub name: String,
    pub raw_name: String,
    /// Shallow sizes of the objects attributed to it.
    pub attributed_size: u64,
    pub self_size: u64,
    pub retained_size: u64,
    /// The Statistics of its objects.
    pub statistics: Statistics,
}

/// Objects shared between contexts, or attributed to none.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Bucket {
    pub size: u64,
    pub statistics: Statistics,
}

/// DevTools' `getNativeContextSizes()` with each bucket's Statistics.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct NativeContexts {
    /// Biggest attributed size first (ties in node order), as the filter menu lists them.
    pub contexts: Vec<NativeContext>,
    pub shared: Bucket,
    pub unattributed: Bucket,
}

impl NativeContexts {
    pub fn compute(h: &Heap) -> Self {
        Self::from_attribution(h, &attribute(&h.snap))
    }

    pub fn from_attribution(h: &Heap, a: &Attribution) -> Self {
        let s = &h.snap;
        let c = a.contexts.len();
        let mut stats = vec![Statistics::default(); c + 2];
        let bucket = |w: u32| match w {
            SHARED => c,
            UNATTRIBUTED => c + 1,
            i => i as usize,
        };
        for o in 0..s.node_count() as u32 {
            add_node(
                &mut stats[bucket(a.owner[o as usize])],
                s,
                &h.shallow,
                &h.retainers.first,
                o,
            );
        }
        for st in &mut stats {
            st.set_total(st.total);
        }
        let unattributed = stats.pop().unwrap_or_default();
        let shared = stats.pop().unwrap_or_default();
        let mut contexts: Vec<NativeContext> = a
            .contexts
            .iter()
            .zip(stats)
            .map(|(&node, statistics)| NativeContext {
                node,
                id: s.node_id[node as usize],
                name: short_name(s.raw_name(node)).to_string(),
                raw_name: s.raw_name(node).to_string(),
                attributed_size: statistics.total,
                self_size: h.shallow[node as usize] as u64,
                retained_size: h.retained.get(node),
                statistics,
            })
            .collect();
        // A stable sort, as `toSorted` is.
        contexts.sort_by_key(|c| std::cmp::Reverse(c.attributed_size));
        NativeContexts {
            contexts,
            shared: Bucket {
                size: shared.total,
                statistics: shared,
            },
            unattributed: Bucket {
                size: unattributed.total,
                statistics: unattributed,
            },
        }
    }

    /// The context whose node has this id.
    pub fn by_id(&self, id: u64) -> Option<&NativeContext> {
        self.contexts.iter().find(|c| c.id as u64 == id)
    }

    /// The context at this node ordinal.
    pub fn by_node(&self, node: u32) -> Option<&NativeContext> {
        self.contexts.iter().find(|c| c.node == node)
    }
}
