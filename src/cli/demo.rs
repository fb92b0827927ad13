//! `frist demo`: realistic tickets over the last three months (longer for a big demo, so a
//! working day holds no more than a busy desk's ~300 tickets), deterministic for a seed.

use super::{CmdResult, Ctx, Failure};
use crate::store::{Store, StoreError};
use crate::ticket::{evaluate, fold, ClassifiedBy, Event, EventKind, Ticket};
use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc, Weekday};
use clap::Args;
use std::collections::VecDeque;
use std::io::Write;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many tickets to log.
    #[arg(long, default_value_t = 200)]
    pub tickets: u64,
    /// The random seed; the same seed (and `--now`) gives the same tickets.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Spread the tickets over this many days before now, 1–3660 (default: 90, or as many as
    /// keep it to about 300 tickets a day).
    #[arg(long)]
    pub days: Option<u32>,
    /// Add to a database that already has tickets (written ticket by ticket, slower).
    #[arg(long)]
    pub force: bool,
}

/// The most days `--days` may spread a demo over: ten years.
pub const MAX_DAYS: u32 = 3660;

/// Tickets a day a busy desk logs at most; a big demo spreads over more days to stay below.
const PER_DAY: u64 = 300;

/// The days a demo of `tickets` spreads over, unless `--days` says.
pub fn default_days(tickets: u64) -> u32 {
    tickets.div_ceil(PER_DAY).clamp(90, u64::from(MAX_DAYS)) as u32
}

/// Municipalities with a weight (bigger customers report more).
const MUNICIPALITIES: &[(&str, u32)] = &[
    ("Aarhus", 30),
    ("Fredericia", 10),
    ("Syddjurs", 8),
    ("Middelfart", 7),
    ("Halsnæs", 6),
    ("Rebild", 6),
    ("Frederikshavn", 8),
    ("Morsø", 4),
    ("Lemvig", 4),
    ("Samsø", 2),
    ("Odder", 4),
    ("Skanderborg", 7),
    ("Vejle", 10),
];

const REPORTERS: &[&str] = &[
    "Lone Madsen, IT-afdelingen",
    "Henrik Nielsen, Teknik og Miljø",
    "Birgitte Holm, Ældreplejen",
    "Søren Kjær, Borgerservice",
    "Maja Andersen, Skoleforvaltningen",
    "Jesper Lund, Ejendomsservice",
    "Pia Thomsen, Hjemmeplejen",
    "Kasper Mortensen, Digitalisering",
];

const AGENTS: &[&str] = &["mette", "jonas", "sofie", "lars", "camilla", "anders"];

