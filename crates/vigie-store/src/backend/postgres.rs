//! PostgreSQL: the schema in PostgreSQL's SQL (the same tables, columns, constraints and
//! triggers as SQLite's, version for version), the session the store talks through, the
//! write lock, change notifications, and the statements only PostgreSQL understands.

use std::collections::HashMap;
use std::error::Error as StdError;

use postgres::types::{IsNull, Kind, ToSql, Type, to_sql_checked};

use super::Dialect;
use crate::db::{Cell, DbError, Param};

pub(crate) use super::pg_connect::{ConnectError, PgTarget};

pub(crate) static DIALECT: Dialect = Dialect {
    audit_high_water: "SELECT CAST(value AS BIGINT) FROM vigie_meta WHERE key = 'audit_high_seq'",
    trigger_exists: "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                     WHERE NOT t.tgisinternal AND t.tgname = ?1 \
                     AND c.relnamespace = current_schema()::regnamespace",
    user_tables: "SELECT CAST(tablename AS TEXT) FROM pg_tables \
                  WHERE schemaname = current_schema() ORDER BY tablename",
    assessments_supplier_of: "assessments x",
    answer_date: "SELECT vigie_try_jsonb(value) ->> 'value' FROM answers \
                  WHERE assessment_id = ?1 AND question_id = ?2 \
                  AND jsonb_typeof(vigie_try_jsonb(value)) = 'object' \
                  AND vigie_try_jsonb(value) ->> 'type' = 'date'",
};

/// The advisory lock every Vigie writer holds for the length of its transaction ("VIGI"):
/// writes are serialised as SQLite serialises them, so that revision checks and the audit
/// chain see every earlier write.
pub(crate) const WRITE_LOCK: i64 = 0x5649_4749;

/// The channel other sessions' commits are announced on.
pub(crate) const CHANGES_CHANNEL: &str = "vigie_changes";

/// The first migration's text type: PostgreSQL compares text with the database's
/// collation, SQLite byte by byte; ids, timestamps and dates are ordered and ranged as bytes.
const CTEXT: &str = "TEXT COLLATE \"C\"";

/// The migrations, entry for entry the same schema as SQLite's [`crate::MIGRATIONS`]
/// (`vigie_meta.schema_version` is the number applied). PostgreSQL support begins at
/// version 4: a PostgreSQL database is created at the latest version, so these entries never
/// meet rows written under an older one, and need none of SQLite's backfills.
pub const PG_MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
CREATE TABLE vigie_meta (
    key   CTEXT PRIMARY KEY,
    value CTEXT NOT NULL
);
INSERT INTO vigie_meta (key, value) VALUES ('audit_high_seq', '0');

