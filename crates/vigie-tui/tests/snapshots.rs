//! Snapshot tests of every screen of the workbench at 80x24 and 120x40.
//!
//! Each test builds the app on a fresh database in a temporary folder with the
//! bundled plugins, drives it with keys as an auditor would (scoring runs at
//! once inside `update` because there is no worker), draws it on ratatui's
//! `TestBackend` and compares the screen, as text, with the `.snap` file in
//! `tests/snapshots/`. Temporary paths, ids, timestamps and plugin hashes are
//! redacted by insta filters, each by a placeholder of the same width so the
//! layout in the snapshot is the real one. Timestamps held in the state are
//! also pinned before drawing: an overlay may hide part of one, and a filter
//! cannot recognise the rest.
//!
//! Update after an intended change of the UI:
//! `INSTA_UPDATE=always cargo test -p vigie-tui --test snapshots`, then read the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use ratatui::text::Span;
use tempfile::TempDir;
use vigie_model::{AnswerValue, Date, YesNo};
use vigie_plugin_host::{Host, Limits};
use vigie_store::Store;
use vigie_tui::app::{Overlay, Screen};
use vigie_tui::{App, Msg, Options, build_app, view};

/// The sizes every screen is checked at: the smallest supported, and a roomy one.
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// What every timestamp on screen is set to (RFC 3339, the store's width).
const PINNED_AT: &str = "2026-11-23T09:30:00.000000Z";

fn today() -> Date {
    Date::new(2026, 11, 23).expect("date")
}

/// An app on a fresh database, and the folder that holds it.
struct Session {
    dir: TempDir,
    app: App,
}

impl Session {
    fn new() -> Session {
        Session::with(true)
    }

    fn with(color: bool) -> Session {
        // A short path of fixed length: the home header shows it.
        let root = if cfg!(unix) {
            PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let dir = tempfile::Builder::new()
            .prefix("vigie")
            .tempdir_in(root)
            .expect("temp dir");
        let options = Options {
            db: dir.path().join("vigie.sqlite"),
            auditor: "alice".into(),
            lang: "fr".into(),
            today: today(),
            config_dir: None,
            color,
        };
        let host = Arc::new(Host::new(Limits::default(), None).expect("engine"));
        let app = build_app(&options, host).expect("app");
        assert!(app.scorer.is_none(), "tests score inside update");
        Session { dir, app }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("vigie.sqlite")
    }

    fn key_with(&mut self, code: KeyCode, modifiers: KeyModifiers) -> &mut Self {
        self.app.update(Msg::Key(KeyEvent::new(code, modifiers)));
        self
    }

    fn key(&mut self, code: KeyCode) -> &mut Self {
        self.key_with(code, KeyModifiers::NONE)
    }

    /// Presses each character's key in turn (typing, or a run of shortcuts).
    fn keys(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            let modifiers = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.key_with(KeyCode::Char(c), modifiers);
        }
        self
    }

    fn enter(&mut self) -> &mut Self {
        self.key(KeyCode::Enter)
    }

    fn tab(&mut self) -> &mut Self {
        self.key(KeyCode::Tab)
    }

    /// `s`, the supplier form filled in field by field, Enter.
    fn add_supplier(
        &mut self,
        name: &str,
        country: &str,
        sector: &str,
        criticality_steps: usize,
    ) -> &mut Self {
        self.keys("s")
            .keys(name)
            .tab()
            .keys(country)
            .tab()
            .keys(sector);
        self.tab().tab().tab();
        for _ in 0..criticality_steps {
            self.keys(" ");
        }
        self.enter()
    }

    /// `a` on the selected supplier, Enter: a NIS2 assessment at the fixed date.
    fn start_nis2(&mut self) -> &mut Self {
        self.keys("a").enter();
        assert!(
            matches!(self.app.screen(), Screen::Interview(_)),
            "the interview opens"
        );
        self
    }

    /// Jumps to section `n` (1-based) with the section picker.
    fn section(&mut self, n: usize) -> &mut Self {
        self.keys("g").keys(&n.to_string());
        // `1` may start `10`, `11`...: the picker then waits for Enter.
        if matches!(self.app.overlay, Some(Overlay::Sections { .. })) {
            self.enter();
        }
        self
    }

    fn current_question(&self) -> String {
        match self.app.screen() {
            Screen::Interview(iv) => iv.questionnaire.questions[iv.current].id.clone(),
            _ => panic!("not in the interview"),
        }
    }

    fn assessment_id(&self) -> String {
        match self.app.screen() {
            Screen::Interview(iv) => iv.assessment.id.to_string(),
            _ => panic!("not in the interview"),
        }
    }

    /// A supplier and a NIS2 interview with a number, a few yes/no answers
    /// (one of them with a note) and a declined question.
    fn nis2_with_answers() -> Session {
        let mut s = Session::new();
        s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
        s.start_nis2();
        // client-staff: a number typed after Enter.
        s.enter().keys("250").enter();
        // Critère 3 — sous-traitance: oui, non, partiel, non; back up one
        // question (a one-key answer moved on) and add a note there.
        s.section(5).keys("1232").key(KeyCode::Up);
        assert_eq!(s.current_question(), "subcontractors-flowdown");
        s.keys("o").keys("Contrats types reçus, à vérifier").enter();
        // Critère 5 — contrat: non, refus de répondre.
        s.section(7).keys("2r");
        s
    }

    /// Sets every timestamp the screens can show to one fixed instant.
    fn pin_clock(&mut self) {
        for screen in &mut self.app.stack {
            match screen {
                Screen::Interview(iv) => {
                    for answer in iv.answers.values_mut() {
                        answer.updated_at = PINNED_AT.parse().unwrap();
                    }
                }
                Screen::Findings(view) => {
                    for action in &mut view.actions {
                        action.created_at = PINNED_AT.parse().unwrap();
                        action.updated_at = PINNED_AT.parse().unwrap();
                    }
                }
                Screen::Audit(view) => {
                    for entry in &mut view.entries {
                        entry.at = PINNED_AT.into();
                    }
                }
                _ => {}
            }
        }
    }

    /// Both sizes of the current screen, redacted, checked against the snapshots.
    fn snap(&mut self, name: &str) {
        for (width, height) in SIZES {
            self.snap_at(name, width, height);
        }
    }

    fn snap_at(&mut self, name: &str, width: u16, height: u16) {
        self.pin_clock();
        let text = render(&self.app, width, height);
        let owned = redactions(self.dir.path());
        let filters: Vec<(&str, &str)> = owned
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        insta::with_settings!({ filters => filters, prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("{name}@{width}x{height}"), text);
        });
    }
}

/// Draws the app on a test terminal.
fn draw(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|frame| view::draw(frame, app)).expect("draw");
    terminal.backend().buffer().clone()
}

