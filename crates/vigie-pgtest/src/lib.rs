//! Test support only: starts a throwaway PostgreSQL server for Vigie's tests and benchmarks.
//!
//! [`TestServer::start`] runs `initdb` in a fresh temporary folder and starts `postgres` on
//! a Unix socket in that folder (optionally also on a loopback TCP port, optionally with
//! TLS); [`TestServer::create_database`] gives each test its own database. The server never
//! outlives the test process: it runs under a small `sh` supervisor that stops it and
//! removes the folder when the test process drops the server, exits without dropping it
//! (a `static`), crashes or is killed. A server that cannot start is an error naming the
//! step and quoting the server's log: tests fail with it, nothing is skipped.
//!
//! When the tests run as root, PostgreSQL (which refuses root) runs as the `postgres`
//! system user; root still connects through the socket. The binaries come from
//! `pg_config --bindir`, else `/usr/lib/postgresql/*/bin`, else `PATH`.
//!
//! This crate must not depend on any Vigie crate: it is the server, not a client, and it
//! connects only through `psql`.
//!
//! ```no_run
//! use vigie_pgtest::{Options, TestServer};
//!
//! // One server per test binary, shared by its tests (never dropped: the supervisor
//! // stops it when the process exits).
//! let server = vigie_pgtest::shared();
//! let url = server.create_database().unwrap_or_else(|e| panic!("{e}"));
//! // postgres://vigie_admin@/vigie_4242_0?host=%2Ftmp%2Fvigie-pgtest-x%2Fsocket&port=5432
//! # let _ = url;
//!
//! // Password authentication over TLS on a loopback port.
//! let tls = TestServer::start_with(Options { tls: true, ..Options::default() })
//!     .unwrap_or_else(|e| panic!("{e}"));
//! tls.create_role("alice", Some("secret")).unwrap_or_else(|e| panic!("{e}"));
//! let database = tls.create_database().unwrap_or_else(|e| panic!("{e}"));
//! let name = vigie_pgtest::database_name(&database).unwrap_or_default();
//! let url = tls.tcp_url("alice", Some("secret"), &name, "sslmode=require");
//! # let _ = url;
//! ```

mod command;
mod tls;

use std::fmt;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use command::{clean_command, run, run_successfully, shown, wait_until};

/// The superuser `initdb` creates; the owner of every database [`TestServer::create_database`]
/// makes. Connects without a password through the socket, with
/// [`TestServer::admin_password`] over TCP.
pub const ADMIN_ROLE: &str = "vigie_admin";

/// The group role [`TestServer::create_role`] puts every role in: it may create objects in
/// the `public` schema of the databases this server creates.
pub const TEST_USERS_ROLE: &str = "vigie_test_users";

/// The port of a server without TCP: it only names the socket file (`.s.PGSQL.5432`), which
/// lives in the server's own folder, so servers never clash on it.
const SOCKET_ONLY_PORT: u16 = 5432;

/// How long the server may take to accept connections after it was started.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long initdb and the server's fast shutdown may take.
const SLOW_STEP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `pg_config` or `id` may take.
const TOOL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one SQL command through psql may take (CREATE DATABASE syncs to disk).
const SQL_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a TCP port just found free may turn out taken when the server binds it.
const PORT_ATTEMPTS: usize = 5;
/// How much of the server's log an error quotes.
const LOG_TAIL_LINES: usize = 40;

/// The binaries a server needs, all from one folder.
const REQUIRED_BINARIES: [&str; 4] = ["initdb", "postgres", "pg_isready", "psql"];

/// The file by which the test process hands the folder over to the supervisor, which
/// removes the folder when it has stopped the server (see `supervise.sh`).
const SUPERVISOR_OWNS_FOLDER: &str = "owned-by-supervisor";
const SUPERVISOR_SCRIPT: &str = include_str!("supervise.sh");

/// How a server is started. `Options::default()` is a durable server on a Unix socket only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// `fsync` and `full_page_writes` on (the default), as a real installation runs:
    /// benchmarks measure it. Off is several times faster for `CREATE DATABASE` and commits,
    /// for tests that only check behaviour: committed data still survives any process crash
    /// (client, backend or postmaster: commits still write their WAL to the kernel,
    /// `synchronous_commit` stays on), only a crash of the machine could lose it.
    pub durable: bool,
    /// Also listen on 127.0.0.1 (a free port), with password (SCRAM) authentication.
    pub tcp: bool,
    /// TLS on the TCP port (implies `tcp`): only TLS connections are accepted there, with a
    /// server certificate for `localhost` and 127.0.0.1 signed by a throwaway authority
    /// ([`TestServer::ca_cert_path`]).
    pub tls: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            durable: true,
            tcp: false,
            tls: false,
        }
    }
}

