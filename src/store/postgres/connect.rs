//! Reading `--db postgres://…`, connecting with TLS that checks the server, and saying what
//! to check when a connection fails.

use super::super::{StoreError, StoreResult};
use crate::i18n::Lang;
use postgres::error::SqlState;
use postgres::Client;
use std::path::PathBuf;

/// Whether `--db` names a PostgreSQL database rather than a sled path.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
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
