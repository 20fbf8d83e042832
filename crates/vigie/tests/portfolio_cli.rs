//! `vigie portfolio` and `vigie review-cycle` end to end: the table, JSON and CSV outputs, the
//! filters, and the exit code a scheduled job relies on.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::Command;

use vigie_model::{Date, Evaluation, Finding, Localized, Severity, Verdict};
use vigie_store::{
    Criticality, EvidenceKind, NewActionItem, NewAssessment, NewEvidence, Store, SupplierFields,
};

struct Env {
    dir: tempfile::TempDir,
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> PathBuf {
        self.path("vigie.sqlite")
    }

    fn run(&self, args: &[&str]) -> Run {
        let home = self.path("home");
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .current_dir(self.dir.path())
            .env("VIGIE_CACHE_DIR", self.path("cache"))
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("USER", "tester")
            .env("LANG", "C.UTF-8")
            .env_remove("VIGIE_DB")
            .env_remove("LC_ALL")
            .env_remove("COLUMNS")
            .arg("--db")
            .arg(self.db())
            .args(args)
            .output()
            .expect("run vigie");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, Some(0), "vigie {args:?}: {}", r.stderr);
        r.stdout
    }
}

fn d(s: &str) -> Date {
    s.parse().expect("date")
}

fn eval(score: f64, id: &str, fr: &str, en: &str, severity: Severity) -> Evaluation {
    Evaluation {
        criteria: Vec::new(),
        score: Some(score),
        verdict: Verdict {
            id: id.into(),
            label: Localized::from_pairs([("fr", fr), ("en", en)]),
            summary: Localized::default(),
            severity,
        },
        findings: vec![Finding {
            id: "f-alert".into(),
            criterion: None,
            severity: Severity::High,
            title: Localized::from_pairs([("en", "late alert")]),
            recommendation: Localized::default(),
            deadline_days: None,
        }],
        extensions: Vec::new(),
    }
}

/// Three suppliers on 2026-06-01: one risky with an overdue action and a certificate expiring,
/// one fine, one never assessed.
fn populate(db: &Path) {
    let store = Store::open(db, "alice").expect("open");
    let plugin = store
        .put_plugin_blob(
            b"\0asm not a real plugin",
            "nis2-suppliers",
            "1.0.0",
            "test",
        )
        .expect("plugin")
        .sha256;
    let assess = |supplier: &str, date: &str| {
        store
            .new_assessment(&NewAssessment {
                supplier_id: supplier.into(),
                plugin_sha256: plugin.clone(),
                assessment_date: d(date),
                language: "fr".into(),
                level: None,
                previous_assessment: None,
            })
            .expect("assessment")
            .id
    };
    let tunis = store
        .add_supplier(&SupplierFields::new(
            "Centre d'appels Tunis",
            Criticality::Critical,
        ))
        .expect("supplier")
        .id;
    let first = assess(&tunis, "2024-05-01");
    store
        .finalize(
            &first,
            &eval(35.0, "ko", "non conforme", "non-compliant", Severity::High),
        )
        .expect("finalize");
    let second = assess(&tunis, "2025-05-10");
    store
        .add_evidence(
            &second,
            &NewEvidence {
                question: None,
                kind: EvidenceKind::Note,
                text: "Certificat ISO 27001".into(),
                file: None,
                effective_date: None,
                expiry_date: Some(d("2026-07-15")),
            },
        )
        .expect("evidence");
    store
        .finalize(
            &second,
            &eval(52.0, "ko", "non conforme", "non-compliant", Severity::High),
        )
        .expect("finalize");
    store
        .add_action_item(
            &second,
            &NewActionItem {
                finding_id: "f-alert".into(),
                title: "Alerte sous 24 h".into(),
                owner: Some("RSSI".into()),
                deadline: Some(d("2026-04-30")),
            },
        )
        .expect("action");
    let lyon = store
        .add_supplier(&SupplierFields::new("Datacentre Lyon", Criticality::Low))
        .expect("supplier")
        .id;
    let a = assess(&lyon, "2026-01-20");
    store
        .finalize(
            &a,
            &eval(91.0, "ok", "conforme", "compliant", Severity::Info),
        )
        .expect("finalize");
    store
        .add_supplier(&SupplierFields::new(
            "Nouvelle Agence Web",
            Criticality::Medium,
        ))
        .expect("supplier");
}

