//! The TUI without a terminal: pure `App` state and `update`, drawn into a `TestBackend` at a
//! frozen `now`, over tickets folded from hand-written events.

use chrono::{DateTime, TimeZone, Utc};
use frist::i18n::Lang;
use frist::load::{self, Loaded};
use frist::ticket::{self, ClassifiedBy, Event, EventKind, Ticket};
use frist::tui::app::{App, Effect, Filter, Tab};
use frist::tui::keymap::{Code, Key};
use frist::tui::{update, views, Action, Keymap, KeywordSuggest, Suggest};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Copenhagen
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .expect("valid local time")
        .with_timezone(&Utc)
}

fn now() -> DateTime<Utc> {
    at(2025, 3, 4, 10, 0)
}

struct Log {
    id: u64,
    events: Vec<Event>,
}

impl Log {
    fn new(id: u64, muni: &str, title: &str, category: &str, reported: DateTime<Utc>) -> Log {
        let mut l = Log {
            id,
            events: Vec::new(),
        };
        l.push(
            reported,
            EventKind::Reported {
                municipality: muni.into(),
                reporter: "IT-support".into(),
                title: title.into(),
                description: String::new(),
                category: category.into(),
                contract: "laasesystem".into(),
            },
        );
        l.push(
            reported,
            EventKind::Classified {
                category: category.into(),
                by: ClassifiedBy::Agent,
                confidence: None,
                reasons: Vec::new(),
            },
        );
        l
    }

    fn push(&mut self, t: DateTime<Utc>, kind: EventKind) -> &mut Log {
        self.events.push(Event {
            ticket: self.id,
            seq: self.events.len() as u32,
            user: "mette".into(),
            recorded: t,
            effective: t,
            kind,
        });
        self
    }
}

/// Nine tickets on Tuesday 4 March 2025 at 10:00: at risk, running, paused, breached, fined,
/// awaiting acceptance, closed, rejected and reopened.
fn logs() -> Vec<Log> {
    let mut v = vec![
        Log::new(
            1,
            "Aarhus",
            "Ingen kan åbne låse i hjemmeplejen",
            "kritisk",
            at(2025, 3, 4, 7, 30),
        ),
        Log::new(
            2,
            "Odense",
            "Rapporter er meget langsomme",
            "systemfejl",
            at(2025, 3, 4, 9, 0),
        ),
        Log::new(
            3,
            "Vejle",
            "Låseenhed på Kirkevej 4 svarer ikke",
            "laaseenhed",
            at(2025, 3, 3, 15, 0),
        ),
        Log::new(
            4,
            "Aalborg",
            "Hvordan opretter vi en ny gruppe?",
            "driftsmaessig",
            at(2025, 3, 3, 8, 0),
        ),
        Log::new(
            5,
            "Kolding",
            "Hele løsningen er nede",
            "kritisk",
            at(2025, 3, 2, 22, 0),
        ),
        Log::new(
            6,
            "Aarhus",
            "Batteriskift på 12 enheder i Viby",
            "batteriskift",
            at(2025, 3, 3, 9, 0),
        ),
        Log::new(
            7,
            "Odense",
            "Montering af låseenhed, Østergade 2",
            "montering",
            at(2025, 2, 24, 10, 0),
        ),
        Log::new(
            8,
            "Herning",
            "Integration til vagtplan fejler",
            "systemfejl",
            at(2025, 3, 3, 8, 0),
        ),
        Log::new(
            9,
            "København",
            "Afmontering i Valby",
            "afmontering",
            at(2025, 2, 27, 9, 0),
        ),
    ];
    v[1].push(
        at(2025, 3, 4, 9, 20),
        EventKind::Reacted {
            note: "Ringet op".into(),
        },
    );
    v[2].push(
        at(2025, 3, 3, 16, 0),
        EventKind::Paused {
            reason: "Venter på adgang til bygningen".into(),
        },
    );
    v[5].push(
        at(2025, 3, 3, 10, 0),
        EventKind::Reacted {
            note: String::new(),
        },
    )
    .push(
        at(2025, 3, 4, 8, 0),
        EventKind::Resolved {
            note: "Batterier skiftet".into(),
        },
    );
    v[6].push(
        at(2025, 2, 26, 12, 0),
        EventKind::Resolved {
            note: "Monteret".into(),
        },
    )
    .push(
        at(2025, 2, 27, 9, 0),
        EventKind::Accepted {
            by: "Mette Lund".into(),
            reference: "mail 27.02".into(),
        },
    );
    v[7].push(
        at(2025, 3, 3, 8, 30),
        EventKind::Reacted {
            note: "Fejlen er fundet".into(),
        },
    )
    .push(
        at(2025, 3, 3, 13, 0),
        EventKind::Resolved {
            note: "Ny version".into(),
        },
    )
    .push(
        at(2025, 3, 3, 14, 0),
        EventKind::Rejected {
            by: "Bo Nielsen".into(),
            reason: "Fejler stadig om natten".into(),
        },
    )
    .push(
        at(2025, 3, 4, 9, 0),
        EventKind::Note {
            text: "Logs bedt om".into(),
        },
    );
    v[8].push(
        at(2025, 3, 3, 11, 0),
        EventKind::Resolved {
            note: String::new(),
        },
    );
    v
}

fn tickets() -> Vec<Ticket> {
    logs()
        .iter()
        .map(|l| ticket::fold(&l.events).expect("reported first"))
        .collect()
}

fn loaded() -> Loaded {
    load::contract("laasesystem").expect("built-in contract")
}

fn app<'a>(l: &'a Loaded, lang: Lang) -> App<'a> {
    let mut a = App::new(
        &l.contract,
        &l.calendar,
        lang,
        Keymap::default_keymap(),
        tickets(),
        now(),
    );
    a.user = "mette".into();
    a.resize(120, 40);
    a
}

fn draw(app: &mut App, w: u16, h: u16) -> String {
    app.resize(w, h);
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| views::draw(f, app)).expect("draw");
    t.backend().to_string()
}

/// Applies actions; carries out the effects that read (events, suggestions) and returns the
/// effects that write.
fn press(app: &mut App, l: &Loaded, actions: &[Action]) -> Vec<Effect> {
    let mut writes = Vec::new();
    for a in actions {
        for e in update(app, *a, now()) {
            match e {
                Effect::LoadEvents(id) => {
                    let evs = logs()
                        .into_iter()
                        .find(|x| x.id == id)
                        .map(|x| x.events)
                        .unwrap_or_default();
                    app.set_events(id, evs);
                }
                Effect::Suggest { title, description } => {
                    let s = KeywordSuggest {
                        contract: &l.contract,
                    }
                    .suggest(&title, &description);
                    app.set_suggestion(s);
                }
                other => writes.push(other),
            }
        }
    }
    writes
}

fn typed(s: &str) -> Vec<Action> {
    s.chars().map(Action::Input).collect()
}

fn select(app: &mut App, l: &Loaded, id: u64) {
    let pos = app
        .board
        .iter()
        .position(|i| app.rows[*i].ticket.id == id)
        .expect("on the board");
    press(app, l, &[Action::Top]);
    press(app, l, &vec![Action::Down; pos]);
    assert_eq!(app.current(), Some(id));
}

#[test]
fn board_120x40() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    insta::assert_snapshot!(draw(&mut a, 120, 40));
}

#[test]
fn board_80x24() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    let screen = draw(&mut a, 80, 24);
    // The header gives up the date and part of the contract's name, not the service window
    // or the staffing.
    let head = screen.lines().next().unwrap_or_default();
    assert!(head.contains("dagtimer til 16:15"), "{head}");
    assert!(head.contains("vagten er bemandet"), "{head}");
    insta::assert_snapshot!(screen);
}

