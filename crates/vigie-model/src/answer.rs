use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{AnswerKind, Date, Localized};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum YesNo {
    Yes,
    No,
    Partial,
    Unknown,
}

impl YesNo {
    pub const ALL: [YesNo; 4] = [YesNo::Yes, YesNo::No, YesNo::Partial, YesNo::Unknown];

    pub fn id(self) -> &'static str {
        match self {
            YesNo::Yes => "yes",
            YesNo::No => "no",
            YesNo::Partial => "partial",
            YesNo::Unknown => "unknown",
        }
    }

    pub fn label(self, lang: impl Into<crate::Lang>) -> &'static str {
        match (self, lang.into() == crate::Lang::Fr) {
            (YesNo::Yes, true) => "oui",
            (YesNo::No, true) => "non",
            (YesNo::Partial, true) => "partiel",
            (YesNo::Unknown, true) => "ne sait pas",
            (YesNo::Yes, false) => "yes",
            (YesNo::No, false) => "no",
            (YesNo::Partial, false) => "partial",
            (YesNo::Unknown, false) => "unknown",
        }
    }
}

/// A given answer. `Declined` records that the supplier refused to answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum AnswerValue {
    YesNo(YesNo),
    Choice(String),
    Choices(Vec<String>),
    Integer(i64),
    Decimal(f64),
    Text(String),
    Date(Date),
    Declined,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error("`{value}` is not a {kind} answer{hint}")]
    Parse {
        value: String,
        kind: &'static str,
        hint: String,
    },
    #[error("`{0}` is not one of the choices ({1})")]
    UnknownChoice(String, String),
    #[error("{value} is outside the allowed range {range}")]
    OutOfRange { value: f64, range: String },
    #[error("a {expected} question cannot take a {given} answer")]
    WrongKind {
        expected: &'static str,
        given: &'static str,
    },
    #[error("the same choice `{0}` is given twice")]
    DuplicateChoice(String),
    #[error(
        "{date} is after the assessment date {assessment_date}: the question asks when a past event \
         (a last audit, a last test) took place, which cannot be in the future; give the real date, \
         or answer unknown"
    )]
    FutureDate { date: Date, assessment_date: Date },
    #[error("`{answer}` is not an answer this question takes (it takes {offered})")]
    NotOffered {
        answer: &'static str,
        offered: String,
    },
}

/// The question extension by which a plugin restricts the answers of a
/// yes/no question (`yes,no,unknown` where "partial" means nothing, as in
/// "have you suffered a cyberattack?"): any other answer is refused at input.
pub const YES_NO_ANSWERS_EXTENSION: &str = "yes-no-answers";

/// The question extension by which a plugin marks a date question as the
/// date of a past event (a last audit, a last test): an answer after the
/// assessment date is refused at input.
pub const PAST_DATE_EXTENSION: &str = "date-not-after-assessment";

const DECLINED_WORDS: [&str; 4] = ["declined", "refused", "refus", "refuse"];

