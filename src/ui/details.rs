//! Object details for the selection: id, type, full name, sizes, distance, detachedness,
//! and links into the other views.

use super::Tab;
use crate::analysis::Heap;
use crate::analysis::locations::short_script;
use crate::model::code::CodeInfo;
use crate::model::format;
use crate::model::{Command, ObjRef};
use egui::{RichText, Ui};

/// `info`: the selection's code, once its job has looked it up (the class's name as its
/// authors wrote it, where the object is in the code).
pub fn ui(ui: &mut Ui, h: &Heap, obj: ObjRef, info: Option<&CodeInfo>, cmds: &mut Vec<Command>) {
    let o = obj.node;
    let original = info.and_then(|i| i.original_class.as_deref());
    let s = &h.snap;
    ui.heading(format!("@{}", h.id(o)));
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
    egui::Grid::new("details-grid")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            let row = |ui: &mut Ui, k: &str, v: String| {
                ui.label(RichText::new(k).weak());
                ui.label(v);
                ui.end_row();
            };
            let class = h.class_name(o);
            row(
                ui,
                "Class",
                match original {
                    Some(n) if n != class => format!("{n} ({class})"),
                    _ => class.to_string(),
                },
            );
            row(ui, "Type", s.type_name(o).to_string());
            let shallow = h.shallow[o as usize] as u64;
            row(
                ui,
                "Shallow size",
                format!("{} ({} B)", format::size(shallow), format::group(shallow)),
            );
            let retained = h.retained.get(o);
            row(
                ui,
                "Retained size",
                format!(
                    "{} ({} B, {})",
                    format::size(retained),
                    format::group(retained),
                    format::percent(retained, h.total_size)
                ),
            );
            row(ui, "Distance", format::distance(h.distance[o as usize]));
            row(
                ui,
                "Detachedness",
                match h.dom_state[o as usize] {
                    1 => "attached",
                    2 => "detached",
                    _ => "unknown",
                }
                .to_string(),
            );
            if let Some(loc) = info.and_then(|i| i.location.as_ref()) {
                ui.label(RichText::new("Location").weak());
                location(ui, loc);
                ui.end_row();
            }
            let dom = h.idom[o as usize];
            row(
                ui,
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
}

/// `file:line:column`, the original source's where a source map leads there; the full
/// script and the generated position on hover.
fn location(ui: &mut Ui, loc: &crate::sources::Located) {
    let generated = format!("{}:{}:{}", loc.script, loc.line, loc.column);
    let shown = match &loc.original {
        Some(o) => format!("{}:{}:{}", short_script(&o.source), o.line, o.column),
        None => format!("{}:{}:{}", short_script(&loc.script), loc.line, loc.column),
    };
    let hover = match &loc.original {
        Some(o) => format!(
            "{}:{}:{}\ngenerated: {generated}",
            o.source, o.line, o.column
        ),
        None => generated,
    };
    ui.label(RichText::new(shown).monospace())
        .on_hover_text(hover);
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
