//! The scriptable command line over the engine. `heapdive` alone (or with files) opens the
//! GUI; subcommands print numbers. Errors are one line on stderr and exit code 1; usage
//! errors exit with 2 (clap's convention).

mod allocations;
mod capture;
pub mod check;
mod contexts;
mod diff;
mod growth;
mod leaks;
mod nodes;
mod profile;
mod redact;
mod retainers;
mod stats;
mod summary;
mod targets;

use crate::analysis::{Control, Heap};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "heapdive",
    version,
    about = "Explore V8 heap snapshots: a fast native alternative to the DevTools Memory panel"
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Snapshots to open in the window (.heapsnapshot or .heapsnapshot.gz); several form a series.
    pub files: Vec<PathBuf>,
    /// Open the window with object @ID (of the first snapshot) selected and its retainers shown.
    #[arg(long, value_name = "@ID", value_parser = parse_object_id)]
    pub select: Option<u64>,
}

/// `@123` or `123`.
pub(crate) fn parse_object_id(s: &str) -> Result<u64, String> {
    s.trim_start_matches('@')
        .parse()
        .map_err(|_| format!("'{s}' is not an object id such as @12345"))
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The Summary view: objects grouped by class, sorted by retained size.
    Summary {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Rows to print in the table (all rows in JSON).
        #[arg(long, default_value_t = 30)]
        top: usize,
        /// Only the objects of one native context (its @id), or `shared` (between native
        /// contexts) or `unattributed` (to none), as DevTools' native-context filters.
        #[arg(long, value_name = "ID|shared|unattributed")]
        context: Option<String>,
        #[arg(long)]
        timings: bool,
    },
    /// One TSV line per node: id type name class self retained distance dominator_id.
    Nodes {
        file: PathBuf,
        #[arg(long)]
        timings: bool,
    },
    /// The Statistics view: memory by category.
    Stats {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Per native context (page, iframe, worker…), plus objects shared between them and
        /// objects attributed to none.
        #[arg(long)]
        by_context: bool,
        #[arg(long)]
        timings: bool,
    },
    /// Why object @ID is alive: its retainers and the K shortest retaining paths.
    Retainers {
        file: PathBuf,
        /// Object id (with or without the leading @).
        id: String,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 5)]
        paths: usize,
        /// Read scripts the snapshot names under FROM from the local folder TO (FROM=TO;
        /// repeatable), for source lines and source maps.
        #[arg(long, value_name = "FROM=TO")]
        remap: Vec<String>,
        #[arg(long)]
        timings: bool,
    },
    /// Closure scopes: each scope's owner function and place, retained size and variables,
    /// biggest first.
    Contexts {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Scopes to print in the table (all in JSON).
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// Read scripts the snapshot names under FROM from the local folder TO (FROM=TO;
        /// repeatable), for source maps.
        #[arg(long, value_name = "FROM=TO")]
        remap: Vec<String>,
        #[arg(long)]
        timings: bool,
    },
    /// Each class's count and sizes across a series of snapshots (in the order given).
    Growth {
        #[arg(required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Rank by shallow size growth instead of count growth (table only).
        #[arg(long)]
        by_size: bool,
        #[arg(long, default_value_t = 20)]
        top: usize,
        #[arg(long)]
        timings: bool,
    },
    /// Leak report over a series S1 S2 ... SN (three or more, oldest first): one row per
    /// place where objects build up, counted in every snapshot; rows that grew every time
    /// are the leaks, the rest were allocated once. With one snapshot (an out-of-memory
    /// file): the suspects, the collections that hold the most.
    Leaks {
        #[arg(required = true, num_args = 1.., value_name = "SNAPSHOT")]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 15)]
        top: usize,
        /// Read scripts the snapshot names under FROM from the local folder TO (FROM=TO;
        /// repeatable), for source maps and original class names.
        #[arg(long, value_name = "FROM=TO")]
        remap: Vec<String>,
        /// Also look for the snapshot's scripts under DIR, by the longest path suffix that
        /// exists (repeatable).
        #[arg(long, value_name = "DIR")]
        sources: Vec<PathBuf>,
        #[arg(long)]
        timings: bool,
    },
    /// A leak test for CI: start a program (after --) or attach to one, repeat an action,
    /// snapshot after each round, and exit 1 when a row of the leak report grew in every
    /// round (0: no leak, 2: bad usage, 3: the scenario failed).
    Check(check::CheckArgs),
    /// A Model Context Protocol server on stdio for coding agents: open snapshots, the
    /// Summary, diff, the leak report, retainers and objects, answered in words.
    Mcp,
    /// The Allocation view of a snapshot taken with allocation tracking: per function, what
    /// it allocated and what of that is alive; --stacks adds each object's allocation stack.
    Allocations {
        file: PathBuf,
        /// Also list each live object's allocation stack (innermost frame first).
        #[arg(long)]
        stacks: bool,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        timings: bool,
    },
    /// A sampling heap profile (.heapprofile): functions by self size, bottom-up.
    Profile {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Rows to print in the table (all rows in JSON; 0 for all).
        #[arg(long, default_value_t = 30)]
        top: usize,
    },
    /// Writes a copy to share: every string value (strings, script sources) replaced by a
    /// placeholder; the graph, sizes and the names of classes, properties and functions kept.
    Redact {
        /// The snapshot to copy (.heapsnapshot or .heapsnapshot.gz).
        input: PathBuf,
        /// Where to write the copy (gzip when the name ends in .gz).
        output: PathBuf,
    },
    /// The Comparison view: what was allocated and freed between BASE and FILE.
    Diff {
        base: PathBuf,
        file: PathBuf,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 30)]
        top: usize,
        #[arg(long)]
        timings: bool,
    },
    /// The targets a running inspector lists (node --inspect, Chrome --remote-debugging-port).
    Targets {
        /// The inspector's HOST:PORT, e.g. 127.0.0.1:9229.
        #[arg(value_name = "HOST:PORT")]
        at: String,
        #[arg(long)]
        json: bool,
    },
    /// Take heap snapshots from a running process, streamed to DIR/PREFIX-N.heapsnapshot.
    Capture {
        /// HOST:PORT (its first Node or page target), a ws:// URL, or pid:PID (Node without
        /// --inspect: SIGUSR1 opens 127.0.0.1:9229).
        target: String,
        /// Folder for the snapshots (created if missing).
        #[arg(short = 'o', long = "out", value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// Snapshots to take (default 1; with --every or --when-heap-above, until Ctrl+C).
        #[arg(long, value_name = "N")]
        count: Option<u32>,
        /// Seconds between snapshots (start to start).
        #[arg(long, value_name = "SECONDS")]
        every: Option<f64>,
        /// Collect garbage before each snapshot.
        #[arg(long)]
        gc: bool,
        /// File name prefix.
        #[arg(long = "name", value_name = "PREFIX", default_value = "capture")]
        name: String,
        /// Sample heap usage every second; capture when the JS heap's used size passes MB
        /// (then again after --every, or once it has dropped below and passes again).
        #[arg(long, value_name = "MB")]
        when_heap_above: Option<f64>,
    },
}

