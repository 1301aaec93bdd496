//! The first pass: which string indexes are values of the heap (names of string,
//! concatenated string and sliced string nodes) and which name something that must stay
//! readable (other nodes, edges, the functions of allocation traces). V8 writes each distinct
//! text once, so one index can be both: a string `"password"` and the property `password`.

use super::Fail;
use super::json::JsonReader;
use super::marks::Marks;
use serde_json::Value;
use std::io::Read;

/// The node types whose name is the object's text, in [`Usage::value_nodes`] order.
pub const VALUE_TYPES: [&str; 3] = ["string", "concatenated string", "sliced string"];

/// Where the fields that hold string indexes sit, from `snapshot.meta`.
pub(crate) struct Layout {
    pub node_fields: usize,
    pub n_type: usize,
    pub n_name: usize,
    /// By node type index: which of [`VALUE_TYPES`] it is.
    pub value_kind: Vec<Option<usize>>,
    pub edge_fields: usize,
    pub e_type: usize,
    pub e_name: usize,
    /// By edge type index: whether `name_or_index` is a string index (not element/hidden).
    pub named_edge: Vec<bool>,
    pub trace_fields: usize,
    /// Positions of the string-index fields in a `trace_function_infos` record.
    pub trace_names: Vec<usize>,
}

pub(crate) struct Usage {
    pub layout: Layout,
    /// Names of value nodes.
    pub values: Marks,
    /// Names of everything else.
    pub names: Marks,
    pub string_count: u32,
    /// Value nodes by kind, in [`VALUE_TYPES`] order.
    pub value_nodes: [u64; 3],
}

