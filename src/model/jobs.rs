//! All background work in one place: jobs keyed by what they are for, polled in one spot.
//! A newer request of the same key replaces (and cancels) the older one; a job that ends
//! wakes the window; a job that panics becomes an error message, not a crash.

use super::ids::SnapId;
use super::job_output::JobOutput;
use poll_promise::Promise;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What a job is for. At most one job per key runs at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobKey {
    Load,
    /// The platform's file dialog (it blocks, so it runs as a job too).
    Dialog,
    /// The Summary of one snapshot under a new object filter.
    Filter(SnapId),
    Compare,
    Growth,
    /// The K shortest retaining paths of the selection.
    Paths,
    /// The shortest path from the root to an object, to reveal it in Containment.
    Reveal,
    Search,
    Save,
    /// Writing a redacted copy.
    Redact,
    /// A snapshot's locations and path explainer.
    Code(SnapId),
    /// A snapshot's closure scopes.
    Scopes(SnapId),
    /// An inspector's target list (live capture).
    ListTargets,
    /// Attaching to a process (seconds, at worst).
    Attach,
    /// The Allocations view's numbers for a snapshot.
    Allocations(SnapId),
    /// The live objects of the Allocations view's selected row.
    AllocationObjects(SnapId),
    /// Reading a sampling heap profile.
    LoadProfile(super::profiles::ProfileId),
    /// The allocation timeline of a snapshot.
    Timeline(SnapId),
    /// A snapshot's native contexts and their sizes (the Summary filters, Statistics).
    NativeContexts(SnapId),
    /// Finding the file to open in the editor for a script position.
    Editor,
}

/// The jobs that work on one snapshot (closing it ends them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapJob {
    Filter,
    Code,
    Scopes,
    Allocations,
    AllocationObjects,
    Timeline,
    NativeContexts,
}

impl JobKey {
    /// The snapshot the job works on and which of its jobs it is, if it works on one
    /// (listed in full, so that a new key must say whether closing a snapshot ends it).
    pub fn of_snapshot(self) -> Option<(SnapId, SnapJob)> {
        use JobKey::*;
        match self {
            Filter(s) => Some((s, SnapJob::Filter)),
            Code(s) => Some((s, SnapJob::Code)),
            Scopes(s) => Some((s, SnapJob::Scopes)),
            Allocations(s) => Some((s, SnapJob::Allocations)),
            AllocationObjects(s) => Some((s, SnapJob::AllocationObjects)),
            Timeline(s) => Some((s, SnapJob::Timeline)),
            NativeContexts(s) => Some((s, SnapJob::NativeContexts)),
            Load | Dialog | Compare | Growth | Paths | Reveal | Search | Save | Redact
            | ListTargets | Attach | LoadProfile(_) | Editor => None,
        }
    }
}

/// Called when a job reports progress or ends, so the window redraws without polling.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// What a running job shares with the window: its phase and fraction, and a cancel flag.
pub struct Progress {
    state: Mutex<(String, f32)>,
    cancel: AtomicBool,
    wake: Waker,
}

impl Progress {
    pub fn report(&self, phase: &str, fraction: f32) {
        if let Ok(mut g) = self.state.lock() {
            *g = (phase.to_string(), fraction);
        }
        (self.wake)();
    }

    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancel
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    pub fn get(&self) -> (String, f32) {
        self.state.lock().map(|g| g.clone()).unwrap_or_default()
    }
}

struct Running {
    key: JobKey,
    progress: Arc<Progress>,
    promise: Promise<JobOutput>,
}

/// A job's output with the key it ran under: even a failure or a panic says what it was
/// for, so the state can clear that key's marker (no spinner stays, the load queue goes on).
pub struct Finished {
    pub key: JobKey,
    pub output: JobOutput,
}

/// Decides, per key, whether a job is made to panic (tests of the failure paths).
type PanicWhen = Box<dyn FnMut(JobKey) -> bool + Send>;

pub struct Jobs {
    running: Vec<Running>,
    wake: Waker,
    panic_when: Option<PanicWhen>,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs {
            running: Vec::new(),
            wake: Arc::new(|| {}),
            panic_when: None,
        }
    }
}

impl Jobs {
    /// Sets what wakes the window (its repaint request).
    pub fn set_waker(&mut self, wake: Waker) {
        self.wake = wake;
    }

    pub fn waker(&self) -> Waker {
        self.wake.clone()
    }

    /// Makes the jobs for which `when` says so panic instead of working: the tests of what a
    /// failing job leaves behind use this; nothing else does.
    #[doc(hidden)]
    pub fn panic_when(&mut self, when: impl FnMut(JobKey) -> bool + Send + 'static) {
        self.panic_when = Some(Box::new(when));
    }

