//! The attach dialog (Attach… / Ctrl+T): an inspector's host:port and its target list, or a
//! Node process id; the capture folder; Attach. Listing and attaching run as jobs; what goes
//! wrong is shown in the dialog, in words.

use super::table::labelled_field;
use crate::model::{AppState, Command, JobKey, Jobs};
use egui::{RichText, Ui};
use std::path::PathBuf;

/// What is typed in the dialog (app state only once a button is pressed).
#[derive(Default)]
pub struct AttachDialog {
    /// The inspector's address; filled from the settings when the dialog opens.
    pub at: String,
    pub pid: String,
    pub folder: String,
    /// The picked entry of the listed targets.
    pub picked: Option<usize>,
    was_open: bool,
}

impl AttachDialog {
    pub fn ui(&mut self, ui: &mut Ui, state: &AppState, jobs: &Jobs, cmds: &mut Vec<Command>) {
        if !state.capture.dialog_open {
            self.was_open = false;
            return;
        }
        if !self.was_open {
            self.was_open = true;
            self.at = state.settings.attach_at.clone();
            self.folder = crate::model::capture_state::capture_dir(&state.settings)
                .display()
                .to_string();
            self.picked = None;
        }
        let mut open = true;
        egui::Window::new("Attach to a process")
            .id(egui::Id::unique("attach-dialog"))
            .open(&mut open)
            .collapsible(false)
            .pivot(egui::Align2::CENTER_TOP)
            .default_pos(ui.ctx().content_rect().center_top() + egui::vec2(0.0, 80.0))
            .default_width(520.0)
            .show(ui.ctx(), |ui| self.contents(ui, state, jobs, cmds));
        if !open {
            cmds.push(Command::ShowAttach(false));
        }
    }

    fn contents(&mut self, ui: &mut Ui, state: &AppState, jobs: &Jobs, cmds: &mut Vec<Command>) {
        ui.label(
            RichText::new(
                "A process started with --inspect (Node, Deno, Electron) or \
                 --remote-debugging-port (Chrome).",
            )
            .weak(),
        );
        ui.horizontal(|ui| {
            let r = labelled_field(ui, "Host:port:", &mut self.at, 180.0, "127.0.0.1:9229");
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("List targets").clicked() || enter {
                self.picked = None;
                cmds.push(Command::ListTargets(self.at.clone()));
            }
            if jobs.is_running(JobKey::ListTargets) {
                ui.spinner();
            }
        });
        self.target_list(ui, state);
        ui.horizontal(|ui| {
            labelled_field(ui, "Process id:", &mut self.pid, 100.0, "or a Node PID");
            ui.label(RichText::new("(opens its inspector with SIGUSR1)").weak());
        });
        ui.horizontal(|ui| {
            labelled_field(ui, "Capture folder:", &mut self.folder, 360.0, "folder");
        });
        ui.separator();
        ui.horizontal(|ui| {
            let attaching = jobs.is_running(JobKey::Attach);
            let target = self.chosen(state);
            let can = !attaching && !target.is_empty() && !self.folder.trim().is_empty();
            let b = ui.add_enabled(can, egui::Button::new("Attach"));
            if b.on_hover_text(format!("Attach to {target}")).clicked() {
                cmds.push(Command::Attach {
                    target,
                    folder: PathBuf::from(self.folder.trim()),
                });
            }
            if attaching {
                ui.spinner();
                ui.label("Attaching…");
            }
        });
        if let Some(e) = &state.capture.dialog_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    }

    fn target_list(&mut self, ui: &mut Ui, state: &AppState) {
        let Some((at, list)) = &state.capture.targets else {
            return;
        };
        ui.label(format!("Targets on {at}:"));
        egui::ScrollArea::vertical()
            .max_height(140.0)
            .show(ui, |ui| {
                for (i, t) in list.iter().enumerate() {
                    let label = target_label(t);
                    let usable = !t.ws_url.is_empty();
                    let r = ui.add_enabled(
                        usable,
                        egui::Button::selectable(self.picked == Some(i), label),
                    );
                    if r.clicked() {
                        self.picked = Some(i);
                        self.pid.clear();
                    }
                }
            });
    }

    /// What Attach attaches to: a typed PID, else the picked target, else host:port.
    fn chosen(&self, state: &AppState) -> String {
        let pid = self.pid.trim();
        if !pid.is_empty() {
            return if pid.starts_with("pid:") {
                pid.to_string()
            } else {
                format!("pid:{pid}")
            };
        }
        let picked = state
            .capture
            .targets
            .as_ref()
            .filter(|(at, _)| at == self.at.trim())
            .and_then(|(_, list)| list.get(self.picked?));
        match picked {
            Some(t) => t.ws_url.clone(),
            None => self.at.trim().to_string(),
        }
    }
}

/// "node: /srv/app.js" (the URL when there is no title).
pub fn target_label(t: &crate::capture::TargetInfo) -> String {
    let what = if t.title.is_empty() { &t.url } else { &t.title };
    let kind = if t.kind.is_empty() { "target" } else { &t.kind };
    let busy = if t.ws_url.is_empty() {
        "  (another debugger is attached)"
    } else {
        ""
    };
    format!("{kind}: {what}{busy}")
}
