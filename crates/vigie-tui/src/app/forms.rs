//! The supplier form and the new-assessment form.

use super::*;

/// A text field being edited (supplier form, values, notes...).
#[derive(Clone, Debug, Default)]
pub struct TextField {
    pub label: &'static str,
    pub value: String,
}

pub struct SupplierForm {
    pub editing: Option<String>,
    pub fields: Vec<TextField>,
    pub criticality: Criticality,
    pub focus: usize,
    pub error: Option<String>,
}

pub struct NewAssessmentForm {
    pub supplier: Supplier,
    pub plugins: Vec<Arc<Plugin>>,
    pub selected: usize,
    pub language: Lang,
    pub level: usize,
    pub date: String,
    pub focus: usize,
    pub error: Option<String>,
}

pub(super) fn supplier_form(existing: Option<&Supplier>) -> SupplierForm {
    let f = |label: &'static str, value: String| TextField { label, value };
    let s = existing.map(Supplier::fields);
    SupplierForm {
        editing: existing.map(|s| s.id.to_string()),
        fields: vec![
            f(
                "name",
                s.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
            ),
            f(
                "country",
                s.as_ref()
                    .and_then(|s| s.country.clone())
                    .unwrap_or_default(),
            ),
            f(
                "sector",
                s.as_ref()
                    .and_then(|s| s.sector.clone())
                    .unwrap_or_default(),
            ),
            f(
                "services",
                s.as_ref()
                    .map(|s| s.services.join(", "))
                    .unwrap_or_default(),
            ),
            f(
                "contacts",
                s.as_ref()
                    .map(|s| vigie_app::contacts::contacts_line(&s.contacts))
                    .unwrap_or_default(),
            ),
        ],
        criticality: s.map(|s| s.criticality).unwrap_or(Criticality::Medium),
        focus: 0,
        error: None,
    }
}

/// The supplier the form describes; contacts are read with the command line's syntax.
pub(super) fn form_to_supplier(form: &SupplierForm) -> Result<SupplierFields, String> {
    let get = |i: usize| form.fields[i].value.trim().to_string();
    let opt = |i: usize| Some(get(i)).filter(|s| !s.is_empty());
    let list = |i: usize| {
        get(i)
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
    };
    Ok(SupplierFields {
        name: get(0),
        country: opt(1),
        sector: opt(2),
        services: list(3),
        contacts: vigie_app::contacts::parse_contacts(&get(4)).map_err(|e| e.to_string())?,
        criticality: form.criticality,
    })
}

