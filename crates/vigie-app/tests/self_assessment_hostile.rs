//! Hostile self-assessment workbooks through the app, as an auditor would import them: each
//! is a clear error naming what is wrong (or, for formula-looking text, data kept as typed and
//! neutralised again in CSV reports), nothing is written, nothing panics. The files are made by
//! real clients: openpyxl fills and rearranges them, msoffcrypto-tool encrypts one; a missing
//! client fails the test with how to install it (never a skip).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use serde_json::json;
use vigie_app::self_assessment::ExportOptions;
use vigie_app::{AppError, ReportFormat, Workbench, WorkbookError};
use vigie_model::{AnswerKind, Date};
use vigie_plugin_host::{Host, Limits};
use vigie_store::{Assessment, Criticality, SupplierFields};

fn support(script: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../vigie-workbook/tests/support/{script}"))
}

/// Runs `script IN OUT args...` on `bytes`; fails with how to install what it needs.
fn python(script: &str, bytes: &[u8], args: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.xlsx"), dir.path().join("out.xlsx"));
    std::fs::write(&input, bytes).unwrap();
    let out = Command::new("python3")
        .arg(support(script))
        .arg(&input)
        .arg(&output)
        .args(args)
        .output()
        .expect("python3 is required for this test");
    assert!(
        out.status.success(),
        "{script} {args:?} failed (needs `python3 -m pip install openpyxl msoffcrypto-tool`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(output).unwrap()
}

fn fill(bytes: &[u8], ops: serde_json::Value) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let ops_path = dir.path().join("ops.json");
    std::fs::write(&ops_path, ops.to_string()).unwrap();
    python("edit.py", bytes, &[ops_path.to_str().unwrap()])
}

fn hostile(bytes: &[u8], args: &[&str]) -> Vec<u8> {
    python("hostile.py", bytes, args)
}

struct Setup {
    _dir: tempfile::TempDir,
    wb: Workbench,
    assessment: Assessment,
    /// The exported workbook, untouched.
    bytes: Vec<u8>,
    /// Yes/no questions that apply, in questionnaire order.
    yes_no: Vec<String>,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let host = Arc::new(Host::new(Limits::default(), None).expect("engine"));
    let mut wb = Workbench::open(&dir.path().join("v.db"), "amel", host).expect("workbench");
    let supplier = wb
        .add_supplier(&SupplierFields::new("Centre d'appels", Criticality::High))
        .unwrap();
    let date = Date::new(2026, 11, 20).unwrap();
    let assessment = wb
        .new_assessment(&supplier.id, "anssi-hygiene", date, "fr", None, None)
        .unwrap();
    let (_, bytes) = wb
        .export_self_assessment(
            &assessment.id,
            &ExportOptions {
                respondent: Some("Ana Fournisseur <ana@example.com>".into()),
                ..ExportOptions::default()
            },
        )
        .unwrap();
    let questionnaire = wb.plugin_for(&assessment).unwrap().questionnaire().clone();
    let level = assessment.level.clone();
    let applies =
        |levels: &[String]| levels.is_empty() || level.as_ref().is_some_and(|l| levels.contains(l));
    let yes_no = questionnaire
        .questions
        .iter()
        .filter(|q| matches!(q.kind, AnswerKind::YesNo) && q.applicable_when.is_empty())
        .filter(|q| applies(&q.levels))
        .filter(|q| {
            let s = questionnaire.section(&q.section).unwrap();
            s.applicable_when.is_empty() && applies(&s.levels)
        })
        .map(|q| q.id.clone())
        .collect();
    Setup {
        _dir: dir,
        wb,
        assessment,
        bytes,
        yes_no,
    }
}

impl Setup {
    /// Imports `bytes` (plan, then apply if the plan passes) and says what was refused.
    fn import(&mut self, bytes: &[u8]) -> Result<usize, AppError> {
        let plan = self.wb.plan_self_assessment(bytes)?;
        self.wb.apply_self_assessment(&plan)
    }

    /// The import of `bytes` is refused with an error matching `expected` whose message
    /// contains `words`; nothing is written.
    fn refused(&mut self, what: &str, bytes: &[u8], expected: fn(&AppError) -> bool, words: &str) {
        let trail = self
            .wb
            .audit_trail(Some(&self.assessment.id))
            .unwrap()
            .len();
        let err = self
            .import(bytes)
            .expect_err(&format!("{what}: the import is refused"));
        assert!(expected(&err), "{what}: {err:?}");
        assert!(err.to_string().contains(words), "{what}: {err}");
        assert!(
            self.wb
                .declarations(&self.assessment.id)
                .unwrap()
                .is_empty(),
            "{what}: nothing is written"
        );
        assert_eq!(
            self.wb
                .audit_trail(Some(&self.assessment.id))
                .unwrap()
                .len(),
            trail,
            "{what}: nothing is audited"
        );
    }
}

fn problems(err: &AppError) -> bool {
    matches!(err, AppError::Workbook(WorkbookError::Problems(_)))
}

