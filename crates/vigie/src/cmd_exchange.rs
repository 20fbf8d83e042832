//! `vigie report`, `vigie export`, `vigie import` and `vigie assessment reassess`: an
//! assessment leaves the database as a report or an exchange file, comes back from another
//! database, and starts again a year later.

use std::path::Path;

use vigie_app::short_id;
use vigie_app::{ImportOutcome, ReportFormat};
use vigie_model::{Date, escape_json_controls, visible};

use crate::cli::{Cli, Command, ReportFormatArg};
use crate::cmd_store::out::{out, outln};
use crate::cmd_store::session;
use crate::{CmdResult, Failure, cmd_plugin};

pub fn run(cli: &Cli, command: &Command) -> CmdResult {
    match command {
        Command::Report {
            assessment,
            format,
            output,
        } => report(cli, assessment, *format, output.as_deref()),
        Command::Export { assessment, output } => export(cli, assessment, output.as_deref()),
        Command::Import {
            file,
            accept_plugins,
        } => import(cli, file, *accept_plugins),
        other => Err(Failure::new(format!(
            "internal error: {other:?} is not an exchange command"
        ))),
    }
}

fn format_of(arg: ReportFormatArg) -> ReportFormat {
    match arg {
        ReportFormatArg::Md => ReportFormat::Markdown,
        ReportFormatArg::Html => ReportFormat::Html,
        ReportFormatArg::Json => ReportFormat::Json,
        ReportFormatArg::Csv => ReportFormat::Csv,
    }
}

/// Writes `text` to `output`, or to standard output. Never over the database `db` or the
/// files SQLite keeps beside it.
pub(crate) fn emit(text: &str, output: Option<&Path>, db: &Path) -> CmdResult {
    match output {
        None => {
            out!("{text}");
            Ok(())
        }
        Some(path) => {
            if vigie_app::is_database_or_companion(db, path) {
                return Err(Failure::new(format!(
                    "{} is the database or one of its files; write to another file",
                    path.display()
                )));
            }
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    Failure::new(format!(
                        "cannot create the folder for {}: {e}",
                        path.display()
                    ))
                })?;
            }
            std::fs::write(path, text)
                .map_err(|e| Failure::new(format!("cannot write {}: {e}", path.display())))
        }
    }
}

fn report(
    cli: &Cli,
    assessment: &str,
    format: ReportFormatArg,
    output: Option<&Path>,
) -> CmdResult {
    session::existing_db(cli)?;
    let mut bench = session::open_lazy_workbench(cli)?;
    let lang = cli.lang.map(crate::cli::LangArg::lang);
    let text = bench.report(assessment, format_of(format), lang)?;
    emit(&text, output, bench.path())?;
    if let Some(path) = output {
        eprintln!(
            "vigie: report written to {}",
            visible(&path.display().to_string())
        );
    }
    Ok(())
}

fn export(cli: &Cli, assessment: &str, output: Option<&Path>) -> CmdResult {
    session::existing_db(cli)?;
    let database = session::open_database(cli)?;
    let a = database.assessment(assessment)?;
    let text = database.export_assessment(&a.id)?;
    emit(&escape_json_controls(&text), output, database.path())?;
    if let Some(path) = output {
        eprintln!(
            "vigie: assessment {} ({}, {}) exported to {}",
            visible(short_id(&a.id)),
            visible(&a.supplier_name),
            visible(&a.plugin_id),
            visible(&path.display().to_string())
        );
    }
    Ok(())
}

fn import(cli: &Cli, file: &Path, accept_plugins: bool) -> CmdResult {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::new(format!("cannot read {}: {e}", file.display())))?;
    let mut bench = session::open_lazy_workbench(cli)?;
    let source = file.display().to_string();
    let report = bench
        .import_exchange_from(&text, &source, accept_plugins)
        .map_err(|e| Failure::new(format!("{source}: {e}")))?;
    let id = visible(short_id(&report.assessment_id));
    match report.outcome {
        ImportOutcome::Unchanged => {
            outln!("assessment {id} is already in this database as in the file: nothing changed")
        }
        ImportOutcome::AlreadyNewer => outln!(
            "this database already has assessment {id} with later changes than the file: \
             nothing changed"
        ),
        ImportOutcome::Created | ImportOutcome::Updated => {
            let verb = if report.outcome == ImportOutcome::Created {
                "imported"
            } else {
                "brought up to date"
            };
            let mut extra = Vec::new();
            if report.supplier_added {
                extra.push("new supplier");
            }
            let plugin_note;
            if report.plugin_added {
                let a = bench.assessment(&report.assessment_id)?;
                plugin_note = format!(
                    "new plugin {} {}, sha256 {}, from {source}",
                    a.plugin_id, a.plugin_version, a.plugin_sha256
                );
                extra.push(&plugin_note);
            }
            let extra = if extra.is_empty() {
                String::new()
            } else {
                format!(" ({})", extra.join(", "))
            };
            outln!(
                "{verb} assessment {id}: {} answer(s), {} evidence, {} action item(s), {} supplier \
                 declaration(s), {} audit row(s){extra}",
                report.answers,
                report.evidence,
                report.action_items,
                report.declarations,
                report.audit_rows
            );
        }
    }
    Ok(())
}

/// `vigie assessment reassess ID [--date] [--plugin]`: prints the new assessment's id.
pub fn reassess(
    cli: &Cli,
    assessment: &str,
    date: Option<&str>,
    plugin: Option<&str>,
) -> CmdResult {
    let date = match date {
        None => cmd_plugin::today(),
        Some(d) => d
            .parse::<Date>()
            .unwrap_or_else(|e| session::usage_error(format!("--date `{d}`: {e}"))),
    };
    session::existing_db(cli)?;
    let mut bench = session::open_workbench(cli)?;
    let previous = bench.assessment(assessment)?;
    let new = bench.reassess_with(&previous.id, date, plugin)?;
    let carried = bench
        .answers(&new.id)?
        .iter()
        .filter(|a| a.to_confirm)
        .count();
    outln!("{}", visible(&new.id));
    eprintln!(
        "vigie: reassessment of {} ({}, {} {}): {carried} answer(s) carried over, each to confirm",
        visible(short_id(&previous.id)),
        visible(&new.supplier_name),
        visible(&new.plugin_id),
        visible(&new.plugin_version)
    );
    let not_carried = bench.answers_not_carried(&new.id)?;
    if !not_carried.is_empty() {
        eprintln!(
            "vigie: {} answer(s) not carried over, {} {} no longer has the question or \
             accepts the answer: {}",
            not_carried.len(),
            visible(&new.plugin_id),
            visible(&new.plugin_version),
            visible(&not_carried.join(", "))
        );
    }
    Ok(())
}
