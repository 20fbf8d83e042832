//! Reading a filled workbook back: every cell checked, every problem listed with its sheet
//! and cell, nothing used unless the whole file is right.
//!
//! Formulas are never evaluated, and a cell holding a formula is refused (naming the cell
//! and the formula): the value a spreadsheet cached for it is whatever the program that
//! saved it computed, and a formula in an answer is either a mistake or an attack. Text that
//! merely starts with `=` is text, and is read as such.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Ods, Range, Reader, SheetType, Xlsx};
use sha2::{Digest, Sha256};
use vigie_model::{AnswerKind, AnswerValue, Question, Questionnaire, visible};

mod cells;

use crate::container::{Container, inspect};
use crate::layout::{
    COL_ANSWER, COL_KEY, COL_NOTES, COL_QUESTION, FIRST_QUESTION_ROW, MAP_HEADER_ROW, cell_name,
    row_key,
};
use crate::{BINDING_SHEET, Binding, FORMAT, FORMAT_VERSION, Lang, WorkbookError, WorkbookWords};
use cells::{cell_text, normalize, parse_cell, quote, tick};

/// The most sheets a workbook may have.
pub const MAX_SHEETS: usize = 100;
/// The most rows a sheet may have (the largest questionnaire has a few hundred rows).
pub const MAX_ROWS_PER_SHEET: usize = 5_000;
/// The most characters a cell may hold: Excel's own limit, so no honest workbook exceeds it.
pub const MAX_CELL_CHARS: usize = 32_767;

/// One problem of a workbook, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub sheet: String,
    /// `D14`, when the problem is one cell's.
    pub cell: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cell {
            Some(cell) => write!(f, "{}!{cell}: {}", visible(&self.sheet), self.message),
            None => write!(f, "{}: {}", visible(&self.sheet), self.message),
        }
    }
}

/// What the workbook must be bound to.
#[derive(Clone, Copy, Debug)]
pub struct Expected<'a> {
    pub assessment_id: &'a str,
    pub plugin_id: &'a str,
    pub plugin_version: &'a str,
    pub plugin_sha256: &'a str,
}

/// One answer the supplier declared.
#[derive(Clone, Debug, PartialEq)]
pub struct Declared {
    pub question: String,
    pub value: AnswerValue,
    pub note: Option<String>,
    /// Where it was read: `1. Gouvernance!D5`.
    pub cell: String,
}

struct SheetData {
    name: String,
    cells: Range<Data>,
    /// Absolute (row, column) of every cell holding a formula, with the formula.
    formulas: Vec<(u32, u32, String)>,
}

impl SheetData {
    fn get(&self, row: u32, col: u16) -> &Data {
        self.cells
            .get_value((row, u32::from(col)))
            .unwrap_or(&Data::Empty)
    }

    fn text(&self, row: u32, col: u16) -> String {
        cell_text(self.get(row, col))
    }

    fn last_row(&self) -> u32 {
        self.cells.end().map_or(0, |(r, _)| r)
    }
}

struct MapEntry {
    sheet: String,
    /// 0-based.
    row: u32,
    question: String,
    choice: Option<String>,
    readonly: Option<String>,
}

/// A workbook whose container and cells passed the limits, with its binding read.
pub struct FilledWorkbook {
    container: Container,
    sha256: String,
    binding: Binding,
    instructions: String,
    map: Vec<MapEntry>,
    sheets: Vec<SheetData>,
}

/// Reads `bytes` (`.xlsx` or `.ods`): checks the container, loads the cells within the
/// limits, and reads the binding sheet.
pub fn open(bytes: &[u8]) -> Result<FilledWorkbook, WorkbookError> {
    let container = inspect(bytes)?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let sheets = match container {
        Container::Xlsx => load(Xlsx::new(Cursor::new(bytes)))?,
        Container::Ods => load(Ods::new(Cursor::new(bytes)))?,
    };
    let binding_sheet = sheets
        .iter()
        .find(|s| s.name == BINDING_SHEET)
        .ok_or_else(|| WorkbookError::NotVigie(format!("it has no sheet {BINDING_SHEET}")))?;
    let (binding, instructions, map) = read_binding(binding_sheet)?;
    Ok(FilledWorkbook {
        container,
        sha256,
        binding,
        instructions,
        map,
        sheets,
    })
}

