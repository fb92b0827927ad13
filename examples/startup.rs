//! Measures what an agent waits for on a real log: the TUI's first frame, reading the board's
//! tickets, a redraw after a key and after a tick, and a month's report.
//!
//! `cargo run --release --example startup -- DB [--now "2026-11-23 12:00"] [--month 2026-10] [--all]`
//!
//! `--all` also reads every ticket (the *alle* filter) and times Brud's month steps over them.
//!
//! Make a big log first, e.g.
//! `frist --db /tmp/big/db --now "2026-11-23 12:00" demo --tickets 1000000`.

use chrono::{DateTime, Utc};
use frist::i18n::Lang;
use frist::store::LocalStore;
use frist::tui::store_backend::StoreBackend;
use frist::tui::{update, views, Action, App, Backend, Keymap};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::PathBuf;
use std::time::Instant;

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut db: Option<PathBuf> = None;
    let mut now = "2026-11-23 12:00".to_string();
    let mut month = "2026-10".to_string();
    let mut all = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--now" => now = args.next().ok_or("--now needs a time")?,
            "--month" => month = args.next().ok_or("--month needs YYYY-MM")?,
            "--all" => all = true,
            _ => db = Some(PathBuf::from(a)),
        }
    }
    let db = db.ok_or("give the database's path")?;
    let loaded = frist::load::contract("laasesystem")?;
    let now: DateTime<Utc> = frist::time::parse_time(&now, &loaded.contract.tz)?;
    let month = frist::report::parse_month(&month)?;
    let keymap = Keymap::load(Some("default"), None)?;
    let mut term = Terminal::new(TestBackend::new(120, 36))?;

    let start = Instant::now();
    let mut app = App::new(
        &loaded.contract,
        &loaded.calendar,
        Lang::Da,
        keymap,
        Vec::new(),
        now,
    );
    app.loading = true;
    app.resize(120, 36);
    term.draw(|f| views::draw(f, &app))?;
    println!(
        "first frame (header, tabs, 'reading the log'): {:.1} ms",
        ms(start)
    );

    let t = Instant::now();
    let store = LocalStore::open(&db)?;
    println!("the log opens: {:.0} ms", ms(t));
    let backend = StoreBackend {
        source: frist::tui::store_backend::Source::Held(&store),
        contract: &loaded.contract,
        calendar: &loaded.calendar,
        lang: Lang::Da,
        watch: None,
        mail: None,
    };
    // As the runner does: the tickets being worked on first, then the board on screen.
    let t = Instant::now();
    let working = backend.tickets(frist::tui::app::first_load())?;
    let n = working.len();
    println!("read {n} tickets being worked on: {:.1} ms", ms(t));
    let t = Instant::now();
    app.merge(working);
    println!("evaluate them and sort the board: {:.1} ms", ms(t));
    let t = Instant::now();
    term.draw(|f| views::draw(f, &app))?;
    println!("draw the board: {:.1} ms", ms(t));
    println!("BOARD ON SCREEN {:.0} ms after start", ms(start));

    // Then the rest the views start with (awaiting acceptance, this month's breaches).
    let t = Instant::now();
    let rest = backend.tickets(frist::tui::app::initial_load(&loaded.calendar, now))?;
    let n = rest.len();
    println!(
        "read {n} tickets (not closed + this month's breached): {:.0} ms",
        ms(t)
    );
    let t = Instant::now();
    app.merge(rest);
    app.loading = false;
    term.draw(|f| views::draw(f, &app))?;
    println!("evaluate, sort and draw them: {:.0} ms", ms(t));
    println!("every view complete {:.0} ms after start", ms(start));

    let t = Instant::now();
    let rounds = 100;
    for _ in 0..rounds {
        update(&mut app, Action::Down, now);
        term.draw(|f| views::draw(f, &app))?;
    }
    println!("key + redraw: {:.2} ms", ms(t) / f64::from(rounds));
    let t = Instant::now();
    for i in 0..rounds {
        update(
            &mut app,
            Action::Tick,
            now + chrono::TimeDelta::seconds(i64::from(i)),
        );
        term.draw(|f| views::draw(f, &app))?;
    }
    println!("tick + redraw: {:.2} ms", ms(t) / f64::from(rounds));

    let t = Instant::now();
    let r = backend.report(month, None, now)?;
    let count: u32 = r.categories.iter().map(|c| c.count).sum();
    println!(
        "report {}: {count} tickets counted, read and built in {:.0} ms",
        r.month,
        ms(t)
    );
    if all {
        let t = Instant::now();
        let every = backend.tickets(frist::store::Filter::All)?;
        let n = every.len();
        app.merge(every);
        println!(
            "read and merge all {n} tickets: {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        update(&mut app, Action::TabBreaches, now);
        term.draw(|f| views::draw(f, &app))?;
        println!("open Brud over them: {:.0} ms", ms(t));
        for step in 1..=3 {
            let t = Instant::now();
            update(&mut app, Action::PrevMonth, now);
            term.draw(|f| views::draw(f, &app))?;
            println!(
                "Brud, month back #{step} ({} breaches): {:.0} ms",
                app.breaches.list.len(),
                ms(t)
            );
        }
        let t = Instant::now();
        update(&mut app, Action::NextMonth, now);
        term.draw(|f| views::draw(f, &app))?;
        println!("Brud, a month already seen: {:.0} ms", ms(t));
    }
    drop(backend);
    store.close()?;
    Ok(())
}
