//! The explorer's whole state, with no egui, by feature (snapshots, selection, loads, series,
//! capture, profiles: each owns its fields and jobs and returns effects). This file routes
//! commands (`apply`) and job results (`finish`) to them; tests drive both without a window.

use super::capture_state::CaptureState;
use super::command::Command;
use super::effects::Effects;
use super::history::{History, Step};
use super::ids::{ObjRef, SnapId};
use super::job_output::{JobOutput, SnapOutput};
use super::jobs::{Finished, JobKey, Jobs};
use super::load_queue::LoadQueue;
use super::loader::{LoadFailure, Loaded};
use super::object_search::ObjectSearch;
use super::profile_list::Profiles;
use super::selection::{Selection, start_editor};
use super::series::Series;
use super::settings::{Settings, Tab};
use super::snapshots::Snapshots;

pub struct AppState {
    pub settings: Settings,
    pub snaps: Snapshots,
    pub tab: Tab,
    pub selection: Selection,
    pub search_results: Option<ObjectSearch>,
    pub errors: Vec<String>,
    pub status: String,
    /// A dialog returned nothing at once: offer the path box instead.
    pub show_path_box: bool,
    pub loads: LoadQueue,
    pub series: Series,
    /// Live capture: the attached process, its samples and snapshots.
    pub capture: CaptureState,
    pub profiles: Profiles,
}

/// A step that changes the state and asks nothing more.
macro_rules! done {
    ($step:expr) => {{
        $step;
        Effects::none()
    }};
}

impl AppState {
    pub fn new(settings: Settings) -> Self {
        AppState {
            tab: settings.tab,
            selection: Selection::new(settings.tab, &settings),
            settings,
            snaps: Snapshots::default(),
            search_results: None,
            errors: Vec::new(),
            status: String::new(),
            show_path_box: false,
            loads: LoadQueue::default(),
            series: Series::default(),
            capture: CaptureState::default(),
            profiles: Profiles::default(),
        }
    }

    /// Applies one command (by the feature it is for); then starts what the view needs.
    pub fn apply(&mut self, cmd: Command, jobs: &mut Jobs) {
        let (snaps, set, cap) = (&mut self.snaps, &mut self.settings, &mut self.capture);
        let fx = match cmd {
            Command::Open(files) => self.open(files, jobs),
            // The window takes its own commands before the model sees them (`ui::app`).
            Command::Window(_) => Effects::none(),
            Command::CancelLoad => done!(self.loads.cancel(jobs)),
            Command::Close(id) => done!(self.close(id, jobs)),
            Command::SetCurrent(id) => done!(snaps.set_current(id)),
            Command::SetBase(id) => done!(snaps.set_base(id)),
            Command::ShowTab(tab) => snaps.show(tab, self.profiles.len()),
            Command::Select(obj) => done!(self.reveal(None, obj, true, jobs)),
            Command::Reveal(tab, obj) => done!(self.reveal(Some(tab), obj, true, jobs)),
            Command::Back => done!(self.go_to(History::back, jobs)),
            Command::Forward => done!(self.go_to(History::forward, jobs)),
            Command::SetFilter(id, f) => done!(snaps.with(id, |s| s.set_filter(f, jobs))),
            Command::SetClassFilter(text) => done!(self.set_class_filter(&text)),
            Command::Search(q) => self.search(q.trim(), jobs),
            Command::CloseSearchResults => done!(self.search_results = None),
            Command::CompareClass(name) => self.series.compare_class(name, snaps),
            Command::SetPathCount(k) => done!(self.selection.set_path_count(k, set, snaps, jobs)),
            Command::Redact { snap, to } => snaps.redact(snap, to, jobs),
            Command::Cancel(key) => done!(jobs.request_cancel(key)),
            Command::OpenInEditor { file, line, column } => start_editor(set, &file, line, column),
            Command::NativeContexts(id) => done!(snaps.native_contexts(id, jobs)),
            Command::OpenCode(loc) => done!(self.selection.open_code(loc, jobs)),
            Command::SetEditor(t) => done!(set.editor = t),
            Command::SetSizeStyle(style) => done!(set.size_style = style),
            Command::SetRetainerPath(p) => done!(self.selection.set_path_mode(p, set, snaps)),
            Command::SetSourceRemap(t) => self.selection.set_source_remap(t, set, snaps, jobs),
            Command::Status(s) => Effects::status(s),
            Command::DismissErrors => done!(self.errors.clear()),
            Command::ShowAttach(open) => done!(cap.show_attach(open, jobs)),
            Command::ListTargets(at) => done!(cap.list_targets(&at, set, jobs)),
            Command::Attach { target, folder } => cap.attach(&target, folder, set, jobs),
            Command::Detach => cap.detach(),
            Command::TakeSnapshot { gc } => done!(cap.take_snapshot(gc)),
            Command::SetSchedule(schedule) => done!(cap.set_schedule(schedule)),
            Command::SetCaptureFolder(dir) => done!(cap.set_folder(dir, set)),
            Command::CloseCapture => cap.close(),
            Command::AllocationObjects(id, c) => done!(snaps.allocation_objects(id, c, jobs)),
            Command::ShowProfile(id) => self.profiles.show(id),
            Command::CloseProfile(id) => done!(self.profiles.close(id)),
        };
        self.take(fx, jobs);
    }

