//! Reads a `.heapsnapshot` (plain or gzip) into a [`Snapshot`], streaming: the document is
//! never held whole, numbers go straight into columns, and every count the header claims
//! is checked against what was actually read before it sizes an allocation.

use super::error::{LoadError, RawError};
use super::lexer::{Lexer, Piece, ReadSource, Source};
use super::numbers::scan_region;
use super::records::{Filler, Part, Table};
use super::retainers::Retainers;
use super::types::{EdgeType, NodeType, map_enum};
use super::{Location, Snapshot, Strings};
use serde::Deserialize;
use std::fs::File;
use std::io::{BufReader, Read};
use std::ops::Range;
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
    read_snapshot_inner(ReadSource(reader), size_hint, false, None, &mut cb)
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
    reader: impl Source,
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

    let limits = Limits {
        max_numbers,
        byte_budget,
        file_len,
        compressed,
    };
    let mut st = Members {
        snap: Snapshot::default(),
        layout: None,
        have_nodes: false,
        have_edges: false,
        have_strings: false,
        edge_counts: Vec::new(),
        raw_locations: Vec::new(),
        location_fields: Vec::new(),
    };
    let ended = if lx.peek()? == Some(b'}') {
        lx.expect(b'}', "'}'")?;
        true
    } else {
        read_members(&mut lx, &mut st, &limits, true)?
    };
    if ended {
        end_of_document(&mut lx)?;
        return complete(st);
    }
    // The retainer index needs only the edges: it is built on another core while this one
    // reads the rest (strings, locations) and checks what it read.
    let first_edge = std::mem::take(&mut st.snap.first_edge);
    let edge_to = std::mem::take(&mut st.snap.edge_to);
    let mut index = None;
    let mut snap = rayon::in_place_scope(|scope| {
        scope.spawn(|_| index = Some(Retainers::build_from(&first_edge, &edge_to)));
        read_members(&mut lx, &mut st, &limits, false)?;
        end_of_document(&mut lx)?;
        complete(st)
    })?;
    snap.first_edge = first_edge;
    snap.edge_to = edge_to;
    snap.retainer_index = index;
    Ok(snap)
}

fn end_of_document(lx: &mut Lexer<'_, impl Source>) -> Result<(), RawError> {
    if !lx.at_end()? {
        return Err(lx.err("unexpected data after the end of the snapshot"));
    }
    Ok(())
}

