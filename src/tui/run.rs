//! The terminal's lifecycle and the event loop: keys and a one-second tick become actions,
//! effects are carried out against the backend.

use super::action::Action;
use super::app::{update, App, Effect};
use super::keymap::{Key, Keymap};
use super::{views, Backend, Suggest};
use crate::edge::{CmdResult, Ctx, Failure};
use chrono::{DateTime, TimeDelta, Utc};
use ratatui::crossterm::event::{self, Event as TermEvent, KeyEventKind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The user's keymap override: `keymap.toml` in the platform config directory
/// (e.g. `~/.config/frist/keymap.toml`).
pub fn user_keymap_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("dk", "frist", "frist")
        .map(|d| d.config_dir().join("keymap.toml"))
}

/// Loads `--keymap NAME|PATH` with the user's override file; a broken file is a usage error.
pub fn load_keymap(spec: Option<&str>, lang: crate::i18n::Lang) -> Result<Keymap, Failure> {
    Keymap::load(spec, user_keymap_file().as_deref()).map_err(|e| Failure::of(e, lang))
}

/// Carries out effects; returns whether to quit.
pub fn apply(
    app: &mut App,
    backend: &dyn Backend,
    suggest: &dyn Suggest,
    effects: Vec<Effect>,
    now: DateTime<Utc>,
) -> bool {
    let mut quit = false;
    for e in effects {
        match e {
            Effect::Quit => quit = true,
            Effect::LoadTickets(filter) => match backend.tickets(filter) {
                Ok(ts) => {
                    let n = ts.len();
                    app.merge(ts);
                    let l = app.lang;
                    app.info(format!(
                        "{} {}",
                        crate::i18n::count(l, n, ("sag", "sager"), ("ticket", "tickets")),
                        l.t("læst fra loggen", "read from the log")
                    ));
                }
                Err(m) => app.fail(m),
            },
            Effect::LoadInbox => app.inbox.set(backend.inbox()),
            Effect::LoadEvents(id) => {
                match backend.events(id) {
                    Ok(evs) => app.set_events(id, evs),
                    Err(m) => app.fail(m),
                }
                let municipality = app.row(id).map(|r| r.ticket.municipality.clone());
                if let Some(m) = municipality {
                    match backend.contacts(&m) {
                        Ok(cs) => app.set_contacts(id, cs),
                        Err(m) => app.fail(m),
                    }
                }
            }
            Effect::Suggest { title, description } => {
                app.set_suggestion(suggest.suggest(&title, &description))
            }
            Effect::Create(new) => match backend.create(&new, &app.user.clone(), now) {
                Ok(t) => {
                    let id = t.id;
                    app.upsert(t);
                    app.info(format!(
                        "{} {id} {}",
                        app.lang.t("Sag", "Ticket"),
                        app.lang.t("oprettet", "created")
                    ));
                }
                Err(m) => app.fail(m),
            },
            Effect::Append {
                id,
                kind,
                effective,
            } => {
                let name = kind.label(app.lang);
                match backend.append(id, kind, &app.user.clone(), effective, now) {
                    Ok(t) => {
                        app.upsert(t);
                        app.info(format!("{} {id}: {name}", app.lang.t("Sag", "Ticket")));
                        if app.detail.as_ref().is_some_and(|d| d.id == id) {
                            match backend.events(id) {
                                Ok(evs) => app.set_events(id, evs),
                                Err(m) => app.fail(m),
                            }
                        }
                    }
                    Err(m) => app.fail(m),
                }
            }
            Effect::LoadReport {
                month,
                municipality,
            } => {
                let r = backend.report(month, municipality.as_deref(), now);
                app.set_report(r);
            }
            Effect::Export { path, content } => match std::fs::write(&path, content) {
                Ok(()) => app.info(format!("{} {path}", app.lang.t("Skrev", "Wrote"))),
                Err(e) => app.fail(format!(
                    "{} {path}: {e}",
                    app.lang.t("Kunne ikke skrive", "Cannot write")
                )),
            },
        }
    }
    quit
}

