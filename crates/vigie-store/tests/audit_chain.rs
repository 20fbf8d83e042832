//! The audit trail is append-only and tamper-evident: `verify` names the first broken row.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use std::path::Path;

use common::fixture;
use rusqlite::Connection;
use vigie_model::AnswerValue;
use vigie_store::{AuditBreak, AuditProblem, AuditRecord, Store};

/// A database with a few dozen audit rows; returns the number of rows.
fn populated(path: &Path) -> i64 {
    let (store, a) = fixture(path);
    for i in 0..20 {
        store
            .set_answer(
                &a.id,
                &format!("q{i}"),
                Some(AnswerValue::Integer(i)),
                None,
                None,
            )
            .unwrap();
    }
    let report = store.verify().unwrap();
    assert!(report.is_ok(), "{report}");
    report.audit_rows as i64
}

/// A raw connection that has removed the append-only triggers, as an attacker with write
/// access to the file could.
fn attacker(path: &Path) -> Connection {
    let c = Connection::open(path).unwrap();
    c.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    c
}

fn restore_guards(c: &Connection) {
    c.execute_batch(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
         BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END; \
         CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
         BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
    )
    .unwrap();
}

fn first_break(path: &Path) -> (AuditBreak, String) {
    let store = Store::open(path, "auditor").unwrap();
    let report = store.verify().unwrap();
    assert!(!report.is_ok());
    assert!(report.integrity_ok(), "{report}");
    let b = report.audit_break.clone().expect("a break");
    (b, report.to_string())
}

#[test]
fn the_trail_refuses_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    populated(&path);
    let c = Connection::open(&path).unwrap();
    let err = c
        .execute("UPDATE audit_log SET who = 'mallory' WHERE seq = 3", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = c
        .execute("DELETE FROM audit_log WHERE seq = 3", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn tampered_row_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    populated(&path);
    {
        let c = attacker(&path);
        // Row 12 records q7 = 7; make it say 8.
        let new: String = c
            .query_row("SELECT new FROM audit_log WHERE seq = 12", [], |r| r.get(0))
            .unwrap();
        let forged = new.replace("\"value\":7", "\"value\":8");
        assert_ne!(new, forged);
        c.execute("UPDATE audit_log SET new = ?1 WHERE seq = 12", [forged])
            .unwrap();
        restore_guards(&c);
    }
    let (b, text) = first_break(&path);
    assert_eq!(
        b,
        AuditBreak {
            seq: 12,
            problem: AuditProblem::Tampered
        }
    );
    assert!(text.contains("audit row 12 was altered"), "{text}");

    // Changing who did it, without restoring the triggers: both are reported.
    let path = dir.path().join("w.db");
    populated(&path);
    attacker(&path)
        .execute("UPDATE audit_log SET who = 'mallory' WHERE seq = 4", [])
        .unwrap();
    let store = Store::open(&path, "auditor").unwrap();
    let report = store.verify().unwrap();
    assert_eq!(report.audit_break.as_ref().map(|b| b.seq), Some(4));
    assert!(!report.append_only_guards);
    assert!(
        report.to_string().contains("triggers were removed"),
        "{report}"
    );
}

#[test]
fn rehashed_row_breaks_the_next_link() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    populated(&path);
    {
        let c = attacker(&path);
        // Alter row 8 and recompute its own hash: the chain then breaks at row 9.
        let row = Store::open(&path, "reader")
            .unwrap()
            .audit_trail(None)
            .unwrap()
            .into_iter()
            .find(|e| e.seq == 8)
            .unwrap();
        let forged = AuditRecord {
            seq: 8,
            at: &row.at,
            who: "mallory",
            action: &row.action,
            entity: &row.entity,
            entity_id: &row.entity_id,
            assessment_id: row.assessment_id.as_deref(),
            old: row.old.as_deref(),
            new: row.new.as_deref(),
        };
        let prev: [u8; 32] = hex::decode(&row.prev_hash).unwrap().try_into().unwrap();
        let hash = forged.hash(&prev);
        c.execute(
            "UPDATE audit_log SET who = 'mallory', hash = ?1 WHERE seq = 8",
            [&hash[..]],
        )
        .unwrap();
        restore_guards(&c);
    }
    let (b, text) = first_break(&path);
    assert_eq!(
        b,
        AuditBreak {
            seq: 9,
            problem: AuditProblem::BrokenLink
        }
    );
    assert!(text.contains("audit row 9"), "{text}");
}

