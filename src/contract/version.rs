//! Contract versions (domain §10): the log keeps the text of each contract version it
//! evaluates with, and a ticket is evaluated with the version in force at its report.
//!
//! Pure: which version applies, and where a file differs from a kept version.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One kept version of a contract, as the log stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractVersion {
    /// The contract's id (`laasesystem`).
    pub contract: String,
    /// The first day (contract-local) of the reports it applies to; `None` for the first
    /// version, which applies from the start.
    pub from: Option<NaiveDate>,
    /// The contract file's text.
    pub text: String,
    /// The holiday file's text it was read with.
    pub holidays: String,
    /// Where it was read from (`built-in` or a path), for the reader.
    pub origin: String,
    /// Who recorded it, and when (the real clock).
    pub user: String,
    pub recorded: DateTime<Utc>,
}

/// The versions of `contract` among `all`, oldest first (by the day they apply from).
pub fn of<'a>(all: &'a [ContractVersion], contract: &str) -> Vec<&'a ContractVersion> {
    let mut v: Vec<_> = all.iter().filter(|v| v.contract == contract).collect();
    v.sort_by_key(|v| v.from);
    v
}

/// The version in force for a ticket reported on `day` (contract-local): the latest whose
/// `from` is not after it. `None` when `versions` is empty.
pub fn in_force<'a>(
    versions: &[&'a ContractVersion],
    day: NaiveDate,
) -> Option<&'a ContractVersion> {
    versions
        .iter()
        .rev()
        .find(|v| v.from.is_none_or(|f| f <= day))
        .or(versions.first())
        .copied()
}

/// The first line where two texts differ: its number (from 1) and the two lines (empty where
/// one text has ended). `None` when they are the same but for trailing white space.
pub fn first_difference(kept: &str, file: &str) -> Option<(usize, String, String)> {
    let (a, b): (Vec<&str>, Vec<&str>) = (
        kept.trim_end().lines().map(str::trim_end).collect(),
        file.trim_end().lines().map(str::trim_end).collect(),
    );
    (0..a.len().max(b.len()))
        .find(|&i| a.get(i) != b.get(i))
        .map(|i| {
            (
                i + 1,
                a.get(i).unwrap_or(&"").to_string(),
                b.get(i).unwrap_or(&"").to_string(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(from: Option<(i32, u32, u32)>) -> ContractVersion {
        ContractVersion {
            contract: "c".into(),
            from: from.map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap()),
            text: format!("{from:?}"),
            holidays: String::new(),
            origin: String::new(),
            user: String::new(),
            recorded: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_ticket_gets_the_version_in_force_on_its_report_day() {
        let all = [v(Some((2026, 7, 1))), v(None)];
        let vs = of(&all, "c");
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(in_force(&vs, day(6, 30)).unwrap().from, None);
        assert_eq!(in_force(&vs, day(7, 1)).unwrap().from, Some(day(7, 1)));
        assert!(in_force(&of(&all, "other"), day(7, 1)).is_none());
    }

    #[test]
    fn the_first_differing_line_is_named() {
        assert_eq!(first_difference("a\nb\n", "a\nb"), None);
        assert_eq!(
            first_difference("a\nfine = 1\n", "a\nfine = 999\n"),
            Some((2, "fine = 1".into(), "fine = 999".into()))
        );
        assert_eq!(
            first_difference("a", "a\nb"),
            Some((2, "".into(), "b".into()))
        );
    }
}
