//! The interview: sections with progress and the live result on the left,
//! the current question with its options, answer, note and help on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use vigie_model::{AnswerKind, Lang, Status};

use super::{block, clip};
use crate::app::{App, Interview, Proposal};
use crate::theme::{severity_mark, status_mark};

/// Options of a choice question that a digit key answers directly.
pub const DIGIT_OPTIONS: usize = 9;

/// "12 vérifiées / 29 déclarées / 69 ouvertes", "12 verified / 29 declared / 69 open".
fn declaration_counts(lang: Lang, p: crate::app::DeclarationProgress) -> String {
    match lang {
        // French takes the singular for 0 and 1.
        Lang::Fr => {
            let s = |n: usize| if n <= 1 { "" } else { "s" };
            format!(
                "{} vérifiée{} / {} déclarée{} / {} ouverte{}",
                p.verified,
                s(p.verified),
                p.declared,
                s(p.declared),
                p.open,
                s(p.open)
            )
        }
        Lang::En => format!(
            "{} verified / {} declared / {} open",
            p.verified, p.declared, p.open
        ),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, iv: &Interview) {
    let lang = app.lang;
    let [header, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(5)]).areas(area);
    // A wide terminal gives the sections and the live result more room, so that their
    // names are not cut.
    let left_width = match area.width {
        160.. => area.width * 3 / 10,
        120.. => 40,
        _ => 28,
    };
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(40)]).areas(body);
    let (answered, total) = iv.progress();
    let q = &iv.questionnaire;
    let state = if iv.is_final() {
        lang.pick(" · FINAL (lecture seule)", " · FINAL (read-only)")
    } else {
        ""
    };
    // The progress and the final mark stay visible; the names give way.
    let to_confirm = match iv.to_confirm_count() {
        0 => String::new(),
        n => format!(" · {n} {}", lang.pick("à confirmer", "to confirm")),
    };
    // Once the supplier declared answers (a self-assessment workbook), progress is verified /
    // declared / open: declared answers are scored, so the auditor must see how many the
    // score rests on.
    let counts = if iv.declarations.is_empty() {
        format!("{answered}/{total}")
    } else {
        declaration_counts(lang, iv.declaration_progress())
    };
    let filter = if iv.declared_only {
        lang.pick(" · filtre : à vérifier", " · filter: to verify")
    } else {
        ""
    };
    let tail = format!(" · {counts}{to_confirm}{filter}{state}");
    let names = format!(
        "{} · {}",
        iv.assessment.supplier_name,
        q.info.name.get(lang)
    );
    let head = format!(
        "{}{tail}",
        clip(
            &names,
            (area.width as usize).saturating_sub(vigie_model::display_width(&tail))
        )
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            clip(&head, area.width as usize),
            app.theme.title,
        )),
        header,
    );

    let sections_height = (q.sections.len() as u16 + 2).min(left.height / 2).max(4);
    let [sections_area, live_area] =
        Layout::vertical([Constraint::Length(sections_height), Constraint::Min(5)]).areas(left);
    draw_sections(frame, sections_area, app, iv);
    draw_live(frame, live_area, app, iv);
    draw_question(frame, right, app, iv);
}

fn draw_sections(frame: &mut Frame, area: Rect, app: &App, iv: &Interview) {
    let lang = app.lang;
    let current = iv.section_of_current();
    let width = area.width.saturating_sub(2) as usize;
    let visible_rows = area.height.saturating_sub(2) as usize;
    let total_sections = iv.questionnaire.sections.len();
    // When the sections do not all fit, the last row says how many are hidden and how to
    // reach them.
    let overflow = total_sections > visible_rows;
    let rows = if overflow {
        visible_rows.saturating_sub(1)
    } else {
        visible_rows
    };
    let first = current.saturating_sub(rows.saturating_sub(1));
    let mut lines: Vec<Line> = iv
        .questionnaire
        .sections
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, s)| {
            let (done, total) = iv.section_progress(i);
            let mark = if total == 0 {
                "—"
            } else if done == total {
                // Not ✔: that mark says "compliant" for criteria on the same screen.
                "●"
            } else if i == current {
                "▸"
            } else {
                " "
            };
            let count = format!("{done}/{total}");
            let title_width = width.saturating_sub(count.len() + 3);
            let text = format!(
                "{mark} {:<title_width$} {count}",
                clip(s.title.get(lang), title_width)
            );
            let style = if i == current {
                app.theme.selected
            } else if total == 0 {
                app.theme.muted
            } else {
                app.theme.text
            };
            Line::from(Span::styled(text, style))
        })
        .collect();
    if overflow {
        let below = total_sections.saturating_sub(first + rows);
        let hint = format!(
            "  ↑{first} ↓{below} · {}",
            lang.pick("g : toutes", "g: all")
        );
        lines.push(Line::from(Span::styled(
            clip(&hint, width),
            app.theme.muted,
        )));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(app, lang.pick("Sections", "Sections"))),
        area,
    );
}

