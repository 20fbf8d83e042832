//! One auditor's session on one database: the store, the plugin catalog, and
//! the operations the CLI and the TUI share (create an assessment with a
//! plugin whose bytes travel in the database, score it, finalize it).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use vigie_model::{Answer, AnswerValue, Date, EvalContext, Evaluation, Questionnaire};
use vigie_plugin_host::{Host, Plugin, PluginError};
use vigie_store::{
    ActionItem, ActionItemUpdate, Assessment, AssessmentFilter, AssessmentSummary, AuditEntry,
    Evidence, NewActionItem, NewAssessment, NewEvidence, Store, StoreError, StoredAnswer, Supplier,
    SupplierFields,
};

use crate::catalog::{Catalog, CatalogError, Origin};
use crate::plugins::InstallOptions;
use crate::progress::{Progress, why_not_applicable};

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

/// The store and the plugins, for one auditor. Both stay private: the CLI and
/// the TUI go through the operations below, so every rule (checks on answers,
/// plugin trust, what a draft caches) holds whichever front end writes.
pub struct Workbench {
    pub(crate) store: Store,
    pub(crate) catalog: Catalog,
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

    /// A workbench on an open database that loads no plugin until one is asked for:
    /// commands on one assessment need only the plugin whose bytes it records
    /// (always stored in the database), so nothing else is compiled.
    pub fn lazy(database: crate::Database, host: Arc<Host>) -> Workbench {
        Workbench {
            store: database.store,
            catalog: Catalog::new(host),
        }
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
                assessment: assessment.id.to_string(),
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
                previous_assessment: previous.map(Into::into),
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
            // A question that does not apply takes no new answer: it would be neither
            // scored nor counted. (Its own applicability depends only on earlier
            // answers, so the new value cannot change it.) Keeping the stored value
            // while changing the note is allowed.
            let rows = self.store.answers(&assessment.id)?;
            let unchanged = rows
                .iter()
                .any(|r| r.question == question && r.value.as_ref() == Some(v));
            let progress = Progress::of_rows(questionnaire, &rows, assessment.level.as_deref());
            if !unchanged && !progress.applies(questionnaire, question) {
                return Err(AppError::Invalid(why_not_applicable(
                    questionnaire,
                    question,
                    assessment.level.as_deref(),
                )));
            }
        }
        Ok(self
            .store
            .set_answer(&assessment.id, question, value, note, base_revision)?)
    }
}

/// Reads and plain writes of the records, for the CLI and the TUI.
impl Workbench {
    /// The database file.
    pub fn path(&self) -> &Path {
        self.store.path()
    }

    /// The plugin engine this workbench runs its questionnaires on.
    pub fn host(&self) -> Arc<Host> {
        self.catalog.host().clone()
    }

    /// Who writes: recorded with every change.
    pub fn auditor(&self) -> &str {
        self.store.auditor()
    }

    /// The plugins loaded so far (read only: loading goes through the workbench).
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The plugins a new assessment can use: every loaded one but those a bundled
    /// questionnaire shadows.
    pub fn plugins_for_new_assessments(&self) -> Vec<Arc<Plugin>> {
        self.catalog
            .entries()
            .iter()
            .filter(|e| !self.catalog.is_shadowed(e))
            .map(|e| e.plugin.clone())
            .collect()
    }

    /// Moves whenever anyone (another program included) writes to the database.
    pub fn data_version(&self) -> AppResult<i64> {
        Ok(self.store.data_version()?)
    }

    /// When `flag` is set, a write waiting for another writer gives up.
    pub fn set_cancel_flag(&mut self, flag: Arc<std::sync::atomic::AtomicBool>) -> AppResult<()> {
        Ok(self.store.set_cancel_flag(flag)?)
    }

    pub fn suppliers(&self) -> AppResult<Vec<Supplier>> {
        Ok(self.store.list_suppliers()?)
    }

    pub fn supplier(&self, key: &str) -> AppResult<Supplier> {
        Ok(self.store.supplier(key)?)
    }

    pub fn add_supplier(&self, fields: &SupplierFields) -> AppResult<Supplier> {
        Ok(self.store.add_supplier(fields)?)
    }

    pub fn update_supplier(&self, id: &str, fields: &SupplierFields) -> AppResult<Supplier> {
        Ok(self.store.update_supplier(id, fields)?)
    }

    pub fn assessments(&self, filter: &AssessmentFilter) -> AppResult<Vec<AssessmentSummary>> {
        Ok(self.store.list_assessments(filter)?)
    }

