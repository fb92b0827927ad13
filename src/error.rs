//! The library's typed errors. Every message names what is wrong and how to mend it.

use crate::i18n::Lang;
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
    #[error("unknown category '{id}' in contract {contract}; did you mean '{}'? Valid ids: {}", nearest(valid, id), valid.join(", "))]
    UnknownCategory {
        id: String,
        contract: String,
        valid: Vec<String>,
    },
    /// A time the user typed that is not in an accepted format.
    #[error("cannot read the time '{input}': {reason}. Accepted formats: 'YYYY-MM-DD HH:MM' (local to the contract, e.g. 2025-03-03 15:30), 'DD.MM.YYYY HH:MM' (e.g. 03.03.2025 15:30) or RFC 3339 (e.g. 2025-03-03T15:30:00+01:00)")]
    BadTime { input: String, reason: TimeProblem },
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
    /// A refusal a user meets in normal use (a month not begun, a misspelt contract or
    /// keymap), written in both languages where it is raised.
    #[error("{en}")]
    Said { da: String, en: String },
    /// A month the user typed that is not `YYYY-MM`.
    #[error("cannot read the month '{0}'; write it as YYYY-MM, e.g. 2025-03")]
    BadMonth(String),
    /// A line of an imported file that cannot be read; nothing of the file is imported.
    #[error("{file}, line {line}: {problem}; nothing was imported")]
    BadLine {
        file: String,
        line: usize,
        problem: LineProblem,
    },
    /// An imported file without a single measurement in it.
    #[error("{file} has no measurements; each line is 'transaction type; instant; seconds', e.g. 'Login; 2026-10-05 09:14; 1,8'")]
    NoMeasurements { file: String },
}

/// What is wrong with a line of a response-time file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// The CSV reader's own complaint (its text is English).
    Unreadable(String),
    /// Not three fields.
    FieldCount { delimiter: char, found: usize },
    /// A transaction type the contract does not list.
    UnknownType { name: String, valid: Vec<String> },
    /// The instant.
    Time { input: String, reason: TimeProblem },
    /// The seconds.
    Seconds(String),
}

impl std::fmt::Display for LineProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl LineProblem {
    fn text(&self, l: Lang) -> String {
        let quoted = |v: &[String]| {
            v.iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            LineProblem::Unreadable(e) => {
                format!("{} ({e})", l.t("linjen kan ikke læses", "cannot read the line"))
            }
            LineProblem::FieldCount { delimiter, found } => match l {
                Lang::Da => format!(
                    "der skal være 3 felter (transaktionstype, tidspunkt, sekunder) adskilt af '{delimiter}', der er {found}"
                ),
                Lang::En => format!(
                    "expected 3 fields (transaction type, instant, seconds) separated by '{delimiter}', found {found}"
                ),
            },
            LineProblem::UnknownType { name, valid } => match l {
                Lang::Da => format!(
                    "ukendt transaktionstype \"{name}\"; kontraktens typer er: {}",
                    quoted(valid)
                ),
                Lang::En => format!(
                    "unknown transaction type \"{name}\"; the contract's types are: {}",
                    quoted(valid)
                ),
            },
            LineProblem::Time { input, reason } => Error::BadTime {
                input: input.clone(),
                reason: *reason,
            }
            .message(l),
            LineProblem::Seconds(v) => match l {
                Lang::Da => format!(
                    "sekunderne \"{v}\" er ikke et tal ≥ 0; skriv fx 2,5 eller 2.5"
                ),
                Lang::En => {
                    format!("the seconds \"{v}\" are not a number ≥ 0; write e.g. 2.5 or 2,5")
                }
            },
        }
    }
}

/// What is wrong with a time the user typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeProblem {
    Empty,
    NoTimeOfDay,
    NoSuchDate,
    Format,
}

impl std::fmt::Display for TimeProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text(Lang::En))
    }
}

impl TimeProblem {
    fn text(self, l: Lang) -> &'static str {
        match self {
            TimeProblem::Empty => l.t("den er tom", "it is empty"),
            TimeProblem::NoTimeOfDay => l.t("klokkeslættet mangler", "a time of day is missing"),
            TimeProblem::NoSuchDate => l.t("datoen findes ikke", "the date does not exist"),
            TimeProblem::Format => l.t(
                "den er ikke i et af de formater, frist læser",
                "it is not in an accepted format",
            ),
        }
    }
}

impl Error {
    /// The message in the user's language. The errors a user meets at the prompt (a time, a
    /// category) and in an imported file are worded in Danish too; the others (a broken
    /// contract file, for its author) are the English `Display`.
    pub fn message(&self, l: Lang) -> String {
        match (self, l) {
            (Error::BadTime { input, reason }, Lang::Da) => format!(
                "kan ikke læse tidspunktet '{input}': {}. Skriv 'ÅÅÅÅ-MM-DD TT:MM' (kontraktens tid, fx 2025-03-03 15:30), 'DD.MM.ÅÅÅÅ TT:MM' (fx 03.03.2025 15:30) eller RFC 3339 (fx 2025-03-03T15:30:00+01:00)",
                reason.text(l)
            ),
            (Error::UnknownCategory { id, contract, valid }, Lang::Da) => format!(
                "ukendt kategori '{id}' i kontrakten {contract}; mente du '{}'? Gyldige: {}",
                nearest(valid, id),
                valid.join(", ")
            ),
            (
                Error::OutOfRange {
                    date,
                    first_year,
                    last_year,
                    ..
                },
                Lang::Da,
            ) => format!(
                "{} ligger uden for kalenderen; frist beregner frister for {first_year}–{last_year}",
                date.format("%d.%m.%Y")
            ),
            (Error::Said { da, .. }, Lang::Da) => da.clone(),
            (Error::BadMonth(input), Lang::Da) => {
                format!("kan ikke læse måneden '{input}'; skriv ÅÅÅÅ-MM, fx 2025-03")
            }
            (Error::NoTarget { category, what }, Lang::Da) => {
                format!("kategorien '{category}' har intet mål for {what}")
            }
            (
                Error::BadLine {
                    file,
                    line,
                    problem,
                },
                Lang::Da,
            ) => format!(
                "{file}, linje {line}: {}; intet er importeret",
                problem.text(l)
            ),
            (Error::NoMeasurements { file }, Lang::Da) => format!(
                "{file} har ingen målinger; hver linje er 'transaktionstype; tidspunkt; sekunder', fx 'Login; 2026-10-05 09:14; 1,8'"
            ),
            _ => self.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Line number (1-based) of a byte offset in a source text.
pub fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].matches('\n').count() + 1
}

/// The known name nearest to what was typed, for a "did you mean" hint.
pub fn nearest<'a>(known: &'a [String], typed: &str) -> &'a str {
    let typed = typed.to_lowercase();
    known
        .iter()
        .min_by_key(|k| strsim::levenshtein(&k.to_lowercase(), &typed))
        .map_or("", |k| k.as_str())
}
