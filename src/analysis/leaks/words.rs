//! A row in words: its holder, path, reason, pattern, fix and members.

use super::holders::NONE;
use super::patterns::{self, Detail, Pattern};
use super::{Holder, LeakGroup, LeakReport, Member, PathStep, RawRow, V8_INTERNALS, reason_of};
use crate::analysis::Heap;
use crate::analysis::explain::{Explainer, edge_source};
use crate::analysis::locations::Locations;
use crate::analysis::steps::{edge_label, node_label};
use crate::snapshot::EdgeType;

pub fn empty_report(snapshots: usize, heap_size: u64) -> LeakReport {
    LeakReport {
        snapshots,
        heap_size,
        groups: Vec::new(),
        allocated_once: Vec::new(),
        detached_dom: 0,
        new_detached_dom: 0,
        growing_collections: Vec::new(),
    }
}

/// Edge label with indexes folded: `[]` for elements, `{}` for hidden numbered edges.
pub fn folded_label(h: &Heap, e: u32) -> String {
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

/// A generated key with its numbers folded: `vs.editor.ICodeEditor:12` ->
/// `vs.editor.ICodeEditor:N`, `k123` -> `kN`.
pub fn fold_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_digits = false;
    for c in name.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('N');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// Everything a row's words need from the last snapshot.
pub struct Words<'a> {
    h: &'a Heap,
    locs: &'a Locations,
    ex: &'a Explainer,
}

impl<'a> Words<'a> {
    pub fn new(h: &'a Heap, locs: &'a Locations, ex: &'a Explainer) -> Words<'a> {
        Words { h, locs, ex }
    }

    /// Steps from the root's child down to `o` along its explaining path (at most 64, the
    /// ones nearest the object).
    fn path_to(&self, o: u32) -> Vec<PathStep> {
        let h = self.h;
        let mut steps = Vec::new();
        let mut cur = o;
        while self.ex.parents()[cur as usize] != NONE && steps.len() < 64 {
            let e = self.ex.parents()[cur as usize];
            let from = edge_source(h, e);
            steps.push(PathStep {
                edge: folded_label(h, e),
                from_class: h.class_name(from).to_string(),
                from_id: h.id(from),
                from_label: node_label(h, self.locs, from),
                edge_label: edge_label(h, e as usize),
                location: self.locs.of(&h.snap, from),
            });
            cur = from;
        }
        steps.reverse();
        steps
    }

    /// The holder in words: `variable theThing in module scope of app.js`,
    /// `Map held by variable cache in module scope of leak.js`.
    fn holder_words(&self, holder: u32, edge: u32) -> String {
        let h = self.h;
        if holder == NONE {
            return "a GC root".into();
        }
        let label = node_label(h, self.locs, holder);
        if label == "TimersList" {
            return format!("Node's timer list (TimersList @{})", h.id(holder));
        }
        if label == "Pending activities" {
            // Blink's root of objects with pending activity.
            return "Pending activities (the page's live observers and listeners)".into();
        }
        if edge != NONE {
            let name = fold_key(&h.snap.edge_name(edge as usize));
            match h.snap.edge_type[edge as usize] {
                EdgeType::CONTEXT => return format!("variable {name} in {label}"),
                EdgeType::PROPERTY => {
                    return self.held_by(format!("property {name} of {label}"), holder);
                }
                _ => {}
            }
        }
        self.held_by(label, holder)
    }

    fn held_by(&self, what: String, holder: u32) -> String {
        match reason_of(self.h, self.locs, self.ex, holder).or_else(|| self.variable_of(holder)) {
            Some(r) => format!("{what} held by {r}"),
            None => what,
        }
    }

    /// A scope variable that holds `o`, when its explaining path has no reason of its own (a
    /// Map being filled when the snapshot was taken is also on the stack, whose path is
    /// shorter).
    fn variable_of(&self, o: u32) -> Option<String> {
        let h = self.h;
        let s = &h.snap;
        h.retainers
            .list(s, o)
            .into_iter()
            .find(|r| s.edge_type[r.edge as usize] == EdgeType::CONTEXT)
            .map(|r| {
                let hop = crate::analysis::paths::Hop {
                    from: r.from,
                    edge: r.edge,
                };
                crate::analysis::steps::reason_text(h, self.locs, &hop)
            })
    }

    pub fn group(&self, row: &RawRow, counts: Vec<u64>) -> LeakGroup {
        let h = self.h;
        let o = row.representative;
        let class = if row.internal {
            V8_INTERNALS.to_string()
        } else {
            h.snap.strings.get(row.class).to_string()
        };
        let pattern = if row.internal {
            Pattern::Other
        } else {
            patterns::classify(h, self.locs, self.ex, row)
        };
        let holder_label = self.holder_words(row.holder, row.holder_edge);
        let detail = Detail {
            holder: holder_label.clone(),
            event: patterns::event_name(h, self.ex, row.holder, row.holder_edge),
            variable: (row.scope_edge != NONE).then(|| h.snap.edge_name(row.scope_edge as usize)),
        };
        let fix = if row.internal {
            "nothing to fix here: the runtime's own objects (compiled code, feedback) follow the code that ran".into()
        } else {
            patterns::fix(pattern, &class, patterns::disposer(h, o), &detail)
        };
        LeakGroup {
            original_class: None,
            pattern,
            holder: (row.holder != NONE).then(|| Holder {
                id: h.id(row.holder),
                label: holder_label,
                class: h.class_name(row.holder).to_string(),
                node: row.holder,
            }),
            count: row.count_new + row.main_members,
            counts,
            retained_size: row.retained,
            shallow_size: row.shallow,
            members: self.members(row),
            folded_rows: row.folded_rows,
            fix,
            location: self.location(o, pattern),
            path: self.path_to(o),
            representative_id: h.id(o),
            reason: reason_of(h, self.locs, self.ex, o),
            label: if row.internal {
                V8_INTERNALS.to_string()
            } else {
                node_label(h, self.locs, o)
            },
            is_function: !row.internal && h.snap.ntype(o) == crate::snapshot::NodeType::CLOSURE,
            representative: o,
            class,
        }
    }

    fn members(&self, row: &RawRow) -> Vec<Member> {
        row.members
            .iter()
            .take(12)
            .map(|m| Member {
                class: self.h.snap.strings.get(m.class).to_string(),
                original_class: None,
                count: m.count,
                retained_size: m.retained_size,
                node: m.rep,
            })
            .collect()
    }

    /// The code to look at: a timer's callback, else the object's own (its constructor's or
    /// a closure's position).
    fn location(
        &self,
        o: u32,
        pattern: Pattern,
    ) -> Option<crate::analysis::locations::SourceLocation> {
        let s = &self.h.snap;
        if pattern == Pattern::Timers
            && let Some(e) = s.edges(o).find(|&e| s.edge_str(e) == Some("_onTimeout"))
            && let Some(l) = self.locs.of(s, s.edge_to[e])
        {
            return Some(l);
        }
        self.locs.of(s, o)
    }
}
