//! Builds plugin crates from source into WebAssembly components, for build
//! scripts: `vigie-bundled` embeds the bundled questionnaires this way and the
//! test suite builds its hostile plugins this way. Nothing compiled is ever
//! committed.
//!
//! It runs a nested `cargo build` (profile `plugin`, else `release`) in the plugin folder, which
//! targets `wasm32-unknown-unknown` and links with the toolchain's
//! `wasm-component-ld` (see that workspace's `.cargo/config.toml`). It must
//! stay free of runtime dependencies: it only runs at build time.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot run cargo for the plugins in {dir}: {source}")]
    Spawn { dir: String, source: std::io::Error },
    #[error(
        "building the plugins in {dir} failed (status {status}).\n\
         If the message above says the wasm32-unknown-unknown target is missing, run \
         `rustup toolchain install` in the repository (it reads rust-toolchain.toml)."
    )]
    Failed { dir: String, status: String },
    #[error("the plugin build in {dir} produced no {file}")]
    Missing { dir: String, file: String },
}

/// Environment variables that the outer cargo sets for build scripts and that
/// must not leak into the nested build (they would retarget or re-flag it).
const SCRUBBED: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_MANIFEST_DIR",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_PKG_NAME",
    "TARGET",
    "HOST",
    "OUT_DIR",
    "PROFILE",
    "OPT_LEVEL",
    "DEBUG",
    "__CARGO_FIX_PLZ",
    "CARGO_LLVM_COV",
    "LLVM_PROFILE_FILE",
];

/// The target folder shared by all plugin builds of one outer build:
/// `<outer target dir>/wasm-plugins`, derived from `OUT_DIR`
/// (`<target>/<profile>/build/<pkg>-<hash>/out`), so rebuilds are incremental.
pub fn plugin_target_dir() -> PathBuf {
    let out = std::env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    out.ancestors()
        .nth(4)
        .map(|target| target.join("wasm-plugins"))
        .unwrap_or_else(|| out.join("wasm-plugins"))
}

/// The profile to build with: `plugin` when the workspace that owns
/// `dir` defines `[profile.plugin]` (Vigie's own workspace does: small code,
/// panic=abort), else `release` (standalone plugin workspaces).
fn profile_for(dir: &Path) -> String {
    for ancestor in dir.ancestors() {
        let manifest = ancestor.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest)
            && text.lines().any(|l| l.trim() == "[workspace]")
        {
            return if text.lines().any(|l| l.trim() == "[profile.plugin]") {
                "plugin".into()
            } else {
                "release".into()
            };
        }
    }
    "release".into()
}

/// Builds `packages` of the plugin workspace in `workspace_dir` and returns
/// each component's path, in order. Prints `rerun-if-changed` lines for the
/// folders in `watch`.
pub fn build_plugins(
    workspace_dir: &Path,
    packages: &[&str],
    watch: &[&Path],
) -> Result<Vec<PathBuf>, BuildError> {
    for dir in watch {
        println!("cargo:rerun-if-changed={}", dir.display());
    }
    let target_dir = plugin_target_dir();
    let profile = profile_for(workspace_dir);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_dir)
        .arg("build")
        .arg("--profile")
        .arg(&profile)
        .arg("--locked")
        .arg("--target")
        .arg("wasm32-unknown-unknown")
        .arg("--target-dir")
        .arg(&target_dir);
    for p in packages {
        cmd.arg("-p").arg(p);
    }
    for var in SCRUBBED {
        cmd.env_remove(var);
    }
    // Cargo sets CARGO_CFG_* / CARGO_FEATURE_* for build scripts; drop them all.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().to_string();
        if key.starts_with("CARGO_CFG_")
            || key.starts_with("CARGO_FEATURE_")
            || key.starts_with("CARGO_PROFILE_")
        {
            cmd.env_remove(key);
        }
    }
    let dir = workspace_dir.display().to_string();
    let status = cmd.status().map_err(|source| BuildError::Spawn {
        dir: dir.clone(),
        source,
    })?;
    if !status.success() {
        return Err(BuildError::Failed {
            dir,
            status: status.to_string(),
        });
    }
    let out = target_dir.join("wasm32-unknown-unknown").join(&profile);
    packages
        .iter()
        .map(|p| {
            let file = format!("{}.wasm", p.replace('-', "_"));
            let path = out.join(&file);
            if path.is_file() {
                Ok(path)
            } else {
                Err(BuildError::Missing {
                    dir: dir.clone(),
                    file,
                })
            }
        })
        .collect()
}
