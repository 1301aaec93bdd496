//! The `snapshot` header: its layout (where each needed field sits in a node / edge record,
//! the file's type enums mapped onto the canonical ones) and the checks that the counts it
//! claims fit in the file and in memory before anything is sized from them.

use super::error::RawError;
use super::types::{EdgeType, NodeType, map_enum};
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct Header {
    pub(super) meta: Meta,
    pub(super) node_count: f64,
    pub(super) edge_count: f64,
    #[serde(default)]
    pub(super) root_index: Option<f64>,
    #[serde(default)]
    pub(super) extra_native_bytes: Option<f64>,
}

#[derive(Deserialize)]
pub(super) struct Meta {
    pub(super) node_fields: Vec<String>,
    pub(super) node_types: Vec<serde_json::Value>,
    pub(super) edge_fields: Vec<String>,
    pub(super) edge_types: Vec<serde_json::Value>,
    #[serde(default)]
    pub(super) location_fields: Vec<String>,
}

/// Where each needed field sits in a node / edge record.
pub(super) struct Layout {
    pub(super) node_fields: usize,
    pub(super) n_type: usize,
    pub(super) n_name: usize,
    pub(super) n_id: usize,
    pub(super) n_self: usize,
    pub(super) n_edges: usize,
    pub(super) n_detached: Option<usize>,
    pub(super) node_type_map: Vec<u8>,
    pub(super) edge_fields: usize,
    pub(super) e_type: usize,
    pub(super) e_name: usize,
    pub(super) e_to: usize,
    pub(super) edge_type_map: Vec<u8>,
    pub(super) node_count: usize,
    pub(super) edge_count: usize,
    pub(super) root_index: u64,
}

fn field(fields: &[String], name: &str, what: &str) -> Result<usize, RawError> {
    fields
        .iter()
        .position(|f| f == name)
        .ok_or_else(|| RawError::bad(format!("snapshot.meta.{what} has no \"{name}\" field")))
}

fn enum_names(types: &[serde_json::Value], at: usize, what: &str) -> Result<Vec<String>, RawError> {
    let list = types.get(at).and_then(|v| v.as_array()).ok_or_else(|| {
        RawError::bad(format!("snapshot.meta.{what} lacks the list of type names"))
    })?;
    list.iter()
        .map(|v| {
            v.as_str().map(str::to_string).ok_or_else(|| {
                RawError::bad(format!(
                    "snapshot.meta.{what} has a type name that is not a string"
                ))
            })
        })
        .collect()
}

fn count(v: f64, what: &str) -> Result<usize, RawError> {
    if !(v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 4.0e9) {
        return Err(RawError::bad(format!(
            "snapshot.{what} is not a valid count ({v})"
        )));
    }
    Ok(v as usize)
}

impl Layout {
    /// The counts the header claims must fit in `max_numbers` numbers (what the file can hold).
    pub(super) fn check_fits(&self, max_numbers: usize) -> Result<(), String> {
        for (count, fields, what) in [
            (self.node_count, self.node_fields, "nodes"),
            (self.edge_count, self.edge_fields, "edges"),
        ] {
            if count.saturating_mul(fields) > max_numbers {
                return Err(format!(
                    "header claims {count} {what}, more than a file of this size can hold"
                ));
            }
        }
        Ok(())
    }

    pub(super) fn new(h: &Header) -> Result<(Layout, Vec<String>, Vec<String>), RawError> {
        let m = &h.meta;
        let nf = &m.node_fields;
        let ef = &m.edge_fields;
        let n_type = field(nf, "type", "node_fields")?;
        let e_type = field(ef, "type", "edge_fields")?;
        let node_file_types = enum_names(&m.node_types, n_type, "node_types")?;
        let edge_file_types = enum_names(&m.edge_types, e_type, "edge_types")?;
        let (node_type_map, node_names) = map_enum(&node_file_types, &NodeType::CANONICAL);
        let (edge_type_map, edge_names) = map_enum(&edge_file_types, &EdgeType::CANONICAL);
        if nf.len() > 64 || ef.len() > 64 {
            return Err(RawError::bad("snapshot.meta declares too many fields"));
        }
        let root_index = match h.root_index {
            Some(r) => count(r, "root_index")? as u64,
            None => 0,
        };
        Ok((
            Layout {
                node_fields: nf.len(),
                n_type,
                n_name: field(nf, "name", "node_fields")?,
                n_id: field(nf, "id", "node_fields")?,
                n_self: field(nf, "self_size", "node_fields")?,
                n_edges: field(nf, "edge_count", "node_fields")?,
                n_detached: nf.iter().position(|f| f == "detachedness"),
                node_type_map,
                edge_fields: ef.len(),
                e_type,
                e_name: field(ef, "name_or_index", "edge_fields")?,
                e_to: field(ef, "to_node", "edge_fields")?,
                edge_type_map,
                node_count: count(h.node_count, "node_count")?,
                edge_count: count(h.edge_count, "edge_count")?,
                root_index,
            },
            node_names,
            edge_names,
        ))
    }
}

/// Bytes the analysis holds at its peak per node and per edge (measured on big snapshots:
/// columns, retainers, dominator scratch), with some margin.
const PEAK_BYTES_PER_NODE: u64 = 50;
const PEAK_BYTES_PER_EDGE: u64 = 20;

/// Refuses, in words, a snapshot whose analysis would not fit in `available` bytes.
pub(crate) fn check_memory(nodes: u64, edges: u64, available: u64) -> Result<(), RawError> {
    let need = nodes
        .saturating_mul(PEAK_BYTES_PER_NODE)
        .saturating_add(edges.saturating_mul(PEAK_BYTES_PER_EDGE));
    if need > available {
        let gb = |b: u64| b as f64 / 1e9;
        return Err(RawError::bad(format!(
            "analysing {nodes} nodes and {edges} edges needs about {:.1} GB of memory, but only {:.1} GB is available",
            gb(need),
            gb(available)
        )));
    }
    Ok(())
}

/// Memory the system can give us now (Linux: MemAvailable), if known.
pub(super) fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_check_refuses_in_words() {
        assert!(check_memory(1_000_000, 4_000_000, 8_000_000_000).is_ok());
        match check_memory(200_000_000, 800_000_000, 8_000_000_000) {
            Err(RawError::Bad(m, None)) => {
                assert!(m.contains("needs about 26.0 GB"), "{m}");
                assert!(m.contains("only 8.0 GB"), "{m}");
            }
            _ => panic!("expected a refusal"),
        }
        assert!(available_memory().is_none_or(|m| m > 0));
    }
}
