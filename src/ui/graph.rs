//! The retainer graph: the K retaining paths (explaining ones when the code is known) drawn
//! as boxes in layers (GC-root side at the top, the selected object at the bottom) joined by
//! labelled arrows, with full labels in a pan-and-zoom scene. Clicking a box selects that
//! object (a history step).

use crate::analysis::Heap;
use crate::model::format;
use crate::model::retainer_graph::RetainerGraph;
use crate::model::{Command, ObjRef, SnapId};
use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, Ui, pos2, vec2};
use petgraph::graph::NodeIndex;
use std::collections::HashMap;

struct Layout {
    boxes: HashMap<NodeIndex, Rect>,
    size: egui::Vec2,
}

const FONT: f32 = 11.0;
const GAP: egui::Vec2 = egui::vec2(24.0, 34.0);
const BOX_HEIGHT: f32 = 32.0;

/// Says why there is nothing to draw, or None when there is a graph.
fn empty_reason(g: &RetainerGraph) -> Option<&'static str> {
    if g.unreachable {
        Some("No retaining path from a GC root: the object is unreachable.")
    } else if g.graph.node_count() <= 1 {
        Some("The root holds this object directly (it is a GC root or a global).")
    } else {
        None
    }
}

/// The text lines of an object's box (graph node `i`).
fn box_lines(g: &RetainerGraph, h: &Heap, i: NodeIndex) -> [String; 2] {
    let o = g.graph[i];
    let class = g
        .node_text
        .get(i.index())
        .map_or(h.class_name(o), String::as_str);
    [
        format::shorten(class, 80),
        format!("@{}  {}", h.id(o), format::size(h.retained.get(o))),
    ]
}

fn edge_text(g: &RetainerGraph, h: &Heap, e: petgraph::graph::EdgeIndex) -> String {
    let label = g
        .edge_text
        .get(e.index())
        .cloned()
        .unwrap_or_else(|| format::edge_label(h, g.graph[e]));
    format::shorten(&label, 80)
}

/// Places the boxes: rows from the GC-root side (top) to the selected object (bottom),
/// each row centred in `width`.
fn layout(ui: &Ui, g: &RetainerGraph, h: &Heap, width: f32) -> Layout {
    let max_layer = g.layer.iter().copied().max().unwrap_or(0);
    let mut rows: Vec<Vec<NodeIndex>> = vec![Vec::new(); max_layer + 1];
    for i in g.graph.node_indices() {
        rows[max_layer - g.layer[i.index()]].push(i);
    }
    let font = FontId::proportional(FONT);
    let box_size = |i: NodeIndex| {
        let w = box_lines(g, h, i)
            .iter()
            .map(|t| {
                ui.fonts_mut(|f| f.layout_no_wrap(t.clone(), font.clone(), Color32::WHITE))
                    .size()
                    .x
            })
            .fold(0.0, f32::max);
        vec2(w + 16.0, BOX_HEIGHT)
    };
    let mut boxes = HashMap::new();
    let mut widest = 0.0f32;
    for (r, row) in rows.iter().enumerate() {
        let sizes: Vec<_> = row.iter().map(|&i| box_size(i)).collect();
        let row_w = sizes.iter().map(|s| s.x + GAP.x).sum::<f32>() - GAP.x;
        widest = widest.max(row_w);
        let mut x = ((width - row_w) / 2.0).max(10.0);
        let y = 10.0 + r as f32 * (BOX_HEIGHT + GAP.y);
        for (&i, s) in row.iter().zip(&sizes) {
            boxes.insert(i, Rect::from_min_size(pos2(x, y), *s));
            x += s.x + GAP.x;
        }
    }
    let size = vec2(
        (widest + 20.0).max(width),
        rows.len() as f32 * (BOX_HEIGHT + GAP.y) + 20.0,
    );
    Layout { boxes, size }
}

/// Paints the laid-out graph at `origin`; a clicked box becomes a Select command.
fn paint(
    ui: &mut Ui,
    (g, h, snap): (&RetainerGraph, &Heap, SnapId),
    lay: &Layout,
    origin: egui::Pos2,
    cmds: &mut Vec<Command>,
) {
    let at = |r: &Rect| r.translate(origin.to_vec2());
    let painter = ui.painter().clone();
    let stroke = Stroke::new(1.2, ui.visuals().weak_text_color());
    let font = FontId::proportional(FONT);
    for e in g.graph.edge_indices() {
        let Some((a, b)) = g.graph.edge_endpoints(e) else {
            continue;
        };
        let (ra, rb) = (at(&lay.boxes[&a]), at(&lay.boxes[&b]));
        let (p1, p2) = (ra.center_bottom(), rb.center_top());
        painter.line_segment([p1, p2], stroke);
        let dir = (p2 - p1).normalized();
        let side = vec2(-dir.y, dir.x) * 4.0;
        painter.add(egui::Shape::convex_polygon(
            vec![p2, p2 - dir * 8.0 + side, p2 - dir * 8.0 - side],
            stroke.color,
            Stroke::NONE,
        ));
        let label = edge_text(g, h, e);
        painter.text(
            p1.lerp(p2, 0.5) + vec2(6.0, 0.0),
            Align2::LEFT_CENTER,
            label,
            font.clone(),
            ui.visuals().text_color(),
        );
    }
    for (i, r) in &lay.boxes {
        let r = at(r);
        let o = g.graph[*i];
        let resp = ui.interact(r, ui.scope_id().with(("gbox", o)), Sense::click());
        let fill = if o == g.target {
            ui.visuals().selection.bg_fill
        } else if resp.hovered() {
            ui.visuals().widgets.hovered.bg_fill
        } else {
            ui.visuals().widgets.inactive.bg_fill
        };
        painter.rect(
            r,
            4.0,
            fill,
            Stroke::new(1.0, Color32::from_gray(120)),
            egui::StrokeKind::Inside,
        );
        let [top, bottom] = box_lines(g, h, *i);
        painter.text(
            r.center() - vec2(0.0, 7.0),
            Align2::CENTER_CENTER,
            top,
            font.clone(),
            ui.visuals().strong_text_color(),
        );
        painter.text(
            r.center() + vec2(0.0, 8.0),
            Align2::CENTER_CENTER,
            bottom,
            font.clone(),
            ui.visuals().weak_text_color(),
        );
        if resp.clicked() {
            cmds.push(Command::Select(ObjRef::new(snap, o)));
        }
        resp.on_hover_text(format::object_label(h, o, 200));
    }
}

/// The full graph: every label whole, in a scene that pans (drag) and zooms (wheel/pinch).
pub fn scene_ui(
    g: &RetainerGraph,
    ui: &mut Ui,
    h: &Heap,
    snap: SnapId,
    scene_rect: &mut Rect,
    cmds: &mut Vec<Command>,
) {
    if let Some(why) = empty_reason(g) {
        ui.label(why);
        return;
    }
    let lay = layout(ui, g, h, 0.0);
    egui::Scene::new()
        .zoom_range(0.2..=4.0)
        .show(ui, scene_rect, |ui| {
            let (rect, _) = ui.allocate_exact_size(lay.size, Sense::hover());
            paint(ui, (g, h, snap), &lay, rect.min, cmds);
        });
}
