//! The portfolio: reference assessments, trends, due dates, open findings, overdue actions,
//! expiring evidence, the attention list, review cycles.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

mod common;

use common::TestBackend;

use vigie_model::{AnswerValue, Date, Evaluation, Finding, Localized, Severity, Verdict};
use vigie_store::{
    ActionItemUpdate, ActionStatus, AttentionKind, Criticality, EvidenceKind, ExpiryQuestion,
    NewActionItem, NewAssessment, NewEvidence, PortfolioFilter, PortfolioRow, PortfolioSort, Store,
    StoreError, SupplierFields, sort_rows,
};

fn d(s: &str) -> Date {
    s.parse().expect("date")
}

fn finding(id: &str, severity: Severity) -> Finding {
    Finding {
        id: id.into(),
        criterion: None,
        severity,
        title: Localized::from_pairs([("en", id)]),
        recommendation: Localized::default(),
        deadline_days: None,
    }
}

fn eval(score: f64, verdict: &str, severity: Severity, findings: Vec<Finding>) -> Evaluation {
    Evaluation {
        criteria: Vec::new(),
        score: Some(score),
        verdict: Verdict {
            id: verdict.into(),
            label: Localized::from_pairs([("fr", verdict), ("en", verdict)]),
            summary: Localized::default(),
            severity,
        },
        findings,
        extensions: Vec::new(),
    }
}

struct World {
    store: Store,
    plugin: String,
    _place: common::Place,
}

fn world(backend: TestBackend) -> World {
    let place = common::Place::new(backend);
    let store = common::open(&place, "alice");
    let plugin = store
        .put_plugin_blob(b"\0asm fake plugin", "nis2-suppliers", "1.0.0", "bundled")
        .expect("plugin")
        .sha256;
    World {
        store,
        plugin,
        _place: place,
    }
}

impl World {
    fn supplier(&self, name: &str, c: Criticality) -> String {
        self.store
            .add_supplier(&SupplierFields::new(name, c))
            .expect("supplier")
            .id
            .into_string()
    }

    fn assess(
        &self,
        supplier: &str,
        date: &str,
        evaluation: Option<&Evaluation>,
        finalize: bool,
    ) -> String {
        let a = self
            .store
            .new_assessment(&NewAssessment {
                supplier_id: supplier.into(),
                plugin_sha256: self.plugin.clone(),
                assessment_date: d(date),
                language: "fr".into(),
                level: None,
                previous_assessment: None,
            })
            .expect("assessment");
        if let Some(e) = evaluation {
            if finalize {
                self.store.finalize(&a.id, e).expect("finalize");
            } else {
                self.store.save_evaluation(&a.id, e).expect("save");
            }
        }
        a.id.into_string()
    }

    fn rows(&self, today: &str) -> Vec<PortfolioRow> {
        let mut rows = self.store.portfolio(d(today), 90).expect("portfolio");
        sort_rows(&mut rows, PortfolioSort::Name);
        rows
    }
}

fn row<'a>(rows: &'a [PortfolioRow], name: &str) -> &'a PortfolioRow {
    rows.iter()
        .find(|r| r.supplier_name == name)
        .expect("row present")
}

fn empty_database_has_an_empty_portfolio(backend: TestBackend) {
    let w = world(backend);
    assert!(w.rows("2026-06-01").is_empty());
    let attention = w
        .store
        .attention(&[], d("2026-06-01"), 90, &[])
        .expect("attention");
    assert!(attention.is_empty());
}

fn a_supplier_never_assessed_is_due_now(backend: TestBackend) {
    let w = world(backend);
    w.supplier("Acme", Criticality::Low);
    let rows = w.rows("2026-06-01");
    let r = row(&rows, "Acme");
    assert_eq!(r.assessments, 0);
    assert!(r.reference.is_none());
    assert_eq!(r.next_due, None);
    assert_eq!(r.review_months, 36);
    assert!(r.is_due_by(d("2026-06-01")));
    assert!(r.trend.is_empty());
}

