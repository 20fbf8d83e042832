//! Plugin signatures in minisign's format: a consultant signs a plugin file with the standard
//! `minisign` tool (`minisign -S -m plugin.wasm` writes `plugin.wasm.minisig`), a team records
//! the public keys it trusts in its database, and Vigie checks the signature of every stored
//! plugin against those keys whenever it shows or uses the plugin (a signature or key row may
//! have been written by another program: the check, not the row, is the proof).
//!
//! Only pre-hashed signatures (minisign's default since 0.8) are accepted: legacy ones sign
//! the raw file and minisign itself warns against them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use minisign_verify::{PublicKey, Signature};
use vigie_store::TrustedKey;

/// Why a key or a signature cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error(
        "not a minisign public key: give the .pub file minisign wrote, or the base64 line in it ({0})"
    )]
    BadKey(String),
    #[error("not a minisign signature: give the .minisig file minisign wrote ({0})")]
    BadSignature(String),
}

/// A public key read from a `.pub` file (or its base64 line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedKey {
    /// The key id as minisign prints it, lowercase: 16 hex digits.
    pub key_id: String,
    /// The base64 line.
    pub public_key: String,
}

/// What the signature of a plugin proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureStatus {
    /// No signature stored.
    Unsigned,
    /// Signed by a key the team trusts.
    Trusted { key_id: String, comment: String },
    /// Signed by a key the team does not (or no longer) trust.
    UnknownKey { key_id: String },
    /// A signature that does not match the plugin's bytes or cannot be read.
    Invalid { reason: String },
}

impl SignatureStatus {
    pub fn is_trusted(&self) -> bool {
        matches!(self, SignatureStatus::Trusted { .. })
    }
}

impl std::fmt::Display for SignatureStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureStatus::Unsigned => f.write_str("unsigned"),
            SignatureStatus::Trusted { key_id, comment } if comment.is_empty() => {
                write!(f, "signed by key {}", key_id.to_ascii_uppercase())
            }
            SignatureStatus::Trusted { key_id, comment } => {
                write!(
                    f,
                    "signed by {comment} (key {})",
                    key_id.to_ascii_uppercase()
                )
            }
            SignatureStatus::UnknownKey { key_id } => {
                write!(f, "signed by untrusted key {}", key_id.to_ascii_uppercase())
            }
            SignatureStatus::Invalid { reason } => write!(f, "bad signature: {reason}"),
        }
    }
}

/// minisign's key id: 8 bytes, printed as the hex of a little-endian number.
fn key_id_hex(raw: &[u8]) -> String {
    raw.iter().rev().map(|b| format!("{b:02x}")).collect()
}

/// Reads a public key: the whole `.pub` file (comment line and key line) or the key line.
pub fn parse_public_key(text: &str) -> Result<ParsedKey, SigningError> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .ok_or_else(|| SigningError::BadKey("it is empty".into()))?;
    PublicKey::from_base64(line).map_err(|e| SigningError::BadKey(e.to_string()))?;
    let raw = BASE64
        .decode(line)
        .map_err(|e| SigningError::BadKey(e.to_string()))?;
    let id = raw
        .get(2..10)
        .ok_or_else(|| SigningError::BadKey("too short".into()))?;
    Ok(ParsedKey {
        key_id: key_id_hex(id),
        public_key: line.to_string(),
    })
}

/// The key id a signature names (16 lowercase hex digits), after checking its form.
pub fn signature_key_id(signature: &str) -> Result<String, SigningError> {
    Signature::decode(signature).map_err(|e| SigningError::BadSignature(e.to_string()))?;
    let line = signature
        .lines()
        .nth(1)
        .ok_or_else(|| SigningError::BadSignature("no signature line".into()))?;
    let raw = BASE64
        .decode(line.trim())
        .map_err(|e| SigningError::BadSignature(e.to_string()))?;
    let id = raw
        .get(2..10)
        .ok_or_else(|| SigningError::BadSignature("too short".into()))?;
    Ok(key_id_hex(id))
}

/// Checks `signature` (the text of a `.minisig` file, if any) of `bytes` against the keys a
/// team trusts.
pub fn check(bytes: &[u8], signature: Option<&str>, keys: &[TrustedKey]) -> SignatureStatus {
    let Some(signature) = signature else {
        return SignatureStatus::Unsigned;
    };
    let key_id = match signature_key_id(signature) {
        Ok(id) => id,
        Err(e) => {
            return SignatureStatus::Invalid {
                reason: e.to_string(),
            };
        }
    };
    let Some(key) = keys.iter().find(|k| k.key_id == key_id) else {
        return SignatureStatus::UnknownKey { key_id };
    };
    let verified = Signature::decode(signature)
        .and_then(|sig| PublicKey::from_base64(&key.public_key)?.verify(bytes, &sig, false));
    match verified {
        Ok(()) => SignatureStatus::Trusted {
            key_id,
            comment: key.comment.clone(),
        },
        Err(e) => SignatureStatus::Invalid {
            reason: format!("key {}: {e}", key_id.to_ascii_uppercase()),
        },
    }
}
