//! A streaming JSON lexer over any reader, specialised for heap snapshots: long arrays of
//! unsigned integers are scanned straight into columns, strings are decoded into the string
//! table, and everything else can be skipped without building values. It never holds more
//! than one buffer of the input.

use super::error::RawError;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};

const BUF: usize = 4 << 20;
const MAX_DEPTH: usize = 512;

/// A stretch of a number array handed out by [`Lexer::u32_array_pieces`], with the document
/// offset of its first byte.
pub(crate) enum Piece<'b> {
    /// Elements, each followed by its comma.
    Region(&'b [u8], u64),
    /// The array's last element(s), already read.
    Values(&'b [u32], u64),
}

/// Where the lexer's bytes come from, a buffer at a time.
pub(crate) trait Source {
    /// Replaces `buf` by the next stretch of input, preceded by the old `buf[keep_from..]`
    /// (the unread tail). Returns where that tail starts in the new buffer, or `None` at
    /// the end of input (then `buf` is left as it was).
    fn refill(&mut self, buf: &mut Vec<u8>, keep_from: usize) -> std::io::Result<Option<usize>>;
}

/// Any reader as a [`Source`] (the unread tail is moved to the front and more read after it).
pub(crate) struct ReadSource<R: Read>(pub R);

impl<R: Read> Source for ReadSource<R> {
    fn refill(&mut self, buf: &mut Vec<u8>, keep_from: usize) -> std::io::Result<Option<usize>> {
        let keep = buf.len() - keep_from;
        // Small steps: this path serves in-memory inputs (tests, fuzzing), where zeroing a
        // large buffer per refill would cost more than the parse.
        let mut next = Vec::with_capacity((2 * keep).max(64 << 10));
        next.extend_from_slice(&buf[keep_from..]);
        next.resize(next.capacity(), 0);
        loop {
            match self.0.read(&mut next[keep..]) {
                Ok(0) => return Ok(None),
                Ok(n) => {
                    next.truncate(keep + n);
                    *buf = next;
                    return Ok(Some(0));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

pub(crate) struct Lexer<'a, S: Source> {
    src: S,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// `buf[start]` is byte `base` of the (decompressed) document.
    start: usize,
    base: u64,
    eof: bool,
    cancel: Option<&'a AtomicBool>,
    on_bytes: &'a mut dyn FnMut(u64),
}

impl<'a, S: Source> Lexer<'a, S> {
    pub fn new(src: S, cancel: Option<&'a AtomicBool>, on_bytes: &'a mut dyn FnMut(u64)) -> Self {
        Lexer {
            src,
            buf: Vec::new(),
            pos: 0,
            len: 0,
            start: 0,
            base: 0,
            eof: false,
            cancel,
            on_bytes,
        }
    }

    pub fn offset(&self) -> u64 {
        self.base + (self.pos - self.start) as u64
    }

    /// True once the input has no more bytes (an error then means the file was cut).
    pub fn reached_end(&self) -> bool {
        self.eof
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
        self.refill_keep()
    }

    /// Gets the next buffer of input, keeping the unread bytes in front of it. Returns
    /// false when nothing more could be read.
    fn refill_keep(&mut self) -> Result<bool, RawError> {
        if self.eof {
            return Ok(false);
        }
        if let Some(c) = self.cancel
            && c.load(Ordering::Relaxed)
        {
            return Err(RawError::Cancelled);
        }
        let at = self.offset();
        match self.src.refill(&mut self.buf, self.pos) {
            Ok(Some(start)) => {
                self.start = start;
                self.pos = start;
                self.base = at;
                self.len = self.buf.len();
                (self.on_bytes)(at + (self.len - start) as u64);
                Ok(true)
            }
            Ok(None) => {
                self.eof = true;
                Ok(false)
            }
            Err(e) => Err(RawError::Io(e)),
        }
    }

    /// Scans an array of unsigned integers in bulk: every run of elements in the buffer that
    /// ends with a comma goes to `on` as text (to be scanned on both cores), and the last
    /// element, if any, as a value.
    pub fn u32_array_pieces(
        &mut self,
        what: &str,
        mut on: impl FnMut(Piece<'_>) -> Result<(), RawError>,
    ) -> Result<(), RawError> {
        self.expect(b'[', &format!("'[' to open {what}"))?;
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
                    // The tail: at most one number and the closing bracket.
                    let mut vals = Vec::new();
                    let at = self.offset();
                    self.u32_array_body(what, any_region, |v| {
                        vals.push(v);
                        Ok(())
                    })?;
                    return on(Piece::Values(&vals, at));
                }
                if self.len - self.pos >= BUF {
                    return Err(self.err(format!("a number in {what} is impossibly long")));
                }
                if !self.refill_keep()? {
                    return Err(self.err(format!(
                        "unexpected end of file inside {what} (the file is truncated)"
                    )));
                }
                continue;
            };
            let base = self.offset();
            on(Piece::Region(&avail[..=last_comma], base))?;
            self.pos += last_comma + 1;
            any_region = true;
        }
    }

    /// Next non-whitespace byte, not consumed.
    pub fn peek(&mut self) -> Result<Option<u8>, RawError> {
        loop {
            if !self.fill()? {
                return Ok(None);
            }
            let b = self.buf[self.pos];
            if is_ws(b) {
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
        let mut after_element = false;
        loop {
            if after_element && !self.comma_or(b']')? {
                return Ok(());
            }
            match self.plain_strings(&mut f)? {
                Plain::Closed => return Ok(()),
                Plain::AfterElement => {
                    after_element = true;
                    continue;
                }
                Plain::AtElement => {}
            }
            // One element the fast loop left alone: escapes, a buffer end, or an error.
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
            slow.clear();
            let at = self.offset();
            self.string_into(&mut slow)?;
            let text = std::str::from_utf8(&slow).unwrap_or("");
            f(text).map_err(|m| RawError::at(m, at))?;
            after_element = true;
        }
    }

    /// Reads array elements that are plain strings (no escapes, inside the buffer), each
    /// with its separator, straight from the buffer; stops at anything else.
    fn plain_strings(
        &mut self,
        f: &mut impl FnMut(&str) -> Result<(), String>,
    ) -> Result<Plain, RawError> {
        let buf = &self.buf[..self.len];
        let at = |i: usize| self.base + (i - self.start) as u64;
        let mut i = self.pos;
        loop {
            let j = skip_ws(buf, i);
            let end = match (buf.get(j), find_special(buf, j + 1)) {
                (Some(b'"'), Some(end)) if buf[end] == b'"' => end,
                _ => {
                    self.pos = i;
                    return Ok(Plain::AtElement);
                }
            };
            let text = std::str::from_utf8(&buf[j + 1..end])
                .map_err(|_| RawError::at("invalid UTF-8 inside a string", at(j) + 1))?;
            f(text).map_err(|m| RawError::at(m, at(j)))?;
            i = end + 1;
            let k = skip_ws(buf, i);
            match buf.get(k) {
                Some(b',') => i = k + 1,
                Some(b']') => {
                    self.pos = k + 1;
                    return Ok(Plain::Closed);
                }
                // The buffer's end or a bad separator: the general path takes over.
                _ => {
                    self.pos = i;
                    return Ok(Plain::AfterElement);
                }
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

    /// Reads one unsigned integer, for the small arrays read a value at a time (the
    /// allocation trace's); the big ones go through [`Self::u32_array_pieces`].
    pub fn unsigned(&mut self, what: &str) -> Result<u64, RawError> {
        match self.peek()? {
            Some(b'0'..=b'9') => {}
            Some(b'-') => return Err(self.err(format!("negative number in {what}"))),
            Some(b) => {
                return Err(self.err(format!(
                    "expected a number in {what}, found {}",
                    show_byte(b)
                )));
            }
            None => {
                return Err(self.err(format!(
                    "unexpected end of file inside {what} (the file is truncated)"
                )));
            }
        }
        let mut acc: u64 = 0;
        while self.fill()? {
            let b = self.buf[self.pos];
            let d = b.wrapping_sub(b'0');
            if d >= 10 {
                if matches!(b, b'.' | b'e' | b'E' | b'+' | b'-') {
                    return Err(self.err(format!("non-integer number in {what}")));
                }
                break;
            }
            acc = acc
                .checked_mul(10)
                .and_then(|a| a.checked_add(d as u64))
                .ok_or_else(|| self.err(format!("number too large in {what}")))?;
            self.pos += 1;
        }
        Ok(acc)
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

/// Where [`Lexer::plain_strings`] stopped.
enum Plain {
    /// The array's `]` was read.
    Closed,
    /// Before an element (or the whitespace before it).
    AtElement,
    /// Right after an element, before its separator.
    AfterElement,
}

/// The index of the first `"`, `\\` or control character in `b[from..]`, eight bytes at a
/// time. In each byte-match mask below, a false match can only sit above a true one, so
/// the lowest flagged byte is exact.
fn find_special(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while i + 8 <= b.len() {
        let w = u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
        let q = w ^ (ONES * b'"' as u64);
        let bs = w ^ (ONES * b'\\' as u64);
        let special = ((q.wrapping_sub(ONES) & !q)
            | (bs.wrapping_sub(ONES) & !bs)
            | (w.wrapping_sub(ONES * 0x20) & !w))
            & HIGH;
        if special != 0 {
            return Some(i + (special.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    (i..b.len()).find(|&k| matches!(b[k], b'"' | b'\\') || b[k] < 0x20)
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut b = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

/// JSON whitespace.
#[inline(always)]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// The index of the first byte at or after `i` that is not whitespace (`b.len()` if none).
#[inline(always)]
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_ws(b[i]) {
        i += 1;
    }
    i
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
    use crate::util::TestRng;

    #[test]
    fn special_byte_search_matches_a_plain_search() {
        let mut rng = TestRng(12345);
        let alphabet = b"ab \"\\\x01\x1f\x20\x7f\x80\xe2\xff";
        for len in 0..40 {
            for _ in 0..50 {
                let mut v = Vec::new();
                for _ in 0..len {
                    // Mostly plain bytes, so matches sit at every position.
                    let k = rng.below(alphabet.len() as u64 * 4) as usize;
                    v.push(if k < alphabet.len() {
                        alphabet[k]
                    } else {
                        b'x'
                    });
                }
                for from in 0..=v.len() {
                    let plain =
                        (from..v.len()).find(|&k| v[k] == b'"' || v[k] == b'\\' || v[k] < 0x20);
                    assert_eq!(find_special(&v, from), plain, "{v:?} from {from}");
                }
            }
        }
    }
}
