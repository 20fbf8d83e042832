//! `vigie completions SHELL` and `vigie man`: generated from the same clap
//! definitions as the parser, so they cannot drift from it.
//!
//! Completions are static: commands, options and the values of enumerated
//! options. Assessment and plugin ids are not completed: that needs clap_complete's
//! dynamic completion, still behind its `unstable-dynamic` feature, and it would
//! open the (possibly shared, locked or remote) database on every Tab press.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::{CmdResult, Failure};

pub fn completions(shell: clap_complete::Shell) -> CmdResult {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "vigie", &mut script);
    write_stdout(&script)
}

pub fn man(output: Option<&Path>) -> CmdResult {
    let command = Cli::command();
    match output {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| Failure::new(format!("cannot render the manual page: {e}")))?;
            write_stdout(&page)
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure::new(format!("cannot create {}: {e}", dir.display())))?;
            clap_mangen::generate_to(command, dir).map_err(|e| {
                Failure::new(format!(
                    "cannot write the manual pages into {}: {e}",
                    dir.display()
                ))
            })?;
            eprintln!(
                "vigie: manual pages written to {}",
                vigie_model::visible(&dir.display().to_string())
            );
            Ok(())
        }
    }
}

/// Writes `bytes` to standard output; a closed pipe (`| head`) is not an error.
fn write_stdout(bytes: &[u8]) -> CmdResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}
