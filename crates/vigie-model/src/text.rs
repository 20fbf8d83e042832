use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// One text in one language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    pub lang: String,
    pub text: String,
}

/// A text in several languages; the first translation is the fallback.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Localized(pub Vec<Translation>);

impl Localized {
    /// The text in `lang`, else the first translation, else "".
    pub fn get(&self, lang: impl AsRef<str>) -> &str {
        let lang = lang.as_ref();
        self.0
            .iter()
            .find(|t| t.lang == lang)
            .or_else(|| self.0.first())
            .map(|t| t.text.as_str())
            .unwrap_or("")
    }

    /// Whether a translation exists for `lang` (without fallback).
    pub fn has(&self, lang: &str) -> bool {
        self.0
            .iter()
            .any(|t| t.lang == lang && !t.text.trim().is_empty())
    }

    /// Builds a localized text from `(lang, text)` pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Localized(
            pairs
                .into_iter()
                .map(|(lang, text)| Translation {
                    lang: lang.to_string(),
                    text: text.to_string(),
                })
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|t| t.text.is_empty())
    }

    /// Total bytes of text, used by size limits.
    pub fn byte_len(&self) -> usize {
        self.0.iter().map(|t| t.lang.len() + t.text.len()).sum()
    }
}

/// Whether `c` is a control character the terminal could act on: C0 (U+0000–U+001F), DEL
/// (U+007F) or C1 (U+0080–U+009F). Line feed included: callers that allow it say so.
pub fn is_control_char(c: char) -> bool {
    c.is_control()
}

/// Text from outside the program (a plugin, a file, the database) made safe to show on a
/// terminal: every control character except the line feed is replaced by a visible stand-in,
/// so that no escape sequence (ESC, CSI, OSC 52 clipboard writes, BEL, carriage returns
/// rewriting a line) reaches the terminal. The one function every text shown by the command
/// line goes through.
///
/// - Every C0 control, DEL and C1 control (Unicode category Cc) becomes its code point in
///   Rust's escape notation, in ASCII: ESC → `\u{1b}`, BEL → `\u{7}`, CR → `\u{d}`, tab →
///   `\u{9}`, CSI → `\u{9b}`. ASCII rather than Unicode's Control Pictures (`␛`): those
///   encode as bytes 0x80–0x9F in UTF-8 (`␛` is E2 90 9B), which a terminal reading 8-bit
///   C1 controls would take as DCS or CSI; and the notation says exactly what was there.
/// - The line feed is kept: long texts may hold line breaks, and the caller decides the
///   layout (a table cell flattens whitespace before calling this).
///
/// Text without control characters is returned as it is, without copying.
pub fn visible(text: &str) -> Cow<'_, str> {
    let shown = |c: char| c == '\n' || !is_control_char(c);
    if text.chars().all(shown) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if shown(c) {
            out.push(c);
        } else {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
    Cow::Owned(out)
}

