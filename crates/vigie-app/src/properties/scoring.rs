//! What a question's declared scoring says: the question extensions the Rust SDK publishes,
//! the outcome of an answer, and the answers from best to worse.

use vigie_model::{AnswerKind, AnswerValue, Date, Question, YesNo};

/// Question extension: how the answer is scored. One of `context`, `yes`,
/// `no`, `choices`, `at-least:MET[:PARTIAL]`, `below:MET[:PARTIAL]`,
/// `after-assessment`, `within-days:N`.
pub const SCORING_EXTENSION: &str = "scoring";
/// Question extension of a choice question: the outcome of each scored
/// choice, `id=met,id=partial,id=not-met,id=unknown` (a choice without a
/// score is left out).
pub const CHOICE_SCORES_EXTENSION: &str = "choice-scores";
/// Evaluation extension of a plugin built with the SDK: which questions
/// apply in its reading, as hexadecimal digits of a bit mask (question
/// 4k + j is bit j of digit k).
pub const APPLICABILITY_EXTENSION: &str = "applicable-questions";

/// `n` flags from an applicability mask; `false` past its end or for a
/// character that is not a hexadecimal digit.
pub fn decode_mask(mask: &str, n: usize) -> Vec<bool> {
    let digits: Vec<u32> = mask.chars().map(|c| c.to_digit(16).unwrap_or(0)).collect();
    (0..n)
        .map(|i| digits.get(i / 4).is_some_and(|d| d & (1 << (i % 4)) != 0))
        .collect()
}

/// Question extension: `true` when leaving the question unanswered must not
/// be better than answering it "no".
pub const CRITICAL_EXTENSION: &str = "critical";

/// What an answer means for scoring, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Met,
    Partial,
    Unknown,
    NotMet,
    Declined,
}

impl Outcome {
    /// 0 for met, 1 partial, 2 unknown, 3 for not met and declined (a
    /// refusal is ranked with "not met": neither is required to be better).
    pub fn rank(self) -> u8 {
        match self {
            Outcome::Met => 0,
            Outcome::Partial => 1,
            Outcome::Unknown => 2,
            Outcome::NotMet | Outcome::Declined => 3,
        }
    }

    fn parse(s: &str) -> Option<Outcome> {
        Some(match s {
            "met" => Outcome::Met,
            "partial" => Outcome::Partial,
            "unknown" => Outcome::Unknown,
            "not-met" => Outcome::NotMet,
            _ => return None,
        })
    }

    pub fn id(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::Partial => "partial",
            Outcome::Unknown => "unknown",
            Outcome::NotMet => "not-met",
            Outcome::Declined => "declined",
        }
    }
}

/// How a question's answer is scored, as its plugin declares it.
#[derive(Clone, Debug, PartialEq)]
pub enum Scoring {
    /// Declared unscored.
    Context,
    /// yes met, partial partial, unknown unknown, no not met.
    Yes,
    /// Inverted: no met, yes not met.
    No,
    /// Each choice its outcome; choices left out carry no score.
    Choices(Vec<(String, Outcome)>),
    AtLeast {
        met: f64,
        partial: Option<f64>,
    },
    Below {
        met: f64,
        partial: Option<f64>,
    },
    /// A date on or after the assessment date is met.
    AfterAssessment,
    /// A date at most this many days before the assessment date is met; a
    /// date after it is unknown (an error in the data).
    WithinDays(u32),
    /// The plugin does not say (written without the SDK).
    Undeclared,
}

fn extension<'q>(question: &'q Question, key: &str) -> Option<&'q str> {
    question
        .extensions
        .iter()
        .find(|e| e.key == key)
        .map(|e| e.value.as_str())
}

