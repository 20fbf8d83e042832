//! The `vigie` binary end to end: each test has its own folder holding the
//! database (`--db`), the compiled-plugin cache and a home directory, so tests
//! run in parallel and never touch the user's files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

struct Env {
    dir: TempDir,
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
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

    fn db(&self) -> PathBuf {
        self.path("vigie.sqlite")
    }

    /// `vigie` with a clean environment pointing into the test's folder, without `--db`.
    fn bare(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigie"));
        let home = self.path("home");
        cmd.current_dir(self.dir.path())
            .env("VIGIE_CACHE_DIR", self.path("cache"))
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("USER", "tester")
            .env("LANG", "C.UTF-8")
            .env_remove("VIGIE_DB")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("USERNAME")
            .env_remove("COLUMNS");
        cmd
    }

    /// `vigie --db DB args…`
    fn cmd(&self, db: &Path, args: &[&str]) -> Command {
        let mut cmd = self.bare();
        cmd.arg("--db").arg(db).args(args);
        cmd
    }

    fn run_on(&self, db: &Path, args: &[&str]) -> Run {
        self.cmd(db, args).output().unwrap().into()
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_on(&self.db(), args)
    }

    /// Runs on the test's database, asserts success and returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code,
            Some(0),
            "vigie {args:?} failed:\n{}{}",
            r.stdout,
            r.stderr
        );
        r.stdout
    }

    /// Runs on the test's database, asserts exit code 1 and returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code,
            Some(1),
            "vigie {args:?} should fail:\n{}{}",
            r.stdout,
            r.stderr
        );
        assert!(r.stderr.starts_with("vigie: "), "{}", r.stderr);
        r.stderr
    }

    fn write(&self, name: &str, content: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }

    /// A supplier and a draft NIS2 assessment dated like the golden answer sets; returns its id.
    fn nis2_assessment(&self) -> String {
        self.ok(&[
            "supplier",
            "add",
            "Centre d'appels Tunis",
            "--country",
            "TN",
        ]);
        let out = self.ok(&[
            "assessment",
            "new",
            "--supplier",
            "centre d'appels tunis",
            "--plugin",
            "nis2-suppliers",
            "--date",
            "2026-11-23",
        ]);
        out.trim().to_string()
    }

    fn answer_rows(&self, assessment: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        conn.query_row(
            "SELECT count(*) FROM answers WHERE assessment_id = ?1",
            [assessment],
            |r| r.get(0),
        )
        .unwrap()
    }
}

