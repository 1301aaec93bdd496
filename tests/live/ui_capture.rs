//! Live capture through the window (egui_kittest, no GPU): Ctrl+T opens the attach dialog,
//! List targets finds a real `node --inspect` child, Attach starts the capture panel, and each
//! Take snapshot lands in the open series. The node child is killed when its guard drops; the
//! capture folder is a temp dir.
#![cfg(unix)]

use crate::common;
use common::node::Node;
use common::window::*;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use heapdive::model::Tab;
use heapdive::ui::HeapdiveApp;
use std::path::Path;
use std::time::{Duration, Instant};

/// Steps frames until `done` holds (background jobs and capture events arrive meanwhile).
fn step_until(
    h: &mut Harness<'static, HeapdiveApp>,
    what: &str,
    secs: u64,
    done: impl Fn(&HeapdiveApp) -> bool,
) {
    let t = Instant::now();
    while !done(h.state()) {
        assert!(
            t.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}; errors: {:?}, dialog: {:?}",
            h.state().state.errors,
            h.state().state.capture.dialog_error
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(3);
}

/// Replaces the text of the field labelled `label`.
fn type_into(h: &mut Harness<'static, HeapdiveApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(label).type_text(text);
    h.run_steps(2);
}

/// Ctrl+T, then the inspector address and the capture folder.
fn open_dialog(h: &mut Harness<'static, HeapdiveApp>, at: &str, dir: &Path) {
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::T);
    h.run_steps(3);
    assert!(
        h.state().state.capture.dialog_open,
        "Ctrl+T opens the dialog"
    );
    type_into(h, "Host:port:", at);
    type_into(h, "Capture folder:", &dir.display().to_string());
}

