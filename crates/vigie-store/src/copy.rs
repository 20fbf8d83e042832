//! `vigie db copy`: a whole store copied into a new file or an empty PostgreSQL database,
//! from either backend to either, with its audit trail verbatim (same seqs, authors and
//! hashes), so that the copy's chain continues the original's.
//!
//! The source is read in one snapshot and its chain checked there first: a broken chain is
//! refused before the target is touched. The target's schema is created and every row
//! written in one write transaction, so a failed copy leaves the target as empty as it was.
//! Rows move as neutral values, through column lists fixed here (never taken from the
//! source's catalog: a hostile source cannot bring columns of its own). The tables the
//! target's triggers derive from the assessments (evaluation cache, supplier summaries) are
//! not copied: the triggers rebuild them as the assessments arrive.

use std::path::{Path, PathBuf};

use crate::audit;
use crate::backend::pg_connect::PgTarget;
use crate::db::{Db, Value, params, params_of};
use crate::error::{Result, StoreError};
use crate::header::{self, FileState};
use crate::open_files::Registry;
use crate::{
    Backend, SCHEMA_VERSION, Store, VerifyReport, apply_migrations, default_journal,
    is_database_or_companion, postgres_url, to_json,
};

/// One base table: its columns in the order they are read and written, and its primary
/// key (the order the rows are read in, a page at a time).
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    key: &'static [&'static str],
    /// Rows read per page: few for the tables of large rows (plugins, evaluations).
    page: usize,
    /// The new database holds default rows: they are replaced by the source's.
    has_defaults: bool,
}

const fn table(
    name: &'static str,
    columns: &'static [&'static str],
    key: &'static [&'static str],
    page: usize,
) -> Table {
    Table {
        name,
        columns,
        key,
        page,
        has_defaults: false,
    }
}

const SUPPLIERS: Table = table(
    "suppliers",
    &[
        "id",
        "name",
        "name_key",
        "country",
        "sector",
        "services",
        "contacts",
        "criticality",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ],
    &["id"],
    500,
);

const PLUGIN_BLOBS: Table = table(
    "plugin_blobs",
    &[
        "sha256",
        "size",
        "plugin_id",
        "version",
        "origin",
        "added_by",
        "added_at",
        "bytes",
    ],
    &["sha256"],
    // Up to MAX_PLUGIN_BYTES each.
    2,
);

const ASSESSMENTS: Table = table(
    "assessments",
    &[
        "id",
        "supplier_id",
        "plugin_sha256",
        "plugin_id",
        "plugin_version",
        "status",
        "auditor",
        "assessment_date",
        "language",
        "level",
        "created_at",
        "previous_assessment",
        "score",
        "verdict",
        "evaluated_at",
        "finalized_by",
        "finalized_at",
        "last_evaluation",
        "final_evaluation",
    ],
    &["id"],
    // Two evaluations per row.
    100,
);

const ANSWERS: Table = table(
    "answers",
    &[
        "assessment_id",
        "question_id",
        "value",
        "note",
        "revision",
        "to_confirm",
        "updated_by",
        "updated_at",
    ],
    &["assessment_id", "question_id"],
    500,
);

const EVIDENCE: Table = table(
    "evidence",
    &[
        "id",
        "assessment_id",
        "question_id",
        "kind",
        "text",
        "file_sha256",
        "file_size",
        "file_path",
        "effective_date",
        "expiry_date",
        "added_by",
        "added_at",
    ],
    &["id"],
    500,
);

const ACTION_ITEMS: Table = table(
    "action_items",
    &[
        "id",
        "assessment_id",
        "finding_id",
        "title",
        "owner",
        "deadline",
        "status",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ],
    &["id"],
    500,
);

const DECLARATIONS: Table = table(
    "declarations",
    &[
        "assessment_id",
        "question_id",
        "value",
        "note",
        "respondent",
        "file_sha256",
        "imported_by",
        "imported_at",
        "confirmed_by",
        "confirmed_at",
    ],
    &["assessment_id", "question_id"],
    500,
);