#[test]
fn board_english_all_tickets() {
    let l = loaded();
    let mut a = app(&l, Lang::En);
    press(&mut a, &l, &[Action::Filter]);
    assert_eq!(a.filter, Filter::All);
    insta::assert_snapshot!(draw(&mut a, 120, 40));
}

#[test]
fn detail_shows_rejection_and_reopening() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    select(&mut a, &l, 8);
    press(&mut a, &l, &[Action::Confirm]);
    let screen = draw(&mut a, 120, 40);
    assert!(screen.contains("afvist af Bo Nielsen"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn detail_shows_the_municipalitys_contacts() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    select(&mut a, &l, 8);
    press(&mut a, &l, &[Action::Confirm]);
    let contact = |name: &str, email: &str, phone: &str| frist::contact::Contact {
        municipality: "Herning".into(),
        name: name.into(),
        email: email.into(),
        phone: phone.into(),
        added: now(),
        added_by: "mette".into(),
    };
    a.set_contacts(
        8,
        vec![
            contact("Lone Berg", "lone@herning.dk", "96 28 28 28"),
            // A name typed with a terminal escape is shown escaped, never run.
            contact("Ib\x1b[2J Holm", "ib@herning.dk", ""),
        ],
    );
    let screen = draw(&mut a, 120, 40);
    assert!(
        screen.contains("Kontakt: Lone Berg <lone@herning.dk>, 96 28 28 28 · Ib"),
        "{screen}"
    );
    assert!(screen.contains("Holm <ib@herning.dk>"), "{screen}");
    // Another ticket's contacts do not land on this one.
    a.set_contacts(7, vec![contact("Anden", "a@b.dk", "")]);
    assert!(!draw(&mut a, 120, 40).contains("Anden"));
}

#[test]
fn indbakke_shows_the_answer_suggests_a_verdict_and_records_it_in_one_key() {
    use frist::tui::inbox::InboxMail;
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    let mail = |ticket: u64, by: &str, text: &str, verified: bool| InboxMail {
        ticket,
        municipality: "Herning".into(),
        title: "Integration til vagtplan fejler".into(),
        message_id: format!("m{ticket}@herning.dk"),
        by: by.into(),
        subject: format!("SV: [frist #{ticket}] Løst"),
        text: text.into(),
        judgement: frist::mail::verdict::judge(text),
        verified,
        reference: format!("mail <m{ticket}@herning.dk> sha256:ab12"),
        arrived: now() - chrono::TimeDelta::hours(2),
    };
    press(&mut a, &l, &[Action::TabInbox]);
    assert_eq!(a.tab, frist::tui::app::Tab::Inbox);
    a.inbox.set(Ok(vec![
        mail(
            8,
            "Lone Berg <lone@herning.dk>",
            "Accepteret, men fejlen er der stadig i vagtplanen.",
            true,
        ),
        mail(9, "Mallory <m@evil.dk>", "Accepteret\x1b[2J", false),
    ]));
    let screen = draw(&mut a, 120, 30);
    assert!(screen.contains("5 Indbakke (2)"), "{screen}");
    assert!(screen.contains("uklart: læs mailen"), "{screen}");
    assert!(
        screen.contains("fejlen er der stadig i vagtplanen"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
    // One key: the rejection with the mail as the written reference.
    let effects = update(&mut a, Action::Reject, now());
    match &effects[0] {
        Effect::Append {
            id: 8,
            kind: frist::ticket::EventKind::Rejected { by, reason },
            ..
        } => {
            assert_eq!(by, "Lone Berg <lone@herning.dk>");
            assert!(
                reason.contains("mail <m8@herning.dk> sha256:ab12"),
                "{reason}"
            );
        }
        e => panic!("{e:?}"),
    }
    assert!(matches!(effects[1], Effect::LoadInbox));
    // A stranger's mail is shown escaped and cannot close the ticket.
    press(&mut a, &l, &[Action::Down]);
    let screen = draw(&mut a, 120, 30);
    assert!(screen.contains("Accepteret\\x1b[2J"), "{screen}");
    assert!(update(&mut a, Action::Accept, now()).is_empty());
    assert!(a
        .status
        .as_ref()
        .is_some_and(|(m, err)| *err && m.contains("ikke kontaktperson")));
}

#[test]
fn detail_of_a_fined_ticket_80x24() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    select(&mut a, &l, 5);
    press(&mut a, &l, &[Action::Confirm]);
    insta::assert_snapshot!(draw(&mut a, 80, 24));
}

/// Ticket 1 with a long title and a description of several sentences.
fn with_long_description() -> Vec<Ticket> {
    let mut v = tickets();
    v[0].title = "Ingen i hjemmeplejen kan åbne låse hos borgerne i Viby og Højbjerg".into();
    v[0].description = "Siden i morges kan ingen af medarbejderne i hjemmeplejen åbne \
        borgernes døre med appen; de får en fejl om at nøglen er udløbet. De må ringe til \
        vagten for hver dør. Vi har genstartet telefonerne uden at det hjalp, og \
        aftenvagten møder kl. 15."
        .into();
    v
}

#[test]
fn detail_shows_the_whole_description_at_80x24() {
    let l = loaded();
    let mut a = App::new(
        &l.contract,
        &l.calendar,
        Lang::Da,
        Keymap::default_keymap(),
        with_long_description(),
        now(),
    );
    select(&mut a, &l, 1);
    press(&mut a, &l, &[Action::Confirm]);
    let screen = draw(&mut a, 80, 24);
    insta::assert_snapshot!(screen);
}

#[test]
fn detail_shows_every_word_of_the_description_at_any_width_from_40() {
    let l = loaded();
    let tickets = with_long_description();
    let description = tickets[0].description.clone();
    let mut a = App::new(
        &l.contract,
        &l.calendar,
        Lang::Da,
        Keymap::default_keymap(),
        tickets,
        now(),
    );
    select(&mut a, &l, 1);
    press(&mut a, &l, &[Action::Confirm]);
    for w in 40..=130 {
        let screen = draw(&mut a, w, 24);
        // Every word of the description is on screen, in order (the backend quotes each line).
        let words: Vec<&str> = screen
            .lines()
            .flat_map(|l| l.trim_matches('"').split_whitespace())
            .collect();
        let want: Vec<&str> = description.split_whitespace().collect();
        let first = words
            .iter()
            .position(|x| *x == "Beskrivelse:")
            .unwrap_or_else(|| panic!("{w}: no description\n{screen}"));
        assert_eq!(
            &words[first + 1..first + 1 + want.len()],
            &want[..],
            "{w} columns:\n{screen}"
        );
    }
}

#[test]
fn new_ticket_form_with_suggestion() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    press(&mut a, &l, &[Action::NewTicket]);
    press(&mut a, &l, &typed("aar"));
    let with_completion = draw(&mut a, 120, 40);
    assert!(
        with_completion.contains("Tab → Aarhus"),
        "{with_completion}"
    );
    press(&mut a, &l, &[Action::NextField]);
    press(&mut a, &l, &typed("Jens Holm"));
    press(&mut a, &l, &[Action::NextField]);
    press(&mut a, &l, &typed("Systemet er nede"));
    press(&mut a, &l, &[Action::NextField]);
    press(&mut a, &l, &typed("ingen kan logge ind"));
    insta::assert_snapshot!(draw(&mut a, 120, 40));
}

#[test]
fn acceptance_queue_groups_by_municipality() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    press(&mut a, &l, &[Action::TabAcceptance]);
    insta::assert_snapshot!(draw(&mut a, 120, 40));
}

#[test]
fn breaches_of_the_month() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    press(&mut a, &l, &[Action::TabBreaches]);
    assert_eq!(a.tab, Tab::Breaches);
    insta::assert_snapshot!(draw(&mut a, 120, 40));
}

