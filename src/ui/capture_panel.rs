//! The capture panel (right side, while attached): a live chart of heap usage with marks where
//! snapshots were taken, Take snapshot (GC first), a schedule, the capture folder, the
//! snapshot in progress, and Detach. Saved snapshots are opened into the series by the model.

use super::table::labelled_field;
use crate::capture::{Schedule, UsageSample};
use crate::model::capture_state::CaptureState;
use crate::model::{AppState, Command, format};
use egui::{Color32, RichText, Ui};
use egui_plot::{AxisHints, Line, Plot, PlotPoints, VLine};
use std::path::PathBuf;
use std::time::Duration;

/// The panel's own inputs (commands carry them to the model).
pub struct CapturePanel {
    pub gc: bool,
    pub every_on: bool,
    pub every_secs: u32,
    pub above_on: bool,
    pub above_mb: u32,
    pub folder: String,
}

impl Default for CapturePanel {
    fn default() -> Self {
        CapturePanel {
            gc: true,
            every_on: true,
            every_secs: 30,
            above_on: false,
            above_mb: 100,
            folder: String::new(),
        }
    }
}

impl CapturePanel {
    pub fn ui(&mut self, ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
        let c = &state.capture;
        ui.heading("Capture");
        self.header(ui, c, cmds);
        ui.separator();
        chart(ui, c);
        if c.is_attached() {
            ui.separator();
            self.snapshot_row(ui, c, cmds);
            ui.separator();
            self.schedule(ui, c, cmds);
        }
        ui.separator();
        self.folder_row(ui, state, cmds);
        saved_list(ui, c);
    }

    fn header(&mut self, ui: &mut Ui, c: &CaptureState, cmds: &mut Vec<Command>) {
        if c.is_attached() {
            ui.label(format!("Attached to {}", c.attached_to));
            if let Some(s) = c.last_sample() {
                ui.label(usage_line(s));
            }
            if ui.button("Detach").clicked() {
                cmds.push(Command::Detach);
            }
        } else if let Some(why) = &c.ended {
            ui.colored_label(ui.visuals().warn_fg_color, why);
            ui.horizontal(|ui| {
                if ui.button("Attach…").clicked() {
                    cmds.push(Command::ShowAttach(true));
                }
                if ui.button("Close capture panel").clicked() {
                    cmds.push(Command::CloseCapture);
                }
            });
        }
        if let Some(e) = &c.last_error {
            ui.colored_label(ui.visuals().error_fg_color, format!("Last error: {e}"));
        }
    }

    fn snapshot_row(&mut self, ui: &mut Ui, c: &CaptureState, cmds: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            if ui.button("Take snapshot").clicked() {
                cmds.push(Command::TakeSnapshot { gc: self.gc });
            }
            ui.checkbox(&mut self.gc, "GC first");
        });
        if let Some(p) = &c.in_progress {
            let name = p.path.file_name().unwrap_or_default().to_string_lossy();
            ui.label(format!("Taking {name}: {} written", format::size(p.bytes)));
            let text = if p.total == 0 {
                "waiting for the heap…".to_string()
            } else {
                format!(
                    "{} of {} objects",
                    format::group(p.done),
                    format::group(p.total)
                )
            };
            ui.add(egui::ProgressBar::new(p.fraction()).text(text));
        }
    }

    fn schedule(&mut self, ui: &mut Ui, c: &CaptureState, cmds: &mut Vec<Command>) {
        ui.label("Schedule");
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.every_on, "Every");
            ui.add(
                egui::DragValue::new(&mut self.every_secs)
                    .range(1..=86_400)
                    .suffix(" s"),
            );
        });
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.above_on, "When heap used passes");
            ui.add(
                egui::DragValue::new(&mut self.above_mb)
                    .range(1..=1_000_000)
                    .suffix(" MB"),
            );
        });
        ui.horizontal(|ui| {
            let wanted = self.wanted();
            let start = ui.add_enabled(wanted.is_some(), egui::Button::new("Start schedule"));
            if start.clicked() {
                cmds.push(Command::SetSchedule(wanted));
            }
            let stop = ui.add_enabled(c.schedule.is_some(), egui::Button::new("Stop schedule"));
            if stop.clicked() {
                cmds.push(Command::SetSchedule(None));
            }
        });
        if let Some(s) = &c.schedule {
            ui.label(RichText::new(schedule_text(s)).weak());
        }
    }

    /// The schedule the inputs describe (None when neither trigger is on).
    fn wanted(&self) -> Option<Schedule> {
        let every = self
            .every_on
            .then(|| Duration::from_secs(self.every_secs.max(1) as u64));
        let heap_above = self.above_on.then(|| self.above_mb as u64 * 1_000_000);
        (every.is_some() || heap_above.is_some()).then_some(Schedule {
            every,
            heap_above,
            gc: self.gc,
            count: None,
        })
    }

    fn folder_row(&mut self, ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
        let current = crate::model::capture_state::capture_dir(&state.settings)
            .display()
            .to_string();
        let r = ui
            .horizontal(|ui| {
                let w = (ui.available_width() - 110.0).max(120.0);
                labelled_field(ui, "Capture folder:", &mut self.folder, w, "folder")
            })
            .inner;
        if !r.has_focus() && !r.lost_focus() {
            self.folder = current.clone();
        }
        if r.lost_focus() && !self.folder.trim().is_empty() && self.folder.trim() != current {
            cmds.push(Command::SetCaptureFolder(PathBuf::from(self.folder.trim())));
        }
    }
}

