//! The frame loop: poll the jobs into the state, turn input into commands, draw the panels
//! and the shown view (which push commands), then apply the commands. All state lives in
//! `model::AppState`; all background work in `model::Jobs`.

use super::selection_panel::SelectionPanel;
use super::toolbar::Toolbar;
use super::views::{self, View};
use crate::model::job_output::JobOutput;
use crate::model::{AppState, Command, JobKey, Jobs, Settings, WindowCommand};
use egui::Ui;
use std::path::PathBuf;
use std::sync::Arc;

pub struct HeapdiveApp {
    pub state: AppState,
    pub jobs: Jobs,
    views: Vec<Box<dyn View>>,
    toolbar: Toolbar,
    selection_panel: SelectionPanel,
    cmds: Vec<Command>,
    waker_set: bool,
    attach: super::capture_dialog::AttachDialog,
    capture_panel: super::capture_panel::CapturePanel,
}

impl HeapdiveApp {
    pub fn new(settings: Settings) -> Self {
        HeapdiveApp {
            state: AppState::new(settings),
            jobs: Jobs::default(),
            views: super::registry::registry(),
            toolbar: Toolbar::default(),
            selection_panel: SelectionPanel::default(),
            cmds: Vec::new(),
            waker_set: false,
            attach: Default::default(),
            capture_panel: Default::default(),
        }
    }

    /// Lets finished jobs wake the window.
    pub fn set_repaint(&mut self, ctx: egui::Context) {
        self.jobs.set_waker(Arc::new(move || ctx.request_repaint()));
        self.waker_set = true;
    }

    /// Queues files for loading (in the given order); three or more at once form a series.
    pub fn open_files(&mut self, files: Vec<PathBuf>) {
        if !files.is_empty() {
            self.run(Command::Open(files));
        }
    }

    /// Applies one command now (tests and the command line use this).
    pub fn run(&mut self, cmd: Command) {
        match cmd {
            Command::Window(WindowCommand::OpenDialog) => self.open_dialog(),
            Command::Window(WindowCommand::Save { text, file_name }) => self.save(text, file_name),
            Command::Window(WindowCommand::SaveRedactedAs(snap)) => self.save_redacted(snap),
            cmd => self.state.apply(cmd, &mut self.jobs),
        }
    }

    pub fn is_busy(&self) -> bool {
        self.state.is_busy(&self.jobs)
    }

    /// Draws the whole window; tests drive this directly.
    pub fn ui(&mut self, ui: &mut Ui) {
        if !self.waker_set {
            self.set_repaint(ui.ctx().clone());
        }
        self.poll();
        super::drop_zone::take_drops(ui, &mut self.cmds);
        let view = self.views.iter_mut().find(|v| v.tab() == self.state.tab);
        super::shortcuts::handle(
            ui.ctx(),
            &mut self.toolbar,
            view,
            &mut self.state,
            &mut self.cmds,
        );
        self.panels(ui);
        super::drop_zone::hover_banner(ui, &self.state);
        for cmd in std::mem::take(&mut self.cmds) {
            self.run(cmd);
        }
    }

    fn poll(&mut self) {
        for out in self.jobs.poll() {
            self.state.finish(out, &mut self.jobs);
        }
        let fx = self.state.capture.poll();
        if fx != crate::model::effects::Effects::none() {
            self.state.take(fx, &mut self.jobs);
        }
        for s in self.state.snaps.iter_mut() {
            s.summary.poll();
        }
    }

    fn panels(&mut self, ui: &mut Ui) {
        let (state, cmds) = (&mut self.state, &mut self.cmds);
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar.ui(ui, state, cmds));
        super::notices::progress(ui, state, &self.jobs, cmds);
        super::notices::job_progress(
            ui,
            &self.jobs,
            JobKey::Redact,
            "Writing a redacted copy",
            cmds,
        );
        super::notices::errors(ui, state, cmds);
        super::notices::truncation(ui, state);
        super::notices::status_bar(ui, state);
        self.attach.ui(ui, state, &self.jobs, cmds);
        if state.capture.panel_shown() {
            egui::Panel::right("capture")
                .resizable(true)
                .default_size(440.0)
                .show(ui, |ui| self.capture_panel.ui(ui, state, cmds));
        }
        if state.snaps.is_empty() && state.profiles.is_empty() {
            egui::CentralPanel::default_margins().show(ui, |ui| {
                super::start::ui(ui, &state.settings.recent, &mut self.toolbar.path_box, cmds)
            });
            return;
        }
        if !state.snaps.is_empty() {
            egui::Panel::left("snapshots")
                .resizable(true)
                .default_size(220.0)
                .show(ui, |ui| super::snapshot_list::ui(ui, state, cmds));
        }
        if state.selection.obj.is_some() {
            egui::Panel::bottom("retainers")
                .resizable(true)
                .default_size(400.0)
                .show(ui, |ui| self.selection_panel.ui(ui, state, cmds));
        }
        egui::CentralPanel::default_margins().show(ui, |ui| {
            views::tab_bar(ui, &self.views, state, cmds);
            ui.separator();
            if let Some(v) = self.views.iter_mut().find(|v| v.tab() == state.tab) {
                v.ui(ui, state, cmds);
            }
        });
        super::search_window::ui(ui, state, cmds);
    }

    /// The platform's file dialog blocks: it runs as a job.
    fn open_dialog(&mut self) {
        if self.jobs.is_running(JobKey::Dialog) {
            return;
        }
        self.jobs.spawn(JobKey::Dialog, |_| {
            JobOutput::Picked(
                rfd::FileDialog::new()
                    .add_filter(
                        "Heap snapshots and profiles",
                        &["heapsnapshot", "heaptimeline", "heapprofile", "gz"],
                    )
                    .add_filter("All files", &["*"])
                    .set_title("Open heap snapshots")
                    .pick_files(),
            )
        });
    }

    /// Asks where to save a redacted copy of a snapshot, then writes it (both on a job).
    fn save_redacted(&mut self, snap: crate::model::SnapId) {
        let Some(s) = self.state.snaps.snap(snap) else {
            return;
        };
        let input = s.loaded.path.clone();
        let name = format!(
            "{}-redacted.heapsnapshot",
            s.name()
                .trim_end_matches(".gz")
                .trim_end_matches(".heapsnapshot")
        );
        self.jobs.spawn(JobKey::Redact, move |p| {
            match rfd::FileDialog::new().set_file_name(&name).save_file() {
                Some(out) => crate::model::redaction::redact_job(&input, &out, p),
                None => JobOutput::Saved(Ok("Not saved".to_string())),
            }
        });
    }

    /// Asks where to save, then writes, on a job; the outcome reaches the status line.
    fn save(&mut self, text: String, file_name: String) {
        self.jobs.spawn(JobKey::Save, move |_| {
            let Some(path) = rfd::FileDialog::new().set_file_name(&file_name).save_file() else {
                return JobOutput::Saved(Ok("Not saved".to_string()));
            };
            JobOutput::Saved(
                std::fs::write(&path, text)
                    .map(|_| format!("Saved {}", path.display()))
                    .map_err(|e| format!("Cannot save {}: {e}", path.display())),
            )
        });
    }
}

impl eframe::App for HeapdiveApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        HeapdiveApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state.settings);
    }
}
