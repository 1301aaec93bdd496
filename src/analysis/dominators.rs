//! Immediate dominators and retained sizes: Lengauer–Tarjan ("simple" version with path
//! compression) over essential edges, on flat arrays, with DevTools' treatment of nodes the
//! root does not reach (their subtrees hang off the root), so that every number matches.

use super::retainers::Retainers;
use crate::snapshot::Snapshot;
use crate::util::BitVec;

pub struct Dominators {
    /// Immediate dominator ordinal; the root is its own dominator.
    pub idom: Vec<u32>,
    /// Node ordinals in DFS order (the root first): children come after their dominators.
    pub order: Vec<u32>,
    /// Nodes the root did not reach over essential edges (DevTools' warning count).
    pub unreachable_from_root: u32,
    /// Memory the pass is done with, for [`DominatorTree::build`] to reuse.
    pub scratch: Vec<u32>,
}

/// Retained sizes: each node's shallow size plus those of the nodes it dominates. Consumes
/// the DFS `order` ([`Dominators::order`]) so that its memory is free once they are summed.
pub fn retained_sizes(idom: &[u32], order: Vec<u32>, shallow: &[u32]) -> Vec<u64> {
    let mut retained: Vec<u64> = shallow.iter().map(|&x| x as u64).collect();
    for &o in order.iter().skip(1).rev() {
        let d = idom[o as usize] as usize;
        retained[d] += retained[o as usize];
    }
    retained
}

pub fn calculate_dominators(
    s: &Snapshot,
    ret: &Retainers,
    essential: &BitVec,
    slot_essential: &BitVec,
    scratch: Vec<u32>,
    cancel: &dyn Fn() -> bool,
) -> Option<Dominators> {
    let n = s.node_count();
    let len = n + 1;
    // Three per-number arrays dropped at the end live in `scratch` (memory the caller is
    // done with, already mapped): fresh pages cost more here than clearing old ones.
    let mut scratch = scratch;
    scratch.clear();
    scratch.resize(3 * len, 0);
    let (parent, rest) = scratch.split_at_mut(len);
    let (bucket_head, bucket_next) = rest.split_at_mut(len);
    let mut dfs_numbers = Numbering {
        num: vec![0u32; len],
        vertex: vec![0u32; len],
        parent,
        count: 0,
    };
    let r = s.root + 1;
    let reached_from_root;
    {
        let nb = &mut dfs_numbers;
        // Iterative DFS over essential edges in edge order; the stack holds each open
        // vertex, its number and the next edge to look at.
        let mut stack: Vec<(u32, u32, u32)> = Vec::new();
        let mut dfs = |start: u32, start_parent: u32, nb: &mut Numbering<'_>| {
            let n0 = nb.assign(start, start_parent);
            stack.push((start, n0, s.first_edge[(start - 1) as usize]));
            while let Some(top) = stack.last_mut() {
                let (v, vn) = (top.0, top.1);
                let end = s.first_edge[v as usize];
                let mut e = top.2;
                let mut next = 0;
                while e < end {
                    let ei = e as usize;
                    e += 1;
                    if essential.get(ei) {
                        let w = s.edge_to[ei] + 1;
                        if nb.num[w as usize] == 0 {
                            next = w;
                            break;
                        }
                    }
                }
                top.2 = e;
                if next == 0 {
                    stack.pop();
                } else {
                    let wn = nb.assign(next, vn);
                    stack.push((next, wn, s.first_edge[(next - 1) as usize]));
                }
            }
            nb.count
        };
        reached_from_root = dfs(r, 0, nb);
        if (reached_from_root as usize) < n {
            // Orphans (only weak retainers) start DFS trees hanging off the root.
            for v in 1..=n as u32 {
                if nb.num[v as usize] == 0 && has_only_weak_retainers(ret, slot_essential, v - 1) {
                    dfs(v, 1, nb);
                }
            }
        }
        if (nb.count as usize) < n {
            // Cliques retained only by each other: numbered one by one under the root.
            for v in 1..=n as u32 {
                if nb.num[v as usize] == 0 {
                    nb.assign(v, 1);
                }
            }
        }
    }
    let unreachable_from_root = n as u32 - reached_from_root;
    let Numbering {
        num,
        vertex,
        parent,
        count,
    } = dfs_numbers;
    if cancel() {
        return None;
    }

    // Lengauer–Tarjan on numbers: semi-dominators by path compression, buckets as intrusive
    // singly linked lists (each number sits in at most one bucket). The three words the
    // loop reads together for a number share one slot: one cache miss, not three.
    let mut lt: Vec<Lt> = (0..len as u32)
        .map(|i| Lt {
            ancestor: 0,
            label: i,
            semi: i,
        })
        .collect();
    let mut stack: Vec<u32> = Vec::new();

    // The label of `v` after compressing its path (`v` linked into the forest).
    let eval = |v: u32, lt: &mut [Lt], stack: &mut Vec<u32>| -> u32 {
        let mut x = v;
        stack.clear();
        while lt[lt[x as usize].ancestor as usize].ancestor != 0 {
            stack.push(x);
            x = lt[x as usize].ancestor;
        }
        while let Some(w) = stack.pop() {
            let a = lt[w as usize].ancestor as usize;
            let (la, lw) = (lt[a].label, lt[w as usize].label);
            if lt[la as usize].semi < lt[lw as usize].semi {
                lt[w as usize].label = la;
            }
            lt[w as usize].ancestor = lt[a].ancestor;
        }
        lt[v as usize].label
    };

    for w in (2..=count).rev() {
        if w & 0xFFFF == 0 && cancel() {
            return None;
        }
        let wo = vertex[w as usize] - 1;
        let mut orphan = true;
        let mut sw = lt[w as usize].semi;
        for slot in ret.of(wo) {
            if !slot_essential.get(slot) {
                continue;
            }
            orphan = false;
            let v = num[ret.node[slot] as usize + 1];
            // Numbers below `w` are not linked yet: their own semi is their number.
            let su = if lt[v as usize].ancestor == 0 {
                lt[v as usize].semi
            } else {
                let u = eval(v, &mut lt, &mut stack);
                lt[u as usize].semi
            };
            sw = sw.min(su);
        }
        if orphan {
            sw = lt[1].semi;
        }
        lt[w as usize].semi = sw;
        let b = sw as usize;
        // Sets keep insertion order, but the result does not depend on it.
        bucket_next[w as usize] = bucket_head[b];
        bucket_head[b] = w;
        let p = parent[w as usize];
        // From here on the slot holds w's dom (0 until its bucket is emptied): no parent
        // of a number at or above w is read again.
        let dom = &mut *parent;
        dom[w as usize] = 0;
        lt[w as usize].ancestor = p;
        let mut v = bucket_head[p as usize];
        bucket_head[p as usize] = 0;
        while v != 0 {
            let next = bucket_next[v as usize];
            let u = if lt[v as usize].ancestor == 0 {
                v
            } else {
                eval(v, &mut lt, &mut stack)
            };
            dom[v as usize] = if lt[u as usize].semi < lt[v as usize].semi {
                u
            } else {
                p
            };
            v = next;
        }
    }
    // A number whose bucket was never emptied (a clique hanging off the root) still has
    // dom 0: through dom[0] it ends at the root, as in DevTools.
    let dom = parent;
    dom[0] = 1;
    dom[1] = 1;
    for w in 2..=count as usize {
        let d = dom[w];
        if d != lt[w].semi {
            dom[w] = dom[d as usize];
        }
    }

    // Back to node ordinals: idom in the `num` buffer, DFS order in the `vertex` buffer.
    let mut idom = num;
    for w in 1..=count as usize {
        idom[vertex[w] as usize] = vertex[dom[w] as usize] - 1;
    }
    idom.remove(0);
    drop(lt);
    let mut order = vertex;
    order.truncate(count as usize + 1);
    order.remove(0);
    order.iter_mut().for_each(|v| *v -= 1);
    Some(Dominators {
        idom,
        order,
        unreachable_from_root,
        scratch,
    })
}

