//! Evidence, action items, plugin blobs and the audit trail.

mod plugin_blobs;

pub(crate) use plugin_blobs::{
    NewPluginKind, SELECT_PLUGIN, check_new_plugin, insert_plugin_blob, plugin_row,
};

use crate::db::{Db, Optional, params};

use crate::assessments::{require_draft, status_of};
use crate::error::{Result, StoreError};
use crate::types::{
    ActionItem, ActionItemUpdate, ActionStatus, AuditEntry, Evidence, EvidenceFile, EvidenceKind,
    NewActionItem, NewEvidence,
};
use crate::{Store, enum_col, opt_date_col, to_json, ts_col};

pub(crate) const SELECT_EVIDENCE: &str = "SELECT id, assessment_id, question_id, kind, text, file_sha256, \
     file_size, file_path, effective_date, expiry_date, added_by, added_at FROM evidence";

pub(crate) fn evidence_row(row: &crate::db::Row<'_>) -> crate::db::Result<Evidence> {
    let sha256: Option<String> = row.get(5)?;
    let size: Option<i64> = row.get(6)?;
    let path: Option<String> = row.get(7)?;
    let file = match (sha256, size, path) {
        (Some(sha256), Some(size), Some(path)) => Some(EvidenceFile {
            sha256,
            size: size.max(0) as u64,
            path,
        }),
        _ => None,
    };
    const T: &str = "evidence";
    Ok(Evidence {
        id: row.get::<_, String>(0)?.into(),
        assessment_id: row.get::<_, String>(1)?.into(),
        question: row.get(2)?,
        kind: enum_col(row, 3, (T, "kind"), EvidenceKind::from_id)?,
        text: row.get(4)?,
        file,
        effective_date: opt_date_col(row, 8, (T, "effective_date"))?,
        expiry_date: opt_date_col(row, 9, (T, "expiry_date"))?,
        added_by: row.get(10)?,
        added_at: ts_col(row, 11, (T, "added_at"))?,
    })
}

/// Inserts an evidence row as it is (a new piece of evidence, or one imported).
pub(crate) fn insert_evidence(conn: &Db, e: &Evidence) -> Result<()> {
    let size = e
        .file
        .as_ref()
        .map(|f| i64::try_from(f.size))
        .transpose()
        .map_err(|_| StoreError::Invalid("the evidence file is too large".into()))?;
    conn.execute(
        "INSERT INTO evidence (id, assessment_id, question_id, kind, text, file_sha256, \
         file_size, file_path, effective_date, expiry_date, added_by, added_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            e.id.as_str(),
            e.assessment_id.as_str(),
            e.question,
            e.kind.id(),
            e.text,
            e.file.as_ref().map(|f| f.sha256.as_str()),
            size,
            e.file.as_ref().map(|f| f.path.as_str()),
            e.effective_date.map(|d| d.to_string()),
            e.expiry_date.map(|d| d.to_string()),
            e.added_by,
            e.added_at.as_str(),
        ],
    )?;
    Ok(())
}

pub(crate) const SELECT_ACTION: &str = "SELECT id, assessment_id, finding_id, title, owner, deadline, \
     status, created_by, created_at, updated_by, updated_at FROM action_items";

pub(crate) fn action_row(row: &crate::db::Row<'_>) -> crate::db::Result<ActionItem> {
    const T: &str = "action_items";
    Ok(ActionItem {
        id: row.get::<_, String>(0)?.into(),
        assessment_id: row.get::<_, String>(1)?.into(),
        finding_id: row.get(2)?,
        title: row.get(3)?,
        owner: row.get(4)?,
        deadline: opt_date_col(row, 5, (T, "deadline"))?,
        status: enum_col(row, 6, (T, "status"), ActionStatus::from_id)?,
        created_by: row.get(7)?,
        created_at: ts_col(row, 8, (T, "created_at"))?,
        updated_by: row.get(9)?,
        updated_at: ts_col(row, 10, (T, "updated_at"))?,
    })
}

/// Writes an action item row as it is: inserted when new, else its changeable fields
/// replaced (a new item, a change, or an item imported).
pub(crate) fn upsert_action_item(conn: &Db, item: &ActionItem) -> Result<()> {
    conn.execute(
        "INSERT INTO action_items (id, assessment_id, finding_id, title, owner, deadline, \
         status, created_by, created_at, updated_by, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
         ON CONFLICT (id) DO UPDATE SET finding_id = excluded.finding_id, \
         title = excluded.title, owner = excluded.owner, deadline = excluded.deadline, \
         status = excluded.status, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
        params![
            item.id.as_str(),
            item.assessment_id.as_str(),
            item.finding_id,
            item.title,
            item.owner,
            item.deadline.map(|d| d.to_string()),
            item.status.id(),
            item.created_by,
            item.created_at.as_str(),
            item.updated_by,
            item.updated_at.as_str(),
        ],
    )?;
    Ok(())
}

