//! The session thread: waits for commands, samples heap usage, fires the schedule and
//! streams snapshots to disk, one thing at a time on one connection.

use super::CaptureError;
use super::cdp::Cdp;
use super::events::{CaptureEvent, Command, SavedSnapshot, Schedule, SessionOptions, Wake};
use super::stream::{PartialSnapshot, Take, stream_snapshot};
use super::usage::sample;
use crate::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// Without sampling, the connection is still checked this often, so that a target that exits
/// between scheduled snapshots is reported at once.
const LIVENESS: Duration = Duration::from_secs(1);
/// A forced GC on a big heap takes seconds; more than this means the target is stuck.
const GC_LIMIT: Duration = Duration::from_secs(120);

/// Queues events and wakes the UI.
pub(super) struct Outbox {
    pub tx: Sender<CaptureEvent>,
    pub wake: Option<Wake>,
}

impl Outbox {
    fn send(&self, e: CaptureEvent) {
        if self.tx.send(e).is_ok()
            && let Some(w) = &self.wake
        {
            w();
        }
    }
}

pub(super) struct Worker {
    cdp: Cdp,
    out: Outbox,
    stop: Arc<AtomicBool>,
    /// Ask `process.memoryUsage()` too.
    node: bool,
    opts: SessionOptions,
    started: Instant,
    schedule: Option<Schedule>,
    last_start: Option<Instant>,
    /// Without `every`, a heap threshold fires once per crossing.
    armed: bool,
    /// The next usage sample (or, without sampling, liveness check).
    next_check: Instant,
    /// A snapshot asked for (its GC flag) and not yet started.
    pending: Option<bool>,
    /// Snapshots started since the schedule was set (for its `count`).
    taken: u32,
}

impl Worker {
    pub(super) fn new(
        cdp: Cdp,
        out: Outbox,
        stop: Arc<AtomicBool>,
        node: bool,
        opts: SessionOptions,
    ) -> Worker {
        Worker {
            cdp,
            out,
            stop,
            node,
            opts,
            started: Instant::now(),
            schedule: None,
            last_start: None,
            armed: true,
            next_check: Instant::now(),
            pending: None,
            taken: 0,
        }
    }

    pub(super) fn run(mut self, commands: Receiver<Command>) {
        if let Err(CaptureError::Gone(why)) = self.serve(&commands) {
            self.out.send(CaptureEvent::TargetGone(why));
        }
        self.cdp.close();
    }

