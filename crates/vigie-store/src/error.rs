use std::path::PathBuf;
use std::time::Duration;

use vigie_model::AnswerValue;

use crate::types::StoredAnswer;

/// Everything that can go wrong with the store. Each variant carries what a user needs to
/// understand the problem (the path, the id, both values of a conflict).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file or folder could not be created, opened or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        path: PathBuf,
        /// What was being done, e.g. "create the folder for".
        action: &'static str,
        source: std::io::Error,
    },

    /// The file exists and is not a Vigie database (not SQLite at all, or SQLite written by
    /// another program). The file was not modified.
    #[error(
        "{} is not a Vigie database (it is not empty and was not created by Vigie); it was left untouched",
        path.display()
    )]
    NotVigie { path: PathBuf },

    /// The database was written by a newer Vigie whose schema this build does not know.
    /// The file was not modified.
    #[error(
        "{} uses database schema version {found}, newer than the {supported} this Vigie knows; \
         update Vigie to open it (the file was left untouched)",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },

    /// The file looks like a Vigie database but is damaged (truncated, corrupted pages).
    #[error("{} is damaged: {detail}; restore it from a backup", path.display())]
    Corrupt { path: PathBuf, detail: String },

    /// Another program kept the database locked for longer than the store is willing to wait.
    #[error(
        "{} stayed locked by another writer for {}s; try again",
        path.display(),
        waited.as_secs()
    )]
    Busy { path: PathBuf, waited: Duration },

    /// No row matches the given id, id prefix or name.
    #[error("no {kind} matches `{key}`")]
    NotFound { kind: &'static str, key: String },

    /// An id prefix matches more than one row.
    #[error("`{key}` matches several {kind}s ({}); type more of the id", candidates.join(", "))]
    Ambiguous {
        kind: &'static str,
        key: String,
        /// Some of the matching ids (at most a handful).
        candidates: Vec<String>,
    },

    /// An id prefix shorter than [`crate::MIN_ID_PREFIX`] that is not a whole id.
    #[error("no {kind} has the id `{key}` (an id prefix needs at least {min} characters)")]
    PrefixTooShort {
        kind: &'static str,
        key: String,
        min: usize,
    },

    /// A supplier with the same name (ignoring case, accents and spacing) already exists.
    #[error("a supplier named `{name}` already exists (id {existing_id})")]
    DuplicateSupplier { name: String, existing_id: String },

    /// The answer changed since the auditor saw it: nothing was written.
    /// `ours` is what the auditor tried to write, `current` what is in the database now.
    #[error("{}", conflict_message(question, *base_revision, ours, current))]
    Conflict {
        question: String,
        /// The revision the auditor saw (`None`: no answer).
        base_revision: Option<i64>,
        /// The value the auditor tried to write.
        ours: Option<AnswerValue>,
        /// The answer as it is now; revision 0 means there is no answer row.
        current: Box<StoredAnswer>,
    },

    /// A piece of evidence or an action item changed (or was deleted) since the auditor read
    /// it: nothing was written, so neither their change nor the other one is lost.
    #[error(
        "this {kind} ({id}) was {} by someone else since you opened it; nothing was written: \
         look at it as it is now, then save again if yours should replace it",
        if *deleted { "deleted" } else { "changed" }
    )]
    StaleRecord {
        kind: &'static str,
        id: String,
        deleted: bool,
    },

    /// The assessment is final: its answers, evidence and evaluation can no longer change.
    #[error("assessment {assessment} is final: it can no longer be changed")]
    Frozen { assessment: String },

    /// A plugin larger than [`crate::MAX_PLUGIN_BYTES`]: refused before anything is stored.
    #[error(
        "the plugin is {size} bytes, over the {max} bytes ({} MiB) a database accepts",
        max >> 20
    )]
    PluginTooLarge { size: u64, max: u64 },

    /// The database already holds [`crate::MAX_STORED_PLUGINS`] plugins.
    #[error("the database already holds {max} plugins, the most it accepts; nothing was stored")]
    TooManyPlugins { max: usize },

    /// Other bytes are already stored under the same plugin id and version: a plugin's
    /// identity is (id, version, sha256), and one id and version name one set of bytes.
    #[error(
        "plugin {plugin_id} {version} is already stored with other bytes (sha256 {existing}); \
         these bytes (sha256 {new}) claim the same id and version: refused (a changed plugin \
         needs a new version)"
    )]
    PluginIdentityClash {
        plugin_id: String,
        version: String,
        existing: String,
        new: String,
    },

    /// A value given by the caller is not acceptable (empty name, inconsistent evidence...).
    #[error("{0}")]
    Invalid(String),

    /// A JSON column could not be read back or a value could not be serialised.
    #[error("bad JSON in {what}: {source}")]
    Json {
        what: String,
        source: serde_json::Error,
    },

    /// The auditor stopped waiting for another writer; nothing was written.
    #[error(
        "stopped waiting for another auditor's write on {}; nothing was written",
        path.display()
    )]
    Cancelled { path: PathBuf },

    /// The folder is on a network filesystem, where SQLite's write-ahead log corrupts a
    /// database shared between hosts. Nothing was created or changed.
    #[error(
        "{} is on a network filesystem ({filesystem}), where SQLite's write-ahead log is unsafe: \
         it needs every process on one host, sharing memory. Run vigie on the server that holds \
         the file (over SSH), carry assessments with `vigie export` / `vigie import`, or, if the \
         share's file locks work, use `--journal rollback` (VIGIE_JOURNAL=rollback); the file was \
         left untouched",
        path.display()
    )]
    NetworkFilesystem {
        path: PathBuf,
        filesystem: &'static str,
    },

    /// The file's journal cannot be switched while others have it open.
    #[error(
        "{} uses the `{current}` journal and cannot switch to `{}` while other auditors have it \
         open; every process on a file must use the same --journal",
        path.display(),
        wanted.id()
    )]
    JournalInUse {
        path: PathBuf,
        current: String,
        wanted: crate::Journal,
    },

    /// A row holds a value its column cannot hold (a malformed timestamp, date or status):
    /// written by another program, or damaged. Nothing was changed.
    #[error(
        "the database holds a bad value in {table}.{column}: {value:?} ({reason}); \
         the row was written by another program or damaged"
    )]
    BadColumn {
        table: &'static str,
        column: &'static str,
        /// The value (at most 80 characters of it).
        value: String,
        reason: String,
    },

    /// On PostgreSQL the author of every change is the role the server authenticated; the
    /// name given is another.
    #[error(
        "on PostgreSQL every change is recorded as the role the server authenticated, \
         `{role}`; `{claimed}` was given as the auditor: leave --auditor out (or give `{role}`)"
    )]
    NotTheRole { role: String, claimed: String },

    /// The PostgreSQL server could not be reached, refused the credentials, or the URL
    /// or environment does not say how to reach it. Never holds the password.
    #[error("{0}")]
    Connect(#[from] crate::backend::pg_connect::ConnectError),

    /// The connection to the PostgreSQL server was lost: what was not acknowledged was not
    /// written.
    #[error(
        "lost the connection to {target}: {detail}; what was not confirmed saved was not written"
    )]
    ConnectionLost { target: String, detail: String },

    /// Any other database error (SQLite's or PostgreSQL's).
    #[error("database error: {0}")]
    Database(crate::db::DbError),
}

