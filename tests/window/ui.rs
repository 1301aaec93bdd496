//! The real app driven through egui_kittest (no GPU): drop files, wait for the background
//! load, read rows, sort, filter, select an object and see why it is alive.

use crate::common::{self, leak};
use common::window::*;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use heapdive::model::summary::{Column, Row};
use heapdive::model::{Command, ObjRef, SnapId};
use heapdive::ui::{HeapdiveApp, Settings, Tab};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// The id of the open snapshot named `name`.
fn snap_named(h: &Harness<'static, HeapdiveApp>, name: &str) -> SnapId {
    let st = &h.state().state;
    st.snaps.iter().find(|s| s.name() == name).expect(name).id
}

/// Types `@id` of `node` in the search box and presses Enter.
fn search_id(h: &mut Harness<'static, HeapdiveApp>, node: u32) {
    let id = h
        .state()
        .state
        .snaps
        .current_snap()
        .unwrap()
        .heap()
        .id(node);
    let search = h.get_by_label("Search:");
    search.focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    let search = h.get_by_label("Search:");
    search.type_text(&format!("@{id}"));
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    settle(h);
}

/// The first object of class `class` in the current snapshot.
fn first_of(h: &Harness<'static, HeapdiveApp>, class: &str) -> u32 {
    let heap = h.state().state.snaps.current_snap().unwrap().heap().clone();
    (0..heap.node_count() as u32)
        .find(|&o| heap.class_name(o) == class)
        .expect(class)
}

fn drop_files(h: &mut Harness<'static, HeapdiveApp>, files: &[PathBuf]) {
    for f in files {
        h.input_mut()
            .dropped_files
            .push(Arc::new(Dropped(f.clone())));
    }
    h.step();
}

#[test]
fn start_page_offers_open_and_samples() {
    let h = harness();
    h.get_by_label("Open a snapshot…  (Ctrl+O)");
    h.get_by_label("Open the samples (a leaking Node service, 4 snapshots)");
    h.get_by_label("Path:");
}

#[test]
fn drop_a_snapshot_then_sort_filter_and_follow_an_object_to_a_root() {
    // DevTools' way of expanding the retainers (the explaining path is tested in
    // workspace.rs).
    let mut h = harness_with(Settings {
        retainer_path: heapdive::model::settings::RetainerPath::Shortest,
        ..Settings::default()
    });
    drop_files(&mut h, &[common::fixture("leak/leak-3.heapsnapshot.gz")]);
    settle(&mut h);
    assert_eq!(h.state().state.snaps.len(), 1);
    // The top class by retained size, as the CLI and the oracle say.
    h.get_by_label("global");
    {
        let m = &h.state().state.snaps[0].summary;
        assert!(matches!(m.rows[0], Row::Class(0)));
        assert_eq!(m.classes[0].name, "global");
    }

    // Sort by Count (descending): the first class is the most numerous one.
    h.get_by_label("Count").click();
    h.run_steps(2);
    {
        let m = &h.state().state.snaps[0].summary;
        assert_eq!(m.sort.column, Column::Count);
        let max = m.classes.iter().map(|c| c.count).max().unwrap();
        assert_eq!(m.classes[0].count, max);
    }

    // Type in the class filter.
    let filter = h.get_by_label("Class filter:");
    filter.focus();
    filter.type_text("Session");
    h.run_steps(3);
    {
        let m = &h.state().state.snaps[0].summary;
        assert!(!m.rows.is_empty());
        for r in &m.rows {
            if let Row::Class(c) = r {
                assert!(
                    m.classes[*c].name.to_lowercase().contains("session"),
                    "{}",
                    m.classes[*c].name
                );
            }
        }
    }
    assert!(h.query_by_label("global").is_none());

    // Select the class row, expand it with the keyboard, select its first object.
    h.get_by_label("Session").click();
    h.run_steps(2);
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    h.key_press(egui::Key::ArrowDown);
    settle(&mut h);
    let sel = h
        .state()
        .state
        .selection
        .obj
        .expect("an object is selected");
    let heap = h.state().state.snaps[0].heap().clone();
    assert_eq!(heap.class_name(sel.node), "Session");
    // Retainers and the graph of paths to a GC root are shown.
    h.get_by_label("Retainers");
    h.get_by_label("Retainer graph");
    h.get_by_label("Up to 5 paths");
    h.get_by_label("Show in Dominators");
    // The retainer tree was expanded along DevTools' shortest path: its deepest row (the first
    // at that depth, the path's end) is a user root.
    let st = &h.state().state;
    let tree = st.selection.retainers.as_ref().expect("the retainers tree");
    let depth = tree.rows.iter().map(|r| r.depth).max().unwrap();
    assert!(depth > 1, "the tree was expanded");
    let deepest = tree.rows.iter().find(|r| r.depth == depth).unwrap();
    assert!(
        heapdive::analysis::flags::is_user_root(&heap.snap, deepest.node),
        "{} is not a user root",
        heap.display_name(deepest.node)
    );
    assert_eq!(heap.distance[deepest.node as usize], 1);
}

