//! `vigie plugin new NAME [--dir PATH]`: a standalone plugin project that
//! depends on the Vigie plugin SDK and nothing else.
//!
//! The SDK travels inside this binary (packed by the build script: the SDK
//! crates, the WIT contract, the guides and the workspace's `Cargo.lock`) and
//! is written into the project's `vendor/` folder, which the project uses by
//! relative path: the project builds on any machine, wherever the binary was
//! built, and keeps building when moved. `vendor/` keeps the workspace's
//! layout (`vendor/plugins/vigie-plugin-sdk`, `vendor/wit`), so the SDK's own
//! relative references hold. The project's `Cargo.lock` is the workspace's,
//! so the plugin builds with the dependency versions Vigie tests the SDK with
//! (and offline when they are in the local cargo cache).

use std::path::{Path, PathBuf};

use crate::cmd_store::out::outln;
use crate::{CmdResult, Failure};

// `SDK_FILES: &[(&str, &str)]`: (path relative to the Vigie workspace, text).
include!(concat!(env!("OUT_DIR"), "/sdk_files.rs"));

/// Where the project keeps the SDK, relative to its root.
const VENDOR: &str = "vendor";

/// The toolchain file of that checkout: the scaffold pins the same channel.
const TOOLCHAIN: &str = include_str!("../../../../rust-toolchain.toml");

/// The project's files: (path in the project, template).
const FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("template/Cargo.toml.in")),
    (
        ".cargo/config.toml",
        include_str!("template/cargo/config.toml.in"),
    ),
    (
        "rust-toolchain.toml",
        include_str!("template/rust-toolchain.toml.in"),
    ),
    ("build.rs", include_str!("template/build.rs.in")),
    (
        "questionnaire.toml",
        include_str!("template/questionnaire.toml.in"),
    ),
    ("src/lib.rs", include_str!("template/src/lib.rs.in")),
    (
        "tests/golden.rs",
        include_str!("template/tests/golden.rs.in"),
    ),
    (
        "golden/well-run.toml",
        include_str!("template/golden/well-run.toml.in"),
    ),
    ("README.md", include_str!("template/README.md.in")),
    (".gitignore", include_str!("template/gitignore.in")),
];

/// Names cargo refuses for a package, or that would shadow a crate the
/// plugin needs.
const RESERVED: &[&str] = &[
    // Rust keywords (strict and reserved).
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "gen",
    "macro",
    "override",
    "priv",
    "try",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    // The standard library and cargo's own folders.
    "std",
    "core",
    "alloc",
    "proc_macro",
    "proc-macro",
    "test",
    "build",
    "deps",
    "examples",
    "incremental",
    // Windows device names.
    "con",
    "prn",
    "aux",
    "nul",
    "com1",
    "com2",
    "com3",
    "com4",
    "com5",
    "com6",
    "com7",
    "com8",
    "com9",
    "lpt1",
    "lpt2",
    "lpt3",
    "lpt4",
    "lpt5",
    "lpt6",
    "lpt7",
    "lpt8",
    "lpt9",
];

