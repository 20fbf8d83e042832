//! `vigie report portfolio`: the committee's HTML page rendered by a real browser (headless
//! Chromium, Debian's `chromium`; `.ci/run` installs it), which must draw its charts, and the
//! Markdown with the same tables. The screenshot stays in a temporary folder.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vigie_model::{Date, Evaluation, Localized, Severity, Verdict};
use vigie_store::{Criticality, NewActionItem, NewAssessment, Store, SupplierFields};

fn d(s: &str) -> Date {
    s.parse().expect("date")
}

fn eval(score: f64, fr: &str, severity: Severity) -> Evaluation {
    Evaluation {
        criteria: Vec::new(),
        score: Some(score),
        verdict: Verdict {
            id: fr.replace(' ', "-"),
            label: Localized::from_pairs([("fr", fr), ("en", fr)]),
            summary: Localized::default(),
            severity,
        },
        findings: Vec::new(),
        extensions: Vec::new(),
    }
}

/// Five suppliers across the matrix, two with score histories, one with a hostile name, and
/// action items (one done) so that the activity chart has bars.
fn populate(db: &Path) {
    let store = Store::open(db, "alice").expect("open");
    let plugin = store
        .put_plugin_blob(
            b"\0asm not a real plugin",
            "nis2-suppliers",
            "1.0.0",
            "test",
        )
        .expect("plugin")
        .sha256;
    let mut last = String::new();
    for (name, criticality, history) in [
        (
            "Centre d'appels Tunis",
            Criticality::Critical,
            vec![
                (30.0, "non conforme", Severity::High),
                (55.0, "à vérifier", Severity::Medium),
            ],
        ),
        (
            "Datacentre Lyon",
            Criticality::Low,
            vec![
                (70.0, "conforme", Severity::Low),
                (85.0, "conforme", Severity::Low),
                (92.0, "conforme", Severity::Info),
            ],
        ),
        (
            "Offshore <script>alert(1)</script> BPO",
            Criticality::High,
            vec![(15.0, "critique", Severity::Critical)],
        ),
        (
            "Paie & RH Bretagne",
            Criticality::Medium,
            vec![(60.0, "à vérifier", Severity::Medium)],
        ),
        ("Nouvelle Agence Web", Criticality::Medium, vec![]),
    ] {
        let supplier = store
            .add_supplier(&SupplierFields::new(name, criticality))
            .expect("supplier")
            .id;
        for (i, (score, verdict, severity)) in history.into_iter().enumerate() {
            let a = store
                .new_assessment(&NewAssessment {
                    supplier_id: supplier.clone(),
                    plugin_sha256: plugin.clone(),
                    assessment_date: d(&format!("{}-03-01", 2023 + i)),
                    language: "fr".into(),
                    level: None,
                    previous_assessment: None,
                })
                .expect("assessment")
                .id;
            store
                .finalize(&a, &eval(score, verdict, severity))
                .expect("finalize");
            last = a.into_string();
        }
    }
    for i in 0..3 {
        let item = store
            .add_action_item(
                &last,
                &NewActionItem {
                    finding_id: format!("f{i}"),
                    title: format!("Action {i}"),
                    owner: None,
                    deadline: Some(d("2024-01-01")),
                },
            )
            .expect("action");
        if i == 0 {
            store
                .update_action_item(
                    &item.id,
                    &vigie_store::ActionItemUpdate {
                        status: Some(vigie_store::ActionStatus::Done),
                        ..Default::default()
                    },
                )
                .expect("done");
        }
    }
}

fn vigie(dir: &Path, args: &[&str]) -> std::process::Output {
    let home = dir.join("home");
    Command::new(env!("CARGO_BIN_EXE_vigie"))
        .current_dir(dir)
        .env("VIGIE_CACHE_DIR", dir.join("cache"))
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("USER", "tester")
        .env("LANG", "C.UTF-8")
        .env_remove("VIGIE_DB")
        .arg("--db")
        .arg(dir.join("vigie.sqlite"))
        .args(args)
        .output()
        .expect("run vigie")
}

