//! The MCP tools that work on a live process: `capture` (snapshots of a running target) and
//! `check` (a leak test's scenario and verdict). Both block for as long as the target takes;
//! the server runs them off its runtime's thread.

use super::answers::size;
use crate::capture::{CaptureEvent, CaptureSession, SavedSnapshot, Schedule, SessionOptions};
use crate::capture::{Target, default_capture_dir};
use crate::cli::CliError;
use crate::cli::check::{self, CheckArgs, Outcome, Verdict};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// At most this many snapshots per `capture` call.
pub const MAX_COUNT: u32 = 50;

/// What `capture` was asked for.
pub struct CaptureAsk {
    pub target: String,
    pub count: u32,
    pub interval: Duration,
    pub gc: bool,
    pub dir: Option<PathBuf>,
}

/// Checks a capture's numbers, in the CLI's words where it has them.
pub fn capture_ask(
    target: String,
    count: Option<u32>,
    interval: Option<f64>,
    gc: bool,
    dir: Option<String>,
) -> Result<CaptureAsk, CliError> {
    let count = count.unwrap_or(1);
    if count == 0 {
        return Err(CliError("count 0: nothing to capture".into()));
    }
    if count > MAX_COUNT {
        return Err(CliError(format!(
            "count {count}: at most {MAX_COUNT} snapshots per call"
        )));
    }
    let interval = match interval {
        Some(s) if !(s.is_finite() && s >= 0.0) => {
            return Err(CliError(format!(
                "interval {s}: seconds must be a number, 0 or more"
            )));
        }
        Some(s) => Duration::from_secs_f64(s),
        None => Duration::ZERO,
    };
    Ok(CaptureAsk {
        target,
        count,
        interval,
        gc,
        dir: dir.map(PathBuf::from),
    })
}

/// Attaches to the target, takes `count` snapshots `interval` apart (start to start) and
/// detaches: the saved files, oldest first, and the target's description.
pub fn capture(a: &CaptureAsk) -> Result<(String, Vec<SavedSnapshot>), CliError> {
    let target = Target::parse(&a.target)?;
    let opts = SessionOptions {
        dir: a.dir.clone().unwrap_or_else(default_capture_dir),
        prefix: "capture".into(),
        sample_every: None,
    };
    let mut session = CaptureSession::attach(&target, opts, None)?;
    let t = session.target();
    let described = format!("{} {} ({})", t.kind, t.title, t.ws_url);
    session.set_schedule(Some(Schedule {
        every: Some(a.interval),
        heap_above: None,
        gc: a.gc,
        count: Some(a.count),
    }));
    let mut saved = Vec::new();
    let result = collect(&session, a.count, &mut saved);
    session.detach();
    result.map(|()| (described, saved))
}

/// Events until `count` snapshots are saved, an error, or the target is gone.
fn collect(
    session: &CaptureSession,
    count: u32,
    saved: &mut Vec<SavedSnapshot>,
) -> Result<(), CliError> {
    // A snapshot that makes no progress for this long is stuck.
    const QUIET: Duration = Duration::from_secs(600);
    let mut last = Instant::now();
    while saved.len() < count as usize {
        let ev = match session.recv_timeout(Duration::from_millis(200)) {
            Some(ev) => ev,
            None if last.elapsed() > QUIET => {
                return Err(CliError(format!(
                    "the target sent nothing for {} s; {} snapshot(s) kept",
                    QUIET.as_secs(),
                    saved.len()
                )));
            }
            None if session.is_attached() => continue,
            None => match session.try_recv() {
                Some(ev) => ev,
                None => return Err(CliError("the capture session ended".into())),
            },
        };
        last = Instant::now();
        match ev {
            CaptureEvent::SnapshotSaved(s) => saved.push(s),
            CaptureEvent::Error(m) => return Err(CliError(m)),
            CaptureEvent::TargetGone(m) => {
                return Err(CliError(format!("{m}; {} snapshot(s) kept", saved.len())));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The answer to `capture`: each file with its id (when opened), size and time.
pub fn captured(described: &str, saved: &[SavedSnapshot], ids: &[String]) -> String {
    let mut s = format!("captured {} snapshot(s) of {described}\n", saved.len());
    for (i, f) in saved.iter().enumerate() {
        let id = ids.get(i).map_or(String::new(), |id| format!("{id}: "));
        let _ = writeln!(
            s,
            "{id}{}  {}, took {:.1} s, at {:.1} s",
            f.path.display(),
            size(f.size),
            f.took.as_secs_f64(),
            f.secs
        );
    }
    if ids.len() >= 3 {
        let _ = write!(s, "next: leaks {{\"snapshots\": {ids:?}}}");
    }
    s.trim_end().to_string()
}

/// Runs `heapdive check`'s scenario, with the CLI's defaults for what was not given, and
/// decides. Err: bad usage or the scenario's failure, in the CLI's one line.
pub fn check(a: super::CheckToolArgs) -> Result<Verdict, String> {
    let args = CheckArgs {
        action: a.action,
        repeat: a.repeat.unwrap_or(check::REPEAT),
        warmup: a.warmup.unwrap_or(check::WARMUP),
        ready: a.ready,
        attach: a.attach,
        url: a.url,
        browser: a.browser.map(PathBuf::from),
        out: a.out.map(PathBuf::from),
        keep: a.keep.unwrap_or(false),
        min_count: a.min_count.unwrap_or(check::MIN_COUNT),
        min_bytes: a.min_bytes.unwrap_or(check::MIN_BYTES),
        json: false,
        junit: None,
        program: a.program.unwrap_or_default(),
        env: a.env.unwrap_or_default().into_iter().collect(),
    };
    check::verdict(&args, &mut |step| eprintln!("heapdive check: {step}")).map_err(|(_, why)| why)
}

/// The verdict in the CLI's words, then the ids the kept snapshots were opened as.
pub fn checked(v: &Verdict, ids: &[String]) -> String {
    let mut out = Vec::new();
    let _ = check::write_text(&mut out, v);
    let mut s = String::from_utf8_lossy(&out).trim_end().to_string();
    if v.outcome == Outcome::Leak && !ids.is_empty() {
        let _ = write!(
            s,
            "\nopened as {}: ask leaks {{\"snapshots\": {ids:?}}} for each row's @id, then retainers",
            ids.join(", ")
        );
    }
    s
}
