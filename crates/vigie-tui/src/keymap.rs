//! One `Action` enum feeds the key bindings, the help overlay and the
//! configuration file: renaming an action renames it everywhere.
//!
//! `keymap.toml` in the config directory overrides bindings by action name:
//!
//! ```toml
//! [keys]
//! next-question = ["j", "down"]
//! undo = ["ctrl-z", "u"]
//! ```
//!
//! Answer options (and the numbered items of a list or menu) are always on the
//! digit keys shown beside them, and text fields take typed characters before
//! any binding; every other key goes through these bindings.

use std::collections::BTreeMap;
use vigie_model::Lang;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

macro_rules! actions {
    ($($variant:ident = $name:literal, $scope:ident, [$($key:literal),*], $fr:literal, $en:literal;)+) => {
        /// Everything a key can do.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),+ }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            /// The name used in `keymap.toml`.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),+ }
            }

            pub fn scope(self) -> Scope {
                match self { $(Action::$variant => Scope::$scope),+ }
            }

            fn default_keys(self) -> &'static [&'static str] {
                match self { $(Action::$variant => &[$($key),*]),+ }
            }

            pub fn describe(self, lang: Lang) -> &'static str {
                match (self, lang == Lang::Fr) {
                    $((Action::$variant, true) => $fr, (Action::$variant, false) => $en,)+
                }
            }
        }
    };
}

/// Where an action is available (the help overlay groups by scope).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Global,
    Home,
    /// The home screen's portfolio view (its keys come before the home screen's).
    Portfolio,
    Interview,
    Findings,
    /// The supplier and new-assessment forms (typed text goes to the field first).
    Form,
    /// The evidence of a question.
    Evidence,
    /// Lists of records (evidence, action items) that can be edited and deleted.
    Records,
    /// Popups: choice list, section picker, confirmations, text input, search.
    Popup,
    /// The dialog when a colleague saved the same answer first.
    Conflict,
}

