//! A streaming JSON lexer over any reader, specialised for heap snapshots: long arrays of
//! unsigned integers are scanned straight into columns, strings are decoded into the string
//! table, and everything else can be skipped without building values. It never holds more
//! than one buffer of the input.

use super::error::RawError;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};

const BUF: usize = 4 << 20;
/// Below this many bytes a region is parsed on one thread.
const PARALLEL_MIN: usize = 256 << 10;
const MAX_DEPTH: usize = 512;

pub(crate) struct Lexer<'a, R: Read> {
    r: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    /// Offset in the (decompressed) document of buf[0].
    base: u64,
    eof: bool,
    cancel: Option<&'a AtomicBool>,
    on_bytes: &'a mut dyn FnMut(u64),
}

impl<'a, R: Read> Lexer<'a, R> {
    pub fn new(r: R, cancel: Option<&'a AtomicBool>, on_bytes: &'a mut dyn FnMut(u64)) -> Self {
        Lexer {
            r,
            buf: vec![0u8; BUF].into_boxed_slice(),
            pos: 0,
            len: 0,
            base: 0,
            eof: false,
            cancel,
            on_bytes,
        }
    }

    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub fn err(&self, msg: impl Into<String>) -> RawError {
        RawError::at(msg, self.offset())
    }

    /// Refills the buffer when it is used up. Returns false at the end of input.
    #[inline]
    fn fill(&mut self) -> Result<bool, RawError> {
        if self.pos < self.len {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        if let Some(c) = self.cancel
            && c.load(Ordering::Relaxed)
        {
            return Err(RawError::Cancelled);
        }
        self.base += self.len as u64;
        self.pos = 0;
        self.len = 0;
        loop {
            match self.r.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.len = n;
                    (self.on_bytes)(self.base + n as u64);
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(RawError::Io(e)),
            }
        }
    }

    /// Moves the unread bytes to the front and reads more after them. Returns false when
    /// nothing more could be read.
    fn refill_keep(&mut self) -> Result<bool, RawError> {
        if self.eof {
            return Ok(false);
        }
        if let Some(c) = self.cancel
            && c.load(Ordering::Relaxed)
        {
            return Err(RawError::Cancelled);
        }
        let keep = self.len - self.pos;
        self.buf.copy_within(self.pos..self.len, 0);
        self.base += self.pos as u64;
        self.pos = 0;
        self.len = keep;
        loop {
            match self.r.read(&mut self.buf[keep..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.len += n;
                    (self.on_bytes)(self.base + self.len as u64);
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(RawError::Io(e)),
            }
        }
    }

    /// Scans an array of unsigned integers in bulk: the buffer is cut after commas into
    /// regions that both cores parse at once, and `sink` receives the values in order.
    pub fn u32_array_bulk(
        &mut self,
        what: &str,
        mut sink: impl FnMut(&[u32]) -> Result<(), String> + Send,
    ) -> Result<(), RawError> {
        self.expect(b'[', &format!("'[' to open {what}"))?;
        // Values parsed but not yet given to the sink, and spare buffers to parse into.
        let (mut va, mut vb): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
        let (mut spare_a, mut spare_b): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
        let mut pending_base = 0u64;
        let mut any_region = false;
        loop {
            if self.pos == self.len && !self.fill()? {
                return Err(self.err(format!(
                    "unexpected end of file inside {what} (the file is truncated)"
                )));
            }
            let avail = &self.buf[self.pos..self.len];
            let close = memchr::memchr(b']', avail);
            let scan_to = close.unwrap_or(avail.len());
            // Cut after the last comma before the end of the array (or of the buffer).
            let Some(last_comma) = memchr::memrchr(b',', &avail[..scan_to]) else {
                if close.is_some() {
                    sink(&va).map_err(|m| RawError::at(m, pending_base))?;
                    sink(&vb).map_err(|m| RawError::at(m, pending_base))?;
                    // The tail: at most one number and the closing bracket.
                    return self.u32_array_tail(what, any_region, &mut sink);
                }
                if self.len - self.pos >= self.buf.len() {
                    return Err(self.err(format!("a number in {what} is impossibly long")));
                }
                if !self.refill_keep()? {
                    return Err(self.err(format!(
                        "unexpected end of file inside {what} (the file is truncated)"
                    )));
                }
                continue;
            };
            let region = &avail[..=last_comma];
            let base = self.offset();
            // Parse this region on both cores while the previous region's values go to the
            // sink: the sink's column writes overlap with the next region's scanning.
            let (mut na, mut nb) = (std::mem::take(&mut spare_a), std::mem::take(&mut spare_b));
            na.clear();
            nb.clear();
            let (parsed, sunk) = rayon::join(
                || -> Result<(), RawError> {
                    if region.len() >= PARALLEL_MIN {
                        let mid = region.len() / 2;
                        let cut = mid
                            + memchr::memchr(b',', &region[mid..])
                                .unwrap_or(region.len() - 1 - mid)
                            + 1;
                        let (a, b) = region.split_at(cut);
                        let (ra, rb) =
                            rayon::join(|| parse_region(a, &mut na), || parse_region(b, &mut nb));
                        ra.map_err(|(i, m)| {
                            RawError::at(format!("{m} in {what}"), base + i as u64)
                        })?;
                        rb.map_err(|(i, m)| {
                            RawError::at(format!("{m} in {what}"), base + (cut + i) as u64)
                        })?;
                    } else {
                        parse_region(region, &mut na).map_err(|(i, m)| {
                            RawError::at(format!("{m} in {what}"), base + i as u64)
                        })?;
                    }
                    Ok(())
                },
                || -> Result<(), RawError> {
                    sink(&va).map_err(|m| RawError::at(m, pending_base))?;
                    sink(&vb).map_err(|m| RawError::at(m, pending_base))
                },
            );
            parsed?;
            sunk?;
            spare_a = std::mem::replace(&mut va, na);
            spare_b = std::mem::replace(&mut vb, nb);
            pending_base = base;
            self.pos += last_comma + 1;
            any_region = true;
        }
    }

    /// The last element and `]` (after the bulk part), with the byte-level state machine.
    fn u32_array_tail(
        &mut self,
        what: &str,
        after_comma: bool,
        sink: &mut impl FnMut(&[u32]) -> Result<(), String>,
    ) -> Result<(), RawError> {
        // Reuse the general scanner on a virtual "[" ... "]" continuation.
        let mut vals = Vec::new();
        let at = self.offset();
        self.u32_array_body(what, after_comma, |v| {
            vals.push(v);
            Ok(())
        })?;
        sink(&vals).map_err(|m| RawError::at(m, at))
    }

    /// Next non-whitespace byte, not consumed.
    pub fn peek(&mut self) -> Result<Option<u8>, RawError> {
        loop {
            if !self.fill()? {
                return Ok(None);
            }
            let b = self.buf[self.pos];
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                return Ok(Some(b));
            }
        }
    }

