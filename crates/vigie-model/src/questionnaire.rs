//! The questionnaire a plugin describes and the evaluation it returns, as plain
//! Rust types (the plugin host maps the WIT types onto these).

use serde::{Deserialize, Serialize};

use crate::{AnswerValue, Date, Localized};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub key: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Framework {
    pub id: String,
    pub title: Localized,
}

/// A citation such as `nis2` + `art. 21(2)(d)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub framework: String,
    pub clause: String,
}

impl Reference {
    /// "NIS2 art. 21(2)(d)"-style label, using the framework's id in capitals.
    pub fn label(&self) -> String {
        format!("{} {}", self.framework.to_uppercase(), self.clause)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub id: String,
    pub name: Localized,
    pub description: Localized,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginInfo {
    pub id: String,
    pub version: String,
    pub name: Localized,
    pub description: Localized,
    pub authors: Vec<String>,
    pub languages: Vec<String>,
    pub frameworks: Vec<Framework>,
    pub levels: Vec<Level>,
    pub extensions: Vec<Extension>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub label: Localized,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct NumericBounds {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub unit: Option<Localized>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "options", rename_all = "kebab-case")]
pub enum AnswerKind {
    YesNo,
    SingleChoice(Vec<Choice>),
    MultipleChoice(Vec<Choice>),
    Integer(NumericBounds),
    Decimal(NumericBounds),
    Text,
    Date,
}

impl AnswerKind {
    pub fn name(&self) -> &'static str {
        match self {
            AnswerKind::YesNo => "yes-no",
            AnswerKind::SingleChoice(_) => "single-choice",
            AnswerKind::MultipleChoice(_) => "multiple-choice",
            AnswerKind::Integer(_) => "integer",
            AnswerKind::Decimal(_) => "decimal",
            AnswerKind::Text => "text",
            AnswerKind::Date => "date",
        }
    }

    pub fn choices(&self) -> &[Choice] {
        match self {
            AnswerKind::SingleChoice(c) | AnswerKind::MultipleChoice(c) => c,
            _ => &[],
        }
    }
}

/// A test on one earlier answer; see the WIT file for the exact semantics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Test {
    Answered,
    Unanswered,
    OneOf(Vec<String>),
    NoneOf(Vec<String>),
    Includes(String),
    AtLeast(f64),
    Below(f64),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub question: String,
    pub test: Test,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Help {
    pub why: Localized,
    pub evidence: Localized,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: Localized,
    pub description: Localized,
    pub levels: Vec<String>,
    pub applicable_when: Vec<Vec<Condition>>,
    pub extensions: Vec<Extension>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub section: String,
    pub prompt: Localized,
    pub help: Help,
    pub kind: AnswerKind,
    pub references: Vec<Reference>,
    pub criteria: Vec<String>,
    pub levels: Vec<String>,
    pub applicable_when: Vec<Vec<Condition>>,
    pub extensions: Vec<Extension>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn label(self, lang: impl Into<crate::Lang>) -> &'static str {
        match (self, lang.into() == crate::Lang::Fr) {
            (Severity::Info, true) => "information",
            (Severity::Low, true) => "faible",
            (Severity::Medium, true) => "moyenne",
            (Severity::High, true) => "élevée",
            (Severity::Critical, true) => "critique",
            (Severity::Info, false) => "info",
            (Severity::Low, false) => "low",
            (Severity::Medium, false) => "medium",
            (Severity::High, false) => "high",
            (Severity::Critical, false) => "critical",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub id: String,
    pub title: Localized,
    pub description: Localized,
    pub weight: u32,
    pub severity: Severity,
    pub references: Vec<Reference>,
    pub levels: Vec<String>,
    pub extensions: Vec<Extension>,
}

/// A questionnaire as a plugin describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Questionnaire {
    pub info: PluginInfo,
    pub sections: Vec<Section>,
    pub questions: Vec<Question>,
    pub criteria: Vec<Criterion>,
}

impl Question {
    /// The answers a yes/no question takes: those its plugin lists in
    /// [`crate::YES_NO_ANSWERS_EXTENSION`], in the usual order, else all four.
    pub fn yes_no_answers(&self) -> Vec<crate::YesNo> {
        let listed = self
            .extensions
            .iter()
            .find(|e| e.key == crate::YES_NO_ANSWERS_EXTENSION)
            .map(|e| e.value.split(',').map(str::trim).collect::<Vec<_>>())
            .unwrap_or_default();
        let offered: Vec<crate::YesNo> = crate::YesNo::ALL
            .into_iter()
            .filter(|v| listed.contains(&v.id()))
            .collect();
        if offered.is_empty() {
            crate::YesNo::ALL.to_vec()
        } else {
            offered
        }
    }

