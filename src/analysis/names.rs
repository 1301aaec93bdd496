//! Class names (the Summary's Constructor column) and display names. Class identity is a
//! string index, with strings appended exactly where DevTools appends them, so that rows
//! split and merge as they do in DevTools. Plain objects get `{a, b}` interface classes.

use crate::snapshot::{EdgeType, NodeType, Snapshot};
use crate::util::{js_cmp, js_len};
use rustc_hash::FxHashMap;
use std::collections::HashMap;

const MAX_INTERFACE_NAME_LENGTH: usize = 120;
const MIN_OBJECT_COUNT_PER_INTERFACE: f64 = 2.0;
const MIN_OBJECT_PROPORTION_PER_INTERFACE: f64 = 1000.0;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InterfaceDefinition {
    pub name: String,
    pub properties: Vec<String>,
}

/// Computes class string indexes on a shared borrow of the snapshot; the strings DevTools
/// would append go to `appended` and get the indexes they will have once appended.
pub struct ClassNamer<'a> {
    s: &'a Snapshot,
    appended: &'a mut Vec<String>,
    table: HashMap<String, u32>,
}

impl<'a> ClassNamer<'a> {
    pub fn new(s: &'a Snapshot, appended: &'a mut Vec<String>) -> Self {
        ClassNamer {
            s,
            appended,
            table: HashMap::new(),
        }
    }

    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.table.get(text) {
            return i;
        }
        let i = (self.s.strings.len() + self.appended.len()) as u32;
        self.appended.push(text.to_string());
        self.table.insert(text.to_string(), i);
        i
    }

    /// Class string index per node, before plain-object interfaces are applied.
    pub fn calculate(&mut self) -> Vec<u32> {
        let s = self.s;
        let n = s.node_count();
        let hidden = self.intern("(system)");
        let code = self.intern("(compiled code)");
        let function = self.intern("Function");
        let regexp = self.intern("RegExp");
        let mut by_type: Vec<Option<u32>> = vec![None; s.node_type_names.len()];
        let mut cut_cache: HashMap<u32, u32> = HashMap::new();
        let mut class = crate::process_memory::populated(vec![0u32; n]);
        for i in 0..n {
            let t = s.node_type[i];
            class[i] = match t {
                NodeType::HIDDEN => hidden,
                NodeType::OBJECT | NodeType::NATIVE => {
                    let name_idx = s.node_name[i];
                    let name = s.strings.get(name_idx);
                    if name.starts_with('<') || name.starts_with("Detached <") {
                        if let Some(&c) = cut_cache.get(&name_idx) {
                            c
                        } else {
                            let from = if name.starts_with('<') { 0 } else { 10 };
                            let cut = match name[from..].find(' ') {
                                Some(sp) => format!("{}>", &name[..from + sp]),
                                None => name.to_string(),
                            };
                            let c = self.intern(&cut);
                            cut_cache.insert(name_idx, c);
                            c
                        }
                    } else {
                        name_idx
                    }
                }
                NodeType::CODE => code,
                NodeType::CLOSURE => function,
                NodeType::REGEXP => regexp,
                _ => match by_type[t as usize] {
                    Some(c) => c,
                    None => {
                        let text = format!("({})", s.node_type_names[t as usize]);
                        let c = self.intern(&text);
                        by_type[t as usize] = Some(c);
                        c
                    }
                },
            };
        }
        class
    }
}

#[inline]
pub fn is_plain_object(s: &Snapshot, o: u32) -> bool {
    s.ntype(o) == NodeType::OBJECT && s.raw_name(o) == "Object"
}