/// (category id, weight, titles, descriptions) for the lock-system contract.
const TEXTS: &[(&str, u32, &[&str], &[&str])] = &[
    ("kritisk", 3, &[
        "Låsesystemet er nede – ingen kan låse sig ind",
        "Hele kommunen kan ikke bruge appen",
        "Administrationsportalen svarer ikke",
        "Nedbrud: alle brugere er logget ud",
    ], &[
        "Siden kl. 7 har ingen hjemmeplejere kunnet åbne borgernes døre. Det er akut.",
        "Portalen giver timeout for alle brugere, og nøglebrikker virker ikke på plejecentrene.",
        "Totalt nedbrud, virker ikke for nogen i kommunen.",
    ]),
    ("systemfejl", 15, &[
        "Fejlbesked ved oprettelse af ny borger",
        "Synkronisering af nøgler fejler",
        "Rapporten over adgange er meget langsom",
        "Søgning efter låse giver fejl",
        "Integration til omsorgssystemet fejler",
    ], &[
        "Nogle brugere får fejlbesked, når de opretter en borger. Skærmbillede vedhæftet.",
        "Synkroniseringen fejler for enkelte medarbejdere siden opdateringen i går.",
        "Fremsøgning tager over et minut og ender af og til med timeout.",
    ]),
    ("laaseenhed", 25, &[
        "Låsen på hoveddøren reagerer ikke",
        "Låseenhed offline hos borger",
        "Døren kan ikke låses op med telefon",
        "Cylinderen drejer ikke",
        "Motoren i låsen sidder fast",
    ], &[
        "Hjemmeplejen kunne ikke komme ind hos borgeren i morges. Låsen er offline i portalen.",
        "Låseenheden reagerer ikke på telefonen, men virker med brik.",
        "Cylinderen drejer ikke helt rundt; døren kan kun åbnes indefra.",
    ]),
    ("systemteknisk", 10, &[
        "Spørgsmål om opsætning af SSO",
        "Certifikat til API udløber snart",
        "Hvordan konfigureres integrationen til AD?",
    ], &[
        "Vi skal skifte certifikat i næste måned. Hvordan gør vi det uden nedetid?",
        "Kan I hjælpe med konfiguration af single sign-on mod vores AD?",
    ]),
    ("driftsmaessig", 15, &[
        "Hvordan giver vi en vikar rettigheder?",
        "Spørgsmål om brugergrupper",
        "Hvor finder man loggen over adgange?",
        "Vejledning til ny medarbejder",
    ], &[
        "Hvordan giver man en vikar adgang til én rute i tre uger?",
        "Kan man oprette en gruppe for nattevagten, så de kun ser deres borgere?",
    ]),
    ("montering", 10, &[
        "Montering af ny lås hos borger",
        "Ny lås til plejebolig",
        "Installation af låseenhed på bostøtte-adresse",
    ], &[
        "Borgeren er visiteret til hjemmepleje fra næste uge. Montering ønskes.",
        "Ny plejebolig på adressen skal have lås monteret.",
    ]),
    ("akut-montering", 2, &[
        "Akut montering – borger udskrives i dag",
        "Hurtigst muligt: lås til borger hjem fra hospital",
    ], &[
        "Borgeren udskrives fra sygehuset i dag og skal have besøg i aften. Akut montering.",
    ]),
    ("afmontering", 7, &[
        "Afmontering efter fraflytning",
        "Fjern lås hos borger der er flyttet på plejehjem",
    ], &[
        "Borgeren er fraflyttet. Låsen skal afmonteres, og døren efterlades som før.",
    ]),
    ("batteriskift", 8, &[
        "Lavt batteri i låseenhed",
        "Batteriskift på tre låse",
        "Batterirapport viser kritisk niveau",
    ], &[
        "Batterirapporten viser lavt batteri på låsene på adresserne i vedhæftede liste.",
        "Låsen bipper ved brug – batteriskift ønskes.",
    ]),
    ("fejlfinding", 5, &[
        "Fejlfinding: lås åbner kun af og til",
        "Reparation af lås efter indbrudsforsøg",
        "Tekniker ønskes til besøg",
    ], &[
        "Låsen åbner kun ved hvert andet forsøg. Vi ønsker en tekniker ud.",
        "Der har været indbrudsforsøg, og låsen er beskadiget. Reparation ønskes.",
    ]),
];

const PAUSE_REASONS: &[&str] = &[
    "Venter på adgang til borgerens bolig",
    "Venter på log-udtræk fra kommunens IT",
    "Kommunen tester rettelsen",
    "Venter på svar fra borgerens pårørende",
];

const REJECT_REASONS: &[&str] = &[
    "Fejlen opstod igen dagen efter",
    "Løsningen virker kun for nogle brugere",
    "Låsen er stadig offline",
];

struct Gen<'a> {
    ctx: &'a Ctx,
    rng: fastrand::Rng,
    times: Vec<DateTime<Utc>>,
    next: usize,
    first_id: u64,
    buf: VecDeque<Event>,
    categories: Vec<DemoCategory>,
    /// The chance that a ticket is of a downtime category (a critical or system fault): a
    /// handful a month whatever the volume, so most months show 98–100 % availability.
    p_down: f64,
    /// The category each of the last tickets gets (indices into `categories`) unless the
    /// demo has one of it already, so every category is in even a small demo.
    forced: Vec<usize>,
    /// The categories generated so far.
    seen: Vec<bool>,
}

struct DemoCategory {
    id: String,
    weight: u32,
    titles: Vec<String>,
    descriptions: Vec<String>,
    downtime: bool,
}

/// Downtime tickets a month a demo aims at.
const DOWNTIME_PER_MONTH: f64 = 2.0;

/// The chance that a finished step was late (after its deadline): a few breaches a month.
const LATE_PERCENT: u32 = 3;

fn pick<'b, T>(rng: &mut fastrand::Rng, v: &'b [T]) -> &'b T {
    &v[rng.usize(..v.len())]
}

