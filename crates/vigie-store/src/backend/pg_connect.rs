//! Where a PostgreSQL store is and how to reach it: a `postgres://` or `postgresql://` URL,
//! completed as libpq completes it (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`,
//! `PGPASSWORD`, `PGPASSFILE` or `~/.pgpass`, `PGSSLMODE`, `PGSSLROOTCERT`), and TLS with
//! rustls. The password is never part of what is shown: [`PgTarget::shown`] leaves it out,
//! and errors are built from that.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use postgres::config::{Host, SslMode};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// How a connection is protected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tls {
    /// No TLS (Unix sockets, or `sslmode=disable` said explicitly).
    Disable,
    /// TLS; the server's certificate must chain to `root` (`verify-ca`).
    VerifyCa { root: PathBuf },
    /// TLS; the certificate must chain to `root` and name the host (`verify-full`).
    VerifyFull { root: PathBuf },
}

/// Why a PostgreSQL store could not be reached. Never holds the password.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL or the environment does not say a usable thing.
    #[error("{0}")]
    Invalid(String),
    /// The root certificate file could not be read.
    #[error("cannot read the root certificate {}: {detail}", path.display())]
    RootCertificate { path: PathBuf, detail: String },
    /// The server could not be reached or refused us.
    #[error("cannot connect to {target}: {detail}")]
    Connect { target: String, detail: String },
    /// Connected, but setting the session up failed.
    #[error("cannot set up the session on {target}: {detail}")]
    Setup { target: String, detail: String },
}

/// A PostgreSQL database to connect to.
#[derive(Clone)]
pub struct PgTarget {
    config: postgres::Config,
    tls: Tls,
    shown: String,
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTarget")
            .field("shown", &self.shown)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

/// Whether `text` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(text: &str) -> bool {
    let lower = text.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// The environment a target is completed from (the process environment, or a test's).
pub trait Environment {
    fn var(&self, name: &str) -> Option<String>;
    fn home(&self) -> Option<PathBuf>;
}

/// The process's environment.
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
    fn home(&self) -> Option<PathBuf> {
        std::env::var_os("HOME").map(PathBuf::from)
    }
}

impl PgTarget {
    /// Reads a `postgres://` URL, completed from the process's environment.
    pub fn parse(url: &str) -> Result<PgTarget, ConnectError> {
        PgTarget::parse_with(url, &ProcessEnvironment)
    }

