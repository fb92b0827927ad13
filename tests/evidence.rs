//! A log that holds up in a dispute (issue 13): true recorded times and steps recorded late.
//! Real sled logs in temporary directories, through the real binary.

mod common;
use chrono::{DateTime, Datelike, TimeDelta, Utc};
use common::*;
use frist::store::chain::{canonical, link, End, Record, Start, GENESIS, MAX_TICKET_ID};
use frist::ticket::{Event, EventKind};
use serde_json::Value;

/// Runs frist on the log at the real clock (no `FRIST_NOW`).
fn real(log: &Log, args: &[&str]) -> Run {
    out(log.cmd(args).env_remove("FRIST_NOW").output().unwrap())
}

fn real_ok(log: &Log, args: &[&str]) -> String {
    let r = real(log, args);
    assert_eq!(r.code, 0, "frist {args:?} failed: {}", r.stderr);
    r.stdout
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

fn events(log: &Log) -> Vec<Value> {
    log.export()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["event"].clone())
        .filter(|e| !e.is_null())
        .collect()
}

fn instant(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn a_write_is_recorded_at_the_real_clock_whatever_now_says() {
    // FRIST_NOW is 2025-03-10 12:00 for every command of `Log`.
    let log = Log::new();
    let before = Utc::now() - TimeDelta::seconds(1);
    log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]);
    log.ok(&["react", "1", "--at", "2025-03-03 16:00"]);
    log.ok(&["resolve", "1"]);
    let after = Utc::now() + TimeDelta::seconds(1);
    let evs = events(&log);
    assert_eq!(evs.len(), 4);
    for e in &evs {
        let recorded = instant(&e["recorded"]);
        assert!(
            recorded >= before && recorded <= after,
            "recorded at the machine's clock, not FRIST_NOW: {e}"
        );
    }
    // --now is still when the step took effect (the default of --at) and what is evaluated.
    assert_eq!(instant(&evs[3]["effective"]), utc("2025-03-10T11:00:00Z"));
    let v = log.json(&["show", "1", "--json"]);
    assert_eq!(v["resolution"]["done"], "2025-03-10T12:00:00+01:00");
    assert!(log.ok(&["verify"]).starts_with("OK"));
}

#[test]
fn show_marks_a_step_recorded_days_after_it_happened() {
    let log = Log::new();
    let reported = Utc::now() - TimeDelta::days(3) - TimeDelta::hours(2);
    let id = real_ok(
        &log,
        &[
            "add",
            "--municipality",
            "Aarhus",
            "--title",
            "Låsen reagerer ikke",
            "--category",
            "laaseenhed",
            "--at",
            &rfc(reported),
        ],
    );
    assert_eq!(id.trim(), "1");
    real_ok(&log, &["note", "1", "ringede til kommunen"]);
    let human = real_ok(&log, &["show", "1"]);
    let lines: Vec<&str> = human.lines().collect();
    let reported_line = lines.iter().find(|l| l.contains("#0")).unwrap();
    assert!(
        reported_line.contains("registreret 3 dage senere"),
        "{human}"
    );
    let note_line = lines.iter().find(|l| l.contains("#2")).unwrap();
    assert!(!note_line.contains("registreret"), "{human}");
    let en = real_ok(&log, &["--lang", "en", "show", "1"]);
    assert!(en.contains("recorded 3 days later"), "{en}");
}

