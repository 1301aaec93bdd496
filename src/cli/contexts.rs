use super::{CliError, load_for_cli};
use crate::analysis::locations::{Locations, short_script};
use crate::analysis::scopes::{Scope, scopes};
use crate::model::format;
use std::io::Write;
use std::path::Path;

pub fn run(
    file: &Path,
    json: bool,
    top: usize,
    timings: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let heap = load_for_cli(file, timings)?;
    let locs = Locations::build(&heap.snap);
    let all = scopes(&heap, &locs);
    if json {
        serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "contexts": all }))?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} scopes (closure contexts), biggest retained size first:",
        all.len()
    )?;
    for (i, sc) in all.iter().take(top).enumerate() {
        write_scope(out, i + 1, sc)?;
    }
    if all.len() > top {
        writeln!(
            out,
            "\n… {} more scopes (--top N or --json)",
            all.len() - top
        )?;
    }
    Ok(())
}

fn write_scope(out: &mut dyn Write, rank: usize, sc: &Scope) -> Result<(), CliError> {
    let at = match (&sc.script, sc.line, sc.column) {
        (Some(s), Some(l), Some(c)) => format!("  {s}:{l}:{c}"),
        (Some(s), _, _) => format!("  {}", short_script(s)),
        _ => String::new(),
    };
    writeln!(
        out,
        "\n{rank}. {} @{}  retained {}{at}",
        sc.label,
        sc.id,
        format::kb(sc.retained_size)
    )?;
    for v in sc.variables.iter().take(20) {
        writeln!(
            out,
            "   variable {}: {} @{}  retained {}",
            v.name,
            v.class,
            v.id,
            format::kb(v.retained_size)
        )?;
    }
    if sc.variables.len() > 20 {
        writeln!(out, "   … {} more variables", sc.variables.len() - 20)?;
    }
    Ok(())
}
