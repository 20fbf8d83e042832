//! `vigie supplier|assessment|answer|score|db …`: the store from the command line.

use crate::cli::{Cli, Command};
use crate::{CmdResult, Failure};

pub fn run(_cli: &Cli, command: &Command) -> CmdResult {
    Err(Failure::new(format!("{command:?}: not implemented yet")))
}