/// The step of starting or using a server that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Finding `initdb`, `postgres`, `pg_isready` and `psql`.
    LocateBinaries,
    /// Finding the `postgres` system user to run the server as root.
    ServerUser,
    /// Creating the temporary folder and handing it to the server's user.
    PrepareFolder,
    /// Generating the TLS certificates with `openssl`.
    Certificates,
    /// Running `initdb`.
    InitDb,
    /// Writing `postgresql.conf` and `pg_hba.conf`.
    Configure,
    /// Starting the server process.
    Start,
    /// Waiting for the server to accept connections.
    WaitReady,
    /// Running SQL through `psql`.
    Sql,
    /// A bad argument to this crate's API.
    Argument,
}

impl fmt::Display for Step {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Step::LocateBinaries => "locating the PostgreSQL binaries",
            Step::ServerUser => "finding the user to run PostgreSQL as",
            Step::PrepareFolder => "preparing the server folder",
            Step::Certificates => "generating the TLS certificates",
            Step::InitDb => "initdb",
            Step::Configure => "configuring the server",
            Step::Start => "starting the server",
            Step::WaitReady => "waiting for the server to accept connections",
            Step::Sql => "running SQL",
            Step::Argument => "checking the arguments",
        })
    }
}

/// Why a server could not be started or used; the message names the step and, once the
/// server has been started, quotes the end of its log.
#[derive(Debug, thiserror::Error)]
#[error("PostgreSQL test server: {step} failed: {reason}")]
pub struct PgTestError {
    step: Step,
    reason: String,
}

impl PgTestError {
    fn new(step: Step, reason: impl Into<String>) -> Self {
        Self {
            step,
            reason: reason.into(),
        }
    }

    /// The step that failed.
    pub fn step(&self) -> Step {
        self.step
    }
}

/// A running throwaway PostgreSQL server. Dropping it stops the server (fast shutdown) and
/// removes its folder; so does the end of the process when it is never dropped.
#[derive(Debug)]
pub struct TestServer {
    // Declared before `folder`: fields drop in order, and the server must stop before its
    // folder is removed.
    supervisor: Supervisor,
    folder: tempfile::TempDir,
    bin_dir: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    tcp_port: Option<u16>,
    certificates: Option<CertificatePaths>,
    admin_password: String,
}

#[derive(Debug)]
struct CertificatePaths {
    authority: PathBuf,
    other_authority: PathBuf,
}

/// The server's handle: the supervisor process and the pipe whose closing stops it.
#[derive(Debug)]
struct Supervisor {
    child: Child,
    pipe: Option<ChildStdin>,
    postmaster_pid: u32,
}

impl Supervisor {
    /// Closes the pipe, so the supervisor stops the server, and waits for both.
    fn stop(&mut self) {
        drop(self.pipe.take());
        if let Ok(Some(_)) = wait_until(&mut self.child, SLOW_STEP_TIMEOUT) {
            return;
        }
        // The supervisor did not finish the shutdown in time (it has been killed by now):
        // the server must not outlive the test anyway.
        kill_process(self.postmaster_pid, libc::SIGKILL);
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.stop();
    }
}

#[allow(unsafe_code)] // kill(2) on a process id this crate started.
fn kill_process(pid: u32, signal: libc::c_int) {
    // Never 0 or negative: kill(2) would signal a whole process group, ours included.
    let Ok(pid @ 1..) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: kill takes plain integers and touches no memory of ours. The process is the
    // postmaster this crate started, which its supervisor has not reaped yet (or, past the
    // shutdown timeout, a process id unlikely to be reused within that time).
    unsafe {
        libc::kill(pid, signal);
    }
}

/// The server folder's user and how to run a command as it.
enum ServerUser {
    /// Not root: the server runs as the user running the tests.
    Current,
    /// Root: the server runs as the `postgres` system user through `setpriv`.
    System {
        uid: u32,
        gid: u32,
        setpriv: PathBuf,
    },
}

const SYSTEM_USER: &str = "postgres";

