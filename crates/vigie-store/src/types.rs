//! The rows of the store as Rust values.

use std::fmt;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};
use vigie_model::{AnswerValue, Date, Evaluation};

/// Defines a closed set of ids stored as TEXT, with `id()`, `from_id()`, `ALL` and the
/// SQLite conversions.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $id:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The id stored in the database and used on the command line.
            pub fn id(self) -> &'static str {
                match self {
                    $($name::$variant => $id),+
                }
            }

            /// The value whose id is `id`.
            pub fn from_id(id: &str) -> Option<Self> {
                match id {
                    $($id => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.id())
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.id()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                $name::from_id(text).ok_or_else(|| {
                    FromSqlError::Other(
                        format!("`{text}` is not a valid {}", stringify!($name)).into(),
                    )
                })
            }
        }
    };
}

text_enum! {
    /// How much the client depends on a supplier.
    Criticality {
        /// Easily replaced, no access to sensitive data or systems.
        Low = "low",
        /// Some dependency or access.
        Medium = "medium",
        /// Hard to replace, or access to sensitive data or systems.
        High = "high",
        /// An outage or breach at the supplier stops or endangers the client.
        Critical = "critical",
    }
}

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

/// A person to talk to at a supplier.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// The editable fields of a supplier, for [`crate::Store::add_supplier`] and
/// [`crate::Store::update_supplier`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierFields {
    /// Unique ignoring case, accents and spacing.
    pub name: String,
    pub country: Option<String>,
    pub sector: Option<String>,
    /// The services the supplier provides to the client.
    pub services: Vec<String>,
    pub contacts: Vec<Contact>,
    pub criticality: Criticality,
}

impl SupplierFields {
    /// A supplier with only a name and a criticality.
    pub fn new(name: impl Into<String>, criticality: Criticality) -> Self {
        SupplierFields {
            name: name.into(),
            country: None,
            sector: None,
            services: Vec::new(),
            contacts: Vec::new(),
            criticality,
        }
    }
}

/// A supplier as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplier {
    /// UUIDv7.
    pub id: String,
    pub name: String,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub services: Vec<String>,
    pub contacts: Vec<Contact>,
    pub criticality: Criticality,
    pub created_by: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub updated_by: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
}

impl Supplier {
    /// The editable fields, to change and pass to [`crate::Store::update_supplier`].
    pub fn fields(&self) -> SupplierFields {
        SupplierFields {
            name: self.name.clone(),
            country: self.country.clone(),
            sector: self.sector.clone(),
            services: self.services.clone(),
            contacts: self.contacts.clone(),
            criticality: self.criticality,
        }
    }
}

/// What is needed to start an assessment, for [`crate::Store::new_assessment`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAssessment {
    /// Exact supplier id (resolve names and prefixes with [`crate::Store::supplier`]).
    pub supplier_id: String,
    /// sha256 of a plugin already stored with [`crate::Store::put_plugin_blob`]; the plugin id
    /// and version are taken from the stored blob.
    pub plugin_sha256: String,
    pub assessment_date: Date,
    /// Language of the interview and the report, e.g. `fr`.
    pub language: String,
    /// Level of the questionnaire, if it has levels.
    pub level: Option<String>,
    /// For a reassessment: the earlier assessment of the same supplier. Its answers are copied
    /// as the starting point, each marked `to_confirm`.
    pub previous_assessment: Option<String>,
}

/// One line of the assessments list: enough to show a table without loading evaluations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssessmentSummary {
    pub id: String,
    pub supplier_id: String,
    pub supplier_name: String,
    pub plugin_id: String,
    pub plugin_version: String,
    pub status: AssessmentStatus,
    pub auditor: String,
    pub assessment_date: Date,
    pub level: Option<String>,
    pub created_at: String,
    /// Score of the latest saved evaluation.
    pub score: Option<f64>,
    /// Verdict id of the latest saved evaluation.
    pub verdict: Option<String>,
    /// That verdict's label, in the plugin's languages.
    #[serde(default)]
    pub verdict_label: Option<vigie_model::Localized>,
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
    pub id: String,
    pub supplier_id: String,
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
    pub created_at: String,
    pub previous_assessment: Option<String>,
    /// Cached from the latest [`crate::Store::save_evaluation`] (or the final evaluation).
    pub score: Option<f64>,
    pub verdict: Option<String>,
    pub evaluated_at: Option<String>,
    pub last_evaluation: Option<Evaluation>,
    pub finalized_by: Option<String>,
    pub finalized_at: Option<String>,
    /// Set once the assessment is final, never changed after.
    pub final_evaluation: Option<Evaluation>,
}

/// How [`crate::Store::list_assessments`] pages and filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssessmentFilter {
    /// Only this supplier's assessments (exact id).
    pub supplier_id: Option<String>,
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

/// One answer as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredAnswer {
    pub assessment_id: String,
    /// The question's id in the plugin's questionnaire.
    pub question: String,
    /// `None`: the answer was cleared (a note may remain).
    pub value: Option<AnswerValue>,
    pub note: Option<String>,
    /// 1 for the first write, +1 for each write after; 0 only in a
    /// [`crate::StoreError::Conflict`] to say that there is no answer.
    pub revision: i64,
    /// Copied from the previous assessment and not yet confirmed by the auditor.
    pub to_confirm: bool,
    pub updated_by: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
}

impl StoredAnswer {
    /// As the evaluation input, if the answer has a value.
    pub fn to_answer(&self) -> Option<vigie_model::Answer> {
        self.value.as_ref().map(|value| vigie_model::Answer {
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

/// A piece of evidence to add with [`crate::Store::add_evidence`].
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
    pub id: String,
    pub assessment_id: String,
    pub question: Option<String>,
    pub kind: EvidenceKind,
    pub text: String,
    pub file: Option<EvidenceFile>,
    pub effective_date: Option<Date>,
    pub expiry_date: Option<Date>,
    pub added_by: String,
    pub added_at: String,
}

/// An action item to add with [`crate::Store::add_action_item`].
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
    pub id: String,
    pub assessment_id: String,
    pub finding_id: String,
    pub title: String,
    pub owner: Option<String>,
    pub deadline: Option<Date>,
    pub status: ActionStatus,
    pub created_by: String,
    pub created_at: String,
    pub updated_by: String,
    pub updated_at: String,
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
