//! Moving one assessment between database files: an exchange file carries the assessment, its
//! supplier, answers (with revisions, notes, who and when), evidence metadata, action items,
//! the assessment's audit trail and the plugin bytes that score it.
//!
//! The file is JSON a person can read, written deterministically (fixed key order, nothing
//! about the export itself such as its time), so that export → import elsewhere → export gives
//! the same bytes.
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

use std::collections::{BTreeMap, BTreeSet, HashSet};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vigie_model::{Date, Evaluation};

use crate::assessments::{
    SELECT_ANSWER, answer_audit_json, answer_row, get_assessment, upsert_answer,
};
use crate::audit::AuditRecord;
use crate::error::StoreError;
use crate::records::{
    NewPluginKind, SELECT_ACTION, SELECT_AUDIT, SELECT_EVIDENCE, action_row, audit_row,
    check_new_plugin, evidence_row,
};
use crate::suppliers::{get_by_id as get_supplier, name_key};
use crate::types::{
    ActionItem, Assessment, AssessmentStatus, AuditEntry, Evidence, StoredAnswer, Supplier,
};
use crate::{Store, Tx, to_json};

/// The `format` field of an exchange file.
pub const EXCHANGE_FORMAT: &str = "vigie-assessment-exchange";

/// The newest exchange format version this build reads and the one it writes.
pub const EXCHANGE_VERSION: u32 = 2;

/// The first exchange format version that carries the supplier's audit rows.
const SUPPLIER_TRAIL_SINCE: u32 = 2;

/// Entity of the local audit rows that carry a foreign audit row.
pub const FOREIGN_AUDIT_ENTITY: &str = "foreign-audit";

/// Entity of the local audit rows that carry a foreign audit row of a supplier (entity id:
/// the supplier's id).
pub const FOREIGN_SUPPLIER_AUDIT_ENTITY: &str = "foreign-supplier-audit";

/// Entity of the local audit row that records an import.
pub const EXCHANGE_FILE_ENTITY: &str = "exchange-file";

/// One assessment with everything it needs, as written to an exchange file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeFile {
    /// Always [`EXCHANGE_FORMAT`].
    pub format: String,
    /// [`EXCHANGE_VERSION`] when written by this build.
    pub version: u32,
    pub assessment: ExchangedAssessment,
    pub supplier: Supplier,
    pub plugin: ExchangedPlugin,
    /// By question id.
    pub answers: Vec<StoredAnswer>,
    /// Oldest first.
    pub evidence: Vec<Evidence>,
    /// Oldest first.
    pub action_items: Vec<ActionItem>,
    /// The assessment's audit rows in the order they were written, each as the database that
    /// wrote it recorded it (with its place in that database's hash chain).
    pub audit_trail: Vec<AuditEntry>,
    /// The supplier's audit rows (creation, changes), likewise: the carried supplier must be
    /// what the last of them recorded. Absent from version 1 files.
    #[serde(default)]
    pub supplier_trail: Vec<AuditEntry>,
}

/// The recorded part of an assessment. The cached evaluation of a draft is left out: it is
/// derived from the answers and the plugin bytes, which travel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangedAssessment {
    pub id: String,
    pub supplier_id: String,
    pub plugin_sha256: String,
    pub plugin_id: String,
    pub plugin_version: String,
    pub status: AssessmentStatus,
    pub auditor: String,
    pub assessment_date: Date,
    pub language: String,
    pub level: Option<String>,
    pub created_at: String,
    pub previous_assessment: Option<String>,
    pub finalized_by: Option<String>,
    pub finalized_at: Option<String>,
    pub final_evaluation: Option<Evaluation>,
}

impl From<&Assessment> for ExchangedAssessment {
    fn from(a: &Assessment) -> Self {
        ExchangedAssessment {
            id: a.id.clone(),
            supplier_id: a.supplier_id.clone(),
            plugin_sha256: a.plugin_sha256.clone(),
            plugin_id: a.plugin_id.clone(),
            plugin_version: a.plugin_version.clone(),
            status: a.status,
            auditor: a.auditor.clone(),
            assessment_date: a.assessment_date,
            language: a.language.clone(),
            level: a.level.clone(),
            created_at: a.created_at.clone(),
            previous_assessment: a.previous_assessment.clone(),
            finalized_by: a.finalized_by.clone(),
            finalized_at: a.finalized_at.clone(),
            final_evaluation: a.final_evaluation.clone(),
        }
    }
}

/// The plugin that scores the assessment, bytes included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangedPlugin {
    /// Lowercase hex sha256 of the bytes.
    pub sha256: String,
    pub plugin_id: String,
    pub version: String,
    pub size: u64,
    /// The bytes, base64 (standard alphabet, padded).
    pub bytes_base64: String,
}

