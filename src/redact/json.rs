//! A small streaming pass over a snapshot's JSON text for the redaction: it reads the
//! top-level members one at a time, parses the number arrays it needs, and copies everything
//! else byte for byte (or skips it) a buffer at a time, so memory stays constant whatever
//! the file's size. It checks what it parses and the nesting it copies; it does not build
//! values.

use super::Fail;
use std::io::{Read, Write};

const BUF: usize = 1 << 20;

/// Where the copied bytes go: a writer, or nowhere (skipping).
pub(crate) type Sink<'a> = Option<&'a mut dyn Write>;

fn put(out: &mut Sink<'_>, bytes: &[u8]) -> Result<(), Fail> {
    match out {
        Some(w) => w.write_all(bytes).map_err(Fail::Write),
        None => Ok(()),
    }
}

pub(crate) struct JsonReader<R: Read> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// Document offset of `buf[0]`.
    base: u64,
}

impl<R: Read> JsonReader<R> {
    pub fn new(src: R) -> Self {
        JsonReader {
            src,
            buf: vec![0; BUF],
            pos: 0,
            len: 0,
            base: 0,
        }
    }

    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub fn bad(&self, msg: impl Into<String>) -> Fail {
        Fail::Bad(msg.into(), Some(self.offset()))
    }

    fn truncated(&self, inside: &str) -> Fail {
        self.bad(format!(
            "unexpected end of file inside {inside} (the file is truncated)"
        ))
    }

    /// Makes sure unread bytes are buffered; false at the end of input.
    fn fill(&mut self) -> Result<bool, Fail> {
        if self.pos < self.len {
            return Ok(true);
        }
        self.base += self.len as u64;
        self.pos = 0;
        self.len = 0;
        loop {
            match self.src.read(&mut self.buf) {
                Ok(n) => {
                    self.len = n;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Fail::Read(e)),
            }
        }
    }

