//! Answers the workbench can propose from what it already knows, for the auditor to
//! confirm: a proposal is never an answer until the auditor gives it.

use crate::questionnaire::{Choice, Question};
use crate::text::fold_for_search;

/// The question tag saying "the supplier's country answers this": its choices are ISO 3166
/// alpha-2 codes (any case) or country names, and a choice with the id `eea` stands for
/// every state of the European Economic Area.
pub const SUPPLIER_COUNTRY_TAG: &str = "supplier-country";

/// The id of the choice standing for any EEA state, in a question tagged
/// [`SUPPLIER_COUNTRY_TAG`].
pub const EEA_CHOICE: &str = "eea";

/// The states of the European Economic Area (the 27 EU members, Iceland, Liechtenstein,
/// Norway) by ISO 3166 alpha-2 code; `el` is the EU's own code for Greece.
const EEA_STATES: [&str; 31] = [
    "at", "be", "bg", "hr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "gr", "el", "hu", "ie", "it",
    "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "sk", "si", "es", "se", "is", "li", "no",
];

/// Whether `question` carries `tag` (the plugin's `tags` extension, comma-separated).
pub fn has_tag(question: &Question, tag: &str) -> bool {
    question
        .extensions
        .iter()
        .filter(|e| e.key == "tags")
        .flat_map(|e| e.value.split(','))
        .any(|t| t.trim() == tag)
}

/// The choice of `question` that a supplier recorded in `country` (a code such as `TN`, or
/// a name such as `Tunisie`) answers, when the question is tagged [`SUPPLIER_COUNTRY_TAG`]
/// and the country names one of its choices: by id, by a label in any language (a label
/// may go on with a parenthesis, "United States (…)"), or, for an EEA state's code, the
/// [`EEA_CHOICE`]. `None` when nothing matches: a proposal is only made when it is sure.
pub fn supplier_country_choice<'q>(question: &'q Question, country: &str) -> Option<&'q Choice> {
    if !has_tag(question, SUPPLIER_COUNTRY_TAG) {
        return None;
    }
    let wanted = fold_for_search(country.trim());
    if wanted.is_empty() {
        return None;
    }
    let choices = question.kind.choices();
    let names = |c: &Choice| {
        c.label.0.iter().any(|t| {
            let label = fold_for_search(t.text.trim());
            label == wanted
                || label
                    .strip_prefix(wanted.as_str())
                    .is_some_and(|rest| rest.starts_with(" ("))
        })
    };
    choices
        .iter()
        .find(|c| fold_for_search(&c.id) == wanted)
        .or_else(|| choices.iter().find(|c| names(c)))
        .or_else(|| {
            EEA_STATES
                .contains(&wanted.as_str())
                .then(|| choices.iter().find(|c| c.id == EEA_CHOICE))
                .flatten()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaire::{AnswerKind, Extension, Help};
    use crate::text::{Localized, Translation};

    fn label(fr: &str, en: &str) -> Localized {
        Localized(vec![
            Translation {
                lang: "fr".into(),
                text: fr.into(),
            },
            Translation {
                lang: "en".into(),
                text: en.into(),
            },
        ])
    }

    fn question(tags: &str) -> Question {
        let choice = |id: &str, fr: &str, en: &str| Choice {
            id: id.into(),
            label: label(fr, en),
        };
        Question {
            id: "destination-country".into(),
            section: "context".into(),
            prompt: label("Pays ?", "Country?"),
            help: Help::default(),
            kind: AnswerKind::SingleChoice(vec![
                choice("eea", "Union européenne ou EEE", "European Union or EEA"),
                choice("tn", "Tunisie", "Tunisia"),
                choice("us", "États-Unis (DPF)", "United States (DPF)"),
                choice("other", "Autre pays", "Other country"),
            ]),
            references: vec![],
            criteria: vec![],
            levels: vec![],
            applicable_when: vec![],
            extensions: vec![Extension {
                key: "tags".into(),
                value: tags.into(),
            }],
        }
    }

    fn proposed(q: &Question, country: &str) -> Option<String> {
        supplier_country_choice(q, country).map(|c| c.id.clone())
    }

    #[test]
    fn a_tagged_question_takes_the_supplier_country_by_code_name_or_eea() {
        let q = question("adequacy-list,supplier-country");
        assert_eq!(proposed(&q, "TN").as_deref(), Some("tn"));
        assert_eq!(proposed(&q, " tunisie ").as_deref(), Some("tn"));
        assert_eq!(proposed(&q, "Tunisia").as_deref(), Some("tn"));
        assert_eq!(proposed(&q, "united states").as_deref(), Some("us"));
        assert_eq!(proposed(&q, "FR").as_deref(), Some("eea"));
        assert_eq!(proposed(&q, "se").as_deref(), Some("eea"));
    }

    #[test]
    fn nothing_is_proposed_unless_sure() {
        let q = question("adequacy-list,supplier-country");
        // Unknown, empty, or only a part of a name.
        assert_eq!(proposed(&q, "VN"), None);
        assert_eq!(proposed(&q, "  "), None);
        assert_eq!(proposed(&q, "Tun"), None);
        assert_eq!(proposed(&q, "United"), None);
        // A question without the tag is never prefilled.
        let untagged = question("adequacy-list");
        assert_eq!(proposed(&untagged, "TN"), None);
    }
}
