//! Supplier declarations: the answers a supplier gave in a self-assessment workbook, kept
//! beside the auditor's answers and never in their place.

use crate::db::{Db, Optional, params};
use serde::{Deserialize, Serialize};
use vigie_model::AnswerValue;

use crate::assessments::{get_answer, require_draft, write_answer};
use crate::error::{Result, StoreError};
use crate::types::StoredAnswer;
use crate::{Store, json_col, to_json};

/// The audit entity of an imported workbook (one row per import, with the file's sha256).
pub const SELF_ASSESSMENT_ENTITY: &str = "self-assessment";

/// One answer as the supplier declared it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Declaration {
    pub assessment_id: String,
    pub question: String,
    pub value: AnswerValue,
    pub note: Option<String>,
    /// Who filled the workbook (`Name <email>`), as the auditor named them.
    pub respondent: String,
    /// sha256 of the workbook it came from.
    pub file_sha256: String,
    pub imported_by: String,
    /// RFC 3339 UTC.
    pub imported_at: String,
    /// The auditor who confirmed it as their own answer, if one did.
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<String>,
}

/// A declaration to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewDeclaration {
    pub question: String,
    pub value: AnswerValue,
    pub note: Option<String>,
}

pub(crate) const SELECT_DECLARATION: &str = "SELECT assessment_id, question_id, value, note, respondent, \
     file_sha256, imported_by, imported_at, confirmed_by, confirmed_at FROM declarations";

pub(crate) fn declaration_row(row: &crate::db::Row<'_>) -> crate::db::Result<Declaration> {
    Ok(Declaration {
        assessment_id: row.get(0)?,
        question: row.get(1)?,
        value: json_col(row, 2)?,
        note: row.get(3)?,
        respondent: row.get(4)?,
        file_sha256: row.get(5)?,
        imported_by: row.get(6)?,
        imported_at: row.get(7)?,
        confirmed_by: row.get(8)?,
        confirmed_at: row.get(9)?,
    })
}

fn get_declaration(conn: &Db, assessment: &str, question: &str) -> Result<Option<Declaration>> {
    Ok(conn
        .query_row(
            &format!("{SELECT_DECLARATION} WHERE assessment_id = ?1 AND question_id = ?2"),
            params![assessment, question],
            declaration_row,
        )
        .optional()?)
}

#[derive(Serialize)]
struct DeclarationAudit<'a> {
    value: &'a AnswerValue,
    note: &'a Option<String>,
    respondent: &'a str,
    file_sha256: &'a str,
}

/// What a `declare` audit row records of a declaration, read back (an exchange file's
/// declarations are checked against it, or rebuilt from it for a file that predates them).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordedDeclaration {
    pub value: AnswerValue,
    pub note: Option<String>,
    pub respondent: String,
    pub file_sha256: String,
}

/// Writes a declaration as it is, without an audit row: an exchange import, whose carried
/// audit rows already record it.
pub(crate) fn upsert_declaration(conn: &Db, d: &Declaration) -> Result<()> {
    conn.execute(
        "INSERT INTO declarations (assessment_id, question_id, value, note, respondent, \
         file_sha256, imported_by, imported_at, confirmed_by, confirmed_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
         ON CONFLICT (assessment_id, question_id) DO UPDATE SET \
         value = excluded.value, note = excluded.note, respondent = excluded.respondent, \
         file_sha256 = excluded.file_sha256, imported_by = excluded.imported_by, \
         imported_at = excluded.imported_at, confirmed_by = excluded.confirmed_by, \
         confirmed_at = excluded.confirmed_at",
        params![
            d.assessment_id,
            d.question,
            to_json("declared value", &d.value)?,
            d.note,
            d.respondent,
            d.file_sha256,
            d.imported_by,
            d.imported_at,
            d.confirmed_by,
            d.confirmed_at,
        ],
    )?;
    Ok(())
}

fn audit_json(d: &Declaration) -> Result<String> {
    to_json(
        "declaration",
        &DeclarationAudit {
            value: &d.value,
            note: &d.note,
            respondent: &d.respondent,
            file_sha256: &d.file_sha256,
        },
    )
}

