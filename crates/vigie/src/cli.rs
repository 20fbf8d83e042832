//! Command-line syntax.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "vigie",
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("VIGIE_COMMIT"), ")"),
    about = "Assess suppliers' security and data protection (NIS2, ANSSI, GDPR) from the terminal"
)]
pub struct Cli {
    /// Assessment database (shared SQLite file). Default: the user's data directory.
    #[arg(long, global = true, env = "VIGIE_DB")]
    pub db: Option<PathBuf>,

    /// Who is recorded as the author of changes. Default: $USER, else the system's
    /// name for the account, else asked at the terminal (refused without one).
    #[arg(long, global = true, env = "VIGIE_AUDITOR")]
    pub auditor: Option<String>,

    /// Language of the interface and reports: fr or en. Default: from LANG.
    #[arg(long, global = true, value_enum, ignore_case = true)]
    pub lang: Option<LangArg>,

    /// How the database keeps transactions atomic: `wal` (the default; local folders only) or
    /// `rollback` (SQLite's rollback journal, for a share whose file locks work). Every
    /// process on one file must use the same.
    #[arg(long, global = true, env = "VIGIE_JOURNAL", value_enum)]
    pub journal: Option<JournalArg>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LangArg {
    Fr,
    En,
}

impl LangArg {
    pub fn lang(self) -> vigie_model::Lang {
        match self {
            LangArg::Fr => vigie_model::Lang::Fr,
            LangArg::En => vigie_model::Lang::En,
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum JournalArg {
    Wal,
    Rollback,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the interview workbench (the default when no command is given).
    Tui,
    /// List, inspect, check and install questionnaire plugins.
    #[command(subcommand)]
    Plugin(PluginCmd),
    /// Add, list and show suppliers.
    #[command(subcommand)]
    Supplier(SupplierCmd),
    /// Create, list, show and finalize assessments.
    #[command(subcommand)]
    Assessment(AssessmentCmd),
    /// Record an answer (`vigie answer A Q VALUE`) or a file of answers (`--file`);
    /// `--template` writes that file, with every question that applies.
    #[command(after_long_help = answer_help())]
    Answer(AnswerArgs),
    /// Score an assessment with the plugin bytes it records.
    Score {
        assessment: String,
        #[arg(long, value_enum, default_value = "table")]
        format: ScoreFormat,
    },
    /// Check or back up the database.
    #[command(subcommand)]
    Db(DbCmd),
    /// Send a workbook for the supplier to fill, import their answers as declarations,
    /// confirm them in the interview.
    #[command(subcommand)]
    SelfAssessment(SelfAssessmentCmd),
    /// Write an assessment's report (Markdown, HTML, JSON or CSV), in --lang
    /// (default: the assessment's language).
    Report {
        assessment: String,
        #[arg(long, value_enum, default_value = "md")]
        format: ReportFormatArg,
        /// Write to FILE instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Export an assessment, with its supplier, evidence metadata, action items,
    /// audit trail and plugin, to one file another database can import.
    Export {
        assessment: String,
        /// Write to FILE instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the completion script of SHELL, e.g. `vigie completions bash > ~/.local/share/bash-completion/completions/vigie`.
    /// It completes commands and options (not assessment or plugin ids).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one page per command into DIR.
    Man {
        /// Write vigie.1 and a page per command (vigie-report.1, ...) into DIR.
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: Option<PathBuf>,
    },
    /// Every supplier at a glance (verdict, score trend, next due, open findings, overdue
    /// actions, expiring evidence), then what needs attention. With --fail-on, exits with
    /// code 3 when the condition holds (for a scheduled job; 1 is an error).
    Portfolio(crate::cmd_portfolio::PortfolioArgs),
    /// Show the review cycle of each criticality, or set one (audited):
    /// `vigie review-cycle high 12`.
    ReviewCycle(crate::cmd_portfolio::ReviewCycleArgs),
    /// Create a sample portfolio (a dozen suppliers) in a separate file, vigie-demo.sqlite in
    /// the data directory, never your database; then open the workbench on it.
    Demo(crate::cmd_portfolio::DemoArgs),
    /// Import an exported assessment; refused (nothing written) if the file was
    /// altered or conflicts with this database.
    Import {
        file: PathBuf,
        /// Also add the plugin the file carries when this database does not have it
        /// (without this flag such a file is refused, naming the plugin).
        #[arg(long)]
        accept_plugins: bool,
    },
}

/// The supplier self-assessment round trip.
#[derive(Subcommand, Debug)]
pub enum SelfAssessmentCmd {
    /// Write a workbook (.xlsx) for the supplier to fill in Excel or LibreOffice, in --lang
    /// (default: the assessment's language).
    Export {
        assessment: String,
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// Who fills it, "Name <email>"; recorded with their declarations.
        #[arg(long)]
        respondent: Option<String>,
        /// The date to send it back by, YYYY-MM-DD.
        #[arg(long)]
        due: Option<String>,
        /// Leave out the questions already answered (else shown read-only).
        #[arg(long)]
        only_unanswered: bool,
    },
    /// Import a filled workbook (.xlsx or .ods) as the supplier's declarations: every cell
    /// checked, all or nothing; the auditor's answers are never overwritten.
    Import {
        file: PathBuf,
        /// Check and print the plan; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Progress (verified / declared / open) and the declarations not yet verified.
    Pending { assessment: String },
    /// Confirm declarations as the auditor's own answers (audited).
    Confirm {
        assessment: String,
        /// Question ids.
        questions: Vec<String>,
        /// Every declaration the auditor has not answered.
        #[arg(long)]
        all: bool,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormatArg {
    Md,
    Html,
    Json,
    Csv,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CriticalityArg {
    Low,
    Medium,
    High,
    Critical,
}

impl From<CriticalityArg> for vigie_model::Criticality {
    fn from(c: CriticalityArg) -> Self {
        match c {
            CriticalityArg::Low => vigie_model::Criticality::Low,
            CriticalityArg::Medium => vigie_model::Criticality::Medium,
            CriticalityArg::High => vigie_model::Criticality::High,
            CriticalityArg::Critical => vigie_model::Criticality::Critical,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum SupplierCmd {
    /// Add a supplier.
    Add {
        name: String,
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        sector: Option<String>,
        /// A service the supplier provides (repeatable).
        #[arg(long = "service")]
        services: Vec<String>,
        /// A contact, "Name <email>" or "Name, role, email, phone" (repeatable).
        #[arg(long = "contact")]
        contacts: Vec<String>,
        /// How much the client depends on the supplier.
        #[arg(long, value_enum, ignore_case = true, default_value = "medium")]
        criticality: CriticalityArg,
    },
    /// List suppliers.
    List,
    /// Show a supplier and its assessments.
    Show { supplier: String },
}

#[derive(Subcommand, Debug)]
pub enum AssessmentCmd {
    /// Start an assessment; prints its id.
    New {
        #[arg(long)]
        supplier: String,
        /// Plugin id or sha256 prefix.
        #[arg(long)]
        plugin: String,
        /// Assessment date, YYYY-MM-DD (default: today).
        #[arg(long)]
        date: Option<String>,
        /// Target level, for plugins that have levels.
        #[arg(long)]
        level: Option<String>,
    },
    /// List assessments, newest first.
    List {
        #[arg(long)]
        supplier: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// Show an assessment and its answers.
    Show { assessment: String },
    /// Freeze the answers and store the result with the plugin sha256.
    Finalize { assessment: String },
    /// Start a new assessment of the same supplier from this one's answers,
    /// each marked to confirm; prints its id.
    Reassess {
        assessment: String,
        /// Assessment date, YYYY-MM-DD (default: today).
        #[arg(long)]
        date: Option<String>,
        /// Plugin id or sha256 prefix (default: the newest of the same id).
        #[arg(long)]
        plugin: Option<String>,
    },
}

/// The value syntax per kind of question, after `vigie answer --help`.
fn answer_help() -> String {
    let syntax: String = vigie_app::VALUE_SYNTAX
        .lines()
        .map(|line| format!("  {line}\n"))
        .collect();
    format!(
        "Values, by kind of question (`vigie plugin inspect PLUGIN` shows each question's kind):\n\
         {syntax}\n\
         An answers file (--file) is TOML: an [answers] table of question id = value, and an\n\
         optional [notes] table of question id = note. Ids with a dot need quotes (\"a.b\" = \"yes\").\n\
         `vigie answer ASSESSMENT --template -o answers.toml` writes one with every question that\n\
         applies, commented with its prompt, kind, allowed values and current answer."
    )
}

#[derive(Args, Debug)]
pub struct AnswerArgs {
    pub assessment: String,
    pub question: Option<String>,
    /// The answer; its syntax depends on the question's kind (see --help).
    pub value: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    /// The revision of the answer you are changing (`assessment show` lists
    /// them; 0: you expect no answer yet). Without it, only an answer of your
    /// own is replaced: another auditor's is a conflict, shown with both values.
    #[arg(long, conflicts_with = "file")]
    pub revision: Option<i64>,
    /// A TOML file of answers ([answers] and optional [notes]); all or nothing.
    #[arg(long, conflicts_with_all = ["question", "value"])]
    pub file: Option<PathBuf>,
    /// With --file: also replace answers that other auditors gave (by default
    /// the whole file is refused if it would change one of them).
    #[arg(long, requires = "file")]
    pub replace_others: bool,
    /// Write an answers file for --file instead: every question that applies,
    /// commented (prompt, kind, allowed values, current answer), in --lang.
    #[arg(long, conflicts_with_all = ["question", "value", "file", "note", "revision"])]
    pub template: bool,
    /// With --template: write to FILE instead of standard output.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        requires = "template"
    )]
    pub output: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoreFormat {
    Table,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum DbCmd {
    /// SQLite integrity check and audit-chain verification.
    Verify,
    /// Online backup to FILE.
    Backup { file: PathBuf },
    /// Print the database path in use.
    Path,
    /// Copy a whole store into a new file or an empty PostgreSQL database (SQLite to
    /// PostgreSQL and back, or file to file), its audit trail row for row; both chains are
    /// verified. FROM and TO are files or postgres:// URLs; --db is not used.
    Copy {
        /// The store to copy: a file or a postgres:// URL.
        from: String,
        /// Where to copy it: a file that does not exist yet (or is empty), or the
        /// postgres:// URL of a database without tables.
        to: String,
    },
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
    /// Run the golden answer sets of a folder (TOML, the format of the
    /// bundled questionnaires' golden sets) against a plugin file; exit 0 when
    /// every set gives what it expects.
    Test {
        /// The component file (.wasm).
        file: PathBuf,
        /// Folder of golden sets (`*.toml`).
        dir: PathBuf,
    },
    /// Install a plugin file into the database, for everyone sharing it.
    Install {
        file: PathBuf,
        /// Its minisign signature (default: FILE.minisig beside it, when present).
        #[arg(long, value_name = "FILE.minisig")]
        signature: Option<PathBuf>,
        /// Let it take the place of the bundled plugin with the same id (recorded in
        /// the audit trail).
        #[arg(long)]
        allow_shadow: bool,
    },
    /// Let a stored plugin take the place of the bundled plugin with its id (audited).
    AllowShadow {
        /// The stored plugin: its sha256 (or a prefix), or its id when only one is stored.
        plugin: String,
    },
    /// Withdraw an allow-shadow decision: the bundled plugin is used again (audited).
    ForbidShadow { plugin: String },
    /// The public keys (minisign) whose signatures the team trusts.
    #[command(subcommand)]
    TrustKey(TrustKeyCmd),
    /// Require plugins (other than bundled ones) to be signed by a trusted key to be
    /// installed, imported or used for a new assessment: on or off (audited).
    RequireSignatures {
        #[arg(value_enum)]
        setting: OnOff,
    },
    /// Remove the compiled-code cache (it is rebuilt on demand).
    ClearCache,
    /// Create a plugin project (content, rules, golden test, README) to build with cargo.
    New {
        /// Plugin id and crate name: lowercase letters, digits, `-` and `_`, starting with a letter.
        name: String,
        /// Folder to create (default: ./NAME); it must not exist or be empty.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Subcommand, Debug)]
pub enum TrustKeyCmd {
    /// Trust a minisign public key (a .pub file or its base64 line).
    Add {
        key: String,
        /// Whose key it is (shown as "signed by …").
        #[arg(long)]
        comment: Option<String>,
    },
    /// List the trusted keys.
    List,
    /// Stop trusting a key (its 16-digit id).
    Remove { key_id: String },
}