/// Checks that `name` works as a plugin id (`a-z 0-9 . _ -`, 1-64) and as a
/// cargo package name; says why not, and what would do.
pub fn validate_name(name: &str) -> Result<(), String> {
    let fix =
        "use lowercase letters, digits, `-` and `_`, starting with a letter, e.g. `backup-audit`";
    if name.is_empty() {
        return Err(format!("the plugin name is empty: {fix}"));
    }
    if name.len() > 64 {
        return Err(format!(
            "`{name}` is {} characters long; a plugin id has at most 64",
            name.len()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "`{name}` contains `{bad}`, which a plugin name cannot: {fix}"
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(format!("`{name}` does not start with a letter: {fix}"));
    }
    let crate_name = name.replace('-', "_");
    if RESERVED.contains(&name) || RESERVED.contains(&crate_name.as_str()) {
        return Err(format!(
            "`{name}` is reserved by Rust or cargo (keyword, standard crate or special folder); choose another name"
        ));
    }
    if crate_name.starts_with("vigie_plugin_sdk") {
        return Err(format!(
            "`{name}` would clash with the SDK's own crates; choose another name"
        ));
    }
    Ok(())
}

fn channel() -> &'static str {
    TOOLCHAIN
        .lines()
        .find_map(|l| l.trim().strip_prefix("channel"))
        .and_then(|rest| rest.split('"').nth(1))
        .unwrap_or("stable")
}

/// Refuses a folder that exists and holds anything.
fn check_target(dir: &Path) -> Result<(), Failure> {
    if dir.is_file() {
        return Err(Failure::new(format!(
            "{} is a file; give --dir a new or empty folder",
            dir.display()
        )));
    }
    if dir.is_dir() {
        let mut entries = std::fs::read_dir(dir)
            .map_err(|e| Failure::new(format!("cannot read {}: {e}", dir.display())))?;
        if entries.next().is_some() {
            return Err(Failure::new(format!(
                "{} already exists and is not empty; give --dir a new or empty folder",
                dir.display()
            )));
        }
    }
    Ok(())
}

/// Writes the project of plugin `name` into `dir`.
pub fn scaffold(name: &str, dir: &Path) -> Result<(), Failure> {
    validate_name(name).map_err(Failure::new)?;
    check_target(dir)?;
    let author = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.trim().is_empty() && !u.contains(['"', '\\']))
        .unwrap_or_else(|| "Your name".into());
    let vars: [(&str, String); 7] = [
        ("{{name}}", name.to_string()),
        ("{{crate}}", name.replace('-', "_")),
        ("{{sdk}}", format!("{VENDOR}/plugins/vigie-plugin-sdk")),
        (
            "{{sdk_build}}",
            format!("{VENDOR}/plugins/vigie-plugin-sdk-build"),
        ),
        ("{{repo}}", VENDOR.to_string()),
        ("{{channel}}", channel().to_string()),
        ("{{author}}", author),
    ];
    let write = |relative: &str, text: &str| -> Result<(), Failure> {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Failure::new(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, text)
            .map_err(|e| Failure::new(format!("cannot write {}: {e}", path.display())))
    };
    for (relative, template) in FILES {
        let text = vars
            .iter()
            .fold(template.to_string(), |text, (key, value)| {
                text.replace(key, value)
            });
        write(relative, &text)?;
    }
    for (relative, text) in SDK_FILES {
        if *relative == "Cargo.lock" {
            // Seed the lock file with the versions the SDK is tested with; cargo
            // keeps those it needs and drops the rest on the first build.
            write(relative, text)?;
        } else {
            write(&format!("{VENDOR}/{relative}"), text)?;
        }
    }
    Ok(())
}

pub fn run(name: &str, dir: Option<&Path>) -> CmdResult {
    validate_name(name).map_err(Failure::new)?;
    let dir = dir.map_or_else(|| PathBuf::from(name), Path::to_path_buf);
    check_target(&dir)?;
    scaffold(name, &dir)?;
    let shown = dir.display();
    outln!("created plugin `{name}` in {shown} (SDK in {shown}/{VENDOR})");
    outln!("  cd {shown}");
    outln!(
        "  cargo build --release        # → target/wasm32-unknown-unknown/release/{}.wasm",
        name.replace('-', "_")
    );
    outln!("  cargo test-native            # the golden answer sets, natively");
    outln!(
        "  vigie plugin check target/wasm32-unknown-unknown/release/{}.wasm",
        name.replace('-', "_")
    );
    outln!(
        "guide: {}",
        dir.join(VENDOR).join("docs/plugins.md").display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for good in ["backup-audit", "iso27001", "a", "my_plugin-2"] {
            assert_eq!(validate_name(good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("", "empty"),
            ("Backup", "contains `B`"),
            ("2fa", "start with a letter"),
            ("-x", "start with a letter"),
            ("a.b", "contains `.`"),
            ("été", "contains `é`"),
            ("self", "reserved"),
            ("proc-macro", "reserved"),
            ("test", "reserved"),
            ("vigie-plugin-sdk", "clash"),
        ] {
            let message = validate_name(bad).expect_err(bad);
            assert!(message.contains(why), "{bad}: {message}");
        }
        assert!(
            validate_name(&"a".repeat(65))
                .unwrap_err()
                .contains("at most 64")
        );
    }

    #[test]
    fn templates_have_no_unknown_placeholder() {
        for (path, template) in FILES {
            let mut rest = *template;
            while let Some(at) = rest.find("{{") {
                let end = rest[at..].find("}}").map_or(rest.len(), |e| at + e + 2);
                let key = &rest[at..end];
                assert!(
                    [
                        "{{name}}",
                        "{{crate}}",
                        "{{sdk}}",
                        "{{sdk_build}}",
                        "{{repo}}",
                        "{{channel}}",
                        "{{author}}"
                    ]
                    .contains(&key),
                    "{path}: unknown placeholder {key}"
                );
                rest = &rest[end..];
            }
        }
        assert_ne!(channel(), "stable", "rust-toolchain.toml names a channel");
    }
}
