//! From an object to its code: per snapshot, the locations and the path explainer (built by
//! a job after the load); for the selection, its location (through source maps), why it is
//! held in words, and the lines of code around it (built by the selection's paths job).

use crate::analysis::explain::{self, Explainer};
use crate::analysis::locations::Locations;
use crate::analysis::paths::{self, RetainingPath};
use crate::analysis::{Heap, steps};
use crate::sources::{Excerpt, Located, SourceMaps};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What one snapshot knows about code: built once, shared with jobs.
pub struct SnapCode {
    pub locs: Locations,
    pub explainer: Explainer,
    /// The Summary's classes (by class key) that a source map names otherwise than the
    /// snapshot: `L2` -> `StandaloneEditor`.
    pub class_names: Arc<HashMap<String, String>>,
}

/// A Summary class to name: its key, its name and one of its objects.
pub struct ClassToName {
    pub key: String,
    pub name: String,
    pub object: u32,
}

impl SnapCode {
    /// A pass over the graph (the explainer's weighted shortest paths) and a look at the
    /// classes' scripts and maps: run it as a job.
    pub fn build(heap: &Heap, classes: &[ClassToName], maps: &mut SourceMaps) -> SnapCode {
        let locs = Locations::build(&heap.snap);
        let explainer = Explainer::for_paths(heap, &locs);
        let mut names = crate::sources::class_names::ClassNames::with_locations(heap, &locs, maps);
        let class_names = classes
            .iter()
            .filter_map(|c| {
                let o = names.original(c.object)?;
                (o != c.name).then(|| (c.key.clone(), o))
            })
            .collect();
        SnapCode {
            locs,
            explainer,
            class_names: Arc::new(class_names),
        }
    }
}

/// Source maps are decoded once per script and shared by the jobs that resolve locations.
pub type SharedMaps = Arc<Mutex<SourceMaps>>;

/// Source maps with the user's folder remappings (`FROM=TO`, separated by `;`).
pub fn maps_with_remap(text: &str) -> Result<SharedMaps, String> {
    Ok(Arc::new(Mutex::new(remapped_maps(text)?)))
}

/// Source maps with the Remap setting (`FROM=TO`, several separated by `;`) applied.
pub fn remapped_maps(text: &str) -> Result<SourceMaps, String> {
    let mut maps = SourceMaps::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        maps.remap_arg(part)?;
    }
    Ok(maps)
}

/// The selection's code, as the details panel shows it.
#[derive(Clone, Debug, Default)]
pub struct CodeInfo {
    /// Where the object (a closure, a constructed object, a scope) is in the code.
    pub location: Option<Located>,
    /// Why it is alive, in words: `variable cache in module scope of leak.js`.
    pub reason: Option<String>,
    /// The line of code with two lines around it, or why it cannot be read.
    pub excerpt: Option<Result<Excerpt, String>>,
    /// The file, line and column "Open in editor" opens.
    pub open_target: Option<(PathBuf, u32, u32)>,
    /// The object's class as its authors named it, where a source map says so.
    pub original_class: Option<String>,
}

/// The K retaining paths to show: explaining paths when the snapshot's code is known,
/// else the shortest ones.
pub fn retaining_paths(
    heap: &Heap,
    code: Option<&SnapCode>,
    node: u32,
    k: usize,
) -> Vec<RetainingPath> {
    match code {
        Some(c) => explain::explaining_paths(heap, &c.explainer, node, k),
        None => paths::shortest_paths(heap, node, k, 40),
    }
}

/// The selection's location, reason and excerpt (reads the script file: a job's work).
pub fn code_info(
    heap: &Heap,
    code: &SnapCode,
    maps: &SharedMaps,
    node: u32,
    best: Option<&RetainingPath>,
) -> CodeInfo {
    let loc = code.locs.of(&heap.snap, node);
    let (location, original_class) = match (loc, maps.lock()) {
        (Some(loc), Ok(mut m)) => {
            let class = heap.class_name(node);
            let original = (heap.snap.ntype(node) == crate::snapshot::NodeType::OBJECT)
                .then(|| m.declared_name(&loc, class))
                .flatten();
            (Some(m.locate(&loc)), original)
        }
        (Some(loc), Err(_)) => (Some(SourceMaps::new().locate(&loc)), None),
        (None, _) => (None, None),
    };
    let reason = best
        .and_then(|p| code.explainer.last_reason(heap, p))
        .map(|hop| steps::reason_text(heap, &code.locs, &hop));
    let open_target = location.as_ref().and_then(Located::open_target);
    let excerpt = open_target
        .as_ref()
        .map(|(file, line, col)| crate::sources::excerpt(file, *line, *col, 2));
    CodeInfo {
        location,
        reason,
        excerpt,
        open_target,
        original_class,
    }
}

/// Labels for the retainer graph's boxes and arrows as people read them.
pub fn node_text(heap: &Heap, code: Option<&SnapCode>, o: u32) -> String {
    match code {
        Some(c) => steps::node_label(heap, &c.locs, o),
        None => heap.class_name(o).to_string(),
    }
}

pub fn edge_text(heap: &Heap, code: Option<&SnapCode>, e: u32) -> String {
    match code {
        Some(_) => steps::edge_label(heap, e as usize),
        None => super::format::edge_label(heap, e),
    }
}
