//! Terminal escape sequences from plugins, database rows, answer files and exchange files
//! never reach the terminal through the `vigie` binary.
//!
//! The hostile text is an OSC 52 clipboard write ended by BEL, a screen clear (ESC [ 2 J) and
//! a scrollback clear introduced by the C1 CSI (U+009B). The first wall is the plugin host,
//! which refuses plugin text holding control characters, naming the field; the second is the
//! binary, which shows every outside text through `vigie_model::visible`. Each test runs the
//! real binary and checks its raw stdout and stderr with [`assert_clean`].

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The hostile text, as Rust text.
const HOSTILE: &str = "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{9b}3J";
/// The same text in a WAT string literal (UTF-8 bytes; U+009B is C2 9B).
const HOSTILE_WAT: &str = r"\1b]52;c;cHduZWQ=\07\1b[2J\c2\9b3J";
/// How the binary shows it.
const SHOWN: &str = r"\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{9b}3J";

/// Neither stream carries ESC (0x1b), BEL (0x07) or a C1 control: both are valid UTF-8
/// (so a 0x9b byte can only be the continuation byte of a printable character, never the
/// 8-bit CSI; none of the texts here has such a character) with no control character but
/// line feeds (and the CRLF line ends of a CSV report). Returns stdout and stderr as text.
fn assert_clean(what: &str, out: &Output) -> (String, String) {
    let mut texts = Vec::new();
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let lossy = String::from_utf8_lossy(bytes);
        for raw in [0x1b_u8, 0x07, 0x9b] {
            assert!(
                !bytes.contains(&raw),
                "{what}: {stream} carries the byte {raw:#04x}:\n{lossy:?}"
            );
        }
        let text = std::str::from_utf8(bytes)
            .unwrap_or_else(|e| panic!("{what}: {stream} is not UTF-8 ({e}):\n{lossy:?}"));
        let bad = text.char_indices().find(|&(i, c)| {
            c.is_control() && c != '\n' && !(c == '\r' && text[i..].starts_with("\r\n"))
        });
        assert_eq!(
            bad, None,
            "{what}: {stream} carries a control character:\n{text:?}"
        );
        texts.push(text.to_string());
    }
    let stderr = texts.pop().unwrap_or_default();
    let stdout = texts.pop().unwrap_or_default();
    (stdout, stderr)
}

struct Env {
    dir: TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> PathBuf {
        self.path("vigie.sqlite")
    }

