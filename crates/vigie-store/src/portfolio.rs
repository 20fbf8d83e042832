//! The portfolio: every supplier at a glance (its reference assessment's verdict and score,
//! the score's trend, when it is due again, open findings, overdue actions, expiring
//! evidence) and the list of what needs attention.
//!
//! Everything is computed by SQL aggregates over indexes (migration 3): one window over the
//! assessments index gives each supplier's reference assessment and trend, and the counts are
//! keyed lookups from it. Nothing here parses an evaluation: the verdict's severity and label
//! and the findings' severities are copied out of `last_evaluation` by triggers when it is
//! written (scoring, finalising, importing).
//!
//! The *reference assessment* of a supplier is its latest final assessment, else its latest
//! draft: a committee judges on what was signed off, while a supplier assessed only in draft
//! still shows its provisional verdict (marked as a draft).

use crate::columns::enum_col;
use crate::db::{Optional, params};
use serde::{Deserialize, Serialize};
use vigie_model::{Date, Localized, Severity};

use crate::Store;
use crate::error::{Result, StoreError};
use crate::{AssessmentStatus, Criticality};

mod review;
mod sort;

pub use review::{MAX_REVIEW_MONTHS, ReviewCycle, default_review_months};
pub use sort::{PortfolioFilter, PortfolioSort, criticality_rank, severity_rank, sort_rows};

/// How many scores, newest last, a row's trend keeps (the summaries of migration 3 keep
/// eight).
pub const TREND_LEN: usize = 8;

/// Open findings of an assessment, by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingCounts {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub info: u32,
}

impl FindingCounts {
    pub fn total(&self) -> u32 {
        self.critical + self.high + self.medium + self.low + self.info
    }

    /// The count for one severity.
    pub fn get(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    fn add(&mut self, severity: Severity, n: u32) {
        let slot = match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        };
        *slot = slot.saturating_add(n);
    }
}

/// The assessment a portfolio row judges a supplier by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReferenceAssessment {
    pub id: String,
    pub plugin_id: String,
    pub status: AssessmentStatus,
    pub assessment_date: Date,
    pub score: Option<f64>,
    /// The verdict id the plugin gave.
    pub verdict: Option<String>,
    /// The verdict's severity, when the stored evaluation names a known one.
    pub verdict_severity: Option<Severity>,
    /// The verdict's label in the plugin's languages.
    pub verdict_label: Option<Localized>,
}

/// One supplier in the portfolio.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortfolioRow {
    pub supplier_id: String,
    pub supplier_name: String,
    pub criticality: Criticality,
    /// How many assessments the supplier has (drafts included).
    pub assessments: u32,
    pub reference: Option<ReferenceAssessment>,
    /// The scores of the latest [`TREND_LEN`] assessments (those that have one), oldest first.
    pub trend: Vec<f64>,
    /// The date of the latest final assessment.
    pub last_assessed: Option<Date>,
    /// `last_assessed` plus the review cycle of the supplier's criticality; `None` when never
    /// assessed (due now).
    pub next_due: Option<Date>,
    /// The review cycle applied, in months.
    pub review_months: u32,
    /// Findings of the reference assessment that no finished action item remedies.
    pub open_findings: FindingCounts,
    /// Action items of any of the supplier's assessments, not done, whose deadline is past.
    pub overdue_actions: u32,
    /// Evidence of the reference assessment that expires on or before the horizon (already
    /// expired included).
    pub expiring_evidence: u32,
}

impl PortfolioRow {
    /// Whether the supplier is due for assessment on or before `by` (never assessed: due).
    pub fn is_due_by(&self, by: Date) -> bool {
        self.next_due.is_none_or(|d| d <= by)
    }

    /// How risky the supplier looks: criticality (1–4) times the verdict's weight (1–5; a
    /// supplier without a verdict counts as high, since nothing vouches for it).
    pub fn risk(&self) -> u32 {
        let criticality = criticality_rank(self.criticality) + 1;
        let verdict = self
            .reference
            .as_ref()
            .and_then(|r| r.verdict_severity)
            .map_or(4, |s| severity_rank(s) + 1);
        criticality * verdict
    }
}

fn parse_severity(id: &str) -> Option<Severity> {
    Severity::ALL.into_iter().find(|s| s.id() == id)
}

/// What an attention item is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttentionKind {
    /// A piece of evidence (certificate, attestation...) expires or has expired.
    EvidenceExpiring,
    /// A date the supplier gave in answer to a question the plugin asks as a validity date
    /// (a certificate's end of validity...) is near or past.
    AnswerDateExpiring,
    /// An action item is past its deadline.
    ActionOverdue,
    /// The supplier is due for assessment (or was never assessed).
    AssessmentDue,
}