impl ExchangedPlugin {
    /// The plugin's bytes, decoded and checked against the sha256 and size.
    pub fn bytes(&self) -> Result<Vec<u8>, ExchangeError> {
        let bytes = BASE64.decode(self.bytes_base64.as_bytes()).map_err(|e| {
            ExchangeError::Malformed(format!("the plugin bytes are not base64: {e}"))
        })?;
        let sha = hex::encode(Sha256::digest(&bytes));
        if sha != self.sha256 {
            return Err(ExchangeError::Tampered(format!(
                "the plugin bytes have sha256 {sha}, not the {} the file declares",
                self.sha256
            )));
        }
        if bytes.len() as u64 != self.size {
            return Err(ExchangeError::Tampered(format!(
                "the plugin is {} bytes, not the {} the file declares",
                bytes.len(),
                self.size
            )));
        }
        Ok(bytes)
    }
}

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

impl From<rusqlite::Error> for ExchangeError {
    fn from(e: rusqlite::Error) -> Self {
        ExchangeError::Store(StoreError::Sqlite(e))
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
    pub assessment_id: String,
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
    /// Foreign audit rows carried.
    pub audit_rows: usize,
}

impl ExchangeFile {
    /// Reads and checks an exchange file (see [`ExchangeFile::check`]).
    pub fn from_json(text: &str) -> Result<ExchangeFile, ExchangeError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ExchangeError::Malformed(format!("not JSON ({e})")))?;
        let format = value.get("format").and_then(|f| f.as_str());
        if format != Some(EXCHANGE_FORMAT) {
            return Err(ExchangeError::Malformed(match format {
                Some(f) => format!("its format is `{f}`, not `{EXCHANGE_FORMAT}`"),
                None => format!("it has no `format: \"{EXCHANGE_FORMAT}\"` field"),
            }));
        }
        let version = value
            .get("version")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| ExchangeError::Malformed("it has no numeric `version` field".into()))?;
        if version > u64::from(EXCHANGE_VERSION) {
            return Err(ExchangeError::NewerVersion {
                found: u32::try_from(version).unwrap_or(u32::MAX),
                supported: EXCHANGE_VERSION,
            });
        }
        if version == 0 {
            return Err(ExchangeError::Malformed("version 0 does not exist".into()));
        }
        let file: ExchangeFile =
            serde_json::from_value(value).map_err(|e| ExchangeError::Malformed(e.to_string()))?;
        file.check()?;
        Ok(file)
    }

    /// The file as written: pretty JSON with a final newline, the same bytes for the same data.
    pub fn to_json(&self) -> Result<String, ExchangeError> {
        let mut text = serde_json::to_string_pretty(self).map_err(|source| {
            ExchangeError::Store(StoreError::Json {
                what: "exchange file".into(),
                source,
            })
        })?;
        text.push('\n');
        Ok(text)
    }

    /// Checks that the file agrees with itself: format and version; the plugin bytes against
    /// their sha256; every row belongs to the assessment; every audit row against its hash;
    /// every answer, piece of evidence and action item against the last audit row that wrote
    /// it, and every one the trail mentions is present.
    pub fn check(&self) -> Result<(), ExchangeError> {
        let tampered = |m: String| Err(ExchangeError::Tampered(m));
        if self.format != EXCHANGE_FORMAT {
            return Err(ExchangeError::Malformed(format!(
                "its format is `{}`, not `{EXCHANGE_FORMAT}`",
                self.format
            )));
        }
        if self.version > EXCHANGE_VERSION {
            return Err(ExchangeError::NewerVersion {
                found: self.version,
                supported: EXCHANGE_VERSION,
            });
        }
        let a = &self.assessment;
        let id = a.id.as_str();
        if id.trim().is_empty() {
            return Err(ExchangeError::Malformed("the assessment has no id".into()));
        }
        self.plugin.bytes()?;
        if a.plugin_sha256 != self.plugin.sha256 {
            return tampered(format!(
                "the assessment records plugin {} but the file carries plugin {}",
                a.plugin_sha256, self.plugin.sha256
            ));
        }
        if a.plugin_id != self.plugin.plugin_id || a.plugin_version != self.plugin.version {
            return tampered(format!(
                "the assessment records plugin {} {} but the file carries {} {}",
                a.plugin_id, a.plugin_version, self.plugin.plugin_id, self.plugin.version
            ));
        }
        if a.supplier_id != self.supplier.id {
            return tampered(format!(
                "the assessment is of supplier {} but the file carries supplier {}",
                a.supplier_id, self.supplier.id
            ));
        }
        match (a.status, &a.final_evaluation, &a.finalized_at) {
            (AssessmentStatus::Final, Some(_), Some(_)) | (AssessmentStatus::Draft, None, None) => {
            }
            _ => {
                return tampered(format!(
                    "assessment {id} is {} but its final evaluation says otherwise",
                    a.status
                ));
            }
        }
        let foreign = |what: &str, owner: &str| {
            tampered(format!("{what} belongs to assessment {owner}, not to {id}"))
        };
        for x in &self.answers {
            if x.assessment_id != id {
                return foreign(&format!("the answer to {}", x.question), &x.assessment_id);
            }
        }
        for x in &self.evidence {
            if x.assessment_id != id {
                return foreign(&format!("evidence {}", x.id), &x.assessment_id);
            }
        }
        for x in &self.action_items {
            if x.assessment_id != id {
                return foreign(&format!("action item {}", x.id), &x.assessment_id);
            }
        }
        check_trail(id, &self.audit_trail)?;
        self.check_supplier_trail()?;
        self.check_data_against_trail()
    }

    /// The supplier against its own audit rows: each row one of this supplier's and sound,
    /// the carried record the one the last row wrote.
    fn check_supplier_trail(&self) -> Result<(), ExchangeError> {
        let tampered = |m: String| Err(ExchangeError::Tampered(m));
        let sid = self.supplier.id.as_str();
        let Some(last) = self.supplier_trail.last() else {
            if self.version >= SUPPLIER_TRAIL_SINCE {
                return tampered(format!("the file carries no audit row for supplier {sid}"));
            }
            return Ok(());
        };
        check_rows(&format!("supplier {sid}"), &self.supplier_trail, |row| {
            row.entity == "supplier" && row.entity_id == sid && row.assessment_id.is_none()
        })?;
        let recorded: serde_json::Value = parse_json("a supplier audit row", last.new.as_deref())?;
        let carried = json_value("supplier", &self.supplier)?;
        if recorded != carried {
            return tampered(format!(
                "supplier {sid} is not what its last audit row (seq {}) recorded",
                last.seq
            ));
        }
        Ok(())
    }

    fn check_data_against_trail(&self) -> Result<(), ExchangeError> {
        let id = self.assessment.id.as_str();
        // The last row that wrote each entity, by (entity, entity id).
        let mut last: BTreeMap<(&str, &str), &AuditEntry> = BTreeMap::new();
        let mut created = None;
        let mut finalized = None;
        for row in &self.audit_trail {
            last.insert((row.entity.as_str(), row.entity_id.as_str()), row);
            if row.entity == "assessment" && row.entity_id == id {
                match row.action.as_str() {
                    "create" => created = Some(row),
                    "finalize" => finalized = Some(row),
                    _ => {}
                }
            }
        }
        let tampered = |m: String| Err(ExchangeError::Tampered(m));
        let Some(created) = created else {
            return tampered(format!(
                "the audit trail does not record the creation of assessment {id}"
            ));
        };
        let a = &self.assessment;
        if a.created_at != created.at {
            return tampered(format!(
                "the assessment's created_at ({}) is not the time of its creation row (seq {}, {})",
                a.created_at, created.seq, created.at
            ));
        }
        let seq = created.seq;
        let created: serde_json::Value = parse_json("the creation row", created.new.as_deref())?;
        for (field, value) in [
            ("supplier_id", Some(a.supplier_id.as_str())),
            ("plugin_sha256", Some(a.plugin_sha256.as_str())),
            ("plugin_id", Some(a.plugin_id.as_str())),
            ("plugin_version", Some(a.plugin_version.as_str())),
            ("auditor", Some(a.auditor.as_str())),
            ("language", Some(a.language.as_str())),
            ("level", a.level.as_deref()),
            ("previous_assessment", a.previous_assessment.as_deref()),
        ] {
            if created.get(field).and_then(|v| v.as_str()) != value {
                return tampered(format!(
                    "the assessment's {field} is not the one recorded when it was created (audit seq {seq})"
                ));
            }
        }
        if created.get("assessment_date").and_then(|v| v.as_str())
            != Some(a.assessment_date.to_string().as_str())
        {
            return tampered(
                "the assessment date is not the one recorded when it was created".into(),
            );
        }
        if finalized.is_some() != (a.status == AssessmentStatus::Final) {
            return tampered(format!(
                "assessment {id} is {} but its audit trail says otherwise",
                a.status
            ));
        }
        if let Some(row) = finalized {
            // The frozen result is what clients read: it must be the one
            // the finalize row recorded, by the auditor and at the time it names.
            let recorded: serde_json::Value = parse_json("the finalize row", row.new.as_deref())?;
            let carried = json_value("final evaluation", &a.final_evaluation)?;
            if recorded.get("evaluation") != Some(&carried) {
                return tampered(format!(
                    "the final evaluation of assessment {id} is not the one its finalize row (seq {}) recorded",
                    row.seq
                ));
            }
            if a.finalized_by.as_deref() != Some(row.who.as_str())
                || a.finalized_at.as_deref() != Some(row.at.as_str())
            {
                return tampered(format!(
                    "who finalized assessment {id}, or when, is not what its finalize row (seq {}) recorded",
                    row.seq
                ));
            }
        }

        let mut expected: BTreeSet<(&str, &str)> = last
            .keys()
            .filter(|(entity, _)| matches!(*entity, "answer" | "evidence" | "action-item"))
            .copied()
            .collect();
        for answer in &self.answers {
            let key = ("answer", answer.question.as_str());
            expected.remove(&key);
            let recorded = last.get(&key).ok_or_else(|| {
                ExchangeError::Tampered(format!(
                    "the answer to {} appears in no audit row",
                    answer.question
                ))
            })?;
            let want: serde_json::Value =
                parse_json("an answer", Some(&answer_audit_json(answer)?))?;
            let got: serde_json::Value = parse_json("an audit row", recorded.new.as_deref())?;
            if want != got {
                return tampered(format!(
                    "the answer to {} is not what its last audit row (seq {}) recorded",
                    answer.question, recorded.seq
                ));
            }
        }
        for evidence in &self.evidence {
            let key = ("evidence", evidence.id.as_str());
            expected.remove(&key);
            check_recorded(&last, key, evidence, "evidence")?;
        }
        for item in &self.action_items {
            let key = ("action-item", item.id.as_str());
            expected.remove(&key);
            check_recorded(&last, key, item, "action item")?;
        }
        if let Some((entity, entity_id)) = expected.into_iter().next() {
            return tampered(format!(
                "the audit trail records {entity} {entity_id}, which the file does not carry"
            ));
        }
        Ok(())
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(
    what: &str,
    text: Option<&str>,
) -> Result<T, ExchangeError> {
    let text = text.ok_or_else(|| ExchangeError::Tampered(format!("{what} has no content")))?;
    serde_json::from_str(text)
        .map_err(|e| ExchangeError::Tampered(format!("{what} holds bad JSON ({e})")))
}

/// `value` as JSON, to compare with what an audit row recorded.
fn json_value<T: Serialize>(what: &str, value: &T) -> Result<serde_json::Value, ExchangeError> {
    serde_json::to_value(value).map_err(|source| {
        ExchangeError::Store(StoreError::Json {
            what: what.to_string(),
            source,
        })
    })
}

fn check_recorded<T: Serialize>(
    last: &BTreeMap<(&str, &str), &AuditEntry>,
    key: (&str, &str),
    value: &T,
    what: &str,
) -> Result<(), ExchangeError> {
    let recorded = last.get(&key).ok_or_else(|| {
        ExchangeError::Tampered(format!("{what} {} appears in no audit row", key.1))
    })?;
    let want = json_value(what, value)?;
    let got: serde_json::Value = parse_json("an audit row", recorded.new.as_deref())?;
    if want != got {
        return Err(ExchangeError::Tampered(format!(
            "{what} {} is not what its last audit row (seq {}) recorded",
            key.1, recorded.seq
        )));
    }
    Ok(())
}

/// Every row is one of the assessment's, matches its hash, and appears once.
fn check_trail(id: &str, rows: &[AuditEntry]) -> Result<(), ExchangeError> {
    check_rows(&format!("assessment {id}"), rows, |row| {
        row.assessment_id.as_deref() == Some(id)
    })
}

/// Every row is one of `owner`'s (`belongs`), matches its hash, and appears once.
fn check_rows(
    owner: &str,
    rows: &[AuditEntry],
    belongs: impl Fn(&AuditEntry) -> bool,
) -> Result<(), ExchangeError> {
    let mut seen = HashSet::new();
    for row in rows {
        if !belongs(row) {
            return Err(ExchangeError::Tampered(format!(
                "audit row {} ({} {} {}) is not a row of {owner}",
                row.seq, row.action, row.entity, row.entity_id
            )));
        }
        if !audit_row_verifies(row) {
            return Err(ExchangeError::Tampered(format!(
                "audit row {} ({} {} {} by {} at {}) does not match its hash",
                row.seq, row.action, row.entity, row.entity_id, row.who, row.at
            )));
        }
        if !seen.insert(row.hash.as_str()) {
            return Err(ExchangeError::Tampered(format!(
                "audit row {} appears twice",
                row.seq
            )));
        }
    }
    Ok(())
}

/// Whether a row's hash is the hash of its content chained to its `prev_hash`.
fn audit_row_verifies(row: &AuditEntry) -> bool {
    let Ok(prev) = hex::decode(&row.prev_hash) else {
        return false;
    };
    let Ok(prev) = <[u8; 32]>::try_from(prev.as_slice()) else {
        return false;
    };
    let record = AuditRecord {
        seq: row.seq,
        at: &row.at,
        who: &row.who,
        action: &row.action,
        entity: &row.entity,
        entity_id: &row.entity_id,
        assessment_id: row.assessment_id.as_deref(),
        old: row.old.as_deref(),
        new: row.new.as_deref(),
    };
    hex::encode(record.hash(&prev)) == row.hash
}

/// The assessment's audit rows as an export shows them: rows carried from another database
/// read back as that database wrote them, import summaries left out.
fn trail_view(conn: &Connection, id: &str) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_AUDIT} WHERE assessment_id = ?1 ORDER BY seq"
    ))?;
    let rows = stmt
        .query_map([id], audit_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut view = Vec::with_capacity(rows.len());
    for row in rows {
        if row.action == "import" && row.entity == EXCHANGE_FILE_ENTITY {
            continue;
        }
        if row.action == "import" && row.entity == FOREIGN_AUDIT_ENTITY {
            let text = row.new.as_deref().unwrap_or("null");
            let foreign: AuditEntry =
                serde_json::from_str(text).map_err(|source| StoreError::Json {
                    what: format!("carried audit row {}", row.seq),
                    source,
                })?;
            view.push(foreign);
        } else {
            view.push(row);
        }
    }
    Ok(view)
}

