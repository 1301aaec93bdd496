//! The Retainers view: the selected object's retainer graph over the whole area, with full
//! labels, pan and zoom; clicking a box drills on (Back returns).

use super::views::View;
use crate::model::{AppState, Command, JobKey, Tab};
use egui::{Rect, RichText, Ui};

pub struct RetainersTab {
    /// The part of the graph in view (pan and zoom), reset when the selection changes.
    scene_rect: Rect,
    shown_for: Option<crate::model::ObjRef>,
}

impl Default for RetainersTab {
    fn default() -> Self {
        RetainersTab {
            scene_rect: Rect::ZERO,
            shown_for: None,
        }
    }
}

impl View for RetainersTab {
    fn tab(&self) -> Tab {
        Tab::Retainers
    }

    fn title(&self) -> &'static str {
        "Retainers"
    }

    fn ui(&mut self, ui: &mut Ui, state: &mut AppState, cmds: &mut Vec<Command>) {
        let Some(obj) = state.selection.obj else {
            ui.label("Select an object in any view to see why it is alive.");
            return;
        };
        let Some(heap) = state.snaps.snap(obj.snap).map(|s| s.heap().clone()) else {
            return;
        };
        ui.horizontal(|ui| {
            ui.strong(crate::model::format::object_label(&heap, obj.node, 100));
            ui.label(
                RichText::new(
                    "drag to pan, scroll to zoom, click a box to follow it (Back returns)",
                )
                .weak(),
            );
            if ui.button("Fit").clicked() {
                self.scene_rect = Rect::ZERO;
            }
        });
        match &state.selection.graph {
            Some((g_obj, g)) if *g_obj == obj => {
                if self.shown_for != Some(obj) {
                    // A new graph: fit it to the view.
                    self.scene_rect = Rect::ZERO;
                    self.shown_for = Some(obj);
                }
                super::graph::scene_ui(g, ui, &heap, obj.snap, &mut self.scene_rect, cmds);
            }
            _ => super::notices::waiting(ui, state.waiting_for(JobKey::Paths), ""),
        }
    }
}
