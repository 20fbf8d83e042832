//! Reports of an assessment whose every text, from the auditor or from the plugin, is hostile:
//! the HTML parses with a real HTML parser into no script, image, link or event handler and
//! shows each text as it was typed; Markdown keeps it inert; CSV neutralises formulas.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use scraper::{Html, Selector};
use vigie_model::{
    ActionItem, ActionStatus, AnswerKind, AnswerValue, Assessment, AssessmentStatus, Choice,
    Contact, Criterion, CriterionResult, Criticality, Evaluation, Evidence, EvidenceFile,
    EvidenceKind, Finding, Framework, Help, Level, Localized, PluginInfo, Question, Questionnaire,
    Reference, Section, Severity, Status, StoredAnswer, Supplier, Timestamp, Verdict, YesNo,
};
use vigie_report::compare::{Side, compare};
use vigie_report::{Format, Lang, PluginRef, ReportInput, render};

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=1>";
const AMP: &str = "R&D &amp; &lt;b&gt; 'single' \"double\"";
const FORMULA: &str = "=HYPERLINK(\"http://evil.invalid\",\"x\")";
const PLUS: &str = "+33 1 23 45 67 89";
const AT: &str = "@SUM(A1:A9)";
const MINUS: &str = "-2+3+cmd|' /C calc'!A0";

/// Every hostile text, each used somewhere in the input.
const HOSTILE: [&str; 7] = [SCRIPT, IMG, AMP, FORMULA, PLUS, AT, MINUS];

fn t(text: &str) -> Localized {
    Localized::from_pairs([("fr", text), ("en", text)])
}

fn questionnaire() -> Questionnaire {
    Questionnaire {
        info: PluginInfo {
            id: "evil-plugin".into(),
            version: "1.0.0".into(),
            name: t(SCRIPT),
            description: t(IMG),
            authors: vec![SCRIPT.into()],
            languages: vec!["fr".into(), "en".into()],
            frameworks: vec![Framework {
                id: "nis2".into(),
                title: t(IMG),
            }],
            levels: vec![Level {
                id: "base".into(),
                name: t(AMP),
                description: t(SCRIPT),
            }],
            extensions: Vec::new(),
        },
        sections: vec![Section {
            id: "s1".into(),
            title: t(SCRIPT),
            description: t(IMG),
            levels: Vec::new(),
            applicable_when: Vec::new(),
            extensions: Vec::new(),
        }],
        questions: vec![
            Question {
                id: "q1".into(),
                section: "s1".into(),
                prompt: t(IMG),
                help: Help::default(),
                kind: AnswerKind::YesNo,
                references: vec![Reference {
                    framework: "nis2".into(),
                    clause: SCRIPT.into(),
                }],
                criteria: vec!["c1".into()],
                levels: Vec::new(),
                applicable_when: Vec::new(),
                extensions: Vec::new(),
            },
            Question {
                id: "q2".into(),
                section: "s1".into(),
                prompt: t(AMP),
                help: Help::default(),
                kind: AnswerKind::SingleChoice(vec![Choice {
                    id: "evil".into(),
                    label: t(SCRIPT),
                }]),
                references: Vec::new(),
                criteria: vec!["c1".into()],
                levels: Vec::new(),
                applicable_when: Vec::new(),
                extensions: Vec::new(),
            },
            Question {
                id: "q3".into(),
                section: "s1".into(),
                prompt: t("Texte libre"),
                help: Help::default(),
                kind: AnswerKind::Text,
                references: Vec::new(),
                criteria: Vec::new(),
                levels: Vec::new(),
                applicable_when: Vec::new(),
                extensions: Vec::new(),
            },
        ],
        criteria: vec![Criterion {
            id: "c1".into(),
            title: t(IMG),
            description: t(SCRIPT),
            weight: 1,
            severity: Severity::High,
            references: vec![Reference {
                framework: "nis2".into(),
                clause: IMG.into(),
            }],
            levels: Vec::new(),
            extensions: Vec::new(),
        }],
    }
}

