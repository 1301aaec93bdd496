//! The explorer's model without a window: commands in, job results out, everything by id.

use crate::common::{self, leak};
use heapdive::analysis::filters::NodeFilter;
use heapdive::model::{AppState, Command, Jobs, ObjRef, Settings, SnapId, Tab};
use std::time::{Duration, Instant};

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
    let (key, m) = st.series.growth.as_ref().expect("growth");
    assert_eq!(key, &st.snaps.iter().map(|s| s.id).collect::<Vec<_>>());
    assert_eq!(m.data.leaks.as_ref().unwrap().groups[0].class, "Session");
    // The newest is current, compared with the one before it.
    assert_eq!(st.snaps.current, Some(st.snaps[3].id));
    assert_eq!(st.snaps.base, Some(st.snaps[2].id));
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
    assert_eq!(st.snaps.current, Some(b));
    assert!(
        st.search_results.is_none(),
        "the search was for the closed snapshot"
    );
    assert!(st.snaps.base.is_none(), "no other snapshot to compare with");
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
    let (obj, graph) = st.selection.graph.as_ref().expect("paths of the selection");
    assert_eq!(*obj, ObjRef::new(s, sessions[1]));
    assert_eq!(graph.target, sessions[1]);
    assert!(!graph.unreachable);
    st.apply(Command::Back, &mut jobs);
    assert_eq!(st.selection.obj, Some(ObjRef::new(s, sessions[0])));
    // A step into a snapshot id that never existed does nothing.
    st.apply(Command::Select(ObjRef::new(SnapId(999), 1)), &mut jobs);
    assert_eq!(st.selection.obj, Some(ObjRef::new(s, sessions[0])));
}

