//! `heapdive check`: a leak test for CI. Runs a scenario (start a program, repeat an action,
//! a snapshot after each round), reads the leak report over the series and decides: exit 1
//! when a row grew in every round by at least `--min-count` objects and `--min-bytes` bytes,
//! 0 when none did, 2 for bad usage, 3 when the scenario itself failed.

use super::load_for_cli;
use crate::analysis::leaks::{LeakGroup, LeakReport, leak_report};
use crate::analysis::locations::short_script;
use crate::capture::scenario::{self, Scenario};
use crate::fmt;
use crate::sources::SourceMaps;
use crate::sources::class_names::name_report;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The defaults of `--repeat`, `--warmup`, `--min-count` and `--min-bytes`.
pub const REPEAT: u32 = 3;
pub const WARMUP: u32 = 1;
pub const MIN_COUNT: u64 = 1;
pub const MIN_BYTES: u64 = 1024;

/// `heapdive check`'s options.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// JavaScript evaluated in the program's global scope once per round (awaited when it
    /// returns a promise).
    #[arg(long)]
    pub action: String,
    /// Rounds of the action, each followed by a garbage collection and a snapshot.
    #[arg(long, default_value_t = REPEAT)]
    pub repeat: u32,
    /// Rounds of the action before the first snapshot (caches and code warm up).
    #[arg(long, default_value_t = WARMUP)]
    pub warmup: u32,
    /// JavaScript that is truthy once the program is ready (polled until then).
    #[arg(long)]
    pub ready: Option<String>,
    /// Use a process that already listens (HOST:PORT) instead of starting one.
    #[arg(long, value_name = "HOST:PORT")]
    pub attach: Option<String>,
    /// Open this page in headless Chromium instead of starting a program.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The Chromium to run for --url (default: chromium or google-chrome on PATH).
    #[arg(long, value_name = "PATH")]
    pub browser: Option<PathBuf>,
    /// Where the snapshots go (default: a new temporary folder).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Keep the snapshots when nothing leaks (they are always kept on a leak).
    #[arg(long)]
    pub keep: bool,
    /// A leak adds at least this many objects per round.
    #[arg(long, default_value_t = MIN_COUNT)]
    pub min_count: u64,
    /// A leak adds at least this many bytes (retained) per round.
    #[arg(long, default_value_t = MIN_BYTES)]
    pub min_bytes: u64,
    /// The report as JSON, with the verdict, the rounds and the snapshots.
    #[arg(long)]
    pub json: bool,
    /// Also write a JUnit XML report (one test case per leak) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// The program to start, after `--`: `-- node app.js ARGS...`.
    #[arg(last = true, value_name = "PROGRAM")]
    pub program: Vec<String>,
    /// Environment variables for the program (the MCP tool's; on the command line, the
    /// shell's).
    #[arg(skip)]
    pub env: Vec<(String, String)>,
}

/// How `check` ended, as its exit code says.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Pass = 0,
    Leak = 1,
    Usage = 2,
    ScenarioFailed = 3,
}

/// What a check found over a scenario that ran to its end.
pub struct Verdict {
    /// `Pass` or `Leak`.
    pub outcome: Outcome,
    pub report: LeakReport,
    /// The rows that are leaks (indices into `report.groups`), in the report's order.
    pub leaks: Vec<usize>,
    pub rounds: u64,
    /// The snapshots, oldest first (deleted on a pass without `--keep`).
    pub snapshots: Vec<PathBuf>,
    /// The snapshots loaded, oldest first.
    pub heaps: Vec<crate::Heap>,
}

impl Verdict {
    pub fn leak_rows(&self) -> Vec<&LeakGroup> {
        self.leaks.iter().map(|&i| &self.report.groups[i]).collect()
    }
}

/// Runs the check; what went wrong is already printed (stderr) when it returns.
pub fn run(a: &CheckArgs, out: &mut dyn Write) -> Outcome {
    crate::capture::process_tree::stop_started_on_signals();
    let v = match verdict(a, &mut |step| eprintln!("heapdive check: {step}")) {
        Ok(v) => v,
        Err((outcome, why)) => {
            eprintln!("heapdive: {why}");
            return outcome;
        }
    };
    let written = if a.json {
        write_json(out, &v)
    } else {
        write_text(out, &v)
    };
    if let Err(e) = written {
        eprintln!("heapdive: {e}");
        return Outcome::ScenarioFailed;
    }
    if let Some(f) = &a.junit
        && let Err(e) = std::fs::write(f, junit(&v.leak_rows()))
    {
        eprintln!("heapdive: {}: {e}", f.display());
        return Outcome::ScenarioFailed;
    }
    v.outcome
}

