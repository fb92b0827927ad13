//! `frist checkpoint` and the checkpoint half of `frist verify`: signed statements of the log's
//! state kept outside the log (see [`crate::checkpoint`]), on a local log and PostgreSQL alike.

use super::log::store_failure;
use super::{CmdResult, Ctx, Failure};
use crate::checkpoint::keep::{KeepError, Keeper, Kept};
use crate::checkpoint::{compare, Checkpoint, Comparison, Finding, Link};
use crate::i18n::Lang;
use crate::store::chain::Hash;
use crate::store::{Store, VerifyOutcome};
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// Write the checkpoint to this file (atomically) instead of standard output.
    #[arg(long, conflicts_with = "key")]
    pub out: Option<PathBuf>,
    /// Print the public half of the signing key (made on first use) and nothing else.
    #[arg(long)]
    pub key: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A checkpoint written by `frist checkpoint`: prove the log still holds exactly the
    /// events it committed to and only appends after them. Without it, the last checkpoint
    /// this machine made of the log is used.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
}

fn keep_failure(e: KeepError, l: Lang) -> Failure {
    Failure {
        message: e.message(l),
        code: 1,
    }
}

/// Every event's chain hash and place, in log order.
pub fn links(ctx: &Ctx, store: &dyn Store) -> Result<Vec<Link>, Failure> {
    let mut v = Vec::new();
    store
        .for_each_event(&mut |r| {
            v.push(Link {
                hash: r.hash,
                ticket: r.event.ticket,
                seq: r.event.seq,
            });
            Ok(())
        })
        .map_err(|e| store_failure(e, ctx))?;
    Ok(v)
}

/// The last checkpoint this machine made of the log (found by its identity, else by where
/// the log lies, so that a log whose first event was replaced or that lost every event is
/// still compared).
fn last_known(keeper: &Keeper, links: &[Link], place: &str) -> Result<Option<Kept>, KeepError> {
    if let Some(first) = links.first() {
        if let Some(found) = keeper.last(&hex::encode(first.hash))? {
            return Ok(Some(found));
        }
    }
    keeper.last_at_place(place)
}

/// Why the log does not hold what `cp` committed to, in the user's language.
fn finding_message(l: Lang, cp: &Checkpoint, f: &Finding, ctx: &Ctx) -> String {
    let when = l.datetime(ctx.loaded.calendar.local(cp.at));
    match (f, l) {
        (Finding::Holds { .. }, _) => String::new(),
        (Finding::Missing { have, expected }, Lang::Da) => format!(
            "loggen har {have} hændelser, men kontrolpunktet fra {when} bekræftede {expected}: hændelse {}–{expected} mangler ({} i alt); loggen er skåret af eller rullet tilbage til en ældre kopi — gendan den fra en eksport eller en sikkerhedskopi",
            have + 1,
            expected - have
        ),
        (Finding::Missing { have, expected }, Lang::En) => format!(
            "the log has {have} events, but the checkpoint of {when} committed to {expected}: events {}–{expected} are missing ({} in all); the log was cut or rolled back to an older copy — restore it from an export or a backup",
            have + 1,
            expected - have
        ),
        (Finding::Differs { position, at }, l) => {
            let what = at.map_or_else(String::new, |a| match l {
                Lang::Da => format!(" (sag {}, hændelse #{})", a.ticket, a.seq),
                Lang::En => format!(" (ticket {}, event #{})", a.ticket, a.seq),
            });
            match l {
                Lang::Da => format!(
                    "hændelse {position}{what} er ikke den som kontrolpunktet fra {when} bekræftede ({} hændelser): den eller en før den er ændret og kæden hashet om, eller loggen er rullet tilbage og skrevet videre",
                    cp.events
                ),
                Lang::En => format!(
                    "event {position}{what} is not the one the checkpoint of {when} committed to ({} events): it or one before it was changed and the chain hashed anew, or the log was rolled back and written on",
                    cp.events
                ),
            }
        }
    }
}

/// Makes a checkpoint of the log's state now: the chain must verify and the log must still
/// hold what its last checkpoint committed to (a tampered log is never signed). Kept beside
/// the key as the log's last checkpoint.
pub fn take(ctx: &Ctx, store: &dyn Store, place: &str) -> Result<Checkpoint, Failure> {
    take_or(ctx, store, place).map_err(|e| match e {
        NotTaken::Refused(f) | NotTaken::Keep(f) => f,
    })
}

/// Why no checkpoint was made.
enum NotTaken {
    /// The log is empty, damaged, no longer holds its last checkpoint, or cannot be read.
    Refused(Failure),
    /// The checkpoint folder cannot be used.
    Keep(Failure),
}

