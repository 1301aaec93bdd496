use super::{CliError, load_for_cli};
use crate::analysis::diff;
use crate::fmt;
use std::io::Write;
use std::path::Path;

pub fn run(
    base: &Path,
    file: &Path,
    json: bool,
    top: usize,
    timings: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    // Both loads at once: each is mostly single-threaded.
    let (b, t) = rayon::join(
        || load_for_cli(base, timings),
        || load_for_cli(file, timings),
    );
    let (b, t) = (b?, t?);
    let tc = std::time::Instant::now();
    let rows = diff::compare(&b, &t);
    if timings {
        eprintln!("{:>9.1} ms  Comparison", tc.elapsed().as_secs_f64() * 1e3);
    }
    if json {
        let doc = serde_json::json!({
            "base": base.display().to_string(),
            "target": file.display().to_string(),
            "classes": rows,
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{} → {}", base.display(), file.display())?;
    writeln!(
        out,
        "{:<44} {:>9} {:>9} {:>9} {:>11} {:>11} {:>11}",
        "Constructor", "# New", "# Deleted", "# Delta", "Alloc. Size", "Freed Size", "Size Delta"
    )?;
    for r in rows.iter().take(top) {
        let name = crate::model::format::shorten(&r.name, 44);
        writeln!(
            out,
            "{:<44} {:>9} {:>9} {:>+9} {:>11} {:>11} {:>11}",
            name,
            r.new_count,
            r.deleted_count,
            r.delta_count,
            fmt::bytes(r.alloc_size),
            fmt::bytes(r.freed_size),
            format!(
                "{}{}",
                if r.size_delta < 0 { "−" } else { "+" },
                fmt::bytes(r.size_delta.unsigned_abs())
            )
        )?;
    }
    if rows.len() > top {
        writeln!(out, "… {} more classes", rows.len() - top)?;
    }
    Ok(())
}