fn fields(meta: &Value, key: &str) -> Vec<String> {
    meta[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn position(list: &[String], name: &str, what: &str) -> Result<usize, Fail> {
    list.iter().position(|f| f == name).ok_or_else(|| {
        Fail::Bad(
            format!("snapshot.meta.{what} has no \"{name}\" field"),
            None,
        )
    })
}

/// The type names of the enum field at `at` of `types`.
fn type_names(meta: &Value, key: &str, at: usize) -> Result<Vec<String>, Fail> {
    let list = meta[key][at]
        .as_array()
        .ok_or_else(|| Fail::Bad(format!("snapshot.meta.{key} lacks the type names"), None))?;
    Ok(list
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect())
}

impl Layout {
    pub fn from_header(text: &[u8]) -> Result<Layout, Fail> {
        let header: Value = serde_json::from_slice(text)
            .map_err(|e| Fail::Bad(format!("the \"snapshot\" header is not valid: {e}"), None))?;
        let meta = &header["meta"];
        let (nf, ef) = (fields(meta, "node_fields"), fields(meta, "edge_fields"));
        let n_type = position(&nf, "type", "node_fields")?;
        let e_type = position(&ef, "type", "edge_fields")?;
        let value_kind = type_names(meta, "node_types", n_type)?
            .iter()
            .map(|t| VALUE_TYPES.iter().position(|v| v == t))
            .collect();
        let named_edge = type_names(meta, "edge_types", e_type)?
            .iter()
            .map(|t| t != "element" && t != "hidden")
            .collect();
        let tf = fields(meta, "trace_function_info_fields");
        let trace_names = ["name", "script_name"]
            .iter()
            .filter_map(|n| tf.iter().position(|f| f == n))
            .collect();
        Ok(Layout {
            node_fields: nf.len(),
            n_type,
            n_name: position(&nf, "name", "node_fields")?,
            value_kind,
            edge_fields: ef.len(),
            e_type,
            e_name: position(&ef, "name_or_index", "edge_fields")?,
            named_edge,
            trace_fields: tf.len(),
            trace_names,
        })
    }
}

/// Calls `f` with each record of `width` numbers of the array `what`.
pub(crate) fn records(
    r: &mut JsonReader<impl Read>,
    what: &str,
    width: usize,
    mut f: impl FnMut(&[u32]) -> Result<(), Fail>,
) -> Result<(), Fail> {
    if width == 0 || width > 64 {
        return Err(r.bad(format!("{what} records of {width} fields")));
    }
    let mut rec = [0u32; 64];
    let mut k = 0;
    r.numbers(what, |v| {
        rec[k] = v;
        k += 1;
        if k == width {
            k = 0;
            f(&rec[..width])?;
        }
        Ok(())
    })?;
    if k != 0 {
        return Err(r.bad(format!(
            "{what} does not hold whole records of {width} fields"
        )));
    }
    Ok(())
}

/// Reads the whole document once and marks what every string index names.
pub(crate) fn scan(r: &mut JsonReader<impl Read>) -> Result<Usage, Fail> {
    let mut layout: Option<Layout> = None;
    let (mut values, mut names) = (Marks::default(), Marks::default());
    let mut value_nodes = [0u64; 3];
    let mut string_count: Option<u32> = None;
    let mut have_nodes = false;
    super::members(r, &mut None, |key, r, _| {
        let need = |l: &Option<Layout>, r: &JsonReader<_>| match l {
            Some(_) => Ok(()),
            None => Err(r.bad(format!("\"{key}\" comes before the \"snapshot\" header"))),
        };
        match key {
            "snapshot" => layout = Some(Layout::from_header(&super::capture(r)?)?),
            "nodes" => {
                need(&layout, r)?;
                let l = layout.as_ref().unwrap_or_else(|| unreachable!());
                records(r, "nodes", l.node_fields, |rec| {
                    let name = rec[l.n_name];
                    match l.value_kind.get(rec[l.n_type] as usize).copied().flatten() {
                        Some(kind) => {
                            value_nodes[kind] += 1;
                            values.set(name);
                        }
                        None => names.set(name),
                    }
                    Ok(())
                })?;
                have_nodes = true;
            }
            "edges" => {
                need(&layout, r)?;
                let l = layout.as_ref().unwrap_or_else(|| unreachable!());
                records(r, "edges", l.edge_fields, |rec| {
                    if l.named_edge.get(rec[l.e_type] as usize) == Some(&true) {
                        names.set(rec[l.e_name]);
                    }
                    Ok(())
                })?;
            }
            "trace_function_infos" if layout.as_ref().is_some_and(|l| l.trace_fields > 0) => {
                let l = layout.as_ref().unwrap_or_else(|| unreachable!());
                records(r, "trace_function_infos", l.trace_fields, |rec| {
                    l.trace_names.iter().for_each(|&i| names.set(rec[i]));
                    Ok(())
                })?;
            }
            "strings" => string_count = Some(count_strings(r)?),
            _ => r.copy_value(&mut None)?,
        }
        Ok(())
    })?;
    let layout = layout
        .ok_or_else(|| Fail::Bad("not a heap snapshot: no \"snapshot\" header".into(), None))?;
    if !have_nodes {
        return Err(Fail::Bad(
            "not a heap snapshot: no \"nodes\" array".into(),
            None,
        ));
    }
    let string_count = string_count
        .ok_or_else(|| Fail::Bad("not a heap snapshot: no \"strings\" array".into(), None))?;
    let top = values.max().max(names.max());
    if let Some(top) = top.filter(|&t| t >= string_count) {
        return Err(Fail::Bad(
            format!("a name refers to string #{top}, but the file has {string_count} strings"),
            None,
        ));
    }
    Ok(Usage {
        layout,
        values,
        names,
        string_count,
        value_nodes,
    })
}

fn count_strings(r: &mut JsonReader<impl Read>) -> Result<u32, Fail> {
    r.expect(b'[', "'[' to open strings")?;
    if r.peek()? == Some(b']') {
        r.expect(b']', "']'")?;
        return Ok(0);
    }
    let mut n = 0u32;
    loop {
        r.copy_string(&mut None)?;
        n = n
            .checked_add(1)
            .ok_or_else(|| r.bad("more than 2^32 strings"))?;
        if !r.comma_or(b']', "strings")? {
            return Ok(n);
        }
    }
}
