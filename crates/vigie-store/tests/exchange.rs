//! Exchange files: export → import into another database → export gives the same bytes;
//! importing twice changes nothing; a conflicting or tampered file is refused and changes
//! nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use common::{Places, TestBackend, evaluation};
use vigie_model::{AnswerValue, YesNo};
use vigie_store::{
    Criticality, EvidenceKind, ExchangeError, ExchangeFile, ImportOutcome, NewAssessment,
    NewEvidence, Store, SupplierFields,
};

fn yes() -> Option<AnswerValue> {
    Some(AnswerValue::YesNo(YesNo::Yes))
}

fn export(store: &Store, id: &str) -> String {
    store.export_assessment(id).unwrap().to_json().unwrap()
}

fn import(store: &Store, text: &str) -> Result<vigie_store::ImportReport, ExchangeError> {
    store.import_assessment(&ExchangeFile::from_json(text)?)
}

fn export_import_export_gives_the_same_file(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = common::populated_draft(&places.path("a.db"));
    let first = export(&alice, &a.id);
    assert!(first.contains("\"format\": \"vigie-assessment-exchange\""));
    assert!(first.contains("\"version\": 3"));

    let bob = places.open("b.db", "bob");
    let report = import(&bob, &first).unwrap();
    assert_eq!(report.outcome, ImportOutcome::Created);
    assert!(report.supplier_added && report.plugin_added);
    assert_eq!(
        (report.answers, report.evidence, report.action_items),
        (3, 2, 1)
    );
    let second = export(&bob, &a.id);
    assert_eq!(
        first, second,
        "the file changed on its way through another database"
    );

    // Nothing lost: the same rows, ids and timestamps.
    assert_eq!(bob.answers(&a.id).unwrap(), alice.answers(&a.id).unwrap());
    assert_eq!(
        bob.list_evidence(&a.id, None).unwrap(),
        alice.list_evidence(&a.id, None).unwrap()
    );
    assert_eq!(
        bob.list_action_items(&a.id).unwrap(),
        alice.list_action_items(&a.id).unwrap()
    );
    assert_eq!(
        bob.plugin_blob(&a.plugin_sha256).unwrap(),
        alice.plugin_blob(&a.plugin_sha256).unwrap()
    );
    assert!(bob.verify().unwrap().is_ok());

    // And once more through a third database.
    let carol = places.open("c.db", "carol");
    import(&carol, &second).unwrap();
    assert_eq!(export(&carol, &a.id), first);
    assert!(carol.verify().unwrap().is_ok());
}

fn a_final_assessment_travels_too(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = common::populated_draft(&places.path("a.db"));
    alice
        .finalize(&a.id, &evaluation(62.5, "in-progress"))
        .unwrap();
    let first = export(&alice, &a.id);
    let bob = places.open("b.db", "bob");
    import(&bob, &first).unwrap();
    assert_eq!(export(&bob, &a.id), first);
    let there = bob.assessment(&a.id).unwrap();
    assert_eq!(
        there.final_evaluation,
        alice.assessment(&a.id).unwrap().final_evaluation
    );
    assert_eq!(there.score, Some(62.5));
    assert!(matches!(
        bob.set_answer(&a.id, "q9", yes(), None, None),
        Err(vigie_store::StoreError::Frozen { .. })
    ));
}

/// What a client reads (the frozen score and verdict) and who answers for
/// the assessment are checked against the audit rows that recorded them.
fn an_edited_final_result_or_auditor_is_refused(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = common::populated_draft(&places.path("a.db"));
    alice
        .finalize(&a.id, &evaluation(62.5, "in-progress"))
        .unwrap();
    let text = export(&alice, &a.id);
    refused(
        &places,
        &text,
        |v| v["assessment"]["final_evaluation"]["score"] = serde_json::json!(100.0),
        "is not the one its finalize row",
    );
    refused(
        &places,
        &text,
        |v| v["assessment"]["final_evaluation"]["verdict"]["id"] = serde_json::json!("compliant"),
        "is not the one its finalize row",
    );
    refused(
        &places,
        &text,
        |v| v["assessment"]["finalized_by"] = serde_json::json!("mallory"),
        "who finalized assessment",
    );
    refused(
        &places,
        &text,
        |v| v["assessment"]["auditor"] = serde_json::json!("mallory"),
        "the assessment's auditor is not the one recorded",
    );
    refused(
        &places,
        &text,
        |v| v["assessment"]["language"] = serde_json::json!("en"),
        "the assessment's language is not the one recorded",
    );
    refused(
        &places,
        &text,
        |v| v["assessment"]["created_at"] = serde_json::json!("2020-01-01T00:00:00Z"),
        "is not the time of its creation row",
    );
}

