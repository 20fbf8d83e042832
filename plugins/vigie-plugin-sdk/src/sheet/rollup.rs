//! Criterion roll-ups: the outcome of each answer, the tally of a criterion's answers,
//! worst-wins and weighted-average, the overall score and the default verdict.

use super::{
    Assessment, Sheet, Words, days_between, level_ok, localized, number, score_in_band, words,
};
use crate::content::{self, Expect, Outcome, Rollup};
use crate::wit::{AnswerValue, Status, YesNo};

impl Sheet<'_> {
    /// The scoring outcome of question `index`; `None` for an unanswered or
    /// context question, or one that does not apply.
    pub fn outcome(&self, index: usize) -> Option<Outcome> {
        let question = &self.content.questions[index];
        let value = &self.answers[index]?.value;
        if question.expect == Expect::Context {
            return None;
        }
        if matches!(value, AnswerValue::Declined) {
            return Some(Outcome::Declined);
        }
        let yes_no = |inverted: bool| match value {
            AnswerValue::YesNo(YesNo::Yes) if inverted => Some(Outcome::NotMet),
            AnswerValue::YesNo(YesNo::Yes) => Some(Outcome::Met),
            AnswerValue::YesNo(YesNo::No) if inverted => Some(Outcome::Met),
            AnswerValue::YesNo(YesNo::No) => Some(Outcome::NotMet),
            AnswerValue::YesNo(YesNo::Partial) => Some(Outcome::Partial),
            _ => Some(Outcome::Unknown),
        };
        let choice_score = |id: &str| {
            question
                .choices
                .iter()
                .find(|c| c.id == id)
                .and_then(|c| c.score)
        };
        let assessment_date = &self.context.assessment_date;
        match question.expect {
            Expect::Context => None,
            Expect::Yes => yes_no(false),
            Expect::No => yes_no(true),
            Expect::Choices => match value {
                AnswerValue::Choice(id) => choice_score(id),
                AnswerValue::Choices(ids) => ids
                    .iter()
                    .filter_map(|id| choice_score(id))
                    .max_by_key(|o| outcome_rank(*o)),
                _ => Some(Outcome::Unknown),
            },
            Expect::MetAtLeast { met, partial } => number(value).map(|v| {
                if v >= met {
                    Outcome::Met
                } else if partial.is_some_and(|p| v >= p) {
                    Outcome::Partial
                } else {
                    Outcome::NotMet
                }
            }),
            Expect::MetBelow { met, partial } => number(value).map(|v| {
                if v < met {
                    Outcome::Met
                } else if partial.is_some_and(|p| v < p) {
                    Outcome::Partial
                } else {
                    Outcome::NotMet
                }
            }),
            Expect::AfterAssessment => match value {
                AnswerValue::Date(d) if days_between(assessment_date, d) >= 0 => Some(Outcome::Met),
                AnswerValue::Date(_) => Some(Outcome::NotMet),
                _ => Some(Outcome::Unknown),
            },
            Expect::WithinDays(limit) => match value {
                AnswerValue::Date(d) => {
                    let age = days_between(d, assessment_date);
                    // The date of a past event (last audit, last test) after
                    // the assessment date is an error in the data, not
                    // evidence: to verify, never met.
                    Some(if age < 0 {
                        Outcome::Unknown
                    } else if age <= i64::from(limit) {
                        Outcome::Met
                    } else {
                        Outcome::NotMet
                    })
                }
                _ => Some(Outcome::Unknown),
            },
        }
    }

    /// Whether criterion `index` belongs to the chosen level.
    pub fn criterion_in_level(&self, index: usize) -> bool {
        level_ok(
            self.content.criteria[index].levels,
            self.context.level.as_deref(),
        )
    }

    /// Indices of the applicable, scored questions feeding criterion `index`.
    pub fn scored_questions(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        self.content
            .questions
            .iter()
            .enumerate()
            .filter(move |(qi, q)| {
                self.applies[*qi] && q.expect != Expect::Context && q.criteria.contains(&index)
            })
            .map(|(qi, _)| qi)
    }

    /// Assesses criterion `index` with its declared roll-up.
    pub fn assess(&self, index: usize) -> Assessment {
        match self.content.criteria[index].rollup {
            Rollup::Worst => self.worst_wins(index),
            Rollup::Average => self.weighted_average(index),
        }
    }

    /// Every criterion, in content order.
    pub fn assess_all(&self) -> Vec<Assessment> {
        (0..self.content.criteria.len())
            .map(|i| self.assess(i))
            .collect()
    }

    fn tally(&self, index: usize) -> Tally {
        let mut tally = Tally::default();
        for qi in self.scored_questions(index) {
            let question = &self.content.questions[qi];
            let weight = f64::from(question.weight.max(1));
            let outcome = self.outcome(qi);
            if outcome.is_none() && self.answers[qi].is_some() {
                // Answered with a choice that carries no score (e.g. "no
                // development" to a secure-development question): the
                // question says nothing about the criterion, so it is left
                // out of the roll-up rather than counted as unanswered.
                continue;
            }
            tally.total_weight += weight;
            match outcome {
                None => {
                    tally.unanswered.push(qi);
                    if question.critical {
                        tally.critical_unanswered.push(qi);
                    }
                }
                Some(outcome) => {
                    tally.points += weight * outcome.points();
                    match outcome {
                        Outcome::Met => tally.met += 1,
                        Outcome::Partial | Outcome::Unknown => tally.doubtful.push(qi),
                        Outcome::Declined => tally.declined.push(qi),
                        Outcome::NotMet => {
                            tally.not_met.push(qi);
                            if question.critical {
                                tally.critical_not_met = true;
                            }
                        }
                    }
                }
            }
        }
        tally
    }

    /// Whether `r` is "to verify" only because some of its questions are still
    /// unanswered: its roll-up gave it as it is (the rules did not set it), and
    /// every answered question is met, so answering the open ones "yes" would make
    /// it compliant.
    pub(super) fn open_questions_only(&self, r: &Assessment) -> bool {
        let rolled_up = self.assess(r.criterion);
        if rolled_up.status != r.status || rolled_up.rationale != r.rationale {
            return false;
        }
        let tally = self.tally(r.criterion);
        !tally.unanswered.is_empty()
            && tally.critical_unanswered.is_empty()
            && tally.doubtful.is_empty()
            && tally.declined.is_empty()
            && tally.not_met.is_empty()
    }

    fn not_scorable(&self, index: usize, tally: &Tally) -> Option<Assessment> {
        if !self.criterion_in_level(index) || tally.total_weight == 0.0 {
            return Some(Assessment {
                criterion: index,
                status: Status::NotApplicable,
                score: None,
                rationale: self.words(|w| w.not_applicable.to_string()),
            });
        }
        if tally.answered() == 0 {
            return Some(Assessment {
                criterion: index,
                status: Status::NotAssessed,
                score: None,
                rationale: self.words(|w| w.not_assessed.to_string()),
            });
        }
        None
    }

    /// Worst-wins roll-up: any not-met answer makes the criterion
    /// non-compliant; any doubt (partial, unknown, declined, unanswered) makes
    /// it to verify; otherwise compliant.
    pub fn worst_wins(&self, index: usize) -> Assessment {
        let tally = self.tally(index);
        if let Some(a) = self.not_scorable(index, &tally) {
            return a;
        }
        let status = if !tally.not_met.is_empty() || !tally.critical_unanswered.is_empty() {
            Status::NonCompliant
        } else if tally.has_doubt() {
            Status::ToVerify
        } else {
            Status::Compliant
        };
        self.assessment(index, status, &tally)
    }

    /// Weighted-average roll-up: met 100, partial 50, the rest 0; ≥ 80
    /// compliant (when nothing is declined or unanswered), ≥ 50 to verify, below
    /// non-compliant; a critical question not met overrides to non-compliant.
    pub fn weighted_average(&self, index: usize) -> Assessment {
        let tally = self.tally(index);
        if let Some(a) = self.not_scorable(index, &tally) {
            return a;
        }
        let score = tally.score();
        let status =
            if tally.critical_not_met || !tally.critical_unanswered.is_empty() || score < 50.0 {
                Status::NonCompliant
            } else if score < 80.0 || tally.has_missing() {
                Status::ToVerify
            } else {
                Status::Compliant
            };
        self.assessment(index, status, &tally)
    }

    fn assessment(&self, index: usize, status: Status, tally: &Tally) -> Assessment {
        let questions = self.content.questions;
        let quote = |lang: &str, items: &[usize]| {
            items
                .iter()
                .take(3)
                .map(|&qi| format!("« {} »", content::text_in(questions[qi].prompt, lang)))
                .collect::<Vec<_>>()
                .join(" ; ")
        };
        let total = tally.answered() + tally.unanswered.len();
        let rationale = localized(self.languages(), |lang| {
            let w = words(lang);
            match status {
                Status::Compliant => format!("{} ({}/{}).", w.all_met, tally.met, total),
                Status::NonCompliant => {
                    let mut parts = Vec::new();
                    if !tally.not_met.is_empty() {
                        parts.push(format!("{} {}", w.not_met, quote(lang, &tally.not_met)));
                    }
                    if !tally.critical_unanswered.is_empty() {
                        parts.push(format!(
                            "{} {}",
                            w.critical_unanswered,
                            quote(lang, &tally.critical_unanswered)
                        ));
                    }
                    if parts.is_empty() {
                        parts.push(format!("{} {:.0}/100.", w.low_score, tally.score()));
                    }
                    parts.join(" ")
                }
                _ => {
                    let mut parts = Vec::new();
                    if !tally.doubtful.is_empty() {
                        parts.push(format!("{} {}", w.doubtful, quote(lang, &tally.doubtful)));
                    }
                    if !tally.declined.is_empty() {
                        parts.push(format!("{} {}", w.declined, quote(lang, &tally.declined)));
                    }
                    if !tally.unanswered.is_empty() {
                        parts.push(format!("{} {}", w.unanswered, tally.unanswered.len()));
                    }
                    if parts.is_empty() {
                        parts.push(format!("{} {:.0}/100.", w.low_score, tally.score()));
                    }
                    parts.join(" ")
                }
            }
        });
        Assessment {
            criterion: index,
            status,
            score: score_in_band(status, Some(tally.score())),
            rationale,
        }
    }

    fn words(&self, pick: impl Fn(&Words) -> String) -> Vec<(String, String)> {
        localized(self.languages(), |lang| pick(words(lang)))
    }

    /// How much of what applies has been shown, from 0 to 100: the weighted
    /// mean of the scores of the applicable criteria, each score within its
    /// status band, a criterion not yet assessed counting 0 (so that leaving
    /// questions blank never raises the score); `None` while no criterion is
    /// assessed. Not-applicable criteria are left out.
    pub fn overall_score(&self, results: &[Assessment]) -> Option<f64> {
        let mut total = 0.0;
        let mut weights = 0.0;
        let mut assessed = false;
        for r in results {
            let weight = f64::from(self.content.criteria[r.criterion].weight);
            if r.status == Status::NotApplicable {
                continue;
            }
            if is_assessed(r.status) {
                assessed = true;
                total += weight * score_in_band(r.status, r.score).unwrap_or(0.0);
            }
            weights += weight;
        }
        (assessed && weights > 0.0).then(|| (total / weights * 10.0).round() / 10.0)
    }

    /// A generic verdict: `not-assessed` when under a quarter of the criteria
    /// are assessed; else `compliant` when every assessed criterion is;
    /// else the first of `insufficient`, `remediate`, `improve`,
    /// `in-progress` the content declares, by the worst status found.
    pub fn default_verdict(&self, results: &[Assessment]) -> &'static str {
        let assessed = results.iter().filter(|r| is_assessed(r.status)).count();
        let scorable = results
            .iter()
            .filter(|r| r.status != Status::NotApplicable)
            .count();
        if assessed == 0 || assessed * 4 < scorable {
            return "not-assessed";
        }
        if results
            .iter()
            .all(|r| matches!(r.status, Status::Compliant | Status::NotApplicable))
        {
            return "compliant";
        }
        let has = |id| self.content.verdict(id).is_some();
        ["insufficient", "remediate", "improve", "in-progress"]
            .into_iter()
            .find(|id| has(id))
            .unwrap_or("not-assessed")
    }
}