/// Brings in what other people changed in a shared log: each changed ticket is read again
/// through this login's own rights and put on the board; the status line says who did what.
pub fn refresh(app: &mut App, backend: &dyn Backend) {
    let ids = match backend.changes() {
        Ok(ids) => ids,
        Err(m) => {
            if !app.offline {
                app.fail(m);
                app.offline = true;
            }
            return;
        }
    };
    if app.offline {
        app.offline = false;
        let l = app.lang;
        app.info(l.t(
            "forbindelsen til databasen er genoprettet",
            "the connection to the database is back",
        ));
        app.resync = true;
    }
    // What changed while nobody listened: read the tickets being worked on again (until the
    // read works).
    if app.resync {
        if let Ok(ts) = backend.tickets(super::app::first_load()) {
            app.resync = false;
            for t in ts {
                app.upsert(t);
            }
        }
    }
    for id in ids {
        let Ok(evs) = backend.events(id) else {
            continue;
        };
        let Some(t) = crate::ticket::fold(&evs) else {
            continue;
        };
        if let Some(last) = evs.last().filter(|e| e.user != app.user) {
            let l = app.lang;
            app.info(format!(
                "{} {id} {} {} {}",
                l.t("sag", "ticket"),
                last.kind.label(l),
                l.t("af", "by"),
                last.user
            ));
        }
        app.upsert(t);
        if app.detail.as_ref().is_some_and(|d| d.id == id) {
            app.set_events(id, evs);
        }
    }
}

/// The TUI until the user quits: the terminal and the app, opened before the log is read so
/// that the first frame does not wait for it (reading a million tickets' states takes a
/// moment). The board's clock is the wall clock, read on every tick, so it
/// neither lags behind a question asked before the screen opened nor stops over a laptop's
/// sleep. A `--now` start (for demos and tests) shifts that clock by a fixed offset: the board
/// starts at `--now` and runs on with the wall clock. Writes are recorded at the real clock
/// either way. The terminal is restored when the session ends, also on an error.
pub struct Session<'a> {
    app: App<'a>,
    terminal: Option<ratatui::DefaultTerminal>,
    /// `--now` minus the wall clock when the session started; zero without `--now`.
    offset: TimeDelta,
    /// SIGINT, SIGTERM and SIGHUP end the session like `q`, with the terminal restored.
    /// Dropped after the terminal is given back ([`Drop`] runs before the fields drop).
    signals: super::signals::Watch,
}

