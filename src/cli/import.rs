//! `frist import FILE`: an export (see [`super::exchange`]) enters an empty log, all or
//! nothing, with memory that does not grow with the file's events.
//!
//! The file is read three times instead of held:
//! 1. *counted*: how many events each ticket has, and the hash of the first event (which
//!    names the log, to find this machine's last checkpoint of it);
//! 2. *checked*: the start and end lines, the chain, every event as a live write is checked
//!    ([`chain::Checker::strict`], letting go of each ticket once its last event is checked),
//!    and the links a checkpoint committed to ([`crate::checkpoint::Comparison`]). Every
//!    refusal comes here, before anything is written;
//! 3. *loaded*: the events streamed into the store. Passes 2 and 3 hash every byte they read:
//!    a file that changed in between ends the load with an event every store refuses (a
//!    structural fault stops a load and leaves nothing usable), and the import fails saying so.

use super::checkpoint::ForImport;
use super::log::store_failure;
use super::{CmdResult, Ctx, Failure};
use crate::checkpoint::{Comparison, Link};
use crate::i18n::Lang;
use crate::progress::Progress;
use crate::store::chain::{self, End, Hash, Record, Start};
use crate::store::Store;
use crate::ticket::{Event, EventKind, TicketId, LOG_STREAM};
use clap::Args;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
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
    let file = File::new(l, &a.file);
    let counted = file.count()?;
    let against = ForImport::find(ctx, counted.first.as_ref(), a.checkpoint.as_deref())?;
    let mut comparison = against.as_ref().map(ForImport::comparison);
    let checked = file.check(ctx, counted, comparison.as_mut())?;
    if let (Some(against), Some(c)) = (&against, comparison) {
        against.judge(ctx, c.finish())?;
    }
    let mut load = Load {
        l,
        lines: Some(file.lines(l.t("importerer (byte)", "importing (bytes)"))?),
        checked: &checked,
        started: false,
        given: 0,
        changed: None,
    };
    let loaded = store.import(&mut load);
    if let Some(why) = load.changed {
        return Err(file.changed(&why));
    }
    let n = loaded.map_err(|e| store_failure(e, ctx))?;
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

/// The import file, named in refusals.
struct File<'a> {
    l: Lang,
    path: &'a Path,
    name: String,
}

/// What the first reading found.
struct Counted {
    /// How many event lines each ticket has.
    per_ticket: HashMap<TicketId, u32>,
    /// The hash the first event line states.
    first: Option<Hash>,
}

/// What the second reading checked: how many events, and the hash of every byte read.
struct Checked {
    events: u64,
    digest: Hash,
}

/// Just the ticket of an event line: the first reading parses no more.
#[derive(Deserialize)]
struct Peek {
    event: PeekEvent,
}

#[derive(Deserialize)]
struct PeekEvent {
    ticket: TicketId,
}

