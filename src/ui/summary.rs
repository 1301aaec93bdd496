//! The Summary view: classes with count, distance, shallow and retained size; a class
//! expands to its objects (paged, sorted by the same column).

use super::table::{Action, indent, right_label, size_cell, sort_header, toggle};
use crate::analysis::filters::NodeFilter;
use crate::model::format;
use crate::model::summary::{Column, Row, SummaryModel};
use egui::{Align, Layout, RichText, Ui};
use egui_extras::{Column as Col, TableBuilder};

/// The named filters the Summary offers (DevTools' filter menu).
pub const FILTERS: [NodeFilter; 6] = [
    NodeFilter::All,
    NodeFilter::DuplicatedStrings,
    NodeFilter::RetainedByDetachedDom,
    NodeFilter::RetainedByConsole,
    NodeFilter::RetainedByEventHandlers,
    NodeFilter::RetainedByContexts,
];

#[derive(Default)]
pub struct SummaryView {
    pub selected: Option<usize>,
    pub scroll_to: Option<usize>,
}

impl SummaryView {
    /// Draws the table; returns an action for the app.
    pub fn ui(&mut self, ui: &mut Ui, m: &mut SummaryModel) -> Option<Action> {
        let mut action = None;
        let total = m.heap.total_size;
        let sort = m.sort;
        let arrow = |c: Column| (sort.column == c).then_some(sort.descending);
        let mut clicked_header = None;
        let mut toggled = None;
        let mut more = None;
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        let mut table = TableBuilder::new(ui)
            .id_salt("summary-table")
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .cell_layout(Layout::left_to_right(Align::Center))
            .column(Col::remainder().at_least(260.0).clip(true))
            .column(Col::initial(70.0).at_least(50.0))
            .column(Col::initial(80.0).at_least(50.0))
            .column(Col::initial(130.0).at_least(90.0))
            .column(Col::initial(130.0).at_least(90.0));
        if let Some(r) = self.scroll_to.take() {
            table = table.scroll_to_row(r, Some(Align::Center));
        }
        table
            .header(row_h + 2.0, |mut h| {
                for (title, c) in [
                    ("Constructor", Column::Constructor),
                    ("Distance", Column::Distance),
                    ("Count", Column::Count),
                    ("Shallow Size", Column::Shallow),
                    ("Retained Size", Column::Retained),
                ] {
                    h.col(|ui| {
                        if sort_header(ui, title, arrow(c)) {
                            clicked_header = Some(c);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(row_h, m.rows.len(), |mut row| {
                    let i = row.index();
                    row.set_selected(self.selected == Some(i));
                    match m.rows[i] {
                        Row::Class(ci) => {
                            let c = &m.classes[ci];
                            let open = m.is_expanded(ci);
                            row.col(|ui| {
                                if toggle(ui, Some(open)) {
                                    toggled = Some(ci);
                                }
                                ui.label(RichText::new(format::shorten(&c.name, 200)).strong());
                                if c.count > 1 {
                                    ui.label(
                                        RichText::new(format!("×{}", format::group(c.count)))
                                            .weak(),
                                    );
                                }
                            });
                            row.col(|ui| right_label(ui, format::distance(c.distance)));
                            row.col(|ui| right_label(ui, format::group(c.count)));
                            row.col(|ui| size_cell(ui, c.shallow_size, total));
                            row.col(|ui| size_cell(ui, c.retained_size, total));
                        }
                        Row::Object { node, .. } => {
                            let h = &*m.heap;
                            row.col(|ui| {
                                indent(ui, 1);
                                toggle(ui, None);
                                ui.label(format::object_label(h, node, 120));
                                if h.is_detached(node) {
                                    ui.label(
                                        RichText::new("detached")
                                            .small()
                                            .color(ui.visuals().warn_fg_color),
                                    );
                                }
                            });
                            row.col(|ui| {
                                right_label(ui, format::distance(h.distance[node as usize]))
                            });
                            row.col(|_| {});
                            row.col(|ui| size_cell(ui, h.shallow[node as usize] as u64, total));
                            row.col(|ui| size_cell(ui, h.retained[node as usize], total));
                        }
                        Row::More { class, hidden } => {
                            row.col(|ui| {
                                indent(ui, 1);
                                if ui
                                    .link(format!(
                                        "Show {} more of {}",
                                        hidden.min(1000),
                                        format::group(hidden as u64)
                                    ))
                                    .clicked()
                                {
                                    more = Some(class);
                                }
                            });
                            for _ in 0..4 {
                                row.col(|_| {});
                            }
                        }
                        Row::Sorting { .. } => {
                            row.col(|ui| {
                                indent(ui, 1);
                                ui.spinner();
                                ui.label("Sorting objects…");
                            });
                            for _ in 0..4 {
                                row.col(|_| {});
                            }
                        }
                    }
                    let resp = row.response();
                    if resp.clicked() {
                        self.selected = Some(i);
                        if let Row::Object { node, .. } = m.rows[i] {
                            action = Some(Action::Select(node));
                        }
                    }
                    if resp.double_clicked()
                        && let Row::Class(ci) = m.rows[i]
                    {
                        toggled = Some(ci);
                    }
                });
            });
        if let Some(c) = clicked_header {
            m.click_header(c);
        }
        if let Some(ci) = toggled {
            m.toggle(ci);
        }
        if let Some(ci) = more {
            m.show_more(ci);
        }
        action
    }

    /// Keyboard: arrows move, Right/Enter expand, Left collapse. Returns a selection action.
    pub fn key(&mut self, m: &mut SummaryModel, key: egui::Key) -> Option<Action> {
        let cur = super::table::move_selection(&mut self.selected, m.rows.len(), key)?;
        match key {
            egui::Key::ArrowDown | egui::Key::ArrowUp => {}
            egui::Key::ArrowRight | egui::Key::Enter => match m.rows[cur] {
                Row::Class(ci) => m.set_expanded(ci, true),
                Row::More { class, .. } => m.show_more(class),
                _ => {}
            },
            egui::Key::ArrowLeft => {
                let class = match m.rows[cur] {
                    Row::Class(ci) => ci,
                    Row::Object { class, .. }
                    | Row::More { class, .. }
                    | Row::Sorting { class } => class,
                };
                m.set_expanded(class, false);
                self.selected = m.rows.iter().position(|r| *r == Row::Class(class));
            }
            _ => return None,
        }
        self.scroll_to = self.selected;
        match self.selected.and_then(|i| m.rows.get(i)) {
            Some(Row::Object { node, .. }) => Some(Action::Select(*node)),
            _ => None,
        }
    }

    /// The selected row as tab-separated text (Ctrl+C).
    pub fn row_text(&self, m: &SummaryModel) -> Option<String> {
        let h = &*m.heap;
        Some(match m.rows.get(self.selected?)? {
            Row::Class(ci) => {
                let c = &m.classes[*ci];
                format!(
                    "{}\t{}\t{}\t{}\t{}",
                    c.name,
                    format::distance(c.distance),
                    c.count,
                    c.shallow_size,
                    c.retained_size
                )
            }
            Row::Object { node, .. } => format!(
                "{}\t{}\t\t{}\t{}",
                format::object_label(h, *node, 1000),
                format::distance(h.distance[*node as usize]),
                h.shallow[*node as usize],
                h.retained[*node as usize]
            ),
            _ => return None,
        })
    }
}

/// The visible classes as CSV (for export).
pub fn to_csv(m: &SummaryModel) -> String {
    let mut out = String::from("constructor,distance,count,shallow_size,retained_size\n");
    for r in &m.rows {
        if let Row::Class(ci) = r {
            let c = &m.classes[*ci];
            out.push_str(&format!(
                "{},{},{},{},{}\n",
                csv_field(&c.name),
                crate::cli::shown_distance(c.distance).map_or(String::new(), |d| d.to_string()),
                c.count,
                c.shallow_size,
                c.retained_size
            ));
        }
    }
    out
}

pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The visible classes as JSON (for export).
pub fn to_json(m: &SummaryModel) -> String {
    let rows: Vec<&crate::analysis::summary::ClassAggregate> = m
        .rows
        .iter()
        .filter_map(|r| {
            if let Row::Class(ci) = r {
                Some(&m.classes[*ci])
            } else {
                None
            }
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_default()
}