/// The screen as text, one line per row; the cells a wide character covers are skipped.
fn render(app: &App, width: u16, height: u16) -> String {
    let buffer = draw(app, width, height);
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut skip = 0usize;
        for x in 0..buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            if skip == 0 {
                out.push_str(symbol);
            }
            skip = skip.max(Span::raw(symbol).width()).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

/// Insta filters (applied in order) for what changes from run to run; each
/// placeholder is as wide as what it replaces.
fn redactions(dir: &Path) -> Vec<(String, String)> {
    let mut filters = vec![(
        regex_escape(&dir.display().to_string()),
        "[TMP]".to_string(),
    )];
    // UUIDv7 ids, whole, or cut by an ellipsis anywhere after the first group.
    const ID: &str = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    let pattern = |template: &str| -> String {
        template
            .chars()
            .map(|c| {
                if c == 'x' {
                    "[0-9a-f]".to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    };
    filters.push((format!(r"\b{}\b", pattern(ID)), ID.to_string()));
    for cut in (9..ID.len()).rev() {
        filters.push((
            format!(r"\b{}…", pattern(&ID[..cut])),
            format!("{}…", &ID[..cut]),
        ));
    }
    // RFC 3339 timestamps, whole or cut to the second or the minute.
    filters.push((
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z".into(),
        "YYYY-MM-DDThh:mm:ss.ffffffZ".into(),
    ));
    filters.push((
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}".into(),
        "YYYY-MM-DDThh:mm:ss".into(),
    ));
    filters.push((
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}".into(),
        "YYYY-MM-DDThh:mm".into(),
    ));
    // Report file names carry the assessment's short id.
    filters.push((
        r"vigie-report-[0-9a-f]{8}".into(),
        "vigie-report-xxxxxxxx".into(),
    ));
    filters.push((
        r"vigie-self-assessment-[0-9a-f]{8}".into(),
        "vigie-self-assessment-xxxxxxxx".into(),
    ));
    // Plugin hashes depend on the toolchain that built the bundled plugins.
    filters.push((r"\b[0-9a-f]{64}\b".into(), "#".repeat(64)));
    filters.push((r"\b[0-9a-f]{12}\b".into(), "#".repeat(12)));
    filters
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

// ------------------------------------------------------------------- home

#[test]
fn home_empty() {
    let mut s = Session::new();
    s.snap("home_empty");
}

#[test]
fn home_with_supplier_and_assessments() {
    let mut s = Session::nis2_with_answers();
    // Back home, then an ANSSI assessment for the same supplier.
    s.keys("q");
    assert!(matches!(s.app.screen(), Screen::Home));
    s.keys("a").key(KeyCode::Down).enter();
    assert!(matches!(s.app.screen(), Screen::Interview(_)));
    s.keys("q");
    s.add_supplier("Infogérance Lyon", "FR", "Infogérance", 2);
    assert_eq!(s.app.home.rows.len(), 4, "two suppliers, two assessments");
    // The home screen opens on the portfolio; Tab shows the suppliers with their assessments.
    s.snap("home_portfolio");
    s.key(KeyCode::Tab);
    s.snap("home_with_assessments");
    // Esc goes back to the portfolio; Enter on a supplier opens its assessments.
    s.key(KeyCode::Esc);
    assert_eq!(s.app.home.mode, vigie_tui::app::HomeMode::Portfolio);
    s.enter();
    assert_eq!(s.app.home.mode, vigie_tui::app::HomeMode::Assessments);
}

// ------------------------------------------------------------------ forms

#[test]
fn supplier_form() {
    let mut s = Session::new();
    s.keys("s")
        .keys("Centre d'appels Tunis")
        .tab()
        .keys("TN")
        .tab()
        .keys("Relation client");
    s.tab()
        .keys("Support N1, Recouvrement")
        .tab()
        .keys("Karim B. <karim@example.tn>");
    s.tab().keys(" ");
    s.snap("supplier_form");
}

#[test]
fn supplier_form_name_required() {
    let mut s = Session::new();
    s.keys("s").enter();
    s.snap("supplier_form_error");
}

#[test]
fn new_assessment_nis2() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.keys("a");
    assert!(matches!(s.app.screen(), Screen::NewAssessment(_)));
    s.snap("new_assessment_nis2");
}

#[test]
fn new_assessment_anssi_level() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    // ANSSI, then the level field cycled to "Renforcé".
    s.keys("a").key(KeyCode::Down).tab().tab().keys(" ");
    s.snap("new_assessment_anssi");
}

// -------------------------------------------------------------- interview

#[test]
fn interview_with_answers() {
    let mut s = Session::nis2_with_answers();
    // Back on the question with the note.
    s.section(5)
        .key(KeyCode::Down)
        .key(KeyCode::Down)
        .key(KeyCode::Down);
    assert_eq!(s.current_question(), "subcontractors-flowdown");
    s.snap("interview");
}

#[test]
fn interview_question_help() {
    let mut s = Session::nis2_with_answers();
    s.section(5).keys("i");
    s.snap("interview_help");
}

#[test]
fn interview_value_input() {
    let mut s = Session::nis2_with_answers();
    s.section(1).key(KeyCode::Down).enter().keys("12,5");
    assert!(matches!(s.app.overlay, Some(Overlay::Input { .. })));
    s.snap("interview_input");
}

#[test]
fn findings_criteria_pane() {
    let mut s = Session::nis2_with_answers();
    s.keys("f");
    assert!(matches!(s.app.screen(), Screen::Findings(_)));
    s.snap("findings_criteria");
}

#[test]
fn findings_action_plan_pane() {
    let mut s = Session::nis2_with_answers();
    s.keys("f").tab();
    // The action form: one field per line, Tab between them, Enter on the last saves.
    s.keys("a")
        .keys("Fournir la liste des sous-traitants")
        .tab()
        .keys("Karim B.")
        .tab()
        .keys("2027-01-31")
        .enter();
    // Select the new action and move it to "in progress".
    s.key(KeyCode::Down).keys(" ");
    let Screen::Findings(view) = s.app.screen() else {
        panic!("findings")
    };
    assert_eq!(view.actions.len(), 1);
    assert_eq!(view.actions[0].owner.as_deref(), Some("Karim B."));
    assert_eq!(
        view.actions[0].status,
        vigie_store::ActionStatus::InProgress
    );
    s.snap("findings_action_plan");
}

/// The record form being filled in, as the auditor sees it.
fn record_form(s: &Session) -> &vigie_tui::app::RecordForm {
    match s.app.screen() {
        Screen::RecordForm(form) => form,
        _ => panic!("the record form is open"),
    }
}

/// Issue 14: an action is a form, one field per line, so a title may hold a `;`; a refused
/// save keeps every field as typed and says why under the field at fault.
#[test]
fn a_refused_action_keeps_its_text() {
    let mut s = Session::nis2_with_answers();
    s.keys("f").tab();
    let title = "Fournir la liste; préciser les sites";
    s.keys("a")
        .keys(title)
        .tab()
        .keys("Karim B.")
        .key(KeyCode::Down)
        .keys("2027-02-30")
        .enter();
    let form = record_form(&s);
    assert_eq!(form.fields[0].edit.text(), title);
    assert_eq!(form.fields[1].edit.text(), "Karim B.");
    assert_eq!(form.fields[2].edit.text(), "2027-02-30");
    assert!(
        form.fields[2]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("2027-02-30")),
        "names the bad date under its field"
    );
    assert_eq!(form.focus, 2, "the field at fault has the cursor");
    s.snap("action_refused");
    // An empty title is refused under the title.
    s.key(KeyCode::Up)
        .key(KeyCode::Up)
        .key_with(KeyCode::Char('u'), KeyModifiers::CONTROL)
        .key_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let form = record_form(&s);
    assert!(form.fields[0].error.is_some());
    assert_eq!(form.focus, 0);
    s.keys(title)
        .key(KeyCode::BackTab)
        .key(KeyCode::Tab)
        .tab()
        .tab();
    s.key(KeyCode::Backspace)
        .key(KeyCode::Backspace)
        .keys("28")
        .key_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let Screen::Findings(view) = s.app.screen() else {
        panic!("saved, back on the findings")
    };
    assert_eq!(view.actions.len(), 1);
    assert_eq!(view.actions[0].title, title);
    assert_eq!(
        view.actions[0].deadline,
        Some(Date::new(2027, 2, 28).unwrap())
    );
}

