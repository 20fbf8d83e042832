//! The self-assessment workbook export form.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use vigie_model::Lang;

use super::{block, clip};
use crate::app::{App, ExportField, WorkbookExportForm};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, form: &WorkbookExportForm) {
    let lang = app.lang;
    let width = area.width.saturating_sub(4) as usize;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(lang.pick("Fournisseur : ", "Supplier: "), app.theme.muted),
            Span::styled(
                clip(
                    &vigie_model::visible(&form.supplier_name),
                    width.saturating_sub(14),
                ),
                app.theme.accent,
            ),
        ]),
        Line::from(vec![
            Span::styled(
                lang.pick("Questionnaire : ", "Questionnaire: "),
                app.theme.muted,
            ),
            Span::styled(
                clip(
                    &vigie_model::visible(&form.questionnaire),
                    width.saturating_sub(16),
                ),
                app.theme.text,
            ),
        ]),
        Line::raw(""),
    ];
    for field in ExportField::ALL {
        let focused = form.focus == field;
        let (label, value) = match field {
            ExportField::Path => (
                lang.pick("Fichier à écrire (.xlsx)", "File to write (.xlsx)"),
                form.path.clone(),
            ),
            ExportField::Language => (
                lang.pick(
                    "Langue du classeur (Espace pour changer)",
                    "Workbook language (Space to change)",
                ),
                format!(
                    "◂ {} ▸",
                    match form.lang {
                        Lang::Fr => "français",
                        Lang::En => "English",
                    }
                ),
            ),
            ExportField::Respondent => (
                lang.pick(
                    "Qui le remplit (Nom <courriel>, facultatif)",
                    "Who fills it in (Name <email>, optional)",
                ),
                form.respondent.clone(),
            ),
            ExportField::Due => (
                lang.pick(
                    "À renvoyer avant le (AAAA-MM-JJ, facultatif)",
                    "Due back by (YYYY-MM-DD, optional)",
                ),
                form.due.clone(),
            ),
        };
        let marker = if focused { "▸ " } else { "  " };
        let cursor = if focused && field != ExportField::Language {
            "▏"
        } else {
            ""
        };
        lines.push(Line::from(Span::styled(
            format!("{marker}{label}"),
            app.theme.muted,
        )));
        lines.push(Line::from(Span::styled(
            format!(
                "  {}{cursor}",
                clip(&vigie_model::visible(&value), width.saturating_sub(3))
            ),
            if focused {
                app.theme.selected
            } else {
                app.theme.text
            },
        )));
    }
    lines.push(Line::raw(""));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(format!("✘ {e}"), app.theme.error)));
    }
    lines.push(Line::from(Span::styled(
        lang.pick(
            "Le fournisseur remplit le classeur dans Excel ou LibreOffice et vous le renvoie ; \
             `vigie self-assessment import` (--dry-run d'abord) en fait des déclarations à \
             vérifier ici.",
            "The supplier fills the workbook in Excel or LibreOffice and sends it back; \
             `vigie self-assessment import` (--dry-run first) makes it declarations to verify \
             here.",
        ),
        app.theme.muted,
    )));
    lines.push(Line::from(Span::styled(
        lang.pick(
            "Tab champ suivant · Entrée écrire · Échap annuler",
            "Tab next field · Enter write · Esc cancel",
        ),
        app.theme.muted,
    )));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(
                app,
                lang.pick(
                    "Questionnaire fournisseur (auto-évaluation)",
                    "Supplier self-assessment workbook",
                ),
            ))
            .wrap(Wrap { trim: false }),
        area,
    );
}
