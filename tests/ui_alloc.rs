//! The window's views of where memory was allocated, driven through egui_kittest: the
//! Allocations view of a tracked snapshot (numbers against the devtools-oracle's committed
//! output), an object's allocation stack, and sampling heap profiles (flame graph and
//! bottom-up table).

mod common;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use heapdive::model::Command;
use heapdive::ui::{HeapdiveApp, Settings, Tab};
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn harness_with(settings: Settings) -> Harness<'static, HeapdiveApp> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(
            |ui, app: &mut HeapdiveApp| app.ui(ui),
            HeapdiveApp::new(settings),
        );
    h.step();
    h
}

fn harness() -> Harness<'static, HeapdiveApp> {
    harness_with(Settings::default())
}

/// Steps until background work is done.
fn settle(h: &mut Harness<'static, HeapdiveApp>) {
    let t = Instant::now();
    loop {
        h.step();
        if !h.state().is_busy() {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "background work did not finish"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(3);
}

fn open(h: &mut Harness<'static, HeapdiveApp>, files: &[PathBuf]) {
    h.state_mut().open_files(files.to_vec());
    settle(h);
}

fn tracked() -> PathBuf {
    common::fixture("alloc/tracked.heapsnapshot.gz")
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
    let mut h = harness();
    open(&mut h, &[tracked()]);
    h.get_by_label("Allocations").click();
    settle(&mut h);
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
        h.state().state.selection,
        Some(heapdive::model::ObjRef::new(snap, node))
    );
    h.get_by_label("Retainers tree");
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
