//! The store's queries and rules, one process.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use common::{Place, TestBackend, evaluation, fixture, fixture_at};
use vigie_model::{AnswerValue, YesNo};
use vigie_store::{
    ActionItemUpdate, ActionStatus, AssessmentFilter, AssessmentStatus, Contact, Criticality,
    EvidenceFile, EvidenceKind, NewActionItem, NewAssessment, NewEvidence, Store, StoreError,
    SupplierFields,
};

fn yes() -> Option<AnswerValue> {
    Some(AnswerValue::YesNo(YesNo::Yes))
}

fn stale_write_is_a_conflict_showing_both_values(backend: TestBackend) {
    let path = Place::new(backend);
    let (alice, a) = fixture_at(&path);
    let bob = common::open(&path, "bob");

    // Both see no answer; Alice writes first.
    let first = alice
        .set_answer(&a.id, "q1", yes(), Some("per phone".into()), None)
        .unwrap();
    assert_eq!(first.revision, 1);
    assert_eq!(first.updated_by, "alice");
    let err = bob
        .set_answer(&a.id, "q1", Some(AnswerValue::YesNo(YesNo::No)), None, None)
        .unwrap_err();
    match &err {
        StoreError::Conflict {
            question,
            base_revision,
            ours,
            current,
        } => {
            assert_eq!(question, "q1");
            assert_eq!(*base_revision, None);
            assert_eq!(ours, &Some(AnswerValue::YesNo(YesNo::No)));
            assert_eq!(current.value, yes());
            assert_eq!(current.revision, 1);
            assert_eq!(current.updated_by, "alice");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("q1") && msg.contains("\"no\"") && msg.contains("\"yes\""),
        "{msg}"
    );
    assert!(msg.contains("alice"), "{msg}");

    // Bob reloads, sees revision 1, and writes on top of it.
    let seen = bob.answer(&a.id, "q1").unwrap().unwrap();
    let second = bob
        .set_answer(
            &a.id,
            "q1",
            Some(AnswerValue::YesNo(YesNo::No)),
            None,
            Some(seen.revision),
        )
        .unwrap();
    assert_eq!(second.revision, 2);
    // Alice's screen still says revision 1: her write is refused, nothing lost.
    let err = alice
        .set_answer(&a.id, "q1", None, None, Some(1))
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { ref current, .. } if current.revision == 2));
    // A base revision on a question never answered is a conflict too (revision 0).
    let err = alice
        .set_answer(&a.id, "q9", yes(), None, Some(3))
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { ref current, .. } if current.revision == 0));

    // Clearing keeps the row (and the note) and bumps the revision.
    let cleared = alice
        .set_answer(&a.id, "q1", None, Some("to ask again".into()), Some(2))
        .unwrap();
    assert_eq!(cleared.revision, 3);
    assert_eq!(cleared.value, None);
    let all = alice.answers(&a.id).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].note.as_deref(), Some("to ask again"));
    assert!(all[0].to_answer().is_none());

    let trail = alice.audit_trail(Some(&a.id)).unwrap();
    let actions: Vec<&str> = trail
        .iter()
        .filter(|e| e.entity == "answer")
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(actions, ["set", "set", "clear"]);
    assert_eq!(trail.last().unwrap().who, "alice");
    assert!(alice.verify().unwrap().is_ok());
}

