//! Speed of the TUI with 100 000 open tickets: building the app (every open ticket evaluated
//! once, the first frame's cost) and one update + draw of the board after a key or a tick.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use frist::i18n::Lang;
use frist::ticket::{self, ClassifiedBy, Event, EventKind, Ticket};
use frist::tui::{update, views, Action, App, Keymap};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;

const CATEGORIES: &[&str] = &[
    "kritisk",
    "systemfejl",
    "laaseenhed",
    "systemteknisk",
    "driftsmaessig",
    "montering",
    "batteriskift",
    "fejlfinding",
];

fn now() -> DateTime<Utc> {
    chrono_tz::Europe::Copenhagen
        .with_ymd_and_hms(2025, 3, 4, 10, 0, 0)
        .earliest()
        .expect("valid")
        .with_timezone(&Utc)
}

/// `n` open tickets reported over the ten days before now.
fn tickets(n: u64) -> Vec<Ticket> {
    (1..=n)
        .map(|id| {
            let reported = now() - TimeDelta::minutes((id * 7919 % (10 * 24 * 60)) as i64);
            let category = CATEGORIES[(id % CATEGORIES.len() as u64) as usize];
            let ev = |seq, kind| Event {
                ticket: id,
                seq,
                user: "bench".into(),
                recorded: reported,
                effective: reported,
                kind,
            };
            let events = vec![
                ev(
                    0,
                    EventKind::Reported {
                        municipality: format!("Kommune {}", id % 98),
                        reporter: String::new(),
                        title: format!("Sag nummer {id}"),
                        description: String::new(),
                        category: category.into(),
                        contract: "laasesystem".into(),
                    },
                ),
                ev(
                    1,
                    EventKind::Classified {
                        category: category.into(),
                        by: ClassifiedBy::Agent,
                        confidence: None,
                        reasons: Vec::new(),
                    },
                ),
            ];
            ticket::fold(&events).expect("reported first")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let loaded = frist::load::contract("laasesystem").expect("built-in");
    let ts = tickets(100_000);
    let mut g = c.benchmark_group("tui");
    g.sample_size(10);
    g.bench_function("app_new_100k_open", |b| {
        b.iter(|| {
            let app = App::new(
                &loaded.contract,
                &loaded.calendar,
                Lang::Da,
                Keymap::default_keymap(),
                black_box(ts.clone()),
                now(),
            );
            black_box(app.board.len())
        })
    });
    g.finish();

    let mut app = App::new(
        &loaded.contract,
        &loaded.calendar,
        Lang::Da,
        Keymap::default_keymap(),
        ts,
        now(),
    );
    app.resize(120, 40);
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut g = c.benchmark_group("tui");
    let mut t = now();
    g.bench_function("tick_and_draw_100k_open", |b| {
        b.iter(|| {
            t += TimeDelta::seconds(1);
            update(&mut app, Action::Tick, t);
            term.draw(|f| views::draw(f, &app)).expect("draw");
        })
    });
    let mut down = true;
    g.bench_function("key_and_draw_100k_open", |b| {
        b.iter(|| {
            down = !down;
            let a = if down { Action::Down } else { Action::Up };
            update(&mut app, a, t);
            term.draw(|f| views::draw(f, &app)).expect("draw");
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
