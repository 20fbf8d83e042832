//! The portfolio report for a management committee: one self-contained HTML page (inline CSS
//! and SVG charts, no script, no external asset, A4 print styles) or Markdown with the same
//! tables.
//!
//! Charts: a risk matrix (criticality × verdict, the count of suppliers in each cell), each
//! supplier's score trend as a sparkline, and action items opened and finished per month.
//! Every chart also says its numbers in text, so nothing is told by colour alone.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use vigie_model::{Date, Severity};

mod charts;
mod words;

use crate::html::escape;
use crate::{Lang, ReportError, markdown};
use charts::{activity_svg, risk_matrix_svg, sparkline_svg};
use words::{Words, what_word, words};

/// Everything the portfolio report shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortfolioReportInput {
    /// The day the portfolio is computed for.
    pub today: Date,
    /// Expiring evidence and assessments due are counted this many days ahead.
    pub within_days: u32,
    /// In the order to show them (riskiest first).
    pub rows: Vec<PortfolioLine>,
    /// Soonest first.
    pub attention: Vec<AttentionLine>,
    /// Oldest month first.
    pub activity: Vec<ActivityMonth>,
    /// (criticality id, months), most critical first.
    pub review_cycles: Vec<(String, u32)>,
}

/// One supplier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortfolioLine {
    pub supplier: String,
    /// `low`, `medium`, `high` or `critical`.
    pub criticality: String,
    /// The verdict's label in the report's language.
    pub verdict: Option<String>,
    pub verdict_severity: Option<Severity>,
    /// The verdict comes from a draft assessment.
    pub draft: bool,
    pub score: Option<f64>,
    /// Scores of successive assessments, oldest first (0 to 100).
    pub trend: Vec<f64>,
    pub last_assessed: Option<Date>,
    /// `None`: never assessed, due now.
    pub next_due: Option<Date>,
    /// Open findings: critical, high, medium, low, info.
    pub open_findings: [u32; 5],
    pub overdue_actions: u32,
    pub expiring_evidence: u32,
}

/// What an attention line is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttentionWhat {
    EvidenceExpiring,
    ValidityDate,
    ActionOverdue,
    AssessmentDue,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionLine {
    pub what: AttentionWhat,
    pub date: Option<Date>,
    pub supplier: String,
    pub criticality: String,
    /// The evidence's text, the action's title, the question or the questionnaire.
    pub subject: String,
}

/// Action items opened and finished in one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub opened: u32,
    pub closed: u32,
}

/// The report's formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortfolioFormat {
    Html,
    Markdown,
    Json,
}

/// Renders the portfolio report.
pub fn render_portfolio(
    input: &PortfolioReportInput,
    format: PortfolioFormat,
    lang: Lang,
) -> Result<String, ReportError> {
    Ok(match format {
        PortfolioFormat::Html => html(input, lang),
        PortfolioFormat::Markdown => md(input, lang),
        PortfolioFormat::Json => {
            let text = serde_json::to_string_pretty(input)?;
            let mut text = vigie_model::escape_json_controls(&text).into_owned();
            text.push('\n');
            text
        }
    })
}

/// Rows of the risk matrix, top to bottom.
const CRITICALITIES: [&str; 4] = ["critical", "high", "medium", "low"];

/// Columns of the risk matrix, left to right: from favourable to critical, then no verdict.
const VERDICT_COLUMNS: usize = 5;

fn verdict_column(severity: Option<Severity>) -> usize {
    match severity {
        Some(Severity::Info | Severity::Low) => 0,
        Some(Severity::Medium) => 1,
        Some(Severity::High) => 2,
        Some(Severity::Critical) => 3,
        None => 4,
    }
}

/// One mark per verdict column, so that the matrix and the table do not rely on colour.
const MARKS: [&str; VERDICT_COLUMNS] = ["✓", "⚠", "✗", "✖", "·"];

fn mark(severity: Option<Severity>) -> &'static str {
    MARKS[verdict_column(severity)]
}

fn matrix_counts(rows: &[PortfolioLine]) -> [[u32; VERDICT_COLUMNS]; 4] {
    let mut counts = [[0u32; VERDICT_COLUMNS]; 4];
    for r in rows {
        if let Some(i) = CRITICALITIES.iter().position(|c| *c == r.criticality) {
            counts[i][verdict_column(r.verdict_severity)] += 1;
        }
    }
    counts
}

fn date_text(d: Option<Date>, none: &str) -> String {
    d.map_or_else(|| none.to_string(), |d| d.to_string())
}

fn score_text(s: Option<f64>) -> String {
    s.map_or_else(|| "—".to_string(), |s| format!("{s:.1}"))
}

fn findings_text(f: &[u32; 5]) -> String {
    format!("{}/{}/{}/{}", f[0], f[1], f[2], f[3])
}

fn verdict_text(r: &PortfolioLine, w: &Words) -> String {
    let word = r.verdict.clone().unwrap_or_else(|| "—".to_string());
    if r.draft {
        format!("{} {word} ({})", mark(r.verdict_severity), w.draft)
    } else {
        format!("{} {word}", mark(r.verdict_severity))
    }
}

