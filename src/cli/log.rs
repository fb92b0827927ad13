//! Commands of the support log: add, the lifecycle steps, show, list, breaches, export,
//! import, verify.

use super::{CmdResult, Ctx, Failure};
use crate::calendar::yyyymm;
use crate::contracts::Contracts;
use crate::i18n::Lang;
use crate::load::Loaded;
use crate::safe;
use crate::store::{files, Filter, LocalStore, Log, NewTicket, PgStore, Store, StoreError};
use crate::ticket::{
    evaluate, ClassifiedBy, Evaluation, Event, EventKind, State, Ticket, TicketId,
};
use crate::time::{parse_time, rfc3339};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use clap::Args;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The municipalities frist knows from the start: Denmark's 98 kommuner.
pub const MUNICIPALITIES: &[&str] = &[
    "Aabenraa",
    "Aalborg",
    "Aarhus",
    "Albertslund",
    "Allerød",
    "Assens",
    "Ballerup",
    "Billund",
    "Bornholm",
    "Brøndby",
    "Brønderslev",
    "Dragør",
    "Egedal",
    "Esbjerg",
    "Fanø",
    "Favrskov",
    "Faxe",
    "Fredensborg",
    "Fredericia",
    "Frederiksberg",
    "Frederikshavn",
    "Frederikssund",
    "Furesø",
    "Faaborg-Midtfyn",
    "Gentofte",
    "Gladsaxe",
    "Glostrup",
    "Greve",
    "Gribskov",
    "Guldborgsund",
    "Haderslev",
    "Halsnæs",
    "Hedensted",
    "Helsingør",
    "Herlev",
    "Herning",
    "Hillerød",
    "Hjørring",
    "Holbæk",
    "Holstebro",
    "Horsens",
    "Hvidovre",
    "Høje-Taastrup",
    "Hørsholm",
    "Ikast-Brande",
    "Ishøj",
    "Jammerbugt",
    "Kalundborg",
    "Kerteminde",
    "Kolding",
    "København",
    "Køge",
    "Langeland",
    "Lejre",
    "Lemvig",
    "Lolland",
    "Lyngby-Taarbæk",
    "Læsø",
    "Mariagerfjord",
    "Middelfart",
    "Morsø",
    "Norddjurs",
    "Nordfyns",
    "Nyborg",
    "Næstved",
    "Odder",
    "Odense",
    "Odsherred",
    "Randers",
    "Rebild",
    "Ringkøbing-Skjern",
    "Ringsted",
    "Roskilde",
    "Rudersdal",
    "Rødovre",
    "Samsø",
    "Silkeborg",
    "Skanderborg",
    "Skive",
    "Slagelse",
    "Solrød",
    "Sorø",
    "Stevns",
    "Struer",
    "Svendborg",
    "Syddjurs",
    "Sønderborg",
    "Thisted",
    "Tønder",
    "Tårnby",
    "Vallensbæk",
    "Varde",
    "Vejen",
    "Vejle",
    "Vesthimmerlands",
    "Viborg",
    "Vordingborg",
    "Ærø",
];

// ---------------------------------------------------------------------------------------------
// Arguments

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The municipality that reported the fault (e.g. Aarhus).
    #[arg(long, required_unless_present = "from")]
    pub municipality: Option<String>,
    /// A short title, as the municipality wrote it.
    #[arg(long, required_unless_present = "from")]
    pub title: Option<String>,
    /// The fault as the municipality described it (shown whole in `show` and the TUI).
    #[arg(long, default_value = "")]
    pub description: String,
    /// Who at the municipality reported it.
    #[arg(long, default_value = "")]
    pub reporter: String,
    /// Category id (see `frist contracts`); without it the text is classified automatically.
    #[arg(long)]
    pub category: Option<String>,
    /// When it was reported (default: now).
    #[arg(long)]
    pub at: Option<String>,
    /// Accept a municipality frist does not know yet (a new customer).
    #[arg(long)]
    pub new_municipality: bool,
    /// Log many tickets from FILE ('-': standard input): JSON lines or CSV with the fields
    /// municipality, title, description, reporter, category, at. A bad line refuses the whole
    /// file before anything is written; the new ids are printed one a line.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["municipality", "title", "description", "reporter", "category", "at"]
    )]
    pub from: Option<String>,
}

