//! `vigie` / `vigie tui`: the interview workbench on the chosen database.

use crate::cli::Cli;
use crate::cmd_store::session;
use crate::{CmdResult, cmd_plugin, paths};

pub fn run(cli: &Cli) -> CmdResult {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let options = vigie_tui::Options {
        db: paths::db_path(cli)?,
        auditor: session::auditor(cli)?,
        lang: paths::language(cli),
        today: cmd_plugin::today(),
        config_dir: paths::config_dir(),
        color,
    };
    if let Some(signal) = vigie_tui::run(options, cmd_plugin::host()?)? {
        // Every answer is already saved and the terminal restored: end as a process
        // stopped by that signal is expected to (129 for SIGHUP, 143 for SIGTERM).
        std::process::exit(128 + signal);
    }
    Ok(())
}
