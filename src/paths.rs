//! File paths as the app compares and names them. A leaf: it imports nothing here.

use std::path::{Path, PathBuf};

/// `path` absolute with links resolved, or as given when that fails (it may be gone).
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The file's name, or the whole path when it has none.
pub fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
