//! The Growth view: totals and categories per snapshot, the top classes by growth (click one
//! to compare first and last snapshots on that class), growing collections, and the leak
//! report with a representative object per group.

use super::views::View;
use crate::model::format;
use crate::model::growth::{GrowthData, GrowthModel};
use crate::model::{AppState, Command, ObjRef, SnapId, Tab};
use egui::{RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints};

/// Hover label: the series name, the snapshot number and the exact value.
fn hover_text(h: &egui_plot::HoverPosition<'_>, fmt: impl Fn(f64) -> String) -> Option<String> {
    match h {
        egui_plot::HoverPosition::NearDataPoint {
            plot_name,
            position,
            ..
        } => Some(format!(
            "{plot_name}\nsnapshot {:.0}: {}",
            position.x,
            fmt(position.y)
        )),
        egui_plot::HoverPosition::Elsewhere { .. } => None,
    }
}

fn points(v: &[u64]) -> PlotPoints<'static> {
    PlotPoints::from(
        v.iter()
            .enumerate()
            .map(|(i, &y)| [i as f64 + 1.0, y as f64])
            .collect::<Vec<_>>(),
    )
}

pub struct GrowthView;

impl View for GrowthView {
    fn tab(&self) -> Tab {
        Tab::Growth
    }

    fn title(&self) -> &'static str {
        "Growth & leaks"
    }

    fn ui(&mut self, ui: &mut Ui, state: &mut AppState, cmds: &mut Vec<Command>) {
        let busy = state.waiting_for(crate::model::JobKey::Growth);
        match &mut state.series.growth {
            Some((key, m)) => {
                if let Some(&last) = key.last() {
                    draw(ui, m, last, cmds);
                }
            }
            None => super::notices::waiting(
                ui,
                busy,
                "Computing the growth of every class and the leak report…",
            ),
        }
    }
}

/// Draws the view; `last` is the series' last snapshot, where the leak report's objects live.
fn draw(ui: &mut Ui, m: &mut GrowthModel, last: SnapId, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let names = &m.data.names;
        ui.label(format!(
            "{} snapshots: {}",
            names.len(),
            names.join("  >  ")
        ));
    });
    let half = (ui.available_height() * 0.42).max(160.0);
    ui.columns(2, |cols| {
        totals_chart(&mut cols[0], &m.data, half);
        classes_chart(&mut cols[1], m, half, cmds);
    });
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("leak-report")
        .show(ui, |ui| {
            leak_report(ui, &m.data, last, cmds);
            growing_collections(ui, &m.data, last, cmds);
        });
}

/// Total and each Statistics category per snapshot.
fn totals_chart(ui: &mut Ui, d: &GrowthData, half: f32) {
    ui.strong("Memory per snapshot");
    Plot::new("growth-totals")
        .legend(Legend::default())
        .height(half)
        .allow_scroll(false)
        .y_axis_formatter(|m, _| format::kb(m.value.max(0.0) as u64))
        .label_formatter(|h| hover_text(h, |y| format::kb(y.max(0.0) as u64)))
        .show(ui, |plot| {
            plot.line(Line::new("Total", points(&d.totals)).width(2.5));
            let cats = crate::ui::statistics::categories;
            for k in 0..7 {
                let name = cats(&d.statistics[0])[k].0;
                let color = cats(&d.statistics[0])[k].2;
                let v: Vec<u64> = d.statistics.iter().map(|s| cats(s)[k].1).collect();
                plot.line(Line::new(name, points(&v)).color(color));
            }
        });
}

