//! `vigie demo`'s sample portfolio: the same on the same day, something in every column, and
//! never written over a file that is not a demo.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::Path;
use std::sync::Arc;

use vigie_app::Workbench;
use vigie_app::demo::{DEMO_AUDITOR, create_demo, is_demo_file};
use vigie_app::portfolio::Portfolio;
use vigie_model::{Date, Severity};
use vigie_plugin_host::{Host, Limits};
use vigie_store::{AssessmentStatus, AttentionKind, Criticality, Store, SupplierFields};

fn host() -> Arc<Host> {
    Arc::new(Host::new(Limits::default(), None).expect("engine"))
}

fn today() -> Date {
    "2026-06-15".parse().expect("date")
}

fn portfolio_of(path: &Path, host: Arc<Host>) -> Portfolio {
    let bench = Workbench::open(path, "reader", host).expect("open");
    bench.portfolio(today(), 90).expect("portfolio")
}

/// The portfolio without the random ids, to compare two demos.
fn without_ids(mut p: Portfolio) -> Portfolio {
    for r in &mut p.rows {
        r.supplier_id.clear();
        if let Some(a) = &mut r.reference {
            a.id.clear();
        }
    }
    for a in &mut p.attention {
        a.supplier_id.clear();
        a.assessment_id = None;
    }
    p
}

#[test]
fn the_demo_is_deterministic_and_fills_every_column() {
    let host = host();
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (
        dir.path().join("a/vigie-demo.sqlite"),
        dir.path().join("b/vigie-demo.sqlite"),
    );
    let summary = create_demo(&a, today(), host.clone()).expect("demo");
    assert_eq!(summary.suppliers, 12);
    assert!(summary.assessments >= 14, "{summary:?}");
    create_demo(&b, today(), host.clone()).expect("demo again");
    let portfolio = portfolio_of(&a, host.clone());
    assert_eq!(
        without_ids(portfolio.clone()),
        without_ids(portfolio_of(&b, host.clone())),
        "the same day gives the same sample"
    );

    let rows = &portfolio.rows;
    assert_eq!(rows.len(), 12);
    let plugins: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter_map(|r| r.reference.as_ref().map(|a| a.plugin_id.as_str()))
        .collect();
    assert_eq!(
        plugins.into_iter().collect::<Vec<_>>(),
        vec!["anssi-hygiene", "gdpr-offshore", "nis2-suppliers"]
    );
    for c in [
        Criticality::Low,
        Criticality::Medium,
        Criticality::High,
        Criticality::Critical,
    ] {
        assert!(rows.iter().any(|r| r.criticality == c), "a {c} supplier");
    }
    let severities: std::collections::BTreeSet<String> = rows
        .iter()
        .filter_map(|r| r.reference.as_ref()?.verdict_severity)
        .map(|s: Severity| s.id().to_string())
        .collect();
    assert!(
        severities.len() >= 3,
        "verdicts of several kinds: {severities:?}"
    );
    assert!(
        rows.iter().all(|r| r.reference.is_none()
            || r.reference
                .as_ref()
                .is_some_and(|a| a.score.is_some() && a.verdict_label.is_some())),
        "every assessed supplier has a score and a verdict"
    );
    assert!(
        rows.iter().any(|r| r.reference.is_none()),
        "one never assessed"
    );
    assert!(
        rows.iter().any(|r| r
            .reference
            .as_ref()
            .is_some_and(|a| a.status == AssessmentStatus::Draft)),
        "one only in draft"
    );
    assert!(
        rows.iter().filter(|r| r.trend.len() >= 2).count() >= 3,
        "reassessed suppliers have a trend"
    );
    assert!(
        rows.iter()
            .any(|r| r.trend.len() >= 2 && r.trend.windows(2).any(|w| w[0] != w[1])),
        "a trend that moves"
    );
    assert!(
        rows.iter()
            .any(|r| r.last_assessed.is_some() && r.next_due.is_some())
    );
    assert!(rows.iter().any(|r| r.is_due_by(today())), "some are due");
    assert!(
        rows.iter().any(|r| r.next_due.is_some_and(|d| d > today())),
        "some are not"
    );
    assert!(
        rows.iter().any(|r| r.open_findings.total() > 0),
        "open findings"
    );
    assert!(
        rows.iter()
            .any(|r| r.open_findings.critical + r.open_findings.high > 0),
        "serious findings"
    );
    assert!(
        rows.iter().filter(|r| r.overdue_actions > 0).count() >= 3,
        "overdue actions"
    );
    assert!(
        rows.iter().filter(|r| r.expiring_evidence > 0).count() >= 4,
        "expiring evidence"
    );
    for kind in [
        AttentionKind::EvidenceExpiring,
        AttentionKind::AnswerDateExpiring,
        AttentionKind::ActionOverdue,
        AttentionKind::AssessmentDue,
    ] {
        assert!(
            portfolio.attention.iter().any(|i| i.kind == kind),
            "attention: {kind:?}"
        );
    }
    // The whole sample is recorded as the demo's auditor, with an unbroken audit trail.
    let store = Store::open(&a, "check").expect("open");
    assert!(store.verify().expect("verify").audit_break.is_none());
    assert!(
        store
            .audit_trail(None)
            .expect("trail")
            .iter()
            .all(|e| e.who == DEMO_AUDITOR)
    );
}

#[test]
fn the_demo_replaces_a_demo_but_never_another_file() {
    let host = host();
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("vigie-demo.sqlite");
    create_demo(&demo, today(), host.clone()).expect("demo");
    assert!(is_demo_file(&demo).expect("check"));
    // A second run replaces the first: still twelve suppliers, not twenty-four.
    create_demo(&demo, today(), host.clone()).expect("demo again");
    assert_eq!(
        Store::open(&demo, "x")
            .expect("open")
            .list_suppliers()
            .expect("list")
            .len(),
        12
    );

    let real = dir.path().join("vigie.sqlite");
    {
        let store = Store::open(&real, "alice").expect("create");
        store
            .add_supplier(&SupplierFields::new(
                "Mon vrai fournisseur",
                Criticality::High,
            ))
            .expect("supplier");
    }
    let before = std::fs::read(&real).expect("read");
    let err = create_demo(&real, today(), host.clone()).expect_err("refused");
    assert!(
        err.to_string().contains("not a Vigie demo database"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&real).expect("read"),
        before,
        "left as it was"
    );

    let text = dir.path().join("notes.sqlite");
    std::fs::write(&text, "not a database at all, but mine").expect("write");
    let err = create_demo(&text, today(), host).expect_err("refused");
    assert!(
        err.to_string().contains("not a Vigie demo database"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&text).expect("read"),
        "not a database at all, but mine"
    );
}
