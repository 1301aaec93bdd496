#![allow(clippy::needless_range_loop)] // Index loops over parallel columns read clearer than zips.
//! heapdive's engine: reads V8 heap snapshots and computes what Chrome DevTools' Memory panel
//! computes (distances, dominators, retained sizes, class names, Summary, Statistics,
//! Comparison), over flat columns. No UI dependency lives here except in `ui`.

pub mod analysis;
pub mod capture;
pub mod cli;
pub mod fmt;
pub mod load;
pub mod mcp;
pub mod model;
pub mod paths;
pub mod process_memory;
pub mod profile;
pub mod redact;
pub mod snapshot;
pub mod sources;
#[cfg(feature = "gui")]
pub mod ui;
pub mod util;

pub use analysis::Heap;
pub use load::{load, load_quiet};
