//! The self-assessment workbook from the workbench (issue 16): `W` on an assessment asks for
//! the file (a free name in the current folder), the workbook's language, who fills it and
//! by when, then writes it on the worker and says where it went, or why not.

use std::path::PathBuf;

use vigie_app::self_assessment::ExportOptions;
use vigie_model::Lang;

use super::*;

/// The fields of the export form, in the order Tab visits them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportField {
    Path,
    Language,
    Respondent,
    Due,
}

impl ExportField {
    pub const ALL: [ExportField; 4] = [
        ExportField::Path,
        ExportField::Language,
        ExportField::Respondent,
        ExportField::Due,
    ];

    fn is_text(self) -> bool {
        self != ExportField::Language
    }
}

/// The workbook export form.
pub struct WorkbookExportForm {
    pub assessment_id: String,
    pub supplier_name: String,
    pub questionnaire: String,
    pub path: String,
    pub lang: Lang,
    /// `Name <email>`; may stay empty.
    pub respondent: String,
    /// `YYYY-MM-DD`; may stay empty.
    pub due: String,
    pub focus: ExportField,
    pub error: Option<String>,
}

impl WorkbookExportForm {
    fn text_mut(&mut self) -> Option<&mut String> {
        match self.focus {
            ExportField::Path => Some(&mut self.path),
            ExportField::Respondent => Some(&mut self.respondent),
            ExportField::Due => Some(&mut self.due),
            ExportField::Language => None,
        }
    }

    fn step_focus(&mut self, delta: usize) {
        let all = ExportField::ALL;
        let i = all.iter().position(|f| *f == self.focus).unwrap_or(0);
        self.focus = all[(i + delta) % all.len()];
    }
}

/// How long the supplier gets by default to send the workbook back.
const DEFAULT_DAYS_TO_ANSWER: i64 = 30;

/// A name in the current folder that no file has yet.
fn free_name(short: &str) -> String {
    let mut name = format!("vigie-self-assessment-{short}.xlsx");
    for n in 2..1000 {
        if !std::path::Path::new(&name).exists() {
            break;
        }
        name = format!("vigie-self-assessment-{short}-{n}.xlsx");
    }
    name
}

/// The supplier's first contact with an email, as `Name <email>`.
fn first_respondent(contacts: &[vigie_model::Contact]) -> String {
    contacts
        .iter()
        .find_map(|c| {
            let email = c.email.as_deref()?.trim();
            (!email.is_empty()).then(|| format!("{} <{email}>", c.name.trim()))
        })
        .unwrap_or_default()
}

