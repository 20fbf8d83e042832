//! `vigie plugin …`

mod new;

use std::sync::Arc;

use vigie_app::check::check_plugin;
use vigie_app::{Catalog, Origin};
use vigie_model::{AnswerKind, Date, visible};
use vigie_plugin_host::{CompileCache, Host, Limits};

use crate::cli::{Cli, PluginCmd};
use crate::cmd_store::out::outln;
use crate::cmd_store::session;
use crate::{CmdResult, Failure, paths};

/// A host with the default limits and the user's compile cache.
pub fn host() -> Result<Arc<Host>, Failure> {
    let cache = paths::cache_dir()
        .zip(paths::cache_key_file())
        .map(|(dir, key)| CompileCache::new(dir, key));
    let host = Host::new(limits()?, cache)?;
    if let Some(warning) = host.cache_warning() {
        eprintln!("vigie: warning: {warning}");
    }
    Ok(Arc::new(host))
}

/// The plugin limits: the defaults, raised or lowered by
/// `VIGIE_PLUGIN_FUEL` (units per call), `VIGIE_PLUGIN_MEMORY_MIB` and
/// `VIGIE_PLUGIN_TIME_MS` (per call) for plugins that need more.
pub fn limits() -> Result<Limits, Failure> {
    fn read(var: &str) -> Result<Option<u64>, Failure> {
        match std::env::var(var) {
            Ok(text) if !text.trim().is_empty() => text
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|v| *v > 0)
                .map(Some)
                .ok_or_else(|| {
                    Failure::new(format!("{var}=`{text}` is not a positive whole number"))
                }),
            _ => Ok(None),
        }
    }
    let mut limits = Limits::default();
    if let Some(fuel) = read("VIGIE_PLUGIN_FUEL")? {
        limits.fuel = fuel;
    }
    if let Some(mib) = read("VIGIE_PLUGIN_MEMORY_MIB")? {
        limits.memory_bytes = usize::try_from(mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
    }
    if let Some(ms) = read("VIGIE_PLUGIN_TIME_MS")? {
        limits.time = std::time::Duration::from_millis(ms);
    }
    Ok(limits)
}

/// The bundled plugins, loaded.
pub fn bundled_catalog() -> Result<Catalog, Failure> {
    let mut catalog = Catalog::new(host()?);
    catalog.load_bundled();
    Ok(catalog)
}

/// The bundled plugins plus those installed in the database, with the sha256
/// of every stored plugin. A database that does not exist yet is not created:
/// only the bundled plugins are listed then.
fn catalog_with_database(cli: &Cli) -> Result<(Catalog, Vec<String>), Failure> {
    let path = paths::db_path(cli)?;
    if !path.exists() {
        return Ok((bundled_catalog()?, Vec::new()));
    }
    let bench = session::open_workbench(cli)?;
    let stored = bench
        .store
        .list_plugin_blobs()?
        .into_iter()
        .map(|b| b.sha256)
        .collect();
    Ok((bench.catalog, stored))
}

pub fn today() -> Date {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0);
    Date::from_days_since_epoch(days as i64)
        .unwrap_or_else(|_| Date::new(1970, 1, 1).unwrap_or_else(|_| unreachable!()))
}