fn evaluation(status: Status, findings: bool) -> Evaluation {
    Evaluation {
        criteria: vec![CriterionResult {
            criterion: "c1".into(),
            status,
            rationale: t(SCRIPT),
            score: Some(50.0),
        }],
        score: Some(50.0),
        verdict: Verdict {
            id: "evil".into(),
            label: t(IMG),
            summary: t(SCRIPT),
            severity: Severity::High,
        },
        findings: if findings {
            vec![Finding {
                id: "f1".into(),
                criterion: Some("c1".into()),
                severity: Severity::Critical,
                title: t(SCRIPT),
                recommendation: t(IMG),
                deadline_days: Some(30),
            }]
        } else {
            Vec::new()
        },
        extensions: Vec::new(),
    }
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn answer(question: &str, value: AnswerValue, note: &str, to_confirm: bool) -> StoredAnswer {
    StoredAnswer {
        assessment_id: "0190-assessment".into(),
        question: question.into(),
        value: Some(value),
        note: Some(note.into()),
        revision: 2,
        to_confirm,
        updated_by: IMG.into(),
        updated_at: at("2026-11-23T10:00:00.000000Z"),
    }
}

fn input() -> ReportInput {
    let answers = vec![
        answer("q1", AnswerValue::YesNo(YesNo::Partial), SCRIPT, true),
        answer("q2", AnswerValue::Choice("evil".into()), IMG, false),
        answer("q3", AnswerValue::Text(FORMULA.into()), AMP, false),
        answer("unknown<q>", AnswerValue::Text(AT.into()), MINUS, false),
    ];
    let old_answers = vec![answer("q1", AnswerValue::YesNo(YesNo::No), PLUS, false)];
    let plugin = PluginRef {
        id: "evil-plugin".into(),
        version: "1.0.0".into(),
        sha256: "ab".repeat(32),
    };
    let old_eval = evaluation(Status::NonCompliant, false);
    let new_eval = evaluation(Status::ToVerify, true);
    let date = "2026-11-23".parse().unwrap();
    let comparison = compare(
        &Side {
            id: "old<id>",
            assessment_date: "2025-11-23".parse().unwrap(),
            plugin: &plugin,
            answers: &old_answers,
            evaluation: &old_eval,
        },
        &Side {
            id: "new",
            assessment_date: date,
            plugin: &plugin,
            answers: &answers,
            evaluation: &new_eval,
        },
    );
    ReportInput {
        supplier: Supplier {
            id: "0190".into(),
            name: SCRIPT.into(),
            country: Some(IMG.into()),
            sector: Some(FORMULA.into()),
            services: vec![AMP.into(), PLUS.into()],
            contacts: vec![Contact {
                name: AT.into(),
                role: Some(IMG.into()),
                email: None,
                phone: None,
            }],
            criticality: Criticality::High,
            created_by: SCRIPT.into(),
            created_at: at("2026-11-01T09:00:00.000000Z"),
            updated_by: SCRIPT.into(),
            updated_at: at("2026-11-01T09:00:00.000000Z"),
        },
        assessment: Assessment {
            id: "0190-assessment".into(),
            supplier_id: "0190".into(),
            supplier_name: SCRIPT.into(),
            plugin_sha256: plugin.sha256.clone(),
            plugin_id: plugin.id.clone(),
            plugin_version: plugin.version.clone(),
            status: AssessmentStatus::Draft,
            auditor: SCRIPT.into(),
            assessment_date: date,
            language: "fr".into(),
            level: Some("base".into()),
            created_at: at("2026-11-01T09:00:00.000000Z"),
            previous_assessment: Some("old<id>".into()),
            score: None,
            verdict: None,
            evaluated_at: None,
            last_evaluation: None,
            finalized_by: None,
            finalized_at: None,
            final_evaluation: None,
        },
        questionnaire: questionnaire(),
        evaluation: new_eval.clone(),
        answers,
        answer_sources: Default::default(),
        evidence: vec![
            Evidence {
                id: "e1".into(),
                assessment_id: "0190-assessment".into(),
                question: Some("q1".into()),
                kind: EvidenceKind::File,
                text: SCRIPT.into(),
                file: Some(EvidenceFile {
                    sha256: "cd".repeat(32),
                    size: 10,
                    path: IMG.into(),
                }),
                effective_date: Some("2024-01-01".parse().unwrap()),
                expiry_date: Some("2026-01-01".parse().unwrap()),
                added_by: AMP.into(),
                added_at: at("2026-11-01T09:00:00.000000Z"),
            },
            Evidence {
                id: "e2".into(),
                assessment_id: "0190-assessment".into(),
                question: None,
                kind: EvidenceKind::Link,
                text: FORMULA.into(),
                file: None,
                effective_date: None,
                expiry_date: Some("2030-01-01".parse().unwrap()),
                added_by: AT.into(),
                added_at: at("2026-11-01T09:00:00.000000Z"),
            },
        ],
        actions: vec![ActionItem {
            id: "a1".into(),
            assessment_id: "0190-assessment".into(),
            finding_id: "f1".into(),
            title: SCRIPT.into(),
            owner: Some(IMG.into()),
            deadline: Some("2027-01-31".parse().unwrap()),
            status: ActionStatus::InProgress,
            created_by: AMP.into(),
            created_at: at("2026-11-01T09:00:00.000000Z"),
            updated_by: AMP.into(),
            updated_at: at("2026-11-01T09:00:00.000000Z"),
        }],
        auditors: vec![SCRIPT.into(), MINUS.into()],
        comparison: Some(comparison),
    }
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

#[test]
fn html_report_parses_and_shows_hostile_text_as_text() {
    for lang in [Lang::Fr, Lang::En] {
        let html = render(&input(), Format::Html, lang).unwrap();
        let doc = Html::parse_document(&html);
        assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
        for forbidden in [
            "script",
            "img",
            "iframe",
            "object",
            "embed",
            "link",
            "a",
            "form",
            "math",
            "base",
            "meta[http-equiv]",
        ] {
            assert_eq!(
                doc.select(&sel(forbidden)).count(),
                0,
                "the report contains a <{forbidden}> element"
            );
        }
        // The only SVG is the report's own status marks: drawn shapes, nothing else.
        for svg in doc.select(&sel("svg")) {
            assert!(
                svg.value()
                    .attr("class")
                    .is_some_and(|c| c.starts_with("mark mark-")),
                "an <svg> that is not a status mark: {}",
                svg.html()
            );
            for part in svg.descendants().filter_map(|n| n.value().as_element()) {
                assert!(
                    ["svg", "circle", "path"].contains(&part.name()),
                    "a status mark holds <{}>",
                    part.name()
                );
            }
        }
        assert_eq!(doc.select(&sel("style")).count(), 1);
        for element in doc.select(&sel("*")) {
            for (name, value) in element.value().attrs() {
                assert!(
                    !name.starts_with("on") && name != "src" && name != "href",
                    "<{}> has attribute {name}={value:?}",
                    element.value().name()
                );
            }
        }
        // The text round-trips: each hostile string shows exactly as typed.
        let body = doc.select(&sel("body")).next().unwrap();
        let text: String = body.text().collect();
        for hostile in HOSTILE {
            assert!(
                text.contains(hostile),
                "{lang:?}: `{hostile}` is not shown as text"
            );
        }
        let title: String = doc.select(&sel("title")).next().unwrap().text().collect();
        assert!(title.contains(SCRIPT));
        // The expired certificate is flagged, not the valid link.
        let expired: Vec<_> = doc.select(&sel("tr.expired")).collect();
        assert_eq!(expired.len(), 1);
        assert!(expired[0].text().collect::<String>().contains(SCRIPT));
        // Self-contained: nothing is loaded from elsewhere.
        assert!(!html.contains("url("), "the report loads a resource");
    }
}

#[test]
fn markdown_report_keeps_hostile_text_inert() {
    let md = render(&input(), Format::Markdown, Lang::Fr).unwrap();
    // Outside code spans every `<` is backslash-escaped, so no HTML tag starts.
    for (at, _) in md.match_indices('<') {
        let escaped = at > 0 && md.as_bytes()[at - 1] == b'\\';
        let line_break = md[at..].starts_with("<br>");
        let in_code = md[..at]
            .rsplit('\n')
            .next()
            .unwrap_or("")
            .matches('`')
            .count()
            % 2
            == 1;
        assert!(
            escaped || line_break || in_code,
            "raw `<` in the Markdown report: {}",
            &md[at.saturating_sub(60)..(at + 30).min(md.len())]
        );
    }
    assert!(md.contains("\\<script\\>alert(1)\\</script\\>"));
    // Each table row keeps its number of cells: no `|` from the text splits it.
    for line in md.lines().filter(|l| l.starts_with("| ")) {
        let unescaped = line.replace("\\|", "");
        let cells = unescaped.matches('|').count();
        assert!((3..=7).contains(&cells), "broken table row: {line}");
    }
}

/// Splits RFC 4180 CSV into rows of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(
        !quoted && cell.is_empty() && row.is_empty(),
        "CSV does not end with a line end"
    );
    rows
}

