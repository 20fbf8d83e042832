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

use vigie_model::Date;
use vigie_store::{ExpiryQuestion, PortfolioFilter, PortfolioSort, Store, sort_rows};

mod common;
use common::load::SqliteSink;
use common::portfolio_data::{self, ASSESSMENTS_PER_SUPPLIER, TODAY};
use common::{BoxError, ms, peak_rss_kb};

const FULL_SUPPLIERS: f64 = portfolio_data::FULL_SUPPLIERS as f64;
const RUNS: usize = 15;
const ENV_MEASURE: &str = "VIGIE_BENCH_PORTFOLIO_MEASURE";

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

/// Writes the database with SQL directly (the store's API would audit every row, which is
/// not what is measured here); the triggers fill the evaluation caches as the store would.
fn generate(path: &Path, suppliers: usize) -> Result<(), BoxError> {
    drop(Store::open(path, "bench")?);
    let mut sink = SqliteSink::open(path, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")?;
    portfolio_data::generate(&mut sink, suppliers)?;
    // No ANALYZE: a team's database has no statistics unless someone runs it, and the
    // portfolio must be quick without them.
    sink.finish("PRAGMA wal_checkpoint(TRUNCATE);")
}
