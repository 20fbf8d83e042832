//! The plugin sandbox, against hostile plugins built from `tests/plugins/`.
//!
//! Every hostile plugin is refused at load or stopped mid-call with the
//! matching `PluginError`, whose message names the plugin, in under a second
//! with the default limits; the same `Host` then loads and evaluates the
//! `good` plugin as if nothing happened. Evaluation is deterministic across
//! hosts and across compile-cache hits and misses; malformed files get a
//! clear error; the compile cache is used, and a damaged cache file is
//! recompiled rather than trusted.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant};

use vigie_model::{Answer, AnswerValue, Date, EvalContext, Evaluation, Status, YesNo};
use vigie_plugin_host::{Call, CodeSource, CompileCache, Host, Limits, PluginError, sha256_hex};
use vigie_tests::plugin_bytes;

/// How long the host may take to refuse or stop a hostile plugin.
const DEADLINE: Duration = Duration::from_secs(1);

/// How long a test waits for a plugin the host fails to stop.
const WATCHDOG: Duration = Duration::from_secs(30);

/// The tests of this file run one at a time: they measure how fast the host
/// stops a plugin, and on a small machine a test compiling a plugin beside
/// one burning its whole fuel budget would slow both.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn host() -> Arc<Host> {
    Arc::new(Host::new(Limits::default(), None).expect("the plugin engine starts"))
}

fn cached_host(dir: &tempfile::TempDir) -> Host {
    Host::new(Limits::default(), Some(CompileCache::new(dir.path())))
        .expect("the plugin engine starts")
}

fn date(year: i32, month: u8, day: u8) -> Date {
    Date::new(year, month, day).expect("a valid date")
}

fn context(assessment_date: Date) -> EvalContext {
    EvalContext {
        assessment_date,
        language: "fr".into(),
        level: None,
    }
}

fn answer(question: &str, value: AnswerValue) -> Answer {
    Answer {
        question: question.into(),
        value,
        note: None,
    }
}

/// Answers to the `good` questionnaire: a policy, partly trained staff, and
/// an ISO 27001 certificate that expires on `expiry`.
fn answers(expiry: Date) -> Vec<Answer> {
    vec![
        Answer {
            note: Some("Politique v3, signée par la direction.".into()),
            ..answer("policy.exists", AnswerValue::YesNo(YesNo::Yes))
        },
        answer("policy.training", AnswerValue::YesNo(YesNo::Partial)),
        answer("cert.held", AnswerValue::YesNo(YesNo::Yes)),
        answer("cert.expiry", AnswerValue::Date(expiry)),
    ]
}

/// Answers to the questionnaire every SDK-based hostile plugin describes.
fn hostile_answers() -> Vec<Answer> {
    vec![
        answer("q1", AnswerValue::YesNo(YesNo::Yes)),
        answer("q2", AnswerValue::YesNo(YesNo::No)),
    ]
}

fn json(evaluation: &Evaluation) -> String {
    serde_json::to_string(evaluation).expect("an evaluation serialises")
}

/// Loads and evaluates the `good` plugin on `host`, checking the results are
/// the ones its rules give: the host is in working order.
fn assert_good_works(host: &Host) {
    let plugin = host
        .load(&plugin_bytes("good"), "good.wasm")
        .expect("the good plugin loads");
    assert_eq!((plugin.id(), plugin.version()), ("good", "1.0.0"));
    assert_eq!(plugin.questionnaire().questions.len(), 4);
    assert_eq!(plugin.questionnaire().criteria.len(), 2);

    let today = date(2025, 11, 23);
    let expired = host
        .evaluate(&plugin, &answers(date(2025, 6, 30)), &context(today))
        .expect("the good plugin evaluates");
    assert_eq!(expired.criteria.len(), 2);
    assert_eq!(expired.status_of("certified"), Some(Status::NonCompliant));
    assert_eq!(expired.status_of("policy"), Some(Status::ToVerify));
    assert_eq!(expired.verdict.id, "remediate");
    assert!(
        expired
            .findings
            .iter()
            .any(|f| f.criterion.as_deref() == Some("certified"))
    );

    let valid = host
        .evaluate(&plugin, &answers(date(2027, 1, 31)), &context(today))
        .expect("the good plugin evaluates");
    assert_eq!(valid.status_of("certified"), Some(Status::Compliant));
}

