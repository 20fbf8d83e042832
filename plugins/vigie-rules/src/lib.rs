//! The rules the host (`vigie-model`) and the plugin SDK must apply the same
//! way, written once: which sections and questions apply given the answers
//! and the level ([`applicability`]), and calendar-day arithmetic
//! ([`days_from_civil`], [`civil_from_days`]).
//!
//! The host computes applicability itself (the interview never calls into a
//! plugin on a keystroke) and a plugin's rules compute it again from their
//! content; when the two differed, a plugin could score answers the host
//! had dropped, or ignore answers it had kept. Both now call this crate,
//! each through a view of its own types ([`Items`], [`AnswerView`]). The
//! crate has no dependencies, so that it compiles into every plugin.

/// Days from 1970-01-01 to the given day of the proleptic Gregorian
/// calendar (negative before), by Howard Hinnant's `days_from_civil`.
pub fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let m = i64::from(month);
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day `days` days after 1970-01-01, as `(year, month, day)`; the year
/// as an `i64`, which the caller narrows.
pub fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// An answer as the applicability tests read it.
pub trait AnswerView {
    /// The supplier refused to answer: for every test, as if unanswered.
    fn is_declined(&self) -> bool;
    /// A yes/no answer's id (`yes`, `no`, `partial`, `unknown`) or a chosen
    /// choice's id equals `id`.
    fn matches(&self, id: &str) -> bool;
    /// A multiple-choice answer includes choice `id`.
    fn includes(&self, id: &str) -> bool;
    /// A number answer's value.
    fn number(&self) -> Option<f64>;
}

/// One applicability test on an earlier question's answer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Test<'a, S: AsRef<str>> {
    Answered,
    Unanswered,
    OneOf(&'a [S]),
    NoneOf(&'a [S]),
    Includes(&'a str),
    AtLeast(f64),
    Below(f64),
}

/// Whether `test` holds for `answer` (`None`: unanswered). A refusal counts
/// as unanswered; `one_of` and `none_of` both need an answer, so that a
/// question hidden by `none_of = ["no"]` stays hidden until answered
/// (add an `unanswered = true` alternative to show it meanwhile).
pub fn test_holds<S: AsRef<str>, A: AnswerView + ?Sized>(
    test: &Test<'_, S>,
    answer: Option<&A>,
) -> bool {
    let answered = answer.filter(|a| !a.is_declined());
    match test {
        Test::Answered => answered.is_some(),
        Test::Unanswered => answered.is_none(),
        Test::OneOf(values) => {
            answered.is_some_and(|a| values.iter().any(|v| a.matches(v.as_ref())))
        }
        Test::NoneOf(values) => {
            answered.is_some_and(|a| !values.iter().any(|v| a.matches(v.as_ref())))
        }
        Test::Includes(id) => answered.is_some_and(|a| a.includes(id)),
        Test::AtLeast(n) => answered.and_then(|a| a.number()).is_some_and(|v| v >= *n),
        Test::Below(n) => answered.and_then(|a| a.number()).is_some_and(|v| v < *n),
    }
}

/// A section or a question, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Section(usize),
    Question(usize),
}

/// What [`Items::conditions`] calls for each condition: the alternative's
/// index, the tested question's index, the test.
pub type ConditionVisitor<'v, S> = dyn FnMut(usize, Option<usize>, Test<'_, S>) + 'v;

/// A questionnaire and its answers as [`applicability`] reads them.
pub trait Items {
    type Answer: AnswerView + ?Sized;
    type Str: AsRef<str>;

    fn section_count(&self) -> usize;
    fn question_count(&self) -> usize;
    /// The section of question `q` (`None`: an unknown section, which never
    /// applies).
    fn section_of(&self, q: usize) -> Option<usize>;
    /// The levels `item` is restricted to (empty: every level).
    fn levels(&self, item: Item) -> &[Self::Str];
    /// `item`'s `applicable_when`: calls `each` with (alternative, question
    /// index, test) for every condition; a condition on a question that is
    /// not an earlier one gets `None` and reads it as unanswered (the host
    /// refuses such content at load, the SDK at build).
    fn conditions(&self, item: Item, each: &mut ConditionVisitor<'_, Self::Str>);
    /// The answer given to question `q`, whether or not it applies.
    fn answer(&self, q: usize) -> Option<&Self::Answer>;
}

/// Which sections and questions apply.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Applicability {
    /// One flag per section, in questionnaire order.
    pub sections: Vec<bool>,
    /// One flag per question, in questionnaire order.
    pub questions: Vec<bool>,
}

