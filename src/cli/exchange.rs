//! `frist export`, `frist import` and `frist verify`: the log leaves and enters the machine as
//! JSON lines, and is checked as a whole.
//!
//! An export is a start line (`{"export":{"format":1,"events":N}}`), one line per event
//! ([`chain::Record`]), and an end line (`{"end":{"events":N,"head":"…"}}`). `import` requires
//! both: a file cut anywhere — even at a line boundary — is refused, saying how many events
//! it should hold. Every imported event passes the checks a live write passes
//! ([`chain::Checker::strict`]), and a file that does not hold what a checkpoint committed to
//! is refused (see `docs/checkpoints.md`, "A forged export").

use super::checkpoint;
use super::log::store_failure;
use super::{CmdResult, Ctx, Failure};
use crate::i18n::Lang;
use crate::store::chain::{self, End, Start};
use crate::store::{Store, StoreError, VerifyOutcome};
use clap::Args;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A file written by `frist export` (JSON lines).
    pub file: PathBuf,
    /// A checkpoint written by `frist checkpoint` of the log the file came from: the file must
    /// hold exactly the events it committed to (then more may follow).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
}

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

/// The contract ids an imported ticket may name: the built-in ones and `--contract`'s.
fn known_contracts(ctx: &Ctx) -> Vec<String> {
    let mut v: Vec<String> = crate::contract::BUILTIN
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    let own = &ctx.loaded.contract.id;
    if !v.contains(own) {
        v.push(own.clone());
    }
    v
}

/// A refusal of the import file at a line, nothing written.
fn at_line(l: Lang, file: &str, n: usize, what: &str) -> Failure {
    Failure::usage(format!(
        "{file}, {} {n}: {what}; {}",
        l.t("linje", "line"),
        l.t("intet er importeret", "nothing was imported")
    ))
}

/// The export file read and checked whole: its events and their chain hashes.
struct Checked {
    events: Vec<crate::ticket::Event>,
    links: Vec<crate::checkpoint::Link>,
}