impl<'a> Gen<'a> {
    fn new(ctx: &'a Ctx, n: u64, days: u32, seed: u64, first_id: u64) -> Gen<'a> {
        let mut rng = fastrand::Rng::with_seed(seed);
        let cal = &ctx.loaded.calendar;
        let span = i64::from(days.max(1)) * 24 * 60;
        let mut times: Vec<DateTime<Utc>> = (0..n)
            .map(|_| {
                let mut t = ctx.now - TimeDelta::minutes(rng.i64(60..span));
                // Most reports come in office hours on weekdays.
                if rng.u32(..100) < 85 {
                    let mut local = cal.local(t);
                    while matches!(local.weekday(), Weekday::Sat | Weekday::Sun) {
                        local -= TimeDelta::days(1);
                    }
                    let local = local
                        .with_hour(rng.u32(7..16))
                        .and_then(|l| l.with_minute(rng.u32(0..60)))
                        .unwrap_or(local);
                    t = cal.to_utc(local).min(ctx.now - TimeDelta::minutes(30));
                }
                t
            })
            .collect();
        times.sort_unstable();
        // The last two tickets make a live board: one reported twenty minutes ago and not yet
        // answered, one paused (waiting for the municipality) three hours in.
        let len = times.len();
        if len >= 20 {
            times[len - 1] = ctx.now - TimeDelta::minutes(20);
            times[len - 2] = times[len - 2].min(ctx.now - TimeDelta::hours(3));
        }
        let contract = &ctx.loaded.contract;
        let categories: Vec<DemoCategory> = contract
            .categories
            .iter()
            .map(|c| {
                let (weight, titles, descriptions) = match TEXTS.iter().find(|x| x.0 == c.id) {
                    Some((_, w, ti, de)) => (
                        *w,
                        ti.iter().map(|s| s.to_string()).collect(),
                        de.iter().map(|s| s.to_string()).collect(),
                    ),
                    None => (10, vec![c.name.clone()], vec![c.description.clone()]),
                };
                DemoCategory {
                    id: c.id.clone(),
                    weight,
                    titles,
                    descriptions,
                    downtime: c.downtime,
                }
            })
            .collect();
        let n_categories = categories.len();
        let per_month = n as f64 / f64::from(days.max(1)) * 30.4;
        let p_down = (DOWNTIME_PER_MONTH / per_month.max(1.0)).min(0.05);
        // The most recent tickets take every category once, in an order of the seed's.
        let mut forced: Vec<usize> = (0..categories.len()).collect();
        rng.shuffle(&mut forced);
        // Downtime categories first: the newest two (unanswered, paused) are never a
        // critical fault left waiting.
        forced.sort_by_key(|i| !categories[*i].downtime);
        if (n as usize) < 2 * categories.len() {
            forced.clear();
        }
        Gen {
            ctx,
            rng,
            times,
            next: 0,
            first_id,
            buf: VecDeque::new(),
            categories,
            p_down,
            forced,
            seen: vec![false; n_categories],
        }
    }

    /// A category by weight within the downtime categories (with the chance `p_down`) or
    /// the others.
    fn category(&mut self, index: usize) -> usize {
        let i = self.pick_category(index);
        if let Some(s) = self.seen.get_mut(i) {
            *s = true;
        }
        i
    }

    fn pick_category(&mut self, index: usize) -> usize {
        let n = self.times.len();
        let k = self.forced.len();
        if k > 0 && index + k >= n {
            let f = self.forced[index + k - n];
            if !self.seen[f] {
                return f;
            }
        }
        let down = self.rng.f64() < self.p_down;
        let pool: Vec<(usize, u32)> = self
            .categories
            .iter()
            .enumerate()
            .filter(|(_, c)| c.downtime == down)
            .map(|(i, c)| (i, c.weight))
            .collect();
        let total: u32 = pool.iter().map(|p| p.1).sum();
        if total == 0 {
            return 0;
        }
        let mut x = self.rng.u32(..total);
        for (i, w) in pool {
            if x < w {
                return i;
            }
            x -= w;
        }
        0
    }

    fn municipality(&mut self) -> &'static str {
        let total: u32 = MUNICIPALITIES.iter().map(|m| m.1).sum();
        let mut x = self.rng.u32(..total);
        for (m, w) in MUNICIPALITIES {
            if x < *w {
                return m;
            }
            x -= w;
        }
        MUNICIPALITIES[0].0
    }

