//! The desktop explorer (eframe/egui). Views draw and dispatch; the engine computes.

/// Opens the window (placeholder until the explorer lands).
pub fn run_app(_files: Vec<std::path::PathBuf>) -> Result<(), String> {
    Err("the desktop explorer is not built yet; use a subcommand (heapdive --help)".into())
}
