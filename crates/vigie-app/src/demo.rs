//! A sample portfolio for a first start: a dozen suppliers across the three bundled
//! questionnaires, some reassessed, some with expiring evidence, some with overdue actions,
//! one never assessed, in a file of its own that is never the user's database.
//!
//! The answers are the bundled questionnaires' golden sets (realistic suppliers an auditor
//! wrote down, each with the verdict it should get), their dates moved so that the sample is
//! as fresh on any day as on the day it was written; the scores, verdicts and findings are
//! the real plugins' output. The same `today` gives the same portfolio (only the random ids
//! differ).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vigie_model::{AnswerValue, Date};
use vigie_plugin_host::Host;
use vigie_store::{
    ActionItemUpdate, ActionStatus, Contact, Criticality, EvidenceKind, NewActionItem, NewEvidence,
    Store, StoreError, SupplierFields,
};

use crate::answers_file::AnswersFile;
use crate::workbench::{AppError, AppResult, Workbench};

/// The demo database's file name, beside the default database.
pub const DEMO_FILE_NAME: &str = "vigie-demo.sqlite";

/// The setting that marks a database as a demo (and so safe to recreate).
pub const DEMO_SETTING: &str = "demo";
const DEMO_SETTING_VALUE: &str = "vigie sample portfolio";

/// Who the sample's changes are recorded as.
pub const DEMO_AUDITOR: &str = "Camille Martin (démo)";

/// Where the demo lives: beside `default_db`, under [`DEMO_FILE_NAME`].
pub fn demo_path(default_db: &Path) -> PathBuf {
    // A PostgreSQL store has no folder: the sample goes to the current one.
    if default_db
        .to_str()
        .is_some_and(vigie_store::is_postgres_url)
    {
        return PathBuf::from(DEMO_FILE_NAME);
    }
    default_db
        .parent()
        .map_or_else(|| PathBuf::from(DEMO_FILE_NAME), |p| p.join(DEMO_FILE_NAME))
}

/// What [`create_demo`] made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSummary {
    pub path: PathBuf,
    pub suppliers: usize,
    pub assessments: usize,
}

struct Golden {
    plugin: &'static str,
    name: &'static str,
    text: &'static str,
}

macro_rules! golden {
    ($plugin:literal, $name:literal) => {
        Golden {
            plugin: $plugin,
            name: $name,
            text: include_str!(concat!(
                "../../../questionnaires/",
                $plugin,
                "/golden/",
                $name,
                ".toml"
            )),
        }
    };
}

const NIS2_ART21_GAPS: Golden = golden!("nis2-suppliers", "art21-gaps");
const NIS2_ALERT_48H: Golden = golden!("nis2-suppliers", "alert-48h");
const NIS2_COMPLIANT: Golden = golden!("nis2-suppliers", "compliant");
const NIS2_EXPIRED_ISO: Golden = golden!("nis2-suppliers", "expired-iso");
const NIS2_UNTRAINED: Golden = golden!("nis2-suppliers", "untrained-management");
const NIS2_PARTIAL_REFUSAL: Golden = golden!("nis2-suppliers", "partial-refusal");
const GDPR_OFFSHORE_GAPS: Golden = golden!("gdpr-offshore", "offshore-gaps");
const GDPR_COMPLIANT: Golden = golden!("gdpr-offshore", "compliant");
const GDPR_NO_TRANSFER_TOOL: Golden = golden!("gdpr-offshore", "no-transfer-tool");
const GDPR_EXPIRED_TIA: Golden = golden!("gdpr-offshore", "expired-tia");
const GDPR_SECURITY_GAPS: Golden = golden!("gdpr-offshore", "security-gaps");
const ANSSI_RENFORCE_GAPS: Golden = golden!("anssi-hygiene", "renforce-gaps");
const ANSSI_COMPLIANT: Golden = golden!("anssi-hygiene", "compliant");
const ANSSI_STANDARD: Golden = golden!("anssi-hygiene", "standard-level");

/// One assessment of a sample supplier: how many months before today, which answers,
/// whether it was finalised.
struct Step {
    months_ago: u32,
    answers: Golden,
    finalized: bool,
}

const fn done(months_ago: u32, answers: Golden) -> Step {
    Step {
        months_ago,
        answers,
        finalized: true,
    }
}

const fn draft(months_ago: u32, answers: Golden) -> Step {
    Step {
        months_ago,
        answers,
        finalized: false,
    }
}

/// An action on one of the latest assessment's findings: its deadline in days from today
/// (negative: past) and where it stands.
struct Action {
    finding: usize,
    owner: &'static str,
    deadline_days: i64,
    status: ActionStatus,
}