/// The fixture and three tickets whose deadlines fell in February: a critical fault still
/// open (its dagsbod accrues in March), a question of ten working days still open, and a
/// fault fixed late in February and closed (settled: not listed in March).
fn with_february_breaches() -> Vec<Ticket> {
    let mut extra = [
        Log::new(
            10,
            "Kolding",
            "Ingen kan åbne døre på Solhaven",
            "kritisk",
            at(2025, 2, 26, 10, 0),
        ),
        Log::new(
            11,
            "Vejle",
            "Hvordan flytter vi en bruger til en anden gruppe?",
            "systemteknisk",
            at(2025, 2, 3, 9, 0),
        ),
        Log::new(
            12,
            "Odense",
            "Rapportmodulet svarer ikke",
            "systemfejl",
            at(2025, 2, 10, 9, 0),
        ),
    ];
    extra[2]
        .push(
            at(2025, 2, 10, 9, 30),
            EventKind::Reacted {
                note: String::new(),
            },
        )
        .push(
            at(2025, 2, 11, 9, 0),
            EventKind::Resolved {
                note: "Genstartet".into(),
            },
        )
        .push(
            at(2025, 2, 12, 9, 0),
            EventKind::Accepted {
                by: "Per".into(),
                reference: "mail".into(),
            },
        );
    let mut v = tickets();
    v.extend(
        extra
            .iter()
            .map(|l| ticket::fold(&l.events).expect("reported first")),
    );
    v
}

#[test]
fn breaches_show_overruns_in_their_own_clock_and_fines_from_earlier_deadlines() {
    let l = loaded();
    let mut a = App::new(
        &l.contract,
        &l.calendar,
        Lang::Da,
        Keymap::default_keymap(),
        with_february_breaches(),
        now(),
    );
    press(&mut a, &l, &[Action::TabBreaches]);
    let screen = draw(&mut a, 120, 40);
    // The working-days question is 13 working days past its deadline in window time, not
    // "4d 9t" of 24-hour days; the title is there.
    let row = |id: &str| {
        screen
            .lines()
            .find(|x| x.trim_start_matches('"').trim_start().starts_with(id))
            .unwrap_or_else(|| panic!("no row {id}:\n{screen}"))
            .to_string()
    };
    let q = row("11 ");
    assert!(q.contains("arbejdsdage"), "{q}");
    assert!(q.contains("Hvordan flytter vi"), "{q}");
    // A continuous target's overrun is wall time.
    let critical = row("10 ");
    assert!(critical.contains("5d 19t"), "{critical}");
    assert!(screen.contains("fra tidligere frister"), "{screen}");
    assert!(critical.contains("40.000 kr."), "{critical}");
    // The settled February fault is not listed in March.
    assert!(!screen.contains("Rapportmodulet"), "{screen}");
    // The dagsbod of tickets not closed agrees with the footer.
    assert_eq!(a.breaches.not_closed_total, a.totals.dagsbod);
    let footer = screen
        .lines()
        .find(|x| x.contains("påløbet dagsbod"))
        .unwrap_or_default()
        .to_string();
    let want = frist::i18n::kroner(a.totals.dagsbod);
    assert!(footer.contains(&want), "{footer}");
    assert!(
        screen.contains(&format!(
            "Påløbet på sager, der ikke er lukket: {want} (som i bunden)"
        )),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn breaches_80x24_english() {
    let l = loaded();
    let mut a = app(&l, Lang::En);
    press(&mut a, &l, &[Action::TabBreaches]);
    insta::assert_snapshot!(draw(&mut a, 80, 24));
}

#[test]
fn help_is_generated_from_the_keymap() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    a.keymap = Keymap::builtin("vim").unwrap();
    press(&mut a, &l, &[Action::Help]);
    let screen = draw(&mut a, 120, 40);
    assert!(screen.contains("g g"), "{screen}");
    insta::assert_snapshot!(screen);
}

/// The screen's text inside the overlay, one line of words: borders and runs of spaces gone.
fn words_of(screen: &str) -> String {
    screen
        .lines()
        .map(|line| line.replace(['│', '"'], " "))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn help_shows_every_description_whole_and_no_internal_names() {
    let l = loaded();
    for keymap in ["default", "vim"] {
        let mut a = app(&l, Lang::Da);
        a.keymap = Keymap::builtin(keymap).unwrap();
        press(&mut a, &l, &[Action::Help]);
        // At 80 and 50 columns: the long descriptions wrap instead of being cut.
        for width in [80, 50] {
            let screen = draw(&mut a, width, 60);
            let text = words_of(&screen);
            for b in a.keymap.bindings.iter().filter(|b| !b.keys.is_empty()) {
                let desc = b.desc(Lang::Da).split_whitespace().collect::<Vec<_>>();
                assert!(
                    text.contains(&desc.join(" ")),
                    "{keymap}: {:?} cut:\n{screen}",
                    b.desc(Lang::Da)
                );
                let id = b.action.name();
                assert!(
                    !id.contains('-') || !screen.contains(&id),
                    "{keymap}: shows {id}:\n{screen}"
                );
            }
        }
    }
    // 80×24: the overlay stays inside the terminal and scrolls to the last binding.
    let mut a = app(&l, Lang::Da);
    press(&mut a, &l, &[Action::Help]);
    let screen = draw(&mut a, 80, 24);
    assert!(screen.contains("ruller"), "{screen}");
    assert!(!screen.contains("Afslut"), "{screen}");
    press(&mut a, &l, &[Action::PageDown; 5]);
    let screen = draw(&mut a, 80, 24);
    assert!(screen.contains("Afslut"), "{screen}");
    insta::assert_snapshot!(screen);
    // Back up at once, whatever was pressed past the end.
    press(&mut a, &l, &[Action::Top]);
    assert!(draw(&mut a, 80, 24).contains("Op"));
    // A tiny terminal: nothing panics.
    draw(&mut a, 30, 8);
}

#[test]
fn a_step_form_shows_the_engines_refusal_as_you_type() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    press(&mut a, &l, &[Action::TabAcceptance]);
    assert_eq!(a.current(), Some(6));
    press(&mut a, &l, &[Action::Accept]);
    press(&mut a, &l, &typed("Jens"));
    let screen = draw(&mut a, 120, 40);
    assert!(
        screen.contains("kommunens accept skal være skriftlig"),
        "{screen}"
    );
    // The form names its fields, never the command line's flags.
    assert!(
        !screen.contains("--by") && !screen.contains("--ref"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
    // Enter is refused until the reference is there.
    assert!(press(&mut a, &l, &[Action::Confirm]).is_empty());
    press(&mut a, &l, &[Action::NextField]);
    press(&mut a, &l, &typed("mail 04.03"));
    let fx = press(&mut a, &l, &[Action::Confirm]);
    assert_eq!(
        fx,
        vec![Effect::Append {
            id: 6,
            kind: EventKind::Accepted {
                by: "Jens".into(),
                reference: "mail 04.03".into()
            },
            effective: now(),
        }]
    );
}

#[test]
fn react_on_the_selected_open_ticket_appends_a_reaction() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    select(&mut a, &l, 1);
    press(&mut a, &l, &[Action::React]);
    press(&mut a, &l, &typed("Ringet til Jens"));
    press(&mut a, &l, &[Action::NextField]);
    press(&mut a, &l, &typed("09:45"));
    let fx = press(&mut a, &l, &[Action::Confirm]);
    assert_eq!(
        fx,
        vec![Effect::Append {
            id: 1,
            kind: EventKind::Reacted {
                note: "Ringet til Jens".into()
            },
            effective: at(2025, 3, 4, 9, 45),
        }]
    );
    assert!(a.form.is_none());
}

#[test]
fn a_refused_step_shows_the_engines_message() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    select(&mut a, &l, 2); // already reacted
    press(&mut a, &l, &[Action::React]);
    assert!(a.form.is_none());
    let (msg, err) = a.status.clone().expect("a message");
    assert!(err);
    assert!(
        msg.contains("sag 2 er reageret: reaktionen er allerede registreret"),
        "{msg}"
    );
    let screen = draw(&mut a, 120, 40);
    assert!(
        screen.contains("reaktionen er allerede registreret"),
        "{screen}"
    );
    // In English, the engine's English.
    let mut a = app(&l, Lang::En);
    select(&mut a, &l, 2);
    press(&mut a, &l, &[Action::React]);
    let (msg, _) = a.status.clone().expect("a message");
    assert!(
        msg.contains("ticket 2 is reacted: the reaction was already recorded"),
        "{msg}"
    );
}

#[test]
fn a_time_in_the_future_is_refused_in_the_form() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    select(&mut a, &l, 1);
    press(&mut a, &l, &[Action::Resolve, Action::NextField]);
    press(&mut a, &l, &typed("11:00"));
    let check = a.form.as_ref().unwrap().check.clone();
    let refused = check.unwrap_err();
    // In the contract's time, as the agent typed it.
    assert!(
        refused.contains("tidspunktet tir 04.03.2025 11:00 ligger i fremtiden"),
        "{refused}"
    );
    assert!(press(&mut a, &l, &[Action::Confirm]).is_empty());
}

