//! `vigie plugin check`: load a plugin file, validate what it describes, and
//! evaluate it on generated answer sets, stopping at the first problem with a
//! message an author can act on. The generated interviews check the same
//! properties as the bundled plugins' property tests ([`crate::properties`]),
//! on a bounded, deterministic number of cases ([`PROPERTY_CASES`]).

use std::collections::HashMap;

use vigie_model::{
    Answer, AnswerKind, AnswerValue, Date, EvalContext, Evaluation, Questionnaire, Status, YesNo,
};
use vigie_plugin_host::{Call, Host, Plugin, PluginError};

use crate::invariants::{self, Compare, Violation};
use crate::properties::{CaseError, Numbers, Properties, deterministic_cases};

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
    /// Generated interviews evaluated beyond the trials (random answers at
    /// assessment dates from 2025 to 2035, and single answers declined).
    pub generated: usize,
    /// The verdict ids the trials and generated interviews reached.
    pub verdicts: Vec<String>,
    /// Interviews the properties of [`crate::properties`] were checked on
    /// (monotonic, declined never better than unknown, unanswered never better
    /// than "no" for a critical question, complete before compliant, status
    /// and score agree, host and plugin applicability agree), and the
    /// comparisons they made.
    pub property_cases: usize,
    pub property_comparisons: usize,
    /// Questions that publish no scoring (a plugin written without the SDK):
    /// only the checks that need no order of answers cover them.
    pub undeclared_questions: usize,
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
    #[error("evaluate failed on a generated interview ({what}): {source}")]
    EvaluateGenerated { what: String, source: PluginError },
    #[error("{violation} (on {what})")]
    Invariant { what: String, violation: Violation },
}