    /// Reads a `postgres://` URL, completed from `env`.
    pub fn parse_with(url: &str, env: &dyn Environment) -> Result<PgTarget, ConnectError> {
        let url = url.trim();
        if !is_postgres_url(url) {
            return Err(ConnectError::Invalid(
                "a PostgreSQL store is named by a postgres:// or postgresql:// URL".into(),
            ));
        }
        // The TLS settings are ours (the client knows only disable/prefer/require): take them
        // out of the query before the client reads the rest.
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base, query),
            None => (url, ""),
        };
        let mut sslmode = None;
        let mut sslrootcert = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => sslmode = Some(percent_decode(value)),
                "sslrootcert" => sslrootcert = Some(percent_decode(value)),
                "password" => {
                    return Err(ConnectError::Invalid(
                        "put the password in ~/.pgpass (or PGPASSFILE, or PGPASSWORD), or \
                         before the host (postgres://user:password@host/db), not in the query"
                            .into(),
                    ));
                }
                _ => kept.push(pair),
            }
        }
        let rebuilt = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config: postgres::Config = rebuilt.parse().map_err(|e: postgres::Error| {
            ConnectError::Invalid(format!(
                "the PostgreSQL URL is not valid ({e}); the form is \
                 postgres://user@host:port/database?sslmode=verify-full&sslrootcert=ca.pem"
            ))
        })?;

        if config.get_hosts().is_empty() {
            match env.var("PGHOST") {
                Some(host) => {
                    for h in host.split(',') {
                        config.host(h);
                    }
                }
                None => {
                    config.host_path("/var/run/postgresql");
                }
            }
        }
        if config.get_ports().is_empty()
            && let Some(port) = env.var("PGPORT")
        {
            let port: u16 = port
                .parse()
                .map_err(|_| ConnectError::Invalid(format!("PGPORT is not a port: {port:?}")))?;
            config.port(port);
        }
        if config.get_user().is_none() {
            let user = env
                .var("PGUSER")
                .or_else(|| env.var("USER"))
                .ok_or_else(|| {
                    ConnectError::Invalid(
                        "no PostgreSQL user: put it in the URL (postgres://user@host/db) or PGUSER"
                            .into(),
                    )
                })?;
            config.user(&user);
        }
        let user = config.get_user().unwrap_or_default().to_string();
        if config.get_dbname().is_none() {
            let db = env.var("PGDATABASE").unwrap_or_else(|| user.clone());
            config.dbname(&db);
        }
        let dbname = config.get_dbname().unwrap_or_default().to_string();
        let host = config.get_hosts().first().cloned();
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let host_text = match &host {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => String::new(),
        };
        if config.get_password().is_none() {
            if let Some(password) = env.var("PGPASSWORD") {
                config.password(password);
            } else if let Some(password) = pgpass_password(env, &host_text, port, &dbname, &user) {
                config.password(password);
            }
        }

        let socket = matches!(host, Some(Host::Unix(_)));
        let mode = sslmode.or_else(|| env.var("PGSSLMODE"));
        let root = || -> Result<PathBuf, ConnectError> {
            sslrootcert
                .clone()
                .or_else(|| env.var("PGSSLROOTCERT"))
                .map(PathBuf::from)
                .or_else(|| env.home().map(|h| h.join(".postgresql/root.crt")))
                .ok_or_else(|| {
                    ConnectError::Invalid(
                        "verify-full needs the server's root certificate: add \
                         sslrootcert=/path/to/ca.pem to the URL (or PGSSLROOTCERT)"
                            .into(),
                    )
                })
        };
        let tls = match mode.as_deref() {
            Some("disable") => Tls::Disable,
            Some("verify-full") => Tls::VerifyFull { root: root()? },
            Some("verify-ca") => Tls::VerifyCa { root: root()? },
            None if socket => Tls::Disable,
            // Over a network, the default is the safe one: the server proves who it is
            // before it sees a password.
            None => Tls::VerifyFull { root: root()? },
            Some(other @ ("require" | "prefer" | "allow")) => {
                return Err(ConnectError::Invalid(format!(
                    "sslmode={other} does not check who the server is; Vigie connects with \
                     sslmode=verify-full (or verify-ca) and a root certificate \
                     (sslrootcert=...), or, on a trusted network, sslmode=disable"
                )));
            }
            Some(other) => {
                return Err(ConnectError::Invalid(format!(
                    "unknown sslmode {other:?}: use verify-full, verify-ca or disable"
                )));
            }
        };
        config.ssl_mode(if tls == Tls::Disable {
            SslMode::Disable
        } else {
            SslMode::Require
        });
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(15));
        }
        config.application_name("vigie");

        let shown = match &host {
            Some(Host::Tcp(h)) => format!("postgres://{user}@{h}:{port}/{dbname}"),
            Some(Host::Unix(p)) => {
                format!(
                    "postgres://{user}@/{dbname}?host={}&port={port}",
                    p.display()
                )
            }
            None => format!("postgres://{user}@/{dbname}"),
        };
        Ok(PgTarget { config, tls, shown })
    }

    /// The target as messages show it: user, host, port and database, never the password.
    pub fn shown(&self) -> String {
        self.shown.clone()
    }

    /// The user the connection logs in as.
    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or_default()
    }

    /// How the connection is protected.
    pub fn tls(&self) -> &Tls {
        &self.tls
    }

    pub(crate) fn connect(&self) -> Result<postgres::Client, ConnectError> {
        let failed = |e: postgres::Error| ConnectError::Connect {
            target: self.shown(),
            detail: connect_detail(&e),
        };
        match &self.tls {
            Tls::Disable => self.config.connect(postgres::NoTls).map_err(failed),
            Tls::VerifyCa { root } | Tls::VerifyFull { root } => {
                let roots = load_roots(root)?;
                // ring, not aws-lc-rs: no cmake and a far shorter cold build. (rustls marks
                // it deprecated because ring offers no post-quantum key exchange yet.)
                #[allow(deprecated)]
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
                    .with_safe_default_protocol_versions()
                    .map_err(|e| ConnectError::Invalid(format!("TLS setup: {e}")))?;
                let config = if matches!(self.tls, Tls::VerifyFull { .. }) {
                    builder.with_root_certificates(roots).with_no_client_auth()
                } else {
                    let inner = rustls::client::WebPkiServerVerifier::builder_with_provider(
                        Arc::new(roots),
                        provider,
                    )
                    .build()
                    .map_err(|e| ConnectError::Invalid(format!("TLS setup: {e}")))?;
                    builder
                        .dangerous()
                        .with_custom_certificate_verifier(Arc::new(ChainOnly { inner }))
                        .with_no_client_auth()
                };
                let tls = tokio_postgres_rustls::MakeRustlsConnect::new(config);
                self.config.connect(tls).map_err(failed)
            }
        }
    }
}

