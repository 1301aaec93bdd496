//! Reads a `.heapsnapshot` (plain or gzip) into a [`Snapshot`], streaming: the document is
//! never held whole, numbers go straight into columns, and every count the header claims
//! is checked against what was actually read before it sizes an allocation.

use super::error::{LoadError, RawError};
use super::lexer::Lexer;
use super::types::{EdgeType, NodeType, map_enum};
use super::{Location, Snapshot, Strings};
use serde::Deserialize;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::atomic::AtomicBool;

#[derive(Deserialize)]
struct Header {
    meta: Meta,
    node_count: f64,
    edge_count: f64,
    #[serde(default)]
    root_index: Option<f64>,
    #[serde(default)]
    extra_native_bytes: Option<f64>,
}

#[derive(Deserialize)]
struct Meta {
    node_fields: Vec<String>,
    node_types: Vec<serde_json::Value>,
    edge_fields: Vec<String>,
    edge_types: Vec<serde_json::Value>,
    #[serde(default)]
    location_fields: Vec<String>,
}

/// Where each needed field sits in a node / edge record.
struct Layout {
    node_fields: usize,
    n_type: usize,
    n_name: usize,
    n_id: usize,
    n_self: usize,
    n_edges: usize,
    n_detached: Option<usize>,
    node_type_map: Vec<u8>,
    edge_fields: usize,
    e_type: usize,
    e_name: usize,
    e_to: usize,
    edge_type_map: Vec<u8>,
    node_count: usize,
    edge_count: usize,
    root_index: u64,
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
    fn check_fits(&self, max_numbers: usize) -> Result<(), String> {
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

    fn new(h: &Header) -> Result<(Layout, Vec<String>, Vec<String>), RawError> {
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

/// Progress of reading: bytes of the file consumed so far.
pub type ByteProgress<'a> = &'a mut dyn FnMut(u64);

/// Opens and reads a snapshot file (gzip is detected by its magic bytes).
pub fn read_snapshot(
    path: &Path,
    cancel: Option<&AtomicBool>,
    on_bytes: ByteProgress<'_>,
) -> Result<Snapshot, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(LoadError::Invalid {
            path: path.to_path_buf(),
            message: "is a directory, not a heap snapshot file".into(),
        });
    }
    let mut file = File::open(path).map_err(io)?;
    let mut magic = [0u8; 2];
    let got = read_up_to(&mut file, &mut magic).map_err(io)?;
    drop(file);
    let file = File::open(path).map_err(io)?;
    let len = meta.len();
    // A second thread reads (and inflates) ahead while this one parses.
    let consumed = std::sync::atomic::AtomicU64::new(0);
    let (prefetch, producer) = super::prefetch::channel();
    let gz = got == 2 && magic == [0x1f, 0x8b];
    let result = std::thread::scope(|scope| {
        let consumed = &consumed;
        scope.spawn(move || {
            let counted = CountingReader {
                inner: file,
                read: 0,
                total: Some(consumed),
            };
            if gz {
                producer.run(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
                    1 << 20,
                    counted,
                )));
            } else {
                producer.run(counted);
            }
        });
        // Progress is in bytes of the file as stored (compressed bytes for .gz).
        let mut cb = |_parsed: u64| on_bytes(consumed.load(std::sync::atomic::Ordering::Relaxed));
        read_snapshot_inner(prefetch, len, gz, cancel, &mut cb)
    });
    result
        .map(|mut s| {
            s.file_bytes = len;
            s
        })
        .map_err(|e| e.with_path(path.to_path_buf()))
}

/// Reads a snapshot from any reader (plain JSON text). `size_hint` bounds preallocation.
pub fn read_snapshot_from(
    reader: impl Read,
    size_hint: u64,
    name: &Path,
) -> Result<Snapshot, LoadError> {
    let mut cb = |_| {};
    read_snapshot_inner(reader, size_hint, false, None, &mut cb)
        .map_err(|e| e.with_path(name.to_path_buf()))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

struct CountingReader<'a, R> {
    inner: R,
    read: u64,
    total: Option<&'a std::sync::atomic::AtomicU64>,
}
impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if let Some(t) = self.total {
            t.store(self.read, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(n)
    }
}

