//! Everything DevTools computes on load, pass by pass, over flat columns. [`analyze`] runs the
//! passes in DevTools' order (the order matters: names are rewritten, sizes reattributed)
//! and reports each phase through [`Control`].

pub mod allocations;
pub mod diff;
pub mod distances;
pub mod dom_state;
pub mod dominators;
pub mod essential;
pub mod explain;
pub mod filters;
pub mod flags;
pub mod growth;
pub mod leaks;
pub mod locations;
pub mod names;
pub mod native_contexts;
pub mod paths;
pub mod retained;
pub use crate::snapshot::retainers;
pub mod scopes;
pub mod search;
pub mod shallow;
pub mod statistics;
pub mod steps;
pub mod summary;
pub mod timeline;
pub mod weakmap;

use crate::snapshot::{Location, NodeType, Snapshot};
use dominators::DominatorTree;
use names::InterfaceDefinition;
use retainers::Retainers;
use statistics::Statistics;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Progress and cancellation for long work. The callback gets a phase name and a fraction.
pub struct Control<'a> {
    pub progress: &'a (dyn Fn(&str, f32) + Sync),
    pub cancel: &'a AtomicBool,
    pub timings: std::sync::Mutex<Vec<PhaseTiming>>,
}

/// One phase's wall time and the process's resident memory when it ended.
#[derive(Clone, Debug)]
pub struct PhaseTiming {
    pub name: String,
    pub took: Duration,
    pub resident: Option<crate::process_memory::Resident>,
}

