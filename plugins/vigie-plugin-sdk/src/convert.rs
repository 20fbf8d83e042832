//! Static content → the WIT `questionnaire` record returned by `describe`.

use crate::content::{self, Content, Kind, Text};
use crate::wit;

pub(crate) fn localized(text: Text) -> wit::Localized {
    text.iter()
        .map(|(lang, text)| wit::Translation {
            lang: (*lang).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

fn references(refs: &[content::Reference]) -> Vec<wit::Reference> {
    refs.iter()
        .map(|r| wit::Reference {
            framework: r.framework.to_string(),
            clause: r.clause.to_string(),
        })
        .collect()
}

fn tags_extension(tags: &[&str]) -> Vec<wit::Extension> {
    if tags.is_empty() {
        Vec::new()
    } else {
        vec![wit::Extension {
            key: "tags".to_string(),
            value: tags.join(","),
        }]
    }
}

/// The extension key telling the host that a date question records a past
/// event (a last audit, a last test): a date after the assessment date is
/// refused at input.
pub const PAST_DATE_EXTENSION: &str = "date-not-after-assessment";

/// The plugin-info extension prefix naming a framework as references read
/// in each language: `framework-short.FRAMEWORK.LANG` = `GDPR`.
pub const FRAMEWORK_SHORT_EXTENSION: &str = "framework-short";

/// The evaluation extension carrying the SDK's applicability of every
/// question (see `Sheet::applicability_mask`).
pub const APPLICABILITY_EXTENSION: &str = "applicable-questions";

/// The extension key publishing how a question is scored (`yes`, `no`,
/// `context`, `choices`, `at-least:MET[:PARTIAL]`, `below:MET[:PARTIAL]`,
/// `after-assessment`, `within-days:N`), so that `vigie plugin check` knows
/// which answers are worse than others.
pub const SCORING_EXTENSION: &str = "scoring";
/// The outcome of each scored choice, `id=met,id=not-met,…`.
pub const CHOICE_SCORES_EXTENSION: &str = "choice-scores";
/// The answers a yes/no question takes, comma-separated, when the content
/// restricts them (`yes,no,unknown` for "have you suffered an attack?"): the
/// host refuses any other.
pub const YES_NO_ANSWERS_EXTENSION: &str = "yes-no-answers";
/// `true` on a critical question.
pub const CRITICAL_EXTENSION: &str = "critical";

fn outcome_id(o: content::Outcome) -> &'static str {
    match o {
        content::Outcome::Met => "met",
        content::Outcome::Partial => "partial",
        content::Outcome::NotMet => "not-met",
        content::Outcome::Unknown | content::Outcome::Declined => "unknown",
    }
}

fn scoring(expect: content::Expect) -> String {
    use content::Expect;
    let bounds = |met: f64, partial: Option<f64>| match partial {
        Some(p) => format!("{met}:{p}"),
        None => met.to_string(),
    };
    match expect {
        Expect::Context => "context".to_string(),
        Expect::Yes => "yes".to_string(),
        Expect::No => "no".to_string(),
        Expect::Choices => "choices".to_string(),
        Expect::MetAtLeast { met, partial } => format!("at-least:{}", bounds(met, partial)),
        Expect::MetBelow { met, partial } => format!("below:{}", bounds(met, partial)),
        Expect::AfterAssessment => "after-assessment".to_string(),
        Expect::WithinDays(n) => format!("within-days:{n}"),
    }
}

fn question_extensions(q: &content::Question) -> Vec<wit::Extension> {
    let mut extensions = tags_extension(q.tags);
    let mut push = |key: &str, value: String| {
        extensions.push(wit::Extension {
            key: key.to_string(),
            value,
        })
    };
    if matches!(q.expect, content::Expect::WithinDays(_)) {
        push(PAST_DATE_EXTENSION, "true".to_string());
    }
    push(SCORING_EXTENSION, scoring(q.expect));
    if q.expect == content::Expect::Choices {
        let scores: Vec<String> = q
            .choices
            .iter()
            .filter_map(|c| c.score.map(|o| format!("{}={}", c.id, outcome_id(o))))
            .collect();
        push(CHOICE_SCORES_EXTENSION, scores.join(","));
    }
    if q.critical {
        push(CRITICAL_EXTENSION, "true".to_string());
    }
    if q.kind == Kind::YesNo && q.answers.len() < 4 {
        push(YES_NO_ANSWERS_EXTENSION, q.answers.join(","));
    }
    extensions
}

pub(crate) fn severity(s: content::Severity) -> wit::Severity {
    match s {
        content::Severity::Info => wit::Severity::Info,
        content::Severity::Low => wit::Severity::Low,
        content::Severity::Medium => wit::Severity::Medium,
        content::Severity::High => wit::Severity::High,
        content::Severity::Critical => wit::Severity::Critical,
    }
}

fn applicability(content: &Content, alternatives: content::Applicability) -> wit::Applicability {
    alternatives
        .iter()
        .map(|all| {
            all.iter()
                .map(|c| wit::Condition {
                    question: content.questions[c.question].id.to_string(),
                    test: match c.test {
                        content::Test::Answered => wit::Test::Answered,
                        content::Test::Unanswered => wit::Test::Unanswered,
                        content::Test::OneOf(v) => wit::Test::OneOf(strings(v)),
                        content::Test::NoneOf(v) => wit::Test::NoneOf(strings(v)),
                        content::Test::Includes(v) => wit::Test::Includes(v.to_string()),
                        content::Test::AtLeast(n) => wit::Test::AtLeast(n),
                        content::Test::Below(n) => wit::Test::Below(n),
                    },
                })
                .collect()
        })
        .collect()
}

fn kind(q: &content::Question) -> wit::AnswerKind {
    let choices = || {
        q.choices
            .iter()
            .map(|c| wit::Choice {
                id: c.id.to_string(),
                label: localized(c.label),
            })
            .collect()
    };
    let bounds = || wit::NumericBounds {
        min: q.min,
        max: q.max,
        unit: q.unit.map(localized),
    };
    match q.kind {
        Kind::YesNo => wit::AnswerKind::YesNo,
        Kind::SingleChoice => wit::AnswerKind::SingleChoice(choices()),
        Kind::MultipleChoice => wit::AnswerKind::MultipleChoice(choices()),
        Kind::Integer => wit::AnswerKind::Integer(bounds()),
        Kind::Decimal => wit::AnswerKind::Decimal(bounds()),
        Kind::Text => wit::AnswerKind::Text,
        Kind::Date => wit::AnswerKind::Date,
    }
}

/// The `describe` result for `content`.
pub fn describe(content: &Content) -> wit::Questionnaire {
    let info = &content.info;
    wit::Questionnaire {
        info: wit::PluginInfo {
            id: info.id.to_string(),
            version: info.version.to_string(),
            name: localized(info.name),
            description: localized(info.description),
            authors: strings(info.authors),
            languages: strings(info.languages),
            frameworks: content
                .frameworks
                .iter()
                .map(|f| wit::Framework {
                    id: f.id.to_string(),
                    title: localized(f.title),
                })
                .collect(),
            levels: content
                .levels
                .iter()
                .map(|l| wit::Level {
                    id: l.id.to_string(),
                    name: localized(l.name),
                    description: localized(l.description),
                })
                .collect(),
            extensions: info
                .extensions
                .iter()
                .map(|(k, v)| wit::Extension {
                    key: k.to_string(),
                    value: v.to_string(),
                })
                .chain(content.frameworks.iter().flat_map(|f| {
                    f.short.iter().map(|(lang, text)| wit::Extension {
                        key: format!("{FRAMEWORK_SHORT_EXTENSION}.{}.{lang}", f.id),
                        value: (*text).to_string(),
                    })
                }))
                .collect(),
        },
        sections: content
            .sections
            .iter()
            .map(|s| wit::Section {
                id: s.id.to_string(),
                title: localized(s.title),
                description: localized(s.description),
                levels: strings(s.levels),
                applicable_when: applicability(content, s.applicable_when),
                extensions: Vec::new(),
            })
            .collect(),
        questions: content
            .questions
            .iter()
            .map(|q| wit::Question {
                id: q.id.to_string(),
                section: content.sections[q.section].id.to_string(),
                prompt: localized(q.prompt),
                help: wit::Help {
                    why: localized(q.why),
                    evidence: localized(q.evidence),
                },
                kind: kind(q),
                references: references(q.references),
                criteria: q
                    .criteria
                    .iter()
                    .map(|&c| content.criteria[c].id.to_string())
                    .collect(),
                levels: strings(q.levels),
                applicable_when: applicability(content, q.applicable_when),
                extensions: question_extensions(q),
            })
            .collect(),
        criteria: content
            .criteria
            .iter()
            .map(|c| wit::Criterion {
                id: c.id.to_string(),
                title: localized(c.title),
                description: localized(c.description),
                weight: c.weight,
                severity: severity(c.severity),
                references: references(c.references),
                levels: strings(c.levels),
                extensions: tags_extension(c.tags),
            })
            .collect(),
    }
}
