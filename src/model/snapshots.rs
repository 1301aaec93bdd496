//! One open snapshot and the per-snapshot state of its views.

use super::code::SnapCode;
use super::ids::SnapId;
use super::jobs::Waker;
use super::loader::Loaded;
use super::summary::{Sort, SummaryModel};
use super::tree::{TreeKind, TreeModel};
use crate::analysis::Heap;
use crate::analysis::filters::NodeFilter;
use crate::analysis::scopes::Scope;
use std::sync::Arc;

pub struct Snap {
    pub id: SnapId,
    pub loaded: Loaded,
    pub summary: SummaryModel,
    /// The object filter being computed for the Summary, if any.
    pub pending_filter: Option<NodeFilter>,
    pub containment: Option<TreeModel>,
    pub dominators: Option<TreeModel>,
    /// Locations and the path explainer, once their job is done.
    pub code: Option<Arc<SnapCode>>,
    /// The closure scopes, once asked for and computed.
    pub scopes: Option<Arc<Vec<Scope>>>,
    /// The Allocations view (snapshots with allocation stacks), once computed.
    pub allocations: Option<super::allocations::AllocationModel>,
    pub allocations_pending: bool,
    /// The allocation timeline (snapshots with `samples`), once computed.
    pub timeline: Option<Arc<crate::analysis::timeline::Timeline>>,
    pub timeline_pending: bool,
}

impl Snap {
    pub fn new(id: SnapId, mut loaded: Loaded, sort: Sort, waker: Waker) -> Self {
        // The rows move into the model: cloning millions of member indexes would stall a frame.
        let classes = std::mem::take(&mut loaded.classes);
        let mut summary = SummaryModel::new(loaded.heap.clone(), NodeFilter::All, classes, sort);
        summary.waker = Some(waker);
        Snap {
            id,
            loaded,
            summary,
            pending_filter: None,
            containment: None,
            dominators: None,
            code: None,
            scopes: None,
            allocations: None,
            allocations_pending: false,
            timeline: None,
            timeline_pending: false,
        }
    }

    pub fn heap(&self) -> &Arc<Heap> {
        &self.loaded.heap
    }

    pub fn name(&self) -> &str {
        &self.loaded.name
    }

    /// The containment tree from the root, made on first use.
    pub fn containment(&mut self) -> &mut TreeModel {
        let heap = self.loaded.heap.clone();
        self.containment.get_or_insert_with(|| {
            TreeModel::new(heap.clone(), TreeKind::Containment, heap.snap.root)
        })
    }

    /// The dominator tree from the root, made on first use.
    pub fn dominators(&mut self) -> &mut TreeModel {
        let heap = self.loaded.heap.clone();
        self.dominators.get_or_insert_with(|| {
            TreeModel::new(heap.clone(), TreeKind::Dominators, heap.snap.root)
        })
    }
}
