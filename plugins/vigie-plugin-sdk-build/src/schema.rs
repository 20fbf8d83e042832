//! The `questionnaire.toml` format as serde types. Closed vocabularies
//! (kinds, severities, roll-ups, scores, `expect` words) are enums, so that
//! a word the format does not know is refused while reading, never mapped to
//! a default.

use std::collections::BTreeMap;

use serde::Deserialize;

pub(crate) type Text = BTreeMap<String, String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct File {
    pub info: Info,
    #[serde(default)]
    pub frameworks: Vec<Framework>,
    #[serde(default)]
    pub levels: Vec<Level>,
    pub sections: Vec<Section>,
    pub criteria: Vec<Criterion>,
    pub questions: Vec<Question>,
    pub verdicts: Vec<Verdict>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Info {
    pub id: String,
    pub version: String,
    pub name: Text,
    pub description: Text,
    #[serde(default)]
    pub authors: Vec<String>,
    pub languages: Vec<String>,
    #[serde(default)]
    pub extensions: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Framework {
    pub id: String,
    pub title: Text,
    /// How a reference to it reads before its clause, per language (`RGPD`
    /// / `GDPR`); the id in capitals when absent.
    pub short: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Level {
    pub id: String,
    pub name: Text,
    pub description: Text,
}

/// One applicability test as written: exactly one of the fields is set
/// (the checks turn it into a [`crate::checks::Test`]).
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct Condition {
    pub question: String,
    pub one_of: Option<Vec<String>>,
    pub none_of: Option<Vec<String>>,
    pub includes: Option<String>,
    pub at_least: Option<f64>,
    pub below: Option<f64>,
    pub answered: Option<bool>,
    pub unanswered: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Section {
    pub id: String,
    pub title: Text,
    pub description: Text,
    #[serde(default)]
    pub levels: Vec<String>,
    #[serde(default)]
    pub applicable_when: Vec<Vec<Condition>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Rollup {
    #[default]
    Worst,
    Average,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Criterion {
    pub id: String,
    pub title: Text,
    pub description: Text,
    pub weight: u32,
    pub severity: Severity,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub levels: Vec<String>,
    #[serde(default)]
    pub rollup: Rollup,
    pub recommendation: Text,
    pub deadline_days: Option<u32>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A choice's outcome.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Score {
    Met,
    Partial,
    NotMet,
    Unknown,
}

// No `deny_unknown_fields`: serde cannot combine it with `flatten`. An unknown
// key lands in `label` and is refused there as an undeclared language.
#[derive(Deserialize)]
pub(crate) struct RawChoice {
    pub id: String,
    pub score: Option<Score>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(flatten)]
    pub label: Text,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Kind {
    YesNo,
    SingleChoice,
    MultipleChoice,
    Integer,
    Decimal,
    Text,
    Date,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::YesNo => "yes-no",
            Kind::SingleChoice => "single-choice",
            Kind::MultipleChoice => "multiple-choice",
            Kind::Integer => "integer",
            Kind::Decimal => "decimal",
            Kind::Text => "text",
            Kind::Date => "date",
        }
    }

    pub fn is_choice(self) -> bool {
        matches!(self, Kind::SingleChoice | Kind::MultipleChoice)
    }

    pub fn is_number(self) -> bool {
        matches!(self, Kind::Integer | Kind::Decimal)
    }
}

/// The answers of a yes/no question.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub(crate) enum YesNoAnswer {
    Yes,
    No,
    Partial,
    Unknown,
}

impl YesNoAnswer {
    pub const ALL: [YesNoAnswer; 4] = [
        YesNoAnswer::Yes,
        YesNoAnswer::No,
        YesNoAnswer::Partial,
        YesNoAnswer::Unknown,
    ];

    pub fn id(self) -> &'static str {
        match self {
            YesNoAnswer::Yes => "yes",
            YesNoAnswer::No => "no",
            YesNoAnswer::Partial => "partial",
            YesNoAnswer::Unknown => "unknown",
        }
    }
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ExpectWord {
    Yes,
    No,
    Context,
    AfterAssessment,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Expect {
    Word(ExpectWord),
    Table(ExpectTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExpectTable {
    pub met_at_least: Option<f64>,
    pub partial_at_least: Option<f64>,
    pub met_below: Option<f64>,
    pub partial_below: Option<f64>,
    pub within_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Question {
    pub id: String,
    pub section: String,
    pub prompt: Text,
    pub why: Text,
    pub evidence: Text,
    pub kind: Kind,
    #[serde(default)]
    pub choices: Vec<RawChoice>,
    /// For a yes/no question: the answers it takes (all four when absent).
    pub answers: Option<Vec<YesNoAnswer>>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub unit: Option<Text>,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub criteria: Vec<String>,
    #[serde(default)]
    pub levels: Vec<String>,
    #[serde(default)]
    pub applicable_when: Vec<Vec<Condition>>,
    pub weight: Option<u32>,
    #[serde(default)]
    pub critical: bool,
    pub expect: Option<Expect>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Verdict {
    pub id: String,
    pub label: Text,
    pub summary: Text,
    pub severity: Severity,
}
