//! Contract versions on the command line (domain §10): the log keeps the contract text it
//! evaluates with; `contract amend` records a new version from a date; a file that differs from
//! the kept version without one is refused.

use super::log::store_failure;
use super::{CmdResult, Ctx, Failure};
use crate::contract::version::{self, ContractVersion};
use crate::i18n::Lang;
use crate::safe;
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use std::io::Write;

#[derive(Debug, Args)]
pub struct ContractArgs {
    #[command(subcommand)]
    pub command: ContractCommand,
}

#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Record a changed contract file as a new version, for tickets reported from a date.
    Amend(AmendArgs),
}

#[derive(Debug, Args)]
pub struct AmendArgs {
    /// The changed contract file.
    pub file: String,
    /// The first day (YYYY-MM-DD) of the reports the new version applies to.
    #[arg(long)]
    pub from: String,
}

/// Makes the log the source of truth for the contract `--contract` names: the first time a
/// command that writes (`keep`) meets it, its text is kept as the first version (a command
/// that only reads computes with the file and writes nothing); later, a file that differs from
/// the latest kept version is refused, naming the first line that differs.
pub fn pin(ctx: &Ctx, store: &dyn Store, user: &str, keep: bool) -> Result<(), Failure> {
    let l = &ctx.loaded;
    let all = store
        .contract_versions()
        .map_err(|e| store_failure(e, ctx))?;
    let kept = version::of(&all, &l.contract.id);
    let Some(latest) = kept.last() else {
        if !keep {
            return Ok(());
        }
        let first = ContractVersion {
            contract: l.contract.id.clone(),
            from: None,
            text: l.source.clone(),
            holidays: l.holidays_source.clone(),
            origin: l.origin.clone(),
            user: user.to_string(),
            recorded: crate::edge::recorded_now(),
        };
        // A login that may not keep one (a municipality) reads with the file until the desk
        // has kept it.
        return match store.add_contract_version(&first) {
            Ok(()) | Err(StoreError::Denied { .. }) => Ok(()),
            Err(e) => Err(store_failure(e, ctx)),
        };
    };
    let (what, diff) = match version::first_difference(&latest.text, &l.source) {
        Some(d) => (ctx.lang.t("kontrakten", "the contract"), d),
        None => match version::first_difference(&latest.holidays, &l.holidays_source) {
            Some(d) => (
                ctx.lang.t(
                    "helligdagsfilen til kontrakten",
                    "the holiday file of the contract",
                ),
                d,
            ),
            None => return Ok(()),
        },
    };
    let (line, was, is) = diff;
    let since = latest.from.map_or_else(
        || ctx.lang.t("fra start", "from the start").to_string(),
        |d| format!("{} {}", ctx.lang.t("fra", "from"), ctx.lang.date(d)),
    );
    let id = &l.contract.id;
    let origin = safe::text(&l.origin);
    let (was, is) = (safe::text(&was), safe::text(&is));
    Err(Failure::usage(match ctx.lang {
        Lang::Da => format!(
            "{what} {id} ({origin}) afviger fra den version, loggen regner med ({since}): linje {line} er `{is}` i filen, `{was}` i loggen; registrér ændringen som en ny version med `frist --contract FIL contract amend FIL --from ÅÅÅÅ-MM-DD`, eller brug den gemte version (`frist contracts` viser versionerne)"
        ),
        Lang::En => format!(
            "{what} {id} ({origin}) differs from the version the log computes with ({since}): line {line} is `{is}` in the file, `{was}` in the log; record the change as a new version with `frist --contract FILE contract amend FILE --from YYYY-MM-DD`, or use the kept version (`frist contracts` lists the versions)"
        ),
    }))
}

