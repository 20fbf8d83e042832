//! GDPR processors and transfers for offshore customer-service centres: the
//! questionnaire of `questionnaires/gdpr-offshore` and the rules of its
//! `RULES.md` — transfer lawfulness by destination tag (with DPF for the
//! United States), the missing Art. 28 contract, SCC module consistency, and
//! the verdict compliant / remediate / suspend-transfer / not-assessed.

use vigie_plugin_sdk::wit::{self, AnswerValue, Status, YesNo};
use vigie_plugin_sdk::{
    Assessment, Content, Outcome, Plugin, Sheet, days_between, extension, finding, fmt_date,
    localized, parse_date, sort_findings, text_in, to_wit_text, wit_text,
};

vigie_plugin_sdk::include_content!();

pub struct Gdpr;

/// The eight criteria of the Art. 28(3) stipulations (points (a) to (h)).
const ART_28_3: [&str; 8] = [
    "a28-3-a", "a28-3-b", "a28-3-c", "a28-3-d", "a28-3-e", "a28-3-f", "a28-3-g", "a28-3-h",
];

/// The questions `transfers` is rolled up on when an adequacy decision
/// covers the destination (R1 case 3).
const ADEQUACY_QUESTIONS: [&str; 2] = ["transfer-mapping", "clause-transfers"];

/// `(lang, text)` pairs from a French and an English text.
fn fr_en(sheet: &Sheet, fr: &str, en: &str) -> Vec<(String, String)> {
    localized(sheet.languages(), |lang| match lang {
        "fr" => fr.to_string(),
        _ => en.to_string(),
    })
}

/// Whether an applicable question has an answer other than `declined`.
fn answered(sheet: &Sheet, question: &str) -> bool {
    sheet
        .answer(question)
        .is_some_and(|v| !matches!(v, AnswerValue::Declined))
}

fn criterion(content: &Content, id: &str) -> Result<usize, String> {
    content
        .criterion_index(id)
        .ok_or_else(|| format!("content lacks criterion `{id}`"))
}

/// The label of choice `id` of `question` in `lang` (the id when unknown).
fn choice_label(sheet: &Sheet, question: &str, id: &str, lang: &str) -> String {
    sheet
        .content
        .question_index(question)
        .and_then(|qi| {
            sheet.content.questions[qi]
                .choices
                .iter()
                .find(|c| c.id == id)
        })
        .map_or_else(|| id.to_string(), |c| text_in(c.label, lang).to_string())
}