const AUDIT_LOG: Table = table(
    "audit_log",
    &[
        "seq",
        "at",
        "who",
        "action",
        "entity",
        "entity_id",
        "assessment_id",
        "old",
        "new",
        "prev_hash",
        "hash",
    ],
    &["seq"],
    500,
);

const PLUGIN_TRUSTED_KEYS: Table = table(
    "plugin_trusted_keys",
    &["key_id", "public_key", "comment", "added_by", "added_at"],
    &["key_id"],
    500,
);

const PLUGIN_SIGNATURES: Table = table(
    "plugin_signatures",
    &["sha256", "key_id", "signature", "added_by", "added_at"],
    &["sha256"],
    500,
);

const PLUGIN_SHADOW_ALLOWED: Table = table(
    "plugin_shadow_allowed",
    &["sha256", "plugin_id", "version", "allowed_by", "allowed_at"],
    &["sha256"],
    500,
);

const SETTINGS: Table = table(
    "settings",
    &["key", "value", "updated_by", "updated_at"],
    &["key"],
    500,
);

const PLUGIN_CHECKS: Table = table(
    "plugin_checks",
    &[
        "sha256",
        "host",
        "usable",
        "plugin_id",
        "version",
        "name",
        "reason",
        "checked_at",
    ],
    &["sha256", "host"],
    500,
);

const REVIEW_CYCLES: Table = Table {
    has_defaults: true,
    ..table(
        "review_cycles",
        &["criticality", "months", "updated_by", "updated_at"],
        &["criticality"],
        500,
    )
};

/// The base tables in the order they are copied: every row after the rows it points to.
/// (Assessments pointing to a previous one get that link, and final ones their status, once
/// every assessment and its children are in: see [`copy_assessments`].)
const TABLES: [&Table; 14] = [
    &SUPPLIERS,
    &PLUGIN_BLOBS,
    &ASSESSMENTS,
    &ANSWERS,
    &EVIDENCE,
    &ACTION_ITEMS,
    &DECLARATIONS,
    &AUDIT_LOG,
    &PLUGIN_TRUSTED_KEYS,
    &PLUGIN_SIGNATURES,
    &PLUGIN_SHADOW_ALLOWED,
    &SETTINGS,
    &PLUGIN_CHECKS,
    &REVIEW_CYCLES,
];

/// Not copied: kept by the target's triggers from the assessments as they are written.
#[cfg(test)]
const DERIVED_TABLES: [&str; 3] = [
    "evaluation_verdicts",
    "evaluation_findings",
    "supplier_summaries",
];

/// The backends' own bookkeeping, never copied: SQLite's `sqlite_sequence` (set by the
/// audit rows' seqs), PostgreSQL's `vigie_meta` (the schema version and the audit trail's
/// high-water mark, set by the audit rows' trigger).
#[cfg(test)]
const BOOKKEEPING_TABLES: [&str; 2] = ["sqlite_sequence", "vigie_meta"];

/// The tables copied, in order.
fn copied_tables() -> impl Iterator<Item = &'static Table> {
    TABLES.into_iter()
}

/// How many rows of one table were copied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopiedTable {
    pub table: &'static str,
    pub rows: u64,
}

/// What [`copy_store`] did, and what both databases said when verified after the copy.
#[derive(Clone, Debug)]
pub struct CopyReport {
    /// The source as shown (a path, or a URL without its password).
    pub source: String,
    pub source_backend: Backend,
    /// The target as shown.
    pub target: String,
    pub target_backend: Backend,
    /// Rows copied per table, in the order copied.
    pub tables: Vec<CopiedTable>,
    /// The source's audit rows, copied verbatim as the target's first rows.
    pub audit_rows: u64,
    /// The hash of the source's last audit row (hex), `None` for an empty trail.
    pub source_head: Option<String>,
    /// The seq of the audit row that records the copy in the target.
    pub copy_seq: i64,
    /// The hash of the target's last audit row (the copy's), hex.
    pub target_head: String,
    /// `verify()` of the source, after the copy.
    pub source_verify: VerifyReport,
    /// `verify()` of the target, after the copy.
    pub target_verify: VerifyReport,
    /// The target's first [`CopyReport::audit_rows`] audit rows have the source's hashes.
    pub hashes_match: bool,
}