/// Times `f`, asserting it ends within [`DEADLINE`].
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let result = f();
    let elapsed = started.elapsed();
    eprintln!("{what}: {elapsed:?}");
    assert!(
        elapsed < DEADLINE,
        "{what} took {elapsed:?}, over {DEADLINE:?}"
    );
    (result, elapsed)
}

/// Loads hostile plugin `name`, whose `describe` is valid, and returns the
/// error its `evaluate` ends with, checked to come within the deadline and to
/// name the plugin.
fn stopped_in_evaluate(host: &Arc<Host>, name: &str) -> PluginError {
    let (error, elapsed) = failed_evaluate(host, name);
    assert!(
        elapsed < DEADLINE,
        "{name}: stopped after {elapsed:?}, over {DEADLINE:?}: {error}"
    );
    error
}

/// A host whose wall-clock limit is far above what its fuel budget lasts, so
/// that a test can tell which limit stopped a plugin whatever else the
/// machine is doing: fuel is deterministic, time is not.
fn fuel_only_host() -> Arc<Host> {
    let limits = Limits {
        time: WATCHDOG / 2,
        ..Limits::default()
    };
    Arc::new(Host::new(limits, None).expect("the plugin engine starts"))
}

/// Loads hostile plugin `name`, whose `describe` is valid, and returns the
/// error its `evaluate` ends with, checked to name the plugin, and how long
/// the call took.
///
/// `evaluate` runs on its own thread, so that a plugin the host fails to
/// stop fails the test instead of hanging it: the thread is then abandoned
/// and dies with the test process.
fn failed_evaluate(host: &Arc<Host>, name: &str) -> (PluginError, Duration) {
    let plugin = host
        .load(&plugin_bytes(name), &format!("{name}.wasm"))
        .unwrap_or_else(|e| panic!("{name} describes a valid questionnaire, yet: {e}"));
    assert_eq!(plugin.id(), name);
    let plugin_name = plugin.name().to_string();
    let (done, outcome) = mpsc::channel();
    let runner = Arc::clone(host);
    let started = Instant::now();
    std::thread::spawn(move || {
        let result = runner.evaluate(&plugin, &hostile_answers(), &context(date(2025, 11, 23)));
        let _ = done.send((result, started.elapsed()));
    });
    let (result, elapsed) = match outcome.recv_timeout(WATCHDOG) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{name}: evaluate still runs after {:?}", started.elapsed())
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: the host panicked"),
    };
    eprintln!("{name}: evaluate stopped in {elapsed:?}");
    let error = result.expect_err("a hostile evaluate must not succeed");
    let message = error.to_string();
    assert!(
        message.starts_with(&plugin_name),
        "the error names the plugin: {message}"
    );
    assert!(
        message.contains(name),
        "the error names the plugin: {message}"
    );
    (error, elapsed)
}

/// Loads hostile plugin `name` and returns the refusal (within the deadline)
/// and its message, checked to name the plugin by origin and sha256.
fn refused_at_load(host: &Host, name: &str) -> (PluginError, String) {
    let bytes = plugin_bytes(name);
    let origin = format!("{name}.wasm");
    let (result, _) = timed(&format!("{name}: load refused"), || {
        host.load(&bytes, &origin)
    });
    let error = result.expect_err("a hostile plugin must not load");
    let message = error.to_string();
    let label = format!("plugin {origin} (sha256 {})", &sha256_hex(&bytes)[..12]);
    assert!(
        message.starts_with(&label),
        "the error names the plugin as `{label}`: {message}"
    );
    (error, message)
}