    /// Whether the question asks for the date of a past event (see
    /// [`crate::PAST_DATE_EXTENSION`]).
    pub fn is_past_event_date(&self) -> bool {
        matches!(self.kind, AnswerKind::Date)
            && self
                .extensions
                .iter()
                .any(|e| e.key == crate::PAST_DATE_EXTENSION && e.value == "true")
    }
}

/// The plugin-info extension prefix naming a framework as references read
/// in a language: `framework-short.FRAMEWORK.LANG` = `GDPR`.
pub const FRAMEWORK_SHORT_EXTENSION: &str = "framework-short";

impl Questionnaire {
    /// A reference as an auditor reads it in `lang`: the framework's short
    /// name in that language (e.g. `GDPR art. 44`, `RGPD art. 44`) when the
    /// plugin gives one ([`FRAMEWORK_SHORT_EXTENSION`]), else
    /// [`Reference::label`].
    pub fn reference_label(&self, reference: &Reference, lang: impl AsRef<str>) -> String {
        let lang = lang.as_ref();
        let key = format!("{FRAMEWORK_SHORT_EXTENSION}.{}.{lang}", reference.framework);
        match self.info.extensions.iter().find(|e| e.key == key) {
            Some(short) => format!("{} {}", short.value, reference.clause),
            None => reference.label(),
        }
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
    /// Whether `value` can stand as the answer to question `id`: the questionnaire has the
    /// question and the value fits its kind. A reassessment carries only such answers.
    pub fn accepts(&self, id: &str, value: &AnswerValue) -> bool {
        self.question(id)
            .is_some_and(|q| value.validate(&q.kind).is_ok())
    }
    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }
    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }
    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.info.frameworks.iter().find(|f| f.id == id)
    }
    /// Indices of the questions of `section`, in order.
    pub fn questions_in(&self, section: &str) -> impl Iterator<Item = usize> + '_ {
        let section = section.to_string();
        self.questions
            .iter()
            .enumerate()
            .filter(move |(_, q)| q.section == section)
            .map(|(i, _)| i)
    }
}

/// One given answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub question: String,
    pub value: AnswerValue,
    pub note: Option<String>,
}

/// What the rules get besides the answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalContext {
    pub assessment_date: Date,
    pub language: String,
    pub level: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Compliant,
    ToVerify,
    NonCompliant,
    NotApplicable,
    NotAssessed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Compliant,
        Status::ToVerify,
        Status::NonCompliant,
        Status::NotApplicable,
        Status::NotAssessed,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Status::Compliant => "compliant",
            Status::ToVerify => "to-verify",
            Status::NonCompliant => "non-compliant",
            Status::NotApplicable => "not-applicable",
            Status::NotAssessed => "not-assessed",
        }
    }

    pub fn from_id(id: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The glyph of the checklist: it carries the status without colour.
    pub fn glyph(self) -> &'static str {
        match self {
            Status::Compliant => "✅",
            Status::ToVerify => "⚠️",
            Status::NonCompliant => "❌",
            Status::NotApplicable => "—",
            Status::NotAssessed => "·",
        }
    }

    /// A single-width ASCII mark for terminals that cannot show emoji.
    pub fn ascii(self) -> &'static str {
        match self {
            Status::Compliant => "OK",
            Status::ToVerify => "??",
            Status::NonCompliant => "KO",
            Status::NotApplicable => "--",
            Status::NotAssessed => "..",
        }
    }

    pub fn label(self, lang: impl Into<crate::Lang>) -> &'static str {
        match (self, lang.into() == crate::Lang::Fr) {
            (Status::Compliant, true) => "conforme",
            (Status::ToVerify, true) => "à vérifier",
            (Status::NonCompliant, true) => "non conforme",
            (Status::NotApplicable, true) => "non applicable",
            (Status::NotAssessed, true) => "non évalué",
            (Status::Compliant, false) => "compliant",
            (Status::ToVerify, false) => "to verify",
            (Status::NonCompliant, false) => "non-compliant",
            (Status::NotApplicable, false) => "not applicable",
            (Status::NotAssessed, false) => "not assessed",
        }
    }

    /// The label after a count of criteria: "3 non conformes", "1 conforme",
    /// "3 non-compliant" (English adjectives take no plural).
    pub fn label_for_count(self, count: usize, lang: impl Into<crate::Lang>) -> &'static str {
        let lang = lang.into();
        if lang != crate::Lang::Fr || count == 1 {
            return self.label(lang);
        }
        match self {
            Status::Compliant => "conformes",
            Status::ToVerify => "à vérifier",
            Status::NonCompliant => "non conformes",
            Status::NotApplicable => "non applicables",
            Status::NotAssessed => "non évalués",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CriterionResult {
    pub criterion: String,
    pub status: Status,
    pub rationale: Localized,
    pub score: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub id: String,
    pub label: Localized,
    pub summary: Localized,
    pub severity: Severity,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub criterion: Option<String>,
    pub severity: Severity,
    pub title: Localized,
    pub recommendation: Localized,
    pub deadline_days: Option<u32>,
}

/// The result of scoring one set of answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub criteria: Vec<CriterionResult>,
    pub score: Option<f64>,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    pub extensions: Vec<Extension>,
}