impl Applicability {
    /// Whether question `index` applies (`false` past the end).
    pub fn question(&self, index: usize) -> bool {
        self.questions.get(index).copied().unwrap_or(false)
    }

    /// Whether section `index` applies (`false` past the end).
    pub fn section(&self, index: usize) -> bool {
        self.sections.get(index).copied().unwrap_or(false)
    }
}

fn level_matches<S: AsRef<str>>(levels: &[S], level: Option<&str>) -> bool {
    match level {
        Some(level) if !levels.is_empty() => levels.iter().any(|l| l.as_ref() == level),
        _ => true,
    }
}

/// Whether `item`'s conditions hold on the answers of the questions that
/// apply so far (`effective`): no alternative means always; otherwise one
/// alternative whose conditions all hold.
fn holds<I: Items + ?Sized>(items: &I, item: Item, effective: &[bool]) -> bool {
    // Per alternative: Some(true) while all its conditions hold so far.
    let mut alternatives: Vec<bool> = Vec::new();
    items.conditions(item, &mut |alt, question, test| {
        if alternatives.len() <= alt {
            alternatives.resize(alt + 1, true);
        }
        let answer = question
            .filter(|&q| effective.get(q).copied().unwrap_or(false))
            .and_then(|q| items.answer(q));
        alternatives[alt] &= test_holds(&test, answer);
    });
    alternatives.is_empty() || alternatives.iter().any(|&a| a)
}

/// Applicability in one pass in interview order: conditions only name
/// earlier questions, and the answer of a question that does not apply is
/// ignored by every later condition. A section is decided when its first
/// question is reached (a section without questions on the final answers).
pub fn applicability<I: Items + ?Sized>(items: &I, level: Option<&str>) -> Applicability {
    let n = items.question_count();
    let mut sections: Vec<Option<bool>> = vec![None; items.section_count()];
    // Per question: it applies and its answer counts for later conditions.
    let mut effective = vec![false; n];
    let mut questions = Vec::with_capacity(n);
    for q in 0..n {
        let section_applies = match items.section_of(q) {
            Some(s) if s < sections.len() => *sections[s].get_or_insert_with(|| {
                level_matches(items.levels(Item::Section(s)), level)
                    && holds(items, Item::Section(s), &effective)
            }),
            _ => false,
        };
        let applies = section_applies
            && level_matches(items.levels(Item::Question(q)), level)
            && holds(items, Item::Question(q), &effective);
        effective[q] = applies;
        questions.push(applies);
    }
    let sections = sections
        .into_iter()
        .enumerate()
        .map(|(s, flag)| {
            flag.unwrap_or_else(|| {
                level_matches(items.levels(Item::Section(s)), level)
                    && holds(items, Item::Section(s), &effective)
            })
        })
        .collect();
    Applicability {
        sections,
        questions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(
            days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28),
            2
        );
        assert_eq!(
            days_from_civil(2023, 3, 1) - days_from_civil(2023, 2, 28),
            1
        );
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y as i32, m, d), days);
        }
    }

    struct Yes(&'static str);
    impl AnswerView for Yes {
        fn is_declined(&self) -> bool {
            self.0 == "declined"
        }
        fn matches(&self, id: &str) -> bool {
            self.0 == id
        }
        fn includes(&self, id: &str) -> bool {
            self.0 == id
        }
        fn number(&self) -> Option<f64> {
            self.0.parse().ok()
        }
    }

    #[test]
    fn none_of_needs_an_answer_and_a_refusal_is_no_answer() {
        let t: Test<'_, &str> = Test::NoneOf(&["no"]);
        assert!(!test_holds::<&str, Yes>(&t, None));
        assert!(!test_holds(&t, Some(&Yes("declined"))));
        assert!(!test_holds(&t, Some(&Yes("no"))));
        assert!(test_holds(&t, Some(&Yes("yes"))));
        let u: Test<'_, &str> = Test::Unanswered;
        assert!(test_holds(&u, Some(&Yes("declined"))));
        assert!(test_holds(&Test::<&str>::AtLeast(3.0), Some(&Yes("3"))));
        assert!(!test_holds(&Test::<&str>::Below(3.0), Some(&Yes("3"))));
    }
}
