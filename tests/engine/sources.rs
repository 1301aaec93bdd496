//! From objects to code on real snapshots: script locations, scope owners, scopes' retained
//! sizes against the DevTools oracle's per-node numbers, and a minified bundle resolved
//! through its source map to the original file and line.
//!
//! The fixtures ran from the neutral folder /srv/shop (tools/snapshot-gen/make-fixtures.sh), so
//! their snapshots name `/srv/shop/leak.js` and `/srv/shop/app.bundle.js`. Searched near the
//! snapshot, as heapdive does, those are the repository's fixtures/leak/leak.js and
//! fixtures/srcmap/app.bundle.js, found by path suffix with no remap; some tests map the folder
//! to the fixture folder instead, as `--remap` does for snapshots taken on another machine.

use crate::common;
use common::*;
use heapdive::Heap;
use heapdive::analysis::locations::Locations;
use heapdive::analysis::scopes::scopes;
use heapdive::cli::Command;
use heapdive::snapshot::NodeType;
use heapdive::sources::{MapStatus, SourceMaps, excerpt};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The folder the fixtures' scripts ran from, as their snapshots name it.
const RUN_DIR: &str = "/srv/shop";
const BUNDLE_RUN_DIR: &str = RUN_DIR;

fn load(name: &str) -> Heap {
    heapdive::load_quiet(&fixture(&format!("{name}.heapsnapshot.gz"))).unwrap()
}

/// The oracle's retained size per node id.
fn oracle_retained(name: &str) -> HashMap<u64, u64> {
    let tsv = gunzip_text(&fixture(&format!("{name}.nodes.tsv.gz")));
    tsv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].parse().unwrap(), f[5].parse().unwrap())
        })
        .collect()
}

fn bundle_maps() -> SourceMaps {
    let mut maps = SourceMaps::new();
    maps.remap(BUNDLE_RUN_DIR, fixture("srcmap"));
    maps
}

/// The closure named `name` (raw name) whose script path ends with `script`.
fn closure(h: &Heap, locs: &Locations, name: &str, script: &str) -> u32 {
    (0..h.node_count() as u32)
        .find(|&o| {
            h.snap.ntype(o) == NodeType::CLOSURE
                && h.snap.raw_name(o) == name
                && locs
                    .of(&h.snap, o)
                    .is_some_and(|l| l.script.ends_with(script))
        })
        .unwrap_or_else(|| panic!("no closure {name} in {script}"))
}

#[test]
fn leak_js_locations_and_scope_owners() {
    let h = load("leak/leak-3");
    let locs = Locations::build(&h.snap);
    // `class Session { constructor(id) ...` on line 7: every Session at 7:28.
    let session = (0..h.node_count() as u32)
        .find(|&o| h.class_name(o) == "Session" && h.snap.ntype(o) == NodeType::OBJECT)
        .unwrap();
    let l = locs.of(&h.snap, session).unwrap();
    assert_eq!(l.script, format!("{RUN_DIR}/leak.js"));
    assert_eq!((l.line, l.column), (7, 28));
    assert_eq!(l.short(), "leak.js:7:28");
    // Searched near the snapshot, with no remap, that is the script beside the samples.
    let mut maps = SourceMaps::new();
    maps.search_near(&fixture("leak/leak-3.heapsnapshot.gz"));
    let r = maps.resolve(&l);
    assert_eq!(r.file, Some(fixture("leak/leak.js")));
    let ex = excerpt(&fixture("leak/leak.js"), l.line, l.column, 0).unwrap();
    assert!(ex.lines[0].contains("class Session {"), "{:?}", ex.lines);
    // `function handle(i) {` on line 12: the closure starts at its `(`.
    let handle = closure(&h, &locs, "handle", "leak.js");
    let l = locs.of(&h.snap, handle).unwrap();
    assert_eq!((l.line, l.column), (12, 16));
    // Runtime scripts are named too.
    assert!(
        (0..h.node_count() as u32)
            .filter_map(|o| locs.of(&h.snap, o))
            .any(|l| l.script == "node:internal/timers")
    );

    let all = scopes(&h, &locs);
    let module = all
        .iter()
        .find(|s| {
            s.variables
                .iter()
                .any(|v| v.name == "cache" && v.class == "Map")
        })
        .expect("the scope holding `cache`");
    assert_eq!(module.function.as_deref(), Some("(module)"));
    assert_eq!(module.script, Some(format!("{RUN_DIR}/leak.js")));
    assert_eq!((module.line, module.column), (Some(1), Some(1)));
    assert_eq!(module.label, "module scope of leak.js");
    let mut names: Vec<&str> = module.variables.iter().map(|v| v.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        ["RequestContext", "Session", "bus", "cache", "timers"]
    );
    // Each call of handle() has a scope holding `ctx` for the listener and timer closures.
    let calls: Vec<_> = all
        .iter()
        .filter(|s| s.variables.iter().any(|v| v.name == "ctx"))
        .collect();
    assert_eq!(calls.len(), 1600); // 400 calls a round, four rounds
    assert!(
        calls
            .iter()
            .all(|s| s.label == "scope of handle (leak.js:12)"
                && s.line == Some(12)
                && s.variables[0].class == "RequestContext")
    );
}

