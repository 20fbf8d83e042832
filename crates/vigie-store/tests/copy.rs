//! `db copy`: a populated SQLite store copied to PostgreSQL and back to a new file keeps
//! every row, its audit chain (same hashes) and its exports (same bytes); a target that is
//! not empty, or a source whose chain is broken, is refused and nothing is written.
//!
//! PostgreSQL is a throwaway server (vigie-pgtest); a test fails, never skips, when it
//! cannot start. The role is the server's superuser (`vigie_admin`, the owner of the test
//! databases): the copy needs to create the schema, which any owner may, and nothing more.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use std::path::Path;

use common::{evaluation, fixture};
use vigie_model::{AnswerValue, Finding, Localized, Severity, YesNo};
use vigie_store::{
    AssessmentFilter, Backend, NewAssessment, NewDeclaration, PgTarget, PluginCheck, Store,
    StoreError, SupplierFields, copy_store,
};

fn yes() -> Option<AnswerValue> {
    Some(AnswerValue::YesNo(YesNo::Yes))
}

/// A store with two auditors' work: suppliers, a final assessment with answers, evidence,
/// action items and declarations, a draft continuing it, plugin trust, settings, a changed
/// review cycle. Returns the store (as alice) and the two assessments' ids.
fn populated(path: &Path) -> (Store, String, String) {
    let (store, a) = common::populated_draft(path);
    store
        .import_declarations(
            &a.id,
            "Ana <ana@example.com>",
            &"b".repeat(64),
            &[NewDeclaration {
                question: "q4".into(),
                value: AnswerValue::YesNo(YesNo::No),
                note: Some("selon le fournisseur".into()),
            }],
        )
        .unwrap();
    store
        .save_evaluation(&a.id, &evaluation(40.0, "partial"))
        .unwrap();
    // Findings: the target's triggers rebuild the evaluation cache the portfolio reads.
    let mut finished = evaluation(62.5, "in-progress");
    finished.findings = ["c3-supply-chain", "c7-backups"]
        .iter()
        .zip([Severity::High, Severity::Critical])
        .map(|(id, severity)| Finding {
            id: (*id).to_string(),
            criterion: None,
            severity,
            title: Localized::from_pairs([("en", *id)]),
            recommendation: Localized::default(),
            deadline_days: Some(90),
        })
        .collect();
    store.finalize(&a.id, &finished).unwrap();

    // A second auditor continues it in a draft, on the same file.
    let bob = Store::open(path, "bob").unwrap();
    let supplier = bob
        .add_supplier(&SupplierFields::new(
            "Hébergeur Lyon",
            vigie_store::Criticality::Critical,
        ))
        .unwrap();
    let previous = bob.assessment(&a.id).unwrap();
    let next = bob
        .new_assessment(&NewAssessment {
            supplier_id: previous.supplier_id.clone(),
            plugin_sha256: previous.plugin_sha256.clone(),
            assessment_date: "2026-09-01".parse().unwrap(),
            language: "fr".into(),
            level: None,
            previous_assessment: Some(a.id.clone()),
        })
        .unwrap();
    bob.set_answer(
        &next.id,
        "q1",
        yes(),
        None,
        bob.answer(&next.id, "q1").unwrap().map(|s| s.revision),
    )
    .unwrap();
    bob.new_assessment(&NewAssessment {
        supplier_id: supplier.id,
        plugin_sha256: previous.plugin_sha256.clone(),
        assessment_date: "2026-10-01".parse().unwrap(),
        language: "en".into(),
        level: Some("essential".into()),
        previous_assessment: None,
    })
    .unwrap();
    drop(bob);

    // Plugins and their trust.
    let other = store
        .put_plugin_blob(&[0u8, 1, 2, 255, 254], "custom-quest", "0.3.0", "imported")
        .unwrap();
    store
        .add_trusted_key("0123456789abcdef", "RWQ...", "Alice's key")
        .unwrap();
    store
        .put_plugin_signature(&other.sha256, "0123456789abcdef", "sig")
        .unwrap();
    store.allow_shadow(&other.sha256).unwrap();
    store
        .set_setting(vigie_store::REQUIRE_SIGNED_PLUGINS, "on")
        .unwrap();
    store
        .remember_plugin_check(
            "host-1",
            &PluginCheck {
                sha256: other.sha256.clone(),
                usable: false,
                plugin_id: None,
                version: None,
                name: None,
                reason: Some("not a component".into()),
                checked_at: "2026-12-05T08:00:00.000000Z".into(),
            },
        )
        .unwrap();
    store
        .set_review_cycle(vigie_store::Criticality::High, 6)
        .unwrap();
    (store, a.id.to_string(), next.id.to_string())
}

