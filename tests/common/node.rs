//! A running tests/capture_app/leaky.js child for the capture tests (CLI, session API and
//! window): started with or without an inspector, killed when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;
use std::time::Duration;

pub const APP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/capture_app/leaky.js");

/// A running leaky.js; killed on drop.
pub struct Node {
    pub child: Child,
    /// The inspector's port and WebSocket URL (None without --inspect).
    pub port: Option<u16>,
    pub ws_url: Option<String>,
}

impl Node {
    /// `node --inspect=127.0.0.1:0 leaky.js ARGS`: the port comes from stderr.
    pub fn inspect(args: &[&str]) -> Node {
        let mut child = Command::new("node")
            .arg("--inspect=127.0.0.1:0")
            .arg(APP)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node must be installed to run the capture tests");
        let (tx, rx) = channel();
        let stderr = child.stderr.take().unwrap();
        // Keeps reading so that node never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("Debugger listening on ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let mut node = Node {
            child,
            port: None,
            ws_url: None,
        };
        let url = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("node printed no 'Debugger listening on ws://...' line");
        let port = url
            .trim_start_matches("ws://127.0.0.1:")
            .split('/')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {url}"));
        node.port = Some(port);
        node.ws_url = Some(url);
        node.wait_ready();
        node
    }

    /// `node leaky.js`, no inspector.
    pub fn plain() -> Node {
        let child = Command::new("node")
            .arg(APP)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node must be installed to run the capture tests");
        let mut node = Node {
            child,
            port: None,
            ws_url: None,
        };
        node.wait_ready();
        node
    }

    /// Until leaky.js has set up (its "leaky ready" line).
    pub fn wait_ready(&mut self) {
        let mut out = BufReader::new(self.child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert!(line.starts_with("leaky ready"), "{line}");
    }

    pub fn at(&self) -> String {
        format!("127.0.0.1:{}", self.port.unwrap())
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}
