//! Loading a snapshot as a background job: one progress bar for reading and analysis, the
//! job's cancel flag checked by the parser and every analysis pass.

use super::jobs::Progress;
use crate::analysis::summary::{self, ClassAggregate};
use crate::analysis::{Control, Heap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A snapshot ready to explore: the analysed heap and its Summary rows for all objects.
pub struct Loaded {
    pub path: PathBuf,
    /// The path made absolute with links resolved: what "is this file already open" compares.
    pub canonical: PathBuf,
    pub name: String,
    pub heap: Arc<Heap>,
    pub classes: Vec<ClassAggregate>,
    pub load_time: Duration,
    /// The highest JS object id (odd ids): where "allocated between snapshots" ranges end.
    pub max_js_id: u64,
}

/// Why a load ended without a snapshot.
pub struct LoadFailure {
    pub path: PathBuf,
    pub message: String,
    pub cancelled: bool,
}

/// Phases `analysis::analyze` reports, plus building the Summary.
const ANALYSIS_PHASES: f32 = 14.0;

/// `path` absolute with links resolved, or as given when that fails (it may be gone).
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

pub fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads and analyses `path`, reporting one overall fraction: reading is the first 60 %,
/// each analysis phase a step of the rest.
pub fn load_snapshot(path: PathBuf, progress: &Progress) -> Result<Loaded, LoadFailure> {
    let t = Instant::now();
    let phases_seen = Mutex::new(0usize);
    let report = |phase: &str, f: f32| {
        let overall = if phase == "Reading" {
            0.6 * f
        } else {
            let k = phases_seen
                .lock()
                .map(|mut g| {
                    *g += 1;
                    *g
                })
                .unwrap_or(0);
            0.6 + 0.4 * (k as f32 / ANALYSIS_PHASES).min(1.0)
        };
        progress.report(phase, overall);
    };
    let ctl = Control::new(&report, progress.cancel_flag());
    let heap = crate::load::load(&path, &ctl).map_err(|e| LoadFailure {
        path: path.clone(),
        message: e.to_string(),
        cancelled: e.is_cancelled(),
    })?;
    report("Building the Summary", 1.0);
    let classes = summary::aggregates(&heap, None);
    let max_js_id = max_js_id(&heap);
    Ok(Loaded {
        name: display_name(&path),
        canonical: canonical(&path),
        path,
        heap: Arc::new(heap),
        classes,
        load_time: t.elapsed(),
        max_js_id,
    })
}

/// V8 gives JS objects odd ids in allocation order: the largest one marks the snapshot's end.
fn max_js_id(heap: &Heap) -> u64 {
    heap.snap
        .node_id
        .iter()
        .filter(|&&id| id % 2 == 1)
        .max()
        .copied()
        .unwrap_or(0) as u64
}
