//! The library's typed errors. Every message names what is wrong and how to mend it.

use thiserror::Error;

/// Errors from the pure core (calendar, contract, sla) and from parsing user input.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// A contract, holiday or keymap file that cannot be used.
    #[error("{file}:{line}: {field}: {message}")]
    Config {
        file: String,
        line: usize,
        field: String,
        message: String,
    },
    /// A date outside the range the calendar was built for.
    #[error("{date} is outside the calendar's range {first}–{last}; frist computes deadlines for {first_year}–{last_year}")]
    OutOfRange {
        date: chrono::NaiveDate,
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
        first_year: i32,
        last_year: i32,
    },
    /// A category id the contract does not have.
    #[error("unknown category '{id}' in contract {contract}; valid ids: {}", valid.join(", "))]
    UnknownCategory {
        id: String,
        contract: String,
        valid: Vec<String>,
    },
    /// A time the user typed that is not in an accepted format.
    #[error("cannot read the time '{input}': {reason}. Accepted formats: 'YYYY-MM-DD HH:MM' (local to the contract, e.g. 2025-03-03 15:30), 'DD.MM.YYYY HH:MM' (e.g. 03.03.2025 15:30) or RFC 3339 (e.g. 2025-03-03T15:30:00+01:00)")]
    BadTime { input: String, reason: String },
    /// A category has no target of the asked kind.
    #[error("category '{category}' has no {what} target")]
    NoTarget { category: String, what: String },
    /// A contract or holiday name that is neither built in nor a readable file.
    #[error("{0}")]
    NotFound(String),
    /// A value the user gave (a month, a filter) that cannot be used; the message says how to
    /// mend it.
    #[error("{0}")]
    Invalid(String),
    /// A line of an imported file that cannot be read; nothing of the file is imported.
    #[error("{file}, line {line}: {message}; nothing was imported")]
    BadLine {
        file: String,
        line: usize,
        message: String,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Line number (1-based) of a byte offset in a source text.
pub fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].matches('\n').count() + 1
}