/// The checkpoint a monthly report carries, taken as it is made, without walking the log:
/// the log's head and its event at the last checkpoint's count are read directly. A log that
/// no longer holds its last checkpoint fails the report (naming what differs); an empty log,
/// a login that does not see the whole log (`place` is `None`), or a checkpoint folder that
/// cannot be used (said on standard error) gives a report without one. The chain itself is
/// walked by `frist verify` and `frist checkpoint`, not by every report.
pub fn for_report(
    ctx: &Ctx,
    store: &dyn Store,
    place: Option<&str>,
) -> Result<Option<Checkpoint>, Failure> {
    let l = ctx.lang;
    let Some(place) = place else { return Ok(None) };
    let warn = |m: String| {
        crate::say_err!(
            "{}: {m}",
            l.t(
                "advarsel: rapporten får intet kontrolpunkt",
                "warning: the report carries no checkpoint"
            )
        );
        Ok(None)
    };
    let (events, head) = store.head().map_err(|e| store_failure(e, ctx))?;
    if events == 0 {
        return Ok(None);
    }
    let Some(first) = store.link_at(1).map_err(|e| store_failure(e, ctx))? else {
        return warn(
            l.t(
                "loggens første hændelse kan ikke læses; kør `frist verify`",
                "the log's first event cannot be read; run `frist verify`",
            )
            .into(),
        );
    };
    let keeper = match Keeper::locate() {
        Ok(k) => k,
        Err(e) => return warn(e.message(l)),
    };
    let last = match keeper.last(&hex::encode(first)) {
        Ok(Some(found)) => Some(found),
        Ok(None) => match keeper.last_at_place(place) {
            Ok(found) => found,
            Err(e) => return warn(e.message(l)),
        },
        Err(e) => return warn(e.message(l)),
    };
    if let Some((last, committed)) = last {
        // Nothing appended since the last checkpoint: that one states this log, and a report
        // made again from the same log carries the same signed line.
        if last.log == hex::encode(first) && last.events == events && last.head == hex::encode(head)
        {
            return Ok(Some(last));
        }
        let at_count = store
            .link_at(last.events)
            .map_err(|e| store_failure(e, ctx))?;
        let holds = last.log == hex::encode(first)
            && at_count.map(hex::encode).as_deref() == Some(last.head.as_str());
        if !holds {
            // Walk the log to name what differs.
            let links = links(ctx, store)?;
            let f = compare(&links, &last, committed.as_deref());
            return Err(Failure {
                message: format!(
                    "{}; {}",
                    finding_message(l, &last, &f, ctx),
                    l.t(
                        "rapporten laves ikke; kør `frist verify`",
                        "the report is not made; run `frist verify`"
                    )
                ),
                code: 1,
            });
        }
    }
    let key = match keeper.key() {
        Ok(k) => k,
        Err(e) => return warn(e.message(l)),
    };
    let cp = Checkpoint::sign_state(&key, &first, events, &head, crate::edge::recorded_now());
    if let Err(e) = keeper.save(&cp, None, place) {
        return warn(e.message(l));
    }
    Ok(Some(cp))
}

fn take_or(ctx: &Ctx, store: &dyn Store, place: &str) -> Result<Checkpoint, NotTaken> {
    use NotTaken::{Keep, Refused};
    let keep = |e: KeepError| Keep(keep_failure(e, ctx.lang));
    let l = ctx.lang;
    if let VerifyOutcome::Broken(b) = store.verify().map_err(|e| Refused(store_failure(e, ctx)))? {
        return Err(Refused(Failure {
            message: format!(
                "{}: {}; {}",
                l.t("revisionssporet er brudt", "the audit chain is broken"),
                b.what,
                l.t(
                    "der laves intet kontrolpunkt; kør `frist verify`",
                    "no checkpoint is made; run `frist verify`"
                )
            ),
            code: 1,
        }));
    }
    let links = links(ctx, store).map_err(Refused)?;
    if links.is_empty() {
        return Err(Refused(Failure::usage(l.t(
            "loggen er tom: der er intet at lave et kontrolpunkt af",
            "the log is empty: there is nothing to checkpoint",
        ))));
    }
    let keeper = Keeper::locate().map_err(keep)?;
    if let Some((last, committed)) = last_known(&keeper, &links, place).map_err(keep)? {
        let f = compare(&links, &last, committed.as_deref());
        if !matches!(f, Finding::Holds { .. }) {
            return Err(Refused(Failure {
                message: format!(
                    "{}; {}",
                    finding_message(l, &last, &f, ctx),
                    l.t(
                        "der laves intet nyt kontrolpunkt",
                        "no new checkpoint is made"
                    )
                ),
                code: 1,
            }));
        }
    }
    let key = keeper.key().map_err(keep)?;
    let hashes: Vec<Hash> = links.iter().map(|x| x.hash).collect();
    let cp = Checkpoint::sign(&key, &hashes, crate::edge::recorded_now())
        .expect("a log with events has a checkpoint");
    keeper.save(&cp, Some(&hashes), place).map_err(keep)?;
    Ok(cp)
}

