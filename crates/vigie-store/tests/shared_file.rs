//! One process with several connections on a file (the workbench: its own and its worker's)
//! while other processes open and close the same file (a colleague's commands).
//!
//! On POSIX, closing any descriptor of a file drops all the process's `fcntl` locks on it. A
//! store that read the header with `std::fs` while another store of the same process was open
//! released that store's shared lock; the next process to close the file then thought it was
//! the last user, checkpointed, and deleted the write-ahead log the first store kept writing
//! into. These tests fail on such code.
//!
//! The colleague is this test binary run again (`--exact colleague`) with environment
//! variables saying what to open; without them `colleague` does nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixture, fixture_with};
use vigie_model::AnswerValue;
use vigie_store::{Journal, Store};

const ENV_DB: &str = "VIGIE_STORE_TEST_COLLEAGUE_DB";
const ENV_JOURNAL: &str = "VIGIE_STORE_TEST_COLLEAGUE_JOURNAL";

/// Not a test of its own: a colleague's command (open, read, close), started by the tests below.
#[test]
#[ignore = "a child process of the tests in this file; run by them"]
fn colleague() {
    let Ok(db) = std::env::var(ENV_DB) else {
        return;
    };
    let journal = std::env::var(ENV_JOURNAL)
        .ok()
        .and_then(|j| Journal::from_id(&j))
        .unwrap_or_default();
    let store = Store::open_with(&db, "bob", journal).expect("the colleague opens the file");
    let n = store.list_suppliers().expect("list").len();
    println!("colleague saw {n} supplier(s)");
}

fn run_colleague(db: &Path, journal: Journal) {
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "colleague", "--ignored", "--nocapture"])
        .env(ENV_DB, db)
        .env(ENV_JOURNAL, journal.id())
        .output()
        .expect("start the colleague");
    assert!(
        out.status.success(),
        "colleague failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn wal_of(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

#[cfg(unix)]
fn inode(path: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| m.ino())
}

#[cfg(not(unix))]
fn inode(_path: &Path) -> Option<u64> {
    None
}

fn answer(store: &Store, assessment: &str, question: &str, n: i64) {
    store
        .set_answer(
            assessment,
            question,
            Some(AnswerValue::Integer(n)),
            None,
            None,
        )
        .unwrap_or_else(|e| panic!("{question}: {e}"));
}

/// The workbench's shape: a first store, then a second one in the same process (its worker),
/// then a colleague's command between each acknowledged answer.
#[test]
fn a_second_connection_keeps_the_first_ones_locks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("team.sqlite");
    let (main, assessment) = fixture(&db);
    answer(&main, &assessment.id, "q-first", 1);
    let worker = Store::open(&db, "alice").expect("the worker's connection");
    let wal = inode(&wal_of(&db));
    assert!(wal.is_some() || cfg!(not(unix)), "a write-ahead log exists");

    for round in 0..20 {
        run_colleague(&db, Journal::Wal);
        answer(&main, &assessment.id, &format!("q-{round:02}"), round);
        // The worker's own write (the cached score, in the workbench).
        answer(&worker, &assessment.id, &format!("w-{round:02}"), round);
        assert_eq!(
            inode(&wal_of(&db)),
            wal,
            "round {round}: the log was replaced under the open stores"
        );
    }
    drop(worker);
    drop(main);

    let check = Store::open(&db, "checker").expect("reopen");
    let answers = check.answers(&assessment.id).expect("answers");
    for round in 0..20 {
        for prefix in ["q", "w"] {
            let question = format!("{prefix}-{round:02}");
            assert!(
                answers
                    .iter()
                    .any(|a| a.question == question
                        && a.value == Some(AnswerValue::Integer(round))),
                "{question} was acknowledged and is lost"
            );
        }
    }
    assert!(answers.iter().any(|a| a.question == "q-first"));
    assert!(check.verify().expect("verify").is_ok());
}

/// The rollback journal (for shares whose locks work): the same scenario keeps every answer,
/// and colleagues' changes are seen through the data version.
#[test]
fn the_rollback_journal_keeps_every_answer_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("share.sqlite");
    let (main, assessment) = fixture_with(&db, Journal::Rollback);
    assert_eq!(main.journal(), Journal::Rollback);
    assert!(!wal_of(&db).exists(), "no write-ahead log in rollback mode");
    let worker = Store::open_with(&db, "alice", Journal::Rollback).expect("worker");
    let seen = main.data_version().expect("data version");
    for round in 0..10 {
        run_colleague(&db, Journal::Rollback);
        answer(&worker, &assessment.id, &format!("q-{round:02}"), round);
    }
    assert_ne!(
        main.data_version().expect("data version"),
        seen,
        "the worker's writes are visible as a change"
    );
    drop(worker);
    drop(main);
    let check = Store::open_with(&db, "checker", Journal::Rollback).expect("reopen");
    assert_eq!(check.answers(&assessment.id).expect("answers").len(), 10);
    assert!(check.verify().expect("verify").is_ok());
}

/// A file in use with the write-ahead log cannot be switched to the rollback journal behind
/// its users' backs: a clear error, at once.
#[test]
fn switching_journal_under_a_colleague_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("team.sqlite");
    let (wal_user, _) = fixture(&db);
    let err = Store::open_with(&db, "bob", Journal::Rollback).expect_err("refused");
    assert!(
        matches!(err, vigie_store::StoreError::JournalInUse { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("--journal"), "{err}");
    drop(wal_user);
}
