//! Loading a plugin: what the bytes are, compiling them (or reading the compiled code from
//! the cache), the interface they export, then `describe` and the questionnaire's checks.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::Component;

use crate::bindings::QuestionnairePre;
use crate::{
    Call, CodeSource, Host, INTERFACE, INTERFACE_MAJOR, INTERFACE_MINOR, LoadStats, Plugin,
    PluginError, convert, sha256_hex, validate,
};

impl Host {
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
