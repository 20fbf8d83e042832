//! Background work has one shape: with a worker, writes, scoring and the look for
//! colleagues' changes leave the draw thread as requests, and what the executor
//! reports back is what changes the screen.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::sync::Arc;
use std::sync::mpsc::channel;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vigie_app::Workbench;
use vigie_model::Date;
use vigie_plugin_host::{Host, Limits};
use vigie_store::{AssessmentFilter, Store};
use vigie_tui::app::Screen;
use vigie_tui::worker::{self, Request};
use vigie_tui::{App, Msg, Options, build_app};

fn key(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

#[test]
fn creating_an_assessment_and_looking_for_changes_go_through_the_executor() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("vigie.sqlite");
    let options = Options {
        db: db.clone(),
        auditor: "alice".into(),
        lang: "en".into(),
        today: Date::new(2026, 11, 23).expect("date"),
        config_dir: None,
        color: false,
    };
    let host = Arc::new(Host::new(Limits::default(), None).expect("engine"));
    let mut app = build_app(&options, host.clone()).expect("app");
    keys(&mut app, "s");
    keys(&mut app, "Acme");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen(), Screen::Home));

    let (tx, rx) = channel();
    app.scorer = Some(tx);
    keys(&mut app, "a");
    key(&mut app, KeyCode::Enter);
    let store = Store::open(&db, "bob").expect("store");
    let count = || {
        store
            .count_assessments(&AssessmentFilter::default())
            .expect("count")
    };
    assert_eq!(count(), 0, "nothing is written on the draw thread");
    assert!(app.pending_job.is_some(), "the auditor waits for the write");
    let request = rx.try_recv().expect("a request for the worker");
    assert!(matches!(request, Request::Job(_)), "a job");

    // What the executor reports is what opens the interview.
    let mut bench = Workbench::open(&db, "alice", host).expect("workbench");
    let done = worker::handle(&mut bench, request);
    assert_eq!(count(), 1);
    assert!(matches!(app.screen(), Screen::NewAssessment(_)));
    app.update(done);
    assert!(matches!(app.screen(), Screen::Interview(_)));
    assert!(app.pending_job.is_none());
    assert!(
        rx.try_iter().any(|r| matches!(r, Request::Score(_))),
        "the interview is scored by the executor"
    );

    // The live refresh too: a tick sends a look, one at a time.
    app.update(Msg::Tick);
    app.update(Msg::Tick);
    let looks = rx
        .try_iter()
        .filter(|r| matches!(r, Request::Watch(_)))
        .count();
    assert_eq!(looks, 1);
}