/// The supplier's audit rows as an export shows them: its own rows, and the rows an import
/// carried from another database read back as that database wrote them.
fn supplier_trail_view(conn: &Connection, supplier: &str) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_AUDIT} WHERE entity_id = ?1 AND assessment_id IS NULL \
         AND entity IN ('supplier', ?2) ORDER BY seq"
    ))?;
    let rows = stmt
        .query_map(params![supplier, FOREIGN_SUPPLIER_AUDIT_ENTITY], audit_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|row| {
            if row.entity != FOREIGN_SUPPLIER_AUDIT_ENTITY {
                return Ok(row);
            }
            let text = row.new.as_deref().unwrap_or("null");
            serde_json::from_str(text).map_err(|source| StoreError::Json {
                what: format!("carried supplier audit row {}", row.seq),
                source,
            })
        })
        .collect()
}

fn answers_of(conn: &Connection, id: &str) -> Result<Vec<StoredAnswer>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_ANSWER} WHERE assessment_id = ?1 ORDER BY question_id"
    ))?;
    let rows = stmt.query_map([id], answer_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn evidence_of(conn: &Connection, id: &str) -> Result<Vec<Evidence>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_EVIDENCE} WHERE assessment_id = ?1 ORDER BY added_at, id"
    ))?;
    let rows = stmt.query_map([id], evidence_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn actions_of(conn: &Connection, id: &str) -> Result<Vec<ActionItem>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_ACTION} WHERE assessment_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([id], action_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Builds the exchange file of assessment `id` from one consistent view of the database.
fn build(conn: &Connection, id: &str) -> Result<ExchangeFile, StoreError> {
    let assessment = get_assessment(conn, id)?;
    let supplier =
        get_supplier(conn, &assessment.supplier_id)?.ok_or_else(|| StoreError::NotFound {
            kind: "supplier",
            key: assessment.supplier_id.clone(),
        })?;
    let (plugin_id, version, bytes): (String, String, Vec<u8>) = conn
        .query_row(
            "SELECT plugin_id, version, bytes FROM plugin_blobs WHERE sha256 = ?1",
            [&assessment.plugin_sha256],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            kind: "stored plugin",
            key: assessment.plugin_sha256.clone(),
        })?;
    if hex::encode(Sha256::digest(&bytes)) != assessment.plugin_sha256 {
        return Err(StoreError::Invalid(format!(
            "the stored plugin {} does not match its sha256: the database is damaged",
            assessment.plugin_sha256
        )));
    }
    Ok(ExchangeFile {
        format: EXCHANGE_FORMAT.to_string(),
        version: EXCHANGE_VERSION,
        assessment: ExchangedAssessment::from(&assessment),
        supplier,
        plugin: ExchangedPlugin {
            sha256: assessment.plugin_sha256.clone(),
            plugin_id,
            version,
            size: bytes.len() as u64,
            bytes_base64: BASE64.encode(&bytes),
        },
        answers: answers_of(conn, id)?,
        evidence: evidence_of(conn, id)?,
        action_items: actions_of(conn, id)?,
        audit_trail: trail_view(conn, id)?,
        supplier_trail: supplier_trail_view(conn, &assessment.supplier_id)?,
    })
}

