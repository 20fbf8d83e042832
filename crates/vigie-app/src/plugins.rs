//! The plugins stored in a database, as a team governs them: where each came from, whether it
//! loads, whether it may take a bundled questionnaire's place, who signed it.
//!
//! Loading a plugin runs its `describe` in the sandbox, which may take up to the host's time
//! limit; so stored plugins are loaded only when one is needed (chosen by id or sha256,
//! listed, or offered in the workbench's picker), and the outcome is remembered in the
//! database, keyed by the plugin's sha256 and by everything in the host that can change it
//! ([`Workbench::host_key`]). A plugin that failed is then skipped at no cost, with its reason.
//!
//! A remembered row may have been written by another program, so it is trusted for nothing
//! that matters: a remembered failure only hides a plugin (which such a program could delete
//! anyway); a remembered success only gives a list its id, version and name, after checking
//! them like plugin output and against the plugin's row. Choosing a plugin always loads its
//! bytes for real, and scoring always uses the bytes.

use std::collections::HashMap;
use std::sync::Arc;

use vigie_model::Localized;
use vigie_plugin_host::{Plugin, sha256_hex};
use vigie_store::{
    MAX_PLUGIN_BYTES, PluginBlobInfo, PluginCheck, REQUIRE_SIGNED_PLUGINS, ShadowAllowance,
    StoreError,
};

use crate::catalog::{Catalog, CatalogEntry, Origin, version_key};
use crate::signing::{self, SignatureStatus};
use crate::workbench::{AppError, AppResult, Workbench};

/// The prefix of the origin of a plugin that came in an exchange file.
pub const IMPORTED_FROM: &str = "imported from ";

/// How a stored plugin stands with the bundled plugins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BundledRelation {
    /// Its id is not a bundled plugin's.
    Own,
    /// It is a copy of a plugin bundled with this build (same bytes).
    Bundled,
    /// It claims a bundled plugin's id: it scores the assessments that pin it, but is never
    /// chosen for a new one.
    Shadowed,
    /// It claims a bundled plugin's id, and the team decided it may take its place.
    ShadowAllowed(ShadowAllowance),
}

/// Whether a stored plugin loads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoredState {
    /// It loads and describes itself as its row says.
    Usable { name: Localized },
    /// It does not load, or is not what its row says.
    Unusable { reason: String },
    /// Not loaded yet with this host.
    Unchecked,
}

/// One stored plugin, as `plugin list` and the workbench show it.
#[derive(Clone, Debug)]
pub struct StoredPlugin {
    /// Its row: id and version (as claimed), size, origin, who added it and when.
    pub info: PluginBlobInfo,
    pub state: StoredState,
    pub relation: BundledRelation,
    pub signature: SignatureStatus,
}

impl StoredPlugin {
    /// Where it came from, in words: bundled, installed by whom, when, from which file, or
    /// imported by whom, when, from which exchange file.
    pub fn provenance(&self) -> String {
        provenance(&self.info)
    }
}

/// Where a stored plugin came from, in words.
pub fn provenance(info: &PluginBlobInfo) -> String {
    let (who, at) = (&info.added_by, &info.added_at);
    if info.origin == "bundled" {
        format!("bundled; stored by {who} at {at}")
    } else if let Some(file) = info.origin.strip_prefix(IMPORTED_FROM) {
        format!("imported by {who} at {at} from {file}")
    } else if info.origin == "import" {
        format!("imported by {who} at {at}")
    } else {
        format!("installed by {who} at {at} from {}", info.origin)
    }
}

/// How `vigie plugin install` was asked to install a plugin.
#[derive(Clone, Debug, Default)]
pub struct InstallOptions {
    /// The text of the plugin's `.minisig` signature.
    pub signature: Option<String>,
    /// The audited decision that the plugin may take the place of the bundled plugin with
    /// the same id.
    pub allow_shadow: bool,
}

/// The longest reason or text taken from a remembered row.
const MAX_REMEMBERED_TEXT: usize = 2000;

fn clean_text(text: &str) -> Option<&str> {
    (text.len() <= MAX_REMEMBERED_TEXT && !text.chars().any(char::is_control)).then_some(text)
}