fn final_assessment_is_frozen(backend: TestBackend) {
    let place = Place::new(backend);
    let (store, a) = fixture_at(&place);
    store.set_answer(&a.id, "q1", yes(), None, None).unwrap();
    store
        .save_evaluation(&a.id, &evaluation(40.0, "partial"))
        .unwrap();
    let listed = store
        .list_assessments(&AssessmentFilter::default())
        .unwrap();
    assert_eq!(listed[0].score, Some(40.0));
    assert_eq!(listed[0].verdict.as_deref(), Some("partial"));

    let done = store
        .finalize(&a.id, &evaluation(75.0, "acceptable"))
        .unwrap();
    assert_eq!(done.status, AssessmentStatus::Final);
    assert_eq!(done.final_evaluation, Some(evaluation(75.0, "acceptable")));
    assert_eq!(done.score, Some(75.0));
    assert_eq!(done.finalized_by.as_deref(), Some("alice"));
    assert_eq!(done.plugin_sha256, a.plugin_sha256);
    // The plugin that scored it is still there.
    assert!(!store.plugin_blob(&a.plugin_sha256).unwrap().is_empty());

    let frozen = |r: Result<_, StoreError>| matches!(r, Err(StoreError::Frozen { .. }));
    assert!(frozen(
        store
            .set_answer(&a.id, "q1", None, None, Some(1))
            .map(|_| ())
    ));
    assert!(frozen(
        store.set_answer(&a.id, "q2", yes(), None, None).map(|_| ())
    ));
    assert!(frozen(
        store
            .set_answers_bulk(&a.id, vec![("q3".into(), yes(), None)], false)
            .map(|_| ())
    ));
    assert!(frozen(store.save_evaluation(&a.id, &evaluation(1.0, "x"))));
    assert!(frozen(
        store.finalize(&a.id, &evaluation(1.0, "x")).map(|_| ())
    ));
    let note = NewEvidence {
        question: None,
        kind: EvidenceKind::Note,
        text: "late".into(),
        file: None,
        effective_date: None,
        expiry_date: None,
    };
    assert!(frozen(store.add_evidence(&a.id, &note).map(|_| ())));
    let err = store
        .set_answer(&a.id, "q1", None, None, Some(1))
        .unwrap_err();
    assert!(err.to_string().contains("final"), "{err}");
    // Follow-up still works after finalisation.
    let item = store
        .add_action_item(
            &a.id,
            &NewActionItem {
                finding_id: "F1".into(),
                title: "Sign a DPA".into(),
                owner: None,
                deadline: None,
            },
        )
        .unwrap();
    assert_eq!(item.status, ActionStatus::Open);
    // Nothing changed.
    let again = store.assessment(&a.id).unwrap();
    assert_eq!(again, done);
    assert_eq!(store.answers(&a.id).unwrap().len(), 1);
    assert!(store.verify().unwrap().is_ok());
}

fn bulk_import_is_all_or_nothing(backend: TestBackend) {
    let place = Place::new(backend);
    let (store, a) = fixture_at(&place);
    let bad = vec![
        ("q1".to_string(), yes(), None),
        (
            "q2".to_string(),
            Some(AnswerValue::Integer(3)),
            Some("n".into()),
        ),
        ("  ".to_string(), yes(), None),
    ];
    assert!(matches!(
        store.set_answers_bulk(&a.id, bad, false),
        Err(StoreError::Invalid(_))
    ));
    assert!(store.answers(&a.id).unwrap().is_empty());
    // Fails inside the transaction (unknown assessment): nothing written either.
    assert!(matches!(
        store.set_answers_bulk("nope", vec![("q1".into(), yes(), None)], false),
        Err(StoreError::NotFound { .. })
    ));

    store
        .set_answer(&a.id, "q1", None, Some("old".into()), None)
        .unwrap();
    let n = store
        .set_answers_bulk(
            &a.id,
            vec![
                ("q1".to_string(), yes(), None),
                (
                    "q2".to_string(),
                    Some(AnswerValue::Text("ok".into())),
                    Some("n".into()),
                ),
            ],
            false,
        )
        .unwrap();
    assert_eq!(n, 2);
    let answers = store.answers(&a.id).unwrap();
    assert_eq!(answers.len(), 2);
    assert_eq!(
        (answers[0].question.as_str(), answers[0].revision),
        ("q1", 2)
    );
    assert_eq!(
        (answers[1].question.as_str(), answers[1].revision),
        ("q2", 1)
    );
    let imports = store
        .audit_trail(Some(&a.id))
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "import")
        .count();
    assert_eq!(imports, 2);
}

