//! The explorer's state, with no egui in it: the app state, the commands that change it,
//! the background jobs that feed it, and what each view shows. The `ui` module draws these
//! and pushes commands; tests drive them without a window.

pub mod allocation_tree;
pub mod allocations;
pub mod app_state;
pub mod capture_state;
pub mod class_rows;
pub mod code;
pub mod command;
pub mod comparison;
pub mod effects;
pub mod format;
pub mod growth;
pub mod history;
pub mod ids;
pub mod job_output;
pub mod jobs;
pub mod load_queue;
pub mod loader;
pub mod object_search;
pub mod pane;
pub mod profile_list;
pub mod profiles;
pub mod redaction;
pub mod retainer_graph;
pub mod selection;
pub mod series;
pub mod settings;
pub mod snap_jobs;
pub mod snapshots;
pub mod summary;
pub mod tree;
pub mod work;

pub use app_state::AppState;
pub use command::{Command, WindowCommand};
pub use ids::{ObjRef, SnapId};
pub use jobs::{JobKey, Jobs};
pub use pane::Pane;
pub use settings::{Settings, Tab};

/// The class-name filter of the Summary and Comparison views: a case-insensitive substring
/// (DevTools' `name.toLowerCase().indexOf(filter)`); `filter_lower` is already lowercase.
pub fn name_matches(name: &str, filter_lower: &str) -> bool {
    filter_lower.is_empty() || name.to_lowercase().contains(filter_lower)
}