#[derive(Debug, Args)]
pub struct StepArgs {
    /// The ticket's id.
    pub id: TicketId,
    /// When it took effect (default: now); never in the future, never before the report.
    #[arg(long)]
    pub at: Option<String>,
    /// A note on the step.
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct ReasonArgs {
    /// The ticket's id.
    pub id: TicketId,
    /// Why the clock stops (what the desk waits for); shown in the report, since the
    /// municipality may dispute it.
    #[arg(long)]
    pub reason: String,
    /// When it took effect (default: now); never in the future, never before the report.
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The ticket's id.
    pub id: TicketId,
    /// Who at the municipality accepted.
    #[arg(long, required_unless_present = "mail", conflicts_with = "mail")]
    pub by: Option<String>,
    /// The written reference (mail, letter, case number).
    #[arg(
        long = "ref",
        required_unless_present = "mail",
        conflicts_with = "mail"
    )]
    pub reference: Option<String>,
    /// The Message-ID of the municipality's mail on the ticket: its sender is `by`, its
    /// Message-ID and hash the reference.
    #[arg(long)]
    pub mail: Option<String>,
    /// When it took effect (default: now); never in the future, never before the report.
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct RejectArgs {
    /// The ticket's id.
    pub id: TicketId,
    /// Who at the municipality rejected.
    #[arg(long, required_unless_present = "mail", conflicts_with = "mail")]
    pub by: Option<String>,
    /// The Message-ID of the municipality's mail on the ticket: its sender is `by`, its
    /// Message-ID and hash the reference.
    #[arg(long)]
    pub mail: Option<String>,
    /// Why the municipality rejected the resolution.
    #[arg(long)]
    pub reason: String,
    /// When it took effect (default: now); never in the future, never before the report.
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReclassifyArgs {
    /// The ticket's id.
    pub id: TicketId,
    /// The new category id (see `frist contracts`); both deadlines are recomputed from the
    /// report.
    #[arg(long)]
    pub category: String,
    /// Why the category changes (kept in the audit trail).
    #[arg(long)]
    pub reason: String,
    /// When it took effect (default: now); never in the future, never before the report.
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The ticket's id.
    pub id: TicketId,
    /// The note's text.
    pub text: String,
    /// When it took effect (default: now); never in the future, never before the report.
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct CorrectArgs {
    /// The ticket's id.
    pub id: TicketId,
    /// The correct report time.
    #[arg(long)]
    pub to: String,
    /// Why the report time was wrong (kept in the audit trail).
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct RetractArgs {
    /// The ticket's id.
    pub id: TicketId,
    /// The number of the event to withdraw, as `show` lists it (#N) and `show --json` gives
    /// it (seq).
    #[arg(long)]
    pub event: u32,
    /// Why the step is withdrawn (kept in the audit trail and shown in the report).
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The ticket's id.
    pub id: TicketId,
    /// The corrected title.
    #[arg(long)]
    pub title: Option<String>,
    /// The corrected description.
    #[arg(long)]
    pub description: Option<String>,
    /// The corrected reporter.
    #[arg(long)]
    pub reporter: Option<String>,
    /// Why the text is mended (kept in the audit trail and shown in the report).
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct DisputeArgs {
    /// The ticket's id.
    pub id: TicketId,
    /// Why the vendor disputes the breach (shown in the breaches and the report).
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The ticket's id.
    pub id: TicketId,
    /// Print the ticket as JSON.
    #[arg(long)]
    pub json: bool,
    /// Wrap the description at this many columns (default: the terminal's width, else 80).
    #[arg(long, value_parser = clap::value_parser!(u16).range(20..))]
    pub width: Option<u16>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only tickets not closed.
    #[arg(long, conflicts_with_all = ["breached", "closed"])]
    pub open: bool,
    /// Only tickets with a breached target.
    #[arg(long, conflicts_with = "closed")]
    pub breached: bool,
    /// Only closed tickets.
    #[arg(long)]
    pub closed: bool,
    /// Only this municipality's tickets.
    #[arg(long)]
    pub municipality: Option<String>,
    /// Only the tickets assigned to me (the acting user).
    #[arg(long)]
    pub mine: bool,
    /// Only tickets whose title, description, notes, reporter, municipality, category or id
    /// contain every word of TEXT (any case, any order).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Print the tickets as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The ticket's id.
    pub id: TicketId,
    /// Who takes it: a login of the shared log, or a name on a local log.
    #[arg(long)]
    pub to: String,
}

#[derive(Debug, Args)]
pub struct BreachesArgs {
    /// The month (YYYY-MM) whose missed deadlines to list; default: this month.
    #[arg(long)]
    pub month: Option<String>,
    /// Print the breaches as JSON.
    #[arg(long)]
    pub json: bool,
}

// ---------------------------------------------------------------------------------------------
// Opening the store

/// The database's location: `--db`, `FRIST_DB`, else the platform's data directory.
pub fn db_path(db: Option<&Path>) -> Result<PathBuf, Failure> {
    if let Some(p) = db {
        return Ok(p.to_path_buf());
    }
    directories::ProjectDirs::from("dk", "frist", "frist")
        .map(|d| d.data_dir().join("log.sled"))
        .ok_or_else(|| Failure::usage("no data directory found for this user; give --db PATH"))
}

/// Where the log lies, as the checkpoint folder remembers it: the PostgreSQL URL, or the local
/// folder's full path.
pub fn place(db: Option<&Path>) -> String {
    if let Some(url) = db
        .and_then(|p| p.to_str())
        .filter(|u| is_team(Some(Path::new(u))))
    {
        // The same database whoever logs in: without the login.
        return match url.split_once("://") {
            Some((scheme, rest)) => {
                format!("{scheme}://{}", rest.split_once('@').map_or(rest, |x| x.1))
            }
            None => url.to_string(),
        };
    }
    match db_path(db) {
        Ok(p) => std::fs::canonicalize(&p)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned(),
        Err(_) => String::new(),
    }
}

/// The acting user: `--user`, `FRIST_USER`, else the OS user.
pub fn user(given: Option<&str>) -> String {
    given
        .map(str::to_string)
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(crate::store::os_user)
}

pub fn store_failure(e: StoreError, ctx: &Ctx) -> Failure {
    Failure {
        message: e.message(ctx.lang, &ctx.loaded.contract.tz),
        code: e.code(),
    }
}

/// The breach months (`yyyymm`, contract-local) of a finished ticket.
fn breach_months(l: &Loaded, t: &Ticket) -> Vec<u32> {
    let Ok(e) = evaluate(t, &l.contract, &l.calendar, t.last_effective) else {
        return Vec::new();
    };
    [&e.reaction, &e.resolution]
        .into_iter()
        .filter(|x| x.status == Some(crate::sla::Status::Breached))
        .filter_map(|x| x.deadline)
        .map(|d| yyyymm(l.calendar.local(d).date()))
        .collect()
}

/// Whether `--db` names a PostgreSQL database (team mode) rather than a local path.
pub fn is_team(db: Option<&Path>) -> bool {
    db.and_then(|p| p.to_str())
        .is_some_and(crate::store::postgres::is_url)
}

/// Whether there is a log to open: a local folder that exists, or any PostgreSQL database.
pub fn log_exists(db: Option<&Path>) -> bool {
    is_team(db) || db_path(db).is_ok_and(|p| p.exists())
}

/// A read command on a path that holds no log: refused (exit 2) rather than making an
/// empty log there.
pub fn no_log(ctx: &Ctx, db: Option<&Path>) -> Result<(), Failure> {
    if is_team(db) {
        return Ok(());
    }
    let path = db_path(db)?;
    if files::holds_log(&path) {
        return Ok(());
    }
    let p = path.display();
    Err(Failure::usage(match ctx.lang {
        Lang::Da => format!(
            "der er ingen log i {p}; opret en med `frist add` eller `frist import FIL`, eller angiv loggen med --db"
        ),
        Lang::En => format!(
            "there is no log in {p}; make one with `frist add` or `frist import FILE`, or name the log with --db"
        ),
    }))
}

/// Opens the log `--db` names: PostgreSQL for a `postgres://` URL, else the local log with the breach
/// index of `contract` (loaded once more so that the index owns it).
pub fn open_store(ctx: &Ctx, db: Option<&Path>, contract: &str) -> Result<Log, Failure> {
    open_store_waiting(ctx, db, contract, true)
}

/// [`open_store`], saying "venter på loggen…" when `say` and a local log has been busy for a
/// second.
pub fn open_store_waiting(
    ctx: &Ctx,
    db: Option<&Path>,
    contract: &str,
    say: bool,
) -> Result<Log, Failure> {
    if let Some(url) = db
        .and_then(|p| p.to_str())
        .filter(|u| is_team(Some(Path::new(u))))
    {
        let url = crate::store::postgres::parse_url(url).map_err(|e| store_failure(e, ctx))?;
        let store = PgStore::open(&url).map_err(|e| store_failure(e, ctx))?;
        return Ok(Log::Postgres(Box::new(store)));
    }
    let path = db_path(db)?;
    let cannot = |e: std::io::Error| Failure {
        message: format!(
            "{} {}: {e}",
            ctx.lang.t("kan ikke oprette", "cannot create"),
            path.display()
        ),
        code: 1,
    };
    files::prepare(&path).map_err(cannot)?;
    let loaded = Arc::new(crate::load::contract(contract)?);
    let cache: std::sync::Mutex<HashMap<String, Option<Arc<Loaded>>>> = Default::default();
    let indexer = Box::new(move |t: &Ticket| {
        if t.contract == loaded.contract.id {
            return breach_months(&loaded, t);
        }
        let mut c = cache.lock().unwrap_or_else(|p| p.into_inner());
        let l = c
            .entry(t.contract.clone())
            .or_insert_with(|| crate::load::contract_by_id(&t.contract).ok().map(Arc::new));
        l.as_ref().map(|l| breach_months(l, t)).unwrap_or_default()
    });
    let lang = ctx.lang;
    let waiting: Box<dyn FnMut() + Send> = match say {
        true => Box::new(move || {
            crate::say_err!("{}", lang.t("venter på loggen…", "waiting for the log…"))
        }),
        false => Box::new(|| {}),
    };
    let moving = files::holds_sled_log(&path);
    if moving {
        // sled 0.34 may panic on a damaged page it reads while the log moves: name the log
        // and the remedy instead.
        crate::store::say_on_sled_panic(
            StoreError::Damaged(path.clone()).message(ctx.lang, &ctx.loaded.contract.tz),
        );
        crate::say_err!(
            "{}",
            lang.t(
                "flytter loggen fra sled til frists eget format (én gang) …",
                "moving the log from sled into frist's own layout (once) …"
            )
        );
    }
    // The board or another command may be using the log for a moment: wait for it.
    let store = LocalStore::open_with(&path, ctx.wait, waiting, indexer)
        .map_err(|e| store_failure(e, ctx))?;
    if store.migrated() {
        crate::say_err!(
            "{} {}",
            lang.t(
                "loggen er flyttet; sleds gamle filer ligger urørt i",
                "the log has moved; sled's old files are kept untouched in"
            ),
            path.join(crate::store::SLED_KEPT).display()
        );
    }
    files::secure(&path).map_err(cannot)?;
    Ok(Log::Local(store))
}

// ---------------------------------------------------------------------------------------------
// Input checks

pub fn at_time(ctx: &Ctx, at: Option<&str>) -> Result<DateTime<Utc>, Failure> {
    let Some(s) = at else { return Ok(ctx.now) };
    let t = parse_time(s, &ctx.loaded.contract.tz)
        .map_err(|e| Failure::usage(format!("--at: {}", e.message(ctx.lang))))?;
    if t > ctx.now {
        return Err(Failure::usage(format!(
            "--at: {} {}",
            ctx.lang.datetime(ctx.loaded.calendar.local(t)),
            ctx.lang.t(
                "ligger i fremtiden; angiv et tidspunkt der er passeret, eller udelad --at",
                "lies in the future; give a time that has passed, or leave out --at"
            )
        )));
    }
    Ok(t)
}

/// `frist assign`: gives a ticket to someone. In team mode only to a person of the log.
pub fn assign(
    ctx: &Ctx,
    store: &Log,
    user: &str,
    a: &AssignArgs,
    out: &mut impl Write,
) -> CmdResult {
    let to = a.to.trim();
    if let Some(pg) = store.team() {
        let people = pg.users().map_err(|e| store_failure(e, ctx))?;
        if !people.iter().any(|p| p.login == to) {
            let known: Vec<&str> = people
                .iter()
                .filter(|p| p.role != crate::store::postgres::Role::Municipality)
                .map(|p| p.login.as_str())
                .collect();
            return Err(Failure::usage(format!(
                "--to: '{to}' {} {}",
                ctx.lang.t(
                    "er ikke med i loggen; vælg en af",
                    "is not one of the log's people; choose one of"
                ),
                known.join(", ")
            )));
        }
    }
    step(
        ctx,
        &**store,
        user,
        a.id,
        EventKind::Assigned { to: to.to_string() },
        None,
        out,
    )
}

/// The municipality's known spelling (one of Denmark's kommuner or a name in the log), or
/// else the nearest known name as the error.
fn known_municipality(
    ctx: &Ctx,
    store: &dyn Store,
    name: &str,
) -> Result<Result<String, String>, Failure> {
    let mut known: Vec<String> = MUNICIPALITIES.iter().map(|s| s.to_string()).collect();
    known.extend(store.municipalities().map_err(|e| store_failure(e, ctx))?);
    let full = name.to_lowercase();
    // "Aarhus Kommune" means Aarhus.
    let wanted = full.strip_suffix(" kommune").unwrap_or(&full);
    if let Some(k) = known
        .iter()
        .find(|k| k.to_lowercase() == full || k.to_lowercase() == wanted)
    {
        return Ok(Ok(k.clone()));
    }
    let nearest = known
        .iter()
        .min_by_key(|k| strsim::levenshtein(&k.to_lowercase(), wanted))
        .cloned()
        .unwrap_or_default();
    Ok(Err(nearest))
}

fn empty_municipality(ctx: &Ctx) -> Failure {
    Failure::usage(ctx.lang.t(
        "--municipality er tom; angiv kommunens navn",
        "--municipality is empty; give the municipality's name",
    ))
}

/// Finds the municipality's known spelling, or refuses with the nearest known name.
pub fn check_municipality(
    ctx: &Ctx,
    store: &dyn Store,
    name: &str,
    allow_new: bool,
) -> Result<String, Failure> {
    let name = name.trim();
    if name.is_empty() {
        return Err(empty_municipality(ctx));
    }
    let nearest = match known_municipality(ctx, store, name)? {
        Ok(k) => return Ok(k),
        Err(_) if allow_new => return Ok(name.to_string()),
        Err(n) => n,
    };
    let (name, nearest) = (safe::text(name), safe::text(&nearest));
    Err(Failure::usage(match ctx.lang {
        crate::i18n::Lang::Da => format!(
            "ukendt kommune '{name}'; mente du '{nearest}'? (en ny kunde: tilføj --new-municipality)"
        ),
        crate::i18n::Lang::En => format!(
            "unknown municipality '{name}'; did you mean '{nearest}'? (a new customer: add --new-municipality)"
        ),
    }))
}

/// A municipality a read command (`list`, `report`) is asked about: its known spelling, or a
/// refusal with the nearest known name. A misspelt name must not give a clean, empty answer
/// ("0 kr., driftsprøven er bestået") that reads as if the municipality had no faults.
pub fn read_municipality(ctx: &Ctx, store: &dyn Store, name: &str) -> Result<String, Failure> {
    let name = name.trim();
    if name.is_empty() {
        return Err(empty_municipality(ctx));
    }
    let nearest = match known_municipality(ctx, store, name)? {
        Ok(k) => return Ok(k),
        Err(n) => n,
    };
    let (name, nearest) = (safe::text(name), safe::text(&nearest));
    Err(Failure::usage(match ctx.lang {
        crate::i18n::Lang::Da => format!(
            "ukendt kommune '{name}': den er hverken i loggen eller blandt Danmarks kommuner; mente du '{nearest}'?"
        ),
        crate::i18n::Lang::En => format!(
            "unknown municipality '{name}': it is neither in the log nor one of Denmark's municipalities; did you mean '{nearest}'?"
        ),
    }))
}

// ---------------------------------------------------------------------------------------------
// Commands that write

pub fn add(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    a: &AddArgs,
    out: &mut impl Write,
) -> CmdResult {
    if let Some(from) = &a.from {
        return super::add_from::run(ctx, store, user, from, a.new_municipality, out);
    }
    let municipality = a.municipality.as_deref().unwrap_or_default();
    let municipality = check_municipality(ctx, store, municipality, a.new_municipality)?;
    let fields = Fields {
        title: a.title.as_deref().unwrap_or_default(),
        description: &a.description,
        reporter: &a.reporter,
        category: a.category.as_deref(),
        at: a.at.as_deref(),
    };
    let p = prepare(ctx, store, &mut None, municipality, &fields)?;
    let new = p.new;
    let t = store
        .create(
            new.reported,
            new.classified,
            user,
            crate::edge::recorded_now(),
            new.effective,
        )
        .map_err(|e| store_failure(e, ctx))?;
    learn(ctx, store, p.label.as_slice());
    if let Some((confidence, reasons)) = p.guessed {
        say_guess(ctx, &t, confidence, &reasons);
    }
    writeln!(out, "{}", t.id)?;
    Ok(())
}

/// What `add` is told of a new ticket, besides its municipality.
pub(super) struct Fields<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub reporter: &'a str,
    pub category: Option<&'a str>,
    pub at: Option<&'a str>,
}

/// A new ticket checked and classified as `add` does, ready to be stored.
pub(super) struct Prepared {
    pub new: NewTicket,
    /// The agent's category with the ticket's text, for the classifier to learn from once
    /// the ticket is stored.
    pub label: Option<crate::classify::Labelled>,
    /// frist's guess of the category: how sure and why (said once the id is known).
    pub guessed: Option<(f64, Vec<String>)>,
}

/// Checks a new ticket's fields and classifies it when no category is given. `classifier`
/// is read from the store on first use and kept for the next ticket.
pub(super) fn prepare(
    ctx: &Ctx,
    store: &dyn Store,
    classifier: &mut Option<crate::classify::Classifier>,
    municipality: String,
    f: &Fields,
) -> Result<Prepared, Failure> {
    let l = ctx.lang;
    if f.title.trim().is_empty() {
        return Err(Failure::usage(l.t(
            "--title er tom; giv sagen en titel",
            "--title is empty; give the ticket a title",
        )));
    }
    let at = at_time(ctx, f.at)?;
    let contract = &ctx.loaded.contract;
    let mut guessed = None;
    let mut label = None;
    let (category, classified) = match f.category {
        Some(c) => {
            contract.category(c).map_err(|e| Failure::of(e, ctx.lang))?;
            label = Some(crate::classify::Labelled {
                category: c.to_string(),
                text: crate::store::labels::text(f.title.trim(), f.description),
            });
            (
                c.to_string(),
                EventKind::Classified {
                    category: c.to_string(),
                    by: ClassifiedBy::Agent,
                    confidence: None,
                    reasons: Vec::new(),
                },
            )
        }
        None => {
            let classifier = match classifier {
                Some(c) => c,
                None => classifier.insert(
                    crate::store::labels::classifier(contract, store)
                        .map_err(|e| store_failure(e, ctx))?,
                ),
            };
            let s = classifier.classify(f.title, f.description);
            let (c, confidence) = (s.category, s.confidence);
            let reasons: Vec<String> = s.reasons.iter().map(|r| r.text(l)).collect();
            guessed = Some((confidence, reasons.clone()));
            (
                c.clone(),
                EventKind::Classified {
                    category: c,
                    by: ClassifiedBy::Auto,
                    confidence: Some((confidence * 100.0).round() / 100.0),
                    reasons,
                },
            )
        }
    };
    let reported = EventKind::Reported {
        municipality,
        reporter: f.reporter.to_string(),
        title: f.title.trim().to_string(),
        description: f.description.to_string(),
        category,
        contract: contract.id.clone(),
    };
    Ok(Prepared {
        new: NewTicket {
            reported,
            classified: Some(classified),
            effective: at,
        },
        label,
        guessed,
    })
}

/// One lifecycle step on a ticket; prints the ticket's new state.
pub fn step(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    id: TicketId,
    kind: EventKind,
    at: Option<&str>,
    out: &mut impl Write,
) -> CmdResult {
    let at = at_time(ctx, at)?;
    let t = store
        .append(id, kind, user, crate::edge::recorded_now(), at, ctx.now)
        .map_err(|e| store_failure(e, ctx))?;
    writeln!(
        out,
        "{} {}: {}",
        ctx.lang.t("sag", "ticket"),
        t.id,
        t.state.label(ctx.lang)
    )?;
    Ok(())
}

pub fn reclassify(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    a: &ReclassifyArgs,
    out: &mut impl Write,
) -> CmdResult {
    ctx.loaded
        .contract
        .category(&a.category)
        .map_err(|e| Failure::of(e, ctx.lang))?;
    let t = store
        .ticket(a.id)
        .map_err(|e| store_failure(e, ctx))?
        .ok_or_else(|| store_failure(StoreError::UnknownTicket(a.id), ctx))?;
    let (title, description) = (t.title.clone(), t.description.clone());
    let kind = EventKind::Reclassified {
        from: t.category,
        to: a.category.clone(),
        reason: a.reason.clone(),
    };
    step(ctx, store, user, a.id, kind, a.at.as_deref(), out)?;
    let example = crate::classify::Labelled {
        category: a.category.clone(),
        text: crate::store::labels::text(&title, &description),
    };
    learn(ctx, store, &[example]);
    Ok(())
}

/// Tells the agent (on stderr, stdout keeps the ticket number) that `add` guessed the category,
/// how sure it was and why; a guess under the contract's `suggest_threshold` comes with a
/// warning and the command that corrects it.
fn say_guess(ctx: &Ctx, t: &Ticket, confidence: f64, reasons: &[String]) {
    let l = ctx.lang;
    let name = ctx
        .loaded
        .contract
        .category(&t.category)
        .map(|c| match l {
            Lang::En if !c.name_en.is_empty() => c.name_en.clone(),
            _ => c.name.clone(),
        })
        .unwrap_or_default();
    crate::say_err!(
        "{} {} ({name}), {:.0} % {} — {}: {}",
        l.t(
            "Ingen --category: frist gættede kategorien",
            "No --category: frist guessed the category"
        ),
        t.category,
        confidence * 100.0,
        l.t("sikker", "sure"),
        l.t("fordi", "because"),
        reasons.join(", ")
    );
    let threshold = ctx.loaded.contract.suggest_threshold;
    if confidence < threshold {
        crate::say_err!(
            "{} {:.0} %). {}: frist reclassify {} --category {} --reason \"…\"",
            l.t(
                "Advarsel: gættet er usikkert (under kontraktens grænse på",
                "Warning: the guess is unsure (below the contract's threshold of"
            ),
            threshold * 100.0,
            l.t(
                "Kontrollér kategorien; ret den med",
                "Check the category; correct it with"
            ),
            t.id,
            l.t("KATEGORI", "CATEGORY")
        );
    }
}

/// Teaches the classifier an agent's category. The ticket is already stored; the model is
/// derived data (`frist classify --retrain` rebuilds it), so a failure here only warns.
/// Teaches the classifier the agents' categories of tickets already stored; the model is
/// derived data, so a failure is only a warning.
pub(super) fn learn(ctx: &Ctx, store: &dyn Store, examples: &[crate::classify::Labelled]) {
    if let Err(e) = crate::store::labels::learn_all(store, examples) {
        crate::say_err!(
            "{}: {}",
            ctx.lang.t(
                "advarsel: klassificeringen kunne ikke lære af kategorien",
                "warning: the classifier could not learn from the category"
            ),
            e.message(ctx.lang, &ctx.loaded.contract.tz)
        );
    }
}

pub fn correct(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    a: &CorrectArgs,
    out: &mut impl Write,
) -> CmdResult {
    let to =
        at_time(ctx, Some(&a.to)).map_err(|f| Failure::usage(f.message.replace("--at", "--to")))?;
    let t = store
        .ticket(a.id)
        .map_err(|e| store_failure(e, ctx))?
        .ok_or_else(|| store_failure(StoreError::UnknownTicket(a.id), ctx))?;
    let kind = EventKind::ReportTimeCorrected {
        from: t.reported,
        to,
        reason: a.reason.clone(),
    };
    let t = store
        .append(
            a.id,
            kind,
            user,
            crate::edge::recorded_now(),
            ctx.now,
            ctx.now,
        )
        .map_err(|e| store_failure(e, ctx))?;
    writeln!(
        out,
        "{} {}: {}",
        ctx.lang.t("sag", "ticket"),
        t.id,
        t.state.label(ctx.lang)
    )?;
    Ok(())
}

/// A correction takes effect when it is written: it mends the log, not the ticket's history.
fn correction(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    id: TicketId,
    kind: EventKind,
    out: &mut impl Write,
) -> CmdResult {
    step(ctx, store, user, id, kind, None, out)
}

pub fn retract(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    a: &RetractArgs,
    out: &mut impl Write,
) -> CmdResult {
    let events = store.events(a.id).map_err(|e| store_failure(e, ctx))?;
    if events.is_empty() {
        return Err(store_failure(StoreError::UnknownTicket(a.id), ctx));
    }
    let kind = crate::ticket::retraction(&events, a.event, &a.reason)
        .map_err(|e| store_failure(e.into(), ctx))?;
    correction(ctx, store, user, a.id, kind, out)
}

pub fn edit(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    a: &EditArgs,
    out: &mut impl Write,
) -> CmdResult {
    let kind = EventKind::Edited {
        title: a.title.clone(),
        description: a.description.clone(),
        reporter: a.reporter.clone(),
        reason: a.reason.clone(),
    };
    correction(ctx, store, user, a.id, kind, out)
}

pub fn dispute(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    a: &DisputeArgs,
    out: &mut impl Write,
) -> CmdResult {
    let t = store
        .ticket(a.id)
        .map_err(|e| store_failure(e, ctx))?
        .ok_or_else(|| store_failure(StoreError::UnknownTicket(a.id), ctx))?;
    let contracts = Contracts::of_store(&ctx.loaded, store);
    let breached = contracts.evaluate(&t, ctx.now).is_some_and(|e| {
        [e.reaction.status, e.resolution.status].contains(&Some(crate::sla::Status::Breached))
    });
    if !breached {
        return Err(Failure::usage(match ctx.lang {
            Lang::Da => format!(
                "sag {} har intet brud at bestride: reaktionstid og løsningstid er ikke overskredet",
                a.id
            ),
            Lang::En => format!(
                "ticket {} has no breach to dispute: neither the reaction nor the resolution deadline was missed",
                a.id
            ),
        }));
    }
    correction(
        ctx,
        store,
        user,
        a.id,
        EventKind::BreachDisputed {
            reason: a.reason.clone(),
        },
        out,
    )
}

// ---------------------------------------------------------------------------------------------
// Output

fn status_word(ctx: &Ctx, s: Option<crate::sla::Status>) -> &'static str {
    use crate::sla::Status::*;
    let l = ctx.lang;
    match s {
        None => "–",
        Some(Running) => l.t("kører", "running"),
        Some(AtRisk) => l.t("i fare", "at risk"),
        Some(Met) => l.t("overholdt", "met"),
        Some(Breached) => l.t("overskredet", "breached"),
    }
}

fn timer_json(tz: &chrono_tz::Tz, t: Option<&crate::ticket::TimerEval>) -> Value {
    let f = |x: Option<DateTime<Utc>>| x.map(|x| rfc3339(x, tz));
    match t {
        Some(t) => json!({
            "deadline": f(t.deadline),
            "done": f(t.done),
            "status": t.status.map(|s| s.as_str()),
        }),
        None => json!({"deadline": null, "done": null, "status": null}),
    }
}

/// A ticket as JSON (the shape of `show --json`, `list --json` and `breaches --json`).
pub fn ticket_json(ctx: &Ctx, t: &Ticket, e: Option<&Evaluation>) -> Value {
    let tz = &ctx.loaded.contract.tz;
    json!({
        "id": t.id,
        "municipality": t.municipality,
        "title": t.title,
        "category": t.category,
        "state": t.state.as_str(),
        "reported": rfc3339(t.reported, tz),
        // Which targets applied (domain §4.7), and separately whether the report fell inside
        // the service window.
        "window": e.map(|e| e.window.as_str()),
        "reported_in_window": e.map(|e| e.deadlines.reported_in_window),
        "reaction": timer_json(tz, e.map(|e| &e.reaction)),
        "resolution": timer_json(tz, e.map(|e| &e.resolution)),
        "fine": {
            "total": e.map_or(0, |e| e.fine.total),
            "days": e.map(|e| e.fine.days.iter().map(|d| json!({
                "begins": rfc3339(d.begins, tz),
                "amount": d.amount,
            })).collect::<Vec<_>>()).unwrap_or_default(),
        },
    })
}

fn write_json(out: &mut impl Write, v: &Value) -> CmdResult {
    serde_json::to_writer(&mut *out, v).map_err(|e| Failure {
        message: e.to_string(),
        code: 1,
    })?;
    writeln!(out)?;
    Ok(())
}

/// One line of a ticket's timeline; `width` is the longest step name among its events, so the
/// columns line up.
fn event_line(ctx: &Ctx, e: &Event, width: usize, retracted_by: Option<u32>) -> String {
    let detail = match &e.kind {
        EventKind::Reported {
            municipality,
            reporter,
            ..
        } => format!("{municipality} {reporter}"),
        EventKind::Classified {
            category,
            by,
            confidence,
            ..
        } => format!(
            "{category} ({}{})",
            match by {
                ClassifiedBy::Auto => ctx.lang.t("automatisk", "automatic"),
                ClassifiedBy::Agent => ctx.lang.t("medarbejder", "agent"),
            },
            confidence
                .map(|c| format!(", {:.0} %", c * 100.0))
                .unwrap_or_default()
        ),
        EventKind::Reclassified { from, to, reason } => format!("{from} → {to}: {reason}"),
        EventKind::Reacted { note } | EventKind::Resolved { note } => note.clone(),
        EventKind::Paused { reason } => reason.clone(),
        EventKind::Resumed => String::new(),
        EventKind::Accepted { by, reference } => format!("{by}, ref. {reference}"),
        EventKind::Rejected { by, reason } => format!("{by}: {reason}"),
        EventKind::Note { text } => text.clone(),
        EventKind::Assigned { to } => to.clone(),
        EventKind::ContactAdded {
            municipality,
            name,
            email,
            ..
        } => format!("{municipality}: {name} <{email}>"),
        EventKind::ContactRemoved {
            municipality,
            email,
        } => format!("{municipality}: {email}"),
        EventKind::MailReceived(m) | EventKind::MailSuggested(m) => m.summary(ctx.lang),
        EventKind::MailDismissed { message_id, reason } => format!("<{message_id}>: {reason}"),
        EventKind::ReportTimeCorrected { from, to, reason } => format!(
            "{} → {}: {reason}",
            ctx.lang.datetime(ctx.loaded.calendar.local(*from)),
            ctx.lang.datetime(ctx.loaded.calendar.local(*to))
        ),
        EventKind::MailSent { .. } | EventKind::MailFailed { .. } => {
            e.kind.mail_summary(ctx.lang).unwrap_or_default()
        }
        k => k.correction_text(ctx.lang).unwrap_or_default(),
    };
    // A step written down long after it took effect says so, with when (domain §4.8).
    let late = e.recorded_late().map_or_else(String::new, |lag| {
        format!(
            " — {} ({})",
            ctx.lang.recorded_later(lag),
            ctx.lang.datetime(ctx.loaded.calendar.local(e.recorded))
        )
    });
    // A step withdrawn later stays in the timeline, marked with the event that withdrew it.
    let withdrawn = retracted_by.map_or_else(String::new, |by| {
        format!(
            " — {} (nr. {by})",
            ctx.lang.t("TRUKKET TILBAGE", "RETRACTED")
        )
    });
    format!(
        "  #{:<2} {}  {:<width$} {:<10} {}{late}{withdrawn}",
        e.seq,
        ctx.lang.datetime(ctx.loaded.calendar.local(e.effective)),
        e.kind.label(ctx.lang),
        safe::text(&e.user),
        safe::text(&detail)
    )
}

pub fn show(ctx: &Ctx, store: &dyn Store, a: &ShowArgs, out: &mut impl Write) -> CmdResult {
    let t = store
        .ticket(a.id)
        .map_err(|e| store_failure(e, ctx))?
        .ok_or_else(|| store_failure(StoreError::UnknownTicket(a.id), ctx))?;
    let events = store.events(a.id).map_err(|e| store_failure(e, ctx))?;
    let contracts = Contracts::of_store(&ctx.loaded, store);
    let e = contracts.evaluate(&t, ctx.now);
    if a.json {
        let mut v = ticket_json(ctx, &t, e.as_ref());
        v["events"] = serde_json::to_value(&events).unwrap_or(Value::Null);
        return write_json(out, &v);
    }
    let l = ctx.lang;
    let cal = &ctx.loaded.calendar;
    // Text from the log reaches the terminal with its control characters escaped.
    writeln!(
        out,
        "{} {}: {}",
        l.t("Sag", "Ticket"),
        t.id,
        safe::text(&t.title)
    )?;
    writeln!(
        out,
        "  {}: {}",
        l.t("Kommune", "Municipality"),
        safe::text(&t.municipality)
    )?;
    writeln!(
        out,
        "  {}: {}",
        l.t("Kategori", "Category"),
        safe::text(&t.category)
    )?;
    writeln!(
        out,
        "  {}: {}",
        l.t("Tilstand", "State"),
        t.state.label(ctx.lang)
    )?;
    writeln!(
        out,
        "  {}: {}",
        l.t("Anmeldt", "Reported"),
        l.datetime(cal.local(t.reported))
    )?;
    if !t.reporter.trim().is_empty() {
        writeln!(
            out,
            "  {}: {}",
            l.t("Anmelder", "Reporter"),
            safe::text(&t.reporter)
        )?;
    }
    if !t.description.trim().is_empty() {
        // The whole description, wrapped under its label so no terminal cuts it.
        writeln!(out, "  {}:", l.t("Beskrivelse", "Description"))?;
        let width = usize::from(a.width.unwrap_or_else(terminal_width));
        for line in crate::wrap::wrap(t.description.trim(), width.saturating_sub(4)) {
            writeln!(out, "    {}", safe::text(&line))?;
        }
    }
    if let Some(e) = &e {
        for (name, te) in [
            (l.t("Reaktionstid", "Reaction"), &e.reaction),
            (l.t("Løsningstid", "Resolution"), &e.resolution),
        ] {
            let Some(d) = te.deadline else { continue };
            write!(
                out,
                "  {name}: {} {}",
                l.t("frist", "due"),
                l.datetime(cal.local(d))
            )?;
            if let Some(done) = te.done {
                write!(
                    out,
                    ", {} {}",
                    l.t("udført", "done"),
                    l.datetime(cal.local(done))
                )?;
            }
            writeln!(out, " — {}", status_word(ctx, te.status))?;
        }
        writeln!(
            out,
            "  {}: {}",
            l.t("Dagsbod", "Fine"),
            crate::i18n::kroner(e.fine.total)
        )?;
    }
    writeln!(out, "  {}:", l.t("Hændelser", "Events"))?;
    let width = events
        .iter()
        .map(|e| e.kind.label(l).chars().count())
        .max()
        .unwrap_or(0);
    let retracted = crate::ticket::retractions(&events);
    for ev in &events {
        let by = retracted.iter().find(|r| r.0 == ev.seq).map(|r| r.1);
        writeln!(out, "{}", event_line(ctx, ev, width, by).trim_end())?;
    }
    Ok(())
}

/// The terminal's width when standard output is one, else 80.
fn terminal_width() -> u16 {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        if let Ok((w, _)) = ratatui::crossterm::terminal::size() {
            return w.max(20);
        }
    }
    80
}

fn table(ctx: &Ctx, rows: &[(Ticket, Option<Evaluation>)], out: &mut impl Write) -> CmdResult {
    let l = ctx.lang;
    // The state column fits the longest state word in the user's language.
    let sw = [
        State::Open,
        State::Reacted,
        State::Paused,
        State::Resolved,
        State::Closed,
    ]
    .iter()
    .map(|s| s.short_label(l).chars().count())
    .max()
    .unwrap_or(10);
    writeln!(
        out,
        "{:>7}  {:<sw$} {:<16} {:<14} {:<12} {:<12} {:>11}  {:<10} {}",
        "id",
        l.t("tilstand", "state"),
        l.t("kommune", "municipality"),
        l.t("kategori", "category"),
        l.t("reaktion", "reaction"),
        l.t("løsning", "resolution"),
        l.t("dagsbod", "fine"),
        l.t("tildelt", "assignee"),
        l.t("titel", "title")
    )?;
    for (t, e) in rows {
        let marks: String =
            crate::notify::plan::marks(t, &ctx.loaded.contract, &ctx.loaded.calendar, ctx.now, l)
                .iter()
                .map(|m| format!(" [{m}]"))
                .collect();
        // A breach a supervisor disputes, with the reason (domain §9).
        let marks = match &t.disputed {
            Some(v) => format!(
                "{marks} [{}: {}]",
                l.t("bestridt", "disputed"),
                safe::text(&v.text)
            ),
            None => marks,
        };
        writeln!(
            out,
            "{:>7}  {:<sw$} {:<16} {:<14} {:<12} {:<12} {:>11}  {:<10} {}{marks}",
            t.id,
            t.state.short_label(l),
            safe::text(&t.municipality),
            safe::text(&t.category),
            status_word(ctx, e.as_ref().and_then(|e| e.reaction.status)),
            status_word(ctx, e.as_ref().and_then(|e| e.resolution.status)),
            crate::i18n::kroner(e.as_ref().map_or(0, |e| e.fine.total)),
            safe::text(t.assignee.as_deref().unwrap_or("–")),
            safe::text(&t.title)
        )?;
    }
    writeln!(
        out,
        "{}",
        crate::i18n::count(l, rows.len(), ("sag", "sager"), ("ticket", "tickets"))
    )?;
    Ok(())
}

fn rows_out(
    ctx: &Ctx,
    rows: &[(Ticket, Option<Evaluation>)],
    json_: bool,
    out: &mut impl Write,
) -> CmdResult {
    if json_ {
        let mut w = std::io::BufWriter::new(&mut *out);
        w.write_all(b"[")?;
        for (i, (t, e)) in rows.iter().enumerate() {
            if i > 0 {
                w.write_all(b",\n")?;
            }
            serde_json::to_writer(&mut w, &ticket_json(ctx, t, e.as_ref())).map_err(|e| {
                Failure {
                    message: e.to_string(),
                    code: 1,
                }
            })?;
        }
        w.write_all(b"]\n")?;
        w.flush()?;
        Ok(())
    } else {
        table(ctx, rows, out)
    }
}

pub fn list(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    a: &ListArgs,
    out: &mut impl Write,
) -> CmdResult {
    let filter = if a.open {
        Filter::NotClosed
    } else if a.closed {
        Filter::Closed
    } else if a.breached {
        Filter::BreachCandidates(None)
    } else {
        Filter::All
    };
    let municipality = match &a.municipality {
        Some(m) => Some(read_municipality(ctx, store, m)?),
        None => None,
    };
    let tickets = store.tickets(filter).map_err(|e| store_failure(e, ctx))?;
    let contracts = Contracts::of_store(&ctx.loaded, store);
    let rows: Vec<(Ticket, Option<Evaluation>)> = tickets
        .into_iter()
        .filter(|t| municipality.as_ref().is_none_or(|m| &t.municipality == m))
        .filter(|t| !a.mine || t.assignee.as_deref() == Some(user))
        .filter(|t| {
            a.search
                .as_deref()
                .is_none_or(|q| crate::ticket::search_matches(&t.search_text(), q))
        })
        .map(|t| {
            let e = contracts.evaluate(&t, ctx.now);
            (t, e)
        })
        .filter(|(_, e)| !a.breached || e.as_ref().is_some_and(|e| e.breached()))
        .collect();
    rows_out(ctx, &rows, a.json, out)
}

pub fn breaches(ctx: &Ctx, store: &dyn Store, a: &BreachesArgs, out: &mut impl Write) -> CmdResult {
    let cal = &ctx.loaded.calendar;
    let month = match &a.month {
        Some(m) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").map_err(|_| {
            Failure::usage(format!(
                "--month: '{m}' {}",
                ctx.lang.t(
                    "er ikke en måned; skriv ÅÅÅÅ-MM, fx 2025-03",
                    "is not a month; write YYYY-MM, e.g. 2025-03"
                )
            ))
        })?,
        None => cal.local(ctx.now).date().with_day(1).unwrap_or_default(),
    };
    let key = yyyymm(month);
    let tickets = store
        .tickets(Filter::BreachCandidates(Some(key)))
        .map_err(|e| store_failure(e, ctx))?;
    let contracts = Contracts::of_store(&ctx.loaded, store);
    let rows: Vec<(Ticket, Option<Evaluation>)> = tickets
        .into_iter()
        .filter_map(|t| {
            let e = contracts.evaluate(&t, ctx.now)?;
            let hit = [&e.reaction, &e.resolution].into_iter().any(|x| {
                x.status == Some(crate::sla::Status::Breached)
                    && x.deadline
                        .is_some_and(|d| yyyymm(cal.local(d).date()) == key)
            });
            hit.then_some((t, Some(e)))
        })
        .collect();
    rows_out(ctx, &rows, a.json, out)
}
