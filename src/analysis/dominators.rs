//! Immediate dominators and retained sizes: semi-NCA (Lengauer–Tarjan's semi-dominators
//! with path compression, then nearest common ancestors) over essential edges, on flat
//! arrays, with DevTools' treatment of nodes the root does not reach (their subtrees hang
//! off the root), so that every number matches.

use super::retainers::slots;
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

/// Immediate dominators in three passes: the DFS numbering (the only pass that follows
/// edges), semi-dominators over the retainer index (`first`, `sources`: the columns of
/// [`Retainers`](super::retainers::Retainers), lent apart so that other passes can count
/// retainers meanwhile), then semi-NCA's nearest common
/// ancestors. For the middle pass the retainer index's sources are rewritten in place into
/// DFS numbers and back afterwards (`sources` is as it was when this returns): a separate
/// predecessor list would cost 4 bytes per edge at the load's memory peak. The DFS's
/// inputs (`essential`, its visited bits) are freed before the semi-dominators, where the
/// pass's memory peaks: on a near-heap-limit Node snapshot it is the load's peak.
pub fn calculate_dominators(
    s: &Snapshot,
    first: &[u32],
    sources: &mut [u32],
    essential: BitVec,
    slot_essential: &BitVec,
    cancel: &dyn Fn() -> bool,
) -> Option<Dominators> {
    let n = s.node_count();
    let mut nb = Numbering {
        num: vec![0u32; n + 1],
        vertex: vec![0u32; n + 1],
        parent: vec![0u32; n + 1],
        seen: BitVec::new(n + 1),
        count: 0,
    };
    let reached_from_root = number_by_dfs(s, first, &essential, slot_essential, &mut nb);
    drop(essential);
    debug_assert_eq!(nb.count as usize, n);
    if cancel() {
        return None;
    }
    let Numbering {
        num,
        vertex,
        parent,
        seen,
        ..
    } = nb;
    drop(seen);
    map_in_place(sources, |o| num[o as usize + 1]);
    // `parent` becomes each number's immediate dominator (a number). The `num` buffer
    // becomes the forest, then the idom column, grown and shrunk in place, and the
    // semi-dominators' buffer is handed on as scratch: freeing a block of 1 to 32 MB
    // mid-load would raise glibc's mmap threshold, and later blocks that size would stay
    // resident when freed (measured: +7% peak RSS on a 264 MB file).
    let mut dom = parent;
    let mut semi = vec![0u32; n + 1];
    let preds = Preds {
        first,
        sources,
        slot_essential,
    };
    let forest = semi_dominators(&preds, &vertex, &dom, num, &mut semi, cancel);
    map_in_place(sources, |w| vertex[w as usize] - 1);
    let mut idom = forest?;
    immediate_dominators(&semi, &mut dom);

    // Back to node ordinals; the DFS order is the `vertex` buffer.
    idom.truncate(n);
    idom.shrink_to_fit();
    for w in 1..=n {
        idom[vertex[w] as usize - 1] = vertex[dom[w] as usize] - 1;
    }
    let mut order = vertex;
    order.remove(0);
    order.iter_mut().for_each(|v| *v -= 1);
    let mut scratch = semi;
    scratch.clear();
    Some(Dominators {
        idom,
        order,
        unreachable_from_root: n as u32 - reached_from_root,
        scratch,
    })
}

/// `v[i] = f(v[i])`, on both cores.
fn map_in_place(v: &mut [u32], f: impl Fn(u32) -> u32 + Sync) {
    use rayon::prelude::*;
    v.par_chunks_mut(1 << 16)
        .for_each(|c| c.iter_mut().for_each(|x| *x = f(*x)));
}

