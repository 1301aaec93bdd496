//! Navigation history: every selection is a step; Back and Forward retrace them across
//! views and snapshots, like a browser's.

use super::ids::{ObjRef, SnapId};
use super::settings::Tab;

/// Where the user was: the selected object and the view it was seen in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub obj: ObjRef,
    pub tab: Tab,
}

#[derive(Default)]
pub struct History {
    back: Vec<Step>,
    forward: Vec<Step>,
}

/// Steps kept in each direction: enough for any session, bounded all the same.
const MAX_STEPS: usize = 500;

impl History {
    /// A new selection: the step being left goes on the back stack, forward is forgotten.
    pub fn push(&mut self, left: Step) {
        if self.back.last() != Some(&left) {
            self.back.push(left);
            if self.back.len() > MAX_STEPS {
                self.back.remove(0);
            }
        }
        self.forward.clear();
    }

    /// The step to go back to, given where we are now (which becomes a forward step).
    pub fn back(&mut self, now: Option<Step>) -> Option<Step> {
        let to = self.back.pop()?;
        if let Some(n) = now {
            self.forward.push(n);
        }
        Some(to)
    }

    pub fn forward(&mut self, now: Option<Step>) -> Option<Step> {
        let to = self.forward.pop()?;
        if let Some(n) = now {
            self.back.push(n);
        }
        Some(to)
    }

    pub fn can_go_back(&self) -> bool {
        !self.back.is_empty()
    }

    pub fn can_go_forward(&self) -> bool {
        !self.forward.is_empty()
    }

    /// Forgets the steps into a snapshot that was closed.
    pub fn forget(&mut self, snap: SnapId) {
        self.back.retain(|s| s.obj.snap != snap);
        self.forward.retain(|s| s.obj.snap != snap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(n: u32) -> Step {
        Step {
            obj: ObjRef::new(SnapId(1), n),
            tab: Tab::Summary,
        }
    }

    #[test]
    fn back_and_forward_retrace_and_a_new_step_clears_forward() {
        let mut h = History::default();
        h.push(step(1));
        h.push(step(2));
        assert_eq!(h.back(Some(step(3))), Some(step(2)));
        assert_eq!(h.back(Some(step(2))), Some(step(1)));
        assert_eq!(h.back(Some(step(1))), None);
        assert_eq!(h.forward(Some(step(1))), Some(step(2)));
        assert_eq!(h.forward(Some(step(2))), Some(step(3)));
        assert!(!h.can_go_forward());
        h.back(Some(step(3)));
        h.push(step(2));
        assert!(!h.can_go_forward());
    }

    #[test]
    fn forgetting_a_snapshot_drops_its_steps() {
        let mut h = History::default();
        h.push(step(1));
        h.push(Step {
            obj: ObjRef::new(SnapId(2), 5),
            tab: Tab::Dominators,
        });
        h.forget(SnapId(1));
        assert_eq!(h.back(None).map(|s| s.obj.snap), Some(SnapId(2)));
        assert!(!h.can_go_back());
    }
}
