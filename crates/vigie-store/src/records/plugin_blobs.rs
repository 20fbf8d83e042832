//! Plugin bytes stored in the database: the checks on a new one (size, count, identity),
//! storing, reading back against the sha256, listing.

use crate::db::{Db, Optional, params};
use sha2::{Digest, Sha256};

use super::non_empty;
use crate::error::{Result, StoreError};
use crate::types::PluginBlobInfo;
use crate::{Store, resolve_id, to_json};

/// Inserts a plugin's bytes and their record.
pub(crate) fn insert_plugin_blob(conn: &Db, info: &PluginBlobInfo, bytes: &[u8]) -> Result<()> {
    let size = i64::try_from(bytes.len())
        .map_err(|_| StoreError::Invalid("the plugin is too large".into()))?;
    conn.execute(
        "INSERT INTO plugin_blobs (sha256, size, plugin_id, version, origin, added_by, \
         added_at, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            info.sha256,
            size,
            info.plugin_id,
            info.version,
            info.origin,
            info.added_by,
            info.added_at,
            bytes,
        ],
    )?;
    Ok(())
}

/// The size is read as `length(bytes)`, which SQLite answers from the record header without
/// reading the bytes: the `size` column is only what the writer claimed.
pub(crate) const SELECT_PLUGIN: &str = "SELECT sha256, length(bytes), plugin_id, version, origin, \
     added_by, added_at FROM plugin_blobs";

pub(crate) fn plugin_row(row: &crate::db::Row<'_>) -> crate::db::Result<PluginBlobInfo> {
    let size: i64 = row.get(1)?;
    Ok(PluginBlobInfo {
        sha256: row.get(0)?,
        size: size.max(0) as u64,
        plugin_id: row.get(2)?,
        version: row.get(3)?,
        origin: row.get(4)?,
        added_by: row.get(5)?,
        added_at: row.get(6)?,
    })
}

/// Who stores a new plugin: a user (installing or importing it) or this build (a copy of
/// one of its bundled plugins).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NewPluginKind {
    Installed,
    Bundled,
}

