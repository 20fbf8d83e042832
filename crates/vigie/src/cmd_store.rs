//! `vigie supplier|assessment|answer|score|db …`: the store from the command line.
//!
//! Each command opens the database for the auditor (see [`session`]), does one
//! thing through `vigie_app::Workbench` (or `vigie_app::Database` when no plugin is needed), and prints a
//! result a person can read; typed errors become a [`Failure`].

mod answer;
mod assessment;
mod db;
pub mod out;
mod score;
pub mod session;
mod supplier;
pub mod text;

use crate::cli::{Cli, Command};
use crate::{CmdResult, Failure};

pub fn run(cli: &Cli, command: &Command) -> CmdResult {
    match command {
        Command::Supplier(cmd) => supplier::run(cli, cmd),
        Command::Assessment(cmd) => assessment::run(cli, cmd),
        Command::Answer(args) => answer::run(cli, args),
        Command::Score { assessment, format } => score::run(cli, assessment, *format),
        Command::Db(cmd) => db::run(cli, cmd),
        Command::Tui
        | Command::Plugin(_)
        | Command::SelfAssessment(_)
        | Command::Report { .. }
        | Command::Export { .. }
        | Command::Import { .. }
        | Command::Completions { .. }
        | Command::Man { .. }
        | Command::Portfolio(_)
        | Command::ReviewCycle(_)
        | Command::Demo(_) => Err(Failure::new(format!(
            "internal error: {command:?} is not a store command"
        ))),
    }
}
