//! Checks a parsed `questionnaire.toml` and resolves what the code emission
//! needs (indices, applicability tests, scoring), so that emission has no
//! lookup that can fail and no default to fall back on.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::ContentError;
use crate::schema::{Condition, Expect, ExpectWord, File, Kind, Question, Text, YesNoAnswer};

fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

/// What the SDK appends to a criterion's id for its "to verify" finding.
const VERIFY_SUFFIX: &str = ".verify";

/// An applicability test, resolved.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Test {
    Answered,
    Unanswered,
    OneOf(Vec<String>),
    NoneOf(Vec<String>),
    Includes(String),
    AtLeast(f64),
    Below(f64),
}

/// A condition on the question at index `question`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ResolvedCondition {
    pub question: usize,
    pub test: Test,
}

pub(crate) type ResolvedApplicability = Vec<Vec<ResolvedCondition>>;

/// How a question is scored, resolved from `expect`, its kind and its
/// choices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scoring {
    Context,
    Yes,
    No,
    Choices,
    MetAtLeast { met: f64, partial: Option<f64> },
    MetBelow { met: f64, partial: Option<f64> },
    AfterAssessment,
    WithinDays(u32),
}

/// What emission needs for one question.
pub(crate) struct ResolvedQuestion {
    pub section: usize,
    pub criteria: Vec<usize>,
    pub applicable_when: ResolvedApplicability,
    pub scoring: Scoring,
    /// The yes/no answers offered (all four unless the content says).
    pub answers: Vec<YesNoAnswer>,
}

/// The content, checked, with everything emission looks up.
pub(crate) struct Resolved {
    pub sections: Vec<ResolvedApplicability>,
    pub questions: Vec<ResolvedQuestion>,
}

pub(crate) struct Checker<'a> {
    file: &'a File,
    path: &'a str,
}

impl<'a> Checker<'a> {
    pub fn new(file: &'a File, path: &'a str) -> Self {
        Checker { file, path }
    }

    fn err(&self, item: impl fmt::Display, message: impl fmt::Display) -> ContentError {
        ContentError::Invalid {
            path: self.path.to_string(),
            item: item.to_string(),
            message: message.to_string(),
        }
    }

