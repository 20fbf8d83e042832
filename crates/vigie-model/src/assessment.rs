//! Assessments and their records: answers, evidence, action items.

use serde::{Deserialize, Serialize};

use crate::supplier::text_enum;
use crate::{
    ActionItemId, Answer, AnswerValue, AssessmentId, Date, Evaluation, EvidenceId, SupplierId,
    Timestamp,
};

text_enum! {
    /// Whether an assessment can still change.
    AssessmentStatus {
        /// Answers, evidence and evaluation can change.
        Draft = "draft",
        /// Frozen: the final evaluation and the plugin that produced it are kept as they are.
        Final = "final",
    }
}

text_enum! {
    /// What a piece of evidence is.
    EvidenceKind {
        /// A note written by the auditor.
        Note = "note",
        /// A file, recorded by its sha256, size and path (the bytes stay outside the database).
        File = "file",
        /// A URL.
        Link = "link",
    }
}

text_enum! {
    /// Progress of an action item.
    ActionStatus {
        /// Not started.
        Open = "open",
        /// Under way.
        InProgress = "in-progress",
        /// Remedied.
        Done = "done",
    }
}

/// What is needed to start an assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAssessment {
    /// Exact supplier id.
    pub supplier_id: SupplierId,
    /// sha256 of a plugin already stored; the plugin id and version are taken from the stored
    /// blob.
    pub plugin_sha256: String,
    pub assessment_date: Date,
    /// Language of the interview and the report, e.g. `fr`.
    pub language: String,
    /// Level of the questionnaire, if it has levels.
    pub level: Option<String>,
    /// For a reassessment: the earlier assessment of the same supplier. Its answers are copied
    /// as the starting point, each marked `to_confirm`.
    pub previous_assessment: Option<AssessmentId>,
}

/// One line of the assessments list: enough to show a table without loading evaluations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssessmentSummary {
    pub id: AssessmentId,
    pub supplier_id: SupplierId,
    pub supplier_name: String,
    pub plugin_id: String,
    pub plugin_version: String,
    pub status: AssessmentStatus,
    pub auditor: String,
    pub assessment_date: Date,
    pub level: Option<String>,
    pub created_at: Timestamp,
    /// Score of the latest saved evaluation.
    pub score: Option<f64>,
    /// Verdict id of the latest saved evaluation.
    pub verdict: Option<String>,
    /// That verdict's label, in the plugin's languages.
    #[serde(default)]
    pub verdict_label: Option<crate::Localized>,
}

impl AssessmentSummary {
    /// The verdict as a list shows it: its label in `lang`, else its id (the label
    /// of an evaluation saved by an older version, or unreadable, is missing).
    pub fn verdict_text(&self, lang: impl AsRef<str>) -> Option<&str> {
        self.verdict_label
            .as_ref()
            .map(|label| label.get(lang))
            .filter(|label| !label.is_empty())
            .or(self.verdict.as_deref())
    }
}

/// An assessment with its cached and final evaluations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub id: AssessmentId,
    pub supplier_id: SupplierId,
    pub supplier_name: String,
    /// Identity of the plugin bytes that score this assessment.
    pub plugin_sha256: String,
    pub plugin_id: String,
    pub plugin_version: String,
    pub status: AssessmentStatus,
    /// Who started the assessment.
    pub auditor: String,
    pub assessment_date: Date,
    pub language: String,
    pub level: Option<String>,
    pub created_at: Timestamp,
    pub previous_assessment: Option<AssessmentId>,
    /// Cached from the latest saved evaluation (or the final evaluation).
    pub score: Option<f64>,
    pub verdict: Option<String>,
    pub evaluated_at: Option<Timestamp>,
    pub last_evaluation: Option<Evaluation>,
    pub finalized_by: Option<String>,
    pub finalized_at: Option<Timestamp>,
    /// Set once the assessment is final, never changed after.
    pub final_evaluation: Option<Evaluation>,
}

/// One answer as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredAnswer {
    pub assessment_id: AssessmentId,
    /// The question's id in the plugin's questionnaire.
    pub question: String,
    /// `None`: the answer was cleared (a note may remain).
    pub value: Option<AnswerValue>,
    pub note: Option<String>,
    /// 1 for the first write, +1 for each write after; 0 only in a write conflict, to say
    /// that there is no answer.
    pub revision: i64,
    /// Copied from the previous assessment and not yet confirmed by the auditor.
    pub to_confirm: bool,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

impl StoredAnswer {
    /// As the evaluation input, if the answer has a value.
    pub fn to_answer(&self) -> Option<Answer> {
        self.value.as_ref().map(|value| Answer {
            question: self.question.clone(),
            value: value.clone(),
            note: self.note.clone(),
        })
    }
}

/// A file given as evidence: the bytes stay where they are, the database keeps their identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// Lowercase hex sha256 of the file's bytes.
    pub sha256: String,
    pub size: u64,
    pub path: String,
}

/// A piece of evidence to add to an assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvidence {
    /// The question it supports, or `None` for the assessment as a whole.
    pub question: Option<String>,
    pub kind: EvidenceKind,
    /// The note, the URL, or a description of the file.
    pub text: String,
    /// Required for [`EvidenceKind::File`], refused for the others.
    pub file: Option<EvidenceFile>,
    /// The date the evidence speaks of (e.g. a certificate's issue date).
    pub effective_date: Option<Date>,
    /// When it stops being valid (e.g. a certificate's expiry).
    pub expiry_date: Option<Date>,
}

/// A piece of evidence as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub id: EvidenceId,
    pub assessment_id: AssessmentId,
    /// The question it supports, or `None` for the assessment as a whole.
    pub question: Option<String>,
    pub kind: EvidenceKind,
    pub text: String,
    pub file: Option<EvidenceFile>,
    pub effective_date: Option<Date>,
    pub expiry_date: Option<Date>,
    pub added_by: String,
    pub added_at: Timestamp,
}

/// An action item to add to an assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewActionItem {
    /// The finding (of the plugin's evaluation) this item remedies.
    pub finding_id: String,
    pub title: String,
    pub owner: Option<String>,
    pub deadline: Option<Date>,
}

/// Changes to an action item: `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionItemUpdate {
    pub title: Option<String>,
    /// `Some(None)` removes the owner.
    pub owner: Option<Option<String>>,
    /// `Some(None)` removes the deadline.
    pub deadline: Option<Option<Date>>,
    pub status: Option<ActionStatus>,
}

/// An action item as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: ActionItemId,
    pub assessment_id: AssessmentId,
    /// The finding (of the evaluation) it remedies.
    pub finding_id: String,
    pub title: String,
    pub owner: Option<String>,
    pub deadline: Option<Date>,
    pub status: ActionStatus,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_by: String,
    pub updated_at: Timestamp,
}
