//! The background work of one snapshot, and its results entering it: the Summary under an
//! object filter, its code, scopes, Allocations numbers and objects, and timeline; each
//! tracked by a `Work` so that a failed job leaves no spinner and is not restarted.

use super::allocations::{AllocObjects, AllocationModel};
use super::code::{ClassToName, SnapCode};
use super::effects::Effects;
use super::ids::ObjRef;
use super::job_output::{JobOutput, SnapOutput};
use super::jobs::{JobKey, Jobs, SnapJob};
use super::object_search::ObjectSearch;
use super::settings::Tab;
use super::snapshots::Snap;
use super::summary::SummaryModel;
use crate::analysis::allocations::AllocationProfile;
use crate::analysis::filters::{self, NodeFilter};
use crate::analysis::scopes::Scope;
use crate::analysis::summary::ClassAggregate;
use crate::analysis::timeline::Timeline;
use crate::analysis::{Heap, paths};
use std::path::PathBuf;
use std::sync::Arc;

/// Longest retaining path searched, in hops.
const MAX_PATH_HOPS: usize = 40;

impl Snap {
    /// A result of one of its jobs enters it, unless it was asked for something else since.
    pub fn finish(&mut self, out: SnapOutput) -> Effects {
        match out {
            SnapOutput::Filtered { filter, classes } => self.filtered(filter, classes),
            SnapOutput::Code(code) => self.code_ready(code),
            SnapOutput::Scopes(scopes) => self.scopes_ready(scopes),
            SnapOutput::AllocationProfile(p) => return self.allocations_ready(p),
            SnapOutput::AllocationObjects { chain, objects } => {
                self.allocation_objects_ready(chain, objects)
            }
            SnapOutput::Timeline(t) => return self.timeline_ready(t),
            SnapOutput::NativeContexts(c) => {
                self.native_contexts_work.stop();
                self.native_contexts = Some(c);
            }
        }
        Effects::none()
    }

    /// Starts what `tab` shows of this snapshot, if it is one of these views.
    pub fn ensure_for(&mut self, tab: Tab, jobs: &mut Jobs) {
        match tab {
            Tab::Scopes => self.ensure_scopes(jobs),
            Tab::Allocations => self.ensure_allocations(jobs),
            Tab::Timeline => self.ensure_timeline(jobs),
            // The Summary's filter menu asks when it is opened (`Command::NativeContexts`):
            // the attribution is not worth a core after every load.
            Tab::Statistics => self.ensure_native_contexts(jobs),
            Tab::Summary
            | Tab::Containment
            | Tab::Dominators
            | Tab::Retainers
            | Tab::Comparison
            | Tab::Growth
            | Tab::Profile => {}
        }
    }

    /// The Summary under another object filter (computed in the background).
    pub fn set_filter(&mut self, f: NodeFilter, jobs: &mut Jobs) {
        let running = self.filter_work.running().copied();
        if running == Some(f) || (running.is_none() && self.summary.filter == f) {
            return;
        }
        self.filter_work.start(f);
        let (id, heap) = (self.id, self.heap().clone());
        jobs.spawn(JobKey::Filter(id), move |_| {
            let set = filters::filter_set(&heap, f);
            let classes = crate::analysis::summary::aggregates(&heap, set.as_ref());
            JobOutput::Snap(id, SnapOutput::Filtered { filter: f, classes })
        });
    }

    /// The native contexts for the Summary's filter menu and the Statistics picker, once:
    /// a pass over the edges with one `u32` per node while it runs; what it keeps is small.
    pub fn ensure_native_contexts(&mut self, jobs: &mut Jobs) {
        if self.native_contexts.is_some() || self.native_contexts_work.is_for(&()) {
            return;
        }
        self.native_contexts_work.start(());
        let (id, heap) = (self.id, self.heap().clone());
        jobs.spawn(JobKey::NativeContexts(id), move |_| {
            let all = crate::analysis::native_contexts::NativeContexts::compute(&heap);
            JobOutput::Snap(id, SnapOutput::NativeContexts(Arc::new(all)))
        });
    }

    fn filtered(&mut self, filter: NodeFilter, classes: Vec<ClassAggregate>) {
        if !self.filter_work.end(&filter) {
            return;
        }
        let mut m = SummaryModel::new(self.heap().clone(), filter, classes, self.summary.sort);
        m.set_text_filter(&self.summary.text_filter);
        m.waker = self.summary.waker.take();
        m.original_names = self.summary.original_names.clone();
        self.summary = m;
    }

