//! One inspector connection: Chrome DevTools Protocol commands over a synchronous WebSocket.
//! A command's reply is awaited by reading messages; the events that come first (snapshot
//! chunks, progress) go to a callback as they arrive, so nothing accumulates.

use super::{CaptureError, failed};
use serde_json::{Value, json};
use std::io::ErrorKind;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

/// How often a blocked read wakes up to look at the stop flag and the deadline.
const POLL: Duration = Duration::from_millis(100);

pub struct Cdp {
    ws: WebSocket<TcpStream>,
    next_id: u64,
}

/// Called with each event's method and params while a command waits for its reply.
pub type OnEvent<'a> = dyn FnMut(&str, &Value) -> Result<(), CaptureError> + 'a;

impl Cdp {
    /// Connects to a target's `webSocketDebuggerUrl`.
    pub fn connect(url: &str) -> Result<Cdp, CaptureError> {
        let authority = url
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
            .filter(|a| !a.is_empty())
            .ok_or_else(|| failed(format!("{url}: not a ws:// URL")))?;
        if url.starts_with("wss://") {
            return Err(failed(format!(
                "{url}: wss:// needs TLS, which inspectors do not use; use ws://"
            )));
        }
        let stream = connect_tcp(authority)?;
        let set = |t| {
            stream
                .set_read_timeout(t)
                .map_err(|e| failed(e.to_string()))
        };
        // The handshake reads with a plain timeout; afterwards reads wake up every POLL.
        set(Some(Duration::from_secs(5)))?;
        let (ws, _) =
            tungstenite::client(url, stream.try_clone().map_err(|e| failed(e.to_string()))?)
                .map_err(|e| {
                    failed(format!(
                        "{url}: WebSocket handshake failed ({e}): not an inspector target?"
                    ))
                })?;
        set(Some(POLL))?;
        let _ = stream.set_nodelay(true);
        Ok(Cdp { ws, next_id: 1 })
    }

    /// Sends `method` and waits for its reply, handing earlier events to `on_event`. `limit`
    /// bounds the wait (None: as long as the target works, as for a big snapshot); `stop`
    /// ends it early with [`CaptureError::Stopped`].
    pub fn call(
        &mut self,
        method: &str,
        params: Value,
        limit: Option<Duration>,
        stop: &AtomicBool,
        on_event: &mut OnEvent<'_>,
    ) -> Result<Value, CaptureError> {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({"id": id, "method": method, "params": params}).to_string();
        self.ws.send(Message::text(msg)).map_err(connection_error)?;
        let deadline = limit.map(|l| Instant::now() + l);
        loop {
            if stop.load(Ordering::Relaxed) {
                return Err(CaptureError::Stopped);
            }
            if deadline.is_some_and(|d| Instant::now() > d) {
                return Err(failed(format!(
                    "{method}: no reply within {} s",
                    limit.unwrap_or_default().as_secs()
                )));
            }
            let text = match self.ws.read() {
                Ok(Message::Text(t)) => t,
                Ok(Message::Close(_)) => return Err(gone("the target closed the connection")),
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                {
                    continue;
                }
                Err(e) => return Err(connection_error(e)),
            };
            let mut v: Value = serde_json::from_str(&text)
                .map_err(|e| failed(format!("the target sent a message that is not JSON: {e}")))?;
            if v.get("id").and_then(Value::as_u64) == Some(id) {
                return reply(method, &mut v);
            }
            if let Some(m) = v.get("method").and_then(Value::as_str) {
                on_event(m, &v["params"])?;
            }
        }
    }

    /// Reads what the target sent unasked between commands, waiting at most one poll: a
    /// target that exited shows here even when no command is running.
    pub fn drain(&mut self) -> Result<(), CaptureError> {
        loop {
            match self.ws.read() {
                Ok(Message::Close(_)) => return Err(gone("the target closed the connection")),
                Ok(_) => {} // Events nobody asked for.
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                {
                    return Ok(());
                }
                Err(e) => return Err(connection_error(e)),
            }
        }
    }

    /// Closes the connection politely (the target may already be gone).
    pub fn close(&mut self) {
        let _ = self.ws.close(None);
        let _ = self.ws.flush();
    }
}

fn reply(method: &str, v: &mut Value) -> Result<Value, CaptureError> {
    if let Some(err) = v.get("error") {
        let msg = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("error");
        return Err(failed(format!("{method}: the target answered: {msg}")));
    }
    Ok(v["result"].take())
}

fn gone(msg: &str) -> CaptureError {
    CaptureError::Gone(msg.to_string())
}

fn connection_error(e: tungstenite::Error) -> CaptureError {
    use tungstenite::Error as E;
    match e {
        E::ConnectionClosed | E::AlreadyClosed => gone("the target closed the connection"),
        E::Io(io) => CaptureError::Gone(format!("the connection to the target broke ({io})")),
        E::Protocol(p) => CaptureError::Gone(format!("the connection to the target broke ({p})")),
        other => failed(format!("inspector connection: {other}")),
    }
}

/// A TCP connection to `host:port` with a short connect timeout (a wrong host fails fast).
pub(crate) fn connect_tcp(authority: &str) -> Result<TcpStream, CaptureError> {
    let addrs: Vec<_> = authority
        .to_socket_addrs()
        .map_err(|e| failed(format!("{authority}: {e}")))?
        .collect();
    let mut last = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, Duration::from_secs(3)) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) if e.kind() == ErrorKind::ConnectionRefused => failed(format!(
            "nothing is listening on {authority} (connection refused)"
        )),
        Some(e) => failed(format!("cannot connect to {authority}: {e}")),
        None => failed(format!("{authority}: host not found")),
    })
}
