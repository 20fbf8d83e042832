//! Both backends side by side in one run: the same scenarios on a SQLite file (in a
//! temporary folder, write-ahead log) and on a throwaway PostgreSQL server (fsync on, a fresh
//! database per scenario), printed as one table. No goal is checked: it is there to compare.
//!
//! 1. Concurrent writers: 8 threads, each with its own `Store`, answer questions of ONE shared
//!    assessment, 1,000 acknowledged `set_answer` calls each. Every writer has its own 250
//!    questions and answers each four times (revisions 1 to 4, each call giving the revision
//!    it saw). Measured: answers per second, p50, p99 and max latency of an acknowledged
//!    answer. Then checked through the API: the stored answers hold each question's last
//!    acknowledged value and revision, the audit trail holds every acknowledged
//!    (question, revision, value), and the chain verifies (no fork).
//! 2. Open + first page: the store bench's data set (50,000 assessments over 500 suppliers,
//!    with answers and their hash-chained audit rows), then `Store::open` and the first page
//!    of 50 assessments, median of several runs (warm cache: each run opens anew).
//! 3. Portfolio rows: the portfolio bench's data set (5,000 suppliers, 50,000 assessments),
//!    then `Store::portfolio`, median of 15 runs on one open store.
//!
//! `cargo bench --workspace --bench backends`. Environment:
//! - `VIGIE_BENCH_QUICK=1`: a tenth of the rows (writers answer 100 each), for a quick try.
//!
//! Everything a scenario cannot do is reported below the table with the store's message,
//! and the run then fails.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use vigie_model::{AnswerValue, Date};
use vigie_pgtest::{ADMIN_ROLE, Options, TestServer};
use vigie_store::{AssessmentFilter, Criticality, NewAssessment, Store, SupplierFields};

mod common;
use common::load::{PgSink, SqliteSink};
use common::{BoxError, median, ms, portfolio_data, store_data};

const WRITERS: usize = 8;
const ANSWERS_PER_WRITER: usize = 1_000;
/// How many times each writer answers each of its questions.
const ROUNDS: usize = 4;
/// Answers per assessment in the open + first page data set (the store bench has 100;
/// neither the open nor the first page reads them).
const ANSWERS_PER_ASSESSMENT: usize = 100;
const OPEN_RUNS: usize = 11;
const PORTFOLIO_RUNS: usize = 15;
const PAGE: u32 = 50;

/// Where a scenario runs: a SQLite file, or a fresh PostgreSQL database.
enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Target {
    fn open(&self) -> Result<Store, BoxError> {
        Ok(match self {
            Target::Sqlite(path) => Store::open(path, "bench")?,
            // The URL's role is the one the server authenticates.
            Target::Postgres(url) => Store::open(url, ADMIN_ROLE)?,
        })
    }
}

/// Makes the targets of one scenario.
struct Places {
    folder: tempfile::TempDir,
    server: TestServer,
}

impl Places {
    fn sqlite(&self, name: &str) -> Target {
        Target::Sqlite(self.folder.path().join(format!("{name}.db")))
    }

    fn postgres(&self) -> Result<Target, BoxError> {
        Ok(Target::Postgres(self.server.create_database()?))
    }
}

/// One scenario's measures on one backend.
struct Measures {
    /// (what, value), the first one the headline.
    lines: Vec<(String, String)>,
    /// Guarantees the run saw broken (lost answers, a forked chain): the run fails.
    broken: Vec<String>,
}

impl Measures {
    fn new(lines: Vec<(String, String)>) -> Measures {
        Measures {
            lines,
            broken: Vec::new(),
        }
    }
}