impl ServerUser {
    fn detect() -> Result<Self, PgTestError> {
        if !running_as_root() {
            return Ok(ServerUser::Current);
        }
        let step = Step::ServerUser;
        let setpriv = find_in_path("setpriv").ok_or_else(|| {
            PgTestError::new(
                step,
                "the tests run as root, which PostgreSQL refuses, and `setpriv` (util-linux) \
                 is not on PATH to run it as the `postgres` user",
            )
        })?;
        let id = |flag: &str| -> Result<u32, PgTestError> {
            let mut command = clean_command("id");
            command.args([flag, SYSTEM_USER]);
            let output = run_successfully(command, step, "id (the `postgres` user)", TOOL_TIMEOUT)
                .map_err(|error| {
                    PgTestError::new(
                        step,
                        format!(
                            "the tests run as root, which PostgreSQL refuses, and there is \
                                 no `postgres` system user to run it as (install the \
                                 `postgresql` package): {error}"
                        ),
                    )
                })?;
            output.stdout.trim().parse().map_err(|_| {
                PgTestError::new(
                    step,
                    format!("`id {flag} postgres` printed {:?}", output.stdout),
                )
            })
        };
        Ok(ServerUser::System {
            uid: id("-u")?,
            gid: id("-g")?,
            setpriv,
        })
    }

    /// A command that runs `program` as this user.
    fn command(&self, program: &Path) -> Command {
        match self {
            ServerUser::Current => clean_command(program),
            ServerUser::System { setpriv, .. } => {
                let mut command = clean_command(setpriv);
                command
                    .arg(format!("--reuid={SYSTEM_USER}"))
                    .arg(format!("--regid={SYSTEM_USER}"))
                    .arg("--init-groups")
                    .arg("--")
                    .arg(program);
                command
            }
        }
    }

    /// Gives `path` to this user (the server must own its data, socket folder and key).
    fn take(&self, path: &Path) -> Result<(), PgTestError> {
        match self {
            ServerUser::Current => Ok(()),
            ServerUser::System { uid, gid, .. } => {
                std::os::unix::fs::chown(path, Some(*uid), Some(*gid)).map_err(|error| {
                    PgTestError::new(
                        Step::PrepareFolder,
                        format!("cannot give {} to the postgres user: {error}", shown(path)),
                    )
                })
            }
        }
    }
}

#[allow(unsafe_code)] // geteuid(2).
fn running_as_root() -> bool {
    // SAFETY: geteuid has no arguments, cannot fail and touches no memory.
    unsafe { libc::geteuid() == 0 }
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|folder| folder.join(name))
        .find(|file| file.is_file())
}

/// The folder holding all of [`REQUIRED_BINARIES`]: `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/<version>/bin`, else a folder on `PATH`.
fn locate_binaries() -> Result<PathBuf, PgTestError> {
    let step = Step::LocateBinaries;
    let mut tried = Vec::new();
    let mut candidates = Vec::new();

    let mut pg_config = clean_command("pg_config");
    pg_config.arg("--bindir");
    match run_successfully(pg_config, step, "pg_config --bindir", TOOL_TIMEOUT) {
        Ok(output) => candidates.push(PathBuf::from(output.stdout.trim())),
        Err(error) => tried.push(format!("pg_config --bindir: {}", error.reason)),
    }

    let mut versioned: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versioned.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    candidates.extend(versioned.into_iter().map(|(_, folder)| folder));

    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path));
    }

    for folder in candidates {
        let missing: Vec<&str> = REQUIRED_BINARIES
            .into_iter()
            .filter(|name| !folder.join(name).is_file())
            .collect();
        if missing.is_empty() {
            return Ok(folder);
        }
        tried.push(format!("{} lacks {}", shown(&folder), missing.join(", ")));
    }
    Err(PgTestError::new(
        step,
        format!(
            "no folder holds {} (install the `postgresql` package); tried:\n  {}",
            REQUIRED_BINARIES.join(", "),
            tried.join("\n  ")
        ),
    ))
}

/// Where temporary folders go: the system's, unless its path is too long for the socket
/// (a Unix socket path has at most 107 bytes).
fn temporary_parent() -> PathBuf {
    let parent = std::env::temp_dir();
    // parent + "/vigie-pgtest-XXXXXX/socket/.s.PGSQL.65535.lock"
    if parent.as_os_str().len() + 48 < 100 {
        parent
    } else {
        PathBuf::from("/tmp")
    }
}

/// 16 random bytes in hex, from the kernel.
fn random_hex() -> Result<String, PgTestError> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut file| file.read_exact(&mut bytes))
        .map_err(|error| {
            PgTestError::new(
                Step::PrepareFolder,
                format!("cannot read /dev/urandom: {error}"),
            )
        })?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// A value in `postgresql.conf`, quoted.
