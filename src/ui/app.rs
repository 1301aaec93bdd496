//! The frame loop: poll the jobs into the state, turn input into commands, draw the panels
//! and the shown view (which push commands), then apply the commands. All state lives in
//! `model::AppState`; all background work in `model::Jobs`.

use super::selection_panes::SelectionPanes;
use super::toolbar::Toolbar;
use super::views::View;
use super::workspace::{self, Pane};
use crate::model::job_output::JobOutput;
use crate::model::{AppState, Command, JobKey, Jobs, Settings, Tab, WindowCommand};
use egui::Ui;
use egui_tiles::Tree;
use std::path::PathBuf;
use std::sync::Arc;

pub struct HeapdiveApp {
    pub state: AppState,
    pub jobs: Jobs,
    views: Vec<Box<dyn View>>,
    toolbar: Toolbar,
    /// The panes as the user arranged them (remembered between runs).
    pub workspace: Tree<Pane>,
    /// The view the workspace last brought to front for `state.tab`.
    shown_tab: Option<Tab>,
    selection_panes: SelectionPanes,
    cmds: Vec<Command>,
    waker_set: bool,
    attach: super::capture_dialog::AttachDialog,
    capture_panel: super::capture_panel::CapturePanel,
}

impl HeapdiveApp {
    pub fn new(settings: Settings) -> Self {
        let views = super::registry::registry();
        HeapdiveApp {
            state: AppState::new(settings),
            jobs: Jobs::default(),
            workspace: workspace::default_tree(&tabs_of(&views)),
            views,
            toolbar: Toolbar::default(),
            shown_tab: None,
            selection_panes: SelectionPanes::default(),
            cmds: Vec::new(),
            waker_set: false,
            attach: Default::default(),
            capture_panel: Default::default(),
        }
    }

    /// A remembered layout, if it is whole (each pane once, every view); else the default
    /// stays.
    pub fn use_layout(&mut self, tree: Tree<Pane>) {
        if workspace::usable(&tree, &tabs_of(&self.views)) {
            self.workspace = tree;
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
            Command::Window(WindowCommand::ResetLayout) => {
                self.workspace = workspace::default_tree(&tabs_of(&self.views));
                self.shown_tab = None;
            }
            Command::Window(WindowCommand::TogglePane(pane)) => {
                match workspace::find(&self.workspace, pane) {
                    Some(_) => workspace::close(&mut self.workspace, pane),
                    None => workspace::show(&mut self.workspace, pane),
                }
            }
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
        crate::fmt::set_style(self.state.settings.size_style);
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
        let open = workspace::open_panes(&self.workspace);
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar.ui(ui, state, &open, cmds));
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
        if state.snaps.is_empty() && state.profiles.is_empty() {
            // Capturing before the first snapshot is saved: the chart beside the start page.
            if state.capture.panel_shown() {
                egui::Panel::right("capture")
                    .resizable(true)
                    .default_size(440.0)
                    .show(ui, |ui| self.capture_panel.ui(ui, state, cmds));
            }
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
        self.workspace_ui(ui);
        let (state, cmds) = (&mut self.state, &mut self.cmds);
        super::search_window::ui(ui, state, cmds);
    }

    /// The panes: brought in line with the model before (the view `state.tab` names in
    /// front, panes that cannot show hidden), and the model with the user's clicks after.
    fn workspace_ui(&mut self, ui: &mut Ui) {
        if self.shown_tab != Some(self.state.tab) {
            workspace::show(&mut self.workspace, Pane::of_tab(self.state.tab));
            self.shown_tab = Some(self.state.tab);
        }
        workspace::update_visibility(&mut self.workspace, &self.state);
        let mut panes = super::panes::Panes {
            views: &mut self.views,
            state: &mut self.state,
            cmds: &mut self.cmds,
            selection: &mut self.selection_panes,
            capture: &mut self.capture_panel,
        };
        egui::CentralPanel::no_frame().show(ui, |ui| self.workspace.ui(&mut panes, ui));
        let front = workspace::visible_views(&self.workspace);
        if !front.contains(&self.state.tab)
            && let Some(&tab) = front.first()
        {
            self.cmds.push(Command::ShowTab(tab));
            self.shown_tab = Some(tab);
        }
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
        eframe::set_value(storage, LAYOUT_KEY, &self.workspace);
    }
}

/// Where the workspace's layout is remembered.
pub const LAYOUT_KEY: &str = "heapdive-layout";

/// The tabs of the registry's views (the Retainers tab is the graph pane, not a view pane).
fn tabs_of(views: &[Box<dyn View>]) -> Vec<Tab> {
    views.iter().map(|v| v.tab()).collect()
}
