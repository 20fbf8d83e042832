//! Command-line syntax.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "vigie", version, about = "Assess suppliers' security and data protection (NIS2, ANSSI, GDPR) from the terminal")]
pub struct Cli {
    /// Assessment database (shared SQLite file). Default: the user's data directory.
    #[arg(long, global = true, env = "VIGIE_DB")]
    pub db: Option<PathBuf>,

    /// Who is recorded as the author of changes. Default: $USER.
    #[arg(long, global = true)]
    pub auditor: Option<String>,

    /// Language of the interface and reports: fr or en. Default: from LANG.
    #[arg(long, global = true)]
    pub lang: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List, inspect, check and install questionnaire plugins.
    #[command(subcommand)]
    Plugin(PluginCmd),
}

#[derive(Subcommand, Debug)]
pub enum PluginCmd {
    /// List the available plugins: id, version, short sha256, origin.
    List,
    /// Show a plugin's sections, questions and criteria.
    Inspect {
        /// A plugin id, a sha256 prefix, or a .wasm file.
        plugin: String,
    },
    /// Load, validate and trial-evaluate a plugin file; exit 0 when valid.
    Check {
        /// The component file (.wasm).
        file: PathBuf,
    },
    /// Remove the compiled-code cache (it is rebuilt on demand).
    ClearCache,
}

#[allow(dead_code)]
#[derive(Args, Debug)]
pub struct Nothing;
