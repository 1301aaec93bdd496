//! The MCP tools' answers in words: compact enough for a model's context, sizes in human
//! units with the bytes beside them, lists paged.

use crate::analysis::allocations::{AllocationProfile, frame};
use crate::analysis::leaks::leak_report;
use crate::analysis::locations::{SourceLocation, short_script};
use crate::analysis::scopes::Scope;
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

    pub fn range(self, len: usize) -> std::ops::Range<usize> {
        let start = self.offset.min(len);
        start..(start + self.limit).min(len)
    }

    /// `rows 21-40 of 311 (offset 40 for more)`.
    pub fn footer(self, len: usize) -> String {
        let r = self.range(len);
        let more = if r.end < len {
            format!("; offset {} for more", r.end)
        } else {
            String::new()
        };
        format!("rows {}-{} of {len}{more}", r.start + 1, r.end)
    }
}

/// `806.4 kB (806,400 B)`; `184 B` alone.
pub fn size(b: u64) -> String {
    let human = fmt::bytes(b);
    let exact = format!("{} B", fmt::group(b));
    if human == exact || human == format!("{b} B") {
        human
    } else {
        format!("{human} ({exact})")
    }
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
        size(h.retained.get(o)),
        fmt::percent(h.retained.get(o), h.total_size)
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
            size(h.retained.get(to))
        );
    }
    Ok(t + &page.footer(edges.len()))
}

/// Native contexts, biggest attributed size first, then shared and not attributed.
pub fn native_contexts(
    id: &str,
    found: &crate::analysis::native_contexts::NativeContexts,
    page: Page,
) -> String {
    let all = &found.contexts;
    let mut s = format!(
        "{id}: {} native contexts, biggest attributed size first\n",
        all.len()
    );
    let r = page.range(all.len());
    for (i, c) in all[r.clone()].iter().enumerate() {
        let name = if c.name.is_empty() {
            "(unnamed)"
        } else {
            &c.name
        };
        let _ = writeln!(
            s,
            "{}. {name} @{}: {} attributed",
            r.start + i + 1,
            c.id,
            size(c.attributed_size)
        );
    }
    let _ = writeln!(
        s,
        "shared between native contexts: {}",
        size(found.shared.size)
    );
    let _ = writeln!(
        s,
        "not attributed to a native context: {}",
        size(found.unattributed.size)
    );
    s + &page.footer(all.len())
}

/// Closure scopes (`system / Context`), biggest retained size first, each with its owner's
/// code and its biggest variables.
pub fn contexts(id: &str, scopes: &[Scope], maps: &mut SourceMaps, page: Page) -> String {
    let mut s = format!(
        "{id}: {} scopes (closure contexts), biggest retained size first\n",
        fmt::group(scopes.len() as u64)
    );
    let r = page.range(scopes.len());
    for (i, sc) in scopes[r.clone()].iter().enumerate() {
        let _ = write!(
            s,
            "{}. {} @{}, retained {}",
            r.start + i + 1,
            sc.label,
            sc.id,
            size(sc.retained_size)
        );
        if let (Some(script), Some(line), Some(column)) = (&sc.script, sc.line, sc.column) {
            let _ = write!(s, "  at {}:{line}:{column}", short_script(script));
            let loc = SourceLocation {
                script: script.clone(),
                script_id: 0,
                line,
                column,
            };
            if let Some(o) = maps.resolve(&loc).original {
                let _ = write!(s, " (original {}:{}:{})", o.source, o.line, o.column);
            }
        }
        s.push('\n');
        for v in sc.variables.iter().take(SCOPE_VARIABLES) {
            let _ = writeln!(
                s,
                "   variable {}: {} @{}, retained {}",
                v.name,
                v.class,
                v.id,
                size(v.retained_size)
            );
        }
        if sc.variables.len() > SCOPE_VARIABLES {
            let more = sc.variables.len() - SCOPE_VARIABLES;
            let _ = writeln!(s, "   … {more} more variables (object @{})", sc.id);
        }
    }
    s + &page.footer(scopes.len())
}

/// Variables shown per scope; the rest are the scope object's edges (`object`).
const SCOPE_VARIABLES: usize = 5;

/// DevTools' Allocation view: one row per function that allocated, what it allocated and
/// what of that is still alive.
pub fn allocations(id: &str, h: &Heap, file: &Path, page: Page) -> Result<String, CliError> {
    let s = &h.snap;
    let (Some(trace), Some(profile)) = (
        s.allocation_trace.as_ref(),
        AllocationProfile::new(s, &h.shallow),
    ) else {
        return Err(crate::cli::no_allocation_stacks(file));
    };
    let rows = profile.functions(trace);
    let mut t = format!(
        "{id}: {} functions allocated (allocation tracking), in the Allocation view's order\n",
        fmt::group(rows.len() as u64)
    );
    let r = page.range(rows.len());
    for (i, row) in rows[r.clone()].iter().enumerate() {
        let f = frame(s, trace, row.function);
        let name = if f.name.is_empty() {
            "(anonymous)"
        } else {
            f.name
        };
        let _ = writeln!(
            t,
            "{}. {name} at {}:{}:{}: ×{} allocated, {}; ×{} live, {}",
            r.start + i + 1,
            short_script(f.script),
            f.line,
            f.column,
            fmt::group(row.totals.count),
            size(row.totals.size),
            fmt::group(row.totals.live_count),
            size(row.totals.live_size)
        );
    }
    Ok(t + &page.footer(rows.len()))
}