/// Checks that every part was there and consistent, and finishes the snapshot (it does not
/// touch the edges' targets or offsets, which may be lent out meanwhile).
fn complete(st: Members) -> Result<Snapshot, RawError> {
    let Members {
        mut snap,
        layout,
        have_nodes,
        have_edges,
        have_strings,
        raw_locations,
        location_fields,
        ..
    } = st;
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

/// What the top-level members read so far hold.
struct Members {
    snap: Snapshot,
    layout: Option<Layout>,
    have_nodes: bool,
    have_edges: bool,
    have_strings: bool,
    edge_counts: Vec<u32>,
    raw_locations: Vec<u32>,
    location_fields: Vec<String>,
}

/// What the file's size allows, for bounding what the header and arrays claim.
struct Limits {
    max_numbers: usize,
    byte_budget: u64,
    file_len: u64,
    compressed: bool,
}

/// Reads `"key": value` members up to the document's closing `}`, or (with
/// `stop_after_edges`) until the edges have been read and more members follow. Returns
/// whether the document's object ended.
fn read_members(
    lx: &mut Lexer<'_, impl Source>,
    st: &mut Members,
    limits: &Limits,
    stop_after_edges: bool,
) -> Result<bool, RawError> {
    let &Limits {
        max_numbers,
        byte_budget,
        file_len,
        compressed,
    } = limits;
    let mut key = Vec::new();
    loop {
        key.clear();
        lx.string_into(&mut key)?;
        lx.expect(b':', "':' after a key")?;
        let t_section = std::time::Instant::now();
        let section = String::from_utf8_lossy(&key).into_owned();
        let Members {
            snap,
            layout,
            have_nodes,
            have_edges,
            have_strings,
            edge_counts,
            raw_locations,
            location_fields,
        } = st;
        let repeated = match key.as_slice() {
            b"nodes" => *have_nodes,
            b"edges" => *have_edges,
            b"strings" => *have_strings,
            _ => false,
        };
        if repeated {
            return Err(lx.err(format!("the snapshot has two \"{section}\" arrays")));
        }
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
                *location_fields = header.meta.location_fields.clone();
                *layout = Some(l);
            }
            b"nodes" => {
                let l = layout
                    .as_ref()
                    .ok_or_else(|| lx.err("\"nodes\" comes before the \"snapshot\" header"))?;
                read_nodes(lx, l, snap, edge_counts)?;
                *have_nodes = true;
            }
            b"edges" => {
                let l = layout
                    .as_ref()
                    .ok_or_else(|| lx.err("\"edges\" comes before the \"snapshot\" header"))?;
                if !*have_nodes {
                    return Err(lx.err("\"edges\" comes before \"nodes\""));
                }
                read_edges(lx, l, snap, std::mem::take(edge_counts))?;
                *have_edges = true;
            }
            b"strings" => {
                let reserve = if compressed {
                    0
                } else {
                    file_len.saturating_sub(lx.offset())
                };
                read_strings(lx, &mut snap.strings, byte_budget, reserve)?;
                *have_strings = true;
            }
            b"locations" => {
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
                    Piece::Region(bytes, base) => {
                        scan_region(bytes, &mut push).map(|_| ()).map_err(|(i, m)| {
                            RawError::at(format!("{m} in locations"), base + i as u64)
                        })
                    }
                    Piece::Values(vals, base) => vals
                        .iter()
                        .try_for_each(|&v| push(v))
                        .map_err(|m| RawError::at(m, base)),
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
            return Ok(true);
        }
        if stop_after_edges && key == b"edges" {
            return Ok(false);
        }
    }
}

/// `v[a]` and `v[b]` as two mutable slices (`a` before `b`, or `b` empty).
fn two<X>(v: &mut [X], a: Range<usize>, b: Range<usize>) -> (&mut [X], &mut [X]) {
    if b.is_empty() {
        return (&mut v[a], &mut []);
    }
    let (x, y) = v.split_at_mut(b.start);
    (&mut x[a], &mut y[..b.len()])
}

/// The node columns, as long as the header says, filled in place.
struct NodeTable<'l> {
    l: &'l Layout,
    ty: Vec<u8>,
    name: Vec<u32>,
    id: Vec<u32>,
    size: Vec<u32>,
    edges: Vec<u32>,
    det: Option<Vec<u8>>,
}

struct NodePart<'p> {
    l: &'p Layout,
    start: usize,
    ty: &'p mut [u8],
    name: &'p mut [u32],
    id: &'p mut [u32],
    size: &'p mut [u32],
    edges: &'p mut [u32],
    det: Option<&'p mut [u8]>,
}

impl Table for NodeTable<'_> {
    type Part<'p>
        = NodePart<'p>
    where
        Self: 'p;
    fn width(&self) -> usize {
        self.l.node_fields
    }
    fn capacity(&self) -> usize {
        self.l.node_count
    }
    fn parts(&mut self, a: Range<usize>, b: Range<usize>) -> (NodePart<'_>, NodePart<'_>) {
        let (ty_a, ty_b) = two(&mut self.ty, a.clone(), b.clone());
        let (name_a, name_b) = two(&mut self.name, a.clone(), b.clone());
        let (id_a, id_b) = two(&mut self.id, a.clone(), b.clone());
        let (size_a, size_b) = two(&mut self.size, a.clone(), b.clone());
        let (edges_a, edges_b) = two(&mut self.edges, a.clone(), b.clone());
        let (det_a, det_b) = match self.det.as_mut() {
            Some(d) => {
                let (x, y) = two(d, a.clone(), b.clone());
                (Some(x), Some(y))
            }
            None => (None, None),
        };
        let l = self.l;
        (
            NodePart {
                l,
                start: a.start,
                ty: ty_a,
                name: name_a,
                id: id_a,
                size: size_a,
                edges: edges_a,
                det: det_a,
            },
            NodePart {
                l,
                start: b.start,
                ty: ty_b,
                name: name_b,
                id: id_b,
                size: size_b,
                edges: edges_b,
                det: det_b,
            },
        )
    }
    fn too_many(&self) -> String {
        format!(
            "nodes array holds more than the {} nodes the header declares",
            self.l.node_count
        )
    }
}

