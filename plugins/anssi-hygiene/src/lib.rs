//! ANSSI hygiene guide (42 measures) and the providers' charter: the
//! questionnaire of `questionnaires/anssi-hygiene` and the rules of its
//! `RULES.md` — the level (R-LVL-0, R-LVL-2), future test dates (§0.4), the
//! verdict steps V1–V5 and the refusal finding (R-F-1).

use vigie_plugin_sdk::content::{Expect, Severity};
use vigie_plugin_sdk::wit::{self, AnswerValue, Status, YesNo};
use vigie_plugin_sdk::{
    Assessment, Content, Outcome, Plugin, Sheet, days_between, extension, finding, fmt_date,
    localized, sort_findings, to_wit_text,
};

vigie_plugin_sdk::include_content!();

pub struct Anssi;

const STANDARD: &str = "standard";
const RENFORCE: &str = "renforce";

/// R-F-1: the refusal finding is raised from this many declined questions.
const DECLINED_THRESHOLD: usize = 10;

/// R-LVL-0: the level L to evaluate, and whether it was defaulted.
fn chosen_level(context: &wit::Context) -> Result<(&'static str, bool), String> {
    match context.level.as_deref() {
        None => Ok((STANDARD, true)),
        Some(STANDARD) => Ok((STANDARD, false)),
        Some(RENFORCE) => Ok((RENFORCE, false)),
        Some(other) => Err(format!(
            "anssi-hygiene: unknown level «{other}»; expected «standard» or «renforce»"
        )),
    }
}

/// §0.4: applicable `within_days` questions answered with a date after A,
/// which the SDK scores `met` and these rules `unknown`.
fn future_dates(sheet: &Sheet) -> Vec<(usize, wit::Date)> {
    let a = &sheet.context.assessment_date;
    sheet
        .content
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| matches!(q.expect, Expect::WithinDays(_)))
        .filter_map(|(i, _)| match sheet.answer_at(i) {
            Some(AnswerValue::Date(d)) if days_between(a, d) > 0 => Some((i, *d)),
            _ => None,
        })
        .collect()
}

/// §0.4: adds to the rationale of the criteria fed by a future date why they
/// are to verify.
fn note_future_dates(sheet: &Sheet, results: &mut [Assessment], future: &[(usize, wit::Date)]) {
    for (qi, date) in future.iter().filter(|(qi, _)| sheet.applies_at(*qi)) {
        let d = fmt_date(date);
        for &c in sheet.content.questions[*qi].criteria {
            for (lang, text) in &mut results[c].rationale {
                let note = match lang.as_str() {
                    "fr" => format!("Date postérieure à la date d'évaluation ({d}) : à vérifier."),
                    _ => format!("Date after the assessment date ({d}): to verify."),
                };
                *text = format!("{text} {note}");
            }
        }
    }
}

/// §2: at least one applicable scored question of criterion `c` has an
/// answer, a refusal included (not unanswered). A refusal counts: were it
/// left out, declining the last answer of a criterion could move the verdict
/// from `insufficient` (V3) to the milder `not-assessed` (V2), a refusal
/// doing better than "I don't know".
fn is_informative(sheet: &Sheet, c: usize) -> bool {
    sheet
        .scored_questions(c)
        .any(|qi| sheet.outcome(qi).is_some())
}

/// R-LVL-2: a criterion of every level, non-compliant, whose not-met
/// questions (at least one) all belong to the reinforced level only.
fn is_reinforced_only_gap(sheet: &Sheet, result: &Assessment) -> bool {
    let c = result.criterion;
    if !sheet.content.criteria[c].levels.is_empty() || result.status != Status::NonCompliant {
        return false;
    }
    let mut not_met = sheet
        .scored_questions(c)
        .filter(|&qi| sheet.outcome(qi) == Some(Outcome::NotMet))
        .peekable();
    not_met.peek().is_some()
        && not_met.all(|qi| matches!(sheet.content.questions[qi].levels, [RENFORCE]))
}

