//! Exchange files between databases (see `vigie_store::ExchangeFile`): the store writes and
//! checks them; here the plugin they carry is also loaded in the sandboxed host and checked
//! to be the plugin the file names before anything is imported, and an imported draft is
//! scored so that lists show its score.

use vigie_store::{AssessmentStatus, ExchangeError, ExchangeFile, ImportOutcome, ImportReport};

use crate::catalog::Origin;
use crate::workbench::{AppResult, Workbench};

impl Workbench {
    /// The exchange file (JSON text) of an assessment (id, prefix or short id).
    pub fn export_assessment(&self, assessment_key: &str) -> AppResult<String> {
        let a = self.store.assessment(assessment_key)?;
        Ok(self.store.export_assessment(&a.id)?.to_json()?)
    }

    /// Imports an exchange file (JSON text) in one transaction: refused with a clear error,
    /// and nothing written, when the file is malformed or tampered with, when its plugin does
    /// not load or is not the plugin it names, or when it conflicts with this database.
    pub fn import_exchange(&mut self, text: &str) -> AppResult<ImportReport> {
        let file = ExchangeFile::from_json(text)?;
        let bytes = file.plugin.bytes()?;
        let entry = self.catalog.add(&bytes, Origin::Database).map_err(|e| {
            ExchangeError::Tampered(format!("the plugin in the file does not load: {e}"))
        })?;
        if entry.plugin.id() != file.plugin.plugin_id
            || entry.plugin.version() != file.plugin.version
        {
            return Err(ExchangeError::Tampered(format!(
                "the file names its plugin {} {}, but its bytes are {} {}",
                file.plugin.plugin_id,
                file.plugin.version,
                entry.plugin.id(),
                entry.plugin.version()
            ))
            .into());
        }
        let report = self.store.import_assessment(&file)?;
        let changed = matches!(
            report.outcome,
            ImportOutcome::Created | ImportOutcome::Updated
        );
        if changed && file.assessment.status == AssessmentStatus::Draft {
            // The cached score of lists; the import stands even if scoring fails.
            let _ = self.score(&report.assessment_id);
        }
        Ok(report)
    }
}