impl From<crate::db::DbError> for StoreError {
    fn from(e: crate::db::DbError) -> Self {
        match e {
            crate::db::DbError::BadColumn(bad) => StoreError::BadColumn {
                table: bad.table,
                column: bad.column,
                value: bad.value,
                reason: bad.reason,
            },
            other => StoreError::Database(other),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::from(crate::db::DbError::Sqlite(e))
    }
}

/// An answer as the command line takes it, quoted: `"no"`, `"1200"`, `"a, b"`.
fn display_value(value: &Option<AnswerValue>) -> String {
    match value {
        None => "no answer".to_string(),
        Some(AnswerValue::Declined) => "\"declined\"".to_string(),
        Some(AnswerValue::YesNo(v)) => format!("\"{}\"", v.id()),
        Some(AnswerValue::Choice(id)) => format!("\"{id}\""),
        Some(AnswerValue::Choices(ids)) => format!("\"{}\"", ids.join(", ")),
        Some(AnswerValue::Integer(n)) => format!("\"{n}\""),
        Some(AnswerValue::Decimal(n)) => format!("\"{n}\""),
        Some(AnswerValue::Text(t)) => format!("\"{t}\""),
        Some(AnswerValue::Date(d)) => format!("\"{d}\""),
    }
}

fn conflict_message(
    question: &str,
    base_revision: Option<i64>,
    ours: &Option<AnswerValue>,
    current: &StoredAnswer,
) -> String {
    let seen = match base_revision {
        None | Some(0) => "no answer".to_string(),
        Some(r) => format!("revision {r}"),
    };
    let now = if current.revision == 0 {
        "there is no answer".to_string()
    } else {
        format!(
            "it is revision {} by {} at {}",
            current.revision, current.updated_by, current.updated_at
        )
    };
    if *ours == current.value {
        return format!(
            "the answer to {question} changed since you saw it (you saw {seen}, now {now}), \
             to the value you give ({}): nothing to change",
            display_value(ours)
        );
    }
    format!(
        "the answer to {question} changed since you saw it (you saw {seen}, now {now}): \
         yours is {}, theirs is {}; nothing was overwritten",
        display_value(ours),
        display_value(&current.value)
    )
}

/// Shorthand for results of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub(crate) fn io_err(
    path: &std::path::Path,
    action: &'static str,
    source: std::io::Error,
) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// SQLite's "busy" or "locked", PostgreSQL's lock timeout: another writer holds the lock.
pub(crate) fn is_busy(e: &crate::db::DbError) -> bool {
    match e {
        crate::db::DbError::Sqlite(e) => matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        ),
        crate::db::DbError::Postgres(e) => {
            e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE)
        }
        _ => false,
    }
}

