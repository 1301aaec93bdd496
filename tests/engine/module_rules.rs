//! The layering of `src`, read from its `crate::` and `super::` paths: the engine does not
//! reach up into the model, the window or the CLI; the window does not use the CLI; the
//! leaf modules import nothing; and no module depends on itself through others.

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every module file of `src`, by module path ("model::jobs"; "" for lib.rs).
fn modules() -> BTreeMap<String, PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            if p.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = p.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into()).collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            if p.ends_with("main.rs") {
                continue; // the binary, not a module of the library
            }
            out.insert(parts.join("::"), p);
        }
    }
    out
}

fn is_dir_module(path: &Path) -> bool {
    path.ends_with("mod.rs") || path.ends_with("lib.rs")
}

/// The code of a file without its tests and comments.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
    text.lines()
        .map(|l| l.split("//").next().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The modules each module's paths lead to.
fn edges(mods: &BTreeMap<String, PathBuf>) -> BTreeMap<String, BTreeSet<String>> {
    let path = Regex::new(r"\b(crate|super)((?:::\w+)+)").unwrap();
    let group = Regex::new(r"\b(crate|super)::\{([^}]*)\}").unwrap();
    let resolve = |segs: &[String]| {
        (1..=segs.len())
            .rev()
            .map(|i| segs[..i].join("::"))
            .find(|m| mods.contains_key(m))
    };
    let mut out = BTreeMap::new();
    for (m, file) in mods {
        let me: Vec<String> = m
            .split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let base = |root: &str| -> Vec<String> {
            if root == "crate" {
                Vec::new()
            } else {
                me[..me.len().saturating_sub(1)].to_vec()
            }
        };
        let text = code(file);
        let mut to = BTreeSet::new();
        let mut add = |mut b: Vec<String>, rest: &str| {
            let mut segs: Vec<String> = rest.split("::").map(|s| s.trim().to_string()).collect();
            while segs.first().is_some_and(|s| s == "super") {
                b.pop();
                segs.remove(0);
            }
            b.extend(segs.into_iter().filter(|s| !s.is_empty()));
            if let Some(t) = resolve(&b).filter(|t| t != m) {
                to.insert(t);
            }
        };
        for c in path.captures_iter(&text) {
            add(base(&c[1]), &c[2]);
        }
        for c in group.captures_iter(&text) {
            for item in c[2].split(',') {
                add(base(&c[1]), item);
            }
        }
        out.insert(m.clone(), to);
    }
    out
}

fn top(m: &str) -> &str {
    m.split("::").next().unwrap()
}

#[test]
fn the_engine_does_not_reach_up_and_the_window_does_not_use_the_cli() {
    let mods = modules();
    let mut wrong = Vec::new();
    for (m, to) in edges(&mods) {
        for t in to {
            let up = matches!(
                top(&m),
                "capture" | "snapshot" | "analysis" | "sources" | "profile" | "redact"
            ) && matches!(top(&t), "model" | "ui" | "cli");
            let ui_cli = top(&m) == "ui" && top(&t) == "cli";
            let leaf = matches!(m.as_str(), "fmt" | "paths");
            if up || ui_cli || leaf {
                wrong.push(format!("{m} -> {t}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layering: {wrong:#?}");
}

#[test]
fn no_module_depends_on_itself() {
    let mods = modules();
    // A directory's mod.rs declares and re-exports its children: paths through it name
    // the children, so it is left out.
    let graph: BTreeMap<String, BTreeSet<String>> = edges(&mods)
        .into_iter()
        .map(|(m, to)| {
            let to = to
                .into_iter()
                .filter(|t| !is_dir_module(&mods[t]))
                .collect();
            (m, to)
        })
        .collect();
    // Depth-first search for a back edge, reporting the cycle it closes.
    fn visit(
        m: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
        cycles: &mut Vec<String>,
    ) {
        state.insert(m.to_string(), 1);
        stack.push(m.to_string());
        for t in &g[m] {
            match state.get(t.as_str()) {
                None => visit(t, g, state, stack, cycles),
                Some(1) => {
                    let from = stack.iter().position(|s| s == t).unwrap();
                    cycles.push(format!("{} -> {t}", stack[from..].join(" -> ")));
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(m.to_string(), 2);
    }
    let (mut state, mut cycles) = (BTreeMap::new(), Vec::new());
    for m in graph.keys() {
        if !state.contains_key(m) {
            visit(m, &graph, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
    assert!(cycles.is_empty(), "module cycles: {cycles:#?}");
}

#[test]
fn the_rules_see_what_they_check() {
    // The scan finds the arrows that are there, so an empty list above means something.
    let mods = modules();
    let e = edges(&mods);
    assert!(e["model::app_state"].contains("model::selection"));
    assert!(e["ui::app"].contains("model::app_state") || e["ui::app"].contains("model"));
    assert!(e["cli::summary"].contains("fmt"));
    assert!(e["capture::worker"].contains("capture::events"));
    assert!(mods.len() > 100);
}
