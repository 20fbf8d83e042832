//! Records the commit the binary is built from, for `vigie --version` (a report or a bug
//! needs to say which build produced it). Outside a git checkout it says so.
//!
//! Also packs the plugin SDK for `vigie plugin new`: every file of the SDK crates, the WIT
//! contract and the guides, by folder (a file added to the SDK is packed without editing
//! this script), so a released binary scaffolds a project that builds on any machine.
//! The SDK manifests inherit from this workspace (`version.workspace = true`, ...); the
//! packed copies get those values written out, since the scaffold is not in this workspace.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A build script: a panic fails the build with its message.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The git folder of the checkout: `.git`, or where a worktree's `.git` file points.
fn git_dir(root: &Path) -> Option<PathBuf> {
    let dot_git = root.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    let text = std::fs::read_to_string(&dot_git).ok()?;
    let dir = text.trim().strip_prefix("gitdir:")?.trim();
    Some(root.join(dir))
}

/// Asks cargo to rerun this script when `path` changes; only for files that exist (a
/// missing one would make cargo rerun it, and relink the binary, on every build).
fn watch(path: &Path) {
    if path.is_file() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    println!("cargo:rerun-if-changed=build.rs");
    pack_sdk(&root);
    if let Some(git) = git_dir(&root) {
        // HEAD moves on a checkout; the branch it names moves on a commit.
        watch(&git.join("HEAD"));
        if let Ok(head) = std::fs::read_to_string(git.join("HEAD"))
            && let Some(reference) = head.trim().strip_prefix("ref: ")
        {
            watch(&git.join(reference));
            // In a worktree, branches live in the main repository's folder.
            if let Ok(common) = std::fs::read_to_string(git.join("commondir")) {
                let common = git.join(common.trim());
                watch(&common.join(reference));
                watch(&common.join("packed-refs"));
            }
        }
        watch(&git.join("packed-refs"));
    }
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(&root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "not from a git checkout".to_string());
    println!("cargo:rustc-env=VIGIE_COMMIT={commit}");
}

/// What `vigie plugin new` vendors, relative to the workspace root: folders (all their
/// files, recursively) and single files. The project keeps these relative paths under
/// `vendor/`, so the SDK's own relative references (its `../../wit`) stay valid.
const SDK_FOLDERS: &[&str] = &[
    "plugins/vigie-rules",
    "plugins/vigie-plugin-sdk",
    "plugins/vigie-plugin-sdk-build",
    "wit",
];
const SDK_FILES: &[&str] = &["docs/plugins.md", "questionnaires/README.md", "Cargo.lock"];

/// Writes `$OUT_DIR/sdk_files.rs`: `SDK_FILES: &[(&str, &str)]`, (path relative to the
/// workspace root, text). Panics (fails the build) on an unreadable or non-UTF-8 file: a
/// scaffold missing part of the SDK must not ship.
fn pack_sdk(root: &Path) {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let workspace_manifest = read(&root.join("Cargo.toml"));
    let workspace: toml::Table = workspace_manifest
        .parse()
        .unwrap_or_else(|e| panic!("the workspace Cargo.toml does not parse: {e}"));
    println!(
        "cargo:rerun-if-changed={}",
        root.join("Cargo.toml").display()
    );
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for folder in SDK_FOLDERS {
        let dir = root.join(folder);
        // A folder makes cargo rerun this script when any file under it changes.
        println!("cargo:rerun-if-changed={}", dir.display());
        collect(&dir, folder, &mut files);
    }
    for file in SDK_FILES {
        let path = root.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        files.push((file.to_string(), path));
    }
    files.sort();
    let packed = out.join("sdk");
    let mut source = String::from("pub const SDK_FILES: &[(&str, &str)] = &[\n");
    for (relative, path) in &files {
        let included = if relative.ends_with("/Cargo.toml") {
            let standalone = standalone_manifest(&read(path), &workspace, relative);
            let target = packed.join(relative);
            std::fs::create_dir_all(target.parent().expect("a file has a parent"))
                .unwrap_or_else(|e| panic!("cannot create a folder in OUT_DIR: {e}"));
            std::fs::write(&target, standalone)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
            target
        } else {
            read(path); // must be UTF-8 text, checked now rather than by include_str!
            path.canonicalize()
                .unwrap_or_else(|e| panic!("cannot resolve {}: {e}", path.display()))
        };
        source.push_str(&format!(
            "    ({relative:?}, include_str!({:?})),\n",
            included.display().to_string()
        ));
    }
    source.push_str("];\n");
    std::fs::write(out.join("sdk_files.rs"), source)
        .unwrap_or_else(|e| panic!("cannot write sdk_files.rs: {e}"));
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every file under `dir` (recursively), skipping build output and hidden files.
fn collect(dir: &Path, relative: &str, files: &mut Vec<(String, PathBuf)>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        let path = entry.path();
        let child = format!("{relative}/{name}");
        if path.is_dir() {
            collect(&path, &child, files);
        } else {
            files.push((child, path));
        }
    }
}

