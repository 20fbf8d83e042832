//! `vigie answer ID --template`: an answers file (the format
//! [`crate::AnswersFile`] reads) listing every question that applies, each
//! commented with its prompt, kind, allowed values and current answer. Every
//! answer line is commented out: the auditor uncomments and fills those they
//! answer, so feeding the file back changes nothing else.
//!
//! Plugin text is hostile: it is written only inside comments, one comment
//! line per line of text, control characters shown as escapes, so no prompt
//! can end a comment and inject TOML.

use std::fmt::Write as _;

use vigie_model::{AnswerKind, AnswerValue, Lang, NumericBounds, Questionnaire, visible};
use vigie_store::StoredAnswer;

use crate::progress::{Progress, values_of};

/// What the template's header names.
pub struct TemplateHeader<'a> {
    pub assessment_id: &'a str,
    pub supplier: &'a str,
    pub level: Option<&'a str>,
}

/// The value syntax of each kind, as `answer --help` and the template state it.
pub const VALUE_SYNTAX: &str = "\
yes-no           yes, no, partial, unknown (also oui, non, partiel, nsp; y, n, p, u, ?)
single-choice    a choice id, e.g. outside-eu
multiple-choice  choice ids separated by commas: \"france, outside-eu\"
                 (in a file also a list: [\"france\", \"outside-eu\"])
integer          80000000 or 80 000 000 (spaces between groups of digits)
decimal          60.5 or 60,5 (decimal comma); 1 234,5
date             YYYY-MM-DD, e.g. 2027-03-31
text             any text
any kind         declined (or refused, refus, refuse): the supplier declined to answer";

/// Writes the template of the assessment whose stored answers are `rows`.
pub fn answers_template(
    questionnaire: &Questionnaire,
    rows: &[StoredAnswer],
    header: &TemplateHeader<'_>,
    lang: impl Into<Lang>,
) -> String {
    let lang = lang.into();
    let values = values_of(rows);
    let progress = Progress::of(questionnaire, &values, header.level);
    let mut out = String::new();
    let info = &questionnaire.info;
    comment(
        &mut out,
        &format!(
            "Answers for assessment {} ({}), questionnaire {} {}.",
            header.assessment_id, header.supplier, info.id, info.version
        ),
    );
    comment(
        &mut out,
        &format!(
            "{} of {} applicable questions answered. Uncomment and fill the answers you give, then:\n  \
             vigie answer {} --file THIS-FILE\n\
             Questions that depend on other answers appear once those are recorded: run \
             `vigie answer {} --template` again then.\n\
             Ids with a dot must stay quoted (\"a.b\" = ...), as written below.\n\
             Value syntax:",
            progress.answered, progress.applicable, header.assessment_id, header.assessment_id
        ),
    );
    for line in VALUE_SYNTAX.lines() {
        comment(&mut out, &format!("  {line}"));
    }
    out.push_str("\n[answers]\n");
    let mut section = None;
    for (index, question) in questionnaire.questions.iter().enumerate() {
        if !progress.applicability.question(index) {
            continue;
        }
        if section != Some(&question.section) {
            section = Some(&question.section);
            let title = questionnaire
                .sections
                .iter()
                .find(|s| s.id == question.section)
                .map_or(question.section.as_str(), |s| s.title.get(lang));
            out.push('\n');
            comment(&mut out, &format!("== {title} =="));
        }
        out.push('\n');
        comment(&mut out, question.prompt.get(lang));
        comment(
            &mut out,
            &format!(
                "{}: {}",
                question.kind.name(),
                allowed(&question.kind, lang)
            ),
        );
        let current = values.get(question.id.as_str());
        if let Some(value) = current {
            comment(
                &mut out,
                &format!("current: {}", value.display(&question.kind, lang)),
            );
        }
        let shown = match current {
            Some(value) => file_value(value),
            None => "\"\"".to_string(),
        };
        let _ = writeln!(out, "# {} = {shown}", key(&question.id));
    }
    out
}

/// Appends `text` as comment lines (control characters escaped).
fn comment(out: &mut String, text: &str) {
    for line in visible(text).lines() {
        let _ = writeln!(out, "# {line}");
    }
    if text.is_empty() {
        out.push_str("#\n");
    }
}

/// What a question of `kind` accepts, in a few words.
fn allowed(kind: &AnswerKind, lang: Lang) -> String {
    let bounds = |b: &NumericBounds, what: &str| {
        let unit = b
            .unit
            .as_ref()
            .map(|u| u.get(lang))
            .filter(|u| !u.is_empty())
            .map(|u| format!(" (in {u})"))
            .unwrap_or_default();
        match (b.min, b.max) {
            (Some(min), Some(max)) => format!("{what} from {min} to {max}{unit}"),
            (Some(min), None) => format!("{what} from {min}{unit}"),
            (None, Some(max)) => format!("{what} up to {max}{unit}"),
            (None, None) => format!("{what}{unit}"),
        }
    };
    match kind {
        AnswerKind::YesNo => "yes, no, partial, unknown".into(),
        AnswerKind::SingleChoice(choices) | AnswerKind::MultipleChoice(choices) => {
            let listed: Vec<String> = choices
                .iter()
                .map(|c| format!("{} ({})", c.id, c.label.get(lang)))
                .collect();
            let how = if matches!(kind, AnswerKind::MultipleChoice(_)) {
                "one or more of"
            } else {
                "one of"
            };
            format!("{how} {}", listed.join(", "))
        }
        AnswerKind::Integer(b) => bounds(b, "a whole number"),
        AnswerKind::Decimal(b) => bounds(b, "a number"),
        AnswerKind::Text => "any text".into(),
        AnswerKind::Date => "a date YYYY-MM-DD".into(),
    }
}

/// A question id as a TOML key: bare when TOML allows, else quoted.
fn key(id: &str) -> String {
    let bare = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare { id.to_string() } else { quoted(id) }
}

/// A TOML basic string on one line: quotes, backslashes and control
/// characters escaped (so a value can sit in a comment line and be
/// uncommented as it is).
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `value` written as the answers file reads it back.
fn file_value(value: &AnswerValue) -> String {
    let text = quoted;
    match value {
        AnswerValue::YesNo(v) => text(v.id()),
        AnswerValue::Choice(id) => text(id),
        AnswerValue::Choices(ids) => {
            let items: Vec<String> = ids.iter().map(|i| text(i)).collect();
            format!("[{}]", items.join(", "))
        }
        AnswerValue::Integer(v) => v.to_string(),
        AnswerValue::Decimal(v) => toml::Value::Float(*v).to_string(),
        AnswerValue::Text(t) => text(t),
        AnswerValue::Date(d) => text(&d.to_string()),
        AnswerValue::Declined => text("declined"),
    }
}
