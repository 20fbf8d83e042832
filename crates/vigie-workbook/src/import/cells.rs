//! One cell read as an answer: labels matched loosely, ticks, declined answers, numbers,
//! dates (ISO text or a spreadsheet's serial day) and choices, each refusal saying why.

use calamine::Data;
use vigie_model::{AnswerKind, AnswerValue, Date, Question, YesNo, visible};

use crate::{Lang, WorkbookWords};

/// Whitespace collapsed, for comparing texts a spreadsheet may have re-wrapped.
pub(super) fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lowercase, whitespace collapsed: how labels are matched.
fn fold(text: &str) -> String {
    normalize(text).to_lowercase()
}

/// A cell's text as a message quotes it: control characters made visible, cut at 60
/// characters.
pub(super) fn quote(text: &str) -> String {
    let shown = visible(text);
    let cut: String = shown.chars().take(60).collect();
    if cut.len() < shown.len() {
        format!("\"{cut}…\"")
    } else {
        format!("\"{cut}\"")
    }
}

fn is_declined(text: &str) -> bool {
    let t = fold(text);
    Lang::ALL.iter().any(|l| fold(l.declined()) == t)
        || matches!(t.as_str(), "declined" | "refused" | "refus" | "refuse")
}

fn yes_no_of(text: &str) -> Option<YesNo> {
    let t = fold(text);
    YesNo::ALL
        .into_iter()
        .find(|v| v.id() == t || Lang::ALL.iter().any(|l| fold(l.yes_no(*v)) == t))
}

/// A choice row's mark: yes, no, or empty.
pub(super) fn tick(cell: &Data, lang: Lang) -> Result<Option<bool>, String> {
    match cell {
        Data::Empty => Ok(None),
        Data::Bool(b) => Ok(Some(*b)),
        Data::String(s) if s.trim().is_empty() => Ok(None),
        Data::String(s) => match (yes_no_of(s), fold(s).as_str()) {
            (Some(YesNo::Yes), _) | (_, "x") => Ok(Some(true)),
            (Some(YesNo::No), _) => Ok(Some(false)),
            _ => Err(format!(
                "{} is not {} or {}",
                quote(s),
                lang.quoted(lang.tick(true)),
                lang.quoted(lang.tick(false))
            )),
        },
        other => Err(format!(
            "{} is not {} or {}",
            quote(&cell_text(other)),
            lang.quoted(lang.tick(true)),
            lang.quoted(lang.tick(false))
        )),
    }
}

/// The date of an Excel serial day number (1900 date system; 25569 is 1970-01-01).
fn excel_serial_date(serial: f64) -> Option<Date> {
    if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    Date::from_days_since_epoch(serial.floor() as i64 - 25_569).ok()
}

/// The answer a cell holds for `question`: `None` when empty, else the value or why not.
pub(super) fn parse_cell(
    question: &Question,
    cell: &Data,
    lang: Lang,
) -> Result<Option<AnswerValue>, String> {
    let kind = &question.kind;
    let code = lang.id();
    let text = match cell {
        Data::Empty => return Ok(None),
        Data::Error(e) => return Err(format!("the cell shows an error ({e:?})")),
        Data::String(s) => s.trim().to_string(),
        other => cell_text(other),
    };
    if text.is_empty() {
        return Ok(None);
    }
    if is_declined(&text) {
        return Ok(Some(AnswerValue::Declined));
    }
    let one_of = |labels: Vec<String>| {
        format!(
            "{} is not one of {} (labels in French or English, or ids, are accepted)",
            quote(&text),
            labels.join(", ")
        )
    };
    let value = match (kind, cell) {
        (AnswerKind::YesNo, Data::Bool(b)) => {
            AnswerValue::YesNo(if *b { YesNo::Yes } else { YesNo::No })
        }
        (AnswerKind::YesNo, _) => match yes_no_of(&text) {
            Some(v) => AnswerValue::YesNo(v),
            None => AnswerValue::parse(kind, &text).map_err(|_| {
                let mut labels: Vec<String> = YesNo::ALL
                    .iter()
                    .map(|v| lang.yes_no(*v).to_string())
                    .collect();
                labels.push(lang.declined().to_string());
                one_of(labels)
            })?,
        },
        (AnswerKind::SingleChoice(choices), _) | (AnswerKind::MultipleChoice(choices), _) => {
            let t = fold(&text);
            let found = choices
                .iter()
                .find(|c| fold(&c.id) == t || c.label.0.iter().any(|tr| fold(&tr.text) == t));
            match (found, kind) {
                (Some(c), AnswerKind::SingleChoice(_)) => AnswerValue::Choice(c.id.clone()),
                _ => {
                    let mut labels: Vec<String> = choices
                        .iter()
                        .map(|c| c.label.get(code).to_string())
                        .collect();
                    labels.push(lang.declined().to_string());
                    if matches!(kind, AnswerKind::MultipleChoice(_)) {
                        labels = vec![lang.declined().to_string()];
                    }
                    return Err(one_of(labels));
                }
            }
        }
        (AnswerKind::Integer(_), Data::Int(i)) => AnswerValue::Integer(*i),
        (AnswerKind::Integer(_), Data::Float(f)) => {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                AnswerValue::Integer(*f as i64)
            } else {
                return Err(format!("{} is not a whole number", quote(&text)));
            }
        }
        (AnswerKind::Decimal(_), Data::Int(i)) => AnswerValue::Decimal(*i as f64),
        (AnswerKind::Decimal(_), Data::Float(f)) => AnswerValue::Decimal(*f),
        (AnswerKind::Date, Data::DateTime(dt)) => AnswerValue::Date(
            excel_serial_date(dt.as_f64())
                .ok_or_else(|| format!("{} is not a date", quote(&text)))?,
        ),
        (AnswerKind::Date, Data::DateTimeIso(s)) => AnswerValue::Date(
            s.get(..10)
                .and_then(|d| d.parse().ok())
                .ok_or_else(|| format!("{} is not a date", quote(s)))?,
        ),
        (AnswerKind::Date, Data::Int(_) | Data::Float(_)) => {
            return Err(format!(
                "{} is a number, not a date: type the date as YYYY-MM-DD",
                quote(&text)
            ));
        }
        (AnswerKind::Text, _) => AnswerValue::Text(text.clone()),
        (_, Data::Bool(_)) => {
            return Err(format!("{} is not a {} answer", quote(&text), kind.name()));
        }
        // The model's messages name the value themselves.
        _ => AnswerValue::parse(kind, &text).map_err(|e| visible(&e.to_string()).into_owned())?,
    };
    value
        .validate(kind)
        .map_err(|e| visible(&e.to_string()).into_owned())?;
    Ok(Some(value))
}

pub(super) fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::Error(e) => format!("#{e:?}"),
        Data::Empty => String::new(),
    }
}
