//! Reports, exchange files and reassessments through the real bundled plugins:
//! golden Markdown reports of two golden answer sets, export → import → export
//! through the workbench, and a reassessment's prefill and comparison.
//!
//! The golden reports live in `crates/vigie-report/tests/golden/`; after an
//! intended change, regenerate them with `VIGIE_BLESS=1 cargo test -p vigie-app
//! --test reports` and review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vigie_app::answers_file::AnswersFile;
use vigie_app::{Catalog, ReportFormat, ReportLang, Workbench};
use vigie_model::{
    ActionItem, ActionStatus, Answer, AnswerValue, Assessment, AssessmentStatus, Contact, Date,
    EvalContext, Evaluation, Evidence, EvidenceFile, EvidenceKind, Questionnaire, Status,
    StoredAnswer, Supplier, Timestamp,
};
use vigie_plugin_host::{Host, Limits, Plugin};
use vigie_report::compare::{Side, compare};
use vigie_report::{PluginRef, ReportInput};
use vigie_store::{Criticality, ImportOutcome, NewActionItem, NewEvidence, SupplierFields};

fn host() -> Arc<Host> {
    Arc::new(Host::new(Limits::default(), None).expect("engine"))
}

fn catalog() -> Catalog {
    let mut catalog = Catalog::new(host());
    catalog.load_bundled();
    assert!(catalog.failures.is_empty(), "{:?}", catalog.failures);
    catalog
}

fn golden_set(plugin: &str, name: &str) -> AnswersFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../questionnaires")
        .join(plugin)
        .join("golden")
        .join(format!("{name}.toml"));
    let source =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    AnswersFile::parse(&source, name).unwrap_or_else(|e| panic!("{e}"))
}

fn evaluate(catalog: &Catalog, plugin: &Plugin, answers: &[Answer], date: Date) -> Evaluation {
    let context = EvalContext {
        assessment_date: date,
        language: "fr".into(),
        level: None,
    };
    catalog
        .host()
        .evaluate(plugin, answers, &context)
        .expect("evaluate")
}

const AT: &str = "2026-11-23T09:30:00.000000Z";
const ASSESSMENT: &str = "01900000-0000-7000-8000-0000000000a2";

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn lines(answers: &[Answer]) -> Vec<StoredAnswer> {
    answers
        .iter()
        .map(|a| StoredAnswer {
            assessment_id: ASSESSMENT.into(),
            question: a.question.clone(),
            value: Some(a.value.clone()),
            note: a.note.clone(),
            revision: 1,
            to_confirm: false,
            updated_by: "amel".into(),
            updated_at: at(AT),
        })
        .collect()
}

