//! The schema: versioned SQL migrations (`src/store/migrations/`), applied by `frist db init`
//! under an advisory lock.

use super::connect::{connect, Url};
use super::people::Deny;
use super::{describe, pg_error};
use crate::store::{StoreError, StoreResult};
use postgres::Client;

/// The migrations, in order; the schema's version is their count.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_team", include_str!("../migrations/0001_team.sql")),
    (
        "0002_corrections",
        include_str!("../migrations/0002_corrections.sql"),
    ),
    ("0003_mail", include_str!("../migrations/0003_mail.sql")),
    ("0004_notify", include_str!("../migrations/0004_notify.sql")),
];

/// The schema this build writes and reads in PostgreSQL.
pub const PG_SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Serialises `frist db init` runs (a session-level advisory lock held by the owner while it
/// migrates; the audit chain does not use advisory locks).
const MIGRATION_LOCK: i64 = 0x6672_6973_745f_6462; // "frist_db"

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

pub(super) fn schema_version(c: &mut Client) -> StoreResult<u32> {
    let v: Option<i32> = c
        .query_one("SELECT max(version) FROM frist.schema_migrations", &[])
        .map_err(|e| pg_error(e, None))?
        .get(0);
    Ok(v.unwrap_or(0) as u32)
}