impl CopyReport {
    /// Both databases sound, both chains intact, and the copy's history the source's.
    pub fn is_ok(&self) -> bool {
        self.source_verify.is_ok() && self.target_verify.is_ok() && self.hashes_match
    }

    /// Rows copied in all tables.
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// Copies the whole store `from` into `to_location`: a file that does not exist yet (or is
/// empty), or a `postgres://` URL of a database without tables. Anything else is refused,
/// before the target is changed ([`StoreError::CopyTargetNotEmpty`]); so is a source whose
/// audit chain is broken ([`StoreError::CopySourceBroken`]).
///
/// The copy's history starts with the source's audit rows, verbatim (seq, author, hashes),
/// followed by one row by the copier (action `copy`, entity `database`) naming the source,
/// the rows copied and the source's last hash. The copier is, on PostgreSQL, the role the
/// server authenticates (`copier`, when given, must be that role); in a file, `copier`, or
/// else the source store's auditor.
///
/// Once committed, both databases are verified; the report says whether both are intact
/// and the target's first rows carry the source's hashes.
pub fn copy_store(from: &Store, to_location: &str, copier: Option<&str>) -> Result<CopyReport> {
    let source = from.path.display().to_string();
    // One snapshot of the source for everything read: the chain checked is the chain copied.
    let snapshot = from.db.begin_read().map_err(|e| from.classify(e.into()))?;
    let (audit_rows, broken) = audit::check_chain(&snapshot).map_err(|e| from.classify(e))?;
    if let Some(problem) = broken {
        return Err(StoreError::CopySourceBroken {
            database: source,
            problem,
        });
    }

    let target = Target::open(from, to_location, copier)?;
    let written = target.store.write(|tx| {
        refuse_unless_empty(&target.store, tx.conn)?;
        apply_migrations(tx.conn, 0)?;
        let postgres = tx.conn.backend() == Backend::Postgres;
        if postgres {
            // Lets the author trigger accept the copied rows' authors; the server allows
            // it only while the trail is empty, and it is gone before the commit.
            tx.conn.execute(
                "INSERT INTO vigie_meta (key, value) VALUES ('copying', ?1)",
                params![source],
            )?;
        }
        let copied = copy_rows(from, &snapshot, tx.conn)?;
        if postgres {
            tx.conn
                .execute("DELETE FROM vigie_meta WHERE key = 'copying'", params![])?;
        }
        let record = copy_record(from, &copied)?;
        let seq = tx.audit("copy", "database", &source, None, None, Some(&record))?;
        Ok((copied, seq))
    });
    // The source's snapshot is no longer needed; ending it lets its writers checkpoint.
    drop(snapshot);
    let (copied, copy_seq) = match written {
        Ok(done) => done,
        Err(e) => {
            target.discard(&e);
            return Err(e);
        }
    };
    target.store.checkpoint()?;

    let source_verify = from.verify()?;
    let target_verify = target.store.verify()?;
    let target_hashes = target.store.read(|conn| {
        conn.query_map("SELECT hash FROM audit_log ORDER BY seq", params![], |r| {
            r.get::<_, Vec<u8>>(0)
        })?
        .collect::<crate::db::Result<Vec<_>>>()
        .map_err(StoreError::from)
    })?;
    let hashes_match = target_hashes.len() == copied.hashes.len() + 1
        && target_hashes
            .iter()
            .zip(&copied.hashes)
            .all(|(t, s)| t == s);
    Ok(CopyReport {
        source,
        source_backend: from.backend(),
        target: target.store.path.display().to_string(),
        target_backend: target.store.backend(),
        tables: copied.tables,
        audit_rows,
        source_head: copied.hashes.last().map(hex::encode),
        copy_seq,
        target_head: target_hashes.last().map(hex::encode).unwrap_or_default(),
        source_verify,
        target_verify,
        hashes_match,
    })
}

/// The target, opened without its schema, and whether this copy created its file.
struct Target {
    store: Store,
    /// The SQLite file did not exist: a failed copy removes it again.
    created: Option<PathBuf>,
}

impl Target {
    fn open(from: &Store, location: &str, copier: Option<&str>) -> Result<Target> {
        // Someone else's tables, or a file of another program: not empty either.
        let foreign = |e: StoreError| match e {
            StoreError::NotVigie { path } => StoreError::CopyTargetNotEmpty {
                target: path.display().to_string(),
                found: "it holds another program's data".to_string(),
            },
            e => e,
        };
        if let Some(url) = postgres_url(Path::new(location)) {
            let store = Store::connect_postgres(&PgTarget::parse(url)?, copier).map_err(foreign)?;
            return Ok(Target {
                store,
                created: None,
            });
        }
        let path = Path::new(location);
        let not_empty = |found: &str| StoreError::CopyTargetNotEmpty {
            target: path.display().to_string(),
            found: found.to_string(),
        };
        if from.backend() == Backend::Sqlite && is_database_or_companion(&from.path, path) {
            return Err(not_empty("it is the database being copied"));
        }
        if Registry::lock().is_open(path) {
            // Open in this process, so a database: reading its header with a plain
            // descriptor would release that connection's locks (see `open_files`).
            return Err(not_empty("a database open in this process"));
        }
        let created = match header::inspect(path).map_err(foreign)? {
            FileState::Missing => Some(path.to_path_buf()),
            FileState::Blank | FileState::Undecided => None,
            FileState::Vigie { .. } => return Err(not_empty("a Vigie database")),
        };
        let copier = copier.unwrap_or(&from.auditor);
        let store = Store::connect_sqlite(path, copier, default_journal());
        match store {
            Ok(store) => Ok(Target { store, created }),
            Err(e) => {
                if let Some(path) = &created {
                    remove_database_files(path);
                }
                Err(foreign(e))
            }
        }
    }