/// A report input with fixed ids, people and times, and the plugin's real
/// questionnaire and evaluation. The plugin's sha256 is replaced by a fixed
/// value so that rebuilding a plugin does not change the golden files.
fn golden_input(
    catalog: &Catalog,
    plugin_id: &str,
    set: &str,
    previous: Option<&str>,
) -> ReportInput {
    let entry = catalog.find(plugin_id).expect("bundled plugin");
    let plugin = &entry.plugin;
    let questionnaire: Questionnaire = plugin.questionnaire().as_ref().clone();
    let file = golden_set(plugin_id, set);
    let date = file.assessment_date.expect("golden sets have a date");
    let mut answers = file.resolve(&questionnaire).expect("resolve");
    if let Some(first) = answers.first_mut() {
        first.note =
            Some("Entretien téléphonique avec le RSSI ; réponse | à vérifier sur place.".into());
    }
    let evaluation = evaluate(catalog, plugin, &answers, date);
    let plugin_ref = PluginRef {
        id: plugin.id().to_string(),
        version: plugin.version().to_string(),
        sha256: "5a".repeat(32),
    };
    let mut answer_lines = lines(&answers);
    let comparison = previous.map(|previous_set| {
        let old = golden_set(plugin_id, previous_set);
        let old_date = "2025-11-20".parse().unwrap();
        let old_answers = old.resolve(&questionnaire).expect("resolve");
        let old_eval = evaluate(catalog, plugin, &old_answers, old_date);
        let old_lines = lines(&old_answers);
        // Answers still as they were last year are still to confirm.
        for line in &mut answer_lines {
            line.to_confirm = old_lines.iter().any(|o| {
                o.question == line.question && o.value == line.value && o.note == line.note
            });
        }
        compare(
            &Side {
                id: "01900000-0000-7000-8000-0000000000a1",
                assessment_date: old_date,
                plugin: &plugin_ref,
                answers: &old_lines,
                evaluation: &old_eval,
            },
            &Side {
                id: ASSESSMENT,
                assessment_date: date,
                plugin: &plugin_ref,
                answers: &answer_lines,
                evaluation: &evaluation,
            },
        )
    });
    let actions = evaluation
        .findings
        .iter()
        .take(2)
        .enumerate()
        .map(|(i, f)| ActionItem {
            id: format!("01900000-0000-7000-8000-00000000ac0{i}").into(),
            assessment_id: ASSESSMENT.into(),
            finding_id: f.id.clone(),
            title: format!("Plan de remédiation : {}", f.title.get("fr")),
            owner: Some(if i == 0 {
                "DSI du fournisseur".into()
            } else {
                "Acheteur".into()
            }),
            deadline: Some("2027-03-31".parse().unwrap()),
            status: if i == 0 {
                ActionStatus::InProgress
            } else {
                ActionStatus::Open
            },
            created_by: "amel".into(),
            created_at: at(AT),
            updated_by: "amel".into(),
            updated_at: at(AT),
        })
        .collect();
    ReportInput {
        supplier: Supplier {
            id: "01900000-0000-7000-8000-000000000001".into(),
            name: "Centre d'appels Tunis".into(),
            country: Some("TN".into()),
            sector: Some("Centre de contacts".into()),
            services: vec![
                "Service client niveau 1".into(),
                "Recouvrement amiable".into(),
            ],
            contacts: vec![Contact {
                name: "Karim B.".into(),
                role: Some("RSSI".into()),
                email: Some("rssi@example.invalid".into()),
                phone: None,
            }],
            criticality: Criticality::High,
            created_by: "amel".into(),
            created_at: at("2026-11-02T08:00:00.000000Z"),
            updated_by: "amel".into(),
            updated_at: at("2026-11-02T08:00:00.000000Z"),
        },
        assessment: Assessment {
            id: ASSESSMENT.into(),
            supplier_id: "01900000-0000-7000-8000-000000000001".into(),
            supplier_name: "Centre d'appels Tunis".into(),
            plugin_sha256: plugin_ref.sha256.clone(),
            plugin_id: plugin_ref.id.clone(),
            plugin_version: plugin_ref.version.clone(),
            status: AssessmentStatus::Final,
            auditor: "amel".into(),
            assessment_date: date,
            language: "fr".into(),
            level: file.level.clone(),
            created_at: at("2026-11-02T08:00:00.000000Z"),
            previous_assessment: previous.map(|_| "01900000-0000-7000-8000-0000000000a1".into()),
            score: evaluation.score,
            verdict: Some(evaluation.verdict.id.clone()),
            evaluated_at: Some(at("2026-11-23T17:45:00.000000Z")),
            last_evaluation: Some(evaluation.clone()),
            finalized_by: Some("amel".into()),
            finalized_at: Some(at("2026-11-23T17:45:00.000000Z")),
            final_evaluation: Some(evaluation.clone()),
        },
        questionnaire,
        evaluation,
        answers: answer_lines,
        answer_sources: Default::default(),
        evidence: vec![
            Evidence {
                id: "01900000-0000-7000-8000-0000000000e1".into(),
                assessment_id: ASSESSMENT.into(),
                question: answers
                    .iter()
                    .find(|a| a.question.contains("certif"))
                    .or(answers.first())
                    .map(|a| a.question.clone()),
                kind: EvidenceKind::File,
                text: "Certificat ISO/IEC 27001 du siège".into(),
                file: Some(EvidenceFile {
                    sha256: "e3".repeat(32),
                    size: 482_113,
                    path: "preuves/iso27001-2023.pdf".into(),
                }),
                effective_date: Some("2023-06-30".parse().unwrap()),
                expiry_date: Some("2026-06-30".parse().unwrap()),
                added_by: "amel".into(),
                added_at: at(AT),
            },
            Evidence {
                id: "01900000-0000-7000-8000-0000000000e2".into(),
                assessment_id: ASSESSMENT.into(),
                question: None,
                kind: EvidenceKind::Link,
                text: "https://example.invalid/politique-securite".into(),
                file: None,
                effective_date: None,
                expiry_date: Some("2027-12-31".parse().unwrap()),
                added_by: "bruno".into(),
                added_at: at(AT),
            },
        ],
        actions,
        auditors: vec!["amel".into(), "bruno".into()],
        comparison,
    }
}

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vigie-report/tests/golden")
        .join(name)
}

