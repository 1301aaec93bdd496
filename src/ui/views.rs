//! The view trait. A new view is one file with a `View` impl, one `Tab` variant and one
//! line in `registry.rs`; the workspace shows each in a pane (`workspace.rs`).

use crate::model::{AppState, Command, Tab};
use egui::{Key, Ui};

pub trait View {
    fn tab(&self) -> Tab;
    fn title(&self) -> &'static str;
    /// Draws the view of the current snapshot. A view may change its own model (expand,
    /// sort, page); everything else it asks for with a command.
    fn ui(&mut self, ui: &mut Ui, state: &mut AppState, cmds: &mut Vec<Command>);
    /// Arrows and Enter while the view has no text field focused.
    fn key(&mut self, _key: Key, _state: &mut AppState, _cmds: &mut Vec<Command>) {}
    /// The selected row as text (Ctrl+C).
    fn row_text(&self, _state: &AppState) -> Option<String> {
        None
    }
}
