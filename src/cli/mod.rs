//! The command line (clap): every action of frist, for scripts and for people who prefer a
//! prompt. The binary's edge: it reads the clock, the environment and the disk.

mod engine;

use crate::error::Error;
use crate::i18n::Lang;
use crate::load::Loaded;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

/// frist — servicemål, frister og dagsbod for leverandører til danske kommuner.
#[derive(Debug, Parser)]
#[command(name = "frist", version, about, long_about = None)]
pub struct Cli {
    /// Contract: a built-in name (laasesystem, ddh-chatbot) or the path of a contract file.
    #[arg(long, global = true, env = "FRIST_CONTRACT", default_value = crate::contract::DEFAULT)]
    pub contract: String,
    /// Fix the clock for every command: 'YYYY-MM-DD HH:MM' (contract-local) or RFC 3339.
    #[arg(long, global = true, env = "FRIST_NOW")]
    pub now: Option<String>,
    /// Language of the output.
    #[arg(long, global = true, env = "FRIST_LANG", value_enum, default_value_t = Lang::Da)]
    pub lang: Lang,
    /// TUI keymap: a built-in name (default, vim) or the path of a keymap file.
    #[arg(long, global = true, env = "FRIST_KEYMAP")]
    pub keymap: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the closed and shortened days of a year in the contract's calendar.
    Holidays(engine::HolidaysArgs),
    /// Draw a month: working days, closed days, shortened days and the service window.
    Calendar(engine::CalendarArgs),
    /// List the known contracts with their categories and targets.
    Contracts(engine::ContractsArgs),
    /// Compute the reaction and resolution deadlines of a report, with an explanation.
    Deadline(engine::DeadlineArgs),
    /// Compute the dagsbod (daily fine) of a late resolution.
    Fine(engine::FineArgs),
}

/// Everything a command needs from the edge: the contract, the clock, the language.
pub struct Ctx {
    pub loaded: Loaded,
    pub now: DateTime<Utc>,
    pub lang: Lang,
}

/// An error at the edge: the message for the user and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: i32,
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

impl Cli {
    /// Loads the contract and fixes the clock.
    pub fn context(&self) -> Result<Ctx, Failure> {
        let loaded = crate::load::contract(&self.contract)?;
        let now = match &self.now {
            Some(s) => crate::time::parse_time(s, &loaded.contract.tz)
                .map_err(|e| Failure::usage(format!("--now / FRIST_NOW: {e}")))?,
            None => Utc::now(),
        };
        Ok(Ctx {
            loaded,
            now,
            lang: self.lang,
        })
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> CmdResult {
    let ctx = cli.context()?;
    let mut out = std::io::stdout().lock();
    match cli.command {
        None => {
            use std::io::IsTerminal;
            if std::io::stdout().is_terminal() {
                drop(out);
                tui(&ctx, cli.keymap.as_deref())
            } else {
                engine::overview(&ctx, &mut out)
            }
        }
        Some(Command::Holidays(a)) => engine::holidays(&ctx, &a, &mut out),
        Some(Command::Calendar(a)) => engine::calendar(&ctx, &a, &mut out),
        Some(Command::Contracts(a)) => engine::contracts(&ctx, &a, &mut out),
        Some(Command::Deadline(a)) => engine::deadline(&ctx, &a, &mut out),
        Some(Command::Fine(a)) => engine::fine(&ctx, &a, &mut out),
    }
}

/// `frist` without a subcommand: the TUI on the support log.
fn tui(ctx: &Ctx, keymap: Option<&str>) -> CmdResult {
    let keymap = crate::tui::run::load_keymap(keymap)?;
    // Until the sled store is wired, the TUI runs on a seeded in-memory log.
    let backend = crate::tui::memory::MemoryBackend::seeded(&ctx.loaded.contract.id, ctx.now);
    let suggest = crate::tui::KeywordSuggest {
        contract: &ctx.loaded.contract,
    };
    crate::tui::run(ctx, &backend, &suggest, keymap)
}
