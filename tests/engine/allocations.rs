//! Allocation stacks: DevTools' Allocation view numbers and every object's allocation stack
//! on snapshots of a tracked Node process (fixtures/alloc/tracked.js; expected files from the
//! devtools-oracle by fixtures/make-expected.sh), including one whose header undercounts its
//! functions; the model-level APIs a view uses; broken trace data.

use crate::common;
use common::*;
use heapdive::analysis::allocations::{AllocationProfile, frame};
use heapdive::analysis::timeline::Timeline;
use heapdive::cli::Command;
use serde_json::Value;
use std::path::Path;

/// (snapshot, expected) pairs: as V8 wrote it (header undercounts), and the .heaptimeline
/// stopTrackingHeapObjects writes (header right).
const TRACKED: &[(&str, &str)] = &[
    (
        "alloc/tracked.heapsnapshot.gz",
        "alloc/tracked.allocations.json.gz",
    ),
    (
        "alloc/tracked.heaptimeline.gz",
        "alloc/tracked.heaptimeline.allocations.json.gz",
    ),
];

fn allocations_json(file: &str) -> Value {
    serde_json::from_str(&run_cli(Command::Allocations {
        file: fixture(file),
        stacks: true,
        json: true,
        timings: false,
    }))
    .unwrap()
}

#[test]
fn allocation_rows_and_every_stack_match_the_oracle() {
    for (file, expected) in TRACKED {
        let mine = allocations_json(file);
        let oracle: Value = serde_json::from_str(&gunzip_text(&fixture(expected))).unwrap();
        let rows = |v: &Value, k: [&str; 8]| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|r| k.map(|f| r[f].to_string()).join("|"))
                .collect()
        };
        let m = rows(
            &mine["functions"],
            [
                "name",
                "script",
                "line",
                "column",
                "count",
                "size",
                "live_count",
                "live_size",
            ],
        );
        let e = rows(
            &oracle["tops"],
            [
                "name",
                "scriptName",
                "line",
                "column",
                "count",
                "size",
                "liveCount",
                "liveSize",
            ],
        );
        assert!(e.len() > 20, "{file}: the oracle's rows");
        // Same rows in the same order (size descending, ties in file order).
        assert_eq!(m, e, "{file}: allocation rows");
        let (ms, es) = (
            mine["stacks"].as_object().unwrap(),
            oracle["stacks"].as_object().unwrap(),
        );
        assert!(es.len() > 1000, "{file}: the oracle's stacks");
        assert_eq!(ms.len(), es.len(), "{file}: objects with a stack");
        let bad: Vec<_> = es
            .iter()
            .filter(|(id, s)| ms.get(*id) != Some(s))
            .take(3)
            .collect();
        assert!(
            bad.is_empty(),
            "{file}: differing stacks (oracle's): {bad:?}"
        );
        // Which rows expand (to their callers), through the API a view uses.
        let heap = heapdive::load_quiet(&fixture(file)).unwrap();
        let t = heap.snap.allocation_trace.as_ref().unwrap();
        let p = AllocationProfile::new(&heap.snap, &heap.shallow).unwrap();
        let mine: Vec<bool> = p.functions(t).iter().map(|r| r.has_callers).collect();
        let theirs: Vec<bool> = oracle["tops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["hasChildren"].as_bool().unwrap())
            .collect();
        assert_eq!(mine, theirs, "{file}: expandable rows");
    }
}

#[test]
fn the_table_names_every_function() {
    let out = run_cli(Command::Allocations {
        file: fixture(TRACKED[1].0),
        stacks: true,
        json: false,
        timings: false,
    });
    assert!(out.lines().next().unwrap().contains("live size"));
    assert!(out.contains("makeOrder "), "{out}");
    assert!(out.contains("\n    makeOrder@"), "stacks listed");
}

/// The header's `trace_function_count` and the functions the file lists.
fn declared_and_listed_functions(file: &str) -> (u64, u64) {
    let d: Value = serde_json::from_str(&gunzip_text(&fixture(file))).unwrap();
    let fields = d["snapshot"]["meta"]["trace_function_info_fields"]
        .as_array()
        .unwrap()
        .len() as u64;
    let listed = d["trace_function_infos"].as_array().unwrap().len() as u64 / fields;
    (
        d["snapshot"]["trace_function_count"].as_u64().unwrap(),
        listed,
    )
}

