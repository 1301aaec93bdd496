//! WeakMap ephemeron edge names. V8 names both edges to a WeakMap value like
//! `"<n> / part of key (<k> @<id>) -> value (<v> @<id>) pair in WeakMap (table @<id>)"`;
//! DevTools parses them to treat the pair specially in distances and dominators.

use crate::snapshot::Snapshot;
use crate::util::BitVec;
use std::collections::HashMap;

pub struct Ephemerons {
    /// Strings that are ephemeron edge names.
    is_ephemeron: BitVec,
    /// String index -> (id of the part after the leading number, table object id).
    parsed: HashMap<u32, (u32, u64)>,
    pub pair_count: u32,
}

fn regex() -> regex::Regex {
    regex::Regex::new(
        r"^[0-9]+(?<dup> / part of key \([^\n\r\u{2028}\u{2029}]*? @[0-9]+\) -> value \([^\n\r\u{2028}\u{2029}]*? @[0-9]+\) pair in WeakMap \(table @(?<table>[0-9]+)\))$",
    )
    .expect("valid regex")
}

impl Ephemerons {
    pub fn find(s: &Snapshot) -> Ephemerons {
        let n = s.strings.len();
        let mut is_ephemeron = BitVec::new(n);
        let mut parsed = HashMap::new();
        let mut dup_ids: HashMap<String, u32> = HashMap::new();
        let re = regex();
        for i in 0..n as u32 {
            let text = s.strings.get(i);
            if !text.ends_with(')') || !text.contains("pair in WeakMap (table @") {
                continue;
            }
            if let Some(c) = re.captures(text) {
                let dup = c.name("dup").map_or("", |m| m.as_str());
                let next = dup_ids.len() as u32;
                let id = *dup_ids.entry(dup.to_string()).or_insert(next);
                let table = c
                    .name("table")
                    .and_then(|m| m.as_str().parse::<f64>().ok())
                    .map_or(u64::MAX, |v| {
                        if v <= u64::MAX as f64 {
                            v as u64
                        } else {
                            u64::MAX
                        }
                    });
                is_ephemeron.set(i as usize);
                parsed.insert(i, (id, table));
            }
        }
        Ephemerons {
            is_ephemeron,
            parsed,
            pair_count: dup_ids.len() as u32,
        }
    }

    /// For a string-named internal edge: (pair id, table id) if it is an ephemeron edge.
    #[inline]
    pub fn get(&self, string_index: u32) -> Option<(u32, u64)> {
        if (string_index as usize) < self.is_ephemeron_len()
            && self.is_ephemeron.get(string_index as usize)
        {
            self.parsed.get(&string_index).copied()
        } else {
            None
        }
    }

    fn is_ephemeron_len(&self) -> usize {
        self.is_ephemeron.heap_bytes() * 8
    }
}