/// The remembered outcome for `info`, if it is one this build can believe (see the module
/// documentation): anything malformed counts as never checked.
fn believable(info: &PluginBlobInfo, check: &PluginCheck) -> Option<StoredState> {
    if !check.usable {
        let reason = check.reason.as_deref().unwrap_or("it did not load");
        // A reason is shown, so it must be plain text; one from an error message may hold
        // line feeds, which are kept as spaces.
        let reason = reason.replace('\n', " ");
        return Some(StoredState::Unusable {
            reason: clean_text(&reason)?.to_string(),
        });
    }
    if check.plugin_id.as_deref() != Some(info.plugin_id.as_str())
        || check.version.as_deref() != Some(info.version.as_str())
    {
        return None;
    }
    let name: Localized = serde_json::from_str(check.name.as_deref()?).ok()?;
    if name.0.len() > 16
        || name
            .0
            .iter()
            .any(|t| clean_text(&t.text).is_none() || clean_text(&t.lang).is_none())
    {
        return None;
    }
    Some(StoredState::Usable { name })
}

impl Workbench {
    /// A key for remembered load outcomes: it changes with this build, its sandbox engine and
    /// its limits, so that a plugin refused under a time limit is tried again under a larger
    /// one.
    pub fn host_key(&self) -> String {
        let host = self.catalog.host();
        sha256_hex(
            format!(
                "vigie-app {}\nengine {}\nlimits {:?}",
                env!("CARGO_PKG_VERSION"),
                host.engine_hash(),
                host.limits()
            )
            .as_bytes(),
        )
    }

    /// Whether the team requires plugins (other than bundled ones) to be signed by a key it
    /// trusts.
    pub fn signatures_required(&self) -> AppResult<bool> {
        Ok(self.store.setting(REQUIRE_SIGNED_PLUGINS)?.as_deref() == Some("on"))
    }

    /// Records whether signatures are required (audited).
    pub fn require_signatures(&self, required: bool) -> AppResult<()> {
        self.store
            .set_setting(REQUIRE_SIGNED_PLUGINS, if required { "on" } else { "off" })?;
        Ok(())
    }

    /// Reads the team's decisions about shadowing bundled plugins into the catalog.
    pub fn refresh_shadow_decisions(&mut self) -> AppResult<Vec<ShadowAllowance>> {
        let allowed = self.store.shadow_allowances()?;
        self.catalog
            .set_shadow_allowed(allowed.iter().map(|a| a.sha256.clone()));
        Ok(allowed)
    }

    fn remembered(&self) -> AppResult<HashMap<String, PluginCheck>> {
        Ok(self
            .store
            .plugin_checks(&self.host_key())?
            .into_iter()
            .map(|c| (c.sha256.clone(), c))
            .collect())
    }

    /// How the stored plugin `info` stands with the bundled ones.
    fn relation(&self, info: &PluginBlobInfo, allowed: &[ShadowAllowance]) -> BundledRelation {
        if Catalog::is_bundled_sha(&info.sha256) {
            return BundledRelation::Bundled;
        }
        if self.catalog.bundled_with_id(&info.plugin_id).is_none() {
            return BundledRelation::Own;
        }
        match allowed.iter().find(|a| a.sha256 == info.sha256) {
            Some(a) => BundledRelation::ShadowAllowed(a.clone()),
            None => BundledRelation::Shadowed,
        }
    }

    /// Loads the stored plugin `info` unless it is loaded already or remembered as unusable;
    /// remembers the outcome. `Ok(Err(reason))`: it does not load.
    fn load_stored(
        &mut self,
        info: &PluginBlobInfo,
        remembered: Option<&PluginCheck>,
    ) -> AppResult<Result<CatalogEntry, String>> {
        if let Some(entry) = self.catalog.by_sha(&info.sha256) {
            return Ok(Ok(entry.clone()));
        }
        if let Some(StoredState::Unusable { reason }) =
            remembered.and_then(|check| believable(info, check))
        {
            return Ok(Err(reason));
        }
        let outcome = self.load_stored_now(info)?;
        let check = match &outcome {
            Ok(plugin) => PluginCheck {
                sha256: info.sha256.clone(),
                usable: true,
                plugin_id: Some(plugin.id().to_string()),
                version: Some(plugin.version().to_string()),
                name: serde_json::to_string(&plugin.questionnaire().info.name).ok(),
                reason: None,
                checked_at: String::new(),
            },
            Err(reason) => PluginCheck {
                sha256: info.sha256.clone(),
                usable: false,
                plugin_id: None,
                version: None,
                name: None,
                reason: Some(reason.clone()),
                checked_at: String::new(),
            },
        };
        // Remembering is an optimisation: a database opened read-only still works.
        let _ = self.store.remember_plugin_check(&self.host_key(), &check);
        Ok(match outcome {
            Ok(plugin) => Ok(self.catalog.insert(plugin, Origin::Database)),
            Err(reason) => {
                self.catalog
                    .failures
                    .push((Origin::Database, reason.clone()));
                Err(reason)
            }
        })
    }

