//! How sizes, counts and percentages are written, one formatter of each, for the CLI, the
//! window and live capture alike (DevTools' conventions). A leaf: it imports nothing here.

/// Decimal kB below 100 kB with one decimal, as DevTools' `formatBytesToKb`.
pub fn kb(bytes: u64) -> String {
    let k = bytes as f64 / 1000.0;
    if k < 100.0 {
        format!("{k:.1} kB")
    } else {
        format!("{} kB", group(k.round() as u64))
    }
}

/// A signed size delta in kB ("+1.5 kB", "−3.0 kB", "0 kB").
pub fn signed_kb(v: i64) -> String {
    if v < 0 {
        format!("−{}", kb(v.unsigned_abs()))
    } else if v > 0 {
        format!("+{}", kb(v as u64))
    } else {
        "0 kB".into()
    }
}

/// A size in decimal units as DevTools prints them in text (B, kB, MB, GB): the CLI's.
pub fn bytes(b: u64) -> String {
    let b = b as f64;
    if b < 1000.0 {
        format!("{b} B")
    } else if b < 1e6 {
        format!("{:.1} kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.2} GB", b / 1e9)
    }
}

/// A count with thousands separators.
pub fn group(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A signed count delta with an explicit sign ("+3", "−2", "0").
pub fn signed(v: i64) -> String {
    if v > 0 {
        format!("+{}", group(v as u64))
    } else if v < 0 {
        format!("−{}", group(v.unsigned_abs()))
    } else {
        "0".into()
    }
}

/// `part` of `total` in whole percent ("12 %").
pub fn percent(part: u64, total: u64) -> String {
    if total == 0 {
        return "0 %".into();
    }
    format!("{:.0} %", part as f64 * 100.0 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_counts_and_percents_read_like_devtools() {
        assert_eq!(kb(1500), "1.5 kB");
        assert_eq!(kb(123_456), "123 kB");
        assert_eq!(kb(12_345_678), "12,346 kB");
        assert_eq!(signed_kb(-3000), "−3.0 kB");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1500), "1.5 kB");
        assert_eq!(bytes(2_500_000_000), "2.50 GB");
        assert_eq!(group(1234567), "1,234,567");
        assert_eq!(signed(-3), "−3");
        assert_eq!(percent(1, 3), "33 %");
    }
}
