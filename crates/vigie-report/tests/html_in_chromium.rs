//! The HTML report as a browser draws it: Debian's `chromium`, headless, with
//! no colour-emoji font, takes a screenshot of a report holding every status,
//! and the status marks must be on it. Each mark is drawn in a colour used for
//! nothing else on the page; the page is drawn twice, as written and with the
//! marks hidden by a style rule, and each mark's colour must appear in the
//! first screenshot and not in the second (so the pixels are the marks', and a
//! mark drawn as an empty box, as emoji are without an emoji font, fails).
//!
//! chromium is required: `.ci/run` installs it. Without it the test fails and
//! says so (`VIGIE_CHROMIUM` names another binary). The screenshots are written
//! in a temporary folder, never in the repository.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vigie_model::{
    AnswerKind, AnswerValue, Assessment, AssessmentStatus, Criterion, CriterionResult, Criticality,
    Evaluation, Help, Localized, PluginInfo, Question, Questionnaire, Section, Severity, Status,
    StoredAnswer, Supplier, Timestamp, Verdict, YesNo,
};
use vigie_report::{Format, Lang, ReportInput, render};

fn at(text: &str) -> Timestamp {
    text.parse().expect("a timestamp")
}

fn t(text: &str) -> Localized {
    Localized::from_pairs([("fr", text), ("en", text)])
}

/// A report with one criterion of each status and an answer to confirm.
fn input() -> ReportInput {
    let criteria: Vec<(String, Status)> = Status::ALL
        .iter()
        .map(|s| (format!("c-{}", s.id()), *s))
        .collect();
    let questionnaire = Questionnaire {
        info: PluginInfo {
            id: "marks".into(),
            version: "1.0.0".into(),
            name: t("Marks"),
            description: t("Every status"),
            authors: Vec::new(),
            languages: vec!["fr".into(), "en".into()],
            frameworks: Vec::new(),
            levels: Vec::new(),
            extensions: Vec::new(),
        },
        sections: vec![Section {
            id: "s".into(),
            title: t("Section"),
            description: t(""),
            levels: Vec::new(),
            applicable_when: Vec::new(),
            extensions: Vec::new(),
        }],
        questions: vec![Question {
            id: "q".into(),
            section: "s".into(),
            prompt: t("Question"),
            help: Help::default(),
            kind: AnswerKind::YesNo,
            references: Vec::new(),
            criteria: criteria.iter().map(|(id, _)| id.clone()).collect(),
            levels: Vec::new(),
            applicable_when: Vec::new(),
            extensions: Vec::new(),
        }],
        criteria: criteria
            .iter()
            .map(|(id, status)| Criterion {
                id: id.clone(),
                title: t(&format!("Criterion {}", status.id())),
                description: t(""),
                weight: 1,
                severity: Severity::High,
                references: Vec::new(),
                levels: Vec::new(),
                extensions: Vec::new(),
            })
            .collect(),
    };
    let evaluation = Evaluation {
        criteria: criteria
            .iter()
            .map(|(id, status)| CriterionResult {
                criterion: id.clone(),
                status: *status,
                rationale: t("Because."),
                score: None,
            })
            .collect(),
        score: Some(50.0),
        verdict: Verdict {
            id: "remediate".into(),
            label: t("Remediate"),
            summary: t("Gaps to close."),
            severity: Severity::High,
        },
        findings: Vec::new(),
        extensions: Vec::new(),
    };
    ReportInput {
        supplier: Supplier {
            id: "s1".into(),
            name: "Acme".into(),
            country: None,
            sector: None,
            services: Vec::new(),
            contacts: Vec::new(),
            criticality: Criticality::High,
            created_by: "alice".into(),
            created_at: at("2026-11-01T09:00:00Z"),
            updated_by: "alice".into(),
            updated_at: at("2026-11-01T09:00:00Z"),
        },
        assessment: Assessment {
            id: "a1".into(),
            supplier_id: "s1".into(),
            supplier_name: "Acme".into(),
            plugin_sha256: "ab".repeat(32),
            plugin_id: "marks".into(),
            plugin_version: "1.0.0".into(),
            status: AssessmentStatus::Draft,
            auditor: "alice".into(),
            assessment_date: "2026-11-23".parse().unwrap(),
            language: "en".into(),
            level: None,
            created_at: at("2026-11-01T09:00:00Z"),
            previous_assessment: None,
            score: None,
            verdict: None,
            evaluated_at: None,
            last_evaluation: None,
            finalized_by: None,
            finalized_at: None,
            final_evaluation: None,
        },
        questionnaire,
        evaluation,
        answers: vec![StoredAnswer {
            assessment_id: "a1".into(),
            question: "q".into(),
            value: Some(AnswerValue::YesNo(YesNo::Partial)),
            note: None,
            revision: 1,
            to_confirm: true,
            updated_by: "alice".into(),
            updated_at: at("2026-11-23T10:00:00Z"),
        }],
        answer_sources: Default::default(),
        evidence: Vec::new(),
        actions: Vec::new(),
        auditors: vec!["alice".into()],
        comparison: None,
    }
}

fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("VIGIE_CHROMIUM").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "chromium is not installed: this test draws the HTML report in headless chromium. \
             Install Debian's package (apt-get update && apt-get install -y chromium; .ci/run does), \
             or set VIGIE_CHROMIUM to a chromium binary"
        )
    })
}

/// Draws `html` (a file) into a PNG and returns its pixels (RGBA) and width.
fn screenshot(browser: &Path, dir: &Path, html: &Path, name: &str) -> (Vec<u8>, usize) {
    let png = dir.join(format!("{name}.png"));
    let profile = dir.join(format!("profile-{name}"));
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
            "--window-size=1200,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", browser.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish drawing {} in 120 s",
                html.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        use std::io::Read;
        let _ = pipe.read_to_string(&mut stderr);
    }
    assert!(
        status.success() && png.is_file(),
        "chromium failed ({status}) to draw {}:\n{stderr}",
        html.display()
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    let rgba: Vec<u8> = match info.color_type {
        png::ColorType::Rgba => pixels,
        png::ColorType::Rgb => pixels
            .chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    (rgba, info.width as usize)
}

/// Pixels within a small distance of `colour`.
fn count(rgba: &[u8], colour: [u8; 3]) -> usize {
    rgba.chunks(4)
        .filter(|p| (0..3).all(|i| (i32::from(p[i]) - i32::from(colour[i])).abs() <= 12))
        .count()
}

#[test]
fn status_marks_are_drawn_without_an_emoji_font() {
    let browser = chromium();
    let dir = tempfile::tempdir().unwrap();
    let html = render(&input(), Format::Html, Lang::En).unwrap();
    let with_marks = dir.path().join("report.html");
    std::fs::write(&with_marks, &html).unwrap();
    let hidden = dir.path().join("hidden.html");
    std::fs::write(
        &hidden,
        html.replacen(
            "</head>",
            "<style>.mark { visibility: hidden; }</style></head>",
            1,
        ),
    )
    .unwrap();
    assert_ne!(
        std::fs::read_to_string(&hidden).unwrap(),
        html,
        "the page has a head"
    );
    let (shown, width) = screenshot(&browser, dir.path(), &with_marks, "shown");
    let (blank, _) = screenshot(&browser, dir.path(), &hidden, "hidden");
    assert!(width >= 1000, "screenshot width {width}");
    // The fill colours of the compliant, non-compliant and to-verify marks.
    for (status, colour) in [
        ("compliant", [0x1a, 0x7f, 0x37]),
        ("non-compliant", [0xc6, 0x28, 0x28]),
        ("to-verify", [0xc7, 0x77, 0x00]),
    ] {
        let drawn = count(&shown, colour);
        let without = count(&blank, colour);
        assert!(
            drawn >= 60 && without == 0,
            "the {status} mark: {drawn} pixels of its colour with the marks, {without} without \
             (the HTML report's marks are not drawn)"
        );
    }
    // The grey marks (not applicable, not assessed) are drawn too: hiding the
    // marks changes the picture beyond the coloured ones.
    let grey = count(&shown, [0x66, 0x66, 0x66]);
    let grey_hidden = count(&blank, [0x66, 0x66, 0x66]);
    assert!(
        grey > grey_hidden + 20,
        "grey marks: {grey} pixels with the marks, {grey_hidden} without"
    );
}
