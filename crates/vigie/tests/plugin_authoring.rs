//! The plugin authoring kit, end to end:
//! - `vigie plugin new` scaffolds a project that builds with plain cargo into
//!   a component `vigie plugin check` accepts unchanged and `plugin install`
//!   stores, and whose golden tests pass natively;
//! - every Rust sample of the author's guide (docs/plugins.md) compiles and
//!   runs, as doctests of that scaffolded project (so against real generated
//!   content, which the SDK crate alone does not have);
//! - the guide states the host's real default limits;
//! - the hand-written WAT plugin (examples/wat-plugin) loads, validates and
//!   evaluates without the Rust SDK;
//! - `plugin check` explains rejections with a hint.
//!
//! The nested cargo builds run offline (the scaffold's Cargo.lock is seeded
//! from the workspace's) in `<target>/wasm-plugins`, the folder the test
//! plugins of `tests/` are built in with the same profile, so dependencies
//! are compiled once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use vigie_model::{Answer, AnswerValue, Date, EvalContext, Status, YesNo};
use vigie_plugin_host::{Host, Limits, OutputLimits};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The workspace's target folder: the nearest ancestor of this test binary
/// holding cargo's CACHEDIR.TAG.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| repo().join("target"))
}

fn text(output: &Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `vigie` with a clean environment inside `home`.
fn vigie(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigie"));
    cmd.current_dir(home)
        .env("VIGIE_CACHE_DIR", home.join("cache"))
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("USER", "tester")
        .env("LANG", "C.UTF-8")
        .env_remove("VIGIE_DB");
    cmd
}

/// Environment that `cargo test` gives this process and that must not leak
/// into a nested build.
const SCRUBBED: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_ENCODED_RUSTDOCFLAGS",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_TARGET_DIR",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_CRATE_NAME",
    "LLVM_PROFILE_FILE",
    "CARGO_LLVM_COV",
];

/// `cargo ARGS` in the plugin project `dir`, offline, in the shared folder.
fn cargo(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", target_dir().join("wasm-plugins"))
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TERM_COLOR", "never");
    for var in SCRUBBED {
        cmd.env_remove(var);
    }
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_PKG_") || key.starts_with("CARGO_BIN_EXE_") {
            cmd.env_remove(&*key);
        }
    }
    let started = Instant::now();
    let output = cmd.output().expect("cargo runs");
    eprintln!(
        "cargo {} in {}: {:.1?}",
        args.join(" "),
        dir.display(),
        started.elapsed()
    );
    output
}

