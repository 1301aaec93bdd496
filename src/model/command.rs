//! Everything that crosses views or starts work. Views push commands while drawing; the app
//! applies them after the frame: the model's through `AppState::apply`, the window's own
//! (platform dialogs) through `ui::app`, which takes `Command::Window` before the model.

use super::ids::{ObjRef, SnapId};
use super::jobs::JobKey;
use super::settings::Tab;
use crate::analysis::filters::NodeFilter;
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub enum Command {
    /// Load files (in this order); three or more at once are a series.
    Open(Vec<PathBuf>),
    /// What only the window can do.
    Window(WindowCommand),
    CancelLoad,
    Close(SnapId),
    SetCurrent(SnapId),
    SetBase(SnapId),
    /// The user picked a view.
    ShowTab(Tab),
    /// Select an object: details, retainers, paths. A step in the history.
    Select(ObjRef),
    /// Switch to `Tab` on the object's snapshot, select it and scroll to it.
    Reveal(Tab, ObjRef),
    Back,
    Forward,
    /// The Summary's object filter of a snapshot (computed in the background).
    SetFilter(SnapId, NodeFilter),
    /// The search box's text as it is typed: filters classes by name.
    SetClassFilter(String),
    /// Enter in the search box: `@id` selects that object, other text lists matching objects.
    Search(String),
    CloseSearchResults,
    /// Compare the first and last snapshots on one class (from the growth chart).
    CompareClass(String),
    /// How many retaining paths the graph draws.
    SetPathCount(usize),
    Status(String),
    DismissErrors,
    /// Write a redacted copy of a snapshot's file to this path.
    Redact {
        snap: SnapId,
        to: PathBuf,
    },
    /// Ask a running job to stop (it reports that it was cancelled).
    Cancel(JobKey),
    /// Open a file at a line in the user's editor (Settings::editor, else $VISUAL/$EDITOR).
    OpenInEditor {
        file: PathBuf,
        line: u32,
        column: u32,
    },
    /// Open a script position in the editor, at its original source when a source map
    /// leads there (a job: finding the file reads the script and its map).
    OpenCode(crate::analysis::locations::SourceLocation),
    SetEditor(String),
    /// Attribute a snapshot's objects to its native contexts (the filter menu opened).
    NativeContexts(SnapId),
    /// Sizes in B/kB/MB/GB, or in kB only as DevTools writes them (remembered).
    SetSizeStyle(crate::fmt::SizeStyle),
    /// Which path the retainers tree expands (remembered).
    SetRetainerPath(super::settings::RetainerPath),
    /// `FROM=TO[;FROM=TO...]`: read scripts named under FROM from TO on this machine.
    SetSourceRemap(String),
    /// Live capture (`model/capture_state.rs`): show or hide the attach dialog.
    ShowAttach(bool),
    /// List an inspector's targets (`HOST:PORT`), as a job.
    ListTargets(String),
    /// Attach to `HOST:PORT`, a `ws://` URL or `pid:PID`, writing snapshots to `folder`.
    Attach {
        target: String,
        folder: PathBuf,
    },
    Detach,
    TakeSnapshot {
        gc: bool,
    },
    SetSchedule(Option<crate::capture::Schedule>),
    SetCaptureFolder(PathBuf),
    /// Detach if attached and hide the capture panel.
    CloseCapture,
    /// List the live objects an Allocations row allocated (function, then callers).
    AllocationObjects(SnapId, Vec<u32>),
    /// Show an open sampling heap profile.
    ShowProfile(super::profiles::ProfileId),
    CloseProfile(super::profiles::ProfileId),
}

/// The window's own commands: platform dialogs, which it runs as jobs.
#[derive(Clone, Debug, PartialEq)]
pub enum WindowCommand {
    /// The platform's file dialog, to open files.
    OpenDialog,
    /// Ask where to save `text` and write it.
    Save { text: String, file_name: String },
    /// Ask where to save a redacted copy of a snapshot.
    SaveRedactedAs(SnapId),
    /// The workspace's default layout again.
    ResetLayout,
    /// Show a pane (back where it was closed) or close it.
    TogglePane(super::pane::Pane),
}
