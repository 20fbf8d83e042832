//! The language Vigie speaks to its users in: its own words (menus, messages,
//! labels, reports). Questionnaires bring their own texts, in whatever languages
//! their plugin has ([`crate::Localized`]); these are looked up by [`Lang::id`].

/// French or English: the languages of Vigie's own words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Fr,
    #[default]
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The language code: `fr`, `en`.
    pub fn id(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// `fr…` (any case, `fr-CA` too) is French, anything else English.
    pub fn from_code(code: &str) -> Lang {
        if code.trim().to_ascii_lowercase().starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }

    /// The text among the two translations of one message.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// The other language (a form's toggle).
    pub fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    /// `count` followed by the noun in the singular or the plural: the singular
    /// for exactly one, in both languages ("0 constats" is the interface's usage, as
    /// "0 findings").
    pub fn count(self, count: usize, singular: &str, plural: &str) -> String {
        format!("{count} {}", if count == 1 { singular } else { plural })
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl AsRef<str> for Lang {
    fn as_ref(&self) -> &str {
        self.id()
    }
}

/// A language code read where a `Lang` is wanted (see [`Lang::from_code`]).
impl From<&str> for Lang {
    fn from(code: &str) -> Lang {
        Lang::from_code(code)
    }
}

impl From<&Lang> for Lang {
    fn from(lang: &Lang) -> Lang {
        *lang
    }
}

impl From<&String> for Lang {
    fn from(code: &String) -> Lang {
        Lang::from_code(code)
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn codes_and_plurals() {
        assert_eq!(Lang::from_code("FR-ca"), Lang::Fr);
        assert_eq!(Lang::from_code("de"), Lang::En);
        assert_eq!(Lang::from_code(Lang::Fr.id()), Lang::Fr);
        assert_eq!(Lang::En.count(1, "finding", "findings"), "1 finding");
        assert_eq!(Lang::En.count(0, "finding", "findings"), "0 findings");
        assert_eq!(Lang::En.count(2, "finding", "findings"), "2 findings");
        assert_eq!(Lang::Fr.count(0, "constat", "constats"), "0 constats");
        assert_eq!(Lang::Fr.count(1, "constat", "constats"), "1 constat");
        assert_eq!(Lang::Fr.count(3, "constat", "constats"), "3 constats");
    }
}
