//! Properties of the clock that must hold for every report instant and category.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::lock_contract;
use frist::sla;
use proptest::prelude::*;

/// Instants spread over 2024–2027 (UTC seconds), at minute resolution.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let start = common::utc("2024-01-01T00:00:00Z").timestamp() / 60;
    let end = common::utc("2027-12-31T00:00:00Z").timestamp() / 60;
    (start..end).prop_map(|m| DateTime::from_timestamp(m * 60, 0).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_deadline_never_precedes_the_report(r in instant(), idx in 0usize..10) {
        let (c, cal) = lock_contract();
        let cat = &c.categories[idx % c.categories.len()];
        let d = sla::deadlines(cal, cat, r).unwrap();
        for t in [d.reaction, d.resolution].into_iter().flatten() {
            prop_assert!(t.start >= r, "{} starts before the report", cat.id);
            prop_assert!(t.deadline > r, "{}: deadline {} not after report {}", cat.id, t.deadline, r);
        }
        if let (Some(a), Some(b)) = (d.reaction, d.resolution) {
            prop_assert!(a.deadline <= b.deadline, "{}: reaction after resolution", cat.id);
        }
    }

    #[test]
    fn business_time_added_then_measured_is_the_same(r in instant(), minutes in 1i64..20_000) {
        let (_, cal) = lock_contract();
        let amount = TimeDelta::minutes(minutes);
        let end = cal.add_business(r, amount, None).unwrap();
        prop_assert_eq!(cal.business_between(r, end).unwrap(), amount);
        // And taking it away again lands where the counting started (in the window).
        let back = cal.sub_business(end, amount).unwrap();
        prop_assert_eq!(back, cal.next_opening(r).unwrap());
    }

    #[test]
    fn a_later_resolution_never_lowers_the_fine(d in instant(), a in 0i64..60*24*60, extra in 0i64..60*24*30, idx in 0usize..10) {
        let (c, cal) = lock_contract();
        let Some(table) = c.categories[idx % c.categories.len()].fine else { return Ok(()); };
        let early = sla::fine(cal, &table, d, d + TimeDelta::minutes(a)).unwrap();
        let late = sla::fine(cal, &table, d, d + TimeDelta::minutes(a + extra)).unwrap();
        prop_assert!(late.total >= early.total, "{} then {}", early.total, late.total);
    }

    #[test]
    fn a_fine_never_exceeds_cap_times_the_higher_rate(d in instant(), a in 0i64..60*24*400, idx in 0usize..10) {
        let (c, cal) = lock_contract();
        let Some(table) = c.categories[idx % c.categories.len()].fine else { return Ok(()); };
        let f = sla::fine(cal, &table, d, d + TimeDelta::minutes(a)).unwrap();
        prop_assert!(f.total <= u64::from(table.cap_days) * table.higher);
        prop_assert!(f.total <= table.max_total());
        prop_assert!(f.days.len() as u32 <= table.cap_days);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever a user types as a time (a CLI flag, FRIST_NOW, a svartider line, the TUI form
    /// while typing), reading it returns a value or an error, never a panic.
    #[test]
    fn parse_time_never_panics(s in any::<String>()) {
        let _ = frist::time::parse_time(&s, &chrono_tz::Europe::Copenhagen);
    }

    /// The same for strings shaped like times with any character in any place, where a
    /// byte-index slice would cut a multi-byte character.
    #[test]
    fn parse_time_never_panics_on_time_shaped_text(
        s in "[0-9]{0,4}[-.]?[0-9ø€🔒]{0,3}[-.]?[0-9ø€🔒]{0,3}[ T]?[0-9:ø]{0,8}"
    ) {
        let _ = frist::time::parse_time(&s, &chrono_tz::Europe::Copenhagen);
    }
}

// ---- Every parser of a file frist reads: an error or a value, never a panic ----

/// The text of every file in `dirs` (relative to the crate) with one of `exts`: the seeds that
/// the mutations below start from, so that most cases get past the first line.
fn seeds(dirs: &[&str], exts: &[&str]) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v = Vec::new();
    for d in dirs {
        let Ok(rd) = std::fs::read_dir(root.join(d)) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| exts.iter().any(|e| x == *e)) {
                v.push(std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    assert!(!v.is_empty(), "no seeds in {dirs:?}");
    v.sort();
    v
}

/// `seeds` with one to three spans replaced by arbitrary text (a digit more, a quote less, a
/// multi-byte character or an escape where a number was).
fn mutated(seeds: Vec<String>) -> impl Strategy<Value = String> {
    let text = prop_oneof![
        1 => any::<String>(),
        2 => "[ -~]{0,6}",
        2 => "[0-9]{1,20}",
        1 => "[øæå€🔒\u{1b}\u{0}\n.:-]{1,3}",
    ];
    let splice = (any::<prop::sample::Index>(), 0usize..8, text);
    (
        prop::sample::select(seeds),
        prop::collection::vec(splice, 1..4),
    )
        .prop_map(|(mut s, edits)| {
            for (at, len, with) in edits {
                let bounds: Vec<usize> =
                    s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
                let from = at.index(bounds.len());
                let to = (from + len).min(bounds.len() - 1);
                s.replace_range(bounds[from]..bounds[to], &with);
            }
            s
        })
}

/// Text a careless or hostile hand could write: arbitrary strings, arbitrary bytes read
/// lossily, and mutations of good files (mostly) and of broken ones.
fn hostile(good: Vec<String>, bad: Vec<String>) -> impl Strategy<Value = String> {
    let bad = if bad.is_empty() { good.clone() } else { bad };
    prop_oneof![
        1 => any::<String>(),
        1 => any::<Vec<u8>>().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        6 => mutated(good),
        2 => mutated(bad),
    ]
}

fn dk_rules() -> frist::calendar::HolidayRules {
    let src = include_str!("../holidays/dk.toml");
    frist::calendar::HolidayRules::parse(src, "holidays/dk.toml").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// A contract file; one that is accepted also computes deadlines and fines for every
    /// category without a panic (its numbers are within the bounds the parser enforces).
    #[test]
    fn a_contract_file_never_panics(
        src in hostile(
            seeds(&["contracts", "tests/valid_contracts"], &["toml"]),
            seeds(&["tests/invalid_contracts"], &["toml"]),
        ),
        r in instant(),
    ) {
        if let Ok(c) = frist::contract::Contract::parse(&src, "fuzz.toml") {
            let cal = c.calendar(&dk_rules());
            for cat in &c.categories {
                if let Ok(d) = sla::deadlines(&cal, cat, r) {
                    if let (Some(t), Some(table)) = (d.resolution, cat.fine) {
                        let end = t.deadline + TimeDelta::days(60);
                        let _ = sla::fine(&cal, &table, t.deadline, end);
                    }
                }
            }
        }
    }

    /// A holiday file; one that is accepted also expands every year without a panic.
    #[test]
    fn a_holiday_file_never_panics(
        src in hostile(
            seeds(&["holidays", "tests/valid_holidays"], &["toml"]),
            seeds(&["tests/invalid_holidays"], &["toml"]),
        ),
    ) {
        if let Ok(rules) = frist::calendar::HolidayRules::parse(&src, "fuzz.toml") {
            let kinds = [frist::calendar::DayKind::Public, frist::calendar::DayKind::Customary];
            for y in [2000, 2024, 2025, 2098] {
                let _ = rules.year(y, &kinds);
            }
        }
    }

    /// A keymap file, alone and as a user file over the default keymap.
    #[test]
    fn a_keymap_file_never_panics(
        src in hostile(
            seeds(&["keymaps", "tests/valid_keymaps"], &["toml"]),
            seeds(&["tests/invalid_keymaps"], &["toml"]),
        ),
    ) {
        use frist::tui::Keymap;
        let _ = Keymap::parse(&src, "fuzz.toml", None);
        if let Ok(km) = Keymap::parse(&src, "fuzz.toml", Some(&Keymap::default_keymap())) {
            prop_assert_eq!(
                km.lookup(&[frist::tui::keymap::Key::CTRL_C]),
                frist::tui::keymap::Lookup::Action(frist::tui::Action::Quit)
            );
        }
    }

    /// A svartider (response-time) file.
    #[test]
    fn a_svartider_file_never_panics(
        src in hostile(vec![
            "\u{feff}Transaktionstype;Tidspunkt;Sekunder\nlogin i app'en;2025-03-10 09:00:00;2,5\n\nFremsøgning af borger;2025-03-10T08:00:00Z;1.25\n".into(),
            "Login i App'en,2025-03-10 09:00,\"3,5\"\n".into(),
            "Login i App'en;10.03.2025 09:00;4\n".into(),
        ], Vec::new()),
    ) {
        let (c, _) = lock_contract();
        let _ = frist::report::parse_measurements_csv(&src, "fuzz.csv", &c.tz, &c.response_times);
    }

    /// A line of an import file (as `frist export` writes it): read, checked against the
    /// chain, and folded into a ticket.
    #[test]
    fn an_import_line_never_panics(src in hostile(export_lines(), Vec::new())) {
        if let Ok(r) = serde_json::from_str::<frist::store::chain::Record>(&src) {
            let mut checker = frist::store::chain::Checker::default();
            if checker.next_record(&r).is_ok() {
                let _ = frist::ticket::fold(std::slice::from_ref(&r.event));
            }
        }
    }
}

/// Lines as `frist export` writes them: a reported event and its classification.
fn export_lines() -> Vec<String> {
    use frist::ticket::{ClassifiedBy, Event, EventKind};
    let t = common::utc("2025-03-03T14:30:00Z");
    let events = [
        EventKind::Reported {
            municipality: "Aarhus".into(),
            reporter: "Lone".into(),
            title: "Låsen reagerer ikke".into(),
            description: "Ingen kan åbne døren".into(),
            category: "kritisk".into(),
            contract: "laasesystem".into(),
        },
        EventKind::Classified {
            category: "kritisk".into(),
            by: ClassifiedBy::Auto,
            confidence: Some(0.8),
            reasons: vec!["nede".into()],
        },
    ];
    let mut checker = frist::store::chain::Checker::default();
    events
        .into_iter()
        .enumerate()
        .map(|(seq, kind)| {
            let event = Event {
                ticket: 1,
                seq: seq as u32,
                user: "mette".into(),
                recorded: t,
                effective: t,
                kind,
            };
            let (n, hash, _) = checker.push(&event).unwrap();
            serde_json::to_string(&frist::store::chain::Record { n, hash, event }).unwrap()
        })
        .collect()
}

/// Every mail fixture: the `.eml` and mbox files and the Maildir's messages.
fn mail_seeds() -> Vec<String> {
    let mut v = seeds(&["tests/mail"], &["eml", "mbox"]);
    v.extend(seeds(
        &["tests/mail/Maildir/cur", "tests/mail/Maildir/new"],
        &["desk!2,S", "desk"],
    ));
    v
}

/// Lines for `add --from`: JSON lines and CSV with a header.
fn add_from_seeds() -> Vec<String> {
    vec![
        "{\"municipality\":\"Aarhus\",\"title\":\"Låsen reagerer ikke\",\"category\":\"kritisk\",\"at\":\"2025-03-03 15:30\"}\n\n{\"municipality\":\"Odense\",\"title\":\"Døren\",\"description\":\"x\",\"reporter\":\"Ib\"}\n".into(),
        "\u{feff}municipality,title,description,reporter,category,at\nAarhus,Låsen,\"Ingen kan, åbne\",Lone,kritisk,03.03.2025 15:30\nOdense,Døren,,,,\n".into(),
        " municipality , title \nAarhus,\"Citat \"\"her\"\"\"\n".into(),
    ]
}

/// `FRIST_SMTP` on the first line, the config file's TOML after it.
fn mail_config_seeds() -> Vec<String> {
    vec![
        "smtp://mette:hemmelig@mail.leverandor.dk:587?tls=required\n[mail]\nfrom = \"Support <support@leverandor.dk>\"\noutbox = \"ud\"\nsupervisors = [\"leder@leverandor.dk\"]\n[mail.smtp]\nhost = \"mail.leverandor.dk\"\nport = 587\ntls = \"starttls\"\nuser = \"mette\"\npassword = \"x\"\n[agents]\nmette = \"mette@leverandor.dk\"\n".into(),
        "smtps://u:p@[::1]:465\n[mail.smtp]\nhost = \"localhost\"\ntls = \"none\"\n".into(),
        "smtp://localhost:25?tls=opportunistic\n[mail.smtp]\nhost = \"relay\"\ntls = \"tls\"\nuser = \"u\"\npassword_env = \"FRIST_TEST_NO_SUCH_VARIABLE\"\n".into(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Incoming mail as bytes (mbox split, then each message parsed) and the verdict on its
    /// text, as `frist mail import` reads it.
    #[test]
    fn incoming_mail_never_panics(
        raw in prop_oneof![
            1 => any::<Vec<u8>>(),
            3 => hostile(mail_seeds(), Vec::new()).prop_map(String::into_bytes),
        ],
    ) {
        let mut messages = vec![raw.clone()];
        if frist::mail::source::is_mbox(&raw) {
            messages.extend(frist::mail::source::split_mbox(&raw));
        }
        for m in &messages {
            if let Ok(p) = frist::mail::parse(m) {
                prop_assert!(!p.sha256.is_empty());
                let _ = frist::mail::verdict::judge(&p.text);
            }
        }
    }

    /// The verdict on any reply text, and the ticket tag and Message-IDs read from any text.
    #[test]
    fn a_verdict_never_panics(
        text in hostile(vec![
            "Vi godkender løsningen.\n\n> Sag #12 er løst; svar godkendt eller afvist\n".into(),
            "Ikke godkendt: fejlen er der stadig. Afvist.\n".into(),
            "Accepted, thanks!\nOn Mon, support wrote:\n> please accept\n".into(),
        ], Vec::new()),
    ) {
        let _ = frist::mail::verdict::judge(&text);
        let _ = frist::mail::verdict::fresh_text(&text);
        let _ = frist::mail::subject_tag(&text);
        let _ = frist::mail::message_ids(&text);
    }

    /// An `add --from` file, JSON lines or CSV: rows or the first bad line, never a panic.
    #[test]
    fn an_add_from_file_never_panics(src in hostile(add_from_seeds(), Vec::new())) {
        if let Err((line, what)) = frist::cli::add_from::rows(&src, frist::i18n::Lang::En) {
            prop_assert!(line <= src.lines().count() + 1, "line {} of {:?}: {}", line, src, what);
        }
    }

    /// The mail settings: `FRIST_SMTP` and the config file, as `frist mail send` sets up
    /// sending (lettre builds the transport; nothing connects).
    #[test]
    fn the_mail_settings_never_panic(src in hostile(mail_config_seeds(), Vec::new())) {
        use frist::notify::send::{ConfigFile, Postman};
        let (url, toml) = src.split_once('\n').unwrap_or((&src, ""));
        let outbox = std::path::Path::new("outbox");
        let _ = Postman::new(ConfigFile::default(), Some(url), None, outbox);
        if let Ok(config) = frist::config::parse_toml::<ConfigFile>(toml, "config.toml") {
            let _ = Postman::new(config, None, None, outbox);
        }
    }

    /// A checkpoint file, a team database URL and a report month.
    #[test]
    fn a_checkpoint_url_or_month_never_panics(
        src in hostile(vec![
            format!("{{\"log\":\"{h}\",\"events\":7,\"head\":\"{h}\",\"at\":\"2025-03-03T15:30:00Z\",\"key\":\"{h}\",\"signature\":\"{h}{h}\"}}", h = "ab".repeat(32)),
            "postgres://mette@localhost:5432/frist?sslmode=verify-full&sslrootcert=ca.pem".into(),
            "2025-03".into(),
        ], Vec::new()),
    ) {
        let _ = frist::checkpoint::Checkpoint::parse(&src);
        let _ = frist::store::postgres::parse_url(&src);
        let _ = frist::report::parse_month(&src);
    }
}
