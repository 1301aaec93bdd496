//! The window's views of where memory was allocated, driven through egui_kittest: the
//! Allocations view of a tracked snapshot (numbers against the devtools-oracle's committed
//! output), an object's allocation stack, and sampling heap profiles (flame graph and
//! bottom-up table).

use crate::common;
use common::window::*;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use heapdive::model::Command;
use heapdive::ui::{HeapdiveApp, Settings, Tab};
use serde_json::Value;
use std::path::PathBuf;

fn open(h: &mut Harness<'static, HeapdiveApp>, files: &[PathBuf]) {
    h.state_mut().open_files(files.to_vec());
    settle(h);
}

fn tracked() -> PathBuf {
    common::fixture("alloc/tracked.heapsnapshot.gz")
}

/// The window with the tracked snapshot open on its Allocations tab.
fn tracked_allocations() -> Harness<'static, HeapdiveApp> {
    let mut h = harness();
    open(&mut h, &[tracked()]);
    h.get_by_label("Allocations").click();
    settle(&mut h);
    h
}

fn oracle() -> Value {
    serde_json::from_str(&common::gunzip_text(&common::fixture(
        "alloc/tracked.allocations.json.gz",
    )))
    .unwrap()
}

/// The oracle's frame as the details panel writes it ("(anonymous)" for no name).
fn oracle_frame(s: &str) -> String {
    let (name, loc) = s.split_once('@').unwrap();
    let name = if name.is_empty() { "(anonymous)" } else { name };
    format!("{name}@{loc}")
}

