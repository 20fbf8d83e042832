//! The portfolio screen: every supplier at a glance (verdict mark and word, score, trend,
//! next due, open findings, overdue actions, expiring evidence), then what needs attention.
//!
//! A pure function of [`PortfolioView`]: it reads the rows (already filtered and sorted by the
//! caller, see `vigie_app::portfolio::Portfolio::view`) and draws; it keeps no state. It fits
//! 80x24 and shows more columns and more of the attention list when there is room. Nothing is
//! told by colour alone: verdicts have a mark and a word, counts are numbers, the selection
//! is a `▸` as well as reversed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, List, ListItem, Paragraph, Row, Table, TableState};
use vigie_app::portfolio::{Portfolio, sparkline, verdict_mark, verdict_word};
use vigie_app::{AttentionItem, AttentionKind, PortfolioFilter, PortfolioRow, PortfolioSort};
use vigie_model::{AssessmentStatus, Criticality};
use vigie_model::{Date, Lang, Severity};

use super::clip;
use crate::theme::Theme;

/// What the portfolio screen shows.
pub struct PortfolioView<'a> {
    /// The portfolio of the day (its rows unfiltered, its attention list).
    pub portfolio: &'a Portfolio,
    /// The rows to list, filtered and in order.
    pub rows: &'a [PortfolioRow],
    /// Index in `rows` of the selected supplier.
    pub selected: usize,
    pub sort: PortfolioSort,
    pub filter: &'a PortfolioFilter,
    pub lang: Lang,
    pub theme: &'a Theme,
}

/// Width from which the wide layout (more columns) is used.
const WIDE: u16 = 110;

pub fn draw_portfolio(frame: &mut Frame, area: Rect, view: &PortfolioView) {
    let wide = area.width >= WIDE;
    // The table takes what its rows need (borders and header: 3 lines) but leaves the
    // attention panel at least a third of the height; the panel takes the rest.
    let body = area.height.saturating_sub(2);
    let attention_height = if view.portfolio.rows.is_empty() {
        0
    } else {
        let table_needs = u16::try_from(view.rows.len().max(1) + 3).unwrap_or(u16::MAX);
        let table = table_needs
            .min(body.saturating_sub((body / 3).max(5)))
            .max(5);
        body.saturating_sub(table)
    };
    let [header, table, attention, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(attention_height),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, header, view);
    draw_table(frame, table, view, wide);
    if attention_height > 0 {
        draw_attention(frame, attention, view, wide);
    }
    draw_keys(frame, keys, view);
}

fn draw_header(frame: &mut Frame, area: Rect, view: &PortfolioView) {
    let lang = view.lang;
    let p = view.portfolio;
    let mut parts = vec![
        format!(
            "{} · {} {}",
            lang.pick("Portefeuille", "Portfolio"),
            p.rows.len(),
            plural(lang, p.rows.len(), "fournisseur", "supplier")
        ),
        format!("{} {}", lang.pick("au", "as of"), p.today),
        format!(
            "{} {}",
            lang.pick("tri :", "sort:"),
            sort_word(view.sort, lang)
        ),
    ];
    let filters = filter_words(view.filter, lang);
    if !filters.is_empty() {
        parts.push(format!(
            "{} {} ({}/{})",
            lang.pick("filtre :", "filter:"),
            filters.join(", "),
            view.rows.len(),
            p.rows.len()
        ));
    }
    frame.render_widget(
        Paragraph::new(Span::styled(
            clip(&parts.join(" · "), area.width as usize),
            view.theme.title,
        )),
        area,
    );
}

