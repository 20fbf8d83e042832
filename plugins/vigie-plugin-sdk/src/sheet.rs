//! A [`Sheet`] is one set of answers laid against the content: which questions
//! apply, what each answer means for scoring, and the usual roll-ups.

use crate::content::{self, Content, Expect, Outcome, Rollup, Test, Text};
use crate::convert::{self, severity};
use crate::wit::{self, AnswerValue, Status, YesNo};

/// A criterion's result before it becomes a WIT `criterion-result`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Index in `Content::criteria`.
    pub criterion: usize,
    pub status: Status,
    pub score: Option<f64>,
    /// `(lang, text)` for every language of the plugin.
    pub rationale: Vec<(String, String)>,
}

impl Assessment {
    /// Replaces the status and the rationale (one text per language, in the
    /// order of `info.languages`), and moves the score into the band of the
    /// new status (see [`score_in_band`]): a criterion made non-compliant
    /// can no longer keep the 100 it scored as compliant.
    pub fn set(&mut self, status: Status, rationale: Vec<(String, String)>) {
        self.status = status;
        self.score = score_in_band(status, self.score);
        self.rationale = rationale;
    }
}

/// The scores a criterion of `status` may have, inclusive: compliant 80 to
/// 100, to verify 0 to 79.9, non-compliant 0 to 49.9; `None` for
/// not-applicable and not-assessed, which carry no score. The host refuses
/// an evaluation whose score lies outside its status band.
pub fn status_band(status: Status) -> Option<(f64, f64)> {
    match status {
        Status::Compliant => Some((80.0, 100.0)),
        Status::ToVerify => Some((0.0, 79.9)),
        Status::NonCompliant => Some((0.0, 49.9)),
        Status::NotApplicable | Status::NotAssessed => None,
    }
}

/// `score` moved into the band of `status`: clamped when it lies outside,
/// the band's natural value when missing (100 for compliant, 0 otherwise),
/// `None` for a status without a score.
pub fn score_in_band(status: Status, score: Option<f64>) -> Option<f64> {
    let (low, high) = status_band(status)?;
    let score = score.filter(|s| s.is_finite()).unwrap_or(match status {
        Status::Compliant => high,
        _ => low,
    });
    Some(score.clamp(low, high))
}

/// Builds a `(lang, text)` list from a closure called once per language.
pub fn localized(languages: &[&str], text: impl Fn(&str) -> String) -> Vec<(String, String)> {
    languages
        .iter()
        .map(|lang| ((*lang).to_string(), text(lang)))
        .collect()
}

/// `(lang, text)` pairs as a WIT `localized` value.
pub fn to_wit_text(pairs: Vec<(String, String)>) -> wit::Localized {
    pairs
        .into_iter()
        .map(|(lang, text)| wit::Translation { lang, text })
        .collect()
}

/// Orders findings most severe first (stable, so equal severities keep
/// criterion order).
pub fn sort_findings(findings: &mut [wit::Finding]) {
    findings.sort_by_key(|f| std::cmp::Reverse(severity_rank(f.severity)));
}

/// Days from `from` to `to` (negative when `to` is earlier): the calendar
/// arithmetic the host uses too (`vigie_rules`).
pub fn days_between(from: &wit::Date, to: &wit::Date) -> i64 {
    vigie_rules::days_from_civil(to.year, to.month, to.day)
        - vigie_rules::days_from_civil(from.year, from.month, from.day)
}

/// Answers laid against the content.
pub struct Sheet<'a> {
    pub content: &'static Content,
    pub context: &'a wit::Context,
    /// Per question: the answer, when the question applies.
    answers: Vec<Option<&'a wit::Answer>>,
    applies: Vec<bool>,
    section_applies: Vec<bool>,
}

fn level_ok(levels: &[&str], level: Option<&str>) -> bool {
    match level {
        Some(level) if !levels.is_empty() => levels.contains(&level),
        _ => true,
    }
}

fn yes_no_id(v: YesNo) -> &'static str {
    match v {
        YesNo::Yes => "yes",
        YesNo::No => "no",
        YesNo::Partial => "partial",
        YesNo::Unknown => "unknown",
    }
}

fn number(value: &AnswerValue) -> Option<f64> {
    match value {
        AnswerValue::Integer(v) => Some(*v as f64),
        AnswerValue::Decimal(v) => Some(*v),
        _ => None,
    }
}

