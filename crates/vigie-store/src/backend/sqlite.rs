//! SQLite: the schema as an append-only list of migrations, and the statements only SQLite
//! understands.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::Dialect;
use crate::error::{Result, StoreError, io_err, is_busy, is_corrupt};
use crate::header::FileState;
use crate::{Journal, MAX_BUSY_WAIT, is_database_or_companion, retry_busy};

pub(crate) static DIALECT: Dialect = Dialect {
    audit_high_water: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'",
    trigger_exists: "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
    user_tables: "SELECT name FROM sqlite_schema WHERE type = 'table' \
                  AND name NOT LIKE 'sqlite_%' ORDER BY name",
    assessments_supplier_of: "assessments x INDEXED BY assessments_supplier_of",
    answer_date: "SELECT json_extract(value, '$.value') FROM answers \
                  WHERE assessment_id = ?1 AND question_id = ?2 AND json_valid(value) \
                  AND json_extract(value, '$.type') = 'date'",
};

/// `PRAGMA application_id` of a Vigie database: "VIGI" in ASCII.
pub const APPLICATION_ID: u32 = 0x5649_4749;

/// The migrations, applied in order. `PRAGMA user_version` is the number already applied.
///
/// Append only: never edit or reorder an entry that has shipped, since databases in the field
/// already ran it. A new column or table is a new entry.
pub const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
CREATE TABLE suppliers (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    -- name folded for uniqueness: lowercase, no accents, single spaces.
    name_key    TEXT NOT NULL UNIQUE,
    country     TEXT,
    sector      TEXT,
    services    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(services)),
    contacts    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(contacts)),
    criticality TEXT NOT NULL CHECK (criticality IN ('low', 'medium', 'high', 'critical')),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

-- Plugins, content-addressed. The bytes come last so that reading the other columns does not
-- load them.
CREATE TABLE plugin_blobs (
    sha256      TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL,
    plugin_id   TEXT NOT NULL,
    version     TEXT NOT NULL,
    origin      TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    bytes       BLOB NOT NULL
) STRICT;

CREATE TABLE assessments (
    id                  TEXT PRIMARY KEY NOT NULL,
    supplier_id         TEXT NOT NULL REFERENCES suppliers(id),
    plugin_sha256       TEXT NOT NULL REFERENCES plugin_blobs(sha256),
    plugin_id           TEXT NOT NULL,
    plugin_version      TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'final')),
    auditor             TEXT NOT NULL,
    assessment_date     TEXT NOT NULL,
    language            TEXT NOT NULL,
    level               TEXT,
    created_at          TEXT NOT NULL,
    previous_assessment TEXT REFERENCES assessments(id),
    score               REAL,
    verdict             TEXT,
    evaluated_at        TEXT,
    finalized_by        TEXT,
    finalized_at        TEXT,
    last_evaluation     TEXT CHECK (last_evaluation IS NULL OR json_valid(last_evaluation)),
    final_evaluation    TEXT CHECK (final_evaluation IS NULL OR json_valid(final_evaluation)),
    CHECK (status = 'draft' OR final_evaluation IS NOT NULL)
) STRICT;
CREATE INDEX assessments_by_created ON assessments(created_at DESC, id DESC);
CREATE INDEX assessments_by_supplier ON assessments(supplier_id, created_at DESC);
CREATE INDEX assessments_by_previous ON assessments(previous_assessment)
    WHERE previous_assessment IS NOT NULL;
CREATE INDEX assessments_by_plugin ON assessments(plugin_sha256);

-- A final assessment never changes again.
CREATE TRIGGER assessments_final_is_frozen BEFORE UPDATE ON assessments
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'the assessment is final: it can no longer be changed');
END;