/// The word for `n` things: French puts 0 and 1 in the singular, English only 1.
fn plural<'a>(lang: Lang, n: usize, fr: &'a str, en: &'a str) -> String {
    let word = lang.pick(fr, en);
    let singular = if lang == Lang::Fr { n <= 1 } else { n == 1 };
    if singular {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

fn sort_word(sort: PortfolioSort, lang: Lang) -> &'static str {
    match (sort, lang == Lang::Fr) {
        (PortfolioSort::Risk, true) => "risque",
        (PortfolioSort::Risk, false) => "risk",
        (PortfolioSort::Verdict, _) => "verdict",
        (PortfolioSort::Due, true) => "échéance",
        (PortfolioSort::Due, false) => "due date",
        (PortfolioSort::Overdue, true) => "retards",
        (PortfolioSort::Overdue, false) => "overdue",
        (PortfolioSort::Expiring, true) => "expirations",
        (PortfolioSort::Expiring, false) => "expiring",
        (PortfolioSort::Name, true) => "nom",
        (PortfolioSort::Name, false) => "name",
    }
}

fn filter_words(filter: &PortfolioFilter, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = filter.verdict_at_least {
        out.push(format!("verdict ≥ {}", s.label(lang.id())));
    }
    if let Some(d) = filter.due_by {
        out.push(format!("{} {d}", lang.pick("dû avant le", "due by")));
    }
    if filter.overdue {
        out.push(
            lang.pick("actions en retard", "overdue actions")
                .to_string(),
        );
    }
    if filter.expiring {
        out.push(
            lang.pick("preuves qui expirent", "expiring evidence")
                .to_string(),
        );
    }
    if let Some(name) = filter.name.as_deref().filter(|n| !n.trim().is_empty()) {
        out.push(format!("« {} »", vigie_model::visible(name.trim())));
    }
    out
}

/// The criticality label, with "critique" shortened to fit the narrow column.
fn criticality_short(c: Criticality, lang: Lang) -> &'static str {
    match (c, lang) {
        (Criticality::Critical, Lang::Fr) => "critiq.",
        _ => c.label(lang == Lang::Fr),
    }
}

fn verdict_style(theme: &Theme, severity: Option<Severity>) -> Style {
    match severity {
        Some(Severity::Info | Severity::Low) => theme.ok,
        Some(Severity::Medium) => theme.warn,
        Some(Severity::High | Severity::Critical) => theme.bad,
        None => theme.muted,
    }
}

fn draw_table(frame: &mut Frame, area: Rect, view: &PortfolioView, wide: bool) {
    let lang = view.lang;
    let theme = view.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" {} ", lang.pick("Fournisseurs", "Suppliers")),
            theme.title,
        ));
    if view.portfolio.rows.is_empty() || view.rows.is_empty() {
        let text = if view.portfolio.rows.is_empty() {
            vec![
                Line::from(lang.pick("Aucun fournisseur pour l'instant.", "No suppliers yet.")),
                Line::from(""),
                Line::from(lang.pick(
                    "s : ajouter un fournisseur · D : ouvrir le portefeuille de démonstration",
                    "s: add a supplier · D: open the sample portfolio",
                )),
                Line::from(Span::styled(
                    lang.pick(
                        "(la démonstration est un fichier à part, jamais votre base)",
                        "(the sample is a file of its own, never your database)",
                    ),
                    theme.muted,
                )),
            ]
        } else {
            vec![Line::from(lang.pick(
                "Aucun fournisseur ne correspond au filtre (x pour l'effacer).",
                "No supplier matches the filter (x clears it).",
            ))]
        };
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let headers: Vec<&str> = if wide {
        vec![
            lang.pick("Fournisseur", "Supplier"),
            lang.pick("Criticité", "Criticality"),
            "Verdict",
            "Score",
            lang.pick("Tendance", "Trend"),
            lang.pick("Évalué", "Assessed"),
            lang.pick("Échéance", "Next due"),
            lang.pick("C/É/M/F", "C/H/M/L"),
            lang.pick("Retard", "Overdue"),
            lang.pick("Expire", "Expiring"),
        ]
    } else {
        vec![
            lang.pick("Fournisseur", "Supplier"),
            lang.pick("Critic.", "Critic."),
            "Verdict",
            "Score",
            lang.pick("Tend.", "Trend"),
            lang.pick("Échéance", "Next due"),
            "C/É",
            "Ret",
            "Exp",
        ]
    };
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Fill(1),
            Constraint::Length(9),
            Constraint::Length(22),
            Constraint::Length(5),
            Constraint::Length(8),
            Constraint::Length(10),
            Constraint::Length(10),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Length(8),
        ]
    } else {
        vec![
            Constraint::Fill(1),
            Constraint::Length(7),
            Constraint::Length(15),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(10),
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Length(3),
        ]
    };
    let header = Row::new(
        headers
            .into_iter()
            .map(|h| Cell::from(h).style(theme.muted)),
    );
    let today = view.portfolio.today;
    let rows: Vec<Row> = view
        .rows
        .iter()
        .map(|r| table_row(r, lang, theme, today, wide))
        .collect();
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(theme.selected)
        .highlight_symbol("▸");
    let mut state = TableState::default();
    state.select(Some(view.selected.min(view.rows.len().saturating_sub(1))));
    frame.render_stateful_widget(table, area, &mut state);
}

