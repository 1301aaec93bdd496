//! Object details for the selection: id, type, full name, sizes, distance, detachedness,
//! and links into the other views.

use super::Tab;
use crate::analysis::Heap;
use crate::model::format;
use crate::model::{Command, ObjRef};
use egui::{RichText, Ui};

/// `original`: the class's name as its authors wrote it, where a source map says so.
pub fn ui(ui: &mut Ui, h: &Heap, obj: ObjRef, original: Option<&str>, cmds: &mut Vec<Command>) {
    let o = obj.node;
    let s = &h.snap;
    ui.heading(format!("@{}", h.id(o)));
    egui::Grid::new("details-grid")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            let mut row = |k: &str, v: String| {
                ui.label(RichText::new(k).weak());
                ui.label(v);
                ui.end_row();
            };
            let class = h.class_name(o);
            row(
                "Class",
                match original {
                    Some(n) if n != class => format!("{n} ({class})"),
                    _ => class.to_string(),
                },
            );
            row("Type", s.type_name(o).to_string());
            row(
                "Shallow size",
                format!("{} B", format::group(h.shallow[o as usize] as u64)),
            );
            row(
                "Retained size",
                format!(
                    "{} B ({})",
                    format::group(h.retained[o as usize]),
                    format::percent(h.retained[o as usize], h.total_size)
                ),
            );
            row("Distance", format::distance(h.distance[o as usize]));
            row(
                "Detachedness",
                match h.dom_state[o as usize] {
                    1 => "attached",
                    2 => "detached",
                    _ => "unknown",
                }
                .to_string(),
            );
            if let Some(l) = h.location(o) {
                row(
                    "Location",
                    format!(
                        "script {} line {} column {}",
                        l.script_id,
                        l.line + 1,
                        l.column + 1
                    ),
                );
            }
            let dom = h.idom[o as usize];
            row(
                "Dominator",
                format!("{} @{}", format::shorten(h.class_name(dom), 40), h.id(dom)),
            );
        });
    ui.add_space(4.0);
    ui.label(RichText::new("Name").weak());
    let name = h.display_name(o);
    egui::ScrollArea::vertical()
        .id_salt("details-name")
        .max_height(120.0)
        .show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(name).monospace()).wrap());
        });
    allocation_stack(ui, h, o, cmds);
    ui.horizontal_wrapped(|ui| {
        for (label, tab) in [
            ("Show in Summary", Tab::Summary),
            ("Show in Dominators", Tab::Dominators),
            ("Show in Containment", Tab::Containment),
        ] {
            if ui.button(label).clicked() {
                cmds.push(Command::Reveal(tab, obj));
            }
        }
    });
}

/// Where the object was allocated (snapshots taken with allocation tracking): its stack,
/// innermost first; a frame's location opens its code in the editor.
fn allocation_stack(ui: &mut Ui, h: &Heap, o: u32, cmds: &mut Vec<Command>) {
    let Some(stack) = crate::model::allocations::object_stack(h, o) else {
        return;
    };
    ui.add_space(4.0);
    ui.label(RichText::new("Allocation stack").weak());
    match stack {
        Err(why) => {
            ui.label(why);
        }
        Ok(lines) if lines.is_empty() => {
            ui.label("no frames recorded");
        }
        Ok(lines) => {
            egui::Grid::new("alloc-stack-grid")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for l in lines.iter().take(64) {
                        ui.label(&l.function);
                        let text = RichText::new(&l.location).monospace();
                        match &l.code {
                            Some(code) => {
                                let link = ui.link(text).on_hover_text("Open in editor");
                                if link.clicked() {
                                    cmds.push(Command::OpenCode(code.clone()));
                                }
                            }
                            None => {
                                ui.label(text.weak());
                            }
                        }
                        ui.end_row();
                    }
                });
            if lines.len() > 64 {
                ui.label(format!("… {} more frames", lines.len() - 64));
            }
        }
    }
}
