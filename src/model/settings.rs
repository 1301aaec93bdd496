//! What the window remembers between runs (eframe persistence) and the views it can show.

use super::summary::Sort;
use std::path::PathBuf;

/// The views of the central area. Which views exist, and in which order, is the UI's view
/// registry; the model only needs to name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Tab {
    Summary,
    Containment,
    Dominators,
    Statistics,
    /// The selection's retainer graph over the whole area.
    Retainers,
    /// Closure scopes and their variables.
    Scopes,
    Comparison,
    Growth,
    /// Where the live objects were allocated (snapshots with allocation stacks).
    Allocations,
    /// An open sampling heap profile: flame graph and bottom-up table.
    Profile,
    /// Live bytes by when they were allocated (snapshots with `samples`).
    Timeline,
}

impl Tab {
    /// Comparison needs a second snapshot; Growth & leaks shows one snapshot's leak suspects.
    pub fn min_snapshots(self) -> usize {
        match self {
            Tab::Comparison => 2,
            _ => 1,
        }
    }
}

/// The path the retainers tree expands for a new selection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RetainerPath {
    /// The path the details' words and the graph's first path follow.
    #[default]
    Explaining,
    /// DevTools' shortest path to a GC root.
    Shortest,
}

/// What is remembered between runs.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub recent: Vec<PathBuf>,
    pub tab: Tab,
    pub sort: Sort,
    /// How many shortest retaining paths the retainer graph draws.
    pub paths: usize,
    /// "Open in editor": a template such as `code -g {file}:{line}:{column}`; empty for
    /// `$VISUAL`/`$EDITOR` with `+LINE FILE`.
    pub editor: String,
    /// Where scripts named in snapshots are on this machine: `FROM=TO`, several separated by `;`.
    pub source_remap: String,
    pub retainer_path: RetainerPath,
    pub size_style: crate::fmt::SizeStyle,
    /// The attach dialog's inspector address.
    pub attach_at: String,
    /// Where captured snapshots go (None: the default capture folder).
    pub capture_dir: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            recent: Vec::new(),
            tab: Tab::Summary,
            sort: Sort::default(),
            paths: 5,
            editor: String::new(),
            source_remap: String::new(),
            retainer_path: RetainerPath::default(),
            size_style: crate::fmt::SizeStyle::default(),
            attach_at: "127.0.0.1:9229".to_string(),
            capture_dir: None,
        }
    }
}

impl Settings {
    /// Puts `path` first in the recent files (canonical, once, at most 12).
    pub fn remember(&mut self, path: &std::path::Path) {
        let p = crate::paths::canonical(path);
        self.recent.retain(|r| r != &p);
        self.recent.insert(0, p);
        self.recent.truncate(12);
    }
}