    pub fn expect(&mut self, c: u8, what: &str) -> Result<(), RawError> {
        match self.peek()? {
            Some(b) if b == c => {
                self.pos += 1;
                Ok(())
            }
            Some(b) => Err(self.err(format!("expected {what}, found {}", show_byte(b)))),
            None => Err(self.err(format!("unexpected end of file, expected {what}"))),
        }
    }

    /// After a member or element: consumes `,` (returns true) or the closing byte (false).
    pub fn comma_or(&mut self, close: u8) -> Result<bool, RawError> {
        match self.peek()? {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            Some(b) => Err(self.err(format!(
                "expected ',' or '{}', found {}",
                close as char,
                show_byte(b)
            ))),
            None => Err(self.err("unexpected end of file (the file is truncated)")),
        }
    }

    /// Reads an array of strings, calling `f` with each decoded string. Plain strings (no
    /// escapes) are handed over straight from the buffer.
    pub fn string_array(
        &mut self,
        what: &str,
        mut f: impl FnMut(&str) -> Result<(), String>,
    ) -> Result<(), RawError> {
        self.expect(b'[', &format!("'[' to open {what}"))?;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut slow = Vec::new();
        loop {
            match self.peek()? {
                Some(b'"') => {}
                Some(_) => {
                    return Err(self.err(format!("{what} holds something that is not a string")));
                }
                None => {
                    return Err(self.err(format!(
                        "unexpected end of file inside {what} (the file is truncated)"
                    )));
                }
            }
            let rest = &self.buf[self.pos + 1..self.len];
            let fast = match memchr::memchr2(b'"', b'\\', rest) {
                Some(end) if rest[end] == b'"' && !rest[..end].iter().any(|&b| b < 0x20) => {
                    Some(end)
                }
                _ => None,
            };
            if let Some(end) = fast {
                let at = self.offset();
                let text = std::str::from_utf8(&rest[..end])
                    .map_err(|_| RawError::at("invalid UTF-8 inside a string", at + 1))?;
                f(text).map_err(|m| RawError::at(m, at))?;
                self.pos += end + 2;
            } else {
                slow.clear();
                let at = self.offset();
                self.string_into(&mut slow)?;
                let text = std::str::from_utf8(&slow).unwrap_or("");
                f(text).map_err(|m| RawError::at(m, at))?;
            }
            if !self.comma_or(b']')? {
                return Ok(());
            }
        }
    }

