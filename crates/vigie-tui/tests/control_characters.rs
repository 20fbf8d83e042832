//! The workbench never draws a control character: supplier records, answers and notes
//! written into the database by another program with terminal escape sequences in them are
//! drawn without those characters (ratatui drops every grapheme that holds one, in spans
//! and in `Buffer::set_stringn`), so the terminal backend never writes them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vigie_model::{AnswerValue, Date};
use vigie_plugin_host::{Host, Limits};
use vigie_store::{Contact, Criticality, Store, SupplierFields};
use vigie_tui::{App, Msg, Options, build_app, view};

const HOSTILE: &str = "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{9b}3J\r";

/// Every cell of every size of the current screen: no control character.
fn assert_drawn_clean(app: &App, what: &str) {
    for (width, height) in [(80, 24), (120, 40)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|frame| view::draw(frame, app)).unwrap();
        let buffer = terminal.backend().buffer();
        for y in 0..height {
            for x in 0..width {
                let symbol = buffer[(x, y)].symbol();
                assert!(
                    !symbol.chars().any(char::is_control),
                    "{what} at {width}x{height}: cell ({x}, {y}) holds {symbol:?}"
                );
            }
        }
    }
}

#[test]
fn hostile_records_are_drawn_without_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("vigie.sqlite");
    let options = Options {
        db: db.clone(),
        auditor: format!("alice{HOSTILE}"),
        lang: "fr".into(),
        today: Date::new(2026, 11, 23).unwrap(),
        config_dir: None,
        color: true,
    };
    let host = Arc::new(Host::new(Limits::default(), None).unwrap());
    // A first run starts the assessment, so that the database holds it.
    let mut app = build_app(&options, host.clone()).unwrap();
    let supplier = app
        .bench
        .add_supplier(&SupplierFields {
            name: format!("Evil{HOSTILE}"),
            country: Some(HOSTILE.into()),
            sector: Some(HOSTILE.into()),
            services: vec![HOSTILE.into()],
            contacts: vec![Contact {
                name: format!("Amel{HOSTILE}"),
                ..Contact::default()
            }],
            criticality: Criticality::High,
        })
        .unwrap();
    let assessment = app
        .bench
        .new_assessment(
            &supplier.id,
            "nis2-suppliers",
            Date::new(2026, 11, 23).unwrap(),
            "fr",
            None,
            None,
        )
        .unwrap();
    let store = Store::open(&db, &format!("bob{HOSTILE}")).unwrap();
    store
        .set_answers_bulk(
            &assessment.id,
            vec![(
                "client-staff".into(),
                Some(AnswerValue::Integer(250)),
                Some(format!("note{HOSTILE}\nsecond line")),
            )],
            false,
        )
        .unwrap();
    drop(app);

    let mut app = build_app(&options, host).unwrap();
    assert_drawn_clean(&app, "home");
    // The supplier form, the assessment's interview (the question with the note), its
    // section picker and its search.
    for (code, what) in [
        (KeyCode::Char('e'), "the supplier form"),
        (KeyCode::Esc, "home again"),
        (KeyCode::Enter, "the interview"),
        (KeyCode::Char('g'), "the section picker"),
        (KeyCode::Esc, "the interview again"),
        (KeyCode::Char('/'), "the search"),
    ] {
        app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        assert_drawn_clean(&app, what);
    }
}