fn the_reference_is_the_latest_final_assessment_and_the_trend_follows_dates(backend: TestBackend) {
    let w = world(backend);
    let s = w.supplier("Centre d'appels Tunis", Criticality::High);
    w.assess(
        &s,
        "2024-03-01",
        Some(&eval(40.0, "non-conforme", Severity::High, vec![])),
        true,
    );
    let second = w.assess(
        &s,
        "2025-03-15",
        Some(&eval(70.0, "conforme", Severity::Low, vec![])),
        true,
    );
    // A newer draft does not replace the signed-off verdict, but its score is in the trend.
    w.assess(
        &s,
        "2026-02-01",
        Some(&eval(55.0, "a-verifier", Severity::Medium, vec![])),
        false,
    );
    let rows = w.rows("2026-06-01");
    let r = row(&rows, "Centre d'appels Tunis");
    assert_eq!(r.assessments, 3);
    let reference = r.reference.as_ref().expect("reference");
    assert_eq!(reference.id, second);
    assert_eq!(reference.verdict.as_deref(), Some("conforme"));
    assert_eq!(reference.verdict_severity, Some(Severity::Low));
    assert_eq!(
        reference.verdict_label.as_ref().map(|l| l.get("en")),
        Some("conforme")
    );
    assert_eq!(reference.score, Some(70.0));
    assert_eq!(r.trend, vec![40.0, 70.0, 55.0]);
    assert_eq!(r.last_assessed, Some(d("2025-03-15")));
    assert_eq!(r.next_due, Some(d("2026-03-15")));
    assert!(r.is_due_by(d("2026-06-01")));
}

fn a_supplier_only_in_draft_shows_its_draft(backend: TestBackend) {
    let w = world(backend);
    let s = w.supplier("Brouillon SA", Criticality::Medium);
    let a = w.assess(
        &s,
        "2026-01-10",
        Some(&eval(30.0, "non-conforme", Severity::Critical, vec![])),
        false,
    );
    let rows = w.rows("2026-06-01");
    let r = row(&rows, "Brouillon SA");
    let reference = r.reference.as_ref().expect("reference");
    assert_eq!(reference.id, a);
    assert_eq!(reference.status, vigie_store::AssessmentStatus::Draft);
    assert_eq!(r.last_assessed, None, "a draft is not an assessment done");
    assert_eq!(r.next_due, None);
}

fn open_findings_exclude_those_remedied_by_a_finished_action(backend: TestBackend) {
    let w = world(backend);
    let s = w.supplier("Offshore BPO", Criticality::Critical);
    let findings = vec![
        finding("f-crit", Severity::Critical),
        finding("f-high-1", Severity::High),
        finding("f-high-2", Severity::High),
        finding("f-info", Severity::Info),
    ];
    let a = w.assess(
        &s,
        "2026-01-10",
        Some(&eval(20.0, "non-conforme", Severity::Critical, findings)),
        true,
    );
    let done = w
        .store
        .add_action_item(
            &a,
            &NewActionItem {
                finding_id: "f-high-1".into(),
                title: "Fix it".into(),
                owner: None,
                deadline: None,
            },
        )
        .expect("action");
    w.store
        .update_action_item(
            &done.id,
            &ActionItemUpdate {
                status: Some(ActionStatus::Done),
                ..ActionItemUpdate::default()
            },
        )
        .expect("done");
    // An action still open does not close its finding.
    w.store
        .add_action_item(
            &a,
            &NewActionItem {
                finding_id: "f-crit".into(),
                title: "Still open".into(),
                owner: None,
                deadline: None,
            },
        )
        .expect("action");
    let rows = w.rows("2026-06-01");
    let f = row(&rows, "Offshore BPO").open_findings;
    assert_eq!(
        (f.critical, f.high, f.medium, f.low, f.info),
        (1, 1, 0, 0, 1)
    );
    assert_eq!(f.total(), 3);
}

