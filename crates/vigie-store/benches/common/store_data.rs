//! The store benchmark's data set: suppliers and a 400 KB plugin written through the store's
//! API, then three years of assessments (oldest first) with their cached evaluation, their
//! answers, and the audit rows of both, hash-chained like the store's own.

use vigie_model::{AnswerValue, YesNo};
use vigie_store::{AuditRecord, Criticality, GENESIS_HASH, Store, SupplierFields};

use super::BoxError;
use super::load::{Cell, Sink};

pub const FULL_ASSESSMENTS: usize = 50_000;
pub const SUPPLIERS: usize = 500;

/// Assessments generated between two writes of the rows.
const ASSESSMENTS_PER_CHUNK: usize = 1_000;

/// What the store's API wrote first, and where the audit chain stands after it.
pub struct Prepared {
    plugin_sha: String,
    supplier_ids: Vec<String>,
    last_seq: i64,
    last_hash: [u8; 32],
}

/// Writes the plugin and the suppliers through `store`.
pub fn prepare(store: &Store) -> Result<Prepared, BoxError> {
    let plugin = store.put_plugin_blob(&vec![0x42; 400_000], "nis2-suppliers", "1.0.0", "bench")?;
    let mut supplier_ids = Vec::with_capacity(SUPPLIERS);
    for i in 0..SUPPLIERS {
        let mut f = SupplierFields::new(format!("Supplier {i:04}"), Criticality::ALL[i % 4]);
        f.country = Some("FR".into());
        f.services = vec!["hosting".into(), "support".into()];
        supplier_ids.push(store.add_supplier(&f)?.id.as_str().to_string());
    }
    let trail = store.audit_trail(None)?;
    let last = trail.last().ok_or("the store wrote no audit row")?;
    let last_hash = hex::decode(&last.hash)?.try_into().unwrap_or(GENESIS_HASH);
    Ok(Prepared {
        plugin_sha: plugin.sha256,
        supplier_ids,
        last_seq: last.seq,
        last_hash,
    })
}

fn timestamp(unix_micros: i64) -> Result<String, BoxError> {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_micros) * 1000)?;
    Ok(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    ))
}

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
    "level",
    "created_at",
    "score",
    "verdict",
    "evaluated_at",
    "last_evaluation",
];
const ANSWER: &[&str] = &[
    "assessment_id",
    "question_id",
    "value",
    "note",
    "revision",
    "to_confirm",
    "updated_by",
    "updated_at",
];
const AUDIT: &[&str] = &[
    "seq",
    "at",
    "who",
    "action",
    "entity",
    "entity_id",
    "assessment_id",
    "old",
    "new",
    "prev_hash",
    "hash",
];

/// Continues the audit chain: `(seq, previous hash)`.
struct Chain {
    seq: i64,
    prev_hash: [u8; 32],
}

impl Chain {
    /// Writes the audit row of a creation (`old` empty) and moves the chain on.
    #[allow(clippy::too_many_arguments)]
    fn append(
        &mut self,
        sink: &mut dyn Sink,
        at: &str,
        who: &str,
        action: &str,
        entity: &str,
        entity_id: &str,
        assessment_id: &str,
        new: &str,
    ) -> Result<(), BoxError> {
        self.seq += 1;
        let rec = AuditRecord {
            seq: self.seq,
            at,
            who,
            action,
            entity,
            entity_id,
            assessment_id: Some(assessment_id),
            old: None,
            new: Some(new),
        };
        let hash = rec.hash(&self.prev_hash);
        sink.insert(
            "audit_log",
            AUDIT,
            vec![
                self.seq.into(),
                at.into(),
                who.into(),
                action.into(),
                entity.into(),
                entity_id.into(),
                assessment_id.into(),
                Cell::Null,
                new.into(),
                Cell::Blob(self.prev_hash.to_vec()),
                Cell::Blob(hash.to_vec()),
            ],
        )?;
        self.prev_hash = hash;
        Ok(())
    }
}