fn main() -> Result<(), BoxError> {
    let quick = std::env::var("VIGIE_BENCH_QUICK").is_ok_and(|v| v == "1");
    let divisor = if quick { 10 } else { 1 };
    let per_writer = ANSWERS_PER_WRITER / divisor;
    let assessments = store_data::FULL_ASSESSMENTS / divisor;
    let suppliers = portfolio_data::FULL_SUPPLIERS / divisor;

    let load_before = load_average();
    eprintln!("starting a throwaway PostgreSQL server (fsync on)");
    let places = Places {
        folder: tempfile::tempdir()?,
        server: TestServer::start_with(Options {
            durable: true,
            ..Options::default()
        })?,
    };

    let mut table: Vec<(String, [Result<Measures, String>; 2])> = Vec::new();
    let mut run = |title: String, scenario: &dyn Fn(&Target) -> Result<Measures, BoxError>| {
        // The store's message and its details (for PostgreSQL, the server's error fields).
        let shown = |e: BoxError| format!("{e} ({e:?})");
        eprintln!("{title}: SQLite");
        let sqlite =
            scenario(&places.sqlite(&format!("scenario-{}", table.len() + 1))).map_err(shown);
        eprintln!("{title}: PostgreSQL");
        let postgres = places.postgres().and_then(|t| scenario(&t)).map_err(shown);
        table.push((title, [sqlite, postgres]));
    };

    run(
        format!(
            "1. {WRITERS} concurrent writers × {per_writer} answers, one assessment (answers/s)"
        ),
        &|t| concurrent_writers(t, per_writer),
    );
    run(
        format!("2. open + first page of {PAGE}, {assessments} assessments, median of {OPEN_RUNS}"),
        &|t| open_first_page(t, assessments),
    );
    run(
        format!(
            "3. portfolio rows, {suppliers} suppliers / {} assessments, median of {PORTFOLIO_RUNS}",
            suppliers * portfolio_data::ASSESSMENTS_PER_SUPPLIER
        ),
        &|t| portfolio_rows(t, suppliers),
    );

    let server_version = places
        .server
        .run_sql("postgres", "SHOW server_version")
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|e| format!("(version unknown: {e})"));
    print_table(&table, quick, &server_version);
    println!(
        "(machine load average at the start: {load_before}, at the end: {})",
        load_average()
    );
    let failures: Vec<String> = table
        .iter()
        .flat_map(|(title, results)| {
            ["SQLite", "PostgreSQL"]
                .iter()
                .zip(results)
                .flat_map(move |(backend, r)| match r {
                    Ok(m) => m
                        .broken
                        .iter()
                        .map(|b| format!("{title}, {backend}: {b}"))
                        .collect::<Vec<_>>(),
                    Err(e) => vec![format!("{title}, {backend}: {e}")],
                })
        })
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        println!();
        for failure in &failures {
            println!("FAILED {failure}");
        }
        Err(format!("{} scenario(s) failed", failures.len()).into())
    }
}

fn print_table(
    table: &[(String, [Result<Measures, String>; 2])],
    quick: bool,
    server_version: &str,
) {
    const WHAT: usize = 58;
    const VALUE: usize = 16;
    println!();
    println!(
        "vigie-store backends{}: SQLite (file, WAL, synchronous FULL), PostgreSQL {server_version} \
         (Unix socket, fsync on)",
        if quick {
            " (QUICK: a tenth of the rows)"
        } else {
            ""
        }
    );
    println!(
        "{:<WHAT$} {:>VALUE$} {:>VALUE$}",
        "scenario", "SQLite", "PostgreSQL"
    );
    println!("{}", "-".repeat(WHAT + 2 * VALUE + 2));
    for (title, [sqlite, postgres]) in table {
        println!("{title}");
        let labels: Vec<&str> = sqlite
            .as_ref()
            .or(postgres.as_ref())
            .map(|m| m.lines.iter().map(|(what, _)| what.as_str()).collect())
            .unwrap_or_default();
        let value = |r: &Result<Measures, String>, i: usize| -> String {
            match r {
                Ok(m) => m.lines.get(i).map_or(String::new(), |(_, v)| v.clone()),
                Err(_) => "FAILED".to_string(),
            }
        };
        for (i, label) in labels.iter().enumerate() {
            println!(
                "  {label:<w$} {:>VALUE$} {:>VALUE$}",
                value(sqlite, i),
                value(postgres, i),
                w = WHAT - 2
            );
        }
        if labels.is_empty() {
            println!(
                "  {:<w$} {:>VALUE$} {:>VALUE$}",
                "",
                "FAILED",
                "FAILED",
                w = WHAT - 2
            );
        }
    }
}

