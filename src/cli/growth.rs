use super::{CliError, load_for_cli};
use crate::analysis::growth::series_of;
use crate::model::format;
use std::io::Write;
use std::path::PathBuf;

pub fn run(
    files: &[PathBuf],
    json: bool,
    by_size: bool,
    top: usize,
    timings: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let heaps = files
        .iter()
        .map(|f| load_for_cli(f, timings))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&crate::analysis::Heap> = heaps.iter().collect();
    let mut series = series_of(&refs);
    if json {
        let snapshots: Vec<_> = files
            .iter()
            .zip(&heaps)
            .map(|(f, h)| serde_json::json!({"file": f.display().to_string(), "total_size": h.total_size, "node_count": h.node_count()}))
            .collect();
        let doc = serde_json::json!({ "snapshots": snapshots, "classes": series });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
        return Ok(());
    }
    series.sort_by_key(|c| std::cmp::Reverse(c.growth(by_size)));
    writeln!(
        out,
        "Totals: {}",
        heaps
            .iter()
            .map(|h| format::bytes(h.total_size))
            .collect::<Vec<_>>()
            .join(" → ")
    )?;
    writeln!(
        out,
        "Top classes by {} growth (* grows in every snapshot):",
        if by_size { "size" } else { "count" }
    )?;
    for c in series.iter().take(top) {
        let vals: Vec<String> = if by_size {
            c.shallow_sizes.iter().map(|&v| format::bytes(v)).collect()
        } else {
            c.counts.iter().map(|&v| format::group(v)).collect()
        };
        writeln!(
            out,
            "{} {:<40} {}",
            if c.grows_every_time(by_size) {
                "*"
            } else {
                " "
            },
            format::shorten(&c.name, 40),
            vals.join(" → ")
        )?;
    }
    Ok(())
}
