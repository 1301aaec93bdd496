//! Closure scopes (the closure-retention pattern): every `system / Context` with its owner
//! function, its retained size and its variables (the scope's `context` edges), biggest
//! first. A variable's retained size is its target's, as DevTools computes it.

use super::Heap;
use super::locations::Locations;
use crate::snapshot::EdgeType;

#[derive(Clone, Debug, serde::Serialize)]
pub struct Variable {
    pub name: String,
    /// The target object's id.
    pub id: u32,
    pub class: String,
    pub retained_size: u64,
    #[serde(skip)]
    pub node: u32,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Scope {
    /// The scope's (`system / Context`) id.
    pub id: u32,
    /// The owner function's name: `makeOrders`, `(anonymous)`, `(module)`; None when unknown.
    pub function: Option<String>,
    pub script: Option<String>,
    /// The owner's position, 1-based.
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub retained_size: u64,
    /// `scope of makeOrders (orders.js:10)`.
    pub label: String,
    pub variables: Vec<Variable>,
    #[serde(skip)]
    pub node: u32,
}

/// The variables of scope `ctx`, biggest retained size first (names break ties).
pub fn variables(h: &Heap, ctx: u32) -> Vec<Variable> {
    let s = &h.snap;
    let mut v: Vec<Variable> = s
        .edges(ctx)
        .filter(|&e| s.edge_type[e] == EdgeType::CONTEXT)
        .map(|e| {
            let t = s.edge_to[e];
            Variable {
                name: s.edge_name(e),
                id: h.id(t),
                class: h.class_name(t).to_string(),
                retained_size: h.retained.get(t),
                node: t,
            }
        })
        .collect();
    v.sort_by(|a, b| {
        b.retained_size
            .cmp(&a.retained_size)
            .then_with(|| a.name.cmp(&b.name))
    });
    v
}

/// One scope with its owner and variables.
pub fn scope(h: &Heap, locs: &Locations, ctx: u32) -> Scope {
    let s = &h.snap;
    let owner = locs.scope_owner(s, ctx);
    let location = owner.as_ref().and_then(|o| o.location.clone());
    Scope {
        id: h.id(ctx),
        function: owner.as_ref().map(|o| o.function_label().to_string()),
        script: locs.scope_script(h, ctx),
        line: location.as_ref().map(|l| l.line),
        column: location.as_ref().map(|l| l.column),
        retained_size: h.retained.get(ctx),
        label: locs.scope_label(h, ctx),
        variables: variables(h, ctx),
        node: ctx,
    }
}

/// Every scope in the snapshot, biggest retained size first (ids break ties).
pub fn scopes(h: &Heap, locs: &Locations) -> Vec<Scope> {
    let s = &h.snap;
    let mut nodes: Vec<u32> = (0..s.node_count() as u32)
        .filter(|&o| locs.is_scope(s, o))
        .collect();
    nodes.sort_by(|&a, &b| {
        h.retained
            .get(b)
            .cmp(&h.retained.get(a))
            .then(h.id(a).cmp(&h.id(b)))
    });
    nodes.into_iter().map(|c| scope(h, locs, c)).collect()
}
