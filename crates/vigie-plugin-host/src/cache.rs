//! On-disk cache of compiled plugin code.
//!
//! Deserializing compiled code is `unsafe` in wasmtime: bytes it is handed
//! run as machine code. Whoever can put a file in the cache folder must not
//! be able to choose that code, so:
//!
//! - every entry ends with a tag, keyed BLAKE3 over the engine's
//!   compatibility hash, the plugin's sha256 and the code, under a random key
//!   of this user kept outside the cache folder. The tag is checked, in constant time,
//!   before wasmtime sees a byte; an entry that fails is recompiled and
//!   overwritten, never loaded. A copy of plugin X's entry under plugin Y's
//!   name fails too: Y's sha256 is part of what the tag covers;
//! - the folder is created private (0700) and refused, with the plugins then
//!   compiled in memory, when another user owns it or its group or others
//!   may write it. One cache belongs to one Unix user: another user's
//!   entries would never verify under this user's key anyway;
//! - entries are written to a fresh temporary file created exclusively
//!   (`O_EXCL`, so no planted symlink is followed) and renamed over the entry,
//!   so a crash never leaves a half-written file under a real name.

use std::fs::{File, Metadata};
use std::hash::{Hash, Hasher};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Length of the random MAC key, in bytes.
const KEY_LEN: usize = 32;

/// Length of the keyed-BLAKE3 tag that ends every entry.
const TAG_LEN: usize = blake3::OUT_LEN;

/// Bytes fed to the MAC before anything else, so a tag made for this cache
/// means nothing anywhere else the key might ever be used.
const MAC_DOMAIN: &[u8] = b"vigie compiled plugin v1\0";

/// Entries larger than this are not read (compiled plugins weigh a few MiB).
const MAX_ENTRY_BYTES: u64 = 256 << 20;

/// Prefix and suffix of the temporary files `store` writes, so `clear` can
/// remove those a crash left behind.
const TMP_PREFIX: &str = ".vigie-";
const TMP_SUFFIX: &str = ".tmp";

/// Why the compile cache is not used for this run. The host then compiles
/// every plugin in memory: slower, never wrong. The caller shows it once.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(
        "compile cache {}: {reason}; plugins are compiled in memory instead (give each user a private cache folder: the default, or VIGIE_CACHE_DIR)",
        dir.display()
    )]
    UnsafeFolder { dir: PathBuf, reason: String },
    #[error(
        "compile cache key {}: {reason}; plugins are compiled in memory instead",
        path.display()
    )]
    Key { path: PathBuf, reason: String },
}

/// Where the compiled plugins go, and where this user's MAC key is kept.
/// Nothing touches the disk until a host opens it (see [`crate::Host::new`]).
#[derive(Clone, Debug)]
pub struct CompileCache {
    dir: PathBuf,
    key_file: PathBuf,
}

/// Feeds `Hash` output into sha256 so the key is stable across processes
/// (std's `DefaultHasher` makes no such promise).
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

pub(crate) fn engine_hash(engine: &Engine) -> String {
    let mut hasher = Sha256Hasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hex::encode(&hasher.0.finalize()[..16])
}

