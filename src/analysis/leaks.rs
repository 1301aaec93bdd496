//! The leak report over three snapshots (baseline, target, final): objects allocated between
//! baseline and target that are still alive in final, grouped by class and by the shape of
//! their shortest retaining path (edge names from a GC root), ranked by retained size.

use super::growth::{GrowingCollection, growing_collections};
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

/// Shortest-path parents from the GC roots (BFS like distances, weak edges skipped): the
/// edge by which each node was first reached, or u32::MAX.
fn bfs_parents(h: &Heap) -> Vec<u32> {
    let s = &h.snap;
    let n = s.node_count();
    let mut parent = vec![u32::MAX; n];
    let mut seen = vec![false; n];
    let mut queue = Vec::with_capacity(n);
    seen[s.root as usize] = true;
    // As distances do: first everything reachable from user roots (globals, DOM trees), then
    // what only the GC roots hold.
    let user: Vec<u32> = s
        .edges(s.root)
        .map(|e| s.edge_to[e])
        .filter(|&t| super::flags::is_user_root(s, t))
        .collect();
    let system: Vec<u32> = s
        .edges(s.root)
        .map(|e| s.edge_to[e])
        .filter(|&t| !super::flags::is_user_root(s, t))
        .collect();
    for seeds in [user, system] {
        let start = queue.len();
        for t in seeds {
            if !seen[t as usize] {
                seen[t as usize] = true;
                queue.push(t);
            }
        }
        let mut head = start;
        while head < queue.len() {
            let o = queue[head];
            head += 1;
            for e in s.edges(o) {
                if s.edge_type[e] == EdgeType::WEAK {
                    continue;
                }
                let t = s.edge_to[e] as usize;
                if !seen[t] {
                    seen[t] = true;
                    parent[t] = e as u32;
                    queue.push(t as u32);
                }
            }
        }
    }
    parent
}

fn edge_source(h: &Heap, e: u32) -> u32 {
    let f = &h.snap.first_edge;
    (f.partition_point(|&x| x <= e) - 1) as u32
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

/// Steps from the root's child down to `o`, following BFS parents (at most 64).
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
    let parent = bfs_parents(fin);
    // Group by (class, folded path labels).
    let mut groups: HashMap<(String, Vec<String>), LeakGroup> = HashMap::new();
    for o in 0..n as u32 {
        if !leaked[o as usize] {
            continue;
        }
        let steps = path_to(fin, &parent, o);
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
                representative: o,
            });
        g.count += 1;
        g.shallow_size += fin.shallow[o as usize] as u64;
        if top {
            g.retained_size += r;
        }
        if r > fin.retained[g.representative as usize] || g.path.is_empty() {
            g.representative = o;
            g.representative_id = fin.id(o);
            g.path = steps
                .iter()
                .map(|&(from, e)| PathStep {
                    edge: folded_label(fin, e),
                    from_class: fin.class_name(from).to_string(),
                    from_id: fin.id(from),
                })
                .collect();
        }
    }
    let mut groups: Vec<LeakGroup> = groups.into_values().collect();
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
