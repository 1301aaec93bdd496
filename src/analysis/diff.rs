//! The Comparison view: objects matched by id within each class key between a base and a
//! target snapshot; the base is classified with the target's plain-object interfaces.

use super::summary::aggregates_with_classes;
use super::{Heap, names};
use std::collections::HashMap;

#[derive(Clone, Debug, serde::Serialize)]
pub struct DiffRow {
    pub name: String,
    #[serde(skip)]
    pub key: String,
    pub new_count: u64,
    pub deleted_count: u64,
    pub delta_count: i64,
    pub alloc_size: u64,
    pub freed_size: u64,
    pub size_delta: i64,
    /// New objects (target ordinals) and deleted ones (base ordinals), by ascending id.
    #[serde(skip)]
    pub new_members: Vec<u32>,
    #[serde(skip)]
    pub deleted_members: Vec<u32>,
}

struct Side {
    key: String,
    name: String,
    members: Vec<u32>,
}

fn sorted_by_id(h: &Heap, mut m: Vec<u32>) -> Vec<u32> {
    m.sort_unstable_by_key(|&o| h.snap.node_id[o as usize]);
    m
}

/// Comparison rows of `target` against `base`, sorted by Alloc. Size descending. The base
/// is classified with the target's interface definitions without being changed.
pub fn compare(base: &Heap, target: &Heap) -> Vec<DiffRow> {
    let mut class = base.class.clone();
    let mut appended = Vec::new();
    let mut interface_names = base.interface_names.clone();
    names::apply_interface_definitions(
        &base.snap,
        &mut class,
        &target.interfaces,
        &mut interface_names,
        &mut appended,
    );
    let base_rows: Vec<Side> = aggregates_with_classes(base, &class, &appended, None)
        .into_iter()
        .map(|a| {
            let members = sorted_by_id(base, a.members);
            // DevTools names a base-only row after its last member's own class.
            let name = members
                .last()
                .map(|&o| base.class_name(o).to_string())
                .unwrap_or(a.name);
            Side {
                key: a.key,
                name,
                members,
            }
        })
        .collect();
    let target_rows: Vec<Side> = aggregates_with_classes(target, &target.class, &[], None)
        .into_iter()
        .map(|a| Side {
            key: a.key,
            name: a.name,
            members: sorted_by_id(target, a.members),
        })
        .collect();
    let target_index: HashMap<&str, usize> = target_rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key.as_str(), i))
        .collect();
    let base_keys: HashMap<&str, ()> = base_rows.iter().map(|r| (r.key.as_str(), ())).collect();
    let mut out = Vec::new();
    for b in &base_rows {
        let t = target_index.get(b.key.as_str()).map(|&i| &target_rows[i]);
        if let Some(row) = diff_class(base, target, b, t) {
            out.push(row);
        }
    }
    for t in &target_rows {
        if base_keys.contains_key(t.key.as_str()) {
            continue;
        }
        let e = Side {
            key: t.key.clone(),
            name: t.name.clone(),
            members: Vec::new(),
        };
        if let Some(row) = diff_class(base, target, &e, Some(t)) {
            out.push(row);
        }
    }
    out.sort_by(|a, b| {
        b.alloc_size
            .cmp(&a.alloc_size)
            .then_with(|| crate::util::js_cmp(&a.name, &b.name))
    });
    out
}

fn diff_class(base: &Heap, target: &Heap, b: &Side, t: Option<&Side>) -> Option<DiffRow> {
    let tm: &[u32] = t.map_or(&[], |t| &t.members);
    let bm = &b.members;
    let mut row = DiffRow {
        name: t.map_or_else(|| b.name.clone(), |t| t.name.clone()),
        key: b.key.clone(),
        new_count: 0,
        deleted_count: 0,
        delta_count: 0,
        alloc_size: 0,
        freed_size: 0,
        size_delta: 0,
        new_members: Vec::new(),
        deleted_members: Vec::new(),
    };
    let (mut i, mut j) = (0, 0);
    let bid = |k: usize| base.snap.node_id[bm[k] as usize];
    let tid = |k: usize| target.snap.node_id[tm[k] as usize];
    let deleted = |row: &mut DiffRow, k: usize| {
        row.deleted_count += 1;
        row.freed_size += base.shallow[bm[k] as usize] as u64;
        row.deleted_members.push(bm[k]);
    };
    let added = |row: &mut DiffRow, k: usize| {
        row.new_count += 1;
        row.alloc_size += target.shallow[tm[k] as usize] as u64;
        row.new_members.push(tm[k]);
    };
    while i < bm.len() && j < tm.len() {
        if bid(i) < tid(j) {
            deleted(&mut row, i);
            i += 1;
        } else if bid(i) > tid(j) {
            added(&mut row, j);
            j += 1;
        } else {
            i += 1;
            j += 1;
        }
    }
    while i < bm.len() {
        deleted(&mut row, i);
        i += 1;
    }
    while j < tm.len() {
        added(&mut row, j);
        j += 1;
    }
    if row.new_count == 0 && row.deleted_count == 0 {
        return None;
    }
    if let Some(t) = t {
        row.key = t.key.clone();
    }
    row.delta_count = row.new_count as i64 - row.deleted_count as i64;
    row.size_delta = row.alloc_size as i64 - row.freed_size as i64;
    Some(row)
}
