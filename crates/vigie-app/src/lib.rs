//! Application services shared by Vigie's command line and its TUI: the
//! plugin catalog (bundled plugins and those installed in a database), answers
//! files, and scoring an assessment end to end.
//!
//! It wires the host and the store together and must not depend on ratatui or
//! crossterm: anything the TUI and the CLI both need lives here, drawing does not.

pub mod answers_file;
pub mod catalog;
pub mod check;
pub mod workbench;

pub use answers_file::{AnswersFile, AnswersFileError};
pub use catalog::{Catalog, CatalogEntry, CatalogError, Origin};
pub use workbench::{AppError, AppResult, Workbench};