/// R1 case 3: worst-wins roll-up of `transfers` over `transfer-mapping` and
/// `clause-transfers` only (the transfer rests on Art. 45).
fn adequacy_rollup(sheet: &Sheet, index: usize, tool: &str) -> Assessment {
    let content = sheet.content;
    let (mut total, mut points) = (0.0, 0.0);
    let (mut not_met, mut doubtful, mut answered_count) = (Vec::new(), Vec::new(), 0);
    for id in ADEQUACY_QUESTIONS {
        let Some(qi) = content
            .question_index(id)
            .filter(|&qi| sheet.applies_at(qi))
        else {
            continue;
        };
        let weight = f64::from(content.questions[qi].weight.max(1));
        total += weight;
        match sheet.outcome(qi) {
            None => doubtful.push(id),
            Some(outcome) => {
                answered_count += 1;
                points += weight * outcome.points();
                match outcome {
                    Outcome::Met => {}
                    Outcome::NotMet => not_met.push(id),
                    Outcome::Partial | Outcome::Unknown | Outcome::Declined => doubtful.push(id),
                }
            }
        }
    }
    let (status, score) = if total == 0.0 {
        (Status::NotApplicable, None)
    } else if answered_count == 0 {
        (Status::NotAssessed, None)
    } else if !not_met.is_empty() {
        (
            Status::NonCompliant,
            Some((points / total * 10.0).round() / 10.0),
        )
    } else if !doubtful.is_empty() {
        (
            Status::ToVerify,
            Some((points / total * 10.0).round() / 10.0),
        )
    } else {
        (
            Status::Compliant,
            Some((points / total * 10.0).round() / 10.0),
        )
    };
    let quoted = |lang: &str, ids: &[&str]| {
        ids.iter()
            .map(|id| {
                if lang == "fr" {
                    format!("« {id} »")
                } else {
                    format!("\"{id}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rationale = localized(sheet.languages(), |lang| {
        let tool = choice_label(sheet, "transfer-tool", tool, lang);
        let detail = match (lang, status) {
            ("fr", Status::Compliant) => "tout est satisfait.".to_string(),
            ("fr", Status::NonCompliant) => format!("non satisfait : {}.", quoted(lang, &not_met)),
            ("fr", Status::ToVerify) => format!("à vérifier : {}.", quoted(lang, &doubtful)),
            ("fr", _) => "aucune réponse.".to_string(),
            (_, Status::Compliant) => "all checks are met.".to_string(),
            (_, Status::NonCompliant) => format!("not met: {}.", quoted(lang, &not_met)),
            (_, Status::ToVerify) => format!("to verify: {}.", quoted(lang, &doubtful)),
            _ => "no answer.".to_string(),
        };
        match lang {
            "fr" => format!(
                "Destination couverte par une décision d'adéquation (art. 45) : le transfert repose sur elle quel que soit l'outil déclaré (« transfer-tool » = « {tool} ») ; évalué sur « transfer-mapping » et « clause-transfers » : {detail}"
            ),
            _ => format!(
                "Destination covered by an adequacy decision (Art. 45): the transfer rests on it whatever tool was stated (\"transfer-tool\" = \"{tool}\"); assessed on \"transfer-mapping\" and \"clause-transfers\": {detail}"
            ),
        }
    });
    Assessment {
        criterion: index,
        status,
        score,
        rationale,
    }
}

/// R1 case 5: why a transfer to a destination without adequacy is unlawful,
/// as `(fr, en)`, or `None` when the tool stated may be valid.
fn unlawful_trigger(sheet: &Sheet, tool: Option<&str>) -> Option<(String, String)> {
    let no = |q: &str| sheet.yes_no(q) == Some(YesNo::No);
    let (fr, en) = match tool? {
        "none" => (
            "aucun outil de transfert (« transfer-tool » = aucun)".to_string(),
            "no transfer tool (\"transfer-tool\" = none)".to_string(),
        ),
        "adequacy" => (
            "« transfer-tool » invoque une décision d'adéquation, mais aucune ne couvre cette destination ou cet importateur"
                .to_string(),
            "\"transfer-tool\" relies on an adequacy decision, but none covers this destination or importer".to_string(),
        ),
        "derogation" if no("derogation-occasional") => (
            "dérogation de l'art. 49 utilisée pour un traitement systématique (« derogation-occasional » = non), alors que les dérogations sont des exceptions d'interprétation stricte (CEPD, lignes directrices 2/2018)".to_string(),
            "Art. 49 derogation used for systematic processing (\"derogation-occasional\" = no), whereas derogations are narrow exceptions (EDPB Guidelines 2/2018)".to_string(),
        ),
        "scc" if no("scc-signed") || no("old-scc-replaced") => {
            let mut fr = Vec::new();
            let mut en = Vec::new();
            if no("scc-signed") {
                fr.push("clauses contractuelles types non signées (« scc-signed » = non)");
                en.push("standard contractual clauses not signed (\"scc-signed\" = no)");
            }
            if no("old-scc-replaced") {
                fr.push("anciennes clauses antérieures à 2021 toujours utilisées (« old-scc-replaced » = non), qui ne valent plus garanties depuis le 27 décembre 2022 (décision 2021/914, art. 4(4))");
                en.push("pre-2021 clauses still relied on (\"old-scc-replaced\" = no), which stopped counting as safeguards on 27 December 2022 (Decision 2021/914, Art. 4(4))");
            }
            (fr.join(" ; "), en.join("; "))
        }
        "bcr" if no("bcr-approved") => (
            "BCR non approuvées (« bcr-approved » = non)".to_string(),
            "BCRs not approved (\"bcr-approved\" = no)".to_string(),
        ),
        _ => return None,
    };
    Some((fr, en))
}

/// R1 case 5b: why a transfer to a destination without adequacy cannot be
/// shown to rest on a valid tool, as `(fr, en)`: the tool itself, or the
/// answer that makes it valid, is unknown or was declined.
fn unproven_trigger(sheet: &Sheet, tool: Option<&str>) -> Option<(String, String)> {
    let unshown = |q: &str| sheet.is_declined(q) || sheet.yes_no(q) == Some(YesNo::Unknown);
    let tool_unshown = match tool {
        Some("unknown") => true,
        None => sheet.is_declined("transfer-tool"),
        _ => false,
    };
    let (fr, en) = if tool_unshown {
        (
            "l'outil de transfert n'est pas connu ou n'a pas été communiqué (« transfer-tool »)",
            "the transfer tool is unknown or was not disclosed (\"transfer-tool\")",
        )
    } else if tool == Some("scc") && unshown("scc-signed") {
        (
            "la signature des clauses contractuelles types n'est pas démontrée (« scc-signed » inconnu ou refusé)",
            "the signature of the standard contractual clauses is not shown (\"scc-signed\" unknown or declined)",
        )
    } else if tool == Some("bcr") && unshown("bcr-approved") {
        (
            "l'approbation des BCR n'est pas démontrée (« bcr-approved » inconnu ou refusé)",
            "the approval of the BCRs is not shown (\"bcr-approved\" unknown or declined)",
        )
    } else {
        return None;
    };
    Some((fr.to_string(), en.to_string()))
}

/// What R1 concludes about the transfer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Transfer {
    /// Lawful, or not decided by R1 (the generic statuses decide).
    Open,
    /// No adequacy and the answer that makes the tool valid is not given yet:
    /// too early to conclude (R4 `not-assessed`).
    Pending,
    /// No adequacy and no valid tool shown: the transfer must stop.
    Unlawful,
}

/// R1: transfers and TIA by destination.
fn transfers_rule(sheet: &Sheet, results: &mut [Assessment]) -> Result<Transfer, String> {
    let content = sheet.content;
    let transfers = criterion(content, "transfers")?;
    let tia = criterion(content, "tia")?;
    // Case 1: destination unanswered — the generic statuses stay. A
    // destination the centre refuses to disclose is treated as a country
    // without adequacy: a refusal must not look better than the answer.
    let destination = sheet.choice("destination-country");
    let undisclosed = sheet.is_declined("destination-country");
    if destination.is_none() && !undisclosed {
        return Ok(Transfer::Open);
    }
    let tags: &[&str] = if undisclosed {
        &["no-adequacy"]
    } else {
        sheet.choice_tags("destination-country")
    };
    let dpf = sheet.yes_no("dpf-certified");
    let dpf_required = tags.contains(&"dpf-required");
    let tool = sheet.choice("transfer-tool");

    // Case 2: EEA, no transfer.
    if tags.contains(&"eea") {
        for index in [transfers, tia] {
            let r = &mut results[index];
            r.set(
                Status::NotApplicable,
                fr_en(
                    sheet,
                    "Centre situé dans l'EEE (« destination-country ») : pas de transfert hors de l'EEE.",
                    "Centre in the EEA (\"destination-country\"): no transfer outside the EEA.",
                ),
            );
        }
        return Ok(Transfer::Open);
    }

    let effective_adequacy =
        tags.contains(&"adequacy") && (!dpf_required || dpf == Some(YesNo::Yes));
    let no_adequacy = tags.contains(&"no-adequacy") || (dpf_required && dpf == Some(YesNo::No));
    let dpf_unconfirmed = dpf_required && !matches!(dpf, Some(YesNo::Yes | YesNo::No));

    // Case 3: effective adequacy. The transfer rests on Art. 45: no transfer
    // impact assessment is required (Clause 14 of the SCCs and the EDPB
    // roadmap concern countries without adequacy).
    if effective_adequacy {
        if let Some(tool @ ("adequacy" | "none" | "derogation")) = tool {
            results[transfers] = adequacy_rollup(sheet, transfers, tool);
        }
        if results[tia].status != Status::NotApplicable {
            results[tia].set(
                Status::NotApplicable,
                fr_en(
                    sheet,
                    "Destination couverte par une décision d'adéquation (art. 45) : aucune analyse d'impact du transfert n'est exigée.",
                    "Destination covered by an adequacy decision (Art. 45): no transfer impact assessment is required.",
                ),
            );
        }
        return Ok(Transfer::Open);
    }

    // Case 4: United States, DPF certification not confirmed.
    if dpf_unconfirmed {
        let r = &mut results[transfers];
        if tool == Some("adequacy") && r.status == Status::Compliant {
            r.set(
                Status::ToVerify,
                fr_en(
                    sheet,
                    "Certification DPF de l'importateur américain non confirmée (« dpf-certified ») alors que le transfert repose sur l'adéquation (« transfer-tool »).",
                    "DPF certification of the US importer not confirmed (\"dpf-certified\") while the transfer relies on adequacy (\"transfer-tool\").",
                ),
            );
        }
        return Ok(Transfer::Open);
    }

    // Case 5: no adequacy.
    if !no_adequacy {
        return Ok(Transfer::Open);
    }
    let Some((trigger_fr, trigger_en)) =
        unlawful_trigger(sheet, tool).or_else(|| unproven_trigger(sheet, tool))
    else {
        let decisive = match tool {
            Some("scc") => Some("scc-signed"),
            Some("bcr") => Some("bcr-approved"),
            _ => None,
        };
        if decisive.is_some_and(|q| sheet.applies(q) && sheet.answer(q).is_none()) {
            return Ok(Transfer::Pending);
        }
        return Ok(Transfer::Open);
    };
    let rationale = localized(sheet.languages(), |lang| {
        let label = match (destination, lang) {
            (Some(d), _) => choice_label(sheet, "destination-country", d, lang),
            (None, "fr") => "non communiquée".to_string(),
            (None, _) => "not disclosed".to_string(),
        };
        let us_without_dpf = dpf_required && dpf == Some(YesNo::No);
        match (lang, us_without_dpf) {
            ("fr", true) => format!(
                "Importateur aux États-Unis non certifié DPF (« dpf-certified » = non), traité comme un pays sans adéquation, et {trigger_fr} : transfert illicite (art. 44)."
            ),
            ("fr", false) => format!(
                "Destination sans décision d'adéquation (« destination-country » = « {label} ») et {trigger_fr} : transfert illicite (art. 44)."
            ),
            (_, true) => format!(
                "US importer not DPF-certified (\"dpf-certified\" = no), treated as a country without adequacy, and {trigger_en}: unlawful transfer (Art. 44)."
            ),
            (_, false) => format!(
                "Destination without an adequacy decision (\"destination-country\" = \"{label}\") and {trigger_en}: unlawful transfer (Art. 44)."
            ),
        }
    });
    results[transfers].set(Status::NonCompliant, rationale);
    Ok(Transfer::Unlawful)
}

/// R2: no written Art. 28 contract. Returns `contract_missing`.
fn contract_rule(sheet: &Sheet, results: &mut [Assessment]) -> Result<bool, String> {
    if sheet.yes_no("dpa-signed") != Some(YesNo::No) {
        return Ok(false);
    }
    for id in ART_28_3 {
        let index = criterion(sheet.content, id)?;
        results[index].set(
            Status::NonCompliant,
            fr_en(
                sheet,
                "Aucun contrat écrit de l'article 28 (« dpa-signed » = non) : aucune des stipulations de l'article 28(3) n'existe.",
                "No written Art. 28 contract (\"dpa-signed\" = no): none of the Art. 28(3) stipulations exists.",
            ),
        );
    }
    Ok(true)
}

/// The SCC module the roles call for, if any.
fn expected_module(client: &str, supplier: &str) -> Option<&'static str> {
    match (client, supplier) {
        ("controller", "processor") => Some("module-2"),
        ("processor", "processor" | "sub-processor") => Some("module-3"),
        ("controller", "controller" | "joint-controller") => Some("module-1"),
        _ => None,
    }
}

/// R3: SCC module consistency with the roles.
fn scc_module_rule(sheet: &Sheet, results: &mut [Assessment]) -> Result<(), String> {
    if sheet.choice("transfer-tool") != Some("scc") {
        return Ok(());
    }
    let (Some(AnswerValue::Choices(modules)), Some(client), Some(supplier)) = (
        sheet.answer("scc-modules"),
        sheet.choice("client-role"),
        sheet.choice("supplier-role"),
    ) else {
        return Ok(());
    };
    let Some(expected) = expected_module(client, supplier) else {
        return Ok(());
    };
    let transfers = criterion(sheet.content, "transfers")?;
    if modules.iter().any(|m| m == expected) || results[transfers].status != Status::Compliant {
        return Ok(());
    }
    let chosen = if modules.is_empty() {
        "—".to_string()
    } else {
        modules.join(", ")
    };
    results[transfers].set(
        Status::ToVerify,
        localized(sheet.languages(), |lang| match lang {
            "fr" => format!(
                "Module(s) des clauses contractuelles types {chosen} incohérent(s) avec les rôles (attendu : {expected}) — « scc-modules », « client-role » = {client}, « supplier-role » = {supplier}."
            ),
            _ => format!(
                "SCC module(s) {chosen} do not match the roles (expected {expected}) — \"scc-modules\", \"client-role\" = {client}, \"supplier-role\" = {supplier}."
            ),
        }),
    );
    Ok(())
}

/// R3b: a security certificate expired on the assessment date no longer
/// evidences the measures: `security` is at best to verify, and says why.
fn certificate_rule(sheet: &Sheet, results: &mut [Assessment]) -> Result<(), String> {
    let Some(expiry) = sheet.date("security-certification-expiry") else {
        return Ok(());
    };
    let assessed = sheet.context.assessment_date;
    if days_between(&assessed, &expiry) >= 0 {
        return Ok(());
    }
    let security = criterion(sheet.content, "security")?;
    let (e, a) = (fmt_date(&expiry), fmt_date(&assessed));
    let status = match results[security].status {
        Status::Compliant => Status::ToVerify,
        other => other,
    };
    results[security].set(
        status,
        localized(sheet.languages(), |lang| match lang {
            "fr" => format!(
                "Certificat de sécurité expiré le {e} (évaluation du {a}) : il n'atteste plus les mesures ; les vérifier directement ou obtenir le certificat renouvelé — « security-certification-expiry »."
            ),
            _ => format!(
                "Security certificate expired on {e} (assessment of {a}): it no longer attests the measures; check them directly or obtain the renewed certificate — \"security-certification-expiry\"."
            ),
        }),
    );
    Ok(())
}

/// R4 rule 2: whether too little is known to conclude.
fn not_assessed(sheet: &Sheet) -> bool {
    let content = sheet.content;
    let (given, declined) = sheet.answered_and_declined();
    if given == declined {
        return true;
    }
    if !answered(sheet, "dpa-signed") || !answered(sheet, "destination-country") {
        return true;
    }
    let transfers_section = content.sections.iter().position(|s| s.id == "transfers");
    if transfers_section.is_some_and(|s| sheet.section_applies(s))
        && !sheet.choice_tags("destination-country").contains(&"eea")
        && !answered(sheet, "transfer-tool")
    {
        return true;
    }
    let scored: Vec<usize> = (0..content.questions.len())
        .filter(|&qi| sheet.applies_at(qi) && !content.questions[qi].criteria.is_empty())
        .collect();
    let unanswered = scored
        .iter()
        .filter(|&&qi| matches!(sheet.answer_at(qi), None | Some(AnswerValue::Declined)))
        .count();
    !scored.is_empty() && 2 * unanswered >= scored.len()
}

/// R5: the `adequacy-list-stale` finding, when the list is over a year old.
fn stale_list_finding(sheet: &Sheet) -> Option<wit::Finding> {
    if !answered(sheet, "destination-country")
        || sheet.choice_tags("destination-country").contains(&"eea")
    {
        return None;
    }
    let as_of = sheet
        .content
        .info
        .extensions
        .iter()
        .find(|(k, _)| *k == "adequacy-list-as-of")
        .map(|(_, v)| *v)?;
    let date = parse_date(as_of)?;
    if days_between(&date, &sheet.context.assessment_date) <= 365 {
        return None;
    }
    Some(finding(
        "adequacy-list-stale",
        None,
        wit::Severity::Info,
        to_wit_text(fr_en(
            sheet,
            "Liste des décisions d'adéquation à vérifier",
            "Adequacy list to check",
        )),
        to_wit_text(localized(sheet.languages(), |lang| match lang {
            "fr" => format!(
                "La liste des décisions d'adéquation utilisée date du {as_of} ; vérifier la liste actuelle de la Commission avant de s'appuyer sur le résultat."
            ),
            _ => format!(
                "The adequacy list used by this questionnaire is dated {as_of}; check the current Commission list before relying on the result."
            ),
        })),
        None,
    ))
}

impl Plugin for Gdpr {
    fn content() -> &'static Content {
        &CONTENT
    }

    fn evaluate(sheet: &Sheet) -> Result<wit::Evaluation, String> {
        let content = sheet.content;
        let mut results = sheet.assess_all();
        let transfer = transfers_rule(sheet, &mut results)?;
        let transfer_unlawful = transfer == Transfer::Unlawful;
        let contract_missing = contract_rule(sheet, &mut results)?;
        scc_module_rule(sheet, &mut results)?;
        certificate_rule(sheet, &mut results)?;

        // R4: verdict.
        let residual_risk = sheet.choice("tia-conclusion") == Some("residual-risk");
        let (verdict, gate) = if transfer_unlawful {
            ("suspend-transfer", "R4.1-transfer")
        } else if contract_missing {
            ("suspend-transfer", "R4.1-contract")
        } else if residual_risk {
            ("suspend-transfer", "R4.1-tia")
        } else if transfer == Transfer::Pending || not_assessed(sheet) {
            ("not-assessed", "R4.2")
        } else if results.iter().all(|r| {
            content.criteria[r.criterion].weight == 0
                || matches!(r.status, Status::Compliant | Status::NotApplicable)
        }) {
            ("compliant", "R4.3")
        } else {
            ("remediate", "R4.4")
        };

        // R5: findings.
        let mut evaluation = sheet.finish(results, verdict)?;
        if verdict == "suspend-transfer" {
            let v = content
                .verdict(verdict)
                .ok_or("content lacks verdict suspend-transfer")?;
            let criterion = if transfer_unlawful {
                "transfers"
            } else if contract_missing {
                "dpa-contract"
            } else {
                "tia"
            };
            evaluation.findings.insert(
                0,
                finding(
                    "transfer-suspension",
                    Some(criterion),
                    wit::Severity::Critical,
                    wit_text(v.label),
                    wit_text(v.summary),
                    Some(0),
                ),
            );
        }
        if let Some(f) = stale_list_finding(sheet) {
            evaluation.findings.push(f);
        }
        evaluation.extensions.push(extension("verdict-rule", gate));
        sort_findings(&mut evaluation.findings);
        Ok(evaluation)
    }
}

