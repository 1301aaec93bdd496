//! Loading a snapshot on a worker thread: progress the window can show, a cancel flag the
//! worker checks, and panics turned into an error message instead of a crash.

use crate::analysis::summary::{self, ClassAggregate};
use crate::analysis::{Control, Heap};
use poll_promise::Promise;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A snapshot ready to explore: the analysed heap and its Summary rows for all objects.
pub struct Loaded {
    pub path: PathBuf,
    pub name: String,
    pub heap: Arc<Heap>,
    pub classes: Vec<ClassAggregate>,
    pub load_time: Duration,
}

/// Phases `analysis::analyze` reports, plus building the Summary.
const ANALYSIS_PHASES: f32 = 14.0;

pub struct LoadJob {
    pub path: PathBuf,
    progress: Arc<Mutex<(String, f32)>>,
    cancel: Arc<AtomicBool>,
    promise: Option<Promise<Result<Loaded, String>>>,
}

pub fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

impl LoadJob {
    /// Starts loading; `repaint` is called when progress changes so the window redraws.
    pub fn start(path: PathBuf, repaint: impl Fn() + Send + Sync + 'static) -> LoadJob {
        let progress = Arc::new(Mutex::new(("Opening".to_string(), 0.0)));
        let cancel = Arc::new(AtomicBool::new(false));
        let (p, c, path2) = (progress.clone(), cancel.clone(), path.clone());
        let promise = Promise::spawn_thread("load-snapshot", move || {
            let work = std::panic::AssertUnwindSafe(|| {
                let t = Instant::now();
                // One bar for the whole load: reading is the first 60 %, each analysis
                // phase a step of the rest.
                let phases_seen = Mutex::new(0usize);
                let report = |phase: &str, f: f32| {
                    let overall = if phase == "Reading" {
                        0.6 * f
                    } else {
                        let mut k = phases_seen.lock().map(|g| *g).unwrap_or(0);
                        if let Ok(mut g) = phases_seen.lock() {
                            *g += 1;
                            k = *g;
                        }
                        0.6 + 0.4 * (k as f32 / ANALYSIS_PHASES).min(1.0)
                    };
                    if let Ok(mut g) = p.lock() {
                        *g = (phase.to_string(), overall);
                    }
                    repaint();
                };
                let ctl = Control::new(&report, &c);
                let heap = crate::load::load(&path2, &ctl).map_err(|e| e.to_string())?;
                report("Building the Summary", 1.0);
                let classes = summary::aggregates(&heap, None);
                Ok(Loaded {
                    name: display_name(&path2),
                    path: path2.clone(),
                    heap: Arc::new(heap),
                    classes,
                    load_time: t.elapsed(),
                })
            });
            match std::panic::catch_unwind(work) {
                Ok(r) => r,
                Err(_) => Err(format!(
                    "{}: internal error while loading (please report it)",
                    path2.display()
                )),
            }
        });
        LoadJob {
            path,
            progress,
            cancel,
            promise: Some(promise),
        }
    }

    pub fn progress(&self) -> (String, f32) {
        self.progress.lock().map(|g| g.clone()).unwrap_or_default()
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The result once the worker is done (once; later calls give None).
    pub fn take_result(&mut self) -> Option<Result<Loaded, String>> {
        match self.promise.take()?.try_take() {
            Ok(r) => Some(r),
            Err(p) => {
                self.promise = Some(p);
                None
            }
        }
    }
}
