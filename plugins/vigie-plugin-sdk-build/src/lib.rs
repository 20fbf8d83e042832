//! Build-time half of the Vigie plugin SDK: reads a `questionnaire.toml`
//! (format in `questionnaires/README.md`), checks it, and writes static Rust
//! data (`content.rs`) that the plugin includes with
//! `vigie_plugin_sdk::include_content!()`.
//!
//! It runs on the build machine only, in a plugin's `build.rs`; it must not be
//! a dependency of anything that runs inside a plugin.

#![forbid(unsafe_code)]

mod checks;
mod emit;
mod schema;

use std::path::Path;

use checks::Checker;
use emit::Emitter;
use schema::File;

/// Why a questionnaire file was refused, naming the file, the item and the field.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Toml { path: String, message: String },
    #[error("{path}: {item}: {message}")]
    Invalid {
        path: String,
        item: String,
        message: String,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Reads, checks and turns `toml_path` into Rust source.
pub fn generate_source(toml_path: &Path) -> Result<String, ContentError> {
    let path = toml_path.display().to_string();
    let raw = std::fs::read_to_string(toml_path).map_err(|source| ContentError::Read {
        path: path.clone(),
        source,
    })?;
    source_from_str(&raw, &path)
}

/// Same as [`generate_source`] for content already in memory (`path` names it in errors).
pub fn source_from_str(raw: &str, path: &str) -> Result<String, ContentError> {
    let file: File = toml::from_str(raw).map_err(|e| ContentError::Toml {
        path: path.to_string(),
        message: match e.span().and_then(|span| item_at(raw, span.start)) {
            Some(item) => format!("{item}: {e}"),
            None => e.to_string(),
        },
    })?;
    let resolved = Checker::new(&file, path).check()?;
    Ok(Emitter::new(&file, &resolved).emit())
}

/// The item (`question `q1``, `criterion `c``, …) whose table holds byte
/// `offset` of `raw`, so that a word the format does not know (a kind, a
/// severity) is reported with the question it belongs to.
fn item_at(raw: &str, offset: usize) -> Option<String> {
    let before = raw.get(..offset)?;
    let header_start = before
        .rfind("\n[[")
        .map(|i| i + 1)
        .or_else(|| before.starts_with("[[").then_some(0))?;
    let header_end = header_start + raw[header_start..].find('\n')?;
    let table = raw[header_start..header_end]
        .trim()
        .trim_matches(['[', ']'])
        .trim();
    let noun = match table {
        "questions" => "question",
        "criteria" => "criterion",
        "sections" => "section",
        "verdicts" => "verdict",
        "levels" => "level",
        "frameworks" => "framework",
        _ => return None,
    };
    let body_end = raw[header_end..]
        .find("\n[")
        .map_or(raw.len(), |i| header_end + i);
    let id = raw[header_end..body_end].lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "id").then(|| value.trim().trim_matches('"').to_string())
    })?;
    Some(format!("{noun} `{id}`"))
}