/// The machine's load average over the last minute (the benchmark shares the machine).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// The duration at `quantile` (0 to 1) of sorted `times`.
fn quantile(times: &[Duration], quantile: f64) -> Duration {
    let rank = ((times.len() as f64 * quantile).ceil() as usize).clamp(1, times.len().max(1));
    times.get(rank - 1).copied().unwrap_or_default()
}

/// What one writer had acknowledged: (question, revision, value), in order.
type Acknowledged = Vec<(String, i64, AnswerValue)>;

fn concurrent_writers(target: &Target, per_writer: usize) -> Result<Measures, BoxError> {
    let questions = per_writer / ROUNDS;
    let assessment_id = {
        let store = target.open()?;
        let blob = store.put_plugin_blob(b"concurrent writers", "bench", "1.0.0", "bench")?;
        let supplier = store.add_supplier(&SupplierFields::new(
            "Centre de données partagé".to_string(),
            Criticality::High,
        ))?;
        store
            .new_assessment(&NewAssessment {
                supplier_id: supplier.id,
                plugin_sha256: blob.sha256,
                assessment_date: Date::new(2026, 12, 5)?,
                language: "fr".into(),
                level: None,
                previous_assessment: None,
            })?
            .id
    };

    // Every writer opens its store first; the clock starts when all are ready.
    let ready = Arc::new(Barrier::new(WRITERS + 1));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = target
                .open()
                .map_err(|e| format!("writer {w}: {e} ({e:?})"));
            let ready = Arc::clone(&ready);
            let assessment_id = assessment_id.clone();
            std::thread::spawn(move || -> Result<(Vec<Duration>, Acknowledged), String> {
                ready.wait();
                let store = store?;
                write_answers(&store, &assessment_id, w, questions)
                    .map_err(|e| format!("writer {w}: {e} ({e:?})"))
            })
        })
        .collect();
    ready.wait();
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut acknowledged = Vec::new();
    let mut errors = Vec::new();
    for writer in writers {
        match writer.join() {
            Ok(Ok((times, acks))) => {
                latencies.extend(times);
                acknowledged.extend(acks);
            }
            Ok(Err(e)) => errors.push(e),
            Err(_) => errors.push("a writer panicked".to_string()),
        }
    }
    let wall = started.elapsed();
    if !errors.is_empty() {
        return Err(errors.join("; ").into());
    }
    latencies.sort();

    let (lost, chain_ok) = check_acknowledged(&target.open()?, &assessment_id, &acknowledged)?;
    let mut measures = Measures::new(vec![
        (
            "throughput (answers/s)".into(),
            format!("{:.0}", acknowledged.len() as f64 / wall.as_secs_f64()),
        ),
        (
            "p50 latency per acknowledged answer (ms)".into(),
            format!("{:.2}", ms(quantile(&latencies, 0.50))),
        ),
        (
            "p99 latency per acknowledged answer (ms)".into(),
            format!("{:.2}", ms(quantile(&latencies, 0.99))),
        ),
        // SQLite's waiting writers sleep and poll while the lock holder takes it again:
        // the slowest answer shows how long a writer can be passed over.
        (
            "max latency per acknowledged answer (ms)".into(),
            format!("{:.2}", ms(quantile(&latencies, 1.0))),
        ),
        (
            format!("lost or wrong, of {} acknowledged", acknowledged.len()),
            if lost == 0 {
                "0".into()
            } else {
                format!("{lost} LOST")
            },
        ),
        (
            "audit chain verified".into(),
            if chain_ok { "ok" } else { "BROKEN" }.into(),
        ),
    ]);
    if lost > 0 {
        measures.broken.push(format!(
            "{lost} of {} acknowledged answers lost or wrong",
            acknowledged.len()
        ));
    }
    if !chain_ok {
        measures
            .broken
            .push("the audit chain does not verify".into());
    }
    Ok(measures)
}