/// A file written before supplier rows were carried (version 1) still
/// imports, and the next export from there round-trips.
fn a_version_1_file_still_imports(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = common::populated_draft(&places.path("a.db"));
    let mut value: serde_json::Value = serde_json::from_str(&export(&alice, &a.id)).unwrap();
    value["version"] = serde_json::json!(1);
    value.as_object_mut().unwrap().remove("supplier_trail");
    let old = serde_json::to_string_pretty(&value).unwrap();
    let bob = places.open("b.db", "bob");
    let report = import(&bob, &old).unwrap();
    assert_eq!(report.outcome, ImportOutcome::Created);
    let again = export(&bob, &a.id);
    let carol = places.open("c.db", "carol");
    import(&carol, &again).unwrap();
    assert_eq!(export(&carol, &a.id), again);
}

fn importing_the_same_file_twice_changes_nothing(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = common::populated_draft(&places.path("a.db"));
    let file = export(&alice, &a.id);
    let bob = places.open("b.db", "bob");
    import(&bob, &file).unwrap();
    let before = places.dump("b.db");
    let again = import(&bob, &file).unwrap();
    assert_eq!(again.outcome, ImportOutcome::Unchanged);
    assert_eq!(places.dump("b.db"), before);
    // Importing into the database it came from changes nothing either.
    let a_before = places.dump("a.db");
    assert_eq!(
        import(&alice, &file).unwrap().outcome,
        ImportOutcome::Unchanged
    );
    assert_eq!(places.dump("a.db"), a_before);
}

fn a_file_that_continues_the_local_history_brings_it_up_to_date(backend: TestBackend) {
    let places = Places::new(backend);
    let (office, a) = common::populated_draft(&places.path("office.db"));
    let laptop = places.open("laptop.db", "bob");
    let old = export(&office, &a.id);
    import(&laptop, &old).unwrap();

    // Offline at the supplier's site.
    laptop
        .set_answer(&a.id, "q1", yes(), Some("seen on site".into()), Some(2))
        .unwrap();
    laptop.set_answer(&a.id, "q4", yes(), None, None).unwrap();
    laptop
        .add_evidence(
            &a.id,
            &NewEvidence {
                question: Some("q4".into()),
                kind: EvidenceKind::Link,
                text: "https://example.invalid/policy".into(),
                file: None,
                effective_date: None,
                expiry_date: None,
            },
        )
        .unwrap();
    let back = export(&laptop, &a.id);

    let report = import(&office, &back).unwrap();
    assert_eq!(report.outcome, ImportOutcome::Updated);
    assert_eq!((report.answers, report.evidence), (2, 1));
    assert_eq!(export(&office, &a.id), back);
    assert!(office.verify().unwrap().is_ok());
    let q1 = office.answer(&a.id, "q1").unwrap().unwrap();
    assert_eq!((q1.revision, q1.updated_by.as_str()), (3, "bob"));

    // The old file is behind: importing it changes nothing.
    let before = places.dump("office.db");
    assert_eq!(
        import(&office, &old).unwrap().outcome,
        ImportOutcome::AlreadyNewer
    );
    assert_eq!(places.dump("office.db"), before);
}

fn a_conflicting_import_is_refused_and_changes_nothing(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = common::populated_draft(&places.path("a.db"));
    let bob = places.open("b.db", "bob");
    import(&bob, &export(&alice, &a.id)).unwrap();

    // Both change the same answer, each in their own database.
    alice
        .set_answer(
            &a.id,
            "q1",
            Some(AnswerValue::YesNo(YesNo::No)),
            None,
            Some(2),
        )
        .unwrap();
    bob.set_answer(&a.id, "q1", yes(), None, Some(2)).unwrap();

    let before = places.dump("b.db");
    let err = import(&bob, &export(&alice, &a.id)).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, ExchangeError::Conflict { .. }), "{message}");
    assert!(message.contains("nothing was imported"), "{message}");
    assert!(message.contains("q1"), "{message}");
    assert_eq!(places.dump("b.db"), before);
}

