//! The scriptable command line over the engine. `heapdive` alone (or with files) opens the
//! GUI; subcommands print numbers. Errors are one line on stderr and exit code 1; usage
//! errors exit with 2 (clap's convention).

mod contexts;
mod diff;
mod growth;
mod leaks;
mod nodes;
mod retainers;
mod stats;
mod summary;

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
    /// Leak report: objects allocated between BASELINE and TARGET still alive in FINAL,
    /// grouped by class and retaining path.
    Leaks {
        baseline: PathBuf,
        target: PathBuf,
        #[arg(value_name = "FINAL")]
        fin: PathBuf,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 15)]
        top: usize,
        #[arg(long)]
        timings: bool,
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
}

/// A command failed; the message is already in words.
pub struct CliError(pub String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// Loads a snapshot for a command, printing phase timings to stderr when asked.
pub(crate) fn load_for_cli(path: &Path, timings: bool) -> Result<Heap, CliError> {
    let cancel = AtomicBool::new(false);
    let progress = |_: &str, _: f32| {};
    let ctl = Control::new(&progress, &cancel);
    let t = Instant::now();
    let heap = crate::load::load(path, &ctl)?;
    if timings {
        for (name, d) in ctl.take_timings() {
            eprintln!("{:>9.1} ms  {name}", d.as_secs_f64() * 1e3);
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
            timings,
        } => summary::run(&file, json, top, timings, out),
        Command::Nodes { file, timings } => nodes::run(&file, timings, out),
        Command::Stats {
            file,
            json,
            timings,
        } => stats::run(&file, json, timings, out),
        Command::Retainers {
            file,
            id,
            json,
            paths,
            remap,
            timings,
        } => retainers::run(&file, &id, json, paths, &remap, timings, out),
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
            baseline,
            target,
            fin,
            json,
            top,
            timings,
        } => leaks::run(&baseline, &target, &fin, json, top, timings, out),
    }
}

/// DevTools' distance as a user sees it: None where it shows "−".
pub fn shown_distance(d: i32) -> Option<i32> {
    if crate::analysis::distances::is_unreachable_or_system(d) {
        None
    } else {
        Some(d)
    }
}