fn suppliers_add_update_find(backend: TestBackend) {
    let place = Place::new(backend);
    let store = common::open(&place, "alice");
    let mut fields = SupplierFields::new("  Sécurité   Plus ", Criticality::Critical);
    fields.country = Some("FR".into());
    fields.services = vec!["SOC".into(), " ".into()];
    fields.contacts = vec![Contact {
        name: "Nadia".into(),
        email: Some("nadia@example.org".into()),
        ..Contact::default()
    }];
    let s = store.add_supplier(&fields).unwrap();
    assert_eq!(s.name, "Sécurité Plus");
    assert_eq!(s.services, ["SOC"]);
    assert_eq!(s.contacts[0].name, "Nadia");

    let dup = store
        .add_supplier(&SupplierFields::new("securite plus", Criticality::Low))
        .unwrap_err();
    assert!(
        matches!(dup, StoreError::DuplicateSupplier { ref existing_id, .. } if *existing_id == s.id)
    );

    assert_eq!(store.supplier(&s.id).unwrap(), s);
    assert_eq!(store.supplier("SECURITE plus").unwrap().id, s.id);
    assert_eq!(store.supplier(&s.id[..10]).unwrap().id, s.id);
    assert!(matches!(
        store.supplier("nobody"),
        Err(StoreError::NotFound { .. })
    ));

    let other = store
        .add_supplier(&SupplierFields::new("Hébergeur Nord", Criticality::Medium))
        .unwrap();
    let mut f = s.fields();
    f.criticality = Criticality::High;
    f.sector = Some("security".into());
    let updated = store.update_supplier(&s.id, &f).unwrap();
    assert_eq!(updated.criticality, Criticality::High);
    assert_eq!(updated.created_at, s.created_at);
    // Renaming onto another supplier's name is refused.
    let mut clash = f.clone();
    clash.name = "hebergeur nord".into();
    assert!(matches!(
        store.update_supplier(&s.id, &clash),
        Err(StoreError::DuplicateSupplier { .. })
    ));
    let names: Vec<String> = store
        .list_suppliers()
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["Hébergeur Nord", "Sécurité Plus"]);
    assert_ne!(other.id, s.id);
    let trail = store.audit_trail(None).unwrap();
    let update = trail.iter().find(|e| e.action == "update").unwrap();
    assert!(update.old.as_deref().unwrap().contains("critical"));
    assert!(update.new.as_deref().unwrap().contains("security"));
}

