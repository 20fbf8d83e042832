//! Plugin host benchmark: for each bundled plugin, cold compile vs load from
//! the compile cache, instantiation, and evaluation of ~100 answers in the
//! sandbox side by side with the same rules compiled natively.
//!
//! Run: `cargo bench -p vigie-app --bench plugins`. Prints a table; goals:
//! cache load ≤ 1 ms and ≥ 50× faster than a cold compile, evaluate ≤ 3× native.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Benchmark set-up: a panic stops the run with its message.

use std::sync::Arc;
use std::time::{Duration, Instant};

use vigie_app::check::{Trial, trial_answers};
use vigie_model::{Answer, AnswerValue, Date, EvalContext, YesNo};
use vigie_plugin_host::{CodeSource, CompileCache, Host, Limits};
use vigie_plugin_sdk::wit;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f());
        samples.push(start.elapsed());
    }
    median(samples)
}

fn to_wit(a: &Answer) -> wit::Answer {
    let date = |d: Date| wit::Date {
        year: d.year(),
        month: d.month(),
        day: d.day(),
    };
    wit::Answer {
        question: a.question.clone(),
        value: match &a.value {
            AnswerValue::YesNo(v) => wit::AnswerValue::YesNo(match v {
                YesNo::Yes => wit::YesNo::Yes,
                YesNo::No => wit::YesNo::No,
                YesNo::Partial => wit::YesNo::Partial,
                YesNo::Unknown => wit::YesNo::Unknown,
            }),
            AnswerValue::Choice(c) => wit::AnswerValue::Choice(c.clone()),
            AnswerValue::Choices(c) => wit::AnswerValue::Choices(c.clone()),
            AnswerValue::Integer(v) => wit::AnswerValue::Integer(*v),
            AnswerValue::Decimal(v) => wit::AnswerValue::Decimal(*v),
            AnswerValue::Text(t) => wit::AnswerValue::Text(t.clone()),
            AnswerValue::Date(d) => wit::AnswerValue::Date(date(*d)),
            AnswerValue::Declined => wit::AnswerValue::Declined,
        },
        note: a.note.clone(),
    }
}

type NativeEval = fn(&[wit::Answer], &wit::Context) -> Result<wit::Evaluation, String>;

fn native(id: &str) -> NativeEval {
    match id {
        "nis2-suppliers" => vigie_plugin_sdk::evaluate::<nis2_suppliers::Nis2>,
        "anssi-hygiene" => vigie_plugin_sdk::evaluate::<anssi_hygiene::Anssi>,
        _ => vigie_plugin_sdk::evaluate::<gdpr_offshore::Gdpr>,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let cache_dir = tempfile::tempdir().expect("temp dir");
    let cache = CompileCache::new(
        cache_dir.path().join("cache"),
        cache_dir.path().join("cache.key"),
    );
    let host = Arc::new(Host::new(Limits::default(), Some(cache.clone())).expect("engine"));
    if let Some(warning) = host.cache_warning() {
        panic!("the benchmark needs its compile cache: {warning}");
    }
    let date = Date::new(2026, 11, 23).expect("date");
    println!(
        "{:<16} {:>8} {:>10} {:>10} {:>7} {:>10} {:>8} {:>11} {:>11} {:>6}",
        "plugin",
        "size KiB",
        "compile ms",
        "cache ms",
        "ratio",
        "inst µs",
        "answers",
        "wasm ms",
        "native ms",
        "ratio"
    );
    for bundled in vigie_bundled::BUNDLED {
        // Cold compile: an empty cache each run.
        let mut compiles = Vec::new();
        for _ in 0..5 {
            cache.clear().expect("clear cache");
            let plugin = host.load(bundled.bytes, "bench").expect("load");
            assert_eq!(plugin.stats().source, CodeSource::Compiled);
            compiles.push(plugin.stats().code);
        }
        let compile = median(compiles);
        let mut loads = Vec::new();
        let mut plugin = None;
        for _ in 0..20 {
            let p = host.load(bundled.bytes, "bench").expect("load");
            assert_eq!(p.stats().source, CodeSource::Cache);
            loads.push(p.stats().code);
            plugin = Some(p);
        }
        let plugin = plugin.expect("loaded");
        let cached = median(loads);
        let instantiate = time(200, || host.instantiate(&plugin).expect("instantiate"));

        let questionnaire = plugin.questionnaire().clone();
        let level = questionnaire.info.levels.last().map(|l| l.id.clone());
        let mut answers = trial_answers(&questionnaire, Trial::Favourable, date, level.as_deref());
        answers.truncate(100);
        let context = EvalContext {
            assessment_date: date,
            language: "fr".into(),
            level: level.clone(),
        };
        let wasm = time(200, || {
            host.evaluate(&plugin, &answers, &context)
                .expect("evaluate")
        });
        let wit_answers: Vec<wit::Answer> = answers.iter().map(to_wit).collect();
        let wit_context = wit::Context {
            assessment_date: wit::Date {
                year: 2026,
                month: 11,
                day: 23,
            },
            language: "fr".into(),
            level,
            extensions: vec![],
        };
        let eval = native(plugin.id());
        let native = time(200, || {
            eval(&wit_answers, &wit_context).expect("native evaluate")
        });
        println!(
            "{:<16} {:>8.0} {:>10} {:>10} {:>6.0}x {:>10.1} {:>8} {:>11} {:>11} {:>5.1}x",
            plugin.id(),
            bundled.bytes.len() as f64 / 1024.0,
            ms(compile),
            ms(cached),
            compile.as_secs_f64() / cached.as_secs_f64(),
            instantiate.as_secs_f64() * 1e6,
            answers.len(),
            ms(wasm),
            ms(native),
            wasm.as_secs_f64() / native.as_secs_f64()
        );
    }
    println!(
        "\nwasm ms = host.evaluate: validate answers, applicability, fresh store + instantiate, call, lift, validate output."
    );
    score_end_to_end(&host, date);
}

/// Scoring one stored assessment end to end: read its answers from SQLite,
/// evaluate in the sandbox, cache the result back (what `vigie score` and
/// every TUI keystroke do).
fn score_end_to_end(host: &Arc<Host>, date: Date) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bench =
        vigie_app::Workbench::open(&dir.path().join("score.sqlite"), "bench", host.clone())
            .expect("open");
    let supplier = bench
        .add_supplier(&vigie_store::SupplierFields::new(
            "Bench",
            vigie_store::Criticality::High,
        ))
        .expect("supplier");
    println!();
    for id in ["nis2-suppliers", "anssi-hygiene", "gdpr-offshore"] {
        let assessment = bench
            .new_assessment(&supplier.id, id, date, "fr", None, None)
            .expect("assessment");
        let plugin = bench.plugin_for(&assessment).expect("plugin");
        let answers = trial_answers(
            plugin.questionnaire(),
            Trial::Favourable,
            date,
            assessment.level.as_deref(),
        );
        let rows = answers
            .iter()
            .map(|a| (a.question.clone(), Some(a.value.clone()), None))
            .collect();
        bench
            .answer_many(&assessment.id, rows, false)
            .expect("answers");
        let elapsed = time(50, || bench.score(&assessment.id).expect("score"));
        println!(
            "score one assessment end to end ({id}, {} answers): {} ms",
            answers.len(),
            ms(elapsed)
        );
    }
}
