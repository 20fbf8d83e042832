//! How far an interview is: the one count the command line, the workbench and
//! the reports share, so they never disagree. Only questions that apply count;
//! an answer stored for a question that no longer applies (it can remain after
//! another answer changed) is neither progress nor scored, and is listed apart.

use std::collections::HashMap;

use vigie_model::{AnswerValue, Applicability, Questionnaire, applicable_items};
use vigie_store::StoredAnswer;

/// The progress of one assessment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Which sections and questions apply, given the answers and the level.
    pub applicability: Applicability,
    /// Applicable questions with an answer (a declined answer counts: it is one).
    pub answered: usize,
    /// Questions that apply.
    pub applicable: usize,
    /// Ids of the questions that do not apply but have a stored answer, in
    /// questionnaire order.
    pub answered_not_applicable: Vec<String>,
}

impl Progress {
    /// Computes the progress from `values` (question id → answer).
    pub fn of(
        questionnaire: &Questionnaire,
        values: &HashMap<&str, &AnswerValue>,
        level: Option<&str>,
    ) -> Progress {
        let applicability = applicable_items(questionnaire, values, level);
        let mut answered = 0;
        let mut applicable = 0;
        let mut answered_not_applicable = Vec::new();
        for (index, question) in questionnaire.questions.iter().enumerate() {
            let has_value = values.contains_key(question.id.as_str());
            if applicability.question(index) {
                applicable += 1;
                answered += usize::from(has_value);
            } else if has_value {
                answered_not_applicable.push(question.id.clone());
            }
        }
        Progress {
            applicability,
            answered,
            applicable,
            answered_not_applicable,
        }
    }

    /// [`Progress::of`] the stored rows (those with a value).
    pub fn of_rows(
        questionnaire: &Questionnaire,
        rows: &[StoredAnswer],
        level: Option<&str>,
    ) -> Progress {
        Progress::of(questionnaire, &values_of(rows), level)
    }

    /// Whether question `id` applies.
    pub fn applies(&self, questionnaire: &Questionnaire, id: &str) -> bool {
        questionnaire
            .question_index(id)
            .is_some_and(|i| self.applicability.question(i))
    }
}

/// Question id → value, for the rows that hold one.
pub fn values_of(rows: &[StoredAnswer]) -> HashMap<&str, &AnswerValue> {
    rows.iter()
        .filter_map(|r| r.value.as_ref().map(|v| (r.question.as_str(), v)))
        .collect()
}
