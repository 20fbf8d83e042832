//! The `vigie` binary: command line, paths, wiring and signals. With no
//! command it opens the interview workbench (TUI) on the default database.
//!
//! This is the only crate that turns typed errors into messages and exit codes.
//!
//! Terminal safety: every text that comes from a plugin, a file or the database is shown
//! through [`vigie_model::visible`] (per value in results, whole for error messages, whose
//! line breaks are the only control character kept), so no escape sequence it holds reaches
//! the terminal. JSON output is escaped instead ([`vigie_model::escape_json_controls`]).

mod cli;
mod cmd_docs;
mod cmd_exchange;
mod cmd_plugin;
mod cmd_portfolio;
mod cmd_self_assessment;
mod cmd_store;
mod cmd_tui;
mod paths;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

/// An error already phrased for the user, with its exit code.
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    pub fn new(message: impl std::fmt::Display) -> Self {
        Failure {
            message: message.to_string(),
            code: 1,
        }
    }
}

impl<E: std::error::Error> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::new(e)
    }
}

pub type CmdResult = Result<(), Failure>;

/// The local time zone's offset from UTC, read once at start-up.
static LOCAL_OFFSET: std::sync::OnceLock<time::UtcOffset> = std::sync::OnceLock::new();

/// The local time zone's offset from UTC (UTC when it cannot be determined).
pub fn local_offset() -> time::UtcOffset {
    *LOCAL_OFFSET.get_or_init(|| time::UtcOffset::UTC)
}

fn main() -> ExitCode {
    // Read while the process has one thread: `time` refuses to read the time zone later (the
    // C library's time zone state is not thread-safe).
    let _ =
        LOCAL_OFFSET.set(time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC));
    let cli = Cli::parse();
    if cli.journal == Some(cli::JournalArg::Rollback) {
        vigie_app::set_default_journal(vigie_app::Journal::Rollback);
    }
    let result = match &cli.command {
        None | Some(Command::Tui) => cmd_tui::run(&cli),
        Some(Command::Plugin(cmd)) => cmd_plugin::run(&cli, cmd),
        Some(Command::Completions { shell }) => cmd_docs::completions(*shell),
        Some(Command::Man { output }) => cmd_docs::man(output.as_deref()),
        Some(Command::Report {
            assessment,
            format,
            output,
        }) if assessment == "portfolio" => cmd_portfolio::report(&cli, *format, output.as_deref()),
        Some(Command::SelfAssessment(cmd)) => cmd_self_assessment::run(&cli, cmd),
        Some(cmd @ (Command::Report { .. } | Command::Export { .. } | Command::Import { .. })) => {
            cmd_exchange::run(&cli, cmd)
        }
        Some(Command::Portfolio(args)) => cmd_portfolio::run(&cli, args),
        Some(Command::ReviewCycle(args)) => cmd_portfolio::review_cycle(&cli, args),
        Some(Command::Demo(args)) => cmd_portfolio::demo(&cli, args),
        Some(other) => cmd_store::run(&cli, other),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("vigie: {}", vigie_model::visible(&f.message));
            ExitCode::from(f.code)
        }
    }
}