CREATE FUNCTION vigie_json_valid(t text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM t::jsonb;
    RETURN true;
EXCEPTION WHEN others THEN
    RETURN false;
END $$;

CREATE FUNCTION vigie_try_jsonb(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN t::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;

CREATE FUNCTION vigie_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END $$;

-- Refuses a change to a row of a final assessment (answers, declarations).
CREATE FUNCTION vigie_frozen_child() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    aid text;
BEGIN
    IF TG_OP = 'INSERT' THEN aid := NEW.assessment_id; ELSE aid := OLD.assessment_id; END IF;
    IF (SELECT status FROM assessments WHERE id = aid) = 'final' THEN
        RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

CREATE TABLE suppliers (
    id          CTEXT PRIMARY KEY NOT NULL,
    name        CTEXT NOT NULL CHECK (length(trim(name)) > 0),
    name_key    CTEXT NOT NULL UNIQUE,
    country     CTEXT,
    sector      CTEXT,
    services    CTEXT NOT NULL DEFAULT '[]' CHECK (vigie_json_valid(services)),
    contacts    CTEXT NOT NULL DEFAULT '[]' CHECK (vigie_json_valid(contacts)),
    criticality CTEXT NOT NULL CHECK (criticality IN ('low', 'medium', 'high', 'critical')),
    created_by  CTEXT NOT NULL,
    created_at  CTEXT NOT NULL,
    updated_by  CTEXT NOT NULL,
    updated_at  CTEXT NOT NULL
);

CREATE TABLE plugin_blobs (
    sha256      CTEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    size        BIGINT NOT NULL,
    plugin_id   CTEXT NOT NULL,
    version     CTEXT NOT NULL,
    origin      CTEXT NOT NULL,
    added_by    CTEXT NOT NULL,
    added_at    CTEXT NOT NULL,
    bytes       BYTEA NOT NULL
);

CREATE TABLE assessments (
    id                  CTEXT PRIMARY KEY NOT NULL,
    supplier_id         CTEXT NOT NULL REFERENCES suppliers(id),
    plugin_sha256       CTEXT NOT NULL REFERENCES plugin_blobs(sha256),
    plugin_id           CTEXT NOT NULL,
    plugin_version      CTEXT NOT NULL,
    status              CTEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'final')),
    auditor             CTEXT NOT NULL,
    assessment_date     CTEXT NOT NULL,
    language            CTEXT NOT NULL,
    level               CTEXT,
    created_at          CTEXT NOT NULL,
    previous_assessment CTEXT REFERENCES assessments(id),
    score               DOUBLE PRECISION,
    verdict             CTEXT,
    evaluated_at        CTEXT,
    finalized_by        CTEXT,
    finalized_at        CTEXT,
    last_evaluation     CTEXT CHECK (last_evaluation IS NULL OR vigie_json_valid(last_evaluation)),
    final_evaluation    CTEXT CHECK (final_evaluation IS NULL OR vigie_json_valid(final_evaluation)),
    CHECK (status = 'draft' OR final_evaluation IS NOT NULL)
);
CREATE INDEX assessments_by_created ON assessments(created_at DESC, id DESC);
CREATE INDEX assessments_by_supplier ON assessments(supplier_id, created_at DESC);
CREATE INDEX assessments_by_previous ON assessments(previous_assessment)
    WHERE previous_assessment IS NOT NULL;
CREATE INDEX assessments_by_plugin ON assessments(plugin_sha256);

CREATE TRIGGER assessments_final_is_frozen BEFORE UPDATE ON assessments
FOR EACH ROW WHEN (OLD.status = 'final')
EXECUTE FUNCTION vigie_refuse('the assessment is final: it can no longer be changed');

CREATE TABLE answers (
    assessment_id CTEXT NOT NULL REFERENCES assessments(id),
    question_id   CTEXT NOT NULL,
    value         CTEXT CHECK (value IS NULL OR vigie_json_valid(value)),
    note          CTEXT,
    revision      BIGINT NOT NULL CHECK (revision >= 1),
    to_confirm    BIGINT NOT NULL DEFAULT 0 CHECK (to_confirm IN (0, 1)),
    updated_by    CTEXT NOT NULL,
    updated_at    CTEXT NOT NULL,
    PRIMARY KEY (assessment_id, question_id)
);
CREATE TRIGGER answers_frozen BEFORE INSERT OR UPDATE OR DELETE ON answers
FOR EACH ROW EXECUTE FUNCTION vigie_frozen_child('the assessment is final: its answers are frozen');

CREATE TABLE evidence (
    id             CTEXT PRIMARY KEY NOT NULL,
    assessment_id  CTEXT NOT NULL REFERENCES assessments(id),
    question_id    CTEXT,
    kind           CTEXT NOT NULL CHECK (kind IN ('note', 'file', 'link')),
    text           CTEXT NOT NULL,
    file_sha256    CTEXT,
    file_size      BIGINT,
    file_path      CTEXT,
    effective_date CTEXT,
    expiry_date    CTEXT,
    added_by       CTEXT NOT NULL,
    added_at       CTEXT NOT NULL,
    CHECK ((kind = 'file') = (file_sha256 IS NOT NULL AND file_size IS NOT NULL
                              AND file_path IS NOT NULL))
);
CREATE INDEX evidence_by_assessment ON evidence(assessment_id, question_id);

CREATE TABLE action_items (
    id            CTEXT PRIMARY KEY NOT NULL,
    assessment_id CTEXT NOT NULL REFERENCES assessments(id),
    finding_id    CTEXT NOT NULL,
    title         CTEXT NOT NULL,
    owner         CTEXT,
    deadline      CTEXT,
    status        CTEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in-progress', 'done')),
    created_by    CTEXT NOT NULL,
    created_at    CTEXT NOT NULL,
    updated_by    CTEXT NOT NULL,
    updated_at    CTEXT NOT NULL
);
CREATE INDEX action_items_by_assessment ON action_items(assessment_id);