    /// The next byte that is not whitespace, not consumed; `None` at the end of input.
    pub fn peek(&mut self) -> Result<Option<u8>, Fail> {
        while self.fill()? {
            let b = self.buf[self.pos];
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Ok(Some(b));
            }
            self.pos += 1;
        }
        Ok(None)
    }

    pub fn expect(&mut self, c: u8, what: &str) -> Result<(), Fail> {
        match self.peek()? {
            Some(b) if b == c => {
                self.pos += 1;
                Ok(())
            }
            Some(b) => Err(self.bad(format!("expected {what}, found {}", show(b)))),
            None => Err(self.bad(format!(
                "unexpected end of file, expected {what} (the file is truncated)"
            ))),
        }
    }

    /// After an element or member: consumes `,` (true) or the closing byte (false).
    pub fn comma_or(&mut self, close: u8, inside: &str) -> Result<bool, Fail> {
        match self.peek()? {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            Some(b) => Err(self.bad(format!(
                "expected ',' or '{}' in {inside}, found {}",
                close as char,
                show(b)
            ))),
            None => Err(self.truncated(inside)),
        }
    }

    /// Reads an object key (short) and decodes it.
    pub fn key(&mut self) -> Result<String, Fail> {
        let at = self.offset();
        let mut raw = Vec::new();
        self.copy_string(&mut Some(&mut raw as &mut dyn Write))?;
        serde_json::from_slice(&raw).map_err(|e| Fail::Bad(format!("bad key: {e}"), Some(at)))
    }

    /// Copies one string, quotes included, as written (escapes untouched).
    pub fn copy_string(&mut self, out: &mut Sink<'_>) -> Result<(), Fail> {
        self.expect(b'"', "a string")?;
        put(out, b"\"")?;
        let mut escaped = false;
        loop {
            if !self.fill()? {
                return Err(self.truncated("a string"));
            }
            let start = self.pos;
            let chunk = &self.buf[start..self.len];
            let mut i = 0;
            if escaped {
                i = 1; // the escaped byte cannot end the string
                escaped = false;
            }
            let end = loop {
                match memchr::memchr2(b'"', b'\\', &chunk[i.min(chunk.len())..]) {
                    None => break None,
                    Some(k) if chunk[i + k] == b'"' => break Some(i + k),
                    Some(k) if i + k + 1 < chunk.len() => i += k + 2,
                    Some(_) => {
                        escaped = true;
                        break None;
                    }
                }
            };
            let upto = end.map_or(chunk.len(), |e| e + 1);
            put(out, &chunk[..upto])?;
            self.pos += upto;
            if end.is_some() {
                return Ok(());
            }
        }
    }

    /// Copies (or skips) one value of any kind, a buffer at a time; containers are followed
    /// by their depth alone, without recursion.
    pub fn copy_value(&mut self, out: &mut Sink<'_>) -> Result<(), Fail> {
        match self.peek()? {
            None => Err(self.truncated("a value")),
            Some(b'"') => self.copy_string(out),
            Some(b'[' | b'{') => self.copy_container(out),
            Some(_) => self.copy_scalar(out),
        }
    }

    fn copy_container(&mut self, out: &mut Sink<'_>) -> Result<(), Fail> {
        let mut stack: Vec<u8> = Vec::new();
        loop {
            if !self.fill()? {
                return Err(self.truncated("an array or object"));
            }
            let start = self.pos;
            let chunk = &self.buf[start..self.len];
            let mut i = 0;
            let mut stop = None;
            while i < chunk.len() {
                match chunk[i] {
                    b'[' => stack.push(b']'),
                    b'{' => stack.push(b'}'),
                    c @ (b']' | b'}') => {
                        if stack.pop() != Some(c) {
                            self.pos += i;
                            return Err(self.bad(format!("unbalanced {}", show(c))));
                        }
                        if stack.is_empty() {
                            stop = Some(i + 1);
                            break;
                        }
                    }
                    b'"' => {
                        stop = Some(i);
                        break;
                    }
                    _ => {}
                }
                i += 1;
            }
            let upto = stop.unwrap_or(chunk.len());
            put(out, &chunk[..upto])?;
            self.pos += upto;
            if stack.is_empty() {
                return Ok(());
            }
            if stop.is_some() {
                self.copy_string(out)?;
            }
        }
    }

    fn copy_scalar(&mut self, out: &mut Sink<'_>) -> Result<(), Fail> {
        loop {
            if !self.fill()? {
                return Ok(());
            }
            let b = self.buf[self.pos];
            if !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')) {
                return Ok(());
            }
            put(out, &[b])?;
            self.pos += 1;
        }
    }

    /// Reads an array of unsigned 32-bit integers, calling `f` with each. The numbers are
    /// scanned a buffer at a time (the node and edge arrays are most of the file).
    pub fn numbers(
        &mut self,
        what: &str,
        mut f: impl FnMut(u32) -> Result<(), Fail>,
    ) -> Result<(), Fail> {
        self.expect(b'[', &format!("'[' to open {what}"))?;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut acc: u64 = 0;
        let mut digits = 0u32;
        // After a number, before its separator.
        let mut after_number = false;
        loop {
            if !self.fill()? {
                return Err(self.truncated(what));
            }
            let buf = &self.buf[self.pos..self.len];
            let mut i = 0;
            let mut problem = None;
            while i < buf.len() {
                let b = buf[i];
                let d = b.wrapping_sub(b'0');
                if d < 10 && !after_number {
                    acc = acc * 10 + d as u64;
                    digits += 1;
                    if acc > u32::MAX as u64 {
                        problem = Some(format!("number too large in {what}"));
                        break;
                    }
                    i += 1;
                    continue;
                }
                if digits > 0 {
                    f(acc as u32)?;
                    (acc, digits, after_number) = (0, 0, true);
                }
                match b {
                    b' ' | b'\n' | b'\r' | b'\t' => {}
                    b',' | b']' if after_number => {
                        after_number = false;
                        if b == b']' {
                            self.pos += i + 1;
                            return Ok(());
                        }
                    }
                    _ => {
                        problem = Some(format!("expected a number in {what}, found {}", show(b)));
                        break;
                    }
                }
                i += 1;
            }
            self.pos += i;
            if let Some(p) = problem {
                return Err(self.bad(p));
            }
        }
    }

    /// True when only whitespace remains.
    pub fn at_end(&mut self) -> Result<bool, Fail> {
        Ok(self.peek()?.is_none())
    }
}

fn show(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copied(text: &str) -> String {
        let mut r = JsonReader::new(text.as_bytes());
        let mut out = Vec::new();
        r.copy_value(&mut Some(&mut out as &mut dyn Write)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn copies_values_as_written() {
        assert_eq!(
            copied(r#" [1, [2,{"a]":"\"}"}], "x\\"] tail"#),
            r#"[1, [2,{"a]":"\"}"}], "x\\"]"#
        );
        assert_eq!(copied("-1.5e3,"), "-1.5e3");
        assert_eq!(copied(r#""a\"b" "#), r#""a\"b""#);
    }

    #[test]
    fn strings_cut_by_the_buffer_end_are_copied_whole() {
        // An escape split across two reads must not end the string early.
        let text = format!("\"{}\\\"{}\"", "a".repeat(BUF - 2), "b".repeat(10));
        assert_eq!(copied(&text), text);
    }

    #[test]
    fn numbers_are_read_and_errors_are_words() {
        let mut v = Vec::new();
        let mut r = JsonReader::new(&b"[1, 22 ,\n333]"[..]);
        r.numbers("nodes", |x| {
            v.push(x);
            Ok(())
        })
        .unwrap();
        assert_eq!(v, [1, 22, 333]);
        let mut r = JsonReader::new(&b"[1,2"[..]);
        let Err(Fail::Bad(m, _)) = r.numbers("nodes", |_| Ok(())) else {
            panic!("a cut array must fail")
        };
        assert!(m.contains("truncated"), "{m}");
        let mut r = JsonReader::new(&b"[1,]"[..]);
        assert!(r.numbers("nodes", |_| Ok(())).is_err());
        let mut r = JsonReader::new(&b"[[1]}"[..]);
        assert!(r.copy_value(&mut None).is_err());
    }
}
