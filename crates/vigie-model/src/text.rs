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
    pub fn get(&self, lang: &str) -> &str {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_falls_back_to_first_language() {
        let t = Localized::from_pairs([("fr", "Sécurité"), ("en", "Security")]);
        assert_eq!(t.get("en"), "Security");
        assert_eq!(t.get("de"), "Sécurité");
        assert_eq!(Localized::default().get("fr"), "");
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
