//! Snapshots cut short: a process that dies while writing (often the out-of-memory process
//! the snapshot was meant to explain) leaves a file that stops partway. V8 writes the node
//! and edge arrays first, so when both are whole every object, reference and size is known
//! and distances, dominators and retained sizes can be computed; what comes after
//! (allocation traces, locations, the string table) is patched so the rest of heapdive
//! works, and the loss is put in words.

use super::error::RawError;
use super::{Snapshot, Strings};

/// Where the input ended.
pub(crate) struct Cut {
    pub offset: u64,
    /// The top-level member being read ("" between members).
    pub inside: String,
    /// A gzip stream: `offset` counts inflated bytes.
    pub compressed: bool,
}

/// Whether `err` is the input ending too early (`reached_end`: the lexer found no more
/// input; a cut gzip stream reports itself as an unexpected end of file).
pub(crate) fn is_cut(err: &RawError, reached_end: bool) -> bool {
    match err {
        RawError::Io(e) => e.kind() == std::io::ErrorKind::UnexpectedEof,
        RawError::Bad(..) => reached_end,
        RawError::Cancelled => false,
    }
}

/// The text a name never written shows.
pub fn missing_string(i: u32) -> String {
    format!("(missing string #{i})")
}

/// The allocation-trace members, which heapdive reads past.
const TRACES: [&str; 3] = ["trace_function_infos", "trace_tree", "samples"];

/// Makes the parts read so far whole: names that were never written get
/// [`missing_string`], a location record cut in half is dropped. Returns the warning.
pub(crate) fn patch(
    snap: &mut Snapshot,
    raw_locations: &mut Vec<u32>,
    location_fields: &[String],
    finished: &[String],
    cut: &Cut,
) -> Result<String, RawError> {
    let done = |m: &str| finished.iter().any(|f| f == m);
    if cut.inside != "strings" && !done("strings") {
        // The table was never started.
        snap.strings = Strings::new();
    }
    let written = snap.strings.len() as u64;
    let needed = names_needed(snap);
    // A table has at most about one string per distinct name: an index far beyond that is
    // damage, not a cut, and must not make us invent billions of strings.
    let plausible = written + (snap.node_count() + snap.edge_count()) as u64 + 1024;
    if needed > plausible {
        return Err(RawError::bad(format!(
            "the file is truncated, and a name refers to string {}, far beyond the {written} written",
            needed - 1
        )));
    }
    for i in written..needed {
        snap.strings.push(&missing_string(i as u32));
    }
    let mut lost = Vec::new();
    if needed > written {
        lost.push(format!(
            "{} of the {needed} names (never written; shown as \"(missing string #N)\")",
            needed - written
        ));
    }
    if !location_fields.is_empty() && !done("locations") {
        let whole = raw_locations.len() / location_fields.len();
        raw_locations.truncate(whole * location_fields.len());
        lost.push(if cut.inside == "locations" && whole > 0 {
            format!("the objects' source locations after the first {whole}")
        } else {
            "the objects' source locations".to_string()
        });
    }
    let has_traces = TRACES.iter().any(|t| done(t) || cut.inside == *t);
    if has_traces && !TRACES.iter().all(|t| done(t)) {
        lost.push("allocation traces (heapdive does not use them)".to_string());
    }
    let place = if cut.inside.is_empty() {
        "between two members".to_string()
    } else {
        format!("inside \"{}\"", cut.inside)
    };
    let lost = if lost.is_empty() {
        "nothing but the document's end".to_string()
    } else {
        lost.join(", ")
    };
    Ok(format!(
        "the file is truncated (it stops near byte {}{}, {place}). The node and edge arrays \
         are whole: every object, reference and size is there, and distances, dominators and \
         retained sizes are computed over the whole graph (where DevTools' rules look at a \
         lost name, a few may differ). Lost: {lost}",
        cut.offset,
        if cut.compressed {
            " of the inflated text"
        } else {
            ""
        }
    ))
}

/// One more than the largest string index a node or edge names.
fn names_needed(s: &Snapshot) -> u64 {
    let nodes = s.node_name.iter().copied().max();
    let edges = (0..s.edge_count())
        .filter(|&e| s.edge_has_string_name(e))
        .map(|e| s.edge_name[e])
        .max();
    nodes.max(edges).map_or(0, |m| m as u64 + 1)
}
