//! The object-search results: objects whose name contains the search text, largest
//! retained size first; clicking one selects it in the Summary.

use crate::model::format;
use crate::model::{AppState, Command, ObjRef, Tab};
use egui::{RichText, Ui};

pub fn ui(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    let Some(r) = &state.search_results else {
        return;
    };
    let Some(heap) = state.snaps.snap(r.snap).map(|s| s.heap().clone()) else {
        return;
    };
    let mut open = true;
    let title = format!(
        "Objects named like \"{}\" ({} found)",
        format::shorten(&r.query, 30),
        format::group(r.total as u64)
    );
    egui::Window::new(title)
        .id(egui::Id::unique("object-search"))
        .open(&mut open)
        .default_size([460.0, 320.0])
        .show(ui.ctx(), |ui| {
            if r.found.is_empty() {
                ui.label("No object has that in its name.");
            }
            egui::ScrollArea::vertical().show(ui, |ui| {
                for &o in &r.found {
                    let label = format!(
                        "{}   {}",
                        format::object_label(&heap, o, 60),
                        format::size(heap.retained.get(o))
                    );
                    if ui.link(label).clicked() {
                        cmds.push(Command::Reveal(Tab::Summary, ObjRef::new(r.snap, o)));
                    }
                }
                if r.total > r.found.len() {
                    let more = format::group((r.total - r.found.len()) as u64);
                    ui.label(
                        RichText::new(format!("… and {more} more (largest retained sizes shown)"))
                            .weak(),
                    );
                }
            });
        });
    if !open {
        cmds.push(Command::CloseSearchResults);
    }
}
