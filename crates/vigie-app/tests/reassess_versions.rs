//! A reassessment scored by a newer version of the plugin that no longer has one of the
//! questions answered last time: the answer is not carried over (scoring would fail on it),
//! and the comparison and the reports list it.
//!
//! The two versions are the hand-written WAT plugin (`examples/wat-plugin/mfa.wat`) and a
//! copy of it that declares version 1.1.0 and only its first question.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::Path;
use std::sync::Arc;

use vigie_app::{ReportFormat, ReportLang, Workbench};
use vigie_model::{AnswerValue, YesNo};
use vigie_plugin_host::{Host, Limits};
use vigie_store::{Criticality, SupplierFields};

/// mfa.wat as version `version`, keeping its first `questions` questions (1 or 2).
fn mfa_plugin(version: &str, questions: u32) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wat-plugin/mfa.wat");
    let source = std::fs::read_to_string(&path).unwrap();
    let (version_from, count_from) = ("\"1.0.0\\00\"", "(local.get $questions) (i32.const 2))");
    assert!(source.contains(version_from) && source.contains(count_from));
    source
        .replace(version_from, &format!("\"{version}\\00\""))
        .replace(
            count_from,
            &format!("(local.get $questions) (i32.const {questions}))"),
        )
        .into_bytes()
}

#[test]
fn reassessment_drops_answers_to_questions_the_new_version_no_longer_has() {
    let dir = tempfile::tempdir().unwrap();
    let host = Arc::new(Host::new(Limits::default(), None).unwrap());
    let mut wb = Workbench::open(&dir.path().join("v.db"), "amel", host).unwrap();
    wb.install_plugin(&mfa_plugin("1.0.0", 2), "mfa-1.0.0.wat")
        .unwrap();
    let supplier = wb
        .add_supplier(&SupplierFields::new(
            "Centre d'appels Tunis",
            Criticality::High,
        ))
        .unwrap();
    let first = wb
        .new_assessment(
            &supplier.id,
            "wat-mfa",
            "2026-01-10".parse().unwrap(),
            "en",
            None,
            None,
        )
        .unwrap();
    let q = wb.plugin_for(&first).unwrap().questionnaire().clone();
    for (question, value, note) in [
        ("mfa", YesNo::No, None),
        (
            "mfa-planned",
            YesNo::Yes,
            Some("roll-out in March".to_string()),
        ),
    ] {
        wb.answer(
            &first,
            &q,
            question,
            Some(AnswerValue::YesNo(value)),
            note,
            None,
        )
        .unwrap();
    }
    wb.finalize(&first.id).unwrap();

    let newer = wb
        .install_plugin(&mfa_plugin("1.1.0", 1), "mfa-1.1.0.wat")
        .unwrap();
    assert!(newer.questionnaire().question("mfa-planned").is_none());
    let next = wb
        .reassess(&first.id, "2027-01-10".parse().unwrap())
        .unwrap();
    assert_eq!(next.plugin_version, "1.1.0");

    let (_, evaluation) = wb
        .score(&next.id)
        .expect("the reassessment can be scored by the new version");
    assert_eq!(evaluation.score, Some(0.0));
    let carried: Vec<String> = wb
        .answers(&next.id)
        .unwrap()
        .into_iter()
        .map(|a| a.question)
        .collect();
    assert_eq!(carried, ["mfa"]);

    assert_eq!(wb.answers_not_carried(&next.id).unwrap(), ["mfa-planned"]);
    let comparison = wb.compare(&first.id, &next.id).unwrap();
    assert_eq!(comparison.not_carried, ["mfa-planned"]);
    assert_eq!(comparison.to_confirm, ["mfa"]);
    let report = wb
        .report(&next.id, ReportFormat::Markdown, Some(ReportLang::En))
        .unwrap();
    let line = report
        .lines()
        .find(|l| l.starts_with("Answers not carried over"))
        .unwrap_or_else(|| panic!("no not-carried line in\n{report}"));
    assert!(line.contains("`mfa-planned`"), "{line}");
    let csv = wb
        .report(&next.id, ReportFormat::Csv, Some(ReportLang::En))
        .unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("comparison,not-carried,") && l.contains("mfa-planned")),
        "{csv}"
    );

    // A first assessment continues none: nothing to list.
    assert!(wb.answers_not_carried(&first.id).unwrap().is_empty());
}
