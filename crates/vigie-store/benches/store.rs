//! Store benchmark: generates a large database (50k assessments, 5M answers, with their audit
//! rows) and measures what an auditor feels: opening the file and listing the first page,
//! scoring one assessment end to end, bytes per answer on disk, peak memory.
//!
//! `cargo bench -p vigie-store --bench store`. Environment:
//! - `VIGIE_BENCH_SCALE`: fraction of the full size (default 1; e.g. 0.01 for a quick run);
//! - `VIGIE_BENCH_DIR`: where to write the database (default: a temporary folder, removed);
//! - `VIGIE_BENCH_VERIFY=0`: skip the full `verify` (integrity check + audit chain).
//!
//! Measurements run in a fresh child process (this binary again) so that the peak RSS is that
//! of an auditor's process, not of the generator.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A benchmark: a panic stops it with its message.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use vigie_model::{Answer, AnswerKind, AnswerValue, Date, EvalContext, YesNo};
use vigie_plugin_host::{CompileCache, Host, Limits};
use vigie_store::{AssessmentFilter, Criticality, NewAssessment, Store, SupplierFields, short_id};

mod common;
use common::load::SqliteSink;
use common::{BoxError, ms, peak_rss_kb, store_data};

const FULL_ASSESSMENTS: f64 = store_data::FULL_ASSESSMENTS as f64;
const ANSWERS_PER_ASSESSMENT: usize = 100;
const PAGE: u32 = 50;
const ENV_MEASURE: &str = "VIGIE_BENCH_MEASURE";
const ENV_VERIFY_ONLY: &str = "VIGIE_BENCH_VERIFY_ONLY";

