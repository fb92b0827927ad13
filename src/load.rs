//! The edge where contracts and holiday files are found and read from disk.

use crate::calendar::holidays::BUILTIN_DK;
use crate::calendar::{HolidayRules, WorkCalendar};
use crate::contract::{Contract, BUILTIN};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// A contract with its holiday rules and working calendar, ready to compute with.
#[derive(Debug)]
pub struct Loaded {
    pub contract: Contract,
    pub rules: HolidayRules,
    pub calendar: WorkCalendar,
    /// Where it came from: `built-in` or a path.
    pub origin: String,
    /// The contract file's text and the holiday file's (what the log keeps as a version).
    pub source: String,
    pub holidays_source: String,
}

fn looks_like_path(s: &str) -> bool {
    s.contains('/') || s.contains('\\') || s.ends_with(".toml")
}

/// Finds the contract a logged ticket names: by its id only (built-in, or `contracts/ID.toml`
/// below the current directory), never a path, whatever the log says.
pub fn contract_by_id(id: &str) -> Result<Loaded> {
    if looks_like_path(id) || id.contains("..") || id.trim().is_empty() {
        return Err(Error::Said {
            da: format!(
                "kontrakten '{}' er ikke et kontrakt-id; en sag nævner sin kontrakt ved id ({})",
                crate::safe::text(id),
                names()
            ),
            en: format!(
                "the contract '{}' is not a contract id; a ticket names its contract by id ({})",
                crate::safe::text(id),
                names()
            ),
        });
    }
    contract(id)
}

/// Finds a contract by built-in name or path and reads it with its holiday file.
/// A name also finds `contracts/NAME.toml` below the current directory.
pub fn contract(spec: &str) -> Result<Loaded> {
    let (src, file, dir): (String, String, Option<PathBuf>) = if looks_like_path(spec) {
        let p = Path::new(spec);
        let src = std::fs::read_to_string(p).map_err(|e| {
            Error::Said {
                da: format!(
                    "kan ikke læse kontraktfilen {}: {e}; angiv et indbygget navn ({}) eller en sti, der kan læses",
                    p.display(),
                    names()
                ),
                en: format!(
                    "cannot read contract file {}: {e}; give a built-in name ({}) or a readable path",
                    p.display(),
                    names()
                ),
            }
        })?;
        (
            src,
            p.display().to_string(),
            p.parent().map(Path::to_path_buf),
        )
    } else if let Some((n, src)) = BUILTIN.iter().find(|(n, _)| *n == spec) {
        (src.to_string(), format!("contracts/{n}.toml"), None)
    } else {
        let p = Path::new("contracts").join(format!("{spec}.toml"));
        match std::fs::read_to_string(&p) {
            Ok(src) => (src, p.display().to_string(), Some(PathBuf::from("contracts"))),
            Err(_) => {
                return Err(Error::Said {
                    da: format!(
                        "ukendt kontrakt '{spec}'; kendte kontrakter: {}, eller angiv stien til en kontraktfil",
                        names()
                    ),
                    en: format!(
                        "unknown contract '{spec}'; known contracts: {}, or give the path of a contract file",
                        names()
                    ),
                })
            }
        }
    };
    let contract = Contract::parse(&src, &file)?;
    let (holidays_source, holidays_file) = holidays_text(&contract.holidays, dir.as_deref())?;
    let rules = HolidayRules::parse(&holidays_source, &holidays_file)?;
    let calendar = contract.calendar(&rules);
    Ok(Loaded {
        contract,
        rules,
        calendar,
        origin: if dir.is_some() {
            file
        } else {
            "built-in".into()
        },
        source: src,
        holidays_source,
    })
}

/// A contract version the log keeps, ready to compute with (no file is read).
pub fn kept(v: &crate::contract::version::ContractVersion) -> Result<Loaded> {
    let contract = Contract::parse(&v.text, &v.origin)?;
    let rules = HolidayRules::parse(&v.holidays, &contract.holidays)?;
    let calendar = contract.calendar(&rules);
    Ok(Loaded {
        contract,
        rules,
        calendar,
        origin: v.origin.clone(),
        source: v.text.clone(),
        holidays_source: v.holidays.clone(),
    })
}