fn check_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("VIGIE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; create it with VIGIE_BLESS=1", path.display()));
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from the golden report at line {}:\n  golden: {:?}\n  now:    {:?}\n\
             (regenerate with VIGIE_BLESS=1 if the change is intended)",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

#[test]
fn golden_reports_of_two_golden_answer_sets() {
    let catalog = catalog();
    let nis2 = golden_input(&catalog, "nis2-suppliers", "offshore-gaps", None);
    let md = vigie_report::render(&nis2, ReportFormat::Markdown, ReportLang::Fr).unwrap();
    assert!(md.contains("| ❌ |") && md.contains("| ⚠️ |") && md.contains("| ✅ |"));
    assert!(
        md.contains("⚠️ **expirée**"),
        "the expired certificate is flagged"
    );
    check_golden("nis2-offshore-gaps.fr.md", &md);

    let gdpr = golden_input(
        &catalog,
        "gdpr-offshore",
        "no-transfer-tool",
        Some("compliant"),
    );
    let md = vigie_report::render(&gdpr, ReportFormat::Markdown, ReportLang::Fr).unwrap();
    assert!(md.contains("## Comparaison avec l'évaluation précédente"));
    check_golden("gdpr-no-transfer-tool.fr.md", &md);
    let md = vigie_report::render(&gdpr, ReportFormat::Markdown, ReportLang::En).unwrap();
    assert!(md.contains("## Comparison with the previous assessment"));
    check_golden("gdpr-no-transfer-tool.en.md", &md);
}

fn bench(path: &Path, auditor: &str) -> Workbench {
    Workbench::open(path, auditor, host()).expect("workbench")
}

/// A workbench with one supplier and one assessment answered from a golden set.
fn answered(path: &Path, plugin: &str, set: &str) -> (Workbench, String) {
    let mut wb = bench(path, "amel");
    let supplier = wb
        .add_supplier(&SupplierFields::new(
            "Centre d'appels Tunis",
            Criticality::High,
        ))
        .unwrap();
    let file = golden_set(plugin, set);
    let date = file.assessment_date.unwrap();
    let a = wb
        .new_assessment(&supplier.id, plugin, date, "fr", file.level.clone(), None)
        .unwrap();
    let questionnaire = wb.plugin_for(&a).unwrap().questionnaire().clone();
    let answers = file.resolve(&questionnaire).unwrap();
    wb.answer_many(
        &a.id,
        answers
            .into_iter()
            .map(|x| (x.question, Some(x.value), x.note))
            .collect(),
        false,
    )
    .unwrap();
    (wb, a.id.into_string())
}

#[test]
fn export_import_export_through_the_workbench() {
    let dir = tempfile::tempdir().unwrap();
    let (mut office, id) = answered(
        &dir.path().join("office.db"),
        "nis2-suppliers",
        "in-progress",
    );
    let a = office.assessment(&id).unwrap();
    let finding = office.evaluation_of(&a).unwrap().findings[0].id.clone();
    office
        .add_action_item(
            &id,
            &NewActionItem {
                finding_id: finding,
                title: "Évaluer les sous-traitants".into(),
                owner: Some("DSI".into()),
                deadline: Some("2027-03-31".parse().unwrap()),
            },
        )
        .unwrap();
    office
        .add_evidence(
            &id,
            &NewEvidence {
                question: Some("iso-certified".into()),
                kind: EvidenceKind::Note,
                text: "Certificat vu".into(),
                file: None,
                effective_date: None,
                expiry_date: Some("2026-01-01".parse().unwrap()),
            },
        )
        .unwrap();
    let first = office.export_assessment(&id).unwrap();

    let mut laptop = bench(&dir.path().join("laptop.db"), "bruno");
    let report = laptop.import_exchange(&first).unwrap();
    assert_eq!(report.outcome, ImportOutcome::Created);
    // The draft was scored with the plugin that came in the file.
    let there = laptop.assessment(&id).unwrap();
    assert!(there.score.is_some() && there.verdict.as_deref() == Some("in-progress"));
    assert_eq!(laptop.export_assessment(&id).unwrap(), first);
    assert_eq!(
        laptop.import_exchange(&first).unwrap().outcome,
        ImportOutcome::Unchanged
    );
    assert_eq!(laptop.export_assessment(&id).unwrap(), first);

    // The same report in both databases.
    let html_office = office.report(&id, ReportFormat::Html, None).unwrap();
    let html_laptop = laptop.report(&id, ReportFormat::Html, None).unwrap();
    assert_eq!(html_office, html_laptop);
    assert!(html_office.contains("expirée"));
}

