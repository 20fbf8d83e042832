//! The hash-chained audit trail: how a row is hashed, how rows are appended, how the chain
//! is checked.

use std::fmt;

use crate::db::{Db, Optional, params};
use sha2::{Digest, Sha256};

use crate::error::Result;

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: [u8; 32] = [0; 32];

const DOMAIN: &[u8] = b"vigie-audit-v1\0";

/// The fields of one audit row that its hash covers.
///
/// `hash = sha256("vigie-audit-v1\0" ‖ prev_hash ‖ seq as 8 big-endian bytes ‖ field…)`, where
/// each text field (`at`, `who`, `action`, `entity`, `entity_id`, `assessment_id`, `old`,
/// `new`, in that order) is a `0` byte when NULL, else a `1` byte, its UTF-8 length as 8
/// big-endian bytes and its bytes. Anyone can recompute the chain from a copy of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditRecord<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub who: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub assessment_id: Option<&'a str>,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
}

impl AuditRecord<'_> {
    /// This row's hash, chained to the previous row's hash.
    pub fn hash(&self, prev_hash: &[u8; 32]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(DOMAIN);
        h.update(prev_hash);
        h.update(self.seq.to_be_bytes());
        let fields = [
            Some(self.at),
            Some(self.who),
            Some(self.action),
            Some(self.entity),
            Some(self.entity_id),
            self.assessment_id,
            self.old,
            self.new,
        ];
        for field in fields {
            match field {
                None => h.update([0u8]),
                Some(text) => {
                    h.update([1u8]);
                    h.update((text.len() as u64).to_be_bytes());
                    h.update(text.as_bytes());
                }
            }
        }
        h.finalize().into()
    }
}

/// Appends audit rows inside one write transaction, continuing the chain.
pub(crate) struct AuditAppender {
    next_seq: i64,
    prev_hash: [u8; 32],
}

impl AuditAppender {
    /// Reads where the chain ends. Must run inside the write transaction (`BEGIN IMMEDIATE`),
    /// so that no other writer can append in between.
    pub(crate) fn load(conn: &Db) -> Result<Self> {
        // The highest seq ever handed out, even if rows were deleted since: a deletion at the
        // end then shows as a gap before the next row.
        let recorded: Option<i64> = conn
            .query_row(conn.dialect().audit_high_water, params![], |r| r.get(0))
            .optional()?;
        let last: Option<(i64, Vec<u8>)> = conn
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (last_seq, prev_hash) = match last {
            // A hash of the wrong length (a tampered row) still gets a chain that `verify`
            // reports as broken at that row, rather than refusing every write.
            Some((seq, hash)) => (seq, hash.try_into().unwrap_or([0xff; 32])),
            None => (0, GENESIS_HASH),
        };
        Ok(AuditAppender {
            next_seq: recorded.unwrap_or(0).max(last_seq) + 1,
            prev_hash,
        })
    }

    /// Appends one row and returns its seq.
    pub(crate) fn append(&mut self, conn: &Db, record: PendingAudit<'_>) -> Result<i64> {
        let seq = self.next_seq;
        let rec = AuditRecord {
            seq,
            at: record.at,
            who: record.who,
            action: record.action,
            entity: record.entity,
            entity_id: record.entity_id,
            assessment_id: record.assessment_id,
            old: record.old,
            new: record.new,
        };
        let hash = rec.hash(&self.prev_hash);
        let mut stmt = conn.prepare_cached(
            "INSERT INTO audit_log (seq, at, who, action, entity, entity_id, assessment_id, \
             old, new, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        stmt.execute(params![
            seq,
            rec.at,
            rec.who,
            rec.action,
            rec.entity,
            rec.entity_id,
            rec.assessment_id,
            rec.old,
            rec.new,
            &self.prev_hash[..],
            &hash[..],
        ])?;
        self.prev_hash = hash;
        self.next_seq += 1;
        Ok(seq)
    }
}

/// An audit row before it gets its seq.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PendingAudit<'a> {
    pub at: &'a str,
    pub who: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub assessment_id: Option<&'a str>,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
}

/// What is wrong at the first broken place of the audit chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditProblem {
    /// Rows `seq..=through` are missing: they were deleted.
    Missing {
        /// The last missing seq.
        through: i64,
    },
    /// The row's content does not match its hash: a field was changed.
    Tampered,
    /// The row's `prev_hash` is not the hash of the row before it: a row before it was
    /// changed (and re-hashed), or rows were inserted or reordered.
    BrokenLink,
}

/// The first place where the audit chain is broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditBreak {
    /// The first missing seq, or the seq of the broken row.
    pub seq: i64,
    /// What is wrong there.
    pub problem: AuditProblem,
}

impl fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problem {
            AuditProblem::Missing { through } if through == self.seq => {
                write!(f, "audit row {} is missing (deleted)", self.seq)
            }
            AuditProblem::Missing { through } => {
                write!(
                    f,
                    "audit rows {} to {through} are missing (deleted)",
                    self.seq
                )
            }
            AuditProblem::Tampered => write!(
                f,
                "audit row {} was altered: its content does not match its hash",
                self.seq
            ),
            AuditProblem::BrokenLink => write!(
                f,
                "audit row {} does not follow the row before it: the chain is broken there",
                self.seq
            ),
        }
    }
}

/// The result of [`crate::Store::verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// What `PRAGMA integrity_check` said: `["ok"]` when the file is sound.
    pub integrity: Vec<String>,
    /// Rows whose foreign key points nowhere (`PRAGMA foreign_key_check`).
    pub foreign_key_violations: u64,
    /// Rows in the audit trail.
    pub audit_rows: u64,
    /// The first break of the audit chain, if any.
    pub audit_break: Option<AuditBreak>,
    /// The triggers that refuse UPDATE and DELETE on the audit trail are in place.
    pub append_only_guards: bool,
}