    /// A finished job's result enters the feature that asked for it, unless what it was
    /// computed for has changed or closed meanwhile.
    pub fn finish(&mut self, done_job: Finished, jobs: &mut Jobs) {
        let (snaps, sel, k) = (&mut self.snaps, &mut self.selection, self.settings.paths);
        let series = &mut self.series;
        let fx = match done_job.output {
            JobOutput::Loaded(r) => self.loaded(*r, jobs),
            JobOutput::Snap(id, out) => {
                let code = matches!(out, SnapOutput::Code(_)).then_some(id);
                let fx = snaps.finish(id, out);
                sel.code_known(code, snaps, k, jobs);
                fx
            }
            JobOutput::Picked(Some(files)) if !files.is_empty() => Effects::open(files),
            JobOutput::Picked(_) => done!(self.show_path_box = true),
            JobOutput::Compared { base, target, rows } => {
                done!(series.compared(base, target, rows))
            }
            JobOutput::Grown { key, data } => done!(series.grown(key, *data)),
            JobOutput::Paths { obj, found } => done!(sel.paths_found(obj, *found)),
            JobOutput::RootPath { obj, chain } => done!(snaps.revealed(obj, &chain, self.tab)),
            JobOutput::Found(r) => done!(self.search_results = snaps.snap(r.snap).and(Some(r))),
            JobOutput::Saved(Ok(what)) => Effects::status(what),
            JobOutput::EditorTarget(Ok((file, line, column))) => {
                start_editor(&self.settings, &file, line, column)
            }
            JobOutput::Saved(Err(e)) | JobOutput::EditorTarget(Err(e)) => Effects::error(e),
            JobOutput::Failed(e) => self.failed(done_job.key, e, jobs),
            JobOutput::Targets { at, result } => done!(self.capture.targets_listed(at, result)),
            JobOutput::Attached(r) => self.capture.attached(r),
            JobOutput::ProfileLoaded { path, result } => {
                self.profiles.loaded(path, *result, &mut self.settings)
            }
        };
        self.take(fx, jobs);
    }

    /// A job ended without its result (an error or a panic): each feature stops its work
    /// for that key, so no spinner waits for it and the load queue goes on.
    fn failed(&mut self, key: JobKey, message: String, jobs: &mut Jobs) -> Effects {
        if key == JobKey::Load {
            let path = self.loads.ended_path();
            return self.loaded(Err(LoadFailure::new(path, message)), jobs);
        }
        if let Some((id, job)) = key.of_snapshot() {
            self.snaps.with(id, |s| s.failed(job));
        }
        self.series.failed(key);
        self.selection.failed(key);
        self.capture.failed(key);
        self.profiles.failed(key);
        self.show_path_box |= key == JobKey::Dialog;
        // The status line no longer says what was being done.
        let clear = matches!(key, JobKey::Redact | JobKey::LoadProfile(_));
        let fx = if clear {
            Effects::status("")
        } else {
            Effects::none()
        };
        fx.and(Effects::error(message))
    }

    /// Whether a view waits for `key`'s result (shows a spinner): its work runs, or has not
    /// yet been able to start.
    pub fn waiting_for(&self, key: JobKey) -> bool {
        if let Some((id, job)) = key.of_snapshot() {
            return self.snaps.snap(id).is_some_and(|s| s.waiting_for(job));
        }
        match key {
            JobKey::Load => self.loads.is_loading(),
            JobKey::Compare => self.series.comparison_waiting(),
            JobKey::Growth => self.series.growth_waiting(),
            JobKey::Paths => self.selection.paths_work.is_running(),
            JobKey::LoadProfile(id) => self.profiles.is_loading(id),
            // No view waits on the others here: the window asks `Jobs::is_running`, which
            // ends with the job however it ends.
            _ => false,
        }
    }

