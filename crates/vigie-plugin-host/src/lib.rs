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
mod validate;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};

pub use cache::{CacheError, CompileCache};
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

/// Which call a failure happened in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    Instantiate,
    Describe,
    Evaluate,
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Call::Instantiate => "instantiation",
            Call::Describe => "describe",
            Call::Evaluate => "evaluate",
        })
    }
}

/// Everything that can go wrong with a plugin, each naming the plugin.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("{plugin}: the file is empty")]
    Empty { plugin: String },
    #[error("{plugin}: not a WebAssembly component ({detail})")]
    NotAComponent { plugin: String, detail: String },
    #[error("{plugin}: cannot be compiled: {detail}")]
    Compile { plugin: String, detail: String },
    #[error(
        "{plugin}: imports {imports}; a Vigie plugin may import nothing (no WASI, no host function). \
         Build it for wasm32-unknown-unknown, not wasm32-wasip1/wasip2."
    )]
    ForbiddenImports { plugin: String, imports: String },
    #[error(
        "{plugin}: speaks {found}, but this Vigie supports {INTERFACE}@{INTERFACE_MAJOR}.{INTERFACE_MINOR}.x and older 1.x; rebuild the plugin against this Vigie's WIT"
    )]
    WrongInterfaceVersion { plugin: String, found: String },
    #[error("{plugin}: does not export {INTERFACE}@1.x (it exports: {exports})")]
    MissingExport { plugin: String, exports: String },
    #[error(
        "{plugin}: {call} ran out of fuel after {budget} units (an endless loop, or work too heavy for the limit)"
    )]
    OutOfFuel {
        plugin: String,
        call: Call,
        budget: u64,
    },
    #[error(
        "{plugin}: {call} ran past its time limit of {limit:?} (an endless loop, or work too heavy for the limit)"
    )]
    Timeout {
        plugin: String,
        call: Call,
        limit: Duration,
    },
    #[error(
        "{plugin}: {call} tried to grow its memories and tables to {requested} bytes in all, over the cap of {cap} bytes"
    )]
    MemoryCap {
        plugin: String,
        call: Call,
        requested: usize,
        cap: usize,
    },
    #[error("{plugin}: {call} exhausted its stack of {stack} bytes (runaway recursion?)")]
    StackOverflow {
        plugin: String,
        call: Call,
        stack: usize,
    },
    #[error(
        "{plugin}: {call} made the host copy more than {limit} bytes out of the plugin in one call, over the host-call limit"
    )]
    TransferLimit {
        plugin: String,
        call: Call,
        limit: usize,
    },
    #[error("{plugin}: {call} broke the component ABI with {fault}: {detail}")]
    BadEncoding {
        plugin: String,
        call: Call,
        fault: EncodingFault,
        detail: String,
    },
    #[error("{plugin}: {call} stopped with a trap: {detail}")]
    Trap {
        plugin: String,
        call: Call,
        detail: String,
    },
    #[error("{plugin}: {call} returned an invalid result: {detail}")]
    InvalidOutput {
        plugin: String,
        call: Call,
        detail: String,
    },
    #[error("{plugin}: evaluate refused the answers: {message}")]
    Rejected { plugin: String, message: String },
    #[error("{plugin}: answer to `{question}` is invalid: {detail}")]
    InvalidAnswer {
        plugin: String,
        question: String,
        detail: String,
    },
    #[error("the plugin engine could not start: {0}")]
    Engine(String),
}

/// What was wrong in the data a plugin handed the host (a result, or the
/// memory its `cabi_realloc` gave for the arguments): code generated by
/// wit-bindgen never does this, hand-written or `unsafe` code may.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodingFault {
    /// A pointer or length reaching outside the plugin's memory.
    OutOfBounds,
    /// A string that is not valid UTF-8.
    InvalidUtf8,
    /// An enum, variant, option or result whose discriminant names no case.
    BadDiscriminant,
    /// A pointer not aligned for what it points to.
    Misaligned,
    /// Anything else the canonical ABI refuses.
    Other,
}

impl std::fmt::Display for EncodingFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EncodingFault::OutOfBounds => "a pointer or length out of bounds of its memory",
            EncodingFault::InvalidUtf8 => "a string that is not valid UTF-8",
            EncodingFault::BadDiscriminant => "a discriminant that names no case",
            EncodingFault::Misaligned => "a misaligned pointer",
            EncodingFault::Other => "malformed data",
        })
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

struct State {
    limiter: MemoryLimiter,
    // Required by the component model's resource machinery; plugins use no resources.
    _table: ResourceTable,
}

/// Bytes a table element is counted for: a pointer, wasmtime's funcref.
const TABLE_ELEMENT_BYTES: usize = std::mem::size_of::<usize>();

