//! `vigie plugin check`: load a plugin file, validate what it describes, and
//! evaluate it on generated answer sets, stopping at the first problem with a
//! message an author can act on.

use std::collections::HashMap;

use vigie_model::{
    Answer, AnswerKind, AnswerValue, Date, EvalContext, Evaluation, Questionnaire, YesNo,
};
use vigie_plugin_host::{Call, Host, Plugin, PluginError};

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
    pub const ALL: [Trial; 4] = [
        Trial::Empty,
        Trial::Favourable,
        Trial::Unfavourable,
        Trial::Declined,
    ];

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
    #[error("evaluate failed on the check's answer set \"{trial}\" ({answers} answers): {source}")]
    Evaluate {
        trial: &'static str,
        answers: usize,
        source: PluginError,
    },
    #[error(
        "evaluate is not deterministic: the same answers (the check's answer set \"{trial}\") gave two different results"
    )]
    NotDeterministic { trial: &'static str },
}

impl CheckError {
    /// What the plugin's author can do about the error: one line, naming
    /// the limit or the build setting involved.
    pub fn hint(&self) -> String {
        match self {
            CheckError::Load(e) => hint(e),
            CheckError::Evaluate { source, .. } => hint(source),
            CheckError::NotDeterministic { .. } => "evaluate must depend on its answers and context only: no \
                 randomness, no clock, no state kept between calls, no iteration over a HashMap whose order \
                 varies (use a BTreeMap or a Vec)"
                .into(),
        }
    }
}

/// An actionable hint for each kind of plugin error.
pub fn hint(error: &PluginError) -> String {
    use PluginError::*;
    match error {
        Empty { .. } => "build the plugin first (`cargo build --release`) and pass \
            target/wasm32-unknown-unknown/release/NAME.wasm"
            .into(),
        NotAComponent { .. } => "build for wasm32-unknown-unknown with the linker wasm-component-ld (the \
            .cargo/config.toml that `vigie plugin new` writes does both); a core module can also be wrapped with \
            `wasm-tools component new`"
            .into(),
        Compile { .. } => "the file is not a valid component: rebuild it with the toolchain of rust-toolchain.toml; \
            for a .wat file, the message gives the offset of the problem"
            .into(),
        ForbiddenImports { .. } => "build for wasm32-unknown-unknown, not wasm32-wasip1/wasip2, and use no std API \
            that needs the operating system (files, clock, environment, randomness): everything the rules need \
            arrives as an argument"
            .into(),
        WrongInterfaceVersion { .. } => "rebuild against this Vigie's wit/questionnaire.wit (point Cargo.toml's SDK \
            paths at this Vigie's checkout): a 1.x host loads plugins built against 1.y with y <= x"
            .into(),
        MissingExport { .. } => "export the plugin interface: with the Rust SDK, \
            `#[cfg(target_arch = \"wasm32\")] vigie_plugin_sdk::export_plugin!(YourType);` in src/lib.rs"
            .into(),
        OutOfFuel { budget, .. } => format!(
            "look for an endless loop, or simplify the rules: a real questionnaire uses a tiny part of the \
             budget (Limits::fuel = {budget} units; VIGIE_PLUGIN_FUEL raises it)"
        ),
        Timeout { limit, .. } => format!(
            "look for an endless loop, or simplify the rules (Limits::time = {} ms per call; VIGIE_PLUGIN_TIME_MS raises it)",
            limit.as_millis()
        ),
        MemoryCap { cap, .. } => format!(
            "build less data at once: the plugin's memory may grow to Limits::memory_bytes = {} MiB (VIGIE_PLUGIN_MEMORY_MIB raises it)",
            cap >> 20
        ),
        StackOverflow { stack, .. } => format!(
            "replace deep or endless recursion with a loop (Limits::stack_bytes = {} KiB)",
            stack >> 10
        ),
        Trap { .. } => "a panic in Rust (unwrap, expect, index out of bounds, overflow) shows as `unreachable`: run \
            the rules natively (`cargo test-native`) to see the panic message and line"
            .into(),
        InvalidOutput { call: Call::Evaluate, .. } => "fix what the rules return for the item and field named: one \
            result per criterion, ids of 1-64 characters from a-z 0-9 . _ -, a text in every declared language, \
            scores in 0..100, sizes within OutputLimits"
            .into(),
        InvalidOutput { .. } => "fix the item and field named in questionnaire.toml (with the Rust SDK), or in what \
            describe returns"
            .into(),
        Rejected { .. } => "evaluate returned an error: the check sends every kind of valid answer set (none, \
            first or last option everywhere, all declined), and evaluate must accept them all"
            .into(),
        InvalidAnswer { .. } => "the answer does not fit the question's kind, choices or bounds".into(),
        Engine(_) => "the WebAssembly engine could not start on this machine; this is not the plugin's fault".into(),
    }
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
            // Whole numbers inside the bounds (a fractional bound rounds inwards).
            let lo = b.min.map(f64::ceil);
            let hi = b.max.map(f64::floor);
            AnswerValue::Integer(pick_number(lo, hi, last) as i64)
        }
        (AnswerKind::Decimal(b), _) => AnswerValue::Decimal(pick_number(b.min, b.max, last)),
        (AnswerKind::Text, _) => AnswerValue::Text("vigie plugin check".into()),
        (AnswerKind::Date, _) => AnswerValue::Date(if last {
            date.add_days(-3650).unwrap_or(date)
        } else {
            date
        }),
    })
}

