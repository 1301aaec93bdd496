//! The Allocations view (snapshots taken with allocation tracking): DevTools' Allocation
//! view, bottom-up. One row per function with what it allocated and what of that is alive;
//! a row expands to its callers; a selected row lists its live objects below, and a
//! selected object shows its retainers and its allocation stack.

use super::table::{indent, right_label, sort_header, toggle};
use super::views::View;
use crate::model::allocations::{AllocColumn, AllocationModel};
use crate::model::format;
use crate::model::{AppState, Command, JobKey, ObjRef, Tab};
use egui::{Align, RichText, Ui};
use egui_extras::Column as Col;

#[derive(Default)]
pub struct AllocationsView {
    selected_object: Option<usize>,
    /// A row the keyboard moved to, scrolled into view on the next frame.
    scroll_to: Option<usize>,
    /// Top-down (callers to callees) instead of bottom-up.
    top_down: bool,
    /// The top-down tree of the snapshot it was made for.
    tree: Option<(
        crate::model::SnapId,
        crate::model::allocation_tree::AllocationTree,
    )>,
}

impl View for AllocationsView {
    fn tab(&self) -> Tab {
        Tab::Allocations
    }

    fn title(&self) -> &'static str {
        "Allocations"
    }

    /// Up/Down move the selected function (listing its objects), Right/Enter expand it to
    /// its callers, Left collapses it.
    fn key(&mut self, key: egui::Key, state: &mut AppState, cmds: &mut Vec<Command>) {
        let Some(m) = state
            .snaps
            .current_snap_mut()
            .and_then(|s| s.allocations.as_mut())
        else {
            return;
        };
        let cur = m.objects.as_ref().and_then(|o| m.row_of(&o.chain));
        let mut sel = cur;
        let Some(c) = super::table::move_selection(&mut sel, m.rows.len(), key) else {
            return;
        };
        match key {
            egui::Key::ArrowRight | egui::Key::Enter if !m.is_expanded(c) => m.toggle(c),
            egui::Key::ArrowLeft if m.is_expanded(c) => m.toggle(c),
            _ => {}
        }
        let sel = sel.or(Some(c));
        self.scroll_to = sel;
        if let Some(s) = sel.filter(|&s| Some(s) != cur)
            && let Some(r) = m.rows.get(s)
        {
            cmds.push(Command::AllocationObjects(m.snap, r.chain.clone()));
        }
    }

    /// The selected function as text (Ctrl+C).
    fn row_text(&self, state: &AppState) -> Option<String> {
        let m = state.snaps.current_snap()?.allocations.as_ref()?;
        let r = &m.rows[m.row_of(&m.objects.as_ref()?.chain)?];
        let t = r.data.totals;
        Some(format!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            m.name(r.function()),
            t.count,
            t.size,
            t.live_count,
            t.live_size,
            m.location(r.function())
        ))
    }

    fn ui(&mut self, ui: &mut Ui, state: &mut AppState, cmds: &mut Vec<Command>) {
        let selection = state.selection.obj;
        let busy = state
            .snaps
            .current
            .is_some_and(|s| state.waiting_for(JobKey::Allocations(s)));
        let Some(m) = state
            .snaps
            .current_snap_mut()
            .and_then(|s| s.allocations.as_mut())
        else {
            super::notices::waiting(ui, busy, "Adding up allocations by function…");
            return;
        };
        ui.label(
            RichText::new(
                "Functions that allocated while tracking was on, bottom-up: expand a row for its \
                 callers; select one to list the live objects it allocated.",
            )
            .weak(),
        );
        // Clicks on the cells' text select the row (selectable text would take them).
        ui.style_mut().interaction.selectable_labels = false;
        ui.horizontal_wrapped(|ui| {
            ui.selectable_value(&mut self.top_down, false, "Bottom-up");
            ui.selectable_value(&mut self.top_down, true, "Top-down");
        });
        let top = (ui.available_height() * 0.58).max(120.0);
        if self.top_down {
            if self.tree.as_ref().is_none_or(|(s, _)| *s != m.snap) {
                let tree =
                    crate::model::allocation_tree::AllocationTree::new(m.heap.clone(), &m.profile);
                self.tree = tree.map(|t| (m.snap, t));
            }
            if let Some((_, tree)) = &mut self.tree {
                ui.allocate_ui(egui::vec2(ui.available_width(), top + 30.0), |ui| {
                    super::allocation_tree::table(ui, tree, m, top)
                });
            }
            return;
        }
        // Bounded, so the table's column lines stop at its bottom.
        ui.allocate_ui(egui::vec2(ui.available_width(), top + 30.0), |ui| {
            functions_table(ui, m, top, self.scroll_to.take(), cmds)
        });
        ui.separator();
        self.objects(ui, m, selection, cmds);
    }
}

