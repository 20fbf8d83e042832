//! Vigie's domain types and the rules on them that need no I/O: questionnaires as
//! plugins describe them, answers and their parsing, applicability of questions,
//! evaluations, dates and timestamps; and the records of an assessment (suppliers,
//! assessments, answers, evidence, action items) with their typed ids.
//!
//! This crate must not depend on ratatui, rusqlite, wasmtime or anything that does
//! I/O: every other crate depends on it, and the plugin host maps WIT types to it.

#![forbid(unsafe_code)]

mod answer;
mod applicability;
mod assessment;
mod date;
mod declared;
mod ids;
mod lang;
mod prefill;
mod questionnaire;
mod supplier;
mod text;
mod timestamp;

pub use answer::{AnswerError, AnswerValue, PAST_DATE_EXTENSION, YES_NO_ANSWERS_EXTENSION, YesNo};
pub use applicability::{Applicability, applicable_items};
pub use assessment::{
    ActionItem, ActionItemUpdate, ActionStatus, Assessment, AssessmentStatus, AssessmentSummary,
    Evidence, EvidenceFile, EvidenceKind, NewActionItem, NewAssessment, NewEvidence, StoredAnswer,
};
pub use date::{Date, DateError};
pub use declared::unverified_basis;
pub use ids::{ActionItemId, AssessmentId, EvidenceId, SupplierId};
pub use lang::Lang;
pub use prefill::{EEA_CHOICE, SUPPLIER_COUNTRY_TAG, has_tag, supplier_country_choice};
pub use questionnaire::*;
pub use supplier::{Contact, Criticality, Supplier, SupplierFields};
pub use text::{
    Localized, Translation, clip_to_width, display_width, escape_json_controls, fold_for_search,
    is_control_char, pad_to_width, take_width, visible,
};
pub use timestamp::{Timestamp, TimestampError};
