//! Supplier declarations: kept beside the auditor's answers, never in their place; confirmed
//! into an answer with an audit row; frozen with the assessment.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use common::{Places, TestBackend, evaluation, fixture};
use vigie_model::{AnswerValue, YesNo};
use vigie_store::{NewDeclaration, StoreError};

const SHA: &str = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";

fn declared(question: &str, v: YesNo) -> NewDeclaration {
    NewDeclaration {
        question: question.into(),
        value: AnswerValue::YesNo(v),
        note: Some("see policy".into()),
    }
}

fn declarations_never_overwrite_the_auditors_answer_and_confirm_into_one(backend: TestBackend) {
    let places = Places::new(backend);
    let (store, a) = fixture(&places.path("v.db"));
    store
        .set_answer(&a.id, "q1", Some(AnswerValue::YesNo(YesNo::No)), None, None)
        .unwrap();
    let n = store
        .import_declarations(
            &a.id,
            "Ana <ana@example.com>",
            SHA,
            &[declared("q1", YesNo::Yes), declared("q2", YesNo::Partial)],
        )
        .unwrap();
    assert_eq!(n, 2);
    // The auditor's answer stays; the differing declaration is kept beside it.
    let answers = store.answers(&a.id).unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].value, Some(AnswerValue::YesNo(YesNo::No)));
    let declarations = store.declarations(&a.id).unwrap();
    assert_eq!(declarations.len(), 2);
    assert_eq!(declarations[0].value, AnswerValue::YesNo(YesNo::Yes));
    assert_eq!(declarations[0].respondent, "Ana <ana@example.com>");
    assert_eq!(declarations[0].file_sha256, SHA);

    // Confirming with a stale revision is a conflict; with the right one, it becomes an answer.
    assert!(matches!(
        store.confirm_declaration(&a.id, "q2", Some(3)),
        Err(StoreError::Conflict { .. })
    ));
    let answer = store.confirm_declaration(&a.id, "q2", None).unwrap();
    assert_eq!(answer.value, Some(AnswerValue::YesNo(YesNo::Partial)));
    assert_eq!(answer.note.as_deref(), Some("see policy"));
    let q2 = store
        .declarations(&a.id)
        .unwrap()
        .into_iter()
        .find(|d| d.question == "q2")
        .unwrap();
    assert_eq!(q2.confirmed_by.as_deref(), Some("alice"));
    assert!(matches!(
        store.confirm_declaration(&a.id, "q9", None),
        Err(StoreError::NotFound { .. })
    ));

    // The trail has the import with the file's sha256, each declaration, and the confirmation.
    let trail = store.audit_trail(Some(&a.id)).unwrap();
    let actions: Vec<(&str, &str)> = trail
        .iter()
        .map(|r| (r.action.as_str(), r.entity.as_str()))
        .collect();
    assert!(
        actions.contains(&("import", "self-assessment")),
        "{actions:?}"
    );
    assert!(actions.contains(&("declare", "declaration")), "{actions:?}");
    assert!(actions.contains(&("confirm", "answer")), "{actions:?}");
    assert!(trail.iter().any(|r| r.entity_id == SHA));
    assert!(store.verify().unwrap().audit_break.is_none());

    // Frozen with the assessment.
    store.finalize(&a.id, &evaluation(50.0, "ok")).unwrap();
    assert!(matches!(
        store.import_declarations(&a.id, "Ana", SHA, &[declared("q3", YesNo::Yes)]),
        Err(StoreError::Frozen { .. })
    ));
}

fn an_import_is_all_or_nothing(backend: TestBackend) {
    let places = Places::new(backend);
    let (store, a) = fixture(&places.path("v.db"));
    let err = store
        .import_declarations(
            &a.id,
            "Ana",
            SHA,
            &[declared("q1", YesNo::Yes), declared(" ", YesNo::No)],
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert!(store.declarations(&a.id).unwrap().is_empty());
    assert!(store.import_declarations(&a.id, " ", SHA, &[]).is_err());
    assert!(
        store
            .import_declarations(&a.id, "Ana", "nope", &[])
            .is_err()
    );
}

on_both_backends!(
    declarations_never_overwrite_the_auditors_answer_and_confirm_into_one,
    an_import_is_all_or_nothing,
);