    fn run(&self, args: &[&str]) -> Output {
        let home = self.path("home");
        Command::new(env!("CARGO_BIN_EXE_vigie"))
            .current_dir(self.dir.path())
            .env("VIGIE_CACHE_DIR", self.path("cache"))
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("USER", "tester")
            .env("LANG", "C.UTF-8")
            .env_remove("VIGIE_DB")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("COLUMNS")
            .arg("--db")
            .arg(self.db())
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs, checks the streams are clean and the exit code; returns (stdout, stderr).
    fn expect(&self, code: i32, args: &[&str]) -> (String, String) {
        let out = self.run(args);
        let what = format!("vigie {args:?}");
        let (stdout, stderr) = assert_clean(&what, &out);
        assert_eq!(out.status.code(), Some(code), "{what}:\n{stdout}\n{stderr}");
        (stdout, stderr)
    }

    fn ok(&self, args: &[&str]) -> String {
        self.expect(0, args).0
    }

    /// Runs and checks the streams are clean, whatever the exit code; returns (stdout, stderr).
    fn clean(&self, args: &[&str]) -> (String, String) {
        assert_clean(&format!("vigie {args:?}"), &self.run(args))
    }

    fn fails(&self, args: &[&str]) -> String {
        self.expect(1, args).1
    }

    fn write(&self, name: &str, content: &[u8]) -> String {
        let path = self.path(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }

    fn sql(&self, statement: &str, params: &[&str]) {
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        conn.execute(statement, rusqlite::params_from_iter(params))
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }

    /// A supplier and a NIS2 assessment; returns the assessment's id.
    fn nis2_assessment(&self) -> String {
        self.ok(&[
            "supplier",
            "add",
            "Centre d'appels Tunis",
            "--country",
            "TN",
        ]);
        self.ok(&[
            "assessment",
            "new",
            "--supplier",
            "centre d'appels tunis",
            "--plugin",
            "nis2-suppliers",
            "--date",
            "2026-11-23",
        ])
        .trim()
        .to_string()
    }
}

/// `text` with each control character as a `\uXXXX` escape, as TOML and JSON strings write it.
fn escaped(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                format!("\\u{:04X}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn mfa_wat() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wat-plugin/mfa.wat");
    std::fs::read_to_string(path).unwrap()
}

/// mfa.wat with the data text `from` replaced by `to` (both without the final `\00`).
fn mfa_with(from: &str, to: &str) -> Vec<u8> {
    let source = mfa_wat();
    let from = format!("\"{from}\\00\"");
    assert!(source.contains(&from), "mfa.wat has no text {from}");
    source.replace(&from, &format!("\"{to}\\00\"")).into_bytes()
}

/// A plugin whose name, prompt or id holds the sequence is refused by `check`, `install` and
/// `inspect`, the message naming the field; a plugin row put in the database by another
/// program fails to load with the same message in `plugin list`. Nothing reaches the
/// terminal raw, not even the id quoted in the message.
#[test]
fn a_plugin_with_escape_sequences_is_refused_naming_the_field() {
    let env = Env::new();
    let cases = [
        (
            "name.wat",
            mfa_with("MFA check (hand-written WAT)", &format!("MFA{HOSTILE_WAT}")),
            "info.name (en): control character U+001B at character 4",
        ),
        (
            "prompt.wat",
            mfa_with(
                "Is it planned within six months?",
                &format!("Planned?{HOSTILE_WAT}"),
            ),
            "question `mfa-planned`.prompt (en): control character U+001B at character 9",
        ),
        (
            "id.wat",
            mfa_with("wat-mfa", &format!("wat-mfa{HOSTILE_WAT}")),
            "info.id: control character U+001B at character 8",
        ),
        (
            "c1.wat",
            mfa_with("Access control", r"Access\c2\9b2J"),
            "section `access`.title (en): control character U+009B at character 7",
        ),
    ];
    for (name, bytes, field) in &cases {
        let file = env.write(name, bytes);
        for command in ["check", "install", "inspect"] {
            let err = env.fails(&["plugin", command, &file]);
            assert!(err.contains(field), "plugin {command} {name}: {err}");
        }
    }
    // Installed behind vigie's back: `plugin list` reports the load failure, cleanly.
    env.ok(&["supplier", "add", "ACME"]);
    let (_, bytes, field) = &cases[0];
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute(
        "INSERT INTO plugin_blobs (sha256, size, plugin_id, version, origin, added_by, added_at, \
         bytes) VALUES (?1, ?2, ?3, '1.0.0', ?3, ?3, '2026-01-01T00:00:00Z', ?4)",
        rusqlite::params![
            vigie_plugin_host::sha256_hex(bytes),
            bytes.len() as i64,
            format!("wat-mfa{HOSTILE}"),
            bytes
        ],
    )
    .unwrap();
    let (list, err) = env.expect(0, &["plugin", "list"]);
    assert!(list.contains("nis2-suppliers"), "{list}");
    // Listed as unusable, with the reason naming the field.
    assert!(list.contains(field) || err.contains(field), "{list}\n{err}");
}

/// An evaluation whose rationale holds the sequence: `answer` saves and warns, `score`
/// fails, both naming the field.
#[test]
fn an_evaluation_with_escape_sequences_is_refused_naming_the_field() {
    let env = Env::new();
    let bytes = mfa_with(
        "Every user signs in with a second factor.",
        &format!("Every user{HOSTILE_WAT}"),
    );
    let file = env.write("rationale.wat", &bytes);
    env.ok(&["plugin", "install", &file]);
    env.ok(&["supplier", "add", "ACME"]);
    let id = env.ok(&[
        "assessment",
        "new",
        "--supplier",
        "acme",
        "--plugin",
        "wat-mfa",
    ]);
    let id = id.trim();
    let field =
        "result for criterion `mfa`.rationale (en): control character U+001B at character 11";
    let (_, warning) = env.expect(0, &["answer", id, "mfa", "yes"]);
    assert!(warning.contains(field), "{warning}");
    let err = env.fails(&["score", id]);
    assert!(err.contains(field), "{err}");
}

/// A WAT file that does not parse: the parser's message quotes the offending line, control
/// characters and all; the binary shows them.
#[test]
fn a_wat_parse_error_quoting_the_line_is_shown_visible() {
    let env = Env::new();
    let source = mfa_wat().replacen(
        "(memory (export \"memory\") 1)",
        &format!("(memory (export \"memory\") 1) (bogus {HOSTILE})"),
        1,
    );
    let file = env.write("broken.wat", source.as_bytes());
    for command in ["check", "install"] {
        let err = env.fails(&["plugin", command, &file]);
        assert!(err.contains("broken.wat"), "{err}");
    }
}

/// Database rows written by another program: every listing and every report shows the
/// sequence visible.
#[test]
fn database_rows_with_escape_sequences_are_shown_visible() {
    let env = Env::new();
    let id = env.nis2_assessment();
    env.ok(&[
        "answer",
        id.as_str(),
        "iso-certified",
        "partial",
        "--note",
        "fine",
    ]);
    env.ok(&["score", id.as_str()]);
    let name = format!("Evil{HOSTILE}");
    let services = serde_json::to_string(&[HOSTILE]).unwrap();
    let contacts = serde_json::to_string(&[serde_json::json!({
        "name": format!("Amel{HOSTILE}"),
        "email": format!("a{HOSTILE}@example.tn"),
    })])
    .unwrap();
    env.sql(
        "UPDATE suppliers SET name = ?1, country = ?2, sector = ?2, services = ?3, \
         contacts = ?4, created_by = ?2",
        &[&name, HOSTILE, &services, &contacts],
    );
    env.sql(
        "UPDATE assessments SET verdict = ?1, auditor = ?1, level = ?1, language = ?1",
        &[HOSTILE],
    );
    // Lists show the verdict's label, read from the saved evaluation.
    env.sql(
        "UPDATE assessments SET last_evaluation = json_set(last_evaluation, '$.verdict.label', \
         json_array(json_object('lang', 'en', 'text', ?1), json_object('lang', 'fr', 'text', ?1)))",
        &[HOSTILE],
    );
    env.sql(
        "UPDATE answers SET note = ?1, updated_by = ?1",
        &[&format!("line one{HOSTILE}\nline two\r")],
    );

    let list = env.ok(&["supplier", "list"]);
    assert!(list.contains(r"Evil\u{1b}]52;c;cHduZWQ=\u{7}"), "{list}");
    let supplier: String = rusqlite::Connection::open(env.db())
        .unwrap()
        .query_row("SELECT id FROM suppliers", [], |r| r.get(0))
        .unwrap();
    let show = env.ok(&["supplier", "show", &supplier]);
    assert!(show.contains(&format!("Evil{SHOWN}")), "{show}");
    assert!(show.contains(&format!("Amel{SHOWN}")), "{show}");
    let list = env.ok(&["assessment", "list"]);
    assert!(list.contains(SHOWN), "{list}");
    // A label of the wrong shape: the list falls back on the (hostile) id. (Put
    // back after: commands that read the whole evaluation refuse such a row.)
    let label = "json_set(last_evaluation, '$.verdict.label', ?1)";
    env.sql(
        &format!("UPDATE assessments SET last_evaluation = {label}"),
        &["42"],
    );
    let list = env.ok(&["assessment", "list"]);
    assert!(list.contains(SHOWN), "{list}");
    env.sql(
        "UPDATE assessments SET last_evaluation = json_set(last_evaluation, '$.verdict.label', \
         json_array(json_object('lang', 'en', 'text', ?1), json_object('lang', 'fr', 'text', ?1)))",
        &[HOSTILE],
    );
    let show = env.ok(&["assessment", "show", id.as_str()]);
    assert!(show.contains(&format!("line one{SHOWN}")), "{show}");
    assert!(show.contains(r"line two\u{d}"), "{show}");
    let (csv, _) = env.clean(&["report", id.as_str(), "--format", "csv"]);
    assert!(csv.contains(&format!("Evil{SHOWN}")), "{csv}");
    for format in ["md", "html", "json"] {
        env.clean(&["report", id.as_str(), "--format", format]);
    }
    let (exported, _) = env.clean(&["export", id.as_str()]);
    assert!(
        exported.contains(r"\u009b3J"),
        "the export escapes C1: {exported}"
    );
    env.clean(&["score", id.as_str(), "--format", "json"]);
    env.clean(&["score", id.as_str()]);
    env.clean(&["assessment", "reassess", id.as_str()]);
    env.clean(&["assessment", "finalize", id.as_str()]);
    env.clean(&["db", "verify"]);

    // A timestamp is read as one: this one is refused, naming its column, and shown visible.
    env.sql(
        "UPDATE suppliers SET updated_at = ?1",
        &[&format!("line one{HOSTILE}\nline two\r")],
    );
    let err = env.fails(&["supplier", "list"]);
    assert!(err.contains("suppliers.updated_at"), "{err}");
    assert!(err.contains(r"\u{1b}]52;c;cHduZWQ="), "{err}");
}

/// An answers file whose text, notes and level hold the sequence, and one that does not
/// parse on a line holding it.
#[test]
fn answer_files_with_escape_sequences_are_shown_visible() {
    let env = Env::new();
    let id = env.nis2_assessment();
    let escaped = escaped(HOSTILE);
    let file = env.write(
        "answers.toml",
        format!(
            "level = \"{escaped}\"\n[answers]\niso-certified = \"partial\"\n\
             [notes]\niso-certified = \"{escaped}\"\n"
        )
        .as_bytes(),
    );
    let (_, err) = env.expect(0, &["answer", id.as_str(), "--file", &file]);
    assert!(err.contains(SHOWN), "the level is quoted visible: {err}");
    let show = env.ok(&["assessment", "show", id.as_str()]);
    assert!(show.contains(SHOWN), "{show}");

    let unknown = env.write(
        "unknown.toml",
        format!("[answers]\n\"q{escaped}\" = \"yes\"\n").as_bytes(),
    );
    env.fails(&["answer", id.as_str(), "--file", &unknown]);
    let broken = env.write(
        "broken.toml",
        format!("[answers]\niso-certified = partial {HOSTILE}\n").as_bytes(),
    );
    let err = env.fails(&["answer", id.as_str(), "--file", &broken]);
    assert!(err.contains("broken.toml"), "{err}");
}

/// Exchange files: one whose `format` holds the sequence (quoted in the refusal), one that is
/// not JSON on a line holding it, and one whose supplier was edited to hold it.
#[test]
fn exchange_files_with_escape_sequences_are_refused_visibly() {
    let env = Env::new();
    let id = env.nis2_assessment();
    let exported = env.ok(&["export", id.as_str()]);
    let mut value: serde_json::Value = serde_json::from_str(&exported).unwrap();
    value["format"] = serde_json::Value::String(HOSTILE.into());
    let file = env.write("format.json", value.to_string().as_bytes());
    let err = env.fails(&["import", &file]);
    assert!(err.contains(SHOWN), "{err}");

    let file = env.write("broken.json", format!("{{\"format\": {HOSTILE}").as_bytes());
    env.fails(&["import", &file]);

    let mut value: serde_json::Value = serde_json::from_str(&exported).unwrap();
    value["supplier"]["name"] = serde_json::Value::String(format!("Evil{HOSTILE}"));
    let file = env.write("edited.json", value.to_string().as_bytes());
    let other = Env::new();
    other.clean(&["import", &file]);
    other.clean(&["supplier", "list"]);
    other.clean(&["assessment", "list"]);
}
