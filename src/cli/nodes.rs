use super::{CliError, load_for_cli};
use crate::util::js_slice_utf16;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Cut to 80 UTF-16 units and flatten tabs and newlines, as the oracle's --dump-nodes does.
fn cell(s: &str) -> String {
    js_slice_utf16(s, 80).replace(['\t', '\n', '\r'], " ")
}

pub fn run(file: &Path, timings: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let heap = load_for_cli(file, timings)?;
    let mut w = BufWriter::with_capacity(1 << 20, out);
    writeln!(
        w,
        "id\ttype\tname\tclass\tself\tretained\tdistance\tdominator_id"
    )?;
    let s = &heap.snap;
    for o in 0..heap.node_count() as u32 {
        let i = o as usize;
        writeln!(
            w,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            s.node_id[i],
            s.type_name(o),
            cell(&heap.display_name(o)),
            cell(heap.class_name(o)),
            heap.shallow[i],
            heap.retained.get(o),
            heap.distance[i],
            s.node_id[heap.idom[i] as usize]
        )?;
    }
    w.flush()?;
    Ok(())
}
