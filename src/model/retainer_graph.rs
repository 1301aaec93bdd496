//! The retainer graph's shape: the K shortest retaining paths merged into one small graph
//! (petgraph), each object in a layer by its distance from the selected object. Built on a
//! worker with the paths; the window only draws it.

use crate::analysis::paths::RetainingPath;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::HashMap;

pub struct RetainerGraph {
    /// No path at all: nothing reachable from a GC root holds the object.
    pub unreachable: bool,
    /// Nodes are object ordinals, edges are edge indexes.
    pub graph: DiGraph<u32, u32>,
    /// Layer of each graph node: 0 is the selected object, higher is nearer a GC root.
    pub layer: Vec<usize>,
    pub target: u32,
    /// How each graph node and edge reads (by graph index), made on the worker.
    pub node_text: Vec<String>,
    pub edge_text: Vec<String>,
}

impl RetainerGraph {
    pub fn build(paths: &[RetainingPath], target: u32) -> RetainerGraph {
        let mut graph: DiGraph<u32, u32> = DiGraph::new();
        let mut index: HashMap<u32, NodeIndex> = HashMap::new();
        let mut layer: Vec<usize> = Vec::new();
        let mut node =
            |g: &mut DiGraph<u32, u32>, layer: &mut Vec<usize>, o: u32, l: usize| -> NodeIndex {
                if let Some(&i) = index.get(&o) {
                    layer[i.index()] = layer[i.index()].min(l);
                    return i;
                }
                let i = g.add_node(o);
                index.insert(o, i);
                layer.push(l);
                i
            };
        node(&mut graph, &mut layer, target, 0);
        for p in paths {
            // hops[0] is nearest the root; the last hop points at the target.
            let n = p.hops.len();
            for (k, hop) in p.hops.iter().enumerate() {
                let from = node(&mut graph, &mut layer, hop.from, n - k);
                let to_node = if k + 1 < n {
                    p.hops[k + 1].from
                } else {
                    target
                };
                let to = node(&mut graph, &mut layer, to_node, n - k - 1);
                if graph.find_edge(from, to).is_none() {
                    graph.add_edge(from, to, hop.edge);
                }
            }
        }
        RetainerGraph {
            unreachable: paths.is_empty(),
            graph,
            layer,
            target,
            node_text: Vec::new(),
            edge_text: Vec::new(),
        }
    }

    /// Names the boxes (objects) and arrows (edges) with the given readers.
    pub fn labelled(mut self, node: impl Fn(u32) -> String, edge: impl Fn(u32) -> String) -> Self {
        self.node_text = self.graph.node_weights().map(|&o| node(o)).collect();
        self.edge_text = self.graph.edge_weights().map(|&e| edge(e)).collect();
        self
    }
}
