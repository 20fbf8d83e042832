//! Issue 14: a criterion "to verify" only because some of its questions are still
//! unanswered is progress, not a finding with a deadline: the bundled plugins (through the
//! SDK's `Sheet::finish`) raise none for it, while a doubtful answer still raises one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::sync::Arc;

use vigie_app::Catalog;
use vigie_model::{Answer, AnswerValue, EvalContext, Evaluation, Status, YesNo};
use vigie_plugin_host::{Host, Limits};

fn evaluate(answers: &[(&str, YesNo)]) -> Evaluation {
    let host = Host::new(Limits::default(), None).expect("engine");
    let mut catalog = Catalog::new(Arc::new(host));
    catalog.load_bundled();
    let entry = catalog.find("nis2-suppliers").expect("bundled");
    let context = EvalContext {
        assessment_date: vigie_model::Date::new(2026, 11, 23).expect("date"),
        language: "en".into(),
        level: None,
    };
    let answers: Vec<Answer> = answers
        .iter()
        .map(|(q, v)| Answer {
            question: (*q).into(),
            value: AnswerValue::YesNo(*v),
            note: None,
        })
        .collect();
    catalog
        .host()
        .evaluate(&entry.plugin, &answers, &context)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn open_questions_alone_raise_no_finding() {
    // One question of the supply-chain criteria answered "yes", the others still open.
    let e = evaluate(&[("subcontractors-list", YesNo::Yes)]);
    for criterion in ["c3-supply-chain", "m21-d"] {
        assert_eq!(
            e.status_of(criterion),
            Some(Status::ToVerify),
            "{criterion}"
        );
        assert!(
            e.findings
                .iter()
                .all(|f| f.criterion.as_deref() != Some(criterion)),
            "{criterion} is only unanswered: {:?}",
            e.findings
        );
    }
    // A partial answer beside the open questions is a finding to verify.
    let e = evaluate(&[("subcontractors-list", YesNo::Partial)]);
    assert!(
        e.findings
            .iter()
            .any(|f| f.criterion.as_deref() == Some("c3-supply-chain")),
        "{:?}",
        e.findings
    );
}

/// The report of that interview says how many questions are still open, and lists no
/// finding for the criteria they leave to verify.
#[test]
fn the_report_counts_open_questions_as_progress() {
    let dir = tempfile::tempdir().unwrap();
    let host = Arc::new(Host::new(Limits::default(), None).expect("engine"));
    let mut bench =
        vigie_app::Workbench::open(&dir.path().join("v.db"), "alice", host).expect("workbench");
    let supplier = bench
        .add_supplier(&vigie_store::SupplierFields::new(
            "Centre d'appels Tunis",
            vigie_store::Criticality::High,
        ))
        .unwrap();
    let a = bench
        .new_assessment(
            supplier.id.as_str(),
            "nis2-suppliers",
            vigie_model::Date::new(2026, 11, 23).unwrap(),
            "en",
            None,
            None,
        )
        .unwrap();
    let plugin = bench.plugin_for(&a).unwrap();
    bench
        .answer(
            &a,
            plugin.questionnaire(),
            "subcontractors-list",
            Some(AnswerValue::YesNo(YesNo::Yes)),
            None,
            None,
        )
        .unwrap();
    let report = bench
        .report(a.id.as_str(), vigie_app::ReportFormat::Markdown, None)
        .unwrap();
    assert!(report.contains("questions still open"), "{report}");
    // Nothing else in this interview is a finding.
    assert!(report.contains("## Findings\n\nNo findings."), "{report}");
}
