//! What a report is made from: plain values the caller fills in from wherever it keeps them.

use serde::{Deserialize, Serialize};
use vigie_model::{AnswerValue, Date, Evaluation, Questionnaire};

use crate::Comparison;

/// Everything one report shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    pub supplier: SupplierInfo,
    pub assessment: AssessmentInfo,
    /// The plugin's identity: its sha256 is what scored the assessment.
    pub plugin: PluginRef,
    pub questionnaire: Questionnaire,
    /// The final evaluation of a final assessment, else a fresh one of the current answers.
    pub evaluation: Evaluation,
    /// Every answer row, in any order (the report follows the questionnaire).
    pub answers: Vec<AnswerLine>,
    pub evidence: Vec<EvidenceLine>,
    pub actions: Vec<ActionLine>,
    /// Everyone who worked on the assessment, in the order to show them.
    pub auditors: Vec<String>,
    /// What changed since the previous assessment, for a reassessment.
    pub comparison: Option<Comparison>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierInfo {
    pub id: String,
    pub name: String,
    pub country: Option<String>,
    pub sector: Option<String>,
    /// The services in scope.
    pub services: Vec<String>,
    /// Contacts as one line each, e.g. "Name, role, email".
    pub contacts: Vec<String>,
    /// `low`, `medium`, `high` or `critical`.
    pub criticality: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssessmentState {
    Draft,
    Final,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentInfo {
    pub id: String,
    pub state: AssessmentState,
    pub assessment_date: Date,
    /// The interview's language.
    pub language: String,
    pub level: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    pub finalized_by: Option<String>,
    pub finalized_at: Option<String>,
    pub previous_assessment: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginRef {
    pub id: String,
    pub version: String,
    pub sha256: String,
}

/// Where an answer comes from, once a supplier has filled a self-assessment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum AnswerSource {
    /// The auditor's own answer.
    #[default]
    Auditor,
    /// The supplier's declaration, not verified by the auditor yet.
    Declared { respondent: String },
    /// The supplier's declaration, confirmed by the auditor as their own answer.
    Verified { respondent: String },
}

/// One answer row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerLine {
    pub question: String,
    /// `None`: the answer was cleared.
    pub value: Option<AnswerValue>,
    pub note: Option<String>,
    pub revision: i64,
    /// Copied from the previous assessment and not confirmed yet.
    pub to_confirm: bool,
    pub updated_by: String,
    /// RFC 3339.
    pub updated_at: String,
    #[serde(default)]
    pub source: AnswerSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    Note,
    File,
    Link,
}

/// A file given as evidence: its identity, not its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFileRef {
    pub sha256: String,
    pub size: u64,
    pub path: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceLine {
    pub id: String,
    /// The question it supports, or `None` for the assessment as a whole.
    pub question: Option<String>,
    pub kind: EvidenceKind,
    pub text: String,
    pub file: Option<EvidenceFileRef>,
    pub effective_date: Option<Date>,
    pub expiry_date: Option<Date>,
    pub added_by: String,
    pub added_at: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionState {
    Open,
    InProgress,
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionLine {
    pub id: String,
    /// The finding (of the evaluation) it remedies.
    pub finding_id: String,
    pub title: String,
    pub owner: Option<String>,
    pub deadline: Option<Date>,
    pub state: ActionState,
}
