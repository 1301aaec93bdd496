//! How numbers, objects and edges are written in the views (DevTools' conventions).

use crate::analysis::Heap;
use crate::analysis::distances::is_unreachable_or_system;
use crate::snapshot::{EdgeType, NodeType};

/// Decimal kB below 100 kB with one decimal, as DevTools' `formatBytesToKb`.
pub fn kb(bytes: u64) -> String {
    let k = bytes as f64 / 1000.0;
    if k < 100.0 {
        format!("{k:.1} kB")
    } else {
        format!("{} kB", group(k.round() as u64))
    }
}

/// Thousands separators.
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

pub fn percent(part: u64, total: u64) -> String {
    if total == 0 {
        return "0 %".into();
    }
    format!("{:.0} %", part as f64 * 100.0 / total as f64)
}

pub fn distance(d: i32) -> String {
    if is_unreachable_or_system(d) {
        "−".into()
    } else {
        d.to_string()
    }
}

/// Signed count or size delta with an explicit sign ("+3", "−2").
pub fn signed(v: i64) -> String {
    if v > 0 {
        format!("+{}", group(v as u64))
    } else if v < 0 {
        format!("−{}", group(v.unsigned_abs()))
    } else {
        "0".into()
    }
}

pub fn signed_kb(v: i64) -> String {
    if v < 0 {
        format!("−{}", kb(v.unsigned_abs()))
    } else if v > 0 {
        format!("+{}", kb(v as u64))
    } else {
        "0 kB".into()
    }
}

/// The object cell: name styled by type (strings quoted, closures with `()`, arrays with
/// `[]`, regexps in slashes), cut to `max` characters, then `@id`.
pub fn object_label(h: &Heap, o: u32, max: usize) -> String {
    if o == h.snap.root {
        return format!("(root) @{}", h.id(o));
    }
    let name = h.display_name(o);
    let name = shorten(&name, max);
    let styled = match h.snap.ntype(o) {
        NodeType::STRING | NodeType::CONS_STRING | NodeType::SLICED_STRING => format!("\"{name}\""),
        NodeType::REGEXP => format!("/{name}/"),
        NodeType::CLOSURE => format!("{name}()"),
        NodeType::ARRAY => {
            if name.is_empty() {
                "(internal array)[]".to_string()
            } else {
                format!("{name}[]")
            }
        }
        _ => name,
    };
    format!("{styled} @{}", h.id(o))
}

/// Edge label as DevTools' grid shows it: `[3]` for elements, the plain name otherwise,
/// `(empty)` for an empty name.
pub fn edge_label(h: &Heap, e: u32) -> String {
    let s = &h.snap;
    let e = e as usize;
    let name = s.edge_name(e);
    if s.edge_type[e] == EdgeType::ELEMENT {
        return format!("[{name}]");
    }
    if name.is_empty() {
        return "(empty)".into();
    }
    shorten(&name, 80)
}

/// Internal, hidden and weak edges are drawn dimmed.
pub fn edge_is_dim(h: &Heap, e: u32) -> bool {
    matches!(
        h.snap.edge_type[e as usize],
        EdgeType::INTERNAL | EdgeType::HIDDEN | EdgeType::WEAK
    )
}

pub fn shorten(s: &str, max: usize) -> String {
    let s = s.replace(['\n', '\r', '\t'], " ");
    if s.chars().count() <= max {
        s
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn sizes_and_counts_read_like_devtools() {
        assert_eq!(kb(1500), "1.5 kB");
        assert_eq!(kb(123_456), "123 kB");
        assert_eq!(kb(12_345_678), "12,346 kB");
        assert_eq!(group(1234567), "1,234,567");
        assert_eq!(signed(-3), "−3");
        assert_eq!(distance(100_000_001), "−");
        assert_eq!(distance(4), "4");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }
}
