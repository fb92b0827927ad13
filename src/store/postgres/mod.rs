//! The [`Store`] on PostgreSQL: one log for a whole desk (team mode).
//!
//! The schema is in `migrations/` (read it for the rules): events are INSERTed with their
//! canonical bytes; the database checks who writes them, fills in the acting login and the
//! recorded instant, links them into the audit chain and derives each ticket's state, and
//! row-level security decides what each login sees and may write. This file only speaks to it:
//! a login's rights are the database's business, never checked here.
//!
//! Every command's writes are one transaction. Two writers to one ticket are serialised by the
//! chain's row lock; the later one finds the ticket changed, reads it again and checks its step
//! against the new state.
//!
//! - `connect`: reading `--db postgres://…`, TLS, and what a failed connection says;
//! - `schema`: the versioned migrations and `frist db init`;
//! - `people`: roles, logins and why the database refuses one;
//! - `watch`: hearing of other people's changes (the live board);
//! - `bulk`: loading a whole log in batches (import, demo).

mod bulk;
mod connect;
mod people;
mod schema;
mod watch;

pub use connect::{connect, is_url, parse_url, ConnectProblem, Target, Url};
pub use people::{Deny, Person, Role};
pub use schema::{init, InitOutcome, PG_SCHEMA_VERSION};
pub use watch::Watcher;

use super::chain::{Checker, Hash, Record};
use super::{Break, Filter, NewTicket, Store, StoreError, StoreResult, VerifyOutcome};
use crate::contact::Book;
use crate::contract::version::ContractVersion;
use crate::sla::Measurement;
use crate::ticket::{fold, Event, EventKind, Ticket, TicketId, LOG_STREAM};
use bulk::{EventRows, TicketRows};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use postgres::error::SqlState;
use postgres::{Client, Transaction};
use schema::schema_version;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// The driver's message with the server's detail, for errors nobody expects.
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(d) => format!("{} ({d})", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string(),
    }
}

/// Maps a database error: a refusal of the rights to [`StoreError::Denied`] (with what `me`
/// may do), a ticket that is not there or not visible to [`StoreError::UnknownTicket`].
fn pg_error(e: postgres::Error, me: Option<&Person>) -> StoreError {
    if let Some(db) = e.as_db_error() {
        if *db.code() == SqlState::INSUFFICIENT_PRIVILEGE {
            return StoreError::Denied {
                login: me.map(|p| p.login.clone()).unwrap_or_default(),
                role: me.map(|p| p.role),
                why: Deny::Rights(db.message().to_string()),
            };
        }
        if *db.code() == SqlState::UNDEFINED_TABLE || *db.code() == SqlState::INVALID_SCHEMA_NAME {
            return StoreError::NotInitialised(db.message().to_string());
        }
    }
    if e.is_closed() {
        return StoreError::Postgres(format!("the connection to the database was lost: {e}"));
    }
    StoreError::Postgres(describe(&e))
}

/// A connection and when it was last used.
struct Conn {
    client: Client,
    used: std::time::Instant,
}