    /// After a failed copy: the file this copy created goes (the transaction was rolled
    /// back, so it holds no table), unless someone else filled it meanwhile.
    fn discard(self, error: &StoreError) {
        let Target { store, created } = self;
        drop(store);
        if let Some(path) = created
            && !matches!(error, StoreError::CopyTargetNotEmpty { .. })
        {
            remove_database_files(&path);
        }
    }
}

/// Removes a database file this copy created, and its companions. Best effort: what cannot
/// be removed is an empty database, which a new copy accepts.
fn remove_database_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(Path::new(&name));
    }
}

/// Inside the target's write transaction: refuses a database holding any table.
fn refuse_unless_empty(target: &Store, conn: &Db) -> Result<()> {
    let (objects, what) = match conn {
        Db::Sqlite(_) => (
            conn.query_row("SELECT count(*) FROM sqlite_schema", params![], |r| {
                r.get::<_, i64>(0)
            })?,
            "schema objects",
        ),
        Db::Postgres(_) => (
            conn.query_map(conn.dialect().user_tables, params![], |_| Ok(()))?
                .count() as i64,
            "tables",
        ),
    };
    if objects > 0 {
        return Err(StoreError::CopyTargetNotEmpty {
            target: target.path.display().to_string(),
            found: format!("it holds {objects} {what}"),
        });
    }
    Ok(())
}

/// What the copy wrote: rows per table, and the source's audit hashes in seq order.
struct Copied {
    tables: Vec<CopiedTable>,
    hashes: Vec<Vec<u8>>,
}

