//! Popups over a screen (help, input, search, choice list, section picker,
//! conflict, confirmation) and their keys.

use super::*;
use vigie_model::{Choice, Lang, fold_for_search};

/// What a one-line input is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputPurpose {
    Value,
    Note,
    /// Where to write a report; `replace` is a path the auditor was told
    /// exists, which Enter on the same path then replaces.
    ReportPath {
        assessment: String,
        format: vigie_report::Format,
        replace: Option<String>,
    },
    /// The portfolio's name filter.
    SupplierName,
}

pub struct SearchState {
    pub query: String,
    pub index: SearchIndex,
    pub hits: Vec<crate::search::Hit>,
    pub selected: usize,
}

pub enum Overlay {
    Help,
    Input {
        purpose: InputPurpose,
        prompt: String,
        edit: LineEdit,
        /// Why the last Enter was refused, shown under the field (the text stays).
        error: Option<String>,
    },
    Search(Box<SearchState>),
    Sections {
        selected: usize,
        /// Digits typed so far: `1` then `2` is section 12; a number no longer one can
        /// start with jumps at once.
        typed: String,
    },
    Conflict {
        question: String,
        ours: Option<AnswerValue>,
        note: Option<String>,
        theirs: Box<StoredAnswer>,
    },
    ConfirmFinalize,
    /// Delete this piece of evidence or action item? (`y` confirms.)
    ConfirmDelete(DeleteTarget),
    /// "Why it matters" and "evidence to ask for" of the current question.
    QuestionHelp,
    /// What the score and the verdict mean, the verdict's reason, the criteria marks.
    Explain,
    /// Choose the report format.
    ReportFormat {
        assessment: String,
    },
    /// Every option of the current choice question, for questions with more
    /// options than there are digit keys (and for those who prefer a list).
    Choices {
        selected: usize,
        /// Digits typed in the list: they pick an option by its number (`1`, `5` is the
        /// 15th), and only Enter or Space answers, so digits never chain answers.
        typed: String,
        /// Letters typed in the list: only the options whose label contains them show
        /// (case and accents aside), keeping their numbers.
        filter: String,
    },
}

/// The options of a choice list that `filter` keeps, in order (all when it is empty).
pub fn filtered_choices(choices: &[Choice], filter: &str, lang: Lang) -> Vec<usize> {
    let wanted = fold_for_search(filter.trim());
    choices
        .iter()
        .enumerate()
        .filter(|(_, c)| wanted.is_empty() || fold_for_search(c.label.get(lang)).contains(&wanted))
        .map(|(i, _)| i)
        .collect()
}

/// How far Page Up / Page Down move in the list of a choice question.
const CHOICE_PAGE: usize = 10;

/// One more digit typed in a numbered list of `count` items: the number typed so far
/// (1-based) when it names an item. A digit that cannot extend the number starts a new one;
/// one that names nothing clears it.
fn type_digit(typed: &mut String, digit: char, count: usize) -> Option<usize> {
    typed.push(digit);
    if typed.parse::<usize>().map_or(true, |n| n == 0 || n > count) {
        *typed = digit.to_string();
    }
    match typed.parse::<usize>() {
        Ok(n) if (1..=count).contains(&n) => Some(n),
        _ => {
            typed.clear();
            None
        }
    }
}