/// The first object of class `class` in fixture `name`: its location, and where the maps
/// searching near the snapshot (with no remap) find its script.
fn found_near(name: &str, class: &str) -> (heapdive::analysis::locations::SourceLocation, PathBuf) {
    let h = load(name);
    let locs = Locations::build(&h.snap);
    let o = (0..h.node_count() as u32)
        .find(|&o| h.class_name(o) == class && h.snap.ntype(o) == NodeType::OBJECT)
        .unwrap_or_else(|| panic!("no {class} in {name}"));
    let l = locs.of(&h.snap, o).unwrap();
    let mut maps = SourceMaps::new();
    maps.search_near(&fixture(&format!("{name}.heapsnapshot.gz")));
    let file = maps
        .resolve(&l)
        .file
        .unwrap_or_else(|| panic!("{} not found", l.script));
    (l, file)
}

#[test]
fn the_page_and_the_tracked_script_are_found_in_the_repository_with_no_remap() {
    // The Chromium page was loaded as a file URL from the neutral folder.
    let (l, file) = found_near("chrome/chrome-2", "Widget");
    assert_eq!(l.script, format!("file://{RUN_DIR}/page.html"));
    assert_eq!(file, fixture("chrome/page.html"));
    let ex = excerpt(&file, l.line, l.column, 0).unwrap();
    assert!(ex.lines[0].contains("class Widget {"), "{:?}", ex.lines);
    // The tracked process ran tracked.js from there.
    let (l, file) = found_near("alloc/tracked", "Order");
    assert_eq!(l.script, format!("{RUN_DIR}/tracked.js"));
    assert_eq!(file, fixture("alloc/tracked.js"));
    let ex = excerpt(&file, l.line, l.column, 0).unwrap();
    assert!(ex.lines[0].contains("class Order {"), "{:?}", ex.lines);
}

#[test]
fn scope_sizes_equal_the_oracles_retained_sizes() {
    for name in ["leak/leak-3", "srcmap/app", "chrome/chrome-2"] {
        let out = run_cli(Command::Contexts {
            file: fixture(&format!("{name}.heapsnapshot.gz")),
            json: true,
            top: 0,
            remap: Vec::new(),
            timings: false,
        });
        let v: Value = serde_json::from_str(&out).unwrap();
        let oracle = oracle_retained(name);
        let contexts = v["contexts"].as_array().unwrap();
        assert!(contexts.len() > 10, "{name}: {} scopes", contexts.len());
        let mut variables = 0;
        let mut last = u64::MAX;
        for c in contexts {
            let r = c["retained_size"].as_u64().unwrap();
            assert_eq!(r, oracle[&c["id"].as_u64().unwrap()], "{name}: scope {c}");
            assert!(r <= last, "{name}: scopes sorted by retained size");
            last = r;
            for var in c["variables"].as_array().unwrap() {
                let id = var["id"].as_u64().unwrap();
                assert_eq!(
                    var["retained_size"].as_u64().unwrap(),
                    oracle[&id],
                    "{name}: {var}"
                );
                assert!(var["name"].as_str().is_some() && var["class"].as_str().is_some());
                variables += 1;
            }
        }
        assert!(variables > 10, "{name}: {variables} variables");
    }
}

