//! The support log through the real binary, against a temporary database.

mod common;
use common::*;
use frist::store::{LocalStore, Store};

#[test]
fn a_ticket_from_report_to_acceptance_with_its_fine() {
    let log = Log::new();
    let id = log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]);
    assert_eq!(id, 1);
    log.ok(&["react", "1", "--at", "2025-03-03 16:00"]);
    log.ok(&["resolve", "1", "--at", "2025-03-03 21:00"]);
    let v = log.json(&["show", "1", "--json"]);
    assert_eq!(v["state"], "resolved");
    assert_eq!(v["reported"], "2025-03-03T15:30:00+01:00");
    assert_eq!(v["reaction"]["deadline"], "2025-03-03T18:30:00+01:00");
    assert_eq!(v["reaction"]["status"], "met");
    assert_eq!(v["resolution"]["deadline"], "2025-03-03T20:30:00+01:00");
    assert_eq!(v["resolution"]["done"], "2025-03-03T21:00:00+01:00");
    assert_eq!(v["resolution"]["status"], "breached");
    assert_eq!(v["fine"]["total"], 5000);
    assert_eq!(v["events"].as_array().unwrap().len(), 4);
    assert_eq!(v["events"][0]["user"], "mette");

    log.ok(&[
        "accept",
        "1",
        "--by",
        "Lone Madsen",
        "--ref",
        "mail 04.03.2025",
    ]);
    let v = log.json(&["show", "1", "--json"]);
    assert_eq!(v["state"], "closed");
    let human = log.ok(&["show", "1"]);
    assert!(human.contains("Dagsbod: 5.000 kr."), "{human}");
    assert!(
        human.contains("Lone Madsen, ref. mail 04.03.2025"),
        "{human}"
    );

    let list = log.json(&["list", "--closed", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("events").is_none());
    assert_eq!(
        log.json(&["list", "--open", "--json"]),
        serde_json::json!([])
    );
    let b = log.json(&["breaches", "--month", "2025-03", "--json"]);
    assert_eq!(b[0]["id"], 1);
    assert_eq!(
        log.json(&["breaches", "--month", "2025-02", "--json"]),
        serde_json::json!([])
    );
    let v = log.ok(&["verify"]);
    // One ticket is "1 sag", never "1 sager".
    assert!(v.contains("5 hændelser i 1 sag verificeret"), "{v}");
    let listed = log.ok(&["list", "--closed"]);
    assert!(listed.trim_end().ends_with("\n1 sag"), "{listed}");
}

#[test]
fn a_rejection_reopens_and_the_first_resolution_stops_counting() {
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]);
    log.ok(&["react", "1", "--at", "2025-03-03 16:00"]);
    log.ok(&["resolve", "1", "--at", "2025-03-03 17:00"]);
    log.ok(&["reject", "1", "--by", "Lone", "--reason", "Fejlen kom igen"]);
    let v = log.json(&["show", "1", "--json"]);
    // The resolution met its deadline but was rejected: the clock runs from the report.
    assert_eq!(v["state"], "reacted");
    assert_eq!(v["resolution"]["done"], serde_json::Value::Null);
    assert_eq!(v["resolution"]["status"], "breached");
    // The first reaction stays valid.
    assert_eq!(v["reaction"]["status"], "met");
    assert!(v["fine"]["total"].as_u64().unwrap() > 0);
    let r = log.run(&["accept", "1", "--by", "Lone", "--ref", "x"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("er reageret") && r.stderr.contains("muligt nu"),
        "{}",
        r.stderr
    );
}

