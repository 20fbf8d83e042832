//! The home screen: suppliers and their assessments.

use super::*;

/// A row of the home list.
#[derive(Clone, Debug)]
pub enum HomeRow {
    Supplier(Supplier),
    Assessment(AssessmentSummary),
}

pub struct Home {
    pub rows: Vec<HomeRow>,
    pub selected: usize,
    pub total_assessments: u64,
}

/// What the home list shows: suppliers, their assessments (newest 500), how many in all.
pub(super) type HomeData = (Vec<Supplier>, Vec<AssessmentSummary>, u64);

pub(super) fn load_home(bench: &Workbench) -> Result<HomeData, AppError> {
    let suppliers = bench.suppliers()?;
    let assessments = bench.assessments(&AssessmentFilter::page(500, 0))?;
    let total = bench.count_assessments(&AssessmentFilter::default())?;
    Ok((suppliers, assessments, total))
}

impl App {
    /// Reloads suppliers and assessments for the home list.
    pub fn reload_home(&mut self) {
        let result = load_home(&self.bench);
        self.show_home(result);
    }

    pub(super) fn show_home(&mut self, loaded: Result<HomeData, AppError>) {
        match loaded {
            Ok((suppliers, assessments, total)) => {
                let mut rows = Vec::new();
                for s in suppliers {
                    let id = s.id.clone();
                    rows.push(HomeRow::Supplier(s));
                    rows.extend(
                        assessments
                            .iter()
                            .filter(|a| a.supplier_id == id)
                            .cloned()
                            .map(HomeRow::Assessment),
                    );
                }
                self.home.selected = self.home.selected.min(rows.len().saturating_sub(1));
                self.home.rows = rows;
                self.home.total_assessments = total;
            }
            Err(e) => self.error(e),
        }
    }

    pub(super) fn selected_supplier(&self) -> Option<Supplier> {
        let rows = &self.home.rows;
        let mut i = self.home.selected.min(rows.len().checked_sub(1)?);
        loop {
            if let HomeRow::Supplier(s) = &rows[i] {
                return Some(s.clone());
            }
            i = i.checked_sub(1)?;
        }
    }

    pub(super) fn home_action(&mut self, action: Action) {
        let len = self.home.rows.len();
        match action {
            Action::Down => {
                self.home.selected = (self.home.selected + 1).min(len.saturating_sub(1))
            }
            Action::Up => self.home.selected = self.home.selected.saturating_sub(1),
            Action::NewSupplier => self.stack.push(Screen::SupplierForm(supplier_form(None))),
            Action::EditSupplier => {
                if let Some(s) = self.selected_supplier() {
                    self.stack
                        .push(Screen::SupplierForm(supplier_form(Some(&s))));
                }
            }
            Action::NewAssessment => match self.selected_supplier() {
                Some(s) => self.open_new_assessment(s),
                None => self.error(self.l(
                    "Créez d'abord un fournisseur (s).",
                    "Create a supplier first (s).",
                )),
            },
            Action::Plugins => {
                // Stored plugins are loaded when first needed (once per host: failures are
                // remembered), not when the workbench opens.
                if let Err(e) = self.bench.load_database_plugins() {
                    self.error(e);
                }
                self.stack.push(Screen::Plugins { selected: 0 })
            }
            Action::Reassess => match self.home.rows.get(self.home.selected).cloned() {
                Some(HomeRow::Assessment(a)) => {
                    let today = self.today;
                    self.run_job(("Réévaluation", "Reassessing"), move |bench| {
                        let result = bench.reassess(&a.id, today);
                        Box::new(move |app: &mut App| match result {
                            Ok(new) => {
                                let lang = app.lang;
                                app.open_interview(&new.id);
                                app.info(lang.pick("Réévaluation : réponses reprises, à confirmer (c pour comparer).",
                                    "Reassessment: answers carried over, to confirm (c to compare).",
                                ));
                            }
                            Err(e) => app.job_error(e),
                        })
                    });
                }
                _ => self.error(self.l(
                    "Choisissez d'abord une évaluation.",
                    "Select an assessment first.",
                )),
            },
            Action::Select => match self.home.rows.get(self.home.selected).cloned() {
                Some(HomeRow::Assessment(a)) => self.open_interview(&a.id),
                // A supplier already assessed: open its newest draft (else its newest
                // assessment) rather than start another one; `a` starts a new one.
                Some(HomeRow::Supplier(s)) => {
                    let theirs: Vec<&AssessmentSummary> = self
                        .home
                        .rows
                        .iter()
                        .filter_map(|r| match r {
                            HomeRow::Assessment(a) if a.supplier_id == s.id => Some(a),
                            _ => None,
                        })
                        .collect();
                    let pick = theirs
                        .iter()
                        .find(|a| a.status == vigie_store::AssessmentStatus::Draft)
                        .or(theirs.first())
                        .map(|a| a.id.clone());
                    match pick {
                        Some(id) => self.open_interview(&id),
                        None => self.open_new_assessment(s),
                    }
                }
                None => self.stack.push(Screen::SupplierForm(supplier_form(None))),
            },
            _ => {}
        }
    }

    pub(super) fn open_new_assessment(&mut self, supplier: Supplier) {
        if let Err(e) = self.bench.load_database_plugins() {
            self.error(e);
        }
        let plugins = self.bench.plugins_for_new_assessments();
        if plugins.is_empty() {
            self.error(self.l(
                "Aucun questionnaire disponible.",
                "No questionnaire available.",
            ));
            return;
        }
        self.stack
            .push(Screen::NewAssessment(Box::new(NewAssessmentForm {
                supplier,
                plugins,
                selected: 0,
                language: self.lang,
                level: 0,
                date: self.today.to_string(),
                focus: 0,
                error: None,
            })));
    }
}
