//! Live capture in the window, without egui: the attach dialog's state (listed targets,
//! errors), the attached session, its heap-usage samples (bounded), the marks where snapshots
//! were taken, the snapshot in progress and what went wrong. Listing targets and attaching
//! block for seconds, so they run as jobs; the session's events are drained every frame
//! (`AppState::poll_capture`), and each saved snapshot is opened into the series.

use super::app_state::AppState;
use super::command::Command;
use super::job_output::JobOutput;
use super::jobs::{JobKey, Jobs};
use crate::capture::{
    CaptureEvent, CaptureSession, SavedSnapshot, Schedule, SessionOptions, Target, TargetInfo,
    UsageSample, list_targets,
};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Samples kept for the chart: two hours at one a second.
pub const MAX_SAMPLES: usize = 7200;
/// Captured files are named `PREFIX-N.heapsnapshot`.
pub const PREFIX: &str = "capture";

/// A snapshot being taken: where it goes and how far it is.
#[derive(Clone, Debug, PartialEq)]
pub struct InProgress {
    pub path: PathBuf,
    /// Objects serialized of `total` (0/0 until V8 says).
    pub done: u64,
    pub total: u64,
    /// Bytes written so far.
    pub bytes: u64,
}

impl InProgress {
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).min(1.0) as f32
        }
    }
}

#[derive(Default)]
pub struct CaptureState {
    /// The attach dialog is shown.
    pub dialog_open: bool,
    /// The inspector `targets` were listed from, and its targets.
    pub targets: Option<(String, Vec<TargetInfo>)>,
    /// Why listing or attaching failed, in words (shown in the dialog).
    pub dialog_error: Option<String>,
    pub session: Option<CaptureSession>,
    /// What the session is attached to, in words ("node: leaky.js (ws://…)").
    pub attached_to: String,
    pub samples: VecDeque<UsageSample>,
    /// When each snapshot was started, in seconds since attach.
    pub marks: Vec<f64>,
    pub in_progress: Option<InProgress>,
    pub saved: Vec<SavedSnapshot>,
    /// The last failed snapshot or sample (the session goes on).
    pub last_error: Option<String>,
    /// The session ended: detached, or the target exited (why, in words). The panel stays
    /// until closed so that the message and the captured files are seen.
    pub ended: Option<String>,
    /// The automatic captures running, if any.
    pub schedule: Option<Schedule>,
    /// The listed target being attached to by its WebSocket URL (its name for the panel).
    attaching: Option<TargetInfo>,
}

impl CaptureState {
    /// The capture panel is shown: attached, or ended and not yet closed.
    pub fn panel_shown(&self) -> bool {
        self.session.is_some() || self.ended.is_some()
    }

    pub fn is_attached(&self) -> bool {
        self.session.is_some()
    }

    /// The newest usage sample.
    pub fn last_sample(&self) -> Option<&UsageSample> {
        self.samples.back()
    }

    fn push_sample(&mut self, s: UsageSample) {
        if self.samples.len() == MAX_SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back(s);
    }

    fn clear_session_data(&mut self) {
        self.samples.clear();
        self.marks.clear();
        self.saved.clear();
        self.in_progress = None;
        self.last_error = None;
        self.ended = None;
        self.schedule = None;
    }
}

/// The capture commands (`Command::ShowAttach` … `Command::CloseCapture`).
impl AppState {
    pub(super) fn apply_capture(&mut self, cmd: Command, jobs: &mut Jobs) {
        match cmd {
            Command::ShowAttach(open) => {
                self.capture.dialog_open = open;
                if !open {
                    jobs.cancel(JobKey::ListTargets);
                }
            }
            Command::ListTargets(at) => self.list_targets(at.trim().to_string(), jobs),
            Command::Attach { target, folder } => self.attach(target.trim(), folder, jobs),
            Command::Detach => self.detach(),
            Command::TakeSnapshot { gc } => {
                if let Some(s) = &self.capture.session {
                    s.take_snapshot(gc);
                }
            }
            Command::SetSchedule(schedule) => {
                if let Some(s) = &self.capture.session {
                    s.set_schedule(schedule.clone());
                    self.capture.schedule = schedule;
                }
            }
            Command::SetCaptureFolder(dir) => {
                if let Some(s) = &self.capture.session {
                    s.set_folder(dir.clone());
                }
                self.settings.capture_dir = Some(dir);
            }
            Command::CloseCapture => {
                self.detach();
                self.capture.ended = None;
            }
            _ => {}
        }
    }

    /// Where snapshots are written: the remembered folder, else the user's data dir.
    pub fn capture_dir(&self) -> PathBuf {
        self.settings
            .capture_dir
            .clone()
            .unwrap_or_else(crate::capture::default_capture_dir)
    }

    fn list_targets(&mut self, at: String, jobs: &mut Jobs) {
        self.settings.attach_at = at.clone();
        self.capture.dialog_error = None;
        self.capture.targets = None;
        let (host, port) = match Target::parse(&at) {
            Ok(Target::Inspector { host, port }) => (host, port),
            Ok(_) => {
                self.capture.dialog_error =
                    Some("List targets needs HOST:PORT (e.g. 127.0.0.1:9229)".to_string());
                return;
            }
            Err(e) => {
                self.capture.dialog_error = Some(e.to_string());
                return;
            }
        };
        jobs.spawn(JobKey::ListTargets, move |_| JobOutput::Targets {
            at,
            result: list_targets(&host, port).map_err(|e| e.to_string()),
        });
    }

