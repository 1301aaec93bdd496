use super::{CliError, load_for_cli};
use crate::analysis::leaks::{LeakGroup, LeakReport, leak_report};
use crate::fmt;
use crate::sources::class_names::name_report;
use crate::sources::maps::SourceMaps;
use std::io::Write;
use std::path::PathBuf;

pub struct Options {
    pub json: bool,
    pub top: usize,
    pub remap: Vec<String>,
    pub sources: Vec<PathBuf>,
    pub timings: bool,
}

pub fn run(files: &[PathBuf], opt: &Options, out: &mut dyn Write) -> Result<(), CliError> {
    if files.len() == 2 {
        return Err(CliError(
            "leaks needs one snapshot (its suspects) or a series of three or more (oldest first); two snapshots are a comparison: heapdive diff BASE FILE".into(),
        ));
    }
    let heaps = files
        .iter()
        .map(|f| load_for_cli(f, opt.timings))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&crate::Heap> = heaps.iter().collect();
    let mut report = leak_report(&refs);
    let mut maps = SourceMaps::new();
    for r in &opt.remap {
        maps.remap_arg(r).map_err(CliError)?;
    }
    maps.search_near(files.last().expect("one file at least"));
    for d in &opt.sources {
        maps.search_under(d);
    }
    name_report(&mut report, heaps.last().expect("one heap"), &mut maps);
    if opt.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    print_text(files, &report, opt.top, out)
}

pub fn print_text(
    files: &[PathBuf],
    report: &LeakReport,
    top: usize,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if report.snapshots == 1 {
        writeln!(
            out,
            "Suspects in {} (one snapshot: where the memory builds up):",
            files[0].display()
        )?;
    } else {
        let rows = if report.groups.len() == 1 {
            "row"
        } else {
            "rows"
        };
        writeln!(
            out,
            "Leaks over {} snapshots ({} … {}): {} {rows} grew in every interval, most bytes added first.",
            files.len(),
            files[0].display(),
            files[files.len() - 1].display(),
            report.groups.len()
        )?;
    }
    for (i, g) in report.groups.iter().take(top).enumerate() {
        print_group(i + 1, g, report, out)?;
    }
    if report.groups.len() > top {
        writeln!(
            out,
            "\n… {} more rows (--top N or --json)",
            report.groups.len() - top
        )?;
    }
    if !report.allocated_once.is_empty() {
        writeln!(
            out,
            "\nAllocated once (did not grow every time): {} rows",
            report.allocated_once.len()
        )?;
        for g in report.allocated_once.iter().take(top.min(5)) {
            writeln!(
                out,
                "   {} ×{}  {}  counts {}",
                g.title(),
                fmt::group(g.count),
                fmt::bytes(g.retained_size),
                fmt::counts(&g.counts)
            )?;
        }
    }
    if report.snapshots > 1 {
        writeln!(
            out,
            "\nDetached DOM nodes: {} ({} new since the first snapshot)",
            report.detached_dom, report.new_detached_dom
        )?;
    }
    Ok(())
}

fn print_group(
    rank: usize,
    g: &LeakGroup,
    report: &LeakReport,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let snapshots = report.snapshots;
    let added = if snapshots == 1 { "" } else { " added" };
    writeln!(
        out,
        "\n{rank}. [{}] {} ×{}{added}, retaining {} ({} of the heap)  (e.g. @{})",
        g.pattern.word(),
        g.title(),
        fmt::group(g.count),
        fmt::bytes(g.retained_size),
        fmt::percent(g.retained_size, report.heap_size),
        g.representative_id
    )?;
    if snapshots > 1 {
        writeln!(out, "   count per snapshot: {}", fmt::counts(&g.counts))?;
    }
    if let Some(h) = &g.holder {
        if h.label.contains('@') {
            writeln!(out, "   builds up in: {}", h.label)?;
        } else {
            writeln!(out, "   builds up in: {} @{}", h.label, h.id)?;
        }
    }
    if let Some(l) = &g.location {
        writeln!(out, "   code: {}", l.short())?;
    }
    let members: Vec<String> = g
        .members
        .iter()
        .take(5)
        .map(|m| {
            let class = m.original_class.as_deref().unwrap_or(&m.class);
            format!("{class} ×{}", fmt::group(m.count))
        })
        .collect();
    if !members.is_empty() {
        writeln!(out, "   holds: {}", members.join(", "))?;
    }
    writeln!(out, "   fix: {}", g.fix)?;
    Ok(())
}
