//! Checks that an exchange file agrees with itself, before anything is written: the plugin
//! bytes, the audit rows' hashes, and the data against the audit rows that wrote it.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Serialize;
use vigie_model::Timestamp;

use super::{
    DECLARATIONS_SINCE, EXCHANGE_FORMAT, EXCHANGE_VERSION, ExchangeError, ExchangeFile,
    SUPPLIER_TRAIL_SINCE,
};
use crate::assessments::answer_audit_json;
use crate::audit::AuditRecord;
use crate::declarations::{Declaration, RecordedDeclaration};
use crate::error::StoreError;
use crate::types::{AssessmentStatus, AuditEntry};

impl ExchangeFile {
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
        for x in &self.declarations {
            if x.assessment_id != id {
                return foreign(
                    &format!("the declaration of {}", x.question),
                    &x.assessment_id,
                );
            }
        }
        check_trail(id, &self.audit_trail)?;
        self.check_supplier_trail()?;
        self.check_data_against_trail()?;
        self.check_declarations()
    }

    /// The supplier's declarations as the audit trail records them, by question id: for each
    /// question the content of its last `declare` row, by whom and when, confirmed by the last
    /// `confirm` of its answer after that row. With the seq of the `declare` row.
    pub(super) fn recorded_declarations(
        &self,
    ) -> Result<BTreeMap<String, (Declaration, i64)>, ExchangeError> {
        let id = self.assessment.id.as_str();
        let mut out: BTreeMap<String, (Declaration, i64)> = BTreeMap::new();
        for row in &self.audit_trail {
            match (row.action.as_str(), row.entity.as_str()) {
                ("declare", "declaration") => {
                    let r: RecordedDeclaration =
                        parse_json("a declaration's audit row", row.new.as_deref())?;
                    let declaration = Declaration {
                        assessment_id: id.to_string(),
                        question: row.entity_id.clone(),
                        value: r.value,
                        note: r.note,
                        respondent: r.respondent,
                        file_sha256: r.file_sha256,
                        imported_by: row.who.clone(),
                        imported_at: row.at.clone(),
                        confirmed_by: None,
                        confirmed_at: None,
                    };
                    out.insert(row.entity_id.clone(), (declaration, row.seq));
                }
                ("confirm", "answer") => {
                    if let Some((d, _)) = out.get_mut(&row.entity_id) {
                        d.confirmed_by = Some(row.who.clone());
                        d.confirmed_at = Some(row.at.clone());
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// The declarations carried (version 3 on) are exactly those the audit trail records.
    fn check_declarations(&self) -> Result<(), ExchangeError> {
        if self.version < DECLARATIONS_SINCE {
            return Ok(());
        }
        let tampered = |m: String| Err(ExchangeError::Tampered(m));
        let mut recorded = self.recorded_declarations()?;
        for carried in &self.declarations {
            let Some((want, seq)) = recorded.remove(&carried.question) else {
                return tampered(format!(
                    "the declaration of {} appears in no audit row",
                    carried.question
                ));
            };
            if (&carried.confirmed_by, &carried.confirmed_at)
                != (&want.confirmed_by, &want.confirmed_at)
            {
                return tampered(format!(
                    "the declaration of {} is marked confirmed otherwise than its audit trail \
                     records",
                    carried.question
                ));
            }
            if *carried != want {
                return tampered(format!(
                    "the declaration of {} is not what its last audit row (seq {seq}) recorded",
                    carried.question
                ));
            }
        }
        if let Some(question) = recorded.keys().next() {
            return tampered(format!(
                "the audit trail records the declaration of {question}, which the file does not \
                 carry"
            ));
        }
        Ok(())
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
        if a.created_at.as_str() != created.at {
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
                || a.finalized_at.as_ref().map(Timestamp::as_str) != Some(row.at.as_str())
            {
                return tampered(format!(
                    "who finalized assessment {id}, or when, is not what its finalize row (seq {}) recorded",
                    row.seq
                ));
            }
        }

        // A record whose last row deleted it is not to be carried.
        let mut expected: BTreeSet<(&str, &str)> = last
            .iter()
            .filter(|((entity, _), row)| {
                matches!(*entity, "answer" | "evidence" | "action-item") && row.action != "delete"
            })
            .map(|(key, _)| *key)
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