/// DFS numbers, 1-based (0: not numbered): `num` maps node ordinal + 1 to its number,
/// `vertex` a number to node ordinal + 1, `parent` a number to its DFS parent's number.
/// Everything after the DFS works on numbers, so per-vertex arrays are walked in order.
struct Numbering<'a> {
    num: Vec<u32>,
    vertex: Vec<u32>,
    parent: &'a mut [u32],
    count: u32,
}

impl Numbering<'_> {
    #[inline(always)]
    fn assign(&mut self, v: u32, parent: u32) -> u32 {
        self.count += 1;
        let c = self.count;
        self.num[v as usize] = c;
        self.vertex[c as usize] = v;
        self.parent[c as usize] = parent;
        c
    }
}

/// Lengauer–Tarjan's per-number state.
#[derive(Clone, Copy)]
struct Lt {
    ancestor: u32,
    label: u32,
    semi: u32,
}

fn has_only_weak_retainers(ret: &Retainers, slot_essential: &BitVec, o: u32) -> bool {
    ret.of(o).all(|slot| !slot_essential.get(slot))
}

/// Children of each node in the dominator tree (CSR), descending ordinal within a parent;
/// the root is nobody's child.
pub struct DominatorTree {
    pub first: Vec<u32>,
    pub children: Vec<u32>,
}

impl DominatorTree {
    /// `scratch` is memory to reuse for the children (any contents).
    pub fn build(idom: &[u32], root: u32, scratch: Vec<u32>) -> DominatorTree {
        let n = idom.len();
        // Count into first[d], make each the end of d's range, then fill each range from
        // its end while ordinals ascend: the counters end at the ranges' starts.
        let mut first = vec![0u32; n + 1];
        for (o, &d) in idom.iter().enumerate() {
            if o as u32 != root {
                first[d as usize] += 1;
            }
        }
        let mut acc = 0u32;
        for f in first[..n].iter_mut() {
            acc += *f;
            *f = acc;
        }
        first[n] = acc;
        let mut children = scratch;
        children.clear();
        children.resize(n.saturating_sub(1), 0);
        for (o, &d) in idom.iter().enumerate() {
            if o as u32 == root {
                continue;
            }
            first[d as usize] -= 1;
            children[first[d as usize] as usize] = o as u32;
        }
        children.shrink_to_fit();
        DominatorTree { first, children }
    }

    #[inline]
    pub fn of(&self, o: u32) -> &[u32] {
        &self.children[self.first[o as usize] as usize..self.first[o as usize + 1] as usize]
    }
}
