//! Import: a plan (what the file would insert or update here, decided by reading only), then
//! the plan applied in the write transaction.

use std::collections::{BTreeMap, HashSet};

use crate::db::{Db, Optional, params};
use serde::Serialize;
use vigie_model::{ActionItemId, AssessmentId, EvidenceId};

use super::export::{actions_of, answers_of, build, declarations_of, evidence_of};
use super::{
    EXCHANGE_FILE_ENTITY, ExchangeError, ExchangeFile, ExchangedAssessment, FOREIGN_AUDIT_ENTITY,
    FOREIGN_SUPPLIER_AUDIT_ENTITY, ImportOutcome, ImportReport,
};
use crate::assessments::{
    AssessmentRow, clear_cached_evaluation, get_assessment, insert_draft_assessment, set_final,
    upsert_answer,
};
use crate::declarations::{Declaration, upsert_declaration};
use crate::error::StoreError;
use crate::records::{
    NewPluginKind, check_new_plugin, insert_evidence, insert_plugin_blob, upsert_action_item,
};
use crate::suppliers::{get_by_id as get_supplier, id_by_name_key, insert_supplier, name_key};
use crate::types::{
    ActionItem, AssessmentStatus, AuditEntry, Evidence, PluginBlobInfo, StoredAnswer, Supplier,
};
use crate::{Tx, to_json};

/// What importing an exchange file would change in a database, decided without writing
/// anything ([`crate::Store::plan_import`]). Applying it writes exactly this.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportPlan {
    pub assessment_id: AssessmentId,
    /// What the import would do; with [`ImportOutcome::Unchanged`] and
    /// [`ImportOutcome::AlreadyNewer`] it writes nothing at all.
    pub outcome: ImportOutcome,
    /// The plugin bytes are not here: they would be stored.
    pub add_plugin: bool,
    /// The supplier is not here: it would be added with its history.
    pub add_supplier: bool,
    /// The answers that would be written, by question id.
    pub answers: Vec<String>,
    /// The pieces of evidence that would be added.
    pub evidence: Vec<EvidenceId>,
    /// The action items that would be added or changed.
    pub action_items: Vec<ActionItemId>,
    /// The supplier declarations that would be written, by question id.
    pub declarations: Vec<String>,
    /// The assessment would become final.
    pub finalize: bool,
    /// How many of the file's audit rows (the last ones) would be carried.
    pub audit_rows: usize,
}

impl ImportPlan {
    fn nothing(id: &str, outcome: ImportOutcome) -> ImportPlan {
        ImportPlan {
            assessment_id: id.into(),
            outcome,
            add_plugin: false,
            add_supplier: false,
            answers: Vec::new(),
            evidence: Vec::new(),
            action_items: Vec::new(),
            declarations: Vec::new(),
            finalize: false,
            audit_rows: 0,
        }
    }

    /// Whether applying the plan writes anything.
    pub fn writes_anything(&self) -> bool {
        matches!(
            self.outcome,
            ImportOutcome::Created | ImportOutcome::Updated
        )
    }

    /// What applying the plan did, as an import reports it.
    fn report(&self) -> ImportReport {
        ImportReport {
            assessment_id: self.assessment_id.clone(),
            outcome: self.outcome,
            supplier_added: self.add_supplier,
            plugin_added: self.add_plugin,
            answers: self.answers.len(),
            evidence: self.evidence.len(),
            action_items: self.action_items.len(),
            declarations: self.declarations.len(),
            audit_rows: self.audit_rows,
        }
    }
}