impl<'a> Control<'a> {
    pub fn new(progress: &'a (dyn Fn(&str, f32) + Sync), cancel: &'a AtomicBool) -> Self {
        Control {
            progress,
            cancel,
            timings: Default::default(),
        }
    }
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
    fn phase<T>(&self, name: &str, f: impl FnOnce() -> T) -> Result<T, Cancelled> {
        if self.cancelled() {
            return Err(Cancelled);
        }
        (self.progress)(name, 0.0);
        let t = Instant::now();
        let r = f();
        self.record(name, t.elapsed());
        Ok(r)
    }
    pub fn record(&self, name: &str, took: Duration) {
        let resident = crate::process_memory::resident();
        self.timings.lock().unwrap().push(PhaseTiming {
            name: name.to_string(),
            took,
            resident,
        });
    }
    pub fn take_timings(&self) -> Vec<PhaseTiming> {
        std::mem::take(&mut self.timings.lock().unwrap())
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Cancelled;

/// A snapshot with every load-time analysis done.
pub struct Heap {
    pub snap: Snapshot,
    pub retainers: Retainers,
    pub dom_state: Vec<u8>,
    pub flags: Vec<u8>,
    /// Shallow sizes as DevTools shows them (after reattribution).
    pub shallow: Vec<u32>,
    pub distance: Vec<i32>,
    pub class: Vec<u32>,
    pub idom: Vec<u32>,
    pub retained: retained::RetainedSizes,
    pub dominator_tree: DominatorTree,
    pub interfaces: Vec<InterfaceDefinition>,
    pub interface_names: HashMap<String, u32>,
    pub statistics: Statistics,
    pub total_size: u64,
    pub unreachable_from_root: u32,
    /// The Summary's rows for all objects, in DevTools' order (see [`summary::aggregates`]);
    /// None once taken.
    pub summary: Option<Vec<summary::ClassAggregate>>,
}

pub fn analyze(mut snap: Snapshot, ctl: &Control<'_>) -> Result<Heap, Cancelled> {
    // Passes run in DevTools' order where one feeds the next. The dominator chain (flags,
    // essential edges, dominators) is the longest, so it has a core to itself while
    // the other core does everything else, as DevTools runs dominators in a second worker.
    let dom_state = ctl.phase("Propagating DOM state", || {
        dom_state::propagate_dom_state(&mut snap)
    })?;
    // The reader usually built the retainer index already, while it read the strings.
    let (mut retainers, slot_edge) = match snap.retainer_index.take() {
        Some(index) => index,
        None => ctl.phase("Building retainers", || Retainers::build(&snap))?,
    };
    let eph = ctl.phase("Parsing WeakMap edges", || weakmap::Ephemerons::find(&snap))?;
    // The shallow sizes are the self sizes reattributed in place: one column, not two.
    let self_sizes = std::mem::take(&mut snap.node_self_size);

    // Names append strings to a side list joined to the table afterwards, with the indexes
    // DevTools would give them.
    let mut appended: Vec<String> = Vec::new();
    let mut interface_names = HashMap::new();
    // Page-owned flags feed the essential edges; where no node can be page-owned the flags
    // are made on the other core and the dominator chain starts at once.
    let page_roots = flags::has_page_roots(&snap);
    let (dom, rest) = {
        let s = &snap;
        let (eph, dom_state) = (&eph, &dom_state);
        // The dominator pass rewrites the retainer index's sources and back; the statistics
        // only count retainers, from the index's other column, on the other core meanwhile.
        let (ret_first, ret_sources) = (&retainers.first[..], &mut retainers.node[..]);
        let dominators_done = AtomicBool::new(false);
        let calc_flags = || {
            ctl.phase("Calculating node flags", || {
                flags::calculate_flags(s, dom_state)
            })
        };
        rayon::join(
            || -> Result<_, Cancelled> {
                let flags = if page_roots {
                    Some(calc_flags()?)
                } else {
                    None
                };
                let dom = essential_and_dominators(
                    s,
                    flags.as_deref(),
                    eph,
                    ret_first,
                    ret_sources,
                    slot_edge,
                    ctl,
                );
                dominators_done.store(true, Ordering::Release);
                Ok((flags, dom?))
            },
            || -> Result<_, Cancelled> {
                let flags = if page_roots {
                    None
                } else {
                    Some(calc_flags()?)
                };
                let shallow = ctl.phase("Calculating shallow sizes", || {
                    shallow::calculate_shallow_sizes(s, self_sizes)
                })?;
                let Named {
                    distance,
                    class,
                    interfaces,
                    grouping,
                } = named_and_grouped(s, eph, &shallow, &mut appended, &mut interface_names, ctl)?;
                // The statistics only count retainers, so they can run while the dominator
                // pass rewrites the index's sources: here if that pass is still running (on
                // Chromium heaps and large Node heaps its chain is the longer one), else
                // beside the dominated-nodes index afterwards.
                let stats = if dominators_done.load(Ordering::Acquire) {
                    None
                } else {
                    Some(ctl.phase("Calculating statistics", || {
                        statistics::calculate_statistics(s, &shallow, ret_first)
                    })?)
                };
                Ok((flags, shallow, distance, class, interfaces, grouping, stats))
            },
        )
    };
    let (flags_a, mut dom) = dom?;
    let (flags_b, shallow, distance, class, interfaces, grouping, stats) = rest?;
    let flags = flags_a.or(flags_b).unwrap_or_default();
    let (retained, dominator_tree, mut statistics) =
        retained_and_tree(&snap, &mut dom, &retainers, &shallow, stats, ctl)?;
    let summary = ctl.phase("Summing retained sizes by class", || {
        let cols = summary::Columns::all(&shallow, &class);
        grouping.finish(&snap, cols, &dominator_tree, &retained)
    })?;
    for t in &appended {
        snap.strings.push(t);
    }
    let total_size = retained.get(snap.root) + snap.extra_native_bytes;
    statistics.set_total(total_size);
    Ok(Heap {
        snap,
        retainers,
        dom_state,
        flags,
        shallow,
        distance,
        class,
        idom: dom.idom,
        retained,
        dominator_tree,
        interfaces,
        interface_names,
        statistics,
        total_size,
        unreachable_from_root: dom.unreachable_from_root,
        summary: Some(summary),
    })
}

/// What the naming chain makes: distances, class names, the Summary's grouping.
struct Named {
    distance: Vec<i32>,
    class: Vec<u32>,
    interfaces: Vec<InterfaceDefinition>,
    grouping: summary::Grouping,
}

/// Distances, class names (interface definitions inferred and applied), then the objects
/// grouped by class. Names append strings to `appended` (see [`analyze`]).
fn named_and_grouped(
    s: &Snapshot,
    eph: &weakmap::Ephemerons,
    shallow: &[u32],
    appended: &mut Vec<String>,
    interface_names: &mut HashMap<String, u32>,
    ctl: &Control<'_>,
) -> Result<Named, Cancelled> {
    let distance = ctl.phase("Calculating distances", || {
        distances::calculate_distances(s, eph, None)
    })?;
    let mut class = ctl.phase("Calculating object names", || {
        names::ClassNamer::new(s, appended).calculate()
    })?;
    let interfaces = ctl.phase("Inferring interface definitions", || {
        names::infer_interface_definitions(s)
    })?;
    ctl.phase("Applying interface definitions", || {
        names::apply_interface_definitions(s, &mut class, &interfaces, interface_names, appended)
    })?;
    // The grouping keeps no column per node, so it costs nothing at the peak.
    let grouping = ctl.phase("Grouping objects by class", || {
        let cols = summary::Columns::all(shallow, &class);
        summary::group(s, &distance, cols, appended)
    })?;
    Ok(Named {
        distance,
        class,
        interfaces,
        grouping,
    })
}

/// The dominator chain after the flags: essential edges, then dominators over them.
/// `slot_edge` (each retainer slot's edge) is spent on the way.
fn essential_and_dominators(
    s: &Snapshot,
    flags: Option<&[u8]>,
    eph: &weakmap::Ephemerons,
    ret_first: &[u32],
    ret_sources: &mut [u32],
    slot_edge: Vec<u32>,
    ctl: &Control<'_>,
) -> Result<dominators::Dominators, Cancelled> {
    let (essential, slot_essential) = ctl.phase("Finding essential edges", || {
        let essential = essential::essential_edges(s, flags, eph);
        let slot_essential = essential::slot_essential(&essential, &slot_edge);
        drop(slot_edge);
        (essential, slot_essential)
    })?;
    let cancel = || ctl.cancelled();
    let dom = ctl.phase("Building dominator tree", || {
        dominators::calculate_dominators(
            s,
            ret_first,
            ret_sources,
            essential,
            &slot_essential,
            &cancel,
        )
    })?;
    dom.ok_or(Cancelled)
}

/// Retained sizes beside the dominated-nodes index and the statistics (unless `stats` are
/// made already), on two cores.
fn retained_and_tree(
    s: &Snapshot,
    dom: &mut dominators::Dominators,
    retainers: &Retainers,
    shallow: &[u32],
    stats: Option<Statistics>,
    ctl: &Control<'_>,
) -> Result<(retained::RetainedSizes, DominatorTree, Statistics), Cancelled> {
    let scratch = std::mem::take(&mut dom.scratch);
    let order = std::mem::take(&mut dom.order);
    let idom = &dom.idom;
    let (retained, tree_and_stats) = rayon::join(
        || {
            ctl.phase("Calculating retained sizes", || {
                retained::RetainedSizes::sum(idom, order, shallow)
            })
        },
        || -> Result<_, Cancelled> {
            let tree = ctl.phase("Building dominated nodes", || {
                DominatorTree::build(idom, s.root, scratch)
            })?;
            let stats = match stats {
                Some(st) => st,
                None => ctl.phase("Calculating statistics", || {
                    statistics::calculate_statistics(s, shallow, &retainers.first)
                })?,
            };
            Ok((tree, stats))
        },
    );
    let (tree, stats) = tree_and_stats?;
    Ok((retained?, tree, stats))
}

impl Heap {
    /// The Summary's rows for all objects, without a copy when they are still held.
    pub fn take_summary(&mut self) -> Vec<summary::ClassAggregate> {
        match self.summary.take() {
            Some(rows) => rows,
            None => summary::aggregates(self, None),
        }
    }

    pub fn node_count(&self) -> usize {
        self.snap.node_count()
    }

    pub fn class_name(&self, o: u32) -> &str {
        self.snap.strings.get(self.class[o as usize])
    }

    pub fn display_name(&self, o: u32) -> String {
        names::display_name(&self.snap, o)
    }

    pub fn id(&self, o: u32) -> u32 {
        self.snap.node_id[o as usize]
    }

    pub fn location(&self, o: u32) -> Option<Location> {
        self.snap.location(o)
    }

    pub fn is_detached(&self, o: u32) -> bool {
        self.flags[o as usize] & flags::DETACHED_DOM_TREE_NODE != 0
    }

    pub fn is_string(&self, o: u32) -> bool {
        matches!(
            self.snap.ntype(o),
            NodeType::STRING | NodeType::CONS_STRING | NodeType::SLICED_STRING
        )
    }

    /// Bytes the analysis holds (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.snap.heap_bytes()
            + self.retainers.heap_bytes()
            + self.dom_state.capacity()
            + self.flags.capacity()
            + self.shallow.capacity() * 4
            + self.distance.capacity() * 4
            + self.class.capacity() * 4
            + self.idom.capacity() * 4
            + self.retained.heap_bytes()
            + (self.dominator_tree.first.capacity() + self.dominator_tree.children.capacity()) * 4
    }
}

#[cfg(test)]
mod dominators_tests;