fn read_snapshot_inner(
    reader: impl Read,
    file_len: u64,
    compressed: bool,
    cancel: Option<&AtomicBool>,
    on_bytes: ByteProgress<'_>,
) -> Result<Snapshot, RawError> {
    // Each number takes at least two bytes ("0,"); gzip rarely exceeds 1:40 on snapshots, so
    // this bounds what a lying header can make us reserve.
    let byte_budget = if compressed {
        file_len.saturating_mul(64)
    } else {
        file_len
    };
    let max_numbers = (byte_budget / 2 + 16) as usize;

    let mut lx = Lexer::new(reader, cancel, on_bytes);
    match lx.peek()? {
        None => return Err(RawError::bad("the file is empty")),
        Some(b'{') => {}
        Some(_) => {
            return Err(lx.err("not a heap snapshot: it does not start with a JSON object"));
        }
    }
    lx.expect(b'{', "'{'")?;

    let mut snap = Snapshot::default();
    let mut layout: Option<Layout> = None;
    let mut have_nodes = false;
    let mut have_edges = false;
    let mut have_strings = false;
    let mut edge_counts: Vec<u32> = Vec::new();
    let mut raw_locations: Vec<u32> = Vec::new();
    let mut location_fields: Vec<String> = Vec::new();
    let mut key = Vec::new();

    if lx.peek()? != Some(b'}') {
        loop {
            key.clear();
            lx.string_into(&mut key)?;
            lx.expect(b':', "':' after a key")?;
            let t_section = std::time::Instant::now();
            let section = String::from_utf8_lossy(&key).into_owned();
            match key.as_slice() {
                b"snapshot" => {
                    let at = lx.offset();
                    let text = lx.capture_value(16 << 20)?;
                    let header: Header = serde_json::from_slice(&text).map_err(|e| {
                        RawError::at(format!("the \"snapshot\" header is not valid: {e}"), at)
                    })?;
                    let (l, nn, en) = Layout::new(&header)?;
                    // A header that lies about its size is caught here, before anything is
                    // sized from it; then whether the analysis would fit in memory at all.
                    l.check_fits(max_numbers).map_err(|m| RawError::at(m, at))?;
                    if let Some(avail) = available_memory() {
                        check_memory(l.node_count as u64, l.edge_count as u64, avail)?;
                    }
                    snap.node_type_names = nn;
                    snap.edge_type_names = en;
                    snap.extra_native_bytes = header
                        .extra_native_bytes
                        .filter(|v| v.is_finite() && *v >= 0.0)
                        .map(|v| v as u64)
                        .unwrap_or(0);
                    location_fields = header.meta.location_fields.clone();
                    layout = Some(l);
                }
                b"nodes" => {
                    let l = layout
                        .as_ref()
                        .ok_or_else(|| lx.err("\"nodes\" comes before the \"snapshot\" header"))?;
                    read_nodes(&mut lx, l, &mut snap, &mut edge_counts)?;
                    have_nodes = true;
                }
                b"edges" => {
                    let l = layout
                        .as_ref()
                        .ok_or_else(|| lx.err("\"edges\" comes before the \"snapshot\" header"))?;
                    if !have_nodes {
                        return Err(lx.err("\"edges\" comes before \"nodes\""));
                    }
                    read_edges(&mut lx, l, &mut snap, &edge_counts)?;
                    have_edges = true;
                }
                b"strings" => {
                    let reserve = if compressed {
                        0
                    } else {
                        file_len.saturating_sub(lx.offset())
                    };
                    read_strings(&mut lx, &mut snap.strings, byte_budget, reserve)?;
                    have_strings = true;
                }
                b"locations" => {
                    let cap = max_numbers;
                    lx.u32_array("locations", |v| {
                        if raw_locations.len() >= cap {
                            return Err("locations array is longer than the file allows".into());
                        }
                        raw_locations.push(v);
                        Ok(())
                    })?;
                }
                _ => lx.skip_value()?,
            }
            if std::env::var_os("HEAPDIVE_DEBUG_PARSE").is_some() {
                eprintln!(
                    "  section {section}: {:.1} ms",
                    t_section.elapsed().as_secs_f64() * 1e3
                );
            }
            if !lx.comma_or(b'}')? {
                break;
            }
        }
    } else {
        lx.expect(b'}', "'}'")?;
    }
    if !lx.at_end()? {
        return Err(lx.err("unexpected data after the end of the snapshot"));
    }
    let layout =
        layout.ok_or_else(|| RawError::bad("not a heap snapshot: no \"snapshot\" header"))?;
    if !have_nodes {
        return Err(RawError::bad("not a heap snapshot: no \"nodes\" array"));
    }
    if !have_edges {
        return Err(RawError::bad("not a heap snapshot: no \"edges\" array"));
    }
    if !have_strings {
        return Err(RawError::bad("not a heap snapshot: no \"strings\" array"));
    }
    if snap.node_count() == 0 {
        return Err(RawError::bad("the snapshot has no nodes"));
    }
    snap.strings.seal_original();
    validate_names(&snap)?;

    let nf = layout.node_fields as u64;
    if layout.root_index % nf != 0 || layout.root_index / nf >= snap.node_count() as u64 {
        return Err(RawError::bad(format!(
            "snapshot.root_index {} is not a node index",
            layout.root_index
        )));
    }
    snap.root = (layout.root_index / nf) as u32;
    snap.locations = build_locations(
        &raw_locations,
        &location_fields,
        layout.node_fields,
        snap.node_count(),
    )?;
    Ok(snap)
}