    /// Reads a JSON string into `out` (decoded, valid UTF-8).
    pub fn string_into(&mut self, out: &mut Vec<u8>) -> Result<(), RawError> {
        self.expect(b'"', "a string")?;
        let start_off = self.offset();
        loop {
            if !self.fill()? {
                return Err(RawError::at(
                    "unexpected end of file inside a string (the file is truncated)",
                    start_off,
                ));
            }
            // Copy the run of plain bytes in one go.
            let chunk = &self.buf[self.pos..self.len];
            let run = chunk
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(chunk.len());
            out.extend_from_slice(&chunk[..run]);
            self.pos += run;
            if self.pos == self.len {
                continue;
            }
            let b = self.buf[self.pos];
            self.pos += 1;
            match b {
                b'"' => break,
                b'\\' => self.escape(out)?,
                _ => return Err(self.err("control character inside a string")),
            }
        }
        if std::str::from_utf8(out).is_err() {
            return Err(RawError::at("invalid UTF-8 inside a string", start_off));
        }
        Ok(())
    }

    fn next_raw(&mut self) -> Result<u8, RawError> {
        if !self.fill()? {
            return Err(self.err("unexpected end of file inside a string (the file is truncated)"));
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(b)
    }

    fn hex4(&mut self) -> Result<u32, RawError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let b = self.next_raw()?;
            let d = (b as char)
                .to_digit(16)
                .ok_or_else(|| self.err("bad \\u escape in a string"))?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), RawError> {
        let b = self.next_raw()?;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let u = self.hex4()?;
                if (0xD800..0xDC00).contains(&u) {
                    // A high surrogate: pair it with a following low one, else it stands alone
                    // (JavaScript keeps lone surrogates; they print as U+FFFD).
                    if self.fill()? && self.buf[self.pos] == b'\\' {
                        self.pos += 1;
                        let b2 = self.next_raw()?;
                        if b2 == b'u' {
                            let lo = self.hex4()?;
                            if (0xDC00..0xE000).contains(&lo) {
                                let cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                                push_char(out, char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            } else {
                                push_char(out, '\u{FFFD}');
                                push_char(out, char::from_u32(lo).unwrap_or('\u{FFFD}'));
                            }
                            return Ok(());
                        }
                        push_char(out, '\u{FFFD}');
                        // Re-process the escape we consumed.
                        self.pos -= 1;
                        return self.escape(out);
                    }
                    '\u{FFFD}'
                } else {
                    char::from_u32(u).unwrap_or('\u{FFFD}')
                }
            }
            _ => return Err(self.err(format!("bad escape \\{} in a string", b as char))),
        };
        push_char(out, c);
        Ok(())
    }

    /// Scans an array of unsigned integers, calling `f` for each. Each value must fit u32.
    pub fn u32_array(
        &mut self,
        what: &str,
        f: impl FnMut(u32) -> Result<(), String>,
    ) -> Result<(), RawError> {
        self.expect(b'[', &format!("'[' to open {what}"))?;
        self.u32_array_body(what, false, f)
    }

    fn u32_array_body(
        &mut self,
        what: &str,
        after_comma_at_start: bool,
        mut f: impl FnMut(u32) -> Result<(), String>,
    ) -> Result<(), RawError> {
        let mut acc: u64 = 0;
        let mut digits = 0u32;
        let mut need_sep = false; // a value was read and no comma yet
        let mut after_comma = after_comma_at_start;
        loop {
            if !self.fill()? {
                return Err(self.err(format!(
                    "unexpected end of file inside {what} (the file is truncated)"
                )));
            }
            let buf = &self.buf[..self.len];
            let mut i = self.pos;
            while i < buf.len() {
                let b = buf[i];
                let d = b.wrapping_sub(b'0');
                if d < 10 {
                    if digits == 0 && need_sep {
                        self.pos = i;
                        return Err(self.err(format!("missing ',' between numbers in {what}")));
                    }
                    acc = acc * 10 + d as u64;
                    digits += 1;
                    if acc > u32::MAX as u64 {
                        self.pos = i;
                        return Err(self.err(format!("number too large in {what}")));
                    }
                    i += 1;
                    continue;
                }
                if digits > 0 {
                    if let Err(m) = f(acc as u32) {
                        self.pos = i;
                        return Err(self.err(m));
                    }
                    acc = 0;
                    digits = 0;
                    need_sep = true;
                    after_comma = false;
                }
                match b {
                    b',' => {
                        if !need_sep {
                            self.pos = i;
                            return Err(self.err(format!("empty element in {what}")));
                        }
                        need_sep = false;
                        after_comma = true;
                    }
                    b']' => {
                        if after_comma {
                            self.pos = i;
                            return Err(self.err(format!("trailing ',' in {what}")));
                        }
                        self.pos = i + 1;
                        return Ok(());
                    }
                    b' ' | b'\n' | b'\r' | b'\t' => {}
                    b'-' => {
                        self.pos = i;
                        return Err(self.err(format!("negative number in {what}")));
                    }
                    b'.' | b'e' | b'E' | b'+' => {
                        self.pos = i;
                        return Err(self.err(format!("non-integer number in {what}")));
                    }
                    _ => {
                        self.pos = i;
                        return Err(self.err(format!("unexpected {} in {what}", show_byte(b))));
                    }
                }
                i += 1;
            }
            self.pos = i;
        }
    }

    /// Copies the raw text of one JSON value (for the small header), at most `max` bytes.
    pub fn capture_value(&mut self, max: usize) -> Result<Vec<u8>, RawError> {
        let mut out = Vec::new();
        self.peek()?;
        self.value(Some(&mut out), max, 0)?;
        Ok(out)
    }

    pub fn skip_value(&mut self) -> Result<(), RawError> {
        self.value(None, usize::MAX, 0)
    }

    fn value(
        &mut self,
        mut out: Option<&mut Vec<u8>>,
        max: usize,
        depth: usize,
    ) -> Result<(), RawError> {
        if depth > MAX_DEPTH {
            return Err(self.err("JSON nested too deeply"));
        }
        let b = match self.peek()? {
            Some(b) => b,
            None => return Err(self.err("unexpected end of file (the file is truncated)")),
        };
        let push = |out: &mut Option<&mut Vec<u8>>, s: &[u8]| -> bool {
            if let Some(o) = out.as_deref_mut() {
                o.extend_from_slice(s);
                o.len() <= max
            } else {
                true
            }
        };
        match b {
            b'{' | b'[' => {
                let close = if b == b'{' { b'}' } else { b']' };
                self.pos += 1;
                push(&mut out, &[b]);
                if self.peek()? == Some(close) {
                    self.pos += 1;
                    push(&mut out, &[close]);
                    return Ok(());
                }
                loop {
                    if b == b'{' {
                        let mut key = Vec::new();
                        self.string_into(&mut key)?;
                        if out.is_some() {
                            let quoted = serde_json::to_vec(&String::from_utf8_lossy(&key))
                                .unwrap_or_default();
                            push(&mut out, &quoted);
                        }
                        self.expect(b':', "':'")?;
                        push(&mut out, b":");
                    }
                    self.value(out.as_deref_mut(), max, depth + 1)?;
                    if !self.comma_or(close)? {
                        if !push(&mut out, &[close]) {
                            return Err(self.err("header object is too large"));
                        }
                        return Ok(());
                    }
                    if !push(&mut out, b",") {
                        return Err(self.err("header object is too large"));
                    }
                }
            }
            b'"' => {
                let mut s = Vec::new();
                self.string_into(&mut s)?;
                if out.is_some() {
                    let quoted =
                        serde_json::to_vec(&String::from_utf8_lossy(&s)).unwrap_or_default();
                    if !push(&mut out, &quoted) {
                        return Err(self.err("header object is too large"));
                    }
                }
                Ok(())
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                // A scalar: consume until a delimiter.
                loop {
                    if !self.fill()? {
                        return Ok(());
                    }
                    let c = self.buf[self.pos];
                    if matches!(c, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t') {
                        return Ok(());
                    }
                    if !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.')) {
                        return Err(self.err(format!("unexpected {}", show_byte(c))));
                    }
                    self.pos += 1;
                    if !push(&mut out, &[c]) {
                        return Err(self.err("header object is too large"));
                    }
                }
            }
            _ => Err(self.err(format!("unexpected {}", show_byte(b)))),
        }
    }

    /// True when only whitespace remains.
    pub fn at_end(&mut self) -> Result<bool, RawError> {
        Ok(self.peek()?.is_none())
    }
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut b = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