#[test]
fn the_monthly_report_lists_steps_recorded_late_in_every_format() {
    let log = Log::new();
    let reported = Utc::now() - TimeDelta::days(3) - TimeDelta::hours(2);
    real_ok(
        &log,
        &[
            "add",
            "--municipality",
            "Aarhus",
            "--title",
            "Låsen reagerer ikke",
            "--category",
            "laaseenhed",
            "--at",
            &rfc(reported),
        ],
    );
    // Logged at once: not late.
    real_ok(&log, &["note", "1", "ringede til kommunen"]);
    let local = reported.with_timezone(&chrono_tz::Europe::Copenhagen);
    let month = format!("{}-{:02}", local.year(), local.month());
    let report = |format: &str| real_ok(&log, &["report", "--month", &month, "--format", format]);
    let json: Value = serde_json::from_str(&report("json")).unwrap();
    let late = json["late_recordings"].as_array().unwrap();
    assert_eq!(late.len(), 2, "the report and its classification: {late:?}");
    assert_eq!(late[0]["ticket"], 1);
    assert_eq!(late[0]["step"], "reported");
    assert!(late[0]["minutes_later"].as_i64().unwrap() >= 3 * 24 * 60 + 120);
    let md = report("md");
    assert!(
        md.contains("Skridt registreret senere end de skete"),
        "{md}"
    );
    assert!(md.contains("registreret 3 dage senere"), "{md}");
    let csv = report("csv");
    assert!(
        csv.contains("Skridt registreret senere end de skete"),
        "{csv}"
    );
    assert!(csv.contains("1;#0;reported;mette;"), "{csv}");
    let html = report("html");
    assert!(html.contains("registreret 3 dage senere"), "{html}");
}

#[test]
fn the_board_clock_follows_the_wall_clock_from_a_now_start() {
    use frist::tui::run::{board_now, clock_offset};
    let loaded = frist::load::contract("laasesystem").unwrap();
    let wall = utc("2026-11-29T08:00:00Z");
    let mut ctx = frist::edge::Ctx {
        loaded,
        now: utc("2025-03-04T09:00:00Z"),
        fixed: true,
        lang: frist::i18n::Lang::Da,
        wait: std::time::Duration::ZERO,
    };
    // A --now start: the board starts at --now and runs on with the wall clock, also over
    // a laptop's sleep (the wall clock jumps, the board jumps with it).
    let offset = clock_offset(&ctx, wall);
    assert_eq!(board_now(offset, wall), ctx.now);
    assert_eq!(
        board_now(offset, wall + TimeDelta::hours(2)),
        ctx.now + TimeDelta::hours(2)
    );
    // Without --now the board shows the wall clock, however long a question waited before
    // the screen opened (ctx.now was read before it).
    ctx.fixed = false;
    ctx.now = wall - TimeDelta::seconds(61);
    let offset = clock_offset(&ctx, wall);
    assert_eq!(
        board_now(offset, wall + TimeDelta::seconds(5)),
        wall + TimeDelta::seconds(5)
    );
}

// ---- checkpoints (point 2) ----

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A log with a fined ticket (resolved 30 minutes late) and a second ticket: 7 events.
fn fined_log() -> Log {
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]);
    log.ok(&["react", "1", "--at", "2025-03-03 16:00"]);
    log.ok(&["resolve", "1", "--at", "2025-03-03 21:00"]);
    log.add(&["--category", "laaseenhed", "--at", "2025-03-04 09:00"]);
    log.ok(&["note", "2", "ringede"]);
    log
}

#[test]
fn a_checkpoint_is_signed_with_a_private_key_made_on_first_use() {
    let log = fined_log();
    let key = log.ok(&["checkpoint", "--key"]);
    assert_eq!(key.trim().len(), 64, "{key}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(log.keys().join("key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let file = log.dir.path().join("cp.json");
    let said = log.ok(&["checkpoint", "--out", path_str(&file)]);
    assert!(said.contains("7 hændelser"), "{said}");
    let cp: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let keys: Vec<&str> = cp.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(
        keys,
        ["at", "events", "head", "key", "log", "signature"],
        "{cp}"
    );
    assert_eq!(cp["events"], 7);
    assert_eq!(cp["key"], key.trim());
    let last = log
        .export()
        .lines()
        .last()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .unwrap();
    assert_eq!(cp["head"], last["end"]["head"], "the export's end line");
    // Appending after a checkpoint is what a log does: it still holds.
    log.ok(&["note", "1", "efterskrift"]);
    let v = log.ok(&["verify", "--checkpoint", path_str(&file)]);
    assert!(v.starts_with("OK: 8"), "{v}");
    assert!(
        v.contains("holder") && v.contains("1 hændelser er tilføjet"),
        "{v}"
    );
    // A checkpoint edited after it was signed is refused.
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"events\":7", "\"events\":6");
    std::fs::write(&file, edited).unwrap();
    let r = log.run(&["verify", "--checkpoint", path_str(&file)]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("signatur"), "{}", r.stderr);
}