actions! {
    Quit = "quit", Global, ["q", "ctrl-c"], "quitter / revenir", "quit / go back";
    Help = "help", Global, ["?", "f1"], "aide (ces touches)", "help (these keys)";
    Up = "up", Global, ["k", "up"], "monter", "move up";
    Down = "down", Global, ["j", "down"], "descendre", "move down";
    Select = "select", Global, ["enter"], "ouvrir / valider", "open / confirm";
    Back = "back", Global, ["esc"], "annuler / revenir", "cancel / go back";
    Report = "report", Global, ["x"], "écrire le rapport (md, html, json, csv)", "write the report (md, html, json, csv)";
    ExportWorkbook = "export-workbook", Global, ["W"], "questionnaire à faire remplir par le fournisseur (classeur .xlsx)", "self-assessment workbook for the supplier to fill (.xlsx)";
    NewSupplier = "new-supplier", Home, ["s"], "nouveau fournisseur", "new supplier";
    EditSupplier = "edit-supplier", Home, ["e"], "modifier le fournisseur", "edit supplier";
    NewAssessment = "new-assessment", Home, ["a"], "nouvelle évaluation", "new assessment";
    Plugins = "plugins", Home, ["p"], "questionnaires installés", "installed questionnaires";
    Reassess = "reassess", Home, ["r"], "réévaluer (reprendre les réponses, à confirmer)", "reassess (reuse the answers, to confirm)";
    SwitchHome = "switch-home", Home, ["tab"], "portefeuille / fournisseurs et évaluations", "portfolio / suppliers and assessments";
    SortPortfolio = "sort", Portfolio, ["o"], "changer le tri (risque, verdict, échéance…)", "change the order (risk, verdict, due date…)";
    FilterVerdict = "filter-verdict", Portfolio, ["v"], "filtrer : verdict au moins moyen, élevé, critique", "filter: verdict at least medium, high, critical";
    FilterDue = "filter-due", Portfolio, ["d"], "filtrer : évaluation due dans les 90 jours", "filter: assessment due within 90 days";
    FilterOverdue = "filter-overdue", Portfolio, ["r"], "filtrer : actions en retard", "filter: overdue actions";
    FilterExpiring = "filter-expiring", Portfolio, ["E"], "filtrer : preuves qui expirent", "filter: expiring evidence";
    FilterName = "filter-name", Portfolio, ["/"], "chercher un fournisseur par son nom", "find a supplier by name";
    ClearFilter = "clear-filter", Portfolio, ["x"], "effacer les filtres", "clear the filters";
    Demo = "demo", Portfolio, ["D"], "ouvrir le portefeuille de démonstration (fichier à part)", "open the sample portfolio (a file of its own)";
    NextUnanswered = "next-unanswered", Interview, ["n"], "question suivante sans réponse ou à confirmer", "next question unanswered or to confirm";
    PrevUnanswered = "prev-unanswered", Interview, ["p"], "question précédente sans réponse ou à confirmer", "previous question unanswered or to confirm";
    ConfirmAnswer = "confirm-answer", Interview, ["y"], "confirmer la réponse reprise telle quelle", "confirm a carried-over answer as it is";
    ConfirmDeclaration = "confirm-declaration", Interview, ["V"], "confirmer la déclaration du fournisseur (devient votre réponse)", "confirm the supplier's declaration (it becomes your answer)";
    NextDeclared = "next-declared", Interview, ["d"], "déclaration suivante du fournisseur à vérifier", "next supplier declaration to verify";
    FilterDeclared = "filter-declared", Interview, ["D"], "filtre : seulement les déclarations non vérifiées (↑/↓ les parcourent)", "filter: only the declarations not yet verified (↑/↓ walk them)";
    NextSection = "next-section", Interview, ["tab", "right", "l"], "section suivante", "next section";
    PrevSection = "prev-section", Interview, ["backtab", "left", "h"], "section précédente", "previous section";
    JumpSection = "jump-section", Interview, ["g"], "aller à une section", "jump to a section";
    Search = "search", Interview, ["/"], "rechercher (questions, réponses, notes)", "search questions, answers, notes";
    Decline = "decline", Interview, ["r"], "le fournisseur refuse de répondre", "supplier declines to answer";
    Clear = "clear", Interview, ["backspace", "delete"], "effacer la réponse", "clear the answer";
    EditValue = "edit-value", Interview, ["enter", "e"], "saisir une valeur ou choisir dans la liste", "type a value or pick from the list";
    Note = "note", Interview, ["o"], "note / preuve de la réponse", "note / evidence for the answer";
    Evidence = "evidence", Interview, ["v"], "preuves de la question (voir, modifier…)", "the question's evidence (view, edit…)";
    Explain = "explain", Interview, ["s"], "ce que disent le score et le verdict", "what the score and the verdict mean";
    ToggleHelp = "toggle-help", Interview, ["i"], "afficher l'aide de la question", "show the question's help";
    Undo = "undo", Interview, ["u", "ctrl-z"], "annuler la dernière réponse", "undo the last answer";
    Findings = "findings", Interview, ["f"], "critères, constats et plan d'action", "criteria, findings and action plan";
    Audit = "audit", Interview, ["t"], "journal d'audit de l'évaluation", "audit trail of the assessment";
    Finalize = "finalize", Interview, ["F"], "finaliser (figer les réponses)", "finalize (freeze the answers)";
    Compare = "compare", Interview, ["c"], "comparer avec l'évaluation précédente", "compare with the previous assessment";
    AddAction = "add-action", Findings, ["a"], "ajouter une action pour ce constat", "add an action for this finding";
    CycleStatus = "cycle-status", Findings, ["space"], "changer le statut de l'action", "change the action's status";
    SwitchPane = "switch-pane", Findings, ["tab"], "critères / constats et actions", "criteria / findings and actions";
    AddEvidence = "add-evidence", Evidence, ["a"], "ajouter une preuve", "add evidence";
    EditItem = "edit-item", Records, ["e"], "modifier l'élément choisi", "edit the selected item";
    DeleteItem = "delete-item", Records, ["d", "delete"], "supprimer l'élément choisi (après confirmation)", "delete the selected item (after a confirmation)";
    NextField = "next-field", Form, ["tab"], "champ suivant", "next field";
    Save = "save", Form, ["ctrl-s"], "enregistrer le formulaire", "save the form";
    PrevField = "prev-field", Form, ["backtab"], "champ précédent", "previous field";
    NextValue = "next-value", Form, ["space", "right"], "valeur suivante du champ", "next value of the field";
    PrevValue = "prev-value", Form, ["left"], "valeur précédente du champ", "previous value of the field";
    Cancel = "cancel", Popup, ["esc", "ctrl-c"], "fermer sans rien faire", "close without doing anything";
    Confirm = "confirm", Popup, ["y", "o", "Y", "O"], "confirmer", "confirm";
    Toggle = "toggle", Popup, ["space"], "choisir l'option sélectionnée", "pick the selected option";
    PageDown = "page-down", Popup, ["pagedown"], "page suivante", "next page";
    PageUp = "page-up", Popup, ["pageup"], "page précédente", "previous page";
    First = "first", Popup, ["home"], "premier de la liste", "first of the list";
    Last = "last", Popup, ["end"], "dernier de la liste", "last of the list";
    KeepTheirs = "keep-theirs", Conflict, ["k"], "garder la réponse de l'autre auditeur", "keep the other auditor's answer";
    Overwrite = "overwrite", Conflict, ["o"], "remplacer par votre réponse", "overwrite with your answer";
}