fn load<'a, R>(reader: Result<R, R::Error>) -> Result<Vec<SheetData>, WorkbookError>
where
    R: Reader<Cursor<&'a [u8]>>,
    R::Error: std::fmt::Display,
{
    let read_err = |e: R::Error| WorkbookError::Read(e.to_string());
    let mut reader = reader.map_err(read_err)?;
    let meta = reader.sheets_metadata().to_vec();
    if meta.len() > MAX_SHEETS {
        return Err(WorkbookError::TooManySheets {
            sheets: meta.len(),
            max: MAX_SHEETS,
        });
    }
    let mut sheets = Vec::with_capacity(meta.len());
    for sheet in meta {
        match sheet.typ {
            SheetType::MacroSheet | SheetType::Vba | SheetType::DialogSheet => {
                return Err(WorkbookError::Macros(format!(
                    "sheet {} is a macro sheet",
                    visible(&sheet.name)
                )));
            }
            SheetType::ChartSheet => {
                // No cells to read; it is reported as a sheet the workbook should not have.
                sheets.push(SheetData {
                    name: sheet.name,
                    cells: Range::empty(),
                    formulas: Vec::new(),
                });
                continue;
            }
            SheetType::WorkSheet => {}
        }
        let cells = reader.worksheet_range(&sheet.name).map_err(read_err)?;
        let rows = cells.end().map_or(0, |(r, _)| r as usize + 1);
        if rows > MAX_ROWS_PER_SHEET {
            return Err(WorkbookError::TooManyRows {
                sheet: visible(&sheet.name).into_owned(),
                rows,
                max: MAX_ROWS_PER_SHEET,
            });
        }
        let (r0, c0) = cells.start().unwrap_or((0, 0));
        for (r, c, value) in cells.used_cells() {
            if let Data::String(t) = value
                && t.len() > MAX_CELL_CHARS
                && t.chars().count() > MAX_CELL_CHARS
            {
                return Err(WorkbookError::CellTooLarge {
                    sheet: visible(&sheet.name).into_owned(),
                    cell: cell_name(
                        r0 + r as u32,
                        (c0 + c as u32).min(u32::from(u16::MAX)) as u16,
                    ),
                    chars: t.chars().count(),
                    max: MAX_CELL_CHARS,
                });
            }
        }
        let formula_range = reader.worksheet_formula(&sheet.name).map_err(read_err)?;
        let (f0, g0) = formula_range.start().unwrap_or((0, 0));
        let formulas = formula_range
            .used_cells()
            .filter(|(_, _, f)| !f.trim().is_empty())
            .map(|(r, c, f)| (f0 + r as u32, g0 + c as u32, f.clone()))
            .collect();
        sheets.push(SheetData {
            name: sheet.name,
            cells,
            formulas,
        });
    }
    Ok(sheets)
}

fn read_binding(sheet: &SheetData) -> Result<(Binding, String, Vec<MapEntry>), WorkbookError> {
    let damaged = |what: &str| {
        WorkbookError::NotVigie(format!(
            "its sheet {BINDING_SHEET} is damaged ({what}); export a new workbook"
        ))
    };
    let mut meta: HashMap<String, String> = HashMap::new();
    for row in 0..MAP_HEADER_ROW {
        let key = sheet.text(row, 0);
        if !key.is_empty() {
            meta.insert(key, sheet.text(row, 1));
        }
    }
    if meta.get("format").map(String::as_str) != Some(FORMAT) {
        return Err(WorkbookError::NotVigie(format!(
            "its sheet {BINDING_SHEET} does not name the format {FORMAT}"
        )));
    }
    let version = meta.get("format_version").cloned().unwrap_or_default();
    if version.trim() != FORMAT_VERSION.to_string() {
        return Err(WorkbookError::NotVigie(format!(
            "it is of layout version {}, this Vigie reads version {FORMAT_VERSION}",
            visible(&version)
        )));
    }
    let get = |key: &str| -> Result<String, WorkbookError> {
        meta.get(key)
            .filter(|v| !v.is_empty())
            .cloned()
            .ok_or_else(|| damaged(&format!("no {key}")))
    };
    let lang_code = get("lang")?;
    let lang =
        crate::lang_from_binding(&lang_code).ok_or_else(|| damaged("an unknown language"))?;
    let binding = Binding {
        assessment_id: get("assessment_id")?,
        plugin_id: get("plugin_id")?,
        plugin_version: get("plugin_version")?,
        plugin_sha256: get("plugin_sha256")?,
        exported_at: get("exported_at")?,
        lang,
        respondent: meta.get("respondent").filter(|r| !r.is_empty()).cloned(),
    };
    let instructions = get("instructions_sheet")?;
    let mut map = Vec::new();
    let last = sheet.last_row();
    for row in MAP_HEADER_ROW + 1..=last {
        let sheet_name = sheet.text(row, 0);
        if sheet_name.is_empty() {
            continue;
        }
        let number = sheet.text(row, 1);
        let number: u32 = number
            .parse::<f64>()
            .ok()
            .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= MAX_ROWS_PER_SHEET as f64)
            .map(|n| n as u32)
            .ok_or_else(|| damaged(&format!("row {} of its map", row + 1)))?;
        let question = sheet.text(row, 2);
        if question.is_empty() {
            return Err(damaged(&format!("row {} of its map", row + 1)));
        }
        let choice = Some(sheet.text(row, 3)).filter(|c| !c.is_empty());
        let readonly = Some(sheet.text(row, 4)).filter(|c| !c.is_empty());
        map.push(MapEntry {
            sheet: sheet_name,
            row: number - 1,
            question,
            choice,
            readonly,
        });
    }
    if map.is_empty() {
        return Err(damaged("no question rows"));
    }
    Ok((binding, instructions, map))
}