/// The evaluation extension prefix by which a plugin proposes the answer to
/// a question it can work out from other answers (`suggested-answer.QUESTION`
/// = a choice id), with `suggested-answer-basis.QUESTION` saying on what
/// ground: the workbench shows it at the question, for the auditor to confirm
/// rather than work it out.
pub const SUGGESTED_ANSWER_EXTENSION: &str = "suggested-answer";

impl Evaluation {
    /// The answer the plugin proposes for `question`, and its basis.
    pub fn suggested_answer(&self, question: &str) -> Option<(&str, Option<&str>)> {
        let find = |key: String| {
            self.extensions
                .iter()
                .find(|e| e.key == key)
                .map(|e| e.value.as_str())
        };
        let value = find(format!("{SUGGESTED_ANSWER_EXTENSION}.{question}"))?;
        Some((
            value,
            find(format!("{SUGGESTED_ANSWER_EXTENSION}-basis.{question}")),
        ))
    }

    pub fn status_of(&self, criterion: &str) -> Option<Status> {
        self.criteria
            .iter()
            .find(|c| c.criterion == criterion)
            .map(|c| c.status)
    }

    /// How many criteria have each status, in [`Status::ALL`] order.
    pub fn status_counts(&self) -> [usize; 5] {
        let mut counts = [0; 5];
        for c in &self.criteria {
            if let Some(i) = Status::ALL.iter().position(|s| *s == c.status) {
                counts[i] += 1;
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_read_in_the_language_asked() {
        let mut q = Questionnaire {
            info: PluginInfo {
                id: "t".into(),
                version: "1.0.0".into(),
                name: Localized::default(),
                description: Localized::default(),
                authors: vec![],
                languages: vec!["fr".into(), "en".into()],
                frameworks: vec![],
                levels: vec![],
                extensions: vec![],
            },
            sections: vec![],
            questions: vec![],
            criteria: vec![],
        };
        let r = Reference {
            framework: "rgpd".into(),
            clause: "art. 44".into(),
        };
        // Without a short name: the id in capitals, in every language.
        assert_eq!(q.reference_label(&r, "en"), "RGPD art. 44");
        for (lang, short) in [("fr", "RGPD"), ("en", "GDPR")] {
            q.info.extensions.push(Extension {
                key: format!("{FRAMEWORK_SHORT_EXTENSION}.rgpd.{lang}"),
                value: short.into(),
            });
        }
        assert_eq!(q.reference_label(&r, "en"), "GDPR art. 44");
        assert_eq!(q.reference_label(&r, "fr"), "RGPD art. 44");
        // A language the plugin does not name: the id.
        assert_eq!(q.reference_label(&r, "de"), "RGPD art. 44");
    }
}