#[test]
fn a_rollback_to_an_older_copy_is_caught_without_a_checkpoint_file() {
    let log = fined_log();
    let old = log.dir.path().join("old");
    copy_dir(&log.db, &old);
    log.ok(&["accept", "1", "--by", "Lone", "--ref", "mail"]);
    log.ok(&[
        "checkpoint",
        "--out",
        path_str(&log.dir.path().join("cp.json")),
    ]);
    assert!(log.ok(&["verify"]).contains("holder"));
    // The database folder is replaced by the copy taken before the acceptance.
    std::fs::remove_dir_all(&log.db).unwrap();
    copy_dir(&old, &log.db);
    assert!(log.ok(&["list"]).contains("2 sager"));
    let r = log.run(&["verify"]);
    assert_eq!(r.code, 1, "a cut tail is not OK: {}", r.stdout);
    assert!(!r.stdout.contains("OK"), "{}", r.stdout);
    // Opening it for a list says so on standard error.
    let r = log.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("advarsel") && r.stderr.contains("hændelse 8–8 mangler"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("loggen har 7 hændelser")
            && r.stderr.contains("bekræftede 8")
            && r.stderr.contains("hændelse 8–8 mangler"),
        "{}",
        r.stderr
    );
    // Nor is a monthly report made of it.
    let r = log.run(&["report", "--month", "2025-03"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("hændelse 8–8 mangler"), "{}", r.stderr);
    // Written on after the rollback: the new event 8 is not the one the checkpoint holds.
    log.ok(&["note", "2", "ny bemærkning"]);
    let r = log.run(&[
        "verify",
        "--checkpoint",
        path_str(&log.dir.path().join("cp.json")),
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("hændelse 8 (sag 2, hændelse #3)"),
        "{}",
        r.stderr
    );
    // And no new checkpoint signs the rolled-back log.
    let r = log.run(&["checkpoint"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("intet nyt kontrolpunkt"), "{}", r.stderr);
}

/// The event lines of an export.
fn records(export: &str) -> Vec<Record> {
    export
        .lines()
        .filter_map(|l| serde_json::from_str::<Record>(l).ok())
        .collect()
}

/// An export of these events with every hash, the start and the end line written anew: what
/// a forger who knows the format writes.
fn rehashed(events: impl IntoIterator<Item = Event>) -> String {
    let events: Vec<Event> = events.into_iter().collect();
    let mut prev = GENESIS;
    let mut text = serde_json::to_string(&Start::new(events.len() as u64)).unwrap() + "\n";
    for (i, event) in events.into_iter().enumerate() {
        prev = link(&prev, &canonical(&event));
        let r = Record {
            n: i as u64 + 1,
            hash: prev,
            event,
        };
        text += &(serde_json::to_string(&r).unwrap() + "\n");
    }
    let n = records(&text).len() as u64;
    text + &serde_json::to_string(&End::new(n, prev)).unwrap() + "\n"
}

#[test]
fn a_forged_and_rehashed_export_is_caught_naming_the_changed_event() {
    let log = fined_log();
    let file = log.dir.path().join("cp.json");
    log.ok(&["checkpoint", "--out", path_str(&file)]);
    assert_eq!(log.json(&["show", "1", "--json"])["fine"]["total"], 5000);
    // The resolution moved back inside its deadline; every hash, the start and the end line
    // computed anew: the file is a valid chain and a whole export.
    let forged = rehashed(records(&log.export()).into_iter().map(|mut r| {
        if r.event.ticket == 1 && r.event.seq == 3 {
            r.event.effective = utc("2025-03-03T19:00:00Z");
        }
        r.event
    }));
    let path = log.dir.path().join("forged.jsonl");
    std::fs::write(&path, forged).unwrap();
    // On the machine that made the log's checkpoint, the import is refused: the file does not
    // hold what that checkpoint committed to. Nothing is written, no folder is left.
    let copy = Log::new();
    let keys = log.keys();
    let run = |args: &[&str]| out(copy.cmd(args).env("FRIST_KEYS", &keys).output().unwrap());
    let r = run(&["import", path_str(&path)]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("filen holder ikke hvad kontrolpunktet bekræftede")
            && r.stderr.contains("hændelse 4 (sag 1, hændelse #3)")
            && r.stderr.contains("intet er importeret"),
        "{}",
        r.stderr
    );
    assert!(!copy.db.exists());
    // Elsewhere (no kept checkpoint) a checkpoint file the reader holds — the one in the
    // monthly report — refuses it at import …
    let r = copy.run(&["import", path_str(&path), "--checkpoint", path_str(&file)]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("hændelse 7"), "{}", r.stderr);
    assert!(!copy.db.exists());
    // … and without it the forgery imports (nothing in the file itself tells it from the
    // log), but `verify --checkpoint` against that file does not say OK.
    copy.ok(&["import", path_str(&path)]);
    assert_eq!(copy.json(&["show", "1", "--json"])["fine"]["total"], 0);
    let r = copy.run(&["verify", "--checkpoint", path_str(&file)]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(!r.stdout.contains("OK"), "{}", r.stdout);
    assert!(r.stderr.contains("hændelse 7"), "{}", r.stderr);
    // The machine that keeps the hashes names the event exactly.
    let r = run(&["verify", "--checkpoint", path_str(&file)]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("hændelse 4 (sag 1, hændelse #3)"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_export_cut_anywhere_is_refused_saying_how_many_events_it_should_hold() {
    let log = fined_log();
    let export = log.export();
    let lines: Vec<&str> = export.lines().collect();
    assert_eq!(lines.len(), 7 + 2, "a start line, 7 events, an end line");
    let path = log.dir.path().join("cut.jsonl");
    let copy = Log::new();
    // Cut at a line boundary: after event 5, and just before the end line.
    for keep in [6, 8] {
        std::fs::write(&path, lines[..keep].join("\n") + "\n").unwrap();
        let r = copy.run(&["import", path_str(&path)]);
        assert_eq!(r.code, 2, "{}", r.stdout);
        assert!(
            r.stderr.contains("er skåret af")
                && r.stderr.contains("lover 7 hændelser")
                && r.stderr.contains(&format!("filen har {}", keep - 1)),
            "{}",
            r.stderr
        );
        assert!(!copy.db.exists(), "a refused first import leaves no folder");
    }
    // Cut inside a line.
    std::fs::write(&path, &export[..export.len() / 2]).unwrap();
    let r = copy.run(&["import", path_str(&path)]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    // An end line that does not match what precedes it.
    let mut wrong = lines.clone();
    wrong.remove(7);
    std::fs::write(&path, wrong.join("\n") + "\n").unwrap();
    let r = copy.run(&["import", path_str(&path)]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("linje 8"), "{}", r.stderr);
    // In English too.
    std::fs::write(&path, lines[..6].join("\n") + "\n").unwrap();
    let r = copy.run(&["--lang", "en", "import", path_str(&path)]);
    assert!(
        r.stderr
            .contains("is cut: its first line announces 7 events, it holds 5"),
        "{}",
        r.stderr
    );
    // The whole file imports, byte for byte.
    std::fs::write(&path, &export).unwrap();
    copy.ok(&["import", path_str(&path)]);
    assert_eq!(copy.export(), export);
}

/// The events of `fined_log` with `edit` applied, re-hashed into a whole export, imported
/// into a new log: the refusal's standard error (exit 2, nothing left behind).
fn import_refused(edit: impl Fn(&mut Vec<Event>)) -> String {
    import_of_refused(&fined_log(), edit)
}

/// The events of `log` with `edit` applied, re-hashed and imported into a new log: the
/// refusal's standard error.
fn import_of_refused(log: &Log, edit: impl Fn(&mut Vec<Event>)) -> String {
    let mut evs: Vec<Event> = records(&log.export())
        .into_iter()
        .map(|r| r.event)
        .collect();
    edit(&mut evs);
    let path = log.dir.path().join("edited.jsonl");
    std::fs::write(&path, rehashed(evs)).unwrap();
    let copy = Log::new();
    let r = copy.run(&["import", path_str(&path)]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("intet er importeret"), "{}", r.stderr);
    assert!(!copy.db.exists(), "{}", r.stderr);
    r.stderr
}

#[test]
fn an_import_that_breaks_the_lifecycle_is_refused_naming_line_and_ticket() {
    // Resolved before it was reported.
    let said = import_refused(|evs| evs[3].effective = utc("2025-03-03T10:00:00Z"));
    assert!(
        said.contains("linje 5")
            && said.contains("sag 1, hændelse #3 (resolved)")
            && said.contains("ligger før anmeldelsen"),
        "{said}"
    );
    // An acceptance of a ticket that was never resolved (ticket 2 is open).
    let said = import_refused(|evs| {
        let mut e = evs[4].clone();
        e.seq = 3;
        e.kind = EventKind::Accepted {
            by: "Lone".into(),
            reference: "mail".into(),
        };
        evs.push(e);
    });
    assert!(
        said.contains("linje 9") && said.contains("sag 2, hændelse #3 (accepted)"),
        "{said}"
    );
    // A step in the future of the import's clock.
    let said = import_refused(|evs| evs[4].effective = utc("2025-04-01T10:00:00Z"));
    assert!(
        said.contains("linje 6") && said.contains("fremtiden"),
        "{said}"
    );
}

/// `fined_log` with ticket 1's resolution (event 3) withdrawn: the retraction is the last event.
fn retracted_log() -> Log {
    let log = fined_log();
    log.ok(&[
        "retract",
        "1",
        "--event",
        "3",
        "--reason",
        "løst i den forkerte sag",
    ]);
    log
}

#[test]
fn an_imported_retraction_is_checked_against_the_tickets_earlier_events() {
    let log = retracted_log();
    // The retraction's line: the start line, then one line per event.
    let n = records(&log.export()).len();
    let line = format!("linje {}", n + 1);
    let retracts = |seq: u32| {
        move |evs: &mut Vec<Event>| {
            let last = evs.last_mut().unwrap();
            let EventKind::Retracted { retracts, .. } = &mut last.kind else {
                panic!("the last event is the retraction: {last:?}");
            };
            *retracts = seq;
        }
    };
    // A step that does not exist.
    let said = import_of_refused(&log, retracts(42));
    assert!(
        said.contains(&line)
            && said.contains("sag 1, hændelse #4 (retracted)")
            && said.contains("har ingen hændelse nr. 42"),
        "{said}"
    );
    // The reaction, which the resolution still in force builds on.
    let said = import_of_refused(&log, retracts(2));
    assert!(
        said.contains(&line)
            && said.contains("sag 1, hændelse #4 (retracted)")
            && said.contains("bygger på hændelse nr. 2"),
        "{said}"
    );
    // The resolution withdrawn a second time.
    let said = import_of_refused(&log, |evs| {
        let mut again = evs.last().unwrap().clone();
        again.seq += 1;
        evs.push(again);
    });
    assert!(
        said.contains(&format!("linje {}", n + 2))
            && said.contains("sag 1, hændelse #5 (retracted)")
            && said.contains("allerede trukket tilbage (hændelse nr. 4)"),
        "{said}"
    );
    // The retraction as written imports whole: the ticket is back where the resolution found it.
    let export = log.export();
    let path = log.dir.path().join("retracted.jsonl");
    std::fs::write(&path, &export).unwrap();
    let copy = Log::new();
    copy.ok(&["import", path_str(&path)]);
    assert_eq!(copy.export(), export);
    assert_eq!(copy.json(&["show", "1", "--json"])["state"], "reacted");
}

#[test]
fn an_imported_id_out_of_range_or_a_path_as_contract_is_refused() {
    // u64::MAX would make the next id wrap to 0 and then overwrite ticket 1.
    let said = import_refused(|evs| {
        for e in evs.iter_mut().filter(|e| e.ticket == 2) {
            e.ticket = u64::MAX;
        }
    });
    assert!(
        said.contains("linje 6") && said.contains("out of range"),
        "{said}"
    );
    let said = import_refused(|evs| {
        for e in evs.iter_mut().filter(|e| e.ticket == 1) {
            e.ticket = 0;
        }
    });
    assert!(said.contains("out of range"), "{said}");
    // A contract named by a path is never read.
    let said = import_refused(|evs| {
        if let EventKind::Reported { contract, .. } = &mut evs[4].kind {
            *contract = "../../../../etc/passwd".into();
        }
    });
    assert!(
        said.contains("linje 6")
            && said.contains("sag 2")
            && said.contains("ikke er et kendt kontrakt-id"),
        "{said}"
    );
    // The highest id allowed imports, and the next ticket gets the one after it.
    let log = fined_log();
    let mut evs: Vec<Event> = records(&log.export())
        .into_iter()
        .map(|r| r.event)
        .collect();
    for e in evs.iter_mut().filter(|e| e.ticket == 2) {
        e.ticket = MAX_TICKET_ID;
    }
    let path = log.dir.path().join("max.jsonl");
    std::fs::write(&path, rehashed(evs)).unwrap();
    let copy = Log::new();
    copy.ok(&["import", path_str(&path)]);
    let r = copy.run(&[
        "add",
        "--municipality",
        "Aarhus",
        "--title",
        "Ny",
        "--category",
        "kritisk",
    ]);
    assert_eq!(r.code, 2, "no id is left: {}", r.stdout);
    assert!(r.stderr.contains("every ticket id"), "{}", r.stderr);
    assert!(copy.ok(&["show", "1"]).contains("Låsen reagerer ikke"));
}

#[test]
fn the_monthly_report_carries_the_checkpoint_taken_when_it_was_made() {
    let log = fined_log();
    let json = log.json(&["report", "--month", "2025-03", "--format", "json"]);
    let cp = &json["checkpoint"];
    assert_eq!(cp["events"], 7, "{json}");
    // The report's checkpoint proves the log's state like any other.
    let file = log.dir.path().join("from-report.json");
    std::fs::write(&file, cp.to_string()).unwrap();
    assert!(log
        .ok(&["verify", "--checkpoint", path_str(&file)])
        .contains("holder"));
    let signature = cp["signature"].as_str().unwrap();
    for format in ["md", "csv", "html"] {
        let text = log.ok(&["report", "--month", "2025-03", "--format", format]);
        assert!(text.contains("Kontrolpunkt"), "{format}: {text}");
        assert!(text.contains("7 hændelser"), "{format}: {text}");
        assert!(
            text.contains(cp["head"].as_str().unwrap()),
            "{format}: {text}"
        );
        // The whole signed line, for the reader to save and verify.
        assert!(text.contains(signature), "{format}: {text}");
    }
}

// ---- idempotent measurements (point 6) ----

#[test]
fn a_measurement_already_in_the_log_is_not_imported_again() {
    let log = Log::new();
    let line = |min: u32, secs: &str| format!("Login i App'en;2025-03-04 10:{min:02};{secs}\n");
    let first = log.dir.path().join("uge1.csv");
    // Two faults (more than 25 % over the 8 s max): imported twice they would count twice.
    std::fs::write(
        &first,
        [line(0, "17,0"), line(1, "14,5"), line(2, "2,0")].concat(),
    )
    .unwrap();
    let said = log.ok(&["svartider", "import", path_str(&first)]);
    assert!(said.contains("3 nye, 0 fandtes allerede"), "{said}");
    let fine = |log: &Log| {
        let v = log.json(&["report", "--month", "2025-03", "--format", "json"]);
        (
            v["response_times"]["measurements"].as_u64().unwrap(),
            v["response_times"]["fine"].as_u64().unwrap(),
        )
    };
    let before = fine(&log);
    assert_eq!(before.0, 3);
    assert!(before.1 > 0, "{before:?}");
    // The same file again, and a file that holds the three and three more.
    let said = log.ok(&["svartider", "import", path_str(&first)]);
    assert!(said.contains("0 nye, 3 fandtes allerede"), "{said}");
    assert_eq!(fine(&log), before);
    let second = log.dir.path().join("maaned.csv");
    let lines = [
        line(0, "17,0"),
        line(1, "14,5"),
        line(2, "2,0"),
        line(3, "2,0"),
        line(4, "1,5"),
        line(5, "1,0"),
    ];
    std::fs::write(&second, lines.concat()).unwrap();
    let said = log.ok(&["svartider", "import", path_str(&second)]);
    assert!(said.contains("3 nye, 3 fandtes allerede"), "{said}");
    assert_eq!(fine(&log), (6, before.1));
}

#[test]
fn a_measurement_in_the_future_is_refused_and_nothing_is_imported() {
    // FRIST_NOW is 2025-03-10 12:00.
    let log = Log::new();
    log.add(&["--category", "kritisk"]);
    let file = log.dir.path().join("svartider.csv");
    std::fs::write(
        &file,
        "Login i App'en;2025-03-04 10:00;2,0\nLogin i App'en;2025-03-20 10:00;2,0\n",
    )
    .unwrap();
    let r = log.run(&["svartider", "import", path_str(&file)]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("20.03.2025 10:00 ligger i fremtiden")
            && r.stderr.contains("intet er importeret"),
        "{}",
        r.stderr
    );
    let v = log.json(&["report", "--month", "2025-03", "--format", "json"]);
    assert_eq!(v["response_times"]["measurements"], 0, "{v}");
}

#[test]
fn a_read_command_on_a_path_without_a_log_refuses_and_makes_none() {
    let log = Log::new();
    for args in [
        vec!["list"],
        vec!["show", "1"],
        vec!["report", "--month", "2025-03"],
        vec!["verify"],
        vec!["export"],
        vec!["breaches"],
        vec!["checkpoint"],
        vec!["react", "1"],
    ] {
        let r = log.run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
        assert!(
            r.stderr.contains("der er ingen log i") && r.stderr.contains(path_str(&log.db)),
            "{args:?}: {}",
            r.stderr
        );
        assert!(!log.db.exists(), "{args:?} made a log");
    }
    let r = log.run(&["--lang", "en", "list"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("there is no log in"), "{}", r.stderr);
    // An empty folder is no log either, and stays as it was.
    std::fs::create_dir(&log.db).unwrap();
    assert_eq!(log.run(&["list"]).code, 2);
    assert_eq!(std::fs::read_dir(&log.db).unwrap().count(), 0);
}

#[test]
fn a_refused_first_add_leaves_no_folder_behind() {
    let log = Log::new();
    let nested = Log {
        db: log.dir.path().join("a/b/log"),
        dir: tempfile::tempdir().unwrap(),
    };
    for l in [&log, &nested] {
        let r = l.run(&["add", "--municipality", "Aarhus", "--title", "  "]);
        assert_eq!(r.code, 2, "{}", r.stdout);
        let r = l.run(&[
            "add",
            "--municipality",
            "Aarhus",
            "--title",
            "Låsen",
            "--at",
            "2025-04-01 10:00",
        ]);
        assert_eq!(r.code, 2, "{}", r.stdout);
        assert!(!l.db.exists(), "{}", r.stderr);
    }
    assert!(!log.dir.path().join("a").exists());
    // A refused add into a log that exists leaves the log as it was.
    log.add(&["--category", "kritisk"]);
    let before = log.export();
    let r = log.run(&["add", "--municipality", "Aarhus", "--title", "  "]);
    assert_eq!(r.code, 2);
    assert_eq!(log.export(), before);
}

#[cfg(unix)]
#[test]
fn the_log_folder_is_private_and_its_files_too() {
    use std::os::unix::fs::PermissionsExt;
    fn check(dir: &std::path::Path) {
        let mode = std::fs::metadata(dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", dir.display());
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                check(&p);
            } else {
                let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", p.display());
            }
        }
    }
    let log = fined_log();
    check(&log.db);
    // Also after an import, which rewrites the log into a fresh folder.
    let path = log.dir.path().join("log.jsonl");
    std::fs::write(&path, log.export()).unwrap();
    let copy = Log::new();
    copy.ok(&["import", path_str(&path)]);
    check(&copy.db);
}
