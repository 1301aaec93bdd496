//! Loading a snapshot as a background job: one progress bar for reading and analysis, the
//! job's cancel flag checked by the parser and every analysis pass.

use crate::analysis::Heap;
use crate::analysis::summary::ClassAggregate;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
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

impl LoadFailure {
    /// A load that failed (not cancelled).
    pub fn new(path: PathBuf, message: String) -> Self {
        LoadFailure {
            path,
            message,
            cancelled: false,
        }
    }
}

/// Reads and analyses `path`, reporting one overall fraction (`load::load_overall`). The
/// Summary's rows made by the analysis move out of the heap: one copy of their members.
pub fn load_snapshot(
    path: PathBuf,
    progress: &(dyn Fn(&str, f32) + Sync),
    cancel: &AtomicBool,
) -> Result<Loaded, LoadFailure> {
    let t = Instant::now();
    let failure = |e: crate::snapshot::LoadError| LoadFailure {
        path: path.clone(),
        message: e.to_string(),
        cancelled: e.is_cancelled(),
    };
    let mut heap = crate::load::load_overall(&path, progress, cancel).map_err(failure)?;
    let classes = heap.take_summary();
    let max_js_id = max_js_id(&heap);
    Ok(Loaded {
        name: crate::paths::display_name(&path),
        canonical: crate::paths::canonical(&path),
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