    /// Locations and the path explainer of a snapshot just loaded.
    /// `remap`: the Remap setting, for finding the classes' scripts and maps.
    pub fn start_code(&mut self, remap: &str, jobs: &mut Jobs) {
        self.code_work.start(());
        let (snap, heap) = (self.id, self.heap().clone());
        let classes: Vec<ClassToName> = self
            .summary
            .classes
            .iter()
            .filter_map(|c| {
                Some(ClassToName {
                    key: c.key.clone(),
                    name: c.name.clone(),
                    object: *c.members.first()?,
                })
            })
            .collect();
        let mut maps = super::code::remapped_maps(remap).unwrap_or_default();
        maps.search_near(&self.loaded.path);
        jobs.spawn(JobKey::Code(snap), move |_| {
            let code = SnapCode::build(&heap, &classes, &mut maps);
            JobOutput::Snap(snap, SnapOutput::Code(Arc::new(code)))
        });
    }

    fn code_ready(&mut self, code: Arc<SnapCode>) {
        self.code_work.stop();
        self.summary.original_names = code.class_names.clone();
        self.code = Some(code);
    }

    /// The closure scopes, once the code is known.
    fn ensure_scopes(&mut self, jobs: &mut Jobs) {
        let Some(code) = self.code.clone() else {
            return;
        };
        if self.scopes.is_some() || self.scopes_work.is_for(&()) {
            return;
        }
        self.scopes_work.start(());
        let (snap, heap) = (self.id, self.heap().clone());
        jobs.spawn(JobKey::Scopes(snap), move |_| {
            let scopes = crate::analysis::scopes::scopes(&heap, &code.locs);
            JobOutput::Snap(snap, SnapOutput::Scopes(Arc::new(scopes)))
        });
    }

    fn scopes_ready(&mut self, scopes: Arc<Vec<Scope>>) {
        self.scopes_work.stop();
        self.scopes = Some(scopes);
    }

    /// The Allocations view's numbers, once.
    fn ensure_allocations(&mut self, jobs: &mut Jobs) {
        if self.allocations.is_some() || self.allocations_work.is_for(&()) {
            return;
        }
        self.allocations_work.start(());
        let (id, heap) = (self.id, self.heap().clone());
        jobs.spawn(JobKey::Allocations(id), move |_| {
            let profile = AllocationProfile::new(&heap.snap, &heap.shallow).map(Arc::new);
            JobOutput::Snap(id, SnapOutput::AllocationProfile(profile))
        });
    }

    fn allocations_ready(&mut self, profile: Option<Arc<AllocationProfile>>) -> Effects {
        self.allocations_work.stop();
        match profile {
            Some(p) => {
                self.allocations = Some(AllocationModel::new(self.id, self.heap().clone(), p));
                Effects::none()
            }
            None => Effects::error(format!("{} has no allocation stacks to show", self.name())),
        }
    }

    /// Lists the live objects of an Allocations row (a job: a pass over every node).
    pub fn allocation_objects(&mut self, chain: Vec<u32>, jobs: &mut Jobs) {
        let id = self.id;
        let Some(m) = self.allocations.as_mut() else {
            return;
        };
        if m.objects.as_ref().is_some_and(|o| o.chain == chain) {
            return;
        }
        m.objects = Some(AllocObjects {
            chain: chain.clone(),
            objects: None,
        });
        let (heap, profile) = (m.heap.clone(), m.profile.clone());
        jobs.spawn(JobKey::AllocationObjects(id), move |_| {
            let objects = match heap.snap.allocation_trace.as_ref() {
                Some(t) => profile.objects(&profile.trace_nodes(t, &chain)),
                None => Vec::new(),
            };
            JobOutput::Snap(id, SnapOutput::AllocationObjects { chain, objects })
        });
    }

    fn allocation_objects_ready(&mut self, chain: Vec<u32>, objects: Vec<u32>) {
        let asked = self.allocations.as_mut().and_then(|m| m.objects.as_mut());
        if let Some(o) = asked.filter(|o| o.chain == chain) {
            o.objects = Some(objects);
        }
    }

    /// The allocation timeline, once.
    fn ensure_timeline(&mut self, jobs: &mut Jobs) {
        if self.timeline.is_some() || self.timeline_work.is_for(&()) {
            return;
        }
        self.timeline_work.start(());
        let (id, heap) = (self.id, self.heap().clone());
        jobs.spawn(JobKey::Timeline(id), move |_| {
            let timeline = Timeline::new(&heap.snap, &heap.shallow);
            JobOutput::Snap(id, SnapOutput::Timeline(timeline))
        });
    }

