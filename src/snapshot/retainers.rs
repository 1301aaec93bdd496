//! Reverse adjacency (who points at a node), CSR over node ordinals. Retainers of a node are
//! stored in descending source order, as DevTools stores them: that order is the final
//! tie-breaker of every retainer list it shows. It needs only the edges, so the reader
//! builds it on another core while it still reads the strings.

use super::Snapshot;

pub struct Retainers {
    /// Node `n`'s retainers are slots `first[n]..first[n+1]`.
    pub first: Vec<u32>,
    /// Source node ordinal of each slot.
    pub node: Vec<u32>,
}

/// One retaining edge: `edge` (ordinal) goes from node `from` to the retained node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retainer {
    pub from: u32,
    pub edge: u32,
}

impl Retainers {
    /// Builds the index. The edge of each slot is returned separately: the dominator pass
    /// needs it once, and keeping it would cost 4 bytes per edge for the session.
    pub fn build(s: &Snapshot) -> (Retainers, Vec<u32>) {
        Self::build_from(&s.first_edge, &s.edge_to)
    }

    /// [`Retainers::build`] from the CSR columns alone.
    pub fn build_from(first_edge: &[u32], edge_to: &[u32]) -> (Retainers, Vec<u32>) {
        let n = first_edge.len().saturating_sub(1);
        let m = edge_to.len();
        // Count into first[t], make each the end of t's range, then fill each range from
        // its end while sources ascend: the counters end at the ranges' starts, so no
        // separate cursor array is needed.
        let mut first = vec![0u32; n + 1];
        for &t in edge_to {
            first[t as usize] += 1;
        }
        let mut acc = 0u32;
        for f in first[..n].iter_mut() {
            acc += *f;
            *f = acc;
        }
        first[n] = acc;
        let mut node = vec![0u32; m];
        let mut edge = vec![0u32; m];
        for src in 0..n {
            for e in first_edge[src] as usize..first_edge[src + 1] as usize {
                let t = edge_to[e] as usize;
                first[t] -= 1;
                let slot = first[t] as usize;
                node[slot] = src as u32;
                edge[slot] = e as u32;
            }
        }
        (Retainers { first, node }, edge)
    }

    /// The retaining edges of `o` in storage order (descending source, then descending edge).
    pub fn list(&self, s: &Snapshot, o: u32) -> Vec<Retainer> {
        let slots = self.of(o);
        let mut out = Vec::with_capacity(slots.len());
        let mut k = slots.start;
        while k < slots.end {
            let from = self.node[k];
            let mut run = 0;
            while k + run < slots.end && self.node[k + run] == from {
                run += 1;
            }
            // This source's edges to `o`, highest edge first (the fill order).
            let mut pushed = 0;
            for e in s.edges(from).rev() {
                if s.edge_to[e] == o && pushed < run {
                    out.push(Retainer {
                        from,
                        edge: e as u32,
                    });
                    pushed += 1;
                }
            }
            k += run;
        }
        out
    }

    #[inline]
    pub fn of(&self, n: u32) -> std::ops::Range<usize> {
        self.first[n as usize] as usize..self.first[n as usize + 1] as usize
    }

    pub fn count(&self, n: u32) -> usize {
        self.of(n).len()
    }

    pub fn heap_bytes(&self) -> usize {
        (self.first.capacity() + self.node.capacity()) * 4
    }
}