struct Sample {
    name: &'static str,
    country: &'static str,
    sector: &'static str,
    services: &'static [&'static str],
    contact: (&'static str, &'static str, &'static str),
    criticality: Criticality,
    language: &'static str,
    steps: Vec<Step>,
    /// Evidence on the latest assessment: text and expiry in days from today.
    evidence: &'static [(&'static str, i64)],
    actions: &'static [Action],
}

fn samples() -> Vec<Sample> {
    use ActionStatus::{Done, InProgress, Open};
    vec![
        Sample {
            name: "Centre d'appels Tunis",
            country: "TN",
            sector: "Relation client (BPO)",
            services: &["Service client niveau 1", "Télévente"],
            contact: (
                "Leïla Ben Salah",
                "Directrice des opérations",
                "l.bensalah@cat-tunis.example",
            ),
            criticality: Criticality::Critical,
            language: "fr",
            steps: vec![done(26, NIS2_ART21_GAPS), done(11, NIS2_ALERT_48H)],
            evidence: &[("Certificat ISO/IEC 27001 (Bureau de certification)", 40)],
            actions: &[
                Action {
                    finding: 0,
                    owner: "RSSI du prestataire",
                    deadline_days: -25,
                    status: Open,
                },
                Action {
                    finding: 1,
                    owner: "Responsable conformité",
                    deadline_days: 60,
                    status: InProgress,
                },
            ],
        },
        Sample {
            name: "Atlas Relation Client",
            country: "MA",
            sector: "Centre de contacts offshore",
            services: &["Support client e-commerce", "Recouvrement amiable"],
            contact: ("Youssef El Amrani", "DPO", "dpo@atlas-rc.example"),
            criticality: Criticality::High,
            language: "fr",
            steps: vec![done(14, GDPR_OFFSHORE_GAPS)],
            evidence: &[("Clauses contractuelles types signées (module 2)", 300)],
            actions: &[
                Action {
                    finding: 0,
                    owner: "DPO du prestataire",
                    deadline_days: -60,
                    status: Open,
                },
                Action {
                    finding: 1,
                    owner: "Direction juridique",
                    deadline_days: -5,
                    status: Done,
                },
            ],
        },
        Sample {
            name: "Helios Infogérance",
            country: "FR",
            sector: "Infogérance",
            services: &["Administration des serveurs", "Supervision 24/7"],
            contact: (
                "Julien Bernard",
                "Directeur technique",
                "j.bernard@helios-info.example",
            ),
            criticality: Criticality::Critical,
            language: "fr",
            steps: vec![done(30, ANSSI_RENFORCE_GAPS), done(6, ANSSI_COMPLIANT)],
            evidence: &[("Qualification PASSI (ANSSI)", 75)],
            actions: &[],
        },
        Sample {
            name: "Nordic Cloud Hosting AB",
            country: "SE",
            sector: "Cloud hosting",
            services: &["IaaS hosting", "Managed backups"],
            contact: (
                "Erik Lindqvist",
                "Security officer",
                "security@nordic-cloud.example",
            ),
            criticality: Criticality::High,
            language: "en",
            steps: vec![done(4, NIS2_COMPLIANT)],
            evidence: &[("SOC 2 Type II report", -10)],
            actions: &[],
        },
        Sample {
            name: "Dakar Data Services",
            country: "SN",
            sector: "Saisie et traitement de données",
            services: &["Numérisation de courrier", "Saisie de formulaires"],
            contact: ("Aminata Diop", "Gérante", "a.diop@dakar-data.example"),
            criticality: Criticality::Medium,
            language: "fr",
            steps: vec![done(20, GDPR_NO_TRANSFER_TOOL), draft(1, GDPR_EXPIRED_TIA)],
            evidence: &[("Analyse d'impact des transferts (TIA)", 15)],
            actions: &[Action {
                finding: 0,
                owner: "DPO du client",
                deadline_days: 30,
                status: Open,
            }],
        },
        Sample {
            name: "Bretagne Paie & RH",
            country: "FR",
            sector: "Paie externalisée",
            services: &["Bulletins de paie", "Déclarations sociales"],
            contact: (
                "Morgane Le Gall",
                "Responsable qualité",
                "qualite@bzh-paie.example",
            ),
            criticality: Criticality::Medium,
            language: "fr",
            steps: vec![done(9, GDPR_COMPLIANT)],
            evidence: &[("Attestation d'assurance cyber", 200)],
            actions: &[],
        },
        Sample {
            name: "Manila Support Hub Inc.",
            country: "PH",
            sector: "Customer support outsourcing",
            services: &["Tier-1 support", "Chat moderation"],
            contact: (
                "Maria Santos",
                "Compliance manager",
                "compliance@mnl-hub.example",
            ),
            criticality: Criticality::High,
            language: "en",
            steps: vec![done(13, NIS2_EXPIRED_ISO)],
            evidence: &[],
            actions: &[
                Action {
                    finding: 0,
                    owner: "Supplier CISO",
                    deadline_days: -100,
                    status: Open,
                },
                Action {
                    finding: 1,
                    owner: "Account manager",
                    deadline_days: -40,
                    status: InProgress,
                },
            ],
        },
        Sample {
            name: "Lyon Datacentre SAS",
            country: "FR",
            sector: "Hébergement physique",
            services: &["Colocation", "Mains à distance"],
            contact: (
                "Thomas Girard",
                "Responsable sécurité",
                "securite@lyon-dc.example",
            ),
            criticality: Criticality::Low,
            language: "fr",
            steps: vec![done(40, ANSSI_STANDARD)],
            evidence: &[],
            actions: &[],
        },
        Sample {
            name: "Maurice Offshore Services Ltd",
            country: "MU",
            sector: "Back-office offshore",
            services: &["Traitement des réclamations", "Back-office assurance"],
            contact: (
                "Ravi Ramsamy",
                "Operations director",
                "ops@mauritius-os.example",
            ),
            criticality: Criticality::High,
            language: "fr",
            steps: vec![draft(2, GDPR_SECURITY_GAPS)],
            evidence: &[("Attestation de tests d'intrusion", 20)],
            actions: &[],
        },
        Sample {
            name: "Quimper Logiciels",
            country: "FR",
            sector: "Éditeur de logiciels",
            services: &["Logiciel de gestion commerciale (SaaS)"],
            contact: (
                "Yann Kervella",
                "Directeur général",
                "contact@quimper-logiciels.example",
            ),
            criticality: Criticality::Low,
            language: "fr",
            steps: vec![done(15, ANSSI_COMPLIANT)],
            evidence: &[],
            actions: &[],
        },
        Sample {
            name: "Bangalore Backoffice Pvt Ltd",
            country: "IN",
            sector: "IT and back-office services",
            services: &["Application support", "Invoice processing"],
            contact: (
                "Priya Raman",
                "Delivery head",
                "p.raman@blr-backoffice.example",
            ),
            criticality: Criticality::Critical,
            language: "en",
            steps: vec![done(23, NIS2_UNTRAINED), done(10, NIS2_PARTIAL_REFUSAL)],
            evidence: &[("ISO/IEC 27001 certificate", 85)],
            actions: &[
                Action {
                    finding: 0,
                    owner: "Supplier management",
                    deadline_days: -15,
                    status: Open,
                },
                Action {
                    finding: 1,
                    owner: "Client CISO",
                    deadline_days: -120,
                    status: Done,
                },
            ],
        },
        Sample {
            name: "Nouvelle Agence Web",
            country: "FR",
            sector: "Agence web",
            services: &["Site vitrine", "Campagnes e-mail"],
            contact: (
                "Chloé Petit",
                "Cheffe de projet",
                "chloe@nouvelle-agence.example",
            ),
            criticality: Criticality::Medium,
            language: "fr",
            steps: vec![],
            evidence: &[],
            actions: &[],
        },
    ]
}