impl vigie_rules::AnswerView for AnswerValue {
    fn is_declined(&self) -> bool {
        matches!(self, AnswerValue::Declined)
    }
    fn matches(&self, id: &str) -> bool {
        match self {
            AnswerValue::YesNo(v) => yes_no_id(*v) == id,
            AnswerValue::Choice(c) => c == id,
            AnswerValue::Choices(ids) => ids.iter().any(|i| i == id),
            _ => false,
        }
    }
    fn includes(&self, id: &str) -> bool {
        matches!(self, AnswerValue::Choices(ids) if ids.iter().any(|i| i == id))
    }
    fn number(&self) -> Option<f64> {
        number(self)
    }
}

/// The content with the answers given, as the rules shared with the host
/// read them.
struct View<'c, 'a> {
    content: &'c Content,
    given: &'c [Option<&'a wit::Answer>],
}

impl vigie_rules::Items for View<'_, '_> {
    type Answer = AnswerValue;
    type Str = &'static str;

    fn section_count(&self) -> usize {
        self.content.sections.len()
    }
    fn question_count(&self) -> usize {
        self.content.questions.len()
    }
    fn section_of(&self, q: usize) -> Option<usize> {
        Some(self.content.questions[q].section)
    }
    fn levels(&self, item: vigie_rules::Item) -> &[&'static str] {
        match item {
            vigie_rules::Item::Section(s) => self.content.sections[s].levels,
            vigie_rules::Item::Question(q) => self.content.questions[q].levels,
        }
    }
    fn conditions(
        &self,
        item: vigie_rules::Item,
        each: &mut vigie_rules::ConditionVisitor<'_, &'static str>,
    ) {
        let (alternatives, before) = match item {
            vigie_rules::Item::Section(s) => (self.content.sections[s].applicable_when, usize::MAX),
            vigie_rules::Item::Question(q) => (self.content.questions[q].applicable_when, q),
        };
        for (alt, all) in alternatives.iter().enumerate() {
            for c in all.iter() {
                let test = match c.test {
                    Test::Answered => vigie_rules::Test::Answered,
                    Test::Unanswered => vigie_rules::Test::Unanswered,
                    Test::OneOf(v) => vigie_rules::Test::OneOf(v),
                    Test::NoneOf(v) => vigie_rules::Test::NoneOf(v),
                    Test::Includes(id) => vigie_rules::Test::Includes(id),
                    Test::AtLeast(n) => vigie_rules::Test::AtLeast(n),
                    Test::Below(n) => vigie_rules::Test::Below(n),
                };
                each(alt, Some(c.question).filter(|&i| i < before), test);
            }
        }
    }
    fn answer(&self, q: usize) -> Option<&AnswerValue> {
        self.given.get(q).copied().flatten().map(|a| &a.value)
    }
}

impl<'a> Sheet<'a> {
    /// Lays `answers` against `content`. An answer to an unknown question is an
    /// error (the host never sends one); answers to questions that do not
    /// apply are ignored, as the host does.
    pub fn new(
        content: &'static Content,
        answers: &'a [wit::Answer],
        context: &'a wit::Context,
    ) -> Result<Self, String> {
        let mut given: Vec<Option<&wit::Answer>> = vec![None; content.questions.len()];
        for answer in answers {
            let index = content
                .question_index(&answer.question)
                .ok_or_else(|| format!("unknown question `{}`", answer.question))?;
            given[index] = Some(answer);
        }
        let applicability = vigie_rules::applicability(
            &View {
                content,
                given: &given,
            },
            context.level.as_deref(),
        );
        let effective: Vec<Option<&wit::Answer>> = given
            .iter()
            .enumerate()
            .map(|(i, a)| a.filter(|_| applicability.question(i)))
            .collect();
        let vigie_rules::Applicability {
            sections: section_applies,
            questions: applies,
        } = applicability;
        Ok(Sheet {
            content,
            context,
            answers: effective,
            applies,
            section_applies,
        })
    }

