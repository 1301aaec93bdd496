//! Retained sizes, 4 bytes a node: a node's shallow size plus those of the nodes it
//! dominates. Only nodes that retain 4 GiB or more (a handful near the root, on the
//! largest heaps) need more, and keep theirs in a short side list; 8 bytes for every node
//! cost a near-heap-limit Node snapshot 3% of its file's size at the load's peak.

use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RetainedSizes {
    /// Each node's size, or [`IN_BIG`] when it is in `big`.
    small: Vec<u32>,
    /// (ordinal, size) of the nodes whose size does not fit below [`IN_BIG`], by ordinal.
    big: Vec<(u32, u64)>,
}

const IN_BIG: u32 = u32::MAX;

impl RetainedSizes {
    /// Sums shallow sizes up the dominator tree: `order` lists every node after its
    /// immediate dominator (the DFS order of the dominator pass, root first); it is
    /// consumed so that its memory is free once the sizes are summed.
    pub fn sum(idom: &[u32], order: Vec<u32>, shallow: &[u32]) -> RetainedSizes {
        let mut small = shallow.to_vec();
        let mut over: HashMap<u32, u64> = HashMap::new();
        for (o, s) in small.iter().enumerate() {
            if *s == IN_BIG {
                over.insert(o as u32, IN_BIG as u64);
            }
        }
        for &o in order.iter().skip(1).rev() {
            let d = idom[o as usize];
            let add = match small[o as usize] {
                IN_BIG => over[&o],
                s => s as u64,
            };
            match small[d as usize] {
                IN_BIG => *over.get_mut(&d).expect("a big size is in the side list") += add,
                cur => {
                    let sum = cur as u64 + add;
                    if sum < IN_BIG as u64 {
                        small[d as usize] = sum as u32;
                    } else {
                        small[d as usize] = IN_BIG;
                        over.insert(d, sum);
                    }
                }
            }
        }
        let mut big: Vec<(u32, u64)> = over.into_iter().collect();
        big.sort_unstable();
        RetainedSizes { small, big }
    }

    /// Node `o`'s retained size in bytes.
    #[inline]
    pub fn get(&self, o: u32) -> u64 {
        match self.small[o as usize] {
            IN_BIG => self.big[self.big.partition_point(|&(b, _)| b < o)].1,
            s => s as u64,
        }
    }

    pub fn len(&self) -> usize {
        self.small.len()
    }

    pub fn is_empty(&self) -> bool {
        self.small.is_empty()
    }

    pub fn heap_bytes(&self) -> usize {
        self.small.capacity() * 4 + self.big.capacity() * 16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain 0 ← 1 ← 2 ← 3 whose sums pass 4 GiB at node 1, and a node of 4 GiB − 1
    /// shallow bytes (the marker value itself).
    #[test]
    fn sizes_past_4_gib_are_exact() {
        let idom = [0, 0, 1, 2, 0];
        let order = [0, 1, 2, 3, 4];
        let shallow = [10, 3_000_000_000, 2_000_000_000, 5, u32::MAX];
        let r = RetainedSizes::sum(&idom, order.to_vec(), &shallow);
        assert_eq!(r.get(3), 5);
        assert_eq!(r.get(2), 2_000_000_005);
        assert_eq!(r.get(1), 5_000_000_005);
        assert_eq!(r.get(4), u32::MAX as u64);
        assert_eq!(r.get(0), 10 + 5_000_000_005 + u32::MAX as u64);
        assert_eq!(r.len(), 5);
    }
}