impl FilledWorkbook {
    pub fn binding(&self) -> &Binding {
        &self.binding
    }

    /// The sha256 of the file's bytes, for the audit trail.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    pub fn container(&self) -> Container {
        self.container
    }

    /// Refuses a workbook bound to another assessment or to another plugin than `expected`.
    pub fn check_binding(&self, expected: &Expected<'_>) -> Result<(), WorkbookError> {
        let b = &self.binding;
        if b.assessment_id != expected.assessment_id {
            return Err(WorkbookError::WrongAssessment {
                found: visible(&b.assessment_id).into_owned(),
                expected: expected.assessment_id.to_string(),
            });
        }
        if b.plugin_id != expected.plugin_id
            || b.plugin_version != expected.plugin_version
            || b.plugin_sha256 != expected.plugin_sha256
        {
            return Err(WorkbookError::WrongPlugin {
                found: format!(
                    "{} {} (sha256 {})",
                    visible(&b.plugin_id),
                    visible(&b.plugin_version),
                    visible(&b.plugin_sha256)
                ),
                expected: format!(
                    "{} {} (sha256 {})",
                    expected.plugin_id, expected.plugin_version, expected.plugin_sha256
                ),
            });
        }
        Ok(())
    }

    /// Every answer the supplier gave, checked against `questionnaire`; or every problem
    /// of the file, with its sheet and cell.
    pub fn declarations(
        &self,
        questionnaire: &Questionnaire,
        expected: &Expected<'_>,
    ) -> Result<Vec<Declared>, WorkbookError> {
        self.check_binding(expected)?;
        let lang = self.binding.lang;
        let mut problems = Vec::new();
        let mut declared = Vec::new();

        let mut by_sheet: Vec<(&str, Vec<&MapEntry>)> = Vec::new();
        for entry in &self.map {
            match by_sheet.iter_mut().find(|(s, _)| *s == entry.sheet) {
                Some((_, rows)) => rows.push(entry),
                None => by_sheet.push((&entry.sheet, vec![entry])),
            }
        }
        let known: HashSet<&str> = by_sheet
            .iter()
            .map(|(s, _)| *s)
            .chain([self.instructions.as_str(), BINDING_SHEET])
            .collect();
        for sheet in &self.sheets {
            if !known.contains(sheet.name.as_str()) {
                let keys = sheet_keys(sheet);
                let renamed = by_sheet.iter().find(|(name, rows)| {
                    !self.sheets.iter().any(|s| s.name == *name)
                        && rows
                            .iter()
                            .any(|e| keys.contains_key(&row_key(&e.question, e.choice.as_deref())))
                });
                let message = match renamed {
                    Some((name, _)) => format!(
                        "this sheet holds the questions of sheet {}, renamed: give it back its \
                         name",
                        visible(name)
                    ),
                    None => "a sheet the exported workbook did not have: its content is not read; \
                             remove it (send attachments separately)"
                        .to_string(),
                };
                problems.push(Problem {
                    sheet: sheet.name.clone(),
                    cell: None,
                    message,
                });
            }
        }

        for (name, entries) in &by_sheet {
            let Some(sheet) = self.sheets.iter().find(|s| s.name == *name) else {
                problems.push(Problem {
                    sheet: name.to_string(),
                    cell: None,
                    message:
                        "the sheet is missing (renamed or deleted): its answers cannot be read"
                            .into(),
                });
                continue;
            };
            self.read_sheet(
                sheet,
                entries,
                questionnaire,
                lang,
                &mut problems,
                &mut declared,
            );
        }
        if problems.is_empty() {
            Ok(declared)
        } else {
            Err(WorkbookError::Problems(problems))
        }
    }

    fn read_sheet(
        &self,
        sheet: &SheetData,
        entries: &[&MapEntry],
        questionnaire: &Questionnaire,
        lang: Lang,
        problems: &mut Vec<Problem>,
        declared: &mut Vec<Declared>,
    ) {
        let mut problem = |cell: Option<String>, message: String| {
            problems.push(Problem {
                sheet: sheet.name.clone(),
                cell,
                message,
            })
        };
        for (row, col, formula) in &sheet.formulas {
            problem(
                Some(cell_name(*row, (*col).min(u32::from(u16::MAX)) as u16)),
                format!(
                    "the cell holds a formula ({}): formulas are never evaluated; type the answer \
                     itself",
                    quote(&format!("={}", formula.trim_start_matches('=')))
                ),
            );
        }
        let keys = sheet_keys(sheet);
        let expected_keys: HashSet<String> = entries
            .iter()
            .map(|e| row_key(&e.question, e.choice.as_deref()))
            .collect();
        let mut placed: HashSet<u32> = HashSet::new();
        for (key, rows) in &keys {
            if rows.len() > 1 {
                problem(
                    Some(cell_name(rows[1], COL_QUESTION)),
                    format!("the row of {} appears twice: delete the copy", quote(key)),
                );
            }
            if !expected_keys.contains(key) {
                for r in rows {
                    problem(
                        Some(cell_name(*r, COL_QUESTION)),
                        format!(
                            "a row that belongs elsewhere ({}): rows cannot be copied between \
                             sheets",
                            quote(key)
                        ),
                    );
                }
            }
        }
        // Main rows in place, by question, then their choice rows.
        let mut ticks: HashMap<&str, Vec<(String, bool)>> = HashMap::new();
        let mut mains: Vec<(&MapEntry, &Question)> = Vec::new();
        for entry in entries {
            let key = row_key(&entry.question, entry.choice.as_deref());
            let at = sheet.text(entry.row, COL_KEY);
            if at != key {
                match keys.get(&key) {
                    Some(rows) => problem(
                        Some(cell_name(rows[0], COL_QUESTION)),
                        format!(
                            "the row of {} was moved from row {} to row {}: put the rows back \
                             in their order (undo the sort or the move)",
                            quote(&key),
                            entry.row + 1,
                            rows[0] + 1
                        ),
                    ),
                    None => problem(
                        Some(format!("{}", entry.row + 1)),
                        format!("the row of {} was deleted", quote(&key)),
                    ),
                }
                continue;
            }
            placed.insert(entry.row);
            let Some(question) = questionnaire.question(&entry.question) else {
                problem(
                    Some(cell_name(entry.row, COL_QUESTION)),
                    format!(
                        "{} is not a question of the questionnaire",
                        quote(&entry.question)
                    ),
                );
                continue;
            };
            let shown = sheet.text(entry.row, COL_QUESTION);
            let code = lang.id();
            match &entry.choice {
                None => {
                    if normalize(&shown) != normalize(question.prompt.get(code)) {
                        problem(
                            Some(cell_name(entry.row, COL_QUESTION)),
                            "the question's text was changed: an answer is to the question as \
                             exported; restore its text"
                                .into(),
                        );
                        continue;
                    }
                    mains.push((entry, question));
                }
                Some(choice_id) => {
                    let label = question
                        .kind
                        .choices()
                        .iter()
                        .find(|c| &c.id == choice_id)
                        .map(|c| c.label.get(code));
                    let Some(label) = label else {
                        problem(
                            Some(cell_name(entry.row, COL_QUESTION)),
                            format!("{} is not a choice of this question", quote(choice_id)),
                        );
                        continue;
                    };
                    if normalize(shown.trim_start_matches(['•', ' '])) != normalize(label) {
                        problem(
                            Some(cell_name(entry.row, COL_QUESTION)),
                            "the choice's text was changed; restore it".into(),
                        );
                        continue;
                    }
                    let cell = sheet.get(entry.row, COL_ANSWER);
                    match tick(cell, lang) {
                        Ok(Some(ticked)) => ticks
                            .entry(entry.question.as_str())
                            .or_default()
                            .push((choice_id.clone(), ticked)),
                        Ok(None) => {}
                        Err(message) => problem(Some(cell_name(entry.row, COL_ANSWER)), message),
                    }
                    let note = sheet.text(entry.row, COL_NOTES);
                    if !note.is_empty() {
                        problem(
                            Some(cell_name(entry.row, COL_NOTES)),
                            "notes go on the question's own row, not on a choice row".into(),
                        );
                    }
                }
            }
        }
        for (entry, question) in mains {
            let answer_cell = cell_name(entry.row, COL_ANSWER);
            let text = sheet.text(entry.row, COL_ANSWER);
            if let Some(readonly) = &entry.readonly {
                if normalize(&text) != normalize(readonly) {
                    problem(
                        Some(answer_cell),
                        format!(
                            "the auditor's answer {} is read-only and was changed to {}",
                            quote(readonly),
                            quote(&text)
                        ),
                    );
                }
                continue;
            }
            let note = Some(sheet.text(entry.row, COL_NOTES)).filter(|n| !n.is_empty());
            let value = match &question.kind {
                AnswerKind::MultipleChoice(choices) => {
                    let marks = ticks.remove(entry.question.as_str()).unwrap_or_default();
                    let declined =
                        match parse_cell(question, sheet.get(entry.row, COL_ANSWER), lang) {
                            Ok(v) => v,
                            Err(message) => {
                                problem(Some(answer_cell.clone()), message);
                                continue;
                            }
                        };
                    match (declined, marks.is_empty()) {
                        (Some(v), true) => Some(v),
                        (Some(_), false) => {
                            problem(
                                Some(answer_cell.clone()),
                                "declined to answer, yet choices are marked below: keep one or \
                                 the other"
                                    .into(),
                            );
                            continue;
                        }
                        (None, true) => None,
                        (None, false) => Some(AnswerValue::Choices(
                            choices
                                .iter()
                                .filter(|c| marks.iter().any(|(id, t)| *t && *id == c.id))
                                .map(|c| c.id.clone())
                                .collect(),
                        )),
                    }
                }
                _ => match parse_cell(question, sheet.get(entry.row, COL_ANSWER), lang) {
                    Ok(v) => v,
                    Err(message) => {
                        problem(Some(answer_cell), message);
                        continue;
                    }
                },
            };
            match value {
                Some(value) => declared.push(Declared {
                    question: entry.question.clone(),
                    value,
                    note,
                    cell: format!("{}!{answer_cell}", sheet.name),
                }),
                None if note.is_some() => problem(
                    Some(cell_name(entry.row, COL_NOTES)),
                    format!(
                        "a note without an answer: give the answer with it (or {})",
                        lang.quoted(lang.declined())
                    ),
                ),
                None => {}
            }
        }
        // Anything typed outside the question rows would be lost: say so.
        for row in FIRST_QUESTION_ROW..=sheet.last_row() {
            if placed.contains(&row) || keys.values().any(|rows| rows.contains(&row)) {
                continue;
            }
            for col in [COL_ANSWER, COL_NOTES] {
                if !sheet.text(row, col).is_empty() {
                    problem(
                        Some(cell_name(row, col)),
                        "an answer outside the question rows is not read: move it to its \
                         question's row"
                            .into(),
                    );
                }
            }
        }
    }
}

/// The keys in the hidden column of a sheet, with the 0-based rows they are on.
fn sheet_keys(sheet: &SheetData) -> HashMap<String, Vec<u32>> {
    let mut keys: HashMap<String, Vec<u32>> = HashMap::new();
    for row in FIRST_QUESTION_ROW..=sheet.last_row() {
        let key = sheet.text(row, COL_KEY);
        if !key.is_empty() {
            keys.entry(key).or_default().push(row);
        }
    }
    keys
}
