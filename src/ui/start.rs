//! The start page: open a snapshot (dialog, path box, drop), recent files, the samples.

use crate::model::{Command, WindowCommand};
use egui::{RichText, Ui};
use std::path::PathBuf;

/// The bundled sample series (a leaking Node service), if the fixtures are next to us.
pub fn sample_files() -> Vec<PathBuf> {
    let candidates = [
        PathBuf::from("fixtures/leak"),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/leak"),
    ];
    for dir in candidates {
        let files: Vec<PathBuf> = (0..4)
            .map(|i| dir.join(format!("leak-{i}.heapsnapshot.gz")))
            .collect();
        if files.iter().all(|f| f.is_file()) {
            return files;
        }
    }
    Vec::new()
}

pub fn ui(ui: &mut Ui, recent: &[PathBuf], path_box: &mut String, cmds: &mut Vec<Command>) {
    ui.vertical_centered(|ui| {
        ui.add_space(40.0);
        ui.heading(RichText::new("heapdive").size(32.0).strong());
        ui.label("Explore V8 heap snapshots: what holds the memory, why it is alive, what grew.");
        ui.add_space(24.0);
        if ui
            .button(RichText::new("Open a snapshot…  (Ctrl+O)").size(16.0))
            .clicked()
        {
            cmds.push(Command::Window(WindowCommand::OpenDialog));
        }
        ui.add_space(8.0);
        let samples = sample_files();
        if !samples.is_empty()
            && ui
                .button("Open the samples (a leaking Node service, 4 snapshots)")
                .clicked()
        {
            cmds.push(Command::Open(samples));
        }
        ui.add_space(16.0);
        ui.label(
            RichText::new(
                "or drop .heapsnapshot(.gz) / .heapprofile files anywhere on this window",
            )
            .weak(),
        );
        ui.add_space(16.0);
        ui.horizontal(|ui| {
            ui.add_space((ui.available_width() - 560.0).max(0.0) / 2.0);
            let r = super::table::labelled_field(
                ui,
                "Path:",
                path_box,
                420.0,
                "/path/to/file.heapsnapshot",
            );
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Open").clicked() || enter) && !path_box.trim().is_empty() {
                cmds.push(Command::Open(vec![PathBuf::from(path_box.trim())]));
            }
        });
        if !recent.is_empty() {
            ui.add_space(24.0);
            ui.label(RichText::new("Recent files").strong());
            for p in recent.iter().take(10) {
                if ui.link(p.display().to_string()).clicked() {
                    cmds.push(Command::Open(vec![p.clone()]));
                }
            }
        }
    });
}
