//! Review cycles: how often the suppliers of each criticality are assessed again.

use crate::db::{Db, Optional, params};
use serde::{Deserialize, Serialize};

use super::conversion;
use crate::columns::enum_col;
use crate::error::{Result, StoreError};
use crate::{Criticality, Store, to_json};

/// How often a supplier of one criticality is assessed again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCycle {
    pub criticality: Criticality,
    /// Between 1 and [`MAX_REVIEW_MONTHS`].
    pub months: u32,
    pub updated_by: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
}

/// The longest review cycle accepted, in months.
pub const MAX_REVIEW_MONTHS: u32 = 120;

/// The review cycle a fresh database starts with.
pub fn default_review_months(c: Criticality) -> u32 {
    match c {
        Criticality::Critical | Criticality::High => 12,
        Criticality::Medium => 24,
        Criticality::Low => 36,
    }
}

fn cycle_row(row: &crate::db::Row<'_>) -> crate::db::Result<ReviewCycle> {
    let months: i64 = row.get(1)?;
    Ok(ReviewCycle {
        criticality: enum_col(
            row,
            0,
            ("review_cycles", "criticality"),
            Criticality::from_id,
        )?,
        months: u32::try_from(months).map_err(|e| conversion(1, e))?,
        updated_by: row.get(2)?,
        updated_at: row.get(3)?,
    })
}

fn get_cycle(conn: &Db, c: Criticality) -> Result<Option<ReviewCycle>> {
    Ok(conn
        .query_row(
            "SELECT criticality, months, updated_by, updated_at FROM review_cycles \
             WHERE criticality = ?1",
            params![c.id()],
            cycle_row,
        )
        .optional()?)
}

impl Store {
    /// The review cycle of each criticality, most critical first.
    pub fn review_cycles(&self) -> Result<Vec<ReviewCycle>> {
        self.read(|conn| {
            let mut out = Vec::new();
            for c in Criticality::ALL.iter().rev() {
                out.push(get_cycle(conn, *c)?.unwrap_or_else(|| ReviewCycle {
                    criticality: *c,
                    months: default_review_months(*c),
                    updated_by: String::new(),
                    updated_at: String::new(),
                }));
            }
            Ok(out)
        })
    }

    /// Sets how often suppliers of `criticality` are assessed again (1 to
    /// [`MAX_REVIEW_MONTHS`] months), recorded in the audit trail.
    pub fn set_review_cycle(&self, criticality: Criticality, months: u32) -> Result<ReviewCycle> {
        if !(1..=MAX_REVIEW_MONTHS).contains(&months) {
            return Err(StoreError::Invalid(format!(
                "a review cycle is between 1 and {MAX_REVIEW_MONTHS} months, not {months}"
            )));
        }
        self.write(|tx| {
            let old = get_cycle(tx.conn, criticality)?;
            let new = ReviewCycle {
                criticality,
                months,
                updated_by: tx.who.to_string(),
                updated_at: tx.now.to_string(),
            };
            tx.conn.execute(
                "INSERT INTO review_cycles (criticality, months, updated_by, updated_at) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (criticality) DO UPDATE SET \
                 months = excluded.months, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
                params![
                    new.criticality.id(),
                    new.months,
                    new.updated_by,
                    new.updated_at
                ],
            )?;
            let old_json = old.map(|o| to_json("review cycle", &o)).transpose()?;
            let new_json = to_json("review cycle", &new)?;
            tx.audit(
                "set",
                "review-cycle",
                criticality.id(),
                None,
                old_json.as_deref(),
                Some(&new_json),
            )?;
            Ok(new)
        })
    }
}
