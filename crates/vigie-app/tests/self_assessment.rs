//! The self-assessment round trip through the real ANSSI questionnaire and a database: the
//! workbook filled by openpyxl (an independent writer), imported as declarations that never
//! overwrite the auditor's answers, scored, confirmed. Fails (never skips) without openpyxl.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use vigie_app::self_assessment::{Change, ExportOptions};
use vigie_app::{AppError, ReportFormat, ReportLang, Workbench, WorkbookError};
use vigie_model::{AnswerKind, AnswerValue, Date, YesNo};
use vigie_plugin_host::{Host, Limits};
use vigie_store::{Criticality, SupplierFields};

fn bench(path: &Path) -> Workbench {
    let host = Arc::new(Host::new(Limits::default(), None).expect("engine"));
    Workbench::open(path, "amel", host).expect("workbench")
}

fn fill(bytes: &[u8], ops: serde_json::Value) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (input, output, ops_path) = (
        dir.path().join("in.xlsx"),
        dir.path().join("out.xlsx"),
        dir.path().join("ops.json"),
    );
    std::fs::write(&input, bytes).unwrap();
    std::fs::write(&ops_path, ops.to_string()).unwrap();
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../vigie-workbook/tests/support/edit.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(&input)
        .arg(&output)
        .arg(&ops_path)
        .output()
        .expect("python3 is required for this test");
    assert!(
        out.status.success(),
        "openpyxl is required for this test (`python3 -m pip install openpyxl`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(output).unwrap()
}

/// The verdict section of a Markdown report: from its heading to the next one.
fn verdict_section(md: &str) -> &str {
    let start = md
        .find("## Verdict")
        .unwrap_or_else(|| panic!("no verdict section: {md}"));
    let rest = &md[start + 3..];
    let end = rest.find("\n## ").map_or(rest.len(), |e| e);
    &rest[..end]
}

