//! Tiles a `.heapsnapshot` K times into one bigger snapshot, streaming (the input is read
//! twice through a small buffer, never held whole), to test how the loader scales. Used by
//! `examples/tile.rs` (`cargo run --release --example tile -- IN OUT K`, which
//! `tests/bench/scaling.sh` runs) and checked by `tests/tile.rs`.
//!
//! Copy `c` of the graph gets node ids shifted by `c * stride` (`stride` even and above every
//! id of the input, so ids stay unique and keep their parity), or, where that would pass
//! 2^32 (address-like ids of native objects), ids numbered densely by ordinal with the
//! parity kept (`2 * (c * nodes + ordinal) + id % 2`); its edges' `to_node` and its locations' `object_index` shifted by `c` node arrays.
//! The first copy's root gets one element edge to each other copy's root, so the whole file
//! is one graph; strings, allocation traces and samples are written once and shared. Every
//! class count of the output is K times the input's, and so is the total size.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

type Res<T> = Result<T, String>;

/// What [`tile`] wrote.
#[derive(Debug)]
pub struct Tiled {
    pub node_count: u64,
    pub edge_count: u64,
    /// The id shift per copy; 0 where ids were numbered densely instead.
    pub id_stride: u64,
}

/// Writes `k` copies of the snapshot at `input` as one snapshot at `output`.
pub fn tile(input: &Path, output: &Path, k: u64) -> Res<Tiled> {
    if k < 1 {
        return Err("K must be at least 1".into());
    }
    let plan = Plan::scan(input, k)?;
    let fail = |e: std::io::Error| format!("{}: {e}", output.display());
    let out = File::create(output).map_err(fail)?;
    let mut w = BufWriter::with_capacity(8 << 20, out);
    plan.write(input, &mut w).map_err(fail)?;
    w.flush().map_err(fail)?;
    Ok(Tiled {
        node_count: plan.node_count * k,
        edge_count: plan.edge_count * k + (k - 1),
        id_stride: plan.stride,
    })
}

/// A buffered reader that knows its byte offset and can jump back.
struct Scanner {
    file: File,
    buf: Vec<u8>,
    at: usize,
    len: usize,
    /// File offset of `buf[0]`.
    base: u64,
}

