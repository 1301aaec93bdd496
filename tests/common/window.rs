//! The whole app in an egui_kittest harness (no GPU), for the window's tests.

use egui_kittest::Harness;
use heapdive::ui::{HeapdiveApp, Settings};
use std::time::{Duration, Instant};

pub fn harness() -> Harness<'static, HeapdiveApp> {
    harness_with(Settings::default())
}

pub fn harness_with(settings: Settings) -> Harness<'static, HeapdiveApp> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(
            |ui, app: &mut HeapdiveApp| app.ui(ui),
            HeapdiveApp::new(settings),
        );
    h.step();
    h
}

/// Steps until background work is done (loads, sorts, comparisons, jobs).
pub fn settle(h: &mut Harness<'static, HeapdiveApp>) {
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
