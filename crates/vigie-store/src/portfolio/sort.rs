//! How the portfolio's rows are ranked, ordered and filtered, in memory.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use vigie_model::{Date, Severity};

use super::PortfolioRow;
use crate::Criticality;

/// 0 (low) to 3 (critical).
pub fn criticality_rank(c: Criticality) -> u32 {
    match c {
        Criticality::Low => 0,
        Criticality::Medium => 1,
        Criticality::High => 2,
        Criticality::Critical => 3,
    }
}

/// 0 (info) to 4 (critical).
pub fn severity_rank(s: Severity) -> u32 {
    match s {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// How portfolio rows are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PortfolioSort {
    /// Riskiest first ([`PortfolioRow::risk`]), then most overdue actions, then most expiring
    /// evidence, then by name.
    #[default]
    Risk,
    /// Worst verdict first.
    Verdict,
    /// Soonest due first (never assessed first of all).
    Due,
    /// Most overdue actions first.
    Overdue,
    /// Most expiring evidence first.
    Expiring,
    /// By name.
    Name,
}

impl PortfolioSort {
    pub const ALL: [PortfolioSort; 6] = [
        PortfolioSort::Risk,
        PortfolioSort::Verdict,
        PortfolioSort::Due,
        PortfolioSort::Overdue,
        PortfolioSort::Expiring,
        PortfolioSort::Name,
    ];

    pub fn id(self) -> &'static str {
        match self {
            PortfolioSort::Risk => "risk",
            PortfolioSort::Verdict => "verdict",
            PortfolioSort::Due => "due",
            PortfolioSort::Overdue => "overdue",
            PortfolioSort::Expiring => "expiring",
            PortfolioSort::Name => "name",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The next order, for a key that cycles through them.
    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }
}

/// Which rows to keep. Every condition set must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortfolioFilter {
    /// Verdicts at least this severe (a supplier without a verdict passes).
    pub verdict_at_least: Option<Severity>,
    /// Due on or before this date.
    pub due_by: Option<Date>,
    /// With at least one overdue action.
    pub overdue: bool,
    /// With at least one expiring piece of evidence.
    pub expiring: bool,
    /// Name containing this text, ignoring case and accents.
    pub name: Option<String>,
}

impl PortfolioFilter {
    pub fn is_empty(&self) -> bool {
        *self == PortfolioFilter::default()
    }

    pub fn matches(&self, row: &PortfolioRow) -> bool {
        if let Some(min) = self.verdict_at_least {
            let severity = row.reference.as_ref().and_then(|r| r.verdict_severity);
            if severity.is_some_and(|s| severity_rank(s) < severity_rank(min)) {
                return false;
            }
        }
        if let Some(by) = self.due_by
            && !row.is_due_by(by)
        {
            return false;
        }
        if self.overdue && row.overdue_actions == 0 {
            return false;
        }
        if self.expiring && row.expiring_evidence == 0 {
            return false;
        }
        if let Some(name) = self.name.as_deref().map(vigie_model::fold_for_search)
            && !name.trim().is_empty()
            && !vigie_model::fold_for_search(&row.supplier_name).contains(name.trim())
        {
            return false;
        }
        true
    }
}

/// Orders `rows` in place.
pub fn sort_rows(rows: &mut Vec<PortfolioRow>, sort: PortfolioSort) {
    let verdict_rank = |r: &PortfolioRow| {
        r.reference
            .as_ref()
            .and_then(|r| r.verdict_severity)
            .map_or(5, severity_rank)
    };
    let urgency = |a: &PortfolioRow, b: &PortfolioRow| {
        b.overdue_actions
            .cmp(&a.overdue_actions)
            .then(b.expiring_evidence.cmp(&a.expiring_evidence))
    };
    // Names are folded once, not at every comparison.
    let mut keyed: Vec<(String, PortfolioRow)> = rows
        .drain(..)
        .map(|r| (vigie_model::fold_for_search(&r.supplier_name), r))
        .collect();
    keyed.sort_by(|(name_a, a), (name_b, b)| {
        let primary = match sort {
            PortfolioSort::Risk => b.risk().cmp(&a.risk()).then_with(|| urgency(a, b)),
            PortfolioSort::Verdict => verdict_rank(b).cmp(&verdict_rank(a)).then_with(|| {
                criticality_rank(b.criticality).cmp(&criticality_rank(a.criticality))
            }),
            PortfolioSort::Due => match (a.next_due, b.next_due) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => x.cmp(&y),
            },
            PortfolioSort::Overdue => b.overdue_actions.cmp(&a.overdue_actions),
            PortfolioSort::Expiring => b.expiring_evidence.cmp(&a.expiring_evidence),
            PortfolioSort::Name => Ordering::Equal,
        };
        primary
            .then_with(|| name_a.cmp(name_b))
            .then_with(|| a.supplier_id.cmp(&b.supplier_id))
    });
    rows.extend(keyed.into_iter().map(|(_, r)| r));
}