-- The audit trail: append-only (no update, delete or truncate) and hash-chained (see
-- audit.rs). The highest seq ever used is kept in vigie_meta, so that deleting the last
-- rows (by someone who dropped the guards) is detectable too.
CREATE TABLE audit_log (
    seq           BIGINT PRIMARY KEY CHECK (seq >= 1),
    at            CTEXT NOT NULL,
    who           CTEXT NOT NULL,
    action        CTEXT NOT NULL,
    entity        CTEXT NOT NULL,
    entity_id     CTEXT NOT NULL,
    assessment_id CTEXT,
    old           CTEXT,
    new           CTEXT,
    prev_hash     BYTEA NOT NULL,
    hash          BYTEA NOT NULL
);
CREATE INDEX audit_by_assessment ON audit_log(assessment_id) WHERE assessment_id IS NOT NULL;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION vigie_refuse('the audit trail is append-only');
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION vigie_refuse('the audit trail is append-only');
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION vigie_refuse('the audit trail is append-only');

-- The author of every new audit row is the role the server authenticated: a client cannot
-- write another name. Only `vigie db copy` into an empty database brings rows written by
-- others (the history it copies), while `copying` is set, which the server allows only as
-- long as the trail is empty of rows of its own.
CREATE FUNCTION vigie_audit_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.who IS DISTINCT FROM session_user::text
       AND NOT EXISTS (SELECT 1 FROM vigie_meta WHERE key = 'copying') THEN
        RAISE EXCEPTION 'audit rows are written as the authenticated role %, not %',
            session_user, NEW.who USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE vigie_meta SET value = GREATEST(CAST(value AS BIGINT), NEW.seq)::text
        WHERE key = 'audit_high_seq';
    RETURN NEW;
END $$;
CREATE TRIGGER audit_log_author BEFORE INSERT ON audit_log
FOR EACH ROW EXECUTE FUNCTION vigie_audit_author();

CREATE FUNCTION vigie_meta_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.key = 'copying' AND EXISTS (SELECT 1 FROM audit_log) THEN
        RAISE EXCEPTION 'a history can only be copied into an empty database'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER vigie_meta_guard BEFORE INSERT OR UPDATE ON vigie_meta
FOR EACH ROW EXECUTE FUNCTION vigie_meta_guard();
"#,
    // 2: plugin trust.
    r#"
CREATE TABLE plugin_trusted_keys (
    key_id      CTEXT PRIMARY KEY NOT NULL CHECK (length(key_id) = 16),
    public_key  CTEXT NOT NULL,
    comment     CTEXT NOT NULL,
    added_by    CTEXT NOT NULL,
    added_at    CTEXT NOT NULL
);

CREATE TABLE plugin_signatures (
    sha256      CTEXT PRIMARY KEY NOT NULL REFERENCES plugin_blobs(sha256),
    key_id      CTEXT NOT NULL,
    signature   CTEXT NOT NULL,
    added_by    CTEXT NOT NULL,
    added_at    CTEXT NOT NULL
);

CREATE TABLE plugin_shadow_allowed (
    sha256      CTEXT PRIMARY KEY NOT NULL REFERENCES plugin_blobs(sha256),
    plugin_id   CTEXT NOT NULL,
    version     CTEXT NOT NULL,
    allowed_by  CTEXT NOT NULL,
    allowed_at  CTEXT NOT NULL
);

CREATE TABLE settings (
    key         CTEXT PRIMARY KEY NOT NULL,
    value       CTEXT NOT NULL,
    updated_by  CTEXT NOT NULL,
    updated_at  CTEXT NOT NULL
);

CREATE TABLE plugin_checks (
    sha256      CTEXT NOT NULL,
    host        CTEXT NOT NULL,
    usable      BIGINT NOT NULL CHECK (usable IN (0, 1)),
    plugin_id   CTEXT,
    version     CTEXT,
    name        CTEXT,
    reason      CTEXT,
    checked_at  CTEXT NOT NULL,
    PRIMARY KEY (sha256, host)
);
"#,
    // 3: the portfolio: review cycles, the evaluation cache and the supplier summaries,
    // kept by triggers as on SQLite.
    r#"