pub fn run(cli: &Cli, cmd: &PluginCmd) -> CmdResult {
    let lang = paths::language(cli.lang.as_deref());
    match cmd {
        PluginCmd::List => {
            let (catalog, stored) = catalog_with_database(cli)?;
            outln!(
                "{:<22} {:<9} {:<14} {:<16} NAME",
                "ID",
                "VERSION",
                "SHA256",
                "ORIGIN"
            );
            for entry in catalog.entries() {
                let p = &entry.plugin;
                let in_db = stored.iter().any(|s| s == p.sha256());
                let origin = match (&entry.origin, in_db) {
                    (Origin::Bundled, true) => "bundled+database".to_string(),
                    (Origin::File(_), true) => "database".to_string(),
                    (origin, _) => origin.to_string(),
                };
                outln!(
                    "{:<22} {:<9} {:<14} {:<16} {}",
                    visible(p.id()),
                    visible(p.version()),
                    visible(p.sha256().get(..12).unwrap_or(p.sha256())),
                    visible(&origin),
                    visible(p.questionnaire().info.name.get(&lang))
                );
            }
            for (origin, error) in &catalog.failures {
                eprintln!(
                    "vigie: could not load a plugin from {}: {}",
                    visible(&origin.to_string()),
                    visible(&error.to_string())
                );
            }
            Ok(())
        }
        PluginCmd::Inspect { plugin } => {
            // The file is read before the database is opened: a descriptor closed while a
            // connection is open would release that connection's locks if the file named
            // were the database itself.
            let path = std::path::Path::new(plugin);
            let file_bytes =
                if path.is_file() {
                    Some(std::fs::read(path).map_err(|e| {
                        Failure::new(format!("cannot read {}: {e}", path.display()))
                    })?)
                } else {
                    None
                };
            let (catalog, _) = catalog_with_database(cli)?;
            let entry_plugin = match file_bytes {
                Some(bytes) => Arc::new(catalog.host().load(&bytes, &path.display().to_string())?),
                None => catalog.find(plugin)?.plugin.clone(),
            };
            print_questionnaire(&entry_plugin, &lang);
            Ok(())
        }
        PluginCmd::Check { file } => {
            let bytes = std::fs::read(file)
                .map_err(|e| Failure::new(format!("cannot read {}: {e}", file.display())))?;
            let host = Host::new(limits()?, None)?;
            match check_plugin(&host, &bytes, &file.display().to_string(), today()) {
                Ok(report) => {
                    let q = report.plugin.questionnaire();
                    outln!(
                        "ok: {} — {} sections, {} questions, {} criteria, languages {}",
                        visible(report.plugin.name()),
                        q.sections.len(),
                        q.questions.len(),
                        q.criteria.len(),
                        visible(&q.info.languages.join(", "))
                    );
                    for (trial, answers, eval) in &report.trials {
                        let counts = eval.status_counts();
                        outln!(
                            "  {:<26} {:>4} answers → verdict {:<14} score {:>5}  ✅{} ⚠️{} ❌{} —{} ·{}  {} findings",
                            trial.name(),
                            answers,
                            visible(&eval.verdict.id),
                            eval.score
                                .map(|s| format!("{s:.1}"))
                                .unwrap_or_else(|| "-".into()),
                            counts[0],
                            counts[1],
                            counts[2],
                            counts[3],
                            counts[4],
                            eval.findings.len()
                        );
                    }
                    Ok(())
                }
                Err(e) => Err(Failure::new(format!(
                    "plugin refused: {e}\n  hint: {}",
                    e.hint()
                ))),
            }
        }
        PluginCmd::Install { file } => {
            let bytes = std::fs::read(file)
                .map_err(|e| Failure::new(format!("cannot read {}: {e}", file.display())))?;
            let mut bench = session::open_workbench(cli)?;
            let plugin = bench
                .install_plugin(&bytes, &file.display().to_string())
                .map_err(|e| Failure::new(format!("cannot install {}: {e}", file.display())))?;
            outln!(
                "installed {} {} (sha256 {}) into {}",
                visible(plugin.id()),
                visible(plugin.version()),
                visible(plugin.sha256().get(..12).unwrap_or(plugin.sha256())),
                visible(&bench.store.path().display().to_string())
            );
            Ok(())
        }
        PluginCmd::New { name, dir } => new::run(name, dir.as_deref()),
        PluginCmd::ClearCache => {
            let Some(dir) = paths::cache_dir() else {
                return Err(Failure::new("no cache directory on this system"));
            };
            let key = paths::cache_key_file().unwrap_or_default();
            let removed = CompileCache::new(&dir, key)
                .clear()
                .map_err(|e| Failure::new(format!("{}: {e}", dir.display())))?;
            outln!(
                "removed {removed} compiled plugins from {}",
                visible(&dir.display().to_string())
            );
            Ok(())
        }
    }
}

/// The questionnaire, every plugin text shown through [`visible`] (the description keeps
/// its line breaks).
fn print_questionnaire(plugin: &vigie_plugin_host::Plugin, lang: &str) {
    let q = plugin.questionnaire();
    outln!(
        "{} — {}",
        visible(plugin.name()),
        visible(q.info.name.get(lang))
    );
    outln!("{}", visible(q.info.description.get(lang)));
    if !q.info.levels.is_empty() {
        let levels: Vec<&str> = q.info.levels.iter().map(|l| l.id.as_str()).collect();
        outln!("levels: {}", visible(&levels.join(", ")));
    }
    for section in &q.sections {
        outln!(
            "\n## {} [{}]",
            visible(section.title.get(lang)),
            visible(&section.id)
        );
        for i in q.questions_in(&section.id) {
            let question = &q.questions[i];
            let kind = match &question.kind {
                AnswerKind::SingleChoice(c) | AnswerKind::MultipleChoice(c) => {
                    format!(
                        "{} ({})",
                        question.kind.name(),
                        c.iter()
                            .map(|c| c.id.as_str())
                            .collect::<Vec<_>>()
                            .join("|")
                    )
                }
                other => other.name().to_string(),
            };
            let refs: Vec<String> = question.references.iter().map(|r| r.label()).collect();
            outln!(
                "  {:<28} {}",
                visible(&question.id),
                visible(question.prompt.get(lang))
            );
            outln!(
                "  {:<28}   {}; criteria: {}; {}",
                "",
                visible(&kind),
                visible(&question.criteria.join(", ")),
                visible(&refs.join(", "))
            );
        }
    }
    outln!("\n## criteria");
    for c in &q.criteria {
        let refs: Vec<String> = c.references.iter().map(|r| r.label()).collect();
        outln!(
            "  {:<24} w{} {:<8} {} ({})",
            visible(&c.id),
            c.weight,
            c.severity.id(),
            visible(c.title.get(lang)),
            visible(&refs.join(", "))
        );
    }
}
