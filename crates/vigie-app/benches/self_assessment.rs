//! Self-assessment workbook benchmark: export and import (plan) of the ANSSI questionnaire
//! (about 110 questions) through the workbench, each against a goal of 100 ms.
//!
//! Run: `cargo bench -p vigie-app --bench self_assessment`. Prints a table. The import reads
//! a workbook whose yes-no answers openpyxl filled, when python3 has openpyxl; otherwise the
//! exported workbook as it is (every row still checked), and says which.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use vigie_app::Workbench;
use vigie_app::self_assessment::ExportOptions;
use vigie_model::{AnswerKind, Date};
use vigie_plugin_host::{Host, Limits};
use vigie_store::{Criticality, SupplierFields};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f());
        samples.push(start.elapsed());
    }
    median(samples)
}

fn filled_by_openpyxl(bytes: &[u8], questions: &[String]) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().ok()?;
    let (input, output, ops) = (
        dir.path().join("in.xlsx"),
        dir.path().join("out.xlsx"),
        dir.path().join("ops.json"),
    );
    std::fs::write(&input, bytes).ok()?;
    let list: Vec<serde_json::Value> = questions
        .iter()
        .map(|q| serde_json::json!({"op": "fill", "key": q, "value": "oui", "note": "PSSI v3", "if_present": true}))
        .collect();
    std::fs::write(&ops, serde_json::Value::from(list).to_string()).ok()?;
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../vigie-workbook/tests/support/edit.py");
    let status = Command::new("python3")
        .arg(script)
        .arg(&input)
        .arg(&output)
        .arg(&ops)
        .output()
        .ok()?;
    status
        .status
        .success()
        .then(|| std::fs::read(output).ok())?
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let host = Arc::new(Host::new(Limits::default(), None)?);
    let mut wb = Workbench::open(&dir.path().join("bench.db"), "bench", host)?;
    let supplier = wb.add_supplier(&SupplierFields::new("Bench", Criticality::High))?;
    let a = wb.new_assessment(
        &supplier.id,
        "anssi-hygiene",
        Date::new(2026, 11, 20)?,
        "fr",
        None,
        None,
    )?;
    let questionnaire = wb.plugin_for(&a)?.questionnaire().clone();
    let options = ExportOptions::default();
    let (_, bytes) = wb.export_self_assessment(&a.id, &options)?;
    let export = time(15, || wb.export_self_assessment(&a.id, &options));

    let yes_no: Vec<String> = questionnaire
        .questions
        .iter()
        .filter(|q| matches!(q.kind, AnswerKind::YesNo) && q.applicable_when.is_empty())
        .map(|q| q.id.clone())
        .collect();
    let (input, what) = match filled_by_openpyxl(&bytes, &yes_no) {
        Some(filled) => (filled, "yes-no answers filled by openpyxl".to_string()),
        None => (bytes.clone(), "unfilled (no openpyxl)".to_string()),
    };
    let declared = wb.plan_self_assessment(&input)?.declarations.len();
    let import = time(15, || wb.plan_self_assessment(&input));

    println!(
        "ANSSI questionnaire: {} questions, workbook {} bytes; import: {what}, {declared} declarations",
        questionnaire.questions.len(),
        bytes.len()
    );
    println!("| step   | median    | goal    |");
    println!("|--------|-----------|---------|");
    for (name, d) in [("export", export), ("import", import)] {
        println!(
            "| {name} | {:>6.1} ms | ≤ 100 ms {} |",
            d.as_secs_f64() * 1000.0,
            if d <= Duration::from_millis(100) {
                "✓"
            } else {
                "✗"
            }
        );
    }
    Ok(())
}
