//! Properties every questionnaire's scoring must keep, whatever the rules:
//! the checks behind the bundled plugins' property tests and
//! `vigie plugin check`.
//!
//! - **Complete before compliant:** a favourable verdict (severity `info`,
//!   other than `not-assessed`) is never given while a criterion that
//!   applies is not assessed.
//! - **Monotonic:** replacing one answer with a strictly worse one never
//!   improves the criteria it feeds (status, score), the overall score (when
//!   the other criteria are unchanged: the answer may be context for rules on
//!   them) or the verdict (its severity never goes down). When the new answer changes
//!   which questions apply, the verdict alone is compared: a different
//!   regime (a derogation instead of clauses, say) may legitimately drop a
//!   criterion, never the conclusion.
//! - **Declined is never better than unknown**, and an unanswered critical
//!   question is never better than one answered "no".
//!
//! The status and score of each criterion agree (the score lies in the
//! status band): the host refuses an evaluation that breaks it.

use std::fmt;

use vigie_model::{Evaluation, Severity, Status};

/// How favourable a status is; `None` for the statuses that are no
/// judgement (not applicable, not assessed), which are never compared.
fn status_rank(status: Status) -> Option<u8> {
    match status {
        Status::NonCompliant => Some(0),
        Status::ToVerify => Some(1),
        Status::Compliant => Some(2),
        Status::NotApplicable | Status::NotAssessed => None,
    }
}

fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// The verdict id the SDK and the bundled plugins give when too little is
/// answered: never a favourable conclusion, whatever its severity.
pub const NOT_ASSESSED_VERDICT: &str = "not-assessed";

/// Whether the verdict is favourable: severity `info` (compliant, good),
/// other than "not assessed".
pub fn is_favourable(evaluation: &Evaluation) -> bool {
    evaluation.verdict.severity == Severity::Info && evaluation.verdict.id != NOT_ASSESSED_VERDICT
}

/// A broken property, with what shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub property: &'static str,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.property, self.detail)
    }
}

impl std::error::Error for Violation {}

/// No favourable verdict while a criterion that applies is not assessed.
pub fn complete_before_compliant(evaluation: &Evaluation) -> Result<(), Violation> {
    if !is_favourable(evaluation) {
        return Ok(());
    }
    match evaluation
        .criteria
        .iter()
        .find(|c| c.status == Status::NotAssessed)
    {
        None => Ok(()),
        Some(c) => Err(Violation {
            property: "complete before compliant",
            detail: format!(
                "verdict `{}` (severity info) while criterion `{}` is not assessed",
                evaluation.verdict.id, c.criterion
            ),
        }),
    }
}

/// Every criterion's score lies in the band of its status: compliant 80 to
/// 100, to verify below 80, non-compliant below 50, none when not applicable
/// or not assessed. The host refuses an evaluation that breaks it; checking
/// it here too keeps the properties whole when they run on other hosts.
pub fn status_and_score_agree(evaluation: &Evaluation) -> Result<(), Violation> {
    for c in &evaluation.criteria {
        let Some(score) = c.score else {
            continue;
        };
        let agrees = match c.status {
            Status::Compliant => (80.0..=100.0).contains(&score),
            Status::ToVerify => (0.0..80.0).contains(&score),
            Status::NonCompliant => (0.0..50.0).contains(&score),
            Status::NotApplicable | Status::NotAssessed => false,
        };
        if !agrees {
            return Err(Violation {
                property: "status and score agree",
                detail: format!(
                    "criterion `{}` is {} with score {score} (compliant 80 to 100, to verify below 80, \
                     non-compliant below 50, no score when not applicable or not assessed)",
                    c.criterion,
                    c.status.id()
                ),
            });
        }
    }
    Ok(())
}

/// What a comparison between two evaluations covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// The criteria fed by the changed question, the overall score and the
    /// verdict's severity.
    Everything,
    /// The verdict's severity only (the change altered which questions apply).
    VerdictOnly,
    /// The criteria (statuses that are judgements, scores), no favourable
    /// verdict unless `base` had one, and the overall score when both reach
    /// the same verdict: for an unanswered question against one answered
    /// "no", whose criterion may rightly be not assessed and whose verdict may
    /// rightly be "not enough answers" (a "no" may also let the rules
    /// conclude more, e.g. no contract means none of its clauses exist).
    NoFavourableVerdict,
}