fn usage_line(s: &UsageSample) -> String {
    let mut t = format!(
        "Heap {} used of {}",
        format::size(s.used),
        format::size(s.total)
    );
    if let Some(rss) = s.rss {
        t.push_str(&format!(", RSS {}", format::size(rss)));
    }
    t
}

fn schedule_text(s: &Schedule) -> String {
    let mut parts = Vec::new();
    if let Some(e) = s.every {
        parts.push(format!("every {} s", e.as_secs()));
    }
    if let Some(b) = s.heap_above {
        parts.push(format!("when heap used passes {} MB", b / 1_000_000));
    }
    format!("Capturing {}", parts.join(", "))
}

/// Reads one quantity of a sample.
type Field = fn(&UsageSample) -> Option<u64>;

fn series(
    c: &CaptureState,
    f: impl Fn(&UsageSample) -> Option<u64>,
) -> Option<PlotPoints<'static>> {
    let pts: Vec<[f64; 2]> = c
        .samples
        .iter()
        .filter_map(|s| f(s).map(|v| [s.secs, v as f64]))
        .collect();
    (!pts.is_empty()).then(|| PlotPoints::from(pts))
}

/// Heap used/total (and RSS, external, ArrayBuffers for Node) over seconds since attach;
/// a vertical mark where each snapshot was started.
fn chart(ui: &mut Ui, c: &CaptureState) {
    ui.label(format!(
        "Memory ({} samples, one a second)",
        c.samples.len()
    ));
    let lines: [(&str, Color32, Field); 5] = [
        ("heap used", Color32::from_rgb(80, 160, 255), |s| {
            Some(s.used)
        }),
        ("heap total", Color32::from_rgb(120, 120, 200), |s| {
            Some(s.total)
        }),
        ("RSS", Color32::from_rgb(240, 150, 60), |s| s.rss),
        ("external", Color32::from_rgb(120, 200, 120), |s| s.external),
        ("arrayBuffers", Color32::from_rgb(200, 120, 200), |s| {
            s.array_buffers
        }),
    ];
    let names: Vec<_> = lines.iter().map(|l| (l.0.to_string(), l.1)).collect();
    super::chart::legend(ui, &names);
    Plot::new("capture-usage")
        .height(220.0)
        .custom_x_axes(vec![
            AxisHints::new_x()
                .label("seconds since attach")
                .label_spacing(30.0..=45.0),
        ])
        .custom_y_axes(vec![
            AxisHints::new_y()
                .label_spacing(14.0..=22.0)
                .min_thickness(48.0)
                .formatter(|m, _| format::size(m.value.max(0.0) as u64)),
        ])
        .include_y(0.0)
        .allow_scroll(false)
        .show(ui, |p| {
            for (name, color, f) in lines {
                if let Some(pts) = series(c, f) {
                    p.line(Line::new(name, pts).color(color));
                }
            }
            for &x in &c.marks {
                p.vline(VLine::new("snapshot", x).color(Color32::from_rgb(230, 80, 80)));
            }
        });
}

fn saved_list(ui: &mut Ui, c: &CaptureState) {
    if c.saved.is_empty() {
        return;
    }
    ui.label(format!("Captured ({}):", c.saved.len()));
    egui::ScrollArea::vertical()
        .id_salt("captured-files")
        .max_height(160.0)
        .show(ui, |ui| {
            for s in c.saved.iter().rev() {
                let name = s.path.file_name().unwrap_or_default().to_string_lossy();
                ui.label(format!(
                    "{name}  {}  at {:.0} s, took {:.1} s",
                    format::size(s.size),
                    s.secs,
                    s.took.as_secs_f64()
                ))
                .on_hover_text(s.path.display().to_string());
            }
        });
}
