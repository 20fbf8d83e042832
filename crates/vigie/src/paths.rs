//! Where Vigie keeps things: the default database in the user's data
//! directory, compiled plugins in the user's cache directory.

use std::path::PathBuf;

use directories::ProjectDirs;
use vigie_model::Lang;

use crate::Failure;
use crate::cli::Cli;

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("org", "Vigie", "vigie")
}

/// The default database file.
pub fn default_db() -> Option<PathBuf> {
    dirs().map(|d| d.data_dir().join("vigie.sqlite"))
}

/// The database in use: `--db` (or `VIGIE_DB`, which clap reads into the
/// same field), else the default file in the user's data directory.
pub fn db_path(cli: &Cli) -> Result<PathBuf, Failure> {
    if let Some(path) = cli.db.as_ref().filter(|p| !p.as_os_str().is_empty()) {
        return Ok(path.clone());
    }
    default_db().ok_or_else(|| {
        Failure::new("cannot find a data directory for the default database (no home directory?); give --db FILE or set VIGIE_DB")
    })
}

/// The compiled-plugin cache folder; `VIGIE_CACHE_DIR` overrides it (tests,
/// a home on a slow or read-only disk). It belongs to one user: a folder
/// another user owns or may write is refused (see `vigie_plugin_host`'s
/// cache), so users of one server each need their own.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("VIGIE_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    dirs().map(|d| d.cache_dir().join("compiled-plugins"))
}

/// The key that authenticates this user's compiled plugins: in the
/// configuration folder, never in the cache folder, so that whoever can
/// write the cache (or empties it) neither reads nor replaces the key.
pub fn cache_key_file() -> Option<PathBuf> {
    config_dir().map(|dir| dir.join("compile-cache.key"))
}

/// Keymap and theme live here.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("VIGIE_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    dirs().map(|d| d.config_dir().to_path_buf())
}

/// The interface language: `--lang`, else the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that
/// is set (French when it starts with `fr`), else English.
pub fn language(cli: &Cli) -> Lang {
    if let Some(lang) = cli.lang {
        return lang.lang();
    }
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(value) = std::env::var(var)
            && !value.is_empty()
        {
            return if value.starts_with("fr") {
                Lang::Fr
            } else {
                Lang::En
            };
        }
    }
    Lang::En
}