#[test]
fn a_tracked_snapshot_offers_allocations_with_the_oracles_numbers_objects_and_stacks() {
    let mut h = tracked_allocations();
    assert_eq!(h.state().state.tab, Tab::Allocations);
    let o = oracle();
    let top = &o["tops"][0];
    {
        let m = h.state().state.snaps[0].allocations.as_ref().expect("rows");
        let r = &m.rows[0];
        let t = r.data.totals;
        assert_eq!(m.name(r.function()), top["name"].as_str().unwrap());
        assert_eq!(
            m.location(r.function()),
            format!(
                "{}:{}:{}",
                top["scriptName"].as_str().unwrap(),
                top["line"],
                top["column"]
            )
        );
        assert_eq!(
            (t.count, t.size, t.live_count, t.live_size),
            (
                top["count"].as_u64().unwrap(),
                top["size"].as_u64().unwrap(),
                top["liveCount"].as_u64().unwrap(),
                top["liveSize"].as_u64().unwrap()
            )
        );
        assert_eq!(m.rows.len(), o["tops"].as_array().unwrap().len());
    }
    // The top row is drawn with its numbers.
    h.get_by_label(top["name"].as_str().unwrap());
    h.get_by_label(&heapdive::model::format::group(
        top["count"].as_u64().unwrap(),
    ));

    // Sorting by a column: Live Count, largest first.
    h.get_by_label("Live Count").click();
    h.run_steps(2);
    {
        let m = h.state().state.snaps[0].allocations.as_ref().unwrap();
        let max = o["tops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["liveCount"].as_u64().unwrap())
            .max()
            .unwrap();
        assert_eq!(m.rows[0].data.totals.live_count, max);
    }
    h.get_by_label("Size").click();
    h.run_steps(2);
    assert_eq!(
        h.state().state.snaps[0].allocations.as_ref().unwrap().rows[0]
            .data
            .totals
            .size,
        top["size"].as_u64().unwrap()
    );

    // Expanding a function lists its callers below it.
    let order = o["tops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Order")
        .unwrap()
        .clone();
    let before = h.state().state.snaps[0]
        .allocations
        .as_ref()
        .unwrap()
        .rows
        .len();
    let order_row = h.state().state.snaps[0]
        .allocations
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .position(|r| r.chain.len() == 1 && r.data.totals.size == order["size"].as_u64().unwrap())
        .unwrap();
    h.state_mut().state.snaps[0]
        .allocations
        .as_mut()
        .unwrap()
        .toggle(order_row);
    h.run_steps(2);
    {
        let m = h.state().state.snaps[0].allocations.as_ref().unwrap();
        assert!(m.rows.len() > before, "callers shown");
        assert_eq!(m.rows[order_row + 1].chain.len(), 2);
        assert_eq!(m.rows[order_row + 1].chain[0], m.rows[order_row].function());
    }

    // Selecting Order lists the live objects it allocated (a job).
    h.get_by_label("Order").click();
    settle(&mut h);
    let (snap, heap, objects) = {
        let s = &h.state().state.snaps[0];
        let m = s.allocations.as_ref().unwrap();
        let objs = m.objects.as_ref().expect("a row is selected");
        (
            s.id,
            s.heap().clone(),
            objs.objects.clone().expect("objects"),
        )
    };
    assert_eq!(objects.len() as u64, order["liveCount"].as_u64().unwrap());
    h.get_by_label_contains("Live objects allocated by Order:");
    // The keyboard moves to the next row (Order's caller, expanded above) and lists its
    // objects; Up comes back.
    h.key_press(egui::Key::ArrowDown);
    settle(&mut h);
    {
        let m = h.state().state.snaps[0].allocations.as_ref().unwrap();
        let chain = &m.objects.as_ref().unwrap().chain;
        assert_eq!(chain.len(), 2, "the caller row");
        assert_eq!(m.name(chain[0]), "Order");
    }
    h.key_press(egui::Key::ArrowUp);
    settle(&mut h);

    // Selecting one shows its retainers and its allocation stack, the oracle's.
    let node = objects[0];
    let label = heapdive::model::format::object_label(&heap, node, 120);
    let inner = heapdive::model::allocations::object_stack(&heap, node)
        .unwrap()
        .unwrap()[0]
        .location
        .clone();
    let shown_before = h.get_all_by_label(&inner).count();
    assert!(h.query_by_label("Allocation stack").is_none());
    h.get_by_label(&label).click();
    settle(&mut h);
    assert_eq!(
        h.state().state.selection.obj,
        Some(heapdive::model::ObjRef::new(snap, node))
    );
    h.get_by_label("Retainers");
    h.get_by_label("Allocation stack");
    let id = heap.id(node).to_string();
    let expected: Vec<String> = o["stacks"][&id]
        .as_array()
        .expect("the oracle has the object's stack")
        .iter()
        .map(|f| oracle_frame(f.as_str().unwrap()))
        .collect();
    let stack = heapdive::model::allocations::object_stack(&heap, node)
        .unwrap()
        .unwrap();
    let got: Vec<String> = stack
        .iter()
        .map(|l| format!("{}@{}", l.function, l.location))
        .collect();
    assert_eq!(got, expected);
    // Every frame is drawn in the details panel.
    for l in &stack {
        assert!(
            h.get_all_by_label(&l.function).count() >= 1,
            "{}",
            l.function
        );
        assert!(
            h.get_all_by_label(&l.location).count() >= 1,
            "{}",
            l.location
        );
    }
    assert!(h.get_all_by_label(&inner).count() > shown_before);
}

#[test]
fn a_snapshot_without_allocation_stacks_does_not_offer_the_tab() {
    // A remembered Allocations tab falls back to the Summary.
    let mut h = harness_with(Settings {
        tab: Tab::Allocations,
        ..Settings::default()
    });
    open(&mut h, &[common::fixture("leak/leak-0.heapsnapshot.gz")]);
    assert_eq!(h.state().state.tab, Tab::Summary);
    assert!(h.query_by_label("Allocations").is_none());
    h.get_by_label("Summary");
    // With a tracked snapshot current, the tab is offered; switching back to the other
    // snapshot falls back to the Summary.
    open(&mut h, &[tracked()]);
    h.get_by_label("Summary").click();
    h.run_steps(2);
    h.get_by_label("Allocations").click();
    settle(&mut h);
    assert_eq!(h.state().state.tab, Tab::Allocations);
    let first = h.state().state.snaps[0].id;
    h.state_mut().run(Command::SetCurrent(first));
    settle(&mut h);
    assert_eq!(h.state().state.tab, Tab::Summary);
    assert!(h.query_by_label("Allocations").is_none());
}

fn sampled() -> PathBuf {
    common::fixture("alloc/sampled.heapprofile")
}

/// Per function name: the bytes of the samples taken in it (from the file, independently).
fn self_sizes_by_name(path: &std::path::Path) -> Vec<(String, u64)> {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut name_of = std::collections::HashMap::new();
    let mut todo = vec![&doc["head"]];
    while let Some(n) = todo.pop() {
        let f = &n["callFrame"];
        name_of.insert(
            n["id"].as_u64().unwrap(),
            format!(
                "{}|{}|{}|{}",
                f["functionName"].as_str().unwrap(),
                f["url"].as_str().unwrap(),
                f["lineNumber"],
                f["columnNumber"]
            ),
        );
        todo.extend(n["children"].as_array().unwrap());
    }
    let mut by = std::collections::HashMap::<String, u64>::new();
    for s in doc["samples"].as_array().unwrap() {
        if let Some(k) = name_of.get(&s["nodeId"].as_u64().unwrap()) {
            *by.entry(k.clone()).or_default() += s["size"].as_u64().unwrap();
        }
    }
    let mut v: Vec<(String, u64)> = by.into_iter().collect();
    v.sort_by_key(|(_, s)| std::cmp::Reverse(*s));
    v
}

#[test]
fn a_heap_profile_opens_as_a_flame_graph_and_a_bottom_up_table() {
    let mut h = harness();
    open(&mut h, &[sampled()]);
    {
        let st = &h.state().state;
        assert!(st.errors.is_empty(), "{:?}", st.errors);
        assert!(st.snaps.is_empty(), "not read as a snapshot");
        assert_eq!(st.profiles.len(), 1);
        assert_eq!(st.tab, Tab::Profile);
    }
    let expected = self_sizes_by_name(&sampled());
    let (top_key, top_self) = &expected[0];
    let top_name = top_key.split('|').next().unwrap().to_string();
    {
        let p = h.state().state.profiles.current().unwrap();
        let r = p.functions[0];
        assert_eq!(p.profile.functions[r.function as usize].name, top_name);
        assert_eq!(r.self_size, *top_self);
    }
    // The bottom-up table's first row: the function and its exact self size.
    h.get_by_label(&top_name);
    h.get_by_label(&format!("{} B", heapdive::model::format::group(*top_self)));

    // Hovering the flame graph's widest frame of that function shows its exact numbers.
    let graph = h.get_by_label("Flame graph").rect();
    let (k, pos) = {
        let p = h.state().state.profiles.current().unwrap();
        let b = p
            .flame(graph.width() as f64, 0.5)
            .into_iter()
            .filter(|b| p.name_of(b.node) == top_name)
            .max_by(|a, b| a.width.total_cmp(&b.width))
            .expect("the top function is in the flame graph");
        let pos = egui::pos2(
            graph.left() + (b.x + b.width / 2.0) as f32,
            graph.top() + b.depth as f32 * 18.0 + 9.0,
        );
        (b.node, pos)
    };
    h.hover_at(pos);
    h.run_steps(3);
    let total = h.state().state.profiles.current().unwrap().subtree[k as usize];
    h.get_by_label_contains(&format!(
        "total {} B",
        heapdive::model::format::group(total)
    ));
    // A click zooms into it; Reset zoom goes back to the whole profile.
    h.get_by_label("Flame graph");
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(3);
    assert_eq!(h.state().state.profiles.current().unwrap().zoom, k);
    h.get_by_label("Reset zoom").click();
    h.run_steps(3);
    assert_eq!(h.state().state.profiles.current().unwrap().zoom, 0);
}

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_dropped_profile_opens_beside_an_open_snapshot() {
    let mut h = harness();
    open(&mut h, &[tracked()]);
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(sampled())));
    h.step();
    settle(&mut h);
    let st = &h.state().state;
    assert!(st.errors.is_empty(), "{:?}", st.errors);
    assert_eq!((st.snaps.len(), st.profiles.len()), (1, 1));
    assert_eq!(st.tab, Tab::Profile);
    // Both kinds of tab are offered; the snapshot's views are one click away.
    h.get_by_label("Summary").click();
    h.run_steps(2);
    assert_eq!(h.state().state.tab, Tab::Summary);
    h.get_by_label("Profile").click();
    h.run_steps(2);
    h.get_by_label("Flame graph");
}

