//! Portfolio benchmark: 5,000 suppliers and 50,000 assessments (ten per supplier, each with
//! its evaluation, findings, evidence and action items) and what the portfolio costs on it:
//! opening the file and computing every supplier's row, the attention list, sorting and
//! filtering, and the peak memory of that process.
//!
//! `cargo bench -p vigie-store --bench portfolio`. Environment:
//! - `VIGIE_BENCH_SCALE`: fraction of the full size (default 1; e.g. 0.05 for a quick run);
//! - `VIGIE_BENCH_DIR`: where to write the database (default: a temporary folder, removed).
//!
//! Measurements run in a fresh child process (this binary again), so that the peak RSS is that
//! of an auditor's process opening the portfolio, not of the generator.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A benchmark: a panic stops it with its message.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use vigie_model::Date;
use vigie_store::{ExpiryQuestion, PortfolioFilter, PortfolioSort, Store, sort_rows};

const FULL_SUPPLIERS: f64 = 5_000.0;
const ASSESSMENTS_PER_SUPPLIER: usize = 10;
const RUNS: usize = 15;
const ENV_MEASURE: &str = "VIGIE_BENCH_PORTFOLIO_MEASURE";
const TODAY: &str = "2026-06-15";

type BoxError = Box<dyn std::error::Error>;