fn a_supplier_changed_here_or_a_namesake_is_a_conflict(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = common::populated_draft(&places.path("a.db"));
    let file = export(&alice, &a.id);

    // Another supplier with the same name, created independently.
    let bob = places.open("b.db", "bob");
    bob.add_supplier(&SupplierFields::new(
        "centre d'appels  TUNIS",
        Criticality::Low,
    ))
    .unwrap();
    let before = places.dump("b.db");
    let err = import(&bob, &file).unwrap_err();
    assert!(err.to_string().contains("another supplier named"), "{err}");
    assert_eq!(places.dump("b.db"), before);

    // The same supplier, changed here after the export.
    let carol = places.open("c.db", "carol");
    import(&carol, &file).unwrap();
    let mut fields = carol.supplier(&a.supplier_id).unwrap().fields();
    fields.country = Some("TN".into());
    carol.update_supplier(&a.supplier_id, &fields).unwrap();
    // The same file again has nothing new: the supplier's change here does not matter.
    assert_eq!(
        import(&carol, &file).unwrap().outcome,
        ImportOutcome::Unchanged
    );
    alice.set_answer(&a.id, "q9", yes(), None, None).unwrap();
    let before = places.dump("c.db");
    let err = import(&carol, &export(&alice, &a.id)).unwrap_err();
    assert!(matches!(err, ExchangeError::Conflict { .. }));
    assert!(err.to_string().contains("country"), "{err}");
    assert_eq!(places.dump("c.db"), before);
}

fn a_reassessment_needs_its_previous_assessment(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = common::populated_draft(&places.path("a.db"));
    let again = alice
        .new_assessment(&NewAssessment {
            supplier_id: a.supplier_id.clone(),
            plugin_sha256: a.plugin_sha256.clone(),
            assessment_date: "2027-03-01".parse().unwrap(),
            language: "fr".into(),
            level: None,
            previous_assessment: Some(a.id.clone()),
        })
        .unwrap();
    let bob = places.open("b.db", "bob");
    let second = export(&alice, &again.id);
    let err = import(&bob, &second).unwrap_err();
    assert!(
        matches!(err, ExchangeError::MissingPrevious { .. }),
        "{err}"
    );
    import(&bob, &export(&alice, &a.id)).unwrap();
    import(&bob, &second).unwrap();
    assert_eq!(export(&bob, &again.id), second);
    assert!(bob.answers(&again.id).unwrap().iter().all(|x| x.to_confirm));
}

/// Applies `edit` to the file's JSON and expects the import to be refused with `kind`.
fn refused(places: &Places, text: &str, edit: impl FnOnce(&mut serde_json::Value), expect: &str) {
    let bob = places.open("refused.db", "bob");
    let before = places.dump("refused.db");
    let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
    edit(&mut value);
    let edited = serde_json::to_string_pretty(&value).unwrap();
    let err = import(&bob, &edited).unwrap_err();
    assert!(
        err.to_string().contains(expect),
        "expected `{expect}`, got: {err}"
    );
    assert_eq!(
        places.dump("refused.db"),
        before,
        "a refused import changed the database"
    );
}

fn a_tampered_or_malformed_file_is_refused_and_changes_nothing(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = common::populated_draft(&places.path("a.db"));
    let text = export(&alice, &a.id);

    // An answer changed without its audit trail.
    refused(
        &places,
        &text,
        |v| v["answers"][0]["value"] = serde_json::json!({"type": "yes-no", "value": "yes"}),
        "is not what its last audit row",
    );
    // A note changed.
    refused(
        &places,
        &text,
        |v| v["answers"][0]["note"] = serde_json::json!("edited"),
        "altered or damaged",
    );
    // An answer removed.
    refused(
        &places,
        &text,
        |v| {
            v["answers"].as_array_mut().unwrap().remove(1);
        },
        "which the file does not carry",
    );
    // The plugin bytes replaced.
    refused(
        &places,
        &text,
        |v| v["plugin"]["bytes_base64"] = serde_json::json!("AAAA"),
        "the plugin bytes have sha256",
    );
    // An audit row rewritten.
    refused(
        &places,
        &text,
        |v| v["audit_trail"][1]["who"] = serde_json::json!("mallory"),
        "does not match its hash",
    );
    // An audit row removed: the data no longer agrees with the trail.
    refused(
        &places,
        &text,
        |v| {
            let rows = v["audit_trail"].as_array_mut().unwrap();
            let last = rows.len() - 1;
            rows.remove(last);
        },
        "altered or damaged",
    );
    // The supplier's details changed without its audit trail.
    refused(
        &places,
        &text,
        |v| v["supplier"]["name"] = serde_json::json!("Centre fictif"),
        "is not what its last audit row",
    );
    refused(
        &places,
        &text,
        |v| v["supplier_trail"] = serde_json::json!([]),
        "carries no audit row for supplier",
    );
    refused(
        &places,
        &text,
        |v| v["supplier_trail"][0]["who"] = serde_json::json!("mallory"),
        "does not match its hash",
    );
    // A supplier swapped.
    refused(
        &places,
        &text,
        |v| v["supplier"]["id"] = serde_json::json!("0190aaaa-0000-7000-8000-000000000000"),
        "the file carries supplier",
    );
    refused(
        &places,
        &text,
        |v| v["version"] = serde_json::json!(99),
        "update Vigie",
    );
    refused(
        &places,
        &text,
        |v| v["format"] = serde_json::json!("other"),
        "not `vigie-assessment-exchange`",
    );
    refused(
        &places,
        &text,
        |v| {
            v.as_object_mut().unwrap().remove("answers");
        },
        "missing field `answers`",
    );
    refused(
        &places,
        &text,
        |v| v["surprise"] = serde_json::json!(1),
        "unknown field",
    );

    let bob = places.open("b.db", "bob");
    let err = import(&bob, &text[..text.len() / 2]).unwrap_err();
    assert!(matches!(err, ExchangeError::Malformed(_)), "{err}");
    assert!(err.to_string().contains("not JSON"), "{err}");
}

