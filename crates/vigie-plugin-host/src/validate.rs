//! Checks of everything a plugin returns, before anyone else sees it. Each
//! message names the item and field at fault, in words a plugin author can
//! act on.

use std::collections::{HashMap, HashSet};

use vigie_model::{
    AnswerKind, Evaluation, Localized, Questionnaire, Test, is_control_char, visible,
};

/// Bounds on plugin output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputLimits {
    /// Longest single string, in bytes.
    pub max_string_bytes: usize,
    /// Longest list (questions, criteria, choices, findings, ...).
    pub max_list_len: usize,
    /// Total text returned by one call, in bytes.
    pub max_total_bytes: usize,
}

impl Default for OutputLimits {
    fn default() -> Self {
        OutputLimits {
            max_string_bytes: 32 << 10,
            max_list_len: 5_000,
            max_total_bytes: 16 << 20,
        }
    }
}

/// `text` cut to about `max` bytes, with its control characters made visible: error
/// messages quote plugin text with it.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return visible(text).into_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", visible(&text[..end]))
}

/// The `localized` fields that are long texts: the only text fields where a line feed is
/// allowed (wit/questionnaire.wit lists the same). Every other string is one line.
const LONG_TEXTS: [&str; 6] = [
    "description",
    "help.why",
    "help.evidence",
    "rationale",
    "summary",
    "recommendation",
];

/// Refuses a control character (C0, DEL, C1; line feeds too unless `line_feeds`): shown on
/// a terminal, such text could clear the screen, set the window title or write to the
/// clipboard. The message gives the code point, not the character.
fn no_control(at: &str, text: &str, line_feeds: bool) -> Result<(), String> {
    let found = text
        .chars()
        .enumerate()
        .find(|&(_, c)| is_control_char(c) && !(line_feeds && c == '\n'));
    match found {
        None => Ok(()),
        Some((position, c)) => Err(format!(
            "{at}: control character U+{:04X} at character {}; {}",
            u32::from(c),
            position + 1,
            if line_feeds {
                "a long text may hold line feeds but no other control character"
            } else {
                "this text is one line and may hold no control character (not even a line feed)"
            }
        )),
    }
}

/// The message of an `err` returned by `evaluate`, shown to the auditor: a long text.
pub(crate) fn error_message(message: &str) -> Result<(), String> {
    no_control("the error message of evaluate", message, true)
}

struct Checker<'a> {
    limits: &'a OutputLimits,
    total: usize,
    languages: &'a [String],
}

fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

