//! The Comparison view's state: DevTools' Comparison rows of the current snapshot against a
//! base, sortable by any column, filtered by class name, expandable to new and deleted objects.

use super::class_rows::{class_rows, page};
use super::ids::SnapId;
use crate::analysis::diff::DiffRow;
use crate::util::js_cmp;
use std::collections::HashSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffColumn {
    Constructor,
    New,
    Deleted,
    Delta,
    Alloc,
    Freed,
    SizeDelta,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffRowRef {
    Class(usize),
    /// A new object: an ordinal in the current (target) snapshot.
    New {
        class: usize,
        node: u32,
    },
    /// A deleted object: an ordinal in the base snapshot.
    Deleted {
        class: usize,
        node: u32,
    },
    More {
        class: usize,
        hidden: usize,
    },
}

/// Objects listed per expanded class (new, then deleted).
pub const SHOWN: usize = 200;

pub struct ComparisonModel {
    pub base: SnapId,
    pub target: SnapId,
    pub classes: Vec<DiffRow>,
    pub sort: (DiffColumn, bool),
    pub text_filter: String,
    pub rows: Vec<DiffRowRef>,
    expanded: HashSet<String>,
    shown: std::collections::HashMap<String, usize>,
    /// Classes (by key) a source map names otherwise, from the target's code.
    pub original_names: std::sync::Arc<std::collections::HashMap<String, String>>,
}

impl ComparisonModel {
    pub fn new(base: SnapId, target: SnapId, classes: Vec<DiffRow>) -> Self {
        let mut m = ComparisonModel {
            base,
            target,
            classes,
            sort: (DiffColumn::Alloc, true),
            text_filter: String::new(),
            rows: Vec::new(),
            expanded: HashSet::new(),
            shown: Default::default(),
            original_names: Default::default(),
        };
        m.resort();
        m
    }

    pub fn click_header(&mut self, c: DiffColumn) {
        if self.sort.0 == c {
            self.sort.1 = !self.sort.1;
        } else {
            self.sort = (c, c != DiffColumn::Constructor);
        }
        self.resort();
    }

    fn resort(&mut self) {
        let (c, desc) = self.sort;
        self.classes.sort_by(|a, b| {
            let o = match c {
                DiffColumn::Constructor => js_cmp(&a.name, &b.name),
                DiffColumn::New => a.new_count.cmp(&b.new_count),
                DiffColumn::Deleted => a.deleted_count.cmp(&b.deleted_count),
                DiffColumn::Delta => a.delta_count.cmp(&b.delta_count),
                DiffColumn::Alloc => a.alloc_size.cmp(&b.alloc_size),
                DiffColumn::Freed => a.freed_size.cmp(&b.freed_size),
                DiffColumn::SizeDelta => a.size_delta.cmp(&b.size_delta),
            };
            let o = if desc { o.reverse() } else { o };
            o.then_with(|| js_cmp(&a.name, &b.name))
        });
        self.rebuild();
    }

    pub fn set_text_filter(&mut self, t: &str) {
        if self.text_filter != t {
            self.text_filter = t.to_string();
            self.rebuild();
        }
    }

    pub fn is_expanded(&self, class: usize) -> bool {
        self.expanded.contains(&self.classes[class].key)
    }

    pub fn toggle(&mut self, class: usize) {
        let k = self.classes[class].key.clone();
        if !self.expanded.remove(&k) {
            self.expanded.insert(k);
        }
        self.rebuild();
    }

    pub fn show_more(&mut self, class: usize) {
        *self
            .shown
            .entry(self.classes[class].key.clone())
            .or_insert(SHOWN) += SHOWN * 5;
        self.rebuild();
    }

    /// Keeps only classes whose name is exactly `name` (the growth chart's click-through).
    pub fn focus_class(&mut self, name: &str) {
        self.text_filter = name.to_string();
        self.rebuild();
        if let Some(i) = self.classes.iter().position(|c| c.name == name) {
            self.expanded.insert(self.classes[i].key.clone());
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        let (classes, expanded, shown) = (&self.classes, &self.expanded, &self.shown);
        self.rows = class_rows(
            classes.iter().map(|c| c.name.as_str()),
            &self.text_filter,
            |i, rows| {
                let c = &classes[i];
                if !expanded.contains(&c.key) {
                    return None;
                }
                let limit = shown.get(&c.key).copied().unwrap_or(SHOWN);
                let new = c
                    .new_members
                    .iter()
                    .map(|&node| DiffRowRef::New { class: i, node });
                let deleted = c.deleted_members.iter();
                let deleted = deleted.map(|&node| DiffRowRef::Deleted { class: i, node });
                let total = c.new_members.len() + c.deleted_members.len();
                Some(page(new.chain(deleted), total, limit, rows))
            },
            DiffRowRef::Class,
            |class, hidden| DiffRowRef::More { class, hidden },
        );
    }
}