    /// Until detach (Ok) or the target is gone (Err).
    fn serve(&mut self, commands: &Receiver<Command>) -> Result<(), CaptureError> {
        loop {
            let wait = self.next_due().saturating_duration_since(Instant::now());
            match commands.recv_timeout(wait) {
                Ok(Command::Snapshot { gc }) => self.pending = Some(gc),
                Ok(Command::Schedule(s)) => {
                    self.schedule = s;
                    self.armed = true;
                    self.last_start = None;
                    self.taken = 0;
                }
                Ok(Command::Folder(dir)) => self.opts.dir = dir,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
            if self.stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            match self.step() {
                Err(CaptureError::Gone(why)) => return Err(CaptureError::Gone(why)),
                Err(CaptureError::Failed(why)) => self.out.send(CaptureEvent::Error(why)),
                Err(CaptureError::Stopped) | Ok(()) => {}
            }
        }
    }

    /// When something is due: a pending snapshot, a check, or the schedule's next capture.
    fn next_due(&self) -> Instant {
        if self.pending.is_some() {
            return Instant::now();
        }
        let periodic = self.periodic_due();
        periodic.map_or(self.next_check, |p| p.min(self.next_check))
    }

    /// When a plain "every N seconds" schedule takes its next snapshot.
    fn periodic_due(&self) -> Option<Instant> {
        let every = self.periodic_every()?;
        Some(self.last_start.map_or_else(Instant::now, |t| t + every))
    }

    /// The period of a plain "every N seconds" schedule (with a threshold, `every` only
    /// spaces the threshold's captures).
    fn periodic_every(&self) -> Option<Duration> {
        let s = self.schedule.as_ref()?;
        if s.heap_above.is_some() {
            None
        } else {
            s.every
        }
    }

    fn sampling_period(&self) -> Option<Duration> {
        let threshold = self
            .schedule
            .as_ref()
            .is_some_and(|s| s.heap_above.is_some());
        match self.opts.sample_every {
            Some(p) => Some(p),
            None if threshold => Some(Duration::from_secs(1)),
            None => None,
        }
    }

    fn step(&mut self) -> Result<(), CaptureError> {
        let now = Instant::now();
        if now >= self.next_check {
            match self.sampling_period() {
                Some(p) => {
                    self.next_check = now + p;
                    self.sample()?;
                }
                None => {
                    self.next_check = now + LIVENESS;
                    self.cdp.drain()?;
                }
            }
        }
        let gc = self.schedule.as_ref().is_some_and(|s| s.gc);
        let due = self.periodic_due().is_some_and(|t| t <= Instant::now());
        if self.pending.is_none() && due {
            self.pending = Some(gc);
        }
        match self.pending.take() {
            Some(gc) => self.take(gc),
            None => Ok(()),
        }
    }

    fn sample(&mut self) -> Result<(), CaptureError> {
        let secs = self.started.elapsed().as_secs_f64();
        let s = sample(&mut self.cdp, secs, &mut self.node, &self.stop)
            .map_err(|e| e.context("heap usage"))?;
        let fire = self.heap_trigger(s.used);
        self.out.send(CaptureEvent::Usage(s));
        if fire && self.pending.is_none() {
            self.pending = Some(self.schedule.as_ref().is_some_and(|s| s.gc));
        }
        Ok(())
    }

    /// Does heap usage `used` call for a capture under the schedule?
    fn heap_trigger(&mut self, used: u64) -> bool {
        let Some(s) = &self.schedule else {
            return false;
        };
        let since_last = self.last_start.map(|t| t.elapsed());
        heap_fires(s, used, &mut self.armed, since_last)
    }

    /// One snapshot, reported as events. Only a lost target (or a stop) is returned.
    fn take(&mut self, gc: bool) -> Result<(), CaptureError> {
        // Counted as started even if the file cannot be made: a schedule then retries a
        // period later rather than at once.
        let start = Instant::now();
        self.last_start = Some(start);
        self.taken += 1;
        let limit = self.schedule.as_ref().and_then(|s| s.count);
        if limit.is_some_and(|c| self.taken >= c) {
            self.schedule = None;
        }
        let mut file = PartialSnapshot::create(&self.opts.dir, &self.opts.prefix)?;
        let name = file.final_path().to_path_buf();
        let secs = start.duration_since(self.started).as_secs_f64();
        self.out.send(CaptureEvent::SnapshotStarted {
            path: name.clone(),
            secs,
        });
        let streamed = self.stream_into(&mut file, gc);
        let bytes = file.bytes();
        let result = streamed.and_then(|()| file.finish());
        match result {
            Ok((path, size)) => {
                let took = start.elapsed();
                let saved = SavedSnapshot {
                    path,
                    size,
                    secs,
                    took,
                };
                self.out.send(CaptureEvent::SnapshotSaved(saved));
                Ok(())
            }
            Err(e) => {
                let why = match &e {
                    CaptureError::Stopped => "stopped before it finished".to_string(),
                    other => other.to_string(),
                };
                self.out.send(CaptureEvent::Error(format!(
                    "{} not saved: {why} (after {} received; the partial file was removed)",
                    name.display(),
                    fmt::bytes(bytes)
                )));
                // Reported; only what ends the session goes up.
                match e {
                    CaptureError::Failed(_) => Ok(()),
                    other => Err(other),
                }
            }
        }
    }

    /// Optional GC, then the snapshot streamed into `file`, its progress sent as events.
    fn stream_into(&mut self, file: &mut PartialSnapshot, gc: bool) -> Result<(), CaptureError> {
        let take = Take {
            gc: gc.then_some(GC_LIMIT),
            limit: None,
        };
        let out = &self.out;
        let mut progress = |done, total, bytes| {
            out.send(CaptureEvent::SnapshotProgress { done, total, bytes });
        };
        stream_snapshot(&mut self.cdp, file, &take, &self.stop, &mut progress)
    }
}

/// The heap threshold's rule: above it, capture if `every` has passed since the last capture
/// (or there was none); without `every`, once per crossing (`armed` until it fires, re-armed
/// when the heap goes back below).
fn heap_fires(s: &Schedule, used: u64, armed: &mut bool, since_last: Option<Duration>) -> bool {
    let Some(limit) = s.heap_above else {
        return false;
    };
    if used <= limit {
        *armed = true;
        return false;
    }
    match s.every {
        Some(every) => since_last.is_none_or(|t| t >= every),
        None => std::mem::replace(armed, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_threshold_fires_once_per_crossing_or_once_per_period() {
        let mb = 1_000_000;
        let once = Schedule {
            heap_above: Some(10 * mb),
            ..Schedule::default()
        };
        let mut armed = true;
        let fired: Vec<bool> = [5, 11, 12, 9, 13, 14]
            .iter()
            .map(|&u| heap_fires(&once, u * mb, &mut armed, None))
            .collect();
        assert_eq!(fired, [false, true, false, false, true, false]);
        let spaced = Schedule {
            every: Some(Duration::from_secs(30)),
            ..once.clone()
        };
        let s = |secs| Some(Duration::from_secs(secs));
        assert!(heap_fires(&spaced, 11 * mb, &mut armed, None));
        assert!(!heap_fires(&spaced, 11 * mb, &mut armed, s(29)));
        assert!(heap_fires(&spaced, 11 * mb, &mut armed, s(30)));
        assert!(!heap_fires(&spaced, 9 * mb, &mut armed, s(300)));
        assert!(!heap_fires(&Schedule::default(), 99 * mb, &mut armed, None));
    }
}
