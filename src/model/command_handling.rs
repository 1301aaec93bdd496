//! `AppState::apply`: what each command does. Work that grows with the snapshot is started
//! as a job here; its result arrives through `AppState::finish`.

use super::app_state::AppState;
use super::code;
use super::command::Command;
use super::history::Step;
use super::ids::{ObjRef, SnapId};
use super::job_output::JobOutput;
use super::jobs::{JobKey, Jobs};
use super::object_search::ObjectSearch;
use super::retainer_graph::RetainerGraph;
use super::settings::Tab;
use super::tree::{TreeKind, TreeModel};
use crate::analysis::filters::{self, NodeFilter};
use crate::analysis::{paths, summary as agg};
use std::path::PathBuf;

/// Longest retaining path searched, in hops.
const MAX_PATH_HOPS: usize = 40;

impl AppState {
    /// Applies one command; afterwards starts what the shown view needs.
    pub fn apply(&mut self, cmd: Command, jobs: &mut Jobs) {
        match cmd {
            Command::Open(files) => self.open(files, jobs),
            Command::OpenDialog | Command::Save { .. } | Command::SaveRedactedAs(_) => {
                // Platform dialogs belong to the window (`ui::app`), which handles these.
            }
            Command::CancelLoad => {
                self.queue.clear();
                jobs.request_cancel(JobKey::Load);
            }
            Command::Close(id) => self.close(id, jobs),
            Command::SetCurrent(id) if self.snap(id).is_some() => self.current = Some(id),
            Command::SetBase(id) if self.snap(id).is_some() => self.base = Some(id),
            Command::ShowTab(tab) if self.tab_enabled(tab) => {
                self.tab = tab;
                self.auto_tab = None;
            }
            Command::Select(obj) => self.select(obj, true, jobs),
            Command::Reveal(tab, obj) => self.reveal(tab, obj, true, jobs),
            Command::Back => {
                let to = self.history.back(self.selection_step());
                self.go_to(to, jobs);
            }
            Command::Forward => {
                let to = self.history.forward(self.selection_step());
                self.go_to(to, jobs);
            }
            Command::SetFilter(id, f) => self.set_filter(id, f, jobs),
            Command::SetClassFilter(text) => self.set_class_filter(&text),
            Command::Search(q) => self.search(q.trim(), jobs),
            Command::CloseSearchResults => self.search_results = None,
            Command::CompareClass(name) => self.compare_class(name),
            Command::SetPathCount(k) => {
                self.settings.paths = k.clamp(1, 20);
                if let Some(obj) = self.selection {
                    self.start_paths(obj, jobs);
                }
            }
            Command::Redact { snap, to } => self.redact(snap, to, jobs),
            Command::Cancel(key) => jobs.request_cancel(key),
            Command::OpenInEditor { file, line, column } => {
                self.open_in_editor(&file, line, column)
            }
            Command::OpenCode(loc) => self.open_code(loc, jobs),
            Command::SetEditor(t) => self.settings.editor = t,
            Command::SetSourceRemap(t) => self.set_source_remap(t, jobs),
            Command::Status(s) => self.status = s,
            Command::DismissErrors => self.errors.clear(),
            c @ (Command::ShowAttach(_)
            | Command::ListTargets(_)
            | Command::Attach { .. }
            | Command::Detach
            | Command::TakeSnapshot { .. }
            | Command::SetSchedule(_)
            | Command::SetCaptureFolder(_)
            | Command::CloseCapture) => self.apply_capture(c, jobs),
            Command::AllocationObjects(id, chain) => self.allocation_objects(id, chain, jobs),
            Command::ShowProfile(id) => self.show_profile(id),
            Command::CloseProfile(id) => self.close_profile(id),
            _ => {}
        }
        self.after_change(jobs);
    }

    /// Keeps the view valid and starts the background work it shows.
    pub(super) fn after_change(&mut self, jobs: &mut Jobs) {
        self.fix_tab();
        match self.tab {
            Tab::Comparison => self.ensure_comparison(jobs),
            Tab::Growth => self.ensure_growth(jobs),
            Tab::Scopes => self.ensure_scopes(jobs),
            Tab::Allocations => self.ensure_allocations(jobs),
            Tab::Timeline => self.ensure_timeline(jobs),
            _ => {}
        }
    }

