//! What the charts share: a legend drawn above the plot (inside, it covered the lines) and
//! the colours of lines that have none of their own.

use egui::{Color32, RichText, Ui};

/// The colour of the `i`th line without a colour of its own (well apart for neighbours).
pub fn palette(i: usize) -> Color32 {
    let golden = (5.0_f32.sqrt() - 1.0) / 2.0;
    let h = (i as f32 * golden).fract();
    egui::ecolor::Hsva::new(h, 0.75, 0.75, 1.0).into()
}

/// A legend row outside the plot: a swatch and a name per line, wrapping as needed.
pub fn legend(ui: &mut Ui, entries: &[(String, Color32)]) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        for (name, color) in entries {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 4.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 1.0, *color);
            ui.label(RichText::new(name).small());
            ui.add_space(8.0);
        }
    });
}
