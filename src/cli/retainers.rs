use super::{CliError, load_for_cli};
use crate::analysis::explain::{Explainer, explaining_paths};
use crate::analysis::locations::Locations;
use crate::analysis::{Heap, paths, steps};
use crate::fmt;
use crate::model::format::shown_distance;
use crate::sources::{Located, SourceMaps, excerpt};
use std::io::Write;
use std::path::Path;

#[derive(serde::Serialize)]
struct Obj {
    id: u32,
    #[serde(rename = "type")]
    ty: String,
    name: String,
    class: String,
    shallow_size: u32,
    retained_size: u64,
    distance: Option<i32>,
    /// How a path reads the object: `module scope of leak.js`, `handle() leak.js:12`, `Map`.
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Located>,
}

fn obj(h: &Heap, o: u32) -> Obj {
    Obj {
        id: h.id(o),
        ty: h.snap.type_name(o).to_string(),
        name: crate::util::js_slice_utf16(&h.display_name(o), 200).into_owned(),
        class: h.class_name(o).to_string(),
        shallow_size: h.shallow[o as usize],
        retained_size: h.retained.get(o),
        distance: shown_distance(h.distance[o as usize]),
        label: String::new(),
        location: None,
    }
}

/// An edge label as DevTools' `toString()` writes it: `.prop`, `[3]`, `->ctx`, `{internal}`.
pub fn edge_label(h: &Heap, e: usize) -> String {
    steps::devtools_edge_label(h, e)
}

/// What the command needs to name places: locations and source maps.
struct Places {
    locs: Locations,
    maps: SourceMaps,
}

impl Places {
    fn located(&mut self, h: &Heap, o: u32) -> Option<Located> {
        let l = self.locs.of(&h.snap, o)?;
        Some(self.maps.locate(&l))
    }

    fn obj(&mut self, h: &Heap, o: u32) -> Obj {
        let mut v = obj(h, o);
        v.label = steps::node_label(h, &self.locs, o);
        v.location = self.located(h, o);
        v
    }
}

pub fn run(
    file: &Path,
    id: &str,
    json: bool,
    k: usize,
    remap: &[String],
    timings: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let id_num: u64 = id.trim_start_matches('@').parse().map_err(|_| {
        CliError(format!(
            "'{id}' is not an object id (expected a number such as @12345)"
        ))
    })?;
    let mut maps = SourceMaps::new();
    for r in remap {
        maps.remap_arg(r)?;
    }
    // Scripts not at their recorded path are looked for near the snapshot.
    maps.search_near(file);
    let heap = load_for_cli(file, timings)?;
    let o = heap
        .snap
        .ordinal_of_id(id_num)
        .ok_or_else(|| CliError(format!("{}: no object with id @{id_num}", file.display())))?;
    let locs = Locations::build(&heap.snap);
    // Paths as people read them (variables and user objects before runtime internals).
    let explainer = Explainer::for_paths(&heap, &locs);
    let found = explaining_paths(&heap, &explainer, o, k);
    let mut places = Places { locs, maps };
    if json {
        write_json(&heap, file, o, (&explainer, &found), &mut places, out)
    } else {
        write_text(&heap, o, &found, &mut places, out)
    }
}

fn write_json(
    heap: &Heap,
    file: &Path,
    o: u32,
    (explainer, found): (&Explainer, &[paths::RetainingPath]),
    places: &mut Places,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let retainers: Vec<_> = paths::shown_retainers(heap, o)
        .iter()
        .map(|r| {
            let e = r.edge as usize;
            serde_json::json!({
                "edge": heap.snap.edge_name(e),
                "edge_type": heap.snap.edge_type_name(e),
                "from": places.obj(heap, r.from),
            })
        })
        .collect();
    let paths_json: Vec<_> = found
        .iter()
        .map(|p| {
            let steps: Vec<_> = p
                .hops
                .iter()
                .map(|hop| {
                    let e = hop.edge as usize;
                    serde_json::json!({
                        "from": places.obj(heap, hop.from),
                        "edge": heap.snap.edge_name(e),
                        "edge_type": heap.snap.edge_type_name(e),
                        "edge_label": steps::edge_label(heap, e),
                    })
                })
                .collect();
            let reason = explainer
                .last_reason(heap, p)
                .map(|hop| steps::reason_text(heap, &places.locs, &hop));
            serde_json::json!({
                "steps": steps,
                "length": p.hops.len(),
                "text": steps::path_line(heap, &places.locs, p),
                "reason": reason,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "file": file.display().to_string(),
        "object": places.obj(heap, o),
        "retainers": retainers,
        "paths": paths_json,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

/// `  at leak.js:7:28 (original src/orders.js:3:3)`.
/// The text answer for object `o` of a loaded snapshot: its retainers and `k` explaining
/// paths (the MCP server's `retainers`).
pub fn text_for(
    heap: &Heap,
    o: u32,
    k: usize,
    maps: SourceMaps,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let locs = Locations::build(&heap.snap);
    let explainer = Explainer::for_paths(heap, &locs);
    let found = explaining_paths(heap, &explainer, o, k);
    let mut places = Places { locs, maps };
    write_text(heap, o, &found, &mut places, out)
}

fn place_line(l: &Located) -> String {
    let mut s = format!("{}:{}:{}", l.script, l.line, l.column);
    if let Some(o) = &l.original {
        s.push_str(&format!(" (original {}:{}:{}", o.source, o.line, o.column));
        if let Some(n) = &o.name {
            s.push_str(&format!(" {n}"));
        }
        s.push(')');
    }
    s
}

fn write_text(
    heap: &Heap,
    o: u32,
    found: &[paths::RetainingPath],
    places: &mut Places,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let me = places.obj(heap, o);
    writeln!(
        out,
        "{} @{} ({}), shallow {}, retained {}, distance {}",
        me.name,
        me.id,
        me.class,
        fmt::bytes(me.shallow_size as u64),
        fmt::bytes(me.retained_size),
        me.distance.map_or("−".into(), |d| d.to_string())
    )?;
    if let Some(l) = &me.location {
        writeln!(out, "  at {}", place_line(l))?;
        // The code itself, where the file is on this machine (the original when mapped).
        if let Some((file, line, column)) = l.open_target()
            && let Ok(ex) = excerpt(&file, line, column, 2)
        {
            writeln!(out, "  {}:", file.display())?;
            for row in ex.numbered() {
                writeln!(out, "  {row}")?;
            }
        }
    }
    let slots = paths::shown_retainers(heap, o);
    writeln!(out, "\nRetainers ({}):", slots.len())?;
    for r in slots.iter().take(50) {
        let src = r.from;
        writeln!(
            out,
            "  {} in {} @{}  (distance {})",
            edge_label(heap, r.edge as usize),
            steps::node_label(heap, &places.locs, src),
            heap.id(src),
            shown_distance(heap.distance[src as usize]).map_or("−".into(), |d| d.to_string())
        )?;
    }
    if found.is_empty() {
        writeln!(
            out,
            "\nNo retaining path from a GC root (the object is unreachable)."
        )?;
    }
    for (i, p) in found.iter().enumerate() {
        writeln!(out, "\nPath {} ({} steps):", i + 1, p.hops.len())?;
        for step in steps::steps(heap, &places.locs, p) {
            let at = step
                .location
                .as_ref()
                .map(|l| format!("  [{}]", places.maps.locate(l).short()))
                .unwrap_or_default();
            writeln!(out, "  {} @{} {}{at}", step.label, step.id, step.edge)?;
        }
        writeln!(out, "  → {} @{}", me.label, me.id)?;
    }
    Ok(())
}
