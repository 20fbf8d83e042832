//! Waiting for another writer: SQLite reports a busy file after its own timeout; the store
//! tries again, with a growing jittered pause, for at most [`MAX_BUSY_WAIT`].

use std::path::Path;
use std::time::{Duration, Instant};

use crate::MAX_BUSY_WAIT;
use crate::error::{Result, StoreError, is_busy};

/// Retries `f` while SQLite reports the database busy or locked (each try already waits up to
/// [`BUSY_TIMEOUT`]), with a short randomised backoff, for at most [`MAX_BUSY_WAIT`].
pub(crate) fn retry_busy<T, E>(path: &Path, mut f: impl FnMut() -> Result<T, E>) -> Result<T>
where
    E: Into<StoreError>,
{
    let started = Instant::now();
    let mut attempt: u32 = 0;
    loop {
        match f().map_err(Into::into) {
            Err(StoreError::Database(e)) if is_busy(&e) => {
                if started.elapsed() >= MAX_BUSY_WAIT {
                    return Err(StoreError::Busy {
                        path: path.to_path_buf(),
                        waited: started.elapsed(),
                    });
                }
                attempt = attempt.saturating_add(1);
                std::thread::sleep(backoff(attempt));
            }
            other => return other,
        }
    }
}

/// 1–2 ms growing to 50–100 ms, jittered by the clock so that processes do not retry in step.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let base = 1u64 << attempt.min(6);
    let base = base.min(50);
    let jitter = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0),
    ) % (base * 1000);
    Duration::from_micros(base * 1000 + jitter)
}