/// Issue 14: an action item is viewed whole, edited in the same form and deleted after a
/// confirmation; each change is in the audit trail.
#[test]
fn an_action_is_viewed_edited_and_deleted() {
    let mut s = Session::nis2_with_answers();
    s.keys("f").tab();
    s.keys("a")
        .keys("Signer les clauses types")
        .enter()
        .enter()
        .enter();
    s.key(KeyCode::Down);
    // Esc leaves the form without saving anything.
    s.keys("e").keys("Autre chose").key(KeyCode::Esc);
    let Screen::Findings(view) = s.app.screen() else {
        panic!("findings")
    };
    assert_eq!(view.actions[0].title, "Signer les clauses types");
    s.keys("e");
    assert_eq!(
        record_form(&s).fields[0].edit.text(),
        "Signer les clauses types"
    );
    s.snap("action_edit_form");
    // The old value is selected: typing replaces it.
    s.tab().keys("Leila M.").tab().keys("2027-03-31").enter();
    let Screen::Findings(view) = s.app.screen() else {
        panic!("findings")
    };
    assert_eq!(view.actions[0].owner.as_deref(), Some("Leila M."));
    assert_eq!(view.actions[0].title, "Signer les clauses types");
    // Delete: asked first; any other key keeps it.
    s.keys("d");
    assert!(matches!(s.app.overlay, Some(Overlay::ConfirmDelete(_))));
    s.keys("n");
    let Screen::Findings(view) = s.app.screen() else {
        panic!("findings")
    };
    assert_eq!(view.actions.len(), 1);
    s.keys("d");
    // (The snapshot pins the timestamps of the list, not of the item being deleted.)
    s.snap("action_delete_confirm");
    s.keys("y");
    let Screen::Findings(view) = s.app.screen() else {
        panic!("findings")
    };
    assert!(view.actions.is_empty());
    let store = Store::open(s.db(), "alice").expect("store");
    let actions: Vec<String> = store
        .audit_trail(None)
        .unwrap()
        .into_iter()
        .filter(|r| r.entity == "action-item")
        .map(|r| r.action)
        .collect();
    assert_eq!(actions, ["add", "update", "delete"]);
}

/// Issue 14: the evidence of a question is a list; each item is shown whole, added and
/// edited in a form (a `;` is just text), deleted after a confirmation. A colleague's change
/// meanwhile is a conflict that keeps what was typed; a final assessment changes no more.
#[test]
fn evidence_is_listed_edited_and_deleted() {
    let mut s = Session::nis2_with_answers();
    let question = s.current_question();
    s.keys("v");
    assert!(matches!(s.app.screen(), Screen::Evidence(_)));
    s.snap("evidence_empty");
    let text = "Certificat ISO 27001; périmètre Tunis et Sousse";
    s.keys("a")
        .keys(text)
        .tab()
        .keys("2025-01-15")
        .tab()
        .keys("2024-13-01");
    s.snap("evidence_form");
    s.enter();
    let form = record_form(&s);
    assert_eq!(form.fields[0].edit.text(), text);
    assert!(form.fields[2].error.is_some(), "the bad expiry is refused");
    s.snap("evidence_refused");
    s.key_with(KeyCode::Char('u'), KeyModifiers::CONTROL)
        .keys("2028-01-14")
        .enter();
    let Screen::Evidence(view) = s.app.screen() else {
        panic!("saved, back on the list")
    };
    assert_eq!(view.items.len(), 1);
    assert_eq!(view.items[0].text, text);
    assert_eq!(
        view.items[0].expiry_date,
        Some(Date::new(2028, 1, 14).unwrap())
    );
    let assessment = view.assessment.id.clone();
    s.snap("evidence_list");

    // Bob changes it meanwhile: Alice's edit is a conflict, her text stays in the form.
    let bob = Store::open(s.db(), "bob").expect("second connection");
    let seen = bob
        .list_evidence(&assessment, Some(&question))
        .unwrap()
        .remove(0);
    let bobs = vigie_store::NewEvidence {
        question: Some(question.clone()),
        kind: vigie_store::EvidenceKind::Note,
        text: "Certificat ISO 27001 (copie reçue)".into(),
        file: None,
        effective_date: None,
        expiry_date: None,
    };
    bob.update_evidence(&seen, &bobs).unwrap();
    s.keys("e")
        .keys("Certificat ISO 27001 vérifié")
        .enter()
        .enter()
        .enter();
    let form = record_form(&s);
    assert_eq!(form.fields[0].edit.text(), "Certificat ISO 27001 vérifié");
    assert!(
        form.error
            .as_deref()
            .is_some_and(|e| e.contains("quelqu'un d'autre")),
        "{:?}",
        form.error
    );
    s.snap("evidence_conflict");
    // Bob's version now shows below; saving again replaces it knowingly.
    s.key_with(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let Screen::Evidence(view) = s.app.screen() else {
        panic!("saved, back on the list")
    };
    assert_eq!(view.items[0].text, "Certificat ISO 27001 vérifié");

    // Deleting asks first.
    s.keys("d");
    assert!(matches!(s.app.overlay, Some(Overlay::ConfirmDelete(_))));
    s.keys("y");
    let Screen::Evidence(view) = s.app.screen() else {
        panic!("evidence")
    };
    assert!(view.items.is_empty());
    let trail: Vec<(String, String)> = bob
        .audit_trail(None)
        .unwrap()
        .into_iter()
        .filter(|r| r.entity == "evidence")
        .map(|r| (r.who, r.action))
        .collect();
    let pairs: Vec<(&str, &str)> = trail
        .iter()
        .map(|(w, a)| (w.as_str(), a.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("alice", "add"),
            ("bob", "update"),
            ("alice", "update"),
            ("alice", "delete")
        ]
    );
    // Back in the interview, the count follows.
    s.key(KeyCode::Esc);
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("interview")
    };
    assert_eq!(iv.evidence_count.get(&question), Some(&0));

    // Final: nothing changes any more.
    s.keys("F").keys("y").keys("v").keys("a");
    assert!(
        matches!(s.app.screen(), Screen::Evidence(_)),
        "no form opens"
    );
}

/// The interview on question `id`, found with the search.
fn go_to(s: &mut Session, id: &str) {
    s.keys("/").keys(id).enter();
    assert_eq!(s.current_question(), id);
}

/// The option the open choice list has its cursor on.
fn choice_under_cursor(s: &Session) -> String {
    let Some(Overlay::Choices { selected, .. }) = &s.app.overlay else {
        panic!("the choice list is open")
    };
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("interview")
    };
    iv.questionnaire.questions[iv.current].kind.choices()[*selected]
        .id
        .clone()
}