#[test]
fn hostile_containers_are_refused_before_they_are_read() {
    let mut s = setup();
    let filled = fill(
        &s.bytes,
        json!([{"op": "fill", "key": s.yes_no[0], "value": "Oui"}]),
    );
    s.refused(
        "a macro-enabled workbook (.xlsm)",
        &hostile(&filled, &["xlsm"]),
        |e| matches!(e, AppError::Workbook(WorkbookError::Macros(_))),
        "macro-enabled workbook is refused",
    );
    s.refused(
        "a password-protected workbook",
        &hostile(&filled, &["encrypt", "secret"]),
        |e| matches!(e, AppError::Workbook(WorkbookError::Encrypted)),
        "password-protected",
    );
    let bomb = hostile(&filled, &["zipbomb"]);
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    s.refused(
        "a zip bomb",
        &bomb,
        |e| matches!(e, AppError::Workbook(WorkbookError::ZipBomb(_))),
        "zip bomb",
    );
    let mut cut = filled.clone();
    cut.truncate(filled.len() / 3);
    s.refused(
        "a truncated file",
        &cut,
        |e| matches!(e, AppError::Workbook(WorkbookError::NotASpreadsheet(_))),
        "not a spreadsheet",
    );
    // The same workbook, untouched by all this, still imports.
    assert_eq!(s.import(&filled).unwrap(), 1);
}

#[test]
fn a_workbook_for_another_assessment_or_plugin_version_is_refused() {
    let mut s = setup();
    let filled = fill(
        &s.bytes,
        json!([{"op": "fill", "key": s.yes_no[0], "value": "Oui"}]),
    );
    s.refused(
        "another plugin version",
        &hostile(&filled, &["bind", "plugin_version", "9.9.9"]),
        |e| matches!(e, AppError::Workbook(WorkbookError::WrongPlugin { .. })),
        "9.9.9",
    );
    s.refused(
        "an assessment this database does not have",
        &hostile(&filled, &["bind", "assessment_id", "0190-elsewhere"]),
        |e| matches!(e, AppError::Invalid(_)),
        "0190-elsewhere",
    );
    // A workbook bound to another assessment of this database goes to that one, never to
    // this one.
    let other =
        s.wb.new_assessment(
            &s.assessment.supplier_id,
            "anssi-hygiene",
            s.assessment.assessment_date,
            "fr",
            None,
            None,
        )
        .unwrap();
    let plan =
        s.wb.plan_self_assessment(&hostile(
            &filled,
            &["bind", "assessment_id", other.id.as_str()],
        ))
        .unwrap();
    assert_eq!(plan.assessment.id, other.id);
    assert!(s.wb.declarations(&s.assessment.id).unwrap().is_empty());
}

#[test]
fn layout_changes_and_wrong_values_are_listed_and_nothing_is_written() {
    let mut s = setup();
    let (a, b, c) = (
        s.yes_no[0].clone(),
        s.yes_no[1].clone(),
        s.yes_no[2].clone(),
    );
    let filled = fill(&s.bytes, json!([{"op": "fill", "key": a, "value": "Oui"}]));
    s.refused(
        "a renamed sheet",
        &hostile(&filled, &["rename_sheet", "1", "Mine"]),
        problems,
        "renamed",
    );
    s.refused(
        "an extra sheet",
        &fill(&filled, json!([{"op": "add_sheet", "name": "Extra"}])),
        problems,
        "a sheet the exported workbook did not have",
    );
    s.refused(
        "a deleted row",
        &fill(&filled, json!([{"op": "delete_row", "key": b}])),
        problems,
        "was deleted",
    );
    s.refused(
        "wrong types",
        &fill(
            &filled,
            json!([
                {"op": "fill", "key": b, "value": 42},
                {"op": "fill", "key": c, "value": {"date": "2026-01-01"}},
            ]),
        ),
        problems,
        "2 problems",
    );
    s.refused(
        "a formula in an answer cell",
        &fill(
            &filled,
            json!([{"op": "fill", "key": b, "value": {"formula": "=HYPERLINK(\"http://x.invalid\",\"oui\")"}}]),
        ),
        problems,
        "formula",
    );
    s.refused(
        "a 1 MB cell",
        &fill(
            &filled,
            json!([{"op": "big_cell", "key": b, "chars": 1_000_000}]),
        ),
        |e| matches!(e, AppError::Workbook(WorkbookError::CellTooLarge { .. })),
        "characters",
    );
    s.refused(
        "100,000 rows",
        &fill(
            &filled,
            json!([{"op": "many_rows", "sheet": 1, "rows": 100_000}]),
        ),
        |e| matches!(e, AppError::Workbook(WorkbookError::TooManyRows { .. })),
        "rows",
    );
    // Sheets in another order are still found by their names, rows by their ids.
    let moved = hostile(&filled, &["move_sheet", "2", "-1"]);
    assert_eq!(s.import(&moved).unwrap(), 1);
}

#[test]
fn text_that_looks_like_a_formula_is_data_and_is_neutralised_in_csv_reports() {
    let mut s = setup();
    let (a, b) = (s.yes_no[0].clone(), s.yes_no[1].clone());
    let cmd = "=cmd|' /C calc'!A0";
    let link = "=HYPERLINK(\"http://x.invalid\",\"clic\")";
    let filled = fill(
        &s.bytes,
        json!([
            {"op": "fill", "key": a, "value": "Oui", "note": cmd},
            {"op": "fill", "key": b, "value": "Non", "note": link},
        ]),
    );
    assert_eq!(s.import(&filled).unwrap(), 2);
    let declarations = s.wb.declarations(&s.assessment.id).unwrap();
    let note = |q: &str| {
        declarations
            .iter()
            .find(|d| d.question == q)
            .and_then(|d| d.note.clone())
    };
    assert_eq!(note(&a).as_deref(), Some(cmd), "kept as typed");
    assert_eq!(note(&b).as_deref(), Some(link), "kept as typed");
    let csv =
        s.wb.report(&s.assessment.id, ReportFormat::Csv, None)
            .unwrap();
    assert!(csv.contains("'=cmd|' /C calc'!A0"), "{csv}");
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    for line in csv.lines() {
        assert!(
            !line.contains(",=") && !line.contains(",\"="),
            "a cell starts with a formula: {line}"
        );
    }
}