    /// A completion instant: mostly within the target, a few late (and then not by much).
    /// A fault that stops the solution (`fast`) is fixed well within its target: a desk
    /// drops everything for it.
    fn finish(
        &mut self,
        from: DateTime<Utc>,
        deadline: Option<DateTime<Utc>>,
        floor: DateTime<Utc>,
        fast: bool,
    ) -> DateTime<Utc> {
        let floor = floor + TimeDelta::minutes(5);
        let Some(d) = deadline else {
            return floor.max(from) + TimeDelta::minutes(self.rng.i64(30..24 * 60));
        };
        let target = (d - from).num_minutes().max(30);
        if self.rng.u32(..100) < LATE_PERCENT || d <= floor {
            // Late, by up to four tenths of the target (a fault that stops the solution:
            // a little).
            let most = if fast { 0.15 } else { 0.4 };
            let over = (target as f64 * (0.02 + self.rng.f64() * most)) as i64;
            return (d + TimeDelta::minutes(over.max(1))).max(floor);
        }
        // On time: somewhere between the earliest possible moment (after the step before
        // it, or a pause) and the deadline; early for a fault that stops the solution.
        let start = floor.max(from);
        let room = (d - start).num_minutes().max(1) as f64;
        let f = if fast {
            0.05 + self.rng.f64() * 0.2
        } else {
            0.1 + self.rng.f64() * 0.85
        };
        start + TimeDelta::minutes((room * f) as i64)
    }