pub fn amend(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    a: &AmendArgs,
    out: &mut impl Write,
) -> CmdResult {
    let l = ctx.lang;
    let new = crate::load::contract(&a.file).map_err(|e| Failure::of(e, l))?;
    let from = NaiveDate::parse_from_str(a.from.trim(), "%Y-%m-%d").map_err(|_| {
        Failure::usage(format!(
            "--from: {} '{}'; {}",
            l.t("ikke en dato", "not a date"),
            safe::text(&a.from),
            l.t(
                "skriv ÅÅÅÅ-MM-DD, fx 2026-07-01",
                "write YYYY-MM-DD, e.g. 2026-07-01"
            )
        ))
    })?;
    let id = &new.contract.id;
    let all = store
        .contract_versions()
        .map_err(|e| store_failure(e, ctx))?;
    let kept = version::of(&all, id);
    let Some(latest) = kept.last() else {
        return Err(Failure::usage(match l {
            Lang::Da => format!("loggen har ingen version af kontrakten {id} at ændre; den første gemmes, når loggen bruger kontrakten (frist --contract {} list)", safe::text(&a.file)),
            Lang::En => format!("the log keeps no version of the contract {id} to amend; the first is kept when the log uses the contract (frist --contract {} list)", safe::text(&a.file)),
        }));
    };
    if latest.text == new.source && latest.holidays == new.holidays_source {
        return Err(Failure::usage(match l {
            Lang::Da => format!(
                "{} er den version af {id}, loggen allerede regner med; intet at registrere",
                safe::text(&a.file)
            ),
            Lang::En => format!(
                "{} is the version of {id} the log already computes with; nothing to record",
                safe::text(&a.file)
            ),
        }));
    }
    if let Some(f) = latest.from.filter(|f| from <= *f) {
        return Err(Failure::usage(match l {
            Lang::Da => format!("--from {}: den seneste version af {id} gælder fra {}; en ny version skal gælde fra en senere dag", l.date(from), l.date(f)),
            Lang::En => format!("--from {}: the latest version of {id} applies from {}; a new version must apply from a later day", l.date(from), l.date(f)),
        }));
    }
    // A version never reaches back over tickets already logged: their fines stay as they are.
    let cal = &new.calendar;
    let logged = store
        .tickets(crate::store::Filter::All)
        .map_err(|e| store_failure(e, ctx))?
        .into_iter()
        .filter(|t| t.contract == *id && cal.local(t.reported).date() >= from)
        .min_by_key(|t| t.reported);
    if let Some(t) = logged {
        return Err(Failure::usage(match l {
            Lang::Da => format!("sag {} under {id} er anmeldt {}, på eller efter --from {}; en ny version gælder kun sager, der anmeldes fra datoen; vælg en senere dato", t.id, l.date(cal.local(t.reported).date()), l.date(from)),
            Lang::En => format!("ticket {} under {id} was reported on {}, on or after --from {}; a new version applies only to tickets reported from the date; choose a later day", t.id, l.date(cal.local(t.reported).date()), l.date(from)),
        }));
    }
    store
        .add_contract_version(&ContractVersion {
            contract: id.clone(),
            from: Some(from),
            text: new.source.clone(),
            holidays: new.holidays_source.clone(),
            origin: new.origin.clone(),
            user: user.to_string(),
            recorded: crate::edge::recorded_now(),
        })
        .map_err(|e| store_failure(e, ctx))?;
    writeln!(
        out,
        "{id}: {} {}",
        l.t("ny version fra", "new version from"),
        l.date(from)
    )?;
    Ok(())
}

/// The versions the log keeps, by contract, with the days they apply from.
pub fn versions(ctx: &Ctx, store: &dyn Store, out: &mut impl Write) -> CmdResult {
    let l = ctx.lang;
    let all = store
        .contract_versions()
        .map_err(|e| store_failure(e, ctx))?;
    let mut ids: Vec<&str> = all.iter().map(|v| v.contract.as_str()).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n{}:",
        l.t("Versioner i loggen", "Versions in the log")
    )?;
    for id in ids {
        for v in version::of(&all, id) {
            writeln!(
                out,
                "  {id:<14} {:<16} {} {} {} {}, {}",
                v.from.map_or_else(
                    || l.t("fra start", "from the start").to_string(),
                    |d| format!("{} {}", l.t("fra", "from"), l.date(d))
                ),
                l.t("gemt", "kept"),
                l.datetime(ctx.loaded.calendar.local(v.recorded)),
                l.t("af", "by"),
                safe::text(&v.user),
                safe::text(&v.origin)
            )?;
        }
    }
    Ok(())
}