/// The plan of an import reads only: it lists what the import would add, the database is
/// unchanged, and the import then does what the plan said.
fn a_plan_lists_what_an_import_would_write_and_writes_nothing(backend: TestBackend) {
    let places = Places::new(backend);
    let (office, a) = common::populated_draft(&places.path("office.db"));
    let laptop = places.open("laptop.db", "bob");
    let file = ExchangeFile::from_json(&export(&office, &a.id)).unwrap();

    let before = places.dump("laptop.db");
    let plan = laptop.plan_import(&file).unwrap();
    assert_eq!(
        places.dump("laptop.db"),
        before,
        "planning wrote to the database"
    );
    assert_eq!(plan.outcome, ImportOutcome::Created);
    assert!(plan.writes_anything() && plan.add_plugin && plan.add_supplier);
    assert_eq!(plan.answers, ["q1", "q2", "q3"]);
    let evidence: Vec<_> = file.evidence.iter().map(|x| x.id.clone()).collect();
    assert_eq!(plan.evidence, evidence);
    let actions: Vec<_> = file.action_items.iter().map(|x| x.id.clone()).collect();
    assert_eq!(plan.action_items, actions);
    assert_eq!(plan.audit_rows, file.audit_trail.len());
    assert!(!plan.finalize);

    let report = laptop.import_assessment(&file).unwrap();
    assert_eq!(
        (
            report.outcome,
            report.supplier_added,
            report.plugin_added,
            report.answers,
            report.evidence,
            report.action_items,
            report.audit_rows
        ),
        (
            plan.outcome,
            plan.add_supplier,
            plan.add_plugin,
            plan.answers.len(),
            plan.evidence.len(),
            plan.action_items.len(),
            plan.audit_rows
        )
    );
    let again = laptop.plan_import(&file).unwrap();
    assert_eq!(again.outcome, ImportOutcome::Unchanged);
    assert!(!again.writes_anything());
}

/// A file that continues the local history: the plan names exactly the rows changed
/// elsewhere, and only the new audit rows.
fn a_plan_names_the_rows_an_update_would_change(backend: TestBackend) {
    let places = Places::new(backend);
    let office_path = places.path("office.db");
    let (office, a) = common::populated_draft(&office_path);
    let laptop = places.open("laptop.db", "bob");
    let old = ExchangeFile::from_json(&export(&office, &a.id)).unwrap();
    laptop.import_assessment(&old).unwrap();

    laptop
        .set_answer(&a.id, "q1", yes(), Some("seen on site".into()), Some(2))
        .unwrap();
    laptop.set_answer(&a.id, "q4", yes(), None, None).unwrap();
    let link = laptop
        .add_evidence(
            &a.id,
            &NewEvidence {
                question: Some("q4".into()),
                kind: EvidenceKind::Link,
                text: "https://example.invalid/policy".into(),
                file: None,
                effective_date: None,
                expiry_date: None,
            },
        )
        .unwrap();
    let back = ExchangeFile::from_json(&export(&laptop, &a.id)).unwrap();

    let before = places.dump("office.db");
    let plan = office.plan_import(&back).unwrap();
    assert_eq!(
        places.dump("office.db"),
        before,
        "planning wrote to the database"
    );
    assert_eq!(plan.outcome, ImportOutcome::Updated);
    assert!(!plan.add_plugin && !plan.add_supplier);
    assert_eq!(plan.answers, ["q1", "q4"]);
    assert_eq!(plan.evidence, [link.id]);
    assert!(plan.action_items.is_empty());
    assert_eq!(
        plan.audit_rows,
        back.audit_trail.len() - old.audit_trail.len()
    );
}