fn config_string(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

/// An SQL identifier, quoted.
fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// An SQL string literal (`standard_conforming_strings` is on).
fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Percent-encodes everything but URL-unreserved characters (and `/` when `keep_slash`).
fn percent_encode(text: &str, keep_slash: bool) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~')
            || (keep_slash && byte == b'/')
        {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = std::str::from_utf8(bytes.get(index + 1..index + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// The database name in a URL made by this crate (`postgres://user@host/NAME?...`).
pub fn database_name(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))?;
    let after_authority = &rest[rest.find('/')? + 1..];
    let name = after_authority.split('?').next()?;
    if name.is_empty() {
        None
    } else {
        percent_decode(name)
    }
}

fn credentials(role: &str, password: Option<&str>) -> String {
    match password {
        Some(password) => {
            format!(
                "{}:{}",
                percent_encode(role, false),
                percent_encode(password, false)
            )
        }
        None => percent_encode(role, false),
    }
}

/// Rejects a role or database name PostgreSQL would refuse or silently truncate.
fn check_name(what: &str, name: &str) -> Result<(), PgTestError> {
    let why = if name.is_empty() {
        "it is empty"
    } else if name.len() > 63 {
        "it is longer than 63 bytes (PostgreSQL would truncate it)"
    } else if name.contains('\0') {
        "it contains a NUL character"
    } else {
        return Ok(());
    };
    Err(PgTestError::new(
        Step::Argument,
        format!("invalid {what} name {name:?}: {why}"),
    ))
}

/// Numbers the databases of this process.
static DATABASE_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A server shared by the tests of this test binary, started by the first call; panics with
/// the reason if it cannot start (the calling test fails). A Unix socket only and not
/// `durable` (see [`Options::durable`]: safe against process crashes, several times faster
/// to create databases in); benchmarks, which measure durable commits, start their own with
/// [`TestServer::start`].
///
/// It is never dropped: its supervisor stops it and removes its folder when the process
/// exits.
pub fn shared() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        TestServer::start_with(Options {
            durable: false,
            ..Options::default()
        })
        .unwrap_or_else(|error| panic!("{error}"))
    })
}

impl TestServer {
    /// Starts a server with [`Options::default`].
    pub fn start() -> Result<TestServer, PgTestError> {
        Self::start_with(Options::default())
    }

    /// Starts a server: initdb in a new temporary folder, configuration, start, wait until
    /// it accepts connections.
    pub fn start_with(options: Options) -> Result<TestServer, PgTestError> {
        let bin_dir = locate_binaries()?;
        let user = ServerUser::detect()?;
        let tcp = options.tcp || options.tls;

        let folder = tempfile::Builder::new()
            .prefix("vigie-pgtest-")
            .tempdir_in(temporary_parent())
            .map_err(|error| {
                PgTestError::new(
                    Step::PrepareFolder,
                    format!("cannot create a temporary folder: {error}"),
                )
            })?;
        let make_folder = |path: &Path| -> Result<(), PgTestError> {
            std::fs::create_dir(path).map_err(|error| {
                PgTestError::new(
                    Step::PrepareFolder,
                    format!("cannot create {}: {error}", shown(path)),
                )
            })?;
            user.take(path)
        };
        user.take(folder.path())?;
        let socket_dir = folder.path().join("socket");
        make_folder(&socket_dir)?;

        let certificates = if options.tls {
            let tls_dir = folder.path().join("tls");
            make_folder(&tls_dir)?;
            let generated = tls::generate(&tls_dir)?;
            restrict(&generated.server_key, Step::Certificates)?;
            user.take(&generated.server_key)?;
            user.take(&generated.server_certificate)?;
            Some(generated)
        } else {
            None
        };

        let admin_password = random_hex()?;
        let password_file = folder.path().join("admin-password");
        std::fs::write(&password_file, format!("{admin_password}\n")).map_err(|error| {
            PgTestError::new(
                Step::PrepareFolder,
                format!("cannot write {}: {error}", shown(&password_file)),
            )
        })?;
        restrict(&password_file, Step::PrepareFolder)?;
        user.take(&password_file)?;

        let data_dir = folder.path().join("data");
        let mut initdb = user.command(&bin_dir.join("initdb"));
        initdb
            .current_dir(folder.path())
            .arg("-D")
            .arg(&data_dir)
            .args([
                "-U",
                ADMIN_ROLE,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ])
            .args(["-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"])
            .arg(format!("--pwfile={}", password_file.display()));
        run_successfully(initdb, Step::InitDb, "initdb", SLOW_STEP_TIMEOUT).map_err(|error| {
            match user {
                ServerUser::Current => error,
                ServerUser::System { .. } => PgTestError::new(
                    error.step,
                    format!(
                        "{}\n(initdb runs as the postgres user, which must be able to reach {}: \
                         if it cannot, set TMPDIR to a folder it can, such as /tmp)",
                        error.reason,
                        shown(folder.path())
                    ),
                ),
            }
        })?;
        let _ = std::fs::remove_file(&password_file);

        configure(&data_dir, &socket_dir, options, certificates.as_ref())?;

        let log = folder.path().join("server.log");
        let mut attempt = 0;
        let (supervisor, port) = loop {
            attempt += 1;
            let port = if tcp {
                free_loopback_port()?
            } else {
                SOCKET_ONLY_PORT
            };
            let mut supervisor =
                launch(&user, &bin_dir, folder.path(), &data_dir, &log, port, tcp)?;
            match wait_ready(&mut supervisor, &bin_dir, &socket_dir, port, &log) {
                Ok(()) => break (supervisor, port),
                Err(ReadyError::Exited(error))
                    if tcp && attempt < PORT_ATTEMPTS && port_was_taken(&log) =>
                {
                    // Another process took the port between our check and the server's
                    // bind: try another one, with a log of its own.
                    drop(error);
                    let _ = std::fs::remove_file(&log);
                }
                Err(ReadyError::Exited(error) | ReadyError::Other(error)) => {
                    drop(supervisor);
                    return Err(error);
                }
            }
        };

        let server = TestServer {
            supervisor,
            folder,
            bin_dir,
            socket_dir,
            port,
            tcp_port: tcp.then_some(port),
            certificates: certificates.map(|generated| CertificatePaths {
                authority: generated.authority,
                other_authority: generated.other_authority,
            }),
            admin_password,
        };
        server.run_sql(
            "template1",
            &format!(
                "CREATE ROLE {group} NOLOGIN; GRANT ALL ON SCHEMA public TO {group};",
                group = quote_identifier(TEST_USERS_ROLE)
            ),
        )?;
        let marker = server.folder.path().join(SUPERVISOR_OWNS_FOLDER);
        std::fs::write(&marker, b"").map_err(|error| {
            PgTestError::new(
                Step::Start,
                format!("cannot write {}: {error}", shown(&marker)),
            )
        })?;
        Ok(server)
    }

