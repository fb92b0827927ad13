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

use super::chain::{Checker, Hash, Record};
use super::{Break, Filter, Store, StoreError, StoreResult, VerifyOutcome};
use crate::i18n::Lang;
use crate::sla::Measurement;
use crate::ticket::{fold, Event, EventKind, Ticket, TicketId};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use postgres::error::SqlState;
use postgres::{Client, Transaction};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

/// The migrations, in order; the schema's version is their count.
const MIGRATIONS: &[(&str, &str)] = &[("0001_team", include_str!("migrations/0001_team.sql"))];

/// The schema this build writes and reads in PostgreSQL.
pub const PG_SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Serialises `frist db init` runs (a session-level advisory lock held by the owner while it
/// migrates; the audit chain does not use advisory locks).
const MIGRATION_LOCK: i64 = 0x6672_6973_745f_6462; // "frist_db"

/// Whether `--db` names a PostgreSQL database rather than a sled path.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// A role of domain §9, as the database knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The database's owner: administers the log (init, people, import).
    Owner,
    Agent,
    Supervisor,
    Municipality,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "agent" => Some(Role::Agent),
            "supervisor" => Some(Role::Supervisor),
            "municipality" => Some(Role::Municipality),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Municipality => "municipality",
        }
    }

    pub fn label(self, l: Lang) -> &'static str {
        match self {
            Role::Owner => l.t("ejer", "owner"),
            Role::Agent => l.t("supportmedarbejder", "agent"),
            Role::Supervisor => l.t("supervisor", "supervisor"),
            Role::Municipality => l.t("kommune", "municipality"),
        }
    }

    /// What the role may write, in words (for a refusal).
    fn may(self, l: Lang) -> &'static str {
        match self {
            Role::Owner => l.t(
                "ejeren administrerer loggen (db init, user, import); sagsskridt logges af supportmedarbejdere",
                "the owner administers the log (db init, user, import); steps are logged by agents",
            ),
            Role::Agent => l.t("alle sagsskridt", "every step"),
            Role::Supervisor => l.t(
                "en supervisor kan læse alt og kun tilføje noter",
                "a supervisor reads everything and only adds notes",
            ),
            Role::Municipality => l.t(
                "en kommune kan kun acceptere eller afvise sine egne løste sager og tilføje bemærkninger til dem",
                "a municipality may only accept or reject its own resolved tickets and add notes to them",
            ),
        }
    }
}

/// Why the database refused a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deny {
    /// Row-level security or a missing privilege: the role may not take this step here. The
    /// database's own words.
    Rights(String),
    /// The login is not one of the log's people.
    NotAPerson,
    /// Only the owner moves a log in.
    ImportByOwner,
    /// `verify` needs every event.
    VerifyWholeLog,
    /// `db init` by someone else than the schema's owner.
    SchemaOwner(String),
}

impl Deny {
    pub fn message(&self, login: &str, role: Option<Role>, l: Lang) -> String {
        let who = match role {
            Some(r) => format!("{login} ({})", r.label(l)),
            None => login.to_string(),
        };
        match (self, l) {
            (Deny::Rights(detail), _) => {
                let may = role.map(|r| r.may(l)).unwrap_or_default();
                match l {
                    Lang::Da => format!("databasen afviser det for {who}: {may} ({detail})"),
                    Lang::En => format!("the database refuses this to {who}: {may} ({detail})"),
                }
            }
            (Deny::NotAPerson, Lang::Da) => format!(
                "{login} er ikke med i denne log; databasens ejer tilføjer folk med `frist user add`"
            ),
            (Deny::NotAPerson, Lang::En) => format!(
                "{login} is not one of this log's people; the database's owner adds people with `frist user add`"
            ),
            (Deny::ImportByOwner, Lang::Da) => format!(
                "kun databasens ejer flytter en log ind (import, demo), for den beholder hændelsernes brugere og tider; {who} kan ikke"
            ),
            (Deny::ImportByOwner, Lang::En) => format!(
                "only the database's owner moves a log in (import, demo), as it keeps the events' users and times; {who} cannot"
            ),
            (Deny::VerifyWholeLog, Lang::Da) => format!(
                "verify læser hele loggen; en supportmedarbejder, en supervisor eller ejeren kører den, ikke {who}"
            ),
            (Deny::VerifyWholeLog, Lang::En) => format!(
                "verify reads the whole log; an agent, a supervisor or the owner runs it, not {who}"
            ),
            (Deny::SchemaOwner(o), Lang::Da) => format!(
                "skemaet frist tilhører {o}; kør `frist db init` som {o}"
            ),
            (Deny::SchemaOwner(o), Lang::En) => format!(
                "the schema frist belongs to {o}; run `frist db init` as {o}"
            ),
        }
    }
}