fn bounds(rest: &str) -> Option<(f64, Option<f64>)> {
    let mut parts = rest.split(':');
    let met = parts.next()?.parse().ok()?;
    let partial = match parts.next() {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((met, partial))
}

impl Scoring {
    /// The scoring `question` declares; [`Scoring::Undeclared`] when it
    /// declares none or one this version does not read.
    pub fn of(question: &Question) -> Scoring {
        let Some(declared) = extension(question, SCORING_EXTENSION) else {
            return Scoring::Undeclared;
        };
        let (head, rest) = declared.split_once(':').unwrap_or((declared, ""));
        let parsed = match head {
            "context" => Some(Scoring::Context),
            "yes" => Some(Scoring::Yes),
            "no" => Some(Scoring::No),
            "choices" => extension(question, CHOICE_SCORES_EXTENSION)
                .unwrap_or("")
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (id, outcome) = pair.split_once('=')?;
                    Some((id.to_string(), Outcome::parse(outcome)?))
                })
                .collect::<Option<Vec<_>>>()
                .map(Scoring::Choices),
            "at-least" => bounds(rest).map(|(met, partial)| Scoring::AtLeast { met, partial }),
            "below" => bounds(rest).map(|(met, partial)| Scoring::Below { met, partial }),
            "after-assessment" => Some(Scoring::AfterAssessment),
            "within-days" => rest.parse().ok().map(Scoring::WithinDays),
            _ => None,
        };
        parsed.unwrap_or(Scoring::Undeclared)
    }

    /// The outcome of `value` on an assessment dated `date`; `None` for a
    /// context or undeclared question, or a choice without a score.
    pub fn outcome(&self, value: &AnswerValue, date: Date) -> Option<Outcome> {
        if matches!(self, Scoring::Context | Scoring::Undeclared) {
            return None;
        }
        if value.is_declined() {
            return Some(Outcome::Declined);
        }
        let choice = |id: &str| match self {
            Scoring::Choices(scores) => scores.iter().find(|(c, _)| c == id).map(|(_, o)| *o),
            _ => None,
        };
        let graded = |v: f64, met: f64, partial: Option<f64>, at_least: bool| {
            let reaches = |bound: f64| if at_least { v >= bound } else { v < bound };
            if reaches(met) {
                Outcome::Met
            } else if partial.is_some_and(reaches) {
                Outcome::Partial
            } else {
                Outcome::NotMet
            }
        };
        Some(match (self, value) {
            (Scoring::Yes | Scoring::No, AnswerValue::YesNo(v)) => {
                match (v, matches!(self, Scoring::No)) {
                    (YesNo::Yes, false) | (YesNo::No, true) => Outcome::Met,
                    (YesNo::No, false) | (YesNo::Yes, true) => Outcome::NotMet,
                    (YesNo::Partial, _) => Outcome::Partial,
                    (YesNo::Unknown, _) => Outcome::Unknown,
                }
            }
            (Scoring::Choices(_), AnswerValue::Choice(id)) => choice(id)?,
            (Scoring::Choices(_), AnswerValue::Choices(ids)) => ids
                .iter()
                .filter_map(|id| choice(id))
                .max_by_key(|o| o.rank())?,
            (Scoring::AtLeast { met, partial }, v) => graded(v.as_number()?, *met, *partial, true),
            (Scoring::Below { met, partial }, v) => graded(v.as_number()?, *met, *partial, false),
            (Scoring::AfterAssessment, AnswerValue::Date(d)) => {
                if *d >= date {
                    Outcome::Met
                } else {
                    Outcome::NotMet
                }
            }
            (Scoring::WithinDays(n), AnswerValue::Date(d)) => {
                let age = d.days_until(date);
                if age < 0 {
                    Outcome::Unknown
                } else if age <= i64::from(*n) {
                    Outcome::Met
                } else {
                    Outcome::NotMet
                }
            }
            _ => Outcome::Unknown,
        })
    }
}

fn number_in(kind: &AnswerKind, v: f64) -> Option<AnswerValue> {
    match kind {
        AnswerKind::Integer(b) if b.min.is_none_or(|m| v >= m) && b.max.is_none_or(|m| v <= m) => {
            Some(AnswerValue::Integer(v as i64))
        }
        AnswerKind::Decimal(b) if b.min.is_none_or(|m| v >= m) && b.max.is_none_or(|m| v <= m) => {
            Some(AnswerValue::Decimal(v))
        }
        _ => None,
    }
}

fn day(date: Date, days: i64) -> AnswerValue {
    AnswerValue::Date(date.add_days(days).unwrap_or(date))
}

/// One question with its declared scoring.
#[derive(Clone, Debug)]
pub struct Scored {
    pub scoring: Scoring,
    pub critical: bool,
}

impl Scored {
    pub fn of(question: &Question) -> Scored {
        Scored {
            scoring: Scoring::of(question),
            critical: extension(question, CRITICAL_EXTENSION) == Some("true"),
        }
    }

    fn rank(&self, value: &AnswerValue, date: Date) -> u8 {
        self.scoring.outcome(value, date).map_or(4, Outcome::rank)
    }

