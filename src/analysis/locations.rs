//! Where objects come from in the code. V8 writes `(script id, line, column)` per closure and
//! per object (its constructor's position), but script ids are not nodes: a script id is
//! named through a closure that has both a location and a `shared -> script_or_debug_info`
//! path to its Script node. A scope (`system / Context`) has no location of its own; its
//! owner is the function whose SharedFunctionInfo names the scope's ScopeInfo
//! (`name_or_scope_info`), and that function's closures carry the position.
//!
//! Everything is kept as sorted pairs of ordinals (a few per closure), built in one pass over
//! the locations and one over the edges.

use super::Heap;
use crate::snapshot::{EdgeType, NodeType, Snapshot};

/// A position in a script, 1-based, as people and editors count.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SourceLocation {
    /// The script's URL or path as the snapshot names it (`/srv/app/leak.js`,
    /// `node:internal/timers`, `file:///...`), or `(script N)` when no closure names it.
    pub script: String,
    #[serde(skip)]
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

impl SourceLocation {
    /// `leak.js:7:28`: the script's last path segment with line and column.
    pub fn short(&self) -> String {
        format!(
            "{}:{}:{}",
            short_script(&self.script),
            self.line,
            self.column
        )
    }
}

/// The last segment of a script path or URL (`/srv/app/leak.js` -> `leak.js`); names that
/// are neither (`node:internal/timers`, `(script 3)`) stay whole.
pub fn short_script(script: &str) -> &str {
    let is_path =
        script.starts_with('/') || script.contains("://") || script.get(1..3) == Some(":\\");
    if !is_path {
        return script;
    }
    let s = script.trim_end_matches('/');
    s.rsplit(['/', '\\']).next().unwrap_or(s)
}

/// The function that owns a scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeOwner {
    /// The owner's SharedFunctionInfo.
    pub shared: u32,
    /// A closure of the owner with a location, when one is alive.
    pub closure: Option<u32>,
    /// The function's name; empty for anonymous functions and module wrappers.
    pub function: String,
    /// True for a script's top-level function (a CommonJS module wrapper or a script body).
    pub is_module: bool,
    /// The owner's position (the `(` of its parameters), when a closure of it has one.
    pub location: Option<SourceLocation>,
    /// The owner's script when no position is known (from the SharedFunctionInfo).
    pub script: Option<String>,
    /// True when the scope is a block or class scope and the owner encloses it.
    pub enclosing: bool,
}

impl ScopeOwner {
    /// `makeOrders`, `(anonymous)` or `(module)`.
    pub fn function_label(&self) -> &str {
        if self.is_module {
            "(module)"
        } else if self.function.is_empty() {
            "(anonymous)"
        } else {
            &self.function
        }
    }

    pub fn script(&self) -> Option<&str> {
        self.location
            .as_ref()
            .map(|l| l.script.as_str())
            .or(self.script.as_deref())
    }
}

/// Script ids, SharedFunctionInfos and scopes resolved once per snapshot.
#[derive(Clone)]
pub struct Locations {
    /// (script id, Script node ordinal), sorted by id.
    scripts: Vec<(u32, u32)>,
    /// (ScopeInfo ordinal, SharedFunctionInfo ordinal), sorted.
    shared_of_scope_info: Vec<(u32, u32)>,
    /// (SharedFunctionInfo ordinal, closure ordinal with a location), sorted.
    closure_of_shared: Vec<(u32, u32)>,
    /// String indexes of the edge and node names looked for (None when absent).
    names: Names,
}

/// String indexes of the edge and node names looked for (None when absent).
#[derive(Clone, Default)]
struct Names {
    shared: Option<u32>,
    /// `script_or_debug_info` (Node 20) and `script` (Chromium 148).
    script: [Option<u32>; 2],
    scope_info: Option<u32>,
    name_or_scope_info: Option<u32>,
    previous: Option<u32>,
    /// The `name` edge of a Script (Chromium names Script nodes `system / Script / URL`).
    name: Option<u32>,
    /// Names of scope nodes, sorted: `system / Context` (Node 20) and
    /// `system / Context / scope @N` (Chromium 148).
    scopes: Vec<u32>,
}

impl Names {
    /// One pass over the file's strings (V8 writes each string once).
    fn find(s: &Snapshot) -> Names {
        let mut n = Names::default();
        for i in 0..s.strings.original_len() as u32 {
            let slot = match s.strings.get(i) {
                "shared" => &mut n.shared,
                "script_or_debug_info" => &mut n.script[0],
                "script" => &mut n.script[1],
                "scope_info" => &mut n.scope_info,
                "name_or_scope_info" => &mut n.name_or_scope_info,
                "previous" => &mut n.previous,
                "name" => &mut n.name,
                t if t == "system / Context" || t.starts_with("system / Context / ") => {
                    n.scopes.push(i);
                    continue;
                }
                _ => continue,
            };
            slot.get_or_insert(i);
        }
        n
    }

