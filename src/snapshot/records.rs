//! Filling fixed-width record columns (nodes, edges) from a number array's text, on both
//! cores and with no copy in between: each region of text is cut in two halves, the commas
//! of the halves say which record (and which field of it) each half starts in, and both
//! halves write their whole records straight into disjoint ranges of the columns. The few
//! records a cut splits are put together afterwards.

use super::error::RawError;
use super::lexer::Piece;
use super::numbers::scan_region;
use std::ops::Range;

/// Below this many bytes a region is scanned on one thread.
const PARALLEL_MIN: usize = 256 << 10;

/// Columns that records are written into; `capacity` records (what the header declares).
pub(crate) trait Table {
    type Part<'p>: Part + Send
    where
        Self: 'p;
    /// Numbers per record (at most 64).
    fn width(&self) -> usize;
    fn capacity(&self) -> usize;
    /// Writers for two disjoint ranges of records, `a` before `b`. A part refuses, in
    /// words, a record past the end of its range.
    fn parts(&mut self, a: Range<usize>, b: Range<usize>) -> (Self::Part<'_>, Self::Part<'_>);
    /// What to say when the array holds more than `capacity` records.
    fn too_many(&self) -> String;
}

pub(crate) trait Part {
    /// Stores record `r` (absolute index, inside this part's range).
    fn put(&mut self, r: usize, rec: &[u32]) -> Result<(), String>;
}

pub(crate) struct Filler<'t, T: Table> {
    table: &'t mut T,
    what: &'static str,
    /// Numbers read so far.
    values: usize,
    /// The numbers of a record not complete yet.
    pending: Vec<u32>,
}

/// What a half leaves for stitching: the numbers before its first record boundary and the
/// numbers after its last.
struct HalfOut {
    head: Vec<u32>,
    /// The half reached the end of the record it started in.
    head_done: bool,
    tail: Vec<u32>,
    count: usize,
}

impl<'t, T: Table> Filler<'t, T> {
    pub fn new(table: &'t mut T, what: &'static str) -> Self {
        Filler {
            table,
            what,
            values: 0,
            pending: Vec::new(),
        }
    }

    pub fn piece(&mut self, p: Piece<'_>) -> Result<(), RawError> {
        match p {
            Piece::Region(bytes, base) => self.region(bytes, base),
            Piece::Values(vals, base) => {
                let w = self.table.width();
                let start = self.values;
                self.check_room(start + vals.len(), base)?;
                let out = {
                    let (part, _) = self.table.parts(whole_records(start, vals.len(), w), 0..0);
                    let mut cut = Cutter::new(start % w, w, part, start.div_ceil(w));
                    for &v in vals {
                        cut.push(v).map_err(|m| RawError::at(m, base))?;
                    }
                    cut.finish(vals.len())
                };
                self.stitch(out, base)
            }
        }
    }

    /// Records read; an error if the array ended inside a record.
    pub fn finish(self) -> Result<usize, String> {
        if !self.pending.is_empty() {
            return Err(format!(
                "{} array length is not a multiple of the {} fields",
                self.what,
                self.table.width()
            ));
        }
        Ok(self.values / self.table.width())
    }

    fn check_room(&self, values: usize, at: u64) -> Result<(), RawError> {
        if values.div_ceil(self.table.width()) > self.table.capacity() {
            return Err(RawError::at(self.table.too_many(), at));
        }
        Ok(())
    }

    fn region(&mut self, bytes: &[u8], base: u64) -> Result<(), RawError> {
        let w = self.table.width();
        let cut = if bytes.len() >= PARALLEL_MIN {
            let mid = bytes.len() / 2;
            // The region ends with a comma, so there is one at or after `mid`.
            mid + memchr::memchr(b',', &bytes[mid..]).unwrap_or(bytes.len() - 1 - mid) + 1
        } else {
            bytes.len()
        };
        let (a, b) = bytes.split_at(cut);
        // Only the first half's commas need counting: the second half's records run to
        // the end of the columns, and writing past them is refused by the part.
        let ca = commas(a);
        let va = self.values;
        let vb = va + ca;
        self.check_room(vb, base)?;
        let ra = whole_records(va, ca, w);
        let rb = vb.div_ceil(w)..self.table.capacity().max(vb.div_ceil(w));
        let what = self.what;
        let (ra0, rb0) = (ra.start, rb.start);
        let (oa, ob) = {
            let (pa, pb) = self.table.parts(ra, rb);
            if b.is_empty() {
                (scan_half(a, va % w, w, pa, ra0), Ok(empty_half()))
            } else {
                // This thread scans the first half while a pool thread scans the second.
                let mut ob = Ok(empty_half());
                let oa = rayon::in_place_scope(|s| {
                    s.spawn(|_| ob = scan_half(b, vb % w, w, pb, rb0));
                    scan_half(a, va % w, w, pa, ra0)
                });
                (oa, ob)
            }
        };
        let at = |half_base: u64| {
            move |(i, m): (usize, String)| {
                RawError::at(format!("{m} in {what}"), half_base + i as u64)
            }
        };
        let oa = oa.map_err(at(base))?;
        let ob = ob.map_err(at(base + cut as u64))?;
        if oa.count != ca {
            // A valid run has one number per comma; the scanner reports any other shape.
            return Err(RawError::at(format!("malformed {what} array"), base));
        }
        self.stitch(oa, base)?;
        self.stitch(ob, base + cut as u64)
    }

