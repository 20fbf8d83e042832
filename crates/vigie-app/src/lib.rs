//! Application services shared by Vigie's command line and its TUI: the
//! plugin catalog (bundled plugins and those installed in a database), answers
//! files, scoring an assessment end to end, reports ([`report`]), exchange files
//! between databases ([`exchange`]) and reassessments with their comparison
//! ([`reassess`]).
//!
//! It wires the host and the store together and must not depend on ratatui or
//! crossterm: anything the TUI and the CLI both need lives here, drawing does not.
//! It is the front ends' only way in: they open a [`Workbench`] (plugins loaded
//! on demand) or a [`Database`] (no plugin engine) and never the store itself.

#![forbid(unsafe_code)]

pub mod answers_file;
pub mod answers_template;
pub mod catalog;
pub mod check;
pub mod contacts;
pub mod database;
pub mod demo;
pub mod exchange;
pub mod golden;
pub mod invariants;
pub mod plugins;
pub mod portfolio;
pub mod progress;
pub mod properties;
pub mod reassess;
pub mod records;
pub mod report;
pub mod self_assessment;
pub mod signing;
pub mod workbench;

pub use answers_file::{AnswersFile, AnswersFileError};
pub use answers_template::{TemplateHeader, VALUE_SYNTAX, answers_template};
pub use catalog::{Catalog, CatalogEntry, CatalogError, Origin};
pub use database::Database;
pub use plugins::{BundledRelation, InstallOptions, StoredPlugin, StoredState};
pub use progress::Progress;
pub use signing::SignatureStatus;
pub use vigie_workbook::WorkbookError;
pub use workbench::{AppError, AppResult, Workbench};

/// Reports, comparisons and exchange files, re-exported for the CLI and the TUI.
pub use vigie_report;
pub use vigie_report::{Comparison, Format as ReportFormat, Lang as ReportLang};
pub use vigie_store::{ExchangeError, ImportOutcome, ImportReport};

/// The store's own types that the operations above take and return (filters, rows,
/// errors, limits), so the CLI and the TUI can name them while every operation goes
/// through this crate. `StoreError` is matched for its conflict (to say how to
/// overwrite knowingly); `set_default_journal` is a per-process setting that must be
/// made before any database opens (the binary's `--journal`).
pub use vigie_store::{
    AssessmentFilter, AttentionItem, AttentionKind, AuditEntry, Declaration, Journal,
    MAX_PLUGIN_BYTES, PluginBlobInfo, PortfolioFilter, PortfolioRow, PortfolioSort, ReviewCycle,
    StoreError, TrustedKey, VerifyReport, is_database_or_companion, set_default_journal, short_id,
};
/// Which engine a database runs on, and how a PostgreSQL one is named and reached
/// (`--db postgres://…`).
pub use vigie_store::{Backend, PgTarget, is_postgres_url};
