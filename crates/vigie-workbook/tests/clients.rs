//! Round trips through real spreadsheet clients: openpyxl (an independent writer) fills the
//! exported workbook as a person would; LibreOffice converts it to .ods and back. Hostile
//! edits each give a clear error naming where. A missing client fails the test with how to
//! install it: these tests never skip.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use vigie_model::{
    AnswerKind, AnswerValue, Choice, Condition, Date, Help, Localized, NumericBounds, PluginInfo,
    Question, Questionnaire, Section, Test, YesNo,
};
use vigie_workbook::{Binding, Expected, ExportRequest, Lang, WorkbookError, export, open};

fn l(fr: &str, en: &str) -> Localized {
    Localized::from_pairs([("fr", fr), ("en", en)])
}

fn question(id: &str, section: &str, kind: AnswerKind, prompt: &str) -> Question {
    Question {
        id: id.into(),
        section: section.into(),
        prompt: l(&format!("{prompt} ?"), &format!("{prompt}?")),
        help: Help {
            why: l("Parce que.", "Because."),
            evidence: l("Un document.", "A document."),
        },
        kind,
        references: vec![],
        criteria: vec![],
        levels: vec![],
        applicable_when: vec![],
        extensions: vec![],
    }
}

fn questionnaire() -> Questionnaire {
    let section = |id: &str, title: &str| Section {
        id: id.into(),
        title: l(title, title),
        description: Localized::default(),
        levels: vec![],
        applicable_when: vec![],
        extensions: vec![],
    };
    let choices = vec![
        Choice {
            id: "cloud".into(),
            label: l("Nuage public", "Public cloud"),
        },
        Choice {
            id: "onprem".into(),
            label: l("Sur site, chez nous", "On premises, ours"),
        },
    ];
    let mut hosting = question(
        "hosting",
        "s1",
        AnswerKind::SingleChoice(choices.clone()),
        "Hosting",
    );
    hosting.applicable_when = vec![vec![Condition {
        question: "mfa".into(),
        test: Test::OneOf(vec!["no".into()]),
    }]];
    Questionnaire {
        info: PluginInfo {
            id: "demo".into(),
            version: "1.0.0".into(),
            name: l("Démo", "Demo"),
            description: Localized::default(),
            authors: vec![],
            languages: vec!["fr".into(), "en".into()],
            frameworks: vec![],
            levels: vec![],
            extensions: vec![],
        },
        sections: vec![section("s1", "Access"), section("s2", "Operations")],
        questions: vec![
            question("mfa", "s1", AnswerKind::YesNo, "MFA"),
            hosting,
            question(
                "coverage",
                "s1",
                AnswerKind::Integer(NumericBounds {
                    min: Some(0.0),
                    max: Some(100.0),
                    unit: Some(l("%", "%")),
                }),
                "Coverage",
            ),
            question("sites", "s2", AnswerKind::MultipleChoice(choices), "Sites"),
            question(
                "budget",
                "s2",
                AnswerKind::Decimal(NumericBounds::default()),
                "Budget",
            ),
            question("last-test", "s2", AnswerKind::Date, "Last test"),
            question("comment", "s2", AnswerKind::Text, "Comment"),
        ],
        criteria: vec![],
    }
}

const SHA: &str = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";

fn binding(lang: Lang) -> Binding {
    Binding {
        assessment_id: "0190-assessment".into(),
        plugin_id: "demo".into(),
        plugin_version: "1.0.0".into(),
        plugin_sha256: SHA.into(),
        exported_at: "2026-12-05T10:00:00Z".into(),
        lang,
        respondent: Some("Ana Supplier <ana@example.com>".into()),
    }
}

fn expected() -> Expected<'static> {
    Expected {
        assessment_id: "0190-assessment",
        plugin_id: "demo",
        plugin_version: "1.0.0",
        plugin_sha256: SHA,
    }
}

fn exported(lang: Lang, answered: &HashMap<String, AnswerValue>) -> Vec<u8> {
    let qn = questionnaire();
    export(&ExportRequest {
        questionnaire: &qn,
        binding: binding(lang),
        level: None,
        supplier: "Acme",
        return_to: "Claire Auditor",
        due: Date::new(2027, 1, 15).ok(),
        answered,
        only_unanswered: false,
    })
    .expect("export")
}

/// Runs the openpyxl editor on `bytes` with `ops`; fails with how to install openpyxl.
fn edit(bytes: &[u8], ops: Value) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.xlsx");
    let output = dir.path().join("out.xlsx");
    let ops_path = dir.path().join("ops.json");
    std::fs::write(&input, bytes).expect("write");
    std::fs::write(&ops_path, ops.to_string()).expect("write");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/edit.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&input)
        .arg(&output)
        .arg(&ops_path)
        .output()
        .expect("python3 is required for these tests (apt-get install python3)");
    assert!(
        out.status.success(),
        "the openpyxl editor failed (is openpyxl installed? `python3 -m pip install openpyxl`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(&output).expect("read")
}