    /// The plugin's languages, fallback first.
    pub fn languages(&self) -> &'static [&'static str] {
        self.content.info.languages
    }

    fn index(&self, question: &str) -> Option<usize> {
        self.content.question_index(question)
    }

    /// Whether the question applies (unknown ids do not).
    pub fn applies(&self, question: &str) -> bool {
        self.index(question).is_some_and(|i| self.applies[i])
    }

    /// Whether question `index` (in content order) applies.
    pub fn applies_at(&self, index: usize) -> bool {
        self.applies.get(index).copied().unwrap_or(false)
    }

    /// The answer to question `index`, when it applies.
    pub fn answer_at(&self, index: usize) -> Option<&'a AnswerValue> {
        self.answers.get(index).copied().flatten().map(|a| &a.value)
    }

    /// Indices of the applicable questions carrying `tag`.
    pub fn tagged_questions<'s>(&'s self, tag: &'s str) -> impl Iterator<Item = usize> + 's {
        self.content
            .questions
            .iter()
            .enumerate()
            .filter(move |(i, q)| self.applies[*i] && q.tags.contains(&tag))
            .map(|(i, _)| i)
    }

    /// Whether a multiple-choice answer includes `choice`: `None` when the
    /// question does not apply, is unanswered or declined (like every
    /// accessor), so that "not chosen" and "not known" stay apart.
    pub fn includes(&self, question: &str, choice: &str) -> Option<bool> {
        self.chosen(question)
            .map(|ids| ids.iter().any(|i| i == choice))
    }

    /// The chosen choice ids of a choice question (one for a single
    /// choice): `None` when the question does not apply, is unanswered or
    /// declined.
    pub fn chosen(&self, question: &str) -> Option<&'a [String]> {
        match self.answer(question) {
            Some(AnswerValue::Choices(ids)) => Some(ids.as_slice()),
            Some(AnswerValue::Choice(id)) => Some(std::slice::from_ref(id)),
            _ => None,
        }
    }

    pub fn section_applies(&self, index: usize) -> bool {
        self.section_applies.get(index).copied().unwrap_or(false)
    }

    /// The answer to an applicable question, `declined` included.
    pub fn answer(&self, question: &str) -> Option<&'a AnswerValue> {
        self.index(question)
            .and_then(|i| self.answers[i])
            .map(|a| &a.value)
    }

    pub fn is_declined(&self, question: &str) -> bool {
        matches!(self.answer(question), Some(AnswerValue::Declined))
    }

    pub fn yes_no(&self, question: &str) -> Option<YesNo> {
        match self.answer(question) {
            Some(AnswerValue::YesNo(v)) => Some(*v),
            _ => None,
        }
    }

    pub fn choice(&self, question: &str) -> Option<&'a str> {
        match self.answer(question) {
            Some(AnswerValue::Choice(c)) => Some(c.as_str()),
            _ => None,
        }
    }

    pub fn number(&self, question: &str) -> Option<f64> {
        self.answer(question).and_then(number)
    }

    pub fn date(&self, question: &str) -> Option<wit::Date> {
        match self.answer(question) {
            Some(AnswerValue::Date(d)) => Some(*d),
            _ => None,
        }
    }

    /// Tags of the chosen choice of a single-choice question.
    pub fn choice_tags(&self, question: &str) -> &'static [&'static str] {
        let Some(index) = self.index(question) else {
            return &[];
        };
        let Some(chosen) = self.choice(question) else {
            return &[];
        };
        self.content.questions[index]
            .choices
            .iter()
            .find(|c| c.id == chosen)
            .map(|c| c.tags)
            .unwrap_or(&[])
    }

    /// How many applicable questions were answered (declined included), and
    /// how many of them were declined.
    pub fn answered_and_declined(&self) -> (usize, usize) {
        let answered = self.answers.iter().flatten().count();
        let declined = self
            .answers
            .iter()
            .flatten()
            .filter(|a| matches!(a.value, AnswerValue::Declined))
            .count();
        (answered, declined)
    }

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
    fn open_questions_only(&self, r: &Assessment) -> bool {
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

    /// Turns assessments into the WIT evaluation: criterion results, overall
    /// score, the verdict `verdict_id` (which must be declared in the content),
    /// and one finding per criterion not compliant, most severe first. A criterion
    /// to verify only because questions are still open raises none: that is progress.
    pub fn finish(
        &self,
        results: Vec<Assessment>,
        verdict_id: &str,
    ) -> Result<wit::Evaluation, String> {
        let verdict = self.content.verdict(verdict_id).ok_or_else(|| {
            format!("the rules chose verdict `{verdict_id}`, which the content does not declare")
        })?;
        let score = self.overall_score(&results);
        let mut findings = Vec::new();
        for r in &results {
            let criterion = &self.content.criteria[r.criterion];
            let (sev, id, prefix): (_, String, fn(&str) -> &'static str) = match r.status {
                Status::NonCompliant => (criterion.severity, criterion.id.to_string(), |_| ""),
                // Still open is progress (the rationale counts the questions
                // left), not a weakness to remedy by a deadline.
                Status::ToVerify if self.open_questions_only(r) => continue,
                Status::ToVerify => (
                    lower(criterion.severity),
                    format!("{}.verify", criterion.id),
                    |lang| words(lang).verify_prefix,
                ),
                _ => continue,
            };
            findings.push(wit::Finding {
                id,
                criterion: Some(criterion.id.to_string()),
                severity: severity(sev),
                title: convert::localized(criterion.title),
                recommendation: prefixed(criterion.recommendation, prefix),
                deadline_days: criterion.deadline_days,
            });
        }
        sort_findings(&mut findings);
        Ok(wit::Evaluation {
            criteria: results
                .into_iter()
                .map(|r| wit::CriterionResult {
                    criterion: self.content.criteria[r.criterion].id.to_string(),
                    status: r.status,
                    rationale: to_wit_text(r.rationale),
                    // Whatever the rules did to the fields, the score
                    // returned lies in the band of the status returned.
                    score: score_in_band(r.status, r.score),
                })
                .collect(),
            score,
            verdict: wit::Verdict {
                id: verdict.id.to_string(),
                label: convert::localized(verdict.label),
                summary: convert::localized(verdict.summary),
                severity: severity(verdict.severity),
            },
            findings,
            extensions: vec![wit::Extension {
                key: convert::APPLICABILITY_EXTENSION.to_string(),
                value: self.applicability_mask(),
            }],
        })
    }

    /// Which questions apply, as the hexadecimal digits of a bit mask in
    /// question order (question 4k + j is bit j of digit k): what
    /// `vigie plugin check` compares with the host's applicability.
    pub fn applicability_mask(&self) -> String {
        self.applies
            .chunks(4)
            .map(|bits| {
                let digit = bits
                    .iter()
                    .enumerate()
                    .fold(0u32, |d, (j, &b)| d | (u32::from(b) << j));
                char::from_digit(digit, 16).unwrap_or('0')
            })
            .collect()
    }
}

