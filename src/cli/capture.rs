use super::CliError;
use crate::capture::{
    CaptureEvent, CaptureSession, SavedSnapshot, Schedule, SessionOptions, Target,
};
use crate::model::format;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `heapdive capture`'s options.
pub struct CaptureArgs {
    pub target: String,
    pub dir: PathBuf,
    pub count: Option<u32>,
    pub every: Option<f64>,
    pub gc: bool,
    pub name: String,
    pub heap_above_mb: Option<f64>,
}

/// Set by Ctrl+C: stop cleanly, keeping the files already written.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Attaches, captures on the schedule the options say, prints each saved file on `out`
/// (path, size, how long it took, when) and progress on stderr when it is a terminal.
pub fn run(a: &CaptureArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let schedule = schedule_of(a)?;
    let target = Target::parse(&a.target)?;
    // One handler per process: a second capture in the same process keeps the first.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::Relaxed));
    INTERRUPTED.store(false, Ordering::Relaxed);
    let opts = SessionOptions {
        dir: a.dir.clone(),
        prefix: a.name.clone(),
        sample_every: None,
    };
    let mut session = CaptureSession::attach(&target, opts, None)?;
    let t = session.target();
    eprintln!(
        "heapdive: attached to {} {} ({})",
        t.kind, t.title, t.ws_url
    );
    let limit = schedule.count;
    session.set_schedule(Some(schedule));
    let mut saved = 0u32;
    let result = watch(&session, limit, out, &mut saved);
    session.detach();
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[K"); // Clears a progress line cut short.
    }
    // What the session said while stopping (a snapshot cut short by Ctrl+C).
    while let Some(ev) = session.try_recv() {
        if let CaptureEvent::Error(m) = ev {
            eprintln!("heapdive: {m}");
        }
    }
    if INTERRUPTED.load(Ordering::Relaxed) {
        eprintln!("heapdive: stopped; {saved} snapshot(s) kept");
    }
    result
}

fn schedule_of(a: &CaptureArgs) -> Result<Schedule, CliError> {
    let every = match a.every {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            return Err(CliError(format!(
                "--every {s}: seconds must be a positive number"
            )));
        }
        Some(s) => Some(Duration::from_secs_f64(s)),
        // Without a period or a threshold, the snapshots are taken back to back.
        None if a.heap_above_mb.is_none() => Some(Duration::ZERO),
        None => None,
    };
    let heap_above = match a.heap_above_mb {
        Some(mb) if !(mb.is_finite() && mb > 0.0) => {
            return Err(CliError(format!(
                "--when-heap-above {mb}: MB must be positive"
            )));
        }
        Some(mb) => Some((mb * 1e6) as u64),
        None => None,
    };
    if a.count == Some(0) {
        return Err(CliError("--count 0: nothing to capture".into()));
    }
    // One snapshot unless a schedule is given; a schedule runs until Ctrl+C.
    let open_ended = a.every.is_some() || heap_above.is_some();
    let count = a.count.or(if open_ended { None } else { Some(1) });
    Ok(Schedule {
        every,
        heap_above,
        gc: a.gc,
        count,
    })
}

/// Events until the count is reached (Ok), Ctrl+C (Ok), or an error or a lost target.
fn watch(
    session: &CaptureSession,
    limit: Option<u32>,
    out: &mut dyn Write,
    saved: &mut u32,
) -> Result<(), CliError> {
    let tty = std::io::stderr().is_terminal();
    let mut current = String::new();
    while !INTERRUPTED.load(Ordering::Relaxed) {
        let ev = match session.recv_timeout(Duration::from_millis(200)) {
            Some(ev) => ev,
            None if session.is_attached() => continue,
            None => match session.try_recv() {
                Some(ev) => ev,
                None => return Err(CliError("the capture session ended".into())),
            },
        };
        match ev {
            CaptureEvent::Usage(_) => {}
            CaptureEvent::SnapshotStarted { path, .. } => current = path.display().to_string(),
            CaptureEvent::SnapshotProgress { done, total, bytes } if tty => {
                let pct = done * 100 / total.max(1);
                let written = format::bytes(bytes);
                eprint!("\r\x1b[K{current}: {pct}% of objects, {written} written");
            }
            CaptureEvent::SnapshotProgress { .. } => {}
            CaptureEvent::SnapshotSaved(s) => {
                if tty {
                    eprint!("\r\x1b[K");
                }
                print_saved(&s, out)?;
                *saved += 1;
                if limit.is_some_and(|c| *saved >= c) {
                    return Ok(());
                }
            }
            CaptureEvent::Error(m) => return Err(CliError(m)),
            CaptureEvent::TargetGone(m) => {
                return Err(CliError(format!("{m}; {saved} snapshot(s) kept")));
            }
        }
    }
    Ok(())
}

fn print_saved(s: &SavedSnapshot, out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(
        out,
        "{}\t{}\t{:.1} s\t{}",
        s.path.display(),
        format::bytes(s.size),
        s.took.as_secs_f64(),
        clock_utc()
    )?;
    out.flush()?;
    Ok(())
}

/// The time of day in UTC, HH:MM:SS (no time zone database needed).
fn clock_utc() -> String {
    let s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        % 86_400;
    format!("{:02}:{:02}:{:02} UTC", s / 3600, s / 60 % 60, s % 60)
}
