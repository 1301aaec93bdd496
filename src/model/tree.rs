//! Lazily expanded trees over the heap graph (Containment, Dominators, Retainers), kept as
//! a flat list of visible rows so a table can draw only what is on screen.

use crate::analysis::Heap;
use crate::analysis::paths::{RetainingPath, shown_retainers};
use std::sync::Arc;

/// Children added per expansion; a "more" row loads the next page.
pub const CHUNK: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TreeKind {
    /// Children are outgoing edges, largest retained size first.
    Containment,
    /// Children are the nodes a node immediately dominates, largest first.
    Dominators,
    /// Children are the retainers (who holds this), closest to a GC root first.
    Retainers,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeRow {
    pub node: u32,
    /// The edge between this row's node and its parent row's node (containment: parent ->
    /// node; retainers: node -> parent).
    pub edge: Option<u32>,
    pub depth: u16,
    pub parent: Option<usize>,
    pub expanded: bool,
    /// The node repeats an ancestor's: shown, but not expandable.
    pub cycle: bool,
    /// A "… N more" row for the parent (node is unused).
    pub more: Option<(usize, usize)>,
}

pub struct TreeModel {
    pub heap: Arc<Heap>,
    pub kind: TreeKind,
    pub rows: Vec<TreeRow>,
    /// A row the view should select and scroll to (set by a reveal, taken by the view).
    pub focus: Option<usize>,
    /// Retainers shown first among their siblings, as (node, retainer, edge): the steps of
    /// the path the tree follows, so that the path reads as consecutive rows.
    first: Vec<(u32, u32, u32)>,
}

impl TreeModel {
    /// A tree with `root` as its only top row, expanded.
    pub fn new(heap: Arc<Heap>, kind: TreeKind, root: u32) -> Self {
        let mut t = TreeModel {
            heap,
            kind,
            rows: vec![TreeRow {
                node: root,
                edge: None,
                depth: 0,
                parent: None,
                expanded: false,
                cycle: false,
                more: None,
            }],
            focus: None,
            first: Vec::new(),
        };
        t.expand(0);
        t
    }

    /// Children of a node as (node, edge) in display order.
    pub fn children(&self, node: u32) -> Vec<(u32, Option<u32>)> {
        let h = &*self.heap;
        let s = &h.snap;
        match self.kind {
            TreeKind::Containment => {
                let mut v: Vec<(u32, Option<u32>)> = s
                    .edges(node)
                    .map(|e| (s.edge_to[e], Some(e as u32)))
                    .collect();
                v.sort_by_cached_key(|&(n, e)| {
                    let name = e.map(|e| s.edge_name(e as usize)).unwrap_or_default();
                    // Retained size descending, then edge name, with __proto__ last.
                    (
                        std::cmp::Reverse(h.retained.get(n)),
                        name == "__proto__",
                        name,
                    )
                });
                v
            }
            TreeKind::Dominators => {
                let mut v: Vec<(u32, Option<u32>)> = h
                    .dominator_tree
                    .of(node)
                    .iter()
                    .map(|&n| (n, None))
                    .collect();
                v.sort_by_key(|&(n, _)| (std::cmp::Reverse(h.retained.get(n)), h.id(n)));
                v
            }
            TreeKind::Retainers => {
                let mut v: Vec<(u32, Option<u32>)> = shown_retainers(h, node)
                    .into_iter()
                    .map(|r| (r.from, Some(r.edge)))
                    .collect();
                if let Some(&(_, from, edge)) = self.first.iter().find(|f| f.0 == node)
                    && let Some(at) = v.iter().position(|&c| c == (from, Some(edge)))
                {
                    v[..=at].rotate_right(1);
                }
                v
            }
        }
    }

    pub fn has_children(&self, node: u32) -> bool {
        let h = &*self.heap;
        match self.kind {
            TreeKind::Containment => !h.snap.edges(node).is_empty(),
            TreeKind::Dominators => !h.dominator_tree.of(node).is_empty(),
            TreeKind::Retainers => !h.retainers.of(node).is_empty(),
        }
    }

    pub fn is_expandable(&self, i: usize) -> bool {
        let r = &self.rows[i];
        r.more.is_none() && !r.cycle && self.has_children(r.node)
    }

    fn on_path(&self, mut i: Option<usize>, node: u32) -> bool {
        while let Some(k) = i {
            if self.rows[k].node == node {
                return true;
            }
            i = self.rows[k].parent;
        }
        false
    }

    /// End (exclusive) of row `i`'s subtree in the flat list.
    fn subtree_end(&self, i: usize) -> usize {
        let d = self.rows[i].depth;
        let mut j = i + 1;
        while j < self.rows.len() && self.rows[j].depth > d {
            j += 1;
        }
        j
    }

    pub fn expand(&mut self, i: usize) {
        if i >= self.rows.len() || self.rows[i].expanded || !self.is_expandable(i) {
            return;
        }
        self.rows[i].expanded = true;
        let kids = self.children(self.rows[i].node);
        self.insert_children(i, &kids, 0);
    }

    fn insert_children(&mut self, parent: usize, kids: &[(u32, Option<u32>)], from: usize) {
        let depth = self.rows[parent].depth + 1;
        let end = (from + CHUNK).min(kids.len());
        let mut new_rows: Vec<TreeRow> = kids[from..end]
            .iter()
            .map(|&(node, edge)| TreeRow {
                node,
                edge,
                depth,
                parent: Some(parent),
                expanded: false,
                cycle: self.on_path(Some(parent), node),
                more: None,
            })
            .collect();
        if end < kids.len() {
            new_rows.push(TreeRow {
                node: self.rows[parent].node,
                edge: None,
                depth,
                parent: Some(parent),
                expanded: false,
                cycle: false,
                more: Some((end, kids.len() - end)),
            });
        }
        let at = self.subtree_end(parent);
        self.splice_rows(at, new_rows);
    }

    /// Inserts rows at `at`, shifting parent indexes of later rows.
    fn splice_rows(&mut self, at: usize, new_rows: Vec<TreeRow>) {
        let k = new_rows.len();
        for r in self.rows[at..].iter_mut() {
            if let Some(p) = r.parent.as_mut()
                && *p >= at
            {
                *p += k;
            }
        }
        self.rows.splice(at..at, new_rows);
    }

    pub fn collapse(&mut self, i: usize) {
        if i >= self.rows.len() || !self.rows[i].expanded {
            return;
        }
        self.rows[i].expanded = false;
        let end = self.subtree_end(i);
        let k = end - (i + 1);
        self.rows.drain(i + 1..end);
        for r in self.rows[i + 1..].iter_mut() {
            if let Some(p) = r.parent.as_mut()
                && *p >= end
            {
                *p -= k;
            }
        }
    }

    pub fn toggle(&mut self, i: usize) {
        match self.rows.get(i) {
            Some(r) if r.more.is_some() => self.load_more(i),
            Some(r) if r.expanded => self.collapse(i),
            Some(_) => self.expand(i),
            None => {}
        }
    }

    /// Replaces a "more" row by the next page of its parent's children.
    pub fn load_more(&mut self, i: usize) {
        let Some((from, _)) = self.rows[i].more else {
            return;
        };
        let Some(parent) = self.rows[i].parent else {
            return;
        };
        let kids = self.children(self.rows[parent].node);
        self.rows.remove(i);
        for r in self.rows[i..].iter_mut() {
            if let Some(p) = r.parent.as_mut()
                && *p > i
            {
                *p -= 1;
            }
        }
        self.insert_children(parent, &kids, from);
    }

    /// Retainers: follow the first (closest to a GC root) retainer down from the root row,
    /// up to `levels`, stopping at a user root or an unreachable node (as DevTools does).
    pub fn expand_shortest_path(&mut self, levels: usize) {
        let mut i = 0;
        for _ in 0..levels {
            self.expand(i);
            let child = i + 1;
            if child >= self.rows.len()
                || self.rows[child].parent != Some(i)
                || self.rows[child].more.is_some()
            {
                break;
            }
            let d = self.heap.distance[self.rows[child].node as usize];
            if d <= 1
                || d >= crate::analysis::distances::BASE_UNREACHABLE_DISTANCE
                || self.rows[child].cycle
            {
                // Still show this last step, but stop expanding.
                break;
            }
            i = child;
        }
    }

    /// Retainers: expands the rows along `path` (from a GC root down to the top row's
    /// object), each step the retainer with that node and edge; returns the row reached
    /// (where the path leaves the rows shown, the last one found).
    pub fn reveal_retaining_path(&mut self, path: &RetainingPath) -> usize {
        let mut parent = self.rows[0].node;
        self.first = path
            .hops
            .iter()
            .rev()
            .map(|hop| (std::mem::replace(&mut parent, hop.from), hop.from, hop.edge))
            .collect();
        // Rows made before the path was known are made again, its steps first.
        self.collapse(0);
        let mut i = 0;
        for hop in path.hops.iter().rev() {
            self.expand(i);
            match self.find_child(i, hop.from, hop.edge) {
                Some(j) => i = j,
                None => break,
            }
        }
        i
    }

    /// The child row of `parent` for `node` by `edge`, loading further pages of children
    /// (a GC-root category sorts after thousands of retainers) up to a bound.
    fn find_child(&mut self, parent: usize, node: u32, edge: u32) -> Option<usize> {
        for _ in 0..40 {
            let end = self.subtree_end(parent);
            let kids = (parent + 1..end).filter(|&j| self.rows[j].parent == Some(parent));
            let mut more = None;
            for j in kids {
                let r = &self.rows[j];
                if r.more.is_some() {
                    more = Some(j);
                } else if r.node == node && r.edge == Some(edge) {
                    return Some(j);
                }
            }
            self.load_more(more?);
        }
        None
    }

    /// The path of nodes from the top row to row `i`.
    pub fn path_to(&self, i: usize) -> Vec<u32> {
        let mut v = Vec::new();
        let mut k = Some(i);
        while let Some(j) = k {
            v.push(self.rows[j].node);
            k = self.rows[j].parent;
        }
        v.reverse();
        v
    }

    /// Expands rows along `path` (nodes from the top row's node down) and returns the row of
    /// the last node found.
    pub fn reveal_path(&mut self, path: &[u32]) -> Option<usize> {
        let mut i = 0;
        if self.rows.first()?.node != *path.first()? {
            return None;
        }
        for &next in &path[1..] {
            self.expand(i);
            let end = self.subtree_end(i);
            let found = (i + 1..end).find(|&j| {
                self.rows[j].parent == Some(i)
                    && self.rows[j].node == next
                    && self.rows[j].more.is_none()
            });
            match found {
                Some(j) => i = j,
                None => return Some(i),
            }
        }
        Some(i)
    }
}