fn assessments_list_page_and_prefix(backend: TestBackend) {
    let place = Place::new(backend);
    let (store, first) = fixture_at(&place);
    let mut ids = vec![first.id.clone()];
    for _ in 0..11 {
        let a = store
            .new_assessment(&NewAssessment {
                supplier_id: first.supplier_id.clone(),
                plugin_sha256: first.plugin_sha256.clone(),
                assessment_date: "2026-04-01".parse().unwrap(),
                language: "en".into(),
                level: Some("essential".into()),
                previous_assessment: None,
            })
            .unwrap();
        ids.push(a.id);
    }
    ids.reverse(); // newest first
    let page1 = store
        .list_assessments(&AssessmentFilter::page(5, 0))
        .unwrap();
    let page3 = store
        .list_assessments(&AssessmentFilter::page(5, 10))
        .unwrap();
    assert_eq!(
        page1.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
        ids[..5]
    );
    assert_eq!(
        page3.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
        ids[10..]
    );
    assert_eq!(page1[0].supplier_name, "Centre d'appels Tunis");
    assert_eq!(page1[0].status, AssessmentStatus::Draft);
    assert_eq!(page1[0].level.as_deref(), Some("essential"));
    assert_eq!(
        store
            .count_assessments(&AssessmentFilter::default())
            .unwrap(),
        12
    );
    let finals = AssessmentFilter {
        status: Some(AssessmentStatus::Final),
        ..AssessmentFilter::default()
    };
    assert!(store.list_assessments(&finals).unwrap().is_empty());

    // Whole id, unique prefix (from the random end: UUIDv7 starts with the time), too short,
    // ambiguous.
    assert_eq!(store.assessment(&ids[3]).unwrap().id, ids[3]);
    assert_eq!(
        store
            .assessment(&ids[3][..ids[3].len() - 1].to_uppercase())
            .unwrap()
            .id,
        ids[3]
    );
    assert_eq!(
        store.assessment(vigie_store::short_id(&ids[3])).unwrap().id,
        ids[3]
    );
    assert!(matches!(
        store.assessment(&ids[3][..5]),
        Err(StoreError::PrefixTooShort { min: 6, .. })
    ));
    let common = &ids[0][..6];
    if ids.iter().filter(|id| id.starts_with(common)).count() > 1 {
        let err = store.assessment(common).unwrap_err();
        assert!(
            matches!(err, StoreError::Ambiguous { ref candidates, .. } if candidates.len() > 1)
        );
        assert!(err.to_string().contains("several"), "{err}");
    }
    assert!(matches!(
        store.assessment("ffffffff-ffff"),
        Err(StoreError::NotFound { .. })
    ));
}

fn reassessment_prefills_answers_to_confirm(backend: TestBackend) {
    let place = Place::new(backend);
    let (store, a) = fixture_at(&place);
    store
        .set_answer(&a.id, "q1", yes(), Some("seen".into()), None)
        .unwrap();
    store
        .set_answer(
            &a.id,
            "q1",
            Some(AnswerValue::YesNo(YesNo::No)),
            None,
            Some(1),
        )
        .unwrap();
    store
        .set_answer(&a.id, "q2", None, Some("only a note".into()), None)
        .unwrap();
    store.finalize(&a.id, &evaluation(50.0, "weak")).unwrap();

    let again = store
        .new_assessment(&NewAssessment {
            supplier_id: a.supplier_id.clone(),
            plugin_sha256: a.plugin_sha256.clone(),
            assessment_date: "2027-03-01".parse().unwrap(),
            language: "fr".into(),
            level: None,
            previous_assessment: Some(a.id.clone()),
        })
        .unwrap();
    assert_eq!(again.previous_assessment.as_deref(), Some(a.id.as_str()));
    let answers = store.answers(&again.id).unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].value, Some(AnswerValue::YesNo(YesNo::No)));
    assert!(answers[0].to_confirm);
    assert_eq!(answers[0].revision, 1);
    let confirmed = store
        .set_answer(&again.id, "q1", answers[0].value.clone(), None, Some(1))
        .unwrap();
    assert!(!confirmed.to_confirm);
    assert_eq!(confirmed.revision, 2);

    let other = store
        .add_supplier(&SupplierFields::new("Other", Criticality::Low))
        .unwrap();
    let wrong = store.new_assessment(&NewAssessment {
        supplier_id: other.id,
        plugin_sha256: a.plugin_sha256.clone(),
        assessment_date: "2027-03-01".parse().unwrap(),
        language: "fr".into(),
        level: None,
        previous_assessment: Some(a.id.clone()),
    });
    assert!(matches!(wrong, Err(StoreError::Invalid(_))));
    let no_plugin = store.new_assessment(&NewAssessment {
        supplier_id: a.supplier_id.clone(),
        plugin_sha256: "0".repeat(64),
        assessment_date: "2027-03-01".parse().unwrap(),
        language: "fr".into(),
        level: None,
        previous_assessment: None,
    });
    assert!(matches!(
        no_plugin,
        Err(StoreError::NotFound {
            kind: "stored plugin",
            ..
        })
    ));
}

