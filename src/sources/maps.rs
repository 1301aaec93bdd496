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
    maps: HashMap<PathBuf, Result<Option<LoadedMap>, String>>,
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

    /// Where script `script` (a path or a `file://` URL) is on this machine, if anywhere.
    pub fn script_path(&self, script: &str) -> Result<PathBuf, MapStatus> {
        let path = if let Some(rest) = script.strip_prefix("file://") {
            url_path(rest)
        } else if Path::new(script).is_absolute() {
            script.to_string()
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
        } else {
            Err(MapStatus::NoFile(local.display().to_string()))
        }
    }

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
