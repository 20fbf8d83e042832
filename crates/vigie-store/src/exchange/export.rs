//! Export: an assessment and everything it needs, read from one snapshot of the database.

use crate::db::{Db, Optional, params};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use super::{
    EXCHANGE_FILE_ENTITY, EXCHANGE_FORMAT, EXCHANGE_VERSION, ExchangeFile, ExchangedAssessment,
    ExchangedPlugin, FOREIGN_AUDIT_ENTITY, FOREIGN_SUPPLIER_AUDIT_ENTITY,
};
use crate::assessments::{SELECT_ANSWER, answer_row, get_assessment};
use crate::declarations::{Declaration, SELECT_DECLARATION, declaration_row};
use crate::error::StoreError;
use crate::records::{
    SELECT_ACTION, SELECT_AUDIT, SELECT_EVIDENCE, action_row, audit_row, evidence_row,
};
use crate::suppliers::get_by_id as get_supplier;
use crate::types::{ActionItem, AuditEntry, Evidence, StoredAnswer};

/// The assessment's audit rows as an export shows them: rows carried from another database
/// read back as that database wrote them, import summaries left out.
fn trail_view(conn: &Db, id: &str) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_AUDIT} WHERE assessment_id = ?1 ORDER BY seq"
    ))?;
    let rows = stmt
        .query_map(params![id], audit_row)?
        .collect::<crate::db::Result<Vec<_>>>()?;
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
fn supplier_trail_view(conn: &Db, supplier: &str) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_AUDIT} WHERE entity_id = ?1 AND assessment_id IS NULL \
         AND entity IN ('supplier', ?2) ORDER BY seq"
    ))?;
    let rows = stmt
        .query_map(params![supplier, FOREIGN_SUPPLIER_AUDIT_ENTITY], audit_row)?
        .collect::<crate::db::Result<Vec<_>>>()?;
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

pub(super) fn answers_of(conn: &Db, id: &str) -> Result<Vec<StoredAnswer>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_ANSWER} WHERE assessment_id = ?1 ORDER BY question_id"
    ))?;
    let rows = stmt.query_map(params![id], answer_row)?;
    Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
}

pub(super) fn evidence_of(conn: &Db, id: &str) -> Result<Vec<Evidence>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_EVIDENCE} WHERE assessment_id = ?1 ORDER BY added_at, id"
    ))?;
    let rows = stmt.query_map(params![id], evidence_row)?;
    Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
}

pub(super) fn actions_of(conn: &Db, id: &str) -> Result<Vec<ActionItem>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_ACTION} WHERE assessment_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map(params![id], action_row)?;
    Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
}

pub(super) fn declarations_of(conn: &Db, id: &str) -> Result<Vec<Declaration>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_DECLARATION} WHERE assessment_id = ?1 ORDER BY question_id"
    ))?;
    let rows = stmt.query_map(params![id], declaration_row)?;
    Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
}

/// Builds the exchange file of assessment `id` from one consistent view of the database.
pub(super) fn build(conn: &Db, id: &str) -> Result<ExchangeFile, StoreError> {
    let assessment = get_assessment(conn, id)?;
    let supplier =
        get_supplier(conn, &assessment.supplier_id)?.ok_or_else(|| StoreError::NotFound {
            kind: "supplier",
            key: assessment.supplier_id.to_string(),
        })?;
    let (plugin_id, version, bytes): (String, String, Vec<u8>) = conn
        .query_row(
            "SELECT plugin_id, version, bytes FROM plugin_blobs WHERE sha256 = ?1",
            params![&assessment.plugin_sha256],
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
        declarations: declarations_of(conn, id)?,
    })
}