impl AnswerValue {
    /// Name of the variant, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            AnswerValue::YesNo(_) => "yes-no",
            AnswerValue::Choice(_) => "single-choice",
            AnswerValue::Choices(_) => "multiple-choice",
            AnswerValue::Integer(_) => "integer",
            AnswerValue::Decimal(_) => "decimal",
            AnswerValue::Text(_) => "text",
            AnswerValue::Date(_) => "date",
            AnswerValue::Declined => "declined",
        }
    }

    pub fn is_declined(&self) -> bool {
        matches!(self, AnswerValue::Declined)
    }

    /// Parses what an auditor typed (on the command line or in an answers file)
    /// for a question of `kind`. French and English words are accepted for
    /// yes/no; multiple choices are comma-separated; `declined` (or `refus`)
    /// records a refusal for any kind.
    pub fn parse(kind: &AnswerKind, input: &str) -> Result<AnswerValue, AnswerError> {
        let text = input.trim();
        let lower = text.to_lowercase();
        if DECLINED_WORDS.contains(&lower.as_str()) {
            return Ok(AnswerValue::Declined);
        }
        let parse_err = |hint: &str| AnswerError::Parse {
            value: text.to_string(),
            kind: kind.name(),
            hint: hint.to_string(),
        };
        let value = match kind {
            AnswerKind::YesNo => AnswerValue::YesNo(match lower.as_str() {
                "yes" | "y" | "oui" | "o" => YesNo::Yes,
                "no" | "n" | "non" => YesNo::No,
                "partial" | "p" | "partiel" | "partiellement" => YesNo::Partial,
                "unknown" | "u" | "?" | "nsp" | "inconnu" | "ne sait pas" => YesNo::Unknown,
                _ => return Err(parse_err(": use yes, no, partial, unknown or declined")),
            }),
            AnswerKind::SingleChoice(_) => AnswerValue::Choice(text.to_string()),
            AnswerKind::MultipleChoice(_) => AnswerValue::Choices(
                text.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
            AnswerKind::Integer(_) => AnswerValue::Integer(
                without_digit_groups(text)
                    .parse()
                    .map_err(|_| parse_err(": expected a whole number"))?,
            ),
            AnswerKind::Decimal(_) => AnswerValue::Decimal(
                without_digit_groups(text)
                    .replace(',', ".")
                    .parse()
                    .map_err(|_| parse_err(": expected a number"))?,
            ),
            AnswerKind::Text => AnswerValue::Text(text.to_string()),
            AnswerKind::Date => AnswerValue::Date(text.parse().map_err(|e| {
                match e {
                    // The shape is right but the day does not exist: say why.
                    crate::DateError::Invalid { .. } => parse_err(&format!(
                        ": {}",
                        e.to_string()
                            .trim_start_matches(text)
                            .trim_start_matches(": ")
                    )),
                    crate::DateError::Format(_) => parse_err(": expected a date YYYY-MM-DD"),
                }
            })?),
        };
        value.validate(kind)?;
        Ok(value)
    }

    /// Checks that this value fits a question of `kind`.
    pub fn validate(&self, kind: &AnswerKind) -> Result<(), AnswerError> {
        let check_choice = |id: &str, choices: &[crate::Choice]| {
            if choices.iter().any(|c| c.id == id) {
                Ok(())
            } else {
                let ids: Vec<&str> = choices.iter().map(|c| c.id.as_str()).collect();
                Err(AnswerError::UnknownChoice(id.to_string(), ids.join(", ")))
            }
        };
        let check_range = |v: f64, b: &crate::NumericBounds| {
            let low = b.min.is_none_or(|m| v >= m);
            let high = b.max.is_none_or(|m| v <= m);
            if low && high && v.is_finite() {
                Ok(())
            } else {
                Err(AnswerError::OutOfRange {
                    value: v,
                    range: format!(
                        "{}..{}",
                        b.min.map(|m| m.to_string()).unwrap_or_default(),
                        b.max.map(|m| m.to_string()).unwrap_or_default()
                    ),
                })
            }
        };
        match (self, kind) {
            (AnswerValue::Declined, _) => Ok(()),
            (AnswerValue::YesNo(_), AnswerKind::YesNo) => Ok(()),
            (AnswerValue::Choice(id), AnswerKind::SingleChoice(choices)) => {
                check_choice(id, choices)
            }
            (AnswerValue::Choices(ids), AnswerKind::MultipleChoice(choices)) => {
                for (i, id) in ids.iter().enumerate() {
                    check_choice(id, choices)?;
                    if ids[..i].contains(id) {
                        return Err(AnswerError::DuplicateChoice(id.clone()));
                    }
                }
                Ok(())
            }
            (AnswerValue::Integer(v), AnswerKind::Integer(b)) => check_range(*v as f64, b),
            (AnswerValue::Decimal(v), AnswerKind::Decimal(b)) => check_range(*v, b),
            (AnswerValue::Text(_), AnswerKind::Text) => Ok(()),
            (AnswerValue::Date(_), AnswerKind::Date) => Ok(()),
            (value, kind) => Err(AnswerError::WrongKind {
                expected: kind.name(),
                given: value.kind_name(),
            }),
        }
    }

    /// Checks this value against the question and the assessment it is given
    /// for: a yes/no answer the question does not offer
    /// ([`YES_NO_ANSWERS_EXTENSION`]) is refused, and the date of a past event
    /// (a question carrying [`PAST_DATE_EXTENSION`]) cannot come after the
    /// assessment date. `validate` checks the kind first.
    pub fn check_on(
        &self,
        question: &crate::Question,
        assessment_date: Date,
    ) -> Result<(), AnswerError> {
        match self {
            AnswerValue::YesNo(v) if !question.yes_no_answers().contains(v) => {
                Err(AnswerError::NotOffered {
                    answer: v.id(),
                    offered: question
                        .yes_no_answers()
                        .iter()
                        .map(|a| a.id())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
            AnswerValue::Date(date) if question.is_past_event_date() && *date > assessment_date => {
                Err(AnswerError::FutureDate {
                    date: *date,
                    assessment_date,
                })
            }
            _ => Ok(()),
        }
    }

    /// The answer as an auditor reads it, with choice labels in `lang`.
    pub fn display(&self, kind: &AnswerKind, lang: impl AsRef<str>) -> String {
        let lang = lang.as_ref();
        let label = |id: &str| {
            kind.choices()
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.label.get(lang).to_string())
                .unwrap_or_else(|| id.to_string())
        };
        match self {
            AnswerValue::YesNo(v) => v.label(lang).to_string(),
            AnswerValue::Choice(id) => label(id),
            AnswerValue::Choices(ids) => {
                ids.iter().map(|i| label(i)).collect::<Vec<_>>().join(", ")
            }
            AnswerValue::Integer(v) => with_unit(v.to_string(), kind, lang),
            AnswerValue::Decimal(v) => with_unit(v.to_string(), kind, lang),
            AnswerValue::Text(t) => t.clone(),
            AnswerValue::Date(d) => d.to_string(),
            AnswerValue::Declined => crate::Lang::from_code(lang)
                .pick("refus de répondre", "declined to answer")
                .into(),
        }
    }

    /// The canonical value used by applicability tests: yes-no names and choice ids.
    pub fn matches_value(&self, wanted: &str) -> bool {
        match self {
            AnswerValue::YesNo(v) => v.id() == wanted,
            AnswerValue::Choice(id) => id == wanted,
            AnswerValue::Choices(ids) => ids.iter().any(|i| i == wanted),
            _ => false,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            AnswerValue::Integer(v) => Some(*v as f64),
            AnswerValue::Decimal(v) => Some(*v),
            _ => None,
        }
    }
}

fn with_unit(value: String, kind: &AnswerKind, lang: &str) -> String {
    let unit: Option<&Localized> = match kind {
        AnswerKind::Integer(b) | AnswerKind::Decimal(b) => b.unit.as_ref(),
        _ => None,
    };
    match unit {
        Some(u) if !u.is_empty() => amount_with_unit(&value, u.get(lang), lang),
        _ => value,
    }
}

/// Currency signs English writes before the amount.
const CURRENCY_SIGNS: [char; 4] = ['€', '$', '£', '¥'];

/// `80` and `€ M` read `€80M` in English (the sign before the amount, the
/// multiplier after it, as English writes money); French keeps `80 M€`, and any
/// other unit follows the number after a space (`1200 staff (FTE)`).
fn amount_with_unit(value: &str, unit: &str, lang: &str) -> String {
    let unit = unit.trim();
    match unit.strip_prefix(CURRENCY_SIGNS) {
        Some(multiplier) if lang != "fr" => {
            let sign = &unit[..unit.len() - multiplier.len()];
            format!("{sign}{value}{}", multiplier.trim())
        }
        _ => format!("{value} {unit}"),
    }
}

/// A number as the French write it, `80 000 000` (with a space, a no-break space or a
/// narrow no-break space between groups of digits), read as `80000000`.
fn without_digit_groups(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect()
}

impl fmt::Display for YesNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Choice, NumericBounds};

    fn choices() -> AnswerKind {
        AnswerKind::MultipleChoice(vec![
            Choice {
                id: "a".into(),
                label: Localized::from_pairs([("fr", "Un"), ("en", "One")]),
            },
            Choice {
                id: "b".into(),
                label: Localized::from_pairs([("fr", "Deux"), ("en", "Two")]),
            },
        ])
    }

    #[test]
    fn money_reads_as_each_language_writes_it() {
        let money = AnswerKind::Decimal(NumericBounds {
            min: None,
            max: None,
            unit: Some(Localized::from_pairs([("fr", "M€"), ("en", "€ M")])),
        });
        let value = AnswerValue::Decimal(80.0);
        assert_eq!(value.display(&money, "en"), "€80M");
        assert_eq!(value.display(&money, "fr"), "80 M€");
        let euros = AnswerKind::Integer(NumericBounds {
            min: None,
            max: None,
            unit: Some(Localized::from_pairs([("fr", "€"), ("en", "€")])),
        });
        assert_eq!(AnswerValue::Integer(5).display(&euros, "en"), "€5");
        assert_eq!(AnswerValue::Integer(5).display(&euros, "fr"), "5 €");
        let staff = AnswerKind::Integer(NumericBounds {
            min: None,
            max: None,
            unit: Some(Localized::from_pairs([
                ("fr", "personnes"),
                ("en", "staff"),
            ])),
        });
        assert_eq!(
            AnswerValue::Integer(1200).display(&staff, "en"),
            "1200 staff"
        );
    }

    #[test]
    fn parses_french_and_english_yes_no() {
        for (s, v) in [
            ("oui", YesNo::Yes),
            ("No", YesNo::No),
            ("partiel", YesNo::Partial),
        ] {
            assert_eq!(
                AnswerValue::parse(&AnswerKind::YesNo, s),
                Ok(AnswerValue::YesNo(v))
            );
        }
        assert!(AnswerValue::parse(&AnswerKind::YesNo, "maybe").is_err());
        assert_eq!(
            AnswerValue::parse(&AnswerKind::Date, "refus"),
            Ok(AnswerValue::Declined)
        );
    }

    #[test]
    fn an_impossible_date_says_why() {
        let err = AnswerValue::parse(&AnswerKind::Date, "2027-02-30").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`2027-02-30` is not a date answer: there is no 30 February: February has 28 days"
        );
        let err = AnswerValue::parse(&AnswerKind::Date, "30/02/2027").unwrap_err();
        assert!(
            err.to_string().ends_with("expected a date YYYY-MM-DD"),
            "{err}"
        );
    }

    #[test]
    fn a_past_event_cannot_be_dated_after_the_assessment() {
        let mut question = crate::Question {
            id: "last-audit".into(),
            section: "s".into(),
            prompt: Localized::default(),
            help: crate::Help {
                why: Localized::default(),
                evidence: Localized::default(),
            },
            kind: AnswerKind::Date,
            references: vec![],
            criteria: vec![],
            levels: vec![],
            applicable_when: vec![],
            extensions: vec![],
        };
        let assessed = Date::new(2026, 11, 23).unwrap();
        let later = AnswerValue::Date(Date::new(2027, 1, 15).unwrap());
        let same_day = AnswerValue::Date(assessed);
        // Without the mark, a date question may hold any date (an expiry).
        assert_eq!(later.check_on(&question, assessed), Ok(()));
        question.extensions.push(crate::Extension {
            key: PAST_DATE_EXTENSION.into(),
            value: "true".into(),
        });
        let err = later.check_on(&question, assessed).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("2027-01-15 is after the assessment date 2026-11-23"),
            "{err}"
        );
        assert_eq!(same_day.check_on(&question, assessed), Ok(()));
        assert_eq!(AnswerValue::Declined.check_on(&question, assessed), Ok(()));
    }

    #[test]
    fn a_yes_no_answer_the_question_does_not_offer_is_refused() {
        let mut question = crate::Question {
            id: "attacked".into(),
            section: "s".into(),
            prompt: Localized::default(),
            help: crate::Help::default(),
            kind: AnswerKind::YesNo,
            references: vec![],
            criteria: vec![],
            levels: vec![],
            applicable_when: vec![],
            extensions: vec![],
        };
        let assessed = Date::new(2026, 11, 23).unwrap();
        let partial = AnswerValue::YesNo(YesNo::Partial);
        assert_eq!(question.yes_no_answers(), YesNo::ALL);
        assert_eq!(partial.check_on(&question, assessed), Ok(()));
        question.extensions.push(crate::Extension {
            key: YES_NO_ANSWERS_EXTENSION.into(),
            value: "yes,no,unknown".into(),
        });
        assert_eq!(
            question.yes_no_answers(),
            [YesNo::Yes, YesNo::No, YesNo::Unknown]
        );
        let err = partial.check_on(&question, assessed).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`partial` is not an answer this question takes (it takes yes, no, unknown)"
        );
        for ok in [YesNo::Yes, YesNo::No, YesNo::Unknown] {
            assert_eq!(AnswerValue::YesNo(ok).check_on(&question, assessed), Ok(()));
        }
        assert_eq!(AnswerValue::Declined.check_on(&question, assessed), Ok(()));
        // A list naming no known answer restricts nothing (a plugin's typo
        // must not make the question unanswerable).
        question.extensions[0].value = "oui,non".into();
        assert_eq!(question.yes_no_answers(), YesNo::ALL);
    }

    #[test]
    fn validates_choices_and_ranges() {
        assert_eq!(
            AnswerValue::parse(&choices(), "a, b"),
            Ok(AnswerValue::Choices(vec!["a".into(), "b".into()]))
        );
        assert!(matches!(
            AnswerValue::parse(&choices(), "a,c"),
            Err(AnswerError::UnknownChoice(..))
        ));
        assert!(matches!(
            AnswerValue::parse(&choices(), "a,a"),
            Err(AnswerError::DuplicateChoice(..))
        ));
        let pct = AnswerKind::Integer(NumericBounds {
            min: Some(0.0),
            max: Some(100.0),
            unit: Some(Localized::from_pairs([("fr", "%")])),
        });
        assert!(AnswerValue::parse(&pct, "101").is_err());
        assert_eq!(
            AnswerValue::parse(&pct, "85").unwrap().display(&pct, "fr"),
            "85 %"
        );
        assert!(AnswerValue::YesNo(YesNo::Yes).validate(&pct).is_err());
    }

    /// Issue 14: `80 000 000` was refused while `60,5` was accepted.
    #[test]
    fn numbers_accept_digit_groups_as_the_french_write_them() {
        let whole = AnswerKind::Integer(NumericBounds::default());
        let decimal = AnswerKind::Decimal(NumericBounds::default());
        assert_eq!(
            AnswerValue::parse(&whole, "80 000 000").unwrap(),
            AnswerValue::Integer(80_000_000)
        );
        assert_eq!(
            AnswerValue::parse(&decimal, "1\u{202f}250,5").unwrap(),
            AnswerValue::Decimal(1250.5)
        );
        assert_eq!(
            AnswerValue::parse(&decimal, "60,5").unwrap(),
            AnswerValue::Decimal(60.5)
        );
        assert!(AnswerValue::parse(&whole, "12 abc").is_err());
    }
}
