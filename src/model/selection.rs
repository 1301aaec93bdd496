//! The selected object and what is shown about it: its retainers (expanded along the path
//! the words and the graph explain, or DevTools' shortest), its retaining paths graph and
//! code (a job), the navigation history, and the source maps used to find its code.

use super::code::{self, CodeInfo, SharedMaps};
use super::effects::Effects;
use super::history::{History, Step};
use super::ids::{ObjRef, SnapId};
use super::job_output::{JobOutput, PathsFound};
use super::jobs::{JobKey, Jobs};
use super::retainer_graph::RetainerGraph;
use super::settings::{RetainerPath, Settings, Tab};
use super::snapshots::{Snap, Snapshots};
use super::tree::{TreeKind, TreeModel};
use super::work::Work;
use crate::analysis::locations::SourceLocation;
use crate::analysis::paths::RetainingPath;
use crate::sources::MapStatus;

pub struct Selection {
    pub obj: Option<ObjRef>,
    /// The view the selection was made in (restored by Back and Forward).
    pub tab: Tab,
    pub history: History,
    /// The selection's retainers, expanded along `path_mode`'s path.
    pub retainers: Option<TreeModel>,
    pub path_mode: RetainerPath,
    /// The path the words and the graph's first path follow (from the paths job).
    pub path: Option<(ObjRef, RetainingPath)>,
    pub graph: Option<(ObjRef, RetainerGraph)>,
    pub paths_work: Work<ObjRef>,
    /// The selection's code: location, reason, lines around it.
    pub code_info: Option<(ObjRef, CodeInfo)>,
    /// Source maps, decoded once per script, shared with jobs.
    pub maps: SharedMaps,
}

impl Selection {
    pub fn new(tab: Tab, settings: &Settings) -> Self {
        Selection {
            obj: None,
            tab,
            history: History::default(),
            retainers: None,
            path_mode: settings.retainer_path,
            path: None,
            graph: None,
            paths_work: Work::Idle,
            code_info: None,
            maps: code::maps_with_remap(&settings.source_remap).unwrap_or_default(),
        }
    }

    pub fn step(&self) -> Option<Step> {
        self.obj.map(|obj| Step { obj, tab: self.tab })
    }

    pub fn clear(&mut self) {
        self.obj = None;
        self.retainers = None;
        self.path = None;
        self.graph = None;
        self.paths_work = Work::Idle;
        self.code_info = None;
    }

    /// A snapshot closed: its steps leave the history, and the selection if it was there.
    pub fn forget(&mut self, snap: SnapId) {
        self.history.forget(snap);
        if self.obj.is_some_and(|o| o.snap == snap) {
            self.clear();
        }
    }

    /// Selects an object of `s` seen in `tab`: its retainers now (one node's), its paths
    /// (`k` of them) as a job. `record` makes the step left a history step (not for
    /// Back/Forward).
    pub fn select(
        &mut self,
        s: &Snap,
        obj: ObjRef,
        tab: Tab,
        k: usize,
        record: bool,
        jobs: &mut Jobs,
    ) {
        if self.obj == Some(obj) {
            return;
        }
        if record && let Some(step) = self.step() {
            self.history.push(step);
        }
        self.obj = Some(obj);
        self.tab = tab;
        self.path = None;
        self.retainers = Some(self.retainers_tree(s, obj));
        self.start_paths(s, k, jobs);
    }

    /// The retainers tree of `obj`, expanded along the path of `path_mode` (the explaining
    /// one once the paths job has found it; until then only the object's own retainers).
    fn retainers_tree(&self, s: &Snap, obj: ObjRef) -> TreeModel {
        let mut tree = TreeModel::new(s.heap().clone(), TreeKind::Retainers, obj.node);
        match (self.path_mode, &self.path) {
            (RetainerPath::Shortest, _) => tree.expand_shortest_path(20),
            (RetainerPath::Explaining, Some((o, p))) if *o == obj => {
                tree.reveal_retaining_path(p);
            }
            (RetainerPath::Explaining, _) => {}
        }
        tree
    }

    /// The retainers tree expands the explaining path or DevTools' shortest (remembered).
    pub fn set_path_mode(
        &mut self,
        mode: RetainerPath,
        settings: &mut Settings,
        snaps: &Snapshots,
    ) {
        settings.retainer_path = mode;
        self.path_mode = mode;
        if let Some(obj) = self.obj
            && let Some(s) = snaps.snap(obj.snap)
        {
            self.retainers = Some(self.retainers_tree(s, obj));
        }
    }

    /// The selection's `k` retaining paths (explaining ones once the snapshot's code is
    /// known), their graph with labels, and the object's code.
    pub fn start_paths(&mut self, s: &Snap, k: usize, jobs: &mut Jobs) {
        let Some(obj) = self.obj.filter(|o| o.snap == s.id) else {
            return;
        };
        let (heap, code) = (s.heap().clone(), s.code.clone());
        self.graph = None;
        self.code_info = None;
        self.paths_work.start(obj);
        let (k, maps) = (k.max(1), self.maps.clone());
        jobs.spawn(JobKey::Paths, move |_| {
            let c = code.as_deref();
            let found = code::retaining_paths(&heap, c, obj.node, k);
            let graph = RetainerGraph::build(&found, obj.node).labelled(
                |o| code::node_text(&heap, c, o),
                |e| code::edge_text(&heap, c, e),
            );
            let code = c.map(|c| code::code_info(&heap, c, &maps, obj.node, found.first()));
            let path = found.into_iter().next();
            JobOutput::Paths {
                obj,
                found: Box::new(PathsFound { graph, code, path }),
            }
        });
    }

