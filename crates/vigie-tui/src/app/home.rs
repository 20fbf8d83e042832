//! The home screen: the portfolio (every supplier at a glance, what needs attention) and,
//! one key away, the list of suppliers with their assessments.

use super::*;
use vigie_app::portfolio::Portfolio;
use vigie_app::{PortfolioFilter, PortfolioRow, PortfolioSort};

/// How far ahead the portfolio looks for expiring evidence and assessments due.
pub const PORTFOLIO_HORIZON_DAYS: u32 = 90;

/// What the home screen shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HomeMode {
    /// Every supplier at a glance, riskiest first, then what needs attention.
    #[default]
    Portfolio,
    /// Suppliers with their assessments, to open, start or reassess one.
    Assessments,
}

/// A row of the home list.
#[derive(Clone, Debug)]
pub enum HomeRow {
    Supplier(Supplier),
    Assessment(AssessmentSummary),
}

#[derive(Default)]
pub struct Home {
    pub mode: HomeMode,
    pub rows: Vec<HomeRow>,
    pub selected: usize,
    pub total_assessments: u64,
    /// The portfolio as last loaded (all its rows, the attention list).
    pub portfolio: Option<Portfolio>,
    /// The portfolio rows shown: filtered by `filter`, in `sort` order.
    pub portfolio_rows: Vec<PortfolioRow>,
    pub portfolio_selected: usize,
    pub sort: PortfolioSort,
    pub filter: PortfolioFilter,
}

/// What the home screen shows: suppliers, their assessments (newest 500), how many in all,
/// and the portfolio of the day when it was computed too.
pub(super) type HomeData = (
    Vec<Supplier>,
    Vec<AssessmentSummary>,
    u64,
    Option<Portfolio>,
);

/// The lists of the home screen: quick, read where they are shown.
pub(super) fn load_lists(bench: &Workbench) -> Result<HomeData, AppError> {
    let suppliers = bench.suppliers()?;
    let assessments = bench.assessments(&AssessmentFilter::page(500, 0))?;
    let total = bench.count_assessments(&AssessmentFilter::default())?;
    Ok((suppliers, assessments, total, None))
}

/// The lists and the portfolio of `today` (aggregates over every assessment: run on the
/// worker).
pub(super) fn load_home(bench: &Workbench, today: Date) -> Result<HomeData, AppError> {
    let (suppliers, assessments, total, _) = load_lists(bench)?;
    let portfolio = bench.portfolio(today, PORTFOLIO_HORIZON_DAYS)?;
    Ok((suppliers, assessments, total, Some(portfolio)))
}

/// The verdict filter's next step: none, then at least medium, high, critical, then none.
fn next_verdict_floor(current: Option<Severity>) -> Option<Severity> {
    match current {
        None => Some(Severity::Medium),
        Some(Severity::Info | Severity::Low | Severity::Medium) => Some(Severity::High),
        Some(Severity::High) => Some(Severity::Critical),
        Some(Severity::Critical) => None,
    }
}

impl App {
    /// Reloads suppliers and assessments for the home list.
    /// Reloads the home lists at once and the portfolio through the executor (on the
    /// worker when there is one, so a large portfolio never holds a frame back).
    pub fn reload_home(&mut self) {
        let result = load_lists(&self.bench);
        self.show_home(result);
        self.refresh_portfolio();
    }

    /// Computes the portfolio of the day through the executor and shows it when done.
    pub fn refresh_portfolio(&mut self) {
        let today = self.today;
        self.execute(Request::Load(Box::new(move |bench| {
            let result = bench.portfolio(today, PORTFOLIO_HORIZON_DAYS);
            Box::new(move |app: &mut App| match result {
                Ok(portfolio) => {
                    app.home.portfolio = Some(portfolio);
                    app.refresh_portfolio_rows();
                }
                Err(e) => app.error(e),
            })
        })));
    }

    pub(super) fn show_home(&mut self, loaded: Result<HomeData, AppError>) {
        match loaded {
            Ok((suppliers, assessments, total, portfolio)) => {
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
                if let Some(portfolio) = portfolio {
                    self.home.portfolio = Some(portfolio);
                    self.refresh_portfolio_rows();
                }
            }
            Err(e) => self.error(e),
        }
    }

    /// The portfolio rows again after a change of data, filter or order; the selection
    /// stays on the same supplier when it is still listed.
    fn refresh_portfolio_rows(&mut self) {
        let home = &mut self.home;
        let kept = home
            .portfolio_rows
            .get(home.portfolio_selected)
            .map(|r| r.supplier_id.clone());
        home.portfolio_rows = home
            .portfolio
            .as_ref()
            .map(|p| p.view(&home.filter, home.sort))
            .unwrap_or_default();
        home.portfolio_selected = kept
            .and_then(|id| home.portfolio_rows.iter().position(|r| r.supplier_id == id))
            .unwrap_or(0);
    }