fn read_nodes<R: Read>(
    lx: &mut Lexer<'_, R>,
    l: &Layout,
    snap: &mut Snapshot,
    edge_counts: &mut Vec<u32>,
) -> Result<(), RawError> {
    let n = l.node_count;
    snap.node_type = Vec::with_capacity(n);
    snap.node_name = Vec::with_capacity(n);
    snap.node_id = Vec::with_capacity(n);
    snap.node_self_size = Vec::with_capacity(n);
    edge_counts.reserve_exact(n);
    let mut det = l.n_detached.map(|_| Vec::with_capacity(n));
    let nf = l.node_fields;
    let mut nodes_read = 0usize;
    let type_map = &l.node_type_map;
    let mut push_node = |rec: &[u32], nodes_read: &mut usize| -> Result<(), String> {
        if *nodes_read == n {
            return Err(format!(
                "nodes array holds more than the {n} nodes the header declares"
            ));
        }
        *nodes_read += 1;
        let t = rec[l.n_type] as usize;
        let t = *type_map
            .get(t)
            .ok_or_else(|| format!("node {} has unknown type {t}", *nodes_read - 1))?;
        snap.node_type.push(t);
        snap.node_name.push(rec[l.n_name]);
        snap.node_id.push(rec[l.n_id]);
        snap.node_self_size.push(rec[l.n_self]);
        edge_counts.push(rec[l.n_edges]);
        if let (Some(d), Some(at)) = (det.as_mut(), l.n_detached) {
            d.push((rec[at] & 3) as u8);
        }
        Ok(())
    };
    let mut rec = Records::new(nf);
    lx.u32_array_bulk("nodes", |vals| {
        rec.feed(vals, |r| push_node(r, &mut nodes_read))
    })?;
    let f = rec.partial();
    if f != 0 {
        return Err(lx.err(format!(
            "nodes array length is not a multiple of the {nf} node fields"
        )));
    }
    if nodes_read != n {
        return Err(lx.err(format!(
            "header declares {n} nodes but the nodes array holds {nodes_read}"
        )));
    }
    snap.node_detachedness = det;
    Ok(())
}

fn read_edges<R: Read>(
    lx: &mut Lexer<'_, R>,
    l: &Layout,
    snap: &mut Snapshot,
    edge_counts: &[u32],
) -> Result<(), RawError> {
    let m = l.edge_count;
    let total: u64 = edge_counts.iter().map(|&c| c as u64).sum();
    if total != m as u64 {
        return Err(lx.err(format!(
            "the nodes' edge counts add up to {total} but the header declares {m} edges"
        )));
    }
    // CSR offsets from the per-node edge counts.
    let node_count = edge_counts.len();
    let mut first = Vec::with_capacity(node_count + 1);
    let mut acc = 0u32;
    for &c in edge_counts {
        first.push(acc);
        acc += c;
    }
    first.push(acc);
    snap.first_edge = first;
    snap.edge_type = Vec::with_capacity(m);
    snap.edge_name = Vec::with_capacity(m);
    snap.edge_to = Vec::with_capacity(m);
    let ef = l.edge_fields;
    let nf = l.node_fields as u32;
    let type_map = &l.edge_type_map;
    let mut read = 0usize;
    let mut push_edge = |rec: &[u32], read: &mut usize| -> Result<(), String> {
        if *read == m {
            return Err(format!(
                "edges array holds more than the {m} edges the header declares"
            ));
        }
        let to = rec[l.e_to];
        // Division by a known constant is far cheaper; 7 and 6 are V8's layouts.
        let q = match nf {
            7 => to / 7,
            6 => to / 6,
            _ => to / nf,
        };
        if q * nf != to {
            return Err(format!(
                "edge {} points inside a node (to_node {to} is not a multiple of {nf})",
                *read
            ));
        }
        if q as usize >= node_count {
            return Err(format!(
                "edge {} points outside the node array (to_node {to})",
                *read
            ));
        }
        let t = rec[l.e_type] as usize;
        let t = *type_map
            .get(t)
            .ok_or_else(|| format!("edge {} has unknown type {t}", *read))?;
        snap.edge_type.push(t);
        snap.edge_name.push(rec[l.e_name]);
        snap.edge_to.push(q);
        *read += 1;
        Ok(())
    };
    let mut rec = Records::new(ef);
    lx.u32_array_bulk("edges", |vals| rec.feed(vals, |r| push_edge(r, &mut read)))?;
    let f = rec.partial();
    if f != 0 {
        return Err(lx.err(format!(
            "edges array length is not a multiple of the {ef} edge fields"
        )));
    }
    if read != m {
        return Err(lx.err(format!(
            "header declares {m} edges but the edges array holds {read}"
        )));
    }
    Ok(())
}

