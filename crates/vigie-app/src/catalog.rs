//! The plugins an auditor can use: the bundled ones and those installed in
//! the database, each loaded once in one shared sandboxed host.

use std::collections::HashSet;
use std::sync::Arc;

use vigie_plugin_host::{Host, Plugin, PluginError};

/// Where a plugin's bytes came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Bundled,
    Database,
    File(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Bundled => f.write_str("bundled"),
            Origin::Database => f.write_str("database"),
            Origin::File(path) => f.write_str(path),
        }
    }
}

/// One loaded plugin with its origin.
#[derive(Clone, Debug)]
pub struct CatalogEntry {
    pub plugin: Arc<Plugin>,
    pub origin: Origin,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Plugin(#[from] PluginError),
    #[error("no plugin `{0}`; `vigie plugin list` shows the installed ones")]
    NotFound(String),
    #[error("`{query}` matches several plugins ({matches}); give more of the sha256")]
    Ambiguous { query: String, matches: String },
}

/// The loaded plugins, shared by every screen and command.
///
/// A bundled plugin's id belongs to it: a plugin from the database with the same id is
/// *shadowed* (never chosen by id) unless the team decided otherwise, in an audited
/// decision ([`Catalog::set_shadow_allowed`]).
pub struct Catalog {
    host: Arc<Host>,
    entries: Vec<CatalogEntry>,
    /// Plugins that failed to load, kept to be shown rather than hidden.
    pub failures: Vec<(Origin, String)>,
    /// sha256 of the stored plugins allowed to take a bundled plugin's place.
    shadow_allowed: HashSet<String>,
    /// Plugins loaded (each one a `describe` call in the sandbox).
    loads: usize,
}

impl Catalog {
    pub fn new(host: Arc<Host>) -> Self {
        Catalog {
            host,
            entries: Vec::new(),
            failures: Vec::new(),
            shadow_allowed: HashSet::new(),
            loads: 0,
        }
    }

    pub fn host(&self) -> &Arc<Host> {
        &self.host
    }

    pub fn entries(&self) -> &[CatalogEntry] {
        &self.entries
    }

    /// How many plugins this catalog has loaded so far, each one a `describe` call.
    pub fn loads(&self) -> usize {
        self.loads
    }

    /// The stored plugins (sha256) allowed to take the place of a bundled plugin.
    pub fn set_shadow_allowed(&mut self, sha256s: impl IntoIterator<Item = String>) {
        self.shadow_allowed = sha256s.into_iter().collect();
    }

    /// Whether `sha256` is the sha256 of a bundled plugin.
    pub fn is_bundled_sha(sha256: &str) -> bool {
        vigie_bundled::BUNDLED
            .iter()
            .any(|b| vigie_plugin_host::sha256_hex(b.bytes) == sha256)
    }

    /// The loaded bundled plugin with id `id`, if any.
    pub fn bundled_with_id(&self, id: &str) -> Option<&CatalogEntry> {
        self.entries
            .iter()
            .find(|e| e.origin == Origin::Bundled && e.plugin.id() == id)
    }

    /// Whether `entry` is a plugin from elsewhere that claims a bundled plugin's id without
    /// the decision that lets it take its place.
    pub fn is_shadowed(&self, entry: &CatalogEntry) -> bool {
        entry.origin != Origin::Bundled
            && self.bundled_with_id(entry.plugin.id()).is_some()
            && !self.shadow_allowed.contains(entry.plugin.sha256())
    }

    /// Whether the stored plugin `sha256` may take a bundled plugin's place.
    pub fn shadow_allowed(&self, sha256: &str) -> bool {
        self.shadow_allowed.contains(sha256)
    }

    /// Loads the bundled plugins; a failure is recorded, not fatal.
    pub fn load_bundled(&mut self) {
        for bundled in vigie_bundled::BUNDLED {
            let _ = self.add(bundled.bytes, Origin::Bundled);
        }
    }

    /// Loads `bytes` unless a plugin with the same sha256 is already here;
    /// returns the entry either way.
    pub fn add(&mut self, bytes: &[u8], origin: Origin) -> Result<CatalogEntry, PluginError> {
        let sha = vigie_plugin_host::sha256_hex(bytes);
        if let Some(existing) = self.entries.iter().find(|e| e.plugin.sha256() == sha) {
            return Ok(existing.clone());
        }
        match self.load(bytes, &origin) {
            Ok(plugin) => Ok(self.insert(plugin, origin)),
            Err(e) => {
                self.failures.push((origin, e.to_string()));
                Err(e)
            }
        }
    }

    /// Loads `bytes` in the sandbox without adding them to the catalog (to judge a plugin
    /// before accepting it).
    pub fn load(&mut self, bytes: &[u8], origin: &Origin) -> Result<Plugin, PluginError> {
        self.loads += 1;
        self.host.load(bytes, &origin.to_string())
    }

    /// Adds a plugin loaded with [`Catalog::load`] (or returns the entry already holding the
    /// same bytes).
    pub fn insert(&mut self, plugin: impl Into<Arc<Plugin>>, origin: Origin) -> CatalogEntry {
        let plugin = plugin.into();
        if let Some(existing) = self.by_sha(plugin.sha256()) {
            return existing.clone();
        }
        let entry = CatalogEntry { plugin, origin };
        self.entries.push(entry.clone());
        entry
    }

    /// The plugin with this exact sha256.
    pub fn by_sha(&self, sha256: &str) -> Option<&CatalogEntry> {
        self.entries.iter().find(|e| e.plugin.sha256() == sha256)
    }

    /// Finds a loaded plugin by id (the newest version wins when several are
    /// loaded; a shadowed plugin is never chosen by id) or by sha256 prefix (at least
    /// 8 hex digits).
    pub fn find(&self, query: &str) -> Result<&CatalogEntry, CatalogError> {
        let by_id: Vec<&CatalogEntry> = self
            .entries
            .iter()
            .filter(|e| e.plugin.id() == query && !self.is_shadowed(e))
            .collect();
        if let Some(best) = by_id
            .into_iter()
            .max_by(|a, b| version_key(a.plugin.version()).cmp(&version_key(b.plugin.version())))
        {
            return Ok(best);
        }
        if query.len() >= 8 && query.bytes().all(|b| b.is_ascii_hexdigit()) {
            let matches: Vec<&CatalogEntry> = self
                .entries
                .iter()
                .filter(|e| e.plugin.sha256().starts_with(query))
                .collect();
            return match matches.as_slice() {
                [one] => Ok(one),
                [] => Err(CatalogError::NotFound(query.to_string())),
                many => Err(CatalogError::Ambiguous {
                    query: query.to_string(),
                    matches: many
                        .iter()
                        .map(|e| e.plugin.name().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                }),
            };
        }
        Err(CatalogError::NotFound(query.to_string()))
    }
}

/// A version as numbers, for ordering (a part that is not a number counts as 0).
pub fn version_key(version: &str) -> Vec<u64> {
    version.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}
