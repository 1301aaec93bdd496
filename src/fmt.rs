//! How sizes, counts and percentages are written, one formatter of each, for the CLI, the
//! window and live capture alike. Sizes are in B, kB, MB or GB with three significant digits
//! by default; DevTools' kB-only style is a setting of the window. A leaf: it imports
//! nothing here.

use std::sync::atomic::{AtomicU8, Ordering};

/// How sizes are written for people (machine output, JSON and CSV, keeps bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SizeStyle {
    /// B, kB, MB, GB with three significant digits ("48 B", "1.96 GB").
    #[default]
    Units,
    /// Decimal kB as DevTools' Memory panel writes them ("1,958,762 kB").
    DevToolsKb,
}

/// The window's choice (a setting); the CLI keeps the default.
static STYLE: AtomicU8 = AtomicU8::new(0);

pub fn set_style(style: SizeStyle) {
    STYLE.store(style as u8, Ordering::Relaxed);
}

pub fn style() -> SizeStyle {
    match STYLE.load(Ordering::Relaxed) {
        1 => SizeStyle::DevToolsKb,
        _ => SizeStyle::Units,
    }
}

/// A size as the chosen style writes it.
pub fn size(bytes: u64) -> String {
    size_in(style(), bytes)
}

pub fn size_in(style: SizeStyle, b: u64) -> String {
    match style {
        SizeStyle::Units => self::bytes(b),
        SizeStyle::DevToolsKb => kb(b),
    }
}

/// A signed size delta in the chosen style ("+1.50 kB", "−3.00 kB", "0 B").
pub fn signed_size(v: i64) -> String {
    let s = size(v.unsigned_abs());
    match v.signum() {
        -1 => format!("−{s}"),
        1 => format!("+{s}"),
        _ => s,
    }
}

/// Decimal kB below 100 kB with one decimal, as DevTools' `formatBytesToKb`.
pub fn kb(bytes: u64) -> String {
    let k = bytes as f64 / 1000.0;
    if k < 100.0 {
        format!("{k:.1} kB")
    } else {
        format!("{} kB", group(k.round() as u64))
    }
}

/// A size in decimal units with three significant digits (B, kB, MB, GB, TB): "48 B",
/// "1.50 kB", "15.0 MB", "150 MB", "1.96 GB".
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if b < 1000 {
        return format!("{b} B");
    }
    let mut v = b as f64 / 1000.0;
    let mut unit = 0;
    loop {
        let digits = if v < 9.995 {
            2
        } else if v < 99.95 {
            1
        } else {
            0
        };
        let text = format!("{v:.digits$}");
        // 999.6 kB rounds to "1000": that is 1.00 MB.
        if text.parse::<f64>().is_ok_and(|r| r >= 1000.0) && unit + 1 < UNITS.len() {
            v /= 1000.0;
            unit += 1;
            continue;
        }
        return format!("{text} {}", UNITS[unit]);
    }
}

/// Counts one after another, as a row's counts per snapshot: `800 → 1,600 → 2,400`.
pub fn counts(counts: &[u64]) -> String {
    let grouped: Vec<String> = counts.iter().map(|&c| group(c)).collect();
    grouped.join(" → ")
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
        assert_eq!(signed_size(-3000), "−3.00 kB");
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(48), "48 B");
        assert_eq!(counts(&[800, 1600, 2400]), "800 → 1,600 → 2,400");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1500), "1.50 kB");
        assert_eq!(bytes(15_040), "15.0 kB");
        assert_eq!(bytes(150_400), "150 kB");
        assert_eq!(bytes(999_600), "1.00 MB");
        assert_eq!(bytes(80_000_000), "80.0 MB");
        assert_eq!(bytes(1_958_762_000), "1.96 GB");
        assert_eq!(bytes(2_500_000_000), "2.50 GB");
        assert_eq!(size_in(SizeStyle::DevToolsKb, 48), "0.0 kB");
        assert_eq!(size_in(SizeStyle::Units, 48), "48 B");
        assert_eq!(group(1234567), "1,234,567");
        assert_eq!(signed(-3), "−3");
        assert_eq!(percent(1, 3), "33 %");
    }
}