fn read_strings<R: Read>(
    lx: &mut Lexer<'_, R>,
    out: &mut Strings,
    byte_budget: u64,
    reserve: u64,
) -> Result<(), RawError> {
    // For plain files the strings are the rest of the document: reserve once, not by doubling.
    *out = Strings::with_capacity(reserve.min(1 << 32) as usize);
    lx.string_array("strings", |text| {
        out.push(text);
        if out.len() as u64 > byte_budget {
            return Err("strings array is longer than the file allows".into());
        }
        Ok(())
    })
}

fn validate_names(s: &Snapshot) -> Result<(), RawError> {
    let n = s.strings.len() as u32;
    if let Some((i, &bad)) = s.node_name.iter().enumerate().find(|&(_, &x)| x >= n) {
        return Err(RawError::bad(format!(
            "node {i} names string {bad}, but there are only {n} strings"
        )));
    }
    for e in 0..s.edge_count() {
        if s.edge_has_string_name(e) && s.edge_name[e] >= n {
            return Err(RawError::bad(format!(
                "edge {e} names string {}, but there are only {n} strings",
                s.edge_name[e]
            )));
        }
    }
    Ok(())
}

fn build_locations(
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
    let mut out: Vec<(u32, Location)> = Vec::with_capacity(raw.len() / lf);
    for (k, r) in raw.chunks_exact(lf).enumerate() {
        let idx = r[oi] as usize;
        if !idx.is_multiple_of(node_fields) || idx / node_fields >= node_count {
            return Err(RawError::bad(format!(
                "location {k} refers to {idx}, which is not a node index"
            )));
        }
        out.push((
            (idx / node_fields) as u32,
            Location {
                script_id: r[si],
                line: r[li],
                column: r[ci],
            },
        ));
    }
    // Stable sort keeps file order within a node; keep the last entry (Map.set overwrites).
    out.sort_by_key(|&(o, _)| o);
    let mut dedup: Vec<(u32, Location)> = Vec::with_capacity(out.len());
    for item in out {
        match dedup.last_mut() {
            Some(last) if last.0 == item.0 => *last = item,
            _ => dedup.push(item),
        }
    }
    Ok(dedup)
}

/// Cuts a stream of numbers into fixed-width records, carrying a partial record from one
/// slice to the next.
struct Records {
    width: usize,
    rec: [u32; 64],
    filled: usize,
}

impl Records {
    fn new(width: usize) -> Self {
        Records {
            width,
            rec: [0; 64],
            filled: 0,
        }
    }

    fn feed(
        &mut self,
        vals: &[u32],
        mut push: impl FnMut(&[u32]) -> Result<(), String>,
    ) -> Result<(), String> {
        let w = self.width;
        let mut k = 0;
        while self.filled != 0 && k < vals.len() {
            self.rec[self.filled] = vals[k];
            self.filled += 1;
            k += 1;
            if self.filled == w {
                self.filled = 0;
                push(&self.rec[..w])?;
            }
        }
        let mut chunks = vals[k..].chunks_exact(w);
        for r in &mut chunks {
            push(r)?;
        }
        for &v in chunks.remainder() {
            self.rec[self.filled] = v;
            self.filled += 1;
        }
        Ok(())
    }

    /// Numbers of an unfinished record (0 when the stream ended on a record boundary).
    fn partial(&self) -> usize {
        self.filled
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
fn available_memory() -> Option<u64> {
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
