//! What a team decides about the plugins it stores: the keys it trusts to sign them, their
//! signatures, which stored plugin may take a bundled plugin's place, policy settings (each
//! change audited), and the remembered outcome of loading each plugin (a cache, not audited).
//!
//! The store keeps these rows; it does not judge them. Checking a signature against a key, or
//! a remembered outcome against what it claims, is the application's job: every row here may
//! have been written by another program.

use crate::db::{Optional, params};
use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};
use crate::records::{SELECT_PLUGIN, plugin_row};
use crate::{Store, resolve_id, to_json};

/// The setting that makes plugins need a signature by a trusted key ("on" or "off").
pub const REQUIRE_SIGNED_PLUGINS: &str = "plugins.require-signature";

/// A public key the team trusts to sign plugins (minisign format).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedKey {
    /// The key id, 16 lowercase hex digits (minisign's key number, as it prints it, reversed
    /// byte order aside: see the application's signing module).
    pub key_id: String,
    /// The base64 public key line of the `.pub` file.
    pub public_key: String,
    /// Whose key it is, in the team's words.
    pub comment: String,
    pub added_by: String,
    pub added_at: String,
}

/// A signature stored beside the plugin it signs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginSignature {
    pub sha256: String,
    /// The key id the signature names (not a proof: the signature must still be checked).
    pub key_id: String,
    /// The whole `.minisig` text.
    pub signature: String,
    pub added_by: String,
    pub added_at: String,
}

/// An audited decision to let a stored plugin take the place of the bundled plugin with the
/// same id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowAllowance {
    pub sha256: String,
    pub plugin_id: String,
    pub version: String,
    pub allowed_by: String,
    pub allowed_at: String,
}

/// The remembered outcome of loading a plugin (its sha256) with one host (see
/// [`Store::plugin_checks`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginCheck {
    pub sha256: String,
    pub usable: bool,
    /// What the plugin described, when usable.
    pub plugin_id: Option<String>,
    pub version: Option<String>,
    /// Its name, as JSON (a localized text), when usable.
    pub name: Option<String>,
    /// Why it is unusable.
    pub reason: Option<String>,
    pub checked_at: String,
}

fn is_key_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

const SELECT_KEY: &str =
    "SELECT key_id, public_key, comment, added_by, added_at FROM plugin_trusted_keys";

fn key_row(row: &crate::db::Row<'_>) -> crate::db::Result<TrustedKey> {
    Ok(TrustedKey {
        key_id: row.get(0)?,
        public_key: row.get(1)?,
        comment: row.get(2)?,
        added_by: row.get(3)?,
        added_at: row.get(4)?,
    })
}

const SELECT_SIGNATURE: &str =
    "SELECT sha256, key_id, signature, added_by, added_at FROM plugin_signatures";

fn signature_row(row: &crate::db::Row<'_>) -> crate::db::Result<PluginSignature> {
    Ok(PluginSignature {
        sha256: row.get(0)?,
        key_id: row.get(1)?,
        signature: row.get(2)?,
        added_by: row.get(3)?,
        added_at: row.get(4)?,
    })
}

const SELECT_SHADOW: &str =
    "SELECT sha256, plugin_id, version, allowed_by, allowed_at FROM plugin_shadow_allowed";

fn shadow_row(row: &crate::db::Row<'_>) -> crate::db::Result<ShadowAllowance> {
    Ok(ShadowAllowance {
        sha256: row.get(0)?,
        plugin_id: row.get(1)?,
        version: row.get(2)?,
        allowed_by: row.get(3)?,
        allowed_at: row.get(4)?,
    })
}