CREATE TABLE review_cycles (
    criticality CTEXT PRIMARY KEY NOT NULL
                CHECK (criticality IN ('low', 'medium', 'high', 'critical')),
    months      BIGINT NOT NULL CHECK (months BETWEEN 1 AND 120),
    updated_by  CTEXT NOT NULL,
    updated_at  CTEXT NOT NULL
);
INSERT INTO review_cycles (criticality, months, updated_by, updated_at)
SELECT c, m, 'vigie', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
FROM (VALUES ('critical', 12), ('high', 12), ('medium', 24), ('low', 36)) AS v(c, m);

CREATE TABLE evaluation_verdicts (
    assessment_id CTEXT PRIMARY KEY NOT NULL REFERENCES assessments(id),
    severity      CTEXT,
    label         CTEXT
);

CREATE TABLE evaluation_findings (
    assessment_id CTEXT NOT NULL REFERENCES assessments(id),
    finding_id    CTEXT NOT NULL,
    severity      CTEXT,
    PRIMARY KEY (assessment_id, finding_id)
);

CREATE FUNCTION vigie_evaluation_cache() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    j jsonb;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM evaluation_verdicts WHERE assessment_id = NEW.id;
        DELETE FROM evaluation_findings WHERE assessment_id = NEW.id;
    END IF;
    j := vigie_try_jsonb(NEW.last_evaluation);
    IF j IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO evaluation_verdicts (assessment_id, severity, label)
    VALUES (NEW.id, j #>> '{verdict,severity}', j #>> '{verdict,label}')
    ON CONFLICT (assessment_id) DO UPDATE
        SET severity = EXCLUDED.severity, label = EXCLUDED.label;
    IF jsonb_typeof(j -> 'findings') = 'array' THEN
        INSERT INTO evaluation_findings (assessment_id, finding_id, severity)
        SELECT NEW.id, f ->> 'id', f ->> 'severity'
        FROM jsonb_array_elements(j -> 'findings') AS f
        WHERE jsonb_typeof(f) = 'object' AND jsonb_typeof(f -> 'id') = 'string'
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER evaluation_cache_on_insert AFTER INSERT ON assessments
FOR EACH ROW WHEN (NEW.last_evaluation IS NOT NULL)
EXECUTE FUNCTION vigie_evaluation_cache();
CREATE TRIGGER evaluation_cache_on_update AFTER UPDATE OF last_evaluation ON assessments
FOR EACH ROW EXECUTE FUNCTION vigie_evaluation_cache();

CREATE TABLE supplier_summaries (
    supplier_id       CTEXT PRIMARY KEY NOT NULL REFERENCES suppliers(id),
    reference_id      CTEXT REFERENCES assessments(id),
    assessments       BIGINT NOT NULL,
    trend             CTEXT,
    reference_plugin  CTEXT,
    reference_status  CTEXT,
    reference_date    CTEXT,
    reference_score   DOUBLE PRECISION,
    reference_verdict CTEXT
);

-- A supplier's reference assessment (latest final, else latest), number of assessments and
-- score trend (the latest eight: date, creation time and score, as SQLite writes them).
CREATE FUNCTION vigie_refresh_supplier_summary(sid text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    ref_id text;
    n bigint;
    tr text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM suppliers WHERE id = sid) THEN
        RETURN;
    END IF;
    ref_id := coalesce(
        (SELECT a.id FROM assessments a WHERE a.supplier_id = sid AND a.status = 'final'
         ORDER BY a.assessment_date DESC, a.created_at DESC, a.id DESC LIMIT 1),
        (SELECT a.id FROM assessments a WHERE a.supplier_id = sid
         ORDER BY a.assessment_date DESC, a.created_at DESC, a.id DESC LIMIT 1));
    n := (SELECT count(*) FROM assessments a WHERE a.supplier_id = sid);
    tr := (SELECT string_agg(t.k, chr(31) ORDER BY t.d DESC, t.c DESC, t.i DESC) FROM
              (SELECT a.assessment_date || chr(30) || a.created_at || chr(30)
                      || vigie_real_text(a.score) AS k,
                      a.assessment_date AS d, a.created_at AS c, a.id AS i
               FROM assessments a WHERE a.supplier_id = sid AND a.score IS NOT NULL
               ORDER BY a.assessment_date DESC, a.created_at DESC, a.id DESC LIMIT 8) t);
    INSERT INTO supplier_summaries (supplier_id, reference_id, assessments, trend,
        reference_plugin, reference_status, reference_date, reference_score, reference_verdict)
    SELECT sid, ref_id, n, tr, a.plugin_id, a.status, a.assessment_date, a.score, a.verdict
    FROM (SELECT 1) AS one LEFT JOIN assessments a ON a.id = ref_id
    ON CONFLICT (supplier_id) DO UPDATE SET
        reference_id = EXCLUDED.reference_id, assessments = EXCLUDED.assessments,
        trend = EXCLUDED.trend, reference_plugin = EXCLUDED.reference_plugin,
        reference_status = EXCLUDED.reference_status, reference_date = EXCLUDED.reference_date,
        reference_score = EXCLUDED.reference_score,
        reference_verdict = EXCLUDED.reference_verdict;
END $$;

-- A REAL as SQLite prints it: a whole number keeps its ".0".
CREATE FUNCTION vigie_real_text(x double precision) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN x = trunc(x) AND abs(x) < 1e15 THEN trunc(x)::bigint::text || '.0'
                ELSE x::text END
$$;

CREATE FUNCTION vigie_supplier_summary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vigie_refresh_supplier_summary(NEW.supplier_id);
    IF TG_OP = 'UPDATE' AND OLD.supplier_id IS DISTINCT FROM NEW.supplier_id THEN
        PERFORM vigie_refresh_supplier_summary(OLD.supplier_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER supplier_summary_on_insert AFTER INSERT ON assessments
FOR EACH ROW EXECUTE FUNCTION vigie_supplier_summary();
CREATE TRIGGER supplier_summary_on_update
AFTER UPDATE OF supplier_id, status, score, verdict, assessment_date, created_at ON assessments
FOR EACH ROW EXECUTE FUNCTION vigie_supplier_summary();

CREATE INDEX assessments_portfolio ON assessments(
    supplier_id, assessment_date DESC, created_at DESC, id DESC, status, score, verdict,
    plugin_id);
CREATE INDEX assessments_supplier_of ON assessments(id, supplier_id);
CREATE INDEX action_items_open_by_deadline ON action_items(deadline, assessment_id)
    WHERE status <> 'done' AND deadline IS NOT NULL;
CREATE INDEX action_items_by_finding ON action_items(assessment_id, finding_id, status);
CREATE INDEX evidence_by_expiry ON evidence(assessment_id, expiry_date)
    WHERE expiry_date IS NOT NULL;
"#,
    // 4: supplier declarations.
    r#"
CREATE TABLE declarations (
    assessment_id CTEXT NOT NULL REFERENCES assessments(id),
    question_id   CTEXT NOT NULL,
    value         CTEXT NOT NULL CHECK (vigie_json_valid(value)),
    note          CTEXT,
    respondent    CTEXT NOT NULL,
    file_sha256   CTEXT NOT NULL CHECK (length(file_sha256) = 64),
    imported_by   CTEXT NOT NULL,
    imported_at   CTEXT NOT NULL,
    confirmed_by  CTEXT,
    confirmed_at  CTEXT,
    PRIMARY KEY (assessment_id, question_id)
);
CREATE TRIGGER declarations_frozen BEFORE INSERT OR UPDATE OR DELETE ON declarations
FOR EACH ROW
EXECUTE FUNCTION vigie_frozen_child('the assessment is final: its declarations are frozen');
"#,
];

/// Names of the triggers that make the audit trail append-only.
pub(crate) const AUDIT_GUARDS: [&str; 3] = [
    "audit_log_no_update",
    "audit_log_no_delete",
    "audit_log_no_truncate",
];

/// A PostgreSQL session: the client, the statements it prepared, and the changes other
/// sessions announced. A connection the server or the network dropped is made again, once,
/// before the next statement that is not inside a transaction (what a dropped transaction
/// held was rolled back by the server and reported to its caller).
pub(crate) struct PgSession {
    client: postgres::Client,
    target: PgTarget,
    role: String,
    statements: HashMap<String, postgres::Statement>,
    /// This session's server process: its own notifications are not changes by others.
    backend_pid: i32,
    /// How many commits of other sessions were announced so far (plus one per reconnection,
    /// since announcements are lost while disconnected).
    changes_seen: i64,
    in_transaction: bool,
}

/// At most this many prepared statements are kept per session.
const STATEMENT_CACHE: usize = 512;

/// Opens the connection and sets the session up: UTC, the lock timeout, listening for
/// changes. Returns the client, its server process and the authenticated role.
fn open_session(target: &PgTarget) -> Result<(postgres::Client, i32, String), ConnectError> {
    let mut client = target.connect()?;
    let setup = (|| -> Result<(i32, String), postgres::Error> {
        client.batch_execute(&format!(
            "SET TIME ZONE 'UTC'; SET lock_timeout = '120s'; LISTEN {CHANGES_CHANNEL}"
        ))?;
        let row = client.query_one("SELECT pg_backend_pid(), CAST(session_user AS TEXT)", &[])?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    })();
    let (pid, role) = setup.map_err(|e| ConnectError::Setup {
        target: target.shown(),
        detail: DbError::Postgres(e).to_string(),
    })?;
    Ok((client, pid, role))
}

impl PgSession {
    /// Connects and returns the session and the authenticated role.
    pub(crate) fn connect(target: &PgTarget) -> Result<(PgSession, String), ConnectError> {
        let (client, backend_pid, role) = open_session(target)?;
        Ok((
            PgSession {
                client,
                target: target.clone(),
                role: role.clone(),
                statements: HashMap::new(),
                backend_pid,
                changes_seen: 0,
                in_transaction: false,
            },
            role,
        ))
    }

    /// Connects again after the connection was lost; the role must be the same.
    fn reconnect(&mut self, lost: postgres::Error) -> Result<(), DbError> {
        let (client, pid, role) = match open_session(&self.target) {
            Ok(opened) => opened,
            // Still unreachable: the caller gets the original loss.
            Err(_) => return Err(lost.into()),
        };
        if role != self.role {
            return Err(lost.into());
        }
        self.client = client;
        self.backend_pid = pid;
        self.statements.clear();
        self.changes_seen += 1;
        Ok(())
    }

    /// Runs `f`; when it fails because the connection is gone and no transaction is open,
    /// connects again and runs it once more.
    fn retrying<T>(
        &mut self,
        mut f: impl FnMut(&mut PgSession) -> Result<T, postgres::Error>,
    ) -> Result<T, DbError> {
        match f(self) {
            Err(e) if self.lost(&e) && !self.in_transaction => {
                self.reconnect(e)?;
                Ok(f(self)?)
            }
            Err(e) => {
                if self.lost(&e) {
                    // The server rolled the transaction back when the connection went.
                    self.in_transaction = false;
                }
                Err(e.into())
            }
            Ok(v) => Ok(v),
        }
    }

    /// Whether `e` says the connection is gone (closed, or ended by the server: an
    /// administrator, a shutdown, a crash).
    fn lost(&self, e: &postgres::Error) -> bool {
        e.is_closed() || self.client.is_closed() || connection_ended(e)
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        if let Some(stmt) = self.statements.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.prepare(&numbered_placeholders(sql))?;
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    pub(crate) fn query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<postgres::Row>, DbError> {
        self.retrying(|session| {
            let stmt = session.statement(sql)?;
            let bound: Vec<PgParam<'_>> = params.iter().map(|p| PgParam(*p)).collect();
            let refs: Vec<&(dyn ToSql + Sync)> =
                bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            session.client.query(&stmt, &refs)
        })
    }

    pub(crate) fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError> {
        self.retrying(|session| {
            let stmt = session.statement(sql)?;
            let bound: Vec<PgParam<'_>> = params.iter().map(|p| PgParam(*p)).collect();
            let refs: Vec<&(dyn ToSql + Sync)> =
                bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            session.client.execute(&stmt, &refs)
        })
    }

    pub(crate) fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.retrying(|session| session.client.batch_execute(sql))
    }

    /// Starts a transaction that reads one snapshot.
    pub(crate) fn begin_read(&mut self) -> Result<(), DbError> {
        self.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        self.in_transaction = true;
        Ok(())
    }

    /// Starts a transaction and waits for the store's write lock.
    pub(crate) fn begin_write(&mut self) -> Result<(), DbError> {
        self.batch(&format!(
            "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
        ))?;
        self.in_transaction = true;
        Ok(())
    }

    /// Starts a transaction and tries once for the write lock; `false` (and no transaction)
    /// when another writer holds it.
    pub(crate) fn try_begin_write(&mut self) -> Result<bool, DbError> {
        self.batch("BEGIN ISOLATION LEVEL READ COMMITTED")?;
        self.in_transaction = true;
        let got = self
            .client
            .query_one(
                &format!("SELECT pg_try_advisory_xact_lock({WRITE_LOCK})"),
                &[],
            )
            .and_then(|row| row.try_get::<_, bool>(0));
        match got {
            Ok(true) => Ok(true),
            Ok(false) => {
                self.finish(false)?;
                Ok(false)
            }
            Err(e) => {
                let _ = self.finish(false);
                Err(e.into())
            }
        }
    }

    /// Commits or rolls back the open transaction. A rollback on a lost connection has
    /// nothing left to do.
    pub(crate) fn finish(&mut self, commit: bool) -> Result<(), DbError> {
        let outcome = self
            .client
            .batch_execute(if commit { "COMMIT" } else { "ROLLBACK" });
        self.in_transaction = false;
        match outcome {
            Err(e) if !commit && self.lost(&e) => Ok(()),
            other => Ok(other?),
        }
    }

    /// Announces this transaction's commit to the other sessions.
    pub(crate) fn announce(&mut self) -> Result<(), DbError> {
        self.batch(&format!("NOTIFY {CHANGES_CHANNEL}"))
    }

    /// A number that grows with every commit other sessions announced.
    pub(crate) fn changes(&mut self) -> Result<i64, DbError> {
        // The client reads what the server sent only while it talks to it: one empty
        // round trip brings the announcements waiting on the socket into its buffer.
        self.batch("")?;
        let own = self.backend_pid;
        let mut others = 0i64;
        {
            use postgres::fallible_iterator::FallibleIterator;
            let mut notifications = self.client.notifications();
            let mut pending = notifications.iter();
            while let Some(n) = pending.next()? {
                if n.process_id() != own {
                    others += 1;
                }
            }
        }
        self.changes_seen += others;
        Ok(self.changes_seen)
    }
}

/// The server ended the session (class 57P: administrator command, shutdown, crash).
pub(crate) fn connection_ended(e: &postgres::Error) -> bool {
    e.code().is_some_and(|c| c.code().starts_with("57P"))
}

/// `?N` placeholders (SQLite's) as `$N` (PostgreSQL's), outside quoted text; a bare `?`
/// takes the number after the highest so far, as in SQLite.
pub(crate) fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quote: Option<char> = None;
    let mut highest = 0u32;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    out.push(c);
                }
                '?' => {
                    let mut digits = String::new();
                    while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                        digits.push(d);
                        chars.next();
                    }
                    let n = match digits.parse::<u32>() {
                        Ok(n) => n,
                        Err(_) => highest + 1,
                    };
                    highest = highest.max(n);
                    out.push('$');
                    out.push_str(&n.to_string());
                }
                _ => out.push(c),
            },
        }
    }
    out
}