#[test]
fn keys_go_to_the_text_field_while_typing() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    let mut fx = Vec::new();
    for k in [Key::char('n'), Key::char('q'), Key::char('?')] {
        if let Some(action) = a.key(k) {
            fx.extend(update(&mut a, action, now()));
        }
    }
    assert!(!fx.contains(&Effect::Quit));
    assert_eq!(a.new.as_ref().unwrap().fields[0].value, "q?");
    // Esc leaves the form, then q quits.
    let esc = a.key(Key::plain(Code::Esc)).unwrap();
    update(&mut a, esc, now());
    assert!(a.new.is_none());
    let q = a.key(Key::char('q')).unwrap();
    assert_eq!(update(&mut a, q, now()), vec![Effect::Quit]);
}

#[test]
fn vim_g_g_goes_to_the_top_and_g_to_the_bottom() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    a.keymap = Keymap::builtin("vim").unwrap();
    let run = |a: &mut App, keys: &[Key]| {
        for k in keys {
            if let Some(action) = a.key(*k) {
                update(a, action, now());
            }
        }
    };
    run(&mut a, &[Key::char('G')]);
    assert_eq!(a.selected, a.board.len() - 1);
    run(&mut a, &[Key::char('k'), Key::char('g')]);
    assert_eq!(a.selected, a.board.len() - 2, "g alone waits");
    run(&mut a, &[Key::char('g')]);
    assert_eq!(a.selected, 0);
}

#[test]
fn the_board_sorts_by_nearest_running_deadline_and_filters() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    let ids: Vec<u64> = a.board.iter().map(|i| a.rows[*i].ticket.id).collect();
    // Open tickets only; the breached and at-risk ones first.
    assert_eq!(ids, vec![5, 8, 4, 1, 2, 3]);
    press(&mut a, &l, &[Action::Search]);
    press(&mut a, &l, &typed("aarhus"));
    let ids: Vec<u64> = a.board.iter().map(|i| a.rows[*i].ticket.id).collect();
    assert_eq!(ids, vec![1]);
    press(&mut a, &l, &[Action::Back]);
    assert_eq!(a.board.len(), 6);
    press(&mut a, &l, &[Action::FilterMunicipality]);
    press(&mut a, &l, &typed("aal"));
    press(&mut a, &l, &[Action::Confirm]);
    assert_eq!(a.municipality.as_deref(), Some("Aalborg"));
    assert_eq!(a.board.len(), 1);
}

#[test]
fn search_finds_descriptions_notes_and_reporters() {
    let l = loaded();
    let mut a = App::new(
        &l.contract,
        &l.calendar,
        Lang::Da,
        Keymap::default_keymap(),
        with_long_description(),
        now(),
    );
    press(&mut a, &l, &[Action::Filter]);
    assert_eq!(a.filter, Filter::All);
    let found = |a: &mut App, text: &str| -> Vec<u64> {
        press(a, &l, &[Action::Search]);
        press(a, &l, &typed(text));
        let ids = a.board.iter().map(|i| a.rows[*i].ticket.id).collect();
        press(a, &l, &[Action::Back]);
        ids
    };
    // Ticket 1's description, in any case and word order.
    assert_eq!(found(&mut a, "NØGLEN udløbet"), vec![1]);
    // Ticket 8's note and ticket 2's reaction note.
    assert_eq!(found(&mut a, "logs bedt"), vec![8]);
    assert_eq!(found(&mut a, "ringet op"), vec![2]);
    // Ticket 9's resolution note is empty; ticket 7's acceptance names Mette Lund.
    assert_eq!(found(&mut a, "mette lund"), vec![7]);
    // The reporter: every fixture ticket has the same.
    assert_eq!(found(&mut a, "it-support").len(), 9);
    assert!(found(&mut a, "findes ikke").is_empty());
}

#[test]
fn the_municipality_picker_narrows_as_you_type() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    press(&mut a, &l, &[Action::FilterMunicipality]);
    assert!(a.picker.is_some());
    // Typed letters go to the picker, not to the keymap (`q` would quit, `n` open a form).
    press(&mut a, &l, &typed("ng"));
    let screen = draw(&mut a, 80, 24);
    insta::assert_snapshot!(screen);
    let shown = a.picker.as_ref().map(|p| p.shown()).unwrap_or_default();
    assert_eq!(
        shown,
        vec![Some("Herning".to_string()), Some("Kolding".to_string())]
    );
    // Esc leaves the filter as it was.
    press(&mut a, &l, &[Action::Back]);
    assert!(a.picker.is_none());
    assert_eq!(a.municipality, None);
    press(&mut a, &l, &[Action::FilterMunicipality]);
    press(&mut a, &l, &typed("kol"));
    press(&mut a, &l, &[Action::Confirm]);
    assert_eq!(a.municipality.as_deref(), Some("Kolding"));
    let ids: Vec<u64> = a.board.iter().map(|i| a.rows[*i].ticket.id).collect();
    assert_eq!(ids, vec![5]);
    // The first entry brings every municipality back.
    press(
        &mut a,
        &l,
        &[Action::FilterMunicipality, Action::Top, Action::Confirm],
    );
    assert_eq!(a.municipality, None);
}

#[test]
fn statuses_tick_without_re_evaluation() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    // Ticket 2 (systemfejl, reported 09:00, resolution 10 h continuous) is running at 10:00,
    // at risk from 16:30 and breached from 19:00.
    let row = a.row(2).unwrap();
    assert_eq!(row.worst_at(now()), Some(frist::sla::Status::Running));
    update(&mut a, Action::Tick, at(2025, 3, 4, 16, 45));
    assert_eq!(a.totals.at_risk, 1);
    assert_eq!(
        a.row(2).unwrap().worst_at(a.now),
        Some(frist::sla::Status::AtRisk)
    );
    update(&mut a, Action::Tick, at(2025, 3, 4, 19, 1));
    let row = a.row(2).unwrap();
    assert_eq!(row.worst_at(a.now), Some(frist::sla::Status::Breached));
}

#[test]
fn a_created_ticket_appears_on_the_board_at_once() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    let mut log = Log::new(10, "Vejle", "Nyt nedbrud", "kritisk", at(2025, 3, 4, 9, 55));
    log.push(at(2025, 3, 4, 9, 56), EventKind::Note { text: "x".into() });
    a.upsert(ticket::fold(&log.events).unwrap());
    assert_eq!(a.current(), Some(10));
    let screen = draw(&mut a, 120, 40);
    assert!(screen.contains("Nyt nedbrud"));
}