#[test]
fn a_filled_workbook_comes_back_as_declarations_that_score_and_confirm() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = bench(&dir.path().join("v.db"));
    let supplier = wb
        .add_supplier(&SupplierFields::new("Centre d'appels", Criticality::High))
        .unwrap();
    let date = Date::new(2026, 11, 20).unwrap();
    let a = wb
        .new_assessment(&supplier.id, "anssi-hygiene", date, "fr", None, None)
        .unwrap();
    let other = wb
        .new_assessment(&supplier.id, "anssi-hygiene", date, "fr", None, None)
        .unwrap();
    let options = ExportOptions {
        respondent: Some("Ana Fournisseur <ana@example.com>".into()),
        ..ExportOptions::default()
    };
    let (_, bytes) = wb.export_self_assessment(&a.id, &options).unwrap();
    let questionnaire = wb.plugin_for(&a).unwrap().questionnaire().clone();
    let level = a.level.clone();
    let chosen: Vec<String> = questionnaire
        .questions
        .iter()
        .filter(|q| matches!(q.kind, AnswerKind::YesNo) && q.applicable_when.is_empty())
        .filter(|q| q.levels.is_empty() || level.as_ref().is_some_and(|l| q.levels.contains(l)))
        .filter(|q| {
            let s = questionnaire.section(&q.section).unwrap();
            s.applicable_when.is_empty()
                && (s.levels.is_empty() || level.as_ref().is_some_and(|l| s.levels.contains(l)))
        })
        .take(30)
        .map(|q| q.id.clone())
        .collect();
    assert_eq!(chosen.len(), 30);
    let ops: Vec<serde_json::Value> = chosen
        .iter()
        .map(|q| serde_json::json!({"op": "fill", "key": q, "value": "Oui", "note": "voir PSSI"}))
        .collect();
    let filled = fill(&bytes, ops.into());

    // The auditor answers the first question otherwise meanwhile.
    vigie_store::Store::open(dir.path().join("v.db"), "alice")
        .unwrap()
        .set_answer(
            &a.id,
            &chosen[0],
            Some(AnswerValue::YesNo(YesNo::No)),
            None,
            None,
        )
        .unwrap();

    let plan = wb.plan_self_assessment(&filled).unwrap();
    assert_eq!(plan.declarations.len(), 30);
    assert_eq!(plan.respondent, "Ana Fournisseur <ana@example.com>");
    assert!(plan.declarations.iter().all(|d| d.change == Change::New));
    assert_eq!(plan.differing().count(), 1);
    // Planning writes nothing.
    assert!(wb.declarations(&a.id).unwrap().is_empty());
    wb.apply_self_assessment(&plan).unwrap();

    let declarations = wb.declarations(&a.id).unwrap();
    assert_eq!(declarations.len(), 30);
    assert!(
        declarations
            .iter()
            .all(|d| d.value == AnswerValue::YesNo(YesNo::Yes)
                && d.note.as_deref() == Some("voir PSSI")
                && d.respondent == "Ana Fournisseur <ana@example.com>")
    );
    // The auditor's answer stays theirs.
    assert_eq!(
        wb.stored_answer(&a.id, &chosen[0]).unwrap().unwrap().value,
        Some(AnswerValue::YesNo(YesNo::No))
    );
    let progress = wb.progress(&a.id).unwrap();
    assert_eq!((progress.verified, progress.declared), (1, 29));
    assert_eq!(wb.unverified_declarations(&a.id).unwrap(), 29);
    assert_eq!(wb.scored_answers(&a.id).unwrap().len(), 30);
    let trail = wb.audit_trail(Some(&a.id)).unwrap();
    assert!(
        trail
            .iter()
            .any(|r| r.action == "import" && r.entity_id == plan.file_sha256)
    );

    // Reports tell declared from verified, answer by answer, with a summary.
    let md = wb.report(&a.id, ReportFormat::Markdown, None).unwrap();
    assert!(
        md.contains("Le résultat repose sur 29 déclarations du fournisseur non encore vérifiées"),
        "{md}"
    );
    assert_eq!(md.matches("📝 *déclaré par Ana Fournisseur").count(), 29);
    assert!(md.contains("✔ *vérifié*"));
    let csv = wb.report(&a.id, ReportFormat::Csv, None).unwrap();
    assert!(csv.contains("déclaré par Ana Fournisseur"));
    // The verdict says it rests on unverified declarations, in every format and language.
    assert!(
        verdict_section(&md).contains("fondé sur 29 déclarations du fournisseur non vérifiées"),
        "{md}"
    );
    let html = wb.report(&a.id, ReportFormat::Html, None).unwrap();
    assert!(
        html.contains("fondé sur 29 déclarations du fournisseur non vérifiées"),
        "{html}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&wb.report(&a.id, ReportFormat::Json, None).unwrap()).unwrap();
    assert_eq!(
        json["verdict"]["basis"],
        "fondé sur 29 déclarations du fournisseur non vérifiées"
    );
    let en = wb
        .report(&a.id, ReportFormat::Markdown, Some(ReportLang::En))
        .unwrap();
    assert!(
        verdict_section(&en).contains("based on 29 supplier declarations not yet verified"),
        "{en}"
    );

    // Confirming makes a declaration the auditor's own.
    wb.confirm_declaration(&a.id, &chosen[1], None).unwrap();
    assert_eq!(wb.unverified_declarations(&a.id).unwrap(), 28);
    assert_eq!(wb.declared_not_verified(&a.id).unwrap().len(), 28);
    // One left unverified: the singular, in both languages.
    for q in &chosen[2..29] {
        wb.confirm_declaration(&a.id, q, None).unwrap();
    }
    assert_eq!(wb.unverified_declarations(&a.id).unwrap(), 1);
    let md = wb.report(&a.id, ReportFormat::Markdown, None).unwrap();
    assert!(
        verdict_section(&md).contains("fondé sur 1 déclaration du fournisseur non vérifiée"),
        "{md}"
    );
    let en = wb
        .report(&a.id, ReportFormat::Html, Some(ReportLang::En))
        .unwrap();
    assert!(
        en.contains("based on 1 supplier declaration not yet verified"),
        "{en}"
    );
    assert_eq!(wb.confirm_all_declarations(&a.id).unwrap(), 1);
    assert_eq!(wb.unverified_declarations(&a.id).unwrap(), 0);
    let md = wb.report(&a.id, ReportFormat::Markdown, None).unwrap();
    assert!(
        md.contains("Le résultat repose sur 0 déclaration du fournisseur non encore vérifiée ; 29 déclarations vérifiées"),
        "{md}"
    );
    // Nothing unverified: the verdict rests on the auditor's answers alone.
    assert!(!md.contains("fondé sur"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&wb.report(&a.id, ReportFormat::Json, None).unwrap()).unwrap();
    assert!(json["verdict"].get("basis").is_none(), "{json}");
    // The differing declaration was not confirmed over the auditor's answer.
    assert_eq!(
        wb.stored_answer(&a.id, &chosen[0]).unwrap().unwrap().value,
        Some(AnswerValue::YesNo(YesNo::No))
    );

    // Another assessment's workbook is refused with the reason; nothing written.
    let (_, other_bytes) = wb.export_self_assessment(&other.id, &options).unwrap();
    let other_filled = fill(
        &other_bytes,
        serde_json::json!([{"op": "fill", "key": chosen[2], "value": "Non"}]),
    );
    let mut tampered = other_filled.clone();
    // Sanity: the other workbook itself imports into its own assessment only.
    let plan = wb.plan_self_assessment(&other_filled).unwrap();
    assert_eq!(plan.assessment.id, other.id);
    // A hostile file: nothing is written and the error says why.
    let len = tampered.len();
    tampered.truncate(len / 2);
    let err = wb.plan_self_assessment(&tampered).unwrap_err();
    assert!(
        matches!(err, AppError::Workbook(WorkbookError::NotASpreadsheet(_))),
        "{err}"
    );
    assert!(wb.declarations(&other.id).unwrap().is_empty());
}
