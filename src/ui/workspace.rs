//! The workspace: the panes (the views, the object's details, retainers, graph and code, and
//! the capture chart) in an `egui_tiles` tree the user splits, resizes, tabs together, drags
//! and closes. The layout is remembered between runs; "Reset layout" restores the default.

pub use crate::model::Pane;
use crate::model::{AppState, Tab};
use egui_tiles::{Container, Tile, TileId, Tiles, Tree};

/// Every pane that is not a main view, in the order the Layout menu lists them.
pub const OTHER_PANES: [Pane; 5] = [
    Pane::Details,
    Pane::Retainers,
    Pane::Graph,
    Pane::Code,
    Pane::Capture,
];

/// The tree's id: egui keeps per-tile state under it.
const TREE_ID: &str = "heapdive-workspace";

/// The top row's share of the height (the main view keeps it when an object is selected),
/// and the widths of the panes in each row.
const MAIN_SHARE: f32 = 0.66;
const TOP_SHARES: [f32; 3] = [0.70, 0.30, 0.30];
const BOTTOM_SHARES: [f32; 3] = [0.30, 0.42, 0.28];

/// The default layout. Above: the views tabbed together, then the retainer graph (tall, as
/// its paths run from a GC root down to the object) and, while capturing, the capture
/// chart. Below: the details, the retainers tree and the code. The selection's panes show
/// only while an object is selected, the capture chart only while capturing: the view
/// has the whole window otherwise.
pub fn default_tree(views: &[Tab]) -> Tree<Pane> {
    let mut tiles = Tiles::default();
    let view_ids: Vec<TileId> = views
        .iter()
        .map(|&t| tiles.insert_pane(Pane::View(t)))
        .collect();
    let main = tiles.insert_tab_tile(view_ids);
    let top = [
        main,
        tab_of(&mut tiles, Pane::Graph),
        tab_of(&mut tiles, Pane::Capture),
    ];
    let bottom = [Pane::Details, Pane::Retainers, Pane::Code].map(|p| tab_of(&mut tiles, p));
    let top_row = row(&mut tiles, top, TOP_SHARES);
    let bottom_row = row(&mut tiles, bottom, BOTTOM_SHARES);
    let root = tiles.insert_vertical_tile(vec![top_row, bottom_row]);
    set_shares(
        &mut tiles,
        root,
        &[(top_row, MAIN_SHARE), (bottom_row, 1.0 - MAIN_SHARE)],
    );
    Tree::new(egui::Id::unique(TREE_ID), root, tiles)
}

fn row(tiles: &mut Tiles<Pane>, ids: [TileId; 3], shares: [f32; 3]) -> TileId {
    let row = tiles.insert_horizontal_tile(ids.to_vec());
    let pairs: Vec<_> = ids.into_iter().zip(shares).collect();
    set_shares(tiles, row, &pairs);
    row
}

fn tab_of(tiles: &mut Tiles<Pane>, pane: Pane) -> TileId {
    let id = tiles.insert_pane(pane);
    tiles.insert_tab_tile(vec![id])
}

fn set_shares(tiles: &mut Tiles<Pane>, linear: TileId, shares: &[(TileId, f32)]) {
    if let Some(Tile::Container(Container::Linear(l))) = tiles.get_mut(linear) {
        for &(id, share) in shares {
            l.shares.set_share(id, share);
        }
    }
}

/// The tile showing `pane`, if it is in the tree.
pub fn find(tree: &Tree<Pane>, pane: Pane) -> Option<TileId> {
    tree.tiles.find_pane(&pane)
}

/// A remembered layout is used only if it has each pane at most once and every view;
/// otherwise (an older version's, or a damaged one) the default is.
pub fn usable(tree: &Tree<Pane>, views: &[Tab]) -> bool {
    let panes = open_panes(tree);
    let once = panes
        .iter()
        .enumerate()
        .all(|(i, p)| !panes[..i].contains(p));
    once && tree.root().is_some() && views.iter().all(|&t| panes.contains(&Pane::View(t)))
}

/// Shows `pane`: back in the tree if it was closed (beside a pane of its kind), and the
/// active tab where it is tabbed.
pub fn show(tree: &mut Tree<Pane>, pane: Pane) {
    if find(tree, pane).is_none() {
        insert(tree, pane);
    }
    tree.make_active(|_, tile| matches!(tile, Tile::Pane(p) if *p == pane));
}

/// Puts a closed pane back: in the Tabs holding a pane of the same kind (a view beside the
/// views, a selection pane beside those), else a tab of its own under the root.
fn insert(tree: &mut Tree<Pane>, pane: Pane) {
    let kin = |p: &Pane| match pane {
        Pane::View(_) => matches!(p, Pane::View(_)),
        _ => p.about_selection() == pane.about_selection() && !matches!(p, Pane::View(_)),
    };
    let sibling = tree.tiles.iter().find_map(|(id, t)| match t {
        Tile::Pane(p) if kin(p) => Some(*id),
        _ => None,
    });
    let id = tree.tiles.insert_pane(pane);
    let parent = sibling.and_then(|s| tree.tiles.parent_of(s));
    match parent.and_then(|p| tree.tiles.get_mut(p)) {
        Some(Tile::Container(c)) => c.add_child(id),
        _ => add_under_root(tree, id),
    }
}

fn add_under_root(tree: &mut Tree<Pane>, id: TileId) {
    let tab = tree.tiles.insert_tab_tile(vec![id]);
    match tree.root().and_then(|r| tree.tiles.get_mut(r)) {
        Some(Tile::Container(c)) => c.add_child(tab),
        _ => tree.root = Some(tab),
    }
}

/// Before drawing: panes that cannot show now are hidden (views the open snapshots cannot
/// show, the selection's panes without a selection, the capture chart when not capturing).
pub fn update_visibility(tree: &mut Tree<Pane>, state: &AppState) {
    let ids: Vec<(TileId, Pane)> = tree
        .tiles
        .iter()
        .filter_map(|(id, t)| match t {
            Tile::Pane(p) => Some((*id, *p)),
            Tile::Container(_) => None,
        })
        .collect();
    for (id, pane) in ids {
        let visible = match pane {
            Pane::View(t) => state.tab_enabled(t),
            Pane::Capture => state.capture.panel_shown(),
            p if p.about_selection() => state.selection.obj.is_some(),
            _ => true,
        };
        tree.tiles.set_visible(id, visible);
    }
}

/// The main views on screen now (their tab active, their pane visible), in tree order.
pub fn visible_views(tree: &Tree<Pane>) -> Vec<Tab> {
    tree.active_tiles()
        .into_iter()
        .filter_map(|id| match tree.tiles.get_pane(&id) {
            Some(Pane::View(t)) => Some(*t),
            _ => None,
        })
        .collect()
}

/// The panes in the tree now.
pub fn open_panes(tree: &Tree<Pane>) -> Vec<Pane> {
    tree.tiles
        .tiles()
        .filter_map(|t| match t {
            Tile::Pane(p) => Some(*p),
            Tile::Container(_) => None,
        })
        .collect()
}

/// Takes `pane` out of the tree (the Layout menu's unchecking).
pub fn close(tree: &mut Tree<Pane>, pane: Pane) {
    if let Some(id) = find(tree, pane) {
        tree.remove_recursively(id);
    }
}