impl App {
    pub(super) fn on_overlay_key(&mut self, event: KeyEvent, key: Key) {
        let lang = self.lang;
        let Some(overlay) = self.overlay.take() else {
            return;
        };
        let scopes: &[Scope] = match overlay {
            Overlay::Conflict { .. } => &[Scope::Conflict, Scope::Popup, Scope::Global],
            _ => &[Scope::Popup, Scope::Global],
        };
        let action = self.keymap.action(key, scopes);
        // A digit picks a numbered item (a format, an option, a section) by the number
        // shown beside it; a text field takes typed characters.
        let digit = match event.code {
            KeyCode::Char(c @ '0'..='9') if !key.ctrl => Some(c),
            _ => None,
        };
        let typed = match event.code {
            KeyCode::Char(c) if !key.ctrl => Some(c),
            _ => None,
        };
        let typed_char = typed;
        // Cancel (Esc, Ctrl-C) closes any popup rather than landing in a field; a
        // conflict closes keeping the other auditor's answer.
        if action == Some(Action::Cancel) && !matches!(overlay, Overlay::Conflict { .. }) {
            return;
        }
        match overlay {
            Overlay::Help | Overlay::QuestionHelp | Overlay::Explain => {}
            Overlay::ReportFormat { assessment } => {
                let format = match digit {
                    Some('1') => vigie_report::Format::Markdown,
                    Some('2') => vigie_report::Format::Html,
                    Some('3') => vigie_report::Format::Json,
                    Some('4') => vigie_report::Format::Csv,
                    _ => return,
                };
                self.ask_report_path(assessment, format);
            }
            Overlay::ConfirmFinalize => {
                if action == Some(Action::Confirm) {
                    self.finalize();
                }
            }
            Overlay::ConfirmDelete(target) => {
                if action == Some(Action::Confirm) {
                    self.delete_record(target);
                } else {
                    self.info(lang.pick("Rien n'a été supprimé.", "Nothing was deleted."));
                }
            }
            Overlay::Choices {
                mut selected,
                mut typed,
                mut filter,
            } => {
                let Some(iv) = self.interview() else { return };
                let q = &iv.questionnaire.questions[iv.current];
                let (choices, multiple) = match &q.kind {
                    AnswerKind::SingleChoice(c) => (c.clone(), false),
                    AnswerKind::MultipleChoice(c) => (c.clone(), true),
                    _ => return,
                };
                let count = choices.len();
                let letter = typed_letter(typed_char, digit);
                let mut chosen = None;
                if let Some(c) = digit {
                    if let Some(n) = type_digit(&mut typed, c, count) {
                        selected = n - 1;
                        // A number names an option whatever the filter shows.
                        filter.clear();
                    }
                } else if letter.is_some()
                    || (event.code == KeyCode::Backspace && !filter.is_empty())
                {
                    // Type to filter: the cursor goes to the first option kept.
                    typed.clear();
                    match letter {
                        Some(c) => filter.push(c),
                        None => {
                            filter.pop();
                        }
                    }
                    if let Some(first) = filtered_choices(&choices, &filter, lang).first() {
                        selected = *first;
                    }
                } else {
                    typed.clear();
                    // Moves go through the options the filter keeps.
                    let shown = filtered_choices(&choices, &filter, lang);
                    let pos = shown.iter().position(|i| *i == selected).unwrap_or(0);
                    let last = shown.len().saturating_sub(1);
                    let to = |p: usize| shown.get(p.min(last)).copied().unwrap_or(selected);
                    match action {
                        Some(Action::Quit) => return,
                        Some(Action::Down) => selected = to(pos + 1),
                        Some(Action::Up) => selected = to(pos.saturating_sub(1)),
                        Some(Action::PageDown) => selected = to(pos + CHOICE_PAGE),
                        Some(Action::PageUp) => selected = to(pos.saturating_sub(CHOICE_PAGE)),
                        Some(Action::First) => selected = to(0),
                        Some(Action::Last) => selected = to(last),
                        Some(Action::Select | Action::Toggle) if shown.contains(&selected) => {
                            chosen = Some(selected)
                        }
                        _ => {}
                    }
                }
                let Some(option) = chosen else {
                    self.overlay = Some(Overlay::Choices {
                        selected,
                        typed,
                        filter,
                    });
                    return;
                };
                // A single choice answers and closes, as a digit does in the
                // interview; a multiple choice ticks and stays open.
                if multiple {
                    self.overlay = Some(Overlay::Choices {
                        selected: option,
                        typed: String::new(),
                        filter,
                    });
                }
                self.answer_option(option);
            }
            Overlay::Sections {
                mut selected,
                mut typed,
            } => {
                let sections = self
                    .interview()
                    .map(|iv| iv.questionnaire.sections.len())
                    .unwrap_or(0);
                if let Some(c) = digit {
                    if let Some(number) = type_digit(&mut typed, c, sections) {
                        selected = number - 1;
                        // Jump now unless a longer number could still follow.
                        if number * 10 > sections {
                            if let Some(iv) = self.interview_mut() {
                                iv.jump_to_section(selected);
                            }
                            return;
                        }
                    }
                    self.overlay = Some(Overlay::Sections { selected, typed });
                    return;
                }
                match action {
                    Some(Action::Quit) => return,
                    Some(Action::Down) => selected = (selected + 1).min(sections.saturating_sub(1)),
                    Some(Action::Up) => selected = selected.saturating_sub(1),
                    Some(Action::Select) => {
                        if let Some(iv) = self.interview_mut() {
                            iv.jump_to_section(selected);
                        }
                        return;
                    }
                    _ => {}
                }
                self.overlay = Some(Overlay::Sections {
                    selected,
                    typed: String::new(),
                });
            }
            Overlay::Conflict {
                question,
                ours,
                note,
                theirs,
            } => match action {
                // Keep theirs: take the database's value.
                Some(Action::KeepTheirs | Action::Cancel) => {
                    if let Some(iv) = self.interview_mut() {
                        if theirs.revision > 0 {
                            iv.answers.insert(question.clone(), (*theirs).clone());
                        } else {
                            iv.answers.remove(&question);
                        }
                        iv.refresh_applicability();
                    }
                    self.info(lang.pick(
                        "Réponse de l'autre auditeur conservée.",
                        "Kept the other auditor's answer.",
                    ));
                    self.request_score();
                }
                // Overwrite with ours, now knowing their revision.
                Some(Action::Overwrite) => {
                    if let Some(iv) = self.interview_mut() {
                        if theirs.revision > 0 {
                            iv.answers.insert(question.clone(), (*theirs).clone());
                        } else {
                            iv.answers.remove(&question);
                        }
                    }
                    self.save_answer_for(&question, ours, note, false, false);
                }
                _ => {
                    self.overlay = Some(Overlay::Conflict {
                        question,
                        ours,
                        note,
                        theirs,
                    })
                }
            },
            Overlay::Input {
                purpose,
                prompt,
                mut edit,
                error,
            } => {
                if typed.is_none() && action == Some(Action::Select) {
                    let text = edit.text().to_string();
                    return self.commit_input(purpose, text);
                }
                let error = if edit.key(&event) { None } else { error };
                self.overlay = Some(Overlay::Input {
                    purpose,
                    prompt,
                    edit,
                    error,
                });
            }
            Overlay::Search(mut search) => {
                let action = if typed.is_some() || event.code == KeyCode::Backspace {
                    None
                } else {
                    action
                };
                match action {
                    Some(Action::Select) => {
                        if let Some(hit) = search.hits.get(search.selected) {
                            let question = search.index.entry(hit.entry).question;
                            if let Some(iv) = self.interview_mut() {
                                if iv.applies.question(question) {
                                    iv.current = question;
                                } else {
                                    self.info(lang.pick("Cette question ne s'applique pas avec les réponses actuelles.",
                                        "That question does not apply with the current answers.",
                                    ));
                                }
                            }
                        }
                        return;
                    }
                    Some(Action::Down) => {
                        search.selected =
                            (search.selected + 1).min(search.hits.len().saturating_sub(1))
                    }
                    Some(Action::Up) => search.selected = search.selected.saturating_sub(1),
                    _ => match (event.code, typed) {
                        (_, Some(c)) => {
                            search.query.push(c);
                            search.hits = search.index.search(&search.query.clone(), 50);
                            search.selected = 0;
                        }
                        (KeyCode::Backspace, _) => {
                            search.query.pop();
                            search.hits = search.index.search(&search.query.clone(), 50);
                            search.selected = 0;
                        }
                        _ => {}
                    },
                }
                self.overlay = Some(Overlay::Search(search));
            }
        }
    }

