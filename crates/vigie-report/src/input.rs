//! What a report is made from: the model's records of one assessment, as the caller reads them.

use serde::{Deserialize, Serialize};
use vigie_model::{
    ActionItem, Assessment, Evaluation, Evidence, Questionnaire, StoredAnswer, Supplier,
};

use crate::Comparison;

/// Everything one report shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    pub supplier: Supplier,
    /// The assessment, which names the plugin whose bytes (by sha256) scored it.
    pub assessment: Assessment,
    pub questionnaire: Questionnaire,
    /// The final evaluation of a final assessment, else a fresh one of the current answers.
    pub evaluation: Evaluation,
    /// Every answer row, in any order (the report follows the questionnaire), the
    /// supplier's unverified declarations included.
    pub answers: Vec<StoredAnswer>,
    /// Where answers come from, by question, once a supplier filled a self-assessment
    /// (a question not listed is the auditor's).
    #[serde(default)]
    pub answer_sources: std::collections::HashMap<String, AnswerSource>,
    pub evidence: Vec<Evidence>,
    pub actions: Vec<ActionItem>,
    /// Everyone who worked on the assessment, in the order to show them.
    pub auditors: Vec<String>,
    /// What changed since the previous assessment, for a reassessment.
    pub comparison: Option<Comparison>,
}

/// A plugin's identity: its id and version as it declares them, and the sha256 of its bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginRef {
    pub id: String,
    pub version: String,
    pub sha256: String,
}

impl PluginRef {
    /// The plugin an assessment records.
    pub fn of(a: &Assessment) -> PluginRef {
        PluginRef {
            id: a.plugin_id.clone(),
            version: a.plugin_version.clone(),
            sha256: a.plugin_sha256.clone(),
        }
    }
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
