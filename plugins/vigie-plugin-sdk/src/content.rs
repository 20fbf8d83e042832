//! Questionnaire content as static data. `vigie-plugin-sdk-build` generates a
//! `static CONTENT: Content` from `questionnaire.toml` at build time, so a
//! plugin never parses anything at run time: describe and evaluate start from
//! data already laid out in the module's memory.

/// A text in several languages: `(lang, text)` pairs, fallback first.
pub type Text = &'static [(&'static str, &'static str)];

#[derive(Debug)]
pub struct Info {
    pub id: &'static str,
    pub version: &'static str,
    pub name: Text,
    pub description: Text,
    pub authors: &'static [&'static str],
    pub languages: &'static [&'static str],
    pub extensions: &'static [(&'static str, &'static str)],
}

#[derive(Debug)]
pub struct Framework {
    pub id: &'static str,
    pub title: Text,
    /// How a reference reads before its clause, per language (empty: the
    /// id in capitals).
    pub short: Text,
}

#[derive(Debug)]
pub struct Level {
    pub id: &'static str,
    pub name: Text,
    pub description: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub framework: &'static str,
    pub clause: &'static str,
}

/// Applicability tests, mirroring the WIT `test` variant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Test {
    Answered,
    Unanswered,
    OneOf(&'static [&'static str]),
    NoneOf(&'static [&'static str]),
    Includes(&'static str),
    AtLeast(f64),
    Below(f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Condition {
    /// Index of the (earlier) question in `Content::questions`.
    pub question: usize,
    pub test: Test,
}

/// Flat OR of ANDs; empty = always.
pub type Applicability = &'static [&'static [Condition]];

#[derive(Debug)]
pub struct Section {
    pub id: &'static str,
    pub title: Text,
    pub description: Text,
    pub levels: &'static [&'static str],
    pub applicable_when: Applicability,
}

/// How an answer turns into an outcome for scoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Met,
    Partial,
    NotMet,
    /// The supplier does not know: to verify.
    Unknown,
    /// The supplier refused to answer.
    Declined,
}

impl Outcome {
    /// Points in a weighted average.
    pub fn points(self) -> f64 {
        match self {
            Outcome::Met => 100.0,
            Outcome::Partial => 50.0,
            Outcome::NotMet | Outcome::Unknown | Outcome::Declined => 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expect {
    /// Not scored: a context question.
    Context,
    /// yes → met, partial → partial, no → not met, unknown → unknown.
    Yes,
    /// Inverted: no → met, yes → not met.
    No,
    /// Each choice carries its own outcome (see `Choice::score`).
    Choices,
    MetAtLeast {
        met: f64,
        partial: Option<f64>,
    },
    MetBelow {
        met: f64,
        partial: Option<f64>,
    },
    /// A date on or after the assessment date is met (e.g. certificate expiry).
    AfterAssessment,
    /// A date at most this many days before the assessment date is met.
    WithinDays(u32),
}

#[derive(Debug)]
pub struct Choice {
    pub id: &'static str,
    pub label: Text,
    pub score: Option<Outcome>,
    pub tags: &'static [&'static str],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    YesNo,
    SingleChoice,
    MultipleChoice,
    Integer,
    Decimal,
    Text,
    Date,
}

#[derive(Debug)]
pub struct Question {
    pub id: &'static str,
    /// Index in `Content::sections`.
    pub section: usize,
    pub prompt: Text,
    pub why: Text,
    pub evidence: Text,
    pub kind: Kind,
    pub choices: &'static [Choice],
    /// The answers a yes/no question takes (`yes`, `no`, `partial`,
    /// `unknown`): all four unless the content says otherwise; empty for
    /// other kinds.
    pub answers: &'static [&'static str],
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub unit: Option<Text>,
    pub references: &'static [Reference],
    /// Indices in `Content::criteria`.
    pub criteria: &'static [usize],
    pub levels: &'static [&'static str],
    pub applicable_when: Applicability,
    pub weight: u32,
    pub critical: bool,
    pub expect: Expect,
    pub tags: &'static [&'static str],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollup {
    Worst,
    Average,
}

/// Severity, mirroring the WIT enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug)]
pub struct Criterion {
    pub id: &'static str,
    pub title: Text,
    pub description: Text,
    pub weight: u32,
    pub severity: Severity,
    pub references: &'static [Reference],
    pub levels: &'static [&'static str],
    pub rollup: Rollup,
    pub recommendation: Text,
    pub deadline_days: Option<u32>,
    pub tags: &'static [&'static str],
}

#[derive(Debug)]
pub struct Verdict {
    pub id: &'static str,
    pub label: Text,
    pub summary: Text,
    pub severity: Severity,
}

/// The whole questionnaire.
#[derive(Debug)]
pub struct Content {
    pub info: Info,
    pub frameworks: &'static [Framework],
    pub levels: &'static [Level],
    pub sections: &'static [Section],
    pub criteria: &'static [Criterion],
    pub questions: &'static [Question],
    pub verdicts: &'static [Verdict],
}

impl Content {
    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }
    pub fn criterion_index(&self, id: &str) -> Option<usize> {
        self.criteria.iter().position(|c| c.id == id)
    }
    pub fn verdict(&self, id: &str) -> Option<&Verdict> {
        self.verdicts.iter().find(|v| v.id == id)
    }
}

/// The text in `lang`, else the first one.
pub fn text_in(text: Text, lang: &str) -> &'static str {
    text.iter()
        .find(|(l, _)| *l == lang)
        .or_else(|| text.first())
        .map(|(_, t)| *t)
        .unwrap_or("")
}