#[test]
fn deleted_rows_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    populated(&path);
    {
        let c = attacker(&path);
        c.execute("DELETE FROM audit_log WHERE seq IN (7, 8)", [])
            .unwrap();
        restore_guards(&c);
    }
    let (b, text) = first_break(&path);
    assert_eq!(
        b,
        AuditBreak {
            seq: 7,
            problem: AuditProblem::Missing { through: 8 }
        }
    );
    assert!(text.contains("audit rows 7 to 8 are missing"), "{text}");

    // The last row: no gap is left, but the highest seq ever used is remembered.
    let path = dir.path().join("w.db");
    let rows = populated(&path);
    {
        let c = attacker(&path);
        c.execute("DELETE FROM audit_log WHERE seq = ?1", [rows])
            .unwrap();
        restore_guards(&c);
    }
    let (b, text) = first_break(&path);
    assert_eq!(
        b,
        AuditBreak {
            seq: rows,
            problem: AuditProblem::Missing { through: rows }
        }
    );
    assert!(
        text.contains(&format!("audit row {rows} is missing")),
        "{text}"
    );

    // Writing after the deletion does not hide it.
    let store = Store::open(&path, "auditor").unwrap();
    let a = store.list_assessments(&Default::default()).unwrap()[0]
        .id
        .clone();
    store
        .set_answer(&a, "later", None, Some("n".into()), None)
        .unwrap();
    let report = store.verify().unwrap();
    assert_eq!(report.audit_break.map(|b| b.seq), Some(rows));
}

/// The same trail on PostgreSQL, attacked with another client (psql): update, delete and
/// truncate are refused by the server; a database owner who drops the guards and alters,
/// deletes or forges rows is named by `verify`, as on a file.
mod postgres {
    use super::*;
    use common::{Place, TestBackend};

    fn sql(place: &Place, text: &str) -> Result<String, String> {
        let url = place.as_auditor("alice");
        let database = vigie_pgtest::database_name(url.to_str().unwrap()).unwrap();
        vigie_pgtest::shared()
            .run_sql(&database, text)
            .map_err(|e| e.to_string())
    }

    fn verify(place: &Place) -> vigie_store::VerifyReport {
        common::open(place, "auditor").verify().unwrap()
    }

    #[test]
    fn the_trail_refuses_update_delete_and_truncate() {
        let place = Place::new(TestBackend::Postgres);
        populated(place.as_ref());
        for attack in [
            "UPDATE audit_log SET who = 'mallory' WHERE seq = 3",
            "DELETE FROM audit_log WHERE seq = 3",
            "TRUNCATE audit_log",
        ] {
            let err = sql(&place, attack).unwrap_err();
            assert!(err.contains("append-only"), "{attack}: {err}");
        }
        assert!(verify(&place).is_ok());
    }

    /// Rows written past the foreign keys (a session in replica mode, a partial restore) are
    /// counted by `verify`, as SQLite's `foreign_key_check` counts them.
    #[test]
    fn rows_written_past_the_foreign_keys_are_counted() {
        let place = Place::new(TestBackend::Postgres);
        populated(place.as_ref());
        assert_eq!(verify(&place).foreign_key_violations, 0);
        sql(
            &place,
            "SET session_replication_role = replica; \
             INSERT INTO answers (assessment_id, question_id, value, revision, to_confirm, \
               updated_by, updated_at) \
             VALUES ('no-such-assessment', 'q', NULL, 1, 0, 'x', '2026-01-01T00:00:00Z'); \
             UPDATE assessments SET previous_assessment = 'gone';",
        )
        .unwrap();
        let report = verify(&place);
        assert_eq!(report.foreign_key_violations, 2, "{report}");
        assert!(!report.is_ok());
    }

    #[test]
    fn an_owner_who_drops_the_guards_is_caught() {
        // Altered content.
        let place = Place::new(TestBackend::Postgres);
        populated(place.as_ref());
        sql(
            &place,
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update; \
             UPDATE audit_log SET new = '{\"forged\":true}' WHERE seq = 12; \
             ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;",
        )
        .unwrap();
        let report = verify(&place);
        assert_eq!(
            report.audit_break,
            Some(AuditBreak {
                seq: 12,
                problem: AuditProblem::Tampered
            }),
            "{report}"
        );

        // The last rows deleted, the guards dropped for good.
        let place = Place::new(TestBackend::Postgres);
        let rows = populated(place.as_ref());
        sql(
            &place,
            &format!(
                "DROP TRIGGER audit_log_no_delete ON audit_log; \
                 DELETE FROM audit_log WHERE seq >= {};",
                rows - 1
            ),
        )
        .unwrap();
        let report = verify(&place);
        assert!(!report.is_ok(), "{report}");
        assert!(!report.append_only_guards, "{report}");
        assert!(
            report.to_string().contains("triggers were removed"),
            "{report}"
        );
        let b = report.audit_break.expect("a break");
        assert_eq!(b.seq, rows - 1, "{b}");
    }
}