fn evidence_and_action_items(backend: TestBackend) {
    let place = Place::new(backend);
    let (store, a) = fixture_at(&place);
    let file = NewEvidence {
        question: Some("q-iso".into()),
        kind: EvidenceKind::File,
        text: "ISO 27001 certificate".into(),
        file: Some(EvidenceFile {
            sha256: "ab".repeat(32),
            size: 12_345,
            path: "certs/iso.pdf".into(),
        }),
        effective_date: Some("2025-01-10".parse().unwrap()),
        expiry_date: Some("2028-01-09".parse().unwrap()),
    };
    let e1 = store.add_evidence(&a.id, &file).unwrap();
    let link = NewEvidence {
        question: None,
        kind: EvidenceKind::Link,
        text: "https://trust.example.org".into(),
        file: None,
        effective_date: None,
        expiry_date: None,
    };
    let e2 = store.add_evidence(&a.id, &link).unwrap();
    assert_eq!(store.list_evidence(&a.id, None).unwrap(), [e1.clone(), e2]);
    assert_eq!(store.list_evidence(&a.id, Some("q-iso")).unwrap(), [e1]);

    let mut missing_file = file.clone();
    missing_file.file = None;
    assert!(matches!(
        store.add_evidence(&a.id, &missing_file),
        Err(StoreError::Invalid(_))
    ));
    let mut backwards = file.clone();
    backwards.expiry_date = Some("2020-01-01".parse().unwrap());
    assert!(matches!(
        store.add_evidence(&a.id, &backwards),
        Err(StoreError::Invalid(_))
    ));
    let mut note_with_file = file.clone();
    note_with_file.kind = EvidenceKind::Note;
    assert!(matches!(
        store.add_evidence(&a.id, &note_with_file),
        Err(StoreError::Invalid(_))
    ));

    let item = store
        .add_action_item(
            &a.id,
            &NewActionItem {
                finding_id: "F-mfa".into(),
                title: "Enable MFA on admin accounts".into(),
                owner: Some("supplier CISO".into()),
                deadline: Some("2026-06-30".parse().unwrap()),
            },
        )
        .unwrap();
    let updated = store
        .update_action_item(
            &item.id,
            &ActionItemUpdate {
                status: Some(ActionStatus::InProgress),
                owner: Some(None),
                ..ActionItemUpdate::default()
            },
        )
        .unwrap();
    assert_eq!(updated.status, ActionStatus::InProgress);
    assert_eq!(updated.owner, None);
    assert_eq!(updated.deadline, item.deadline);
    assert_eq!(updated.title, item.title);
    assert_eq!(store.list_action_items(&a.id).unwrap(), [updated]);
    assert!(matches!(
        store.update_action_item("nope", &ActionItemUpdate::default()),
        Err(StoreError::NotFound { .. })
    ));
    let trail = store.audit_trail(Some(&a.id)).unwrap();
    let entities: Vec<&str> = trail.iter().map(|e| e.entity.as_str()).collect();
    assert_eq!(
        entities,
        [
            "assessment",
            "evidence",
            "evidence",
            "action-item",
            "action-item"
        ]
    );
}

fn plugin_blobs_are_content_addressed(backend: TestBackend) {
    let place = Place::new(backend);
    let store = common::open(&place, "alice");
    let bytes = vec![7u8; 300_000];
    let info = store
        .put_plugin_blob(&bytes, "anssi", "2.0.0", "/tmp/anssi.wasm")
        .unwrap();
    assert_eq!(info.size, 300_000);
    assert_eq!(info.sha256.len(), 64);
    let again = store
        .put_plugin_blob(&bytes, "renamed", "9", "elsewhere")
        .unwrap();
    assert_eq!(again, info);
    store
        .put_plugin_blob(b"other", "anssi", "2.1.0", "x")
        .unwrap();
    assert_eq!(store.plugin_blob(&info.sha256).unwrap(), bytes);
    assert_eq!(store.plugin_blob(&info.sha256[..12]).unwrap(), bytes);
    assert_eq!(store.plugin_blob_info(&info.sha256).unwrap(), info);
    let list = store.list_plugin_blobs().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|p| p.plugin_id == "anssi"));
    assert!(matches!(
        store.plugin_blob(&"0".repeat(64)),
        Err(StoreError::NotFound { .. })
    ));
    let adds = store
        .audit_trail(None)
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "plugin")
        .count();
    assert_eq!(adds, 2);
}

