//! Verifying the supplier's declarations in the interview (issue 16): which questions still
//! rest on a declaration only, walking them (`d`, and the `D` filter that makes ↑/↓ walk
//! nothing else), and progress as verified / declared / open.

use super::*;

/// How far the questions that apply are: answered by the auditor (verified), answered only by
/// the supplier's declaration (declared), or not answered at all (open).
pub use vigie_app::self_assessment::Progress as DeclarationProgress;

impl Interview {
    /// Whether the question at `index` has a supplier declaration the auditor has neither
    /// confirmed nor replaced with an answer of their own.
    pub fn is_declared_unverified(&self, index: usize) -> bool {
        let Some(q) = self.questionnaire.questions.get(index) else {
            return false;
        };
        self.answer_value(index).is_none() && self.declarations.iter().any(|d| d.question == q.id)
    }

    /// The questions that apply and still rest on a declaration only, in order.
    pub fn declared_unverified(&self) -> Vec<usize> {
        self.visible()
            .into_iter()
            .filter(|i| self.is_declared_unverified(*i))
            .collect()
    }

    /// The next (or previous) question resting on a declaration only, wrapping around; not
    /// the current one.
    pub fn next_declared(&self, forward: bool) -> Option<usize> {
        let walk = self.declared_unverified();
        let after = walk.iter().copied().find(|i| *i > self.current);
        let before = walk.iter().copied().rev().find(|i| *i < self.current);
        if forward {
            after.or_else(|| walk.first().copied().filter(|i| *i != self.current))
        } else {
            before.or_else(|| walk.last().copied().filter(|i| *i != self.current))
        }
    }

    /// With the "declared, not yet verified" filter on: one step through the questions it
    /// keeps (the current one need not be among them: it was just verified).
    pub(super) fn step_declared(&mut self, delta: i32) {
        let walk = self.declared_unverified();
        let next = if delta > 0 {
            walk.iter().copied().find(|i| *i > self.current)
        } else {
            walk.iter().copied().rev().find(|i| *i < self.current)
        };
        if let Some(next) = next {
            self.current = next;
        }
    }

    /// Verified / declared / open among the questions that apply (the count of
    /// `vigie self-assessment pending`).
    pub fn declaration_progress(&self) -> DeclarationProgress {
        let mut progress = DeclarationProgress::default();
        for i in self.visible() {
            if self.is_answered(i) {
                progress.verified += 1;
            } else if self.is_declared_unverified(i) {
                progress.declared += 1;
            } else {
                progress.open += 1;
            }
        }
        progress
    }
}

impl App {
    /// `d`: the next question whose declaration is not verified yet.
    pub(super) fn go_to_next_declared(&mut self) {
        let lang = self.lang;
        let Some(iv) = self.interview_mut() else {
            return;
        };
        match iv.next_declared(true) {
            Some(next) => iv.current = next,
            None if iv.is_declared_unverified(iv.current) => self.info(lang.pick(
                "C'est la dernière déclaration à vérifier.",
                "This is the last declaration to verify.",
            )),
            None => self.info(no_declaration_left(lang)),
        }
    }

    /// `D`: the "declared, not yet verified" filter on or off.
    pub(super) fn toggle_declared_filter(&mut self) {
        let lang = self.lang;
        let Some(iv) = self.interview_mut() else {
            return;
        };
        if iv.declared_only {
            iv.declared_only = false;
            self.info(lang.pick(
                "Filtre retiré : toutes les questions.",
                "Filter off: every question.",
            ));
            return;
        }
        let walk = iv.declared_unverified();
        let Some(first) = walk
            .iter()
            .copied()
            .find(|i| *i >= iv.current)
            .or_else(|| walk.first().copied())
        else {
            self.info(no_declaration_left(lang));
            return;
        };
        iv.declared_only = true;
        iv.current = first;
        let count = walk.len();
        self.info(match lang {
            Lang::Fr => format!(
                "Filtre : {} à vérifier (↑/↓ les parcourent, V confirme, une réponse remplace ; \
                 D retire le filtre).",
                lang.count(count, "déclaration", "déclarations")
            ),
            Lang::En => format!(
                "Filter: {} to verify (↑/↓ walk them, V confirms, an answer replaces; D turns \
                 the filter off).",
                lang.count(count, "declaration", "declarations")
            ),
        });
    }
}

fn no_declaration_left(lang: Lang) -> &'static str {
    lang.pick(
        "Aucune déclaration du fournisseur à vérifier.",
        "No supplier declaration left to verify.",
    )
}
