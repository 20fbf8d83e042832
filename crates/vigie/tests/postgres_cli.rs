//! The `vigie` binary on a PostgreSQL store (`--db postgres://…`), against a real throwaway
//! server: the interview's commands work as on a file, the author of every change is the
//! role the server authenticated, a password never appears in what the binary prints, and
//! TLS refuses a server whose certificate does not chain to the root given.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::Command;

use vigie_pgtest::{Options, TestServer};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn vigie(home: &Path, db: &str, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .current_dir(home)
        .env("VIGIE_CACHE_DIR", home.join("cache"))
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("USER", "unix-login-name")
        .env("LANG", "C.UTF-8")
        .env_remove("VIGIE_AUDITOR")
        .env_remove("PGPASSWORD")
        .env_remove("PGUSER")
        .env("VIGIE_DB", db)
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(home: &Path, db: &str, args: &[&str]) -> String {
    let r = vigie(home, db, args);
    assert_eq!(r.code, Some(0), "vigie {args:?}:\n{}{}", r.stdout, r.stderr);
    r.stdout
}

fn fails(home: &Path, db: &str, args: &[&str]) -> String {
    let r = vigie(home, db, args);
    assert_eq!(
        r.code,
        Some(1),
        "vigie {args:?} should fail:\n{}{}",
        r.stdout,
        r.stderr
    );
    r.stderr
}

fn golden(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../questionnaires/nis2-suppliers/golden")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn an_interview_on_postgresql_is_recorded_as_the_authenticated_role() {
    let server = vigie_pgtest::shared();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let url = server.create_database().unwrap_or_else(|e| panic!("{e}"));
    let database = vigie_pgtest::database_name(&url).unwrap();
    server
        .run_sql("postgres", "CREATE ROLE amel LOGIN SUPERUSER")
        .unwrap_or_else(|e| panic!("{e}"));
    let as_amel = server.url_as("amel", None, &database);

    ok(
        home,
        &as_amel,
        &[
            "supplier",
            "add",
            "Centre d'appels Tunis",
            "--country",
            "TN",
        ],
    );
    let id = ok(
        home,
        &as_amel,
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
    assert_eq!(id.len(), 36, "{id}");
    let out = ok(
        home,
        &as_amel,
        &["answer", &id, "--file", &golden("compliant.toml")],
    );
    assert!(out.contains("answers recorded"), "{out}");
    let score = ok(home, &as_amel, &["score", &id, "--format", "json"]);
    assert!(score.contains("\"score\""), "{score}");
    let out = ok(home, &as_amel, &["assessment", "finalize", &id]);
    assert!(out.contains("finalized"), "{out}");
    let err = fails(home, &as_amel, &["answer", &id, "iso-certified", "no"]);
    assert!(err.contains("final"), "{err}");
    let verify = ok(home, &as_amel, &["db", "verify"]);
    assert!(verify.contains("chain intact"), "{verify}");

    // Reassessment, its comparison in the report, the HTML report.
    let run = vigie(
        home,
        &as_amel,
        &[
            "--lang",
            "fr",
            "assessment",
            "reassess",
            &id,
            "--date",
            "2027-11-23",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let new = run.stdout.trim().to_string();
    assert_eq!(new.len(), 36, "{}", run.stdout);
    let md = ok(home, &as_amel, &["--lang", "fr", "report", &new]);
    assert!(
        md.contains("## Comparaison avec l'évaluation précédente"),
        "{md}"
    );
    let html = home.join("report.html");
    ok(
        home,
        &as_amel,
        &[
            "report",
            &id,
            "--format",
            "html",
            "-o",
            html.to_str().unwrap(),
        ],
    );
    assert!(std::fs::read_to_string(&html).unwrap().contains("<html"));

    // An export from PostgreSQL imports into a file, and exports again byte for byte.
    let exported = home.join("a.json");
    ok(
        home,
        &as_amel,
        &["export", &id, "-o", exported.to_str().unwrap()],
    );
    let file_db = home.join("laptop.sqlite");
    let file_db = file_db.to_str().unwrap();
    let run = vigie(
        home,
        file_db,
        &["import", exported.to_str().unwrap(), "--accept-plugins"],
    );
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let again = home.join("b.json");
    ok(
        home,
        file_db,
        &["export", &id, "-o", again.to_str().unwrap()],
    );
    assert_eq!(
        std::fs::read(&exported).unwrap(),
        std::fs::read(&again).unwrap(),
        "the exchange file changed between PostgreSQL and SQLite"
    );

    // The trail names the role, not $USER.
    let who = server
        .run_sql(&database, "SELECT DISTINCT who FROM audit_log ORDER BY who")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(who.trim(), "amel", "{who}");

    // A self-declared name other than the role is refused, and nothing is written.
    let before = server
        .run_sql(&database, "SELECT count(*) FROM audit_log")
        .unwrap_or_else(|e| panic!("{e}"));
    let err = fails(
        home,
        &as_amel,
        &["--auditor", "mallory", "supplier", "add", "Other"],
    );
    assert!(err.contains("amel") && err.contains("mallory"), "{err}");
    let after = server
        .run_sql(&database, "SELECT count(*) FROM audit_log")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(before, after);

    // Another program cannot write another name into the trail either: the server refuses.
    let forged = server.run_sql(
        &database,
        "INSERT INTO audit_log (seq, at, who, action, entity, entity_id, prev_hash, hash) \
         VALUES (100000, 'x', 'mallory', 'set', 'answer', 'q', '\\x00', '\\x00')",
    );
    let refused = forged.map(|_| ()).unwrap_err().to_string();
    assert!(refused.contains("authenticated role"), "{refused}");
}

#[test]
fn a_password_never_appears_in_what_vigie_prints() {
    let server = TestServer::start_with(Options {
        tcp: true,
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let url = server.create_database().unwrap_or_else(|e| panic!("{e}"));
    let database = vigie_pgtest::database_name(&url).unwrap();
    server
        .create_role("bob", Some("Right-Pass-8472"))
        .unwrap_or_else(|e| panic!("{e}"));

    let wrong = server
        .tcp_url("bob", Some("Wrong-Pass-1937"), &database, "sslmode=disable")
        .unwrap_or_else(|e| panic!("{e}"));
    let r = vigie(home, &wrong, &["supplier", "list"]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("password authentication failed"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("Wrong-Pass-1937") && !r.stdout.contains("Wrong-Pass-1937"));

    // The right password from ~/.pgpass (mode 0600), none in the URL.
    let pgpass = home.join(".pgpass");
    std::fs::write(&pgpass, format!("*:*:{database}:bob:Right-Pass-8472\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let bare = server
        .tcp_url("bob", None, &database, "sslmode=disable")
        .unwrap_or_else(|e| panic!("{e}"));
    ok(home, &bare, &["supplier", "add", "Hébergeur Lyon"]);
    let list = ok(home, &bare, &["supplier", "list"]);
    assert!(list.contains("Hébergeur Lyon"), "{list}");
    // Nothing the database holds carries the password.
    let dump = server
        .run_sql(
            &database,
            "SELECT string_agg(t::text, ' ') FROM (SELECT * FROM audit_log) t",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        dump.contains("bob") && !dump.contains("Right-Pass"),
        "{dump}"
    );
}

#[test]
fn tls_verify_full_accepts_the_right_server_and_refuses_another_authority() {
    let server = TestServer::start_with(Options {
        tls: true,
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let url = server.create_database().unwrap_or_else(|e| panic!("{e}"));
    let database = vigie_pgtest::database_name(&url).unwrap();
    server
        .create_role("carol", Some("Tls-Pass-5521"))
        .unwrap_or_else(|e| panic!("{e}"));
    let ca = server.ca_cert_path().unwrap().display().to_string();
    let other = server.other_ca_cert_path().unwrap().display().to_string();

    let good = server
        .tcp_url(
            "carol",
            Some("Tls-Pass-5521"),
            &database,
            &format!("sslmode=verify-full&sslrootcert={ca}"),
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .replace("127.0.0.1", "localhost");
    ok(home, &good, &["supplier", "add", "Infogérance Nantes"]);
    assert!(ok(home, &good, &["supplier", "list"]).contains("Infogérance Nantes"));

    let wrong_ca = good.replace(&ca, &other);
    let err = fails(home, &wrong_ca, &["supplier", "list"]);
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert!(!err.contains("Tls-Pass-5521"), "{err}");

    // Without TLS the server refuses, and `require` (no check of the server) is refused
    // by Vigie before any password is sent.
    let plain = good.replace(
        &format!("sslmode=verify-full&sslrootcert={ca}"),
        "sslmode=disable",
    );
    let err = fails(home, &plain, &["supplier", "list"]);
    assert!(!err.contains("Tls-Pass-5521"), "{err}");
    let require = good.replace("sslmode=verify-full", "sslmode=require");
    let err = fails(home, &require, &["supplier", "list"]);
    assert!(err.contains("does not check who the server is"), "{err}");
}
