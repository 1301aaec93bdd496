//! What to attach to: `HOST:PORT` (an inspector's HTTP endpoint), a `ws://` URL, or
//! `pid:PID`; and the inspector's target list (`GET /json/list`).

use super::{CaptureError, failed};
use std::time::Duration;

/// How a user names a process to capture from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An inspector's HTTP endpoint: the first Node or page target it lists.
    Inspector { host: String, port: u16 },
    /// A target's own WebSocket URL (`webSocketDebuggerUrl`).
    WebSocket(String),
    /// A Node process started without `--inspect`: SIGUSR1 opens 127.0.0.1:9229.
    Pid(u32),
}

/// One entry of `/json/list`, as the inspector wrote it.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct TargetInfo {
    #[serde(default)]
    pub id: String,
    /// `node`, `page`, `worker`, `service_worker`, ...
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub url: String,
    /// Missing when another client (a DevTools window) is attached to a Chrome target.
    #[serde(default, rename = "webSocketDebuggerUrl")]
    pub ws_url: String,
}

impl Target {
    /// `HOST:PORT`, `PORT` (on 127.0.0.1), `http://HOST:PORT`, `ws://...` or `pid:PID`.
    pub fn parse(s: &str) -> Result<Target, CaptureError> {
        let s = s.trim();
        if let Some(pid) = s.strip_prefix("pid:") {
            return match pid.trim().parse::<u32>() {
                Ok(p) if p > 0 => Ok(Target::Pid(p)),
                _ => Err(failed(format!("{s}: a process id is a positive number"))),
            };
        }
        if s.starts_with("ws://") || s.starts_with("wss://") {
            return Ok(Target::WebSocket(s.to_string()));
        }
        let hp = s.strip_prefix("http://").unwrap_or(s).trim_end_matches('/');
        let (host, port) = match hp.rsplit_once(':') {
            Some((h, p)) => (h.trim_matches(['[', ']']), p),
            None => ("127.0.0.1", hp),
        };
        match port.parse::<u16>() {
            Ok(port) if port > 0 && !host.is_empty() => Ok(Target::Inspector {
                host: host.to_string(),
                port,
            }),
            _ => Err(failed(format!(
                "{s}: expected HOST:PORT (e.g. 127.0.0.1:9229), a ws:// URL or pid:PID"
            ))),
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Inspector { host, port } => write!(f, "{}", authority(host, *port)),
            Target::WebSocket(url) => write!(f, "{url}"),
            Target::Pid(p) => write!(f, "pid:{p}"),
        }
    }
}

/// `host:port`, bracketing IPv6 addresses.
pub(crate) fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The targets an inspector lists, in its order.
pub fn list_targets(host: &str, port: u16) -> Result<Vec<TargetInfo>, CaptureError> {
    let at = authority(host, port);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        // A proxy from the environment must not see a local inspector's requests.
        .proxy(None)
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .get(format!("http://{at}/json/list"))
        .call()
        .map_err(|e| http_error(&at, e))?;
    if resp.status() != 200 {
        return Err(not_inspector(
            &at,
            &format!("GET /json/list answered HTTP {}", resp.status().as_u16()),
        ));
    }
    let body = resp
        .body_mut()
        .with_config()
        .limit(16 << 20)
        .read_to_string()
        .map_err(|e| not_inspector(&at, &format!("reading /json/list: {e}")))?;
    serde_json::from_str::<Vec<TargetInfo>>(&body)
        .map_err(|_| not_inspector(&at, "/json/list is not a JSON list of targets"))
}

fn not_inspector(at: &str, why: &str) -> CaptureError {
    failed(format!("{at} is not a V8 inspector ({why})"))
}

fn http_error(at: &str, e: ureq::Error) -> CaptureError {
    use std::io::ErrorKind;
    match e {
        ureq::Error::Io(io) if io.kind() == ErrorKind::ConnectionRefused => failed(format!(
            "nothing is listening on {at} (connection refused): start the process with \
             --inspect={at}, or attach with pid:PID"
        )),
        ureq::Error::ConnectionFailed => failed(format!("cannot connect to {at}")),
        ureq::Error::HostNotFound => failed(format!("{at}: host not found")),
        ureq::Error::Timeout(_) => failed(format!("{at} did not answer within 5 s")),
        ureq::Error::Io(io) => failed(format!("{at}: {io}")),
        other => not_inspector(at, &format!("it does not answer HTTP: {other}")),
    }
}

/// The target `target` names: for an inspector, its first Node or page target.
pub fn resolve(target: &Target) -> Result<TargetInfo, CaptureError> {
    match target {
        Target::WebSocket(url) => Ok(TargetInfo {
            title: url.clone(),
            ws_url: url.clone(),
            ..TargetInfo::default()
        }),
        Target::Inspector { host, port } => first_target(host, *port),
        #[cfg(unix)]
        Target::Pid(pid) => {
            let port = super::pid::open_inspector(*pid)?;
            first_target("127.0.0.1", port)
        }
        #[cfg(not(unix))]
        Target::Pid(_) => Err(failed(
            "pid: needs SIGUSR1, which only Linux and macOS have; start the process with --inspect",
        )),
    }
}

fn first_target(host: &str, port: u16) -> Result<TargetInfo, CaptureError> {
    let list = list_targets(host, port)?;
    let usable = |t: &&TargetInfo| !t.ws_url.is_empty();
    list.iter()
        .filter(usable)
        .find(|t| t.kind == "node" || t.kind == "page")
        .or_else(|| list.iter().find(usable))
        .cloned()
        .ok_or_else(|| {
            failed(format!(
                "{} lists no target to attach to ({} listed; a DevTools window attached to a \
                 target hides its WebSocket URL)",
                authority(host, port),
                list.len()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_way_to_name_a_target() {
        let insp = |h: &str, p| Target::Inspector {
            host: h.into(),
            port: p,
        };
        assert_eq!(
            Target::parse("127.0.0.1:9229").unwrap(),
            insp("127.0.0.1", 9229)
        );
        assert_eq!(Target::parse("9230").unwrap(), insp("127.0.0.1", 9230));
        assert_eq!(
            Target::parse("http://localhost:9222/").unwrap(),
            insp("localhost", 9222)
        );
        assert_eq!(Target::parse("[::1]:9229").unwrap(), insp("::1", 9229));
        assert_eq!(Target::parse("pid:42").unwrap(), Target::Pid(42));
        assert_eq!(
            Target::parse("ws://127.0.0.1:9229/abc").unwrap(),
            Target::WebSocket("ws://127.0.0.1:9229/abc".into())
        );
        for bad in ["pid:x", "pid:0", "host:", "host:99999", "nonsense"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(insp("::1", 9229).to_string(), "[::1]:9229");
    }
}
