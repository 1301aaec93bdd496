//! The whole app in an egui_kittest harness (no GPU), for the window's tests.

use egui_kittest::Harness;
use heapdive::ui::{HeapdiveApp, Settings};
use std::time::{Duration, Instant};

pub fn harness() -> Harness<'static, HeapdiveApp> {
    harness_with(Settings::default())
}

pub fn harness_with(settings: Settings) -> Harness<'static, HeapdiveApp> {
    build(settings, egui::vec2(1400.0, 900.0))
}

/// The app at a window size (the default layout is made for 1280×800).
pub fn harness_at(width: f32, height: f32) -> Harness<'static, HeapdiveApp> {
    build(Settings::default(), egui::vec2(width, height))
}

fn build(settings: Settings, size: egui::Vec2) -> Harness<'static, HeapdiveApp> {
    let mut h = Harness::builder().with_size(size).build_ui_state(
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