/// `frist checkpoint [--out FILE] [--key]`.
pub fn checkpoint(
    ctx: &Ctx,
    store: &dyn Store,
    place: &str,
    a: &CheckpointArgs,
    out: &mut impl Write,
) -> CmdResult {
    let l = ctx.lang;
    if a.key {
        let keeper = Keeper::locate().map_err(|e| keep_failure(e, l))?;
        let key = keeper.key().map_err(|e| keep_failure(e, l))?;
        writeln!(out, "{}", hex::encode(key.verifying_key().as_bytes()))?;
        return Ok(());
    }
    let cp = take(ctx, store, place)?;
    let json = format!("{}\n", cp.to_json());
    match &a.out {
        None => out.write_all(json.as_bytes())?,
        Some(path) => {
            super::report::write_atomically(path, json.as_bytes())?;
            writeln!(
                out,
                "{} {} ({} {}) {}",
                l.t(
                    "Kontrolpunktet er skrevet til",
                    "The checkpoint was written to"
                ),
                path.display(),
                cp.events,
                l.t("hændelser", "events"),
                short(&cp.head)
            )?;
        }
    }
    Ok(())
}

fn short(hex: &str) -> &str {
    &hex[..hex.len().min(12)]
}

/// A checkpoint file given on the command line, with the hashes this machine kept for the
/// same checkpoint (they name the first difference exactly).
fn read_given(
    l: Lang,
    path: &Path,
    keeper: Option<&Keeper>,
) -> Result<(Checkpoint, Option<Vec<Hash>>), Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "{} {}: {e}",
            l.t("kan ikke læse", "cannot read"),
            path.display()
        ))
    })?;
    let cp = Checkpoint::parse(&text).map_err(|e| Failure {
        message: format!("{}: {e}", path.display()),
        code: 1,
    })?;
    let committed = keeper
        .and_then(|k| k.last(&cp.log).ok().flatten())
        .and_then(|(_, h)| h)
        .filter(|h| {
            h.len() as u64 >= cp.events
                && cp.events > 0
                && hex::encode(h[cp.events as usize - 1]) == cp.head
        })
        .map(|mut h| {
            h.truncate(cp.events as usize);
            h
        });
    Ok((cp, committed))
}

/// What an import is compared with before anything is written: the checkpoint file given
/// with `--checkpoint`, else the last checkpoint this machine made of the same log (found by
/// `first`, the hash of the file's first event), with the hashes kept for it. `None` when
/// there is neither. An export edited and hashed anew passes the chain and its own end line
/// (whoever forged it rewrote those too); only a checkpoint signed before the forgery tells it
/// from the log.
pub struct ForImport {
    cp: Checkpoint,
    committed: Option<Vec<Hash>>,
    given: bool,
}

impl ForImport {
    pub fn find(
        ctx: &Ctx,
        first: Option<&Hash>,
        file: Option<&Path>,
    ) -> Result<Option<ForImport>, Failure> {
        let l = ctx.lang;
        let keeper = Keeper::locate().ok();
        if let Some(path) = file {
            let (cp, committed) = read_given(l, path, keeper.as_ref())?;
            return Ok(Some(ForImport {
                cp,
                committed,
                given: true,
            }));
        }
        let found = match (&keeper, first) {
            (Some(k), Some(first)) => k
                .last(&hex::encode(first))
                .map_err(|e| keep_failure(e, l))?,
            _ => None,
        };
        Ok(found.map(|(cp, committed)| ForImport {
            cp,
            committed,
            given: false,
        }))
    }

