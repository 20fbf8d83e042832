//! The plugin sandbox, against hostile plugins built from `tests/plugins/`.
//!
//! Every hostile plugin is refused at load or stopped mid-call with the
//! matching `PluginError`, whose message names the plugin, well before
//! [`HANG_BOUND`] with the default limits (a 500 ms time limit); the same `Host` then loads and evaluates the
//! `good` plugin as if nothing happened. Evaluation is deterministic across
//! hosts and across compile-cache hits and misses; malformed files get a
//! clear error; the compile cache is used, and a damaged cache file is
//! recompiled rather than trusted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant};

use vigie_model::{Answer, AnswerValue, Date, EvalContext, Evaluation, Status, YesNo};
use vigie_plugin_host::{
    Call, CodeSource, CompileCache, EncodingFault, Host, Limits, PluginError, sha256_hex,
};
use vigie_tests::plugin_bytes;

/// How long the host may take to refuse or stop a hostile plugin before the
/// test calls it a hang. It is twenty times the default time limit: these
/// tests check *that* the host stops a plugin and by which limit, while how
/// fast it does on a quiet machine is a benchmark figure (a test timed to the
/// second failed on a CI-sized machine under load, with nothing wrong).
const HANG_BOUND: Duration = Duration::from_secs(10);

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

/// The compile cache of a test: its folder and its key side by side in `dir`.
fn cache_in(dir: &tempfile::TempDir) -> CompileCache {
    CompileCache::new(dir.path().join("cache"), dir.path().join("cache.key"))
}

fn cached_host(dir: &tempfile::TempDir) -> Host {
    Host::new(Limits::default(), Some(cache_in(dir))).expect("the plugin engine starts")
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

/// Times `f`, asserting it ends within [`HANG_BOUND`].
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let result = f();
    let elapsed = started.elapsed();
    eprintln!("{what}: {elapsed:?}");
    assert!(
        elapsed < HANG_BOUND,
        "{what} took {elapsed:?}, over {HANG_BOUND:?}"
    );
    (result, elapsed)
}

/// Loads hostile plugin `name`, whose `describe` is valid, and returns the
/// error its `evaluate` ends with, checked to come within the hang bound and to
/// name the plugin.
fn stopped_in_evaluate(host: &Arc<Host>, name: &str) -> PluginError {
    let (error, elapsed) = failed_evaluate(host, name);
    assert!(
        elapsed < HANG_BOUND,
        "{name}: stopped after {elapsed:?}, over {HANG_BOUND:?}: {error}"
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

/// Loads hostile plugin `name` and returns the refusal (within the hang bound)
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

/// With the default limits an endless loop is stopped within the hang bound,
/// by whichever of the fuel budget or the wall-clock limit comes first: on a
/// loaded machine the budget can last longer than the time limit.
#[test]
fn infinite_loop_is_stopped_by_fuel_or_time() {
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
    let mut files: Vec<PathBuf> = std::fs::read_dir(cache_in(dir).dir())
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

/// The warning a host gives about its compile cache, as text.
fn cache_warning(host: &Host) -> Option<String> {
    host.cache_warning().map(ToString::to_string)
}

/// The one cache entry of `dir` for the plugin whose bytes are `bytes`.
fn entry_of(dir: &tempfile::TempDir, bytes: &[u8]) -> PathBuf {
    let sha = sha256_hex(bytes);
    let entries: Vec<PathBuf> = cache_files(dir)
        .into_iter()
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&sha))
        })
        .collect();
    assert_eq!(entries.len(), 1, "one entry for {sha}: {entries:?}");
    entries[0].clone()
}

/// The entry written for plugin X, copied under plugin Y's name, is X's
/// compiled code: the host must see that it was not made for Y and compile
/// Y, whose own behaviour (here: its id, and its trap) then shows.
#[test]
fn cache_entry_copied_under_another_plugins_name_is_recompiled() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let good = plugin_bytes("good");
    let trap = plugin_bytes("trap");
    let host = cached_host(&dir);
    host.load(&good, "good.wasm")
        .expect("the good plugin loads");
    host.load(&trap, "trap.wasm")
        .expect("the trap plugin loads");
    std::fs::copy(entry_of(&dir, &good), entry_of(&dir, &trap)).expect("the entry copies");

    let host = Arc::new(cached_host(&dir));
    let plugin = host
        .load(&trap, "trap.wasm")
        .expect("the trap plugin loads");
    assert_eq!(
        plugin.id(),
        "trap",
        "another plugin's code ran under trap's name"
    );
    assert_eq!(plugin.stats().source, CodeSource::Compiled);
    let error = host
        .evaluate(&plugin, &hostile_answers(), &context(date(2025, 11, 23)))
        .expect_err("trap's own evaluate traps");
    assert!(matches!(error, PluginError::Trap { .. }), "{error:?}");
    // The entry was overwritten with trap's own code, which is then used.
    let again = cached_host(&dir)
        .load(&trap, "trap.wasm")
        .expect("the trap plugin loads");
    assert_eq!(
        (again.id(), again.stats().source),
        ("trap", CodeSource::Cache)
    );
}

