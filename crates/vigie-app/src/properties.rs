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
    Answer, AnswerKind, AnswerValue, Date, EvalContext, Evaluation, Question, Questionnaire, YesNo,
    applicable_items,
};

use crate::invariants::{
    Compare, Violation, complete_before_compliant, not_better, status_and_score_agree,
};

/// Question extension: how the answer is scored. One of `context`, `yes`,
/// `no`, `choices`, `at-least:MET[:PARTIAL]`, `below:MET[:PARTIAL]`,
/// `after-assessment`, `within-days:N`.
pub const SCORING_EXTENSION: &str = "scoring";
/// Question extension of a choice question: the outcome of each scored
/// choice, `id=met,id=partial,id=not-met,id=unknown` (a choice without a
/// score is left out).
pub const CHOICE_SCORES_EXTENSION: &str = "choice-scores";
/// Evaluation extension of a plugin built with the SDK: which questions
/// apply in its reading, as hexadecimal digits of a bit mask (question
/// 4k + j is bit j of digit k).
pub const APPLICABILITY_EXTENSION: &str = "applicable-questions";

/// `n` flags from an applicability mask; `false` past its end or for a
/// character that is not a hexadecimal digit.
pub fn decode_mask(mask: &str, n: usize) -> Vec<bool> {
    let digits: Vec<u32> = mask.chars().map(|c| c.to_digit(16).unwrap_or(0)).collect();
    (0..n)
        .map(|i| digits.get(i / 4).is_some_and(|d| d & (1 << (i % 4)) != 0))
        .collect()
}

/// Question extension: `true` when leaving the question unanswered must not
/// be better than answering it "no".
pub const CRITICAL_EXTENSION: &str = "critical";

/// What an answer means for scoring, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Met,
    Partial,
    Unknown,
    NotMet,
    Declined,
}

impl Outcome {
    /// 0 for met, 1 partial, 2 unknown, 3 for not met and declined (a
    /// refusal is ranked with "not met": neither is required to be better).
    pub fn rank(self) -> u8 {
        match self {
            Outcome::Met => 0,
            Outcome::Partial => 1,
            Outcome::Unknown => 2,
            Outcome::NotMet | Outcome::Declined => 3,
        }
    }

    fn parse(s: &str) -> Option<Outcome> {
        Some(match s {
            "met" => Outcome::Met,
            "partial" => Outcome::Partial,
            "unknown" => Outcome::Unknown,
            "not-met" => Outcome::NotMet,
            _ => return None,
        })
    }

    pub fn id(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::Partial => "partial",
            Outcome::Unknown => "unknown",
            Outcome::NotMet => "not-met",
            Outcome::Declined => "declined",
        }
    }
}

/// How a question's answer is scored, as its plugin declares it.
#[derive(Clone, Debug, PartialEq)]
pub enum Scoring {
    /// Declared unscored.
    Context,
    /// yes met, partial partial, unknown unknown, no not met.
    Yes,
    /// Inverted: no met, yes not met.
    No,
    /// Each choice its outcome; choices left out carry no score.
    Choices(Vec<(String, Outcome)>),
    AtLeast {
        met: f64,
        partial: Option<f64>,
    },
    Below {
        met: f64,
        partial: Option<f64>,
    },
    /// A date on or after the assessment date is met.
    AfterAssessment,
    /// A date at most this many days before the assessment date is met; a
    /// date after it is unknown (an error in the data).
    WithinDays(u32),
    /// The plugin does not say (written without the SDK).
    Undeclared,
}

fn extension<'q>(question: &'q Question, key: &str) -> Option<&'q str> {
    question
        .extensions
        .iter()
        .find(|e| e.key == key)
        .map(|e| e.value.as_str())
}