    /// Applies what a feature asked for (the window: what capture's events ask), then
    /// starts what the shown view needs.
    pub fn take(&mut self, fx: Effects, jobs: &mut Jobs) {
        if let Some(s) = fx.status {
            self.status = s;
        }
        self.errors.extend(fx.errors);
        if let Some(tab) = fx.tab {
            self.tab = tab;
            self.loads.auto_tab = None;
        }
        if !fx.open.is_empty() {
            let more = self.open(fx.open, jobs);
            return self.take(more, jobs);
        }
        self.tab = self
            .snaps
            .shown_tab(self.tab, self.profiles.len(), &mut self.settings);
        let remap = &self.settings.source_remap;
        self.series.ensure_for(self.tab, &self.snaps, remap, jobs);
        if let Some(s) = self.snaps.current_snap_mut() {
            s.ensure_for(self.tab, jobs);
        }
    }

    fn open(&mut self, files: Vec<std::path::PathBuf>, jobs: &mut Jobs) -> Effects {
        let (snapshots, fx) = self.profiles.open(files, jobs);
        fx.and(self.loads.open(snapshots, &mut self.snaps, jobs))
    }

    /// A load ended: the snapshot joins (`--select`s object shown), the next file starts.
    fn loaded(&mut self, r: Result<Loaded, LoadFailure>, jobs: &mut Jobs) -> Effects {
        let (snaps, settings) = (&mut self.snaps, &mut self.settings);
        let (fx, select) = self.loads.loaded(r, snaps, settings, jobs);
        self.selection
            .search_near(snaps.iter().map(|s| s.loaded.path.as_path()));
        if let Some(obj) = select {
            self.reveal(Some(Tab::Summary), obj, true, jobs);
        }
        if let Some(tab) = self.loads.ended(jobs).filter(|&t| self.tab_enabled(t)) {
            self.tab = tab;
        }
        fx
    }

    fn close(&mut self, id: SnapId, jobs: &mut Jobs) {
        if self.snaps.close(id) {
            jobs.cancel_snapshot(id);
            self.selection.forget(id);
            self.series.forget(id);
            self.search_results = self.search_results.take().filter(|r| r.snap != id);
        }
    }

    /// Selects `obj`; given a view, shows it there on its snapshot, scrolled to.
    fn reveal(&mut self, tab: Option<Tab>, obj: ObjRef, record: bool, jobs: &mut Jobs) {
        if self.snaps.snap(obj.snap).is_none() {
            return;
        }
        if let Some(tab) = tab {
            self.snaps.current = Some(obj.snap);
            self.tab = if self.tab_enabled(tab) { tab } else { self.tab };
        }
        let (k, shown) = (self.settings.paths, self.tab);
        let Some(s) = self.snaps.snap_mut(obj.snap) else {
            return;
        };
        self.selection.select(s, obj, shown, k, record, jobs);
        if tab.is_some() {
            self.selection.tab = shown;
            s.scroll_to(shown, obj, jobs);
        }
    }

    /// Back or Forward: the step's snapshot, view and object, without a new history step.
    fn go_to(&mut self, step: fn(&mut History, Option<Step>) -> Option<Step>, jobs: &mut Jobs) {
        let now = self.selection.step();
        if let Some(to) = step(&mut self.selection.history, now) {
            self.reveal(Some(to.tab), to.obj, false, jobs);
        }
    }

    fn set_class_filter(&mut self, text: &str) {
        self.snaps.set_class_filter(text);
        self.series.set_class_filter(text);
    }

    /// `@id` selects that object in the Summary; other text lists objects named like it.
    fn search(&mut self, q: &str, jobs: &mut Jobs) -> Effects {
        self.set_class_filter(q);
        let found = self.snaps.current_snap().map(|s| s.search(q, jobs));
        match found {
            Some(Ok(Some(obj))) => done!(self.reveal(Some(Tab::Summary), obj, true, jobs)),
            Some(Err(e)) => Effects::error(e),
            Some(Ok(None)) | None => Effects::none(),
        }
    }

    /// Whether `tab` can show now (Comparison needs two snapshots).
    pub fn tab_enabled(&self, tab: Tab) -> bool {
        self.snaps.can_show(tab, self.profiles.len())
    }

    /// True while any background work runs (loads, filters, sorts, comparisons, paths).
    pub fn is_busy(&self, jobs: &Jobs) -> bool {
        self.loads.is_loading() || jobs.is_busy() || self.snaps.is_sorting()
    }
}