    fn load_stored_now(&mut self, info: &PluginBlobInfo) -> AppResult<Result<Plugin, String>> {
        if info.size > MAX_PLUGIN_BYTES as u64 {
            return Ok(Err(StoreError::PluginTooLarge {
                size: info.size,
                max: MAX_PLUGIN_BYTES as u64,
            }
            .to_string()));
        }
        let bytes = match self.store.plugin_blob(&info.sha256) {
            Ok(bytes) => bytes,
            Err(e @ StoreError::Corrupt { .. }) => return Ok(Err(e.to_string())),
            Err(e) => return Err(e.into()),
        };
        let plugin = match self.catalog.load(&bytes, &Origin::Database) {
            Ok(plugin) => plugin,
            Err(e) => return Ok(Err(e.to_string())),
        };
        if plugin.id() != info.plugin_id || plugin.version() != info.version {
            return Ok(Err(format!(
                "the database stores it as {} {}, but it describes itself as {} {}",
                info.plugin_id,
                info.version,
                plugin.id(),
                plugin.version()
            )));
        }
        Ok(Ok(plugin))
    }

    /// Every stored plugin with its provenance, state, relation to the bundled plugins and
    /// signature. With `check`, plugins not yet checked with this host are loaded (once:
    /// the outcome is remembered); without, they are listed as unchecked.
    pub fn stored_plugins(&mut self, check: bool) -> AppResult<Vec<StoredPlugin>> {
        let allowed = self.refresh_shadow_decisions()?;
        let remembered = self.remembered()?;
        let signatures: HashMap<String, String> = self
            .store
            .plugin_signatures()?
            .into_iter()
            .map(|s| (s.sha256, s.signature))
            .collect();
        let keys = self.store.trusted_keys()?;
        let mut out = Vec::new();
        for info in self.store.list_plugin_blobs()? {
            let relation = self.relation(&info, &allowed);
            let state = if let Some(entry) = self.catalog.by_sha(&info.sha256) {
                StoredState::Usable {
                    name: entry.plugin.questionnaire().info.name.clone(),
                }
            } else if let Some(state) = remembered
                .get(&info.sha256)
                .and_then(|c| believable(&info, c))
            {
                state
            } else if check {
                match self.load_stored(&info, None)? {
                    Ok(entry) => StoredState::Usable {
                        name: entry.plugin.questionnaire().info.name.clone(),
                    },
                    Err(reason) => StoredState::Unusable { reason },
                }
            } else {
                StoredState::Unchecked
            };
            let signature = match signatures.get(&info.sha256) {
                None => SignatureStatus::Unsigned,
                Some(sig) => match self.store.plugin_blob(&info.sha256) {
                    Ok(bytes) => signing::check(&bytes, Some(sig), &keys),
                    Err(e) => SignatureStatus::Invalid {
                        reason: e.to_string(),
                    },
                },
            };
            out.push(StoredPlugin {
                info,
                state,
                relation,
                signature,
            });
        }
        Ok(out)
    }

    /// Loads the stored plugins a new assessment may use (not shadowed, not known to fail),
    /// for the workbench's picker. Each is loaded once per host; failures are remembered.
    pub fn load_database_plugins(&mut self) -> AppResult<()> {
        let allowed = self.refresh_shadow_decisions()?;
        let remembered = self.remembered()?;
        for info in self.store.list_plugin_blobs()? {
            match self.relation(&info, &allowed) {
                BundledRelation::Own | BundledRelation::ShadowAllowed(_) => {
                    // A failure is remembered and kept in `catalog.failures` to be shown.
                    let _ = self.load_stored(&info, remembered.get(&info.sha256))?;
                }
                BundledRelation::Bundled | BundledRelation::Shadowed => {}
            }
        }
        Ok(())
    }