fn table_row<'a>(r: &PortfolioRow, lang: Lang, theme: &Theme, today: Date, wide: bool) -> Row<'a> {
    let severity = r.reference.as_ref().and_then(|a| a.verdict_severity);
    let draft = r
        .reference
        .as_ref()
        .is_some_and(|a| a.status == AssessmentStatus::Draft);
    let mut word = verdict_word(r, lang.id());
    if draft {
        word = format!("{word} ({})", lang.pick("brouillon", "draft"));
    }
    let verdict = Line::from(vec![
        Span::styled(verdict_mark(severity), verdict_style(theme, severity)),
        Span::raw(" "),
        Span::styled(vigie_model::visible(&word).into_owned(), theme.text),
    ]);
    let score = r
        .reference
        .as_ref()
        .and_then(|a| a.score)
        .map_or_else(|| "    -".to_string(), |s| format!("{s:>5.1}"));
    let trend_width = if wide { 8 } else { 5 };
    let trend = r.trend[r.trend.len().saturating_sub(trend_width)..].to_vec();
    let due = match r.next_due {
        None => lang.pick("maintenant", "now").to_string(),
        Some(d) => d.to_string(),
    };
    let due_style = if r.is_due_by(today) {
        theme.warn
    } else {
        theme.text
    };
    let count = |n: u32| -> Cell<'a> {
        let style = if n > 0 { theme.bad } else { theme.muted };
        Cell::from(Span::styled(format!("{n:>3}"), style))
    };
    let name = Span::styled(
        vigie_model::visible(&r.supplier_name).into_owned(),
        theme.accent,
    );
    let f = r.open_findings;
    let mut cells: Vec<Cell> = vec![
        Cell::from(name),
        Cell::from(criticality_short(r.criticality, lang)),
        Cell::from(verdict),
        Cell::from(score),
        Cell::from(sparkline(&trend)),
    ];
    if wide {
        cells.push(Cell::from(
            r.last_assessed
                .map_or_else(|| "-".to_string(), |d| d.to_string()),
        ));
        cells.push(Cell::from(Span::styled(due, due_style)));
        cells.push(Cell::from(format!(
            "{}/{}/{}/{}",
            f.critical, f.high, f.medium, f.low
        )));
        cells.push(count(r.overdue_actions));
        cells.push(count(r.expiring_evidence));
    } else {
        cells.push(Cell::from(Span::styled(due, due_style)));
        cells.push(Cell::from(format!("{}", f.critical + f.high)));
        cells.push(count(r.overdue_actions));
        cells.push(count(r.expiring_evidence));
    }
    Row::new(cells)
}

fn attention_mark(kind: AttentionKind) -> &'static str {
    match kind {
        AttentionKind::EvidenceExpiring | AttentionKind::AnswerDateExpiring => "◔",
        AttentionKind::ActionOverdue => "!",
        AttentionKind::AssessmentDue => "↻",
    }
}

