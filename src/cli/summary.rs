use super::{CliError, load_for_cli};
use crate::analysis::native_contexts::{NativeContext, NativeContexts, Owner, attribute};
use crate::analysis::{Heap, statistics::Statistics, summary};
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

/// Which native context `--context` names: its @id, `shared` or `unattributed`.
fn context_owner(arg: &str, all: &NativeContexts) -> Result<(Owner, String), CliError> {
    match arg {
        "shared" => Ok((
            Owner::Shared,
            format!(
                "Objects shared between native contexts ({})",
                fmt::bytes(all.shared.size)
            ),
        )),
        "unattributed" => Ok((
            Owner::Unattributed,
            format!(
                "Objects not attributed to a native context ({})",
                fmt::bytes(all.unattributed.size)
            ),
        )),
        _ => {
            let id = super::parse_object_id(arg).map_err(CliError)?;
            let c = all.by_id(id).ok_or_else(|| {
                let ids: Vec<String> = all.contexts.iter().map(|c| format!("@{}", c.id)).collect();
                CliError(format!(
                    "@{id} is not a native context; the native contexts are {} (or shared, unattributed)",
                    if ids.is_empty() { "none".to_string() } else { ids.join(", ") }
                ))
            })?;
            Ok((Owner::Context(c.node), context_label(c)))
        }
    }
}

/// DevTools' filter menu entry of a native context.
pub(crate) fn context_label(c: &NativeContext) -> String {
    let name = if c.name.is_empty() {
        String::new()
    } else {
        format!("{} ", c.name)
    };
    format!(
        "Native context {name}@{} ({})",
        c.id,
        fmt::bytes(c.attributed_size)
    )
}

/// The Summary's rows (all objects, or one native context's) sorted by retained size, and
/// the filter's words.
fn rows_of(
    heap: &mut Heap,
    context: Option<&str>,
) -> Result<(Vec<summary::ClassAggregate>, Option<String>), CliError> {
    let Some(arg) = context else {
        let mut rows = heap.take_summary();
        summary::sort_by_retained(&mut rows);
        return Ok((rows, None));
    };
    let a = attribute(&heap.snap);
    let all = NativeContexts::from_attribution(heap, &a);
    let (owner, label) = context_owner(arg, &all)?;
    let mut rows = summary::aggregates(heap, Some(&a.nodes_of(owner)));
    summary::sort_by_retained(&mut rows);
    Ok((rows, Some(label)))
}

pub fn run(
    file: &Path,
    json: bool,
    top: usize,
    context: Option<&str>,
    timings: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut heap = load_for_cli(file, timings)?;
    let t = std::time::Instant::now();
    let (rows, filter) = rows_of(&mut heap, context)?;
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
        if let Some(f) = &filter {
            doc["filter"] = f.as_str().into();
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
    if let Some(f) = &filter {
        writeln!(out, "{f}")?;
    }
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