fn report(dir: &Path, format: &str, lang: &str) -> String {
    let file = dir.join(format!("portfolio-{lang}.{format}"));
    let out = vigie(
        dir,
        &[
            "report",
            "portfolio",
            "--format",
            format,
            "--lang",
            lang,
            "-o",
            file.to_str().expect("utf-8 path"),
        ],
    );
    assert!(
        out.status.success(),
        "vigie report portfolio: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&file).expect("report written")
}

/// The browser: `VIGIE_CHROMIUM` or Debian's `chromium`. Missing, the test fails saying how to
/// install it: a report test that skips itself proves nothing.
fn chromium() -> PathBuf {
    let program = std::env::var_os("VIGIE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("chromium"));
    let found = Command::new(&program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "headless Chromium is needed to check that the portfolio report draws its charts, and \
         `{}` cannot be run: install it (`apt-get install chromium`, as .ci/run does) or point \
         VIGIE_CHROMIUM at a Chromium binary",
        program.display()
    );
    program
}

/// Runs Chromium headless on `page` with `mode` (`--dump-dom` or `--screenshot=…`), at most
/// two minutes, and returns its standard output.
fn run_chromium(browser: &Path, profile: &Path, mode: &str, page: &Path) -> String {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=1200,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(mode)
        .arg(page)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!(
                "chromium did not finish rendering {} in two minutes",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("chromium output");
    assert!(
        out.status.success(),
        "chromium failed on {}: {}",
        page.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The RGB pixels of a PNG file, with its width and height.
fn pixels(png_file: &Path) -> (Vec<[u8; 3]>, usize, usize) {
    let file = std::fs::File::open(png_file).expect("screenshot written");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG");
    let size = reader.output_buffer_size().expect("a PNG of sensible size");
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let row = &buf[y * info.line_size..];
        for x in 0..w {
            let p = &row[x * channels..];
            out.push(if channels >= 3 {
                [p[0], p[1], p[2]]
            } else {
                [p[0], p[0], p[0]]
            });
        }
    }
    (out, w, h)
}

fn hex(c: &str) -> [u8; 3] {
    let v = u32::from_str_radix(c.trim_start_matches('#'), 16).expect("hex colour");
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

/// The bounding box (x0, y0, x1, y1) of the pixels close to `colour`, and how many there are.
fn area_of(
    pixels: &[[u8; 3]],
    width: usize,
    colour: [u8; 3],
) -> (usize, (usize, usize, usize, usize)) {
    let mut n = 0;
    let mut bbox = (usize::MAX, usize::MAX, 0, 0);
    for (i, p) in pixels.iter().enumerate() {
        if p.iter().zip(colour).all(|(a, b)| a.abs_diff(b) <= 6) {
            n += 1;
            let (x, y) = (i % width, i / width);
            bbox = (bbox.0.min(x), bbox.1.min(y), bbox.2.max(x), bbox.3.max(y));
        }
    }
    (n, bbox)
}

#[test]
fn chromium_draws_the_charts_of_the_html_report() {
    let browser = chromium();
    let dir = tempfile::tempdir().expect("tempdir");
    populate(&dir.path().join("vigie.sqlite"));
    let html = report(dir.path(), "html", "fr");
    assert!(
        !html.contains("<script"),
        "no script, and the hostile name is escaped"
    );
    assert!(html.contains("Offshore &lt;script&gt;alert(1)&lt;/script&gt; BPO"));
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "no external asset"
    );
    assert!(html.contains("@page { size: A4"), "A4 print styles");
    let page = dir.path().join("portfolio-fr.html");
    let profile = dir.path().join("chromium-profile");

    // What the browser built from the page: every chart and its parts.
    let dom = run_chromium(&browser, &profile, "--dump-dom", &page);
    assert!(
        dom.contains("class=\"chart risk-matrix\""),
        "risk matrix in the DOM"
    );
    assert_eq!(
        dom.matches("<rect class=\"cell\"").count(),
        20,
        "4 × 5 matrix cells"
    );
    assert_eq!(
        dom.matches("<svg class=\"spark\"").count(),
        4,
        "a sparkline per assessed supplier"
    );
    assert_eq!(
        dom.matches("<polyline").count(),
        2,
        "a line where there are two scores or more"
    );
    assert!(
        dom.contains("class=\"chart activity\""),
        "the actions chart"
    );
    assert!(dom.contains("<rect class=\"bar opened\""));
    assert!(dom.contains("<rect class=\"bar closed\""));
    assert!(!dom.contains("<script"), "nothing executable");

    // What it drew: the matrix cells and the bars are on the screenshot, with a real size.
    let shot = dir.path().join("p.png");
    run_chromium(
        &browser,
        &profile,
        &format!("--screenshot={}", shot.display()),
        &page,
    );
    let (px, width, height) = pixels(&shot);
    assert_eq!((width, height), (1200, 1600));
    let non_white = px.iter().filter(|p| p.iter().any(|c| *c < 235)).count();
    assert!(
        non_white > 20_000,
        "the page is not blank ({non_white} inked pixels)"
    );
    // The "no verdict" column and the reddest cell of the matrix, the opened-actions bars.
    for (what, colour, min_pixels) in [
        ("matrix cells without verdict", "#e6e6e6", 4 * 60 * 30),
        ("the riskiest matrix cells", "#f5b5b5", 3 * 60 * 30),
        ("the favourable matrix cells", "#d8efd8", 60 * 30),
        ("the opened-actions bar and sparklines", "#1f4e99", 300),
    ] {
        let (n, (x0, y0, x1, y1)) = area_of(&px, width, hex(colour));
        assert!(
            n >= min_pixels,
            "{what} ({colour}) are not drawn: {n} pixels on the screenshot"
        );
        assert!(x1 > x0 && y1 > y0, "{what}: an empty area");
        assert!(y0 < 1600, "{what}: inside the page");
    }
    // The matrix sits in one block: its cells' box is about 5 × 84 by 4 × 42 pixels.
    let (_, (x0, y0, x1, y1)) = area_of(&px, width, hex("#e6e6e6"));
    assert!(
        y1 - y0 >= 4 * 40,
        "the no-verdict column spans the four criticality rows"
    );
    assert!(x1 - x0 >= 60, "the no-verdict column has a width");
}

#[test]
fn markdown_report_has_the_same_tables() {
    let dir = tempfile::tempdir().expect("tempdir");
    populate(&dir.path().join("vigie.sqlite"));
    let md = report(dir.path(), "md", "en");
    assert!(md.starts_with("# Supplier portfolio"), "{md}");
    assert!(
        md.contains("| critical | 0 | 1 | 0 | 0 | 0 |"),
        "matrix row: {md}"
    );
    assert!(
        md.contains("| medium | 0 | 1 | 0 | 0 | 1 |"),
        "matrix row: {md}"
    );
    assert!(md.contains("▆▇▇ 70 → 85 → 92"), "trend in text: {md}");
    assert!(
        md.contains("Offshore \\<script\\>alert(1)\\</script\\> BPO"),
        "escaped: {md}"
    );
    assert!(md.contains("| Month | opened | finished |"), "{md}");
    assert!(md.contains("| 3 | 1 |"), "three opened, one finished: {md}");
    assert!(md.contains("action overdue"), "{md}");
    let html = report(dir.path(), "html", "en");
    // The same suppliers in the same order in both.
    let order = |text: &str| -> Vec<usize> {
        ["Offshore", "Tunis", "Nouvelle Agence", "Paie", "Datacentre"]
            .iter()
            .map(|n| text.find(n).expect("supplier listed"))
            .collect()
    };
    let (m, h) = (order(&md), order(&html));
    assert!(
        m.windows(2).all(|w| w[0] < w[1]),
        "risk order in Markdown: {m:?}"
    );
    assert!(
        h.windows(2).all(|w| w[0] < w[1]),
        "risk order in HTML: {h:?}"
    );
    let r = vigie(dir.path(), &["report", "portfolio", "--format", "csv"]);
    assert_eq!(r.status.code(), Some(2), "csv is for `vigie portfolio`");
}