impl std::ops::Deref for Conn {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// The PostgreSQL-backed store, connected as one login.
pub struct PgStore {
    client: Mutex<Conn>,
    me: Person,
    url: Url,
    pub target: Target,
}

impl PgStore {
    /// Connects and checks that the schema is there and not newer than this build.
    pub fn open(url: &Url) -> StoreResult<PgStore> {
        let mut client = connect(url)?;
        let version = schema_version(&mut client).map_err(|e| match e {
            StoreError::NotInitialised(_) => StoreError::NotInitialised(url.target.to_string()),
            e => e,
        })?;
        if version == 0 {
            return Err(StoreError::NotInitialised(url.target.to_string()));
        }
        if version > PG_SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found: version,
                known: PG_SCHEMA_VERSION,
            });
        }
        if version < PG_SCHEMA_VERSION {
            return Err(StoreError::OlderSchema {
                found: version,
                known: PG_SCHEMA_VERSION,
            });
        }
        let row = client
            .query_one(
                "SELECT session_user::text, frist.my_role(), frist.my_municipality()",
                &[],
            )
            .map_err(|e| pg_error(e, None))?;
        let login: String = row.get(0);
        let role: Option<String> = row.get(1);
        let Some(role) = role.as_deref().and_then(Role::parse) else {
            return Err(StoreError::Denied {
                login,
                role: None,
                why: Deny::NotAPerson,
            });
        };
        Ok(PgStore {
            client: Mutex::new(Conn {
                client,
                used: std::time::Instant::now(),
            }),
            me: Person {
                login,
                role,
                municipality: row.get(2),
                email: None,
            },
            target: url.target.clone(),
            url: url.clone(),
        })
    }

    /// A connection of its own that hears of every change to the log (the live board).
    pub fn watch(&self) -> Watcher {
        Watcher::new(self.url.clone())
    }

    /// Who is logged in.
    pub fn whoami(&self) -> &Person {
        &self.me
    }

    /// The connection, made again if the server dropped it (a restart, a network break): the
    /// next command then works without the person starting frist again. A connection idle for
    /// a while is asked whether it still lives first (one round trip; a burst of calls does
    /// not pay it).
    fn client(&self) -> MutexGuard<'_, Conn> {
        let mut c = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let idle = c.used.elapsed() > std::time::Duration::from_secs(1);
        if c.client.is_closed()
            || (idle
                && c.client
                    .is_valid(std::time::Duration::from_secs(5))
                    .is_err())
        {
            if let Ok(fresh) = connect(&self.url) {
                c.client = fresh;
            }
        }
        c.used = std::time::Instant::now();
        c
    }

    fn err(&self, e: postgres::Error) -> StoreError {
        pg_error(e, Some(&self.me))
    }

    fn deny(&self, why: Deny) -> StoreError {
        StoreError::Denied {
            login: self.me.login.clone(),
            role: Some(self.me.role),
            why,
        }
    }

    /// The server's clock and the acting login, as the database will record them in this
    /// transaction.
    fn stamp(&self, tx: &mut Transaction<'_>) -> StoreResult<(DateTime<Utc>, String)> {
        let row = tx
            .query_one("SELECT now(), session_user::text", &[])
            .map_err(|e| self.err(e))?;
        Ok((row.get(0), row.get(1)))
    }

    fn insert_event(&self, tx: &mut Transaction<'_>, ev: &Event) -> Result<(), postgres::Error> {
        let body = String::from_utf8(super::chain::canonical(ev)).expect("JSON is UTF-8");
        use postgres::types::Type;
        // Typed: one round trip, no statement to prepare first.
        tx.execute_typed(
            "INSERT INTO frist.events (ticket, seq, body) VALUES ($1, $2, $3)",
            &[
                (&(ev.ticket as i64), Type::INT8),
                (&(ev.seq as i32), Type::INT4),
                (&body, Type::TEXT),
            ],
        )?;
        Ok(())
    }

    fn read_events(
        c: &mut impl postgres::GenericClient,
        id: TicketId,
    ) -> Result<Vec<Event>, StoreError> {
        let rows = c
            .query(
                "SELECT body FROM frist.events WHERE ticket = $1 ORDER BY seq",
                &[&(id as i64)],
            )
            .map_err(|e| pg_error(e, None))?;
        rows.iter()
            .map(|r| {
                let body: &str = r.get(0);
                serde_json::from_str(body)
                    .map_err(|e| StoreError::Corrupt(format!("ticket {id}: {e}")))
            })
            .collect()
    }

    /// Walks the log in order, 10 000 rows at a time, giving each event's position, hash and
    /// stored bytes to `f` until it returns false.
    fn walk(
        &self,
        tx: &mut Transaction<'_>,
        f: &mut dyn FnMut(u64, Hash, &str) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        let portal = tx
            .bind("SELECT n, hash, body FROM frist.events ORDER BY n", &[])
            .map_err(|e| self.err(e))?;
        loop {
            let rows = tx.query_portal(&portal, 10_000).map_err(|e| self.err(e))?;
            if rows.is_empty() {
                return Ok(());
            }
            for r in &rows {
                let (n, hash, body) = row_record(r)?;
                if !f(n, hash, body)? {
                    return Ok(());
                }
            }
        }
    }

    /// Tickets whose `frist.tickets` row matches `cond` (SQL over `t`), as the database
    /// folded them (verify checks each fold against the events).
    fn select(
        &self,
        cond: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> StoreResult<Vec<Ticket>> {
        let sql =
            format!("SELECT t.id, t.fold::text FROM frist.tickets t WHERE {cond} ORDER BY t.id");
        let rows = self.client().query(&sql, params).map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                serde_json::from_str(r.get::<_, &str>(1))
                    .map_err(|e| StoreError::Corrupt(format!("ticket {}: {e}", r.get::<_, i64>(0))))
            })
            .collect()
    }
}