    /// The paths job's result: the graph and code are shown, and the retainers tree (when
    /// it follows the explaining path) expands along the first path.
    pub fn paths_found(&mut self, obj: ObjRef, found: PathsFound) {
        if self.obj != Some(obj) || !self.paths_work.end(&obj) {
            return;
        }
        self.graph = Some((obj, found.graph));
        self.code_info = found.code.map(|c| (obj, c));
        self.path = found.path.map(|p| (obj, p));
        if let (RetainerPath::Explaining, Some((_, p)), Some(t)) =
            (self.path_mode, &self.path, &mut self.retainers)
        {
            t.reveal_retaining_path(p);
        }
    }

    /// Looks the selection's paths and code up again (a new count or maps, or its
    /// snapshot's code now known).
    pub fn restart_paths(&mut self, snaps: &Snapshots, k: usize, jobs: &mut Jobs) {
        if let Some(s) = self.obj.and_then(|o| snaps.snap(o.snap)) {
            self.start_paths(s, k, jobs);
        }
    }

    /// Snapshot `code` (when it is some) now knows its code: the selection's paths there
    /// can explain and show it.
    pub fn code_known(
        &mut self,
        code: Option<SnapId>,
        snaps: &Snapshots,
        k: usize,
        jobs: &mut Jobs,
    ) {
        if code.is_some() && self.obj.map(|o| o.snap) == code {
            self.restart_paths(snaps, k, jobs);
        }
    }

    /// The paths job ended without a result: no spinner waits for it.
    pub fn failed(&mut self, key: JobKey) {
        if key == JobKey::Paths {
            self.paths_work.stop();
        }
    }

    /// How many retaining paths the graph draws (1 to 20); they are looked for again.
    pub fn set_path_count(
        &mut self,
        k: usize,
        settings: &mut Settings,
        snaps: &Snapshots,
        jobs: &mut Jobs,
    ) {
        settings.paths = k.clamp(1, 20);
        self.restart_paths(snaps, settings.paths, jobs);
    }

    /// New script folder remappings: source maps are read afresh and the selection's code
    /// looked up again.
    pub fn set_source_remap(
        &mut self,
        text: String,
        settings: &mut Settings,
        snaps: &Snapshots,
        jobs: &mut Jobs,
    ) -> Effects {
        match code::maps_with_remap(&text) {
            Ok(maps) => {
                self.maps = maps;
                self.search_near(snaps.iter().map(|s| s.loaded.path.as_path()));
                settings.source_remap = text;
                self.restart_paths(snaps, settings.paths, jobs);
                Effects::none()
            }
            Err(e) => Effects::error(e),
        }
    }

    /// Scripts not at their recorded path are looked for near these snapshot files.
    pub fn search_near<'a>(&self, files: impl Iterator<Item = &'a std::path::Path>) {
        if let Ok(mut m) = self.maps.lock() {
            files.for_each(|f| m.search_near(f));
        }
    }

    /// Opens a script position in the editor; the job finds its file (and original source).
    pub fn open_code(&self, loc: SourceLocation, jobs: &mut Jobs) {
        let maps = self.maps.clone();
        jobs.spawn(JobKey::Editor, move |_| {
            let located = match maps.lock() {
                Ok(mut m) => m.locate(&loc),
                Err(_) => return JobOutput::Failed("the source maps are unavailable".into()),
            };
            JobOutput::EditorTarget(
                located
                    .open_target()
                    .ok_or_else(|| no_file_reason(&loc, &located.source_map)),
            )
        });
    }
}

/// Starts the user's editor (the settings' template, else $VISUAL/$EDITOR) at a line, not
/// waited for.
pub fn start_editor(
    settings: &Settings,
    file: &std::path::Path,
    line: u32,
    column: u32,
) -> Effects {
    let template = settings.editor.as_str();
    let argv = crate::sources::editor_command(Some(template), file, line, column, &|k| {
        std::env::var(k).ok()
    });
    let started = argv.and_then(|argv| {
        std::process::Command::new(&argv[0])
            .args(&argv[1..])
            .spawn()
            .map(|_| format!("Opened {}:{line} with {}", file.display(), argv[0]))
            .map_err(|e| format!("Cannot run the editor `{}`: {e}", argv[0]))
    });
    match started {
        Ok(s) => Effects::status(s),
        Err(e) => Effects::error(e),
    }
}

/// Why a script position has no file to open, in words.
fn no_file_reason(loc: &SourceLocation, status: &MapStatus) -> String {
    let at = format!("{}:{}:{}", loc.script, loc.line, loc.column);
    match status {
        MapStatus::NoFile(p) if *p == loc.script => format!(
            "Cannot open {at}: that file is not on this machine (give its folder under Remap, \
             FROM=TO)"
        ),
        MapStatus::NoFile(p) => {
            format!("Cannot open {at}: {p} does not exist (check the Remap)")
        }
        _ => format!("Cannot open {at}: it is not a file (a built-in or remote script)"),
    }
}
