//! `heapdive allocations`: DevTools' Allocation view of a snapshot taken with allocation
//! tracking, one row per function, and (with --stacks) each live object's allocation stack.

use super::{CliError, load_for_cli};
use crate::analysis::allocations::{AllocationProfile, frame};
use crate::fmt;
use std::io::Write;
use std::path::Path;

#[derive(serde::Serialize)]
struct Row<'a> {
    name: &'a str,
    script: &'a str,
    line: u32,
    column: u32,
    count: u64,
    size: u64,
    live_count: u64,
    live_size: u64,
}

#[derive(serde::Serialize)]
struct Json<'a> {
    functions: Vec<Row<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stacks: Option<serde_json::Map<String, serde_json::Value>>,
}

pub fn run(
    file: &Path,
    stacks: bool,
    json: bool,
    timings: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let heap = load_for_cli(file, timings)?;
    let s = &heap.snap;
    let (Some(trace), Some(profile)) = (
        s.allocation_trace.as_ref(),
        AllocationProfile::new(s, &heap.shallow),
    ) else {
        return Err(no_stacks(file));
    };
    let rows: Vec<Row> = profile
        .functions(trace)
        .iter()
        .map(|r| {
            let f = frame(s, trace, r.function);
            Row {
                name: f.name,
                script: f.script,
                line: f.line,
                column: f.column,
                count: r.totals.count,
                size: r.totals.size,
                live_count: r.totals.live_count,
                live_size: r.totals.live_size,
            }
        })
        .collect();
    let stack_map = stacks.then(|| {
        let mut m = serde_json::Map::new();
        for o in 0..s.node_count() as u32 {
            if let Some(frames) = profile.stack_frames(s, trace, o) {
                let v = frames.iter().map(|f| f.to_string().into()).collect();
                m.insert(
                    s.node_id[o as usize].to_string(),
                    serde_json::Value::Array(v),
                );
            }
        }
        m
    });
    if json {
        let doc = Json {
            functions: rows,
            stacks: stack_map,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
        return Ok(());
    }
    print_table(out, &rows)?;
    if let Some(m) = stack_map {
        writeln!(out, "\nAllocation stacks (innermost first):")?;
        for (id, frames) in &m {
            writeln!(out, "@{id}")?;
            for f in frames.as_array().into_iter().flatten() {
                writeln!(out, "    {}", f.as_str().unwrap_or_default())?;
            }
        }
    }
    Ok(())
}

/// A snapshot without an allocation trace, in one line (the CLI's and the MCP tool's).
pub fn no_stacks(file: &Path) -> CliError {
    CliError(format!(
        "{}: has no allocation stacks (it was not recorded with allocation tracking: DevTools' \"Allocation instrumentation on timeline\", or HeapProfiler.startTrackingHeapObjects with trackAllocations)",
        file.display()
    ))
}

fn print_table(out: &mut dyn Write, rows: &[Row]) -> Result<(), CliError> {
    writeln!(
        out,
        "{:>8} {:>10} {:>8} {:>10}  function",
        "count", "size", "live", "live size"
    )?;
    for r in rows {
        let name = if r.name.is_empty() {
            "(anonymous)"
        } else {
            r.name
        };
        writeln!(
            out,
            "{:>8} {:>10} {:>8} {:>10}  {name} {}:{}:{}",
            r.count,
            fmt::bytes(r.size),
            r.live_count,
            fmt::bytes(r.live_size),
            r.script,
            r.line,
            r.column
        )?;
    }
    Ok(())
}
