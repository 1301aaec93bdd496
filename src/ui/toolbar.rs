//! The toolbar: Open, Attach, Back/Forward, the path box and the search box.

use super::table::labelled_field;
use super::workspace::{OTHER_PANES, Pane};
use crate::fmt::SizeStyle;
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
    /// `open`: the panes in the workspace now (the View menu checks them).
    pub fn ui(&mut self, ui: &mut Ui, state: &AppState, open: &[Pane], cmds: &mut Vec<Command>) {
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
            ui.menu_button("View", |ui| view_menu(ui, state, open, cmds));
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

/// The panes shown (checked) or closed, "Reset layout", and how sizes are written.
fn view_menu(ui: &mut Ui, state: &AppState, open: &[Pane], cmds: &mut Vec<Command>) {
    for pane in OTHER_PANES {
        let mut shown = open.contains(&pane);
        if ui.checkbox(&mut shown, pane.title()).changed() {
            cmds.push(Command::Window(WindowCommand::TogglePane(pane)));
        }
    }
    if ui.button("Reset layout").clicked() {
        cmds.push(Command::Window(WindowCommand::ResetLayout));
        ui.close();
    }
    ui.separator();
    ui.label("Sizes");
    for (style, label) in [
        (SizeStyle::Units, "B, kB, MB, GB"),
        (SizeStyle::DevToolsKb, "kB only (as DevTools)"),
    ] {
        if ui
            .radio(state.settings.size_style == style, label)
            .clicked()
        {
            cmds.push(Command::SetSizeStyle(style));
        }
    }
}
