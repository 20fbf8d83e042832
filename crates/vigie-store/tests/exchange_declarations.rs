//! Exchange files carry the supplier's declarations (issue 16): an assessment exported and
//! imported elsewhere keeps every declaration with its respondent, source file and whether the
//! auditor confirmed it; a declaration changed in the file is refused; a file written before
//! declarations travelled (version 2) gets them back from its audit trail.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use std::path::Path;

use common::{Places, TestBackend, fixture};
use vigie_model::{AnswerValue, YesNo};
use vigie_store::{Assessment, ExchangeError, ExchangeFile, ImportOutcome, NewDeclaration, Store};

const FILE_A: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const FILE_B: &str = "2222222222222222222222222222222222222222222222222222222222222222";

fn declared(question: &str, value: YesNo, note: Option<&str>) -> NewDeclaration {
    NewDeclaration {
        question: question.into(),
        value: AnswerValue::YesNo(value),
        note: note.map(Into::into),
    }
}

/// A draft whose supplier declared three answers: one the auditor confirmed, one the auditor
/// answered otherwise, one not verified yet.
fn with_declarations(path: &Path) -> (Store, Assessment) {
    let (store, a) = fixture(path);
    store
        .import_declarations(
            &a.id,
            "Ana Fournisseur <ana@example.com>",
            FILE_A,
            &[
                declared("q1", YesNo::Yes, Some("voir PSSI")),
                declared("q2", YesNo::Yes, None),
                declared("q3", YesNo::Partial, None),
            ],
        )
        .unwrap();
    store.confirm_declaration(&a.id, "q1", None).unwrap();
    store
        .set_answer(&a.id, "q2", Some(AnswerValue::YesNo(YesNo::No)), None, None)
        .unwrap();
    (store, a)
}

fn export(store: &Store, id: &str) -> String {
    store.export_assessment(id).unwrap().to_json().unwrap()
}

fn import(store: &Store, text: &str) -> Result<vigie_store::ImportReport, ExchangeError> {
    store.import_assessment(&ExchangeFile::from_json(text)?)
}

fn declarations_make_the_round_trip_with_their_respondent_and_file(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = with_declarations(&places.path("a.db"));
    let first = export(&alice, &a.id);
    assert!(first.contains("\"declarations\""), "{first}");

    let bob = places.open("b.db", "bob");
    let report = import(&bob, &first).unwrap();
    assert_eq!(report.outcome, ImportOutcome::Created);
    assert_eq!(report.declarations, 3);
    let theirs = bob.declarations(&a.id).unwrap();
    assert_eq!(theirs, alice.declarations(&a.id).unwrap());
    let q1 = theirs.iter().find(|d| d.question == "q1").unwrap();
    assert_eq!(q1.respondent, "Ana Fournisseur <ana@example.com>");
    assert_eq!(q1.file_sha256, FILE_A);
    assert_eq!(q1.note.as_deref(), Some("voir PSSI"));
    assert_eq!(q1.confirmed_by.as_deref(), Some("alice"));
    assert!(
        theirs
            .iter()
            .filter(|d| d.question != "q1")
            .all(|d| d.confirmed_by.is_none())
    );
    // The auditor's differing answer stays beside the declaration.
    assert_eq!(
        bob.answer(&a.id, "q2").unwrap().unwrap().value,
        Some(AnswerValue::YesNo(YesNo::No))
    );
    assert_eq!(
        export(&bob, &a.id),
        first,
        "the file changed on its way through another database"
    );
    // Twice: nothing more.
    assert_eq!(
        import(&bob, &first).unwrap().outcome,
        ImportOutcome::Unchanged
    );
}

fn declarations_added_later_come_with_the_next_file(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = with_declarations(&places.path("a.db"));
    let bob = places.open("b.db", "bob");
    import(&bob, &export(&alice, &a.id)).unwrap();

    // The supplier sends a second workbook: q3 changes, q4 is new; alice confirms q3.
    alice
        .import_declarations(
            &a.id,
            "Ana Fournisseur <ana@example.com>",
            FILE_B,
            &[
                declared("q3", YesNo::Yes, None),
                declared("q4", YesNo::No, Some("pas encore")),
            ],
        )
        .unwrap();
    alice.confirm_declaration(&a.id, "q3", None).unwrap();
    let report = import(&bob, &export(&alice, &a.id)).unwrap();
    assert_eq!(report.outcome, ImportOutcome::Updated);
    assert_eq!(report.declarations, 2);
    assert_eq!(
        bob.declarations(&a.id).unwrap(),
        alice.declarations(&a.id).unwrap()
    );
    let q3 = bob
        .declarations(&a.id)
        .unwrap()
        .into_iter()
        .find(|d| d.question == "q3")
        .unwrap();
    assert_eq!(
        (q3.file_sha256.as_str(), q3.confirmed_by.as_deref()),
        (FILE_B, Some("alice"))
    );
}

fn a_declaration_changed_in_the_file_is_refused_and_nothing_is_written(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = with_declarations(&places.path("a.db"));
    let text = export(&alice, &a.id);
    let bob = places.open("b.db", "bob");
    type Edit = fn(&mut serde_json::Value);
    let edits: [(Edit, &str); 5] = [
        (
            |v| {
                v["declarations"][2]["value"] =
                    serde_json::json!({"type": "yes-no", "value": "yes"})
            },
            "is not what its last audit row",
        ),
        (
            |v| v["declarations"][0]["respondent"] = serde_json::json!("Mallory"),
            "is not what its last audit row",
        ),
        (
            |v| v["declarations"][1]["confirmed_by"] = serde_json::json!("alice"),
            "confirmed",
        ),
        (
            |v| {
                v["declarations"].as_array_mut().unwrap().pop();
            },
            "which the file does not carry",
        ),
        (
            |v| v["declarations"][0]["assessment_id"] = serde_json::json!("0190-other"),
            "belongs to assessment 0190-other",
        ),
    ];
    for (edit, wanted) in edits {
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        edit(&mut value);
        let err = import(&bob, &value.to_string()).unwrap_err();
        assert!(
            matches!(err, ExchangeError::Tampered(_)) && err.to_string().contains(wanted),
            "{wanted}: {err}"
        );
        assert!(matches!(
            bob.assessment(&a.id),
            Err(vigie_store::StoreError::NotFound { .. })
        ));
    }
}

/// A file written before declarations travelled (version 2) still imports, and its
/// declarations are read back from the audit rows that recorded them.
fn a_version_2_file_gets_its_declarations_back_from_the_trail(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = with_declarations(&places.path("a.db"));
    let text = export(&alice, &a.id);
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["version"] = serde_json::json!(2);
    value.as_object_mut().unwrap().remove("declarations");
    let bob = places.open("b.db", "bob");
    let report = import(&bob, &value.to_string()).unwrap();
    assert_eq!(report.outcome, ImportOutcome::Created);
    assert_eq!(
        bob.declarations(&a.id).unwrap(),
        alice.declarations(&a.id).unwrap()
    );
    assert_eq!(export(&bob, &a.id), text);
}

on_both_backends!(
    declarations_make_the_round_trip_with_their_respondent_and_file,
    declarations_added_later_come_with_the_next_file,
    a_declaration_changed_in_the_file_is_refused_and_nothing_is_written,
    a_version_2_file_gets_its_declarations_back_from_the_trail,
);
