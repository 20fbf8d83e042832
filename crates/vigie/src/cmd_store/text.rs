//! Small text helpers for tables: one-line, truncated, padded, localised.

use vigie_store::{AssessmentStatus, Criticality};

/// The line width tables aim at: `$COLUMNS` when it is exported, else 100.
pub fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c >= 40)
        .unwrap_or(100)
}

/// `text` on one line (whitespace runs become one space), cut to `max`
/// characters with an ellipsis.
pub fn clip(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
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

/// An RFC 3339 timestamp as `YYYY-MM-DD HH:MM:SS` (UTC), for tables.
pub fn when(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..19)) {
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => rfc3339.to_string(),
    }
}

pub fn fr(lang: &str) -> bool {
    lang == "fr"
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
}