    pub fn count_assessments(&self, filter: &AssessmentFilter) -> AppResult<u64> {
        Ok(self.store.count_assessments(filter)?)
    }

    /// An assessment by id or unambiguous id prefix.
    pub fn assessment(&self, key: &str) -> AppResult<Assessment> {
        Ok(self.store.assessment(key)?)
    }

    /// Every stored answer row of an assessment (declined and cleared ones too).
    pub fn answers(&self, assessment_id: &str) -> AppResult<Vec<StoredAnswer>> {
        Ok(self.store.answers(assessment_id)?)
    }

    pub fn stored_answer(
        &self,
        assessment_id: &str,
        question: &str,
    ) -> AppResult<Option<StoredAnswer>> {
        Ok(self.store.answer(assessment_id, question)?)
    }

    /// Writes many answers in one transaction (an answers file); returns how many.
    pub fn answer_many(
        &self,
        assessment_id: &str,
        rows: Vec<(String, Option<AnswerValue>, Option<String>)>,
        replace_others: bool,
    ) -> AppResult<usize> {
        Ok(self
            .store
            .set_answers_bulk(assessment_id, rows, replace_others)?)
    }

    /// Evidence of an assessment, of one question when `question` is given.
    pub fn evidence(
        &self,
        assessment_id: &str,
        question: Option<&str>,
    ) -> AppResult<Vec<Evidence>> {
        Ok(self.store.list_evidence(assessment_id, question)?)
    }

    pub fn add_evidence(&self, assessment_id: &str, evidence: &NewEvidence) -> AppResult<Evidence> {
        Ok(self.store.add_evidence(assessment_id, evidence)?)
    }

    pub fn action_items(&self, assessment_id: &str) -> AppResult<Vec<ActionItem>> {
        Ok(self.store.list_action_items(assessment_id)?)
    }

    pub fn add_action_item(
        &self,
        assessment_id: &str,
        item: &NewActionItem,
    ) -> AppResult<ActionItem> {
        Ok(self.store.add_action_item(assessment_id, item)?)
    }

    pub fn update_action_item(&self, id: &str, update: &ActionItemUpdate) -> AppResult<ActionItem> {
        Ok(self.store.update_action_item(id, update)?)
    }

    /// The audit trail of one assessment, or of the whole database.
    pub fn audit_trail(&self, assessment_id: Option<&str>) -> AppResult<Vec<AuditEntry>> {
        Ok(self.store.audit_trail(assessment_id)?)
    }

    /// The keys whose signatures this database trusts.
    pub fn trusted_keys(&self) -> AppResult<Vec<vigie_store::TrustedKey>> {
        Ok(self.store.trusted_keys()?)
    }

    /// Trusts signatures by `key` from now on (audited); only a key that was read
    /// as one ([`crate::signing::parse_public_key`]) gets here.
    pub fn add_trusted_key(
        &self,
        key: &crate::signing::ParsedKey,
        comment: &str,
    ) -> AppResult<vigie_store::TrustedKey> {
        Ok(self
            .store
            .add_trusted_key(&key.key_id, &key.public_key, comment)?)
    }

    /// Stops trusting `key_id` (audited).
    pub fn remove_trusted_key(&self, key_id: &str) -> AppResult<vigie_store::TrustedKey> {
        Ok(self.store.remove_trusted_key(key_id)?)
    }

    /// What the database records of each plugin stored in it (not the bytes).
    pub fn plugin_blobs(&self) -> AppResult<Vec<vigie_store::PluginBlobInfo>> {
        Ok(self.store.list_plugin_blobs()?)
    }

    /// Scores answers that are not stored yet (the interview's live score).
    pub fn evaluate(
        &self,
        plugin: &Plugin,
        answers: &[Answer],
        context: &EvalContext,
    ) -> AppResult<Evaluation> {
        Ok(self.catalog.host().evaluate(plugin, answers, context)?)
    }

    /// Keeps `evaluation` as a draft's last score (it feeds the assessment lists).
    pub fn cache_score(&self, assessment_id: &str, evaluation: &Evaluation) -> AppResult<()> {
        Ok(self.store.save_evaluation(assessment_id, evaluation)?)
    }
}

impl Workbench {
    /// What a supplier declared in self-assessment workbooks, confirmed or not.
    pub fn declarations(&self, assessment_id: &str) -> AppResult<Vec<vigie_store::Declaration>> {
        Ok(self.store.declarations(assessment_id)?)
    }

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