/// Writes `assessments` assessments with `answers_per_assessment` answers each, and their
/// audit rows, after what [`prepare`] wrote.
pub fn generate(
    sink: &mut dyn Sink,
    prepared: &Prepared,
    assessments: usize,
    answers_per_assessment: usize,
) -> Result<(), BoxError> {
    let Prepared {
        plugin_sha,
        supplier_ids,
        ..
    } = prepared;
    let mut chain = Chain {
        seq: prepared.last_seq,
        prev_hash: prepared.last_hash,
    };
    let evaluation = format!(
        "{{\"criteria\":[{}],\"score\":62.5,\"verdict\":{{\"id\":\"to-improve\",\"label\":[{{\"lang\":\"fr\",\"text\":\"À améliorer\"}}],\"summary\":[],\"severity\":\"medium\"}},\"findings\":[],\"extensions\":[]}}",
        (0..20)
            .map(|i| format!("{{\"criterion\":\"c{i:02}\",\"status\":\"compliant\",\"rationale\":[{{\"lang\":\"fr\",\"text\":\"Réponse conforme à l'attendu.\"}}],\"score\":1.0}}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    // Three years of assessments, oldest first.
    let start_us: i64 = 1_700_000_000_000_000;
    let step_us: i64 = 3 * 365 * 24 * 3600 * 1_000_000 / assessments.max(1) as i64;
    let auditors = ["alice", "bob", "carol", "dominique"];
    let values: Vec<String> = [
        AnswerValue::YesNo(YesNo::Yes),
        AnswerValue::YesNo(YesNo::No),
        AnswerValue::YesNo(YesNo::Partial),
        AnswerValue::Choice("iso27001".into()),
        AnswerValue::Integer(24),
        AnswerValue::Text("Sauvegardes chiffrées, testées chaque trimestre.".into()),
        AnswerValue::Date("2027-06-30".parse()?),
    ]
    .iter()
    .map(serde_json::to_string)
    .collect::<Result<_, _>>()?;
    for i in 0..assessments {
        let id = uuid::Uuid::now_v7().to_string();
        let at = timestamp(start_us + i as i64 * step_us)?;
        let who = auditors[i % auditors.len()];
        let supplier = &supplier_ids[i % supplier_ids.len()];
        let date = &at[..10];
        sink.insert(
            "assessments",
            ASSESSMENT,
            vec![
                id.as_str().into(),
                supplier.into(),
                plugin_sha.into(),
                "nis2-suppliers".into(),
                "1.0.0".into(),
                "draft".into(),
                who.into(),
                date.into(),
                "fr".into(),
                Cell::Null,
                at.as_str().into(),
                (40.0 + (i % 60) as f64).into(),
                "to-improve".into(),
                at.as_str().into(),
                evaluation.as_str().into(),
            ],
        )?;
        let created = format!(
            "{{\"supplier_id\":\"{supplier}\",\"plugin_sha256\":\"{plugin_sha}\",\"status\":\"draft\"}}"
        );
        chain.append(sink, &at, who, "create", "assessment", &id, &id, &created)?;

        for q in 0..answers_per_assessment {
            let question = format!("s{:02}-q{:02}", q / 10, q % 10);
            let value = values[(i + q) % values.len()].as_str();
            let note = (q % 10 == 3).then_some("Vu avec le RSSI, preuve demandée.");
            sink.insert(
                "answers",
                ANSWER,
                vec![
                    id.as_str().into(),
                    question.as_str().into(),
                    value.into(),
                    note.into(),
                    1.into(),
                    0.into(),
                    who.into(),
                    at.as_str().into(),
                ],
            )?;
            let audit_new = format!(
                "{{\"value\":{value},\"note\":{},\"revision\":1,\"to_confirm\":false}}",
                note.map_or("null".to_string(), |n| format!("\"{n}\""))
            );
            chain.append(sink, &at, who, "set", "answer", &question, &id, &audit_new)?;
        }
        if i % ASSESSMENTS_PER_CHUNK == ASSESSMENTS_PER_CHUNK - 1 {
            sink.flush()?;
        }
        if i % 5000 == 4999 {
            eprintln!("  {} assessments", i + 1);
        }
    }
    sink.flush()
}
