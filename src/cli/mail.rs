//! `frist mail import|inbox|confirm|dismiss`, and `accept`/`reject --mail`: the municipality's
//! answers by mail as written evidence (see docs/mail.md).

use super::log::{at_time, store_failure};
use super::{CmdResult, Ctx, Failure};
use crate::contact::Book;
use crate::i18n::Lang;
use crate::mail::import::{import_one, pending_suggestions, Outcome};
use crate::mail::{self, normalize_id, MatchedBy, Received, SenderCheck};
use crate::safe;
use crate::store::{Store, StoreError};
use crate::ticket::{ClassifiedBy, EventKind, TicketId};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct MailArgs {
    #[command(subcommand)]
    pub command: MailCommand,
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Read incoming mail from .eml files, mbox files or Maildir folders and attach each
    /// message to its ticket (a message already in the log adds nothing).
    Import {
        /// .eml files, mbox files or Maildir folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// The mail on resolved tickets that waits for a decision, with a suggested verdict, and
    /// the suggested new tickets.
    Inbox {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Make a suggested ticket (a contact's mail that matched no ticket) a ticket.
    Confirm {
        /// The mail's Message-ID.
        message_id: String,
        /// The category id (default: the suggested one).
        #[arg(long)]
        category: Option<String>,
    },
    /// Send again the mails that could not be sent (kept in the log until they go out).
    Send,
    /// Send what is due now: mails that failed before, reminders of resolutions waiting for
    /// acceptance, and alerts of timers at risk or breached (for cron; inside the service
    /// window only, never twice).
    Remind,
    /// Dismiss a suggested ticket, with a reason.
    Dismiss {
        /// The mail's Message-ID.
        message_id: String,
        /// Why it is no ticket (kept in the log).
        #[arg(long)]
        reason: String,
    },
}

fn unreadable(ctx: &Ctx, origin: &str, why: &str) -> String {
    match ctx.lang {
        Lang::Da => format!("{origin}: kan ikke læses som en mail ({why})"),
        Lang::En => format!("{origin}: cannot be read as a mail ({why})"),
    }
}

pub fn run(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    a: &MailArgs,
    out: &mut impl Write,
) -> CmdResult {
    match &a.command {
        MailCommand::Send | MailCommand::Remind => {
            unreachable!("outgoing mail is run by mail_out, which needs the opened log")
        }
        MailCommand::Import { paths } => import(ctx, store, user, paths, out),
        MailCommand::Inbox { json } => inbox(ctx, store, *json, out),
        MailCommand::Confirm {
            message_id,
            category,
        } => confirm(ctx, store, user, message_id, category.as_deref(), out),
        MailCommand::Dismiss { message_id, reason } => {
            let id = normalize_id(message_id);
            if reason.trim().is_empty() {
                return Err(Failure::usage(ctx.lang.t(
                    "angiv hvorfor forslaget ikke er en sag (--reason)",
                    "say why the suggestion is no ticket (--reason)",
                )));
            }
            suggestion(ctx, store, &id)?;
            store
                .append_log(
                    EventKind::MailDismissed {
                        message_id: id.clone(),
                        reason: reason.trim().to_string(),
                    },
                    user,
                    crate::edge::recorded_now(),
                )
                .map_err(|e| store_failure(e, ctx))?;
            writeln!(
                out,
                "{} <{}>",
                ctx.lang.t("Forslag afvist:", "Suggestion dismissed:"),
                safe::text(&id)
            )?;
            Ok(())
        }
    }
}

/// `frist mail import`: every path read first (an unreadable path writes nothing), then each
/// message on its own; a message that is no mail is named and left out, and the command then
/// ends with code 2 (running it again after mending adds only what is new).
fn import(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    paths: &[PathBuf],
    out: &mut impl Write,
) -> CmdResult {
    let l = ctx.lang;
    let mut raws = Vec::new();
    for p in paths {
        let read = mail::source::read(p).map_err(|e| {
            Failure::usage(match (&e, l) {
                (mail::source::SourceError::NotMaildir(p), Lang::Da) => format!(
                    "{}: en mappe, men ikke en Maildir (den har ingen cur/ eller new/); angiv Maildir-mappen, en mbox-fil eller .eml-filer",
                    p.display()
                ),
                (_, Lang::Da) => format!("kan ikke læse {e}"),
                (_, Lang::En) => format!("cannot read {e}"),
            })
        })?;
        raws.extend(read);
    }
    let (mut attached, mut suggested, mut known, mut skipped) = (0, 0, 0, 0);
    let mut bad = Vec::new();
    for raw in &raws {
        let parsed = match mail::parse(&raw.bytes) {
            Ok(p) => p,
            Err(e) => {
                bad.push(unreadable(ctx, &raw.origin, &e.to_string()));
                continue;
            }
        };
        let outcome = import_one(
            store,
            &ctx.loaded.contract,
            &parsed,
            user,
            crate::edge::recorded_now(),
            ctx.now,
        )
        .map_err(|e| store_failure(e, ctx))?;
        let who = safe::text(&parsed.from).into_owned();
        let line = match &outcome {
            Outcome::Attached {
                ticket,
                by,
                sender,
                sender_municipality,
            } => {
                attached += 1;
                let how = match by {
                    MatchedBy::Reply => l.t("svar på sagens mail", "a reply to the ticket's mail"),
                    _ => l.t("[frist #ID] i emnet", "[frist #ID] in the subject"),
                };
                let flag = match sender {
                    SenderCheck::Contact => String::new(),
                    SenderCheck::OtherMunicipality => format!(
                        " ⚠ {} {}",
                        l.t(
                            "ubekræftet: afsenderen er kontaktperson for",
                            "unverified: the sender is a contact of"
                        ),
                        safe::text(sender_municipality)
                    ),
                    SenderCheck::Unknown => format!(
                        " ⚠ {}",
                        l.t(
                            "ubekræftet: afsenderen er ikke kontaktperson",
                            "unverified: the sender is not a contact"
                        )
                    ),
                };
                format!(
                    "{} {ticket}: {} {who} ({how}){flag}",
                    l.t("sag", "ticket"),
                    l.t("mail fra", "mail from")
                )
            }
            Outcome::Suggested {
                municipality,
                category,
                confidence,
            } => {
                suggested += 1;
                format!(
                    "{} {} ({}, {} {}, {:.0} %): {who} «{}» — {} `frist mail confirm {}`",
                    l.t("forslag til ny sag", "suggested ticket"),
                    l.t("fra", "from"),
                    safe::text(municipality),
                    l.t("kategori", "category"),
                    category.as_deref().unwrap_or("?"),
                    confidence * 100.0,
                    safe::text(&parsed.subject),
                    l.t("bekræft med", "confirm with"),
                    safe::text(&parsed.message_id)
                )
            }
            Outcome::Known => {
                known += 1;
                continue;
            }
            Outcome::Unmatched => {
                skipped += 1;
                format!(
                    "{}: {who} «{}» — {}",
                    l.t("ikke importeret", "not imported"),
                    safe::text(&parsed.subject),
                    l.t(
                        "ingen sag passer, og afsenderen er ikke kontaktperson (tilføj med `frist contact add`, eller skriv [frist #ID] i emnet)",
                        "no ticket matches and the sender is not a contact (add one with `frist contact add`, or put [frist #ID] in the subject)"
                    )
                )
            }
        };
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "{}: {attached} {}, {suggested} {}, {known} {}, {skipped} {}",
        l.t("Mail", "Mail"),
        l.t("på sager", "on tickets"),
        l.t("forslag", "suggested"),
        l.t("kendt i forvejen", "already in the log"),
        l.t("uden sag", "without a ticket")
    )?;
    if !bad.is_empty() {
        return Err(Failure::usage(format!(
            "{}\n{}",
            bad.join("\n"),
            l.t(
                "de øvrige mails er importeret; ret eller fjern de nævnte og kør importen igen (kendte mails tilføjes ikke igen)",
                "the other mails were imported; mend or remove the ones named and run the import again (known mails are not added twice)"
            )
        )));
    }
    Ok(())
}

fn inbox(ctx: &Ctx, store: &dyn Store, json: bool, out: &mut impl Write) -> CmdResult {
    let l = ctx.lang;
    let fail = |e| store_failure(e, ctx);
    let items = mail::inbox::items(store).map_err(fail)?;
    let suggestions = pending_suggestions(store).map_err(fail)?;
    if json {
        let v = serde_json::json!({
            "awaiting": items.iter().map(|i| serde_json::json!({
                "ticket": i.ticket.id,
                "municipality": i.ticket.municipality,
                "message_id": i.mail.message_id,
                "from": i.mail.from,
                "subject": i.mail.subject,
                "verified": i.mail.verified(),
                "suggestion": i.judgement,
                "text": i.text,
            })).collect::<Vec<_>>(),
            "suggested_tickets": suggestions.iter().map(|r| serde_json::json!({
                "message_id": r.message_id,
                "from": r.from,
                "subject": r.subject,
                "suggestion": r.suggestion,
            })).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v).expect("JSON"))?;
        return Ok(());
    }
    if items.is_empty() && suggestions.is_empty() {
        writeln!(out, "{}", l.t("Indbakken er tom", "The inbox is empty"))?;
    }
    for i in &items {
        writeln!(
            out,
            "{} {} ({}) — {} — {}",
            l.t("sag", "ticket"),
            i.ticket.id,
            safe::text(&i.ticket.municipality),
            i.mail.summary(l),
            i.judgement.verdict.words(l)
        )?;
        writeln!(out, "  <{}>", safe::text(&i.mail.message_id))?;
        for line in mail::verdict::fresh_text(&i.text)
            .lines()
            .filter(|s| !s.trim().is_empty())
            .take(6)
        {
            writeln!(out, "  | {}", safe::text(line.trim_end()))?;
        }
    }
    for r in &suggestions {
        writeln!(
            out,
            "{} — {} `frist mail confirm {}`",
            r.summary(l),
            l.t(
                "forslag til ny sag; bekræft med",
                "suggested ticket; confirm with"
            ),
            safe::text(&r.message_id)
        )?;
    }
    Ok(())
}

/// A pending suggestion by Message-ID, or a refusal saying there is none.
fn suggestion(ctx: &Ctx, store: &dyn Store, id: &str) -> Result<Received, Failure> {
    pending_suggestions(store)
        .map_err(|e| store_failure(e, ctx))?
        .into_iter()
        .find(|r| r.message_id == id)
        .ok_or_else(|| {
            Failure::usage(match ctx.lang {
                Lang::Da => format!(
                    "der er intet ventende forslag med mailen <{}>; se `frist mail inbox`",
                    safe::text(id)
                ),
                Lang::En => format!(
                    "there is no pending suggestion with the mail <{}>; see `frist mail inbox`",
                    safe::text(id)
                ),
            })
        })
}

fn confirm(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    message_id: &str,
    category: Option<&str>,
    out: &mut impl Write,
) -> CmdResult {
    let id = normalize_id(message_id);
    let r = suggestion(ctx, store, &id)?;
    let contract = &ctx.loaded.contract;
    let s = r.suggestion.clone().unwrap_or(mail::Suggestion {
        municipality: String::new(),
        category: None,
        confidence: 0.0,
    });
    let (category, classified) = match category.or(s.category.as_deref()) {
        Some(c) => {
            contract.category(c).map_err(|e| Failure::of(e, ctx.lang))?;
            let by = if category.is_some() {
                ClassifiedBy::Agent
            } else {
                ClassifiedBy::Auto
            };
            let confidence = (by == ClassifiedBy::Auto).then_some(s.confidence);
            (
                c.to_string(),
                EventKind::Classified {
                    category: c.to_string(),
                    by,
                    confidence,
                    reasons: Vec::new(),
                },
            )
        }
        None => return Err(Failure::usage(ctx.lang.t(
            "frist kunne ikke gætte en kategori; angiv den med --category (se `frist contracts`)",
            "frist could not guess a category; give it with --category (see `frist contracts`)",
        ))),
    };
    let text = r.text();
    let reported = EventKind::Reported {
        municipality: s.municipality.clone(),
        reporter: r.by(),
        title: if r.subject.trim().is_empty() {
            ctx.lang
                .t("(mail uden emne)", "(mail without a subject)")
                .into()
        } else {
            r.subject.trim().to_string()
        },
        description: mail::verdict::fresh_text(&text).trim().to_string(),
        category,
        contract: contract.id.clone(),
    };
    // Reported when the mail came (its Date, not in the future).
    let at = r.date.unwrap_or(ctx.now).min(ctx.now);
    let recorded = crate::edge::recorded_now();
    let fail = |e| store_failure(e, ctx);
    let t = store
        .create(reported, Some(classified), user, recorded, at)
        .map_err(fail)?;
    let mut kept = r.clone();
    kept.matched_by = MatchedBy::Confirmed;
    kept.suggestion = None;
    store
        .append(
            t.id,
            EventKind::MailReceived(Box::new(kept)),
            user,
            recorded,
            at,
            ctx.now,
        )
        .map_err(fail)?;
    writeln!(out, "{}", t.id)?;
    Ok(())
}

/// `frist accept ID --mail MESSAGE-ID` and `frist reject ID --mail MESSAGE-ID --reason …`:
/// the verdict with that mail as the written reference (by = its sender, ref = its Message-ID
/// and hash). Refused when the mail is not on the ticket or its sender is no contact of the
/// ticket's municipality.
#[allow(clippy::too_many_arguments)]
pub fn verdict(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    id: TicketId,
    message_id: &str,
    reject: Option<&str>,
    at: Option<&str>,
    out: &mut impl Write,
) -> CmdResult {
    let l = ctx.lang;
    let fail = |e| store_failure(e, ctx);
    let mid = normalize_id(message_id);
    let t = store
        .ticket(id)
        .map_err(fail)?
        .ok_or_else(|| fail(StoreError::UnknownTicket(id)))?;
    let found = store
        .events(id)
        .map_err(fail)?
        .into_iter()
        .find_map(|e| match e.kind {
            EventKind::MailReceived(m) if m.message_id == mid => Some((e.effective, *m)),
            _ => None,
        });
    let Some((arrived, m)) = found else {
        let elsewhere = mail::import::ticket_of_message(store, &mid).map_err(fail)?;
        return Err(Failure::usage(match (elsewhere, l) {
            (Some(other), Lang::Da) => format!(
                "mailen <{}> hører til sag {other}, ikke sag {id}; se `frist show {other}`",
                safe::text(&mid)
            ),
            (Some(other), Lang::En) => format!(
                "the mail <{}> belongs to ticket {other}, not ticket {id}; see `frist show {other}`",
                safe::text(&mid)
            ),
            (None, Lang::Da) => format!(
                "sag {id} har ingen mail <{}>; importér den først med `frist mail import`, og se sagens mails med `frist show {id}`",
                safe::text(&mid)
            ),
            (None, Lang::En) => format!(
                "ticket {id} has no mail <{}>; import it first with `frist mail import`, and see the ticket's mails with `frist show {id}`",
                safe::text(&mid)
            ),
        }));
    };
    let book = Book {
        contacts: store.contacts(None).map_err(fail)?,
    };
    if book.find(&t.municipality, &m.from).is_none() {
        return Err(Failure::usage(match l {
            Lang::Da => format!(
                "afsenderen {} er ikke kontaktperson for {}, så mailen er ikke kommunens skriftlige svar; se `frist contact list --municipality {}` (en ny kontaktperson: `frist contact add`)",
                safe::text(&m.from),
                safe::text(&t.municipality),
                safe::text(&t.municipality)
            ),
            Lang::En => format!(
                "the sender {} is not a contact of {}, so the mail is not the municipality's written answer; see `frist contact list --municipality {}` (a new contact: `frist contact add`)",
                safe::text(&m.from),
                safe::text(&t.municipality),
                safe::text(&t.municipality)
            ),
        }));
    }
    let kind = match reject {
        None => EventKind::Accepted {
            by: m.by(),
            reference: m.reference(),
        },
        Some(reason) => EventKind::Rejected {
            by: m.by(),
            reason: format!("{} ({})", reason.trim(), m.reference()),
        },
    };
    // When the answer came, unless --at says otherwise; never before the ticket's last step.
    let effective = match at {
        Some(_) => at_time(ctx, at)?,
        None => arrived.max(t.last_effective).min(ctx.now),
    };
    let t = store
        .append(
            id,
            kind,
            user,
            crate::edge::recorded_now(),
            effective,
            ctx.now,
        )
        .map_err(fail)?;
    writeln!(
        out,
        "{} {}: {}",
        l.t("sag", "ticket"),
        t.id,
        t.state.label(l)
    )?;
    Ok(())
}
