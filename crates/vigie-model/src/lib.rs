//! Vigie's domain types and the rules on them that need no I/O: questionnaires as
//! plugins describe them, answers and their parsing, applicability of questions,
//! evaluations, and dates.
//!
//! This crate must not depend on ratatui, rusqlite, wasmtime or anything that does
//! I/O: every other crate depends on it, and the plugin host maps WIT types to it.

mod answer;
mod applicability;
mod date;
mod lang;
mod questionnaire;
mod text;

pub use answer::{AnswerError, AnswerValue, PAST_DATE_EXTENSION, YES_NO_ANSWERS_EXTENSION, YesNo};
pub use applicability::{Applicability, applicable_items};
pub use date::{Date, DateError};
pub use lang::Lang;
pub use questionnaire::*;
pub use text::{
    Localized, Translation, escape_json_controls, fold_for_search, is_control_char, visible,
};