fn names() -> String {
    BUILTIN
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a holiday file named by a contract: a path (relative to the contract's folder), a
/// file `../holidays/NAME.toml` beside the contract's folder, or the built-in `dk`.
pub fn holidays(name: &str, contract_dir: Option<&Path>) -> Result<HolidayRules> {
    let (src, file) = holidays_text(name, contract_dir)?;
    HolidayRules::parse(&src, &file)
}

/// The text of the holiday file [`holidays`] reads, with its name.
fn holidays_text(name: &str, contract_dir: Option<&Path>) -> Result<(String, String)> {
    let mut candidates = Vec::new();
    let base = contract_dir.unwrap_or(Path::new("."));
    if looks_like_path(name) {
        candidates.push(base.join(name));
    } else if contract_dir.is_some() {
        candidates.push(
            base.join("..")
                .join("holidays")
                .join(format!("{name}.toml")),
        );
    }
    for p in &candidates {
        if let Ok(src) = std::fs::read_to_string(p) {
            return Ok((src, p.display().to_string()));
        }
    }
    if name == "dk" {
        return Ok((BUILTIN_DK.to_string(), "holidays/dk.toml".into()));
    }
    Err(Error::NotFound(format!(
        "holiday file '{name}' not found (looked for {}); the built-in one is 'dk'",
        candidates
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// The names of the built-in contracts and those in `contracts/` below the current directory.
pub fn known_contracts() -> Vec<String> {
    let mut out: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
    if let Ok(rd) = std::fs::read_dir("contracts") {
        let mut extra: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
            .filter_map(|e| {
                e.path()
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
            })
            .filter(|n| !out.contains(n))
            .collect();
        extra.sort();
        out.extend(extra);
    }
    out
}

/// What a month's report needs from the log: the tickets active in the month or its lookback
/// (of one municipality, or all when `municipality` is empty), read through the store's month
/// index, and the month's response-time measurements, each ticket with its events (the
/// incidents' remedies and the steps recorded late). The CLI and the TUI both load through
/// here.
pub fn load_month(
    store: &dyn crate::store::Store,
    contract: &crate::contract::Contract,
    cal: &crate::calendar::WorkCalendar,
    month: (i32, u32),
    municipality: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
    lang: crate::i18n::Lang,
) -> Result<(Vec<TicketLog>, Vec<crate::sla::Measurement>), crate::edge::Failure> {
    use crate::edge::Failure;
    use crate::report;
    let fail = |e: crate::store::StoreError| Failure {
        message: e.message(lang, &contract.tz),
        code: e.code(),
    };
    let (from, to) = report::data_window(cal, month, now).map_err(|e| Failure::of(e, lang))?;
    let municipality = municipality.map(str::trim).filter(|m| !m.is_empty());
    let active: Vec<crate::ticket::Ticket> = store
        .tickets(crate::store::Filter::Active { from, to })
        .map_err(fail)?
        .into_iter()
        .filter(|t| municipality.is_none_or(|m| report::same_municipality(m, &t.municipality)))
        .collect();
    // Only the contract's own tickets are in its report; their events are read in one go.
    let ids: Vec<_> = active
        .iter()
        .filter(|t| t.contract == contract.id)
        .map(|t| t.id)
        .collect();
    let mut events = store.events_of(&ids).map_err(fail)?;
    let tickets = active
        .into_iter()
        .map(|t| {
            let evs = events.remove(&t.id).unwrap_or_default();
            (t, evs)
        })
        .collect();
    let measurements = store.measurements(from, to).map_err(fail)?;
    Ok((tickets, measurements))
}

/// A ticket with its events, oldest first.
pub type TicketLog = (crate::ticket::Ticket, Vec<crate::ticket::Event>);