impl CompileCache {
    /// A cache in folder `dir` (created 0700 when missing), whose entries are
    /// authenticated with the key in `key_file` (created 0600 when missing).
    /// `key_file` must lie outside `dir`, in a place only this user writes:
    /// whoever can replace the key can forge entries.
    pub fn new(dir: impl Into<PathBuf>, key_file: impl Into<PathBuf>) -> Self {
        CompileCache {
            dir: dir.into(),
            key_file: key_file.into(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn key_file(&self) -> &Path {
        &self.key_file
    }

    /// Creates or checks the folder and the key, for `engine`.
    pub(crate) fn open(&self, engine: &Engine) -> Result<OpenCache, CacheError> {
        prepare_folder(&self.dir).map_err(|reason| CacheError::UnsafeFolder {
            dir: self.dir.clone(),
            reason,
        })?;
        let key_error = |reason: String| CacheError::Key {
            path: self.key_file.clone(),
            reason,
        };
        let key = load_or_create_key(&self.key_file).map_err(key_error)?;
        Ok(OpenCache {
            dir: self.dir.clone(),
            key,
            engine_hash: engine_hash(engine),
        })
    }

    /// Removes every cached file, and the temporary files a crash may have
    /// left (for `plugin clear-cache` and benchmarks). The key stays.
    pub fn clear(&self) -> io::Result<usize> {
        let mut removed = 0;
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let leftover = name.starts_with(TMP_PREFIX) && name.ends_with(TMP_SUFFIX);
            if name.ends_with(".cwasm") || leftover {
                std::fs::remove_file(entry.path())?;
                removed += usize::from(!leftover);
            }
        }
        Ok(removed)
    }
}

/// A cache whose folder passed its checks and whose key is loaded.
pub(crate) struct OpenCache {
    dir: PathBuf,
    key: [u8; KEY_LEN],
    engine_hash: String,
}

impl OpenCache {
    fn path(&self, sha256: &str) -> PathBuf {
        self.dir
            .join(format!("{sha256}-{}.cwasm", self.engine_hash))
    }

    /// The MAC state over everything an entry's tag binds before its code.
    fn mac(&self, sha256: &str) -> blake3::Hasher {
        let mut mac = blake3::Hasher::new_keyed(&self.key);
        mac.update(MAC_DOMAIN);
        for field in [self.engine_hash.as_bytes(), sha256.as_bytes()] {
            mac.update(&(field.len() as u64).to_le_bytes());
            mac.update(field);
        }
        mac
    }

    /// The cached compiled code for `sha256`, if this user's key vouches for
    /// it. Anything else is removed, to be recompiled and overwritten.
    #[allow(unsafe_code)] // Loads authenticated compiled code: see the SAFETY comment.
    pub(crate) fn load(&self, engine: &Engine, sha256: &str) -> Option<Component> {
        let path = self.path(sha256);
        let file = read_entry(&path).ok()?;
        let code = file
            .len()
            .checked_sub(TAG_LEN)
            .map(|at| file.split_at(at))
            .filter(|(code, tag)| {
                let mut mac = self.mac(sha256);
                mac.update(code);
                // `blake3::Hash` compares in constant time.
                <[u8; TAG_LEN]>::try_from(*tag)
                    .is_ok_and(|tag| mac.finalize() == blake3::Hash::from_bytes(tag))
            })
            .map(|(code, _)| code);
        // SAFETY: `code` is exactly what `store` below wrote for this plugin
        // sha256 and this engine hash: its tag verified under this user's
        // secret key, which never leaves the user's own 0600 file, and the
        // bytes were read into memory once, so they cannot change between
        // the check and their use. wasmtime also checks the header's engine
        // configuration and refuses a mismatch.
        match code.map(|code| unsafe { Component::deserialize(engine, code) }) {
            Some(Ok(component)) => Some(component),
            _ => {
                // Forged, damaged, or from another build: never loaded.
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Writes the compiled code of `component` for `sha256`, followed by its tag.
    pub(crate) fn store(&self, sha256: &str, component: &Component) -> io::Result<()> {
        let mut bytes = component
            .serialize()
            .map_err(|e| io::Error::other(format!("{e:#}")))?;
        let mut mac = self.mac(sha256);
        mac.update(&bytes);
        bytes.extend_from_slice(mac.finalize().as_bytes());
        // A new file with a random name, created with O_EXCL: a symlink
        // planted in the folder is never followed.
        let mut tmp = tempfile::Builder::new()
            .prefix(TMP_PREFIX)
            .suffix(TMP_SUFFIX)
            .tempfile_in(&self.dir)?;
        tmp.write_all(&bytes)?;
        // `rename` replaces whatever is at the entry's name, a symlink
        // included, without following it.
        tmp.persist(self.path(sha256)).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Opens `path` for reading without following a symlink at its last component.
fn open_no_follow(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: a FIFO planted under the name must not hang the open.
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        options.custom_flags(flags.bits() as i32);
    }
    options.open(path)
}

/// The bytes of the entry at `path`: a regular file of a plausible size.
fn read_entry(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = open_no_follow(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() || meta.len() > MAX_ENTRY_BYTES {
        return Err(io::Error::other("not a cache entry"));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    (&mut file).take(MAX_ENTRY_BYTES).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Creates `dir` (0700) when missing, then checks that it is a folder of
/// this user that no one else may write.
fn prepare_folder(dir: &Path) -> Result<(), String> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| format!("cannot create the folder: {e}"))?;
    let meta = std::fs::metadata(dir).map_err(|e| format!("cannot read the folder: {e}"))?;
    if !meta.is_dir() {
        return Err("not a folder".into());
    }
    owned_by_this_user(&meta)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.mode() & 0o022 != 0 {
            return Err(format!(
                "its group or other users may write it (mode {:o}; `chmod 700` it if it is yours alone): a compile cache is never shared between users",
                meta.mode() & 0o7777
            ));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn owned_by_this_user(meta: &Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(format!(
            "owned by user id {}, not by this user (id {me})",
            meta.uid()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn owned_by_this_user(_meta: &Metadata) -> Result<(), String> {
    // Ownership and modes are Unix notions; elsewhere the folder's access
    // control list is the user's profile's, and the MAC still holds.
    Ok(())
}

/// This user's MAC key, created on first use.
fn load_or_create_key(path: &Path) -> Result<[u8; KEY_LEN], String> {
    match read_key(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        other => return other.map_err(|e| e.to_string()),
    }
    create_key(path).map_err(|e| format!("cannot create it: {e}"))?;
    read_key(path).map_err(|e| e.to_string())
}

/// Writes a fresh random key at `path`, unless a key is already there (a
/// concurrent first run): readers see no file or a whole one, never a part.
fn create_key(path: &Path) -> io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(folder)?;
    let mut key = [0u8; KEY_LEN];
    getrandom::fill(&mut key).map_err(|e| io::Error::other(format!("no randomness: {e}")))?;
    // tempfile creates the file 0600 and exclusively.
    let mut tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .suffix(TMP_SUFFIX)
        .tempfile_in(folder)?;
    tmp.write_all(&key)?;
    tmp.as_file().sync_all()?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e.error),
    }
}

/// Reads the key at `path`: a regular file (not a symlink) of this user that
/// no one else may read or write, holding exactly [`KEY_LEN`] bytes.
fn read_key(path: &Path) -> io::Result<[u8; KEY_LEN]> {
    let refuse = |reason: String| io::Error::new(io::ErrorKind::PermissionDenied, reason);
    let mut file = open_no_follow(path).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            e
        } else {
            refuse(format!(
                "cannot open it (a symlink is refused): {e}; delete it and a new key is made"
            ))
        }
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(refuse("not a regular file".into()));
    }
    owned_by_this_user(&meta).map_err(refuse)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.mode() & 0o077 != 0 {
            return Err(refuse(format!(
                "its group or other users may read or write it (mode {:o}); chmod 600 it, or delete it and a new key is made",
                meta.mode() & 0o7777
            )));
        }
    }
    let mut key = [0u8; KEY_LEN];
    let mut rest = Vec::new();
    file.read_exact(&mut key)
        .and_then(|()| (&mut file).take(1).read_to_end(&mut rest))
        .ok()
        .filter(|extra| *extra == 0)
        .ok_or_else(|| {
            refuse(format!(
                "not a key of {KEY_LEN} bytes; delete it and a new key is made"
            ))
        })?;
    Ok(key)
}
