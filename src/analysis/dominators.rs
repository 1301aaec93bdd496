//! Immediate dominators and retained sizes: Lengauer–Tarjan ("simple" version with path
//! compression) over essential edges, on flat arrays, with DevTools' treatment of nodes the
//! root does not reach (their subtrees hang off the root), so that every number matches.

use super::retainers::Retainers;
use crate::snapshot::Snapshot;
use crate::util::BitVec;

pub struct Dominators {
    /// Immediate dominator ordinal; the root is its own dominator.
    pub idom: Vec<u32>,
    pub retained: Vec<u64>,
    /// Nodes the root did not reach over essential edges (DevTools' warning count).
    pub unreachable_from_root: u32,
}

pub fn calculate_dominators(
    s: &Snapshot,
    ret: &Retainers,
    essential: &BitVec,
    slot_essential: &BitVec,
    shallow: &[u32],
    cancel: &dyn Fn() -> bool,
) -> Option<Dominators> {
    let n = s.node_count();
    let len = n + 1;
    // 1-based vertex numbers; 0 means none.
    let mut parent = vec![0u32; len];
    let mut semi = vec![0u32; len];
    let mut vertex = vec![0u32; len];
    let mut label = vec![0u32; len];
    let mut count: u32 = 0;
    let reached_from_root;
    {
        // Iterative DFS; `next_edge` holds each vertex's resume point.
        let mut next_edge = vec![0u32; n];
        let mut dfs = |root: u32,
                       parent: &mut Vec<u32>,
                       semi: &mut Vec<u32>,
                       vertex: &mut Vec<u32>,
                       label: &mut Vec<u32>,
                       count: &mut u32| {
            next_edge[(root - 1) as usize] = s.first_edge[(root - 1) as usize];
            let mut v = root;
            while v != 0 {
                if semi[v as usize] == 0 {
                    *count += 1;
                    semi[v as usize] = *count;
                    vertex[*count as usize] = v;
                    label[v as usize] = v;
                }
                let mut v_next = parent[v as usize];
                let vo = (v - 1) as usize;
                let end = s.first_edge[vo + 1];
                while next_edge[vo] < end {
                    let e = next_edge[vo] as usize;
                    if essential.get(e) {
                        let w = s.edge_to[e] + 1;
                        if semi[w as usize] == 0 {
                            parent[w as usize] = v;
                            next_edge[(w - 1) as usize] = s.first_edge[(w - 1) as usize];
                            v_next = w;
                            break;
                        }
                    }
                    next_edge[vo] += 1;
                }
                v = v_next;
            }
        };
        let r = s.root + 1;
        dfs(
            r,
            &mut parent,
            &mut semi,
            &mut vertex,
            &mut label,
            &mut count,
        );
        reached_from_root = count;
        if (count as usize) < n {
            // Orphans (only weak retainers) start DFS trees hanging off the root.
            for v in 1..=n as u32 {
                if semi[v as usize] == 0 && has_only_weak_retainers(ret, slot_essential, v - 1) {
                    parent[v as usize] = r;
                    dfs(
                        v,
                        &mut parent,
                        &mut semi,
                        &mut vertex,
                        &mut label,
                        &mut count,
                    );
                }
            }
        }
    }
    let unreachable_from_root = n as u32 - reached_from_root;
    let r = s.root + 1;
    if (count as usize) < n {
        // Cliques retained only by each other: numbered one by one under the root.
        for v in 1..=n as u32 {
            if semi[v as usize] == 0 {
                parent[v as usize] = r;
                count += 1;
                semi[v as usize] = count;
                vertex[count as usize] = v;
                label[v as usize] = v;
            }
        }
    }
    if cancel() {
        return None;
    }

    let mut ancestor = vec![0u32; len];
    let mut dom = vec![0u32; len];
    // Buckets as intrusive singly linked lists: each vertex sits in at most one bucket.
    let mut bucket_head = vec![0u32; len];
    let mut bucket_next = vec![0u32; len];
    let mut stack: Vec<u32> = Vec::new();

    let compress =
        |v: u32, ancestor: &mut [u32], label: &mut [u32], semi: &[u32], stack: &mut Vec<u32>| {
            let mut v = v;
            stack.clear();
            while ancestor[ancestor[v as usize] as usize] != 0 {
                stack.push(v);
                v = ancestor[v as usize];
            }
            while let Some(w) = stack.pop() {
                let a = ancestor[w as usize] as usize;
                if semi[label[a] as usize] < semi[label[w as usize] as usize] {
                    label[w as usize] = label[a];
                }
                ancestor[w as usize] = ancestor[a];
            }
        };

    for i in (2..=count).rev() {
        if i & 0xFFFF == 0 && cancel() {
            return None;
        }
        let w = vertex[i as usize];
        let wo = w - 1;
        let mut orphan = true;
        for slot in ret.of(wo) {
            if !slot_essential.get(slot) {
                continue;
            }
            orphan = false;
            let v = ret.node[slot] + 1;
            let u = if ancestor[v as usize] == 0 {
                v
            } else {
                compress(v, &mut ancestor, &mut label, &semi, &mut stack);
                label[v as usize]
            };
            if semi[u as usize] < semi[w as usize] {
                semi[w as usize] = semi[u as usize];
            }
        }
        if orphan {
            semi[w as usize] = semi[r as usize];
        }
        let b = vertex[semi[w as usize] as usize] as usize;
        // Sets keep insertion order, but the result does not depend on it.
        bucket_next[w as usize] = bucket_head[b];
        bucket_head[b] = w;
        let p = parent[w as usize];
        ancestor[w as usize] = p;
        let mut v = bucket_head[p as usize];
        bucket_head[p as usize] = 0;
        while v != 0 {
            let next = bucket_next[v as usize];
            let u = if ancestor[v as usize] == 0 {
                v
            } else {
                compress(v, &mut ancestor, &mut label, &semi, &mut stack);
                label[v as usize]
            };
            dom[v as usize] = if semi[u as usize] < semi[v as usize] {
                u
            } else {
                p
            };
            v = next;
        }
    }
    drop(bucket_head);
    drop(bucket_next);
    drop(ancestor);
    drop(label);
    dom[0] = r;
    dom[r as usize] = r;
    for i in 2..=count {
        let w = vertex[i as usize] as usize;
        if dom[w] != vertex[semi[w] as usize] {
            dom[w] = dom[dom[w] as usize];
        }
    }
    drop(semi);
    drop(parent);

    let mut idom = vec![0u32; n];
    let mut retained = vec![0u64; n];
    for o in 0..n {
        idom[o] = dom[o + 1] - 1;
        retained[o] = shallow[o] as u64;
    }
    drop(dom);
    for i in (2..=count).rev() {
        let o = (vertex[i as usize] - 1) as usize;
        let d = idom[o] as usize;
        retained[d] += retained[o];
    }
    Some(Dominators {
        idom,
        retained,
        unreachable_from_root,
    })
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
    pub fn build(idom: &[u32], root: u32) -> DominatorTree {
        let n = idom.len();
        let mut first = vec![0u32; n + 1];
        for (o, &d) in idom.iter().enumerate() {
            if o as u32 != root {
                first[d as usize + 1] += 1;
            }
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut cursor: Vec<u32> = first[1..].to_vec();
        let mut children = vec![0u32; n.saturating_sub(1)];
        for (o, &d) in idom.iter().enumerate() {
            if o as u32 == root {
                continue;
            }
            cursor[d as usize] -= 1;
            children[cursor[d as usize] as usize] = o as u32;
        }
        DominatorTree { first, children }
    }

    #[inline]
    pub fn of(&self, o: u32) -> &[u32] {
        &self.children[self.first[o as usize] as usize..self.first[o as usize + 1] as usize]
    }
}
