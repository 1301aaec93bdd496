//! The panes of the window's workspace, named without egui: the window lays them out
//! (`ui::workspace`), commands and tests name them.

use super::settings::Tab;

/// One pane of the workspace. Each is in the tree at most once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Pane {
    /// A main view (Summary, Comparison, …), by its tab.
    View(Tab),
    /// The selected object's details.
    Details,
    /// The selected object's retainers tree.
    Retainers,
    /// The graph of paths that explain why the selection is alive.
    Graph,
    /// The selection's code.
    Code,
    /// Live capture's heap chart and controls.
    Capture,
}

impl Pane {
    /// The panes about the selection: shown only while an object is selected.
    pub fn about_selection(self) -> bool {
        matches!(
            self,
            Pane::Details | Pane::Retainers | Pane::Graph | Pane::Code
        )
    }

    /// The pane a tab is shown in (the Retainers tab is the graph pane).
    pub fn of_tab(tab: Tab) -> Pane {
        match tab {
            Tab::Retainers => Pane::Graph,
            t => Pane::View(t),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::View(_) => "View",
            Pane::Details => "Details",
            Pane::Retainers => "Retainers",
            Pane::Graph => "Retainer graph",
            Pane::Code => "Code",
            Pane::Capture => "Capture",
        }
    }
}