/// With the default limits an endless loop is stopped within the deadline,
/// by whichever of the fuel budget or the wall-clock limit comes first: on a
/// loaded machine the budget can last longer than the time limit.
#[test]
fn infinite_loop_is_stopped_within_the_deadline() {
    let _serial = serial();
    let host = host();
    let error = stopped_in_evaluate(&host, "infinite-loop");
    assert!(
        matches!(
            error,
            PluginError::OutOfFuel {
                call: Call::Evaluate,
                ..
            } | PluginError::Timeout {
                call: Call::Evaluate,
                ..
            }
        ),
        "expected OutOfFuel or Timeout, got {error:?}"
    );
    assert_good_works(&host);
}

#[test]
fn infinite_loop_runs_out_of_fuel() {
    let _serial = serial();
    let host = fuel_only_host();
    let (error, _) = failed_evaluate(&host, "infinite-loop");
    let PluginError::OutOfFuel { call, budget, .. } = &error else {
        panic!("expected OutOfFuel, got {error:?}");
    };
    assert_eq!(*call, Call::Evaluate);
    assert_eq!(*budget, Limits::default().fuel);
    assert!(
        error.to_string().contains("evaluate ran out of fuel"),
        "{error}"
    );
    assert_good_works(&host);
}

#[test]
fn deep_recursion_overflows_the_stack_cap() {
    let _serial = serial();
    let host = host();
    let error = stopped_in_evaluate(&host, "deep-recursion");
    let PluginError::StackOverflow { call, stack, .. } = &error else {
        panic!("expected StackOverflow, got {error:?}");
    };
    assert_eq!(*call, Call::Evaluate);
    assert_eq!(*stack, Limits::default().stack_bytes);
    assert!(
        error.to_string().contains("evaluate exhausted its stack"),
        "{error}"
    );
    assert_good_works(&host);
}

#[test]
fn memory_bomb_hits_the_memory_cap() {
    let _serial = serial();
    let host = host();
    let error = stopped_in_evaluate(&host, "memory-bomb");
    let PluginError::MemoryCap {
        call,
        requested,
        cap,
        ..
    } = &error
    else {
        panic!("expected MemoryCap, got {error:?}");
    };
    assert_eq!(*call, Call::Evaluate);
    assert_eq!(*cap, Limits::default().memory_bytes);
    assert!(
        requested > cap,
        "refused {requested} bytes under the cap of {cap}"
    );
    assert!(
        error.to_string().contains("over the cap of 67108864 bytes"),
        "{error}"
    );
    assert_good_works(&host);
}

#[test]
fn trap_is_reported_as_a_trap() {
    let _serial = serial();
    let host = host();
    let error = stopped_in_evaluate(&host, "trap");
    let PluginError::Trap { call, detail, .. } = &error else {
        panic!("expected Trap, got {error:?}");
    };
    assert_eq!(*call, Call::Evaluate);
    assert!(
        detail.contains("unreachable"),
        "a panic aborts with `unreachable`: {detail}"
    );
    assert_good_works(&host);
}

#[test]
fn giant_output_is_refused_by_the_output_limits() {
    let _serial = serial();
    let host = host();
    let (error, message) = refused_at_load(&host, "giant-output");
    let PluginError::InvalidOutput { call, detail, .. } = &error else {
        panic!("expected InvalidOutput, got {error:?}");
    };
    assert_eq!(*call, Call::Describe);
    let limit = Limits::default().output.max_string_bytes;
    assert!(
        detail.contains("question `q1`.prompt")
            && detail.contains("50000000 bytes")
            && detail.contains(&format!("limit of {limit} bytes")),
        "the error names the field and the limit: {message}"
    );
    // The message stays readable: the giant text is not echoed.
    assert!(message.len() < 1_000, "{} bytes of message", message.len());
    assert_good_works(&host);
}

#[test]
fn duplicate_ids_are_refused() {
    let _serial = serial();
    let host = host();
    let (error, message) = refused_at_load(&host, "duplicate-ids");
    let PluginError::InvalidOutput { call, detail, .. } = &error else {
        panic!("expected InvalidOutput, got {error:?}");
    };
    assert_eq!(*call, Call::Describe);
    assert!(
        detail.contains("question `q1` is declared twice"),
        "{message}"
    );
    assert_good_works(&host);
}

