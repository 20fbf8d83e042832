//! Answering in the interview: one-key answers, typed values, saving and undo.

use super::*;
use vigie_model::Lang;

/// The outcome of an answer's write, with what the interview needs to apply it.
pub struct SavedAnswer {
    question: String,
    value: Option<AnswerValue>,
    note: Option<String>,
    previous: Option<StoredAnswer>,
    undoing: bool,
    advance: bool,
    result: Result<StoredAnswer, AppError>,
}

/// A number far from what an interview records (a million or more): typed by mistake more
/// often than meant, so it is confirmed before it is saved.
pub(super) fn is_implausible(value: &AnswerValue) -> bool {
    match value {
        AnswerValue::Integer(n) => n.unsigned_abs() >= 1_000_000,
        AnswerValue::Decimal(x) => x.abs() >= 1_000_000.0,
        _ => false,
    }
}

/// A bound as a person reads it: digits grouped by three (a space in French, a comma in
/// English), the French decimal comma.
pub(super) fn format_number(value: f64, lang: Lang) -> String {
    let (group, decimal) = if lang == Lang::Fr {
        (' ', ',')
    } else {
        (',', '.')
    };
    let text = format!("{value}");
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w.to_string(), Some(f.to_string())),
        None => (text, None),
    };
    let (sign, digits) = match whole.strip_prefix('-') {
        Some(d) => ("-", d.to_string()),
        None => ("", whole),
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}{decimal}{f}"),
        None => format!("{sign}{grouped}"),
    }
}

impl App {
    pub(super) fn answer_option(&mut self, option: usize) {
        let lang = self.lang;
        let Some(iv) = self.interview() else { return };
        let q = &iv.questionnaire.questions[iv.current];
        let value = match &q.kind {
            AnswerKind::YesNo => q
                .yes_no_answers()
                .get(option)
                .map(|v| AnswerValue::YesNo(*v)),
            AnswerKind::SingleChoice(choices) => choices
                .get(option)
                .map(|c| AnswerValue::Choice(c.id.clone())),
            AnswerKind::MultipleChoice(choices) => choices.get(option).map(|c| {
                let mut chosen = match iv.answer_value(iv.current) {
                    Some(AnswerValue::Choices(ids)) => ids.clone(),
                    _ => Vec::new(),
                };
                if let Some(pos) = chosen.iter().position(|id| id == &c.id) {
                    chosen.remove(pos);
                } else {
                    chosen.push(c.id.clone());
                }
                AnswerValue::Choices(chosen)
            }),
            _ => {
                // Numbers, dates and text: a digit starts typing the value.
                self.overlay = Some(Overlay::Input {
                    purpose: InputPurpose::Value,
                    prompt: self.value_prompt(),
                    edit: LineEdit::typed(((b'1' + option as u8) as char).to_string()),
                    error: None,
                });
                return;
            }
        };
        let multiple = matches!(q.kind, AnswerKind::MultipleChoice(_));
        match value {
            // One key answers and moves on, as on a phone interview; a multiple
            // choice stays put so several options can be ticked.
            Some(v) => self.save_answer(Some(v), None, !multiple),
            None => {
                self.error(lang.pick("Pas d'option pour cette touche.", "No option on that key."))
            }
        }
    }

    /// Saves the current question's answer (the note is kept unless given);
    /// with `advance`, moves on to the next question once it is saved.
    pub(super) fn save_answer(
        &mut self,
        value: Option<AnswerValue>,
        note: Option<String>,
        advance: bool,
    ) {
        let Some(iv) = self.interview() else {
            return;
        };
        let question = iv.questionnaire.questions[iv.current].id.clone();
        self.save_answer_for(&question, value, note, false, advance);
    }

    /// Sends the write of one answer to the worker; [`App::on_answer_saved`] takes
    /// the result.
    pub(super) fn save_answer_for(
        &mut self,
        question: &str,
        value: Option<AnswerValue>,
        note: Option<String>,
        undoing: bool,
        advance: bool,
    ) {
        let Some(Screen::Interview(iv)) = self.stack.last() else {
            return;
        };
        let previous = iv.answers.get(question).cloned();
        let note = note.or_else(|| previous.as_ref().and_then(|p| p.note.clone()));
        let base = previous.as_ref().map(|p| p.revision);
        let assessment = iv.assessment.clone();
        let questionnaire = iv.questionnaire.clone();
        let question = question.to_string();
        self.run_job(("Enregistrement", "Saving"), move |bench| {
            let result = bench.answer(
                &assessment,
                &questionnaire,
                &question,
                value.clone(),
                note.clone(),
                base,
            );
            Box::new(move |app: &mut App| {
                app.on_answer_saved(SavedAnswer {
                    question,
                    value,
                    note,
                    previous,
                    undoing,
                    advance,
                    result,
                })
            })
        });
    }