impl<'a> Session<'a> {
    /// Takes the terminal and draws the first frame: the header with the contract, the time
    /// and the service window, the tabs, and a board that says the log is being read.
    pub fn start(ctx: &'a Ctx, keymap: Keymap, user: &str) -> Result<Session<'a>, Failure> {
        let loaded = &ctx.loaded;
        let mut app = App::new(
            &loaded.contract,
            &loaded.calendar,
            ctx.lang,
            keymap,
            Vec::new(),
            ctx.now,
        );
        app.user = user.to_string();
        app.loading = true;
        let mut s = Session {
            app,
            terminal: None,
            offset: clock_offset(ctx, Utc::now()),
            signals: super::signals::Watch::start(),
        };
        s.resume()?;
        Ok(s)
    }

    /// What the logged-in person may do; a municipality starts on the resolutions awaiting
    /// its answer, with its own name as the municipality chosen (the log shows it nothing
    /// else, and its reports say whose they are).
    pub fn set_rights(&mut self, rights: super::app::Rights, own: Option<String>) {
        self.app.rights = rights;
        if own.is_some() {
            self.app.tab = super::app::Tab::Acceptance;
            self.app.municipality = own;
        }
    }

    /// The contract versions the log keeps: each ticket is computed with its own (domain §10).
    pub fn set_contracts(&mut self, contracts: crate::contracts::Contracts<'a>) {
        self.app.set_contracts(contracts);
    }

    fn now(&self) -> DateTime<Utc> {
        board_now(self.offset, Utc::now())
    }

    fn draw(&mut self) -> CmdResult {
        let app = &self.app;
        if let Some(t) = self.terminal.as_mut() {
            t.draw(|f| views::draw(f, app)).map_err(terminal_error)?;
        }
        Ok(())
    }

    /// Gives the terminal back (for a question asked on the plain terminal).
    pub fn suspend(&mut self) {
        if self.terminal.take().is_some() {
            ratatui::restore();
        }
    }

    /// Takes the terminal (again) and draws.
    pub fn resume(&mut self) -> CmdResult {
        if self.terminal.is_none() {
            let t = ratatui::try_init().map_err(|e| Failure {
                message: format!("cannot open the terminal: {e}"),
                code: 1,
            })?;
            let size = t.size().map_err(terminal_error)?;
            self.app.resize(size.width, size.height);
            self.terminal = Some(t);
        }
        self.draw()
    }

    /// Reads the tickets being worked on ([`super::app::first_load`]) and draws the board with
    /// them, then the rest the views start with ([`super::app::initial_load`]: the tickets
    /// awaiting acceptance, this month's breaches) and draws again.
    pub fn load(&mut self, backend: &dyn Backend) -> CmdResult {
        let failed = |m| Failure {
            message: m,
            code: 1,
        };
        self.app.now = self.now();
        let working = backend.tickets(super::app::first_load()).map_err(failed)?;
        self.app.merge(working);
        let l = self.app.lang;
        self.app.info(l.t(
            "Læser sagerne der afventer kommunen …",
            "Reading the tickets awaiting the municipality …",
        ));
        self.draw()?;
        self.app.now = self.now();
        let rest = backend
            .tickets(super::app::initial_load(self.app.cal, self.app.now))
            .map_err(failed)?;
        self.app.merge(rest);
        // The Indbakke's count in the tab line tells the desk that answers wait (a failed
        // read is said in the tab itself).
        self.app.inbox.set(backend.inbox());
        backend.release();
        self.app.loading = false;
        self.app.status = None;
        self.draw()
    }

    /// The event loop until the user quits.
    pub fn run(mut self, backend: &dyn Backend, suggest: &dyn Suggest) -> CmdResult {
        self.resume()?;
        let tick = Duration::from_secs(1);
        let mut last_tick = Instant::now();
        loop {
            self.signalled()?;
            self.draw()?;
            // Wake at least four times a second to bring in other people's changes (and to
            // see a signal).
            let timeout = tick
                .saturating_sub(last_tick.elapsed())
                .min(Duration::from_millis(250));
            let ready = event::poll(timeout);
            // A signal may interrupt the wait: it, not the interruption, is the news.
            self.signalled()?;
            if ready.map_err(terminal_error)? {
                match event::read().map_err(terminal_error)? {
                    TermEvent::Key(k) if k.kind != KeyEventKind::Release => {
                        let Some(key) = Key::from_event(&k) else {
                            continue;
                        };
                        let Some(action) = self.app.key(key) else {
                            continue;
                        };
                        let now = self.now();
                        let effects = update(&mut self.app, action, now);
                        if effects.iter().any(|e| matches!(e, Effect::LoadTickets(_))) {
                            // Reading all tickets of a big log takes seconds: say so first.
                            let l = self.app.lang;
                            self.app.info(
                                l.t("Læser sager fra loggen …", "Reading tickets from the log …")
                                    .to_string(),
                            );
                            self.draw()?;
                        }
                        if apply(&mut self.app, backend, suggest, effects, now) {
                            backend.release();
                            return Ok(());
                        }
                    }
                    TermEvent::Resize(w, h) => self.app.resize(w, h),
                    _ => {}
                }
            }
            refresh(&mut self.app, backend);
            if last_tick.elapsed() >= tick {
                last_tick = Instant::now();
                let now = self.now();
                update(&mut self.app, Action::Tick, now);
            }
            // Nobody waits for the log while the board waits for keys.
            backend.release();
        }
    }
}

/// The offset of the board's clock from the wall clock: `--now` minus the wall clock at the
/// start when `--now` was given, else zero (the board shows the real time).
pub fn clock_offset(ctx: &Ctx, wall: DateTime<Utc>) -> TimeDelta {
    if ctx.fixed {
        ctx.now - wall
    } else {
        TimeDelta::zero()
    }
}

/// The board's clock at the wall-clock instant `wall`.
pub fn board_now(offset: TimeDelta, wall: DateTime<Utc>) -> DateTime<Utc> {
    wall + offset
}

impl Session<'_> {
    /// Ends the session when a termination signal came: the caller restores the terminal
    /// (by dropping the session) and closes the log; the exit code is 128 + the signal.
    fn signalled(&self) -> CmdResult {
        match self.signals.received() {
            None => Ok(()),
            Some(sig) => Err(Failure {
                message: format!(
                    "{} {}",
                    self.app.lang.t("afbrudt af", "interrupted by"),
                    super::signals::name(sig)
                ),
                code: 128 + sig,
            }),
        }
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        self.suspend();
    }
}

fn terminal_error(e: std::io::Error) -> Failure {
    Failure {
        message: format!("terminal error: {e}"),
        code: 1,
    }
}
