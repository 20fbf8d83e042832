//! Remapping in keymap.toml reaches the forms and the popups, not only the screens'
//! own shortcuts: only typed text and numbered items stay on their keys.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vigie_model::Date;
use vigie_plugin_host::{Host, Limits};
use vigie_tui::app::{Overlay, Screen};
use vigie_tui::{App, Msg, Options, build_app};

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.update(Msg::Key(KeyEvent::new(code, modifiers)));
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

fn ctrl(app: &mut App, c: char) {
    press(app, KeyCode::Char(c), KeyModifiers::CONTROL);
}

#[test]
fn remapped_form_and_popup_keys_take_effect() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config");
    std::fs::create_dir(&config).expect("config dir");
    std::fs::write(
        config.join("keymap.toml"),
        "[keys]\nnext-field = [\"ctrl-n\"]\ncancel = [\"ctrl-g\"]\nconfirm = [\"ctrl-y\"]\n",
    )
    .expect("keymap");
    let options = Options {
        db: dir.path().join("vigie.sqlite"),
        auditor: "alice".into(),
        lang: "en".into(),
        today: Date::new(2026, 11, 23).expect("date"),
        config_dir: Some(config),
        color: false,
    };
    let host = Arc::new(Host::new(Limits::default(), None).expect("engine"));
    let mut app = build_app(&options, host).expect("app");
    assert_eq!(app.status, None, "the keymap is read without complaint");

    keys(&mut app, "s");
    keys(&mut app, "Acme");
    ctrl(&mut app, 'n');
    let focus = |app: &App| match app.screen() {
        Screen::SupplierForm(form) => (form.focus, form.fields[0].value.clone()),
        _ => panic!("the supplier form stays open"),
    };
    assert_eq!(focus(&app), (1, "Acme".to_string()), "ctrl-n moves on");
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(focus(&app).0, 1, "tab no longer does");
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(app.screen(), Screen::Home));

    keys(&mut app, "a");
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(app.screen(), Screen::Interview(_)));
    keys(&mut app, "g");
    assert!(matches!(app.overlay, Some(Overlay::Sections { .. })));
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(
        matches!(app.overlay, Some(Overlay::Sections { .. })),
        "esc is no longer bound to cancel"
    );
    ctrl(&mut app, 'g');
    assert!(app.overlay.is_none(), "ctrl-g cancels the section picker");

    keys(&mut app, "F");
    assert!(matches!(app.overlay, Some(Overlay::ConfirmFinalize)));
    keys(&mut app, "y");
    assert!(
        app.overlay.is_none(),
        "any other key closes the confirmation"
    );
    let Screen::Interview(iv) = app.screen() else {
        panic!("the interview")
    };
    assert!(!iv.is_final(), "y is no longer confirm");
    keys(&mut app, "F");
    ctrl(&mut app, 'y');
    let Screen::Interview(iv) = app.screen() else {
        panic!("the interview")
    };
    assert!(iv.is_final(), "ctrl-y confirms");
}
