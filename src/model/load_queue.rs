//! Snapshot files waiting to load, one at a time, in the order they were given; the view to
//! show once they are in, and an object to select in the first one (`--select @ID`).

use super::effects::Effects;
use super::ids::ObjRef;
use super::job_output::JobOutput;
use super::jobs::{JobKey, Jobs};
use super::loader::{LoadFailure, Loaded};
use super::settings::{Settings, Tab};
use super::snapshots::Snapshots;
use super::work::Work;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

#[derive(Default)]
pub struct LoadQueue {
    queue: VecDeque<PathBuf>,
    loading: Work<PathBuf>,
    /// The view to show once the files being opened are loaded, unless the user picks one.
    pub auto_tab: Option<Tab>,
    /// An object id to select in the first snapshot that loads (`--select @ID`).
    pub pending_select: Option<u64>,
}

impl LoadQueue {
    pub fn is_loading(&self) -> bool {
        self.loading.is_running() || !self.queue.is_empty()
    }

    /// The file being loaded and how many wait behind it.
    pub fn loading(&self) -> Option<(&Path, usize)> {
        Some((self.loading.running()?, self.queue.len()))
    }

    /// Whether `f` is loading or waiting to.
    pub fn has(&self, f: &Path) -> bool {
        self.queue.iter().any(|q| q == f) || self.loading.running().is_some_and(|l| l == f)
    }

    /// Queues the snapshot `files` behind the others; one already open is shown instead.
    /// Three or more at once are a series: Growth shows once they are in; a pair, Comparison.
    pub fn open(&mut self, files: Vec<PathBuf>, snaps: &mut Snapshots, jobs: &mut Jobs) -> Effects {
        let series = files.len() >= 3;
        let mut fresh: Vec<PathBuf> = Vec::new();
        let mut fx = Effects::none();
        for f in files {
            if let Some(id) = snaps.find_open(&f) {
                // Opening a file again shows it instead of adding a copy.
                snaps.current = Some(id);
                let name = crate::paths::display_name(&f);
                fx = fx.and(Effects::status(format!("{name} is already open")));
            } else if !fresh.contains(&f) && !self.has(&f) {
                fresh.push(f);
            }
        }
        if fresh.is_empty() {
            return fx;
        }
        let loading = usize::from(self.is_loading());
        let will_have = snaps.len() + self.queue.len() + loading + fresh.len();
        self.auto_tab = if series && will_have >= 3 {
            Some(Tab::Growth)
        } else if will_have == 2 {
            Some(Tab::Comparison)
        } else {
            None
        };
        self.queue.extend(fresh);
        self.start_next(jobs);
        fx
    }

    /// A load ended: the snapshot joins `snaps` (current), or the failure is said. Returns
    /// the object asked for with `--select`, found in the first snapshot that loads.
    pub fn loaded(
        &mut self,
        r: Result<Loaded, LoadFailure>,
        snaps: &mut Snapshots,
        settings: &mut Settings,
        jobs: &mut Jobs,
    ) -> (Effects, Option<ObjRef>) {
        match r {
            Ok(loaded) => {
                let (id, fx) = snaps.add_loaded(loaded, settings, jobs);
                match self.pending_select.take().map(|o| snaps.object(id, o)) {
                    Some(Ok(obj)) => (fx, Some(obj)),
                    Some(Err(e)) => (fx.and(Effects::error(e)), None),
                    None => (fx, None),
                }
            }
            Err(f) if f.cancelled => {
                let status = format!("Cancelled loading {}", f.path.display());
                (Effects::status(status), None)
            }
            Err(f) => (Effects::error(f.message), None),
        }
    }

    /// Forgets the files waiting and asks the load running to stop.
    pub fn cancel(&mut self, jobs: &mut Jobs) {
        self.queue.clear();
        jobs.request_cancel(JobKey::Load);
    }

    /// The file the ended load was for (it may have failed).
    pub fn ended_path(&self) -> PathBuf {
        self.loading.running().cloned().unwrap_or_default()
    }

    /// The load ended, however: the next file starts. Returns the view to show once the
    /// last one is in.
    pub fn ended(&mut self, jobs: &mut Jobs) -> Option<Tab> {
        self.loading.stop();
        self.start_next(jobs);
        if self.is_loading() {
            return None;
        }
        self.auto_tab.take()
    }

    fn start_next(&mut self, jobs: &mut Jobs) {
        if self.loading.is_running() {
            return;
        }
        let Some(path) = self.queue.pop_front() else {
            return;
        };
        self.loading.start(path.clone());
        jobs.spawn(JobKey::Load, move |p| {
            let report = |phase: &str, f: f32| p.report(phase, f);
            let loaded = super::loader::load_snapshot(path, &report, p.cancel_flag());
            JobOutput::Loaded(Box::new(loaded))
        });
    }
}
