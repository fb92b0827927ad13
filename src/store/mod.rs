//! The support log's storage: a [`Store`] trait and its sled implementation, with a
//! tamper-evident audit chain over every event (see [`chain`]).
//!
//! The log is what the vendor must keep by contract and what a dispute is settled from, so a
//! store never loses or silently changes an entry: every command's writes are one transaction,
//! flushed before it returns, and `verify` walks the chain.

pub mod chain;
pub mod files;
pub mod labels;
mod local;
pub mod postgres;
mod sled;

use crate::contact::{Book, Contact};
use crate::contract::version::ContractVersion;
use crate::i18n::Lang;
use crate::sla::Measurement;
use crate::ticket::{Event, EventKind, LifecycleError, Ticket, TicketId};
use chrono::{DateTime, Utc};
pub use local::{published_head, LocalStore, HEAD_FILE, NAMES as LOCAL_FILES, SLED_KEPT};
pub use postgres::PgStore;
pub use sled::{say_on_sled_panic, SledStore};
use std::path::PathBuf;

/// The schema of the last sled log (an earlier frist's): opening one moves it into the local
/// layout. 2 added the `active` month index (built on opening a schema-1 database); 3 keeps
/// the events sixteen to a key, and each ticket's event positions in its state (moved on
/// opening); 4 keeps the notes in the states; 5 adds kinds of events an older frist cannot
/// read (corrections, contacts, mail) and the `contracts` tree.
pub const SLED_SCHEMA_VERSION: u32 = 5;