/// Differences between two suppliers, field by field, for a conflict message.
fn supplier_differences(local: &Supplier, file: &Supplier) -> Vec<String> {
    let mut out = Vec::new();
    let mut diff = |field: &str, a: String, b: String| {
        if a != b {
            out.push(format!(
                "supplier {}: {field} is {a} here, {b} in the file",
                local.id
            ));
        }
    };
    diff(
        "name",
        format!("{:?}", local.name),
        format!("{:?}", file.name),
    );
    diff(
        "country",
        format!("{:?}", local.country),
        format!("{:?}", file.country),
    );
    diff(
        "sector",
        format!("{:?}", local.sector),
        format!("{:?}", file.sector),
    );
    diff(
        "services",
        format!("{:?}", local.services),
        format!("{:?}", file.services),
    );
    diff(
        "contacts",
        format!("{:?}", local.contacts),
        format!("{:?}", file.contacts),
    );
    diff(
        "criticality",
        local.criticality.to_string(),
        file.criticality.to_string(),
    );
    diff(
        "last change",
        format!("by {} at {}", local.updated_by, local.updated_at),
        format!("by {} at {}", file.updated_by, file.updated_at),
    );
    out
}

/// Describes an audit row for a person.
fn describe(row: &AuditEntry) -> String {
    format!(
        "{} {} {} by {} at {}",
        row.action, row.entity, row.entity_id, row.who, row.at
    )
}