fn is_high(content: &Content, c: usize) -> bool {
    content.criteria[c].severity >= Severity::High
}

/// The verdict id and the step (`V1` … `V5`) that chose it.
fn verdict(
    results: &[Assessment],
    high: impl Fn(usize) -> bool,
    critical_gaps: usize,
    informative: usize,
    applicable: usize,
    score: f64,
) -> (&'static str, &'static str) {
    if critical_gaps > 0 {
        return ("insufficient", "V1");
    }
    if 2 * informative < applicable {
        return ("not-assessed", "V2");
    }
    if score < 50.0 {
        return ("insufficient", "V3");
    }
    let in_c = || results.iter().filter(|r| r.status != Status::NotApplicable);
    let no_gap = in_c().all(|r| r.status != Status::NonCompliant);
    let high_settled = in_c()
        .filter(|r| high(r.criterion))
        .all(|r| !matches!(r.status, Status::ToVerify | Status::NotAssessed));
    // Complete before good: no criterion in C is left without an answer.
    let complete = in_c().all(|r| r.status != Status::NotAssessed);
    if no_gap && high_settled && complete && score >= 80.0 {
        return ("good", "V4");
    }
    ("improve", "V5")
}

/// R-F-1: the refusal finding, not attached to a criterion.
fn declined_finding(sheet: &Sheet, n: usize) -> wit::Finding {
    finding(
        "declined-answers",
        None,
        wit::Severity::High,
        to_wit_text(localized(sheet.languages(), |lang| match lang {
            "fr" => "Refus de répondre".to_string(),
            _ => "Refusal to answer".to_string(),
        })),
        to_wit_text(localized(sheet.languages(), |lang| match lang {
            "fr" => format!(
                "Le fournisseur a refusé de répondre à {n} questions. Exiger les réponses et les preuves par écrit sous 30 jours ; un refus persistant doit conduire à reconsidérer le recours à ce fournisseur."
            ),
            _ => format!(
                "The supplier declined {n} questions. Require the answers and evidence in writing within 30 days; a persistent refusal should lead to reconsidering this supplier."
            ),
        })),
        Some(30),
    )
}

/// The rules of `RULES.md` §1–§3 on a sheet whose context carries the level L
/// and whose future test dates are already answered `unknown`.
fn rules(
    sheet: &Sheet,
    level: &str,
    defaulted: bool,
    future: &[(usize, wit::Date)],
) -> Result<wit::Evaluation, String> {
    let content = sheet.content;
    let mut results = sheet.assess_all();
    note_future_dates(sheet, &mut results, future);

    // C: the criteria that are not not-applicable at L.
    let applicable: Vec<usize> = results
        .iter()
        .filter(|r| r.status != Status::NotApplicable)
        .map(|r| r.criterion)
        .collect();
    let informative = applicable
        .iter()
        .filter(|&&c| is_informative(sheet, c))
        .count();

    // R-LVL-2: never at standard level (the reinforced questions do not apply).
    let reinforced: Vec<usize> = if level == RENFORCE {
        applicable
            .iter()
            .copied()
            .filter(|&c| is_reinforced_only_gap(sheet, &results[c]))
            .collect()
    } else {
        Vec::new()
    };
    for &c in &reinforced {
        for (lang, text) in &mut results[c].rationale {
            let prefix = match lang.as_str() {
                "fr" => "Seule l'exigence du niveau renforcé n'est pas satisfaite. ",
                _ => "Only the reinforced-level requirement is not met. ",
            };
            *text = format!("{prefix}{text}");
        }
    }
    let critical: Vec<usize> = applicable
        .iter()
        .copied()
        .filter(|&c| {
            is_high(content, c)
                && results[c].status == Status::NonCompliant
                && !reinforced.contains(&c)
        })
        .collect();

    let score = sheet.overall_score(&results).unwrap_or(0.0);
    let (verdict_id, rule) = verdict(
        &results,
        |c| is_high(content, c),
        critical.len(),
        informative,
        applicable.len(),
        score,
    );

    // Applicable questions feeding a criterion that were declined (context
    // questions have no criterion; `outcome` is `None` for unscored ones).
    let declined = content
        .questions
        .iter()
        .enumerate()
        .filter(|(qi, q)| !q.criteria.is_empty() && sheet.outcome(*qi) == Some(Outcome::Declined))
        .count();

    let mut evaluation = sheet.finish(results, verdict_id)?;
    if declined >= DECLINED_THRESHOLD {
        evaluation.findings.push(declined_finding(sheet, declined));
        sort_findings(&mut evaluation.findings);
    }
    let ids = |list: &[usize]| {
        list.iter()
            .map(|&c| content.criteria[c].id)
            .collect::<Vec<_>>()
            .join(",")
    };
    evaluation.extensions.push(extension("level", level));
    if defaulted {
        evaluation
            .extensions
            .push(extension("level-defaulted", true));
    }
    evaluation.extensions.extend([
        extension("applicable-criteria", applicable.len()),
        extension("informative-criteria", informative),
        extension("critical-gaps", ids(&critical)),
        extension("reinforced-gaps", ids(&reinforced)),
        extension("verdict-rule", rule),
        extension("declined-questions", declined),
    ]);
    Ok(evaluation)
}

