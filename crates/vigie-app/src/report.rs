//! Reports of an assessment: gathers what `vigie-report` needs from the store and the plugin
//! that scores the assessment, for the CLI (`vigie report`) and the TUI alike.

use vigie_model::Evaluation;
use vigie_report::{Format, Lang, ReportInput};
use vigie_store::{ActionItem, Assessment, Evidence, StoredAnswer};

use crate::workbench::{AppResult, Workbench, answers_of};

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
        let answers = answers_of(&self.store.answers(&assessment.id)?);
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
        Ok(ReportInput {
            supplier,
            assessment: a,
            questionnaire: plugin.questionnaire().as_ref().clone(),
            evaluation,
            answers,
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