/// The checks on plugin bytes not yet stored (sha256 `sha256`), inside the write
/// transaction: size, count and identity (see [`Store::put_plugin_blob`]).
pub(crate) fn check_new_plugin(
    conn: &Db,
    sha256: &str,
    plugin_id: &str,
    version: &str,
    size: usize,
    kind: NewPluginKind,
) -> Result<()> {
    if size > crate::MAX_PLUGIN_BYTES {
        return Err(StoreError::PluginTooLarge {
            size: size as u64,
            max: crate::MAX_PLUGIN_BYTES as u64,
        });
    }
    if kind == NewPluginKind::Bundled {
        return Ok(());
    }
    let count: i64 =
        conn.query_row("SELECT count(*) FROM plugin_blobs", params![], |r| r.get(0))?;
    if count >= crate::MAX_STORED_PLUGINS as i64 {
        return Err(StoreError::TooManyPlugins {
            max: crate::MAX_STORED_PLUGINS,
        });
    }
    let existing: Option<String> = conn
        .query_row(
            "SELECT sha256 FROM plugin_blobs WHERE plugin_id = ?1 AND version = ?2 \
             AND sha256 <> ?3 LIMIT 1",
            params![plugin_id, version, sha256],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(existing) = existing {
        return Err(StoreError::PluginIdentityClash {
            plugin_id: plugin_id.to_string(),
            version: version.to_string(),
            existing,
            new: sha256.to_string(),
        });
    }
    Ok(())
}

impl Store {
    /// Stores a plugin's bytes under their sha256. Storing the same bytes again changes
    /// nothing and returns the existing record.
    ///
    /// Refused: bytes over [`crate::MAX_PLUGIN_BYTES`] ([`StoreError::PluginTooLarge`]), a
    /// database already holding [`crate::MAX_STORED_PLUGINS`] plugins
    /// ([`StoreError::TooManyPlugins`]), and other bytes under an id and version already
    /// stored ([`StoreError::PluginIdentityClash`]).
    pub fn put_plugin_blob(
        &self,
        bytes: &[u8],
        plugin_id: &str,
        version: &str,
        origin: &str,
    ) -> Result<PluginBlobInfo> {
        self.put_plugin_blob_as(bytes, plugin_id, version, origin, NewPluginKind::Installed)
    }

    /// Stores a copy of a plugin bundled with this build (so that assessments it scores keep
    /// their bytes). A bundled plugin comes from the binary, not from a user: it is exempt from
    /// the count limit, and a build whose bundled bytes differ from an older build's under the
    /// same version is not refused (the assessments keep pinning their own bytes).
    pub fn put_bundled_plugin_blob(
        &self,
        bytes: &[u8],
        plugin_id: &str,
        version: &str,
    ) -> Result<PluginBlobInfo> {
        self.put_plugin_blob_as(bytes, plugin_id, version, "bundled", NewPluginKind::Bundled)
    }

    fn put_plugin_blob_as(
        &self,
        bytes: &[u8],
        plugin_id: &str,
        version: &str,
        origin: &str,
        kind: NewPluginKind,
    ) -> Result<PluginBlobInfo> {
        let plugin_id = non_empty("the plugin id", plugin_id)?;
        let version = non_empty("the plugin version", version)?;
        let origin = origin.trim().to_string();
        let sha256 = hex::encode(Sha256::digest(bytes));
        self.write(|tx| {
            let existing = tx
                .conn
                .query_row(
                    &format!("{SELECT_PLUGIN} WHERE sha256 = ?1"),
                    params![&sha256],
                    plugin_row,
                )
                .optional()?;
            if let Some(existing) = existing {
                return Ok(existing);
            }
            check_new_plugin(tx.conn, &sha256, &plugin_id, &version, bytes.len(), kind)?;
            let info = PluginBlobInfo {
                sha256: sha256.clone(),
                size: bytes.len() as u64,
                plugin_id: plugin_id.clone(),
                version: version.clone(),
                origin: origin.clone(),
                added_by: tx.who.to_string(),
                added_at: tx.now.to_string(),
            };
            insert_plugin_blob(tx.conn, &info, bytes)?;
            let new = to_json("plugin", &info)?;
            tx.audit("add", "plugin", &info.sha256, None, None, Some(&new))?;
            Ok(info)
        })
    }

    /// The bytes of the stored plugin whose sha256 is `sha256` (or starts with it, at least
    /// [`crate::MIN_ID_PREFIX`] hex digits). The bytes are checked against their sha256: a
    /// mismatch gives [`StoreError::Corrupt`].
    pub fn plugin_blob(&self, sha256: &str) -> Result<Vec<u8>> {
        let (sha, bytes) = self.read(|conn| {
            let sha = resolve_id(conn, "plugin_blobs", "sha256", "stored plugin", sha256)?;
            let bytes: Vec<u8> = conn.query_row(
                "SELECT bytes FROM plugin_blobs WHERE sha256 = ?1",
                params![&sha],
                |r| r.get(0),
            )?;
            Ok((sha, bytes))
        })?;
        if hex::encode(Sha256::digest(&bytes)) != sha {
            return Err(StoreError::Corrupt {
                path: self.path().to_path_buf(),
                detail: format!("the stored plugin {sha} does not match its sha256"),
            });
        }
        Ok(bytes)
    }

    /// The record of one stored plugin (sha256 or prefix), without its bytes.
    pub fn plugin_blob_info(&self, sha256: &str) -> Result<PluginBlobInfo> {
        self.read(|conn| {
            let sha = resolve_id(conn, "plugin_blobs", "sha256", "stored plugin", sha256)?;
            Ok(conn.query_row(
                &format!("{SELECT_PLUGIN} WHERE sha256 = ?1"),
                params![&sha],
                plugin_row,
            )?)
        })
    }

    /// Every stored plugin, without loading the bytes, by plugin id then newest first.
    pub fn list_plugin_blobs(&self) -> Result<Vec<PluginBlobInfo>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT_PLUGIN} ORDER BY plugin_id, added_at DESC"
            ))?;
            let rows = stmt.query_map(params![], plugin_row)?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }
}
