//! Live capture from real `node` processes on 127.0.0.1 (each test stops its own): the CLI
//! and session API, and the window's capture panel when the `gui` feature is on; the MCP
//! server with a real client. A new test
//! file is one `mod` line here.

#[path = "../common/mod.rs"]
mod common;

mod capture;
mod check_feed;
mod mcp;
#[cfg(feature = "gui")]
mod ui_capture;
