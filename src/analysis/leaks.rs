//! The leak report over three snapshots (baseline, target, final): objects allocated between
//! baseline and target that are still alive in final, grouped by class and by the shape of
//! their shortest retaining path (edge names from a GC root), ranked by retained size.

use super::explain::{Explainer, edge_source};
use super::growth::{GrowingCollection, growing_collections};
use super::locations::{Locations, SourceLocation};
use super::steps::{edge_label, node_label, reason_text};
use super::{Heap, dom_state::DETACHED};
use crate::snapshot::{EdgeType, NodeType};
use std::collections::HashMap;

#[derive(Clone, Debug, serde::Serialize)]
pub struct PathStep {
    /// Edge name as a label (`.cache`, `[]`, `->ctx`...), numbers folded so that siblings group.
    pub edge: String,
    /// Class of the object the edge leaves.
    pub from_class: String,
    pub from_id: u32,
    /// The object as a reader says it: `module scope of leak.js`, `Map`, `handle() leak.js:12`.
    pub from_label: String,
    /// The edge as a reader says it: `variable cache`, `._events`, `[3]`.
    pub edge_label: String,
    /// Where the object comes from in the code (1-based), when known.
    pub location: Option<SourceLocation>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct LeakGroup {
    pub class: String,
    pub count: u64,
    /// Retained size (in final) of the group's topmost members.
    pub retained_size: u64,
    pub shallow_size: u64,
    /// The retaining path of the representative, from a GC root down to it.
    pub path: Vec<PathStep>,
    pub representative_id: u32,
    /// Why the representative is alive, in words: `variable cache in module scope of
    /// leak.js` (the last variable or property of a user object on its path).
    pub reason: Option<String>,
    /// The representative as a reader says it (`scope of handle (leak.js:12)`, `Session`).
    pub label: String,
    #[serde(skip)]
    pub representative: u32,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct LeakReport {
    pub groups: Vec<LeakGroup>,
    /// Detached DOM nodes in final, and how many of them are new since baseline.
    pub detached_dom: u64,
    pub new_detached_dom: u64,
    pub growing_collections: Vec<GrowingCollection>,
}

fn sorted_ids(h: &Heap) -> Vec<u32> {
    let mut v = h.snap.node_id.clone();
    v.sort_unstable();
    v
}

/// Edge label with indexes folded: `[]` for elements, `{}` for hidden numbered edges.
fn folded_label(h: &Heap, e: u32) -> String {
    let s = &h.snap;
    let e = e as usize;
    match s.edge_type[e] {
        EdgeType::ELEMENT => "[]".into(),
        EdgeType::HIDDEN => "{}".into(),
        EdgeType::CONTEXT => format!("->{}", s.edge_name(e)),
        EdgeType::INTERNAL => {
            let name = s.edge_name(e);
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_digit()) {
                "{}".into()
            } else {
                format!("{{{name}}}")
            }
        }
        _ => {
            let name = s.edge_name(e);
            if name.chars().all(|c| c.is_ascii_digit()) && !name.is_empty() {
                "[]".into()
            } else {
                format!(".{name}")
            }
        }
    }
}

/// Steps from the root's child down to `o` along its explaining path (at most 64, the
/// ones nearest the object).
fn path_to(h: &Heap, parent: &[u32], o: u32) -> Vec<(u32, u32)> {
    let mut steps = Vec::new();
    let mut cur = o;
    while parent[cur as usize] != u32::MAX && steps.len() < 64 {
        let e = parent[cur as usize];
        let from = edge_source(h, e);
        steps.push((from, e));
        cur = from;
    }
    steps.reverse();
    steps
}

fn path_steps(h: &Heap, locs: &Locations, steps: &[(u32, u32)]) -> Vec<PathStep> {
    steps
        .iter()
        .map(|&(from, e)| PathStep {
            edge: folded_label(h, e),
            from_class: h.class_name(from).to_string(),
            from_id: h.id(from),
            from_label: node_label(h, locs, from),
            edge_label: edge_label(h, e as usize),
            location: locs.of(&h.snap, from),
        })
        .collect()
}

/// Objects of the runtime itself (compiled code, feedback, hidden objects, internal arrays).
fn is_v8_internal(h: &Heap, o: u32) -> bool {
    match h.snap.ntype(o) {
        NodeType::CODE | NodeType::HIDDEN => true,
        NodeType::ARRAY => h.snap.raw_name(o) == "(internal array)",
        _ => false,
    }
}

/// The class the folded runtime groups get.
pub const V8_INTERNALS: &str = "V8 internals";

/// Groups of runtime objects (compiled code, feedback...) folded into one "V8 internals"
/// group: they follow the user's leak and are not what to fix.
fn fold_internals(h: &Heap, groups: Vec<LeakGroup>) -> Vec<LeakGroup> {
    let (internal, mut out): (Vec<LeakGroup>, Vec<LeakGroup>) = groups
        .into_iter()
        .partition(|g| is_v8_internal(h, g.representative));
    let Some(biggest) = internal
        .iter()
        .max_by_key(|g| h.retained[g.representative as usize])
    else {
        return out;
    };
    let mut folded = LeakGroup {
        class: V8_INTERNALS.to_string(),
        count: 0,
        retained_size: 0,
        shallow_size: 0,
        path: Vec::new(),
        representative_id: biggest.representative_id,
        label: V8_INTERNALS.to_string(),
        reason: None,
        representative: biggest.representative,
    };
    for g in &internal {
        folded.count += g.count;
        folded.retained_size += g.retained_size;
        folded.shallow_size += g.shallow_size;
    }
    out.push(folded);
    out
}

pub fn leak_report(baseline: &Heap, target: &Heap, fin: &Heap) -> LeakReport {
    let base_ids = sorted_ids(baseline);
    let target_ids = sorted_ids(target);
    let n = fin.node_count();
    let leaked: Vec<bool> = (0..n)
        .map(|o| {
            let id = fin.snap.node_id[o];
            fin.shallow[o] > 0
                && target_ids.binary_search(&id).is_ok()
                && base_ids.binary_search(&id).is_err()
        })
        .collect();
    // Paths as people read them: through variables and user objects rather than the
    // runtime's timer lists and code caches (see `explain`).
    let locs = Locations::build(&fin.snap);
    let explainer = Explainer::build(fin, &locs);
    let parent = &explainer.parent;
    // Group by (class, folded path labels).
    let mut groups: HashMap<(String, Vec<String>), LeakGroup> = HashMap::new();
    for o in 0..n as u32 {
        if !leaked[o as usize] {
            continue;
        }
        let steps = path_to(fin, parent, o);
        let labels: Vec<String> = steps.iter().map(|&(_, e)| folded_label(fin, e)).collect();
        let class = fin.class_name(o).to_string();
        let r = fin.retained[o as usize];
        // Topmost: the dominator is not itself a leaked object.
        let top = !leaked[fin.idom[o as usize] as usize];
        let g = groups
            .entry((class.clone(), labels))
            .or_insert_with(|| LeakGroup {
                class,
                count: 0,
                retained_size: 0,
                shallow_size: 0,
                path: Vec::new(),
                representative_id: fin.id(o),
                label: String::new(),
                reason: None,
                representative: o,
            });
        g.count += 1;
        g.shallow_size += fin.shallow[o as usize] as u64;
        if top {
            g.retained_size += r;
        }
        if r > fin.retained[g.representative as usize] {
            g.representative = o;
            g.representative_id = fin.id(o);
        }
    }
    let mut groups = fold_internals(fin, groups.into_values().collect());
    for g in &mut groups {
        if let Some(path) = explainer.best_path(fin, g.representative) {
            g.reason = explainer
                .last_reason(fin, &path)
                .map(|hop| reason_text(fin, &locs, &hop));
        }
        g.path = path_steps(fin, &locs, &path_to(fin, parent, g.representative));
        if g.label.is_empty() {
            g.label = node_label(fin, &locs, g.representative);
        }
    }
    groups.sort_by(|a, b| {
        b.retained_size
            .cmp(&a.retained_size)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.class.cmp(&b.class))
    });
    let detached: Vec<u32> = (0..n as u32)
        .filter(|&o| fin.snap.ntype(o) == NodeType::NATIVE && fin.dom_state[o as usize] == DETACHED)
        .collect();
    let new_detached = detached
        .iter()
        .filter(|&&o| base_ids.binary_search(&fin.id(o)).is_err())
        .count() as u64;
    LeakReport {
        groups,
        detached_dom: detached.len() as u64,
        new_detached_dom: new_detached,
        growing_collections: growing_collections(&[baseline, target, fin]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A root holding a user object, compiled code, a hidden object and an internal array.
    fn heap() -> Heap {
        let text = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],
"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic"],"string","number","number","number"],
"edge_fields":["type","name_or_index","to_node"],
"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"]},
"node_count":5,"edge_count":4},
"nodes":[9,0,1,0,4, 3,1,3,40,0, 4,2,5,100,0, 0,3,7,30,0, 1,4,9,20,0],
"edges":[2,5,5, 2,5,10, 2,5,15, 2,5,20],
"strings":["","Order","(code)","hidden","(internal array)","x"]}"#;
        let snap = crate::snapshot::read_snapshot_from(
            text.as_bytes(),
            text.len() as u64,
            std::path::Path::new("toy"),
        )
        .unwrap();
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let progress = |_: &str, _: f32| {};
        crate::analysis::analyze(snap, &crate::analysis::Control::new(&progress, &cancel))
            .unwrap_or_else(|_| panic!("analysed"))
    }

    fn group(h: &Heap, o: u32) -> LeakGroup {
        LeakGroup {
            class: h.class_name(o).to_string(),
            count: 1 + o as u64,
            retained_size: h.retained[o as usize],
            shallow_size: h.shallow[o as usize] as u64,
            path: Vec::new(),
            representative_id: h.id(o),
            reason: None,
            label: h.class_name(o).to_string(),
            representative: o,
        }
    }

    #[test]
    fn code_hidden_objects_and_internal_arrays_fold_into_one_group() {
        let h = heap();
        let out = fold_internals(&h, (1..5).map(|o| group(&h, o)).collect());
        let classes: Vec<&str> = out.iter().map(|g| g.class.as_str()).collect();
        assert_eq!(classes, ["Order", V8_INTERNALS]);
        let folded = &out[1];
        assert_eq!(folded.count, 3 + 4 + 5, "the counts of the three groups");
        assert_eq!(folded.shallow_size, 100 + 30 + 20);
        assert_eq!(folded.retained_size, 100 + 30 + 20);
        // The representative is the biggest of them: the compiled code.
        assert_eq!((folded.representative, folded.representative_id), (2, 5));
    }

    #[test]
    fn without_runtime_objects_nothing_is_folded() {
        let h = heap();
        let out = fold_internals(&h, vec![group(&h, 1)]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].class, "Order");
    }
}
