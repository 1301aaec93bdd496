//! Original positions through source maps. A script named by a path or `file://` URL is
//! looked for on disk (after remapping folders: a snapshot taken on a server or in a
//! container names paths there); its `//# sourceMappingURL=` (a relative or absolute path,
//! or an inline `data:` URL) or else `FILE.map` beside it is decoded once per script with the
//! `sourcemap` crate.

use crate::analysis::locations::SourceLocation;
use sourcemap::DecodedMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What became of a script's source map. Only `Mapped` comes with an original position.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "detail")]
pub enum MapStatus {
    /// The script is not a local file (`node:internal/...`, `https://...`).
    NotLocal,
    /// The script names a path that is not on this machine.
    NoFile(String),
    /// The file names no source map and has no `.map` beside it.
    NoMap,
    /// The map could not be read or decoded.
    Broken(String),
    /// The map has no mapping on that line.
    NoMapping,
    Mapped,
}

/// A position in an original source, 1-based.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Original {
    /// The source as the map names it (`src/orders.js`, `webpack://app/./x.ts`).
    pub source: String,
    pub line: u32,
    pub column: u32,
    /// The original identifier at that position, where the map has one.
    pub name: Option<String>,
    /// The source's local file, when it exists.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// A location resolved as far as it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The script's local file, when it exists.
    pub file: Option<PathBuf>,
    pub status: MapStatus,
    pub original: Option<Original>,
}

/// A location with everything known about it, as the JSON outputs carry it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Located {
    /// The script's URL or path as the snapshot names it.
    pub script: String,
    pub line: u32,
    pub column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<Original>,
    pub source_map: MapStatus,
    /// The script's local file, when it exists.
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

/// A decoded map and the folder its relative sources are resolved against.
struct LoadedMap {
    map: DecodedMap,
    dir: PathBuf,
}

/// Source maps, decoded once per script, and the folder remapping.
#[derive(Default)]
pub struct SourceMaps {
    /// (prefix as the snapshot names it, local folder), longest prefix wins.
    remaps: Vec<(String, PathBuf)>,
    /// Folders where a script whose recorded path is not on this machine is looked for by
    /// path suffix (the snapshot's folder and those above it, `--sources`).
    roots: Vec<PathBuf>,
    maps: HashMap<PathBuf, Result<Option<LoadedMap>, String>>,
    /// Generated files' text, read once, for finding declarations.
    texts: HashMap<PathBuf, Option<String>>,
    /// Where each script named in a declaration lookup is, found once.
    scripts: HashMap<String, Option<PathBuf>>,
}

impl SourceMaps {
    pub fn new() -> SourceMaps {
        SourceMaps::default()
    }

    /// Read scripts under `from` (as the snapshot names them) from `to` on this machine.
    pub fn remap(&mut self, from: &str, to: impl Into<PathBuf>) {
        self.remaps
            .push((from.trim_end_matches('/').to_string(), to.into()));
        self.remaps.sort_by_key(|(f, _)| std::cmp::Reverse(f.len()));
        self.maps.clear();
        self.scripts.clear();
    }

    /// Parses `FROM=TO` as the command line gives it.
    pub fn remap_arg(&mut self, arg: &str) -> Result<(), String> {
        let (from, to) = arg.split_once('=').ok_or_else(|| {
            format!(
                "'{arg}' is not FROM=TO (a folder as the snapshot names it, then the local one)"
            )
        })?;
        self.remap(from, to);
        Ok(())
    }

    /// Look for scripts that are not where the snapshot says under `dir` too, by the longest
    /// suffix of their path that exists there.
    pub fn search_under(&mut self, dir: &Path) {
        if !self.roots.iter().any(|r| r == dir) {
            self.roots.push(dir.to_path_buf());
            self.maps.clear();
            self.scripts.clear();
        }
    }

    /// The usual places to look for a snapshot's scripts: the snapshot's folder and the
    /// folders above it, then the working directory.
    pub fn search_near(&mut self, snapshot: &Path) {
        let dir = snapshot
            .canonicalize()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        let mut cur = dir.as_deref();
        while let Some(d) = cur {
            self.search_under(d);
            cur = d.parent().filter(|p| p.parent().is_some());
        }
        if let Ok(cwd) = std::env::current_dir() {
            self.search_under(&cwd);
        }
    }

    /// The file a script's path names under one of the search folders, longest suffix first.
    fn by_suffix(&self, path: &str) -> Option<PathBuf> {
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        (0..parts.len()).find_map(|k| {
            let suffix = parts[k..].join("/");
            self.roots
                .iter()
                .map(|r| r.join(&suffix))
                .find(|p| p.is_file())
        })
    }

