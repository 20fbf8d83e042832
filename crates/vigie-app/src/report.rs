//! Reports of an assessment: gathers what `vigie-report` needs from the store and the plugin
//! that scores the assessment, for the CLI (`vigie report`) and the TUI alike.

use vigie_model::Evaluation;
use vigie_report::{
    ActionLine, ActionState, AnswerLine, AssessmentInfo, AssessmentState, EvidenceFileRef,
    EvidenceKind, EvidenceLine, Format, Lang, PluginRef, ReportInput, SupplierInfo,
};
use vigie_store::{
    ActionItem, ActionStatus, Assessment, AssessmentStatus, Contact, Evidence, StoredAnswer,
    Supplier,
};

use crate::workbench::{AppResult, Workbench};

/// An answer row as a report shows it.
pub fn answer_line(row: &StoredAnswer) -> AnswerLine {
    AnswerLine {
        question: row.question.clone(),
        value: row.value.clone(),
        note: row.note.clone(),
        revision: row.revision,
        to_confirm: row.to_confirm,
        updated_by: row.updated_by.clone(),
        updated_at: row.updated_at.clone(),
        source: vigie_report::AnswerSource::Auditor,
    }
}

/// The answer rows a report shows: the auditor's, marked verified when they confirm a
/// supplier declaration, then the supplier's declarations the auditor has not answered.
pub fn answer_lines(
    answers: &[StoredAnswer],
    declarations: &[vigie_store::Declaration],
) -> Vec<AnswerLine> {
    let mut lines: Vec<AnswerLine> = answers
        .iter()
        .map(|row| {
            let mut line = answer_line(row);
            if let Some(d) = declarations.iter().find(|d| {
                d.question == row.question
                    && d.confirmed_by.is_some()
                    && row.value.as_ref() == Some(&d.value)
            }) {
                line.source = vigie_report::AnswerSource::Verified {
                    respondent: d.respondent.clone(),
                };
            }
            line
        })
        .collect();
    for (answer, source) in crate::self_assessment::effective_answers(answers, declarations) {
        if let crate::self_assessment::Source::Declared(d) = source {
            lines.retain(|l| l.question != answer.question);
            lines.push(AnswerLine {
                question: answer.question,
                value: Some(answer.value),
                note: answer.note,
                revision: 0,
                to_confirm: false,
                updated_by: d.respondent.clone(),
                updated_at: d.imported_at.clone(),
                source: vigie_report::AnswerSource::Declared {
                    respondent: d.respondent.clone(),
                },
            });
        }
    }
    lines
}

/// A piece of evidence as a report shows it.
pub fn evidence_line(e: &Evidence) -> EvidenceLine {
    EvidenceLine {
        id: e.id.clone(),
        question: e.question.clone(),
        kind: match e.kind {
            vigie_store::EvidenceKind::Note => EvidenceKind::Note,
            vigie_store::EvidenceKind::File => EvidenceKind::File,
            vigie_store::EvidenceKind::Link => EvidenceKind::Link,
        },
        text: e.text.clone(),
        file: e.file.as_ref().map(|f| EvidenceFileRef {
            sha256: f.sha256.clone(),
            size: f.size,
            path: f.path.clone(),
        }),
        effective_date: e.effective_date,
        expiry_date: e.expiry_date,
        added_by: e.added_by.clone(),
        added_at: e.added_at.clone(),
    }
}

/// An action item as a report shows it.
pub fn action_line(x: &ActionItem) -> ActionLine {
    ActionLine {
        id: x.id.clone(),
        finding_id: x.finding_id.clone(),
        title: x.title.clone(),
        owner: x.owner.clone(),
        deadline: x.deadline,
        state: match x.status {
            ActionStatus::Open => ActionState::Open,
            ActionStatus::InProgress => ActionState::InProgress,
            ActionStatus::Done => ActionState::Done,
        },
    }
}

