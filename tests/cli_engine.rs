//! The engine's commands as a user runs them: output, JSON shapes, and bad input (exit 2, a
//! message that says how to mend it, never a panic).

use serde_json::Value;
use std::process::{Command, Output};

fn frist(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frist"))
        .args(args)
        .env_remove("FRIST_NOW")
        .env_remove("FRIST_CONTRACT")
        .env_remove("FRIST_LANG")
        .output()
        .expect("the binary runs")
}

fn ok_json(args: &[&str]) -> Value {
    let o = frist(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

fn refused(args: &[&str]) -> String {
    let o = frist(args);
    assert_eq!(o.status.code(), Some(2), "{args:?} should exit 2");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    assert!(o.stdout.is_empty(), "nothing on stdout when refused");
    err
}

#[test]
fn holidays_json_lists_closed_and_shortened_days() {
    let v = ok_json(&["holidays", "2026", "--json"]);
    let days = v.as_array().unwrap();
    assert_eq!(days.len(), 13);
    assert_eq!(
        days[1],
        serde_json::json!({"date": "2026-04-02", "name": "Skærtorsdag", "kind": "public", "closes": null})
    );
    let grundlov = days.iter().find(|d| d["date"] == "2026-06-05").unwrap();
    assert_eq!(grundlov["closes"], "12:00");
    assert_eq!(grundlov["kind"], "customary");
    // Store bededag is gone from 2024 but there in 2023.
    let has_bededag = |y: &str| {
        ok_json(&["holidays", y, "--json"])
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "Store bededag")
    };
    assert!(has_bededag("2023"));
    assert!(!has_bededag("2024"));
}

#[test]
fn deadline_json_has_the_documented_shape() {
    let v = ok_json(&[
        "deadline",
        "--category",
        "kritisk",
        "--reported",
        "2025-03-03 15:30",
        "--json",
    ]);
    assert_eq!(v["contract"], "laasesystem");
    assert_eq!(v["category"], "kritisk");
    assert_eq!(v["window"], "day");
    assert_eq!(v["reported_in_window"], true);
    assert_eq!(v["reaction"], "2025-03-03T18:30:00+01:00");
    assert_eq!(v["resolution"], "2025-03-03T20:30:00+01:00");
    let explain = v["explain"].as_array().unwrap();
    assert!(explain.len() >= 3);
    let v = ok_json(&[
        "deadline",
        "--category",
        "montering",
        "--reported",
        "2025-12-23T15:00:00+01:00",
        "--json",
    ]);
    assert_eq!(
        v["reaction"],
        Value::Null,
        "montering has no reaction target"
    );
    assert_eq!(v["resolution"], "2026-01-02T14:15:00+01:00");
}

#[test]
fn deadline_text_explains_the_counted_spans() {
    let o = frist(&[
        "deadline",
        "--category",
        "laaseenhed",
        "--reported",
        "2025-03-03 10:00",
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("man 10:00–16:15 (6t 15m), tir 07:00–08:45 (1t 45m)"),
        "{text}"
    );
    assert!(text.contains("frist tir 04.03.2025 08:45"), "{text}");
    let o = frist(&[
        "--lang",
        "en",
        "deadline",
        "--category",
        "laaseenhed",
        "--reported",
        "2025-03-03 10:00",
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("Mon 10:00–16:15 (6h 15m), Tue 07:00–08:45 (1h 45m)"),
        "{text}"
    );
}

#[test]
fn fine_json_matches_domain_example() {
    let v = ok_json(&[
        "fine",
        "--category",
        "kritisk",
        "--deadline",
        "2025-03-07 08:00",
        "--resolved",
        "2025-04-06T07:00:00Z",
        "--json",
    ]);
    assert_eq!(v["overrun_minutes"], 43200);
    assert_eq!(v["total"], 65000);
    assert_eq!(
        v["days"][0],
        serde_json::json!({"begins": "2025-03-07T08:00:00+01:00", "amount": 5000})
    );
    assert_eq!(v["days"].as_array().unwrap().len(), 7);
    // Without --resolved the ticket is still open at --now.
    let v = ok_json(&[
        "--now",
        "2025-03-07 08:14",
        "fine",
        "--category",
        "kritisk",
        "--deadline",
        "2025-03-07 08:00",
        "--json",
    ]);
    assert_eq!(v["total"], 0);
    let o = frist(&[
        "fine",
        "--category",
        "kritisk",
        "--deadline",
        "2025-03-07 08:00",
        "--resolved",
        "2025-03-07 08:15",
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("5.000 kr."));
}

#[test]
fn calendar_draws_the_month_with_names_and_windows() {
    let o = frist(&["calendar", "2026-06"]);
    let text = String::from_utf8(o.stdout).unwrap();
    // The month in running Danish text is lower-case.
    assert!(
        text.contains("juni 2026") && !text.contains("Juni"),
        "{text}"
    );
    assert!(
        text.contains("fre 05.06.2026  07:00–12:00  Grundlovsdag"),
        "{text}"
    );
    assert!(text.contains("man 01.06.2026  07:00–16:15"), "{text}");
    assert!(text.contains("fre 12.06.2026  07:00–14:15"), "{text}");
    let o = frist(&["calendar", "2026-04"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("tor 02.04.2026  lukket       Skærtorsdag"),
        "{text}"
    );
    // This month by --now.
    let o = frist(&["--now", "2026-12-01 10:00", "calendar"]);
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .contains("Juleaftensdag"));
}

#[test]
fn contracts_lists_categories_and_targets() {
    let o = frist(&["contracts"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("laasesystem"));
    assert!(text.contains("ddh-chatbot"));
    assert!(text.contains("kritisk"));
    assert!(
        text.contains("65.000") || text.contains("5.000 kr. / 10.000 kr."),
        "{text}"
    );
    let v = ok_json(&["contracts", "--json"]);
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "ddh-chatbot"));
}

#[test]
fn ddh_contract_is_chosen_with_contract_flag() {
    let v = ok_json(&[
        "--contract",
        "ddh-chatbot",
        "deadline",
        "--category",
        "kategori-1",
        "--reported",
        "2025-03-03 10:00",
        "--json",
    ]);
    assert_eq!(v["reaction"], "2025-03-03T10:30:00+01:00");
}

#[test]
fn unknown_category_lists_the_valid_ids() {
    let err = refused(&[
        "deadline",
        "--category",
        "kritsk",
        "--reported",
        "2025-03-03 10:00",
    ]);
    assert!(err.contains("ukendt kategori 'kritsk'"), "{err}");
    assert!(err.contains("kritisk, systemfejl, laaseenhed"), "{err}");
    let err = refused(&[
        "--lang",
        "en",
        "deadline",
        "--category",
        "kritsk",
        "--reported",
        "2025-03-03 10:00",
    ]);
    assert!(err.contains("unknown category 'kritsk'"), "{err}");
    assert!(err.contains("kritisk, systemfejl, laaseenhed"), "{err}");
}

#[test]
fn malformed_time_shows_the_accepted_formats() {
    for bad in ["3/3 15:30", "2025-02-30 10:00", "2025-03-03", "i går"] {
        let err = refused(&["deadline", "--category", "kritisk", "--reported", bad]);
        assert!(err.contains("--reported"), "{err}");
        assert!(err.contains("ÅÅÅÅ-MM-DD TT:MM"), "{err}");
        assert!(err.contains("RFC 3339"), "{err}");
        let args = ["--lang", "en", "deadline", "--category", "kritisk"];
        let err = refused(&[&args[..], &["--reported", bad]].concat());
        assert!(err.contains("YYYY-MM-DD HH:MM"), "{err}");
    }
    let err = refused(&[
        "deadline",
        "--category",
        "kritisk",
        "--reported",
        "2025-03-03",
    ]);
    assert!(err.contains("klokkeslættet mangler"), "{err}");
    let err = refused(&[
        "deadline",
        "--category",
        "kritisk",
        "--reported",
        "2025-02-30 10:00",
    ]);
    assert!(err.contains("datoen findes ikke"), "{err}");
    let err = refused(&["--now", "snart", "holidays", "2026"]);
    assert!(err.contains("--now"), "{err}");
}

#[test]
fn broken_contract_file_names_file_line_and_field() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/invalid_contracts/bad_target.toml"
    );
    let err = refused(&["--contract", path, "contracts"]);
    assert!(err.contains("bad_target.toml:14: category.day"), "{err}");
    assert!(err.contains("3 timer"), "{err}");
}

#[test]
fn a_contract_that_does_not_exist_says_what_does() {
    let err = refused(&["--contract", "laasesystemet", "holidays", "2026"]);
    assert!(err.contains("laasesystem, ddh-chatbot"), "{err}");
    // In the user's language, like every refusal met in normal use.
    assert!(err.contains("ukendt kontrakt 'laasesystemet'"), "{err}");
    let err = refused(&[
        "--lang",
        "en",
        "--contract",
        "laasesystemet",
        "holidays",
        "2026",
    ]);
    assert!(err.contains("unknown contract 'laasesystemet'"), "{err}");
}

#[test]
fn years_and_months_out_of_range_are_refused() {
    let err = refused(&["holidays", "1850"]);
    assert!(err.contains("2000"), "{err}");
    let err = refused(&["calendar", "2026-13"]);
    assert!(err.contains("skriv ÅÅÅÅ-MM"), "{err}");
    let err = refused(&["--lang", "en", "calendar", "2026-13"]);
    assert!(err.contains("write it as YYYY-MM"), "{err}");
}

#[test]
fn broken_holiday_file_beside_a_contract_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("contracts")).unwrap();
    std::fs::create_dir_all(dir.path().join("holidays")).unwrap();
    std::fs::write(
        dir.path().join("contracts/kommune.toml"),
        include_str!("../contracts/laasesystem.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("holidays/dk.toml"),
        include_str!("invalid_holidays/bad_date.toml"),
    )
    .unwrap();
    let contract = dir.path().join("contracts/kommune.toml");
    let err = refused(&["--contract", contract.to_str().unwrap(), "holidays", "2026"]);
    assert!(err.contains("holidays/dk.toml:7: rule.date"), "{err}");
    assert!(err.contains("13-40"), "{err}");
    // The same files, mended, load and are used.
    std::fs::write(
        dir.path().join("holidays/dk.toml"),
        include_str!("valid_holidays/municipality_extra.toml"),
    )
    .unwrap();
    let v = ok_json(&[
        "--contract",
        contract.to_str().unwrap(),
        "holidays",
        "2026",
        "--json",
    ]);
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[test]
fn a_date_outside_the_calendar_is_refused_in_the_users_language() {
    let args = [
        "deadline",
        "--category",
        "kritisk",
        "--reported",
        "1990-01-05 10:00",
    ];
    let err = refused(&args);
    assert!(
        err.contains("05.01.1990 ligger uden for kalenderen") && err.contains("2000–2098"),
        "{err}"
    );
    let mut en = vec!["--lang", "en"];
    en.extend_from_slice(&args);
    let err = refused(&en);
    assert!(err.contains("outside the calendar's range"), "{err}");
    let err = refused(&[
        "fine",
        "--category",
        "kritisk",
        "--deadline",
        "1990-01-05 10:00",
        "--resolved",
        "1990-01-08 10:00",
    ]);
    assert!(err.contains("ligger uden for kalenderen"), "{err}");
}

#[test]
fn deadline_json_window_says_which_targets_applied() {
    // laaseenhed has no outside targets: at night the day targets apply from the next opening.
    let v = ok_json(&[
        "deadline",
        "--category",
        "laaseenhed",
        "--reported",
        "2025-03-03 22:00",
        "--json",
    ]);
    assert_eq!(v["window"], "day");
    assert_eq!(v["reported_in_window"], false);
    // kritisk has outside targets: they apply.
    let v = ok_json(&[
        "deadline",
        "--category",
        "kritisk",
        "--reported",
        "2025-03-03 22:00",
        "--json",
    ]);
    assert_eq!(v["window"], "outside");
    assert_eq!(v["reported_in_window"], false);
}

#[test]
fn a_target_beyond_a_year_is_refused_naming_the_field_and_the_range() {
    for (file, field) in [
        (
            "huge_calendar_days.toml",
            "huge_calendar_days.toml:14: category.day",
        ),
        (
            "huge_working_days.toml",
            "huge_working_days.toml:14: category.outside",
        ),
    ] {
        let path = format!(
            "{}/tests/invalid_contracts/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let err = refused(&["--contract", &path, "contracts"]);
        assert!(err.contains(field), "{err}");
        assert!(err.contains("out of range"), "{err}");
        assert!(
            err.contains("working days 1–250") && err.contains("calendar days 1–365"),
            "{err}"
        );
    }
}