#[test]
fn wrong_interface_version_is_refused() {
    let _serial = serial();
    let host = host();
    let (error, message) = refused_at_load(&host, "wrong-version");
    let PluginError::WrongInterfaceVersion { found, .. } = &error else {
        panic!("expected WrongInterfaceVersion, got {error:?}");
    };
    assert_eq!(found, "vigie:questionnaire/plugin@2.0.0");
    assert!(
        message.contains("supports vigie:questionnaire/plugin@1.0.x"),
        "{message}"
    );
    assert_good_works(&host);
}

#[test]
fn wasi_import_is_refused() {
    let _serial = serial();
    let host = host();
    let (error, message) = refused_at_load(&host, "wasi-import");
    let PluginError::ForbiddenImports { imports, .. } = &error else {
        panic!("expected ForbiddenImports, got {error:?}");
    };
    // wit-component records the import under the newest 0.2.x it knows.
    assert!(
        imports.starts_with("wasi:cli/environment@0.2."),
        "{message}"
    );
    assert!(!imports.contains(','), "only the one import: {message}");
    assert!(message.contains("may import nothing"), "{message}");
    assert_good_works(&host);
}

/// `memory.fill` writes many bytes in one instruction; wasmtime charges fuel
/// per byte, so the budget stops a loop of 32 MiB fills as fast as any loop.
#[test]
fn bulk_memory_loop_runs_out_of_fuel() {
    let _serial = serial();
    let host = fuel_only_host();
    let (error, _) = failed_evaluate(&host, "bulk-memory");
    assert!(
        matches!(
            error,
            PluginError::OutOfFuel {
                call: Call::Evaluate,
                ..
            }
        ),
        "expected OutOfFuel, got {error:?}"
    );
    assert_good_works(&host);
}

/// Each step of a pseudo-random walk over 32 MiB costs a dozen units of fuel
/// but a cache and TLB miss: fuel does not measure time, so only a
/// wall-clock deadline (the host's epoch-based `Limits::time`) can keep such
/// a plugin within a second: the fuel budget alone lasts about 15 s here.
#[test]
fn cache_thrashing_loop_is_stopped_in_time() {
    let _serial = serial();
    let host = host();
    // `stopped_in_evaluate` checks the time and the plugin's name.
    let error = stopped_in_evaluate(&host, "cache-thrash");
    assert!(matches!(error, PluginError::Timeout { .. }), "{error:?}");
    assert_good_works(&host);
}

/// One host survives every hostile plugin in a row, then works normally.
#[test]
fn one_host_survives_every_hostile_plugin() {
    let _serial = serial();
    let host = host();
    for name in [
        "infinite-loop",
        "deep-recursion",
        "memory-bomb",
        "trap",
        "bulk-memory",
    ] {
        stopped_in_evaluate(&host, name);
    }
    for name in [
        "giant-output",
        "duplicate-ids",
        "wrong-version",
        "wasi-import",
    ] {
        refused_at_load(&host, name);
    }
    assert_good_works(&host);
}

/// The same bytes, answers and date give the same evaluation, byte for byte,
/// on two hosts, on one host twice, and from freshly compiled or cached code.
#[test]
fn evaluation_is_deterministic() {
    let _serial = serial();
    let bytes = plugin_bytes("good");
    let answers = answers(date(2025, 6, 30));
    let context = context(date(2025, 11, 23));
    let evaluate = |host: &Host, expected: CodeSource| {
        let plugin = host
            .load(&bytes, "good.wasm")
            .expect("the good plugin loads");
        assert_eq!(plugin.stats().source, expected);
        json(
            &host
                .evaluate(&plugin, &answers, &context)
                .expect("the good plugin evaluates"),
        )
    };

    let first = evaluate(&host(), CodeSource::Compiled);
    let other_host = host();
    assert_eq!(evaluate(&other_host, CodeSource::Compiled), first);
    assert_eq!(evaluate(&other_host, CodeSource::Compiled), first);

    let dir = tempfile::tempdir().expect("a temporary folder");
    let miss = evaluate(&cached_host(&dir), CodeSource::Compiled);
    let hit = evaluate(&cached_host(&dir), CodeSource::Cache);
    assert_eq!(miss, first);
    assert_eq!(hit, first);

    // The date is an input like the answers: another date, another result.
    let later = host();
    let plugin = later
        .load(&bytes, "good.wasm")
        .expect("the good plugin loads");
    let after_expiry = json(
        &later
            .evaluate(
                &plugin,
                &answers,
                &EvalContext {
                    assessment_date: date(2025, 1, 1),
                    ..context.clone()
                },
            )
            .expect("the good plugin evaluates"),
    );
    assert_ne!(after_expiry, first);
}

