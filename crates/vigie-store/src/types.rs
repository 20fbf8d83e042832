//! The rows of the store that are about the store itself (stored plugins, the audit trail)
//! and how to query it. The domain records (suppliers, assessments, answers, evidence, action
//! items) live in `vigie-model` and are re-exported here.

use serde::{Deserialize, Serialize};
pub use vigie_model::{
    ActionItem, ActionItemId, ActionItemUpdate, ActionStatus, Assessment, AssessmentId,
    AssessmentStatus, AssessmentSummary, Contact, Criticality, Evidence, EvidenceFile, EvidenceId,
    EvidenceKind, NewActionItem, NewAssessment, NewEvidence, StoredAnswer, Supplier,
    SupplierFields, SupplierId, Timestamp,
};

/// How [`crate::Store::list_assessments`] pages and filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssessmentFilter {
    /// Only this supplier's assessments (exact id).
    pub supplier_id: Option<SupplierId>,
    /// Only assessments with this status.
    pub status: Option<AssessmentStatus>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for AssessmentFilter {
    /// The first 50, newest first, of every supplier.
    fn default() -> Self {
        AssessmentFilter {
            supplier_id: None,
            status: None,
            limit: 50,
            offset: 0,
        }
    }
}

impl AssessmentFilter {
    /// Page `offset..offset+limit` of all assessments, newest first.
    pub fn page(limit: u32, offset: u32) -> Self {
        AssessmentFilter {
            limit,
            offset,
            ..Self::default()
        }
    }
}

/// A stored plugin, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginBlobInfo {
    /// Lowercase hex sha256 of the bytes: the plugin's identity.
    pub sha256: String,
    pub size: u64,
    pub plugin_id: String,
    pub version: String,
    /// Where it came from (`bundled`, a file path...).
    pub origin: String,
    pub added_by: String,
    pub added_at: String,
}

/// One row of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// RFC 3339 UTC.
    pub at: String,
    pub who: String,
    /// e.g. `create`, `update`, `set`, `clear`, `import`, `prefill`, `finalize`, `add`.
    pub action: String,
    /// e.g. `supplier`, `assessment`, `answer`, `evidence`, `action-item`, `plugin`.
    pub entity: String,
    /// The entity's id (the question id for an answer).
    pub entity_id: String,
    pub assessment_id: Option<String>,
    /// The entity before the change, as JSON.
    pub old: Option<String>,
    /// The entity after the change, as JSON.
    pub new: Option<String>,
    /// Hex sha256 of the previous row (64 zeros for the first).
    pub prev_hash: String,
    /// Hex sha256 of this row; see [`crate::AuditRecord::hash`].
    pub hash: String,
}