pub(crate) fn is_corrupt(e: &crate::db::DbError) -> bool {
    match e {
        crate::db::DbError::Sqlite(e) => matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
        ),
        _ => false,
    }
}

/// A PostgreSQL session that is no longer connected.
pub(crate) fn is_connection_lost(e: &crate::db::DbError) -> bool {
    matches!(e, crate::db::DbError::Postgres(e)
        if e.is_closed() || crate::backend::postgres::connection_ended(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_model::YesNo;

    fn current(value: Option<AnswerValue>) -> Box<StoredAnswer> {
        Box::new(StoredAnswer {
            assessment_id: "a".into(),
            question: "iso-certified".into(),
            value,
            note: None,
            revision: 2,
            to_confirm: false,
            updated_by: "alice".into(),
            updated_at: "2026-12-05T08:00:00.000000Z"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        })
    }

    /// Issue 14: the CLI showed both values as raw JSON, even when equal.
    #[test]
    fn a_conflict_names_values_as_typed_and_says_when_they_agree() {
        let yes = Some(AnswerValue::YesNo(YesNo::Yes));
        let differ = StoreError::Conflict {
            question: "iso-certified".into(),
            base_revision: Some(1),
            ours: Some(AnswerValue::YesNo(YesNo::No)),
            current: current(yes.clone()),
        }
        .to_string();
        assert!(
            differ.contains("yours is \"no\", theirs is \"yes\""),
            "{differ}"
        );
        assert!(!differ.contains('{'), "no JSON: {differ}");
        let same = StoreError::Conflict {
            question: "iso-certified".into(),
            base_revision: Some(1),
            ours: yes.clone(),
            current: current(yes),
        }
        .to_string();
        assert!(same.contains("nothing to change"), "{same}");
    }
}
