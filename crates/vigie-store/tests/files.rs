//! Opening files: new, empty, foreign, damaged, newer, unwritable. A refused file is left
//! byte-for-byte as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use std::path::Path;

use common::{Prng, fixture};
use rusqlite::Connection;
use vigie_store::{APPLICATION_ID, SCHEMA_VERSION, Store, StoreError};

/// Every file in `dir` with its bytes, to compare before and after.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// A Vigie database with some content, closed (so it is all in the main file).
fn closed_vigie_db(path: &Path) {
    let (store, a) = fixture(path);
    for i in 0..200 {
        store
            .set_answer(&a.id, &format!("q{i}"), None, Some("x".repeat(200)), None)
            .unwrap();
    }
    drop(store);
    assert!(!Path::new(&format!("{}-wal", path.display())).exists());
}

#[test]
fn random_bytes_are_not_a_vigie_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    let mut prng = Prng(42);
    let bytes: Vec<u8> = (0..10_000).map(|_| prng.next_u64() as u8).collect();
    std::fs::write(&path, &bytes).unwrap();
    let before = snapshot(dir.path());
    let err = Store::open(&path, "alice").unwrap_err();
    assert!(
        matches!(err, StoreError::NotVigie { path: ref p } if *p == path),
        "{err:?}"
    );
    assert!(err.to_string().contains("notes.db"), "{err}");
    assert!(err.to_string().contains("not a Vigie database"), "{err}");
    assert_eq!(snapshot(dir.path()), before);

    // A short text file too.
    std::fs::write(&path, b"hello").unwrap();
    let before = snapshot(dir.path());
    assert!(matches!(
        Store::open(&path, "alice"),
        Err(StoreError::NotVigie { .. })
    ));
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn another_programs_sqlite_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    let before = snapshot(dir.path());
    assert!(matches!(
        Store::open(&path, "alice"),
        Err(StoreError::NotVigie { .. })
    ));
    assert_eq!(snapshot(dir.path()), before);

    // Same, in WAL mode with content only in the log (its program still has it open).
    let path = dir.path().join("other-wal.sqlite");
    let c = Connection::open(&path).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x); \
         INSERT INTO t VALUES (1);",
    )
    .unwrap();
    let main_before = std::fs::read(&path).unwrap();
    assert!(matches!(
        Store::open(&path, "alice"),
        Err(StoreError::NotVigie { .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), main_before);
    let n: i64 = c
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn truncated_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.db");
    closed_vigie_db(&good);
    let bytes = std::fs::read(&good).unwrap();
    assert!(bytes.len() > 8 * 4096, "fixture too small: {}", bytes.len());
    for (name, cut) in [
        ("half.db", bytes.len() / 2),
        ("pages.db", (bytes.len() / 4096 / 2) * 4096),
        ("header.db", 60),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let before = snapshot(dir.path());
        let err = Store::open(&path, "alice").unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{name}: {err:?}");
        let msg = err.to_string();
        assert!(msg.contains(name) && msg.contains("truncated"), "{msg}");
        assert_eq!(snapshot(dir.path()), before, "{name} changed");
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn newer_schema_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    closed_vigie_db(&path);
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA user_version = 99").unwrap();
    }
    let before = snapshot(dir.path());
    let err = Store::open(&path, "alice").unwrap_err();
    match &err {
        StoreError::NewerSchema {
            found, supported, ..
        } => {
            assert_eq!((*found, *supported), (99, SCHEMA_VERSION));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert!(err.to_string().contains("update Vigie"), "{err}");
    assert_eq!(snapshot(dir.path()), before);

    // A newer version still in the write-ahead log (a newer Vigie has it open): the header
    // says otherwise, SQLite does not.
    let path = dir.path().join("live.db");
    closed_vigie_db(&path);
    let newer = Connection::open(&path).unwrap();
    newer
        .execute_batch("PRAGMA wal_autocheckpoint = 0; PRAGMA user_version = 7;")
        .unwrap();
    let main_before = std::fs::read(&path).unwrap();
    assert!(matches!(
        Store::open(&path, "alice"),
        Err(StoreError::NewerSchema { found: 7, .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), main_before);
    drop(newer);
}

#[test]
fn unwritable_paths_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let under_file = file.join("sub/v.db");
    let err = Store::open(&under_file, "alice").unwrap_err();
    assert!(matches!(err, StoreError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("plain-file/sub/v.db"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"x");

    let err = Store::open(dir.path(), "alice").unwrap_err();
    assert!(matches!(err, StoreError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("folder"), "{err}");
}

#[test]
fn migrations_from_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep/er/v.db");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"").unwrap();
    let store = Store::open(&path, "alice").unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    drop(store);

    let c = Connection::open(&path).unwrap();
    let app: i64 = c
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    let version: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    let mode: String = c
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(app as u32, APPLICATION_ID);
    assert_eq!(version, i64::from(SCHEMA_VERSION));
    assert_eq!(mode, "wal");
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in [
        "action_items",
        "answers",
        "assessments",
        "audit_log",
        "evidence",
        "plugin_blobs",
        "suppliers",
    ] {
        assert!(
            tables.iter().any(|n| n == t),
            "missing table {t}: {tables:?}"
        );
    }
    drop(c);

    // The upgrade is audited; reopening migrates nothing more.
    let store = Store::open(&path, "bob").unwrap();
    let trail = store.audit_trail(None).unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(
        (trail[0].action.as_str(), trail[0].who.as_str()),
        ("migrate", "alice")
    );
    assert!(store.verify().unwrap().is_ok());

    // A blank SQLite database (no table yet) is adopted as well.
    let blank = dir.path().join("blank.db");
    Connection::open(&blank)
        .unwrap()
        .execute_batch("VACUUM")
        .unwrap();
    let store = Store::open(&blank, "alice").unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn many_first_opens_at_once_migrate_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.db");
    let handles: Vec<_> = (0..6)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || {
                let store = Store::open(&path, &format!("t{i}")).unwrap();
                let s = store
                    .add_supplier(&vigie_store::SupplierFields::new(
                        format!("S{i}"),
                        vigie_store::Criticality::Low,
                    ))
                    .unwrap();
                s.id
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let store = Store::open(&path, "check").unwrap();
    let trail = store.audit_trail(None).unwrap();
    assert_eq!(trail.iter().filter(|e| e.action == "migrate").count(), 1);
    assert_eq!(store.list_suppliers().unwrap().len(), 6);
    assert!(store.verify().unwrap().is_ok());
}
