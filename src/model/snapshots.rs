//! The open snapshots by id, which one is current and which is the base, and one open
//! snapshot with the per-snapshot state of its views (its jobs: `snap_jobs.rs`).

use super::code::SnapCode;
use super::effects::Effects;
use super::ids::{ObjRef, SnapId};
use super::job_output::SnapOutput;
use super::jobs::{Jobs, Waker};
use super::loader::Loaded;
use super::settings::{Settings, Tab};
use super::summary::{Sort, SummaryModel};
use super::tree::{TreeKind, TreeModel};
use super::work::Work;
use crate::analysis::Heap;
use crate::analysis::filters::NodeFilter;
use crate::analysis::scopes::Scope;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct Snap {
    pub id: SnapId,
    pub loaded: Loaded,
    pub summary: SummaryModel,
    /// The object filter being computed for the Summary.
    pub filter_work: Work<NodeFilter>,
    pub containment: Option<TreeModel>,
    pub dominators: Option<TreeModel>,
    /// Locations and the path explainer, once their job is done.
    pub code: Option<Arc<SnapCode>>,
    pub code_work: Work<()>,
    /// The closure scopes, once asked for and computed.
    pub scopes: Option<Arc<Vec<Scope>>>,
    pub scopes_work: Work<()>,
    /// The Allocations view (snapshots with allocation stacks), once computed.
    pub allocations: Option<super::allocations::AllocationModel>,
    pub allocations_work: Work<()>,
    /// The allocation timeline (snapshots with `samples`), once computed.
    pub timeline: Option<Arc<crate::analysis::timeline::Timeline>>,
    pub timeline_work: Work<()>,
    /// The native contexts and their sizes, once asked for (the Summary, Statistics).
    pub native_contexts: Option<Arc<crate::analysis::native_contexts::NativeContexts>>,
    pub native_contexts_work: Work<()>,
    /// Whose Statistics the Statistics view shows: `All`, or a native-context filter.
    pub statistics_of: NodeFilter,
}

impl Snap {
    pub fn new(id: SnapId, mut loaded: Loaded, sort: Sort, waker: Waker) -> Self {
        // The rows move into the model: cloning millions of member indexes would stall a frame.
        let classes = std::mem::take(&mut loaded.classes);
        let mut summary = SummaryModel::new(loaded.heap.clone(), NodeFilter::All, classes, sort);
        summary.waker = Some(waker);
        Snap {
            id,
            loaded,
            summary,
            filter_work: Work::Idle,
            containment: None,
            dominators: None,
            code: None,
            code_work: Work::Idle,
            scopes: None,
            scopes_work: Work::Idle,
            allocations: None,
            allocations_work: Work::Idle,
            timeline: None,
            timeline_work: Work::Idle,
            native_contexts: None,
            native_contexts_work: Work::Idle,
            statistics_of: NodeFilter::All,
        }
    }

    pub fn heap(&self) -> &Arc<Heap> {
        &self.loaded.heap
    }

    pub fn name(&self) -> &str {
        &self.loaded.name
    }

    /// The containment tree from the root, made on first use.
    pub fn containment(&mut self) -> &mut TreeModel {
        let heap = self.loaded.heap.clone();
        self.containment.get_or_insert_with(|| {
            TreeModel::new(heap.clone(), TreeKind::Containment, heap.snap.root)
        })
    }

    /// The dominator tree from the root, made on first use.
    pub fn dominators(&mut self) -> &mut TreeModel {
        let heap = self.loaded.heap.clone();
        self.dominators.get_or_insert_with(|| {
            TreeModel::new(heap.clone(), TreeKind::Dominators, heap.snap.root)
        })
    }

    /// Whether it was taken with allocation tracking.
    pub fn has_allocation_stacks(&self) -> bool {
        let snap = &self.heap().snap;
        snap.allocation_trace.is_some() && snap.node_trace_id.is_some()
    }

    /// Whether it has allocation timeline samples.
    pub fn has_timeline(&self) -> bool {
        !self.heap().snap.samples.timestamp_us.is_empty()
    }
}

/// The open snapshots in list order. `SnapId`s are never reused, so nothing outside this
/// list holds a position in it. Reads as a slice of `Snap`.
#[derive(Default)]
pub struct Snapshots {
    list: Vec<Snap>,
    next_id: u32,
    pub current: Option<SnapId>,
    pub base: Option<SnapId>,
}

impl std::ops::Deref for Snapshots {
    type Target = [Snap];
    fn deref(&self) -> &[Snap] {
        &self.list
    }
}

impl std::ops::DerefMut for Snapshots {
    fn deref_mut(&mut self) -> &mut [Snap] {
        &mut self.list
    }
}

impl Snapshots {
    pub fn snap(&self, id: SnapId) -> Option<&Snap> {
        self.list.iter().find(|s| s.id == id)
    }

