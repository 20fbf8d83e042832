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
        TransferLimit { limit, .. } => format!(
            "return less data at once: the host copies at most Limits::transfer_bytes = {} MiB out of a plugin per call",
            limit >> 20
        ),
        BadEncoding { .. } => "not a panic: the plugin wrote a result (or its cabi_realloc gave memory) that breaks \
            the component ABI; code generated by wit-bindgen never does, look at hand-written bindings and unsafe code"
            .into(),
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

/// Answers for `trial`, given question by question so that conditional
/// questions opened by earlier answers are answered too.
pub fn trial_answers(
    questionnaire: &Questionnaire,
    trial: Trial,
    date: Date,
    level: Option<&str>,
) -> Vec<Answer> {
    let mut answers: Vec<Answer> = Vec::new();
    for question in &questionnaire.questions {
        let by_id: HashMap<&str, &AnswerValue> = answers
            .iter()
            .map(|a| (a.question.as_str(), &a.value))
            .collect();
        let applies = vigie_model::applicable_items(questionnaire, &by_id, level);
        let index = questionnaire
            .question_index(&question.id)
            .unwrap_or(usize::MAX);
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
    use super::pick_number;

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