#[test]
fn a_bundled_closure_resolves_to_its_original_source() {
    let h = load("srcmap/app");
    let locs = Locations::build(&h.snap);
    // Minified `function o(){let r=new Map;return function(e){...}}` is makeOrders.
    let make = closure(&h, &locs, "o", "app.bundle.js");
    let l = locs.of(&h.snap, make).unwrap();
    assert_eq!(l.script, format!("{BUNDLE_RUN_DIR}/app.bundle.js"));
    assert_eq!((l.line, l.column), (1, 90));
    let mut maps = bundle_maps();
    let r = maps.resolve(&l);
    assert_eq!(r.status, MapStatus::Mapped);
    assert_eq!(r.file, Some(fixture("srcmap/app.bundle.js")));
    let o = r.original.unwrap();
    assert_eq!(o.source, "src/orders.js");
    assert_eq!((o.line, o.name.as_deref()), (10, Some("makeOrders")));
    let path = o
        .path
        .clone()
        .expect("the original file is in the repository");
    assert_eq!(path, fixture("srcmap/src/orders.js"));
    // Searched near the snapshot instead of remapped, the bundle and its map are found too.
    let mut near = SourceMaps::new();
    near.search_near(&fixture("srcmap/app.heapsnapshot.gz"));
    let n = near.resolve(&l);
    assert_eq!(n.status, MapStatus::Mapped);
    assert_eq!(n.file, Some(fixture("srcmap/app.bundle.js")));
    assert_eq!(n.original, Some(o.clone()));
    // What the window shows and opens: the original file at the original line.
    let located = maps.locate(&l);
    assert_eq!(located.open_target(), Some((path.clone(), 10, o.column)));
    let argv = heapdive::sources::editor_command(
        Some("code -g {file}:{line}:{column}"),
        &path,
        10,
        o.column,
        &|_| None,
    )
    .unwrap();
    assert_eq!(argv[2], format!("{}:10:{}", path.display(), o.column));
    let ex = excerpt(&path, o.line, o.column, 2).unwrap();
    assert_eq!(ex.first_line, 8);
    assert_eq!(ex.lines.len(), 5);
    assert_eq!(ex.lines[2], "export function makeOrders() {");
    assert!(ex.numbered()[2].starts_with("> 10 | export function"));

    // The returned closure (anonymous in the bundle) lands on `return function addOrder`.
    let add = closure(&h, &locs, "", "app.bundle.js");
    let o = maps
        .resolve(&locs.of(&h.snap, add).unwrap())
        .original
        .unwrap();
    assert_eq!((o.source.as_str(), o.line), ("src/orders.js", 12));

    // Its scope (holding the Map as minified `r`) is makeOrders' scope.
    let scope = scopes(&h, &locs)
        .into_iter()
        .find(|s| {
            s.variables
                .iter()
                .any(|v| v.name == "r" && v.class == "Map")
        })
        .unwrap();
    assert_eq!(scope.function.as_deref(), Some("o"));
    assert_eq!((scope.line, scope.column), (Some(1), Some(90)));
    assert_eq!(scope.label, "scope of o (app.bundle.js:1)");

    // `contexts --json --remap` gives the owner's original place and name.
    let out = run_cli(Command::Contexts {
        file: fixture("srcmap/app.heapsnapshot.gz"),
        json: true,
        top: 0,
        remap: vec![format!("{BUNDLE_RUN_DIR}={}", fixture("srcmap").display())],
        timings: false,
    });
    let v: Value = serde_json::from_str(&out).unwrap();
    let c = v["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == h.id(scope.node))
        .unwrap();
    assert_eq!(c["function"], "o");
    assert_eq!(c["original"]["name"], "makeOrders");
    assert_eq!(c["original"]["source"], "src/orders.js");
    assert_eq!(c["original"]["line"], 10);
}

/// `heapdive retainers` of an Order (minified class `t`) held in makeOrders' Map, its id
/// written as `{id_prefix}N`, with the bundle's folder remapped to the fixtures.
fn retainers_of_an_order(id_prefix: &str, json: bool, paths: usize) -> String {
    let h = load("srcmap/app");
    let order = (0..h.node_count() as u32)
        .find(|&o| h.snap.ntype(o) == NodeType::OBJECT && h.class_name(o) == "t")
        .unwrap();
    run_cli(Command::Retainers {
        file: fixture("srcmap/app.heapsnapshot.gz"),
        id: format!("{id_prefix}{}", h.id(order)),
        json,
        paths,
        remap: vec![format!("{BUNDLE_RUN_DIR}={}", fixture("srcmap").display())],
        timings: false,
    })
}

#[test]
fn retainers_json_carries_original_locations() {
    let out = retainers_of_an_order("@", true, 3);
    let v: Value = serde_json::from_str(&out).unwrap();
    let loc = &v["object"]["location"];
    assert_eq!(loc["script"], format!("{BUNDLE_RUN_DIR}/app.bundle.js"));
    assert_eq!(
        (loc["line"].as_u64(), loc["column"].as_u64()),
        (Some(1), Some(49))
    );
    // `constructor(id, items)` of `class Order` on line 3 of the original.
    assert_eq!(loc["original"]["source"], "src/orders.js");
    assert_eq!(loc["original"]["line"], 3);
    let path = &v["paths"][0];
    let steps = path["steps"].as_array().unwrap();
    let scope_step = steps
        .iter()
        .find(|s| s["edge_label"] == "variable r")
        .unwrap_or_else(|| panic!("{path:#}"));
    assert_eq!(scope_step["from"]["label"], "scope of o (app.bundle.js:1)");
    assert_eq!(
        scope_step["from"]["location"]["original"]["name"],
        "makeOrders"
    );
    assert_eq!(scope_step["from"]["location"]["original"]["line"], 10);
}

#[test]
fn retainers_text_shows_the_original_line_of_code() {
    let out = retainers_of_an_order("", false, 1);
    assert!(out.contains("(original src/orders.js:3:3)"), "{out}");
    assert!(out.contains("> 3 |   constructor(id, items) {"), "{out}");
    assert!(out.contains("scope of o (app.bundle.js:1) @"), "{out}");
    assert!(out.contains("variable r  [src/orders.js:10:17]"), "{out}");
}

/// A scratch folder with a copy of the bundle and a map of the caller's choice.
fn scratch_dir(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("heapdive-maps-{tag}-{}", std::process::id()))
}