fn fill_all() -> Value {
    json!([
        {"op": "fill", "key": "mfa", "value": "Non", "note": "En cours, voir plan"},
        {"op": "fill", "key": "hosting", "value": "Public cloud"},
        {"op": "fill", "key": "coverage", "value": 85},
        {"op": "fill", "key": "sites / cloud", "value": "oui"},
        {"op": "fill", "key": "sites / onprem", "value": "non"},
        {"op": "fill", "key": "budget", "value": 12.5},
        {"op": "fill", "key": "last-test", "value": {"date": "2026-03-01"}},
        {"op": "fill", "key": "comment", "value": "=cmd|' /C calc'!A0"},
    ])
}

fn assert_all_declared(bytes: &[u8]) {
    let workbook = open(bytes).expect("open");
    let declared = workbook
        .declarations(&questionnaire(), &expected())
        .expect("declarations");
    let got: HashMap<&str, (&AnswerValue, Option<&str>)> = declared
        .iter()
        .map(|d| (d.question.as_str(), (&d.value, d.note.as_deref())))
        .collect();
    assert_eq!(got.len(), 7, "{declared:?}");
    assert_eq!(got["mfa"].0, &AnswerValue::YesNo(YesNo::No));
    assert_eq!(got["mfa"].1, Some("En cours, voir plan"));
    assert_eq!(got["hosting"].0, &AnswerValue::Choice("cloud".into()));
    assert_eq!(got["coverage"].0, &AnswerValue::Integer(85));
    assert_eq!(got["sites"].0, &AnswerValue::Choices(vec!["cloud".into()]));
    assert_eq!(got["budget"].0, &AnswerValue::Decimal(12.5));
    assert_eq!(
        got["last-test"].0,
        &AnswerValue::Date(Date::new(2026, 3, 1).unwrap())
    );
    // Text that looks like a formula is data, kept as typed.
    assert_eq!(
        got["comment"].0,
        &AnswerValue::Text("=cmd|' /C calc'!A0".into())
    );
}

#[test]
fn openpyxl_fills_the_workbook_and_every_answer_comes_back() {
    let bytes = exported(Lang::En, &HashMap::new());
    let untouched = open(&bytes).expect("open");
    assert_eq!(untouched.binding().assessment_id, "0190-assessment");
    assert!(
        untouched
            .declarations(&questionnaire(), &expected())
            .expect("an empty workbook is valid")
            .is_empty()
    );
    assert_all_declared(&edit(&bytes, fill_all()));
}

#[test]
fn labels_of_either_language_and_ids_are_accepted() {
    let bytes = exported(Lang::Fr, &HashMap::new());
    let filled = edit(
        &bytes,
        json!([
            {"op": "fill", "key": "mfa", "value": "partial"},
            {"op": "fill", "key": "hosting", "value": "onprem"},
            {"op": "fill", "key": "coverage", "value": "refus de répondre"},
            {"op": "fill", "key": "sites", "value": "declined to answer"},
            {"op": "fill", "key": "budget", "value": "1 250,5"},
        ]),
    );
    let declared = open(&filled)
        .unwrap()
        .declarations(&questionnaire(), &expected())
        .unwrap();
    let got: HashMap<&str, &AnswerValue> = declared
        .iter()
        .map(|d| (d.question.as_str(), &d.value))
        .collect();
    assert_eq!(got["mfa"], &AnswerValue::YesNo(YesNo::Partial));
    assert_eq!(got["hosting"], &AnswerValue::Choice("onprem".into()));
    assert_eq!(got["coverage"], &AnswerValue::Declined);
    assert_eq!(got["sites"], &AnswerValue::Declined);
    assert_eq!(got["budget"], &AnswerValue::Decimal(1250.5));
}