/// Copies every base table from the source's snapshot into the target, in [`TABLES`] order.
fn copy_rows(from: &Store, source: &Db, target: &Db) -> Result<Copied> {
    let mut tables = Vec::new();
    let mut hashes = Vec::new();
    let mut pending_assessments = Vec::new();
    for spec in copied_tables() {
        if spec.has_defaults {
            target.execute(&format!("DELETE FROM {}", spec.name), params![])?;
        }
        let hash_column = column(spec, "hash");
        let rows = for_each_page(from, source, spec, |mut page| {
            for row in &mut page {
                if spec.name == ASSESSMENTS.name {
                    pending_assessments.extend(as_new_draft(row)?);
                }
                if spec.name == AUDIT_LOG.name
                    && let Some(Value::Blob(hash)) = hash_column.and_then(|i| row.get(i))
                {
                    hashes.push(hash.clone());
                }
            }
            // One statement per page: a round trip per row would dominate on a network.
            let values: Vec<Value> = page.into_iter().flatten().collect();
            let rows = values.len() / spec.columns.len().max(1);
            target.execute(&insert_sql(spec, rows), &params_of(&values))?;
            Ok(())
        })?;
        if spec.name == DECLARATIONS.name {
            // Every child of every assessment is in: now the links and the final states.
            finish_assessments(target, &pending_assessments)?;
        }
        tables.push(CopiedTable {
            table: spec.name,
            rows,
        });
    }
    Ok(Copied { tables, hashes })
}

/// What an assessment becomes once its children are copied.
struct PendingAssessment {
    id: Value,
    previous: Value,
    status: Value,
    finalized_by: Value,
    finalized_at: Value,
}

/// Turns an assessment row into a draft without a previous assessment (the triggers refuse
/// children of a final assessment, and the previous one may come later in id order);
/// returns what to restore afterwards, if anything.
fn as_new_draft(row: &mut [Value]) -> Result<Option<PendingAssessment>> {
    let at = |name: &str| {
        column(&ASSESSMENTS, name).ok_or_else(|| {
            StoreError::Invalid(format!("internal error: no assessments.{name} column"))
        })
    };
    let (id, previous, status) = (at("id")?, at("previous_assessment")?, at("status")?);
    let (by, when) = (at("finalized_by")?, at("finalized_at")?);
    let draft = Value::Text("draft".into());
    if row[previous] == Value::Null && row[status] == draft {
        return Ok(None);
    }
    let pending = PendingAssessment {
        id: row[id].clone(),
        previous: std::mem::replace(&mut row[previous], Value::Null),
        status: std::mem::replace(&mut row[status], draft),
        finalized_by: std::mem::replace(&mut row[by], Value::Null),
        finalized_at: std::mem::replace(&mut row[when], Value::Null),
    };
    Ok(Some(pending))
}

/// Gives the copied assessments their previous assessment and their final state (an update
/// from draft, which the triggers allow).
fn finish_assessments(target: &Db, pending: &[PendingAssessment]) -> Result<()> {
    for p in pending {
        target.execute(
            "UPDATE assessments SET previous_assessment = ?2, status = ?3, finalized_by = ?4, \
             finalized_at = ?5 WHERE id = ?1",
            params![p.id, p.previous, p.status, p.finalized_by, p.finalized_at],
        )?;
    }
    Ok(())
}

