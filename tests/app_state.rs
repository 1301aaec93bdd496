//! The explorer's model without a window: commands in, job results out, everything by id.

mod common;
use heapdive::analysis::filters::NodeFilter;
use heapdive::model::{AppState, Command, Jobs, ObjRef, Settings, SnapId, Tab};
use std::time::{Duration, Instant};

fn leak(i: usize) -> std::path::PathBuf {
    common::fixture(&format!("leak/leak-{i}.heapsnapshot.gz"))
}

/// Applies job results until nothing runs.
fn settle(st: &mut AppState, jobs: &mut Jobs) {
    let t = Instant::now();
    while st.is_busy(jobs) {
        for out in jobs.poll() {
            st.finish(out, jobs);
        }
        assert!(t.elapsed() < Duration::from_secs(60), "jobs did not finish");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn open(files: Vec<std::path::PathBuf>) -> (AppState, Jobs) {
    let (mut st, mut jobs) = (AppState::new(Settings::default()), Jobs::default());
    st.apply(Command::Open(files), &mut jobs);
    settle(&mut st, &mut jobs);
    (st, jobs)
}

#[test]
fn a_series_opens_in_growth_and_computes_the_leak_report() {
    let (st, _) = open((0..4).map(leak).collect());
    assert_eq!(st.snaps.len(), 4);
    assert_eq!(st.tab, Tab::Growth);
    let (key, m) = st.growth.as_ref().expect("growth");
    assert_eq!(key, &st.snaps.iter().map(|s| s.id).collect::<Vec<_>>());
    assert_eq!(m.data.leaks.as_ref().unwrap().groups[0].class, "Session");
    // The newest is current, compared with the one before it.
    assert_eq!(st.current, Some(st.snaps[3].id));
    assert_eq!(st.base, Some(st.snaps[2].id));
}

#[test]
fn results_for_a_closed_snapshot_are_dropped() {
    let (mut st, mut jobs) = open(vec![leak(0), leak(1)]);
    let (a, b) = (st.snaps[0].id, st.snaps[1].id);
    st.apply(
        Command::SetFilter(a, NodeFilter::DuplicatedStrings),
        &mut jobs,
    );
    st.apply(Command::SetCurrent(a), &mut jobs);
    st.apply(Command::Search("Session".into()), &mut jobs);
    st.apply(Command::Close(a), &mut jobs);
    settle(&mut st, &mut jobs);
    assert_eq!(st.snaps.len(), 1);
    assert_eq!(st.current, Some(b));
    assert!(
        st.search_results.is_none(),
        "the search was for the closed snapshot"
    );
    assert!(st.base.is_none(), "no other snapshot to compare with");
    // The one left is unchanged and still has its own Summary.
    assert_eq!(st.snaps[0].summary.filter, NodeFilter::All);
    assert_eq!(st.tab, Tab::Summary);
}

#[test]
fn selection_paths_arrive_for_the_selection_only() {
    let (mut st, mut jobs) = open(vec![leak(3)]);
    let s = st.snaps[0].id;
    let heap = st.snaps[0].heap().clone();
    let sessions: Vec<u32> = (0..heap.node_count() as u32)
        .filter(|&o| heap.class_name(o) == "Session")
        .take(2)
        .collect();
    st.apply(Command::Select(ObjRef::new(s, sessions[0])), &mut jobs);
    st.apply(Command::Select(ObjRef::new(s, sessions[1])), &mut jobs);
    settle(&mut st, &mut jobs);
    let (obj, graph) = st.graph.as_ref().expect("paths of the selection");
    assert_eq!(*obj, ObjRef::new(s, sessions[1]));
    assert_eq!(graph.target, sessions[1]);
    assert!(!graph.unreachable);
    st.apply(Command::Back, &mut jobs);
    assert_eq!(st.selection, Some(ObjRef::new(s, sessions[0])));
    // A step into a snapshot id that never existed does nothing.
    st.apply(Command::Select(ObjRef::new(SnapId(999), 1)), &mut jobs);
    assert_eq!(st.selection, Some(ObjRef::new(s, sessions[0])));
}

/// A scratch folder removed when the test ends.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("heapdive-state-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_redacted_copy_is_written_by_a_job_and_loads_with_the_same_summary() {
    let (mut st, mut jobs) = open(vec![leak(1)]);
    let dir = Scratch::new("redact");
    let out = dir.0.join("leak-1-redacted.heapsnapshot");
    let snap = st.snaps[0].id;
    st.apply(
        Command::Redact {
            snap,
            to: out.clone(),
        },
        &mut jobs,
    );
    settle(&mut st, &mut jobs);
    assert!(st.errors.is_empty(), "{:?}", st.errors);
    assert!(
        st.status.starts_with("Saved a redacted copy to"),
        "{}",
        st.status
    );
    let copy = heapdive::load_quiet(&out).expect("the copy loads");
    let orig = st.snaps[0].heap();
    assert_eq!(copy.node_count(), orig.node_count());
    assert_eq!(copy.total_size, orig.total_size);
    // Redacting onto its own input is refused in words.
    let from = st.snaps[0].loaded.path.clone();
    st.apply(Command::Redact { snap, to: from }, &mut jobs);
    settle(&mut st, &mut jobs);
    assert!(st.errors[0].contains("another file"), "{:?}", st.errors);
}

#[test]
fn the_selection_shows_its_line_of_code_once_the_script_folder_is_remapped() {
    let (mut st, mut jobs) = open(vec![leak(3)]);
    let snap = st.snaps[0].id;
    let heap = st.snaps[0].heap().clone();
    let session = (0..heap.node_count() as u32)
        .find(|&o| heap.class_name(o) == "Session")
        .unwrap();
    // The fixtures were written by tools/snapshot-gen/leak.js run from another folder.
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/snapshot-gen");
    let remap = format!("/work/shared/tools/snapshot-gen={}", here.display());
    st.apply(Command::SetSourceRemap(remap), &mut jobs);
    st.apply(Command::Select(ObjRef::new(snap, session)), &mut jobs);
    settle(&mut st, &mut jobs);
    let (_, info) = st.code_info.as_ref().expect("code of the selection");
    assert_eq!(
        info.reason.as_deref(),
        Some("variable cache in module scope of leak.js")
    );
    let excerpt = info
        .excerpt
        .as_ref()
        .expect("an excerpt")
        .as_ref()
        .expect("the file is read");
    assert_eq!(excerpt.line, 7);
    assert!(excerpt.lines.iter().any(|l| l.contains("class Session")));
    let (file, line, _) = info.open_target.clone().expect("a file to open");
    assert_eq!((file, line), (here.join("leak.js"), 7));
    // A remapping that is not FROM=TO is refused in words.
    st.apply(Command::SetSourceRemap("nonsense".into()), &mut jobs);
    assert!(
        st.errors.iter().any(|e| e.contains("FROM=TO")),
        "{:?}",
        st.errors
    );
}
