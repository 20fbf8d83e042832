//! NIS2 supplier criteria: the questionnaire of `questionnaires/nis2-suppliers`
//! and the rules of its `RULES.md` — certificate dates, the client's NIS2
//! class and fine ceiling, and the seed's three scenarios as the verdict.

use vigie_plugin_sdk::wit::{self, Status, YesNo};
use vigie_plugin_sdk::{
    Assessment, Content, Plugin, Sheet, days_between, extension, finding, fmt_date, localized,
    to_wit_text, wit_text,
};

vigie_plugin_sdk::include_content!();

pub struct Nis2;

/// R-ISO-1 and R-ISO-3: rationales for the certificate criterion.
fn certificate_rationale(sheet: &Sheet, result: &mut Assessment) -> bool {
    let a = &sheet.context.assessment_date;
    let expired = sheet.date("iso-expiry").filter(|d| days_between(a, d) < 0);
    if let Some(expiry) = expired {
        let (e, a) = (fmt_date(&expiry), fmt_date(a));
        result.set(
            Status::NonCompliant,
            localized(sheet.languages(), |lang| match lang {
                "fr" => format!("Certificat ISO 27001 expiré le {e} (évaluation du {a}) : il ne prouve plus la conformité."),
                _ => format!("ISO 27001 certificate expired on {e} (assessment of {a}): it no longer evidences compliance."),
            }),
        );
        return true;
    }
    if result.status != Status::NonCompliant {
        return false;
    }
    let rationale = if sheet.yes_no("iso-certified") == Some(YesNo::No) {
        Some(localized(sheet.languages(), |lang| match lang {
            "fr" => "Aucun certificat ISO 27001.".to_string(),
            _ => "No ISO 27001 certificate.".to_string(),
        }))
    } else if sheet.choice("iso-standard-version") == Some("iso27001-2013") {
        Some(localized(sheet.languages(), |lang| {
            match lang {
            "fr" => "Certificat sur l'édition 2013, dont la période de transition a pris fin le 31 octobre 2025.".to_string(),
            _ => "Certificate on the 2013 edition, whose transition period ended on 31 October 2025.".to_string(),
        }
        }))
    } else if let Some(last) = sheet
        .date("iso-last-surveillance")
        .filter(|d| days_between(d, a) > 400)
    {
        let days = days_between(&last, a);
        let d = fmt_date(&last);
        Some(localized(sheet.languages(), |lang| match lang {
            "fr" => {
                format!("Dernier audit de surveillance le {d}, il y a {days} jours (plus de 400).")
            }
            _ => format!("Last surveillance audit on {d}, {days} days ago (over 400)."),
        }))
    } else {
        None
    };
    if let Some(r) = rationale {
        result.rationale = r;
    }
    false
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Size {
    Small,
    Medium,
    Large,
    Unknown,
}

fn client_size(sheet: &Sheet) -> Size {
    let staff = sheet.number("client-staff");
    let turnover = sheet.number("client-turnover");
    let balance = sheet.number("client-balance");
    let large = staff.is_some_and(|s| s >= 250.0)
        || (turnover.is_some_and(|t| t > 50.0) && balance.is_some_and(|b| b > 43.0));
    if large {
        return Size::Large;
    }
    let medium = staff.is_some_and(|s| s >= 50.0)
        || (turnover.is_some_and(|t| t > 10.0) && balance.is_some_and(|b| b > 10.0));
    if medium {
        return Size::Medium;
    }
    // Small only when the figures that could make it bigger are all known.
    if staff.is_some() && turnover.is_some() && balance.is_some() {
        Size::Small
    } else {
        Size::Unknown
    }
}

/// The client's NIS2 class derived from the scope answers, with the rule used.
fn derived_class(sheet: &Sheet) -> (&'static str, &'static str) {
    let size = client_size(sheet);
    let special = sheet.choice("client-special-case");
    let sector_tags = sheet.choice_tags("client-sector");
    let at_least_medium = matches!(size, Size::Medium | Size::Large);
    match special {
        Some("trust-dns-tld" | "central-government" | "cer-critical" | "designated-essential") => {
            return ("essential", "art. 3(1)(b)-(f)");
        }
        Some("public-ecomms") if at_least_medium => return ("essential", "art. 3(1)(c)"),
        Some("public-ecomms") if size == Size::Small => return ("important", "art. 3(2)"),
        _ => {}
    }
    if sector_tags.contains(&"annex-i") && size == Size::Large {
        return ("essential", "art. 3(1)(a)");
    }
    if (sector_tags.contains(&"annex-i") || sector_tags.contains(&"annex-ii")) && at_least_medium {
        return ("important", "art. 3(2)");
    }
    if sheet.yes_no("client-ecosystem") == Some(YesNo::Yes) {
        return ("ecosystem", "art. 21(2)(d)");
    }
    if size != Size::Unknown {
        return ("out-of-scope", "art. 2(1)");
    }
    ("unknown", "")
}

/// Adds the scope extensions (class, fine ceiling) and the class-check finding.
fn scope(sheet: &Sheet, evaluation: &mut wit::Evaluation) {
    let (derived, rule) = derived_class(sheet);
    evaluation
        .extensions
        .push(extension("client-entity-class-derived", derived));
    // Proposed to the auditor at `client-entity-class`, to confirm rather
    // than work out (the host shows it at the question).
    if derived != "unknown" {
        evaluation.extensions.extend([
            extension("suggested-answer.client-entity-class", derived),
            extension("suggested-answer-basis.client-entity-class", rule),
        ]);
    }
    let stated = sheet.choice("client-entity-class");
    let class = stated.unwrap_or(derived);
    if let Some(stated) = stated
        && stated != derived
        && derived != "unknown"
    {
        evaluation.findings.push(finding(
            "scope-class-check",
            None,
            wit::Severity::Info,
            to_wit_text(localized(sheet.languages(), |lang| match lang {
                "fr" => "Classe NIS2 du client à confirmer".to_string(),
                _ => "Client's NIS2 class to confirm".to_string(),
            })),
            to_wit_text(localized(sheet.languages(), |lang| match lang {
                "fr" => format!("Les réponses de périmètre donnent « {derived} » ({rule}) alors que la classe déclarée est « {stated} » : confirmer (une désignation nationale peut l'expliquer)."),
                _ => format!("The scope answers give \"{derived}\" ({rule}) while the stated class is \"{stated}\": please confirm (a national designation may explain it)."),
            })),
            None,
        ));
    }
    let turnover = sheet
        .number("client-group-turnover")
        .or_else(|| sheet.number("client-turnover"));
    let ceiling = match class {
        "essential" => Some(f64::max(
            10_000_000.0,
            turnover.map_or(0.0, |t| 0.02 * t * 1_000_000.0),
        )),
        "important" => Some(f64::max(
            7_000_000.0,
            turnover.map_or(0.0, |t| 0.014 * t * 1_000_000.0),
        )),
        _ => None,
    };
    if let Some(ceiling) = ceiling {
        evaluation.extensions.push(extension(
            "client-fine-ceiling-eur",
            format!("{:.0}", ceiling.round()),
        ));
    }
}

impl Plugin for Nis2 {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(sheet: &Sheet) -> Result<wit::Evaluation, String> {
        let content = sheet.content;
        let mut results = sheet.assess_all();
        let c1 = content
            .criterion_index("c1-iso27001")
            .ok_or("content lacks c1-iso27001")?;
        let expired = certificate_rationale(sheet, &mut results[c1]);

        // S: the applicable seed-criterion questions.
        let seed: Vec<usize> = sheet.tagged_questions("seed-criterion").collect();
        let declined = seed
            .iter()
            .filter(|&&i| matches!(sheet.answer_at(i), Some(wit::AnswerValue::Declined)))
            .count();
        let answered = seed
            .iter()
            .filter(|&&i| {
                sheet
                    .answer_at(i)
                    .is_some_and(|v| !matches!(v, wit::AnswerValue::Declined))
            })
            .count();
        // D: every applicable question about the supplier (outside the
        // client's own scope section) that the supplier declined.
        let scope_section = content.sections.iter().position(|s| s.id == "scope");
        let declined_anywhere = content
            .questions
            .iter()
            .enumerate()
            .filter(|(i, q)| Some(q.section) != scope_section && sheet.applies_at(*i))
            .filter(|&(i, _)| matches!(sheet.answer_at(i), Some(wit::AnswerValue::Declined)))
            .count();
        // Seed scenario 2: refusing to share all *or part* of the evidence.
        let refuses = matches!(
            sheet.yes_no("shares-evidence"),
            Some(YesNo::No | YesNo::Partial)
        ) || declined_anywhere > 0;
        // Complete before compliant: every criterion that applies, the
        // art. 21(2), 21(3) and 23 ones included, is compliant.
        let all_compliant = results
            .iter()
            .all(|r| matches!(r.status, Status::Compliant | Status::NotApplicable));
        let (verdict, gate) = if sheet.choice("aware-of-nis2") == Some("unaware") {
            ("unaware", "V1")
        } else if refuses {
            ("refuses", "V2")
        } else if all_compliant {
            ("compliant", "V3")
        } else if 2 * answered < seed.len() {
            ("not-assessed", "V4")
        } else {
            ("in-progress", "V5")
        };

        let mut evaluation = sheet.finish(results, verdict)?;
        if expired
            && let Some(f) = evaluation
                .findings
                .iter_mut()
                .find(|f| f.id == "c1-iso27001")
        {
            f.deadline_days = Some(90);
        }
        let a = sheet.context.assessment_date;
        if let Some(expiry) = sheet.date("iso-expiry") {
            let days = days_between(&a, &expiry);
            if (0..=90).contains(&days) {
                let e = fmt_date(&expiry);
                evaluation.findings.push(finding(
                    "iso-renewal-due",
                    None,
                    wit::Severity::Low,
                    to_wit_text(localized(sheet.languages(), |lang| match lang {
                        "fr" => format!("Certificat ISO 27001 à renouveler avant le {e}"),
                        _ => format!("ISO 27001 certificate to renew before {e}"),
                    })),
                    to_wit_text(localized(sheet.languages(), |lang| match lang {
                        "fr" => {
                            "Demander le rapport d'audit de recertification avant l'expiration."
                                .to_string()
                        }
                        _ => "Ask for the recertification audit report before expiry.".to_string(),
                    })),
                    u32::try_from(days).ok(),
                ));
            }
        }
        if let Some(v) = content
            .verdict(verdict)
            .filter(|_| matches!(verdict, "unaware" | "refuses"))
        {
            let (id, severity) = if verdict == "unaware" {
                ("scenario-unaware", wit::Severity::Critical)
            } else {
                ("scenario-refuses", wit::Severity::High)
            };
            evaluation.findings.push(finding(
                id,
                None,
                severity,
                wit_text(v.label),
                wit_text(v.summary),
                Some(30),
            ));
        }
        scope(sheet, &mut evaluation);
        if sheet.includes("supplier-sites", "outside-eu") == Some(true) {
            evaluation.extensions.push(extension("offshore", "true"));
        }
        evaluation
            .extensions
            .push(extension("seed-questions", seed.len()));
        evaluation
            .extensions
            .push(extension("seed-answered", answered));
        evaluation
            .extensions
            .push(extension("seed-declined", declined));
        evaluation
            .extensions
            .push(extension("declined-questions", declined_anywhere));
        evaluation.extensions.push(extension("verdict-rule", gate));
        vigie_plugin_sdk::sort_findings(&mut evaluation.findings);
        Ok(evaluation)
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(Nis2);
