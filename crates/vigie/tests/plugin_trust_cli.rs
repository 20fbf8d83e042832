//! Plugin trust from the command line (issue 11, §2 and §4): stored plugins cost nothing to
//! commands that do not need them; `import` adds plugin code only with --accept-plugins;
//! install refuses a huge plugin, one taking a bundled plugin's place without --allow-shadow,
//! and finds a plugin's minisign signature beside it; `plugin list` shows provenance and
//! signer.
//!
//! The plugins are variants of examples/wat-plugin/mfa.wat (see the vigie-app tests).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

struct Env {
    dir: TempDir,
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `vigie --db DB ARGS…` with `cache` as the compiled-plugin cache.
    fn run_with(&self, db: &str, cache: &str, args: &[&str]) -> Run {
        let home = self.path("home");
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .current_dir(self.dir.path())
            .env("VIGIE_CACHE_DIR", self.path(cache))
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("USER", "tester")
            .env("LANG", "C.UTF-8")
            // A hanging plugin is stopped after 50 ms instead of 500.
            .env("VIGIE_PLUGIN_TIME_MS", "50")
            .env_remove("VIGIE_DB")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .arg("--db")
            .arg(self.path(db))
            .args(args)
            .output()
            .unwrap();
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn run(&self, db: &str, args: &[&str]) -> Run {
        self.run_with(db, "cache", args)
    }

    fn ok(&self, db: &str, args: &[&str]) -> String {
        let r = self.run(db, args);
        assert_eq!(r.code, Some(0), "vigie {args:?}: {}", r.stderr);
        r.stdout
    }

    fn fails(&self, db: &str, args: &[&str]) -> String {
        let r = self.run(db, args);
        assert_eq!(r.code, Some(1), "vigie {args:?} should fail: {}", r.stdout);
        r.stderr
    }

    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }
}

fn wat() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wat-plugin/mfa.wat");
    std::fs::read_to_string(&path).unwrap()
}

