//! The workspace at the default window size (1280×800): the main view keeps its room when an
//! object is selected, no pane is shown twice, the layout can be changed, reset and
//! remembered, and the retainers tree, the words and the graph follow one path.

use crate::common::window::*;
use crate::common::{fixture, leak};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use heapdive::model::settings::RetainerPath;
use heapdive::model::tree::{TreeKind, TreeModel};
use heapdive::model::{Command, ObjRef, Pane, Tab, WindowCommand};
use heapdive::ui::HeapdiveApp;
use heapdive::ui::workspace;

const W: f32 = 1280.0;
const H: f32 = 800.0;

fn open(h: &mut Harness<'static, HeapdiveApp>, files: Vec<std::path::PathBuf>) {
    h.state_mut().open_files(files);
    settle(h);
}

/// The bottom of the main view's pane: what is drawn above it is in view.
fn main_view_bottom(h: &Harness<'static, HeapdiveApp>, tab: Tab) -> f32 {
    let app = h.state();
    let tile = workspace::find(&app.workspace, Pane::View(tab)).expect("the view's pane");
    app.workspace.tiles.rect(tile).expect("laid out").bottom()
}

/// How many of the labels containing `needle` are drawn between `top` and `bottom`.
fn shown_between(h: &Harness<'static, HeapdiveApp>, needle: &str, top: f32, bottom: f32) -> usize {
    h.query_all_by_label_contains(needle)
        .filter(|n| {
            let r = n.rect();
            r.top() >= top && r.bottom() <= bottom
        })
        .count()
}

fn main_view_share(h: &Harness<'static, HeapdiveApp>, tab: Tab) -> f32 {
    let app = h.state();
    let tile = workspace::find(&app.workspace, Pane::View(tab)).expect("the view's pane");
    let rect = app.workspace.tiles.rect(tile).expect("laid out");
    rect.height() / H
}

/// The open snapshot's heap and its first Session (a leaked object of the samples).
fn first_session(h: &Harness<'static, HeapdiveApp>) -> (std::sync::Arc<heapdive::Heap>, ObjRef) {
    let st = &h.state().state;
    let heap = st.snaps.current_snap().unwrap().heap().clone();
    let session = (0..heap.node_count() as u32)
        .find(|&o| heap.class_name(o) == "Session")
        .unwrap();
    (heap, ObjRef::new(st.snaps.current.unwrap(), session))
}

fn node_service() -> Vec<std::path::PathBuf> {
    (0..4)
        .map(|i| fixture(&format!("verdict/node-service/S{i}.heapsnapshot.gz")))
        .collect()
}

#[test]
fn a_selected_leak_row_leaves_five_rows_of_the_leak_report_in_view() {
    let mut h = harness_at(W, H);
    open(&mut h, node_service());
    assert_eq!(h.state().state.tab, Tab::Growth);
    let titles: Vec<String> = {
        let st = &h.state().state;
        let (_, m) = st.series.growth.as_ref().expect("the growth view's data");
        let r = m.data.leaks.as_ref().expect("a leak report");
        r.groups
            .iter()
            .map(|g| format!("{} ×{}", g.title(), heapdive::fmt::group(g.count)))
            .collect()
    };
    assert!(
        titles.len() >= 5,
        "the node service has five leaks: {titles:?}"
    );
    h.get_by_label(&titles[0]).click();
    settle(&mut h);
    assert!(
        h.state().state.selection.obj.is_some(),
        "the row's holder is selected"
    );
    assert!(
        h.query_by_label("Details").is_some(),
        "the selection's panes are shown"
    );
    let bottom = main_view_bottom(&h, Tab::Growth);
    let shown = titles
        .iter()
        .filter(|t| shown_between(&h, t, 0.0, bottom) == 1)
        .count();
    assert!(
        shown >= 5,
        "{shown} leak rows in view above the selection's panes"
    );
    assert!(main_view_share(&h, Tab::Growth) >= 0.55);
}

#[test]
fn a_selected_object_leaves_the_summary_most_of_the_height() {
    let mut h = harness_at(W, H);
    open(&mut h, vec![leak(3)]);
    let (_, obj) = first_session(&h);
    h.state_mut().run(Command::Reveal(Tab::Summary, obj));
    settle(&mut h);
    assert!(
        h.query_by_label("Details").is_some(),
        "the selection's panes are shown"
    );
    let bottom = main_view_bottom(&h, Tab::Summary);
    // Class rows say "×count", object rows "@id".
    let rows = shown_between(&h, "×", 0.0, bottom) + shown_between(&h, " @", 0.0, bottom);
    assert!(
        rows >= 5,
        "{rows} Summary rows in view above the selection's panes"
    );
    assert!(main_view_share(&h, Tab::Summary) >= 0.55);
    // Each pane once: one retainer graph, one details pane.
    let panes = workspace::open_panes(&h.state().workspace);
    for (i, p) in panes.iter().enumerate() {
        assert!(!panes[..i].contains(p), "{p:?} is in the workspace twice");
    }
    assert_eq!(h.query_all_by_label("Retainer graph").count(), 1);
    assert_eq!(h.query_all_by_label("Details").count(), 1);
}

