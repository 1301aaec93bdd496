//! The node and edge columns: the `nodes` and `edges` arrays' records written straight into
//! flat columns (through [`Filler`], on both cores), each record checked as it lands.

use super::Snapshot;
use super::error::RawError;
use super::header::Layout;
use super::lexer::{Lexer, Source};
use super::records::{Filler, Part, Table};
use std::ops::Range;

/// `v[a]` and `v[b]` as two mutable slices (`a` before `b`, or `b` empty).
fn two<X>(v: &mut [X], a: Range<usize>, b: Range<usize>) -> (&mut [X], &mut [X]) {
    if b.is_empty() {
        return (&mut v[a], &mut []);
    }
    let (x, y) = v.split_at_mut(b.start);
    (&mut x[a], &mut y[..b.len()])
}

/// The node columns, as long as the header says, filled in place.
struct NodeTable<'l> {
    l: &'l Layout,
    ty: Vec<u8>,
    name: Vec<u32>,
    id: Vec<u32>,
    size: Vec<u32>,
    edges: Vec<u32>,
    det: Option<Vec<u8>>,
    trace: Option<Vec<u32>>,
}

struct NodePart<'p> {
    l: &'p Layout,
    start: usize,
    ty: &'p mut [u8],
    name: &'p mut [u32],
    id: &'p mut [u32],
    size: &'p mut [u32],
    edges: &'p mut [u32],
    det: Option<&'p mut [u8]>,
    trace: Option<&'p mut [u32]>,
}

impl Table for NodeTable<'_> {
    type Part<'p>
        = NodePart<'p>
    where
        Self: 'p;
    fn width(&self) -> usize {
        self.l.node_fields
    }
    fn capacity(&self) -> usize {
        self.l.node_count
    }
    fn parts(&mut self, a: Range<usize>, b: Range<usize>) -> (NodePart<'_>, NodePart<'_>) {
        let (ty_a, ty_b) = two(&mut self.ty, a.clone(), b.clone());
        let (name_a, name_b) = two(&mut self.name, a.clone(), b.clone());
        let (id_a, id_b) = two(&mut self.id, a.clone(), b.clone());
        let (size_a, size_b) = two(&mut self.size, a.clone(), b.clone());
        let (edges_a, edges_b) = two(&mut self.edges, a.clone(), b.clone());
        let (det_a, det_b) = match self.det.as_mut() {
            Some(d) => {
                let (x, y) = two(d, a.clone(), b.clone());
                (Some(x), Some(y))
            }
            None => (None, None),
        };
        let (trace_a, trace_b) = match self.trace.as_mut() {
            Some(t) => {
                let (x, y) = two(t, a.clone(), b.clone());
                (Some(x), Some(y))
            }
            None => (None, None),
        };
        let l = self.l;
        (
            NodePart {
                l,
                start: a.start,
                ty: ty_a,
                name: name_a,
                id: id_a,
                size: size_a,
                edges: edges_a,
                det: det_a,
                trace: trace_a,
            },
            NodePart {
                l,
                start: b.start,
                ty: ty_b,
                name: name_b,
                id: id_b,
                size: size_b,
                edges: edges_b,
                det: det_b,
                trace: trace_b,
            },
        )
    }
    fn too_many(&self) -> String {
        format!(
            "nodes array holds more than the {} nodes the header declares",
            self.l.node_count
        )
    }
}

impl Part for NodePart<'_> {
    #[inline(always)]
    fn put(&mut self, r: usize, rec: &[u32]) -> Result<(), String> {
        let l = self.l;
        let k = r - self.start;
        if k >= self.ty.len() {
            return Err(format!(
                "nodes array holds more than the {} nodes the header declares",
                l.node_count
            ));
        }
        let t = rec[l.n_type] as usize;
        self.ty[k] = *l
            .node_type_map
            .get(t)
            .ok_or_else(|| format!("node {r} has unknown type {t}"))?;
        self.name[k] = rec[l.n_name];
        self.id[k] = rec[l.n_id];
        self.size[k] = rec[l.n_self];
        self.edges[k] = rec[l.n_edges];
        if let (Some(d), Some(at)) = (self.det.as_deref_mut(), l.n_detached) {
            d[k] = (rec[at] & 3) as u8;
        }
        if let (Some(t), Some(at)) = (self.trace.as_deref_mut(), l.n_trace) {
            t[k] = rec[at];
        }
        Ok(())
    }
}

