//! What the front ends (the CLI and the TUI) share at the binary's edge: the context a
//! command runs in (the contract, the clock, the language) and the failure it ends with. Both
//! `cli` and `tui` build on it; neither depends on the other.

use crate::error::Error;
use crate::i18n::Lang;
use crate::load::Loaded;
use chrono::{DateTime, Utc};

/// Everything a command needs from the edge: the contract, the clock, the language.
pub struct Ctx {
    pub loaded: Loaded,
    /// The instant things are evaluated at and the default effective time of a step (`--at`).
    /// `--now`/`FRIST_NOW` may set it; it is never the time a write is recorded at (see
    /// [`recorded_now`]).
    pub now: DateTime<Utc>,
    /// Whether `now` was fixed by `--now`/`FRIST_NOW` rather than read from the clock.
    pub fixed: bool,
    pub lang: Lang,
    /// How long opening a local log waits while another process uses it (`--wait`).
    pub wait: std::time::Duration,
}

/// The instant a write is recorded at: the machine's real wall clock, read at the edge when
/// the write happens. Never `Ctx::now`, which a user or a test may set (domain §4.8). In team
/// mode the database replaces it with its server's clock.
pub fn recorded_now() -> DateTime<Utc> {
    Utc::now()
}

/// `eprintln!` that ignores a failed write: with standard error closed (`2>&-`) or a pipe
/// whose reader is gone, `eprintln!` panics (exit 101) and the command's own exit code is lost;
/// a warning nobody can read is no reason to fail. Every write to standard error in frist
/// goes through this (`clippy.toml` refuses `eprintln!`).
#[macro_export]
macro_rules! say_err {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!(::std::io::stderr(), $($arg)*);
    }};
}

/// An error at the edge: the message for the user and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: i32,
}

impl Failure {
    /// A core error the user can mend, worded in their language.
    pub fn of(e: Error, l: crate::i18n::Lang) -> Failure {
        Failure {
            message: e.message(l),
            code: 2,
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            message: e.to_string(),
            code: 2,
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // The reader stopped reading (`frist list | head`): nothing went wrong.
            return Failure {
                message: String::new(),
                code: 0,
            };
        }
        Failure {
            message: format!("output failed: {e}"),
            code: 1,
        }
    }
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 2,
        }
    }
}

pub type CmdResult = Result<(), Failure>;
