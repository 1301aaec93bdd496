use super::{CliError, load_for_cli};
use crate::analysis::locations::{Locations, SourceLocation};
use crate::analysis::scopes::{Scope, scopes};
use crate::model::format;
use crate::sources::{Original, SourceMaps};
use std::io::Write;
use std::path::Path;

/// The owner's original position through a source map, when there is one.
fn original(maps: &mut SourceMaps, sc: &Scope) -> Option<Original> {
    let loc = SourceLocation {
        script: sc.script.clone()?,
        script_id: 0,
        line: sc.line?,
        column: sc.column?,
    };
    maps.resolve(&loc).original
}

pub fn run(
    file: &Path,
    json: bool,
    top: usize,
    remap: &[String],
    timings: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut maps = SourceMaps::new();
    for r in remap {
        maps.remap_arg(r)?;
    }
    // Scripts not at their recorded path are looked for near the snapshot.
    maps.search_near(file);
    let heap = load_for_cli(file, timings)?;
    let locs = Locations::build(&heap.snap);
    let all = scopes(&heap, &locs);
    if json {
        let contexts: Vec<serde_json::Value> = all
            .iter()
            .map(|sc| {
                let mut v = serde_json::to_value(sc).unwrap_or_default();
                if let Some(o) = original(&mut maps, sc) {
                    v["original"] = serde_json::to_value(o).unwrap_or_default();
                }
                v
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "contexts": contexts }))?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} scopes (closure contexts), biggest retained size first:",
        all.len()
    )?;
    for (i, sc) in all.iter().take(top).enumerate() {
        write_scope(out, i + 1, sc, original(&mut maps, sc))?;
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

fn write_scope(
    out: &mut dyn Write,
    rank: usize,
    sc: &Scope,
    original: Option<Original>,
) -> Result<(), CliError> {
    let mut at = match (&sc.script, sc.line, sc.column) {
        (Some(s), Some(l), Some(c)) => format!("  {s}:{l}:{c}"),
        (Some(s), _, _) => format!("  {s}"),
        _ => String::new(),
    };
    if let Some(o) = original {
        let name = o.name.map(|n| format!(" {n}")).unwrap_or_default();
        at.push_str(&format!(
            " (original {}:{}:{}{name})",
            o.source, o.line, o.column
        ));
    }
    writeln!(
        out,
        "\n{rank}. {} @{}  retained {}{at}",
        sc.label,
        sc.id,
        format::bytes(sc.retained_size)
    )?;
    for v in sc.variables.iter().take(20) {
        writeln!(
            out,
            "   variable {}: {} @{}  retained {}",
            v.name,
            v.class,
            v.id,
            format::bytes(v.retained_size)
        )?;
    }
    if sc.variables.len() > 20 {
        writeln!(out, "   … {} more variables", sc.variables.len() - 20)?;
    }
    Ok(())
}
