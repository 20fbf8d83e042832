//! `vigie portfolio`, `vigie review-cycle`, `vigie report portfolio` and `vigie demo`: every
//! supplier at a glance, for a person or a scheduled job.

use std::path::Path;

use clap::{Args, ValueEnum};
use vigie_app::portfolio::{
    DEFAULT_WITHIN_DAYS, FailOn, Portfolio, parse_days, sparkline, verdict_mark, verdict_word,
};
use vigie_app::vigie_report::PortfolioFormat as ReportPortfolioFormat;
use vigie_app::{AttentionKind, PortfolioFilter, PortfolioRow, PortfolioSort};
use vigie_model::{Criticality, Date, Lang, visible};

use crate::cli::{Cli, ReportFormatArg};
use crate::cmd_store::out::{out, outln};
use crate::cmd_store::{session, text};
use crate::{CmdResult, Failure, cmd_plugin, paths};

/// The exit code of `vigie portfolio --fail-on …` when a condition holds: distinct from 1
/// (an error) and 2 (a usage error), so that a scheduled job can tell "something to do"
/// from "could not check".
pub const EXIT_ATTENTION: u8 = 3;

#[derive(Args, Debug)]
pub struct PortfolioArgs {
    #[arg(long, value_enum, default_value = "table")]
    pub format: PortfolioFormat,
    /// How far ahead to look for expiring evidence and assessments due: 90d, 12w, 6m, 1y.
    #[arg(long, value_name = "DURATION", default_value = "90d")]
    pub due_within: String,
    /// Exit with code 3 when there is an overdue action, a supplier due for assessment
    /// within the window, or expiring evidence (repeatable; for a scheduled job).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub fail_on: Vec<FailOnArg>,
    /// Row order: risk (criticality × verdict, then overdue and expiring), verdict, due,
    /// overdue, expiring or name.
    #[arg(long, value_enum, default_value = "risk")]
    pub sort: SortArg,
    /// Keep only suppliers with overdue actions, due within the window, or with expiring
    /// evidence (repeatable: all must hold).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub only: Vec<FailOnArg>,
    /// Compute as on this day (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortfolioFormat {
    Table,
    Json,
    Csv,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOnArg {
    Overdue,
    Due,
    Expiring,
}

impl FailOnArg {
    fn condition(self) -> FailOn {
        match self {
            FailOnArg::Overdue => FailOn::Overdue,
            FailOnArg::Due => FailOn::Due,
            FailOnArg::Expiring => FailOn::Expiring,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortArg {
    Risk,
    Verdict,
    Due,
    Overdue,
    Expiring,
    Name,
}

impl SortArg {
    fn sort(self) -> PortfolioSort {
        match self {
            SortArg::Risk => PortfolioSort::Risk,
            SortArg::Verdict => PortfolioSort::Verdict,
            SortArg::Due => PortfolioSort::Due,
            SortArg::Overdue => PortfolioSort::Overdue,
            SortArg::Expiring => PortfolioSort::Expiring,
            SortArg::Name => PortfolioSort::Name,
        }
    }
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Where to create the sample (default: vigie-demo.sqlite in the data directory, beside
    /// the default database). Only a file an earlier demo made is ever replaced.
    #[arg(long, value_name = "FILE")]
    pub file: Option<std::path::PathBuf>,
    /// Only create the sample and print how to open it (the default when not in a terminal).
    #[arg(long)]
    pub no_open: bool,
}

#[derive(Args, Debug)]
pub struct ReviewCycleArgs {
    /// low, medium, high or critical (with MONTHS: set its cycle).
    pub criticality: Option<String>,
    /// Months between two assessments of a supplier of that criticality (1 to 120).
    pub months: Option<u32>,
}

fn as_of(arg: Option<&str>) -> Date {
    match arg {
        None => cmd_plugin::today(),
        Some(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|e| session::usage_error(format!("--as-of {text}: {e}"))),
    }
}

/// Opens the database (which must exist) with the bundled plugins, whose validity-date
/// questions the attention list reads, and computes the portfolio.
pub fn load(cli: &Cli, today: Date, within_days: u32) -> Result<Portfolio, Failure> {
    session::existing_db(cli)?;
    let bench = session::open_workbench(cli)?;
    Ok(bench.portfolio(today, within_days)?)
}

pub fn run(cli: &Cli, args: &PortfolioArgs) -> CmdResult {
    let lang = paths::language(cli);
    let within = parse_days(&args.due_within)
        .unwrap_or_else(|e| session::usage_error(format!("--due-within: {e}")));
    let today = as_of(args.as_of.as_deref());
    let portfolio = load(cli, today, within)?;
    let mut filter = PortfolioFilter::default();
    for only in &args.only {
        match only {
            FailOnArg::Overdue => filter.overdue = true,
            FailOnArg::Expiring => filter.expiring = true,
            FailOnArg::Due => filter.due_by = Some(portfolio.horizon()),
        }
    }
    let rows = portfolio.view(&filter, args.sort.sort());
    match args.format {
        PortfolioFormat::Table => print_table(&portfolio, &rows, lang),
        PortfolioFormat::Json => print_json(&portfolio, &rows)?,
        PortfolioFormat::Csv => print_csv(&rows, lang),
    }
    let failing: Vec<String> = args
        .fail_on
        .iter()
        .map(|c| c.condition())
        .filter_map(|c| {
            let n = portfolio.count(c);
            (n > 0).then(|| format!("{} {n}", c.id()))
        })
        .collect();
    if failing.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            message: format!("needs attention: {}", failing.join(", ")),
            code: EXIT_ATTENTION,
        })
    }
}

fn date_or(d: Option<Date>, none: &str) -> String {
    d.map_or_else(|| none.to_string(), |d| d.to_string())
}

fn findings_cell(row: &PortfolioRow) -> String {
    let f = row.open_findings;
    format!("{}/{}/{}/{}", f.critical, f.high, f.medium, f.low)
}

fn verdict_cell(row: &PortfolioRow, lang: Lang) -> String {
    let severity = row.reference.as_ref().and_then(|r| r.verdict_severity);
    let draft = row
        .reference
        .as_ref()
        .is_some_and(|r| r.status == vigie_model::AssessmentStatus::Draft);
    let word = verdict_word(row, lang);
    let suffix = if draft {
        lang.pick(" (brouillon)", " (draft)")
    } else {
        ""
    };
    format!("{} {word}{suffix}", verdict_mark(severity))
}

fn print_table(portfolio: &Portfolio, rows: &[PortfolioRow], lang: Lang) {
    if portfolio.rows.is_empty() {
        outln!(
            "{}",
            lang.pick(
                "aucun fournisseur : ajoutez-en avec `vigie supplier add NOM`, ou essayez `vigie demo`",
                "no suppliers yet: add one with `vigie supplier add NAME`, or try `vigie demo`"
            )
        );
        return;
    }
    let h = |f: &'static str, e: &'static str| lang.pick(f, e);
    outln!(
        "{}  {}  {}  {:>5}  {}  {}  {}  {}  {:>7}  {:>8}",
        text::cell(h("FOURNISSEUR", "SUPPLIER"), 26),
        text::cell(h("CRITICITÉ", "CRITICAL."), 9),
        text::cell("VERDICT", 24),
        "SCORE",
        text::cell(h("TENDANCE", "TREND"), 8),
        text::cell(h("ÉVALUÉ", "ASSESSED"), 10),
        text::cell(h("ÉCHÉANCE", "NEXT DUE"), 10),
        text::cell(h("CONST.C/H/M/B", "FIND.C/H/M/L"), 13),
        h("RETARD", "OVERDUE"),
        h("EXPIRENT", "EXPIRING"),
    );
    for r in rows {
        let score = r.reference.as_ref().and_then(|a| a.score);
        outln!(
            "{}  {}  {}  {:>5}  {}  {}  {}  {}  {:>7}  {:>8}",
            text::cell(&r.supplier_name, 26),
            text::cell(text::criticality(r.criticality, lang), 9),
            text::cell(&verdict_cell(r, lang), 24),
            text::score(score),
            text::cell(&sparkline(&r.trend), 8),
            text::cell(&date_or(r.last_assessed, "-"), 10),
            text::cell(&date_or(r.next_due, h("maintenant", "now")), 10),
            text::cell(&findings_cell(r), 13),
            r.overdue_actions,
            r.expiring_evidence,
        );
    }
    if rows.len() < portfolio.rows.len() {
        outln!(
            "({} {} {})",
            rows.len(),
            h("sur", "of"),
            lang.count(
                portfolio.rows.len(),
                h("fournisseur", "supplier"),
                h("fournisseurs", "suppliers")
            )
        );
    }
    outln!();
    if portfolio.attention.is_empty() {
        outln!(
            "{}",
            h(
                "rien à surveiller dans la période",
                "nothing needs attention in the window"
            )
        );
        return;
    }
    outln!(
        "{} ({} {}):",
        h("À SURVEILLER", "NEEDS ATTENTION"),
        h("jusqu'au", "up to"),
        portfolio.horizon()
    );
    for item in &portfolio.attention {
        outln!(
            "  {}  {}  {}  {}",
            text::cell(&date_or(item.date, h("jamais", "never")), 10),
            text::cell(
                attention_word(item.kind, item.date, portfolio.today, lang),
                22
            ),
            text::cell(&item.supplier_name, 26),
            text::clip(&portfolio.subject(item, lang), 40),
        );
    }
}

/// What an attention item says, in a few words.
pub fn attention_word(
    kind: AttentionKind,
    date: Option<Date>,
    today: Date,
    lang: Lang,
) -> &'static str {
    let past = date.is_some_and(|d| d < today);
    match (kind, past) {
        (AttentionKind::EvidenceExpiring, true) => lang.pick("preuve expirée", "evidence expired"),
        (AttentionKind::EvidenceExpiring, false) => lang.pick("preuve expire", "evidence expires"),
        (AttentionKind::AnswerDateExpiring, true) => {
            lang.pick("validité dépassée", "validity ended")
        }
        (AttentionKind::AnswerDateExpiring, false) => lang.pick("fin de validité", "validity ends"),
        (AttentionKind::ActionOverdue, _) => lang.pick("action en retard", "action overdue"),
        (AttentionKind::AssessmentDue, _) => lang.pick("évaluation due", "assessment due"),
    }
}

fn print_json(portfolio: &Portfolio, rows: &[PortfolioRow]) -> CmdResult {
    let value = serde_json::json!({
        "today": portfolio.today,
        "within_days": portfolio.within_days,
        "horizon": portfolio.horizon(),
        "overdue_actions": portfolio.overdue_actions(),
        "due_suppliers": portfolio.due_suppliers(),
        "expiring": portfolio.expiring(),
        "rows": rows,
        "attention": portfolio.attention,
    });
    let text = serde_json::to_string_pretty(&value).map_err(Failure::new)?;
    outln!("{}", vigie_model::escape_json_controls(&text));
    Ok(())
}

fn print_csv(rows: &[PortfolioRow], lang: Lang) {
    use vigie_app::vigie_report::csv::cell;
    outln!(
        "supplier_id,supplier,criticality,assessment_id,status,verdict,verdict_label,score,trend,last_assessed,next_due,review_months,findings_critical,findings_high,findings_medium,findings_low,findings_info,overdue_actions,expiring_evidence"
    );
    for r in rows {
        let a = r.reference.as_ref();
        let fields = [
            cell(&r.supplier_id),
            cell(&r.supplier_name),
            cell(r.criticality.id()),
            cell(a.map_or("", |a| a.id.as_str())),
            cell(a.map_or("", |a| a.status.id())),
            cell(a.and_then(|a| a.verdict.as_deref()).unwrap_or("")),
            cell(&a.map_or(String::new(), |_| verdict_word(r, lang))),
            a.and_then(|a| a.score)
                .map_or(String::new(), |s| format!("{s:.1}")),
            cell(
                &r.trend
                    .iter()
                    .map(|s| format!("{s:.1}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            date_or(r.last_assessed, ""),
            date_or(r.next_due, ""),
            r.review_months.to_string(),
            r.open_findings.critical.to_string(),
            r.open_findings.high.to_string(),
            r.open_findings.medium.to_string(),
            r.open_findings.low.to_string(),
            r.open_findings.info.to_string(),
            r.overdue_actions.to_string(),
            r.expiring_evidence.to_string(),
        ];
        outln!("{}", fields.join(","));
    }
}

pub fn review_cycle(cli: &Cli, args: &ReviewCycleArgs) -> CmdResult {
    let lang = paths::language(cli);
    let database = match (&args.criticality, args.months) {
        (Some(c), Some(months)) => {
            let criticality =
                Criticality::from_id(&c.trim().to_ascii_lowercase()).unwrap_or_else(|| {
                    session::usage_error(format!(
                        "`{c}` is not a criticality: low, medium, high or critical"
                    ))
                });
            let database = session::open_database(cli)?;
            let cycle = database.set_review_cycle(criticality, months)?;
            outln!(
                "{}: {} {}",
                text::criticality(cycle.criticality, lang),
                cycle.months,
                lang.pick("mois", "months")
            );
            return Ok(());
        }
        (Some(_), None) => {
            session::usage_error("give the months too: `vigie review-cycle high 12`")
        }
        (None, _) => {
            session::existing_db(cli)?;
            session::open_database(cli)?
        }
    };
    for cycle in database.review_cycles()? {
        out!(
            "{}  {:>3} {}",
            text::cell(text::criticality(cycle.criticality, lang), 9),
            cycle.months,
            lang.pick("mois", "months")
        );
        if cycle.updated_by.is_empty() {
            outln!();
        } else {
            outln!(
                "  ({}, {})",
                visible(&cycle.updated_by),
                cycle
                    .updated_at
                    .parse::<vigie_model::Timestamp>()
                    .map_or_else(
                        |_| visible(&cycle.updated_at).into_owned(),
                        |t| text::when(&t)
                    )
            );
        }
    }
    Ok(())
}

/// `vigie report portfolio --format html|md|json [-o FILE]`: the committee's report of today,
/// looking 90 days ahead, in --lang (default: from LANG).
pub fn report(cli: &Cli, format: ReportFormatArg, output: Option<&Path>) -> CmdResult {
    let format = match format {
        ReportFormatArg::Html => ReportPortfolioFormat::Html,
        ReportFormatArg::Md => ReportPortfolioFormat::Markdown,
        ReportFormatArg::Json => ReportPortfolioFormat::Json,
        ReportFormatArg::Csv => session::usage_error(
            "the portfolio report is html, md or json; for CSV use `vigie portfolio --format csv`",
        ),
    };
    let lang = paths::language(cli);
    session::existing_db(cli)?;
    let bench = session::open_workbench(cli)?;
    let text = bench.portfolio_report(cmd_plugin::today(), DEFAULT_WITHIN_DAYS, format, lang)?;
    crate::cmd_exchange::emit(&text, output, &paths::db_path(cli)?)?;
    if let Some(path) = output {
        eprintln!(
            "vigie: portfolio report written to {}",
            visible(&path.display().to_string())
        );
    }
    Ok(())
}

/// `vigie demo`: creates the sample portfolio in its own file, then opens the workbench on it
/// (in a terminal) or prints the command that does.
pub fn demo(cli: &Cli, args: &DemoArgs) -> CmdResult {
    use std::io::IsTerminal;
    let path = match &args.file {
        Some(file) => file.clone(),
        None => {
            let default = paths::default_db().ok_or_else(|| {
                Failure::new(
                    "cannot find a data directory for the demo (no home directory?); give --file FILE",
                )
            })?;
            vigie_app::demo::demo_path(&default)
        }
    };
    // Never the database the other commands use, whatever the file is.
    if let Ok(db) = paths::db_path(cli)
        && (db == path || vigie_app::is_database_or_companion(&db, &path))
    {
        return Err(Failure::new(format!(
            "{} is the database in use (--db, VIGIE_DB or the default): the demo goes in a file of its own",
            visible(&path.display().to_string())
        )));
    }
    let summary = vigie_app::demo::create_demo(&path, cmd_plugin::today(), cmd_plugin::host()?)?;
    let shown = visible(&path.display().to_string()).into_owned();
    eprintln!(
        "vigie: sample portfolio ({} suppliers, {} assessments) created in {shown}",
        summary.suppliers, summary.assessments
    );
    let open = !args.no_open && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if !open {
        outln!("vigie --db {}", shell_quote(&path.display().to_string()));
        return Ok(());
    }
    let exe = std::env::current_exe()
        .map_err(|e| Failure::new(format!("cannot find vigie itself: {e}")))?;
    let mut command = std::process::Command::new(exe);
    command.arg("--db").arg(&path);
    if let Some(lang) = &cli.lang {
        command.arg("--lang").arg(lang.lang().id());
    }
    let status = command
        .status()
        .map_err(|e| Failure::new(format!("cannot open the workbench: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure {
            message: format!("the workbench on {shown} ended with {status}"),
            code: status
                .code()
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(1),
        })
    }
}

/// `text` as one shell word.
fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:@".contains(c))
    {
        visible(text).into_owned()
    } else {
        format!("'{}'", visible(&text.replace('\'', "'\\''")))
    }
}
