//! `vigie db copy FROM TO`, the real binary: a file with a finalised interview copied to a
//! PostgreSQL database (a throwaway server) and back to a new file; the history, the
//! verification and the exports survive both ways; a target that is not empty is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `vigie ARGS` in `home`, as the login "tester", with `VIGIE_DB` pointing at a database
/// `db copy` must not use.
fn vigie(home: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .current_dir(home)
        .env("VIGIE_CACHE_DIR", home.join("cache"))
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("USER", "tester")
        .env("LANG", "C.UTF-8")
        .env_remove("VIGIE_AUDITOR")
        .env_remove("PGPASSWORD")
        .env_remove("PGUSER")
        .env("VIGIE_DB", home.join("unused.sqlite"))
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(home: &Path, args: &[&str]) -> String {
    let r = vigie(home, args);
    assert_eq!(r.code, Some(0), "vigie {args:?}:\n{}{}", r.stdout, r.stderr);
    r.stdout
}

fn golden(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../questionnaires/nis2-suppliers/golden")
        .join(name)
        .display()
        .to_string()
}

/// The audit trail of a file: (seq, who, action, hash) per row.
fn trail(file: &Path) -> Vec<(i64, String, String, Vec<u8>)> {
    let c = rusqlite::Connection::open(file).unwrap();
    let mut stmt = c
        .prepare("SELECT seq, who, action, hash FROM audit_log ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn db_copy_moves_a_store_to_postgresql_and_back_with_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let team = home.join("team.sqlite");
    let team_arg = team.to_str().unwrap();

    // An interview on a file.
    ok(
        home,
        &["--db", team_arg, "supplier", "add", "Centre d'appels Tunis"],
    );
    let id = ok(
        home,
        &[
            "--db",
            team_arg,
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
    ok(
        home,
        &[
            "--db",
            team_arg,
            "answer",
            &id,
            "--file",
            &golden("compliant.toml"),
        ],
    );
    ok(home, &["--db", team_arg, "assessment", "finalize", &id]);
    let exported = home.join("team.json");
    ok(
        home,
        &[
            "--db",
            team_arg,
            "export",
            &id,
            "-o",
            exported.to_str().unwrap(),
        ],
    );

    // To PostgreSQL: the URL carries a password (the socket does not need it), which
    // nothing printed may show.
    let server = vigie_pgtest::shared();
    let created = server.create_database().unwrap_or_else(|e| panic!("{e}"));
    let database = vigie_pgtest::database_name(&created).unwrap();
    let url = server.url_as(vigie_pgtest::ADMIN_ROLE, Some("pw-s3cr3t"), &database);
    let run = vigie(home, &["db", "copy", team_arg, &url]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let printed = format!("{}{}", run.stdout, run.stderr);
    assert!(!printed.contains("pw-s3cr3t"), "{printed}");
    assert!(printed.contains("(SQLite) to "), "{printed}");
    assert!(printed.contains("assessments"), "{printed}");
    assert!(printed.contains("identical"), "{printed}");
    assert!(
        printed.contains("source: verified") && printed.contains("copy: verified"),
        "{printed}"
    );
    let source_trail = trail(&team);
    let head = hex_of(&source_trail.last().unwrap().3);
    // The copy's row records the source's head.
    let record = server
        .run_sql(
            &database,
            "SELECT who || ' ' || action || ' ' || new FROM audit_log ORDER BY seq DESC LIMIT 1",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        record.starts_with(&format!("{} copy ", vigie_pgtest::ADMIN_ROLE)),
        "{record}"
    );
    assert!(record.contains(&head), "{record}");

    // The PostgreSQL store works like the file: verify, export.
    let verify = ok(home, &["--db", &url, "db", "verify"]);
    assert!(verify.contains("chain intact"), "{verify}");
    let from_pg = home.join("pg.json");
    ok(
        home,
        &["--db", &url, "export", &id, "-o", from_pg.to_str().unwrap()],
    );
    assert_eq!(
        std::fs::read(&exported).unwrap(),
        std::fs::read(&from_pg).unwrap()
    );

    // Into a database that is no longer empty: refused.
    let again = vigie(home, &["db", "copy", team_arg, &url]);
    assert_eq!(again.code, Some(1), "{}{}", again.stdout, again.stderr);
    assert!(again.stderr.contains("not empty"), "{}", again.stderr);

    // And back to a new file, copied by the person running the command.
    let back = home.join("back").join("team-copy.sqlite");
    let back_arg = back.to_str().unwrap();
    let run = vigie(home, &["db", "copy", &url, back_arg]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("(PostgreSQL) to "), "{}", run.stdout);
    let back_trail = trail(&back);
    assert_eq!(back_trail[..source_trail.len()], source_trail[..]);
    assert_eq!(back_trail.len(), source_trail.len() + 2);
    let who_did = |row: &(i64, String, String, Vec<u8>)| (row.1.clone(), row.2.clone());
    assert_eq!(
        who_did(&back_trail[source_trail.len()]),
        (vigie_pgtest::ADMIN_ROLE.to_string(), "copy".to_string())
    );
    assert_eq!(
        who_did(back_trail.last().unwrap()),
        ("tester".to_string(), "copy".to_string())
    );
    let verify = ok(home, &["--db", back_arg, "db", "verify"]);
    assert!(verify.contains("chain intact"), "{verify}");
    let from_back = home.join("back.json");
    ok(
        home,
        &[
            "--db",
            back_arg,
            "export",
            &id,
            "-o",
            from_back.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read(&exported).unwrap(),
        std::fs::read(&from_back).unwrap()
    );

    // A file that exists is refused and left as it was; a missing source is not created.
    let bytes = std::fs::read(&back).unwrap();
    let refused = vigie(home, &["db", "copy", team_arg, back_arg]);
    assert_eq!(refused.code, Some(1), "{}", refused.stdout);
    assert!(refused.stderr.contains("not empty"), "{}", refused.stderr);
    assert_eq!(std::fs::read(&back).unwrap(), bytes);
    let missing = home.join("missing.sqlite");
    let refused = vigie(
        home,
        &["db", "copy", missing.to_str().unwrap(), "elsewhere.sqlite"],
    );
    assert_eq!(refused.code, Some(1), "{}", refused.stdout);
    assert!(!missing.exists() && !home.join("elsewhere.sqlite").exists());
    assert!(!home.join("unused.sqlite").exists(), "--db is not used");
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
