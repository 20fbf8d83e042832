//! Which database files this process holds SQLite connections to.
//!
//! On POSIX, closing *any* descriptor of a file drops every `fcntl` lock the process holds on
//! it, including the locks of SQLite connections opened on other descriptors. A process that
//! reads a database file's header with `std::fs` while one of its own connections is open
//! therefore silently releases that connection's shared lock: another process then believes it
//! is the file's last user, checkpoints, and deletes the write-ahead log that the first
//! connection keeps writing into. Answers acknowledged after that are lost.
//!
//! So the store touches a database file with anything but SQLite only while it holds this
//! registry's lock and no connection of the process is open on that file. A file is known by
//! its device and inode (a second path or a hard link to the same file is the same file).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A file's identity: device and inode on Unix, the canonical path elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FileKey(Identity);

#[cfg(unix)]
type Identity = (u64, u64);
#[cfg(not(unix))]
type Identity = std::path::PathBuf;

impl FileKey {
    /// The identity of the file at `path`, if it exists. Uses `stat`, which opens no
    /// descriptor and so releases no lock.
    pub(crate) fn of(path: &Path) -> Option<FileKey> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::metadata(path).ok()?;
            Some(FileKey((meta.dev(), meta.ino())))
        }
        #[cfg(not(unix))]
        {
            std::fs::canonicalize(path).ok().map(FileKey)
        }
    }
}

static OPEN: Mutex<Option<HashMap<FileKey, usize>>> = Mutex::new(None);

/// The registry, locked. Held for the whole of [`crate::Store::open`], so that two threads of
/// one process never inspect a file while the other is connecting to it.
pub(crate) struct Registry {
    guard: MutexGuard<'static, Option<HashMap<FileKey, usize>>>,
}

impl Registry {
    pub(crate) fn lock() -> Registry {
        // A panic while the lock was held leaves the counts as they were: still correct.
        let guard = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
        Registry { guard }
    }

    /// Whether a connection of this process is open on the file at `path`.
    pub(crate) fn is_open(&self, path: &Path) -> bool {
        match (FileKey::of(path), self.guard.as_ref()) {
            (Some(key), Some(map)) => map.get(&key).is_some_and(|n| *n > 0),
            _ => false,
        }
    }

    /// Records one more connection on the file at `path` (which must exist: the connection was
    /// just opened on it). Dropping the returned value records its closing.
    pub(crate) fn register(&mut self, path: &Path) -> Registration {
        let key = FileKey::of(path);
        if let Some(key) = &key {
            *self
                .guard
                .get_or_insert_with(HashMap::new)
                .entry(key.clone())
                .or_insert(0) += 1;
        }
        Registration { key }
    }
}

/// One open connection, as the registry counts it. Declared after the connection in
/// [`crate::Store`] so that it is dropped after the connection is closed.
#[derive(Debug)]
pub(crate) struct Registration {
    key: Option<FileKey>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else {
            return;
        };
        let mut registry = Registry::lock();
        if let Some(map) = registry.guard.as_mut()
            && let Some(count) = map.get_mut(&key)
        {
            *count = count.saturating_sub(1);
            if *count == 0 {
                map.remove(&key);
            }
        }
    }
}

/// Whether `candidate` names the database at `db` or one of SQLite's files beside it (its
/// write-ahead log, shared-memory index or rollback journal). Writing a report or a copy there
/// would destroy the database, and closing the descriptor would drop this process's locks.
pub fn is_database_or_companion(db: &Path, candidate: &Path) -> bool {
    let candidate_key = FileKey::of(candidate);
    let mut names = vec![db.as_os_str().to_owned()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        names.push(name);
    }
    let candidate_name = normalized(candidate);
    names.iter().any(|name| {
        let name = Path::new(name);
        if name == candidate || (candidate_name.is_some() && normalized(name) == candidate_name) {
            return true;
        }
        match (&candidate_key, FileKey::of(name)) {
            (Some(a), Some(b)) => *a == b,
            _ => false,
        }
    })
}

/// The path with its folder resolved (the file itself need not exist).
fn normalized(path: &Path) -> Option<std::path::PathBuf> {
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hard_link_and_a_companion_are_recognised() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("team.sqlite");
        std::fs::write(&db, b"").expect("db");
        let link = dir.path().join("alias.sqlite");
        std::fs::hard_link(&db, &link).expect("link");
        assert!(is_database_or_companion(&db, &link));
        assert!(is_database_or_companion(
            &db,
            &dir.path().join("team.sqlite-wal")
        ));
        assert!(is_database_or_companion(
            &db,
            &dir.path().join(".").join("team.sqlite-shm")
        ));
        assert!(!is_database_or_companion(
            &db,
            &dir.path().join("report.html")
        ));
    }
}
