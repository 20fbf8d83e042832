//! Ids as people type them: whole, or a unique part at either end.

use crate::db::{Db, Optional, params};

use crate::MIN_ID_PREFIX;
use crate::error::{Result, StoreError};

/// The end of an id, as lists show it: the random part of a UUIDv7 (its start is a
/// timestamp, shared by everything created within hours). [`Store::assessment`] and
/// [`Store::supplier`] accept it, like any unique part at either end of an id.
pub fn short_id(id: &str) -> &str {
    let cut = id.len().saturating_sub(SHORT_ID_LEN);
    id.get(cut..).unwrap_or(id)
}

/// Length of [`short_id`].
pub const SHORT_ID_LEN: usize = 8;

/// Finds the one row of `table` whose `column` (a lowercase hex id) is `key`, starts with
/// `key`, or else ends with `key` (at least [`MIN_ID_PREFIX`] characters).
pub(crate) fn resolve_id(
    conn: &Db,
    table: &str,
    column: &str,
    kind: &'static str,
    key: &str,
) -> Result<String> {
    let key = key.trim();
    let exact: Option<String> = conn
        .query_row(
            &format!("SELECT {column} FROM {table} WHERE {column} = ?1"),
            params![key],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = exact {
        return Ok(id);
    }
    let part = key.to_ascii_lowercase();
    if part.chars().count() < MIN_ID_PREFIX {
        return Err(StoreError::PrefixTooShort {
            kind,
            key: key.to_string(),
            min: MIN_ID_PREFIX,
        });
    }
    let not_found = || StoreError::NotFound {
        kind,
        key: key.to_string(),
    };
    if !part.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        return Err(not_found());
    }
    // Ids are lowercase hex and hyphens, all below '~': [part, part~) holds exactly the ids
    // that start with part, and the primary key index answers it.
    let upper = format!("{part}~");
    let mut ids = {
        let mut stmt = conn.prepare(&format!(
            "SELECT {column} FROM {table} WHERE {column} >= ?1 AND {column} < ?2 \
             ORDER BY {column} LIMIT 5"
        ))?;
        stmt.query_map(params![&part, &upper], |r| r.get::<_, String>(0))?
            .collect::<crate::db::Result<Vec<_>>>()?
    };
    if ids.is_empty() {
        // The end of a UUIDv7 is random: what lists show (see short_id). No index helps here,
        // but a scan of the ids is quick. `part` holds no LIKE wildcard (checked above).
        let mut stmt = conn.prepare(&format!(
            "SELECT {column} FROM {table} WHERE {column} LIKE ?1 ORDER BY {column} LIMIT 5"
        ))?;
        ids = stmt
            .query_map(params![format!("%{part}")], |r| r.get::<_, String>(0))?
            .collect::<crate::db::Result<Vec<_>>>()?;
    }
    match ids.len() {
        0 => Err(not_found()),
        1 => ids.pop().ok_or_else(not_found),
        _ => Err(StoreError::Ambiguous {
            kind,
            key: key.to_string(),
            candidates: ids,
        }),
    }
}