/// Everything the public API shows of a store, as text: equal views are the same data.
fn view(store: &Store, assessments: &[&str]) -> Vec<String> {
    let mut out = vec![
        format!("{:?}", store.list_suppliers().unwrap()),
        format!(
            "{:?}",
            store
                .list_assessments(&AssessmentFilter::default())
                .unwrap()
        ),
        format!("{:?}", store.list_plugin_blobs().unwrap()),
        format!("{:?}", store.trusted_keys().unwrap()),
        format!("{:?}", store.plugin_signatures().unwrap()),
        format!("{:?}", store.shadow_allowances().unwrap()),
        format!(
            "{:?}",
            store.setting(vigie_store::REQUIRE_SIGNED_PLUGINS).unwrap()
        ),
        format!("{:?}", store.plugin_checks("host-1").unwrap()),
        format!("{:?}", store.review_cycles().unwrap()),
        // The portfolio's rows come unsorted (`sort_rows` orders them for the screen).
        format!("{:?}", {
            let mut rows = store.portfolio("2026-12-05".parse().unwrap(), 30).unwrap();
            rows.sort_by(|a, b| a.supplier_id.cmp(&b.supplier_id));
            rows
        }),
    ];
    for id in assessments {
        out.push(format!("{:?}", store.assessment(id).unwrap()));
        out.push(format!("{:?}", store.answers(id).unwrap()));
        out.push(format!("{:?}", store.list_evidence(id, None).unwrap()));
        out.push(format!("{:?}", store.list_action_items(id).unwrap()));
        out.push(format!("{:?}", store.declarations(id).unwrap()));
    }
    out
}

fn export(store: &Store, id: &str) -> String {
    store.export_assessment(id).unwrap().to_json().unwrap()
}

fn open_pg(url: &str) -> Store {
    Store::open_postgres(&PgTarget::parse(url).unwrap(), None).unwrap()
}

#[test]
fn a_store_copied_to_postgresql_and_back_keeps_every_row_its_chain_and_its_exports() {
    let dir = tempfile::tempdir().unwrap();
    let (source, final_id, draft_id) = populated(&dir.path().join("source.sqlite"));
    let ids = [final_id.as_str(), draft_id.as_str()];
    let source_audit = source.audit_trail(None).unwrap();
    // The portfolio compared below reads the derived tables (findings, summaries).
    let portfolio = source.portfolio("2026-12-05".parse().unwrap(), 30).unwrap();
    assert!(
        portfolio.iter().any(|row| row.open_findings.total() > 0),
        "{portfolio:?}"
    );

    let url = vigie_pgtest::shared().create_database().unwrap();
    let to_pg = copy_store(&source, &url, None).unwrap();
    assert!(to_pg.is_ok(), "{to_pg:?}");
    assert_eq!(to_pg.target_backend, Backend::Postgres);
    assert_eq!(to_pg.audit_rows, source_audit.len() as u64);
    assert_eq!(to_pg.copy_seq, source_audit.len() as i64 + 1);
    assert!(to_pg.hashes_match);
    assert!(!to_pg.target.contains("password"));
    let count = |report: &vigie_store::CopyReport, table: &str| {
        report
            .tables
            .iter()
            .find(|t| t.table == table)
            .map(|t| t.rows)
            .unwrap_or_else(|| panic!("no count for {table}"))
    };
    assert_eq!(count(&to_pg, "assessments"), 3);
    assert_eq!(count(&to_pg, "audit_log"), source_audit.len() as u64);
    assert_eq!(count(&to_pg, "review_cycles"), 4);

    let pg = open_pg(&url);
    let back_path = dir.path().join("back").join("copy.sqlite");
    let to_file = copy_store(&pg, back_path.to_str().unwrap(), Some("carol")).unwrap();
    assert!(to_file.is_ok(), "{to_file:?}");
    assert_eq!(to_file.audit_rows, source_audit.len() as u64 + 1);
    let back = Store::open(&back_path, "carol").unwrap();

    // And from one PostgreSQL database to another.
    let other_url = vigie_pgtest::shared().create_database().unwrap();
    let to_other = copy_store(&pg, &other_url, None).unwrap();
    assert!(to_other.is_ok(), "{to_other:?}");
    let other = open_pg(&other_url);

    for (name, copy) in [
        ("PostgreSQL", &pg),
        ("SQLite again", &back),
        ("PostgreSQL again", &other),
    ] {
        assert_eq!(view(copy, &ids), view(&source, &ids), "{name}");
        let report = copy.verify().unwrap();
        assert!(report.is_ok(), "{name}: {report}");
        for id in ids {
            assert_eq!(
                export(copy, id),
                export(&source, id),
                "{name}: export of {id}"
            );
        }
    }
    assert!(source.verify().unwrap().is_ok());

    // The history is the source's, verbatim, then one row per copy by its copier.
    let pg_audit = pg.audit_trail(None).unwrap();
    let back_audit = back.audit_trail(None).unwrap();
    assert_eq!(pg_audit[..source_audit.len()], source_audit[..]);
    assert_eq!(back_audit[..pg_audit.len()], pg_audit[..]);
    assert_eq!(back_audit.len(), source_audit.len() + 2);
    let copy_row = &pg_audit[source_audit.len()];
    assert_eq!(
        (copy_row.action.as_str(), copy_row.entity.as_str()),
        ("copy", "database")
    );
    assert_eq!(copy_row.who, pg.auditor());
    assert_eq!(back_audit.last().unwrap().who, "carol");
    let record = copy_row.new.as_deref().unwrap_or_default();
    assert!(
        record.contains(to_pg.source_head.as_deref().unwrap()),
        "{record}"
    );
    assert!(record.contains("source.sqlite"), "{record}");
    assert_eq!(
        to_file.source_head.as_deref(),
        Some(to_pg.target_head.as_str())
    );

    // Both copies keep working as stores: the chain goes on from the copy's row.
    back.set_answer(&draft_id, "q2", yes(), None, Some(1))
        .unwrap();
    pg.set_answer(&draft_id, "q2", yes(), None, Some(1))
        .unwrap();
    assert!(back.verify().unwrap().is_ok());
    assert!(pg.verify().unwrap().is_ok());
}