/// One column of a PostgreSQL row as the store reads columns.
pub(crate) fn cell(row: &postgres::Row, idx: usize) -> Result<Cell<'_>, DbError> {
    let column = row
        .columns()
        .get(idx)
        .ok_or_else(|| DbError::Column(idx, "no such column".into()))?;
    let ty = match column.type_().kind() {
        Kind::Domain(inner) => inner.clone(),
        _ => column.type_().clone(),
    };
    let cell = match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(idx)?.map(Cell::Integer),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(idx)?
            .map(|i| Cell::Integer(i64::from(i))),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(idx)?
            .map(|i| Cell::Integer(i64::from(i))),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(idx)?
            .map(|b| Cell::Integer(i64::from(b))),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(idx)?.map(Cell::Real),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(idx)?
            .map(|f| Cell::Real(f64::from(f))),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            row.try_get::<_, Option<&str>>(idx)?.map(Cell::Text)
        }
        Type::BYTEA => row.try_get::<_, Option<&[u8]>>(idx)?.map(Cell::Blob),
        other => {
            return Err(DbError::Column(
                idx,
                format!("has the PostgreSQL type {other}, which the store does not read"),
            ));
        }
    };
    Ok(cell.unwrap_or(Cell::Null))
}

/// A store value bound to a PostgreSQL parameter, converted to the type the server inferred
/// for it (the store's SQL is typed for SQLite, which converts on its own).
#[derive(Debug)]
struct PgParam<'a>(Param<'a>);