/// A number within `lo..=hi` (either may be open): the low end for the
/// unfavourable trial, the high end for the favourable one, else 0 or 1
/// moved inside the bounds.
fn pick_number(lo: Option<f64>, hi: Option<f64>, last: bool) -> f64 {
    let wanted = match (last, lo, hi) {
        (true, Some(lo), _) => lo,
        (false, _, Some(hi)) => hi,
        (true, None, _) => 0.0,
        (false, _, None) => 1.0,
    };
    let wanted = lo.map_or(wanted, |lo| wanted.max(lo));
    hi.map_or(wanted, |hi| wanted.min(hi))
}

fn pick(choices: &[vigie_model::Choice], last: bool) -> Option<&vigie_model::Choice> {
    if last {
        choices.last()
    } else {
        choices.first()
    }
}

/// Answers for `trial`: a sample value for every question that applies, so that
/// conditional questions opened by earlier answers are answered too.
///
/// One applicability pass settles it: a condition only names an earlier question (the host
/// checks it), and `applicable_items` decides each question from the answers of the earlier
/// questions that apply, so giving every question its sample value and keeping those that
/// apply is the same as answering question by question. The cost is linear in the
/// questionnaire's conditions (which describe's output limits bound); recomputing
/// applicability before each question was quadratic, and ran outside any plugin limit.
pub fn trial_answers(
    questionnaire: &Questionnaire,
    trial: Trial,
    date: Date,
    level: Option<&str>,
) -> Vec<Answer> {
    let samples: Vec<(usize, AnswerValue)> = questionnaire
        .questions
        .iter()
        .enumerate()
        .filter_map(|(i, q)| sample_value(&q.kind, trial, date).map(|v| (i, v)))
        .collect();
    let by_id: HashMap<&str, &AnswerValue> = samples
        .iter()
        .map(|(i, v)| (questionnaire.questions[*i].id.as_str(), v))
        .collect();
    let applies = vigie_model::applicable_items(questionnaire, &by_id, level);
    samples
        .iter()
        .filter(|(i, _)| applies.question(*i))
        .map(|(i, value)| Answer {
            question: questionnaire.questions[*i].id.clone(),
            value: value.clone(),
            note: None,
        })
        .collect()
}