/// Writer `w` answers its `questions` questions `ROUNDS` times each, a round at a time, each
/// call based on the revision it was last acknowledged.
fn write_answers(
    store: &Store,
    assessment_id: &str,
    w: usize,
    questions: usize,
) -> Result<(Vec<Duration>, Acknowledged), BoxError> {
    let mut times = Vec::with_capacity(questions * ROUNDS);
    let mut acks = Vec::with_capacity(questions * ROUNDS);
    let mut seen: Vec<Option<i64>> = vec![None; questions];
    for round in 0..ROUNDS {
        for (q, base) in seen.iter_mut().enumerate() {
            let question = format!("w{w}-q{q:03}");
            let value = AnswerValue::Text(format!("writer {w}, question {q}, round {round}"));
            let t = Instant::now();
            let stored =
                store.set_answer(assessment_id, &question, Some(value.clone()), None, *base)?;
            times.push(t.elapsed());
            let expected = base.unwrap_or(0) + 1;
            if stored.revision != expected || stored.value.as_ref() != Some(&value) {
                return Err(format!(
                    "{question}: acknowledged revision {} with {:?}, expected revision {expected}",
                    stored.revision, stored.value
                )
                .into());
            }
            *base = Some(stored.revision);
            acks.push((question, stored.revision, value));
        }
    }
    Ok((times, acks))
}

/// How many acknowledged answers are missing or wrong (in the stored answers for the last
/// of each question, in the audit trail for every one), and whether the chain verifies.
fn check_acknowledged(
    store: &Store,
    assessment_id: &str,
    acknowledged: &Acknowledged,
) -> Result<(usize, bool), BoxError> {
    let stored: HashMap<String, (Option<AnswerValue>, i64)> = store
        .answers(assessment_id)?
        .into_iter()
        .map(|a| (a.question, (a.value, a.revision)))
        .collect();
    let mut last: HashMap<&str, (i64, &AnswerValue)> = HashMap::new();
    for (question, revision, value) in acknowledged {
        let entry = last.entry(question).or_insert((*revision, value));
        if *revision >= entry.0 {
            *entry = (*revision, value);
        }
    }
    let mut lost = last
        .iter()
        .filter(|(question, (revision, value))| {
            stored.get(**question) != Some(&(Some((*value).clone()), *revision))
        })
        .count();

    let mut audited: HashSet<(String, i64, String)> = HashSet::new();
    for entry in store.audit_trail(Some(assessment_id))? {
        if entry.entity != "answer" {
            continue;
        }
        let new: serde_json::Value = serde_json::from_str(entry.new.as_deref().unwrap_or("null"))?;
        if let Some(revision) = new.get("revision").and_then(serde_json::Value::as_i64) {
            audited.insert((entry.entity_id, revision, new["value"].to_string()));
        }
    }
    for (question, revision, value) in acknowledged {
        let value = serde_json::to_value(value)?.to_string();
        if !audited.contains(&(question.clone(), *revision, value)) {
            lost += 1;
        }
    }
    Ok((lost, store.verify()?.is_ok()))
}

fn open_first_page(target: &Target, assessments: usize) -> Result<Measures, BoxError> {
    let started = Instant::now();
    let prepared = store_data::prepare(&target.open()?)?;
    match target {
        Target::Sqlite(path) => {
            // As the store bench writes it: one go without a journal, then WAL.
            let mut sink = SqliteSink::open(
                path,
                "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; \
                 PRAGMA cache_size = -65536;",
            )?;
            store_data::generate(&mut sink, &prepared, assessments, ANSWERS_PER_ASSESSMENT)?;
            sink.finish("PRAGMA journal_mode = WAL; ANALYZE;")?;
        }
        Target::Postgres(url) => {
            let mut sink = PgSink::open(url)?;
            store_data::generate(&mut sink, &prepared, assessments, ANSWERS_PER_ASSESSMENT)?;
            sink.finish("VACUUM ANALYZE;")?;
        }
    }
    let generation = started.elapsed();

    let mut totals = Vec::with_capacity(OPEN_RUNS);
    let mut opens = Vec::with_capacity(OPEN_RUNS);
    let mut lists = Vec::with_capacity(OPEN_RUNS);
    for _ in 0..OPEN_RUNS {
        let t = Instant::now();
        let store = target.open()?;
        let open = t.elapsed();
        let page = store.list_assessments(&AssessmentFilter::page(PAGE, 0))?;
        let total = t.elapsed();
        if page.len() != (PAGE as usize).min(assessments) {
            return Err(format!("the first page lists {} assessments", page.len()).into());
        }
        totals.push(total);
        opens.push(open);
        lists.push(total - open);
        drop(store);
    }
    Ok(Measures::new(vec![
        (
            "open + first page (ms)".into(),
            format!("{:.1}", ms(median(totals))),
        ),
        (
            "  of which open (ms)".into(),
            format!("{:.1}", ms(median(opens))),
        ),
        (
            "  of which first page (ms)".into(),
            format!("{:.1}", ms(median(lists))),
        ),
        (
            format!("  data set: write {ANSWERS_PER_ASSESSMENT} answers each + audit (s)"),
            format!("{:.1}", generation.as_secs_f64()),
        ),
        ("  database size (MiB)".into(), size_mib(target)?),
    ]))
}