impl CheckError {
    /// What the plugin's author can do about the error: one line, naming
    /// the limit or the build setting involved.
    pub fn hint(&self) -> String {
        match self {
            CheckError::Load(e) => hint(e),
            CheckError::Evaluate { source, .. } => hint(source),
            CheckError::EvaluateGenerated { source, .. } => hint(source),
            CheckError::Invariant { violation, .. } => match violation.property {
                "complete before compliant" => "give no favourable verdict (severity info) while a criterion \
                    that applies is not assessed: answer `not-assessed`, or a verdict of higher severity, until \
                    every criterion has an answer"
                    .into(),
                "monotonic" => "a worse answer (yes → partial → unknown → no, a worse choice, a number further \
                    from the target, an older date, a refusal) must never improve the criteria it feeds, the \
                    score or the verdict: look for a rule that tests one answer but not the worse ones (e.g. \
                    `== Some(YesNo::No)` where `partial` and `unknown` need the same care), and for a verdict \
                    gate that a worse answer skips"
                    .into(),
                "unanswered never better than no for a critical question" => "leaving a critical question \
                    unanswered must not do better than answering it \"no\": the SDK makes the criterion \
                    non-compliant in both cases; check the rules that override its status"
                    .into(),
                "status and score agree" => "a criterion's score must lie in its status band (compliant 80 to \
                    100, to verify below 80, non-compliant below 50): with the SDK, change a status with \
                    `Assessment::set`, which moves the score into the band"
                    .into(),
                "host and plugin applicability agree" => "the plugin ignores an answer the host says applies: \
                    decide applicability from the content (`Sheet::applies`), never with conditions of your own, \
                    and make sure every question that declares criteria is scored"
                    .into(),
                _ => "a refusal to answer must never make the result better than the answer it replaces: \
                    check that the rules treat `declined` as at least as bad as `unknown`, and that a declined \
                    question does not hide questions through `applicable_when` (add an `unanswered = true` \
                    alternative)"
                    .into(),
            },
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
    let mut verdicts: Vec<String> = trials
        .iter()
        .map(|(_, _, e)| e.verdict.id.clone())
        .collect();
    for (_, _, e) in &trials {
        invariants::complete_before_compliant(e).map_err(|violation| CheckError::Invariant {
            what: "a trial answer set".into(),
            violation,
        })?;
    }
    let generated = generated_checks(host, &plugin, &questionnaire, &levels, date, &mut verdicts)?;
    let (property_cases, property_comparisons, undeclared_questions) =
        property_checks(host, &plugin, &questionnaire, &mut verdicts)?;
    verdicts.sort();
    verdicts.dedup();
    Ok(CheckReport {
        plugin,
        trials,
        generated,
        verdicts,
        property_cases,
        property_comparisons,
        undeclared_questions,
    })
}

/// Interviews the properties are checked on, per plugin: bounded, and the
/// same on every run (a deterministic generator), so that a check is
/// reproducible and takes seconds.
pub const PROPERTY_CASES: usize = 128;

/// The properties of [`crate::properties`] on [`PROPERTY_CASES`] generated
/// interviews: returns the cases, the comparisons made, and the number of
/// questions that publish no scoring.
fn property_checks(
    host: &Host,
    plugin: &Plugin,
    questionnaire: &Questionnaire,
    verdicts: &mut Vec<String>,
) -> Result<(usize, usize, usize), CheckError> {
    let mut properties = Properties::new(questionnaire, |answers, context| {
        let e = host.evaluate(plugin, answers, context)?;
        verdicts.push(e.verdict.id.clone());
        Ok::<_, PluginError>(e)
    });
    let undeclared = questionnaire.questions.len() - properties.declared();
    let mut comparisons = 0;
    let cases = deterministic_cases(questionnaire, PROPERTY_CASES);
    for (n, case) in cases.iter().enumerate() {
        let stats = properties.check(case).map_err(|e| {
            let what = format!(
                "generated interview {} of {}, assessment dated {}{}",
                n + 1,
                cases.len(),
                case.date,
                case.level
                    .as_deref()
                    .map(|l| format!(", level {l}"))
                    .unwrap_or_default()
            );
            match e {
                CaseError::Evaluate {
                    what: answers,
                    source,
                } => CheckError::EvaluateGenerated {
                    what: format!("{what}, {answers}"),
                    source,
                },
                CaseError::Violation(violation) => CheckError::Invariant { what, violation },
            }
        })?;
        comparisons += stats.comparisons;
    }
    Ok((cases.len(), comparisons, undeclared))
}

/// Random interviews per assessment date.
const RANDOM_PER_DATE: usize = 3;
/// Questions declined one at a time from the favourable answer set.
const DECLINED_SAMPLE: usize = 40;

/// A random value for a question, within its kind, choices and bounds.
/// A yes/no or choice question takes its first option (usually the best)
/// `favour` times out of `favour + 1`, so that favourable verdicts are
/// reached too.
fn random_value(
    question: &vigie_model::Question,
    date: Date,
    favour: usize,
    numbers: &mut Numbers,
) -> Option<AnswerValue> {
    let first = numbers.below(favour + 1) != 0;
    let mut index = |n: usize| if first { 0 } else { numbers.below(n) };
    Some(match &question.kind {
        AnswerKind::YesNo => {
            let offered = question.yes_no_answers();
            AnswerValue::YesNo(*offered.get(index(offered.len()))?)
        }
        AnswerKind::SingleChoice(c) => AnswerValue::Choice(c.get(index(c.len()))?.id.clone()),
        AnswerKind::MultipleChoice(c) => {
            AnswerValue::Choices(vec![c.get(index(c.len()))?.id.clone()])
        }
        AnswerKind::Integer(b) => {
            let lo = b.min.map_or(0.0, f64::ceil);
            let hi = b.max.map_or(lo + 1000.0, f64::floor).max(lo);
            AnswerValue::Integer(
                (lo + numbers.below((hi - lo).min(1e6) as usize + 1) as f64) as i64,
            )
        }
        AnswerKind::Decimal(b) => {
            let lo = b.min.unwrap_or(0.0);
            let hi = b.max.unwrap_or(lo + 1000.0).max(lo);
            AnswerValue::Decimal(lo + (hi - lo) * numbers.below(1001) as f64 / 1000.0)
        }
        AnswerKind::Text => AnswerValue::Text("vigie plugin check".into()),
        AnswerKind::Date => AnswerValue::Date(
            date.add_days(numbers.below(2001) as i64 - 1000)
                .unwrap_or(date),
        ),
    })
}

/// Random interviews at dates from 2025 to 2035, and, on the favourable
/// answers of each level, every sampled question declined in turn (and
/// yes/no questions answered unknown then declined): a refusal must never
/// make the result better.
fn generated_checks(
    host: &Host,
    plugin: &Plugin,
    questionnaire: &Questionnaire,
    levels: &[Option<String>],
    today: Date,
    verdicts: &mut Vec<String>,
) -> Result<usize, CheckError> {
    let mut numbers = Numbers(0x9e37_79b9_7f4a_7c15);
    let mut evaluated = 0;
    let language = questionnaire
        .info
        .languages
        .first()
        .cloned()
        .unwrap_or_default();
    let context = |date: Date, level: &Option<String>| EvalContext {
        assessment_date: date,
        language: language.clone(),
        level: level.clone(),
    };
    let mut evaluate = |answers: &[Answer], ctx: &EvalContext, what: &dyn Fn() -> String| {
        evaluated += 1;
        host.evaluate(plugin, answers, ctx)
            .map_err(|source| CheckError::EvaluateGenerated {
                what: what(),
                source,
            })
    };
    let mut dates: Vec<Date> = (2025..=2035)
        .filter_map(|year| Date::new(year, 1, 1).ok())
        .map(|d| d.add_days(numbers.below(365) as i64).unwrap_or(d))
        .collect();
    dates.push(today);
    for date in dates {
        for round in 0..RANDOM_PER_DATE {
            let level = &levels[numbers.below(levels.len())];
            let ctx = context(date, level);
            // Rounds answer more and more of the questions.
            let skip_one_in = [2, 5, 50][round % 3];
            let favour = [0, 3, 30][round % 3];
            let mut answers: Vec<Answer> = Vec::new();
            for question in &questionnaire.questions {
                let by_id: HashMap<&str, &AnswerValue> = answers
                    .iter()
                    .map(|a| (a.question.as_str(), &a.value))
                    .collect();
                let applies =
                    vigie_model::applicable_items(questionnaire, &by_id, level.as_deref());
                let index = questionnaire
                    .question_index(&question.id)
                    .unwrap_or(usize::MAX);
                if !applies.question(index) || numbers.below(skip_one_in) == 0 {
                    continue;
                }
                let value = if numbers.below(10 + 10 * favour) == 0 {
                    Some(AnswerValue::Declined)
                } else {
                    random_value(question, date, favour, &mut numbers)
                };
                if let Some(value) = value {
                    answers.push(Answer {
                        question: question.id.clone(),
                        value,
                        note: None,
                    });
                }
            }
            let what = || format!("random answers, assessment dated {date}");
            let e = evaluate(&answers, &ctx, &what)?;
            invariants::complete_before_compliant(&e).map_err(|violation| {
                CheckError::Invariant {
                    what: what(),
                    violation,
                }
            })?;
            verdicts.push(e.verdict.id.clone());
        }
    }
    for level in levels {
        let ctx = context(today, level);
        let base_answers = trial_answers(questionnaire, Trial::Favourable, today, level.as_deref());
        let applies = |answers: &[Answer]| {
            let by_id: HashMap<&str, &AnswerValue> = answers
                .iter()
                .map(|a| (a.question.as_str(), &a.value))
                .collect();
            let a = vigie_model::applicable_items(questionnaire, &by_id, level.as_deref());
            (0..questionnaire.questions.len())
                .map(|i| a.question(i))
                .collect::<Vec<bool>>()
        };
        let with = |id: &str, value: AnswerValue| {
            let mut out: Vec<Answer> = base_answers
                .iter()
                .filter(|a| a.question != id)
                .cloned()
                .collect();
            out.push(Answer {
                question: id.to_string(),
                value,
                note: None,
            });
            out
        };
        let base = evaluate(&base_answers, &ctx, &|| {
            "first option everywhere".to_string()
        })?;
        let base_applies = applies(&base_answers);
        let step = (base_answers.len() / DECLINED_SAMPLE).max(1);
        for answer in base_answers.iter().step_by(step) {
            let Some(question) = questionnaire.question(&answer.question) else {
                continue;
            };
            let (from, from_answers, from_applies) = if question.kind == AnswerKind::YesNo
                && question.yes_no_answers().contains(&YesNo::Unknown)
            {
                let unknown = with(&answer.question, AnswerValue::YesNo(YesNo::Unknown));
                let what = || format!("`{}` answered unknown", answer.question);
                let e = evaluate(&unknown, &ctx, &what)?;
                let a = applies(&unknown);
                (e, unknown, a)
            } else {
                // Without the plugin's scoring, another kind of answer is only
                // known to be good when every criterion it feeds is compliant
                // (declined against a "not met" answer is no comparison).
                let favourable = question.criteria.iter().all(|c| {
                    matches!(
                        base.status_of(c),
                        None | Some(Status::Compliant | Status::NotApplicable)
                    )
                });
                if !favourable {
                    continue;
                }
                (base.clone(), base_answers.clone(), base_applies.clone())
            };
            let declined = with(&answer.question, AnswerValue::Declined);
            let what = || format!("`{}` declined", answer.question);
            let after = evaluate(&declined, &ctx, &what)?;
            let compare = if applies(&declined) == from_applies {
                Compare::Everything
            } else {
                Compare::VerdictOnly
            };
            let change = format!(
                "`{}` declined instead of {}",
                answer.question,
                from_answers
                    .iter()
                    .find(|a| a.question == answer.question)
                    .map_or_else(|| "no answer".to_string(), |a| format!("{:?}", a.value))
            );
            invariants::not_better(
                "declined never better than an answer",
                &change,
                &from,
                &after,
                &question.criteria,
                compare,
            )
            .map_err(|violation| CheckError::Invariant {
                what: format!("the first option everywhere, assessment dated {today}"),
                violation,
            })?;
            verdicts.push(after.verdict.id.clone());
        }
    }
    Ok(evaluated)
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