#[test]
fn panes_close_come_back_reset_and_a_changed_layout_is_remembered() {
    let mut h = harness_at(W, H);
    open(&mut h, vec![leak(3)]);
    let toggle = |pane| Command::Window(WindowCommand::TogglePane(pane));
    h.state_mut().run(toggle(Pane::Code));
    h.run_steps(2);
    assert!(workspace::find(&h.state().workspace, Pane::Code).is_none());
    // A closed layout survives being written and read back (what eframe remembers).
    let saved = serde_json::to_string(&h.state().workspace).unwrap();
    let mut again = harness_at(W, H);
    again
        .state_mut()
        .use_layout(serde_json::from_str(&saved).unwrap());
    assert!(workspace::find(&again.state().workspace, Pane::Code).is_none());
    // Shown again, then the default layout back.
    h.state_mut().run(toggle(Pane::Code));
    assert!(workspace::find(&h.state().workspace, Pane::Code).is_some());
    h.state_mut().run(toggle(Pane::Graph));
    h.state_mut()
        .run(Command::Window(WindowCommand::ResetLayout));
    let panes = workspace::open_panes(&h.state().workspace);
    assert!(panes.contains(&Pane::Graph) && panes.contains(&Pane::Code));
    // A damaged layout (a pane twice) is not used.
    let mut twice: egui_tiles::Tree<Pane> = serde_json::from_str(&saved).unwrap();
    let extra = twice.tiles.insert_pane(Pane::Details);
    let root = twice.root.unwrap();
    if let Some(egui_tiles::Tile::Container(c)) = twice.tiles.get_mut(root) {
        c.add_child(extra);
    }
    again.state_mut().use_layout(twice);
    assert_eq!(
        workspace::open_panes(&again.state().workspace)
            .iter()
            .filter(|p| **p == Pane::Details)
            .count(),
        1
    );
}

/// The nodes of the retainers tree's expanded chain: from the object up, each expanded
/// row's one expanded child.
fn expanded_chain(t: &TreeModel) -> Vec<(u32, Option<u32>)> {
    let mut chain = vec![(t.rows[0].node, None)];
    let mut i = 0;
    while let Some(j) =
        (i + 1..t.rows.len()).find(|&j| t.rows[j].parent == Some(i) && t.rows[j].expanded)
    {
        chain.push((t.rows[j].node, t.rows[j].edge));
        i = j;
    }
    // The last row of the path is shown but not expanded.
    if let Some(j) = (i + 1..t.rows.len()).find(|&j| t.rows[j].parent == Some(i)) {
        chain.push((t.rows[j].node, t.rows[j].edge));
    }
    chain
}

#[test]
fn the_tree_the_words_and_the_graph_follow_one_path_to_the_leaked_session() {
    let mut h = harness_at(W, H);
    open(&mut h, vec![leak(3)]);
    let (heap, obj) = first_session(&h);
    let session = obj.node;
    h.state_mut().run(Command::Select(obj));
    settle(&mut h);
    let st = &h.state().state;
    assert_eq!(st.settings.retainer_path, RetainerPath::Explaining);
    let (_, path) = st.selection.path.as_ref().expect("the explaining path");
    let want: Vec<(u32, Option<u32>)> = std::iter::once((session, None))
        .chain(path.hops.iter().rev().map(|hop| (hop.from, Some(hop.edge))))
        .collect();
    let tree = st.selection.retainers.as_ref().unwrap();
    let chain = expanded_chain(tree);
    assert_eq!(
        chain[..want.len().min(chain.len())],
        want[..],
        "the tree expands the explaining path"
    );
    // The words name the path's last variable; the graph draws every step of the path.
    let (_, info) = st.selection.code_info.as_ref().unwrap();
    let names: Vec<String> = path
        .hops
        .iter()
        .map(|hop| heap.snap.edge_name(hop.edge as usize).to_string())
        .collect();
    assert!(
        names.iter().any(|n| n == "cache"),
        "the path runs through cache: {names:?}"
    );
    let reason = info.reason.as_deref().unwrap();
    assert!(reason.contains("variable cache"), "{reason}");
    let (_, g) = st.selection.graph.as_ref().unwrap();
    for hop in &path.hops {
        assert!(
            g.graph.node_weights().any(|&n| n == hop.from),
            "the graph has @{}",
            heap.id(hop.from)
        );
    }
    // DevTools' shortest path on request: the tree DevTools would expand.
    h.state_mut()
        .run(Command::SetRetainerPath(RetainerPath::Shortest));
    let st = &h.state().state;
    let mut shortest = TreeModel::new(heap.clone(), TreeKind::Retainers, session);
    shortest.expand_shortest_path(20);
    assert_eq!(st.selection.retainers.as_ref().unwrap().rows, shortest.rows);
}

#[test]
fn a_size_shows_its_exact_bytes_when_hovered() {
    let mut h = harness_at(W, H);
    open(&mut h, vec![leak(0)]);
    let retained = {
        let m = &h.state().state.snaps.current_snap().unwrap().summary;
        m.classes.iter().map(|c| c.retained_size).max().unwrap()
    };
    let exact = format!("{} bytes", heapdive::fmt::group(retained));
    assert_eq!(h.query_all_by_label_contains(&exact).count(), 0);
    let cell = h
        .query_all_by_label_contains(&heapdive::fmt::size(retained))
        .next()
        .expect("the largest retained size is drawn")
        .rect()
        .center();
    // Past egui's tooltip delay, with the pointer still.
    h.hover_at(cell);
    for _ in 0..8 {
        h.step();
    }
    assert_eq!(h.query_all_by_label_contains(&exact).count(), 1, "{exact}");
}
