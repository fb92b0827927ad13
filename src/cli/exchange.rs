//! `frist export` and `frist verify`: the log leaves the machine as JSON lines (and enters it
//! again by `frist import`), and is checked as a whole.
//!
//! An export is a start line (`{"export":{"format":1,"events":N}}`), one line per event
//! ([`chain::Record`]), and an end line (`{"end":{"events":N,"head":"…"}}`). `import`
//! ([`super::import`]) requires both: a file cut anywhere — even at a line boundary — is
//! refused, saying how many events it should hold. Every imported event passes the checks a
//! live write passes ([`chain::Checker::strict`]), and a file that does not hold what a
//! checkpoint committed to is refused (see `docs/checkpoints.md`, "A forged export").

use super::checkpoint;
use super::log::store_failure;
use super::{CmdResult, Ctx, Failure};
use crate::store::chain::{self, End, Start};
use crate::store::{Store, StoreError, VerifyOutcome};
use std::io::Write;
use std::path::Path;

/// `frist export`: the log as it is when the command starts (events appended meanwhile by
/// others in team mode belong to the next export).
pub fn export(ctx: &Ctx, store: &dyn Store, out: &mut impl Write) -> CmdResult {
    let (events, _) = store.head().map_err(|e| store_failure(e, ctx))?;
    let mut w = std::io::BufWriter::new(out);
    serde_json::to_writer(&mut w, &Start::new(events)).map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    let mut io_err = None;
    let mut written = 0u64;
    let mut head = chain::GENESIS;
    // Returned to end the walk once the log's events at the start are written.
    let enough = || StoreError::BadInput("the export is complete".into());
    let bar = crate::progress::Progress::new(
        Some(events),
        ctx.lang.t("eksporterer hændelser", "exporting events"),
        ctx.lang,
    );
    let walked = store.for_each_event(&mut |r| {
        if written == events {
            return Err(enough());
        }
        bar.inc(1);
        if let Err(e) = serde_json::to_writer(&mut w, r)
            .map_err(std::io::Error::from)
            .and_then(|_| w.write_all(b"\n"))
        {
            io_err = Some(e);
            return Err(StoreError::BadInput("output failed".into()));
        }
        written += 1;
        head = r.hash;
        Ok(())
    });
    match (walked, io_err) {
        (_, Some(io)) => return Err(io.into()),
        (Err(_), None) if written == events => {}
        (Err(e), None) => return Err(store_failure(e, ctx)),
        (Ok(()), None) => {}
    }
    if written != events {
        return Err(Failure {
            message: format!(
                "{} {events}, {} {written}; {}",
                ctx.lang.t("loggen meldte", "the log reported"),
                ctx.lang.t("men gav", "but gave"),
                ctx.lang.t("kør `frist verify`", "run `frist verify`")
            ),
            code: 1,
        });
    }
    serde_json::to_writer(&mut w, &End::new(written, head)).map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}

/// `frist verify [--checkpoint FILE]`: the chain, then the log against a checkpoint. "OK" only
/// when both hold: a log cut below its last checkpoint is not OK.
pub fn verify(
    ctx: &Ctx,
    store: &dyn Store,
    place: &str,
    file: Option<&Path>,
    out: &mut impl Write,
) -> CmdResult {
    let l = ctx.lang;
    let bar =
        crate::progress::Progress::new(None, l.t("efterprøver kæden", "verifying the chain"), l);
    let outcome = store.verify();
    bar.finish();
    match outcome.map_err(|e| store_failure(e, ctx))? {
        VerifyOutcome::Intact { events, tickets } => {
            let mut said = Vec::new();
            checkpoint::verify(ctx, store, place, file, &mut said)?;
            writeln!(
                out,
                "OK: {} {} {} {}",
                crate::i18n::count(
                    l,
                    events as usize,
                    ("hændelse", "hændelser"),
                    ("event", "events")
                ),
                l.t("i", "in"),
                crate::i18n::count(l, tickets as usize, ("sag", "sager"), ("ticket", "tickets")),
                l.t("verificeret", "verified")
            )?;
            out.write_all(&said)?;
            Ok(())
        }
        VerifyOutcome::Broken(b) => {
            let mut where_ = Vec::new();
            if let Some(p) = b.position {
                where_.push(format!("{} {p}", l.t("log-position", "log position")));
            }
            if let Some(t) = b.ticket {
                where_.push(format!("{} {t}", l.t("sag", "ticket")));
            }
            if let Some(e) = b.event {
                where_.push(format!("{} #{e}", l.t("hændelse", "event")));
            }
            Err(Failure {
                message: format!(
                    "{} ({}): {}",
                    l.t("revisionssporet er brudt", "the audit chain is broken"),
                    where_.join(", "),
                    b.what
                ),
                code: 1,
            })
        }
    }
}