pub(crate) const SELECT_AUDIT: &str = "SELECT seq, at, who, action, entity, entity_id, assessment_id, \
     old, new, prev_hash, hash FROM audit_log";

pub(crate) fn audit_row(row: &crate::db::Row<'_>) -> crate::db::Result<AuditEntry> {
    let prev: Vec<u8> = row.get(9)?;
    let hash: Vec<u8> = row.get(10)?;
    Ok(AuditEntry {
        seq: row.get(0)?,
        at: row.get(1)?,
        who: row.get(2)?,
        action: row.get(3)?,
        entity: row.get(4)?,
        entity_id: row.get(5)?,
        assessment_id: row.get(6)?,
        old: row.get(7)?,
        new: row.get(8)?,
        prev_hash: hex::encode(prev),
        hash: hex::encode(hash),
    })
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn non_empty(what: &str, s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() {
        Err(StoreError::Invalid(format!("{what} is empty")))
    } else {
        Ok(s.to_string())
    }
}

fn clean_opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn check_evidence(e: &NewEvidence) -> Result<()> {
    match (e.kind, &e.file) {
        (EvidenceKind::File, None) => {
            return Err(StoreError::Invalid(
                "file evidence needs the file's sha256, size and path".into(),
            ));
        }
        (EvidenceKind::File, Some(f)) => {
            if !is_sha256_hex(&f.sha256) {
                return Err(StoreError::Invalid(format!(
                    "`{}` is not a sha256 (64 lowercase hex digits)",
                    f.sha256
                )));
            }
            if f.path.trim().is_empty() {
                return Err(StoreError::Invalid("file evidence needs a path".into()));
            }
        }
        (kind, Some(_)) => {
            return Err(StoreError::Invalid(format!(
                "{kind} evidence cannot carry a file"
            )));
        }
        (EvidenceKind::Note | EvidenceKind::Link, None) => {
            non_empty("the evidence text", &e.text)?;
        }
    }
    if let (Some(from), Some(to)) = (e.effective_date, e.expiry_date)
        && to < from
    {
        return Err(StoreError::Invalid(format!(
            "the evidence expires ({to}) before it takes effect ({from})"
        )));
    }
    Ok(())
}

fn find_action(conn: &Db, id: &str) -> Result<Option<ActionItem>> {
    Ok(conn
        .query_row(
            &format!("{SELECT_ACTION} WHERE id = ?1"),
            params![id],
            action_row,
        )
        .optional()?)
}

fn get_action(conn: &Db, id: &str) -> Result<ActionItem> {
    find_action(conn, id)?.ok_or_else(|| StoreError::NotFound {
        kind: "action item",
        key: id.to_string(),
    })
}

/// Writes `update` over `old` (fields left `None` stay) and records the change in the
/// audit trail: the one path of both ways to change an action item.
fn apply_action_update(
    tx: &mut crate::Tx<'_>,
    old: ActionItem,
    title: Option<String>,
    update: &ActionItemUpdate,
) -> Result<ActionItem> {
    let mut new = old.clone();
    if let Some(title) = title {
        new.title = title;
    }
    if let Some(owner) = &update.owner {
        new.owner = clean_opt(owner.as_deref());
    }
    if let Some(deadline) = update.deadline {
        new.deadline = deadline;
    }
    if let Some(status) = update.status {
        new.status = status;
    }
    new.updated_by = tx.who.to_string();
    new.updated_at = tx.now.clone();
    upsert_action_item(tx.conn, &new)?;
    let old_json = to_json("action item", &old)?;
    let new_json = to_json("action item", &new)?;
    tx.audit(
        "update",
        "action-item",
        &new.id,
        Some(&new.assessment_id),
        Some(&old_json),
        Some(&new_json),
    )?;
    Ok(new)
}

fn get_evidence(conn: &Db, id: &str) -> Result<Option<Evidence>> {
    Ok(conn
        .query_row(
            &format!("{SELECT_EVIDENCE} WHERE id = ?1"),
            params![id],
            evidence_row,
        )
        .optional()?)
}

/// The row as it is now, if it is still the one the auditor saw: else nothing is to be
/// written, and the error says whether it changed or went.
fn still_as_seen<T: PartialEq>(
    kind: &'static str,
    id: &str,
    current: Option<T>,
    seen: &T,
) -> Result<T> {
    match current {
        Some(current) if current == *seen => Ok(current),
        Some(_) => Err(StoreError::StaleRecord {
            kind,
            id: id.to_string(),
            deleted: false,
        }),
        None => Err(StoreError::StaleRecord {
            kind,
            id: id.to_string(),
            deleted: true,
        }),
    }
}

impl Store {
    /// Adds a piece of evidence to a draft assessment (exact id), for one question or for the
    /// whole assessment.
    pub fn add_evidence(&self, assessment_id: &str, evidence: &NewEvidence) -> Result<Evidence> {
        check_evidence(evidence)?;
        self.write(|tx| {
            require_draft(tx.conn, assessment_id)?;
            let file = evidence.file.as_ref().map(|f| EvidenceFile {
                sha256: f.sha256.clone(),
                size: f.size,
                path: f.path.trim().to_string(),
            });
            let row = Evidence {
                id: crate::new_id().into(),
                assessment_id: assessment_id.into(),
                question: clean_opt(evidence.question.as_deref()),
                kind: evidence.kind,
                text: evidence.text.trim().to_string(),
                file,
                effective_date: evidence.effective_date,
                expiry_date: evidence.expiry_date,
                added_by: tx.who.to_string(),
                added_at: tx.now.clone(),
            };
            insert_evidence(tx.conn, &row)?;
            let new = to_json("evidence", &row)?;
            tx.audit(
                "add",
                "evidence",
                &row.id,
                Some(assessment_id),
                None,
                Some(&new),
            )?;
            Ok(row)
        })
    }

    /// The evidence of an assessment (exact id), oldest first; only that of `question` when
    /// given.
    pub fn list_evidence(
        &self,
        assessment_id: &str,
        question: Option<&str>,
    ) -> Result<Vec<Evidence>> {
        self.read(|conn| {
            status_of(conn, assessment_id)?;
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT_EVIDENCE} WHERE assessment_id = ?1 \
                 AND (CAST(?2 AS TEXT) IS NULL OR question_id = ?2) ORDER BY added_at, id"
            ))?;
            let rows = stmt.query_map(params![assessment_id, question], evidence_row)?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }

    /// Replaces what a piece of evidence says (its question, kind, text, file and dates) with
    /// `new`, if it is still as the auditor saw it (`seen`); its assessment must be a draft.
    /// Changed or deleted meanwhile by someone else: [`StoreError::StaleRecord`], nothing
    /// written. Audited with the old and the new row.
    pub fn update_evidence(&self, seen: &Evidence, new: &NewEvidence) -> Result<Evidence> {
        check_evidence(new)?;
        self.write(|tx| {
            require_draft(tx.conn, &seen.assessment_id)?;
            let old = still_as_seen("evidence", &seen.id, get_evidence(tx.conn, &seen.id)?, seen)?;
            let row = Evidence {
                question: clean_opt(new.question.as_deref()),
                kind: new.kind,
                text: new.text.trim().to_string(),
                file: new.file.as_ref().map(|f| EvidenceFile {
                    sha256: f.sha256.clone(),
                    size: f.size,
                    path: f.path.trim().to_string(),
                }),
                effective_date: new.effective_date,
                expiry_date: new.expiry_date,
                ..old.clone()
            };
            tx.conn.execute(
                "DELETE FROM evidence WHERE id = ?1",
                params![old.id.as_str()],
            )?;
            insert_evidence(tx.conn, &row)?;
            let old_json = to_json("evidence", &old)?;
            let new_json = to_json("evidence", &row)?;
            tx.audit(
                "update",
                "evidence",
                &row.id,
                Some(&row.assessment_id),
                Some(&old_json),
                Some(&new_json),
            )?;
            Ok(row)
        })
    }

    /// Deletes a piece of evidence, if it is still as the auditor saw it (`seen`); its
    /// assessment must be a draft. The audit trail keeps the deleted row.
    pub fn delete_evidence(&self, seen: &Evidence) -> Result<()> {
        self.write(|tx| {
            require_draft(tx.conn, &seen.assessment_id)?;
            let old = still_as_seen("evidence", &seen.id, get_evidence(tx.conn, &seen.id)?, seen)?;
            tx.conn.execute(
                "DELETE FROM evidence WHERE id = ?1",
                params![old.id.as_str()],
            )?;
            let old_json = to_json("evidence", &old)?;
            tx.audit(
                "delete",
                "evidence",
                &old.id,
                Some(&old.assessment_id),
                Some(&old_json),
                None,
            )?;
            Ok(())
        })
    }

    /// Changes an action item as [`Store::update_action_item`] does, if it is still as the
    /// auditor saw it (`seen`): changed or deleted meanwhile by someone else,
    /// [`StoreError::StaleRecord`] and nothing written. Like adding one, allowed on a final
    /// assessment: the action plan is followed after the assessment is frozen.
    pub fn update_action_item_seen(
        &self,
        seen: &ActionItem,
        update: &ActionItemUpdate,
    ) -> Result<ActionItem> {
        let title = update
            .title
            .as_deref()
            .map(|t| non_empty("the action item's title", t))
            .transpose()?;
        self.write(|tx| {
            let current = find_action(tx.conn, &seen.id)?;
            let old = still_as_seen("action item", &seen.id, current, seen)?;
            apply_action_update(tx, old, title, update)
        })
    }

    /// Deletes an action item, if it is still as the auditor saw it (`seen`). Refused on a
    /// final assessment ([`StoreError::Frozen`]): the plan it was frozen with stays (an
    /// action given up is marked done or changed, and the trail shows it). The audit trail
    /// keeps the deleted row.
    pub fn delete_action_item(&self, seen: &ActionItem) -> Result<()> {
        self.write(|tx| {
            require_draft(tx.conn, &seen.assessment_id)?;
            let current = find_action(tx.conn, &seen.id)?;
            let old = still_as_seen("action item", &seen.id, current, seen)?;
            tx.conn.execute(
                "DELETE FROM action_items WHERE id = ?1",
                params![old.id.as_str()],
            )?;
            let old_json = to_json("action item", &old)?;
            tx.audit(
                "delete",
                "action-item",
                &old.id,
                Some(&old.assessment_id),
                Some(&old_json),
                None,
            )?;
            Ok(())
        })
    }

    /// Adds an action item (status open) to an assessment (exact id), draft or final.
    pub fn add_action_item(&self, assessment_id: &str, item: &NewActionItem) -> Result<ActionItem> {
        let finding_id = non_empty("the finding id", &item.finding_id)?;
        let title = non_empty("the action item's title", &item.title)?;
        self.write(|tx| {
            status_of(tx.conn, assessment_id)?;
            let row = ActionItem {
                id: crate::new_id().into(),
                assessment_id: assessment_id.into(),
                finding_id: finding_id.clone(),
                title: title.clone(),
                owner: clean_opt(item.owner.as_deref()),
                deadline: item.deadline,
                status: ActionStatus::Open,
                created_by: tx.who.to_string(),
                created_at: tx.now.clone(),
                updated_by: tx.who.to_string(),
                updated_at: tx.now.clone(),
            };
            upsert_action_item(tx.conn, &row)?;
            let new = to_json("action item", &row)?;
            tx.audit(
                "add",
                "action-item",
                &row.id,
                Some(assessment_id),
                None,
                Some(&new),
            )?;
            Ok(row)
        })
    }

    /// Changes an action item (exact id); fields left `None` in `update` stay as they are.
    pub fn update_action_item(&self, id: &str, update: &ActionItemUpdate) -> Result<ActionItem> {
        let title = update
            .title
            .as_deref()
            .map(|t| non_empty("the action item's title", t))
            .transpose()?;
        self.write(|tx| {
            let old = get_action(tx.conn, id)?;
            apply_action_update(tx, old, title, update)
        })
    }

    /// The action items of an assessment (exact id), oldest first.
    pub fn list_action_items(&self, assessment_id: &str) -> Result<Vec<ActionItem>> {
        self.read(|conn| {
            status_of(conn, assessment_id)?;
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT_ACTION} WHERE assessment_id = ?1 ORDER BY created_at, id"
            ))?;
            let rows = stmt.query_map(params![assessment_id], action_row)?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }

    /// The audit trail in order: all of it, or only the rows of one assessment (exact id).
    pub fn audit_trail(&self, assessment: Option<&str>) -> Result<Vec<AuditEntry>> {
        self.read(|conn| {
            let rows = match assessment {
                Some(id) => {
                    let mut stmt = conn.prepare_cached(&format!(
                        "{SELECT_AUDIT} WHERE assessment_id = ?1 ORDER BY seq"
                    ))?;
                    stmt.query_map(params![id], audit_row)?
                        .collect::<crate::db::Result<Vec<_>>>()?
                }
                None => {
                    let mut stmt = conn.prepare_cached(&format!("{SELECT_AUDIT} ORDER BY seq"))?;
                    stmt.query_map(params![], audit_row)?
                        .collect::<crate::db::Result<Vec<_>>>()?
                }
            };
            Ok(rows)
        })
    }
}