impl Store {
    /// Every declaration of an assessment (exact id), by question id.
    pub fn declarations(&self, assessment_id: &str) -> Result<Vec<Declaration>> {
        self.read(|conn| {
            crate::assessments::status_of(conn, assessment_id)?;
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT_DECLARATION} WHERE assessment_id = ?1 ORDER BY question_id"
            ))?;
            let rows = stmt.query_map(params![assessment_id], declaration_row)?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }

    /// Records the declarations of one workbook in one transaction: all or none. Each
    /// replaces an earlier declaration of the same question (audited, old and new); the
    /// auditor's answers are not touched. One more audit row records the import itself with
    /// the file's sha256 and the respondent. A final assessment gives [`StoreError::Frozen`].
    pub fn import_declarations(
        &self,
        assessment_id: &str,
        respondent: &str,
        file_sha256: &str,
        declarations: &[NewDeclaration],
    ) -> Result<usize> {
        let respondent = respondent.trim();
        if respondent.is_empty() {
            return Err(StoreError::Invalid(
                "a declaration needs the respondent's name".into(),
            ));
        }
        if file_sha256.len() != 64 || !file_sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid(format!(
                "`{file_sha256}` is not a sha256"
            )));
        }
        self.write(|tx| {
            require_draft(tx.conn, assessment_id)?;
            for d in declarations {
                let question = d.question.trim();
                if question.is_empty() {
                    return Err(StoreError::Invalid(
                        "a declaration needs a question id".into(),
                    ));
                }
                let old = get_declaration(tx.conn, assessment_id, question)?;
                let new = Declaration {
                    assessment_id: assessment_id.to_string(),
                    question: question.to_string(),
                    value: d.value.clone(),
                    note: d.note.clone().filter(|n| !n.trim().is_empty()),
                    respondent: respondent.to_string(),
                    file_sha256: file_sha256.to_ascii_lowercase(),
                    imported_by: tx.who.to_string(),
                    imported_at: tx.now.to_string(),
                    confirmed_by: None,
                    confirmed_at: None,
                };
                tx.conn.execute(
                    "INSERT INTO declarations (assessment_id, question_id, value, note, \
                     respondent, file_sha256, imported_by, imported_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                     ON CONFLICT (assessment_id, question_id) DO UPDATE SET \
                     value = excluded.value, note = excluded.note, \
                     respondent = excluded.respondent, file_sha256 = excluded.file_sha256, \
                     imported_by = excluded.imported_by, imported_at = excluded.imported_at, \
                     confirmed_by = NULL, confirmed_at = NULL",
                    params![
                        new.assessment_id,
                        new.question,
                        to_json("declared value", &new.value)?,
                        new.note,
                        new.respondent,
                        new.file_sha256,
                        new.imported_by,
                        new.imported_at,
                    ],
                )?;
                let old = old.as_ref().map(audit_json).transpose()?;
                let json = audit_json(&new)?;
                tx.audit(
                    "declare",
                    "declaration",
                    question,
                    Some(assessment_id),
                    old.as_deref(),
                    Some(&json),
                )?;
            }
            let import = to_json(
                "self-assessment import",
                &serde_json::json!({
                    "file_sha256": file_sha256.to_ascii_lowercase(),
                    "respondent": respondent,
                    "declarations": declarations.len(),
                }),
            )?;
            tx.audit(
                "import",
                SELF_ASSESSMENT_ENTITY,
                &file_sha256.to_ascii_lowercase(),
                Some(assessment_id),
                None,
                Some(&import),
            )?;
            Ok(declarations.len())
        })
    }

    /// Makes a declaration the auditor's own answer, if the answer is still at the revision
    /// the auditor saw (`base_revision`, `None`: no answer): the answer is written with the
    /// declared value and note (audited as `confirm`), and the declaration is marked
    /// confirmed. [`StoreError::NotFound`] when there is no declaration of that question.
    pub fn confirm_declaration(
        &self,
        assessment_id: &str,
        question: &str,
        base_revision: Option<i64>,
    ) -> Result<StoredAnswer> {
        self.write(|tx| {
            require_draft(tx.conn, assessment_id)?;
            let declaration =
                get_declaration(tx.conn, assessment_id, question)?.ok_or_else(|| {
                    StoreError::NotFound {
                        kind: "declaration",
                        key: question.to_string(),
                    }
                })?;
            let current = get_answer(tx.conn, assessment_id, question)?;
            let revision = current.as_ref().map_or(0, |a| a.revision);
            if base_revision.unwrap_or(0) != revision {
                let current = current.unwrap_or_else(|| StoredAnswer {
                    assessment_id: assessment_id.to_string().into(),
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
                    ours: Some(declaration.value),
                    current: Box::new(current),
                });
            }
            let answer = write_answer(
                tx,
                "confirm",
                assessment_id,
                question,
                current.as_ref(),
                Some(declaration.value.clone()),
                declaration.note.clone(),
            )?;
            tx.conn.execute(
                "UPDATE declarations SET confirmed_by = ?3, confirmed_at = ?4 \
                 WHERE assessment_id = ?1 AND question_id = ?2",
                params![assessment_id, question, tx.who, tx.now.as_str()],
            )?;
            Ok(answer)
        })
    }
}