/// CRC-32 (IEEE), the checksum an attacker would recompute after editing
/// an entry of a cache that only checks for accidental damage.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0_u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Edits the plugin's own data inside its compiled code (one byte of its
/// name) and fixes up the checksum that a CRC-guarded entry would end with:
/// the entry still deserializes, so only a MAC can tell it was not written
/// by this host.
#[test]
fn edited_code_with_a_fixed_up_checksum_is_recompiled() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bytes = plugin_bytes("good");
    let host = cached_host(&dir);
    let sound = host
        .load(&bytes, "good.wasm")
        .expect("the good plugin loads");
    let name = sound.questionnaire().info.name.get("fr").to_string();
    assert_eq!(name, "Greffon de test valide");

    let entry = entry_of(&dir, &bytes);
    let mut file = std::fs::read(&entry).expect("the entry reads");
    let code_len = file.len() - 4;
    let at = file[..code_len]
        .windows(name.len())
        .position(|w| w == name.as_bytes())
        .expect("the plugin's name is in its compiled data");
    file[at] ^= 0x0F; // 'G' becomes 'H'
    let crc = crc32(&file[..code_len]);
    file[code_len..].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&entry, &file).expect("the entry writes");

    let plugin = cached_host(&dir)
        .load(&bytes, "good.wasm")
        .expect("the good plugin loads");
    assert_eq!(
        plugin.questionnaire().info.name.get("fr"),
        name,
        "the edited code ran"
    );
    assert_eq!(plugin.stats().source, CodeSource::Compiled);
}

/// The name the cache once wrote its temporary file under, and the entry's
/// own name: symlinks planted there toward a file of the user's must not
/// make the host write into (or read from) that file.
#[cfg(unix)]
#[test]
fn symlinks_planted_in_the_cache_folder_are_not_followed() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bytes = plugin_bytes("good");
    let sha = sha256_hex(&bytes);
    let host = cached_host(&dir);
    let folder = cache_in(&dir).dir().to_path_buf();
    std::fs::create_dir_all(&folder).expect("the cache folder exists");
    let engine = host.engine_hash();

    let victim = dir.path().join("victim");
    let secret = b"the user's private notes\n";
    std::fs::write(&victim, secret).expect("the victim file writes");
    let planted = [
        folder.join(format!(".{sha}.{}.tmp", std::process::id())),
        folder.join(format!("{sha}-{engine}.cwasm")),
    ];
    for link in &planted {
        std::os::unix::fs::symlink(&victim, link).expect("a symlink is planted");
    }

    let plugin = host
        .load(&bytes, "good.wasm")
        .expect("the good plugin loads");
    assert_eq!(plugin.stats().source, CodeSource::Compiled);
    assert_eq!(
        std::fs::read(&victim).expect("the victim file reads"),
        secret,
        "the host wrote through a symlink"
    );
    // The entry is now a file of its own, and it is used.
    let entry = &planted[1];
    let meta = std::fs::symlink_metadata(entry).expect("the entry exists");
    assert!(meta.file_type().is_file(), "{meta:?}");
    let again = cached_host(&dir)
        .load(&bytes, "good.wasm")
        .expect("the good plugin loads");
    assert_eq!(again.stats().source, CodeSource::Cache);
}

