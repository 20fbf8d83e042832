//! `vigie` / `vigie tui`: the interview workbench on the chosen database.

use crate::cli::Cli;
use crate::cmd_store::session;
use crate::{CmdResult, cmd_plugin, paths};

pub fn run(cli: &Cli) -> CmdResult {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let options = vigie_tui::Options {
        db: paths::db_path(cli)?,
        auditor: session::auditor(cli),
        lang: paths::language(cli.lang.as_deref()),
        today: cmd_plugin::today(),
        config_dir: paths::config_dir(),
        color,
    };
    vigie_tui::run(options, cmd_plugin::host()?)?;
    Ok(())
}
