//! Capture: heap snapshots and heap usage from a running Node.js, Deno, Electron or Chrome
//! process over its inspector (the Chrome DevTools Protocol on a WebSocket). The CLI's
//! `targets` and `capture` and the window's capture panel all drive [`CaptureSession`].
//!
//! Snapshots stream to disk chunk by chunk ([`stream`]): memory stays at one chunk, however
//! large the heap, and a broken capture leaves no file under its final name.

pub mod cdp;
pub mod events;
#[cfg(unix)]
pub mod pid;
pub mod process_tree;
pub mod scenario;
pub mod session;
pub mod stream;
pub mod target;
pub mod usage;
mod worker;

pub use events::{CaptureEvent, SavedSnapshot, Schedule, SessionOptions};
pub use session::CaptureSession;
pub use stream::default_capture_dir;
pub use target::{Target, TargetInfo, list_targets};
pub use usage::UsageSample;

/// Why a capture step failed, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// Anything that leaves the connection usable or was never made.
    #[error("{0}")]
    Failed(String),
    /// The target exited or the connection broke: the session cannot go on.
    #[error("{0}")]
    Gone(String),
    /// The user detached (or pressed Ctrl+C) while a call was waiting.
    #[error("stopped")]
    Stopped,
}

impl CaptureError {
    /// The same error with `what` (e.g. "snapshot 2") said first.
    pub fn context(self, what: &str) -> CaptureError {
        match self {
            CaptureError::Failed(m) => CaptureError::Failed(format!("{what}: {m}")),
            CaptureError::Gone(m) => CaptureError::Gone(format!("{what}: {m}")),
            CaptureError::Stopped => CaptureError::Stopped,
        }
    }
}

pub(crate) fn failed(msg: impl Into<String>) -> CaptureError {
    CaptureError::Failed(msg.into())
}