/// A zeroed column of `n` values. With `prefault` its pages are asked for at once (see
/// [`populated`](crate::process_memory::populated)): only where the header's counts are
/// bounded by the file's own size, so that a lying header in a small `.gz` makes no
/// memory resident before the arrays prove it wrong.
fn column<T: Clone + Default>(n: usize, prefault: bool) -> Vec<T> {
    let v = vec![T::default(); n];
    if prefault {
        crate::process_memory::populated(v)
    } else {
        v
    }
}

pub(super) fn read_nodes(
    lx: &mut Lexer<'_, impl Source>,
    l: &Layout,
    snap: &mut Snapshot,
    edge_counts: &mut Vec<u32>,
    prefault: bool,
) -> Result<(), RawError> {
    let n = l.node_count;
    let mut t = NodeTable {
        l,
        ty: column(n, prefault),
        name: column(n, prefault),
        id: column(n, prefault),
        size: column(n, prefault),
        // One more than the nodes: the counts become the CSR offsets in place.
        edges: column(n + 1, prefault),
        det: l.n_detached.map(|_| column(n, prefault)),
        trace: l.n_trace.map(|_| column(n, prefault)),
    };
    let mut fill = Filler::new(&mut t, "nodes");
    lx.u32_array_pieces("nodes", |p| fill.piece(p))?;
    let read = fill.finish().map_err(|m| lx.err(m))?;
    if read != n {
        return Err(lx.err(format!(
            "header declares {n} nodes but the nodes array holds {read}"
        )));
    }
    snap.node_type = t.ty;
    snap.node_name = t.name;
    snap.node_id = t.id;
    snap.node_self_size = t.size;
    snap.node_detachedness = t.det;
    snap.node_trace_id = t.trace;
    *edge_counts = t.edges;
    Ok(())
}

/// The edge columns, as long as the header says, filled in place.
struct EdgeTable<'l> {
    l: &'l Layout,
    node_count: usize,
    ty: Vec<u8>,
    name: Vec<u32>,
    to: Vec<u32>,
}

struct EdgePart<'p> {
    l: &'p Layout,
    node_count: usize,
    /// `2^64 / node_fields`, rounded up.
    div_magic: u64,
    start: usize,
    ty: &'p mut [u8],
    name: &'p mut [u32],
    to: &'p mut [u32],
}

impl Table for EdgeTable<'_> {
    type Part<'p>
        = EdgePart<'p>
    where
        Self: 'p;
    fn width(&self) -> usize {
        self.l.edge_fields
    }
    fn capacity(&self) -> usize {
        self.l.edge_count
    }
    fn parts(&mut self, a: Range<usize>, b: Range<usize>) -> (EdgePart<'_>, EdgePart<'_>) {
        let (ty_a, ty_b) = two(&mut self.ty, a.clone(), b.clone());
        let (name_a, name_b) = two(&mut self.name, a.clone(), b.clone());
        let (to_a, to_b) = two(&mut self.to, a.clone(), b.clone());
        let (l, node_count) = (self.l, self.node_count);
        let div_magic = divisor_magic(l.node_fields as u32);
        (
            EdgePart {
                l,
                node_count,
                div_magic,
                start: a.start,
                ty: ty_a,
                name: name_a,
                to: to_a,
            },
            EdgePart {
                l,
                node_count,
                div_magic,
                start: b.start,
                ty: ty_b,
                name: name_b,
                to: to_b,
            },
        )
    }
    fn too_many(&self) -> String {
        format!(
            "edges array holds more than the {} edges the header declares",
            self.l.edge_count
        )
    }
}

