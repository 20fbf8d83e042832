//! Writing the workbook a supplier fills in.
//!
//! Layout of a section sheet: row 1 the section's title, row 2 the headers, then one row per
//! question: A reference, B question, C help and condition (all three locked), D the answer
//! and E notes and evidence (both unlocked, the only cells a person can change while the
//! sheet is protected), F the row's key (hidden). The answer cell carries a data validation
//! matching the question's kind.
//!
//! Multiple choice is one row per choice under the question, each answered yes or no from a
//! drop-down: a drop-down picks one value only, and a list of labels typed in one cell is
//! where people mistype (labels contain commas, differ by a word). A row per choice is what a
//! paper form does, and each mark is checked on its own when the file comes back.

use std::collections::HashMap;

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Formula, ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use vigie_model::{AnswerKind, AnswerValue, Date, NumericBounds, Question, Questionnaire, YesNo};

use crate::layout::{
    COL_ANSWER, COL_HELP, COL_KEY, COL_NOTES, COL_QUESTION, COL_REF, FIRST_QUESTION_ROW,
    MAP_HEADER_ROW, col_name, numbered, row_key, sheet_name,
};
use crate::{BINDING_SHEET, Binding, FORMAT, FORMAT_VERSION, Lang, WorkbookError, WorkbookWords};

/// The first column of the drop-down lists in the binding sheet.
const FIRST_LIST_COL: u16 = 7;

/// What to export, all read by the caller beforehand.
pub struct ExportRequest<'a> {
    pub questionnaire: &'a Questionnaire,
    pub binding: Binding,
    /// The assessment's level: questions and sections of other levels are left out.
    pub level: Option<&'a str>,
    pub supplier: &'a str,
    /// Who the supplier sends the workbook back to (the auditor).
    pub return_to: &'a str,
    pub due: Option<Date>,
    /// The auditor's answers so far, by question id.
    pub answered: &'a HashMap<String, AnswerValue>,
    /// Leave answered questions out (else they are shown read-only).
    pub only_unanswered: bool,
}

/// Cuts `text` to at most `max` characters (Excel's limits on validation messages).
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

struct Formats {
    title: Format,
    header: Format,
    locked: Format,
    answer: Format,
    answer_date: Format,
    readonly: Format,
    notes: Format,
    key: Format,
}

impl Formats {
    fn new() -> Formats {
        let wrap = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(0xBFBFBF));
        let input = wrap.clone().set_unlocked().set_background_color(0xFFF8DC);
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color(0xD9D9D9)
                .set_border(FormatBorder::Thin),
            locked: wrap.clone(),
            answer_date: input.clone().set_num_format("yyyy-mm-dd"),
            answer: input.clone(),
            readonly: wrap.set_background_color(0xEDEDED).set_italic(),
            notes: input,
            key: Format::new().set_font_color(0x808080),
        }
    }
}

fn write_err(e: XlsxError) -> WorkbookError {
    WorkbookError::Write(e.to_string())
}

/// The drop-down lists, written once each in the binding sheet and referred to by formula
/// (a list typed into the validation itself is cut at 255 characters and split at commas).
#[derive(Default)]
struct Lists {
    columns: Vec<Vec<String>>,
    index: HashMap<Vec<String>, u16>,
}

impl Lists {
    fn formula(&mut self, items: Vec<String>) -> Formula {
        let col = match self.index.get(&items) {
            Some(c) => *c,
            None => {
                let c = FIRST_LIST_COL + self.columns.len() as u16;
                self.index.insert(items.clone(), c);
                self.columns.push(items.clone());
                c
            }
        };
        let letters = col_name(col);
        Formula::new(format!(
            "='{BINDING_SHEET}'!${letters}$1:${letters}${}",
            items.len().max(1)
        ))
    }
}

/// One row of the binding sheet's map.
struct MapRow {
    sheet: String,
    row: u32,
    question: String,
    choice: Option<String>,
    readonly: Option<String>,
}