#[test]
fn a_profile_is_told_from_a_snapshot_by_its_content_and_a_broken_one_says_why() {
    let dir = std::env::temp_dir().join(format!("heapdive-ui-alloc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let renamed = dir.join("prod-memory.json");
    std::fs::copy(sampled(), &renamed).unwrap();
    let broken = dir.join("broken.heapprofile");
    std::fs::write(&broken, b"{\"head\": {\"callFrame\": ").unwrap();
    let mut h = harness();
    open(&mut h, std::slice::from_ref(&renamed));
    assert_eq!(
        h.state().state.profiles.len(),
        1,
        "{:?}",
        h.state().state.errors
    );
    open(&mut h, std::slice::from_ref(&broken));
    let st = &h.state().state;
    assert_eq!(st.profiles.len(), 1, "the good profile stays open");
    assert!(st.snaps.is_empty());
    assert_eq!(st.errors.len(), 1);
    let e = st.errors[0].clone();
    assert!(
        e.contains("broken.heapprofile") && e.contains("not a heap profile"),
        "{e}"
    );
    h.get_by_label_contains("broken.heapprofile");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dragging_across_the_allocation_timeline_filters_the_summary_to_that_id_range() {
    let mut h = harness();
    open(&mut h, &[common::fixture("leak/leak-0.heapsnapshot.gz")]);
    assert!(h.query_by_label("Timeline").is_none(), "no samples, no tab");
    open(&mut h, &[common::fixture("alloc/tracked.heaptimeline.gz")]);
    h.get_by_label("Summary").click();
    h.run_steps(2);
    h.get_by_label("Timeline").click();
    settle(&mut h);
    assert_eq!(h.state().state.tab, Tab::Timeline);
    let (snap, timeline) = {
        let s = h.state().state.snaps.current_snap().unwrap();
        (s.id, s.timeline.clone().expect("timeline computed"))
    };
    let chart = h.get_by_label("Allocation timeline").rect();
    // The recording is shorter than the axis (DevTools draws at least 10 s): drag across
    // the middle of its samples.
    let last = *timeline.time_ms.last().unwrap();
    assert!(timeline.time_ms.len() > 3 && last > 0.0);
    // The chart spans the recording (DevTools' 10 s axis is a checkbox away).
    let span = last - timeline.time_ms[0];
    let x_of = |ms: f64| chart.left() + (ms / span) as f32 * chart.width();
    let (x0, x1) = (x_of(last * 0.2), x_of(last * 0.8));
    let y = chart.center().y;
    h.hover_at(egui::pos2(x0, y));
    h.step();
    h.drag_at(egui::pos2(x0, y));
    h.step();
    for k in 1..=5 {
        h.hover_at(egui::pos2(x0 + (x1 - x0) * k as f32 / 5.0, y));
        h.step();
    }
    h.drop_at(egui::pos2(x1, y));
    h.step();
    settle(&mut h);
    let ms = |x: f32| ((x - chart.left()) / chart.width()) as f64 * span;
    let want = timeline.select(ms(x0), ms(x1)).filter();
    let s = h.state().state.snaps.snap(snap).unwrap();
    assert_eq!(s.summary.filter, want);
    match want {
        heapdive::analysis::filters::NodeFilter::IdRange { min, max } => {
            assert!(min > 0 && max < u64::MAX && min < max, "{min}..{max}")
        }
        other => panic!("{other:?}"),
    }
    h.get_by_label_contains("of live objects allocated");
    // Show in Summary goes there, filtered.
    h.get_by_label("Show in Summary").click();
    settle(&mut h);
    assert_eq!(h.state().state.tab, Tab::Summary);
    assert_eq!(
        h.state().state.snaps.snap(snap).unwrap().summary.filter,
        want
    );
}

#[test]
fn the_allocations_view_switches_to_a_top_down_tree() {
    let mut h = tracked_allocations();
    h.get_by_label("Top-down").click();
    h.run_steps(3);
    h.get_by_label("Function (top-down)");
    h.get_by_label("Bottom-up").click();
    h.run_steps(3);
    assert!(h.query_by_label("Function (top-down)").is_none());
}

#[test]
fn the_keyboard_scrolls_the_allocations_table_to_the_selected_row() {
    let mut h = tracked_allocations();
    let (first, last, n) = {
        let m = h.state().state.snaps[0].allocations.as_ref().unwrap();
        let name = |i: usize| m.name(m.rows[i].function()).to_string();
        (name(0), name(m.rows.len() - 1), m.rows.len())
    };
    assert!(n > 40, "enough rows to need scrolling: {n}");
    assert!(
        h.query_by_label(&last).is_none(),
        "{last} starts out of view"
    );
    h.get_by_label(&first).click();
    settle(&mut h);
    for _ in 1..n {
        h.key_press(egui::Key::ArrowDown);
        settle(&mut h);
    }
    let m = h.state().state.snaps[0].allocations.as_ref().unwrap();
    let chain = &m.objects.as_ref().expect("a row is selected").chain;
    assert_eq!(m.row_of(chain), Some(n - 1), "the last row is selected");
    assert!(
        h.query_by_label(&last).is_some(),
        "{last} scrolled into view"
    );
}

#[test]
fn a_frame_of_an_allocation_stack_opens_its_code_in_the_editor() {
    use egui_kittest::kittest::by;
    let dir = std::env::temp_dir().join(format!("heapdive-editor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let opened = dir.join("opened.txt");
    // The "editor" writes what it was asked to open.
    let settings = Settings {
        editor: format!(
            "sh -c 'echo {{file}}:{{line}}:{{column}} > \"{}\"'",
            opened.display()
        ),
        ..Settings::default()
    };
    let mut h = harness_with(settings);
    open(&mut h, &[tracked()]);
    // An object allocated in tracked.js, and that frame of its stack.
    let (snap, node, frame) = {
        let s = &h.state().state.snaps[0];
        let heap = s.heap().clone();
        (0..heap.node_count() as u32)
            .find_map(|o| {
                let lines = heapdive::model::allocations::object_stack(&heap, o)?.ok()?;
                let l = lines
                    .into_iter()
                    .find(|l| l.location.contains("/tracked.js:"))?;
                Some((s.id, o, l))
            })
            .expect("an object allocated in tracked.js")
    };
    let code = frame.code.clone().expect("a position to open");
    let link = by()
        .role(egui::accesskit::Role::Link)
        .label(&frame.location);
    h.state_mut()
        .run(Command::Select(heapdive::model::ObjRef::new(snap, node)));
    settle(&mut h);
    // Recorded in another folder, the script is found by its path's suffix near the
    // snapshot (this checkout's fixtures/alloc/tracked.js): no remap needed.
    assert!(
        !code.script.starts_with(env!("CARGO_MANIFEST_DIR")),
        "{}",
        code.script
    );
    // The stack is below the details in their pane: scrolled to, as a user would.
    h.get(link.clone()).scroll_to_me();
    h.run_steps(3);
    h.get(link).click();
    settle(&mut h);
    let expected = format!(
        "{}:{}:{}",
        common::fixture("alloc/tracked.js").display(),
        code.line,
        code.column
    );
    let mut written = String::new();
    for _ in 0..100 {
        written = std::fs::read_to_string(&opened).unwrap_or_default();
        if !written.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        h.state().state.errors.is_empty(),
        "{:?}",
        h.state().state.errors
    );
    assert_eq!(written.trim(), expected);
}