    /// Creates a new, uniquely named database (`vigie_<pid>_<n>`) owned by
    /// [`ADMIN_ROLE`], whose `public` schema the roles of [`TestServer::create_role`] may
    /// create objects in, and returns its URL for [`ADMIN_ROLE`] through the Unix socket.
    pub fn create_database(&self) -> Result<String, PgTestError> {
        let number = DATABASE_COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("vigie_{}_{number}", std::process::id());
        self.run_sql(
            "postgres",
            &format!(
                "CREATE DATABASE {} OWNER {}",
                quote_identifier(&name),
                quote_identifier(ADMIN_ROLE)
            ),
        )?;
        Ok(self.url_as(ADMIN_ROLE, None, &name))
    }

    /// Creates a login role, with a password (for TCP, where authentication is SCRAM) or
    /// without (it can then only connect through the socket, where any role is trusted). It
    /// joins [`TEST_USERS_ROLE`], which may create objects in the `public` schema of the
    /// databases this server creates; everything else (tables another role created, ...)
    /// takes grants, e.g. with [`TestServer::run_sql`].
    pub fn create_role(&self, name: &str, password: Option<&str>) -> Result<(), PgTestError> {
        check_name("role", name)?;
        let mut sql = format!(
            "CREATE ROLE {} LOGIN IN ROLE {}",
            quote_identifier(name),
            quote_identifier(TEST_USERS_ROLE)
        );
        if let Some(password) = password {
            if password.contains('\0') {
                return Err(PgTestError::new(
                    Step::Argument,
                    format!("the password of role {name:?} contains a NUL character"),
                ));
            }
            sql.push_str(" PASSWORD ");
            sql.push_str(&quote_literal(password));
        }
        self.run_sql("postgres", &sql).map(drop).map_err(|error| {
            PgTestError::new(
                error.step,
                format!("creating role {name:?}: {}", error.reason),
            )
        })
    }