/// JSON-quotes property names that would confuse a `{a, b}` name.
pub fn format_property_name(name: &str) -> std::borrow::Cow<'_, str> {
    if name.contains([',', '\'', '"', '{', '}']) {
        std::borrow::Cow::Owned(serde_json::to_string(name).unwrap_or_else(|_| name.to_string()))
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// The string indexes of `o`'s property names, in edge order, into `out`: what both
/// interface passes key their per-shape work by.
fn property_names(s: &Snapshot, o: u32, out: &mut Vec<u32>) {
    out.clear();
    out.extend(
        s.edges(o)
            .filter(|&e| s.edge_type[e] == EdgeType::PROPERTY)
            .map(|e| s.edge_name[e]),
    );
}

/// The `{a, b}` name and property list an object with these property names (string
/// indexes, in edge order) suggests; None when it has none to name.
fn interface_candidate(s: &Snapshot, names: &[u32]) -> Option<(String, Vec<String>)> {
    let mut name = String::from("{");
    let mut name_len = 1usize; // in UTF-16 units
    let mut props: Vec<String> = Vec::new();
    for &n in names {
        let en = s.strings.get(n);
        if en == "__proto__" {
            continue;
        }
        let f = format_property_name(en);
        let flen = js_len(&f);
        if name_len > 1 && name_len + flen > MAX_INTERFACE_NAME_LENGTH {
            break;
        }
        if name_len != 1 {
            name.push_str(", ");
            name_len += 2;
        }
        name.push_str(&f);
        name_len += flen;
        props.push(en.to_string());
    }
    if props.is_empty() {
        return None;
    }
    name.push('}');
    Some((name, props))
}

pub fn infer_interface_definitions(s: &Snapshot) -> Vec<InterfaceDefinition> {
    struct Candidate {
        def: InterfaceDefinition,
        count: u32,
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    // Objects of one shape list the same property names in the same order: the name is
    // built once per distinct list of name indexes (None: no properties to name).
    let mut by_names: FxHashMap<Vec<u32>, Option<usize>> = FxHashMap::default();
    let mut key: Vec<u32> = Vec::new();
    let mut total = 0u64;
    for o in 0..s.node_count() as u32 {
        if !is_plain_object(s, o) {
            continue;
        }
        total += 1;
        property_names(s, o, &mut key);
        let found = match by_names.get(&key[..]) {
            Some(&found) => found,
            None => {
                let found =
                    interface_candidate(s, &key).map(|(name, props)| match index.get(&name) {
                        Some(&i) => i,
                        None => {
                            index.insert(name.clone(), candidates.len());
                            candidates.push(Candidate {
                                def: InterfaceDefinition {
                                    name,
                                    properties: props,
                                },
                                count: 0,
                            });
                            candidates.len() - 1
                        }
                    });
                by_names.insert(key.clone(), found);
                found
            }
        };
        if let Some(i) = found {
            candidates[i].count += 1;
        }
    }
    // Stable, like Array.prototype.sort.
    candidates.sort_by_key(|c| std::cmp::Reverse(c.count));
    let min =
        MIN_OBJECT_COUNT_PER_INTERFACE.max(total as f64 / MIN_OBJECT_PROPORTION_PER_INTERFACE);
    candidates
        .into_iter()
        .take_while(|c| c.count as f64 >= min)
        .map(|c| c.def)
        .collect()
}

/// The property tree used to match an object's sorted properties to a definition.
struct TreeNode {
    next: HashMap<String, usize>,
    greatest_next: Option<String>,
    /// (property count, definition index)
    matched: Option<(usize, usize)>,
}

/// Re-classifies plain objects by the given definitions; interface class names are interned
/// in `names` (kept per snapshot, as DevTools keeps `#interfaceNames`).
pub fn apply_interface_definitions(
    s: &Snapshot,
    class: &mut [u32],
    defs: &[InterfaceDefinition],
    names: &mut HashMap<String, u32>,
    appended: &mut Vec<String>,
) {
    let mut tree = vec![TreeNode {
        next: HashMap::new(),
        greatest_next: None,
        matched: None,
    }];
    for (di, d) in defs.iter().enumerate() {
        let mut props = d.properties.clone();
        props.sort_by(|a, b| js_cmp(a, b));
        let mut cur = 0usize;
        for p in &props {
            cur = match tree[cur].next.get(p) {
                Some(&nx) => nx,
                None => {
                    let nx = tree.len();
                    tree.push(TreeNode {
                        next: HashMap::new(),
                        greatest_next: None,
                        matched: None,
                    });
                    tree[cur].next.insert(p.clone(), nx);
                    let g = &mut tree[cur].greatest_next;
                    if g.as_ref().is_none_or(|g| js_cmp(g, p).is_lt()) {
                        *g = Some(p.clone());
                    }
                    nx
                }
            };
        }
        if tree[cur].matched.is_none() {
            tree[cur].matched = Some((props.len(), di));
        }
    }
    // (property count, index); the fallback "Object" has count 0 and index infinity.
    let better = |a: (usize, usize), b: Option<(usize, usize)>| -> (usize, usize) {
        match b {
            None => a,
            Some(b) => {
                if a.0 > b.0 {
                    a
                } else if b.0 > a.0 {
                    b
                } else if a.1 <= b.1 {
                    a
                } else {
                    b
                }
            }
        }
    };
    let mut states: Vec<usize> = Vec::new();
    let mut props: Vec<&str> = Vec::new();
    let mut def_class: Vec<Option<u32>> = vec![None; defs.len()];
    // The match depends only on the property names: matched once per distinct list.
    let mut by_names: FxHashMap<Vec<u32>, Option<usize>> = FxHashMap::default();
    let mut key: Vec<u32> = Vec::new();
    for o in 0..s.node_count() as u32 {
        if !is_plain_object(s, o) {
            continue;
        }
        property_names(s, o, &mut key);
        if let Some(&m) = by_names.get(&key[..]) {
            class[o as usize] = class_of(s, o, m, defs, &mut def_class, names, appended);
            continue;
        }
        props.clear();
        props.extend(key.iter().map(|&n| s.strings.get(n)));
        props.sort_by(|a, b| js_cmp(a, b));
        states.clear();
        states.push(0);
        let initial = (0usize, usize::MAX);
        let mut m = better(initial, tree[0].matched);
        for p in &props {
            let snapshot_len = states.len();
            let mut k = 0;
            let mut seen = 0;
            while seen < snapshot_len {
                let st = states[k];
                seen += 1;
                let mut removed = false;
                if tree[st]
                    .greatest_next
                    .as_deref()
                    .is_none_or(|g| !js_cmp(p, g).is_lt())
                {
                    states.remove(k);
                    removed = true;
                }
                if let Some(&nx) = tree[st].next.get(*p) {
                    if !states.contains(&nx) {
                        states.push(nx);
                    }
                    m = better(m, tree[nx].matched);
                }
                if !removed {
                    k += 1;
                }
            }
        }
        let m = if m == initial { None } else { Some(m.1) };
        by_names.insert(key.clone(), m);
        class[o as usize] = class_of(s, o, m, defs, &mut def_class, names, appended);
    }
}

/// The class of plain object `o` matched to definition `m` (None: its own name). A
/// definition's class name is interned the first time an object takes it, in node order,
/// as DevTools does.
fn class_of(
    s: &Snapshot,
    o: u32,
    m: Option<usize>,
    defs: &[InterfaceDefinition],
    def_class: &mut [Option<u32>],
    names: &mut HashMap<String, u32>,
    appended: &mut Vec<String>,
) -> u32 {
    let Some(di) = m else {
        return s.node_name[o as usize];
    };
    if let Some(c) = def_class[di] {
        return c;
    }
    let name = &defs[di].name;
    let c = match names.get(name) {
        Some(&c) => c,
        None => {
            // The index the string gets once `appended` joins the table.
            let c = (s.strings.len() + appended.len()) as u32;
            appended.push(name.clone());
            names.insert(name.clone(), c);
            c
        }
    };
    def_class[di] = Some(c);
    c
}

/// DevTools' `node.name()`: concatenated strings rebuilt, plain objects as `{a, …, z}`,
/// otherwise the (possibly `Detached `-prefixed) raw name.
pub fn display_name(s: &Snapshot, o: u32) -> String {
    match s.ntype(o) {
        NodeType::CONS_STRING => cons_string_name(s, o),
        NodeType::OBJECT if s.raw_name(o) == "Object" => plain_object_name(s, o),
        _ => s.raw_name(o).to_string(),
    }
}

fn cons_string_name(s: &Snapshot, o: u32) -> String {
    let mut stack: Vec<Option<u32>> = vec![Some(o)];
    let mut name = String::new();
    let mut name_len = 0usize;
    let mut steps = 0u32;
    // The step bound only matters for malformed files whose cons strings loop.
    while name_len < 1024 && steps < 1_000_000 {
        steps += 1;
        let Some(top) = stack.pop() else { break };
        // DevTools pushes node index 0 (the root) for a missing part.
        let n = top.unwrap_or(0);
        if s.ntype(n) != NodeType::CONS_STRING {
            let part = s.raw_name(n);
            name.push_str(part);
            name_len += js_len(part);
            continue;
        }
        let mut first = None;
        let mut second = None;
        for e in s.edges(n) {
            if first.is_some() && second.is_some() {
                break;
            }
            if s.edge_type[e] == EdgeType::INTERNAL {
                match s.strings.get(s.edge_name[e]) {
                    "first" => first = Some(s.edge_to[e]),
                    "second" => second = Some(s.edge_to[e]),
                    _ => {}
                }
            }
        }
        // Node index 0 is falsy in DevTools: a part pointing at ordinal 0 counts as missing.
        stack.push(second.filter(|&x| x != 0));
        stack.push(first.filter(|&x| x != 0));
    }
    name
}

fn plain_object_name(s: &Snapshot, o: u32) -> String {
    let range = s.edges(o);
    let (mut from_start, mut from_end) = (range.start as i64, range.end as i64 - 1);
    let mut start = String::from("{");
    let mut start_len = 1usize;
    let mut end = String::from("}");
    let mut end_len = 1usize;
    let mut next_from_end = false;
    while from_start <= from_end {
        let e = if next_from_end { from_end } else { from_start } as usize;
        let name = s.edge_str(e);
        if s.edge_type[e] != EdgeType::PROPERTY || name == Some("__proto__") {
            if next_from_end {
                from_end -= 1;
            } else {
                from_start += 1;
            }
            continue;
        }
        let f = format_property_name(name.unwrap_or(""));
        let flen = js_len(&f);
        if start_len > 1 && start_len + end_len + flen > 100 {
            break;
        }
        if next_from_end {
            from_end -= 1;
            if end_len > 1 {
                end = format!(", {end}");
                end_len += 2;
            }
            end = format!("{f}{end}");
            end_len += flen;
        } else {
            from_start += 1;
            if start_len > 1 {
                start.push_str(", ");
                start_len += 2;
            }
            start.push_str(&f);
            start_len += flen;
        }
        next_from_end = !next_from_end;
    }
    if from_start <= from_end {
        start.push_str(", …");
    }
    if end_len > 1 {
        start.push_str(", ");
    }
    start + &end
}