#[test]
fn csv_report_neutralises_formulas() {
    let csv = render(&input(), Format::Csv, Lang::En).unwrap();
    let rows = parse_csv(&csv);
    let width = rows[0].len();
    assert_eq!(width, 11);
    let mut seen = Vec::new();
    for row in &rows {
        assert_eq!(row.len(), width, "ragged row {row:?}");
        for cell in row {
            let first = cell.trim_start_matches(' ').chars().next();
            assert!(
                !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')),
                "formula cell {cell:?}"
            );
            if let Some(rest) = cell.strip_prefix('\'') {
                seen.push(rest.to_string());
            }
        }
    }
    for hostile in [FORMULA, PLUS, AT, MINUS] {
        assert!(
            seen.iter().any(|s| s.starts_with(hostile)),
            "`{hostile}` was not neutralised with a quote"
        );
    }
    let sections: std::collections::BTreeSet<&str> =
        rows[1..].iter().map(|r| r[0].as_str()).collect();
    for s in [
        "assessment",
        "checklist",
        "finding",
        "action",
        "evidence",
        "comparison",
        "answer",
    ] {
        assert!(sections.contains(s), "no {s} line");
    }
}

#[test]
fn json_report_is_the_document() {
    let json = render(&input(), Format::Json, Lang::En).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format"], "vigie-report");
    assert_eq!(value["supplier"]["name"], SCRIPT);
    assert_eq!(value["evidence"][0]["expired"], true);
    assert_eq!(value["evidence"][1]["expired"], false);
    assert_eq!(value["comparison"]["findings_opened"][0]["id"], "f1");
    assert_eq!(value["answers"][0]["answers"][0]["to_confirm"], true);
    // Same input, same bytes.
    assert_eq!(json, render(&input(), Format::Json, Lang::En).unwrap());
}