/// Decides what importing `file` (already checked, its plugin `plugin_size` bytes) would
/// change, or why it is refused. Reads only.
pub(super) fn plan(
    conn: &Db,
    file: &ExchangeFile,
    plugin_size: usize,
) -> Result<ImportPlan, ExchangeError> {
    let a = &file.assessment;
    let id = a.id.as_str();
    // The declarations as the trail records them: the carried ones (checked equal to these)
    // or, in a file that predates them, the only record there is.
    let declared: Vec<Declaration> = file
        .recorded_declarations()?
        .into_values()
        .map(|(d, _)| d)
        .collect();

    // The plugin: content-addressed, so the same sha256 is the same bytes.
    let stored: Option<(String, String)> = conn
        .query_row(
            "SELECT plugin_id, version FROM plugin_blobs WHERE sha256 = ?1",
            params![&file.plugin.sha256],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let add_plugin = match stored {
        Some((pid, version)) => {
            if pid != file.plugin.plugin_id || version != file.plugin.version {
                return Err(ExchangeError::Tampered(format!(
                    "the file names its plugin {} {}, but these bytes are stored here as {pid} \
                     {version}",
                    file.plugin.plugin_id, file.plugin.version
                )));
            }
            false
        }
        None => {
            check_new_plugin(
                conn,
                &file.plugin.sha256,
                &file.plugin.plugin_id,
                &file.plugin.version,
                plugin_size,
                NewPluginKind::Installed,
            )?;
            true
        }
    };

    if let Some(previous) = &a.previous_assessment {
        let present: Option<i64> = conn
            .query_row(
                "SELECT 1 FROM assessments WHERE id = ?1",
                params![previous.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        if present.is_none() {
            return Err(ExchangeError::MissingPrevious {
                assessment: id.to_string(),
                previous: previous.to_string(),
            });
        }
    }

    let local = match get_assessment(conn, id) {
        Ok(local) => Some(local),
        Err(StoreError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };

    let carried_from = match &local {
        None => 0,
        Some(local) => {
            let here = build(conn, id)?;
            let mut details = Vec::new();
            let ours = ExchangedAssessment::from(local);
            if ours.supplier_id != a.supplier_id
                || ours.plugin_sha256 != a.plugin_sha256
                || ours.assessment_date != a.assessment_date
                || ours.created_at != a.created_at
                || ours.language != a.language
                || ours.level != a.level
                || ours.previous_assessment != a.previous_assessment
            {
                details.push(format!(
                    "assessment {id} here is not the assessment of the file (supplier, plugin, \
                     date or level differ)"
                ));
            }
            let theirs = &file.audit_trail;
            if details.is_empty()
                && theirs.len() < here.audit_trail.len()
                && theirs
                    .iter()
                    .zip(&here.audit_trail)
                    .all(|(t, h)| t.hash == h.hash)
            {
                return Ok(ImportPlan::nothing(id, ImportOutcome::AlreadyNewer));
            }
            let mut diverged = false;
            for (i, row) in here.audit_trail.iter().enumerate() {
                match theirs.get(i) {
                    Some(t) if t.hash == row.hash => {}
                    _ => {
                        diverged = true;
                        details.push(format!(
                            "this database has a change the file does not: {}",
                            describe(row)
                        ));
                        if details.len() >= 10 {
                            break;
                        }
                    }
                }
            }
            if diverged {
                let known: HashSet<&str> =
                    here.audit_trail.iter().map(|r| r.hash.as_str()).collect();
                if let Some(row) = theirs.iter().find(|r| !known.contains(r.hash.as_str())) {
                    details.push(format!(
                        "the file has a change this database does not: {}",
                        describe(row)
                    ));
                }
                let local_answers: BTreeMap<&str, &StoredAnswer> = here
                    .answers
                    .iter()
                    .map(|x| (x.question.as_str(), x))
                    .collect();
                for answer in &file.answers {
                    if let Some(mine) = local_answers.get(answer.question.as_str())
                        && (mine.value != answer.value || mine.note != answer.note)
                    {
                        details.push(format!(
                            "the answer to {} is revision {} by {} here, revision {} by {} in the file",
                            answer.question, mine.revision, mine.updated_by, answer.revision,
                            answer.updated_by
                        ));
                    }
                }
            }
            if !details.is_empty() {
                return Err(conflict(id, details));
            }
            if here.audit_trail.len() == theirs.len() {
                if here.assessment == file.assessment
                    && here.answers == file.answers
                    && here.evidence == file.evidence
                    && here.action_items == file.action_items
                    && here.declarations == declared
                {
                    return Ok(ImportPlan::nothing(id, ImportOutcome::Unchanged));
                }
                return Err(conflict(
                    id,
                    vec![format!(
                        "assessment {id} here has the same history as the file but different \
                         data: one of the two databases was changed behind Vigie's back"
                    )],
                ));
            }
            // Fast-forward: everything here must appear, unchanged or later changed, in the file.
            let theirs_answers: HashSet<&str> =
                file.answers.iter().map(|x| x.question.as_str()).collect();
            let theirs_evidence: BTreeMap<&str, &Evidence> =
                file.evidence.iter().map(|x| (x.id.as_str(), x)).collect();
            let theirs_actions: HashSet<&str> =
                file.action_items.iter().map(|x| x.id.as_str()).collect();
            let mut details = Vec::new();
            for x in &here.answers {
                if !theirs_answers.contains(x.question.as_str()) {
                    details.push(format!(
                        "the answer to {} is here but not in the file",
                        x.question
                    ));
                }
            }
            for x in &here.evidence {
                if theirs_evidence.get(x.id.as_str()) != Some(&x) {
                    details.push(format!("evidence {} here is not the file's", x.id));
                }
            }
            for x in &here.action_items {
                if !theirs_actions.contains(x.id.as_str()) {
                    details.push(format!("action item {} is here but not in the file", x.id));
                }
            }
            if local.status == AssessmentStatus::Final
                && (here.assessment != file.assessment
                    || here.answers != file.answers
                    || here.declarations != declared)
            {
                details.push(format!(
                    "assessment {id} is final here: its answers cannot change"
                ));
            }
            if !details.is_empty() {
                return Err(conflict(id, details));
            }
            here.audit_trail.len()
        }
    };

    // The supplier: the same record, or none here. (An import that changes nothing has
    // returned above, whatever the supplier became here since.)
    let add_supplier = match get_supplier(conn, &file.supplier.id)? {
        Some(local) if local == file.supplier => false,
        Some(local) => return Err(conflict(id, supplier_differences(&local, &file.supplier))),
        None => {
            if let Some(other) = id_by_name_key(conn, &name_key(&file.supplier.name))? {
                return Err(conflict(
                    id,
                    vec![format!(
                        "another supplier named `{}` exists here (id {other}, the file's is {})",
                        file.supplier.name, file.supplier.id
                    )],
                ));
            }
            true
        }
    };

    let local_answers: BTreeMap<String, StoredAnswer> = answers_of(conn, id)?
        .into_iter()
        .map(|x| (x.question.clone(), x))
        .collect();
    let answers = file
        .answers
        .iter()
        .filter(|x| local_answers.get(&x.question) != Some(*x))
        .map(|x| x.question.clone())
        .collect();
    let local_evidence: HashSet<EvidenceId> =
        evidence_of(conn, id)?.into_iter().map(|x| x.id).collect();
    let evidence = file
        .evidence
        .iter()
        .filter(|x| !local_evidence.contains(&x.id))
        .map(|x| x.id.clone())
        .collect();
    let local_actions: BTreeMap<ActionItemId, ActionItem> = actions_of(conn, id)?
        .into_iter()
        .map(|x| (x.id.clone(), x))
        .collect();
    let action_items = file
        .action_items
        .iter()
        .filter(|x| local_actions.get(&x.id) != Some(*x))
        .map(|x| x.id.clone())
        .collect();
    let local_declarations: BTreeMap<String, Declaration> = declarations_of(conn, id)?
        .into_iter()
        .map(|x| (x.question.clone(), x))
        .collect();
    let declarations = declared
        .iter()
        .filter(|x| local_declarations.get(&x.question) != Some(*x))
        .map(|x| x.question.clone())
        .collect();

    let local_status = local.as_ref().map(|l| l.status);
    let finalize =
        a.status == AssessmentStatus::Final && local_status != Some(AssessmentStatus::Final);
    if finalize && a.final_evaluation.is_none() {
        return Err(ExchangeError::Tampered(
            "a final assessment without its evaluation".into(),
        ));
    }

    Ok(ImportPlan {
        assessment_id: a.id.clone(),
        outcome: if local.is_some() {
            ImportOutcome::Updated
        } else {
            ImportOutcome::Created
        },
        add_plugin,
        add_supplier,
        answers,
        evidence,
        action_items,
        declarations,
        finalize,
        audit_rows: file.audit_trail.len().saturating_sub(carried_from),
    })
}

/// Writes what `plan` (made in this transaction) says, and audits it.
pub(super) fn apply(
    tx: &mut Tx<'_>,
    file: &ExchangeFile,
    plan: &ImportPlan,
    bytes: &[u8],
    origin: &str,
) -> Result<ImportReport, ExchangeError> {
    let report = plan.report();
    if !plan.writes_anything() {
        return Ok(report);
    }
    let a = &file.assessment;
    let id = a.id.as_str();

    if plan.add_plugin {
        let info = PluginBlobInfo {
            sha256: file.plugin.sha256.clone(),
            size: bytes.len() as u64,
            plugin_id: file.plugin.plugin_id.clone(),
            version: file.plugin.version.clone(),
            origin: origin.to_string(),
            added_by: tx.who.to_string(),
            added_at: tx.now.to_string(),
        };
        insert_plugin_blob(tx.conn, &info, bytes)?;
        let new = to_json(
            "plugin",
            &serde_json::json!({
                "sha256": file.plugin.sha256,
                "size": file.plugin.size,
                "plugin_id": file.plugin.plugin_id,
                "version": file.plugin.version,
                "origin": origin,
            }),
        )?;
        tx.audit(
            "import",
            "plugin",
            &file.plugin.sha256,
            None,
            None,
            Some(&new),
        )?;
    }

    if plan.add_supplier {
        let s = &file.supplier;
        insert_supplier(tx.conn, s)?;
        if file.supplier_trail.is_empty() {
            // A version 1 file: the import itself is the supplier's first row here.
            let new = to_json("supplier", s)?;
            tx.audit("import", "supplier", &s.id, None, None, Some(&new))?;
        } else {
            // Its history as the other database recorded it, so that an export from here
            // carries the same rows.
            for row in &file.supplier_trail {
                let json = to_json("audit row", row)?;
                tx.audit(
                    "import",
                    FOREIGN_SUPPLIER_AUDIT_ENTITY,
                    &s.id,
                    None,
                    None,
                    Some(&json),
                )?;
            }
        }
    }

    match plan.outcome {
        ImportOutcome::Created => insert_draft_assessment(
            tx.conn,
            &AssessmentRow {
                id,
                supplier_id: &a.supplier_id,
                plugin_sha256: &a.plugin_sha256,
                plugin_id: &a.plugin_id,
                plugin_version: &a.plugin_version,
                auditor: &a.auditor,
                assessment_date: a.assessment_date,
                language: &a.language,
                level: a.level.as_deref(),
                created_at: a.created_at.as_str(),
                previous_assessment: a.previous_assessment.as_deref(),
            },
        )?,
        // The cached evaluation no longer matches the answers: the app scores again.
        _ => clear_cached_evaluation(tx.conn, id)?,
    }

    let answers: HashSet<&str> = plan.answers.iter().map(String::as_str).collect();
    for answer in file
        .answers
        .iter()
        .filter(|x| answers.contains(x.question.as_str()))
    {
        upsert_answer(tx.conn, answer)?;
    }
    let evidence: HashSet<&EvidenceId> = plan.evidence.iter().collect();
    for e in file.evidence.iter().filter(|x| evidence.contains(&x.id)) {
        insert_evidence(tx.conn, e)?;
    }
    let actions: HashSet<&ActionItemId> = plan.action_items.iter().collect();
    for item in file.action_items.iter().filter(|x| actions.contains(&x.id)) {
        upsert_action_item(tx.conn, item)?;
    }
    if !plan.declarations.is_empty() {
        let wanted: HashSet<&str> = plan.declarations.iter().map(String::as_str).collect();
        for (d, _) in file.recorded_declarations()?.values() {
            if wanted.contains(d.question.as_str()) {
                upsert_declaration(tx.conn, d)?;
            }
        }
    }

    // Last, since a final assessment refuses answers: its final state.
    if plan.finalize {
        let evaluation = a.final_evaluation.as_ref().ok_or_else(|| {
            ExchangeError::Tampered("a final assessment without its evaluation".into())
        })?;
        set_final(
            tx.conn,
            id,
            evaluation,
            a.finalized_by.as_deref(),
            a.finalized_at.as_ref().map(|t| t.as_str()),
        )?;
    }

    let carried_from = file.audit_trail.len().saturating_sub(plan.audit_rows);
    for row in &file.audit_trail[carried_from..] {
        let json = to_json("audit row", row)?;
        tx.audit(
            "import",
            FOREIGN_AUDIT_ENTITY,
            &row.hash,
            Some(id),
            None,
            Some(&json),
        )?;
    }
    let summary = to_json(
        "import",
        &serde_json::json!({
            "format": file.format,
            "version": file.version,
            "outcome": report.outcome,
            "supplier_added": report.supplier_added,
            "plugin_added": report.plugin_added,
            "answers": report.answers,
            "evidence": report.evidence,
            "action_items": report.action_items,
            "declarations": report.declarations,
            "audit_rows": report.audit_rows,
        }),
    )?;
    tx.audit(
        "import",
        EXCHANGE_FILE_ENTITY,
        id,
        Some(id),
        None,
        Some(&summary),
    )?;
    Ok(report)
}

/// Differences between two suppliers, field by field, for a conflict message.
fn supplier_differences(local: &Supplier, file: &Supplier) -> Vec<String> {
    let mut out = Vec::new();
    let mut diff = |field: &str, a: String, b: String| {
        if a != b {
            out.push(format!(
                "supplier {}: {field} is {a} here, {b} in the file",
                local.id
            ));
        }
    };
    diff(
        "name",
        format!("{:?}", local.name),
        format!("{:?}", file.name),
    );
    diff(
        "country",
        format!("{:?}", local.country),
        format!("{:?}", file.country),
    );
    diff(
        "sector",
        format!("{:?}", local.sector),
        format!("{:?}", file.sector),
    );
    diff(
        "services",
        format!("{:?}", local.services),
        format!("{:?}", file.services),
    );
    diff(
        "contacts",
        format!("{:?}", local.contacts),
        format!("{:?}", file.contacts),
    );
    diff(
        "criticality",
        local.criticality.to_string(),
        file.criticality.to_string(),
    );
    diff(
        "last change",
        format!("by {} at {}", local.updated_by, local.updated_at),
        format!("by {} at {}", file.updated_by, file.updated_at),
    );
    out
}

/// Describes an audit row for a person.
fn describe(row: &AuditEntry) -> String {
    format!(
        "{} {} {} by {} at {}",
        row.action, row.entity, row.entity_id, row.who, row.at
    )
}

fn conflict(assessment: &str, details: Vec<String>) -> ExchangeError {
    ExchangeError::Conflict {
        assessment: assessment.to_string(),
        details,
    }
}
