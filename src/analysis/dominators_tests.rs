//! Dominators checked against petgraph's `simple_fast` on random graphs where every node is
//! reachable from the root (there the dominator tree is unique, whatever the algorithm), and
//! on graphs with weak edges, orphans and unreachable cliques, where DevTools' rules say
//! what the tree is: orphans (no essential retainer) hang off the root, then the root
//! dominates whatever is still unreached.

use super::dominators::calculate_dominators;
use super::retainers::Retainers;
use crate::snapshot::{EdgeType, NodeType, Snapshot};
use crate::util::{BitVec, TestRng as Rng};
use petgraph::algo::dominators::simple_fast;
use petgraph::graph::{DiGraph, NodeIndex};

fn random_snapshot(rng: &mut Rng, n: usize, extra: usize) -> Snapshot {
    // A random spanning tree from node 0 makes everything reachable, then random extra edges.
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
    for v in 1..n {
        let p = rng.below(v as u64) as usize;
        adj[p].push(v as u32);
    }
    for _ in 0..extra {
        let a = rng.below(n as u64) as usize;
        let b = rng.below(n as u64) as u32;
        adj[a].push(b);
    }
    snapshot_of(rng, &adj)
}

fn snapshot_of(rng: &mut Rng, adj: &[Vec<u32>]) -> Snapshot {
    let mut s = Snapshot {
        node_type_names: NodeType::CANONICAL.iter().map(|x| x.to_string()).collect(),
        edge_type_names: EdgeType::CANONICAL.iter().map(|x| x.to_string()).collect(),
        ..Default::default()
    };
    s.strings = crate::snapshot::Strings::new();
    s.strings.push("");
    s.first_edge.push(0);
    for (i, out) in adj.iter().enumerate() {
        s.node_type.push(NodeType::OBJECT);
        s.node_name.push(0);
        s.node_id.push(i as u32 * 2 + 1);
        s.node_self_size.push(1 + rng.below(100) as u32);
        for &t in out {
            s.edge_type.push(EdgeType::PROPERTY);
            s.edge_name.push(0);
            s.edge_to.push(t);
        }
        s.first_edge.push(s.edge_to.len() as u32);
    }
    s
}

#[test]
fn lengauer_tarjan_agrees_with_petgraph_on_random_graphs() {
    let mut rng = Rng(0x9E3779B97F4A7C15);
    for round in 0..300 {
        let n = 2 + rng.below(60) as usize;
        let extra = rng.below(3 * n as u64) as usize;
        let s = random_snapshot(&mut rng, n, extra);
        let (mut ret, slot_edge) = Retainers::build(&s);
        let mut essential = BitVec::new(s.edge_count());
        for e in 0..s.edge_count() {
            // Self edges are never essential (DevTools' rule); petgraph ignores them anyway.
            let src = s.first_edge.partition_point(|&f| f as usize <= e) - 1;
            if s.edge_to[e] as usize != src {
                essential.set(e);
            }
        }
        let shallow = s.node_self_size.clone();
        let slot_essential = super::essential::slot_essential(&essential, &slot_edge);
        let before = ret.node.clone();
        let dom = calculate_dominators(
            &s,
            &ret.first,
            &mut ret.node,
            essential,
            &slot_essential,
            &|| false,
        )
        .unwrap();
        // The pass rewrites the retainer index's sources and must leave them as they were.
        assert_eq!(ret.node, before, "round {round}");
        let retained = super::retained::RetainedSizes::sum(&dom.idom, dom.order.clone(), &shallow);

        let mut g: DiGraph<(), ()> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..n).map(|_| g.add_node(())).collect();
        for src in 0..n {
            for e in s.edges(src as u32) {
                g.add_edge(nodes[src], nodes[s.edge_to[e] as usize], ());
            }
        }
        let expected = simple_fast(&g, nodes[0]);
        for v in 1..n {
            let idom = expected.immediate_dominator(nodes[v]).unwrap().index() as u32;
            assert_eq!(dom.idom[v], idom, "round {round}, node {v}");
        }
        // Retained size: own size plus the retained sizes of dominated children.
        for v in 0..n {
            let children: u64 = (0..n)
                .filter(|&c| c != v && dom.idom[c] as usize == v)
                .map(|c| retained.get(c as u32))
                .sum();
            assert_eq!(
                retained.get(v as u32),
                shallow[v] as u64 + children,
                "round {round}, node {v}"
            );
        }
        assert_eq!(
            retained.get(0),
            shallow.iter().map(|&x| x as u64).sum::<u64>()
        );
    }
}

