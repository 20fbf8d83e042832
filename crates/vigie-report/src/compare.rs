//! What changed between two assessments of the same supplier: answers, criterion statuses,
//! score and verdict, findings closed and opened. A pure function of both sides, shown by the
//! reassessment screen and by the report's comparison section.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use vigie_model::{AnswerValue, Date, Evaluation, Finding, Status, Verdict};

use crate::{AnswerLine, PluginRef};

/// One assessment as [`compare`] reads it.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    pub id: &'a str,
    pub assessment_date: Date,
    pub plugin: &'a PluginRef,
    pub answers: &'a [AnswerLine],
    pub evaluation: &'a Evaluation,
}

/// One side of a comparison, as it was.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparedAssessment {
    pub id: String,
    pub assessment_date: Date,
    pub plugin: PluginRef,
    pub score: Option<f64>,
    pub verdict: Verdict,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Answered now, not before.
    Added,
    /// Answered before, not now.
    Removed,
    /// Another value.
    Changed,
    /// The same value with another note.
    NoteChanged,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerChange {
    pub question: String,
    pub kind: ChangeKind,
    pub before: Option<AnswerValue>,
    pub after: Option<AnswerValue>,
    pub note_before: Option<String>,
    pub note_after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub criterion: String,
    /// `None`: the criterion was not in that evaluation.
    pub before: Option<Status>,
    pub after: Option<Status>,
}

/// What changed from `previous` to `current`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub previous: ComparedAssessment,
    pub current: ComparedAssessment,
    /// Answers added, removed or changed, by question id.
    pub answers: Vec<AnswerChange>,
    /// Answers with the same value and note on both sides.
    pub unchanged_answers: usize,
    /// Questions whose answer was copied from the previous assessment and is not confirmed
    /// yet, by question id.
    pub to_confirm: Vec<String>,
    /// Questions answered in the previous assessment whose answer was not carried over
    /// because the current plugin version no longer has the question (or no longer accepts
    /// the value), by question id. [`compare`] does not know the questionnaire: the caller
    /// that does fills this (`vigie_app::Workbench::compare`).
    #[serde(default)]
    pub not_carried: Vec<String>,
    /// Criteria whose status changed, in the current evaluation's order (criteria only in
    /// the previous one last).
    pub statuses: Vec<StatusChange>,
    /// Findings of the previous evaluation that the current one no longer has.
    pub findings_closed: Vec<Finding>,
    /// Findings of the current evaluation that the previous one did not have.
    pub findings_opened: Vec<Finding>,
}

impl Comparison {
    /// Current score minus previous score, when both have one.
    pub fn score_delta(&self) -> Option<f64> {
        Some(self.current.score? - self.previous.score?)
    }

    /// Whether nothing at all changed.
    pub fn is_unchanged(&self) -> bool {
        self.answers.is_empty()
            && self.statuses.is_empty()
            && self.findings_closed.is_empty()
            && self.findings_opened.is_empty()
            && self.previous.score == self.current.score
            && self.previous.verdict.id == self.current.verdict.id
    }
}

fn side_info(side: &Side<'_>) -> ComparedAssessment {
    ComparedAssessment {
        id: side.id.to_string(),
        assessment_date: side.assessment_date,
        plugin: side.plugin.clone(),
        score: side.evaluation.score,
        verdict: side.evaluation.verdict.clone(),
    }
}

fn given(answers: &[AnswerLine]) -> BTreeMap<&str, &AnswerLine> {
    answers
        .iter()
        .filter(|a| a.value.is_some())
        .map(|a| (a.question.as_str(), a))
        .collect()
}

