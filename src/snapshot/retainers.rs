//! Reverse adjacency (who points at a node), CSR over node ordinals. Retainers of a node are
//! stored in descending source order, as DevTools stores them: that order is the final
//! tie-breaker of every retainer list it shows. It needs only the edges, so the reader
//! builds it on another core while it still reads the strings.

use super::Snapshot;
use std::ops::Range;

pub struct Retainers {
    /// Node `n`'s retainers are slots `first[n]..first[n+1]`.
    pub first: Vec<u32>,
    /// Source node ordinal of each slot.
    pub node: Vec<u32>,
}

/// The slot columns, written from both cores at once: each slot by exactly one of them.
struct Slots {
    node: *mut u32,
    edge: *mut u32,
    len: usize,
}

// SAFETY: the two writers in `build_from` write disjoint slots (each target's range is cut
// into a lower and an upper part by the counts, one part per writer).
unsafe impl Sync for Slots {}

impl Slots {
    /// Writes the slots of the edges of `sources`, each target's from `cursor[t]` down.
    fn fill(&self, first_edge: &[u32], edge_to: &[u32], sources: Range<usize>, cursor: &mut [u32]) {
        for src in sources {
            for e in first_edge[src] as usize..first_edge[src + 1] as usize {
                let t = edge_to[e] as usize;
                cursor[t] -= 1;
                let slot = cursor[t] as usize;
                assert!(slot < self.len);
                // SAFETY: `slot` lies in this writer's part of `t`'s range (see `Slots`),
                // inside the `m` slots both columns hold, and no other writer touches it.
                unsafe {
                    *self.node.add(slot) = src as u32;
                    *self.edge.add(slot) = e as u32;
                }
            }
        }
    }
}

/// Node `n`'s retainer slots, from the index's `first` column alone: for passes that read
/// it while the dominator pass has the sources column.
#[inline(always)]
pub fn slots(first: &[u32], n: u32) -> Range<usize> {
    first[n as usize] as usize..first[n as usize + 1] as usize
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

    /// [`Retainers::build`] from the CSR columns alone. Both cores scatter: the sources are
    /// cut in two halves, and within each target's range the upper half's slots come before
    /// the lower half's (sources descend), so each half fills its own part of every range. On real heaps the
    /// scatter is all cache misses (edges point anywhere); it outlasted the rest of the file
    /// on one core.
    pub fn build_from(first_edge: &[u32], edge_to: &[u32]) -> (Retainers, Vec<u32>) {
        let n = first_edge.len().saturating_sub(1);
        let m = edge_to.len();
        let mid = n / 2;
        let cut = first_edge.get(mid).map_or(0, |&e| e as usize);
        let (lower, upper) = edge_to.split_at(cut);
        let count = |edges: &[u32]| {
            let mut c = crate::process_memory::populated(vec![0u32; n + 1]);
            for &t in edges {
                c[t as usize] += 1;
            }
            c
        };
        let (mut lo, mut hi) = rayon::join(|| count(lower), || count(upper));
        // Each half's cursor starts at the end of its part of the range and counts down.
        let mut acc = 0u32;
        for (l, h) in lo.iter_mut().zip(hi.iter_mut()).take(n) {
            let (a, b) = (*l, *h);
            *h = acc + b;
            *l = acc + a + b;
            acc += a + b;
        }
        hi[n] = acc;
        let mut node = crate::process_memory::populated(vec![0u32; m]);
        let mut edge = crate::process_memory::populated(vec![0u32; m]);
        let out = Slots {
            node: node.as_mut_ptr(),
            edge: edge.as_mut_ptr(),
            len: m,
        };
        rayon::join(
            || out.fill(first_edge, edge_to, 0..mid, &mut lo),
            || out.fill(first_edge, edge_to, mid..n, &mut hi),
        );
        // The upper half's cursors ended at the ranges' starts.
        (Retainers { first: hi, node }, edge)
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
        slots(&self.first, n)
    }

    pub fn count(&self, n: u32) -> usize {
        self.of(n).len()
    }

    pub fn heap_bytes(&self) -> usize {
        (self.first.capacity() + self.node.capacity()) * 4
    }
}

#[cfg(test)]
mod tests {
    use super::Retainers;
    use crate::util::TestRng;

    /// The two-core build lays out every range as one pass in source order would: descending
    /// source, then descending edge.
    #[test]
    fn both_halves_fill_as_one_pass_would() {
        let mut rng = TestRng(0x2545F4914F6CDD1D);
        for round in 0..300 {
            let n = 1 + rng.below(40) as usize;
            let mut first_edge = vec![0u32];
            let mut edge_to = Vec::new();
            for _ in 0..n {
                for _ in 0..rng.below(6) {
                    edge_to.push(rng.below(n as u64) as u32);
                }
                first_edge.push(edge_to.len() as u32);
            }
            let (r, slot_edge) = Retainers::build_from(&first_edge, &edge_to);
            let mut expected: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
            for src in 0..n {
                for e in first_edge[src]..first_edge[src + 1] {
                    expected[edge_to[e as usize] as usize].push((src as u32, e));
                }
            }
            let mut k = 0;
            for (t, list) in expected.iter().enumerate() {
                assert_eq!(r.first[t] as usize, k, "round {round}, target {t}");
                for &pair in list.iter().rev() {
                    assert_eq!((r.node[k], slot_edge[k]), pair, "round {round}, slot {k}");
                    k += 1;
                }
            }
            assert_eq!(r.first[n] as usize, k, "round {round}");
        }
    }
}