/// Writes the workbook and returns its bytes.
pub fn export(req: &ExportRequest<'_>) -> Result<Vec<u8>, WorkbookError> {
    let lang = req.binding.lang;
    let code = lang.id();
    let qn = req.questionnaire;
    let sections = numbered(qn, req.level);
    let numbers: HashMap<String, String> = sections
        .iter()
        .flat_map(|(_, _, qs)| qs.iter().map(|(n, q)| (q.id.clone(), n.clone())))
        .collect();
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let mut lists = Lists::default();
    let mut map: Vec<MapRow> = Vec::new();
    let instructions = lang.instructions_sheet().to_string();
    let mut taken = vec![instructions.clone(), BINDING_SHEET.to_string()];

    write_instructions(&mut workbook, req, &formats, &instructions)?;

    for (number, section, questions) in &sections {
        let rows: Vec<&(String, &Question)> = questions
            .iter()
            .filter(|(_, q)| !(req.only_unanswered && req.answered.contains_key(&q.id)))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let name = sheet_name(*number, section.title.get(code), &taken);
        taken.push(name.clone());
        let sheet = workbook.add_worksheet();
        sheet.set_name(&name).map_err(write_err)?;
        sheet
            .write_string_with_format(
                0,
                0,
                format!("{number}. {}", section.title.get(code)),
                &formats.title,
            )
            .map_err(write_err)?;
        for (col, header) in lang.headers().into_iter().enumerate() {
            sheet
                .write_string_with_format(1, col as u16, header, &formats.header)
                .map_err(write_err)?;
        }
        for (col, width) in [(COL_REF, 14.0), (COL_QUESTION, 60.0), (COL_HELP, 50.0)] {
            sheet.set_column_width(col, width).map_err(write_err)?;
        }
        for (col, width) in [(COL_ANSWER, 28.0), (COL_NOTES, 40.0), (COL_KEY, 30.0)] {
            sheet.set_column_width(col, width).map_err(write_err)?;
        }
        sheet.set_column_hidden(COL_KEY).map_err(write_err)?;
        sheet
            .set_freeze_panes(FIRST_QUESTION_ROW, 0)
            .map_err(write_err)?;

        let mut row = FIRST_QUESTION_ROW;
        for (reference, question) in rows {
            let answered = req.answered.get(&question.id);
            write_question(
                sheet, qn, question, reference, answered, row, &numbers, lang, &formats, &mut lists,
            )?;
            map.push(MapRow {
                sheet: name.clone(),
                row,
                question: question.id.clone(),
                choice: None,
                readonly: answered.map(|v| v.display(&question.kind, code)),
            });
            row += 1;
            if let (AnswerKind::MultipleChoice(choices), None) = (&question.kind, answered) {
                let marks = lists.formula(vec![lang.tick(true).into(), lang.tick(false).into()]);
                for choice in choices {
                    sheet
                        .write_string_with_format(
                            row,
                            COL_QUESTION,
                            format!("    • {}", choice.label.get(code)),
                            &formats.locked,
                        )
                        .map_err(write_err)?;
                    sheet
                        .write_blank(row, COL_ANSWER, &formats.answer)
                        .map_err(write_err)?;
                    let validation = DataValidation::new()
                        .allow_list_formula(marks.clone())
                        .set_error_style(DataValidationErrorStyle::Stop);
                    sheet
                        .add_data_validation(row, COL_ANSWER, row, COL_ANSWER, &validation)
                        .map_err(write_err)?;
                    sheet
                        .write_string_with_format(
                            row,
                            COL_KEY,
                            row_key(&question.id, Some(&choice.id)),
                            &formats.key,
                        )
                        .map_err(write_err)?;
                    map.push(MapRow {
                        sheet: name.clone(),
                        row,
                        question: question.id.clone(),
                        choice: Some(choice.id.clone()),
                        readonly: None,
                    });
                    row += 1;
                }
            }
        }
        let mut protection = ProtectionOptions::new();
        protection.format_columns = true;
        protection.format_rows = true;
        sheet.protect_with_options(&protection);
    }

    write_binding(&mut workbook, &req.binding, &instructions, &map, &lists)?;
    workbook.save_to_buffer().map_err(write_err)
}