impl Scanner {
    fn open(path: &Path) -> Res<Self> {
        let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Scanner {
            file,
            buf: vec![0; 4 << 20],
            at: 0,
            len: 0,
            base: 0,
        })
    }
    fn offset(&self) -> u64 {
        self.base + self.at as u64
    }
    fn seek(&mut self, to: u64) -> Res<()> {
        self.file
            .seek(SeekFrom::Start(to))
            .map_err(|e| e.to_string())?;
        self.base = to;
        self.at = 0;
        self.len = 0;
        Ok(())
    }
    #[inline]
    fn peek(&mut self) -> Res<Option<u8>> {
        if self.at == self.len {
            self.base += self.len as u64;
            self.at = 0;
            self.len = self.file.read(&mut self.buf).map_err(|e| e.to_string())?;
            if self.len == 0 {
                return Ok(None);
            }
        }
        Ok(Some(self.buf[self.at]))
    }
    #[inline]
    fn next(&mut self) -> Res<u8> {
        let b = self
            .peek()?
            .ok_or_else(|| "unexpected end of file".to_string())?;
        self.at += 1;
        Ok(b)
    }
    fn skip_ws(&mut self) -> Res<()> {
        while let Some(b) = self.peek()? {
            if !b.is_ascii_whitespace() {
                break;
            }
            self.at += 1;
        }
        Ok(())
    }
    /// The next byte that is not JSON whitespace.
    fn token(&mut self) -> Res<u8> {
        loop {
            let b = self.next()?;
            if !b.is_ascii_whitespace() {
                return Ok(b);
            }
        }
    }
    fn expect(&mut self, want: u8) -> Res<()> {
        let at = self.offset();
        match self.token()? {
            b if b == want => Ok(()),
            b => Err(format!(
                "expected '{}' at byte {at}, found '{}'",
                want as char, b as char
            )),
        }
    }
    /// A key (no escapes in snapshot keys), after its opening quote.
    fn key(&mut self) -> Res<String> {
        let mut k = Vec::new();
        loop {
            match self.next()? {
                b'"' => return String::from_utf8(k).map_err(|e| e.to_string()),
                b => k.push(b),
            }
        }
    }
    /// Skips one JSON value, returning its bytes when `keep`.
    fn value(&mut self, keep: bool) -> Res<Vec<u8>> {
        let mut out = Vec::new();
        let (mut depth, mut in_str, mut esc) = (0i64, false, false);
        let first = self.token()?;
        self.at -= 1; // `token` consumed a byte of the current buffer: step back onto it
        debug_assert_eq!(self.buf[self.at], first);
        loop {
            let b = self.next()?;
            if keep {
                out.push(b);
            }
            if in_str {
                match (esc, b) {
                    (true, _) => esc = false,
                    (false, b'\\') => esc = true,
                    (false, b'"') => in_str = false,
                    _ => {}
                }
                if !in_str && depth == 0 {
                    return Ok(out);
                }
                continue;
            }
            match b {
                b'"' => in_str = true,
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth -= 1,
                _ => {}
            }
            let end = depth == 0
                && match self.peek()? {
                    None => true,
                    Some(n) => matches!(n, b',' | b'}' | b']') || n.is_ascii_whitespace(),
                };
            if end && !in_str {
                return Ok(out);
            }
        }
    }
    /// The next number of an array (after '[' or ','), or None at its ']'.
    #[inline]
    fn number(&mut self) -> Res<Option<u64>> {
        let mut b = self.token()?;
        if b == b',' {
            b = self.token()?;
        }
        if b == b']' {
            return Ok(None);
        }
        let mut v = 0u64;
        loop {
            if !b.is_ascii_digit() {
                return Err(format!(
                    "expected an unsigned integer near byte {}, found '{}'",
                    self.offset(),
                    b as char
                ));
            }
            v = v * 10 + (b - b'0') as u64;
            match self.peek()? {
                Some(n) if n.is_ascii_digit() => b = self.next()?,
                _ => return Ok(Some(v)),
            }
        }
    }
}

/// What the first pass learned: the header and where each section's value starts.
struct Plan {
    k: u64,
    header: serde_json::Value,
    /// (key, offset of the value, offset after it), in file order, the header excepted.
    sections: Vec<(String, u64, u64)>,
    node_fields: usize,
    edge_fields: usize,
    location_fields: usize,
    node_count: u64,
    edge_count: u64,
    /// Field positions: node id, node edge_count, edge type, edge name, edge to_node,
    /// location object_index.
    f_id: usize,
    f_edges: usize,
    f_etype: usize,
    f_ename: usize,
    f_to: usize,
    f_obj: Option<usize>,
    element: u64,
    root: u64,
    /// Edge ordinal right after the root's own edges, where the links to the copies go.
    root_edges_end: u64,
    /// Id shift per copy; 0: ids numbered densely by ordinal instead.
    stride: u64,
}

fn field(fields: &serde_json::Value, name: &str) -> Res<usize> {
    fields
        .as_array()
        .and_then(|a| a.iter().position(|f| f == name))
        .ok_or_else(|| format!("the header has no field {name:?}"))
}

impl Plan {
    fn scan(path: &Path, k: u64) -> Res<Plan> {
        let mut s = Scanner::open(path)?;
        s.expect(b'{')?;
        let mut header = None;
        let mut sections = Vec::new();
        let mut nodes_at = None;
        loop {
            s.expect(b'"')?;
            let key = s.key()?;
            s.expect(b':')?;
            if key == "snapshot" {
                let text = s.value(true)?;
                header = Some(serde_json::from_slice(&text).map_err(|e| e.to_string())?);
            } else {
                s.skip_ws()?;
                let start = s.offset();
                s.value(false)?;
                if key == "nodes" {
                    nodes_at = Some(start);
                }
                sections.push((key, start, s.offset()));
            }
            match s.token()? {
                b',' => continue,
                b'}' => break,
                b => return Err(format!("expected ',' or '}}', found '{}'", b as char)),
            }
        }
        let header: serde_json::Value = header.ok_or("no \"snapshot\" header")?;
        let mut plan = Plan::from_header(header, sections, k)?;
        plan.scan_nodes(&mut s, nodes_at.ok_or("no \"nodes\" array")?)?;
        Ok(plan)
    }

