//! The report as one document with every text resolved in the report's language: built once,
//! then written as Markdown, HTML, JSON (the document itself) or CSV.

use serde::Serialize;
use vigie_model::{
    ActionStatus, AssessmentStatus, Date, EvidenceFile, EvidenceKind, Severity, Status,
};

use crate::Lang;
use crate::compare::ChangeKind;

mod build;

/// The `format` field of a JSON report.
pub const REPORT_FORMAT: &str = "vigie-report";
/// The version of the JSON report's shape.
pub const REPORT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportDoc {
    pub format: &'static str,
    pub version: u32,
    /// `fr` or `en`.
    pub language: &'static str,
    pub supplier: DocSupplier,
    pub scope: DocScope,
    pub questionnaire: DocQuestionnaire,
    pub assessment: DocAssessment,
    pub verdict: DocVerdict,
    /// How many criteria have each status, in the checklist's order of statuses.
    pub counts: Vec<DocCount>,
    pub checklist: Vec<DocCriterion>,
    /// Most severe first.
    pub findings: Vec<DocFinding>,
    pub actions: Vec<DocAction>,
    /// Findings that no action item remedies yet (ids).
    pub findings_without_action: Vec<String>,
    pub evidence: Vec<DocEvidence>,
    /// Answers by section, in questionnaire order.
    pub answers: Vec<DocSection>,
    pub comparison: Option<DocComparison>,
    /// Present once a supplier filled a self-assessment: how many answers rest on their
    /// declarations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declarations: Option<DocDeclarations>,
    /// Present while applicable questions have no answer: the interview's progress, which
    /// is not a finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_questions: Option<DocOpenQuestions>,
}

/// Applicable questions still without an answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocOpenQuestions {
    pub open: usize,
    pub applicable: usize,
    /// The sentence a report shows.
    pub summary: String,
}

/// How many answers are the supplier's declarations, verified by the auditor or not.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocDeclarations {
    /// Answers that are supplier declarations the auditor has not verified.
    pub unverified: usize,
    /// Supplier declarations the auditor confirmed as their own answer.
    pub verified: usize,
    /// The sentence a report shows.
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocSupplier {
    pub id: String,
    pub name: String,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub criticality: String,
    pub criticality_label: String,
    pub contacts: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocScope {
    pub services: Vec<String>,
    pub level: Option<DocLevel>,
    /// The frameworks the questionnaire cites, by title.
    pub frameworks: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocLevel {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocQuestionnaire {
    pub id: String,
    pub name: String,
    pub version: String,
    pub sha256: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocAssessment {
    pub id: String,
    pub state: AssessmentStatus,
    pub state_label: String,
    pub date: Date,
    pub auditors: Vec<String>,
    pub created_at: String,
    pub finalized_by: Option<String>,
    pub finalized_at: Option<String>,
    pub previous_assessment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocVerdict {
    pub id: String,
    pub label: String,
    pub summary: String,
    pub severity: Severity,
    pub severity_label: String,
    pub score: Option<f64>,
    /// The questionnaire's rule that decided the verdict (its `verdict-rule` extension, as
    /// its RULES.md numbers it), when it says.
    pub rule: Option<String>,
    /// When supplier declarations the auditor has not verified stand among the answers
    /// scored: "based on 41 supplier declarations not yet verified".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

/// A status as every format shows it: a glyph and a word, never a colour alone.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocStatus {
    pub id: Status,
    pub glyph: String,
    pub label: String,
}

impl DocStatus {
    fn new(status: Status, lang: Lang) -> Self {
        DocStatus {
            id: status,
            glyph: status.glyph().to_string(),
            label: status.label(lang.id()).to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocCount {
    pub status: DocStatus,
    pub count: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocCriterion {
    pub id: String,
    pub title: String,
    pub status: DocStatus,
    pub severity: Option<Severity>,
    pub references: Vec<String>,
    pub rationale: String,
    pub score: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocFinding {
    pub id: String,
    pub severity: Severity,
    pub severity_label: String,
    pub criterion: Option<String>,
    pub criterion_title: Option<String>,
    pub title: String,
    pub recommendation: String,
    pub deadline_days: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocAction {
    pub id: String,
    pub finding_id: String,
    /// The finding's title, when the evaluation has that finding.
    pub finding_title: Option<String>,
    pub title: String,
    pub owner: Option<String>,
    pub deadline: Option<Date>,
    pub state: ActionStatus,
    pub state_label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocEvidence {
    pub id: String,
    pub question: Option<String>,
    pub kind: EvidenceKind,
    pub kind_label: String,
    pub text: String,
    pub file: Option<EvidenceFile>,
    pub effective_date: Option<Date>,
    pub expiry_date: Option<Date>,
    /// Expired on the assessment date.
    pub expired: bool,
    pub added_by: String,
    pub added_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocSection {
    /// `None` for answers to questions the questionnaire does not have.
    pub id: Option<String>,
    pub title: String,
    pub answers: Vec<DocAnswer>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocAnswer {
    pub question: String,
    pub prompt: String,
    pub references: Vec<String>,
    /// The answer as an auditor reads it; `None` when it was cleared.
    pub value: Option<String>,
    pub note: Option<String>,
    pub to_confirm: bool,
    /// False for a stored answer to a question that does not apply (with the other
    /// answers and the level): it is shown, marked, and not scored.
    pub applies: bool,
    /// Once a supplier filled a self-assessment: "declared by …, not verified" or
    /// "verified" (shown beside the answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<String>,
    /// A supplier declaration the auditor has not verified.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub declared: bool,
    pub revision: i64,
    pub updated_by: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocComparison {
    pub previous_id: String,
    pub previous_date: Date,
    pub previous_plugin_version: String,
    pub previous_plugin_sha256: String,
    pub score_before: Option<f64>,
    pub score_after: Option<f64>,
    pub verdict_before: String,
    pub verdict_after: String,
    pub answers: Vec<DocAnswerChange>,
    pub unchanged_answers: usize,
    pub to_confirm: Vec<DocQuestionRef>,
    /// Question ids of previous answers not carried over (the current questionnaire no
    /// longer has the question or accepts the value).
    pub not_carried: Vec<String>,
    pub statuses: Vec<DocStatusChange>,
    pub findings_closed: Vec<DocFindingRef>,
    pub findings_opened: Vec<DocFindingRef>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocAnswerChange {
    pub question: String,
    pub prompt: String,
    pub kind: ChangeKind,
    pub before: Option<String>,
    pub after: Option<String>,
    pub note_before: Option<String>,
    pub note_after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocQuestionRef {
    pub question: String,
    pub prompt: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocStatusChange {
    pub criterion: String,
    pub title: String,
    pub before: Option<DocStatus>,
    pub after: Option<DocStatus>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocFindingRef {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub severity_label: String,
}
