//! The plugins an auditor can use: the bundled ones and those installed in
//! the database, each loaded once in one shared sandboxed host.

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
pub struct Catalog {
    host: Arc<Host>,
    entries: Vec<CatalogEntry>,
    /// Plugins that failed to load, kept to be shown rather than hidden.
    pub failures: Vec<(Origin, String)>,
}

impl Catalog {
    pub fn new(host: Arc<Host>) -> Self {
        Catalog {
            host,
            entries: Vec::new(),
            failures: Vec::new(),
        }
    }

    pub fn host(&self) -> &Arc<Host> {
        &self.host
    }

    pub fn entries(&self) -> &[CatalogEntry] {
        &self.entries
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
        match self.host.load(bytes, &origin.to_string()) {
            Ok(plugin) => {
                let entry = CatalogEntry {
                    plugin: Arc::new(plugin),
                    origin,
                };
                self.entries.push(entry.clone());
                Ok(entry)
            }
            Err(e) => {
                self.failures.push((origin, e.to_string()));
                Err(e)
            }
        }
    }

    /// The plugin with this exact sha256.
    pub fn by_sha(&self, sha256: &str) -> Option<&CatalogEntry> {
        self.entries.iter().find(|e| e.plugin.sha256() == sha256)
    }

    /// Finds a plugin by id (the newest version wins when several are
    /// installed) or by sha256 prefix (at least 8 hex digits).
    pub fn find(&self, query: &str) -> Result<&CatalogEntry, CatalogError> {
        let by_id: Vec<&CatalogEntry> = self
            .entries
            .iter()
            .filter(|e| e.plugin.id() == query)
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

fn version_key(version: &str) -> Vec<u64> {
    version.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}
