//! Scanning runs of JSON array elements that are unsigned integers. The bulk of a run is
//! classified 64 bytes at a time into bit masks (digits, commas, whitespace), which give
//! every number's start without a byte loop and check the shape (one number per comma) with
//! a few bit operations; each number's value then comes from one eight-byte load. The last
//! few bytes, and any run the masks find malformed (to name the fault), go through a plain
//! byte-by-byte scanner.

use super::lexer::{is_ws, show_byte, skip_ws};

/// Eight bytes (first in the lowest byte) minus '0' each, and how many of them, from the
/// first, are digits (8: all).
#[inline(always)]
fn leading_digits(chunk: u64) -> (u64, usize) {
    let sub = chunk.wrapping_sub(0x3030_3030_3030_3030);
    let non_digit = (sub | sub.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080;
    (sub, (non_digit.trailing_zeros() / 8) as usize)
}

/// The value of the first `len` (1..=8) digit bytes of `sub` (bytes minus '0', first digit
/// in the lowest byte): shift them to the top so the missing digits act as leading zeros.
#[inline]
fn swar_value(sub: u64, len: usize) -> u64 {
    let mut v = sub << (64 - 8 * len);
    v = ((v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561)) >> 8;
    v = ((v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601)) >> 16;
    ((v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001)) >> 32
}

/// Scans `(ws* digits ws* ,)*`, a run of array elements that ends right after a comma,
/// giving each value to `sink` in order. Returns how many there were. Errors give the byte
/// index in `bytes` and what is wrong (a `sink` error is placed at its number).
#[inline(always)]
pub(crate) fn scan_region(
    bytes: &[u8],
    mut sink: impl FnMut(u32) -> Result<(), String>,
) -> Result<usize, (usize, String)> {
    // The bulk ends after a comma at least TAIL bytes before the end, so every load the
    // bulk scanner makes (a 64-byte block past its last comma, 16 bytes past a number's
    // start) stays inside `bytes`.
    const TAIL: usize = 96;
    let split = if bytes.len() > TAIL {
        memchr::memrchr(b',', &bytes[..bytes.len() - TAIL]).map_or(0, |c| c + 1)
    } else {
        0
    };
    let bulk = match scan_bulk(bytes, split, &mut sink) {
        Ok(count) => count,
        Err(Fault::At(i, m)) => return Err((i, m)),
        Err(Fault::Shape) => {
            // Name the first fault the way the byte scanner sees it.
            return Err(scan_bytes(&bytes[..split], |_| Ok(()))
                .err()
                .unwrap_or((0, "malformed number array".into())));
        }
    };
    let rest = scan_bytes(&bytes[split..], sink).map_err(|(i, m)| (split + i, m))?;
    Ok(bulk + rest)
}

enum Fault {
    At(usize, String),
    /// Something other than one number per comma; [`scan_bytes`] says what and where.
    Shape,
}

/// Digit, comma and whitespace masks of the 64 bytes at `p` (bit i = byte p + i).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify(block: &[u8; 64]) -> (u64, u64, u64) {
    use std::arch::x86_64::*;
    let (mut digit, mut comma, mut ws) = (0u64, 0u64, 0u64);
    for k in 0..4 {
        // SAFETY: SSE2 is part of the x86_64 baseline; the load reads 16 bytes of `block`.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k) as *const __m128i);
            let d = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
            let is_digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
            let is_comma = _mm_cmpeq_epi8(v, _mm_set1_epi8(b',' as i8));
            let is_ws = _mm_or_si128(
                _mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8)),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
                ),
                _mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8)),
                ),
            );
            digit |= (_mm_movemask_epi8(is_digit) as u16 as u64) << (16 * k);
            comma |= (_mm_movemask_epi8(is_comma) as u16 as u64) << (16 * k);
            ws |= (_mm_movemask_epi8(is_ws) as u16 as u64) << (16 * k);
        }
    }
    (digit, comma, ws)
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn classify(block: &[u8; 64]) -> (u64, u64, u64) {
    classify_bytes(block)
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify_bytes(block: &[u8; 64]) -> (u64, u64, u64) {
    let (mut digit, mut comma, mut ws) = (0u64, 0u64, 0u64);
    for (i, &b) in block.iter().enumerate() {
        digit |= (b.is_ascii_digit() as u64) << i;
        comma |= ((b == b',') as u64) << i;
        ws |= (is_ws(b) as u64) << i;
    }
    (digit, comma, ws)
}

/// Bit i of the result is the parity of bits 0..=i of `x`.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Scans `bytes[..end]` (which ends after a comma; `bytes` goes on at least 96 bytes past
/// it) by 64-byte blocks.
#[inline(always)]
fn scan_bulk(
    bytes: &[u8],
    end: usize,
    sink: &mut impl FnMut(u32) -> Result<(), String>,
) -> Result<usize, Fault> {
    let mut count = 0;
    // Whether the last block ended inside a digit run, and the number/comma parity so far
    // (1 = a number was seen and its comma not yet).
    let mut prev_digit = 0u64;
    let mut parity = 0u64;
    let mut p = 0;
    while p < end {
        let block: &[u8; 64] = bytes[p..p + 64].try_into().map_err(|_| Fault::Shape)?;
        let (mut digit, mut comma, mut ws) = classify(block);
        if end - p < 64 {
            let keep = (1u64 << (end - p)) - 1;
            digit &= keep;
            comma &= keep;
            ws &= keep;
        }
        let live = if end - p < 64 {
            (1u64 << (end - p)) - 1
        } else {
            !0
        };
        if (digit | comma | ws) != live {
            return Err(Fault::Shape);
        }
        let starts = digit & !((digit << 1) | prev_digit);
        prev_digit = digit >> 63;
        // Numbers and commas must alternate, a number first: every start is an odd token
        // and every comma an even one.
        let odd = prefix_xor(starts | comma) ^ parity.wrapping_neg();
        if (starts & !odd) | (comma & odd) != 0 {
            return Err(Fault::Shape);
        }
        parity = odd >> 63;
        let mut s = starts;
        while s != 0 {
            let at = p + s.trailing_zeros() as usize;
            s &= s - 1;
            let chunk = u64::from_le_bytes(bytes[at..at + 8].try_into().map_err(|_| Fault::Shape)?);
            let (sub, len) = leading_digits(chunk);
            let value = if len < 8 {
                swar_value(sub, len)
            } else if !bytes[at + 8].is_ascii_digit() {
                swar_value(sub, 8)
            } else {
                long_number(bytes, at)?
            };
            sink(value as u32).map_err(|m| Fault::At(at, m))?;
            count += 1;
        }
        p += 64;
    }
    Ok(count)
}

/// A number of eight or more digits at `at` (at most ten fit in u32).
#[cold]
fn long_number(bytes: &[u8], at: usize) -> Result<u64, Fault> {
    let mut acc = 0u64;
    let mut i = at;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        if i - at == 10 {
            return Err(Fault::At(at, "number too large".into()));
        }
        acc = acc * 10 + (bytes[i] - b'0') as u64;
        i += 1;
    }
    if acc > u32::MAX as u64 {
        return Err(Fault::At(at, "number too large".into()));
    }
    Ok(acc)
}