/// A person of the log: a database login with its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub login: String,
    pub role: Role,
    pub municipality: Option<String>,
}

/// Why a connection failed, for a message that says what to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectProblem {
    /// Nothing answered at the address.
    Unreachable(String),
    /// Wrong password, or no such login, or pg_hba.conf refuses it.
    Auth(String),
    NoDatabase,
    Tls(String),
    /// The URL itself.
    BadUrl(String),
    Other(String),
}

/// Where a URL points, for messages: `host:port/db` and the login.
#[derive(Debug, Clone)]
pub struct Target {
    pub host: String,
    pub db: String,
    pub user: String,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}/{}", self.user, self.host, self.db)
    }
}

impl ConnectProblem {
    pub fn message(&self, target: &Target, l: Lang) -> String {
        let head = match l {
            Lang::Da => format!(
                "kunne ikke forbinde til PostgreSQL-databasen {} på {} som {}",
                target.db, target.host, target.user
            ),
            Lang::En => format!(
                "cannot connect to the PostgreSQL database {} at {} as {}",
                target.db, target.host, target.user
            ),
        };
        let what = match (self, l) {
            (ConnectProblem::Unreachable(d), Lang::Da) => format!(
                "serveren svarer ikke ({d}); kontrollér at PostgreSQL kører, og at værtsnavn og port i --db er rigtige"
            ),
            (ConnectProblem::Unreachable(d), Lang::En) => format!(
                "the server does not answer ({d}); check that PostgreSQL runs and that the host and port in --db are right"
            ),
            (ConnectProblem::Auth(d), Lang::Da) => format!(
                "login afvist ({d}); kontrollér brugernavn og adgangskode (PGPASSWORD eller ~/.pgpass), at databasens ejer har oprettet dig med `frist user add`, og pg_hba.conf"
            ),
            (ConnectProblem::Auth(d), Lang::En) => format!(
                "login refused ({d}); check the user name and password (PGPASSWORD or ~/.pgpass), that the database's owner added you with `frist user add`, and pg_hba.conf"
            ),
            (ConnectProblem::NoDatabase, Lang::Da) => format!(
                "databasen {} findes ikke; opret den (createdb -O EJER {}) og kør `frist db init` som ejeren",
                target.db, target.db
            ),
            (ConnectProblem::NoDatabase, Lang::En) => format!(
                "the database {} does not exist; create it (createdb -O OWNER {}) and run `frist db init` as its owner",
                target.db, target.db
            ),
            (ConnectProblem::Tls(d), Lang::Da) => format!(
                "TLS mislykkedes ({d}); kontrollér serverens certifikat og værtsnavn, eller angiv sslrootcert=FIL i --db"
            ),
            (ConnectProblem::Tls(d), Lang::En) => format!(
                "TLS failed ({d}); check the server's certificate and host name, or give sslrootcert=FILE in --db"
            ),
            (ConnectProblem::BadUrl(d), Lang::Da) => format!(
                "adressen kan ikke læses ({d}); skriv den som postgres://BRUGER@VÆRT[:PORT]/DATABASE[?sslmode=require]"
            ),
            (ConnectProblem::BadUrl(d), Lang::En) => format!(
                "the address cannot be read ({d}); write it as postgres://USER@HOST[:PORT]/DB[?sslmode=require]"
            ),
            (ConnectProblem::Other(d), _) => d.clone(),
        };
        format!("{head}: {what}")
    }
}