    fn text(&self, item: &str, field: &str, text: &Text) -> Result<(), ContentError> {
        for lang in &self.file.info.languages {
            if text.get(lang).is_none_or(|t| t.trim().is_empty()) {
                return Err(self.err(item, format!("`{field}` has no `{lang}` text")));
            }
        }
        for lang in text.keys() {
            if !self.file.info.languages.contains(lang) {
                return Err(self.err(
                    item,
                    format!(
                        "`{field}` has text in `{lang}`, which `info.languages` does not declare"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn ids<'b>(
        &self,
        kind: &str,
        ids: impl Iterator<Item = &'b String>,
    ) -> Result<HashSet<&'b str>, ContentError> {
        let mut seen = HashSet::new();
        for id in ids {
            if !valid_id(id) {
                return Err(self.err(
                    format!("{kind} `{id}`"),
                    "ids are 1-64 characters from a-z 0-9 . _ -",
                ));
            }
            if !seen.insert(id.as_str()) {
                return Err(self.err(format!("{kind} `{id}`"), "this id is used twice"));
            }
        }
        Ok(seen)
    }

    fn references(
        &self,
        item: &str,
        refs: &[String],
        frameworks: &HashSet<&str>,
    ) -> Result<(), ContentError> {
        for r in refs {
            let Some((fw, clause)) = r.split_once(':') else {
                return Err(self.err(item, format!("reference `{r}` is not `framework:clause`")));
            };
            if !frameworks.contains(fw) {
                return Err(self.err(item, format!("reference `{r}` names framework `{fw}`, which is not declared in [[frameworks]]")));
            }
            if clause.trim().is_empty() {
                return Err(self.err(item, format!("reference `{r}` has an empty clause")));
            }
        }
        Ok(())
    }

    fn levels(
        &self,
        item: &str,
        levels: &[String],
        declared: &HashSet<&str>,
    ) -> Result<(), ContentError> {
        for l in levels {
            if !declared.contains(l.as_str()) {
                return Err(self.err(item, format!("level `{l}` is not declared in [[levels]]")));
            }
        }
        Ok(())
    }

    /// The one test a condition carries.
    fn test(&self, item: &str, c: &Condition) -> Result<Test, ContentError> {
        let mut tests = Vec::new();
        if let Some(v) = &c.one_of {
            tests.push(Test::OneOf(v.clone()));
        }
        if let Some(v) = &c.none_of {
            tests.push(Test::NoneOf(v.clone()));
        }
        if let Some(v) = &c.includes {
            tests.push(Test::Includes(v.clone()));
        }
        if let Some(n) = c.at_least {
            tests.push(Test::AtLeast(n));
        }
        if let Some(n) = c.below {
            tests.push(Test::Below(n));
        }
        if c.answered == Some(true) {
            tests.push(Test::Answered);
        }
        if c.unanswered == Some(true) {
            tests.push(Test::Unanswered);
        }
        match <[Test; 1]>::try_from(tests) {
            Ok([test]) => Ok(test),
            Err(_) => Err(self.err(
                item,
                format!("condition on `{}` must have exactly one test", c.question),
            )),
        }
    }

    fn conditions(
        &self,
        item: &str,
        alternatives: &[Vec<Condition>],
        earlier: &HashMap<&str, usize>,
    ) -> Result<ResolvedApplicability, ContentError> {
        let mut resolved = Vec::new();
        for all in alternatives {
            if all.is_empty() {
                return Err(self.err(item, "`applicable_when` has an empty alternative"));
            }
            let mut conditions = Vec::new();
            for c in all {
                let Some(&qi) = earlier.get(c.question.as_str()) else {
                    let hint = if self.file.questions.iter().any(|q| q.id == c.question) {
                        " (conditions name questions asked before, in file order)"
                    } else {
                        ""
                    };
                    return Err(self.err(
                        item,
                        format!(
                            "condition on `{}`, which is not an earlier question{hint}",
                            c.question
                        ),
                    ));
                };
                let test = self.test(item, c)?;
                let question = &self.file.questions[qi];
                let allowed: Vec<&str> = match question.kind {
                    Kind::YesNo => offered(question).iter().map(|a| a.id()).collect(),
                    _ => question.choices.iter().map(|c| c.id.as_str()).collect(),
                };
                let values: Vec<&String> = match &test {
                    Test::OneOf(v) | Test::NoneOf(v) => v.iter().collect(),
                    Test::Includes(v) => vec![v],
                    _ => Vec::new(),
                };
                for v in values {
                    if !allowed.contains(&v.as_str()) {
                        return Err(self.err(
                            item,
                            format!(
                                "condition value `{v}` is not a possible answer of `{}`",
                                c.question
                            ),
                        ));
                    }
                }
                if matches!(test, Test::Includes(_)) && question.kind != Kind::MultipleChoice {
                    return Err(self.err(
                        item,
                        format!(
                            "`includes` tests a multiple-choice question; `{}` is {}: use `one_of`",
                            c.question,
                            question.kind.name()
                        ),
                    ));
                }
                if matches!(test, Test::AtLeast(_) | Test::Below(_)) && !question.kind.is_number() {
                    return Err(self.err(
                        item,
                        format!(
                            "`at_least` and `below` test a number; `{}` is {}",
                            c.question,
                            question.kind.name()
                        ),
                    ));
                }
                conditions.push(ResolvedCondition { question: qi, test });
            }
            resolved.push(conditions);
        }
        Ok(resolved)
    }

    /// Checks the whole file and resolves it for emission.
    pub fn check(&self) -> Result<Resolved, ContentError> {
        let f = self.file;
        if !valid_id(&f.info.id) {
            return Err(self.err(
                "info",
                format!(
                    "id `{}` must be 1-64 characters from a-z 0-9 . _ -",
                    f.info.id
                ),
            ));
        }
        if f.info.languages.is_empty() {
            return Err(self.err("info", "`languages` is empty"));
        }
        let v: Vec<&str> = f.info.version.split('.').collect();
        if v.len() != 3 || v.iter().any(|p| p.parse::<u32>().is_err()) {
            return Err(self.err(
                "info",
                format!("version `{}` is not MAJOR.MINOR.PATCH", f.info.version),
            ));
        }
        self.text("info", "name", &f.info.name)?;
        self.text("info", "description", &f.info.description)?;
        let frameworks = self.ids("framework", f.frameworks.iter().map(|x| &x.id))?;
        for fw in &f.frameworks {
            self.text(&format!("framework `{}`", fw.id), "title", &fw.title)?;
            if let Some(short) = &fw.short {
                self.text(&format!("framework `{}`", fw.id), "short", short)?;
            }
        }
        let levels = self.ids("level", f.levels.iter().map(|x| &x.id))?;
        for l in &f.levels {
            let item = format!("level `{}`", l.id);
            self.text(&item, "name", &l.name)?;
            self.text(&item, "description", &l.description)?;
        }
        self.ids("section", f.sections.iter().map(|x| &x.id))?;
        self.ids("criterion", f.criteria.iter().map(|x| &x.id))?;
        // A criterion to verify becomes finding `ID.verify`, itself an id.
        if let Some(c) = f
            .criteria
            .iter()
            .find(|c| c.id.len() + VERIFY_SUFFIX.len() > 64)
        {
            return Err(self.err(
                format!("criterion `{}`", c.id),
                "criterion ids are at most 57 characters (its finding `ID.verify` must fit in 64)",
            ));
        }
        self.ids("question", f.questions.iter().map(|x| &x.id))?;
        self.ids("verdict", f.verdicts.iter().map(|x| &x.id))?;
        for c in &f.criteria {
            let item = format!("criterion `{}`", c.id);
            self.text(&item, "title", &c.title)?;
            self.text(&item, "description", &c.description)?;
            self.text(&item, "recommendation", &c.recommendation)?;
            self.references(&item, &c.references, &frameworks)?;
            self.levels(&item, &c.levels, &levels)?;
        }
        for v in &f.verdicts {
            let item = format!("verdict `{}`", v.id);
            self.text(&item, "label", &v.label)?;
            self.text(&item, "summary", &v.summary)?;
        }
        // Sections: conditions may only name questions of earlier sections.
        let mut first_question_of: HashMap<&str, usize> = HashMap::new();
        for (i, q) in f.questions.iter().enumerate() {
            first_question_of.entry(q.section.as_str()).or_insert(i);
        }
        let mut sections = Vec::new();
        for s in &f.sections {
            let item = format!("section `{}`", s.id);
            self.text(&item, "title", &s.title)?;
            self.text(&item, "description", &s.description)?;
            self.levels(&item, &s.levels, &levels)?;
            let limit = first_question_of
                .get(s.id.as_str())
                .copied()
                .unwrap_or(f.questions.len());
            let earlier: HashMap<&str, usize> = f.questions[..limit]
                .iter()
                .enumerate()
                .map(|(i, q)| (q.id.as_str(), i))
                .collect();
            sections.push(self.conditions(&item, &s.applicable_when, &earlier)?);
        }
        let mut earlier: HashMap<&str, usize> = HashMap::new();
        let mut current_section = 0usize;
        let mut questions = Vec::new();
        for (i, q) in f.questions.iter().enumerate() {
            let item = format!("question `{}`", q.id);
            let Some(section) = f.sections.iter().position(|s| s.id == q.section) else {
                return Err(self.err(&item, format!("section `{}` is not declared", q.section)));
            };
            if section < current_section {
                return Err(self.err(&item, format!("questions must be grouped by section in section order; `{}` comes after a later section", q.section)));
            }
            current_section = section;
            self.text(&item, "prompt", &q.prompt)?;
            self.text(&item, "why", &q.why)?;
            self.text(&item, "evidence", &q.evidence)?;
            if q.kind.is_choice() && q.choices.is_empty() {
                return Err(self.err(&item, "a choice question needs `choices`"));
            }
            if !q.kind.is_choice() && !q.choices.is_empty() {
                return Err(self.err(
                    &item,
                    format!("a {} question cannot have `choices`", q.kind.name()),
                ));
            }
            let mut choice_ids = HashSet::new();
            for c in &q.choices {
                let citem = format!("{item}, choice `{}`", c.id);
                if !valid_id(&c.id) || !choice_ids.insert(c.id.as_str()) {
                    return Err(self.err(&citem, "choice ids are unique and made of a-z 0-9 . _ -"));
                }
                self.text(&citem, "label", &c.label)?;
            }
            self.yes_no_answers(&item, q)?;
            if let Some(unit) = &q.unit {
                self.text(&item, "unit", unit)?;
            }
            if (q.min.is_some() || q.max.is_some() || q.unit.is_some()) && !q.kind.is_number() {
                return Err(self.err(
                    &item,
                    "`min`, `max` and `unit` are for integer and decimal questions",
                ));
            }
            if let (Some(min), Some(max)) = (q.min, q.max)
                && min > max
            {
                return Err(self.err(
                    &item,
                    format!(
                        "`min = {min}` is above `max = {max}`: no answer would be accepted (leave `max` out for no upper bound)"
                    ),
                ));
            }
            if q.kind == Kind::Integer
                && let (Some(min), Some(max)) = (q.min, q.max)
                && min.ceil() > max.floor()
            {
                return Err(self.err(
                    &item,
                    format!("no whole number lies between `min = {min}` and `max = {max}`"),
                ));
            }
            self.references(&item, &q.references, &frameworks)?;
            let mut criteria = Vec::new();
            for c in &q.criteria {
                let Some(index) = f.criteria.iter().position(|x| &x.id == c) else {
                    return Err(self.err(&item, format!("criterion `{c}` is not declared")));
                };
                criteria.push(index);
            }
            self.levels(&item, &q.levels, &levels)?;
            let applicable_when = self.conditions(&item, &q.applicable_when, &earlier)?;
            let scoring = scoring_of(q).map_err(|m| self.err(&item, m))?;
            if scoring != Scoring::Context && q.criteria.is_empty() {
                return Err(self.err(
                    &item,
                    if q.kind == Kind::YesNo && q.expect.is_none() {
                        "a yes/no question that feeds no criterion is not scored: list the criteria it feeds \
                         (`criteria = [\"…\"]`), or write `expect = \"context\"` if it only gives context"
                    } else {
                        "a scored question (with `expect` or choice scores) must feed at least one criterion"
                    },
                ));
            }
            if q.critical && scoring == Scoring::Context {
                return Err(self.err(
                    &item,
                    "`critical = true` on a question that is not scored: a critical question must feed a criterion",
                ));
            }
            questions.push(ResolvedQuestion {
                section,
                criteria,
                applicable_when,
                scoring,
                answers: offered(q),
            });
            earlier.insert(q.id.as_str(), i);
        }
        for v in ["not-assessed"] {
            if !f.verdicts.iter().any(|x| x.id == v) {
                return Err(self.err("verdicts", format!("verdict `{v}` must be declared")));
            }
        }
        Ok(Resolved {
            sections,
            questions,
        })
    }

    /// `answers` restricts a yes/no question's answers: at least two,
    /// without repeats, and none the scoring needs and leaves out.
    fn yes_no_answers(&self, item: &str, q: &Question) -> Result<(), ContentError> {
        let Some(answers) = &q.answers else {
            return Ok(());
        };
        if q.kind != Kind::YesNo {
            return Err(self.err(item, "`answers` restricts the answers of a yes-no question"));
        }
        let mut seen = HashSet::new();
        if let Some(a) = answers.iter().find(|a| !seen.insert(a.id())) {
            return Err(self.err(item, format!("`answers` lists `{}` twice", a.id())));
        }
        if !(answers.contains(&YesNoAnswer::Yes) && answers.contains(&YesNoAnswer::No)) {
            return Err(self.err(
                item,
                "`answers` must keep `yes` and `no`; it leaves out `partial` or `unknown` where they mean nothing",
            ));
        }
        Ok(())
    }
}

/// The yes/no answers a question offers: its `answers`, else all four.
fn offered(q: &Question) -> Vec<YesNoAnswer> {
    match (&q.answers, q.kind) {
        (Some(answers), Kind::YesNo) => answers.clone(),
        (_, Kind::YesNo) => YesNoAnswer::ALL.to_vec(),
        _ => Vec::new(),
    }
}

/// How a question is scored, or why its `expect` does not fit it.
fn scoring_of(q: &Question) -> Result<Scoring, String> {
    let kind = q.kind.name();
    match (&q.expect, q.kind) {
        (None, Kind::YesNo) => Ok(Scoring::Yes),
        (None, Kind::SingleChoice | Kind::MultipleChoice) => {
            Ok(if q.choices.iter().any(|c| c.score.is_some()) {
                Scoring::Choices
            } else {
                Scoring::Context
            })
        }
        (None, _) => Ok(Scoring::Context),
        (Some(Expect::Word(w)), _) => match (w, q.kind) {
            (ExpectWord::Yes, Kind::YesNo) => Ok(Scoring::Yes),
            (ExpectWord::No, Kind::YesNo) => Ok(Scoring::No),
            (ExpectWord::Context, _) => Ok(Scoring::Context),
            (ExpectWord::AfterAssessment, Kind::Date) => Ok(Scoring::AfterAssessment),
            (ExpectWord::Yes, _) => Err(format!("expect `yes` does not fit a {kind} question")),
            (ExpectWord::No, _) => Err(format!("expect `no` does not fit a {kind} question")),
            (ExpectWord::AfterAssessment, _) => Err(format!(
                "expect `after-assessment` does not fit a {kind} question"
            )),
        },
        (Some(Expect::Table(t)), Kind::Integer | Kind::Decimal) => {
            match (t.met_at_least, t.met_below, t.within_days) {
                (Some(met), None, None) if t.partial_below.is_none() => Ok(Scoring::MetAtLeast {
                    met,
                    partial: t.partial_at_least,
                }),
                (None, Some(met), None) if t.partial_at_least.is_none() => Ok(Scoring::MetBelow {
                    met,
                    partial: t.partial_below,
                }),
                _ => Err("numeric `expect` is { met_at_least, partial_at_least? } or { met_below, partial_below? }".into()),
            }
        }
        (Some(Expect::Table(t)), Kind::Date) => match t.within_days {
            Some(days) if t.met_at_least.is_none() && t.met_below.is_none() => {
                Ok(Scoring::WithinDays(days))
            }
            _ => Err("date `expect` is \"after-assessment\" or { within_days = N }".into()),
        },
        (Some(Expect::Table(_)), _) => {
            Err(format!("a {kind} question cannot take an `expect` table"))
        }
    }
}
