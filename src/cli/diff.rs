use super::{CliError, load_for_cli};
use crate::analysis::diff;
use crate::fmt;
use crate::sources::SourceMaps;
use crate::sources::class_names::ClassNames;
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
    // The authors' class names where a source map says so, from a new object (else a
    // deleted one).
    let mut maps = SourceMaps::new();
    maps.search_near(file);
    let mut in_target = ClassNames::new(&t, &mut maps);
    let mut originals: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.new_members.first().and_then(|&o| in_target.original(o)))
        .collect();
    drop(in_target);
    let mut in_base = ClassNames::new(&b, &mut maps);
    for (r, o) in rows.iter().zip(originals.iter_mut()) {
        if o.is_none() {
            *o = r.deleted_members.first().and_then(|&d| in_base.original(d));
        }
        o.take_if(|n| *n == r.name);
    }
    if json {
        let mut classes = serde_json::to_value(&rows)?;
        for (c, o) in classes.as_array_mut().into_iter().flatten().zip(&originals) {
            if let Some(o) = o {
                c["original_class"] = o.as_str().into();
            }
        }
        let doc = serde_json::json!({
            "base": base.display().to_string(),
            "target": file.display().to_string(),
            "classes": classes,
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
    for (r, original) in rows.iter().zip(&originals).take(top) {
        let name = match original {
            Some(o) => format!("{o} ({})", r.name),
            None => r.name.clone(),
        };
        let name = crate::model::format::shorten(&name, 44);
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
