//! The sandboxed wasmtime host for Vigie questionnaire plugins.
//!
//! A plugin is a WebAssembly component exporting `vigie:questionnaire/plugin@1.x`
//! (see `wit/questionnaire.wit`). This crate loads one from bytes, checks that
//! it imports nothing and speaks a supported interface version, compiles it
//! (or loads the compiled code from the host's own on-disk cache), calls
//! `describe` once, and validates everything the plugin returns before anyone
//! else sees it. Every call gets a fresh store with a fuel budget, a memory cap
//! and a stack cap, so a plugin can never hang, exhaust memory, or reach files,
//! network, clock or environment: it is given no capability at all.
//!
//! It depends on `vigie-model` for the types it hands out and must not depend
//! on the store, the TUI or anything that does I/O beyond its compile cache.

mod cache;
mod convert;
mod error;
mod load;
mod sandbox;
mod validate;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::Linker;
use wasmtime::{Config, Engine};

pub use cache::{CacheError, CompileCache};
pub use error::{Call, EncodingFault, PluginError};
use sandbox::State;
pub use validate::OutputLimits;
use vigie_model::{Answer, EvalContext, Evaluation, Questionnaire};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "questionnaire",
    });
}

use bindings::QuestionnairePre;

/// How often the engine's epoch advances: the granularity of `Limits::time`.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The interface this host implements; plugins built against `1.0.x` load.
pub const INTERFACE: &str = "vigie:questionnaire/plugin";
pub const INTERFACE_MAJOR: u64 = 1;
pub const INTERFACE_MINOR: u64 = 0;

/// Limits applied to every call into a plugin. The defaults suit the bundled
/// questionnaires with a wide margin; a host may raise them by configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Fuel units per call (about 10^10 units run per second on this class of machine).
    pub fuel: u64,
    /// Most memory one plugin instance may hold, in bytes: all its linear
    /// memories and tables together (a component may declare several).
    pub memory_bytes: usize,
    /// Largest wasm stack, in bytes: bounds recursion, in wasm and across
    /// the calls the host makes into the plugin (`cabi_realloc`).
    pub stack_bytes: usize,
    /// Most bytes the host copies out of a plugin for one call (wasmtime's
    /// host-call fuel): strings and lists may all point at the same bytes,
    /// so what a plugin returns is not bounded by its memory.
    pub transfer_bytes: usize,
    /// Wall-clock time per call. Fuel counts instructions, not time: a
    /// plugin whose every load misses the cache runs ~100x slower per unit.
    pub time: Duration,
    /// Bounds on what a plugin returns.
    pub output: OutputLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 2_000_000_000,
            memory_bytes: 64 << 20,
            stack_bytes: 512 << 10,
            // What the default memory holds: more can only be the same bytes
            // handed over many times. Half wasmtime's default of 128 MiB.
            transfer_bytes: 64 << 20,
            time: Duration::from_millis(500),
            output: OutputLimits::default(),
        }
    }
}

/// How the compiled code of a plugin was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeSource {
    /// Loaded from the on-disk cache.
    Cache,
    /// Compiled now (and written to the cache when there is one).
    Compiled,
}

/// Timings of one load, for `plugin list -v` and the benchmarks.
#[derive(Clone, Copy, Debug)]
pub struct LoadStats {
    pub source: CodeSource,
    pub code: Duration,
    pub describe: Duration,
}

/// The engine, its configuration and the compile cache. Share one per process.
pub struct Host {
    engine: Engine,
    linker: Linker<State>,
    limits: Limits,
    cache: Option<CompileCache>,
    /// The cache once its folder and key passed their checks.
    open_cache: Option<cache::OpenCache>,
    /// Why `cache` is not used, for the caller to show once.
    cache_warning: Option<CacheError>,
}

/// A loaded, validated plugin, ready to evaluate. Cheap to share (`Arc`).
pub struct Plugin {
    name: String,
    sha256: String,
    origin: String,
    size: usize,
    questionnaire: Arc<Questionnaire>,
    /// Question id → index, built once: every evaluate looks each answer up.
    question_index: HashMap<String, usize>,
    pre: QuestionnairePre<State>,
    stats: LoadStats,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.name)
            .field("sha256", &self.sha256)
            .field("origin", &self.origin)
            .finish()
    }
}

/// Hex sha256 of plugin bytes: a plugin's identity.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