impl Plugin for Anssi {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(sheet: &Sheet) -> Result<wit::Evaluation, String> {
        let (level, defaulted) = chosen_level(sheet.context)?;
        let future = future_dates(sheet);
        if !defaulted && future.is_empty() {
            return rules(sheet, level, defaulted, &future);
        }
        // R-LVL-0 and §0.4 need another sheet: the context with level L (the
        // SDK reads a missing level as "every level"), and the future dates
        // answered `unknown` (the SDK scores any non-date answer to a date
        // question `unknown`). The effective answers are the given ones: every
        // applicability condition of the content tests a question without
        // levels, or one shown at every level its dependent is shown at, so
        // they do not depend on the level (see the tests).
        let context = wit::Context {
            level: Some(level.to_string()),
            ..sheet.context.clone()
        };
        let answers: Vec<wit::Answer> = sheet
            .content
            .questions
            .iter()
            .enumerate()
            .filter_map(|(qi, q)| {
                let value = if future.iter().any(|(f, _)| *f == qi) {
                    AnswerValue::YesNo(YesNo::Unknown)
                } else {
                    sheet.answer_at(qi)?.clone()
                };
                Some(wit::Answer {
                    question: q.id.to_string(),
                    value,
                    note: None,
                })
            })
            .collect();
        let rebuilt = Sheet::new(sheet.content, &answers, &context)?;
        rules(&rebuilt, level, defaulted, &future)
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(Anssi);

#[cfg(test)]
mod tests {
    //! Native checks of `RULES.md` on the golden sets: what the host-side
    //! golden test cannot see (exact S, verdict step, extensions, R-F-1).

    use super::*;
    use vigie_plugin_sdk::content::Kind;

    const GOLDEN: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../questionnaires/anssi-hygiene/golden"
    );

    struct Golden {
        date: wit::Date,
        level: Option<String>,
        answers: Vec<wit::Answer>,
    }

    fn date(text: &str) -> wit::Date {
        let mut parts = text.split('-').map(|p| p.parse::<u32>().expect("date"));
        let (year, month, day) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        wit::Date {
            year: year as _,
            month: month as _,
            day: day as _,
        }
    }