    /// The values `question` can take (within its kind, choices and
    /// bounds), the best first: met before partial before unknown before
    /// not met; unscored values after.
    pub fn values(&self, question: &Question, date: Date) -> Vec<AnswerValue> {
        let mut out: Vec<AnswerValue> = match &question.kind {
            AnswerKind::YesNo => question
                .yes_no_answers()
                .into_iter()
                .map(AnswerValue::YesNo)
                .collect(),
            AnswerKind::SingleChoice(choices) => choices
                .iter()
                .map(|c| AnswerValue::Choice(c.id.clone()))
                .collect(),
            AnswerKind::MultipleChoice(choices) => {
                let mut v: Vec<AnswerValue> = choices
                    .iter()
                    .map(|c| AnswerValue::Choices(vec![c.id.clone()]))
                    .collect();
                if choices.len() > 1 {
                    v.push(AnswerValue::Choices(
                        choices.iter().take(2).map(|c| c.id.clone()).collect(),
                    ));
                }
                v
            }
            kind @ (AnswerKind::Integer(b) | AnswerKind::Decimal(b)) => {
                let mut points = vec![0.0, 1.0, 10.0, 50.0, 100.0, 1000.0];
                if let Scoring::AtLeast { met, partial } | Scoring::Below { met, partial } =
                    self.scoring
                {
                    points.extend([met, met - 1.0, met + 1.0]);
                    points.extend(partial.into_iter().flat_map(|p| [p, p - 1.0]));
                }
                points.extend(b.min);
                points.extend(b.max);
                points.iter().filter_map(|&p| number_in(kind, p)).collect()
            }
            AnswerKind::Text => vec![AnswerValue::Text("réponse".into())],
            AnswerKind::Date => match self.scoring {
                Scoring::WithinDays(n) => {
                    let n = i64::from(n);
                    vec![
                        day(date, -10),
                        day(date, -n),
                        day(date, -n - 1),
                        day(date, 0),
                    ]
                }
                _ => vec![day(date, 400), day(date, 0), day(date, -1), day(date, -400)],
            },
        };
        out.sort_by_key(|v| self.rank(v, date));
        out.dedup();
        out
    }

    /// Answers strictly worse than `current`: a worse yes/no or choice, a
    /// number further from the target, an older date, a refusal (worse than
    /// anything but a plain "not met").
    pub fn worse(
        &self,
        question: &Question,
        current: &AnswerValue,
        date: Date,
    ) -> Vec<AnswerValue> {
        let mut out = Vec::new();
        let Some(now) = self.scoring.outcome(current, date) else {
            return out;
        };
        if now == Outcome::Declined {
            return out;
        }
        let r = now.rank();
        match (&question.kind, current) {
            (AnswerKind::YesNo, _) => {
                let offered = question.yes_no_answers();
                for v in [YesNo::Partial, YesNo::Unknown, YesNo::Yes, YesNo::No] {
                    if !offered.contains(&v) {
                        continue;
                    }
                    let v = AnswerValue::YesNo(v);
                    if self.rank(&v, date) > r && self.scoring.outcome(&v, date).is_some() {
                        out.push(v);
                    }
                }
            }
            (AnswerKind::SingleChoice(choices), _) => {
                for c in choices {
                    let v = AnswerValue::Choice(c.id.clone());
                    if self.scoring.outcome(&v, date).is_some_and(|o| o.rank() > r) {
                        out.push(v);
                    }
                }
            }
            (AnswerKind::MultipleChoice(choices), AnswerValue::Choices(ids)) => {
                for c in choices {
                    let alone = AnswerValue::Choices(vec![c.id.clone()]);
                    if self
                        .scoring
                        .outcome(&alone, date)
                        .is_some_and(|o| o.rank() > r)
                        && !ids.contains(&c.id)
                    {
                        let mut more = ids.clone();
                        more.push(c.id.clone());
                        out.push(AnswerValue::Choices(more));
                    }
                }
            }
            (kind @ (AnswerKind::Integer(_) | AnswerKind::Decimal(_)), v) => {
                if let Some(x) = v.as_number() {
                    let step = if matches!(self.scoring, Scoring::Below { .. }) {
                        1.0
                    } else {
                        -1.0
                    };
                    for d in [1.0, 10.0, 50.0] {
                        out.extend(number_in(kind, x + step * d));
                    }
                }
            }
            // An older date is worse, except for a past event dated after
            // the assessment (an error in the data, outside the order).
            (AnswerKind::Date, AnswerValue::Date(d))
                if !(matches!(self.scoring, Scoring::WithinDays(_)) && *d > date) =>
            {
                out.extend([day(*d, -1), day(*d, -400)]);
            }
            _ => {}
        }
        if r != Outcome::NotMet.rank() {
            out.push(AnswerValue::Declined);
        }
        out
    }

    /// A value with a "not met" outcome, if the question has one.
    pub fn not_met_value(&self, question: &Question, date: Date) -> Option<AnswerValue> {
        let mut candidates = self.values(question, date);
        candidates.push(day(date, -4000));
        candidates
            .into_iter()
            .find(|v| self.scoring.outcome(v, date) == Some(Outcome::NotMet))
    }
}
