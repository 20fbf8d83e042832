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
use vigie_model::{AnswerKind, AnswerValue, Date, Question, Questionnaire, YesNo, visible};

use crate::container::{Container, inspect};
use crate::export::{
    COL_ANSWER, COL_KEY, COL_NOTES, COL_QUESTION, FIRST_QUESTION_ROW, MAP_HEADER_ROW, cell_name,
    row_key,
};
use crate::{BINDING_SHEET, Binding, FORMAT, FORMAT_VERSION, Lang, WorkbookError};

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
    let lang = Lang::from_code(&lang_code).ok_or_else(|| damaged("an unknown language"))?;
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
            let code = lang.code();
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

/// Whitespace collapsed, for comparing texts a spreadsheet may have re-wrapped.
fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lowercase, whitespace collapsed: how labels are matched.
fn fold(text: &str) -> String {
    normalize(text).to_lowercase()
}

/// A cell's text as a message quotes it: control characters made visible, cut at 60
/// characters.
fn quote(text: &str) -> String {
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
fn tick(cell: &Data, lang: Lang) -> Result<Option<bool>, String> {
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
fn parse_cell(question: &Question, cell: &Data, lang: Lang) -> Result<Option<AnswerValue>, String> {
    let kind = &question.kind;
    let code = lang.code();
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

fn cell_text(d: &Data) -> String {
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
