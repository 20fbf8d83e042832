//! One auditor's session on one database: the store, the plugin catalog, and
//! the operations the CLI and the TUI share (create an assessment with a
//! plugin whose bytes travel in the database, score it, finalize it).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use vigie_model::{Answer, AnswerValue, Date, EvalContext, Evaluation, Questionnaire};
use vigie_plugin_host::{Host, Plugin, PluginError};
use vigie_store::{Assessment, NewAssessment, Store, StoreError, StoredAnswer};

use crate::catalog::{Catalog, CatalogError, Origin};
use crate::plugins::InstallOptions;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Plugin(#[from] PluginError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Report(#[from] vigie_report::ReportError),
    #[error(transparent)]
    Exchange(#[from] vigie_store::ExchangeError),
    #[error(
        "assessment {assessment}: the plugin that scored it (sha256 {sha256}) is neither bundled nor in the database"
    )]
    PluginMissing { assessment: String, sha256: String },
    #[error(transparent)]
    Signing(#[from] crate::signing::SigningError),
    #[error("the stored plugin {sha256} cannot be used: {reason}")]
    PluginUnusable { sha256: String, reason: String },
    #[error(
        "plugin {plugin_id} {version} (sha256 {sha256}) claims the id of a bundled questionnaire, \
         which stays the one used for new assessments; to let this plugin take its place, \
         record the decision with `vigie plugin allow-shadow {sha256}` (audited)"
    )]
    Shadowed {
        plugin_id: String,
        version: String,
        sha256: String,
    },
    #[error(
        "plugin {plugin_id} {version} (sha256 {sha256}) would take the place of the bundled \
         questionnaire {plugin_id}: refused; if that is what your team wants, install it again \
         with --allow-shadow (the decision is recorded in the audit trail)"
    )]
    WouldShadow {
        plugin_id: String,
        version: String,
        sha256: String,
    },
    #[error(
        "this database requires plugins signed by a trusted key (`vigie plugin trust-key list`), \
         and {plugin} is {status}"
    )]
    SignatureRequired { plugin: String, status: String },
    #[error("the signature does not match the plugin: {reason}; nothing was installed")]
    BadSignature { reason: String },
    #[error(
        "the file carries plugin code this database does not have: {plugin_id} {version}, \
         sha256 {sha256}, {size} bytes, from {origin}; importing it would let that code score \
         assessments here. Check where it comes from (`vigie plugin check` on its .wasm), then \
         import again with --accept-plugins; nothing was imported"
    )]
    PluginNotAccepted {
        plugin_id: String,
        version: String,
        sha256: String,
        size: u64,
        origin: String,
    },
    #[error(transparent)]
    Workbook(#[from] vigie_workbook::WorkbookError),
    #[error("{0}")]
    Invalid(String),
}

pub type AppResult<T> = Result<T, AppError>;

/// The store and the plugins, for one auditor.
pub struct Workbench {
    pub store: Store,
    pub catalog: Catalog,
}

impl Workbench {
    /// Opens (or creates) the database at `path` and loads the bundled plugins. The plugins
    /// stored in the database are loaded only when needed (see [`crate::plugins`]).
    pub fn open(path: &Path, auditor: &str, host: Arc<Host>) -> AppResult<Workbench> {
        let store = Store::open(path, auditor)?;
        let mut catalog = Catalog::new(host);
        catalog.load_bundled();
        let mut bench = Workbench { store, catalog };
        bench.refresh_shadow_decisions()?;
        Ok(bench)
    }

    /// Installs a plugin file into the database (after loading and validating
    /// it), so that everyone sharing the file can use it; see
    /// [`Workbench::install_plugin_with`] for what is refused.
    pub fn install_plugin(&mut self, bytes: &[u8], origin: &str) -> AppResult<Arc<Plugin>> {
        self.install_plugin_with(bytes, origin, &InstallOptions::default())
    }

    /// The plugin with exactly the bytes that an assessment records.
    pub fn plugin_for(&mut self, assessment: &Assessment) -> AppResult<Arc<Plugin>> {
        if let Some(entry) = self.catalog.by_sha(&assessment.plugin_sha256) {
            return Ok(entry.plugin.clone());
        }
        let bytes = self
            .store
            .plugin_blob(&assessment.plugin_sha256)
            .map_err(|_| AppError::PluginMissing {
                assessment: assessment.id.clone(),
                sha256: assessment.plugin_sha256.clone(),
            })?;
        Ok(self.catalog.add(&bytes, Origin::Database)?.plugin)
    }

