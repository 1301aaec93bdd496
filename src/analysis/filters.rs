//! The Summary's filter menu: which objects a view includes. Each filter becomes a bit set
//! over node ordinals (set = included).

use super::Heap;
use super::distances::{NO_DISTANCE, bfs};
use super::dom_state::DETACHED;
use super::native_contexts::{Owner, attribute};
use crate::snapshot::{EdgeType, NodeType};
use crate::util::BitVec;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum NodeFilter {
    All,
    /// Objects with `min < id <= max` ("allocated between snapshots").
    IdRange {
        min: u64,
        max: u64,
    },
    DuplicatedStrings,
    RetainedByDetachedDom,
    RetainedByConsole,
    RetainedByEventHandlers,
    RetainedByContexts,
    /// Objects attributed to the native context at this node ordinal (`id`: its node id).
    NativeContext {
        node: u32,
        id: u32,
    },
    /// Objects reached from more than one native context.
    SharedNativeContexts,
    /// Objects reached from no native context.
    NoNativeContext,
}

impl NodeFilter {
    pub fn label(&self) -> String {
        match self {
            NodeFilter::All => "All objects".into(),
            NodeFilter::IdRange { min, max } => format!("Objects with id in ({min}, {max}]"),
            NodeFilter::DuplicatedStrings => "Duplicated strings".into(),
            NodeFilter::RetainedByDetachedDom => "Objects retained by detached DOM nodes".into(),
            NodeFilter::RetainedByConsole => "Objects retained by the DevTools console".into(),
            NodeFilter::RetainedByEventHandlers => "Objects retained by event handlers".into(),
            NodeFilter::RetainedByContexts => "Objects retained by contexts".into(),
            NodeFilter::NativeContext { id, .. } => format!("Native context @{id}"),
            NodeFilter::SharedNativeContexts => "Objects shared between native contexts".into(),
            NodeFilter::NoNativeContext => "Objects not attributed to a native context".into(),
        }
    }

    /// The native-context filter's owner, for the native-context filters.
    pub fn native_context(&self) -> Option<Owner> {
        match *self {
            NodeFilter::NativeContext { node, .. } => Some(Owner::Context(node)),
            NodeFilter::SharedNativeContexts => Some(Owner::Shared),
            NodeFilter::NoNativeContext => Some(Owner::Unattributed),
            _ => None,
        }
    }
}

/// The set of included nodes, or None for "all objects".
pub fn filter_set(h: &Heap, f: NodeFilter) -> Option<BitVec> {
    let s = &h.snap;
    let n = s.node_count();
    let retained_by = |enter: &dyn Fn(u32, usize) -> bool| -> BitVec {
        // Reached from the root without passing the filter's barrier, or unreachable: excluded.
        let mut dist = vec![NO_DISTANCE; n];
        dist[s.root as usize] = 0;
        let mut queue = vec![s.root];
        let mut f = |src: u32, e: usize| enter(src, e);
        bfs(s, &mut dist, &mut queue, &mut f);
        let mut keep = BitVec::new(n);
        for i in 0..n {
            if dist[i] == NO_DISTANCE && h.distance[i] != NO_DISTANCE {
                keep.set(i);
            }
        }
        keep
    };
    match f {
        NodeFilter::All => None,
        NodeFilter::IdRange { min, max } => {
            let mut keep = BitVec::new(n);
            for i in 0..n {
                let id = s.node_id[i] as u64;
                if id > min && id <= max {
                    keep.set(i);
                }
            }
            Some(keep)
        }
        NodeFilter::RetainedByDetachedDom => Some(retained_by(&|_, e| {
            h.dom_state[s.edge_to[e] as usize] != DETACHED
        })),
        NodeFilter::RetainedByContexts => Some(retained_by(&|_, e| {
            let name = s.raw_name(s.edge_to[e]);
            !(name == "system / Context" || name.starts_with("system / Context / "))
        })),
        NodeFilter::RetainedByConsole => Some(retained_by(&|src, e| {
            let from_synthetic = s.ntype(src) == NodeType::SYNTHETIC;
            !(from_synthetic
                && has_string_name_js(h, e)
                && s.edge_name(e).ends_with(" / DevTools console"))
        })),
        NodeFilter::RetainedByEventHandlers => {
            let handlers = event_handlers(h);
            Some(retained_by(&|_, e| !handlers.get(s.edge_to[e] as usize)))
        }
        NodeFilter::DuplicatedStrings => Some(duplicated_strings(h)),
        NodeFilter::NativeContext { .. }
        | NodeFilter::SharedNativeContexts
        | NodeFilter::NoNativeContext => {
            let owner = f.native_context()?;
            Some(attribute(s).nodes_of(owner))
        }
    }
}