    /// Shows the assessments list with `supplier_id`'s row selected.
    fn open_supplier_list(&mut self, supplier_id: &str) {
        self.home.mode = HomeMode::Assessments;
        if let Some(i) = self
            .home
            .rows
            .iter()
            .position(|r| matches!(r, HomeRow::Supplier(s) if s.id == supplier_id))
        {
            self.home.selected = i;
        }
    }

    /// The name filter typed at `/` (empty clears it).
    pub(super) fn filter_portfolio_by_name(&mut self, text: &str) {
        let text = text.trim();
        self.home.filter.name = (!text.is_empty()).then(|| text.to_string());
        self.refresh_portfolio_rows();
    }

    /// The portfolio's own keys; false when `action` is one of the home screen's.
    fn portfolio_action(&mut self, action: Action) -> bool {
        let home = &mut self.home;
        let len = home.portfolio_rows.len();
        match action {
            Action::Down => {
                home.portfolio_selected = (home.portfolio_selected + 1).min(len.saturating_sub(1))
            }
            Action::Up => home.portfolio_selected = home.portfolio_selected.saturating_sub(1),
            Action::Select => match home.portfolio_rows.get(home.portfolio_selected) {
                Some(row) => {
                    let id = row.supplier_id.clone();
                    self.open_supplier_list(&id);
                }
                None if home.portfolio_rows.is_empty() && !home.filter.is_empty() => {
                    let lang = self.lang;
                    self.info(lang.pick(
                        "Aucun fournisseur ne correspond au filtre (x pour l'effacer).",
                        "No supplier matches the filter (x clears it).",
                    ));
                }
                None => self.stack.push(Screen::SupplierForm(supplier_form(None))),
            },
            Action::SortPortfolio => {
                home.sort = home.sort.next();
                self.refresh_portfolio_rows();
            }
            Action::FilterVerdict => {
                home.filter.verdict_at_least = next_verdict_floor(home.filter.verdict_at_least);
                self.refresh_portfolio_rows();
            }
            Action::FilterDue => {
                home.filter.due_by = match home.filter.due_by {
                    Some(_) => None,
                    None => home.portfolio.as_ref().map(Portfolio::horizon),
                };
                self.refresh_portfolio_rows();
            }
            Action::FilterOverdue => {
                home.filter.overdue = !home.filter.overdue;
                self.refresh_portfolio_rows();
            }
            Action::FilterExpiring => {
                home.filter.expiring = !home.filter.expiring;
                self.refresh_portfolio_rows();
            }
            Action::ClearFilter => {
                home.filter = PortfolioFilter::default();
                self.refresh_portfolio_rows();
            }
            Action::FilterName => {
                let current = home.filter.name.clone().unwrap_or_default();
                let lang = self.lang;
                self.overlay = Some(Overlay::Input {
                    purpose: InputPurpose::SupplierName,
                    prompt: lang
                        .pick(
                            "Nom du fournisseur (vide : tous)",
                            "Supplier name (empty: all)",
                        )
                        .to_string(),
                    edit: LineEdit::with_value(current),
                    error: None,
                });
            }
            Action::Demo => self.open_demo(),
            _ => return false,
        }
        true
    }

    /// Creates the sample portfolio in its own file beside the database (never in it) and
    /// reopens the workbench there.
    fn open_demo(&mut self) {
        let path = vigie_app::demo::demo_path(self.bench.path());
        let today = self.today;
        self.run_job(
            ("Création de la démonstration", "Creating the sample"),
            move |bench| {
                let result = vigie_app::demo::create_demo(&path, today, bench.host());
                Box::new(move |app: &mut App| match result {
                    Ok(summary) => app.reopen = Some(summary.path),
                    Err(e) => app.job_error(e),
                })
            },
        );
    }

    pub(super) fn selected_supplier(&self) -> Option<Supplier> {
        let rows = &self.home.rows;
        if self.home.mode == HomeMode::Portfolio {
            let id = &self
                .home
                .portfolio_rows
                .get(self.home.portfolio_selected)?
                .supplier_id;
            return rows.iter().find_map(|r| match r {
                HomeRow::Supplier(s) if &s.id == id => Some(s.clone()),
                _ => None,
            });
        }
        let mut i = self.home.selected.min(rows.len().checked_sub(1)?);
        loop {
            if let HomeRow::Supplier(s) = &rows[i] {
                return Some(s.clone());
            }
            i = i.checked_sub(1)?;
        }
    }

    pub(super) fn home_action(&mut self, action: Action) {
        if action == Action::SwitchHome {
            match self.home.mode {
                HomeMode::Portfolio => match self.selected_supplier() {
                    Some(s) => self.open_supplier_list(&s.id),
                    None => self.home.mode = HomeMode::Assessments,
                },
                HomeMode::Assessments => self.home.mode = HomeMode::Portfolio,
            }
            return;
        }
        if self.home.mode == HomeMode::Portfolio && self.portfolio_action(action) {
            return;
        }
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
                        .find(|a| a.status == vigie_model::AssessmentStatus::Draft)
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