    pub(super) fn on_answer_saved(&mut self, saved: SavedAnswer) {
        let lang = self.lang;
        let SavedAnswer {
            question,
            value,
            note,
            previous,
            undoing,
            advance,
            result,
        } = saved;
        match result {
            Ok(stored) => {
                let revision = stored.revision;
                let overlay_open = self.overlay.is_some();
                if let Some(iv) = self.interview_mut()
                    && iv.assessment.id == stored.assessment_id
                {
                    if !undoing {
                        iv.undo.push((question.clone(), previous));
                    }
                    iv.answers.insert(question.clone(), stored);
                    iv.refresh_applicability();
                    // One key answers and moves on, as on a phone interview.
                    if advance
                        && !overlay_open
                        && iv.questionnaire.questions.get(iv.current).map(|q| &q.id)
                            == Some(&question)
                    {
                        iv.step(1);
                    }
                }
                self.info(format!(
                    "{} ({} {revision})",
                    lang.pick("Enregistré", "Saved"),
                    lang.pick("rév.", "rev.")
                ));
                self.request_score();
            }
            Err(AppError::Store(StoreError::Conflict { current, .. })) => {
                self.deferred.clear();
                self.overlay = Some(Overlay::Conflict {
                    question,
                    ours: value,
                    note,
                    theirs: current,
                });
            }
            Err(e) => self.job_error(e),
        }
    }

    pub(super) fn undo(&mut self) {
        let lang = self.lang;
        let Some(iv) = self.interview_mut() else {
            return;
        };
        let Some((question, previous)) = iv.undo.pop() else {
            self.info(lang.pick("Rien à annuler.", "Nothing to undo."));
            return;
        };
        if let Some(i) = iv.questionnaire.question_index(&question) {
            iv.current = i;
        }
        let value = previous.as_ref().and_then(|p| p.value.clone());
        let note = previous.as_ref().and_then(|p| p.note.clone());
        self.save_answer_for(&question, value, note.or(Some(String::new())), true, false);
    }

    /// What the value field asks for: the kind, and for a number its unit and bounds
    /// ("Nombre en M€, de 0 à 100 000").
    pub(super) fn value_prompt(&self) -> String {
        let lang = self.lang;
        let Some(iv) = self.interview() else {
            return lang.pick("Valeur", "Value").to_string();
        };
        let q = &iv.questionnaire.questions[iv.current];
        let number = |bounds: &vigie_model::NumericBounds, whole: bool| {
            let mut text = if whole {
                lang.pick("Nombre entier", "Whole number").to_string()
            } else {
                lang.pick("Nombre", "Number").to_string()
            };
            if let Some(unit) = &bounds.unit {
                text.push_str(&format!(" {} {}", lang.pick("en", "in"), unit.get(lang)));
            }
            let show = |v: f64| format_number(v, lang);
            match (bounds.min, bounds.max) {
                (Some(min), Some(max)) => text.push_str(&format!(
                    ", {} {} {} {}",
                    lang.pick("de", "from"),
                    show(min),
                    lang.pick("à", "to"),
                    show(max)
                )),
                (Some(min), None) => {
                    text.push_str(&format!(", ≥ {}", show(min)));
                }
                (None, Some(max)) => {
                    text.push_str(&format!(", ≤ {}", show(max)));
                }
                (None, None) => {}
            }
            if !whole {
                text.push_str(lang.pick(" (virgule ou point)", " (comma or point)"));
            }
            text
        };
        match &q.kind {
            AnswerKind::Integer(bounds) => number(bounds, true),
            AnswerKind::Decimal(bounds) => number(bounds, false),
            AnswerKind::Date => lang
                .pick("Date (AAAA-MM-JJ)", "Date (YYYY-MM-DD)")
                .to_string(),
            AnswerKind::Text => lang.pick("Réponse", "Answer").to_string(),
            _ => lang.pick("Valeur", "Value").to_string(),
        }
    }
}