    fn open(&mut self, files: Vec<PathBuf>, jobs: &mut Jobs) {
        let files = self.open_profiles(files, jobs);
        let series = files.len() >= 3;
        let mut fresh = Vec::new();
        for f in files {
            if let Some(id) = self.find_open(&f) {
                // Opening a file again shows it instead of adding a copy.
                self.current = Some(id);
                self.status = format!("{} is already open", super::loader::display_name(&f));
            } else if !fresh.contains(&f)
                && !self.queue.contains(&f)
                && self.loading.as_ref() != Some(&f)
            {
                fresh.push(f);
            }
        }
        if fresh.is_empty() {
            return;
        }
        let will_have =
            self.snaps.len() + self.queue.len() + self.loading.iter().count() + fresh.len();
        self.auto_tab = if series && will_have >= 3 {
            Some(Tab::Growth)
        } else if will_have == 2 {
            Some(Tab::Comparison)
        } else {
            None
        };
        self.queue.extend(fresh);
        self.start_next_load(jobs);
    }

    fn close(&mut self, id: SnapId, jobs: &mut Jobs) {
        let Some(pos) = self.position(id) else {
            return;
        };
        self.snaps.remove(pos);
        jobs.cancel_snapshot(id);
        self.history.forget(id);
        if self.selection.is_some_and(|s| s.snap == id) {
            self.clear_selection();
        }
        if self.current == Some(id) {
            let next = pos.min(self.snaps.len().saturating_sub(1));
            self.current = self.snaps.get(next).map(|s| s.id);
        }
        if self.base == Some(id) || self.base == self.current {
            self.base = self.other_than_current();
        }
        if self
            .comparison
            .as_ref()
            .is_some_and(|c| c.base == id || c.target == id)
        {
            self.comparison = None;
        }
        if self.search_results.as_ref().is_some_and(|r| r.snap == id) {
            self.search_results = None;
        }
    }

    /// A base for the Comparison: the snapshot before the current one, else the first other.
    fn other_than_current(&self) -> Option<SnapId> {
        let cur = self.current.and_then(|c| self.position(c));
        let before = cur.and_then(|p| p.checked_sub(1)).map(|p| self.snaps[p].id);
        before.or_else(|| {
            self.snaps
                .iter()
                .map(|s| s.id)
                .find(|&i| Some(i) != self.current)
        })
    }

    fn clear_selection(&mut self) {
        self.selection = None;
        self.retainers = None;
        self.graph = None;
        self.code_info = None;
    }

    fn selection_step(&self) -> Option<Step> {
        self.selection.map(|obj| Step {
            obj,
            tab: self.selection_tab,
        })
    }

    /// Selects an object: retainers tree now (one node's retainers), the paths graph as a job.
    pub(super) fn select(&mut self, obj: ObjRef, record: bool, jobs: &mut Jobs) {
        if self.selection == Some(obj) {
            return;
        }
        let Some(heap) = self.snap(obj.snap).map(|s| s.heap().clone()) else {
            return;
        };
        if record && let Some(step) = self.selection_step() {
            self.history.push(step);
        }
        self.selection = Some(obj);
        self.selection_tab = self.tab;
        let mut tree = TreeModel::new(heap, TreeKind::Retainers, obj.node);
        tree.expand_shortest_path(20);
        self.retainers = Some(tree);
        self.start_paths(obj, jobs);
    }

    /// The selection's retaining paths (explaining ones once the snapshot's code is known),
    /// their graph with labels, and the object's code.
    pub(super) fn start_paths(&mut self, obj: ObjRef, jobs: &mut Jobs) {
        let Some((heap, code)) = self
            .snap(obj.snap)
            .map(|s| (s.heap().clone(), s.code.clone()))
        else {
            return;
        };
        self.graph = None;
        self.code_info = None;
        let (k, maps) = (self.settings.paths.max(1), self.maps.clone());
        jobs.spawn(JobKey::Paths, move |_| {
            let c = code.as_deref();
            let found = code::retaining_paths(&heap, c, obj.node, k);
            let graph = RetainerGraph::build(&found, obj.node).labelled(
                |o| code::node_text(&heap, c, o),
                |e| code::edge_text(&heap, c, e),
            );
            let info =
                c.map(|c| Box::new(code::code_info(&heap, c, &maps, obj.node, found.first())));
            JobOutput::Paths {
                obj,
                graph,
                code: info,
            }
        });
    }

    /// Locations and the path explainer of a snapshot just loaded.
    pub(super) fn start_code(&mut self, snap: SnapId, jobs: &mut Jobs) {
        let Some(heap) = self.snap(snap).map(|s| s.heap().clone()) else {
            return;
        };
        // Scripts not at their recorded path are looked for near the snapshot's file.
        if let (Some(path), Ok(mut maps)) = (
            self.snap(snap).map(|s| s.loaded.path.clone()),
            self.maps.lock(),
        ) {
            maps.search_near(&path);
        }
        jobs.spawn(JobKey::Code(snap), move |_| JobOutput::Code {
            snap,
            code: std::sync::Arc::new(code::SnapCode::build(&heap)),
        });
    }