/// Compares two assessments (usually an assessment and its reassessment).
pub fn compare(previous: &Side<'_>, current: &Side<'_>) -> Comparison {
    let before = given(previous.answers);
    let after = given(current.answers);
    let mut questions: Vec<&str> = before.keys().chain(after.keys()).copied().collect();
    questions.sort_unstable();
    questions.dedup();
    let mut answers = Vec::new();
    let mut unchanged_answers = 0;
    for q in questions {
        let b = before.get(q);
        let a = after.get(q);
        let kind = match (b, a) {
            (None, Some(_)) => Some(ChangeKind::Added),
            (Some(_), None) => Some(ChangeKind::Removed),
            (Some(b), Some(a)) if b.value != a.value => Some(ChangeKind::Changed),
            (Some(b), Some(a)) if b.note != a.note => Some(ChangeKind::NoteChanged),
            _ => None,
        };
        match kind {
            None => unchanged_answers += 1,
            Some(kind) => answers.push(AnswerChange {
                question: q.to_string(),
                kind,
                before: b.and_then(|x| x.value.clone()),
                after: a.and_then(|x| x.value.clone()),
                note_before: b.and_then(|x| x.note.clone()),
                note_after: a.and_then(|x| x.note.clone()),
            }),
        }
    }
    let mut to_confirm: Vec<String> = current
        .answers
        .iter()
        .filter(|a| a.to_confirm && a.value.is_some())
        .map(|a| a.question.clone())
        .collect();
    to_confirm.sort_unstable();

    let old = previous.evaluation;
    let new = current.evaluation;
    let mut statuses = Vec::new();
    let mut seen = HashSet::new();
    for c in new.criteria.iter().chain(&old.criteria) {
        if !seen.insert(c.criterion.as_str()) {
            continue;
        }
        let b = old.status_of(&c.criterion);
        let a = new.status_of(&c.criterion);
        if b != a {
            statuses.push(StatusChange {
                criterion: c.criterion.clone(),
                before: b,
                after: a,
            });
        }
    }
    // The same finding, though a plugin may give it another id when only its
    // severity moves (a criterion from non-compliant to "to verify"): that
    // move shows among the status changes, not as one finding closed and
    // another opened.
    let same = |a: &Finding, b: &Finding| {
        a.id == b.id || (a.criterion.is_some() && a.criterion == b.criterion && a.title == b.title)
    };
    Comparison {
        previous: side_info(previous),
        current: side_info(current),
        answers,
        unchanged_answers,
        to_confirm,
        not_carried: Vec::new(),
        statuses,
        findings_closed: old
            .findings
            .iter()
            .filter(|f| !new.findings.iter().any(|g| same(f, g)))
            .cloned()
            .collect(),
        findings_opened: new
            .findings
            .iter()
            .filter(|f| !old.findings.iter().any(|g| same(f, g)))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use vigie_model::{CriterionResult, Localized, Severity, YesNo};

    use super::*;

    fn line(q: &str, v: Option<YesNo>, note: Option<&str>, to_confirm: bool) -> AnswerLine {
        AnswerLine {
            question: q.into(),
            value: v.map(AnswerValue::YesNo),
            note: note.map(Into::into),
            revision: 1,
            to_confirm,
            updated_by: "a".into(),
            updated_at: "2026-01-01T00:00:00Z".into(),
            source: crate::AnswerSource::Auditor,
        }
    }

    fn eval(score: f64, statuses: &[(&str, Status)], findings: &[&str]) -> Evaluation {
        Evaluation {
            criteria: statuses
                .iter()
                .map(|(c, s)| CriterionResult {
                    criterion: c.to_string(),
                    status: *s,
                    rationale: Localized::default(),
                    score: None,
                })
                .collect(),
            score: Some(score),
            verdict: Verdict {
                id: "v".into(),
                label: Localized::default(),
                summary: Localized::default(),
                severity: Severity::Low,
            },
            findings: findings
                .iter()
                .map(|id| Finding {
                    id: id.to_string(),
                    criterion: None,
                    severity: Severity::High,
                    title: Localized::default(),
                    recommendation: Localized::default(),
                    deadline_days: None,
                })
                .collect(),
            extensions: Vec::new(),
        }
    }

    #[test]
    fn finds_every_kind_of_change() {
        let plugin = PluginRef::default();
        let old_answers = vec![
            line("a", Some(YesNo::Yes), None, false),
            line("b", Some(YesNo::No), None, false),
            line("c", Some(YesNo::Yes), Some("x"), false),
            line("d", Some(YesNo::Yes), None, false),
        ];
        let new_answers = vec![
            line("a", Some(YesNo::Yes), None, true),
            line("b", Some(YesNo::Yes), None, false),
            line("c", Some(YesNo::Yes), Some("y"), false),
            line("d", None, None, false),
            line("e", Some(YesNo::No), None, false),
        ];
        let old_eval = eval(
            40.0,
            &[("c1", Status::NonCompliant), ("c2", Status::Compliant)],
            &["f1", "f2"],
        );
        let new_eval = eval(
            70.0,
            &[("c1", Status::Compliant), ("c2", Status::Compliant)],
            &["f2", "f3"],
        );
        let date: Date = "2026-01-01".parse().unwrap();
        let c = compare(
            &Side {
                id: "old",
                assessment_date: date,
                plugin: &plugin,
                answers: &old_answers,
                evaluation: &old_eval,
            },
            &Side {
                id: "new",
                assessment_date: date,
                plugin: &plugin,
                answers: &new_answers,
                evaluation: &new_eval,
            },
        );
        let kinds: Vec<(&str, ChangeKind)> = c
            .answers
            .iter()
            .map(|x| (x.question.as_str(), x.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("b", ChangeKind::Changed),
                ("c", ChangeKind::NoteChanged),
                ("d", ChangeKind::Removed),
                ("e", ChangeKind::Added)
            ]
        );
        assert_eq!(c.unchanged_answers, 1);
        assert_eq!(c.to_confirm, ["a"]);
        assert_eq!(
            c.statuses,
            [StatusChange {
                criterion: "c1".into(),
                before: Some(Status::NonCompliant),
                after: Some(Status::Compliant)
            }]
        );
        assert_eq!(c.score_delta(), Some(30.0));
        assert_eq!(
            c.findings_closed
                .iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>(),
            ["f1"]
        );
        assert_eq!(
            c.findings_opened
                .iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>(),
            ["f3"]
        );
        assert!(!c.is_unchanged());
    }

    /// A finding whose criterion only moved from non-compliant to "to verify"
    /// (and so got another id from the SDK) is neither closed nor opened.
    #[test]
    fn a_finding_that_only_changes_severity_stays_open() {
        let plugin = PluginRef::default();
        let finding = |id: &str| Finding {
            id: id.into(),
            criterion: Some("c5".into()),
            severity: Severity::High,
            title: Localized::from_pairs([("fr", "Clauses")]),
            recommendation: Localized::default(),
            deadline_days: None,
        };
        let mut old_eval = eval(20.0, &[("c5", Status::NonCompliant)], &[]);
        old_eval.findings = vec![finding("c5")];
        let mut new_eval = eval(30.0, &[("c5", Status::ToVerify)], &[]);
        new_eval.findings = vec![finding("c5.verify")];
        let date: Date = "2026-01-01".parse().unwrap();
        let side = |id, evaluation| Side {
            id,
            assessment_date: date,
            plugin: &plugin,
            answers: &[],
            evaluation,
        };
        let c = compare(&side("old", &old_eval), &side("new", &new_eval));
        assert!(c.findings_closed.is_empty(), "{:?}", c.findings_closed);
        assert!(c.findings_opened.is_empty(), "{:?}", c.findings_opened);
        assert_eq!(c.statuses.len(), 1);
    }
}
