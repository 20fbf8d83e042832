//! The exchange file's format: its fields, reading and writing it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vigie_model::{AssessmentId, Date, Evaluation, SupplierId, Timestamp};

use super::{EXCHANGE_FORMAT, EXCHANGE_VERSION, ExchangeError};
use crate::declarations::Declaration;
use crate::error::StoreError;
use crate::types::{
    ActionItem, Assessment, AssessmentStatus, AuditEntry, Evidence, StoredAnswer, Supplier,
};

/// One assessment with everything it needs, as written to an exchange file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeFile {
    /// Always [`EXCHANGE_FORMAT`].
    pub format: String,
    /// [`EXCHANGE_VERSION`] when written by this build.
    pub version: u32,
    pub assessment: ExchangedAssessment,
    pub supplier: Supplier,
    pub plugin: ExchangedPlugin,
    /// By question id.
    pub answers: Vec<StoredAnswer>,
    /// Oldest first.
    pub evidence: Vec<Evidence>,
    /// Oldest first.
    pub action_items: Vec<ActionItem>,
    /// The assessment's audit rows in the order they were written, each as the database that
    /// wrote it recorded it (with its place in that database's hash chain).
    pub audit_trail: Vec<AuditEntry>,
    /// The supplier's audit rows (creation, changes), likewise: the carried supplier must be
    /// what the last of them recorded. Absent from version 1 files.
    #[serde(default)]
    pub supplier_trail: Vec<AuditEntry>,
    /// What the supplier declared in self-assessment workbooks, by question id, with who
    /// filled them, the workbook's sha256 and whether the auditor confirmed each. Absent from
    /// files before version 3, whose declarations are read back from their audit rows.
    #[serde(default)]
    pub declarations: Vec<Declaration>,
}

/// The recorded part of an assessment. The cached evaluation of a draft is left out: it is
/// derived from the answers and the plugin bytes, which travel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangedAssessment {
    pub id: AssessmentId,
    pub supplier_id: SupplierId,
    pub plugin_sha256: String,
    pub plugin_id: String,
    pub plugin_version: String,
    pub status: AssessmentStatus,
    pub auditor: String,
    pub assessment_date: Date,
    pub language: String,
    pub level: Option<String>,
    pub created_at: Timestamp,
    pub previous_assessment: Option<AssessmentId>,
    pub finalized_by: Option<String>,
    pub finalized_at: Option<Timestamp>,
    pub final_evaluation: Option<Evaluation>,
}

impl From<&Assessment> for ExchangedAssessment {
    fn from(a: &Assessment) -> Self {
        ExchangedAssessment {
            id: a.id.clone(),
            supplier_id: a.supplier_id.clone(),
            plugin_sha256: a.plugin_sha256.clone(),
            plugin_id: a.plugin_id.clone(),
            plugin_version: a.plugin_version.clone(),
            status: a.status,
            auditor: a.auditor.clone(),
            assessment_date: a.assessment_date,
            language: a.language.clone(),
            level: a.level.clone(),
            created_at: a.created_at.clone(),
            previous_assessment: a.previous_assessment.clone(),
            finalized_by: a.finalized_by.clone(),
            finalized_at: a.finalized_at.clone(),
            final_evaluation: a.final_evaluation.clone(),
        }
    }
}

/// The plugin that scores the assessment, bytes included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangedPlugin {
    /// Lowercase hex sha256 of the bytes.
    pub sha256: String,
    pub plugin_id: String,
    pub version: String,
    pub size: u64,
    /// The bytes, base64 (standard alphabet, padded).
    pub bytes_base64: String,
}

impl ExchangedPlugin {
    /// The plugin's bytes, decoded and checked against the sha256 and size.
    pub fn bytes(&self) -> Result<Vec<u8>, ExchangeError> {
        let bytes = BASE64.decode(self.bytes_base64.as_bytes()).map_err(|e| {
            ExchangeError::Malformed(format!("the plugin bytes are not base64: {e}"))
        })?;
        let sha = hex::encode(Sha256::digest(&bytes));
        if sha != self.sha256 {
            return Err(ExchangeError::Tampered(format!(
                "the plugin bytes have sha256 {sha}, not the {} the file declares",
                self.sha256
            )));
        }
        if bytes.len() as u64 != self.size {
            return Err(ExchangeError::Tampered(format!(
                "the plugin is {} bytes, not the {} the file declares",
                bytes.len(),
                self.size
            )));
        }
        Ok(bytes)
    }
}

impl ExchangeFile {
    /// Reads and checks an exchange file (see [`ExchangeFile::check`]).
    pub fn from_json(text: &str) -> Result<ExchangeFile, ExchangeError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ExchangeError::Malformed(format!("not JSON ({e})")))?;
        let format = value.get("format").and_then(|f| f.as_str());
        if format != Some(EXCHANGE_FORMAT) {
            return Err(ExchangeError::Malformed(match format {
                Some(f) => format!("its format is `{f}`, not `{EXCHANGE_FORMAT}`"),
                None => format!("it has no `format: \"{EXCHANGE_FORMAT}\"` field"),
            }));
        }
        let version = value
            .get("version")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| ExchangeError::Malformed("it has no numeric `version` field".into()))?;
        if version > u64::from(EXCHANGE_VERSION) {
            return Err(ExchangeError::NewerVersion {
                found: u32::try_from(version).unwrap_or(u32::MAX),
                supported: EXCHANGE_VERSION,
            });
        }
        if version == 0 {
            return Err(ExchangeError::Malformed("version 0 does not exist".into()));
        }
        let file: ExchangeFile =
            serde_json::from_value(value).map_err(|e| ExchangeError::Malformed(e.to_string()))?;
        file.check()?;
        Ok(file)
    }

    /// The file as written: pretty JSON with a final newline, the same bytes for the same data.
    pub fn to_json(&self) -> Result<String, ExchangeError> {
        let mut text = serde_json::to_string_pretty(self).map_err(|source| {
            ExchangeError::Store(StoreError::Json {
                what: "exchange file".into(),
                source,
            })
        })?;
        text.push('\n');
        Ok(text)
    }
}