/// Issue 14: the GDPR questionnaire's destination country comes from the supplier record as
/// a proposal: shown at the question, the list opens on it, and only the auditor's Enter
/// makes it an answer.
#[test]
fn gdpr_destination_country_is_proposed_from_the_supplier_record() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.keys("a");
    let Screen::NewAssessment(form) = s.app.screen() else {
        panic!("new assessment")
    };
    let gdpr = form
        .plugins
        .iter()
        .position(|p| p.id() == "gdpr-offshore")
        .expect("bundled GDPR questionnaire");
    for _ in 0..gdpr {
        s.key(KeyCode::Down);
    }
    s.enter();
    go_to(&mut s, "destination-country");
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("interview")
    };
    assert!(
        !iv.answers.contains_key("destination-country"),
        "nothing answered yet"
    );
    assert!(matches!(
        iv.proposal(iv.current),
        Some(vigie_tui::app::Proposal::SupplierRecord { ref choice, .. }) if choice == "tn"
    ));
    s.snap("gdpr_country_proposed");
    s.enter();
    assert_eq!(choice_under_cursor(&s), "tn");
    // Esc: still no answer.
    s.key(KeyCode::Esc);
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("interview")
    };
    assert!(!iv.answers.contains_key("destination-country"));
    s.enter().enter();
    let store = Store::open(s.db(), "alice").expect("store");
    let id = store.list_assessments(&Default::default()).unwrap()[0]
        .id
        .clone();
    let saved = store.answer(&id, "destination-country").unwrap().unwrap();
    assert_eq!(saved.value, Some(AnswerValue::Choice("tn".into())));
    assert_eq!(saved.updated_by, "alice");
}

/// Issue 14: the NIS2 entity class the plugin derives is pre-selected at its question: the
/// auditor confirms it with Enter, or picks another.
#[test]
fn nis2_derived_entity_class_is_preselected() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.start_nis2();
    let id = s.assessment_id();
    let store = Store::open(s.db(), "alice").expect("store");
    // A medium-sized energy company: important (art. 3(2)), not the list's first option.
    for (q, v) in [
        ("client-staff", AnswerValue::Integer(120)),
        ("client-turnover", AnswerValue::Decimal(30.0)),
        ("client-balance", AnswerValue::Decimal(20.0)),
        ("client-sector", AnswerValue::Choice("energy".into())),
    ] {
        store.set_answer(&id, q, Some(v), None, None).unwrap();
    }
    s.key(KeyCode::Esc);
    s.app.open_interview(&id);
    go_to(&mut s, "client-entity-class");
    s.enter();
    assert_eq!(choice_under_cursor(&s), "important");
    // Another class stays one key away.
    s.key(KeyCode::Up);
    assert_eq!(choice_under_cursor(&s), "essential");
    s.key(KeyCode::Down).enter();
    let saved = store.answer(&id, "client-entity-class").unwrap().unwrap();
    assert_eq!(saved.value, Some(AnswerValue::Choice("important".into())));
}

#[test]
fn plugins() {
    let mut s = Session::new();
    s.keys("p");
    assert!(matches!(s.app.screen(), Screen::Plugins { .. }));
    s.snap("plugins");
}

#[test]
fn audit_trail() {
    let mut s = Session::nis2_with_answers();
    s.keys("t");
    assert!(matches!(s.app.screen(), Screen::Audit(_)));
    // The answer with the note: its detail shows before and after.
    let Screen::Audit(view) = s.app.screen() else {
        panic!("audit")
    };
    let target = view
        .entries
        .iter()
        .position(|e| e.entity_id == "subcontractors-flowdown" && e.old.is_some())
        .expect("the note's change is audited");
    for _ in 0..target {
        s.key(KeyCode::Down);
    }
    s.snap("audit_trail");
}

/// A reassessment from the home list carries the answers over; one answer
/// changed, the comparison screen shows what moved.
#[test]
fn reassessment_and_comparison() {
    let mut s = Session::nis2_with_answers();
    let first = s.assessment_id();
    s.keys("q");
    // The assessment row under its supplier, in the assessments list.
    s.key(KeyCode::Tab);
    s.key(KeyCode::Down);
    s.keys("r");
    assert!(matches!(s.app.screen(), Screen::Interview(_)));
    let second = s.assessment_id();
    assert_ne!(first, second, "a new assessment");
    // Critère 5 — contrat: the first answer was "non", now "oui".
    s.section(7).keys("1");
    s.keys("c");
    assert!(matches!(s.app.screen(), Screen::Compare(_)));
    s.snap("compare");
}

/// Issue 14: a reassessment says how many answers are to confirm, `n` walks them (after
/// the unanswered ones), and `y` confirms one as it is, which the count then shows.
#[test]
fn reassessment_walks_the_answers_to_confirm() {
    let mut s = Session::nis2_with_answers();
    s.keys("q");
    s.key(KeyCode::Tab);
    s.key(KeyCode::Down);
    s.keys("r");
    let to_confirm = |s: &Session| match s.app.screen() {
        Screen::Interview(iv) => iv.to_confirm_count(),
        _ => panic!("not in the interview"),
    };
    let carried = to_confirm(&s);
    assert!(
        carried >= 6,
        "every carried-over answer is to confirm: {carried}"
    );
    // `n` goes to the first question that needs the auditor, wrapping round, and stops
    // on answers to confirm as well as on unanswered ones.
    s.section(5);
    let mut seen = Vec::new();
    for _ in 0..40 {
        s.keys("n");
        let Screen::Interview(iv) = s.app.screen() else {
            panic!("not in the interview")
        };
        assert!(
            !iv.is_answered(iv.current) || iv.is_to_confirm(iv.current),
            "n stops only where the auditor is needed"
        );
        if iv.is_to_confirm(iv.current) {
            seen.push(iv.current);
        }
    }
    assert!(!seen.is_empty(), "n reaches the answers to confirm");
    // Confirmed as it is: the value and the note stay, the count goes down.
    s.section(5).keys("1");
    s.key(KeyCode::Down).key(KeyCode::Down);
    assert_eq!(s.current_question(), "subcontractors-flowdown");
    let before = match s.app.screen() {
        Screen::Interview(iv) => iv.answers.get("subcontractors-flowdown").cloned(),
        _ => None,
    }
    .expect("carried over");
    assert!(before.to_confirm);
    s.keys("y");
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("not in the interview")
    };
    let after = iv
        .answers
        .get("subcontractors-flowdown")
        .expect("still answered");
    assert!(!after.to_confirm);
    assert_eq!(after.value, before.value);
    assert_eq!(after.note, before.note);
    assert_eq!(
        to_confirm(&s),
        carried - 2,
        "the section-5 answer typed and this one"
    );
    s.key(KeyCode::Up);
    s.snap("reassessment_to_confirm");
}

/// Editing a supplier from the home list: the form comes filled in.
#[test]
fn edit_supplier_form() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.keys("e");
    assert!(matches!(s.app.screen(), Screen::SupplierForm(_)));
    s.snap("supplier_form_edit");
}

