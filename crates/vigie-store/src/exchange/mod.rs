//! Moving one assessment between database files: an exchange file carries the assessment, its
//! supplier, answers (with revisions, notes, who and when), evidence metadata, action items,
//! the assessment's audit trail and the plugin bytes that score it.
//!
//! Since version 3 it also carries the supplier's declarations (self-assessment workbooks),
//! each checked against the audit rows that recorded it; a file of an earlier version gets
//! them back from those rows.
//!
//! The file is JSON a person can read, written deterministically (fixed key order, nothing
//! about the export itself such as its time), so that export → import elsewhere → export gives
//! the same bytes.
//!
//! The module's parts: [`format`] (the file's fields, reading and writing it), [`verify`]
//! (the file against itself), [`export`] (the file of an assessment) and [`import`], which
//! first plans (what would be inserted or updated, decided by reading only; see
//! [`Store::plan_import`]) and then applies the plan in one transaction.
//!
//! Importing:
//! - keeps every id (UUIDv7 ids are unique across files) and every timestamp;
//! - is one `BEGIN IMMEDIATE` transaction: a refused import changes nothing;
//! - checks the file first: its format and version, the plugin bytes against their sha256,
//!   each audit row against its hash, and the data (the supplier included, against its own
//!   audit rows) against the last audit row that wrote it ([`ExchangeError::Tampered`]
//!   otherwise). Without a signature this detects damage and
//!   hand edits, not a forger who recomputes every hash;
//! - of the same file twice changes nothing the second time ([`ImportOutcome::Unchanged`]);
//! - of a file whose history continues the local one (the local audit rows of the assessment
//!   are the first rows of the file's) brings the local copy up to date
//!   ([`ImportOutcome::Updated`]): the auditor who worked offline comes back;
//! - of a file whose history diverged from the local one is refused with
//!   [`ExchangeError::Conflict`] naming the differences: nothing is merged.
//!
//! In the receiving database the import appends, to its own hash chain, one `import` row per
//! foreign audit row it carries (entity [`FOREIGN_AUDIT_ENTITY`], the foreign row as JSON in
//! `new`), one per foreign supplier row when the supplier is new here (entity
//! [`FOREIGN_SUPPLIER_AUDIT_ENTITY`]), and one summary row (entity
//! [`EXCHANGE_FILE_ENTITY`]). An export reads the carried rows back as they were and leaves
//! the summary out, so a file makes the round trip intact.

mod export;
mod format;
mod import;
mod verify;

use serde::Serialize;
use vigie_model::AssessmentId;

use crate::Store;
use crate::error::StoreError;
pub use format::{ExchangeFile, ExchangedAssessment, ExchangedPlugin};
pub use import::ImportPlan;

/// The `format` field of an exchange file.
pub const EXCHANGE_FORMAT: &str = "vigie-assessment-exchange";

/// The newest exchange format version this build reads and the one it writes.
pub const EXCHANGE_VERSION: u32 = 3;

/// The first exchange format version that carries the supplier's audit rows.
const SUPPLIER_TRAIL_SINCE: u32 = 2;

/// The first exchange format version that carries the supplier's declarations.
const DECLARATIONS_SINCE: u32 = 3;

/// Entity of the local audit rows that carry a foreign audit row.
pub const FOREIGN_AUDIT_ENTITY: &str = "foreign-audit";

/// Entity of the local audit rows that carry a foreign audit row of a supplier (entity id:
/// the supplier's id).
pub const FOREIGN_SUPPLIER_AUDIT_ENTITY: &str = "foreign-supplier-audit";

/// Entity of the local audit row that records an import.
pub const EXCHANGE_FILE_ENTITY: &str = "exchange-file";

/// Why an exchange file cannot be read or imported. Whatever the error, nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// Not JSON, not an exchange file, or a field missing or of the wrong type.
    #[error("not a valid Vigie exchange file: {0}")]
    Malformed(String),

    /// Written by a newer Vigie.
    #[error(
        "the exchange file uses format version {found}, newer than the {supported} this Vigie \
         reads; update Vigie to import it"
    )]
    NewerVersion { found: u32, supported: u32 },

    /// The file does not agree with itself: it was altered or damaged after it was written.
    #[error("the exchange file was altered or damaged: {0}")]
    Tampered(String),

    /// The assessment (or its supplier) exists here with a history the file does not continue.
    #[error(
        "assessment {assessment} conflicts with this database; nothing was imported:\n  - {}",
        details.join("\n  - ")
    )]
    Conflict {
        assessment: String,
        /// One line per difference, for the user.
        details: Vec<String>,
    },

    /// The assessment continues an earlier one that this database does not have.
    #[error(
        "assessment {assessment} continues assessment {previous}, which is not in this \
         database: import that one first"
    )]
    MissingPrevious {
        assessment: String,
        previous: String,
    },

    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::db::DbError> for ExchangeError {
    fn from(e: crate::db::DbError) -> Self {
        ExchangeError::Store(StoreError::from(e))
    }
}