/// Caps what one instance holds, all its memories and tables together, and
/// remembers a refused request, so the error names the size asked for rather
/// than a generic trap. One store holds exactly one plugin instance (see
/// `Host::call`), so the store's total is the instance's.
struct MemoryLimiter {
    cap: usize,
    /// Bytes granted so far to every memory and table of the store.
    total: usize,
    /// The last growth granted, `(current, desired)` in bytes, taken back if
    /// wasmtime then fails to grow.
    granted: Option<(usize, usize)>,
    refused: Option<usize>,
}

impl MemoryLimiter {
    fn new(cap: usize) -> Self {
        MemoryLimiter {
            cap,
            total: 0,
            granted: None,
            refused: None,
        }
    }

    /// Grants growing one memory or table from `current` to `desired` bytes
    /// if the instance's total stays under the cap.
    fn grow(&mut self, current: usize, desired: usize) -> wasmtime::Result<bool> {
        let total = self.total.saturating_sub(current).saturating_add(desired);
        if total > self.cap {
            self.refused = Some(total);
            // An error (not `Ok(false)`) traps at once: a plugin cannot ignore it.
            return Err(wasmtime::Error::msg("memory cap reached"));
        }
        self.total = total;
        self.granted = Some((current, desired));
        Ok(true)
    }

