//! Runs the PostgreSQL and OpenSSL command-line tools with a deadline, keeping what they print.

use std::ffi::OsStr;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::{PgTestError, Step};

/// The environment variables a child keeps: the rest (`PGHOST`, `PGPASSWORD`, `PGDATA`,
/// `OPENSSL_CONF`, a translated `LANG`, ...) would change what the tools do or print.
const KEPT_ENVIRONMENT: &[&str] = &["PATH", "TMPDIR"];

/// A command with a clean environment and C messages.
pub(crate) fn clean_command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    command.env_clear();
    for name in KEPT_ENVIRONMENT {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command.env("LC_ALL", "C");
    command
}

/// What a finished command printed.
pub(crate) struct Output {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Output {
    /// Both streams, for an error message.
    pub(crate) fn printed(&self) -> String {
        printed(&self.stdout, &self.stderr)
    }
}

fn printed(stdout: &str, stderr: &str) -> String {
    let mut text = stderr.trim_end().to_owned();
    let stdout = stdout.trim_end();
    if !stdout.is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(stdout);
    }
    text
}

/// Runs `command` (named `what` in errors) to completion, killing it after `timeout`.
///
/// The output goes to anonymous temporary files rather than pipes: a grandchild that
/// outlives a killed command (initdb starts postgres) would keep a pipe open forever.
pub(crate) fn run(
    mut command: Command,
    step: Step,
    what: &str,
    timeout: Duration,
) -> Result<Output, PgTestError> {
    let io_error = |doing: &str, error: std::io::Error| {
        PgTestError::new(step, format!("{doing} {what}: {error}"))
    };
    let mut stdout = tempfile::tempfile().map_err(|e| io_error("capturing the output of", e))?;
    let mut stderr = tempfile::tempfile().map_err(|e| io_error("capturing the output of", e))?;
    command
        .stdin(Stdio::null())
        .stdout(
            stdout
                .try_clone()
                .map_err(|e| io_error("capturing the output of", e))?,
        )
        .stderr(
            stderr
                .try_clone()
                .map_err(|e| io_error("capturing the output of", e))?,
        );
    let mut child = command.spawn().map_err(|e| io_error("running", e))?;
    let status = wait_until(&mut child, timeout).map_err(|e| io_error("waiting for", e))?;
    let read = |file: &mut std::fs::File| -> std::io::Result<String> {
        file.seek(SeekFrom::Start(0))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    let stdout = read(&mut stdout).map_err(|e| io_error("reading the output of", e))?;
    let stderr = read(&mut stderr).map_err(|e| io_error("reading the output of", e))?;
    match status {
        Some(status) => Ok(Output {
            status,
            stdout,
            stderr,
        }),
        None => Err(PgTestError::new(
            step,
            format!(
                "{what} did not finish within {} s and was killed; it printed:\n{}",
                timeout.as_secs(),
                printed(&stdout, &stderr)
            ),
        )),
    }
}

/// Like [`run`], and a non-zero exit status is an error that quotes what it printed.
pub(crate) fn run_successfully(
    command: Command,
    step: Step,
    what: &str,
    timeout: Duration,
) -> Result<Output, PgTestError> {
    let output = run(command, step, what, timeout)?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(PgTestError::new(
            step,
            format!("{what} failed ({}):\n{}", output.status, output.printed()),
        ))
    }
}

/// Waits for `child` at most `timeout`; on timeout kills it, reaps it and returns `None`.
pub(crate) fn wait_until(
    child: &mut Child,
    timeout: Duration,
) -> std::io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let now = Instant::now();
        if now >= deadline {
            // The child may have exited in between: then kill fails and wait reaps it.
            let _ = child.kill();
            child.wait()?;
            return Ok(None);
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(25));
    }
}

/// `path` for a message.
pub(crate) fn shown(path: &Path) -> String {
    path.display().to_string()
}