#[test]
fn one_fixture_undercounts_its_functions_and_the_other_does_not() {
    let (declared, listed) = declared_and_listed_functions(TRACKED[0].0);
    assert!(declared < listed, "{declared} declared, {listed} listed");
    let (declared, listed) = declared_and_listed_functions(TRACKED[1].0);
    assert_eq!(declared, listed);
}

#[test]
fn callers_objects_and_stacks_agree_with_the_function_rows() {
    let heap = heapdive::load_quiet(&fixture(TRACKED[0].0)).unwrap();
    let s = &heap.snap;
    let t = s.allocation_trace.as_ref().unwrap();
    let p = AllocationProfile::new(s, &heap.shallow).unwrap();
    let rows = p.functions(t);
    let mut seen_callers = 0;
    for r in &rows {
        let f = r.function;
        // The live objects a function allocated are its live count and size.
        let objects = p.objects(&p.trace_nodes(t, &[f]));
        assert_eq!(objects.len() as u64, r.totals.live_count, "function {f}");
        let size: u64 = objects
            .iter()
            .map(|&o| heap.shallow[o as usize] as u64)
            .sum();
        assert_eq!(size, r.totals.live_size, "function {f}");
        for &o in &objects {
            let stack = p.stack(s, t, o).unwrap();
            assert_eq!(t.node_function[stack[0] as usize], f);
        }
        // Bottom-up: what went through each caller adds up to the function's numbers.
        let callers = p.callers(t, &[f]);
        assert_eq!(r.has_callers, !callers.is_empty(), "function {f}");
        if callers.is_empty() {
            continue;
        }
        seen_callers += 1;
        let (count, size) = callers
            .iter()
            .fold((0, 0), |(c, z), x| (c + x.totals.count, z + x.totals.size));
        assert_eq!(
            (count, size),
            (r.totals.count, r.totals.size),
            "function {f}"
        );
        // One level further: the callers' callers add up to the caller.
        for c in callers.iter().filter(|c| c.has_callers) {
            let deeper = p.callers(t, &[f, c.function]);
            let n: u64 = deeper.iter().map(|x| x.totals.count).sum();
            assert_eq!(n, c.totals.count, "function {f} via {}", c.function);
        }
    }
    assert!(seen_callers > 20);
    // makeOrder is called by placeOrders only, in the fixture's script.
    let name = |f: u32| frame(s, t, f).name;
    let make_order = rows
        .iter()
        .find(|r| name(r.function) == "makeOrder")
        .unwrap();
    let callers = p.callers(t, &[make_order.function]);
    let names: Vec<&str> = callers.iter().map(|c| name(c.function)).collect();
    assert_eq!(names, ["placeOrders"]);
}

#[test]
fn the_top_down_tree_sums_to_every_allocation() {
    let heap = heapdive::load_quiet(&fixture(TRACKED[1].0)).unwrap();
    let s = &heap.snap;
    let t = s.allocation_trace.as_ref().unwrap();
    let p = AllocationProfile::new(s, &heap.shallow).unwrap();
    let sub = p.subtree_totals(t);
    let roots: Vec<u32> = t.roots().collect();
    assert_eq!(roots, [0]);
    let all: u64 = t.node_count.iter().map(|&c| c as u64).sum();
    assert_eq!(sub[0].count, all);
    for k in 0..t.node_count() as u32 {
        let children: u64 = t.children(k).map(|c| sub[c as usize].size).sum();
        assert_eq!(
            sub[k as usize].size,
            children + t.node_size[k as usize] as u64
        );
    }
}

#[test]
fn the_timeline_places_live_js_objects_by_id() {
    let heap = heapdive::load_quiet(&fixture(TRACKED[1].0)).unwrap();
    let s = &heap.snap;
    let tl = Timeline::new(s, &heap.shallow).unwrap();
    assert_eq!(tl.time_ms.len(), s.samples.timestamp_us.len());
    assert!(tl.time_ms.len() >= 3);
    // Every live JS object (odd id) up to the last sample's id is in exactly one sample.
    let last = *tl.last_assigned_id.last().unwrap();
    let expected: u64 = (0..s.node_count())
        .filter(|&o| s.node_id[o] % 2 == 1 && s.node_id[o] <= last)
        .map(|o| heap.shallow[o] as u64)
        .sum();
    assert_eq!(tl.size.iter().sum::<u64>(), expected);
    // Selecting everything after the first sample covers ids past the first sample's.
    let sel = tl.select(tl.time_ms[1] - tl.time_ms[0], tl.total_ms);
    assert_eq!(sel.min_id, tl.last_assigned_id[0] as u64);
    assert_eq!(sel.max_id, u64::MAX);
    assert_eq!(sel.size, tl.size[1..].iter().sum::<u64>());
    let bars = tl.bars(400);
    assert_eq!(bars.iter().map(|b| b.size).sum::<u64>(), sel.size);
}