/// The top classes by growth; clicking a line or a button compares first and last on it.
fn classes_chart(ui: &mut Ui, m: &mut GrowthModel, half: f32, cmds: &mut Vec<Command>) {
    let GrowthModel {
        data: d,
        by_size,
        top,
        only_growing,
    } = m;
    ui.horizontal(|ui| {
        ui.strong("Top classes by growth");
        ui.selectable_value(by_size, false, "count");
        ui.selectable_value(by_size, true, "size");
        ui.add(egui::DragValue::new(top).range(1..=50))
            .on_hover_text("How many classes");
        ui.checkbox(only_growing, "Only classes that grow in every snapshot");
    });
    let by_size = *by_size;
    let top: Vec<(String, Vec<u64>)> =
        crate::model::growth::top_classes(d, by_size, *top, *only_growing)
            .into_iter()
            .map(|c| {
                (
                    c.name.clone(),
                    if by_size {
                        c.shallow_sizes.clone()
                    } else {
                        c.counts.clone()
                    },
                )
            })
            .collect();
    let resp = Plot::new("growth-classes")
        .legend(Legend::default())
        .height(half)
        .allow_scroll(false)
        .y_axis_formatter(move |v, _| {
            if by_size {
                format::kb(v.value.max(0.0) as u64)
            } else {
                format::group(v.value.max(0.0) as u64)
            }
        })
        .label_formatter(move |h| {
            hover_text(h, |y| {
                if by_size {
                    format::kb(y.max(0.0) as u64)
                } else {
                    format::group(y.max(0.0) as u64)
                }
            })
        })
        .show(ui, |plot| {
            for (i, (name, v)) in top.iter().enumerate() {
                plot.line(
                    Line::new(name.clone(), points(v))
                        .id(("class-line", i))
                        .width(1.8),
                );
            }
        });
    if resp.response.clicked()
        && let Some(hit) = resp.hovered_plot_item
        && let Some((name, _)) = top
            .iter()
            .enumerate()
            .find(|(i, _)| egui_plot::ItemId::new(("class-line", *i)) == hit)
            .map(|(_, t)| t)
    {
        cmds.push(Command::CompareClass(name.clone()));
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("First vs last snapshot:").weak());
        for (name, _) in top.iter().take(6) {
            if ui
                .small_button(format!("Compare {}", format::shorten(name, 28)))
                .clicked()
            {
                cmds.push(Command::CompareClass(name.clone()));
            }
        }
    });
}

/// Objects allocated between the first and second-to-last snapshot still alive in the last.
fn leak_report(ui: &mut Ui, d: &GrowthData, last: SnapId, cmds: &mut Vec<Command>) {
    match &d.leaks {
        None => {
            ui.label("Open three or more snapshots (baseline, target, final) for the leak report.");
        }
        Some(r) => {
            ui.strong(format!(
                "Leak report: objects allocated between {} and {} still alive in {}",
                d.names[0],
                d.names[d.names.len() - 2],
                d.names[d.names.len() - 1]
            ));
            ui.label(format!(
                "Detached DOM nodes in the last snapshot: {} ({} new since the first). Collections growing in every snapshot: {}.",
                r.detached_dom,
                r.new_detached_dom,
                d.collections.len()
            ));
            egui::Grid::new("leak-groups")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    ui.strong("Class");
                    ui.strong("Count");
                    ui.strong("Retained");
                    ui.strong("Why it is alive (the retaining path that explains it)");
                    ui.end_row();
                    for g in r.groups.iter().take(30) {
                        if ui
                            .link(format!(
                                "{} @{}",
                                format::shorten(&g.class, 40),
                                g.representative_id
                            ))
                            .on_hover_text("Select the largest object of this group")
                            .clicked()
                        {
                            cmds.push(Command::Select(ObjRef::new(last, g.representative)));
                        }
                        ui.label(format::group(g.count));
                        ui.label(format::kb(g.retained_size));
                        leak_path(ui, g);
                        ui.end_row();
                    }
                });
        }
    }
}

/// Collections that grow in every snapshot (the same object by id).
fn growing_collections(ui: &mut Ui, d: &GrowthData, last: SnapId, cmds: &mut Vec<Command>) {
    if !d.collections.is_empty() {
        ui.add_space(8.0);
        ui.strong("Growing collections (same object in every snapshot)");
        egui::Grid::new("growing-collections")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                for c in d.collections.iter().take(20) {
                    if ui.link(format!("{} @{}", c.class, c.id)).clicked() {
                        cmds.push(Command::Select(ObjRef::new(last, c.node)));
                    }
                    ui.label(
                        c.entries
                            .iter()
                            .map(|e| format::group(*e))
                            .collect::<Vec<_>>()
                            .join(" > ")
                            + " entries",
                    );
                    ui.label(format!("retains {}", format::kb(c.retained_size)));
                    ui.end_row();
                }
            });
    }
}

/// A leak group's reason in words, then the last steps of its path (all of them on hover).
fn leak_path(ui: &mut Ui, g: &crate::analysis::leaks::LeakGroup) {
    let step = |s: &crate::analysis::leaks::PathStep| {
        format!("{} {}", format::shorten(&s.from_label, 40), s.edge_label)
    };
    let all: Vec<String> = g.path.iter().map(step).collect();
    let shown = all.len().min(4);
    let skipped = all.len() - shown;
    let tail = all[skipped..].join(" > ");
    let tail = if skipped > 0 {
        format!(
            "… ({skipped} {}) {tail}",
            if skipped == 1 { "step" } else { "steps" }
        )
    } else {
        tail
    };
    ui.vertical(|ui| {
        if let Some(reason) = &g.reason {
            ui.label(RichText::new(format!("held by {reason}")).strong());
        }
        ui.label(RichText::new(tail).weak())
            .on_hover_text(all.join("\n> "));
    });
}
