//! `heapdive check` on a scenario written after check was, and not tuned to:
//! tests/check_app/feed.js, a plain Node http price feed whose load comes from a forked
//! client over IPC. With LEAK=1 each /watch leaves its listener on the ticker (30 Watchers
//! per round); its twin removes it when the response closes; CRASH=1 throws in a request
//! handler. Five runs of each verdict; and two of each where the client drives the load on
//! its own (FEED_EVERY), so that the action can only wait.
#![cfg(unix)]

use crate::common::{self, processes};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `heapdive check --ready ready --action 'round()' EXTRA -- node feed.js`, with `env`, and
/// `HEAPDIVE_FEED_RUN=tag` so that the run's processes can be found afterwards.
fn feed(tag: &str, env: &[(&str, &str)], extra: &[&str]) -> Output {
    feed_with("round()", tag, env, extra)
}

fn feed_with(action: &str, tag: &str, env: &[(&str, &str)], extra: &[&str]) -> Output {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_app/feed.js");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_heapdive"));
    cmd.args(["check", "--ready", "ready", "--action", action])
        .args(extra)
        .args(["--", "node", app.to_str().unwrap()])
        .env("HEAPDIVE_FEED_RUN", tag)
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Processes whose environment has `HEAPDIVE_FEED_RUN=tag` (the server and its client).
fn running(tag: &str) -> Vec<i32> {
    let var = format!("HEAPDIVE_FEED_RUN={tag}");
    processes::matching(|p| processes::has_env(p, &var))
}

/// No process of the run (the server or its forked client) outlives the check (the client
/// exits when its IPC channel closes, within a moment).
fn assert_none_left(tag: &str) {
    processes::assert_gone(tag, || running(tag));
}

/// A program that starts a helper which never notices that its parent is gone (no IPC
/// channel, no pipe), then runs `rest`.
fn with_helper(rest: &str) -> String {
    format!(
        "require('child_process').spawn(process.execPath, \
         ['-e', 'setInterval(() => {{}}, 1000)'], {{ stdio: 'ignore' }}); {rest}"
    )
}

