//! Live capture in the window, without egui: the attach dialog's state (listed targets,
//! errors), the attached session, its heap-usage samples (bounded), the marks where snapshots
//! were taken, the snapshot in progress and what went wrong. Listing targets and attaching
//! block for seconds, so they run as jobs; the session's events are drained every frame
//! (`CaptureState::poll`), and each saved snapshot is opened into the series.

use super::effects::Effects;
use super::job_output::JobOutput;
use super::jobs::{JobKey, Jobs};
use super::settings::Settings;
use crate::capture::{
    CaptureEvent, CaptureSession, SavedSnapshot, Schedule, SessionOptions, Target, TargetInfo,
    UsageSample, list_targets,
};
use std::collections::VecDeque;
use std::path::PathBuf;
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
    /// Why the target is gone, when the last events said so.
    gone: Option<String>,
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

/// Where snapshots are written: the remembered folder, else the user's data dir.
pub fn capture_dir(settings: &Settings) -> PathBuf {
    settings
        .capture_dir
        .clone()
        .unwrap_or_else(crate::capture::default_capture_dir)
}

/// The capture commands (`Command::ShowAttach` … `Command::CloseCapture`).
impl CaptureState {
    pub fn show_attach(&mut self, open: bool, jobs: &mut Jobs) {
        self.dialog_open = open;
        if !open {
            jobs.cancel(JobKey::ListTargets);
        }
    }

    pub fn take_snapshot(&self, gc: bool) {
        if let Some(s) = &self.session {
            s.take_snapshot(gc);
        }
    }

    pub fn set_schedule(&mut self, schedule: Option<Schedule>) {
        if let Some(s) = &self.session {
            s.set_schedule(schedule.clone());
            self.schedule = schedule;
        }
    }

    pub fn set_folder(&mut self, dir: PathBuf, settings: &mut Settings) {
        if let Some(s) = &self.session {
            s.set_folder(dir.clone());
        }
        settings.capture_dir = Some(dir);
    }

    /// Detaches if attached and hides the capture panel.
    pub fn close(&mut self) -> Effects {
        let fx = self.detach();
        self.ended = None;
        fx
    }

    pub fn list_targets(&mut self, at: &str, settings: &mut Settings, jobs: &mut Jobs) {
        let at = at.trim().to_string();
        settings.attach_at = at.clone();
        self.dialog_error = None;
        self.targets = None;
        let (host, port) = match Target::parse(&at) {
            Ok(Target::Inspector { host, port }) => (host, port),
            Ok(_) => {
                self.dialog_error =
                    Some("List targets needs HOST:PORT (e.g. 127.0.0.1:9229)".to_string());
                return;
            }
            Err(e) => {
                self.dialog_error = Some(e.to_string());
                return;
            }
        };
        jobs.spawn(JobKey::ListTargets, move |_| JobOutput::Targets {
            at,
            result: list_targets(&host, port).map_err(|e| e.to_string()),
        });
    }

    /// Attaches (a job); a session attached before is detached, its saved files opened.
    pub fn attach(
        &mut self,
        target: &str,
        folder: PathBuf,
        settings: &mut Settings,
        jobs: &mut Jobs,
    ) -> Effects {
        let target = target.trim();
        self.dialog_error = None;
        let parsed = match Target::parse(target) {
            Ok(t) => t,
            Err(e) => {
                self.dialog_error = Some(e.to_string());
                return Effects::none();
            }
        };
        if let Target::Inspector { .. } = parsed {
            settings.attach_at = target.to_string();
        }
        let fx = self.detach();
        self.attaching = self.targets.as_ref().and_then(|(_, list)| {
            list.iter()
                .find(|t| !t.ws_url.is_empty() && t.ws_url == target)
                .cloned()
        });
        settings.capture_dir = Some(folder.clone());
        let opts = SessionOptions {
            dir: folder,
            prefix: PREFIX.to_string(),
            sample_every: Some(Duration::from_secs(1)),
        };
        let waker = jobs.waker();
        let named = target.to_string();
        jobs.spawn(JobKey::Attach, move |_| {
            let wake: crate::capture::events::Wake = Box::new(move || waker());
            JobOutput::Attached(
                CaptureSession::attach(&parsed, opts, Some(wake))
                    .map(Box::new)
                    .map_err(|e| format!("Cannot attach to {named}: {e}")),
            )
        });
        fx
    }