const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 1.5rem auto; max-width: 68rem; padding: 0 1rem; color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #444; padding-bottom: .2rem; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .88rem; }
th, td { border: 1px solid #bbb; padding: .25rem .4rem; text-align: left; vertical-align: middle; }
thead th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.date { white-space: nowrap; }
.kpis { display: flex; gap: .8rem; flex-wrap: wrap; margin: .8rem 0; }
.kpi { border: 1px solid #bbb; border-radius: 4px; padding: .4rem .8rem; min-width: 9rem; }
.kpi b { display: block; font-size: 1.5rem; }
.charts { display: flex; gap: 1.5rem; flex-wrap: wrap; align-items: flex-start; }
figure { margin: 0; break-inside: avoid; }
figcaption { font-size: .82rem; color: #444; margin-top: .2rem; max-width: 34rem; }
svg text { font-family: inherit; }
svg.spark { vertical-align: middle; }
.muted { color: #555; font-size: .85rem; }
footer { margin-top: 1.5rem; color: #555; font-size: .8rem; }
@page { size: A4 portrait; margin: 12mm 10mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; }
  h2 { break-after: avoid; }
  tr, figure, .kpis { break-inside: avoid; }
  thead { display: table-header-group; }
  svg, thead th, .kpi { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .charts { gap: 6mm; }
}
"#;

fn html(input: &PortfolioReportInput, lang: Lang) -> String {
    let w = words(lang);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        lang.id(),
        escape(w.title),
        input.today
    );
    let horizon = input
        .today
        .add_days(i64::from(input.within_days))
        .unwrap_or(input.today);
    let _ = writeln!(
        out,
        "<h1>{}</h1>\n<p class=\"muted\">{} {} · {} {} {} ({})</p>",
        escape(w.title),
        escape(w.as_of),
        input.today,
        escape(w.window),
        input.within_days,
        escape(w.days),
        horizon
    );
    let due = input
        .rows
        .iter()
        .filter(|r| r.next_due.is_none_or(|d| d <= horizon))
        .count();
    let overdue: u32 = input.rows.iter().map(|r| r.overdue_actions).sum();
    let expiring = input
        .attention
        .iter()
        .filter(|a| {
            matches!(
                a.what,
                AttentionWhat::EvidenceExpiring | AttentionWhat::ValidityDate
            )
        })
        .count();
    let _ = writeln!(
        out,
        "<div class=\"kpis\"><div class=\"kpi\"><b>{}</b>{}</div><div class=\"kpi\"><b>{due}</b>{}</div>\
         <div class=\"kpi\"><b>{overdue}</b>{}</div><div class=\"kpi\"><b>{expiring}</b>{}</div></div>",
        input.rows.len(),
        escape(w.suppliers),
        escape(w.due),
        escape(w.overdue),
        escape(w.expiring_kpi)
    );
    let _ = writeln!(
        out,
        "<h2>{} · {}</h2>\n<div class=\"charts\">",
        escape(w.matrix),
        escape(w.activity)
    );
    risk_matrix_svg(&mut out, &matrix_counts(&input.rows), w, lang);
    activity_svg(&mut out, &input.activity, w);
    let _ = writeln!(out, "</div>");

    let _ = writeln!(out, "<h2>{}</h2>", escape(w.table));
    if input.rows.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(w.empty));
    } else {
        let _ = writeln!(
            out,
            "<table class=\"portfolio\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
             <th id=\"score-trends\">{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
             </tr></thead><tbody>",
            escape(w.supplier),
            escape(w.criticality),
            escape(w.verdict),
            escape(w.score),
            escape(w.trends),
            escape(w.last),
            escape(w.next),
            escape(w.findings),
            escape(w.overdue),
            escape(w.expiring),
        );
        for r in &input.rows {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td>\
                 <td class=\"date\">{}</td><td class=\"date\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td></tr>",
                escape(&r.supplier),
                escape(&criticality_label(&r.criticality, lang)),
                escape(&verdict_text(r, w)),
                score_text(r.score),
                sparkline_svg(&r.trend),
                date_text(r.last_assessed, "—"),
                escape(&date_text(r.next_due, w.now)),
                findings_text(&r.open_findings),
                r.overdue_actions,
                r.expiring_evidence,
            );
        }
        let _ = writeln!(out, "</tbody></table>");
    }

    let _ = writeln!(out, "<h2>{}</h2>", escape(w.attention));
    if input.attention.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(w.nothing));
    } else {
        let _ = writeln!(
            out,
            "<table class=\"attention\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
             </tr></thead><tbody>",
            escape(w.date),
            escape(w.what),
            escape(w.supplier),
            escape(w.subject)
        );
        for a in &input.attention {
            let _ = writeln!(
                out,
                "<tr><td class=\"date\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&date_text(a.date, w.never)),
                escape(what_word(w, a.what)),
                escape(&a.supplier),
                escape(&a.subject)
            );
        }
        let _ = writeln!(out, "</tbody></table>");
    }
    if !input.review_cycles.is_empty() {
        let cycles = input
            .review_cycles
            .iter()
            .map(|(c, m)| format!("{} {m} {}", criticality_label(c, lang), w.months))
            .collect::<Vec<_>>()
            .join(" · ");
        let _ = writeln!(
            out,
            "<p class=\"muted\">{}{}{}</p>",
            escape(w.cycles),
            colon(lang),
            escape(&cycles)
        );
    }
    let _ = write!(
        out,
        "<footer>{} — {}.</footer>\n</body>\n</html>\n",
        escape(w.generated),
        input.today
    );
    out
}

