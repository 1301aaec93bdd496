//! What kind of leak a row is, in the words of Node's memory-debugging guide, and the
//! one-line fix that goes with it.

use super::RawRow;
use super::holders::NONE;
use crate::analysis::Heap;
use crate::analysis::dom_state::DETACHED;
use crate::analysis::explain::{Explainer, edge_source};
use crate::analysis::locations::Locations;
use crate::snapshot::{EdgeType, NodeType};

/// The leak patterns of the guide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pattern {
    /// An unbounded Map, Set, Array or object used as a map.
    Collection,
    /// A listener list that grows (EventEmitter `_events`, a library's listener arrays).
    Listeners,
    /// Interval or timeout callbacks never cleared.
    Timers,
    /// A scope that keeps alive what its closures share (a chain of `previous` objects).
    Closure,
    DetachedDom,
    /// A global or module variable.
    Global,
    Other,
}

impl Pattern {
    pub fn word(self) -> &'static str {
        match self {
            Pattern::Collection => "collection",
            Pattern::Listeners => "listeners",
            Pattern::Timers => "timers",
            Pattern::Closure => "closure",
            Pattern::DetachedDom => "detached-dom",
            Pattern::Global => "global",
            Pattern::Other => "other",
        }
    }
}

/// The edge into `o` on its explaining path, and the node it leaves.
pub fn incoming(h: &Heap, ex: &Explainer, o: u32) -> Option<(u32, u32)> {
    let e = *ex.parents().get(o as usize)?;
    (e != NONE).then(|| (edge_source(h, e), e))
}

fn edge_named(h: &Heap, e: u32, pred: impl Fn(&str) -> bool) -> bool {
    h.snap.edge_str(e as usize).is_some_and(pred)
}

fn listenerish(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "_events"
        || ["listener", "handler", "observer", "callback", "subscriber"]
            .iter()
            .any(|w| n.contains(w))
}

/// The event a listener list serves: the property under an emitter's `_events`.
pub fn event_name(h: &Heap, ex: &Explainer, holder: u32, edge: u32) -> Option<String> {
    // `_events.tick` holds one function or the array of several.
    if let Some((from, e)) = incoming(h, ex, holder)
        && edge_named(h, e, |_| true)
        && incoming(h, ex, from).is_some_and(|(_, e2)| edge_named(h, e2, |n| n == "_events"))
    {
        return h.snap.edge_str(e as usize).map(str::to_string);
    }
    let into_holder = incoming(h, ex, holder).map(|(_, e)| e);
    if into_holder.is_some_and(|e| edge_named(h, e, |n| n == "_events")) && edge != NONE {
        return h.snap.edge_str(edge as usize).map(str::to_string);
    }
    None
}

fn is_listener_list(h: &Heap, ex: &Explainer, holder: u32, edge: u32) -> bool {
    if edge != NONE && edge_named(h, edge, listenerish) {
        return true;
    }
    // The holder or its owner is reached through `_events`, `_listeners`, `handlers`...
    let mut cur = holder;
    for _ in 0..2 {
        let Some((from, e)) = incoming(h, ex, cur) else {
            return false;
        };
        if edge_named(h, e, listenerish) {
            return true;
        }
        cur = from;
    }
    false
}

/// Does the explaining path from the holder down to `o` go through an event listener or an
/// observer (a DOM listener, a ResizeObserver's callback)?
fn through_listener(h: &Heap, ex: &Explainer, o: u32, holder: u32) -> bool {
    let mut cur = o;
    for _ in 0..64 {
        let Some((from, e)) = incoming(h, ex, cur) else {
            return false;
        };
        let class = h.class_name(from);
        if class.contains("EventListener")
            || class.ends_with("Observer")
            || edge_named(h, e, listenerish)
        {
            return true;
        }
        if from == holder {
            return false;
        }
        cur = from;
    }
    false
}

fn is_global_object(h: &Heap, o: u32) -> bool {
    let name = h.snap.raw_name(o);
    let class = h.class_name(o);
    name == "global" || class == "global" || class.starts_with("Window") || name == "Window"
}

fn is_scope_node(h: &Heap, o: u32) -> bool {
    h.snap.ntype(o) == NodeType::OBJECT && h.snap.raw_name(o).starts_with("system / Context")
}

