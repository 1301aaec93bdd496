//! A leak test's scenario (`heapdive check`): start a program under the inspector on a free
//! loopback port (or attach to a running one), wait until it is ready, repeat an action, and
//! stream a snapshot after a garbage collection after the warm-up and after each round.

use super::cdp::Cdp;
use super::stream::{PartialSnapshot, Take, stream_snapshot};
use super::{CaptureError, target};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What to run and how often.
pub struct Scenario {
    /// `node app.js ARGS...`, started with `--inspect=127.0.0.1:0`; empty with `attach`.
    pub program: Vec<String>,
    /// `HOST:PORT` of a process that already listens.
    pub attach: Option<String>,
    /// A page to open in headless Chromium (`browser`, or found on PATH).
    pub url: Option<String>,
    pub browser: Option<PathBuf>,
    pub ready: Option<String>,
    pub action: String,
    pub warmup: u32,
    pub repeat: u32,
    pub out: PathBuf,
}

/// How long a program may take to open its inspector, and to become ready.
const START_LIMIT: Duration = Duration::from_secs(20);
const READY_LIMIT: Duration = Duration::from_secs(60);
/// One action, a GC or a snapshot of a test scenario.
const STEP_LIMIT: Duration = Duration::from_secs(600);

/// The started program, stopped when dropped (with the folder it was given, if any).
struct Program(Child, Option<PathBuf>);

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        if let Some(dir) = &self.1 {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Runs the scenario; `say` hears each step. Returns the snapshots, oldest first, or why the
/// scenario itself failed (the program exited, the action threw...).
pub fn run(s: &Scenario, say: &mut dyn FnMut(&str)) -> Result<Vec<PathBuf>, String> {
    let (mut program, url) = match (&s.attach, &s.url) {
        (Some(at), _) => (None, attach_url(at)?),
        (None, Some(page)) => {
            let (p, url) = open_page(page, s.browser.as_deref())?;
            (Some(p), url)
        }
        (None, None) => {
            let (p, url) = start(&s.program)?;
            (Some(p), url)
        }
    };
    let mut cdp = Cdp::connect(&url).map_err(|e| format!("connecting to {url}: {e}"))?;
    if let Some(page) = &s.url {
        wait_loaded(&mut cdp, page, &mut program)?;
    }
    let mut step = |what: &str, program: &mut Option<Program>| {
        exited(program).map_or(Ok(()), Err)?;
        say(what);
        Ok::<(), String>(())
    };
    if let Some(ready) = &s.ready {
        step("waiting until ready", &mut program)?;
        wait_ready(&mut cdp, ready, &mut program)?;
    }
    for i in 0..s.warmup {
        step(&format!("warm-up {}", i + 1), &mut program)?;
        evaluate(&mut cdp, &s.action).map_err(|e| with_exit(e, &mut program))?;
    }
    let mut snaps = Vec::new();
    for round in 0..=s.repeat {
        if round > 0 {
            step(&format!("round {round}"), &mut program)?;
            evaluate(&mut cdp, &s.action).map_err(|e| with_exit(e, &mut program))?;
        }
        step(&format!("snapshot {}", round + 1), &mut program)?;
        let path = snapshot(&mut cdp, &s.out).map_err(|e| with_exit(e, &mut program))?;
        snaps.push(path);
    }
    cdp.close();
    Ok(snaps)
}

/// A program that exited says so, with its exit status.
fn exited(program: &mut Option<Program>) -> Option<String> {
    let p = program.as_mut()?;
    let status = p.0.try_wait().ok()??;
    Some(format!(
        "the program exited ({status}) before the scenario ended"
    ))
}

fn with_exit(e: String, program: &mut Option<Program>) -> String {
    // A Node program that ends while the inspector is attached waits for it to detach; its
    // context goes first.
    if e.contains("Execution context was destroyed") {
        return "the program exited before the scenario ended (its context was destroyed)".into();
    }
    exited(program).unwrap_or(e)
}

fn attach_url(at: &str) -> Result<String, String> {
    let t = target::Target::parse(at).map_err(|e| e.to_string())?;
    let info = target::resolve(&t).map_err(|e| e.to_string())?;
    Ok(info.ws_url)
}

/// Starts the program with its inspector on a free loopback port and reads the port from the
/// line Node prints (`Debugger listening on ws://127.0.0.1:PORT/...`).
fn start(argv: &[String]) -> Result<(Program, String), String> {
    let (exe, args) = argv
        .split_first()
        .ok_or("no program to run: give it after --, as in -- node app.js")?;
    let mut cmd = Command::new(exe);
    cmd.arg("--inspect=127.0.0.1:0").args(args);
    launch(cmd, exe, true)
}

/// Starts `cmd` and waits for the `ws://` URL it prints on stderr. A program's other stderr
/// lines go on to ours (`forward`); a browser's are its own noise.
fn launch(mut cmd: Command, exe: &str, forward: bool) -> Result<(Program, String), String> {
    cmd.stdin(Stdio::null()).stderr(Stdio::piped());
    if !forward {
        cmd.stdout(Stdio::null());
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start {exe}: {e}"))?;
    let stderr = child.stderr.take().expect("piped");
    let program = Program(child, None);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(i) = line.find("ws://") {
                let _ = tx.send(line[i..].trim().to_string());
            } else if forward
                && !(line.starts_with("For help, see")
                    || line == "Debugger attached."
                    || line.starts_with("Waiting for the debugger to disconnect"))
            {
                eprintln!("{line}");
            }
        }
    });
    let mut program = Some(program);
    let deadline = Instant::now() + START_LIMIT;
    loop {
        if let Ok(url) = rx.recv_timeout(Duration::from_millis(100)) {
            return Ok((program.take().expect("started"), url));
        }
        if let Some(why) = exited(&mut program) {
            return Err(why.replace("before the scenario ended", "before its inspector opened"));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{exe} opened no inspector within {} s (is it node?)",
                START_LIMIT.as_secs()
            ));
        }
    }
}