    /// The current snapshot's scopes, once its code is known.
    fn ensure_scopes(&mut self, jobs: &mut Jobs) {
        let Some(s) = self.current_snap() else { return };
        let (snap, heap) = (s.id, s.heap().clone());
        let Some(code) = s.code.clone() else { return };
        if s.scopes.is_some() || jobs.is_running(JobKey::Scopes(snap)) {
            return;
        }
        jobs.spawn(JobKey::Scopes(snap), move |_| JobOutput::Scopes {
            snap,
            scopes: std::sync::Arc::new(crate::analysis::scopes::scopes(&heap, &code.locs)),
        });
    }

    /// New script folder remappings: source maps are read afresh and the selection's code
    /// looked up again.
    fn set_source_remap(&mut self, text: String, jobs: &mut Jobs) {
        match code::maps_with_remap(&text) {
            Ok(maps) => {
                if let Ok(mut m) = maps.lock() {
                    for s in &self.snaps {
                        m.search_near(&s.loaded.path);
                    }
                }
                self.maps = maps;
                self.settings.source_remap = text;
                if let Some(obj) = self.selection {
                    self.start_paths(obj, jobs);
                }
            }
            Err(e) => self.errors.push(e),
        }
    }

    /// Opens a script position in the editor; the job finds its file (and original source).
    fn open_code(&mut self, loc: crate::analysis::locations::SourceLocation, jobs: &mut Jobs) {
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

    /// Starts the user's editor at a line (spawned, not waited for).
    pub(super) fn open_in_editor(&mut self, file: &std::path::Path, line: u32, column: u32) {
        let template = Some(self.settings.editor.as_str());
        let argv = crate::sources::editor_command(template, file, line, column, &|k| {
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
            Ok(s) => self.status = s,
            Err(e) => self.errors.push(e),
        }
    }

    /// Back or Forward: the step's snapshot, view and object, without a new history step.
    fn go_to(&mut self, step: Option<Step>, jobs: &mut Jobs) {
        let Some(step) = step else { return };
        self.reveal(step.tab, step.obj, false, jobs);
    }

    /// Shows `obj` in `tab` (on its snapshot), selected and scrolled to.
    fn reveal(&mut self, tab: Tab, obj: ObjRef, record: bool, jobs: &mut Jobs) {
        if self.snap(obj.snap).is_none() {
            return;
        }
        self.current = Some(obj.snap);
        if self.tab_enabled(tab) {
            self.tab = tab;
        }
        self.select(obj, record, jobs);
        self.selection_tab = self.tab;
        self.scroll_to(self.tab, obj, jobs);
    }

    /// Expands the view's rows down to `obj` and asks the view to scroll there.
    fn scroll_to(&mut self, tab: Tab, obj: ObjRef, jobs: &mut Jobs) {
        let Some(s) = self.snap_mut(obj.snap) else {
            return;
        };
        let heap = s.heap().clone();
        match tab {
            Tab::Summary => s.summary.focus = s.summary.reveal(obj.node),
            Tab::Dominators => {
                let chain = dominator_chain(&heap, obj.node);
                let t = s.dominators();
                t.focus = t.reveal_path(&chain);
            }
            Tab::Containment => {
                // The shortest retaining path needs a search over the graph: a job.
                jobs.spawn(JobKey::Reveal, move |_| {
                    let found = paths::shortest_paths(&heap, obj.node, 1, MAX_PATH_HOPS);
                    let mut chain = vec![heap.snap.root];
                    if let Some(p) = found.first() {
                        chain.extend(p.hops.iter().map(|h| h.from));
                        chain.push(obj.node);
                    }
                    JobOutput::RootPath { obj, chain }
                });
            }
            _ => {}
        }
    }

    fn redact(&mut self, snap: SnapId, to: PathBuf, jobs: &mut Jobs) {
        let Some(from) = self.snap(snap).map(|s| s.loaded.path.clone()) else {
            return;
        };
        self.status = format!("Writing a redacted copy to {}…", to.display());
        jobs.spawn(JobKey::Redact, move |p| {
            super::redaction::redact_job(&from, &to, p)
        });
    }

    fn set_filter(&mut self, id: SnapId, f: NodeFilter, jobs: &mut Jobs) {
        let Some(s) = self.snap_mut(id) else { return };
        if s.pending_filter == Some(f) || (s.pending_filter.is_none() && s.summary.filter == f) {
            return;
        }
        s.pending_filter = Some(f);
        let heap = s.heap().clone();
        jobs.spawn(JobKey::Filter(id), move |_| {
            let set = filters::filter_set(&heap, f);
            JobOutput::Filtered {
                snap: id,
                filter: f,
                classes: agg::aggregates(&heap, set.as_ref()),
            }
        });
    }

    fn set_class_filter(&mut self, text: &str) {
        if text.starts_with('@') {
            return;
        }
        if let Some(s) = self.current_snap_mut() {
            s.summary.set_text_filter(text);
        }
        if let Some(c) = &mut self.comparison {
            c.set_text_filter(text);
        }
    }

    /// `@id` selects that object in the Summary; other text lists objects named like it.
    fn search(&mut self, q: &str, jobs: &mut Jobs) {
        let Some(s) = self.current_snap() else { return };
        let (snap, heap, name) = (s.id, s.heap().clone(), s.name().to_string());
        if let Some(id) = q.strip_prefix('@') {
            match id
                .parse::<u64>()
                .ok()
                .and_then(|id| heap.snap.ordinal_of_id(id))
            {
                Some(o) => self.reveal(Tab::Summary, ObjRef::new(snap, o), true, jobs),
                None => self.errors.push(format!("No object with id {q} in {name}")),
            }
            return;
        }
        self.set_class_filter(q);
        if q.is_empty() {
            return;
        }
        let query = q.to_string();
        jobs.spawn(JobKey::Search, move |_| {
            JobOutput::Found(ObjectSearch::run(&heap, snap, query))
        });
    }

    fn compare_class(&mut self, name: String) {
        let (Some(first), Some(last)) = (self.snaps.first(), self.snaps.last()) else {
            return;
        };
        if first.id == last.id {
            return;
        }
        self.base = Some(first.id);
        self.current = Some(last.id);
        self.tab = Tab::Comparison;
        self.auto_tab = None;
        if let Some(c) = &mut self.comparison
            && (c.base, c.target) == (first.id, last.id)
        {
            c.focus_class(&name);
        } else {
            self.focus_class = Some(name);
        }
    }

    fn ensure_comparison(&mut self, jobs: &mut Jobs) {
        let (Some(b), Some(t)) = (self.base, self.current) else {
            return;
        };
        let same = |pair: (SnapId, SnapId)| pair == (b, t);
        if b == t
            || self
                .comparison
                .as_ref()
                .is_some_and(|c| same((c.base, c.target)))
            || self.pending_compare.is_some_and(same)
        {
            return;
        }
        let (Some(bh), Some(th)) = (
            self.snap(b).map(|s| s.heap().clone()),
            self.snap(t).map(|s| s.heap().clone()),
        ) else {
            return;
        };
        self.comparison = None;
        self.pending_compare = Some((b, t));
        jobs.spawn(JobKey::Compare, move |_| JobOutput::Compared {
            base: b,
            target: t,
            rows: crate::analysis::diff::compare(&bh, &th),
        });
    }

    /// The growth data for the open snapshots, computed once per set of snapshots.
    fn ensure_growth(&mut self, jobs: &mut Jobs) {
        let key: Vec<SnapId> = self.snaps.iter().map(|s| s.id).collect();
        if self.growth.as_ref().is_some_and(|g| g.0 == key)
            || self.pending_growth.as_ref() == Some(&key)
        {
            return;
        }
        self.growth = None;
        self.pending_growth = Some(key.clone());
        let names: Vec<String> = self.snaps.iter().map(|s| s.name().to_string()).collect();
        let heaps: Vec<_> = self.snaps.iter().map(|s| s.heap().clone()).collect();
        let search = super::growth::ScriptSearch {
            near: self.snaps.last().map(|s| s.loaded.path.clone()),
            remap: self.settings.source_remap.clone(),
        };
        jobs.spawn(JobKey::Growth, move |_| JobOutput::Grown {
            key,
            data: Box::new(super::growth::GrowthData::compute(names, &heaps, search)),
        });
    }
}

/// The dominator tree's path from the root down to `node`.
fn dominator_chain(heap: &crate::analysis::Heap, node: u32) -> Vec<u32> {
    let mut chain = vec![node];
    let mut cur = node;
    while cur != heap.snap.root && chain.len() < 100_000 {
        cur = heap.idom[cur as usize];
        chain.push(cur);
    }
    chain.reverse();
    chain
}

/// Why a script position has no file to open, in words.
fn no_file_reason(
    loc: &crate::analysis::locations::SourceLocation,
    status: &crate::sources::MapStatus,
) -> String {
    let at = format!("{}:{}:{}", loc.script, loc.line, loc.column);
    match status {
        crate::sources::MapStatus::NoFile(p) if *p == loc.script => format!(
            "Cannot open {at}: that file is not on this machine (give its folder under Remap, \
             FROM=TO)"
        ),
        crate::sources::MapStatus::NoFile(p) => {
            format!("Cannot open {at}: {p} does not exist (check the Remap)")
        }
        _ => format!("Cannot open {at}: it is not a file (a built-in or remote script)"),
    }
}
