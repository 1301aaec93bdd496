//! The Comparison view: DevTools' columns, objects matched by id within each class.

use super::table::{export, export_buttons, labelled_field};
use super::table::{indent, right_label, sort_header, toggle};
use super::views::View;
use crate::analysis::Heap;
use crate::model::comparison::{ComparisonModel, DiffColumn, DiffRowRef};
use crate::model::format;
use crate::model::{AppState, Command, JobKey, ObjRef, Tab};
use egui::{RichText, Ui};
use egui_extras::Column as Col;

#[derive(Default)]
pub struct ComparisonView {
    pub selected: Option<usize>,
}

impl ComparisonView {
    pub fn draw(
        &mut self,
        ui: &mut Ui,
        m: &mut ComparisonModel,
        base: &Heap,
        target: &Heap,
        cmds: &mut Vec<Command>,
    ) {
        let mut header = None;
        let mut toggled = None;
        let mut more = None;
        // Row labels must not be selectable text: that would take the row's click.
        ui.style_mut().interaction.selectable_labels = false;
        let row_h = super::table::row_height(ui);
        let (sc, sd) = m.sort;
        let w = super::table::number_width(ui, 86.0, 6);
        super::table::builder(ui, "comparison-table")
            .column(Col::remainder().resizable(false).at_least(160.0).clip(true))
            .columns(Col::initial(w).at_least(44.0), 6)
            .header(row_h + 2.0, |mut h| {
                for (t, c) in [
                    ("Constructor", DiffColumn::Constructor),
                    ("# New", DiffColumn::New),
                    ("# Deleted", DiffColumn::Deleted),
                    ("# Delta", DiffColumn::Delta),
                    ("Alloc. Size", DiffColumn::Alloc),
                    ("Freed Size", DiffColumn::Freed),
                    ("Size Delta", DiffColumn::SizeDelta),
                ] {
                    h.col(|ui| {
                        if sort_header(ui, t, (sc == c).then_some(sd)) {
                            header = Some(c);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(row_h, m.rows.len(), |mut row| {
                    let i = row.index();
                    row.set_selected(self.selected == Some(i));
                    row_cells(&mut row, m, i, (base, target), &mut toggled, &mut more);
                    let resp = row.response();
                    if resp.clicked() {
                        self.selected = Some(i);
                        match m.rows[i] {
                            DiffRowRef::New { node, .. } => {
                                cmds.push(Command::Select(ObjRef::new(m.target, node)))
                            }
                            DiffRowRef::Deleted { node, .. } => {
                                cmds.push(Command::Select(ObjRef::new(m.base, node)))
                            }
                            _ => {}
                        }
                    }
                    if resp.double_clicked()
                        && let DiffRowRef::Class(ci) = m.rows[i]
                    {
                        toggled = Some(ci);
                    }
                });
            });
        if let Some(c) = header {
            m.click_header(c);
        }
        if let Some(c) = toggled {
            m.toggle(c);
        }
        if let Some(c) = more {
            m.show_more(c);
        }
    }
}

impl View for ComparisonView {
    fn tab(&self) -> Tab {
        Tab::Comparison
    }

    fn title(&self) -> &'static str {
        "Comparison"
    }

    /// Arrows move, Right/Enter open a class to its new and deleted objects, Left closes it;
    /// an object row selects its object.
    fn key(&mut self, key: egui::Key, state: &mut AppState, cmds: &mut Vec<Command>) {
        let Some(m) = &mut state.series.comparison else {
            return;
        };
        let Some(cur) = super::table::move_selection(&mut self.selected, m.rows.len(), key) else {
            return;
        };
        let class = match m.rows[cur] {
            DiffRowRef::Class(c) => c,
            DiffRowRef::New { class, .. }
            | DiffRowRef::Deleted { class, .. }
            | DiffRowRef::More { class, .. } => class,
        };
        let open = m.is_expanded(class);
        match key {
            egui::Key::ArrowRight | egui::Key::Enter if !open => m.toggle(class),
            egui::Key::ArrowLeft if open => {
                m.toggle(class);
                self.selected = m.rows.iter().position(|r| *r == DiffRowRef::Class(class));
            }
            _ => {}
        }
        match self.selected.and_then(|i| m.rows.get(i)) {
            Some(DiffRowRef::New { node, .. }) => {
                cmds.push(Command::Select(ObjRef::new(m.target, *node)))
            }
            Some(DiffRowRef::Deleted { node, .. }) => {
                cmds.push(Command::Select(ObjRef::new(m.base, *node)))
            }
            _ => {}
        }
    }

    fn ui(&mut self, ui: &mut Ui, state: &mut AppState, cmds: &mut Vec<Command>) {
        if state.snaps.base.is_none() || state.snaps.base == state.snaps.current {
            ui.label("Choose a different base snapshot in the list on the left to compare.");
            return;
        }
        let busy = state.waiting_for(JobKey::Compare);
        let Some(m) = &mut state.series.comparison else {
            super::notices::waiting(ui, busy, "Comparing…");
            return;
        };
        let (Some(b), Some(t)) = (
            state.snaps.iter().find(|s| s.id == m.base),
            state.snaps.iter().find(|s| s.id == m.target),
        ) else {
            return;
        };
        // The target's classes as their authors named them, once its code job is done.
        if let Some(code) = &t.code {
            m.original_names = code.class_names.clone();
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{} compared with {}", t.name(), b.name()));
            let mut text = m.text_filter.clone();
            if labelled_field(ui, "Class filter:", &mut text, 200.0, "").changed() {
                m.set_text_filter(&text);
            }
            if let Some(e) = export_buttons(ui) {
                export(
                    ui,
                    e,
                    |json| if json { to_json(m) } else { to_csv(m) },
                    cmds,
                );
            }
        });
        let (bh, th) = (b.heap().clone(), t.heap().clone());
        self.draw(ui, m, &bh, &th, cmds);
    }
}

pub fn to_csv(m: &ComparisonModel) -> String {
    let mut out = String::from(
        "constructor,new_count,deleted_count,delta_count,alloc_size,freed_size,size_delta\n",
    );
    for r in &m.rows {
        if let DiffRowRef::Class(ci) = r {
            let c = &m.classes[*ci];
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                super::summary::csv_field(&c.name),
                c.new_count,
                c.deleted_count,
                c.delta_count,
                c.alloc_size,
                c.freed_size,
                c.size_delta
            ));
        }
    }
    out
}

