//! Who the audit trail names when nobody said: the system's account name when `$USER`
//! is unset, and a refusal (never "unknown") when the system has no name either and
//! there is no terminal to ask.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests: a failed step fails the test.

use std::process::{Command, Stdio};

fn vigie(db: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigie"));
    cmd.arg("--db")
        .arg(db)
        .env_remove("USER")
        .env_remove("USERNAME")
        .env_remove("VIGIE_AUDITOR")
        .env_remove("VIGIE_DB")
        .stdin(Stdio::null());
    cmd
}

#[test]
fn without_user_the_system_account_name_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let out = vigie(&db)
        .args(["supplier", "add", "Centre Tunis", "--country", "TN"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An independent reader of the account database.
    let whoami = Command::new("id").arg("-un").output().unwrap();
    let expected = String::from_utf8(whoami.stdout).unwrap().trim().to_string();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let who: String = conn
        .query_row(
            "SELECT who FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(who, expected);
    assert_ne!(who, "unknown");
}

/// Runs `vigie` as uid 54321, which has no entry in the account database: with
/// `setpriv` when the tests run as root (CI), else in a user namespace.
fn as_nameless_uid(db: &std::path::Path) -> Command {
    let inner = vigie(db);
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let mut cmd = if is_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=54321", "--regid=54321", "--clear-groups"]);
        c
    } else {
        let mut c = Command::new("unshare");
        c.args(["--user", "--map-user=54321", "--map-group=54321"]);
        c
    };
    cmd.arg(inner.get_program()).args(inner.get_args());
    for (key, value) in inner.get_envs() {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    cmd.stdin(Stdio::null());
    cmd
}

#[test]
fn with_no_name_anywhere_and_no_terminal_the_command_is_refused() {
    let name = Command::new("getent").args(["passwd", "54321"]).output();
    assert!(
        name.map(|o| o.stdout.is_empty()).unwrap_or(true),
        "uid 54321 has an account name on this machine; the test needs a nameless uid"
    );
    let dir = tempfile::tempdir().unwrap();
    // Writable by the nameless uid too: were the name not checked first, it could write.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let db = dir.path().join("a.sqlite");
    let out = as_nameless_uid(&db)
        .args(["supplier", "add", "Centre Tunis"])
        .output()
        .expect("setpriv (as root) or unshare (otherwise) runs the binary as a nameless uid");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--auditor"), "{stderr}");
    assert!(!db.exists(), "nothing is written when nobody can be named");
}
