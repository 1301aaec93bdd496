use super::{CliError, load_for_cli};
use crate::analysis::{statistics::Statistics, summary};
use crate::fmt;
use crate::model::format::shown_distance;
use crate::sources::SourceMaps;
use crate::sources::class_names::ClassNames;
use std::io::Write;
use std::path::Path;

#[derive(serde::Serialize)]
struct Row<'a> {
    name: &'a str,
    /// The class as its authors named it, where a source map says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    original_class: Option<String>,
    count: u64,
    distance: Option<i32>,
    shallow_size: u64,
    retained_size: u64,
}

#[derive(serde::Serialize)]
pub(crate) struct StatsJson {
    pub total: u64,
    pub code: u64,
    pub strings: u64,
    pub js_arrays: u64,
    pub typed_arrays: u64,
    pub system: u64,
    pub native: u64,
}

impl From<&Statistics> for StatsJson {
    fn from(s: &Statistics) -> Self {
        StatsJson {
            total: s.total,
            code: s.code,
            strings: s.strings,
            js_arrays: s.js_arrays,
            typed_arrays: s.typed_arrays,
            system: s.system,
            native: s.native,
        }
    }
}

pub fn run(
    file: &Path,
    json: bool,
    top: usize,
    timings: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut heap = load_for_cli(file, timings)?;
    let t = std::time::Instant::now();
    let mut rows = heap.take_summary();
    summary::sort_by_retained(&mut rows);
    if timings {
        eprintln!(
            "{:>9.1} ms  Summary aggregates",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    let mut maps = SourceMaps::new();
    maps.search_near(file);
    let mut names = ClassNames::new(&heap, &mut maps);
    let mut original = |r: &summary::ClassAggregate| {
        let o = *r.members.first()?;
        names.original(o).filter(|n| *n != r.name)
    };
    if json {
        let classes: Vec<Row> = rows
            .iter()
            .map(|r| Row {
                original_class: original(r),
                name: &r.name,
                count: r.count,
                distance: shown_distance(r.distance),
                shallow_size: r.shallow_size,
                retained_size: r.retained_size,
            })
            .collect();
        let mut doc = serde_json::json!({
            "file": file.display().to_string(),
            "node_count": heap.node_count(),
            "edge_count": heap.snap.edge_count(),
            "total_size": heap.total_size,
            "statistics": StatsJson::from(&heap.statistics),
            "classes": classes,
        });
        if let Some(warning) = &heap.snap.truncated {
            doc["warning"] = warning.as_str().into();
        }
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
        return Ok(());
    }
    let total = heap.total_size.max(1);
    writeln!(
        out,
        "{}: {} nodes, {} edges, total {}",
        file.display(),
        heap.node_count(),
        heap.snap.edge_count(),
        fmt::bytes(heap.total_size)
    )?;
    writeln!(
        out,
        "{:<50} {:>9} {:>8} {:>12} {:>5} {:>12} {:>5}",
        "Constructor", "Count", "Distance", "Shallow", "%", "Retained", "%"
    )?;
    for r in rows.iter().take(top) {
        let name = match original(r) {
            Some(o) => format!("{o} ({})", r.name),
            None => r.name.clone(),
        };
        let name = crate::model::format::shorten(&name, 50);
        writeln!(
            out,
            "{:<50} {:>9} {:>8} {:>12} {:>4}% {:>12} {:>4}%",
            name,
            r.count,
            shown_distance(r.distance).map_or("−".to_string(), |d| d.to_string()),
            fmt::bytes(r.shallow_size),
            r.shallow_size * 100 / total,
            fmt::bytes(r.retained_size),
            r.retained_size * 100 / total
        )?;
    }
    if rows.len() > top {
        writeln!(
            out,
            "… {} more classes (--top N, or --json for all)",
            rows.len() - top
        )?;
    }
    Ok(())
}