/// The functions (and expanded callers) with DevTools' columns.
fn functions_table(
    ui: &mut Ui,
    m: &mut AllocationModel,
    height: f32,
    scroll_to: Option<usize>,
    cmds: &mut Vec<Command>,
) {
    let row_h = super::table::row_height(ui);
    let (sc, sd) = m.sort;
    let mut header = None;
    let mut toggled = None;
    let selected = m.objects.as_ref().map(|o| o.chain.clone());
    let mut table = super::table::function_columns(ui, "allocations-table", height, 300.0);
    if let Some(r) = scroll_to {
        table = table.scroll_to_row(r, Some(Align::Center));
    }
    table
        .header(row_h + 2.0, |mut h| {
            for (t, c) in [
                ("Function", Some(AllocColumn::Function)),
                ("Count", Some(AllocColumn::Count)),
                ("Size", Some(AllocColumn::Size)),
                ("Live Count", Some(AllocColumn::LiveCount)),
                ("Live Size", Some(AllocColumn::LiveSize)),
                ("Script:line:column", None),
            ] {
                h.col(|ui| match c {
                    Some(c) => {
                        if sort_header(ui, t, (sc == c).then_some(sd)) {
                            header = Some(c);
                        }
                    }
                    None => {
                        ui.strong(t);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(row_h, m.rows.len(), |mut row| {
                let i = row.index();
                let r = &m.rows[i];
                row.set_selected(selected.as_ref() == Some(&r.chain));
                let t = r.data.totals;
                row.col(|ui| {
                    indent(ui, r.depth());
                    let open = r.data.has_callers.then(|| m.is_expanded(i));
                    if toggle(ui, open) {
                        toggled = Some(i);
                    }
                    let name = m.name(r.function());
                    if r.depth() == 0 {
                        ui.label(RichText::new(name).strong());
                    } else {
                        ui.label(name);
                    }
                });
                row.col(|ui| right_label(ui, format::group(t.count)));
                row.col(|ui| super::table::size_label(ui, t.size));
                row.col(|ui| right_label(ui, format::group(t.live_count)));
                row.col(|ui| super::table::size_label(ui, t.live_size));
                row.col(|ui| {
                    ui.label(RichText::new(m.location(r.function())).weak());
                });
                let resp = row.response();
                if resp.clicked() {
                    cmds.push(Command::AllocationObjects(m.snap, r.chain.clone()));
                }
                if resp.double_clicked() {
                    toggled = Some(i);
                }
            });
        });
    if let Some(c) = header {
        m.click_header(c);
    }
    if let Some(i) = toggled {
        m.toggle(i);
    }
}

impl AllocationsView {
    /// The live objects of the selected row; clicking one selects it.
    fn objects(
        &mut self,
        ui: &mut Ui,
        m: &AllocationModel,
        selection: Option<ObjRef>,
        cmds: &mut Vec<Command>,
    ) {
        let Some(o) = &m.objects else {
            ui.label("Select a function to list the live objects it allocated.");
            return;
        };
        let chain_names: Vec<&str> = o.chain.iter().map(|&f| m.name(f)).collect();
        let Some(objects) = &o.objects else {
            ui.horizontal_wrapped(|ui| {
                ui.spinner();
                ui.label(format!(
                    "Finding the live objects of {}…",
                    chain_names.join(" < ")
                ));
            });
            return;
        };
        ui.strong(format!(
            "Live objects allocated by {}: {}",
            chain_names.join(" < "),
            format::group(objects.len() as u64)
        ));
        let heap = &m.heap;
        let row_h = super::table::row_height(ui);
        let w = super::table::number_width(ui, 110.0, 3);
        super::table::builder(ui, "alloc-objects-table")
            .column(Col::remainder().resizable(false).at_least(160.0).clip(true))
            .columns(Col::initial(w).at_least(50.0), 3)
            .header(row_h + 2.0, |mut h| {
                super::table::titles(
                    &mut h,
                    &["Object", "Distance", "Shallow Size", "Retained Size"],
                )
            })
            .body(|body| {
                body.rows(row_h, objects.len(), |mut row| {
                    let i = row.index();
                    let node = objects[i];
                    let obj = ObjRef::new(m.snap, node);
                    row.set_selected(selection == Some(obj) && self.selected_object == Some(i));
                    row.col(|ui| {
                        ui.label(format::object_label(heap, node, 120));
                    });
                    row.col(|ui| right_label(ui, format::distance(heap.distance[node as usize])));
                    row.col(|ui| super::table::size_label(ui, heap.shallow[node as usize] as u64));
                    row.col(|ui| super::table::size_label(ui, heap.retained.get(node)));
                    if row.response().clicked() {
                        self.selected_object = Some(i);
                        cmds.push(Command::Select(obj));
                    }
                });
            });
    }
}
