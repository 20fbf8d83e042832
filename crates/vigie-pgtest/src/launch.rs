//! Starting the server: the supervisor that stops it when the test process goes, the
//! configuration, the launch and the wait until it accepts connections.

use super::*;

/// The server's handle: the supervisor process and the pipe whose closing stops it.
#[derive(Debug)]
pub(super) struct Supervisor {
    pub(super) child: Child,
    pub(super) pipe: Option<ChildStdin>,
    pub(super) postmaster_pid: u32,
}

impl Supervisor {
    /// Closes the pipe, so the supervisor stops the server, and waits for both.
    pub(super) fn stop(&mut self) {
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
pub(super) fn kill_process(pid: u32, signal: libc::c_int) {
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
pub(super) enum ServerUser {
    /// Not root: the server runs as the user running the tests.
    Current,
    /// Root: the server runs as the `postgres` system user through `setpriv`.
    System {
        uid: u32,
        gid: u32,
        setpriv: PathBuf,
    },
}

pub(super) const SYSTEM_USER: &str = "postgres";

impl ServerUser {
    pub(super) fn detect() -> Result<Self, PgTestError> {
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
    pub(super) fn command(&self, program: &Path) -> Command {
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
    pub(super) fn take(&self, path: &Path) -> Result<(), PgTestError> {
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

/// Owner-only permissions, which PostgreSQL demands of its key.
pub(super) fn restrict(path: &Path, step: Step) -> Result<(), PgTestError> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|error| {
        PgTestError::new(step, format!("cannot restrict {}: {error}", shown(path)))
    })
}

/// Appends this crate's settings to `postgresql.conf` and replaces `pg_hba.conf`.
pub(super) fn configure(
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
pub(super) fn free_loopback_port() -> Result<u16, PgTestError> {
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

pub(super) fn port_was_taken(log: &Path) -> bool {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.contains("could not bind") || text.contains("Address already in use")
}

/// Starts the server under its supervisor (see `supervise.sh`).
pub(super) fn launch(
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
pub(super) fn supervisor_script() -> String {
    SUPERVISOR_SCRIPT
        .lines()
        .filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug)]
pub(super) enum ReadyError {
    /// The server exited.
    Exited(PgTestError),
    Other(PgTestError),
}

/// Waits until the server accepts connections on its socket.
pub(super) fn wait_ready(
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
pub(super) fn with_log(reason: String, log: &Path) -> String {
    format!(
        "{reason}\n--- last lines of {} ---\n{}",
        shown(log),
        log_tail(log)
    )
}

pub(super) fn log_tail(log: &Path) -> String {
    match std::fs::read(log) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
        }
        Err(error) => format!("(cannot read the log: {error})"),
    }
}