/// A key as written in `keymap.toml`: `j`, `J`, `ctrl-z`, `down`, `enter`, `f1`...
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    pub fn parse(text: &str) -> Option<Key> {
        let (ctrl, rest) = match text.strip_prefix("ctrl-") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            f if f.len() >= 2 && f.starts_with('f') => KeyCode::F(f[1..].parse().ok()?),
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next()?),
            _ => return None,
        };
        Some(Key { code, ctrl })
    }

    pub fn from_event(event: &KeyEvent) -> Key {
        let code = match event.code {
            // Some terminals report shift-tab as Tab + SHIFT.
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            other => other,
        };
        Key {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "S-Tab".to_string(),
            KeyCode::Backspace => "Bksp".to_string(),
            KeyCode::Delete => "Del".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.ctrl { format!("C-{base}") } else { base }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeymapFile {
    #[serde(default)]
    keys: BTreeMap<String, Vec<String>>,
}

/// Bindings from keys to actions.
#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: Vec<(Action, Vec<Key>)>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: Action::ALL
                .iter()
                .map(|a| {
                    (
                        *a,
                        a.default_keys()
                            .iter()
                            .filter_map(|k| Key::parse(k))
                            .collect(),
                    )
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// Reads overrides from TOML; on any problem returns the defaults and a
    /// message naming the file, the action or key at fault.
    pub fn from_toml(text: &str, path: &str) -> (Keymap, Option<String>) {
        let mut keymap = Keymap::default();
        let file: KeymapFile = match toml::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                return (
                    keymap,
                    Some(format!(
                        "{path}: {}; default keys in use",
                        first_line(&e.to_string())
                    )),
                );
            }
        };
        for (name, keys) in file.keys {
            let Some(action) = Action::ALL.iter().find(|a| a.name() == name) else {
                return (
                    Keymap::default(),
                    Some(format!(
                        "{path}: unknown action `{name}`; default keys in use"
                    )),
                );
            };
            let mut parsed = Vec::new();
            for k in &keys {
                match Key::parse(k) {
                    Some(key) => parsed.push(key),
                    None => {
                        return (
                            Keymap::default(),
                            Some(format!(
                                "{path}: `{name}`: unknown key `{k}`; default keys in use"
                            )),
                        );
                    }
                }
            }
            if let Some(slot) = keymap.bindings.iter_mut().find(|(a, _)| a == action) {
                slot.1 = parsed;
            }
        }
        (keymap, None)
    }

    /// The action bound to `key` among those allowed in `scopes` (first match
    /// in scope order wins, so a screen's own meaning of a key beats the global one).
    pub fn action(&self, key: Key, scopes: &[Scope]) -> Option<Action> {
        scopes.iter().find_map(|scope| {
            self.bindings
                .iter()
                .find(|(a, keys)| a.scope() == *scope && keys.contains(&key))
                .map(|(a, _)| *a)
        })
    }

    pub fn keys(&self, action: Action) -> &[Key] {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, k)| k.as_slice())
            .unwrap_or(&[])
    }

    /// "j/↓"-style label of an action's keys.
    pub fn label(&self, action: Action) -> String {
        self.keys(action)
            .iter()
            .map(Key::label)
            .collect::<Vec<_>>()
            .join("/")
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_resolve_by_scope() {
        let km = Keymap::default();
        let n = Key::parse("n").unwrap();
        assert_eq!(
            km.action(n, &[Scope::Interview, Scope::Global]),
            Some(Action::NextUnanswered)
        );
        assert_eq!(km.action(n, &[Scope::Home, Scope::Global]), None);
        assert_eq!(km.label(Action::Undo), "u/C-z");
    }

    #[test]
    fn overrides_and_broken_files() {
        let (km, err) = Keymap::from_toml("[keys]\nundo = [\"ctrl-y\"]\n", "keymap.toml");
        assert!(err.is_none());
        assert_eq!(km.label(Action::Undo), "C-y");
        let (km, err) = Keymap::from_toml("[keys]\nfly = [\"x\"]\n", "keymap.toml");
        assert!(err.unwrap().contains("unknown action `fly`"));
        assert_eq!(km.label(Action::Undo), "u/C-z");
        let (_, err) = Keymap::from_toml("[keys\n", "k.toml");
        assert!(err.unwrap().starts_with("k.toml: "));
        let (_, err) = Keymap::from_toml("[keys]\nundo = [\"hyper-q\"]\n", "k.toml");
        assert!(err.unwrap().contains("unknown key `hyper-q`"));
    }
}