    fn from_header(
        header: serde_json::Value,
        sections: Vec<(String, u64, u64)>,
        k: u64,
    ) -> Res<Plan> {
        let meta = &header["meta"];
        let count = |name: &str| header[name].as_u64().ok_or(format!("no {name} in header"));
        let nf = &meta["node_fields"];
        let ef = &meta["edge_fields"];
        let lf = &meta["location_fields"];
        let node_fields = nf.as_array().map_or(0, |a| a.len());
        let edge_fields = ef.as_array().map_or(0, |a| a.len());
        let element = meta["edge_types"][0]
            .as_array()
            .and_then(|a| a.iter().position(|t| t == "element"))
            .ok_or("no element edge type")? as u64;
        let root = header["root_index"].as_u64().unwrap_or(0) / node_fields.max(1) as u64;
        Ok(Plan {
            k,
            node_count: count("node_count")?,
            edge_count: count("edge_count")?,
            f_id: field(nf, "id")?,
            f_edges: field(nf, "edge_count")?,
            f_etype: field(ef, "type")?,
            f_ename: field(ef, "name_or_index")?,
            f_to: field(ef, "to_node")?,
            f_obj: field(lf, "object_index").ok(),
            location_fields: lf.as_array().map_or(0, |a| a.len()),
            header,
            sections,
            node_fields,
            edge_fields,
            element,
            root,
            root_edges_end: 0,
            stride: 0,
        })
    }

    /// Finds the largest id (for the stride) and where the root's edges end.
    fn scan_nodes(&mut self, s: &mut Scanner, at: u64) -> Res<()> {
        s.seek(at)?;
        s.expect(b'[')?;
        let (mut i, mut max_id, mut edges_before) = (0u64, 0u64, 0u64);
        let nf = self.node_fields as u64;
        while let Some(v) = s.number()? {
            let (n, f) = (i / nf, (i % nf) as usize);
            if f == self.f_id {
                max_id = max_id.max(v);
            } else if f == self.f_edges && n <= self.root {
                edges_before += v;
            }
            i += 1;
        }
        self.root_edges_end = edges_before;
        // Even, so that every copy keeps each id's parity (odd: JS objects).
        self.stride = (max_id + 2) & !1;
        if max_id + (self.k - 1) * self.stride > u32::MAX as u64 {
            // Ids from addresses (native objects) are too large to shift: number densely.
            self.stride = 0;
            if 2 * self.k * self.node_count + 1 > u32::MAX as u64 {
                return Err(format!(
                    "{} copies of {} nodes need ids above 2^32",
                    self.k, self.node_count
                ));
            }
        }
        if i != self.node_count * nf {
            return Err(format!(
                "the header declares {} nodes, the array holds {} numbers",
                self.node_count, i
            ));
        }
        Ok(())
    }
}

/// Writes records of `width` numbers, one per line as V8 does, flushing `out` as it grows.
struct Records<'w, W: Write> {
    w: &'w mut W,
    out: Vec<u8>,
    width: usize,
    field: usize,
    first: bool,
}

impl<'w, W: Write> Records<'w, W> {
    fn new(w: &'w mut W, width: usize) -> Self {
        Records {
            w,
            out: Vec::with_capacity(1 << 20),
            width,
            field: 0,
            first: true,
        }
    }
    #[inline]
    fn push(&mut self, v: u64) -> std::io::Result<()> {
        if !self.first {
            if self.field == 0 {
                self.out.push(b'\n');
            }
            self.out.push(b',');
        }
        self.first = false;
        heapdive::util::push_decimal(&mut self.out, v);
        self.field = (self.field + 1) % self.width;
        if self.out.len() >= 1 << 20 {
            self.w.write_all(&self.out)?;
            self.out.clear();
        }
        Ok(())
    }
    fn finish(self) -> std::io::Result<()> {
        self.w.write_all(&self.out)
    }
}

fn io(e: String) -> std::io::Error {
    std::io::Error::other(e)
}