    /// One ticket's events, stopping at the first that would lie after now.
    fn ticket(&mut self, id: u64, reported_at: DateTime<Utc>) -> Vec<Event> {
        let ctx = self.ctx;
        let now = ctx.now;
        let index = (id - self.first_id) as usize;
        let ci = self.category(index);
        let c = &self.categories[ci];
        let (category, titles, descs, fast) = (
            c.id.clone(),
            c.titles.clone(),
            c.descriptions.clone(),
            c.downtime,
        );
        let n = self.times.len();
        // The live board's two: the newest is not answered yet, the one before it is paused.
        let (unanswered, paused_now) = (n >= 20 && index + 1 == n, n >= 20 && index + 2 == n);
        let user = pick(&mut self.rng, AGENTS).to_string();
        let reporter = pick(&mut self.rng, REPORTERS).to_string();
        let municipality = self.municipality().to_string();
        let events = vec![Event {
            ticket: id,
            seq: 0,
            user: user.clone(),
            recorded: reported_at,
            effective: reported_at,
            kind: EventKind::Reported {
                municipality,
                reporter: reporter.clone(),
                title: pick(&mut self.rng, &titles).clone(),
                description: pick(&mut self.rng, &descs).clone(),
                category: category.clone(),
                contract: ctx.loaded.contract.id.clone(),
            },
        }];
        let auto = self.rng.u32(..100) < 75;
        let mut plan: Vec<(DateTime<Utc>, EventKind)> = vec![(
            reported_at,
            EventKind::Classified {
                category: category.clone(),
                by: if auto {
                    ClassifiedBy::Auto
                } else {
                    ClassifiedBy::Agent
                },
                confidence: auto.then(|| (50 + self.rng.u32(..50)) as f64 / 100.0),
                reasons: if auto {
                    vec!["keyword match".into()]
                } else {
                    vec![]
                },
            },
        )];
        let Some(mut ticket) = fold(&events) else {
            return events;
        };
        ticket.category = category.clone();
        let Ok(ev) = evaluate(
            &ticket,
            &ctx.loaded.contract,
            &ctx.loaded.calendar,
            reported_at,
        ) else {
            return events;
        };
        let mut t = reported_at;
        if unanswered {
            return self.record(id, &user, events, ticket, plan);
        }
        if paused_now {
            let half = (now - reported_at) / 2;
            if ev.reaction.deadline.is_some() {
                plan.push((
                    reported_at + half / 2,
                    EventKind::Reacted {
                        note: "Ringet til kommunen med diagnose og plan".into(),
                    },
                ));
            }
            plan.push((
                reported_at + half,
                EventKind::Paused {
                    reason: pick(&mut self.rng, PAUSE_REASONS).to_string(),
                },
            ));
            return self.record(id, &user, events, ticket, plan);
        }
        if let Some(d) = ev.reaction.deadline {
            t = self.finish(reported_at, Some(d), t, fast);
            plan.push((
                t,
                EventKind::Reacted {
                    note: "Ringet til kommunen med diagnose og plan".into(),
                },
            ));
        }
        let mut pause = TimeDelta::zero();
        if self.rng.u32(..100) < 10 {
            let start = t + TimeDelta::minutes(self.rng.i64(10..120));
            pause = TimeDelta::minutes(self.rng.i64(60..48 * 60));
            plan.push((
                start,
                EventKind::Paused {
                    reason: pick(&mut self.rng, PAUSE_REASONS).to_string(),
                },
            ));
            plan.push((start + pause, EventKind::Resumed));
            t = start + pause;
        }
        if self.rng.u32(..100) < 15 {
            plan.push((
                t + TimeDelta::minutes(5),
                EventKind::Note {
                    text: "Kommunen orienteret om status".into(),
                },
            ));
        }
        // A pause moves the deadline in the target's own clock: ask the engine where to.
        let deadline = if pause > TimeDelta::zero() {
            let mut tmp = ticket.clone();
            for (at, kind) in &plan[1..] {
                tmp.apply(&Event {
                    ticket: id,
                    seq: 0,
                    user: user.clone(),
                    recorded: *at,
                    effective: *at,
                    kind: kind.clone(),
                });
            }
            evaluate(&tmp, &ctx.loaded.contract, &ctx.loaded.calendar, t)
                .ok()
                .and_then(|e| e.resolution.deadline)
                .or(ev.resolution.deadline)
        } else {
            ev.resolution.deadline
        };
        let mut resolved = self.finish(reported_at, deadline, t, fast);
        plan.push((
            resolved,
            EventKind::Resolved {
                note: "Fejlen er rettet".into(),
            },
        ));
        if self.rng.u32(..100) < 3 {
            // A fault that stops the solution is tested and fixed again within hours.
            let (test, refix) = if fast {
                (30..4 * 60, 30..3 * 60)
            } else {
                (120..48 * 60, 120..72 * 60)
            };
            let rej = resolved + TimeDelta::minutes(self.rng.i64(test));
            plan.push((
                rej,
                EventKind::Rejected {
                    by: reporter.clone(),
                    reason: pick(&mut self.rng, REJECT_REASONS).to_string(),
                },
            ));
            resolved = rej + TimeDelta::minutes(self.rng.i64(refix));
            plan.push((
                resolved,
                EventKind::Resolved {
                    note: "Rettet igen; årsagen var en fejlkonfiguration".into(),
                },
            ));
        }
        // The municipality's written acceptance comes within days; a few take a week or two
        // (a resolution of the last days still awaits it).
        let wait = match self.rng.u32(..100) {
            0..=89 => self.rng.i64(60..3 * 24 * 60),
            90..=97 => self.rng.i64(3 * 24 * 60..8 * 24 * 60),
            _ => self.rng.i64(8 * 24 * 60..16 * 24 * 60),
        };
        let acc = resolved + TimeDelta::minutes(wait);
        let reference = format!(
            "mail {}",
            ctx.lang.date(ctx.loaded.calendar.local(acc).date())
        );
        plan.push((
            acc,
            EventKind::Accepted {
                by: reporter,
                reference,
            },
        ));

        ticket.category = category;
        self.record(id, &user, events, ticket, plan)
    }

    /// Appends the planned steps that the lifecycle accepts, up to now.
    fn record(
        &mut self,
        id: u64,
        user: &str,
        mut events: Vec<Event>,
        mut ticket: Ticket,
        plan: Vec<(DateTime<Utc>, EventKind)>,
    ) -> Vec<Event> {
        let now = self.ctx.now;
        for (at, kind) in plan {
            if at > now || ticket.check(&kind, at, now).is_err() {
                break;
            }
            let recorded = (at + TimeDelta::minutes(self.rng.i64(0..10))).min(now);
            let e = Event {
                ticket: id,
                seq: events.len() as u32,
                user: user.to_string(),
                recorded,
                effective: at,
                kind,
            };
            ticket.apply(&e);
            events.push(e);
        }
        events
    }
}

impl Iterator for Gen<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        while self.buf.is_empty() {
            let at = *self.times.get(self.next)?;
            let id = self.first_id + self.next as u64;
            self.next += 1;
            let evs = self.ticket(id, at);
            self.buf.extend(evs);
        }
        self.buf.pop_front()
    }
}

