//! The Summary view's state: class rows (sorted, filtered by name), expanded classes with
//! their objects in pages, and the flat list of visible rows the table draws.

use super::class_rows::{class_rows, page};
use crate::analysis::Heap;
use crate::analysis::filters::NodeFilter;
use crate::analysis::summary::ClassAggregate;
use crate::util::js_cmp;
use poll_promise::Promise;
use std::collections::HashMap;
use std::sync::Arc;

/// Objects shown per page when a class is expanded.
pub const PAGE: usize = 100;
/// Above this many members, sorting a class's objects happens on a worker thread.
const SORT_INLINE_MAX: usize = 50_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Column {
    Constructor,
    Distance,
    Count,
    Shallow,
    Retained,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            column: Column::Retained,
            descending: true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    Class(usize),
    Object {
        class: usize,
        node: u32,
    },
    /// "Show more" for a class whose objects are paged; `hidden` objects are not shown yet.
    More {
        class: usize,
        hidden: usize,
    },
    /// A class whose objects are still being sorted in the background.
    Sorting {
        class: usize,
    },
}

struct Expansion {
    order: Option<Vec<u32>>,
    pending: Option<Promise<Vec<u32>>>,
    shown: usize,
}

pub struct SummaryModel {
    pub heap: Arc<Heap>,
    pub filter: NodeFilter,
    /// All classes for the filter, in display order.
    pub classes: Vec<ClassAggregate>,
    pub text_filter: String,
    pub sort: Sort,
    pub rows: Vec<Row>,
    expanded: HashMap<String, Expansion>,
    /// A row the view should select and scroll to (set by a reveal, taken by the view).
    pub focus: Option<usize>,
    /// Wakes the window when a background sort of a class's objects ends.
    pub waker: Option<super::jobs::Waker>,
    /// Classes (by key) a source map names otherwise, once the snapshot's code job is done.
    pub original_names: Arc<HashMap<String, String>>,
}

impl SummaryModel {
    pub fn new(
        heap: Arc<Heap>,
        filter: NodeFilter,
        classes: Vec<ClassAggregate>,
        sort: Sort,
    ) -> Self {
        let mut m = SummaryModel {
            heap,
            filter,
            classes,
            text_filter: String::new(),
            sort,
            rows: Vec::new(),
            expanded: HashMap::new(),
            focus: None,
            waker: None,
            original_names: Default::default(),
        };
        m.sort_classes();
        m.rebuild();
        m
    }

    /// Totals of the classes passing the name filter: (objects, shallow bytes).
    pub fn totals(&self) -> (u64, u64) {
        self.visible_classes()
            .map(|c| (c.count, c.shallow_size))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    }

    fn visible_classes(&self) -> impl Iterator<Item = &ClassAggregate> {
        let f = self.text_filter.to_lowercase();
        self.classes
            .iter()
            .filter(move |c| super::name_matches(&c.name, &f))
    }

    pub fn set_text_filter(&mut self, text: &str) {
        if self.text_filter != text {
            self.text_filter = text.to_string();
            self.rebuild();
        }
    }

    /// Clicking a header: the same column flips direction, another one starts descending
    /// (ascending for names).
    pub fn click_header(&mut self, column: Column) {
        if self.sort.column == column {
            self.sort.descending = !self.sort.descending;
        } else {
            self.sort = Sort {
                column,
                descending: column != Column::Constructor,
            };
        }
        self.sort_classes();
        let keys: Vec<String> = self.expanded.keys().cloned().collect();
        for k in keys {
            if let Some(i) = self.classes.iter().position(|c| c.key == k) {
                self.start_member_sort(i);
            }
        }
        self.rebuild();
    }

    fn sort_classes(&mut self) {
        let Sort { column, descending } = self.sort;
        self.classes.sort_by(|a, b| {
            let primary = match column {
                Column::Constructor => js_cmp(&a.name, &b.name),
                Column::Distance => a.distance.cmp(&b.distance),
                Column::Count => a.count.cmp(&b.count),
                Column::Shallow => a.shallow_size.cmp(&b.shallow_size),
                Column::Retained => a.retained_size.cmp(&b.retained_size),
            };
            let primary = if descending {
                primary.reverse()
            } else {
                primary
            };
            primary
                .then_with(|| b.retained_size.cmp(&a.retained_size))
                .then_with(|| js_cmp(&a.name, &b.name))
        });
    }

    pub fn is_expanded(&self, class: usize) -> bool {
        self.classes
            .get(class)
            .is_some_and(|c| self.expanded.contains_key(&c.key))
    }

    pub fn toggle(&mut self, class: usize) {
        let Some(key) = self.classes.get(class).map(|c| c.key.clone()) else {
            return;
        };
        if self.expanded.remove(&key).is_none() {
            self.start_member_sort(class);
        }
        self.rebuild();
    }

    pub fn set_expanded(&mut self, class: usize, open: bool) {
        if self.is_expanded(class) != open {
            self.toggle(class);
        }
    }

    pub fn show_more(&mut self, class: usize) {
        if let Some(e) = self
            .classes
            .get(class)
            .and_then(|c| self.expanded.get_mut(&c.key))
        {
            e.shown += PAGE * 10;
        }
        self.rebuild();
    }

