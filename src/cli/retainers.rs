use super::{CliError, load_for_cli, shown_distance};
use crate::analysis::{Heap, paths};
use crate::util::human_bytes;
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
}

fn obj(h: &Heap, o: u32) -> Obj {
    Obj {
        id: h.id(o),
        ty: h.snap.type_name(o).to_string(),
        name: crate::util::js_slice_utf16(&h.display_name(o), 200).into_owned(),
        class: h.class_name(o).to_string(),
        shallow_size: h.shallow[o as usize],
        retained_size: h.retained[o as usize],
        distance: shown_distance(h.distance[o as usize]),
    }
}

/// An edge label as DevTools' `toString()` writes it: `.prop`, `[3]`, `->ctx`, `{internal}`.
pub fn edge_label(h: &Heap, e: usize) -> String {
    use crate::snapshot::EdgeType as T;
    let s = &h.snap;
    let name = s.edge_name(e);
    match s.edge_type[e] {
        T::CONTEXT => format!("->{name}"),
        T::ELEMENT => format!("[{name}]"),
        T::WEAK => format!("[[{name}]]"),
        T::PROPERTY | T::SHORTCUT => {
            if s.edge_type[e] == T::SHORTCUT
                && crate::util::js_parse_int(s.strings.get(s.edge_name[e])).is_some()
            {
                format!("[{name}]")
            } else if name.contains(' ') {
                format!("[\"{name}\"]")
            } else {
                format!(".{name}")
            }
        }
        _ => format!("{{{name}}}"),
    }
}

pub fn run(
    file: &Path,
    id: &str,
    json: bool,
    k: usize,
    timings: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let id_num: u64 = id.trim_start_matches('@').parse().map_err(|_| {
        CliError(format!(
            "'{id}' is not an object id (expected a number such as @12345)"
        ))
    })?;
    let heap = load_for_cli(file, timings)?;
    let o = heap
        .snap
        .ordinal_of_id(id_num)
        .ok_or_else(|| CliError(format!("{}: no object with id @{id_num}", file.display())))?;
    let found = paths::shortest_paths(&heap, o, k, 40);
    let slots = paths::shown_retainers(&heap, o);
    if json {
        let retainers: Vec<_> = slots
            .iter()
            .map(|r| {
                let e = r.edge as usize;
                serde_json::json!({
                    "edge": heap.snap.edge_name(e),
                    "edge_type": heap.snap.edge_type_name(e),
                    "from": obj(&heap, r.from),
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
                        serde_json::json!({
                            "from": obj(&heap, hop.from),
                            "edge": heap.snap.edge_name(hop.edge as usize),
                            "edge_type": heap.snap.edge_type_name(hop.edge as usize),
                        })
                    })
                    .collect();
                serde_json::json!({ "steps": steps, "length": p.hops.len() })
            })
            .collect();
        let doc = serde_json::json!({
            "file": file.display().to_string(),
            "object": obj(&heap, o),
            "retainers": retainers,
            "paths": paths_json,
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
        return Ok(());
    }
    let me = obj(&heap, o);
    writeln!(
        out,
        "{} @{} ({}), shallow {}, retained {}, distance {}",
        me.name,
        me.id,
        me.class,
        human_bytes(me.shallow_size as u64),
        human_bytes(me.retained_size),
        me.distance.map_or("−".into(), |d| d.to_string())
    )?;
    writeln!(out, "\nRetainers ({}):", slots.len())?;
    for r in slots.iter().take(50) {
        let src = r.from;
        let e = r.edge as usize;
        writeln!(
            out,
            "  {} in {} @{}  (distance {})",
            edge_label(&heap, e),
            heap.class_name(src),
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
        for hop in &p.hops {
            writeln!(
                out,
                "  {} @{} {}",
                heap.class_name(hop.from),
                heap.id(hop.from),
                edge_label(&heap, hop.edge as usize)
            )?;
        }
        writeln!(out, "  → {} @{}", heap.class_name(o), heap.id(o))?;
    }
    Ok(())
}
