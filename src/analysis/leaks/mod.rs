//! The leak report. Over a series (three snapshots or more): objects allocated after the
//! first snapshot, grouped where they accumulate ([`holders`]: the holder and the class of
//! the topmost new object, so an object's strings, arrays and model join its row), counted
//! in every snapshot; rows that grew in every interval are the leaks, ranked by the bytes
//! they added, and the rest were allocated once. Over one snapshot (a near-heap-limit file
//! has no series): the suspects, the accumulation points that hold the most ([`suspects`]).
//! Each row is named by its pattern with a fix ([`patterns`]).

mod consequences;
pub mod holders;
pub mod patterns;
mod series;
mod suspects;
mod words;

use super::Heap;
use super::explain::Explainer;
use super::growth::{GrowingCollection, growing_collections};
use super::locations::{Locations, SourceLocation};
use super::{dom_state::DETACHED, steps::reason_text};
use crate::snapshot::NodeType;
use holders::{HeldBy, NONE, Since};
pub use patterns::Pattern;
pub use series::is_v8_internal;

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

/// Where a row builds up.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Holder {
    pub id: u32,
    /// In words: `Map in variable cache in module scope of leak.js`.
    pub label: String,
    pub class: String,
    #[serde(skip)]
    pub node: u32,
}

/// The objects of one class in a row.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Member {
    pub class: String,
    /// The class as its authors named it, where a source map says so.
    pub original_class: Option<String>,
    pub count: u64,
    /// Retained size of the class's topmost objects in the row.
    pub retained_size: u64,
    /// One object of the class.
    #[serde(skip)]
    pub node: u32,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct LeakGroup {
    pub class: String,
    /// The class as its authors named it, where a source map says so (see
    /// `sources::class_names`).
    pub original_class: Option<String>,
    pub pattern: Pattern,
    /// Where the row builds up; None for objects held straight by a GC root.
    pub holder: Option<Holder>,
    /// The row's objects of its class in each snapshot of the series.
    pub counts: Vec<u64>,
    /// Objects of the row's class added since the first snapshot and alive in the last (the
    /// whole row for one snapshot).
    pub count: u64,
    /// What the row's new objects retain in the last snapshot: the bytes the leak added.
    pub retained_size: u64,
    pub shallow_size: u64,
    /// The classes of what the row's objects own, biggest first.
    pub members: Vec<Member>,
    /// Other growing rows that are this one's consequences (what its objects reach through
    /// other new objects: their listeners, registrations, DOM), folded in.
    pub folded_rows: u64,
    pub fix: String,
    /// The code of the row's class (its constructor, a closure, a timer's callback).
    pub location: Option<SourceLocation>,
    /// The retaining path of the representative, from a GC root down to it.
    pub path: Vec<PathStep>,
    pub representative_id: u32,
    /// Why the representative is alive, in words: `variable cache in module scope of
    /// leak.js` (the last variable or property of a user object on its path).
    pub reason: Option<String>,
    /// The representative as a reader says it (`scope of handle (leak.js:12)`, `Session`,
    /// `onPrice() service.js:84` for a function).
    pub label: String,
    /// The row's objects are functions (listeners, callbacks): the label names them better
    /// than their class.
    pub is_function: bool,
    #[serde(skip)]
    pub representative: u32,
}

