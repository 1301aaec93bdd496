//! The bottom panel for the selected object: details, the retainers tree and the retainer
//! graph. Clicking anything that names another object selects it (a history step).

use super::tree::TreeView;
use crate::model::{AppState, Command, JobKey};
use egui::{RichText, Ui};

#[derive(Default)]
pub struct SelectionPanel {
    retainers: TreeView,
    /// The selection the retainers table was drawn for: a new one starts at the top.
    shown_for: Option<crate::model::ObjRef>,
}

impl SelectionPanel {
    pub fn ui(&mut self, ui: &mut Ui, state: &mut AppState, cmds: &mut Vec<Command>) {
        let Some(obj) = state.selection.obj else {
            return;
        };
        let Some(heap) = state.snaps.snap(obj.snap).map(|s| s.heap().clone()) else {
            return;
        };
        if self.shown_for != Some(obj) {
            self.retainers = TreeView::default();
            self.shown_for = Some(obj);
        }
        egui::Panel::left("details")
            .resizable(true)
            .default_size(280.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("details-scroll")
                    .show(ui, |ui| {
                        let original = state
                            .selection
                            .code_info
                            .as_ref()
                            .filter(|(o, _)| *o == obj)
                            .and_then(|(_, i)| i.original_class.clone());
                        super::details::ui(ui, &heap, obj, original.as_deref(), cmds);
                        super::code_panel::ui(ui, state, cmds);
                    });
            });
        egui::Panel::right("graph")
            .resizable(true)
            .default_size(ui.available_width() * 0.42)
            .show(ui, |ui| graph_panel(ui, state, &heap, cmds));
        egui::CentralPanel::no_frame().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong("Retainers tree");
                ui.label(
                    RichText::new("weak edges hidden; the path to a GC root is expanded").weak(),
                );
            });
            if let Some(t) = &mut state.selection.retainers {
                self.retainers.code = state
                    .snaps
                    .iter()
                    .find(|s| s.id == obj.snap)
                    .and_then(|s| s.code.clone());
                self.retainers.ui(ui, t, "retainers-table", obj.snap, cmds);
            }
        });
    }
}

fn graph_panel(
    ui: &mut Ui,
    state: &AppState,
    heap: &crate::analysis::Heap,
    cmds: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        let k = state.settings.paths;
        ui.strong(format!("Retainer graph (up to {k} paths)"))
            .on_hover_text("Paths that explain why the object is alive, each with a different last variable or property");
        let mut n = k;
        let changed = ui
            .add(egui::DragValue::new(&mut n).range(1..=20))
            .on_hover_text("How many paths to draw")
            .changed();
        if changed {
            cmds.push(Command::SetPathCount(n));
        }
    });
    match &state.selection.graph {
        Some((obj, g)) => super::graph::ui(g, ui, heap, obj.snap, cmds),
        None => super::notices::waiting(ui, state.waiting_for(JobKey::Paths), ""),
    }
}