    /// Finds the plugin for `query` (an id: the newest usable version, a bundled plugin
    /// winning over a stored one with its id unless the team decided otherwise; or a sha256
    /// prefix of at least 8 hex digits), loading only the stored plugin it needs.
    pub fn find_plugin(&mut self, query: &str) -> AppResult<CatalogEntry> {
        let allowed = self.refresh_shadow_decisions()?;
        let remembered = self.remembered()?;
        let rows = self.store.list_plugin_blobs()?;
        let bundled_version = self
            .catalog
            .bundled_with_id(query)
            .map(|e| version_key(e.plugin.version()));
        let mut by_id: Vec<&PluginBlobInfo> = rows
            .iter()
            .filter(|info| info.plugin_id == query)
            .filter(|info| match self.relation(info, &allowed) {
                BundledRelation::Own | BundledRelation::ShadowAllowed(_) => true,
                BundledRelation::Bundled | BundledRelation::Shadowed => false,
            })
            .collect();
        by_id.sort_by_key(|info| std::cmp::Reverse(version_key(&info.version)));
        for info in by_id {
            if bundled_version
                .as_ref()
                .is_some_and(|bundled| version_key(&info.version) < *bundled)
            {
                break;
            }
            if self
                .load_stored(info, remembered.get(&info.sha256))?
                .is_ok()
            {
                break;
            }
        }
        let is_prefix = query.len() >= 8 && query.bytes().all(|b| b.is_ascii_hexdigit());
        if self.catalog.find(query).is_err() && is_prefix {
            let prefix = query.to_ascii_lowercase();
            let matches: Vec<&PluginBlobInfo> = rows
                .iter()
                .filter(|info| info.sha256.starts_with(&prefix))
                .collect();
            if let [info] = matches.as_slice()
                && let Err(reason) = self.load_stored(info, remembered.get(&info.sha256))?
            {
                return Err(AppError::PluginUnusable {
                    sha256: info.sha256.clone(),
                    reason,
                });
            }
        }
        Ok(self.catalog.find(query)?.clone())
    }

    /// Checks that a new assessment may use `entry`: not a plugin shadowed by a bundled one,
    /// and signed by a trusted key when the team requires it.
    pub fn check_use(&mut self, entry: &CatalogEntry) -> AppResult<()> {
        let plugin = &entry.plugin;
        if Catalog::is_bundled_sha(plugin.sha256()) {
            return Ok(());
        }
        self.refresh_shadow_decisions()?;
        if self.catalog.is_shadowed(entry) {
            return Err(AppError::Shadowed {
                plugin_id: plugin.id().to_string(),
                version: plugin.version().to_string(),
                sha256: plugin.sha256().to_string(),
            });
        }
        if self.signatures_required()? {
            let status = self.signature_of(plugin)?;
            if !status.is_trusted() {
                return Err(AppError::SignatureRequired {
                    plugin: plugin.name().to_string(),
                    status: status.to_string(),
                });
            }
        }
        Ok(())
    }

    /// What the stored signature of `plugin` proves.
    pub fn signature_of(&self, plugin: &Plugin) -> AppResult<SignatureStatus> {
        let signature = self
            .store
            .plugin_signatures()?
            .into_iter()
            .find(|s| s.sha256 == plugin.sha256());
        let Some(signature) = signature else {
            return Ok(SignatureStatus::Unsigned);
        };
        let bytes = self.store.plugin_blob(plugin.sha256())?;
        Ok(signing::check(
            &bytes,
            Some(&signature.signature),
            &self.store.trusted_keys()?,
        ))
    }

    /// Installs a plugin file into the database, so that everyone sharing it can use it.
    ///
    /// Refused, with nothing stored: a file over [`MAX_PLUGIN_BYTES`] (before it is loaded);
    /// a signature that does not match; an unsigned or untrusted plugin when the team
    /// requires signatures; a plugin that does not load; other bytes under a stored or bundled
    /// plugin's id and version; a plugin claiming a bundled plugin's id without
    /// `allow_shadow` (with it, the decision is recorded in the audit trail).
    pub fn install_plugin_with(
        &mut self,
        bytes: &[u8],
        origin: &str,
        options: &InstallOptions,
    ) -> AppResult<Arc<Plugin>> {
        if bytes.len() > MAX_PLUGIN_BYTES {
            return Err(StoreError::PluginTooLarge {
                size: bytes.len() as u64,
                max: MAX_PLUGIN_BYTES as u64,
            }
            .into());
        }
        let signature = match &options.signature {
            None => SignatureStatus::Unsigned,
            Some(text) => {
                // A file that is not a signature is an error, whoever signed it.
                signing::signature_key_id(text)?;
                match signing::check(bytes, Some(text), &self.store.trusted_keys()?) {
                    SignatureStatus::Invalid { reason } => {
                        return Err(AppError::BadSignature { reason });
                    }
                    status => status,
                }
            }
        };
        let sha = sha256_hex(bytes);
        if self.signatures_required()? && !signature.is_trusted() && !Catalog::is_bundled_sha(&sha)
        {
            return Err(AppError::SignatureRequired {
                plugin: origin.to_string(),
                status: signature.to_string(),
            });
        }
        let origin_tag = Origin::File(origin.to_string());
        let plugin: Arc<Plugin> = match self.catalog.by_sha(&sha) {
            Some(entry) => entry.plugin.clone(),
            None => Arc::new(self.catalog.load(bytes, &origin_tag)?),
        };
        let shadows = self.check_bundled_identity(&plugin)?;
        if shadows && !options.allow_shadow {
            return Err(AppError::WouldShadow {
                plugin_id: plugin.id().to_string(),
                version: plugin.version().to_string(),
                sha256: sha.clone(),
            });
        }
        self.store
            .put_plugin_blob(bytes, plugin.id(), plugin.version(), origin)?;
        if let Some(text) = &options.signature {
            let key_id = signing::signature_key_id(text)?;
            self.store.put_plugin_signature(&sha, &key_id, text)?;
        }
        if shadows {
            self.store.allow_shadow(&sha)?;
            self.refresh_shadow_decisions()?;
        }
        let check = PluginCheck {
            sha256: sha.clone(),
            usable: true,
            plugin_id: Some(plugin.id().to_string()),
            version: Some(plugin.version().to_string()),
            name: serde_json::to_string(&plugin.questionnaire().info.name).ok(),
            reason: None,
            checked_at: String::new(),
        };
        let _ = self.store.remember_plugin_check(&self.host_key(), &check);
        Ok(self.catalog.insert(plugin, origin_tag).plugin)
    }