fn main() -> Result<(), BoxError> {
    // `cargo bench` passes `--bench`; ignore arguments.
    if let Ok(path) = std::env::var(ENV_MEASURE) {
        return measure(Path::new(&path));
    }
    if let Ok(path) = std::env::var(ENV_VERIFY_ONLY) {
        return verify_only(Path::new(&path));
    }

    let scale: f64 = match std::env::var("VIGIE_BENCH_SCALE") {
        Ok(s) => s
            .parse()
            .map_err(|_| format!("VIGIE_BENCH_SCALE={s} is not a number"))?,
        Err(_) => 1.0,
    };
    let assessments = ((FULL_ASSESSMENTS * scale).round() as usize).max(1);
    let answers = assessments * ANSWERS_PER_ASSESSMENT;
    let (_tmp, dir) = match std::env::var("VIGIE_BENCH_DIR") {
        Ok(d) => (None, PathBuf::from(d)),
        Err(_) => {
            let t = tempfile::tempdir()?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("bench-{assessments}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }

    eprintln!(
        "generating {assessments} assessments / {answers} answers into {}",
        path.display()
    );
    let started = Instant::now();
    generate(&path, assessments)?;
    let generation = started.elapsed();
    let file_size = std::fs::metadata(&path)?.len();
    let breakdown = space_breakdown(&path).unwrap_or_default();

    let exe = std::env::current_exe()?;
    // First with the file out of the page cache (as after a reboot), then warm.
    let cold = drop_from_page_cache(&path)
        .then(|| run_child(&exe, ENV_MEASURE, &path))
        .transpose()?;
    let measured = run_child(&exe, ENV_MEASURE, &path)?;
    let get = |key: &str| -> String { value_of(&measured, key) };

    let verify = if std::env::var("VIGIE_BENCH_VERIFY").as_deref() == Ok("0") {
        None
    } else {
        Some(run_child(&exe, ENV_VERIFY_ONLY, &path)?)
    };

    let ms = |key: &str| get(key).parse::<f64>().unwrap_or(f64::NAN);
    let open_list = ms("open_ms") + ms("list_ms");
    let rss_mb = ms("rss_kb") / 1024.0;
    let per_answer = file_size as f64 / answers as f64;
    let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };

    println!();
    println!(
        "vigie-store bench: {assessments} assessments, {answers} answers ({:.3} of full scale), generated in {:.1} s",
        scale,
        generation.as_secs_f64()
    );
    let row = |name: &str, value: String, goal: &str, status: &str| {
        println!("{name:<48} {value:>14}  {goal:<10} {status}");
    };
    row("measure", "value".to_string(), "goal", "");
    println!("{}", "-".repeat(80));
    row(
        "open + list first page (50, newest first)",
        format!("{open_list:.1} ms"),
        "<= 100 ms",
        verdict(open_list <= 100.0),
    );
    row(
        "  of which open",
        format!("{:.1} ms", ms("open_ms")),
        "",
        "",
    );
    row(
        "  of which list first page",
        format!("{:.1} ms", ms("list_ms")),
        "",
        "",
    );
    match &cold {
        Some(cold) => {
            let ms = |key: &str| value_of(cold, key).parse::<f64>().unwrap_or(f64::NAN);
            let total = ms("open_ms") + ms("list_ms");
            row(
                "open + list first page, cold page cache",
                format!("{total:.1} ms"),
                "<= 100 ms",
                verdict(total <= 100.0),
            );
        }
        None => row(
            "open + list first page, cold page cache",
            "n/a".to_string(),
            "",
            "(could not drop the file from the page cache)",
        ),
    }
    row(
        "list a page in the middle",
        format!("{:.1} ms", ms("list_mid_ms")),
        "",
        "",
    );
    row(
        "count assessments",
        format!("{:.1} ms", ms("count_ms")),
        "",
        "",
    );
    row(
        "get assessment by short id (suffix)",
        format!("{:.1} ms", ms("get_short_ms")),
        "",
        "",
    );
    row(
        "get assessment by id prefix",
        format!("{:.1} ms", ms("get_prefix_ms")),
        "",
        "",
    );
    row(
        "answers of one assessment (100)",
        format!("{:.1} ms", ms("answers_ms")),
        "",
        "",
    );
    row(
        "set one answer (committed, fsync), median of 20",
        format!("{:.1} ms", ms("set_ms")),
        "",
        "",
    );
    row(
        &format!(
            "score one assessment end to end ({} answers)",
            value_of(&measured, "score_answers")
        ),
        format!("{:.1} ms", ms("score_ms")),
        "",
        "",
    );
    row(
        "bytes per answer on disk (whole file)",
        format!("{per_answer:.0} B"),
        "",
        "",
    );
    for (name, bytes) in &breakdown {
        row(
            &format!("  {name}"),
            format!("{:.0} B", *bytes as f64 / answers as f64),
            "",
            "",
        );
    }
    row(
        "file size",
        format!("{:.1} MiB", file_size as f64 / 1048576.0),
        "",
        "",
    );
    row(
        "peak RSS (open, list, get, answers, set, score)",
        format!("{rss_mb:.1} MB"),
        "<= 100 MB",
        verdict(rss_mb <= 100.0),
    );
    if let Some(v) = verify {
        let get = |key: &str| value_of(&v, key);
        let secs = get("verify_ms").parse::<f64>().unwrap_or(f64::NAN) / 1000.0;
        let rss = get("rss_kb").parse::<f64>().unwrap_or(f64::NAN) / 1024.0;
        row(
            "verify (integrity_check + audit chain)",
            format!("{secs:.1} s"),
            "",
            &format!("{} audit rows, {}", get("audit_rows"), get("ok")),
        );
        row("  peak RSS of verify", format!("{rss:.1} MB"), "", "");
    }
    Ok(())
}

/// Runs this binary again with `env=path` and returns what it printed.
fn run_child(exe: &Path, env: &str, path: &Path) -> Result<String, BoxError> {
    let out = Command::new(exe).env(env, path).output()?;
    if !out.status.success() {
        return Err(format!(
            "child ({env}) failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// The value of a `key=value` line.
fn value_of(output: &str, key: &str) -> String {
    output
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or("?")
        .to_string()
}

/// Writes the file out and asks the kernel to forget its cached pages (GNU dd's
/// `iflag=nocache`, i.e. posix_fadvise DONTNEED on this file only). Best effort.
fn drop_from_page_cache(path: &Path) -> bool {
    let synced = std::fs::File::open(path).and_then(|f| f.sync_all()).is_ok();
    synced
        && Command::new("dd")
            .arg(format!("if={}", path.display()))
            .args(["iflag=nocache", "count=0", "status=none"])
            .status()
            .is_ok_and(|s| s.success())
}

/// Scores one assessment end to end as `vigie score` does, on the large file: reads the
/// plugin bytes stored in the database, loads them through the sandboxed host (compiled
/// code from the compile cache, warmed once beforehand), reads the answers, evaluates and
/// saves the evaluation. The assessment is a real NIS2 one, every question answered, made
/// here so that the bundled plugin's own questions are scored. Returns the median of 10.
fn score_one_assessment(store: &Store) -> Result<(Duration, usize), BoxError> {
    let nis2 = vigie_bundled::BUNDLED
        .iter()
        .find(|p| p.name == "nis2-suppliers")
        .ok_or("the NIS2 plugin is bundled")?;
    let blob = store.put_plugin_blob(nis2.bytes, "nis2-suppliers", "bench", "bundled")?;
    let cache_dir = tempfile::tempdir()?;
    let host = Host::new(
        Limits::default(),
        Some(CompileCache::new(
            cache_dir.path().join("cache"),
            cache_dir.path().join("cache.key"),
        )),
    )?;
    let questionnaire = host.load(nis2.bytes, "warm-up")?.questionnaire().clone();
    let date = Date::new(2026, 11, 23)?;
    // One per measuring process (the measure runs twice on the same file).
    let supplier = store.add_supplier(&SupplierFields::new(
        format!("Centre d'appels Tunis (bench {})", std::process::id()),
        Criticality::High,
    ))?;
    let assessment = store.new_assessment(&NewAssessment {
        supplier_id: supplier.id,
        plugin_sha256: blob.sha256.clone(),
        assessment_date: date,
        language: "fr".into(),
        level: None,
        previous_assessment: None,
    })?;
    for q in &questionnaire.questions {
        if let Some(value) = favourable(&q.kind, date) {
            store.set_answer(&assessment.id, &q.id, Some(value), None, None)?;
        }
    }
    let context = EvalContext {
        assessment_date: date,
        language: "fr".into(),
        level: None,
    };
    let mut times = Vec::new();
    let mut answered = 0;
    for _ in 0..10 {
        let t = Instant::now();
        let a = store.assessment(&assessment.id)?;
        let bytes = store.plugin_blob(&a.plugin_sha256)?;
        let plugin = host.load(&bytes, "database")?;
        let answers: Vec<Answer> = store
            .answers(&a.id)?
            .into_iter()
            .filter_map(|s| {
                Some(Answer {
                    question: s.question,
                    value: s.value?,
                    note: s.note,
                })
            })
            .collect();
        let evaluation = host.evaluate(&plugin, &answers, &context)?;
        store.save_evaluation(&a.id, &evaluation)?;
        times.push(t.elapsed());
        answered = answers.len();
    }
    times.sort();
    Ok((times[times.len() / 2], answered))
}

/// A favourable answer of the right kind (the first option, the upper bound, a date a year on).
fn favourable(kind: &AnswerKind, date: Date) -> Option<AnswerValue> {
    Some(match kind {
        AnswerKind::YesNo => AnswerValue::YesNo(YesNo::Yes),
        AnswerKind::SingleChoice(c) => AnswerValue::Choice(c.first()?.id.clone()),
        AnswerKind::MultipleChoice(c) => AnswerValue::Choices(vec![c.first()?.id.clone()]),
        AnswerKind::Integer(b) => {
            AnswerValue::Integer(b.max.unwrap_or(b.min.unwrap_or(1.0)) as i64)
        }
        AnswerKind::Decimal(b) => AnswerValue::Decimal(b.max.unwrap_or(b.min.unwrap_or(1.0))),
        AnswerKind::Text => AnswerValue::Text("Procédure écrite, testée en 2026.".into()),
        AnswerKind::Date => AnswerValue::Date(date.add_days(365).ok()?),
    })
}

/// Runs in a fresh process: what an auditor's process does when it opens the database.
fn measure(path: &Path) -> Result<(), BoxError> {
    let t = Instant::now();
    let store = Store::open(path, "bench")?;
    let open = t.elapsed();
    let t = Instant::now();
    let page = store.list_assessments(&AssessmentFilter::page(PAGE, 0))?;
    let list = t.elapsed();
    println!("open_ms={:.3}", ms(open));
    println!("list_ms={:.3}", ms(list));
    let first = page.first().ok_or("no assessment listed")?.id.clone();

    let total = store.count_assessments(&AssessmentFilter::default())?;
    let t = Instant::now();
    let total2 = store.count_assessments(&AssessmentFilter::default())?;
    println!("count_ms={:.3}", ms(t.elapsed()));
    assert_eq!(total, total2);
    let t = Instant::now();
    let mid = store.list_assessments(&AssessmentFilter::page(PAGE, (total / 2) as u32))?;
    println!("list_mid_ms={:.3}", ms(t.elapsed()));
    let target = mid.first().map(|a| a.id.clone()).unwrap_or(first.clone());

    let t = Instant::now();
    let got = store.assessment(short_id(&target))?;
    println!("get_short_ms={:.3}", ms(t.elapsed()));
    assert_eq!(got.id, target);
    let t = Instant::now();
    let got = store.assessment(&target[..target.len() - 4])?;
    println!("get_prefix_ms={:.3}", ms(t.elapsed()));
    assert_eq!(got.id, target);

    let t = Instant::now();
    let answers = store.answers(&target)?;
    println!("answers_ms={:.3}", ms(t.elapsed()));
    let mut times = Vec::new();
    for a in answers.iter().take(20) {
        let t = Instant::now();
        store.set_answer(
            &target,
            &a.question,
            Some(AnswerValue::YesNo(YesNo::Partial)),
            None,
            Some(a.revision),
        )?;
        times.push(ms(t.elapsed()));
    }
    times.sort_by(f64::total_cmp);
    println!(
        "set_ms={:.3}",
        times.get(times.len() / 2).copied().unwrap_or(f64::NAN)
    );
    let (score, answered) = score_one_assessment(&store)?;
    println!("score_ms={:.3}", ms(score));
    println!("score_answers={answered}");
    println!("rss_kb={}", peak_rss_kb());
    Ok(())
}

fn verify_only(path: &Path) -> Result<(), BoxError> {
    let store = Store::open(path, "bench")?;
    let t = Instant::now();
    let report = store.verify()?;
    println!("verify_ms={:.3}", ms(t.elapsed()));
    println!("audit_rows={}", report.audit_rows);
    println!("ok={}", if report.is_ok() { "all ok" } else { "PROBLEMS" });
    if !report.is_ok() {
        eprintln!("{report}");
    }
    println!("rss_kb={}", peak_rss_kb());
    Ok(())
}

/// Space used by each table and index (with its indexes), from the dbstat virtual table.
fn space_breakdown(path: &Path) -> Result<Vec<(String, u64)>, BoxError> {
    let c = Connection::open(path)?;
    let mut stmt = c.prepare(
        "SELECT CASE WHEN name LIKE 'sqlite_autoindex_answers%' THEN 'answers' \
         WHEN name LIKE 'sqlite_autoindex_assessments%' THEN 'assessments' \
         WHEN name = 'audit_by_assessment' THEN 'audit_log' \
         WHEN name LIKE 'assessments_by_%' THEN 'assessments' \
         ELSE name END AS t, sum(pgsize) FROM dbstat GROUP BY t ORDER BY 2 DESC LIMIT 4",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                format!("of which {}", r.get::<_, String>(0)?),
                r.get::<_, i64>(1)? as u64,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Writes the data set: suppliers and the plugin through the API, then assessments, answers
/// and their audit rows (hash-chained like the store's own) in one transaction with prepared
/// statements.
fn generate(path: &Path, assessments: usize) -> Result<(), BoxError> {
    let prepared = store_data::prepare(&Store::open(path, "generator")?)?;
    // A fresh file written in one go: no rollback journal is needed for pages that did not
    // exist before, and WAL would write everything twice.
    let mut sink = SqliteSink::open(
        path,
        "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;",
    )?;
    store_data::generate(&mut sink, &prepared, assessments, ANSWERS_PER_ASSESSMENT)?;
    sink.finish("PRAGMA journal_mode = WAL; ANALYZE;")
}