#[test]
fn an_empty_database_says_how_to_start_and_passes_the_job() {
    let env = Env::new();
    Store::open(env.db(), "alice").expect("create");
    let out = env.ok(&["portfolio"]);
    assert!(out.contains("vigie demo"), "{out}");
    env.ok(&["portfolio", "--fail-on", "overdue,due,expiring"]);
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["portfolio", "--format", "json"])).expect("json");
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_missing_database_is_an_error_not_a_finding() {
    let env = Env::new();
    let r = env.run(&["portfolio", "--fail-on", "overdue"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("no database"), "{}", r.stderr);
    assert!(!env.db().exists(), "the command must not create a database");
}

#[test]
fn table_json_and_csv_show_every_column() {
    let env = Env::new();
    populate(&env.db());
    let table = env.ok(&["portfolio", "--as-of", "2026-06-01", "--lang", "en"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("SUPPLIER"), "{table}");
    // Riskiest first: critical and non-compliant, then never assessed, then low and fine.
    assert!(lines[1].starts_with("Centre d'appels Tunis"), "{table}");
    assert!(lines[1].contains("✗ non-compliant"), "{table}");
    assert!(lines[1].contains("▃▅"), "trend sparkline: {table}");
    assert!(
        lines[1].contains("2026-05-10"),
        "next due, 12 months: {table}"
    );
    assert!(lines[1].contains("0/1/0/0"), "open findings: {table}");
    assert!(lines[2].starts_with("Nouvelle Agence Web"), "{table}");
    assert!(lines[2].contains("now"), "{table}");
    assert!(lines[3].starts_with("Datacentre Lyon"), "{table}");
    assert!(lines[3].contains("✓ compliant"), "{table}");
    assert!(lines[3].contains("2029-01-20"), "low: 36 months: {table}");
    assert!(
        table.contains("NEEDS ATTENTION (up to 2026-08-30)"),
        "{table}"
    );
    assert!(table.contains("action overdue"), "{table}");
    assert!(table.contains("Alerte sous 24 h"), "{table}");
    assert!(table.contains("evidence expires"), "{table}");
    assert!(table.contains("assessment due"), "{table}");

    let fr = env.ok(&["portfolio", "--as-of", "2026-06-01", "--lang", "fr"]);
    assert!(fr.contains("✗ non conforme"), "{fr}");
    assert!(fr.contains("À SURVEILLER"), "{fr}");

    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["portfolio", "--as-of", "2026-06-01", "--format", "json"]))
            .expect("json");
    assert_eq!(json["overdue_actions"], 1);
    assert_eq!(json["due_suppliers"], 2);
    assert_eq!(json["expiring"], 1);
    let first = &json["rows"][0];
    assert_eq!(first["supplier_name"], "Centre d'appels Tunis");
    assert_eq!(first["criticality"], "critical");
    assert_eq!(first["reference"]["verdict"], "ko");
    assert_eq!(first["reference"]["verdict_severity"], "high");
    assert_eq!(first["trend"], serde_json::json!([35.0, 52.0]));
    assert_eq!(first["last_assessed"], "2025-05-10");
    assert_eq!(first["next_due"], "2026-05-10");
    assert_eq!(first["open_findings"]["high"], 1);
    assert_eq!(first["overdue_actions"], 1);
    assert_eq!(first["expiring_evidence"], 1);
    assert_eq!(json["attention"].as_array().map(Vec::len), Some(4));

    let csv = env.ok(&["portfolio", "--as-of", "2026-06-01", "--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[0].starts_with("supplier_id,supplier,criticality,"),
        "{csv}"
    );
    let header: Vec<&str> = lines[0].split(',').collect();
    let tunis: Vec<&str> = lines[1].split(',').collect();
    let field = |name: &str| {
        let i = header.iter().position(|h| *h == name).expect("column");
        tunis[i]
    };
    assert_eq!(field("supplier"), "Centre d'appels Tunis");
    assert_eq!(field("trend"), "35.0 52.0");
    assert_eq!(field("overdue_actions"), "1");
    assert_eq!(field("expiring_evidence"), "1");
}

#[test]
fn fail_on_gives_exit_code_3_only_when_the_condition_holds() {
    let env = Env::new();
    populate(&env.db());
    let r = env.run(&["portfolio", "--as-of", "2026-06-01", "--fail-on", "overdue"]);
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(
        r.stderr.contains("needs attention: overdue 1"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("Centre d'appels Tunis"),
        "the table is still printed"
    );
    // Before the deadline nothing is overdue.
    let r = env.run(&["portfolio", "--as-of", "2026-04-01", "--fail-on", "overdue"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // The certificate expires on 2026-07-15: outside a 30-day window on 2026-06-01.
    let r = env.run(&[
        "portfolio",
        "--as-of",
        "2026-06-01",
        "--due-within",
        "30d",
        "--fail-on",
        "expiring",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = env.run(&[
        "portfolio",
        "--as-of",
        "2026-06-01",
        "--due-within",
        "2m",
        "--fail-on",
        "expiring,due",
    ]);
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(r.stderr.contains("expiring 1, due 2"), "{}", r.stderr);
    let r = env.run(&["portfolio", "--due-within", "soon"]);
    assert_eq!(r.code, Some(2), "a usage error: {}", r.stderr);
}

#[test]
fn only_and_sort_filter_the_rows() {
    let env = Env::new();
    populate(&env.db());
    let out = env.ok(&[
        "portfolio",
        "--as-of",
        "2026-06-01",
        "--only",
        "due",
        "--sort",
        "name",
        "--format",
        "csv",
    ]);
    let names: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(names, vec!["Centre d'appels Tunis", "Nouvelle Agence Web"]);
    let out = env.ok(&["portfolio", "--as-of", "2026-06-01", "--only", "overdue"]);
    assert!(out.contains("(1 of 3 suppliers)"), "{out}");
}

#[test]
fn review_cycles_are_shown_and_changed_with_an_audit_row() {
    let env = Env::new();
    populate(&env.db());
    let out = env.ok(&["review-cycle", "--lang", "en"]);
    assert!(out.contains("critical    12 months"), "{out}");
    assert!(out.contains("low         36 months"), "{out}");
    env.ok(&["review-cycle", "critical", "6"]);
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["portfolio", "--as-of", "2026-06-01", "--format", "json"]))
            .expect("json");
    assert_eq!(json["rows"][0]["next_due"], "2025-11-10");
    let out = env.ok(&["review-cycle", "--lang", "en"]);
    assert!(out.contains("critical     6 months  (tester,"), "{out}");
    let r = env.run(&["review-cycle", "high", "0"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("between 1 and 120"), "{}", r.stderr);
    let r = env.run(&["review-cycle", "urgent", "3"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    let store = Store::open(env.db(), "check").expect("open");
    let trail = store.audit_trail(None).expect("trail");
    assert!(
        trail
            .iter()
            .any(|e| e.entity == "review-cycle" && e.entity_id == "critical" && e.who == "tester")
    );
}

#[test]
fn demo_goes_to_a_file_of_its_own_and_prints_how_to_open_it() {
    let env = Env::new();
    let out = env.ok(&["demo", "--no-open"]);
    let demo = env.path("home/data/vigie/vigie-demo.sqlite");
    assert_eq!(out.trim(), format!("vigie --db {}", demo.display()));
    assert!(demo.exists());
    assert!(!env.db().exists(), "the database in use is not touched");
    let home = env.path("home");
    let table = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .env("VIGIE_CACHE_DIR", env.path("cache"))
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("LANG", "C.UTF-8")
        .args([
            "--db",
            demo.to_str().expect("utf-8"),
            "portfolio",
            "--format",
            "csv",
        ])
        .output()
        .expect("run");
    assert!(table.status.success());
    assert_eq!(String::from_utf8_lossy(&table.stdout).lines().count(), 13);

    // Not over the database in use, nor over a file that is not a demo.
    populate(&env.db());
    let before = std::fs::read(env.db()).expect("read");
    let r = env.run(&[
        "demo",
        "--no-open",
        "--file",
        env.db().to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("the demo goes in a file of its own"),
        "{}",
        r.stderr
    );
    let other = env.path("other.sqlite");
    std::fs::copy(env.db(), &other).expect("copy");
    let r = env.run(&[
        "demo",
        "--no-open",
        "--file",
        other.to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("not a Vigie demo database"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(env.db()).expect("read"), before);
}
