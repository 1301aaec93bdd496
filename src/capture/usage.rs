//! Heap usage for the live chart and the "capture when heap used passes X" trigger:
//! `Runtime.getHeapUsage` everywhere, plus `process.memoryUsage()` where the target is Node
//! (RSS, external and ArrayBuffer memory: the gap between RSS and the JS heap).

use super::CaptureError;
use super::cdp::Cdp;
use serde_json::{Value, json};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// One sample, in bytes. `secs` counts from the session's attach.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct UsageSample {
    pub secs: f64,
    /// The JS heap's used and total (committed) size.
    pub used: u64,
    pub total: u64,
    /// Node only (`process.memoryUsage()`).
    pub rss: Option<u64>,
    pub external: Option<u64>,
    pub array_buffers: Option<u64>,
}

/// A usage question waits at most this long (a target busy in a long task answers late).
const LIMIT: Duration = Duration::from_secs(10);

/// Samples the target. `node` says whether to ask `process.memoryUsage()`; it turns false
/// for good when the target has no `process` (a page, Deno).
pub fn sample(
    cdp: &mut Cdp,
    secs: f64,
    node: &mut bool,
    stop: &AtomicBool,
) -> Result<UsageSample, CaptureError> {
    let ignore = &mut |_: &str, _: &Value| Ok(());
    let heap = cdp.call("Runtime.getHeapUsage", json!({}), Some(LIMIT), stop, ignore)?;
    let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64).map(|f| f as u64);
    let mut s = UsageSample {
        secs,
        used: num(&heap, "usedSize").unwrap_or(0),
        total: num(&heap, "totalSize").unwrap_or(0),
        rss: None,
        external: None,
        array_buffers: None,
    };
    if *node {
        let r = cdp.call(
            "Runtime.evaluate",
            json!({"expression": "JSON.stringify(process.memoryUsage())", "returnByValue": true}),
            Some(LIMIT),
            stop,
            ignore,
        )?;
        let parsed = r["result"]["value"]
            .as_str()
            .and_then(|t| serde_json::from_str::<Value>(t).ok());
        match parsed {
            Some(m) => {
                s.rss = num(&m, "rss");
                s.external = num(&m, "external");
                s.array_buffers = num(&m, "arrayBuffers");
            }
            None => *node = false,
        }
    }
    Ok(s)
}
