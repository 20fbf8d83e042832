//! WIT types ⇄ `vigie-model` types. Plain field-by-field moves; validation is
//! `validate.rs`'s job.

use crate::bindings::exports::vigie::questionnaire::plugin as wit;
use vigie_model as m;

fn localized(text: wit::Localized) -> m::Localized {
    m::Localized(
        text.into_iter()
            .map(|t| m::Translation {
                lang: t.lang,
                text: t.text,
            })
            .collect(),
    )
}

fn extensions(ext: Vec<wit::Extension>) -> Vec<m::Extension> {
    ext.into_iter()
        .map(|e| m::Extension {
            key: e.key,
            value: e.value,
        })
        .collect()
}

fn references(refs: Vec<wit::Reference>) -> Vec<m::Reference> {
    refs.into_iter()
        .map(|r| m::Reference {
            framework: r.framework,
            clause: r.clause,
        })
        .collect()
}

fn severity(s: wit::Severity) -> m::Severity {
    match s {
        wit::Severity::Info => m::Severity::Info,
        wit::Severity::Low => m::Severity::Low,
        wit::Severity::Medium => m::Severity::Medium,
        wit::Severity::High => m::Severity::High,
        wit::Severity::Critical => m::Severity::Critical,
    }
}

fn applicability(alternatives: wit::Applicability) -> Vec<Vec<m::Condition>> {
    alternatives
        .into_iter()
        .map(|all| {
            all.into_iter()
                .map(|c| m::Condition {
                    question: c.question,
                    test: match c.test {
                        wit::Test::Answered => m::Test::Answered,
                        wit::Test::Unanswered => m::Test::Unanswered,
                        wit::Test::OneOf(v) => m::Test::OneOf(v),
                        wit::Test::NoneOf(v) => m::Test::NoneOf(v),
                        wit::Test::Includes(v) => m::Test::Includes(v),
                        wit::Test::AtLeast(n) => m::Test::AtLeast(n),
                        wit::Test::Below(n) => m::Test::Below(n),
                    },
                })
                .collect()
        })
        .collect()
}

fn choices(choices: Vec<wit::Choice>) -> Vec<m::Choice> {
    choices
        .into_iter()
        .map(|c| m::Choice {
            id: c.id,
            label: localized(c.label),
        })
        .collect()
}

fn bounds(b: wit::NumericBounds) -> m::NumericBounds {
    m::NumericBounds {
        min: b.min,
        max: b.max,
        unit: b.unit.map(localized),
    }
}

pub(crate) fn questionnaire(q: wit::Questionnaire) -> m::Questionnaire {
    let info = q.info;
    m::Questionnaire {
        info: m::PluginInfo {
            id: info.id,
            version: info.version,
            name: localized(info.name),
            description: localized(info.description),
            authors: info.authors,
            languages: info.languages,
            frameworks: info
                .frameworks
                .into_iter()
                .map(|f| m::Framework {
                    id: f.id,
                    title: localized(f.title),
                })
                .collect(),
            levels: info
                .levels
                .into_iter()
                .map(|l| m::Level {
                    id: l.id,
                    name: localized(l.name),
                    description: localized(l.description),
                })
                .collect(),
            extensions: extensions(info.extensions),
        },
        sections: q
            .sections
            .into_iter()
            .map(|s| m::Section {
                id: s.id,
                title: localized(s.title),
                description: localized(s.description),
                levels: s.levels,
                applicable_when: applicability(s.applicable_when),
                extensions: extensions(s.extensions),
            })
            .collect(),
        questions: q
            .questions
            .into_iter()
            .map(|q| m::Question {
                id: q.id,
                section: q.section,
                prompt: localized(q.prompt),
                help: m::Help {
                    why: localized(q.help.why),
                    evidence: localized(q.help.evidence),
                },
                kind: match q.kind {
                    wit::AnswerKind::YesNo => m::AnswerKind::YesNo,
                    wit::AnswerKind::SingleChoice(c) => m::AnswerKind::SingleChoice(choices(c)),
                    wit::AnswerKind::MultipleChoice(c) => m::AnswerKind::MultipleChoice(choices(c)),
                    wit::AnswerKind::Integer(b) => m::AnswerKind::Integer(bounds(b)),
                    wit::AnswerKind::Decimal(b) => m::AnswerKind::Decimal(bounds(b)),
                    wit::AnswerKind::Text => m::AnswerKind::Text,
                    wit::AnswerKind::Date => m::AnswerKind::Date,
                },
                references: references(q.references),
                criteria: q.criteria,
                levels: q.levels,
                applicable_when: applicability(q.applicable_when),
                extensions: extensions(q.extensions),
            })
            .collect(),
        criteria: q
            .criteria
            .into_iter()
            .map(|c| m::Criterion {
                id: c.id,
                title: localized(c.title),
                description: localized(c.description),
                weight: c.weight,
                severity: severity(c.severity),
                references: references(c.references),
                levels: c.levels,
                extensions: extensions(c.extensions),
            })
            .collect(),
    }
}