impl AttentionKind {
    pub fn id(self) -> &'static str {
        match self {
            AttentionKind::EvidenceExpiring => "evidence-expiring",
            AttentionKind::AnswerDateExpiring => "answer-date-expiring",
            AttentionKind::ActionOverdue => "action-overdue",
            AttentionKind::AssessmentDue => "assessment-due",
        }
    }
}

/// One thing that needs attention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionItem {
    pub kind: AttentionKind,
    /// When it expires, expired, was due or is due; `None` for a supplier never assessed.
    pub date: Option<Date>,
    pub supplier_id: String,
    pub supplier_name: String,
    pub criticality: Criticality,
    pub assessment_id: Option<String>,
    /// The evidence's text, the action's title, or the question's id.
    pub subject: String,
}

/// A question whose date answers are validity dates, for [`Store::attention`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiryQuestion {
    pub plugin_id: String,
    pub question_id: String,
}

/// Action items opened and finished in one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthActivity {
    /// `YYYY-MM`.
    pub month: String,
    pub opened: u32,
    /// Items whose status is done, counted in the month of their last change.
    pub closed: u32,
}

/// `date` plus `months` calendar months, the day clamped to the target month's length.
pub fn add_months(date: Date, months: u32) -> Date {
    let total = i64::from(date.month()) - 1 + i64::from(months);
    let year = date.year() + (total / 12) as i32;
    let month = (total % 12 + 1) as u8;
    let mut day = date.day();
    loop {
        if let Ok(d) = Date::new(year, month, day) {
            return d;
        }
        if day <= 28 {
            // Out of the supported range: keep the date rather than fail a read.
            return date;
        }
        day -= 1;
    }
}

/// One row per supplier: its summary (reference assessment and its columns, count, trend;
/// kept by triggers, see migration 3) and keyed lookups for the counts; no assessment row is
/// read. Computing the summaries here instead
/// (a window, or probes of the assessments index per supplier) cost three times as much.
const PORTFOLIO_SQL: &str = "
SELECT s.id, s.name, s.criticality, rc.months,
       ss.reference_id, ss.reference_plugin, ss.reference_status, ss.reference_date,
       ss.reference_score, ss.reference_verdict, coalesce(ss.assessments, 0),
       CASE WHEN ss.reference_status = 'final' THEN ss.reference_date END,
       ss.trend, v.severity, v.label,
       (SELECT coalesce(sum(CASE WHEN f.severity = 'critical' THEN 1 ELSE 0 END), 0) || ',' ||
               coalesce(sum(CASE WHEN f.severity = 'high' THEN 1 ELSE 0 END), 0) || ',' ||
               coalesce(sum(CASE WHEN f.severity = 'medium' THEN 1 ELSE 0 END), 0) || ',' ||
               coalesce(sum(CASE WHEN f.severity = 'low' THEN 1 ELSE 0 END), 0) || ',' ||
               coalesce(sum(CASE WHEN f.severity = 'info' THEN 1 ELSE 0 END), 0)
        FROM evaluation_findings f
        WHERE f.assessment_id = ss.reference_id
          AND NOT EXISTS (SELECT 1 FROM action_items ai
                          WHERE ai.assessment_id = f.assessment_id
                            AND ai.finding_id = f.finding_id AND ai.status = 'done')),
       (SELECT count(*) FROM evidence e
        WHERE e.assessment_id = ss.reference_id AND e.expiry_date IS NOT NULL
          AND e.expiry_date <= ?2),
       coalesce(od.n, 0)
FROM suppliers s
LEFT JOIN supplier_summaries ss ON ss.supplier_id = s.id
LEFT JOIN evaluation_verdicts v ON v.assessment_id = ss.reference_id
LEFT JOIN review_cycles rc ON rc.criticality = s.criticality
LEFT JOIN (SELECT x.supplier_id, count(*) AS n FROM action_items ai
           JOIN {assessments_supplier_of} ON x.id = ai.assessment_id
           WHERE ai.status <> 'done' AND ai.deadline IS NOT NULL AND ai.deadline < ?1
           GROUP BY x.supplier_id) od ON od.supplier_id = s.id
";

fn conversion<E: std::error::Error>(idx: usize, e: E) -> crate::db::DbError {
    crate::db::DbError::Column(idx, e.to_string())
}

fn opt_date(row: &crate::db::Row<'_>, idx: usize) -> crate::db::Result<Option<Date>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|t| t.parse().map_err(|e| conversion(idx, e)))
        .transpose()
}

