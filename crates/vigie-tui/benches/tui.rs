//! Workbench benchmark. Prints a table; goals from the issue:
//! start → first frame ≤ 50 ms (warm plugin cache, 1k assessments);
//! answer keystroke → saved, rescored, drawn ≤ 5 ms;
//! bytes written for a keystroke ≤ 0.2 × a full redraw;
//! fuzzy search over 100k questions, answers and notes ≤ 16 ms per keystroke;
//! resident memory with an interview open and three plugins loaded ≤ 50 MiB.
//!
//! Run: `cargo bench -p vigie-tui --bench tui`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Benchmark set-up: a panic stops the run with its message.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use vigie_model::Date;
use vigie_plugin_host::{CompileCache, Host, Limits};
use vigie_store::{Criticality, SupplierFields};
use vigie_tui::search::{Field, SearchIndex};
use vigie_tui::{Msg, Options, build_app, view};

/// A terminal sink that counts bytes.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<u64>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Ok(mut n) = self.0.lock() {
            *n += buf.len() as u64;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink {
    fn take(&self) -> u64 {
        self.0
            .lock()
            .map(|mut n| std::mem::take(&mut *n))
            .unwrap_or(0)
    }
}

fn terminal(sink: &Sink, width: u16, height: u16) -> Terminal<CrosstermBackend<Sink>> {
    Terminal::with_options(
        CrosstermBackend::new(sink.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
        },
    )
    .expect("terminal")
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn max(v: &[Duration]) -> Duration {
    v.iter().copied().max().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn row(name: &str, value: String, goal: &str, ok: bool) {
    println!(
        "{name:<52} {value:>16}  {goal:<12} {}",
        if ok { "ok" } else { "MISSED" }
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.sqlite");
    let cache = CompileCache::new(dir.path().join("cache"), dir.path().join("cache.key"));
    let today = Date::new(2026, 11, 23).expect("date");
    let options = Options {
        db: db.clone(),
        auditor: "bench".into(),
        lang: "fr".into(),
        today,
        config_dir: None,
        color: true,
    };

    // Fill the database: 50 suppliers, 1,000 assessments (warms the cache too).
    {
        let host = Arc::new(Host::new(Limits::default(), Some(cache.clone())).expect("engine"));
        let mut bench = vigie_app::Workbench::open(&db, "bench", host).expect("open");
        let plugins = ["nis2-suppliers", "anssi-hygiene", "gdpr-offshore"];
        for s in 0..50 {
            let supplier = bench
                .add_supplier(&SupplierFields::new(
                    format!("Fournisseur {s:02}"),
                    Criticality::High,
                ))
                .expect("supplier");
            for a in 0..20 {
                bench
                    .new_assessment(&supplier.id, plugins[a % 3], today, "fr", None, None)
                    .expect("assessment");
            }
        }
    }

    println!("{:<52} {:>16}  {:<12}", "measure", "result", "goal");
    // Start → first frame, warm cache: engine, three plugins, store, home list, draw.
    let mut starts = Vec::new();
    for _ in 0..5 {
        let sink = Sink::default();
        let started = Instant::now();
        let host = Arc::new(Host::new(Limits::default(), Some(cache.clone())).expect("engine"));
        let app = build_app(&options, host).expect("app");
        let mut term = terminal(&sink, 100, 30);
        term.draw(|f| view::draw(f, &app)).expect("draw");
        starts.push(started.elapsed());
    }
    let start = median(starts);
    row(
        "start to first frame (1k assessments, warm cache)",
        ms(start),
        "≤ 50 ms",
        start <= Duration::from_millis(50),
    );

    // One answer keystroke → saved, rescored, drawn.
    let host = Arc::new(Host::new(Limits::default(), Some(cache.clone())).expect("engine"));
    let mut app = build_app(&options, host).expect("app");
    let id = app
        .bench
        .assessments(&vigie_store::AssessmentFilter::page(1, 0))
        .expect("list")[0]
        .id
        .clone();
    app.open_interview(&id);
    // Go to the first yes-no question (the NIS2 scope questions are numbers).
    for _ in 0..200 {
        let is_yes_no = match app.stack.last() {
            Some(vigie_tui::app::Screen::Interview(iv)) => {
                matches!(
                    iv.questionnaire.questions[iv.current].kind,
                    vigie_model::AnswerKind::YesNo
                )
            }
            _ => true,
        };
        if is_yes_no {
            break;
        }
        app.update(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)));
    }
    let sink = Sink::default();
    let mut term = terminal(&sink, 100, 30);
    term.draw(|f| view::draw(f, &app)).expect("draw");
    let mut latencies = Vec::new();
    let mut keystroke_bytes = Vec::new();
    for i in 0..200 {
        sink.take();
        let started = Instant::now();
        app.update(key(if i % 2 == 0 { '1' } else { '2' }));
        term.draw(|f| view::draw(f, &app)).expect("draw");
        latencies.push(started.elapsed());
        keystroke_bytes.push(sink.take());
        // Back to the same question (answering moves on); not measured.
        app.update(Msg::Key(KeyEvent::new(KeyCode::Up, KeyModifiers::NONE)));
        term.draw(|f| view::draw(f, &app)).expect("draw");
    }
    let keystroke = median(latencies.clone());
    row(
        "answer keystroke → saved, rescored, drawn (median)",
        ms(keystroke),
        "≤ 5 ms",
        keystroke <= Duration::from_millis(5),
    );
    row("  same, worst of 200", ms(max(&latencies)), "", true);

    // A full redraw: every cell of the same screen written out, as a UI
    // that does not diff frames would.
    let mut test_term =
        Terminal::new(ratatui::backend::TestBackend::new(100, 30)).expect("test terminal");
    test_term.draw(|f| view::draw(f, &app)).expect("draw");
    let buffer = test_term.backend().buffer().clone();
    let fresh = Sink::default();
    let mut backend = CrosstermBackend::new(fresh.clone());
    let cells = buffer
        .content
        .iter()
        .enumerate()
        .map(|(i, cell)| ((i % 100) as u16, (i / 100) as u16, cell));
    backend.draw(cells).expect("full draw");
    Backend::flush(&mut backend).expect("flush");
    let full = fresh.take().max(1);
    keystroke_bytes.sort();
    let per_key = keystroke_bytes[keystroke_bytes.len() / 2];
    let ratio = per_key as f64 / full as f64;
    row(
        "bytes for an answer keystroke / full redraw",
        format!("{per_key} / {full} = {ratio:.2}"),
        "≤ 0.2×",
        ratio <= 0.2,
    );
    let rss = rss_mib();
    row(
        "resident memory, interview open, 3 plugins",
        format!("{rss:.1} MiB"),
        "≤ 50 MiB",
        rss <= 50.0,
    );

    // Fuzzy search over 100k questions, answers and notes.
    let mut index = SearchIndex::new();
    let prompts: Vec<String> = app
        .bench
        .catalog()
        .entries()
        .iter()
        .flat_map(|e| {
            e.plugin
                .questionnaire()
                .questions
                .iter()
                .map(|q| q.prompt.get("fr").to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let notes = [
        "Certificat vu, émis par un organisme accrédité",
        "Le prestataire enverra la politique de sécurité la semaine prochaine",
        "Chiffrement des données au repos confirmé par le RSSI",
        "Pas de test de restauration depuis 2024",
    ];
    let mut n = 0usize;
    while index.len() < 100_000 {
        let p = &prompts[n % prompts.len()];
        match n % 3 {
            0 => index.push(n, Field::Question, &format!("{p} #{n}")),
            1 => index.push(n, Field::Answer, &format!("oui, partiel {n}")),
            _ => index.push(n, Field::Note, &format!("{} ({n})", notes[n % notes.len()])),
        }
        n += 1;
    }
    let query = "chiffrement donnees";
    let mut per_key = Vec::new();
    for end in 1..=query.len() {
        let started = Instant::now();
        let hits = index.search(&query[..end], 50);
        per_key.push(started.elapsed());
        std::hint::black_box(hits);
    }
    let worst = max(&per_key);
    row(
        &format!("fuzzy search, {} entries, worst keystroke", index.len()),
        ms(worst),
        "≤ 16 ms",
        worst <= Duration::from_millis(16),
    );
    row("  first keystroke (full scan)", ms(per_key[0]), "", true);
    row("  median keystroke", ms(median(per_key)), "", true);
}