    pub fn snap_mut(&mut self, id: SnapId) -> Option<&mut Snap> {
        self.list.iter_mut().find(|s| s.id == id)
    }

    pub fn current_snap(&self) -> Option<&Snap> {
        self.snap(self.current?)
    }

    pub fn current_snap_mut(&mut self) -> Option<&mut Snap> {
        let id = self.current?;
        self.snap_mut(id)
    }

    /// Whether `tab` can show now, with these snapshots and `profiles` open (Comparison
    /// and Growth need two snapshots).
    pub fn can_show(&self, tab: Tab, profiles: usize) -> bool {
        let current = self.current_snap();
        match tab {
            Tab::Allocations => current.is_some_and(|s| s.has_allocation_stacks()),
            Tab::Profile => profiles > 0,
            Tab::Timeline => current.is_some_and(|s| s.has_timeline()),
            Tab::Summary
            | Tab::Containment
            | Tab::Dominators
            | Tab::Statistics
            | Tab::Retainers
            | Tab::Scopes
            | Tab::Comparison
            | Tab::Growth => self.list.len() >= tab.min_snapshots(),
        }
    }

    /// Whether a Summary sorts a huge class in the background.
    pub fn is_sorting(&self) -> bool {
        self.list.iter().any(|s| s.summary.is_sorting())
    }

    /// `tab`, or the view to fall back to when it cannot show: Summary, else Profile. The
    /// view and the current Summary's sort are remembered in `settings`.
    pub fn shown_tab(&self, tab: Tab, profiles: usize, settings: &mut Settings) -> Tab {
        let tab = self.fallback_tab(tab, profiles);
        settings.tab = tab;
        if let Some(s) = self.current_snap() {
            settings.sort = s.summary.sort;
        }
        tab
    }

    fn fallback_tab(&self, tab: Tab, profiles: usize) -> Tab {
        if self.can_show(tab, profiles) {
            tab
        } else if !self.list.is_empty() {
            Tab::Summary
        } else if profiles > 0 {
            Tab::Profile
        } else {
            tab
        }
    }

    /// The class filter typed in the search box (not an `@id`) on the current Summary.
    pub fn set_class_filter(&mut self, text: &str) {
        if let Some(s) = self.current_snap_mut().filter(|_| !text.starts_with('@')) {
            s.summary.set_text_filter(text);
        }
    }

    /// A result of a snapshot's job enters it (unless it was closed meanwhile).
    pub fn finish(&mut self, id: SnapId, out: SnapOutput) -> Effects {
        self.snap_mut(id).map_or(Effects::none(), |s| s.finish(out))
    }

    /// The root path found for `obj` opens the Containment tree, if it still shows.
    pub fn revealed(&mut self, obj: ObjRef, chain: &[u32], shown: Tab) {
        if shown == Tab::Containment {
            self.with(obj.snap, |s| s.revealed_in_containment(chain));
        }
    }

    /// Writes a redacted copy of snapshot `id`'s file to `to`, as a job.
    pub fn redact(&self, id: SnapId, to: PathBuf, jobs: &mut Jobs) -> Effects {
        self.snap(id)
            .map_or(Effects::none(), |s| s.redact(to, jobs))
    }

    /// Shows `tab` if it can show now.
    pub fn show(&self, tab: Tab, profiles: usize) -> Effects {
        if self.can_show(tab, profiles) {
            Effects::none().with_tab(tab)
        } else {
            Effects::none()
        }
    }

    /// Attributes snapshot `id`'s objects to its native contexts (a job), once.
    pub fn native_contexts(&mut self, id: SnapId, jobs: &mut Jobs) {
        self.with(id, |s| s.ensure_native_contexts(jobs));
    }

    /// Lists the live objects an Allocations row of snapshot `id` allocated (a job).
    pub fn allocation_objects(&mut self, id: SnapId, chain: Vec<u32>, jobs: &mut Jobs) {
        self.with(id, |s| s.allocation_objects(chain, jobs));
    }

    /// Runs `f` on snapshot `id`, if it is open.
    pub fn with(&mut self, id: SnapId, f: impl FnOnce(&mut Snap)) {
        if let Some(s) = self.snap_mut(id) {
            f(s);
        }
    }

    pub fn set_current(&mut self, id: SnapId) {
        if self.snap(id).is_some() {
            self.current = Some(id);
        }
    }

    pub fn set_base(&mut self, id: SnapId) {
        if self.snap(id).is_some() {
            self.base = Some(id);
        }
    }

    /// The first and the last snapshot, when they are two.
    pub fn first_and_last(&mut self) -> Option<(SnapId, SnapId)> {
        let (first, last) = (self.list.first()?.id, self.list.last()?.id);
        if first == last {
            return None;
        }
        (self.base, self.current) = (Some(first), Some(last));
        Some((first, last))
    }

