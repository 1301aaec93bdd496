use super::summary::{StatsJson, context_label};
use super::{CliError, load_for_cli};
use crate::analysis::native_contexts::NativeContexts;
use crate::analysis::statistics::Statistics;
use crate::fmt;
use std::io::Write;
use std::path::Path;

pub fn run(file: &Path, json: bool, timings: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let heap = load_for_cli(file, timings)?;
    let st = &heap.statistics;
    if json {
        serde_json::to_writer_pretty(&mut *out, &StatsJson::from(st))?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{}: total {}", file.display(), fmt::bytes(st.total))?;
    write_categories(out, st)
}

fn write_categories(out: &mut dyn Write, st: &Statistics) -> Result<(), CliError> {
    let total = st.total.max(1) as f64;
    let rows = [
        ("Code", st.code),
        ("Strings", st.strings),
        ("JS arrays", st.js_arrays),
        ("Typed arrays", st.typed_arrays),
        ("System objects", st.system),
        ("Other JS objects", st.other_js()),
        ("Other non-JS objects", st.other_native()),
    ];
    for (name, v) in rows {
        writeln!(
            out,
            "  {:<22} {:>12} {:>6.1}%",
            name,
            fmt::bytes(v),
            v as f64 * 100.0 / total
        )?;
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct ContextJson<'a> {
    id: u32,
    name: &'a str,
    raw_name: &'a str,
    attributed_size: u64,
    self_size: u64,
    retained_size: u64,
    statistics: StatsJson,
}

#[derive(serde::Serialize)]
struct BucketJson {
    size: u64,
    statistics: StatsJson,
}

/// `stats --by-context`: the Statistics of each native context's objects (biggest first),
/// of those shared between contexts and of those attributed to none.
pub fn by_context(
    file: &Path,
    json: bool,
    timings: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let heap = load_for_cli(file, timings)?;
    let t = std::time::Instant::now();
    let all = NativeContexts::compute(&heap);
    if timings {
        eprintln!(
            "{:>9.1} ms  Native-context attribution",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    if json {
        let contexts: Vec<ContextJson> = all
            .contexts
            .iter()
            .map(|c| ContextJson {
                id: c.id,
                name: &c.name,
                raw_name: &c.raw_name,
                attributed_size: c.attributed_size,
                self_size: c.self_size,
                retained_size: c.retained_size,
                statistics: StatsJson::from(&c.statistics),
            })
            .collect();
        let bucket = |b: &crate::analysis::native_contexts::Bucket| BucketJson {
            size: b.size,
            statistics: StatsJson::from(&b.statistics),
        };
        let doc = serde_json::json!({
            "file": file.display().to_string(),
            "total_size": heap.total_size,
            "contexts": contexts,
            "shared": bucket(&all.shared),
            "unattributed": bucket(&all.unattributed),
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "{}: total {}, {} native contexts",
        file.display(),
        fmt::bytes(heap.total_size),
        all.contexts.len()
    )?;
    for c in &all.contexts {
        writeln!(out, "{}", context_label(c))?;
        write_categories(out, &c.statistics)?;
    }
    writeln!(
        out,
        "Objects shared between native contexts ({})",
        fmt::bytes(all.shared.size)
    )?;
    write_categories(out, &all.shared.statistics)?;
    writeln!(
        out,
        "Objects not attributed to a native context ({})",
        fmt::bytes(all.unattributed.size)
    )?;
    write_categories(out, &all.unattributed.statistics)
}
