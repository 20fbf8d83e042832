//! The portfolio benchmark's data set: suppliers with ten assessments each (one a year or
//! so, the latest within the last two years), each with its evaluation (verdict, forty
//! criteria, some findings), an expiry answer, often an evidence with an expiry date, and
//! action items for some findings; most assessments final. Deterministic (a fixed seed).

use vigie_model::Date;

use super::BoxError;
use super::load::{Cell, Sink};

/// The full size: 5,000 suppliers, 50,000 assessments.
pub const FULL_SUPPLIERS: usize = 5_000;
pub const ASSESSMENTS_PER_SUPPLIER: usize = 10;
/// The day the portfolio is computed for; the data set's dates are around it.
pub const TODAY: &str = "2026-06-15";

/// Suppliers generated between two writes of the rows (PostgreSQL).
const SUPPLIERS_PER_CHUNK: usize = 100;

/// A deterministic PRNG (splitmix64).
struct Prng(u64);

impl Prng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];
const CRITICALITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// An evaluation as the plugins write it: verdict, forty criteria with their rationale, and
/// some findings (about 6 KiB, like the bundled questionnaires' evaluations).
fn evaluation(rng: &mut Prng, score: f64) -> (String, String, usize) {
    let verdict_severity = SEVERITIES[rng.below(5) as usize];
    let criteria: Vec<serde_json::Value> = (0..40)
        .map(|i| {
            let status = ["compliant", "to-verify", "non-compliant"][rng.below(3) as usize];
            serde_json::json!({
                "criterion": format!("c{i}"),
                "status": status,
                "rationale": [{"lang": "fr", "text": "Le fournisseur a présenté les éléments attendus pour ce critère."}],
            })
        })
        .collect();
    let findings = rng.below(6) as usize;
    let findings: Vec<serde_json::Value> = (0..findings)
        .map(|i| {
            let severity = SEVERITIES[rng.below(5) as usize];
            serde_json::json!({
                "id": format!("f{i}"),
                "criterion": format!("c{i}"),
                "severity": severity,
                "title": [{"lang": "fr", "text": "Écart constaté"}],
                "recommendation": [{"lang": "fr", "text": "Mettre en place la mesure."}],
                "deadline_days": 90,
            })
        })
        .collect();
    let n = findings.len();
    let verdict = format!("v-{verdict_severity}");
    let json = serde_json::json!({
        "criteria": criteria,
        "score": score,
        "verdict": {
            "id": verdict,
            "label": [{"lang": "fr", "text": "Verdict"}, {"lang": "en", "text": "Verdict"}],
            "summary": [],
            "severity": verdict_severity,
        },
        "findings": findings,
        "extensions": [],
    });
    (json.to_string(), verdict, n)
}

fn date(days_since_epoch: i64) -> Result<String, BoxError> {
    Ok(Date::from_days_since_epoch(days_since_epoch)?.to_string())
}

const PLUGIN_BLOB: &[&str] = &[
    "sha256",
    "size",
    "plugin_id",
    "version",
    "origin",
    "added_by",
    "added_at",
    "bytes",
];
const SUPPLIER: &[&str] = &[
    "id",
    "name",
    "name_key",
    "criticality",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
];
const ASSESSMENT: &[&str] = &[
    "id",
    "supplier_id",
    "plugin_sha256",
    "plugin_id",
    "plugin_version",
    "status",
    "auditor",
    "assessment_date",
    "language",
    "created_at",
    "score",
    "verdict",
    "evaluated_at",
    "last_evaluation",
];
const EVIDENCE: &[&str] = &[
    "id",
    "assessment_id",
    "kind",
    "text",
    "expiry_date",
    "added_by",
    "added_at",
];
const ACTION_ITEM: &[&str] = &[
    "id",
    "assessment_id",
    "finding_id",
    "title",
    "deadline",
    "status",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
];
const ANSWER: &[&str] = &[
    "assessment_id",
    "question_id",
    "value",
    "revision",
    "updated_by",
    "updated_at",
];