impl Plan {
    fn write(&self, path: &Path, w: &mut impl Write) -> std::io::Result<()> {
        let mut s = Scanner::open(path).map_err(io)?;
        let mut header = self.header.clone();
        header["node_count"] = (self.node_count * self.k).into();
        header["edge_count"] = (self.edge_count * self.k + self.k - 1).into();
        w.write_all(b"{\"snapshot\":")?;
        serde_json::to_writer(&mut *w, &header)?;
        for (key, start, end) in &self.sections {
            write!(w, ",\n\"{key}\":")?;
            s.seek(*start).map_err(io)?;
            match key.as_str() {
                "nodes" => self.tile_nodes(&mut s, w)?,
                "edges" => self.tile_edges(&mut s, w)?,
                "locations" if self.f_obj.is_some() => self.tile_locations(&mut s, w)?,
                _ => {
                    // Shared by every copy: written once, as it was.
                    let mut f = File::open(path)?;
                    f.seek(SeekFrom::Start(*start))?;
                    std::io::copy(&mut f.take(end - start), w)?;
                }
            }
        }
        w.write_all(b"}")
    }

    /// Streams one numeric array K times, `map(copy, index, value)` giving each value.
    fn tile(
        &self,
        s: &mut Scanner,
        w: &mut impl Write,
        width: usize,
        mut map: impl FnMut(&mut Records<'_, &mut dyn Write>, u64, u64, u64) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let start = s.offset();
        let mut dw: &mut dyn Write = w;
        dw.write_all(b"[")?;
        let mut r = Records::new(&mut dw, width);
        for c in 0..self.k {
            s.seek(start).map_err(io)?;
            s.expect(b'[').map_err(io)?;
            let mut i = 0u64;
            while let Some(v) = s.number().map_err(io)? {
                map(&mut r, c, i, v)?;
                i += 1;
            }
        }
        r.finish()?;
        dw.write_all(b"]")
    }

    fn tile_nodes(&self, s: &mut Scanner, w: &mut impl Write) -> std::io::Result<()> {
        let nf = self.node_fields as u64;
        let root_edges = self.root * nf + self.f_edges as u64;
        self.tile(s, w, self.node_fields, |r, c, i, v| {
            let f = (i % nf) as usize;
            let v = if f == self.f_id {
                match self.stride {
                    0 => 2 * (c * self.node_count + i / nf) + (v & 1),
                    stride => v + c * stride,
                }
            } else if c == 0 && i == root_edges {
                v + self.k - 1
            } else {
                v
            };
            r.push(v)
        })
    }

    fn tile_edges(&self, s: &mut Scanner, w: &mut impl Write) -> std::io::Result<()> {
        let ef = self.edge_fields as u64;
        let shift = self.node_count * self.node_fields as u64;
        let link_at = self.root_edges_end * ef;
        let root_index = self.root * self.node_fields as u64;
        let links = |r: &mut Records<'_, &mut dyn Write>| -> std::io::Result<()> {
            for copy in 1..self.k {
                for f in 0..self.edge_fields {
                    r.push(match f {
                        _ if f == self.f_etype => self.element,
                        _ if f == self.f_ename => copy,
                        _ if f == self.f_to => copy * shift + root_index,
                        _ => 0,
                    })?;
                }
            }
            Ok(())
        };
        let total = self.edge_count * ef;
        self.tile(s, w, self.edge_fields, |r, c, i, v| {
            if c == 0 && i == link_at {
                links(r)?;
            }
            let v = if (i % ef) as usize == self.f_to {
                v + c * shift
            } else {
                v
            };
            r.push(v)?;
            // The root's edges may be the last ones of the array.
            if c == 0 && i + 1 == total && link_at == total {
                links(r)?;
            }
            Ok(())
        })
    }

    fn tile_locations(&self, s: &mut Scanner, w: &mut impl Write) -> std::io::Result<()> {
        let lf = self.location_fields as u64;
        let obj = self.f_obj.unwrap_or(0);
        let shift = self.node_count * self.node_fields as u64;
        self.tile(s, w, self.location_fields, |r, c, i, v| {
            r.push(if (i % lf) as usize == obj {
                v + c * shift
            } else {
                v
            })
        })
    }
}
