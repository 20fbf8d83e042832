//! Assessments, their answers and their evaluations.

use crate::db::Value;
use crate::db::{Db, Optional, params};
use serde::Serialize;
use vigie_model::{AnswerValue, Evaluation};

use crate::error::{Result, StoreError};
use crate::types::{
    Assessment, AssessmentFilter, AssessmentStatus, AssessmentSummary, NewAssessment, StoredAnswer,
};
use crate::{
    Col, Store, Tx, date_col, enum_col, opt_json_col, opt_ts_col, resolve_id, to_json, ts_col,
};

const fn col(column: &'static str) -> Col {
    ("assessments", column)
}

pub(crate) const SELECT_ASSESSMENT: &str = "SELECT a.id, a.supplier_id, s.name, a.plugin_sha256, \
     a.plugin_id, a.plugin_version, a.status, a.auditor, a.assessment_date, a.language, a.level, \
     a.created_at, a.previous_assessment, a.score, a.verdict, a.evaluated_at, a.last_evaluation, \
     a.finalized_by, a.finalized_at, a.final_evaluation \
     FROM assessments a JOIN suppliers s ON s.id = a.supplier_id";

pub(crate) fn assessment_row(row: &crate::db::Row<'_>) -> crate::db::Result<Assessment> {
    Ok(Assessment {
        id: row.get::<_, String>(0)?.into(),
        supplier_id: row.get::<_, String>(1)?.into(),
        supplier_name: row.get(2)?,
        plugin_sha256: row.get(3)?,
        plugin_id: row.get(4)?,
        plugin_version: row.get(5)?,
        status: enum_col(row, 6, col("status"), AssessmentStatus::from_id)?,
        auditor: row.get(7)?,
        assessment_date: date_col(row, 8, col("assessment_date"))?,
        language: row.get(9)?,
        level: row.get(10)?,
        created_at: ts_col(row, 11, col("created_at"))?,
        previous_assessment: row.get::<_, Option<String>>(12)?.map(Into::into),
        score: row.get(13)?,
        verdict: row.get(14)?,
        evaluated_at: opt_ts_col(row, 15, col("evaluated_at"))?,
        last_evaluation: opt_json_col(row, 16)?,
        finalized_by: row.get(17)?,
        finalized_at: opt_ts_col(row, 18, col("finalized_at"))?,
        final_evaluation: opt_json_col(row, 19)?,
    })
}

const SELECT_SUMMARY: &str = "SELECT a.id, a.supplier_id, s.name, a.plugin_id, \
     a.plugin_version, a.status, a.auditor, a.assessment_date, a.level, a.created_at, a.score, \
     a.verdict, v.label \
     FROM assessments a JOIN suppliers s ON s.id = a.supplier_id \
     LEFT JOIN evaluation_verdicts v ON v.assessment_id = a.id";

fn summary_row(row: &crate::db::Row<'_>) -> crate::db::Result<AssessmentSummary> {
    Ok(AssessmentSummary {
        id: row.get::<_, String>(0)?.into(),
        supplier_id: row.get::<_, String>(1)?.into(),
        supplier_name: row.get(2)?,
        plugin_id: row.get(3)?,
        plugin_version: row.get(4)?,
        status: enum_col(row, 5, col("status"), AssessmentStatus::from_id)?,
        auditor: row.get(6)?,
        assessment_date: date_col(row, 7, col("assessment_date"))?,
        level: row.get(8)?,
        created_at: ts_col(row, 9, col("created_at"))?,
        score: row.get(10)?,
        verdict: row.get(11)?,
        // Shown in lists; a label that does not parse (a row written by another
        // program) is left out, and the list falls back on the id.
        verdict_label: row
            .get::<_, Option<String>>(12)
            .ok()
            .flatten()
            .and_then(|json| serde_json::from_str(&json).ok()),
    })
}

pub(crate) const SELECT_ANSWER: &str = "SELECT assessment_id, question_id, value, note, revision, \
     to_confirm, updated_by, updated_at FROM answers";