/// A parsed `--db postgres://…`: the driver's configuration, the CA file for TLS, and where it
/// points.
#[derive(Clone)]
pub struct Url {
    config: postgres::Config,
    root_cert: Option<PathBuf>,
    pub target: Target,
}

/// Reads a URL. Understands what libpq's users write: `sslmode=verify-full`/`verify-ca` (both
/// check the certificate and the host name here, as `require` does) and `sslrootcert=FILE`; an
/// empty host means the local socket directory, an empty user the OS user.
pub fn parse_url(url: &str) -> StoreResult<Url> {
    let bad = |d: String| StoreError::Connect {
        target: Target {
            host: "?".into(),
            db: "?".into(),
            user: "?".into(),
        },
        problem: ConnectProblem::BadUrl(d),
    };
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut root_cert = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslrootcert", v)) => root_cert = Some(PathBuf::from(v)),
            Some(("sslmode", "verify-full" | "verify-ca")) => kept.push("sslmode=require".into()),
            _ => kept.push(pair.to_string()),
        }
    }
    let cleaned = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config: postgres::Config = cleaned.parse().map_err(|e| bad(format!("{e}")))?;
    if config.get_hosts().is_empty() {
        let dir = std::env::var("PGHOST").unwrap_or_else(|_| "/var/run/postgresql".into());
        config.host(&dir);
    }
    if config.get_user().is_none() {
        let user = std::env::var("PGUSER")
            .ok()
            .unwrap_or_else(crate::store::os_user);
        config.user(&user);
    }
    if config.get_password().is_none() {
        if let Ok(p) = std::env::var("PGPASSWORD") {
            config.password(p);
        }
    }
    let user = config.get_user().unwrap_or_default().to_string();
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => {
            let port = config.get_ports().first().copied().unwrap_or(5432);
            format!("{h}:{port}")
        }
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "?".into(),
    };
    let db = config.get_dbname().unwrap_or(&user).to_string();
    config.application_name("frist");
    Ok(Url {
        config,
        root_cert,
        target: Target { host, db, user },
    })
}

/// Connects, with TLS that checks the server's certificate and host name whenever TLS is used.
pub fn connect(url: &Url) -> StoreResult<Client> {
    let fail = |problem| StoreError::Connect {
        target: url.target.clone(),
        problem,
    };
    let mut tls = native_tls::TlsConnector::builder();
    if let Some(path) = &url.root_cert {
        let pem = std::fs::read(path)
            .map_err(|e| fail(ConnectProblem::Tls(format!("{}: {e}", path.display()))))?;
        let cert = native_tls::Certificate::from_pem(&pem)
            .map_err(|e| fail(ConnectProblem::Tls(format!("{}: {e}", path.display()))))?;
        tls.add_root_certificate(cert);
    }
    let tls = tls
        .build()
        .map_err(|e| fail(ConnectProblem::Tls(e.to_string())))?;
    let connector = postgres_native_tls::MakeTlsConnector::new(tls);
    url.config
        .connect(connector)
        .map_err(|e| fail(classify_connect(&e)))
}

fn classify_connect(e: &postgres::Error) -> ConnectProblem {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            return ConnectProblem::Auth(db.message().to_string());
        }
        if *code == SqlState::INVALID_CATALOG_NAME {
            return ConnectProblem::NoDatabase;
        }
        return ConnectProblem::Other(db.message().to_string());
    }
    let text = e.to_string();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        if s.downcast_ref::<native_tls::Error>().is_some() {
            return ConnectProblem::Tls(s.to_string());
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return ConnectProblem::Unreachable(io.to_string());
        }
        source = s.source();
    }
    if text.contains("password") {
        return ConnectProblem::Auth(text);
    }
    if text.contains("TLS") || text.contains("tls") || text.contains("ssl") {
        return ConnectProblem::Tls(text);
    }
    ConnectProblem::Other(text)
}

