//! The Growth view: totals and categories per snapshot, the top classes by growth (click one
//! to compare first and last snapshots on that class), growing collections, and the leak
//! report with a representative object per group.

use super::views::View;
use crate::analysis::leaks::LeakGroup;
use crate::model::format;
use crate::model::growth::{GrowthData, GrowthModel};
use crate::model::{AppState, Command, ObjRef, SnapId, Tab};
use egui::{RichText, Ui};
use egui_plot::{Line, Plot, PlotPoints};

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
    ui.horizontal_wrapped(|ui| {
        let names = &m.data.names;
        ui.label(format!(
            "{} snapshots: {}",
            names.len(),
            names.join("  >  ")
        ));
    });
    ui.separator();
    // The verdict first: it is what the view is opened for; the charts follow it.
    egui::ScrollArea::vertical()
        .id_salt("leak-report")
        .show(ui, |ui| {
            leak_report(ui, &m.data, last, cmds);
            growing_collections(ui, &m.data, last, cmds);
            ui.add_space(8.0);
            ui.separator();
            ui.columns(2, |cols| {
                totals_chart(&mut cols[0], &m.data, CHART_HEIGHT);
                classes_chart(&mut cols[1], m, CHART_HEIGHT, cmds);
            });
        });
}

const CHART_HEIGHT: f32 = 220.0;