/// The value of the first `len` (1..=7) digit bytes of `sub` (bytes minus '0', first digit
/// in the lowest byte): shift them to the top so the missing digits act as leading zeros.
#[inline]
fn swar_value(sub: u64, len: usize) -> u64 {
    let mut v = sub << (64 - 8 * len);
    v = ((v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561)) >> 8;
    v = ((v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601)) >> 16;
    ((v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001)) >> 32
}

/// Parses `(ws* digits ws* ,)*`: a run of array elements that ends right after a comma.
/// Errors give the byte index in `bytes` and what is wrong.
fn parse_region(bytes: &[u8], out_ref: &mut Vec<u32>) -> Result<(), (usize, String)> {
    // A local vector keeps its length in a register; it is handed back at the end.
    let mut out = std::mem::take(out_ref);
    out.reserve(bytes.len() / 2 + 1);
    let r = parse_region_into(bytes, &mut out);
    *out_ref = out;
    r
}

#[inline(always)]
fn parse_region_into(bytes: &[u8], out: &mut Vec<u32>) -> Result<(), (usize, String)> {
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        while i < n && matches!(bytes[i], b' ' | b'\n' | b'\r' | b'\t') {
            i += 1;
        }
        if i == n {
            break;
        }
        let start = i;
        let mut acc: u64 = 0;
        // Eight bytes at a time where they are available (most numbers are short).
        let mut swar_done = false;
        if i + 8 <= n {
            let chunk = u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap_or([0; 8]));
            let sub = chunk.wrapping_sub(0x3030_3030_3030_3030);
            let non_digit = (sub | sub.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080;
            let len = (non_digit.trailing_zeros() / 8) as usize;
            if len < 8 {
                if len > 0 {
                    acc = swar_value(sub, len);
                }
                i += len;
                swar_done = true;
            }
        }
        if !swar_done {
            while i < n {
                let d = bytes[i].wrapping_sub(b'0');
                if d >= 10 {
                    break;
                }
                // Saturating: an absurdly long number is reported below, not overflowed.
                acc = acc.saturating_mul(10).saturating_add(d as u64);
                i += 1;
            }
        }
        if i == start {
            let b = bytes[i];
            let m = match b {
                b',' => "empty element".to_string(),
                b'-' => "negative number".to_string(),
                b'.' | b'e' | b'E' | b'+' => "non-integer number".to_string(),
                _ => format!("unexpected {}", show_byte(b)),
            };
            return Err((i, m));
        }
        if i - start > 10 || acc > u32::MAX as u64 {
            return Err((start, "number too large".into()));
        }
        out.push(acc as u32);
        while i < n && matches!(bytes[i], b' ' | b'\n' | b'\r' | b'\t') {
            i += 1;
        }
        if i == n {
            return Err((i, "missing ','".into()));
        }
        match bytes[i] {
            b',' => i += 1,
            b'-' => return Err((i, "negative number".into())),
            b'.' | b'e' | b'E' | b'+' => return Err((i, "non-integer number".into())),
            b if b.is_ascii_digit() => return Err((i, "missing ',' between numbers".into())),
            b => return Err((i, format!("unexpected {}", show_byte(b)))),
        }
    }
    Ok(())
}

pub(crate) fn show_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_parser_reads_numbers_of_every_length() {
        let mut text = String::new();
        let mut expected = Vec::new();
        for k in 0..40u64 {
            let v = (7u64.pow((k % 12) as u32) + k) % (u32::MAX as u64 + 1);
            text.push_str(&format!("{v},{}", if k % 3 == 0 { "\n" } else { "" }));
            expected.push(v as u32);
        }
        text.push_str("4294967295,0,");
        expected.extend([u32::MAX, 0]);
        let mut out = Vec::new();
        parse_region(text.as_bytes(), &mut out).unwrap();
        assert_eq!(out, expected);
        assert!(parse_region(b"4294967296,", &mut Vec::new()).is_err());
        assert!(parse_region(b"1 2,", &mut Vec::new()).is_err());
        assert!(parse_region(b"1,,", &mut Vec::new()).is_err());
        assert!(parse_region(b"-1,", &mut Vec::new()).is_err());
    }
}