    /// Runs `sql` (one or more statements, in one transaction unless they say otherwise)
    /// as [`ADMIN_ROLE`] in `database`, through `psql`, and returns what it printed:
    /// unaligned rows, one a line, fields separated by `|`, no headers.
    pub fn run_sql(&self, database: &str, sql: &str) -> Result<String, PgTestError> {
        check_name("database", database)?;
        let mut psql = clean_command(self.bin_dir.join("psql"));
        psql.current_dir(self.folder.path())
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.socket_dir)
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                ADMIN_ROLE,
                "-d",
                database,
                "-c",
                sql,
            ]);
        match run(psql, Step::Sql, "psql", SQL_TIMEOUT) {
            Ok(output) if output.status.success() => Ok(output.stdout),
            Ok(output) => Err(self.error_with_log(
                Step::Sql,
                format!(
                    "psql in database {database:?} failed ({}):\n{}",
                    output.status,
                    output.printed()
                ),
            )),
            Err(error) => Err(self.error_with_log(error.step, error.reason)),
        }
    }

    /// The URL of `database` for `role` through the Unix socket, e.g.
    /// `postgres://vigie_admin@/vigie_1_0?host=%2Ftmp%2Fvigie-pgtest-x%2Fsocket&port=5432`.
    ///
    /// The form libpq and the `postgres`/`tokio-postgres` crates accept: an empty host,
    /// the socket folder as an absolute path in the `host` parameter, the port naming the
    /// socket file (`.s.PGSQL.<port>`). The socket trusts every role, so the password is
    /// only carried along.
    pub fn url_as(&self, role: &str, password: Option<&str>, database: &str) -> String {
        format!(
            "postgres://{}@/{}?host={}&port={}",
            credentials(role, password),
            percent_encode(database, false),
            percent_encode(&self.socket_dir.to_string_lossy(), true),
            self.port
        )
    }

    /// The URL of `database` for `role` over TCP, `postgres://role:password@localhost:PORT/
    /// database`, followed by `extra_query` (e.g. `sslmode=verify-full`) when not empty. An
    /// error when the server was started without TCP.
    pub fn tcp_url(
        &self,
        role: &str,
        password: Option<&str>,
        database: &str,
        extra_query: &str,
    ) -> Result<String, PgTestError> {
        let port = self.tcp_port.ok_or_else(|| {
            PgTestError::new(
                Step::Argument,
                "a TCP URL was asked of a server started without TCP (Options::tcp)",
            )
        })?;
        let mut url = format!(
            "postgres://{}@localhost:{port}/{}",
            credentials(role, password),
            percent_encode(database, false)
        );
        let extra_query = extra_query.trim_start_matches(['?', '&']);
        if !extra_query.is_empty() {
            url.push('?');
            url.push_str(extra_query);
        }
        Ok(url)
    }

    /// The folder holding the server's Unix socket (the `host` of a socket connection).
    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    /// The server's port: its TCP port if it has one, else only the socket file's name.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The loopback TCP port, if the server was started with `tcp` or `tls`.
    pub fn tcp_port(&self) -> Option<u16> {
        self.tcp_port
    }

    /// The authority that signed the server's certificate, if started with `tls`: the
    /// `sslrootcert` of a `verify-full` connection to `localhost` or 127.0.0.1.
    pub fn ca_cert_path(&self) -> Option<&Path> {
        self.certificates
            .as_ref()
            .map(|paths| paths.authority.as_path())
    }

    /// An authority unrelated to the server's certificate, if started with `tls`: a client
    /// verifying with it must refuse the server.
    pub fn other_ca_cert_path(&self) -> Option<&Path> {
        self.certificates
            .as_ref()
            .map(|paths| paths.other_authority.as_path())
    }

    /// The password of [`ADMIN_ROLE`] (needed over TCP only).
    pub fn admin_password(&self) -> &str {
        &self.admin_password
    }

    /// The folder holding `psql`, `pg_dump`, ... of the server's version.
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The process id of the postmaster (the server's main process).
    pub fn postmaster_pid(&self) -> u32 {
        self.supervisor.postmaster_pid
    }

    /// The server's temporary folder (data, socket, log, certificates), removed when the
    /// server stops.
    pub fn folder(&self) -> &Path {
        self.folder.path()
    }

    /// The last lines of the server's log.
    pub fn log_tail(&self) -> String {
        log_tail(&self.folder.path().join("server.log"))
    }

    fn error_with_log(&self, step: Step, reason: String) -> PgTestError {
        PgTestError::new(
            step,
            with_log(reason, &self.folder.path().join("server.log")),
        )
    }
}

/// Owner-only permissions, which PostgreSQL demands of its key.
fn restrict(path: &Path, step: Step) -> Result<(), PgTestError> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|error| {
        PgTestError::new(step, format!("cannot restrict {}: {error}", shown(path)))
    })
}

