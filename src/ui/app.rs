//! The application: loaded snapshots, the current view, the selection, and the panels
//! around them. Every heavy computation runs on a worker thread; the frame only draws.

use super::comparison::ComparisonView;
use super::graph::RetainerGraph;
use super::loader::{LoadJob, Loaded};
use super::start::{self, StartAction};
use super::summary::{FILTERS, SummaryView};
use super::table::{Action, export_buttons, labelled_field};
use super::tree::TreeView;
use crate::analysis::diff::{self, DiffRow};
use crate::analysis::filters::{self, NodeFilter};
use crate::analysis::paths::{self, RetainingPath};
use crate::analysis::summary::{self as agg, ClassAggregate};
use crate::model::comparison::ComparisonModel;
use crate::model::format;
use crate::model::summary::{Sort, SummaryModel};
use crate::model::tree::{TreeKind, TreeModel};
use egui::{Key, Modifiers, RichText, Ui};
use poll_promise::Promise;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Tab {
    Summary,
    Containment,
    Dominators,
    Statistics,
    Comparison,
    Growth,
}

/// What is remembered between runs (eframe persistence).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub recent: Vec<PathBuf>,
    pub tab: Tab,
    pub sort: Sort,
    pub paths: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            recent: Vec::new(),
            tab: Tab::Summary,
            sort: Sort::default(),
            paths: 5,
        }
    }
}

/// One open snapshot and its views' state.
pub struct SnapshotView {
    pub loaded: Loaded,
    pub summary: SummaryModel,
    pending_filter: Option<(NodeFilter, Promise<Vec<ClassAggregate>>)>,
    pub containment: Option<TreeModel>,
    pub dominators: Option<TreeModel>,
}

impl SnapshotView {
    fn new(mut loaded: Loaded, sort: Sort) -> Self {
        // The rows move into the model: cloning millions of member indexes would stall a frame.
        let classes = std::mem::take(&mut loaded.classes);
        let summary = SummaryModel::new(loaded.heap.clone(), NodeFilter::All, classes, sort);
        SnapshotView {
            loaded,
            summary,
            pending_filter: None,
            containment: None,
            dominators: None,
        }
    }

