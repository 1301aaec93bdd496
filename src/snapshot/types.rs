//! Canonical node and edge type numbers. The file declares its own enums in `snapshot.meta`;
//! the parser maps them onto these by name, so a file with another order reads the same.

pub struct NodeType;
impl NodeType {
    pub const HIDDEN: u8 = 0;
    pub const ARRAY: u8 = 1;
    pub const STRING: u8 = 2;
    pub const OBJECT: u8 = 3;
    pub const CODE: u8 = 4;
    pub const CLOSURE: u8 = 5;
    pub const REGEXP: u8 = 6;
    pub const NUMBER: u8 = 7;
    pub const NATIVE: u8 = 8;
    pub const SYNTHETIC: u8 = 9;
    pub const CONS_STRING: u8 = 10;
    pub const SLICED_STRING: u8 = 11;
    pub const SYMBOL: u8 = 12;
    pub const BIGINT: u8 = 13;
    pub const OBJECT_SHAPE: u8 = 14;
    pub const WASM_OBJECT: u8 = 15;
    pub const CANONICAL: [&'static str; 16] = [
        "hidden",
        "array",
        "string",
        "object",
        "code",
        "closure",
        "regexp",
        "number",
        "native",
        "synthetic",
        "concatenated string",
        "sliced string",
        "symbol",
        "bigint",
        "object shape",
        "wasm object",
    ];
}

pub struct EdgeType;
impl EdgeType {
    pub const CONTEXT: u8 = 0;
    pub const ELEMENT: u8 = 1;
    pub const PROPERTY: u8 = 2;
    pub const INTERNAL: u8 = 3;
    pub const HIDDEN: u8 = 4;
    pub const SHORTCUT: u8 = 5;
    pub const WEAK: u8 = 6;
    /// DevTools' local pseudo type; V8 never writes it, but a file could name it.
    pub const INVISIBLE: u8 = 7;
    pub const CANONICAL: [&'static str; 8] = [
        "context",
        "element",
        "property",
        "internal",
        "hidden",
        "shortcut",
        "weak",
        "invisible",
    ];
}

/// Maps a file's type enum onto canonical numbers; unknown names get numbers after the
/// canonical ones (they behave like no special type). Returns (file index -> canonical, names).
pub fn map_enum(file_names: &[String], canonical: &[&str]) -> (Vec<u8>, Vec<String>) {
    let mut names: Vec<String> = canonical.iter().map(|s| s.to_string()).collect();
    let mut map = Vec::with_capacity(file_names.len());
    for n in file_names {
        if let Some(i) = names.iter().position(|c| c == n) {
            map.push(i as u8);
        } else {
            names.push(n.clone());
            map.push((names.len() - 1).min(255) as u8);
        }
    }
    (map, names)
}