impl Checker<'_> {
    /// A one-line string: bounded, without control characters.
    fn string(&mut self, at: &str, s: &str) -> Result<(), String> {
        self.count(at, s)?;
        no_control(at, s, false)
    }

    /// Counts a string against the limits.
    fn count(&mut self, at: &str, s: &str) -> Result<(), String> {
        if s.len() > self.limits.max_string_bytes {
            return Err(format!(
                "{at}: a text of {} bytes is over the limit of {} bytes (OutputLimits::max_string_bytes)",
                s.len(),
                self.limits.max_string_bytes
            ));
        }
        self.total += s.len();
        if self.total > self.limits.max_total_bytes {
            return Err(format!(
                "{at}: the text returned by this call passes the total limit of {} bytes (OutputLimits::max_total_bytes)",
                self.limits.max_total_bytes
            ));
        }
        Ok(())
    }

    fn list(&self, at: &str, len: usize) -> Result<(), String> {
        if len > self.limits.max_list_len {
            return Err(format!(
                "{at}: {len} items is over the limit of {} (OutputLimits::max_list_len)",
                self.limits.max_list_len
            ));
        }
        Ok(())
    }

    /// Key/value extensions: a bounded list of bounded strings.
    fn extensions(&mut self, at: &str, list: &[vigie_model::Extension]) -> Result<(), String> {
        self.list(&format!("{at}.extensions"), list.len())?;
        for e in list {
            self.string(&format!("{at}.extensions"), &e.key)?;
            let value_at = format!("{at}.extensions `{}`", e.key);
            self.count(&value_at, &e.value)?;
            no_control(&value_at, &e.value, true)?;
        }
        Ok(())
    }

    fn id(&mut self, at: &str, id: &str) -> Result<(), String> {
        self.string(at, id)?;
        if !valid_id(id) {
            return Err(format!(
                "{at}: id `{}` must be 1-64 characters from a-z 0-9 . _ -",
                clip(id, 80)
            ));
        }
        Ok(())
    }

    /// A text must be given in every language the plugin declares.
    fn text(
        &mut self,
        at: &str,
        field: &str,
        text: &Localized,
        required: bool,
    ) -> Result<(), String> {
        self.list(&format!("{at}.{field}"), text.0.len())?;
        let long = LONG_TEXTS.contains(&field);
        for t in &text.0 {
            self.string(&format!("{at}.{field}"), &t.lang)?;
            let text_at = format!("{at}.{field} ({})", t.lang);
            self.count(&text_at, &t.text)?;
            no_control(&text_at, &t.text, long)?;
        }
        if required {
            for lang in self.languages {
                if !text.has(lang) {
                    return Err(format!(
                        "{at}: `{field}` has no text in `{lang}`, a declared language"
                    ));
                }
            }
        }
        Ok(())
    }

    fn unique<'b>(
        &mut self,
        what: &str,
        ids: impl Iterator<Item = &'b str>,
    ) -> Result<HashSet<&'b str>, String> {
        let mut seen = HashSet::new();
        for id in ids {
            self.id(&format!("{what} `{}`", clip(id, 80)), id)?;
            if !seen.insert(id) {
                return Err(format!(
                    "{what} `{id}` is declared twice; ids must be unique"
                ));
            }
        }
        Ok(seen)
    }
}