#[test]
fn scaffold_builds_passes_check_and_its_tests_and_runs_the_guide_samples() {
    let home = tempfile::tempdir().unwrap();
    let scaffolded = home.path().join("first-place");

    // 1. Scaffold.
    let out = vigie(home.path())
        .args(["plugin", "new", "my-questionnaire", "--dir"])
        .arg(&scaffolded)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // The project carries the SDK, the contract and the guides, and mentions no
    // folder of the machine that built vigie: a released binary's scaffold builds
    // anywhere. Moving it before the build proves it depends on nothing outside.
    let project = home.path().join("moved/my-questionnaire");
    std::fs::create_dir_all(project.parent().unwrap()).unwrap();
    std::fs::rename(&scaffolded, &project).unwrap();
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
        "rust-toolchain.toml",
        "build.rs",
        "questionnaire.toml",
        "src/lib.rs",
        "tests/golden.rs",
        "golden/well-run.toml",
        "README.md",
        "vendor/plugins/vigie-plugin-sdk/Cargo.toml",
        "vendor/plugins/vigie-plugin-sdk/src/lib.rs",
        "vendor/plugins/vigie-plugin-sdk-build/Cargo.toml",
        "vendor/wit/questionnaire.wit",
        "vendor/docs/plugins.md",
        "vendor/questionnaires/README.md",
    ] {
        assert!(project.join(file).is_file(), "the scaffold lacks {file}");
    }
    let checkout = repo().canonicalize().unwrap().display().to_string();
    let mut pending = vec![project.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let content = std::fs::read_to_string(&path).unwrap();
                assert!(
                    !content.contains(&checkout),
                    "{} names the checkout vigie was built from ({checkout})",
                    path.display()
                );
            }
        }
    }
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("path = \"vendor/plugins/vigie-plugin-sdk\""),
        "{manifest}"
    );
    let vendored = std::fs::read_to_string(project.join("vendor/wit/questionnaire.wit")).unwrap();
    assert_eq!(
        vendored,
        std::fs::read_to_string(repo().join("wit/questionnaire.wit")).unwrap(),
        "the vendored contract is the workspace's"
    );
    let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
    for command in [
        "cargo build --release",
        "vigie plugin check",
        "vigie plugin test",
        "plugin install",
        "my_questionnaire.wasm",
    ] {
        assert!(readme.contains(command), "README lacks `{command}`");
    }

    // 2. Build it as the README says: plain `cargo build --release`.
    let out = cargo(&project, &["build", "--release"]);
    assert!(out.status.success(), "{}", text(&out));
    let component =
        target_dir().join("wasm-plugins/wasm32-unknown-unknown/release/my_questionnaire.wasm");
    assert!(component.is_file(), "{} is missing", component.display());

    // 3. `vigie plugin check` accepts it unchanged.
    let out = vigie(home.path())
        .args(["plugin", "check"])
        .arg(&component)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("ok: plugin my-questionnaire 0.1.0")
            && stdout.contains("2 sections, 6 questions, 3 criteria"),
        "{stdout}"
    );
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.contains("answers → verdict"))
            .count(),
        4,
        "{stdout}"
    );

    // 3b. `vigie plugin test` runs the scaffold's TOML golden set against the
    // component, and fails, naming the set and the difference, when a set
    // expects something else.
    let out = vigie(home.path())
        .args(["plugin", "test"])
        .arg(&component)
        .arg(project.join("golden"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 golden sets pass"),
        "{}",
        text(&out)
    );
    let wrong = home.path().join("wrong-golden");
    std::fs::create_dir_all(&wrong).unwrap();
    let set = std::fs::read_to_string(project.join("golden/well-run.toml")).unwrap();
    std::fs::write(
        wrong.join("expects-a-gap.toml"),
        set.replace("verdict = \"compliant\"", "verdict = \"remediate\""),
    )
    .unwrap();
    let out = vigie(home.path())
        .args(["plugin", "test"])
        .arg(&component)
        .arg(&wrong)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    let output = text(&out);
    assert!(
        output.contains("FAIL")
            && output.contains("expects-a-gap.toml")
            && output.contains("verdict compliant (expected remediate)"),
        "{output}"
    );

    // 4. `vigie plugin install` stores it in a database that `plugin list` reads.
    let db = home.path().join("shared.sqlite");
    let out = vigie(home.path())
        .arg("--db")
        .arg(&db)
        .args(["plugin", "install"])
        .arg(&component)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = vigie(home.path())
        .arg("--db")
        .arg(&db)
        .args(["plugin", "list"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .any(|l| l.starts_with("my-questionnaire") && l.contains("database")),
        "{}",
        text(&out)
    );

    // 5. Its golden tests pass natively, and the guide's samples compile and
    //    run as doctests of the project (the guide mounted as a module).
    let guide = repo().join("docs/plugins.md").canonicalize().unwrap();
    let samples = std::fs::read_to_string(&guide)
        .unwrap()
        .lines()
        .filter(|l| l.trim_start().starts_with("```rust"))
        .count();
    assert!(samples >= 5, "the guide has {samples} Rust samples");
    let lib = project.join("src/lib.rs");
    let mut source = std::fs::read_to_string(&lib).unwrap();
    source.push_str(&format!(
        "\n/// The plugin guide; its samples run as this crate's doctests.\n#[doc = include_str!({:?})]\npub mod guide {{}}\n",
        guide.display().to_string()
    ));
    std::fs::write(&lib, source).unwrap();
    let out = cargo(&project, &["test-native"]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let results: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("test result:"))
        .collect();
    assert!(
        results
            .iter()
            .any(|l| l.starts_with("test result: ok. 4 passed")),
        "the 4 golden tests did not all run: {stdout}"
    );
    assert!(
        results
            .last()
            .is_some_and(|l| l.starts_with(&format!("test result: ok. {samples} passed"))),
        "expected the guide's {samples} samples to pass as doctests: {stdout}"
    );
}

#[test]
fn plugin_new_refuses_bad_names_and_used_folders() {
    let home = tempfile::tempdir().unwrap();
    let fails = |args: &[&str]| {
        let out = vigie(home.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = fails(&["plugin", "new", "Backup-Audit"]);
    assert!(
        err.contains("`Backup-Audit` contains `B`") && err.contains("lowercase letters"),
        "{err}"
    );
    let err = fails(&["plugin", "new", "2fa"]);
    assert!(err.contains("does not start with a letter"), "{err}");
    let err = fails(&["plugin", "new", "crate"]);
    assert!(err.contains("reserved"), "{err}");
    assert!(!home.path().join("crate").exists());

    std::fs::create_dir(home.path().join("used")).unwrap();
    std::fs::write(home.path().join("used/notes.txt"), "keep me").unwrap();
    let err = fails(&["plugin", "new", "used"]);
    assert!(err.contains("already exists and is not empty"), "{err}");
    assert_eq!(
        std::fs::read_dir(home.path().join("used")).unwrap().count(),
        1
    );

    // An empty folder is fine.
    std::fs::create_dir(home.path().join("empty")).unwrap();
    let out = vigie(home.path())
        .args(["plugin", "new", "ok-plugin", "--dir", "empty"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let content = std::fs::read_to_string(home.path().join("empty/questionnaire.toml")).unwrap();
    assert!(content.contains("id = \"ok-plugin\""), "{content}");
    let golden = std::fs::read_to_string(home.path().join("empty/tests/golden.rs")).unwrap();
    assert!(golden.contains("use ok_plugin::Questionnaire;"), "{golden}");
}

fn separated(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn the_guide_states_the_default_limits() {
    let guide = std::fs::read_to_string(repo().join("docs/plugins.md")).unwrap();
    let limits = Limits::default();
    let output = OutputLimits::default();
    let rows = [
        format!(
            "| `Limits::fuel` | {} units per call |",
            separated(limits.fuel)
        ),
        format!("| `Limits::time` | {} ms per call", limits.time.as_millis()),
        format!(
            "| `Limits::memory_bytes` | {} bytes ({} MiB)",
            separated(limits.memory_bytes as u64),
            limits.memory_bytes >> 20
        ),
        format!(
            "| `Limits::stack_bytes` | {} bytes ({} KiB)",
            separated(limits.stack_bytes as u64),
            limits.stack_bytes >> 10
        ),
        format!(
            "| `OutputLimits::max_string_bytes` | {} bytes per string |",
            separated(output.max_string_bytes as u64)
        ),
        format!(
            "| `OutputLimits::max_list_len` | {} items per list |",
            separated(output.max_list_len as u64)
        ),
        format!(
            "| `OutputLimits::max_total_bytes` | {} bytes ({} MiB)",
            separated(output.max_total_bytes as u64),
            output.max_total_bytes >> 20
        ),
    ];
    for row in rows {
        assert!(
            guide.contains(&row),
            "docs/plugins.md does not state `{row}`"
        );
    }
}

fn wat() -> Vec<u8> {
    std::fs::read(repo().join("examples/wat-plugin/mfa.wat")).unwrap()
}

fn yes_no(question: &str, value: YesNo) -> Answer {
    Answer {
        question: question.into(),
        value: AnswerValue::YesNo(value),
        note: None,
    }
}

#[test]
fn the_hand_written_wat_plugin_loads_and_evaluates() {
    let host = Host::new(Limits::default(), None).unwrap();
    let plugin = host
        .load(&wat(), "examples/wat-plugin/mfa.wat")
        .unwrap_or_else(|e| panic!("{e}"));
    let q = plugin.questionnaire();
    assert_eq!(
        (q.info.id.as_str(), q.info.version.as_str()),
        ("wat-mfa", "1.0.0")
    );
    assert_eq!(q.info.languages, ["en"]);
    assert_eq!(q.info.name.get("en"), "MFA check (hand-written WAT)");
    let ids: Vec<&str> = q.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["mfa", "mfa-planned"]);
    assert_eq!(q.questions[0].criteria, ["mfa"]);
    assert_eq!(q.questions[1].applicable_when.len(), 1);
    assert_eq!(q.criteria[0].title.get("en"), "Multi-factor authentication");

    let context = EvalContext {
        assessment_date: Date::new(2026, 11, 23).unwrap(),
        language: "en".into(),
        level: None,
    };
    let eval = |answers: &[Answer]| {
        host.evaluate(&plugin, answers, &context)
            .unwrap_or_else(|e| panic!("{e}"))
    };

    // mfa-planned does not apply when mfa is yes: the host drops its answer.
    let e = eval(&[yes_no("mfa", YesNo::Yes), yes_no("mfa-planned", YesNo::No)]);
    assert_eq!((e.verdict.id.as_str(), e.score), ("compliant", Some(100.0)));
    assert_eq!(e.criteria[0].status, Status::Compliant);
    assert!(e.findings.is_empty());

    let e = eval(&[yes_no("mfa", YesNo::No), yes_no("mfa-planned", YesNo::Yes)]);
    assert_eq!((e.verdict.id.as_str(), e.score), ("in-progress", Some(0.0)));
    assert_eq!(e.criteria[0].status, Status::NonCompliant);
    assert_eq!(e.findings.len(), 1);
    assert_eq!(e.findings[0].deadline_days, Some(90));
    assert_eq!(
        e.findings[0].recommendation.get("en"),
        "Enforce MFA for every user account."
    );

    let e = eval(&[yes_no("mfa", YesNo::No)]);
    assert_eq!(e.verdict.id, "remediate");

    let e = eval(&[Answer {
        question: "mfa".into(),
        value: AnswerValue::Declined,
        note: None,
    }]);
    assert_eq!((e.verdict.id.as_str(), e.score), ("not-assessed", None));
    assert_eq!(e.criteria[0].status, Status::NotAssessed);

    // The check's trials and determinism, in the library and through the binary.
    let report = vigie_app::check::check_plugin(&host, &wat(), "mfa.wat", context.assessment_date)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.trials.len(), 4);
    let home = tempfile::tempdir().unwrap();
    let out = vigie(home.path())
        .args(["plugin", "check"])
        .arg(repo().join("examples/wat-plugin/mfa.wat"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("ok: plugin wat-mfa 1.0.0"),
        "{}",
        text(&out)
    );
}

/// `vigie plugin check` on a variant of the WAT plugin: the refusal and its hint.
fn refusal(name: &str, bytes: &[u8]) -> String {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    let out = vigie(home.path())
        .args(["plugin", "check"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{name} was accepted: {}",
        text(&out)
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(stderr.starts_with("vigie: plugin refused: "), "{stderr}");
    assert!(
        stderr
            .lines()
            .nth(1)
            .is_some_and(|l| l.trim_start().starts_with("hint: ")),
        "no hint line: {stderr}"
    );
    stderr
}

fn variant(from: &str, to: &str) -> Vec<u8> {
    let source = String::from_utf8(wat()).unwrap();
    assert!(source.contains(from), "mfa.wat no longer contains {from:?}");
    source.replacen(from, to, 1).into_bytes()
}

#[test]
fn check_names_the_fault_and_gives_a_hint() {
    // A bad id: the message names the item and the rule.
    let err = refusal("bad-id.wat", &variant(r#""access\00""#, r#""Access\00""#));
    assert!(
        err.contains("section `Access`") && err.contains("a-z 0-9 . _ -"),
        "{err}"
    );
    assert!(
        err.contains("hint: fix the item and field named in questionnaire.toml"),
        "{err}"
    );

    // An endless loop in evaluate: stopped by fuel or by the clock, which the hint names.
    let err = refusal(
        "loop.wat",
        &variant(
            "(local $finding i32)\n",
            "(local $finding i32)\n      (loop $forever (br $forever))\n",
        ),
    );
    assert!(
        err.contains("evaluate failed on the check's answer set \"no answers\""),
        "{err}"
    );
    assert!(
        err.contains("Limits::fuel") || err.contains("Limits::time"),
        "{err}"
    );

    // An import (here a WASI interface): refused, with the build target to use.
    let err = refusal(
        "import.wat",
        &variant(
            "(component\n",
            "(component\n  (import \"wasi:cli/environment@0.2.0\" (instance))\n",
        ),
    );
    assert!(
        err.contains("may import nothing")
            && err.contains("hint: build for wasm32-unknown-unknown"),
        "{err}"
    );

    // A newer interface than this host supports.
    let err = refusal(
        "v2.wat",
        &variant("plugin@1.0.0\" (instance", "plugin@2.0.0\" (instance"),
    );
    assert!(
        err.contains("speaks vigie:questionnaire/plugin@2.0.0") && err.contains("1.y with y <= x"),
        "{err}"
    );

    // A core module instead of a component.
    let err = refusal("core.wasm", b"\0asm\x01\0\0\0");
    assert!(
        err.contains("core WebAssembly module") && err.contains("wasm-component-ld"),
        "{err}"
    );
}