#[cfg(target_arch = "wasm32")]
vigie_plugin_sdk::export_plugin!(Gdpr);

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_plugin_sdk::wit::{Answer, Context, Date, Evaluation};

    fn yes_no(v: &str) -> AnswerValue {
        AnswerValue::YesNo(match v {
            "yes" => YesNo::Yes,
            "no" => YesNo::No,
            "partial" => YesNo::Partial,
            _ => YesNo::Unknown,
        })
    }

    /// A fully compliant centre in Morocco (SCC module 2), as `(question, value)`.
    fn base() -> Vec<(&'static str, AnswerValue)> {
        let choice = |c: &str| AnswerValue::Choice(c.to_string());
        let choices =
            |cs: &[&str]| AnswerValue::Choices(cs.iter().map(|c| c.to_string()).collect());
        let date = |year, month, day| AnswerValue::Date(Date { year, month, day });
        let mut answers = vec![
            ("supplier-role", choice("processor")),
            ("client-role", choice("controller")),
            ("own-purposes", yes_no("no")),
            ("processing-operations", choices(&["consultation"])),
            ("destination-country", choice("ma")),
            ("outbound-prospecting", yes_no("no")),
            ("confidentiality-signed-rate", AnswerValue::Integer(100)),
            ("mfa-coverage", choice("all")),
            ("log-retention-days", AnswerValue::Integer(365)),
            ("remote-work", choice("none")),
            ("security-certification", choice("iso27001-in-scope")),
            ("security-certification-expiry", date(2027, 6, 30)),
            ("breach-delay-hours", AnswerValue::Integer(24)),
            ("rights-forward-days", AnswerValue::Integer(2)),
            ("subprocessor-authorisation", choice("specific")),
            ("end-delay-days", AnswerValue::Integer(30)),
            ("last-audit-date", date(2026, 4, 14)),
            ("transfer-tool", choice("scc")),
            ("scc-modules", choices(&["module-2"])),
            ("tia-date", date(2026, 2, 10)),
            ("tia-conclusion", choice("measures-effective")),
            ("supplementary-measures", choices(&["contractual"])),
        ];
        for q in [
            "processing-record",
            "dpa-signed",
            "dpa-particulars",
            "clause-instructions",
            "unlawful-instruction-alert",
            "clause-confidentiality",
            "staff-training",
            "clause-security",
            "clause-subprocessing",
            "clause-rights-assistance",
            "clause-assist-32-36",
            "clause-breach-notification",
            "clause-end-of-contract",
            "clause-audits",
            "encryption-in-transit",
            "encryption-at-rest",
            "access-control",
            "access-logging",
            "workstation-controls",
            "security-testing",
            "backup-restore",
            "breach-procedure",
            "breach-contact",
            "breach-content",
            "breach-exercise",
            "rights-forwarding",
            "uses-subprocessors",
            "subprocessor-list",
            "subprocessor-flowdown",
            "subprocessor-transfer-safeguards",
            "end-choice",
            "end-all-copies",
            "end-certificate",
            "routine-deletion",
            "audit-onsite",
            "audit-mandated-auditor",
            "compliance-documentation",
            "dpf-certified",
            "transfer-mapping",
            "scc-signed",
            "scc-annexes",
            "old-scc-replaced",
            "clause-transfers",
            "tia-done",
            "tia-scope",
            "tia-review",
            "authority-requests-procedure",
        ] {
            answers.push((q, yes_no("yes")));
        }
        answers
    }

    fn run_at(changes: &[(&'static str, Option<AnswerValue>)], date: Date) -> Evaluation {
        let mut answers = base();
        for (q, v) in changes {
            answers.retain(|(id, _)| id != q);
            if let Some(v) = v {
                answers.push((q, v.clone()));
            }
        }
        let answers: Vec<Answer> = answers
            .into_iter()
            .map(|(question, value)| Answer {
                question: question.to_string(),
                value,
                note: None,
            })
            .collect();
        let context = Context {
            assessment_date: date,
            language: "fr".into(),
            level: None,
            extensions: vec![],
        };
        vigie_plugin_sdk::evaluate::<Gdpr>(&answers, &context).expect("evaluation")
    }

    fn run(changes: &[(&'static str, Option<AnswerValue>)]) -> Evaluation {
        run_at(
            changes,
            Date {
                year: 2026,
                month: 11,
                day: 23,
            },
        )
    }

    fn set(q: &'static str, v: AnswerValue) -> (&'static str, Option<AnswerValue>) {
        (q, Some(v))
    }

    fn choice(q: &'static str, c: &str) -> (&'static str, Option<AnswerValue>) {
        set(q, AnswerValue::Choice(c.to_string()))
    }

    fn status(e: &Evaluation, criterion: &str) -> Status {
        e.criteria
            .iter()
            .find(|c| c.criterion == criterion)
            .expect("criterion")
            .status
    }

    #[test]
    fn base_is_compliant() {
        let e = run(&[]);
        assert_eq!(e.verdict.id, "compliant");
        assert!(e.findings.is_empty(), "{:?}", e.findings);
    }

    /// R3b: an expired certificate keeps `security` from compliant and
    /// says why; on the assessment date itself it is still valid; a worse
    /// status is kept.
    #[test]
    fn expired_certificate_makes_security_to_verify() {
        let date = |year, month, day| AnswerValue::Date(Date { year, month, day });
        let e = run(&[set("security-certification-expiry", date(2026, 9, 30))]);
        assert_eq!(status(&e, "security"), Status::ToVerify);
        let r = e
            .criteria
            .iter()
            .find(|c| c.criterion == "security")
            .expect("security");
        assert!(
            r.rationale
                .iter()
                .any(|t| t.text.contains("expired on 2026-09-30")),
            "{:?}",
            r.rationale
        );
        let e = run(&[set("security-certification-expiry", date(2026, 11, 23))]);
        assert_eq!(status(&e, "security"), Status::Compliant);
        let e = run(&[
            set("security-certification-expiry", date(2026, 9, 30)),
            set("encryption-in-transit", AnswerValue::YesNo(YesNo::No)),
        ]);
        assert_eq!(status(&e, "security"), Status::NonCompliant);
    }

    #[test]
    fn eea_has_no_transfer() {
        let e = run(&[choice("destination-country", "eea")]);
        assert_eq!(status(&e, "transfers"), Status::NotApplicable);
        assert_eq!(status(&e, "tia"), Status::NotApplicable);
        let t = e
            .criteria
            .iter()
            .find(|c| c.criterion == "transfers")
            .unwrap();
        assert!(
            t.rationale
                .iter()
                .any(|r| r.text.contains("no transfer outside the EEA"))
        );
        assert_eq!(t.score, None);
        assert_eq!(e.verdict.id, "compliant");
    }

    #[test]
    fn adequacy_ignores_the_tool() {
        let e = run(&[
            choice("destination-country", "jp"),
            choice("transfer-tool", "none"),
        ]);
        assert_eq!(status(&e, "transfers"), Status::Compliant);
        assert_eq!(status(&e, "tia"), Status::NotApplicable);
        assert_eq!(e.verdict.id, "compliant");
        let e = run(&[
            choice("destination-country", "jp"),
            choice("transfer-tool", "derogation"),
            set("derogation-occasional", yes_no("no")),
            set("clause-transfers", yes_no("partial")),
        ]);
        assert_eq!(status(&e, "transfers"), Status::ToVerify);
        assert_eq!(e.verdict.id, "remediate");
    }

    #[test]
    fn united_states_and_dpf() {
        let us = choice("destination-country", "us");
        let adequacy = choice("transfer-tool", "adequacy");
        let e = run(&[us.clone(), adequacy.clone()]);
        assert_eq!(status(&e, "transfers"), Status::Compliant);
        assert_eq!(e.verdict.id, "compliant");
        let e = run(&[
            us.clone(),
            adequacy.clone(),
            set("dpf-certified", yes_no("unknown")),
        ]);
        assert_eq!(status(&e, "transfers"), Status::ToVerify);
        assert_eq!(e.verdict.id, "remediate");
        let e = run(&[us.clone(), adequacy.clone(), ("dpf-certified", None)]);
        assert_eq!(status(&e, "transfers"), Status::ToVerify);
        let e = run(&[us.clone(), adequacy, set("dpf-certified", yes_no("no"))]);
        assert_eq!(status(&e, "transfers"), Status::NonCompliant);
        assert_eq!(e.verdict.id, "suspend-transfer");
        assert_eq!(e.findings[0].id, "transfer-suspension");
        assert_eq!(e.findings[0].criterion.as_deref(), Some("transfers"));
        assert_eq!(e.findings[0].deadline_days, Some(0));
        // SCC to the US without DPF: allowed when signed.
        let e = run(&[us, set("dpf-certified", yes_no("no"))]);
        assert_eq!(e.verdict.id, "compliant");
    }

    #[test]
    fn unlawful_tools_without_adequacy() {
        let e = run(&[choice("transfer-tool", "adequacy")]);
        assert_eq!(status(&e, "transfers"), Status::NonCompliant);
        assert_eq!(e.verdict.id, "suspend-transfer");
        let e = run(&[set("old-scc-replaced", yes_no("no"))]);
        assert_eq!(e.verdict.id, "suspend-transfer");
        let e = run(&[
            choice("transfer-tool", "bcr"),
            set("bcr-approved", yes_no("no")),
        ]);
        assert_eq!(e.verdict.id, "suspend-transfer");
        let e = run(&[
            choice("transfer-tool", "derogation"),
            set("derogation-occasional", yes_no("no")),
        ]);
        assert_eq!(status(&e, "transfers"), Status::NonCompliant);
        assert_eq!(e.verdict.id, "suspend-transfer");
        let e = run(&[
            choice("transfer-tool", "derogation"),
            set("derogation-occasional", yes_no("unknown")),
        ]);
        assert_eq!(status(&e, "transfers"), Status::ToVerify);
        assert_eq!(e.verdict.id, "remediate");
    }

    #[test]
    fn missing_contract_suspends() {
        let e = run(&[set("dpa-signed", yes_no("no"))]);
        assert_eq!(status(&e, "dpa-contract"), Status::NonCompliant);
        for id in ART_28_3 {
            assert_eq!(status(&e, id), Status::NonCompliant, "{id}");
        }
        assert_eq!(e.verdict.id, "suspend-transfer");
        assert_eq!(e.findings[0].id, "transfer-suspension");
        assert_eq!(e.findings[0].criterion.as_deref(), Some("dpa-contract"));
        let e = run(&[set("dpa-signed", yes_no("unknown"))]);
        assert_eq!(status(&e, "a28-3-a"), Status::Compliant);
        assert_eq!(e.verdict.id, "remediate");
        let e = run(&[set("dpa-signed", AnswerValue::Declined)]);
        assert_eq!(e.verdict.id, "not-assessed");
    }

    #[test]
    fn residual_risk_suspends() {
        let e = run(&[choice("tia-conclusion", "residual-risk")]);
        assert_eq!(e.verdict.id, "suspend-transfer");
        assert_eq!(e.findings[0].criterion.as_deref(), Some("tia"));
    }

    #[test]
    fn scc_module_must_match_roles() {
        let modules = |m: &[&str]| {
            set(
                "scc-modules",
                AnswerValue::Choices(m.iter().map(|s| s.to_string()).collect()),
            )
        };
        let e = run(&[modules(&["module-3"])]);
        assert_eq!(status(&e, "transfers"), Status::ToVerify);
        assert_eq!(e.verdict.id, "remediate");
        let e = run(&[modules(&["module-3"]), choice("client-role", "processor")]);
        assert_eq!(status(&e, "transfers"), Status::Compliant);
        let e = run(&[modules(&["module-4"]), choice("supplier-role", "unclear")]);
        assert_eq!(status(&e, "transfers"), Status::Compliant);
    }

    #[test]
    fn missing_key_answers() {
        assert_eq!(
            run(&[("destination-country", None)]).verdict.id,
            "not-assessed"
        );
        assert_eq!(run(&[("transfer-tool", None)]).verdict.id, "not-assessed");
        assert_eq!(
            run(&[
                ("transfer-tool", None),
                choice("destination-country", "eea")
            ])
            .verdict
            .id,
            "compliant"
        );
    }

    #[test]
    fn stale_adequacy_list() {
        let later = Date {
            year: 2027,
            month: 11,
            day: 2,
        };
        let e = run_at(&[], later);
        let f = e
            .findings
            .iter()
            .find(|f| f.id == "adequacy-list-stale")
            .expect("stale finding");
        assert_eq!(f.severity, wit::Severity::Info);
        assert!(
            f.recommendation
                .iter()
                .any(|t| t.text.contains("2026-11-01"))
        );
        let e = run_at(&[choice("destination-country", "eea")], later);
        assert!(e.findings.iter().all(|f| f.id != "adequacy-list-stale"));
        let e = run_at(
            &[],
            Date {
                year: 2027,
                month: 11,
                day: 1,
            },
        );
        assert!(e.findings.iter().all(|f| f.id != "adequacy-list-stale"));
    }
}
