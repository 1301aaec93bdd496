//! Draws each pane of the workspace (`egui_tiles`' behaviour): a view from the registry,
//! one of the selection's panes, or the capture chart; tab titles; closing.

use super::capture_panel::CapturePanel;
use super::selection_panes::SelectionPanes;
use super::views::View;
use super::workspace::Pane;
use crate::model::{AppState, Command, Tab};
use egui::Ui;
use egui_tiles::{SimplificationOptions, TileId, Tiles, UiResponse};

/// What the panes draw with, borrowed for one frame.
pub struct Panes<'a> {
    pub views: &'a mut [Box<dyn View>],
    pub state: &'a mut AppState,
    pub cmds: &'a mut Vec<Command>,
    pub selection: &'a mut SelectionPanes,
    pub capture: &'a mut CapturePanel,
}

impl Panes<'_> {
    fn view_ui(&mut self, ui: &mut Ui, tab: Tab) {
        if let Some(v) = self.views.iter_mut().find(|v| v.tab() == tab) {
            v.ui(ui, self.state, self.cmds);
        }
    }
}

impl egui_tiles::Behavior<Pane> for Panes<'_> {
    fn pane_ui(&mut self, ui: &mut Ui, _tile: TileId, pane: &mut Pane) -> UiResponse {
        egui::Frame::new()
            .inner_margin(egui::Margin::symmetric(6, 4))
            .show(ui, |ui| {
                ui.set_min_size(ui.available_size());
                match *pane {
                    Pane::View(tab) => self.view_ui(ui, tab),
                    Pane::Details => self.selection.details(ui, self.state, self.cmds),
                    Pane::Code => self.selection.code(ui, self.state, self.cmds),
                    Pane::Retainers => self.selection.retainers(ui, self.state, self.cmds),
                    Pane::Graph => self.selection.graph(ui, self.state, self.cmds),
                    Pane::Capture => {
                        egui::ScrollArea::vertical()
                            .id_salt("capture-scroll")
                            .show(ui, |ui| self.capture.ui(ui, self.state, self.cmds))
                            .inner
                    }
                }
            });
        UiResponse::None
    }

    fn tab_title_for_pane(&mut self, pane: &Pane) -> egui::WidgetText {
        match pane {
            Pane::View(tab) => self
                .views
                .iter()
                .find(|v| v.tab() == *tab)
                .map_or("View", |v| v.title())
                .into(),
            p => p.title().into(),
        }
    }

    fn is_tab_closable(&self, _tiles: &Tiles<Pane>, _tile: TileId) -> bool {
        true
    }

    fn tab_bar_height(&self, _style: &egui::Style) -> f32 {
        22.0
    }

    fn gap_width(&self, _style: &egui::Style) -> f32 {
        3.0
    }

    fn simplification_options(&self) -> SimplificationOptions {
        SimplificationOptions {
            all_panes_must_have_tabs: true,
            ..Default::default()
        }
    }
}