impl<'a> File<'a> {
    fn new(l: Lang, path: &'a Path) -> File<'a> {
        File {
            l,
            path,
            name: path.display().to_string(),
        }
    }

    fn unreadable(&self, e: std::io::Error) -> Failure {
        Failure::usage(format!(
            "{} {}: {e}",
            self.l.t("kan ikke læse", "cannot read"),
            self.name
        ))
    }

    /// A refusal of the file at a line, nothing written.
    fn at_line(&self, n: usize, what: &str) -> Failure {
        let l = self.l;
        Failure::usage(format!(
            "{}, {} {n}: {what}; {}",
            self.name,
            l.t("linje", "line"),
            l.t("intet er importeret", "nothing was imported")
        ))
    }

    /// The file read while nothing was written yet was not the file read afterwards.
    fn changed(&self, why: &str) -> Failure {
        Failure::usage(match self.l {
            Lang::Da => format!(
                "{} blev ændret mens den blev importeret ({why}); importen er standset, intet er importeret — importér igen fra en fil som intet skriver i imens",
                self.name
            ),
            Lang::En => format!(
                "{} changed while it was imported ({why}); the import was stopped, nothing was imported — import again from a file nothing writes to meanwhile",
                self.name
            ),
        })
    }

    fn lines(&self, what: &str) -> Result<Lines, Failure> {
        Lines::open(self.path, what, self.l).map_err(|e| self.unreadable(e))
    }

    /// The start line: how many events the file announces.
    fn start(&self, n: usize, line: &[u8]) -> Result<u64, Failure> {
        let l = self.l;
        let s: Start = serde_json::from_slice(line).map_err(|_| {
            self.at_line(n, l.t(
                "ikke første linje af en fil som `frist export` skriver den ({\"export\":…}); en fil fra en ældre frist eksporteres igen med denne",
                "not the first line of a file as `frist export` writes it ({\"export\":…}); export a file from an older frist again with this one",
            ))
        })?;
        if s.export.format != chain::EXPORT_FORMAT {
            return Err(self.at_line(
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
        Ok(s.export.events)
    }

    /// Pass 1: each ticket's events counted; a file that is no export is refused at its first
    /// line. Lines that do not read as events are left to [`File::check`] to refuse.
    fn count(&self) -> Result<Counted, Failure> {
        let mut lines = self.lines(self.l.t(
            "tæller sagernes hændelser (byte)",
            "counting events (bytes)",
        ))?;
        let mut counted = Counted {
            per_ticket: HashMap::new(),
            first: None,
        };
        let (mut started, mut events) = (false, 0u64);
        while let Some(line) = lines.next() {
            let (n, line) = line.map_err(|e| self.unreadable(e))?;
            if !started {
                self.start(n, line)?;
                started = true;
                continue;
            }
            let Ok(p) = serde_json::from_slice::<Peek>(line) else {
                continue;
            };
            if events == 0 {
                counted.first = serde_json::from_slice::<Record>(line).ok().map(|r| r.hash);
            }
            events += 1;
            let c = counted.per_ticket.entry(p.event.ticket).or_default();
            *c = c.saturating_add(1);
        }
        Ok(counted)
    }

    /// Pass 2: the whole file checked before anything is written — its start and end lines,
    /// the chain, every event as a live write is checked — with its links pushed into
    /// `comparison`.
    fn check(
        &self,
        ctx: &Ctx,
        counted: Counted,
        mut comparison: Option<&mut Comparison>,
    ) -> Result<Checked, Failure> {
        let l = self.l;
        let file = &self.name;
        let mut checker = chain::Checker::strict(chain::Strict {
            now: ctx.now,
            contracts: known_contracts(ctx),
            lang: l,
            tz: ctx.loaded.contract.tz,
        })
        .with_counts(counted.per_ticket);
        let mut start: Option<u64> = None;
        let mut end: Option<usize> = None;
        let mut lines = self.lines(l.t(
            "læser og efterprøver filen (byte)",
            "reading and checking the file (bytes)",
        ))?;
        while let Some(line) = lines.next() {
            let (n, line) = line.map_err(|e| self.unreadable(e))?;
            if let Some(e) = end {
                return Err(self.at_line(
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
                start = Some(self.start(n, line)?);
                continue;
            };
            let r: Record = match serde_json::from_slice(line) {
                Ok(r) => r,
                Err(e) => {
                    self.end(n, line, e, &checker, expected)?;
                    end = Some(n);
                    continue;
                }
            };
            if r.n > expected {
                return Err(self.at_line(
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
            if r.n == 1 && Some(r.hash) != counted.first {
                return Err(self.changed(l.t(
                    "den første hændelse er en anden end ved første læsning",
                    "the first event is not the one read first",
                )));
            }
            checker.next_record(&r).map_err(|b| {
                self.at_line(
                    n,
                    &format!(
                        "{} {}",
                        l.t("filen kan ikke verificeres:", "the file does not verify:"),
                        b.what
                    ),
                )
            })?;
            if let Some(c) = comparison.as_mut() {
                c.push(&Link {
                    hash: r.hash,
                    ticket: r.event.ticket,
                    seq: r.event.seq,
                });
            }
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
        let (have, _) = checker.head();
        if end.is_none() {
            return Err(Failure::usage(match l {
                Lang::Da => format!(
                    "{file} er skåret af: første linje lover {expected} hændelser, filen har {have} og mangler slutlinjen som `frist export` skriver sidst; intet er importeret — eksportér igen"
                ),
                Lang::En => format!(
                    "{file} is cut: its first line announces {expected} events, it holds {have} and lacks the end line `frist export` writes last; nothing was imported — export again"
                ),
            }));
        }
        if have == 0 {
            return Err(Failure::usage(format!(
                "{file} {}",
                l.t(
                    "har ingen hændelser; importer en fil som `frist export` skriver den",
                    "has no events; import a file as `frist export` writes it"
                )
            )));
        }
        Ok(Checked {
            events: have,
            digest: lines.digest(),
        })
    }

    /// A line that is no event must be the end line, stating what was checked before it.
    fn end(
        &self,
        n: usize,
        line: &[u8],
        e: serde_json::Error,
        checker: &chain::Checker,
        expected: u64,
    ) -> Result<(), Failure> {
        let l = self.l;
        let Ok(last) = serde_json::from_slice::<End>(line) else {
            return Err(self.at_line(
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
            return Err(self.at_line(
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
        Ok(())
    }
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

/// A file's lines read one at a time: the ones not blank, with their numbers, every byte
/// hashed (two readings of the same bytes give the same [`Lines::digest`]) and counted on a
/// progress bar.
struct Lines {
    r: BufReader<std::fs::File>,
    buf: Vec<u8>,
    n: usize,
    hasher: Sha256,
    bar: Progress,
}

impl Lines {
    fn open(path: &Path, what: &str, l: Lang) -> std::io::Result<Lines> {
        let f = std::fs::File::open(path)?;
        let len = f.metadata().ok().map(|m| m.len());
        Ok(Lines {
            r: BufReader::with_capacity(1 << 16, f),
            buf: Vec::new(),
            n: 0,
            hasher: Sha256::new(),
            bar: Progress::new(len, what, l),
        })
    }

    /// The next line that is not blank, without its line end, and its number (from 1).
    fn next(&mut self) -> Option<std::io::Result<(usize, &[u8])>> {
        loop {
            self.buf.clear();
            match self.r.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(k) => {
                    self.n += 1;
                    self.hasher.update(&self.buf);
                    self.bar.inc(k as u64);
                }
                Err(e) => return Some(Err(e)),
            }
            if !self.buf.trim_ascii().is_empty() {
                return Some(Ok((self.n, self.buf.trim_ascii())));
            }
        }
    }

    /// The hash of every byte read.
    fn digest(self) -> Hash {
        self.bar.finish();
        self.hasher.finalize().into()
    }
}

/// Pass 3: the file's events read again, for the store. When the file is not the one
/// checked (a line no longer reads, an event more, other bytes) the last event given is one
/// every store refuses ([`refused_by_every_store`]) and `changed` says why.
struct Load<'a> {
    l: Lang,
    lines: Option<Lines>,
    checked: &'a Checked,
    started: bool,
    given: u64,
    changed: Option<String>,
}

/// What pass 3 does with a line.
enum Step {
    Give(Box<Event>),
    Skip,
    Changed(String),
}

impl Iterator for Load<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        loop {
            let lines = self.lines.as_mut()?;
            let step = match lines.next() {
                None => {
                    let digest = self.lines.take()?.digest();
                    if digest == self.checked.digest && self.given == self.checked.events {
                        return None;
                    }
                    Step::Changed(
                        self.l
                            .t(
                                "andre byte end dem der blev efterprøvet",
                                "other bytes than were checked",
                            )
                            .into(),
                    )
                }
                Some(Err(e)) => Step::Changed(e.to_string()),
                Some(Ok(_)) if !self.started => {
                    self.started = true;
                    Step::Skip
                }
                Some(Ok((n, line))) => match serde_json::from_slice::<Record>(line) {
                    Ok(_) if self.given == self.checked.events => Step::Changed(format!(
                        "{} {n}: {}",
                        self.l.t("linje", "line"),
                        self.l.t(
                            "flere hændelser end der blev efterprøvet",
                            "more events than were checked"
                        )
                    )),
                    Ok(r) => Step::Give(Box::new(r.event)),
                    Err(_) if serde_json::from_slice::<End>(line).is_ok() => Step::Skip,
                    Err(e) => Step::Changed(format!("{} {n}: {e}", self.l.t("linje", "line"))),
                },
            };
            match step {
                Step::Give(ev) => {
                    self.given += 1;
                    return Some(*ev);
                }
                Step::Skip => {}
                Step::Changed(why) => {
                    self.lines = None;
                    self.changed = Some(why);
                    return Some(refused_by_every_store());
                }
            }
        }
    }
}

/// An event no log may hold (a report on the log's own stream): a store refuses it as it
/// refuses any structural fault in a load, which stops the load and leaves nothing usable.
fn refused_by_every_store() -> Event {
    Event {
        ticket: LOG_STREAM,
        seq: 0,
        user: String::new(),
        recorded: chrono::DateTime::UNIX_EPOCH,
        effective: chrono::DateTime::UNIX_EPOCH,
        kind: EventKind::Reported {
            municipality: String::new(),
            reporter: String::new(),
            title: String::new(),
            description: String::new(),
            category: String::new(),
            contract: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::chain::Checker;
    use clap::Parser;

    fn ctx() -> Ctx {
        let args = ["frist", "--lang", "en", "--contract", "laasesystem"];
        let cli = super::super::Cli::try_parse_from(args.iter().chain(&[
            "--now",
            "2026-11-23 12:00",
            "export",
        ]))
        .expect("a command line");
        cli.context().expect("the built-in contract")
    }

    /// An export of `n` tickets, each only reported, as `frist export` writes it.
    fn export(n: TicketId) -> String {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00Z")
            .expect("an instant")
            .to_utc();
        let mut c = Checker::default();
        let mut out = format!("{}\n", serde_json::to_string(&Start::new(n)).expect("json"));
        for ticket in 1..=n {
            let event = Event {
                ticket,
                seq: 0,
                user: "mette".into(),
                recorded: at,
                effective: at,
                kind: EventKind::Reported {
                    municipality: "Aarhus".into(),
                    reporter: String::new(),
                    title: format!("Låsen {ticket}"),
                    description: String::new(),
                    category: "kritisk".into(),
                    contract: "laasesystem".into(),
                },
            };
            let (n, hash, _) = c.push(&event).expect("a whole log");
            let r = Record { n, hash, event };
            out += &format!("{}\n", serde_json::to_string(&r).expect("json"));
        }
        let (n, head) = c.head();
        out + &format!(
            "{}\n",
            serde_json::to_string(&End::new(n, head)).expect("json")
        )
    }

    #[test]
    fn a_file_changed_between_check_and_load_ends_the_load_with_an_event_no_store_takes() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("export.jsonl");
        let text = export(3);
        let lines: Vec<&str> = text.lines().collect();
        std::fs::write(&path, &text).expect("written");
        let ctx = ctx();
        let file = File::new(Lang::En, &path);
        let counted = file.count().map_err(|f| f.message).expect("counted");
        let checked = file
            .check(&ctx, counted, None)
            .map_err(|f| f.message)
            .expect("checked");
        assert_eq!(checked.events, 3);
        let load = || Load {
            l: Lang::En,
            lines: Some(file.lines("").expect("readable")),
            checked: &checked,
            started: false,
            given: 0,
            changed: None,
        };

        // The file as checked: its events, and nothing more.
        let mut same = load();
        let given: Vec<Event> = same.by_ref().collect();
        assert_eq!(given.len(), 3);
        assert_eq!(given[1].ticket, 2);
        assert_eq!(same.changed, None);

        let twice = format!("{}\n{}\n", lines[..4].join("\n"), lines[3..].join("\n"));
        for (changed, why) in [
            // An event edited without its hash: every line still reads.
            (text.replace("Låsen 2", "Låsen 9"), "other bytes"),
            // An event more.
            (twice, "more events"),
            // A line that no longer reads.
            (
                text.replace("\"ticket\":2,\"seq\":0", "\"ticket\":2,\"seq\":"),
                "line 3",
            ),
            // Cut after the second event.
            (format!("{}\n", lines[..3].join("\n")), "other bytes"),
        ] {
            std::fs::write(&path, &changed).expect("written");
            let mut other = load();
            let given: Vec<Event> = other.by_ref().collect();
            let said = other.changed.expect("the change is seen");
            assert!(said.contains(why), "{said}");
            let last = given.last().expect("an event");
            assert_eq!(last, &refused_by_every_store());
            assert!(Checker::default().push(last).is_err());
            assert!(given.len() <= 4);
        }
    }
}
