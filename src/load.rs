//! One call from a path to an analysed [`Heap`], with progress and cancellation: what the
//! CLI and the GUI's background loader both use.

use crate::analysis::{Control, Heap, analyze};
use crate::snapshot::{LoadError, Snapshot, read_snapshot};
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

/// The share of a whole load's progress that reading the file takes.
const READ_SHARE: f32 = 0.6;

/// Reads and analyses `path`. Progress: ("Reading", fraction of the file) then each phase.
pub fn load(path: &Path, ctl: &Control<'_>) -> Result<Heap, LoadError> {
    let snap = read(path, ctl)?;
    analyze(snap, ctl).map_err(|_| LoadError::Cancelled {
        path: path.to_path_buf(),
    })
}

/// Reads and analyses `path`, reporting one fraction of the whole load: reading is the
/// first 60 %, each analysis phase an equal step of the rest (counted by
/// [`analysis_phases`]), and 1.0 once the heap is ready.
pub fn load_overall(
    path: &Path,
    progress: &(dyn Fn(&str, f32) + Sync),
    cancel: &AtomicBool,
) -> Result<Heap, LoadError> {
    let reading = |phase: &str, f: f32| progress(phase, READ_SHARE * f);
    let snap = read(path, &Control::new(&reading, cancel))?;
    let phases = analysis_phases(&snap).max(1) as f32;
    let started = AtomicUsize::new(0);
    // A phase reports when it starts: the phases before it are done.
    let analysing = |phase: &str, _: f32| {
        let done = started.fetch_add(1, Ordering::Relaxed) as f32;
        progress(
            phase,
            READ_SHARE + (1.0 - READ_SHARE) * (done / phases).min(1.0),
        );
    };
    let heap =
        analyze(snap, &Control::new(&analysing, cancel)).map_err(|_| LoadError::Cancelled {
            path: path.to_path_buf(),
        })?;
    progress("Ready", 1.0);
    Ok(heap)
}

/// A snapshot of five nodes, enough for every analysis phase to run.
const TINY: &[u8] = br#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]},"node_count":5,"edge_count":7,"trace_function_count":0},
"nodes":[9,0,1,0,2,0,0,3,1,3,40,2,0,0,1,3,5,16,1,0,0,10,2,7,24,2,0,0,8,4,9,32,0,0,2],
"edges":[5,2,7,1,0,28,2,2,14,3,3,21,3,4,7,3,3,14,3,4,0],
"locations":[7,1,2,3],
"strings":["","global","a","first","second"]}"#;

/// How many phases [`analyze`] reports on `snap`: counted once per run by analysing a tiny
/// snapshot of the same shape (with or without the retainer index the reader usually
/// builds), so the count follows the analysis when its passes change.
pub fn analysis_phases(snap: &Snapshot) -> usize {
    static COUNTS: OnceLock<[usize; 2]> = OnceLock::new();
    let counts = COUNTS.get_or_init(|| [count_phases(false), count_phases(true)]);
    counts[usize::from(snap.retainer_index.is_some())]
}

fn count_phases(with_retainer_index: bool) -> usize {
    let Ok(mut snap) =
        crate::snapshot::read_snapshot_from(TINY, TINY.len() as u64, Path::new("tiny"))
    else {
        return 0;
    };
    if !with_retainer_index {
        snap.retainer_index = None;
    }
    let n = AtomicUsize::new(0);
    let count = |_: &str, _: f32| {
        n.fetch_add(1, Ordering::Relaxed);
    };
    let cancel = AtomicBool::new(false);
    let _ = analyze(snap, &Control::new(&count, &cancel));
    n.into_inner()
}

/// Reads `path`, reporting ("Reading", fraction of the file).
fn read(path: &Path, ctl: &Control<'_>) -> Result<Snapshot, LoadError> {
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
    Ok(snap)
}

/// Loads without progress reporting.
pub fn load_quiet(path: &Path) -> Result<Heap, LoadError> {
    let cancel = AtomicBool::new(false);
    let progress = |_: &str, _: f32| {};
    let ctl = Control::new(&progress, &cancel);
    load(path, &ctl)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// The progress of a whole load climbs to 1.0 only at its end, over every phase.
    #[test]
    fn a_loads_progress_ends_at_its_end() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/node/small.heapsnapshot.gz");
        let seen = Mutex::new(Vec::new());
        let progress = |phase: &str, f: f32| seen.lock().unwrap().push((phase.to_string(), f));
        load_overall(&path, &progress, &AtomicBool::new(false)).unwrap();
        let seen = seen.into_inner().unwrap();
        let analysed: Vec<_> = seen.iter().filter(|(p, _)| p != "Reading").collect();
        let (last, before) = analysed.split_last().unwrap();
        assert_eq!(last.1, 1.0);
        assert!(before.iter().all(|(_, f)| *f < 1.0), "{before:?}");
        // Every phase reported was counted: the last to start is one step before the end.
        let step = (1.0 - READ_SHARE) / before.len() as f32;
        let last_start = before.iter().map(|(_, f)| *f).fold(0.0, f32::max);
        assert!((1.0 - last_start - step).abs() < 1e-4, "{before:?}");
        assert!(before.len() > 10);
    }
}