    fn timeline_ready(&mut self, timeline: Option<Timeline>) -> Effects {
        self.timeline_work.stop();
        match timeline {
            Some(t) => {
                self.timeline = Some(Arc::new(t));
                Effects::none()
            }
            None => Effects::error(format!(
                "{} has no allocation timeline samples",
                self.name()
            )),
        }
    }

    /// A job of this snapshot ended without its result: its work stops (no spinner stays).
    pub fn failed(&mut self, job: SnapJob) {
        match job {
            SnapJob::Filter => self.filter_work.stop(),
            SnapJob::Code => self.code_work.stop(),
            SnapJob::Scopes => self.scopes_work.stop(),
            SnapJob::Allocations => self.allocations_work.stop(),
            SnapJob::AllocationObjects => {
                if let Some(m) = &mut self.allocations {
                    m.objects = None;
                }
            }
            SnapJob::Timeline => self.timeline_work.stop(),
            SnapJob::NativeContexts => self.native_contexts_work.stop(),
        }
    }

    /// Whether a view of this snapshot waits for `key`'s result (shows a spinner).
    pub fn waiting_for(&self, job: SnapJob) -> bool {
        match job {
            SnapJob::Filter => self.filter_work.is_running(),
            SnapJob::Code => self.code.is_none() && !self.code_work.is_ready(),
            SnapJob::Scopes => {
                let no_code = self.code.is_none() && self.code_work.is_ready();
                self.scopes.is_none() && !self.scopes_work.is_ready() && !no_code
            }
            SnapJob::Allocations => self.allocations.is_none() && !self.allocations_work.is_ready(),
            SnapJob::AllocationObjects => {
                let asked = self.allocations.as_ref().and_then(|m| m.objects.as_ref());
                asked.is_some_and(|o| o.objects.is_none())
            }
            SnapJob::Timeline => self.timeline.is_none() && !self.timeline_work.is_ready(),
            // Asked for when needed (the filter menu, Statistics): not waiting before.
            SnapJob::NativeContexts => {
                self.native_contexts.is_none() && self.native_contexts_work.is_running()
            }
        }
    }

    /// Expands `tab`'s rows down to `obj` and asks the view to scroll there.
    pub fn scroll_to(&mut self, tab: Tab, obj: ObjRef, jobs: &mut Jobs) {
        let heap = self.heap().clone();
        match tab {
            Tab::Summary => self.summary.focus = self.summary.reveal(obj.node),
            Tab::Dominators => {
                let chain = dominator_chain(&heap, obj.node);
                let t = self.dominators();
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
            Tab::Statistics
            | Tab::Retainers
            | Tab::Scopes
            | Tab::Comparison
            | Tab::Growth
            | Tab::Allocations
            | Tab::Profile
            | Tab::Timeline => {}
        }
    }

    /// The Containment tree opened along the root path found for `obj`.
    pub fn revealed_in_containment(&mut self, chain: &[u32]) {
        let t = self.containment();
        t.focus = t.reveal_path(chain);
    }

    /// Enter in the search box: `@id` is that object (or why there is none); other text
    /// starts listing the objects named like it (a job).
    pub fn search(&self, q: &str, jobs: &mut Jobs) -> Result<Option<ObjRef>, String> {
        let (snap, heap) = (self.id, self.heap().clone());
        if let Some(id) = q.strip_prefix('@') {
            let found = id
                .parse::<u64>()
                .ok()
                .and_then(|id| heap.snap.ordinal_of_id(id));
            return match found {
                Some(o) => Ok(Some(ObjRef::new(snap, o))),
                None => Err(format!("No object with id {q} in {}", self.name())),
            };
        }
        if !q.is_empty() {
            let query = q.to_string();
            jobs.spawn(JobKey::Search, move |_| {
                JobOutput::Found(ObjectSearch::run(&heap, snap, query))
            });
        }
        Ok(None)
    }

    /// Writes a redacted copy of the snapshot's file to `to`, as a job.
    pub fn redact(&self, to: PathBuf, jobs: &mut Jobs) -> Effects {
        let from = self.loaded.path.clone();
        let status = format!("Writing a redacted copy to {}…", to.display());
        jobs.spawn(JobKey::Redact, move |p| {
            super::redaction::redact_job(&from, &to, p)
        });
        Effects::status(status)
    }
}

/// The dominator tree's path from the root down to `node`.
fn dominator_chain(heap: &Heap, node: u32) -> Vec<u32> {
    let mut chain = vec![node];
    let mut cur = node;
    while cur != heap.snap.root && chain.len() < 100_000 {
        cur = heap.idom[cur as usize];
        chain.push(cur);
    }
    chain.reverse();
    chain
}