/// JSON text with DEL and every C1 control character (U+007F–U+009F) written as a `\u00XX`
/// escape. serde_json escapes C0 controls but writes these as they are, and a terminal may
/// act on them (U+009B is CSI). JSON output keeps its data exact, so it gets JSON escapes rather
/// than [`visible`]'s stand-ins. Outside strings valid JSON holds only ASCII, so every
/// character replaced here is inside a string and the result parses to the same value.
pub fn escape_json_controls(json: &str) -> Cow<'_, str> {
    let c1 = |c: char| ('\u{7f}'..='\u{9f}').contains(&c);
    if !json.chars().any(c1) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c1(c) {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Lowercases and strips accents so that French text matches what an auditor
/// types on any keyboard ("securite" finds "Sécurité", "oe" finds "œ").
pub fn fold_for_search(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => {
                out.push('a')
            }
            'ç' | 'Ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => out.push('i'),
            'ñ' | 'Ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => out.push('u'),
            'ý' | 'ÿ' | 'Ý' | 'Ÿ' => out.push('y'),
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            '’' | '‘' => out.push('\''),
            // Combining diacritical marks (text in decomposed form).
            '\u{0300}'..='\u{036f}' => {}
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// How many terminal columns `text` takes: a wide character (CJK, most emoji) takes two, a
/// combining mark none. Widths on screen are this, not a count of characters.
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` cut to at most `width` columns, ending with `…` when it was cut.
pub fn clip_to_width(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_string();
    }
    let mut out = take_width(text, width.saturating_sub(1)).to_string();
    if width > 0 {
        out.push('…');
    }
    out
}

/// The longest start of `text` that takes at most `width` columns.
pub fn take_width(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used > width {
            return &text[..i];
        }
    }
    text
}

/// `text` followed by spaces up to `width` columns (nothing added if it is already wider).
pub fn pad_to_width(text: &str, width: usize) -> String {
    let pad = width.saturating_sub(display_width(text));
    format!("{text}{}", " ".repeat(pad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_terminal_columns_not_characters() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("漢字"), 4);
        assert_eq!(display_width("e\u{301}"), 1);
        assert_eq!(clip_to_width("漢字漢字", 5), "漢字…");
        assert_eq!(clip_to_width("漢字", 4), "漢字");
        assert_eq!(clip_to_width("abcdef", 4), "abc…");
        assert_eq!(clip_to_width("abc", 0), "");
        assert_eq!(pad_to_width("漢", 4), "漢  ");
        for text in [
            "",
            "abc",
            "漢字漢字",
            "a漢b字c",
            "👍👍x",
            "e\u{301}e\u{301}",
        ] {
            for width in 0..10 {
                let clipped = clip_to_width(text, width);
                assert!(
                    display_width(&clipped) <= width,
                    "{text:?} at {width}: {clipped:?}"
                );
                assert!(display_width(take_width(text, width)) <= width);
            }
        }
    }

    #[test]
    fn get_falls_back_to_first_language() {
        let t = Localized::from_pairs([("fr", "Sécurité"), ("en", "Security")]);
        assert_eq!(t.get("en"), "Security");
        assert_eq!(t.get("de"), "Sécurité");
        assert_eq!(Localized::default().get("fr"), "");
    }

    /// Every character, one by one: a control character other than the line feed comes out as
    /// printable ASCII naming its code point, anything else comes out unchanged.
    #[test]
    fn visible_shows_every_control_character_and_keeps_the_rest() {
        for code in 0..=0x10ffff_u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let mut buf = [0; 4];
            let text = c.encode_utf8(&mut buf);
            let shown = visible(text);
            if c == '\n' || !c.is_control() {
                assert_eq!(shown, *text, "U+{code:04X} must pass unchanged");
                assert!(matches!(shown, Cow::Borrowed(_)));
            } else {
                assert_eq!(shown, format!("\\u{{{code:x}}}"));
                assert!(shown.bytes().all(|b| b.is_ascii_graphic()), "{shown:?}");
            }
        }
        assert_eq!(
            visible("a\u{1b}]52;c;eA==\u{7}b\r\u{9b}2J\u{7f}\n"),
            "a\\u{1b}]52;c;eA==\\u{7}b\\u{d}\\u{9b}2J\\u{7f}\n"
        );
    }

    /// Escaping DEL and C1 controls in JSON keeps the value: the text parses to the same
    /// string, and the output holds no control character.
    #[test]
    fn escaping_c1_in_json_keeps_the_value() {
        for code in 0x7f..=0x9f_u32 {
            let c = char::from_u32(code).unwrap_or('?');
            let json = format!("{{\"k\":\"a{c}b\",\"{c}\":[\"é{c}\"]}}");
            let escaped = escape_json_controls(&json);
            assert!(!escaped.chars().any(char::is_control));
            assert!(escaped.contains(&format!("\\u{code:04x}")), "{escaped}");
            let before: serde_json::Value = serde_json::from_str(&json).unwrap();
            let after: serde_json::Value = serde_json::from_str(&escaped).unwrap();
            assert_eq!(before, after);
        }
        assert!(matches!(
            escape_json_controls("{\"a\":\"é\"}"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn folding_removes_case_and_accents() {
        assert_eq!(
            fold_for_search("Sécurité ÉLÉMENTAIRE"),
            "securite elementaire"
        );
        assert_eq!(fold_for_search("Cœur"), "coeur");
        assert_eq!(fold_for_search("Se\u{301}curite\u{301}"), "securite");
    }
}