fn contact_line(c: &Contact) -> String {
    [
        Some(&c.name),
        c.role.as_ref(),
        c.email.as_ref(),
        c.phone.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .filter(|s| !s.trim().is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

/// A supplier as a report shows it.
pub fn supplier_info(s: &Supplier) -> SupplierInfo {
    SupplierInfo {
        id: s.id.clone(),
        name: s.name.clone(),
        country: s.country.clone(),
        sector: s.sector.clone(),
        services: s.services.clone(),
        contacts: s.contacts.iter().map(contact_line).collect(),
        criticality: s.criticality.id().to_string(),
    }
}

/// An assessment's header as a report shows it.
pub fn assessment_info(a: &Assessment) -> AssessmentInfo {
    AssessmentInfo {
        id: a.id.clone(),
        state: match a.status {
            AssessmentStatus::Draft => AssessmentState::Draft,
            AssessmentStatus::Final => AssessmentState::Final,
        },
        assessment_date: a.assessment_date,
        language: a.language.clone(),
        level: a.level.clone(),
        created_at: a.created_at.clone(),
        finalized_by: a.finalized_by.clone(),
        finalized_at: a.finalized_at.clone(),
        previous_assessment: a.previous_assessment.clone(),
    }
}

/// The plugin an assessment records.
pub fn plugin_ref(a: &Assessment) -> PluginRef {
    PluginRef {
        id: a.plugin_id.clone(),
        version: a.plugin_version.clone(),
        sha256: a.plugin_sha256.clone(),
    }
}

/// Who worked on the assessment: who started it first, then everyone else who answered,
/// added evidence, planned actions or finalized it, by name.
pub fn auditors(
    a: &Assessment,
    answers: &[StoredAnswer],
    evidence: &[Evidence],
    actions: &[ActionItem],
) -> Vec<String> {
    let mut others: Vec<&str> = answers
        .iter()
        .map(|x| x.updated_by.as_str())
        .chain(evidence.iter().map(|x| x.added_by.as_str()))
        .chain(
            actions
                .iter()
                .flat_map(|x| [x.created_by.as_str(), x.updated_by.as_str()]),
        )
        .chain(a.finalized_by.as_deref())
        .filter(|who| *who != a.auditor)
        .collect();
    others.sort_unstable();
    others.dedup();
    std::iter::once(a.auditor.clone())
        .chain(others.into_iter().map(str::to_string))
        .collect()
}

impl Workbench {
    /// The evaluation a report shows: the final one of a final assessment, else a fresh
    /// score of the stored answers by the plugin bytes the assessment records (nothing is
    /// written).
    pub fn evaluation_of(&mut self, assessment: &Assessment) -> AppResult<Evaluation> {
        if let Some(e) = &assessment.final_evaluation {
            return Ok(e.clone());
        }
        let plugin = self.plugin_for(assessment)?;
        let answers = self.scored_answers(&assessment.id)?;
        Ok(self
            .catalog
            .host()
            .evaluate(&plugin, &answers, &Self::context(assessment))?)
    }

    /// Everything the report of an assessment (id, prefix or short id) shows, including the
    /// comparison with the assessment it continues, if any. Reads only.
    pub fn report_input(&mut self, assessment_key: &str) -> AppResult<ReportInput> {
        let a = self.store.assessment(assessment_key)?;
        let supplier = self.store.supplier(&a.supplier_id)?;
        let plugin = self.plugin_for(&a)?;
        let evaluation = self.evaluation_of(&a)?;
        let answers = self.store.answers(&a.id)?;
        let evidence = self.store.list_evidence(&a.id, None)?;
        let actions = self.store.list_action_items(&a.id)?;
        let comparison = match &a.previous_assessment {
            Some(previous) => Some(self.compare(previous, &a.id)?),
            None => None,
        };
        Ok(ReportInput {
            supplier: supplier_info(&supplier),
            assessment: assessment_info(&a),
            plugin: plugin_ref(&a),
            questionnaire: plugin.questionnaire().as_ref().clone(),
            evaluation,
            answers: answer_lines(&answers, &self.store.declarations(&a.id)?),
            evidence: evidence.iter().map(evidence_line).collect(),
            actions: actions.iter().map(action_line).collect(),
            auditors: auditors(&a, &answers, &evidence, &actions),
            comparison,
        })
    }

    /// The report of an assessment in `format`, in `lang` (default: the assessment's
    /// language).
    pub fn report(
        &mut self,
        assessment_key: &str,
        format: Format,
        lang: Option<Lang>,
    ) -> AppResult<String> {
        let input = self.report_input(assessment_key)?;
        let lang = lang.unwrap_or_else(|| Lang::from_code(&input.assessment.language));
        Ok(vigie_report::render(&input, format, lang)?)
    }
}
