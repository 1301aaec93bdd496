//! A tree table over a `TreeModel`: Containment, Dominators and the Retainers panel.

use super::table::{indent, right_label, size_cell, toggle};
use crate::model::format;
use crate::model::tree::{TreeKind, TreeModel};
use crate::model::{Command, ObjRef, SnapId};
use egui::{Align, RichText, Ui};
use egui_extras::Column as Col;

#[derive(Default)]
pub struct TreeView {
    pub selected: Option<usize>,
    pub scroll_to: Option<usize>,
    /// The snapshot's locations, when known: rows show where an object's code is.
    pub code: Option<std::sync::Arc<crate::model::code::SnapCode>>,
}

impl TreeView {
    /// Draws tree `t` of snapshot `snap`; a clicked row becomes a Select command.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        t: &mut TreeModel,
        id: &str,
        snap: SnapId,
        cmds: &mut Vec<Command>,
    ) {
        if let Some(r) = t.focus.take() {
            self.selected = Some(r);
            self.scroll_to = Some(r);
        }
        let mut toggled = None;
        let total = t.heap.total_size;
        // Row labels must not be selectable text: that would take the row's click.
        ui.style_mut().interaction.selectable_labels = false;
        let row_h = super::table::row_height(ui);
        let name_title = name_title(t.kind);
        let w = |usual| super::table::number_width(ui, usual, 3);
        let (dist, shallow, retained) = (w(50.0), w(96.0), w(104.0));
        let mut table = super::table::builder(ui, id)
            .column(Col::remainder().resizable(false).at_least(120.0).clip(true))
            .column(Col::initial(dist).at_least(32.0))
            .column(Col::initial(shallow).at_least(40.0))
            .column(Col::initial(retained).at_least(40.0));
        if let Some(r) = self.scroll_to.take() {
            table = table.scroll_to_row(r, Some(Align::Center));
        }
        table
            .header(row_h + 2.0, |mut h| {
                super::table::titles(
                    &mut h,
                    &[name_title, "Distance", "Shallow Size", "Retained Size"],
                )
            })
            .body(|body| {
                body.rows(row_h, t.rows.len(), |mut row| {
                    let i = row.index();
                    row.set_selected(self.selected == Some(i));
                    let r = t.rows[i].clone();
                    let h = &*t.heap;
                    if let Some((_, hidden)) = r.more {
                        row.col(|ui| {
                            indent(ui, r.depth as usize);
                            toggle(ui, None);
                            if ui
                                .link(format!(
                                    "Show {} more of {}",
                                    hidden.min(crate::model::tree::CHUNK),
                                    format::group(hidden as u64)
                                ))
                                .clicked()
                            {
                                toggled = Some(i);
                            }
                        });
                        for _ in 0..3 {
                            row.col(|_| {});
                        }
                        return;
                    }
                    let expandable = t.is_expandable(i);
                    row.col(|ui| {
                        indent(ui, r.depth as usize);
                        if toggle(ui, expandable.then_some(r.expanded)) {
                            toggled = Some(i);
                        }
                        if let Some(e) = r.edge {
                            let label = format::edge_label(h, e);
                            let text = if format::edge_is_dim(h, e) {
                                RichText::new(label).weak()
                            } else {
                                RichText::new(label).color(ui.visuals().strong_text_color())
                            };
                            ui.label(text);
                            ui.label(
                                RichText::new(if t.kind == TreeKind::Retainers {
                                    "in"
                                } else {
                                    "::"
                                })
                                .weak(),
                            );
                        }
                        ui.label(format::object_label(h, r.node, 120));
                        if let Some(loc) =
                            self.code.as_ref().and_then(|c| c.locs.of(&h.snap, r.node))
                        {
                            ui.label(RichText::new(loc.short()).weak());
                        }
                        if r.cycle {
                            ui.label(RichText::new("(cycle)").weak().italics());
                        }
                        if h.is_detached(r.node) {
                            ui.label(
                                RichText::new("detached")
                                    .small()
                                    .color(ui.visuals().warn_fg_color),
                            );
                        }
                    });
                    row.col(|ui| right_label(ui, format::distance(h.distance[r.node as usize])));
                    row.col(|ui| size_cell(ui, h.shallow[r.node as usize] as u64, total));
                    row.col(|ui| size_cell(ui, h.retained.get(r.node), total));
                    let resp = row.response();
                    if resp.clicked() {
                        self.selected = Some(i);
                        cmds.push(Command::Select(ObjRef::new(snap, r.node)));
                    }
                    if resp.double_clicked() {
                        toggled = Some(i);
                    }
                });
            });
        if let Some(i) = toggled {
            t.toggle(i);
        }
    }

    pub fn key(
        &mut self,
        t: &mut TreeModel,
        key: egui::Key,
        snap: SnapId,
        cmds: &mut Vec<Command>,
    ) {
        let Some(cur) = super::table::move_selection(&mut self.selected, t.rows.len(), key) else {
            return;
        };
        match key {
            egui::Key::ArrowDown | egui::Key::ArrowUp => {}
            egui::Key::ArrowRight | egui::Key::Enter => {
                if t.rows[cur].more.is_some() {
                    t.load_more(cur);
                } else {
                    t.expand(cur);
                }
            }
            egui::Key::ArrowLeft => {
                if t.rows[cur].expanded {
                    t.collapse(cur);
                } else if let Some(p) = t.rows[cur].parent {
                    self.selected = Some(p);
                }
            }
            _ => return,
        }
        self.scroll_to = self.selected;
        if let Some(r) = self.selected.and_then(|i| t.rows.get(i))
            && r.more.is_none()
        {
            cmds.push(Command::Select(ObjRef::new(snap, r.node)));
        }
    }

    pub fn row_text(&self, t: &TreeModel) -> Option<String> {
        let r = t.rows.get(self.selected?)?;
        let h = &*t.heap;
        let edge = r
            .edge
            .map(|e| format!("{} ", format::edge_label(h, e)))
            .unwrap_or_default();
        Some(format!(
            "{edge}{}\t{}\t{}\t{}",
            format::object_label(h, r.node, 1000),
            format::distance(h.distance[r.node as usize]),
            h.shallow[r.node as usize],
            h.retained.get(r.node)
        ))
    }
}

/// The first column's title for each kind of tree.
fn name_title(kind: TreeKind) -> &'static str {
    match kind {
        TreeKind::Containment => "Object",
        TreeKind::Dominators => "Object (dominator tree)",
        TreeKind::Retainers => "Retainer",
    }
}
