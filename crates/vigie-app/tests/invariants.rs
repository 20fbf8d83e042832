//! Property tests of the three bundled plugins, run as the auditor runs them
//! (the WebAssembly components in the sandboxed host), over generated answer
//! sets and assessment dates from 2025 to 2035:
//!
//! - complete before compliant, and every criterion's score in its status
//!   band (the host refuses an evaluation that breaks it);
//! - monotonic: one answer made strictly worse (yes → partial → no, a met
//!   choice → a worse one, a later expiry → an earlier one, a shorter delay →
//!   a longer one, an answer → declined) never improves the criteria it
//!   feeds, the overall score or the verdict; when the worse answer changes
//!   which questions apply, a refusal is still compared on the verdict (it
//!   must not hide questions to its advantage), a real answer is not (the
//!   answers it closes no longer count);
//! - declined is never better than unknown; an unanswered critical question
//!   is never better than one answered "no";
//! - the host's applicability (`vigie_model::applicable_items`) and the SDK's
//!   (`Sheet`) agree.
//!
//! What "worse" means comes from each plugin's scoring as `describe`
//! publishes it (choice scores, `expect`, `critical`): the same checks
//! `vigie plugin check` runs (`vigie_app::properties`), here over proptest's
//! cases, and compared with the content read natively from the plugin crate.
//! `PROPTEST_CASES` raises the number of cases (default below).
//! `VIGIE_INVARIANTS_PLUGINS=DIR` runs the properties against other builds of
//! the bundled plugins (`DIR/nis2_suppliers.wasm`, …), e.g. an older release,
//! to see what they find there; the SDK applicability check is then skipped
//! (it compares with the content compiled into this test).
//! `VIGIE_INVARIANTS_ONLY=monotonic,declined,critical,complete,applicability` runs only
//! some properties (each run stops at the first property broken).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRng, TestRunner};
use vigie_app::Catalog;
use vigie_app::properties::{CaseError, Properties, Scored, Scoring};
use vigie_model::{Answer, AnswerValue, Date, Questionnaire, YesNo};
use vigie_plugin_host::{Host, Limits, Plugin};
use vigie_plugin_sdk::content::{self, Content, Expect, Kind};
use vigie_plugin_sdk::{Sheet, wit};

/// Cases per plugin when `PROPTEST_CASES` is not set: enough to find the
/// defects of issue 12 on the old rules, within the CI time budget.
const DEFAULT_CASES: u32 = 256;

struct Subject {
    content: &'static Content,
    plugin: Arc<Plugin>,
    questionnaire: Arc<Questionnaire>,
    host: Arc<Host>,
    /// Whether the plugin was built from the content compiled in here.
    same_build: bool,
}

fn subject(id: &str, content: &'static Content) -> Subject {
    let host = Arc::new(Host::new(Limits::default(), None).expect("engine"));
    let (plugin, same_build) = match std::env::var_os("VIGIE_INVARIANTS_PLUGINS") {
        Some(dir) => {
            let path = std::path::Path::new(&dir).join(format!("{}.wasm", id.replace('-', "_")));
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let plugin = host
                .load(&bytes, &path.display().to_string())
                .unwrap_or_else(|e| panic!("{e}"));
            (Arc::new(plugin), false)
        }
        None => {
            let mut catalog = Catalog::new(host.clone());
            catalog.load_bundled();
            (
                catalog.find(id).expect("bundled plugin").plugin.clone(),
                true,
            )
        }
    };
    Subject {
        content,
        questionnaire: plugin.questionnaire().clone(),
        plugin,
        host,
        same_build,
    }
}

