//! `vigie db verify|backup|path|copy`.

use std::path::Path;

use vigie_app::{CopyReport, Database, VerifyReport, is_postgres_url};
use vigie_model::visible;

use super::session;
use crate::cli::{Cli, DbCmd};
use crate::cmd_store::out::{out, outln};
use crate::{CmdResult, Failure, paths};

pub fn run(cli: &Cli, cmd: &DbCmd) -> CmdResult {
    match cmd {
        DbCmd::Path => {
            outln!("{}", visible(&paths::db_path(cli)?.display().to_string()));
            Ok(())
        }
        DbCmd::Verify => {
            let path = session::existing_db(cli)?;
            let database = Database::open(&path, &session::auditor(cli)?)?;
            let report = database.verify()?;
            out!("{}", visible(&report.to_string()));
            if report.is_ok() {
                outln!("{}: ok", visible(&path.display().to_string()));
                return Ok(());
            }
            let first = if let Some(b) = &report.audit_break {
                b.to_string()
            } else if !report.integrity_ok() {
                "SQLite's integrity check failed".to_string()
            } else if report.foreign_key_violations > 0 {
                format!("{} row(s) point to nothing", report.foreign_key_violations)
            } else {
                "the audit trail's append-only triggers were removed".to_string()
            };
            Err(Failure::new(format!(
                "{} failed verification: {first}",
                path.display()
            )))
        }
        DbCmd::Backup { file } => {
            let path = session::existing_db(cli)?;
            let database = Database::open(&path, &session::auditor(cli)?)?;
            database.backup(file)?;
            outln!(
                "backed up {} to {}",
                visible(&path.display().to_string()),
                visible(&file.display().to_string())
            );
            Ok(())
        }
        DbCmd::Copy { from, to } => copy(cli, from, to),
    }
}

/// `vigie db copy FROM TO`: the copy, then what was copied and what both verifications said.
fn copy(cli: &Cli, from: &str, to: &str) -> CmdResult {
    let source = open_source(cli, from)?;
    // On PostgreSQL the copier is the role the server authenticates (`--auditor`, when
    // given, must be it); a file records the person's name.
    let copier = if is_postgres_url(to) {
        cli.auditor
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
    } else {
        Some(session::file_auditor(cli)?)
    };
    let report = source.copy_to(to, copier.as_deref())?;
    print_copy(&report);
    if report.is_ok() {
        return Ok(());
    }
    let mut problems = Vec::new();
    for (side, verify) in [
        ("the source", &report.source_verify),
        ("the copy", &report.target_verify),
    ] {
        if !verify.is_ok() {
            problems.push(format!(
                "{side} failed verification ({})",
                first_problem(verify)
            ));
        }
    }
    if !report.hashes_match {
        problems.push("the copy's audit trail does not carry the source's hashes".to_string());
    }
    Err(Failure::new(format!(
        "{} was written, but {}",
        report.target,
        problems.join("; ")
    )))
}

/// The store to copy, which must exist (a copy never creates its source): a file for the
/// person running the command, or a PostgreSQL database as the role it authenticates.
fn open_source(cli: &Cli, from: &str) -> Result<Database, Failure> {
    if is_postgres_url(from) {
        let role = match cli
            .auditor
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            Some(name) => name.to_string(),
            None => vigie_app::PgTarget::parse(from)
                .map_err(|e| Failure::new(e.to_string()))?
                .user()
                .to_string(),
        };
        return Ok(Database::open(Path::new(from), &role)?);
    }
    match std::fs::metadata(from) {
        Ok(meta) if meta.len() > 0 => {}
        Ok(_) => {
            return Err(Failure::new(format!(
                "{} is empty: there is nothing to copy",
                visible(from)
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::new(format!(
                "there is no database at {}",
                visible(from)
            )));
        }
        Err(e) => return Err(Failure::new(format!("cannot read {}: {e}", visible(from)))),
    }
    Ok(Database::open(
        Path::new(from),
        &session::file_auditor(cli)?,
    )?)
}

fn print_copy(report: &CopyReport) {
    outln!(
        "copied {} ({}) to {} ({})",
        visible(&report.source),
        report.source_backend.name(),
        visible(&report.target),
        report.target_backend.name()
    );
    let width = report
        .tables
        .iter()
        .map(|t| t.table.len())
        .max()
        .unwrap_or(0);
    for table in &report.tables {
        outln!("  {:<width$}  {:>8}", table.table, table.rows);
    }
    outln!(
        "audit trail: the source's {} rows copied with their hashes ({}); the copy is row {}",
        report.audit_rows,
        if report.hashes_match {
            "identical"
        } else {
            "DIFFERENT"
        },
        report.copy_seq
    );
    for (side, verify) in [
        ("source", &report.source_verify),
        ("copy", &report.target_verify),
    ] {
        if verify.is_ok() {
            outln!(
                "{side}: verified ({} audit rows, chain intact)",
                verify.audit_rows
            );
        } else {
            outln!("{side}: FAILED verification");
            out!("{}", visible(&verify.to_string()));
        }
    }
    outln!("head of the copy's audit trail: {}", report.target_head);
}

/// The first thing `verify` found wrong, in a few words.
fn first_problem(report: &VerifyReport) -> String {
    if let Some(b) = &report.audit_break {
        b.to_string()
    } else if !report.integrity_ok() {
        "the integrity check failed".to_string()
    } else if report.foreign_key_violations > 0 {
        format!("{} row(s) point to nothing", report.foreign_key_violations)
    } else {
        "the audit trail's append-only triggers were removed".to_string()
    }
}
