//! The Allocations view's work: its numbers (a pass over every node) and the live objects
//! of a selected row, both as jobs; their results entering the state.

use super::allocations::{AllocObjects, AllocationModel};
use super::app_state::AppState;
use super::ids::SnapId;
use super::job_output::JobOutput;
use super::jobs::{JobKey, Jobs};
use crate::analysis::allocations::AllocationProfile;
use crate::analysis::timeline::Timeline;
use std::sync::Arc;

impl AppState {
    /// Whether the current snapshot was taken with allocation tracking.
    pub fn current_has_allocation_stacks(&self) -> bool {
        self.current_snap().is_some_and(|s| {
            let snap = &s.heap().snap;
            snap.allocation_trace.is_some() && snap.node_trace_id.is_some()
        })
    }

    /// Starts computing the current snapshot's Allocations numbers, once.
    pub(super) fn ensure_allocations(&mut self, jobs: &mut Jobs) {
        let Some(s) = self.current_snap_mut() else {
            return;
        };
        if s.allocations.is_some() || s.allocations_pending {
            return;
        }
        s.allocations_pending = true;
        let (id, heap) = (s.id, s.heap().clone());
        jobs.spawn(JobKey::Allocations(id), move |_| {
            JobOutput::AllocationProfile {
                snap: id,
                profile: AllocationProfile::new(&heap.snap, &heap.shallow).map(Arc::new),
            }
        });
    }

    /// Lists the live objects of an Allocations row (a job: a pass over every node).
    pub(super) fn allocation_objects(&mut self, id: SnapId, chain: Vec<u32>, jobs: &mut Jobs) {
        let Some(m) = self.snap_mut(id).and_then(|s| s.allocations.as_mut()) else {
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
            JobOutput::AllocationObjects {
                snap: id,
                chain,
                objects,
            }
        });
    }

    /// Whether the current snapshot has allocation timeline samples.
    pub fn current_has_timeline(&self) -> bool {
        self.current_snap()
            .is_some_and(|s| !s.heap().snap.samples.timestamp_us.is_empty())
    }

    /// Starts computing the current snapshot's allocation timeline, once.
    pub(super) fn ensure_timeline(&mut self, jobs: &mut Jobs) {
        let Some(s) = self.current_snap_mut() else {
            return;
        };
        if s.timeline.is_some() || s.timeline_pending {
            return;
        }
        s.timeline_pending = true;
        let (id, heap) = (s.id, s.heap().clone());
        jobs.spawn(JobKey::Timeline(id), move |_| JobOutput::Timeline {
            snap: id,
            timeline: Timeline::new(&heap.snap, &heap.shallow),
        });
    }

    pub(super) fn allocations_finished(&mut self, out: JobOutput) {
        match out {
            JobOutput::Timeline { snap, timeline } => {
                let Some(s) = self.snap_mut(snap) else { return };
                s.timeline_pending = false;
                match timeline {
                    Some(t) => s.timeline = Some(Arc::new(t)),
                    None => {
                        let name = s.name().to_string();
                        self.errors
                            .push(format!("{name} has no allocation timeline samples"));
                    }
                }
            }
            JobOutput::AllocationProfile { snap, profile } => {
                let Some(s) = self.snap_mut(snap) else { return };
                s.allocations_pending = false;
                match profile {
                    Some(p) => {
                        s.allocations = Some(AllocationModel::new(snap, s.heap().clone(), p))
                    }
                    None => {
                        let name = s.name().to_string();
                        self.errors
                            .push(format!("{name} has no allocation stacks to show"));
                    }
                }
            }
            JobOutput::AllocationObjects {
                snap,
                chain,
                objects,
            } => {
                if let Some(o) = self
                    .snap_mut(snap)
                    .and_then(|s| s.allocations.as_mut())
                    .and_then(|m| m.objects.as_mut())
                    .filter(|o| o.chain == chain)
                {
                    o.objects = Some(objects);
                }
            }
            _ => {}
        }
    }
}
