//! The processes a test started, found in `/proc`, and the check that none outlives it.

use std::path::Path;
use std::time::Duration;

/// The pids of the processes whose `/proc/PID` folder `is_one` accepts.
pub fn matching(is_one: impl Fn(&Path) -> bool) -> Vec<i32> {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    procs
        .filter_map(|e| {
            let e = e.ok()?;
            let pid = e.file_name().to_str()?.parse().ok()?;
            is_one(&e.path()).then_some(pid)
        })
        .collect()
}

/// Whether the process's environment (`/proc/PID/environ`) holds `var` (`NAME=value`).
pub fn has_env(proc_dir: &Path, var: &str) -> bool {
    holds(&proc_dir.join("environ"), var)
}

/// Whether one of the process's arguments (`/proc/PID/cmdline`) is `arg`.
pub fn has_arg(proc_dir: &Path, arg: &str) -> bool {
    holds(&proc_dir.join("cmdline"), arg)
}

/// Whether the NUL-separated file holds `item` as one of its fields.
fn holds(file: &Path, item: &str) -> bool {
    std::fs::read(file).is_ok_and(|b| b.split(|&c| c == 0).any(|f| f == item.as_bytes()))
}

/// Waits up to 5 s for `find` to find no process; otherwise kills those it finds, so that
/// a failing run leaves nothing behind on the machine, and fails naming `what`.
pub fn assert_gone(what: &str, find: impl Fn() -> Vec<i32>) {
    for _ in 0..50 {
        if find().is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let left = find();
    for &pid in &left {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    panic!("{what}: still running: pids {left:?}");
}