/// `hasStringName()` of JSHeapSnapshotEdge: shortcut names that parse as numbers are not.
fn has_string_name_js(h: &Heap, e: usize) -> bool {
    let s = &h.snap;
    if s.edge_type[e] == EdgeType::SHORTCUT {
        return crate::util::js_parse_int(s.strings.get(s.edge_name[e])).is_none();
    }
    s.edge_has_string_name(e)
}

fn edge_target_named(h: &Heap, o: u32, name: &str) -> Option<u32> {
    let s = &h.snap;
    s.edges(o)
        .find(|&e| s.edge_name(e) == name)
        .map(|e| s.edge_to[e])
}

fn internal_target(h: &Heap, o: u32, name: &str) -> Option<u32> {
    let s = &h.snap;
    s.edges(o)
        .find(|&e| s.edge_type[e] == EdgeType::INTERNAL && s.edge_name(e) == name)
        .map(|e| s.edge_to[e])
}

fn event_handlers(h: &Heap) -> BitVec {
    let s = &h.snap;
    let mut set = BitVec::new(s.node_count());
    for o in 0..s.node_count() as u32 {
        if s.raw_name(o) != "V8EventListener" {
            continue;
        }
        let Some(cb) = edge_target_named(h, o, "1") else {
            continue;
        };
        if edge_target_named(h, cb, "code").is_some() {
            set.set(cb as usize);
            continue;
        }
        let mut found = false;
        for e in s.edges(cb) {
            let child = s.edge_to[e];
            if edge_target_named(h, child, "code").is_some() {
                set.set(child as usize);
                found = true;
                break;
            }
        }
        if !found {
            set.set(cb as usize);
        }
    }
    set
}

fn value_as_int(h: &Heap, o: u32) -> Option<f64> {
    let s = &h.snap;
    if s.ntype(o) != NodeType::NUMBER || s.raw_name(o) != "int" {
        return None;
    }
    let v = internal_target(h, o, "value")?;
    crate::util::js_parse_int(s.raw_name(v))
}

/// (length, hash) of a string V8 truncated, or None when it was not truncated.
fn truncation(h: &Heap, o: u32) -> Option<(Option<f64>, Option<f64>)> {
    let s = &h.snap;
    let t = internal_target(h, o, "truncated")?;
    if s.ntype(t) != NodeType::NUMBER || s.raw_name(t) != "bool" {
        return None;
    }
    let v = internal_target(h, t, "value")?;
    if s.raw_name(v) != "true" {
        return None;
    }
    let len = internal_target(h, o, "length").and_then(|x| value_as_int(h, x));
    let hash = internal_target(h, o, "hash").and_then(|x| value_as_int(h, x));
    Some((len, hash))
}

pub fn is_flat_cons_string(h: &Heap, o: u32) -> bool {
    let s = &h.snap;
    if s.ntype(o) != NodeType::CONS_STRING {
        return false;
    }
    s.edges(o).any(|e| {
        s.edge_type[e] == EdgeType::INTERNAL
            && matches!(s.edge_name(e).as_str(), "first" | "second")
            && h.display_name(s.edge_to[e]).is_empty()
    })
}

/// (node, length, hash) of a truncated string seen first.
type TruncatedEntry = (u32, Option<f64>, Option<f64>);

/// Strings whose value occurs more than once (flat cons strings and size-0 strings aside).
pub fn duplicated_strings(h: &Heap) -> BitVec {
    let s = &h.snap;
    let mut set = BitVec::new(s.node_count());
    let mut plain: HashMap<String, u32> = HashMap::new();
    let mut truncated: HashMap<String, Vec<TruncatedEntry>> = HashMap::new();
    for o in 0..s.node_count() as u32 {
        let t = s.ntype(o);
        if t != NodeType::STRING && t != NodeType::CONS_STRING {
            continue;
        }
        if is_flat_cons_string(h, o) || h.shallow[o as usize] == 0 {
            continue;
        }
        let name = h.display_name(o);
        if let Some((len, hash)) = truncation(h, o) {
            let entries = truncated.entry(name).or_default();
            if let Some(m) = entries.iter().find(|x| x.1 == len && x.2 == hash) {
                set.set(m.0 as usize);
                set.set(o as usize);
            } else {
                entries.push((o, len, hash));
            }
        } else if let Some(&first) = plain.get(&name) {
            set.set(first as usize);
            set.set(o as usize);
        } else {
            plain.insert(name, o);
        }
    }
    set
}