#[test]
fn a_target_that_is_not_empty_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _, _) = populated(&dir.path().join("source.sqlite"));

    // A Vigie file.
    let (other, _) = fixture(&dir.path().join("other.sqlite"));
    let other_path = other.path().to_path_buf();
    let before = other.audit_trail(None).unwrap();
    drop(other);
    let bytes = std::fs::read(&other_path).unwrap();
    let refused = copy_store(&source, other_path.to_str().unwrap(), None);
    assert!(
        matches!(refused, Err(StoreError::CopyTargetNotEmpty { .. })),
        "{refused:?}"
    );
    assert_eq!(std::fs::read(&other_path).unwrap(), bytes);
    assert_eq!(
        Store::open(&other_path, "alice")
            .unwrap()
            .audit_trail(None)
            .unwrap(),
        before
    );

    // The source itself.
    let itself = copy_store(&source, source.path().to_str().unwrap(), None);
    assert!(
        matches!(itself, Err(StoreError::CopyTargetNotEmpty { .. })),
        "{itself:?}"
    );

    // A file that is not a database at all.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database").unwrap();
    let refused = copy_store(&source, text.to_str().unwrap(), None);
    assert!(
        matches!(refused, Err(StoreError::CopyTargetNotEmpty { .. })),
        "{refused:?}"
    );
    assert_eq!(std::fs::read(&text).unwrap(), b"not a database");

    // A PostgreSQL database already holding a store.
    let url = vigie_pgtest::shared().create_database().unwrap();
    let pg = open_pg(&url);
    pg.add_supplier(&SupplierFields::new(
        "Déjà là",
        vigie_store::Criticality::Low,
    ))
    .unwrap();
    let pg_before = (pg.list_suppliers().unwrap(), pg.audit_trail(None).unwrap());
    let refused = copy_store(&source, &url, None);
    assert!(
        matches!(refused, Err(StoreError::CopyTargetNotEmpty { .. })),
        "{refused:?}"
    );
    assert_eq!(
        (pg.list_suppliers().unwrap(), pg.audit_trail(None).unwrap()),
        pg_before
    );

    // A PostgreSQL database holding someone else's tables.
    let url = vigie_pgtest::shared().create_database().unwrap();
    let name = vigie_pgtest::database_name(&url).unwrap();
    vigie_pgtest::shared()
        .run_sql(
            &name,
            "CREATE TABLE payroll (id int); INSERT INTO payroll VALUES (1);",
        )
        .unwrap();
    assert!(copy_store(&source, &url, None).is_err());
    assert_eq!(
        vigie_pgtest::shared()
            .run_sql(
                &name,
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            )
            .unwrap()
            .trim(),
        "1"
    );
}

