//! End-to-end tests of the interview workbench: the real `vigie` binary in a
//! real terminal (a detached tmux pane, 100x30), driven with keys.
//!
//! - A whole interview: supplier, NIS2 assessment, a section answered, a note,
//!   an accent-free search, quit, reopen: everything is still there, on screen
//!   and in the database.
//! - SIGHUP and SIGTERM: a normal quit that keeps every answer and gives the
//!   terminal back as it was (modes, normal screen).
//!
//! Each test runs its own tmux server (`tmux -L <unique socket>`), killed when
//! the test ends, failed or not. tmux must be installed (CI installs it).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_vigie");
/// Waiting for the first screen includes compiling the bundled plugins.
const START_TIMEOUT: Duration = Duration::from_secs(30);
const TIMEOUT: Duration = Duration::from_secs(10);
const NOTE: &str = "Contrats types reçus, à vérifier";

fn tmux_available() {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "these tests drive vigie inside tmux, which is not installed: install it (e.g. `apt-get install tmux`, `brew install tmux`)"
    );
}

/// A test's folder: the database, the plugin cache, an empty config folder,
/// and the files the wrapper script writes (pid, exit code, stty states).
struct Workspace {
    dir: TempDir,
    /// A PostgreSQL database (`--db postgres://…`) instead of the file.
    db_url: Option<String>,
}

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("vigie-e2e")
            .tempdir()
            .expect("temp dir");
        std::fs::create_dir_all(dir.path().join("config")).expect("config dir");
        Workspace { dir, db_url: None }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> PathBuf {
        match &self.db_url {
            Some(url) => PathBuf::from(url),
            None => self.path("vigie.sqlite"),
        }
    }

    /// Writes the script the pane runs: it records the terminal modes, runs
    /// vigie in the foreground under a known pid, records the exit code and
    /// the modes after, prints a marker, and keeps the pane open.
    fn script(&self, run: usize) -> PathBuf {
        let q = |p: PathBuf| format!("'{}'", p.display().to_string().replace('\'', r"'\''"));
        let file = |name: &str| q(self.path(&format!("{name}.{run}")));
        let text = format!(
            "#!/bin/sh\n\
             export VIGIE_CACHE_DIR={cache} VIGIE_CONFIG_DIR={config} LANG=C.UTF-8 LC_ALL=C.UTF-8\n\
             unset NO_COLOR\n\
             stty -g > {before}\n\
             sh -c 'echo $$ > \"$0\"; exec \"$@\"' {pid} {bin} --db {db} --auditor alice --lang fr\n\
             echo $? > {code}.tmp && mv {code}.tmp {code}\n\
             stty -g > {after}\n\
             stty -a > {after_all}\n\
             echo VIGIE-E2E-DONE\n\
             exec sleep 600\n",
            cache = q(self.path("cache")),
            config = q(self.path("config")),
            before = file("stty-before"),
            pid = file("pid"),
            bin = q(PathBuf::from(BIN)),
            db = q(self.db()),
            code = file("exit"),
            after = file("stty-after"),
            after_all = file("stty-a-after"),
        );
        let path = self.path(&format!("run.{run}.sh"));
        std::fs::write(&path, text).expect("script");
        path
    }

    fn read(&self, name: &str, run: usize) -> Option<String> {
        std::fs::read_to_string(self.path(&format!("{name}.{run}"))).ok()
    }

    /// Waits for vigie's exit code, written by the script once it exits.
    fn wait_exit(&self, run: usize, pane: &Pane) -> i32 {
        let started = Instant::now();
        loop {
            if let Some(code) = self.read("exit", run) {
                return code.trim().parse().expect("exit code");
            }
            if started.elapsed() > TIMEOUT {
                panic!(
                    "vigie did not exit within {TIMEOUT:?}; screen:\n{}",
                    pane.capture()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn pid(&self, run: usize) -> u32 {
        let started = Instant::now();
        loop {
            if let Some(pid) = self.read("pid", run).and_then(|p| p.trim().parse().ok()) {
                return pid;
            }
            assert!(started.elapsed() < TIMEOUT, "no pid file");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn vigie(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .arg("--db")
            .arg(self.db())
            .args(["--auditor", "alice", "--lang", "fr"])
            .args(args)
            .env("VIGIE_CACHE_DIR", self.path("cache"))
            .env("VIGIE_CONFIG_DIR", self.path("config"))
            .output()
            .expect("run vigie")
    }
}

/// A tmux server of our own with one 100x30 pane; killed on drop.
struct Pane {
    socket: String,
    /// The server's socket file, which `kill-server` leaves behind.
    socket_path: Option<PathBuf>,
}

static SERVERS: AtomicUsize = AtomicUsize::new(0);

impl Pane {
    fn start(ws: &Workspace, run: usize) -> Pane {
        tmux_available();
        let socket = format!(
            "vigie-e2e-{}-{}",
            std::process::id(),
            SERVERS.fetch_add(1, Ordering::SeqCst)
        );
        let mut pane = Pane {
            socket,
            socket_path: None,
        };
        let script = ws.script(run);
        let out = pane
            .tmux()
            .args([
                "-u",
                "new-session",
                "-d",
                "-s",
                "v",
                "-x",
                "100",
                "-y",
                "30",
            ])
            .arg(format!("sh '{}'", script.display()))
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .env_remove("NO_COLOR")
            .env_remove("TMUX")
            .output()
            .expect("tmux new-session");
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = pane.run(&["display-message", "-p", "#{socket_path}"]);
        pane.socket_path = Some(PathBuf::from(path.trim())).filter(|p| p.is_absolute());
        pane
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.tmux().args(args).output().expect("tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn capture(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "v"])
    }

    /// Sends named keys (`Enter`, `Tab`, `Up`, `q`...).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "v"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Types text literally.
    fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", "v", "-l", text]);
    }

    /// Polls the screen until `needle` shows; returns the screen.
    fn wait_for(&self, needle: &str) -> String {
        self.wait_for_all(&[needle], TIMEOUT)
    }

    fn wait_for_within(&self, needle: &str, timeout: Duration) -> String {
        self.wait_for_all(&[needle], timeout)
    }

    /// Polls the screen until every needle shows at once (a frame may be
    /// captured half drawn, so one needle says little about the others).
    fn wait_for_all(&self, needles: &[&str], timeout: Duration) -> String {
        let started = Instant::now();
        loop {
            let screen = self.capture();
            if needles.iter().all(|n| screen.contains(n)) {
                return screen;
            }
            if started.elapsed() > timeout {
                let missing: Vec<_> = needles.iter().filter(|n| !screen.contains(*n)).collect();
                panic!("{missing:?} did not show within {timeout:?}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Presses a key and waits for the question `id` to be the current one.
    fn answer(&self, key: &str, next: &str) -> String {
        self.keys(&[key]);
        self.wait_for(&format!("· {next} "))
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").output();
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// From the first screen: a supplier, then a NIS2 assessment, up to its first question.
fn new_supplier_and_nis2(pane: &Pane) {
    pane.wait_for_within("Aucun fournisseur", START_TIMEOUT);
    pane.keys(&["s"]);
    pane.wait_for("Nouveau fournisseur");
    pane.text("Centre d'appels Tunis");
    pane.keys(&["Tab"]);
    pane.text("TN");
    pane.keys(&["Enter"]);
    pane.wait_for("Fournisseur enregistré");
    pane.keys(&["a"]);
    pane.wait_for("Nouvelle évaluation");
    pane.keys(&["Enter"]);
    pane.wait_for("· client-staff ");
}

/// Answers the four questions of "Critère 3 — sous-traitance" (yes, no,
/// partial, yes), each with one key.
fn answer_supply_chain(pane: &Pane) {
    pane.keys(&["g"]);
    pane.wait_for("Aller à la section");
    pane.keys(&["5"]);
    pane.wait_for("· subcontractors-list ");
    pane.answer("1", "subcontractors-evaluation");
    pane.answer("2", "subcontractors-contingency");
    pane.answer("3", "subcontractors-flowdown");
    pane.answer("1", "incident-alert-24h");
}

/// A stored answer: question id, value as JSON, note.
type Row = (String, Option<String>, Option<String>);

/// The answers stored for the (only) assessment: (question, value JSON, note).
fn stored_answers(db: &Path) -> (String, Vec<Row>) {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
    let id: String = conn
        .query_row("SELECT id FROM assessments", [], |r| r.get(0))
        .expect("one assessment");
    let mut stmt = conn
        .prepare("SELECT question_id, value, note FROM answers WHERE assessment_id = ?1 ORDER BY question_id")
        .expect("query");
    let rows = stmt
        .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("answers")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    (id, rows)
}

fn yes_no(value: &str) -> Option<String> {
    Some(format!(r#"{{"type":"yes-no","value":"{value}"}}"#))
}

#[test]
fn interview_survives_quit_and_reopen() {
    let ws = Workspace::new();
    {
        let pane = Pane::start(&ws, 1);
        new_supplier_and_nis2(&pane);
        answer_supply_chain(&pane);
        // The section shows as complete.
        pane.wait_for_all(&["● Critère 3", "4/4"], TIMEOUT);

        // A note on the last question of the section (one key moved past it).
        pane.keys(&["Up"]);
        pane.wait_for("· subcontractors-flowdown ");
        pane.keys(&["o"]);
        pane.wait_for("Entrée valider");
        pane.text(NOTE);
        pane.keys(&["Enter"]);
        pane.wait_for(&format!("Note : {NOTE}"));

        // No accents typed; the French prompt says "réversibilité".
        pane.keys(&["/"]);
        pane.wait_for("Rechercher");
        pane.text("reversibilite");
        pane.wait_for("contract-exit-reversibility");
        pane.keys(&["Enter"]);
        pane.wait_for_all(
            &["· contract-exit-reversibility ", "réversibilité"],
            TIMEOUT,
        );

        pane.keys(&["q"]);
        pane.wait_for("Portefeuille ·");
        pane.keys(&["q"]);
        assert_eq!(ws.wait_exit(1, &pane), 0, "q quits normally");
        pane.wait_for("VIGIE-E2E-DONE");
    }

    // Reopen the same file: the supplier is in the portfolio, Enter shows its assessments.
    let pane = Pane::start(&ws, 2);
    pane.wait_for_all(&["Portefeuille ·", "Centre d'appels Tunis"], START_TIMEOUT);
    pane.keys(&["Enter"]);
    pane.wait_for_all(
        &["Fournisseurs et évaluations", "NIS2", "brouillon"],
        TIMEOUT,
    );
    pane.keys(&["Down", "Enter"]);
    pane.wait_for("· client-staff ");
    pane.keys(&["g"]);
    pane.wait_for("Aller à la section");
    pane.keys(&["5"]);
    pane.wait_for_all(
        &[
            "· subcontractors-list ",
            "Réponse : oui",
            "● Critère 3",
            "4/4",
        ],
        TIMEOUT,
    );
    pane.keys(&["Down"]);
    pane.wait_for_all(&["· subcontractors-evaluation ", "Réponse : non"], TIMEOUT);
    pane.keys(&["Down"]);
    pane.wait_for_all(
        &["· subcontractors-contingency ", "Réponse : partiel"],
        TIMEOUT,
    );
    pane.keys(&["Down"]);
    let note = format!("Note : {NOTE}");
    pane.wait_for_all(
        &["· subcontractors-flowdown ", "Réponse : oui", &note],
        TIMEOUT,
    );
    // Back to the assessments list it was opened from.
    pane.keys(&["q"]);
    pane.wait_for("Fournisseurs et évaluations");
    pane.keys(&["q"]);
    assert_eq!(ws.wait_exit(2, &pane), 0);

    // The same through the database...
    let (id, rows) = stored_answers(&ws.db());
    let expected = vec![
        (
            "subcontractors-contingency".to_string(),
            yes_no("partial"),
            None,
        ),
        ("subcontractors-evaluation".to_string(), yes_no("no"), None),
        (
            "subcontractors-flowdown".to_string(),
            yes_no("yes"),
            Some(NOTE.to_string()),
        ),
        ("subcontractors-list".to_string(), yes_no("yes"), None),
    ];
    assert_eq!(rows, expected);
    // ... and through the command line.
    let out = ws.vigie(&["assessment", "show", &id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for question in [
        "subcontractors-list",
        "subcontractors-evaluation",
        "subcontractors-contingency",
        "subcontractors-flowdown",
    ] {
        assert!(
            text.contains(question),
            "`{question}` in `assessment show`:\n{text}"
        );
    }
    assert!(
        text.contains(NOTE),
        "the note in `assessment show`:\n{text}"
    );
}

/// Issue 14: a piece of evidence added, edited and deleted through the evidence screen and
/// its form, in a real terminal; a `;` in the text is just text; each step is audited.
#[test]
fn evidence_is_added_edited_and_deleted() {
    let ws = Workspace::new();
    let pane = Pane::start(&ws, 1);
    new_supplier_and_nis2(&pane);
    pane.keys(&["v"]);
    pane.wait_for("Aucune preuve pour cette question.");
    pane.keys(&["a"]);
    pane.wait_for("Nouvelle preuve pour client-staff");
    pane.text("Registre du personnel; extrait 2026");
    pane.keys(&["Tab", "Tab"]);
    pane.text("2027-12-31");
    pane.keys(&["Enter"]);
    pane.wait_for_all(
        &[
            "Preuve ajoutée",
            "[note] Registre du personnel; extrait 2026",
        ],
        TIMEOUT,
    );
    // Edit: the old text is selected, typing replaces it; Ctrl-S saves from any field.
    pane.keys(&["e"]);
    pane.wait_for("Modifier la preuve de client-staff");
    pane.text("Registre du personnel; extrait signé");
    pane.keys(&["C-s"]);
    pane.wait_for_all(
        &["Preuve modifiée", "extrait signé · expire 2027-12-31"],
        TIMEOUT,
    );
    // Delete, after the confirmation.
    pane.keys(&["d"]);
    pane.wait_for("Supprimer ?");
    pane.keys(&["y"]);
    pane.wait_for_all(
        &["Preuve supprimée", "Aucune preuve pour cette question."],
        TIMEOUT,
    );
    // Back in the interview, then quit: the database says the same.
    pane.keys(&["Escape"]);
    pane.wait_for("· client-staff ");
    pane.keys(&["q"]);
    pane.wait_for("Portefeuille");
    pane.keys(&["q"]);
    pane.wait_for("VIGIE-E2E-DONE");
    let conn =
        rusqlite::Connection::open_with_flags(ws.db(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
    let left: i64 = conn
        .query_row("SELECT count(*) FROM evidence", [], |r| r.get(0))
        .expect("count");
    assert_eq!(left, 0);
    let mut stmt = conn
        .prepare("SELECT action, new FROM audit_log WHERE entity = 'evidence' ORDER BY seq")
        .expect("query");
    let rows: Vec<(String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("audit rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    let actions: Vec<&str> = rows.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["add", "update", "delete"]);
    assert!(
        rows[1]
            .1
            .as_deref()
            .is_some_and(|n| n.contains("extrait signé")),
        "{rows:?}"
    );
}

/// The flags `stty -a` prints, without its `name = value;` settings.
fn stty_flags(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ';')
        .filter(|w| !w.is_empty() && !w.contains('='))
        .map(str::to_string)
        .collect()
}

fn signal_quits_cleanly(signal: &str) {
    let ws = Workspace::new();
    let pane = Pane::start(&ws, 1);
    new_supplier_and_nis2(&pane);
    // Three answers, the last one without waiting for anything else.
    pane.keys(&["g"]);
    pane.wait_for("Aller à la section");
    pane.keys(&["5"]);
    pane.wait_for("· subcontractors-list ");
    pane.answer("1", "subcontractors-evaluation");
    pane.answer("2", "subcontractors-contingency");
    pane.answer("3", "subcontractors-flowdown");
    let in_tui = pane.run(&["display-message", "-p", "-t", "v", "#{alternate_on}"]);
    assert_eq!(
        in_tui.trim(),
        "1",
        "the workbench runs on the alternate screen"
    );
    let cursor = pane.run(&["display-message", "-p", "-t", "v", "#{cursor_flag}"]);
    assert_eq!(cursor.trim(), "0", "the workbench hides the cursor");

    let pid = ws.pid(1);
    let out = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .output()
        .expect("kill");
    assert!(
        out.status.success(),
        "kill -{signal} {pid}: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The process exits, normally.
    let code = ws.wait_exit(1, &pane);
    let expected = match signal {
        "HUP" => 129,
        "TERM" => 143,
        other => panic!("unexpected signal {other}"),
    };
    assert_eq!(
        code, expected,
        "SIGHUP/SIGTERM quit cleanly, with the shell's code for that signal"
    );
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists() || !cfg!(target_os = "linux"),
        "vigie ({pid}) is gone"
    );
    let screen = pane.wait_for("VIGIE-E2E-DONE");

    // Every answer given before the signal is in the database.
    let (_, rows) = stored_answers(&ws.db());
    let expected = vec![
        (
            "subcontractors-contingency".to_string(),
            yes_no("partial"),
            None,
        ),
        ("subcontractors-evaluation".to_string(), yes_no("no"), None),
        ("subcontractors-list".to_string(), yes_no("yes"), None),
    ];
    assert_eq!(rows, expected);

    // The terminal is as it was: same modes, raw mode off, echo on, normal screen.
    let before = ws.read("stty-before", 1).expect("stty before");
    let after = ws.read("stty-after", 1).expect("stty after");
    assert_eq!(
        before.trim(),
        after.trim(),
        "terminal modes restored after {signal}"
    );
    let flags = stty_flags(&ws.read("stty-a-after", 1).expect("stty -a after"));
    for on in ["icanon", "echo", "isig", "icrnl", "opost"] {
        assert!(
            flags.iter().any(|f| f == on),
            "`{on}` is on after {signal}: {flags:?}"
        );
    }
    let alternate = pane.run(&["display-message", "-p", "-t", "v", "#{alternate_on}"]);
    assert_eq!(
        alternate.trim(),
        "0",
        "back on the normal screen after {signal}"
    );
    assert!(
        !screen.contains("Résultat en direct"),
        "the workbench is no longer drawn:\n{screen}"
    );
    let cursor = pane.run(&["display-message", "-p", "-t", "v", "#{cursor_flag}"]);
    assert_eq!(
        cursor.trim(),
        "1",
        "the cursor is shown again after {signal}"
    );
}

#[test]
fn sighup_is_a_clean_quit() {
    signal_quits_cleanly("HUP");
}

#[test]
fn sigterm_is_a_clean_quit() {
    signal_quits_cleanly("TERM");
}

/// The questions a round answers: the supply-chain section (5) and the contract section (7),
/// all yes/no, each answered with one key that moves on to the next.
const SHARED_FILE_SECTIONS: [(&str, &[&str]); 2] = [
    (
        "5",
        &[
            "subcontractors-list",
            "subcontractors-evaluation",
            "subcontractors-contingency",
            "subcontractors-flowdown",
            "incident-alert-24h",
        ],
    ),
    (
        "7",
        &[
            "contract-incident-clause",
            "contract-audit-clause",
            "contract-security-annex",
            "contract-subcontracting-approval",
            "contract-exit-reversibility",
            "training-mandatory",
        ],
    ),
];

/// The files a workbench process has open whose name contains `needle`: (fd target, inode).
fn open_files_of(pid: u32, needle: &str) -> Vec<(String, u64)> {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let target = std::fs::read_link(e.path()).ok()?;
            let target = target.display().to_string();
            if !target.contains(needle) {
                return None;
            }
            // The inode of the open file itself (following /proc's magic link).
            let inode = std::fs::metadata(e.path()).ok()?.ino();
            Some((target, inode))
        })
        .collect()
}

/// Every command a colleague may run on the shared file, valid or not.
fn colleague_commands(ws: &Workspace, id: &str, round: usize) -> Vec<Vec<String>> {
    let file = |name: &str| ws.path(&format!("{name}-{round}")).display().to_string();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        s(&["assessment", "list"]),
        s(&["supplier", "list"]),
        s(&["assessment", "show", id]),
        s(&["score", id]),
        s(&["score", "deadbeefdeadbeef"]),
        s(&["report", id, "--format", "md", "-o", &file("report.md")]),
        s(&["db", "verify"]),
        s(&["db", "backup", &file("backup.sqlite")]),
        s(&["export", id, "-o", &file("export.json")]),
        s(&["import", &file("export.json")]),
        s(&["plugin", "list"]),
        s(&["frobnicate"]),
    ]
}

/// Issue 10: a workbench keeps every answer it confirmed while a colleague runs command after
/// command on the same file. On the old code, the worker's second connection closed plain file
/// descriptors on the database, which released the workbench's locks; the next command then
/// checkpointed and deleted the write-ahead log the workbench went on writing into.
#[test]
fn a_colleagues_commands_lose_no_confirmed_answer() {
    let ws = Workspace::new();
    let pane = Pane::start(&ws, 1);
    new_supplier_and_nis2(&pane);
    let pid = ws.pid(1);
    let id = {
        let conn = rusqlite::Connection::open_with_flags(
            ws.db(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open db");
        conn.query_row("SELECT id FROM assessments", [], |r| r.get::<_, String>(0))
            .expect("one assessment")
    };

    // A colleague runs every command in a loop until the interview is over.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let colleague = {
        let stop = stop.clone();
        let db = ws.db();
        let cache = ws.path("cache");
        let config = ws.path("config");
        let commands: Vec<Vec<Vec<String>>> = (0..1000)
            .map(|round| colleague_commands(&ws, &id, round))
            .collect();
        std::thread::spawn(move || {
            let mut runs = 0usize;
            'outer: for round in commands {
                for args in round {
                    if stop.load(Ordering::SeqCst) {
                        break 'outer;
                    }
                    let _ = Command::new(BIN)
                        .arg("--db")
                        .arg(&db)
                        .args(["--auditor", "bob", "--lang", "fr"])
                        .args(&args)
                        .env("VIGIE_CACHE_DIR", &cache)
                        .env("VIGIE_CONFIG_DIR", &config)
                        .output();
                    runs += 1;
                }
            }
            runs
        })
    };

    let values = ["1", "2", "3"];
    let mut confirmed: std::collections::BTreeMap<String, &str> = Default::default();
    let mut acknowledged = 0usize;
    let mut wal_inode: Option<u64> = None;
    for round in 0..8 {
        for (section, questions) in SHARED_FILE_SECTIONS {
            pane.keys(&["g"]);
            pane.wait_for("Aller à la section");
            pane.keys(&[section]);
            pane.wait_for(&format!("· {} ", questions[0]));
            for (i, pair) in questions.windows(2).enumerate() {
                let key = values[(round + i) % values.len()];
                pane.answer(key, pair[1]);
                confirmed.insert(pair[0].to_string(), key);
                acknowledged += 1;

                // The workbench never writes into a log that is no longer the file's.
                let wal = open_files_of(pid, "vigie.sqlite-wal");
                assert!(
                    wal.iter().all(|(target, _)| !target.contains("(deleted)")),
                    "round {round}: the workbench writes into a deleted log: {wal:?}"
                );
                if let Some((_, inode)) = wal.first() {
                    let first = *wal_inode.get_or_insert(*inode);
                    assert_eq!(
                        first, *inode,
                        "round {round}: the log changed under the workbench"
                    );
                }
            }
        }
    }
    stop.store(true, Ordering::SeqCst);
    let runs = colleague.join().expect("colleague thread");
    assert!(
        runs >= 12,
        "the colleague ran every command at least once ({runs})"
    );
    eprintln!("{acknowledged} confirmed answers while the colleague ran {runs} commands");

    pane.keys(&["q"]);
    pane.wait_for("Portefeuille ·");
    pane.keys(&["q"]);
    assert_eq!(ws.wait_exit(1, &pane), 0);

    // A fresh reader, after every process has closed the file.
    let conn =
        rusqlite::Connection::open_with_flags(ws.db(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
    let mut stmt = conn
        .prepare("SELECT question_id, value FROM answers WHERE assessment_id = ?1")
        .expect("query");
    let stored: std::collections::BTreeMap<String, Option<String>> = stmt
        .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("answers")
        .collect::<Result<_, _>>()
        .expect("rows");
    for (question, key) in &confirmed {
        let expected = match *key {
            "1" => "yes",
            "2" => "no",
            _ => "partial",
        };
        assert_eq!(
            stored.get(question).cloned().flatten(),
            yes_no(expected),
            "the confirmed answer to {question} is in the file"
        );
    }
}

/// Issue 10: a write that waits for another writer never freezes the screen: it says so, Esc
/// gives up without writing anything, and once the lock is gone the next answer goes through.
#[test]
fn a_locked_database_is_waited_for_visibly_and_esc_cancels() {
    let ws = Workspace::new();
    let pane = Pane::start(&ws, 1);
    new_supplier_and_nis2(&pane);
    pane.keys(&["g"]);
    pane.wait_for("Aller à la section");
    pane.keys(&["5"]);
    pane.wait_for("· subcontractors-list ");

    // Another program holds the write lock.
    let holder = rusqlite::Connection::open(ws.db()).expect("open db");
    holder
        .execute_batch("BEGIN IMMEDIATE")
        .expect("take the write lock");
    pane.keys(&["1"]);
    let screen = pane.wait_for("attente de la base");
    assert!(screen.contains("Échap annule"), "{screen}");
    // The screen keeps being drawn: the seconds counter moves.
    pane.wait_for_within("(2 s)", Duration::from_secs(5));
    // Keys typed meanwhile wait; Esc gives up the wait and drops them.
    pane.keys(&["2", "Escape"]);
    pane.wait_for("rien n'a été écrit");
    pane.wait_for("· subcontractors-list ");
    holder.execute_batch("ROLLBACK").expect("release");

    // Nothing was written for the question.
    let conn =
        rusqlite::Connection::open_with_flags(ws.db(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM answers WHERE question_id = 'subcontractors-list'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(n, 0, "a cancelled wait writes nothing");

    // Lock held, then released while waiting: the answer lands and the interview moves on.
    holder
        .execute_batch("BEGIN IMMEDIATE")
        .expect("take the write lock again");
    pane.keys(&["1"]);
    pane.wait_for("attente de la base");
    holder.execute_batch("COMMIT").expect("release");
    pane.wait_for("· subcontractors-evaluation ");
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM answers WHERE question_id = 'subcontractors-list'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(n, 1);
    pane.keys(&["q"]);
    pane.wait_for("Portefeuille ·");
    pane.keys(&["q"]);
    assert_eq!(ws.wait_exit(1, &pane), 0);
}

/// Issue 15: on an empty home screen `D` builds the sample portfolio in a file of its own,
/// beside the database, and reopens the workbench there; the auditor's database is not
/// touched, and the workbench keeps working on the sample (Enter, Esc, filters, q).
#[test]
fn the_sample_portfolio_opens_in_its_own_file() {
    let ws = Workspace::new();
    let pane = Pane::start(&ws, 1);
    pane.wait_for_within("Aucun fournisseur", START_TIMEOUT);
    pane.keys(&["D"]);
    pane.wait_for_all(
        &[
            "12 fournisseurs",
            "Ouvert :",
            "vigie-demo.sqlite",
            "À surveiller",
        ],
        START_TIMEOUT,
    );
    // Overdue actions only, then every supplier again.
    pane.keys(&["r"]);
    pane.wait_for("filtre : actions en retard");
    pane.keys(&["x"]);
    pane.wait_for("Portefeuille · 12 fournisseurs · au");
    // Enter shows the selected supplier's assessments; Esc comes back.
    pane.keys(&["Enter"]);
    pane.wait_for("Fournisseurs et évaluations");
    pane.keys(&["Escape"]);
    pane.wait_for("À surveiller");
    pane.keys(&["q"]);
    assert_eq!(ws.wait_exit(1, &pane), 0);

    let demo = ws.db().with_file_name("vigie-demo.sqlite");
    let suppliers = |db: &Path| -> i64 {
        let conn = rusqlite::Connection::open(db).expect("open");
        conn.query_row("SELECT count(*) FROM suppliers", [], |r| r.get(0))
            .expect("count")
    };
    assert_eq!(suppliers(&demo), 12, "the sample is in its own file");
    assert_eq!(
        suppliers(&ws.db()),
        0,
        "the auditor's database is untouched"
    );
}

/// Issue 17: the workbench on PostgreSQL, as an auditor sees it at 80x24's big sister: the
/// interview saves each answer on the server, a colleague's answer given from another
/// process (another role) shows up live (LISTEN/NOTIFY), and every confirmed answer is on the
/// server after the workbench quits, written as the role that logged in.
#[test]
fn on_postgresql_a_colleagues_answer_shows_live_and_every_answer_is_kept() {
    let server = vigie_pgtest::shared();
    let url = server.create_database().unwrap_or_else(|e| panic!("{e}"));
    let database = vigie_pgtest::database_name(&url).expect("database name");
    for role in ["alice", "bob"] {
        // Roles are shared by the server's databases: made once per test binary.
        let _ = server.run_sql("postgres", &format!("CREATE ROLE {role} LOGIN SUPERUSER"));
    }
    let mut ws = Workspace::new();
    ws.db_url = Some(server.url_as("alice", None, &database));
    let pane = Pane::start(&ws, 1);
    new_supplier_and_nis2(&pane);
    let id = server
        .run_sql(&database, "SELECT id FROM assessments")
        .unwrap_or_else(|e| panic!("{e}"))
        .trim()
        .to_string();
    assert_eq!(id.len(), 36, "one assessment: {id:?}");
    answer_supply_chain(&pane);

    // Bob answers the question on screen from his own terminal.
    let out = Command::new(BIN)
        .arg("--db")
        .arg(server.url_as("bob", None, &database))
        .args(["--lang", "fr", "answer", &id, "incident-alert-24h", "yes"])
        .env("VIGIE_CACHE_DIR", ws.path("cache"))
        .env("VIGIE_CONFIG_DIR", ws.path("config"))
        .output()
        .expect("run vigie");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    pane.wait_for("bob a répondu à");

    pane.keys(&["q"]);
    pane.wait_for("Portefeuille ·");
    pane.keys(&["q"]);
    assert_eq!(ws.wait_exit(1, &pane), 0);

    let stored = server
        .run_sql(
            &database,
            "SELECT question_id || '=' || value || ' by ' || updated_by FROM answers \
             ORDER BY question_id",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    for (question, value, who) in [
        ("subcontractors-list", "yes", "alice"),
        ("subcontractors-evaluation", "no", "alice"),
        ("subcontractors-contingency", "partial", "alice"),
        ("subcontractors-flowdown", "yes", "alice"),
        ("incident-alert-24h", "yes", "bob"),
    ] {
        let line = stored
            .lines()
            .find(|l| l.starts_with(&format!("{question}=")))
            .unwrap_or_else(|| panic!("{question} is not stored:\n{stored}"));
        assert!(
            line.contains(&format!("\"{value}\"")) && line.ends_with(&format!(" by {who}")),
            "{line}"
        );
    }
    let who = server
        .run_sql(&database, "SELECT DISTINCT who FROM audit_log ORDER BY who")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(who.split_whitespace().collect::<Vec<_>>(), ["alice", "bob"]);
}
