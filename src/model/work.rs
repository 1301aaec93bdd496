//! Where the work of one job key stands, kept the same way for every key: not asked for,
//! running for `F` (what it was asked for: a filter, a pair of snapshots), or ready for `F`
//! (its result taken in, or its failure reported). Ready work is not started again until
//! something else is asked for, so a job that fails is not restarted every frame, and a
//! view shows a spinner only while its work runs.

#[derive(Clone, Debug, Default, PartialEq)]
pub enum Work<F> {
    #[default]
    Idle,
    Running(F),
    Ready(F),
}

impl<F: PartialEq> Work<F> {
    pub fn start(&mut self, f: F) {
        *self = Work::Running(f);
    }

    pub fn is_running(&self) -> bool {
        matches!(self, Work::Running(_))
    }

    pub fn is_ready(&self) -> bool {
        matches!(self, Work::Ready(_))
    }

    /// What the running work was asked for.
    pub fn running(&self) -> Option<&F> {
        match self {
            Work::Running(f) => Some(f),
            _ => None,
        }
    }

    /// Whether `f` was asked for (still running, or ended).
    pub fn is_for(&self, f: &F) -> bool {
        matches!(self, Work::Running(x) | Work::Ready(x) if x == f)
    }

    /// A result for `f` arrived: true when it is what runs (else it is stale, to drop).
    pub fn end(&mut self, f: &F) -> bool {
        if self.running() != Some(f) {
            return false;
        }
        self.stop();
        true
    }

    /// The work ended, with or without a result (a failed job is ready too: not retried).
    pub fn stop(&mut self) {
        if let Work::Running(f) = std::mem::take(self) {
            *self = Work::Ready(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Work;

    #[test]
    fn a_result_ends_only_the_work_it_was_asked_for() {
        let mut w = Work::default();
        w.start(1);
        assert!(!w.end(&2), "a stale result");
        assert!(w.is_running());
        assert!(w.end(&1));
        assert!(w.is_ready() && w.is_for(&1) && !w.is_for(&2));
        w.start(2);
        w.stop();
        assert_eq!(w, Work::Ready(2));
    }
}
