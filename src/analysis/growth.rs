//! A series of snapshots: each class's count and sizes per snapshot (matched by DevTools'
//! class key), and collections whose entry count grows in every snapshot (matched by id).

use super::Heap;
use super::summary::{ClassAggregate, aggregates};
use crate::snapshot::{EdgeType, NodeType};
use std::collections::HashMap;

#[derive(Clone, Debug, serde::Serialize)]
pub struct ClassSeries {
    pub name: String,
    #[serde(skip)]
    pub key: String,
    pub counts: Vec<u64>,
    pub shallow_sizes: Vec<u64>,
    pub retained_sizes: Vec<u64>,
}

impl ClassSeries {
    /// Grows from each snapshot to the next (strictly), by count or by shallow size.
    pub fn grows_every_time(&self, by_size: bool) -> bool {
        let v = if by_size {
            &self.shallow_sizes
        } else {
            &self.counts
        };
        v.len() >= 2 && v.windows(2).all(|w| w[1] > w[0])
    }
    /// Last minus first, by count or shallow size.
    pub fn growth(&self, by_size: bool) -> i64 {
        let v = if by_size {
            &self.shallow_sizes
        } else {
            &self.counts
        };
        match (v.first(), v.last()) {
            (Some(&a), Some(&b)) => b as i64 - a as i64,
            _ => 0,
        }
    }
}

/// One row per class key seen in any snapshot, in first-seen order; `summaries[i]` are the
/// Summary rows (all objects) of snapshot i.
pub fn class_series(summaries: &[&[ClassAggregate]]) -> Vec<ClassSeries> {
    let n = summaries.len();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut out: Vec<ClassSeries> = Vec::new();
    for (i, rows) in summaries.iter().enumerate() {
        for r in rows.iter() {
            let k = *index.entry(r.key.as_str()).or_insert_with(|| {
                out.push(ClassSeries {
                    name: r.name.clone(),
                    key: r.key.clone(),
                    counts: vec![0; n],
                    shallow_sizes: vec![0; n],
                    retained_sizes: vec![0; n],
                });
                out.len() - 1
            });
            out[k].counts[i] = r.count;
            out[k].shallow_sizes[i] = r.shallow_size;
            out[k].retained_sizes[i] = r.retained_size;
        }
    }
    out
}

/// Convenience: Summary rows for each heap, then the series.
pub fn series_of(heaps: &[&Heap]) -> Vec<ClassSeries> {
    let rows: Vec<Vec<ClassAggregate>> = heaps.iter().map(|h| aggregates(h, None)).collect();
    let refs: Vec<&[ClassAggregate]> = rows.iter().map(|r| r.as_slice()).collect();
    class_series(&refs)
}

/// Entries a collection holds: its own named and indexed references plus those of its
/// backing stores (`table` for Map/Set, `elements` and `properties` for arrays and objects).
pub fn entry_count(h: &Heap, o: u32) -> u64 {
    let s = &h.snap;
    let mut n = 0u64;
    for e in s.edges(o) {
        match s.edge_type[e] {
            EdgeType::ELEMENT => n += 1,
            EdgeType::PROPERTY if s.edge_str(e) != Some("__proto__") => n += 1,
            EdgeType::INTERNAL => {
                if matches!(s.edge_str(e), Some("table" | "elements" | "properties")) {
                    n += s.edges(s.edge_to[e]).len() as u64;
                }
            }
            _ => {}
        }
    }
    n
}

/// Is `o` a collection worth following: a Map, Set, Array or plain object.
pub fn is_collection(h: &Heap, o: u32) -> bool {
    if h.snap.ntype(o) != NodeType::OBJECT {
        return false;
    }
    matches!(h.snap.raw_name(o), "Map" | "Set" | "Array" | "Object")
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct GrowingCollection {
    pub id: u32,
    pub class: String,
    /// Entry count per snapshot.
    pub entries: Vec<u64>,
    /// Retained size in the last snapshot.
    pub retained_size: u64,
    /// Ordinal in the last snapshot.
    #[serde(skip)]
    pub node: u32,
}

/// Collections present in every snapshot (same id) whose entry count grows every time,
/// largest growth first.
pub fn growing_collections(heaps: &[&Heap]) -> Vec<GrowingCollection> {
    if heaps.len() < 2 {
        return Vec::new();
    }
    // Sorted (id, ordinal) per snapshot for id lookups without hash maps per node.
    let index: Vec<Vec<(u32, u32)>> = heaps
        .iter()
        .map(|h| {
            let mut v: Vec<(u32, u32)> = (0..h.node_count() as u32)
                .filter(|&o| is_collection(h, o))
                .map(|o| (h.id(o), o))
                .collect();
            v.sort_unstable();
            v
        })
        .collect();
    let last = heaps.len() - 1;
    let mut out = Vec::new();
    for &(id, o_last) in &index[last] {
        let mut entries = Vec::with_capacity(heaps.len());
        let mut ok = true;
        for (k, h) in heaps.iter().enumerate() {
            match index[k].binary_search_by_key(&id, |&(i, _)| i) {
                Ok(p) => entries.push(entry_count(h, index[k][p].1)),
                Err(_) => {
                    ok = false;
                    break;
                }
            }
        }
        if ok && entries.windows(2).all(|w| w[1] > w[0]) {
            let hl = heaps[last];
            out.push(GrowingCollection {
                id,
                class: hl.class_name(o_last).to_string(),
                entries,
                retained_size: hl.retained.get(o_last),
                node: o_last,
            });
        }
    }
    out.sort_by_key(|c| {
        std::cmp::Reverse(c.entries.last().unwrap_or(&0) - c.entries.first().unwrap_or(&0))
    });
    out
}