fn bounds(rest: &str) -> Option<(f64, Option<f64>)> {
    let mut parts = rest.split(':');
    let met = parts.next()?.parse().ok()?;
    let partial = match parts.next() {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((met, partial))
}

impl Scoring {
    /// The scoring `question` declares; [`Scoring::Undeclared`] when it
    /// declares none or one this version does not read.
    pub fn of(question: &Question) -> Scoring {
        let Some(declared) = extension(question, SCORING_EXTENSION) else {
            return Scoring::Undeclared;
        };
        let (head, rest) = declared.split_once(':').unwrap_or((declared, ""));
        let parsed = match head {
            "context" => Some(Scoring::Context),
            "yes" => Some(Scoring::Yes),
            "no" => Some(Scoring::No),
            "choices" => extension(question, CHOICE_SCORES_EXTENSION)
                .unwrap_or("")
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (id, outcome) = pair.split_once('=')?;
                    Some((id.to_string(), Outcome::parse(outcome)?))
                })
                .collect::<Option<Vec<_>>>()
                .map(Scoring::Choices),
            "at-least" => bounds(rest).map(|(met, partial)| Scoring::AtLeast { met, partial }),
            "below" => bounds(rest).map(|(met, partial)| Scoring::Below { met, partial }),
            "after-assessment" => Some(Scoring::AfterAssessment),
            "within-days" => rest.parse().ok().map(Scoring::WithinDays),
            _ => None,
        };
        parsed.unwrap_or(Scoring::Undeclared)
    }

    /// The outcome of `value` on an assessment dated `date`; `None` for a
    /// context or undeclared question, or a choice without a score.
    pub fn outcome(&self, value: &AnswerValue, date: Date) -> Option<Outcome> {
        if matches!(self, Scoring::Context | Scoring::Undeclared) {
            return None;
        }
        if value.is_declined() {
            return Some(Outcome::Declined);
        }
        let choice = |id: &str| match self {
            Scoring::Choices(scores) => scores.iter().find(|(c, _)| c == id).map(|(_, o)| *o),
            _ => None,
        };
        let graded = |v: f64, met: f64, partial: Option<f64>, at_least: bool| {
            let reaches = |bound: f64| if at_least { v >= bound } else { v < bound };
            if reaches(met) {
                Outcome::Met
            } else if partial.is_some_and(reaches) {
                Outcome::Partial
            } else {
                Outcome::NotMet
            }
        };
        Some(match (self, value) {
            (Scoring::Yes | Scoring::No, AnswerValue::YesNo(v)) => {
                match (v, matches!(self, Scoring::No)) {
                    (YesNo::Yes, false) | (YesNo::No, true) => Outcome::Met,
                    (YesNo::No, false) | (YesNo::Yes, true) => Outcome::NotMet,
                    (YesNo::Partial, _) => Outcome::Partial,
                    (YesNo::Unknown, _) => Outcome::Unknown,
                }
            }
            (Scoring::Choices(_), AnswerValue::Choice(id)) => choice(id)?,
            (Scoring::Choices(_), AnswerValue::Choices(ids)) => ids
                .iter()
                .filter_map(|id| choice(id))
                .max_by_key(|o| o.rank())?,
            (Scoring::AtLeast { met, partial }, v) => graded(v.as_number()?, *met, *partial, true),
            (Scoring::Below { met, partial }, v) => graded(v.as_number()?, *met, *partial, false),
            (Scoring::AfterAssessment, AnswerValue::Date(d)) => {
                if *d >= date {
                    Outcome::Met
                } else {
                    Outcome::NotMet
                }
            }
            (Scoring::WithinDays(n), AnswerValue::Date(d)) => {
                let age = d.days_until(date);
                if age < 0 {
                    Outcome::Unknown
                } else if age <= i64::from(*n) {
                    Outcome::Met
                } else {
                    Outcome::NotMet
                }
            }
            _ => Outcome::Unknown,
        })
    }
}

fn number_in(kind: &AnswerKind, v: f64) -> Option<AnswerValue> {
    match kind {
        AnswerKind::Integer(b) if b.min.is_none_or(|m| v >= m) && b.max.is_none_or(|m| v <= m) => {
            Some(AnswerValue::Integer(v as i64))
        }
        AnswerKind::Decimal(b) if b.min.is_none_or(|m| v >= m) && b.max.is_none_or(|m| v <= m) => {
            Some(AnswerValue::Decimal(v))
        }
        _ => None,
    }
}

fn day(date: Date, days: i64) -> AnswerValue {
    AnswerValue::Date(date.add_days(days).unwrap_or(date))
}

/// One question with its declared scoring.
#[derive(Clone, Debug)]
pub struct Scored {
    pub scoring: Scoring,
    pub critical: bool,
}

impl Scored {
    pub fn of(question: &Question) -> Scored {
        Scored {
            scoring: Scoring::of(question),
            critical: extension(question, CRITICAL_EXTENSION) == Some("true"),
        }
    }

    fn rank(&self, value: &AnswerValue, date: Date) -> u8 {
        self.scoring.outcome(value, date).map_or(4, Outcome::rank)
    }