/// What an import refuses, its plan refuses too, having written nothing: a file that does
/// not agree with itself (even one built without `from_json`'s checks) and a file whose
/// history diverged from the local one.
fn a_plan_on_a_hostile_file_is_refused_and_writes_nothing(backend: TestBackend) {
    let places = Places::new(backend);
    let (alice, a) = common::populated_draft(&places.path("a.db"));
    let bob = places.open("b.db", "bob");
    let text = export(&alice, &a.id);

    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["answers"][0]["note"] = serde_json::json!("edited");
    let tampered: ExchangeFile = serde_json::from_value(value).unwrap();
    let before = places.dump("b.db");
    let err = bob.plan_import(&tampered).unwrap_err();
    assert!(matches!(err, ExchangeError::Tampered(_)), "{err}");
    assert_eq!(places.dump("b.db"), before);

    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["assessment"]["created_at"] = serde_json::json!("last tuesday");
    let err = ExchangeFile::from_json(&serde_json::to_string(&value).unwrap()).unwrap_err();
    assert!(matches!(err, ExchangeError::Malformed(_)), "{err}");
    assert!(err.to_string().contains("last tuesday"), "{err}");

    import(&bob, &text).unwrap();
    alice
        .set_answer(
            &a.id,
            "q1",
            Some(AnswerValue::YesNo(YesNo::No)),
            None,
            Some(2),
        )
        .unwrap();
    bob.set_answer(&a.id, "q1", yes(), None, Some(2)).unwrap();
    let diverged = ExchangeFile::from_json(&export(&alice, &a.id)).unwrap();
    let before = places.dump("b.db");
    let err = bob.plan_import(&diverged).unwrap_err();
    assert!(matches!(err, ExchangeError::Conflict { .. }), "{err}");
    assert_eq!(places.dump("b.db"), before);
}

on_both_backends!(
    export_import_export_gives_the_same_file,
    a_final_assessment_travels_too,
    an_edited_final_result_or_auditor_is_refused,
    a_version_1_file_still_imports,
    importing_the_same_file_twice_changes_nothing,
    a_file_that_continues_the_local_history_brings_it_up_to_date,
    a_conflicting_import_is_refused_and_changes_nothing,
    a_supplier_changed_here_or_a_namesake_is_a_conflict,
    a_reassessment_needs_its_previous_assessment,
    a_tampered_or_malformed_file_is_refused_and_changes_nothing,
    a_plan_lists_what_an_import_would_write_and_writes_nothing,
    a_plan_names_the_rows_an_update_would_change,
    a_plan_on_a_hostile_file_is_refused_and_writes_nothing,
);

/// An export made on either backend imports into the other, and the file comes back byte for
/// byte: SQLite → PostgreSQL → SQLite, and PostgreSQL → SQLite → PostgreSQL.
#[test]
fn an_export_travels_between_backends_byte_for_byte() {
    for (from, via) in [
        (TestBackend::Sqlite, TestBackend::Postgres),
        (TestBackend::Postgres, TestBackend::Sqlite),
    ] {
        let origin = Places::new(from);
        let (alice, a) = common::populated_draft(&origin.path("a.db"));
        alice
            .finalize(&a.id, &evaluation(71.5, "compliant"))
            .unwrap();
        let first = export(&alice, &a.id);

        let other = Places::new(via);
        let bob = other.open("b.db", "bob");
        assert_eq!(
            import(&bob, &first).unwrap().outcome,
            ImportOutcome::Created
        );
        let second = export(&bob, &a.id);
        assert_eq!(first, second, "{from:?} → {via:?}");
        assert!(bob.verify().unwrap().is_ok());

        let back = Places::new(from);
        let carol = back.open("c.db", "carol");
        import(&carol, &second).unwrap();
        assert_eq!(
            export(&carol, &a.id),
            first,
            "{from:?} → {via:?} → {from:?}"
        );
        assert_eq!(carol.answers(&a.id).unwrap(), alice.answers(&a.id).unwrap());
    }
}