fn overdue_actions_and_expiring_evidence_are_counted(backend: TestBackend) {
    let w = world(backend);
    let s = w.supplier("Cloud Provence", Criticality::High);
    let old = w.assess(
        &s,
        "2025-01-10",
        Some(&eval(60.0, "conforme", Severity::Low, vec![])),
        false,
    );
    // Evidence: one expiring within 90 days, one expired, one far away, one without a date.
    for (text, expiry) in [
        ("ISO 27001", Some("2026-07-01")),
        ("SOC 2", Some("2026-01-01")),
        ("HDS", Some("2028-01-01")),
        ("note", None),
    ] {
        w.store
            .add_evidence(
                &old,
                &NewEvidence {
                    question: None,
                    kind: EvidenceKind::Note,
                    text: text.into(),
                    file: None,
                    effective_date: None,
                    expiry_date: expiry.map(d),
                },
            )
            .expect("evidence");
    }
    let mut ids = Vec::new();
    for (title, deadline) in [
        ("late", Some("2026-05-01")),
        ("late but done", Some("2026-04-01")),
        ("due today", Some("2026-06-01")),
        ("later", Some("2026-09-01")),
        ("no deadline", None),
    ] {
        let it = w
            .store
            .add_action_item(
                &old,
                &NewActionItem {
                    finding_id: "f".into(),
                    title: title.into(),
                    owner: None,
                    deadline: deadline.map(d),
                },
            )
            .expect("action");
        ids.push(it.id);
    }
    w.store
        .update_action_item(
            &ids[1],
            &ActionItemUpdate {
                status: Some(ActionStatus::Done),
                ..ActionItemUpdate::default()
            },
        )
        .expect("done");
    let rows = w.rows("2026-06-01");
    let r = row(&rows, "Cloud Provence");
    assert_eq!(r.overdue_actions, 1);
    assert_eq!(r.expiring_evidence, 2);

    let attention = w
        .store
        .attention(&rows, d("2026-06-01"), 90, &[])
        .expect("attention");
    let kinds: Vec<(AttentionKind, Option<Date>, &str)> = attention
        .iter()
        .map(|a| (a.kind, a.date, a.subject.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (
                AttentionKind::EvidenceExpiring,
                Some(d("2026-01-01")),
                "SOC 2"
            ),
            (AttentionKind::ActionOverdue, Some(d("2026-05-01")), "late"),
            // Only a draft: never assessed, so due (no date, counted as today).
            (AttentionKind::AssessmentDue, None, "nis2-suppliers"),
            (
                AttentionKind::EvidenceExpiring,
                Some(d("2026-07-01")),
                "ISO 27001"
            ),
        ]
    );
}

fn validity_dates_answered_are_in_the_attention_list(backend: TestBackend) {
    let w = world(backend);
    let s = w.supplier("Datacentre Lyon", Criticality::Medium);
    let a = w.assess(&s, "2026-01-10", None, false);
    w.store
        .set_answer(
            &a,
            "iso-valid-until",
            Some(AnswerValue::Date(d("2026-08-01"))),
            None,
            None,
        )
        .expect("answer");
    w.store
        .set_answer(
            &a,
            "other-date",
            Some(AnswerValue::Date(d("2026-07-01"))),
            None,
            None,
        )
        .expect("answer");
    let rows = w.rows("2026-06-01");
    let questions = [
        ExpiryQuestion {
            plugin_id: "nis2-suppliers".into(),
            question_id: "iso-valid-until".into(),
        },
        ExpiryQuestion {
            plugin_id: "another-plugin".into(),
            question_id: "other-date".into(),
        },
    ];
    let attention = w
        .store
        .attention(&rows, d("2026-06-01"), 90, &questions)
        .expect("attention");
    let answered: Vec<_> = attention
        .iter()
        .filter(|i| i.kind == AttentionKind::AnswerDateExpiring)
        .map(|i| (i.subject.as_str(), i.date))
        .collect();
    assert_eq!(answered, vec![("iso-valid-until", Some(d("2026-08-01")))]);
    // Outside the window: not listed.
    let attention = w
        .store
        .attention(&rows, d("2026-06-01"), 30, &questions)
        .expect("attention");
    assert!(
        attention
            .iter()
            .all(|i| i.kind != AttentionKind::AnswerDateExpiring)
    );
}

fn review_cycles_default_change_with_an_audit_row_and_refuse_nonsense(backend: TestBackend) {
    let w = world(backend);
    let cycles = w.store.review_cycles().expect("cycles");
    let months: Vec<(Criticality, u32)> =
        cycles.iter().map(|c| (c.criticality, c.months)).collect();
    assert_eq!(
        months,
        vec![
            (Criticality::Critical, 12),
            (Criticality::High, 12),
            (Criticality::Medium, 24),
            (Criticality::Low, 36),
        ]
    );
    let s = w.supplier("Acme", Criticality::Medium);
    w.assess(
        &s,
        "2025-01-31",
        Some(&eval(60.0, "conforme", Severity::Low, vec![])),
        true,
    );
    assert_eq!(
        row(&w.rows("2026-06-01"), "Acme").next_due,
        Some(d("2027-01-31"))
    );

    let changed = w
        .store
        .set_review_cycle(Criticality::Medium, 13)
        .expect("set");
    assert_eq!(changed.updated_by, "alice");
    // The day is clamped to the month's length.
    assert_eq!(
        row(&w.rows("2026-06-01"), "Acme").next_due,
        Some(d("2026-02-28"))
    );
    let trail = w.store.audit_trail(None).expect("trail");
    let last = trail.last().expect("audit row");
    assert_eq!(
        (last.action.as_str(), last.entity.as_str()),
        ("set", "review-cycle")
    );
    assert_eq!(last.entity_id, "medium");
    assert!(last.old.as_deref().is_some_and(|o| o.contains("24")));
    assert!(last.new.as_deref().is_some_and(|n| n.contains("13")));

    for bad in [0, 121] {
        let err = w
            .store
            .set_review_cycle(Criticality::Medium, bad)
            .expect_err("refused");
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    }
    let after = w.store.review_cycles().expect("cycles");
    assert_eq!(
        after[2].months, 13,
        "a refused change leaves the cycle as it was"
    );
    assert!(w.store.verify().expect("verify").audit_break.is_none());
}

