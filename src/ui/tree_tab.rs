//! The Containment and Dominators views: the same lazily expanded tree table over the
//! current snapshot's containment or dominator tree.

use super::tree::TreeView;
use super::views::View;
use crate::model::snapshots::Snap;
use crate::model::tree::TreeModel;
use crate::model::{AppState, Command, Tab};
use egui::{Key, Ui};

pub struct TreeTab {
    tab: Tab,
    view: TreeView,
}

impl TreeTab {
    pub fn containment() -> Self {
        TreeTab {
            tab: Tab::Containment,
            view: TreeView::default(),
        }
    }

    pub fn dominators() -> Self {
        TreeTab {
            tab: Tab::Dominators,
            view: TreeView::default(),
        }
    }

    fn tree<'a>(&self, s: &'a mut Snap) -> &'a mut TreeModel {
        if self.tab == Tab::Containment {
            s.containment()
        } else {
            s.dominators()
        }
    }
}

impl View for TreeTab {
    fn tab(&self) -> Tab {
        self.tab
    }

    fn title(&self) -> &'static str {
        if self.tab == Tab::Containment {
            "Containment"
        } else {
            "Dominators"
        }
    }

    fn ui(&mut self, ui: &mut Ui, state: &mut AppState, cmds: &mut Vec<Command>) {
        let Some(s) = state.snaps.current_snap_mut() else {
            return;
        };
        let snap = s.id;
        let id = if self.tab == Tab::Containment {
            "containment-table"
        } else {
            "dominators-table"
        };
        self.view.code = s.code.clone();
        let t = self.tree(s);
        self.view.ui(ui, t, id, snap, cmds);
    }

    fn key(&mut self, key: Key, state: &mut AppState, cmds: &mut Vec<Command>) {
        if let Some(s) = state.snaps.current_snap_mut() {
            let snap = s.id;
            let t = self.tree(s);
            self.view.key(t, key, snap, cmds);
        }
    }

    fn row_text(&self, state: &AppState) -> Option<String> {
        let s = state.snaps.current_snap()?;
        let t = if self.tab == Tab::Containment {
            s.containment.as_ref()?
        } else {
            s.dominators.as_ref()?
        };
        self.view.row_text(t)
    }
}