#[test]
fn backup_copies_a_verifiable_database() {
    let dir = tempfile::tempdir().unwrap();
    let (store, a) = fixture(&dir.path().join("v.db"));
    for i in 0..50 {
        store
            .set_answer(&a.id, &format!("q{i}"), yes(), None, None)
            .unwrap();
    }
    let dest = dir.path().join("backups/2026/v-copy.db");
    store.backup(&dest).unwrap();
    // Refuses to overwrite.
    assert!(matches!(store.backup(&dest), Err(StoreError::Io { .. })));
    let copy = Store::open(&dest, "carol").unwrap();
    assert_eq!(copy.answers(&a.id).unwrap(), store.answers(&a.id).unwrap());
    assert_eq!(
        copy.audit_trail(None).unwrap(),
        store.audit_trail(None).unwrap()
    );
    assert!(copy.verify().unwrap().is_ok());
    // The copy carries on independently.
    copy.set_answer(&a.id, "q0", None, None, Some(1)).unwrap();
    assert_eq!(store.answer(&a.id, "q0").unwrap().unwrap().revision, 1);
}

fn unknown_ids_are_not_found(backend: TestBackend) {
    let place = Place::new(backend);
    let (store, _) = fixture_at(&place);
    assert!(matches!(
        store.answers("x"),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.set_answer("missing", "q1", yes(), None, None),
        Err(StoreError::NotFound {
            kind: "assessment",
            ..
        })
    ));
    assert!(matches!(
        store.list_evidence("missing", None),
        Err(StoreError::NotFound { .. })
    ));
    if backend == TestBackend::Sqlite {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Store::open(dir.path().join("w.db"), "  "),
            Err(StoreError::Invalid(_))
        ));
    }
}

/// A batch (an answers file) never silently replaces another auditor's
/// answer: the whole batch is refused with both values, unless the caller
/// says to replace them; answers it leaves as they are, or the auditor's own,
/// go through.
fn a_batch_that_would_change_another_auditors_answer_is_a_conflict(backend: TestBackend) {
    let path = Place::new(backend);
    let (alice, a) = fixture_at(&path);
    alice
        .set_answer(&a.id, "q1", yes(), Some("seen the policy".into()), None)
        .unwrap();
    let bob = common::open(&path, "bob");
    let no = Some(AnswerValue::YesNo(YesNo::No));
    let err = bob
        .set_answers_bulk(
            &a.id,
            vec![("q2".into(), yes(), None), ("q1".into(), no.clone(), None)],
            false,
        )
        .unwrap_err();
    let StoreError::Conflict {
        question, current, ..
    } = &err
    else {
        panic!("expected a conflict, got {err:?}");
    };
    assert_eq!(question, "q1");
    assert_eq!(current.updated_by, "alice");
    let message = err.to_string();
    assert!(
        message.contains("\"no\"") && message.contains("\"yes\""),
        "{message}"
    );
    assert_eq!(
        bob.answers(&a.id).unwrap().len(),
        1,
        "nothing of the batch was written"
    );

    // Alice's answer unchanged (value and note): no conflict.
    let same = vec![
        ("q1".into(), yes(), Some("seen the policy".into())),
        ("q2".into(), yes(), None),
    ];
    assert_eq!(bob.set_answers_bulk(&a.id, same, false).unwrap(), 2);
    // Replacing knowingly.
    bob.set_answers_bulk(&a.id, vec![("q1".into(), no.clone(), None)], true)
        .unwrap();
    let q1 = bob.answer(&a.id, "q1").unwrap().unwrap();
    assert_eq!((q1.value, q1.updated_by.as_str()), (no, "bob"));
}

