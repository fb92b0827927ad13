//! A log that holds up in a dispute (issue 13): true recorded times and steps recorded late.
//! Real sled logs in temporary directories, through the real binary.

mod common;
use chrono::{DateTime, Datelike, TimeDelta, Utc};
use common::*;
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
    assert_eq!(cp["head"], last["hash"]);
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

#[test]
fn a_forged_and_rehashed_export_is_caught_naming_the_changed_event() {
    use frist::store::chain::{canonical, link, Record, GENESIS};
    let log = fined_log();
    let file = log.dir.path().join("cp.json");
    log.ok(&["checkpoint", "--out", path_str(&file)]);
    assert_eq!(log.json(&["show", "1", "--json"])["fine"]["total"], 5000);
    // The resolution moved back inside its deadline, and every hash computed anew.
    let mut prev = GENESIS;
    let mut forged = String::new();
    for line in log.export().lines() {
        let mut r: Record = serde_json::from_str(line).unwrap();
        if r.event.ticket == 1 && r.event.seq == 3 {
            r.event.effective = utc("2025-03-03T19:00:00Z");
        }
        r.hash = link(&prev, &canonical(&r.event));
        prev = r.hash;
        forged.push_str(&serde_json::to_string(&r).unwrap());
        forged.push('\n');
    }
    let path = log.dir.path().join("forged.jsonl");
    std::fs::write(&path, forged).unwrap();
    // Imported into a new database on the same machine, the forgery verifies as a chain …
    let copy = Log::new();
    let keys = log.keys();
    let run = |args: &[&str]| out(copy.cmd(args).env("FRIST_KEYS", &keys).output().unwrap());
    let r = run(&["import", path_str(&path)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(copy.json(&["show", "1", "--json"])["fine"]["total"], 0);
    // … but not against the checkpoint this machine made of the log, nor against the file.
    for args in [
        vec!["verify"],
        vec!["verify", "--checkpoint", path_str(&file)],
    ] {
        let r = run(&args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stdout);
        assert!(
            r.stderr.contains("hændelse 4 (sag 1, hændelse #3)"),
            "{args:?}: {}",
            r.stderr
        );
    }
    // Someone else's machine (no kept hashes) still sees that the log differs.
    let r = copy.run(&["verify", "--checkpoint", path_str(&file)]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("hændelse 7"), "{}", r.stderr);
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