/// `after` comes from `base` with one answer made worse (`change` says
/// which, for messages); it must not be better on any point `compare`
/// covers, for the criteria in `criteria`.
pub fn not_better(
    property: &'static str,
    change: &str,
    base: &Evaluation,
    after: &Evaluation,
    criteria: &[String],
    compare: Compare,
) -> Result<(), Violation> {
    let fail = |detail: String| {
        Err(Violation {
            property,
            detail: format!("{change}: {detail}"),
        })
    };
    match compare {
        Compare::VerdictOnly | Compare::Everything
            if severity_rank(after.verdict.severity) < severity_rank(base.verdict.severity) =>
        {
            return fail(format!(
                "the verdict improves from `{}` ({}) to `{}` ({})",
                base.verdict.id,
                base.verdict.severity.id(),
                after.verdict.id,
                after.verdict.severity.id()
            ));
        }
        Compare::NoFavourableVerdict if is_favourable(after) && !is_favourable(base) => {
            return fail(format!(
                "the verdict becomes `{}` (favourable) instead of `{}`",
                after.verdict.id, base.verdict.id
            ));
        }
        _ => {}
    }
    if compare == Compare::VerdictOnly {
        return Ok(());
    }
    // The overall score is a mean over the criteria that apply: when the
    // rules move a criterion in or out (a destination with adequacy needs no
    // transfer impact assessment), the two means are over different sets.
    fn not_applicable(e: &Evaluation) -> Vec<&str> {
        e.criteria
            .iter()
            .filter(|c| c.status == Status::NotApplicable)
            .map(|c| c.criterion.as_str())
            .collect()
    }
    let same_scope = not_applicable(base) == not_applicable(after);
    // The answer may also be context for rules on other criteria (the
    // supplier's role decides which SCC module is right): the overall score
    // is compared when those keep their status and score, the verdict always.
    let others_unchanged = base.criteria.iter().all(|b| {
        criteria.contains(&b.criterion)
            || after
                .criteria
                .iter()
                .find(|a| a.criterion == b.criterion)
                .is_none_or(|a| a.status == b.status && a.score == b.score)
    });
    let same_conclusion = base.verdict.id == after.verdict.id;
    if let (Some(b), Some(a)) = (base.score, after.score)
        && a > b + 1e-9
        && same_scope
        && others_unchanged
        && (compare == Compare::Everything || same_conclusion)
    {
        return fail(format!("the overall score rises from {b} to {a}"));
    }
    for id in criteria {
        let (Some(b), Some(a)) = (
            base.criteria.iter().find(|c| &c.criterion == id),
            after.criteria.iter().find(|c| &c.criterion == id),
        ) else {
            continue;
        };
        if let (Some(rb), Some(ra)) = (status_rank(b.status), status_rank(a.status))
            && ra > rb
        {
            return fail(format!(
                "criterion `{id}` improves from {} to {}",
                b.status.id(),
                a.status.id()
            ));
        }
        if status_rank(b.status).is_some()
            && status_rank(a.status).is_some()
            && let (Some(sb), Some(sa)) = (b.score, a.score)
            && sa > sb + 1e-9
        {
            return fail(format!("criterion `{id}` scores {sa} instead of {sb}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_model::{CriterionResult, Localized, Verdict};

    fn eval(status: Status, score: f64, verdict: Severity) -> Evaluation {
        Evaluation {
            criteria: vec![CriterionResult {
                criterion: "c".into(),
                status,
                rationale: Localized::default(),
                score: Some(score),
            }],
            score: Some(score),
            verdict: Verdict {
                id: "v".into(),
                label: Localized::default(),
                summary: Localized::default(),
                severity: verdict,
            },
            findings: vec![],
            extensions: vec![],
        }
    }

    #[test]
    fn a_worse_answer_that_improves_anything_is_caught() {
        let c = ["c".to_string()];
        let base = eval(Status::ToVerify, 50.0, Severity::Medium);
        let better_status = eval(Status::Compliant, 50.0, Severity::Medium);
        let better_verdict = eval(Status::ToVerify, 50.0, Severity::Info);
        let same = eval(Status::ToVerify, 50.0, Severity::Medium);
        let worse = eval(Status::NonCompliant, 10.0, Severity::High);
        let m = |after: &Evaluation, how| not_better("monotonic", "q", &base, after, &c, how);
        assert!(m(&better_status, Compare::Everything).is_err());
        assert!(m(&better_status, Compare::VerdictOnly).is_ok());
        assert!(m(&better_verdict, Compare::VerdictOnly).is_err());
        assert!(m(&better_verdict, Compare::NoFavourableVerdict).is_err());
        assert!(m(&same, Compare::Everything).is_ok());
        assert!(m(&worse, Compare::Everything).is_ok());
    }

    #[test]
    fn favourable_verdict_needs_every_criterion_assessed() {
        let mut e = eval(Status::Compliant, 100.0, Severity::Info);
        assert!(complete_before_compliant(&e).is_ok());
        e.criteria[0].status = Status::NotAssessed;
        let v = complete_before_compliant(&e).unwrap_err();
        assert!(
            v.to_string().contains("criterion `c` is not assessed"),
            "{v}"
        );
    }
}
