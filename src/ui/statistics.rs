//! The Statistics view: memory by category as a bar chart with totals.

use super::views::View;
use crate::analysis::filters::NodeFilter;
use crate::analysis::native_contexts::NativeContexts;
use crate::analysis::statistics::Statistics;
use crate::model::format;
use crate::model::summary::{native_context_filters, native_context_statistics};
use crate::model::{AppState, Command, Tab};
use egui::{Color32, Ui};
use egui_plot::{Bar, BarChart, Plot};

pub fn categories(st: &Statistics) -> [(&'static str, u64, Color32); 7] {
    [
        ("Code", st.code, Color32::from_rgb(0xf4, 0xa2, 0x61)),
        ("Strings", st.strings, Color32::from_rgb(0x4f, 0x8e, 0xf7)),
        (
            "JS arrays",
            st.js_arrays,
            Color32::from_rgb(0x2a, 0x9d, 0x8f),
        ),
        (
            "Typed arrays",
            st.typed_arrays,
            Color32::from_rgb(0xe7, 0x6f, 0x51),
        ),
        (
            "System objects",
            st.system,
            Color32::from_rgb(0x8d, 0x99, 0xae),
        ),
        (
            "Other JS objects",
            st.other_js(),
            Color32::from_rgb(0xe9, 0xc4, 0x6a),
        ),
        (
            "Other non-JS objects",
            st.other_native(),
            Color32::from_rgb(0xb5, 0x83, 0x8d),
        ),
    ]
}

pub struct StatisticsView;

impl View for StatisticsView {
    fn tab(&self) -> Tab {
        Tab::Statistics
    }

    fn title(&self) -> &'static str {
        "Statistics"
    }

    fn ui(&mut self, ui: &mut Ui, state: &mut AppState, _cmds: &mut Vec<Command>) {
        let Some(s) = state.snaps.current_snap_mut() else {
            return;
        };
        let contexts = s.native_contexts.clone();
        let picked = contexts
            .as_deref()
            .and_then(|all| native_context_statistics(all, s.statistics_of));
        let st = picked.unwrap_or(&s.loaded.heap.statistics);
        ui.horizontal(|ui| {
            ui.label("Objects of:");
            context_picker(ui, contexts.as_deref(), &mut s.statistics_of);
        });
        draw(ui, st);
    }
}

/// Whose Statistics to show: the whole heap, one native context, the objects shared
/// between contexts or those attributed to none (None: still being computed).
fn context_picker(ui: &mut Ui, all: Option<&NativeContexts>, of: &mut NodeFilter) {
    let Some(all) = all else {
        ui.add_enabled(false, egui::Label::new("the whole heap"));
        ui.spinner();
        return;
    };
    let entries = native_context_filters(all);
    let selected = match entries.iter().find(|(f, _)| f == of) {
        Some((_, label)) => label.clone(),
        None => WHOLE_HEAP.to_string(),
    };
    egui::ComboBox::from_id_salt("statistics-context")
        .selected_text(selected)
        .width(320.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(of, NodeFilter::All, WHOLE_HEAP);
            for (f, label) in entries {
                ui.selectable_value(of, f, label);
            }
        });
}

const WHOLE_HEAP: &str = "the whole heap";

fn draw(ui: &mut Ui, st: &Statistics) {
    ui.heading(format!("Total: {}", format::size(st.total)));
    egui::Grid::new("stats-grid")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for (name, v, color) in categories(st) {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, color);
                ui.label(name);
                ui.label(format!(
                    "{}  ({})",
                    format::size(v),
                    format::percent(v, st.total)
                ));
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    Plot::new("stats-plot")
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .show_axes([false, true])
        .y_axis_formatter(|m, _| format::size(m.value.max(0.0) as u64))
        .show(ui, |plot| {
            for (i, (name, v, color)) in categories(st).into_iter().enumerate() {
                let bar = Bar::new(i as f64, v as f64).width(0.7).name(name);
                plot.bar_chart(BarChart::new(name, vec![bar]).color(color));
            }
        });
}