    fn start_member_sort(&mut self, class: usize) {
        let members = self.classes[class].members.clone();
        let sort = self.sort;
        let heap = self.heap.clone();
        let waker = self.waker.clone();
        let key = self.classes[class].key.clone();
        let shown = self.expanded.get(&key).map_or(PAGE, |e| e.shown);
        let exp = if members.len() <= SORT_INLINE_MAX {
            Expansion {
                order: Some(sorted_members(&heap, members, sort)),
                pending: None,
                shown,
            }
        } else {
            Expansion {
                order: None,
                pending: Some(Promise::spawn_thread("sort-objects", move || {
                    let order = sorted_members(&heap, members, sort);
                    if let Some(wake) = waker {
                        wake();
                    }
                    order
                })),
                shown,
            }
        };
        self.expanded.insert(key, exp);
    }

    /// Picks up finished background sorts; true when the rows changed.
    pub fn poll(&mut self) -> bool {
        let mut changed = false;
        for e in self.expanded.values_mut() {
            if let Some(p) = e.pending.take() {
                match p.try_take() {
                    Ok(order) => {
                        e.order = Some(order);
                        changed = true;
                    }
                    Err(p) => e.pending = Some(p),
                }
            }
        }
        if changed {
            self.rebuild();
        }
        changed
    }

    pub fn is_sorting(&self) -> bool {
        self.expanded.values().any(|e| e.pending.is_some())
    }

    fn rebuild(&mut self) {
        let (classes, expanded) = (&self.classes, &self.expanded);
        self.rows = class_rows(
            classes.iter().map(|c| c.name.as_str()),
            &self.text_filter,
            |i, rows| {
                let e = expanded.get(&classes[i].key)?;
                let Some(order) = &e.order else {
                    rows.push(Row::Sorting { class: i });
                    return Some(0);
                };
                let objects = order.iter().map(|&node| Row::Object { class: i, node });
                Some(page(objects, order.len(), e.shown, rows))
            },
            Row::Class,
            |class, hidden| Row::More { class, hidden },
        );
    }

    /// The index of the class row that contains object `node`, expanding it and paging to it.
    pub fn reveal(&mut self, node: u32) -> Option<usize> {
        let class = self
            .classes
            .iter()
            .position(|c| c.members.binary_search(&node).is_ok())?;
        self.set_expanded(class, true);
        // Make sure the object is on a shown page (inline sorts only).
        if let Some(e) = self.expanded.get_mut(&self.classes[class].key)
            && let Some(order) = &e.order
            && let Some(pos) = order.iter().position(|&x| x == node)
        {
            e.shown = e.shown.max(pos + 1);
        }
        self.rebuild();
        self.rows
            .iter()
            .position(|r| matches!(r, Row::Object { node: n, .. } if *n == node))
    }
}

/// A class's objects in the order of the current sort (ties by id, as DevTools).
pub fn sorted_members(h: &Heap, mut m: Vec<u32>, sort: Sort) -> Vec<u32> {
    let id = |o: u32| h.snap.node_id[o as usize];
    match sort.column {
        Column::Distance => m.sort_unstable_by_key(|&o| (h.distance[o as usize], id(o))),
        Column::Shallow | Column::Count => {
            m.sort_unstable_by_key(|&o| (h.shallow[o as usize], id(o)))
        }
        Column::Retained => m.sort_unstable_by_key(|&o| (h.retained.get(o), id(o))),
        Column::Constructor => m.sort_unstable_by_key(|&o| id(o)),
    }
    if sort.descending && sort.column != Column::Constructor {
        m.reverse();
    }
    m
}

/// The native-context filters as DevTools' filter menu lists them: each native context
/// (biggest first) with its URL, id and size, then the objects shared between contexts and
/// those attributed to none.
pub fn native_context_filters(
    all: &crate::analysis::native_contexts::NativeContexts,
) -> Vec<(NodeFilter, String)> {
    use super::format::size;
    let mut out: Vec<(NodeFilter, String)> = all
        .contexts
        .iter()
        .map(|c| {
            let name = if c.name.is_empty() {
                String::new()
            } else {
                format!("{} ", c.name)
            };
            let f = NodeFilter::NativeContext {
                node: c.node,
                id: c.id,
            };
            let label = format!(
                "Native context {name}@{} ({})",
                c.id,
                size(c.attributed_size)
            );
            (f, label)
        })
        .collect();
    out.push((
        NodeFilter::SharedNativeContexts,
        format!(
            "Objects shared between native contexts ({})",
            size(all.shared.size)
        ),
    ));
    out.push((
        NodeFilter::NoNativeContext,
        format!(
            "Objects not attributed to a native context ({})",
            size(all.unattributed.size)
        ),
    ));
    out
}

/// The Statistics of the objects a native-context filter keeps (None: another filter, or
/// a context that is not in `all`).
pub fn native_context_statistics(
    all: &crate::analysis::native_contexts::NativeContexts,
    f: NodeFilter,
) -> Option<&crate::analysis::statistics::Statistics> {
    match f {
        NodeFilter::NativeContext { node, .. } => all.by_node(node).map(|c| &c.statistics),
        NodeFilter::SharedNativeContexts => Some(&all.shared.statistics),
        NodeFilter::NoNativeContext => Some(&all.unattributed.statistics),
        _ => None,
    }
}
