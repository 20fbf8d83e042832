//! Helpers shared by this crate's tests.

#![allow(dead_code)] // Each test binary uses its own subset.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Whether `pid` is a running process (a zombie counts as gone: it has exited).
pub fn process_running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses and may hold spaces.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// The command name of process `pid`.
pub fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// The real user id of process `pid`.
pub fn process_uid(pid: u32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("Uid:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The user id `id -u [user]` prints.
pub fn user_id(user: Option<&str>) -> u32 {
    let output = Command::new("id")
        .arg("-u")
        .args(user)
        .output()
        .expect("run id");
    assert!(output.status.success(), "id -u {user:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("a user id")
}

/// Waits up to `timeout` for `condition`; whether it became true.
pub fn eventually(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `psql` from `bin_dir` on `connection` (a URL or a conninfo string) with `sql`,
/// without any libpq environment but `PGPASSWORD` when given.
pub fn psql(bin_dir: &Path, connection: &str, password: Option<&str>, sql: &str) -> Output {
    let mut command = Command::new(bin_dir.join("psql"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("LC_ALL", "C")
        .args([
            "-X",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            connection,
            "-c",
            sql,
        ]);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    command.output().expect("run psql")
}

/// What `psql` printed on success; panics with its error output otherwise.
pub fn psql_ok(bin_dir: &Path, connection: &str, password: Option<&str>, sql: &str) -> String {
    let output = psql(bin_dir, connection, password, sql);
    assert!(
        output.status.success(),
        "psql {connection:?} -c {sql:?} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// What `psql` printed on its error output; panics if it succeeded.
pub fn psql_refused(bin_dir: &Path, connection: &str, password: Option<&str>, sql: &str) -> String {
    let output = psql(bin_dir, connection, password, sql);
    assert!(
        !output.status.success(),
        "psql {connection:?} -c {sql:?} should have failed, printed {:?}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}