#[test]
fn check_names_the_feeds_listener_leak_and_passes_its_twin_five_times_each() {
    for run in 0..5 {
        let dir = common::scratch(&format!("check-feed-leak-{run}"));
        let tag = format!("leak-{run}");
        let out = feed(&tag, &[("LEAK", "1")], &["--out", dir.to_str().unwrap()]);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "run {run}: {stdout}{stderr}");
        assert!(
            stdout.starts_with("leak: 1 row grows in every round"),
            "run {run}: {stdout}"
        );
        // The row: the listener pattern, the Watchers it keeps, 30 more per round.
        let row = stdout.lines().nth(2).unwrap_or_default();
        assert!(row.starts_with("1. [listeners] "), "run {run}: {stdout}");
        assert!(row.contains("Watcher"), "run {run}: {row}");
        assert!(row.contains("(+30 per round)"), "run {run}: {row}");
        assert!(stdout.contains("code: feed.js:"), "run {run}: {stdout}");
        // The ticker's 'tick' listeners.
        assert!(stdout.contains("property tick"), "run {run}: {stdout}");
        assert_none_left(&tag);
        let _ = std::fs::remove_dir_all(&dir);

        let dir = common::scratch(&format!("check-feed-fixed-{run}"));
        let tag = format!("fixed-{run}");
        let out = feed(&tag, &[], &["--out", dir.to_str().unwrap()]);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "run {run}: {stdout}{stderr}");
        assert_eq!(stdout.trim_end(), "pass: no row grew in every round");
        assert_none_left(&tag);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn check_says_in_one_line_that_the_feed_crashed() {
    let out = feed("crash", &[("CRASH", "1")], &[]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let last = err.trim_end().lines().last().unwrap();
    // Which failure: the program exited, on the exception it reported to the inspector (Node
    // prints its own only once the inspector has gone, if it has time).
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_app/feed.js");
    let source = std::fs::read_to_string(app).unwrap();
    let line = 1 + source
        .lines()
        .position(|l| l.contains("throw new Error('feed: the tick buffer overflowed')"))
        .unwrap();
    let want = format!(
        "heapdive: the scenario failed: the program exited (exit status: 1) before the scenario ended, \
         on an uncaught Error: feed: the tick buffer overflowed (feed.js:{line})"
    );
    assert_eq!(last, want, "{err}");
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert_none_left("crash");
}

#[test]
fn check_tells_a_leak_driven_by_the_child_on_its_own_from_its_twin() {
    // The parent has no hook: the action waits while the client's load runs, so the count per
    // round is whatever the client did in that second (about 90-100 here).
    let wait = "new Promise(r => setTimeout(r, 1000))";
    for run in 0..2 {
        let tag = format!("self-leak-{run}");
        let env = [("FEED_EVERY", "100"), ("LEAK", "1")];
        let dir = common::scratch(&format!("check-feed-{tag}"));
        let out = feed_with(wait, &tag, &env, &["--out", dir.to_str().unwrap()]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "run {run}: {stdout}");
        // The row is the listeners' Watchers; its pattern is not asserted: a snapshot taken
        // while a request is being served can find the row's holder on the stack
        // ("[other] ... builds up in: (Stack roots)") rather than in the ticker.
        let row = stdout.lines().nth(2).unwrap_or_default();
        assert!(
            row.starts_with("1. [") && row.contains("] onTick() feed.js:"),
            "run {run}: {stdout}"
        );
        assert!(
            row.contains("holding Watcher") && row.contains(" per round)"),
            "{row}"
        );
        assert_none_left(&tag);
        let _ = std::fs::remove_dir_all(&dir);

        let tag = format!("self-fixed-{run}");
        let out = feed_with(wait, &tag, &[("FEED_EVERY", "100")], &[]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "run {run}: {stdout}");
        assert_none_left(&tag);
    }
}

/// The program's own processes stop with it, even a helper that never notices that its
/// parent is gone (no IPC channel, no pipe): `check` stops the whole tree it started.
#[test]
fn check_stops_the_processes_the_program_started() {
    let code = with_helper("globalThis.ready = true; setInterval(() => {}, 1000);");
    let out = Command::new(env!("CARGO_BIN_EXE_heapdive"))
        .args([
            "check", "--ready", "ready", "--action", "0", "--warmup", "0",
        ])
        .args(["--", "node", "-e", &code])
        .env("HEAPDIVE_FEED_RUN", "helper")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert_none_left("helper");
}

/// A check stopped by a signal to heapdive alone (a CI job cancelled) stops the program it
/// started and the program's own helper before it exits.
#[test]
fn a_check_stopped_by_a_signal_stops_its_program_too() {
    let code = with_helper("setInterval(() => {}, 1000);");
    let tag = "signal";
    // Not a pipe: the program writes to heapdive's stderr, and a program left running would
    // hold a pipe open for ever.
    let dir = common::scratch("check-signal");
    let err_path = dir.join("stderr.txt");
    // `--ready` never holds: the check waits for it until the signal.
    let mut check = Command::new(env!("CARGO_BIN_EXE_heapdive"))
        .args(["check", "--ready", "globalThis.never", "--action", "0"])
        .args(["--", "node", "-e", &code])
        .env("HEAPDIVE_FEED_RUN", tag)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    // heapdive, the program and its helper.
    let mut up = false;
    for _ in 0..200 {
        if running(tag).len() >= 3 {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let pid = nix::unistd::Pid::from_raw(check.id() as i32);
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
    let status = check.wait().unwrap();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    // Checked first: a failure below leaves nothing running.
    assert_none_left(tag);
    assert!(up, "the program and its helper never ran: {stderr}");
    assert_eq!(status.code(), Some(128 + 15), "{stderr}");
    assert!(stderr.contains("stopped by SIGTERM"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