/// The client's error and what caused it (a TLS failure says why the certificate was refused).
fn connect_detail(e: &postgres::Error) -> String {
    let mut text = match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

fn load_roots(path: &Path) -> Result<rustls::RootCertStore, ConnectError> {
    let failed = |detail: String| ConnectError::RootCertificate {
        path: path.to_path_buf(),
        detail,
    };
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path).map_err(|e| failed(e.to_string()))?;
    for cert in certs {
        let cert = cert.map_err(|e| failed(e.to_string()))?;
        roots.add(cert).map_err(|e| failed(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(failed("it holds no PEM certificate".into()));
    }
    Ok(roots)
}

/// `verify-ca`: the chain must lead to the root; the name is not checked (libpq's meaning).
#[derive(Debug)]
struct ChainOnly {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                | rustls::CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// The password `~/.pgpass` (or `PGPASSFILE`) gives for this host, port, database and user,
/// as libpq reads it: `host:port:database:user:password`, `*` matching anything, `\:` and
/// `\\` escaped; a file others can read is ignored, as libpq ignores it.
fn pgpass_password(
    env: &dyn Environment,
    host: &str,
    port: u16,
    dbname: &str,
    user: &str,
) -> Option<String> {
    let path = env
        .var("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| env.home().map(|h| h.join(".pgpass")))?;
    let meta = std::fs::metadata(&path).ok()?;
    {
        use std::os::unix::fs::PermissionsExt;
        if !meta.is_file() || meta.permissions().mode() & 0o077 != 0 {
            return None;
        }
    }
    let text = std::fs::read_to_string(&path).ok()?;
    // libpq matches a socket connection against "localhost".
    let host = if host.starts_with('/') {
        "localhost"
    } else {
        host
    };
    let port = port.to_string();
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass(line);
        if fields.len() != 5 {
            continue;
        }
        let matches = |field: &str, value: &str| field == "*" || field == value;
        if matches(&fields[0], host)
            && matches(&fields[1], &port)
            && matches(&fields[2], dbname)
            && matches(&fields[3], user)
        {
            return Some(fields[4].clone());
        }
    }
    None
}

fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && let Some(last) = fields.last_mut()
                {
                    last.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct FakeEnv {
        vars: HashMap<&'static str, String>,
        home: Option<PathBuf>,
    }

    impl Environment for FakeEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.vars.get(name).cloned()
        }
        fn home(&self) -> Option<PathBuf> {
            self.home.clone()
        }
    }

    fn env(vars: &[(&'static str, &str)]) -> FakeEnv {
        FakeEnv {
            vars: vars.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            home: None,
        }
    }

    #[test]
    fn the_password_is_never_shown() {
        let t = PgTarget::parse_with(
            "postgres://alice:s3cret-pw@db.example:5433/vigie?sslmode=verify-full&sslrootcert=/ca.pem",
            &env(&[]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.shown(), "postgres://alice@db.example:5433/vigie");
        assert!(!format!("{t:?}").contains("s3cret"));
        assert_eq!(
            t.tls(),
            &Tls::VerifyFull {
                root: PathBuf::from("/ca.pem")
            }
        );
    }

    #[test]
    fn a_network_host_without_sslmode_verifies_the_server() {
        let t = PgTarget::parse_with(
            "postgresql://bob@db.example/vigie",
            &env(&[("PGSSLROOTCERT", "/etc/ca.pem")]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(t.tls(), Tls::VerifyFull { .. }));
        let refused =
            PgTarget::parse_with("postgres://bob@db.example/vigie?sslmode=require", &env(&[]))
                .map(|_| ())
                .unwrap_err()
                .to_string();
        assert!(
            refused.contains("does not check who the server is"),
            "{refused}"
        );
    }

    #[test]
    fn a_password_in_the_query_is_refused_without_echoing_it() {
        let e = PgTarget::parse_with("postgres://bob@/db?host=/tmp&password=hunter22", &env(&[]))
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(!e.contains("hunter22"), "{e}");
    }

    #[test]
    fn pgpass_lines_match_as_libpq_matches_them() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("pgpass");
        std::fs::write(
            &file,
            "# comment\nother:5432:*:bob:nope\nlocalhost:5499:vigie:bob:pa\\:ss\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
            .unwrap_or_else(|e| panic!("{e}"));
        let e = env(&[("PGPASSFILE", file.to_str().unwrap_or_default())]);
        assert_eq!(
            pgpass_password(&e, "/tmp/sock", 5499, "vigie", "bob").as_deref(),
            Some("pa:ss")
        );
        assert_eq!(pgpass_password(&e, "/tmp/sock", 5432, "vigie", "bob"), None);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            pgpass_password(&e, "/tmp/sock", 5499, "vigie", "bob"),
            None,
            "a file others can read is ignored"
        );
    }
}