fn attention_word(item: &AttentionItem, today: Date, lang: Lang) -> &'static str {
    let past = item.date.is_some_and(|d| d < today);
    match (item.kind, past, lang == Lang::Fr) {
        (AttentionKind::EvidenceExpiring, true, true) => "preuve expirée",
        (AttentionKind::EvidenceExpiring, false, true) => "preuve expire",
        (AttentionKind::EvidenceExpiring, true, false) => "evidence expired",
        (AttentionKind::EvidenceExpiring, false, false) => "evidence expires",
        (AttentionKind::AnswerDateExpiring, true, true) => "validité dépassée",
        (AttentionKind::AnswerDateExpiring, false, true) => "fin de validité",
        (AttentionKind::AnswerDateExpiring, true, false) => "validity ended",
        (AttentionKind::AnswerDateExpiring, false, false) => "validity ends",
        (AttentionKind::ActionOverdue, _, true) => "action en retard",
        (AttentionKind::ActionOverdue, _, false) => "action overdue",
        (AttentionKind::AssessmentDue, _, true) => "évaluation due",
        (AttentionKind::AssessmentDue, _, false) => "assessment due",
    }
}

fn draw_attention(frame: &mut Frame, area: Rect, view: &PortfolioView, wide: bool) {
    let lang = view.lang;
    let theme = view.theme;
    let p = view.portfolio;
    let title = format!(
        " {} ({}, {} {}) ",
        lang.pick("À surveiller", "Needs attention"),
        p.attention.len(),
        lang.pick("jusqu'au", "up to"),
        p.horizon()
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title, theme.title));
    let inner_width = area.width.saturating_sub(2) as usize;
    let word_width = if wide { 18 } else { 16 };
    let name_width = if wide { 30 } else { 18 };
    let items: Vec<ListItem> = if p.attention.is_empty() {
        vec![ListItem::new(Span::styled(
            lang.pick(
                "Rien à surveiller dans la période.",
                "Nothing needs attention in the window.",
            ),
            theme.muted,
        ))]
    } else {
        p.attention
            .iter()
            .map(|item| {
                let date = item.date.map_or_else(
                    || format!("{:<10}", lang.pick("jamais", "never")),
                    |d| d.to_string(),
                );
                let style = match item.kind {
                    AttentionKind::ActionOverdue => theme.bad,
                    _ if item.date.is_some_and(|d| d < p.today) => theme.bad,
                    _ => theme.warn,
                };
                let used = 10 + 1 + 2 + word_width + 1 + name_width + 1;
                let subject = clip(
                    &vigie_model::visible(&p.subject(item, lang.id())),
                    inner_width.saturating_sub(used),
                );
                ListItem::new(Line::from(vec![
                    Span::raw(format!("{date} ")),
                    Span::styled(format!("{} ", attention_mark(item.kind)), style),
                    Span::styled(pad(attention_word(item, p.today, lang), word_width), style),
                    Span::raw(" "),
                    Span::styled(
                        pad(&vigie_model::visible(&item.supplier_name), name_width),
                        theme.accent,
                    ),
                    Span::raw(" "),
                    Span::styled(subject, theme.muted),
                ]))
            })
            .collect()
    };
    frame.render_widget(List::new(items).block(block), area);
}

fn draw_keys(frame: &mut Frame, area: Rect, view: &PortfolioView) {
    let keys = view.lang.pick("o trier · filtres : v verdict · d échéance · r retards · E expirations · / nom · x effacer",
        "o sort · filters: v verdict · d due · r overdue · E expiring · / name · x clear",
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            clip(keys, area.width as usize),
            view.theme.muted,
        )),
        area,
    );
}

/// `text` clipped and padded to `width` terminal columns.
fn pad(text: &str, width: usize) -> String {
    vigie_model::pad_to_width(&clip(text, width), width)
}