#[test]
fn a_redacted_copy_is_written_by_a_job_and_loads_with_the_same_summary() {
    let (mut st, mut jobs) = open(vec![leak(1)]);
    let dir = common::TempDir::new("state-redact");
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

/// The code panel's view of the selection: (excerpt line, whether it shows `needle`, file
/// to open, its line).
fn code_of_selection(st: &AppState, needle: &str) -> (u32, bool, std::path::PathBuf, u32) {
    let (_, info) = st
        .selection
        .code_info
        .as_ref()
        .expect("code of the selection");
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
    let shows = excerpt.lines.iter().any(|l| l.contains(needle));
    let (file, line, _) = info.open_target.clone().expect("a file to open");
    (excerpt.line, shows, file, line)
}

#[test]
fn the_samples_show_their_code_with_no_remap_and_a_remap_overrides_where() {
    // The README's first command: the four samples, from the repository.
    let (mut st, mut jobs) = open((0..4).map(leak).collect());
    let snap = st.snaps[3].id;
    assert_eq!(st.snaps.current, Some(snap));
    let heap = st.snaps[3].heap().clone();
    let session = (0..heap.node_count() as u32)
        .find(|&o| heap.class_name(o) == "Session")
        .unwrap();
    // The samples name /srv/shop/leak.js, the folder they were made in; found by path suffix
    // near the snapshot, that is the script beside them: no remap.
    let loc = heapdive::analysis::locations::Locations::build(&heap.snap)
        .of(&heap.snap, session)
        .unwrap();
    assert_eq!(loc.script, "/srv/shop/leak.js");
    st.apply(Command::Select(ObjRef::new(snap, session)), &mut jobs);
    settle(&mut st, &mut jobs);
    assert_eq!(
        code_of_selection(&st, "class Session"),
        (7, true, common::fixture("leak/leak.js"), 7)
    );
    // A remap says where the folder is instead, and wins over the search.
    let elsewhere = common::TempDir::new("remap-leak");
    std::fs::write(
        elsewhere.path("leak.js"),
        std::fs::read_to_string(common::fixture("leak/leak.js"))
            .unwrap()
            .replace("class Session", "class RemappedSession"),
    )
    .unwrap();
    st.apply(
        Command::SetSourceRemap(format!("/srv/shop={}", elsewhere.display())),
        &mut jobs,
    );
    settle(&mut st, &mut jobs);
    assert_eq!(
        code_of_selection(&st, "class RemappedSession"),
        (7, true, elsewhere.path("leak.js"), 7)
    );
    // A remapping that is not FROM=TO is refused in words.
    st.apply(Command::SetSourceRemap("nonsense".into()), &mut jobs);
    assert!(
        st.errors.iter().any(|e| e.contains("FROM=TO")),
        "{:?}",
        st.errors
    );
}

/// Every kind of job the state starts, made to panic: the error is said once, no view waits
/// for it (no spinner stays) and a failed load lets the next file in the queue load.
#[test]
fn a_job_that_panics_leaves_no_spinner_and_the_load_queue_goes_on() {
    use heapdive::model::JobKey;
    let (mut st, mut jobs) = (AppState::new(Settings::default()), Jobs::default());
    let mut loads = 0;
    jobs.panic_when(move |k| {
        loads += usize::from(k == JobKey::Load);
        k == JobKey::Load && loads == 1
    });
    st.apply(Command::Open(vec![leak(0), leak(1), leak(2)]), &mut jobs);
    settle(&mut st, &mut jobs);
    assert_eq!(st.snaps.len(), 2, "the loads after the failed one went on");
    assert_eq!(st.errors.len(), 1);

    // From here every job panics but loading, code and the Allocations numbers (which the
    // jobs after them need).
    jobs.panic_when(|k| !matches!(k, JobKey::Load | JobKey::Code(_) | JobKey::Allocations(_)));
    let tracked = common::fixture("alloc/tracked.heaptimeline.gz");
    st.apply(Command::Open(vec![tracked.clone()]), &mut jobs);
    settle(&mut st, &mut jobs);
    let t = st.snaps.current.expect("the tracked snapshot");
    let obj = ObjRef::new(t, st.snaps.snap(t).unwrap().heap().snap.root);
    fn run(st: &mut AppState, jobs: &mut Jobs, cmd: Command) {
        st.apply(cmd, jobs);
        settle(st, jobs);
    }
    run(&mut st, &mut jobs, Command::ShowTab(Tab::Allocations));
    let chain = st.snaps.snap(t).unwrap().allocations.as_ref().unwrap().rows[0]
        .chain
        .clone();
    let loc = heapdive::analysis::locations::SourceLocation {
        script: "missing.js".into(),
        script_id: 1,
        line: 1,
        column: 1,
    };
    let out = std::env::temp_dir().join(format!("heapdive-panic-{}", std::process::id()));
    let cmds = [
        Command::AllocationObjects(t, chain),
        Command::ShowTab(Tab::Scopes),
        Command::ShowTab(Tab::Timeline),
        Command::SetFilter(t, NodeFilter::DuplicatedStrings),
        Command::ShowTab(Tab::Comparison),
        Command::ShowTab(Tab::Growth),
        Command::Select(obj),
        Command::Reveal(Tab::Containment, obj),
        Command::Search("Session".into()),
        Command::Open(vec![common::fixture("alloc/sampled.heapprofile")]),
        Command::Redact { snap: t, to: out },
        Command::OpenCode(loc),
        Command::ListTargets("127.0.0.1:9".into()),
        Command::Attach {
            target: "127.0.0.1:9".into(),
            folder: std::env::temp_dir(),
        },
    ];
    let n = cmds.len();
    for cmd in cmds {
        run(&mut st, &mut jobs, cmd);
    }
    // The work that failed is not started again by itself (every frame).
    for tab in [Tab::Comparison, Tab::Growth, Tab::Scopes, Tab::Timeline] {
        st.apply(Command::ShowTab(tab), &mut jobs);
        assert!(!jobs.is_busy(), "{tab:?} started its failed job again");
    }
    // A snapshot whose code job panics: its Scopes cannot start, and do not wait.
    jobs.panic_when(|k| k != JobKey::Load);
    run(&mut st, &mut jobs, Command::ShowTab(Tab::Summary));
    run(&mut st, &mut jobs, Command::Open(vec![leak(3)]));
    run(&mut st, &mut jobs, Command::ShowTab(Tab::Scopes));
    // The Summary's filter menu opened: its native contexts are attributed (and panic).
    let shown = st.snaps.current.unwrap();
    run(&mut st, &mut jobs, Command::NativeContexts(shown));

    // One error per failed job, plus the failed code, plus the native contexts.
    assert_eq!(st.errors.len(), 1 + n + 1 + 1, "{:?}", st.errors);
    assert!(st.errors.iter().all(|e| e.contains("internal error")));
    assert_eq!(st.snaps.len(), 4);
    let m = st.snaps.snap(t).unwrap().allocations.as_ref().unwrap();
    assert!(
        m.objects.is_none(),
        "the Allocations objects list is not waiting"
    );
    let mut keys = vec![
        JobKey::Load,
        JobKey::Dialog,
        JobKey::Compare,
        JobKey::Growth,
        JobKey::Paths,
        JobKey::Reveal,
        JobKey::Search,
        JobKey::Save,
        JobKey::Redact,
        JobKey::ListTargets,
        JobKey::Attach,
        JobKey::Editor,
    ];
    // The tracked snapshot's jobs, and the code and scopes of the one whose code failed.
    keys.extend([
        JobKey::Filter(t),
        JobKey::Code(t),
        JobKey::Scopes(t),
        JobKey::Allocations(t),
        JobKey::AllocationObjects(t),
        JobKey::Timeline(t),
    ]);
    let no_code = st.snaps.current.unwrap();
    assert_ne!(no_code, t);
    keys.extend([
        JobKey::Code(no_code),
        JobKey::Scopes(no_code),
        JobKey::NativeContexts(t),
        JobKey::NativeContexts(no_code),
    ]);
    assert!(st.profiles.is_empty());
    keys.push(JobKey::LoadProfile(heapdive::model::profiles::ProfileId(1)));
    for key in keys {
        assert!(!st.waiting_for(key), "still waiting for {key:?}");
    }
}

#[test]
fn the_summary_names_minified_classes_as_their_authors_did_once_the_code_is_known() {
    let page = common::fixture("verdict/page-widget/S3.heapsnapshot.gz");
    let (st, _) = open(vec![page]);
    let m = &st.snaps[0].summary;
    // esbuild's `n` is several classes; the row of EditorView's constructor is named by the
    // map (found by path suffix beside the snapshot, no remap).
    let view = m
        .classes
        .iter()
        .find(|c| m.original_names.get(&c.key).map(String::as_str) == Some("EditorView"))
        .expect("a Summary row named EditorView");
    assert_eq!((view.name.as_str(), view.count), ("n", 15));
}