/// Validates a described questionnaire.
pub(crate) fn questionnaire(q: &Questionnaire, limits: &OutputLimits) -> Result<(), String> {
    let info = &q.info;
    let mut c = Checker {
        limits,
        total: 0,
        languages: &info.languages,
    };
    c.id("info.id", &info.id)?;
    c.string("info.version", &info.version)?;
    let version: Vec<&str> = info.version.split('.').collect();
    if version.len() != 3 || version.iter().any(|p| p.parse::<u64>().is_err()) {
        return Err(format!(
            "info.version `{}` is not MAJOR.MINOR.PATCH with numbers, e.g. `1.2.0`",
            clip(&info.version, 40)
        ));
    }
    c.list("info.languages", info.languages.len())?;
    if info.languages.is_empty() {
        return Err("info.languages is empty: declare at least one language".into());
    }
    for lang in &info.languages {
        c.string("info.languages", lang)?;
        if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(format!(
                "info.languages: `{}` is not an ISO 639-1 code like `fr`",
                clip(lang, 20)
            ));
        }
    }
    c.text("info", "name", &info.name, true)?;
    c.text("info", "description", &info.description, false)?;
    c.list("info.authors", info.authors.len())?;
    for a in &info.authors {
        c.string("info.authors", a)?;
    }
    c.extensions("info", &info.extensions)?;
    c.list("info.frameworks", info.frameworks.len())?;
    let frameworks = c.unique("framework", info.frameworks.iter().map(|f| f.id.as_str()))?;
    for f in &info.frameworks {
        c.text(&format!("framework `{}`", f.id), "title", &f.title, true)?;
    }
    c.list("info.levels", info.levels.len())?;
    let levels = c.unique("level", info.levels.iter().map(|l| l.id.as_str()))?;
    for l in &info.levels {
        c.text(&format!("level `{}`", l.id), "name", &l.name, true)?;
        c.text(
            &format!("level `{}`", l.id),
            "description",
            &l.description,
            false,
        )?;
    }
    c.list("sections", q.sections.len())?;
    c.list("questions", q.questions.len())?;
    c.list("criteria", q.criteria.len())?;
    if q.questions.is_empty() {
        return Err("the questionnaire has no question: `questions` is empty".into());
    }
    let sections = c.unique("section", q.sections.iter().map(|s| s.id.as_str()))?;
    let criteria = c.unique("criterion", q.criteria.iter().map(|c| c.id.as_str()))?;
    c.unique("question", q.questions.iter().map(|q| q.id.as_str()))?;

    let check_levels = |at: &str, list: &[String]| -> Result<(), String> {
        if list.len() > levels.len() {
            return Err(format!(
                "{at}: `levels` lists {} levels, more than the {} info.levels declares",
                list.len(),
                levels.len()
            ));
        }
        for l in list {
            if !levels.contains(l.as_str()) {
                return Err(format!(
                    "{at}: level `{}` is not declared in info.levels",
                    clip(l, 80)
                ));
            }
        }
        Ok(())
    };
    let check_refs = |c: &mut Checker,
                      at: &str,
                      refs: &[vigie_model::Reference]|
     -> Result<(), String> {
        c.list(&format!("{at}.references"), refs.len())?;
        for r in refs {
            c.string(&format!("{at}.references"), &r.framework)?;
            c.string(&format!("{at}.references"), &r.clause)?;
            if !frameworks.contains(r.framework.as_str()) {
                return Err(format!(
                    "{at}: reference `{} {}` names framework `{}`, which info.frameworks does not declare",
                    clip(&r.framework, 40),
                    clip(&r.clause, 40),
                    clip(&r.framework, 40)
                ));
            }
        }
        Ok(())
    };

    for crit in &q.criteria {
        let at = format!("criterion `{}`", crit.id);
        c.text(&at, "title", &crit.title, true)?;
        c.text(&at, "description", &crit.description, false)?;
        check_refs(&mut c, &at, &crit.references)?;
        check_levels(&at, &crit.levels)?;
        c.extensions(&at, &crit.extensions)?;
    }

    // Position of each question, for "earlier question" checks.
    let position: HashMap<&str, usize> = q
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id.as_str(), i))
        .collect();
    let mut first_of_section: HashMap<&str, usize> = HashMap::new();
    for (i, question) in q.questions.iter().enumerate() {
        first_of_section
            .entry(question.section.as_str())
            .or_insert(i);
    }
    let check_conditions = |c: &mut Checker,
                            at: &str,
                            alternatives: &[Vec<vigie_model::Condition>],
                            before: usize|
     -> Result<(), String> {
        c.list(&format!("{at}.applicable-when"), alternatives.len())?;
        for all in alternatives {
            c.list(&format!("{at}.applicable-when"), all.len())?;
            if all.is_empty() {
                return Err(format!(
                    "{at}: applicable-when has an empty alternative (it would always hold)"
                ));
            }
            for cond in all {
                c.string(&format!("{at}.applicable-when"), &cond.question)?;
                let Some(&target) = position.get(cond.question.as_str()) else {
                    return Err(format!(
                        "{at}: applicable-when has a condition on `{}`, which is not a question id",
                        clip(&cond.question, 80)
                    ));
                };
                if target >= before {
                    return Err(format!(
                        "{at}: applicable-when has a condition on `{}`, which does not come earlier in the questionnaire (a condition may only test an earlier question)",
                        cond.question
                    ));
                }
                let kind = &q.questions[target].kind;
                let possible = |v: &str| match kind {
                    AnswerKind::YesNo => ["yes", "no", "partial", "unknown"].contains(&v),
                    other => other.choices().iter().any(|ch| ch.id == v),
                };
                let values: Vec<&String> = match &cond.test {
                    Test::OneOf(v) | Test::NoneOf(v) => v.iter().collect(),
                    Test::Includes(v) => vec![v],
                    _ => vec![],
                };
                for v in values {
                    c.string(&format!("{at}.applicable-when"), v)?;
                    if !possible(v) {
                        return Err(format!(
                            "{at}: applicable-when tests the value `{}`, which is not a possible answer of `{}` (yes, no, partial, unknown, or one of its choice ids)",
                            clip(v, 80),
                            cond.question
                        ));
                    }
                }
            }
        }
        Ok(())
    };

    let mut section_seen = Vec::new();
    for s in &q.sections {
        let at = format!("section `{}`", s.id);
        c.text(&at, "title", &s.title, true)?;
        c.text(&at, "description", &s.description, false)?;
        check_levels(&at, &s.levels)?;
        let before = first_of_section
            .get(s.id.as_str())
            .copied()
            .unwrap_or(q.questions.len());
        check_conditions(&mut c, &at, &s.applicable_when, before)?;
        c.extensions(&at, &s.extensions)?;
        section_seen.push(s.id.as_str());
    }
    let mut current_section = 0;
    for (i, question) in q.questions.iter().enumerate() {
        let at = format!("question `{}`", question.id);
        if !sections.contains(question.section.as_str()) {
            return Err(format!(
                "{at}: field `section` names `{}`, which is not a declared section",
                clip(&question.section, 80)
            ));
        }
        let section_position = section_seen
            .iter()
            .position(|s| *s == question.section)
            .unwrap_or(0);
        if section_position < current_section {
            return Err(format!(
                "{at}: questions must be grouped by section in section order, but section `{}` appears again after a later one",
                question.section
            ));
        }
        current_section = section_position;
        c.text(&at, "prompt", &question.prompt, true)?;
        c.text(&at, "help.why", &question.help.why, false)?;
        c.text(&at, "help.evidence", &question.help.evidence, false)?;
        check_refs(&mut c, &at, &question.references)?;
        check_levels(&at, &question.levels)?;
        c.list(&format!("{at}.criteria"), question.criteria.len())?;
        for crit in &question.criteria {
            if !criteria.contains(crit.as_str()) {
                return Err(format!(
                    "{at}: field `criteria` names `{}`, which is not a declared criterion",
                    clip(crit, 80)
                ));
            }
        }
        match &question.kind {
            AnswerKind::SingleChoice(choices) | AnswerKind::MultipleChoice(choices) => {
                c.list(&format!("{at}.choices"), choices.len())?;
                if choices.is_empty() {
                    return Err(format!("{at}: a choice question needs at least one choice"));
                }
                c.unique(
                    &format!("{at}: choice"),
                    choices.iter().map(|ch| ch.id.as_str()),
                )?;
                for ch in choices {
                    c.text(
                        &format!("{at}, choice `{}`", ch.id),
                        "label",
                        &ch.label,
                        true,
                    )?;
                }
            }
            AnswerKind::Integer(b) | AnswerKind::Decimal(b) => {
                if let (Some(min), Some(max)) = (b.min, b.max)
                    && (min > max || !min.is_finite() || !max.is_finite())
                {
                    return Err(format!(
                        "{at}: numeric bounds min {min} and max {max} must be finite with min <= max"
                    ));
                }
                if let Some(unit) = &b.unit {
                    c.text(&at, "unit", unit, false)?;
                }
            }
            _ => {}
        }
        check_conditions(&mut c, &at, &question.applicable_when, i)?;
        c.extensions(&at, &question.extensions)?;
    }
    Ok(())
}