/// Loads `bytes` and runs every trial (for each level when the plugin has levels).
pub fn check_plugin(
    host: &Host,
    bytes: &[u8],
    origin: &str,
    date: Date,
) -> Result<CheckReport, CheckError> {
    let plugin = host.load(bytes, origin).map_err(CheckError::Load)?;
    let questionnaire = plugin.questionnaire().clone();
    let levels: Vec<Option<String>> = if questionnaire.info.levels.is_empty() {
        vec![None]
    } else {
        questionnaire
            .info
            .levels
            .iter()
            .map(|l| Some(l.id.clone()))
            .collect()
    };
    let mut trials = Vec::new();
    for level in &levels {
        let context = EvalContext {
            assessment_date: date,
            language: questionnaire
                .info
                .languages
                .first()
                .cloned()
                .unwrap_or_default(),
            level: level.clone(),
        };
        for trial in Trial::ALL {
            let answers = trial_answers(&questionnaire, trial, date, level.as_deref());
            let evaluate = || {
                host.evaluate(&plugin, &answers, &context)
                    .map_err(|source| CheckError::Evaluate {
                        trial: trial.name(),
                        answers: answers.len(),
                        source,
                    })
            };
            let first = evaluate()?;
            if evaluate()? != first {
                return Err(CheckError::NotDeterministic {
                    trial: trial.name(),
                });
            }
            trials.push((trial, answers.len(), first));
        }
    }
    Ok(CheckReport { plugin, trials })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use vigie_model::*;

    use super::{Trial, pick_number, sample_value, trial_answers};

    /// The answers question by question, recomputing applicability before each (the check's
    /// former, quadratic method): the reference `trial_answers` must agree with.
    fn question_by_question(
        q: &Questionnaire,
        trial: Trial,
        date: Date,
        level: Option<&str>,
    ) -> Vec<Answer> {
        let mut answers: Vec<Answer> = Vec::new();
        for (index, question) in q.questions.iter().enumerate() {
            let by_id: HashMap<&str, &AnswerValue> = answers
                .iter()
                .map(|a| (a.question.as_str(), &a.value))
                .collect();
            if !applicable_items(q, &by_id, level).question(index) {
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

    /// A pseudo-random questionnaire: yes/no and choice questions in two sections, each
    /// with conditions on earlier questions and sometimes a level.
    fn generated(seed: u64, questions: usize) -> Questionnaire {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n.max(1)
        };
        let choices = |n: usize| -> Vec<Choice> {
            (0..n)
                .map(|i| Choice {
                    id: format!("c{i}"),
                    label: Localized::default(),
                })
                .collect()
        };
        let mut list: Vec<Question> = Vec::new();
        for i in 0..questions {
            let kind = match next(3) {
                0 => AnswerKind::YesNo,
                1 => AnswerKind::SingleChoice(choices(3)),
                _ => AnswerKind::MultipleChoice(choices(2)),
            };
            let mut applicable_when = Vec::new();
            if i > 0 {
                for _ in 0..next(3) {
                    let mut all = Vec::new();
                    for _ in 0..=next(2) {
                        let target = &list[next(i as u64) as usize];
                        let test = match (next(4), &target.kind) {
                            (0, _) => Test::Answered,
                            (1, _) => Test::Unanswered,
                            (_, AnswerKind::YesNo) => Test::OneOf(vec!["yes".into()]),
                            (2, k) => Test::OneOf(vec![k.choices()[0].id.clone()]),
                            (_, k) => Test::NoneOf(vec![k.choices()[0].id.clone()]),
                        };
                        all.push(Condition {
                            question: target.id.clone(),
                            test,
                        });
                    }
                    applicable_when.push(all);
                }
            }
            list.push(Question {
                id: format!("q{i}"),
                section: if i % 2 == 0 { "a".into() } else { "b".into() },
                prompt: Localized::default(),
                help: Help::default(),
                kind,
                references: vec![],
                criteria: vec![],
                levels: if next(5) == 0 {
                    vec!["high".into()]
                } else {
                    vec![]
                },
                applicable_when,
                extensions: vec![],
            });
        }
        let section = |id: &str| Section {
            id: id.into(),
            title: Localized::default(),
            description: Localized::default(),
            levels: vec![],
            applicable_when: vec![],
            extensions: vec![],
        };
        Questionnaire {
            info: PluginInfo {
                id: "generated".into(),
                version: "1.0.0".into(),
                name: Localized::default(),
                description: Localized::default(),
                authors: vec![],
                languages: vec!["en".into()],
                frameworks: vec![],
                levels: vec![],
                extensions: vec![],
            },
            sections: vec![section("a"), section("b")],
            questions: list,
            criteria: vec![],
        }
    }

    #[test]
    fn one_applicability_pass_answers_like_question_by_question() {
        let date = Date::new(2026, 6, 1).unwrap();
        for seed in 0..200 {
            let q = generated(seed, 1 + (seed as usize % 40));
            for trial in Trial::ALL {
                for level in [None, Some("high"), Some("low")] {
                    assert_eq!(
                        trial_answers(&q, trial, date, level),
                        question_by_question(&q, trial, date, level),
                        "seed {seed}, {trial:?}, level {level:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn sample_numbers_stay_inside_their_bounds() {
        // max -1, no min: both trials must be at most -1.
        assert_eq!(pick_number(None, Some(-1.0), true), -1.0);
        assert_eq!(pick_number(None, Some(-1.0), false), -1.0);
        // An integer min of 0.5 rounds up to 1.
        assert_eq!(pick_number(Some(0.5_f64.ceil()), None, true), 1.0);
        assert_eq!(pick_number(Some(10.0), Some(20.0), true), 10.0);
        assert_eq!(pick_number(Some(10.0), Some(20.0), false), 20.0);
        assert_eq!(pick_number(None, None, true), 0.0);
        assert_eq!(pick_number(None, None, false), 1.0);
        assert_eq!(pick_number(Some(5.0), None, false), 5.0);
    }
}