    /// A finished attach: the session starts, the dialog closes.
    pub fn attached(&mut self, r: Result<Box<CaptureSession>, String>) -> Effects {
        match r {
            Ok(session) => {
                self.clear_session_data();
                let listed = self.attaching.take();
                let t = listed.as_ref().unwrap_or(session.target());
                let what = if t.title.is_empty() { &t.url } else { &t.title };
                self.attached_to = if t.kind.is_empty() {
                    what.clone()
                } else {
                    format!("{}: {what}", t.kind)
                };
                self.session = Some(*session);
                self.dialog_open = false;
                Effects::status(format!("Attached to {}", self.attached_to))
            }
            Err(e) => {
                self.dialog_error = Some(e);
                Effects::none()
            }
        }
    }

    /// Attaching ended without a session (a panic): nothing is being attached to.
    pub fn failed(&mut self, key: JobKey) {
        if key == JobKey::Attach {
            self.attaching = None;
        }
    }

    pub fn targets_listed(&mut self, at: String, r: Result<Vec<TargetInfo>, String>) {
        match r {
            Ok(list) if list.is_empty() => {
                self.dialog_error = Some(format!("{at} lists no targets"));
            }
            Ok(list) => self.targets = Some((at, list)),
            Err(e) => self.dialog_error = Some(e),
        }
    }

    /// Ends the session; the snapshots it saved meanwhile are to be opened.
    pub fn detach(&mut self) -> Effects {
        let Some(mut s) = self.session.take() else {
            return Effects::none();
        };
        s.detach();
        let fx = self.drain(&s);
        let n = self.saved.len();
        self.ended = Some(format!(
            "Detached from {}; {n} snapshot{} kept",
            self.attached_to,
            if n == 1 { "" } else { "s" }
        ));
        self.in_progress = None;
        fx
    }

    /// Drains the session's events (cheap: call every frame). Saved snapshots are opened.
    pub fn poll(&mut self) -> Effects {
        let Some(s) = self.session.take() else {
            return Effects::none();
        };
        let mut fx = self.drain(&s);
        match self.gone.take() {
            Some(why) => {
                let n = self.saved.len();
                self.ended = Some(format!(
                    "The target exited or the connection broke ({why}); {n} captured \
                     snapshot{} kept",
                    if n == 1 { "" } else { "s" }
                ));
                fx = fx.and(Effects::status("The capture target is gone"));
                self.in_progress = None;
            }
            None => self.session = Some(s),
        }
        fx
    }

    /// Takes in every waiting event: the files saved are to be opened; `gone` is set when
    /// the target is.
    fn drain(&mut self, s: &CaptureSession) -> Effects {
        let mut fx = Effects::none();
        while let Some(ev) = s.try_recv() {
            match ev {
                CaptureEvent::Usage(u) => self.push_sample(u),
                CaptureEvent::SnapshotStarted { path, secs } => {
                    self.marks.push(secs);
                    self.in_progress = Some(InProgress {
                        path,
                        done: 0,
                        total: 0,
                        bytes: 0,
                    });
                }
                CaptureEvent::SnapshotProgress { done, total, bytes } => {
                    if let Some(p) = &mut self.in_progress {
                        (p.done, p.total, p.bytes) = (done, total, bytes);
                    }
                }
                CaptureEvent::SnapshotSaved(saved) => {
                    self.in_progress = None;
                    let name = crate::paths::display_name(&saved.path);
                    let status = format!("Captured {name} ({})", crate::fmt::bytes(saved.size));
                    fx = fx.and(Effects::status(status));
                    fx.open.push(saved.path.clone());
                    self.saved.push(saved);
                }
                CaptureEvent::Error(e) => {
                    self.in_progress = None;
                    self.last_error = Some(e);
                }
                CaptureEvent::TargetGone(why) => self.gone = Some(why),
            }
        }
        fx
    }
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