/// The schema this build writes and reads: 6 is the local log in frist's own files
/// ([`LocalStore`]). A log with a higher one is refused.
pub const SCHEMA_VERSION: u32 = local::LAYOUT;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the database.
    #[error("the database {0} is in use by another frist process; wait for it to finish")]
    Locked(PathBuf),
    /// The database was written by a newer frist.
    #[error("the database was written by a newer frist (schema {found}); this frist reads schema {known}; upgrade frist")]
    NewerSchema { found: u32, known: u32 },
    #[error("no ticket with id {0}")]
    UnknownTicket(TicketId),
    #[error("{0}")]
    Lifecycle(#[from] LifecycleError),
    /// A contact change that the contacts now refuse.
    #[error("{}", .0.message(Lang::En))]
    Contact(crate::contact::Refusal),
    /// The operation needs an empty database.
    #[error("the database is not empty")]
    NotEmpty,
    /// A bulk load (import, demo) stopped before it finished.
    #[error("an import or demo into this database was interrupted; delete the database and run it again")]
    Interrupted,
    /// The rewrite after a bulk load stopped between its two renames.
    #[error("frist stopped while it rewrote the database; its data is in {}: rename that folder to {} and run the command again", old.display(), path.display())]
    RewriteInterrupted { old: PathBuf, path: PathBuf },
    /// Input to `import` that is not a valid log.
    #[error("{0}")]
    BadInput(String),
    /// Stored bytes that cannot be read.
    #[error("the database is damaged: {0}; run `frist verify` for details")]
    Corrupt(String),
    #[error("database error: {0}")]
    Sled(#[from] ::sled::Error),
    /// The log's files could not be read or written.
    #[error("the log's files: {0}")]
    Io(#[from] std::io::Error),
    /// The log's files cannot be read (cut, overwritten; or sled reported its own corrupt).
    #[error("the database {} is damaged: its files cannot be read as a log; restore the log from an export (frist import FILE into a new --db) or from a backup", .0.display())]
    Damaged(PathBuf),
    /// PostgreSQL could not be reached or refused the login.
    #[error("{}", problem.message(target, Lang::En))]
    Connect {
        target: postgres::Target,
        problem: postgres::ConnectProblem,
    },
    /// The PostgreSQL database has no frist schema yet.
    #[error("the PostgreSQL database {0} is not set up for frist; its owner runs `frist db init`")]
    NotInitialised(String),
    /// The PostgreSQL schema is older than this build.
    #[error("the database has schema {found}; this frist needs schema {known}; the database's owner runs `frist db init`")]
    OlderSchema { found: u32, known: u32 },
    /// The database refused the login's step (row-level security, privileges).
    #[error("{}", self.message(Lang::En, &chrono_tz::UTC))]
    Denied {
        login: String,
        role: Option<postgres::Role>,
        why: postgres::Deny,
    },
    #[error("PostgreSQL: {0}")]
    Postgres(String),
}

impl StoreError {
    /// The message in the user's language (the library's own text is English), times in `tz`.
    pub fn message(&self, lang: Lang, tz: &chrono_tz::Tz) -> String {
        match (self, lang) {
            (StoreError::Lifecycle(e), _) => e.message(lang, tz),
            (StoreError::Contact(r), _) => r.message(lang),
            (StoreError::Locked(p), Lang::Da) => format!(
                "databasen bruges af en anden frist-proces ({}); vent til den er færdig",
                p.display()
            ),
            (StoreError::NewerSchema { found, known }, Lang::Da) => format!(
                "databasen er skrevet af en nyere frist (skema {found}); denne frist læser skema {known}; opgrader frist"
            ),
            (StoreError::UnknownTicket(id), Lang::Da) => {
                format!("der findes ingen sag med nummer {id}; se `frist list`")
            }
            (StoreError::NotEmpty, Lang::Da) => "databasen er ikke tom".into(),
            (StoreError::RewriteInterrupted { old, path }, Lang::Da) => format!(
                "frist stoppede mens databasen blev skrevet om; dens data ligger i {}: omdøb mappen til {} og kør kommandoen igen",
                old.display(),
                path.display()
            ),
            (StoreError::Connect { target, problem }, l) => problem.message(target, l),
            (StoreError::NotInitialised(db), Lang::Da) => format!(
                "PostgreSQL-databasen {db} er ikke sat op til frist; databasens ejer kører `frist db init`"
            ),
            (StoreError::OlderSchema { found, known }, Lang::Da) => format!(
                "databasen har skema {found}; denne frist kræver skema {known}; databasens ejer kører `frist db init`"
            ),
            (StoreError::Denied { login, role, why }, l) => why.message(login, *role, l),
            (StoreError::Corrupt(what), Lang::Da) => {
                format!("databasen er beskadiget: {what}; kør `frist verify` for detaljer")
            }
            (StoreError::Sled(::sled::Error::Corruption { .. }), Lang::Da) => {
                "databasen er beskadiget: sled kan ikke læse sine egne data; gendan loggen fra en eksport (frist import FIL i en ny --db) eller fra en sikkerhedskopi".into()
            }
            (StoreError::Sled(::sled::Error::Corruption { .. }), Lang::En) => {
                "the database is damaged: sled cannot read its own data; restore the log from an export (frist import FILE into a new --db) or from a backup".into()
            }
            (StoreError::Damaged(p), Lang::Da) => format!(
                "databasen {} er beskadiget: dens filer kan ikke læses som en log; gendan loggen fra en eksport (frist import FIL i en ny --db) eller fra en sikkerhedskopi",
                p.display()
            ),
            (StoreError::Sled(e), Lang::Da) => format!("databasefejl: {e}"),
            (StoreError::Io(e), Lang::Da) => format!("loggens filer: {e}"),
            (StoreError::Interrupted, Lang::Da) => "en import eller demo i denne database blev afbrudt; slet databasen og kør den igen".into(),
            _ => self.to_string(),
        }
    }

    /// Exit code: 2 for what the user can mend by changing the command, 1 otherwise.
    pub fn code(&self) -> i32 {
        match self {
            StoreError::UnknownTicket(_)
            | StoreError::Lifecycle(_)
            | StoreError::Contact(_)
            | StoreError::NotEmpty
            | StoreError::Denied { .. }
            | StoreError::BadInput(_) => 2,
            _ => 1,
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What an append needs to know before it has the log to itself: for a retraction, the
/// ticket's count of events after checking the retraction against them (the events are still
/// the ticket's when the count is the same inside the write, see [`next_event`]).
pub(crate) fn retraction_known(
    store: &dyn Store,
    id: TicketId,
    kind: &EventKind,
) -> StoreResult<Option<u32>> {
    match kind {
        EventKind::Retracted { .. } => {
            let events = store.events(id)?;
            check_retraction(kind, &events)?;
            Ok(Some(events.len() as u32))
        }
        _ => Ok(None),
    }
}

/// The ticket's next event, once the lifecycle allows it on the state inside the write (and a
/// retraction's ticket has not changed since it was judged, see [`retraction_known`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn next_event(
    ticket: &Ticket,
    kind: EventKind,
    known: Option<u32>,
    user: &str,
    recorded: DateTime<Utc>,
    effective: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<Event> {
    ticket.check(&kind, effective, now)?;
    if known.is_some_and(|n| n != ticket.events) {
        return Err(StoreError::BadInput(format!(
            "ticket {} changed meanwhile; run the command again",
            ticket.id
        )));
    }
    Ok(Event {
        ticket: ticket.id,
        seq: ticket.events,
        user: user.to_string(),
        recorded,
        effective,
        kind,
    })
}

/// A ticket's state as the local log (and the sled log before it) keeps it: the fold, the
/// months its finished timers were breached in, and its events' log positions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Stored {
    #[serde(rename = "t")]
    pub ticket: Ticket,
    #[serde(rename = "b", default, skip_serializing_if = "Vec::is_empty")]
    pub breach_months: Vec<u32>,
    /// The log positions of the ticket's events, by event number.
    #[serde(rename = "p", default)]
    pub positions: Vec<u64>,
}

/// Checks a retraction against the ticket's events, which a ticket's fold alone cannot judge
/// (which step it withdraws, whether a later one builds on it; [`crate::ticket::retraction`]).
/// The event must name the step and the state exactly as the events give them.
pub(crate) fn check_retraction(kind: &EventKind, events: &[Event]) -> StoreResult<()> {
    let EventKind::Retracted {
        retracts, reason, ..
    } = kind
    else {
        return Ok(());
    };
    let expected = crate::ticket::retraction(events, *retracts, reason)?;
    if &expected != kind {
        return Err(StoreError::BadInput(format!(
            "the retraction of event {retracts} does not match the ticket's events (expected {expected:?})"
        )));
    }
    Ok(())
}

/// Refuses a ticket's kind of event where only the log's own stream (contacts, suggested
/// tickets) may be written: both stores' `append_log` start with it.
pub(crate) fn log_level_only(kind: &EventKind) -> StoreResult<()> {
    if kind.is_log_level() {
        return Ok(());
    }
    Err(StoreError::BadInput(format!(
        "a '{}' event belongs to a ticket, not to the log's own stream",
        kind.name()
    )))
}

/// The OS user running frist (the acting user on sled, the default login on PostgreSQL).
pub fn os_user() -> String {
    std::env::var("USER")
        .ok()
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "ukendt".into())
}

/// An opened log: the embedded sled store or the shared PostgreSQL one.
pub enum Log {
    Local(LocalStore),
    Postgres(Box<PgStore>),
}

impl std::ops::Deref for Log {
    type Target = dyn Store;

    fn deref(&self) -> &(dyn Store + 'static) {
        match self {
            Log::Local(s) => s,
            Log::Postgres(p) => &**p,
        }
    }
}

impl Log {
    /// The PostgreSQL store, in team mode.
    pub fn team(&self) -> Option<&PgStore> {
        match self {
            Log::Postgres(p) => Some(p),
            Log::Local(_) => None,
        }
    }
}

/// Which tickets to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    /// Not closed (including resolved tickets that wait for acceptance).
    NotClosed,
    /// Not resolved: the tickets being worked on, whose timers run (what the board shows
    /// first; read through the month index, not a scan).
    Unresolved,
    Closed,
    /// Candidates for a breach in the month (`yyyymm`): every ticket not closed, plus the
    /// finished tickets the indexer marked as breached in that month. `None`: any month.
    BreachCandidates(Option<u32>),
    /// Tickets active in `[from, to)`: reported before `to` and not resolved before `from`
    /// (what a month's report needs). Read through a month index, not the whole log.
    Active {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

/// The result of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// Every link holds; this many events were verified, in this many tickets.
    Intact { events: u64, tickets: u64 },
    /// The first broken link.
    Broken(Break),
}

/// Where the chain first breaks and what differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// Global position in the log (1-based), when the break is at an event.
    pub position: Option<u64>,
    pub ticket: Option<TicketId>,
    /// The event's number within its ticket.
    pub event: Option<u32>,
    pub what: String,
}

/// A ticket to log: its report, its classification and when it was reported.
#[derive(Debug, Clone)]
pub struct NewTicket {
    /// An [`EventKind::Reported`].
    pub reported: EventKind,
    /// An [`EventKind::Classified`], when the ticket has a category.
    pub classified: Option<EventKind>,
    pub effective: DateTime<Utc>,
}

impl NewTicket {
    /// The ticket's first events and the state they fold to, once it has its id; refuses an id
    /// past [`chain::MAX_TICKET_ID`] and a ticket that does not start with its report.
    pub fn first(
        &self,
        id: TicketId,
        user: &str,
        recorded: DateTime<Utc>,
    ) -> StoreResult<(Vec<Event>, Ticket)> {
        if id > chain::MAX_TICKET_ID {
            return Err(StoreError::BadInput(format!(
                "this log has used every ticket id up to {}; start a new log with --db",
                chain::MAX_TICKET_ID
            )));
        }
        let events = self.events(id, user, recorded)?;
        let ticket = crate::ticket::fold(&events).ok_or_else(not_a_report)?;
        Ok((events, ticket))
    }

    /// The ticket's first events, once it has its id; refuses a ticket that does not start
    /// with its report.
    pub fn events(
        &self,
        id: TicketId,
        user: &str,
        recorded: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        if !matches!(self.reported, EventKind::Reported { .. }) {
            return Err(not_a_report());
        }
        let event = |seq, kind: &EventKind| Event {
            ticket: id,
            seq,
            user: user.to_string(),
            recorded,
            effective: self.effective,
            kind: kind.clone(),
        };
        let mut events = vec![event(0, &self.reported)];
        events.extend(self.classified.as_ref().map(|c| event(1, c)));
        Ok(events)
    }
}

fn not_a_report() -> StoreError {
    StoreError::BadInput("a ticket starts with its report".into())
}

/// Computes the months (`yyyymm`, contract-local) in which a *finished* ticket's timers were
/// breached, so that `breaches` need not evaluate every ticket ever logged. The caller knows
/// the contract; the store only keeps the index. Tickets not closed are always evaluated.
pub type Indexer = dyn Fn(&Ticket) -> Vec<u32> + Send + Sync;

/// The breach months an [`Indexer`] gives a ticket, sorted, once each; none while it is open.
pub(crate) fn breach_months(indexer: &Indexer, t: &Ticket) -> Vec<u32> {
    if t.is_open() {
        return Vec::new();
    }
    let mut m = indexer(t);
    m.sort_unstable();
    m.dedup();
    m
}

/// The support log's storage. Object-safe, so the CLI and the TUI share one implementation.
pub trait Store {
    /// Logs a new ticket: its `reported` event and, when given, its `classified` event. Assigns
    /// the id in the same transaction.
    fn create(
        &self,
        reported: EventKind,
        classified: Option<EventKind>,
        user: &str,
        recorded: DateTime<Utc>,
        effective: DateTime<Utc>,
    ) -> StoreResult<Ticket> {
        let new = NewTicket {
            reported,
            classified,
            effective,
        };
        self.create_many(std::slice::from_ref(&new), user, recorded)?
            .pop()
            .ok_or_else(not_a_report)
    }

    /// Logs many new tickets (each as [`Store::create`] would) in one transaction, flushed
    /// once: all of them or none. Returns them in the order given, with their new ids.
    fn create_many(
        &self,
        new: &[NewTicket],
        user: &str,
        recorded: DateTime<Utc>,
    ) -> StoreResult<Vec<Ticket>>;

    /// Appends an event after checking the lifecycle ([`Ticket::check`]) against the stored
    /// state; writes the event and the new state in one transaction and flushes.
    fn append(
        &self,
        id: TicketId,
        kind: EventKind,
        user: &str,
        recorded: DateTime<Utc>,
        effective: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Ticket>;

    /// Appends an event to the log's own stream ([`crate::ticket::LOG_STREAM`]: contacts)
    /// after checking it against the contacts now ([`Book::check`]); linked into the same
    /// audit chain as the tickets' events, in one transaction, flushed. Takes effect when
    /// recorded.
    fn append_log(
        &self,
        kind: EventKind,
        user: &str,
        recorded: DateTime<Utc>,
    ) -> StoreResult<Event>;

    /// The events of the log's own stream, oldest first (in team mode, those the login may
    /// read: a municipality's login sees its own municipality's).
    fn log_events(&self) -> StoreResult<Vec<Event>>;

    /// The municipalities' contacts now, of one municipality or all, sorted by municipality
    /// and name.
    fn contacts(&self, municipality: Option<&str>) -> StoreResult<Vec<Contact>> {
        Ok(Book::fold(&self.log_events()?).of(municipality))
    }

    /// The events that carry this Message-ID (a mail received, suggested or sent: see
    /// [`crate::mail::message_id_of`]) as (ticket, event number), oldest first; ticket
    /// [`crate::ticket::LOG_STREAM`] for the log's own stream. Read through an index.
    fn find_message(&self, message_id: &str) -> StoreResult<Vec<(TicketId, u32)>>;

    fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>>;
    fn events(&self, id: TicketId) -> StoreResult<Vec<Event>>;
    fn tickets(&self, filter: Filter) -> StoreResult<Vec<Ticket>>;
    /// The events of many tickets, by ticket (a month's report reads thousands at once).
    fn events_of(
        &self,
        ids: &[TicketId],
    ) -> StoreResult<std::collections::HashMap<TicketId, Vec<Event>>> {
        ids.iter().map(|id| Ok((*id, self.events(*id)?))).collect()
    }
    /// Calls `f` with every event in log order (for export).
    fn for_each_event(
        &self,
        f: &mut dyn FnMut(&chain::Record) -> StoreResult<()>,
    ) -> StoreResult<()>;
    /// The chain hash of the log's event at position `n` (from 1), if the log has it: read
    /// directly, so a checkpoint can be compared without walking the log.
    fn link_at(&self, n: u64) -> StoreResult<Option<chain::Hash>>;
    /// How many events the log holds and the chain hash of the last (`(0, GENESIS)` when
    /// empty), read from the events themselves.
    fn head(&self) -> StoreResult<(u64, chain::Hash)>;
    fn is_empty(&self) -> StoreResult<bool>;
    /// Municipalities that have tickets.
    fn municipalities(&self) -> StoreResult<Vec<String>>;
    /// Loads events into an empty database, building the chain anew (batched, one flush at the
    /// end). Check an untrusted log first with [`chain::Checker`]: a structural fault found
    /// here stops the load half-way and leaves the database marked as interrupted.
    fn import(&self, events: &mut dyn Iterator<Item = Event>) -> StoreResult<u64>;
    fn verify(&self) -> StoreResult<VerifyOutcome>;
    /// The classifier's learned model (JSON), if one was trained.
    fn classifier_model(&self) -> StoreResult<Option<Vec<u8>>>;
    /// Replaces the classifier's learned model; flushed before it returns.
    fn set_classifier_model(&self, json: &[u8]) -> StoreResult<()>;
    fn add_measurements(&self, m: &[Measurement]) -> StoreResult<()>;
    fn measurements(&self, from: DateTime<Utc>, to: DateTime<Utc>)
        -> StoreResult<Vec<Measurement>>;
    /// Every kept contract version (domain §10), in the order they were recorded.
    fn contract_versions(&self) -> StoreResult<Vec<ContractVersion>>;
    /// Keeps a contract version; flushed before it returns. Nothing kept is ever replaced.
    fn add_contract_version(&self, v: &ContractVersion) -> StoreResult<()>;
}

#[cfg(test)]
mod tests;