    /// The few TOML forms the golden sets use: `key = "string"`, a number
    /// or a list of strings, one a line.
    fn golden(name: &str) -> Golden {
        let source = std::fs::read_to_string(format!("{GOLDEN}/{name}.toml")).expect("golden set");
        let mut set = Golden {
            date: date("2026-11-23"),
            level: None,
            answers: Vec::new(),
        };
        let mut section = "";
        for line in source.lines() {
            let line = line.split(" #").next().unwrap_or("").trim();
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            if line.starts_with('[') {
                section = line;
                continue;
            }
            let (key, raw) = line.split_once(" = ").expect("key = value");
            let text = raw.trim().trim_matches('"');
            match (section, key.trim()) {
                ("", "assessment_date") => set.date = date(text),
                ("", "level") => set.level = Some(text.to_string()),
                ("[answers]", id) => {
                    let q = &CONTENT.questions[CONTENT.question_index(id).expect("known question")];
                    let value = match (q.kind, text) {
                        (_, "declined") => AnswerValue::Declined,
                        (Kind::YesNo, v) => AnswerValue::YesNo(match v {
                            "yes" => YesNo::Yes,
                            "no" => YesNo::No,
                            "partial" => YesNo::Partial,
                            _ => YesNo::Unknown,
                        }),
                        (Kind::SingleChoice, v) => AnswerValue::Choice(v.to_string()),
                        (Kind::MultipleChoice, v) => AnswerValue::Choices(
                            v.trim_matches(['[', ']'])
                                .split(',')
                                .map(|c| c.trim().trim_matches('"').to_string())
                                .collect(),
                        ),
                        (Kind::Integer, v) => AnswerValue::Integer(v.parse().expect("integer")),
                        (Kind::Decimal, v) => AnswerValue::Decimal(v.parse().expect("decimal")),
                        (Kind::Date, v) => AnswerValue::Date(date(v)),
                        (Kind::Text, v) => AnswerValue::Text(v.to_string()),
                    };
                    set.answers.push(wit::Answer {
                        question: id.to_string(),
                        value,
                        note: None,
                    });
                }
                _ => {}
            }
        }
        set
    }

    fn context(set: &Golden, level: Option<&str>) -> wit::Context {
        wit::Context {
            assessment_date: set.date,
            language: "fr".into(),
            level: level.map(str::to_string),
            extensions: Vec::new(),
        }
    }

    fn run(set: &Golden) -> wit::Evaluation {
        vigie_plugin_sdk::evaluate::<Anssi>(&set.answers, &context(set, set.level.as_deref()))
            .expect("evaluation")
    }

