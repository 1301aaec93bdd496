//! Keyboard and mouse shortcuts: Ctrl+O, Ctrl+F, Ctrl+T, Ctrl+C, Back/Forward (Alt+arrows and the
//! mouse's side buttons), and arrows/Enter handed to the shown view.

use super::toolbar::Toolbar;
use super::views::View;
use crate::model::{AppState, Command, WindowCommand};
use egui::{Key, Modifiers, PointerButton};

pub fn handle(
    ctx: &egui::Context,
    toolbar: &mut Toolbar,
    view: Option<&mut Box<dyn View>>,
    state: &mut AppState,
    cmds: &mut Vec<Command>,
) {
    let cmd = |k: Key| ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, k));
    if cmd(Key::O) {
        cmds.push(Command::Window(WindowCommand::OpenDialog));
    }
    if cmd(Key::F) {
        toolbar.focus_search = true;
    }
    if cmd(Key::T) {
        cmds.push(Command::ShowAttach(true));
    }
    history(ctx, cmds);
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    let Some(view) = view else { return };
    if cmd(Key::C)
        && let Some(text) = view.row_text(state)
    {
        ctx.copy_text(text);
    }
    for k in [
        Key::ArrowDown,
        Key::ArrowUp,
        Key::ArrowLeft,
        Key::ArrowRight,
        Key::Enter,
    ] {
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, k)) {
            view.key(k, state, cmds);
        }
    }
}

/// Alt+Left / Alt+Right and mouse buttons 4/5 retrace the selection history.
fn history(ctx: &egui::Context, cmds: &mut Vec<Command>) {
    let (back, forward) = ctx.input_mut(|i| {
        (
            i.consume_key(Modifiers::ALT, Key::ArrowLeft)
                || i.pointer.button_pressed(PointerButton::Extra1),
            i.consume_key(Modifiers::ALT, Key::ArrowRight)
                || i.pointer.button_pressed(PointerButton::Extra2),
        )
    });
    if back {
        cmds.push(Command::Back);
    }
    if forward {
        cmds.push(Command::Forward);
    }
}