/// A row written by another program with a timestamp, date or status its column cannot
/// hold is a typed error naming the table and the column, never a panic; the row is left as
/// it is.
#[test]
fn a_malformed_row_from_another_program_names_its_table_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let (store, a) = fixture(&path);
    store.set_answer(&a.id, "q1", yes(), None, None).unwrap();
    let cases = [
        ("suppliers", "updated_at", "'yesterday'"),
        ("assessments", "created_at", "'2026-13-45T99:00:00Z'"),
        ("answers", "updated_at", "'\u{1b}[2J'"),
        ("assessments", "finalized_at", "'soon'"),
    ];
    for (table, column, value) in cases {
        let other = rusqlite::Connection::open(&path).unwrap();
        let saved: String = other
            .query_row(&format!("SELECT quote({column}) FROM {table}"), [], |r| {
                r.get(0)
            })
            .unwrap();
        other
            .execute(&format!("UPDATE {table} SET {column} = {value}"), [])
            .unwrap();
        let outcomes = [
            store.supplier(&a.supplier_id).map(|_| ()),
            store.assessment(&a.id).map(|_| ()),
            store.answers(&a.id).map(|_| ()),
        ];
        let err = outcomes
            .into_iter()
            .find_map(Result::err)
            .unwrap_or_else(|| panic!("{table}.{column} = {value} was read without error"));
        match &err {
            StoreError::BadColumn {
                table: t,
                column: c,
                ..
            } => assert_eq!((*t, *c), (table, column), "{err}"),
            other => panic!("expected a bad column, got {other:?}"),
        }
        let message = err.to_string();
        assert!(message.contains(&format!("{table}.{column}")), "{message}");
        assert!(!message.contains('\u{1b}'), "{message}");
        other
            .execute(&format!("UPDATE {table} SET {column} = {saved}"), [])
            .unwrap();
    }
    store.assessment(&a.id).unwrap();
}

