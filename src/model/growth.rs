//! The Growth view's state for a series of snapshots: per-class series, totals and
//! categories per snapshot, the top classes by growth, and the leak report.

use crate::analysis::Heap;
use crate::analysis::growth::{ClassSeries, GrowingCollection, growing_collections, series_of};
use crate::analysis::leaks::{LeakReport, leak_report};
use crate::analysis::statistics::Statistics;
use std::sync::Arc;

pub struct GrowthData {
    pub names: Vec<String>,
    pub totals: Vec<u64>,
    pub statistics: Vec<Statistics>,
    pub series: Vec<ClassSeries>,
    pub collections: Vec<GrowingCollection>,
    /// With three or more snapshots: rows counted in every snapshot (the leaks first); with
    /// one, the suspects.
    pub leaks: Option<LeakReport>,
}

/// Where the leak report looks for the scripts of a series, for the authors' class names.
pub struct ScriptSearch {
    /// The last snapshot's file: its folder and those above it are searched.
    pub near: Option<std::path::PathBuf>,
    /// The Remap setting (`FROM=TO`, several separated by `;`).
    pub remap: String,
}

impl GrowthData {
    /// Everything the view shows; runs on a worker thread.
    pub fn compute(names: Vec<String>, heaps: &[Arc<Heap>], search: ScriptSearch) -> GrowthData {
        let refs: Vec<&Heap> = heaps.iter().map(|h| &**h).collect();
        let n = refs.len();
        let leaks = (n >= 3 || n == 1).then(|| {
            let mut report = leak_report(&refs);
            let mut maps = super::code::remapped_maps(&search.remap).unwrap_or_default();
            if let Some(p) = &search.near {
                maps.search_near(p);
            }
            crate::sources::class_names::name_report(&mut report, refs[n - 1], &mut maps);
            report
        });
        GrowthData {
            names,
            totals: refs.iter().map(|h| h.total_size).collect(),
            statistics: refs.iter().map(|h| h.statistics.clone()).collect(),
            series: series_of(&refs),
            collections: growing_collections(&refs),
            leaks,
        }
    }
}

pub struct GrowthModel {
    pub data: GrowthData,
    /// Rank and plot by shallow size (true) or by count (false).
    pub by_size: bool,
    pub top: usize,
    pub only_growing: bool,
}

impl GrowthModel {
    pub fn new(data: GrowthData) -> Self {
        GrowthModel {
            data,
            by_size: false,
            top: 10,
            only_growing: false,
        }
    }

    /// The classes to plot: largest growth first, optionally only those growing every time.
    pub fn top_classes(&self) -> Vec<&ClassSeries> {
        top_classes(&self.data, self.by_size, self.top, self.only_growing)
    }
}

/// The `top` classes by growth (count or shallow size), optionally only those growing every time.
pub fn top_classes(
    data: &GrowthData,
    by_size: bool,
    top: usize,
    only_growing: bool,
) -> Vec<&ClassSeries> {
    let mut v: Vec<&ClassSeries> = data
        .series
        .iter()
        .filter(|c| !only_growing || c.grows_every_time(by_size))
        .filter(|c| c.growth(by_size) > 0)
        .collect();
    v.sort_by_key(|c| std::cmp::Reverse(c.growth(by_size)));
    v.truncate(top);
    v
}
