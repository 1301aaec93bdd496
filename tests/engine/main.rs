//! The engine, the model and the CLI, without a window or a live process: one test binary
//! (one link of the crate), a module per concern. A new test file is one `mod` line here.

#[path = "../bench/tile.rs"]
#[allow(dead_code)]
mod bench_tile;
#[path = "../common/mod.rs"]
mod common;

mod allocations;
mod app_state;
mod bad_input;
mod explain;
mod golden;
mod module_rules;
mod native_contexts;
mod neutral_paths;
mod profile;
mod redact;
mod robustness;
mod salvage;
mod series;
mod sources;
mod tile;
