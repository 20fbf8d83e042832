//! The database alone, without plugins: the operations of commands that never
//! run a questionnaire (suppliers, lists, trusted keys, review cycles,
//! verification, backups), which must not pay for the plugin engine nor fail
//! on its settings. [`Workbench::lazy`](crate::Workbench::lazy) adds the
//! plugins to one when a command needs them.

use std::path::Path;

use vigie_model::Criticality;
use vigie_store::{
    Assessment, AssessmentFilter, AssessmentSummary, CopyReport, ReviewCycle, Store, Supplier,
    SupplierFields, TrustedKey, VerifyReport,
};

use crate::signing::ParsedKey;
use crate::workbench::AppResult;

/// One auditor's connection to one database, with no plugin loaded.
pub struct Database {
    pub(crate) store: Store,
}

impl Database {
    /// Opens (or creates) the database at `path`; `auditor` is recorded with every change.
    pub fn open(path: &Path, auditor: &str) -> AppResult<Database> {
        Ok(Database {
            store: Store::open(path, auditor)?,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        self.store.path()
    }

    pub fn suppliers(&self) -> AppResult<Vec<Supplier>> {
        Ok(self.store.list_suppliers()?)
    }

    /// A supplier by id or unambiguous id prefix.
    pub fn supplier(&self, key: &str) -> AppResult<Supplier> {
        Ok(self.store.supplier(key)?)
    }

    pub fn add_supplier(&self, fields: &SupplierFields) -> AppResult<Supplier> {
        Ok(self.store.add_supplier(fields)?)
    }

    /// An assessment by id or unambiguous id prefix.
    pub fn assessment(&self, key: &str) -> AppResult<Assessment> {
        Ok(self.store.assessment(key)?)
    }

    pub fn assessments(&self, filter: &AssessmentFilter) -> AppResult<Vec<AssessmentSummary>> {
        Ok(self.store.list_assessments(filter)?)
    }

    pub fn count_assessments(&self, filter: &AssessmentFilter) -> AppResult<u64> {
        Ok(self.store.count_assessments(filter)?)
    }

    /// An assessment as an exchange file (JSON text), with the plugin that scores it.
    pub fn export_assessment(&self, assessment_id: &str) -> AppResult<String> {
        Ok(self.store.export_assessment(assessment_id)?.to_json()?)
    }

    /// The keys whose signatures this database trusts.
    pub fn trusted_keys(&self) -> AppResult<Vec<TrustedKey>> {
        Ok(self.store.trusted_keys()?)
    }

    /// Trusts signatures by `key` from now on (audited); only a key that was read
    /// as one ([`crate::signing::parse_public_key`]) gets here.
    pub fn add_trusted_key(&self, key: &ParsedKey, comment: &str) -> AppResult<TrustedKey> {
        Ok(self
            .store
            .add_trusted_key(&key.key_id, &key.public_key, comment)?)
    }

    /// Stops trusting `key_id` (audited).
    pub fn remove_trusted_key(&self, key_id: &str) -> AppResult<TrustedKey> {
        Ok(self.store.remove_trusted_key(key_id)?)
    }

    /// The review cycle of each criticality, most critical first.
    pub fn review_cycles(&self) -> AppResult<Vec<ReviewCycle>> {
        Ok(self.store.review_cycles()?)
    }

    /// Changes how often suppliers of `criticality` are reassessed (audited).
    pub fn set_review_cycle(
        &self,
        criticality: Criticality,
        months: u32,
    ) -> AppResult<ReviewCycle> {
        Ok(self.store.set_review_cycle(criticality, months)?)
    }

    /// Checks the file (integrity, foreign keys) and the whole audit chain.
    pub fn verify(&self) -> AppResult<VerifyReport> {
        Ok(self.store.verify()?)
    }

    /// Copies the database to `file` while others keep working; refuses to
    /// overwrite an existing non-empty file.
    pub fn backup(&self, file: &Path) -> AppResult<()> {
        Ok(self.store.backup(file)?)
    }

    /// Copies the whole database into `target`, a new file or an empty PostgreSQL database
    /// (URL), its audit trail verbatim, then verifies both (see [`vigie_store::copy_store`]).
    /// `copier` is who the copy's audit row names: in a file, that name (else this
    /// database's auditor); on PostgreSQL, the role the server authenticates (a different
    /// name is refused).
    pub fn copy_to(&self, target: &str, copier: Option<&str>) -> AppResult<CopyReport> {
        Ok(vigie_store::copy_store(&self.store, target, copier)?)
    }
}