/// The visible Comparison rows as JSON (for export).
pub fn to_json(m: &ComparisonModel) -> String {
    let rows: Vec<&crate::analysis::diff::DiffRow> = m
        .rows
        .iter()
        .filter_map(|r| {
            if let DiffRowRef::Class(ci) = r {
                Some(&m.classes[*ci])
            } else {
                None
            }
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_default()
}

/// The cells of row `i`; a clicked toggle or "show more" is noted for after the table.
fn row_cells(
    row: &mut egui_extras::TableRow<'_, '_>,
    m: &ComparisonModel,
    i: usize,
    (base, target): (&Heap, &Heap),
    toggled: &mut Option<usize>,
    more: &mut Option<usize>,
) {
    match m.rows[i] {
        DiffRowRef::Class(ci) => {
            let c = &m.classes[ci];
            row.col(|ui| {
                if toggle(ui, Some(m.is_expanded(ci))) {
                    *toggled = Some(ci);
                }
                let name = match m.original_names.get(&c.key) {
                    Some(o) => format!("{o} ({})", c.name),
                    None => c.name.clone(),
                };
                ui.label(RichText::new(format::shorten(&name, 200)).strong());
            });
            row.col(|ui| right_label(ui, format::group(c.new_count)));
            row.col(|ui| right_label(ui, format::group(c.deleted_count)));
            row.col(|ui| right_label(ui, format::signed(c.delta_count)));
            row.col(|ui| super::table::size_label(ui, c.alloc_size));
            row.col(|ui| super::table::size_label(ui, c.freed_size));
            row.col(|ui| super::table::signed_size_label(ui, c.size_delta));
        }
        DiffRowRef::New { node, .. } => {
            row.col(|ui| {
                indent(ui, 1);
                ui.label(format::object_label(target, node, 120));
            });
            row.col(|ui| right_label(ui, "•"));
            row.col(|_| {});
            row.col(|_| {});
            row.col(|ui| super::table::size_label(ui, target.shallow[node as usize] as u64));
            row.col(|_| {});
            row.col(|_| {});
        }
        DiffRowRef::Deleted { node, .. } => {
            row.col(|ui| {
                indent(ui, 1);
                ui.label(RichText::new(format::object_label(base, node, 120)).weak());
            });
            row.col(|_| {});
            row.col(|ui| right_label(ui, "•"));
            row.col(|_| {});
            row.col(|_| {});
            row.col(|ui| super::table::size_label(ui, base.shallow[node as usize] as u64));
            row.col(|_| {});
        }
        DiffRowRef::More { class, hidden } => {
            row.col(|ui| {
                indent(ui, 1);
                if ui
                    .link(format!(
                        "Show more ({} not shown)",
                        format::group(hidden as u64)
                    ))
                    .clicked()
                {
                    *more = Some(class);
                }
            });
            for _ in 0..6 {
                row.col(|_| {});
            }
        }
    }
}