fn portfolio_row(row: &crate::db::Row<'_>) -> crate::db::Result<PortfolioRow> {
    let criticality = enum_col(row, 2, ("suppliers", "criticality"), Criticality::from_id)?;
    // A database written by another program may lack a cycle: the defaults apply.
    let review_months = row
        .get::<_, Option<i64>>(3)?
        .and_then(|m| u32::try_from(m).ok())
        .filter(|m| (1..=MAX_REVIEW_MONTHS).contains(m))
        .unwrap_or_else(|| default_review_months(criticality));
    let reference = match row.get::<_, Option<String>>(4)? {
        None => None,
        Some(id) => Some(ReferenceAssessment {
            id,
            plugin_id: row.get(5)?,
            status: enum_col(row, 6, ("assessments", "status"), AssessmentStatus::from_id)?,
            assessment_date: row
                .get::<_, String>(7)?
                .parse()
                .map_err(|e| conversion(7, e))?,
            score: row.get::<_, Option<f64>>(8)?.filter(|s| s.is_finite()),
            verdict: row.get(9)?,
            verdict_severity: row
                .get::<_, Option<String>>(13)?
                .as_deref()
                .and_then(parse_severity),
            // A label that is not the expected shape is dropped, not an error.
            verdict_label: row
                .get::<_, Option<String>>(14)?
                .and_then(|json| serde_json::from_str(&json).ok()),
        }),
    };
    let last_assessed = opt_date(row, 11)?;
    let trend = parse_trend(row.get::<_, Option<String>>(12)?.as_deref().unwrap_or(""));
    let mut open_findings = FindingCounts::default();
    let findings: Option<String> = row.get(15)?;
    let by_severity = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    for (severity, n) in by_severity
        .into_iter()
        .zip(findings.as_deref().unwrap_or("").split(','))
    {
        open_findings.add(severity, n.trim().parse::<u32>().unwrap_or(0));
    }
    let count = |idx: usize| -> crate::db::Result<u32> {
        Ok(u32::try_from(row.get::<_, i64>(idx)?).unwrap_or(0))
    };
    Ok(PortfolioRow {
        supplier_id: row.get(0)?,
        supplier_name: row.get(1)?,
        criticality,
        assessments: count(10)?,
        reference,
        trend,
        last_assessed,
        next_due: last_assessed.map(|d| add_months(d, review_months)),
        review_months,
        open_findings,
        overdue_actions: count(17)?,
        expiring_evidence: count(16)?,
    })
}

/// The scores of a summary's trend, oldest first. Each entry is `date \x1e created_at \x1e
/// score`, entries separated by `\x1f`, in no guaranteed order: they are sorted here by date
/// and creation time. What does not parse (a row another program wrote) is left out.
fn parse_trend(text: &str) -> Vec<f64> {
    let mut entries: Vec<(&str, &str, f64)> = text
        .split('\u{1f}')
        .filter_map(|entry| {
            let mut parts = entry.split('\u{1e}');
            let (date, created, score) = (parts.next()?, parts.next()?, parts.next()?);
            let score = score.parse::<f64>().ok().filter(|s| s.is_finite())?;
            Some((date, created, score))
        })
        .collect();
    entries.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    entries.into_iter().map(|(_, _, score)| score).collect()
}

fn horizon(today: Date, within_days: u32) -> Result<Date> {
    today
        .add_days(i64::from(within_days))
        .map_err(|e| StoreError::Invalid(format!("{within_days} days after {today}: {e}")))
}