/// Whether the database at `path` is a demo made by [`create_demo`] (a missing or empty
/// file counts as one: there is nothing to lose).
pub fn is_demo_file(path: &Path) -> AppResult<bool> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => {
            return Err(AppError::Store(StoreError::Io {
                path: path.to_path_buf(),
                action: "read",
                source: e,
            }));
        }
        Ok(m) if m.len() == 0 => return Ok(true),
        Ok(_) => {}
    }
    let store = match Store::open(path, DEMO_AUDITOR) {
        Ok(store) => store,
        Err(StoreError::NotVigie { .. }) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    Ok(store.setting(DEMO_SETTING)?.as_deref() == Some(DEMO_SETTING_VALUE))
}

/// Creates the sample portfolio at `path` as on `today`, replacing an earlier demo there.
/// Any other file at `path` is refused and left as it is.
pub fn create_demo(path: &Path, today: Date, host: Arc<Host>) -> AppResult<DemoSummary> {
    if !is_demo_file(path)? {
        return Err(AppError::Invalid(format!(
            "{} is not a Vigie demo database: the demo never overwrites other files; \
             choose another file",
            path.display()
        )));
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(AppError::Store(StoreError::Io {
                    path: file,
                    action: "replace",
                    source: e,
                }));
            }
        }
    }
    let mut bench = Workbench::open(path, DEMO_AUDITOR, host)?;
    bench.store.set_setting(DEMO_SETTING, DEMO_SETTING_VALUE)?;
    let mut assessments = 0;
    let samples = samples();
    for sample in &samples {
        assessments += add_sample(&mut bench, sample, today)?;
    }
    Ok(DemoSummary {
        path: path.to_path_buf(),
        suppliers: samples.len(),
        assessments,
    })
}