#[test]
fn snapshots_without_tracking_have_no_trace_and_say_so() {
    let heap = heapdive::load_quiet(&fixture("node/small.heapsnapshot.gz")).unwrap();
    assert!(heap.snap.allocation_trace.is_none());
    assert!(heap.snap.node_trace_id.is_none());
    assert!(AllocationProfile::new(&heap.snap, &heap.shallow).is_none());
    let mut out = Vec::new();
    let cmd = Command::Allocations {
        file: fixture("node/small.heapsnapshot.gz"),
        stacks: false,
        json: false,
        timings: false,
    };
    let err = heapdive::cli::run(cmd, &mut out).err().unwrap().0;
    assert!(err.contains("has no allocation stacks"), "{err}");
}

const META: &str = r#""node_fields":["type","name","id","self_size","edge_count","trace_node_id"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],"sample_fields":["timestamp_us","last_assigned_id"]"#;

/// A tiny tracked snapshot: root -> global (allocated by `f`, trace node 2 under the root
/// trace node 1). Strings: "", "global", "(root)", "f", "a.js".
fn tracked(trace_node_fields: &str, trace_tree: &str, samples: &str) -> String {
    format!(
        r#"{{"snapshot":{{"meta":{{{META},"trace_node_fields":{trace_node_fields}}},"node_count":2,"edge_count":1,"trace_function_count":2}},
"nodes":[9,0,1,0,1,0, 3,1,3,40,0,2],
"edges":[5,1,6],
"trace_function_infos":[0,2,0,0,0,0, 7,3,4,1,3,5],
"trace_tree":{trace_tree},
"samples":{samples},
"strings":["","global","(root)","f","a.js"]}}"#
    )
}

const FIELDS: &str = r#"["id","function_info_index","count","size","children"]"#;

fn read(text: &str) -> Result<heapdive::snapshot::Snapshot, String> {
    heapdive::snapshot::read_snapshot_from(text.as_bytes(), text.len() as u64, Path::new("t"))
        .map_err(|e| e.to_string())
}

#[test]
fn a_tiny_tracked_snapshot_reads_in_any_field_order() {
    let plain = read(&tracked(FIELDS, "[1,0,0,0,[2,1,1,40,[]]]", "[0,1,500,3]")).unwrap();
    // The same tree with the children first and the fields shuffled.
    let shuffled = read(&tracked(
        r#"["children","size","id","count","function_info_index"]"#,
        "[[[],40,2,1,1],0,1,0,0]",
        "[0,1,500,3]",
    ))
    .unwrap();
    for s in [&plain, &shuffled] {
        let t = s.allocation_trace.as_ref().unwrap();
        assert_eq!(t.node_id, [1, 2]);
        assert_eq!(t.node_parent, [heapdive::snapshot::NO_PARENT, 0]);
        assert_eq!(t.node_function, [0, 1]);
        assert_eq!(t.node_size, [0, 40]);
        assert_eq!(s.node_trace_id.as_deref(), Some(&[0, 2][..]));
        assert_eq!(s.samples.last_assigned_id, [1, 3]);
        assert_eq!(s.samples.timestamp_us, [0, 500]);
        let p = AllocationProfile::new(s, &s.node_self_size).unwrap();
        let stack = p.stack_frames(s, t, 1).unwrap();
        let shown: Vec<String> = stack.iter().map(|f| f.to_string()).collect();
        assert_eq!(shown, ["f@a.js:3:5", "(root)@:0:0"]);
        assert!(p.stack(s, t, 0).is_none());
    }
}

