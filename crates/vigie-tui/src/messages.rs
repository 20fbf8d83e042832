//! Words of the workbench that depend on a number, in the auditor's language: one
//! place for their singular and plural.
//! Fixed words are chosen with [`Lang::pick`] where they are shown.

use vigie_model::Lang;

/// "1 évaluation", "3 assessments".
pub fn assessments(lang: Lang, count: u64) -> String {
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    match lang {
        Lang::Fr => lang.count(count, "évaluation", "évaluations"),
        Lang::En => lang.count(count, "assessment", "assessments"),
    }
}

/// "1 constat", "2 findings".
pub fn findings(lang: Lang, count: usize) -> String {
    match lang {
        Lang::Fr => lang.count(count, "constat", "constats"),
        Lang::En => lang.count(count, "finding", "findings"),
    }
}

/// "1 preuve jointe", "2 evidence items".
pub fn evidence_items(lang: Lang, count: usize) -> String {
    match lang {
        Lang::Fr => lang.count(count, "preuve jointe", "preuves jointes"),
        Lang::En => lang.count(count, "evidence item", "evidence items"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(assessments(Lang::En, 1), "1 assessment");
        assert_eq!(assessments(Lang::En, 0), "0 assessments");
        assert_eq!(assessments(Lang::Fr, 1), "1 évaluation");
        assert_eq!(assessments(Lang::Fr, 2), "2 évaluations");
        assert_eq!(findings(Lang::En, 1), "1 finding");
        assert_eq!(findings(Lang::En, 3), "3 findings");
        assert_eq!(findings(Lang::Fr, 0), "0 constats");
        assert_eq!(findings(Lang::Fr, 1), "1 constat");
        assert_eq!(evidence_items(Lang::En, 1), "1 evidence item");
        assert_eq!(evidence_items(Lang::Fr, 2), "2 preuves jointes");
    }
}
