//! Cross-crate tests for Vigie (see `tests/`), and the test plugins they use.
//!
//! `build.rs` builds the plugin crates in `tests/plugins/` from source into
//! WebAssembly components; this crate says where they are.

use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/plugins.rs"));

/// The path of test plugin `name` (a crate of `tests/plugins/`).
///
/// # Panics
/// When `name` is not one of [`PLUGINS`].
pub fn plugin_path(name: &str) -> &'static Path {
    PLUGINS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, path)| Path::new(*path))
        .unwrap_or_else(|| panic!("no test plugin `{name}`; the plugins are {PLUGINS:?}"))
}

/// The component bytes of test plugin `name`.
///
/// # Panics
/// When `name` is unknown or its file cannot be read.
pub fn plugin_bytes(name: &str) -> Vec<u8> {
    let path = plugin_path(name);
    std::fs::read(path)
        .unwrap_or_else(|e| panic!("cannot read test plugin {}: {e}", path.display()))
}