/// `u` takes the last answer back, in the database too.
#[test]
fn undo_takes_the_last_answer_back() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.start_nis2();
    s.section(5);
    let question = s.current_question();
    s.keys("1");
    let store = Store::open(s.db(), "alice").expect("store");
    let saved = store.answer(&s.assessment_id(), &question).expect("read");
    assert_eq!(
        saved.and_then(|a| a.value),
        Some(AnswerValue::YesNo(YesNo::Yes))
    );
    s.keys("u");
    let undone = store.answer(&s.assessment_id(), &question).expect("read");
    assert_eq!(
        undone.and_then(|a| a.value),
        None,
        "the answer is gone again"
    );
    assert_eq!(s.current_question(), question, "back on the question");
}

/// The report: a format, then a file name (a free one is offered); a name
/// that exists is never overwritten without a second Enter.
#[test]
fn report_asks_for_a_format_and_a_file_and_never_overwrites_silently() {
    let mut s = Session::nis2_with_answers();
    s.keys("x");
    assert!(matches!(s.app.overlay, Some(Overlay::ReportFormat { .. })));
    s.snap("report_format");
    s.keys("1");
    assert!(matches!(s.app.overlay, Some(Overlay::Input { .. })));
    s.snap("report_path");
    let path = s.dir.path().join("rapport.md");
    let type_path = |s: &mut Session| {
        for _ in 0..80 {
            s.key(KeyCode::Backspace);
        }
        s.keys(&path.display().to_string()).enter();
    };
    type_path(&mut s);
    assert!(s.app.overlay.is_none());
    let report = std::fs::read_to_string(&path).expect("the report is written");
    assert!(report.contains("Centre d'appels Tunis"), "{report}");

    std::fs::write(&path, "earlier report").expect("write");
    s.keys("x").keys("1");
    type_path(&mut s);
    assert!(
        matches!(s.app.overlay, Some(Overlay::Input { .. })),
        "asks again"
    );
    let (status, is_error) = s.app.status.clone().expect("a warning");
    assert!(is_error && status.contains("existe déjà"), "{status}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "earlier report");
    s.enter();
    assert!(s.app.overlay.is_none());
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("Centre d'appels Tunis")
    );
}

// --------------------------------------------------------------- overlays

#[test]
fn help_overlay_home() {
    let mut s = Session::new();
    s.keys("?");
    s.snap("help_home");
}

#[test]
fn help_overlay_interview() {
    let mut s = Session::nis2_with_answers();
    s.keys("n?");
    s.snap("help_interview");
}

#[test]
fn search_overlay() {
    let mut s = Session::nis2_with_answers();
    // No accents typed; "réversibilité" and "sécurité" must match.
    s.keys("/").keys("reversibilite");
    let Some(Overlay::Search(search)) = &s.app.overlay else {
        panic!("search")
    };
    assert!(
        !search.hits.is_empty(),
        "accent-free query matches accented text"
    );
    s.snap("search");
    s.enter();
    assert_eq!(s.current_question(), "contract-exit-reversibility");
}

/// A choice question with more options than digit keys: the interview lists
/// the first nine and says how to reach the rest; Enter opens the whole list,
/// where an option past the ninth is picked, saved and the interview moves on.
#[test]
fn choice_list_reaches_every_option() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.start_nis2();
    for _ in 0..10 {
        if s.current_question() == "client-sector" {
            break;
        }
        s.keys("j");
    }
    assert_eq!(s.current_question(), "client-sector");
    s.snap("interview_many_choices");
    s.enter();
    assert!(matches!(s.app.overlay, Some(Overlay::Choices { .. })));
    // Down to the 16th option (past the digits), which scrolls the list at 80x24.
    for _ in 0..15 {
        s.key(KeyCode::Down);
    }
    s.snap("choice_list");
    s.enter();
    assert!(s.app.overlay.is_none(), "a single choice closes the list");
    assert_ne!(s.current_question(), "client-sector", "and moves on");
    let store = Store::open(s.db(), "alice").expect("store");
    let answers = store.answers(&s.assessment_id()).expect("answers");
    let sector = answers
        .iter()
        .find(|a| a.question == "client-sector")
        .expect("the answer is saved");
    assert_eq!(
        sector.value,
        Some(AnswerValue::Choice("manufacturing".into()))
    );
    // Back on the question, the chosen option shows though it has no digit.
    s.keys("k");
    let text = render(&s.app, 80, 24);
    assert!(text.contains("◉ Industrie manufacturière"), "{text}");
}

/// Issue 14: a long choice list filters as letters are typed (case and accents aside);
/// the options kept show with their numbers, and Enter answers the one selected.
#[test]
fn choice_list_filters_as_you_type() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.start_nis2();
    while s.current_question() != "client-sector" {
        s.key(KeyCode::Down);
    }
    s.enter();
    s.keys("MANUF");
    assert!(
        matches!(&s.app.overlay, Some(Overlay::Choices { filter, .. }) if filter == "MANUF"),
        "letters filter the list"
    );
    s.snap("choice_list_filtered");
    // Backspace widens the filter again; letters that match nothing say so.
    for _ in 0..5 {
        s.key(KeyCode::Backspace);
    }
    s.keys("zzz");
    let text = render(&s.app, 80, 24);
    assert!(
        text.contains("Aucune option ne contient ce texte."),
        "{text}"
    );
    assert!(s.app.overlay.is_some(), "Enter on nothing answers nothing");
    s.enter();
    assert!(s.app.overlay.is_some());
    for _ in 0..3 {
        s.key(KeyCode::Backspace);
    }
    s.keys("manufac").enter();
    assert!(s.app.overlay.is_none(), "Enter answers the option kept");
    let store = Store::open(s.db(), "alice").expect("store");
    let sector = store
        .answer(&s.assessment_id(), "client-sector")
        .expect("read")
        .expect("answered");
    assert_eq!(
        sector.value,
        Some(AnswerValue::Choice("manufacturing".into()))
    );
}

#[test]
fn section_picker() {
    let mut s = Session::nis2_with_answers();
    s.keys("g").key(KeyCode::Down);
    s.snap("section_picker");
}

#[test]
fn conflict_dialog() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.start_nis2().section(5);
    let question = s.current_question();
    assert_eq!(question, "subcontractors-list");
    // Another auditor answers the same question on the same file first.
    let bob = Store::open(s.db(), "bob").expect("second connection");
    bob.set_answer(
        &s.assessment_id(),
        &question,
        Some(AnswerValue::YesNo(YesNo::No)),
        None,
        None,
    )
    .expect("bob's answer");
    s.keys("1");
    assert!(
        matches!(s.app.overlay, Some(Overlay::Conflict { .. })),
        "a stale write is a conflict"
    );
    s.snap("conflict");
    // Keeping theirs shows bob's answer, nothing overwritten.
    s.keys("k");
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("interview")
    };
    assert_eq!(
        iv.answers[&question].value,
        Some(AnswerValue::YesNo(YesNo::No))
    );
    assert_eq!(iv.answers[&question].updated_by, "bob");
}

#[test]
fn finalize_confirmation() {
    let mut s = Session::nis2_with_answers();
    s.keys("F");
    assert!(matches!(s.app.overlay, Some(Overlay::ConfirmFinalize)));
    s.snap("finalize_confirm");
    s.keys("y");
    s.snap("interview_final");
}

#[test]
fn terminal_too_small() {
    let mut s = Session::nis2_with_answers();
    s.snap_at("too_small", 60, 20);
    s.snap_at("too_small", 79, 24);
}

