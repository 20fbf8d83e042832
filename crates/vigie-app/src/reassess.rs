//! Reassessment: a year later, a new assessment of the same supplier starts from the previous
//! answers (each marked "to confirm"), and a comparison shows what changed.

use vigie_model::Date;
use vigie_report::{Comparison, PluginRef, Side, compare};
use vigie_store::Assessment;

use crate::workbench::{AppError, AppResult, Workbench};

impl Workbench {
    /// Starts a reassessment of `assessment_key` dated `date`: the same supplier, language and
    /// level (when the plugin still has it), scored by the newest known plugin with the same
    /// id (the same bytes when none is newer), pre-filled with the previous answers and notes,
    /// each marked to confirm.
    pub fn reassess(&mut self, assessment_key: &str, date: Date) -> AppResult<Assessment> {
        self.reassess_with(assessment_key, date, None)
    }

    /// [`Workbench::reassess`] with another plugin (id or sha256 prefix) than the newest of
    /// the same id.
    pub fn reassess_with(
        &mut self,
        assessment_key: &str,
        date: Date,
        plugin_query: Option<&str>,
    ) -> AppResult<Assessment> {
        let previous = self.store.assessment(assessment_key)?;
        // Makes sure the previous plugin is known, so that "newest" includes it.
        let old_plugin = self.plugin_for(&previous)?;
        let entry = match plugin_query {
            Some(query) => self.find_plugin(query)?,
            None => self.find_plugin(old_plugin.id())?,
        };
        if entry.plugin.id() != previous.plugin_id {
            return Err(AppError::Invalid(format!(
                "a reassessment keeps the questionnaire: {} is not {}",
                entry.plugin.id(),
                previous.plugin_id
            )));
        }
        let level = previous.level.clone().filter(|l| {
            entry
                .plugin
                .questionnaire()
                .info
                .levels
                .iter()
                .any(|x| &x.id == l)
        });
        let sha = entry.plugin.sha256().to_string();
        self.new_assessment(
            &previous.supplier_id,
            &sha,
            date,
            &previous.language,
            level,
            Some(previous.id.to_string()),
        )
    }

    /// What changed from assessment `previous_key` to `current_key`: answers, criterion
    /// statuses, score and verdict, findings closed and opened. Each side is scored by its
    /// own plugin bytes (the final evaluation of a final assessment). Reads only.
    pub fn compare(&mut self, previous_key: &str, current_key: &str) -> AppResult<Comparison> {
        let previous = self.store.assessment(previous_key)?;
        let current = self.store.assessment(current_key)?;
        let old_eval = self.evaluation_of(&previous)?;
        let new_eval = self.evaluation_of(&current)?;
        let old_answers = self.store.answers(&previous.id)?;
        let new_answers = self.store.answers(&current.id)?;
        let (old_plugin, new_plugin) = (PluginRef::of(&previous), PluginRef::of(&current));
        let not_carried = self.not_accepted(&previous, &current)?;
        let mut comparison = compare(
            &Side {
                id: &previous.id,
                assessment_date: previous.assessment_date,
                plugin: &old_plugin,
                answers: &old_answers,
                evaluation: &old_eval,
            },
            &Side {
                id: &current.id,
                assessment_date: current.assessment_date,
                plugin: &new_plugin,
                answers: &new_answers,
                evaluation: &new_eval,
            },
        );
        comparison.not_carried = not_carried;
        Ok(comparison)
    }

    /// The questions of `previous` whose answer the plugin of `current` does not accept (it no
    /// longer has the question, or the value no longer fits it), by question id: a
    /// reassessment does not carry them over.
    fn not_accepted(
        &mut self,
        previous: &Assessment,
        current: &Assessment,
    ) -> AppResult<Vec<String>> {
        let plugin = self.plugin_for(current)?;
        let questionnaire = plugin.questionnaire();
        Ok(self
            .store
            .answers(&previous.id)?
            .into_iter()
            .filter(|a| {
                a.value
                    .as_ref()
                    .is_some_and(|v| !questionnaire.accepts(&a.question, v))
            })
            .map(|a| a.question)
            .collect())
    }

    /// For an assessment that continues another: the previous answers it did not carry over
    /// because its plugin version no longer has the question or accepts the value. Empty for
    /// an assessment that continues none.
    pub fn answers_not_carried(&mut self, assessment_key: &str) -> AppResult<Vec<String>> {
        let current = self.store.assessment(assessment_key)?;
        match &current.previous_assessment {
            Some(previous) => {
                let previous = self.store.assessment(previous)?;
                self.not_accepted(&previous, &current)
            }
            None => Ok(Vec::new()),
        }
    }

    /// The comparison of an assessment with the one it continues, if it continues one.
    pub fn compare_with_previous(&mut self, assessment_key: &str) -> AppResult<Option<Comparison>> {
        let current = self.store.assessment(assessment_key)?;
        match &current.previous_assessment {
            Some(previous) => Ok(Some(self.compare(previous, &current.id)?)),
            None => Ok(None),
        }
    }
}