    /// Joins a half's leading numbers to the pending record and takes over its trailing ones.
    fn stitch(&mut self, half: HalfOut, at: u64) -> Result<(), RawError> {
        let w = self.table.width();
        let start = self.values;
        self.pending.extend_from_slice(&half.head);
        if half.head_done {
            if self.pending.len() == w {
                let r = start / w;
                if r >= self.table.capacity() {
                    return Err(RawError::at(self.table.too_many(), at));
                }
                let (mut part, _) = self.table.parts(r..r + 1, 0..0);
                part.put(r, &self.pending)
                    .map_err(|m| RawError::at(m, at))?;
            } else if !self.pending.is_empty() {
                return Err(RawError::at(format!("malformed {} array", self.what), at));
            }
            self.pending.clear();
            self.pending.extend_from_slice(&half.tail);
        }
        self.values += half.count;
        Ok(())
    }
}

fn empty_half() -> HalfOut {
    HalfOut {
        head: Vec::new(),
        head_done: false,
        tail: Vec::new(),
        count: 0,
    }
}

fn commas(bytes: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        let mut total = 0usize;
        let mut blocks = bytes.chunks_exact(16);
        // SAFETY: SSE2 is part of the x86_64 baseline; each load reads one 16-byte block.
        unsafe {
            let comma = _mm_set1_epi8(b',' as i8);
            let zero = _mm_setzero_si128();
            let mut acc = zero;
            let mut n = 0;
            for b in &mut blocks {
                let v = _mm_loadu_si128(b.as_ptr() as *const __m128i);
                // Matching bytes are -1: subtracting counts them in byte lanes.
                acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, comma));
                n += 1;
                if n == 255 {
                    let s = _mm_sad_epu8(acc, zero);
                    total += (_mm_cvtsi128_si64(s) + _mm_extract_epi16(s, 4) as i64) as usize;
                    acc = zero;
                    n = 0;
                }
            }
            let s = _mm_sad_epu8(acc, zero);
            total += (_mm_cvtsi128_si64(s) + _mm_extract_epi16(s, 4) as i64) as usize;
        }
        total + blocks.remainder().iter().filter(|&&b| b == b',').count()
    }
    #[cfg(not(target_arch = "x86_64"))]
    bytes.iter().filter(|&&b| b == b',').count()
}

/// Scans one half whose first number is field `phase` of a record; whole records go to
/// `part` from record `first` on.
fn scan_half(
    bytes: &[u8],
    phase: usize,
    w: usize,
    part: impl Part,
    first: usize,
) -> Result<HalfOut, (usize, String)> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("bmi1") && std::arch::is_x86_feature_detected!("bmi2") {
        // SAFETY: the CPU has the features the function is compiled for.
        return unsafe { scan_half_bmi(bytes, phase, w, part, first) };
    }
    scan_half_body(bytes, phase, w, part, first)
}

/// [`scan_half`] compiled with BMI1/BMI2 (single-instruction bit scans, resets and
/// variable shifts: the per-number work of the bulk scanner is mostly those).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "bmi1,bmi2")]
fn scan_half_bmi(
    bytes: &[u8],
    phase: usize,
    w: usize,
    part: impl Part,
    first: usize,
) -> Result<HalfOut, (usize, String)> {
    scan_half_body(bytes, phase, w, part, first)
}

#[inline(always)]
fn scan_half_body(
    bytes: &[u8],
    phase: usize,
    w: usize,
    part: impl Part,
    first: usize,
) -> Result<HalfOut, (usize, String)> {
    let mut cut = Cutter::new(phase, w, part, first);
    let count = scan_region(
        bytes,
        #[inline(always)]
        |v| cut.push(v),
    )?;
    Ok(cut.finish(count))
}

/// The records that start and end inside `count` numbers starting at number `start`.
fn whole_records(start: usize, count: usize, w: usize) -> Range<usize> {
    let first = start.div_ceil(w);
    first..((start + count) / w).max(first)
}

/// Cuts a stream of numbers whose first is field `phase` of a record: whole records go to
/// `part` from record `first` on; the numbers before the first record boundary and after
/// the last are kept for stitching.
struct Cutter<P: Part> {
    rec: [u32; 64],
    f: usize,
    phase: usize,
    w: usize,
    head_open: bool,
    head: Vec<u32>,
    r: usize,
    part: P,
}

