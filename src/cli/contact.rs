//! `frist contact add|list|remove`: the municipalities' contact people, kept as events in the
//! log's own stream (see [`crate::contact`]).

use super::log::{read_municipality, store_failure};
use super::{CmdResult, Ctx, Failure};
use crate::contact::Contact;
use crate::safe;
use crate::store::Store;
use crate::ticket::EventKind;
use clap::{Args, Subcommand};
use std::io::Write;

#[derive(Debug, Args)]
pub struct ContactArgs {
    #[command(subcommand)]
    pub command: ContactCommand,
}

#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Register a contact person of a municipality: their mail is matched to its tickets and
    /// their written answer counts as the municipality's.
    Add {
        /// The municipality the person speaks for.
        #[arg(long)]
        municipality: String,
        /// The person's name.
        #[arg(long)]
        name: String,
        /// The person's mail address.
        #[arg(long)]
        email: String,
        /// The person's phone number.
        #[arg(long, default_value = "")]
        phone: String,
    },
    /// List the contact people, of one municipality or all.
    List {
        /// Only this municipality's contacts.
        #[arg(long)]
        municipality: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Take a contact person off the list (the change stays in the log).
    Remove {
        /// The person's mail address.
        email: String,
        /// The municipality, when the address is a contact of more than one.
        #[arg(long)]
        municipality: Option<String>,
    },
}

pub fn run(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    a: &ContactArgs,
    out: &mut impl Write,
) -> CmdResult {
    let l = ctx.lang;
    let fail = |e| store_failure(e, ctx);
    match &a.command {
        ContactCommand::Add {
            municipality,
            name,
            email,
            phone,
        } => {
            let municipality = read_municipality(ctx, store, municipality)?;
            let kind = EventKind::ContactAdded {
                municipality: municipality.clone(),
                name: name.trim().to_string(),
                email: email.trim().to_string(),
                phone: phone.trim().to_string(),
            };
            store
                .append_log(kind, user, crate::edge::recorded_now())
                .map_err(fail)?;
            let done = l.t("tilføjet for", "added for");
            said(ctx, name.trim(), email.trim(), done, &municipality, out)?;
        }
        ContactCommand::List { municipality, json } => {
            let municipality = match municipality {
                Some(m) => Some(read_municipality(ctx, store, m)?),
                None => None,
            };
            let contacts = store.contacts(municipality.as_deref()).map_err(fail)?;
            if *json {
                let text = serde_json::to_string_pretty(&contacts).expect("contacts serialize");
                writeln!(out, "{text}")?;
            } else {
                table(ctx, &contacts, out)?;
            }
        }
        ContactCommand::Remove {
            email,
            municipality,
        } => {
            let all = store.contacts(None).map_err(fail)?;
            let holders: Vec<&Contact> = all
                .iter()
                .filter(|c| crate::contact::same_address(&c.email, email))
                .filter(|c| {
                    municipality
                        .as_deref()
                        .is_none_or(|m| c.municipality.eq_ignore_ascii_case(m.trim()))
                })
                .collect();
            let c = match holders.as_slice() {
                [c] => *c,
                [] => {
                    return Err(Failure::usage(match l {
                        crate::i18n::Lang::Da => format!(
                            "{} er ikke kontaktperson{}; se `frist contact list`",
                            safe::text(email.trim()),
                            municipality
                                .as_deref()
                                .map(|m| format!(" for {}", safe::text(m)))
                                .unwrap_or_default()
                        ),
                        crate::i18n::Lang::En => format!(
                            "{} is not a contact{}; see `frist contact list`",
                            safe::text(email.trim()),
                            municipality
                                .as_deref()
                                .map(|m| format!(" of {}", safe::text(m)))
                                .unwrap_or_default()
                        ),
                    }))
                }
                many => {
                    let names: Vec<String> = many
                        .iter()
                        .map(|c| safe::text(&c.municipality).into_owned())
                        .collect();
                    return Err(Failure::usage(match l {
                        crate::i18n::Lang::Da => format!(
                            "{} er kontaktperson for flere kommuner ({}); angiv hvilken med --municipality",
                            safe::text(email.trim()),
                            names.join(", ")
                        ),
                        crate::i18n::Lang::En => format!(
                            "{} is a contact of several municipalities ({}); say which with --municipality",
                            safe::text(email.trim()),
                            names.join(", ")
                        ),
                    }));
                }
            };
            let kind = EventKind::ContactRemoved {
                municipality: c.municipality.clone(),
                email: c.email.clone(),
            };
            store
                .append_log(kind, user, crate::edge::recorded_now())
                .map_err(fail)?;
            let done = l.t("fjernet fra", "removed from");
            said(ctx, &c.name, &c.email, done, &c.municipality, out)?;
        }
    }
    Ok(())
}

/// What a change did: `Kontaktperson NAME <EMAIL> tilføjet for KOMMUNE`.
fn said(
    ctx: &Ctx,
    name: &str,
    email: &str,
    done: &str,
    municipality: &str,
    out: &mut impl Write,
) -> CmdResult {
    writeln!(
        out,
        "{} {} <{}> {done} {}",
        ctx.lang.t("Kontaktperson", "Contact"),
        safe::text(name),
        safe::text(email),
        safe::text(municipality)
    )?;
    Ok(())
}

fn table(ctx: &Ctx, contacts: &[Contact], out: &mut impl Write) -> CmdResult {
    let l = ctx.lang;
    if contacts.is_empty() {
        writeln!(
            out,
            "{}",
            l.t(
                "Ingen kontaktpersoner; tilføj med `frist contact add --municipality KOMMUNE --name NAVN --email ADRESSE`",
                "No contacts; add one with `frist contact add --municipality MUNICIPALITY --name NAME --email ADDRESS`"
            )
        )?;
        return Ok(());
    }
    let rows: Vec<[String; 5]> = contacts
        .iter()
        .map(|c| {
            [
                safe::text(&c.municipality).into_owned(),
                safe::text(&c.name).into_owned(),
                safe::text(&c.email).into_owned(),
                safe::text(&c.phone).into_owned(),
                l.date(c.added.with_timezone(&ctx.loaded.contract.tz).date_naive()),
            ]
        })
        .collect();
    let head = [
        l.t("Kommune", "Municipality"),
        l.t("Navn", "Name"),
        l.t("Mail", "Mail"),
        l.t("Telefon", "Phone"),
        l.t("Tilføjet", "Added"),
    ];
    let mut width = head.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(width).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(head))?;
    for r in &rows {
        writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]))?;
    }
    Ok(())
}