impl Part for EdgePart<'_> {
    #[inline(always)]
    fn put(&mut self, r: usize, rec: &[u32]) -> Result<(), String> {
        let l = self.l;
        let k = r - self.start;
        if k >= self.ty.len() {
            return Err(format!(
                "edges array holds more than the {} edges the header declares",
                l.edge_count
            ));
        }
        let to = rec[l.e_to];
        let nf = l.node_fields as u32;
        // Division by multiplication (Lemire's method, exact for every u32): a hardware
        // divide per edge costs more than scanning the edge's numbers.
        let q = divide(to, self.div_magic);
        if q.wrapping_mul(nf) != to {
            return Err(format!(
                "edge {r} points inside a node (to_node {to} is not a multiple of {nf})"
            ));
        }
        if q as usize >= self.node_count {
            return Err(format!(
                "edge {r} points outside the node array (to_node {to})"
            ));
        }
        let t = rec[l.e_type] as usize;
        self.ty[k] = *l
            .edge_type_map
            .get(t)
            .ok_or_else(|| format!("edge {r} has unknown type {t}"))?;
        self.name[k] = rec[l.e_name];
        self.to[k] = q;
        Ok(())
    }
}

/// `2^64 / d` rounded up, for [`divide`] (`d` >= 2; layouts have at least five fields).
pub(super) fn divisor_magic(d: u32) -> u64 {
    u64::MAX / d.max(2) as u64 + 1
}

/// `n / d` for the `d` of `magic` (exact for every u32 `n`).
#[inline(always)]
pub(super) fn divide(n: u32, magic: u64) -> u32 {
    ((magic as u128 * n as u128) >> 64) as u32
}

pub(super) fn read_edges(
    lx: &mut Lexer<'_, impl Source>,
    l: &Layout,
    snap: &mut Snapshot,
    edge_counts: Vec<u32>,
    prefault: bool,
) -> Result<(), RawError> {
    let m = l.edge_count;
    let total: u64 = edge_counts.iter().map(|&c| c as u64).sum();
    if total != m as u64 {
        return Err(lx.err(format!(
            "the nodes' edge counts add up to {total} but the header declares {m} edges"
        )));
    }
    // CSR offsets from the per-node edge counts (n + 1 of them, the last 0), in place.
    let node_count = edge_counts.len().saturating_sub(1);
    let mut first = edge_counts;
    let mut acc = 0u32;
    for f in first.iter_mut() {
        let c = *f;
        *f = acc;
        acc += c;
    }
    snap.first_edge = first;
    let mut t = EdgeTable {
        l,
        node_count,
        ty: column(m, prefault),
        name: column(m, prefault),
        to: column(m, prefault),
    };
    let mut fill = Filler::new(&mut t, "edges");
    lx.u32_array_pieces("edges", |p| fill.piece(p))?;
    let read = fill.finish().map_err(|m| lx.err(m))?;
    if read != m {
        return Err(lx.err(format!(
            "header declares {m} edges but the edges array holds {read}"
        )));
    }
    snap.edge_type = t.ty;
    snap.edge_name = t.name;
    snap.edge_to = t.to;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_by_multiplication_is_exact() {
        for d in 2..=64u32 {
            let m = divisor_magic(d);
            let mut n = 0u32;
            loop {
                for k in [
                    n,
                    n.wrapping_add(1),
                    n.wrapping_sub(1),
                    u32::MAX,
                    u32::MAX - d,
                ] {
                    assert_eq!(divide(k, m), k / d, "{k} / {d}");
                }
                n = match n.checked_mul(3).and_then(|x| x.checked_add(d)) {
                    Some(x) => x,
                    None => break,
                };
            }
        }
    }
}