/// Loads the good plugin with its cache in `folder`, which the host must
/// refuse: compiled in memory, one warning naming the folder, nothing
/// written there.
#[cfg(unix)]
fn assert_folder_refused(folder: &std::path::Path, key: &std::path::Path, why: &str) {
    let before = std::fs::read_dir(folder).map(|d| d.count()).unwrap_or(0);
    let host = Host::new(Limits::default(), Some(CompileCache::new(folder, key)))
        .expect("the plugin engine starts");
    for _ in 0..2 {
        let plugin = host
            .load(&plugin_bytes("good"), "good.wasm")
            .expect("the good plugin loads");
        assert_eq!(plugin.stats().source, CodeSource::Compiled, "{why}");
    }
    let warning = cache_warning(&host).unwrap_or_else(|| panic!("{why}: no warning"));
    assert!(
        warning.contains(&folder.display().to_string()) && warning.contains("compiled in memory"),
        "{why}: {warning}"
    );
    let after = std::fs::read_dir(folder).map(|d| d.count()).unwrap_or(0);
    assert_eq!(before, after, "{why}: the host wrote into the folder");
}

#[cfg(unix)]
#[test]
fn cache_folder_others_may_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let _serial = serial();
    for mode in [0o777, 0o770, 0o707] {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let folder = dir.path().join("cache");
        std::fs::create_dir(&folder).expect("the folder is made");
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(mode))
            .expect("the mode is set");
        assert_folder_refused(
            &folder,
            &dir.path().join("cache.key"),
            &format!("mode {mode:o}"),
        );
        let warning_mode = format!("mode {mode:o}");
        let host = Host::new(
            Limits::default(),
            Some(CompileCache::new(&folder, dir.path().join("cache.key"))),
        )
        .expect("the plugin engine starts");
        let warning = cache_warning(&host).unwrap_or_default();
        assert!(warning.contains(&warning_mode), "{warning}");
    }
}

#[cfg(unix)]
#[test]
fn cache_folder_of_another_user_is_refused() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let folder = dir.path().join("cache");
    std::fs::create_dir(&folder).expect("the folder is made");
    // As root (CI), hand the folder to `nobody`; otherwise `/` is a folder
    // of another user (root) already.
    let folder = match std::os::unix::fs::chown(&folder, Some(65534), Some(65534)) {
        Ok(()) => folder,
        Err(_) => PathBuf::from("/"),
    };
    assert_folder_refused(
        &folder,
        &dir.path().join("cache.key"),
        "another user's folder",
    );
    let host = Host::new(
        Limits::default(),
        Some(CompileCache::new(&folder, dir.path().join("cache.key"))),
    )
    .expect("the plugin engine starts");
    let warning = cache_warning(&host).unwrap_or_default();
    assert!(warning.contains("not by this user"), "{warning}");
}

/// A new cache folder is private, its key is created 0600 where it was
/// asked (outside the folder), and entries written under one key are never
/// loaded under another: another user sharing the folder could never get
/// their code run.
#[cfg(unix)]
#[test]
fn cache_key_is_private_and_binds_the_entries() {
    use std::os::unix::fs::PermissionsExt;
    let _serial = serial();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bytes = plugin_bytes("good");
    let host = cached_host(&dir);
    assert_eq!(cache_warning(&host), None);
    host.load(&bytes, "good.wasm")
        .expect("the good plugin loads");
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .expect("the path exists")
            .permissions()
            .mode()
            & 0o777
    };
    let cache = cache_in(&dir);
    assert_eq!(mode(cache.dir()), 0o700);
    assert_eq!(mode(cache.key_file()), 0o600);
    assert_eq!(
        std::fs::metadata(cache.key_file())
            .expect("the key exists")
            .len(),
        32
    );
    assert!(!cache.key_file().starts_with(cache.dir()));

    let other_key = dir.path().join("other.key");
    let other = Host::new(
        Limits::default(),
        Some(CompileCache::new(cache.dir(), &other_key)),
    )
    .expect("the plugin engine starts");
    let plugin = other
        .load(&bytes, "good.wasm")
        .expect("the good plugin loads");
    assert_eq!(plugin.stats().source, CodeSource::Compiled);
}

