//! `vigie plugin check`: load a plugin file, validate what it describes, and
//! evaluate it on generated answer sets, stopping at the first problem with a
//! message an author can act on.

use std::collections::HashMap;

use vigie_model::{Answer, AnswerKind, AnswerValue, Date, EvalContext, Evaluation, Questionnaire, YesNo};
use vigie_plugin_host::{Host, Plugin, PluginError};

/// One answer set the check evaluates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trial {
    /// No answer at all.
    Empty,
    /// The first (best) option everywhere.
    Favourable,
    /// The last (worst) option everywhere.
    Unfavourable,
    /// Every question declined.
    Declined,
}

impl Trial {
    pub const ALL: [Trial; 4] = [Trial::Empty, Trial::Favourable, Trial::Unfavourable, Trial::Declined];

    pub fn name(self) -> &'static str {
        match self {
            Trial::Empty => "no answers",
            Trial::Favourable => "first option everywhere",
            Trial::Unfavourable => "last option everywhere",
            Trial::Declined => "every question declined",
        }
    }
}

/// What a successful check found.
#[derive(Debug)]
pub struct CheckReport {
    pub plugin: Plugin,
    pub trials: Vec<(Trial, usize, Evaluation)>,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Load(PluginError),
    #[error("evaluating with {trial} ({answers} answers) failed: {source}")]
    Evaluate {
        trial: &'static str,
        answers: usize,
        source: PluginError,
    },
    #[error("evaluate is not deterministic: the same answers ({trial}) gave two different results")]
    NotDeterministic { trial: &'static str },
}

fn sample_value(kind: &AnswerKind, trial: Trial, date: Date) -> Option<AnswerValue> {
    let last = trial == Trial::Unfavourable;
    Some(match (kind, trial) {
        (_, Trial::Empty) => return None,
        (_, Trial::Declined) => AnswerValue::Declined,
        (AnswerKind::YesNo, _) => AnswerValue::YesNo(if last { YesNo::No } else { YesNo::Yes }),
        (AnswerKind::SingleChoice(c), _) => AnswerValue::Choice(pick(c, last)?.id.clone()),
        (AnswerKind::MultipleChoice(c), _) => AnswerValue::Choices(vec![pick(c, last)?.id.clone()]),
        (AnswerKind::Integer(b), _) => {
            let v = if last { b.min.unwrap_or(0.0) } else { b.max.unwrap_or(b.min.unwrap_or(0.0).max(1.0)) };
            AnswerValue::Integer(v as i64)
        }
        (AnswerKind::Decimal(b), _) => {
            AnswerValue::Decimal(if last { b.min.unwrap_or(0.0) } else { b.max.unwrap_or(b.min.unwrap_or(0.0).max(1.0)) })
        }
        (AnswerKind::Text, _) => AnswerValue::Text("vigie plugin check".into()),
        (AnswerKind::Date, _) => AnswerValue::Date(if last { date.add_days(-3650).unwrap_or(date) } else { date }),
    })
}

fn pick(choices: &[vigie_model::Choice], last: bool) -> Option<&vigie_model::Choice> {
    if last { choices.last() } else { choices.first() }
}

/// Answers for `trial`, given question by question so that conditional
/// questions opened by earlier answers are answered too.
pub fn trial_answers(questionnaire: &Questionnaire, trial: Trial, date: Date, level: Option<&str>) -> Vec<Answer> {
    let mut answers: Vec<Answer> = Vec::new();
    for question in &questionnaire.questions {
        let by_id: HashMap<&str, &AnswerValue> = answers.iter().map(|a| (a.question.as_str(), &a.value)).collect();
        let applies = vigie_model::applicable_items(questionnaire, &by_id, level);
        let index = questionnaire.question_index(&question.id).unwrap_or(usize::MAX);
        if !applies.question(index) {
            continue;
        }
        if let Some(value) = sample_value(&question.kind, trial, date) {
            answers.push(Answer {
                question: question.id.clone(),
                value,
                note: None,
            });
        }
    }
    answers
}

/// Loads `bytes` and runs every trial (for each level when the plugin has levels).
pub fn check_plugin(host: &Host, bytes: &[u8], origin: &str, date: Date) -> Result<CheckReport, CheckError> {
    let plugin = host.load(bytes, origin).map_err(CheckError::Load)?;
    let questionnaire = plugin.questionnaire().clone();
    let levels: Vec<Option<String>> = if questionnaire.info.levels.is_empty() {
        vec![None]
    } else {
        questionnaire.info.levels.iter().map(|l| Some(l.id.clone())).collect()
    };
    let mut trials = Vec::new();
    for level in &levels {
        let context = EvalContext {
            assessment_date: date,
            language: questionnaire.info.languages.first().cloned().unwrap_or_default(),
            level: level.clone(),
        };
        for trial in Trial::ALL {
            let answers = trial_answers(&questionnaire, trial, date, level.as_deref());
            let evaluate = || {
                host.evaluate(&plugin, &answers, &context).map_err(|source| CheckError::Evaluate {
                    trial: trial.name(),
                    answers: answers.len(),
                    source,
                })
            };
            let first = evaluate()?;
            if evaluate()? != first {
                return Err(CheckError::NotDeterministic { trial: trial.name() });
            }
            trials.push((trial, answers.len(), first));
        }
    }
    Ok(CheckReport { plugin, trials })
}
