//! The findings screen: criteria, findings and the action plan.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingsPane {
    Criteria,
    Findings,
}

#[derive(Clone, Debug)]
pub enum FindingRow {
    Finding(usize),
    Action(usize),
}

pub struct FindingsView {
    pub assessment: Assessment,
    pub questionnaire: Arc<Questionnaire>,
    pub evaluation: Evaluation,
    pub actions: Vec<ActionItem>,
    pub pane: FindingsPane,
    pub selected: usize,
    /// Applicable questions without an answer: progress, shown apart from the findings.
    pub open_questions: usize,
}

impl FindingsView {
    /// Findings, each followed by its action items.
    pub fn rows(&self) -> Vec<FindingRow> {
        let mut rows = Vec::new();
        for (i, f) in self.evaluation.findings.iter().enumerate() {
            rows.push(FindingRow::Finding(i));
            for (j, a) in self.actions.iter().enumerate() {
                if a.finding_id == f.id {
                    rows.push(FindingRow::Action(j));
                }
            }
        }
        rows
    }
}

impl App {
    pub(super) fn open_findings(&mut self) {
        let Some(iv) = self.interview() else { return };
        let Some(evaluation) = iv.evaluation.clone() else {
            let msg = self.lang.pick("Pas encore de résultat.", "No result yet.");
            self.info(msg);
            return;
        };
        let assessment = iv.assessment.clone();
        let questionnaire = iv.questionnaire.clone();
        let (answered, applicable) = iv.progress();
        let open_questions = applicable.saturating_sub(answered);
        match self.bench.action_items(&assessment.id) {
            Ok(actions) => self.stack.push(Screen::Findings(Box::new(FindingsView {
                assessment,
                questionnaire,
                evaluation,
                actions,
                pane: FindingsPane::Criteria,
                selected: 0,
                open_questions,
            }))),
            Err(e) => self.error(e),
        }
    }

    pub(super) fn findings_action(&mut self, action: Action) {
        let Screen::Findings(view) = self.screen_mut() else {
            return;
        };
        let len = match view.pane {
            FindingsPane::Criteria => view.evaluation.criteria.len(),
            FindingsPane::Findings => view.rows().len(),
        };
        match action {
            Action::Down => view.selected = (view.selected + 1).min(len.saturating_sub(1)),
            Action::Up => view.selected = view.selected.saturating_sub(1),
            Action::SwitchPane => {
                view.pane = match view.pane {
                    FindingsPane::Criteria => FindingsPane::Findings,
                    FindingsPane::Findings => FindingsPane::Criteria,
                };
                view.selected = 0;
            }
            Action::AddAction if view.pane == FindingsPane::Findings => {
                let rows = view.rows();
                let finding = match rows.get(view.selected) {
                    Some(FindingRow::Finding(i)) => Some(view.evaluation.findings[*i].id.clone()),
                    Some(FindingRow::Action(j)) => Some(view.actions[*j].finding_id.clone()),
                    None => None,
                };
                if let Some(finding) = finding {
                    let target = RecordTarget::NewAction {
                        assessment: view.assessment.id.to_string(),
                        finding,
                    };
                    self.stack
                        .push(Screen::RecordForm(Box::new(record_form(target))));
                }
            }
            Action::EditItem | Action::DeleteItem => self.findings_record_action(action),
            Action::CycleStatus if view.pane == FindingsPane::Findings => {
                let rows = view.rows();
                if let Some(FindingRow::Action(j)) = rows.get(view.selected) {
                    let item = view.actions[*j].clone();
                    let next = match item.status {
                        ActionStatus::Open => ActionStatus::InProgress,
                        ActionStatus::InProgress => ActionStatus::Done,
                        ActionStatus::Done => ActionStatus::Open,
                    };
                    let update = ActionItemUpdate {
                        status: Some(next),
                        ..ActionItemUpdate::default()
                    };
                    let j = *j;
                    self.run_job(("Enregistrement", "Saving"), move |bench| {
                        let result = bench.update_action_item(&item.id, &update);
                        Box::new(move |app: &mut App| match result {
                            Ok(updated) => {
                                if let Screen::Findings(view) = app.screen_mut()
                                    && let Some(slot) = view.actions.get_mut(j)
                                {
                                    *slot = updated;
                                }
                            }
                            Err(e) => app.job_error(e),
                        })
                    });
                }
            }
            _ => {}
        }
    }
}