    /// Starts `work` on its own thread under `key`, cancelling a job of the same key.
    pub fn spawn(
        &mut self,
        key: JobKey,
        work: impl FnOnce(&Progress) -> JobOutput + Send + 'static,
    ) {
        self.cancel(key);
        let progress = Arc::new(Progress {
            state: Mutex::new(("Starting".to_string(), 0.0)),
            cancel: AtomicBool::new(false),
            wake: self.wake.clone(),
        });
        let p = progress.clone();
        let boom = self.panic_when.as_mut().is_some_and(|when| when(key));
        let promise = Promise::spawn_thread(format!("{key:?}"), move || {
            let run = || {
                if boom {
                    panic!("a panic asked for by a test ({key:?})");
                }
                work(&p)
            };
            let out =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
                    JobOutput::Failed(format!(
                        "internal error in background work ({key:?}); please report it"
                    ))
                });
            (p.wake)();
            out
        });
        self.running.push(Running {
            key,
            progress,
            promise,
        });
    }

    /// Cancels the job of `key` (if any) and forgets it: its result will not be delivered.
    pub fn cancel(&mut self, key: JobKey) {
        self.cancel_where(|k| k == key);
    }

    /// Flags and forgets the jobs whose key matches.
    fn cancel_where(&mut self, matches: impl Fn(JobKey) -> bool) {
        self.running.retain(|r| {
            let hit = matches(r.key);
            if hit {
                r.progress.cancel.store(true, Ordering::Relaxed);
            }
            !hit
        });
    }

    /// Asks the job of `key` to stop; it still delivers its (cancelled) result.
    pub fn request_cancel(&self, key: JobKey) {
        for r in self.running.iter().filter(|r| r.key == key) {
            r.progress.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Forgets every job that works on `snap`.
    pub fn cancel_snapshot(&mut self, snap: SnapId) {
        self.cancel_where(|k| k.of_snapshot().is_some_and(|(s, _)| s == snap));
    }

    /// The results of the jobs that ended since the last poll, each with its key.
    pub fn poll(&mut self) -> Vec<Finished> {
        let mut done = Vec::new();
        let mut still = Vec::with_capacity(self.running.len());
        for r in self.running.drain(..) {
            match r.promise.try_take() {
                Ok(output) => done.push(Finished { key: r.key, output }),
                Err(promise) => still.push(Running { promise, ..r }),
            }
        }
        self.running = still;
        done
    }

    pub fn is_running(&self, key: JobKey) -> bool {
        self.running.iter().any(|r| r.key == key)
    }

    pub fn is_busy(&self) -> bool {
        !self.running.is_empty()
    }

    /// (phase, fraction) of the job of `key`, while it runs.
    pub fn progress(&self, key: JobKey) -> Option<(String, f32)> {
        let r = self.running.iter().find(|r| r.key == key)?;
        Some(r.progress.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait(jobs: &mut Jobs) -> Vec<Finished> {
        let t = Instant::now();
        let mut out = Vec::new();
        while jobs.is_busy() && t.elapsed() < Duration::from_secs(10) {
            out.extend(jobs.poll());
            std::thread::sleep(Duration::from_millis(2));
        }
        out
    }

    #[test]
    fn a_newer_job_of_the_same_key_replaces_the_older() {
        let mut jobs = Jobs::default();
        jobs.spawn(JobKey::Save, |p| {
            while !p.is_cancelled() {
                std::thread::sleep(Duration::from_millis(1));
            }
            JobOutput::Saved(Ok("old".into()))
        });
        jobs.spawn(JobKey::Save, |_| JobOutput::Saved(Ok("new".into())));
        let out = wait(&mut jobs);
        assert_eq!(out.len(), 1);
        assert!(matches!(&out[0].output, JobOutput::Saved(Ok(s)) if s == "new"));
    }

    #[test]
    fn a_panicking_job_becomes_an_error_and_wakes_the_window() {
        let woken = Arc::new(AtomicBool::new(false));
        let mut jobs = Jobs::default();
        let w = woken.clone();
        jobs.set_waker(Arc::new(move || w.store(true, Ordering::Relaxed)));
        jobs.spawn(JobKey::Search, |_| panic!("boom"));
        let out = wait(&mut jobs);
        assert_eq!(out[0].key, JobKey::Search);
        assert!(matches!(&out[0].output, JobOutput::Failed(m) if m.contains("internal error")));
        assert!(woken.load(Ordering::Relaxed));
    }
}
