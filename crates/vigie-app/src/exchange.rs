//! Exchange files between databases (see `vigie_store::ExchangeFile`): the store writes and
//! checks them; here the plugin they carry is also loaded in the sandboxed host and checked
//! to be the plugin the file names before anything is imported, and an imported draft is
//! scored so that lists show its score.

use vigie_store::{AssessmentStatus, ExchangeError, ExchangeFile, ImportOutcome, ImportReport};

use vigie_store::MAX_PLUGIN_BYTES;

use crate::catalog::{Catalog, Origin};
use crate::plugins::IMPORTED_FROM;
use crate::workbench::{AppError, AppResult, Workbench};

impl Workbench {
    /// The exchange file (JSON text) of an assessment (id, prefix or short id).
    pub fn export_assessment(&self, assessment_key: &str) -> AppResult<String> {
        let a = self.store.assessment(assessment_key)?;
        Ok(self.store.export_assessment(&a.id)?.to_json()?)
    }

    /// Imports an exchange file (JSON text) in one transaction: refused with a clear error,
    /// and nothing written, when the file is malformed or tampered with, when its plugin does
    /// not load or is not the plugin it names, or when it conflicts with this database.
    ///
    /// A file whose plugin is neither bundled nor stored here is refused
    /// ([`AppError::PluginNotAccepted`]): use [`Workbench::import_exchange_from`] to accept it.
    pub fn import_exchange(&mut self, text: &str) -> AppResult<ImportReport> {
        self.import_exchange_from(text, "an exchange file", false)
    }

    /// [`Workbench::import_exchange`] of the file `source` (its path, recorded as the origin
    /// of its plugin). A plugin that is neither bundled nor stored here is added only with
    /// `accept_plugins` (the caller asked the user), and passes the checks of an install:
    /// size, identity (other bytes under a stored or bundled id and version are refused) and
    /// the team's signature policy (an exchange file carries no signature). A plugin claiming
    /// a bundled id is stored to score this assessment, but stays shadowed.
    pub fn import_exchange_from(
        &mut self,
        text: &str,
        source: &str,
        accept_plugins: bool,
    ) -> AppResult<ImportReport> {
        let file = ExchangeFile::from_json(text)?;
        let declared = &file.plugin;
        let known = Catalog::is_bundled_sha(&declared.sha256)
            || self
                .store
                .list_plugin_blobs()?
                .iter()
                .any(|info| info.sha256 == declared.sha256);
        if !known {
            // The bundled plugins are the reference for identity (a lazy workbench has not
            // loaded them).
            self.catalog.load_bundled();
            // Checked on the encoded length too, before decoding: the declared size is only
            // what the file says.
            let encoded_max = (MAX_PLUGIN_BYTES / 3 + 1) * 4;
            if declared.size > MAX_PLUGIN_BYTES as u64 || declared.bytes_base64.len() > encoded_max
            {
                return Err(vigie_store::StoreError::PluginTooLarge {
                    size: declared
                        .size
                        .max(declared.bytes_base64.len() as u64 / 4 * 3),
                    max: MAX_PLUGIN_BYTES as u64,
                }
                .into());
            }
            if !accept_plugins {
                return Err(AppError::PluginNotAccepted {
                    plugin_id: declared.plugin_id.clone(),
                    version: declared.version.clone(),
                    sha256: declared.sha256.clone(),
                    size: declared.size,
                    origin: source.to_string(),
                });
            }
            if self.signatures_required()? {
                return Err(AppError::SignatureRequired {
                    plugin: format!(
                        "plugin {} {} (sha256 {}) of {source}",
                        declared.plugin_id, declared.version, declared.sha256
                    ),
                    status: "unsigned (an exchange file carries no signature: install the \
                             plugin with its signature first, then import)"
                        .to_string(),
                });
            }
        }
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
        self.check_bundled_identity(&entry.plugin)?;
        let report = self
            .store
            .import_assessment_from(&file, &format!("{IMPORTED_FROM}{source}"))?;
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
