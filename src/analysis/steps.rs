//! How the steps of a retaining path read: a scope as `scope of makeOrders (orders.js:10)`,
//! its edge as `variable cache`, a closure as `handle() leak.js:12`, other objects by class.

use super::Heap;
use super::locations::{Locations, SourceLocation, short_script};
use super::paths::{Hop, RetainingPath};
use crate::snapshot::{EdgeType, NodeType};

/// One step of a path as people read it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Step {
    /// The object the edge leaves: `scope of handle (leak.js:12)`, `Map`, `handle()`.
    pub label: String,
    /// The edge: `variable cache`, `.tick`, `[3]`, `{table}`.
    pub edge: String,
    pub id: u32,
    pub location: Option<SourceLocation>,
    #[serde(skip)]
    pub node: u32,
}

/// An edge label as DevTools' `toString()` writes it: `.prop`, `[3]`, `->ctx`, `{internal}`.
pub fn devtools_edge_label(h: &Heap, e: usize) -> String {
    use EdgeType as T;
    let s = &h.snap;
    let name = s.edge_name(e);
    match s.edge_type[e] {
        T::CONTEXT => format!("->{name}"),
        T::ELEMENT => format!("[{name}]"),
        T::WEAK => format!("[[{name}]]"),
        T::PROPERTY | T::SHORTCUT => {
            if s.edge_type[e] == T::SHORTCUT
                && crate::util::js_parse_int(s.strings.get(s.edge_name[e])).is_some()
            {
                format!("[{name}]")
            } else if name.contains(' ') {
                format!("[\"{name}\"]")
            } else {
                format!(".{name}")
            }
        }
        _ => format!("{{{name}}}"),
    }
}

/// The edge as a reader says it: scope variables as `variable NAME`, others as DevTools.
pub fn edge_label(h: &Heap, e: usize) -> String {
    if h.snap.edge_type[e] == EdgeType::CONTEXT {
        format!("variable {}", h.snap.edge_name(e))
    } else {
        devtools_edge_label(h, e)
    }
}

/// The node as a reader says it: scopes by their owner, functions by name and place,
/// everything else by class.
pub fn node_label(h: &Heap, locs: &Locations, o: u32) -> String {
    let s = &h.snap;
    if locs.is_scope(s, o) {
        return locs.scope_label(h, o);
    }
    if s.ntype(o) == NodeType::CLOSURE {
        let name = s.raw_name(o);
        let at = locs
            .of(s, o)
            .map(|l| format!("{}:{}", short_script(&l.script), l.line));
        return match (name.is_empty(), at) {
            (false, Some(at)) => format!("{name}() {at}"),
            (false, None) => format!("{name}()"),
            (true, Some(at)) => format!("function at {at}"),
            (true, None) => "(anonymous function)".into(),
        };
    }
    if s.ntype(o) == NodeType::SYNTHETIC {
        // `(GC roots)`, `(Stack roots)`: their class is only `(synthetic)`.
        return s.raw_name(o).to_string();
    }
    h.class_name(o).to_string()
}

/// A reason as a sentence: `variable cache in module scope of leak.js`,
/// `property tick of Object @47159`.
pub fn reason_text(h: &Heap, locs: &Locations, hop: &Hop) -> String {
    let e = hop.edge as usize;
    let name = h.snap.edge_name(e);
    let from = node_label(h, locs, hop.from);
    if h.snap.edge_type[e] == EdgeType::CONTEXT {
        format!("variable {name} in {from}")
    } else {
        format!("property {name} of {from} @{}", h.id(hop.from))
    }
}

/// A path's steps (root side first), each with its label, edge and location.
pub fn steps(h: &Heap, locs: &Locations, path: &RetainingPath) -> Vec<Step> {
    path.hops
        .iter()
        .map(|hop| Step {
            label: node_label(h, locs, hop.from),
            edge: edge_label(h, hop.edge as usize),
            id: h.id(hop.from),
            location: locs.of(&h.snap, hop.from),
            node: hop.from,
        })
        .collect()
}

/// A path on one line: `(Stack roots) {33} → module scope of leak.js variable cache → Map …`.
pub fn path_line(h: &Heap, locs: &Locations, path: &RetainingPath) -> String {
    let mut parts: Vec<String> = steps(h, locs, path)
        .into_iter()
        .map(|s| format!("{} {}", s.label, s.edge))
        .collect();
    parts.push(node_label(h, locs, path.target));
    parts.join(" → ")
}