// ---------------------------------------------------------------- colours

/// With `NO_COLOR` nothing is told by colour: no cell gets a colour of its own.
#[test]
fn no_color_sets_no_colour() {
    let mut s = Session::with(false);
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.start_nis2();
    s.section(5).keys("123").keys("i");
    for (width, height) in SIZES {
        let buffer = draw(&s.app, width, height);
        for y in 0..height {
            for x in 0..width {
                let cell = &buffer[(x, y)];
                assert_eq!(
                    cell.fg,
                    Color::Reset,
                    "foreground colour at {x},{y} ({:?})",
                    cell.symbol()
                );
                assert_eq!(
                    cell.bg,
                    Color::Reset,
                    "background colour at {x},{y} ({:?})",
                    cell.symbol()
                );
            }
        }
    }
    // The same screen in colour does use colours (the check above means something).
    let mut c = Session::with(true);
    c.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    c.start_nis2();
    c.section(5).keys("123").keys("i");
    let buffer = draw(&c.app, 80, 24);
    assert!(buffer.content().iter().any(|cell| cell.fg != Color::Reset));
}

/// Issue 10: a colleague's saved answer appears in an open interview within a tick, rescored,
/// with who changed what on the status line; the home list follows too.
#[test]
fn a_colleagues_answer_appears_in_the_open_interview() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.start_nis2().section(5);
    let id = s.assessment_id();
    let score_before = match s.app.screen() {
        Screen::Interview(iv) => iv.evaluation.as_ref().map(|e| e.score),
        _ => panic!("interview"),
    };
    // Nothing changed: a tick changes nothing.
    s.app.update(Msg::Tick);
    assert!(s.app.status.is_none(), "{:?}", s.app.status);

    let bob = Store::open(s.db(), "bob").expect("second connection");
    for question in [
        "subcontractors-list",
        "subcontractors-evaluation",
        "subcontractors-contingency",
        "subcontractors-flowdown",
    ] {
        bob.set_answer(
            &id,
            question,
            Some(AnswerValue::YesNo(YesNo::Yes)),
            None,
            None,
        )
        .expect("bob's answer");
    }
    s.app.update(Msg::Tick);
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("interview")
    };
    assert_eq!(
        iv.answers["subcontractors-flowdown"].value,
        Some(AnswerValue::YesNo(YesNo::Yes)),
        "bob's answer is in the interview"
    );
    assert_eq!(iv.answers["subcontractors-list"].updated_by, "bob");
    assert_ne!(
        iv.evaluation.as_ref().map(|e| e.score),
        score_before,
        "rescored with bob's answers"
    );
    let (status, is_error) = s.app.status.clone().expect("a status line");
    assert!(!is_error);
    assert!(
        status.contains("bob a répondu à subcontractors-flowdown"),
        "{status}"
    );
    assert!(status.contains("+2"), "{status}");
    let screen = render(&s.app, 80, 24);
    assert!(screen.contains("bob a répondu"), "{screen}");

    // The worker's cached score moves the data version too: no news, no message.
    s.app.update(Msg::Tick);
    assert!(s.app.status.as_ref().is_some_and(|(t, _)| t == &status));

    // Finalized by bob: the interview says so.
    drop(bob);
    let bob = Store::open(s.db(), "bob").expect("bob again");
    let evaluation = match s.app.screen() {
        Screen::Interview(iv) => iv.evaluation.clone().expect("an evaluation"),
        _ => panic!("interview"),
    };
    bob.finalize(&id, &evaluation).expect("bob finalizes");
    s.app.update(Msg::Tick);
    let (status, _) = s.app.status.clone().expect("a status line");
    assert!(status.contains("bob a finalisé"), "{status}");
}

/// Issue 13 §2: a contact added on the command line keeps its role and phone when the
/// supplier is saved from the workbench, and `Name, role` stays one contact.
#[test]
fn editing_a_supplier_keeps_every_part_of_its_contacts() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    let store = Store::open(s.db(), "bob").expect("store");
    let supplier = store
        .supplier("Centre d'appels Tunis")
        .expect("the supplier");
    let mut fields = supplier.fields();
    fields.contacts = vec![
        vigie_app::contacts::parse_contact("Amel Ben Ali, RSSI, amel@example.tn, +216 71 000 000")
            .expect("contact"),
        vigie_app::contacts::parse_contact("Karim, DPO").expect("contact"),
    ];
    store
        .update_supplier(&supplier.id, &fields)
        .expect("update");
    s.app.reload_home();
    // Edit, change nothing, save.
    s.keys("e").enter();
    let saved = store.supplier(&supplier.id).expect("reload");
    assert_eq!(saved.contacts, fields.contacts);
    // A contact typed wrong keeps the form open with the reason.
    s.keys("e");
    for _ in 0..4 {
        s.tab();
    }
    s.keys("; A, RSSI, DPO");
    s.enter();
    let Screen::SupplierForm(form) = s.app.screen() else {
        panic!("the form stays open");
    };
    assert!(
        form.error
            .as_deref()
            .is_some_and(|e| e.contains("A, RSSI, DPO")),
        "{:?}",
        form.error
    );
}

/// Issue 14, keys that surprised auditors: Esc never quits, Ctrl-C closes a popup, a
/// refused value keeps the popup with the reason, typing replaces an old value, a typed
/// value moves on like a one-key answer, digits in a choice list pick without chaining, and
/// Enter on an assessed supplier opens its assessment.
#[test]
fn keys_behave_as_an_auditor_expects() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    // Esc on the home screen does not quit.
    s.key(KeyCode::Esc);
    assert!(!s.app.quit, "Esc on the home screen quits");
    s.start_nis2();
    let id = s.assessment_id();
    assert_eq!(s.current_question(), "client-staff");

    // A refused value keeps the popup, the text and the reason.
    s.enter().keys("douze").enter();
    match &s.app.overlay {
        Some(Overlay::Input { edit, error, .. }) => {
            assert_eq!(edit.text(), "douze");
            assert!(error.is_some(), "the reason shows under the field");
        }
        _ => panic!("the popup stays open after a refused value"),
    }
    // Ctrl-C closes it.
    s.key_with(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(s.app.overlay.is_none(), "Ctrl-C closes the popup");
    assert!(!s.app.quit);

    // A typed value moves on, like a one-key answer.
    s.enter().keys("1200").enter();
    assert_eq!(s.current_question(), "client-turnover");
    // 80 000 000 (in M€): written as the French do, and confirmed before it is saved.
    s.enter().keys("80 000 000").enter();
    match &s.app.overlay {
        Some(Overlay::Input { error, .. }) => assert!(
            error.as_deref().is_some_and(|e| e.contains("inhabituelle")),
            "{error:?}"
        ),
        _ => panic!("an unusual value asks for confirmation"),
    }
    s.enter();
    assert!(s.app.overlay.is_none(), "Enter confirms");
    assert_eq!(s.current_question(), "client-balance");
    s.key(KeyCode::Up);
    // Back on it, typing replaces the old value instead of appending to it.
    s.key(KeyCode::Up);
    s.enter().keys("80").enter();
    let store = Store::open(s.db(), "alice").expect("store");
    let staff = store
        .answer(&id, "client-staff")
        .expect("read")
        .expect("answered");
    assert_eq!(staff.value, Some(AnswerValue::Integer(80)));

    // The choice list: digits pick an option by number, Enter answers once.
    while s.current_question() != "client-sector" {
        s.key(KeyCode::Down);
    }
    s.enter();
    assert!(matches!(s.app.overlay, Some(Overlay::Choices { .. })));
    s.keys("55");
    assert!(
        matches!(s.app.overlay, Some(Overlay::Choices { selected: 4, .. })),
        "`55` selects the 5th option and answers nothing"
    );
    assert!(store.answer(&id, "client-sector").expect("read").is_none());
    s.keys("15");
    assert!(matches!(
        s.app.overlay,
        Some(Overlay::Choices { selected: 14, .. })
    ));
    s.enter();
    assert!(s.app.overlay.is_none());
    let sector = store.answer(&id, "client-sector").expect("read");
    assert!(sector.is_some(), "Enter answers");
    let next = s.current_question();
    assert_ne!(next, "client-sector", "and moves on");
    let answered = store.answers(&id).expect("answers").len();
    assert_eq!(answered, 3, "one answer per Enter, none chained");
    let turnover = store
        .answer(&id, "client-turnover")
        .expect("read")
        .expect("answered");
    assert_eq!(turnover.value, Some(AnswerValue::Decimal(80_000_000.0)));

    // Back home; Enter on the supplier in the portfolio shows its assessments, and Enter
    // on the supplier row there opens its assessment, not a new one.
    s.keys("q");
    assert!(matches!(s.app.screen(), Screen::Home));
    s.enter();
    assert_eq!(s.app.home.mode, vigie_tui::app::HomeMode::Assessments);
    assert!(matches!(
        s.app.home.rows[s.app.home.selected],
        vigie_tui::app::HomeRow::Supplier(_)
    ));
    s.enter();
    assert_eq!(s.assessment_id(), id, "Enter opens the existing assessment");
    s.keys("q").keys("q");
    assert!(s.app.quit, "q on the home screen quits");
}

