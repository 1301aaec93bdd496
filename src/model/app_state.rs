//! The explorer's whole state, with no egui in it: the open snapshots by id, which one is
//! current and which is the base, the view, the selection and its history, and what the
//! background jobs produced. Commands change it (`command_handling.rs`), finished jobs feed it
//! (`job_results.rs`); tests drive both without a window.

use super::comparison::ComparisonModel;
use super::growth::GrowthModel;
use super::history::History;
use super::ids::{ObjRef, SnapId};
use super::jobs::{JobKey, Jobs};
use super::object_search::ObjectSearch;
use super::retainer_graph::RetainerGraph;
use super::settings::{Settings, Tab};
use super::snapshots::Snap;
use super::tree::TreeModel;
use crate::analysis::filters::NodeFilter;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

pub struct AppState {
    pub settings: Settings,
    pub snaps: Vec<Snap>,
    next_id: u32,
    pub current: Option<SnapId>,
    pub base: Option<SnapId>,
    pub tab: Tab,
    pub selection: Option<ObjRef>,
    /// The view the selection was made in (restored by Back and Forward).
    pub selection_tab: Tab,
    pub history: History,
    /// The selection's retainers, expanded along the shortest path.
    pub retainers: Option<TreeModel>,
    pub graph: Option<(ObjRef, RetainerGraph)>,
    /// The selection's code: location, reason, lines around it.
    pub code_info: Option<(ObjRef, super::code::CodeInfo)>,
    /// Source maps, decoded once per script, shared with jobs.
    pub maps: super::code::SharedMaps,
    /// An object id to select in the first snapshot that loads (`--select @ID`).
    pub pending_select: Option<u64>,
    pub comparison: Option<ComparisonModel>,
    pub growth: Option<(Vec<SnapId>, GrowthModel)>,
    pub search_results: Option<ObjectSearch>,
    pub errors: Vec<String>,
    pub status: String,
    /// A dialog returned nothing at once: offer the path box instead.
    pub show_path_box: bool,
    pub(super) queue: VecDeque<PathBuf>,
    pub(super) loading: Option<PathBuf>,
    /// The view to show once the files being opened are loaded, unless the user picks one.
    pub(super) auto_tab: Option<Tab>,
    /// A class to expand once the Comparison is ready (from the growth chart).
    pub(super) focus_class: Option<String>,
    pub(super) pending_compare: Option<(SnapId, SnapId)>,
    pub(super) pending_growth: Option<Vec<SnapId>>,
    /// Live capture: the attached process, its samples and snapshots.
    pub capture: super::capture_state::CaptureState,
    /// Captured files waiting to be opened (after the events are drained).
    pub(super) pending_opens: Vec<PathBuf>,
    /// Open sampling heap profiles, the one shown, and those being read.
    pub profiles: Vec<super::profiles::OpenProfile>,
    pub current_profile: Option<super::profiles::ProfileId>,
    pub(super) next_profile_id: u32,
    pub(super) loading_profiles: Vec<PathBuf>,
}

impl AppState {
    pub fn new(settings: Settings) -> Self {
        let maps = super::code::maps_with_remap(&settings.source_remap).unwrap_or_default();
        AppState {
            tab: settings.tab,
            selection_tab: settings.tab,
            settings,
            snaps: Vec::new(),
            next_id: 1,
            current: None,
            base: None,
            selection: None,
            history: History::default(),
            retainers: None,
            graph: None,
            code_info: None,
            maps,
            pending_select: None,
            comparison: None,
            growth: None,
            search_results: None,
            errors: Vec::new(),
            status: String::new(),
            show_path_box: false,
            queue: VecDeque::new(),
            loading: None,
            auto_tab: None,
            focus_class: None,
            pending_compare: None,
            pending_growth: None,
            capture: Default::default(),
            pending_opens: Vec::new(),
            profiles: Vec::new(),
            current_profile: None,
            next_profile_id: 1,
            loading_profiles: Vec::new(),
        }
    }

