//! Opening the database for one command: which file, on behalf of whom, and
//! with which plugins loaded.

use std::path::PathBuf;

use clap::CommandFactory;
use vigie_app::{Database, Workbench};

use crate::cli::Cli;
use crate::{Failure, cmd_plugin, paths};

/// Who is recorded as the author of changes: `--auditor`, else `$USER`, else
/// `%USERNAME%`, else the system's name for the account (a fresh tmux or a
/// service account may have no `$USER`), else the person at the terminal is asked.
/// With no terminal to ask (a script, a service with a uid the system has no
/// name for), the command is refused: an audit trail that says "unknown" proves
/// nothing.
///
/// On PostgreSQL the author is the role the server authenticates: without `--auditor` it is
/// the user the connection logs in as; a different `--auditor` is refused when the store
/// opens.
pub fn auditor(cli: &Cli) -> Result<String, Failure> {
    let flag = cli
        .auditor
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    if let Some(name) = flag {
        return Ok(name.to_string());
    }
    if let Some(url) = postgres_url(cli) {
        let target = vigie_app::PgTarget::parse(&url).map_err(|e| Failure::new(e.to_string()))?;
        return Ok(target.user().to_string());
    }
    for var in ["USER", "USERNAME"] {
        if let Ok(value) = std::env::var(var) {
            let value = value.trim();
            if !value.is_empty() {
                return Ok(value.to_string());
            }
        }
    }
    if let Some(name) = account_name() {
        return Ok(name);
    }
    ask_auditor()
}

/// Asks for the name to record, on the terminal; refused when there is none to ask.
fn ask_auditor() -> Result<String, Failure> {
    use std::io::{BufRead, IsTerminal, Write};
    let cannot_tell = || {
        Failure::new(
            "cannot tell who you are (no $USER, and the system has no name for this account): \
             give --auditor NAME or set VIGIE_AUDITOR",
        )
    };
    if !std::io::stdin().is_terminal() {
        return Err(cannot_tell());
    }
    let mut stderr = std::io::stderr();
    for _ in 0..3 {
        // Best effort: a prompt that cannot be written still leaves the question readable.
        let _ = write!(
            stderr,
            "Your name for the audit trail / votre nom pour le journal : "
        );
        let _ = stderr.flush();
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => return Err(cannot_tell()),
            Ok(_) => {
                let name = line.trim();
                if !name.is_empty() && !name.chars().any(char::is_control) {
                    return Ok(name.to_string());
                }
            }
        }
    }
    Err(cannot_tell())
}

/// The login name of the effective user, from the system's account database.
#[cfg(unix)]
#[allow(unsafe_code)] // getpwuid_r(3): see the SAFETY comments.
fn account_name() -> Option<String> {
    let mut buffer = vec![0u8; 4096];
    let mut entry = std::mem::MaybeUninit::<libc::passwd>::uninit();
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes the entry into `entry` and its strings into `buffer`
    // (whose length it is given), and sets `result` to `entry` on success or null.
    let rc = unsafe {
        libc::getpwuid_r(
            libc::geteuid(),
            entry.as_mut_ptr(),
            buffer.as_mut_ptr().cast(),
            buffer.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() {
        return None;
    }
    // SAFETY: on success `result` points to the initialised `entry`, whose `pw_name` is a
    // NUL-terminated string inside `buffer`, alive for this scope.
    let name = unsafe { std::ffi::CStr::from_ptr((*result).pw_name) };
    let name = name.to_string_lossy().trim().to_string();
    (!name.is_empty()).then_some(name)
}

#[cfg(not(unix))]
fn account_name() -> Option<String> {
    None
}

/// The database alone (no plugin engine): suppliers, lists, keys, review cycles.
pub fn open_database(cli: &Cli) -> Result<Database, Failure> {
    let path = paths::db_path(cli)?;
    Ok(Database::open(&path, &auditor(cli)?)?)
}

/// `--db` (or `VIGIE_DB`) when it names a PostgreSQL database.
pub fn postgres_url(cli: &Cli) -> Option<String> {
    let path = paths::db_path(cli).ok()?;
    let text = path.to_str()?;
    vigie_app::is_postgres_url(text).then(|| text.to_string())
}

/// The database path, which must already exist (commands that only read or
/// copy a database must not create an empty one by mistake). A PostgreSQL
/// database is checked when it is opened.
pub fn existing_db(cli: &Cli) -> Result<PathBuf, Failure> {
    let path = paths::db_path(cli)?;
    if postgres_url(cli).is_some() {
        return Ok(path);
    }
    match std::fs::metadata(&path) {
        Ok(_) => Ok(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Failure::new(format!(
            "there is no database at {}; give --db FILE or set VIGIE_DB",
            path.display()
        ))),
        Err(e) => Err(Failure::new(format!("cannot read {}: {e}", path.display()))),
    }
}

/// The full workbench: bundled plugins and every plugin installed in the
/// database (to pick a plugin by id, install or list plugins).
pub fn open_workbench(cli: &Cli) -> Result<Workbench, Failure> {
    let path = paths::db_path(cli)?;
    Ok(Workbench::open(&path, &auditor(cli)?, cmd_plugin::host()?)?)
}

/// A workbench that loads plugins only when asked: commands on one
/// assessment need only the plugin whose bytes it records (always stored in
/// the database), so nothing else is compiled.
pub fn open_lazy_workbench(cli: &Cli) -> Result<Workbench, Failure> {
    let database = open_database(cli)?;
    Ok(Workbench::lazy(database, cmd_plugin::host()?))
}

/// A usage error in an argument's value, reported like clap's own (exit code 2).
pub fn usage_error(message: impl std::fmt::Display) -> ! {
    Cli::command()
        .error(
            clap::error::ErrorKind::InvalidValue,
            vigie_model::visible(&message.to_string()),
        )
        .exit()
}