/// Validates an evaluation against the questionnaire that produced it.
pub(crate) fn evaluation(
    e: &Evaluation,
    q: &Questionnaire,
    limits: &OutputLimits,
) -> Result<(), String> {
    let mut c = Checker {
        limits,
        total: 0,
        languages: &q.info.languages,
    };
    c.list("criteria", e.criteria.len())?;
    c.list("findings", e.findings.len())?;
    let declared: HashSet<&str> = q.criteria.iter().map(|c| c.id.as_str()).collect();
    let mut seen = HashSet::new();
    for r in &e.criteria {
        let at = format!("result for criterion `{}`", clip(&r.criterion, 80));
        c.string(&at, &r.criterion)?;
        if !declared.contains(r.criterion.as_str()) {
            return Err(format!(
                "{at}: the questionnaire declares no such criterion"
            ));
        }
        if !seen.insert(r.criterion.as_str()) {
            return Err(format!(
                "{at}: the criterion has two results; return exactly one per criterion"
            ));
        }
        c.text(&at, "rationale", &r.rationale, false)?;
        if let Some(score) = r.score
            && !(0.0..=100.0).contains(&score)
        {
            return Err(format!("{at}: field `score` is {score}, outside 0..100"));
        }
        status_and_score_agree(&at, r.status, r.score)?;
    }
    if let Some(missing) = q
        .criteria
        .iter()
        .find(|crit| !seen.contains(crit.id.as_str()))
    {
        return Err(format!(
            "criterion `{}` has no result: `criteria` must hold one result per criterion of the questionnaire",
            missing.id
        ));
    }
    if let Some(score) = e.score
        && !(0.0..=100.0).contains(&score)
    {
        return Err(format!("the overall `score` is {score}, outside 0..100"));
    }
    c.id("verdict.id", &e.verdict.id)?;
    c.text("verdict", "label", &e.verdict.label, true)?;
    c.text("verdict", "summary", &e.verdict.summary, false)?;
    c.unique("finding", e.findings.iter().map(|f| f.id.as_str()))?;
    for f in &e.findings {
        let at = format!("finding `{}`", f.id);
        if let Some(crit) = &f.criterion
            && !declared.contains(crit.as_str())
        {
            return Err(format!(
                "{at}: field `criterion` names `{}`, which the questionnaire does not declare",
                clip(crit, 80)
            ));
        }
        c.text(&at, "title", &f.title, true)?;
        c.text(&at, "recommendation", &f.recommendation, false)?;
    }
    c.extensions("evaluation", &e.extensions)?;
    Ok(())
}

