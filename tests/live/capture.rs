//! Capture from live Node processes (tests/capture_app/leaky.js, which leaks LeakedSession
//! objects into its module-level `leakedSessions` array): through the CLI binary and through
//! the session API the window uses, by port, ws:// URL and pid, and every bad input the
//! issue lists. Each node child is killed when its guard drops.
#![cfg(unix)]

use crate::common::{self, heapdive_output, processes};
use common::node::Node;

use heapdive::analysis::leaks::leak_report;
use heapdive::capture::{CaptureEvent, CaptureSession, Schedule, SessionOptions, Target};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The folder's file names, sorted (hidden partial files included).
fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A failing command: exit code 1, and the error is stderr's last line, containing `want`
/// (an "attached to" line may come before it).
fn assert_fails_with(out: &Output, want: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    let last = err.trim_end().lines().last().unwrap_or("");
    assert!(
        last.contains(want),
        "wanted {want:?} in the last line of: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

fn load(path: &Path) -> heapdive::Heap {
    heapdive::load_quiet(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A bare Node process's heap has tens of thousands of nodes; our app adds a few thousand.
fn assert_plausible(h: &heapdive::Heap) {
    let n = h.snap.node_count();
    assert!((10_000..5_000_000).contains(&n), "node count {n}");
}

#[test]
fn cli_captures_a_series_whose_leak_report_names_the_leaking_array() {
    let node = Node::inspect(&[]);
    let dir = common::scratch("capture-cli-series");
    let out = heapdive_output(&[
        "capture",
        &node.at(),
        "-o",
        dir.to_str().unwrap(),
        "--count",
        "3",
        "--every",
        "2",
        "--gc",
        "--name",
        "leaky",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(
        names_in(&dir),
        [
            "leaky-1.heapsnapshot",
            "leaky-2.heapsnapshot",
            "leaky-3.heapsnapshot"
        ]
    );
    let heaps: Vec<_> = (1..=3)
        .map(|i| {
            let path = dir.join(format!("leaky-{i}.heapsnapshot"));
            // Each printed line: path, size, duration, time of day.
            let f: Vec<&str> = lines[i - 1].split('\t').collect();
            assert_eq!(f[0], path.to_str().unwrap());
            assert!(f[1].ends_with(" kB") || f[1].ends_with(" MB"), "{f:?}");
            assert!(f[2].ends_with(" s") && f[3].ends_with(" UTC"), "{f:?}");
            load(&path)
        })
        .collect();
    heaps.iter().for_each(assert_plausible);
    let report = leak_report(&[&heaps[0], &heaps[1], &heaps[2]]);
    let g = report
        .groups
        .iter()
        .find(|g| g.class == "LeakedSession")
        .expect("a LeakedSession group");
    let path: Vec<&str> = g.path.iter().map(|s| s.edge.as_str()).collect();
    assert!(path.contains(&"->leakedSessions"), "{path:?}");
    // Whole ticks of 50 (a snapshot never falls inside one) over the ~4 s after the first
    // snapshot (fewer when a busy machine delays the timer), all still alive.
    assert!(
        g.count % 50 == 0 && (50..=4000).contains(&g.count),
        "{}",
        g.count
    );
    assert!(
        report
            .growing_collections
            .iter()
            .any(|c| c.class == "Array"),
        "the leaking array grows in every snapshot"
    );
}

#[test]
fn session_api_samples_usage_and_saves_a_snapshot_by_ws_url() {
    let node = Node::inspect(&[]);
    let first = common::scratch("capture-session");
    let wakes = Arc::new(AtomicUsize::new(0));
    let w = wakes.clone();
    let wake = Box::new(move || {
        w.fetch_add(1, Ordering::Relaxed);
    });
    let target = Target::parse(node.ws_url.as_deref().unwrap()).unwrap();
    let opts = SessionOptions {
        dir: first.clone(),
        prefix: "s".into(),
        sample_every: Some(Duration::from_millis(200)),
    };
    let mut session = CaptureSession::attach(&target, opts, Some(wake)).unwrap();
    // The window lets the user change the folder while attached.
    let dir = common::scratch("capture-session-moved");
    session.set_folder(dir.clone());
    let mut events = Vec::new();
    let mut asked = false;
    let deadline = Instant::now() + Duration::from_secs(60);
    let saved = loop {
        assert!(Instant::now() < deadline, "no snapshot saved: {events:?}");
        let Some(ev) = session.recv_timeout(Duration::from_millis(100)) else {
            continue;
        };
        if let CaptureEvent::SnapshotSaved(s) = &ev {
            break s.clone();
        }
        let samples = events
            .iter()
            .filter(|e| matches!(e, CaptureEvent::Usage(_)))
            .count();
        if samples >= 2 && !asked {
            session.take_snapshot(true);
            asked = true;
        }
        events.push(ev);
    };
    let usage: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            CaptureEvent::Usage(u) => Some(u.clone()),
            _ => None,
        })
        .collect();
    let u = &usage[0];
    assert!(u.used > 1_000_000 && u.used <= u.total, "{u:?}");
    // Node's process.memoryUsage(): RSS above the JS heap.
    assert!(
        u.rss.is_some_and(|r| r > u.used) && u.array_buffers.is_some(),
        "{u:?}"
    );
    assert!(usage.windows(2).all(|w| w[0].secs < w[1].secs));
    let last = events
        .iter()
        .rev()
        .find_map(|e| match e {
            CaptureEvent::SnapshotProgress { done, total, .. } => Some((*done, *total)),
            _ => None,
        })
        .expect("progress events");
    assert!(last.0 == last.1 && last.1 > 10_000, "{last:?}");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, CaptureEvent::SnapshotStarted { .. }))
    );
    assert_eq!(saved.path, dir.join("s-1.heapsnapshot"));
    assert_eq!(saved.size, std::fs::metadata(&saved.path).unwrap().len());
    assert_eq!(names_in(&dir), ["s-1.heapsnapshot"]);
    assert!(names_in(&first).is_empty());
    assert_plausible(&load(&saved.path));
    assert!(
        wakes.load(Ordering::Relaxed) > events.len(),
        "a wake per event"
    );
    assert!(session.is_attached());
    session.detach();
    assert!(!session.is_attached());
}

#[test]
fn session_schedule_takes_count_snapshots_every_period() {
    let node = Node::inspect(&[]);
    let dir = common::scratch("capture-schedule");
    let target = Target::parse(&node.at()).unwrap();
    let opts = SessionOptions {
        dir: dir.clone(),
        prefix: "every".into(),
        sample_every: None,
    };
    let session = CaptureSession::attach(&target, opts, None).unwrap();
    assert_eq!(session.target().kind, "node");
    session.set_schedule(Some(Schedule {
        every: Some(Duration::from_millis(1500)),
        heap_above: None,
        gc: false,
        count: Some(2),
    }));
    let mut starts = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while starts.len() < 2 {
        assert!(Instant::now() < deadline);
        match session.recv_timeout(Duration::from_millis(100)) {
            Some(CaptureEvent::SnapshotSaved(s)) => starts.push(s.secs),
            Some(CaptureEvent::Error(e) | CaptureEvent::TargetGone(e)) => panic!("{e}"),
            _ => {}
        }
    }
    assert!(starts[1] - starts[0] >= 1.45, "{starts:?}");
    // The schedule ended after two: no third snapshot comes.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        names_in(&dir),
        ["every-1.heapsnapshot", "every-2.heapsnapshot"]
    );
}