pub(crate) fn answer_row(row: &crate::db::Row<'_>) -> crate::db::Result<StoredAnswer> {
    Ok(StoredAnswer {
        assessment_id: row.get::<_, String>(0)?.into(),
        question: row.get(1)?,
        value: opt_json_col(row, 2)?,
        note: row.get(3)?,
        revision: row.get(4)?,
        to_confirm: row.get(5)?,
        updated_by: row.get(6)?,
        updated_at: ts_col(row, 7, ("answers", "updated_at"))?,
    })
}

/// What the audit trail records of an answer.
#[derive(Serialize)]
struct AnswerAudit<'a> {
    value: &'a Option<AnswerValue>,
    note: &'a Option<String>,
    revision: i64,
    to_confirm: bool,
}

pub(crate) fn answer_audit_json(a: &StoredAnswer) -> Result<String> {
    to_json(
        "answer",
        &AnswerAudit {
            value: &a.value,
            note: &a.note,
            revision: a.revision,
            to_confirm: a.to_confirm,
        },
    )
}

pub(crate) fn get_assessment(conn: &Db, id: &str) -> Result<Assessment> {
    conn.query_row(
        &format!("{SELECT_ASSESSMENT} WHERE a.id = ?1"),
        params![id],
        assessment_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        kind: "assessment",
        key: id.to_string(),
    })
}

/// The status of assessment `id`, or `NotFound`.
pub(crate) fn status_of(conn: &Db, id: &str) -> Result<AssessmentStatus> {
    conn.query_row(
        "SELECT status FROM assessments WHERE id = ?1",
        params![id],
        |r| enum_col(r, 0, col("status"), AssessmentStatus::from_id),
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        kind: "assessment",
        key: id.to_string(),
    })
}

/// `NotFound` or `Frozen` unless assessment `id` is a draft.
pub(crate) fn require_draft(conn: &Db, id: &str) -> Result<()> {
    match status_of(conn, id)? {
        AssessmentStatus::Draft => Ok(()),
        AssessmentStatus::Final => Err(StoreError::Frozen {
            assessment: id.to_string(),
        }),
    }
}

pub(crate) fn get_answer(
    conn: &Db,
    assessment: &str,
    question: &str,
) -> Result<Option<StoredAnswer>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_ANSWER} WHERE assessment_id = ?1 AND question_id = ?2"
    ))?;
    Ok(stmt
        .query_row(params![assessment, question], answer_row)
        .optional()?)
}

pub(crate) fn upsert_answer(conn: &Db, a: &StoredAnswer) -> Result<()> {
    let value = a
        .value
        .as_ref()
        .map(|v| to_json("answer value", v))
        .transpose()?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO answers (assessment_id, question_id, value, note, revision, to_confirm, \
         updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (assessment_id, question_id) DO UPDATE SET value = excluded.value, \
         note = excluded.note, revision = excluded.revision, to_confirm = excluded.to_confirm, \
         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )?;
    stmt.execute(params![
        a.assessment_id.as_str(),
        a.question,
        value,
        a.note,
        a.revision,
        a.to_confirm,
        a.updated_by,
        a.updated_at.as_str(),
    ])?;
    Ok(())
}

/// The recorded part of a new draft assessment, as its row is inserted.
pub(crate) struct AssessmentRow<'a> {
    pub(crate) id: &'a str,
    pub(crate) supplier_id: &'a str,
    pub(crate) plugin_sha256: &'a str,
    pub(crate) plugin_id: &'a str,
    pub(crate) plugin_version: &'a str,
    pub(crate) auditor: &'a str,
    pub(crate) assessment_date: vigie_model::Date,
    pub(crate) language: &'a str,
    pub(crate) level: Option<&'a str>,
    pub(crate) created_at: &'a str,
    pub(crate) previous_assessment: Option<&'a str>,
}

