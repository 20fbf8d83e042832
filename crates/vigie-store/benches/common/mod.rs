//! What the store's benchmarks share: loading generated rows into SQLite or PostgreSQL, the
//! two data sets (the store bench's and the portfolio bench's), and small measuring helpers.

// Each benchmark includes this module and uses only its part of it.
#![allow(dead_code)]

pub mod load;
pub mod portfolio_data;
pub mod store_data;

use std::time::Duration;

pub type BoxError = Box<dyn std::error::Error>;

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The middle value of `times` (the upper one of the two middles for an even count).
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// Peak resident set size of this process, in kB.
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
