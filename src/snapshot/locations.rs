//! The `locations` array (where each object's constructor or closure lives): read raw as
//! numbers, then turned into (node ordinal, location) pairs sorted by ordinal.

use super::Location;
use super::columns::{divide, divisor_magic};
use super::error::RawError;
use super::lexer::{Lexer, Piece, Source};
use super::numbers::scan_region;

/// Reads the `locations` array's numbers into `raw_locations`, at most `max_numbers` of them.
pub(super) fn read_raw_locations(
    lx: &mut Lexer<'_, impl Source>,
    raw_locations: &mut Vec<u32>,
    max_numbers: usize,
) -> Result<(), RawError> {
    let cap = max_numbers;
    let mut push = |v: u32| {
        if raw_locations.len() >= cap {
            return Err("locations array is longer than the file allows".to_string());
        }
        raw_locations.push(v);
        Ok(())
    };
    // The bulk scanner, on this core (the other builds the retainer index).
    lx.u32_array_pieces("locations", |piece| match piece {
        Piece::Region(bytes, base) => scan_region(bytes, &mut push)
            .map(|_| ())
            .map_err(|(i, m)| RawError::at(format!("{m} in locations"), base + i as u64)),
        Piece::Values(vals, base) => vals
            .iter()
            .try_for_each(|&v| push(v))
            .map_err(|m| RawError::at(m, base)),
    })
}

pub(super) fn build_locations(
    raw: &[u32],
    fields: &[String],
    node_fields: usize,
    node_count: usize,
) -> Result<Vec<(u32, Location)>, RawError> {
    if raw.is_empty() || fields.is_empty() {
        return Ok(Vec::new());
    }
    let pos = |n: &str| fields.iter().position(|f| f == n);
    let (Some(oi), Some(si), Some(li), Some(ci)) = (
        pos("object_index"),
        pos("script_id"),
        pos("line"),
        pos("column"),
    ) else {
        return Ok(Vec::new());
    };
    let lf = fields.len();
    if !raw.len().is_multiple_of(lf) {
        return Err(RawError::bad(
            "locations array length is not a multiple of its fields",
        ));
    }
    let magic = divisor_magic(node_fields as u32);
    let mut out: Vec<(u32, Location)> = Vec::with_capacity(raw.len() / lf);
    for (k, r) in raw.chunks_exact(lf).enumerate() {
        let idx = r[oi];
        let o = divide(idx, magic);
        if o as usize * node_fields != idx as usize || o as usize >= node_count {
            return Err(RawError::bad(format!(
                "location {k} refers to {idx}, which is not a node index"
            )));
        }
        out.push((
            o,
            Location {
                script_id: r[si],
                line: r[li],
                column: r[ci],
            },
        ));
    }
    // V8 writes them in node order already; a stable sort keeps file order within a node.
    if !out.is_sorted_by_key(|&(o, _)| o) {
        out.sort_by_key(|&(o, _)| o);
    }
    // Keep the last entry per node (Map.set overwrites), in place.
    let mut kept = 0;
    for i in 0..out.len() {
        if kept > 0 && out[kept - 1].0 == out[i].0 {
            out[kept - 1] = out[i];
        } else {
            out[kept] = out[i];
            kept += 1;
        }
    }
    out.truncate(kept);
    Ok(out)
}