/// Appends this crate's settings to `postgresql.conf` and replaces `pg_hba.conf`.
fn configure(
    data_dir: &Path,
    socket_dir: &Path,
    options: Options,
    certificates: Option<&tls::Certificates>,
) -> Result<(), PgTestError> {
    let step = Step::Configure;
    let durable = if options.durable { "on" } else { "off" };
    let mut settings = format!(
        "\n# vigie-pgtest\n\
         unix_socket_directories = {}\n\
         fsync = {durable}\n\
         full_page_writes = {durable}\n\
         password_encryption = 'scram-sha-256'\n",
        config_string(&socket_dir.to_string_lossy())
    );
    if let Some(certificates) = certificates {
        settings.push_str(&format!(
            "ssl = on\nssl_cert_file = {}\nssl_key_file = {}\n",
            config_string(&certificates.server_certificate.to_string_lossy()),
            config_string(&certificates.server_key.to_string_lossy())
        ));
    }
    let config = data_dir.join("postgresql.conf");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&config)
        .and_then(|mut file| std::io::Write::write_all(&mut file, settings.as_bytes()))
        .map_err(|error| {
            PgTestError::new(
                step,
                format!("cannot append to {}: {error}", shown(&config)),
            )
        })?;

    // Only the lines this server needs: the socket trusts everyone (it is in a private
    // folder), TCP asks for a password, and with TLS refuses connections without it.
    let mut rules = String::from("# vigie-pgtest\nlocal all all trust\n");
    if options.tls {
        rules.push_str("hostssl all all 127.0.0.1/32 scram-sha-256\n");
        rules.push_str("hostnossl all all 127.0.0.1/32 reject\n");
    } else if options.tcp {
        rules.push_str("host all all 127.0.0.1/32 scram-sha-256\n");
    }
    let hba = data_dir.join("pg_hba.conf");
    // Overwriting keeps the file's owner (the server's user).
    std::fs::write(&hba, rules)
        .map_err(|error| PgTestError::new(step, format!("cannot write {}: {error}", shown(&hba))))
}

/// A loopback port nothing listens on right now.
fn free_loopback_port() -> Result<u16, PgTestError> {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|error| {
            PgTestError::new(
                Step::Start,
                format!("cannot find a free loopback port: {error}"),
            )
        })
}

fn port_was_taken(log: &Path) -> bool {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.contains("could not bind") || text.contains("Address already in use")
}