#[test]
fn a_broken_file_shows_an_error_and_keeps_the_open_snapshot() {
    let mut h = harness();
    drop_files(&mut h, &[common::fixture("node/small.heapsnapshot.gz")]);
    settle(&mut h);
    let dir = std::env::temp_dir().join(format!("heapdive-ui-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.heapsnapshot");
    std::fs::write(&broken, b"{\"snapshot\": {\"meta\": 1}}").unwrap();
    drop_files(&mut h, std::slice::from_ref(&broken));
    settle(&mut h);
    assert_eq!(
        h.state().state.snaps.len(),
        1,
        "the good snapshot stays open"
    );
    assert_eq!(h.state().state.errors.len(), 1);
    assert!(
        h.state().state.errors[0].contains("broken.heapsnapshot"),
        "{}",
        h.state().state.errors[0]
    );
    h.get_by_label_contains("broken.heapsnapshot");
    h.get_by_label("Dismiss").click();
    h.run_steps(2);
    assert!(h.state().state.errors.is_empty());
}

#[test]
fn dropping_two_snapshots_opens_the_comparison() {
    let mut h = harness();
    drop_files(
        &mut h,
        &[
            common::fixture("leak/leak-0.heapsnapshot.gz"),
            common::fixture("leak/leak-1.heapsnapshot.gz"),
        ],
    );
    settle(&mut h);
    assert_eq!(h.state().state.snaps.len(), 2);
    assert_eq!(h.state().state.tab, Tab::Comparison);
    settle(&mut h);
    let m = h
        .state()
        .state
        .series
        .comparison
        .as_ref()
        .expect("comparison rows");
    let session = m
        .classes
        .iter()
        .find(|c| c.name == "Session")
        .expect("Session row");
    assert_eq!(session.new_count, 400);
    assert_eq!(session.deleted_count, 0);
    h.get_by_label("Session");
    h.get_by_label("# New");
    // The keyboard opens the class and selects its first new object.
    h.get_by_label("Session").click();
    h.run_steps(2);
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    h.key_press(egui::Key::ArrowDown);
    settle(&mut h);
    let st = &h.state().state;
    let sel = st.selection.obj.expect("a new Session is selected");
    assert_eq!(sel.snap, st.series.comparison.as_ref().unwrap().target);
    assert_eq!(
        st.snaps.snap(sel.snap).unwrap().heap().class_name(sel.node),
        "Session"
    );
}

#[test]
fn a_series_shows_the_growth_chart_and_the_leak_report() {
    let mut h = harness();
    drop_files(
        &mut h,
        &(0..3)
            .map(|i| common::fixture(&format!("leak/leak-{i}.heapsnapshot.gz")))
            .collect::<Vec<_>>(),
    );
    settle(&mut h);
    assert_eq!(h.state().state.snaps.len(), 3);
    // Three files at once are a series: the Growth & leaks view opens by itself.
    assert_eq!(h.state().state.tab, Tab::Growth);
    h.run_steps(2);
    settle(&mut h);
    let (_, m) = h
        .state()
        .state
        .series
        .growth
        .as_ref()
        .expect("growth computed");
    let report = m
        .data
        .leaks
        .as_ref()
        .expect("a leak report for three snapshots");
    assert_eq!(report.groups[0].class, "Session");
    assert!(m.top_classes().iter().any(|c| c.name == "Session"));
    // The chart's legend and the report are on screen: each row with its pattern and fix.
    h.get_by_label("Total");
    h.get_by_label_contains("Leak report over 3 snapshots: 3 rows grew in every interval");
    h.get_by_label("collection");
    h.get_by_label("timers");
    h.get_by_label_contains("fix: remove the 'tick' listener");
    // A row's title selects where it builds up: the Map in variable cache.
    h.get_by_label("Session ×800").click();
    h.run_steps(2);
    settle(&mut h);
    let st = &h.state().state;
    let sel = st.selection.obj.expect("the row's holder is selected");
    assert_eq!(st.snaps[2].id, sel.snap);
    assert_eq!(st.snaps[2].heap().class_name(sel.node), "Map");
    // A class's button opens the Comparison of the first and last snapshots on that class.
    // The charts are below the leak report in the view's scroll area.
    h.get_by_label("Compare Function").scroll_to_me();
    h.run_steps(3);
    h.get_by_label("Compare Function").click();
    h.run_steps(2);
    settle(&mut h);
    h.run_steps(2);
    assert_eq!(h.state().state.tab, Tab::Comparison);
    let st = &h.state().state;
    let c = st.series.comparison.as_ref().expect("comparison");
    assert_eq!((c.base, c.target), (st.snaps[0].id, st.snaps[2].id));
    assert_eq!(c.text_filter, "Function");
}

#[test]
fn searching_by_id_and_by_name_selects_objects() {
    let mut h = harness();
    drop_files(&mut h, &[common::fixture("leak/leak-3.heapsnapshot.gz")]);
    settle(&mut h);
    let heap = h.state().state.snaps[0].heap().clone();
    // @id jumps to the object.
    let o = (0..heap.node_count() as u32)
        .find(|&o| heap.class_name(o) == "Session")
        .unwrap();
    let search = h.get_by_label("Search:");
    search.focus();
    search.type_text(&format!("@{}", heap.id(o)));
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    settle(&mut h);
    assert_eq!(h.state().state.selection.obj.map(|s| s.node), Some(o));
    // A name search lists matching objects; clicking one selects it.
    let search = h.get_by_label("Search:");
    search.focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    search.type_text("RequestContext");
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    settle(&mut h);
    let r = h
        .state()
        .state
        .search_results
        .as_ref()
        .expect("search results");
    assert!(r.total >= 1600, "{}", r.total);
    let first = r.found[0];
    h.get_by_label_contains(&heapdive::model::format::object_label(&heap, first, 60))
        .click();
    h.run_steps(3);
    assert_eq!(h.state().state.selection.obj.map(|s| s.node), Some(first));
}

#[test]
fn a_remembered_tab_that_cannot_show_falls_back_to_summary() {
    // Comparison needs two snapshots.
    let mut h = harness_with(Settings {
        tab: Tab::Comparison,
        ..Settings::default()
    });
    drop_files(&mut h, &[leak(3)]);
    settle(&mut h);
    assert_eq!(h.state().state.tab, Tab::Summary);
    // The Summary's table is drawn, not an empty body.
    h.get_by_label("global");
    h.get_by_label("Retained Size");
}

#[test]
fn close_an_earlier_snapshot_keeps_current_base_and_selection() {
    let mut h = harness();
    drop_files(&mut h, &(0..4).map(leak).collect::<Vec<_>>());
    settle(&mut h);
    let leak2 = snap_named(&h, "leak-2.heapsnapshot.gz");
    let leak3 = snap_named(&h, "leak-3.heapsnapshot.gz");
    assert_eq!(h.state().state.snaps.current, Some(leak3));
    h.state_mut().run(Command::SetBase(leak2));
    let session = first_of(&h, "Session");
    search_id(&mut h, session);
    let selected = h.state().state.selection.obj;
    assert_eq!(selected, Some(ObjRef::new(leak3, session)));
    // Close leak-0 with its close button (the first one in the list).
    h.get_all_by_label("x")
        .next()
        .expect("close buttons")
        .click();
    settle(&mut h);
    let st = &h.state().state;
    assert_eq!(st.snaps.len(), 3);
    assert_eq!(st.snaps.current, Some(leak3));
    assert_eq!(st.snaps.base, Some(leak2), "the base stays leak-2");
    assert_eq!(st.selection.obj, selected);
    // The Comparison is leak-3 against leak-2, not "choose a different base".
    h.get_by_label("Comparison").click();
    settle(&mut h);
    let c = h
        .state()
        .state
        .series
        .comparison
        .as_ref()
        .expect("comparison rows");
    assert_eq!((c.base, c.target), (leak2, leak3));
    h.get_by_label("leak-3.heapsnapshot.gz compared with leak-2.heapsnapshot.gz");
}

#[test]
fn dropping_an_open_file_again_does_not_duplicate_it() {
    let mut h = harness();
    drop_files(&mut h, &[leak(0)]);
    settle(&mut h);
    drop_files(&mut h, &[leak(0)]);
    settle(&mut h);
    let st = &h.state().state;
    assert_eq!(st.snaps.len(), 1);
    assert_eq!(st.snaps.base, None);
    assert_eq!(st.tab, Tab::Summary);
    assert!(st.status.contains("already open"), "{}", st.status);
}

#[test]
fn back_and_forward_retrace_the_selection() {
    let mut h = harness();
    drop_files(&mut h, &[leak(0), leak(1)]);
    settle(&mut h);
    let (leak0, leak1) = (
        snap_named(&h, "leak-0.heapsnapshot.gz"),
        snap_named(&h, "leak-1.heapsnapshot.gz"),
    );
    h.get_by_label("Summary").click();
    h.run_steps(2);
    // A Session in leak-1, then shown in Dominators.
    let a = first_of(&h, "Session");
    search_id(&mut h, a);
    h.get_by_label("Show in Dominators").click();
    settle(&mut h);
    assert_eq!(h.state().state.tab, Tab::Dominators);
    // Then an object in the other snapshot.
    h.state_mut().run(Command::SetCurrent(leak0));
    h.run_steps(2);
    let b = first_of(&h, "Map");
    search_id(&mut h, b);
    assert_eq!(h.state().state.selection.obj, Some(ObjRef::new(leak0, b)));
    // Alt+Left goes back across snapshots and views.
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowLeft);
    settle(&mut h);
    let st = &h.state().state;
    assert_eq!(st.selection.obj, Some(ObjRef::new(leak1, a)));
    assert_eq!(st.snaps.current, Some(leak1));
    assert_eq!(st.tab, Tab::Dominators);
    // The toolbar's Forward comes back.
    h.get_by_label("Forward").click();
    settle(&mut h);
    let st = &h.state().state;
    assert_eq!(st.selection.obj, Some(ObjRef::new(leak0, b)));
    assert_eq!(st.snaps.current, Some(leak0));
    assert_eq!(st.tab, Tab::Summary);
    // A step through the retainer graph (a Select) is undone by Back too.
    let retainer = {
        let heap = st.snaps.current_snap().unwrap().heap().clone();
        heapdive::analysis::paths::shortest_paths(&heap, b, 1, 40)[0]
            .hops
            .last()
            .unwrap()
            .from
    };
    h.state_mut()
        .run(Command::Select(ObjRef::new(leak0, retainer)));
    settle(&mut h);
    h.get_by_label("Back").click();
    settle(&mut h);
    assert_eq!(h.state().state.selection.obj, Some(ObjRef::new(leak0, b)));
}