/// Numbers every node, DevTools' way: a DFS from the root over essential edges in edge
/// order, then one from each unreached node whose retainers are all weak (those trees hang
/// off the root), then each node still unnumbered (cliques retained only by each other)
/// alone under the root. Returns how many nodes the root reached.
fn number_by_dfs(
    s: &Snapshot,
    first: &[u32],
    essential: &BitVec,
    slot_essential: &BitVec,
    nb: &mut Numbering,
) -> u32 {
    let n = s.node_count();
    // Iterative DFS; the stack holds each open vertex's number, the next edge to look at
    // and the end of its edges (kept there: after a subtree, the vertex's first-edge slot
    // is a cache miss again on real heaps). Visits are tested in a bitmap (an eighth of a
    // byte per node, mostly in cache), not in `num`: each edge's target is a random node.
    let mut stack: Vec<(u32, u32, u32)> = Vec::new();
    let open = |v: u32, vn: u32| {
        let i = (v - 1) as usize;
        (vn, s.first_edge[i], s.first_edge[i + 1])
    };
    let mut dfs = |start: u32, start_parent: u32, nb: &mut Numbering| {
        let n0 = nb.assign(start, start_parent);
        stack.push(open(start, n0));
        while let Some(top) = stack.last_mut() {
            let (vn, end) = (top.0, top.2);
            let mut e = top.1;
            let mut next = 0;
            while e < end {
                let ei = e as usize;
                e += 1;
                if essential.get(ei) {
                    let w = s.edge_to[ei] + 1;
                    if !nb.seen.get(w as usize) {
                        next = w;
                        break;
                    }
                }
            }
            top.1 = e;
            if next == 0 {
                stack.pop();
            } else {
                let wn = nb.assign(next, vn);
                stack.push(open(next, wn));
            }
        }
        nb.count
    };
    let reached_from_root = dfs(s.root + 1, 0, nb);
    if (reached_from_root as usize) < n {
        for v in 1..=n as u32 {
            if !nb.seen.get(v as usize) && has_only_weak_retainers(first, slot_essential, v - 1) {
                dfs(v, 1, nb);
            }
        }
    }
    if (nb.count as usize) < n {
        for v in 1..=n as u32 {
            if !nb.seen.get(v as usize) {
                nb.assign(v, 1);
            }
        }
    }
    reached_from_root
}

/// Semi-dominators by path compression, as in Lengauer–Tarjan, numbers descending, into
/// `semi`. `sources` hold DFS numbers here; `parent` is each number's DFS parent.
///
/// DevTools' extras give the same tree as its Lengauer–Tarjan: a number with no essential
/// predecessor (an orphan's DFS start) takes the root as semi-dominator; clique members
/// numbered under the root are above every reached number, so they never lower a reached
/// number's semi, and their DFS parent, the root, is their dominator.
fn semi_dominators(
    preds: &Preds<'_>,
    vertex: &[u32],
    parent: &[u32],
    buffer: Vec<u32>,
    semi: &mut [u32],
    cancel: &dyn Fn() -> bool,
) -> Option<Vec<u32>> {
    let count = parent.len() as u32 - 1;
    // A linked number's ancestor in the forest and the least semi-dominator on its path,
    // read together: one slot, one cache miss ([`ANCESTOR`], [`LABEL`]).
    let mut lt = buffer;
    lt.clear();
    lt.resize(2 * (count as usize + 1), 0);
    for i in 0..=count as usize {
        lt[i * 2 + LABEL] = i as u32;
    }
    let Preds {
        first,
        sources,
        slot_essential,
    } = *preds;
    let mut stack: Vec<u32> = Vec::new();
    for w in (2..=count).rev() {
        if w & 0xFFFF == 0 && cancel() {
            return None;
        }
        // Lists are in heap order, not number order: ask early for the next ones' starts.
        if w > 3 {
            prefetch(first, vertex[w as usize - 2] as usize - 1);
        }
        let mut sw = w;
        let mut any = false;
        for k in slots(first, vertex[w as usize] - 1) {
            if !slot_essential.get(k) {
                continue;
            }
            any = true;
            let v = sources[k];
            // Numbers below `w` are not linked yet (every number above it is), so their
            // semi is their own number: known without reading their forest slot, a cache
            // miss on real heaps (about one source in four on a Chromium heap).
            let su = if v < w {
                v
            } else {
                eval(v, &mut lt, &mut stack)
            };
            sw = sw.min(su);
            // The root's number is the least there is: the other sources cannot lower it.
            // On Node heaps about half of all forest lookups come after this point (in
            // the lists of objects like maps that very many objects hold).
            if sw == 1 {
                break;
            }
        }
        if !any {
            sw = 1;
        }
        semi[w as usize] = sw;
        lt[w as usize * 2 + ANCESTOR] = parent[w as usize];
        lt[w as usize * 2 + LABEL] = sw;
    }
    Some(lt)
}