#[test]
fn attach_through_the_dialog_and_captured_snapshots_fill_the_series() {
    let node = Node::inspect(&[]);
    let dir = common::scratch("ui-capture-series");
    let mut h = harness();
    open_dialog(&mut h, &node.at(), &dir);

    h.get_by_label("List targets").click();
    step_until(&mut h, "the target list", 20, |a| {
        a.state.capture.targets.is_some()
    });
    h.get_by_label_contains("leaky.js").click();
    h.run_steps(2);
    h.get_by_label("Attach").click();
    step_until(&mut h, "the attach", 30, |a| a.state.capture.is_attached());
    assert!(
        !h.state().state.capture.dialog_open,
        "attaching closes the dialog"
    );
    assert_eq!(
        h.state().state.settings.attach_at,
        node.at(),
        "the address is remembered"
    );
    // The panel is there while nothing is loaded yet, and samples arrive once a second.
    step_until(&mut h, "a usage sample", 20, |a| {
        !a.state.capture.samples.is_empty()
    });
    h.get_by_label("Detach");
    h.get_by_label("GC first");
    // A heap threshold the test app does not reach: the schedule starts and stops, no capture.
    h.get_by_label("Every").click();
    h.get_by_label("When heap used passes").click();
    h.run_steps(2);
    h.get_by_label("Start schedule").click();
    h.run_steps(2);
    let sched = h
        .state()
        .state
        .capture
        .schedule
        .clone()
        .expect("a schedule");
    assert_eq!(sched.every, None);
    assert_eq!(sched.heap_above, Some(100_000_000));
    assert!(sched.gc);
    h.get_by_label("Stop schedule").click();
    h.run_steps(2);
    assert!(h.state().state.capture.schedule.is_none());

    h.get_by_label("Take snapshot").click();
    step_until(&mut h, "the first capture to load", 90, |a| {
        a.state.snaps.len() == 1 && !a.is_busy()
    });
    assert!(!h.state().state.tab_enabled(Tab::Comparison));
    // The panel's folder field moves the next captures elsewhere.
    let dir2 = dir.join("later");
    type_into(&mut h, "Capture folder:", &dir2.display().to_string());
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert_eq!(
        heapdive::model::capture_state::capture_dir(&h.state().state.settings),
        dir2
    );
    h.get_by_label("Take snapshot").click();
    step_until(&mut h, "the second capture to load", 90, |a| {
        a.state.snaps.len() == 2 && !a.is_busy()
    });

    let st = &h.state().state;
    assert!(st.tab_enabled(Tab::Comparison) && st.tab_enabled(Tab::Growth));
    assert_eq!(st.tab, Tab::Comparison, "two snapshots open the Comparison");
    assert!(
        st.series.comparison.is_some(),
        "the comparison was computed"
    );
    assert_eq!(st.capture.marks.len(), 2, "one mark per snapshot");
    let wanted = [
        dir.join("capture-1.heapsnapshot"),
        dir2.join("capture-1.heapsnapshot"),
    ];
    for (s, want) in st.snaps.iter().zip(&wanted) {
        assert_eq!(
            std::fs::canonicalize(&s.loaded.path).unwrap(),
            std::fs::canonicalize(want).unwrap()
        );
    }
    h.get_by_label("Growth & leaks").click();
    step_until(&mut h, "the growth data", 60, |a| {
        a.state.series.growth.is_some()
    });

    h.get_by_label("Detach").click();
    h.run_steps(3);
    let c = &h.state().state.capture;
    assert!(!c.is_attached());
    assert!(c.ended.as_deref().unwrap().contains("2 snapshots kept"));
    assert!(wanted.iter().all(|w| w.exists()));
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_target_that_exits_is_reported_and_its_captures_stay() {
    let mut node = Node::inspect(&[]);
    let dir = common::scratch("ui-capture-exit");
    let mut h = harness();
    open_dialog(&mut h, &node.at(), &dir);
    h.get_by_label("Attach").click();
    step_until(&mut h, "the attach", 30, |a| a.state.capture.is_attached());
    h.get_by_label("Take snapshot").click();
    step_until(&mut h, "the capture to load", 90, |a| {
        a.state.snaps.len() == 1 && !a.is_busy()
    });
    node.kill();
    step_until(&mut h, "the target to be reported gone", 30, |a| {
        !a.state.capture.is_attached()
    });
    let ended = h.state().state.capture.ended.clone().unwrap();
    assert!(ended.contains("exited"), "{ended}");
    h.get_by_label_contains("The target exited");
    assert!(dir.join("capture-1.heapsnapshot").exists());
    h.get_by_label("Close capture panel").click();
    h.run_steps(3);
    assert!(h.query_by_label("Close capture panel").is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn nothing_listening_is_said_in_words_in_the_dialog() {
    // A port that was free a moment ago: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let at = format!("127.0.0.1:{port}");
    let dir = common::scratch("ui-capture-refused");
    let mut h = harness();
    open_dialog(&mut h, &at, &dir);

    h.get_by_label("List targets").click();
    step_until(&mut h, "the listing to fail", 20, |a| {
        a.state.capture.dialog_error.is_some()
    });
    h.get_by_label_contains("nothing is listening on");

    h.get_by_label("Attach").click();
    h.run_steps(2);
    step_until(&mut h, "the attach to fail", 20, |a| {
        a.state.capture.dialog_error.is_some() && !a.jobs.is_busy()
    });
    let e = h.state().state.capture.dialog_error.clone().unwrap();
    assert!(e.starts_with(&format!("Cannot attach to {at}")), "{e}");
    h.get_by_label_contains("Cannot attach to");
    assert!(!h.state().state.capture.panel_shown());
    assert!(std::fs::read_dir(&dir).unwrap().next().is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_pid_that_does_not_exist_is_said_in_words_in_the_dialog() {
    let dir = common::scratch("ui-capture-pid");
    let mut h = harness();
    open_dialog(&mut h, "127.0.0.1:9", &dir);
    type_into(&mut h, "Process id:", "2147483646");
    h.get_by_label("Attach").click();
    h.run_steps(2);
    step_until(&mut h, "the attach to fail", 20, |a| {
        a.state.capture.dialog_error.is_some() && !a.jobs.is_busy()
    });
    let e = h.state().state.capture.dialog_error.clone().unwrap();
    assert!(
        e.contains("pid:2147483646") && e.contains("no process has pid 2147483646"),
        "{e}"
    );
    h.get_by_label_contains("no process has pid");
    assert!(!h.state().state.capture.panel_shown());
    let _ = std::fs::remove_dir_all(&dir);
}