/// Opens `page` in headless Chromium with remote debugging on a free loopback port, and
/// returns the page target's WebSocket URL.
fn open_page(page: &str, browser: Option<&std::path::Path>) -> Result<(Program, String), String> {
    let exe = match browser {
        Some(b) => b.to_path_buf(),
        None => ["chromium", "chromium-browser", "google-chrome", "chrome"]
            .iter()
            .find_map(|n| on_path(n))
            .ok_or("no Chromium on PATH: install it or give --browser PATH")?,
    };
    let profile = std::env::temp_dir().join(format!("heapdive-chromium-{}", std::process::id()));
    let mut cmd = Command::new(&exe);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .arg("about:blank");
    let name = exe.display().to_string();
    let (mut program, browser_url) = launch(cmd, &name, false)?;
    program.1 = Some(profile);
    // ws://127.0.0.1:PORT/devtools/browser/ID: the page is a target of the same port.
    let authority = browser_url
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let (host, port) = authority
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
        .ok_or_else(|| format!("{name} printed no inspector address ({browser_url})"))?;
    let deadline = Instant::now() + START_LIMIT;
    loop {
        let pages = target::list_targets(&host, port).map_err(|e| e.to_string())?;
        if let Some(t) = pages.into_iter().find(|t| t.kind == "page") {
            return Ok((program, t.ws_url));
        }
        if Instant::now() > deadline {
            return Err(format!("{name} opened no page for {page}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// Navigates the blank page to `page` and waits until it has loaded; a page that could not
/// load is the scenario's failure.
fn wait_loaded(cdp: &mut Cdp, page: &str, program: &mut Option<Program>) -> Result<(), String> {
    let stop = AtomicBool::new(false);
    let r = cdp
        .call(
            "Page.navigate",
            json!({ "url": page }),
            Some(READY_LIMIT),
            &stop,
            &mut |_, _| Ok(()),
        )
        .map_err(|e| with_exit(format!("opening {page}: {e}"), program))?;
    if let Some(why) = r["errorText"].as_str().filter(|t| !t.is_empty()) {
        return Err(format!("the page did not load: {page} ({why})"));
    }
    let deadline = Instant::now() + READY_LIMIT;
    loop {
        let state = evaluate(cdp, "[document.readyState, location.href]")
            .map_err(|e| with_exit(e, program))?;
        let href = state[1].as_str().unwrap_or_default();
        if href.starts_with("chrome-error:") {
            return Err(format!("the page did not load: {page}"));
        }
        if state[0] == "complete" && href != "about:blank" {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the page did not finish loading within {} s: {page}",
                READY_LIMIT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Evaluates `expr` in the target's global scope, awaiting a promise; an exception is the
/// scenario's failure.
fn evaluate(cdp: &mut Cdp, expr: &str) -> Result<Value, String> {
    let params = json!({
        "expression": expr,
        "awaitPromise": true,
        "returnByValue": true,
        "includeCommandLineAPI": true,
    });
    let stop = AtomicBool::new(false);
    let r = cdp
        .call(
            "Runtime.evaluate",
            params,
            Some(STEP_LIMIT),
            &stop,
            &mut |_, _| Ok(()),
        )
        .map_err(|e| format!("evaluating the action: {e}"))?;
    if let Some(ex) = r.get("exceptionDetails") {
        let text = ex["exception"]["description"]
            .as_str()
            .or_else(|| ex["text"].as_str())
            .unwrap_or("an exception");
        let first = text.lines().next().unwrap_or(text);
        return Err(format!("`{expr}` threw: {first}"));
    }
    Ok(r["result"]["value"].clone())
}

/// Polls `ready` until it is truthy; until then it may throw (what it names is not defined
/// yet while the program starts).
fn wait_ready(cdp: &mut Cdp, ready: &str, program: &mut Option<Program>) -> Result<(), String> {
    let deadline = Instant::now() + READY_LIMIT;
    loop {
        if let Some(why) = exited(program) {
            return Err(why);
        }
        let last = match evaluate(cdp, ready) {
            Ok(v) if is_truthy(&v) => return Ok(()),
            Ok(v) => format!("it was {v}"),
            Err(e) if e.contains("threw") => e,
            Err(e) => return Err(with_exit(e, program)),
        };
        if Instant::now() > deadline {
            return Err(format!(
                "`{ready}` was not true within {} s ({last})",
                READY_LIMIT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn is_truthy(v: &Value) -> bool {
    !matches!(v, Value::Null | Value::Bool(false)) && *v != json!(0) && *v != json!("")
}

/// A full GC, then a snapshot streamed to `dir/round-N.heapsnapshot`.
fn snapshot(cdp: &mut Cdp, dir: &std::path::Path) -> Result<PathBuf, String> {
    let text = |e: CaptureError| e.to_string();
    let take = Take {
        gc: Some(STEP_LIMIT),
        limit: Some(STEP_LIMIT),
    };
    let mut file = PartialSnapshot::create(dir, "round").map_err(text)?;
    let stop = AtomicBool::new(false);
    stream_snapshot(cdp, &mut file, &take, &stop, &mut |_, _, _| {}).map_err(text)?;
    file.finish().map(|(p, _)| p).map_err(text)
}