    pub(super) fn new_id(&mut self) -> SnapId {
        let id = SnapId(self.next_id);
        self.next_id += 1;
        id
    }

    pub fn snap(&self, id: SnapId) -> Option<&Snap> {
        self.snaps.iter().find(|s| s.id == id)
    }

    pub fn snap_mut(&mut self, id: SnapId) -> Option<&mut Snap> {
        self.snaps.iter_mut().find(|s| s.id == id)
    }

    pub fn current_snap(&self) -> Option<&Snap> {
        self.snap(self.current?)
    }

    pub fn current_snap_mut(&mut self) -> Option<&mut Snap> {
        let id = self.current?;
        self.snap_mut(id)
    }

    /// The snapshot's position in the list (for display only).
    pub fn position(&self, id: SnapId) -> Option<usize> {
        self.snaps.iter().position(|s| s.id == id)
    }

    /// The open snapshot read from `path`, if any (compared as canonical paths; the open
    /// ones' were resolved at load, so the drop banner does not ask the disk every frame).
    pub fn find_open(&self, path: &Path) -> Option<SnapId> {
        let want = super::loader::canonical(path);
        self.snaps
            .iter()
            .find(|s| s.loaded.canonical == want)
            .map(|s| s.id)
    }

    /// Whether `tab` can show now (Comparison needs two snapshots).
    pub fn tab_enabled(&self, tab: Tab) -> bool {
        match tab {
            Tab::Allocations => self.current_has_allocation_stacks(),
            Tab::Profile => !self.profiles.is_empty(),
            Tab::Timeline => self.current_has_timeline(),
            _ => self.snaps.len() >= tab.min_snapshots(),
        }
    }

    pub fn is_loading(&self) -> bool {
        self.loading.is_some() || !self.queue.is_empty()
    }

    /// The file being loaded and how many wait behind it.
    pub fn loading(&self) -> Option<(&Path, usize)> {
        Some((self.loading.as_deref()?, self.queue.len()))
    }

    /// True while any background work runs (loads, filters, sorts, comparisons, paths).
    pub fn is_busy(&self, jobs: &Jobs) -> bool {
        self.is_loading() || jobs.is_busy() || self.snaps.iter().any(|s| s.summary.is_sorting())
    }

    pub fn can_go_back(&self) -> bool {
        self.history.can_go_back()
    }

    pub fn can_go_forward(&self) -> bool {
        self.history.can_go_forward()
    }

    /// What dropping `files` now would do, in words ("Open leak-3…", "Compare with leak-2").
    pub fn drop_hint(&self, files: &[PathBuf]) -> String {
        let names: Vec<String> = files
            .iter()
            .map(|p| super::loader::display_name(p))
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
        for (i, s) in self.snaps.iter().enumerate() {
            let max = s.loaded.max_js_id;
            let label = if i == 0 {
                format!("Objects allocated before {}", s.name())
            } else {
                format!(
                    "Objects allocated between {} and {}",
                    self.snaps[i - 1].name(),
                    s.name()
                )
            };
            out.push((NodeFilter::IdRange { min: prev, max }, label));
            prev = max;
        }
        out
    }

    /// A remembered or chosen view that cannot show falls back to Summary.
    pub(super) fn fix_tab(&mut self) {
        if !self.tab_enabled(self.tab) {
            if !self.snaps.is_empty() {
                self.tab = Tab::Summary;
            } else if !self.profiles.is_empty() {
                self.tab = Tab::Profile;
            }
        }
        self.settings.tab = self.tab;
        if let Some(s) = self.current_snap() {
            self.settings.sort = s.summary.sort;
        }
    }

    /// Starts loading the next queued file, if none is loading.
    pub(super) fn start_next_load(&mut self, jobs: &mut Jobs) {
        if self.loading.is_some() {
            return;
        }
        let Some(path) = self.queue.pop_front() else {
            return;
        };
        self.loading = Some(path.clone());
        jobs.spawn(JobKey::Load, move |p| {
            super::job_output::JobOutput::Loaded(Box::new(super::loader::load_snapshot(path, p)))
        });
    }
}