/// [`scan_region`] one byte at a time.
#[inline(always)]
fn scan_bytes(
    bytes: &[u8],
    mut sink: impl FnMut(u32) -> Result<(), String>,
) -> Result<usize, (usize, String)> {
    let n = bytes.len();
    let mut i = 0;
    let mut count = 0;
    while i < n {
        i = skip_ws(bytes, i);
        if i == n {
            break;
        }
        let start = i;
        let mut acc: u64 = 0;
        // Eight bytes at a time where they are available (most numbers are short).
        let mut swar_done = false;
        if i + 8 <= n {
            let chunk = u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap_or([0; 8]));
            let (sub, len) = leading_digits(chunk);
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
        sink(acc as u32).map_err(|m| (start, m))?;
        count += 1;
        i = skip_ws(bytes, i);
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
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::TestRng;

    fn scan(text: &[u8]) -> Result<Vec<u32>, (usize, String)> {
        // Both scanners must agree, on values and on the first fault.
        let mut slow = Vec::new();
        let by_bytes = scan_bytes(text, |v| {
            slow.push(v);
            Ok(())
        });
        let mut out = Vec::new();
        let fast = scan_region(text, |v| {
            out.push(v);
            Ok(())
        });
        assert_eq!(fast.clone().map(|_| ()), by_bytes.map(|_| ()));
        if fast.is_ok() {
            assert_eq!(out, slow);
        }
        fast.map(|_| out)
    }

    #[test]
    fn reads_numbers_of_every_length() {
        let mut text = String::new();
        let mut expected = Vec::new();
        for k in 0..40u64 {
            let v = (7u64.pow((k % 12) as u32) + k) % (u32::MAX as u64 + 1);
            text.push_str(&format!("{v},{}", if k % 3 == 0 { "\n" } else { "" }));
            expected.push(v as u32);
        }
        text.push_str("4294967295,0,");
        expected.extend([u32::MAX, 0]);
        assert_eq!(scan(text.as_bytes()).unwrap(), expected);
        assert!(scan(b"4294967296,").is_err());
        assert!(scan(b"1 2,").is_err());
        assert!(scan(b"1,,").is_err());
        assert!(scan(b"-1,").is_err());
    }

    #[test]
    fn bulk_and_byte_scanners_agree_on_long_and_damaged_runs() {
        let mut rng = TestRng(7);
        let ws = [" ", "\n", "\r\n", "\t", "  "];
        for round in 0..400 {
            let mut text = Vec::new();
            let count = 50 + rng.below(400);
            for _ in 0..count {
                if rng.next().is_multiple_of(5) {
                    text.extend_from_slice(ws[rng.below(5) as usize].as_bytes());
                }
                let digits = 1 + rng.below(11);
                let mut v = rng.below(10u64.pow(digits.min(9) as u32));
                if digits >= 10 {
                    v = rng.below(5_000_000_000);
                }
                text.extend_from_slice(v.to_string().as_bytes());
                if rng.next().is_multiple_of(7) {
                    text.extend_from_slice(ws[rng.below(5) as usize].as_bytes());
                }
                text.push(b',');
            }
            // Half the rounds damage a few bytes.
            if round % 2 == 1 {
                let damage = b"-.e+ ,x\"9a\x00\xff";
                for _ in 0..1 + rng.below(3) {
                    let at = rng.below(text.len() as u64 - 1) as usize;
                    text[at] = damage[rng.below(damage.len() as u64) as usize];
                }
            }
            let _ = scan(&text);
        }
    }

    #[test]
    fn block_masks_match_the_byte_rule() {
        let mut rng = TestRng(11);
        let alphabet = b"0123456789, \n\r\t/:-.\x00\xff";
        for _ in 0..200 {
            let mut block = [0u8; 64];
            for b in block.iter_mut() {
                *b = alphabet[rng.below(alphabet.len() as u64) as usize];
            }
            assert_eq!(classify(&block), classify_bytes(&block));
        }
    }
}