    fn is_scope_name(&self, name: u32) -> bool {
        self.scopes.binary_search(&name).is_ok()
    }

    /// A SharedFunctionInfo's Script node.
    fn script_of(&self, s: &Snapshot, shared: u32) -> Option<u32> {
        self.script
            .iter()
            .find_map(|&n| internal_edge(s, shared, n))
    }

    /// A Script node's URL or path (Node names the node by it; Chromium names it
    /// `system / Script / URL`, and `system / Script` with a `name` edge when cut).
    fn script_url(&self, s: &Snapshot, script: u32) -> Option<String> {
        let raw = s.raw_name(script);
        let url = match raw.strip_prefix("system / Script / ") {
            Some(url) => url,
            None if raw == "system / Script" || raw.is_empty() => {
                let name = internal_edge(s, script, self.name)?;
                s.raw_name(name)
            }
            None => raw,
        };
        (!url.is_empty()).then(|| url.to_string())
    }
}

fn lookup(pairs: &[(u32, u32)], key: u32) -> Option<u32> {
    pairs
        .binary_search_by_key(&key, |&(k, _)| k)
        .ok()
        .map(|i| pairs[i].1)
}

/// Sorted by key, one pair a key, without spare room: the script pairs are pushed once per
/// located closure and dedup to a few hundred, and the window keeps its Locations for as
/// long as the snapshot is open (on a 1 GB snapshot, building them had raised its resident
/// memory by 29 MiB for good).
fn sort_dedup(mut v: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    v.sort_unstable();
    v.dedup_by_key(|p| p.0);
    v.shrink_to_fit();
    v
}

impl Locations {
    pub fn build(s: &Snapshot) -> Locations {
        let names = Names::find(s);
        let mut scripts = Vec::new();
        let mut closure_of_shared = Vec::new();
        for &(o, loc) in &s.locations {
            if s.ntype(o) != NodeType::CLOSURE {
                continue;
            }
            let Some(shared) = internal_edge(s, o, names.shared) else {
                continue;
            };
            closure_of_shared.push((shared, o));
            if let Some(script) = names.script_of(s, shared)
                && s.ntype(script) == NodeType::CODE
            {
                scripts.push((loc.script_id, script));
            }
        }
        let mut shared_of_scope_info = Vec::new();
        if names.name_or_scope_info.is_some() {
            for o in 0..s.node_count() as u32 {
                if s.ntype(o) == NodeType::CODE
                    && let Some(si) = internal_edge(s, o, names.name_or_scope_info)
                    && s.raw_name(si) == "system / ScopeInfo"
                {
                    shared_of_scope_info.push((si, o));
                }
            }
        }
        Locations {
            scripts: sort_dedup(scripts),
            shared_of_scope_info: sort_dedup(shared_of_scope_info),
            closure_of_shared: sort_dedup(closure_of_shared),
            names,
        }
    }

    /// The Script node of a script id, when a closure of that script is in the snapshot.
    pub fn script_node(&self, script_id: u32) -> Option<u32> {
        lookup(&self.scripts, script_id)
    }

    /// The script's URL or path, or `(script N)`.
    pub fn script_name(&self, s: &Snapshot, script_id: u32) -> String {
        self.script_node(script_id)
            .and_then(|n| self.names.script_url(s, n))
            .unwrap_or_else(|| format!("(script {script_id})"))
    }

    /// True for a `system / Context` node (a closure scope, not a NativeContext).
    pub fn is_scope(&self, s: &Snapshot, o: u32) -> bool {
        s.ntype(o) == NodeType::OBJECT && self.names.is_scope_name(s.node_name[o as usize])
    }

    /// Where `o` comes from: a closure's own position, an object's constructor's, a scope's
    /// owner function's, a SharedFunctionInfo's closure's.
    pub fn of(&self, s: &Snapshot, o: u32) -> Option<SourceLocation> {
        if let Some(l) = s.location(o) {
            return Some(self.resolve(s, l));
        }
        if self.is_scope(s, o) {
            return self.scope_owner(s, o)?.location;
        }
        let closure = lookup(&self.closure_of_shared, o)?;
        s.location(closure).map(|l| self.resolve(s, l))
    }

    fn resolve(&self, s: &Snapshot, l: crate::snapshot::Location) -> SourceLocation {
        SourceLocation {
            script: self.script_name(s, l.script_id),
            script_id: l.script_id,
            line: l.line + 1,
            column: l.column + 1,
        }
    }

