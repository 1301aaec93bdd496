//! Parser and analysis over arbitrary bytes: every input is either analysed or refused with
//! an error, never a panic, an abort or a hang.
#![no_main]

use heapdive::analysis::{analyze, paths, summary, Control};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::atomic::AtomicBool;

fuzz_target!(|data: &[u8]| {
    let Ok(snap) = heapdive::snapshot::read_snapshot_from(data, data.len() as u64, Path::new("fuzz")) else {
        return;
    };
    let cancel = AtomicBool::new(false);
    let progress = |_: &str, _: f32| {};
    let ctl = Control::new(&progress, &cancel);
    if let Ok(h) = analyze(snap, &ctl) {
        let _ = summary::aggregates(&h, None);
        for o in 0..h.node_count().min(8) as u32 {
            let _ = h.display_name(o);
            let _ = paths::shortest_paths(&h, o, 2, 8);
        }
    }
});
