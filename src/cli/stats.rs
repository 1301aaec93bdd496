use super::summary::StatsJson;
use super::{CliError, load_for_cli};
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
    writeln!(out, "{}: total {}", file.display(), fmt::bytes(st.total))?;
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