/// For `build.rs`: generates `$OUT_DIR/content.rs` from `toml_path` and asks
/// cargo to rerun when the file changes. Panics with the precise error,
/// which is how a build script reports failure.
pub fn generate(toml_path: impl AsRef<Path>) {
    let toml_path = toml_path.as_ref();
    println!("cargo:rerun-if-changed={}", toml_path.display());
    let out_dir = std::env::var("OUT_DIR")
        .unwrap_or_else(|_| panic!("OUT_DIR is not set: call generate() from build.rs"));
    let out = Path::new(&out_dir).join("content.rs");
    match generate_source(toml_path).and_then(|src| {
        std::fs::write(&out, src).map_err(|source| ContentError::Write {
            path: out.display().to_string(),
            source,
        })
    }) {
        Ok(()) => {}
        Err(e) => panic!("\n\nquestionnaire content refused: {e}\n\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[info]
id = "demo"
version = "1.0.0"
name = { fr = "Démo", en = "Demo" }
description = { fr = "D", en = "D" }
languages = ["fr", "en"]

[[frameworks]]
id = "nis2"
title = { fr = "NIS2", en = "NIS2" }

[[sections]]
id = "s"
title = { fr = "S", en = "S" }
description = { fr = "S", en = "S" }

[[criteria]]
id = "c"
title = { fr = "C", en = "C" }
description = { fr = "C", en = "C" }
weight = 1
severity = "high"
references = ["nis2:art. 21(2)(a)"]
recommendation = { fr = "R", en = "R" }

[[questions]]
id = "q1"
section = "s"
prompt = { fr = "Q ?", en = "Q?" }
why = { fr = "W", en = "W" }
evidence = { fr = "E", en = "E" }
kind = "yes-no"
criteria = ["c"]

[[questions]]
id = "q2"
section = "s"
prompt = { fr = "Q ?", en = "Q?" }
why = { fr = "W", en = "W" }
evidence = { fr = "E", en = "E" }
kind = "date"
expect = { within_days = 365 }
criteria = ["c"]
applicable_when = [[{ question = "q1", one_of = ["yes"] }]]

[[verdicts]]
id = "not-assessed"
label = { fr = "V", en = "V" }
summary = { fr = "V", en = "V" }
severity = "info"
"#;

    fn refused(from: &str, to: &str) -> String {
        let src = GOOD.replacen(from, to, 1);
        assert_ne!(src, GOOD, "the test edit `{from}` did not apply");
        source_from_str(&src, "demo.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn good_content_generates_static_data() {
        let src = source_from_str(GOOD, "demo.toml").unwrap();
        assert!(src.contains("Expect::WithinDays(365)"));
        assert!(src.contains("Condition { question: 0, test: Test::OneOf(&[\"yes\"]) }"));
    }

    #[test]
    fn errors_name_the_item_and_field() {
        assert!(
            refused("en = \"W\"", "de = \"W\"").contains("question `q1`: `why` has no `en` text")
        );
        assert!(
            refused("criteria = [\"c\"]", "criteria = [\"x\"]")
                .contains("criterion `x` is not declared")
        );
        assert!(refused("nis2:art", "rgpd:art").contains("framework `rgpd`"));
        assert!(
            refused("question = \"q1\"", "question = \"q2\"").contains("not an earlier question")
        );
        assert!(refused("id = \"q2\"", "id = \"q1\"").contains("used twice"));
        assert!(refused("within_days = 365", "met_at_least = 3").contains("date `expect`"));
        // A word the format does not know is an error naming the file and
        // the question, never a default (it used to become `Kind::Date`).
        let err = refused("kind = \"yes-no\"", "kind = \"boolean\"");
        assert!(
            err.starts_with("demo.toml: question `q1`: ")
                && err.contains("unknown variant `boolean`"),
            "{err}"
        );
        let err = refused("severity = \"high\"", "severity = \"severe\"");
        assert!(
            err.starts_with("demo.toml: criterion `c`: ")
                && err.contains("unknown variant `severe`"),
            "{err}"
        );
        assert!(refused("weight = 1", "weight = 1\ncolour = 2").contains("unknown field"));
    }

    #[test]
    fn bounds_that_accept_nothing_are_refused_at_build() {
        let number = GOOD.replace(
            "kind = \"yes-no\"\ncriteria = [\"c\"]",
            "kind = \"integer\"\nmin = 0\nmax = -1\nexpect = { met_at_least = 1 }\ncriteria = [\"c\"]",
        );
        assert_ne!(number, GOOD);
        let err = source_from_str(&number, "demo.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("question `q1`: `min = 0` is above `max = -1`"),
            "{err}"
        );
        let fraction = number.replace("min = 0\nmax = -1", "min = 0.2\nmax = 0.8");
        let err = source_from_str(&fraction, "demo.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("no whole number lies between"), "{err}");
    }

    #[test]
    fn a_yes_no_question_feeding_nothing_must_say_it_is_context() {
        let err = refused(
            "kind = \"yes-no\"\ncriteria = [\"c\"]",
            "kind = \"yes-no\"\ncriteria = []",
        );
        assert!(
            err.contains("question `q1`: a yes/no question that feeds no criterion is not scored")
                && err.contains("expect = \"context\""),
            "{err}"
        );
        let context = GOOD.replacen(
            "kind = \"yes-no\"\ncriteria = [\"c\"]",
            "kind = \"yes-no\"\nexpect = \"context\"",
            1,
        );
        let src = source_from_str(&context, "demo.toml").unwrap_or_else(|e| panic!("{e}"));
        assert!(src.contains("expect: Expect::Context"), "{src}");
        let err = refused(
            "kind = \"yes-no\"\ncriteria = [\"c\"]",
            "kind = \"yes-no\"\nexpect = \"context\"\ncritical = true",
        );
        assert!(
            err.contains("a critical question must feed a criterion"),
            "{err}"
        );
    }

    #[test]
    fn a_yes_no_question_may_restrict_its_answers() {
        let src = GOOD.replacen(
            "kind = \"yes-no\"\ncriteria = [\"c\"]",
            "kind = \"yes-no\"\nanswers = [\"yes\", \"no\", \"unknown\"]\ncriteria = [\"c\"]",
            1,
        );
        let out = source_from_str(&src, "demo.toml").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.contains("answers: &[\"yes\", \"no\", \"unknown\"]"),
            "{out}"
        );
        // Unrestricted questions offer all four.
        let out = source_from_str(GOOD, "demo.toml").unwrap();
        assert!(
            out.contains("answers: &[\"yes\", \"no\", \"partial\", \"unknown\"]"),
            "{out}"
        );
        // A condition cannot test an answer the question does not offer.
        let no_partial = src.replace("one_of = [\"yes\"]", "one_of = [\"partial\"]");
        let err = source_from_str(&no_partial, "demo.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("`partial` is not a possible answer of `q1`"),
            "{err}"
        );
        let err = refused(
            "kind = \"yes-no\"\ncriteria = [\"c\"]",
            "kind = \"yes-no\"\nanswers = [\"yes\"]\ncriteria = [\"c\"]",
        );
        assert!(err.contains("must keep `yes` and `no`"), "{err}");
        let err = refused(
            "kind = \"yes-no\"\ncriteria = [\"c\"]",
            "kind = \"yes-no\"\nanswers = [\"yes\", \"maybe\"]\ncriteria = [\"c\"]",
        );
        assert!(
            err.contains("question `q1`") && err.contains("unknown variant `maybe`"),
            "{err}"
        );
    }

    /// The TOML samples of the author's guide (`docs/plugins.md`), in a file
    /// around them that declares what they refer to, pass the same checks as
    /// a plugin's content: the guide cannot drift from the format.
    #[test]
    fn the_guides_toml_samples_are_valid_content() {
        let guide = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/plugins.md"
        ))
        .expect("the guide");
        let samples: Vec<&str> = guide
            .split("```toml\n")
            .skip(1)
            .filter_map(|rest| rest.split("```").next())
            .collect();
        assert!(samples.len() >= 2, "the guide's TOML samples: {samples:?}");
        let context = r#"
[[frameworks]]
id = "iso27001"
title = { fr = "ISO 27001", en = "ISO 27001" }

[[sections]]
id = "backups"
title = { fr = "B", en = "B" }
description = { fr = "B", en = "B" }

[[criteria]]
id = "backup"
title = { fr = "B", en = "B" }
description = { fr = "B", en = "B" }
weight = 1
severity = "high"
references = ["iso27001:A.8.13"]
recommendation = { fr = "R", en = "R" }

[[questions]]
id = "backups.exist"
section = "backups"
prompt = { fr = "Q ?", en = "Q?" }
why = { fr = "W", en = "W" }
evidence = { fr = "E", en = "E" }
kind = "yes-no"
criteria = ["backup"]

[[questions]]
id = "has-subcontractors"
section = "backups"
prompt = { fr = "Q ?", en = "Q?" }
why = { fr = "W", en = "W" }
evidence = { fr = "E", en = "E" }
kind = "yes-no"
criteria = ["backup"]

[[questions]]
id = "staff-count"
section = "backups"
prompt = { fr = "Q ?", en = "Q?" }
why = { fr = "W", en = "W" }
evidence = { fr = "E", en = "E" }
kind = "integer"

[[questions]]
id = "sector"
section = "backups"
prompt = { fr = "Q ?", en = "Q?" }
why = { fr = "W", en = "W" }
evidence = { fr = "E", en = "E" }
kind = "single-choice"
choices = [ { id = "energy", fr = "Énergie", en = "Energy" } ]
"#;
        // A question sample goes in as it is; an `applicable_when` sample
        // goes on a question of its own after the context.
        let mut questions = String::new();
        for (i, sample) in samples.iter().enumerate() {
            if sample.trim_start().starts_with("[[questions]]") {
                questions.push_str(sample);
            } else {
                questions.push_str(&format!(
                    r#"
[[questions]]
id = "conditional-{i}"
section = "backups"
prompt = {{ fr = "Q ?", en = "Q?" }}
why = {{ fr = "W", en = "W" }}
evidence = {{ fr = "E", en = "E" }}
kind = "yes-no"
criteria = ["backup"]
{sample}"#
                ));
            }
        }
        let file = format!("{GOOD}{context}{questions}");
        if let Err(e) = source_from_str(&file, "guide.toml") {
            panic!("the guide's samples are refused: {e}");
        }
    }

    /// A criterion id of 58-64 characters is a valid id, but its "to verify"
    /// finding (`ID.verify`) would not be: the build refuses it up front.
    #[test]
    fn criterion_ids_leave_room_for_the_verify_finding() {
        let long = "c".repeat(58);
        let src = GOOD
            .replace("id = \"c\"", &format!("id = \"{long}\""))
            .replace("criteria = [\"c\"]", &format!("criteria = [\"{long}\"]"));
        let err = source_from_str(&src, "demo.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("at most 57 characters"), "{err}");
        let ok = "c".repeat(57);
        let src = GOOD
            .replace("id = \"c\"", &format!("id = \"{ok}\""))
            .replace("criteria = [\"c\"]", &format!("criteria = [\"{ok}\"]"));
        assert!(source_from_str(&src, "demo.toml").is_ok());
    }
}
