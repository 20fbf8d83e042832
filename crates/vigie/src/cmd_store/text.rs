//! Small text helpers for tables: one-line, truncated, padded, localised.
//!
//! Every text that comes from a plugin, a file or the database is shown through
//! [`vigie_model::visible`], which makes control characters visible so that none reaches
//! the terminal; [`clip`], [`cell`] and [`when`] apply it themselves.

use std::borrow::Cow;

use vigie_model::visible;
use vigie_store::{AssessmentStatus, Criticality};

/// The line width tables aim at: `$COLUMNS` when it is exported, else 100.
pub fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c >= 40)
        .unwrap_or(100)
}

/// `text` on one line (whitespace runs become one space, control characters made
/// visible), cut to `max` characters with an ellipsis.
pub fn clip(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = visible(&flat).into_owned();
    if flat.chars().count() <= max {
        return flat;
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = flat.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// `text` clipped then padded with spaces to exactly `width` characters.
pub fn cell(text: &str, width: usize) -> String {
    let clipped = clip(text, width);
    let pad = width.saturating_sub(clipped.chars().count());
    format!("{clipped}{}", " ".repeat(pad))
}

/// An RFC 3339 timestamp as `YYYY-MM-DD HH:MM:SS` (UTC), for tables. It comes from the
/// database: whatever it holds is shown visible.
pub fn when(rfc3339: &str) -> String {
    let shown = match (rfc3339.get(..10), rfc3339.get(11..19)) {
        (Some(day), Some(time)) => Cow::Owned(format!("{day} {time}")),
        _ => Cow::Borrowed(rfc3339),
    };
    visible(&shown).into_owned()
}

/// Whether the command line speaks French (see [`vigie_model::Lang::from_code`]).
pub fn fr(lang: &str) -> bool {
    vigie_model::Lang::from_code(lang) == vigie_model::Lang::Fr
}

pub fn assessment_status(status: AssessmentStatus, lang: &str) -> &'static str {
    match (status, fr(lang)) {
        (AssessmentStatus::Draft, true) => "brouillon",
        (AssessmentStatus::Final, true) => "finalisée",
        (AssessmentStatus::Draft, false) => "draft",
        (AssessmentStatus::Final, false) => "final",
    }
}

pub fn criticality(c: Criticality, lang: &str) -> &'static str {
    match (c, fr(lang)) {
        (Criticality::Low, true) => "faible",
        (Criticality::Medium, true) => "moyenne",
        (Criticality::High, true) => "élevée",
        (Criticality::Critical, true) => "critique",
        (c, false) => c.id(),
    }
}

/// A score as tables show it.
pub fn score(score: Option<f64>) -> String {
    score.map_or_else(|| "-".to_string(), |s| format!("{s:.1}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_and_pads_by_characters() {
        assert_eq!(clip("Sécurité  des\nsystèmes", 40), "Sécurité des systèmes");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(cell("é", 3), "é  ");
        assert_eq!(when("2025-01-02T10:11:12.123456Z"), "2025-01-02 10:11:12");
        assert_eq!(when("bad"), "bad");
    }

    #[test]
    fn table_helpers_show_control_characters() {
        assert_eq!(clip("a\u{1b}]0;x\u{7}\nb", 40), "a\\u{1b}]0;x\\u{7} b");
        assert_eq!(cell("\u{9b}2J", 9), "\\u{9b}2J ");
        assert_eq!(when("2025-01-02T10:11:12\u{1b}Z"), "2025-01-02 10:11:12");
        assert_eq!(when("\u{1b}[2J"), "\\u{1b}[2J");
    }
}
