//! Vigie's interview workbench: a ratatui terminal UI over the assessment
//! store and the sandboxed questionnaire plugins.
//!
//! Elm-like: `App` is the state, `app::Msg` what happens, `App::update` the
//! only place state changes, and `view::draw` reads it to draw. Scoring runs
//! on a worker thread that reports back; the loop draws only after an event,
//! once every queued event is handled. It must not depend on the binary (the
//! `vigie` crate passes in paths, auditor and language) nor on the store: every
//! operation goes through `vigie-app`, which also re-exports the few store types
//! (filters, rows, audit entries) the screens name.

#![forbid(unsafe_code)]

pub mod app;
pub mod keymap;
pub mod line_edit;
pub mod messages;
pub mod search;
pub mod terminal;
pub mod theme;
pub mod view;
pub mod worker;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::channel;

pub use app::{App, Msg};
use keymap::Keymap;
use theme::Theme;
use vigie_app::{AppError, Workbench};
use vigie_model::Date;
use vigie_plugin_host::Host;

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
}

/// What the binary hands to the workbench.
#[derive(Clone)]
pub struct Options {
    pub db: PathBuf,
    pub auditor: String,
    pub lang: vigie_model::Lang,
    pub today: Date,
    pub config_dir: Option<PathBuf>,
    /// False when `NO_COLOR` is set.
    pub color: bool,
}

/// Reads keymap.toml and theme.toml from the config folder; returns any
/// problem as a message to show (the defaults are used then).
pub fn load_config(dir: Option<&Path>, color: bool) -> (Keymap, Theme, Option<String>) {
    let Some(dir) = dir else {
        return (Keymap::default(), Theme::new(color), None);
    };
    let mut problems = Vec::new();
    let keymap_path = dir.join("keymap.toml");
    let keymap = match std::fs::read_to_string(&keymap_path) {
        Ok(text) => {
            let (k, err) = Keymap::from_toml(&text, &keymap_path.display().to_string());
            problems.extend(err);
            k
        }
        Err(e) => {
            problems.extend(unreadable(&keymap_path, &e));
            Keymap::default()
        }
    };
    let theme_path = dir.join("theme.toml");
    let theme = match std::fs::read_to_string(&theme_path) {
        Ok(text) => {
            let (t, err) = Theme::from_toml(&text, &theme_path.display().to_string(), color);
            problems.extend(err);
            t
        }
        Err(e) => {
            problems.extend(unreadable(&theme_path, &e));
            Theme::new(color)
        }
    };
    let message = (!problems.is_empty()).then(|| problems.join(" · "));
    (keymap, theme, message)
}

/// A config file that exists but cannot be read (permissions, not UTF-8) is
/// a problem to show; a missing one is the normal case.
fn unreadable(path: &Path, error: &std::io::Error) -> Option<String> {
    (error.kind() != std::io::ErrorKind::NotFound)
        .then(|| format!("{}: {error}; the defaults are used", path.display()))
}

/// Builds the app state (no terminal involved).
pub fn build_app(options: &Options, host: Arc<Host>) -> Result<App, TuiError> {
    let mut app = open_app(options, host)?;
    // No worker: the portfolio is computed here and now.
    app.refresh_portfolio();
    Ok(app)
}

/// The app on `options.db` with its home lists, the portfolio not yet computed.
fn open_app(options: &Options, host: Arc<Host>) -> Result<App, TuiError> {
    let bench = Workbench::open(&options.db, &options.auditor, host)?;
    let (keymap, theme, problem) = load_config(options.config_dir.as_deref(), options.color);
    let mut app = App::new(bench, options.lang, options.today, keymap, theme);
    if let Some(p) = problem {
        app.error(p);
    }
    Ok(app)
}

/// How often an idle workbench looks for what colleagues saved.
const LOOK_FOR_CHANGES_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Runs the workbench until the auditor quits or a signal arrives; returns the
/// signal that ended it, if one did (the binary exits 128 + its number, as
/// shells expect). The terminal is restored on every way out.
pub fn run(options: Options, host: Arc<Host>) -> Result<Option<i32>, TuiError> {
    terminal::install_panic_hook();
    let (tx, rx) = channel::<Msg>();
    terminal::spawn_signals(tx.clone())?;
    let mut guard = terminal::TerminalGuard::enter()?;
    // Loading compiles the questionnaires on a first run (about a second);
    // say so rather than show a blank screen.
    guard
        .terminal
        .draw(|frame| view::splash(frame, options.lang))?;
    let mut options = options;
    let mut app = open_app(&options, host.clone())?;
    let mut worker = worker::spawn(
        host.clone(),
        options.db.clone(),
        options.auditor.clone(),
        app.cancel_flag(),
        tx.clone(),
    );
    app.scorer = Some(worker.requests.clone());
    // The first frame shows the lists; the portfolio follows from the worker.
    app.refresh_portfolio();
    let worker_tx = tx.clone();
    terminal::spawn_input(tx);
    // Score whatever the first screen shows.
    app.request_score();
    loop {
        guard.terminal.draw(|frame| view::draw(frame, &app))?;
        // At least twice a second, look for colleagues' changes.
        let first = match rx.recv_timeout(LOOK_FOR_CHANGES_EVERY) {
            Ok(msg) => msg,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Msg::Tick,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        };
        app.update(first);
        // Handle every queued event before drawing again.
        while let Ok(next) = rx.try_recv() {
            app.update(next);
        }
        if app.quit {
            break;
        }
        if let Some(path) = app.reopen.take() {
            // The sample portfolio (or another file) replaces the open database: the old
            // worker is stopped and joined first, so nothing it reports lands in the new one.
            let mut next_options = options.clone();
            next_options.db = path;
            match open_app(&next_options, host.clone()) {
                Ok(mut next) => {
                    // The worker ends when every sender of its requests is gone.
                    app.scorer = None;
                    worker.stop();
                    while let Ok(msg) = rx.try_recv() {
                        if matches!(msg, Msg::Key(_) | Msg::Signal(_) | Msg::Resize) {
                            next.update(msg);
                        }
                    }
                    worker = worker::spawn(
                        host.clone(),
                        next_options.db.clone(),
                        next_options.auditor.clone(),
                        next.cancel_flag(),
                        worker_tx.clone(),
                    );
                    next.scorer = Some(worker.requests.clone());
                    next.refresh_portfolio();
                    next.request_score();
                    let shown = next_options.db.display().to_string();
                    next.info(format!(
                        "{} {}",
                        next.lang.pick("Ouvert :", "Opened:"),
                        vigie_model::visible(&shown)
                    ));
                    options = next_options;
                    app = next;
                }
                Err(e) => app.error(e),
            }
        }
    }
    drop(guard);
    Ok(app.quit_signal)
}

#[cfg(test)]
mod tests {
    use super::load_config;

    #[test]
    fn a_missing_config_is_silent_and_an_unreadable_one_is_reported() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (_, _, problem) = load_config(Some(dir.path()), false);
        assert_eq!(problem, None);
        // Not UTF-8: read_to_string fails with InvalidData.
        std::fs::write(dir.path().join("keymap.toml"), [0xff, 0xfe, 0x00]).expect("write");
        let (_, _, problem) = load_config(Some(dir.path()), false);
        let problem = problem.expect("reported");
        assert!(
            problem.contains("keymap.toml") && problem.contains("defaults"),
            "{problem}"
        );
    }
}