/// Inserts a draft assessment row (a new assessment, or one imported from another database).
pub(crate) fn insert_draft_assessment(conn: &Db, a: &AssessmentRow<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO assessments (id, supplier_id, plugin_sha256, plugin_id, \
         plugin_version, status, auditor, assessment_date, language, level, created_at, \
         previous_assessment) \
         VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            a.id,
            a.supplier_id,
            a.plugin_sha256,
            a.plugin_id,
            a.plugin_version,
            a.auditor,
            a.assessment_date.to_string(),
            a.language,
            a.level,
            a.created_at,
            a.previous_assessment,
        ],
    )?;
    Ok(())
}

/// Forgets the cached evaluation of draft assessment `id` (its answers changed under it).
pub(crate) fn clear_cached_evaluation(conn: &Db, id: &str) -> Result<()> {
    conn.execute(
        "UPDATE assessments SET last_evaluation = NULL, score = NULL, verdict = NULL, \
         evaluated_at = NULL WHERE id = ?1 AND status = 'draft'",
        params![id],
    )?;
    Ok(())
}

/// Makes assessment `id` final with `evaluation` (as JSON in `json`), finalized by `who` at
/// `at`.
pub(crate) fn set_final(
    conn: &Db,
    id: &str,
    evaluation: &Evaluation,
    who: Option<&str>,
    at: Option<&str>,
) -> Result<()> {
    let json = to_json("evaluation", evaluation)?;
    conn.execute(
        "UPDATE assessments SET status = 'final', final_evaluation = ?2, \
         last_evaluation = ?2, score = ?3, verdict = ?4, evaluated_at = ?5, \
         finalized_by = ?6, finalized_at = ?5 WHERE id = ?1",
        params![id, json, evaluation.score, evaluation.verdict.id, at, who],
    )?;
    Ok(())
}

fn clean_question(question: &str) -> Result<&str> {
    let q = question.trim();
    if q.is_empty() {
        Err(StoreError::Invalid("an answer needs a question id".into()))
    } else {
        Ok(q)
    }
}

fn clean_note(note: Option<String>) -> Option<String> {
    note.filter(|n| !n.trim().is_empty())
}

/// Writes one answer at `current revision + 1` and audits it.
pub(crate) fn write_answer(
    tx: &mut Tx<'_>,
    action: &str,
    assessment: &str,
    question: &str,
    current: Option<&StoredAnswer>,
    value: Option<AnswerValue>,
    note: Option<String>,
) -> Result<StoredAnswer> {
    let answer = StoredAnswer {
        assessment_id: assessment.into(),
        question: question.to_string(),
        value,
        note: clean_note(note),
        revision: current.map_or(0, |a| a.revision) + 1,
        to_confirm: false,
        updated_by: tx.who.to_string(),
        updated_at: tx.now.clone(),
    };
    upsert_answer(tx.conn, &answer)?;
    let old = current.map(answer_audit_json).transpose()?;
    let new = answer_audit_json(&answer)?;
    tx.audit(
        action,
        "answer",
        question,
        Some(assessment),
        old.as_deref(),
        Some(&new),
    )?;
    Ok(answer)
}

impl Store {
    /// Starts an assessment of a supplier with a stored plugin. For a reassessment
    /// (`previous_assessment` set, of the same supplier) the previous answers that have a value
    /// are copied, each marked `to_confirm` until the auditor writes it again.
    pub fn new_assessment(&self, new: &NewAssessment) -> Result<Assessment> {
        self.new_assessment_carrying(new, &|_, _| true)
    }

