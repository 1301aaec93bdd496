//! The Timeline view (snapshots recorded with "Allocation instrumentation on timeline"): the
//! bytes still alive by when they were allocated, as DevTools draws them; dragging across a
//! time range filters the Summary to the objects allocated in it.

use super::views::View;
use crate::analysis::timeline::Timeline;
use crate::model::format;
use crate::model::{AppState, Command, JobKey, SnapId, Tab};
use egui::{Color32, Rect, RichText, Sense, Ui, pos2, vec2};

#[derive(Default)]
pub struct TimelineView {
    /// The selected range (ms from the first sample), for the snapshot it was made on.
    selection: Option<(SnapId, f64, f64)>,
    /// Where a drag began (ms).
    drag_from: Option<f64>,
    /// DevTools' axis (at least 10 s) instead of the recording's length.
    devtools_axis: bool,
}

impl View for TimelineView {
    fn tab(&self) -> Tab {
        Tab::Timeline
    }

    fn title(&self) -> &'static str {
        "Timeline"
    }

    fn ui(&mut self, ui: &mut Ui, state: &mut AppState, cmds: &mut Vec<Command>) {
        let Some(s) = state.snaps.current_snap() else {
            return;
        };
        let Some(mut t) = s.timeline.as_deref().cloned() else {
            let busy = state.waiting_for(JobKey::Timeline(s.id));
            let doing = "Placing the live objects on the allocation timeline…";
            super::notices::waiting(ui, busy, doing);
            return;
        };
        let snap = s.id;
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(
                    "Bytes still alive, by when they were allocated. Drag across a time range \
                     to show the objects allocated in it in the Summary.",
                )
                .weak(),
            );
            ui.checkbox(&mut self.devtools_axis, "At least 10 s wide (as DevTools)");
        });
        if !self.devtools_axis {
            let start = t.time_ms.first().copied().unwrap_or(0.0);
            t.total_ms = (t.time_ms.last().copied().unwrap_or(0.0) - start).max(1.0);
        }
        let selection = self
            .selection
            .filter(|(id, ..)| *id == snap)
            .map(|(_, l, r)| (l, r));
        self.chart(ui, &t, snap, selection, cmds);
        ui.horizontal_wrapped(|ui| match selection {
            Some((l, r)) => {
                let sel = t.select(l, r);
                ui.label(format!(
                    "Selected {:.2} s to {:.2} s: {} of live objects allocated",
                    l / 1000.0,
                    r / 1000.0,
                    format::size(sel.size)
                ));
                if ui.button("Show in Summary").clicked() {
                    cmds.push(Command::SetFilter(snap, sel.filter()));
                    cmds.push(Command::ShowTab(Tab::Summary));
                }
                if ui.button("Clear selection").clicked() {
                    self.selection = None;
                    cmds.push(Command::SetFilter(
                        snap,
                        crate::analysis::filters::NodeFilter::All,
                    ));
                }
            }
            None => {
                ui.label(format!(
                    "{} samples over {:.2} s",
                    t.time_ms.len(),
                    t.time_ms.last().copied().unwrap_or(0.0) / 1000.0
                ));
            }
        });
    }
}

impl TimelineView {
    fn chart(
        &mut self,
        ui: &mut Ui,
        t: &Timeline,
        snap: SnapId,
        selection: Option<(f64, f64)>,
        cmds: &mut Vec<Command>,
    ) {
        let width = ui.available_width().max(100.0);
        let height = (ui.available_height() - 40.0).clamp(80.0, 320.0);
        let (rect, resp) = ui.allocate_exact_size(vec2(width, height), Sense::click_and_drag());
        resp.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Image, true, "Allocation timeline")
        });
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
        let bars = t.bars(width as usize);
        let max = bars.iter().map(|b| b.size).max().unwrap_or(1).max(1) as f32;
        let mut prev = 0usize;
        for b in &bars {
            // A sample holds what was allocated since the one before: its bar spans that.
            let h = (b.size as f32 / max * (height - 4.0)).max(1.0);
            let w = (b.column.saturating_sub(prev) as f32).clamp(1.0, 40.0);
            prev = b.column;
            let x = rect.left() + b.column as f32 + 1.0;
            painter.rect_filled(
                Rect::from_min_max(pos2(x - w, rect.bottom() - h), pos2(x, rect.bottom())),
                0.0,
                Color32::from_rgb(0x4f, 0x8e, 0xf7),
            );
        }
        let to_ms = |x: f32| ((x - rect.left()) / width).clamp(0.0, 1.0) as f64 * t.total_ms;
        let to_x = |ms: f64| rect.left() + (ms / t.total_ms) as f32 * width;
        if let Some((l, r)) = selection {
            painter.rect_filled(
                Rect::from_min_max(pos2(to_x(l), rect.top()), pos2(to_x(r), rect.bottom())),
                0.0,
                Color32::from_rgba_unmultiplied(250, 220, 120, 60),
            );
        }
        if let Some(p) = resp.hover_pos() {
            let ms = to_ms(p.x);
            resp.clone()
                .on_hover_text_at_pointer(format!("{:.2} s", ms / 1000.0));
        }
        // A drag starts where the button went down, not where it was recognised as a drag.
        if resp.drag_started()
            && let Some(p) = ui.input(|i| i.pointer.press_origin())
        {
            self.drag_from = Some(to_ms(p.x));
        }
        let end = resp
            .interact_pointer_pos()
            .or_else(|| ui.input(|i| i.pointer.latest_pos()));
        if let (Some(from), Some(p)) = (self.drag_from, end)
            && (resp.dragged() || resp.drag_stopped())
        {
            let to = to_ms(p.x);
            self.selection = Some((snap, from.min(to), from.max(to)));
        }
        if resp.drag_stopped() {
            self.drag_from = None;
            if let Some((_, l, r)) = self.selection {
                cmds.push(Command::SetFilter(snap, t.select(l, r).filter()));
            }
        }
    }
}