    pub fn heap(&self) -> &Arc<crate::analysis::Heap> {
        &self.loaded.heap
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selection {
    pub snapshot: usize,
    pub node: u32,
}

/// Objects whose name matches a search, shown in a small window.
pub struct ObjectSearch {
    pub query: String,
    pub snapshot: usize,
    pub found: Vec<u32>,
    pub total: usize,
}

pub struct HeapdiveApp {
    pub settings: Settings,
    pub snapshots: Vec<SnapshotView>,
    pub current: usize,
    pub tab: Tab,
    pub errors: Vec<String>,
    pub selection: Option<Selection>,
    queue: VecDeque<PathBuf>,
    job: Option<LoadJob>,
    dialog: Option<Promise<Option<Vec<PathBuf>>>>,
    /// Set when a dialog returned nothing at once: offer the path box instead.
    pub show_path_box: bool,
    pub path_box: String,
    pub search: String,
    search_focus: bool,
    summary_view: SummaryView,
    containment_view: TreeView,
    dominators_view: TreeView,
    retainers_view: TreeView,
    comparison_view: ComparisonView,
    pub comparison: Option<ComparisonModel>,
    pending_comparison: Option<(usize, usize, Promise<Vec<DiffRow>>)>,
    pub comparison_base: usize,
    open_series: bool,
    pub search_results: Option<ObjectSearch>,
    pending_search: Option<Promise<ObjectSearch>>,
    pub growth: Option<(Vec<PathBuf>, crate::model::growth::GrowthModel)>,
    /// A class to show expanded once the Comparison is ready (from the growth chart).
    focus_class: Option<String>,
    pending_growth: Option<(Vec<PathBuf>, Promise<crate::model::growth::GrowthData>)>,
    retainers: Option<TreeModel>,
    graph: Option<RetainerGraph>,
    pending_paths: Option<(Selection, Promise<Vec<RetainingPath>>)>,
    repaint: Option<egui::Context>,
    status: String,
}

impl HeapdiveApp {
    pub fn new(settings: Settings) -> Self {
        HeapdiveApp {
            tab: settings.tab,
            settings,
            snapshots: Vec::new(),
            current: 0,
            errors: Vec::new(),
            selection: None,
            queue: VecDeque::new(),
            job: None,
            dialog: None,
            show_path_box: false,
            path_box: String::new(),
            search: String::new(),
            search_focus: false,
            summary_view: SummaryView::default(),
            containment_view: TreeView::default(),
            dominators_view: TreeView::default(),
            retainers_view: TreeView::default(),
            comparison_view: ComparisonView::default(),
            comparison: None,
            pending_comparison: None,
            comparison_base: 0,
            open_series: false,
            search_results: None,
            pending_search: None,
            growth: None,
            focus_class: None,
            pending_growth: None,
            retainers: None,
            graph: None,
            pending_paths: None,
            repaint: None,
            status: String::new(),
        }
    }

    /// Lets worker threads wake the window when they make progress.
    pub fn set_repaint(&mut self, ctx: egui::Context) {
        self.repaint = Some(ctx);
    }

    /// Queues files for loading (in the given order). Three or more at once form a series:
    /// the Growth & leaks view opens when they are loaded.
    pub fn open_files(&mut self, files: Vec<PathBuf>) {
        if files.len() >= 3 {
            self.open_series = true;
        }
        for f in files {
            self.queue.push_back(f);
        }
        self.start_next_job();
    }

    pub fn is_loading(&self) -> bool {
        self.job.is_some() || !self.queue.is_empty()
    }

    /// True while any background work (loading, sorting, filtering, comparing) runs.
    pub fn is_busy(&self) -> bool {
        self.is_loading()
            || self.pending_comparison.is_some()
            || self.pending_paths.is_some()
            || self.pending_growth.is_some()
            || self.pending_search.is_some()
            || self
                .snapshots
                .iter()
                .any(|s| s.pending_filter.is_some() || s.summary.is_sorting())
    }

    fn start_next_job(&mut self) {
        if self.job.is_some() {
            return;
        }
        if let Some(path) = self.queue.pop_front() {
            let ctx = self.repaint.clone();
            self.job = Some(LoadJob::start(path, move || {
                if let Some(c) = &ctx {
                    c.request_repaint();
                }
            }));
        }
    }

    fn remember(&mut self, path: &std::path::Path) {
        let p = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.settings.recent.retain(|r| r != &p);
        self.settings.recent.insert(0, p);
        self.settings.recent.truncate(12);
    }

    fn poll(&mut self) {
        if let Some(mut job) = self.job.take() {
            match job.take_result() {
                Some(Ok(loaded)) => {
                    self.remember(&loaded.path.clone());
                    self.status = format!(
                        "Loaded {} in {:.2} s",
                        loaded.name,
                        loaded.load_time.as_secs_f64()
                    );
                    self.snapshots
                        .push(SnapshotView::new(loaded, self.settings.sort));
                    let n = self.snapshots.len();
                    // The newest snapshot becomes current; with two or more, compare with the previous.
                    self.current = n - 1;
                    if n >= 2 {
                        self.comparison_base = n - 2;
                        if self.queue.is_empty() && n == 2 {
                            self.tab = Tab::Comparison;
                        }
                    }
                    self.comparison = None;
                }
                Some(Err(e)) => {
                    if !e.contains("loading was cancelled") {
                        self.errors.push(e);
                    }
                }
                None => self.job = Some(job),
            }
            if self.job.is_none() {
                self.start_next_job();
                if self.job.is_none() && self.open_series {
                    self.open_series = false;
                    if self.snapshots.len() >= 3 {
                        self.tab = Tab::Growth;
                    }
                }
            }
        }
        if let Some(p) = self.dialog.take() {
            match p.try_take() {
                Ok(Some(files)) if !files.is_empty() => self.open_files(files),
                Ok(_) => self.show_path_box = true,
                Err(p) => self.dialog = Some(p),
            }
        }
        for s in &mut self.snapshots {
            s.summary.poll();
            if let Some((f, p)) = s.pending_filter.take() {
                match p.try_take() {
                    Ok(classes) => {
                        s.summary =
                            SummaryModel::new(s.loaded.heap.clone(), f, classes, s.summary.sort);
                    }
                    Err(p) => s.pending_filter = Some((f, p)),
                }
            }
        }
        if let Some((b, t, p)) = self.pending_comparison.take() {
            match p.try_take() {
                Ok(rows) => self.comparison = Some(ComparisonModel::new(b, t, rows)),
                Err(p) => self.pending_comparison = Some((b, t, p)),
            }
        }
        if let Some(p) = self.pending_search.take() {
            match p.try_take() {
                Ok(r) => self.search_results = Some(r),
                Err(p) => self.pending_search = Some(p),
            }
        }
        if let Some((key, p)) = self.pending_growth.take() {
            match p.try_take() {
                Ok(data) => self.growth = Some((key, crate::model::growth::GrowthModel::new(data))),
                Err(p) => self.pending_growth = Some((key, p)),
            }
        }
        if let Some((sel, p)) = self.pending_paths.take() {
            match p.try_take() {
                Ok(paths) => {
                    if self.selection == Some(sel) {
                        self.graph = Some(RetainerGraph::build(&paths, sel.node));
                    }
                }
                Err(p) => self.pending_paths = Some((sel, p)),
            }
        }
    }

    fn open_dialog(&mut self) {
        if self.dialog.is_some() {
            return;
        }
        // rfd blocks; it runs on its own thread.
        self.dialog = Some(Promise::spawn_thread("file-dialog", || {
            rfd::FileDialog::new()
                .add_filter("Heap snapshots", &["heapsnapshot", "gz"])
                .add_filter("All files", &["*"])
                .set_title("Open heap snapshots")
                .pick_files()
        }));
    }

    /// Selects an object in snapshot `snapshot`: retainers tree, paths graph, details.
    pub fn select(&mut self, snapshot: usize, node: u32) {
        let sel = Selection { snapshot, node };
        if self.selection == Some(sel) {
            return;
        }
        self.selection = Some(sel);
        let heap = self.snapshots[snapshot].heap().clone();
        let mut tree = TreeModel::new(heap.clone(), TreeKind::Retainers, node);
        tree.expand_shortest_path(20);
        self.retainers = Some(tree);
        self.retainers_view = TreeView::default();
        self.graph = None;
        let k = self.settings.paths.max(1);
        self.pending_paths = Some((
            sel,
            Promise::spawn_thread("retaining-paths", move || {
                paths::shortest_paths(&heap, node, k, 40)
            }),
        ));
    }

    pub fn selected_node(&self) -> Option<u32> {
        self.selection.map(|s| s.node)
    }

    fn set_filter(&mut self, f: NodeFilter) {
        let Some(s) = self.snapshots.get_mut(self.current) else {
            return;
        };
        if s.summary.filter == f && s.pending_filter.is_none() {
            return;
        }
        let heap = s.loaded.heap.clone();
        s.pending_filter = Some((
            f,
            Promise::spawn_thread("summary-filter", move || {
                let set = filters::filter_set(&heap, f);
                agg::aggregates(&heap, set.as_ref())
            }),
        ));
    }

    fn ensure_comparison(&mut self) {
        let (b, t) = (self.comparison_base, self.current);
        if self.snapshots.len() < 2 || b == t || b >= self.snapshots.len() {
            return;
        }
        if self
            .comparison
            .as_ref()
            .is_some_and(|c| c.base == b && c.target == t)
        {
            return;
        }
        if self
            .pending_comparison
            .as_ref()
            .is_some_and(|p| p.0 == b && p.1 == t)
        {
            return;
        }
        let (bh, th) = (
            self.snapshots[b].heap().clone(),
            self.snapshots[t].heap().clone(),
        );
        self.comparison = None;
        self.pending_comparison = Some((
            b,
            t,
            Promise::spawn_thread("compare", move || diff::compare(&bh, &th)),
        ));
    }

    /// The growth data for the open snapshots, computed in the background once per series.
    fn ensure_growth(&mut self) {
        let key: Vec<PathBuf> = self
            .snapshots
            .iter()
            .map(|s| s.loaded.path.clone())
            .collect();
        if self.growth.as_ref().is_some_and(|g| g.0 == key)
            || self.pending_growth.as_ref().is_some_and(|g| g.0 == key)
        {
            return;
        }
        self.growth = None;
        let names: Vec<String> = self
            .snapshots
            .iter()
            .map(|s| s.loaded.name.clone())
            .collect();
        let heaps: Vec<_> = self.snapshots.iter().map(|s| s.heap().clone()).collect();
        self.pending_growth = Some((
            key,
            Promise::spawn_thread("growth", move || {
                crate::model::growth::GrowthData::compute(names, &heaps)
            }),
        ));
    }

    fn handle_action(&mut self, a: Action) {
        match a {
            Action::Select(node) => self.select(self.current, node),
            Action::ShowIn(tab, node) => {
                let snap = self.selection.map_or(self.current, |s| s.snapshot);
                self.current = snap;
                self.tab = tab;
                self.reveal(tab, node);
            }
        }
    }

    /// Scrolls the given view to the object (expanding what leads to it).
    fn reveal(&mut self, tab: Tab, node: u32) {
        let Some(s) = self.snapshots.get_mut(self.current) else {
            return;
        };
        let heap = s.loaded.heap.clone();
        match tab {
            Tab::Summary => {
                if let Some(r) = s.summary.reveal(node) {
                    self.summary_view.selected = Some(r);
                    self.summary_view.scroll_to = Some(r);
                }
            }
            Tab::Dominators => {
                let t = s.dominators.get_or_insert_with(|| {
                    TreeModel::new(heap.clone(), TreeKind::Dominators, heap.snap.root)
                });
                let mut chain = vec![node];
                let mut cur = node;
                while cur != heap.snap.root && chain.len() < 100_000 {
                    cur = heap.idom[cur as usize];
                    chain.push(cur);
                }
                chain.reverse();
                if let Some(r) = t.reveal_path(&chain) {
                    self.dominators_view.selected = Some(r);
                    self.dominators_view.scroll_to = Some(r);
                }
            }
            Tab::Containment => {
                let t = s.containment.get_or_insert_with(|| {
                    TreeModel::new(heap.clone(), TreeKind::Containment, heap.snap.root)
                });
                // The shortest retaining path, read from the root down.
                let path = paths::shortest_paths(&heap, node, 1, 40);
                if let Some(p) = path.first() {
                    let mut chain = vec![heap.snap.root];
                    chain.extend(p.hops.iter().map(|h| h.from));
                    chain.push(node);
                    if let Some(r) = t.reveal_path(&chain) {
                        self.containment_view.selected = Some(r);
                        self.containment_view.scroll_to = Some(r);
                    }
                }
            }
            _ => {}
        }
    }

    fn run_search(&mut self) {
        let q = self.search.trim().to_string();
        if let Some(id) = q.strip_prefix('@') {
            let Some(s) = self.snapshots.get(self.current) else {
                return;
            };
            match id
                .parse::<u64>()
                .ok()
                .and_then(|id| s.heap().snap.ordinal_of_id(id))
            {
                Some(o) => {
                    self.select(self.current, o);
                    self.tab = Tab::Summary;
                    self.reveal(Tab::Summary, o);
                }
                None => self
                    .errors
                    .push(format!("No object with id {q} in {}", s.loaded.name)),
            }
        } else if let Some(s) = self.snapshots.get_mut(self.current) {
            s.summary.set_text_filter(&q);
            if let Some(c) = &mut self.comparison {
                c.set_text_filter(&q);
            }
        }
    }

    /// Searches object names in the background (Enter in the search box).
    fn search_objects(&mut self) {
        let q = self.search.trim().to_string();
        if q.is_empty() || q.starts_with('@') {
            return;
        }
        let Some(s) = self.snapshots.get(self.current) else {
            return;
        };
        let heap = s.heap().clone();
        let snap = self.current;
        let query = q.clone();
        self.pending_search = Some(Promise::spawn_thread("search", move || {
            let (found, total) = crate::analysis::search::find_objects(&heap, &query, 200);
            ObjectSearch {
                query,
                snapshot: snap,
                found,
                total,
            }
        }));
    }

    fn keyboard(&mut self, ui: &Ui) {
        let ctx = ui.ctx().clone();
        let cmd = |k: Key| ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, k));
        if cmd(Key::O) {
            self.open_dialog();
        }
        if cmd(Key::F) {
            self.search_focus = true;
        }
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        if cmd(Key::C) {
            let text = self.selected_row_text();
            if let Some(t) = text {
                ctx.copy_text(t);
            }
        }
        let keys = [
            Key::ArrowDown,
            Key::ArrowUp,
            Key::ArrowLeft,
            Key::ArrowRight,
            Key::Enter,
        ];
        for k in keys {
            if !ctx.input_mut(|i| i.consume_key(Modifiers::NONE, k)) {
                continue;
            }
            let Some(s) = self.snapshots.get_mut(self.current) else {
                return;
            };
            let action = match self.tab {
                Tab::Summary => self.summary_view.key(&mut s.summary, k),
                Tab::Containment => s
                    .containment
                    .as_mut()
                    .and_then(|t| self.containment_view.key(t, k)),
                Tab::Dominators => s
                    .dominators
                    .as_mut()
                    .and_then(|t| self.dominators_view.key(t, k)),
                _ => None,
            };
            if let Some(a) = action {
                self.handle_action(a);
            }
        }
    }