/// Checks the options, runs the scenario (`say` hears each step) and decides; a pass
/// without `keep` deletes the snapshots. Err: bad usage or the scenario's failure, with the
/// one line that says which.
pub fn verdict(a: &CheckArgs, say: &mut dyn FnMut(&str)) -> Result<Verdict, (Outcome, String)> {
    let targets = [!a.program.is_empty(), a.attach.is_some(), a.url.is_some()];
    if targets.iter().filter(|&&t| t).count() != 1 {
        return Err((
            Outcome::Usage,
            "check needs one of: a program after -- (-- node app.js), --url URL, --attach HOST:PORT"
                .into(),
        ));
    }
    if a.repeat < 2 {
        return Err((
            Outcome::Usage,
            "check needs --repeat 2 or more (a leak grows in every round)".into(),
        ));
    }
    let (dir, temporary) = match &a.out {
        Some(d) => (d.clone(), false),
        None => (temp_dir(), true),
    };
    let s = Scenario {
        program: a.program.clone(),
        env: a.env.clone(),
        attach: a.attach.clone(),
        url: a.url.clone(),
        browser: a.browser.clone(),
        ready: a.ready.clone(),
        action: a.action.clone(),
        warmup: a.warmup,
        repeat: a.repeat,
        out: dir.clone(),
    };
    let decided = scenario::run(&s, say)
        .map_err(|why| format!("the scenario failed: {why}"))
        .and_then(|snaps| decide(a, snaps));
    let v = match decided {
        Ok(v) => v,
        Err(why) => {
            if temporary {
                let _ = std::fs::remove_dir_all(&dir);
            }
            return Err((Outcome::ScenarioFailed, why));
        }
    };
    if v.outcome == Outcome::Pass && !a.keep {
        for p in &v.snapshots {
            let _ = std::fs::remove_file(p);
        }
        if temporary {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    Ok(v)
}

fn temp_dir() -> PathBuf {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    std::env::temp_dir().join(format!("heapdive-check-{}-{stamp}", std::process::id()))
}

/// A row is a leak when it grew in every round by the thresholds.
fn is_leak(g: &LeakGroup, rounds: u64, a: &CheckArgs) -> bool {
    let per_round = g.counts.windows(2).map(|w| w[1].saturating_sub(w[0])).min();
    per_round.is_some_and(|c| c >= a.min_count)
        && g.counts.windows(2).all(|w| w[1] > w[0])
        && g.retained_size / rounds.max(1) >= a.min_bytes
}

fn decide(a: &CheckArgs, snapshots: Vec<PathBuf>) -> Result<Verdict, String> {
    let heaps = snapshots
        .iter()
        .map(|p| load_for_cli(p, false).map_err(|e| e.0))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&crate::Heap> = heaps.iter().collect();
    let mut report = leak_report(&refs);
    let mut maps = SourceMaps::new();
    if let Some(program) = a.program.get(1) {
        maps.search_near(Path::new(program));
    }
    name_report(&mut report, heaps.last().expect("snapshots"), &mut maps);
    let rounds = a.repeat as u64;
    let leaks: Vec<usize> = (0..report.groups.len())
        .filter(|&i| is_leak(&report.groups[i], rounds, a))
        .collect();
    let outcome = if leaks.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Leak
    };
    Ok(Verdict {
        outcome,
        report,
        leaks,
        rounds,
        snapshots,
        heaps,
    })
}

/// The verdict, then each leak row (pattern, count per round, where it builds up, code, fix)
/// and the snapshots kept.
pub fn write_text(out: &mut dyn Write, v: &Verdict) -> std::io::Result<()> {
    let leaks = v.leak_rows();
    if leaks.is_empty() {
        return writeln!(out, "pass: no row grew in every round");
    }
    let rows = if leaks.len() == 1 {
        "row grows"
    } else {
        "rows grow"
    };
    writeln!(out, "leak: {} {rows} in every round", leaks.len())?;
    for (i, g) in leaks.iter().enumerate() {
        writeln!(out, "\n{}. {}", i + 1, one_line(g))?;
        if let Some(h) = &g.holder {
            writeln!(out, "   builds up in: {}", h.label)?;
        }
        if let Some(l) = &g.location {
            writeln!(out, "   code: {}:{}", short_script(&l.script), l.line)?;
        }
        writeln!(out, "   fix: {}", g.fix)?;
    }
    writeln!(out, "\nsnapshots kept:")?;
    for p in &v.snapshots {
        writeln!(out, "   {}", p.display())?;
    }
    Ok(())
}

/// `[collection] Session: 5 → 45 → 85 → 125 (+40 per round), 26.8 kB added`.
fn one_line(g: &LeakGroup) -> String {
    let counts: Vec<String> = g.counts.iter().map(|c| c.to_string()).collect();
    let rounds = g.counts.len().saturating_sub(1).max(1) as u64;
    let per = (g.counts.last().unwrap_or(&0) - g.counts.first().unwrap_or(&0)) / rounds;
    format!(
        "[{}] {}: {} (+{per} per round), {} added",
        g.pattern.word(),
        g.title(),
        counts.join(" → "),
        fmt::bytes(g.retained_size)
    )
}

fn write_json(out: &mut dyn Write, v: &Verdict) -> std::io::Result<()> {
    let mut doc = serde_json::to_value(&v.report)?;
    let leak = v.outcome == Outcome::Leak;
    doc["verdict"] = (if leak { "leak" } else { "pass" }).into();
    doc["rounds"] = v.rounds.into();
    doc["snapshots"] = v
        .snapshots
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .into();
    doc["leaks"] = serde_json::to_value(v.leak_rows())?;
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: one failing test case per leak, or one passing case.
fn junit(leaks: &[&LeakGroup]) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let n = leaks.len().max(1);
    x += &format!(
        "<testsuite name=\"heapdive check\" tests=\"{n}\" failures=\"{}\">\n",
        leaks.len()
    );
    if leaks.is_empty() {
        x += "  <testcase classname=\"heapdive.check\" name=\"no leak\"/>\n";
    }
    for g in leaks {
        let mut body = one_line(g);
        if let Some(h) = &g.holder {
            body += &format!("\nbuilds up in: {}", h.label);
        }
        body += &format!("\nfix: {}", g.fix);
        x += &format!(
            "  <testcase classname=\"heapdive.check\" name=\"{}\">\n    <failure message=\"{}\">{}</failure>\n  </testcase>\n",
            xml(&g.title()),
            xml(&one_line(g)),
            xml(&body)
        );
    }
    x + "</testsuite>\n"
}