impl Host {
    /// A host with `limits` and an optional compile cache. A cache whose
    /// folder or key fails its checks is not used (plugins are compiled in
    /// memory) and [`Host::cache_warning`] says why.
    pub fn new(limits: Limits, cache: Option<CompileCache>) -> Result<Host, PluginError> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.consume_fuel(true);
        config.epoch_interruption(true);
        config.max_wasm_stack(limits.stack_bytes);
        // The same plugin must give the same result on every machine: NaN
        // bit patterns and relaxed SIMD otherwise follow the host's CPU.
        config.cranelift_nan_canonicalization(true);
        config.relaxed_simd_deterministic(true);
        // Plugins are small and compiled once per machine (then cached): favour
        // fast code over compile time.
        config.cranelift_opt_level(wasmtime::OptLevel::Speed);
        let engine = Engine::new(&config).map_err(|e| PluginError::Engine(format!("{e:#}")))?;
        // Advances the engine's epoch every tick while the engine lives; each
        // store's deadline is a number of ticks (see `store`).
        let weak = engine.weak();
        std::thread::Builder::new()
            .name("vigie-plugin-clock".into())
            .spawn(move || {
                while let Some(engine) = weak.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(EPOCH_TICK);
                }
            })
            .map_err(|e| PluginError::Engine(format!("cannot start the plugin clock: {e}")))?;
        let linker = Linker::new(&engine);
        let (open_cache, cache_warning) = match cache.as_ref().map(|c| c.open(&engine)) {
            Some(Ok(open)) => (Some(open), None),
            Some(Err(warning)) => (None, Some(warning)),
            None => (None, None),
        };
        Ok(Host {
            engine,
            linker,
            limits,
            cache,
            open_cache,
            cache_warning,
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn cache(&self) -> Option<&CompileCache> {
        self.cache.as_ref()
    }

    /// Why the compile cache given to [`Host::new`] is not used, if it is
    /// not: the caller shows it once (this library prints nothing).
    pub fn cache_warning(&self) -> Option<&CacheError> {
        self.cache_warning.as_ref()
    }

    /// A stable hex hash of everything that makes compiled code compatible
    /// with this engine; part of every cache key.
    pub fn engine_hash(&self) -> String {
        cache::engine_hash(&self.engine)
    }

    /// Instantiates `plugin` in a fresh store and drops it: what every call
    /// pays before running, measured by the benchmarks.
    pub fn instantiate(&self, plugin: &Plugin) -> Result<(), PluginError> {
        self.call(&plugin.pre, &plugin.name, Call::Instantiate, |_, _| Ok(()))
    }

    /// Scores `answers` with `plugin`. Answers to unknown questions are an
    /// error; answers to questions that do not apply are dropped first, as
    /// the WIT contract promises plugins.
    pub fn evaluate(
        &self,
        plugin: &Plugin,
        answers: &[Answer],
        context: &EvalContext,
    ) -> Result<Evaluation, PluginError> {
        let questionnaire = &plugin.questionnaire;
        let mut by_id = HashMap::with_capacity(answers.len());
        let mut indices = Vec::with_capacity(answers.len());
        for answer in answers {
            let index = plugin
                .question_index
                .get(answer.question.as_str())
                .copied()
                .ok_or_else(|| PluginError::InvalidAnswer {
                    plugin: plugin.name.clone(),
                    question: answer.question.clone(),
                    detail: "no such question in this questionnaire".into(),
                })?;
            indices.push(index);
            let question = &questionnaire.questions[index];
            answer
                .value
                .validate(&question.kind)
                .map_err(|e| PluginError::InvalidAnswer {
                    plugin: plugin.name.clone(),
                    question: answer.question.clone(),
                    detail: e.to_string(),
                })?;
            by_id.insert(answer.question.as_str(), &answer.value);
        }
        let applicability =
            vigie_model::applicable_items(questionnaire, &by_id, context.level.as_deref());
        let wit_answers: Vec<_> = answers
            .iter()
            .zip(&indices)
            .filter(|(_, i)| applicability.question(**i))
            .map(|(a, _)| convert::answer_to_wit(a))
            .collect();
        let wit_context = convert::context_to_wit(context);
        let result = self.call(
            &plugin.pre,
            &plugin.name,
            Call::Evaluate,
            |bindings, store| {
                bindings.vigie_questionnaire_plugin().call_evaluate(
                    store,
                    &wit_answers,
                    &wit_context,
                )
            },
        )?;
        let raw = result.map_err(|message| match validate::error_message(&message) {
            Ok(()) => PluginError::Rejected {
                plugin: plugin.name.clone(),
                message: validate::clip(&message, 500),
            },
            Err(detail) => PluginError::InvalidOutput {
                plugin: plugin.name.clone(),
                call: Call::Evaluate,
                detail,
            },
        })?;
        let evaluation = convert::evaluation(raw);
        validate::evaluation(&evaluation, questionnaire, &self.limits.output).map_err(
            |detail| PluginError::InvalidOutput {
                plugin: plugin.name.clone(),
                call: Call::Evaluate,
                detail,
            },
        )?;
        Ok(evaluation)
    }
}

impl Plugin {
    /// "plugin ID VERSION (sha256 …)", as used in errors.
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn id(&self) -> &str {
        &self.questionnaire.info.id
    }
    pub fn version(&self) -> &str {
        &self.questionnaire.info.version
    }
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
    pub fn origin(&self) -> &str {
        &self.origin
    }
    pub fn size(&self) -> usize {
        self.size
    }
    pub fn questionnaire(&self) -> &Arc<Questionnaire> {
        &self.questionnaire
    }
    pub fn stats(&self) -> LoadStats {
        self.stats
    }
}

/// The default compile-cache folder name inside a user cache directory.
pub fn default_cache_subdir() -> PathBuf {
    PathBuf::from("compiled-plugins")
}