/// Writes `bytes` to `path`, never over an existing file nor over the database.
fn write_new_file(
    db: &std::path::Path,
    path: &std::path::Path,
    bytes: &[u8],
) -> Result<(), String> {
    use std::io::Write as _;
    if vigie_app::is_database_or_companion(db, path) {
        return Err(format!(
            "{} is the database or one of its files; choose another name",
            path.display()
        ));
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

impl App {
    /// `W`: the export form of the assessment on screen (selected on the home list, open in
    /// the interview or the findings).
    pub(super) fn ask_workbook_export(&mut self) {
        let Some(key) = self.report_target() else {
            return self.error(self.l(
                "Choisissez d'abord une évaluation.",
                "Select an assessment first.",
            ));
        };
        let form = self.workbook_export_form(&key);
        match form {
            Ok(form) => self.stack.push(Screen::WorkbookExport(Box::new(form))),
            Err(e) => self.error(e),
        }
    }

    fn workbook_export_form(&mut self, key: &str) -> Result<WorkbookExportForm, AppError> {
        let lang = self.lang;
        let assessment = self.bench.assessment(key)?;
        if assessment.status == vigie_model::AssessmentStatus::Final {
            return Err(AppError::Invalid(
                lang.pick(
                    "l'évaluation est finalisée : un questionnaire fournisseur s'envoie pour un \
                     brouillon",
                    "the assessment is final: a self-assessment is sent for a draft",
                )
                .to_string(),
            ));
        }
        let supplier = self.bench.supplier(&assessment.supplier_id)?;
        let questionnaire = self
            .bench
            .plugin_for(&assessment)?
            .questionnaire()
            .info
            .name
            .get(lang)
            .to_string();
        Ok(WorkbookExportForm {
            path: free_name(vigie_app::short_id(&assessment.id)),
            lang: Lang::from_code(&assessment.language),
            respondent: first_respondent(&supplier.contacts),
            due: self
                .today
                .add_days(DEFAULT_DAYS_TO_ANSWER)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            assessment_id: assessment.id.to_string(),
            supplier_name: assessment.supplier_name,
            questionnaire,
            focus: ExportField::Path,
            error: None,
        })
    }

    pub(super) fn on_workbook_export_key(&mut self, event: KeyEvent) {
        let key = Key::from_event(&event);
        let action = self.keymap.action(key, &[Scope::Form, Scope::Global]);
        let Screen::WorkbookExport(form) = self.screen_mut() else {
            return;
        };
        // A text field takes what is typed before any binding.
        if form.focus.is_text()
            && !key.ctrl
            && let Some(text) = form.text_mut()
        {
            match event.code {
                KeyCode::Char(c) => return text.push(c),
                KeyCode::Backspace => {
                    text.pop();
                    return;
                }
                _ => {}
            }
        }
        let Some(action) = action else { return };
        match action {
            Action::Back | Action::Cancel | Action::Quit => {
                self.stack.pop();
            }
            Action::NextField | Action::Down => form.step_focus(1),
            Action::PrevField | Action::Up => form.step_focus(ExportField::ALL.len() - 1),
            Action::NextValue | Action::PrevValue if form.focus == ExportField::Language => {
                form.lang = match form.lang {
                    Lang::Fr => Lang::En,
                    Lang::En => Lang::Fr,
                };
            }
            Action::Select => self.export_workbook(),
            _ => {}
        }
    }

    /// Checks the form, then writes the workbook on the worker.
    fn export_workbook(&mut self) {
        let lang = self.lang;
        let db = self.bench.path().to_path_buf();
        let Screen::WorkbookExport(form) = self.screen_mut() else {
            return;
        };
        let path = PathBuf::from(form.path.trim());
        let checked = (|| -> Result<ExportOptions, String> {
            if form.path.trim().is_empty() {
                return Err(lang
                    .pick("Indiquez le fichier à écrire.", "Name the file to write.")
                    .into());
            }
            if path.exists() {
                return Err(format!(
                    "{} {}",
                    path.display(),
                    lang.pick(
                        "existe déjà : choisissez un autre nom.",
                        "already exists: choose another name."
                    )
                ));
            }
            let due = match form.due.trim() {
                "" => None,
                text => Some(
                    text.parse::<Date>()
                        .map_err(|e| format!("{} {e}", lang.pick("Date limite :", "Due date:")))?,
                ),
            };
            let respondent = form.respondent.trim();
            Ok(ExportOptions {
                lang: Some(form.lang),
                respondent: (!respondent.is_empty()).then(|| respondent.to_string()),
                due,
                only_unanswered: false,
            })
        })();
        let options = match checked {
            Ok(options) => options,
            Err(e) => {
                form.error = Some(e);
                return;
            }
        };
        form.error = None;
        let id = form.assessment_id.clone();
        self.run_job(
            ("Écriture du classeur", "Writing the workbook"),
            move |bench| {
                let result = bench
                    .export_self_assessment(&id, &options)
                    .map_err(|e| e.to_string())
                    .and_then(|(_, bytes)| write_new_file(&db, &path, &bytes).map(|()| path));
                Box::new(move |app: &mut App| app.on_workbook_written(result))
            },
        );
    }

    fn on_workbook_written(&mut self, result: Result<PathBuf, String>) {
        let lang = self.lang;
        match result {
            Ok(path) => {
                if matches!(self.screen(), Screen::WorkbookExport(_)) {
                    self.stack.pop();
                }
                let shown = path.display().to_string();
                self.info(format!(
                    "{} {} — {}",
                    lang.pick("Classeur écrit :", "Workbook written:"),
                    vigie_model::visible(&shown),
                    lang.pick(
                        "à envoyer au fournisseur, puis `vigie self-assessment import`",
                        "send it to the supplier, then `vigie self-assessment import`"
                    )
                ));
            }
            Err(e) => {
                self.deferred.clear();
                match self.screen_mut() {
                    Screen::WorkbookExport(form) => form.error = Some(e),
                    _ => self.error(e),
                }
            }
        }
    }
}
