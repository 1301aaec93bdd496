//! `AppState::finish`: a finished job's result enters the state, unless what it was computed
//! for has changed or closed meanwhile.

use super::app_state::AppState;
use super::command::Command;
use super::comparison::ComparisonModel;
use super::growth::GrowthModel;
use super::ids::ObjRef;
use super::job_output::JobOutput;
use super::jobs::Jobs;
use super::loader::{LoadFailure, Loaded};
use super::settings::Tab;
use super::snapshots::Snap;
use super::summary::SummaryModel;

impl AppState {
    pub fn finish(&mut self, out: JobOutput, jobs: &mut Jobs) {
        match out {
            JobOutput::Loaded(r) => self.loaded(*r, jobs),
            JobOutput::Picked(Some(files)) if !files.is_empty() => {
                self.apply(Command::Open(files), jobs)
            }
            JobOutput::Picked(_) => self.show_path_box = true,
            JobOutput::Filtered {
                snap,
                filter,
                classes,
            } => {
                if let Some(s) = self.snap_mut(snap)
                    && s.pending_filter == Some(filter)
                {
                    let mut m =
                        SummaryModel::new(s.heap().clone(), filter, classes, s.summary.sort);
                    m.set_text_filter(&s.summary.text_filter);
                    m.waker = s.summary.waker.take();
                    s.summary = m;
                    s.pending_filter = None;
                }
            }
            JobOutput::Compared { base, target, rows } => {
                if self.pending_compare == Some((base, target)) {
                    self.pending_compare = None;
                    let mut m = ComparisonModel::new(base, target, rows);
                    if let Some(name) = self.focus_class.take() {
                        m.focus_class(&name);
                    }
                    self.comparison = Some(m);
                }
            }
            JobOutput::Grown { key, data } => {
                if self.pending_growth.as_ref() == Some(&key) {
                    self.pending_growth = None;
                    self.growth = Some((key, GrowthModel::new(*data)));
                }
            }
            JobOutput::Paths { obj, graph, code } => {
                if self.selection == Some(obj) {
                    self.graph = Some((obj, graph));
                    self.code_info = code.map(|c| (obj, *c));
                }
            }
            JobOutput::Code { snap, code } => {
                if let Some(s) = self.snap_mut(snap) {
                    s.code = Some(code);
                    // The selection's paths can now explain and show its code.
                    if let Some(obj) = self.selection.filter(|o| o.snap == snap) {
                        self.start_paths(obj, jobs);
                    }
                }
            }
            JobOutput::Scopes { snap, scopes } => {
                if let Some(s) = self.snap_mut(snap) {
                    s.scopes = Some(scopes);
                }
            }
            JobOutput::RootPath { obj, chain } => self.revealed_in_containment(obj, &chain),
            JobOutput::Found(r) => {
                if self.snap(r.snap).is_some() {
                    self.search_results = Some(r);
                }
            }
            JobOutput::Saved(Ok(what)) => self.status = what,
            JobOutput::EditorTarget(Ok((file, line, column))) => {
                self.open_in_editor(&file, line, column)
            }
            JobOutput::EditorTarget(Err(e)) => self.errors.push(e),
            JobOutput::Saved(Err(e)) | JobOutput::Failed(e) => self.errors.push(e),
            JobOutput::Targets { at, result } => self.targets_listed(at, result),
            JobOutput::Attached(r) => self.attached(r),
            out @ (JobOutput::AllocationProfile { .. }
            | JobOutput::AllocationObjects { .. }
            | JobOutput::Timeline { .. }) => self.allocations_finished(out),
            JobOutput::ProfileLoaded { path, result } => self.profile_loaded(path, *result),
        }
        self.after_change(jobs);
    }

    fn loaded(&mut self, r: Result<Loaded, LoadFailure>, jobs: &mut Jobs) {
        self.loading = None;
        match r {
            Ok(loaded) => {
                let id = self.add_snapshot(loaded, jobs.waker());
                self.start_code(id, jobs);
                self.select_pending(id, jobs);
            }
            Err(f) if f.cancelled => {
                self.status = format!("Cancelled loading {}", f.path.display())
            }
            Err(f) => self.errors.push(f.message),
        }
        self.start_next_load(jobs);
        if !self.is_loading()
            && let Some(tab) = self.auto_tab.take()
            && self.tab_enabled(tab)
        {
            self.tab = tab;
        }
    }

    /// The newest snapshot becomes current, compared with the one that was current before.
    fn add_snapshot(&mut self, loaded: Loaded, waker: super::jobs::Waker) -> super::ids::SnapId {
        self.settings.remember(&loaded.path);
        self.status = format!(
            "Loaded {} in {:.2} s",
            loaded.name,
            loaded.load_time.as_secs_f64()
        );
        let id = self.new_id();
        self.snaps
            .push(Snap::new(id, loaded, self.settings.sort, waker));
        if let Some(prev) = self.current {
            self.base = Some(prev);
        }
        self.current = Some(id);
        id
    }

    /// `--select @ID`: the object, selected and shown in the Summary, once its snapshot loads.
    fn select_pending(&mut self, snap: super::ids::SnapId, jobs: &mut Jobs) {
        let Some(id) = self.pending_select.take() else {
            return;
        };
        let found = self
            .snap(snap)
            .and_then(|s| s.heap().snap.ordinal_of_id(id));
        match found {
            Some(o) => self.apply(Command::Reveal(Tab::Summary, ObjRef::new(snap, o)), jobs),
            None => self
                .errors
                .push(format!("No object with id @{id} in the snapshot")),
        }
    }

    fn revealed_in_containment(&mut self, obj: ObjRef, chain: &[u32]) {
        if self.tab != Tab::Containment {
            return;
        }
        if let Some(s) = self.snap_mut(obj.snap) {
            let t = s.containment();
            t.focus = t.reveal_path(chain);
        }
    }
}