    pub(super) fn commit_input(&mut self, purpose: InputPurpose, buffer: String) {
        let lang = self.lang;
        match purpose {
            InputPurpose::Value => {
                let Some(iv) = self.interview() else { return };
                let kind = iv.questionnaire.questions[iv.current].kind.clone();
                match AnswerValue::parse(&kind, &buffer) {
                    // A number of a million or more is rarely what an interview means
                    // (80000000 typed for a turnover in M€): ask once before saving it.
                    Ok(v)
                        if is_implausible(&v)
                            && self.confirming_value.as_deref() != Some(buffer.trim()) =>
                    {
                        self.confirming_value = Some(buffer.trim().to_string());
                        let shown = v.display(&kind, lang);
                        self.overlay = Some(Overlay::Input {
                            purpose: InputPurpose::Value,
                            prompt: self.value_prompt(),
                            edit: LineEdit::typed(buffer),
                            error: Some(match lang {
                                Lang::Fr => format!(
                                    "{shown} : valeur inhabituelle. Entrée confirme, ou corrigez."
                                ),
                                _ => format!(
                                    "{shown}: an unusual value. Enter confirms, or correct it."
                                ),
                            }),
                        });
                    }
                    // One rule for every kind: an answer moves on to the next question.
                    Ok(v) => {
                        self.confirming_value = None;
                        self.save_answer(Some(v), None, true)
                    }
                    // The popup stays, with what was typed and why it was refused.
                    Err(e) => {
                        self.overlay = Some(Overlay::Input {
                            purpose: InputPurpose::Value,
                            prompt: self.value_prompt(),
                            edit: LineEdit::typed(buffer),
                            error: Some(e.to_string()),
                        })
                    }
                }
            }
            InputPurpose::SupplierName => self.filter_portfolio_by_name(&buffer),
            InputPurpose::Note => {
                let Some(iv) = self.interview() else { return };
                let current = iv.answer_value(iv.current).cloned();
                let note = buffer.trim().to_string();
                self.save_answer(current, Some(note), false);
            }
            InputPurpose::ReportPath {
                assessment,
                format,
                replace,
            } => {
                let path = buffer.trim().to_string();
                if path.is_empty() {
                    self.error(lang.pick("Donnez un nom de fichier.", "Give a file name."));
                    return;
                }
                let exists = std::path::Path::new(&path).exists();
                if exists && replace.as_deref() != Some(path.as_str()) {
                    // Never overwrite silently: say so, keep the field, and
                    // let a second Enter on the same name replace the file.
                    self.error(match lang {
                        Lang::Fr => {
                            format!("{path} existe déjà : Entrée le remplace, ou changez le nom.")
                        }
                        _ => {
                            format!("{path} already exists: Enter replaces it, or change the name.")
                        }
                    });
                    self.overlay = Some(Overlay::Input {
                        purpose: InputPurpose::ReportPath {
                            assessment,
                            format,
                            replace: Some(path.clone()),
                        },
                        prompt: self.report_path_prompt(),
                        edit: LineEdit::typed(path),
                        error: None,
                    });
                    return;
                }
                self.write_report(&assessment, format, std::path::PathBuf::from(path));
            }
        }
    }
}

/// A character typed into a list to filter it: a letter or a sign, not a digit (digits
/// pick by number) nor a space (space picks).
fn typed_letter(typed: Option<char>, digit: Option<char>) -> Option<char> {
    typed.filter(|c| digit.is_none() && *c != ' ' && !c.is_control())
}