/// Writes `suppliers` suppliers and their assessments into an empty Vigie database.
pub fn generate(sink: &mut dyn Sink, suppliers: usize) -> Result<(), BoxError> {
    let sha = "0".repeat(64);
    sink.insert(
        "plugin_blobs",
        PLUGIN_BLOB,
        vec![
            sha.as_str().into(),
            4.into(),
            "nis2-suppliers".into(),
            "1.0.0".into(),
            "bench".into(),
            "bench".into(),
            "2020-01-01T00:00:00.000000Z".into(),
            Cell::Blob(vec![0]),
        ],
    )?;
    let today: Date = TODAY.parse()?;
    let today_days = today.days_since_epoch();
    let mut rng = Prng(42);
    let mut seq = 0u64;
    let mut id = |prefix: &str| {
        seq += 1;
        format!("{prefix}{seq:012x}-0000-7000-8000-000000000000")
    };
    for s in 0..suppliers {
        let supplier_id = id("5");
        let name = format!("Fournisseur {s:05}");
        let created = "2020-01-01T00:00:00.000000Z";
        sink.insert(
            "suppliers",
            SUPPLIER,
            vec![
                supplier_id.as_str().into(),
                name.as_str().into(),
                name.to_lowercase().into(),
                CRITICALITIES[rng.below(4) as usize].into(),
                "bench".into(),
                created.into(),
                "bench".into(),
                created.into(),
            ],
        )?;
        for k in 0..ASSESSMENTS_PER_SUPPLIER {
            let assessment_id = id("a");
            // Ten assessments a year or so apart, the latest within the last two years.
            let day = today_days - 3650 + (k as i64) * 360 + rng.below(300) as i64;
            let assessment_date = date(day)?;
            let created_at = format!("{assessment_date}T10:00:00.000000Z");
            let last = k + 1 == ASSESSMENTS_PER_SUPPLIER;
            let is_final = !last || rng.below(4) != 0;
            let score = 20.0 + rng.below(80) as f64;
            let (json, verdict, findings) = evaluation(&mut rng, score);
            sink.insert(
                "assessments",
                ASSESSMENT,
                vec![
                    assessment_id.as_str().into(),
                    supplier_id.as_str().into(),
                    sha.as_str().into(),
                    "nis2-suppliers".into(),
                    "1.0.0".into(),
                    "draft".into(),
                    "bench".into(),
                    assessment_date.as_str().into(),
                    "fr".into(),
                    created_at.as_str().into(),
                    score.into(),
                    verdict.into(),
                    created_at.as_str().into(),
                    json.into(),
                ],
            )?;
            if rng.below(2) == 0 {
                let expiry = date(day + 365 + rng.below(400) as i64)?;
                sink.insert(
                    "evidence",
                    EVIDENCE,
                    vec![
                        id("e").into(),
                        assessment_id.as_str().into(),
                        "note".into(),
                        "Certificat ISO 27001".into(),
                        expiry.into(),
                        "bench".into(),
                        created_at.as_str().into(),
                    ],
                )?;
            }
            let expiry_answer = serde_json::json!({"type": "date", "value": date(day + 300 + rng.below(500) as i64)?});
            sink.insert(
                "answers",
                ANSWER,
                vec![
                    assessment_id.as_str().into(),
                    "iso-expiry".into(),
                    expiry_answer.to_string().into(),
                    1.into(),
                    "bench".into(),
                    created_at.as_str().into(),
                ],
            )?;
            for f in 0..findings.min(3) {
                let deadline = date(day + 60 + rng.below(700) as i64)?;
                // Actions of earlier assessments were mostly finished by the next one.
                let status = if !last && rng.below(10) != 0 {
                    "done"
                } else {
                    ["open", "in-progress", "done"][rng.below(3) as usize]
                };
                sink.insert(
                    "action_items",
                    ACTION_ITEM,
                    vec![
                        id("c").into(),
                        assessment_id.as_str().into(),
                        format!("f{f}").into(),
                        "Corriger".into(),
                        deadline.into(),
                        status.into(),
                        "bench".into(),
                        created_at.as_str().into(),
                        "bench".into(),
                        created_at.as_str().into(),
                    ],
                )?;
            }
            if is_final {
                // Finalised after its evidence and answers, as the store requires.
                sink.update_each(
                    "assessments",
                    "status = 'final', final_evaluation = last_evaluation, \
                     finalized_by = 'bench', finalized_at = evaluated_at",
                    &[assessment_id],
                )?;
            }
        }
        if (s + 1) % SUPPLIERS_PER_CHUNK == 0 {
            sink.flush()?;
        }
        if (s + 1) % 1000 == 0 {
            eprintln!("  {} suppliers", s + 1);
        }
    }
    sink.flush()
}
