//! `vigie report`, `vigie export`, `vigie import` and `vigie assessment reassess`
//! end to end, each test in its own folder.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

struct Env {
    dir: TempDir,
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

    /// Runs `vigie --db DB --auditor WHO ARGS…` and returns (exit code, stdout, stderr).
    fn run(&self, db: &str, who: &str, args: &[&str]) -> (i32, String, String) {
        let home = self.path("home");
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .current_dir(self.dir.path())
            .env("VIGIE_CACHE_DIR", self.path("cache"))
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("LANG", "fr_FR.UTF-8")
            .env_remove("VIGIE_DB")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .arg("--db")
            .arg(self.path(db))
            .arg("--auditor")
            .arg(who)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, db: &str, who: &str, args: &[&str]) -> String {
        let (code, stdout, stderr) = self.run(db, who, args);
        assert_eq!(code, 0, "vigie {args:?} failed: {stderr}");
        stdout
    }
}

fn golden(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../questionnaires/nis2-suppliers/golden")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A database with one answered NIS2 assessment; returns its id.
fn answered(env: &Env) -> String {
    env.ok(
        "a.db",
        "amel",
        &[
            "supplier",
            "add",
            "<script>alert(1)</script>",
            "--country",
            "TN",
        ],
    );
    let id = env
        .ok(
            "a.db",
            "amel",
            &[
                "assessment",
                "new",
                "--supplier",
                "<script>alert(1)</script>",
                "--plugin",
                "nis2-suppliers",
                "--date",
                "2026-11-23",
            ],
        )
        .trim()
        .to_string();
    env.ok(
        "a.db",
        "amel",
        &["answer", &id, "--file", &golden("in-progress.toml")],
    );
    id
}

#[test]
fn reports_in_every_format() {
    let env = Env::new();
    let id = answered(&env);
    let md = env.ok("a.db", "amel", &["report", &id]);
    assert!(
        md.contains("# Rapport d'évaluation — \\<script\\>alert(1)\\</script\\>"),
        "{md}"
    );
    assert!(md.contains("## Liste de contrôle"));
    let md_en = env.ok(
        "a.db",
        "amel",
        &["--lang", "en", "report", &id, "--format", "md"],
    );
    assert!(md_en.contains("## Checklist"));
    env.ok(
        "a.db",
        "amel",
        &["report", &id, "--format", "html", "-o", "out/r.html"],
    );
    let html = std::fs::read_to_string(env.path("out/r.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>"));
    let json = env.ok("a.db", "amel", &["report", &id, "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["verdict"]["id"], "in-progress");
    let csv = env.ok("a.db", "amel", &["report", &id, "--format", "csv"]);
    assert!(csv.starts_with("Rubrique,"));
    let (code, _, stderr) = env.run("a.db", "amel", &["report", &id, "--format", "pdf"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn export_import_export_and_conflicts() {
    let env = Env::new();
    let id = answered(&env);
    env.ok("a.db", "amel", &["export", &id, "-o", "a.json"]);
    let out = env.ok("b.db", "bruno", &["import", "a.json"]);
    assert!(out.contains("imported assessment"), "{out}");
    let out = env.ok("b.db", "bruno", &["import", "a.json"]);
    assert!(out.contains("nothing changed"), "{out}");
    env.ok("b.db", "bruno", &["export", &id, "-o", "b.json"]);
    assert_eq!(
        std::fs::read(env.path("a.json")).unwrap(),
        std::fs::read(env.path("b.json")).unwrap()
    );

    // Both databases change the same answer: the import is refused.
    env.ok("a.db", "amel", &["answer", &id, "iso-certified", "yes"]);
    // (Bruno replaces Amel's imported answer knowingly: he names its revision.)
    env.ok(
        "b.db",
        "bruno",
        &["answer", &id, "iso-certified", "no", "--revision", "1"],
    );
    env.ok("a.db", "amel", &["export", &id, "-o", "a2.json"]);
    let (code, _, stderr) = env.run("b.db", "bruno", &["import", "a2.json"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("conflicts with this database"), "{stderr}");
    assert!(stderr.contains("iso-certified"), "{stderr}");

    // A tampered file.
    let text = std::fs::read_to_string(env.path("a.json")).unwrap();
    std::fs::write(
        env.path("t.json"),
        text.replacen("\"who\": \"amel\"", "\"who\": \"eve\"", 1),
    )
    .unwrap();
    let (code, _, stderr) = env.run("c.db", "carol", &["import", "t.json"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("altered or damaged"), "{stderr}");
}

#[test]
fn reassess_prints_the_new_id_and_carries_the_answers() {
    let env = Env::new();
    let id = answered(&env);
    env.ok("a.db", "amel", &["assessment", "finalize", &id]);
    let (code, stdout, stderr) = env.run(
        "a.db",
        "amel",
        &["assessment", "reassess", &id, "--date", "2027-11-23"],
    );
    assert_eq!(code, 0, "{stderr}");
    let new = stdout.trim();
    assert_eq!(new.len(), 36, "{stdout}");
    assert!(stderr.contains("carried over"), "{stderr}");
    let show = env.ok("a.db", "amel", &["assessment", "show", new]);
    assert!(show.contains("à confirmer"), "{show}");
    let md = env.ok("a.db", "amel", &["report", new]);
    assert!(md.contains("## Comparaison avec l'évaluation précédente"));
}