    /// The values `question` can take (within its kind, choices and
    /// bounds), the best first: met before partial before unknown before
    /// not met; unscored values after.
    pub fn values(&self, question: &Question, date: Date) -> Vec<AnswerValue> {
        let mut out: Vec<AnswerValue> = match &question.kind {
            AnswerKind::YesNo => question
                .yes_no_answers()
                .into_iter()
                .map(AnswerValue::YesNo)
                .collect(),
            AnswerKind::SingleChoice(choices) => choices
                .iter()
                .map(|c| AnswerValue::Choice(c.id.clone()))
                .collect(),
            AnswerKind::MultipleChoice(choices) => {
                let mut v: Vec<AnswerValue> = choices
                    .iter()
                    .map(|c| AnswerValue::Choices(vec![c.id.clone()]))
                    .collect();
                if choices.len() > 1 {
                    v.push(AnswerValue::Choices(
                        choices.iter().take(2).map(|c| c.id.clone()).collect(),
                    ));
                }
                v
            }
            kind @ (AnswerKind::Integer(b) | AnswerKind::Decimal(b)) => {
                let mut points = vec![0.0, 1.0, 10.0, 50.0, 100.0, 1000.0];
                if let Scoring::AtLeast { met, partial } | Scoring::Below { met, partial } =
                    self.scoring
                {
                    points.extend([met, met - 1.0, met + 1.0]);
                    points.extend(partial.into_iter().flat_map(|p| [p, p - 1.0]));
                }
                points.extend(b.min);
                points.extend(b.max);
                points.iter().filter_map(|&p| number_in(kind, p)).collect()
            }
            AnswerKind::Text => vec![AnswerValue::Text("réponse".into())],
            AnswerKind::Date => match self.scoring {
                Scoring::WithinDays(n) => {
                    let n = i64::from(n);
                    vec![
                        day(date, -10),
                        day(date, -n),
                        day(date, -n - 1),
                        day(date, 0),
                    ]
                }
                _ => vec![day(date, 400), day(date, 0), day(date, -1), day(date, -400)],
            },
        };
        out.sort_by_key(|v| self.rank(v, date));
        out.dedup();
        out
    }

    /// Answers strictly worse than `current`: a worse yes/no or choice, a
    /// number further from the target, an older date, a refusal (worse than
    /// anything but a plain "not met").
    pub fn worse(
        &self,
        question: &Question,
        current: &AnswerValue,
        date: Date,
    ) -> Vec<AnswerValue> {
        let mut out = Vec::new();
        let Some(now) = self.scoring.outcome(current, date) else {
            return out;
        };
        if now == Outcome::Declined {
            return out;
        }
        let r = now.rank();
        match (&question.kind, current) {
            (AnswerKind::YesNo, _) => {
                let offered = question.yes_no_answers();
                for v in [YesNo::Partial, YesNo::Unknown, YesNo::Yes, YesNo::No] {
                    if !offered.contains(&v) {
                        continue;
                    }
                    let v = AnswerValue::YesNo(v);
                    if self.rank(&v, date) > r && self.scoring.outcome(&v, date).is_some() {
                        out.push(v);
                    }
                }
            }
            (AnswerKind::SingleChoice(choices), _) => {
                for c in choices {
                    let v = AnswerValue::Choice(c.id.clone());
                    if self.scoring.outcome(&v, date).is_some_and(|o| o.rank() > r) {
                        out.push(v);
                    }
                }
            }
            (AnswerKind::MultipleChoice(choices), AnswerValue::Choices(ids)) => {
                for c in choices {
                    let alone = AnswerValue::Choices(vec![c.id.clone()]);
                    if self
                        .scoring
                        .outcome(&alone, date)
                        .is_some_and(|o| o.rank() > r)
                        && !ids.contains(&c.id)
                    {
                        let mut more = ids.clone();
                        more.push(c.id.clone());
                        out.push(AnswerValue::Choices(more));
                    }
                }
            }
            (kind @ (AnswerKind::Integer(_) | AnswerKind::Decimal(_)), v) => {
                if let Some(x) = v.as_number() {
                    let step = if matches!(self.scoring, Scoring::Below { .. }) {
                        1.0
                    } else {
                        -1.0
                    };
                    for d in [1.0, 10.0, 50.0] {
                        out.extend(number_in(kind, x + step * d));
                    }
                }
            }
            // An older date is worse, except for a past event dated after
            // the assessment (an error in the data, outside the order).
            (AnswerKind::Date, AnswerValue::Date(d))
                if !(matches!(self.scoring, Scoring::WithinDays(_)) && *d > date) =>
            {
                out.extend([day(*d, -1), day(*d, -400)]);
            }
            _ => {}
        }
        if r != Outcome::NotMet.rank() {
            out.push(AnswerValue::Declined);
        }
        out
    }

    /// A value with a "not met" outcome, if the question has one.
    pub fn not_met_value(&self, question: &Question, date: Date) -> Option<AnswerValue> {
        let mut candidates = self.values(question, date);
        candidates.push(day(date, -4000));
        candidates
            .into_iter()
            .find(|v| self.scoring.outcome(v, date) == Some(Outcome::NotMet))
    }
}

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
