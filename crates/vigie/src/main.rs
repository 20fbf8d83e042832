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
mod cmd_exchange;
mod cmd_plugin;
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.journal == Some(cli::JournalArg::Rollback) {
        vigie_store::set_default_journal(vigie_store::Journal::Rollback);
    }
    let result = match &cli.command {
        None | Some(Command::Tui) => cmd_tui::run(&cli),
        Some(Command::Plugin(cmd)) => cmd_plugin::run(&cli, cmd),
        Some(Command::SelfAssessment(cmd)) => cmd_self_assessment::run(&cli, cmd),
        Some(cmd @ (Command::Report { .. } | Command::Export { .. } | Command::Import { .. })) => {
            cmd_exchange::run(&cli, cmd)
        }
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