impl Store {
    /// Records a key the team trusts to sign plugins. `key_id` is 16 lowercase hex digits;
    /// the key itself is checked by the caller.
    pub fn add_trusted_key(
        &self,
        key_id: &str,
        public_key: &str,
        comment: &str,
    ) -> Result<TrustedKey> {
        if !is_key_id(key_id) {
            return Err(StoreError::Invalid(format!(
                "`{key_id}` is not a key id (16 lowercase hex digits)"
            )));
        }
        let public_key = public_key.trim();
        if public_key.is_empty() {
            return Err(StoreError::Invalid("the public key is empty".into()));
        }
        self.write(|tx| {
            let existing = tx
                .conn
                .query_row(
                    &format!("{SELECT_KEY} WHERE key_id = ?1"),
                    params![key_id],
                    key_row,
                )
                .optional()?;
            if let Some(existing) = existing {
                return Err(StoreError::Invalid(format!(
                    "key {key_id} is already trusted (added by {} at {})",
                    existing.added_by, existing.added_at
                )));
            }
            let key = TrustedKey {
                key_id: key_id.to_string(),
                public_key: public_key.to_string(),
                comment: comment.trim().to_string(),
                added_by: tx.who.to_string(),
                added_at: tx.now.to_string(),
            };
            tx.conn.execute(
                "INSERT INTO plugin_trusted_keys (key_id, public_key, comment, added_by, \
                 added_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    key.key_id,
                    key.public_key,
                    key.comment,
                    key.added_by,
                    key.added_at
                ],
            )?;
            let new = to_json("trusted key", &key)?;
            tx.audit("trust", "signing-key", key_id, None, None, Some(&new))?;
            Ok(key)
        })
    }

    /// Stops trusting a key (exact key id); returns what was removed.
    pub fn remove_trusted_key(&self, key_id: &str) -> Result<TrustedKey> {
        let key_id = key_id.trim().to_ascii_lowercase();
        self.write(|tx| {
            let key = tx
                .conn
                .query_row(
                    &format!("{SELECT_KEY} WHERE key_id = ?1"),
                    params![&key_id],
                    key_row,
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound {
                    kind: "trusted key",
                    key: key_id.clone(),
                })?;
            tx.conn.execute(
                "DELETE FROM plugin_trusted_keys WHERE key_id = ?1",
                params![&key_id],
            )?;
            let old = to_json("trusted key", &key)?;
            tx.audit("distrust", "signing-key", &key_id, None, Some(&old), None)?;
            Ok(key)
        })
    }

    /// The keys the team trusts, oldest first.
    pub fn trusted_keys(&self) -> Result<Vec<TrustedKey>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("{SELECT_KEY} ORDER BY added_at"))?;
            let rows = stmt.query_map(params![], key_row)?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }

    /// Stores the signature of a stored plugin (exact sha256), replacing an older one. The
    /// caller has checked it.
    pub fn put_plugin_signature(
        &self,
        sha256: &str,
        key_id: &str,
        signature: &str,
    ) -> Result<PluginSignature> {
        self.write(|tx| {
            let plugin = tx
                .conn
                .query_row(
                    &format!("{SELECT_PLUGIN} WHERE sha256 = ?1"),
                    params![sha256],
                    plugin_row,
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound {
                    kind: "stored plugin",
                    key: sha256.to_string(),
                })?;
            let old = tx
                .conn
                .query_row(
                    &format!("{SELECT_SIGNATURE} WHERE sha256 = ?1"),
                    params![sha256],
                    signature_row,
                )
                .optional()?;
            if let Some(old) = &old
                && old.signature == signature
            {
                return Ok(old.clone());
            }
            let row = PluginSignature {
                sha256: plugin.sha256.clone(),
                key_id: key_id.to_string(),
                signature: signature.to_string(),
                added_by: tx.who.to_string(),
                added_at: tx.now.to_string(),
            };
            tx.conn.execute(
                "INSERT INTO plugin_signatures (sha256, key_id, signature, added_by, added_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (sha256) DO UPDATE SET \
                 key_id = excluded.key_id, signature = excluded.signature, \
                 added_by = excluded.added_by, added_at = excluded.added_at",
                params![
                    row.sha256,
                    row.key_id,
                    row.signature,
                    row.added_by,
                    row.added_at
                ],
            )?;
            let old_json = old
                .as_ref()
                .map(|o| to_json("plugin signature", o))
                .transpose()?;
            let new = to_json("plugin signature", &row)?;
            tx.audit(
                "sign",
                "plugin",
                &row.sha256,
                None,
                old_json.as_deref(),
                Some(&new),
            )?;
            Ok(row)
        })
    }

    /// Every stored signature.
    pub fn plugin_signatures(&self) -> Result<Vec<PluginSignature>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("{SELECT_SIGNATURE} ORDER BY sha256"))?;
            let rows = stmt.query_map(params![], signature_row)?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }

    /// Records the decision that the stored plugin `sha256` (or a prefix) may take the place
    /// of the bundled plugin with its id. Returns the decision (the existing one if already
    /// made).
    pub fn allow_shadow(&self, sha256: &str) -> Result<ShadowAllowance> {
        self.write(|tx| {
            let sha = resolve_id(tx.conn, "plugin_blobs", "sha256", "stored plugin", sha256)?;
            let existing = tx
                .conn
                .query_row(
                    &format!("{SELECT_SHADOW} WHERE sha256 = ?1"),
                    params![&sha],
                    shadow_row,
                )
                .optional()?;
            if let Some(existing) = existing {
                return Ok(existing);
            }
            let plugin = tx.conn.query_row(
                &format!("{SELECT_PLUGIN} WHERE sha256 = ?1"),
                params![&sha],
                plugin_row,
            )?;
            let row = ShadowAllowance {
                sha256: sha.clone(),
                plugin_id: plugin.plugin_id,
                version: plugin.version,
                allowed_by: tx.who.to_string(),
                allowed_at: tx.now.to_string(),
            };
            tx.conn.execute(
                "INSERT INTO plugin_shadow_allowed (sha256, plugin_id, version, allowed_by, \
                 allowed_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    row.sha256,
                    row.plugin_id,
                    row.version,
                    row.allowed_by,
                    row.allowed_at
                ],
            )?;
            let new = to_json("shadow decision", &row)?;
            tx.audit("allow-shadow", "plugin", &sha, None, None, Some(&new))?;
            Ok(row)
        })
    }

    /// Withdraws the decision of [`Store::allow_shadow`] for `sha256` (or a prefix).
    pub fn forbid_shadow(&self, sha256: &str) -> Result<ShadowAllowance> {
        self.write(|tx| {
            let sha = resolve_id(
                tx.conn,
                "plugin_shadow_allowed",
                "sha256",
                "decision to let a plugin replace a bundled one",
                sha256,
            )?;
            let row = tx.conn.query_row(
                &format!("{SELECT_SHADOW} WHERE sha256 = ?1"),
                params![&sha],
                shadow_row,
            )?;
            tx.conn.execute(
                "DELETE FROM plugin_shadow_allowed WHERE sha256 = ?1",
                params![&sha],
            )?;
            let old = to_json("shadow decision", &row)?;
            tx.audit("forbid-shadow", "plugin", &sha, None, Some(&old), None)?;
            Ok(row)
        })
    }

    /// Every decision to let a stored plugin replace a bundled one.
    pub fn shadow_allowances(&self) -> Result<Vec<ShadowAllowance>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("{SELECT_SHADOW} ORDER BY sha256"))?;
            let rows = stmt.query_map(params![], shadow_row)?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }

    /// Sets a policy setting (audited); returns the previous value.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<Option<String>> {
        self.write(|tx| {
            let old: Option<String> = tx
                .conn
                .query_row(
                    "SELECT value FROM settings WHERE key = ?1",
                    params![key],
                    |r| r.get(0),
                )
                .optional()?;
            if old.as_deref() == Some(value) {
                return Ok(old);
            }
            tx.conn.execute(
                "INSERT INTO settings (key, value, updated_by, updated_at) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (key) DO UPDATE SET \
                 value = excluded.value, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
                params![key, value, tx.who, tx.now.as_str()],
            )?;
            let old_json = old
                .as_ref()
                .map(|v| to_json("setting", &serde_json::json!({ "key": key, "value": v })))
                .transpose()?;
            let new = to_json(
                "setting",
                &serde_json::json!({ "key": key, "value": value }),
            )?;
            tx.audit("set", "setting", key, None, old_json.as_deref(), Some(&new))?;
            Ok(old)
        })
    }

    /// The value of a policy setting, if it was ever set.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    "SELECT value FROM settings WHERE key = ?1",
                    params![key],
                    |r| r.get(0),
                )
                .optional()?)
        })
    }

    /// Remembers the outcome of loading plugin `check.sha256` with the host `host` (a key that
    /// changes with everything that can change the outcome). A cache, so not audited: the
    /// application treats what it reads back as untrusted.
    pub fn remember_plugin_check(&self, host: &str, check: &PluginCheck) -> Result<()> {
        self.write(|tx| {
            tx.conn.execute(
                "INSERT INTO plugin_checks (sha256, host, usable, plugin_id, version, name, \
                 reason, checked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (sha256, host) DO UPDATE SET usable = excluded.usable, \
                 plugin_id = excluded.plugin_id, version = excluded.version, \
                 name = excluded.name, reason = excluded.reason, checked_at = excluded.checked_at",
                params![
                    check.sha256,
                    host,
                    check.usable,
                    check.plugin_id,
                    check.version,
                    check.name,
                    check.reason,
                    tx.now.as_str(),
                ],
            )?;
            Ok(())
        })
    }

    /// The remembered outcomes of loading stored plugins with the host `host`.
    pub fn plugin_checks(&self, host: &str) -> Result<Vec<PluginCheck>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT sha256, usable, plugin_id, version, name, reason, checked_at \
                 FROM plugin_checks WHERE host = ?1 ORDER BY sha256",
            )?;
            let rows = stmt.query_map(params![host], |row| {
                Ok(PluginCheck {
                    sha256: row.get(0)?,
                    usable: row.get(1)?,
                    plugin_id: row.get(2)?,
                    version: row.get(3)?,
                    name: row.get(4)?,
                    reason: row.get(5)?,
                    checked_at: row.get(6)?,
                })
            })?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }
}
