//! The Profile view of a sampling heap profile (`.heapprofile`): a flame graph (top-down,
//! widths by bytes sampled; hover for exact values, click a frame to zoom into it) above a
//! bottom-up table of functions by self size.

use super::views::View;
use crate::model::format;
use crate::model::profiles::OpenProfile;
use crate::model::{AppState, Command, Tab};
use egui::{Align, Color32, Layout, Rect, RichText, Sense, Ui, pos2, vec2};
use egui_extras::{Column as Col, TableBuilder};

const FRAME_H: f32 = 18.0;

#[derive(Default)]
pub struct ProfileView {
    /// The frame under the pointer in the last frame drawn, with its profile.
    hovered: Option<(crate::model::profiles::ProfileId, u32)>,
}

impl View for ProfileView {
    fn tab(&self) -> Tab {
        Tab::Profile
    }

    fn title(&self) -> &'static str {
        "Profile"
    }

    fn ui(&mut self, ui: &mut Ui, state: &mut AppState, cmds: &mut Vec<Command>) {
        profile_list(ui, state, cmds);
        let Some(p) = state.profiles.current_mut() else {
            ui.label("Open a .heapprofile to see where it sampled allocations.");
            return;
        };
        ui.style_mut().interaction.selectable_labels = false;
        let total = p.subtree[0];
        let mut head = format!(
            "{}: {} sampled in {} samples",
            p.name,
            format::size(total),
            format::group(p.profile.sample_count as u64)
        );
        if p.profile.samples_outside_tree > 0 {
            head.push_str(&format!(
                " ({} samples of frames not in the tree left out)",
                p.profile.samples_outside_tree
            ));
        }
        ui.strong(head);
        zoom_bar(ui, p);
        let info = match self.hovered {
            Some((id, k)) if id == p.id => frame_text(p, k).replace('\n', "  ·  "),
            _ => "Hover a frame for its exact numbers; click it to zoom in.".to_string(),
        };
        ui.label(RichText::new(info).weak());
        let height = (ui.available_height() * 0.55).max(120.0);
        let hovered = egui::ScrollArea::vertical()
            .id_salt("flame-scroll")
            .max_height(height)
            .min_scrolled_height(height)
            .auto_shrink([false, false])
            .show(ui, |ui| flame_graph(ui, p))
            .inner;
        self.hovered = hovered.map(|k| (p.id, k));
        ui.separator();
        bottom_up(ui, p);
    }
}

/// The open profiles: pick one, close one.
fn profile_list(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    if state.profiles.len() < 2 && state.profiles.current.is_some() {
        if let Some(p) = state.profiles.current()
            && ui
                .horizontal(|ui| ui.small_button("Close profile"))
                .inner
                .clicked()
        {
            cmds.push(Command::CloseProfile(p.id));
        }
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Profiles:");
        for p in state.profiles.iter() {
            if ui
                .selectable_label(state.profiles.current == Some(p.id), &p.name)
                .clicked()
            {
                cmds.push(Command::ShowProfile(p.id));
            }
            if ui
                .small_button("x")
                .on_hover_text("Close this profile")
                .clicked()
            {
                cmds.push(Command::CloseProfile(p.id));
            }
        }
    });
}

/// Where the flame graph is zoomed: Reset, Up, and the frames above the zoomed one.
fn zoom_bar(ui: &mut Ui, p: &mut OpenProfile) {
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(p.zoom != 0, egui::Button::new("Reset zoom"))
            .clicked()
        {
            p.zoom = 0;
        }
        if ui
            .add_enabled(p.zoom != 0, egui::Button::new("Up"))
            .clicked()
        {
            p.zoom_out();
        }
        let path = p.zoom_path();
        let mut to = None;
        for (i, &k) in path.iter().enumerate() {
            if i > 0 {
                ui.label(RichText::new(">").weak());
            }
            if ui
                .selectable_label(k == p.zoom, format::shorten(p.name_of(k), 40))
                .clicked()
            {
                to = Some(k);
            }
        }
        if let Some(k) = to {
            p.zoom = k;
        }
    });
}

/// Same function, same colour: a warm hue from the name.
fn color_of(name: &str) -> Color32 {
    let h = name
        .bytes()
        .fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
    let t = (h % 1000) as f32 / 1000.0;
    let r = 205 + (40.0 * t) as u8;
    let g = 90 + (110.0 * ((h >> 10) % 1000) as f32 / 1000.0) as u8;
    let b = 40 + (40.0 * ((h >> 20) % 1000) as f32 / 1000.0) as u8;
    Color32::from_rgb(r, g, b)
}