#[test]
fn reassessment_starts_from_the_previous_answers_and_shows_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut wb, id) = answered(&dir.path().join("v.db"), "nis2-suppliers", "offshore-gaps");
    wb.finalize(&id).unwrap();
    let previous_answers = wb.answers(&id).unwrap();

    let next = wb.reassess(&id, "2027-11-23".parse().unwrap()).unwrap();
    assert_eq!(next.previous_assessment.as_deref(), Some(id.as_str()));
    assert_eq!(next.assessment_date.to_string(), "2027-11-23");
    let carried = wb.answers(&next.id).unwrap();
    assert_eq!(carried.len(), previous_answers.len());
    for (old, new) in previous_answers.iter().zip(&carried) {
        assert_eq!(
            (&old.question, &old.value, &old.note),
            (&new.question, &new.value, &new.note)
        );
        assert!(new.to_confirm, "{} is not marked to confirm", new.question);
    }

    // Nothing changed yet, but everything is to confirm.
    let c = wb.compare(&id, &next.id).unwrap();
    assert!(c.answers.is_empty(), "{:?}", c.answers);
    assert_eq!(c.unchanged_answers, carried.len());
    assert_eq!(c.to_confirm.len(), carried.len());

    // The supplier fixed its subcontractor evaluation and accepted audits.
    let q = wb.plugin_for(&next).unwrap().questionnaire().clone();
    for (question, value) in [
        ("subcontractors-evaluation", "yes"),
        ("contract-audit-clause", "yes"),
    ] {
        let current = wb.stored_answer(&next.id, question).unwrap().unwrap();
        let kind = &q.question(question).unwrap().kind;
        wb.answer(
            &next,
            &q,
            question,
            Some(AnswerValue::parse(kind, value).unwrap()),
            None,
            Some(current.revision),
        )
        .unwrap();
    }
    let c = wb.compare(&id, &next.id).unwrap();
    let changed: Vec<&str> = c.answers.iter().map(|x| x.question.as_str()).collect();
    assert_eq!(
        changed,
        ["contract-audit-clause", "subcontractors-evaluation"]
    );
    assert_eq!(c.to_confirm.len(), carried.len() - 2);
    let c5 = c
        .statuses
        .iter()
        .find(|s| s.criterion == "c5-contract-clauses")
        .expect("c5 changed");
    assert_eq!(c5.before, Some(Status::NonCompliant));
    assert_ne!(c5.after, Some(Status::NonCompliant));
    // Its finding is closed when the criterion became compliant; when it
    // only moved to "to verify", the finding stays open at a lower severity
    // (shown by the status change), neither closed nor opened again.
    let about_c5 = |list: &[vigie_model::Finding]| {
        list.iter()
            .any(|f| f.criterion.as_deref() == Some("c5-contract-clauses"))
    };
    if c5.after == Some(Status::Compliant) {
        assert!(about_c5(&c.findings_closed));
    } else {
        assert_eq!(c5.after, Some(Status::ToVerify));
        assert!(!about_c5(&c.findings_closed) && !about_c5(&c.findings_opened));
    }
    // A year later some dates (certificate, last test) have aged: the score moves either way.
    assert!(c.score_delta().is_some());
    assert_eq!(wb.compare_with_previous(&next.id).unwrap(), Some(c));

    // The report carries the comparison.
    let md = wb
        .report(&next.id, ReportFormat::Markdown, Some(ReportLang::En))
        .unwrap();
    assert!(md.contains("## Comparison with the previous assessment"));
    assert!(md.contains("### Answers changed (2)"));
    assert!(md.contains("to confirm"));
}