impl ToSql for PgParam<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        let ty = match ty.kind() {
            Kind::Domain(inner) => inner,
            _ => ty,
        };
        let textual = matches!(
            *ty,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
        );
        match self.0 {
            Param::Null => Ok(IsNull::Yes),
            Param::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                _ if textual => i.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("an integer cannot be bound to a {ty} parameter").into()),
            },
            Param::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                _ if textual => f.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("a real number cannot be bound to a {ty} parameter").into()),
            },
            Param::Text(t) if textual => t.to_sql(ty, out),
            Param::Text(_) => Err(format!("text cannot be bound to a {ty} parameter").into()),
            Param::Blob(b) if *ty == Type::BYTEA => b.to_sql(ty, out),
            Param::Blob(_) => Err(format!("bytes cannot be bound to a {ty} parameter").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Applies the migrations after `from` up to `to` inside the caller's transaction and
/// records the version and the application id.
pub(crate) fn apply(session: &mut PgSession, from: u32, to: u32) -> Result<(), DbError> {
    for sql in PG_MIGRATIONS.iter().take(to as usize).skip(from as usize) {
        session.batch(&sql.replace("CTEXT", CTEXT))?;
    }
    session.execute(
        "INSERT INTO vigie_meta (key, value) VALUES ('application_id', ?1), \
         ('schema_version', ?2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        &[
            Param::Text(&crate::APPLICATION_ID.to_string()),
            Param::Text(&to.to_string()),
        ],
    )?;
    Ok(())
}

