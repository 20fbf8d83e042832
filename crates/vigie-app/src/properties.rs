//! The properties of [`crate::invariants`] over one generated interview,
//! shared by the bundled plugins' property tests (which generate interviews
//! with proptest) and `vigie plugin check` (which generates a bounded,
//! deterministic number of them).
//!
//! What "worse" means comes from the plugin: the Rust SDK publishes each
//! question's scoring in `describe` (question extensions [`SCORING_EXTENSION`],
//! [`CHOICE_SCORES_EXTENSION`], [`CRITICAL_EXTENSION`]). A question that
//! declares no scoring (a plugin written without the SDK) gets the checks that
//! need no order: a refusal against "unknown" and against an answer whose
//! criteria are all compliant.

use std::collections::HashMap;

use vigie_model::{
    Answer, AnswerKind, AnswerValue, Date, EvalContext, Evaluation, Questionnaire, YesNo,
    applicable_items,
};

use crate::invariants::{
    Compare, Violation, complete_before_compliant, not_better, status_and_score_agree,
};

mod scoring;

pub use scoring::{
    APPLICABILITY_EXTENSION, CHOICE_SCORES_EXTENSION, CRITICAL_EXTENSION, Outcome,
    SCORING_EXTENSION, Scored, Scoring, decode_mask,
};

/// One generated interview.
#[derive(Clone, Debug)]
pub struct Case {
    pub date: Date,
    pub level: Option<String>,
    /// Per question: an index into its values (0 the best), one past them
    /// for "unanswered", two past for "declined" (taken modulo).
    pub picks: Vec<u8>,
    /// Per section: left entirely unanswered (an interview not finished).
    pub blank: Vec<bool>,
}

/// The names of the properties, for `only` and for messages.
pub const PROPERTIES: [&str; 5] = [
    "complete",
    "monotonic",
    "declined",
    "critical",
    "applicability",
];

/// Why a generated interview failed.
#[derive(Debug)]
pub enum CaseError<E> {
    /// The plugin failed to evaluate one of the answer sets.
    Evaluate { what: String, source: E },
    /// A property is broken.
    Violation(Violation),
}

/// What the checks of one interview did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseStats {
    pub evaluations: usize,
    pub comparisons: usize,
}

/// A plugin's questionnaire with the scoring of each question, and the
/// function that evaluates answers with it.
pub struct Properties<'q, F> {
    questionnaire: &'q Questionnaire,
    scored: Vec<Scored>,
    sections: Vec<usize>,
    language: String,
    evaluate: F,
    only: Option<Vec<String>>,
}

