//! `pid:PID`: a Node process started without `--inspect` opens its inspector on
//! 127.0.0.1:9229 when it receives SIGUSR1. SIGUSR1 ends most other programs, so the process
//! is checked to be Node first (on Linux, where /proc says), and on Linux the port's listener
//! is checked to belong to that process, so heapdive never attaches to some other inspector.

use super::{CaptureError, failed};
use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Where Node opens its inspector on SIGUSR1.
pub const SIGNAL_PORT: u16 = 9229;
const WAIT: Duration = Duration::from_secs(5);

/// Makes `pid` open its inspector and returns the port to ask for targets.
pub fn open_inspector(pid: u32) -> Result<u16, CaptureError> {
    let p = Pid::from_raw(i32::try_from(pid).map_err(|_| no_such(pid))?);
    alive(p, pid)?;
    check_is_node(pid)?;
    if answers() {
        return match listener_owner_is(pid) {
            Some(false) => Err(failed(format!(
                "127.0.0.1:{SIGNAL_PORT} is already in use by another process, so pid {pid} \
                 cannot open its inspector there"
            ))),
            // Already open (an earlier SIGUSR1 or --inspect): attach.
            _ => Ok(SIGNAL_PORT),
        };
    }
    kill(p, Signal::SIGUSR1).map_err(|e| failed(format!("sending SIGUSR1 to pid {pid}: {e}")))?;
    let start = Instant::now();
    while start.elapsed() < WAIT {
        std::thread::sleep(Duration::from_millis(100));
        if alive(p, pid).is_err() {
            return Err(failed(format!("pid {pid} exited after SIGUSR1")));
        }
        if answers() {
            return match listener_owner_is(pid) {
                Some(false) => Err(failed(format!(
                    "127.0.0.1:{SIGNAL_PORT} was opened by another process, not pid {pid}"
                ))),
                _ => Ok(SIGNAL_PORT),
            };
        }
    }
    Err(failed(format!(
        "pid {pid} did not open its inspector on 127.0.0.1:{SIGNAL_PORT} within {} s (was it \
         started with --disable-sigusr1, or is it not Node?)",
        WAIT.as_secs()
    )))
}

fn no_such(pid: u32) -> CaptureError {
    failed(format!("no process has pid {pid}"))
}

/// Signal 0: does the process exist and may we signal it?
fn alive(p: Pid, pid: u32) -> Result<(), CaptureError> {
    match kill(p, None) {
        Ok(()) => Ok(()),
        Err(Errno::ESRCH) => Err(no_such(pid)),
        Err(Errno::EPERM) => Err(failed(format!(
            "pid {pid} belongs to another user: heapdive may not signal it"
        ))),
        Err(e) => Err(failed(format!("pid {pid}: {e}"))),
    }
}

fn answers() -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, SIGNAL_PORT));
    TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok()
}

/// Refuses a process whose program is not Node (or Electron, which handles SIGUSR1 the same).
fn check_is_node(pid: u32) -> Result<(), CaptureError> {
    let Some(name) = program_name(pid) else {
        return Ok(()); // No /proc (macOS): trust the user.
    };
    let lower = name.to_lowercase();
    if lower.contains("node") || lower.contains("electron") {
        return Ok(());
    }
    Err(failed(format!(
        "pid {pid} is `{name}`, not Node.js: heapdive sends SIGUSR1 only to Node (it would end \
         most other programs)"
    )))
}

/// The program's file name from /proc (the executable, else the command name).
fn program_name(pid: u32) -> Option<String> {
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
    if let Some(name) = exe.as_deref().and_then(|p| p.file_name()) {
        return Some(name.to_string_lossy().into_owned());
    }
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|s| s.trim().to_string())
}

/// Linux: does the socket listening on 127.0.0.1:9229 belong to `pid`? None where /proc
/// does not tell (another OS, or no permission to read the process's descriptors).
fn listener_owner_is(pid: u32) -> Option<bool> {
    let tcp = std::fs::read_to_string("/proc/net/tcp").ok()?;
    // Local address as /proc writes it: the IPv4 address in host byte order (little-endian
    // here; elsewhere nothing matches and the answer is None), then the port in hex.
    let local = format!("0100007F:{SIGNAL_PORT:04X}");
    let inode = tcp.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        (f.len() > 9 && f[1] == local && f[3] == "0A").then(|| f[9].to_string())
    })?;
    let wanted = format!("socket:[{inode}]");
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    Some(
        fds.flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|l| l.to_string_lossy() == wanted)),
    )
}