CREATE TABLE answers (
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    question_id   TEXT NOT NULL,
    value         TEXT CHECK (value IS NULL OR json_valid(value)),
    note          TEXT,
    revision      INTEGER NOT NULL CHECK (revision >= 1),
    to_confirm    INTEGER NOT NULL DEFAULT 0 CHECK (to_confirm IN (0, 1)),
    updated_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (assessment_id, question_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER answers_frozen_insert BEFORE INSERT ON answers
WHEN (SELECT status FROM assessments WHERE id = NEW.assessment_id) = 'final'
BEGIN
    SELECT RAISE(ABORT, 'the assessment is final: its answers are frozen');
END;
CREATE TRIGGER answers_frozen_update BEFORE UPDATE ON answers
WHEN (SELECT status FROM assessments WHERE id = OLD.assessment_id) = 'final'
BEGIN
    SELECT RAISE(ABORT, 'the assessment is final: its answers are frozen');
END;
CREATE TRIGGER answers_frozen_delete BEFORE DELETE ON answers
WHEN (SELECT status FROM assessments WHERE id = OLD.assessment_id) = 'final'
BEGIN
    SELECT RAISE(ABORT, 'the assessment is final: its answers are frozen');
END;

CREATE TABLE evidence (
    id             TEXT PRIMARY KEY NOT NULL,
    assessment_id  TEXT NOT NULL REFERENCES assessments(id),
    question_id    TEXT,
    kind           TEXT NOT NULL CHECK (kind IN ('note', 'file', 'link')),
    text           TEXT NOT NULL,
    file_sha256    TEXT,
    file_size      INTEGER,
    file_path      TEXT,
    effective_date TEXT,
    expiry_date    TEXT,
    added_by       TEXT NOT NULL,
    added_at       TEXT NOT NULL,
    CHECK ((kind = 'file') = (file_sha256 IS NOT NULL AND file_size IS NOT NULL
                              AND file_path IS NOT NULL))
) STRICT;
CREATE INDEX evidence_by_assessment ON evidence(assessment_id, question_id);

CREATE TABLE action_items (
    id            TEXT PRIMARY KEY NOT NULL,
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    finding_id    TEXT NOT NULL,
    title         TEXT NOT NULL,
    owner         TEXT,
    deadline      TEXT,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in-progress', 'done')),
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX action_items_by_assessment ON action_items(assessment_id);

-- The audit trail: append-only and hash-chained (see audit.rs). AUTOINCREMENT keeps the
-- highest seq ever used in sqlite_sequence, so that deleting the last rows is detectable too.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    who           TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    assessment_id TEXT,
    old           TEXT,
    new           TEXT,
    prev_hash     BLOB NOT NULL,
    hash          BLOB NOT NULL
) STRICT;
CREATE INDEX audit_by_assessment ON audit_log(assessment_id) WHERE assessment_id IS NOT NULL;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
"#,
    // 2: plugin trust. Keys a team trusts to sign plugins, the signatures stored beside the
    // plugins they sign, audited decisions to let a stored plugin take a bundled plugin's
    // place, policy settings, and the remembered outcome of loading each plugin (a cache:
    // what a plugin describes depends only on its bytes and the host, so it is keyed by both).
    r#"
CREATE TABLE plugin_trusted_keys (
    key_id      TEXT PRIMARY KEY NOT NULL CHECK (length(key_id) = 16),
    public_key  TEXT NOT NULL,
    comment     TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    added_at    TEXT NOT NULL
) STRICT;

CREATE TABLE plugin_signatures (
    sha256      TEXT PRIMARY KEY NOT NULL REFERENCES plugin_blobs(sha256),
    key_id      TEXT NOT NULL,
    signature   TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    added_at    TEXT NOT NULL
) STRICT;

CREATE TABLE plugin_shadow_allowed (
    sha256      TEXT PRIMARY KEY NOT NULL REFERENCES plugin_blobs(sha256),
    plugin_id   TEXT NOT NULL,
    version     TEXT NOT NULL,
    allowed_by  TEXT NOT NULL,
    allowed_at  TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE plugin_checks (
    sha256      TEXT NOT NULL,
    host        TEXT NOT NULL,
    usable      INTEGER NOT NULL CHECK (usable IN (0, 1)),
    plugin_id   TEXT,
    version     TEXT,
    name        TEXT,
    reason      TEXT,
    checked_at  TEXT NOT NULL,
    PRIMARY KEY (sha256, host)
) STRICT, WITHOUT ROWID;
"#,
    // 3: the portfolio (see portfolio.rs). The review cycle per criticality, changed by an
    // audited operation; what the portfolio needs of each evaluation (the verdict's severity
    // and label, the findings' ids and severities), kept by triggers from `last_evaluation`
    // whoever writes it (scoring, finalising, importing), so that the portfolio never parses
    // evaluations; and indexes for its aggregates.
    r#"
CREATE TABLE review_cycles (
    criticality TEXT PRIMARY KEY NOT NULL
                CHECK (criticality IN ('low', 'medium', 'high', 'critical')),
    months      INTEGER NOT NULL CHECK (months BETWEEN 1 AND 120),
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
INSERT INTO review_cycles (criticality, months, updated_by, updated_at) VALUES
    ('critical', 12, 'vigie', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('high', 12, 'vigie', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('medium', 24, 'vigie', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('low', 36, 'vigie', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- No CHECK on the copied values: a hostile evaluation must not make the write that saves it
-- fail; the portfolio ignores what it does not recognise.
CREATE TABLE evaluation_verdicts (
    assessment_id TEXT PRIMARY KEY NOT NULL REFERENCES assessments(id),
    severity      TEXT,
    label         TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE evaluation_findings (
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    finding_id    TEXT NOT NULL,
    severity      TEXT,
    PRIMARY KEY (assessment_id, finding_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER evaluation_cache_on_insert AFTER INSERT ON assessments
WHEN NEW.last_evaluation IS NOT NULL
BEGIN
    INSERT OR REPLACE INTO evaluation_verdicts (assessment_id, severity, label)
    SELECT NEW.id, json_extract(NEW.last_evaluation, '$.verdict.severity'),
           json_extract(NEW.last_evaluation, '$.verdict.label')
    WHERE json_valid(NEW.last_evaluation);
    INSERT OR IGNORE INTO evaluation_findings (assessment_id, finding_id, severity)
    SELECT NEW.id, json_extract(f.value, '$.id'), json_extract(f.value, '$.severity')
    FROM json_each(NEW.last_evaluation, '$.findings') f
    WHERE CASE WHEN f.type = 'object' THEN json_type(f.value, '$.id') END = 'text';
END;

CREATE TRIGGER evaluation_cache_on_update AFTER UPDATE OF last_evaluation ON assessments
BEGIN
    DELETE FROM evaluation_verdicts WHERE assessment_id = NEW.id;
    DELETE FROM evaluation_findings WHERE assessment_id = NEW.id;
    INSERT OR REPLACE INTO evaluation_verdicts (assessment_id, severity, label)
    SELECT NEW.id, json_extract(NEW.last_evaluation, '$.verdict.severity'),
           json_extract(NEW.last_evaluation, '$.verdict.label')
    WHERE NEW.last_evaluation IS NOT NULL AND json_valid(NEW.last_evaluation);
    INSERT OR IGNORE INTO evaluation_findings (assessment_id, finding_id, severity)
    SELECT NEW.id, json_extract(f.value, '$.id'), json_extract(f.value, '$.severity')
    FROM json_each(NEW.last_evaluation, '$.findings') f
    WHERE CASE WHEN f.type = 'object' THEN json_type(f.value, '$.id') END = 'text';
END;

-- What the triggers would have written for the evaluations saved before them.
INSERT OR REPLACE INTO evaluation_verdicts (assessment_id, severity, label)
SELECT id, json_extract(last_evaluation, '$.verdict.severity'),
       json_extract(last_evaluation, '$.verdict.label')
FROM assessments WHERE last_evaluation IS NOT NULL AND json_valid(last_evaluation);
INSERT OR IGNORE INTO evaluation_findings (assessment_id, finding_id, severity)
SELECT a.id, json_extract(f.value, '$.id'), json_extract(f.value, '$.severity')
FROM assessments a, json_each(a.last_evaluation, '$.findings') f
WHERE a.last_evaluation IS NOT NULL
  AND CASE WHEN f.type = 'object' THEN json_type(f.value, '$.id') END = 'text';

-- Each supplier's reference assessment (latest final, else latest), number of assessments
-- and score trend (the latest eight scores, each as date, creation time and score), kept by
-- triggers when an assessment is added or its status, date or score changes, so that the
-- portfolio reads one row per supplier. (No ordered aggregate here: older SQLite versions
-- must still be able to read this schema.)
CREATE TABLE supplier_summaries (
    supplier_id       TEXT PRIMARY KEY NOT NULL REFERENCES suppliers(id),
    reference_id      TEXT REFERENCES assessments(id),
    assessments       INTEGER NOT NULL,
    trend             TEXT,
    -- Copied from the reference assessment, so that the portfolio never reads its row.
    reference_plugin  TEXT,
    reference_status  TEXT,
    reference_date    TEXT,
    reference_score   REAL,
    reference_verdict TEXT
) STRICT, WITHOUT ROWID;

-- Each supplier's assessments newest first, with what the summaries read of them: this
-- index only, never the rows (which hold the evaluations).
CREATE INDEX assessments_portfolio ON assessments(
    supplier_id, assessment_date DESC, created_at DESC, id DESC, status, score, verdict,
    plugin_id);
-- Whose assessment an action item is on, without reading the assessment's row.
CREATE INDEX assessments_supplier_of ON assessments(id, supplier_id);
CREATE TRIGGER supplier_summary_on_insert AFTER INSERT ON assessments
BEGIN
    INSERT OR REPLACE INTO supplier_summaries (supplier_id, reference_id, assessments, trend,
        reference_plugin, reference_status, reference_date, reference_score, reference_verdict)
    SELECT x.sid, x.ref, x.n, x.trend, a.plugin_id, a.status, a.assessment_date, a.score, a.verdict
    FROM (SELECT s.id AS sid,
                 coalesce(
                     (SELECT a.id FROM assessments a
                      WHERE a.supplier_id = s.id AND a.status = 'final'
                      ORDER BY a.assessment_date DESC, a.created_at DESC, a.id DESC LIMIT 1),
                     (SELECT a.id FROM assessments a WHERE a.supplier_id = s.id
                      ORDER BY a.assessment_date DESC, a.created_at DESC, a.id DESC LIMIT 1)) AS ref,
                 (SELECT count(*) FROM assessments a WHERE a.supplier_id = s.id) AS n,
                 (SELECT group_concat(t.k, char(31)) FROM
                     (SELECT a.assessment_date || char(30) || a.created_at || char(30) || a.score AS k
                      FROM assessments a WHERE a.supplier_id = s.id AND a.score IS NOT NULL
                      ORDER BY a.assessment_date DESC, a.created_at DESC, a.id DESC LIMIT 8) t) AS trend
          FROM suppliers s WHERE s.id = NEW.supplier_id) x
    LEFT JOIN assessments a ON a.id = x.ref;
END;

CREATE TRIGGER supplier_summary_on_update
AFTER UPDATE OF supplier_id, status, score, verdict, assessment_date, created_at ON assessments
BEGIN
    INSERT OR REPLACE INTO supplier_summaries (supplier_id, reference_id, assessments, trend,
        reference_plugin, reference_status, reference_date, reference_score, reference_verdict)
    SELECT x.sid, x.ref, x.n, x.trend, a.plugin_id, a.status, a.assessment_date, a.score, a.verdict
    FROM (SELECT s.id AS sid,
                 coalesce(
                     (SELECT a.id FROM assessments a
                      WHERE a.supplier_id = s.id AND a.status = 'final'
                      ORDER BY a.assessment_date DESC, a.created_at DESC, a.id DESC LIMIT 1),
                     (SELECT a.id FROM assessments a WHERE a.supplier_id = s.id
                      ORDER BY a.assessment_date DESC, a.created_at DESC, a.id DESC LIMIT 1)) AS ref,
                 (SELECT count(*) FROM assessments a WHERE a.supplier_id = s.id) AS n,
                 (SELECT group_concat(t.k, char(31)) FROM
                     (SELECT a.assessment_date || char(30) || a.created_at || char(30) || a.score AS k
                      FROM assessments a WHERE a.supplier_id = s.id AND a.score IS NOT NULL
                      ORDER BY a.assessment_date DESC, a.created_at DESC, a.id DESC LIMIT 8) t) AS trend
          FROM suppliers s WHERE s.id IN (NEW.supplier_id, OLD.supplier_id)) x
    LEFT JOIN assessments a ON a.id = x.ref;
END;

-- What the triggers would have written for the assessments made before them.
INSERT OR REPLACE INTO supplier_summaries (supplier_id, reference_id, assessments, trend,
    reference_plugin, reference_status, reference_date, reference_score, reference_verdict)
SELECT x.sid, x.ref, x.n, x.trend, a.plugin_id, a.status, a.assessment_date, a.score, a.verdict
FROM (SELECT s.id AS sid,
             coalesce(
                 (SELECT a.id FROM assessments a
                  WHERE a.supplier_id = s.id AND a.status = 'final'
                  ORDER BY a.assessment_date DESC, a.created_at DESC, a.id DESC LIMIT 1),
                 (SELECT a.id FROM assessments a WHERE a.supplier_id = s.id
                  ORDER BY a.assessment_date DESC, a.created_at DESC, a.id DESC LIMIT 1)) AS ref,
             (SELECT count(*) FROM assessments a WHERE a.supplier_id = s.id) AS n,
             (SELECT group_concat(t.k, char(31)) FROM
                 (SELECT a.assessment_date || char(30) || a.created_at || char(30) || a.score AS k
                  FROM assessments a WHERE a.supplier_id = s.id AND a.score IS NOT NULL
                  ORDER BY a.assessment_date DESC, a.created_at DESC, a.id DESC LIMIT 8) t) AS trend
      FROM suppliers s WHERE s.id IN (SELECT supplier_id FROM assessments)) x
LEFT JOIN assessments a ON a.id = x.ref;

CREATE INDEX action_items_open_by_deadline ON action_items(deadline, assessment_id)
    WHERE status <> 'done' AND deadline IS NOT NULL;
CREATE INDEX action_items_by_finding ON action_items(assessment_id, finding_id, status);
CREATE INDEX evidence_by_expiry ON evidence(assessment_id, expiry_date)
    WHERE expiry_date IS NOT NULL;
"#,
    // 4: supplier declarations (self-assessment workbooks). Beside `answers`, never in it: an
    // answer is the auditor's; a declaration is what the supplier said, kept even where the
    // auditor answered otherwise. Scoring uses a declaration where the auditor has no answer.
    r#"
CREATE TABLE declarations (
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    question_id   TEXT NOT NULL,
    value         TEXT NOT NULL CHECK (json_valid(value)),
    note          TEXT,
    respondent    TEXT NOT NULL,
    file_sha256   TEXT NOT NULL CHECK (length(file_sha256) = 64),
    imported_by   TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    confirmed_by  TEXT,
    confirmed_at  TEXT,
    PRIMARY KEY (assessment_id, question_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER declarations_frozen_insert BEFORE INSERT ON declarations
WHEN (SELECT status FROM assessments WHERE id = NEW.assessment_id) = 'final'
BEGIN
    SELECT RAISE(ABORT, 'the assessment is final: its declarations are frozen');
END;
CREATE TRIGGER declarations_frozen_update BEFORE UPDATE ON declarations
WHEN (SELECT status FROM assessments WHERE id = OLD.assessment_id) = 'final'
BEGIN
    SELECT RAISE(ABORT, 'the assessment is final: its declarations are frozen');
END;
CREATE TRIGGER declarations_frozen_delete BEFORE DELETE ON declarations
WHEN (SELECT status FROM assessments WHERE id = OLD.assessment_id) = 'final'
BEGIN
    SELECT RAISE(ABORT, 'the assessment is final: its declarations are frozen');
END;
"#,
];

/// The schema version this build writes: the number of migrations.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Names of the triggers that make the audit trail append-only; `verify` reports when one is
/// missing.
pub(crate) const SQLITE_AUDIT_GUARDS: [&str; 2] = ["audit_log_no_update", "audit_log_no_delete"];

/// Applies the migrations after `from` (the current `user_version`) up to `to`, inside the
/// caller's transaction, and records the new version and the application id.
pub(crate) fn apply(conn: &Connection, from: u32, to: u32) -> rusqlite::Result<()> {
    for sql in MIGRATIONS.iter().take(to as usize).skip(from as usize) {
        conn.execute_batch(sql)?;
    }
    // Pragmas take no parameters; both values are integers we control.
    conn.execute_batch(&format!(
        "PRAGMA application_id = {}; PRAGMA user_version = {to};",
        APPLICATION_ID as i32
    ))?;
    Ok(())
}

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    Ok(v as u32)
}

/// Checks through SQLite (which also sees a write-ahead log the header does not) that the
/// file is ours and not newer, before anything is written.
pub(crate) fn check_identity(conn: &Connection, path: &Path, state: &FileState) -> Result<()> {
    let probe = || -> rusqlite::Result<(u32, u32, i64)> {
        let app: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version = user_version(conn)?;
        let objects: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((app as u32, version, objects))
    };
    let (app, version, objects) = retry_busy(path, probe).map_err(|e| match e {
        StoreError::Database(e) if is_corrupt(&e) => match state {
            FileState::Vigie { .. } => StoreError::Corrupt {
                path: path.to_path_buf(),
                detail: e.to_string(),
            },
            _ => StoreError::NotVigie {
                path: path.to_path_buf(),
            },
        },
        e => e,
    })?;
    let blank = app == 0 && version == 0 && objects == 0;
    if app != APPLICATION_ID && !blank {
        return Err(StoreError::NotVigie {
            path: path.to_path_buf(),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Sets the journal and the pragmas every connection needs.
pub(crate) fn configure(conn: &Connection, path: &Path, journal: Journal) -> Result<()> {
    let classify = |e: StoreError| match e {
        StoreError::Database(e) if is_corrupt(&e) => StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        StoreError::Database(e) if is_busy(&e) => StoreError::Busy {
            path: path.to_path_buf(),
            waited: MAX_BUSY_WAIT,
        },
        e => e,
    };
    let wanted = journal.pragma();
    let current: String = retry_busy(path, || {
        conn.query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))
    })
    .map_err(classify)?;
    let switch = || {
        conn.query_row(&format!("PRAGMA journal_mode = {wanted}"), [], |r| {
            r.get::<_, String>(0)
        })
    };
    let mode = if current.eq_ignore_ascii_case(wanted) {
        current
    } else if journal == Journal::Rollback {
        // Leaving the write-ahead log needs the file to ourselves: one try, and a clear
        // answer if colleagues have it open, rather than minutes of waiting.
        switch().map_err(|e| match StoreError::from(e) {
            StoreError::Database(e) if is_busy(&e) => StoreError::JournalInUse {
                path: path.to_path_buf(),
                current: current.clone(),
                wanted: journal,
            },
            e => classify(e),
        })?
    } else {
        retry_busy(path, switch).map_err(classify)?
    };
    if !mode.eq_ignore_ascii_case(wanted) {
        return Err(StoreError::JournalInUse {
            path: path.to_path_buf(),
            current: mode,
            wanted: journal,
        });
    }
    retry_busy(path, || {
        // FULL: an acknowledged answer survives a power cut, not only a crash.
        conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA trusted_schema = OFF;",
        )
    })
    .map_err(classify)
}

/// `PRAGMA integrity_check`'s lines and the number of foreign-key violations.
pub(crate) fn integrity(conn: &Connection) -> Result<(Vec<String>, u64)> {
    let integrity = {
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        stmt.query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    let foreign_key_violations = {
        let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
        let mut rows = stmt.query([])?;
        let mut n = 0u64;
        while rows.next()?.is_some() {
            n += 1;
        }
        n
    };
    Ok((integrity, foreign_key_violations))
}

/// Copies the database at `source` (open as `conn`) to `dest` with SQLite's online backup
/// API, while other auditors keep working. Refuses to overwrite an existing non-empty file.
pub(crate) fn backup(conn: &Connection, source: &Path, dest: &Path) -> Result<()> {
    use rusqlite::backup::{Backup, StepResult};
    if is_database_or_companion(source, dest) {
        return Err(io_err(
            dest,
            "back up to",
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "it is this database or one of its files; choose a new name",
            ),
        ));
    }
    if std::fs::metadata(dest).is_ok_and(|m| m.len() > 0 || m.is_dir()) {
        return Err(io_err(
            dest,
            "back up to",
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "the file already exists; choose a new name",
            ),
        ));
    }
    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| io_err(dest, "create the folder for", e))?;
    }
    let mut dst =
        Connection::open(dest).map_err(|e| io_err(dest, "create", std::io::Error::other(e)))?;
    let started = Instant::now();
    {
        let backup = Backup::new(conn, &mut dst)?;
        loop {
            match backup.step(1024)? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked => {
                    if started.elapsed() > MAX_BUSY_WAIT {
                        return Err(StoreError::Busy {
                            path: source.to_path_buf(),
                            waited: started.elapsed(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                // StepResult is non-exhaustive: treat anything new as "try again".
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
    dst.close()
        .map_err(|(_, e)| io_err(dest, "finish writing", std::io::Error::other(e)))?;
    Ok(())
}