fn main() -> Result<(), BoxError> {
    if let Ok(path) = std::env::var(ENV_MEASURE) {
        return measure(Path::new(&path));
    }
    let scale: f64 = match std::env::var("VIGIE_BENCH_SCALE") {
        Ok(s) => s
            .parse()
            .map_err(|_| format!("VIGIE_BENCH_SCALE={s} is not a number"))?,
        Err(_) => 1.0,
    };
    let suppliers = ((FULL_SUPPLIERS * scale).round() as usize).max(1);
    let (_tmp, dir) = match std::env::var("VIGIE_BENCH_DIR") {
        Ok(d) => (None, PathBuf::from(d)),
        Err(_) => {
            let t = tempfile::tempdir()?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("portfolio-{suppliers}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let assessments = suppliers * ASSESSMENTS_PER_SUPPLIER;
    eprintln!(
        "generating {suppliers} suppliers / {assessments} assessments into {}",
        path.display()
    );
    let started = Instant::now();
    generate(&path, suppliers)?;
    let generation = started.elapsed();
    let size = std::fs::metadata(&path)?.len();

    let exe = std::env::current_exe()?;
    let out = Command::new(&exe).env(ENV_MEASURE, &path).output()?;
    if !out.status.success() {
        return Err(format!(
            "measuring child failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let m = String::from_utf8(out.stdout)?;
    let v = |key: &str| -> String {
        m.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or("?")
            .to_string()
    };
    let num = |key: &str| v(key).parse::<f64>().unwrap_or(f64::NAN);
    let full = suppliers >= FULL_SUPPLIERS as usize;
    let check = |value: f64, goal: f64| {
        if !full {
            "(scaled)"
        } else if value <= goal {
            "ok"
        } else {
            "OVER"
        }
    };
    println!();
    println!(
        "portfolio: {suppliers} suppliers, {assessments} assessments, {} rows returned",
        v("rows")
    );
    println!("{:<52} {:>12}  {:<10} status", "measure", "value", "goal");
    println!("{}", "-".repeat(84));
    println!("(machine load average during the measure: {})", v("load"));
    let line = |name: &str, value: String, goal: &str, status: &str| {
        println!("{name:<52} {value:>12}  {goal:<10} {status}");
    };
    line(
        "generate database (s)",
        format!("{:.1}", generation.as_secs_f64()),
        "",
        "",
    );
    line(
        "database size (MiB)",
        format!("{:.1}", size as f64 / 1048576.0),
        "",
        "",
    );
    line("open the store (ms)", v("open_ms"), "", "");
    line(
        "portfolio rows, first call (ms)",
        v("first_ms"),
        "≤ 100",
        check(num("first_ms"), 100.0),
    );
    line(
        &format!("portfolio rows, median of {RUNS} (ms)"),
        v("median_ms"),
        "≤ 100",
        check(num("median_ms"), 100.0),
    );
    line(
        &format!("portfolio rows, median CPU time of {RUNS} (ms)"),
        v("median_cpu_ms"),
        "≤ 100",
        check(num("median_cpu_ms"), 100.0),
    );
    line("portfolio rows, slowest (ms)", v("max_ms"), "", "");
    line("attention list (ms)", v("attention_ms"), "", "");
    line("sort by risk + filter (ms)", v("sort_ms"), "", "");
    line(
        "open + rows + attention: data for a first frame (ms)",
        v("first_frame_data_ms"),
        "≤ 50",
        check(num("first_frame_data_ms"), 50.0),
    );
    line(
        "peak RSS of the measuring process (MiB)",
        format!("{:.1}", num("rss_kb") / 1024.0),
        "≤ 50",
        check(num("rss_kb") / 1024.0, 50.0),
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system) this process has used: on a shared, loaded machine the wall
/// time also counts the waits for a core, this does not.
#[allow(unsafe_code)]
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage = unsafe { std::mem::zeroed::<libc::rusage>() };
    // SAFETY: RUSAGE_SELF with a valid pointer to a rusage struct.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn measure(path: &Path) -> Result<(), BoxError> {
    let today: Date = TODAY.parse()?;
    let questions = [
        ExpiryQuestion {
            plugin_id: "nis2-suppliers".into(),
            question_id: "iso-expiry".into(),
        },
        ExpiryQuestion {
            plugin_id: "gdpr-offshore".into(),
            question_id: "security-certification-expiry".into(),
        },
    ];
    let started = Instant::now();
    let store = Store::open(path, "bench")?;
    let open = started.elapsed();
    let t = Instant::now();
    let mut rows = store.portfolio(today, 90)?;
    let first = t.elapsed();
    let t = Instant::now();
    let attention = store.attention(&rows, today, 90, &questions)?;
    let attention_time = t.elapsed();
    let first_frame = started.elapsed();
    let t = Instant::now();
    sort_rows(&mut rows, PortfolioSort::Risk);
    let filter = PortfolioFilter {
        overdue: true,
        ..PortfolioFilter::default()
    };
    let kept = rows.iter().filter(|r| filter.matches(r)).count();
    let sort = t.elapsed();
    let mut times = Vec::with_capacity(RUNS);
    let mut cpu = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (t, c) = (Instant::now(), cpu_time());
        let again = store.portfolio(today, 90)?;
        times.push(t.elapsed());
        cpu.push(cpu_time().saturating_sub(c));
        assert_eq!(again.len(), rows.len());
    }
    times.sort();
    cpu.sort();
    println!("median_cpu_ms={:.2}", ms(cpu[RUNS / 2]));
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load={}", load.split_whitespace().next().unwrap_or("?"));
    println!("open_ms={:.2}", ms(open));
    println!("first_ms={:.2}", ms(first));
    println!("median_ms={:.2}", ms(times[RUNS / 2]));
    println!("max_ms={:.2}", ms(times[RUNS - 1]));
    println!("attention_ms={:.2}", ms(attention_time));
    println!("sort_ms={:.2}", ms(sort));
    println!("first_frame_data_ms={:.2}", ms(first_frame));
    println!("rows={}", rows.len());
    println!("attention={}", attention.len());
    println!("overdue_kept={kept}");
    println!("rss_kb={}", peak_rss_kb());
    Ok(())
}

/// A deterministic PRNG (splitmix64).
struct Prng(u64);

impl Prng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];
const CRITICALITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// An evaluation as the plugins write it: verdict, forty criteria with their rationale, and
/// some findings (about 6 KiB, like the bundled questionnaires' evaluations).
fn evaluation(rng: &mut Prng, score: f64) -> (String, String, usize) {
    let verdict_severity = SEVERITIES[rng.below(5) as usize];
    let criteria: Vec<serde_json::Value> = (0..40)
        .map(|i| {
            let status = ["compliant", "to-verify", "non-compliant"][rng.below(3) as usize];
            serde_json::json!({
                "criterion": format!("c{i}"),
                "status": status,
                "rationale": [{"lang": "fr", "text": "Le fournisseur a présenté les éléments attendus pour ce critère."}],
            })
        })
        .collect();
    let findings = rng.below(6) as usize;
    let findings: Vec<serde_json::Value> = (0..findings)
        .map(|i| {
            let severity = SEVERITIES[rng.below(5) as usize];
            serde_json::json!({
                "id": format!("f{i}"),
                "criterion": format!("c{i}"),
                "severity": severity,
                "title": [{"lang": "fr", "text": "Écart constaté"}],
                "recommendation": [{"lang": "fr", "text": "Mettre en place la mesure."}],
                "deadline_days": 90,
            })
        })
        .collect();
    let n = findings.len();
    let verdict = format!("v-{verdict_severity}");
    let json = serde_json::json!({
        "criteria": criteria,
        "score": score,
        "verdict": {
            "id": verdict,
            "label": [{"lang": "fr", "text": "Verdict"}, {"lang": "en", "text": "Verdict"}],
            "summary": [],
            "severity": verdict_severity,
        },
        "findings": findings,
        "extensions": [],
    });
    (json.to_string(), verdict, n)
}

fn date(days_since_epoch: i64) -> Result<String, BoxError> {
    Ok(Date::from_days_since_epoch(days_since_epoch)?.to_string())
}

/// Writes the database with SQL directly (the store's API would audit every row, which is
/// not what is measured here); the triggers fill the evaluation caches as the store would.
fn generate(path: &Path, suppliers: usize) -> Result<(), BoxError> {
    drop(Store::open(path, "bench")?);
    let mut conn = Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")?;
    let tx = conn.transaction()?;
    let sha = "0".repeat(64);
    tx.execute(
        "INSERT INTO plugin_blobs (sha256, size, plugin_id, version, origin, added_by, added_at, bytes) \
         VALUES (?1, 4, 'nis2-suppliers', '1.0.0', 'bench', 'bench', '2020-01-01T00:00:00.000000Z', x'00')",
        [&sha],
    )?;
    let today: Date = TODAY.parse()?;
    let today_days = today.days_since_epoch();
    let mut rng = Prng(42);
    {
        let mut supplier = tx.prepare(
            "INSERT INTO suppliers (id, name, name_key, criticality, created_by, created_at, \
             updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, 'bench', ?5, 'bench', ?5)",
        )?;
        let mut assessment = tx.prepare(
            "INSERT INTO assessments (id, supplier_id, plugin_sha256, plugin_id, plugin_version, \
             status, auditor, assessment_date, language, created_at, score, verdict, \
             evaluated_at, last_evaluation) \
             VALUES (?1, ?2, ?3, 'nis2-suppliers', '1.0.0', 'draft', 'bench', ?4, 'fr', ?5, ?6, \
             ?7, ?5, ?8)",
        )?;
        let mut evidence = tx.prepare(
            "INSERT INTO evidence (id, assessment_id, kind, text, expiry_date, added_by, added_at) \
             VALUES (?1, ?2, 'note', 'Certificat ISO 27001', ?3, 'bench', ?4)",
        )?;
        let mut action = tx.prepare(
            "INSERT INTO action_items (id, assessment_id, finding_id, title, deadline, status, \
             created_by, created_at, updated_by, updated_at) \
             VALUES (?1, ?2, ?3, 'Corriger', ?4, ?5, 'bench', ?6, 'bench', ?6)",
        )?;
        let mut answer = tx.prepare(
            "INSERT INTO answers (assessment_id, question_id, value, revision, updated_by, updated_at) \
             VALUES (?1, 'iso-expiry', ?2, 1, 'bench', ?3)",
        )?;
        let mut seq = 0u64;
        let mut id = |prefix: &str| {
            seq += 1;
            format!("{prefix}{seq:012x}-0000-7000-8000-000000000000")
        };
        for s in 0..suppliers {
            let supplier_id = id("5");
            let name = format!("Fournisseur {s:05}");
            let created = "2020-01-01T00:00:00.000000Z";
            supplier.execute(params![
                supplier_id,
                name,
                name.to_lowercase(),
                CRITICALITIES[rng.below(4) as usize],
                created
            ])?;
            for k in 0..ASSESSMENTS_PER_SUPPLIER {
                let assessment_id = id("a");
                // Ten assessments a year or so apart, the latest within the last two years.
                let day = today_days - 3650 + (k as i64) * 360 + rng.below(300) as i64;
                let assessment_date = date(day)?;
                let created_at = format!("{assessment_date}T10:00:00.000000Z");
                let last = k + 1 == ASSESSMENTS_PER_SUPPLIER;
                let is_final = !last || rng.below(4) != 0;
                let score = 20.0 + rng.below(80) as f64;
                let (json, verdict, findings) = evaluation(&mut rng, score);
                assessment.execute(params![
                    assessment_id,
                    supplier_id,
                    sha,
                    assessment_date,
                    created_at,
                    score,
                    verdict,
                    json,
                ])?;
                if rng.below(2) == 0 {
                    let expiry = date(day + 365 + rng.below(400) as i64)?;
                    evidence.execute(params![id("e"), assessment_id, expiry, created_at])?;
                }
                answer.execute(params![
                    assessment_id,
                    serde_json::json!({"type": "date", "value": date(day + 300 + rng.below(500) as i64)?}).to_string(),
                    created_at
                ])?;
                for f in 0..findings.min(3) {
                    let deadline = date(day + 60 + rng.below(700) as i64)?;
                    // Actions of earlier assessments were mostly finished by the next one.
                    let status = if !last && rng.below(10) != 0 {
                        "done"
                    } else {
                        ["open", "in-progress", "done"][rng.below(3) as usize]
                    };
                    action.execute(params![
                        id("c"),
                        assessment_id,
                        format!("f{f}"),
                        deadline,
                        status,
                        created_at
                    ])?;
                }
                if is_final {
                    // Finalised after its evidence and answers, as the store requires.
                    tx.execute(
                        "UPDATE assessments SET status = 'final', final_evaluation = last_evaluation, \
                         finalized_by = 'bench', finalized_at = evaluated_at WHERE id = ?1",
                        [&assessment_id],
                    )?;
                }
            }
            if (s + 1) % 1000 == 0 {
                eprintln!("  {} suppliers", s + 1);
            }
        }
    }
    tx.commit()?;
    // No ANALYZE: a team's database has no statistics unless someone runs it, and the
    // portfolio must be quick without them.
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(())
}
