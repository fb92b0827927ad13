//! Corrections as events and pinned contract versions (issue 13 points 4 and 5): real sled logs
//! in temporary directories, through the real binary.

mod common;
use common::*;

/// A critical fault reported at 7:00 on NOW's day, reacted to at 9:00, resolved at 11:00 and
/// accepted at 11:30 (reaction due at 10:00: met; resolution due at 12:00: met).
fn closed_ticket(log: &Log) -> String {
    let id = log
        .add(&["--category", "kritisk", "--at", "2025-03-10 07:00"])
        .to_string();
    log.ok(&["react", &id, "--at", "2025-03-10 09:00"]);
    log.ok(&[
        "resolve",
        &id,
        "--at",
        "2025-03-10 11:00",
        "--note",
        "Ny controller",
    ]);
    log.ok(&[
        "accept",
        &id,
        "--by",
        "Per",
        "--ref",
        "mail 7",
        "--at",
        "2025-03-10 11:30",
    ]);
    id
}

fn seq_of(log: &Log, id: &str, kind: &str) -> String {
    let v = log.json(&["show", id, "--json"]);
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == kind)
        .unwrap()["seq"]
        .to_string()
}

#[test]
fn a_retracted_acceptance_and_resolution_reopen_the_ticket_and_both_stay_in_the_log() {
    let log = Log::new();
    let id = closed_ticket(&log);
    let (resolved, accepted) = (seq_of(&log, &id, "resolved"), seq_of(&log, &id, "accepted"));
    // The resolution is what the acceptance built on: it goes second.
    let r = log.run(&[
        "retract",
        &id,
        "--event",
        &resolved,
        "--reason",
        "Holdt ikke",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("træk nr. {accepted} tilbage først")),
        "{}",
        r.stderr
    );
    let said = log.ok(&[
        "retract",
        &id,
        "--event",
        &accepted,
        "--reason",
        "Accepten gjaldt sag 9",
    ]);
    assert!(said.contains("løst, afventer kommunens accept"), "{said}");
    log.ok(&[
        "retract",
        &id,
        "--event",
        &resolved,
        "--reason",
        "Controlleren holdt ikke",
    ]);
    let v = log.json(&["show", &id, "--json"]);
    assert_eq!(v["state"], "reacted");
    assert_eq!(v["resolution"]["done"], serde_json::Value::Null);

    let shown = log.ok(&["show", &id]);
    // Both the steps and their withdrawals are in the timeline.
    assert!(shown.contains("accepteret og lukket"), "{shown}");
    assert!(
        shown.contains(&format!(
            "TRUKKET TILBAGE (nr. {})",
            accepted.parse::<u32>().unwrap() + 1
        )),
        "{shown}"
    );
    assert!(shown.contains("accepten (nr. "), "{shown}");
    assert!(shown.contains("Accepten gjaldt sag 9"), "{shown}");
    assert!(shown.contains("Controlleren holdt ikke"), "{shown}");
    // Nothing stored changed: the export still holds every step, and the chain verifies.
    let export = log.export();
    assert!(export.contains("\"accepted\"") && export.contains("\"retracted\""));
    log.ok(&["verify"]);
}

