//! One call from a path to an analysed [`Heap`], with progress and cancellation: what the
//! CLI and the GUI's background loader both use.

use crate::analysis::{Control, Heap, analyze};
use crate::snapshot::{LoadError, read_snapshot};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// Reads and analyses `path`. Progress: ("Reading", fraction of the file) then each phase.
pub fn load(path: &Path, ctl: &Control<'_>) -> Result<Heap, LoadError> {
    let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0).max(1);
    let t = Instant::now();
    let mut last = 0u64;
    let mut on_bytes = |b: u64| {
        // Throttle: report every ~1% of the file.
        if b - last >= total / 100 || b >= total {
            last = b;
            (ctl.progress)("Reading", (b as f64 / total as f64).min(1.0) as f32);
        }
    };
    let snap = read_snapshot(path, Some(ctl.cancel), &mut on_bytes)?;
    ctl.record("Parsing", t.elapsed());
    analyze(snap, ctl).map_err(|_| LoadError::Cancelled {
        path: path.to_path_buf(),
    })
}

/// Loads without progress reporting.
pub fn load_quiet(path: &Path) -> Result<Heap, LoadError> {
    let cancel = AtomicBool::new(false);
    let progress = |_: &str, _: f32| {};
    let ctl = Control::new(&progress, &cancel);
    load(path, &ctl)
}
