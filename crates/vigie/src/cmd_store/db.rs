//! `vigie db verify|backup|path`.

use vigie_app::Database;
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
    }
}