impl App {
    pub(super) fn on_supplier_form_key(&mut self, event: KeyEvent) {
        let lang = self.lang;
        let key = Key::from_event(&event);
        let action = self.keymap.action(key, &[Scope::Form, Scope::Global]);
        let Screen::SupplierForm(form) = self.screen_mut() else {
            return;
        };
        let count = form.fields.len() + 1;
        let on_text = form.focus < form.fields.len();
        // A text field takes what is typed before any binding.
        if on_text && !key.ctrl {
            match event.code {
                KeyCode::Char(c) => return form.fields[form.focus].value.push(c),
                KeyCode::Backspace => {
                    form.fields[form.focus].value.pop();
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
            Action::NextField | Action::Down => form.focus = (form.focus + 1) % count,
            Action::PrevField | Action::Up => form.focus = (form.focus + count - 1) % count,
            Action::NextValue | Action::PrevValue if !on_text => {
                let all = Criticality::ALL;
                let i = all.iter().position(|c| *c == form.criticality).unwrap_or(0);
                let next = if action == Action::PrevValue {
                    i + all.len() - 1
                } else {
                    i + 1
                };
                form.criticality = all[next % all.len()];
            }
            Action::Select => {
                let fields = match form_to_supplier(form) {
                    Ok(fields) => fields,
                    Err(e) => {
                        form.error = Some(e);
                        return;
                    }
                };
                let editing = form.editing.clone();
                if fields.name.trim().is_empty() {
                    form.error = Some(
                        lang.pick("Le nom est obligatoire.", "The name is required.")
                            .into(),
                    );
                    return;
                }
                self.run_job(("Enregistrement", "Saving"), move |bench| {
                    let result = match &editing {
                        Some(id) => bench.update_supplier(id, &fields),
                        None => bench.add_supplier(&fields),
                    };
                    Box::new(move |app: &mut App| app.on_supplier_saved(result))
                });
            }
            _ => {}
        }
    }

    pub(super) fn on_supplier_saved(&mut self, result: Result<Supplier, AppError>) {
        let lang = self.lang;
        match result {
            Ok(s) => {
                if matches!(self.screen(), Screen::SupplierForm(_)) {
                    self.stack.pop();
                }
                self.reload_home();
                if let Some(i) = self
                    .home
                    .rows
                    .iter()
                    .position(|r| matches!(r, HomeRow::Supplier(x) if x.id == s.id))
                {
                    self.home.selected = i;
                }
                if let Some(i) = self
                    .home
                    .portfolio_rows
                    .iter()
                    .position(|r| r.supplier_id == s.id)
                {
                    self.home.portfolio_selected = i;
                }
                self.info(format!(
                    "{} {}",
                    lang.pick("Fournisseur enregistré :", "Supplier saved:"),
                    s.name
                ));
            }
            Err(e) => {
                self.deferred.clear();
                if let Screen::SupplierForm(form) = self.screen_mut() {
                    form.error = Some(e.to_string());
                }
            }
        }
    }

    pub(super) fn on_new_assessment_key(&mut self, event: KeyEvent) {
        let key = Key::from_event(&event);
        let action = self.keymap.action(key, &[Scope::Form, Scope::Global]);
        let Screen::NewAssessment(form) = self.screen_mut() else {
            return;
        };
        let levels = form.plugins[form.selected]
            .questionnaire()
            .info
            .levels
            .len();
        // The date field takes digits and dashes before any binding.
        if form.focus == 3 && !key.ctrl {
            match event.code {
                KeyCode::Char(c) if c.is_ascii_digit() || c == '-' => return form.date.push(c),
                KeyCode::Backspace => {
                    form.date.pop();
                    return;
                }
                _ => {}
            }
        }
        let Some(action) = action else { return };
        match (form.focus, action) {
            (_, Action::Back | Action::Cancel | Action::Quit) => {
                self.stack.pop();
            }
            (_, Action::NextField) => form.focus = (form.focus + 1) % 4,
            (_, Action::PrevField) => form.focus = (form.focus + 3) % 4,
            (0, Action::Down) => {
                form.selected = (form.selected + 1).min(form.plugins.len() - 1);
                form.level = 0;
            }
            (0, Action::Up) => {
                form.selected = form.selected.saturating_sub(1);
                form.level = 0;
            }
            (1, Action::NextValue | Action::PrevValue) => {
                form.language = form.language.other();
            }
            (2, Action::NextValue | Action::PrevValue) if levels > 0 => {
                form.level = (form.level + 1) % levels;
            }
            (_, Action::Select) => self.create_assessment(),
            _ => {}
        }
    }

    pub(super) fn create_assessment(&mut self) {
        let Screen::NewAssessment(form) = self.screen() else {
            return;
        };
        let date = match form.date.parse::<Date>() {
            Ok(d) => d,
            Err(e) => {
                let msg = e.to_string();
                if let Screen::NewAssessment(form) = self.screen_mut() {
                    form.error = Some(msg);
                }
                return;
            }
        };
        let plugin = form.plugins[form.selected].clone();
        let level = plugin
            .questionnaire()
            .info
            .levels
            .get(form.level)
            .map(|l| l.id.clone());
        let supplier = form.supplier.id.clone();
        let language = form.language;
        let sha256 = plugin.sha256().to_string();
        self.run_job(("Création", "Creating"), move |bench| {
            let result = bench.new_assessment(&supplier, &sha256, date, language.id(), level, None);
            Box::new(move |app: &mut App| match result {
                Ok(assessment) => {
                    if matches!(app.screen(), Screen::NewAssessment(_)) {
                        app.stack.pop();
                    }
                    app.open_interview(&assessment.id);
                }
                Err(e) => {
                    app.deferred.clear();
                    let msg = e.to_string();
                    if let Screen::NewAssessment(form) = app.screen_mut() {
                        form.error = Some(msg);
                    }
                }
            })
        });
    }
}