#[test]
fn retractions_that_would_rewrite_the_story_are_refused_with_what_to_do() {
    let log = Log::new();
    let id = closed_ticket(&log);
    let accepted = seq_of(&log, &id, "accepted");
    let cases: [(&[&str], &str); 5] = [
        (
            &["--event", "0", "--reason", "x"],
            "kan ikke trækkes tilbage: ret anmeldelsen med edit",
        ),
        (
            &["--event", "1", "--reason", "x"],
            "skift kategori med reclassify",
        ),
        (
            &["--event", "42", "--reason", "x"],
            "har ingen hændelse nr. 42",
        ),
        (
            &["--event", &accepted, "--reason", " "],
            "kræver en begrundelse",
        ),
        (&["--event", "abc", "--reason", "x"], "abc"),
    ];
    for (args, says) in cases {
        let mut all = vec!["retract", id.as_str()];
        all.extend_from_slice(args);
        let r = log.run(&all);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    log.ok(&["retract", &id, "--event", &accepted, "--reason", "Fejl"]);
    let r = log.run(&["retract", &id, "--event", &accepted, "--reason", "Igen"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("er allerede trukket tilbage"),
        "{}",
        r.stderr
    );
    // The retraction itself is not withdrawn: the step is recorded again instead.
    let last = (accepted.parse::<u32>().unwrap() + 1).to_string();
    let r = log.run(&["retract", &id, "--event", &last, "--reason", "Fortrudt"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("registrér skridtet igen"), "{}", r.stderr);
}

#[test]
fn an_edit_mends_the_title_and_the_report_lists_the_corrections_with_their_reasons() {
    let log = Log::new();
    let id = closed_ticket(&log);
    let accepted = seq_of(&log, &id, "accepted");
    log.ok(&[
        "edit",
        &id,
        "--title",
        "Låsen på rådhuset reagerer ikke",
        "--reason",
        "Stedet manglede",
    ]);
    let r = log.run(&["edit", &id, "--reason", "Intet"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("rettelsen ændrer intet"), "{}", r.stderr);
    log.ok(&[
        "retract",
        &id,
        "--event",
        &accepted,
        "--reason",
        "Accepten gjaldt sag 9",
    ]);
    let shown = log.ok(&["show", &id]);
    assert!(
        shown.starts_with(&format!("Sag {id}: Låsen på rådhuset reagerer ikke")),
        "{shown}"
    );
    assert!(shown.contains("sagens tekst rettet"), "{shown}");
    assert!(shown.contains("Stedet manglede"), "{shown}");

    // The report of the ticket's month lists its corrections, whenever they were written.
    let md = log.ok(&["report", "--month", "2025-03"]);
    assert!(md.contains("Rettelser"), "{md}");
    assert!(md.contains("Accepten gjaldt sag 9"), "{md}");
    assert!(md.contains("Stedet manglede"), "{md}");
}

#[test]
fn a_disputed_breach_shows_in_the_breaches_report_with_its_reason() {
    let log = Log::new();
    // Reported at 7, reacted to at 11: the reaction (due at 10) was missed.
    let id = log
        .add(&["--category", "kritisk", "--at", "2025-03-10 07:00"])
        .to_string();
    // Reported at 11: the reaction is due at 14, nothing is breached at NOW (12).
    let fine = log
        .add(&["--category", "kritisk", "--at", "2025-03-10 11:00"])
        .to_string();
    let r = log.run(&["dispute", &fine, "--reason", "For tidligt"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("intet brud at bestride"), "{}", r.stderr);
    log.ok(&["react", &id, "--at", "2025-03-10 11:00"]);
    log.ok(&[
        "dispute",
        &id,
        "--reason",
        "Kommunen gav først adgang kl. 10",
    ]);
    let v = log.json(&["report", "--month", "2025-03", "--format", "json"]);
    let breach = v["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["ticket"].as_u64().map(|n| n.to_string()) == Some(id.clone()))
        .unwrap()
        .clone();
    assert_eq!(breach["disputed"], "Kommunen gav først adgang kl. 10");
    let md = log.ok(&["report", "--month", "2025-03"]);
    assert!(
        md.contains("bestridt: Kommunen gav først adgang kl. 10"),
        "{md}"
    );
    // The breach list says it too, on the disputed ticket only.
    let listed = log.ok(&["breaches", "--month", "2025-03"]);
    let row = |t: &str| {
        listed
            .lines()
            .find(|x| x.trim_start().starts_with(&format!("{t} ")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        row(&id).contains("[bestridt: Kommunen gav først adgang kl. 10]"),
        "{listed}"
    );
    assert_eq!(listed.matches("bestridt").count(), 1, "{listed}");
}

fn fine(log: &Log, contract: &str, id: &str) -> u64 {
    log.json(&["--contract", contract, "show", id, "--json"])["fine"]["total"]
        .as_u64()
        .unwrap()
}

#[test]
fn an_edited_contract_file_does_not_change_a_logged_fine_and_is_refused_without_an_amendment() {
    let log = Log::new();
    let c = custom_contract(&log, 1);
    // Reported 5 days before NOW, still open: a fine of 1 kr. a day.
    let id = log
        .add(&[
            "--contract",
            &c,
            "--category",
            "kritisk",
            "--at",
            "2025-03-05 07:00",
        ])
        .to_string();
    let before = fine(&log, &c, &id);
    assert!(before > 0 && before < 10, "{before}");
    custom_contract(&log, 999_999);
    let r = log.run(&["--contract", &c, "show", &id]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("afviger fra den version, loggen regner med"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("lower = 999999"), "{}", r.stderr);
    assert!(r.stderr.contains("contract amend"), "{}", r.stderr);
    // With the default contract, and from another working directory, the ticket keeps its fine.
    assert_eq!(fine(&log, "laasesystem", &id), before);
    let elsewhere = log
        .cmd(&["show", &id, "--json"])
        .current_dir(log.dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&elsewhere.stdout).unwrap();
    assert_eq!(v["fine"]["total"].as_u64(), Some(before));
}

#[test]
fn an_amendment_applies_to_tickets_reported_from_its_date_only() {
    let log = Log::new();
    let c = custom_contract(&log, 1);
    let old = log
        .add(&[
            "--contract",
            &c,
            "--category",
            "kritisk",
            "--at",
            "2025-03-03 07:00",
        ])
        .to_string();
    let old_fine = fine(&log, &c, &old);
    custom_contract(&log, 1000);
    // Not back over a logged ticket; a later day is recorded.
    let r = log.run(&[
        "--contract",
        &c,
        "contract",
        "amend",
        &c,
        "--from",
        "2025-03-01",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&format!("sag {old} under custom")),
        "{}",
        r.stderr
    );
    let said = log.ok(&[
        "--contract",
        &c,
        "contract",
        "amend",
        &c,
        "--from",
        "2025-03-04",
    ]);
    assert!(said.contains("ny version fra 04.03.2025"), "{said}");
    let new = log
        .add(&[
            "--contract",
            &c,
            "--category",
            "kritisk",
            "--at",
            "2025-03-04 07:00",
        ])
        .to_string();
    assert_eq!(fine(&log, &c, &old), old_fine);
    let new_fine = fine(&log, &c, &new);
    assert!(
        new_fine >= 1000 && new_fine.is_multiple_of(1000),
        "{new_fine}"
    );
    let listed = log.ok(&["--contract", &c, "contracts"]);
    assert!(
        listed.contains("fra start") && listed.contains("fra 04.03.2025"),
        "{listed}"
    );
}

#[test]
fn the_monthly_report_computes_each_ticket_with_its_own_contract_version() {
    let log = Log::new();
    let c = custom_contract(&log, 1);
    let old = log
        .add(&[
            "--contract",
            &c,
            "--category",
            "kritisk",
            "--at",
            "2025-03-03 07:00",
        ])
        .to_string();
    let old_fine = fine(&log, &c, &old);
    custom_contract(&log, 1000);
    log.ok(&[
        "--contract",
        &c,
        "contract",
        "amend",
        &c,
        "--from",
        "2025-03-04",
    ]);
    let v = log.json(&[
        "--contract",
        &c,
        "report",
        "--month",
        "2025-03",
        "--format",
        "json",
    ]);
    let breach = v["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["ticket"].as_u64().map(|n| n.to_string()) == Some(old.clone())
                && b["timer"] == "resolution"
        })
        .cloned()
        .unwrap();
    assert_eq!(breach["fine"].as_u64(), Some(old_fine));
}