fn is_collection_holder(h: &Heap, o: u32) -> bool {
    h.snap.ntype(o) == NodeType::OBJECT
        && matches!(
            h.class_name(o),
            "Map" | "Set" | "Array" | "Object" | "WeakMap" | "WeakSet"
        )
}

pub fn classify(h: &Heap, locs: &Locations, ex: &Explainer, row: &RawRow) -> Pattern {
    let o = row.representative;
    let class = h.class_name(o);
    if class.starts_with("Detached ")
        || (h.snap.ntype(o) == NodeType::NATIVE && h.dom_state[o as usize] == DETACHED)
    {
        return Pattern::DetachedDom;
    }
    let holder = row.holder;
    let holder_class = if holder == NONE {
        ""
    } else {
        h.class_name(holder)
    };
    if matches!(class, "Timeout" | "Immediate") || holder_class == "TimersList" {
        return Pattern::Timers;
    }
    if holder == NONE {
        return Pattern::Other;
    }
    if is_listener_list(h, ex, holder, row.holder_edge) || through_listener(h, ex, o, holder) {
        return Pattern::Listeners;
    }
    let function_scope = locs.is_scope(&h.snap, holder)
        && !locs
            .scope_owner(&h.snap, holder)
            .is_some_and(|owner| owner.is_module);
    if row.via_scope * 2 > row.main_members || (function_scope && is_scope_node(h, holder)) {
        return Pattern::Closure;
    }
    if is_global_object(h, holder) || locs.is_scope(&h.snap, holder) {
        return Pattern::Global;
    }
    if is_collection_holder(h, holder) {
        return Pattern::Collection;
    }
    Pattern::Other
}

/// A method that ends an object's life, found on its prototype chain.
pub fn disposer(h: &Heap, o: u32) -> Option<&'static str> {
    const NAMES: [&str; 7] = [
        "dispose",
        "destroy",
        "close",
        "unmount",
        "unsubscribe",
        "disconnect",
        "release",
    ];
    let s = &h.snap;
    let mut cur = o;
    for _ in 0..6 {
        let proto = s
            .edges(cur)
            .find(|&e| s.edge_type[e] == EdgeType::PROPERTY && s.edge_str(e) == Some("__proto__"))
            .map(|e| s.edge_to[e])?;
        for name in NAMES {
            let has = s.edges(proto).any(|e| {
                s.edge_type[e] == EdgeType::PROPERTY
                    && s.edge_str(e) == Some(name)
                    && s.ntype(s.edge_to[e]) == NodeType::CLOSURE
            });
            if has {
                return Some(name);
            }
        }
        cur = proto;
    }
    None
}

/// The fix in one line.
pub fn fix(pattern: Pattern, class: &str, disposer: Option<&str>, detail: &Detail) -> String {
    let holder = &detail.holder;
    if let Some(d) = disposer
        && matches!(
            pattern,
            Pattern::Collection | Pattern::Listeners | Pattern::Other
        )
    {
        return format!(
            "call {d}() on each {class} when done with it: {holder} keeps it until then"
        );
    }
    match pattern {
        Pattern::Collection => format!(
            "bound the cache or key it weakly (WeakMap, WeakRef): {holder} keeps every entry; delete entries when done"
        ),
        Pattern::Listeners => match &detail.event {
            Some(ev) => format!(
                "remove the '{ev}' listener with off() / removeListener() when its owner goes away"
            ),
            None => {
                "remove the listener (off(), removeListener(), dispose()) when its owner goes away"
                    .into()
            }
        },
        Pattern::Timers => {
            "clearInterval() / clearTimeout() the timer when its owner is done with it".into()
        }
        Pattern::Closure => match &detail.variable {
            Some(v) => format!(
                "don't let closures capture `{v}`: set it to null after use, or create the closure outside that scope"
            ),
            None => {
                "don't let a long-lived closure share the scope that holds these objects".into()
            }
        },
        Pattern::DetachedDom => {
            format!("drop the references to removed DOM nodes: {holder} still holds them")
        }
        Pattern::Global => format!(
            "don't keep per-call objects in a global or module variable ({holder}); keep them local or bounded"
        ),
        Pattern::Other => format!("release the reference from {holder} when done"),
    }
}

/// Words the fix is built from.
pub struct Detail {
    pub holder: String,
    pub event: Option<String>,
    pub variable: Option<String>,
}
