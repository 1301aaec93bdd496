//! The MCP tools' answers in words: compact enough for a model's context, sizes in human
//! units with the bytes beside them, lists paged.

use crate::analysis::leaks::leak_report;
use crate::analysis::{Heap, diff, steps, summary};
use crate::cli::CliError;
use crate::fmt;
use crate::sources::SourceMaps;
use crate::sources::class_names::name_report;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A page of a list: from `offset`, at most `limit` (default 20, at most 500).
#[derive(Clone, Copy)]
pub struct Page {
    pub offset: usize,
    pub limit: usize,
}

impl Page {
    pub fn new(offset: Option<usize>, limit: Option<usize>) -> Page {
        Page {
            offset: offset.unwrap_or(0),
            limit: limit.unwrap_or(20).clamp(1, 500),
        }
    }

    fn range(self, len: usize) -> std::ops::Range<usize> {
        let start = self.offset.min(len);
        start..(start + self.limit).min(len)
    }

    /// `rows 21-40 of 311 (offset 40 for more)`.
    fn footer(self, len: usize) -> String {
        let r = self.range(len);
        let more = if r.end < len {
            format!("; offset {} for more", r.end)
        } else {
            String::new()
        };
        format!("rows {}-{} of {len}{more}", r.start + 1, r.end)
    }
}

/// `806.4 kB (806,400 B)`.
fn size(b: u64) -> String {
    format!("{} ({} B)", fmt::bytes(b), fmt::group(b))
}

fn object_id(id: &str) -> Result<u64, CliError> {
    id.trim_start_matches('@')
        .parse()
        .map_err(|_| CliError(format!("'{id}' is not an object id such as @12345")))
}

fn ordinal(h: &Heap, id: &str) -> Result<u32, CliError> {
    let n = object_id(id)?;
    h.snap
        .ordinal_of_id(n)
        .ok_or_else(|| CliError(format!("no object with id @{n} in this snapshot")))
}

pub fn opened(id: &str, path: &str, h: &Heap) -> String {
    format!(
        "{id}: {path}\n{} nodes, {} edges, total {}",
        fmt::group(h.node_count() as u64),
        fmt::group(h.snap.edge_count() as u64),
        size(h.total_size)
    )
}

pub fn summary(id: &str, h: &Heap, filter: Option<&str>, page: Page) -> String {
    let mut rows = summary::aggregates(h, None);
    summary::sort_by_retained(&mut rows);
    let want = filter.map(str::to_lowercase);
    rows.retain(|r| {
        want.as_ref()
            .is_none_or(|w| r.name.to_lowercase().contains(w))
    });
    let mut s = format!(
        "{id}: classes by retained size, total {}\n",
        size(h.total_size)
    );
    for r in &rows[page.range(rows.len())] {
        let _ = writeln!(
            s,
            "{} ×{}: shallow {}, retained {} ({})",
            r.name,
            fmt::group(r.count),
            size(r.shallow_size),
            size(r.retained_size),
            fmt::percent(r.retained_size, h.total_size)
        );
    }
    s + &page.footer(rows.len())
}

pub fn diff(b: &Heap, t: &Heap, page: Page) -> String {
    let rows = diff::compare(b, t);
    let mut s = String::from("classes by allocated size (new, deleted, size delta)\n");
    for r in &rows[page.range(rows.len())] {
        let _ = writeln!(
            s,
            "{}: +{} new, −{} deleted, size {}{}",
            r.name,
            fmt::group(r.new_count),
            fmt::group(r.deleted_count),
            if r.size_delta < 0 { "−" } else { "+" },
            size(r.size_delta.unsigned_abs())
        );
    }
    s + &page.footer(rows.len())
}

pub fn leaks(files: &[PathBuf], heaps: &[Arc<Heap>], top: usize) -> Result<String, CliError> {
    let refs: Vec<&Heap> = heaps.iter().map(|h| &**h).collect();
    let mut report = leak_report(&refs);
    let mut maps = SourceMaps::new();
    if let Some(f) = files.last() {
        maps.search_near(f);
    }
    name_report(&mut report, refs[refs.len() - 1], &mut maps);
    let mut out = Vec::new();
    crate::cli::leaks_text(files, &report, top, &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

pub fn retainers(h: &Heap, id: &str, paths: usize, near: &Path) -> Result<String, CliError> {
    let o = ordinal(h, id)?;
    let mut maps = SourceMaps::new();
    maps.search_near(near);
    let mut out = Vec::new();
    crate::cli::retainers_text(h, o, paths.clamp(1, 10), maps, &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

pub fn object(h: &Heap, id: &str, page: Page) -> Result<String, CliError> {
    let o = ordinal(h, id)?;
    let s = &h.snap;
    let mut t = format!(
        "@{} {} ({}, {}): shallow {}, retained {} ({})\n",
        h.id(o),
        crate::util::js_slice_utf16(&h.display_name(o), 120),
        h.class_name(o),
        s.type_name(o),
        size(h.shallow[o as usize] as u64),
        size(h.retained[o as usize]),
        fmt::percent(h.retained[o as usize], h.total_size)
    );
    let edges: Vec<usize> = s.edges(o).collect();
    let _ = writeln!(t, "edges:");
    for &e in &edges[page.range(edges.len())] {
        let to = s.edge_to[e];
        let _ = writeln!(
            t,
            "  {} → {} @{} (retained {})",
            steps::devtools_edge_label(h, e),
            h.class_name(to),
            h.id(to),
            size(h.retained[to as usize])
        );
    }
    Ok(t + &page.footer(edges.len()))
}