    /// Checks a plugin against the bundled plugin with its id, if any: the same id and version
    /// with other bytes is refused; returns whether it would take the bundled plugin's place.
    pub(crate) fn check_bundled_identity(&self, plugin: &Plugin) -> AppResult<bool> {
        let Some(bundled) = self.catalog.bundled_with_id(plugin.id()) else {
            return Ok(false);
        };
        if bundled.plugin.sha256() == plugin.sha256() {
            return Ok(false);
        }
        if bundled.plugin.version() == plugin.version() {
            return Err(StoreError::PluginIdentityClash {
                plugin_id: plugin.id().to_string(),
                version: plugin.version().to_string(),
                existing: bundled.plugin.sha256().to_string(),
                new: plugin.sha256().to_string(),
            }
            .into());
        }
        Ok(true)
    }

    /// Records the audited decision that the stored plugin `query` (a sha256 prefix, or the
    /// id of exactly one stored plugin claiming a bundled id) may take the bundled plugin's
    /// place.
    pub fn allow_shadow(&mut self, query: &str) -> AppResult<ShadowAllowance> {
        let sha = self.stored_shadowing(query)?;
        let decision = self.store.allow_shadow(&sha)?;
        self.refresh_shadow_decisions()?;
        Ok(decision)
    }

    /// Withdraws the decision of [`Workbench::allow_shadow`].
    pub fn forbid_shadow(&mut self, query: &str) -> AppResult<ShadowAllowance> {
        let sha = self.stored_shadowing(query)?;
        let decision = self.store.forbid_shadow(&sha)?;
        self.refresh_shadow_decisions()?;
        Ok(decision)
    }

    /// The sha256 of the one stored plugin `query` names that claims a bundled plugin's id.
    fn stored_shadowing(&self, query: &str) -> AppResult<String> {
        let rows = self.store.list_plugin_blobs()?;
        let prefix = query.to_ascii_lowercase();
        let candidates: Vec<&PluginBlobInfo> = rows
            .iter()
            .filter(|info| !Catalog::is_bundled_sha(&info.sha256))
            .filter(|info| {
                info.plugin_id == query
                    || (prefix.len() >= 8
                        && prefix.bytes().all(|b| b.is_ascii_hexdigit())
                        && info.sha256.starts_with(&prefix))
            })
            .collect();
        let info = match candidates.as_slice() {
            [] => {
                return Err(AppError::Invalid(format!(
                    "no stored plugin other than a bundled one matches `{query}`; \
                     `vigie plugin list` shows them"
                )));
            }
            [one] => *one,
            many => {
                return Err(AppError::Invalid(format!(
                    "`{query}` matches several stored plugins ({}); give the sha256",
                    many.iter()
                        .map(|i| format!("{} {} {}", i.plugin_id, i.version, &i.sha256[..12]))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        };
        if self.catalog.bundled_with_id(&info.plugin_id).is_none() {
            return Err(AppError::Invalid(format!(
                "{} is not the id of a bundled plugin: there is nothing to shadow",
                info.plugin_id
            )));
        }
        Ok(info.sha256.clone())
    }
}