/// Issue 14: sections past the ninth have a shortcut (`g 1 2`), and `g 1` Enter still
/// reaches the first.
#[test]
fn two_digit_sections_are_reachable() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.start_nis2();
    s.keys("g12");
    assert!(s.app.overlay.is_none());
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("interview")
    };
    assert_eq!(iv.section_of_current(), 11, "g 1 2 is the 12th section");
    s.keys("g1");
    assert!(
        matches!(s.app.overlay, Some(Overlay::Sections { selected: 0, .. })),
        "1 may start 10, 11, 12: the picker waits"
    );
    s.enter();
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("interview")
    };
    assert_eq!(iv.section_of_current(), 0);
    s.keys("s");
    assert!(matches!(s.app.overlay, Some(Overlay::Explain)));
    let screen = render(&s.app, 80, 24);
    assert!(screen.contains("Score et verdict"), "{screen}");
    assert!(screen.contains("Règle décisive"), "{screen}");
}

/// Issue 14: at 200x50 the left column takes more room, so section names show whole; a
/// long error wraps, in the live result and on the status line, instead of being cut.
#[test]
fn wide_terminal_and_long_errors() {
    let mut s = Session::nis2_with_answers();
    if let Some(Screen::Interview(iv)) = s.app.stack.last_mut() {
        iv.last_error = Some(
            "plugin nis2-suppliers: evaluate: the plugin ran out of fuel after 1000000 \
             instructions while computing criterion c3-supply-chain; the answers are kept"
                .into(),
        );
    }
    s.app.error(
        "the database is locked by another program for longer than the wait allows; \
         nothing was written: try again, or ask who holds it (vigie db check)",
    );
    let text = render(&s.app, 200, 50);
    assert!(
        text.contains("Critère 1 — certification ISO 27001"),
        "the section names show whole at 200 columns:\n{text}"
    );
    s.snap_at("interview_long_errors", 200, 50);
    s.snap("interview_long_errors");
}

/// Issue 16: the workbench scores the supplier's declarations where the auditor has no
/// answer (as `vigie score` does) and its header says how many are not verified yet.
#[test]
fn declared_answers_are_scored_and_counted_in_the_interview() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.start_nis2();
    let id = s.assessment_id();
    s.keys("q");
    Store::open(s.db(), "bob")
        .expect("store")
        .import_declarations(
            &id,
            "Amel <amel@example.tn>",
            &"ab".repeat(32),
            &[vigie_store::NewDeclaration {
                question: "subcontractors-list".into(),
                value: AnswerValue::YesNo(YesNo::Yes),
                note: None,
            }],
        )
        .expect("declarations");
    // Portfolio, then the supplier's assessments, then its assessment.
    s.enter().enter();
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("not in the interview")
    };
    assert!(
        iv.effective_answers()
            .iter()
            .any(|a| a.question == "subcontractors-list"),
        "the declaration is scored"
    );
    assert_eq!(iv.unverified_declarations(), 1);
    let screen = render(&s.app, 120, 40);
    assert!(screen.contains("0 vérifiée / 1 déclarée / "), "{screen}");

    // At the question, the declaration shows apart; V makes it the auditor's answer.
    s.section(5);
    assert_eq!(s.current_question(), "subcontractors-list");
    let screen = render(&s.app, 120, 40);
    assert!(
        screen.contains("Déclaré par Amel <amel@example.tn> : oui"),
        "{screen}"
    );
    s.keys("V");
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("not in the interview")
    };
    assert_eq!(iv.unverified_declarations(), 0);
    let store = Store::open(s.db(), "bob").expect("store");
    let answer = store
        .answer(&id, "subcontractors-list")
        .expect("read")
        .expect("the auditor's answer");
    assert_eq!(answer.value, Some(AnswerValue::YesNo(YesNo::Yes)));
    assert!(
        store.declarations(&id).expect("declarations")[0]
            .confirmed_by
            .is_some(),
        "the declaration is marked confirmed"
    );
}

/// Issue 16: a supplier's declarations imported for an open assessment.
fn nis2_with_declarations() -> (Session, String) {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.start_nis2();
    let id = s.assessment_id();
    s.keys("q");
    let declare = |question: &str, value: YesNo| vigie_store::NewDeclaration {
        question: question.into(),
        value: AnswerValue::YesNo(value),
        note: None,
    };
    Store::open(s.db(), "bob")
        .expect("store")
        .import_declarations(
            &id,
            "Amel <amel@example.tn>",
            &"ab".repeat(32),
            &[
                declare("subcontractors-list", YesNo::Yes),
                declare("subcontractors-evaluation", YesNo::Yes),
                declare("subcontractors-flowdown", YesNo::Partial),
            ],
        )
        .expect("declarations");
    // Portfolio, then the supplier's assessments, then its assessment.
    s.enter().enter();
    assert!(matches!(s.app.screen(), Screen::Interview(_)));
    (s, id)
}