fn is_assessed(status: Status) -> bool {
    matches!(
        status,
        Status::Compliant | Status::ToVerify | Status::NonCompliant
    )
}

fn outcome_rank(o: Outcome) -> u8 {
    match o {
        Outcome::Met => 0,
        Outcome::Partial => 1,
        Outcome::Unknown => 2,
        Outcome::Declined => 3,
        Outcome::NotMet => 4,
    }
}

#[derive(Default)]
struct Tally {
    total_weight: f64,
    points: f64,
    met: usize,
    doubtful: Vec<usize>,
    declined: Vec<usize>,
    not_met: Vec<usize>,
    unanswered: Vec<usize>,
    /// Unanswered critical questions: a criterion cannot be better than
    /// when they are answered "no".
    critical_unanswered: Vec<usize>,
    critical_not_met: bool,
}

impl Tally {
    fn answered(&self) -> usize {
        self.met + self.doubtful.len() + self.declined.len() + self.not_met.len()
    }
    fn has_doubt(&self) -> bool {
        !(self.doubtful.is_empty() && self.declined.is_empty() && self.unanswered.is_empty())
    }
    /// Whether an answer is missing or declined. Partial and unknown are real
    /// answers: in an average they count 50 and 0 and no more, so that "no"
    /// (0, accepted by the mean) can never do better than either.
    fn has_missing(&self) -> bool {
        !self.declined.is_empty() || !self.unanswered.is_empty()
    }
    fn score(&self) -> f64 {
        if self.total_weight > 0.0 {
            (self.points / self.total_weight * 10.0).round() / 10.0
        } else {
            0.0
        }
    }
}
