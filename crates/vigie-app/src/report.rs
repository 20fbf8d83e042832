//! Reports of an assessment: gathers what `vigie-report` needs from the store and the plugin
//! that scores the assessment, for the CLI (`vigie report`) and the TUI alike.

use std::collections::HashMap;

use vigie_model::{Evaluation, Timestamp};
use vigie_report::{AnswerSource, Format, Lang, ReportInput};
use vigie_store::{ActionItem, Assessment, Evidence, StoredAnswer};

use crate::workbench::{AppResult, Workbench};

/// The answer rows a report shows, with where each comes from: the auditor's (marked
/// verified when they confirm a supplier declaration), then the supplier's declarations the
/// auditor has not answered, as rows of their own.
pub fn answers_with_sources(
    answers: &[StoredAnswer],
    declarations: &[vigie_store::Declaration],
) -> (Vec<StoredAnswer>, HashMap<String, AnswerSource>) {
    let mut rows = answers.to_vec();
    let mut sources = HashMap::new();
    for row in answers {
        if let Some(d) = declarations.iter().find(|d| {
            d.question == row.question
                && d.confirmed_by.is_some()
                && row.value.as_ref() == Some(&d.value)
        }) {
            sources.insert(
                row.question.clone(),
                AnswerSource::Verified {
                    respondent: d.respondent.clone(),
                },
            );
        }
    }
    for (answer, source) in crate::self_assessment::effective_answers(answers, declarations) {
        let crate::self_assessment::Source::Declared(d) = source else {
            continue;
        };
        // A row another program wrote with a malformed import time still shows, dated
        // when this report is made.
        let imported_at = d
            .imported_at
            .parse()
            .unwrap_or_else(|_| Timestamp::from_datetime(time::OffsetDateTime::now_utc()));
        rows.retain(|r| r.question != answer.question);
        sources.insert(
            answer.question.clone(),
            AnswerSource::Declared {
                respondent: d.respondent.clone(),
            },
        );
        rows.push(StoredAnswer {
            assessment_id: d.assessment_id.clone().into(),
            question: answer.question,
            value: Some(answer.value),
            note: answer.note,
            revision: 0,
            to_confirm: false,
            updated_by: d.respondent.clone(),
            updated_at: imported_at,
        });
    }
    (rows, sources)
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
        let auditors = auditors(&a, &answers, &evidence, &actions);
        let (answers, answer_sources) =
            answers_with_sources(&answers, &self.store.declarations(&a.id)?);
        Ok(ReportInput {
            supplier,
            assessment: a,
            questionnaire: plugin.questionnaire().as_ref().clone(),
            evaluation,
            answers,
            answer_sources,
            evidence,
            actions,
            auditors,
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
