//! The desktop explorer (eframe/egui). Views draw the `model` and push commands; the app
//! applies them after the frame; the engine computes. `HeapdiveApp::ui` can be driven by
//! tests without a window.

mod allocation_tree;
mod allocations;
mod app;
mod capture_dialog;
mod capture_panel;
mod chart;
mod code_panel;
mod comparison;
mod details;
mod drop_zone;
mod graph;
mod growth;
mod notices;
mod panes;
mod profile;
mod registry;
mod scopes;
mod search_window;
mod selection_panes;
mod shortcuts;
mod snapshot_list;
mod start;
mod statistics;
mod summary;
mod table;
mod timeline;
mod toolbar;
mod tree;
mod tree_tab;
mod views;
pub mod workspace;

pub use crate::model::{Settings, Tab};
pub use app::HeapdiveApp;

use std::path::PathBuf;

/// The window icon, drawn from assets/icon.png at build time.
fn icon() -> Option<egui::IconData> {
    let bytes = include_bytes!("../../assets/icon.rgba");
    // 64x64 RGBA.
    (bytes.len() == 64 * 64 * 4).then(|| egui::IconData {
        rgba: bytes.to_vec(),
        width: 64,
        height: 64,
    })
}

/// winit delivers no file drops on native Wayland: where an X server (XWayland) is there too,
/// run through it so that dropping snapshots on the window works.
fn prefer_x11_for_drops(builder: &mut winit::event_loop::EventLoopBuilder<eframe::UserEvent>) {
    #[cfg(target_os = "linux")]
    {
        use winit::platform::x11::EventLoopBuilderExtX11;
        if std::env::var_os("DISPLAY").is_some() && std::env::var_os("HEAPDIVE_WAYLAND").is_none() {
            builder.with_x11();
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = builder;
}

/// Opens the window, loading `files` (several files form a series); `select` is an object id
/// to select once the first snapshot is loaded.
pub fn run_app(files: Vec<PathBuf>, select: Option<u64>) -> Result<(), String> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("heapdive")
        .with_inner_size([1280.0, 820.0])
        .with_min_inner_size([640.0, 400.0])
        .with_drag_and_drop(true);
    if let Some(icon) = icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        event_loop_builder: Some(Box::new(prefer_x11_for_drops)),
        ..Default::default()
    };
    eframe::run_native(
        "heapdive",
        options,
        Box::new(move |cc| {
            let settings: Settings = cc
                .storage
                .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
                .unwrap_or_default();
            let mut app = HeapdiveApp::new(settings);
            if let Some(tree) = cc
                .storage
                .and_then(|s| eframe::get_value(s, app::LAYOUT_KEY))
            {
                app.use_layout(tree);
            }
            app.set_repaint(cc.egui_ctx.clone());
            app.state.loads.pending_select = select;
            app.open_files(files);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| format!("cannot open the window: {e}"))
}
