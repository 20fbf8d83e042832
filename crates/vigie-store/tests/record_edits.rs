//! Editing and deleting evidence and action items: audited, refused on a final assessment
//! where the record is frozen, and a conflict (nothing written) when someone else changed
//! or deleted the record meanwhile.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use common::{Places, TestBackend, evaluation, fixture};
use vigie_model::Date;
use vigie_store::{ActionItemUpdate, EvidenceKind, NewActionItem, NewEvidence, StoreError};

fn note(text: &str) -> NewEvidence {
    NewEvidence {
        question: Some("q1".into()),
        kind: EvidenceKind::Note,
        text: text.into(),
        file: None,
        effective_date: None,
        expiry_date: None,
    }
}

fn stale(r: Result<impl std::fmt::Debug, StoreError>) -> Option<bool> {
    match r {
        Err(StoreError::StaleRecord { deleted, .. }) => Some(deleted),
        other => panic!("expected a stale record, got {other:?}"),
    }
}

fn evidence_edit_and_delete_are_audited_and_keep_the_text_intact(backend: TestBackend) {
    let places = Places::new(backend);
    let (store, a) = fixture(&places.path("v.db"));
    // A semicolon is text like any other.
    let added = store
        .add_evidence(&a.id, &note("ISO 27001; scope: Tunis"))
        .unwrap();
    let mut change = note("ISO 27001 certificate; scope: Tunis and Sousse");
    change.expiry_date = Some(Date::new(2027, 6, 30).unwrap());
    let edited = store.update_evidence(&added, &change).unwrap();
    assert_eq!(edited.id, added.id);
    assert_eq!(
        edited.text,
        "ISO 27001 certificate; scope: Tunis and Sousse"
    );
    assert_eq!(edited.expiry_date, change.expiry_date);
    assert_eq!(edited.added_by, added.added_by);
    assert_eq!(
        store.list_evidence(&a.id, None).unwrap(),
        vec![edited.clone()]
    );

    store.delete_evidence(&edited).unwrap();
    assert!(store.list_evidence(&a.id, None).unwrap().is_empty());

    let trail = store.audit_trail(Some(&a.id)).unwrap();
    let rows: Vec<(&str, &str)> = trail
        .iter()
        .filter(|r| r.entity == "evidence")
        .map(|r| (r.action.as_str(), r.entity_id.as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("add", added.id.as_str()),
            ("update", added.id.as_str()),
            ("delete", added.id.as_str())
        ]
    );
    let delete = trail.iter().rfind(|r| r.entity == "evidence").unwrap();
    assert!(delete.old.as_deref().unwrap().contains("Sousse"));
    assert_eq!(delete.new, None);
    let report = store.verify().unwrap();
    assert!(report.audit_break.is_none());
    // An export of the assessment does not miss the deleted evidence.
    let file = store.export_assessment(&a.id).unwrap();
    file.check().unwrap();
}

fn evidence_changed_or_deleted_meanwhile_is_a_conflict_and_nothing_is_written(
    backend: TestBackend,
) {
    let places = Places::new(backend);
    let path = places.path("v.db");
    let (alice, a) = fixture(&path);
    let bob = places.open("v.db", "bob");
    let seen = alice.add_evidence(&a.id, &note("policy v1")).unwrap();
    // Bob edits it; Alice's edit of the version she saw is refused.
    let bobs = bob.update_evidence(&seen, &note("policy v2")).unwrap();
    assert_eq!(
        stale(alice.update_evidence(&seen, &note("policy v1 bis"))),
        Some(false)
    );
    assert_eq!(stale(alice.delete_evidence(&seen)), Some(false));
    assert_eq!(
        alice.list_evidence(&a.id, None).unwrap(),
        vec![bobs.clone()]
    );
    // Seeing Bob's version, she may replace it.
    alice.update_evidence(&bobs, &note("policy v3")).unwrap();
    // Deleted meanwhile: said so.
    let now = alice.list_evidence(&a.id, None).unwrap().remove(0);
    bob.delete_evidence(&now).unwrap();
    assert_eq!(
        stale(alice.update_evidence(&now, &note("again"))),
        Some(true)
    );
    let msg = alice
        .update_evidence(&now, &note("again"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("deleted by someone else"), "{msg}");
}

fn a_final_assessment_refuses_evidence_changes_and_action_deletes(backend: TestBackend) {
    let places = Places::new(backend);
    let (store, a) = fixture(&places.path("v.db"));
    let e = store.add_evidence(&a.id, &note("policy")).unwrap();
    let item = store
        .add_action_item(
            &a.id,
            &NewActionItem {
                finding_id: "f1".into(),
                title: "Sign the SCC".into(),
                owner: None,
                deadline: None,
            },
        )
        .unwrap();
    store.finalize(&a.id, &evaluation(70.0, "improve")).unwrap();
    let frozen = |r: Result<(), StoreError>| matches!(r, Err(StoreError::Frozen { .. }));
    assert!(frozen(store.update_evidence(&e, &note("x")).map(|_| ())));
    assert!(frozen(store.delete_evidence(&e)));
    assert!(frozen(store.delete_action_item(&item)));
    assert_eq!(store.list_evidence(&a.id, None).unwrap(), vec![e]);
    // The plan is still followed: its items can change.
    let update = ActionItemUpdate {
        owner: Some(Some("Bob".into())),
        ..ActionItemUpdate::default()
    };
    let changed = store.update_action_item_seen(&item, &update).unwrap();
    assert_eq!(changed.owner.as_deref(), Some("Bob"));
}

fn action_items_edit_and_delete_are_audited_and_checked_against_what_was_seen(
    backend: TestBackend,
) {
    let places = Places::new(backend);
    let path = places.path("v.db");
    let (alice, a) = fixture(&path);
    let bob = places.open("v.db", "bob");
    let item = alice
        .add_action_item(
            &a.id,
            &NewActionItem {
                finding_id: "f1".into(),
                title: "Sign the SCC; module 2".into(),
                owner: Some("Alice".into()),
                deadline: None,
            },
        )
        .unwrap();
    let retitle = |t: &str| ActionItemUpdate {
        title: Some(t.into()),
        ..ActionItemUpdate::default()
    };
    let bobs = bob
        .update_action_item_seen(&item, &retitle("Sign the SCC; module 3"))
        .unwrap();
    assert_eq!(bobs.updated_by, "bob");
    assert_eq!(
        stale(alice.update_action_item_seen(&item, &retitle("mine"))),
        Some(false)
    );
    assert_eq!(stale(alice.delete_action_item(&item)), Some(false));
    alice.delete_action_item(&bobs).unwrap();
    assert!(alice.list_action_items(&a.id).unwrap().is_empty());
    assert_eq!(
        stale(bob.update_action_item_seen(&bobs, &retitle("late"))),
        Some(true)
    );
    let actions: Vec<String> = alice
        .audit_trail(Some(&a.id))
        .unwrap()
        .into_iter()
        .filter(|r| r.entity == "action-item")
        .map(|r| r.action)
        .collect();
    assert_eq!(actions, ["add", "update", "delete"]);
    alice.export_assessment(&a.id).unwrap().check().unwrap();
}

on_both_backends!(
    evidence_edit_and_delete_are_audited_and_keep_the_text_intact,
    evidence_changed_or_deleted_meanwhile_is_a_conflict_and_nothing_is_written,
    a_final_assessment_refuses_evidence_changes_and_action_deletes,
    action_items_edit_and_delete_are_audited_and_checked_against_what_was_seen,
);
