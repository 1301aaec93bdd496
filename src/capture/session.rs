//! A capture session: one attached target, served by its own thread, driven by commands
//! (take a snapshot, set a schedule, detach) and reporting through events. The CLI's
//! `capture` and the window's capture panel both use it; neither blocks on the target.

use super::cdp::Cdp;
use super::events::{CaptureEvent, Command, Schedule, SessionOptions, Wake};
use super::target::{Target, TargetInfo, resolve};
use super::worker::{Outbox, Worker};
use super::{CaptureError, failed};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

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
