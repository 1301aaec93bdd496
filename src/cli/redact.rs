use super::CliError;
use crate::analysis::Control;
use crate::fmt;
use crate::redact::{RedactReport, redact_file};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;

pub fn run(input: &Path, output: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let cancel = AtomicBool::new(false);
    let progress = |_: &str, _: f32| {};
    let ctl = Control::new(&progress, &cancel);
    let r = redact_file(input, output, &ctl)?;
    print_report(&r, input, output, out)?;
    Ok(())
}

fn print_report(
    r: &RedactReport,
    input: &Path,
    output: &Path,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let [strings, cons, sliced] = r.value_nodes;
    writeln!(
        out,
        "{}: redacted copy of {} ({})",
        output.display(),
        input.display(),
        fmt::bytes(r.bytes_written)
    )?;
    writeln!(
        out,
        "  value nodes: {strings} strings, {cons} concatenated strings, {sliced} sliced strings now show a placeholder"
    )?;
    writeln!(
        out,
        "  strings replaced: {} used only as values, {} also used as names (the names keep their text), {} referred to by nothing",
        r.values_replaced, r.values_shared_with_names, r.unreferenced_replaced
    )?;
    writeln!(
        out,
        "  strings kept: {} names of classes, properties, variables, functions and scripts",
        r.names_kept
    )
}