/// Issue 16: `D` walks only the declarations not yet verified, `d` goes to the next one;
/// progress is verified / declared / open and the verdict says what it rests on; an answer
/// that differs replaces a declaration (both shown), the same answer verifies it.
#[test]
fn declarations_are_walked_with_the_filter_and_verified_or_replaced() {
    let (mut s, id) = nis2_with_declarations();
    let screen = render(&s.app, 120, 40);
    assert!(screen.contains("0 vérifiée / 3 déclarées / "), "{screen}");
    assert!(screen.contains("fondé sur 3 déclarations du"), "{screen}");

    s.keys("D");
    assert_eq!(s.current_question(), "subcontractors-list");
    s.snap("interview_declared_filter");
    // ↓ goes from one declaration to the next, past the question between.
    s.key(KeyCode::Down);
    assert_eq!(s.current_question(), "subcontractors-evaluation");
    s.key(KeyCode::Down);
    assert_eq!(s.current_question(), "subcontractors-flowdown");
    s.key(KeyCode::Up);
    assert_eq!(s.current_question(), "subcontractors-evaluation");

    // An answer that differs replaces the declaration, which stays beside it; the walk goes on.
    s.keys("2");
    assert_eq!(s.current_question(), "subcontractors-flowdown");
    let store = Store::open(s.db(), "bob").expect("store");
    assert_eq!(
        store
            .answer(&id, "subcontractors-evaluation")
            .expect("read")
            .expect("the auditor's answer")
            .value,
        Some(AnswerValue::YesNo(YesNo::No))
    );
    assert_eq!(store.declarations(&id).expect("declarations").len(), 3);
    s.keys("D");
    s.key(KeyCode::Up).key(KeyCode::Up);
    assert_eq!(s.current_question(), "subcontractors-evaluation");
    let screen = render(&s.app, 120, 40);
    assert!(screen.contains("Réponse : non"), "{screen}");
    assert!(
        screen.contains("Déclaré par Amel <amel@example.tn> : oui — diffère de votre réponse"),
        "{screen}"
    );

    // The same answer as declared verifies it.
    s.key(KeyCode::Up);
    assert_eq!(s.current_question(), "subcontractors-list");
    s.keys("1").key(KeyCode::Up);
    assert_eq!(s.current_question(), "subcontractors-list");
    let screen = render(&s.app, 120, 40);
    assert!(
        screen.contains("Vérifié (déclaré par Amel <amel@example.tn>)"),
        "{screen}"
    );
    assert!(!screen.contains("diffère"), "{screen}");

    // d: the one declaration left; its basis in the singular.
    s.keys("d");
    assert_eq!(s.current_question(), "subcontractors-flowdown");
    let screen = render(&s.app, 120, 40);
    assert!(screen.contains("2 vérifiées / 1 déclarée / "), "{screen}");
    assert!(screen.contains("fondé sur 1 déclaration du"), "{screen}");
    s.keys("s");
    assert!(matches!(s.app.overlay, Some(Overlay::Explain)));
    s.snap("explain_declared");
    s.key(KeyCode::Esc).keys("V");
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("not in the interview")
    };
    assert_eq!(iv.unverified_declarations(), 0);
    let screen = render(&s.app, 120, 40);
    assert!(!screen.contains("fondé sur"), "{screen}");
    s.keys("d");
    let (status, _) = s.app.status.clone().expect("a message");
    assert!(status.contains("Aucune déclaration"), "{status}");
}

/// Issue 16: `W` asks for the workbook's file, language, respondent and due date, writes it on
/// the executor and says where; a wrong date or an existing file is refused on the form.
#[test]
fn the_self_assessment_workbook_is_written_from_the_workbench() {
    let mut s = Session::nis2_with_answers();
    let id = s.assessment_id();
    s.keys("W");
    assert!(matches!(s.app.screen(), Screen::WorkbookExport(_)));
    s.snap("workbook_export");

    let path = s.dir.path().join("classeur.xlsx");
    for _ in 0..80 {
        s.key(KeyCode::Backspace);
    }
    s.keys(&path.display().to_string());
    s.tab().keys(" ").tab().keys("Ana <ana@example.tn>").tab();
    for _ in 0..10 {
        s.key(KeyCode::Backspace);
    }
    s.keys("2027-13-01").enter();
    let Screen::WorkbookExport(form) = s.app.screen() else {
        panic!("the form stays open")
    };
    assert!(form.error.is_some(), "the date is refused");
    assert!(!path.exists(), "nothing written");
    s.snap("workbook_export_error");
    for _ in 0..10 {
        s.key(KeyCode::Backspace);
    }
    s.keys("2027-01-15").enter();
    assert!(matches!(s.app.screen(), Screen::Interview(_)));
    let (status, is_error) = s.app.status.clone().expect("where it was written");
    assert!(!is_error && status.contains("Classeur écrit"), "{status}");
    assert!(status.contains("classeur.xlsx"), "{status}");
    let bytes = std::fs::read(&path).expect("the workbook is written");
    let plan = s
        .app
        .bench
        .plan_self_assessment(&bytes)
        .expect("a workbook of this assessment");
    assert_eq!(plan.assessment.id, id);
    assert_eq!(plan.respondent, "Ana <ana@example.tn>");

    // The same file again: refused on the form, the file kept.
    s.keys("W");
    for _ in 0..80 {
        s.key(KeyCode::Backspace);
    }
    s.keys(&path.display().to_string()).enter();
    let Screen::WorkbookExport(form) = s.app.screen() else {
        panic!("the form stays open")
    };
    assert!(
        form.error
            .as_deref()
            .is_some_and(|e| e.contains("existe déjà")),
        "{:?}",
        form.error
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    s.key(KeyCode::Esc);
    assert!(matches!(s.app.screen(), Screen::Interview(_)));

    // From the home list too, on the assessment selected there.
    s.keys("q");
    s.app.home.mode = vigie_tui::app::HomeMode::Assessments;
    s.app.home.selected = s
        .app
        .home
        .rows
        .iter()
        .position(|r| matches!(r, vigie_tui::app::HomeRow::Assessment(a) if a.id.as_str() == id))
        .expect("the assessment is listed");
    s.keys("W");
    let Screen::WorkbookExport(form) = s.app.screen() else {
        panic!("the form opens from the home list")
    };
    assert_eq!(form.assessment_id, id);
}

/// Issue 16: a workbook a colleague imports (`vigie self-assessment import`) while the
/// interview is open appears within a tick: the declarations show, are scored and counted.
#[test]
fn declarations_a_colleague_imports_appear_in_the_open_interview() {
    let mut s = Session::new();
    s.add_supplier("Centre d'appels Tunis", "TN", "Relation client", 1);
    s.start_nis2().section(5);
    let id = s.assessment_id();
    s.app.update(Msg::Tick);
    Store::open(s.db(), "bob")
        .expect("second connection")
        .import_declarations(
            &id,
            "Amel <amel@example.tn>",
            &"ab".repeat(32),
            &[vigie_store::NewDeclaration {
                question: "subcontractors-list".into(),
                value: AnswerValue::YesNo(YesNo::Yes),
                note: None,
            }],
        )
        .expect("declarations");
    s.app.update(Msg::Tick);
    let Screen::Interview(iv) = s.app.screen() else {
        panic!("interview")
    };
    assert_eq!(iv.unverified_declarations(), 1, "the declaration is in");
    assert!(
        iv.effective_answers()
            .iter()
            .any(|a| a.question == "subcontractors-list"),
        "and scored"
    );
    let (status, _) = s.app.status.clone().expect("who did what");
    assert!(status.contains("déclaration"), "{status}");
    let screen = render(&s.app, 120, 40);
    assert!(screen.contains("0 vérifiée / 1 déclarée / "), "{screen}");
}