/// The retainer index as the semi-dominators read it: `sources` hold DFS numbers.
#[derive(Clone, Copy)]
struct Preds<'a> {
    first: &'a [u32],
    sources: &'a [u32],
    slot_essential: &'a BitVec,
}

/// A hint that `v[i]` will be read soon (no effect on results).
#[inline(always)]
fn prefetch(v: &[u32], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = v.get(i) {
        // SAFETY: a prefetch reads nothing and never faults; SSE is in the x86_64 baseline.
        unsafe {
            std::arch::x86_64::_mm_prefetch(
                (x as *const u32).cast::<i8>(),
                std::arch::x86_64::_MM_HINT_T0,
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, i);
}

/// Semi-NCA's second half: each number's immediate dominator is the nearest dominator-tree
/// ancestor of its DFS parent at or above its semi-dominator, numbers ascending. `dom` comes
/// in holding DFS parents; `semi[w]` is number `w`'s semi-dominator.
fn immediate_dominators(semi: &[u32], dom: &mut [u32]) {
    dom[0] = 1;
    dom[1] = 1;
    for w in 2..dom.len() {
        let mut d = dom[w];
        while d > semi[w] {
            d = dom[d as usize];
        }
        dom[w] = d;
    }
}

/// The least semi-dominator on `v`'s forest path after compressing it (`v` linked).
#[inline]
fn eval(v: u32, lt: &mut [u32], stack: &mut Vec<u32>) -> u32 {
    let anc = |x: u32| x as usize * 2 + ANCESTOR;
    let lab = |x: u32| x as usize * 2 + LABEL;
    let mut x = v;
    stack.clear();
    while lt[anc(lt[anc(x)])] != 0 {
        stack.push(x);
        x = lt[anc(x)];
    }
    while let Some(w) = stack.pop() {
        let a = lt[anc(w)];
        let la = lt[lab(a)];
        if la < lt[lab(w)] {
            lt[lab(w)] = la;
        }
        lt[anc(w)] = lt[anc(a)];
    }
    lt[lab(v)]
}

/// DFS numbers, 1-based (0: not numbered): `num` maps node ordinal + 1 to its number,
/// `vertex` a number to node ordinal + 1, `parent` a number to its DFS parent's number;
/// `seen` marks numbered ordinals + 1.
struct Numbering {
    num: Vec<u32>,
    vertex: Vec<u32>,
    parent: Vec<u32>,
    seen: BitVec,
    count: u32,
}

impl Numbering {
    #[inline(always)]
    fn assign(&mut self, v: u32, parent: u32) -> u32 {
        self.count += 1;
        let c = self.count;
        self.num[v as usize] = c;
        self.vertex[c as usize] = v;
        self.parent[c as usize] = parent;
        self.seen.set(v as usize);
        c
    }
}

/// A number's two words in the path-compressed forest, at `2 * number + ANCESTOR` and
/// `2 * number + LABEL` (the least semi-dominator on its compressed path).
const ANCESTOR: usize = 0;
const LABEL: usize = 1;

fn has_only_weak_retainers(first: &[u32], slot_essential: &BitVec, o: u32) -> bool {
    slots(first, o).all(|slot| !slot_essential.get(slot))
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