/// The scoring the SDK publishes for a content question (`describe`), so
/// that the properties read what the content says.
fn content_scoring(q: &content::Question) -> Scoring {
    match q.expect {
        Expect::Context => Scoring::Context,
        Expect::Yes => Scoring::Yes,
        Expect::No => Scoring::No,
        Expect::Choices => Scoring::Choices(
            q.choices
                .iter()
                .filter_map(|c| {
                    let o = match c.score? {
                        content::Outcome::Met => vigie_app::properties::Outcome::Met,
                        content::Outcome::Partial => vigie_app::properties::Outcome::Partial,
                        content::Outcome::NotMet => vigie_app::properties::Outcome::NotMet,
                        content::Outcome::Unknown | content::Outcome::Declined => {
                            vigie_app::properties::Outcome::Unknown
                        }
                    };
                    Some((c.id.to_string(), o))
                })
                .collect(),
        ),
        Expect::MetAtLeast { met, partial } => Scoring::AtLeast { met, partial },
        Expect::MetBelow { met, partial } => Scoring::Below { met, partial },
        Expect::AfterAssessment => Scoring::AfterAssessment,
        Expect::WithinDays(n) => Scoring::WithinDays(n),
    }
}

#[test]
fn describe_publishes_the_contents_scoring() {
    for (id, content) in [
        ("nis2-suppliers", &nis2_suppliers::CONTENT),
        ("anssi-hygiene", &anssi_hygiene::CONTENT),
        ("gdpr-offshore", &gdpr_offshore::CONTENT),
    ] {
        let s = subject(id, content);
        for (q, described) in content.questions.iter().zip(&s.questionnaire.questions) {
            let scored = Scored::of(described);
            assert_eq!(scored.scoring, content_scoring(q), "{id}: {}", q.id);
            assert_eq!(scored.critical, q.critical, "{id}: {}", q.id);
        }
    }
}

fn to_wit(value: &AnswerValue) -> wit::AnswerValue {
    match value {
        AnswerValue::YesNo(v) => wit::AnswerValue::YesNo(match v {
            YesNo::Yes => wit::YesNo::Yes,
            YesNo::No => wit::YesNo::No,
            YesNo::Partial => wit::YesNo::Partial,
            YesNo::Unknown => wit::YesNo::Unknown,
        }),
        AnswerValue::Choice(c) => wit::AnswerValue::Choice(c.clone()),
        AnswerValue::Choices(c) => wit::AnswerValue::Choices(c.clone()),
        AnswerValue::Integer(i) => wit::AnswerValue::Integer(*i),
        AnswerValue::Decimal(d) => wit::AnswerValue::Decimal(*d),
        AnswerValue::Text(t) => wit::AnswerValue::Text(t.clone()),
        AnswerValue::Date(d) => wit::AnswerValue::Date(wit::Date {
            year: d.year(),
            month: d.month(),
            day: d.day(),
        }),
        AnswerValue::Declined => wit::AnswerValue::Declined,
    }
}

fn case_strategy(subject: &Subject) -> impl Strategy<Value = vigie_app::properties::Case> {
    let n = subject.content.questions.len();
    let levels: Vec<Option<String>> = if subject.content.levels.is_empty() {
        vec![None]
    } else {
        subject
            .content
            .levels
            .iter()
            .map(|l| Some(l.id.to_string()))
            .collect()
    };
    // Each case answers a share of the questions with something else than
    // the best value (none, a few, many), so that favourable verdicts are
    // reached as well as poor ones.
    let picks = (
        proptest::sample::select(vec![0u8, 3, 15, 50]),
        proptest::collection::vec(any::<u8>(), n),
        proptest::collection::vec(any::<u8>(), n),
    )
        .prop_map(|(percent, rolls, values)| {
            rolls
                .iter()
                .zip(values)
                .map(|(roll, value)| if roll % 100 < percent { value } else { 0 })
                .collect::<Vec<u8>>()
        });
    let sections = subject.content.sections.len();
    (
        0i64..4018, // 2025-01-01 .. 2035-12-31
        proptest::sample::select(levels),
        picks,
        proptest::collection::vec(proptest::bool::weighted(0.08), sections),
    )
        .prop_map(
            |(offset, level, picks, blank)| vigie_app::properties::Case {
                date: Date::new(2025, 1, 1)
                    .and_then(|d| d.add_days(offset))
                    .expect("date in range"),
                level,
                picks,
                blank,
            },
        )
}