fn prefixed(text: Text, prefix: fn(&str) -> &'static str) -> wit::Localized {
    text.iter()
        .map(|(lang, text)| wit::Translation {
            lang: (*lang).to_string(),
            text: format!("{}{}", prefix(lang), text),
        })
        .collect()
}

fn lower(s: content::Severity) -> content::Severity {
    use content::Severity::*;
    match s {
        Critical => High,
        High => Medium,
        Medium | Low => Low,
        Info => Info,
    }
}

fn severity_rank(s: wit::Severity) -> u8 {
    match s {
        wit::Severity::Info => 0,
        wit::Severity::Low => 1,
        wit::Severity::Medium => 2,
        wit::Severity::High => 3,
        wit::Severity::Critical => 4,
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

/// The few sentences the roll-ups write, per language (English for any
/// language other than French).
struct Words {
    all_met: &'static str,
    not_met: &'static str,
    low_score: &'static str,
    doubtful: &'static str,
    declined: &'static str,
    unanswered: &'static str,
    critical_unanswered: &'static str,
    not_applicable: &'static str,
    not_assessed: &'static str,
    verify_prefix: &'static str,
}

fn words(lang: &str) -> &'static Words {
    const FR: Words = Words {
        all_met: "Toutes les vérifications sont satisfaites",
        not_met: "Non satisfait :",
        low_score: "Score insuffisant :",
        doubtful: "Réponse partielle ou incertaine :",
        declined: "Le fournisseur a refusé de répondre :",
        unanswered: "Questions sans réponse :",
        critical_unanswered: "Question essentielle sans réponse, donc non démontrée :",
        not_applicable: "Ce critère ne s'applique pas à ce fournisseur ou à ce niveau.",
        not_assessed: "Aucune réponse pour ce critère.",
        verify_prefix: "À vérifier, en obtenant les preuves. Si le point n'est pas démontré : ",
    };
    const EN: Words = Words {
        all_met: "All checks are met",
        not_met: "Not met:",
        low_score: "Insufficient score:",
        doubtful: "Partial or uncertain answer:",
        declined: "The supplier declined to answer:",
        unanswered: "Unanswered questions:",
        critical_unanswered: "Essential question unanswered, so not shown:",
        not_applicable: "This criterion does not apply to this supplier or level.",
        not_assessed: "No answer for this criterion yet.",
        verify_prefix: "To verify by obtaining the evidence. If it cannot be shown: ",
    };
    if lang == "fr" { &FR } else { &EN }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::*;

    const fn with_questions(questions: &'static [Question]) -> Content {
        Content {
            info: Info {
                id: "t",
                version: "1.0.0",
                name: &[("fr", "T"), ("en", "T")],
                description: &[],
                authors: &[],
                languages: &["fr", "en"],
                extensions: &[],
            },
            frameworks: &[],
            levels: &[],
            sections: &[Section {
                id: "s",
                title: &[],
                description: &[],
                levels: &[],
                applicable_when: &[],
            }],
            criteria: &[Criterion {
                id: "c",
                title: &[("fr", "C"), ("en", "C")],
                description: &[],
                weight: 1,
                severity: Severity::High,
                references: &[],
                levels: &[],
                rollup: Rollup::Worst,
                recommendation: &[("fr", "Faire"), ("en", "Do")],
                deadline_days: Some(30),
                tags: &[],
            }],
            questions,
            verdicts: &[
                Verdict {
                    id: "compliant",
                    label: &[],
                    summary: &[],
                    severity: Severity::Info,
                },
                Verdict {
                    id: "improve",
                    label: &[],
                    summary: &[],
                    severity: Severity::Medium,
                },
                Verdict {
                    id: "not-assessed",
                    label: &[],
                    summary: &[],
                    severity: Severity::Info,
                },
            ],
        }
    }

    static CONTENT: Content = with_questions(&[
        q("a", Expect::Yes, &[]),
        q(
            "expiry",
            Expect::AfterAssessment,
            &[&[Condition {
                question: 0,
                test: Test::OneOf(&["yes"]),
            }]],
        ),
    ]);

    const fn q(id: &'static str, expect: Expect, when: Applicability) -> Question {
        Question {
            id,
            section: 0,
            prompt: &[("fr", "Q"), ("en", "Q")],
            why: &[],
            evidence: &[],
            kind: if matches!(expect, Expect::Yes) {
                Kind::YesNo
            } else {
                Kind::Date
            },
            choices: &[],
            answers: &["yes", "no", "partial", "unknown"],
            min: None,
            max: None,
            unit: None,
            references: &[],
            criteria: &[0],
            levels: &[],
            applicable_when: when,
            weight: 1,
            critical: true,
            expect,
            tags: &[],
        }
    }

    fn ctx() -> wit::Context {
        wit::Context {
            assessment_date: wit::Date {
                year: 2026,
                month: 11,
                day: 23,
            },
            language: "fr".into(),
            level: None,
            extensions: vec![],
        }
    }

    fn answer(q: &str, value: AnswerValue) -> wit::Answer {
        wit::Answer {
            question: q.into(),
            value,
            note: None,
        }
    }

    #[test]
    fn expired_date_is_not_met_and_raises_a_finding() {
        let answers = [
            answer("a", AnswerValue::YesNo(YesNo::Yes)),
            answer(
                "expiry",
                AnswerValue::Date(wit::Date {
                    year: 2026,
                    month: 11,
                    day: 22,
                }),
            ),
        ];
        let c = ctx();
        let sheet = Sheet::new(&CONTENT, &answers, &c).unwrap();
        let results = sheet.assess_all();
        assert_eq!(results[0].status, Status::NonCompliant);
        let eval = sheet.finish(results, "improve").unwrap();
        assert_eq!(eval.findings.len(), 1);
        assert_eq!(eval.findings[0].deadline_days, Some(30));
        // Raw 50, in the non-compliant band.
        assert_eq!(eval.score, Some(49.9));
    }

    /// Two optional yes/no questions feeding criterion `c` (worst wins).
    static OPTIONAL: Content = with_questions(&[optional("a"), optional("b")]);

    const fn optional(id: &'static str) -> Question {
        Question {
            critical: false,
            ..q(id, Expect::Yes, &[])
        }
    }

    #[test]
    fn to_verify_only_because_unanswered_is_progress_not_a_finding() {
        let c = ctx();
        let answers = [answer("a", AnswerValue::YesNo(YesNo::Yes))];
        let sheet = Sheet::new(&OPTIONAL, &answers, &c).unwrap();
        let results = sheet.assess_all();
        // Still to verify (not shown yet), but nothing answered is wrong.
        assert_eq!(results[0].status, Status::ToVerify);
        let eval = sheet.finish(results, "improve").unwrap();
        assert_eq!(eval.criteria[0].status, Status::ToVerify);
        assert!(eval.findings.is_empty(), "{:?}", eval.findings);
        // A doubtful answer beside the open question is a finding.
        let answers = [
            answer("a", AnswerValue::YesNo(YesNo::Partial)),
            answer("b", AnswerValue::YesNo(YesNo::Yes)),
        ];
        let sheet = Sheet::new(&OPTIONAL, &answers, &c).unwrap();
        let eval = sheet.finish(sheet.assess_all(), "improve").unwrap();
        assert_eq!(eval.findings.len(), 1);
        assert_eq!(eval.findings[0].id, "c.verify");
        // So is a status the rules set themselves, whatever is unanswered.
        let answers = [answer("a", AnswerValue::YesNo(YesNo::Yes))];
        let sheet = Sheet::new(&OPTIONAL, &answers, &c).unwrap();
        let mut results = sheet.assess_all();
        results[0].set(Status::ToVerify, vec![("en".into(), "a rule".into())]);
        let eval = sheet.finish(results, "improve").unwrap();
        assert_eq!(eval.findings.len(), 1);
    }

    #[test]
    fn hidden_question_does_not_count() {
        let answers = [
            answer("a", AnswerValue::YesNo(YesNo::No)),
            answer(
                "expiry",
                AnswerValue::Date(wit::Date {
                    year: 2030,
                    month: 1,
                    day: 1,
                }),
            ),
        ];
        let c = ctx();
        let sheet = Sheet::new(&CONTENT, &answers, &c).unwrap();
        assert!(!sheet.applies("expiry"));
        assert_eq!(sheet.date("expiry"), None);
        assert_eq!(sheet.assess(0).score, Some(0.0));
    }

    #[test]
    fn unanswered_and_unknown_ids() {
        let c = ctx();
        let sheet = Sheet::new(&CONTENT, &[], &c).unwrap();
        assert_eq!(sheet.assess(0).status, Status::NotAssessed);
        assert_eq!(sheet.default_verdict(&sheet.assess_all()), "not-assessed");
        let bad = [answer("nope", AnswerValue::Declined)];
        assert!(Sheet::new(&CONTENT, &bad, &c).is_err());
    }

    #[test]
    fn set_keeps_the_score_in_the_band_of_the_status() {
        let mut a = Assessment {
            criterion: 0,
            status: Status::Compliant,
            score: Some(100.0),
            rationale: vec![],
        };
        a.set(Status::NonCompliant, vec![]);
        assert_eq!(a.score, Some(49.9));
        a.set(Status::ToVerify, vec![]);
        assert_eq!(a.score, Some(49.9));
        a.set(Status::NotApplicable, vec![]);
        assert_eq!(a.score, None);
        a.set(Status::Compliant, vec![]);
        assert_eq!(a.score, Some(100.0));
        // Whatever the rules write into the fields, `finish` returns a score
        // in the band of the status it returns.
        let c = ctx();
        let sheet = Sheet::new(&CONTENT, &[], &c).unwrap();
        a.status = Status::NonCompliant;
        a.score = Some(100.0);
        let eval = sheet.finish(vec![a], "improve").unwrap();
        assert_eq!(eval.criteria[0].score, Some(49.9));
        assert_eq!(eval.score, Some(49.9));
    }

    #[test]
    fn an_unanswered_critical_question_is_not_better_than_no() {
        // `expiry` is critical: with `a` met and the expiry date missing, the
        // criterion is not shown, hence non-compliant, as with an old date.
        let c = ctx();
        let answers = [answer("a", AnswerValue::YesNo(YesNo::Yes))];
        let sheet = Sheet::new(&CONTENT, &answers, &c).unwrap();
        let r = sheet.assess(0);
        assert_eq!(r.status, Status::NonCompliant);
        assert_eq!(r.score, Some(49.9));
        assert!(
            r.rationale[1].1.contains("Essential question unanswered"),
            "{:?}",
            r.rationale
        );
    }

    #[test]
    fn a_past_event_dated_after_the_assessment_is_never_met() {
        static DATED: Content = with_questions(&[
            q("a", Expect::Yes, &[]),
            q("expiry", Expect::WithinDays(365), &[]),
        ]);
        let c = ctx();
        let future = AnswerValue::Date(wit::Date {
            year: 2026,
            month: 11,
            day: 24,
        });
        let answers = [answer("expiry", future)];
        let sheet = Sheet::new(&DATED, &answers, &c).unwrap();
        assert_eq!(sheet.outcome(1), Some(Outcome::Unknown));
    }

    #[test]
    fn a_choice_without_a_score_is_left_out() {
        static CHOICES: [Choice; 2] = [
            Choice {
                id: "met",
                label: &[],
                score: Some(Outcome::Met),
                tags: &[],
            },
            Choice {
                id: "moot",
                label: &[],
                score: None,
                tags: &[],
            },
        ];
        static QUESTIONS: [Question; 2] = [
            Question {
                choices: &CHOICES,
                kind: Kind::SingleChoice,
                critical: false,
                ..q("pick", Expect::Choices, &[])
            },
            Question {
                critical: false,
                ..q("a", Expect::Yes, &[])
            },
        ];
        static WITH_CHOICE: Content = with_questions(&QUESTIONS);
        let c = ctx();
        let answers = [
            answer("pick", AnswerValue::Choice("moot".into())),
            answer("a", AnswerValue::YesNo(YesNo::Yes)),
        ];
        let sheet = Sheet::new(&WITH_CHOICE, &answers, &c).unwrap();
        let r = sheet.assess(0);
        assert_eq!((r.status, r.score), (Status::Compliant, Some(100.0)));
        let only_moot = [answer("pick", AnswerValue::Choice("moot".into()))];
        let sheet = Sheet::new(&WITH_CHOICE, &only_moot, &c).unwrap();
        assert_eq!(sheet.assess(0).status, Status::NotAssessed);
    }

    #[test]
    fn choice_accessors_say_none_when_nothing_is_known() {
        static CHOICES: [Choice; 2] = [
            Choice {
                id: "eu",
                label: &[],
                score: None,
                tags: &[],
            },
            Choice {
                id: "outside-eu",
                label: &[],
                score: None,
                tags: &[],
            },
        ];
        static QUESTIONS: [Question; 2] = [
            Question {
                choices: &CHOICES,
                kind: Kind::MultipleChoice,
                critical: false,
                ..q("sites", Expect::Context, &[])
            },
            Question {
                choices: &CHOICES,
                kind: Kind::SingleChoice,
                critical: false,
                ..q("main", Expect::Context, &[])
            },
        ];
        static SITES: Content = with_questions(&QUESTIONS);
        let c = ctx();
        let answers = [
            answer("sites", AnswerValue::Choices(vec!["eu".into()])),
            answer("main", AnswerValue::Choice("outside-eu".into())),
        ];
        let sheet = Sheet::new(&SITES, &answers, &c).unwrap();
        assert_eq!(sheet.includes("sites", "eu"), Some(true));
        assert_eq!(sheet.includes("sites", "outside-eu"), Some(false));
        assert_eq!(sheet.chosen("sites"), Some(&["eu".to_string()][..]));
        assert_eq!(sheet.chosen("main"), Some(&["outside-eu".to_string()][..]));
        let declined = [answer("sites", AnswerValue::Declined)];
        let sheet = Sheet::new(&SITES, &declined, &c).unwrap();
        assert_eq!(sheet.includes("sites", "eu"), None);
        assert_eq!(sheet.chosen("sites"), None);
        let sheet = Sheet::new(&SITES, &[], &c).unwrap();
        assert_eq!(sheet.includes("sites", "eu"), None);
    }

    #[test]
    fn date_difference() {
        let a = wit::Date {
            year: 2024,
            month: 2,
            day: 28,
        };
        let b = wit::Date {
            year: 2024,
            month: 3,
            day: 1,
        };
        assert_eq!(days_between(&a, &b), 2);
        assert_eq!(days_between(&b, &a), -2);
    }
}
