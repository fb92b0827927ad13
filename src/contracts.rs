//! Which contract terms a logged ticket is computed with (domain §10): the version the log
//! keeps for its contract, in force on its report day — never the file that happens to lie in
//! the working directory. The CLI and the TUI both evaluate through here.

use crate::calendar::WorkCalendar;
use crate::contract::version::{self, ContractVersion};
use crate::contract::Contract;
use crate::load::Loaded;
use crate::store::Store;
use crate::ticket::{evaluate, Evaluation, Ticket};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The contract (`--contract`, which the log's latest kept version of it matches; see
/// `cli::contract::pin`) and every version the log keeps, each read once when first needed.
/// Shared between threads: the board evaluates on all cores.
pub struct Contracts<'a> {
    main: &'a Contract,
    cal: &'a WorkCalendar,
    /// The main contract's file texts, to know a kept version that is the same; `None`: every
    /// ticket is computed with `main` (a board without a log, in tests).
    source: Option<(&'a str, &'a str)>,
    versions: Vec<ContractVersion>,
    other: Mutex<HashMap<VersionKey, Option<Arc<Loaded>>>>,
}

/// A kept version by contract id and the day it applies from (`None`: from the start, or a
/// contract the log keeps no version of).
type VersionKey = (String, Option<NaiveDate>);

/// The terms one ticket is computed with.
pub enum Terms<'a> {
    Main(&'a Contract, &'a WorkCalendar),
    Kept(Arc<Loaded>),
}

impl Terms<'_> {
    pub fn contract(&self) -> &Contract {
        match self {
            Terms::Main(c, _) => c,
            Terms::Kept(l) => &l.contract,
        }
    }

    pub fn calendar(&self) -> &WorkCalendar {
        match self {
            Terms::Main(_, k) => k,
            Terms::Kept(l) => &l.calendar,
        }
    }
}

impl<'a> Contracts<'a> {
    /// `main` with the versions the log keeps.
    pub fn new(main: &'a Loaded, versions: Vec<ContractVersion>) -> Self {
        Contracts {
            main: &main.contract,
            cal: &main.calendar,
            source: Some((&main.source, &main.holidays_source)),
            versions,
            other: Mutex::new(HashMap::new()),
        }
    }

    /// `main` with the versions the log `store` keeps.
    pub fn of_store(main: &'a Loaded, store: &dyn Store) -> Self {
        Self::new(main, store.contract_versions().unwrap_or_default())
    }

    /// Every ticket with `contract` (no log).
    pub fn only(contract: &'a Contract, cal: &'a WorkCalendar) -> Self {
        Contracts {
            main: contract,
            cal,
            source: None,
            versions: Vec::new(),
            other: Mutex::new(HashMap::new()),
        }
    }

    /// The terms `t` is computed with: the version of its contract in force on its report
    /// day; a contract the log keeps no version of is found by its id. `None` when it cannot
    /// be read.
    pub fn terms(&self, t: &Ticket) -> Option<Terms<'a>> {
        let Some((text, holidays)) = self.source else {
            return Some(Terms::Main(self.main, self.cal));
        };
        let kept = version::of(&self.versions, &t.contract);
        let day = self.cal.local(t.reported).date();
        let (key, read): (_, Box<dyn FnOnce() -> Option<Loaded>>) =
            match version::in_force(&kept, day) {
                Some(v)
                    if v.contract == self.main.id && v.text == text && v.holidays == holidays =>
                {
                    return Some(Terms::Main(self.main, self.cal));
                }
                Some(v) => (
                    (v.contract.clone(), v.from),
                    Box::new(|| crate::load::kept(v).ok()),
                ),
                None if t.contract == self.main.id => {
                    return Some(Terms::Main(self.main, self.cal))
                }
                None => (
                    (t.contract.clone(), None),
                    Box::new(|| crate::load::contract_by_id(&t.contract).ok()),
                ),
            };
        let mut other = self.other.lock().unwrap_or_else(|p| p.into_inner());
        other
            .entry(key)
            .or_insert_with(|| read().map(Arc::new))
            .clone()
            .map(Terms::Kept)
    }

    /// `t` evaluated at `now` with its terms; `None` when they cannot be read or it cannot be
    /// evaluated.
    pub fn evaluate(&self, t: &Ticket, now: DateTime<Utc>) -> Option<Evaluation> {
        let k = self.terms(t)?;
        evaluate(t, k.contract(), k.calendar(), now).ok()
    }
}

/// The versions the log keeps of `contract` (a report's own), oldest first, each with the
/// first report day it applies to; the report computes each ticket with its own.
pub fn kept_versions(
    all: &[ContractVersion],
    contract: &str,
) -> crate::Result<Vec<(Option<NaiveDate>, Loaded)>> {
    version::of(all, contract)
        .into_iter()
        .map(|v| crate::load::kept(v).map(|l| (v.from, l)))
        .collect()
}

/// [`kept_versions`] as the report takes them.
pub fn report_versions(kept: &[(Option<NaiveDate>, Loaded)]) -> Vec<crate::report::Version<'_>> {
    kept.iter()
        .map(|(from, l)| crate::report::Version {
            from: *from,
            contract: &l.contract,
            calendar: &l.calendar,
        })
        .collect()
}