#[test]
fn a_tab_picked_while_loading_is_kept() {
    let mut h = harness();
    drop_files(&mut h, &[leak(0)]);
    settle(&mut h);
    drop_files(&mut h, &[leak(3)]);
    // A few frames with the progress strip shown (egui hit-tests against the last layout).
    h.run_steps(3);
    assert!(
        h.state().state.loads.is_loading(),
        "the second file is still loading"
    );
    h.get_by_label("Dominators").click();
    settle(&mut h);
    assert_eq!(h.state().state.snaps.len(), 2);
    assert_eq!(h.state().state.tab, Tab::Dominators);
}

#[test]
fn hovering_files_says_what_a_drop_will_do() {
    let mut h = harness();
    drop_files(&mut h, &[leak(0)]);
    settle(&mut h);
    h.input_mut().hovered_files.push(egui::HoveredFile {
        path: Some(leak(1)),
        ..Default::default()
    });
    h.step();
    h.step();
    h.get_by_label("Open leak-1.heapsnapshot.gz and compare with leak-0.heapsnapshot.gz");
    h.input_mut().hovered_files.clear();
    h.step();
    h.step();
    assert!(
        h.query_by_label_contains("and compare with").is_none(),
        "the banner goes when the files leave"
    );
}

#[test]
fn the_retainer_graph_pane_shows_the_selection_s_paths() {
    let mut h = harness();
    drop_files(&mut h, &[leak(3)]);
    settle(&mut h);
    // Without a selection the selection's panes are hidden: the view has the window.
    assert!(h.query_by_label("Retainer graph").is_none());
    let session = first_of(&h, "Session");
    let snap = h.state().state.snaps[0].id;
    h.state_mut()
        .run(Command::Select(ObjRef::new(snap, session)));
    settle(&mut h);
    // The Retainers tab (a shortcut of older versions) brings the graph pane to front.
    h.state_mut().run(Command::ShowTab(Tab::Retainers));
    h.run_steps(3);
    h.get_by_label("Fit");
    let (obj, g) = h.state().state.selection.graph.as_ref().expect("graph");
    assert_eq!(obj.node, session);
    assert!(g.graph.node_count() > 2, "paths from a GC root are drawn");
}