    /// The comparison to push the file's links into, in order.
    pub fn comparison(&self) -> Comparison<'_> {
        Comparison::new(&self.cp, self.committed.as_deref())
    }

    /// A file that differs is refused (exit 1). A file with fewer events than this machine's
    /// last checkpoint (an older export, restored after a loss) is imported with a warning;
    /// with `--checkpoint` it is refused.
    pub fn judge(&self, ctx: &Ctx, f: Finding) -> Result<(), Failure> {
        let l = ctx.lang;
        let cp = &self.cp;
        match f {
            Finding::Holds { .. } => Ok(()),
            Finding::Missing { .. } if !self.given => {
                crate::say_err!(
                    "{}: {}",
                    l.t("advarsel", "warning"),
                    finding_message(l, cp, &f, ctx)
                );
                Ok(())
            }
            f => Err(Failure {
                message: format!(
                    "{}: {}; {}",
                    l.t(
                        "filen holder ikke hvad kontrolpunktet bekræftede",
                        "the file does not hold what the checkpoint committed to"
                    ),
                    finding_message(l, cp, &f, ctx),
                    l.t("intet er importeret", "nothing was imported")
                ),
                code: 1,
            }),
        }
    }
}

/// Opening the log for the board or a list: a log with fewer events than the last checkpoint
/// this machine made of it (cut at its tail, rolled back) gets a warning, for standard error.
/// Cheap: the head and the first event are read directly, not the whole log.
pub fn behind(ctx: &Ctx, store: &dyn Store, place: &str) -> Option<String> {
    let l = ctx.lang;
    let (events, _) = store.head().ok()?;
    let keeper = Keeper::locate().ok()?;
    let by_log = match store.link_at(1).ok().flatten() {
        Some(f) => keeper.last(&hex::encode(f)).ok().flatten(),
        None => None,
    };
    let (cp, _) = by_log.or_else(|| keeper.last_at_place(place).ok().flatten())?;
    (events < cp.events).then(|| {
        let f = Finding::Missing {
            have: events,
            expected: cp.events,
        };
        format!(
            "{}: {}; {}",
            l.t("advarsel", "warning"),
            finding_message(l, &cp, &f, ctx),
            l.t("kør `frist verify`", "run `frist verify`")
        )
    })
}

/// The checkpoint half of `frist verify`, after the chain verified: compares the log with the
/// checkpoint FILE, or with the last checkpoint this machine made of it. Exit 1 when the log
/// no longer holds what the checkpoint committed to.
pub fn verify(
    ctx: &Ctx,
    store: &dyn Store,
    place: &str,
    file: Option<&Path>,
    out: &mut impl Write,
) -> CmdResult {
    let l = ctx.lang;
    let links = links(ctx, store)?;
    let keeper = Keeper::locate().ok();
    let own_key = keeper
        .as_ref()
        .and_then(|k| k.existing_key().ok().flatten())
        .map(|k| hex::encode(k.verifying_key().as_bytes()));
    let (cp, committed, from_file) = match file {
        Some(path) => {
            let (cp, committed) = read_given(l, path, keeper.as_ref())?;
            (cp, committed, true)
        }
        None => {
            let found = match &keeper {
                Some(k) => last_known(k, &links, place).map_err(|e| keep_failure(e, l))?,
                None => None,
            };
            match found {
                Some((cp, committed)) => (cp, committed, false),
                None => {
                    writeln!(
                        out,
                        "{}",
                        l.t(
                            "Intet kontrolpunkt af denne log endnu; lav et med `frist checkpoint`.",
                            "No checkpoint of this log yet; make one with `frist checkpoint`."
                        )
                    )?;
                    return Ok(());
                }
            }
        }
    };
    let f = compare(&links, &cp, committed.as_deref());
    let when = l.datetime(ctx.loaded.calendar.local(cp.at));
    let signer = if own_key.as_deref() == Some(cp.key.as_str()) {
        l.t(
            "signeret med denne maskines nøgle",
            "signed with this machine's key",
        )
        .to_string()
    } else {
        format!(
            "{} {} — {}",
            l.t("signeret med nøglen", "signed with the key"),
            cp.key,
            l.t(
                "ikke denne maskines; sammenlign med den offentlige nøgle loggens ejer har oplyst",
                "not this machine's; compare it with the public key the log's keeper published"
            )
        )
    };
    match f {
        Finding::Holds { appended } => {
            writeln!(
                out,
                "{} {when} ({} {}, {signer}) {}; {appended} {}",
                if from_file {
                    l.t("Kontrolpunktet fra", "The checkpoint of")
                } else {
                    l.t("Seneste kontrolpunkt fra", "The last checkpoint of")
                },
                cp.events,
                l.t("hændelser", "events"),
                l.t("holder", "holds"),
                l.t("hændelser er tilføjet siden", "events were appended since")
            )?;
            Ok(())
        }
        f => Err(Failure {
            message: format!(
                "{}: {}",
                l.t(
                    "loggen holder ikke hvad kontrolpunktet bekræftede",
                    "the log does not hold what the checkpoint committed to"
                ),
                finding_message(l, &cp, &f, ctx)
            ),
            code: 1,
        }),
    }
}
