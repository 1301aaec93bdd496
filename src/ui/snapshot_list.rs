//! The list of open snapshots: pick the current one, close one, choose the Comparison base.

use crate::model::format;
use crate::model::{AppState, Command, WindowCommand};
use egui::Ui;

pub fn ui(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    ui.strong("Snapshots");
    for s in state.snaps.iter() {
        ui.horizontal(|ui| {
            let text = format!(
                "{}\n{}  ·  {}",
                s.name(),
                format::size(s.heap().snap.file_bytes),
                format::size(s.heap().total_size)
            );
            if ui
                .selectable_label(state.snaps.current == Some(s.id), text)
                .clicked()
            {
                cmds.push(Command::SetCurrent(s.id));
            }
            if ui
                .small_button("x")
                .on_hover_text("Close this snapshot")
                .clicked()
            {
                cmds.push(Command::Close(s.id));
            }
        });
    }
    if let Some(cur) = state.snaps.current {
        let b = ui.button("Save a redacted copy…");
        if b.on_hover_text("A copy of the current snapshot without its string values, to share")
            .clicked()
        {
            cmds.push(Command::Window(WindowCommand::SaveRedactedAs(cur)));
        }
    }
    if state.snaps.len() < 2 {
        return;
    }
    ui.separator();
    ui.label("Comparison base:");
    let base_name = state
        .snaps
        .base
        .and_then(|b| state.snaps.snap(b))
        .map_or("", |s| s.name());
    egui::ComboBox::from_id_salt("base-select")
        .selected_text(base_name)
        .show_ui(ui, |ui| {
            for s in state.snaps.iter() {
                if ui
                    .selectable_label(state.snaps.base == Some(s.id), s.name())
                    .clicked()
                {
                    cmds.push(Command::SetBase(s.id));
                }
            }
        });
}
