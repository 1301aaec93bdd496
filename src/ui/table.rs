//! Shared pieces of the table views: the table skeleton, the tree toggle triangle (painted,
//! so it shows with any font), size cells, headers, labelled fields and export buttons.

use egui::{
    Align, Color32, Galley, Layout, Rect, Response, Role, Sense, Shape, TextStyle, TextWrapMode,
    Ui, Vec2, WidgetInfo, WidgetText, pos2,
};
use egui_extras::{Column as Col, TableBuilder, TableRow};

/// The skeleton of every table view: striped, resizable columns (the first, the name,
/// takes the room that is left), clickable rows, cells laid out left to right. The caller
/// adds its columns, header and body.
pub fn builder<'a>(ui: &'a mut Ui, id: &str) -> TableBuilder<'a> {
    // Column widths the user drags are remembered per table and per width class of its
    // pane: widths made for a wide pane would push a narrow one's name column out.
    let width_class = (ui.available_width() / 160.0) as u32;
    TableBuilder::new(ui)
        .id_salt((id, width_class))
        .striped(true)
        .resizable(true)
        .sense(Sense::click())
        .cell_layout(Layout::left_to_right(Align::Center))
}

/// The height of a table row in the body text style.
pub fn row_height(ui: &Ui) -> f32 {
    ui.text_style_height(&egui::TextStyle::Body) + 4.0
}

/// A header row of plain titles.
pub fn titles(h: &mut TableRow<'_, '_>, titles: &[&str]) {
    for t in titles {
        h.col(|ui| {
            ui.strong(*t);
        });
    }
}

/// Draws an expand/collapse triangle; returns true when clicked. `None` draws a spacer.
pub fn toggle(ui: &mut Ui, expanded: Option<bool>) -> bool {
    let size = Vec2::splat(ui.spacing().icon_width.max(12.0));
    let Some(open) = expanded else {
        // A row without children keeps the triangle's room: space, not a widget.
        ui.add_space(size.x + ui.spacing().item_spacing.x);
        return false;
    };
    let (rect, resp) = ui.allocate_exact_size(size, Sense::click());
    let color = if resp.hovered() {
        ui.visuals().strong_text_color()
    } else {
        ui.visuals().text_color()
    };
    ui.painter()
        .add(triangle(rect.shrink(rect.width() * 0.25), open, color));
    resp.clicked()
}

fn triangle(r: Rect, open: bool, color: Color32) -> Shape {
    let pts = if open {
        vec![r.left_top(), r.right_top(), pos2(r.center().x, r.bottom())]
    } else {
        vec![r.left_top(), pos2(r.right(), r.center().y), r.left_bottom()]
    };
    Shape::convex_polygon(pts, color, egui::Stroke::NONE)
}

/// Indentation for a tree row at `depth`.
pub fn indent(ui: &mut Ui, depth: usize) {
    ui.add_space(depth as f32 * 14.0);
}

/// A size cell: the value and its share of the total, right-aligned; the exact bytes on
/// hover.
pub fn size_cell(ui: &mut Ui, bytes: u64, total: u64) {
    use crate::model::format;
    let share = egui::RichText::new(format::percent(bytes, total)).weak();
    let shown = right_text(ui, format::size(bytes).into(), Some(share.into()));
    exact_on_hover(shown, || format::group(bytes));
}

/// The widths of a table's number columns: their usual width where the pane is wide, less
/// where it is narrow, so that the name column keeps at least half of it.
pub fn number_width(ui: &Ui, usual: f32, columns: usize) -> f32 {
    let room = ui.available_width() * 0.5 / columns.max(1) as f32;
    usual.min(room).max(40.0)
}

/// A size, right-aligned, its exact bytes on hover.
pub fn size_label(ui: &mut Ui, bytes: u64) {
    use crate::model::format;
    let shown = right_text(ui, format::size(bytes).into(), None);
    exact_on_hover(shown, || format::group(bytes));
}

/// A size delta, right-aligned, its exact bytes on hover.
pub fn signed_size_label(ui: &mut Ui, delta: i64) {
    use crate::model::format;
    let shown = right_text(ui, format::signed_size(delta).into(), None);
    exact_on_hover(shown, || format::signed(delta));
}

pub fn right_label(ui: &mut Ui, text: impl Into<egui::WidgetText>) {
    right_text(ui, text.into(), None);
}