impl Part for NodePart<'_> {
    #[inline(always)]
    fn put(&mut self, r: usize, rec: &[u32]) -> Result<(), String> {
        let l = self.l;
        let k = r - self.start;
        if k >= self.ty.len() {
            return Err(format!(
                "nodes array holds more than the {} nodes the header declares",
                l.node_count
            ));
        }
        let t = rec[l.n_type] as usize;
        self.ty[k] = *l
            .node_type_map
            .get(t)
            .ok_or_else(|| format!("node {r} has unknown type {t}"))?;
        self.name[k] = rec[l.n_name];
        self.id[k] = rec[l.n_id];
        self.size[k] = rec[l.n_self];
        self.edges[k] = rec[l.n_edges];
        if let (Some(d), Some(at)) = (self.det.as_deref_mut(), l.n_detached) {
            d[k] = (rec[at] & 3) as u8;
        }
        Ok(())
    }
}

fn read_nodes(
    lx: &mut Lexer<'_, impl Source>,
    l: &Layout,
    snap: &mut Snapshot,
    edge_counts: &mut Vec<u32>,
) -> Result<(), RawError> {
    let n = l.node_count;
    let mut t = NodeTable {
        l,
        ty: vec![0; n],
        name: vec![0; n],
        id: vec![0; n],
        size: vec![0; n],
        // One more than the nodes: the counts become the CSR offsets in place.
        edges: vec![0; n + 1],
        det: l.n_detached.map(|_| vec![0; n]),
    };
    let mut fill = Filler::new(&mut t, "nodes");
    lx.u32_array_pieces("nodes", |p| fill.piece(p))?;
    let read = fill.finish().map_err(|m| lx.err(m))?;
    if read != n {
        return Err(lx.err(format!(
            "header declares {n} nodes but the nodes array holds {read}"
        )));
    }
    snap.node_type = t.ty;
    snap.node_name = t.name;
    snap.node_id = t.id;
    snap.node_self_size = t.size;
    snap.node_detachedness = t.det;
    *edge_counts = t.edges;
    Ok(())
}

/// The edge columns, as long as the header says, filled in place.
struct EdgeTable<'l> {
    l: &'l Layout,
    node_count: usize,
    ty: Vec<u8>,
    name: Vec<u32>,
    to: Vec<u32>,
}

struct EdgePart<'p> {
    l: &'p Layout,
    node_count: usize,
    /// `2^64 / node_fields`, rounded up.
    div_magic: u64,
    start: usize,
    ty: &'p mut [u8],
    name: &'p mut [u32],
    to: &'p mut [u32],
}

impl Table for EdgeTable<'_> {
    type Part<'p>
        = EdgePart<'p>
    where
        Self: 'p;
    fn width(&self) -> usize {
        self.l.edge_fields
    }
    fn capacity(&self) -> usize {
        self.l.edge_count
    }
    fn parts(&mut self, a: Range<usize>, b: Range<usize>) -> (EdgePart<'_>, EdgePart<'_>) {
        let (ty_a, ty_b) = two(&mut self.ty, a.clone(), b.clone());
        let (name_a, name_b) = two(&mut self.name, a.clone(), b.clone());
        let (to_a, to_b) = two(&mut self.to, a.clone(), b.clone());
        let (l, node_count) = (self.l, self.node_count);
        let div_magic = divisor_magic(l.node_fields as u32);
        (
            EdgePart {
                l,
                node_count,
                div_magic,
                start: a.start,
                ty: ty_a,
                name: name_a,
                to: to_a,
            },
            EdgePart {
                l,
                node_count,
                div_magic,
                start: b.start,
                ty: ty_b,
                name: name_b,
                to: to_b,
            },
        )
    }
    fn too_many(&self) -> String {
        format!(
            "edges array holds more than the {} edges the header declares",
            self.l.edge_count
        )
    }
}