impl Subject {
    /// The host and the SDK decide applicability alike.
    fn same_applicability(
        &self,
        answers: &[Answer],
        host: &[bool],
        case: &vigie_app::properties::Case,
    ) -> Result<(), TestCaseError> {
        let wit_answers: Vec<wit::Answer> = answers
            .iter()
            .map(|a| wit::Answer {
                question: a.question.clone(),
                value: to_wit(&a.value),
                note: None,
            })
            .collect();
        let context = wit::Context {
            assessment_date: wit::Date {
                year: case.date.year(),
                month: case.date.month(),
                day: case.date.day(),
            },
            language: "fr".into(),
            level: case.level.clone(),
            extensions: vec![],
        };
        let sheet =
            Sheet::new(self.content, &wit_answers, &context).map_err(TestCaseError::fail)?;
        for (i, q) in self.content.questions.iter().enumerate() {
            prop_assert_eq!(
                host[i],
                sheet.applies_at(i),
                "host and SDK disagree on whether `{}` applies",
                q.id
            );
        }
        Ok(())
    }

    /// Every property on one generated interview.
    fn check(&self, case: &vigie_app::properties::Case) -> Result<(), TestCaseError> {
        let mut properties = Properties::new(&self.questionnaire, |answers, context| {
            self.host.evaluate(&self.plugin, answers, context)
        });
        // The order comes from the content compiled in here, so that an older
        // build (`VIGIE_INVARIANTS_PLUGINS`) that did not publish its scoring is
        // checked all the same; `describe_publishes_the_contents_scoring` shows
        // both agree for the current build.
        properties = properties.with_scoring(
            self.content
                .questions
                .iter()
                .map(|q| Scored {
                    scoring: content_scoring(q),
                    critical: q.critical,
                })
                .collect(),
        );
        if let Ok(only) = std::env::var("VIGIE_INVARIANTS_ONLY") {
            properties = properties.only(only.split(',').map(str::to_string).collect());
        }
        if self.same_build {
            let answers = properties.answers(case);
            let host = properties.applicable(&answers, case.level.as_deref());
            self.same_applicability(&answers, &host, case)?;
        }
        properties.check(case).map(|_| ()).map_err(|e| match e {
            CaseError::Evaluate { what, source } => {
                TestCaseError::fail(format!("evaluate ({what}): {source}"))
            }
            CaseError::Violation(v) => TestCaseError::fail(v.to_string()),
        })
    }
}

fn run(id: &str, content: &'static Content) {
    let subject = subject(id, content);
    // The content's kinds are the described ones (the SDK's describe).
    assert!(
        subject
            .content
            .questions
            .iter()
            .zip(&subject.questionnaire.questions)
            .all(|(c, d)| (c.kind == Kind::YesNo) == (d.kind == vigie_model::AnswerKind::YesNo))
    );
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    // CI runs the same cases every time (a property found failing is a defect to fix, not
    // a flake); `VIGIE_INVARIANTS_RANDOM=1` explores new ones.
    let mut runner = if std::env::var_os("VIGIE_INVARIANTS_RANDOM").is_some() {
        TestRunner::new(config)
    } else {
        let rng = TestRng::deterministic_rng(config.rng_algorithm);
        TestRunner::new_with_rng(config, rng)
    };
    let result = runner.run(&case_strategy(&subject), |case| subject.check(&case));
    if let Err(e) = result {
        panic!("{id}: {e}");
    }
}

#[test]
fn nis2_suppliers_keeps_its_invariants() {
    run("nis2-suppliers", &nis2_suppliers::CONTENT);
}

#[test]
fn anssi_hygiene_keeps_its_invariants() {
    run("anssi-hygiene", &anssi_hygiene::CONTENT);
}

#[test]
fn gdpr_offshore_keeps_its_invariants() {
    run("gdpr-offshore", &gdpr_offshore::CONTENT);
}
