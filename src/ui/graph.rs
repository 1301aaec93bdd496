//! The retainer graph: the K shortest retaining paths drawn as boxes in layers (GC-root side
//! at the top, the selected object at the bottom) joined by labelled arrows. petgraph holds
//! the small graph; clicking a box selects that object.

use crate::analysis::Heap;
use crate::model::format;
use crate::model::retainer_graph::RetainerGraph;
use crate::model::{Command, ObjRef, SnapId};
use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, Ui, pos2, vec2};
use petgraph::graph::NodeIndex;
use std::collections::HashMap;

/// Draws the graph; a clicked box selects its object (a history step, so Back undoes it).
pub fn ui(g: &RetainerGraph, ui: &mut Ui, h: &Heap, snap: SnapId, cmds: &mut Vec<Command>) {
    if g.unreachable {
        ui.label("No retaining path from a GC root: the object is unreachable.");
        return;
    }
    if g.graph.node_count() <= 1 {
        ui.label("The root holds this object directly (it is a GC root or a global).");
        return;
    }
    let max_layer = g.layer.iter().copied().max().unwrap_or(0);
    // Rows from the GC-root side (top) down to the selected object (bottom).
    let mut rows: Vec<Vec<NodeIndex>> = vec![Vec::new(); max_layer + 1];
    for i in g.graph.node_indices() {
        rows[max_layer - g.layer[i.index()]].push(i);
    }
    let box_size = vec2(170.0, 32.0);
    let gap = vec2(24.0, 30.0);
    let widest = rows.iter().map(Vec::len).max().unwrap_or(1);
    let size = vec2(
        (widest as f32 * (box_size.x + gap.x) + 20.0).max(ui.available_width()),
        rows.len() as f32 * (box_size.y + gap.y) + 20.0,
    );
    let view_w = ui.available_width();
    egui::ScrollArea::both()
        .id_salt("retainer-graph")
        .show(ui, |ui| {
            let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
            let mut pos: HashMap<NodeIndex, Rect> = HashMap::new();
            for (r, row) in rows.iter().enumerate() {
                let y = rect.top() + 10.0 + r as f32 * (box_size.y + gap.y);
                let row_w = row.len() as f32 * (box_size.x + gap.x) - gap.x;
                // Centre each row in the visible width; wide rows scroll.
                let x0 = rect.left() + ((view_w - row_w) / 2.0).max(10.0);
                for (k, &i) in row.iter().enumerate() {
                    let x = x0 + k as f32 * (box_size.x + gap.x);
                    pos.insert(i, Rect::from_min_size(pos2(x, y), box_size));
                }
            }
            let painter = ui.painter_at(rect);
            let stroke = Stroke::new(1.2, ui.visuals().weak_text_color());
            let font = FontId::proportional(11.0);
            for e in g.graph.edge_indices() {
                let Some((a, b)) = g.graph.edge_endpoints(e) else {
                    continue;
                };
                let (ra, rb) = (pos[&a], pos[&b]);
                let (p1, p2) = (ra.center_bottom(), rb.center_top());
                painter.line_segment([p1, p2], stroke);
                let dir = (p2 - p1).normalized();
                let side = vec2(-dir.y, dir.x) * 4.0;
                painter.add(egui::Shape::convex_polygon(
                    vec![p2, p2 - dir * 8.0 + side, p2 - dir * 8.0 - side],
                    stroke.color,
                    Stroke::NONE,
                ));
                let label = format::shorten(&format::edge_label(h, g.graph[e]), 24);
                painter.text(
                    p1.lerp(p2, 0.5) + vec2(6.0, 0.0),
                    Align2::LEFT_CENTER,
                    label,
                    font.clone(),
                    ui.visuals().text_color(),
                );
            }
            for (i, r) in &pos {
                let o = g.graph[*i];
                let resp = ui.interact(*r, ui.scope_id().with(("gbox", o)), Sense::click());
                let fill = if o == g.target {
                    ui.visuals().selection.bg_fill
                } else if resp.hovered() {
                    ui.visuals().widgets.hovered.bg_fill
                } else {
                    ui.visuals().widgets.inactive.bg_fill
                };
                painter.rect(
                    *r,
                    4.0,
                    fill,
                    Stroke::new(1.0, Color32::from_gray(120)),
                    egui::StrokeKind::Inside,
                );
                painter.text(
                    r.center() - vec2(0.0, 7.0),
                    Align2::CENTER_CENTER,
                    format::shorten(h.class_name(o), 24),
                    font.clone(),
                    ui.visuals().strong_text_color(),
                );
                painter.text(
                    r.center() + vec2(0.0, 8.0),
                    Align2::CENTER_CENTER,
                    format!("@{}", h.id(o)),
                    font.clone(),
                    ui.visuals().weak_text_color(),
                );
                if resp.clicked() {
                    cmds.push(Command::Select(ObjRef::new(snap, o)));
                }
                resp.on_hover_text(format::object_label(h, o, 200));
            }
        });
}