    /// Creates an assessment of `supplier` with the plugin `plugin_query`
    /// (id or sha256 prefix). The plugin's bytes are stored in the database
    /// first, so the assessment can always be re-scored by them.
    pub fn new_assessment(
        &mut self,
        supplier: &str,
        plugin_query: &str,
        date: Date,
        language: &str,
        level: Option<String>,
        previous: Option<String>,
    ) -> AppResult<Assessment> {
        let supplier = self.store.supplier(supplier)?;
        let entry = self.find_plugin(plugin_query)?;
        self.check_use(&entry)?;
        let plugin = &entry.plugin;
        let levels = &plugin.questionnaire().info.levels;
        let level = match (level, levels.first()) {
            (Some(l), _) if levels.iter().any(|x| x.id == l) => Some(l),
            (Some(l), _) => {
                let known: Vec<&str> = levels.iter().map(|x| x.id.as_str()).collect();
                return Err(AppError::Invalid(if known.is_empty() {
                    format!("{} has no levels; drop --level {l}", plugin.id())
                } else {
                    format!("level `{l}` is not one of {}", known.join(", "))
                }));
            }
            // Default to the first (base) level.
            (None, Some(first)) => Some(first.id.clone()),
            (None, None) => None,
        };
        let bytes = self.plugin_bytes(plugin)?;
        if Catalog::is_bundled_sha(plugin.sha256()) {
            self.store
                .put_bundled_plugin_blob(&bytes, plugin.id(), plugin.version())?;
        } else {
            self.store.put_plugin_blob(
                &bytes,
                plugin.id(),
                plugin.version(),
                &entry.origin.to_string(),
            )?;
        }
        // A reassessment carries only the answers this plugin accepts: an answer to a
        // question it no longer has (or in a form it no longer takes) would make every
        // scoring fail. `Workbench::answers_not_carried` lists the others.
        let questionnaire = plugin.questionnaire();
        Ok(self.store.new_assessment_carrying(
            &NewAssessment {
                supplier_id: supplier.id,
                plugin_sha256: plugin.sha256().to_string(),
                assessment_date: date,
                language: language.to_string(),
                level,
                previous_assessment: previous,
            },
            &|question, value| questionnaire.accepts(question, value),
        )?)
    }

    fn plugin_bytes(&self, plugin: &Plugin) -> AppResult<Vec<u8>> {
        if let Some(b) = vigie_bundled::BUNDLED
            .iter()
            .find(|b| vigie_plugin_host::sha256_hex(b.bytes) == plugin.sha256())
        {
            return Ok(b.bytes.to_vec());
        }
        Ok(self.store.plugin_blob(plugin.sha256())?)
    }

    /// The evaluation context of an assessment.
    pub fn context(assessment: &Assessment) -> EvalContext {
        EvalContext {
            assessment_date: assessment.assessment_date,
            language: assessment.language.clone(),
            level: assessment.level.clone(),
        }
    }

    /// Scores the stored answers of an assessment and caches the result.
    pub fn score(&mut self, assessment_key: &str) -> AppResult<(Assessment, Evaluation)> {
        let assessment = self.store.assessment(assessment_key)?;
        let plugin = self.plugin_for(&assessment)?;
        // The supplier's declarations count where the auditor has no answer (see
        // `self_assessment`); the CLI and reports say how many the score rests on.
        let answers = self.scored_answers(&assessment.id)?;
        let evaluation =
            self.catalog
                .host()
                .evaluate(&plugin, &answers, &Self::context(&assessment))?;
        if assessment.status == vigie_store::AssessmentStatus::Draft {
            self.store.save_evaluation(&assessment.id, &evaluation)?;
        }
        Ok((assessment, evaluation))
    }

    /// Re-scores and freezes an assessment.
    pub fn finalize(&mut self, assessment_key: &str) -> AppResult<(Assessment, Evaluation)> {
        let (assessment, evaluation) = self.score(assessment_key)?;
        let assessment = self.store.finalize(&assessment.id, &evaluation)?;
        Ok((assessment, evaluation))
    }

    /// Checks `value` against the question and saves it with the revision the
    /// auditor saw.
    pub fn answer(
        &self,
        assessment: &Assessment,
        questionnaire: &Questionnaire,
        question: &str,
        value: Option<AnswerValue>,
        note: Option<String>,
        base_revision: Option<i64>,
    ) -> AppResult<StoredAnswer> {
        let q = questionnaire.question(question).ok_or_else(|| {
            AppError::Invalid(format!(
                "`{question}` is not a question of {}",
                questionnaire.info.id
            ))
        })?;
        if let Some(v) = &value {
            v.validate(&q.kind)
                .and_then(|()| v.check_on(q, assessment.assessment_date))
                .map_err(|e| AppError::Invalid(format!("`{question}`: {e}")))?;
        }
        Ok(self
            .store
            .set_answer(&assessment.id, question, value, note, base_revision)?)
    }
}

impl Workbench {
    /// The answers an assessment is scored on: the auditor's, and the supplier's
    /// declarations where the auditor has none.
    pub fn scored_answers(&self, assessment_id: &str) -> AppResult<Vec<Answer>> {
        Ok(self
            .effective_answers(assessment_id)?
            .into_iter()
            .map(|(a, _)| a)
            .collect())
    }
}

/// The answers (with a value) of stored rows.
pub fn answers_of(rows: &[StoredAnswer]) -> Vec<Answer> {
    rows.iter().filter_map(StoredAnswer::to_answer).collect()
}

/// Stored rows by question id.
pub fn by_question(rows: Vec<StoredAnswer>) -> HashMap<String, StoredAnswer> {
    rows.into_iter().map(|r| (r.question.clone(), r)).collect()
}