/// What `frist db init` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitOutcome {
    pub from: u32,
    pub to: u32,
}

/// Creates or upgrades the schema (run by the database's owner). Two at once are safe: the
/// second waits for the first and then finds nothing to do.
pub fn init(url: &Url) -> StoreResult<InitOutcome> {
    let mut c = connect(url)?;
    let err = |e: postgres::Error| pg_error(e, None);
    let encoding: String = c
        .query_one("SHOW server_encoding", &[])
        .map_err(err)?
        .get(0);
    if encoding != "UTF8" {
        return Err(StoreError::Postgres(format!(
            "the database's encoding is {encoding}; frist needs UTF8 (createdb -E UTF8 …)"
        )));
    }
    c.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .map_err(err)?;
    let result = migrate(&mut c);
    let _ = c.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    result
}

fn migrate(c: &mut Client) -> StoreResult<InitOutcome> {
    let err = |e: postgres::Error| pg_error(e, None);
    let owner: Option<String> = c
        .query_opt(
            "SELECT r.rolname::text FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner \
             WHERE n.nspname = 'frist'",
            &[],
        )
        .map_err(err)?
        .map(|r| r.get(0));
    let me: String = c
        .query_one("SELECT session_user::text", &[])
        .map_err(err)?
        .get(0);
    if let Some(o) = &owner {
        if *o != me {
            return Err(StoreError::Denied {
                login: me,
                role: None,
                why: Deny::SchemaOwner(o.clone()),
            });
        }
    }
    c.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS frist;
         CREATE TABLE IF NOT EXISTS frist.schema_migrations (
             version integer PRIMARY KEY,
             name text NOT NULL,
             applied timestamptz NOT NULL DEFAULT now());",
    )
    .map_err(err)?;
    let from = schema_version(c)?;
    if from > PG_SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: from,
            known: PG_SCHEMA_VERSION,
        });
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let version = i as i32 + 1;
        let mut tx = c.transaction().map_err(err)?;
        tx.batch_execute(sql)
            .map_err(|e| StoreError::Postgres(format!("migration {name}: {}", describe(&e))))?;
        tx.execute(
            "INSERT INTO frist.schema_migrations (version, name) VALUES ($1, $2)",
            &[&version, name],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
    }
    Ok(InitOutcome {
        from,
        to: PG_SCHEMA_VERSION,
    })
}