/// `manifest` with what it inherits from `workspace` written out: `[package]` fields,
/// dependencies (features merged), lints. Dev-dependencies are dropped: the scaffold
/// builds the SDK, it does not run the SDK's own tests.
fn standalone_manifest(manifest: &str, workspace: &toml::Table, relative: &str) -> String {
    let mut table: toml::Table = manifest
        .parse()
        .unwrap_or_else(|e| panic!("{relative} does not parse: {e}"));
    let section = |name: &str| {
        workspace
            .get("workspace")
            .and_then(|w| w.get(name))
            .and_then(toml::Value::as_table)
    };
    let inherits = |value: &toml::Value| {
        value
            .as_table()
            .and_then(|t| t.get("workspace"))
            .and_then(toml::Value::as_bool)
            == Some(true)
    };
    if let Some(package) = table.get_mut("package").and_then(toml::Value::as_table_mut) {
        for (key, value) in package.iter_mut() {
            if inherits(value) {
                *value = section("package")
                    .and_then(|p| p.get(key))
                    .unwrap_or_else(|| panic!("{relative}: `{key}.workspace = true` but the workspace has no package.{key}"))
                    .clone();
            }
        }
    }
    table.remove("dev-dependencies");
    for kind in ["dependencies", "build-dependencies"] {
        let Some(deps) = table.get_mut(kind).and_then(toml::Value::as_table_mut) else {
            continue;
        };
        for (name, value) in deps.iter_mut() {
            if !inherits(value) {
                continue;
            }
            let shared = section("dependencies")
                .and_then(|d| d.get(name))
                .unwrap_or_else(|| panic!("{relative}: {name} is not a workspace dependency"));
            let mut spec = match shared {
                toml::Value::String(version) => {
                    let mut t = toml::Table::new();
                    t.insert("version".into(), toml::Value::String(version.clone()));
                    t
                }
                toml::Value::Table(t) => t.clone(),
                other => panic!("workspace dependency {name} is {other}"),
            };
            // A path dependency travels only if its folder is vendored too; its path is then
            // rewritten relative to the manifest, as the vendored layout keeps the repo's.
            if let Some(path) = spec.get("path").and_then(toml::Value::as_str) {
                assert!(
                    SDK_FOLDERS.contains(&path),
                    "{relative}: {name} is a path dependency ({path}) outside the vendored SDK; \
                     add its folder to SDK_FOLDERS in crates/vigie/build.rs"
                );
                let depth = relative.matches('/').count();
                let up = "../".repeat(depth);
                spec.insert("path".into(), toml::Value::String(format!("{up}{path}")));
            }
            let local = value.as_table().cloned().unwrap_or_default();
            for (key, extra) in local {
                match key.as_str() {
                    "workspace" => {}
                    "features" => {
                        let mut features = spec
                            .get("features")
                            .and_then(toml::Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        features.extend(extra.as_array().cloned().unwrap_or_default());
                        spec.insert("features".into(), toml::Value::Array(features));
                    }
                    _ => {
                        spec.insert(key, extra);
                    }
                }
            }
            *value = toml::Value::Table(spec);
        }
    }
    if table.get("lints").is_some_and(inherits) {
        match section("lints") {
            Some(lints) => {
                table.insert("lints".into(), toml::Value::Table(lints.clone()));
            }
            None => {
                table.remove("lints");
            }
        }
    }
    // `[package]` first, as people write it (a TOML table here sorts its keys).
    let mut package = toml::Table::new();
    if let Some(value) = table.remove("package") {
        package.insert("package".into(), value);
    }
    let render = |t: &toml::Table| toml::to_string(t).unwrap_or_else(|e| panic!("{relative}: {e}"));
    format!(
        "# Vendored by `vigie plugin new` from the Vigie workspace (inherited fields written out).\n{}\n{}",
        render(&package),
        render(&table)
    )
}
