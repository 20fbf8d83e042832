//! The portfolio for the front ends: every supplier's row and the attention list for one
//! day, what a scheduled job fails on, the review cycles, and the portfolio report.

use std::collections::BTreeMap;

use serde::Serialize;
use vigie_model::{AnswerKind, Date, Localized, Severity};
use vigie_report::{
    ActivityMonth, AttentionLine, AttentionWhat, Lang, PortfolioFormat, PortfolioLine,
    PortfolioReportInput, render_portfolio,
};
use vigie_store::{
    AssessmentStatus, AttentionItem, AttentionKind, Criticality, ExpiryQuestion, MonthActivity,
    PortfolioFilter, PortfolioRow, PortfolioSort, ReviewCycle, sort_rows,
};

use crate::catalog::Catalog;
use crate::workbench::{AppResult, Workbench};

/// How far ahead the portfolio looks for expiring evidence and assessments due, by default.
pub const DEFAULT_WITHIN_DAYS: u32 = 90;

/// The portfolio of one day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Portfolio {
    pub today: Date,
    /// Evidence expiring and assessments due this many days after `today` are counted.
    pub within_days: u32,
    /// Riskiest first (see [`PortfolioSort::Risk`]).
    pub rows: Vec<PortfolioRow>,
    /// Soonest first.
    pub attention: Vec<AttentionItem>,
    /// The prompts of the validity-date questions, by plugin id and question id, to say what
    /// an [`AttentionKind::AnswerDateExpiring`] item is about (see [`Portfolio::subject`]).
    #[serde(skip)]
    pub prompts: BTreeMap<(String, String), Localized>,
}

/// What `vigie portfolio --fail-on` checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailOn {
    /// An action item is past its deadline.
    Overdue,
    /// A supplier is due for assessment within the window (or was never assessed).
    Due,
    /// Evidence or a validity date expires within the window (or has expired).
    Expiring,
}

impl FailOn {
    pub fn id(self) -> &'static str {
        match self {
            FailOn::Overdue => "overdue",
            FailOn::Due => "due",
            FailOn::Expiring => "expiring",
        }
    }
}

impl Portfolio {
    /// The last day of the window.
    pub fn horizon(&self) -> Date {
        self.today
            .add_days(i64::from(self.within_days))
            .unwrap_or(self.today)
    }

    /// Action items past their deadline, over every supplier.
    pub fn overdue_actions(&self) -> u32 {
        self.rows.iter().map(|r| r.overdue_actions).sum()
    }

    /// Suppliers due for assessment within the window.
    pub fn due_suppliers(&self) -> usize {
        let horizon = self.horizon();
        self.rows.iter().filter(|r| r.is_due_by(horizon)).count()
    }

    /// Evidence and validity dates expiring within the window (or expired).
    pub fn expiring(&self) -> usize {
        self.attention
            .iter()
            .filter(|i| {
                matches!(
                    i.kind,
                    AttentionKind::EvidenceExpiring | AttentionKind::AnswerDateExpiring
                )
            })
            .count()
    }

    /// How many things `condition` finds (0: the job passes).
    pub fn count(&self, condition: FailOn) -> usize {
        match condition {
            FailOn::Overdue => self.overdue_actions() as usize,
            FailOn::Due => self.due_suppliers(),
            FailOn::Expiring => self.expiring(),
        }
    }

    /// What an attention item is about, in `lang`: the question's prompt for a validity
    /// date, else the item's own subject (evidence text, action title, questionnaire).
    pub fn subject(&self, item: &AttentionItem, lang: impl Into<Lang>) -> String {
        let lang = lang.into();
        if item.kind == AttentionKind::AnswerDateExpiring {
            let plugin = self
                .rows
                .iter()
                .find(|r| r.supplier_id == item.supplier_id)
                .and_then(|r| r.reference.as_ref())
                .map(|a| a.plugin_id.clone());
            if let Some(prompt) = plugin.and_then(|p| self.prompts.get(&(p, item.subject.clone())))
            {
                let text = prompt.get(lang);
                if !text.trim().is_empty() {
                    return text.to_string();
                }
            }
        }
        item.subject.clone()
    }

    /// The rows `filter` keeps, in `sort` order.
    pub fn view(&self, filter: &PortfolioFilter, sort: PortfolioSort) -> Vec<PortfolioRow> {
        let mut rows: Vec<PortfolioRow> = self
            .rows
            .iter()
            .filter(|r| filter.matches(r))
            .cloned()
            .collect();
        sort_rows(&mut rows, sort);
        rows
    }
}