/// Total and each Statistics category per snapshot.
fn totals_chart(ui: &mut Ui, d: &GrowthData, half: f32) {
    ui.strong("Memory per snapshot");
    let cats = crate::ui::statistics::categories;
    let mut names = vec![("Total".to_string(), super::chart::palette(0))];
    names.extend(
        cats(&d.statistics[0])
            .iter()
            .map(|c| (c.0.to_string(), c.2)),
    );
    super::chart::legend(ui, &names);
    Plot::new("growth-totals")
        .height(half)
        .allow_scroll(false)
        .y_axis_formatter(|m, _| format::size(m.value.max(0.0) as u64))
        .label_formatter(|h| hover_text(h, |y| format::size(y.max(0.0) as u64)))
        .show(ui, |plot| {
            plot.line(
                Line::new("Total", points(&d.totals))
                    .width(2.5)
                    .color(names[0].1),
            );
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
    ui.horizontal_wrapped(|ui| {
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
    let names: Vec<_> = top
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.clone(), super::chart::palette(i + 1)))
        .collect();
    super::chart::legend(ui, &names);
    let resp = Plot::new("growth-classes")
        .height(half)
        .allow_scroll(false)
        .y_axis_formatter(move |v, _| {
            if by_size {
                format::size(v.value.max(0.0) as u64)
            } else {
                format::group(v.value.max(0.0) as u64)
            }
        })
        .label_formatter(move |h| {
            hover_text(h, |y| {
                if by_size {
                    format::size(y.max(0.0) as u64)
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
                        .color(names[i].1)
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

/// The leak report: one row per place where objects build up, the leaks first (grew in
/// every interval), then what was allocated once; for one snapshot, the suspects.
fn leak_report(ui: &mut Ui, d: &GrowthData, last: SnapId, cmds: &mut Vec<Command>) {
    let Some(r) = &d.leaks else {
        ui.label("Open three or more snapshots of the same process (or one, for its suspects) for the leak report.");
        return;
    };
    if r.snapshots == 1 {
        ui.strong(format!(
            "Leak suspects in {}: where the memory builds up",
            d.names[0]
        ));
    } else {
        let rows = if r.groups.len() == 1 { "row" } else { "rows" };
        ui.strong(format!(
            "Leak report over {} snapshots: {} {rows} grew in every interval",
            r.snapshots,
            r.groups.len()
        ));
        ui.label(format!(
            "Detached DOM nodes in the last snapshot: {} ({} new since the first). Collections growing in every snapshot: {}.",
            r.detached_dom,
            r.new_detached_dom,
            d.collections.len()
        ));
    }
    if r.groups.is_empty() {
        ui.label(
            RichText::new("No row grew in every interval: nothing leaks in this series.").weak(),
        );
    }
    for (i, g) in r.groups.iter().take(50).enumerate() {
        leak_row(ui, i + 1, g, r.heap_size, last, cmds);
    }
    if !r.allocated_once.is_empty() {
        ui.add_space(6.0);
        egui::CollapsingHeader::new(format!(
            "Allocated once ({} {}: grew, but not every time)",
            r.allocated_once.len(),
            if r.allocated_once.len() == 1 {
                "row"
            } else {
                "rows"
            }
        ))
        .id_salt("allocated-once")
        .show(ui, |ui| {
            for (i, g) in r.allocated_once.iter().take(30).enumerate() {
                leak_row(ui, i + 1, g, r.heap_size, last, cmds);
            }
        });
    }
}

/// The counts as a small line, its last point marked.
fn sparkline(ui: &mut Ui, counts: &[u64]) -> egui::Response {
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(72.0, 18.0), egui::Sense::hover());
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f32;
    let n = counts.len().max(2) - 1;
    let pts: Vec<egui::Pos2> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            egui::pos2(
                rect.left() + rect.width() * i as f32 / n as f32,
                rect.bottom() - 2.0 - (rect.height() - 4.0) * c as f32 / max,
            )
        })
        .collect();
    let color = ui.visuals().hyperlink_color;
    ui.painter().add(egui::Shape::line(
        pts.clone(),
        egui::Stroke::new(1.5, color),
    ));
    if let Some(p) = pts.last() {
        ui.painter().circle_filled(*p, 2.5, color);
    }
    resp.on_hover_text(format!(
        "count per snapshot: {}",
        crate::fmt::counts(counts)
    ))
}

/// One row: rank, pattern, class and count, sparkline, holder in words, fix; expands to its
/// members and its path. Clicking the holder selects it (its path shows in the panel).
fn leak_row(
    ui: &mut Ui,
    rank: usize,
    g: &LeakGroup,
    heap_size: u64,
    last: SnapId,
    cmds: &mut Vec<Command>,
) {
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{rank}.")).weak());
        ui.label(
            RichText::new(g.pattern.word())
                .monospace()
                .color(ui.visuals().warn_fg_color),
        );
        let title = format!("{} ×{}", g.title(), format::group(g.count));
        let target = g.holder.as_ref().map_or(g.representative, |h| h.node);
        if ui
            .link(RichText::new(title).strong())
            .on_hover_text("Select where this row builds up, and show the path to it")
            .clicked()
        {
            cmds.push(Command::Select(ObjRef::new(last, target)));
        }
        sparkline(ui, &g.counts);
        ui.label(format!(
            "retains {} ({})",
            format::size(g.retained_size),
            format::percent(g.retained_size, heap_size)
        ));
    });
    // Where it builds up and the fix on one line (whole on hover): five rows fit a pane.
    let place = g
        .holder
        .as_ref()
        .map(|h| format!("builds up in {}  ·  ", h.label))
        .unwrap_or_default();
    ui.add(egui::Label::new(RichText::new(format!("{place}fix: {}", g.fix)).italics()).truncate());
    egui::CollapsingHeader::new(format!("{} member classes, path", g.members.len()))
        .id_salt(("leak-row", rank, g.representative_id))
        .show(ui, |ui| leak_members(ui, g, last, cmds));
}

fn leak_members(ui: &mut Ui, g: &LeakGroup, last: SnapId, cmds: &mut Vec<Command>) {
    egui::Grid::new(("leak-members", g.representative_id))
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for m in &g.members {
                let name = match &m.original_class {
                    Some(o) if *o != m.class => format!("{o} ({})", m.class),
                    _ => m.class.clone(),
                };
                if ui.link(format::shorten(&name, 60)).clicked() {
                    cmds.push(Command::Select(ObjRef::new(last, m.node)));
                }
                ui.label(format!("×{}", format::group(m.count)));
                ui.label(format::size(m.retained_size));
                ui.end_row();
            }
        });
    if ui
        .small_button(format!(
            "Select the largest object @{}",
            g.representative_id
        ))
        .clicked()
    {
        cmds.push(Command::Select(ObjRef::new(last, g.representative)));
    }
    leak_path(ui, g);
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
                    ui.label(format!("retains {}", format::size(c.retained_size)));
                    ui.end_row();
                }
            });
    }
}

/// A leak group's reason in words, then the last steps of its path (all of them on hover).
fn leak_path(ui: &mut Ui, g: &LeakGroup) {
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
