//! From a location in a snapshot to the code on disk: the script's local file (with
//! folders remapped when the snapshot came from another machine), its source map, the lines
//! around a position, and the command that opens an editor there. Nothing here fails a whole
//! view: a missing file or a broken map is a status.

pub mod class_names;
pub mod editor;
pub mod excerpt;
pub mod maps;

pub use editor::editor_command;
pub use excerpt::{Excerpt, excerpt};
pub use maps::{Located, MapStatus, Original, Resolved, SourceMaps};
