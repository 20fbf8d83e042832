//! Build-time half of the Vigie plugin SDK: reads a `questionnaire.toml`
//! (format in `questionnaires/README.md`), checks it, and writes static Rust
//! data (`content.rs`) that the plugin includes with
//! `vigie_plugin_sdk::include_content!()`.
//!
//! It runs on the build machine only, in a plugin's `build.rs`; it must not be
//! a dependency of anything that runs inside a plugin.

#![forbid(unsafe_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::path::Path;

use serde::Deserialize;

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

type Text = BTreeMap<String, String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    info: Info,
    #[serde(default)]
    frameworks: Vec<Framework>,
    #[serde(default)]
    levels: Vec<Level>,
    sections: Vec<Section>,
    criteria: Vec<Criterion>,
    questions: Vec<Question>,
    verdicts: Vec<Verdict>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Info {
    id: String,
    version: String,
    name: Text,
    description: Text,
    #[serde(default)]
    authors: Vec<String>,
    languages: Vec<String>,
    #[serde(default)]
    extensions: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Framework {
    id: String,
    title: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Level {
    id: String,
    name: Text,
    description: Text,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Condition {
    question: String,
    one_of: Option<Vec<String>>,
    none_of: Option<Vec<String>>,
    includes: Option<String>,
    at_least: Option<f64>,
    below: Option<f64>,
    answered: Option<bool>,
    unanswered: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    id: String,
    title: Text,
    description: Text,
    #[serde(default)]
    levels: Vec<String>,
    #[serde(default)]
    applicable_when: Vec<Vec<Condition>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Criterion {
    id: String,
    title: Text,
    description: Text,
    weight: u32,
    severity: String,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    levels: Vec<String>,
    rollup: Option<String>,
    recommendation: Text,
    deadline_days: Option<u32>,
    #[serde(default)]
    tags: Vec<String>,
}

// No `deny_unknown_fields`: serde cannot combine it with `flatten`. An unknown
// key lands in `label` and is refused there as an undeclared language.
#[derive(Deserialize)]
struct RawChoice {
    id: String,
    score: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(flatten)]
    label: Text,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Expect {
    Word(String),
    Table(ExpectTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectTable {
    met_at_least: Option<f64>,
    partial_at_least: Option<f64>,
    met_below: Option<f64>,
    partial_below: Option<f64>,
    within_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Question {
    id: String,
    section: String,
    prompt: Text,
    why: Text,
    evidence: Text,
    kind: String,
    #[serde(default)]
    choices: Vec<RawChoice>,
    min: Option<f64>,
    max: Option<f64>,
    unit: Option<Text>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    criteria: Vec<String>,
    #[serde(default)]
    levels: Vec<String>,
    #[serde(default)]
    applicable_when: Vec<Vec<Condition>>,
    weight: Option<u32>,
    #[serde(default)]
    critical: bool,
    expect: Option<Expect>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Verdict {
    id: String,
    label: Text,
    summary: Text,
    severity: String,
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
        message: e.to_string(),
    })?;
    let checker = Checker::new(&file, path);
    checker.check()?;
    Ok(Emitter::new(&file).emit())
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

struct Checker<'a> {
    file: &'a File,
    path: &'a str,
}

fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

/// What the SDK appends to a criterion's id for its "to verify" finding.
const VERIFY_SUFFIX: &str = ".verify";

const SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];
const KINDS: [&str; 7] = [
    "yes-no",
    "single-choice",
    "multiple-choice",
    "integer",
    "decimal",
    "text",
    "date",
];
const OUTCOMES: [&str; 4] = ["met", "partial", "not-met", "unknown"];

impl<'a> Checker<'a> {
    fn new(file: &'a File, path: &'a str) -> Self {
        Checker { file, path }
    }

    fn err(&self, item: impl fmt::Display, message: impl fmt::Display) -> ContentError {
        ContentError::Invalid {
            path: self.path.to_string(),
            item: item.to_string(),
            message: message.to_string(),
        }
    }

    fn text(&self, item: &str, field: &str, text: &Text) -> Result<(), ContentError> {
        for lang in &self.file.info.languages {
            if text.get(lang).is_none_or(|t| t.trim().is_empty()) {
                return Err(self.err(item, format!("`{field}` has no `{lang}` text")));
            }
        }
        for lang in text.keys() {
            if !self.file.info.languages.contains(lang) {
                return Err(self.err(
                    item,
                    format!(
                        "`{field}` has text in `{lang}`, which `info.languages` does not declare"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn ids<'b>(
        &self,
        kind: &str,
        ids: impl Iterator<Item = &'b String>,
    ) -> Result<HashSet<&'b str>, ContentError> {
        let mut seen = HashSet::new();
        for id in ids {
            if !valid_id(id) {
                return Err(self.err(
                    format!("{kind} `{id}`"),
                    "ids are 1-64 characters from a-z 0-9 . _ -",
                ));
            }
            if !seen.insert(id.as_str()) {
                return Err(self.err(format!("{kind} `{id}`"), "this id is used twice"));
            }
        }
        Ok(seen)
    }

    fn references(
        &self,
        item: &str,
        refs: &[String],
        frameworks: &HashSet<&str>,
    ) -> Result<(), ContentError> {
        for r in refs {
            let Some((fw, clause)) = r.split_once(':') else {
                return Err(self.err(item, format!("reference `{r}` is not `framework:clause`")));
            };
            if !frameworks.contains(fw) {
                return Err(self.err(item, format!("reference `{r}` names framework `{fw}`, which is not declared in [[frameworks]]")));
            }
            if clause.trim().is_empty() {
                return Err(self.err(item, format!("reference `{r}` has an empty clause")));
            }
        }
        Ok(())
    }

    fn levels(
        &self,
        item: &str,
        levels: &[String],
        declared: &HashSet<&str>,
    ) -> Result<(), ContentError> {
        for l in levels {
            if !declared.contains(l.as_str()) {
                return Err(self.err(item, format!("level `{l}` is not declared in [[levels]]")));
            }
        }
        Ok(())
    }

    fn conditions(
        &self,
        item: &str,
        alternatives: &[Vec<Condition>],
        earlier: &HashMap<&str, usize>,
    ) -> Result<(), ContentError> {
        for all in alternatives {
            if all.is_empty() {
                return Err(self.err(item, "`applicable_when` has an empty alternative"));
            }
            for c in all {
                let Some(&qi) = earlier.get(c.question.as_str()) else {
                    return Err(self.err(
                        item,
                        format!(
                            "condition on `{}`, which is not an earlier question",
                            c.question
                        ),
                    ));
                };
                let tests = [
                    c.one_of.is_some(),
                    c.none_of.is_some(),
                    c.includes.is_some(),
                    c.at_least.is_some(),
                    c.below.is_some(),
                    c.answered == Some(true),
                    c.unanswered == Some(true),
                ];
                if tests.iter().filter(|t| **t).count() != 1 {
                    return Err(self.err(
                        item,
                        format!("condition on `{}` must have exactly one test", c.question),
                    ));
                }
                let question = &self.file.questions[qi];
                let allowed: Vec<&str> = match question.kind.as_str() {
                    "yes-no" => vec!["yes", "no", "partial", "unknown"],
                    _ => question.choices.iter().map(|c| c.id.as_str()).collect(),
                };
                for v in c
                    .one_of
                    .iter()
                    .chain(c.none_of.iter())
                    .flatten()
                    .chain(c.includes.iter())
                {
                    if !allowed.contains(&v.as_str()) {
                        return Err(self.err(
                            item,
                            format!(
                                "condition value `{v}` is not a possible answer of `{}`",
                                c.question
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    fn check(&self) -> Result<(), ContentError> {
        let f = self.file;
        if !valid_id(&f.info.id) {
            return Err(self.err(
                "info",
                format!(
                    "id `{}` must be 1-64 characters from a-z 0-9 . _ -",
                    f.info.id
                ),
            ));
        }
        if f.info.languages.is_empty() {
            return Err(self.err("info", "`languages` is empty"));
        }
        let v: Vec<&str> = f.info.version.split('.').collect();
        if v.len() != 3 || v.iter().any(|p| p.parse::<u32>().is_err()) {
            return Err(self.err(
                "info",
                format!("version `{}` is not MAJOR.MINOR.PATCH", f.info.version),
            ));
        }
        self.text("info", "name", &f.info.name)?;
        self.text("info", "description", &f.info.description)?;
        let frameworks = self.ids("framework", f.frameworks.iter().map(|x| &x.id))?;
        for fw in &f.frameworks {
            self.text(&format!("framework `{}`", fw.id), "title", &fw.title)?;
        }
        let levels = self.ids("level", f.levels.iter().map(|x| &x.id))?;
        for l in &f.levels {
            let item = format!("level `{}`", l.id);
            self.text(&item, "name", &l.name)?;
            self.text(&item, "description", &l.description)?;
        }
        let sections = self.ids("section", f.sections.iter().map(|x| &x.id))?;
        let criteria = self.ids("criterion", f.criteria.iter().map(|x| &x.id))?;
        // A criterion to verify becomes finding `ID.verify`, itself an id.
        if let Some(c) = f
            .criteria
            .iter()
            .find(|c| c.id.len() + VERIFY_SUFFIX.len() > 64)
        {
            return Err(self.err(
                format!("criterion `{}`", c.id),
                "criterion ids are at most 57 characters (its finding `ID.verify` must fit in 64)",
            ));
        }
        self.ids("question", f.questions.iter().map(|x| &x.id))?;
        self.ids("verdict", f.verdicts.iter().map(|x| &x.id))?;
        for c in &f.criteria {
            let item = format!("criterion `{}`", c.id);
            self.text(&item, "title", &c.title)?;
            self.text(&item, "description", &c.description)?;
            self.text(&item, "recommendation", &c.recommendation)?;
            if !SEVERITIES.contains(&c.severity.as_str()) {
                return Err(self.err(
                    &item,
                    format!("severity `{}` is not one of {SEVERITIES:?}", c.severity),
                ));
            }
            if let Some(r) = &c.rollup
                && r != "worst"
                && r != "average"
            {
                return Err(self.err(&item, format!("rollup `{r}` is not `worst` or `average`")));
            }
            self.references(&item, &c.references, &frameworks)?;
            self.levels(&item, &c.levels, &levels)?;
        }
        for v in &f.verdicts {
            let item = format!("verdict `{}`", v.id);
            self.text(&item, "label", &v.label)?;
            self.text(&item, "summary", &v.summary)?;
            if !SEVERITIES.contains(&v.severity.as_str()) {
                return Err(self.err(
                    &item,
                    format!("severity `{}` is not one of {SEVERITIES:?}", v.severity),
                ));
            }
        }
        // Sections: conditions may only name questions of earlier sections.
        let mut first_question_of: HashMap<&str, usize> = HashMap::new();
        for (i, q) in f.questions.iter().enumerate() {
            first_question_of.entry(q.section.as_str()).or_insert(i);
        }
        let mut section_order = Vec::new();
        for s in &f.sections {
            let item = format!("section `{}`", s.id);
            self.text(&item, "title", &s.title)?;
            self.text(&item, "description", &s.description)?;
            self.levels(&item, &s.levels, &levels)?;
            let limit = first_question_of
                .get(s.id.as_str())
                .copied()
                .unwrap_or(f.questions.len());
            let earlier: HashMap<&str, usize> = f.questions[..limit]
                .iter()
                .enumerate()
                .map(|(i, q)| (q.id.as_str(), i))
                .collect();
            self.conditions(&item, &s.applicable_when, &earlier)?;
            section_order.push(s.id.as_str());
        }
        let mut earlier: HashMap<&str, usize> = HashMap::new();
        let mut current_section = 0usize;
        for (i, q) in f.questions.iter().enumerate() {
            let item = format!("question `{}`", q.id);
            if !sections.contains(q.section.as_str()) {
                return Err(self.err(&item, format!("section `{}` is not declared", q.section)));
            }
            let Some(position) = section_order.iter().position(|s| *s == q.section) else {
                return Err(self.err(&item, format!("section `{}` is not declared", q.section)));
            };
            if position < current_section {
                return Err(self.err(&item, format!("questions must be grouped by section in section order; `{}` comes after a later section", q.section)));
            }
            current_section = position;
            self.text(&item, "prompt", &q.prompt)?;
            self.text(&item, "why", &q.why)?;
            self.text(&item, "evidence", &q.evidence)?;
            if !KINDS.contains(&q.kind.as_str()) {
                return Err(self.err(&item, format!("kind `{}` is not one of {KINDS:?}", q.kind)));
            }
            let is_choice = q.kind.ends_with("-choice");
            if is_choice && q.choices.is_empty() {
                return Err(self.err(&item, "a choice question needs `choices`"));
            }
            if !is_choice && !q.choices.is_empty() {
                return Err(self.err(
                    &item,
                    format!("a {} question cannot have `choices`", q.kind),
                ));
            }
            let mut choice_ids = HashSet::new();
            for c in &q.choices {
                let citem = format!("{item}, choice `{}`", c.id);
                if !valid_id(&c.id) || !choice_ids.insert(c.id.as_str()) {
                    return Err(self.err(&citem, "choice ids are unique and made of a-z 0-9 . _ -"));
                }
                self.text(&citem, "label", &c.label)?;
                if let Some(s) = &c.score
                    && !OUTCOMES.contains(&s.as_str())
                {
                    return Err(self.err(&citem, format!("score `{s}` is not one of {OUTCOMES:?}")));
                }
            }
            if let Some(unit) = &q.unit {
                self.text(&item, "unit", unit)?;
            }
            if (q.min.is_some() || q.max.is_some() || q.unit.is_some())
                && !matches!(q.kind.as_str(), "integer" | "decimal")
            {
                return Err(self.err(
                    &item,
                    "`min`, `max` and `unit` are for integer and decimal questions",
                ));
            }
            self.references(&item, &q.references, &frameworks)?;
            for c in &q.criteria {
                if !criteria.contains(c.as_str()) {
                    return Err(self.err(&item, format!("criterion `{c}` is not declared")));
                }
            }
            self.levels(&item, &q.levels, &levels)?;
            self.conditions(&item, &q.applicable_when, &earlier)?;
            expect_of(q).map_err(|m| self.err(&item, m))?;
            if expect_of(q).is_ok_and(|e| e != "Expect::Context") && q.criteria.is_empty() {
                return Err(self.err(&item, "a scored question (with `expect` or choice scores) must feed at least one criterion"));
            }
            earlier.insert(q.id.as_str(), i);
        }
        for v in ["not-assessed"] {
            if !f.verdicts.iter().any(|x| x.id == v) {
                return Err(self.err("verdicts", format!("verdict `{v}` must be declared")));
            }
        }
        Ok(())
    }
}

/// The Rust expression for a question's `expect`, or why it is wrong.
fn expect_of(q: &Question) -> Result<String, String> {
    let kind = q.kind.as_str();
    match (&q.expect, kind) {
        // A yes-no question that feeds no criterion is a context question.
        (None, "yes-no") if q.criteria.is_empty() => Ok("Expect::Context".into()),
        (None, "yes-no") => Ok("Expect::Yes".into()),
        (None, "single-choice" | "multiple-choice") => Ok(if q.choices.iter().any(|c| c.score.is_some()) {
            "Expect::Choices".into()
        } else {
            "Expect::Context".into()
        }),
        (None, _) => Ok("Expect::Context".into()),
        (Some(Expect::Word(w)), _) => match (w.as_str(), kind) {
            ("yes", "yes-no") => Ok("Expect::Yes".into()),
            ("no", "yes-no") => Ok("Expect::No".into()),
            ("context", _) => Ok("Expect::Context".into()),
            ("after-assessment", "date") => Ok("Expect::AfterAssessment".into()),
            _ => Err(format!("expect `{w}` does not fit a {kind} question")),
        },
        (Some(Expect::Table(t)), "integer" | "decimal") => match (t.met_at_least, t.met_below, t.within_days) {
            (Some(met), None, None) if t.partial_below.is_none() => Ok(format!(
                "Expect::MetAtLeast {{ met: {met:?}, partial: {:?} }}",
                t.partial_at_least
            )),
            (None, Some(met), None) if t.partial_at_least.is_none() => Ok(format!(
                "Expect::MetBelow {{ met: {met:?}, partial: {:?} }}",
                t.partial_below
            )),
            _ => Err("numeric `expect` is { met_at_least, partial_at_least? } or { met_below, partial_below? }".into()),
        },
        (Some(Expect::Table(t)), "date") => match t.within_days {
            Some(days) if t.met_at_least.is_none() && t.met_below.is_none() => Ok(format!("Expect::WithinDays({days})")),
            _ => Err("date `expect` is \"after-assessment\" or { within_days = N }".into()),
        },
        (Some(Expect::Table(_)), _) => Err(format!("a {kind} question cannot take an `expect` table")),
    }
}

struct Emitter<'a> {
    file: &'a File,
    out: String,
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

impl<'a> Emitter<'a> {
    fn new(file: &'a File) -> Self {
        Emitter {
            file,
            out: String::new(),
        }
    }

    fn text(&self, text: &Text) -> String {
        let mut parts = Vec::new();
        for lang in &self.file.info.languages {
            if let Some(t) = text.get(lang) {
                parts.push(format!("({}, {})", lit(lang), lit(t)));
            }
        }
        format!("&[{}]", parts.join(", "))
    }

    fn strs(items: &[String]) -> String {
        format!(
            "&[{}]",
            items.iter().map(|s| lit(s)).collect::<Vec<_>>().join(", ")
        )
    }

    fn references(refs: &[String]) -> String {
        let items: Vec<String> = refs
            .iter()
            .filter_map(|r| r.split_once(':'))
            .map(|(fw, clause)| {
                format!(
                    "Reference {{ framework: {}, clause: {} }}",
                    lit(fw),
                    lit(clause.trim())
                )
            })
            .collect();
        format!("&[{}]", items.join(", "))
    }

    fn applicability(&self, alternatives: &[Vec<Condition>]) -> String {
        let alts: Vec<String> = alternatives
            .iter()
            .map(|all| {
                let conds: Vec<String> = all
                    .iter()
                    .map(|c| {
                        let qi = self
                            .file
                            .questions
                            .iter()
                            .position(|q| q.id == c.question)
                            .unwrap_or(0);
                        let test = if let Some(v) = &c.one_of {
                            format!("Test::OneOf({})", Self::strs(v))
                        } else if let Some(v) = &c.none_of {
                            format!("Test::NoneOf({})", Self::strs(v))
                        } else if let Some(v) = &c.includes {
                            format!("Test::Includes({})", lit(v))
                        } else if let Some(n) = c.at_least {
                            format!("Test::AtLeast({n:?})")
                        } else if let Some(n) = c.below {
                            format!("Test::Below({n:?})")
                        } else if c.answered == Some(true) {
                            "Test::Answered".into()
                        } else {
                            "Test::Unanswered".into()
                        };
                        format!("Condition {{ question: {qi}, test: {test} }}")
                    })
                    .collect();
                format!("&[{}]", conds.join(", "))
            })
            .collect();
        format!("&[{}]", alts.join(", "))
    }

    fn severity(s: &str) -> &'static str {
        match s {
            "info" => "Severity::Info",
            "low" => "Severity::Low",
            "medium" => "Severity::Medium",
            "high" => "Severity::High",
            _ => "Severity::Critical",
        }
    }

    fn emit(mut self) -> String {
        let f = self.file;
        let w = &mut String::new();
        let _ = writeln!(
            w,
            "// Generated by vigie-plugin-sdk-build from questionnaire.toml. Do not edit."
        );
        let _ = writeln!(w, "#[allow(unused_imports, clippy::all)]");
        let _ = writeln!(
            w,
            "pub static CONTENT: vigie_plugin_sdk::Content = {{ use vigie_plugin_sdk::content::*; Content {{"
        );
        let ext: Vec<String> = f
            .info
            .extensions
            .iter()
            .map(|(k, v)| format!("({}, {})", lit(k), lit(v)))
            .collect();
        let _ = writeln!(
            w,
            "info: Info {{ id: {}, version: {}, name: {}, description: {}, authors: {}, languages: {}, extensions: &[{}] }},",
            lit(&f.info.id),
            lit(&f.info.version),
            self.text(&f.info.name),
            self.text(&f.info.description),
            Self::strs(&f.info.authors),
            Self::strs(&f.info.languages),
            ext.join(", ")
        );
        let _ = writeln!(w, "frameworks: &[");
        for fw in &f.frameworks {
            let _ = writeln!(
                w,
                "Framework {{ id: {}, title: {} }},",
                lit(&fw.id),
                self.text(&fw.title)
            );
        }
        let _ = writeln!(w, "],\nlevels: &[");
        for l in &f.levels {
            let _ = writeln!(
                w,
                "Level {{ id: {}, name: {}, description: {} }},",
                lit(&l.id),
                self.text(&l.name),
                self.text(&l.description)
            );
        }
        let _ = writeln!(w, "],\nsections: &[");
        for s in &f.sections {
            let _ = writeln!(
                w,
                "Section {{ id: {}, title: {}, description: {}, levels: {}, applicable_when: {} }},",
                lit(&s.id),
                self.text(&s.title),
                self.text(&s.description),
                Self::strs(&s.levels),
                self.applicability(&s.applicable_when)
            );
        }
        let _ = writeln!(w, "],\ncriteria: &[");
        for c in &f.criteria {
            let _ = writeln!(
                w,
                "Criterion {{ id: {}, title: {}, description: {}, weight: {}, severity: {}, references: {}, levels: {}, rollup: {}, recommendation: {}, deadline_days: {:?}, tags: {} }},",
                lit(&c.id),
                self.text(&c.title),
                self.text(&c.description),
                c.weight,
                Self::severity(&c.severity),
                Self::references(&c.references),
                Self::strs(&c.levels),
                if c.rollup.as_deref() == Some("average") {
                    "Rollup::Average"
                } else {
                    "Rollup::Worst"
                },
                self.text(&c.recommendation),
                c.deadline_days,
                Self::strs(&c.tags)
            );
        }
        let _ = writeln!(w, "],\nquestions: &[");
        for q in &f.questions {
            let section = f
                .sections
                .iter()
                .position(|s| s.id == q.section)
                .unwrap_or(0);
            let criteria: Vec<String> = q
                .criteria
                .iter()
                .filter_map(|c| f.criteria.iter().position(|x| &x.id == c))
                .map(|i| i.to_string())
                .collect();
            let choices: Vec<String> = q
                .choices
                .iter()
                .map(|c| {
                    let score = match c.score.as_deref() {
                        Some("met") => "Some(Outcome::Met)",
                        Some("partial") => "Some(Outcome::Partial)",
                        Some("not-met") => "Some(Outcome::NotMet)",
                        Some("unknown") => "Some(Outcome::Unknown)",
                        _ => "None",
                    };
                    format!(
                        "Choice {{ id: {}, label: {}, score: {score}, tags: {} }}",
                        lit(&c.id),
                        self.text(&c.label),
                        Self::strs(&c.tags)
                    )
                })
                .collect();
            let kind = match q.kind.as_str() {
                "yes-no" => "Kind::YesNo",
                "single-choice" => "Kind::SingleChoice",
                "multiple-choice" => "Kind::MultipleChoice",
                "integer" => "Kind::Integer",
                "decimal" => "Kind::Decimal",
                "text" => "Kind::Text",
                _ => "Kind::Date",
            };
            let _ = writeln!(
                w,
                "Question {{ id: {}, section: {section}, prompt: {}, why: {}, evidence: {}, kind: {kind}, choices: &[{}], min: {:?}, max: {:?}, unit: {}, references: {}, criteria: &[{}], levels: {}, applicable_when: {}, weight: {}, critical: {}, expect: {}, tags: {} }},",
                lit(&q.id),
                self.text(&q.prompt),
                self.text(&q.why),
                self.text(&q.evidence),
                choices.join(", "),
                q.min,
                q.max,
                q.unit
                    .as_ref()
                    .map(|u| format!("Some({})", self.text(u)))
                    .unwrap_or_else(|| "None".into()),
                Self::references(&q.references),
                criteria.join(", "),
                Self::strs(&q.levels),
                self.applicability(&q.applicable_when),
                q.weight.unwrap_or(1),
                q.critical,
                expect_of(q).unwrap_or_else(|_| "Expect::Context".into()),
                Self::strs(&q.tags)
            );
        }
        let _ = writeln!(w, "],\nverdicts: &[");
        for v in &f.verdicts {
            let _ = writeln!(
                w,
                "Verdict {{ id: {}, label: {}, summary: {}, severity: {} }},",
                lit(&v.id),
                self.text(&v.label),
                self.text(&v.summary),
                Self::severity(&v.severity)
            );
        }
        let _ = writeln!(w, "],\n}} }};");
        self.out = std::mem::take(w);
        self.out
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
        assert!(refused("kind = \"yes-no\"", "kind = \"boolean\"").contains("kind `boolean`"));
        assert!(refused("weight = 1", "weight = 1\ncolour = 2").contains("unknown field"));
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
        assert_eq!(samples.len(), 2, "the guide's TOML samples");
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
        let conditions = format!(
            r#"
[[questions]]
id = "conditional"
section = "backups"
prompt = {{ fr = "Q ?", en = "Q?" }}
why = {{ fr = "W", en = "W" }}
evidence = {{ fr = "E", en = "E" }}
kind = "yes-no"
criteria = ["backup"]
{}"#,
            samples[1]
        );
        let file = format!("{GOOD}{context}{}{conditions}", samples[0]);
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
