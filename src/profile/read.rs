//! Reading a `.heapprofile` (plain or gzip): serde_json into the protocol's shape, checked
//! (one head, unique node ids, samples that point into the tree), then made flat.

use super::{CallFrame, NO_PARENT, SamplingProfile};
use crate::snapshot::LoadError;
use serde::Deserialize;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::Read;
use std::path::Path;

/// Nesting deeper than this is refused before parsing: V8 records at most 128 frames per
/// stack by default, two JSON levels each.
const MAX_DEPTH: usize = 4096;
/// The parser recurses per level; this stack holds `MAX_DEPTH` levels with room to spare.
const PARSE_STACK: usize = 64 << 20;

#[derive(Deserialize)]
struct RawProfile {
    head: Option<RawNode>,
    #[serde(default)]
    samples: Vec<RawSample>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawNode {
    call_frame: RawFrame,
    #[serde(default)]
    self_size: f64,
    id: f64,
    #[serde(default)]
    children: Vec<RawNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFrame {
    function_name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    script_id: serde_json::Value,
    #[serde(default = "unknown")]
    line_number: f64,
    #[serde(default = "unknown")]
    column_number: f64,
}

fn unknown() -> f64 {
    -1.0
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSample {
    size: f64,
    node_id: f64,
}

/// Reads a sampling heap profile.
pub fn read_profile(path: &Path) -> Result<SamplingProfile, LoadError> {
    let invalid = |message: String| LoadError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    if std::fs::metadata(path).map_err(io)?.is_dir() {
        return Err(invalid("is a directory, not a heap profile".into()));
    }
    let mut bytes = std::fs::read(path).map_err(io)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut plain)
            .map_err(|e| invalid(format!("cannot decompress: {e}")))?;
        bytes = plain;
    }
    profile_from_bytes(&bytes).map_err(invalid)
}

/// Parses and checks a profile's text; the error is in words, without the file name.
pub fn profile_from_bytes(bytes: &[u8]) -> Result<SamplingProfile, String> {
    let depth = max_depth(bytes);
    if depth > MAX_DEPTH {
        return Err(format!(
            "not a heap profile: JSON nested {depth} levels deep (at most {MAX_DEPTH} expected)"
        ));
    }
    // The tree is nested as deep as the stacks; parse (and drop) it on a thread whose
    // stack holds that, whatever thread asked.
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(PARSE_STACK)
            .spawn_scoped(s, || parse(bytes))
            .map_err(|e| format!("cannot start the parser: {e}"))?
            .join()
            .unwrap_or_else(|_| Err("the profile could not be parsed".into()))
    })
}

fn parse(bytes: &[u8]) -> Result<SamplingProfile, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    let raw = RawProfile::deserialize(&mut de)
        .and_then(|r| de.end().map(|_| r))
        .map_err(|e| match e.classify() {
            serde_json::error::Category::Data => format!("not a heap profile: {e}"),
            _ => format!("not a heap profile: not valid JSON ({e})"),
        })?;
    let head = raw
        .head
        .ok_or("not a heap profile: it has no \"head\" (the tree of call stacks)")?;
    let mut p = flatten(&head)?;
    apply_samples(&mut p, &raw.samples)?;
    Ok(p)
}

/// The tree in preorder, functions deduplicated, ids checked.
fn flatten(head: &RawNode) -> Result<SamplingProfile, String> {
    let mut p = SamplingProfile::default();
    let mut functions: HashMap<CallFrame, u32> = HashMap::new();
    let mut index_of: HashMap<u64, u32> = HashMap::new();
    let mut todo: Vec<(&RawNode, u32)> = vec![(head, NO_PARENT)];
    while let Some((n, parent)) = todo.pop() {
        let k = p.node_id.len() as u32;
        let id = whole(n.id, "a node id")?;
        if let Entry::Vacant(v) = index_of.entry(id) {
            v.insert(k);
        } else if on_path(&p, parent, id) {
            return Err(format!("node id {id} appears inside itself (a cycle)"));
        } else {
            return Err(format!("two nodes have the id {id}"));
        }
        let frame = call_frame(&n.call_frame)?;
        let next = functions.len() as u32;
        let f = *functions.entry(frame.clone()).or_insert_with(|| {
            p.functions.push(frame);
            next
        });
        p.node_id.push(id);
        p.node_function.push(f);
        p.node_parent.push(parent);
        p.node_self.push(whole(n.self_size, "a selfSize")?);
        // Reversed, so the first child is taken next (preorder in file order).
        todo.extend(n.children.iter().rev().map(|c| (c, k)));
    }
    let n = p.node_count();
    let mut end: Vec<u32> = (1..=n as u32).collect();
    for k in (0..n).rev() {
        let par = p.node_parent[k];
        if par != NO_PARENT {
            end[par as usize] = end[par as usize].max(end[k]);
        }
    }
    p.node_end = end;
    Ok(p)
}

/// Whether `id` is the id of `at` or one of its ancestors.
fn on_path(p: &SamplingProfile, mut at: u32, id: u64) -> bool {
    while at != NO_PARENT {
        if p.node_id[at as usize] == id {
            return true;
        }
        at = p.node_parent[at as usize];
    }
    false
}

fn call_frame(f: &RawFrame) -> Result<CallFrame, String> {
    let script_id = match &f.script_id {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    let pos = |v: f64, what: &str| -> Result<i64, String> {
        if v.is_finite() && v.fract() == 0.0 && (-1.0..1e12).contains(&v) {
            Ok(v as i64)
        } else {
            Err(format!(
                "{what} {v} of {} is not a position",
                f.function_name
            ))
        }
    };
    Ok(CallFrame {
        name: f.function_name.clone(),
        url: f.url.clone(),
        script_id,
        line: pos(f.line_number, "lineNumber")?,
        column: pos(f.column_number, "columnNumber")?,
    })
}

fn whole(v: f64, what: &str) -> Result<u64, String> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 9.0e15 {
        Ok(v as u64)
    } else {
        Err(format!("{what} ({v}) is not a whole number"))
    }
}

/// Self sizes from the samples, when there are any (see [`SamplingProfile::node_self`]).
/// V8 builds the tree before listing the samples, and writing the tree allocates: the
/// last samples can belong to nodes the tree does not have. Those are left out (and
/// counted), as DevTools leaves them out.
fn apply_samples(p: &mut SamplingProfile, samples: &[RawSample]) -> Result<(), String> {
    if samples.is_empty() {
        return Ok(());
    }
    let index: HashMap<u64, u32> = p
        .node_id
        .iter()
        .enumerate()
        .map(|(k, &id)| (id, k as u32))
        .collect();
    let mut sizes = vec![0u64; p.node_count()];
    for s in samples {
        let id = whole(s.node_id, "a sample's nodeId")?;
        let size = whole(s.size, "a sample's size")?;
        match index.get(&id) {
            Some(&k) => {
                sizes[k as usize] = sizes[k as usize].saturating_add(size);
                p.sample_count += 1;
            }
            None => p.samples_outside_tree += 1,
        }
    }
    p.node_self = sizes;
    Ok(())
}

/// The deepest nesting of arrays and objects, strings skipped.
fn max_depth(b: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &c in b {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}