fn problems(bytes: &[u8]) -> Vec<String> {
    match open(bytes).and_then(|w| w.declarations(&questionnaire(), &expected())) {
        Err(WorkbookError::Problems(p)) => p.iter().map(ToString::to_string).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn every_wrong_cell_is_listed_with_its_sheet_and_cell() {
    let bytes = exported(Lang::Fr, &HashMap::new());
    let filled = edit(
        &bytes,
        json!([
            {"op": "fill", "key": "mfa", "value": "Oui, partiellement"},
            {"op": "fill", "key": "coverage", "value": 150},
            {"op": "fill", "key": "hosting", "value": true},
            {"op": "fill", "key": "last-test", "value": "demain"},
            {"op": "fill", "key": "comment", "value": {"formula": "=HYPERLINK(\"http://x.invalid\",\"clic\")"}},
            {"op": "fill", "key": "sites / cloud", "value": "peut-être"},
        ]),
    );
    let p = problems(&filled);
    assert_eq!(p.len(), 6, "{p:#?}");
    assert!(
        p.contains(&"1. Access!D3: \"Oui, partiellement\" is not one of oui, non, partiel, ne sait pas, refus de répondre (labels in French or English, or ids, are accepted)".to_string()),
        "{p:#?}"
    );
    assert!(
        p.contains(&"1. Access!D5: 150 is outside the allowed range 0..100".to_string()),
        "{p:#?}"
    );
    assert!(p.iter().any(|m| m.starts_with("1. Access!D4:")), "{p:#?}");
    assert!(
        p.iter()
            .any(|m| m.starts_with("2. Operations!D7:") && m.contains("YYYY-MM-DD")),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("2. Operations!D8: the cell holds a formula (\"=HYPERLINK")),
        "{p:#?}"
    );
    assert!(
        p.iter().any(|m| m.starts_with("2. Operations!D4:")),
        "{p:#?}"
    );
}

#[test]
fn layout_changes_are_found_through_the_hidden_ids() {
    let bytes = exported(Lang::En, &HashMap::new());
    let cases: Vec<(Value, &str)> = vec![
        (
            json!([{"op": "rename", "from": "1. Access", "to": "Mine"}]),
            "renamed: give it back its name",
        ),
        (
            json!([{"op": "delete_row", "key": "coverage"}]),
            "was deleted",
        ),
        (
            json!([{"op": "swap", "a": "mfa", "b": "coverage"}]),
            "was moved from row 3 to row 5",
        ),
        (
            json!([{"op": "edit_question", "key": "mfa", "text": "Do you like cake?"}]),
            "the question's text was changed",
        ),
        (
            json!([{"op": "add_sheet", "name": "Extra"}]),
            "a sheet the exported workbook did not have",
        ),
    ];
    for (ops, wanted) in cases {
        let p = problems(&edit(&bytes, ops.clone()));
        assert!(p.iter().any(|m| m.contains(wanted)), "{ops}: {p:#?}");
    }
    // Reordering sheets changes nothing: sheets are found by name, rows by their ids.
    let moved = edit(
        &bytes,
        json!([{"op": "move_sheet", "name": "2. Operations", "offset": -1}])
            .as_array()
            .unwrap()
            .iter()
            .cloned()
            .chain(fill_all().as_array().unwrap().iter().cloned())
            .collect::<Vec<_>>()
            .into(),
    );
    assert_all_declared(&moved);
}

#[test]
fn hostile_sizes_are_typed_errors() {
    let bytes = exported(Lang::En, &HashMap::new());
    let big = edit(
        &bytes,
        json!([{"op": "big_cell", "key": "comment", "chars": 1_000_000}]),
    );
    assert!(
        matches!(open(&big), Err(WorkbookError::CellTooLarge { ref cell, .. }) if cell == "E8"),
        "{:?}",
        open(&big).map(|w| w.declarations(&questionnaire(), &expected()))
    );
    let rows = edit(
        &bytes,
        json!([{"op": "many_rows", "sheet": 1, "rows": 100_000}]),
    );
    assert!(
        matches!(open(&rows), Err(WorkbookError::TooManyRows { .. })),
        "{:?}",
        open(&rows).err()
    );
}

#[test]
fn a_workbook_for_another_assessment_or_plugin_is_refused_with_the_reason() {
    let bytes = exported(Lang::En, &HashMap::new());
    let wb = open(&bytes).unwrap();
    let other = Expected {
        assessment_id: "0190-other",
        ..expected()
    };
    let err = wb.declarations(&questionnaire(), &other).unwrap_err();
    assert!(
        matches!(err, WorkbookError::WrongAssessment { .. }),
        "{err}"
    );
    let newer = Expected {
        plugin_version: "1.1.0",
        ..expected()
    };
    let err = wb.declarations(&questionnaire(), &newer).unwrap_err();
    assert!(err.to_string().contains("demo 1.0.0"), "{err}");
}

#[test]
fn answers_the_auditor_gave_are_read_only() {
    let answered = HashMap::from([("mfa".to_string(), AnswerValue::YesNo(YesNo::Yes))]);
    let bytes = exported(Lang::En, &answered);
    assert!(
        open(&bytes)
            .unwrap()
            .declarations(&questionnaire(), &expected())
            .unwrap()
            .is_empty()
    );
    let changed = edit(&bytes, json!([{"op": "fill", "key": "mfa", "value": "no"}]));
    let p = problems(&changed);
    assert!(p.iter().any(|m| m.contains("read-only")), "{p:#?}");
}

fn soffice() -> PathBuf {
    let found = Command::new("sh")
        .args(["-c", "command -v soffice"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    found.expect("LibreOffice is required for this test: apt-get install -y libreoffice-calc-nogui")
}

fn convert(soffice: &Path, bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(format!("in.{from}"));
    std::fs::write(&input, bytes).unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let out = Command::new(soffice)
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            to,
            "--outdir",
        ])
        .arg(dir.path().join("out"))
        .arg(&input)
        .output()
        .expect("run soffice");
    let converted = dir.path().join("out").join(format!("in.{to}"));
    std::fs::read(&converted).unwrap_or_else(|e| {
        panic!(
            "LibreOffice did not convert to {to} ({e}): {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn libreoffice_round_trip_through_ods_and_back() {
    let soffice = soffice();
    let filled = edit(&exported(Lang::En, &HashMap::new()), fill_all());
    let ods = convert(&soffice, &filled, "xlsx", "ods");
    assert_all_declared(&ods);
    let xlsx = convert(&soffice, &ods, "ods", "xlsx");
    assert_all_declared(&xlsx);
}
