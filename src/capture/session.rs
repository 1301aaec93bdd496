//! A capture session: one attached target, served by its own thread, driven by commands
//! (take a snapshot, set a schedule, detach) and reporting through events. The CLI's
//! `capture` and the window's capture panel both use it; neither blocks on the target.

use super::cdp::Cdp;
use super::target::{Target, TargetInfo, resolve};
use super::usage::UsageSample;
use super::worker::{Outbox, Worker};
use super::{CaptureError, failed};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
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

/// An attached target. Dropping it detaches.
pub struct CaptureSession {
    info: TargetInfo,
    commands: Option<Sender<Command>>,
    events: Receiver<CaptureEvent>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl CaptureSession {
    /// Finds the target, connects and enables the heap profiler; then a thread serves it.
    /// Blocks for the connection (seconds at worst; up to 5 s more for `pid:`, while the
    /// process opens its inspector): a window calls it off the UI thread.
    pub fn attach(
        target: &Target,
        opts: SessionOptions,
        wake: Option<Wake>,
    ) -> Result<CaptureSession, CaptureError> {
        let info = resolve(target)?;
        let mut cdp = Cdp::connect(&info.ws_url)?;
        let never = AtomicBool::new(false);
        let ignore = &mut |_: &str, _: &Value| Ok(());
        let limit = Some(Duration::from_secs(10));
        cdp.call("HeapProfiler.enable", json!({}), limit, &never, ignore)
            .map_err(|e| e.context(&format!("attaching to {}", info.ws_url)))?;
        let (cmd_tx, cmd_rx) = channel();
        let (ev_tx, ev_rx) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        // Deno and pages have no `process`; a ws:// URL may be anything: try, then stop.
        let node = info.kind == "node" || info.kind.is_empty();
        let out = Outbox { tx: ev_tx, wake };
        let worker = Worker::new(cdp, out, stop.clone(), node, opts);
        let thread = std::thread::Builder::new()
            .name("heapdive-capture".into())
            .spawn(move || worker.run(cmd_rx))
            .map_err(|e| failed(format!("starting the capture thread: {e}")))?;
        Ok(CaptureSession {
            info,
            commands: Some(cmd_tx),
            events: ev_rx,
            stop,
            thread: Some(thread),
        })
    }

    /// The target attached to (title, url, type, WebSocket URL).
    pub fn target(&self) -> &TargetInfo {
        &self.info
    }

    /// Asks for one snapshot now (after the one in progress, if any).
    pub fn take_snapshot(&self, gc: bool) {
        self.send(Command::Snapshot { gc });
    }

    /// Replaces the schedule; None stops automatic captures.
    pub fn set_schedule(&self, schedule: Option<Schedule>) {
        self.send(Command::Schedule(schedule));
    }

    /// Where the next snapshots go (the one in progress, if any, finishes where it began).
    pub fn set_folder(&self, dir: PathBuf) {
        self.send(Command::Folder(dir));
    }

    fn send(&self, c: Command) {
        if let Some(tx) = &self.commands {
            let _ = tx.send(c); // The thread has ended: its TargetGone says why.
        }
    }

    /// The next event, if one is waiting.
    pub fn try_recv(&self) -> Option<CaptureEvent> {
        self.events.try_recv().ok()
    }

    /// Waits up to `d` for the next event.
    pub fn recv_timeout(&self, d: Duration) -> Option<CaptureEvent> {
        self.events.recv_timeout(d).ok()
    }

    /// False once the thread has ended (detached, or the target is gone).
    pub fn is_attached(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops: a snapshot in progress is abandoned (its partial file removed); finished files
    /// stay. Events queued before remain readable with `try_recv`.
    pub fn detach(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.commands = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for CaptureSession {
    fn drop(&mut self) {
        self.detach();
    }
}