#[test]
fn empty_file_is_refused() {
    let _serial = serial();
    let host = host();
    let error = host
        .load(&[], "empty.wasm")
        .expect_err("an empty file must not load");
    assert!(matches!(error, PluginError::Empty { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "plugin empty.wasm (sha256 e3b0c44298fc): the file is empty"
    );
    assert_good_works(&host);
}

#[test]
fn random_bytes_are_refused() {
    let _serial = serial();
    // xorshift64: the same "random" bytes on every run.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    let host = host();
    let error = host
        .load(&bytes, "random.bin")
        .expect_err("random bytes must not load");
    let PluginError::NotAComponent { plugin, detail } = &error else {
        panic!("expected NotAComponent, got {error:?}");
    };
    assert!(plugin.starts_with("plugin random.bin (sha256 "), "{error}");
    assert!(
        detail.contains("does not start with the WebAssembly magic bytes (4096 bytes long)"),
        "{error}"
    );
    assert_good_works(&host);
}

#[test]
fn core_module_is_refused() {
    let _serial = serial();
    // The smallest valid core module: magic and version 1, no section.
    let module = b"\0asm\x01\0\0\0";
    let host = host();
    let error = host
        .load(module, "core.wasm")
        .expect_err("a core module must not load");
    let PluginError::NotAComponent { plugin, detail } = &error else {
        panic!("expected NotAComponent, got {error:?}");
    };
    assert!(plugin.starts_with("plugin core.wasm (sha256 "), "{error}");
    assert!(
        detail.contains("it is a core WebAssembly module"),
        "{error}"
    );
    assert!(
        detail.contains("wasm-component-ld"),
        "the error says how to fix it: {error}"
    );
    assert_good_works(&host);
}

#[test]
fn truncated_component_is_refused() {
    let _serial = serial();
    let bytes = plugin_bytes("good");
    let truncated = &bytes[..bytes.len() / 2];
    let host = host();
    let error = host
        .load(truncated, "truncated.wasm")
        .expect_err("a truncated component must not load");
    let PluginError::Compile { plugin, detail } = &error else {
        panic!("expected Compile, got {error:?}");
    };
    assert!(
        plugin.starts_with("plugin truncated.wasm (sha256 "),
        "{error}"
    );
    assert!(detail.contains("failed to parse WebAssembly"), "{error}");
    assert!(detail.contains("out of bounds"), "{error}");
    assert_good_works(&host);
}

/// A component that exports nothing, and one whose `plugin` export lacks the
/// functions: both are told apart from a broken file.
#[test]
fn component_without_the_interface_is_refused() {
    let _serial = serial();
    let host = host();
    let error = host
        .load(b"(component)", "nothing.wat")
        .expect_err("an empty component must not load");
    let PluginError::MissingExport { exports, .. } = &error else {
        panic!("expected MissingExport, got {error:?}");
    };
    assert_eq!(exports, "nothing");
    assert!(
        error
            .to_string()
            .contains("does not export vigie:questionnaire/plugin@1.x"),
        "{error}"
    );

    let hollow = br#"(component
        (instance $plugin)
        (export "vigie:questionnaire/plugin@1.0.0" (instance $plugin))
    )"#;
    let error = host
        .load(hollow, "hollow.wat")
        .expect_err("a hollow export must not load");
    assert!(
        matches!(error, PluginError::MissingExport { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("describe"),
        "the error names what is missing: {error}"
    );
    assert_good_works(&host);
}

/// The compiled-code files of a cache folder.
fn cache_files(dir: &tempfile::TempDir) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("the cache folder exists")
        .map(|entry| entry.expect("a readable folder entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "cwasm"))
        .collect();
    files.sort();
    files
}

#[test]
fn second_load_comes_from_the_compile_cache() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bytes = plugin_bytes("good");

    let host = cached_host(&dir);
    let (first, compile_time) = timed("good: first load (compiled)", || {
        host.load(&bytes, "good.wasm")
    });
    let first = first.expect("the good plugin loads");
    assert_eq!(first.stats().source, CodeSource::Compiled);
    let files = cache_files(&dir);
    assert_eq!(files.len(), 1, "one compiled file: {files:?}");
    let name = files[0]
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a UTF-8 file name");
    assert!(
        name.starts_with(&sha256_hex(&bytes)),
        "keyed by the plugin's sha256: {name}"
    );
    assert!(
        name.contains(&host.engine_hash()),
        "keyed by the engine: {name}"
    );

    let (again, cache_time) = timed("good: second load (cache)", || {
        host.load(&bytes, "good.wasm")
    });
    assert_eq!(
        again.expect("the good plugin loads").stats().source,
        CodeSource::Cache
    );

    // Another host (another run of Vigie) with the same folder uses it too.
    let other = cached_host(&dir);
    let plugin = other
        .load(&bytes, "good.wasm")
        .expect("the good plugin loads");
    assert_eq!(plugin.stats().source, CodeSource::Cache);
    eprintln!("compile {compile_time:?}, cache {cache_time:?}");
    assert_good_works(&other);
}

/// Damages the single cache file of `dir` with `damage`, then checks the
/// next load recompiles, works, and leaves a sound file behind.
fn assert_damage_is_recompiled(what: &str, damage: impl FnOnce(&mut Vec<u8>)) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bytes = plugin_bytes("good");
    let host = cached_host(&dir);
    host.load(&bytes, "good.wasm")
        .expect("the good plugin loads");
    let files = cache_files(&dir);
    assert_eq!(files.len(), 1, "one compiled file: {files:?}");
    let mut compiled = std::fs::read(&files[0]).expect("the cache file reads");
    let sound = compiled.clone();
    damage(&mut compiled);
    assert_ne!(compiled, sound, "{what}: the damage changed nothing");
    std::fs::write(&files[0], &compiled).expect("the cache file is writable");

    let host = cached_host(&dir);
    let plugin = host
        .load(&bytes, "good.wasm")
        .unwrap_or_else(|e| panic!("{what}: a damaged cache must not stop the plugin: {e}"));
    assert_eq!(
        plugin.stats().source,
        CodeSource::Compiled,
        "{what}: the damaged file was trusted"
    );
    assert_good_works(&host);
    let files = cache_files(&dir);
    assert_eq!(files.len(), 1, "{what}: {files:?}");
    assert_eq!(
        std::fs::read(&files[0]).expect("the cache file reads"),
        sound,
        "{what}: not rewritten"
    );
    let plugin = cached_host(&dir)
        .load(&bytes, "good.wasm")
        .expect("the good plugin loads");
    assert_eq!(
        plugin.stats().source,
        CodeSource::Cache,
        "{what}: the rewritten file is used"
    );
}

#[test]
fn corrupted_cache_file_is_recompiled() {
    let _serial = serial();
    assert_damage_is_recompiled("garbage", |file| {
        *file = b"this is not compiled code".to_vec();
    });
    assert_damage_is_recompiled("truncated", |file| file.truncate(file.len() / 2));
    assert_damage_is_recompiled("emptied", Vec::clear);
}

/// A single flipped byte inside the compiled code: the file still parses,
/// so only a checksum can tell it from the code the host wrote. The host
/// keeps none yet: it maps the damaged file in as executable code.
#[test]
fn flipped_byte_in_cache_file_is_recompiled() {
    let _serial = serial();
    assert_damage_is_recompiled("one flipped byte", |file| {
        let middle = file.len() / 2;
        file[middle] ^= 0xFF;
    });
}
