//! Small helpers that reproduce JavaScript semantics where DevTools' numbers depend on them.

/// JavaScript `parseInt(s, 10)`: optional leading whitespace and sign, then the longest run
/// of decimal digits; `None` where JS gives NaN.
pub fn js_parse_int(s: &str) -> Option<f64> {
    let t = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let (neg, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: &str = &rest[..rest.bytes().take_while(|b| b.is_ascii_digit()).count()];
    if digits.is_empty() {
        return None;
    }
    let v: f64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// `String(n)` for the integers parseInt yields (no exponent handling beyond 1e21).
pub fn js_number_to_string(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if v.abs() < 1e21 {
        format!("{v:.0}")
    } else {
        format!("{v:e}").replace('e', "e+")
    }
}

/// The first `max` UTF-16 code units of `s` (JavaScript's `slice(0, max)`). A surrogate
/// pair cut in half becomes U+FFFD, as a lone surrogate prints in UTF-8.
pub fn js_slice_utf16(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if s.len() <= max {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut units = 0usize;
    for (i, c) in s.char_indices() {
        let w = c.len_utf16();
        if units + w > max {
            if units < max {
                // Half of a pair fits.
                let mut out = s[..i].to_string();
                out.push('\u{FFFD}');
                return std::borrow::Cow::Owned(out);
            }
            return std::borrow::Cow::Borrowed(&s[..i]);
        }
        units += w;
    }
    std::borrow::Cow::Borrowed(s)
}

/// Length in UTF-16 code units (JavaScript's `string.length`).
pub fn js_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

/// Compares two strings as JavaScript's `<` does (by UTF-16 code units).
pub fn js_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Appends `v` in decimal: faster than `write!` when a snapshot's numbers are written out.
#[inline]
pub fn push_decimal(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Fixed-size bit set.
#[derive(Clone, Default)]
pub struct BitVec {
    words: Vec<u64>,
}

impl BitVec {
    pub fn new(n: usize) -> Self {
        BitVec {
            words: vec![0; n.div_ceil(64)],
        }
    }
    pub fn from_words(words: Vec<u64>, n: usize) -> Self {
        debug_assert!(words.len() == n.div_ceil(64));
        BitVec { words }
    }
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        self.words[i >> 6] >> (i & 63) & 1 != 0
    }
    #[inline]
    pub fn set(&mut self, i: usize) {
        self.words[i >> 6] |= 1 << (i & 63);
    }
    #[inline]
    pub fn clear(&mut self, i: usize) {
        self.words[i >> 6] &= !(1 << (i & 63));
    }
    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
    }
}

/// A tiny xorshift generator for the unit tests' random inputs: deterministic, without a
/// dependency.
#[cfg(test)]
pub(crate) struct TestRng(pub u64);

#[cfg(test)]
impl TestRng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_decimal_writes_what_display_writes() {
        for v in [0, 7, 10, 4_294_967_295, u64::MAX] {
            let mut out = b"x".to_vec();
            push_decimal(&mut out, v);
            assert_eq!(out, format!("x{v}").into_bytes());
        }
    }
    #[test]
    fn parse_int_like_js() {
        assert_eq!(js_parse_int("12"), Some(12.0));
        assert_eq!(js_parse_int(" 7abc"), Some(7.0));
        assert_eq!(js_parse_int("-3"), Some(-3.0));
        assert_eq!(js_parse_int("abc"), None);
        assert_eq!(js_parse_int(""), None);
    }
    #[test]
    fn slice_counts_utf16_units() {
        assert_eq!(js_slice_utf16("abc", 2), "ab");
        assert_eq!(js_slice_utf16("a😀b", 2), "a\u{FFFD}");
        assert_eq!(js_slice_utf16("a😀b", 3), "a😀");
        assert_eq!(js_len("a😀"), 3);
    }
}
