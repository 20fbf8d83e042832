//! On-disk cache of compiled plugin code.
//!
//! Deserializing compiled code is `unsafe` in wasmtime: bytes that did not
//! come from a compatible engine could run as machine code. So this cache only
//! ever reads files it wrote itself, in its own folder, under a name derived
//! from the plugin's sha256 and the engine's compatibility hash; files are
//! written to a temporary name and renamed, so a crash never leaves a
//! half-written file under a real name.

use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

use sha2::Digest;
use wasmtime::Engine;
use wasmtime::component::Component;

/// Length of the CRC-32 that ends every cache file.
const DIGEST_LEN: usize = 4;

/// The checksum guards against accidental damage (a bad disk block, a
/// truncated copy): CRC-32 catches every burst error up to 32 bits and runs
/// at memory speed, where a sha256 of the ~600 KiB of compiled code would
/// double the cost of a cache load. Deliberate tampering is out of its scope:
/// whoever can write the user's cache folder can already run code as the user.
fn checksum(code: &[u8]) -> [u8; DIGEST_LEN] {
    crc32fast::hash(code).to_le_bytes()
}

/// A folder of compiled plugins, owned by this host.
#[derive(Clone, Debug)]
pub struct CompileCache {
    dir: PathBuf,
}

/// Feeds `Hash` output into sha256 so the key is stable across processes
/// (std's `DefaultHasher` makes no such promise).
struct Sha256Hasher(sha2::Sha256);

impl Hasher for Sha256Hasher {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

pub(crate) fn engine_hash(engine: &Engine) -> String {
    let mut hasher = Sha256Hasher(sha2::Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hex::encode(&hasher.0.finalize()[..16])
}

impl CompileCache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        CompileCache { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, engine: &Engine, sha256: &str) -> PathBuf {
        self.dir
            .join(format!("{sha256}-{}.cwasm", engine_hash(engine)))
    }

    /// The cached compiled code for `sha256`, if this engine wrote it and
    /// the file is intact.
    pub fn load(&self, engine: &Engine, sha256: &str) -> Option<Component> {
        let path = self.path(engine, sha256);
        let file = std::fs::read(&path).ok()?;
        // The file is the serialized code followed by its own checksum (see
        // `store`): a file damaged on disk fails the check and is recompiled
        // instead of being run as machine code.
        let code = file
            .len()
            .checked_sub(DIGEST_LEN)
            .map(|at| file.split_at(at))
            .filter(|(code, digest)| checksum(code).as_slice() == *digest)
            .map(|(code, _)| code);
        // SAFETY: the file lives in this cache's own folder under a name made
        // of the plugin's sha256 and this engine's compatibility hash, was
        // written only by `store` below from code this engine compiled, and
        // its checksum matches; wasmtime also checks the header's engine
        // configuration and refuses a mismatch.
        match code.map(|code| unsafe { Component::deserialize(engine, code) }) {
            Some(Ok(component)) => Some(component),
            _ => {
                // Stale or damaged: drop it and recompile.
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Writes the compiled code of `component` for `sha256`, followed by the
    /// checksum of that code.
    pub fn store(&self, engine: &Engine, sha256: &str, component: &Component) -> io::Result<()> {
        let mut bytes = component
            .serialize()
            .map_err(|e| io::Error::other(format!("{e:#}")))?;
        let digest = checksum(&bytes);
        bytes.extend_from_slice(&digest);
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path(engine, sha256);
        let tmp = self
            .dir
            .join(format!(".{sha256}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)
    }

    /// Removes every cached file (for `plugin cache clear` and benchmarks).
    pub fn clear(&self) -> io::Result<usize> {
        let mut removed = 0;
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "cwasm") {
                std::fs::remove_file(path)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}
