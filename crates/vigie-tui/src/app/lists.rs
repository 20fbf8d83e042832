//! The plugin list, the audit trail and the comparison: lists to scroll.

use super::*;

pub struct AuditView {
    pub title: String,
    pub entries: Vec<AuditEntry>,
    pub selected: usize,
    /// To word answers as the interview does (choice labels, yes/no in the language).
    pub questionnaire: Option<Arc<Questionnaire>>,
}

/// What changed since the previous assessment of the supplier.
pub struct CompareView {
    pub questionnaire: Arc<Questionnaire>,
    pub comparison: vigie_report::Comparison,
    pub scroll: usize,
}

impl App {
    pub(super) fn list_action(&mut self, action: Action) {
        let plugins = self.bench.catalog().entries().len();
        let (selected, len) = match self.screen_mut() {
            Screen::Plugins { selected } => (selected, plugins),
            Screen::Audit(view) => {
                let len = view.entries.len();
                (&mut view.selected, len)
            }
            Screen::Compare(view) => (&mut view.scroll, usize::MAX),
            _ => return,
        };
        match action {
            Action::Down => *selected = (*selected + 1).min(len.saturating_sub(1)),
            Action::Up => *selected = selected.saturating_sub(1),
            _ => {}
        }
    }
}
