//! What spans snapshots: the Comparison of the base with the current snapshot, and the
//! growth of every class over all the open snapshots (with the leak report), each computed
//! once per pair or set by a job.

use super::comparison::ComparisonModel;
use super::effects::Effects;
use super::growth::{GrowthData, GrowthModel};
use super::ids::SnapId;
use super::job_output::JobOutput;
use super::jobs::{JobKey, Jobs};
use super::settings::Tab;
use super::snapshots::Snapshots;
use super::work::Work;
use crate::analysis::diff::DiffRow;

#[derive(Default)]
pub struct Series {
    pub comparison: Option<ComparisonModel>,
    pub compare_work: Work<(SnapId, SnapId)>,
    /// The growth data and the snapshots it was computed for.
    pub growth: Option<(Vec<SnapId>, GrowthModel)>,
    pub growth_work: Work<Vec<SnapId>>,
    /// A class to expand once the Comparison is ready (from the growth chart).
    focus_class: Option<String>,
}

impl Series {
    /// Compares the base with the current snapshot, once per pair.
    fn ensure_comparison(&mut self, snaps: &Snapshots, jobs: &mut Jobs) {
        let (Some(b), Some(t)) = (snaps.base, snaps.current) else {
            return;
        };
        let shown = self.comparison.as_ref().map(|c| (c.base, c.target));
        if b == t || shown == Some((b, t)) || self.compare_work.is_for(&(b, t)) {
            return;
        }
        let (Some(bh), Some(th)) = (
            snaps.snap(b).map(|s| s.heap().clone()),
            snaps.snap(t).map(|s| s.heap().clone()),
        ) else {
            return;
        };
        self.comparison = None;
        self.compare_work.start((b, t));
        jobs.spawn(JobKey::Compare, move |_| JobOutput::Compared {
            base: b,
            target: t,
            rows: crate::analysis::diff::compare(&bh, &th),
        });
    }

    pub fn compared(&mut self, base: SnapId, target: SnapId, rows: Vec<DiffRow>) {
        if self.compare_work.end(&(base, target)) {
            let mut m = ComparisonModel::new(base, target, rows);
            if let Some(name) = self.focus_class.take() {
                m.focus_class(&name);
            }
            self.comparison = Some(m);
        }
    }

    /// Shows one class in the Comparison of the first and last snapshots (the growth
    /// chart's link): they become base and current.
    pub fn compare_class(&mut self, name: String, snaps: &mut Snapshots) -> Effects {
        let Some(pair) = snaps.first_and_last() else {
            return Effects::none();
        };
        match &mut self.comparison {
            Some(c) if (c.base, c.target) == pair => c.focus_class(&name),
            _ => self.focus_class = Some(name),
        }
        Effects::none().with_tab(Tab::Comparison)
    }

    /// The growth data for the open snapshots, computed once per set of snapshots.
    fn ensure_growth(&mut self, snaps: &Snapshots, remap: &str, jobs: &mut Jobs) {
        let key: Vec<SnapId> = snaps.iter().map(|s| s.id).collect();
        if self.growth.as_ref().is_some_and(|g| g.0 == key) || self.growth_work.is_for(&key) {
            return;
        }
        self.growth = None;
        self.growth_work.start(key.clone());
        let names: Vec<String> = snaps.iter().map(|s| s.name().to_string()).collect();
        let heaps: Vec<_> = snaps.iter().map(|s| s.heap().clone()).collect();
        let search = super::growth::ScriptSearch {
            near: snaps.iter().last().map(|s| s.loaded.path.clone()),
            remap: remap.to_string(),
        };
        jobs.spawn(JobKey::Growth, move |_| JobOutput::Grown {
            key,
            data: Box::new(GrowthData::compute(names, &heaps, search)),
        });
    }

    pub fn grown(&mut self, key: Vec<SnapId>, data: GrowthData) {
        if self.growth_work.end(&key) {
            self.growth = Some((key, GrowthModel::new(data)));
        }
    }

    /// Starts what `tab` shows, if it is one of these views (`remap`: the Remap setting, for
    /// the leak report's class names).
    pub fn ensure_for(&mut self, tab: Tab, snaps: &Snapshots, remap: &str, jobs: &mut Jobs) {
        match tab {
            Tab::Comparison => self.ensure_comparison(snaps, jobs),
            Tab::Growth => self.ensure_growth(snaps, remap, jobs),
            Tab::Summary
            | Tab::Containment
            | Tab::Dominators
            | Tab::Statistics
            | Tab::Retainers
            | Tab::Scopes
            | Tab::Allocations
            | Tab::Profile
            | Tab::Timeline => {}
        }
    }

    /// The class filter typed in the search box (not an `@id`) on the Comparison.
    pub fn set_class_filter(&mut self, text: &str) {
        if let Some(c) = self.comparison.as_mut().filter(|_| !text.starts_with('@')) {
            c.set_text_filter(text);
        }
    }

    /// A snapshot closed: a comparison that used it goes.
    pub fn forget(&mut self, snap: SnapId) {
        if self
            .comparison
            .as_ref()
            .is_some_and(|c| c.base == snap || c.target == snap)
        {
            self.comparison = None;
        }
    }

    /// Its job for `key` ended without a result: not started again for the same snapshots.
    pub fn failed(&mut self, key: JobKey) {
        match key {
            JobKey::Compare => self.compare_work.stop(),
            JobKey::Growth => self.growth_work.stop(),
            _ => {}
        }
    }

    pub fn comparison_waiting(&self) -> bool {
        self.comparison.is_none() && !self.compare_work.is_ready()
    }

    pub fn growth_waiting(&self) -> bool {
        self.growth.is_none() && !self.growth_work.is_ready()
    }
}