#[test]
fn every_view_renders_at_every_small_size_without_panic() {
    let l = loaded();
    type Setup = Box<dyn Fn(&mut App)>;
    let states: Vec<Setup> = vec![
        Box::new(|_| {}),
        Box::new(|a| {
            update(a, Action::Confirm, now());
            let evs = logs().remove(4).events;
            a.set_events(5, evs);
        }),
        Box::new(|a| {
            update(a, Action::NewTicket, now());
        }),
        Box::new(|a| {
            update(a, Action::React, now());
        }),
        Box::new(|a| {
            update(a, Action::TabAcceptance, now());
        }),
        Box::new(|a| {
            update(a, Action::TabBreaches, now());
        }),
        Box::new(|a| {
            update(a, Action::TabReport, now());
        }),
        Box::new(|a| {
            update(a, Action::Help, now());
        }),
        Box::new(|a| {
            update(a, Action::TabBoard, now());
            update(a, Action::Down, now());
            update(a, Action::React, now());
            update(a, Action::React, now());
        }),
    ];
    for (k, s) in states.iter().enumerate() {
        let mut a = app(&l, if k % 2 == 0 { Lang::Da } else { Lang::En });
        s(&mut a);
        for w in 1..=40 {
            for h in 1..=15 {
                draw(&mut a, w, h);
            }
        }
    }
}

/// The report the runner would build for `effect` over the test tickets.
fn build_report(l: &Loaded, effect: &Effect) -> frist::report::Report {
    let Effect::LoadReport {
        month,
        municipality,
    } = effect
    else {
        panic!("expected a report to load, got {effect:?}");
    };
    let tickets: Vec<(Ticket, Vec<Event>)> = logs()
        .into_iter()
        .map(|x| (ticket::fold(&x.events).expect("reported first"), x.events))
        .filter(|(t, _)| municipality.as_ref().is_none_or(|m| &t.municipality == m))
        .collect();
    frist::report::build(&frist::report::ReportInput {
        contract: &l.contract,
        calendar: &l.calendar,
        month: *month,
        municipality: municipality.as_deref(),
        tickets: &tickets,
        measurements: &[],
        now: now(),
        versions: &[],
    })
    .expect("a report")
}

