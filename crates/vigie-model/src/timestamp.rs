//! Instants at which something was recorded (created, changed, finalized), as RFC 3339 text.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An RFC 3339 instant, such as `2026-12-05T08:00:00.123456Z`.
///
/// The text it was read from is kept as it is: audit rows and exchange files hash and compare
/// records as JSON, so a timestamp read and written back must give the same bytes, even one
/// written by another program with another number of fractional digits or another offset.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp {
    text: String,
    at: OffsetDateTime,
}

/// A text that is not an RFC 3339 timestamp.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not an RFC 3339 timestamp (such as 2026-12-05T08:00:00.000000Z): {reason}")]
pub struct TimestampError {
    pub text: String,
    pub reason: String,
}

impl Timestamp {
    /// `at` in UTC with a fixed width (microseconds), as the store writes it: text order is
    /// then time order.
    pub fn from_datetime(at: OffsetDateTime) -> Timestamp {
        let at = at.to_offset(time::UtcOffset::UTC);
        let text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
            at.microsecond()
        );
        Timestamp { text, at }
    }

    /// The text, as stored.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The instant.
    pub fn datetime(&self) -> OffsetDateTime {
        self.at
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let at = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| TimestampError {
            text: text.chars().take(64).collect(),
            reason: e.to_string(),
        })?;
        Ok(Timestamp {
            text: text.to_string(),
            at,
        })
    }
}

impl TryFrom<String> for Timestamp {
    type Error = TimestampError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Timestamp> for String {
    fn from(t: Timestamp) -> String {
        t.text
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

// Equal when the text is: the text is what is stored and hashed.
impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Timestamp {}

impl Hash for Timestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// By instant, then by text (two spellings of one instant are not equal).
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.at
            .cmp(&other.at)
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl PartialEq<str> for Timestamp {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Timestamp {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_read_is_the_text_written() {
        for text in [
            "2026-12-05T08:00:00.123456Z",
            "2026-12-05T08:00:00Z",
            "2026-12-05T09:00:00.5+01:00",
        ] {
            let t: Result<Timestamp, _> = text.parse();
            assert_eq!(t.map(String::from).ok().as_deref(), Some(text));
        }
    }

    #[test]
    fn malformed_text_is_an_error_not_a_panic() {
        for text in ["", "yesterday", "2026-13-01T00:00:00Z", "2026-12-05 08:00"] {
            let t: Result<Timestamp, _> = text.parse();
            assert!(t.is_err(), "{text}");
        }
        let json: Result<Timestamp, _> = serde_json::from_str("\"not a time\"");
        assert!(json.is_err());
    }

    #[test]
    fn the_store_format_is_fixed_width_utc() {
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).map(|t| {
            t.to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap_or(time::UtcOffset::UTC))
        });
        let t = at.map(Timestamp::from_datetime);
        assert_eq!(
            t.as_ref().map(Timestamp::as_str).ok(),
            Some("2027-01-15T08:00:00.000000Z")
        );
    }

    #[test]
    fn order_is_time_order() {
        let a: Timestamp = "2026-12-05T09:00:00+02:00"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let b: Timestamp = "2026-12-05T08:00:00Z"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(a < b);
    }
}