fn golden(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../questionnaires/nis2-suppliers/golden")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn supplier_add_list_show() {
    let env = Env::new();
    let out = env.ok(&[
        "supplier",
        "add",
        "Centre d'appels Tunis",
        "--country",
        "TN",
        "--sector",
        "BPO",
        "--service",
        "call centre",
        "--service",
        "back office",
        "--contact",
        "Amel Ben Ali <amel@example.tn>",
        "--contact",
        "Karim, RSSI, karim@example.tn, +216 71 000 000",
        "--criticality",
        "high",
    ]);
    assert!(
        out.contains("added supplier Centre d'appels Tunis"),
        "{out}"
    );
    env.ok(&["supplier", "add", "Hébergeur Lyon"]);

    let list = env.ok(&["supplier", "list"]);
    assert!(list.starts_with("ID"), "{list}");
    assert!(
        list.contains("Centre d'appels Tunis") && list.contains("high"),
        "{list}"
    );
    assert!(
        list.contains("Hébergeur Lyon") && list.contains("medium"),
        "{list}"
    );
    assert!(list.contains("call centre, back office"), "{list}");

    let fr = env.ok(&["--lang", "fr", "supplier", "list"]);
    assert!(fr.contains("élevée") && fr.contains("moyenne"), "{fr}");

    let show = env.ok(&["supplier", "show", "CENTRE D'APPELS  TUNIS"]);
    for part in [
        "Centre d'appels Tunis",
        "criticality: high",
        "country:     TN",
        "sector:      BPO",
        "call centre, back office",
        "Amel Ben Ali, <amel@example.tn>",
        "Karim, RSSI, <karim@example.tn>, +216 71 000 000",
        "by tester",
        "no assessments yet",
    ] {
        assert!(show.contains(part), "missing {part:?} in:\n{show}");
    }

    // Names are unique ignoring case and accents.
    let err = env.fails(&["supplier", "add", "hebergeur lyon"]);
    assert!(err.contains("already exists"), "{err}");
    // Unknown supplier.
    let err = env.fails(&["supplier", "show", "nobody"]);
    assert!(err.contains("no supplier matches `nobody`"), "{err}");
    // Usage errors are clap's.
    let r = env.run(&["supplier", "add", "X", "--criticality", "extreme"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("low, medium, high, critical"),
        "{}",
        r.stderr
    );
    let r = env.run(&["supplier", "add", "X", "--contact", "<x@y.z>"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(!env.ok(&["supplier", "list"]).contains(" X "));
}

#[test]
fn full_flow_new_answer_score_finalize() {
    let env = Env::new();
    let id = env.nis2_assessment();
    assert_eq!(id.len(), 36, "only the id on stdout: {id:?}");
    assert!(!id.contains(char::is_whitespace));

    // Bulk answers from a file, then one answer with a note.
    let out = env.ok(&["answer", &id, "--file", &golden("compliant.toml")]);
    assert!(out.contains("answers recorded"), "{out}");
    let bulk_rows = env.answer_rows(&id);
    assert!(bulk_rows > 20, "{bulk_rows}");
    let out = env.ok(&[
        "answer",
        &id,
        "iso-certified",
        "oui",
        "--note",
        "Certificate seen\nissued by AFNOR",
    ]);
    assert_eq!(out.trim(), "2", "prints the new revision");
    // A note alone keeps the value.
    let out = env.ok(&[
        "answer",
        &id[28..],
        "shares-evidence",
        "--note",
        "PDF sent by email",
    ]);
    assert_eq!(out.trim(), "2");
    // A value that does not fit the question.
    let err = env.fails(&["answer", &id, "iso-certified", "maybe"]);
    assert!(
        err.contains("iso-certified") && err.contains("maybe"),
        "{err}"
    );
    let err = env.fails(&["answer", &id, "no-such-question", "yes"]);
    assert!(err.contains("no-such-question"), "{err}");
    let r = env.run(&["answer", &id, "iso-certified"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);

    // Score as a table…
    let table = env.ok(&["score", &id]);
    assert!(table.contains("✅ compliant"), "{table}");
    assert!(
        table.contains("score:") && table.contains("/ 100"),
        "{table}"
    );
    assert!(table.contains("verdict:"), "{table}");
    assert!(table.contains("findings"), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 104), "{table}");
    let fr = env.ok(&["--lang", "fr", "score", &id]);
    assert!(fr.contains("✅ conforme"), "{fr}");
    // …and as JSON.
    let json = env.ok(&["score", &id, "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        value["criteria"].as_array().is_some_and(|c| !c.is_empty()),
        "{json}"
    );
    assert!(value["verdict"]["id"].is_string(), "{json}");
    assert!(value["score"].as_f64().is_some_and(|s| s > 50.0), "{json}");

    // The list shows the cached score.
    let short = &id[id.len() - 8..];
    let list = env.ok(&["assessment", "list"]);
    let line = list
        .lines()
        .find(|l| l.starts_with(short))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(
        line.contains("Centre d'appels Tunis") && line.contains("nis2-suppliers@"),
        "{line}"
    );
    assert!(
        line.contains("draft") && line.contains("2026-11-23"),
        "{line}"
    );
    assert!(!line.contains(" - "), "scored: {line}");
    let list = env.ok(&[
        "assessment",
        "list",
        "--supplier",
        "Centre d'appels Tunis",
        "--limit",
        "5",
    ]);
    assert!(list.contains(short), "{list}");

    let show = env.ok(&["assessment", "show", short]);
    for part in [
        &format!("assessment {id}"),
        "supplier:  Centre d'appels Tunis",
        "status:    draft",
        "date:      2026-11-23",
        "by tester",
        "iso-certified = yes   [rev 2, tester,",
        "note: Certificate seen",
        "issued by AFNOR",
        "note: PDF sent by email",
        "iso-expiry = 2028-03-31   [rev 1, tester,",
    ] {
        assert!(show.contains(part), "missing {part:?} in:\n{show}");
    }

    // Finalize; then the assessment is frozen.
    let out = env.ok(&["assessment", "finalize", &id]);
    assert!(
        out.contains("finalized") && out.contains("verdict"),
        "{out}"
    );
    let list = env.ok(&["assessment", "list"]);
    assert!(
        list.lines()
            .any(|l| l.starts_with(short) && l.contains("final")),
        "{list}"
    );
    let err = env.fails(&["answer", &id, "iso-certified", "no"]);
    assert!(err.contains("is final"), "{err}");
    let err = env.fails(&["answer", &id, "--file", &golden("compliant.toml")]);
    assert!(err.contains("is final"), "{err}");
    let err = env.fails(&["assessment", "finalize", &id]);
    assert!(err.contains("is final"), "{err}");
    assert!(env.ok(&["assessment", "show", &id]).contains("finalized: "));
    // A final assessment can still be scored (with the plugin bytes it records).
    assert_eq!(env.ok(&["score", &id, "--format", "json"]), json);
    // The supplier shows its assessment.
    let show = env.ok(&["supplier", "show", "Centre d'appels Tunis"]);
    assert!(
        show.contains("assessments (1)") && show.contains(short),
        "{show}"
    );
}

#[test]
fn assessment_new_refuses_bad_input() {
    let env = Env::new();
    env.ok(&["supplier", "add", "Acme"]);
    let err = env.fails(&[
        "assessment",
        "new",
        "--supplier",
        "Acme",
        "--plugin",
        "no-such-plugin",
    ]);
    assert!(err.contains("no-such-plugin"), "{err}");
    let err = env.fails(&[
        "assessment",
        "new",
        "--supplier",
        "Nobody",
        "--plugin",
        "nis2-suppliers",
    ]);
    assert!(err.contains("Nobody"), "{err}");
    let r = env.run(&[
        "assessment",
        "new",
        "--supplier",
        "Acme",
        "--plugin",
        "nis2-suppliers",
        "--date",
        "2026-13-01",
    ]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    let list = env.ok(&["assessment", "list"]);
    assert!(list.contains("no assessments yet"), "{list}");
}

#[test]
fn bulk_file_errors_name_file_and_line_and_write_nothing() {
    let env = Env::new();
    let id = env.nis2_assessment();
    let unknown = env.write(
        "unknown.toml",
        "[answers]\niso-certified = \"yes\"\n\nno-such-question = \"yes\"\n",
    );
    let err = env.fails(&["answer", &id, "--file", &unknown]);
    assert!(err.contains(&format!("{unknown}:4:")), "{err}");
    assert!(err.contains("no-such-question"), "{err}");

    let bad_value = env.write(
        "bad.toml",
        "[answers]\niso-certified = \"yes\"\niso-expiry = \"tomorrow\"\n",
    );
    let err = env.fails(&["answer", &id, "--file", &bad_value]);
    assert!(err.contains(&format!("{bad_value}:3:")), "{err}");
    assert!(err.contains("iso-expiry"), "{err}");

    // A dotted id left bare is a TOML table: the error says to quote it.
    let dotted = env.write("dotted.toml", "[answers]\nm21.backup = \"yes\"\n");
    let err = env.fails(&["answer", &id, "--file", &dotted]);
    assert!(
        err.contains(&format!("{dotted}:2:")) && err.contains("write \"m21.backup\" = …"),
        "{err}"
    );

    let syntax = env.write("syntax.toml", "[answers]\niso-certified = \n");
    let err = env.fails(&["answer", &id, "--file", &syntax]);
    assert!(err.contains(&syntax), "{err}");

    let err = env.fails(&[
        "answer",
        &id,
        "--file",
        &env.path("missing.toml").display().to_string(),
    ]);
    assert!(err.contains("missing.toml"), "{err}");

    assert_eq!(env.answer_rows(&id), 0, "nothing written");
    let show = env.ok(&["assessment", "show", &id]);
    assert!(show.contains("answers (0 of"), "{show}");
}

/// The date of a past event (a last test, a last audit) after the assessment
/// date is refused at input, one answer or a file, with a message saying why;
/// an impossible date says which day does not exist. Nothing is written.
#[test]
fn a_past_event_dated_after_the_assessment_is_refused() {
    let env = Env::new();
    let id = env.nis2_assessment();
    let err = env.fails(&["answer", &id, "m21f-pentest-date", "2027-01-15"]);
    assert!(
        err.contains("m21f-pentest-date")
            && err.contains("2027-01-15 is after the assessment date 2026-11-23"),
        "{err}"
    );
    let file = env.write(
        "future.toml",
        "[answers]\nm21f-effectiveness = \"yes\"\nm21f-pentest-date = \"2026-12-01\"\n",
    );
    let err = env.fails(&["answer", &id, "--file", &file]);
    assert!(err.contains(&format!("{file}:3:")), "{err}");
    assert!(err.contains("after the assessment date"), "{err}");
    let err = env.fails(&["answer", &id, "m21f-pentest-date", "2026-02-30"]);
    assert!(err.contains("there is no 30 February"), "{err}");
    assert_eq!(env.answer_rows(&id), 0, "nothing written");
    // A certificate expiry is not a past event: a later date is the point.
    env.ok(&["answer", &id, "iso-certified", "yes"]);
    env.ok(&["answer", &id, "iso-expiry", "2028-03-31"]);
}

/// The file is refused with a clear error and left byte for byte as it was,
/// by a command that reads and by one that writes.
fn assert_refused(env: &Env, db: &Path, watched: &Path, expected: &str) {
    let before = std::fs::read(watched).unwrap();
    for args in [
        &["supplier", "list"][..],
        &["supplier", "add", "Acme"],
        &["db", "verify"],
    ] {
        let r = env.run_on(db, args);
        assert_eq!(
            r.code,
            Some(1),
            "{args:?} on {}:\n{}{}",
            db.display(),
            r.stdout,
            r.stderr
        );
        assert!(r.stderr.starts_with("vigie: "), "{}", r.stderr);
        assert!(
            r.stderr.contains(expected),
            "{args:?}: expected {expected:?} in {}",
            r.stderr
        );
        assert!(
            r.stderr.contains(&db.display().to_string()),
            "names the file: {}",
            r.stderr
        );
        assert_eq!(
            std::fs::read(watched).unwrap(),
            before,
            "{} changed",
            watched.display()
        );
    }
}

#[test]
fn bad_database_files_are_refused_and_left_untouched() {
    let env = Env::new();

    // Not a database at all.
    let random = env.path("random.sqlite");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..8192)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    std::fs::write(&random, &bytes).unwrap();
    assert_refused(&env, &random, &random, "is not a Vigie database");

    // An SQLite database of another program.
    let foreign = env.path("foreign.sqlite");
    {
        let conn = rusqlite::Connection::open(&foreign).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    assert_refused(&env, &foreign, &foreign, "is not a Vigie database");

    // A Vigie database, truncated (mid-page and on a page boundary).
    env.ok(&["supplier", "add", "Acme"]);
    let full = std::fs::read(env.db()).unwrap();
    assert!(full.len() >= 4 * 4096, "{}", full.len());
    for (name, len) in [
        ("cut-mid-page.sqlite", full.len() / 2 + 123),
        ("cut-on-page.sqlite", 2 * 4096),
    ] {
        let cut = env.path(name);
        std::fs::write(&cut, &full[..len]).unwrap();
        assert_refused(&env, &cut, &cut, "is damaged");
    }

    // A database from a newer Vigie.
    let newer = env.path("newer.sqlite");
    std::fs::copy(env.db(), &newer).unwrap();
    {
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.pragma_update(None, "user_version", 9999).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    assert_refused(&env, &newer, &newer, "newer");

    // A path that cannot be created: under a regular file.
    let plain = env.path("plain.txt");
    std::fs::write(&plain, "just a file\n").unwrap();
    let under = plain.join("vigie.sqlite");
    assert_refused(&env, &under, &plain, "cannot");
}

#[test]
fn db_verify_detects_a_tampered_audit_row() {
    let env = Env::new();
    env.ok(&["supplier", "add", "Acme"]);
    env.ok(&["supplier", "add", "Globex", "--country", "FR"]);
    let out = env.ok(&["db", "verify"]);
    assert!(out.contains("integrity: ok"), "{out}");
    assert!(out.contains("audit trail: ok"), "{out}");

    {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        let guard: String = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'audit_log_no_update'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute_batch("DROP TRIGGER audit_log_no_update")
            .unwrap();
        let n = conn
            .execute("UPDATE audit_log SET who = 'mallory' WHERE seq = 2", [])
            .unwrap();
        assert_eq!(n, 1);
        conn.execute_batch(&guard).unwrap();
    }
    let r = env.run(&["db", "verify"]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("integrity: ok"), "{}", r.stdout);
    assert!(r.stdout.contains("audit trail: BROKEN"), "{}", r.stdout);
    assert!(
        r.stderr.contains("audit row 2"),
        "names the first broken row: {}",
        r.stderr
    );

    // verify never creates a database.
    let missing = env.path("missing.sqlite");
    let r = env.run_on(&missing, &["db", "verify"]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("no database"), "{}", r.stderr);
    assert!(!missing.exists());
}

#[test]
fn db_backup_is_a_verified_copy() {
    let env = Env::new();
    env.ok(&["supplier", "add", "Acme"]);
    let backup = env.path("backups/copy.sqlite");
    let backup_arg = backup.display().to_string();
    let out = env.ok(&["db", "backup", &backup_arg]);
    assert!(out.contains("copy.sqlite"), "{out}");
    let r = env.run_on(&backup, &["db", "verify"]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("audit trail: ok"), "{}", r.stdout);
    assert!(
        env.run_on(&backup, &["supplier", "list"])
            .stdout
            .contains("Acme")
    );
    // Never overwrites.
    let err = env.fails(&["db", "backup", &backup_arg]);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn db_path_from_flag_env_or_default() {
    let env = Env::new();
    assert_eq!(
        env.ok(&["db", "path"]).trim(),
        env.db().display().to_string()
    );
    let out = env
        .bare()
        .args(["db", "path"])
        .env("VIGIE_DB", "/srv/shared.sqlite")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "/srv/shared.sqlite"
    );
    let out = env.bare().args(["db", "path"]).output().unwrap();
    let default = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(default.ends_with("vigie.sqlite"), "{default}");
    assert!(
        default.starts_with(&env.path("home").display().to_string()),
        "{default}"
    );
    assert!(!Path::new(&default).exists(), "db path creates nothing");
}

#[test]
fn plugin_install_then_list_shows_database_origin() {
    let env = Env::new();
    // No database yet: bundled plugins only, and no file is created.
    let list = env.ok(&["plugin", "list"]);
    assert!(
        list.contains("bundled") && !list.contains("database"),
        "{list}"
    );
    assert!(!env.db().exists());

    let bundled = vigie_bundled::BUNDLED
        .iter()
        .find(|b| b.name == "gdpr-offshore")
        .unwrap_or(&vigie_bundled::BUNDLED[0]);
    let file = env.path("plugin.wasm");
    std::fs::write(&file, bundled.bytes).unwrap();
    let out = env.ok(&["plugin", "install", &file.display().to_string()]);
    assert!(
        out.contains(&format!("installed {}", bundled.name)),
        "{out}"
    );

    let list = env.ok(&["plugin", "list"]);
    let line = list
        .lines()
        .find(|l| l.starts_with(bundled.name))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(line.contains("database"), "{line}");
    assert!(
        env.ok(&["plugin", "inspect", bundled.name])
            .contains("## criteria")
    );

    // Not a plugin: refused, nothing stored.
    let junk = env.write("junk.wasm", "not wasm");
    let err = env.fails(&["plugin", "install", &junk]);
    assert!(err.contains("junk.wasm"), "{err}");
    let err = env.fails(&[
        "plugin",
        "install",
        &env.path("absent.wasm").display().to_string(),
    ]);
    assert!(err.contains("cannot read"), "{err}");
}

/// Two auditors on one file from the command line: an answer given by
/// another auditor is not replaced without the revision it was based on, the
/// refusal shows both values and how to go on, and a file of answers that
/// would change a colleague's answer is refused whole unless told otherwise.
#[test]
fn another_auditors_answer_is_never_silently_replaced() {
    let env = Env::new();
    let id = env.nis2_assessment();
    let as_user = |who: &str, args: &[&str]| -> Run {
        let mut all = vec!["--auditor", who];
        all.extend_from_slice(args);
        env.run(&all)
    };
    let r = as_user("alice", &["answer", &id, "iso-certified", "yes"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // Alice corrects her own answer: no revision needed.
    let r = as_user("alice", &["answer", &id, "iso-certified", "partial"]);
    assert_eq!((r.code, r.stdout.trim()), (Some(0), "2"), "{}", r.stderr);

    let r = as_user("bob", &["answer", &id, "iso-certified", "no"]);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    assert!(r.stderr.contains("iso-certified"), "{}", r.stderr);
    assert!(
        r.stderr.contains("\"no\"") && r.stderr.contains("\"partial\""),
        "both values: {}",
        r.stderr
    );
    assert!(r.stderr.contains("revision 2 by alice"), "{}", r.stderr);
    assert!(r.stderr.contains("--revision 2"), "{}", r.stderr);
    // A stale revision is refused too; the current one goes through.
    let r = as_user(
        "bob",
        &["answer", &id, "iso-certified", "no", "--revision", "1"],
    );
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    let r = as_user(
        "bob",
        &["answer", &id, "iso-certified", "no", "--revision", "2"],
    );
    assert_eq!((r.code, r.stdout.trim()), (Some(0), "3"), "{}", r.stderr);

    // A file that would change Bob's answer, run by Alice: refused whole.
    let file = env.write(
        "mine.toml",
        "[answers]\niso-certified = \"yes\"\niso-scope-covers-service = \"yes\"\n",
    );
    let before = env.answer_rows(&id);
    let r = as_user("alice", &["answer", &id, "--file", &file]);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    assert!(r.stderr.contains("revision 3 by bob"), "{}", r.stderr);
    assert_eq!(env.answer_rows(&id), before, "nothing written");
    let r = as_user(
        "alice",
        &["answer", &id, "--file", &file, "--replace-others"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(env.answer_rows(&id), before + 1);
}

#[test]
fn auditor_is_recorded() {
    let env = Env::new();
    env.ok(&["--auditor", "Alice Martin", "supplier", "add", "Acme"]);
    let out = env.ok(&[
        "--auditor",
        "Alice Martin",
        "assessment",
        "new",
        "--supplier",
        "Acme",
        "--plugin",
        "nis2-suppliers",
    ]);
    let id = out.trim().to_string();
    // Without --auditor: $USER, else USERNAME.
    env.ok(&["answer", &id, "iso-certified", "yes"]);
    let out = env
        .cmd(&env.db(), &["answer", &id, "shares-evidence", "no"])
        .env_remove("USER")
        .env("USERNAME", "winuser")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let show = env.ok(&["assessment", "show", &id]);
    assert!(show.contains("by Alice Martin"), "{show}");
    assert!(
        show.contains("iso-certified = yes   [rev 1, tester,"),
        "{show}"
    );
    assert!(
        show.contains("shares-evidence = no   [rev 1, winuser,"),
        "{show}"
    );
    // Neither variable (a fresh tmux, a service account): the system's account name.
    let out = env
        .cmd(&env.db(), &["answer", &id, "aware-of-nis2", "unaware"])
        .env_remove("USER")
        .env_remove("USERNAME")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let whoami = Command::new("id").arg("-un").output().unwrap();
    let account = String::from_utf8_lossy(&whoami.stdout).trim().to_string();
    let show = env.ok(&["assessment", "show", &id]);
    assert!(
        show.contains(&format!("[rev 1, {account},")),
        "the account name {account}: {show}"
    );
    assert!(
        env.ok(&["supplier", "show", "Acme"])
            .contains("by Alice Martin")
    );
}

/// Issue 14: re-answering without `--note` (or from a file without a note) keeps the note
/// already recorded; `--note ""` clears it.
#[test]
fn a_new_value_keeps_the_note_unless_asked() {
    let env = Env::new();
    let id = env.nis2_assessment();
    let note_of = |question: &str| -> Option<String> {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.query_row(
            "SELECT note FROM answers WHERE assessment_id = ?1 AND question_id = ?2",
            [id.as_str(), question],
            |r| r.get(0),
        )
        .unwrap()
    };
    env.ok(&[
        "answer",
        &id,
        "iso-certified",
        "partial",
        "--note",
        "certificat expiré, renouvellement en cours",
    ]);
    env.ok(&["answer", &id, "iso-certified", "yes"]);
    assert_eq!(
        note_of("iso-certified").as_deref(),
        Some("certificat expiré, renouvellement en cours")
    );
    let file = env.write("a.toml", "[answers]\niso-certified = \"partial\"\n");
    env.ok(&["answer", &id, "--file", &file]);
    assert_eq!(
        note_of("iso-certified").as_deref(),
        Some("certificat expiré, renouvellement en cours"),
        "a file without a note keeps it"
    );
    env.ok(&["answer", &id, "iso-certified", "yes", "--note", ""]);
    assert_eq!(note_of("iso-certified").filter(|n| !n.is_empty()), None);
}

/// Issue 14: `--version` names the commit the binary was built from.
#[test]
fn version_names_the_commit() {
    let env = Env::new();
    let out = env.bare().arg("--version").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let commit = text
        .split("(commit ")
        .nth(1)
        .and_then(|rest| rest.strip_suffix(")\n"))
        .unwrap_or_else(|| panic!("no commit in {text}"));
    assert!(
        commit == "not from a git checkout"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{text}"
    );
}

/// `answer --template` writes an answers file listing the questions that apply,
/// commented; filling two lines and giving it back with `--file` records those
/// two answers and nothing else, and the next template shows them as current.
#[test]
fn answers_template_round_trip() {
    let env = Env::new();
    let id = env.nis2_assessment();
    let path = env.path("answers.toml");
    let r = env.run(&[
        "answer",
        &id,
        "--template",
        "-o",
        &path.display().to_string(),
    ]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("--file"), "{}", r.stderr);
    let template = std::fs::read_to_string(&path).unwrap();
    assert!(template.contains("[answers]"), "{template}");
    assert!(
        template.contains("# yes-no: yes, no, partial, unknown"),
        "{template}"
    );
    assert!(
        template.contains("80 000 000"),
        "the value syntax: {template}"
    );
    // As written it answers nothing.
    let out = env.ok(&["answer", &id, "--file", &path.display().to_string()]);
    assert!(out.starts_with("0 answers recorded"), "{out}");

    // Fill the first two yes-no questions.
    let mut kind = "";
    let mut filled = Vec::new();
    let text: Vec<String> = template
        .lines()
        .map(|line| {
            if let Some(rest) = line.strip_prefix("# ")
                && let Some((k, _)) = rest.split_once(": ")
                && !k.contains(' ')
            {
                kind = if k == "yes-no" { "yes-no" } else { "" };
            }
            match line
                .strip_prefix("# ")
                .and_then(|l| l.strip_suffix(" = \"\""))
            {
                Some(question) if kind == "yes-no" && filled.len() < 2 => {
                    filled.push(question.to_string());
                    format!("{question} = \"yes\"")
                }
                _ => line.to_string(),
            }
        })
        .collect();
    assert_eq!(filled.len(), 2, "{template}");
    std::fs::write(&path, text.join("\n")).unwrap();
    let out = env.ok(&["answer", &id, "--file", &path.display().to_string()]);
    assert!(out.starts_with("2 answers recorded"), "{out}");
    assert_eq!(env.answer_rows(&id), 2);

    let again = env.ok(&["answer", &id, "--template"]);
    for question in &filled {
        assert!(
            again.contains(&format!("# {question} = \"yes\"")),
            "{again}"
        );
    }
    assert!(again.contains("# current: yes"), "{again}");
}

/// `answer --help` gives the value syntax of every kind of question.
/// A count of one reads in the singular ("1 answer recorded", not "1 answers").
#[test]
fn one_answer_from_a_file_reads_in_the_singular() {
    let env = Env::new();
    let id = env.nis2_assessment();
    let path = env.path("one.toml");
    std::fs::write(&path, "[answers]\niso-certified = \"oui\"\n").unwrap();
    let out = env.ok(&["answer", &id, "--file", &path.display().to_string()]);
    assert!(out.starts_with("1 answer recorded from "), "{out}");
}

#[test]
fn answer_help_lists_the_value_syntax() {
    let help = Env::new().ok(&["answer", "--help"]);
    for needle in [
        "yes-no",
        "partial",
        "unknown",
        "declined",
        "single-choice",
        "multiple-choice",
        "80 000 000",
        "60,5",
        "YYYY-MM-DD",
        "--template",
        "\"a.b\"",
    ] {
        assert!(help.contains(needle), "`{needle}` missing from:\n{help}");
    }
}

/// An answer to a question that does not apply is refused at input, one answer
/// or a file (nothing written); one stored before another answer closed the
/// question is counted nowhere and marked in `assessment show` and the reports.
#[test]
fn answers_to_questions_that_do_not_apply() {
    let env = Env::new();
    let id = env.nis2_assessment();
    // iso-expiry applies only to a certified supplier.
    let err = env.fails(&["answer", &id, "iso-expiry", "2028-03-31"]);
    assert!(
        err.contains("`iso-expiry` does not apply") && err.contains("iso-certified is"),
        "{err}"
    );
    let file = env.write(
        "na.toml",
        "[answers]\niso-certified = \"no\"\niso-expiry = \"2028-03-31\"\n",
    );
    let err = env.fails(&["answer", &id, "--file", &file]);
    assert!(
        err.contains(&format!("{file}:3:")) && err.contains("`iso-expiry` does not apply"),
        "{err}"
    );
    assert_eq!(env.answer_rows(&id), 0, "nothing written");
    // In one file, the answer that opens the question comes with it.
    let file = env.write(
        "ok.toml",
        "[answers]\niso-certified = \"yes\"\niso-expiry = \"2028-03-31\"\n",
    );
    env.ok(&["answer", &id, "--file", &file]);
    let show = env.ok(&["assessment", "show", &id]);
    let count = show.lines().find(|l| l.starts_with("answers (")).unwrap();
    assert!(count.starts_with("answers (2 of "), "{show}");
    // Closing it leaves the stored answer, counted nowhere and marked.
    env.ok(&["answer", &id, "iso-certified", "no"]);
    let show = env.ok(&["assessment", "show", &id]);
    let count = show.lines().find(|l| l.starts_with("answers (")).unwrap();
    assert!(count.starts_with("answers (1 of "), "{show}");
    let line = show.lines().find(|l| l.contains("iso-expiry =")).unwrap();
    assert!(line.contains("(not applicable, not scored)"), "{show}");
    // Its note can still change (the value stays); a new value cannot be given.
    env.ok(&["answer", &id, "iso-expiry", "--note", "certificate lapsed"]);
    let err = env.fails(&["answer", &id, "iso-expiry", "2029-01-31"]);
    assert!(err.contains("`iso-expiry` does not apply"), "{err}");
    for format in ["md", "html", "csv"] {
        let report = env.ok(&["--lang", "en", "report", &id, "--format", format]);
        assert_eq!(
            report.matches("not applicable, not scored").count(),
            1,
            "{format}: {report}"
        );
    }
    let json = env.ok(&["report", &id, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let marked: Vec<&str> = doc["answers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["answers"].as_array().unwrap())
        .filter(|a| a["applies"] == false)
        .map(|a| a["question"].as_str().unwrap())
        .collect();
    assert_eq!(marked, ["iso-expiry"]);
}

/// Completion scripts and the manual page come from the parser's own
/// definitions: every subcommand is in them.
#[test]
fn completions_and_man_page_name_every_subcommand() {
    let env = Env::new();
    let subcommands = [
        "tui",
        "plugin",
        "supplier",
        "assessment",
        "answer",
        "score",
        "db",
        "report",
        "export",
        "import",
        "completions",
        "man",
    ];
    let bash = env.ok(&["completions", "bash"]);
    assert!(
        bash.contains("complete -F") && bash.contains("vigie"),
        "{bash}"
    );
    for sub in subcommands {
        assert!(bash.contains(&format!("vigie,{sub})")), "bash lacks {sub}");
    }
    // Nested commands and enumerated values too.
    assert!(
        bash.contains("reassess") && bash.contains("rollback"),
        "{bash}"
    );
    for shell in ["zsh", "fish"] {
        let script = env.ok(&["completions", shell]);
        for sub in subcommands {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
    }
    let r = env.run(&["completions", "tcsh"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);

    let man = env.ok(&["man"]);
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
    ] {
        assert!(
            man.contains(section),
            "the man page lacks {section}:\n{man}"
        );
    }
    for sub in subcommands {
        assert!(
            man.contains(&format!("vigie\\-{sub}(1)")),
            "the man page lacks {sub}:\n{man}"
        );
    }
    assert!(man.contains("VIGIE_DB"), "{man}");
    let dir = env.path("man");
    let r = env.run(&["man", "-o", &dir.display().to_string()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    for page in [
        "vigie.1",
        "vigie-answer.1",
        "vigie-report.1",
        "vigie-plugin-new.1",
    ] {
        assert!(dir.join(page).is_file(), "{page} missing");
    }
    // When man(1) is installed, the page renders as text with its sections.
    if let Ok(out) = std::process::Command::new("man")
        .arg("-l")
        .arg(dir.join("vigie.1"))
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        && out.status.success()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("NAME") && text.contains("SYNOPSIS"), "{text}");
    }
}

/// English output says things in English: the assessment list shows the
/// verdict's label (not its id), and an amount in euros reads `€310M`.
#[test]
fn english_lists_and_reports_read_as_english() {
    let env = Env::new();
    let id = env.nis2_assessment();
    env.ok(&["answer", &id, "--file", &golden("compliant.toml")]);
    let json = env.ok(&["score", &id, "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let verdict_id = value["verdict"]["id"].as_str().unwrap().to_string();
    let label_in = |lang: &str| {
        value["verdict"]["label"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["lang"] == lang)
            .and_then(|t| t["text"].as_str())
            .unwrap()
            .to_string()
    };
    for lang in ["en", "fr"] {
        let list = env.ok(&["--lang", lang, "assessment", "list"]);
        let row = list.lines().nth(1).unwrap();
        assert!(
            row.ends_with(&label_in(lang)) && !row.ends_with(&format!(" {verdict_id}")),
            "{lang}: {list}"
        );
    }
    let show = env.ok(&["--lang", "en", "assessment", "show", &id]);
    let turnover = show
        .lines()
        .find(|l| l.trim_start().starts_with("client-turnover ="))
        .unwrap();
    assert!(
        turnover.contains("= €") && turnover.contains("M   [rev"),
        "{turnover}"
    );
    let report = env.ok(&["--lang", "en", "report", &id]);
    assert!(!report.contains("€ M"), "{report}");
    let fr = env.ok(&["--lang", "fr", "report", &id]);
    assert!(fr.contains(" M€"), "{fr}");
}

/// Without `--date`, an assessment is dated the local day. UTC+14 and UTC−12 are 26 hours
/// apart, so their days always differ; the UTC day would date both alike.
#[test]
fn the_default_assessment_date_is_the_local_day() {
    let env = Env::new();
    env.ok(&["supplier", "add", "Hébergeur Lyon"]);
    let date_in = |tz: &str| {
        let out = env
            .cmd(
                &env.db(),
                &[
                    "assessment",
                    "new",
                    "--supplier",
                    "hébergeur lyon",
                    "--plugin",
                    "nis2-suppliers",
                ],
            )
            .env("TZ", tz)
            .output()
            .unwrap();
        let run = Run::from(out);
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        let id = run.stdout.trim().to_string();
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.query_row(
            "SELECT assessment_date FROM assessments WHERE id = ?1",
            [&id],
            |r| r.get::<_, String>(0),
        )
        .unwrap()
    };
    // POSIX time zones (no tz database needed): the sign is west of UTC.
    let east = date_in("EAST-14");
    let west = date_in("WEST+12");
    assert_ne!(
        east, west,
        "both dated {east}: the UTC day, not the local one"
    );
    assert!(east > west, "{east} should be after {west}");
}