/// The questions of the loaded plugins whose date answers are validity dates: date questions
/// not marked as the date of a past event (a last audit, a last test). In the bundled
/// questionnaires these are exactly the "valid until" dates (certificates, qualifications).
pub fn expiry_questions(catalog: &Catalog) -> Vec<ExpiryQuestion> {
    expiry_prompts(catalog)
        .into_iter()
        .map(|(q, _)| q)
        .collect()
}

/// [`expiry_questions`] with each question's prompt.
fn expiry_prompts(catalog: &Catalog) -> Vec<(ExpiryQuestion, Localized)> {
    let mut out: Vec<(ExpiryQuestion, Localized)> = Vec::new();
    for entry in catalog.entries() {
        let questionnaire = entry.plugin.questionnaire();
        for q in &questionnaire.questions {
            if matches!(q.kind, AnswerKind::Date) && !q.is_past_event_date() {
                let item = ExpiryQuestion {
                    plugin_id: questionnaire.info.id.clone(),
                    question_id: q.id.clone(),
                };
                if !out.iter().any(|(known, _)| *known == item) {
                    out.push((item, q.prompt.clone()));
                }
            }
        }
    }
    out
}

impl Workbench {
    /// The portfolio on `today`, looking `within_days` ahead, riskiest first.
    pub fn portfolio(&self, today: Date, within_days: u32) -> AppResult<Portfolio> {
        let mut rows = self.store.portfolio(today, within_days)?;
        sort_rows(&mut rows, PortfolioSort::Risk);
        let prompts = expiry_prompts(&self.catalog);
        let questions: Vec<ExpiryQuestion> = prompts.iter().map(|(q, _)| q.clone()).collect();
        let attention = self
            .store
            .attention(&rows, today, within_days, &questions)?;
        Ok(Portfolio {
            today,
            within_days,
            rows,
            attention,
            prompts: prompts
                .into_iter()
                .map(|(q, prompt)| ((q.plugin_id, q.question_id), prompt))
                .collect(),
        })
    }

    /// The review cycle of each criticality, most critical first.
    pub fn review_cycles(&self) -> AppResult<Vec<ReviewCycle>> {
        Ok(self.store.review_cycles()?)
    }

    /// Changes how often suppliers of `criticality` are reassessed (audited).
    pub fn set_review_cycle(
        &self,
        criticality: Criticality,
        months: u32,
    ) -> AppResult<ReviewCycle> {
        Ok(self.store.set_review_cycle(criticality, months)?)
    }

    /// Action items opened and finished per month over the `months` months up to `today`.
    pub fn action_activity(&self, today: Date, months: u32) -> AppResult<Vec<MonthActivity>> {
        Ok(self.store.action_activity(&first_month(today, months))?)
    }
}

/// The mark shown before a verdict, one column wide and meaningful without colour:
/// `✓` low or informational, `⚠` medium, `✗` high, `✖` critical, `·` no verdict.
pub fn verdict_mark(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Info | Severity::Low) => "✓",
        Some(Severity::Medium) => "⚠",
        Some(Severity::High) => "✗",
        Some(Severity::Critical) => "✖",
        None => "·",
    }
}

/// Scores (0 to 100) as a line of block characters, one per score; out-of-range scores are
/// clamped.
pub fn sparkline(scores: &[f64]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    scores
        .iter()
        .map(|s| {
            let level = (s.clamp(0.0, 100.0) / 100.0 * 7.0).round() as usize;
            BLOCKS[level.min(7)]
        })
        .collect()
}

/// The verdict's word for `row` in `lang`: the plugin's label, else its id, else "—".
pub fn verdict_word(row: &PortfolioRow, lang: impl Into<Lang>) -> String {
    let lang = lang.into();
    match &row.reference {
        Some(r) => r
            .verdict_label
            .as_ref()
            .map(|l| l.get(lang).to_string())
            .filter(|l| !l.trim().is_empty())
            .or_else(|| r.verdict.clone())
            .unwrap_or_else(|| "—".to_string()),
        None => "—".to_string(),
    }
}

/// How many months of action activity the portfolio report charts.
pub const REPORT_ACTIVITY_MONTHS: u32 = 12;