/// A key that others may read, a symlink, or a file of the wrong size is
/// not used: compile in memory and say why.
#[cfg(unix)]
#[test]
fn unsafe_cache_key_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let _serial = serial();
    /// Puts a bad key at its path (first argument) inside the test folder.
    type Plant = fn(&std::path::Path, &std::path::Path);
    let cases: [(&str, Plant); 3] = [
        ("group-readable", |key, _| {
            std::fs::write(key, [7_u8; 32]).expect("the key writes");
            std::fs::set_permissions(key, std::fs::Permissions::from_mode(0o640))
                .expect("the mode is set");
        }),
        ("symlink", |key, dir| {
            let target = dir.join("elsewhere");
            std::fs::write(&target, [7_u8; 32]).expect("the target writes");
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600))
                .expect("the mode is set");
            std::os::unix::fs::symlink(target, key).expect("the symlink is made");
        }),
        ("short", |key, _| {
            std::fs::write(key, [7_u8; 5]).expect("the key writes");
            std::fs::set_permissions(key, std::fs::Permissions::from_mode(0o600))
                .expect("the mode is set");
        }),
    ];
    for (why, plant) in cases {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let cache = cache_in(&dir);
        plant(cache.key_file(), dir.path());
        let host =
            Host::new(Limits::default(), Some(cache.clone())).expect("the plugin engine starts");
        let warning = cache_warning(&host).unwrap_or_else(|| panic!("{why}: no warning"));
        assert!(
            warning.contains(&cache.key_file().display().to_string()),
            "{why}: {warning}"
        );
        let plugin = host
            .load(&plugin_bytes("good"), "good.wasm")
            .expect("the good plugin loads");
        assert_eq!(plugin.stats().source, CodeSource::Compiled, "{why}");
        assert!(cache_files(&dir).is_empty(), "{why}: an entry was written");
    }
}

/// Reads an unsigned LEB128 number at `*at`, moving past it.
fn leb_u32(bytes: &[u8], at: &mut usize) -> u32 {
    let mut value = 0_u32;
    for shift in (0..35).step_by(7) {
        let byte = bytes[*at];
        *at += 1;
        value |= u32::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            break;
        }
    }
    value
}

fn leb(mut value: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7F) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn section(id: u8, content: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb(content.len(), out);
    out.extend_from_slice(content);
}

/// How many components the top level of `component` defines or aliases:
/// the index the next nested component gets.
fn component_count(component: &[u8]) -> usize {
    let mut count = 0;
    let mut at = 8;
    while at < component.len() {
        let id = component[at];
        at += 1;
        let size = leb_u32(component, &mut at) as usize;
        let end = at + size;
        match id {
            4 => count += 1,
            6 => {
                // Aliases: sort, then an export (instance, name), a core
                // export (core instance, name) or an outer (count, index).
                let mut p = at;
                for _ in 0..leb_u32(component, &mut p) {
                    let sort = component[p];
                    p += if sort == 0x00 { 2 } else { 1 };
                    let target = component[p];
                    p += 1;
                    leb_u32(component, &mut p);
                    if target == 0x02 {
                        leb_u32(component, &mut p);
                    } else {
                        p += leb_u32(component, &mut p) as usize;
                    }
                    count += usize::from(sort == 0x04);
                }
            }
            _ => {}
        }
        at = end;
    }
    count
}

/// `component` plus a nested component that instantiates `core_module`, and
/// an instance of it: instantiating the plugin now also instantiates
/// `core_module`, in the same store, while the plugin's exports and code
/// stay as they were.
fn with_extra_core_module(component: &[u8], core_module: &[u8]) -> Vec<u8> {
    let mut nested = b"\0asm\x0d\x00\x01\x00".to_vec();
    section(1, core_module, &mut nested);
    // One core instance of module 0, with no arguments.
    section(2, &[1, 0x00, 0, 0], &mut nested);
    let mut out = component.to_vec();
    section(4, &nested, &mut out);
    let mut instance = vec![1, 0x00];
    leb(component_count(component), &mut instance);
    instance.push(0);
    section(5, &instance, &mut out);
    out
}

/// Three more linear memories of 60 MiB each: each under the 64 MiB cap,
/// together far over it. The cap is the instance's, all memories included.
#[test]
fn memory_cap_counts_every_memory_of_the_instance() {
    let _serial = serial();
    // A core module declaring three memories of 960 pages (60 MiB) each.
    let mut memories = vec![3];
    for _ in 0..3 {
        memories.extend_from_slice(&[0x00, 0xC0, 0x07]);
    }
    let mut module = b"\0asm\x01\x00\x00\x00".to_vec();
    section(5, &memories, &mut module);

    let host = host();
    let good = plugin_bytes("good");
    // A single extra memory of 60 MiB stays within the cap with the plugin's
    // own: the construction itself is sound.
    let mut one = b"\0asm\x01\x00\x00\x00".to_vec();
    section(5, &[1, 0x00, 0x80, 0x01], &mut one); // 128 pages, 8 MiB
    host.load(&with_extra_core_module(&good, &one), "one-more-memory.wasm")
        .expect("a plugin with one more small memory loads");

    let bytes = with_extra_core_module(&good, &module);
    let (error, message) = refused_at_load_bytes(&host, &bytes, "many-memories.wasm");
    let PluginError::MemoryCap {
        requested,
        cap,
        call,
        ..
    } = &error
    else {
        panic!("expected MemoryCap, got {error:?}");
    };
    assert_eq!(*call, Call::Instantiate);
    assert_eq!(*cap, Limits::default().memory_bytes);
    assert!(requested > cap, "{message}");
    assert!(message.contains("memories and tables"), "{message}");
    assert_good_works(&host);
}

