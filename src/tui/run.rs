//! The terminal's lifecycle and the event loop: keys and a one-second tick become actions,
//! effects are carried out against the backend.

use super::action::Action;
use super::app::{update, App, Effect};
use super::keymap::{Key, Keymap};
use super::{views, Backend, Suggest};
use crate::cli::{CmdResult, Ctx, Failure};
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
pub fn load_keymap(spec: Option<&str>) -> Result<Keymap, Failure> {
    Keymap::load(spec, user_keymap_file().as_deref()).map_err(Failure::from)
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
            Effect::LoadEvents(id) => match backend.events(id) {
                Ok(evs) => app.set_events(id, evs),
                Err(m) => app.fail(m),
            },
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
                let name = super::format::event_label(&kind, app.lang);
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
                Err(e) => app.fail(format!("cannot write {path}: {e}")),
            },
        }
    }
    quit
}

/// Opens the TUI on the backend's tickets until the user quits. The clock starts at
/// `ctx.now` (so `--now` sets it) and runs on from there.
pub fn run(
    ctx: &Ctx,
    backend: &dyn Backend,
    suggest: &dyn Suggest,
    keymap: Keymap,
    user: &str,
) -> CmdResult {
    let started = Instant::now();
    let clock = |ctx: &Ctx| ctx.now + TimeDelta::from_std(started.elapsed()).unwrap_or_default();
    let tickets = backend.tickets().map_err(|m| Failure {
        message: m,
        code: 1,
    })?;
    let loaded = &ctx.loaded;
    let mut app = App::new(
        &loaded.contract,
        &loaded.calendar,
        ctx.lang,
        keymap,
        tickets,
        clock(ctx),
    );
    app.user = user.to_string();
    let mut terminal = ratatui::try_init().map_err(|e| Failure {
        message: format!("cannot open the terminal: {e}"),
        code: 1,
    })?;
    let result = (|| -> std::io::Result<()> {
        let size = terminal.size()?;
        app.resize(size.width, size.height);
        let tick = Duration::from_secs(1);
        let mut last_tick = Instant::now();
        loop {
            terminal.draw(|f| views::draw(f, &app))?;
            let timeout = tick.saturating_sub(last_tick.elapsed());
            if event::poll(timeout)? {
                match event::read()? {
                    TermEvent::Key(k) if k.kind != KeyEventKind::Release => {
                        let Some(key) = Key::from_event(&k) else {
                            continue;
                        };
                        let Some(action) = app.key(key) else { continue };
                        let now = clock(ctx);
                        let effects = update(&mut app, action, now);
                        if apply(&mut app, backend, suggest, effects, now) {
                            return Ok(());
                        }
                    }
                    TermEvent::Resize(w, h) => app.resize(w, h),
                    _ => {}
                }
            }
            if last_tick.elapsed() >= tick {
                last_tick = Instant::now();
                update(&mut app, Action::Tick, clock(ctx));
            }
        }
    })();
    ratatui::restore();
    result.map_err(|e| Failure {
        message: format!("terminal error: {e}"),
        code: 1,
    })
}