fn md(input: &PortfolioReportInput, lang: Lang) -> String {
    let w = words(lang);
    let e = markdown::escape;
    let mut out = String::new();
    let horizon = input
        .today
        .add_days(i64::from(input.within_days))
        .unwrap_or(input.today);
    let _ = writeln!(out, "# {}\n", e(w.title));
    let _ = writeln!(
        out,
        "{} {} · {} {} {} ({horizon})\n",
        e(w.as_of),
        input.today,
        e(w.window),
        input.within_days,
        e(w.days)
    );
    let _ = writeln!(out, "## {}\n", e(w.matrix));
    let _ = write!(out, "| {} |", e(w.criticality));
    for (c, label) in w.verdict_columns.iter().enumerate() {
        let _ = write!(out, " {} {} |", MARKS[c], e(label));
    }
    let _ = writeln!(out, "\n|---|{}", "---:|".repeat(VERDICT_COLUMNS));
    let counts = matrix_counts(&input.rows);
    for (r, criticality) in CRITICALITIES.iter().enumerate() {
        let _ = write!(out, "| {} |", e(&criticality_label(criticality, lang)));
        for count in counts[r] {
            let _ = write!(out, " {count} |");
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "\n## {}\n", e(w.table));
    if input.rows.is_empty() {
        let _ = writeln!(out, "{}\n", e(w.empty));
    } else {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n|---|---|---|---:|---|---|---|---:|---:|---:|",
            e(w.supplier),
            e(w.criticality),
            e(w.verdict),
            e(w.score),
            e(w.trend),
            e(w.last),
            e(w.next),
            e(w.findings),
            e(w.overdue),
            e(w.expiring),
        );
        for r in &input.rows {
            let trend = if r.trend.is_empty() {
                "—".to_string()
            } else {
                format!(
                    "{} {}",
                    blocks(&r.trend),
                    r.trend
                        .iter()
                        .map(|s| format!("{s:.0}"))
                        .collect::<Vec<_>>()
                        .join(" → ")
                )
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                e(&r.supplier),
                e(&criticality_label(&r.criticality, lang)),
                e(&verdict_text(r, w)),
                score_text(r.score),
                trend,
                date_text(r.last_assessed, "—"),
                e(&date_text(r.next_due, w.now)),
                findings_text(&r.open_findings),
                r.overdue_actions,
                r.expiring_evidence,
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## {}\n", e(w.activity));
    if input.activity.is_empty() {
        let _ = writeln!(out, "{}\n", e(w.no_activity));
    } else {
        let _ = writeln!(
            out,
            "| {} | {} | {} |\n|---|---:|---:|",
            e(w.month),
            e(w.opened),
            e(w.closed)
        );
        for m in &input.activity {
            let _ = writeln!(out, "| {} | {} | {} |", e(&m.month), m.opened, m.closed);
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## {}\n", e(w.attention));
    if input.attention.is_empty() {
        let _ = writeln!(out, "{}\n", e(w.nothing));
    } else {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |\n|---|---|---|---|",
            e(w.date),
            e(w.what),
            e(w.supplier),
            e(w.subject)
        );
        for a in &input.attention {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                e(&date_text(a.date, w.never)),
                e(what_word(w, a.what)),
                e(&a.supplier),
                e(&a.subject)
            );
        }
        let _ = writeln!(out);
    }
    if !input.review_cycles.is_empty() {
        let cycles = input
            .review_cycles
            .iter()
            .map(|(c, m)| format!("{} {m} {}", criticality_label(c, lang), w.months))
            .collect::<Vec<_>>()
            .join(" · ");
        let _ = writeln!(out, "{}{}{}\n", e(w.cycles), colon(lang), e(&cycles));
    }
    out
}

fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "\u{a0}: ",
        Lang::En => ": ",
    }
}

/// Scores (0 to 100) as block characters.
fn blocks(scores: &[f64]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    scores
        .iter()
        .map(|s| BLOCKS[((s.clamp(0.0, 100.0) / 100.0 * 7.0).round() as usize).min(7)])
        .collect()
}

/// A criticality id in the report's language (the id itself when it is not one).
fn criticality_label(id: &str, lang: Lang) -> String {
    vigie_model::Criticality::from_id(id)
        .map_or(id, |c| c.label(lang == Lang::Fr))
        .to_string()
}
