//! Builds the test plugins in `plugins/` (a workspace of their own, built for
//! wasm32-unknown-unknown) from source, and tells the crate where they are:
//! `VIGIE_TEST_PLUGIN_<NAME>` for each one (`good`, `infinite-loop` →
//! `VIGIE_TEST_PLUGIN_INFINITE_LOOP`, ...), and the list in
//! `$OUT_DIR/plugins.rs` for `vigie_tests::plugin_path`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Builds test fixtures: a panic fails the build with its message.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Every crate of `plugins/`.
const PLUGINS: &[&str] = &[
    "good",
    "infinite-loop",
    "deep-recursion",
    "memory-bomb",
    "giant-output",
    "duplicate-ids",
    "trap",
    "wrong-version",
    "wasi-import",
    "bulk-memory",
    "cache-thrash",
    "nan-probe",
    "bad-encoding",
    "non-monotonic",
    "declined-better",
    "unanswered-better",
    "own-applicability",
    "score-out-of-band",
];

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let workspace = manifest.join("plugins");
    let repo = manifest.parent().expect("tests/ is inside the repository");
    let sdk = repo.join("plugins").join("vigie-plugin-sdk");
    let sdk_build = repo.join("plugins").join("vigie-plugin-sdk-build");
    let rules = repo.join("plugins").join("vigie-rules");
    let wit = repo.join("wit");
    let watch: [&Path; 5] = [&workspace, &sdk, &sdk_build, &rules, &wit];
    let paths = vigie_plugin_build::build_plugins(&workspace, PLUGINS, &watch)
        .unwrap_or_else(|e| panic!("\n\n{e}\n\n"));

    let mut module = String::from(
        "/// Each test plugin's name and the path of its component.\npub const PLUGINS: &[(&str, &str)] = &[\n",
    );
    for (name, path) in PLUGINS.iter().zip(&paths) {
        let var = format!(
            "VIGIE_TEST_PLUGIN_{}",
            name.to_uppercase().replace('-', "_")
        );
        println!("cargo:rustc-env={var}={}", path.display());
        let _ = writeln!(module, "    ({name:?}, {:?}),", path.display().to_string());
    }
    module.push_str("];\n");
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("plugins.rs");
    std::fs::write(&out, module).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
