//! The selection's code in the details panel: why it is alive in words, where it is in the
//! code (the original source when a source map leads there), the lines around it, and
//! "Open in editor".

use crate::model::code::CodeInfo;
use crate::model::{AppState, Command};
use crate::sources::MapStatus;
use egui::{RichText, Ui};

pub fn ui(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    let Some((obj, info)) = &state.selection.code_info else {
        return;
    };
    if state.selection.obj != Some(*obj) {
        return;
    }
    ui.add_space(6.0);
    if let Some(reason) = &info.reason {
        ui.label(RichText::new("Held by").weak());
        ui.label(RichText::new(reason).strong());
    }
    location(ui, info);
    if let Some(Ok(ex)) = &info.excerpt {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            for line in ex.numbered() {
                ui.add(egui::Label::new(RichText::new(line).monospace().size(11.0)).extend());
            }
        });
    } else if let Some(Err(why)) = &info.excerpt {
        ui.label(RichText::new(why).weak());
    }
    if let Some((file, line, column)) = &info.open_target {
        let b = ui.button("Open in editor");
        if b.on_hover_text(editor_hint(&state.settings.editor))
            .clicked()
        {
            cmds.push(Command::OpenInEditor {
                file: file.clone(),
                line: *line,
                column: *column,
            });
        }
    }
    editor_setting(ui, state, cmds);
}

fn location(ui: &mut Ui, info: &CodeInfo) {
    let Some(loc) = &info.location else { return };
    ui.label(RichText::new("Location").weak());
    ui.label(format!("{}:{}:{}", loc.script, loc.line, loc.column));
    if let Some(o) = &loc.original {
        let name = o
            .name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        ui.label(format!(
            "original: {}:{}:{}{name}",
            o.source, o.line, o.column
        ));
    } else if let Some(why) = map_words(&loc.source_map) {
        ui.label(RichText::new(why).weak());
    }
}

/// What the source map status means, where it matters to a reader.
fn map_words(s: &MapStatus) -> Option<String> {
    match s {
        MapStatus::NoFile(p) => Some(format!("{p} is not on this machine")),
        MapStatus::Broken(why) => Some(format!("source map unreadable: {why}")),
        MapStatus::NoMapping => Some("the source map has no mapping for this line".into()),
        MapStatus::NotLocal | MapStatus::NoMap | MapStatus::Mapped => None,
    }
}

fn editor_hint(template: &str) -> String {
    if template.trim().is_empty() {
        "Runs $VISUAL or $EDITOR with +LINE FILE (set a command below)".to_string()
    } else {
        format!("Runs {template}")
    }
}

fn editor_setting(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    egui::CollapsingHeader::new("Editor command and script folders")
        .id_salt("editor-cmd")
        .show(ui, |ui| {
            let mut t = state.settings.editor.clone();
            let r = super::table::labelled_field(
                ui,
                "Command:",
                &mut t,
                220.0,
                "code -g {file}:{line}:{column}",
            );
            if r.changed() {
                cmds.push(Command::SetEditor(t));
            }
            remap_field(ui, state, cmds);
        });
}

/// Where scripts named in the snapshot are on this machine (a snapshot from a server or a
/// container): applied on Enter, since a half-typed path is not worth an error.
fn remap_field(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    ui.label(RichText::new("Scripts under FROM are in TO here (FROM=TO; …)").weak());
    let id = egui::Id::unique("source-remap-draft");
    let mut draft: String = ui
        .data(|d| d.get_temp(id))
        .unwrap_or_else(|| state.settings.source_remap.clone());
    let r = super::table::labelled_field(ui, "Remap:", &mut draft, 220.0, "/srv/app=/home/me/app");
    if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        cmds.push(Command::SetSourceRemap(draft.clone()));
    }
    ui.data_mut(|d| d.insert_temp(id, draft));
}