fn portfolio_rows(target: &Target, suppliers: usize) -> Result<Measures, BoxError> {
    let started = Instant::now();
    drop(target.open()?);
    match target {
        Target::Sqlite(path) => {
            // As the portfolio bench writes it (no ANALYZE: a SQLite file has no statistics
            // unless someone runs it).
            let mut sink =
                SqliteSink::open(path, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")?;
            portfolio_data::generate(&mut sink, suppliers)?;
            sink.finish("PRAGMA wal_checkpoint(TRUNCATE);")?;
        }
        Target::Postgres(url) => {
            // PostgreSQL's autovacuum analyzes a freshly loaded table within the minute: do
            // it now so that every run sees the same plans.
            let mut sink = PgSink::open(url)?;
            portfolio_data::generate(&mut sink, suppliers)?;
            sink.finish("VACUUM ANALYZE;")?;
        }
    }
    let generation = started.elapsed();

    let today: Date = portfolio_data::TODAY.parse()?;
    let t = Instant::now();
    let store = target.open()?;
    let open = t.elapsed();
    let t = Instant::now();
    let rows = store.portfolio(today, 90)?;
    let first = t.elapsed();
    if rows.len() != suppliers {
        return Err(format!(
            "the portfolio has {} rows for {suppliers} suppliers",
            rows.len()
        )
        .into());
    }
    let mut times = Vec::with_capacity(PORTFOLIO_RUNS);
    for _ in 0..PORTFOLIO_RUNS {
        let t = Instant::now();
        let again = store.portfolio(today, 90)?;
        times.push(t.elapsed());
        if again != rows {
            return Err("the portfolio changed between two runs".into());
        }
    }
    let slowest = times.iter().max().copied().unwrap_or_default();
    Ok(Measures::new(vec![
        (
            "portfolio rows (ms)".into(),
            format!("{:.1}", ms(median(times))),
        ),
        ("  first call (ms)".into(), format!("{:.1}", ms(first))),
        ("  slowest (ms)".into(), format!("{:.1}", ms(slowest))),
        ("  open the store (ms)".into(), format!("{:.1}", ms(open))),
        (
            "  data set: write (s)".into(),
            format!("{:.1}", generation.as_secs_f64()),
        ),
        ("  database size (MiB)".into(), size_mib(target)?),
    ]))
}

/// The size of the database: the SQLite file with its log, or the PostgreSQL database.
fn size_mib(target: &Target) -> Result<String, BoxError> {
    let bytes = match target {
        Target::Sqlite(path) => ["", "-wal"]
            .iter()
            .map(|suffix| {
                std::fs::metadata(format!("{}{suffix}", path.display())).map_or(0, |m| m.len())
            })
            .sum::<u64>(),
        Target::Postgres(url) => {
            let mut client = postgres::Client::connect(url, postgres::NoTls)?;
            let size: i64 = client
                .query_one("SELECT pg_database_size(current_database())", &[])?
                .get(0);
            size.max(0) as u64
        }
    };
    Ok(format!("{:.1}", bytes as f64 / 1_048_576.0))
}
