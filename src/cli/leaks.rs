use super::{CliError, load_for_cli};
use crate::analysis::leaks::leak_report;
use crate::model::format;
use std::io::Write;
use std::path::Path;

pub fn run(
    baseline: &Path,
    target: &Path,
    fin: &Path,
    json: bool,
    top: usize,
    timings: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let b = load_for_cli(baseline, timings)?;
    let t = load_for_cli(target, timings)?;
    let f = load_for_cli(fin, timings)?;
    let report = leak_report(&b, &t, &f);
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Objects allocated between {} and {} and still alive in {}:",
        baseline.display(),
        target.display(),
        fin.display()
    )?;
    for (i, g) in report.groups.iter().take(top).enumerate() {
        writeln!(
            out,
            "\n{}. {} ×{}  retained {}  (e.g. @{})",
            i + 1,
            g.class,
            format::group(g.count),
            format::kb(g.retained_size),
            g.representative_id
        )?;
        if let Some(r) = &g.reason {
            writeln!(out, "   held by {r}")?;
        }
        // The explaining path, its last steps (where the reason is) each on a line.
        let skip = g.path.len().saturating_sub(6);
        if skip > 0 {
            let steps = if skip == 1 { "step" } else { "steps" };
            writeln!(out, "   … {skip} {steps} from a GC root")?;
        }
        for s in &g.path[skip..] {
            let at = s
                .location
                .as_ref()
                .filter(|_| !s.from_label.contains(':'))
                .map(|l| format!("  [{}]", l.short()))
                .unwrap_or_default();
            writeln!(
                out,
                "   {} @{} {}{at}",
                s.from_label, s.from_id, s.edge_label
            )?;
        }
        writeln!(out, "   → {}", g.label)?;
    }
    if report.groups.len() > top {
        writeln!(
            out,
            "\n… {} more groups (--top N or --json)",
            report.groups.len() - top
        )?;
    }
    writeln!(
        out,
        "\nDetached DOM nodes: {} ({} new since the baseline)",
        report.detached_dom, report.new_detached_dom
    )?;
    writeln!(
        out,
        "Collections growing in every snapshot: {}",
        report.growing_collections.len()
    )?;
    for c in report.growing_collections.iter().take(10) {
        let e: Vec<String> = c.entries.iter().map(|v| v.to_string()).collect();
        writeln!(
            out,
            "   {} @{}: {} entries, retains {}",
            c.class,
            c.id,
            e.join(" → "),
            format::kb(c.retained_size)
        )?;
    }
    Ok(())
}