impl Store {
    /// One row per supplier, in no particular order (see [`sort_rows`]). Actions are overdue
    /// when their deadline is before `today`; evidence is expiring when it expires within
    /// `expiring_within_days` of `today` (or has expired).
    pub fn portfolio(&self, today: Date, expiring_within_days: u32) -> Result<Vec<PortfolioRow>> {
        let horizon = horizon(today, expiring_within_days)?;
        self.read(|conn| {
            let sql = PORTFOLIO_SQL.replace(
                "{assessments_supplier_of}",
                conn.dialect().assessments_supplier_of,
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(
                params![today.to_string(), horizon.to_string()],
                portfolio_row,
            )?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }

    /// What needs attention, soonest first: evidence of the reference assessments expiring
    /// within `within_days` of `today` (or expired), answers to `expiry_questions` (validity
    /// dates) in the same window, action items past their deadline, and suppliers due for
    /// assessment within the window. `rows` are the portfolio rows of the same day.
    pub fn attention(
        &self,
        rows: &[PortfolioRow],
        today: Date,
        within_days: u32,
        expiry_questions: &[ExpiryQuestion],
    ) -> Result<Vec<AttentionItem>> {
        let horizon = horizon(today, within_days)?;
        let mut items = Vec::new();
        let by_supplier: std::collections::HashMap<&str, &PortfolioRow> =
            rows.iter().map(|r| (r.supplier_id.as_str(), r)).collect();
        self.read(|conn| {
            items.clear();
            let mut evidence = conn.prepare_cached(
                "SELECT id, text, expiry_date FROM evidence \
                 WHERE assessment_id = ?1 AND expiry_date IS NOT NULL AND expiry_date <= ?2 \
                 ORDER BY expiry_date, id",
            )?;
            let mut answer = conn.prepare_cached(conn.dialect().answer_date)?;
            for row in rows {
                let Some(reference) = &row.reference else {
                    continue;
                };
                if row.expiring_evidence > 0 {
                    let found =
                        evidence.query_map(params![reference.id, horizon.to_string()], |r| {
                            Ok((
                                r.get::<_, String>(1)?,
                                r.get::<_, String>(2)?.parse::<Date>().ok(),
                            ))
                        })?;
                    for found in found {
                        let (text, date) = found?;
                        items.push(item(row, AttentionKind::EvidenceExpiring, date, text));
                    }
                }
                for q in expiry_questions
                    .iter()
                    .filter(|q| q.plugin_id == reference.plugin_id)
                {
                    let date: Option<Option<String>> = answer
                        .query_row(params![reference.id, q.question_id], |r| r.get(0))
                        .optional()?;
                    let Some(date) = date.flatten().and_then(|d| d.parse::<Date>().ok()) else {
                        continue;
                    };
                    if date <= horizon {
                        let mut it = item(
                            row,
                            AttentionKind::AnswerDateExpiring,
                            Some(date),
                            q.question_id.clone(),
                        );
                        it.assessment_id = Some(reference.id.clone());
                        items.push(it);
                    }
                }
            }
            let mut overdue = conn.prepare_cached(&format!(
                "SELECT x.supplier_id, ai.assessment_id, ai.title, ai.deadline \
                 FROM action_items ai \
                 JOIN {} ON x.id = ai.assessment_id \
                 WHERE ai.status <> 'done' AND ai.deadline IS NOT NULL AND ai.deadline < ?1 \
                 ORDER BY ai.deadline, ai.id",
                conn.dialect().assessments_supplier_of
            ))?;
            let found = overdue.query_map(params![today.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?.parse::<Date>().ok(),
                ))
            })?;
            for found in found {
                let (supplier, assessment, title, deadline) = found?;
                if let Some(row) = by_supplier.get(supplier.as_str()) {
                    let mut it = item(row, AttentionKind::ActionOverdue, deadline, title);
                    it.assessment_id = Some(assessment);
                    items.push(it);
                }
            }
            Ok(())
        })?;
        for row in rows.iter().filter(|r| r.is_due_by(horizon)) {
            let subject = match &row.reference {
                Some(r) => r.plugin_id.clone(),
                None => String::new(),
            };
            let mut it = item(row, AttentionKind::AssessmentDue, row.next_due, subject);
            it.assessment_id = None;
            items.push(it);
        }
        items.sort_by(|a, b| {
            // Never assessed (no date) counts as due today.
            let day = |i: &AttentionItem| i.date.unwrap_or(today);
            day(a)
                .cmp(&day(b))
                .then_with(|| criticality_rank(b.criticality).cmp(&criticality_rank(a.criticality)))
                .then_with(|| a.supplier_name.cmp(&b.supplier_name))
                .then_with(|| a.subject.cmp(&b.subject))
        });
        Ok(items)
    }

    /// Action items opened and finished per month, from `since` (`YYYY-MM`) on, oldest first;
    /// months with neither are left out.
    pub fn action_activity(&self, since: &str) -> Result<Vec<MonthActivity>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT month, sum(opened), sum(closed) FROM (\
                   SELECT substr(created_at, 1, 7) AS month, 1 AS opened, 0 AS closed \
                   FROM action_items WHERE substr(created_at, 1, 7) >= ?1 \
                   UNION ALL \
                   SELECT substr(updated_at, 1, 7), 0, 1 FROM action_items \
                   WHERE status = 'done' AND substr(updated_at, 1, 7) >= ?1) AS activity \
                 GROUP BY month ORDER BY month",
            )?;
            let rows = stmt.query_map(params![since], |r| {
                Ok(MonthActivity {
                    month: r.get(0)?,
                    opened: u32::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    closed: u32::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                })
            })?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }
}

fn item(
    row: &PortfolioRow,
    kind: AttentionKind,
    date: Option<Date>,
    subject: String,
) -> AttentionItem {
    AttentionItem {
        kind,
        date,
        supplier_id: row.supplier_id.clone(),
        supplier_name: row.supplier_name.clone(),
        criticality: row.criticality,
        assessment_id: row.reference.as_ref().map(|r| r.id.clone()),
        subject,
    }
}