#[test]
fn report_tab_shows_the_months_figures_and_exports_every_format() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    let asked = press(&mut a, &l, &[Action::TabReport]);
    assert_eq!(a.tab, Tab::Report);
    let [load] = asked.as_slice() else {
        panic!("one report to load: {asked:?}")
    };
    assert!(
        matches!(
            load,
            Effect::LoadReport {
                month: (2025, 3),
                municipality: None
            }
        ),
        "{load:?}"
    );
    let r = build_report(&l, load);
    let fines = r.fines.total;
    a.set_report(Ok(r));
    let screen = draw(&mut a, 120, 40);
    assert!(screen.contains("Servicerapport marts 2025"), "{screen}");
    assert!(screen.contains("Driftseffektivitet"), "{screen}");
    assert!(
        screen.contains(&format!("Samlet bodsbeløb: {}", frist::i18n::kroner(fines))),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
    // Small terminals still draw.
    for (w, h) in [(80, 24), (20, 5), (1, 1)] {
        draw(&mut a, w, h);
    }
    // The month keys move the report's month (the runner builds it from the log).
    let asked = press(&mut a, &l, &[Action::PrevMonth]);
    assert!(
        matches!(
            asked.as_slice(),
            [Effect::LoadReport {
                month: (2025, 2),
                ..
            }]
        ),
        "{asked:?}"
    );
    a.set_report(Ok(build_report(&l, &asked[0])));
    let asked = press(&mut a, &l, &[Action::Export]);
    let exports: Vec<&str> = asked
        .iter()
        .filter_map(|e| match e {
            Effect::Export { path, .. } => Some(path.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        exports,
        [
            "frist-rapport-2025-02.md",
            "frist-rapport-2025-02.csv",
            "frist-rapport-2025-02.json",
            "frist-rapport-2025-02.html"
        ],
        "export writes the report on screen in every format"
    );
}

#[test]
fn the_report_has_its_own_municipality_and_month_and_names_them() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    let asked = press(&mut a, &l, &[Action::TabReport]);
    a.set_report(Ok(build_report(&l, &asked[0])));
    let screen = draw(&mut a, 120, 40);
    let head = screen.lines().nth(2).unwrap_or_default().to_string();
    assert!(head.contains("Kommune: alle kommuner"), "{head}");
    // `m` in Rapport chooses the report's municipality; the board's filter stays.
    press(&mut a, &l, &[Action::FilterMunicipality]);
    press(&mut a, &l, &typed("aal"));
    let asked = press(&mut a, &l, &[Action::Confirm]);
    let [Effect::LoadReport {
        month: (2025, 3),
        municipality: Some(m),
    }] = asked.as_slice()
    else {
        panic!("the report of a municipality: {asked:?}")
    };
    assert_eq!(m, "Aalborg");
    assert_eq!(a.municipality, None, "the board's filter did not move");
    // Until the new report is in, the heading already says which one is being built.
    let screen = draw(&mut a, 120, 40);
    assert!(screen.contains("Kommune: Aalborg · bygges"), "{screen}");
    a.set_report(Ok(build_report(&l, &asked[0])));
    let screen = draw(&mut a, 120, 40);
    let head = screen.lines().nth(2).unwrap_or_default().to_string();
    assert!(
        head.contains("Servicerapport marts 2025") && head.contains("Kommune: Aalborg"),
        "{head}"
    );
    // A report asked for earlier (all municipalities) that arrives late is not shown as
    // Aalborg's.
    let all = build_report(
        &l,
        &Effect::LoadReport {
            month: (2025, 3),
            municipality: None,
        },
    );
    a.set_report(Ok(all));
    assert_eq!(
        a.rapport
            .report
            .as_ref()
            .and_then(|r| r.as_ref().ok())
            .and_then(|r| r.municipality.clone()),
        Some("Aalborg".into())
    );
    // The board shows all municipalities still.
    press(&mut a, &l, &[Action::TabBoard]);
    let board = draw(&mut a, 120, 40);
    assert!(board.contains("Kommune: alle"), "{board}");
    // Rapport's month is its own too: Brud stays in March.
    press(&mut a, &l, &[Action::TabReport, Action::PrevMonth]);
    assert_eq!(a.rapport.month.format("%Y-%m").to_string(), "2025-02");
    press(&mut a, &l, &[Action::TabBreaches]);
    assert_eq!(a.breaches.month.format("%Y-%m").to_string(), "2025-03");
}

#[test]
fn closed_tickets_are_read_when_the_agent_asks_for_them_and_only_once() {
    let l = loaded();
    let (closed, not_closed): (Vec<Ticket>, Vec<Ticket>) = tickets()
        .into_iter()
        .partition(|t| t.state == frist::ticket::State::Closed);
    assert!(!closed.is_empty(), "the fixture has closed tickets");
    // As the runner starts it: the tickets not closed only.
    let mut a = App::new(
        &l.contract,
        &l.calendar,
        Lang::Da,
        Keymap::default_keymap(),
        not_closed,
        now(),
    );
    a.resize(120, 40);
    let asked = update(&mut a, Action::Filter, now());
    assert_eq!(a.filter, Filter::All);
    assert_eq!(asked, vec![Effect::LoadTickets(frist::store::Filter::All)]);
    let before = a.board.len();
    a.merge(tickets());
    assert_eq!(a.board.len(), before + closed.len());
    let id = closed[0].id.to_string();
    assert!(draw(&mut a, 120, 40).contains(&id));
    // All are read now: the closed filter and other months ask for nothing more.
    assert!(update(&mut a, Action::Filter, now()).is_empty());
    assert!(update(&mut a, Action::Filter, now()).is_empty());
    assert_eq!(a.filter, Filter::Closed);
    update(&mut a, Action::TabBreaches, now());
    assert!(update(&mut a, Action::PrevMonth, now()).is_empty());
}

#[test]
fn the_first_frame_says_the_log_is_being_read() {
    let l = loaded();
    let mut a = App::new(
        &l.contract,
        &l.calendar,
        Lang::Da,
        Keymap::default_keymap(),
        Vec::new(),
        now(),
    );
    a.loading = true;
    let screen = draw(&mut a, 80, 24);
    assert!(screen.contains("Indlæser sagerne fra loggen"), "{screen}");
    // The runner's first read: the tickets being worked on. The board shows them, the
    // footer does not count what waits for the municipality yet.
    let (working, rest): (Vec<Ticket>, Vec<Ticket>) =
        tickets().into_iter().partition(|t| t.resolved.is_none());
    a.merge(working);
    let screen = draw(&mut a, 80, 24);
    assert!(!screen.contains("Indlæser"), "{screen}");
    assert!(!a.board.is_empty());
    assert!(screen.contains("afventer … "), "{screen}");
    assert!(screen.contains("påløbet dagsbod …"), "{screen}");
    // Then the rest: the footer counts them.
    a.merge(rest);
    a.loading = false;
    let screen = draw(&mut a, 80, 24);
    assert!(
        screen.contains(&format!("afventer {} ", a.totals.awaiting)),
        "{screen}"
    );
    assert!(a.totals.awaiting > 0);
    assert!(!screen.contains("dagsbod …"), "{screen}");
}

#[test]
fn the_runner_reads_more_tickets_from_the_log_and_says_how_many() {
    use frist::store::{LocalStore, Store};
    use frist::tui::store_backend::StoreBackend;
    use frist::tui::Backend;
    let l = loaded();
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(&dir.path().join("db")).unwrap();
    let mut events = logs().into_iter().flat_map(|x| x.events);
    store.import(&mut events).unwrap();
    let backend = StoreBackend {
        source: frist::tui::store_backend::Source::Held(&store),
        contract: &l.contract,
        calendar: &l.calendar,
        lang: Lang::Da,
        watch: None,
        mail: None,
    };
    // What the runner reads at start: no closed ticket outside this month's breaches.
    let start = backend
        .tickets(frist::tui::app::initial_load(&l.calendar, now()))
        .unwrap();
    let all = tickets();
    assert!(start.len() < all.len(), "{} of {}", start.len(), all.len());
    let mut a = App::new(
        &l.contract,
        &l.calendar,
        Lang::Da,
        Keymap::default_keymap(),
        start,
        now(),
    );
    let asked = update(&mut a, Action::Filter, now());
    let suggest = KeywordSuggest {
        contract: &l.contract,
    };
    let quit = frist::tui::run::apply(&mut a, &backend, &suggest, asked, now());
    assert!(!quit);
    assert_eq!(
        a.board.len(),
        all.len(),
        "the 'alle' filter shows every ticket"
    );
    let (msg, err) = a.status.clone().expect("a message");
    assert!(!err);
    assert_eq!(msg, format!("{} sager læst fra loggen", all.len()));
}

#[test]
fn an_unsure_suggestion_is_shown_but_the_agent_must_choose() {
    use frist::classify::Classifier;
    use frist::tui::store_backend::ClassifierSuggest;
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    let real = ClassifierSuggest {
        classifier: Classifier::new(&l.contract),
        lang: Lang::Da,
    };
    press(&mut a, &l, &[Action::NewTicket]);
    press(&mut a, &l, &typed("Aarhus"));
    press(&mut a, &l, &[Action::NextField, Action::NextField]);
    // A vague title: the classifier guesses, but under the contract's 50 %.
    press(&mut a, &l, &typed("Der er noget med systemet"));
    a.set_suggestion(real.suggest("Der er noget med systemet", ""));
    let n = a.new.as_ref().expect("the form is open");
    assert!(n.suggestion.category.is_some());
    assert!(n.suggestion.confidence < 0.5, "{}", n.suggestion.confidence);
    let screen = draw(&mut a, 120, 40);
    assert!(screen.contains("usikkert forslag: vælg selv"), "{screen}");
    assert!(screen.contains("forslaget er usikkert"), "{screen}");
    assert!(
        !screen.contains("✓"),
        "the form must not say it is ready: {screen}"
    );
    // Enter files nothing: the agent has to choose.
    let writes = press(&mut a, &l, &[Action::Confirm]);
    assert!(writes.is_empty(), "{writes:?}");
    assert!(a.new.is_some());

    // A critical fault in plain words is sure enough to be pre-selected.
    let title = "Ingen i hjemmeplejen kan logge ind i appen";
    let s = real.suggest(title, "");
    assert_eq!(s.category.as_deref(), Some("kritisk"));
    assert!(s.confidence >= 0.5, "{}", s.confidence);
    a.set_suggestion(s);
    let screen = draw(&mut a, 120, 40);
    assert!(screen.contains("★ forslaget"), "{screen}");
    let writes = press(&mut a, &l, &[Action::Confirm]);
    assert!(
        matches!(writes.as_slice(), [Effect::Create(t)] if t.category == "kritisk"),
        "{writes:?}"
    );
}

#[test]
fn a_municipality_is_offered_only_what_its_role_allows() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    a.rights = frist::tui::app::Rights::municipality(Lang::Da);
    let screen = draw(&mut a, 120, 40);
    assert!(!screen.contains("ny sag"), "{screen}");
    // A new ticket and the agent's steps are not offered; the status line says why.
    assert!(press(&mut a, &l, &[Action::NewTicket]).is_empty());
    assert!(a.form.is_none());
    let (msg, _) = a.status.clone().unwrap();
    assert!(
        msg.contains("som kommune kan du acceptere eller afvise"),
        "{msg}"
    );
    a.status = None;
    press(&mut a, &l, &[Action::React]);
    assert!(a.form.is_none() && a.status.is_some());
    // Accepting a resolution awaiting the municipality opens the form.
    press(&mut a, &l, &[Action::TabAcceptance, Action::Accept]);
    assert!(a.form.is_some(), "{:?}", a.status);
    let screen = draw(&mut a, 120, 40);
    assert!(screen.contains("Kommunens accept"), "{screen}");
}

#[test]
fn the_breach_export_quotes_and_neutralises_cells_for_excel() {
    let l = loaded();
    let evil = "=HYPERLINK(\"http://x.example\";\"klik\")";
    let logs = [
        Log::new(1, "Ny;By", "Låsen er død", "kritisk", at(2025, 3, 3, 8, 0)),
        Log::new(2, evil, "Låsen er død", "kritisk", at(2025, 3, 3, 8, 0)),
    ];
    let tickets = logs
        .iter()
        .map(|x| ticket::fold(&x.events).expect("reported first"))
        .collect();
    let mut a = App::new(
        &l.contract,
        &l.calendar,
        Lang::Da,
        Keymap::default_keymap(),
        tickets,
        now(),
    );
    a.resize(120, 40);
    press(&mut a, &l, &[Action::TabBreaches]);
    let writes = press(&mut a, &l, &[Action::Export]);
    let [Effect::Export { path, content }] = writes.as_slice() else {
        panic!("one export: {writes:?}");
    };
    assert!(path.ends_with(".csv"), "{path}");
    assert!(content.starts_with('\u{feff}'), "a BOM for Danish Excel");
    assert!(
        content.contains("\r\n1;\"Ny;By\";Låsen er død;kritisk;"),
        "the ';' stays in its cell: {content}"
    );
    assert!(
        content.contains(
            "\r\n2;\"'=HYPERLINK(\"\"http://x.example\"\";\"\"klik\"\")\";Låsen er død;kritisk;"
        ),
        "a formula is shown, not run: {content}"
    );
}