impl LeakGroup {
    /// The row's name: `StandaloneEditor (L2)` where a source map names the class, a
    /// function by its name and place, else the class.
    pub fn title(&self) -> String {
        if self.is_function {
            // A listener or callback: its code, and the first object of a class it keeps.
            let kept = self.members.iter().find(|m| {
                m.class != self.class
                    && !m.class.starts_with("system / ")
                    && !m.class.starts_with('(')
                    && m.class != "Function"
            });
            return match kept {
                Some(m) => format!(
                    "{} holding {}",
                    self.label,
                    m.original_class.as_deref().unwrap_or(&m.class)
                ),
                None => self.label.clone(),
            };
        }
        match &self.original_class {
            Some(o) if *o != self.class => format!("{o} ({})", self.class),
            _ => self.class.clone(),
        }
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct LeakReport {
    /// How many snapshots the report read (1: `groups` are suspects, not leaks).
    pub snapshots: usize,
    /// The last snapshot's total size (what the rows' shares are of).
    pub heap_size: u64,
    /// Rows that grew in every interval, most bytes added first; for one snapshot, the
    /// accumulation points that hold the most.
    pub groups: Vec<LeakGroup>,
    /// Rows that grew but not every time: code compiled once, caches warmed once, one-off
    /// objects.
    pub allocated_once: Vec<LeakGroup>,
    /// Detached DOM nodes in the last snapshot, and how many of them are new since the first.
    pub detached_dom: u64,
    pub new_detached_dom: u64,
    pub growing_collections: Vec<GrowingCollection>,
}

/// The class the folded runtime row gets.
pub const V8_INTERNALS: &str = "V8 internals";

/// The objects of one class in a row, before words.
#[derive(Clone, Debug)]
pub struct MemberStat {
    /// Class string index.
    pub class: u32,
    /// The first object of the class met, and its code (`holders::code_key`).
    pub rep: u32,
    pub code: u64,
    pub count: u64,
    pub retained_size: u64,
}

impl MemberStat {
    fn new(class: u32, rep: u32, code: u64) -> MemberStat {
        MemberStat {
            class,
            rep,
            code,
            count: 0,
            retained_size: 0,
        }
    }
}

/// A row before words: its holder, class, top objects and members.
#[derive(Clone, Debug)]
pub struct RawRow {
    /// Where the row builds up on the dominator tree: its identity in every snapshot.
    pub key_holder: u32,
    /// Where the first top object's explaining path enters the old heap: the words' holder.
    pub holder: u32,
    pub holder_edge: u32,
    /// Class string index of the top objects, and their code (`holders::code_key`).
    pub class: u32,
    pub code: u64,
    pub internal: bool,
    /// Other (holder, class) pairs folded into this row (a Map's key strings beside its
    /// values).
    pub also: Vec<(u32, u32, u64)>,
    pub tops: Vec<u32>,
    pub count_new: u64,
    pub retained: u64,
    pub shallow: u64,
    pub representative: u32,
    pub members: Vec<MemberStat>,
    /// Objects of the row's class below a top, and how many of them a scope holds.
    pub main_members: u64,
    pub via_scope: u64,
    /// The scope variable that holds them (a context edge), when one does.
    pub scope_edge: u32,
    /// Growing rows folded into this one as its consequences.
    pub folded_rows: u64,
}

impl RawRow {
    fn new(h: &Heap, o: u32, held: HeldBy, internal: bool) -> RawRow {
        RawRow {
            key_holder: held.holder,
            holder: held.holder,
            holder_edge: held.edge,
            class: h.class[o as usize],
            code: holders::code_key(h, o),
            internal,
            also: Vec::new(),
            tops: Vec::new(),
            count_new: 0,
            retained: 0,
            shallow: 0,
            representative: o,
            members: Vec::new(),
            main_members: 0,
            via_scope: 0,
            scope_edge: NONE,
            folded_rows: 0,
        }
    }

    fn add_top(&mut self, h: &Heap, o: u32) {
        self.tops.push(o);
        self.count_new += 1;
        self.retained += h.retained.get(o);
        self.shallow += h.shallow[o as usize] as u64;
        if h.retained.get(o) > h.retained.get(self.representative) {
            self.representative = o;
        }
    }

    /// An object of the row's own class below a top: is it held by a scope variable?
    fn note_member(&mut self, h: &Heap, o: u32) {
        self.main_members += 1;
        let s = &h.snap;
        let d = h.idom[o as usize];
        if s.ntype(d) == crate::snapshot::NodeType::OBJECT
            && s.raw_name(d).starts_with("system / Context")
        {
            self.via_scope += 1;
            if self.scope_edge == NONE
                && let Some(e) = s.edges(d).find(|&e| {
                    s.edge_to[e] == o && s.edge_type[e] == crate::snapshot::EdgeType::CONTEXT
                })
            {
                self.scope_edge = e as u32;
            }
        }
    }
}

/// Strings, numbers, arrays and the like: a row of them beside a row of objects under the
/// same holder is part of that row (a Map's keys beside its values).
fn is_trivial(h: &Heap, o: u32) -> bool {
    !matches!(
        h.snap.ntype(o),
        NodeType::OBJECT | NodeType::CLOSURE | NodeType::NATIVE | NodeType::REGEXP
    ) || h.class_name(o).starts_with("system / ")
}

/// Folds rows of trivial classes into the biggest row of objects with the same holder.
fn fold_trivial(h: &Heap, rows: Vec<RawRow>) -> Vec<RawRow> {
    let (trivial, mut out): (Vec<RawRow>, Vec<RawRow>) = rows
        .into_iter()
        .partition(|r| !r.internal && r.key_holder != NONE && is_trivial(h, r.representative));
    for t in trivial {
        let main = out
            .iter_mut()
            .filter(|r| {
                !r.internal && r.key_holder == t.key_holder && !is_trivial(h, r.representative)
            })
            .max_by_key(|r| r.retained);
        match main {
            Some(m) => {
                m.also.push((t.key_holder, t.class, t.code));
                m.retained += t.retained;
                m.shallow += t.shallow;
                merge_members(&mut m.members, t.members);
            }
            None => out.push(t),
        }
    }
    out
}

pub(crate) fn merge_members(into: &mut Vec<MemberStat>, from: Vec<MemberStat>) {
    for m in from {
        match into
            .iter_mut()
            .find(|x| (x.class, x.code) == (m.class, m.code))
        {
            Some(x) => {
                x.count += m.count;
                x.retained_size += m.retained_size;
            }
            None => into.push(m),
        }
    }
    into.sort_by_key(|m| std::cmp::Reverse(m.retained_size));
}

/// The report over a series of three snapshots or more (oldest first), or the suspects of
/// one snapshot.
pub fn leak_report(heaps: &[&Heap]) -> LeakReport {
    let Some(&last) = heaps.last() else {
        return words::empty_report(0, 0);
    };
    let locs = Locations::build(&last.snap);
    let explainer = Explainer::build(last, &locs);
    if heaps.len() == 1 {
        return suspects::suspects(last, &locs, &explainer);
    }
    let since = Since::first_snapshot(heaps[0]);
    let rows = fold_trivial(last, series::rows_of_last(last, &explainer, since.clone()));
    let keys = count_keys(last, &rows);
    let mut counts: Vec<Vec<u64>> = vec![Vec::with_capacity(heaps.len()); rows.len()];
    for h in heaps {
        for (r, c) in series::count_in(h, &since, &keys).into_iter().enumerate() {
            counts[r].push(c);
        }
    }
    let ctx = words::Words::new(last, &locs, &explainer);
    let mut growing = Vec::new();
    let mut once_rows = Vec::new();
    for (row, counts) in rows.into_iter().zip(counts) {
        let grew_every_time = counts.windows(2).all(|w| w[1] > w[0]);
        let grew = counts.last() > counts.first();
        if !grew && !row.internal {
            // The same number of objects from first to last: a bounded cache, churn.
            continue;
        }
        let g = consequences::Growing { row, counts };
        if grew_every_time && !g.row.internal {
            growing.push(g);
        } else {
            once_rows.push(g);
        }
    }
    // What was allocated once folds the same way (a component built once with its parts).
    let mut once: Vec<LeakGroup> = consequences::fold(last, &since, once_rows)
        .into_iter()
        .map(|g| ctx.group(&g.row, g.counts))
        .collect();
    let mut groups: Vec<LeakGroup> = consequences::fold(last, &since, growing)
        .into_iter()
        .map(|g| ctx.group(&g.row, g.counts))
        .collect();
    rank(&mut groups);
    rank(&mut once);
    let (detached_dom, new_detached_dom) = detached(last, &since);
    LeakReport {
        snapshots: heaps.len(),
        heap_size: last.total_size,
        groups,
        allocated_once: once,
        detached_dom,
        new_detached_dom,
        growing_collections: growing_collections(heaps),
    }
}

/// Most bytes added first.
fn rank(groups: &mut [LeakGroup]) {
    groups.sort_by(|a, b| {
        b.retained_size
            .cmp(&a.retained_size)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.class.cmp(&b.class))
    });
}

fn count_keys(h: &Heap, rows: &[RawRow]) -> series::CountKeys {
    let id = |o: u32| if o == NONE { 0 } else { h.id(o) };
    let mut keys = Vec::new();
    let mut internals = None;
    for (r, row) in rows.iter().enumerate() {
        if row.internal {
            internals = Some(r);
            continue;
        }
        let name = |c: u32| h.snap.strings.get(c).to_string();
        keys.push((id(row.key_holder), name(row.class), row.code, r));
        for &(holder, class, code) in &row.also {
            keys.push((id(holder), name(class), code, r));
        }
    }
    series::CountKeys {
        keys,
        row_class: rows
            .iter()
            .map(|r| (h.snap.strings.get(r.class).to_string(), r.code))
            .collect(),
        internals,
    }
}

/// Detached DOM nodes in `h`, and those of them allocated after the first snapshot.
fn detached(h: &Heap, since: &Since) -> (u64, u64) {
    let mut all = 0;
    let mut new = 0;
    for o in 0..h.node_count() as u32 {
        if h.snap.ntype(o) == NodeType::NATIVE && h.dom_state[o as usize] == DETACHED {
            all += 1;
            new += since.is_new(h, o) as u64;
        }
    }
    (all, new)
}

/// Why `o` is alive in words: the last variable or property of a user object on its
/// explaining path.
pub fn reason_of(h: &Heap, locs: &Locations, ex: &Explainer, o: u32) -> Option<String> {
    let path = ex.best_path(h, o)?;
    ex.last_reason(h, &path)
        .map(|hop| reason_text(h, locs, &hop))
}