fn months_before(today: Date, months: u32) -> Date {
    let index = i64::from(today.year()) * 12 + i64::from(today.month()) - 1 - i64::from(months);
    let (year, month) = (
        index.div_euclid(12) as i32,
        (index.rem_euclid(12) + 1) as u8,
    );
    let mut day = today.day();
    loop {
        if let Ok(d) = Date::new(year, month, day) {
            return d;
        }
        if day <= 28 {
            return today;
        }
        day -= 1;
    }
}

fn days_after(today: Date, days: i64) -> AppResult<Date> {
    today
        .add_days(days)
        .map_err(|e| AppError::Invalid(format!("{days} days from {today}: {e}")))
}

fn add_sample(bench: &mut Workbench, sample: &Sample, today: Date) -> AppResult<usize> {
    let supplier = bench.store.add_supplier(&SupplierFields {
        name: sample.name.to_string(),
        country: Some(sample.country.to_string()),
        sector: Some(sample.sector.to_string()),
        services: sample.services.iter().map(|s| s.to_string()).collect(),
        contacts: vec![Contact {
            name: sample.contact.0.to_string(),
            role: Some(sample.contact.1.to_string()),
            email: Some(sample.contact.2.to_string()),
            phone: None,
        }],
        criticality: sample.criticality,
    })?;
    let mut previous: Option<String> = None;
    for (i, step) in sample.steps.iter().enumerate() {
        let golden = &step.answers;
        let source = format!("{}/golden/{}.toml", golden.plugin, golden.name);
        let file = AnswersFile::parse(golden.text, &source)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let date = months_before(today, step.months_ago);
        let assessment = match &previous {
            Some(prev) => bench.reassess(prev, date)?,
            None => bench.new_assessment(
                &supplier.id,
                golden.plugin,
                date,
                sample.language,
                file.level.clone(),
                None,
            )?,
        };
        let plugin = bench.plugin_for(&assessment)?;
        let answers = file
            .resolve(plugin.questionnaire())
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        // The golden set was written for its own assessment date: every date moves with it.
        let shift = file
            .assessment_date
            .map_or(0, |g| date.days_since_epoch() - g.days_since_epoch());
        let mut rows = Vec::with_capacity(answers.len());
        for answer in answers {
            let value = match answer.value {
                AnswerValue::Date(d) => AnswerValue::Date(days_after(d, shift)?),
                other => other,
            };
            rows.push((answer.question, Some(value), answer.note));
        }
        bench.store.set_answers_bulk(&assessment.id, rows, true)?;
        let last = i + 1 == sample.steps.len();
        if last {
            for (text, expires_in) in sample.evidence {
                bench.store.add_evidence(
                    &assessment.id,
                    &NewEvidence {
                        question: None,
                        kind: EvidenceKind::Note,
                        text: (*text).to_string(),
                        file: None,
                        effective_date: Some(date),
                        expiry_date: Some(days_after(today, *expires_in)?),
                    },
                )?;
            }
        }
        let (_, evaluation) = if step.finalized {
            bench.finalize(&assessment.id)?
        } else {
            bench.score(&assessment.id)?
        };
        if last {
            for action in sample.actions {
                let Some(finding) = evaluation.findings.get(action.finding) else {
                    continue;
                };
                let item = bench.store.add_action_item(
                    &assessment.id,
                    &NewActionItem {
                        finding_id: finding.id.clone(),
                        title: finding.title.get(sample.language).to_string(),
                        owner: Some(action.owner.to_string()),
                        deadline: Some(days_after(today, action.deadline_days)?),
                    },
                )?;
                if action.status != ActionStatus::Open {
                    bench.store.update_action_item(
                        &item.id,
                        &ActionItemUpdate {
                            status: Some(action.status),
                            ..ActionItemUpdate::default()
                        },
                    )?;
                }
            }
        }
        previous = Some(assessment.id.into_string());
    }
    Ok(sample.steps.len())
}