#[test]
fn ctrl_c_quits_even_when_the_keymap_unbinds_quit() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    a.keymap.bindings.retain(|b| b.action != Action::Quit);
    let ctrl_c = Key {
        code: Code::Char('c'),
        ctrl: true,
        alt: false,
    };
    assert_eq!(a.key(Key::char('q')), None, "q is unbound");
    assert_eq!(a.key(ctrl_c), Some(Action::Quit));
    assert_eq!(update(&mut a, Action::Quit, now()), vec![Effect::Quit]);
}

#[test]
fn ctrl_c_in_a_form_with_typed_text_asks_once_before_quitting() {
    let l = loaded();
    let ctrl_c = Key {
        code: Code::Char('c'),
        ctrl: true,
        alt: false,
    };
    // An empty form: nothing is lost, Ctrl-C quits at once.
    let mut a = app(&l, Lang::Da);
    press(&mut a, &l, &[Action::NewTicket]);
    let q = a.key(ctrl_c).expect("ctrl-c is an action");
    assert_eq!(update(&mut a, q, now()), vec![Effect::Quit]);

    // A half-filled form: the first Ctrl-C asks, the second quits.
    let mut a = app(&l, Lang::Da);
    press(&mut a, &l, &[Action::NewTicket]);
    for c in "Lemvig".chars() {
        let action = a.key(Key::char(c)).expect("typed");
        press(&mut a, &l, &[action]);
    }
    let q = a.key(ctrl_c).unwrap();
    assert_eq!(
        update(&mut a, q, now()),
        vec![],
        "the first Ctrl-C only asks"
    );
    assert!(a.new.is_some(), "the form and its text stay");
    let screen = draw(&mut a, 120, 40);
    assert!(
        screen.contains("Tryk Ctrl-C igen for at afslutte uden at gemme"),
        "{screen}"
    );
    assert_eq!(update(&mut a, q, now()), vec![Effect::Quit]);

    // Typing on takes the question back: the next Ctrl-C asks again.
    let mut a = app(&l, Lang::En);
    select(&mut a, &l, 1);
    press(&mut a, &l, &[Action::Note]);
    press(&mut a, &l, &typed("Ringede til"));
    assert_eq!(update(&mut a, Action::Quit, now()), vec![]);
    assert!(a
        .status
        .as_ref()
        .is_some_and(|(m, _)| m.contains("Press Ctrl-C again")));
    press(&mut a, &l, &typed(" borger"));
    assert!(a.status.is_none(), "the question is gone");
    assert_eq!(update(&mut a, Action::Quit, now()), vec![]);
    assert!(a.form.is_some());
    assert_eq!(update(&mut a, Action::Quit, now()), vec![Effect::Quit]);
}

#[test]
fn the_detail_marks_a_step_recorded_days_after_it_happened() {
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    update(&mut a, Action::Confirm, now());
    let id = a.detail.as_ref().expect("the detail is open").id;
    let mut evs = logs().into_iter().find(|x| x.id == id).unwrap().events;
    // The last step was written down three days and two hours after it took effect.
    let last = evs.last_mut().unwrap();
    last.recorded = last.effective + chrono::TimeDelta::hours(74);
    a.set_events(id, evs);
    let screen = draw(&mut a, 140, 40);
    assert!(screen.contains("registreret 3 dage senere"), "{screen}");
    let mut a = app(&l, Lang::En);
    update(&mut a, Action::Confirm, now());
    let mut evs = logs().into_iter().find(|x| x.id == id).unwrap().events;
    let last = evs.last_mut().unwrap();
    last.recorded = last.effective + chrono::TimeDelta::hours(74);
    a.set_events(id, evs);
    let screen = draw(&mut a, 140, 40);
    assert!(screen.contains("recorded 3 days later"), "{screen}");
}

#[test]
fn detail_shows_a_retracted_resolution_and_an_edit_beside_the_steps_they_correct() {
    let l = loaded();
    let mut log = Log::new(
        20,
        "Aarhus",
        "Dørene åbnr ikke",
        "kritisk",
        at(2025, 3, 3, 9, 0),
    );
    log.push(
        at(2025, 3, 3, 10, 0),
        EventKind::Resolved {
            note: "Ny controller".into(),
        },
    );
    let retraction =
        ticket::retraction(&log.events, 2, "Controlleren holdt ikke").expect("the latest step");
    log.push(at(2025, 3, 3, 11, 0), retraction);
    log.push(
        at(2025, 3, 3, 11, 5),
        EventKind::Edited {
            title: Some("Dørene åbner ikke".into()),
            description: None,
            reporter: None,
            reason: "Stavefejl".into(),
        },
    );
    let t = ticket::fold(&log.events).expect("reported first");
    assert_eq!(t.state, ticket::State::Open);
    let mut a = App::new(
        &l.contract,
        &l.calendar,
        Lang::Da,
        Keymap::default_keymap(),
        vec![t],
        now(),
    );
    a.user = "mette".into();
    press(&mut a, &l, &[Action::Confirm]);
    a.set_events(20, log.events.clone());
    let screen = draw(&mut a, 120, 40);
    assert!(screen.contains("Dørene åbner ikke"), "{screen}");
    // The resolution stays, marked as withdrawn by event 3, which says why.
    assert!(
        screen.contains("løst: Ny controller trukket tilbage (nr. 3)"),
        "{screen}"
    );
    assert!(
        screen.contains("løsningen (nr. 2) trukket tilbage, sagen er"),
        "{screen}"
    );
    assert!(
        screen.contains("igen åben: Controlleren holdt ikke"),
        "{screen}"
    );
    assert!(
        screen.contains("titel «Dørene åbner ikke»: Stavefejl"),
        "{screen}"
    );
}

#[test]
fn the_detail_view_offers_retract_edit_and_dispute_as_forms() {
    let l = loaded();
    let mut log = Log::new(
        21,
        "Aarhus",
        "Dørene åbnr ikke",
        "kritisk",
        at(2025, 3, 3, 9, 0),
    );
    log.push(
        at(2025, 3, 3, 15, 0),
        EventKind::Resolved {
            note: "Ny controller".into(),
        },
    );
    let t = ticket::fold(&log.events).expect("reported first");
    let mut a = App::new(
        &l.contract,
        &l.calendar,
        Lang::Da,
        Keymap::default_keymap(),
        vec![t],
        now(),
    );
    a.user = "mette".into();
    // From the board, a correction asks for the ticket view first.
    assert!(press(&mut a, &l, &[Action::Retract]).is_empty());
    assert!(a.form.is_none());
    // A resolved ticket is on the board's "all" filter.
    press(&mut a, &l, &[Action::Filter, Action::Confirm]);
    a.set_events(21, log.events.clone());

    // Retract: the latest step in force is filled in; the reason is asked for.
    press(&mut a, &l, &[Action::Retract]);
    let screen = draw(&mut a, 120, 40);
    assert!(screen.contains("Træk et skridt tilbage"), "{screen}");
    assert!(screen.contains("kræver en begrundelse"), "{screen}");
    assert!(press(&mut a, &l, &[Action::Confirm]).is_empty());
    press(&mut a, &l, &[Action::NextField]);
    press(&mut a, &l, &typed("Controlleren holdt ikke"));
    let fx = press(&mut a, &l, &[Action::Confirm]);
    assert_eq!(
        fx,
        vec![Effect::Append {
            id: 21,
            kind: EventKind::Retracted {
                retracts: 2,
                step: "resolved".into(),
                restores: ticket::State::Open,
                reason: "Controlleren holdt ikke".into(),
            },
            effective: now(),
        }]
    );

    // Edit: the text as it is, mended in place; only what changed is written.
    press(&mut a, &l, &[Action::Edit]);
    assert_eq!(a.form.as_ref().unwrap().fields[0].value, "Dørene åbnr ikke");
    press(&mut a, &l, &[Action::Backspace; 6]);
    press(&mut a, &l, &typed("er ikke"));
    for _ in 0..3 {
        press(&mut a, &l, &[Action::NextField]);
    }
    press(&mut a, &l, &typed("Stavefejl"));
    let fx = press(&mut a, &l, &[Action::Confirm]);
    assert_eq!(
        fx,
        vec![Effect::Append {
            id: 21,
            kind: EventKind::Edited {
                title: Some("Dørene åbner ikke".into()),
                description: None,
                reporter: None,
                reason: "Stavefejl".into(),
            },
            effective: now(),
        }]
    );

    // Dispute: a reason, and the breach is marked.
    press(&mut a, &l, &[Action::Dispute]);
    press(&mut a, &l, &typed("Adgang blev nægtet"));
    let fx = press(&mut a, &l, &[Action::Confirm]);
    assert_eq!(
        fx,
        vec![Effect::Append {
            id: 21,
            kind: EventKind::BreachDisputed {
                reason: "Adgang blev nægtet".into(),
            },
            effective: now(),
        }]
    );
}