fn draw_live(frame: &mut Frame, area: Rect, app: &App, iv: &Interview) {
    let lang = app.lang;
    let width = area.width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    // Why the last scoring failed comes first, whole and wrapped (the other lines are
    // cut to the width), so the findings below cannot push it out of sight.
    if let Some(err) = &iv.last_error {
        lines.push(Line::from(Span::styled(err.clone(), app.theme.error)));
    }
    let busy = if iv.scoring {
        lang.pick(" (calcul…)", " (scoring…)")
    } else {
        ""
    };
    match &iv.evaluation {
        Some(e) => {
            let score = e
                .score
                .map(|s| format!("{s:.1}/100"))
                .unwrap_or_else(|| "-".into());
            lines.push(Line::from(vec![
                Span::styled(lang.pick("Score ", "Score "), app.theme.muted),
                Span::styled(score, app.theme.accent),
                Span::styled(busy.to_string(), app.theme.muted),
            ]));
            let counts = e.status_counts();
            let mut spans = Vec::new();
            for (i, status) in Status::ALL.iter().enumerate() {
                spans.push(Span::styled(
                    format!("{}{} ", status_mark(*status), counts[i]),
                    app.theme.status(*status),
                ));
            }
            lines.push(Line::from(spans));
            lines.push(Line::from(vec![
                Span::styled(lang.pick("Verdict ", "Verdict "), app.theme.muted),
                Span::styled(
                    clip(e.verdict.label.get(lang), width.saturating_sub(8)),
                    app.theme.severity(e.verdict.severity),
                ),
            ]));
            // The verdict rests on what the supplier declared as long as it is not verified.
            if let Some(basis) = vigie_model::unverified_basis(lang, iv.unverified_declarations()) {
                lines.push(Line::from(Span::styled(basis, app.theme.warn)));
            }
            lines.push(Line::from(Span::styled(
                format!(
                    "{}{}",
                    crate::messages::findings(lang, e.findings.len()),
                    lang.pick(" :", ":")
                ),
                app.theme.muted,
            )));
            for f in e
                .findings
                .iter()
                .take(area.height.saturating_sub(6) as usize)
            {
                lines.push(Line::from(Span::styled(
                    clip(
                        &format!("{} {}", severity_mark(f.severity), f.title.get(lang)),
                        width,
                    ),
                    app.theme.severity(f.severity),
                )));
            }
        }
        None => lines.push(Line::from(Span::styled(
            format!(
                "{}{busy}",
                lang.pick("Pas encore de résultat", "No result yet")
            ),
            app.theme.muted,
        ))),
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(app, lang.pick("Résultat en direct", "Live result")))
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn draw_question(frame: &mut Frame, area: Rect, app: &App, iv: &Interview) {
    let lang = app.lang;
    let q = &iv.questionnaire.questions[iv.current];
    let visible = iv.visible();
    let position = visible
        .iter()
        .position(|i| *i == iv.current)
        .map(|p| p + 1)
        .unwrap_or(0);
    let title = format!(
        "{} {position}/{} · {}",
        lang.pick("Question", "Question"),
        visible.len(),
        q.id
    );
    let mut lines = vec![
        Line::from(Span::styled(
            q.prompt.get(lang).to_string(),
            app.theme.accent,
        )),
        Line::raw(""),
    ];

    let current = iv.answer_value(iv.current);
    let option = |n: usize, label: String, chosen: bool| {
        let style = if chosen {
            app.theme.selected
        } else {
            app.theme.text
        };
        Line::from(vec![
            Span::styled(format!(" {n} "), app.theme.key),
            Span::styled(format!("{} {label}", if chosen { "◉" } else { "○" }), style),
        ])
    };
    match &q.kind {
        AnswerKind::YesNo => {
            // Only the answers the question takes (no "partial" to "have
            // you suffered a cyberattack?").
            for (i, v) in q.yes_no_answers().iter().enumerate() {
                let chosen = matches!(current, Some(vigie_model::AnswerValue::YesNo(x)) if x == v);
                lines.push(option(i + 1, v.label(lang).to_string(), chosen));
            }
        }
        AnswerKind::SingleChoice(choices) | AnswerKind::MultipleChoice(choices) => {
            for (i, c) in choices.iter().enumerate().take(DIGIT_OPTIONS) {
                let chosen = current.is_some_and(|v| v.matches_value(&c.id));
                lines.push(option(i + 1, c.label.get(lang).to_string(), chosen));
            }
            if choices.len() > DIGIT_OPTIONS {
                // Options past the digits are reached from the full list;
                // one already chosen among them is still shown here.
                for c in &choices[DIGIT_OPTIONS..] {
                    if current.is_some_and(|v| v.matches_value(&c.id)) {
                        lines.push(Line::from(vec![
                            Span::styled("   ", app.theme.key),
                            Span::styled(format!("◉ {}", c.label.get(lang)), app.theme.selected),
                        ]));
                    }
                }
                let more = choices.len() - DIGIT_OPTIONS;
                let enter = app
                    .keymap
                    .keys(crate::keymap::Action::EditValue)
                    .first()
                    .map(crate::keymap::Key::label)
                    .unwrap_or_default();
                lines.push(Line::from(Span::styled(
                    match lang {
                        Lang::Fr => {
                            format!("   … {more} autres options : {enter} ouvre la liste complète")
                        }
                        _ => format!("   … {more} more options: {enter} opens the full list"),
                    },
                    app.theme.muted,
                )));
            }
            if matches!(q.kind, AnswerKind::MultipleChoice(_)) {
                lines.push(Line::from(Span::styled(
                    lang.pick(
                        "   (plusieurs choix : chaque chiffre coche/décoche)",
                        "   (several choices: each digit toggles)",
                    ),
                    app.theme.muted,
                )));
            }
        }
        kind => {
            let hint = match kind {
                AnswerKind::Date => lang.pick("date AAAA-MM-JJ", "date YYYY-MM-DD"),
                AnswerKind::Text => lang.pick("texte libre", "free text"),
                _ => lang.pick("nombre", "number"),
            };
            lines.push(Line::from(vec![
                Span::styled(" Enter ", app.theme.key),
                Span::raw(format!(
                    "{} ({hint})",
                    lang.pick("saisir la valeur", "type the value")
                )),
            ]));
        }
    }
    lines.push(Line::from(vec![
        Span::styled(" r ", app.theme.key),
        Span::raw(format!(
            "{}{}",
            if current.is_some_and(|v| v.is_declined()) {
                "◉ "
            } else {
                "○ "
            },
            lang.pick("refus de répondre", "declined to answer")
        )),
    ]));
    lines.push(Line::raw(""));
    let stored = iv.answers.get(&q.id);
    match stored.and_then(|a| a.value.as_ref()) {
        Some(v) => {
            let meta = stored
                .map(|a| {
                    format!(
                        " ({} {}, {}, {})",
                        lang.pick("rév.", "rev."),
                        a.revision,
                        a.updated_by,
                        a.updated_at
                            .as_str()
                            .get(..16)
                            .unwrap_or(a.updated_at.as_str())
                    )
                })
                .unwrap_or_default();
            let confirm = if stored.is_some_and(|a| a.to_confirm) {
                lang.pick(" · à confirmer", " · to confirm")
            } else {
                ""
            };
            lines.push(Line::from(vec![
                Span::styled(lang.pick("Réponse : ", "Answer: "), app.theme.muted),
                Span::styled(v.display(&q.kind, lang), app.theme.ok),
                Span::styled(format!("{meta}{confirm}"), app.theme.muted),
            ]));
        }
        None => lines.push(Line::from(Span::styled(
            lang.pick("Sans réponse", "Not answered"),
            app.theme.muted,
        ))),
    }
    if let Some(note) = stored
        .and_then(|a| a.note.as_ref())
        .filter(|n| !n.is_empty())
    {
        lines.push(Line::from(vec![
            Span::styled(lang.pick("Note : ", "Note: "), app.theme.muted),
            Span::raw(note.clone()),
        ]));
    }
    if let Some(n) = iv.evidence_count.get(&q.id).filter(|n| **n > 0) {
        let key = app
            .keymap
            .keys(crate::keymap::Action::Evidence)
            .first()
            .map(|k| k.label())
            .unwrap_or_default();
        lines.push(Line::from(Span::styled(
            format!(
                "{} ({key} {})",
                crate::messages::evidence_items(lang, *n),
                lang.pick("pour les voir", "to view them")
            ),
            app.theme.muted,
        )));
    }
    // What the supplier declared in a self-assessment workbook: to verify, then confirm (V)
    // or answer otherwise; never shown as the auditor's own answer.
    if let Some(d) = iv.declarations.iter().find(|d| d.question == q.id) {
        let declared = vigie_model::visible(&d.value.display(&q.kind, lang)).into_owned();
        let who = vigie_model::visible(&d.respondent).into_owned();
        let mine = iv.answer_value(iv.current);
        // Verified once the auditor's answer says the same (confirmed with V or answered
        // alike); an answer that says otherwise replaces it, and both stay shown.
        let text = match mine {
            None => format!(
                "{} {who} : {declared} — {}",
                lang.pick("Déclaré par", "Declared by"),
                lang.pick(
                    "non vérifié (V : confirmer, ou répondez ; d : suivante)",
                    "not verified (V: confirm, or answer; d: next)"
                )
            ),
            Some(v) if *v == d.value => format!(
                "{} {who})",
                lang.pick("Vérifié (déclaré par", "Verified (declared by")
            ),
            Some(_) => format!(
                "{} {who} : {declared} — {}",
                lang.pick("Déclaré par", "Declared by"),
                lang.pick("diffère de votre réponse", "differs from your answer")
            ),
        };
        lines.push(Line::from(Span::styled(text, app.theme.warn)));
    }
    // A value the plugin works out from other answers, for the auditor to
    // confirm rather than work out.
    if let Some((value, basis)) = iv
        .evaluation
        .as_ref()
        .and_then(|e| e.suggested_answer(&q.id))
    {
        let label = q
            .kind
            .choices()
            .iter()
            .find(|c| c.id == value)
            .map_or(value.to_string(), |c| c.label.get(lang).to_string());
        let basis = basis.map(|b| format!(" ({b})")).unwrap_or_default();
        lines.push(Line::from(Span::styled(
            format!(
                "{} {label}{basis}{}",
                lang.pick("Déduit des réponses :", "Derived from the answers:"),
                confirm_hint(app, iv)
            ),
            app.theme.ok,
        )));
    } else if let Some(Proposal::SupplierRecord { choice, country }) = iv.proposal(iv.current) {
        // The supplier record's value, proposed: an answer only once the auditor confirms it.
        let label = q
            .kind
            .choices()
            .iter()
            .find(|c| c.id == choice)
            .map_or(choice.clone(), |c| c.label.get(lang).to_string());
        lines.push(Line::from(Span::styled(
            format!(
                "{} {label} ({}){}",
                lang.pick("Selon la fiche fournisseur :", "From the supplier record:"),
                vigie_model::visible(&country),
                confirm_hint(app, iv)
            ),
            app.theme.ok,
        )));
    }
    let refs: Vec<String> = q
        .references
        .iter()
        .map(|r| iv.questionnaire.reference_label(r, lang))
        .collect();
    if !refs.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("{} {}", lang.pick("Réf.", "Ref."), refs.join(" · ")),
            app.theme.muted,
        )));
    }
    if !q.criteria.is_empty()
        && let Some(e) = &iv.evaluation
    {
        let statuses: Vec<Span> = q
            .criteria
            .iter()
            .filter_map(|c| e.criteria.iter().find(|r| &r.criterion == c))
            .map(|r| {
                Span::styled(
                    format!(
                        "{} {} ({})  ",
                        status_mark(r.status),
                        r.criterion,
                        r.status.label(lang)
                    ),
                    app.theme.status(r.status),
                )
            })
            .collect();
        lines.push(Line::from(statuses));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(" i ", app.theme.key),
        Span::styled(
            lang.pick(
                "aide : pourquoi, preuves à demander",
                "help: why, evidence to ask for",
            ),
            app.theme.muted,
        ),
    ]));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(app, title))
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// " — Enter then Enter to confirm" while the current question has a proposal and no answer.
fn confirm_hint(app: &App, iv: &Interview) -> String {
    if iv.proposal(iv.current).is_none() {
        return String::new();
    }
    let key = app
        .keymap
        .keys(crate::keymap::Action::EditValue)
        .first()
        .map(|k| k.label())
        .unwrap_or_default();
    match app.lang {
        Lang::Fr => format!(" — {key} puis {key} pour confirmer"),
        _ => format!(" — {key} then {key} to confirm"),
    }
}