/// The WAT example describing itself as `id` `version`; `salt` changes the bytes only.
fn plugin(id: &str, version: &str, salt: &str) -> Vec<u8> {
    wat()
        .replacen(r#""wat-mfa\00""#, &format!(r#""{id}\00""#), 1)
        .replacen(
            r#"(i32.const 0x480) "1.0.0\00""#,
            &format!(r#"(i32.const 0x480) "{version}\00""#),
            1,
        )
        .replacen("(component\n", &format!("(component\n  ;; {salt}\n"), 1)
        .into_bytes()
}

fn hanging(n: usize) -> Vec<u8> {
    let source = String::from_utf8(plugin(&format!("hang-{n}"), "1.0.0", &n.to_string())).unwrap();
    let at = "      (local.set $q (call $new (i32.const 96)))\n";
    assert!(source.contains(at));
    source
        .replacen(at, &format!("      (loop $forever (br $forever))\n{at}"), 1)
        .into_bytes()
}

fn sha256_hex(bytes: &[u8]) -> String {
    vigie_plugin_host::sha256_hex(bytes)
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

/// 20 plugins whose describe never returns, put in the file with SQL: commands that do not
/// need them never load them. Loading a plugin compiles it, and the compiled code lands in
/// the cache folder; so the number of files there counts the plugins a command loaded, with
/// no clock involved.
#[test]
fn hanging_stored_plugins_cost_nothing_to_commands_that_do_not_need_them() {
    let env = Env::new();
    for db in ["clean.db", "hanging.db"] {
        env.ok(db, &["supplier", "add", "Infogérance Lyon"]);
    }
    let conn = rusqlite::Connection::open(env.path("hanging.db")).unwrap();
    for n in 0..20 {
        let bytes = hanging(n);
        conn.execute(
            "INSERT INTO plugin_blobs (sha256, size, plugin_id, version, origin, added_by, \
             added_at, bytes) VALUES (?1, ?2, ?3, '1.0.0', 'sqlite3', 'mallory', \
             '2026-01-01T00:00:00.000000Z', ?4)",
            rusqlite::params![
                sha256_hex(&bytes),
                bytes.len() as i64,
                format!("hang-{n}"),
                bytes
            ],
        )
        .unwrap();
    }
    drop(conn);

    for (db, cache) in [("clean.db", "cache-clean"), ("hanging.db", "cache-hanging")] {
        for args in [
            &["supplier", "list"][..],
            &[
                "assessment",
                "new",
                "--supplier",
                "Infogérance Lyon",
                "--plugin",
                "nis2-suppliers",
            ],
            &["assessment", "list"],
        ] {
            let r = env.run_with(db, cache, args);
            assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        }
    }
    assert!(files_in(&env.path("cache-clean")) > 0, "the cache is used");
    assert_eq!(
        files_in(&env.path("cache-hanging")),
        files_in(&env.path("cache-clean")),
        "a command that does not need the stored plugins loaded some"
    );

    // `plugin list` checks them once, and shows each as unusable with its reason.
    let list = env.run_with("hanging.db", "cache-hanging", &["plugin", "list"]);
    assert_eq!(list.code, Some(0), "{}", list.stderr);
    let unusable = list
        .stdout
        .lines()
        .filter(|l| l.starts_with("hang-") && l.contains("unusable"))
        .count();
    assert_eq!(unusable, 20, "{}", list.stdout);
    assert!(list.stdout.contains("    unusable: "), "{}", list.stdout);
}

#[test]
fn import_adds_plugin_code_only_with_accept_plugins() {
    let env = Env::new();
    let wasm = env.write("acme.wasm", &plugin("acme-q", "2.0.0", "x"));
    env.ok("office.db", &["supplier", "add", "Infogérance Lyon"]);
    env.ok("office.db", &["plugin", "install", &wasm]);
    let id = env
        .ok(
            "office.db",
            &[
                "assessment",
                "new",
                "--supplier",
                "Infogérance Lyon",
                "--plugin",
                "acme-q",
            ],
        )
        .trim()
        .to_string();
    let file = env.path("acme.json").display().to_string();
    env.ok("office.db", &["export", &id, "-o", &file]);

    let err = env.fails("laptop.db", &["import", &file]);
    let sha = sha256_hex(&plugin("acme-q", "2.0.0", "x"));
    for part in [
        "acme-q",
        "2.0.0",
        sha.as_str(),
        file.as_str(),
        "--accept-plugins",
    ] {
        assert!(err.contains(part), "{part}: {err}");
    }
    assert!(
        !env.ok("laptop.db", &["assessment", "list"])
            .contains("acme-q")
    );

    let out = env.ok("laptop.db", &["import", &file, "--accept-plugins"]);
    assert!(
        out.contains(&format!("new plugin acme-q 2.0.0, sha256 {sha}")),
        "{out}"
    );
    let list = env.ok("laptop.db", &["plugin", "list"]);
    assert!(
        list.contains("imported by tester at ") && list.contains(&format!("from {file}")),
        "{list}"
    );
}

#[test]
fn install_refuses_a_huge_plugin() {
    let env = Env::new();
    let mut huge = plugin("huge-q", "1.0.0", "huge");
    huge.extend_from_slice(format!("\n;; {}\n", "x".repeat(17 << 20)).as_bytes());
    let path = env.write("huge.wasm", &huge);
    let err = env.fails("v.db", &["plugin", "install", &path]);
    assert!(err.contains("huge.wasm") && err.contains("16 MiB"), "{err}");
    assert!(!env.ok("v.db", &["plugin", "list"]).contains("huge-q"));
}

#[test]
fn a_bundled_questionnaire_is_replaced_only_by_an_explicit_decision() {
    let env = Env::new();
    let wasm = env.write("nis2.wasm", &plugin("nis2-suppliers", "99.0.0", "impostor"));
    let err = env.fails("v.db", &["plugin", "install", &wasm]);
    assert!(err.contains("--allow-shadow"), "{err}");
    let inspect = env.ok("v.db", &["plugin", "inspect", "nis2-suppliers"]);
    assert!(!inspect.contains("MFA check"), "{inspect}");

    let out = env.ok("v.db", &["plugin", "install", &wasm, "--allow-shadow"]);
    assert!(
        out.contains("takes the place of the bundled nis2-suppliers"),
        "{out}"
    );
    let inspect = env.ok("v.db", &["plugin", "inspect", "nis2-suppliers"]);
    assert!(inspect.contains("MFA check"), "{inspect}");
    let list = env.ok("v.db", &["plugin", "list"]);
    assert!(
        list.lines().any(|l| l.starts_with("nis2-suppliers")
            && l.contains("99.0.0")
            && l.contains("shadowing")),
        "{list}"
    );
    assert!(list.contains("as decided by tester"), "{list}");

    let sha = sha256_hex(&plugin("nis2-suppliers", "99.0.0", "impostor"));
    env.ok("v.db", &["plugin", "forbid-shadow", &sha[..12]]);
    let list = env.ok("v.db", &["plugin", "list"]);
    assert!(
        list.lines().any(|l| l.starts_with("nis2-suppliers")
            && l.contains("99.0.0")
            && l.contains("shadowed")),
        "{list}"
    );
    let inspect = env.ok("v.db", &["plugin", "inspect", "nis2-suppliers"]);
    assert!(!inspect.contains("MFA check"), "{inspect}");
}

#[test]
fn a_signature_beside_the_plugin_is_checked_against_the_trusted_keys() {
    let env = Env::new();
    let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let bytes = plugin("acme-q", "1.0.0", "signed");
    let wasm = env.write("acme.wasm", &bytes);
    let signature = minisign::sign(
        Some(&kp.pk),
        &kp.sk,
        std::io::Cursor::new(&bytes),
        None,
        None,
    )
    .unwrap()
    .into_string();
    env.write("acme.wasm.minisig", signature.as_bytes());
    let public = env.write(
        "alice.pub",
        kp.pk.to_box().unwrap().into_string().as_bytes(),
    );

    let out = env.ok(
        "v.db",
        &[
            "plugin",
            "trust-key",
            "add",
            &public,
            "--comment",
            "Alice Conseil",
        ],
    );
    assert!(out.contains("trusted key"), "{out}");
    assert!(
        env.ok("v.db", &["plugin", "trust-key", "list"])
            .contains("Alice Conseil")
    );

    let out = env.ok("v.db", &["plugin", "install", &wasm]);
    assert!(out.contains("signed by Alice Conseil"), "{out}");
    let unsigned = env.write("plain.wasm", &plugin("plain-q", "1.0.0", "plain"));
    let out = env.ok("v.db", &["plugin", "install", &unsigned]);
    assert!(out.contains("unsigned"), "{out}");
    let list = env.ok("v.db", &["plugin", "list"]);
    assert!(list.contains("signed by Alice Conseil"), "{list}");
    assert!(list.contains("; unsigned"), "{list}");

    // A signature that does not match the file is refused.
    let other = env.write("other.wasm", &plugin("other-q", "1.0.0", "other"));
    let sig = env.path("acme.wasm.minisig").display().to_string();
    let err = env.fails("v.db", &["plugin", "install", &other, "--signature", &sig]);
    assert!(err.contains("signature does not match"), "{err}");

    env.ok("v.db", &["plugin", "require-signatures", "on"]);
    let later = env.write("later.wasm", &plugin("later-q", "1.0.0", "later"));
    let err = env.fails("v.db", &["plugin", "install", &later]);
    assert!(
        err.contains("requires plugins signed by a trusted key"),
        "{err}"
    );
    assert!(
        env.ok("v.db", &["plugin", "list"])
            .contains("signatures required")
    );
}