    /// Where script `script` (a path, a `file://` or `http(s)://` URL) is on this machine, if
    /// anywhere: where it says (after remapping), else found by path suffix.
    pub fn script_path(&self, script: &str) -> Result<PathBuf, MapStatus> {
        let path = if let Some(rest) = script.strip_prefix("file://") {
            url_path(rest)
        } else if Path::new(script).is_absolute() {
            script.to_string()
        } else if let Some(rest) = script
            .strip_prefix("http://")
            .or_else(|| script.strip_prefix("https://"))
        {
            let path = rest.find('/').map_or("", |i| &rest[i..]);
            let path = path.split(['?', '#']).next().unwrap_or_default();
            return self.by_suffix(&url_path(path)).ok_or(MapStatus::NotLocal);
        } else {
            return Err(MapStatus::NotLocal);
        };
        let local = self
            .remaps
            .iter()
            .find_map(|(from, to)| {
                let rest = path.strip_prefix(from.as_str())?;
                (rest.is_empty() || rest.starts_with('/'))
                    .then(|| to.join(rest.trim_start_matches('/')))
            })
            .unwrap_or_else(|| PathBuf::from(&path));
        if local.is_file() {
            Ok(local)
        } else if let Some(found) = self.by_suffix(&path) {
            Ok(found)
        } else {
            Err(MapStatus::NoFile(local.display().to_string()))
        }
    }

    /// The name a source map gives the identifier `ident` where it is declared
    /// (`var L2=class`, `class L2`, `function L2(`) before `loc` in the generated script: the
    /// authors' name of a minified class, whose objects' location is their constructor's.
    pub fn declared_name(&mut self, loc: &SourceLocation, ident: &str) -> Option<String> {
        let file = match self.scripts.get(&loc.script) {
            Some(known) => known.clone(),
            None => {
                let found = self.script_path(&loc.script).ok();
                self.scripts.insert(loc.script.clone(), found.clone());
                found
            }
        }?;
        let text = self
            .texts
            .entry(file.clone())
            .or_insert_with(|| std::fs::read_to_string(&file).ok())
            .as_ref()?;
        let line = text.lines().nth(loc.line.checked_sub(1)? as usize)?;
        let col = declaration_column(line, loc.column.saturating_sub(1) as usize, ident)?;
        // `var Xe=class n{`: the class's own name `n` maps to an inner name (esbuild's
        // `_EditorView`); the binding `Xe` carries the name the authors use.
        let binding = outer_binding(line, col);
        let loaded = self
            .maps
            .entry(file.clone())
            .or_insert_with(|| load_map(&file));
        let m = loaded.as_ref().ok()?.as_ref()?;
        let name_at = |col: usize| {
            let token = m.map.lookup_token(loc.line - 1, col as u32)?;
            if token.get_dst_line() != loc.line - 1 || token.get_dst_col() != col as u32 {
                return None;
            }
            token.get_name().map(str::to_string)
        };
        binding.and_then(name_at).or_else(|| name_at(col))
    }
}

/// For a class expression bound to a variable (`Xe=class n`), the variable's column.
fn outer_binding(line: &str, col: usize) -> Option<usize> {
    // `col` counts UTF-16 units; minified lines this is used on are ASCII up to here.
    let head = line.get(..col)?.trim_end();
    let head = head.strip_suffix("class")?.trim_end();
    let head = head.strip_suffix('=')?.trim_end();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let start = head
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_ident(c))
        .last()
        .map(|(i, _)| i)?;
    Some(head[..start].encode_utf16().count())
}

/// The column (0-based, in UTF-16 units as source maps count) of the declaration of `ident`
/// nearest before byte `before` on a generated line.
fn declaration_column(line: &str, before: usize, ident: &str) -> Option<usize> {
    let end = before.min(line.len());
    let head = line.get(..end)?;
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut best: Option<usize> = None;
    for (i, _) in head.match_indices(ident) {
        let before_ok = !head[..i].chars().next_back().is_some_and(is_ident);
        let rest = &line[i + ident.len()..];
        let after_ok = !rest.chars().next().is_some_and(is_ident);
        if !before_ok || !after_ok {
            continue;
        }
        let prefix = head[..i].trim_end();
        let declares = rest.trim_start().starts_with("=class")
            || rest.trim_start().starts_with("= class")
            || rest.trim_start().starts_with("=function")
            || prefix.ends_with("class")
            || prefix.ends_with("function");
        if declares {
            best = Some(i);
        }
    }
    best.map(|i| head[..i].encode_utf16().count())
}

#[cfg(test)]
mod declaration_tests {
    use super::declaration_column;

    #[test]
    fn finds_the_nearest_declaration_of_a_minified_name() {
        let line = "var cB=class{constructor(e){this.a=cB}};class L2 extends cB{constructor(){}}";
        let ctor = line.rfind("constructor(").unwrap() + "constructor".len();
        assert_eq!(
            declaration_column(line, ctor, "L2"),
            Some(line.find("L2").unwrap())
        );
        assert_eq!(declaration_column(line, 20, "cB"), Some(4));
        // A use is not a declaration.
        assert_eq!(declaration_column("x=cB.y;", 7, "cB"), None);
    }

    #[test]
    fn a_named_class_expression_is_named_by_its_binding() {
        let line = "var a=1,Xe=class n{constructor(){}}";
        let n = line.find(" n{").unwrap() + 1;
        assert_eq!(
            super::outer_binding(line, n),
            Some(line.find("Xe").unwrap())
        );
        assert_eq!(super::outer_binding("class n{", 6), None);
    }
}

