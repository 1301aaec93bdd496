//! The strips around the views: load progress with Cancel, errors with Dismiss, and the
//! status line.

use crate::model::format;
use crate::model::{AppState, Command, JobKey, Jobs};
use crate::paths::display_name;
use egui::{RichText, Ui};

pub fn progress(ui: &mut Ui, state: &AppState, jobs: &Jobs, cmds: &mut Vec<Command>) {
    let Some((path, queued)) = state.loads.loading() else {
        return;
    };
    let (phase, f) = jobs.progress(JobKey::Load).unwrap_or_default();
    egui::Panel::top("progress").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(format!("Loading {}: {phase}", display_name(path)));
            ui.add(
                egui::ProgressBar::new(f)
                    .show_percentage()
                    .desired_width(260.0),
            );
            if queued > 0 {
                ui.label(format!("(+{queued} queued)"));
            }
            if ui.button("Cancel").clicked() {
                cmds.push(Command::CancelLoad);
            }
        });
    });
}

/// A strip for a job with a progress bar and Cancel (writing a redacted copy).
pub fn job_progress(ui: &mut Ui, jobs: &Jobs, key: JobKey, what: &str, cmds: &mut Vec<Command>) {
    let Some((phase, f)) = jobs.progress(key) else {
        return;
    };
    egui::Panel::top(format!("progress-{key:?}")).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(format!("{what}: {phase}"));
            ui.add(
                egui::ProgressBar::new(f)
                    .show_percentage()
                    .desired_width(260.0),
            );
            if ui.button("Cancel").clicked() {
                cmds.push(Command::Cancel(key));
            }
        });
    });
}

/// The current snapshot was cut short and completed from what was read: say what was lost.
pub fn truncation(ui: &mut Ui, state: &AppState) {
    let Some((name, warning)) = state
        .snaps
        .current_snap()
        .and_then(|s| Some((s.name(), s.heap().snap.truncated.as_deref()?)))
    else {
        return;
    };
    egui::Panel::top("truncated").show(ui, |ui| {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("{name} is incomplete: {warning}"),
        );
    });
}

pub fn errors(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    if state.errors.is_empty() {
        return;
    }
    egui::Panel::top("errors").show(ui, |ui| {
        for e in &state.errors {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        if ui.small_button("Dismiss").clicked() {
            cmds.push(Command::DismissErrors);
        }
    });
}

pub fn status_bar(ui: &mut Ui, state: &AppState) {
    egui::Panel::bottom("status").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(&state.status).weak());
            // The count is the Summary's: other views would show it as theirs.
            if let Some(s) = state
                .snaps
                .current_snap()
                .filter(|_| state.tab == crate::model::Tab::Summary)
            {
                let (count, shallow) = s.summary.totals();
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(
                        RichText::new(format!(
                            "{} objects, {} shallow in view",
                            format::group(count),
                            format::size(shallow)
                        ))
                        .weak(),
                    );
                });
            }
        });
    });
}

/// A view's work in progress (a spinner and what it does), or, once that work ended
/// without a result, a line that sends the eye to the error strip.
pub fn waiting(ui: &mut Ui, waiting: bool, doing: &str) {
    ui.horizontal(|ui| {
        if waiting {
            ui.spinner();
            ui.label(doing);
        } else {
            ui.weak("Not available: see the error above.");
        }
    });
}