#[test]
fn orphans_and_cliques_hang_off_the_root_as_in_devtools() {
    let mut rng = Rng(0xD1B54A32D192ED03);
    for round in 0..400 {
        // Sparse random edges, a quarter of them weak: some nodes are reached from the root,
        // some only through orphans, some only from each other (cliques).
        let n = 2 + rng.below(50) as usize;
        let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
        for _ in 0..rng.below(2 * n as u64) {
            let a = rng.below(n as u64) as usize;
            adj[a].push(rng.below(n as u64) as u32);
        }
        let s = snapshot_of(&mut rng, &adj);
        let mut essential = BitVec::new(s.edge_count());
        let mut g: DiGraph<(), ()> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..n).map(|_| g.add_node(())).collect();
        let mut essential_retainers = vec![0; n];
        for src in 0..n {
            for e in s.edges(src as u32) {
                let to = s.edge_to[e] as usize;
                if to != src && rng.below(4) != 0 {
                    essential.set(e);
                    essential_retainers[to] += 1;
                    g.add_edge(nodes[src], nodes[to], ());
                }
            }
        }
        for v in 1..n {
            if essential_retainers[v] == 0 {
                g.add_edge(nodes[0], nodes[v], ());
            }
        }
        let (mut ret, slot_edge) = Retainers::build(&s);
        let slot_essential = super::essential::slot_essential(&essential, &slot_edge);
        let before = ret.node.clone();
        let dom = calculate_dominators(
            &s,
            &ret.first,
            &mut ret.node,
            essential.clone(),
            &slot_essential,
            &|| false,
        )
        .unwrap();
        // The pass rewrites the retainer index's sources and must leave them as they were.
        assert_eq!(ret.node, before, "round {round}");
        let expected = simple_fast(&g, nodes[0]);
        let mut unreached = 0;
        for v in 1..n {
            let idom = match expected.immediate_dominator(nodes[v]) {
                Some(d) => d.index() as u32,
                None => 0,
            };
            assert_eq!(dom.idom[v], idom, "round {round}, node {v}");
        }
        // The DFS from the root alone: what DevTools counts as unreachable.
        let mut seen = vec![false; n];
        let mut todo = vec![0usize];
        seen[0] = true;
        while let Some(v) = todo.pop() {
            for e in s.edges(v as u32) {
                let to = s.edge_to[e] as usize;
                if essential.get(e) && !seen[to] {
                    seen[to] = true;
                    todo.push(to);
                }
            }
        }
        unreached += seen.iter().filter(|&&x| !x).count() as u32;
        assert_eq!(dom.unreachable_from_root, unreached, "round {round}");
        // Every node once in the DFS order, each after its dominator.
        let mut at = vec![usize::MAX; n];
        for (i, &o) in dom.order.iter().enumerate() {
            assert_eq!(at[o as usize], usize::MAX, "round {round}: {o} twice");
            at[o as usize] = i;
        }
        for v in 1..n {
            assert!(at[dom.idom[v] as usize] < at[v], "round {round}, node {v}");
        }
    }
}

/// Times the dominator pass inside one process, again and again on each snapshot once
/// loaded (whole loads on this shared machine scatter by 2x), and checks it gives the
/// load's tree: `HEAPDIVE_DOM_FILES=a.heapsnapshot:b.heapsnapshot cargo test --release
/// --lib dominator_pass_timing -- --ignored --nocapture` (`HEAPDIVE_DOM_ROUNDS`, default 7).
#[test]
#[ignore]
fn dominator_pass_timing() {
    use super::{essential, flags, weakmap};
    let files = std::env::var("HEAPDIVE_DOM_FILES").unwrap_or_default();
    let rounds: usize = std::env::var("HEAPDIVE_DOM_ROUNDS").map_or(7, |r| r.parse().unwrap());
    for path in files.split(':').filter(|p| !p.is_empty()) {
        let heap = crate::load::load_quiet(std::path::Path::new(path)).unwrap();
        let s = &heap.snap;
        let eph = weakmap::Ephemerons::find(s);
        let page_flags = flags::has_page_roots(s).then_some(&heap.flags[..]);
        let ess = essential::essential_edges(s, page_flags, &eph);
        let (mut ret, slot_edge) = Retainers::build(s);
        let slot_ess = essential::slot_essential(&ess, &slot_edge);
        drop(slot_edge);
        let mut times = Vec::new();
        for _ in 0..rounds {
            let t = std::time::Instant::now();
            let d = calculate_dominators(
                s,
                &ret.first,
                &mut ret.node,
                ess.clone(),
                &slot_ess,
                &|| false,
            )
            .unwrap();
            times.push(t.elapsed().as_nanos() as f64 / s.node_count() as f64);
            assert_eq!(d.idom, heap.idom);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{path}: {} nodes, {:.0} ns per node (median of {rounds})",
            s.node_count(),
            times[rounds / 2]
        );
    }
}
