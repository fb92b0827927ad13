//! Contract and holiday fixtures: the valid ones load, the broken ones are refused with the
//! file, line and field named.

use frist::calendar::HolidayRules;
use frist::contract::Contract;
use frist::tui::keymap::{Key, Keymap, Lookup};
use frist::tui::Action;
use frist::Error;
use std::path::{Path, PathBuf};

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no fixtures in {}", dir.display());
    v
}

/// `# expect: line N, field: F` on a fixture's first line.
fn expectation(src: &str) -> (usize, String) {
    let first = src.lines().next().unwrap();
    let rest = first
        .strip_prefix("# expect: line ")
        .expect("first line states the expectation");
    let (line, field) = rest.split_once(", field: ").unwrap();
    (line.parse().unwrap(), field.trim().to_string())
}

/// `# message: TEXT` on a fixture's second line: the refusal says this (e.g. the range).
fn expected_message(src: &str) -> Option<&str> {
    src.lines().nth(1)?.strip_prefix("# message: ")
}

fn check_refusal(path: &Path, err: Error) {
    let src = std::fs::read_to_string(path).unwrap();
    let (line, field) = expectation(&src);
    let wanted = expected_message(&src);
    let name = path.display().to_string();
    match err {
        Error::Config {
            file,
            line: l,
            field: f,
            message,
        } => {
            assert_eq!(file, name);
            assert_eq!((l, f.as_str()), (line, field.as_str()), "{name}: {message}");
            assert!(!message.is_empty());
            if let Some(w) = wanted {
                assert!(message.contains(w), "{name}: '{message}' should say '{w}'");
            }
        }
        other => panic!("{name}: expected a config error, got {other}"),
    }
}

#[test]
fn valid_contracts_load() {
    for p in files("valid_contracts") {
        let src = std::fs::read_to_string(&p).unwrap();
        let c = Contract::parse(&src, &p.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.categories.is_empty());
    }
}

#[test]
fn broken_contracts_are_refused_with_file_line_and_field() {
    for p in files("invalid_contracts") {
        let src = std::fs::read_to_string(&p).unwrap();
        let err =
            Contract::parse(&src, &p.display().to_string()).expect_err(&p.display().to_string());
        check_refusal(&p, err);
    }
}

#[test]
fn valid_holiday_files_load() {
    for p in files("valid_holidays") {
        let src = std::fs::read_to_string(&p).unwrap();
        HolidayRules::parse(&src, &p.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn broken_holiday_files_are_refused_with_file_line_and_field() {
    for p in files("invalid_holidays") {
        let src = std::fs::read_to_string(&p).unwrap();
        let err = HolidayRules::parse(&src, &p.display().to_string())
            .expect_err(&p.display().to_string());
        check_refusal(&p, err);
    }
}

#[test]
fn extra_and_removed_days_change_the_calendar() {
    let p =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/valid_holidays/municipality_extra.toml");
    let rules = HolidayRules::parse(&std::fs::read_to_string(&p).unwrap(), "x").unwrap();
    let kinds = [
        frist::calendar::DayKind::Public,
        frist::calendar::DayKind::Customary,
    ];
    let y26: Vec<String> = rules
        .year(2026, &kinds)
        .iter()
        .map(|d| d.date.to_string())
        .collect();
    assert_eq!(y26, ["2026-01-01", "2026-05-15"]);
    assert!(
        rules.year(2027, &kinds).is_empty(),
        "2027-01-01 was removed"
    );
    // A contract that counts only public days ignores the customary extra day.
    assert_eq!(
        rules.year(2026, &[frist::calendar::DayKind::Public]).len(),
        1
    );
}

/// A keymap fixture read as a user file over the default keymap.
fn user_keymap(p: &Path) -> frist::Result<Keymap> {
    let src = std::fs::read_to_string(p).unwrap();
    Keymap::parse(
        &src,
        &p.display().to_string(),
        Some(&Keymap::default_keymap()),
    )
}

#[test]
fn valid_keymaps_load_and_ctrl_c_always_quits() {
    for p in files("valid_keymaps") {
        let km = user_keymap(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            km.lookup(&[Key::CTRL_C]),
            Lookup::Action(Action::Quit),
            "{}",
            p.display()
        );
        assert!(
            km.binding(Action::Quit)
                .unwrap()
                .keys_text()
                .contains("ctrl-c"),
            "the help screen shows ctrl-c: {}",
            p.display()
        );
    }
}

#[test]
fn broken_keymaps_are_refused_with_file_line_and_action() {
    for p in files("invalid_keymaps") {
        let err = user_keymap(&p).expect_err(&p.display().to_string());
        check_refusal(&p, err);
    }
}