#[test]
fn the_detail_shows_what_was_mailed_and_when_and_what_waits_to_be_sent() {
    use frist::ticket::{MailKind, MailVia};
    let l = loaded();
    let mut a = app(&l, Lang::Da);
    update(&mut a, Action::Confirm, now());
    let id = a.detail.as_ref().expect("the detail is open").id;
    let mut log = logs().into_iter().find(|x| x.id == id).unwrap();
    log.push(
        at(2025, 3, 4, 9, 30),
        EventKind::MailFailed {
            message_id: "<frist.1.a@leverandor.dk>".into(),
            to: vec!["lone@aarhus.dk".into()],
            subject: "[frist #1] Sag 1 er løst".into(),
            kind: MailKind::ResolutionNotice,
            key: String::new(),
            error: "Connection refused".into(),
            raw: String::new(),
        },
    );
    log.push(
        at(2025, 3, 4, 9, 45),
        EventKind::MailSent {
            message_id: "<frist.1.a@leverandor.dk>".into(),
            to: vec!["lone@aarhus.dk".into()],
            subject: "[frist #1] Sag 1 er løst".into(),
            kind: MailKind::ResolutionNotice,
            via: MailVia::Smtp,
            key: String::new(),
        },
    );
    a.set_events(id, log.events);
    let screen = draw(&mut a, 160, 40);
    assert!(
        screen.contains("04.03.2025 09:30")
            && screen.contains("besked om løsning til lone@aarhus.dk: Connection refused"),
        "{screen}"
    );
    assert!(
        screen.contains("04.03.2025 09:45")
            && screen.contains("besked om løsning sendt til lone@aarhus.dk (SMTP)"),
        "{screen}"
    );
}

/// A resolution written through the TUI's store mails the municipality (the runner passes the
/// same notifier `frist resolve` uses); other steps mail nobody.
#[test]
fn a_resolution_in_the_tui_asks_for_the_municipalitys_notice() {
    use frist::store::{LocalStore, Store};
    use frist::tui::store_backend::StoreBackend;
    use frist::tui::Backend;
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(&dir.path().join("db")).unwrap();
    let l = loaded();
    let reported = at(2025, 3, 4, 8, 0);
    let t = store
        .create(
            logs()[0].events[0].kind.clone(),
            None,
            "mette",
            reported,
            reported,
        )
        .unwrap();
    let asked = std::cell::RefCell::new(Vec::new());
    let mail = |_: &dyn Store, id: u64, at: DateTime<Utc>| asked.borrow_mut().push((id, at));
    let backend = StoreBackend {
        source: frist::tui::store_backend::Source::Held(&store),
        contract: &l.contract,
        calendar: &l.calendar,
        lang: Lang::Da,
        watch: None,
        mail: Some(&mail),
    };
    backend
        .append(
            t.id,
            EventKind::Reacted {
                note: String::new(),
            },
            "mette",
            now(),
            now(),
        )
        .unwrap();
    assert!(asked.borrow().is_empty());
    backend
        .append(
            t.id,
            EventKind::Resolved {
                note: "Genstartet".into(),
            },
            "mette",
            now(),
            now(),
        )
        .unwrap();
    assert_eq!(*asked.borrow(), vec![(t.id, now())]);
}

/// The lock-system contract as kept in the log (`from` `None`: from the start) and an edited
/// file whose critical fine is seven times higher, kept as a version from 4 March 2025.
fn versions() -> (Loaded, Vec<frist::contract::version::ContractVersion>) {
    use frist::contract::version::ContractVersion;
    let first = loaded();
    let keep = |text: &str, from| ContractVersion {
        contract: "laasesystem".into(),
        from,
        text: text.into(),
        holidays: first.holidays_source.clone(),
        origin: "contracts/laasesystem.toml".into(),
        user: "mette".into(),
        recorded: now(),
    };
    let edited = first.source.replace(
        "fine = { lower = 5000, higher = 10000, cap_days = 7 }",
        "fine = { lower = 35000, higher = 70000, cap_days = 7 }",
    );
    assert_ne!(edited, first.source);
    let amended = keep(&edited, chrono::NaiveDate::from_ymd_opt(2025, 3, 4));
    let file = load::kept(&amended).expect("the edited contract reads");
    (file, vec![keep(&first.source, None), amended])
}

#[test]
fn a_logged_ticket_keeps_its_fine_on_the_board_and_in_detail_after_the_contract_file_changes() {
    let (file, kept) = versions();
    // Without the log's versions, ticket 5 (reported 2 March) would take the edited fine.
    let mut unpinned = app(&file, Lang::Da);
    assert!(draw(&mut unpinned, 120, 40).contains("70.000"));

    let mut a = app(&file, Lang::Da);
    a.set_contracts(frist::contracts::Contracts::new(&file, kept));
    let board = draw(&mut a, 120, 40);
    let row = board
        .lines()
        .find(|l| l.contains("Hele løsningen er nede"))
        .expect("ticket 5 on the board");
    assert!(row.contains("10.000"), "{row}");
    assert!(!board.contains("70.000"), "{board}");
    select(&mut a, &file, 5);
    press(&mut a, &file, &[Action::Confirm]);
    let detail = draw(&mut a, 80, 24);
    assert!(detail.contains("Dagsbod: 10.000 kr."), "{detail}");
}

/// A breach a supervisor disputes is said so in Brud, with the reason, beside its title.
#[test]
fn brud_shows_a_disputed_breach_with_its_reason() {
    let l = loaded();
    let mut disputed = Log::new(
        10,
        "Kolding",
        "Ingen kan åbne døre på Solhaven",
        "kritisk",
        at(2025, 3, 3, 10, 0),
    );
    disputed.push(
        at(2025, 3, 5, 9, 0),
        EventKind::BreachDisputed {
            reason: "Adgang først kl. 14".into(),
        },
    );
    let mut v = tickets();
    v.push(ticket::fold(&disputed.events).expect("reported first"));
    let mut a = App::new(
        &l.contract,
        &l.calendar,
        Lang::Da,
        Keymap::default_keymap(),
        v,
        now(),
    );
    press(&mut a, &l, &[Action::TabBreaches]);
    let screen = draw(&mut a, 160, 40);
    // Under the title of each of the ticket's breached timers.
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines
        .iter()
        .position(|x| x.contains("Ingen kan åbne døre"))
        .unwrap_or_else(|| panic!("no row:\n{screen}"));
    assert!(
        lines[at + 1].contains("bestridt: Adgang først kl"),
        "{screen}"
    );
    // Its two timers (reaction and resolution) and nothing else: the others are not disputed.
    assert_eq!(screen.matches("bestridt").count(), 2, "{screen}");
}