#[test]
fn a_snapshot_cut_after_its_edges_opens_with_a_warning() {
    let text = common::gunzip_text(&common::fixture("node/small.heapsnapshot.gz"));
    let start = text.find("\"strings\":[").expect("strings");
    let dir = std::env::temp_dir().join(format!("heapdive-ui-cut-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cut = dir.join("cut.heapsnapshot");
    std::fs::write(&cut, &text.as_bytes()[..start + 2000]).unwrap();
    let mut h = harness();
    drop_files(&mut h, std::slice::from_ref(&cut));
    settle(&mut h);
    assert_eq!(
        h.state().state.snaps.len(),
        1,
        "{:?}",
        h.state().state.errors
    );
    h.get_by_label_contains("cut.heapsnapshot is incomplete:");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_leaked_object_says_which_variable_holds_it_and_where_its_code_is() {
    let mut h = harness();
    drop_files(&mut h, &[leak(3)]);
    settle(&mut h);
    let session = first_of(&h, "Session");
    search_id(&mut h, session);
    settle(&mut h);
    let st = &h.state().state;
    let (obj, info) = st
        .selection
        .code_info
        .as_ref()
        .expect("the selection's code");
    assert_eq!(obj.node, session);
    let loc = info
        .location
        .as_ref()
        .expect("a Session has its constructor's location");
    assert!(loc.script.ends_with("leak.js"), "{}", loc.script);
    assert_eq!((loc.line, loc.column), (7, 28));
    h.get_by_label("Held by");
    h.get_by_label("variable cache in module scope of leak.js");
    // Tree rows say where an object's code is: the Session revealed in the dominator tree.
    h.get_by_label("Show in Dominators").click();
    settle(&mut h);
    assert!(
        h.query_all_by_label("leak.js:7:28").count() >= 1,
        "the Session row shows its constructor's place"
    );
}

#[test]
fn the_scopes_view_lists_scopes_and_selects_a_variable() {
    let mut h = harness();
    drop_files(&mut h, &[leak(3)]);
    settle(&mut h);
    h.get_by_label("Scopes").click();
    settle(&mut h);
    h.run_steps(2);
    // A click opens the scope to its variables.
    h.get_by_label("module scope of leak.js").click();
    settle(&mut h);

    h.get_by_label("variable cache").click();
    settle(&mut h);
    let st = &h.state().state;
    let sel = st.selection.obj.expect("a variable's value is selected");
    let heap = st.snaps[0].heap();
    assert_eq!(heap.class_name(sel.node), "Map");
}

#[test]
fn clicking_an_object_row_selects_it() {
    let mut h = harness();
    drop_files(&mut h, &[leak(3)]);
    settle(&mut h);
    let filter = h.get_by_label("Class filter:");
    filter.focus();
    filter.type_text("Session");
    h.run_steps(3);
    h.get_by_label("Session").click();
    h.run_steps(2);
    h.key_press(egui::Key::ArrowRight);
    settle(&mut h);
    let heap = h.state().state.snaps[0].heap().clone();
    let label = {
        let m = &h.state().state.snaps[0].summary;
        let node = m
            .rows
            .iter()
            .find_map(|r| match r {
                Row::Object { node, .. } => Some(*node),
                _ => None,
            })
            .expect("an object row");
        (
            node,
            heapdive::model::format::object_label(&heap, node, 120),
        )
    };
    h.get_by_label(&label.1).click();
    settle(&mut h);
    assert_eq!(h.state().state.selection.obj.map(|s| s.node), Some(label.0));
}

/// The window's own jobs (the file dialog, saving) and a view's job made to panic: each
/// failure is said once, the path box stands in for the dialog, and the view shows a line
/// that points at the error instead of a spinner that never stops.
#[test]
fn jobs_that_panic_leave_no_spinner_in_the_window() {
    use heapdive::model::{JobKey, WindowCommand};
    let mut h = harness();
    let boom = |k: JobKey| matches!(k, JobKey::Dialog | JobKey::Save | JobKey::Compare);
    h.state_mut().jobs.panic_when(boom);
    h.state_mut().open_files(vec![leak(0), leak(1)]);
    settle(&mut h);
    assert_eq!(h.state().state.tab, Tab::Comparison);
    h.get_by_label("Not available: see the error above.");
    h.state_mut()
        .run(Command::Window(WindowCommand::OpenDialog));
    let save = WindowCommand::Save {
        text: "x".into(),
        file_name: "x.csv".into(),
    };
    h.state_mut().run(Command::Window(save));
    settle(&mut h);
    let st = &h.state().state;
    assert_eq!(st.errors.len(), 3, "{:?}", st.errors);
    assert!(st.errors.iter().all(|e| e.contains("internal error")));
    assert!(st.show_path_box, "the path box stands in for the dialog");
    assert!(!st.waiting_for(JobKey::Compare));
}

#[test]
fn one_snapshot_s_growth_view_names_its_leak_suspect() {
    let mut h = harness();
    drop_files(
        &mut h,
        &[common::fixture("verdict/oom/oom.heapsnapshot.gz")],
    );
    settle(&mut h);
    h.state_mut().run(Command::ShowTab(Tab::Growth));
    h.run_steps(2);
    settle(&mut h);
    h.run_steps(2);
    h.get_by_label_contains("Leak suspects in oom.heapsnapshot.gz");
    // The Map in variable cache holds every Req of the out-of-memory process.
    h.get_by_label("Req ×30,000");
    h.get_by_label_contains("builds up in Map held by variable cache");
}