    fn grow_failed(&mut self) {
        if let Some((current, desired)) = self.granted.take() {
            self.total = self.total.saturating_sub(desired).saturating_add(current);
        }
    }
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.grow(current, desired)
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.grow_failed();
        Ok(())
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > 100_000 {
            return Ok(false);
        }
        self.grow(
            current.saturating_mul(TABLE_ELEMENT_BYTES),
            desired.saturating_mul(TABLE_ELEMENT_BYTES),
        )
    }

    fn table_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.grow_failed();
        Ok(())
    }

    fn instances(&self) -> usize {
        64
    }
    fn tables(&self) -> usize {
        64
    }
    fn memories(&self) -> usize {
        4
    }
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

    fn store(&self) -> Store<State> {
        let mut store = Store::new(
            &self.engine,
            State {
                limiter: MemoryLimiter::new(self.limits.memory_bytes),
                _table: ResourceTable::new(),
            },
        );
        store.limiter(|s| &mut s.limiter);
        store.set_hostcall_fuel(self.limits.transfer_bytes);
        // Fuel is only refused when set above the engine's maximum; the
        // budget is ours, so this cannot fail in practice and would only
        // leave the store with no fuel (every call then stops at once).
        let _ = store.set_fuel(self.limits.fuel);
        // One tick more than the limit: the first tick may come at once.
        let ticks = self.limits.time.as_nanos().div_ceil(EPOCH_TICK.as_nanos()) + 1;
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
        store.epoch_deadline_trap();
        store
    }

    /// Compiles (or loads from cache) the component in `bytes`, checks its
    /// imports and exports, and returns it ready for instantiation.
    fn component(
        &self,
        bytes: &[u8],
        sha: &str,
        label: &str,
    ) -> Result<(Component, CodeSource, Duration), PluginError> {
        if bytes.is_empty() {
            return Err(PluginError::Empty {
                plugin: label.into(),
            });
        }
        check_component_header(bytes).map_err(|detail| PluginError::NotAComponent {
            plugin: label.into(),
            detail,
        })?;
        let started = Instant::now();
        let cached = self
            .open_cache
            .as_ref()
            .and_then(|c| c.load(&self.engine, sha));
        let (component, source) = match cached {
            Some(component) => (component, CodeSource::Cache),
            None => {
                let component =
                    Component::new(&self.engine, bytes).map_err(|e| PluginError::Compile {
                        plugin: label.into(),
                        detail: format!("{e:#}"),
                    })?;
                if let Some(cache) = &self.open_cache {
                    // A cache that cannot be written only costs time later.
                    let _ = cache.store(sha, &component);
                }
                (component, CodeSource::Compiled)
            }
        };
        let elapsed = started.elapsed();
        self.check_interface(&component, label)?;
        Ok((component, source, elapsed))
    }

    fn check_interface(&self, component: &Component, label: &str) -> Result<(), PluginError> {
        let ty = component.component_type();
        let imports: Vec<&str> = ty.imports(&self.engine).map(|(name, _)| name).collect();
        if !imports.is_empty() {
            return Err(PluginError::ForbiddenImports {
                plugin: label.into(),
                imports: imports.join(", "),
            });
        }
        let exports: Vec<&str> = ty.exports(&self.engine).map(|(name, _)| name).collect();
        let ours: Vec<&str> = exports
            .iter()
            .copied()
            .filter(|name| name.split('@').next() == Some(INTERFACE))
            .collect();
        let Some(name) = ours.first() else {
            return Err(PluginError::MissingExport {
                plugin: label.into(),
                exports: if exports.is_empty() {
                    "nothing".into()
                } else {
                    exports.join(", ")
                },
            });
        };
        let version = name.split_once('@').map(|(_, v)| v).unwrap_or("");
        let mut parts = version.split('.').map(|p| p.parse::<u64>());
        #[allow(clippy::absurd_extreme_comparisons)] // `minor <= 0` today, `minor <= N` after 1.N.
        let supported = matches!(
            (parts.next(), parts.next()),
            (Some(Ok(major)), Some(Ok(minor))) if major == INTERFACE_MAJOR && minor <= INTERFACE_MINOR
        );
        if !supported {
            return Err(PluginError::WrongInterfaceVersion {
                plugin: label.into(),
                found: (*name).to_string(),
            });
        }
        Ok(())
    }

    /// Loads a plugin: checks, compiles or loads from cache, calls `describe`
    /// and validates the questionnaire. `origin` says where the bytes came
    /// from (a file path, `bundled`, `database`) and names the plugin in errors
    /// until its id is known.
    pub fn load(&self, bytes: &[u8], origin: &str) -> Result<Plugin, PluginError> {
        let sha256 = sha256_hex(bytes);
        let label = format!("plugin {origin} (sha256 {})", &sha256[..12]);
        let (component, source, code_time) = self.component(bytes, &sha256, &label)?;
        let instance_pre =
            self.linker
                .instantiate_pre(&component)
                .map_err(|e| PluginError::Compile {
                    plugin: label.clone(),
                    detail: format!("{e:#}"),
                })?;
        let pre = QuestionnairePre::new(instance_pre).map_err(|e| PluginError::MissingExport {
            plugin: label.clone(),
            exports: format!("{e:#}"),
        })?;
        let started = Instant::now();
        let raw = self.call(&pre, &label, Call::Describe, |bindings, store| {
            bindings.vigie_questionnaire_plugin().call_describe(store)
        })?;
        let questionnaire = convert::questionnaire(raw);
        validate::questionnaire(&questionnaire, &self.limits.output).map_err(|detail| {
            PluginError::InvalidOutput {
                plugin: label.clone(),
                call: Call::Describe,
                detail,
            }
        })?;
        let describe_time = started.elapsed();
        let name = format!(
            "plugin {} {} (sha256 {})",
            questionnaire.info.id,
            questionnaire.info.version,
            &sha256[..12]
        );
        Ok(Plugin {
            name,
            sha256,
            origin: origin.to_string(),
            size: bytes.len(),
            question_index: questionnaire
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| (q.id.clone(), i))
                .collect(),
            questionnaire: Arc::new(questionnaire),
            pre,
            stats: LoadStats {
                source,
                code: code_time,
                describe: describe_time,
            },
        })
    }

    fn call<T>(
        &self,
        pre: &QuestionnairePre<State>,
        label: &str,
        call: Call,
        f: impl FnOnce(&bindings::Questionnaire, &mut Store<State>) -> wasmtime::Result<T>,
    ) -> Result<T, PluginError> {
        let mut store = self.store();
        let result = pre
            .instantiate(&mut store)
            .map_err(|e| (Call::Instantiate, e))
            .and_then(|bindings| f(&bindings, &mut store).map_err(|e| (call, e)));
        result.map_err(|(call, error)| self.classify(label, call, &store, error))
    }

    fn classify(
        &self,
        label: &str,
        call: Call,
        store: &Store<State>,
        error: wasmtime::Error,
    ) -> PluginError {
        let plugin = label.to_string();
        if let Some(requested) = store.data().limiter.refused {
            return PluginError::MemoryCap {
                plugin,
                call,
                requested,
                cap: self.limits.memory_bytes,
            };
        }
        match error.downcast_ref::<wasmtime::Trap>() {
            Some(wasmtime::Trap::OutOfFuel) => PluginError::OutOfFuel {
                plugin,
                call,
                budget: self.limits.fuel,
            },
            Some(wasmtime::Trap::Interrupt) => PluginError::Timeout {
                plugin,
                call,
                limit: self.limits.time,
            },
            Some(wasmtime::Trap::StackOverflow) => PluginError::StackOverflow {
                plugin,
                call,
                stack: self.limits.stack_bytes,
            },
            Some(trap) => PluginError::Trap {
                plugin,
                call,
                detail: trap.to_string(),
            },
            // Instantiation fails without a trap only on the instance,
            // memory or table counts of `MemoryLimiter`: no data crossed yet.
            None if call == Call::Instantiate => PluginError::Trap {
                plugin,
                call,
                detail: format!("{error:#}"),
            },
            // Not a trap of the plugin's code: the canonical ABI refused
            // what the plugin handed the host.
            None => {
                let detail = format!("{error:#}");
                if detail.contains(HOSTCALL_FUEL_EXHAUSTED) {
                    return PluginError::TransferLimit {
                        plugin,
                        call,
                        limit: self.limits.transfer_bytes,
                    };
                }
                PluginError::BadEncoding {
                    plugin,
                    call,
                    fault: encoding_fault(&error, &detail),
                    detail,
                }
            }
        }
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

/// What wasmtime's error says when the host-call fuel runs out (its type is
/// private, so only its text tells it apart; the sandbox tests pin it).
const HOSTCALL_FUEL_EXHAUSTED: &str = "fuel allocated for hostcalls has been exhausted";

/// Which encoding rule an error of the canonical ABI reports: by type where
/// wasmtime keeps one, else by the wording of wasmtime's messages (pinned by
/// the sandbox tests).
fn encoding_fault(error: &wasmtime::Error, detail: &str) -> EncodingFault {
    if error.downcast_ref::<std::str::Utf8Error>().is_some() {
        EncodingFault::InvalidUtf8
    } else if detail.contains("out of bounds") || detail.contains("beyond end of memory") {
        EncodingFault::OutOfBounds
    } else if detail.contains("discriminant") {
        EncodingFault::BadDiscriminant
    } else if detail.contains("not aligned") {
        EncodingFault::Misaligned
    } else {
        EncodingFault::Other
    }
}

/// Whether `bytes` look like the WebAssembly text format: after whitespace
/// and `;;` line or `(; ;)` block comments, an opening parenthesis.
fn starts_as_wat(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    loop {
        rest = rest.trim_ascii_start();
        if let Some(after) = rest.strip_prefix(b";;") {
            let end = after
                .iter()
                .position(|b| *b == b'\n')
                .map_or(after.len(), |i| i + 1);
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix(b"(;") {
            match after.windows(2).position(|w| w == b";)") {
                Some(i) => rest = &after[i + 2..],
                None => return false,
            }
        } else {
            return rest.first() == Some(&b'(');
        }
    }
}

/// Rejects what is plainly not a component before handing bytes to the
/// compiler, so the error says what the file is.
fn check_component_header(bytes: &[u8]) -> Result<(), String> {
    if starts_as_wat(bytes) {
        // The WebAssembly text format; the compiler parses it.
        return Ok(());
    }
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return Err(format!(
            "it does not start with the WebAssembly magic bytes ({} bytes long)",
            bytes.len()
        ));
    }
    match (bytes[4], bytes[5], bytes[6], bytes[7]) {
        (1, 0, 0, 0) => Err("it is a core WebAssembly module; link it into a component with wasm-component-ld or wit-component".into()),
        (_, _, 1, 0) => Ok(()),
        (a, b, c, d) => Err(format!("unknown WebAssembly version/layer {a:#x} {b:#x} {c:#x} {d:#x}")),
    }
}

/// The default compile-cache folder name inside a user cache directory.
pub fn default_cache_subdir() -> PathBuf {
    PathBuf::from("compiled-plugins")
}

#[cfg(test)]
mod tests {
    use super::MemoryLimiter;
    use wasmtime::ResourceLimiter;

    const MIB: usize = 1 << 20;

    #[test]
    fn memory_limiter_caps_the_total_of_every_memory_and_table() {
        let mut limiter = MemoryLimiter::new(64 * MIB);
        assert!(limiter.memory_growing(0, 30 * MIB, None).is_ok());
        assert!(limiter.memory_growing(0, 30 * MIB, None).is_ok());
        // A third memory would pass a per-memory cap, not the total.
        assert!(limiter.memory_growing(0, 30 * MIB, None).is_err());
        assert_eq!(limiter.refused, Some(90 * MIB));
        // Growing one memory counts only the difference.
        assert!(limiter.memory_growing(30 * MIB, 33 * MIB, None).is_ok());
        assert_eq!(limiter.total, 63 * MIB);
        // Tables count too, one pointer per element: with a full table,
        // half a MiB more memory no longer fits.
        assert!(
            limiter
                .table_growing(0, 100_000, None)
                .is_ok_and(|granted| granted)
        );
        assert!(
            limiter
                .memory_growing(33 * MIB, 33 * MIB + MIB / 2, None)
                .is_err()
        );
    }

    #[test]
    fn failed_growth_is_given_back() {
        let mut limiter = MemoryLimiter::new(64 * MIB);
        assert!(limiter.memory_growing(0, 40 * MIB, None).is_ok());
        assert!(limiter.memory_growing(40 * MIB, 60 * MIB, None).is_ok());
        assert!(
            limiter
                .memory_grow_failed(wasmtime::Error::msg("no address space"))
                .is_ok()
        );
        assert_eq!(limiter.total, 40 * MIB);
        assert!(limiter.memory_growing(0, 20 * MIB, None).is_ok());
    }
}