/// The portfolio report's input: the rows in the portfolio's order, labels in `lang`.
pub fn report_input(
    portfolio: &Portfolio,
    activity: &[MonthActivity],
    cycles: &[ReviewCycle],
    lang: Lang,
) -> PortfolioReportInput {
    let rows = portfolio
        .rows
        .iter()
        .map(|r| {
            let f = r.open_findings;
            PortfolioLine {
                supplier: r.supplier_name.clone(),
                criticality: r.criticality.id().to_string(),
                verdict: r.reference.as_ref().map(|_| verdict_word(r, lang)),
                verdict_severity: r.reference.as_ref().and_then(|a| a.verdict_severity),
                draft: r
                    .reference
                    .as_ref()
                    .is_some_and(|a| a.status == AssessmentStatus::Draft),
                score: r.reference.as_ref().and_then(|a| a.score),
                trend: r.trend.clone(),
                last_assessed: r.last_assessed,
                next_due: r.next_due,
                open_findings: [f.critical, f.high, f.medium, f.low, f.info],
                overdue_actions: r.overdue_actions,
                expiring_evidence: r.expiring_evidence,
            }
        })
        .collect();
    let attention = portfolio
        .attention
        .iter()
        .map(|a| AttentionLine {
            what: match a.kind {
                AttentionKind::EvidenceExpiring => AttentionWhat::EvidenceExpiring,
                AttentionKind::AnswerDateExpiring => AttentionWhat::ValidityDate,
                AttentionKind::ActionOverdue => AttentionWhat::ActionOverdue,
                AttentionKind::AssessmentDue => AttentionWhat::AssessmentDue,
            },
            date: a.date,
            supplier: a.supplier_name.clone(),
            criticality: a.criticality.id().to_string(),
            subject: portfolio.subject(a, lang),
        })
        .collect();
    PortfolioReportInput {
        today: portfolio.today,
        within_days: portfolio.within_days,
        rows,
        attention,
        activity: activity
            .iter()
            .map(|m| ActivityMonth {
                month: m.month.clone(),
                opened: m.opened,
                closed: m.closed,
            })
            .collect(),
        review_cycles: cycles
            .iter()
            .map(|c| (c.criticality.id().to_string(), c.months))
            .collect(),
    }
}

impl Workbench {
    /// The portfolio report of `today` in `format` and `lang`.
    pub fn portfolio_report(
        &self,
        today: Date,
        within_days: u32,
        format: PortfolioFormat,
        lang: Lang,
    ) -> AppResult<String> {
        let portfolio = self.portfolio(today, within_days)?;
        let activity = self.action_activity(today, REPORT_ACTIVITY_MONTHS)?;
        let cycles = self.review_cycles()?;
        let input = report_input(&portfolio, &activity, &cycles, lang);
        Ok(render_portfolio(&input, format, lang)?)
    }
}

/// `YYYY-MM` of the first of `months` months ending with `today`'s.
pub fn first_month(today: Date, months: u32) -> String {
    let back = i64::from(months.max(1)) - 1;
    let index = i64::from(today.year()) * 12 + i64::from(today.month()) - 1 - back;
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

/// Parses a number of days as `90`, `90d`, `12w`, `6m` (30-day months) or `1y` (365 days).
pub fn parse_days(text: &str) -> Result<u32, String> {
    let t = text.trim().to_ascii_lowercase();
    let (number, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t.as_str(), "d"),
    };
    let n: u32 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: write 90d, 12w, 6m or 1y"))?;
    let factor = match unit.trim() {
        "d" | "j" => 1,
        "w" | "s" => 7,
        "m" => 30,
        "y" | "a" => 365,
        _ => {
            return Err(format!(
                "`{text}`: the unit is d, w, m or y (90d, 12w, 6m, 1y)"
            ));
        }
    };
    let days = n
        .checked_mul(factor)
        .filter(|d| *d <= 36_500)
        .ok_or_else(|| format!("`{text}` is more than a hundred years"))?;
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_days("90d"), Ok(90));
        assert_eq!(parse_days("90"), Ok(90));
        assert_eq!(parse_days(" 2W "), Ok(14));
        assert_eq!(parse_days("6m"), Ok(180));
        assert_eq!(parse_days("1y"), Ok(365));
        assert!(parse_days("").is_err());
        assert!(parse_days("d").is_err());
        assert!(parse_days("-5d").is_err());
        assert!(parse_days("5h").is_err());
        assert!(parse_days("999999999y").is_err());
    }

    #[test]
    fn sparkline_is_clamped_and_one_block_per_score() {
        assert_eq!(sparkline(&[0.0, 50.0, 100.0, -5.0, 1e9]), "▁▅█▁█");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn first_month_counts_back() {
        let d: Date = "2026-03-15".parse().expect("date");
        assert_eq!(first_month(d, 1), "2026-03");
        assert_eq!(first_month(d, 3), "2026-01");
        assert_eq!(first_month(d, 12), "2025-04");
        assert_eq!(first_month(d, 0), "2026-03");
    }
}
