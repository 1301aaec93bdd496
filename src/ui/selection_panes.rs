//! The panes about the selected object: its details, its retainers tree, the graph of paths
//! that explain why it is alive, and its code. Clicking anything that names another object
//! selects it (a history step).

use super::tree::TreeView;
use crate::model::settings::RetainerPath;
use crate::model::{AppState, Command, JobKey, ObjRef};
use egui::{Rect, RichText, Ui};

/// What the selection's panes keep between frames.
pub struct SelectionPanes {
    retainers: TreeView,
    /// The selection the retainers tree and the graph were drawn for: a new one starts at
    /// the top and fits its graph to the pane.
    shown_for: Option<ObjRef>,
    /// The graph last fitted: its object and size (the graph of the same object is found
    /// again once the snapshot's code is known).
    graph_for: Option<(ObjRef, usize, usize)>,
    /// The part of the graph in view (pan and zoom).
    scene_rect: Rect,
}

impl Default for SelectionPanes {
    fn default() -> Self {
        SelectionPanes {
            retainers: TreeView::default(),
            shown_for: None,
            graph_for: None,
            scene_rect: Rect::ZERO,
        }
    }
}

fn heap_of(state: &AppState, obj: ObjRef) -> Option<std::sync::Arc<crate::analysis::Heap>> {
    state.snaps.snap(obj.snap).map(|s| s.heap().clone())
}

impl SelectionPanes {
    pub fn details(&mut self, ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
        let Some(obj) = state.selection.obj else {
            return;
        };
        let Some(heap) = heap_of(state, obj) else {
            return;
        };
        let info = state
            .selection
            .code_info
            .as_ref()
            .filter(|(o, _)| *o == obj)
            .map(|(_, i)| i);
        egui::ScrollArea::vertical()
            .id_salt("details-scroll")
            .show(ui, |ui| super::details::ui(ui, &heap, obj, info, cmds));
    }

    pub fn code(&mut self, ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
        // Both ways: lines of code are not wrapped.
        egui::ScrollArea::both()
            .id_salt("code-scroll")
            .show(ui, |ui| super::code_panel::ui(ui, state, cmds));
    }

    pub fn retainers(&mut self, ui: &mut Ui, state: &mut AppState, cmds: &mut Vec<Command>) {
        let Some(obj) = state.selection.obj else {
            return;
        };
        if self.shown_for != Some(obj) {
            self.retainers = TreeView::default();
            self.shown_for = Some(obj);
        }
        path_choice(ui, state.settings.retainer_path, cmds);
        if let Some(t) = &mut state.selection.retainers {
            self.retainers.code = state.snaps.snap(obj.snap).and_then(|s| s.code.clone());
            self.retainers.ui(ui, t, "retainers-table", obj.snap, cmds);
        }
    }

    /// The graph over the whole pane, every label whole: drag to pan, scroll to zoom.
    pub fn graph(&mut self, ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
        let Some(obj) = state.selection.obj else {
            return;
        };
        let Some(heap) = heap_of(state, obj) else {
            return;
        };
        // Wrapped: a row wider than the pane would widen the scene past what is shown.
        ui.horizontal_wrapped(|ui| {
            path_count(ui, state.settings.paths, cmds);
            let fit = ui.button("Fit").on_hover_text(
                "Fit the graph to the pane. Drag to pan, scroll to zoom, click a box to follow it",
            );
            if fit.clicked() {
                self.scene_rect = Rect::ZERO;
            }
        });
        match &state.selection.graph {
            Some((g_obj, g)) if *g_obj == obj => {
                let key = Some((obj, g.graph.node_count(), g.graph.edge_count()));
                if self.graph_for != key {
                    self.scene_rect = Rect::ZERO;
                    self.graph_for = key;
                }
                super::graph::scene_ui(g, ui, &heap, obj.snap, &mut self.scene_rect, cmds);
            }
            _ => super::notices::waiting(ui, state.waiting_for(JobKey::Paths), ""),
        }
    }
}

/// Which path the retainers tree expands: the one the words and the graph explain, or
/// DevTools' shortest.
fn path_choice(ui: &mut Ui, now: RetainerPath, cmds: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Expand:").weak());
        for (mode, label, hint) in [
            (
                RetainerPath::Explaining,
                "explaining path",
                "The path the details' words and the graph's first path follow",
            ),
            (
                RetainerPath::Shortest,
                "shortest path",
                "DevTools' shortest path to a GC root",
            ),
        ] {
            if ui
                .selectable_label(now == mode, label)
                .on_hover_text(hint)
                .clicked()
                && now != mode
            {
                cmds.push(Command::SetRetainerPath(mode));
            }
        }
        ui.label(RichText::new("weak edges hidden").weak());
    });
}

fn path_count(ui: &mut Ui, k: usize, cmds: &mut Vec<Command>) {
    ui.label(format!("Up to {k} paths"))
        .on_hover_text("Paths that explain why the object is alive, each with a different last variable or property");
    let mut n = k;
    let changed = ui
        .add(egui::DragValue::new(&mut n).range(1..=20))
        .on_hover_text("How many paths to draw")
        .changed();
    if changed {
        cmds.push(Command::SetPathCount(n));
    }
}