#[test]
fn heap_threshold_triggers_a_capture() {
    let node = Node::inspect(&[]);
    let dir = common::scratch("capture-threshold");
    // 1 MB: any Node heap is above it, so the first sample fires exactly once.
    let out = heapdive_output(&[
        "capture",
        &node.at(),
        "-o",
        dir.to_str().unwrap(),
        "--when-heap-above",
        "1",
        "--count",
        "1",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(names_in(&dir), ["capture-1.heapsnapshot"]);
}

#[test]
fn targets_lists_the_node_target() {
    let node = Node::inspect(&[]);
    let out = heapdive_output(&["targets", &node.at(), "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["type"], "node");
    assert_eq!(v[0]["webSocketDebuggerUrl"], node.ws_url.clone().unwrap());
    assert!(v[0]["title"].as_str().unwrap().contains("leaky.js"));
    let plain = text(&heapdive_output(&["targets", &node.at()]).stdout);
    assert!(plain.starts_with("node\t") && plain.contains(node.ws_url.as_deref().unwrap()));
}

#[test]
fn attaches_by_pid_with_sigusr1() {
    if TcpListener::bind("127.0.0.1:9229").is_err() {
        eprintln!("skipped: 127.0.0.1:9229 is in use, where SIGUSR1 makes Node listen");
        return;
    }
    let node = Node::plain();
    let dir = common::scratch("capture-pid");
    let pid = node.child.id().to_string();
    let out = heapdive_output(&[
        "capture",
        &format!("pid:{pid}"),
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(names_in(&dir), ["capture-1.heapsnapshot"]);
    assert_plausible(&load(&dir.join("capture-1.heapsnapshot")));
}

#[test]
fn nothing_listening_is_one_line() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let at = format!("127.0.0.1:{port}");
    let want = format!("nothing is listening on {at}");
    assert_fails_with(&heapdive_output(&["capture", &at]), &want);
    assert_fails_with(&heapdive_output(&["targets", &at]), &want);
}

/// A local HTTP server that answers every request with `response`, for a bounded number
/// of connections.
fn fake_server(response: &'static str) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for s in l.incoming().take(4) {
            let Ok(mut s) = s else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(response.as_bytes());
        }
    });
    at
}

#[test]
fn a_server_that_is_not_an_inspector_is_named() {
    let at = fake_server(
        "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
    );
    assert_fails_with(
        &heapdive_output(&["capture", &at]),
        &format!("{at} is not a V8 inspector (GET /json/list answered HTTP 404)"),
    );
    let html = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\
                Connection: close\r\n\r\n<html></html>";
    let at = fake_server(html);
    assert_fails_with(
        &heapdive_output(&["capture", &at]),
        &format!("{at} is not a V8 inspector (/json/list is not a JSON list of targets)"),
    );
}

#[test]
fn a_missing_pid_and_a_process_that_is_not_node_are_refused() {
    assert_fails_with(
        &heapdive_output(&["capture", "pid:2147483646"]),
        "no process has pid 2147483646",
    );
    let mut sleep = Command::new("sleep").arg("30").spawn().unwrap();
    let out = heapdive_output(&["capture", &format!("pid:{}", sleep.id())]);
    // Refused before any signal: the process is still running.
    let alive = sleep.try_wait().unwrap().is_none();
    let _ = sleep.kill();
    let _ = sleep.wait();
    assert_fails_with(&out, "is `sleep`, not Node.js");
    assert!(alive, "sleep was signalled");
}

#[test]
fn a_write_error_removes_the_partial_file_and_keeps_earlier_captures() {
    use std::os::unix::process::CommandExt;
    let node = Node::inspect(&[]);
    let dir = common::scratch("capture-disk-full");
    std::fs::write(dir.join("capture-1.heapsnapshot"), "earlier capture").unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_heapdive"));
    cmd.args(["capture", &node.at(), "-o", dir.to_str().unwrap()]);
    // A 64 kB file size limit: writes past it fail as on a full disk (EFBIG instead of
    // ENOSPC), with SIGXFSZ ignored so that the write returns the error.
    unsafe {
        cmd.pre_exec(|| {
            use nix::sys::resource::{Resource, setrlimit};
            use nix::sys::signal::{SigHandler, Signal, signal};
            setrlimit(Resource::RLIMIT_FSIZE, 65_536, 65_536)?;
            signal(Signal::SIGXFSZ, SigHandler::SigIgn)?;
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert_fails_with(&out, "capture-2.heapsnapshot not saved: writing");
    assert!(text(&out.stderr).contains("the partial file was removed"));
    assert_eq!(names_in(&dir), ["capture-1.heapsnapshot"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("capture-1.heapsnapshot")).unwrap(),
        "earlier capture"
    );
}

#[test]
fn a_target_killed_mid_snapshot_leaves_no_file() {
    // Ballast makes the snapshot take long enough to kill node while it is being written.
    let mut node = Node::inspect(&["--ballast", "400000"]);
    let dir = common::scratch("capture-killed");
    let target = Target::parse(&node.at()).unwrap();
    let opts = SessionOptions {
        dir: dir.clone(),
        prefix: "k".into(),
        sample_every: None,
    };
    let session = CaptureSession::attach(&target, opts, None).unwrap();
    session.take_snapshot(false);
    let mut error = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    let gone = loop {
        assert!(Instant::now() < deadline, "no TargetGone");
        match session.recv_timeout(Duration::from_millis(100)) {
            Some(CaptureEvent::SnapshotProgress { .. }) => node.kill(),
            Some(CaptureEvent::SnapshotSaved(s)) => panic!("saved {s:?} although killed"),
            Some(CaptureEvent::Error(e)) => error = Some(e),
            Some(CaptureEvent::TargetGone(why)) => break why,
            _ => {}
        }
    };
    let error = error.expect("an error for the snapshot");
    assert!(
        error.contains("k-1.heapsnapshot not saved") && error.contains("partial file was removed"),
        "{error}"
    );
    assert!(gone.contains("connection"), "{gone}");
    assert!(!session.is_attached() || session.recv_timeout(Duration::from_secs(1)).is_none());
    assert!(names_in(&dir).is_empty(), "{:?}", names_in(&dir));
}

/// The highest resident memory /proc has shown for `pid` (VmHWM, kB), or None once gone.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn capture_memory_stays_far_below_the_snapshots_size() {
    if peak_rss_kb(std::process::id()).is_none() {
        eprintln!("skipped: no /proc/PID/status VmHWM on this system");
        return;
    }
    let node = Node::inspect(&["--ballast", "300000"]);
    let dir = common::scratch("capture-memory");
    let mut cli = Command::new(env!("CARGO_BIN_EXE_heapdive"))
        .args(["capture", &node.at(), "-o", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // VmHWM only grows: the last reading before the CLI exits is its peak (to a poll).
    let mut peak = 0;
    let deadline = Instant::now() + Duration::from_secs(300);
    while cli.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "capture took over 5 minutes");
        peak = peak_rss_kb(cli.id()).unwrap_or(peak).max(peak);
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(cli.wait().unwrap().success());
    let size = std::fs::metadata(dir.join("capture-1.heapsnapshot"))
        .unwrap()
        .len();
    assert!(
        size > 50_000_000,
        "the ballast makes a big snapshot: {size}"
    );
    // One chunk at a time: tens of MB of snapshot, a few MB of heapdive.
    assert!(
        peak > 0 && peak * 1024 < size / 4,
        "peak RSS {peak} kB for {size} bytes"
    );
}

/// Runs `session_goes_on_after_a_write_error_in_child` in a child test process whose soft
/// file size limit is 64 kB (a full disk, as far as writes go) and may be raised again.
#[test]
fn a_session_goes_on_after_a_write_error() {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    // The child test's name in this binary: its module path without the crate's name.
    let module = module_path!().split_once("::").map_or("", |(_, m)| m);
    let child = format!("{module}::session_goes_on_after_a_write_error_in_child");
    cmd.args(["--exact", &child])
        .args(["--nocapture", "--test-threads=1"])
        .env("HEAPDIVE_TEST_CHILD", "1");
    unsafe {
        cmd.pre_exec(|| {
            use nix::sys::resource::{RLIM_INFINITY, Resource, setrlimit};
            use nix::sys::signal::{SigHandler, Signal, signal};
            setrlimit(Resource::RLIMIT_FSIZE, 65_536, RLIM_INFINITY)?;
            signal(Signal::SIGXFSZ, SigHandler::SigIgn)?;
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success() && all.contains("1 passed"), "{all}");
    assert!(all.contains("child ran"), "{all}");
}

/// Only in the child of `a_session_goes_on_after_a_write_error`: the first snapshot hits the
/// file size limit; once the limit is lifted, the next one must be whole (the abandoned
/// snapshot's remaining chunks must not leak into it).
#[test]
fn session_goes_on_after_a_write_error_in_child() {
    if std::env::var_os("HEAPDIVE_TEST_CHILD").is_none() {
        return;
    }
    println!("child ran");
    let node = Node::inspect(&[]);
    let dir = common::scratch("capture-write-error-child");
    let target = Target::parse(&node.at()).unwrap();
    let opts = SessionOptions {
        dir: dir.clone(),
        prefix: "s".into(),
        // One sample at attach, then none: nothing reads the connection between the two
        // snapshots but the second snapshot itself.
        sample_every: Some(Duration::from_secs(600)),
    };
    let session = CaptureSession::attach(&target, opts, None).unwrap();
    let next = |session: &CaptureSession| -> CaptureEvent {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(Instant::now() < deadline, "no result");
            match session.recv_timeout(Duration::from_millis(100)) {
                Some(e @ (CaptureEvent::Error(_) | CaptureEvent::SnapshotSaved(_))) => return e,
                Some(CaptureEvent::TargetGone(why)) => panic!("{why}"),
                _ => {}
            }
        }
    };
    session.take_snapshot(false);
    match next(&session) {
        CaptureEvent::Error(e) => assert!(
            e.contains("s-1.heapsnapshot not saved") && e.contains("File too large"),
            "{e}"
        ),
        other => panic!("saved past the limit: {other:?}"),
    }
    assert!(names_in(&dir).is_empty(), "{:?}", names_in(&dir));
    use nix::sys::resource::{RLIM_INFINITY, Resource, setrlimit};
    setrlimit(Resource::RLIMIT_FSIZE, RLIM_INFINITY, RLIM_INFINITY).unwrap();
    session.take_snapshot(false);
    match next(&session) {
        CaptureEvent::SnapshotSaved(s) => {
            assert_eq!(s.path, dir.join("s-1.heapsnapshot"));
            assert_plausible(&load(&s.path));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_folder_that_cannot_be_made_and_a_wrong_ws_url_are_one_line() {
    let node = Node::inspect(&[]);
    assert_fails_with(
        &heapdive_output(&["capture", &node.at(), "-o", "/proc/heapdive-no-such-folder"]),
        "creating /proc/heapdive-no-such-folder",
    );
    let wrong = format!("ws://{}/no-such-target", node.at());
    assert_fails_with(
        &heapdive_output(&["capture", &wrong]),
        "WebSocket handshake failed",
    );
}

/// `heapdive check --action ACTION` on tests/check_app/orders.js, with `env` set for it.
fn check(env: &[(&str, &str)], action: &str, extra: &[&str]) -> Output {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_app/orders.js");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_heapdive"));
    cmd.args(["check", "--ready", "ready", "--action", action])
        .args(extra)
        .args(["--", "node", app.to_str().unwrap()])
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn check_fails_a_leaking_scenario_and_passes_its_fixed_twin_every_time() {
    // The same verdict on every run: five of each.
    for run in 0..5 {
        let dir = common::scratch(&format!("check-leak-{run}"));
        let junit = dir.join("junit.xml");
        let out = check(
            &[("LEAK", "1")],
            "handleOrders()",
            &[
                "--out",
                dir.to_str().unwrap(),
                "--junit",
                junit.to_str().unwrap(),
            ],
        );
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "run {run}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(
            stdout.starts_with("leak: 1 row grows in every round"),
            "{stdout}"
        );
        // The row: its pattern, its count per round, where it builds up, the code, the fix.
        assert!(
            stdout.contains("[collection] Order: 50 → 100 → 150 → 200 (+50 per round)"),
            "{stdout}"
        );
        assert!(stdout.contains("variable audit"), "{stdout}");
        assert!(stdout.contains("code: orders.js:5"), "{stdout}");
        // On a leak the snapshots stay, and their paths are printed.
        let kept = names_in(&dir);
        assert_eq!(
            kept.iter().filter(|n| n.ends_with(".heapsnapshot")).count(),
            4,
            "{kept:?}"
        );
        assert!(stdout.contains(dir.join("round-4.heapsnapshot").to_str().unwrap()));
        let xml = std::fs::read_to_string(&junit).unwrap();
        assert!(
            xml.contains("tests=\"1\" failures=\"1\"") && xml.contains("name=\"Order\""),
            "{xml}"
        );
        let _ = std::fs::remove_dir_all(&dir);

        let dir = common::scratch(&format!("check-fixed-{run}"));
        let out = check(
            &[],
            "handleOrders()",
            &["--out", dir.to_str().unwrap(), "--json"],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "run {run}: {}",
            text(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["verdict"], "pass");
        assert_eq!(v["rounds"], 3);
        assert_eq!(v["snapshots"].as_array().unwrap().len(), 4);
        // A pass deletes them.
        assert!(!names_in(&dir).iter().any(|n| n.ends_with(".heapsnapshot")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn check_says_in_one_line_when_the_scenario_fails() {
    // The program exits while the scenario runs.
    let out = check(
        &[("CRASH", "1")],
        "new Promise(r => setTimeout(r, 1000))",
        &[],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let last = err.trim_end().lines().last().unwrap();
    assert!(
        last.starts_with("heapdive: the scenario failed: the program exited"),
        "{err}"
    );
    // The action throws.
    let out = check(&[], "missing()", &[]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("`missing()` threw: ReferenceError"), "{err}");
    // Bad usage: neither a program nor --attach.
    let out = heapdive_output(&["check", "--action", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

/// A Chromium on PATH, or None (the page tests then say they did not run).
fn chromium() -> Option<std::path::PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .flat_map(|d| ["chromium", "chromium-browser", "google-chrome"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// A `check --url` stopped by a signal to heapdive alone stops the browser and removes the
/// profile folder it made for it.
#[test]
fn a_check_url_stopped_by_a_signal_stops_the_browser_and_removes_its_folder() {
    let Some(browser) = chromium() else {
        eprintln!("no Chromium on PATH: check --url not tested");
        return;
    };
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_app/widgets.html");
    let dir = common::scratch("check-url-signal");
    let err_path = dir.join("stderr.txt");
    // `--ready` never holds: the check waits for it until the signal. stderr is a file, not
    // a pipe that a browser left running would hold open.
    let mut check = Command::new(env!("CARGO_BIN_EXE_heapdive"))
        .args(["check", "--browser", browser.to_str().unwrap()])
        .arg("--url")
        .arg(format!("file://{}", page.display()))
        .args(["--ready", "globalThis.never", "--action", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let profile = std::env::temp_dir().join(format!("heapdive-chromium-{}", check.id()));
    let flag = format!("--user-data-dir={}", profile.display());
    // The browser's processes: those given its profile folder.
    let browsers = || processes::matching(|p| processes::has_arg(p, &flag));
    let mut up = false;
    for _ in 0..200 {
        if profile.is_dir() && !browsers().is_empty() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Let the page open: the signal comes while the check waits for --ready.
    std::thread::sleep(Duration::from_millis(500));
    let pid = nix::unistd::Pid::from_raw(check.id() as i32);
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
    let status = check.wait().unwrap();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let folder_left = profile.exists();
    let _ = std::fs::remove_dir_all(&profile);
    processes::assert_gone(&format!("the browser ({stderr})"), browsers);
    assert!(up, "the browser never started: {stderr}");
    assert!(!folder_left, "{} is still there", profile.display());
    assert_eq!(status.code(), Some(128 + 15), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_url_tells_a_leaking_page_from_its_fixed_twin_in_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("no Chromium on PATH: check --url not tested");
        return;
    };
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_app/widgets.html");
    // The snapshots go to the target's temp dir (a leak keeps them).
    let dir = common::scratch("check-url");
    let run = |query: &str| {
        heapdive_output(&[
            "check",
            "--browser",
            browser.to_str().unwrap(),
            "--url",
            &format!("file://{}{query}", page.display()),
            "--action",
            "addWidgets()",
            "--out",
            dir.to_str().unwrap(),
        ])
    };
    let out = run("?leak");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("[collection] Widget: 20 → 40 → 60 → 80"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let out = run("");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A page that does not load is the scenario's failure.
    let out = heapdive_output(&[
        "check",
        "--browser",
        browser.to_str().unwrap(),
        "--url",
        "http://127.0.0.1:9/",
        "--action",
        "1",
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("the page did not load"), "{err}");
}