#[test]
fn a_source_whose_audit_chain_is_broken_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tampered.sqlite");
    let (source, _, _) = populated(&path);
    drop(source);
    {
        // As an attacker with write access to the file: guards dropped, a row rewritten.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; \
             UPDATE audit_log SET who = 'mallory' WHERE seq = 3;",
        )
        .unwrap();
    }
    let source = Store::open(&path, "alice").unwrap();

    let file = dir.path().join("copy.sqlite");
    match copy_store(&source, file.to_str().unwrap(), None) {
        Err(StoreError::CopySourceBroken { problem, .. }) => assert_eq!(problem.seq, 3),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(!file.exists(), "no file is created");

    let url = vigie_pgtest::shared().create_database().unwrap();
    assert!(matches!(
        copy_store(&source, &url, None),
        Err(StoreError::CopySourceBroken { .. })
    ));
    let name = vigie_pgtest::database_name(&url).unwrap();
    assert_eq!(
        vigie_pgtest::shared()
            .run_sql(
                &name,
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            )
            .unwrap()
            .trim(),
        "0"
    );
}

#[test]
fn an_empty_file_is_a_new_target_and_the_copier_defaults_to_the_source_auditor() {
    let dir = tempfile::tempdir().unwrap();
    let (source, final_id, _) = populated(&dir.path().join("source.sqlite"));
    // An empty file is a new database.
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").unwrap();
    let report = copy_store(&source, empty.to_str().unwrap(), None).unwrap();
    assert!(report.is_ok(), "{report:?}");
    let copy = Store::open(&empty, "alice").unwrap();
    assert_eq!(export(&copy, &final_id), export(&source, &final_id));
    // The copier of a file defaults to the source store's auditor.
    assert_eq!(copy.audit_trail(None).unwrap().last().unwrap().who, "alice");
}

/// The number `sql` counts in the test server's database `url`.
fn pg_count(url: &str, sql: &str) -> String {
    let name = vigie_pgtest::database_name(url).unwrap();
    vigie_pgtest::shared()
        .run_sql(&name, sql)
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn a_hostile_source_brings_no_column_or_table_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.sqlite");
    let (store, final_id, _) = populated(&path);
    let expected = export(&store, &final_id);
    drop(store);
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "ALTER TABLE suppliers ADD COLUMN payload TEXT DEFAULT 'x'; \
             CREATE TABLE extra (a TEXT); INSERT INTO extra VALUES ('y');",
        )
        .unwrap();
    }
    let source = Store::open(&path, "alice").unwrap();
    let url = vigie_pgtest::shared().create_database().unwrap();
    let report = copy_store(&source, &url, None).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(
        pg_count(
            &url,
            "SELECT count(*) FROM information_schema.columns WHERE column_name = 'payload'"
        ),
        "0"
    );
    assert_eq!(
        pg_count(
            &url,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'extra'"
        ),
        "0"
    );
    assert_eq!(export(&open_pg(&url), &final_id), expected);
}

#[test]
fn a_row_the_target_refuses_rolls_the_whole_copy_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dangling.sqlite");
    let (store, _, _) = populated(&path);
    drop(store);
    {
        // Written by another program with foreign keys off: an action item of no assessment.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "PRAGMA foreign_keys = OFF; \
             INSERT INTO action_items (id, assessment_id, finding_id, title, status, \
                 created_by, created_at, updated_by, updated_at) \
             VALUES ('zz-orphan', 'no-such-assessment', 'f', 't', 'open', 'x', \
                 '2026-01-01T00:00:00.000000Z', 'x', '2026-01-01T00:00:00.000000Z');",
        )
        .unwrap();
    }
    let source = Store::open(&path, "alice").unwrap();

    let url = vigie_pgtest::shared().create_database().unwrap();
    let refused = copy_store(&source, &url, None);
    assert!(
        matches!(
            refused,
            Err(StoreError::CopyRefused {
                table: "action_items",
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(
        pg_count(
            &url,
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ),
        "0",
        "the schema went with the rows"
    );
    // The database is still an empty target.
    assert!(matches!(
        copy_store(&source, &url, None),
        Err(StoreError::CopyRefused { .. })
    ));

    let file = dir.path().join("copy.sqlite");
    let refused = copy_store(&source, file.to_str().unwrap(), None);
    assert!(
        matches!(
            refused,
            Err(StoreError::CopyRefused {
                table: "action_items",
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(!file.exists(), "the file this copy created is removed");
}