    fn attach(&mut self, target: &str, folder: PathBuf, jobs: &mut Jobs) {
        self.capture.dialog_error = None;
        let parsed = match Target::parse(target) {
            Ok(t) => t,
            Err(e) => {
                self.capture.dialog_error = Some(e.to_string());
                return;
            }
        };
        if let Target::Inspector { .. } = parsed {
            self.settings.attach_at = target.to_string();
        }
        self.detach();
        self.capture.attaching = self.capture.targets.as_ref().and_then(|(_, list)| {
            list.iter()
                .find(|t| !t.ws_url.is_empty() && t.ws_url == target)
                .cloned()
        });
        self.settings.capture_dir = Some(folder.clone());
        let opts = SessionOptions {
            dir: folder,
            prefix: PREFIX.to_string(),
            sample_every: Some(Duration::from_secs(1)),
        };
        let waker = jobs.waker();
        let named = target.to_string();
        jobs.spawn(JobKey::Attach, move |_| {
            let wake: crate::capture::session::Wake = Box::new(move || waker());
            JobOutput::Attached(
                CaptureSession::attach(&parsed, opts, Some(wake))
                    .map(Box::new)
                    .map_err(|e| format!("Cannot attach to {named}: {e}")),
            )
        });
    }

    /// A finished attach: the session starts, the dialog closes.
    pub(super) fn attached(&mut self, r: Result<Box<CaptureSession>, String>) {
        match r {
            Ok(session) => {
                self.capture.clear_session_data();
                let listed = self.capture.attaching.take();
                let t = listed.as_ref().unwrap_or(session.target());
                let what = if t.title.is_empty() { &t.url } else { &t.title };
                self.capture.attached_to = if t.kind.is_empty() {
                    what.clone()
                } else {
                    format!("{}: {what}", t.kind)
                };
                self.status = format!("Attached to {}", self.capture.attached_to);
                self.capture.session = Some(*session);
                self.capture.dialog_open = false;
            }
            Err(e) => self.capture.dialog_error = Some(e),
        }
    }

    pub(super) fn targets_listed(&mut self, at: String, r: Result<Vec<TargetInfo>, String>) {
        match r {
            Ok(list) if list.is_empty() => {
                self.capture.dialog_error = Some(format!("{at} lists no targets"));
            }
            Ok(list) => self.capture.targets = Some((at, list)),
            Err(e) => self.capture.dialog_error = Some(e),
        }
    }

    fn detach(&mut self) {
        if let Some(mut s) = self.capture.session.take() {
            s.detach();
            self.drain(&s);
            let n = self.capture.saved.len();
            self.capture.ended = Some(format!(
                "Detached from {}; {n} snapshot{} kept",
                self.capture.attached_to,
                if n == 1 { "" } else { "s" }
            ));
            self.capture.in_progress = None;
        }
    }

    /// Drains the session's events (cheap: call every frame). Saved snapshots are opened.
    pub fn poll_capture(&mut self, jobs: &mut Jobs) {
        if let Some(s) = self.capture.session.take() {
            match self.drain(&s) {
                Some(why) => {
                    let n = self.capture.saved.len();
                    let msg = format!(
                        "The target exited or the connection broke ({why}); {n} captured \
                         snapshot{} kept",
                        if n == 1 { "" } else { "s" }
                    );
                    self.status = "The capture target is gone".to_string();
                    self.capture.ended = Some(msg);
                    self.capture.in_progress = None;
                    drop(s);
                }
                None => self.capture.session = Some(s),
            }
        }
        let saved: Vec<PathBuf> = std::mem::take(&mut self.pending_opens);
        if !saved.is_empty() {
            self.apply(Command::Open(saved), jobs);
        }
    }

    /// Takes in every waiting event; returns why the target is gone, if it is.
    fn drain(&mut self, s: &CaptureSession) -> Option<String> {
        let mut gone = None;
        while let Some(ev) = s.try_recv() {
            match ev {
                CaptureEvent::Usage(u) => self.capture.push_sample(u),
                CaptureEvent::SnapshotStarted { path, secs } => {
                    self.capture.marks.push(secs);
                    self.capture.in_progress = Some(InProgress {
                        path,
                        done: 0,
                        total: 0,
                        bytes: 0,
                    });
                }
                CaptureEvent::SnapshotProgress { done, total, bytes } => {
                    if let Some(p) = &mut self.capture.in_progress {
                        (p.done, p.total, p.bytes) = (done, total, bytes);
                    }
                }
                CaptureEvent::SnapshotSaved(saved) => {
                    self.capture.in_progress = None;
                    self.status = format!(
                        "Captured {} ({})",
                        file_name(&saved.path),
                        super::format::kb(saved.size)
                    );
                    self.pending_opens.push(saved.path.clone());
                    self.capture.saved.push(saved);
                }
                CaptureEvent::Error(e) => {
                    self.capture.in_progress = None;
                    self.capture.last_error = Some(e);
                }
                CaptureEvent::TargetGone(why) => gone = Some(why),
            }
        }
        gone
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_keeps_the_newest_samples_only() {
        let mut c = CaptureState::default();
        for i in 0..MAX_SAMPLES + 10 {
            c.push_sample(UsageSample {
                secs: i as f64,
                used: 1,
                total: 2,
                rss: None,
                external: None,
                array_buffers: None,
            });
        }
        assert_eq!(c.samples.len(), MAX_SAMPLES);
        assert_eq!(c.samples[0].secs, 10.0);
        assert_eq!(c.last_sample().unwrap().secs, (MAX_SAMPLES + 9) as f64);
    }
}
