//! SIGKILL at random moments: every answer a writer acknowledged (its write returned) is in the
//! file afterwards, and the file and its audit chain stay sound.
//!
//! The writer is this test binary run again (`--exact child_crash_writer`); it prints
//! `ACK <question> <value>` after each committed answer. Without its environment variables
//! `child_crash_writer` does nothing (it is ignored unless run with `--ignored`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Place, Prng, TestBackend, fixture_at};
use vigie_model::AnswerValue;
use vigie_store::Store;

const ROUNDS: u64 = 40;
const ENV_ROUND: &str = "VIGIE_STORE_CRASH_ROUND";
const ENV_DB: &str = "VIGIE_STORE_CRASH_DB";
const ENV_ASSESSMENT: &str = "VIGIE_STORE_CRASH_ASSESSMENT";
const ENV_FRESH_DB: &str = "VIGIE_STORE_CRASH_FRESH_DB";

/// Not a test of its own: the writer process that the test below kills.
#[test]
#[ignore = "a child process of sigkill_never_loses_an_acknowledged_answer; run by it"]
fn child_crash_writer() {
    let Ok(round) = std::env::var(ENV_ROUND) else {
        return;
    };
    // Some rounds first create a new database, to be killed while creating it.
    if let Ok(fresh) = std::env::var(ENV_FRESH_DB) {
        let store = Store::open(&fresh, "crash").unwrap();
        drop(store);
        println!("FRESH");
    }
    let db = std::env::var(ENV_DB).unwrap();
    let assessment = std::env::var(ENV_ASSESSMENT).unwrap();
    let store = Store::open(&db, "crash").unwrap();
    println!("OPEN");
    for i in 0i64.. {
        if i % 10 == 9 {
            // A bulk import: all of it or none of it.
            let batch: Vec<_> = (0..5)
                .map(|j| {
                    (
                        format!("r{round}-b{i}-{j}"),
                        Some(AnswerValue::Integer(i * 10 + j)),
                        Some("bulk".to_string()),
                    )
                })
                .collect();
            store.set_answers_bulk(&assessment, batch, false).unwrap();
            for j in 0..5 {
                println!("ACK r{round}-b{i}-{j} {}", i * 10 + j);
            }
        } else {
            let q = format!("r{round}-q{i}");
            store
                .set_answer(&assessment, &q, Some(AnswerValue::Integer(i)), None, None)
                .unwrap();
            println!("ACK {q} {i}");
        }
    }
}

fn sigkill_never_loses_an_acknowledged_answer(backend: TestBackend) {
    let place = Place::new(backend);
    let (store, assessment) = fixture_at(&place);
    drop(store);
    let exe = std::env::current_exe().unwrap();
    let mut total_acked = 0;
    let mut rounds_with_acks = 0;

    for round in 0..ROUNDS {
        let mut prng = Prng(0x5EED_0000 + round);
        let delay = Duration::from_millis(prng.range(1, 300));
        let fresh = (round % 4 == 0).then(|| Place::new(backend));
        let mut cmd = Command::new(&exe);
        cmd.args([
            "--exact",
            "child_crash_writer",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ENV_ROUND, round.to_string())
        .env(ENV_DB, place.as_auditor("crash"))
        .env(ENV_ASSESSMENT, assessment.id.as_str())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
        if let Some(fresh) = &fresh {
            cmd.env(ENV_FRESH_DB, fresh.as_auditor("crash"));
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut lines = Vec::new();
        // Where the clock starts, so that a slow start on a busy machine cannot turn the
        // test into one that kills before anything is written: rounds creating a fresh
        // database count from the spawn (to be killed during creation too), a quarter of
        // the rounds from the open (killed around the first write), and half of them from
        // the first acknowledged answer.
        let start_after = match round % 4 {
            0 => None,
            2 => Some("OPEN"),
            _ => Some("ACK "),
        };
        if let Some(marker) = start_after {
            // (`contains`: the test harness prints its own words before the first line.)
            while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
                let reached = line.contains(marker);
                lines.push(line);
                if reached {
                    break;
                }
            }
        }
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        lines.extend(rx.try_iter());

        let acked: Vec<(String, i64)> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("ACK "))
            .filter_map(|l| {
                let (q, v) = l.split_once(' ')?;
                Some((q.to_string(), v.parse().ok()?))
            })
            .collect();
        total_acked += acked.len();
        if !acked.is_empty() {
            rounds_with_acks += 1;
        }

        let store = Store::open(place.as_auditor("checker"), "checker")
            .unwrap_or_else(|e| panic!("round {round}: reopen after SIGKILL failed: {e}"));
        let answers = store.answers(&assessment.id).unwrap();
        for (q, v) in &acked {
            let a = answers
                .iter()
                .find(|a| &a.question == q)
                .unwrap_or_else(|| panic!("round {round}: acknowledged {q} is lost"));
            assert_eq!(
                a.value,
                Some(AnswerValue::Integer(*v)),
                "round {round}: {q}"
            );
        }
        // Bulk imports are whole or absent.
        for a in answers
            .iter()
            .filter(|a| a.question.starts_with(&format!("r{round}-b")))
        {
            let stem = a.question.rsplit_once('-').unwrap().0;
            let siblings = answers
                .iter()
                .filter(|b| b.question.rsplit_once('-').unwrap().0 == stem)
                .count();
            assert_eq!(siblings, 5, "round {round}: partial bulk import {stem}");
        }
        let report = store.verify().unwrap();
        assert!(
            report.is_ok(),
            "round {round} (killed after {delay:?}):\n{report}"
        );
        drop(store);

        // A database killed while being created opens (and is created) all the same.
        if let Some(fresh) = fresh
            .as_ref()
            .filter(|f| f.backend == TestBackend::Postgres || f.as_ref().exists())
        {
            let store = Store::open(fresh.as_auditor("checker"), "checker")
                .unwrap_or_else(|e| panic!("round {round}: fresh database: {e}"));
            let report = store.verify().unwrap();
            assert!(report.is_ok(), "round {round} fresh database:\n{report}");
        }
    }
    assert!(
        rounds_with_acks >= ROUNDS / 2,
        "only {rounds_with_acks} rounds acknowledged anything ({total_acked} answers): \
         the kill came too early to test much"
    );
    println!("{total_acked} acknowledged answers over {ROUNDS} rounds, none lost");
}

on_both_backends!(sigkill_never_loses_an_acknowledged_answer);