impl SourceMaps {
    /// The original position of `loc`, or why there is none.
    pub fn resolve(&mut self, loc: &SourceLocation) -> Resolved {
        let file = match self.script_path(&loc.script) {
            Ok(f) => f,
            Err(status) => {
                return Resolved {
                    file: None,
                    status,
                    original: None,
                };
            }
        };
        let loaded = self
            .maps
            .entry(file.clone())
            .or_insert_with(|| load_map(&file));
        let (status, original) = match loaded {
            Err(e) => (MapStatus::Broken(e.clone()), None),
            Ok(None) => (MapStatus::NoMap, None),
            Ok(Some(m)) => {
                match lookup(m, loc.line.saturating_sub(1), loc.column.saturating_sub(1)) {
                    Some(o) => (MapStatus::Mapped, Some(o)),
                    None => (MapStatus::NoMapping, None),
                }
            }
        };
        Resolved {
            file: Some(file),
            status,
            original,
        }
    }
}

impl Located {
    /// The file, line and column to show and to open: the original source when the map
    /// leads to a local file, else the script's own file; None when neither is on disk.
    pub fn open_target(&self) -> Option<(PathBuf, u32, u32)> {
        if let Some(o) = &self.original
            && let Some(p) = &o.path
        {
            return Some((p.clone(), o.line, o.column));
        }
        self.file.clone().map(|f| (f, self.line, self.column))
    }

    /// `orders.js:10:17` (the original when a map gives one, else the script's).
    pub fn short(&self) -> String {
        use crate::analysis::locations::short_script;
        match &self.original {
            Some(o) => format!("{}:{}:{}", short_script(&o.source), o.line, o.column),
            None => format!(
                "{}:{}:{}",
                short_script(&self.script),
                self.line,
                self.column
            ),
        }
    }
}

impl SourceMaps {
    /// `loc` with its local file and original position, as far as they are known.
    pub fn locate(&mut self, loc: &SourceLocation) -> Located {
        let r = self.resolve(loc);
        Located {
            script: loc.script.clone(),
            line: loc.line,
            column: loc.column,
            original: r.original,
            source_map: r.status,
            file: r.file,
        }
    }
}

/// A `file://` URL's path with `%XX` escapes decoded.
fn url_path(rest: &str) -> String {
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(a), Some(b)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((a * 16 + b) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The map `file` names, or `file.map` beside it; Ok(None) when there is neither.
fn load_map(file: &Path) -> Result<Option<LoadedMap>, String> {
    let text = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let dir = file.parent().unwrap_or(Path::new("/")).to_path_buf();
    let reference = sourcemap::locate_sourcemap_reference_slice(&text)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let map_file = match &reference {
        Some(r) => {
            if let Some(map) = r
                .get_embedded_sourcemap()
                .map_err(|e| format!("inline source map of {}: {e}", file.display()))?
            {
                return Ok(Some(LoadedMap { map, dir }));
            }
            let url = r.get_url();
            match url.strip_prefix("file://") {
                Some(rest) => PathBuf::from(url_path(rest)),
                None if url.contains("://") => {
                    return Err(format!("source map {url} is not a local file"));
                }
                None => dir.join(url_path(url)),
            }
        }
        None => {
            let beside = PathBuf::from(format!("{}.map", file.display()));
            if !beside.is_file() {
                return Ok(None);
            }
            beside
        }
    };
    let bytes = std::fs::read(&map_file).map_err(|e| format!("{}: {e}", map_file.display()))?;
    let map =
        sourcemap::decode_slice(&bytes).map_err(|e| format!("{}: {e}", map_file.display()))?;
    let dir = map_file.parent().unwrap_or(Path::new("/")).to_path_buf();
    Ok(Some(LoadedMap { map, dir }))
}

/// The mapping at or before (line, column) (0-based) on the same generated line.
fn lookup(m: &LoadedMap, line: u32, column: u32) -> Option<Original> {
    let token = m.map.lookup_token(line, column)?;
    if token.get_dst_line() != line {
        return None;
    }
    let source = token.get_source()?.to_string();
    let path = source_path(&m.dir, &source);
    Some(Original {
        line: token.get_src_line() + 1,
        column: token.get_src_col() + 1,
        name: token.get_name().map(str::to_string),
        path,
        source,
    })
}

/// The local file of an original source named relative to its map (or absolute).
fn source_path(dir: &Path, source: &str) -> Option<PathBuf> {
    let p = match source.strip_prefix("file://") {
        Some(rest) => PathBuf::from(url_path(rest)),
        None if source.contains("://") => return None,
        None => dir.join(source),
    };
    p.is_file().then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_decode_their_escapes() {
        assert_eq!(url_path("/srv/my%20app/x.js"), "/srv/my app/x.js");
        assert_eq!(url_path("localhost/a%2"), "/a%2");
    }

    #[test]
    fn scripts_off_disk_say_why() {
        let maps = SourceMaps::new();
        assert_eq!(
            maps.script_path("node:internal/timers"),
            Err(MapStatus::NotLocal)
        );
        assert!(matches!(
            maps.script_path("/nonexistent/heapdive/app.js"),
            Err(MapStatus::NoFile(_))
        ));
    }
}