/// The flame graph, top-down from the zoomed frame. A click zooms into the frame under the
/// pointer; hovering shows its exact numbers. Returns the hovered frame.
fn flame_graph(ui: &mut Ui, p: &mut OpenProfile) -> Option<u32> {
    let width = ui.available_width().max(100.0);
    let boxes = p.flame(width as f64, 0.5);
    let depth = boxes.iter().map(|b| b.depth).max().unwrap_or(0) + 1;
    let (rect, resp) = ui.allocate_exact_size(vec2(width, depth as f32 * FRAME_H), Sense::click());
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Flame graph"));
    let painter = ui.painter_at(rect);
    let hover = resp.hover_pos();
    let mut hovered = None;
    let font = egui::FontId::proportional(12.0);
    for b in &boxes {
        let r = Rect::from_min_size(
            pos2(
                rect.left() + b.x as f32,
                rect.top() + b.depth as f32 * FRAME_H,
            ),
            vec2(b.width as f32, FRAME_H - 1.0),
        );
        let name = p.name_of(b.node);
        let is_hovered = hover.is_some_and(|h| r.contains(h));
        if is_hovered {
            hovered = Some(b.node);
        }
        let fill = if is_hovered {
            Color32::from_rgb(250, 220, 120)
        } else {
            color_of(name)
        };
        painter.rect_filled(r.shrink2(vec2(0.5, 0.0)), 1.0, fill);
        if r.width() > 30.0 {
            let text = fit(name, r.width() - 6.0, 6.5);
            painter.with_clip_rect(r).text(
                pos2(r.left() + 3.0, r.center().y),
                egui::Align2::LEFT_CENTER,
                text,
                font.clone(),
                Color32::BLACK,
            );
        }
    }
    if let Some(k) = hovered {
        let text = frame_text(p, k);
        resp.clone().on_hover_text_at_pointer(text);
        if resp.clicked() {
            p.zoom = k;
        }
    }
    hovered
}

/// `name` cut to about `width` pixels at `per_char` pixels a character.
fn fit(name: &str, width: f32, per_char: f32) -> String {
    let n = (width / per_char).max(0.0) as usize;
    if name.chars().count() <= n {
        name.to_string()
    } else if n > 1 {
        format::shorten(name, n)
    } else {
        String::new()
    }
}

/// A frame's exact numbers: name, place, self and total bytes.
pub fn frame_text(p: &OpenProfile, k: u32) -> String {
    let f = p.profile.frame(k);
    let total = p.subtree[0].max(1);
    format!(
        "{}\n{}:{}:{}\nself {} B, total {} B ({})",
        p.name_of(k),
        if f.url.is_empty() {
            "(no script)"
        } else {
            &f.url
        },
        f.line1(),
        f.column1(),
        format::group(p.profile.node_self[k as usize]),
        format::group(p.subtree[k as usize]),
        format::percent(p.subtree[k as usize], total)
    )
}

/// Functions by self size (a recursive function's total counted once).
fn bottom_up(ui: &mut Ui, p: &OpenProfile) {
    let total = p.subtree[0];
    let row_h = super::table::row_height(ui);
    TableBuilder::new(ui)
        .id_salt("profile-bottom-up")
        .striped(true)
        .resizable(true)
        .cell_layout(Layout::left_to_right(Align::Center))
        .column(Col::initial(280.0).at_least(140.0).clip(true))
        .columns(Col::initial(130.0).at_least(80.0), 2)
        .column(Col::remainder().resizable(false).at_least(160.0).clip(true))
        .header(row_h + 2.0, |mut h| {
            super::table::titles(
                &mut h,
                &["Function", "Self Size", "Total Size", "Script:line:column"],
            )
        })
        .body(|body| {
            body.rows(row_h, p.functions.len(), |mut row| {
                let r = p.functions[row.index()];
                let f = &p.profile.functions[r.function as usize];
                row.col(|ui| {
                    ui.label(if f.name.is_empty() {
                        "(anonymous)"
                    } else {
                        &f.name
                    });
                });
                row.col(|ui| sized(ui, r.self_size, total));
                row.col(|ui| sized(ui, r.total_size, total));
                row.col(|ui| {
                    ui.label(RichText::new(p.location_of_function(r.function)).weak());
                });
            });
        });
}

/// Bytes (exact) and their share of the total, right-aligned.
fn sized(ui: &mut Ui, bytes: u64, total: u64) {
    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
        ui.label(RichText::new(format::percent(bytes, total)).weak());
        ui.label(format!("{} B", format::group(bytes)));
    });
}
