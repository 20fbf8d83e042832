//! `vigie plugin …`

mod new;

use std::sync::Arc;

use std::path::{Path, PathBuf};

use vigie_app::check::check_plugin;
use vigie_app::signing::parse_public_key;
use vigie_app::{BundledRelation, Catalog, InstallOptions, Origin, StoredState};
use vigie_model::{AnswerKind, Date, Lang, visible};
use vigie_plugin_host::{CompileCache, Host, Limits};

use crate::cli::{Cli, OnOff, PluginCmd, TrustKeyCmd};
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

/// Today in the user's time zone: an assessment made at 00:30 in Paris is dated that day,
/// not the day before as in UTC.
pub fn today() -> Date {
    let now = time::OffsetDateTime::now_utc().to_offset(crate::local_offset());
    Date::new(now.year(), u8::from(now.month()), now.day())
        .unwrap_or_else(|_| Date::new(1970, 1, 1).unwrap_or_else(|_| unreachable!()))
}

pub fn run(cli: &Cli, cmd: &PluginCmd) -> CmdResult {
    let lang = paths::language(cli);
    match cmd {
        PluginCmd::List => list(cli, lang),
        PluginCmd::Inspect { plugin } => {
            let path = std::path::Path::new(plugin);
            let entry_plugin = if path.is_file() {
                let bytes = read_plugin_file(path)?;
                let catalog = bundled_catalog()?;
                Arc::new(catalog.host().load(&bytes, &path.display().to_string())?)
            } else if paths::db_path(cli)?.exists() {
                session::open_workbench(cli)?.find_plugin(plugin)?.plugin
            } else {
                bundled_catalog()?.find(plugin)?.plugin.clone()
            };
            print_questionnaire(&entry_plugin, lang);
            Ok(())
        }
        PluginCmd::Check { file } => {
            let bytes = read_plugin_file(file)?;
            let host = Host::new(limits()?, None)?;
            match check_plugin(&host, &bytes, &file.display().to_string(), today()) {
                Ok(report) => {
                    let q = report.plugin.questionnaire();
                    outln!(
                        "ok: {} — {}, {}, {}, languages {}",
                        visible(report.plugin.name()),
                        Lang::En.count(q.sections.len(), "section", "sections"),
                        Lang::En.count(q.questions.len(), "question", "questions"),
                        Lang::En.count(q.criteria.len(), "criterion", "criteria"),
                        visible(&q.info.languages.join(", "))
                    );
                    for (trial, answers, eval) in &report.trials {
                        let counts = eval.status_counts();
                        outln!(
                            "  {:<26} {:>4} answers → verdict {:<14} score {:>5}  ✅{} ⚠️{} ❌{} —{} ·{}  {}",
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
                            Lang::En.count(eval.findings.len(), "finding", "findings")
                        );
                    }
                    outln!(
                        "  {} generated interviews (assessment dates 2025–2035, single answers declined): \
                         complete before compliant, declined never better; verdicts reached: {}",
                        report.generated,
                        report.verdicts.join(", ")
                    );
                    outln!(
                        "  {} generated interviews, {} comparisons: monotonic, declined never better than \
                         unknown, unanswered never better than no (critical questions), status and score agree, \
                         host and plugin applicability agree{}",
                        report.property_cases,
                        report.property_comparisons,
                        if report.undeclared_questions > 0 {
                            format!(
                                " ({} no scoring: not compared with worse answers)",
                                Lang::En.count(
                                    report.undeclared_questions,
                                    "question publishes",
                                    "questions publish"
                                )
                            )
                        } else {
                            String::new()
                        }
                    );
                    Ok(())
                }
                Err(e) => Err(Failure::new(format!(
                    "plugin refused: {e}\n  hint: {}",
                    e.hint()
                ))),
            }
        }
        PluginCmd::Test { file, dir } => golden_test(file, dir),
        PluginCmd::Install {
            file,
            signature,
            allow_shadow,
        } => {
            let bytes = read_plugin_file(file)?;
            let signature_file = signature.clone().or_else(|| {
                let beside = PathBuf::from(format!("{}.minisig", file.display()));
                beside.is_file().then_some(beside)
            });
            let signature = signature_file
                .as_ref()
                .map(|path| {
                    std::fs::read_to_string(path)
                        .map_err(|e| Failure::new(format!("cannot read {}: {e}", path.display())))
                })
                .transpose()?;
            let mut bench = session::open_workbench(cli)?;
            let options = InstallOptions {
                signature,
                allow_shadow: *allow_shadow,
            };
            let plugin = bench
                .install_plugin_with(&bytes, &file.display().to_string(), &options)
                .map_err(|e| Failure::new(format!("cannot install {}: {e}", file.display())))?;
            let signed = bench.signature_of(&plugin)?;
            outln!(
                "installed {} {} (sha256 {}) into {}; {signed}",
                visible(plugin.id()),
                visible(plugin.version()),
                visible(plugin.sha256().get(..12).unwrap_or(plugin.sha256())),
                visible(&bench.path().display().to_string())
            );
            if *allow_shadow && bench.catalog().bundled_with_id(plugin.id()).is_some() {
                outln!(
                    "it takes the place of the bundled {} for new assessments (decision recorded \
                     in the audit trail)",
                    plugin.id()
                );
            }
            Ok(())
        }
        PluginCmd::AllowShadow { plugin } => {
            session::existing_db(cli)?;
            let mut bench = session::open_workbench(cli)?;
            let d = bench.allow_shadow(plugin)?;
            outln!(
                "{} {} (sha256 {}) now takes the place of the bundled {} for new assessments \
                 (recorded in the audit trail)",
                d.plugin_id,
                d.version,
                &d.sha256[..12],
                d.plugin_id
            );
            Ok(())
        }
        PluginCmd::ForbidShadow { plugin } => {
            session::existing_db(cli)?;
            let mut bench = session::open_workbench(cli)?;
            let d = bench.forbid_shadow(plugin)?;
            outln!(
                "the bundled {} is used again for new assessments, not {} (sha256 {})",
                d.plugin_id,
                d.version,
                &d.sha256[..12]
            );
            Ok(())
        }
        PluginCmd::TrustKey(cmd) => trust_key(cli, cmd),
        PluginCmd::RequireSignatures { setting } => {
            let bench = session::open_workbench(cli)?;
            let on = *setting == OnOff::On;
            bench.require_signatures(on)?;
            if on {
                outln!(
                    "plugins other than the bundled ones now need a signature by a trusted key to \
                     be installed, imported or used for a new assessment"
                );
            } else {
                outln!("plugins no longer need a signature");
            }
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

/// `vigie plugin test FILE DIR`: every golden set of DIR scored with FILE.
fn golden_test(file: &std::path::Path, dir: &std::path::Path) -> CmdResult {
    let bytes = std::fs::read(file)
        .map_err(|e| Failure::new(format!("cannot read {}: {e}", file.display())))?;
    let host = Host::new(limits()?, None)?;
    let plugin = host
        .load(&bytes, &file.display().to_string())
        .map_err(|e| Failure::new(format!("plugin refused: {e}")))?;
    let outcomes = vigie_app::golden::run_golden_dir(&host, &plugin, dir)
        .map_err(|e| Failure::new(e.to_string()))?;
    if outcomes.is_empty() {
        return Err(Failure::new(format!(
            "{}: no golden set (*.toml) in this folder",
            dir.display()
        )));
    }
    let mut failed = 0;
    for outcome in &outcomes {
        match outcome {
            Ok(o) if o.problems.is_empty() => outln!(
                "ok    {}  verdict {}, score {}",
                o.name,
                o.evaluation.verdict.id,
                o.evaluation
                    .score
                    .map_or_else(|| "-".to_string(), |s| format!("{s:.1}"))
            ),
            Ok(o) => {
                failed += 1;
                outln!("FAIL  {}", o.name);
                for problem in &o.problems {
                    outln!("      {problem}");
                }
            }
            Err(e) => {
                failed += 1;
                outln!("ERROR {e}");
            }
        }
    }
    if failed > 0 {
        return Err(Failure::new(format!(
            "{failed} of {} golden sets differ from what they expect",
            outcomes.len()
        )));
    }
    outln!("{} golden sets pass", outcomes.len());
    Ok(())
}

/// Reads a plugin file, refusing one over the size a database accepts before reading it.
fn read_plugin_file(path: &Path) -> Result<Vec<u8>, Failure> {
    let cannot = |e: std::io::Error| Failure::new(format!("cannot read {}: {e}", path.display()));
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    if size > vigie_app::MAX_PLUGIN_BYTES as u64 {
        return Err(Failure::new(format!(
            "{}: {}",
            path.display(),
            vigie_app::StoreError::PluginTooLarge {
                size,
                max: vigie_app::MAX_PLUGIN_BYTES as u64,
            }
        )));
    }
    std::fs::read(path).map_err(cannot)
}

/// `vigie plugin list`: the bundled plugins, then every stored plugin with where it came
/// from, whether it loads, whether a bundled plugin shadows it, and who signed it.
fn list(cli: &Cli, lang: Lang) -> CmdResult {
    let header = || {
        outln!(
            "{:<22} {:<9} {:<14} {:<17} {:<9} NAME",
            "ID",
            "VERSION",
            "SHA256",
            "ORIGIN",
            "STATE"
        )
    };
    // Every value comes from a plugin or the database: shown through `visible`.
    let row = |id: &str, version: &str, sha: &str, origin: &str, state: &str, name: &str| {
        outln!(
            "{:<22} {:<9} {:<14} {:<17} {:<9} {}",
            visible(id),
            visible(version),
            visible(sha.get(..12).unwrap_or(sha)),
            origin,
            state,
            visible(name)
        )
    };
    // No database yet: the bundled plugins only, and no file is created.
    if !paths::db_path(cli)?.exists() {
        let catalog = bundled_catalog()?;
        header();
        for entry in catalog.entries() {
            let p = &entry.plugin;
            let name = p.questionnaire().info.name.get(lang).to_string();
            row(p.id(), p.version(), p.sha256(), "bundled", "ok", &name);
            outln!("    bundled with this Vigie");
        }
        for (origin, error) in &catalog.failures {
            eprintln!(
                "vigie: could not load a plugin from {}: {}",
                visible(&origin.to_string()),
                visible(&error.to_string())
            );
        }
        return Ok(());
    }
    let mut bench = session::open_workbench(cli)?;
    let stored = bench.stored_plugins(true)?;
    header();
    for entry in bench
        .catalog()
        .entries()
        .iter()
        .filter(|e| e.origin == Origin::Bundled)
    {
        let p = &entry.plugin;
        let copy = stored.iter().find(|s| s.info.sha256 == p.sha256());
        let origin = if copy.is_some() {
            "bundled+database"
        } else {
            "bundled"
        };
        let name = p.questionnaire().info.name.get(lang).to_string();
        row(p.id(), p.version(), p.sha256(), origin, "ok", &name);
        outln!("    bundled with this Vigie");
    }
    for s in stored
        .iter()
        .filter(|s| s.relation != BundledRelation::Bundled)
    {
        let i = &s.info;
        let state = match (&s.state, &s.relation) {
            (StoredState::Unusable { .. }, _) => "unusable",
            (StoredState::Unchecked, _) => "unchecked",
            (_, BundledRelation::Shadowed) => "shadowed",
            (_, BundledRelation::ShadowAllowed(_)) => "shadowing",
            _ => "ok",
        };
        let name = match &s.state {
            StoredState::Usable { name } => name.get(lang).to_string(),
            _ => "-".to_string(),
        };
        row(
            &i.plugin_id,
            &i.version,
            &i.sha256,
            "database",
            state,
            &name,
        );
        outln!(
            "    {}; {}",
            visible(&s.provenance()),
            visible(&s.signature.to_string())
        );
        match &s.relation {
            BundledRelation::Shadowed => outln!(
                "    shadowed: the bundled {} is used for new assessments; this one only scores \
                 the assessments that recorded it (`vigie plugin allow-shadow {}` to change that)",
                visible(&i.plugin_id),
                visible(i.sha256.get(..12).unwrap_or(&i.sha256))
            ),
            BundledRelation::ShadowAllowed(d) => outln!(
                "    takes the place of the bundled {}, as decided by {} at {}",
                visible(&i.plugin_id),
                visible(&d.allowed_by),
                visible(&d.allowed_at)
            ),
            BundledRelation::Own | BundledRelation::Bundled => {}
        }
        if let StoredState::Unusable { reason } = &s.state {
            outln!("    unusable: {}", visible(reason));
        }
    }
    let keys = bench.trusted_keys()?.len();
    outln!(
        "signatures {}; {keys} trusted key(s)",
        if bench.signatures_required()? {
            "required"
        } else {
            "not required"
        }
    );
    Ok(())
}

/// `vigie plugin trust-key add|list|remove`.
fn trust_key(cli: &Cli, cmd: &TrustKeyCmd) -> CmdResult {
    match cmd {
        TrustKeyCmd::Add { key, comment } => {
            let path = Path::new(key);
            let text = if path.is_file() {
                std::fs::read_to_string(path)
                    .map_err(|e| Failure::new(format!("cannot read {}: {e}", path.display())))?
            } else {
                key.clone()
            };
            let parsed = parse_public_key(&text)?;
            let comment = comment.clone().unwrap_or_default();
            if comment.chars().any(char::is_control) {
                return Err(Failure::new(
                    "--comment: control characters are not allowed",
                ));
            }
            let database = session::open_database(cli)?;
            let added = database.add_trusted_key(&parsed, &comment)?;
            outln!(
                "trusted key {} ({}) for plugin signatures",
                added.key_id.to_ascii_uppercase(),
                if added.comment.is_empty() {
                    "no comment"
                } else {
                    &added.comment
                }
            );
            Ok(())
        }
        TrustKeyCmd::List => {
            session::existing_db(cli)?;
            let database = session::open_database(cli)?;
            let keys = database.trusted_keys()?;
            if keys.is_empty() {
                outln!("no trusted keys: add one with `vigie plugin trust-key add KEY.pub`");
                return Ok(());
            }
            outln!(
                "{:<16}  {:<28}  {:<12}  ADDED AT",
                "KEY ID",
                "COMMENT",
                "ADDED BY"
            );
            for k in keys {
                outln!(
                    "{:<16}  {:<28}  {:<12}  {}",
                    visible(&k.key_id.to_ascii_uppercase()),
                    visible(&k.comment),
                    visible(&k.added_by),
                    visible(&k.added_at)
                );
            }
            Ok(())
        }
        TrustKeyCmd::Remove { key_id } => {
            session::existing_db(cli)?;
            let database = session::open_database(cli)?;
            let removed = database.remove_trusted_key(key_id)?;
            outln!(
                "key {} is no longer trusted; the plugins it signed now show as signed by an \
                 untrusted key",
                removed.key_id.to_ascii_uppercase()
            );
            Ok(())
        }
    }
}

/// The questionnaire, every plugin text shown through [`visible`] (the description keeps
/// its line breaks).
fn print_questionnaire(plugin: &vigie_plugin_host::Plugin, lang: Lang) {
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