    fn ext<'e>(evaluation: &'e wit::Evaluation, key: &str) -> Option<&'e str> {
        evaluation
            .extensions
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.value.as_str())
    }

    fn status(evaluation: &wit::Evaluation, criterion: &str) -> Status {
        evaluation
            .criteria
            .iter()
            .find(|c| c.criterion == criterion)
            .expect("criterion result")
            .status
    }

    fn text<'t>(localized: &'t wit::Localized, lang: &str) -> &'t str {
        localized
            .iter()
            .find(|t| t.lang == lang)
            .map_or("", |t| t.text.as_str())
    }

    /// The table of `RULES.md` §6.
    #[test]
    fn golden_sets_match_the_worked_table() {
        let table = [
            ("compliant", "renforce", "good", "V4", 100.0),
            ("standard-level", "standard", "good", "V4", 100.0),
            ("offshore-gaps", "standard", "improve", "V5", 74.1),
            ("unaware", "standard", "insufficient", "V1", 7.2),
            ("refuses", "standard", "insufficient", "V3", 4.1),
            ("renforce-gaps", "renforce", "improve", "V5", 91.0),
            ("future-restore-test", "renforce", "improve", "V5", 99.4),
        ];
        for (name, level, verdict, rule, score) in table {
            let e = run(&golden(name));
            assert_eq!(ext(&e, "level"), Some(level), "{name}");
            assert_eq!(ext(&e, "level-defaulted"), None, "{name}");
            assert_eq!(e.verdict.id, verdict, "{name}");
            assert_eq!(ext(&e, "verdict-rule"), Some(rule), "{name}");
            assert_eq!(e.score, Some(score), "{name}");
        }
    }

    #[test]
    fn offshore_gaps_has_eight_gaps_none_critical() {
        let e = run(&golden("offshore-gaps"));
        let gaps: Vec<&str> = e
            .criteria
            .iter()
            .filter(|c| c.status == Status::NonCompliant)
            .map(|c| c.criterion.as_str())
            .collect();
        assert_eq!(
            gaps,
            [
                "m01",
                "m03",
                "m15",
                "m18",
                "m33",
                "m35",
                "contract-clauses",
                "incident-preparation"
            ]
        );
        assert_eq!(ext(&e, "critical-gaps"), Some(""));
        assert_eq!(ext(&e, "reinforced-gaps"), Some(""));
    }

    #[test]
    fn unaware_has_ten_critical_gaps() {
        let e = run(&golden("unaware"));
        let gaps = ext(&e, "critical-gaps").unwrap();
        assert_eq!(gaps.split(',').count(), 10, "{gaps}");
        assert!(
            gaps.split(',')
                .all(|id| is_high(&CONTENT, CONTENT.criterion_index(id).unwrap()))
        );
        assert_eq!(ext(&e, "reinforced-gaps"), Some(""));
        assert!(e.findings.iter().all(|f| f.id != "declined-answers"));
    }

    #[test]
    fn refuses_is_insufficient_with_the_refusal_finding() {
        let e = run(&golden("refuses"));
        assert_eq!(ext(&e, "applicable-criteria"), Some("44"));
        // Refusals are answers: only the two criteria left without any
        // answer (least-privilege, incident-preparation) are not informative.
        assert_eq!(ext(&e, "informative-criteria"), Some("42"));
        assert_eq!(ext(&e, "critical-gaps"), Some(""));
        assert_eq!(ext(&e, "declined-questions"), Some("64"));
        let f = e
            .findings
            .iter()
            .find(|f| f.id == "declined-answers")
            .expect("R-F-1");
        assert_eq!(
            (f.criterion.as_deref(), f.severity, f.deadline_days),
            (None, wit::Severity::High, Some(30))
        );
        assert_eq!(text(&f.title, "en"), "Refusal to answer");
        assert!(
            text(&f.recommendation, "fr")
                .starts_with("Le fournisseur a refusé de répondre à 64 questions. ")
        );
        assert!(text(&f.recommendation, "en").starts_with("The supplier declined 64 questions. "));
        // Findings stay sorted, most severe first.
        let ranks: Vec<u8> = e.findings.iter().map(|f| f.severity as u8).collect();
        assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
    }

    #[test]
    fn reinforced_only_gaps_are_not_critical() {
        let e = run(&golden("renforce-gaps"));
        assert_eq!(ext(&e, "reinforced-gaps"), Some("m13,m24,m36"));
        assert_eq!(ext(&e, "critical-gaps"), Some(""));
        assert_eq!(ext(&e, "applicable-criteria"), Some("47"));
        let m13 = e.criteria.iter().find(|c| c.criterion == "m13").unwrap();
        assert!(
            text(&m13.rationale, "fr")
                .starts_with("Seule l'exigence du niveau renforcé n'est pas satisfaite. ")
        );
        assert!(
            text(&m13.rationale, "en")
                .starts_with("Only the reinforced-level requirement is not met. ")
        );
        // m38 fails on a question that is reinforced-only, but the criterion
        // itself has levels: an ordinary gap, and not HIGH.
        let m38 = e.criteria.iter().find(|c| c.criterion == "m38").unwrap();
        assert!(!text(&m38.rationale, "en").starts_with("Only"));
    }

    #[test]
    fn a_standard_failure_makes_a_reinforced_criterion_a_critical_gap() {
        let mut set = golden("renforce-gaps");
        for a in &mut set.answers {
            if a.question == "m13-mfa-all-users" {
                a.value = AnswerValue::YesNo(YesNo::No);
            }
        }
        let e = run(&set);
        assert_eq!(ext(&e, "reinforced-gaps"), Some("m24,m36"));
        assert_eq!(ext(&e, "critical-gaps"), Some("m13"));
        assert_eq!(
            (e.verdict.id.as_str(), ext(&e, "verdict-rule")),
            ("insufficient", Some("V1"))
        );
    }

    #[test]
    fn missing_level_is_standard_and_flagged() {
        let set = golden("standard-level");
        let given = run(&set);
        let defaulted =
            vigie_plugin_sdk::evaluate::<Anssi>(&set.answers, &context(&set, None)).unwrap();
        assert_eq!(ext(&defaulted, "level"), Some("standard"));
        assert_eq!(ext(&defaulted, "level-defaulted"), Some("true"));
        assert_eq!(defaulted.criteria, given.criteria);
        assert_eq!(defaulted.verdict, given.verdict);
        assert_eq!(defaulted.score, given.score);
        // Without the rebuilt sheet, the `no` answers to reinforced questions
        // would count.
        assert_eq!(status(&defaulted, "m13"), Status::Compliant);
        assert_eq!(status(&defaulted, "m38"), Status::NotApplicable);
    }

    #[test]
    fn unknown_level_is_an_error() {
        let set = golden("compliant");
        let error =
            vigie_plugin_sdk::evaluate::<Anssi>(&set.answers, &context(&set, Some("expert")))
                .unwrap_err();
        assert_eq!(
            error,
            "anssi-hygiene: unknown level «expert»; expected «standard» or «renforce»"
        );
    }

    fn with_answer(mut set: Golden, question: &str, value: AnswerValue) -> Golden {
        set.answers.retain(|a| a.question != question);
        set.answers.push(wit::Answer {
            question: question.to_string(),
            value,
            note: None,
        });
        set
    }

    #[test]
    fn a_future_test_date_is_to_verify() {
        // §0.4: the SDK would say met; these rules say unknown.
        let set = with_answer(
            golden("compliant"),
            "m37-last-restore-test",
            AnswerValue::Date(date("2026-11-24")),
        );
        let e = run(&set);
        assert_eq!(status(&e, "m37"), Status::ToVerify);
        let m37 = e.criteria.iter().find(|c| c.criterion == "m37").unwrap();
        assert!(
            text(&m37.rationale, "en")
                .ends_with("Date after the assessment date (2026-11-24): to verify.")
        );
        assert!(e.findings.iter().any(|f| f.id == "m37.verify"));
        // m37 is HIGH and to verify: no V4.
        assert_eq!(
            (e.verdict.id.as_str(), ext(&e, "verdict-rule")),
            ("improve", Some("V5"))
        );
        assert_eq!(ext(&e, "informative-criteria"), Some("47"));

        // The day of the assessment and exactly N days before are met.
        for d in ["2026-11-23", "2025-11-23"] {
            let set = with_answer(
                golden("compliant"),
                "m37-last-restore-test",
                AnswerValue::Date(date(d)),
            );
            assert_eq!(status(&run(&set), "m37"), Status::Compliant, "{d}");
        }
        let set = with_answer(
            golden("compliant"),
            "m37-last-restore-test",
            AnswerValue::Date(date("2025-11-22")),
        );
        assert_eq!(status(&run(&set), "m37"), Status::NonCompliant);

        // A future date on a question that does not apply at L changes nothing.
        let set = with_answer(
            golden("standard-level"),
            "m38-last-audit",
            AnswerValue::Date(date("2027-01-01")),
        );
        let e = run(&set);
        assert_eq!((e.verdict.id.as_str(), e.score), ("good", Some(100.0)));
    }

    fn severity_of(e: &wit::Evaluation) -> u8 {
        e.verdict.severity as u8
    }

    /// Found by the random property test: with exactly half the criteria
    /// informative and S < 50, declining the one `unknown` answer of a
    /// criterion (here `m08-named-accounts`) gave `not-assessed` (medium)
    /// where `unknown` gave `insufficient` (high). Walking `refuses.toml`
    /// from refusals to `unknown` one yes/no question at a time crosses that
    /// threshold: at every step, the refusal must not do better.
    #[test]
    fn declining_is_never_better_than_unknown_on_the_way_from_refusal() {
        let mut set = golden("refuses");
        let declined: Vec<String> = set
            .answers
            .iter()
            .filter(|a| matches!(a.value, AnswerValue::Declined))
            .filter(|a| {
                CONTENT
                    .question_index(&a.question)
                    .is_some_and(|qi| CONTENT.questions[qi].kind == Kind::YesNo)
            })
            .map(|a| a.question.clone())
            .collect();
        assert!(declined.len() > 40, "{}", declined.len());
        for question in declined {
            let refused = run(&set);
            set = with_answer(set, &question, AnswerValue::YesNo(YesNo::Unknown));
            let unknown = run(&set);
            assert!(
                severity_of(&refused) >= severity_of(&unknown),
                "declining `{question}` gives `{}` ({:?}) where unknown gives `{}` ({:?})",
                refused.verdict.id,
                ext(&refused, "verdict-rule"),
                unknown.verdict.id,
                ext(&unknown, "verdict-rule"),
            );
        }
    }

    #[test]
    fn nothing_answered_is_not_assessed() {
        for level in [STANDARD, RENFORCE] {
            let e = vigie_plugin_sdk::evaluate::<Anssi>(
                &[],
                &wit::Context {
                    assessment_date: date("2026-11-23"),
                    language: "fr".into(),
                    level: Some(level.into()),
                    extensions: Vec::new(),
                },
            )
            .unwrap();
            assert_eq!(
                (e.verdict.id.as_str(), ext(&e, "verdict-rule")),
                ("not-assessed", Some("V2"))
            );
            assert_eq!(ext(&e, "informative-criteria"), Some("0"));
            assert_eq!(ext(&e, "declined-questions"), Some("0"));
        }
    }

    #[test]
    fn content_matches_the_rules() {
        // HIGH (RULES.md, notation).
        let high: Vec<&str> = (0..CONTENT.criteria.len())
            .filter(|&c| is_high(&CONTENT, c))
            .map(|c| CONTENT.criteria[c].id)
            .collect();
        assert_eq!(
            high,
            [
                "m05",
                "m08",
                "m12",
                "m13",
                "m27",
                "m28",
                "m29",
                "m34",
                "m36",
                "m37",
                "provider-questions",
                "least-privilege"
            ]
        );
        // R-LVL-1: criteria and questions per level.
        let in_level = |levels: &[&str], level: &str| levels.is_empty() || levels.contains(&level);
        let count = |level: &str| {
            let criteria = CONTENT
                .criteria
                .iter()
                .filter(|c| in_level(c.levels, level))
                .count();
            let questions = CONTENT
                .questions
                .iter()
                .filter(|q| {
                    in_level(q.levels, level) && in_level(CONTENT.sections[q.section].levels, level)
                })
                .count();
            (criteria, questions)
        };
        assert_eq!(count(STANDARD), (44, 86));
        assert_eq!(count(RENFORCE), (47, 110));
        // The rebuilt sheet of `evaluate` keeps the effective answers: no
        // applicability condition may depend on the level. A condition tests
        // a question without levels, or (for a question) one shown at every
        // level the dependent question is shown at, so that both hide together.
        let levels_of = |qi: usize| -> Vec<&str> {
            let q = &CONTENT.questions[qi];
            let section = CONTENT.sections[q.section].levels;
            match (q.levels.is_empty(), section.is_empty()) {
                (true, true) => Vec::new(),
                (false, _) => q.levels.to_vec(),
                (true, false) => section.to_vec(),
            }
        };
        let section_conditions = CONTENT
            .sections
            .iter()
            .flat_map(|s| s.applicable_when.iter())
            .flat_map(|all| all.iter());
        for c in section_conditions {
            assert!(
                levels_of(c.question).is_empty(),
                "{}",
                CONTENT.questions[c.question].id
            );
        }
        for (qi, q) in CONTENT.questions.iter().enumerate() {
            let dependent = levels_of(qi);
            for c in q.applicable_when.iter().flat_map(|all| all.iter()) {
                let tested = levels_of(c.question);
                assert!(
                    tested.is_empty()
                        || (!dependent.is_empty() && dependent.iter().all(|l| tested.contains(l))),
                    "{} depends on {}, shown at other levels",
                    q.id,
                    CONTENT.questions[c.question].id
                );
            }
        }
    }
}