    /// The function owning scope `ctx`: the one whose SharedFunctionInfo names the scope's
    /// ScopeInfo, or for block and class scopes (no function of their own) the nearest
    /// enclosing scope's owner.
    pub fn scope_owner(&self, s: &Snapshot, ctx: u32) -> Option<ScopeOwner> {
        let mut cur = ctx;
        // Scope chains are short; the bound only guards malformed files.
        for _ in 0..64 {
            let si = internal_edge(s, cur, self.names.scope_info)?;
            if let Some(shared) = lookup(&self.shared_of_scope_info, si) {
                return Some(self.owner(s, shared, cur != ctx));
            }
            cur = internal_edge(s, cur, self.names.previous)?;
            if !self.is_scope(s, cur) {
                return None;
            }
        }
        None
    }

    fn owner(&self, s: &Snapshot, shared: u32, enclosing: bool) -> ScopeOwner {
        let closure = lookup(&self.closure_of_shared, shared);
        let location = closure
            .and_then(|c| s.location(c))
            .map(|l| self.resolve(s, l));
        let function = match closure {
            Some(c) => s.raw_name(c),
            None => {
                let raw = s.raw_name(shared);
                let raw = raw
                    .strip_prefix("system / SharedFunctionInfo")
                    .unwrap_or(raw);
                let raw = raw.strip_prefix(" / ").unwrap_or(raw);
                if raw == "(shared function info)" {
                    ""
                } else {
                    raw
                }
            }
        }
        .to_string();
        // A script's top-level code (CommonJS wrapper, classic script) starts at 1:1.
        let is_module = function.is_empty()
            && location
                .as_ref()
                .is_some_and(|l| l.line == 1 && l.column == 1);
        let script = self
            .names
            .script_of(s, shared)
            .and_then(|n| self.names.script_url(s, n));
        ScopeOwner {
            shared,
            closure,
            function,
            is_module,
            location,
            script,
            enclosing,
        }
    }

    /// The script of a scope: its owner's, or where the owner is gone (a module wrapper
    /// that has returned), the script of the closures created in it.
    pub fn scope_script(&self, h: &Heap, ctx: u32) -> Option<String> {
        let s = &h.snap;
        if let Some(script) = self
            .scope_owner(s, ctx)
            .and_then(|o| o.script().map(str::to_string))
        {
            return Some(script);
        }
        h.retainers
            .list(s, ctx)
            .into_iter()
            .filter(|r| {
                s.ntype(r.from) == NodeType::CLOSURE
                    && s.edge_type[r.edge as usize] == EdgeType::INTERNAL
                    && s.edge_str(r.edge as usize) == Some("context")
            })
            .find_map(|r| self.of(s, r.from))
            .map(|l| l.script)
    }

    /// How a scope reads in a path: `scope of makeOrders (orders.js:10)`,
    /// `module scope of leak.js`, `scope of (anonymous) (leak.js:14)`, and for block and
    /// class scopes `block scope in handle (leak.js:12)`.
    pub fn scope_label(&self, h: &Heap, ctx: u32) -> String {
        let Some(owner) = self.scope_owner(&h.snap, ctx) else {
            return match self.scope_script(h, ctx) {
                Some(script) => format!("scope in {}", short_script(&script)),
                None => "scope".into(),
            };
        };
        let script = owner.script().map_or("a script", short_script);
        let function = if owner.is_module {
            format!("module {script}")
        } else {
            let at = match &owner.location {
                Some(l) => format!(" ({}:{})", short_script(&l.script), l.line),
                None if owner.script().is_some() => format!(" ({script})"),
                None => String::new(),
            };
            format!("{}{at}", owner.function_label())
        };
        match (owner.enclosing, owner.is_module) {
            (true, _) => format!("block scope in {function}"),
            (false, true) => format!("module scope of {script}"),
            (false, false) => format!("scope of {function}"),
        }
    }
}

/// The target of `o`'s first internal edge named by string `name`.
fn internal_edge(s: &Snapshot, o: u32, name: Option<u32>) -> Option<u32> {
    let name = name?;
    s.edges(o)
        .find(|&e| s.edge_type[e] == EdgeType::INTERNAL && s.edge_name[e] == name)
        .map(|e| s.edge_to[e])
}

#[cfg(test)]
mod tests {
    use super::short_script;

    #[test]
    fn paths_and_urls_shorten_to_their_file_runtime_names_stay_whole() {
        assert_eq!(short_script("/srv/app/leak.js"), "leak.js");
        assert_eq!(short_script("file:///srv/my%20app/x.js"), "x.js");
        assert_eq!(short_script("https://example.com/a/b.js"), "b.js");
        assert_eq!(short_script("C:\\app\\main.js"), "main.js");
        assert_eq!(short_script("node:internal/timers"), "node:internal/timers");
        assert_eq!(short_script("(script 3)"), "(script 3)");
    }
}