fn risk_order_then_filters(backend: TestBackend) {
    let w = world(backend);
    let a = w.supplier("A low conforme", Criticality::Low);
    let b = w.supplier("B critical non-conforme", Criticality::Critical);
    let c = w.supplier("C high never assessed", Criticality::High);
    let e = w.supplier("É medium moyen", Criticality::Medium);
    w.assess(
        &a,
        "2026-01-01",
        Some(&eval(90.0, "ok", Severity::Info, vec![])),
        true,
    );
    w.assess(
        &b,
        "2026-01-01",
        Some(&eval(10.0, "ko", Severity::Critical, vec![])),
        true,
    );
    w.assess(
        &e,
        "2026-01-01",
        Some(&eval(50.0, "moyen", Severity::Medium, vec![])),
        true,
    );
    let _ = c;
    let mut rows = w.rows("2026-06-01");
    sort_rows(&mut rows, PortfolioSort::Risk);
    let names: Vec<&str> = rows.iter().map(|r| r.supplier_name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "B critical non-conforme",
            "C high never assessed",
            "É medium moyen",
            "A low conforme"
        ]
    );
    let keep = |f: &PortfolioFilter| -> Vec<String> {
        rows.iter()
            .filter(|r| f.matches(r))
            .map(|r| r.supplier_name.clone())
            .collect()
    };
    let by_verdict = PortfolioFilter {
        verdict_at_least: Some(Severity::Medium),
        ..PortfolioFilter::default()
    };
    assert_eq!(
        keep(&by_verdict),
        vec![
            "B critical non-conforme",
            "C high never assessed",
            "É medium moyen"
        ]
    );
    let due = PortfolioFilter {
        due_by: Some(d("2026-06-01")),
        ..PortfolioFilter::default()
    };
    assert_eq!(keep(&due), vec!["C high never assessed"]);
    let by_name = PortfolioFilter {
        name: Some("e medium".into()),
        ..PortfolioFilter::default()
    };
    assert_eq!(keep(&by_name), vec!["É medium moyen"]);
    let overdue = PortfolioFilter {
        overdue: true,
        ..PortfolioFilter::default()
    };
    assert!(keep(&overdue).is_empty());
}

/// Another program may write any evaluation JSON: the triggers that copy the verdict and the
/// findings must not make that write fail, and the portfolio ignores what it cannot read.
#[test]
fn hostile_evaluations_do_not_break_writes_or_the_portfolio() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.sqlite");
    let (store, assessment) = common::fixture(&path);
    drop(store);
    let conn = rusqlite::Connection::open(&path).expect("raw");
    conn.execute(
        "UPDATE assessments SET last_evaluation = ?1, score = 1e999 WHERE id = ?2",
        rusqlite::params![
            r#"{"findings":["text",5,null,{"id":7},{"id":"ok","severity":"bogus"},{"id":"real","severity":"high"}],"verdict":{"severity":"apocalyptic","label":"not a list"}}"#,
            assessment.id.as_str()
        ],
    )
    .expect("hostile write accepted");
    drop(conn);
    let store = Store::open(&path, "alice").expect("open");
    let rows = store.portfolio(d("2026-06-01"), 90).expect("portfolio");
    let r = &rows[0];
    let reference = r.reference.as_ref().expect("reference");
    assert_eq!(reference.verdict_severity, None);
    assert_eq!(reference.verdict_label, None);
    assert_eq!(reference.score, None, "an infinite score is no score");
    assert_eq!(r.open_findings.high, 1);
    assert_eq!(r.open_findings.total(), 1);
}

