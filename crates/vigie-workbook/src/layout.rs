//! The workbook's layout, shared by the writer and the reader: the columns and rows of a
//! section sheet, the key of each question's row, the sections' numbering, sheet and cell
//! names.

use vigie_model::{Question, Questionnaire};

/// Column indices of a section sheet (0-based).
pub(crate) const COL_REF: u16 = 0;
pub(crate) const COL_QUESTION: u16 = 1;
pub(crate) const COL_HELP: u16 = 2;
pub(crate) const COL_ANSWER: u16 = 3;
pub(crate) const COL_NOTES: u16 = 4;
pub(crate) const COL_KEY: u16 = 5;
/// The first row of questions (0-based): after the title and the headers.
pub(crate) const FIRST_QUESTION_ROW: u32 = 2;

/// The binding sheet's row (0-based) holding the headers of the row map.
pub(crate) const MAP_HEADER_ROW: u32 = 12;

/// The key of a question's row, written in its hidden column and in the row map.
pub(crate) fn row_key(question: &str, choice: Option<&str>) -> String {
    match choice {
        Some(c) => format!("{question} / {c}"),
        None => question.to_string(),
    }
}

fn level_matches(levels: &[String], level: Option<&str>) -> bool {
    match level {
        Some(level) if !levels.is_empty() => levels.iter().any(|l| l == level),
        _ => true,
    }
}

/// A section with its number and its questions, each with its reference number.
pub(crate) type NumberedSection<'q> =
    (usize, &'q vigie_model::Section, Vec<(String, &'q Question)>);

/// The questions of the assessment's level, grouped by section in questionnaire order, with
/// the reference number each gets in the workbook ("3.2").
pub(crate) fn numbered<'q>(
    questionnaire: &'q Questionnaire,
    level: Option<&str>,
) -> Vec<NumberedSection<'q>> {
    let mut out = Vec::new();
    for section in &questionnaire.sections {
        if !level_matches(&section.levels, level) {
            continue;
        }
        let questions: Vec<&Question> = questionnaire
            .questions
            .iter()
            .filter(|q| q.section == section.id && level_matches(&q.levels, level))
            .collect();
        if questions.is_empty() {
            continue;
        }
        let n = out.len() + 1;
        let numbered = questions
            .into_iter()
            .enumerate()
            .map(|(i, q)| (format!("{n}.{}", i + 1), q))
            .collect();
        out.push((n, section, numbered));
    }
    out
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique in `taken`.
pub(crate) fn sheet_name(number: usize, title: &str, taken: &[String]) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\'' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut name: String = format!("{number}. {cleaned}").chars().take(31).collect();
    name = name.trim_end().to_string();
    let mut suffix = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let tail = format!(" ({suffix})");
        let head: String = name.chars().take(31 - tail.chars().count()).collect();
        name = format!("{}{tail}", head.trim_end());
        suffix += 1;
    }
    name
}

/// "A", "B", … "AA": the letters of a 0-based column.
pub(crate) fn col_name(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// `D14`: the name of a 0-based cell.
pub(crate) fn cell_name(row: u32, col: u16) -> String {
    format!("{}{}", col_name(col), row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_fit_excel_rules() {
        let taken = vec!["Instructions".to_string()];
        let name = sheet_name(
            3,
            "Accès: [admin]/* réseau? très long titre de section",
            &taken,
        );
        assert!(name.chars().count() <= 31, "{name}");
        assert!(!name.contains([':', '[', ']', '/', '*', '?']), "{name}");
        let again = sheet_name(
            3,
            "Accès: [admin]/* réseau? très long titre de section",
            std::slice::from_ref(&name),
        );
        assert_ne!(again, name);
        assert!(again.chars().count() <= 31);
    }

    #[test]
    fn column_names() {
        assert_eq!(col_name(0), "A");
        assert_eq!(col_name(25), "Z");
        assert_eq!(col_name(26), "AA");
        assert_eq!(cell_name(13, 3), "D14");
    }
}
