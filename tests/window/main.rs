//! The window, driven frame by frame through egui_kittest (the `gui` feature): one test
//! binary, a module per concern. A new test file is one `mod` line here.

#[path = "../common/mod.rs"]
mod common;

mod native_contexts;
mod ui;
mod ui_alloc;
mod workspace;
