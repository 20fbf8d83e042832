//! The supplier self-assessment round trip through the `vigie` binary, as the README tells it:
//! export the workbook, get it back filled (by openpyxl, an independent writer), import with
//! `--dry-run` first, see what is pending, score (the verdict says what it rests on, in French
//! and English), carry the declarations to another database in an exchange file, confirm.
//! Fails (never skips) without openpyxl.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

struct Env {
    dir: TempDir,
}

impl Env {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `vigie --db DB ARGS…` in the test's folder; (exit code, stdout, stderr).
    fn run(&self, db: &str, args: &[&str]) -> (i32, String, String) {
        let home = self.path("home");
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .current_dir(self.dir.path())
            .env("VIGIE_CACHE_DIR", self.path("cache"))
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("USER", "amel")
            .env("LANG", "fr_FR.UTF-8")
            .env_remove("VIGIE_DB")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("COLUMNS")
            .arg("--db")
            .arg(self.path(db))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, db: &str, args: &[&str]) -> String {
        let (code, stdout, stderr) = self.run(db, args);
        assert_eq!(code, 0, "vigie {args:?} failed: {stderr}");
        stdout
    }

    fn declarations(&self, db: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.path(db)).unwrap();
        conn.query_row("SELECT count(*) FROM declarations", [], |r| r.get(0))
            .unwrap()
    }
}

/// Fills the workbook at `path` with openpyxl (see the workbook crate's `edit.py`).
fn fill(path: &Path, out: &Path, ops: serde_json::Value) {
    let ops_path = path.with_extension("ops.json");
    std::fs::write(&ops_path, ops.to_string()).unwrap();
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../vigie-workbook/tests/support/edit.py");
    let run = Command::new("python3")
        .arg(script)
        .arg(path)
        .arg(out)
        .arg(&ops_path)
        .output()
        .expect("python3 is required for this test");
    assert!(
        run.status.success(),
        "openpyxl is required for this test (`python3 -m pip install openpyxl`): {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn the_self_assessment_workflow_end_to_end() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    env.ok("a.db", &["supplier", "add", "Centre d'appels Tunis"]);
    let id = env
        .ok(
            "a.db",
            &[
                "assessment",
                "new",
                "--supplier",
                "centre d'appels tunis",
                "--plugin",
                "nis2-suppliers",
                "--date",
                "2026-11-23",
            ],
        )
        .trim()
        .to_string();

    // Send the workbook; get it back filled.
    let workbook = env.path("acme.xlsx");
    let out = env.ok(
        "a.db",
        &[
            "self-assessment",
            "export",
            &id,
            "-o",
            workbook.to_str().unwrap(),
            "--respondent",
            "Ana Martin <ana@acme.example>",
            "--due",
            "2027-01-15",
        ],
    );
    assert!(out.contains("send it to the supplier"), "{out}");
    let filled = env.path("acme-filled.xlsx");
    fill(
        &workbook,
        &filled,
        serde_json::json!([
            {"op": "fill", "key": "subcontractors-list", "value": "Oui", "note": "registre joint"},
            {"op": "fill", "key": "subcontractors-evaluation", "value": "Non"},
        ]),
    );

    // Dry run first: the plan, nothing written.
    let dry = env.ok(
        "a.db",
        &[
            "self-assessment",
            "import",
            filled.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert!(dry.contains("subcontractors-list"), "{dry}");
    assert!(dry.contains("nothing written"), "{dry}");
    assert_eq!(env.declarations("a.db"), 0);
    let done = env.ok(
        "a.db",
        &["self-assessment", "import", filled.to_str().unwrap()],
    );
    assert!(done.contains("recorded 2 declarations"), "{done}");
    let pending = env.ok("a.db", &["self-assessment", "pending", &id]);
    assert!(pending.contains("declared 2"), "{pending}");

    // The verdict says what it rests on, in the language asked for.
    let fr = env.ok("a.db", &["score", &id]);
    assert!(
        fr.contains("fondé sur 2 déclarations du fournisseur non vérifiées"),
        "{fr}"
    );
    let en = env.ok("a.db", &["--lang", "en", "score", &id]);
    assert!(
        en.contains("based on 2 supplier declarations not yet verified"),
        "{en}"
    );

    // The declarations travel in an exchange file.
    let exchange = env.path("a.json");
    env.ok("a.db", &["export", &id, "-o", exchange.to_str().unwrap()]);
    let imported = env.ok(
        "b.db",
        &["import", exchange.to_str().unwrap(), "--accept-plugins"],
    );
    assert!(imported.contains("2 supplier declaration(s)"), "{imported}");
    assert_eq!(env.declarations("b.db"), 2);
    let there = env.ok("b.db", &["self-assessment", "pending", &id]);
    assert!(there.contains("declared 2"), "{there}");
    assert!(there.contains("Ana Martin <ana@acme.example>"), "{there}");

    // Confirmed, the verdict rests on the auditor's answers alone.
    env.ok("a.db", &["self-assessment", "confirm", &id, "--all"]);
    let fr = env.ok("a.db", &["score", &id]);
    assert!(!fr.contains("fondé sur"), "{fr}");
}
