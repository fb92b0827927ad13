//! Team mode's administration: `frist db init`, `frist user …` and `frist whoami`. They speak
//! to PostgreSQL only; a local log has no logins.

use super::{CmdResult, Ctx, Failure};
use crate::store::postgres::{self, PgStore, Role};
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use std::path::Path;

#[derive(Debug, Args)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create or upgrade frist's schema in the PostgreSQL database of --db (run by the
    /// database's owner; safe to run again and at the same time).
    Init,
}

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// The vendor's support desk: logs tickets and every step.
    Agent,
    /// The vendor's supervisor: reads everything, writes notes.
    Supervisor,
    /// A municipality's IT contact: its own tickets only; accepts or rejects resolutions.
    Municipality,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Give a person a database login in their role (run by the database's owner).
    Add {
        /// The database login (lower-case letters, digits, _ . - @).
        login: String,
        /// What the person may do.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The municipality whose IT contact this is (only with --role municipality).
        #[arg(long)]
        municipality: Option<String>,
        /// The person's mail address: timer alerts (`frist mail remind`) go there.
        #[arg(long)]
        email: Option<String>,
        /// Read a password for the login from standard input (one line); without it the
        /// login uses peer or certificate authentication as pg_hba.conf says.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the log's people and their roles.
    List,
    /// Take a person's access away (their events stay in the log).
    Remove {
        /// The database login.
        login: String,
    },
}

fn url_of(ctx: &Ctx, db: Option<&Path>) -> Result<postgres::Url, Failure> {
    let Some(url) = db.and_then(|p| p.to_str()).filter(|u| postgres::is_url(u)) else {
        return Err(Failure::usage(ctx.lang.t(
            "denne kommando gælder en fælles log i PostgreSQL: angiv --db postgres://BRUGER@VÆRT/DATABASE (eller FRIST_DB)",
            "this command is for a shared log in PostgreSQL: give --db postgres://USER@HOST/DB (or FRIST_DB)",
        )));
    };
    postgres::parse_url(url).map_err(|e| super::log::store_failure(e, ctx))
}

pub fn db(ctx: &Ctx, db: Option<&Path>, a: &DbArgs, out: &mut impl Write) -> CmdResult {
    let url = url_of(ctx, db)?;
    match a.command {
        DbCommand::Init => {
            let done = postgres::init(&url).map_err(|e| super::log::store_failure(e, ctx))?;
            let l = ctx.lang;
            if done.from == done.to {
                writeln!(
                    out,
                    "{} {} {} {}",
                    l.t("Databasen", "The database"),
                    url.target,
                    l.t("har allerede skema", "already has schema"),
                    done.to
                )?;
            } else {
                writeln!(
                    out,
                    "{} {} {} {} → {}. {}",
                    l.t("Databasen", "The database"),
                    url.target,
                    l.t("er sat op: skema", "is set up: schema"),
                    done.from,
                    done.to,
                    l.t(
                        "Tilføj folk med frist user add LOGIN --role agent|supervisor|municipality.",
                        "Add people with frist user add LOGIN --role agent|supervisor|municipality."
                    )
                )?;
            }
            Ok(())
        }
    }
}

fn open(ctx: &Ctx, db: Option<&Path>) -> Result<PgStore, Failure> {
    let url = url_of(ctx, db)?;
    PgStore::open(&url).map_err(|e| super::log::store_failure(e, ctx))
}

pub fn user(ctx: &Ctx, db: Option<&Path>, a: &UserArgs, out: &mut impl Write) -> CmdResult {
    let store = open(ctx, db)?;
    let l = ctx.lang;
    let fail = |e| super::log::store_failure(e, ctx);
    match &a.command {
        UserCommand::Add {
            login,
            role,
            municipality,
            email,
            password_stdin,
        } => {
            let email = match email.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(e) => match e.parse::<lettre::Address>() {
                    Ok(_) => Some(e.to_string()),
                    Err(err) => {
                        return Err(Failure::usage(format!(
                            "--email {e}: {} ({err}); {}",
                            l.t("er ikke en mailadresse", "is not a mail address"),
                            l.t("skriv fx mette@leverandor.dk", "write e.g. mette@vendor.dk")
                        )))
                    }
                },
            };
            let role = match role {
                RoleArg::Agent => Role::Agent,
                RoleArg::Supervisor => Role::Supervisor,
                RoleArg::Municipality => Role::Municipality,
            };
            let municipality = match (role, municipality) {
                (Role::Municipality, None) => {
                    return Err(Failure::usage(l.t(
                        "en kommunes login kræver --municipality NAVN",
                        "a municipality's login needs --municipality NAME",
                    )))
                }
                (Role::Municipality, Some(m)) => {
                    Some(super::log::check_municipality(ctx, &store, m, false)?)
                }
                (_, Some(_)) => {
                    return Err(Failure::usage(l.t(
                        "--municipality gælder kun --role municipality",
                        "--municipality goes only with --role municipality",
                    )))
                }
                (_, None) => None,
            };
            let password = if *password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                let p = line.trim_end_matches(['\r', '\n']).to_string();
                if p.is_empty() {
                    return Err(Failure::usage(l.t(
                        "--password-stdin: standardinput gav ingen adgangskode",
                        "--password-stdin: standard input gave no password",
                    )));
                }
                Some(p)
            } else {
                None
            };
            store
                .add_user(
                    login,
                    role,
                    municipality.as_deref(),
                    email.as_deref(),
                    password.as_deref(),
                )
                .map_err(fail)?;
            writeln!(
                out,
                "{login}: {}{}",
                role.label(l),
                municipality.map(|m| format!(" ({m})")).unwrap_or_default()
            )?;
            Ok(())
        }
        UserCommand::List => {
            let people = store.users().map_err(fail)?;
            writeln!(
                out,
                "{:<24} {:<20} {}",
                l.t("login", "login"),
                l.t("rolle", "role"),
                l.t("kommune", "municipality")
            )?;
            for p in people {
                writeln!(
                    out,
                    "{:<24} {:<20} {}",
                    crate::safe::text(&p.login),
                    p.role.label(l),
                    crate::safe::text(p.municipality.as_deref().unwrap_or("–"))
                )?;
            }
            Ok(())
        }
        UserCommand::Remove { login } => {
            if store.remove_user(login).map_err(fail)? {
                writeln!(
                    out,
                    "{login}: {}",
                    l.t(
                        "har ikke længere adgang (hændelserne bliver i loggen)",
                        "no longer has access (the events stay in the log)"
                    )
                )?;
                Ok(())
            } else {
                Err(Failure::usage(format!(
                    "{login}: {}",
                    l.t(
                        "er ikke med i loggen; se frist user list",
                        "is not one of the log's people; see frist user list"
                    )
                )))
            }
        }
    }
}

pub fn whoami(ctx: &Ctx, db: Option<&Path>, user: &str, out: &mut impl Write) -> CmdResult {
    let l = ctx.lang;
    if !super::log::is_team(db) {
        writeln!(
            out,
            "{user} ({})",
            l.t(
                "lokal log: brugeren er --user, FRIST_USER eller styresystemets bruger",
                "local log: the user is --user, FRIST_USER or the OS user"
            )
        )?;
        return Ok(());
    }
    let store = open(ctx, db)?;
    let me = store.whoami();
    match &me.municipality {
        Some(m) => writeln!(
            out,
            "{} {} {}",
            crate::safe::text(&me.login),
            me.role.label(l),
            crate::safe::text(m)
        )?,
        None => writeln!(out, "{} {}", crate::safe::text(&me.login), me.role.label(l))?,
    }
    Ok(())
}