#[test]
fn impossible_steps_say_the_state_and_what_is_possible_and_write_nothing() {
    let log = Log::new();
    log.add(&["--category", "laaseenhed", "--at", "2025-03-04 09:00"]);
    let before = log.export();
    let r = log.run(&["resume", "1"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("sag 1 er åben: kan ikke genoptage (den er ikke på pause)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("muligt nu: react, pause, resolve"),
        "{}",
        r.stderr
    );
    let r = log.run(&["--lang", "en", "resume", "1"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("ticket 1 is open: cannot resume"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("possible now: react, pause, resolve"),
        "{}",
        r.stderr
    );
    let r = log.run(&["pause", "1", "--reason", " "]);
    assert_eq!(r.code, 2);
    log.ok(&[
        "pause",
        "1",
        "--reason",
        "Venter på nøgle",
        "--at",
        "2025-03-04 10:00",
    ]);
    log.ok(&["resume", "1", "--at", "2025-03-04 12:00"]);
    log.ok(&["resolve", "1"]);
    log.ok(&["accept", "1", "--by", "Lone", "--ref", "mail"]);
    let after = log.export();
    let r = log.run(&["resolve", "1"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("er lukket: kan ikke løse"),
        "{}",
        r.stderr
    );
    assert_eq!(log.export(), after);
    // The events before are still the first (between the export's start and end lines).
    let events = |s: &str| {
        s.lines()
            .filter(|l| l.contains("\"event\""))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert!(events(&after).starts_with(&events(&before)));
}

#[test]
fn bad_input_exits_2_with_a_clear_message_and_writes_nothing() {
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]);
    let before = log.export();
    let cases: &[(&[&str], &str)] = &[
        (&["react", "42"], "ingen sag med nummer 42"),
        (&["show", "42"], "ingen sag med nummer 42"),
        (
            &["add", "--municipality", "Fredricia", "--title", "x"],
            "mente du 'Fredericia'?",
        ),
        (&["add", "--title", "x"], "--municipality"),
        (&["add", "--municipality", "Aarhus"], "--title"),
        (
            &[
                "add",
                "--municipality",
                "Aarhus",
                "--title",
                "x",
                "--category",
                "nope",
            ],
            "ukendt kategori 'nope'",
        ),
        (
            &["react", "1", "--at", "i går"],
            "kan ikke læse tidspunktet 'i går'",
        ),
        (
            &["react", "1", "--at", "2025-02-30 10:00"],
            "kan ikke læse tidspunktet",
        ),
        (
            &["react", "1", "--at", "2025-03-11 10:00"],
            "ligger i fremtiden",
        ),
        (
            &["react", "1", "--at", "2025-03-03 15:00"],
            "ligger før anmeldelsen (man 03.03.2025 15:30)",
        ),
        (
            &[
                "add",
                "--municipality",
                "Aarhus",
                "--title",
                "x",
                "--at",
                "2026-01-01 10:00",
            ],
            "ligger i fremtiden",
        ),
        (&["accept", "1", "--by", "Lone"], "--ref"),
        (&["breaches", "--month", "marts"], "ÅÅÅÅ-MM"),
    ];
    for (args, msg) in cases {
        let r = log.run(args);
        assert_eq!(r.code, 2, "frist {args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(msg),
            "frist {args:?}: expected '{msg}' in: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    assert_eq!(log.export(), before);
    // English on request.
    let r = log.run(&[
        "--lang",
        "en",
        "add",
        "--municipality",
        "Arhus",
        "--title",
        "x",
    ]);
    assert!(r.stderr.contains("did you mean 'Aarhus'?"), "{}", r.stderr);
    // A new customer can be added on purpose, and is then known.
    log.ok(&[
        "add",
        "--municipality",
        "Ny Kommune",
        "--title",
        "x",
        "--category",
        "kritisk",
        "--new-municipality",
    ]);
    log.ok(&[
        "add",
        "--municipality",
        "ny kommune",
        "--title",
        "y",
        "--category",
        "kritisk",
    ]);
}

#[test]
fn add_without_category_classifies_and_says_so() {
    let log = Log::new();
    let r = log.run(&[
        "add",
        "--municipality",
        "Rebild",
        "--title",
        "Lavt batteri i låsen",
        "--description",
        "Batteriskift ønskes",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "1\n");
    assert!(
        r.stderr
            .contains("frist gættede kategorien batteriskift (Batteriskift)"),
        "{}",
        r.stderr
    );
    let v = log.json(&["show", "1", "--json"]);
    assert_eq!(v["category"], "batteriskift");
    assert_eq!(v["events"][1]["by"], "auto");
}

#[test]
fn verify_catches_an_event_edited_behind_the_programs_back() {
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]);
    log.ok(&["react", "1", "--at", "2025-03-03 16:00"]);
    log.ok(&["resolve", "1", "--at", "2025-03-03 21:00"]);
    assert!(log.ok(&["verify"]).contains("OK: 4"));
    {
        // Move the resolution 40 minutes earlier, so that it would look met.
        let s = LocalStore::open(&log.db).unwrap();
        let raw = s.raw_event(4).unwrap().unwrap();
        let text = String::from_utf8(raw[32..].to_vec()).unwrap();
        let edited = text.replace("2025-03-03T20:00:00Z", "2025-03-03T19:20:00Z");
        assert_ne!(text, edited);
        let mut v = raw[..32].to_vec();
        v.extend_from_slice(edited.as_bytes());
        s.tamper_event(4, Some(&v)).unwrap();
    }
    let r = log.run(&["verify"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("revisionssporet er brudt"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("sag 1") && r.stderr.contains("hændelse #3"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hash differs"), "{}", r.stderr);
}

#[test]
fn export_and_import_round_trip_and_a_tampered_file_is_refused() {
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]);
    log.add(&["--category", "montering", "--at", "2025-03-04 10:00"]);
    log.ok(&["react", "1", "--at", "2025-03-03 16:00"]);
    log.ok(&["note", "2", "Borgeren ringer tilbage"]);
    let exported = log.export();
    let file = log.dir.path().join("log.jsonl");
    std::fs::write(&file, &exported).unwrap();

    let other = Log::new();
    other.ok(&["import", path_str(&file)]);
    assert_eq!(other.export(), exported);
    assert!(other.ok(&["verify"]).contains("OK: 6"));
    assert_eq!(other.add(&["--category", "kritisk"]), 3);

    // Into a database that is not empty: refused.
    let r = other.run(&["import", path_str(&file)]);
    assert_eq!(r.code, 2);

    // A file whose events were edited: refused, nothing written.
    let bad = exported.replace("Borgeren ringer tilbage", "Borgeren ringer ikke");
    std::fs::write(&file, bad).unwrap();
    let third = Log::new();
    let r = third.run(&["import", path_str(&file)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("kan ikke verificeres"), "{}", r.stderr);
    assert!(!third.db.exists(), "a refused first import leaves no log");

    // A file that is not an export, and an empty one: refused in Danish, nothing written.
    std::fs::write(&file, "{\"bad\": 1}\n").unwrap();
    let r = third.run(&["import", path_str(&file)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("linje 1: ikke første linje af en fil som `frist export` skriver den")
            && r.stderr.contains("intet er importeret"),
        "{}",
        r.stderr
    );
    std::fs::write(&file, "\n").unwrap();
    let r = third.run(&["import", path_str(&file)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("er tom"), "{}", r.stderr);
    // An export of no events (start and end line only) has nothing to import.
    let empty = "{\"export\":{\"format\":1,\"events\":0}}\n{\"end\":{\"events\":0,\"head\":\"0000000000000000000000000000000000000000000000000000000000000000\"}}\n";
    std::fs::write(&file, empty).unwrap();
    let r = third.run(&["import", path_str(&file)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("har ingen hændelser"), "{}", r.stderr);
    assert!(!third.db.exists());
}

#[test]
fn a_second_process_is_told_the_database_is_in_use() {
    let log = Log::new();
    log.add(&["--category", "kritisk"]);
    // A writer keeps the log to itself while it writes.
    let held = LocalStore::open(&log.db).unwrap();
    held.add_measurements(&[]).unwrap();
    let r = log.run(&["--wait", "0", "react", "1"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("databasen bruges af en anden frist-proces"),
        "{}",
        r.stderr
    );
    let r = log.run(&["--wait", "0", "--lang", "en", "list"]);
    assert!(
        r.stderr.contains("in use by another frist process"),
        "{}",
        r.stderr
    );
    drop(held);
    log.ok(&["react", "1"]);
    assert!(log.ok(&["verify"]).contains("OK: 3"));
}

#[test]
fn a_database_from_a_newer_frist_is_refused() {
    let log = Log::new();
    log.add(&["--category", "kritisk"]);
    LocalStore::open(&log.db)
        .unwrap()
        .tamper_head(|h| h["layout"] = (frist::store::SCHEMA_VERSION + 1).into())
        .unwrap();
    let r = log.run(&["list"]);
    assert_eq!(r.code, 1);
    let newer = format!(
        "skrevet af en nyere frist (skema {})",
        frist::store::SCHEMA_VERSION + 1
    );
    assert!(r.stderr.contains(&newer), "{}", r.stderr);
}

#[test]
fn a_reader_that_stops_early_is_no_error() {
    use std::io::{BufRead, BufReader};
    let log = Log::new();
    log.ok(&["demo", "--tickets", "2000", "--seed", "2"]);
    // More than a pipe holds, so frist is still writing when the reader goes (`| head -1`).
    let mut child = log
        .cmd(&["list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("tilstand"), "{first}");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!((out.status.code(), stderr.as_ref()), (Some(0), ""));
    assert!(log.ok(&["verify"]).contains("2.000 sager"));
}

#[test]
fn the_list_and_show_name_states_and_steps_in_the_users_language() {
    let log = Log::new();
    log.ok(&["demo", "--tickets", "60", "--seed", "3"]);
    // The state column: after the id, up to the municipality's column.
    let states = |out: &str| -> Vec<String> {
        let header = out.lines().next().unwrap_or("");
        let width = header.find(['k', 'm']).unwrap_or(23) - 9;
        out.lines()
            .skip(1)
            .map(|l| {
                let s: String = l.chars().skip(9).take(width).collect();
                s.trim().to_string()
            })
            .filter(|s| !s.is_empty())
            .collect()
    };
    let da = log.ok(&["list"]);
    let words = states(&da);
    assert!(words.iter().any(|w| w == "lukket"), "{da}");
    assert!(words.iter().any(|w| w == "løst, afventer"), "{da}");
    assert!(
        !words.iter().any(|w| w == "closed" || w == "resolved"),
        "{da}"
    );
    let en = log.ok(&["--lang", "en", "list"]);
    let words = states(&en);
    assert!(words.iter().any(|w| w == "closed"), "{en}");
    assert!(words.iter().any(|w| w == "resolved, awaiting"), "{en}");

    // The timeline names each step as the TUI does.
    let show = log.ok(&["show", "1"]);
    assert!(show.contains(" anmeldt "), "{show}");
    assert!(!show.contains(" reported "), "{show}");
    let show = log.ok(&["--lang", "en", "show", "1"]);
    assert!(show.contains(" reported "), "{show}");
}

#[test]
fn a_log_from_an_earlier_frist_in_sled_is_moved_once_and_reads_the_same() {
    let log = Log::new();
    log.ok(&["demo", "--tickets", "60", "--seed", "3"]);
    let (list, show, export) = (log.ok(&["list"]), log.ok(&["show", "7"]), log.export());
    // The same log as an earlier frist kept it: in sled, at schema 2.
    let old = in_sled(&export);
    frist::store::SledStore::open(&old.db)
        .unwrap()
        .downgrade_to_schema_2()
        .unwrap();
    let r = old.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, list);
    assert!(r.stderr.contains("flytter loggen fra sled"), "{}", r.stderr);
    assert!(r.stderr.contains("sled-schema-5"), "{}", r.stderr);
    assert!(old.db.join("sled-schema-5").join("db").is_file());
    assert!(!old.db.join("db").exists());
    // From then on it is an ordinary log: the same ticket, the same chain, moved only once.
    let r = old.run(&["show", "7"]);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), (show.as_str(), ""));
    assert_eq!(old.export(), export);
    assert!(old.ok(&["verify"]).contains("60 sager"));
    old.ok(&["react", "60"]);
    assert!(old.ok(&["verify"]).starts_with("OK"));
}

/// The same log in sled, as an earlier frist kept it.
fn in_sled(export: &str) -> Log {
    let old = Log::new();
    let s = frist::store::SledStore::open(&old.db).unwrap();
    let mut events = export
        .lines()
        .filter_map(|l| serde_json::from_str::<frist::store::chain::Record>(l).ok())
        .map(|r| r.event);
    s.import(&mut events).unwrap();
    drop(s);
    old
}

#[test]
fn a_move_from_sled_killed_half_way_starts_again_and_a_failed_one_leaves_the_sled_log() {
    let log = Log::new();
    log.ok(&["demo", "--tickets", "20", "--seed", "4"]);
    let (list, export) = (log.ok(&["list"]), log.export());
    // Killed half-way: a head marked as a load under way, and some events.
    let old = in_sled(&export);
    let zeros = "0".repeat(64);
    std::fs::write(
        old.db.join("head"),
        format!(
            r#"{{"layout":6,"events":0,"hash":"{zeros}","next_id":1,"lens":{{"events":0,"pos":0,"states":0,"slots_from":0,"municipalities":0,"messages":0,"contracts":0,"measurements":0}},"stream":{{"positions":[],"contacts":[]}},"bulk":true}}"#
        ),
    )
    .unwrap();
    std::fs::write(old.db.join("events"), b"half").unwrap();
    let r = old.run(&["list"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, list.as_str()),
        "{}",
        r.stderr
    );
    assert_eq!(old.export(), export);
    // A log whose move fails stays a sled log: the next command tries again and says why.
    let old = in_sled(&export);
    std::fs::write(old.db.join("events"), b"not ours").unwrap();
    std::fs::create_dir(old.db.join("head")).unwrap(); // no head can be written
    let r = old.run(&["list"]);
    assert_ne!(r.code, 0);
    std::fs::remove_dir(old.db.join("head")).unwrap();
    assert!(
        old.db.join("db").is_file(),
        "sled's files stay where they were"
    );
    assert_eq!(old.ok(&["list"]), list);
}

#[test]
fn demo_is_deterministic_and_refuses_a_non_empty_database() {
    let a = Log::new();
    let b = Log::new();
    let r = a.run(&["demo", "--tickets", "300", "--seed", "5"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("advarsel"), "{}", r.stderr);
    b.ok(&["demo", "--tickets", "300", "--seed", "5"]);
    assert_eq!(a.export(), b.export());
    assert!(a.ok(&["verify"]).contains("300 sager"));
    let all = a.json(&["list", "--json"]);
    let all = all.as_array().unwrap();
    let count = |f: &dyn Fn(&serde_json::Value) -> bool| all.iter().filter(|t| f(t)).count();
    assert!(count(&|t| t["state"] == "closed") > 100);
    assert!(count(&|t| t["state"] != "closed") > 5);
    assert!(count(&|t| t["resolution"]["status"] == "breached") > 5);
    assert!(count(&|t| t["resolution"]["status"] == "met") > 100);
    let municipalities: std::collections::BTreeSet<_> =
        all.iter().map(|t| t["municipality"].to_string()).collect();
    assert!(municipalities.len() >= 10);
    let export = a.export();
    assert!(export.contains("\"type\":\"rejected\""));
    assert!(export.contains("\"type\":\"paused\""));

    let r = a.run(&["demo", "--tickets", "10"]);
    assert_eq!(r.code, 2);
    a.ok(&["demo", "--tickets", "3", "--force"]);
    assert!(a.ok(&["verify"]).contains("303 sager"));
    let s = LocalStore::open(&a.db).unwrap();
    assert!(s.ticket(303).unwrap().is_some());
}

#[test]
fn completions_are_printed() {
    let log = Log::new();
    let out = log.ok(&["completions", "bash"]);
    assert!(out.contains("frist") && out.contains("breaches"));
}

/// The monthly report reads the log, and response-time measurements imported from a file
/// appear in it; a bad file is refused whole.
#[test]
fn report_reads_the_log_and_imported_response_times() {
    let log = Log::new();
    // Kritisk, Mon 03.03.2025 09:00: resolution due 14:00, resolved 16:00 → late, 5.000 kr.
    let id = log.add(&["--category", "kritisk", "--at", "2025-03-03 09:00"]);
    log.ok(&["react", &id.to_string(), "--at", "2025-03-03 09:30"]);
    log.ok(&["resolve", &id.to_string(), "--at", "2025-03-03 16:00"]);
    let csv = log.dir.path().join("svartider.csv");
    let mut lines = String::from("transaktion;tidspunkt;sekunder\n");
    for i in 0..25 {
        lines.push_str(&format!("Login i App'en;2025-03-04 10:{i:02};2,0\n"));
    }
    std::fs::write(&csv, &lines).unwrap();
    let bad = log.dir.path().join("bad.csv");
    std::fs::write(&bad, format!("{lines}Login i App'en;i går;2\n")).unwrap();
    let r = log.run(&["svartider", "import", path_str(&bad)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("27"), "names the bad line: {}", r.stderr);
    let r = log.run(&["svartider", "import", path_str(&csv)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("25"), "{}", r.stdout);

    let v = log.json(&["report", "--month", "2025-03", "--format", "json"]);
    let kritisk = v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "kritisk")
        .unwrap();
    assert_eq!(kritisk["count"], 1);
    assert_eq!(kritisk["resolution"]["breached"], 1);
    assert_eq!(kritisk["reaction"]["met"], 1);
    assert_eq!(v["fines"]["resolution"], 5000);
    let rt = v.to_string();
    assert!(rt.contains("Login i App'en"), "{rt}");
    assert!(
        !rt.contains("\"count\":50"),
        "the bad file added nothing: {rt}"
    );

    let md = log.ok(&["report", "--month", "2025-03", "--municipality", "aarhus"]);
    assert!(md.contains("5.000 kr."), "{md}");
    let other = log.json(&[
        "report",
        "--month",
        "2025-03",
        "--municipality",
        "Lemvig",
        "--format",
        "json",
    ]);
    assert_eq!(
        other["fines"]["resolution"], 0,
        "another municipality's report"
    );
}

#[test]
fn demo_days_sets_the_spread_and_a_tenth_awaits_acceptance() {
    let log = Log::new();
    log.ok(&["demo", "--tickets", "400", "--days", "10"]);
    let all = log.json(&["list", "--json"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 400);
    // NOW is 2025-03-10 12:00: ten days back is 2025-02-28.
    let earliest = all
        .iter()
        .map(|t| t["reported"].as_str().unwrap().to_string())
        .min()
        .unwrap();
    assert!(earliest.as_str() >= "2025-02-28", "{earliest}");
    let awaiting = all.iter().filter(|t| t["state"] == "resolved").count();
    assert!(
        (20..=80).contains(&awaiting),
        "{awaiting} awaiting acceptance"
    );
    let r = log.run(&["demo", "--tickets", "5", "--days", "0", "--force"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--days"), "{}", r.stderr);
}

#[test]
fn a_pause_from_exactly_the_deadline_keeps_the_fault_met_and_free() {
    // Domain §4.3: kritisk reported Mon 10:00, resolution due 15:00; waiting for the
    // municipality 15:00–16:00, resolved 16:00 → the deadline moved to 16:00: met, 0 kr.
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-03 10:00"]);
    log.ok(&["react", "1", "--at", "2025-03-03 11:00"]);
    log.ok(&[
        "pause",
        "1",
        "--reason",
        "Venter på kommunens logfiler",
        "--at",
        "2025-03-03 15:00",
    ]);
    log.ok(&["resume", "1", "--at", "2025-03-03 16:00"]);
    log.ok(&["resolve", "1", "--at", "2025-03-03 16:00"]);
    let v = log.json(&["show", "1", "--json"]);
    assert_eq!(v["resolution"]["deadline"], "2025-03-03T16:00:00+01:00");
    assert_eq!(v["resolution"]["status"], "met");
    assert_eq!(v["fine"]["total"], 0);
    assert_eq!(v["window"], "day");
    assert_eq!(v["reported_in_window"], true);
    let human = log.ok(&["show", "1"]);
    assert!(!human.contains("5.000 kr."), "{human}");
}

#[test]
fn show_json_names_the_targets_that_applied_to_a_night_report() {
    let log = Log::new();
    // laaseenhed has no outside targets: reported Monday night, the day targets apply from
    // Tuesday's opening. kritisk has them: its outside targets apply.
    log.add(&["--category", "laaseenhed", "--at", "2025-03-03 22:00"]);
    log.add(&["--category", "kritisk", "--at", "2025-03-03 22:00"]);
    let v = log.json(&["show", "1", "--json"]);
    assert_eq!(v["window"], "day");
    assert_eq!(v["reported_in_window"], false);
    let v = log.json(&["show", "2", "--json"]);
    assert_eq!(v["window"], "outside");
    assert_eq!(v["reported_in_window"], false);
}

#[test]
fn at_the_deadline_minute_a_timer_is_not_breached() {
    // kritisk Mon 03.03.2025 09:00: reaction due 12:00; `now` is 10.03 12:00, so report a week
    // earlier at 09:00 and look at the reaction exactly at the deadline through FRIST_NOW.
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-10 09:00"]);
    let v = log.json(&["show", "1", "--json"]);
    assert_eq!(v["reaction"]["deadline"], "2025-03-10T12:00:00+01:00");
    assert_eq!(v["reaction"]["status"], "at-risk");
    let r = log
        .cmd(&["show", "1", "--json"])
        .env("FRIST_NOW", "2025-03-10 12:01")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["reaction"]["status"], "breached");
}

#[test]
fn add_says_how_sure_its_guess_was_and_warns_when_unsure() {
    let log = Log::new();
    // A critical fault in the title only, with words between scope and failure.
    let r = log.run(&[
        "add",
        "--municipality",
        "Rebild",
        "--title",
        "Ingen i hjemmeplejen kan logge ind i appen",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = log.json(&["show", "1", "--json"]);
    assert_eq!(v["category"], "kritisk", "{}", r.stderr);
    assert!(r.stderr.contains("% sikker"), "{}", r.stderr);
    assert!(!r.stderr.contains("usikkert"), "{}", r.stderr);
    // A vague text: filed with the guess, but said to be unsure, with how to correct it.
    let r = log.run(&[
        "add",
        "--municipality",
        "Rebild",
        "--title",
        "Der er noget med systemet",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "2\n");
    assert!(
        r.stderr
            .contains("gættet er usikkert (under kontraktens grænse på 50 %)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("frist reclassify 2 --category"),
        "{}",
        r.stderr
    );
    let r = log.run(&[
        "--lang",
        "en",
        "add",
        "--municipality",
        "Rebild",
        "--title",
        "Der er noget med systemet",
    ]);
    assert!(
        r.stderr
            .contains("No --category: frist guessed the category"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("the guess is unsure"), "{}", r.stderr);
}

#[test]
fn a_broken_or_impossible_time_is_refused_with_exit_2_never_a_panic() {
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-03 10:00"]);
    // A multi-byte character where a byte slice would cut it (issue 14).
    for at in ["2025-03-0ø 10:00", "2025-03-ø1 10:00", "ååååååååååå"] {
        let r = log.run(&[
            "add",
            "--municipality",
            "Aarhus",
            "--title",
            "x",
            "--category",
            "kritisk",
            "--at",
            at,
        ]);
        assert_eq!(r.code, 2, "{at}: {}", r.stderr);
        assert!(
            r.stderr.contains("kan ikke læse tidspunktet"),
            "{}",
            r.stderr
        );
    }
    let r = log
        .cmd(&["list"])
        .env("FRIST_NOW", "2025-03-0ø 10:00")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    // Years the calendar cannot compute for are refused where they are typed, so no stored
    // ticket can make a report fail.
    for at in ["0001-01-01 00:00", "1999-12-31 23:00"] {
        let r = log.run(&[
            "add",
            "--municipality",
            "Aarhus",
            "--title",
            "x",
            "--category",
            "kritisk",
            "--at",
            at,
        ]);
        assert_eq!(r.code, 2, "{at}: {}", r.stderr);
        assert!(
            r.stderr.contains("ligger uden for kalenderen") && r.stderr.contains("2000–2098"),
            "{}",
            r.stderr
        );
    }
    let r = log.run(&[
        "correct-report-time",
        "1",
        "--to",
        "0001-01-01 00:00",
        "--reason",
        "tastefejl",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("uden for kalenderen"), "{}", r.stderr);
    let r = log
        .cmd(&["list"])
        .env("FRIST_NOW", "9999-12-31 23:59")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("--now / FRIST_NOW"));
    // Nothing was written by the refused commands: the report still reads the month.
    assert_eq!(log.json(&["list", "--json"]).as_array().unwrap().len(), 1);
    log.ok(&["report", "--month", "2025-03"]);
}

#[test]
fn demo_days_out_of_range_is_refused_naming_the_flag_and_range() {
    let log = Log::new();
    for days in ["4294967295", "0", "3661"] {
        let r = log.run(&["demo", "--tickets", "5", "--days", days]);
        assert_eq!(r.code, 2, "{days}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("--days {days}")) && r.stderr.contains("1–3660"),
            "{}",
            r.stderr
        );
    }
    // Ten years back from 2025 is fine; from 2001 it would reach before the calendar.
    let r = log
        .cmd(&["demo", "--tickets", "5", "--days", "3000"])
        .env("FRIST_NOW", "2001-03-10 12:00")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("når tilbage til"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(!log.db.exists(), "a refused first demo leaves no log");
}

#[test]
fn on_a_local_log_a_ticket_is_assigned_by_name_and_list_mine_shows_ones_own() {
    let log = Log::new();
    let a = log.add(&[]);
    let b = log.add(&[]);
    log.ok(&["assign", &a.to_string(), "--to", "mette"]);
    log.ok(&["assign", &b.to_string(), "--to", "jonas"]);
    let mine = log.ok(&["list", "--mine"]);
    assert!(
        mine.contains(&format!("{a:>7}")) && !mine.contains(&format!("{b:>7}")),
        "{mine}"
    );
    assert!(mine.contains("1 sager") || mine.contains("1 sag"), "{mine}");
    let all = log.ok(&["list"]);
    assert!(all.contains("tildelt") && all.contains("jonas"), "{all}");
    // Nobody is not someone.
    let r = log.run(&["assign", &a.to_string(), "--to", " "]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("angiv hvem sagen tildeles"),
        "{}",
        r.stderr
    );
    assert!(log.ok(&["verify"]).contains("OK"));
}

/// Terminal escape sequences a hostile or careless title may hold: set the window title, clear
/// the screen, write the clipboard (OSC 52), and a C1 control.
const HOSTILE: &str = "\x1b]0;pwned\x07 \x1b[2J \x1b]52;c;cHduZWQ=\x07 \u{9b}31m";

fn assert_no_controls(what: &str, s: &str) {
    assert!(
        !s.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t'),
        "{what} lets a control character through: {s:?}"
    );
}

#[test]
fn escape_sequences_in_the_log_are_shown_escaped_and_kept_exact_in_json() {
    let log = Log::new();
    let muni = "Ond\x1b[31mkommune";
    let out = log.ok(&[
        "add",
        "--municipality",
        muni,
        "--new-municipality",
        "--title",
        HOSTILE,
        "--reporter",
        "Lone\x1b[8m",
        "--category",
        "kritisk",
        "--at",
        "2025-03-03 15:30",
    ]);
    assert_eq!(out.trim(), "1");
    log.ok(&["note", "1", "ring\x1b]52;c;eA==\x07 tilbage"]);

    for args in [
        &["list"][..],
        &["show", "1"],
        &["breaches", "--month", "2025-03"],
        &["report", "--month", "2025-03"],
    ] {
        let s = log.ok(args);
        assert_no_controls(&format!("{args:?}"), &s);
        assert!(
            s.contains("\\x1b]0;pwned\\x07") || s.contains("\\x1b[31m"),
            "{args:?} shows what was typed: {s}"
        );
    }
    let show = log.ok(&["show", "1"]);
    assert!(show.contains("\\x1b]52;c;cHduZWQ=\\x07"), "{show}");
    assert!(show.contains("Ond\\x1b[31mkommune"), "{show}");
    assert!(show.contains("ring\\x1b]52;c;eA==\\x07 tilbage"), "{show}");
    assert!(show.contains("\\u{9b}31m"), "{show}");

    // JSON keeps the text exact.
    let v = log.json(&["show", "1", "--json"]);
    assert_eq!(v["title"], HOSTILE);
    assert_eq!(v["municipality"], muni);
    assert_eq!(log.json(&["list", "--json"])[0]["title"], HOSTILE);
    let v: serde_json::Value =
        serde_json::from_str(&log.ok(&["report", "--month", "2025-03", "--format", "json"]))
            .unwrap();
    assert!(v.to_string().contains("pwned"), "{v}");
}

#[test]
fn the_csv_report_quotes_semicolons_and_never_runs_a_formula() {
    let log = Log::new();
    let formula = "=HYPERLINK(\"http://x.example\";\"klik\")";
    for (muni, title) in [("Ny;By", "Låsen er død"), ("Aarhus", formula)] {
        log.ok(&[
            "add",
            "--municipality",
            muni,
            "--new-municipality",
            "--title",
            title,
            "--category",
            "kritisk",
            "--at",
            "2025-03-03 15:30",
        ]);
    }
    let s = log.ok(&["report", "--month", "2025-03", "--format", "csv"]);
    assert!(s.starts_with('\u{feff}'), "UTF-8 with BOM");
    assert!(s.contains(";\"Ny;By\";"), "{s}");
    assert!(
        s.contains(";\"'=HYPERLINK(\"\"http://x.example\"\";\"\"klik\"\")\";"),
        "{s}"
    );
    assert!(!s.contains(";=HYPERLINK"), "{s}");
    assert!(!s.contains(";\"=HYPERLINK"), "{s}");
}

#[test]
fn a_municipality_or_category_that_does_not_exist_is_refused_by_read_commands() {
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]);
    log.ok(&[
        "add",
        "--municipality",
        "Nyby Boligselskab",
        "--new-municipality",
        "--title",
        "Låsen er død",
        "--category",
        "kritisk",
        "--at",
        "2025-03-03 15:30",
    ]);
    let before = log.export();
    for args in [
        &["report", "--month", "2025-03", "--municipality", "Arhus"][..],
        &["list", "--municipality", "Arhus"],
        &["list", "--municipality", "Arhus", "--json"],
        &[
            "report",
            "--month",
            "2025-03",
            "--municipality",
            "Arhus",
            "--format",
            "csv",
        ],
    ] {
        let r = log.run(args);
        assert_eq!(r.code, 2, "frist {args:?}: {}", r.stdout);
        assert!(r.stdout.is_empty(), "no clean 0 kr. report: {}", r.stdout);
        assert!(
            r.stderr.contains("ukendt kommune 'Arhus'") && r.stderr.contains("mente du 'Aarhus'?"),
            "{}",
            r.stderr
        );
    }
    let r = log.run(&["--lang", "en", "list", "--municipality", "Nyby Bolgselskab"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean 'Nyby Boligselskab'?"),
        "a name from the log is suggested too: {}",
        r.stderr
    );
    // A name in the log, a known municipality with no tickets, and "… Kommune" are fine.
    let mine = log.json(&["list", "--municipality", "nyby boligselskab", "--json"]);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["municipality"], "Nyby Boligselskab");
    let md = log.ok(&[
        "report",
        "--month",
        "2025-03",
        "--municipality",
        "Aarhus Kommune",
    ]);
    assert!(md.contains("Kommune: Aarhus"), "{md}");
    assert!(md.contains("| 1 | Aarhus | Låsen reagerer ikke |"), "{md}");
    assert!(!md.contains("Nyby"), "{md}");
    log.ok(&["list", "--municipality", "Lemvig"]);

    let r = log.run(&[
        "deadline",
        "--category",
        "kritsk",
        "--reported",
        "2025-03-03 15:30",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("mente du 'kritisk'?"), "{}", r.stderr);
    assert_eq!(log.export(), before, "reading wrote nothing");
}

#[test]
fn show_prints_the_whole_description_wrapped_to_the_width() {
    let log = Log::new();
    let description = "Siden i morges kan ingen af medarbejderne i hjemmeplejen i Viby åbne \
        borgernes døre med appen; de får en fejl om at nøglen er udløbet, og de må ringe til \
        vagten for hver eneste dør. Vi har genstartet telefonerne uden at det hjalp.";
    log.add(&[
        "--category",
        "kritisk",
        "--at",
        "2025-03-03 15:30",
        "--description",
        description,
    ]);
    for width in [40u16, 80, 120] {
        let human = log.ok(&["show", "1", "--width", &width.to_string()]);
        let lines: Vec<&str> = human
            .lines()
            .skip_while(|l| !l.starts_with("  Beskrivelse:"))
            .skip(1)
            .take_while(|l| l.starts_with("    "))
            .collect();
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() <= usize::from(width)),
            "{width}: {human}"
        );
        let joined = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
        assert_eq!(joined, description, "{width}: {human}");
        if width == 40 {
            assert!(lines.len() >= 6, "{human}");
        }
    }
}

#[test]
fn list_search_finds_title_description_notes_and_reporter() {
    let log = Log::new();
    log.add(&[
        "--category",
        "kritisk",
        "--at",
        "2025-03-03 15:30",
        "--description",
        "Nøglebrikkerne i Viby virker ikke",
        "--reporter",
        "Bo Hansen",
    ]);
    log.add(&["--category", "systemfejl", "--at", "2025-03-03 16:00"]);
    log.ok(&["note", "2", "Kunden sender skærmbilleder"]);
    let ids = |args: &[&str]| -> Vec<u64> {
        let mut a = vec!["list", "--json"];
        a.extend_from_slice(args);
        log.json(&a)
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(ids(&["--search", "viby NØGLEBRIKKERNE"]), vec![1]);
    assert_eq!(ids(&["--search", "skærmbilleder"]), vec![2]);
    assert_eq!(ids(&["--search", "bo hansen"]), vec![1]);
    assert_eq!(ids(&["--search", "låsen"]), vec![1, 2]);
    assert!(ids(&["--search", "findes ikke"]).is_empty());
    let human = log.ok(&["list", "--search", "skærmbilleder"]);
    assert_eq!(
        human.lines().count(),
        3,
        "header, one ticket, the count: {human}"
    );
}

/// The default demo reads like a real desk: availability of 98–100 % in its months, a few
/// breaches per municipality a month, written acceptances within days (a few late), every
/// state and every category present.
#[test]
fn the_demo_looks_like_a_real_desk() {
    let log = Log::new();
    log.ok(&["demo"]);
    let all = log.json(&["list", "--json"]);
    let all = all.as_array().unwrap();
    let states: std::collections::BTreeSet<&str> =
        all.iter().map(|t| t["state"].as_str().unwrap()).collect();
    for s in ["open", "reacted", "paused", "resolved", "closed"] {
        assert!(states.contains(s), "no {s} ticket: {states:?}");
    }
    let categories: std::collections::BTreeSet<&str> = all
        .iter()
        .map(|t| t["category"].as_str().unwrap())
        .collect();
    assert_eq!(categories.len(), 10, "{categories:?}");
    // NOW is 2025-03-10: December (from the 10th), January, February and March to date.
    for month in ["2024-12", "2025-01", "2025-02", "2025-03"] {
        let r = log.json(&["report", "--month", month, "--format", "json"]);
        let availability = r["availability"]["percent"].as_f64().unwrap();
        assert!(
            (98.0..=100.0).contains(&availability),
            "{month}: {availability} %"
        );
        let mut per_municipality = std::collections::BTreeMap::new();
        for b in r["breaches"].as_array().unwrap() {
            *per_municipality
                .entry(b["municipality"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
        assert!(
            per_municipality.values().all(|n| *n <= 4),
            "{month}: {per_municipality:?}"
        );
    }
    // Written acceptance: the wait from the resolution that counts to the acceptance.
    let mut resolved = std::collections::HashMap::new();
    let mut waits = Vec::new();
    for line in log.export().lines() {
        let line: serde_json::Value = serde_json::from_str(line).unwrap();
        let e = &line["event"];
        if e.is_null() {
            continue; // the start and end lines
        }
        let t = e["ticket"].as_u64().unwrap();
        let at = chrono::DateTime::parse_from_rfc3339(e["effective"].as_str().unwrap()).unwrap();
        match e["type"].as_str().unwrap_or_default() {
            "resolved" => {
                resolved.insert(t, at);
            }
            "accepted" => waits.push((at - resolved[&t]).num_hours()),
            _ => {}
        }
    }
    waits.sort_unstable();
    assert!(waits.len() > 150, "{}", waits.len());
    let median = waits[waits.len() / 2];
    assert!(median <= 48, "median wait {median} h");
    assert!(waits.iter().all(|h| *h <= 16 * 24), "{waits:?}");
    assert!(waits.iter().any(|h| *h > 3 * 24), "a few are late");
}

#[test]
fn a_damaged_database_file_is_named_with_what_to_do_not_a_driver_message() {
    let log = Log::new();
    log.ok(&["demo", "--tickets", "50"]);
    // Cut the log's events short, as a failing disk might.
    let events = log.db.join("events");
    let whole = std::fs::read(&events).unwrap();
    std::fs::write(&events, &whole[..5000]).unwrap();
    let r = log.run(&["list"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("er beskadiget")
            && r.stderr.contains(log.db.to_str().unwrap())
            && r.stderr.contains("frist import"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn add_from_a_file_logs_every_line_as_add_does_and_prints_the_ids() {
    let log = Log::new();
    assert_eq!(
        log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]),
        1
    );
    let file = log.dir.path().join("nye.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"municipality":"Aarhus","title":"Døre åbner ikke","category":"kritisk","at":"2025-03-05 09:00"}"#,
            "\n\n",
            r#"{"municipality":"odense kommune","title":"Batteriet er fladt i dør 3","reporter":"Lone","description":"Skift batteri"}"#,
            "\n",
        ),
    )
    .unwrap();
    assert_eq!(log.ok(&["add", "--from", path_str(&file)]), "2\n3\n");
    let two = log.json(&["show", "2", "--json"]);
    assert_eq!(two["category"], "kritisk");
    assert_eq!(two["reported"], "2025-03-05T09:00:00+01:00");
    // Without a category or a time: classified as `add` does, reported now; the municipality
    // is spelt as frist knows it.
    let three = log.json(&["show", "3", "--json"]);
    assert_eq!(three["municipality"], "Odense");
    assert_eq!(three["reported"], "2025-03-10T12:00:00+01:00");
    let events: Vec<serde_json::Value> = log
        .export()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &serde_json::Value| e["event"]["ticket"] == 3)
        .collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["event"]["reporter"], "Lone", "{events:?}");
    assert_eq!(events[1]["event"]["by"], "auto", "{events:?}");

    // CSV with a header, from standard input, a quoted comma in a title.
    let mut c = log.cmd(&["add", "--from", "-"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            "municipality,title,category,at\nAarhus,\"Server nede, alle skoler\",systemfejl,2025-03-07 10:00\nVejle,Ny lås i hal 2,montering,\n"
                .as_bytes(),
        )
        .unwrap();
    let r = out(child.wait_with_output().unwrap());
    assert_eq!((r.code, r.stdout.as_str()), (0, "4\n5\n"), "{}", r.stderr);
    let four = log.json(&["show", "4", "--json"]);
    assert_eq!(four["title"], "Server nede, alle skoler");
    assert_eq!(four["category"], "systemfejl");
    assert!(log.ok(&["verify"]).contains("5 sager"));
}

#[test]
fn add_from_a_file_with_a_bad_line_writes_nothing_and_names_the_line() {
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]);
    let before = log.export();
    let good = r#"{"municipality":"Aarhus","title":"Døre åbner ikke","category":"kritisk"}"#;
    let cases: [(&str, String, &str); 6] = [
        (
            "l.jsonl",
            format!("{good}\n{}\n", r#"{"municipality":"Aarhuss","title":"x"}"#),
            "linje 2: ukendt kommune 'Aarhuss'; mente du 'Aarhus'?",
        ),
        (
            "l.jsonl",
            format!(
                "{good}\n{good}\n{}\n",
                r#"{"municipality":"Aarhus","title":"x","at":"2025-03-11 09:00"}"#
            ),
            "linje 3: \"at\": tir 11.03.2025 09:00 ligger i fremtiden",
        ),
        (
            "l.jsonl",
            format!("{good}\n{}\n", r#"{"municipality":"Aarhus","titel":"x"}"#),
            "linje 2: ikke en sag i JSON",
        ),
        (
            "l.jsonl",
            format!(
                "{}\n",
                r#"{"municipality":"Aarhus","title":"x","category":"kritsk"}"#
            ),
            "linje 1: ",
        ),
        (
            "l.csv",
            "municipality,title,kategori\nAarhus,x,kritisk\n".into(),
            "linje 1: ukendt kolonne 'kategori'",
        ),
        (
            "l.csv",
            "municipality,title\nAarhus,x\nAarhus,\n".into(),
            "linje 3: \"title\" er tom",
        ),
    ];
    for (name, text, said) in cases {
        let file = log.dir.path().join(name);
        std::fs::write(&file, &text).unwrap();
        let r = log.run(&["add", "--from", path_str(&file)]);
        assert_eq!(r.code, 2, "{text}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{text}: {}", r.stdout);
        assert!(r.stderr.contains(said), "{text}: {}", r.stderr);
        assert!(r.stderr.contains("intet er skrevet"), "{}", r.stderr);
        assert_eq!(log.export(), before, "{text}");
    }
    let r = log.run(&["add", "--from", "findes-ikke.jsonl"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--from findes-ikke.jsonl"),
        "{}",
        r.stderr
    );
    // `add` without --from still needs its municipality and title.
    assert_eq!(log.run(&["add", "--title", "x"]).code, 2);
    assert_eq!(
        log.run(&["add", "--from", "x", "--title", "x"]).code,
        2,
        "--from and the single ticket's fields exclude each other"
    );
}
