//! Many processes writing one file at once: every answer lands, revisions count every write,
//! no update is lost, nobody sees a busy error, and the audit chain stays whole.
//!
//! The writers are this test binary run again (`--exact child_writer`) with environment
//! variables saying which writer they are; without them `child_writer` does nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use std::process::{Command, Stdio};

use common::{Place, TestBackend, fixture_at};
use vigie_model::AnswerValue;
use vigie_store::{Store, StoreError};

const WRITERS: usize = 8;
const ANSWERS_PER_WRITER: usize = 500;
/// Each writer's questions, each written twice (revision 1 then 2).
const QUESTIONS_PER_WRITER: usize = ANSWERS_PER_WRITER / 2;
/// Read-modify-write increments of one shared counter answer, per writer.
const SHARED_INCREMENTS: usize = 20;

const ENV_WRITER: &str = "VIGIE_STORE_TEST_WRITER";
const ENV_DB: &str = "VIGIE_STORE_TEST_DB";
const ENV_ASSESSMENT: &str = "VIGIE_STORE_TEST_ASSESSMENT";
/// A file whose appearance starts all writers at once.
const ENV_GO: &str = "VIGIE_STORE_TEST_GO";

fn counter(value: &Option<AnswerValue>) -> i64 {
    match value {
        Some(AnswerValue::Integer(n)) => *n,
        _ => 0,
    }
}

/// Increments the shared counter without losing anyone's increment: read, write on the
/// revision read, and on conflict read again. Returns how many conflicts it met.
fn increment_shared(store: &Store, assessment: &str) -> u64 {
    let mut conflicts = 0;
    loop {
        let seen = store.answer(assessment, "shared").unwrap();
        let n = seen.as_ref().map_or(0, |a| counter(&a.value));
        let base = seen.as_ref().map(|a| a.revision);
        // The auditor looks at the screen for a moment: others write meanwhile.
        std::thread::sleep(std::time::Duration::from_millis(2));
        match store.set_answer(
            assessment,
            "shared",
            Some(AnswerValue::Integer(n + 1)),
            None,
            base,
        ) {
            Ok(_) => return conflicts,
            Err(StoreError::Conflict { .. }) => conflicts += 1,
            Err(e) => panic!("shared increment failed: {e}"),
        }
    }
}

/// Not a test of its own: a writer process that the test below starts.
#[test]
#[ignore = "a child process of eight_processes_write_one_file; run by it"]
fn child_writer() {
    let Ok(writer) = std::env::var(ENV_WRITER) else {
        return;
    };
    let db = std::env::var(ENV_DB).unwrap();
    let assessment = std::env::var(ENV_ASSESSMENT).unwrap();
    let store = Store::open(&db, &format!("writer-{writer}")).unwrap();
    let go = std::env::var(ENV_GO).unwrap();
    while !std::path::Path::new(&go).exists() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let every = ANSWERS_PER_WRITER / SHARED_INCREMENTS;
    let mut conflicts = 0;
    for i in 0..ANSWERS_PER_WRITER {
        let q = i % QUESTIONS_PER_WRITER;
        let base = if i < QUESTIONS_PER_WRITER {
            None
        } else {
            Some(1)
        };
        let question = format!("w{writer}-q{q:03}");
        if let Err(e) = store.set_answer(
            &assessment,
            &question,
            Some(AnswerValue::Integer(i as i64)),
            Some(format!("writer {writer}")),
            base,
        ) {
            panic!("writer {writer}: {question}: {e}");
        }
        if i % every == every - 1 {
            conflicts += increment_shared(&store, &assessment);
        }
    }
    println!("writer {writer} done, {conflicts} conflicts on the shared answer");
}

fn eight_processes_write_one_file(backend: TestBackend) {
    let dir = tempfile::tempdir().unwrap();
    let place = Place::new(backend);
    let (store, assessment) = fixture_at(&place);
    drop(store);

    let exe = std::env::current_exe().unwrap();
    let go = dir.path().join("go");
    let children: Vec<_> = (0..WRITERS)
        .map(|w| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_writer",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(ENV_WRITER, w.to_string())
                .env(ENV_DB, place.as_auditor(&format!("writer-{w}")))
                .env(ENV_ASSESSMENT, assessment.id.as_str())
                .env(ENV_GO, &go)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(200));
    std::fs::write(&go, b"go").unwrap();
    for (w, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "writer {w} failed:\n{stdout}\n{stderr}"
        );
        let marker = format!("writer {w} done");
        let done = stdout
            .lines()
            .find_map(|l| l.find(&marker).map(|i| &l[i..]))
            .unwrap_or_else(|| panic!("writer {w} did not finish:\n{stdout}"));
        println!("{done}");
        assert!(
            !stderr.contains("locked") && !stdout.contains("busy"),
            "{stdout}{stderr}"
        );
    }

    let store = common::open(&place, "checker");
    let answers = store.answers(&assessment.id).unwrap();
    assert_eq!(answers.len(), WRITERS * QUESTIONS_PER_WRITER + 1);
    for w in 0..WRITERS {
        for q in 0..QUESTIONS_PER_WRITER {
            let question = format!("w{w}-q{q:03}");
            let a = answers
                .iter()
                .find(|a| a.question == question)
                .unwrap_or_else(|| panic!("{question} missing"));
            assert_eq!(a.revision, 2, "{question}");
            assert_eq!(
                a.value,
                Some(AnswerValue::Integer((q + QUESTIONS_PER_WRITER) as i64)),
                "{question}"
            );
            assert_eq!(a.updated_by, format!("writer-{w}"));
        }
    }
    let shared = answers.iter().find(|a| a.question == "shared").unwrap();
    let total = (WRITERS * SHARED_INCREMENTS) as i64;
    assert_eq!(
        shared.value,
        Some(AnswerValue::Integer(total)),
        "lost update"
    );
    assert_eq!(shared.revision, total);

    let report = store.verify().unwrap();
    assert!(report.is_ok(), "{report}");
    let answer_rows = store
        .audit_trail(Some(&assessment.id))
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "answer")
        .count();
    assert_eq!(answer_rows, WRITERS * ANSWERS_PER_WRITER + total as usize);
}

on_both_backends!(eight_processes_write_one_file);