impl<'q, F, E> Properties<'q, F>
where
    F: FnMut(&[Answer], &EvalContext) -> Result<Evaluation, E>,
{
    pub fn new(questionnaire: &'q Questionnaire, evaluate: F) -> Self {
        let sections = questionnaire
            .questions
            .iter()
            .map(|q| {
                questionnaire
                    .sections
                    .iter()
                    .position(|s| s.id == q.section)
                    .unwrap_or(usize::MAX)
            })
            .collect();
        Properties {
            questionnaire,
            scored: questionnaire.questions.iter().map(Scored::of).collect(),
            sections,
            language: questionnaire
                .info
                .languages
                .first()
                .cloned()
                .unwrap_or_default(),
            evaluate,
            only: None,
        }
    }

    /// Uses `scored` (one per question, in order) instead of what the
    /// questionnaire declares: e.g. the content of the plugin's source, to
    /// check an older build that did not publish its scoring.
    pub fn with_scoring(mut self, scored: Vec<Scored>) -> Self {
        if scored.len() == self.scored.len() {
            self.scored = scored;
        }
        self
    }

    /// Checks only the named properties (of [`PROPERTIES`]).
    pub fn only(mut self, names: Vec<String>) -> Self {
        self.only = Some(names);
        self
    }

    fn wanted(&self, name: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|p| p == name))
    }

    /// How many questions declare their scoring.
    pub fn declared(&self) -> usize {
        self.scored
            .iter()
            .filter(|s| s.scoring != Scoring::Undeclared)
            .count()
    }

    pub fn scored(&self, index: usize) -> &Scored {
        &self.scored[index]
    }

    /// The answers of `case`: each question of a section not left blank
    /// gets the value its pick names, none, or a refusal.
    pub fn answers(&self, case: &Case) -> Vec<Answer> {
        self.questionnaire
            .questions
            .iter()
            .enumerate()
            .filter(|(i, _)| !case.blank.get(self.sections[*i]).copied().unwrap_or(false))
            .filter_map(|(i, q)| {
                let values = self.scored[i].values(q, case.date);
                let pick = case.picks.get(i).copied().unwrap_or(0);
                let k = usize::from(pick) % (values.len() + 2);
                let value = match k.checked_sub(values.len()) {
                    None => values[k].clone(),
                    Some(0) => return None,
                    Some(_) => AnswerValue::Declined,
                };
                Some(Answer {
                    question: q.id.clone(),
                    value,
                    note: None,
                })
            })
            .collect()
    }

    /// Which questions apply to `answers`, as the host decides it.
    pub fn applicable(&self, answers: &[Answer], level: Option<&str>) -> Vec<bool> {
        let by_id: HashMap<&str, &AnswerValue> = answers
            .iter()
            .map(|a| (a.question.as_str(), &a.value))
            .collect();
        let applies = applicable_items(self.questionnaire, &by_id, level);
        (0..self.questionnaire.questions.len())
            .map(|i| applies.question(i))
            .collect()
    }

    fn evaluate(
        &mut self,
        answers: &[Answer],
        case: &Case,
        stats: &mut CaseStats,
        what: impl Fn() -> String,
    ) -> Result<Evaluation, CaseError<E>> {
        let context = EvalContext {
            assessment_date: case.date,
            language: self.language.clone(),
            level: case.level.clone(),
        };
        stats.evaluations += 1;
        let e = (self.evaluate)(answers, &context).map_err(|source| CaseError::Evaluate {
            what: what(),
            source,
        })?;
        status_and_score_agree(&e).map_err(CaseError::Violation)?;
        Ok(e)
    }

    /// Every property on one generated interview; stops at the first broken.
    pub fn check(&mut self, case: &Case) -> Result<CaseStats, CaseError<E>> {
        let mut stats = CaseStats::default();
        let questions = &self.questionnaire.questions;
        let answers = self.answers(case);
        let level = case.level.as_deref();
        let date = case.date;
        let base = self.evaluate(&answers, case, &mut stats, || {
            format!("a generated interview dated {date}")
        })?;
        let violation = CaseError::Violation;
        if self.wanted("complete") {
            complete_before_compliant(&base).map_err(violation)?;
        }
        let applies = self.applicable(&answers, level);
        let given: HashMap<&str, &AnswerValue> = answers
            .iter()
            .map(|a| (a.question.as_str(), &a.value))
            .collect();
        let with = |qi: usize, value: Option<AnswerValue>| -> Vec<Answer> {
            let id = &questions[qi].id;
            let mut out: Vec<Answer> = answers
                .iter()
                .filter(|a| &a.question != id)
                .cloned()
                .collect();
            if let Some(value) = value {
                out.push(Answer {
                    question: id.clone(),
                    value,
                    note: None,
                });
            }
            out
        };
        let pick = |qi: usize| usize::from(case.picks.get(qi).copied().unwrap_or(0));

        // Monotonic: a few answered, applicable questions made worse, picked
        // from the case's own numbers so that shrinking stays meaningful.
        let answered: Vec<usize> = (0..questions.len())
            .filter(|&i| applies[i] && given.contains_key(questions[i].id.as_str()))
            .collect();
        let mut tried = 0;
        for (n, &qi) in answered.iter().enumerate() {
            if !self.wanted("monotonic") || tried >= 6 {
                break;
            }
            let q = &questions[qi];
            let current = given[q.id.as_str()];
            let candidates = self.scored[qi].worse(q, current, date);
            if candidates.is_empty() || (n + pick(qi)) % 5 != 0 {
                continue;
            }
            tried += 1;
            let choice = &candidates[pick(qi) % candidates.len()];
            let changed = with(qi, Some(choice.clone()));
            let compare = if self.applicable(&changed, level) == applies {
                Compare::Everything
            } else if choice.is_declined() {
                // A refusal must never close questions to its advantage.
                Compare::VerdictOnly
            } else {
                // A real answer that closes questions drops their answers,
                // a refusal among them included: nothing to compare.
                continue;
            };
            let change = format!("`{}`: {current:?} → {choice:?}", q.id);
            let after = self.evaluate(&changed, case, &mut stats, || change.clone())?;
            stats.comparisons += 1;
            not_better("monotonic", &change, &base, &after, &q.criteria, compare)
                .map_err(violation)?;
        }

        // Declined never better than unknown: on two applicable yes/no
        // questions.
        let yes_no: Vec<usize> = (0..questions.len())
            .filter(|&i| {
                applies[i]
                    && questions[i].kind == AnswerKind::YesNo
                    && questions[i].yes_no_answers().contains(&YesNo::Unknown)
            })
            .collect();
        let declined_checks = if self.wanted("declined") { 2 } else { 0 };
        for &qi in yes_no
            .iter()
            .skip(pick(0) % 7)
            .step_by(11)
            .take(declined_checks)
        {
            let q = &questions[qi];
            let unknown = with(qi, Some(AnswerValue::YesNo(YesNo::Unknown)));
            let declined = with(qi, Some(AnswerValue::Declined));
            let compare = if self.applicable(&unknown, level) == self.applicable(&declined, level) {
                Compare::Everything
            } else {
                Compare::VerdictOnly
            };
            let change = format!("`{}` declined instead of unknown", q.id);
            let from = self.evaluate(&unknown, case, &mut stats, || {
                format!("`{}` answered unknown", q.id)
            })?;
            let after = self.evaluate(&declined, case, &mut stats, || change.clone())?;
            stats.comparisons += 1;
            not_better(
                "declined never better than unknown",
                &change,
                &from,
                &after,
                &q.criteria,
                compare,
            )
            .map_err(violation)?;
        }

        // Unanswered never better than "no" for a critical question.
        let critical: Vec<usize> = (0..questions.len())
            .filter(|&i| applies[i] && self.scored[i].critical)
            .collect();
        let critical_checks = if self.wanted("critical") { 2 } else { 0 };
        for &qi in critical
            .iter()
            .skip(pick(0) % 3)
            .step_by(3)
            .take(critical_checks)
        {
            let q = &questions[qi];
            let Some(no) = self.scored[qi].not_met_value(q, date) else {
                continue;
            };
            let answered_no = with(qi, Some(no));
            let unanswered = with(qi, None);
            let compare =
                if self.applicable(&answered_no, level) == self.applicable(&unanswered, level) {
                    Compare::NoFavourableVerdict
                } else {
                    Compare::VerdictOnly
                };
            let change = format!("`{}` left unanswered instead of answered \"no\"", q.id);
            let from = self.evaluate(&answered_no, case, &mut stats, || {
                format!("`{}` answered \"no\"", q.id)
            })?;
            let after = self.evaluate(&unanswered, case, &mut stats, || change.clone())?;
            stats.comparisons += 1;
            not_better(
                "unanswered never better than no for a critical question",
                &change,
                &from,
                &after,
                &q.criteria,
                compare,
            )
            .map_err(violation)?;
        }

        // The plugin decides applicability as the host does: a plugin built
        // with the SDK reports its own in APPLICABILITY_EXTENSION.
        if self.wanted("applicability")
            && let Some(mask) = base
                .extensions
                .iter()
                .find(|e| e.key == APPLICABILITY_EXTENSION)
        {
            stats.comparisons += 1;
            let plugin = decode_mask(&mask.value, questions.len());
            if let Some(i) = (0..questions.len()).find(|&i| plugin.get(i) != Some(&applies[i])) {
                let says = |b: bool| if b { "applies" } else { "does not apply" };
                return Err(violation(Violation {
                    property: "host and plugin applicability agree",
                    detail: format!(
                        "`{}`: the host says it {}, the plugin that it {} (interview dated {date}{})",
                        questions[i].id,
                        says(applies[i]),
                        plugin.get(i).map_or("is not in its mask", |&b| says(b)),
                        level.map(|l| format!(", level {l}")).unwrap_or_default()
                    ),
                }));
            }
        }
        Ok(stats)
    }
}

