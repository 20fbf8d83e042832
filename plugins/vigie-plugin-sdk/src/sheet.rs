//! A [`Sheet`] is one set of answers laid against the content: which questions
//! apply, what each answer means for scoring, and the usual roll-ups.

use crate::content::{self, Content, Test, Text};
use crate::convert::{self, severity};
use crate::wit::{self, AnswerValue, Status, YesNo};

mod rollup;

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
