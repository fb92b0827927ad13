//! `frist mail send|remind`, and the mail that `resolve` and `report --mail` send: the command
//! line's side of [`crate::notify`] (outgoing mail; `mail.rs` has the incoming).

use super::{CmdResult, Ctx, Failure};
use crate::notify::send::{self, Postman};
use crate::notify::{AddressBook, Notifier, Outcome};
use crate::store::{Log, Store, StoreResult};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The addresses: contacts from the log, agents and supervisors from the team's people or the
/// config file.
pub struct Book<'a> {
    pub store: &'a dyn Store,
    /// The shared log's people (their addresses), in team mode.
    pub team: Option<&'a crate::store::PgStore>,
    pub config: &'a send::ConfigFile,
}

impl AddressBook for Book<'_> {
    fn municipality(&self, municipality: &str) -> StoreResult<Vec<String>> {
        contacts_of(self.store, municipality)
    }

    fn agent(&self, login: &str) -> Option<String> {
        if let Some(pg) = self.team {
            if let Some(e) = pg
                .users()
                .ok()?
                .into_iter()
                .find(|p| p.login == login)
                .and_then(|p| p.email)
            {
                return Some(e);
            }
        }
        self.config.agents.get(login).cloned()
    }

    fn supervisors(&self) -> Vec<String> {
        let mut v = self.config.mail.supervisors.clone();
        if let Some(pg) = self.team {
            v.extend(
                pg.users()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| p.role == crate::store::postgres::Role::Supervisor)
                    .filter_map(|p| p.email),
            );
        }
        v.sort();
        v.dedup();
        v
    }
}

/// The mail addresses of a municipality's contacts (registered with `frist contact add`).
pub fn contacts_of(store: &dyn Store, municipality: &str) -> StoreResult<Vec<String>> {
    Ok(store
        .contacts(Some(municipality))?
        .into_iter()
        .map(|c| c.email)
        .collect())
}

/// The outbox when nothing else says: a folder beside the log (`log.sled` → `log-outbox`),
/// or in the data folder for a shared log.
pub fn default_outbox(db: Option<&Path>) -> PathBuf {
    let base = if super::log::is_team(db) {
        super::log::db_path(None).unwrap_or_else(|_| PathBuf::from("frist.sled"))
    } else {
        super::log::db_path(db).unwrap_or_else(|_| PathBuf::from("frist.sled"))
    };
    let stem = base
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "frist".into());
    base.with_file_name(format!("{stem}-outbox"))
}

/// Sets up sending from `FRIST_SMTP`, the config file and `--outbox`.
pub fn postman(ctx: &Ctx, db: Option<&Path>, outbox: Option<&Path>) -> Result<Postman, Failure> {
    let path = send::config_path();
    let config = send::read_config(path.as_deref()).map_err(|e| Failure::of(e, ctx.lang))?;
    let smtp = std::env::var("FRIST_SMTP").ok();
    Postman::new(config, smtp.as_deref(), outbox, &default_outbox(db)).map_err(|e| {
        Failure::usage(format!(
            "{}: {e}",
            ctx.lang.t("mailopsætningen", "the mail set-up")
        ))
    })
}

/// Writes what a mail run did; a mail not sent is said on standard error.
pub fn tell(outcome: &Outcome, out: &mut impl Write) -> CmdResult {
    for line in &outcome.lines {
        writeln!(out, "{}", crate::safe::text(line))?;
    }
    for note in &outcome.notes {
        crate::say_err!("{}", crate::safe::text(note));
    }
    Ok(())
}

/// Runs `f` with a notifier over the opened log.
pub fn with_notifier(
    ctx: &Ctx,
    store: &Log,
    user: &str,
    postman: &Postman,
    f: impl FnOnce(&Notifier) -> StoreResult<Outcome>,
    out: &mut impl Write,
) -> CmdResult {
    let book = Book {
        store: &**store,
        team: store.team(),
        config: &postman.config,
    };
    let n = Notifier {
        store: &**store,
        postman,
        book: &book,
        loaded: &ctx.loaded,
        user,
        now: ctx.now,
        lang: ctx.lang,
    };
    let outcome = f(&n).map_err(|e| super::log::store_failure(e, ctx))?;
    tell(&outcome, out)
}

/// `frist mail send` and `frist mail remind` (`remind` = false: only what failed before).
pub fn run(
    ctx: &Ctx,
    store: &Log,
    user: &str,
    db: Option<&Path>,
    outbox: Option<&Path>,
    remind: bool,
    out: &mut impl Write,
) -> CmdResult {
    let l = ctx.lang;
    let postman = postman(ctx, db, outbox)?;
    with_notifier(
        ctx,
        store,
        user,
        &postman,
        |n| {
            let o = if remind { n.remind()? } else { n.retry()? };
            let mut o = o;
            if o.lines.is_empty() && o.notes.is_empty() {
                o.lines.push(
                    l.t("Ingen mail at sende nu.", "No mail to send now.")
                        .to_string(),
                );
            }
            Ok(o)
        },
        out,
    )
}