#[test]
fn broken_trace_data_gets_a_clear_message() {
    let cases = [
        (
            tracked(FIELDS, "[1,0,0,0,[2,9,1,40,[]]]", "[]"),
            "trace tree node 2 refers to function 9, but there are only 2 functions",
        ),
        (
            tracked(FIELDS, "[1,0,0,0,[2,1,1,[]]]", "[]"),
            "expected a number in trace_tree",
        ),
        (
            tracked(FIELDS, "[1,0,0,0,[2,1,1,40,[]],5]", "[]"),
            "fewer than the 5 fields",
        ),
        (
            tracked(FIELDS, "[1,0,0,0,[1,1,1,40,[]]]", "[]"),
            "two nodes with id 1",
        ),
        (
            tracked(FIELDS, "[1,0,0,0,[2,1,1,40,[]]", "[]"),
            "expected a number in trace_tree",
        ),
        (
            tracked(FIELDS, "[1,0,0,0,[2,1,1,40,[]]]", "[0,1,500]"),
            "samples array length",
        ),
        (
            tracked(r#"["id","count","size","children"]"#, "[]", "[]"),
            "no \"function_info_index\" field",
        ),
    ];
    for (text, needle) in cases {
        let err = read(&text).err().unwrap_or_default();
        assert!(err.contains(needle), "expected '{needle}' in: {err}");
    }
}

#[test]
fn mangled_trace_data_never_panics() {
    // Every byte of the trace members replaced by each of a few troublesome ones: each
    // result either reads (and its allocation view and stacks work) or is refused in words.
    let base = tracked(FIELDS, "[1,0,0,0,[2,1,1,40,[3,1,2,8,[]]]]", "[0,1,500,3]");
    let start = base.find("\"trace_function_infos\"").unwrap();
    let end = base.find("\"strings\"").unwrap();
    let mut read_ok = 0;
    for at in start..end {
        for b in [b'[', b']', b',', b'9', b'0', b'-', b' ', b'"'] {
            let mut bytes = base.clone().into_bytes();
            bytes[at] = b;
            let Ok(text) = String::from_utf8(bytes) else {
                continue;
            };
            if let Ok(s) = read(&text) {
                read_ok += 1;
                if let (Some(t), Some(p)) = (
                    s.allocation_trace.as_ref(),
                    AllocationProfile::new(&s, &s.node_self_size),
                ) {
                    for r in p.functions(t) {
                        p.callers(t, &[r.function]);
                        frame(&s, t, r.function).to_string();
                    }
                    for o in 0..s.node_count() as u32 {
                        p.stack_frames(&s, t, o);
                    }
                    p.subtree_totals(t);
                }
                if let Some(tl) = Timeline::new(&s, &s.node_self_size) {
                    tl.bars(50);
                    tl.select(0.0, 1e9);
                }
            }
        }
    }
    assert!(read_ok > 0);
}

/// The window's top-down tree: the roots hold everything the oracle's bottom-up rows add up
/// to, and an opened row's children with its own allocations make up its total.
#[test]
fn the_top_down_tree_adds_up_to_the_oracles_rows() {
    use heapdive::model::allocation_tree::AllocationTree;
    let heap = std::sync::Arc::new(
        heapdive::load_quiet(&fixture("alloc/tracked.heaptimeline.gz")).unwrap(),
    );
    let profile = AllocationProfile::new(&heap.snap, &heap.shallow).expect("trace data");
    let mut tree = AllocationTree::new(heap.clone(), &profile).expect("trace data");
    let oracle: Value = serde_json::from_str(&gunzip_text(&fixture(
        "alloc/tracked.heaptimeline.allocations.json.gz",
    )))
    .unwrap();
    let sum = |k: &str| -> u64 {
        oracle["tops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[k].as_u64().unwrap())
            .sum()
    };
    let roots: Vec<_> = tree.rows.clone();
    let total = |f: fn(&heapdive::analysis::allocations::Totals) -> u64| -> u64 {
        roots
            .iter()
            .map(|r| f(&tree.totals[r.trace_node as usize]))
            .sum()
    };
    assert_eq!(total(|t| t.size), sum("size"));
    assert_eq!(total(|t| t.count), sum("count"));
    assert_eq!(total(|t| t.live_size), sum("liveSize"));
    // Open the biggest root: its children and its own allocations make up its total.
    let root = tree.rows[0];
    assert!(root.has_children);
    tree.toggle(0);
    let kids: u64 = tree.rows[1..]
        .iter()
        .take_while(|r| r.depth == 1)
        .map(|r| tree.totals[r.trace_node as usize].size)
        .sum();
    assert_eq!(
        kids + profile.node[root.trace_node as usize].size,
        tree.totals[root.trace_node as usize].size
    );
    tree.toggle(0);
    assert_eq!(
        tree.rows.len(),
        roots.len(),
        "closing the root hides its subtree"
    );
}
