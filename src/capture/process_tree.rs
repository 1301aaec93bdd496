//! Stopping a started program with the processes it started: a Node program's workers or
//! helpers, a browser's renderers. Killing only the program leaves those running (a helper
//! that never reads its parent's pipe does not notice it is gone), and a CI machine
//! collects them run after run.

use std::path::PathBuf;
use std::process::Child;
use std::sync::Mutex;

/// The programs started and not stopped yet, each with the folder made for it (a browser's
/// profile): what [`stop_started_on_signals`] stops and removes.
static STARTED: Mutex<Vec<(u32, Option<PathBuf>)>> = Mutex::new(Vec::new());

/// Notes a started program (and its folder), to be stopped (and removed) with heapdive if
/// a signal stops heapdive.
pub fn track(child: &Child, folder: Option<PathBuf>) {
    STARTED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((child.id(), folder));
}

/// Kills `child` and, where `/proc` lists processes (Linux), every process it started,
/// however deep. The program is stopped first, so that it starts nothing new meanwhile.
pub fn kill_tree(child: &mut Child) {
    STARTED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|(pid, _)| *pid != child.id());
    #[cfg(target_os = "linux")]
    kill_descendants(child.id());
    let _ = child.kill();
    let _ = child.wait();
}

/// Stops `root` and kills every process below it (not `root` itself).
#[cfg(target_os = "linux")]
fn kill_descendants(root: u32) {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let _ = kill(Pid::from_raw(root as i32), Signal::SIGSTOP);
    for pid in descendants(root) {
        let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
    }
}

/// When SIGINT, SIGTERM or SIGHUP comes, kills every tracked program's tree, removes its
/// folder, and exits with 128 + the signal, rather than dying alone: a CI job cancelled by
/// a signal to heapdive would leave the program it started running, and its helpers.
/// Linux only. The signals are blocked in this thread and in the threads it starts
/// afterwards, so call it before starting any; one thread of its own waits for them.
pub fn stop_started_on_signals() {
    #[cfg(target_os = "linux")]
    {
        use nix::sys::signal::{SigSet, Signal};
        let mut set = SigSet::empty();
        for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
            set.add(s);
        }
        if set.thread_block().is_err() {
            return;
        }
        std::thread::spawn(move || {
            let Ok(signal) = set.wait() else { return };
            // Held until the exit: a program started meanwhile waits to be tracked.
            let started = STARTED.lock().unwrap_or_else(|e| e.into_inner());
            for &(pid, _) in started.iter() {
                kill_descendants(pid);
                let _ =
                    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), Signal::SIGKILL);
            }
            for dir in started.iter().filter_map(|(_, folder)| folder.as_ref()) {
                let _ = std::fs::remove_dir_all(dir);
            }
            eprintln!("heapdive: stopped by {signal}, with the program it started");
            std::process::exit(128 + signal as i32);
        });
    }
}

/// The processes below `root` (children, their children...), from each process's parent in
/// `/proc/PID/stat`.
#[cfg(target_os = "linux")]
fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.ok()?.file_name().to_str()?.parse().ok()?;
            Some((pid, parent_of(pid)?))
        })
        .collect();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let p = found[i];
        found.extend(
            parents
                .iter()
                .filter(|&&(_, pp)| pp == p)
                .map(|&(pid, _)| pid),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// The parent's pid: the field after the command's closing parenthesis and the state (the
/// command may itself hold spaces and parentheses).
#[cfg(target_os = "linux")]
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    /// A shell that started a `sleep` of its own: both are gone afterwards.
    #[test]
    fn the_programs_own_children_stop_with_it() {
        let mut child = Command::new("sh")
            .args(["-c", "sleep 600 & echo $!; wait"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let sleeper: u32 = line.trim().parse().unwrap();
        assert_eq!(parent_of(sleeper), Some(child.id()));
        kill_tree(&mut child);
        // Killed and reaped by init (its parent is gone): no /proc entry, or a zombie for a
        // moment.
        for _ in 0..50 {
            let state = std::fs::read_to_string(format!("/proc/{sleeper}/stat"));
            if state.map_or(true, |s| s.contains(") Z ")) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(sleeper as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
        panic!("sleep {sleeper} was still running");
    }
}