    /// The object with JS id `id` in snapshot `snap`, or why there is none.
    pub fn object(&self, snap: SnapId, id: u64) -> Result<ObjRef, String> {
        let found = self
            .snap(snap)
            .and_then(|s| s.heap().snap.ordinal_of_id(id));
        found
            .map(|o| ObjRef::new(snap, o))
            .ok_or_else(|| format!("No object with id @{id} in the snapshot"))
    }

    /// A loaded snapshot joins the list, current; its code is looked for (a job).
    pub fn add_loaded(
        &mut self,
        loaded: Loaded,
        settings: &mut Settings,
        jobs: &mut Jobs,
    ) -> (SnapId, Effects) {
        settings.remember(&loaded.path);
        let secs = loaded.load_time.as_secs_f64();
        let fx = Effects::status(format!("Loaded {} in {secs:.2} s", loaded.name));
        let id = self.add(loaded, settings.sort, jobs.waker());
        self.with(id, |s| s.start_code(&settings.source_remap, jobs));
        (id, fx)
    }

    /// The snapshot's position in the list (for display only).
    pub fn position(&self, id: SnapId) -> Option<usize> {
        self.list.iter().position(|s| s.id == id)
    }

    /// The open snapshot read from `path`, if any (compared as canonical paths; the open
    /// ones' were resolved at load, so the drop banner does not ask the disk every frame).
    pub fn find_open(&self, path: &Path) -> Option<SnapId> {
        let want = crate::paths::canonical(path);
        self.list
            .iter()
            .find(|s| s.loaded.canonical == want)
            .map(|s| s.id)
    }

    /// The newest snapshot becomes current, compared with the one that was current before.
    fn add(&mut self, loaded: Loaded, sort: Sort, waker: Waker) -> SnapId {
        self.next_id += 1;
        let id = SnapId(self.next_id);
        self.list.push(Snap::new(id, loaded, sort, waker));
        if let Some(prev) = self.current {
            self.base = Some(prev);
        }
        self.current = Some(id);
        id
    }

    /// Closes `id`: the current moves to its neighbour, the base to another snapshot.
    pub fn close(&mut self, id: SnapId) -> bool {
        let Some(pos) = self.position(id) else {
            return false;
        };
        self.list.remove(pos);
        if self.current == Some(id) {
            let next = pos.min(self.list.len().saturating_sub(1));
            self.current = self.list.get(next).map(|s| s.id);
        }
        if self.base == Some(id) || self.base == self.current {
            self.base = self.other_than_current();
        }
        true
    }

    /// A base for the Comparison: the snapshot before the current one, else the first other.
    fn other_than_current(&self) -> Option<SnapId> {
        let cur = self.current.and_then(|c| self.position(c));
        let before = cur.and_then(|p| p.checked_sub(1)).map(|p| self.list[p].id);
        before.or_else(|| {
            self.list
                .iter()
                .map(|s| s.id)
                .find(|&i| Some(i) != self.current)
        })
    }

    /// What dropping `files` now would do, in words ("Open leak-3…", "Compare with leak-2").
    pub fn drop_hint(&self, files: &[PathBuf]) -> String {
        let names: Vec<String> = files
            .iter()
            .map(|p| crate::paths::display_name(p))
            .collect();
        let already = files.iter().filter(|p| self.find_open(p).is_some()).count();
        if !files.is_empty() && already == files.len() {
            return format!("{} already open: show it", names.join(", "));
        }
        if !files.is_empty() && files.iter().all(|f| super::profiles::is_heap_profile(f)) {
            return format!("Open the heap profile {}", names.join(", "));
        }
        match (files.len(), self.current_snap()) {
            (0, _) => "Drop to open".to_string(),
            (1, Some(cur)) => format!("Open {} and compare with {}", names[0], cur.name()),
            (1, None) => format!("Open {}", names[0]),
            (n, _) if n >= 3 => format!("Open {n} snapshots as a series (Growth & leaks)"),
            (n, _) => format!("Open {n} snapshots and compare them"),
        }
    }

    /// "Objects allocated before the first / between two snapshots", by JS id ranges.
    pub fn allocation_filters(&self) -> Vec<(NodeFilter, String)> {
        let mut out = Vec::new();
        let mut prev = 0u64;
        for (i, s) in self.list.iter().enumerate() {
            let max = s.loaded.max_js_id;
            let label = if i == 0 {
                format!("Objects allocated before {}", s.name())
            } else {
                format!(
                    "Objects allocated between {} and {}",
                    self.list[i - 1].name(),
                    s.name()
                )
            };
            out.push((NodeFilter::IdRange { min: prev, max }, label));
            prev = max;
        }
        out
    }
}
