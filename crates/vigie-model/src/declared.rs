//! What a verdict rests on when the supplier's own declarations (a self-assessment workbook)
//! stand in for answers the auditor has not given: one wording for the workbench, the command
//! line and the reports.

use crate::Lang;

/// "based on 41 supplier declarations not yet verified" / "fondé sur 41 déclarations du
/// fournisseur non vérifiées": said beside a verdict that rests on `unverified` declarations
/// the auditor has not confirmed or replaced; `None` when it rests on none.
pub fn unverified_basis(lang: Lang, unverified: usize) -> Option<String> {
    if unverified == 0 {
        return None;
    }
    let one = unverified == 1;
    Some(match lang {
        Lang::Fr => format!(
            "fondé sur {unverified} {} du fournisseur non {}",
            if one { "déclaration" } else { "déclarations" },
            if one { "vérifiée" } else { "vérifiées" }
        ),
        Lang::En => format!(
            "based on {unverified} supplier {} not yet verified",
            if one { "declaration" } else { "declarations" }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_basis_agrees_with_its_number_in_both_languages() {
        assert_eq!(unverified_basis(Lang::En, 0), None);
        assert_eq!(unverified_basis(Lang::Fr, 0), None);
        assert_eq!(
            unverified_basis(Lang::En, 1).as_deref(),
            Some("based on 1 supplier declaration not yet verified")
        );
        assert_eq!(
            unverified_basis(Lang::En, 41).as_deref(),
            Some("based on 41 supplier declarations not yet verified")
        );
        assert_eq!(
            unverified_basis(Lang::Fr, 1).as_deref(),
            Some("fondé sur 1 déclaration du fournisseur non vérifiée")
        );
        assert_eq!(
            unverified_basis(Lang::Fr, 41).as_deref(),
            Some("fondé sur 41 déclarations du fournisseur non vérifiées")
        );
    }
}