/// Starts the server under its supervisor (see `supervise.sh`).
fn launch(
    user: &ServerUser,
    bin_dir: &Path,
    folder: &Path,
    data_dir: &Path,
    log: &Path,
    port: u16,
    tcp: bool,
) -> Result<Supervisor, PgTestError> {
    let step = Step::Start;
    // The server's command line, run by the supervisor: `setpriv ... postgres ...` as root.
    let server = user.command(&bin_dir.join("postgres"));
    let mut supervisor = clean_command("sh");
    supervisor
        .current_dir(folder)
        .arg("-c")
        .arg(supervisor_script())
        .arg("sh")
        .arg(folder)
        .arg(log)
        .arg(server.get_program())
        .args(server.get_args())
        .arg("-D")
        .arg(data_dir)
        .arg("-c")
        .arg(format!("port={port}"))
        .arg("-c")
        .arg(format!(
            "listen_addresses={}",
            if tcp { "127.0.0.1" } else { "" }
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        // Its own process group: a Ctrl-C in the terminal reaches the test process, whose
        // exit closes the pipe, and not the supervisor, which must outlive it to clean up.
        .process_group(0);
    let mut child = supervisor.spawn().map_err(|error| {
        PgTestError::new(
            step,
            format!("cannot run sh (the server's supervisor): {error}"),
        )
    })?;
    let pipe = child.stdin.take();
    let mut line = String::new();
    let read = match child.stdout.take() {
        Some(stdout) => BufReader::new(stdout).read_line(&mut line).map(drop),
        None => Ok(()),
    };
    let mut supervisor = Supervisor {
        child,
        pipe,
        postmaster_pid: 0,
    };
    match (read, line.trim().parse()) {
        (Ok(()), Ok(pid)) => {
            supervisor.postmaster_pid = pid;
            Ok(supervisor)
        }
        (read, _) => {
            supervisor.stop();
            Err(PgTestError::new(
                step,
                with_log(
                    format!(
                        "the supervisor did not report the server's process id ({read:?}, {line:?})"
                    ),
                    log,
                ),
            ))
        }
    }
}

/// The supervisor's script without its comments, which would fill `ps` listings.
fn supervisor_script() -> String {
    SUPERVISOR_SCRIPT
        .lines()
        .filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug)]
enum ReadyError {
    /// The server exited.
    Exited(PgTestError),
    Other(PgTestError),
}

/// Waits until the server accepts connections on its socket.
fn wait_ready(
    supervisor: &mut Supervisor,
    bin_dir: &Path,
    socket_dir: &Path,
    port: u16,
    log: &Path,
) -> Result<(), ReadyError> {
    let step = Step::WaitReady;
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        match supervisor.child.try_wait() {
            Ok(Some(status)) => {
                return Err(ReadyError::Exited(PgTestError::new(
                    Step::Start,
                    with_log(format!("the server exited ({status})"), log),
                )));
            }
            Ok(None) => {}
            Err(error) => {
                return Err(ReadyError::Other(PgTestError::new(
                    step,
                    format!("cannot check the server's supervisor: {error}"),
                )));
            }
        }
        let mut probe = clean_command(bin_dir.join("pg_isready"));
        probe.arg("-q").arg("-h").arg(socket_dir).args([
            "-p",
            &port.to_string(),
            "-U",
            ADMIN_ROLE,
            "-d",
            "postgres",
            "-t",
            "5",
        ]);
        let ready =
            run(probe, step, "pg_isready", Duration::from_secs(10)).map_err(ReadyError::Other)?;
        if ready.status.success() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(ReadyError::Other(PgTestError::new(
                step,
                with_log(
                    format!(
                        "the server did not accept connections within {} s (pg_isready: {})",
                        READY_TIMEOUT.as_secs(),
                        ready.status
                    ),
                    log,
                ),
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `reason`, then the end of the server's log.
fn with_log(reason: String, log: &Path) -> String {
    format!(
        "{reason}\n--- last lines of {} ---\n{}",
        shown(log),
        log_tail(log)
    )
}

fn log_tail(log: &Path) -> String {
    match std::fs::read(log) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
        }
        Err(error) => format!("(cannot read the log: {error})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_round_trips_and_keeps_socket_paths_readable() {
        let password = "p@ss:w/rd %&?é";
        let encoded = percent_encode(password, false);
        assert!(
            encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b))
        );
        assert_eq!(percent_decode(&encoded).as_deref(), Some(password));
        assert_eq!(
            percent_encode("/tmp/vigie-pgtest-a.B/socket", true),
            "/tmp/vigie-pgtest-a.B/socket"
        );
    }

    #[test]
    fn database_name_reads_the_path_of_socket_and_tcp_urls() {
        assert_eq!(
            database_name("postgres://vigie_admin@/vigie_1_2?host=/tmp/x&port=5432").as_deref(),
            Some("vigie_1_2")
        );
        assert_eq!(
            database_name("postgres://a:b@localhost:1234/d%20b?sslmode=require").as_deref(),
            Some("d b")
        );
        assert_eq!(
            database_name("postgres://a@localhost:1234").as_deref(),
            None
        );
        assert_eq!(database_name("mysql://a@h/db"), None);
    }

    #[test]
    fn a_server_that_exits_at_start_is_an_error_naming_the_step_and_quoting_its_log() {
        let folder = tempfile::tempdir().unwrap();
        let bin_dir = folder.path().join("bin");
        std::fs::create_dir(&bin_dir).unwrap();
        for (name, script) in [
            (
                "postgres",
                "#!/bin/sh\necho 'FATAL:  pretend configuration error' >&2\nexit 1\n",
            ),
            ("pg_isready", "#!/bin/sh\nexit 2\n"),
        ] {
            let path = bin_dir.join(name);
            std::fs::write(&path, script).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let log = folder.path().join("server.log");
        let data_dir = folder.path().join("data");
        let mut supervisor = launch(
            &ServerUser::Current,
            &bin_dir,
            folder.path(),
            &data_dir,
            &log,
            5432,
            false,
        )
        .unwrap();
        let socket_dir = folder.path().join("socket");
        match wait_ready(&mut supervisor, &bin_dir, &socket_dir, 5432, &log) {
            Err(ReadyError::Exited(error)) => {
                assert_eq!(error.step(), Step::Start);
                let message = error.to_string();
                assert!(message.contains("starting the server failed"), "{message}");
                assert!(
                    message.contains("FATAL:  pretend configuration error"),
                    "{message}"
                );
            }
            other => panic!("expected the server's exit, got {other:?}"),
        }
        // Without the hand-over file the supervisor left the folder (and its log) alone.
        assert!(log.is_file());
    }

    #[test]
    fn names_postgresql_would_truncate_or_refuse_are_rejected() {
        assert!(check_name("role", "alice").is_ok());
        assert!(check_name("role", "").is_err());
        assert!(check_name("role", &"x".repeat(64)).is_err());
        assert!(check_name("role", "a\0b").is_err());
    }
}