fn fail(ctx: &Ctx, e: StoreError) -> Failure {
    Failure {
        message: e.message(ctx.lang, &ctx.loaded.contract.tz),
        code: e.code(),
    }
}

pub fn run(
    ctx: &Ctx,
    store: &dyn Store,
    _user: &str,
    a: &DemoArgs,
    out: &mut impl Write,
) -> CmdResult {
    let l = ctx.lang;
    let started = std::time::Instant::now();
    let days = a.days.unwrap_or_else(|| default_days(a.tickets));
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(Failure::usage(format!(
            "--days {days}: {} 1–{MAX_DAYS}",
            l.t(
                "skal være et antal dage fra",
                "must be a number of days from"
            )
        )));
    }
    // The earliest ticket must lie in the years frist computes for, or it would break reports.
    let earliest = ctx.loaded.calendar.local(ctx.now).date() - TimeDelta::days(days.into());
    if earliest.year() < crate::time::INPUT_FIRST_YEAR {
        return Err(Failure::usage(format!(
            "--days {days}: {} {}; {} {}–{}",
            l.t("når tilbage til", "reaches back to"),
            l.date(earliest),
            l.t("frist beregner frister for", "frist computes deadlines for"),
            crate::time::INPUT_FIRST_YEAR,
            crate::time::INPUT_LAST_YEAR
        )));
    }
    let empty = store.is_empty().map_err(|e| fail(ctx, e))?;
    let bar = crate::progress::Progress::new(
        Some(a.tickets),
        l.t("laver demo-sager", "making demo tickets"),
        l,
    );
    // Counts the tickets as their reports go by.
    let counted = |e: &Event| {
        if matches!(e.kind, EventKind::Reported { .. }) {
            bar.inc(1);
        }
    };
    let events = if empty {
        let mut g = Gen::new(ctx, a.tickets, days, a.seed, 1).inspect(counted);
        store.import(&mut g).map_err(|e| fail(ctx, e))?
    } else if a.force {
        // Ticket by ticket through the ordinary API, so the ids follow the existing ones.
        let mut g = Gen::new(ctx, a.tickets, days, a.seed, 1).inspect(counted);
        let mut n = 0u64;
        let mut current: Option<Ticket> = None;
        let mut pending_report: Option<Event> = None;
        let flush_report =
            |rep: Option<Event>, cls: Option<EventKind>| -> Result<Option<Ticket>, Failure> {
                let Some(r) = rep else { return Ok(None) };
                store
                    .create(r.kind, cls, &r.user, r.recorded, r.effective)
                    .map(Some)
                    .map_err(|e| fail(ctx, e))
            };
        for ev in g.by_ref() {
            n += 1;
            match ev.kind {
                EventKind::Reported { .. } => {
                    if let Some(r) = pending_report.take() {
                        current = flush_report(Some(r), None)?;
                    }
                    pending_report = Some(ev);
                }
                EventKind::Classified { .. } if pending_report.is_some() => {
                    current = flush_report(pending_report.take(), Some(ev.kind))?;
                }
                kind => {
                    if let Some(r) = pending_report.take() {
                        current = flush_report(Some(r), None)?;
                    }
                    if let Some(t) = &current {
                        current = Some(
                            store
                                .append(t.id, kind, &ev.user, ev.recorded, ev.effective, ctx.now)
                                .map_err(|e| fail(ctx, e))?,
                        );
                    }
                }
            }
        }
        flush_report(pending_report.take(), None)?;
        n
    } else {
        return Err(Failure::usage(l.t(
            "databasen har allerede sager; brug --force for at tilføje demo-sager, eller en tom database med --db",
            "the database already has tickets; add --force to add demo tickets anyway, or give an empty database with --db",
        )));
    };
    writeln!(
        out,
        "{} {} ({}) {} {} s",
        crate::i18n::count(
            l,
            a.tickets as usize,
            ("demo-sag", "demo-sager"),
            ("demo ticket", "demo tickets")
        ),
        l.t("logget", "logged"),
        crate::i18n::count(
            l,
            events as usize,
            ("hændelse", "hændelser"),
            ("event", "events")
        ),
        l.t("på", "in"),
        crate::i18n::decimal(l, started.elapsed().as_secs_f64(), 1)
    )?;
    Ok(())
}
