//! The Allocations view's top-down tree: from the entry points down to the functions that
//! allocated, each row with its subtree's count, size, live count and live size.

use super::table::{indent, right_label, toggle};
use crate::model::allocation_tree::AllocationTree;
use crate::model::allocations::AllocationModel;
use crate::model::format;
use egui::Ui;

pub fn table(ui: &mut Ui, tree: &mut AllocationTree, names: &AllocationModel, height: f32) {
    let row_h = super::table::row_height(ui);
    let mut toggled = None;
    super::table::function_columns(ui, "allocation-tree", height, 360.0)
        .header(row_h + 2.0, |mut h| {
            super::table::titles(
                &mut h,
                &[
                    "Function (top-down)",
                    "Count",
                    "Size",
                    "Live Count",
                    "Live Size",
                    "Script:line:column",
                ],
            )
        })
        .body(|body| {
            body.rows(row_h, tree.rows.len(), |mut row| {
                let i = row.index();
                let r = tree.rows[i];
                let f = tree.function(r.trace_node);
                let t = tree.totals[r.trace_node as usize];
                row.col(|ui| {
                    indent(ui, r.depth);
                    if toggle(ui, r.has_children.then_some(r.expanded)) {
                        toggled = Some(i);
                    }
                    ui.label(names.name(f));
                });
                row.col(|ui| right_label(ui, format::group(t.count)));
                row.col(|ui| super::table::size_label(ui, t.size));
                row.col(|ui| right_label(ui, format::group(t.live_count)));
                row.col(|ui| super::table::size_label(ui, t.live_size));
                row.col(|ui| {
                    ui.label(names.location(f));
                });
                if row.response().double_clicked() {
                    toggled = Some(i);
                }
            });
        });
    if let Some(i) = toggled {
        tree.toggle(i);
    }
}
