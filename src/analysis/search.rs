//! Object search by name: a case-insensitive substring over the names objects show (as
//! DevTools' search, objects with no shallow size are skipped since no view lists them).

use super::Heap;
use crate::snapshot::NodeType;
use crate::util::BitVec;

/// Up to `limit` matching objects (largest retained size first) and how many match in all.
pub fn find_objects(h: &Heap, query: &str, limit: usize) -> (Vec<u32>, usize) {
    let q = query.to_lowercase();
    if q.is_empty() {
        return (Vec::new(), 0);
    }
    let s = &h.snap;
    // Strings whose text matches, so most nodes need one bit test.
    let mut hit = BitVec::new(s.strings.len());
    for i in 0..s.strings.len() as u32 {
        let t = s.strings.get(i);
        let m = if t.is_ascii() {
            t.len() >= q.len()
                && t.as_bytes()
                    .windows(q.len())
                    .any(|w| w.eq_ignore_ascii_case(q.as_bytes()))
        } else {
            t.to_lowercase().contains(&q)
        };
        if m {
            hit.set(i as usize);
        }
    }
    let mut found: Vec<u32> = Vec::new();
    for o in 0..h.node_count() as u32 {
        if h.shallow[o as usize] == 0 {
            continue;
        }
        // Names that DevTools builds (cons strings, plain objects) are checked in full.
        let built = matches!(s.ntype(o), NodeType::CONS_STRING)
            || (s.ntype(o) == NodeType::OBJECT && s.raw_name(o) == "Object");
        let m = if built {
            h.display_name(o).to_lowercase().contains(&q)
        } else {
            hit.get(s.node_name[o as usize] as usize)
        };
        if m {
            found.push(o);
        }
    }
    let total = found.len();
    found.sort_unstable_by_key(|&o| std::cmp::Reverse(h.retained.get(o)));
    found.truncate(limit);
    (found, total)
}