    fn selected_row_text(&self) -> Option<String> {
        let s = self.snapshots.get(self.current)?;
        match self.tab {
            Tab::Summary => self.summary_view.row_text(&s.summary),
            Tab::Containment => self.containment_view.row_text(s.containment.as_ref()?),
            Tab::Dominators => self.dominators_view.row_text(s.dominators.as_ref()?),
            _ => None,
        }
    }

    fn take_drops(&mut self, ui: &Ui) {
        let dropped: Vec<PathBuf> = ui.ctx().input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if dropped.is_empty() {
            return;
        }
        // Dropped together: a series in file-time order.
        let mut files = dropped;
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        self.open_files(files);
    }

    /// Draws the whole window; tests drive this directly.
    pub fn ui(&mut self, ui: &mut Ui) {
        self.poll();
        self.take_drops(ui);
        self.keyboard(ui);
        if self.is_busy() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
        }
        self.settings.tab = self.tab;
        if let Some(s) = self.snapshots.get(self.current) {
            self.settings.sort = s.summary.sort;
        }

        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar(ui));
        if let Some(job) = &self.job {
            let (phase, f) = job.progress();
            let name = super::loader::display_name(&job.path);
            let mut cancel = false;
            egui::Panel::top("progress").show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.label(format!("Loading {name}: {phase}"));
                    ui.add(
                        egui::ProgressBar::new(f)
                            .show_percentage()
                            .desired_width(260.0),
                    );
                    if !self.queue.is_empty() {
                        ui.label(format!("(+{} queued)", self.queue.len()));
                    }
                    cancel = ui.button("Cancel").clicked();
                });
            });
            if cancel {
                if let Some(j) = &self.job {
                    j.cancel();
                }
                self.queue.clear();
            }
        }
        if !self.errors.is_empty() {
            let mut dismiss = false;
            egui::Panel::top("errors").show(ui, |ui| {
                for e in &self.errors {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                dismiss = ui.small_button("Dismiss").clicked();
            });
            if dismiss {
                self.errors.clear();
            }
        }
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(&self.status).weak());
                if let Some(s) = self.snapshots.get(self.current) {
                    let (count, shallow) = s.summary.totals();
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(
                            RichText::new(format!(
                                "{} objects, {} shallow in view",
                                format::group(count),
                                format::kb(shallow)
                            ))
                            .weak(),
                        );
                    });
                }
            });
        });

        if self.snapshots.is_empty() {
            egui::CentralPanel::default_margins().show(ui, |ui| {
                if let Some(a) = start::ui(ui, &self.settings.recent, &mut self.path_box) {
                    match a {
                        StartAction::OpenDialog => self.open_dialog(),
                        StartAction::Open(files) => self.open_files(files),
                    }
                }
            });
            return;
        }

        egui::Panel::left("snapshots")
            .resizable(true)
            .default_size(220.0)
            .show(ui, |ui| self.snapshot_list(ui));
        if self
            .selection
            .is_some_and(|sel| sel.snapshot < self.snapshots.len())
        {
            egui::Panel::bottom("retainers")
                .resizable(true)
                .default_size(330.0)
                .show(ui, |ui| self.selection_panel(ui));
        }
        egui::CentralPanel::default_margins().show(ui, |ui| self.central(ui));
        self.search_window(ui);
    }

    fn search_window(&mut self, ui: &mut Ui) {
        let Some(r) = &self.search_results else {
            return;
        };
        if r.snapshot >= self.snapshots.len() {
            self.search_results = None;
            return;
        }
        let heap = self.snapshots[r.snapshot].heap().clone();
        let mut open = true;
        let mut picked = None;
        let title = format!(
            "Objects named like \"{}\" ({} found)",
            format::shorten(&r.query, 30),
            format::group(r.total as u64)
        );
        egui::Window::new(title)
            .id(egui::Id::unique("object-search"))
            .open(&mut open)
            .default_size([460.0, 320.0])
            .show(ui.ctx(), |ui| {
                if r.found.is_empty() {
                    ui.label("No object has that in its name.");
                }
                egui::ScrollArea::vertical().show(ui, |ui| {
                    for &o in &r.found {
                        let label = format!(
                            "{}   {}",
                            format::object_label(&heap, o, 60),
                            format::kb(heap.retained[o as usize])
                        );
                        if ui.link(label).clicked() {
                            picked = Some(o);
                        }
                    }
                    if r.total > r.found.len() {
                        ui.label(
                            RichText::new(format!(
                                "… and {} more (largest retained sizes shown)",
                                format::group((r.total - r.found.len()) as u64)
                            ))
                            .weak(),
                        );
                    }
                });
            });
        let snap = r.snapshot;
        if !open {
            self.search_results = None;
        }
        if let Some(o) = picked {
            self.current = snap;
            self.select(snap, o);
            self.tab = Tab::Summary;
            self.reveal(Tab::Summary, o);
        }
    }

    fn toolbar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if ui.button("Open…").on_hover_text("Ctrl+O").clicked() {
                self.open_dialog();
            }
            if self.show_path_box || !self.snapshots.is_empty() {
                let r = labelled_field(ui, "Path:", &mut self.path_box, 220.0, "file to open");
                if r.lost_focus()
                    && ui.input(|i| i.key_pressed(Key::Enter))
                    && !self.path_box.trim().is_empty()
                {
                    let p = PathBuf::from(self.path_box.trim());
                    self.open_files(vec![p]);
                }
            }
            ui.separator();
            let r = labelled_field(
                ui,
                "Search:",
                &mut self.search,
                240.0,
                "class name, or @id  (Ctrl+F)",
            );
            if self.search_focus {
                r.request_focus();
                self.search_focus = false;
            }
            if r.changed() && !self.search.starts_with('@') {
                self.run_search();
            }
            if r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                self.run_search();
                self.search_objects();
            }
        });
    }

    fn snapshot_list(&mut self, ui: &mut Ui) {
        ui.strong("Snapshots");
        let mut close = None;
        for (i, s) in self.snapshots.iter().enumerate() {
            ui.horizontal(|ui| {
                let text = format!(
                    "{}\n{}  ·  {}",
                    s.loaded.name,
                    format::kb(s.loaded.heap.snap.file_bytes),
                    format::kb(s.loaded.heap.total_size)
                );
                if ui.selectable_label(self.current == i, text).clicked() {
                    self.current = i;
                }
                if ui
                    .small_button("x")
                    .on_hover_text("Close this snapshot")
                    .clicked()
                {
                    close = Some(i);
                }
            });
        }
        if let Some(i) = close {
            self.close_snapshot(i);
        }
        if self.snapshots.len() >= 2 {
            ui.separator();
            ui.label("Comparison base:");
            let names: Vec<String> = self
                .snapshots
                .iter()
                .map(|s| s.loaded.name.clone())
                .collect();
            egui::ComboBox::from_id_salt("base-select")
                .selected_text(names.get(self.comparison_base).cloned().unwrap_or_default())
                .show_ui(ui, |ui| {
                    for (i, n) in names.iter().enumerate() {
                        ui.selectable_value(&mut self.comparison_base, i, n);
                    }
                });
        }
    }

    fn close_snapshot(&mut self, i: usize) {
        self.snapshots.remove(i);
        self.comparison = None;
        self.pending_comparison = None;
        if self.selection.is_some_and(|s| s.snapshot == i) {
            self.selection = None;
            self.retainers = None;
            self.graph = None;
        } else if let Some(s) = &mut self.selection
            && s.snapshot > i
        {
            s.snapshot -= 1;
        }
        self.current = self.current.min(self.snapshots.len().saturating_sub(1));
        self.comparison_base = self
            .comparison_base
            .min(self.snapshots.len().saturating_sub(1));
    }

    fn central(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            for (t, name) in [
                (Tab::Summary, "Summary"),
                (Tab::Containment, "Containment"),
                (Tab::Dominators, "Dominators"),
                (Tab::Statistics, "Statistics"),
                (Tab::Comparison, "Comparison"),
                (Tab::Growth, "Growth & leaks"),
            ] {
                if matches!(t, Tab::Comparison | Tab::Growth) && self.snapshots.len() < 2 {
                    continue;
                }
                ui.selectable_value(&mut self.tab, t, name);
            }
        });
        ui.separator();
        let cur = self.current;
        let mut action = None;
        match self.tab {
            Tab::Summary => {
                let mut filter = self.snapshots[cur].summary.filter;
                let pending = self.snapshots[cur].pending_filter.as_ref().map(|p| p.0);
                let mut export = None;
                ui.horizontal(|ui| {
                    let mut text = self.snapshots[cur].summary.text_filter.clone();
                    if labelled_field(ui, "Class filter:", &mut text, 200.0, "").changed() {
                        self.snapshots[cur].summary.set_text_filter(&text);
                    }
                    egui::ComboBox::from_id_salt("summary-filter")
                        .selected_text(pending.unwrap_or(filter).label())
                        .width(280.0)
                        .show_ui(ui, |ui| {
                            for f in FILTERS {
                                ui.selectable_value(&mut filter, f, f.label());
                            }
                            // Objects allocated between snapshots, by id ranges of the series.
                            for f in self.allocation_filters() {
                                ui.selectable_value(&mut filter, f.0, f.1);
                            }
                        });
                    if pending.is_some() {
                        ui.spinner();
                    }
                    export = export_buttons(ui);
                });
                if filter != self.snapshots[cur].summary.filter && pending != Some(filter) {
                    self.set_filter(filter);
                }
                if let Some((save, json)) = export {
                    let m = &self.snapshots[cur].summary;
                    let text = if json {
                        super::summary::to_json(m)
                    } else {
                        super::summary::to_csv(m)
                    };
                    self.export(ui, text, save, json);
                }
                action = self.summary_view.ui(ui, &mut self.snapshots[cur].summary);
            }
            Tab::Containment => {
                let heap = self.snapshots[cur].heap().clone();
                let t = self.snapshots[cur].containment.get_or_insert_with(|| {
                    TreeModel::new(heap.clone(), TreeKind::Containment, heap.snap.root)
                });
                action = self.containment_view.ui(ui, t, "containment-table");
            }
            Tab::Dominators => {
                let heap = self.snapshots[cur].heap().clone();
                let t = self.snapshots[cur].dominators.get_or_insert_with(|| {
                    TreeModel::new(heap.clone(), TreeKind::Dominators, heap.snap.root)
                });
                action = self.dominators_view.ui(ui, t, "dominators-table");
            }
            Tab::Statistics => {
                let st = self.snapshots[cur].heap().statistics.clone();
                super::statistics::ui(ui, &st);
            }
            Tab::Growth => {
                if self.snapshots.len() < 2 {
                    ui.label("Open two or more snapshots of the same process to see what grows.");
                    return;
                }
                self.ensure_growth();
                let mut act = None;
                match &mut self.growth {
                    Some((_, m)) => act = super::growth::ui(ui, m),
                    None => {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.label("Computing the growth of every class and the leak report…");
                        });
                    }
                }
                match act {
                    Some(super::growth::GrowthAction::CompareClass(name)) => {
                        self.comparison_base = 0;
                        self.current = self.snapshots.len() - 1;
                        self.tab = Tab::Comparison;
                        self.focus_class = Some(name);
                    }
                    Some(super::growth::GrowthAction::SelectInLast(node)) => {
                        let last = self.snapshots.len() - 1;
                        self.select(last, node);
                    }
                    None => {}
                }
            }
            Tab::Comparison => {
                if self.comparison_base == cur {
                    ui.label(
                        "Choose a different base snapshot in the list on the left to compare.",
                    );
                    return;
                }
                self.ensure_comparison();
                let mut export = None;
                if let Some(m) = &mut self.comparison {
                    if let Some(name) = self.focus_class.take() {
                        m.focus_class(&name);
                    }
                    ui.horizontal(|ui| {
                        ui.label(format!(
                            "{} compared with {}",
                            self.snapshots[m.target].loaded.name,
                            self.snapshots[m.base].loaded.name
                        ));
                        let mut text = m.text_filter.clone();
                        if labelled_field(ui, "Class filter:", &mut text, 200.0, "").changed() {
                            m.set_text_filter(&text);
                        }
                        export = export_buttons(ui);
                    });
                    let (b, t) = (
                        self.snapshots[m.base].heap().clone(),
                        self.snapshots[m.target].heap().clone(),
                    );
                    if let Some((snap, node)) = self.comparison_view.ui(ui, m, &b, &t) {
                        self.select(snap, node);
                    }
                } else {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Comparing…");
                    });
                }
                if let (Some((save, json)), Some(m)) = (export, &self.comparison) {
                    let text = if json {
                        super::comparison::to_json(m)
                    } else {
                        super::comparison::to_csv(m)
                    };
                    self.export(ui, text, save, json);
                }
            }
        }
        if let Some(a) = action {
            self.handle_action(a);
        }
    }

    /// "Objects allocated before snapshot 1 / between snapshots i and i+1", by id range.
    fn allocation_filters(&self) -> Vec<(NodeFilter, String)> {
        let mut out = Vec::new();
        let mut prev = 0u64;
        for (i, s) in self.snapshots.iter().enumerate() {
            let max = s
                .heap()
                .snap
                .node_id
                .iter()
                .filter(|&&id| id % 2 == 1)
                .max()
                .copied()
                .unwrap_or(0) as u64;
            let label = if i == 0 {
                format!("Objects allocated before {}", s.loaded.name)
            } else {
                format!(
                    "Objects allocated between {} and {}",
                    self.snapshots[i - 1].loaded.name,
                    s.loaded.name
                )
            };
            out.push((NodeFilter::IdRange { min: prev, max }, label));
            prev = max;
        }
        out
    }

    fn export(&mut self, ui: &Ui, text: String, save: bool, json: bool) {
        let kind = if json { "JSON" } else { "CSV" };
        if !save {
            ui.ctx().copy_text(text);
            self.status = format!("Copied the table as {kind}");
            return;
        }
        let csv = text;
        // The save dialog runs on its own thread; the write happens there too.
        std::thread::spawn(move || {
            if let Some(p) = rfd::FileDialog::new()
                .set_file_name("heapdive.csv")
                .save_file()
            {
                let _ = std::fs::write(p, csv);
            }
        });
    }

    /// The bottom panel for the selection: details, the retainer tree, the retainer graph.
    fn selection_panel(&mut self, ui: &mut Ui) {
        let Some(sel) = self.selection else { return };
        let heap = self.snapshots[sel.snapshot].heap().clone();
        let mut action = None;
        egui::Panel::left("details")
            .resizable(true)
            .default_size(280.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("details-scroll")
                    .show(ui, |ui| {
                        action = super::details::ui(ui, &heap, sel.node);
                    });
            });
        egui::Panel::right("graph")
            .resizable(true)
            .default_size(ui.available_width() * 0.42)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.strong(format!(
                        "Retainer graph ({} shortest paths)",
                        self.settings.paths
                    ));
                    let mut k = self.settings.paths;
                    if ui
                        .add(egui::DragValue::new(&mut k).range(1..=20))
                        .on_hover_text("How many paths to draw")
                        .changed()
                    {
                        self.settings.paths = k;
                        self.selection = None;
                        self.select(sel.snapshot, sel.node);
                    }
                });
                match &self.graph {
                    Some(g) => {
                        if let Some(a) = g.ui(ui, &heap) {
                            action = Some(a);
                        }
                    }
                    None => {
                        ui.spinner();
                    }
                }
            });
        egui::CentralPanel::no_frame().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong("Retainers");
                ui.label(
                    RichText::new("weak edges hidden; the path to a GC root is expanded").weak(),
                );
            });
            if let Some(t) = &mut self.retainers
                && let Some(a) = self.retainers_view.ui(ui, t, "retainers-table")
            {
                action = Some(a);
            }
        });
        match action {
            Some(Action::Select(n)) => self.select(sel.snapshot, n),
            Some(a) => self.handle_action(a),
            None => {}
        }
    }
}

impl eframe::App for HeapdiveApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        HeapdiveApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.settings);
    }
}
