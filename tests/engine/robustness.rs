//! Mutated snapshots never make heapdive panic: each is either analysed or refused with an
//! error. (The coverage-guided fuzzer in fuzz/ goes further; this runs in every `cargo test`.)

use crate::common::{self, META};
use heapdive::analysis::{Control, analyze, summary};
use std::path::Path;
use std::sync::atomic::AtomicBool;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, mut b: Vec<u8>) -> Vec<u8> {
    let n = 1 + rng.below(4);
    for _ in 0..n {
        if b.is_empty() {
            break;
        }
        let at = rng.below(b.len());
        match rng.below(6) {
            // A digit becomes another digit: the JSON stays valid, the graph does not.
            0 | 1 => {
                if let Some(p) = (at..b.len()).find(|&i| b[i].is_ascii_digit()) {
                    b[p] = b'0' + rng.below(10) as u8;
                }
            }
            2 => {
                b.remove(at);
            }
            3 => b.insert(at, rng.next() as u8),
            4 => b.truncate(at),
            _ => {
                let len = rng.below(64).min(b.len() - at);
                let chunk: Vec<u8> = b[at..at + len].to_vec();
                let to = rng.below(b.len());
                b.splice(to..to, chunk);
            }
        }
    }
    b
}

/// Parses and analyses; a panic fails the test with the mutated input saved for a repro.
fn check(bytes: &[u8], tag: &str) {
    let result = std::panic::catch_unwind(|| {
        let Ok(snap) = heapdive::snapshot::read_snapshot_from(
            bytes,
            bytes.len() as u64,
            Path::new("mutant.heapsnapshot"),
        ) else {
            return;
        };
        let cancel = AtomicBool::new(false);
        let progress = |_: &str, _: f32| {};
        let ctl = Control::new(&progress, &cancel);
        if let Ok(h) = analyze(snap, &ctl) {
            let rows = summary::aggregates(&h, None);
            assert!(rows.iter().all(|r| r.count > 0));
            for o in 0..h.node_count().min(50) as u32 {
                let _ = h.display_name(o);
                let _ = heapdive::analysis::paths::shortest_paths(&h, o, 2, 10);
            }
        }
    });
    if result.is_err() {
        let p = std::env::temp_dir().join(format!("heapdive-crash-{tag}.heapsnapshot"));
        std::fs::write(&p, bytes).unwrap();
        panic!("panic on a mutated snapshot, saved to {}", p.display());
    }
}

#[test]
fn mutated_real_snapshots_are_analysed_or_refused() {
    let text =
        common::gunzip_text(&common::fixture("chrome/chrome-0.heapsnapshot.gz")).into_bytes();
    let mut rng = Rng(0xDEADBEEF12345678);
    for i in 0..60 {
        let m = mutate(&mut rng, text.clone());
        check(&m, &format!("chrome-{i}"));
    }
}

#[test]
fn mutated_tiny_snapshots_are_analysed_or_refused() {
    let tiny = format!(
        r#"{{"snapshot":{{"meta":{META},"node_count":5,"edge_count":7,"trace_function_count":0}},
"nodes":[9,0,1,0,2,0,0,3,1,3,40,2,0,0,1,3,5,16,1,0,0,10,2,7,24,2,0,0,8,4,9,32,0,0,2],
"edges":[5,2,7,1,0,28,2,2,14,3,3,21,3,4,7,3,3,14,3,4,0],
"locations":[7,1,2,3],
"strings":["","global","a","first","second","Detached <div id=\"x\">"]}}"#
    )
    .into_bytes();
    check(&tiny, "tiny-original");
    // The original itself is a valid snapshot, so mutations start from something analysable.
    let snap =
        heapdive::snapshot::read_snapshot_from(&tiny[..], tiny.len() as u64, Path::new("tiny"))
            .expect("valid");
    assert_eq!(snap.node_count(), 5);
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    for i in 0..3000 {
        let m = mutate(&mut rng, tiny.clone());
        check(&m, &format!("tiny-{i}"));
    }
}

/// Every input the fuzzer (fuzz/) found a crash with, kept as a regression test.
#[test]
fn inputs_that_crashed_the_fuzzer_are_refused_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        check(&bytes, p.file_stem().unwrap().to_str().unwrap());
        n += 1;
    }
    assert!(n > 0);
}

/// A load stops at once when its cancel flag is set, and says so.
#[test]
fn a_cancelled_load_stops_with_a_cancelled_error() {
    let cancel = AtomicBool::new(true);
    let progress = |_: &str, _: f32| {};
    let ctl = Control::new(&progress, &cancel);
    match heapdive::load::load(&common::fixture("node/small.heapsnapshot.gz"), &ctl) {
        Err(e) => assert!(e.is_cancelled(), "{e}"),
        Ok(_) => panic!("a cancelled load finished"),
    }
    // Cancelling the analysis itself (after parsing) works too.
    let bytes = common::gunzip_text(&common::fixture("node/small.heapsnapshot.gz")).into_bytes();
    let snap =
        heapdive::snapshot::read_snapshot_from(&bytes[..], bytes.len() as u64, Path::new("small"))
            .unwrap();
    assert!(analyze(snap, &ctl).is_err());
}