impl Part for EdgePart<'_> {
    #[inline(always)]
    fn put(&mut self, r: usize, rec: &[u32]) -> Result<(), String> {
        let l = self.l;
        let k = r - self.start;
        if k >= self.ty.len() {
            return Err(format!(
                "edges array holds more than the {} edges the header declares",
                l.edge_count
            ));
        }
        let to = rec[l.e_to];
        let nf = l.node_fields as u32;
        // Division by multiplication (Lemire's method, exact for every u32): a hardware
        // divide per edge costs more than scanning the edge's numbers.
        let q = divide(to, self.div_magic);
        if q.wrapping_mul(nf) != to {
            return Err(format!(
                "edge {r} points inside a node (to_node {to} is not a multiple of {nf})"
            ));
        }
        if q as usize >= self.node_count {
            return Err(format!(
                "edge {r} points outside the node array (to_node {to})"
            ));
        }
        let t = rec[l.e_type] as usize;
        self.ty[k] = *l
            .edge_type_map
            .get(t)
            .ok_or_else(|| format!("edge {r} has unknown type {t}"))?;
        self.name[k] = rec[l.e_name];
        self.to[k] = q;
        Ok(())
    }
}

/// `2^64 / d` rounded up, for [`divide`] (`d` >= 2; layouts have at least five fields).
fn divisor_magic(d: u32) -> u64 {
    u64::MAX / d.max(2) as u64 + 1
}

/// `n / d` for the `d` of `magic` (exact for every u32 `n`).
#[inline(always)]
fn divide(n: u32, magic: u64) -> u32 {
    ((magic as u128 * n as u128) >> 64) as u32
}

fn read_edges(
    lx: &mut Lexer<'_, impl Source>,
    l: &Layout,
    snap: &mut Snapshot,
    edge_counts: Vec<u32>,
) -> Result<(), RawError> {
    let m = l.edge_count;
    let total: u64 = edge_counts.iter().map(|&c| c as u64).sum();
    if total != m as u64 {
        return Err(lx.err(format!(
            "the nodes' edge counts add up to {total} but the header declares {m} edges"
        )));
    }
    // CSR offsets from the per-node edge counts (n + 1 of them, the last 0), in place.
    let node_count = edge_counts.len().saturating_sub(1);
    let mut first = edge_counts;
    let mut acc = 0u32;
    for f in first.iter_mut() {
        let c = *f;
        *f = acc;
        acc += c;
    }
    snap.first_edge = first;
    let mut t = EdgeTable {
        l,
        node_count,
        ty: vec![0; m],
        name: vec![0; m],
        to: vec![0; m],
    };
    let mut fill = Filler::new(&mut t, "edges");
    lx.u32_array_pieces("edges", |p| fill.piece(p))?;
    let read = fill.finish().map_err(|m| lx.err(m))?;
    if read != m {
        return Err(lx.err(format!(
            "header declares {m} edges but the edges array holds {read}"
        )));
    }
    snap.edge_type = t.ty;
    snap.edge_name = t.name;
    snap.edge_to = t.to;
    Ok(())
}

fn read_strings(
    lx: &mut Lexer<'_, impl Source>,
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
    fn division_by_multiplication_is_exact() {
        for d in 2..=64u32 {
            let m = divisor_magic(d);
            let mut n = 0u32;
            loop {
                for k in [
                    n,
                    n.wrapping_add(1),
                    n.wrapping_sub(1),
                    u32::MAX,
                    u32::MAX - d,
                ] {
                    assert_eq!(divide(k, m), k / d, "{k} / {d}");
                }
                n = match n.checked_mul(3).and_then(|x| x.checked_add(d)) {
                    Some(x) => x,
                    None => break,
                };
            }
        }
    }

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
