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
    /// Environment variables set for the program (on top of ours).
    pub env: Vec<(String, String)>,
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

/// The started program, stopped when dropped with the processes it started (and the folder
/// it was given, if any).
struct Program(Child, Option<PathBuf>);

impl Drop for Program {
    fn drop(&mut self) {
        super::process_tree::kill_tree(&mut self.0);
        if let Some(dir) = &self.1 {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Runs the scenario; `say` hears each step. Returns the snapshots, oldest first, or why the
/// scenario itself failed (the program exited, the action threw...).
pub fn run(s: &Scenario, say: &mut dyn FnMut(&str)) -> Result<Vec<PathBuf>, String> {
    let (program, url) = match (&s.attach, &s.url) {
        (Some(at), _) => (None, attach_url(at)?),
        (None, Some(page)) => {
            let (p, url) = open_page(page, s.browser.as_deref())?;
            (Some(p), url)
        }
        (None, None) => {
            let (p, url) = start(&s.program, &s.env)?;
            (Some(p), url)
        }
    };
    let cdp = Cdp::connect(&url).map_err(|e| format!("connecting to {url}: {e}"))?;
    let mut t = Live {
        cdp,
        program,
        thrown: None,
    };
    // Uncaught exceptions are reported to the inspector (Runtime.exceptionThrown), and a Node
    // program prints its own only once the inspector has gone.
    t.call("Runtime.enable", json!({}), READY_LIMIT)?;
    if let Some(page) = &s.url {
        wait_loaded(&mut t, page)?;
    }
    let mut step = |what: &str, t: &mut Live| {
        t.exited().map_or(Ok(()), Err)?;
        say(what);
        Ok::<(), String>(())
    };
    if let Some(ready) = &s.ready {
        step("waiting until ready", &mut t)?;
        wait_ready(&mut t, ready)?;
    }
    for i in 0..s.warmup {
        step(&format!("warm-up {}", i + 1), &mut t)?;
        t.evaluate(&s.action).map_err(|e| t.failed(e))?;
    }
    let mut snaps = Vec::new();
    for round in 0..=s.repeat {
        if round > 0 {
            step(&format!("round {round}"), &mut t)?;
            t.evaluate(&s.action).map_err(|e| t.failed(e))?;
        }
        step(&format!("snapshot {}", round + 1), &mut t)?;
        let path = snapshot(&mut t.cdp, &s.out).map_err(|e| t.failed(e))?;
        snaps.push(path);
    }
    t.cdp.close();
    Ok(snaps)
}

/// The target being driven: its connection, the program started for it (none with
/// `--attach`), and the last uncaught exception it reported.
struct Live {
    cdp: Cdp,
    program: Option<Program>,
    thrown: Option<String>,
}

impl Live {
    /// A program that exited says so, with its exit status and the uncaught exception it
    /// reported, if any.
    fn exited(&mut self) -> Option<String> {
        let status = exit_status(&mut self.program)?;
        Some(format!(
            "the program exited ({status}) before the scenario ended{}",
            self.crash()
        ))
    }

    /// `, on an uncaught Error: ... (feed.js:47)` when the target reported one.
    fn crash(&self) -> String {
        self.thrown
            .as_ref()
            .map_or(String::new(), |t| format!(", on an uncaught {t}"))
    }

    /// Why a step failed, in the scenario's words: the program's exit when it is gone.
    fn failed(&mut self, e: String) -> String {
        // A Node program that ends while the inspector is attached waits for it to detach;
        // its context goes first.
        if e.contains("Execution context was destroyed") {
            if self.thrown.is_none() {
                // What the target said before it went, such as the exception it crashed on.
                let _ = self.call("Runtime.runIfWaitingForDebugger", json!({}), TAIL_LIMIT);
            }
            // Detached, a program we started ends, and its exit status says how.
            if self.program.is_some() {
                self.cdp.close();
                let deadline = Instant::now() + TAIL_LIMIT;
                while Instant::now() < deadline {
                    if let Some(why) = self.exited() {
                        return why;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            return match self.thrown {
                Some(_) => format!(
                    "the program exited before the scenario ended{}",
                    self.crash()
                ),
                None => "the program exited before the scenario ended (its context was destroyed)"
                    .into(),
            };
        }
        self.exited().unwrap_or(e)
    }

    /// One command; events on the way are read for uncaught exceptions.
    fn call(&mut self, method: &str, params: Value, limit: Duration) -> Result<Value, String> {
        let stop = AtomicBool::new(false);
        let thrown = &mut self.thrown;
        let mut on_event = |m: &str, p: &Value| {
            if m == "Runtime.exceptionThrown" {
                *thrown = Some(exception_line(&p["exceptionDetails"]));
            }
            Ok(())
        };
        self.cdp
            .call(method, params, Some(limit), &stop, &mut on_event)
            .map_err(|e| e.to_string())
    }

    /// Evaluates `expr` in the target's global scope, awaiting a promise; an exception is
    /// the scenario's failure.
    fn evaluate(&mut self, expr: &str) -> Result<Value, String> {
        let params = json!({
            "expression": expr,
            "awaitPromise": true,
            "returnByValue": true,
            "includeCommandLineAPI": true,
        });
        let r = self
            .call("Runtime.evaluate", params, STEP_LIMIT)
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
}

/// The started program's exit status, once it has exited.
fn exit_status(program: &mut Option<Program>) -> Option<std::process::ExitStatus> {
    program.as_mut()?.0.try_wait().ok()?
}

/// How long a failed scenario waits for what the target said before it went.
const TAIL_LIMIT: Duration = Duration::from_secs(2);

/// An uncaught exception in one line: `Error: feed: the tick buffer overflowed (feed.js:47)`.
fn exception_line(d: &Value) -> String {
    let text = d["exception"]["description"]
        .as_str()
        .or_else(|| d["text"].as_str())
        .unwrap_or("exception");
    let first = text.lines().next().unwrap_or(text);
    let frame = &d["stackTrace"]["callFrames"][0];
    let url = frame["url"].as_str().or_else(|| d["url"].as_str());
    let line = frame["lineNumber"]
        .as_u64()
        .or_else(|| d["lineNumber"].as_u64());
    match (url.filter(|u| !u.is_empty()), line) {
        (Some(u), Some(l)) => {
            let file = u.rsplit(['/', '\\']).next().unwrap_or(u);
            format!("{first} ({file}:{})", l + 1)
        }
        _ => first.to_string(),
    }
}

fn attach_url(at: &str) -> Result<String, String> {
    let t = target::Target::parse(at).map_err(|e| e.to_string())?;
    let info = target::resolve(&t).map_err(|e| e.to_string())?;
    Ok(info.ws_url)
}

/// Starts the program with its inspector on a free loopback port and reads the port from the
/// line Node prints (`Debugger listening on ws://127.0.0.1:PORT/...`).
fn start(argv: &[String], env: &[(String, String)]) -> Result<(Program, String), String> {
    let (exe, args) = argv
        .split_first()
        .ok_or("no program to run: give it after --, as in -- node app.js")?;
    let mut cmd = Command::new(exe);
    cmd.arg("--inspect=127.0.0.1:0")
        .args(args)
        .envs(env.iter().cloned());
    launch(cmd, exe, true, None)
}

/// Starts `cmd` and waits for the `ws://` URL it prints on stderr. A program's output goes on
/// to our stderr (`forward`), never to our stdout, which is the report's (`--json`) or the
/// MCP server's; a browser's output is its own noise.
fn launch(
    mut cmd: Command,
    exe: &str,
    forward: bool,
    folder: Option<PathBuf>,
) -> Result<(Program, String), String> {
    cmd.stdin(Stdio::null()).stderr(Stdio::piped());
    if forward {
        cmd.stdout(std::io::stderr());
    } else {
        cmd.stdout(Stdio::null());
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start {exe}: {e}"))?;
    super::process_tree::track(&child, folder.clone());
    let stderr = child.stderr.take().expect("piped");
    let program = Program(child, folder);
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
        if let Some(status) = exit_status(&mut program) {
            return Err(format!(
                "the program exited ({status}) before its inspector opened"
            ));
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
    let (program, browser_url) = launch(cmd, &name, false, Some(profile))?;
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
fn wait_loaded(t: &mut Live, page: &str) -> Result<(), String> {
    let r = t
        .call("Page.navigate", json!({ "url": page }), READY_LIMIT)
        .map_err(|e| t.failed(format!("opening {page}: {e}")))?;
    if let Some(why) = r["errorText"].as_str().filter(|t| !t.is_empty()) {
        return Err(format!("the page did not load: {page} ({why})"));
    }
    let deadline = Instant::now() + READY_LIMIT;
    loop {
        let state = t
            .evaluate("[document.readyState, location.href]")
            .map_err(|e| t.failed(e))?;
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

/// Polls `ready` until it is truthy; until then it may throw (what it names is not defined
/// yet while the program starts).
fn wait_ready(t: &mut Live, ready: &str) -> Result<(), String> {
    let deadline = Instant::now() + READY_LIMIT;
    loop {
        if let Some(why) = t.exited() {
            return Err(why);
        }
        let last = match t.evaluate(ready) {
            Ok(v) if is_truthy(&v) => return Ok(()),
            Ok(v) => format!("it was {v}"),
            Err(e) if e.contains("threw") => e,
            Err(e) => return Err(t.failed(e)),
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