/// Runs a command as the process does and returns its exit code: 0, or 1 after the
/// error's one line on stderr; `check` has codes of its own.
pub fn run_to_exit(cmd: Command, out: &mut dyn std::io::Write) -> i32 {
    if let Command::Check(a) = &cmd {
        return check::run(a, out) as i32;
    }
    match run(cmd, out) {
        Ok(()) => 0,
        // A reader that stopped early (`| head`) is not an error worth a message.
        Err(e) if e.0.contains("Broken pipe") => 0,
        Err(e) => {
            eprintln!("heapdive: {}", e.0);
            1
        }
    }
}

/// A command failed; the message is already in words.
pub struct CliError(pub String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// Loads a snapshot without timings (for the MCP server).
pub fn load_quietly(path: &Path) -> Result<Heap, CliError> {
    load_for_cli(path, false)
}

pub use allocations::no_stacks as no_allocation_stacks;
pub use leaks::print_text as leaks_text;
pub use retainers::text_for as retainers_text;

/// Loads a snapshot for a command, printing phase timings to stderr when asked.
pub(crate) fn load_for_cli(path: &Path, timings: bool) -> Result<Heap, CliError> {
    let cancel = AtomicBool::new(false);
    let progress = |_: &str, _: f32| {};
    let ctl = Control::new(&progress, &cancel);
    let t = Instant::now();
    let heap = crate::load::load(path, &ctl)?;
    if let Some(warning) = &heap.snap.truncated {
        eprintln!("heapdive: warning: {}: {warning}", path.display());
    }
    if timings {
        for t in ctl.take_timings() {
            // Resident memory after the phase goes before the name, so the name stays last.
            let mem = t.resident.map_or(String::new(), |r| {
                format!("rss {:>6} MB  peak {:>6} MB  ", r.now >> 20, r.peak >> 20)
            });
            eprintln!("{:>9.1} ms  {mem}{}", t.took.as_secs_f64() * 1e3, t.name);
        }
        eprintln!(
            "{:>9.1} ms  total load of {}",
            t.elapsed().as_secs_f64() * 1e3,
            path.display()
        );
    }
    Ok(heap)
}

/// Runs a subcommand, writing to `out`.
pub fn run(cmd: Command, out: &mut dyn std::io::Write) -> Result<(), CliError> {
    match cmd {
        Command::Summary {
            file,
            json,
            top,
            context,
            timings,
        } => summary::run(&file, json, top, context.as_deref(), timings, out),
        Command::Nodes { file, timings } => nodes::run(&file, timings, out),
        Command::Stats {
            file,
            json,
            by_context,
            timings,
        } if by_context => stats::by_context(&file, json, timings, out),
        Command::Stats {
            file,
            json,
            timings,
            ..
        } => stats::run(&file, json, timings, out),
        Command::Retainers {
            file,
            id,
            json,
            paths,
            remap,
            timings,
        } => retainers::run(&file, &id, json, paths, &remap, timings, out),
        Command::Allocations {
            file,
            stacks,
            json,
            timings,
        } => allocations::run(&file, stacks, json, timings, out),
        Command::Profile { file, json, top } => profile::run(&file, json, top, out),
        Command::Contexts {
            file,
            json,
            top,
            remap,
            timings,
        } => contexts::run(&file, json, top, &remap, timings, out),
        Command::Diff {
            base,
            file,
            json,
            top,
            timings,
        } => diff::run(&base, &file, json, top, timings, out),
        Command::Growth {
            files,
            json,
            by_size,
            top,
            timings,
        } => growth::run(&files, json, by_size, top, timings, out),
        Command::Leaks {
            files,
            json,
            top,
            remap,
            sources,
            timings,
        } => leaks::run(
            &files,
            &leaks::Options {
                json,
                top,
                remap,
                sources,
                timings,
            },
            out,
        ),
        Command::Targets { at, json } => targets::run(&at, json, out),
        // The server owns stdin and stdout: main starts it (`heapdive::mcp::serve`), never
        // with an `out` of its own (and the CLI does not depend on the server).
        Command::Mcp => Err(CliError(
            "mcp serves on stdin and stdout: run `heapdive mcp` as its own process".into(),
        )),
        Command::Check(a) => match check::run(&a, out) {
            check::Outcome::Pass => Ok(()),
            o => Err(CliError(format!("check: {o:?}"))),
        },
        Command::Capture {
            target,
            dir,
            count,
            every,
            gc,
            name,
            when_heap_above,
        } => {
            let args = capture::CaptureArgs {
                target,
                dir,
                count,
                every,
                gc,
                name,
                heap_above_mb: when_heap_above,
            };
            capture::run(&args, out)
        }
        Command::Redact { input, output } => redact::run(&input, &output, out),
    }
}
