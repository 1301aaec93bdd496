//! Classes under the names their authors gave them. A minifier renames `class
//! StandaloneEditor` to `L2`; the snapshot knows `L2` and where its constructor is. The
//! bundle's source map names the identifier where `L2` is declared: that name is the
//! original one.

use super::maps::SourceMaps;
use crate::analysis::Heap;
use crate::analysis::leaks::{LeakGroup, LeakReport};
use crate::analysis::locations::Locations;
use std::borrow::Cow;
use std::collections::HashMap;

/// Original class names, looked up once per class.
pub struct ClassNames<'a> {
    h: &'a Heap,
    locs: Cow<'a, Locations>,
    maps: &'a mut SourceMaps,
    /// By class and constructor position: minifiers reuse short names for many classes.
    cache: HashMap<(String, u64), Option<String>>,
}

/// A class name a minifier could have written: an identifier.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

impl<'a> ClassNames<'a> {
    pub fn new(h: &'a Heap, maps: &'a mut SourceMaps) -> ClassNames<'a> {
        Self::with(h, Cow::Owned(Locations::build(&h.snap)), maps)
    }

    /// Over locations already built: a second copy was the window's code job's peak, 25 MiB
    /// above the explainer's on a 1 GB snapshot.
    pub fn with_locations(
        h: &'a Heap,
        locs: &'a Locations,
        maps: &'a mut SourceMaps,
    ) -> ClassNames<'a> {
        Self::with(h, Cow::Borrowed(locs), maps)
    }

    fn with(h: &'a Heap, locs: Cow<'a, Locations>, maps: &'a mut SourceMaps) -> ClassNames<'a> {
        ClassNames {
            h,
            locs,
            maps,
            cache: HashMap::new(),
        }
    }

    /// The authors' name of object `o`'s class, where a source map gives one.
    pub fn original(&mut self, o: u32) -> Option<String> {
        let class = self.h.class_name(o);
        if !is_identifier(class) {
            return None;
        }
        let key = (
            class.to_string(),
            crate::analysis::leaks::holders::code_key(self.h, o),
        );
        if let Some(known) = self.cache.get(&key) {
            return known.clone();
        }
        let found = self
            .locs
            .of(&self.h.snap, o)
            .and_then(|loc| self.maps.declared_name(&loc, class));
        self.cache.insert(key, found.clone());
        found
    }

    fn name_group(&mut self, g: &mut LeakGroup) {
        g.original_class = self.original(g.representative);
        if let Some(o) = &g.original_class {
            // The fix says what to call on which class: the authors' name.
            g.fix = g
                .fix
                .replace(&format!(" each {} ", g.class), &format!(" each {o} "));
        }
        for m in &mut g.members {
            m.original_class = self.original(m.node);
        }
    }
}

/// Fills in `original_class` on every row and member of the report (`h` is the snapshot
/// the report's rows point into, its last).
pub fn name_report(report: &mut LeakReport, h: &Heap, maps: &mut SourceMaps) {
    let mut names = ClassNames::new(h, maps);
    for g in report
        .groups
        .iter_mut()
        .chain(report.allocated_once.iter_mut())
    {
        names.name_group(g);
    }
}
