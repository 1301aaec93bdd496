//! What a finished background job hands back to the app state. Each result names the
//! snapshots it was computed for, so a result for a snapshot closed meanwhile is dropped.

use super::code::SnapCode;
use super::growth::GrowthData;
use super::ids::{ObjRef, SnapId};
use super::loader::{LoadFailure, Loaded};
use super::object_search::ObjectSearch;
use crate::analysis::diff::DiffRow;
use crate::analysis::filters::NodeFilter;
use crate::analysis::scopes::Scope;
use crate::analysis::summary::ClassAggregate;
use std::path::PathBuf;
use std::sync::Arc;

pub enum JobOutput {
    Loaded(Box<Result<Loaded, LoadFailure>>),
    /// A result for one snapshot's views.
    Snap(SnapId, SnapOutput),
    /// Files chosen in the dialog; None when it was cancelled or there is no dialog.
    Picked(Option<Vec<PathBuf>>),
    Compared {
        base: SnapId,
        target: SnapId,
        rows: Vec<DiffRow>,
    },
    Grown {
        key: Vec<SnapId>,
        data: Box<GrowthData>,
    },
    Paths {
        obj: ObjRef,
        found: Box<PathsFound>,
    },
    /// Nodes from the root down to `obj` along its shortest retaining path.
    RootPath {
        obj: ObjRef,
        chain: Vec<u32>,
    },
    Found(ObjectSearch),
    /// What was saved (for the status line), or why it was not.
    Saved(Result<String, String>),
    Failed(String),
    /// An inspector's targets (`at` is the HOST:PORT asked), or why they could not be listed.
    Targets {
        at: String,
        result: Result<Vec<crate::capture::TargetInfo>, String>,
    },
    Attached(Result<Box<crate::capture::CaptureSession>, String>),
    /// A sampling heap profile read (or why not).
    ProfileLoaded {
        path: PathBuf,
        result: Box<Result<super::profiles::OpenProfile, String>>,
    },
    /// The file, line and column to open in the editor, or why there is none.
    EditorTarget(Result<(PathBuf, u32, u32), String>),
}

/// What a job of one snapshot hands back (`snap_jobs.rs`).
pub enum SnapOutput {
    /// The Summary's rows under an object filter.
    Filtered {
        filter: NodeFilter,
        classes: Vec<ClassAggregate>,
    },
    /// Its locations and path explainer.
    Code(Arc<SnapCode>),
    Scopes(Arc<Vec<Scope>>),
    /// The Allocations view's numbers (None: the snapshot has no allocation stacks).
    AllocationProfile(Option<Arc<crate::analysis::allocations::AllocationProfile>>),
    /// The live objects allocated by an Allocations row (`chain`).
    AllocationObjects {
        chain: Vec<u32>,
        objects: Vec<u32>,
    },
    /// Its allocation timeline (None: it has no samples).
    Timeline(Option<crate::analysis::timeline::Timeline>),
    /// Its native contexts with their sizes and Statistics.
    NativeContexts(Arc<crate::analysis::native_contexts::NativeContexts>),
}

/// What the paths job found for a selection: the graph of its paths, its code, and the
/// first (explaining) path.
pub struct PathsFound {
    pub graph: super::retainer_graph::RetainerGraph,
    pub code: Option<super::code::CodeInfo>,
    pub path: Option<crate::analysis::paths::RetainingPath>,
}