/// Reads and checks the whole file before anything is written: its start and end lines, the
/// chain, and every event as a live write is checked.
fn read_export(ctx: &Ctx, path: &Path) -> Result<Checked, Failure> {
    let l = ctx.lang;
    let file = path.display().to_string();
    let unreadable = |e: std::io::Error| {
        Failure::usage(format!(
            "{} {file}: {e}",
            l.t("kan ikke læse", "cannot read")
        ))
    };
    let f = std::fs::File::open(path).map_err(unreadable)?;
    let mut checker = chain::Checker::strict(chain::Strict {
        now: ctx.now,
        contracts: known_contracts(ctx),
        lang: l,
        tz: ctx.loaded.contract.tz,
    });
    let mut start: Option<u64> = None;
    let mut end: Option<usize> = None;
    let mut out = Checked {
        events: Vec::new(),
        links: Vec::new(),
    };
    let bar = crate::progress::Progress::new(
        f.metadata().ok().map(|m| m.len()),
        l.t(
            "læser og efterprøver filen (byte)",
            "reading and checking the file (bytes)",
        ),
        l,
    );
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(unreadable)?;
        bar.inc(line.len() as u64 + 1);
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        if let Some(e) = end {
            return Err(at_line(
                l,
                &file,
                n,
                &format!(
                    "{} {e}",
                    l.t(
                        "tekst efter eksportens slutlinje i linje",
                        "text after the export's end line on line"
                    )
                ),
            ));
        }
        let Some(expected) = start else {
            let s: Start = serde_json::from_str(&line).map_err(|_| {
                at_line(l, &file, n, l.t(
                    "ikke første linje af en fil som `frist export` skriver den ({\"export\":…}); en fil fra en ældre frist eksporteres igen med denne",
                    "not the first line of a file as `frist export` writes it ({\"export\":…}); export a file from an older frist again with this one",
                ))
            })?;
            if s.export.format != chain::EXPORT_FORMAT {
                return Err(at_line(
                    l,
                    &file,
                    n,
                    &format!(
                        "{} {}",
                        l.t(
                            "ukendt eksportformat; denne frist læser format",
                            "unknown export format; this frist reads format"
                        ),
                        chain::EXPORT_FORMAT
                    ),
                ));
            }
            start = Some(s.export.events);
            continue;
        };
        let r: chain::Record = match serde_json::from_str(&line) {
            Ok(r) => r,
            Err(e) => {
                let Ok(last) = serde_json::from_str::<End>(&line) else {
                    return Err(at_line(
                        l,
                        &file,
                        n,
                        &format!(
                            "{} ({e})",
                            l.t(
                                "ikke en hændelse som `frist export` skriver den",
                                "not an event as `frist export` writes it"
                            )
                        ),
                    ));
                };
                let (have, head) = checker.head();
                if last.end.events != have || last.end.head != head || have != expected {
                    return Err(at_line(
                        l,
                        &file,
                        n,
                        &match l {
                            Lang::Da => format!(
                                "slutlinjen siger {} hændelser med kæden ved {}, men filen har {have} med kæden ved {} (første linje: {expected}); filen er ændret",
                                last.end.events, chain::short(&last.end.head), chain::short(&head)
                            ),
                            Lang::En => format!(
                                "the end line says {} events with the chain at {}, but the file holds {have} with the chain at {} (first line: {expected}); the file was changed",
                                last.end.events, chain::short(&last.end.head), chain::short(&head)
                            ),
                        },
                    ));
                }
                end = Some(n);
                continue;
            }
        };
        if r.n > expected {
            return Err(at_line(
                l,
                &file,
                n,
                &format!(
                    "{} {expected} {}",
                    l.t(
                        "filens første linje lover",
                        "the file's first line announces"
                    ),
                    l.t("hændelser, men der er flere", "events, but there are more")
                ),
            ));
        }
        checker.next_record(&r).map_err(|b| {
            at_line(
                l,
                &file,
                n,
                &format!(
                    "{} {}",
                    l.t("filen kan ikke verificeres:", "the file does not verify:"),
                    b.what
                ),
            )
        })?;
        out.links.push(crate::checkpoint::Link {
            hash: r.hash,
            ticket: r.event.ticket,
            seq: r.event.seq,
        });
        out.events.push(r.event);
    }
    let Some(expected) = start else {
        return Err(Failure::usage(format!(
            "{file} {}",
            l.t(
                "er tom; importer en fil som `frist export` skriver den",
                "is empty; import a file as `frist export` writes it"
            )
        )));
    };
    if end.is_none() {
        let have = out.events.len();
        return Err(Failure::usage(match l {
            Lang::Da => format!(
                "{file} er skåret af: første linje lover {expected} hændelser, filen har {have} og mangler slutlinjen som `frist export` skriver sidst; intet er importeret — eksportér igen"
            ),
            Lang::En => format!(
                "{file} is cut: its first line announces {expected} events, it holds {have} and lacks the end line `frist export` writes last; nothing was imported — export again"
            ),
        }));
    }
    if out.events.is_empty() {
        return Err(Failure::usage(format!(
            "{file} {}",
            l.t(
                "har ingen hændelser; importer en fil som `frist export` skriver den",
                "has no events; import a file as `frist export` writes it"
            )
        )));
    }
    Ok(out)
}

/// `frist import FILE [--checkpoint CP]`: into an empty log, all or nothing.
pub fn import(ctx: &Ctx, store: &dyn Store, a: &ImportArgs, out: &mut impl Write) -> CmdResult {
    let l = ctx.lang;
    if !a.file.exists() {
        return Err(Failure::usage(format!(
            "{} {}: {}",
            l.t("kan ikke læse", "cannot read"),
            a.file.display(),
            l.t("filen findes ikke", "no such file")
        )));
    }
    if !store.is_empty().map_err(|e| store_failure(e, ctx))? {
        return Err(Failure::usage(l.t(
            "import kræver en tom database; angiv en ny med --db",
            "import needs an empty database; give a new one with --db",
        )));
    }
    let checked = read_export(ctx, &a.file)?;
    checkpoint::for_import(ctx, &checked.links, a.checkpoint.as_deref())?;
    let bar = crate::progress::Progress::new(
        Some(checked.events.len() as u64),
        l.t("importerer hændelser", "importing events"),
        l,
    );
    let n = store
        .import(&mut checked.events.into_iter().inspect(|_| bar.inc(1)))
        .map_err(|e| store_failure(e, ctx))?;
    bar.finish();
    writeln!(
        out,
        "{} {}",
        crate::i18n::count(
            l,
            n as usize,
            ("hændelse", "hændelser"),
            ("event", "events")
        ),
        l.t("importeret", "imported")
    )?;
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
