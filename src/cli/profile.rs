//! `heapdive profile`: a sampling heap profile's functions by self size (bottom-up), with
//! lines and columns 1-based.

use super::CliError;
use crate::fmt;
use crate::profile::read_profile;
use std::io::Write;
use std::path::Path;

#[derive(serde::Serialize)]
struct Row<'a> {
    name: &'a str,
    url: &'a str,
    /// Tells apart functions with the same name and place in different scripts (V8 leaves
    /// the url empty for scripts it no longer has).
    script_id: &'a str,
    line: u64,
    column: u64,
    self_size: u64,
    total_size: u64,
}

#[derive(serde::Serialize)]
struct Json<'a> {
    total_size: u64,
    functions: Vec<Row<'a>>,
}

pub fn run(file: &Path, json: bool, top: usize, out: &mut dyn Write) -> Result<(), CliError> {
    let p = read_profile(file)?;
    let total_size = p.total_size();
    let rows: Vec<Row> = p
        .functions_by_self_size()
        .iter()
        .map(|r| {
            let f = &p.functions[r.function as usize];
            Row {
                name: &f.name,
                url: &f.url,
                script_id: &f.script_id,
                line: f.line1(),
                column: f.column1(),
                self_size: r.self_size,
                total_size: r.total_size,
            }
        })
        .collect();
    if json {
        serde_json::to_writer_pretty(
            &mut *out,
            &Json {
                total_size,
                functions: rows,
            },
        )?;
        writeln!(out)?;
        return Ok(());
    }
    write!(
        out,
        "{}: {} in {} samples",
        file.display(),
        fmt::bytes(total_size),
        p.sample_count
    )?;
    if p.samples_outside_tree > 0 {
        write!(
            out,
            " ({} more samples of nodes not in the tree left out)",
            p.samples_outside_tree
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{:>10} {:>10}  function", "self", "total")?;
    for r in rows.iter().take(if top == 0 { usize::MAX } else { top }) {
        let name = if r.name.is_empty() {
            "(anonymous)"
        } else {
            r.name
        };
        writeln!(
            out,
            "{:>10} {:>10}  {name} {}:{}:{}",
            fmt::bytes(r.self_size),
            fmt::bytes(r.total_size),
            r.url,
            r.line,
            r.column
        )?;
    }
    Ok(())
}
