//! Names and values as PostgreSQL and URLs take them: quoting, percent-encoding, checks.

use super::*;

/// Where temporary folders go: the system's, unless its path is too long for the socket
/// (a Unix socket path has at most 107 bytes).
pub(super) fn temporary_parent() -> PathBuf {
    let parent = std::env::temp_dir();
    // parent + "/vigie-pgtest-XXXXXX/socket/.s.PGSQL.65535.lock"
    if parent.as_os_str().len() + 48 < 100 {
        parent
    } else {
        PathBuf::from("/tmp")
    }
}

/// 16 random bytes in hex, from the kernel.
pub(super) fn random_hex() -> Result<String, PgTestError> {
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
pub(super) fn config_string(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

/// An SQL identifier, quoted.
pub(super) fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// An SQL string literal (`standard_conforming_strings` is on).
pub(super) fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Percent-encodes everything but URL-unreserved characters (and `/` when `keep_slash`).
pub(super) fn percent_encode(text: &str, keep_slash: bool) -> String {
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

pub(super) fn percent_decode(text: &str) -> Option<String> {
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

pub(super) fn credentials(role: &str, password: Option<&str>) -> String {
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
pub(super) fn check_name(what: &str, name: &str) -> Result<(), PgTestError> {
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
