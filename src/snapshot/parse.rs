//! Reads a `.heapsnapshot` (plain or gzip) into a [`Snapshot`], streaming: the document is
//! never held whole, numbers go straight into columns, and every count the header claims
//! is checked against what was actually read before it sizes an allocation.

use super::columns::{read_edges, read_nodes};
use super::error::{LoadError, RawError};
use super::header::{Header, Layout, available_memory, check_memory};
use super::lexer::{Lexer, ReadSource, Source};
use super::locations::{build_locations, read_raw_locations};
use super::retainers::Retainers;
use super::salvage::{self, Cut};
use super::trace::{SampleLayout, TraceLayout, TraceParts};
use super::{Snapshot, Strings};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// Progress of reading: bytes of the file consumed so far.
pub type ByteProgress<'a> = &'a mut dyn FnMut(u64);

/// Opens and reads a snapshot file (gzip is detected by its magic bytes).
pub fn read_snapshot(
    path: &Path,
    cancel: Option<&AtomicBool>,
    on_bytes: ByteProgress<'_>,
) -> Result<Snapshot, LoadError> {
    crate::process_memory::pin_mmap_threshold();
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
        None => {
            return Err(RawError::bad(
                "the file is empty: the process writing it probably died before it wrote anything",
            ));
        }
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
        trace: TraceParts::default(),
        reading: String::new(),
        finished: Vec::new(),
    };
    let ended = if lx.peek()? == Some(b'}') {
        lx.expect(b'}', "'}'")?;
        true
    } else {
        match read_members(&mut lx, &mut st, &limits, true) {
            Ok(ended) => ended,
            // Cut right after the edges: nothing is left to overlap with the retainer index.
            Err(e) => return salvage_or_fail(e, &lx, st, compressed),
        }
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
        let rest = read_members(&mut lx, &mut st, &limits, false);
        match rest.and_then(|_| end_of_document(&mut lx)) {
            Ok(()) => complete(st),
            Err(e) => salvage_or_fail(e, &lx, st, compressed),
        }
    })?;
    snap.first_edge = first_edge;
    snap.edge_to = edge_to;
    snap.retainer_index = index;
    Ok(snap)
}

/// A file cut after its node and edge arrays is completed from what was read, with a
/// warning that says what was lost; any other error stands.
fn salvage_or_fail(
    e: RawError,
    lx: &Lexer<'_, impl Source>,
    mut st: Members,
    compressed: bool,
) -> Result<Snapshot, RawError> {
    if !(st.have_nodes && st.have_edges && salvage::is_cut(&e, lx.reached_end())) {
        return Err(e);
    }
    let cut = Cut {
        offset: lx.offset(),
        inside: std::mem::take(&mut st.reading),
        compressed,
    };
    let warning = salvage::patch(
        &mut st.snap,
        &mut st.raw_locations,
        &st.location_fields,
        &st.finished,
        &cut,
    )?;
    st.have_strings = true;
    let mut snap = complete(st)?;
    snap.truncated = Some(warning);
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
        trace,
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
    // The edges' names are checked on one core while the nodes' are and the locations are
    // built on the other: on large files each takes tens of ms, and nothing else runs now.
    let ((nodes, locations), edges) = rayon::join(
        || {
            let nodes = check_node_names(&snap);
            let locations = build_locations(
                &raw_locations,
                &location_fields,
                layout.node_fields,
                snap.node_count(),
            );
            (nodes, locations)
        },
        || check_edge_names(&snap),
    );
    nodes?;
    edges?;

    let nf = layout.node_fields as u64;
    if layout.root_index % nf != 0 || layout.root_index / nf >= snap.node_count() as u64 {
        return Err(RawError::bad(format!(
            "snapshot.root_index {} is not a node index",
            layout.root_index
        )));
    }
    snap.root = (layout.root_index / nf) as u32;
    let (allocation_trace, samples) = trace.finish(snap.strings.len())?;
    if allocation_trace.is_none() {
        snap.node_trace_id = None;
    }
    snap.allocation_trace = allocation_trace;
    snap.samples = samples;
    snap.locations = locations?;
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
    trace: TraceParts,
    /// The member being read ("" between members) and those read whole, to say what a
    /// truncated file lost.
    reading: String,
    finished: Vec<String>,
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
        st.reading.clone_from(&section);
        let Members {
            snap,
            layout,
            have_nodes,
            have_edges,
            have_strings,
            edge_counts,
            raw_locations,
            location_fields,
            trace,
            ..
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
                trace.layout = TraceLayout::new(&header)?;
                trace.sample_layout = SampleLayout::new(&header)?;
                *layout = Some(l);
            }
            b"nodes" => {
                let l = layout
                    .as_ref()
                    .ok_or_else(|| lx.err("\"nodes\" comes before the \"snapshot\" header"))?;
                read_nodes(lx, l, snap, edge_counts, !compressed)?;
                *have_nodes = true;
            }
            b"edges" => {
                let l = layout
                    .as_ref()
                    .ok_or_else(|| lx.err("\"edges\" comes before the \"snapshot\" header"))?;
                if !*have_nodes {
                    return Err(lx.err("\"edges\" comes before \"nodes\""));
                }
                read_edges(lx, l, snap, std::mem::take(edge_counts), !compressed)?;
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
            b"locations" => read_raw_locations(lx, raw_locations, max_numbers)?,
            b"trace_function_infos" => trace.read_functions(lx, max_numbers)?,
            b"trace_tree" => trace.read_tree(lx, max_numbers)?,
            b"samples" => trace.read_samples(lx, max_numbers)?,
            _ => lx.skip_value()?,
        }
        st.reading.clear();
        st.finished.push(section.clone());
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

/// Every node's name is a string index.
fn check_node_names(s: &Snapshot) -> Result<(), RawError> {
    let n = s.strings.len() as u32;
    match s.node_name.iter().position(|&x| x >= n) {
        Some(i) => Err(RawError::bad(format!(
            "node {i} names string {}, but there are only {n} strings",
            s.node_name[i]
        ))),
        None => Ok(()),
    }
}

/// Every edge that has a string name names a string index.
fn check_edge_names(s: &Snapshot) -> Result<(), RawError> {
    let n = s.strings.len() as u32;
    match (0..s.edge_count()).find(|&e| s.edge_has_string_name(e) && s.edge_name[e] >= n) {
        Some(e) => Err(RawError::bad(format!(
            "edge {e} names string {}, but there are only {n} strings",
            s.edge_name[e]
        ))),
        None => Ok(()),
    }
}