/// What the database holds before the store touches it.
pub(crate) enum Found {
    /// No table at all in the schema: a new database.
    Empty,
    /// A Vigie database at this schema version.
    Vigie { version: u32 },
    /// Tables, but not Vigie's.
    Other,
}

/// Looks at the connected database's schema without changing it.
pub(crate) fn inspect(session: &mut PgSession) -> Result<Found, DbError> {
    let rows = session.query(
        "SELECT count(*), count(*) FILTER (WHERE tablename = 'vigie_meta') FROM pg_tables \
         WHERE schemaname = current_schema()",
        &[],
    )?;
    let (tables, meta) = match rows.first() {
        Some(row) => (row.try_get::<_, i64>(0)?, row.try_get::<_, i64>(1)?),
        None => (0, 0),
    };
    if tables == 0 {
        return Ok(Found::Empty);
    }
    if meta == 0 {
        return Ok(Found::Other);
    }
    let rows = session.query(
        "SELECT key, value FROM vigie_meta WHERE key IN ('application_id', 'schema_version')",
        &[],
    )?;
    let mut app = None;
    let mut version = None;
    for row in &rows {
        let key: &str = row.try_get(0)?;
        let value: &str = row.try_get(1)?;
        match key {
            "application_id" => app = value.parse::<u32>().ok(),
            _ => version = value.parse::<u32>().ok(),
        }
    }
    match (app, version) {
        (Some(app), Some(version)) if app == crate::APPLICATION_ID => Ok(Found::Vigie { version }),
        // Created by a Vigie that stopped half way: the migration transaction rolled back,
        // so there is nothing but the tables of a failed first migration.
        _ => Ok(Found::Other),
    }
}