fn schema_version(c: &mut Client) -> StoreResult<u32> {
    let v: Option<i32> = c
        .query_one("SELECT max(version) FROM frist.schema_migrations", &[])
        .map_err(|e| pg_error(e, None))?
        .get(0);
    Ok(v.unwrap_or(0) as u32)
}

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
            },
            target: url.target.clone(),
            url: url.clone(),
        })
    }

    /// A connection of its own that hears of every change to the log (the live board).
    pub fn watch(&self) -> Watcher {
        Watcher {
            url: self.url.clone(),
            client: None,
            retry_at: None,
        }
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

    /// Adds a person: a database login in the role's group (run by the owner).
    pub fn add_user(
        &self,
        login: &str,
        role: Role,
        municipality: Option<&str>,
        password: Option<&str>,
    ) -> StoreResult<()> {
        check_login(login)?;
        if role == Role::Owner {
            return Err(StoreError::BadInput(
                "a person's role is agent, supervisor or municipality".into(),
            ));
        }
        if (role == Role::Municipality) != municipality.is_some() {
            return Err(StoreError::BadInput(
                "a municipality's login needs --municipality NAME, and only it".into(),
            ));
        }
        let mut c = self.client();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let exists = tx
            .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&login])
            .map_err(|e| self.err(e))?
            .is_some();
        let ident = quote_ident(login);
        if !exists {
            let pw = match password {
                Some(p) => format!(" PASSWORD {}", quote_literal(p)),
                None => String::new(),
            };
            tx.batch_execute(&format!("CREATE ROLE {ident} LOGIN{pw}"))
                .map_err(|e| self.err(e))?;
        } else if let Some(p) = password {
            tx.batch_execute(&format!("ALTER ROLE {ident} PASSWORD {}", quote_literal(p)))
                .map_err(|e| self.err(e))?;
        }
        tx.batch_execute(&format!("GRANT frist_{} TO {ident}", role.as_str()))
            .map_err(|e| self.err(e))?;
        tx.execute(
            "INSERT INTO frist.people (login, role, municipality) VALUES ($1, $2, $3)
             ON CONFLICT (login) DO UPDATE SET role = EXCLUDED.role,
                 municipality = EXCLUDED.municipality",
            &[&login, &role.as_str(), &municipality],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// The log's people, by login.
    pub fn users(&self) -> StoreResult<Vec<Person>> {
        let rows = self
            .client()
            .query(
                "SELECT login::text, role, municipality FROM frist.people ORDER BY login",
                &[],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(Person {
                    login: r.get(0),
                    role: Role::parse(r.get(1))?,
                    municipality: r.get(2),
                })
            })
            .collect())
    }

    /// Takes a person's access away: out of the group and the people; their events stay.
    /// Whether there was such a person.
    pub fn remove_user(&self, login: &str) -> StoreResult<bool> {
        check_login(login)?;
        let mut c = self.client();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let role: Option<String> = tx
            .query_opt(
                "DELETE FROM frist.people WHERE login = $1 RETURNING role",
                &[&login],
            )
            .map_err(|e| self.err(e))?
            .map(|r| r.get(0));
        let Some(role) = role else {
            return Ok(false);
        };
        let ident = quote_ident(login);
        tx.batch_execute(&format!("REVOKE frist_{role} FROM {ident}"))
            .map_err(|e| self.err(e))?;
        tx.batch_execute(&format!("ALTER ROLE {ident} NOLOGIN"))
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(true)
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
        tx.execute(
            "INSERT INTO frist.events (ticket, seq, body) VALUES ($1, $2, $3)",
            &[&(ev.ticket as i64), &(ev.seq as i32), &body],
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

/// Hears of other people's changes: the trigger notifies channel `frist` with `ticket seq`
/// for every event (ids only, as every login may listen on every channel; the board reads
/// what changed through its own rights). A lost connection is retried every few seconds.
pub struct Watcher {
    url: Url,
    client: Option<Client>,
    retry_at: Option<std::time::Instant>,
}

impl Watcher {
    /// The tickets changed since the last call, without waiting. `Err` while the connection
    /// is lost (it is retried on later calls).
    pub fn poll(&mut self) -> StoreResult<Vec<TicketId>> {
        use postgres::fallible_iterator::FallibleIterator;
        if self.client.as_ref().is_none_or(|c| c.is_closed()) {
            self.client = None;
            let now = std::time::Instant::now();
            if self.retry_at.is_some_and(|t| now < t) {
                return Err(StoreError::Postgres(
                    "the connection to the database was lost".into(),
                ));
            }
            self.retry_at = Some(now + std::time::Duration::from_secs(3));
            let mut c = connect(&self.url)?;
            c.batch_execute("LISTEN frist")
                .map_err(|e| pg_error(e, None))?;
            self.client = Some(c);
            self.retry_at = None;
        }
        let Some(c) = self.client.as_mut() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let mut lost = None;
        {
            // A short wait, not a bare non-blocking look: the driver learns that the socket is
            // readable only when it gets to wait on it.
            let mut notes = c.notifications();
            let mut it = notes.timeout_iter(std::time::Duration::from_millis(5));
            loop {
                match it.next() {
                    Ok(Some(n)) => {
                        let id = n.payload().split(' ').next().and_then(|s| s.parse().ok());
                        if let Some(id) = id.filter(|id| !out.contains(id)) {
                            out.push(id);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        lost = Some(e);
                        break;
                    }
                }
            }
        }
        if let Some(e) = lost {
            self.client = None;
            self.retry_at = Some(std::time::Instant::now() + std::time::Duration::from_secs(3));
            return Err(pg_error(e, None));
        }
        Ok(out)
    }
}

/// A batch of event rows for a bulk load, by column.
#[derive(Default)]
struct EventRows {
    n: Vec<i64>,
    ticket: Vec<i64>,
    seq: Vec<i32>,
    kind: Vec<&'static str>,
    municipality: Vec<String>,
    state_before: Vec<Option<String>>,
    login: Vec<String>,
    recorded: Vec<DateTime<Utc>>,
    body: Vec<String>,
    hash: Vec<Vec<u8>>,
}

impl EventRows {
    fn push(
        &mut self,
        n: u64,
        ev: &Event,
        municipality: String,
        state_before: Option<String>,
        bytes: Vec<u8>,
        hash: Hash,
    ) {
        self.n.push(n as i64);
        self.ticket.push(ev.ticket as i64);
        self.seq.push(ev.seq as i32);
        self.kind.push(ev.kind.name());
        self.municipality.push(municipality);
        self.state_before.push(state_before);
        self.login.push(ev.user.clone());
        self.recorded.push(ev.recorded);
        self.body
            .push(String::from_utf8(bytes).expect("JSON is UTF-8"));
        self.hash.push(hash.to_vec());
    }

    fn write(
        &mut self,
        tx: &mut Transaction<'_>,
        insert: &postgres::Statement,
    ) -> Result<(), postgres::Error> {
        tx.execute(
            insert,
            &[
                &self.n,
                &self.ticket,
                &self.seq,
                &self.kind,
                &self.municipality,
                &self.state_before,
                &self.login,
                &self.recorded,
                &self.body,
                &self.hash,
            ],
        )?;
        *self = EventRows::default();
        Ok(())
    }
}

/// A batch of derived ticket rows for a bulk load, by column.
#[derive(Default)]
struct TicketRows {
    id: Vec<i64>,
    municipality: Vec<String>,
    state: Vec<&'static str>,
    category: Vec<String>,
    reported: Vec<DateTime<Utc>>,
    resolved: Vec<Option<DateTime<Utc>>>,
    reacted: Vec<bool>,
    events: Vec<i32>,
    assignee: Vec<Option<String>>,
    updated: Vec<DateTime<Utc>>,
    fold: Vec<String>,
}

impl TicketRows {
    fn push(&mut self, t: &Ticket, updated: DateTime<Utc>) {
        self.id.push(t.id as i64);
        self.municipality.push(t.municipality.clone());
        self.state.push(t.state.as_str());
        self.category.push(t.category.clone());
        self.reported.push(t.reported);
        self.resolved.push(t.resolved);
        self.reacted.push(t.reacted.is_some());
        self.events.push(t.events as i32);
        self.assignee.push(t.assignee.clone());
        self.updated.push(updated);
        self.fold
            .push(serde_json::to_string(t).expect("a ticket serializes"));
    }

    fn write(
        &mut self,
        tx: &mut Transaction<'_>,
        insert: &postgres::Statement,
    ) -> Result<(), postgres::Error> {
        tx.execute(
            insert,
            &[
                &self.id,
                &self.municipality,
                &self.state,
                &self.category,
                &self.reported,
                &self.resolved,
                &self.reacted,
                &self.events,
                &self.assignee,
                &self.updated,
                &self.fold,
            ],
        )?;
        *self = TicketRows::default();
        Ok(())
    }
}

/// A login as PostgreSQL takes it unquoted: letters, digits, `_`, `.`, `-`, `@`.
fn check_login(login: &str) -> StoreResult<()> {
    let ok = !login.is_empty()
        && login.len() <= 63
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-@".contains(c))
        && !login.starts_with("pg_")
        && !login.starts_with("frist_");
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadInput(format!(
            "'{login}' cannot be a login: use lower-case letters, digits and _ . - @ (at most 63, not starting with pg_ or frist_)"
        )))
    }
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The first instant of month `m` (`yyyymm`) in UTC.
fn month_start(m: u32) -> Option<DateTime<Utc>> {
    NaiveDate::from_ymd_opt((m / 100) as i32, m % 100, 1)
        .map(|d| d.and_time(Default::default()).and_utc())
}

impl Store for PgStore {
    fn create(
        &self,
        reported: EventKind,
        classified: Option<EventKind>,
        _user: &str,
        _recorded: DateTime<Utc>,
        effective: DateTime<Utc>,
    ) -> StoreResult<Ticket> {
        let effective = micros(effective);
        if !matches!(reported, EventKind::Reported { .. }) {
            return Err(StoreError::BadInput(
                "a ticket starts with its report".into(),
            ));
        }
        let mut c = self.client();
        let mut tx = c.transaction().map_err(|e| self.err(e))?;
        let (recorded, user) = self.stamp(&mut tx)?;
        let id: i64 = tx
            .query_one("SELECT nextval('frist.ticket_id')", &[])
            .map_err(|e| self.err(e))?
            .get(0);
        let mut events = vec![Event {
            ticket: id as u64,
            seq: 0,
            user: user.clone(),
            recorded,
            effective,
            kind: reported,
        }];
        if let Some(k) = classified {
            events.push(Event {
                ticket: id as u64,
                seq: 1,
                user,
                recorded,
                effective,
                kind: k,
            });
        }
        for ev in &events {
            self.insert_event(&mut tx, ev).map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        fold(&events).ok_or_else(|| StoreError::BadInput("a ticket starts with its report".into()))
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
            let (recorded, user) = self.stamp(&mut tx)?;
            let events = Self::read_events(&mut tx, id)?;
            let Some(mut ticket) = fold(&events) else {
                return Err(StoreError::UnknownTicket(id));
            };
            ticket.check(&kind, effective, now)?;
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
        let portal = tx
            .bind("SELECT n, hash, body FROM frist.events ORDER BY n", &[])
            .map_err(|e| self.err(e))?;
        loop {
            let rows = tx.query_portal(&portal, 10_000).map_err(|e| self.err(e))?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let (n, hash, body) = row_record(r)?;
                let event: Event = serde_json::from_str(body)
                    .map_err(|e| StoreError::Corrupt(format!("event {n}: {e}")))?;
                f(&Record { n, hash, event })?;
            }
        }
        Ok(())
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
        tx.batch_execute(
            "ALTER TABLE frist.events DISABLE TRIGGER event_before;
             ALTER TABLE frist.events DISABLE TRIGGER events_head;",
        )
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
                    _ => (None, String::new()),
                },
            };
            updated.insert(ev.ticket, ev.recorded);
            rows.push(n, &ev, municipality, state_before, bytes, hash);
            if rows.n.len() == 10_000 || events.peek().is_none() {
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
            if tickets.id.len() == 10_000 || i + 1 == count {
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
        tx.batch_execute(
            "ALTER TABLE frist.events ENABLE TRIGGER event_before;
             ALTER TABLE frist.events ENABLE TRIGGER events_head;",
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
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
        let portal = tx
            .bind("SELECT n, hash, body FROM frist.events ORDER BY n", &[])
            .map_err(|e| self.err(e))?;
        loop {
            let rows = tx.query_portal(&portal, 10_000).map_err(|e| self.err(e))?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let (n, hash, body) = row_record(r)?;
                if let Err(b) = checker.next_bytes(n, &hash, body.as_bytes()) {
                    return Ok(VerifyOutcome::Broken(b));
                }
            }
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