/// What an import did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportOutcome {
    /// The assessment was new here.
    Created,
    /// The assessment was here with part of the file's history; the rest was added.
    Updated,
    /// The database already had exactly this: nothing was written.
    Unchanged,
    /// The database already had this and later changes: nothing was written.
    AlreadyNewer,
}

/// The result of [`Store::import_assessment`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub assessment_id: AssessmentId,
    pub outcome: ImportOutcome,
    /// The supplier was not in this database.
    pub supplier_added: bool,
    /// The plugin bytes were not in this database.
    pub plugin_added: bool,
    /// Answer rows written.
    pub answers: usize,
    /// Evidence rows added.
    pub evidence: usize,
    /// Action items written.
    pub action_items: usize,
    /// Supplier declarations written.
    pub declarations: usize,
    /// Foreign audit rows carried.
    pub audit_rows: usize,
}

impl Store {
    /// The exchange file of assessment `assessment_id` (exact id), read from one snapshot.
    pub fn export_assessment(&self, assessment_id: &str) -> Result<ExchangeFile, StoreError> {
        self.read(|conn| {
            let tx = conn.begin_read()?;
            export::build(&tx, assessment_id)
        })
    }

    /// What importing `file` would change here, decided from one snapshot of the database
    /// without writing anything: the same checks and refusals as
    /// [`Store::import_assessment`], which decides again inside its own transaction.
    pub fn plan_import(&self, file: &ExchangeFile) -> Result<ImportPlan, ExchangeError> {
        file.check()?;
        let bytes = file.plugin.bytes()?;
        let mut refusal: Option<ExchangeError> = None;
        let result = self.read(|conn| {
            let tx = conn.begin_read()?;
            keep_refusal(import::plan(&tx, file, bytes.len()), &mut refusal)
        });
        with_refusal(result, refusal)
    }

    /// Imports an exchange file in one transaction; see the [module docs](self) for what is
    /// refused. The file is checked again here, whoever built it.
    pub fn import_assessment(&self, file: &ExchangeFile) -> Result<ImportReport, ExchangeError> {
        self.import_assessment_from(file, "import")
    }

    /// [`Store::import_assessment`], recording `origin` (where the file came from) as the
    /// origin of its plugin when the plugin is new here. A new plugin passes the checks of
    /// [`Store::put_plugin_blob`] (size, count, identity).
    pub fn import_assessment_from(
        &self,
        file: &ExchangeFile,
        origin: &str,
    ) -> Result<ImportReport, ExchangeError> {
        file.check()?;
        let bytes = file.plugin.bytes()?;
        let mut refusal: Option<ExchangeError> = None;
        let result = self.write(|tx| {
            let outcome = import::plan(tx.conn, file, bytes.len())
                .and_then(|plan| import::apply(tx, file, &plan, &bytes, origin));
            keep_refusal(outcome, &mut refusal)
        });
        with_refusal(result, refusal)
    }
}

/// A refusal found inside a transaction is kept in `refusal` while the store rolls the
/// transaction back (the store's transactions speak [`StoreError`]).
fn keep_refusal<T>(
    outcome: Result<T, ExchangeError>,
    refusal: &mut Option<ExchangeError>,
) -> Result<T, StoreError> {
    match outcome {
        Ok(value) => Ok(value),
        Err(ExchangeError::Store(e)) => Err(e),
        Err(other) => {
            let message = other.to_string();
            *refusal = Some(other);
            Err(StoreError::Invalid(message))
        }
    }
}

/// The outcome of a transaction run with [`keep_refusal`].
fn with_refusal<T>(
    result: Result<T, StoreError>,
    refusal: Option<ExchangeError>,
) -> Result<T, ExchangeError> {
    match (result, refusal) {
        (Ok(value), _) => Ok(value),
        (Err(_), Some(refusal)) => Err(refusal),
        (Err(e), None) => Err(ExchangeError::Store(e)),
    }
}