fn write_instructions(
    workbook: &mut Workbook,
    req: &ExportRequest<'_>,
    formats: &Formats,
    name: &str,
) -> Result<(), WorkbookError> {
    let lang = req.binding.lang;
    let code = lang.id();
    let sheet = workbook.add_worksheet();
    sheet.set_name(name).map_err(write_err)?;
    sheet.set_column_width(0, 110.0).map_err(write_err)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let bold = Format::new().set_bold();
    let title = format!(
        "{} — {}",
        lang.pick("Auto-évaluation", "Self-assessment"),
        req.questionnaire.info.name.get(code)
    );
    let mut lines: Vec<(String, &Format)> = vec![(title, &formats.title)];
    lines.push((
        format!(
            "{} {}",
            lang.pick("Fournisseur :", "Supplier:"),
            req.supplier
        ),
        &bold,
    ));
    if let Some(respondent) = &req.binding.respondent {
        lines.push((
            format!(
                "{} {respondent}",
                lang.pick("Destinataire :", "Prepared for:")
            ),
            &bold,
        ));
    }
    let due = match req.due {
        Some(d) => format!(
            "{} {d}",
            lang.pick("À renvoyer au plus tard le", "Please send it back by")
        ),
        None => lang
            .pick(
                "À renvoyer dès que possible.",
                "Please send it back as soon as you can.",
            )
            .to_string(),
    };
    lines.push((due, &bold));
    lines.push((
        format!(
            "{} {}",
            lang.pick("À renvoyer à :", "Send it back to:"),
            req.return_to
        ),
        &bold,
    ));
    lines.push((String::new(), &wrap));
    let steps: [&str; 7] = match lang {
        Lang::Fr => [
            "1. Chaque onglet suivant correspond à un thème, dans l'ordre du questionnaire. Répondez dans la colonne D « Votre réponse » ; choisissez dans la liste déroulante quand il y en a une.",
            "2. Question à choix multiples : répondez « oui » sur chaque ligne de choix qui s'applique et « non » sur les autres.",
            "3. Une question qui porte une condition (« Répondez seulement si … ») est à laisser vide quand la condition n'est pas remplie.",
            "4. Si vous ne pouvez pas ou ne souhaitez pas répondre, choisissez « refus de répondre ».",
            "5. Colonne E : vos commentaires et les preuves que vous pouvez fournir (noms de documents, liens).",
            "6. Ne renommez, ne déplacez et ne supprimez ni onglet ni ligne, et ne saisissez pas de formule : le fichier est contrôlé à son retour. Vos réponses sont enregistrées comme vos déclarations, vérifiées ensuite lors de l'entretien.",
            "7. Enregistrez au format Excel (.xlsx) ou OpenDocument (.ods) et renvoyez le fichier.",
        ],
        Lang::En => [
            "1. Each following sheet is one theme, in the questionnaire's order. Answer in column D \"Your answer\"; pick from the drop-down where there is one.",
            "2. Multiple-choice question: answer \"yes\" on each choice row that applies and \"no\" on the others.",
            "3. Leave a question with a condition (\"Answer only if …\") empty when the condition does not hold.",
            "4. If you cannot or do not wish to answer, choose \"declined to answer\".",
            "5. Column E: your notes and the evidence you can provide (document names, links).",
            "6. Do not rename, move or delete sheets or rows, and do not type formulas: the file is checked when it comes back. Your answers are recorded as your declarations, then verified in the interview.",
            "7. Save as an Excel workbook (.xlsx) or an OpenDocument spreadsheet (.ods) and send the file back.",
        ],
    };
    for step in steps {
        lines.push((step.to_string(), &wrap));
    }
    lines.push((String::new(), &wrap));
    lines.push((
        format!(
            "{} {} {} — {} {}",
            lang.pick("Questionnaire", "Questionnaire"),
            req.binding.plugin_id,
            req.binding.plugin_version,
            lang.pick("exporté le", "exported on"),
            req.binding.exported_at
        ),
        &wrap,
    ));
    for (row, (text, format)) in lines.iter().enumerate() {
        sheet
            .write_string_with_format(row as u32, 0, text, format)
            .map_err(write_err)?;
    }
    sheet.protect();
    sheet.set_active(true);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_question(
    sheet: &mut Worksheet,
    qn: &Questionnaire,
    question: &Question,
    reference: &str,
    answered: Option<&AnswerValue>,
    row: u32,
    numbers: &HashMap<String, String>,
    lang: Lang,
    formats: &Formats,
    lists: &mut Lists,
) -> Result<(), WorkbookError> {
    let code = lang.id();
    let mut reference_text = reference.to_string();
    for r in &question.references {
        reference_text.push('\n');
        reference_text.push_str(&r.label());
    }
    sheet
        .write_string_with_format(row, COL_REF, &reference_text, &formats.locked)
        .map_err(write_err)?;
    sheet
        .write_string_with_format(
            row,
            COL_QUESTION,
            question.prompt.get(code),
            &formats.locked,
        )
        .map_err(write_err)?;
    let mut help = Vec::new();
    let hint = crate::applicability_hint(qn, &question.applicable_when, numbers, lang);
    if !hint.is_empty() {
        help.push(hint);
    }
    let expected = kind_hint(&question.kind, lang);
    if !expected.is_empty() {
        help.push(expected.clone());
    }
    if !question.help.why.is_empty() {
        help.push(question.help.why.get(code).to_string());
    }
    if !question.help.evidence.is_empty() {
        help.push(format!(
            "{} {}",
            lang.pick("Preuves attendues :", "Evidence:"),
            question.help.evidence.get(code)
        ));
    }
    sheet
        .write_string_with_format(row, COL_HELP, help.join("\n\n"), &formats.locked)
        .map_err(write_err)?;
    sheet
        .write_string_with_format(row, COL_KEY, row_key(&question.id, None), &formats.key)
        .map_err(write_err)?;

    if let Some(value) = answered {
        sheet
            .write_string_with_format(
                row,
                COL_ANSWER,
                value.display(&question.kind, code),
                &formats.readonly,
            )
            .map_err(write_err)?;
        sheet
            .write_string_with_format(
                row,
                COL_NOTES,
                lang.pick(
                    "(déjà répondu par l'auditeur)",
                    "(already answered by the auditor)",
                ),
                &formats.readonly,
            )
            .map_err(write_err)?;
        return Ok(());
    }
    let answer_format = if matches!(question.kind, AnswerKind::Date) {
        &formats.answer_date
    } else {
        &formats.answer
    };
    sheet
        .write_blank(row, COL_ANSWER, answer_format)
        .map_err(write_err)?;
    sheet
        .write_blank(row, COL_NOTES, &formats.notes)
        .map_err(write_err)?;
    let declined = lang.declined().to_string();
    let validation = match &question.kind {
        AnswerKind::YesNo => {
            let mut items: Vec<String> = YesNo::ALL
                .iter()
                .map(|v| lang.yes_no(*v).to_string())
                .collect();
            items.push(declined);
            Some(
                DataValidation::new()
                    .allow_list_formula(lists.formula(items))
                    .set_error_style(DataValidationErrorStyle::Stop),
            )
        }
        AnswerKind::SingleChoice(choices) => {
            let mut items: Vec<String> = choices
                .iter()
                .map(|c| c.label.get(code).to_string())
                .collect();
            items.push(declined);
            Some(
                DataValidation::new()
                    .allow_list_formula(lists.formula(items))
                    .set_error_style(DataValidationErrorStyle::Stop),
            )
        }
        AnswerKind::MultipleChoice(_) => Some(
            DataValidation::new()
                .allow_list_formula(lists.formula(vec![declined]))
                .set_error_style(DataValidationErrorStyle::Stop),
        ),
        // Numbers and dates warn rather than stop, so that "declined to answer" can still be
        // typed; the import checks the value either way.
        AnswerKind::Integer(b) => Some(
            DataValidation::new()
                .allow_whole_number(whole_rule(b))
                .set_error_style(DataValidationErrorStyle::Warning),
        ),
        AnswerKind::Decimal(b) => decimal_rule(b).map(|rule| {
            DataValidation::new()
                .allow_decimal_number(rule)
                .set_error_style(DataValidationErrorStyle::Warning)
        }),
        AnswerKind::Date => {
            let first = ExcelDateTime::from_ymd(1900, 1, 1).map_err(write_err)?;
            let last = ExcelDateTime::from_ymd(9999, 12, 31).map_err(write_err)?;
            Some(
                DataValidation::new()
                    .allow_date(DataValidationRule::Between(first, last))
                    .set_error_style(DataValidationErrorStyle::Warning),
            )
        }
        AnswerKind::Text => None,
    };
    if let Some(validation) = validation {
        let validation = if expected.is_empty() {
            validation
        } else {
            validation
                .set_input_message(clip(&expected, 250))
                .map_err(write_err)?
                .set_error_message(clip(&expected, 250))
                .map_err(write_err)?
        };
        sheet
            .add_data_validation(row, COL_ANSWER, row, COL_ANSWER, &validation)
            .map_err(write_err)?;
    }
    Ok(())
}

/// What the answer cell expects, in words (also the drop-down's input message).
fn kind_hint(kind: &AnswerKind, lang: Lang) -> String {
    let code = lang.id();
    let declined = lang.declined();
    let bounds = |b: &NumericBounds| {
        let unit = b
            .unit
            .as_ref()
            .filter(|u| !u.is_empty())
            .map(|u| format!(" ({})", u.get(code)))
            .unwrap_or_default();
        let range = match (b.min, b.max) {
            (Some(lo), Some(hi)) => format!(
                "{} {lo} {} {hi}",
                lang.pick("entre", "between"),
                lang.pick("et", "and")
            ),
            (Some(lo), None) => format!("{} {lo}", lang.pick("d'au moins", "of at least")),
            (None, Some(hi)) => format!("{} {hi}", lang.pick("d'au plus", "of at most")),
            (None, None) => String::new(),
        };
        format!("{range}{unit}")
    };
    match kind {
        AnswerKind::YesNo | AnswerKind::SingleChoice(_) => {
            lang.pick("Choisissez dans la liste.", "Pick from the list.").to_string()
        }
        AnswerKind::MultipleChoice(_) => lang
            .pick(
                "Répondez « oui » sur chaque ligne de choix ci-dessous qui s'applique, « non » sur les autres.",
                "Answer \"yes\" on each choice row below that applies, \"no\" on the others.",
            )
            .to_string(),
        AnswerKind::Integer(b) => format!(
            "{} {}, {} {}.",
            lang.pick("Un nombre entier", "A whole number"),
            bounds(b),
            lang.pick("ou", "or"),
            lang.quoted(declined)
        )
        .replace(" ,", ","),
        AnswerKind::Decimal(b) => format!(
            "{} {}, {} {}.",
            lang.pick("Un nombre", "A number"),
            bounds(b),
            lang.pick("ou", "or"),
            lang.quoted(declined)
        )
        .replace(" ,", ","),
        AnswerKind::Date => lang
            .pick(
                "Une date AAAA-MM-JJ, ou « refus de répondre ».",
                "A date YYYY-MM-DD, or \"declined to answer\".",
            )
            .to_string(),
        AnswerKind::Text => String::new(),
    }
}

fn to_i32(v: f64) -> i32 {
    v.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
}

fn whole_rule(b: &NumericBounds) -> DataValidationRule<i32> {
    match (b.min, b.max) {
        (Some(lo), Some(hi)) => DataValidationRule::Between(to_i32(lo.ceil()), to_i32(hi.floor())),
        (Some(lo), None) => DataValidationRule::GreaterThanOrEqualTo(to_i32(lo.ceil())),
        (None, Some(hi)) => DataValidationRule::LessThanOrEqualTo(to_i32(hi.floor())),
        (None, None) => DataValidationRule::Between(i32::MIN, i32::MAX),
    }
}

fn decimal_rule(b: &NumericBounds) -> Option<DataValidationRule<f64>> {
    match (b.min, b.max) {
        (Some(lo), Some(hi)) => Some(DataValidationRule::Between(lo, hi)),
        (Some(lo), None) => Some(DataValidationRule::GreaterThanOrEqualTo(lo)),
        (None, Some(hi)) => Some(DataValidationRule::LessThanOrEqualTo(hi)),
        (None, None) => None,
    }
}

fn write_binding(
    workbook: &mut Workbook,
    binding: &Binding,
    instructions: &str,
    map: &[MapRow],
    lists: &Lists,
) -> Result<(), WorkbookError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name(BINDING_SHEET).map_err(write_err)?;
    let meta: [(&str, String); 10] = [
        ("format", FORMAT.to_string()),
        ("format_version", FORMAT_VERSION.to_string()),
        ("assessment_id", binding.assessment_id.clone()),
        ("plugin_id", binding.plugin_id.clone()),
        ("plugin_version", binding.plugin_version.clone()),
        ("plugin_sha256", binding.plugin_sha256.clone()),
        ("exported_at", binding.exported_at.clone()),
        ("lang", binding.lang.id().to_string()),
        ("respondent", binding.respondent.clone().unwrap_or_default()),
        ("instructions_sheet", instructions.to_string()),
    ];
    for (row, (key, value)) in meta.iter().enumerate() {
        sheet.write_string(row as u32, 0, *key).map_err(write_err)?;
        sheet
            .write_string(row as u32, 1, value)
            .map_err(write_err)?;
    }
    for (col, header) in ["sheet", "row", "question", "choice", "readonly"]
        .into_iter()
        .enumerate()
    {
        sheet
            .write_string(MAP_HEADER_ROW, col as u16, header)
            .map_err(write_err)?;
    }
    for (i, m) in map.iter().enumerate() {
        let r = MAP_HEADER_ROW + 1 + i as u32;
        sheet.write_string(r, 0, &m.sheet).map_err(write_err)?;
        sheet
            .write_string(r, 1, (m.row + 1).to_string())
            .map_err(write_err)?;
        sheet.write_string(r, 2, &m.question).map_err(write_err)?;
        if let Some(c) = &m.choice {
            sheet.write_string(r, 3, c).map_err(write_err)?;
        }
        if let Some(t) = &m.readonly {
            sheet.write_string(r, 4, t).map_err(write_err)?;
        }
    }
    for (i, items) in lists.columns.iter().enumerate() {
        let col = FIRST_LIST_COL + i as u16;
        for (r, item) in items.iter().enumerate() {
            sheet.write_string(r as u32, col, item).map_err(write_err)?;
        }
    }
    sheet.protect();
    sheet.set_very_hidden(true);
    Ok(())
}
