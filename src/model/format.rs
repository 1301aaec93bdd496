//! How numbers, objects and edges are written in the views (DevTools' conventions).

use crate::analysis::Heap;
use crate::analysis::distances::is_unreachable_or_system;
use crate::snapshot::{EdgeType, NodeType};

// Sizes, counts and percents are written by `crate::fmt`; the views name them through here.
pub use crate::fmt::{bytes, group, percent, signed, signed_size, size};

/// DevTools' distance as a user sees it: None where it shows "−".
pub fn shown_distance(d: i32) -> Option<i32> {
    if is_unreachable_or_system(d) {
        None
    } else {
        Some(d)
    }
}

pub fn distance(d: i32) -> String {
    shown_distance(d).map_or_else(|| "−".into(), |d| d.to_string())
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
    fn distances_and_names_read_like_devtools() {
        assert_eq!(distance(100_000_001), "−");
        assert_eq!(distance(4), "4");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }
}