impl<P: Part> Cutter<P> {
    fn new(phase: usize, w: usize, part: P, first: usize) -> Self {
        Cutter {
            rec: [0; 64],
            f: phase,
            phase,
            w,
            head_open: phase != 0,
            head: Vec::new(),
            r: first,
            part,
        }
    }

    #[inline(always)]
    fn push(&mut self, v: u32) -> Result<(), String> {
        self.rec[self.f] = v;
        self.f += 1;
        if self.f == self.w {
            self.f = 0;
            if self.head_open {
                self.head.extend_from_slice(&self.rec[self.phase..self.w]);
                self.head_open = false;
            } else {
                self.part.put(self.r, &self.rec[..self.w])?;
                self.r += 1;
            }
        }
        Ok(())
    }

    fn finish(self, count: usize) -> HalfOut {
        if self.head_open {
            HalfOut {
                head: self.rec[self.phase..self.f].to_vec(),
                head_done: false,
                tail: Vec::new(),
                count,
            }
        } else {
            HalfOut {
                head: self.head,
                head_done: true,
                tail: self.rec[..self.f].to_vec(),
                count,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records stored whole, one Vec per record.
    struct Rows {
        width: usize,
        rows: Vec<Vec<u32>>,
    }
    struct RowsPart<'p> {
        start: usize,
        rows: &'p mut [Vec<u32>],
    }
    impl Table for Rows {
        type Part<'p> = RowsPart<'p>;
        fn width(&self) -> usize {
            self.width
        }
        fn capacity(&self) -> usize {
            self.rows.len()
        }
        fn parts(&mut self, a: Range<usize>, b: Range<usize>) -> (RowsPart<'_>, RowsPart<'_>) {
            let (x, y) = if b.is_empty() {
                (&mut self.rows[a.clone()], &mut [][..])
            } else {
                let (x, y) = self.rows.split_at_mut(b.start);
                (&mut x[a.clone()], &mut y[..b.len()])
            };
            (
                RowsPart {
                    start: a.start,
                    rows: x,
                },
                RowsPart {
                    start: b.start,
                    rows: y,
                },
            )
        }
        fn too_many(&self) -> String {
            "too many".into()
        }
    }
    impl Part for RowsPart<'_> {
        fn put(&mut self, r: usize, rec: &[u32]) -> Result<(), String> {
            let row = self.rows.get_mut(r - self.start).ok_or("too many")?;
            *row = rec.to_vec();
            Ok(())
        }
    }

    /// Feeds `values` as text cut into regions of about `cut` bytes, like the lexer does.
    fn fill(values: &[u32], width: usize, capacity: usize, cut: usize) -> Result<Rows, String> {
        let mut text = String::new();
        for v in values {
            text.push_str(&format!("{v},\n"));
        }
        let mut rows = Rows {
            width,
            rows: vec![Vec::new(); capacity],
        };
        let mut f = Filler::new(&mut rows, "test");
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let end = (at + cut).min(bytes.len());
            let end = memchr::memrchr(b',', &bytes[at..end]).map_or(bytes.len(), |c| at + c + 1);
            f.piece(Piece::Region(&bytes[at..end], at as u64))
                .map_err(|e| format!("{e:?}"))?;
            at = end;
        }
        let read = f.finish()?;
        if read != capacity {
            return Err(format!("read {read} of {capacity}"));
        }
        Ok(rows)
    }

    #[test]
    fn regions_cut_anywhere_fill_the_same_records() {
        let values: Vec<u32> = (0..200_000u32)
            .map(|i| i.wrapping_mul(2654435761) >> 12)
            .collect();
        for width in [3usize, 7] {
            let n = values.len() / width;
            let values = &values[..n * width];
            // Regions big enough to be split across both cores, and small ones.
            for cut in [PARALLEL_MIN * 3 + 17, PARALLEL_MIN + 5, 1000, 23] {
                let rows = fill(values, width, n, cut).unwrap();
                for (r, row) in rows.rows.iter().enumerate() {
                    assert_eq!(
                        row[..],
                        values[r * width..(r + 1) * width],
                        "width {width} cut {cut}"
                    );
                }
            }
        }
    }

    #[test]
    fn more_records_than_declared_is_an_error_not_a_panic() {
        let values: Vec<u32> = (0..210_000).collect();
        for cut in [PARALLEL_MIN * 3 + 17, PARALLEL_MIN + 5, 1000] {
            for capacity in [values.len() / 3 - 1, values.len() / 6, 1] {
                assert!(
                    fill(&values, 3, capacity, cut).is_err(),
                    "cut {cut} capacity {capacity}"
                );
            }
        }
    }
}
