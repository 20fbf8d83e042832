use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A calendar date, written `YYYY-MM-DD` in files and on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("`{0}` is not a date: expected YYYY-MM-DD")]
    Format(String),
    #[error("{year:04}-{month:02}-{day:02}: {}", why_invalid(*year, *month, *day))]
    Invalid { year: i32, month: u8, day: u8 },
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// What is wrong with a date that does not exist, in the words of a person
/// checking a calendar ("there is no 30 February in 2027").
fn why_invalid(year: i32, month: u8, day: u8) -> String {
    if !(1..=9999).contains(&year) {
        return "the year must be between 0001 and 9999".to_string();
    }
    let Some(name) = month
        .checked_sub(1)
        .and_then(|m| MONTHS.get(usize::from(m)))
    else {
        return format!("there is no month {month:02} (months run from 01 to 12)");
    };
    if day == 0 {
        return "days run from 01".to_string();
    }
    let last = days_in_month(year, month);
    if month == 2 && day == 29 {
        return format!("there is no 29 February in {year}: {year} is not a leap year");
    }
    format!("there is no {day} {name}: {name} has {last} days")
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, DateError> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        if valid {
            Ok(Date { year, month, day })
        } else {
            Err(DateError::Invalid { year, month, day })
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        vigie_rules::days_from_civil(self.year, self.month, self.day)
    }

    /// The date `days` days since 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Result<Self, DateError> {
        let (year, month, day) = vigie_rules::civil_from_days(days);
        let year = i32::try_from(year).map_err(|_| DateError::Format(days.to_string()))?;
        Date::new(year, month, day)
    }

    pub fn add_days(self, days: i64) -> Result<Self, DateError> {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// Signed number of days from `self` to `other`.
    pub fn days_until(self, other: Date) -> i64 {
        other.days_since_epoch() - self.days_since_epoch()
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DateError::Format(s.to_string());
        let mut parts = s.trim().splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let month = m.parse().map_err(|_| bad())?;
        let day = d.parse().map_err(|_| bad())?;
        Date::new(year, month, day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for Date {
    type Error = DateError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d: Date = "2026-11-23".parse().unwrap();
        assert_eq!(d.to_string(), "2026-11-23");
        assert!("2026-02-30".parse::<Date>().is_err());
        let message = |s: &str| s.parse::<Date>().unwrap_err().to_string();
        assert_eq!(
            message("2027-02-30"),
            "2027-02-30: there is no 30 February: February has 28 days"
        );
        assert_eq!(
            message("2027-02-29"),
            "2027-02-29: there is no 29 February in 2027: 2027 is not a leap year"
        );
        assert_eq!(
            message("2027-04-31"),
            "2027-04-31: there is no 31 April: April has 30 days"
        );
        assert_eq!(
            message("2027-13-01"),
            "2027-13-01: there is no month 13 (months run from 01 to 12)"
        );
        assert_eq!(message("2027-01-00"), "2027-01-00: days run from 01");
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!("2026/11/23".parse::<Date>().is_err());
        assert!("".parse::<Date>().is_err());
    }

    #[test]
    fn day_arithmetic_round_trips() {
        let d = Date::new(2026, 11, 23).unwrap();
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        for delta in [-1000, -1, 0, 1, 30, 365, 10_000] {
            assert_eq!(
                d.add_days(delta).unwrap().days_since_epoch(),
                d.days_since_epoch() + delta
            );
        }
        assert_eq!(d.add_days(8).unwrap().to_string(), "2026-12-01");
        assert_eq!(Date::new(2026, 1, 1).unwrap().days_until(d), 326);
    }
}
