//! Throwaway certificates, made with the `openssl` command-line tool: a certificate
//! authority, the server's certificate for `localhost` signed by it, and a second, unrelated
//! authority that a client must refuse the server with.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::command::{clean_command, run_successfully, shown};
use crate::{PgTestError, Step};

const OPENSSL_TIMEOUT: Duration = Duration::from_secs(30);

/// The extensions each certificate needs to pass strict verifiers (webpki, libpq's
/// `verify-full`): authorities that may sign, a server certificate that may not, and the
/// server's names in subjectAltName (the common name is not checked by modern clients).
const OPENSSL_CONFIG: &str = "\
[req]
distinguished_name = name
prompt = no

[name]
CN = vigie-pgtest

[authority]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// Where [`generate`] put the files.
pub(crate) struct Certificates {
    pub(crate) authority: PathBuf,
    pub(crate) other_authority: PathBuf,
    pub(crate) server_certificate: PathBuf,
    pub(crate) server_key: PathBuf,
}

/// Writes the certificates and keys into `folder` (which exists).
pub(crate) fn generate(folder: &Path) -> Result<Certificates, PgTestError> {
    let step = Step::Certificates;
    let config = folder.join("openssl.cnf");
    std::fs::write(&config, OPENSSL_CONFIG)
        .map_err(|e| PgTestError::new(step, format!("cannot write {}: {e}", shown(&config))))?;
    let authority = folder.join("ca.crt");
    let authority_key = folder.join("ca.key");
    let other_authority = folder.join("other-ca.crt");
    let other_authority_key = folder.join("other-ca.key");
    let server_certificate = folder.join("server.crt");
    let server_key = folder.join("server.key");
    let server_request = folder.join("server.csr");

    for (certificate, key, name) in [
        (&authority, &authority_key, "/CN=vigie-pgtest authority"),
        (
            &other_authority,
            &other_authority_key,
            "/CN=vigie-pgtest unrelated authority",
        ),
    ] {
        let mut command = openssl(folder);
        command
            .args([
                "req", "-x509", "-new", "-nodes", "-days", "7", "-subj", name,
            ])
            .args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"])
            .args(["-extensions", "authority", "-config"])
            .arg(&config)
            .arg("-keyout")
            .arg(key)
            .arg("-out")
            .arg(certificate);
        run_successfully(command, step, "openssl req (authority)", OPENSSL_TIMEOUT)?;
    }

    let mut request = openssl(folder);
    request
        .args(["req", "-new", "-nodes", "-subj", "/CN=localhost"])
        .args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"])
        .arg("-config")
        .arg(&config)
        .arg("-keyout")
        .arg(&server_key)
        .arg("-out")
        .arg(&server_request);
    run_successfully(request, step, "openssl req (server)", OPENSSL_TIMEOUT)?;

    let mut sign = openssl(folder);
    sign.args(["x509", "-req", "-days", "7", "-set_serial"])
        .arg(serial_number())
        .arg("-in")
        .arg(&server_request)
        .arg("-CA")
        .arg(&authority)
        .arg("-CAkey")
        .arg(&authority_key)
        .args(["-extensions", "server", "-extfile"])
        .arg(&config)
        .arg("-out")
        .arg(&server_certificate);
    run_successfully(
        sign,
        step,
        "openssl x509 -req (signing the server certificate)",
        OPENSSL_TIMEOUT,
    )?;

    Ok(Certificates {
        authority,
        other_authority,
        server_certificate,
        server_key,
    })
}

fn openssl(folder: &Path) -> std::process::Command {
    let mut command = clean_command("openssl");
    command.current_dir(folder);
    command
}

/// A serial number unlikely to repeat between runs (clients cache nothing here, but two
/// certificates from one authority with one serial number are invalid).
fn serial_number() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    format!("0x{:x}{:08x}", nanos & 0xffff_ffff_ffff, std::process::id())
}