/// `text`, then `after` (if any), at the right of the room left on the line: one widget,
/// labelled with both to assistive technology. Number cells are most of a table's
/// widgets, so they are painted in place: a right-to-left child `Ui` for each, and a label
/// for each part, were most of what a table's frame cost.
fn right_text(ui: &mut Ui, text: WidgetText, after: Option<WidgetText>) -> Response {
    let galley = |ui: &Ui, t: WidgetText| {
        t.into_galley(
            ui,
            Some(TextWrapMode::Extend),
            f32::INFINITY,
            TextStyle::Body,
        )
    };
    let main = galley(ui, text);
    let after = after.map(|t| galley(ui, t));
    let room = ui.available_rect_before_wrap();
    let height = if ui.layout().is_horizontal() {
        room.height()
    } else {
        main.size().y
    };
    let mid = room.top() + height / 2.0;
    let gap = ui.spacing().item_spacing.x;
    let after_width = after.as_ref().map_or(0.0, |g| g.size().x + gap);
    let at = |g: &Galley, right: f32| {
        Rect::from_min_size(pos2(right - g.size().x, mid - g.size().y / 2.0), g.size())
    };
    let main_rect = at(&main, room.right() - after_width);
    let after_rect = after.as_ref().map(|g| at(g, room.right()));
    let whole = after_rect.map_or(main_rect, |r| main_rect.union(r));
    let response = ui.allocate_rect(whole, Sense::hover());
    response.widget_info(|| {
        let label = match &after {
            Some(g) => format!("{} {}", main.text(), g.text()),
            None => main.text().to_owned(),
        };
        WidgetInfo::labeled(Role::Label, ui.is_enabled(), label)
    });
    if ui.is_rect_visible(whole) {
        let color = ui.visuals().text_color();
        if let (Some(g), Some(r)) = (after, after_rect) {
            ui.painter().galley(r.min, g, color);
        }
        ui.painter().galley(main_rect.min, main, color);
    }
    response
}

/// A size as shown, with its exact bytes on hover. Tables draw dozens of these a frame and
/// only the hovered one can show a tooltip: asking egui whether a tooltip is due takes
/// several context lookups, so only that one asks, and only its text is written.
fn exact_on_hover(shown: Response, exact: impl FnOnce() -> String) {
    if shown.hovered() {
        shown.on_hover_ui(|ui| {
            ui.label(format!("{} bytes", exact()));
        });
    }
}

/// A header button; the active sort column gets a painted direction triangle (fonts may
/// lack arrow glyphs).
pub fn sort_header(ui: &mut Ui, title: &str, active: Option<bool>) -> bool {
    let clicked = ui
        .add(egui::Button::new(egui::RichText::new(title).strong()).frame(false))
        .clicked();
    if let Some(descending) = active {
        let (rect, _) = ui.allocate_exact_size(Vec2::splat(10.0), Sense::hover());
        let r = rect.shrink(1.5);
        let pts = if descending {
            vec![r.left_top(), r.right_top(), pos2(r.center().x, r.bottom())]
        } else {
            vec![
                r.left_bottom(),
                r.right_bottom(),
                pos2(r.center().x, r.top()),
            ]
        };
        ui.painter().add(Shape::convex_polygon(
            pts,
            ui.visuals().strong_text_color(),
            egui::Stroke::NONE,
        ));
    }
    clicked
}

/// Up/Down move a table's selection within `n` rows; returns the row the other keys act on
/// (the current one), or None for an empty table.
pub fn move_selection(selected: &mut Option<usize>, n: usize, key: egui::Key) -> Option<usize> {
    if n == 0 {
        return None;
    }
    let cur = selected.unwrap_or(0).min(n - 1);
    match key {
        egui::Key::ArrowDown => *selected = Some((cur + 1).min(n - 1)),
        egui::Key::ArrowUp => *selected = Some(cur.saturating_sub(1)),
        _ => {}
    }
    Some(cur)
}

/// A single-line text field with a label that also names it for accessibility.
pub fn labelled_field(
    ui: &mut Ui,
    label: &str,
    text: &mut String,
    width: f32,
    hint: &str,
) -> egui::Response {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .desired_width(width)
            .hint_text(hint),
    )
    .labelled_by(l.id)
}

/// The export buttons of a table: returns (save to a file?, JSON rather than CSV?) when clicked.
pub fn export_buttons(ui: &mut Ui) -> Option<(bool, bool)> {
    let mut export = None;
    if ui.button("Copy CSV").clicked() {
        export = Some((false, false));
    }
    if ui.button("Copy JSON").clicked() {
        export = Some((false, true));
    }
    if ui.button("Save CSV…").clicked() {
        export = Some((true, false));
    }
    export
}

/// Runs an export the buttons asked for: copy to the clipboard now, or save via a dialog.
pub fn export(
    ui: &Ui,
    (save, json): (bool, bool),
    text: impl FnOnce(bool) -> String,
    cmds: &mut Vec<crate::model::Command>,
) {
    use crate::model::{Command, WindowCommand};
    let text = text(json);
    if save {
        cmds.push(Command::Window(WindowCommand::Save {
            text,
            file_name: "heapdive.csv".to_string(),
        }));
    } else {
        ui.ctx().copy_text(text);
        let kind = if json { "JSON" } else { "CSV" };
        cmds.push(Command::Status(format!("Copied the table as {kind}")));
    }
}

/// A table of functions with DevTools' six columns (function, four numbers, script), `height`
/// tall: the bottom-up table and the top-down tree share it.
pub fn function_columns<'a>(ui: &'a mut Ui, id: &str, height: f32, first: f32) -> TableBuilder<'a> {
    builder(ui, id)
        .max_scroll_height(height)
        .min_scrolled_height(height)
        .auto_shrink(false)
        .column(Col::initial(first).at_least(160.0).clip(true))
        .columns(Col::initial(90.0).at_least(60.0), 4)
        .column(Col::remainder().resizable(false).at_least(160.0).clip(true))
}
