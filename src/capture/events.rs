//! What a capture session and its worker thread exchange: the options and schedule they
//! are given, the commands sent to the worker and the events it reports.

use super::usage::UsageSample;
use std::path::PathBuf;
use std::time::Duration;

/// Where and how a session writes and samples.
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// Snapshots go to `dir/prefix-N.heapsnapshot`.
    pub dir: PathBuf,
    pub prefix: String,
    /// Heap usage sampling period; None samples only when a heap threshold needs it.
    pub sample_every: Option<Duration>,
}

/// Automatic captures. With only `every`, the first is taken at once and then one every
/// period (start to start). With `heap_above` (bytes of JS heap used), a capture is taken
/// when a sample passes it; then again only after `every`, or, without `every`, after the
/// heap has gone back below the threshold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schedule {
    pub every: Option<Duration>,
    pub heap_above: Option<u64>,
    /// Collect garbage before each scheduled snapshot.
    pub gc: bool,
    /// The schedule ends after this many snapshots (those asked for by hand included).
    pub count: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SavedSnapshot {
    pub path: PathBuf,
    pub size: u64,
    /// When it was started, in seconds since attach (the chart's mark).
    pub secs: f64,
    /// How long it took, GC and streaming included.
    pub took: Duration,
}

/// What a session reports, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum CaptureEvent {
    Usage(UsageSample),
    /// A snapshot began; it will be saved as `path`.
    SnapshotStarted {
        path: PathBuf,
        secs: f64,
    },
    /// `done`/`total`: objects V8 has serialized (0/0 before it says); `bytes`: written so far.
    SnapshotProgress {
        done: u64,
        total: u64,
        bytes: u64,
    },
    SnapshotSaved(SavedSnapshot),
    /// A snapshot or a sample failed; the session goes on (unless TargetGone follows).
    Error(String),
    /// The target exited or the connection broke; the session's thread has ended.
    TargetGone(String),
}

pub(super) enum Command {
    Snapshot { gc: bool },
    Schedule(Option<Schedule>),
    Folder(PathBuf),
}

/// Wakes the UI when an event is queued (e.g. `ctx.request_repaint()`).
pub type Wake = Box<dyn Fn() + Send>;