/// Terminal escape sequences: ESC (an OSC 52 clipboard write, a screen clear), BEL, a C1
/// CSI and a carriage return.
const ESCAPES: &str = "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{9b}3J\r\u{7f}";

/// Appends [`ESCAPES`] to every string of the input that can hold it (dates and enums
/// cannot), one at a time, so that every text field carries it.
fn input_with_escapes() -> ReportInput {
    fn strings(value: &serde_json::Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match value {
            serde_json::Value::String(_) => out.push(path.clone()),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(i.to_string());
                    strings(item, path, out);
                    path.pop();
                }
            }
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    path.push(key.clone());
                    strings(item, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut value = serde_json::to_value(input()).unwrap();
    let mut paths = Vec::new();
    strings(&value, &mut Vec::new(), &mut paths);
    let mut poisoned = 0;
    for path in paths {
        let pointer: String = path.iter().map(|p| format!("/{p}")).collect();
        let before = value.pointer(&pointer).cloned().unwrap();
        let Some(serde_json::Value::String(s)) = value.pointer_mut(&pointer) else {
            unreachable!("{pointer} is a string");
        };
        s.push_str(ESCAPES);
        if serde_json::from_value::<ReportInput>(value.clone()).is_ok() {
            poisoned += 1;
        } else {
            *value.pointer_mut(&pointer).unwrap() = before;
        }
    }
    assert!(poisoned > 50, "only {poisoned} strings took the escapes");
    serde_json::from_value(value).unwrap()
}

/// No report format lets a terminal control character through: a report printed to a
/// terminal (`vigie report A` writes to standard output) cannot clear it, retitle it or
/// write to the clipboard. Line feeds (and the CSV's CRLF line ends, the HTML's tabs) stay.
#[test]
fn no_report_format_lets_a_control_character_through() {
    let input = input_with_escapes();
    for format in Format::ALL {
        for lang in [Lang::Fr, Lang::En] {
            let text = render(&input, format, lang).unwrap();
            let bad: Vec<(usize, char)> = text
                .char_indices()
                .filter(|&(i, c)| {
                    c.is_control()
                        && c != '\n'
                        && c != '\t'
                        && !(c == '\r' && format == Format::Csv && text[i..].starts_with("\r\n"))
                })
                .collect();
            assert!(
                bad.is_empty(),
                "{format:?} {lang:?}: control characters at {:?}",
                &bad[..bad.len().min(5)]
            );
        }
    }
    // The JSON report keeps the data exact: the escapes come back when it is parsed.
    let json = render(&input, Format::Json, Lang::En).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        value["supplier"]["name"].as_str(),
        Some(format!("{SCRIPT}{ESCAPES}").as_str())
    );
    // The CSV shows them.
    let csv = render(&input, Format::Csv, Lang::En).unwrap();
    assert!(
        csv.contains(r"\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{9b}3J\u{d}\u{7f}"),
        "{csv}"
    );
}
