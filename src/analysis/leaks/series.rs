//! Rows over a series: objects new since the first snapshot, grouped where they accumulate
//! (holder, class of the topmost new object), then counted in every snapshot of the series.

use super::holders::{HolderWalk, NONE, Since, Tops, code_key};
use super::{MemberStat, RawRow};
use crate::analysis::Heap;
use crate::analysis::explain::Explainer;
use rustc_hash::FxHashMap;

/// Runtime objects (compiled code, feedback, hidden objects, internal arrays): they follow
/// the user's code, and are never what to fix.
pub fn is_v8_internal(h: &Heap, o: u32) -> bool {
    use crate::snapshot::NodeType;
    match h.snap.ntype(o) {
        NodeType::CODE | NodeType::HIDDEN => true,
        NodeType::ARRAY => h.snap.raw_name(o) == "(internal array)",
        _ => false,
    }
}

/// The key of every runtime object's row: they fold into one.
const INTERNALS_KEY: (u32, u32, u64) = (NONE, NONE, 0);

/// The rows of the last snapshot: one per (holder, class of the top objects), with the
/// new top objects' count and sizes, and the classes of what they own.
pub fn rows_of_last(h: &Heap, ex: &Explainer, since: Since) -> Vec<RawRow> {
    let mut tops = Tops::new(h, since.clone());
    let mut by_dom = HolderWalk::by_dominators(h, since.clone());
    let mut words = HolderWalk::new(h, ex, since.clone());
    let mut index: FxHashMap<(u32, u32, u64), usize> = FxHashMap::default();
    let mut rows: Vec<RawRow> = Vec::new();
    for o in 0..h.node_count() as u32 {
        if !since.is_new(h, o) || tops.of(o) != o {
            continue;
        }
        let internal = is_v8_internal(h, o);
        let key_holder = by_dom.of(o).holder;
        let key = if internal {
            INTERNALS_KEY
        } else {
            (key_holder, h.class[o as usize], code_key(h, o))
        };
        let r = *index.entry(key).or_insert_with(|| {
            let mut row = RawRow::new(h, o, words.of(o), internal);
            row.key_holder = key_holder;
            rows.push(row);
            rows.len() - 1
        });
        rows[r].add_top(h, o);
    }
    for row in &mut rows {
        members_of(h, row, &since);
    }
    rows
}

/// The classes of the objects the tops own (their dominated new objects, tops included):
/// count, and the retained size of each class's topmost objects (a class inside itself, as
/// in a linked list, is counted once). Also notes the row's own class held inside a scope
/// (a closure chain: each object kept by the scope of the next one's methods).
pub fn members_of(h: &Heap, row: &mut RawRow, since: &Since) {
    let mut stats: FxHashMap<(u32, u64), MemberStat> = FxHashMap::default();
    let mut open: FxHashMap<(u32, u64), u32> = FxHashMap::default();
    // (node, entering?) pairs: a DFS that knows which classes are open above a node.
    let mut stack: Vec<(u32, bool)> = Vec::new();
    let tops = std::mem::take(&mut row.tops);
    for &t in &tops {
        stack.push((t, true));
        while let Some((o, enter)) = stack.pop() {
            let class = (h.class[o as usize], code_key(h, o));
            if !enter {
                *open.get_mut(&class).expect("opened") -= 1;
                continue;
            }
            if o != t && class == (row.class, row.code) {
                row.note_member(h, o);
            }
            let depth = open.entry(class).or_insert(0);
            let st = stats
                .entry(class)
                .or_insert_with(|| MemberStat::new(class.0, o, class.1));
            st.count += 1;
            if *depth == 0 {
                st.retained_size += h.retained.get(o);
            }
            *depth += 1;
            stack.push((o, false));
            for &c in h.dominator_tree.of(o) {
                if since.is_new(h, c) {
                    stack.push((c, true));
                }
            }
        }
    }
    row.tops = tops;
    let mut v: Vec<MemberStat> = stats.into_values().collect();
    v.sort_by(|a, b| {
        b.retained_size
            .cmp(&a.retained_size)
            .then(a.class.cmp(&b.class))
    });
    row.members = v;
}

/// What to count in each snapshot: rows by (holder id, class and code of the top object),
/// and per row the class (and code) whose objects are counted.
pub struct CountKeys {
    pub keys: Vec<(u32, String, u64, usize)>,
    pub row_class: Vec<(String, u64)>,
    /// The row of runtime objects, counted as the new top objects of the runtime.
    pub internals: Option<usize>,
}

/// Each row's count of its own class's objects in snapshot `h`: objects whose top is held
/// where the row's is (same holder id, same top class). Old objects are their own tops, so
/// a collection that holds the same number of entries in every snapshot counts the same.
pub fn count_in(h: &Heap, since: &Since, keys: &CountKeys) -> Vec<u64> {
    let mut tops = Tops::new(h, since.clone());
    let mut walk = HolderWalk::by_dominators(h, since.clone());
    let index: FxHashMap<(u32, &str, u64), usize> = keys
        .keys
        .iter()
        .map(|(holder, class, code, row)| ((*holder, class.as_str(), *code), *row))
        .collect();
    let wanted: FxHashMap<&str, ()> = keys.row_class.iter().map(|c| (c.0.as_str(), ())).collect();
    // Per class string: 0 not looked at yet, 1 counted, 2 not counted.
    let mut interesting: Vec<u8> = vec![0; h.snap.strings.len()];
    let mut counts = vec![0u64; keys.row_class.len()];
    for o in 0..h.node_count() as u32 {
        if let Some(r) = keys.internals
            && since.is_new(h, o)
            && is_v8_internal(h, o)
            && tops.of(o) == o
        {
            counts[r] += 1;
            continue;
        }
        let c = h.class[o as usize] as usize;
        if c >= interesting.len() {
            continue;
        }
        if interesting[c] == 0 {
            interesting[c] = if wanted.contains_key(h.class_name(o)) {
                1
            } else {
                2
            };
        }
        if interesting[c] != 1 {
            continue;
        }
        let t = tops.of(o);
        if t == NONE {
            continue;
        }
        let held = walk.of(t);
        let holder_id = if held.holder == NONE {
            0
        } else {
            h.id(held.holder)
        };
        if let Some(&r) = index.get(&(holder_id, h.class_name(t), code_key(h, t)))
            && keys.row_class[r].0 == h.class_name(o)
            && keys.row_class[r].1 == code_key(h, o)
        {
            counts[r] += 1;
        }
    }
    counts
}