/// A criterion's score lies in the band of its status: compliant 80 to 100,
/// to verify below 80, non-compliant below 50, and no score for a criterion
/// not applicable or not assessed. A non-compliant criterion scoring 100
/// would inflate the overall score while saying the opposite.
fn status_and_score_agree(
    at: &str,
    status: vigie_model::Status,
    score: Option<f64>,
) -> Result<(), String> {
    use vigie_model::Status;
    let Some(score) = score else {
        return Ok(());
    };
    let (range, agrees) = match status {
        Status::Compliant => ("80 to 100", score >= 80.0),
        Status::ToVerify => ("below 80", score < 80.0),
        Status::NonCompliant => ("below 50", score < 50.0),
        Status::NotApplicable | Status::NotAssessed => ("none", false),
    };
    if agrees {
        return Ok(());
    }
    Err(format!(
        "{at}: status `{}` with score {score}: the score of a criterion with that status must be {range} \
         (compliant 80 to 100, to verify below 80, non-compliant below 50, no score when not applicable or not assessed)",
        status.id()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_model::{
        Criterion, CriterionResult, Extension, Finding, Help, PluginInfo, Question, Section,
        Severity, Status, Verdict,
    };

    fn text(t: &str) -> Localized {
        Localized::from_pairs([("fr", t), ("en", t)])
    }

    fn questionnaire_of_one() -> Questionnaire {
        Questionnaire {
            info: PluginInfo {
                id: "one".into(),
                version: "1.0.0".into(),
                name: text("One"),
                description: Localized::default(),
                authors: vec![],
                languages: vec!["fr".into(), "en".into()],
                frameworks: vec![],
                levels: vec![],
                extensions: vec![],
            },
            sections: vec![Section {
                id: "s".into(),
                title: text("S"),
                description: Localized::default(),
                levels: vec![],
                applicable_when: vec![],
                extensions: vec![],
            }],
            questions: vec![Question {
                id: "q".into(),
                section: "s".into(),
                prompt: text("Q?"),
                help: Help {
                    why: Localized::default(),
                    evidence: Localized::default(),
                },
                kind: AnswerKind::YesNo,
                references: vec![],
                criteria: vec!["c".into()],
                levels: vec![],
                applicable_when: vec![],
                extensions: vec![],
            }],
            criteria: vec![Criterion {
                id: "c".into(),
                title: text("C"),
                description: Localized::default(),
                weight: 1,
                severity: Severity::Low,
                references: vec![],
                levels: vec![],
                extensions: vec![],
            }],
        }
    }

    fn empty_extensions(n: usize) -> Vec<Extension> {
        vec![
            Extension {
                key: String::new(),
                value: String::new(),
            };
            n
        ]
    }

    fn evaluation_of_one() -> Evaluation {
        Evaluation {
            criteria: vec![CriterionResult {
                criterion: "c".into(),
                status: Status::Compliant,
                rationale: text("ok"),
                score: Some(100.0),
            }],
            score: Some(100.0),
            verdict: Verdict {
                id: "ok".into(),
                label: text("OK"),
                summary: Localized::default(),
                severity: Severity::Info,
            },
            findings: vec![],
            extensions: vec![],
        }
    }

    #[test]
    fn a_valid_questionnaire_and_evaluation_pass() {
        let limits = OutputLimits::default();
        let q = questionnaire_of_one();
        assert_eq!(questionnaire(&q, &limits), Ok(()));
        assert_eq!(evaluation(&evaluation_of_one(), &q, &limits), Ok(()));
    }

    /// Empty strings weigh nothing in the byte total, so every list of
    /// them must be bounded by its length: extensions anywhere included.
    #[test]
    fn lists_of_empty_extensions_are_bounded_everywhere() {
        let limits = OutputLimits::default();
        let too_many = limits.max_list_len + 1;
        let mut q = questionnaire_of_one();
        q.sections[0].extensions = empty_extensions(too_many);
        let err = questionnaire(&q, &limits).unwrap_err();
        assert!(err.starts_with("section `s`.extensions"), "{err}");
        let mut q = questionnaire_of_one();
        q.criteria[0].extensions = empty_extensions(too_many);
        let err = questionnaire(&q, &limits).unwrap_err();
        assert!(err.contains("criterion `c`.extensions"), "{err}");
        let mut q = questionnaire_of_one();
        q.questions[0].levels = vec!["x".into(); 3];
        let err = questionnaire(&q, &limits).unwrap_err();
        assert!(
            err.contains("more than the 0 info.levels declares"),
            "{err}"
        );
        let q = questionnaire_of_one();
        let mut e = evaluation_of_one();
        e.extensions = empty_extensions(too_many);
        let err = evaluation(&e, &q, &limits).unwrap_err();
        assert!(err.contains("evaluation.extensions"), "{err}");
    }

    /// Every control character (C0, DEL, C1) is refused in every kind of text, with the
    /// field, the language and the code point named; a line feed only in long texts.
    #[test]
    fn control_characters_are_refused_naming_the_field() {
        let limits = OutputLimits::default();
        let controls = (0..0x20).chain(0x7f..0xa0).filter_map(char::from_u32);
        for c in controls {
            let hostile = format!("ok{c}");
            let code = format!("U+{:04X} at character 3", u32::from(c));
            let mut q = questionnaire_of_one();
            q.questions[0].prompt =
                Localized::from_pairs([("fr", "Q ?"), ("en", hostile.as_str())]);
            let err = questionnaire(&q, &limits).unwrap_err();
            assert!(
                err.starts_with("question `q`.prompt (en): control character "),
                "{err}"
            );
            assert!(err.contains(&code), "{err}");

            let mut q = questionnaire_of_one();
            q.questions[0].help.why = text(&hostile);
            let outcome = questionnaire(&q, &limits);
            if c == '\n' {
                assert_eq!(outcome, Ok(()), "a line feed is allowed in a long text");
            } else {
                let err = outcome.unwrap_err();
                assert!(err.starts_with("question `q`.help.why (fr): "), "{err}");
                assert!(err.contains(&code), "{err}");
            }

            let mut q = questionnaire_of_one();
            q.info.authors = vec![hostile.clone()];
            let err = questionnaire(&q, &limits).unwrap_err();
            assert!(err.starts_with("info.authors: control"), "{err}");

            let q = questionnaire_of_one();
            let mut e = evaluation_of_one();
            e.criteria[0].rationale = text(&hostile);
            let outcome = evaluation(&e, &q, &limits);
            if c == '\n' {
                assert_eq!(outcome, Ok(()));
            } else {
                let err = outcome.unwrap_err();
                assert!(
                    err.starts_with("result for criterion `c`.rationale (fr): "),
                    "{err}"
                );
            }
            let mut e = evaluation_of_one();
            e.verdict.label = text(&hostile);
            let err = evaluation(&e, &q, &limits).unwrap_err();
            assert!(err.starts_with("verdict.label (fr): "), "{err}");

            assert_eq!(error_message(&hostile).is_ok(), c == '\n');
        }
    }

    /// Quoting a refused value in an error never copies a control character into it.
    #[test]
    fn errors_quote_plugin_text_with_control_characters_visible() {
        let limits = OutputLimits::default();
        let mut q = questionnaire_of_one();
        q.info.version = "1.0.\u{1b}[2J".into();
        let err = questionnaire(&q, &limits).unwrap_err();
        assert!(
            err.starts_with("info.version: control character U+001B"),
            "{err}"
        );
        assert_eq!(clip("a\u{1b}]0;t\u{7}", 80), r"a\u{1b}]0;t\u{7}");
        assert!(
            !clip(&"\u{9b}".repeat(100), 80)
                .chars()
                .any(char::is_control)
        );
    }

    #[test]
    fn status_and_score_must_agree() {
        let limits = OutputLimits::default();
        let q = questionnaire_of_one();
        let with = |status, score| {
            let mut e = evaluation_of_one();
            e.criteria[0].status = status;
            e.criteria[0].score = score;
            evaluation(&e, &q, &limits)
        };
        let err = with(Status::NonCompliant, Some(100.0)).unwrap_err();
        assert!(
            err.contains("status `non-compliant` with score 100") && err.contains("below 50"),
            "{err}"
        );
        assert!(with(Status::Compliant, Some(79.9)).is_err());
        assert!(with(Status::ToVerify, Some(80.0)).is_err());
        assert!(with(Status::NotAssessed, Some(0.0)).is_err());
        assert_eq!(with(Status::NonCompliant, Some(49.9)), Ok(()));
        assert_eq!(with(Status::ToVerify, Some(0.0)), Ok(()));
        assert_eq!(with(Status::Compliant, Some(80.0)), Ok(()));
        assert_eq!(with(Status::NotApplicable, None), Ok(()));
        assert_eq!(with(Status::NonCompliant, None), Ok(()));
    }

    #[test]
    fn evaluation_references_must_resolve() {
        let limits = OutputLimits::default();
        let q = questionnaire_of_one();
        let mut e = evaluation_of_one();
        e.criteria[0].criterion = "elsewhere".into();
        let err = evaluation(&e, &q, &limits).unwrap_err();
        assert!(err.contains("declares no such criterion"), "{err}");
        let mut e = evaluation_of_one();
        e.findings.push(Finding {
            id: "f".into(),
            criterion: Some("nope".into()),
            severity: Severity::High,
            title: text("F"),
            recommendation: Localized::default(),
            deadline_days: None,
        });
        let err = evaluation(&e, &q, &limits).unwrap_err();
        assert!(
            err.contains("finding `f`: field `criterion` names `nope`"),
            "{err}"
        );
        let mut e = evaluation_of_one();
        e.criteria.clear();
        let err = evaluation(&e, &q, &limits).unwrap_err();
        assert!(err.contains("criterion `c` has no result"), "{err}");
    }
}