fn scratch(tag: &str, bundle_tail: &str, map: Option<&[u8]>) -> PathBuf {
    let dir = scratch_dir(tag);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let code = std::fs::read_to_string(fixture("srcmap/app.bundle.js")).unwrap();
    let code = code.lines().next().unwrap().to_string() + "\n" + bundle_tail;
    std::fs::write(dir.join("app.bundle.js"), code).unwrap();
    if let Some(m) = map {
        std::fs::write(dir.join("app.bundle.js.map"), m).unwrap();
    }
    dir
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn status_at(dir: &Path) -> (MapStatus, Option<String>) {
    let h_loc = heapdive::analysis::locations::SourceLocation {
        script: dir.join("app.bundle.js").display().to_string(),
        script_id: 0,
        line: 1,
        column: 90,
    };
    let r = SourceMaps::new().resolve(&h_loc);
    (r.status, r.original.and_then(|o| o.name))
}

#[test]
fn maps_inline_beside_missing_or_broken_are_statuses() {
    let map = std::fs::read(fixture("srcmap/app.bundle.js.map")).unwrap();
    let inline = format!(
        "//# sourceMappingURL=data:application/json;base64,{}\n",
        base64(&map)
    );
    let d = scratch("inline", &inline, None);
    assert_eq!(
        status_at(&d),
        (MapStatus::Mapped, Some("makeOrders".into()))
    );
    let d = scratch("beside", "", Some(&map));
    assert_eq!(
        status_at(&d),
        (MapStatus::Mapped, Some("makeOrders".into()))
    );
    let d = scratch("none", "", None);
    assert_eq!(status_at(&d).0, MapStatus::NoMap);
    let d = scratch("broken", "", Some(b"{\"version\": 3, \"mappings\": 12"));
    assert!(
        matches!(status_at(&d).0, MapStatus::Broken(_)),
        "{:?}",
        status_at(&d)
    );
    let d = scratch("dangling", "//# sourceMappingURL=gone.js.map\n", None);
    assert!(matches!(status_at(&d).0, MapStatus::Broken(e) if e.contains("gone.js.map")));
    let gone = SourceMaps::new().resolve(&heapdive::analysis::locations::SourceLocation {
        script: "/nonexistent/heapdive/app.js".into(),
        script_id: 0,
        line: 1,
        column: 1,
    });
    assert!(matches!(gone.status, MapStatus::NoFile(_)));
    for tag in ["inline", "beside", "none", "broken", "dangling"] {
        let _ = std::fs::remove_dir_all(scratch_dir(tag));
    }
}

#[test]
fn retainers_on_the_command_line_find_the_samples_script_with_no_remap() {
    let h = load("leak/leak-3");
    let session = (0..h.node_count() as u32)
        .find(|&o| h.class_name(o) == "Session")
        .unwrap();
    let out = run_cli(Command::Retainers {
        file: fixture("leak/leak-3.heapsnapshot.gz"),
        id: format!("@{}", h.id(session)),
        json: false,
        paths: 1,
        remap: vec![],
        timings: false,
    });
    // Recorded as /srv/shop/leak.js: found beside the samples, its line of code quoted.
    let line7 = std::fs::read_to_string(fixture("leak/leak.js")).unwrap();
    let line7 = line7.lines().nth(6).unwrap().trim();
    assert!(out.contains(line7), "{out}");
}