    /// [`Store::new_assessment`], carrying over from the previous assessment only the answers
    /// for which `carry(question, value)` holds (those the new plugin version still accepts:
    /// an answer to a question it no longer has would make scoring fail).
    pub fn new_assessment_carrying(
        &self,
        new: &NewAssessment,
        carry: &dyn Fn(&str, &AnswerValue) -> bool,
    ) -> Result<Assessment> {
        let language = new.language.trim();
        if language.is_empty() {
            return Err(StoreError::Invalid("an assessment needs a language".into()));
        }
        let level = new
            .level
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty());
        let id = self.write(|tx| {
            let supplier_ok: Option<i64> = tx
                .conn
                .query_row(
                    "SELECT 1 FROM suppliers WHERE id = ?1",
                    params![new.supplier_id.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            if supplier_ok.is_none() {
                return Err(StoreError::NotFound {
                    kind: "supplier",
                    key: new.supplier_id.to_string(),
                });
            }
            let plugin: Option<(String, String)> = tx
                .conn
                .query_row(
                    "SELECT plugin_id, version FROM plugin_blobs WHERE sha256 = ?1",
                    params![&new.plugin_sha256],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((plugin_id, plugin_version)) = plugin else {
                return Err(StoreError::NotFound {
                    kind: "stored plugin",
                    key: new.plugin_sha256.clone(),
                });
            };
            if let Some(prev) = &new.previous_assessment {
                let prev_supplier: Option<String> = tx
                    .conn
                    .query_row(
                        "SELECT supplier_id FROM assessments WHERE id = ?1",
                        params![prev.as_str()],
                        |r| r.get(0),
                    )
                    .optional()?;
                match prev_supplier {
                    None => {
                        return Err(StoreError::NotFound {
                            kind: "assessment",
                            key: prev.to_string(),
                        });
                    }
                    Some(s) if s != new.supplier_id => {
                        return Err(StoreError::Invalid(format!(
                            "assessment {prev} is of another supplier: a reassessment \
                             continues an assessment of the same supplier"
                        )));
                    }
                    Some(_) => {}
                }
            }
            let id = crate::new_id();
            insert_draft_assessment(
                tx.conn,
                &AssessmentRow {
                    id: &id,
                    supplier_id: &new.supplier_id,
                    plugin_sha256: &new.plugin_sha256,
                    plugin_id: &plugin_id,
                    plugin_version: &plugin_version,
                    auditor: tx.who,
                    assessment_date: new.assessment_date,
                    language,
                    level,
                    created_at: tx.now.as_str(),
                    previous_assessment: new.previous_assessment.as_deref(),
                },
            )?;
            let created = to_json(
                "assessment",
                &serde_json::json!({
                    "supplier_id": new.supplier_id,
                    "plugin_sha256": new.plugin_sha256,
                    "plugin_id": plugin_id,
                    "plugin_version": plugin_version,
                    "status": "draft",
                    "auditor": tx.who,
                    "assessment_date": new.assessment_date,
                    "language": language,
                    "level": level,
                    "previous_assessment": new.previous_assessment,
                }),
            )?;
            tx.audit("create", "assessment", &id, Some(&id), None, Some(&created))?;

            if let Some(prev) = &new.previous_assessment {
                let previous: Vec<StoredAnswer> = {
                    let mut stmt = tx.conn.prepare(&format!(
                        "{SELECT_ANSWER} WHERE assessment_id = ?1 AND value IS NOT NULL \
                         ORDER BY question_id"
                    ))?;
                    stmt.query_map(params![prev.as_str()], answer_row)?
                        .collect::<crate::db::Result<_>>()?
                };
                let carried = previous.into_iter().filter(|old| {
                    old.value
                        .as_ref()
                        .is_some_and(|value| carry(&old.question, value))
                });
                for old in carried {
                    let answer = StoredAnswer {
                        assessment_id: id.as_str().into(),
                        revision: 1,
                        to_confirm: true,
                        updated_by: tx.who.to_string(),
                        updated_at: tx.now.clone(),
                        ..old
                    };
                    upsert_answer(tx.conn, &answer)?;
                    let json = answer_audit_json(&answer)?;
                    tx.audit(
                        "prefill",
                        "answer",
                        &answer.question,
                        Some(&id),
                        None,
                        Some(&json),
                    )?;
                }
            }
            Ok(id)
        })?;
        self.read(|conn| get_assessment(conn, &id))
    }

    /// One page of assessments, newest first, with the supplier's name and the cached score
    /// and verdict.
    pub fn list_assessments(&self, filter: &AssessmentFilter) -> Result<Vec<AssessmentSummary>> {
        let (where_sql, mut args) = filter_sql(filter);
        args.push(Value::Integer(i64::from(filter.limit)));
        args.push(Value::Integer(i64::from(filter.offset)));
        // The page's ids first, from the (created_at, id) index alone, so that skipping
        // `offset` rows reads no table row; then the rows of that page only.
        let sql = format!(
            "{SELECT_SUMMARY} JOIN (SELECT a.id AS page_id FROM assessments a{where_sql} \
             ORDER BY a.created_at DESC, a.id DESC LIMIT ? OFFSET ?) page ON page.page_id = a.id \
             ORDER BY a.created_at DESC, a.id DESC"
        );
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(&crate::db::params_of(&args), summary_row)?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }

    /// How many assessments match `filter` (its limit and offset ignored), for paging.
    pub fn count_assessments(&self, filter: &AssessmentFilter) -> Result<u64> {
        let (where_sql, args) = filter_sql(filter);
        let sql = format!("SELECT count(*) FROM assessments a{where_sql}");
        self.read(|conn| {
            let n: i64 = conn.query_row(&sql, &crate::db::params_of(&args), |r| r.get(0))?;
            Ok(n.max(0) as u64)
        })
    }

    /// The assessment whose id is `key`, starts with `key`, or else ends with `key` (such as
    /// its [`crate::short_id`]); at least [`crate::MIN_ID_PREFIX`] characters, several
    /// matches give [`StoreError::Ambiguous`].
    pub fn assessment(&self, key: &str) -> Result<Assessment> {
        self.read(|conn| {
            let id = resolve_id(conn, "assessments", "id", "assessment", key)?;
            get_assessment(conn, &id)
        })
    }

    /// Every answer row of an assessment (exact id), by question id; rows whose value was
    /// cleared are included with `value: None`.
    pub fn answers(&self, assessment_id: &str) -> Result<Vec<StoredAnswer>> {
        self.read(|conn| {
            status_of(conn, assessment_id)?;
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT_ANSWER} WHERE assessment_id = ?1 ORDER BY question_id"
            ))?;
            let rows = stmt.query_map(params![assessment_id], answer_row)?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }

    /// One answer row, if the question was ever answered.
    pub fn answer(&self, assessment_id: &str, question_id: &str) -> Result<Option<StoredAnswer>> {
        self.read(|conn| get_answer(conn, assessment_id, question_id))
    }

    /// Writes (or, with `value: None`, clears) one answer and its note, if nobody changed it
    /// since the auditor saw it.
    ///
    /// `base_revision` is the revision the auditor saw (`None`: "I saw no answer"). If the
    /// answer is now at another revision nothing is written and [`StoreError::Conflict`]
    /// carries both values. Otherwise the answer is written at revision + 1 (clearing
    /// `to_confirm`), audited, and committed before this returns. A final assessment gives
    /// [`StoreError::Frozen`].
    pub fn set_answer(
        &self,
        assessment_id: &str,
        question_id: &str,
        value: Option<AnswerValue>,
        note: Option<String>,
        base_revision: Option<i64>,
    ) -> Result<StoredAnswer> {
        let question = clean_question(question_id)?;
        self.write(|tx| {
            require_draft(tx.conn, assessment_id)?;
            let current = get_answer(tx.conn, assessment_id, question)?;
            let current_revision = current.as_ref().map_or(0, |a| a.revision);
            if base_revision.unwrap_or(0) != current_revision {
                // No answer: revision 0, as of now.
                let current = current.unwrap_or_else(|| StoredAnswer {
                    assessment_id: assessment_id.into(),
                    question: question.to_string(),
                    value: None,
                    note: None,
                    revision: 0,
                    to_confirm: false,
                    updated_by: String::new(),
                    updated_at: tx.now.clone(),
                });
                return Err(StoreError::Conflict {
                    question: question.to_string(),
                    base_revision,
                    ours: value,
                    current: Box::new(current),
                });
            }
            let action = if value.is_some() { "set" } else { "clear" };
            write_answer(
                tx,
                action,
                assessment_id,
                question,
                current.as_ref(),
                value,
                note,
            )
        })
    }

    /// Writes many answers (question id, value or `None` to clear, note) in one transaction:
    /// all are written or none. Unless `replace_others`, an answer that another auditor gave
    /// and that the batch would change is a [`StoreError::Conflict`] (with both values), and
    /// nothing is written. Returns how many rows were written.
    pub fn set_answers_bulk(
        &self,
        assessment_id: &str,
        answers: Vec<(String, Option<AnswerValue>, Option<String>)>,
        replace_others: bool,
    ) -> Result<usize> {
        for (question, _, _) in &answers {
            clean_question(question)?;
        }
        self.write(|tx| {
            require_draft(tx.conn, assessment_id)?;
            let count = answers.len();
            for (question, value, note) in answers {
                let question = question.trim();
                let current = get_answer(tx.conn, assessment_id, question)?;
                let note = clean_note(note);
                if let Some(theirs) = &current
                    && !replace_others
                    && theirs.updated_by != tx.who
                    && (theirs.value != value || theirs.note != note)
                {
                    return Err(StoreError::Conflict {
                        question: question.to_string(),
                        base_revision: None,
                        ours: value,
                        current: Box::new(theirs.clone()),
                    });
                }
                write_answer(
                    tx,
                    "import",
                    assessment_id,
                    question,
                    current.as_ref(),
                    value,
                    note,
                )?;
            }
            Ok(count)
        })
    }

    /// Caches the latest evaluation of a draft assessment (its JSON, score and verdict id) for
    /// listing. Not audited: it is derived from the answers and the plugin bytes, which are,
    /// and it changes after every answer.
    pub fn save_evaluation(&self, assessment_id: &str, evaluation: &Evaluation) -> Result<()> {
        let json = to_json("evaluation", evaluation)?;
        self.write(|tx| {
            require_draft(tx.conn, assessment_id)?;
            tx.conn.execute(
                "UPDATE assessments SET last_evaluation = ?2, score = ?3, verdict = ?4, \
                 evaluated_at = ?5 WHERE id = ?1",
                params![
                    assessment_id,
                    json,
                    evaluation.score,
                    evaluation.verdict.id,
                    tx.now.as_str()
                ],
            )?;
            Ok(())
        })
    }

    /// Makes a draft assessment final with `evaluation`, which is kept as it is from then on
    /// (as is the plugin blob that scored it). Answers, evidence and evaluation can no longer
    /// change; action items still can.
    pub fn finalize(&self, assessment_id: &str, evaluation: &Evaluation) -> Result<Assessment> {
        self.write(|tx| {
            require_draft(tx.conn, assessment_id)?;
            let plugin: String = tx.conn.query_row(
                "SELECT plugin_sha256 FROM assessments WHERE id = ?1",
                params![assessment_id],
                |r| r.get(0),
            )?;
            set_final(
                tx.conn,
                assessment_id,
                evaluation,
                Some(tx.who),
                Some(tx.now.as_str()),
            )?;
            let old = to_json("assessment", &serde_json::json!({ "status": "draft" }))?;
            let new = to_json(
                "assessment",
                &serde_json::json!({
                    "status": "final",
                    "plugin_sha256": plugin,
                    "score": evaluation.score,
                    "verdict": evaluation.verdict.id,
                    "evaluation": evaluation,
                }),
            )?;
            tx.audit(
                "finalize",
                "assessment",
                assessment_id,
                Some(assessment_id),
                Some(&old),
                Some(&new),
            )?;
            get_assessment(tx.conn, assessment_id)
        })
    }
}

fn filter_sql(filter: &AssessmentFilter) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    if let Some(supplier) = &filter.supplier_id {
        clauses.push("a.supplier_id = ?");
        args.push(Value::Text(supplier.to_string()));
    }
    if let Some(status) = filter.status {
        clauses.push("a.status = ?");
        args.push(Value::Text(status.id().to_string()));
    }
    if clauses.is_empty() {
        (String::new(), args)
    } else {
        (format!(" WHERE {}", clauses.join(" AND ")), args)
    }
}
