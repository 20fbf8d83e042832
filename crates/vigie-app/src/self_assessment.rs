//! The supplier self-assessment round trip: a workbook out for the supplier to fill, their
//! answers back in as declarations (planned, then applied in one transaction), verified in
//! the interview by confirming or replacing each.
//!
//! Scoring uses a declaration wherever the auditor has no answer of their own; the auditor's
//! answer always wins, and a declaration that differs from it is kept and shown beside it.

use std::collections::{HashMap, HashSet};

use vigie_model::{Answer, AnswerValue, Date, Lang, Questionnaire, applicable_items};
use vigie_store::{Assessment, AssessmentStatus, Declaration, NewDeclaration, StoredAnswer};
use vigie_workbook::{Binding, Expected, ExportRequest, Problem, WorkbookError};

use crate::workbench::{AppError, AppResult, Workbench};

/// How to export a workbook.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// Default: the assessment's language (French if it is `fr`, else English).
    pub lang: Option<Lang>,
    /// Who fills it (`Name <email>`); recorded with each declaration when it comes back.
    pub respondent: Option<String>,
    pub due: Option<Date>,
    /// Leave out the questions the auditor already answered (else shown read-only).
    pub only_unanswered: bool,
}

/// What one declaration of an import changes.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// No earlier declaration of the question.
    New,
    /// The same as the earlier declaration.
    Unchanged,
    /// Replaces an earlier, different declaration.
    Replaces(AnswerValue),
}

/// One declaration an import would record.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedDeclaration {
    pub question: String,
    pub value: AnswerValue,
    pub note: Option<String>,
    /// Where it was read: `1. Gouvernance!D5`.
    pub cell: String,
    pub change: Change,
    /// The auditor's own answer, if they gave one: it stays, whatever the declaration says.
    pub auditor: Option<AnswerValue>,
}

/// An import checked and ready to apply: nothing is written until [`Workbench::apply_self_assessment`].
#[derive(Clone, Debug)]
pub struct ImportPlan {
    pub assessment: Assessment,
    pub respondent: String,
    pub file_sha256: String,
    pub exported_at: String,
    pub declarations: Vec<PlannedDeclaration>,
}

impl ImportPlan {
    /// Declarations that differ from the answer the auditor gave (both are kept).
    pub fn differing(&self) -> impl Iterator<Item = &PlannedDeclaration> {
        self.declarations
            .iter()
            .filter(|d| d.auditor.as_ref().is_some_and(|a| *a != d.value))
    }
}

/// How far an assessment's applicable questions are: answered by the auditor (verified),
/// answered only by the supplier (declared), or not answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub verified: usize,
    pub declared: usize,
    pub open: usize,
}

/// Where an assessment's effective answer to a question comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// The auditor's own answer.
    Verified,
    /// The supplier's declaration; the auditor has not answered.
    Declared(Box<Declaration>),
}

/// The answers scoring uses: the auditor's, then the supplier's declarations where the
/// auditor has no answer; with where each comes from.
pub fn effective_answers(
    answers: &[StoredAnswer],
    declarations: &[Declaration],
) -> Vec<(Answer, Source)> {
    let mut out: Vec<(Answer, Source)> = answers
        .iter()
        .filter_map(StoredAnswer::to_answer)
        .map(|a| (a, Source::Verified))
        .collect();
    let answered: HashSet<String> = out.iter().map(|(a, _)| a.question.clone()).collect();
    for d in declarations {
        if !answered.contains(&d.question) {
            out.push((
                Answer {
                    question: d.question.clone(),
                    value: d.value.clone(),
                    note: d.note.clone(),
                },
                Source::Declared(Box::new(d.clone())),
            ));
        }
    }
    out
}

