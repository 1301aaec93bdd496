//! The toolbar: Open, Attach, Back/Forward, the path box and the search box.

use super::table::labelled_field;
use crate::model::{AppState, Command, WindowCommand};
use egui::{Key, Ui};
use std::path::PathBuf;

/// The toolbar's own text fields (what is typed is not app state until Enter).
#[derive(Default)]
pub struct Toolbar {
    pub path_box: String,
    pub search: String,
    /// Ctrl+F asked for the search box's focus.
    pub focus_search: bool,
}

impl Toolbar {
    pub fn ui(&mut self, ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            if ui.button("Open…").on_hover_text("Ctrl+O").clicked() {
                cmds.push(Command::Window(WindowCommand::OpenDialog));
            }
            if ui
                .button("Attach…")
                .on_hover_text("Capture from a running process (Ctrl+T)")
                .clicked()
            {
                cmds.push(Command::ShowAttach(true));
            }
            self.history_buttons(ui, state, cmds);
            if state.show_path_box || !state.snaps.is_empty() {
                self.path_field(ui, cmds);
            }
            ui.separator();
            self.search_field(ui, cmds);
        });
    }

    fn history_buttons(&self, ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
        let back = ui.add_enabled(
            state.selection.history.can_go_back(),
            egui::Button::new("Back"),
        );
        if back
            .on_hover_text("Previous selection (Alt+Left)")
            .clicked()
        {
            cmds.push(Command::Back);
        }
        let fwd = ui.add_enabled(
            state.selection.history.can_go_forward(),
            egui::Button::new("Forward"),
        );
        if fwd.on_hover_text("Next selection (Alt+Right)").clicked() {
            cmds.push(Command::Forward);
        }
    }

    fn path_field(&mut self, ui: &mut Ui, cmds: &mut Vec<Command>) {
        let r = labelled_field(ui, "Path:", &mut self.path_box, 220.0, "file to open");
        if r.lost_focus()
            && ui.input(|i| i.key_pressed(Key::Enter))
            && !self.path_box.trim().is_empty()
        {
            cmds.push(Command::Open(vec![PathBuf::from(self.path_box.trim())]));
        }
    }

    fn search_field(&mut self, ui: &mut Ui, cmds: &mut Vec<Command>) {
        let r = labelled_field(
            ui,
            "Search:",
            &mut self.search,
            240.0,
            "class name, or @id  (Ctrl+F)",
        );
        if self.focus_search {
            r.request_focus();
            self.focus_search = false;
        }
        if r.changed() {
            cmds.push(Command::SetClassFilter(self.search.trim().to_string()));
        }
        if r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
            cmds.push(Command::Search(self.search.clone()));
        }
    }
}