fn date_to_wit(d: m::Date) -> wit::Date {
    wit::Date {
        year: d.year(),
        month: d.month(),
        day: d.day(),
    }
}

pub(crate) fn answer_to_wit(a: &m::Answer) -> wit::Answer {
    wit::Answer {
        question: a.question.clone(),
        value: match &a.value {
            m::AnswerValue::YesNo(v) => wit::AnswerValue::YesNo(match v {
                m::YesNo::Yes => wit::YesNo::Yes,
                m::YesNo::No => wit::YesNo::No,
                m::YesNo::Partial => wit::YesNo::Partial,
                m::YesNo::Unknown => wit::YesNo::Unknown,
            }),
            m::AnswerValue::Choice(c) => wit::AnswerValue::Choice(c.clone()),
            m::AnswerValue::Choices(c) => wit::AnswerValue::Choices(c.clone()),
            m::AnswerValue::Integer(v) => wit::AnswerValue::Integer(*v),
            m::AnswerValue::Decimal(v) => wit::AnswerValue::Decimal(*v),
            m::AnswerValue::Text(t) => wit::AnswerValue::Text(t.clone()),
            m::AnswerValue::Date(d) => wit::AnswerValue::Date(date_to_wit(*d)),
            m::AnswerValue::Declined => wit::AnswerValue::Declined,
        },
        note: a.note.clone(),
    }
}

pub(crate) fn context_to_wit(c: &m::EvalContext) -> wit::Context {
    wit::Context {
        assessment_date: date_to_wit(c.assessment_date),
        language: c.language.clone(),
        level: c.level.clone(),
        extensions: Vec::new(),
    }
}

pub(crate) fn evaluation(e: wit::Evaluation) -> m::Evaluation {
    m::Evaluation {
        criteria: e
            .criteria
            .into_iter()
            .map(|r| m::CriterionResult {
                criterion: r.criterion,
                status: match r.status {
                    wit::Status::Compliant => m::Status::Compliant,
                    wit::Status::ToVerify => m::Status::ToVerify,
                    wit::Status::NonCompliant => m::Status::NonCompliant,
                    wit::Status::NotApplicable => m::Status::NotApplicable,
                    wit::Status::NotAssessed => m::Status::NotAssessed,
                },
                rationale: localized(r.rationale),
                score: r.score,
            })
            .collect(),
        score: e.score,
        verdict: m::Verdict {
            id: e.verdict.id,
            label: localized(e.verdict.label),
            summary: localized(e.verdict.summary),
            severity: severity(e.verdict.severity),
        },
        findings: e
            .findings
            .into_iter()
            .map(|f| m::Finding {
                id: f.id,
                criterion: f.criterion,
                severity: severity(f.severity),
                title: localized(f.title),
                recommendation: localized(f.recommendation),
                deadline_days: f.deadline_days,
            })
            .collect(),
        extensions: extensions(e.extensions),
    }
}