/// The first instant of month `m` (`yyyymm`) in UTC.
fn month_start(m: u32) -> Option<DateTime<Utc>> {
    NaiveDate::from_ymd_opt((m / 100) as i32, m % 100, 1)
        .map(|d| d.and_time(Default::default()).and_utc())
}

impl Store for PgStore {
    fn create_many(
        &self,
        new: &[NewTicket],
        _user: &str,
        _recorded: DateTime<Utc>,
    ) -> StoreResult<Vec<Ticket>> {
        // Refused before any id is drawn: a sequence does not roll back.
        for n in new {
            n.events(0, "", _recorded)?;
        }
        let mut c = self.client();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let (recorded, user) = self.stamp(&mut tx)?;
        let mut out = Vec::with_capacity(new.len());
        for n in new {
            let id: i64 = tx
                .query_one("SELECT nextval('frist.ticket_id')", &[])
                .map_err(|e| self.err(e))?
                .get(0);
            let n = NewTicket {
                effective: micros(n.effective),
                ..n.clone()
            };
            let events = n.events(id as u64, &user, recorded)?;
            for ev in &events {
                self.insert_event(&mut tx, ev).map_err(|e| self.err(e))?;
            }
            out.push(
                fold(&events).ok_or_else(|| {
                    StoreError::BadInput("a ticket starts with its report".into())
                })?,
            );
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    fn append(
        &self,
        id: TicketId,
        kind: EventKind,
        _user: &str,
        _recorded: DateTime<Utc>,
        effective: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Ticket> {
        let effective = micros(effective);
        // Another writer may get to the ticket between our read and our write: the database
        // then refuses ours (serialization_failure) and we check the step again.
        for _ in 0..20 {
            let mut c = self.client();
            let mut tx = c.transaction().map_err(|e| self.err(e))?;
            // The server's clock, the acting login and the ticket as the database folded it,
            // in one round trip (verify holds that fold to the events').
            let row = tx
                .query_typed_one(
                    "SELECT now(), session_user::text, \
                     (SELECT t.fold::text FROM frist.tickets t WHERE t.id = $1)",
                    &[(&(id as i64), postgres::types::Type::INT8)],
                )
                .map_err(|e| self.err(e))?;
            let (recorded, user): (DateTime<Utc>, String) = (row.get(0), row.get(1));
            let Some(folded) = row.get::<_, Option<&str>>(2) else {
                return Err(StoreError::UnknownTicket(id));
            };
            let mut ticket: Ticket = serde_json::from_str(folded)
                .map_err(|e| StoreError::Corrupt(format!("ticket {id}: {e}")))?;
            ticket.check(&kind, effective, now)?;
            if matches!(kind, EventKind::Retracted { .. }) {
                let rows = tx
                    .query(
                        "SELECT body FROM frist.events WHERE ticket = $1 ORDER BY seq",
                        &[&(id as i64)],
                    )
                    .map_err(|e| self.err(e))?;
                let events = rows
                    .iter()
                    .map(|r| serde_json::from_str(r.get::<_, &str>(0)))
                    .collect::<Result<Vec<Event>, _>>()
                    .map_err(|e| StoreError::Corrupt(format!("ticket {id}: {e}")))?;
                super::check_retraction(&kind, &events)?;
            }
            let ev = Event {
                ticket: id,
                seq: ticket.events,
                user,
                recorded,
                effective,
                kind: kind.clone(),
            };
            let written = self.insert_event(&mut tx, &ev).and_then(|()| tx.commit());
            match written {
                Ok(()) => {
                    ticket.apply(&ev);
                    return Ok(ticket);
                }
                Err(e) if e.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE) => continue,
                Err(e) => return Err(self.err(e)),
            }
        }
        Err(StoreError::Postgres(format!(
            "ticket {id} kept changing while this step was written; try again"
        )))
    }

    fn events_of(&self, ids: &[TicketId]) -> StoreResult<HashMap<TicketId, Vec<Event>>> {
        let ids: Vec<i64> = ids.iter().map(|id| *id as i64).collect();
        let rows = self
            .client()
            .query(
                "SELECT ticket, body FROM frist.events WHERE ticket = ANY($1) ORDER BY ticket, seq",
                &[&ids],
            )
            .map_err(|e| self.err(e))?;
        let mut out: HashMap<TicketId, Vec<Event>> = HashMap::new();
        for r in &rows {
            let id = r.get::<_, i64>(0) as TicketId;
            let ev = serde_json::from_str(r.get::<_, &str>(1))
                .map_err(|e| StoreError::Corrupt(format!("ticket {id}: {e}")))?;
            out.entry(id).or_default().push(ev);
        }
        Ok(out)
    }

    fn append_log(
        &self,
        kind: EventKind,
        _user: &str,
        _recorded: DateTime<Utc>,
    ) -> StoreResult<Event> {
        super::log_level_only(&kind)?;
        // A municipality's login reads only its own contacts, so it could not number the
        // stream's next event; the database refuses it the write anyway.
        if self.me.role == Role::Municipality {
            return Err(self.deny(Deny::Rights(
                "contacts are kept by the desk (agents, supervisors, the owner)".into(),
            )));
        }
        for _ in 0..20 {
            let mut c = self.client();
            let mut tx = c.transaction().map_err(|e| self.err(e))?;
            let (recorded, user) = self.stamp(&mut tx)?;
            let stream = Self::read_events(&mut tx, LOG_STREAM)?;
            Book::fold(&stream)
                .check(&kind)
                .map_err(StoreError::Contact)?;
            let ev = Event {
                ticket: LOG_STREAM,
                seq: stream.len() as u32,
                user,
                recorded,
                effective: recorded,
                kind: kind.clone(),
            };
            match self.insert_event(&mut tx, &ev).and_then(|()| tx.commit()) {
                Ok(()) => return Ok(ev),
                Err(e)
                    if e.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE)
                        || e.code() == Some(&SqlState::UNIQUE_VIOLATION) =>
                {
                    continue
                }
                Err(e) => return Err(self.err(e)),
            }
        }
        Err(StoreError::Postgres(
            "the contacts kept changing while this change was written; try again".into(),
        ))
    }

    fn find_message(&self, message_id: &str) -> StoreResult<Vec<(TicketId, u32)>> {
        // Through the partial index of 0003_mail on the mail events' Message-IDs.
        let rows = self
            .client()
            .query(
                "SELECT ticket, seq FROM frist.events \
                 WHERE kind LIKE 'mail-%' AND (body::jsonb ->> 'message_id') = $1 ORDER BY n",
                &[&message_id],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<_, i64>(0) as TicketId, r.get::<_, i32>(1) as u32))
            .collect())
    }

    fn log_events(&self) -> StoreResult<Vec<Event>> {
        Self::read_events(&mut self.client().client, LOG_STREAM)
    }

    fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>> {
        Ok(fold(&self.events(id)?))
    }

    fn events(&self, id: TicketId) -> StoreResult<Vec<Event>> {
        Self::read_events(&mut self.client().client, id)
    }

    fn tickets(&self, filter: Filter) -> StoreResult<Vec<Ticket>> {
        match filter {
            Filter::All | Filter::BreachCandidates(None) => self.select("true", &[]),
            Filter::NotClosed => self.select("t.state <> 'closed'", &[]),
            Filter::Unresolved => self.select("t.state IN ('open', 'reacted', 'paused')", &[]),
            Filter::Closed => self.select("t.state = 'closed'", &[]),
            Filter::BreachCandidates(Some(m)) => {
                // A finished ticket breached in month m (contract-local) was unresolved at a
                // deadline in it: active in m, give or take a day for the zone.
                let (Some(from), Some(to)) = (
                    month_start(m),
                    month_start(if m % 100 >= 12 {
                        (m / 100 + 1) * 100 + 1
                    } else {
                        m + 1
                    }),
                ) else {
                    return Ok(Vec::new());
                };
                let (from, to) = (from - TimeDelta::days(1), to + TimeDelta::days(1));
                self.select(
                    "t.state <> 'closed' OR (t.reported < $2 AND t.resolved >= $1)",
                    &[&from, &to],
                )
            }
            Filter::Active { from, to } => self.select(
                "t.reported < $2 AND (t.resolved IS NULL OR t.resolved >= $1)",
                &[&from, &to],
            ),
        }
    }

    fn for_each_event(&self, f: &mut dyn FnMut(&Record) -> StoreResult<()>) -> StoreResult<()> {
        let mut c = self.client();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        self.walk(&mut tx, &mut |n, hash, body| {
            let event: Event = serde_json::from_str(body)
                .map_err(|e| StoreError::Corrupt(format!("event {n}: {e}")))?;
            f(&Record { n, hash, event })?;
            Ok(true)
        })
    }

    fn link_at(&self, n: u64) -> StoreResult<Option<Hash>> {
        let Ok(n) = i64::try_from(n) else {
            return Ok(None);
        };
        let row = self
            .client()
            .query_opt("SELECT n, hash, '' FROM frist.events WHERE n = $1", &[&n])
            .map_err(|e| self.err(e))?;
        row.map(|r| row_record(&r).map(|(_, h, _)| h)).transpose()
    }

    fn head(&self) -> StoreResult<(u64, Hash)> {
        let row = self
            .client()
            .query_opt(
                "SELECT n, hash, '' FROM frist.events ORDER BY n DESC LIMIT 1",
                &[],
            )
            .map_err(|e| self.err(e))?;
        match row {
            Some(r) => row_record(&r).map(|(n, h, _)| (n, h)),
            None => Ok((0, super::chain::GENESIS)),
        }
    }

    fn is_empty(&self) -> StoreResult<bool> {
        Ok(self
            .client()
            .query_one("SELECT NOT EXISTS (SELECT 1 FROM frist.events)", &[])
            .map_err(|e| self.err(e))?
            .get(0))
    }

    fn municipalities(&self) -> StoreResult<Vec<String>> {
        Ok(self
            .client()
            .query(
                "SELECT DISTINCT municipality FROM frist.tickets ORDER BY 1",
                &[],
            )
            .map_err(|e| self.err(e))?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn import(&self, events: &mut dyn Iterator<Item = Event>) -> StoreResult<u64> {
        if self.me.role != Role::Owner {
            return Err(self.deny(Deny::ImportByOwner));
        }
        if !self.is_empty()? {
            return Err(StoreError::NotEmpty);
        }
        let mut c = self.client();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        // A bulk load by the owner: the rows are written as the trigger would write them (the
        // same chain, the same derived state, computed here with the chain's own checker)
        // while the per-event triggers are off, in batches; one event at a time through the
        // trigger runs at about a thousand events a second. Turning the triggers off locks the
        // table until the load commits, so no one else writes meanwhile; `verify` checks the
        // result like any other log.
        tx.batch_execute("ALTER TABLE frist.events DISABLE TRIGGER event_before")
            .map_err(|e| self.err(e))?;
        let insert = tx
            .prepare(
                "INSERT INTO frist.events \
                 (n, ticket, seq, kind, municipality, state_before, login, recorded, body, hash) \
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::integer[], $4::text[], \
                 $5::text[], $6::text[], $7::name[], $8::timestamptz[], $9::text[], $10::bytea[])",
            )
            .map_err(|e| self.err(e))?;
        let mut checker = Checker::default();
        let mut rows = EventRows::default();
        let mut updated: HashMap<TicketId, DateTime<Utc>> = HashMap::new();
        let mut events = events.peekable();
        while let Some(ev) = events.next() {
            let before = checker
                .tickets
                .get(&ev.ticket)
                .map(|t| (t.state.as_str().to_string(), t.municipality.clone()));
            let (n, hash, bytes) = checker
                .push(&ev)
                .map_err(|b| StoreError::BadInput(b.what))?;
            let (state_before, municipality) = match before {
                Some((s, m)) => (Some(s), m),
                None => match &ev.kind {
                    EventKind::Reported { municipality, .. } => (None, municipality.clone()),
                    k => (None, k.log_municipality().to_string()),
                },
            };
            updated.insert(ev.ticket, ev.recorded);
            rows.push(n, &ev, municipality, state_before, bytes, hash);
            if rows.len() == 10_000 || events.peek().is_none() {
                rows.write(&mut tx, &insert).map_err(|e| self.err(e))?;
            }
        }
        let mut tickets = TicketRows::default();
        let mut max_id = 0u64;
        let insert = tx
            .prepare(
                "INSERT INTO frist.tickets (id, municipality, state, category, reported, resolved, \
                 reacted, events, assignee, updated, fold) \
                 SELECT a, b, c, d, e, f, g, h, i, j, k::jsonb FROM unnest($1::bigint[], \
                 $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], \
                 $7::boolean[], $8::integer[], $9::text[], $10::timestamptz[], $11::text[]) \
                 AS x(a, b, c, d, e, f, g, h, i, j, k)",
            )
            .map_err(|e| self.err(e))?;
        let count = checker.tickets.len();
        for (i, t) in checker.tickets.values().enumerate() {
            max_id = max_id.max(t.id);
            tickets.push(t, updated.get(&t.id).copied().unwrap_or(t.reported));
            if tickets.len() == 10_000 || i + 1 == count {
                tickets.write(&mut tx, &insert).map_err(|e| self.err(e))?;
            }
        }
        let (n, head) = checker.head();
        tx.execute(
            "UPDATE frist.chain SET n = $1, hash = $2",
            &[&(n as i64), &head.as_slice()],
        )
        .map_err(|e| self.err(e))?;
        if max_id > 0 {
            tx.execute("SELECT setval('frist.ticket_id', $1)", &[&(max_id as i64)])
                .map_err(|e| self.err(e))?;
        }
        tx.batch_execute("ALTER TABLE frist.events ENABLE TRIGGER event_before")
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        // The planner's statistics for the rows just loaded (autovacuum would get there later).
        c.batch_execute("ANALYZE frist.events; ANALYZE frist.tickets")
            .map_err(|e| self.err(e))?;
        Ok(n)
    }

    fn verify(&self) -> StoreResult<VerifyOutcome> {
        if self.me.role == Role::Municipality {
            return Err(self.deny(Deny::VerifyWholeLog));
        }
        let brk = |ticket: Option<TicketId>, what: String| {
            Ok(VerifyOutcome::Broken(Break {
                position: None,
                ticket,
                event: None,
                what,
            }))
        };
        let mut checker = Checker::default();
        let mut c = self.client();
        let mut tx = c
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| self.err(e))?;
        let mut broken = None;
        self.walk(
            &mut tx,
            &mut |n, hash, body| match checker.next_bytes(n, &hash, body.as_bytes()) {
                Ok(_) => Ok(true),
                Err(b) => {
                    broken = Some(b);
                    Ok(false)
                }
            },
        )?;
        if let Some(b) = broken {
            return Ok(VerifyOutcome::Broken(b));
        }
        let (n, hash) = checker.head();
        let head = tx
            .query_one("SELECT n, hash FROM frist.chain", &[])
            .map_err(|e| self.err(e))?;
        let (hn, hh): (i64, Vec<u8>) = (head.get(0), head.get(1));
        if hn as u64 != n || hh != hash {
            return brk(
                None,
                format!(
                    "the log ends at event {n} but the recorded head is event {hn}: events at the end were removed or the head was changed"
                ),
            );
        }
        let rows = tx
            .query(
                "SELECT id, municipality, state, category, reported, resolved, events, assignee, \
                 fold::text FROM frist.tickets",
                &[],
            )
            .map_err(|e| self.err(e))?;
        for r in &rows {
            let id = r.get::<_, i64>(0) as u64;
            let Some(t) = checker.tickets.get(&id) else {
                return brk(Some(id), "a ticket state without events in the log".into());
            };
            let same = t.municipality == r.get::<_, &str>(1)
                && t.state.as_str() == r.get::<_, &str>(2)
                && t.category == r.get::<_, &str>(3)
                && round_micros(t.reported) == r.get::<_, DateTime<Utc>>(4)
                && t.resolved.map(round_micros) == r.get::<_, Option<DateTime<Utc>>>(5)
                && t.events as i32 == r.get::<_, i32>(6)
                && t.assignee.as_deref() == r.get::<_, Option<&str>>(7)
                && serde_json::from_str::<Ticket>(r.get::<_, &str>(8)).is_ok_and(|f| &f == t);
            if !same {
                return brk(
                    Some(id),
                    "the stored state differs from the fold of the ticket's events".into(),
                );
            }
        }
        if rows.len() != checker.tickets.len() {
            let have: std::collections::HashSet<u64> =
                rows.iter().map(|r| r.get::<_, i64>(0) as u64).collect();
            let missing = checker
                .tickets
                .keys()
                .find(|id| !have.contains(id))
                .copied();
            return brk(missing, "a ticket in the log has no stored state".into());
        }
        Ok(checker.outcome())
    }

    fn classifier_model(&self) -> StoreResult<Option<Vec<u8>>> {
        Ok(self
            .client()
            .query_opt("SELECT model FROM frist.classifier", &[])
            .map_err(|e| self.err(e))?
            .map(|r| r.get(0)))
    }

    fn set_classifier_model(&self, json: &[u8]) -> StoreResult<()> {
        self.client()
            .execute("SELECT frist.set_classifier_model($1)", &[&json])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn add_measurements(&self, ms: &[Measurement]) -> StoreResult<()> {
        let mut c = self.client();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let stmt = tx
            .prepare("INSERT INTO frist.measurements (at, body) VALUES ($1, $2)")
            .map_err(|e| self.err(e))?;
        for m in ms {
            let body = serde_json::to_string(m).expect("a measurement serializes");
            tx.execute(&stmt, &[&m.at, &body])
                .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    fn contract_versions(&self) -> StoreResult<Vec<ContractVersion>> {
        self.client()
            .query(
                "SELECT body, login::text, recorded FROM frist.contracts ORDER BY n",
                &[],
            )
            .map_err(|e| self.err(e))?
            .iter()
            .map(|r| {
                let mut v: ContractVersion = serde_json::from_str(r.get::<_, &str>(0))
                    .map_err(|e| StoreError::Corrupt(format!("a contract version: {e}")))?;
                // Who and when as the database recorded them.
                (v.user, v.recorded) = (r.get(1), r.get(2));
                Ok(v)
            })
            .collect()
    }

    fn add_contract_version(&self, v: &ContractVersion) -> StoreResult<()> {
        let body = serde_json::to_string(v).expect("a contract version serializes");
        self.client()
            .execute(
                "INSERT INTO frist.contracts (contract, body) VALUES ($1, $2)",
                &[&v.contract, &body],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn measurements(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Measurement>> {
        self.client()
            .query(
                "SELECT body FROM frist.measurements WHERE at >= $1 AND at < $2 ORDER BY at, id",
                &[&from, &to],
            )
            .map_err(|e| self.err(e))?
            .iter()
            .map(|r| {
                serde_json::from_str(r.get::<_, &str>(0))
                    .map_err(|e| StoreError::Corrupt(format!("a measurement: {e}")))
            })
            .collect()
    }
}

/// PostgreSQL keeps instants to the microsecond: an event's instants are cut to that before
/// they are hashed, so that the row and the derived state agree exactly.
fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    t.trunc_subsecs(6)
}

/// An instant as PostgreSQL stores one read from text (an imported log may carry nanoseconds).
fn round_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    t.round_subsecs(6)
}

fn row_record(r: &postgres::Row) -> StoreResult<(u64, Hash, &str)> {
    let n: i64 = r.get(0);
    let raw: &[u8] = r.get(1);
    let hash: Hash = raw
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("event {n}: the hash is not 32 bytes")))?;
    Ok((n as u64, hash, r.get(2)))
}
