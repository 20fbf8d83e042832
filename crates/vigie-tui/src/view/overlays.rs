//! Help (generated from the keymap), input line, search, section picker,
//! conflict and confirmation dialogs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use vigie_model::Lang;

use super::{block, clip};
use crate::app::{App, DeleteTarget, Overlay};
use crate::keymap::{Action, Scope};
use crate::search::Field;

/// Splits `text` into lines of at most `width` terminal columns, at spaces
/// where it can (a longer word is cut).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let used = vigie_model::display_width(&line);
            let len = vigie_model::display_width(&word);
            let gap = usize::from(used > 0);
            if used + gap + len <= width {
                if gap == 1 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            // A word longer than a whole line.
            // At least one character, even one wider than the line.
            let mut cut = vigie_model::take_width(&word, width).len();
            if cut == 0 {
                cut = word.chars().next().map_or(word.len(), char::len_utf8);
            }
            let rest = word.split_off(cut);
            lines.push(std::mem::replace(&mut word, rest));
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let Some(overlay) = &app.overlay else { return };
    let lang = app.lang;
    match overlay {
        Overlay::Help => {
            // Each entry is a group of lines: a scope title, or a key and its
            // description wrapped under itself to the width it is given.
            let scopes = app.help_scopes();
            let build = |key_width: usize, width: usize| {
                let text_width = width.saturating_sub(key_width + 2).max(8);
                let mut groups: Vec<Vec<Line>> = Vec::new();
                let entry = |key: String, text: &str| {
                    let mut group = Vec::new();
                    for (i, part) in wrap_words(text, text_width).into_iter().enumerate() {
                        let key = if i == 0 { key.as_str() } else { "" };
                        group.push(Line::from(vec![
                            Span::styled(format!(" {key:<key_width$} "), app.theme.key),
                            Span::raw(part),
                        ]));
                    }
                    group
                };
                for scope in &scopes {
                    let name = match scope {
                        Scope::Global => lang.pick("Partout", "Everywhere"),
                        Scope::Home => lang.pick("Accueil", "Home"),
                        Scope::Portfolio => lang.pick("Portefeuille", "Portfolio"),
                        Scope::Interview => lang.pick("Entretien", "Interview"),
                        Scope::Findings => lang.pick("Constats", "Findings"),
                        Scope::Form => lang.pick("Formulaires", "Forms"),
                        Scope::Evidence => lang.pick("Preuves", "Evidence"),
                        Scope::Records => lang.pick("Preuves et actions", "Evidence and actions"),
                        Scope::Popup => lang.pick("Fenêtres", "Popups"),
                        Scope::Conflict => lang.pick("Conflit", "Conflict"),
                    };
                    groups.push(vec![Line::from(Span::styled(name, app.theme.title))]);
                    for action in Action::ALL.iter().filter(|a| a.scope() == *scope) {
                        groups.push(entry(app.keymap.label(*action), action.describe(lang)));
                    }
                    if *scope == Scope::Interview {
                        groups.push(entry(
                            "1-9".into(),
                            lang.pick("choisir l'option affichée", "choose the option shown"),
                        ));
                    }
                }
                groups
            };
            let footer = Line::from(Span::styled(
                lang.pick(
                    "Une touche pour fermer · touches réglables dans keymap.toml",
                    "Any key closes · keys set in keymap.toml",
                ),
                app.theme.muted,
            ));
            let width = 72u16.min(area.width);
            let mut lines: Vec<Line> = build(13, width.saturating_sub(2) as usize)
                .into_iter()
                .flatten()
                .collect();
            if lines.len() as u16 + 3 <= area.height {
                lines.push(footer);
                let rect = centered(area, width, lines.len() as u16 + 2);
                frame.render_widget(Clear, rect);
                frame.render_widget(
                    Paragraph::new(lines).block(block(app, lang.pick("Aide", "Help"))),
                    rect,
                );
            } else {
                // Too tall for the terminal (80x24 in the interview): two
                // columns with narrower key labels, the footer below.
                frame.render_widget(Clear, area);
                let outer = block(app, lang.pick("Aide", "Help"));
                let inner = outer.inner(area);
                frame.render_widget(outer, area);
                let [columns, bottom] =
                    Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
                let [left, right] =
                    Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(columns);
                let groups = build(9, left.width.saturating_sub(1) as usize);
                // Fill the left column with whole entries up to half the lines.
                let total: usize = groups.iter().map(Vec::len).sum();
                let (mut first, mut second) = (Vec::new(), Vec::new());
                for group in groups {
                    if first.len() + group.len() <= total.div_ceil(2) && second.is_empty() {
                        first.extend(group);
                    } else {
                        second.extend(group);
                    }
                }
                frame.render_widget(Paragraph::new(first), left);
                frame.render_widget(Paragraph::new(second), right);
                frame.render_widget(Paragraph::new(footer), bottom);
            }
        }
        Overlay::ReportFormat { .. } => {
            let lines = vec![
                Line::from(vec![
                    Span::styled(" 1 ", app.theme.key),
                    Span::raw("Markdown"),
                ]),
                Line::from(vec![
                    Span::styled(" 2 ", app.theme.key),
                    Span::raw(lang.pick("HTML (imprimable en PDF)", "HTML (printable to PDF)")),
                ]),
                Line::from(vec![Span::styled(" 3 ", app.theme.key), Span::raw("JSON")]),
                Line::from(vec![
                    Span::styled(" 4 ", app.theme.key),
                    Span::raw(lang.pick("CSV (tableur)", "CSV (spreadsheet)")),
                ]),
                Line::raw(""),
                Line::from(Span::styled(
                    lang.pick(
                        "Écrit dans le dossier courant · autre touche : annuler",
                        "Written to the current folder · any other key cancels",
                    ),
                    app.theme.muted,
                )),
            ];
            let rect = centered(area, 60, 8);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(lines).block(block(app, lang.pick("Rapport", "Report"))),
                rect,
            );
        }
        Overlay::Explain => {
            let Some(crate::app::Screen::Interview(iv)) = app.stack.last() else {
                return;
            };
            let title = |text: &str| Line::from(Span::styled(text.to_string(), app.theme.title));
            let mut lines = vec![title(lang.pick("Le score", "The score"))];
            lines.push(Line::raw(lang.pick(
                "De 0 à 100 : la moyenne des scores des critères évalués, pondérée par le \
                 questionnaire ; un critère non applicable ou non évalué n'y entre pas. Il dit \
                 où en est le fournisseur, pas s'il est conforme.",
                "From 0 to 100: the mean of the assessed criteria's scores, weighted by the \
                 questionnaire; a criterion that does not apply or is not assessed does not \
                 count. It tells how far the supplier is, not whether it complies.",
            )));
            lines.push(Line::raw(""));
            lines.push(title(lang.pick("Le verdict", "The verdict")));
            lines.push(Line::raw(lang.pick(
                "La conclusion que les règles du questionnaire tirent des critères : un \
                 critère décisif non conforme, des réponses manquantes ou refusées la \
                 décident avant le score.",
                "The conclusion the questionnaire's rules draw from the criteria: a failed \
                 decisive criterion, missing or declined answers decide it before the score.",
            )));
            match &iv.evaluation {
                Some(e) => {
                    let score = e
                        .score
                        .map_or_else(|| "—".to_string(), |s| format!("{s:.1}/100"));
                    lines.push(Line::raw(""));
                    lines.push(Line::from(vec![
                        Span::styled(format!("{score} · "), app.theme.accent),
                        Span::styled(e.verdict.label.get(lang).to_string(), app.theme.accent),
                    ]));
                    if let Some(basis) =
                        vigie_model::unverified_basis(lang, iv.unverified_declarations())
                    {
                        lines.push(Line::from(Span::styled(
                            format!(
                                "{basis} {}",
                                lang.pick(
                                    "(d : la suivante, V : confirmer)",
                                    "(d: the next one, V: confirm)"
                                )
                            ),
                            app.theme.warn,
                        )));
                    }
                    // The bundled questionnaires name the rule (gate) that decided, as their
                    // RULES.md numbers it.
                    if let Some(rule) = e.extensions.iter().find(|x| x.key == "verdict-rule") {
                        lines.push(Line::raw(format!(
                            "{} {}",
                            lang.pick("Règle décisive :", "Deciding rule:"),
                            rule.value
                        )));
                    }
                    let why = e.verdict.summary.get(lang);
                    if !why.is_empty() {
                        lines.push(Line::raw(format!(
                            "{} {why}",
                            lang.pick("Pourquoi :", "Why:")
                        )));
                    }
                }
                None => lines.push(Line::raw(
                    lang.pick("Pas encore de résultat.", "No result yet."),
                )),
            }
            lines.push(Line::raw(""));
            lines.push(title(lang.pick("Marques des critères", "Criteria marks")));
            lines.push(Line::raw(lang.pick(
                "✔ conforme · ! à vérifier · ✘ non conforme · — non applicable · · non évalué",
                "✔ compliant · ! to verify · ✘ non-compliant · — not applicable · · not assessed",
            )));
            text_panel(
                frame,
                area,
                app,
                lang.pick("Score et verdict", "Score and verdict")
                    .to_string(),
                lines,
            );
        }
        Overlay::QuestionHelp => {
            let Some(crate::app::Screen::Interview(iv)) = app.stack.last() else {
                return;
            };
            let q = &iv.questionnaire.questions[iv.current];
            let lines = vec![
                Line::from(Span::styled(
                    lang.pick("Pourquoi c'est important", "Why it matters"),
                    app.theme.title,
                )),
                Line::raw(q.help.why.get(lang).to_string()),
                Line::raw(""),
                Line::from(Span::styled(
                    lang.pick("Preuves à demander", "Evidence to ask for"),
                    app.theme.title,
                )),
                Line::raw(q.help.evidence.get(lang).to_string()),
            ];
            text_panel(frame, area, app, q.prompt.get(lang).to_string(), lines);
        }
        Overlay::Input {
            prompt,
            edit,
            error,
            ..
        } => {
            let height = if error.is_some() { 6 } else { 5 };
            let rect = centered(area, 70, height);
            frame.render_widget(Clear, rect);
            let (before, after) = edit.split();
            // A selected old value shows reversed: typing replaces it.
            let text_style = if edit.is_selected() {
                app.theme.accent.add_modifier(Modifier::REVERSED)
            } else {
                app.theme.accent
            };
            let mut lines = vec![Line::from(vec![
                Span::styled(before.to_string(), text_style),
                Span::styled("▏", app.theme.accent),
                Span::styled(after.to_string(), text_style),
            ])];
            if let Some(error) = error {
                lines.push(Line::from(Span::styled(
                    format!("✘ {error}"),
                    app.theme.error,
                )));
            }
            lines.push(Line::from(Span::styled(
                lang.pick(
                    "Entrée valider · Échap annuler · Ctrl-U effacer",
                    "Enter confirm · Esc cancel · Ctrl-U clear",
                ),
                app.theme.muted,
            )));
            frame.render_widget(
                Paragraph::new(lines)
                    .block(block(app, prompt.clone()))
                    .wrap(Wrap { trim: false }),
                rect,
            );
        }
        Overlay::Search(search) => {
            let rect = centered(
                area,
                area.width.saturating_sub(6),
                area.height.saturating_sub(4),
            );
            frame.render_widget(Clear, rect);
            let width = rect.width.saturating_sub(4) as usize;
            let mut lines = vec![
                Line::from(vec![
                    Span::styled("/ ", app.theme.key),
                    Span::styled(format!("{}▏", search.query), app.theme.accent),
                ]),
                Line::raw(""),
            ];
            let questions = app.stack.last().and_then(|s| match s {
                crate::app::Screen::Interview(iv) => Some(iv.questionnaire.clone()),
                _ => None,
            });
            for (i, hit) in search
                .hits
                .iter()
                .enumerate()
                .take(rect.height.saturating_sub(5) as usize)
            {
                let entry = search.index.entry(hit.entry);
                let field = match entry.field {
                    Field::Question => lang.pick("question", "question"),
                    Field::Answer => lang.pick("réponse", "answer"),
                    Field::Note => lang.pick("note", "note"),
                    Field::Id => lang.pick("identifiant", "id"),
                    Field::Help => lang.pick("aide", "help"),
                };
                let id = questions
                    .as_ref()
                    .and_then(|q| q.questions.get(entry.question))
                    .map(|q| q.id.clone())
                    .unwrap_or_default();
                let style = if i == search.selected {
                    app.theme.selected
                } else {
                    app.theme.text
                };
                lines.push(Line::from(Span::styled(
                    clip(&format!("{field:<8} {id:<24} {}", entry.text), width),
                    style,
                )));
            }
            if search.hits.is_empty() && !search.query.is_empty() {
                lines.push(Line::from(Span::styled(
                    lang.pick("Aucun résultat.", "No match."),
                    app.theme.muted,
                )));
            }
            frame.render_widget(
                Paragraph::new(lines).block(block(
                    app,
                    lang.pick(
                        "Rechercher (ids, questions, aide, réponses, notes) · Entrée · Échap",
                        "Search (ids, questions, help, answers, notes) · Enter · Esc",
                    ),
                )),
                rect,
            );
        }
        Overlay::Choices {
            selected, filter, ..
        } => {
            let Some(crate::app::Screen::Interview(iv)) = app.stack.last() else {
                return;
            };
            let q = &iv.questionnaire.questions[iv.current];
            let (choices, multiple) = match &q.kind {
                vigie_model::AnswerKind::SingleChoice(c) => (c, false),
                vigie_model::AnswerKind::MultipleChoice(c) => (c, true),
                _ => return,
            };
            let current = iv.answer_value(iv.current);
            // Typed letters keep the options whose label contains them.
            let shown = crate::app::filtered_choices(choices, filter, lang);
            let rect = centered(area, 64, shown.len().max(1) as u16 + 2);
            let rows = rect.height.saturating_sub(2) as usize;
            // Keep the cursor in view: the window scrolls with it.
            let at = shown.iter().position(|i| i == selected).unwrap_or(0);
            let first = at.saturating_sub(rows.saturating_sub(1));
            let inner = rect.width.saturating_sub(2) as usize;
            let mut lines: Vec<Line> = shown
                .iter()
                .map(|i| (*i, &choices[*i]))
                .skip(first)
                .take(rows)
                .map(|(i, c)| {
                    let chosen = current.is_some_and(|v| v.matches_value(&c.id));
                    let cursor = if i == *selected { "›" } else { " " };
                    let key = if i < super::interview::DIGIT_OPTIONS {
                        format!("{}", i + 1)
                    } else {
                        " ".into()
                    };
                    let mark = if chosen { "◉" } else { "○" };
                    let style = if i == *selected {
                        app.theme.selected
                    } else {
                        app.theme.text
                    };
                    let label = clip(c.label.get(lang), inner.saturating_sub(7));
                    Line::from(vec![
                        Span::styled(format!("{cursor}{key} "), app.theme.key),
                        Span::styled(format!("{mark} {label}"), style),
                    ])
                })
                .collect();
            if shown.is_empty() {
                lines.push(Line::from(Span::styled(
                    lang.pick(
                        "Aucune option ne contient ce texte.",
                        "No option contains that text.",
                    ),
                    app.theme.muted,
                )));
            }
            let title = match (multiple, lang) {
                (false, Lang::Fr) => "Choisir · ↑↓ · Entrée répondre · Échap fermer",
                (false, _) => "Choose · ↑↓ · Enter answer · Esc close",
                (true, Lang::Fr) => "Cocher · ↑↓ · Espace/Entrée cocher · Échap fermer",
                (true, _) => "Tick · ↑↓ · Space/Enter toggle · Esc close",
            };
            let title = if filter.is_empty() {
                title.to_string()
            } else {
                format!("{} « {filter} » · {title}", lang.pick("Filtre", "Filter"))
            };
            frame.render_widget(Clear, rect);
            frame.render_widget(Paragraph::new(lines).block(block(app, title)), rect);
        }
        Overlay::Sections { selected, .. } => {
            let Some(crate::app::Screen::Interview(iv)) = app.stack.last() else {
                return;
            };
            let rect = centered(area, 60, iv.questionnaire.sections.len() as u16 + 2);
            // Titles give way to the progress count, which must stay visible.
            let inner = rect.width.saturating_sub(2) as usize;
            let lines: Vec<Line> = iv
                .questionnaire
                .sections
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let (done, total) = iv.section_progress(i);
                    let key = if i < 9 {
                        format!("{} ", i + 1)
                    } else {
                        "  ".into()
                    };
                    let style = if i == *selected {
                        app.theme.selected
                    } else {
                        app.theme.text
                    };
                    let count = format!(" ({done}/{total})");
                    let title = clip(
                        s.title.get(lang),
                        inner.saturating_sub(key.len() + count.len()),
                    );
                    Line::from(vec![
                        Span::styled(key, app.theme.key),
                        Span::styled(format!("{title}{count}"), style),
                    ])
                })
                .collect();
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(lines).block(block(
                    app,
                    lang.pick("Aller à la section", "Jump to section"),
                )),
                rect,
            );
        }
        Overlay::Conflict {
            question,
            ours,
            theirs,
            ..
        } => {
            let kind = app.stack.last().and_then(|s| match s {
                crate::app::Screen::Interview(iv) => {
                    iv.questionnaire.question(question).map(|q| q.kind.clone())
                }
                _ => None,
            });
            let show = |v: &Option<vigie_model::AnswerValue>| match (v, &kind) {
                (Some(v), Some(k)) => v.display(k, lang),
                (Some(v), None) => format!("{v:?}"),
                (None, _) => lang.pick("(effacée)", "(cleared)").to_string(),
            };
            let lines = vec![
                Line::from(Span::styled(
                    format!(
                        "{} `{question}` {}",
                        lang.pick("Un autre auditeur a modifié", "Another auditor changed"),
                        lang.pick("pendant que vous répondiez.", "while you were answering.")
                    ),
                    app.theme.warn,
                )),
                Line::raw(""),
                Line::from(vec![
                    Span::styled(lang.pick("Votre réponse : ", "Yours:  "), app.theme.muted),
                    Span::raw(show(ours)),
                ]),
                Line::from(vec![
                    Span::styled(lang.pick("Sa réponse :    ", "Theirs: "), app.theme.muted),
                    Span::raw(format!(
                        "{} ({}, {} {})",
                        show(&theirs.value),
                        theirs.updated_by,
                        lang.pick("rév.", "rev."),
                        theirs.revision
                    )),
                ]),
                Line::raw(""),
                Line::from(vec![
                    Span::styled(" k ", app.theme.key),
                    Span::raw(lang.pick("garder la sienne   ", "keep theirs   ")),
                    Span::styled(" o ", app.theme.key),
                    Span::raw(lang.pick("remplacer par la vôtre", "overwrite with yours")),
                ]),
            ];
            // Room for the message on two lines, so the keys line is never cut.
            let rect = centered(area, 72, 10);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(lines)
                    .block(block(app, lang.pick("Conflit", "Conflict")))
                    .wrap(Wrap { trim: false }),
                rect,
            );
        }
        Overlay::ConfirmDelete(target) => {
            let what = match target {
                DeleteTarget::Evidence(e) => format!(
                    "{} « {} »",
                    lang.pick("Supprimer la preuve", "Delete the evidence"),
                    clip(&vigie_model::visible(&e.text), 40)
                ),
                DeleteTarget::Action(a) => format!(
                    "{} « {} »",
                    lang.pick("Supprimer l'action", "Delete the action"),
                    clip(&vigie_model::visible(&a.title), 40)
                ),
            };
            let lines = vec![
                Line::raw(what),
                Line::raw(lang.pick(
                    "Le journal d'audit en garde la trace.",
                    "The audit trail keeps a record of it.",
                )),
                Line::raw(""),
                Line::from(Span::styled(
                    lang.pick(
                        "o/y supprimer · autre touche annuler",
                        "y delete · any other key cancels",
                    ),
                    app.theme.key,
                )),
            ];
            let rect = centered(area, 64, 8);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(lines)
                    .block(block(app, lang.pick("Supprimer ?", "Delete?")))
                    .wrap(Wrap { trim: false }),
                rect,
            );
        }
        Overlay::ConfirmFinalize => {
            let lines = vec![
                Line::raw(lang.pick("Finaliser fige les réponses et enregistre le résultat avec l'empreinte du questionnaire.",
                    "Finalizing freezes the answers and stores the result with the questionnaire's sha256.",
                )),
                Line::raw(""),
                Line::from(Span::styled(
                    lang.pick("o/y confirmer · autre touche annuler",
                        "y confirm · any other key cancels",
                    ),
                    app.theme.key,
                )),
            ];
            let rect = centered(area, 64, 7);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(lines)
                    .block(block(app, lang.pick("Finaliser ?", "Finalize?")))
                    .wrap(Wrap { trim: false }),
                rect,
            );
        }
    }
}

/// A wide panel of text that any key closes (the question's help, the score explained).
fn text_panel(frame: &mut Frame, area: Rect, app: &App, title: String, mut lines: Vec<Line>) {
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        app.lang.pick("Une touche pour fermer", "Any key closes"),
        app.theme.muted,
    )));
    let rect = centered(
        area,
        area.width.saturating_sub(4).min(96),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(app, title))
            .wrap(Wrap { trim: true }),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use super::wrap_words;

    #[test]
    fn wrap_words_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(
            wrap_words("aller à une section", 10),
            ["aller à", "une", "section"]
        );
        assert_eq!(wrap_words("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
        assert_eq!(wrap_words("", 5), [""]);
        assert_eq!(wrap_words("un deux", 7), ["un deux"]);
    }

    #[test]
    fn wrap_words_counts_terminal_columns() {
        // Each of these characters takes two columns.
        assert_eq!(wrap_words("漢字漢字 漢", 5), ["漢字", "漢字", "漢"]);
        assert_eq!(wrap_words("漢字", 1), ["漢", "字"]);
    }
}