fn conflict(assessment: &str, details: Vec<String>) -> ExchangeError {
    ExchangeError::Conflict {
        assessment: assessment.to_string(),
        details,
    }
}

impl Store {
    /// The exchange file of assessment `assessment_id` (exact id), read from one snapshot.
    pub fn export_assessment(&self, assessment_id: &str) -> Result<ExchangeFile, StoreError> {
        self.read(|conn| {
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Deferred)?;
            build(&tx, assessment_id)
        })
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
        // A refusal found inside the transaction is kept here while the transaction rolls back.
        let mut refusal: Option<ExchangeError> = None;
        let result = self.write(|tx| match import_in(tx, file, &bytes, origin) {
            Ok(report) => Ok(report),
            Err(ExchangeError::Store(e)) => Err(e),
            Err(other) => {
                let message = other.to_string();
                refusal = Some(other);
                Err(StoreError::Invalid(message))
            }
        });
        match (result, refusal) {
            (Ok(report), _) => Ok(report),
            (Err(_), Some(refusal)) => Err(refusal),
            (Err(e), None) => Err(ExchangeError::Store(e)),
        }
    }
}

fn import_in(
    tx: &mut Tx<'_>,
    file: &ExchangeFile,
    bytes: &[u8],
    origin: &str,
) -> Result<ImportReport, ExchangeError> {
    let a = &file.assessment;
    let id = a.id.as_str();
    let mut report = ImportReport {
        assessment_id: id.to_string(),
        outcome: ImportOutcome::Unchanged,
        supplier_added: false,
        plugin_added: false,
        answers: 0,
        evidence: 0,
        action_items: 0,
        audit_rows: 0,
    };

    // The plugin: content-addressed, so the same sha256 is the same bytes.
    let stored: Option<(String, String)> = tx
        .conn
        .query_row(
            "SELECT plugin_id, version FROM plugin_blobs WHERE sha256 = ?1",
            [&file.plugin.sha256],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let plugin_missing = match stored {
        Some((pid, version)) => {
            if pid != file.plugin.plugin_id || version != file.plugin.version {
                return Err(ExchangeError::Tampered(format!(
                    "the file names its plugin {} {}, but these bytes are stored here as {pid} \
                     {version}",
                    file.plugin.plugin_id, file.plugin.version
                )));
            }
            false
        }
        None => {
            check_new_plugin(
                tx.conn,
                &file.plugin.sha256,
                &file.plugin.plugin_id,
                &file.plugin.version,
                bytes.len(),
                NewPluginKind::Installed,
            )?;
            true
        }
    };

    if let Some(previous) = &a.previous_assessment {
        let present: Option<i64> = tx
            .conn
            .query_row("SELECT 1 FROM assessments WHERE id = ?1", [previous], |r| {
                r.get(0)
            })
            .optional()?;
        if present.is_none() {
            return Err(ExchangeError::MissingPrevious {
                assessment: id.to_string(),
                previous: previous.clone(),
            });
        }
    }

    let local = match get_assessment(tx.conn, id) {
        Ok(local) => Some(local),
        Err(StoreError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };

    // Decide what to write before writing anything.
    let carried_from = match &local {
        None => 0,
        Some(local) => {
            let here = build(tx.conn, id)?;
            let mut details = Vec::new();
            let ours = ExchangedAssessment::from(local);
            if ours.supplier_id != a.supplier_id
                || ours.plugin_sha256 != a.plugin_sha256
                || ours.assessment_date != a.assessment_date
                || ours.created_at != a.created_at
                || ours.language != a.language
                || ours.level != a.level
                || ours.previous_assessment != a.previous_assessment
            {
                details.push(format!(
                    "assessment {id} here is not the assessment of the file (supplier, plugin, \
                     date or level differ)"
                ));
            }
            let theirs = &file.audit_trail;
            if details.is_empty()
                && theirs.len() < here.audit_trail.len()
                && theirs
                    .iter()
                    .zip(&here.audit_trail)
                    .all(|(t, h)| t.hash == h.hash)
            {
                report.outcome = ImportOutcome::AlreadyNewer;
                return Ok(report);
            }
            let mut diverged = false;
            for (i, row) in here.audit_trail.iter().enumerate() {
                match theirs.get(i) {
                    Some(t) if t.hash == row.hash => {}
                    _ => {
                        diverged = true;
                        details.push(format!(
                            "this database has a change the file does not: {}",
                            describe(row)
                        ));
                        if details.len() >= 10 {
                            break;
                        }
                    }
                }
            }
            if diverged {
                let known: HashSet<&str> =
                    here.audit_trail.iter().map(|r| r.hash.as_str()).collect();
                if let Some(row) = theirs.iter().find(|r| !known.contains(r.hash.as_str())) {
                    details.push(format!(
                        "the file has a change this database does not: {}",
                        describe(row)
                    ));
                }
                let local_answers: BTreeMap<&str, &StoredAnswer> = here
                    .answers
                    .iter()
                    .map(|x| (x.question.as_str(), x))
                    .collect();
                for answer in &file.answers {
                    if let Some(mine) = local_answers.get(answer.question.as_str())
                        && (mine.value != answer.value || mine.note != answer.note)
                    {
                        details.push(format!(
                            "the answer to {} is revision {} by {} here, revision {} by {} in the file",
                            answer.question, mine.revision, mine.updated_by, answer.revision,
                            answer.updated_by
                        ));
                    }
                }
            }
            if !details.is_empty() {
                return Err(conflict(id, details));
            }
            if here.audit_trail.len() == theirs.len() {
                if here.assessment == file.assessment
                    && here.answers == file.answers
                    && here.evidence == file.evidence
                    && here.action_items == file.action_items
                {
                    return Ok(report);
                }
                return Err(conflict(
                    id,
                    vec![format!(
                        "assessment {id} here has the same history as the file but different \
                         data: one of the two databases was changed behind Vigie's back"
                    )],
                ));
            }
            // Fast-forward: everything here must appear, unchanged or later changed, in the file.
            let theirs_answers: HashSet<&str> =
                file.answers.iter().map(|x| x.question.as_str()).collect();
            let theirs_evidence: BTreeMap<&str, &Evidence> =
                file.evidence.iter().map(|x| (x.id.as_str(), x)).collect();
            let theirs_actions: HashSet<&str> =
                file.action_items.iter().map(|x| x.id.as_str()).collect();
            let mut details = Vec::new();
            for x in &here.answers {
                if !theirs_answers.contains(x.question.as_str()) {
                    details.push(format!(
                        "the answer to {} is here but not in the file",
                        x.question
                    ));
                }
            }
            for x in &here.evidence {
                if theirs_evidence.get(x.id.as_str()) != Some(&x) {
                    details.push(format!("evidence {} here is not the file's", x.id));
                }
            }
            for x in &here.action_items {
                if !theirs_actions.contains(x.id.as_str()) {
                    details.push(format!("action item {} is here but not in the file", x.id));
                }
            }
            if local.status == AssessmentStatus::Final
                && (here.assessment != file.assessment || here.answers != file.answers)
            {
                details.push(format!(
                    "assessment {id} is final here: its answers cannot change"
                ));
            }
            if !details.is_empty() {
                return Err(conflict(id, details));
            }
            here.audit_trail.len()
        }
    };

    // The supplier: the same record, or none here. (An import that changes nothing has
    // returned above, whatever the supplier became here since.)
    let local_supplier = get_supplier(tx.conn, &file.supplier.id)?;
    let supplier_missing = match &local_supplier {
        Some(local) if local == &file.supplier => false,
        Some(local) => return Err(conflict(id, supplier_differences(local, &file.supplier))),
        None => {
            let key = name_key(&file.supplier.name);
            let other: Option<String> = tx
                .conn
                .query_row(
                    "SELECT id FROM suppliers WHERE name_key = ?1",
                    [&key],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(other) = other {
                return Err(conflict(
                    id,
                    vec![format!(
                        "another supplier named `{}` exists here (id {other}, the file's is {})",
                        file.supplier.name, file.supplier.id
                    )],
                ));
            }
            true
        }
    };

    if plugin_missing {
        let size = i64::try_from(bytes.len())
            .map_err(|_| StoreError::Invalid("the plugin is too large".into()))?;
        tx.conn.execute(
            "INSERT INTO plugin_blobs (sha256, size, plugin_id, version, origin, added_by, \
             added_at, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                file.plugin.sha256,
                size,
                file.plugin.plugin_id,
                file.plugin.version,
                origin,
                tx.who,
                tx.now,
                bytes,
            ],
        )?;
        let new = to_json(
            "plugin",
            &serde_json::json!({
                "sha256": file.plugin.sha256,
                "size": file.plugin.size,
                "plugin_id": file.plugin.plugin_id,
                "version": file.plugin.version,
                "origin": origin,
            }),
        )?;
        tx.audit(
            "import",
            "plugin",
            &file.plugin.sha256,
            None,
            None,
            Some(&new),
        )?;
        report.plugin_added = true;
    }

    if supplier_missing {
        let s = &file.supplier;
        tx.conn.execute(
            "INSERT INTO suppliers (id, name, name_key, country, sector, services, contacts, \
             criticality, created_by, created_at, updated_by, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                s.id,
                s.name,
                name_key(&s.name),
                s.country,
                s.sector,
                to_json("services", &s.services)?,
                to_json("contacts", &s.contacts)?,
                s.criticality,
                s.created_by,
                s.created_at,
                s.updated_by,
                s.updated_at,
            ],
        )?;
        if file.supplier_trail.is_empty() {
            // A version 1 file: the import itself is the supplier's first row here.
            let new = to_json("supplier", s)?;
            tx.audit("import", "supplier", &s.id, None, None, Some(&new))?;
        } else {
            // Its history as the other database recorded it, so that an export from here
            // carries the same rows.
            for row in &file.supplier_trail {
                let json = to_json("audit row", row)?;
                tx.audit(
                    "import",
                    FOREIGN_SUPPLIER_AUDIT_ENTITY,
                    &s.id,
                    None,
                    None,
                    Some(&json),
                )?;
            }
        }
        report.supplier_added = true;
    }

    match &local {
        None => {
            tx.conn.execute(
                "INSERT INTO assessments (id, supplier_id, plugin_sha256, plugin_id, \
                 plugin_version, status, auditor, assessment_date, language, level, created_at, \
                 previous_assessment) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    a.id,
                    a.supplier_id,
                    a.plugin_sha256,
                    a.plugin_id,
                    a.plugin_version,
                    a.auditor,
                    a.assessment_date.to_string(),
                    a.language,
                    a.level,
                    a.created_at,
                    a.previous_assessment,
                ],
            )?;
            report.outcome = ImportOutcome::Created;
        }
        Some(_) => {
            // The cached evaluation no longer matches the answers: the app scores again.
            tx.conn.execute(
                "UPDATE assessments SET last_evaluation = NULL, score = NULL, verdict = NULL, \
                 evaluated_at = NULL WHERE id = ?1 AND status = 'draft'",
                [id],
            )?;
            report.outcome = ImportOutcome::Updated;
        }
    }

    let local_answers: BTreeMap<String, StoredAnswer> = answers_of(tx.conn, id)?
        .into_iter()
        .map(|x| (x.question.clone(), x))
        .collect();
    for answer in &file.answers {
        if local_answers.get(&answer.question) != Some(answer) {
            upsert_answer(tx.conn, answer)?;
            report.answers += 1;
        }
    }
    let local_evidence: HashSet<String> = evidence_of(tx.conn, id)?
        .into_iter()
        .map(|x| x.id)
        .collect();
    for e in &file.evidence {
        if local_evidence.contains(&e.id) {
            continue;
        }
        let size = e
            .file
            .as_ref()
            .map(|f| i64::try_from(f.size))
            .transpose()
            .map_err(|_| StoreError::Invalid("an evidence file is too large".into()))?;
        tx.conn.execute(
            "INSERT INTO evidence (id, assessment_id, question_id, kind, text, file_sha256, \
             file_size, file_path, effective_date, expiry_date, added_by, added_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                e.id,
                e.assessment_id,
                e.question,
                e.kind,
                e.text,
                e.file.as_ref().map(|f| f.sha256.as_str()),
                size,
                e.file.as_ref().map(|f| f.path.as_str()),
                e.effective_date.map(|d| d.to_string()),
                e.expiry_date.map(|d| d.to_string()),
                e.added_by,
                e.added_at,
            ],
        )?;
        report.evidence += 1;
    }
    let local_actions: BTreeMap<String, ActionItem> = actions_of(tx.conn, id)?
        .into_iter()
        .map(|x| (x.id.clone(), x))
        .collect();
    for item in &file.action_items {
        if local_actions.get(&item.id) == Some(item) {
            continue;
        }
        tx.conn.execute(
            "INSERT INTO action_items (id, assessment_id, finding_id, title, owner, deadline, \
             status, created_by, created_at, updated_by, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
             ON CONFLICT (id) DO UPDATE SET finding_id = excluded.finding_id, \
             title = excluded.title, owner = excluded.owner, deadline = excluded.deadline, \
             status = excluded.status, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
            params![
                item.id,
                item.assessment_id,
                item.finding_id,
                item.title,
                item.owner,
                item.deadline.map(|d| d.to_string()),
                item.status,
                item.created_by,
                item.created_at,
                item.updated_by,
                item.updated_at,
            ],
        )?;
        report.action_items += 1;
    }

    // Last, since a final assessment refuses answers: its final state.
    let local_status = local.as_ref().map(|l| l.status);
    if a.status == AssessmentStatus::Final && local_status != Some(AssessmentStatus::Final) {
        let evaluation = a.final_evaluation.as_ref().ok_or_else(|| {
            ExchangeError::Tampered("a final assessment without its evaluation".into())
        })?;
        let json = to_json("evaluation", evaluation)?;
        tx.conn.execute(
            "UPDATE assessments SET status = 'final', final_evaluation = ?2, \
             last_evaluation = ?2, score = ?3, verdict = ?4, evaluated_at = ?5, \
             finalized_by = ?6, finalized_at = ?5 WHERE id = ?1",
            params![
                id,
                json,
                evaluation.score,
                evaluation.verdict.id,
                a.finalized_at,
                a.finalized_by
            ],
        )?;
    }

    for row in &file.audit_trail[carried_from..] {
        let json = to_json("audit row", row)?;
        tx.audit(
            "import",
            FOREIGN_AUDIT_ENTITY,
            &row.hash,
            Some(id),
            None,
            Some(&json),
        )?;
        report.audit_rows += 1;
    }
    let summary = to_json(
        "import",
        &serde_json::json!({
            "format": file.format,
            "version": file.version,
            "outcome": report.outcome,
            "supplier_added": report.supplier_added,
            "plugin_added": report.plugin_added,
            "answers": report.answers,
            "evidence": report.evidence,
            "action_items": report.action_items,
            "audit_rows": report.audit_rows,
        }),
    )?;
    tx.audit(
        "import",
        EXCHANGE_FILE_ENTITY,
        id,
        Some(id),
        None,
        Some(&summary),
    )?;
    Ok(report)
}
