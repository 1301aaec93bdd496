//! The Summary view: classes with count, distance, shallow and retained size; a class
//! expands to its objects (paged, sorted by the same column).

use super::table::{
    export, export_buttons, indent, labelled_field, right_label, size_cell, sort_header, toggle,
};
use super::views::View;
use crate::analysis::filters::NodeFilter;
use crate::model::format;
use crate::model::summary::{Column, Row, SummaryModel, native_context_filters};
use crate::model::{AppState, Command, ObjRef, SnapId, Tab};
use egui::{Align, RichText, Ui};
use egui_extras::Column as Col;

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
    /// Draws the table of snapshot `snap`; a clicked object becomes a Select command.
    pub fn draw(
        &mut self,
        ui: &mut Ui,
        m: &mut SummaryModel,
        snap: SnapId,
        cmds: &mut Vec<Command>,
    ) {
        if let Some(r) = m.focus.take() {
            self.selected = Some(r);
            self.scroll_to = Some(r);
        }
        let total = m.heap.total_size;
        let sort = m.sort;
        let arrow = |c: Column| (sort.column == c).then_some(sort.descending);
        let mut clicked_header = None;
        let mut toggled = None;
        let mut more = None;
        // Row labels must not be selectable text: that would take the row's click.
        ui.style_mut().interaction.selectable_labels = false;
        let row_h = super::table::row_height(ui);
        let w = |usual| super::table::number_width(ui, usual, 4);
        let (w70, w80, w130) = (w(70.0), w(80.0), w(130.0));
        let mut table = super::table::builder(ui, "summary-table")
            .column(Col::remainder().resizable(false).at_least(160.0).clip(true))
            .column(Col::initial(w70).at_least(40.0))
            .column(Col::initial(w80).at_least(40.0))
            .column(Col::initial(w130).at_least(60.0))
            .column(Col::initial(w130).at_least(60.0));
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
                    row_cells(&mut row, m, i, total, &mut toggled, &mut more);
                    let resp = row.response();
                    if resp.clicked() {
                        self.selected = Some(i);
                        if let Row::Object { node, .. } = m.rows[i] {
                            cmds.push(Command::Select(ObjRef::new(snap, node)));
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
    }

    /// Keyboard: arrows move, Right/Enter expand, Left collapse; a row with an object selects it.
    pub fn key_press(
        &mut self,
        m: &mut SummaryModel,
        key: egui::Key,
        snap: SnapId,
        cmds: &mut Vec<Command>,
    ) {
        let Some(cur) = super::table::move_selection(&mut self.selected, m.rows.len(), key) else {
            return;
        };
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
            _ => return,
        }
        self.scroll_to = self.selected;
        if let Some(Row::Object { node, .. }) = self.selected.and_then(|i| m.rows.get(i)) {
            cmds.push(Command::Select(ObjRef::new(snap, *node)));
        }
    }

    /// The selected row as tab-separated text (Ctrl+C).
    pub fn selected_text(&self, m: &SummaryModel) -> Option<String> {
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
                h.retained.get(*node)
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
                format::shown_distance(c.distance).map_or(String::new(), |d| d.to_string()),
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

impl View for SummaryView {
    fn tab(&self) -> Tab {
        Tab::Summary
    }

    fn title(&self) -> &'static str {
        "Summary"
    }

    fn ui(&mut self, ui: &mut Ui, state: &mut AppState, cmds: &mut Vec<Command>) {
        let filters = state.snaps.allocation_filters();
        let Some(s) = state.snaps.current_snap_mut() else {
            return;
        };
        let snap = s.id;
        let contexts = s.native_contexts.as_deref().map(native_context_filters);
        ui.horizontal_wrapped(|ui| {
            let mut text = s.summary.text_filter.clone();
            if labelled_field(ui, "Class filter:", &mut text, 200.0, "").changed() {
                s.summary.set_text_filter(&text);
            }
            filter_menu(
                ui,
                s.summary.filter,
                s.filter_work.running().copied(),
                &filters,
                contexts.as_deref(),
                snap,
                cmds,
            );
            if let Some(e) = export_buttons(ui) {
                export(
                    ui,
                    e,
                    |json| {
                        if json {
                            to_json(&s.summary)
                        } else {
                            to_csv(&s.summary)
                        }
                    },
                    cmds,
                );
            }
        });
        self.draw(ui, &mut s.summary, snap, cmds);
    }

    fn key(&mut self, key: egui::Key, state: &mut AppState, cmds: &mut Vec<Command>) {
        if let Some(s) = state.snaps.current_snap_mut() {
            let snap = s.id;
            self.key_press(&mut s.summary, key, snap, cmds);
        }
    }

    fn row_text(&self, state: &AppState) -> Option<String> {
        self.selected_text(&state.snaps.current_snap()?.summary)
    }
}

/// DevTools' filter menu plus "allocated before/between snapshots" for a series, then the
/// native contexts (None while they are being computed).
fn filter_menu(
    ui: &mut Ui,
    current: NodeFilter,
    pending: Option<NodeFilter>,
    allocation: &[(NodeFilter, String)],
    contexts: Option<&[(NodeFilter, String)]>,
    snap: SnapId,
    cmds: &mut Vec<Command>,
) {
    let mut filter = pending.unwrap_or(current);
    let mut labelled = allocation.iter().chain(contexts.unwrap_or_default());
    let selected = match labelled.find(|(f, _)| *f == filter) {
        Some((_, label)) => label.clone(),
        None => filter.label(),
    };
    egui::ComboBox::from_id_salt("summary-filter")
        .selected_text(selected)
        .width(280.0)
        .show_ui(ui, |ui| {
            for f in FILTERS {
                ui.selectable_value(&mut filter, f, f.label());
            }
            for (f, label) in allocation {
                ui.selectable_value(&mut filter, *f, label);
            }
            ui.separator();
            match contexts {
                Some(contexts) => {
                    for (f, label) in contexts {
                        ui.selectable_value(&mut filter, *f, label);
                    }
                }
                None => {
                    // Computed when the menu is first opened.
                    cmds.push(Command::NativeContexts(snap));
                    ui.weak("Native contexts: computing…");
                }
            }
        });
    if pending.is_some() {
        ui.spinner();
    }
    if filter != pending.unwrap_or(current) {
        cmds.push(Command::SetFilter(snap, filter));
    }
}

/// The cells of row `i`; a clicked toggle or "show more" is noted for after the table.
fn row_cells(
    row: &mut egui_extras::TableRow<'_, '_>,
    m: &SummaryModel,
    i: usize,
    total: u64,
    toggled: &mut Option<usize>,
    more: &mut Option<usize>,
) {
    match m.rows[i] {
        Row::Class(ci) => {
            let c = &m.classes[ci];
            let open = m.is_expanded(ci);
            row.col(|ui| {
                if toggle(ui, Some(open)) {
                    *toggled = Some(ci);
                }
                let name = match m.original_names.get(&c.key) {
                    Some(o) => format!("{o} ({})", c.name),
                    None => c.name.clone(),
                };
                ui.label(RichText::new(format::shorten(&name, 200)).strong());
                if c.count > 1 {
                    ui.label(RichText::new(format!("×{}", format::group(c.count))).weak());
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
            row.col(|ui| right_label(ui, format::distance(h.distance[node as usize])));
            row.col(|_| {});
            row.col(|ui| size_cell(ui, h.shallow[node as usize] as u64, total));
            row.col(|ui| size_cell(ui, h.retained.get(node), total));
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
                    *more = Some(class);
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
}
