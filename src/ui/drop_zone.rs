//! Files dragged over and dropped on the window: while they hover, a banner says what a drop
//! will do; dropped together they open as a series in file-time order.

use crate::model::{AppState, Command};
use egui::Ui;
use std::path::PathBuf;

/// The files dropped this frame, as an Open command.
pub fn take_drops(ui: &Ui, cmds: &mut Vec<Command>) {
    let mut files: Vec<PathBuf> = ui.ctx().input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .filter(|p| !p.as_os_str().is_empty())
            .collect()
    });
    if files.is_empty() {
        return;
    }
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    cmds.push(Command::Open(files));
}

/// While files hover over the window: a banner with what dropping them will do.
pub fn hover_banner(ui: &Ui, state: &AppState) {
    let hovered: Option<Vec<PathBuf>> = ui.ctx().input(|i| {
        (!i.raw.hovered_files.is_empty()).then(|| {
            i.raw
                .hovered_files
                .iter()
                .filter_map(|f| f.path.clone())
                .collect()
        })
    });
    let Some(files) = hovered else { return };
    let text = state.snaps.drop_hint(&files);
    let screen = ui.ctx().content_rect();
    ui.ctx()
        .layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("drop-shade"),
        ))
        .rect_filled(screen, 0.0, egui::Color32::from_black_alpha(140));
    egui::Area::new(egui::Id::unique("drop-hint"))
        .order(egui::Order::Tooltip)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.label(egui::RichText::new(text).size(20.0).strong());
            });
        });
}