/// Reads `spec`'s rows from the source a page at a time, in primary-key order, and hands
/// each page (not empty) to `f`; returns how many rows there were.
fn for_each_page(
    from: &Store,
    source: &Db,
    spec: &Table,
    mut f: impl FnMut(Vec<Vec<Value>>) -> Result<()>,
) -> Result<u64> {
    let columns = spec.columns.join(", ");
    let order = spec.key.join(", ");
    let first = format!(
        "SELECT {columns} FROM {} ORDER BY {order} LIMIT {}",
        spec.name, spec.page
    );
    let placeholders = (1..=spec.key.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let next = format!(
        "SELECT {columns} FROM {} WHERE ({order}) > ({placeholders}) ORDER BY {order} LIMIT {}",
        spec.name, spec.page
    );
    let key_columns: Vec<usize> = spec.key.iter().filter_map(|k| column(spec, k)).collect();
    let width = spec.columns.len();
    let mut count = 0u64;
    let mut after: Option<Vec<Value>> = None;
    loop {
        let page = {
            let read = |sql: &str, bound: &[Value]| -> Result<Vec<Vec<Value>>> {
                let rows = source.query_map(sql, &params_of(bound), |r| {
                    (0..width).map(|i| r.get::<_, Value>(i)).collect()
                })?;
                Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
            };
            match &after {
                None => read(&first, &[]),
                Some(key) => read(&next, key),
            }
            .map_err(|e| from.classify(e))?
        };
        let full = page.len() == spec.page;
        if let Some(last) = page.last() {
            after = Some(key_columns.iter().map(|&i| last[i].clone()).collect());
        }
        count += page.len() as u64;
        if !page.is_empty() {
            f(page).map_err(|e| refused(e, spec.name))?;
        }
        if !full {
            return Ok(count);
        }
    }
}

/// A database error while writing a row of `table` into the target: the target refused it.
fn refused(e: StoreError, table: &'static str) -> StoreError {
    match e {
        StoreError::Database(db) if !crate::error::is_connection_lost(&db) => {
            StoreError::CopyRefused {
                table,
                detail: db.to_string(),
            }
        }
        other => other,
    }
}

/// `INSERT INTO table (columns) VALUES (...), (...)` for `rows` rows.
fn insert_sql(spec: &Table, rows: usize) -> String {
    let width = spec.columns.len();
    let tuples = (0..rows)
        .map(|row| {
            let placeholders = (1..=width)
                .map(|i| format!("?{}", row * width + i))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({placeholders})")
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO {} ({}) VALUES {tuples}",
        spec.name,
        spec.columns.join(", ")
    )
}

fn column(spec: &Table, name: &str) -> Option<usize> {
    spec.columns.iter().position(|c| *c == name)
}

/// The copy's audit row: where from, how many rows of each table, and the source's last
/// hash (the copy's history is the source's up to it).
fn copy_record(from: &Store, copied: &Copied) -> Result<String> {
    let rows: serde_json::Map<String, serde_json::Value> = copied
        .tables
        .iter()
        .map(|t| (t.table.to_string(), serde_json::Value::from(t.rows)))
        .collect();
    to_json(
        "copy record",
        &serde_json::json!({
            "source": from.path.display().to_string(),
            "source_backend": from.backend().name(),
            "schema_version": SCHEMA_VERSION,
            "rows": rows,
            "source_audit_rows": copied.hashes.len(),
            "source_head": copied.hashes.last().map(hex::encode),
        }),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

    use super::*;

    /// The fixed column lists are the schema's, on both backends: a column added by a
    /// migration and not here would be silently dropped by every copy.
    #[test]
    fn the_column_lists_are_the_schema_of_both_backends() {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = Store::open(dir.path().join("schema.sqlite"), "alice").unwrap();
        check_columns(&sqlite, |name| {
            format!("SELECT name FROM pragma_table_info('{name}') ORDER BY cid")
        });
        let url = vigie_pgtest::shared()
            .create_database()
            .unwrap_or_else(|e| panic!("{e}"));
        let postgres = Store::open_postgres(&PgTarget::parse(&url).unwrap(), None).unwrap();
        check_columns(&postgres, |name| {
            format!(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = '{name}' \
                 ORDER BY ordinal_position"
            )
        });
    }

    fn check_columns(store: &Store, columns_sql: impl Fn(&str) -> String) {
        let list = |sql: &str| -> Vec<String> {
            store
                .read(|conn| {
                    Ok(conn
                        .query_map(sql, params![], |r| r.get(0))?
                        .collect::<crate::db::Result<Vec<String>>>()?)
                })
                .unwrap()
        };
        let tables = list(store.db.dialect().user_tables);
        for name in &tables {
            if DERIVED_TABLES.contains(&name.as_str())
                || BOOKKEEPING_TABLES.contains(&name.as_str())
            {
                continue;
            }
            let spec = copied_tables()
                .find(|t| t.name == name)
                .unwrap_or_else(|| panic!("table {name} is neither copied nor derived"));
            assert_eq!(list(&columns_sql(name)), spec.columns, "columns of {name}");
        }
        for spec in copied_tables() {
            assert!(
                tables.iter().any(|t| t == spec.name),
                "{} exists",
                spec.name
            );
        }
    }
}