/// Loads `bytes` and returns the refusal (within the hang bound) and its
/// message, checked to name the plugin by origin and sha256.
fn refused_at_load_bytes(host: &Host, bytes: &[u8], origin: &str) -> (PluginError, String) {
    let (result, _) = timed(&format!("{origin}: load refused"), || {
        host.load(bytes, origin)
    });
    let error = result.expect_err("a hostile plugin must not load");
    let message = error.to_string();
    let label = format!("plugin {origin} (sha256 {})", &sha256_hex(bytes)[..12]);
    assert!(
        message.starts_with(&label),
        "the error names the plugin as `{label}`: {message}"
    );
    (error, message)
}

/// NaNs computed by the plugin have one bit pattern, whatever the CPU: the
/// canonical quiet NaN, positive. Without canonicalisation an x86 host gives
/// the negative one for 0/0 and an Arm host the positive one.
#[test]
fn computed_nans_are_the_same_on_every_machine() {
    let _serial = serial();
    let host = host();
    let (error, _) = failed_evaluate(&host, "nan-probe");
    let PluginError::Rejected { message, .. } = &error else {
        panic!("expected the probe's refusal, got {error:?}");
    };
    assert_eq!(
        message,
        "nan bits: 0/0 0x7ff8000000000000, inf-inf 0x7ff8000000000000, 0/0 f32 0x7fc00000"
    );
}

/// Evaluates the `bad-encoding` plugin with `q1` answered `mischief`.
fn bad_encoding(host: &Host, mischief: YesNo) -> PluginError {
    let bytes = plugin_bytes("bad-encoding");
    let plugin = host
        .load(&bytes, "bad-encoding.wasm")
        .expect("bad-encoding describes a valid questionnaire");
    let answers = vec![
        answer("q1", AnswerValue::YesNo(mischief)),
        answer("q2", AnswerValue::YesNo(YesNo::No)),
    ];
    let (result, _) = timed(&format!("bad-encoding {mischief:?}"), || {
        host.evaluate(&plugin, &answers, &context(date(2025, 11, 23)))
    });
    let error = result.expect_err("a malformed result must be refused");
    assert!(
        error.to_string().starts_with(plugin.name()),
        "the error names the plugin: {error}"
    );
    error
}

/// Out-of-bounds pointers, invalid UTF-8 and bad discriminants in a result
/// are told apart, from each other and from a trap of the plugin's code
/// (whose hint is about Rust panics).
#[test]
fn malformed_results_are_told_apart() {
    let _serial = serial();
    let host = host();
    for (mischief, expected, words) in [
        (YesNo::Yes, EncodingFault::OutOfBounds, "out of bounds"),
        (YesNo::No, EncodingFault::InvalidUtf8, "not valid UTF-8"),
        (
            YesNo::Partial,
            EncodingFault::BadDiscriminant,
            "discriminant",
        ),
    ] {
        let error = bad_encoding(&host, mischief);
        let PluginError::BadEncoding { call, fault, .. } = &error else {
            panic!("{mischief:?}: expected BadEncoding, got {error:?}");
        };
        assert_eq!((*call, *fault), (Call::Evaluate, expected), "{error}");
        let message = error.to_string();
        assert!(message.contains("broke the component ABI"), "{message}");
        assert!(message.contains(words), "{message}");
    }
    assert_good_works(&host);
}

/// Texts that all point at the same bytes make the host copy far more than
/// the plugin's memory holds: the host-call limit, set by the host, stops it
/// and says so.
#[test]
fn aliased_results_hit_the_host_call_limit() {
    let _serial = serial();
    let host = host();
    let error = bad_encoding(&host, YesNo::Unknown);
    let PluginError::TransferLimit { call, limit, .. } = &error else {
        panic!("expected TransferLimit, got {error:?}");
    };
    assert_eq!(*call, Call::Evaluate);
    assert_eq!(*limit, Limits::default().transfer_bytes);
    assert!(error.to_string().contains("host-call limit"), "{error}");
    assert_good_works(&host);
}
