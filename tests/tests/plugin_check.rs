//! `vigie plugin check` on third-party plugins with deliberately wrong rules
//! (`tests/plugins/bad-rules.toml` and the crates built on it): each breaks
//! one property of the bundled plugins' property tests, and the check's
//! bounded, deterministic generated interviews catch it, naming the property
//! and giving a hint. The valid `good` plugin passes the same check.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use vigie_app::check::{CheckError, check_plugin};
use vigie_model::Date;
use vigie_plugin_host::{Host, Limits};

fn check(name: &str) -> Result<vigie_app::check::CheckReport, CheckError> {
    let host = Host::new(Limits::default(), None).expect("engine");
    let date = Date::new(2026, 11, 23).expect("date");
    check_plugin(&host, &vigie_tests::plugin_bytes(name), name, date)
}

fn refused(name: &str) -> (String, String) {
    match check(name) {
        Ok(report) => panic!(
            "{name} passed the check ({} property cases, {} comparisons)",
            report.property_cases, report.property_comparisons
        ),
        Err(e) => (e.to_string(), e.hint()),
    }
}

#[test]
fn a_valid_plugin_passes_every_property() {
    let report = check("good").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.property_cases, vigie_app::check::PROPERTY_CASES);
    assert!(report.property_comparisons > 0);
    assert_eq!(report.undeclared_questions, 0);
}

#[test]
fn a_longer_alert_delay_scoring_better_is_caught() {
    let (error, hint) = refused("non-monotonic");
    assert!(error.starts_with("monotonic: `alert-hours`"), "{error}");
    assert!(
        error.contains("improves") || error.contains("rises"),
        "{error}"
    );
    assert!(hint.contains("a worse answer"), "{hint}");
}

#[test]
fn a_refusal_doing_better_than_unknown_is_caught() {
    let (error, hint) = refused("declined-better");
    // A refusal replacing "unknown" (or another answer) must not do better.
    assert!(
        error.starts_with("declined never better than")
            || error.starts_with("monotonic: `mfa`") && error.contains("Declined"),
        "{error}"
    );
    assert!(
        error.contains("`mfa` declined") || error.contains("→ Declined"),
        "{error}"
    );
    assert!(!hint.is_empty());
}

#[test]
fn an_unanswered_critical_question_doing_better_than_no_is_caught() {
    let (error, hint) = refused("unanswered-better");
    assert!(
        error.starts_with("unanswered never better than no for a critical question: `mfa`"),
        "{error}"
    );
    assert!(hint.contains("critical question"), "{hint}");
}

#[test]
fn applicability_decided_apart_from_the_host_is_caught() {
    let (error, hint) = refused("own-applicability");
    assert!(
        error.starts_with("host and plugin applicability agree: `offshore-audit`"),
        "{error}"
    );
    assert!(
        error.contains("the host says it applies, the plugin that it does not apply"),
        "{error}"
    );
    assert!(hint.contains("Sheet::applies"), "{hint}");
}

#[test]
fn a_score_outside_its_status_band_is_refused() {
    let (error, hint) = refused("score-out-of-band");
    assert!(
        error.contains("status `non-compliant` with score 100"),
        "{error}"
    );
    assert!(
        hint.contains("scores in 0..100") || hint.contains("band"),
        "{hint}"
    );
}