/// A small deterministic generator (xorshift64*), so that `plugin check`
/// gives the same result on every run and machine.
pub struct Numbers(pub u64);

impl Numbers {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % (n.max(1) as u64)) as usize
    }
}

/// `count` interviews for `questionnaire`, the same on every run: dates
/// from 2025 to 2035, every level in turn, and answers departing from the
/// best value for none, a few, or many questions (so that favourable
/// verdicts are reached as well as poor ones).
pub fn deterministic_cases(questionnaire: &Questionnaire, count: usize) -> Vec<Case> {
    let mut numbers = Numbers(0x9e37_79b9_7f4a_7c15);
    let levels: Vec<Option<String>> = if questionnaire.info.levels.is_empty() {
        vec![None]
    } else {
        questionnaire
            .info
            .levels
            .iter()
            .map(|l| Some(l.id.clone()))
            .collect()
    };
    let start = Date::new(2025, 1, 1).ok();
    (0..count)
        .filter_map(|n| {
            let date = start?.add_days(numbers.below(4018) as i64).ok()?;
            let percent = [0, 3, 15, 50][n % 4];
            let picks = questionnaire
                .questions
                .iter()
                .map(|_| {
                    let roll = numbers.below(100);
                    let value = numbers.below(256) as u8;
                    if roll < percent { value } else { 0 }
                })
                .collect();
            let blank = questionnaire
                .sections
                .iter()
                .map(|_| numbers.below(100) < 8)
                .collect();
            Some(Case {
                date,
                level: levels[n % levels.len()].clone(),
                picks,
                blank,
            })
        })
        .collect()
}