impl VerifyReport {
    /// Whether the file is sound and the audit chain intact.
    pub fn is_ok(&self) -> bool {
        self.integrity_ok()
            && self.foreign_key_violations == 0
            && self.audit_break.is_none()
            && self.append_only_guards
    }

    /// Whether `PRAGMA integrity_check` found nothing wrong.
    pub fn integrity_ok(&self) -> bool {
        self.integrity.len() == 1 && self.integrity[0] == "ok"
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.integrity_ok() {
            writeln!(f, "integrity: ok")?;
        } else {
            writeln!(f, "integrity: {} problem(s)", self.integrity.len())?;
            for line in self.integrity.iter().take(20) {
                writeln!(f, "  {line}")?;
            }
        }
        if self.foreign_key_violations > 0 {
            writeln!(
                f,
                "foreign keys: {} row(s) point to nothing",
                self.foreign_key_violations
            )?;
        } else {
            writeln!(f, "foreign keys: ok")?;
        }
        match &self.audit_break {
            None => writeln!(
                f,
                "audit trail: ok ({} rows, chain intact)",
                self.audit_rows
            )?,
            Some(b) => writeln!(f, "audit trail: BROKEN: {b}")?,
        }
        if !self.append_only_guards {
            writeln!(
                f,
                "audit trail: the append-only triggers were removed (SQLite: {}; \
                 PostgreSQL: {})",
                crate::backend::sqlite::SQLITE_AUDIT_GUARDS.join(", "),
                crate::backend::postgres::AUDIT_GUARDS.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Walks the whole chain in seq order and returns the row count and the first break.
pub(crate) fn check_chain(conn: &Db) -> Result<(u64, Option<AuditBreak>)> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, who, action, entity, entity_id, assessment_id, old, new, prev_hash, \
         hash FROM audit_log ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![], |row| {
        Ok(AuditRow {
            seq: row.get(0)?,
            at: row.get(1)?,
            who: row.get(2)?,
            action: row.get(3)?,
            entity: row.get(4)?,
            entity_id: row.get(5)?,
            assessment_id: row.get(6)?,
            old: row.get(7)?,
            new: row.get(8)?,
            stored_prev: row.get(9)?,
            stored_hash: row.get(10)?,
        })
    })?;
    let mut count = 0u64;
    let mut expected_seq = 1i64;
    let mut prev_hash = GENESIS_HASH;
    let mut first_break = None;
    for row in rows {
        let AuditRow {
            seq,
            at,
            who,
            action,
            entity,
            entity_id,
            assessment_id,
            old,
            new,
            stored_prev,
            stored_hash,
        } = row?;
        count += 1;
        if first_break.is_some() {
            continue;
        }
        if seq != expected_seq {
            first_break = Some(AuditBreak {
                seq: expected_seq,
                problem: AuditProblem::Missing { through: seq - 1 },
            });
            continue;
        }
        let record = AuditRecord {
            seq,
            at: &at,
            who: &who,
            action: &action,
            entity: &entity,
            entity_id: &entity_id,
            assessment_id: assessment_id.as_deref(),
            old: old.as_deref(),
            new: new.as_deref(),
        };
        let Ok(stored_prev) = <[u8; 32]>::try_from(stored_prev.as_slice()) else {
            first_break = Some(AuditBreak {
                seq,
                problem: AuditProblem::Tampered,
            });
            continue;
        };
        if record.hash(&stored_prev)[..] != stored_hash[..] {
            first_break = Some(AuditBreak {
                seq,
                problem: AuditProblem::Tampered,
            });
            continue;
        }
        if stored_prev != prev_hash {
            first_break = Some(AuditBreak {
                seq,
                problem: AuditProblem::BrokenLink,
            });
            continue;
        }
        // The hash matched a 32-byte digest above, so this conversion cannot fail.
        prev_hash = <[u8; 32]>::try_from(stored_hash.as_slice()).unwrap_or(GENESIS_HASH);
        expected_seq += 1;
    }
    if first_break.is_none() {
        // Rows deleted at the end leave no gap; sqlite_sequence still remembers them.
        let recorded: Option<i64> = conn
            .query_row(conn.dialect().audit_high_water, params![], |r| r.get(0))
            .optional()?;
        if let Some(recorded) = recorded
            && recorded >= expected_seq
        {
            first_break = Some(AuditBreak {
                seq: expected_seq,
                problem: AuditProblem::Missing { through: recorded },
            });
        }
    }
    Ok((count, first_break))
}

/// One audit row as stored.
struct AuditRow {
    seq: i64,
    at: String,
    who: String,
    action: String,
    entity: String,
    entity_id: String,
    assessment_id: Option<String>,
    old: Option<String>,
    new: Option<String>,
    stored_prev: Vec<u8>,
    stored_hash: Vec<u8>,
}

/// Whether every append-only trigger exists.
pub(crate) fn guards_present(conn: &Db) -> Result<bool> {
    let guards: &[&str] = match conn.backend() {
        crate::Backend::Sqlite => &crate::backend::sqlite::SQLITE_AUDIT_GUARDS,
        crate::Backend::Postgres => &crate::backend::postgres::AUDIT_GUARDS,
    };
    let mut present = 0;
    for name in guards {
        let n: i64 = conn.query_row(conn.dialect().trigger_exists, params![name], |r| r.get(0))?;
        present += n;
    }
    Ok(present == guards.len() as i64)
}