/// The live refresh's signal: a colleague's commit moves the number, one's own does not,
/// and nothing moves it when nobody writes (SQLite's data_version; PostgreSQL's
/// notifications).
fn data_version_moves_with_colleagues_commits_only(backend: TestBackend) {
    let place = Place::new(backend);
    let (alice, a) = fixture_at(&place);
    let bob = common::open(&place, "bob");
    let seen_by_bob = bob.data_version().unwrap();
    let seen_by_alice = alice.data_version().unwrap();
    assert_eq!(bob.data_version().unwrap(), seen_by_bob, "nobody wrote");

    bob.set_answer(&a.id, "q1", yes(), None, None).unwrap();
    assert_eq!(bob.data_version().unwrap(), seen_by_bob, "bob's own write");
    let mut moved = alice.data_version().unwrap();
    // The announcement travels through the server: give it a moment.
    for _ in 0..100 {
        if moved != seen_by_alice {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        moved = alice.data_version().unwrap();
    }
    assert_ne!(moved, seen_by_alice, "alice sees bob's commit");
    assert_eq!(alice.data_version().unwrap(), moved, "and only once");

    // A write that fails (a conflict) commits nothing and announces nothing.
    let err = alice.set_answer(&a.id, "q1", Some(AnswerValue::YesNo(YesNo::No)), None, None);
    assert!(matches!(err, Err(StoreError::Conflict { .. })), "{err:?}");
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(bob.data_version().unwrap(), seen_by_bob);
}

/// Issue 17: a PostgreSQL connection the server drops (a restart, an administrator, a
/// network cut) is made again for the next operation: the auditor's next answer is saved,
/// nothing saved before is lost, and the live refresh is told to look again.
#[test]
fn a_dropped_postgresql_connection_is_made_again() {
    let place = Place::new(TestBackend::Postgres);
    let (alice, a) = fixture_at(&place);
    alice.set_answer(&a.id, "q1", yes(), None, None).unwrap();
    let seen = alice.data_version().unwrap();
    let url = place.as_auditor("alice");
    let database = vigie_pgtest::database_name(url.to_str().unwrap()).unwrap();
    let killed = vigie_pgtest::shared()
        .run_sql(
            &database,
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE usename = 'alice' AND datname = current_database()",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(killed.trim(), "1", "alice's session was ended");

    let second = alice
        .set_answer(&a.id, "q2", Some(AnswerValue::YesNo(YesNo::No)), None, None)
        .unwrap();
    assert_eq!(second.revision, 1);
    assert_ne!(
        alice.data_version().unwrap(),
        seen,
        "look again after a reconnection"
    );
    let answers = alice.answers(&a.id).unwrap();
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(alice.verify().unwrap().is_ok());
}

/// docs/sharing.md's set-up, run as written: the owner creates the schema, an auditor of
/// the granted group conducts an interview, and can neither rewrite the trail nor switch its
/// guards off.
#[test]
fn an_auditor_with_the_documented_grants_works_and_cannot_touch_the_trail() {
    let server = vigie_pgtest::shared();
    let sql = |database: &str, text: &str| server.run_sql(database, text);
    sql("postgres", "CREATE ROLE doc_owner LOGIN").unwrap_or_else(|e| panic!("{e}"));
    sql("postgres", "CREATE DATABASE doc_vigie OWNER doc_owner").unwrap_or_else(|e| panic!("{e}"));
    let owner = Store::open(server.url_as("doc_owner", None, "doc_vigie"), "doc_owner").unwrap();
    owner.verify().unwrap();
    drop(owner);
    sql(
        "doc_vigie",
        "CREATE ROLE doc_auditors NOLOGIN; \
         GRANT CONNECT ON DATABASE doc_vigie TO doc_auditors; \
         GRANT USAGE ON SCHEMA public TO doc_auditors; \
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO doc_auditors; \
         REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM doc_auditors; \
         CREATE ROLE doc_dana LOGIN IN ROLE doc_auditors;",
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let url = server.url_as("doc_dana", None, "doc_vigie");
    let (dana, a) = common::fixture_as(&url, "doc_dana");
    dana.set_answer(&a.id, "q1", yes(), Some("vu".into()), None)
        .unwrap();
    dana.add_evidence(
        &a.id,
        &NewEvidence {
            question: Some("q1".into()),
            kind: EvidenceKind::Note,
            text: "contrat".into(),
            file: None,
            effective_date: None,
            expiry_date: None,
        },
    )
    .unwrap();
    dana.finalize(&a.id, &evaluation(80.0, "compliant"))
        .unwrap();
    let report = dana.verify().unwrap();
    assert!(report.is_ok(), "{report}");
    assert!(
        dana.audit_trail(None)
            .unwrap()
            .iter()
            .all(|e| e.who == "doc_owner" || e.who == "doc_dana")
    );

    for attack in [
        "UPDATE audit_log SET who = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
        "DROP TRIGGER audit_log_no_delete ON audit_log",
    ] {
        let err = sql("doc_vigie", &format!("SET ROLE doc_dana; {attack}"))
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("permission denied") || err.contains("must be owner"),
            "{attack}: {err}"
        );
    }
}

on_both_backends!(
    data_version_moves_with_colleagues_commits_only,
    stale_write_is_a_conflict_showing_both_values,
    final_assessment_is_frozen,
    bulk_import_is_all_or_nothing,
    suppliers_add_update_find,
    assessments_list_page_and_prefix,
    reassessment_prefills_answers_to_confirm,
    evidence_and_action_items,
    plugin_blobs_are_content_addressed,
    unknown_ids_are_not_found,
    a_batch_that_would_change_another_auditors_answer_is_a_conflict,
);
