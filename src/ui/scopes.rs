//! The Scopes view: every closure scope with its owner (function, script, line), its retained
//! size and, expanded, its variables; selecting a variable shows why its value is alive.

use super::table::{indent, right_label, size_cell, toggle};
use super::views::View;
use crate::analysis::scopes::Scope;
use crate::model::format;
use crate::model::{AppState, Command, JobKey, ObjRef, Tab};
use egui::{RichText, Ui};
use egui_extras::Column as Col;
use std::collections::HashSet;
use std::sync::Arc;

/// A visible row: a scope, or one of its variables.
#[derive(Clone, Copy, PartialEq)]
enum Row {
    Scope(usize),
    Variable(usize, usize),
}

#[derive(Default)]
pub struct ScopesView {
    /// The scopes the rows were built for (rebuilt when they change, not every frame).
    shown: Option<Arc<Vec<Scope>>>,
    expanded: HashSet<usize>,
    rows: Vec<Row>,
    selected: Option<usize>,
}

impl ScopesView {
    fn rebuild(&mut self, scopes: &[Scope]) {
        self.rows.clear();
        for (i, s) in scopes.iter().enumerate() {
            self.rows.push(Row::Scope(i));
            if self.expanded.contains(&i) {
                self.rows
                    .extend((0..s.variables.len()).map(|v| Row::Variable(i, v)));
            }
        }
    }

    fn toggle(&mut self, i: usize, scopes: &[Scope]) {
        if !self.expanded.remove(&i) {
            self.expanded.insert(i);
        }
        self.rebuild(scopes);
    }
}

impl View for ScopesView {
    fn tab(&self) -> Tab {
        Tab::Scopes
    }

    fn title(&self) -> &'static str {
        "Scopes"
    }

    fn ui(&mut self, ui: &mut Ui, state: &mut AppState, cmds: &mut Vec<Command>) {
        let Some(s) = state.snaps.current_snap() else {
            return;
        };
        let Some(scopes) = s.scopes.clone() else {
            let busy = state.waiting_for(JobKey::Scopes(s.id));
            let doing = "Finding every closure scope and its owner…";
            super::notices::waiting(ui, busy, doing);
            return;
        };
        if !self.shown.as_ref().is_some_and(|p| Arc::ptr_eq(p, &scopes)) {
            self.expanded.clear();
            self.selected = None;
            self.rebuild(&scopes);
            self.shown = Some(scopes.clone());
        }
        ui.label(
            RichText::new(format!(
                "{} scopes, biggest retained size first; click one for its variables, click a variable to see why its value is alive",
                format::group(scopes.len() as u64)
            ))
            .weak(),
        );
        let (snap, total) = (s.id, s.heap().total_size);
        let mut toggled = None;
        let expanded = self.expanded.clone();
        table(
            ui,
            (&self.rows, &scopes, &expanded),
            self.selected,
            total,
            |i, row, clicked_toggle| {
                if clicked_toggle {
                    toggled = Some(i);
                    return;
                }
                self.selected = Some(i);
                if let Row::Variable(si, vi) = row {
                    cmds.push(Command::Select(ObjRef::new(
                        snap,
                        scopes[si].variables[vi].node,
                    )));
                } else if let Row::Scope(si) = row {
                    // A scope row opens to its variables and selects the scope itself.
                    toggled = Some(i);
                    cmds.push(Command::Select(ObjRef::new(snap, scopes[si].node)));
                }
            },
        );
        if let Some(Row::Scope(si)) = toggled.map(|i| self.rows[i]) {
            self.toggle(si, &scopes);
        }
    }
}

/// The table; `on_click(row index, row, toggle clicked)`.
fn table(
    ui: &mut Ui,
    (rows, scopes, expanded): (&[Row], &[Scope], &HashSet<usize>),
    selected: Option<usize>,
    total: u64,
    mut on_click: impl FnMut(usize, Row, bool),
) {
    let row_h = super::table::row_height(ui);
    super::table::builder(ui, "scopes-table")
        .column(Col::remainder().resizable(false).at_least(320.0).clip(true))
        .column(Col::initial(180.0).at_least(80.0).clip(true))
        .column(Col::initial(130.0).at_least(90.0))
        .header(row_h + 2.0, |mut h| {
            super::table::titles(&mut h, &["Scope / variable", "Holds", "Retained Size"])
        })
        .body(|body| {
            body.rows(row_h, rows.len(), |mut row| {
                let i = row.index();
                row.set_selected(selected == Some(i));
                let mut toggle_clicked = false;
                match rows[i] {
                    Row::Scope(si) => {
                        let s = &scopes[si];
                        row.col(|ui| {
                            toggle_clicked = toggle(
                                ui,
                                (!s.variables.is_empty()).then_some(expanded.contains(&si)),
                            );
                            // Not selectable: a selectable label would take the row's click.
                            ui.add(
                                egui::Label::new(RichText::new(&s.label).strong())
                                    .selectable(false),
                            );
                        });
                        row.col(|ui| right_label(ui, format!("{} variables", s.variables.len())));
                        row.col(|ui| size_cell(ui, s.retained_size, total));
                    }
                    Row::Variable(si, vi) => {
                        let v = &scopes[si].variables[vi];
                        row.col(|ui| {
                            indent(ui, 1);
                            ui.add(
                                egui::Label::new(format!("variable {}", v.name)).selectable(false),
                            );
                        });
                        row.col(|ui| {
                            ui.label(format!("{} @{}", format::shorten(&v.class, 40), v.id));
                        });
                        row.col(|ui| size_cell(ui, v.retained_size, total));
                    }
                }
                let resp = row.response();
                if toggle_clicked {
                    on_click(i, rows[i], true);
                } else if resp.clicked() {
                    on_click(i, rows[i], false);
                }
            });
        });
}