fn lang_of(assessment: &Assessment) -> Lang {
    Lang::from_code(&assessment.language)
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `sheet!cell` split back into its parts.
fn problem_at(cell: &str, message: String) -> Problem {
    match cell.rsplit_once('!') {
        Some((sheet, c)) => Problem {
            sheet: sheet.to_string(),
            cell: Some(c.to_string()),
            message,
        },
        None => Problem {
            sheet: cell.to_string(),
            cell: None,
            message,
        },
    }
}

impl Workbench {
    /// The workbook of a draft assessment for its supplier to fill in.
    pub fn export_self_assessment(
        &mut self,
        assessment_key: &str,
        options: &ExportOptions,
    ) -> AppResult<(Assessment, Vec<u8>)> {
        let assessment = self.store.assessment(assessment_key)?;
        if assessment.status == AssessmentStatus::Final {
            return Err(AppError::Invalid(format!(
                "assessment {} is final: a self-assessment is sent for a draft",
                assessment.id
            )));
        }
        let plugin = self.plugin_for(&assessment)?;
        let questionnaire = plugin.questionnaire();
        let answered: HashMap<String, AnswerValue> = self
            .store
            .answers(&assessment.id)?
            .into_iter()
            .filter_map(|a| a.value.map(|v| (a.question, v)))
            .collect();
        let bytes = vigie_workbook::export(&ExportRequest {
            questionnaire,
            binding: Binding {
                assessment_id: assessment.id.to_string(),
                plugin_id: assessment.plugin_id.clone(),
                plugin_version: assessment.plugin_version.clone(),
                plugin_sha256: assessment.plugin_sha256.clone(),
                exported_at: now_rfc3339(),
                lang: options.lang.unwrap_or_else(|| lang_of(&assessment)),
                respondent: options.respondent.clone(),
            },
            level: assessment.level.as_deref(),
            supplier: &assessment.supplier_name,
            return_to: self.store.auditor(),
            due: options.due,
            answered: &answered,
            only_unanswered: options.only_unanswered,
        })?;
        Ok((assessment, bytes))
    }

    /// Reads a filled workbook and plans its import: every cell checked against the
    /// assessment it is bound to; all problems, or what would be recorded. Writes nothing.
    pub fn plan_self_assessment(&mut self, bytes: &[u8]) -> AppResult<ImportPlan> {
        let workbook = vigie_workbook::open(bytes)?;
        let binding = workbook.binding().clone();
        let assessment = match self.store.assessment(&binding.assessment_id) {
            Ok(a) if a.id == binding.assessment_id => a,
            _ => {
                return Err(AppError::Invalid(format!(
                    "the workbook is for assessment {}, which is not in this database",
                    vigie_model::visible(&binding.assessment_id)
                )));
            }
        };
        if assessment.status == AssessmentStatus::Final {
            return Err(AppError::Invalid(format!(
                "assessment {} is final: its answers can no longer change",
                assessment.id
            )));
        }
        let plugin = self.plugin_for(&assessment)?;
        let questionnaire: &Questionnaire = plugin.questionnaire();
        let declared = workbook.declarations(
            questionnaire,
            &Expected {
                assessment_id: &assessment.id,
                plugin_id: &assessment.plugin_id,
                plugin_version: &assessment.plugin_version,
                plugin_sha256: &assessment.plugin_sha256,
            },
        )?;
        // The rules on the assessment itself (a past event cannot be dated after it).
        let problems: Vec<Problem> = declared
            .iter()
            .filter_map(|d| {
                let q = questionnaire.question(&d.question)?;
                d.value
                    .check_on(q, assessment.assessment_date)
                    .err()
                    .map(|e| problem_at(&d.cell, e.to_string()))
            })
            .collect();
        if !problems.is_empty() {
            return Err(WorkbookError::Problems(problems).into());
        }
        let answers: HashMap<String, AnswerValue> = self
            .store
            .answers(&assessment.id)?
            .into_iter()
            .filter_map(|a| a.value.map(|v| (a.question, v)))
            .collect();
        let earlier: HashMap<String, Declaration> = self
            .store
            .declarations(&assessment.id)?
            .into_iter()
            .map(|d| (d.question.clone(), d))
            .collect();
        let declarations = declared
            .into_iter()
            .map(|d| PlannedDeclaration {
                change: match earlier.get(&d.question) {
                    None => Change::New,
                    Some(e) if e.value == d.value && e.note == d.note => Change::Unchanged,
                    Some(e) => Change::Replaces(e.value.clone()),
                },
                auditor: answers.get(&d.question).cloned(),
                question: d.question,
                value: d.value,
                note: d.note,
                cell: d.cell,
            })
            .collect();
        Ok(ImportPlan {
            respondent: binding
                .respondent
                .clone()
                .unwrap_or_else(|| assessment.supplier_name.clone()),
            assessment,
            file_sha256: workbook.sha256().to_string(),
            exported_at: binding.exported_at,
            declarations,
        })
    }

    /// Records a plan's declarations (unchanged ones included, so the trail shows the file
    /// that confirmed them) in one transaction, with the file's sha256 in the audit trail.
    pub fn apply_self_assessment(&mut self, plan: &ImportPlan) -> AppResult<usize> {
        let declarations: Vec<NewDeclaration> = plan
            .declarations
            .iter()
            .map(|d| NewDeclaration {
                question: d.question.clone(),
                value: d.value.clone(),
                note: d.note.clone(),
            })
            .collect();
        Ok(self.store.import_declarations(
            &plan.assessment.id,
            &plan.respondent,
            &plan.file_sha256,
            &declarations,
        )?)
    }

    /// The answers scoring uses, with where each comes from (see [`effective_answers`]).
    pub fn effective_answers(&self, assessment_id: &str) -> AppResult<Vec<(Answer, Source)>> {
        Ok(effective_answers(
            &self.store.answers(assessment_id)?,
            &self.store.declarations(assessment_id)?,
        ))
    }

    /// Declarations the auditor has not answered yet: the interview's work list, in
    /// questionnaire order.
    pub fn declared_not_verified(&mut self, assessment_key: &str) -> AppResult<Vec<Declaration>> {
        let assessment = self.store.assessment(assessment_key)?;
        let plugin = self.plugin_for(&assessment)?;
        let questionnaire = plugin.questionnaire();
        let mut out: Vec<Declaration> = self
            .effective_answers(&assessment.id)?
            .into_iter()
            .filter_map(|(_, s)| match s {
                Source::Declared(d) => Some(*d),
                Source::Verified => None,
            })
            .collect();
        out.sort_by_key(|d| {
            questionnaire
                .question_index(&d.question)
                .unwrap_or(usize::MAX)
        });
        Ok(out)
    }

    /// How many answers that scoring uses are supplier declarations not yet verified.
    pub fn unverified_declarations(&self, assessment_id: &str) -> AppResult<usize> {
        Ok(self
            .effective_answers(assessment_id)?
            .iter()
            .filter(|(_, s)| matches!(s, Source::Declared(_)))
            .count())
    }

    /// Verified / declared / open among the questions that apply.
    pub fn progress(&mut self, assessment_key: &str) -> AppResult<Progress> {
        let assessment = self.store.assessment(assessment_key)?;
        let plugin = self.plugin_for(&assessment)?;
        let questionnaire = plugin.questionnaire();
        let effective = self.effective_answers(&assessment.id)?;
        let values: HashMap<&str, &AnswerValue> = effective
            .iter()
            .map(|(a, _)| (a.question.as_str(), &a.value))
            .collect();
        let sources: HashMap<&str, &Source> = effective
            .iter()
            .map(|(a, s)| (a.question.as_str(), s))
            .collect();
        let applicable = applicable_items(questionnaire, &values, assessment.level.as_deref());
        let mut progress = Progress::default();
        for (i, q) in questionnaire.questions.iter().enumerate() {
            if !applicable.question(i) {
                continue;
            }
            match sources.get(q.id.as_str()) {
                Some(Source::Verified) => progress.verified += 1,
                Some(Source::Declared(_)) => progress.declared += 1,
                None => progress.open += 1,
            }
        }
        Ok(progress)
    }

    /// Makes the supplier's declaration of `question` the auditor's own answer (audited as
    /// `confirm`). The auditor confirms what they see: the answer must be at the revision
    /// they saw (`base_revision`, `None`: no answer).
    pub fn confirm_declaration(
        &mut self,
        assessment_key: &str,
        question: &str,
        base_revision: Option<i64>,
    ) -> AppResult<StoredAnswer> {
        let assessment = self.store.assessment(assessment_key)?;
        Ok(self
            .store
            .confirm_declaration(&assessment.id, question, base_revision)?)
    }

    /// Confirms every declaration the auditor has not answered; answers the auditor gave
    /// stay as they are. Returns how many were confirmed.
    pub fn confirm_all_declarations(&mut self, assessment_key: &str) -> AppResult<usize> {
        let pending = self.declared_not_verified(assessment_key)?;
        for d in &pending {
            let revision = self
                .store
                .answer(&d.assessment_id, &d.question)?
                .map(|a| a.revision);
            self.store
                .confirm_declaration(&d.assessment_id, &d.question, revision)?;
        }
        Ok(pending.len())
    }
}