/// Evaluations saved before migration 3 get their verdict and findings copied by it.
#[test]
fn the_migration_fills_the_caches_from_existing_evaluations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.sqlite");
    let (store, assessment) = common::fixture(&path);
    store
        .save_evaluation(
            &assessment.id,
            &eval(
                33.0,
                "ko",
                Severity::High,
                vec![finding("a", Severity::Critical)],
            ),
        )
        .expect("save");
    drop(store);
    // Back to schema 2 as an older Vigie left it.
    let conn = rusqlite::Connection::open(&path).expect("raw");
    conn.execute_batch(
        "DROP TABLE declarations; DROP TRIGGER evaluation_cache_on_insert; DROP TRIGGER evaluation_cache_on_update; \
         DROP TRIGGER supplier_summary_on_insert; DROP TRIGGER supplier_summary_on_update; \
         DROP TABLE supplier_summaries; \
         DROP TABLE evaluation_findings; DROP TABLE evaluation_verdicts; \
         DROP TABLE review_cycles; DROP INDEX assessments_portfolio; DROP INDEX assessments_supplier_of; \
         DROP INDEX action_items_open_by_deadline; DROP INDEX action_items_by_finding; \
         DROP INDEX evidence_by_expiry; PRAGMA user_version = 2;",
    )
    .expect("downgrade");
    drop(conn);
    let store = Store::open(&path, "alice").expect("upgrade");
    let rows = store.portfolio(d("2026-06-01"), 90).expect("portfolio");
    let reference = rows[0].reference.as_ref().expect("reference");
    assert_eq!(reference.verdict_severity, Some(Severity::High));
    assert_eq!(rows[0].open_findings.critical, 1);
}

fn action_activity_counts_opened_and_closed_per_month(backend: TestBackend) {
    let w = world(backend);
    let s = w.supplier("Acme", Criticality::Low);
    let a = w.assess(&s, "2026-01-01", None, false);
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            w.store
                .add_action_item(
                    &a,
                    &NewActionItem {
                        finding_id: format!("f{i}"),
                        title: format!("t{i}"),
                        owner: None,
                        deadline: None,
                    },
                )
                .expect("action")
                .id,
        );
    }
    w.store
        .update_action_item(
            &ids[0],
            &ActionItemUpdate {
                status: Some(ActionStatus::Done),
                ..ActionItemUpdate::default()
            },
        )
        .expect("done");
    let activity = w.store.action_activity("2000-01").expect("activity");
    assert_eq!(activity.len(), 1);
    assert_eq!((activity[0].opened, activity[0].closed), (3, 1));
    assert!(w.store.action_activity("9999-01").expect("none").is_empty());
}

/// The trend keeps the eight latest scores by assessment date, oldest first, whatever order
/// the assessments were entered in; a later score change moves it.
fn the_trend_keeps_the_latest_eight_scores_in_date_order(backend: TestBackend) {
    let w = world(backend);
    let s = w.supplier("Acme", Criticality::High);
    let mut ids = Vec::new();
    // Entered newest first, then the older ones.
    for year in (2015..2025).rev() {
        let score = f64::from(year - 2000);
        ids.push(w.assess(
            &s,
            &format!("{year}-06-01"),
            Some(&eval(score, "v", Severity::Low, vec![])),
            false,
        ));
    }
    let rows = w.rows("2026-06-01");
    assert_eq!(
        row(&rows, "Acme").trend,
        vec![17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0]
    );
    assert_eq!(row(&rows, "Acme").assessments, 10);
    // Rescoring the 2024 assessment changes the last point.
    w.store
        .save_evaluation(&ids[0], &eval(99.0, "v", Severity::Low, vec![]))
        .expect("rescore");
    let rows = w.rows("2026-06-01");
    assert_eq!(row(&rows, "Acme").trend.last(), Some(&99.0));
    // Finalising an older one makes it the reference.
    w.store
        .finalize(&ids[3], &eval(21.0, "final", Severity::High, vec![]))
        .expect("finalize");
    let rows = w.rows("2026-06-01");
    let r = row(&rows, "Acme");
    assert_eq!(
        r.reference.as_ref().map(|a| a.id.as_str()),
        Some(ids[3].as_str())
    );
    assert_eq!(r.last_assessed, Some(d("2021-06-01")));
}

on_both_backends!(
    empty_database_has_an_empty_portfolio,
    a_supplier_never_assessed_is_due_now,
    the_reference_is_the_latest_final_assessment_and_the_trend_follows_dates,
    a_supplier_only_in_draft_shows_its_draft,
    open_findings_exclude_those_remedied_by_a_finished_action,
    overdue_actions_and_expiring_evidence_are_counted,
    validity_dates_answered_are_in_the_attention_list,
    review_cycles_default_change_with_an_audit_row_and_refuse_nonsense,
    risk_order_then_filters,
    action_activity_counts_opened_and_closed_per_month,
    the_trend_keeps_the_latest_eight_scores_in_date_order,
);
