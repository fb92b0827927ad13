//! The timer engine against domain §8's public examples, the calendar 2020–2030, DST nights and
//! the fine rules.

mod common;

use chrono::{Datelike, NaiveDate, TimeDelta};
use common::{cph, lock_contract, utc};
use frist::calendar::WorkCalendar;
use frist::contract::Contract;
use frist::sla::{self, Window};
use frist::time::{parse_time, rfc3339};

fn deadline_pair(
    c: &Contract,
    cal: &WorkCalendar,
    cat: &str,
    reported: chrono::DateTime<chrono::Utc>,
) -> (Window, Option<String>, Option<String>) {
    let d = sla::deadlines_for(cal, c, cat, reported).unwrap();
    let f = |t: Option<sla::Timer>| t.map(|t| rfc3339(t.deadline, &c.tz));
    (d.window, f(d.reaction), f(d.resolution))
}

#[test]
fn domain_section_8_deadlines() {
    let (c, cal) = lock_contract();
    let cases: &[(&str, &str, Window, Option<&str>, &str)] = &[
        (
            "kritisk",
            "2025-03-03 15:30",
            Window::Day,
            Some("2025-03-03T18:30:00+01:00"),
            "2025-03-03T20:30:00+01:00",
        ),
        (
            "kritisk",
            "2025-03-29 23:00",
            Window::Outside,
            Some("2025-03-30T04:30:00+02:00"),
            "2025-03-30T07:30:00+02:00",
        ),
        (
            "laaseenhed",
            "2025-03-03 10:00",
            Window::Day,
            Some("2025-03-04T08:45:00+01:00"),
            "2025-03-04T15:45:00+01:00",
        ),
        (
            "systemteknisk",
            "2025-03-06 16:00",
            Window::Day,
            Some("2025-03-07T14:15:00+01:00"),
            "2025-03-20T16:00:00+01:00",
        ),
        (
            "montering",
            "2025-12-23 15:00",
            Window::Day,
            None,
            "2026-01-02T14:15:00+01:00",
        ),
        (
            "laaseenhed",
            "2026-06-05 10:00",
            Window::Day,
            Some("2026-06-08T13:00:00+02:00"),
            "2026-06-09T10:45:00+02:00",
        ),
    ];
    for (cat, reported, window, reaction, resolution) in cases {
        let r = parse_time(reported, &c.tz).unwrap();
        let got = deadline_pair(c, cal, cat, r);
        assert_eq!(
            got,
            (
                *window,
                reaction.map(String::from),
                Some(resolution.to_string())
            ),
            "{cat} reported {reported}"
        );
    }
}

#[test]
fn domain_section_8_fines() {
    let (c, cal) = lock_contract();
    let table = c.category("kritisk").unwrap().fine.unwrap();
    let deadline = cph(2025, 3, 7, 8, 0);
    assert_eq!(
        sla::fine(cal, &table, deadline, deadline + TimeDelta::minutes(14))
            .unwrap()
            .total,
        0
    );
    let f15 = sla::fine(cal, &table, deadline, deadline + TimeDelta::minutes(15)).unwrap();
    assert_eq!(f15.total, 5000);
    assert_eq!(f15.days.len(), 1);
    let f30 = sla::fine(cal, &table, deadline, deadline + TimeDelta::days(30)).unwrap();
    assert_eq!(f30.total, 65000);
    assert_eq!(f30.overrun_minutes, 43200);
    let begins: Vec<String> = f30.days.iter().map(|d| rfc3339(d.begins, &c.tz)).collect();
    assert_eq!(
        begins,
        [
            "2025-03-07T08:00:00+01:00",
            "2025-03-10T00:00:00+01:00",
            "2025-03-11T00:00:00+01:00",
            "2025-03-12T00:00:00+01:00",
            "2025-03-13T00:00:00+01:00",
            "2025-03-14T00:00:00+01:00",
            "2025-03-17T00:00:00+01:00",
        ]
    );
    let amounts: Vec<u64> = f30.days.iter().map(|d| d.amount).collect();
    assert_eq!(amounts, [5000, 10000, 10000, 10000, 10000, 10000, 10000]);
}

#[test]
fn contract_maxima_are_reproduced() {
    let (c, cal) = lock_contract();
    // A Friday-morning deadline: the next day to begin is Monday's, more than 24 h later.
    let deadline = cph(2025, 3, 7, 8, 0);
    for (cat, max) in [
        ("kritisk", 65000),
        ("systemfejl", 32500),
        ("systemteknisk", 7000),
        ("driftsmaessig", 7000),
        ("montering", 17600),
        ("batteriskift", 17600),
    ] {
        let table = c.category(cat).unwrap().fine.unwrap();
        let f = sla::fine(cal, &table, deadline, deadline + TimeDelta::days(120)).unwrap();
        assert_eq!(f.total, max, "{cat}");
        assert_eq!(table.max_total(), max);
    }
}

#[test]
fn questions_have_no_grace() {
    let (c, cal) = lock_contract();
    let table = c.category("systemteknisk").unwrap().fine.unwrap();
    let deadline = cph(2025, 3, 3, 9, 0);
    assert_eq!(
        sla::fine(cal, &table, deadline, deadline).unwrap().total,
        0,
        "on time is no overrun"
    );
    assert_eq!(
        sla::fine(cal, &table, deadline, deadline + TimeDelta::minutes(1))
            .unwrap()
            .total,
        1000
    );
}

#[test]
fn a_day_that_begins_24_hours_after_the_deadline_costs_the_higher_rate() {
    let (c, cal) = lock_contract();
    let table = c.category("kritisk").unwrap().fine.unwrap();
    // Deadline Mon 10:00; Tue's midnight is 14 h later (lower), Wed's 38 h later (higher).
    let deadline = cph(2025, 3, 3, 10, 0);
    let f = sla::fine(cal, &table, deadline, cph(2025, 3, 5, 9, 0)).unwrap();
    let amounts: Vec<u64> = f.days.iter().map(|d| d.amount).collect();
    assert_eq!(amounts, [5000, 5000, 10000]);
}

fn easter(y: i32) -> NaiveDate {
    // Independently known Easter Sundays (not computed by the code under test).
    let (m, d) = match y {
        2020 => (4, 12),
        2021 => (4, 4),
        2022 => (4, 17),
        2023 => (4, 9),
        2024 => (3, 31),
        2025 => (4, 20),
        2026 => (4, 5),
        2027 => (3, 28),
        2028 => (4, 16),
        2029 => (4, 1),
        2030 => (4, 21),
        _ => unreachable!(),
    };
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn closed_days_2020_to_2030() {
    let (_, cal) = lock_contract();
    for y in 2020..=2030 {
        let e = easter(y);
        let mut expected: Vec<NaiveDate> = [-3, -2, 0, 1, 39, 49, 50]
            .iter()
            .map(|o| e + TimeDelta::days(*o))
            .collect();
        if y <= 2023 {
            expected.push(e + TimeDelta::days(26));
        }
        for (m, d) in [(1, 1), (12, 24), (12, 25), (12, 26), (12, 31)] {
            expected.push(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        }
        expected.sort();
        let closed: Vec<NaiveDate> = cal
            .year(y)
            .into_iter()
            .filter(|s| s.closes.is_none())
            .map(|s| s.date)
            .collect();
        assert_eq!(closed, expected, "closed days of {y}");
        let grundlov = NaiveDate::from_ymd_opt(y, 6, 5).unwrap();
        let short = cal.special(grundlov).expect("Grundlovsdag is listed");
        if expected.contains(&grundlov) {
            // 2022: Pinsedag fell on 5 June; the closed day wins over the shortened one.
            assert!(short.closes.is_none(), "{y}");
            continue;
        }
        assert_eq!(
            short
                .closes
                .map(|t| t.format("%H:%M").to_string())
                .as_deref(),
            Some("12:00")
        );
        if grundlov.weekday().num_days_from_monday() < 5 {
            assert!(
                cal.is_working_day(grundlov).unwrap(),
                "Grundlovsdag {y} is a working day"
            );
        }
    }
    let bededag = |y| easter(y) + TimeDelta::days(26);
    assert!(
        !cal.is_working_day(bededag(2023)).unwrap(),
        "Store bededag 2023 is closed"
    );
    assert!(
        cal.is_working_day(bededag(2024)).unwrap(),
        "Store bededag is gone from 2024"
    );
    assert!(cal
        .is_working_day(NaiveDate::from_ymd_opt(2025, 5, 16).unwrap())
        .unwrap());
    assert!(cal
        .is_working_day(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap())
        .unwrap());
}

#[test]
fn domain_section_8_closed_days_2026() {
    let (_, cal) = lock_contract();
    let closed: Vec<String> = cal
        .year(2026)
        .into_iter()
        .filter(|s| s.closes.is_none())
        .map(|s| s.date.format("%m-%d").to_string())
        .collect();
    assert_eq!(
        closed,
        [
            "01-01", "04-02", "04-03", "04-05", "04-06", "05-14", "05-24", "05-25", "12-24",
            "12-25", "12-26", "12-31"
        ]
    );
}

#[test]
fn continuous_targets_across_dst_weekends_2025_and_2026() {
    let (c, cal) = lock_contract();
    // Reported Saturday 23:00 before each change: outside the window, outside targets from the
    // report, wall time across the changed night.
    let cases = [
        (
            "2025-03-29 23:00",
            "2025-03-30T04:30:00+02:00",
            "2025-03-30T07:30:00+02:00",
        ),
        (
            "2025-10-25 23:00",
            "2025-10-26T02:30:00+01:00",
            "2025-10-26T05:30:00+01:00",
        ),
        (
            "2026-03-28 23:00",
            "2026-03-29T04:30:00+02:00",
            "2026-03-29T07:30:00+02:00",
        ),
        (
            "2026-10-24 23:00",
            "2026-10-25T02:30:00+01:00",
            "2026-10-25T05:30:00+01:00",
        ),
    ];
    for (reported, reaction, resolution) in cases {
        let r = parse_time(reported, &c.tz).unwrap();
        let (w, a, b) = deadline_pair(c, cal, "kritisk", r);
        assert_eq!(w, Window::Outside);
        assert_eq!(
            (a.as_deref(), b.as_deref()),
            (Some(reaction), Some(resolution)),
            "kritisk reported {reported}"
        );
        // 4 h 30 m of wall time, whatever the clocks on the wall did.
        let d = sla::deadlines_for(cal, c, "kritisk", r).unwrap();
        assert_eq!(d.reaction.unwrap().deadline - r, TimeDelta::minutes(270));
    }
    // systemfejl reported in the autumn night itself (the second 02:30 does not exist for input).
    let r = parse_time("2025-10-26T02:30:00+01:00", &c.tz).unwrap();
    let (_, a, _) = deadline_pair(c, cal, "systemfejl", r);
    assert_eq!(a.as_deref(), Some("2025-10-26T10:00:00+01:00"));
}

#[test]
fn local_times_in_dst_gaps_and_overlaps_are_resolved_explicitly() {
    let tz = chrono_tz::Europe::Copenhagen;
    // Spring gap: 02:30 does not exist and moves forward by the gap.
    assert_eq!(
        parse_time("2025-03-30 02:30", &tz).unwrap(),
        utc("2025-03-30T03:30:00+02:00")
    );
    // Autumn overlap: 02:30 exists twice; the first occurrence counts.
    assert_eq!(
        parse_time("2025-10-26 02:30", &tz).unwrap(),
        utc("2025-10-26T02:30:00+02:00")
    );
}

#[test]
fn not_covered_categories_start_at_the_next_opening() {
    let (c, cal) = lock_contract();
    // laaseenhed reported Friday 20:00: no outside targets, clock from Monday 07:00.
    let r = cph(2025, 3, 7, 20, 0);
    let d = sla::deadlines_for(cal, c, "laaseenhed", r).unwrap();
    // The day targets applied (domain §4.7), although the report fell outside the window.
    assert_eq!(d.window, Window::Day);
    assert!(!d.reported_in_window);
    assert!(!d.covered_outside);
    assert_eq!(d.reaction.unwrap().start, cph(2025, 3, 10, 7, 0));
    assert_eq!(d.reaction.unwrap().deadline, cph(2025, 3, 10, 15, 0));
}

#[test]
fn the_window_is_half_open() {
    let (c, cal) = lock_contract();
    // Exactly 16:15 on a Monday is outside: kritisk gets the outside targets.
    let d = sla::deadlines_for(cal, c, "kritisk", cph(2025, 3, 3, 16, 15)).unwrap();
    assert_eq!(d.window, Window::Outside);
    let d = sla::deadlines_for(cal, c, "kritisk", cph(2025, 3, 3, 7, 0)).unwrap();
    assert_eq!(d.window, Window::Day);
}

#[test]
fn pauses_move_deadlines_in_the_targets_own_clock() {
    let (c, cal) = lock_contract();
    let d = sla::deadlines_for(cal, c, "kritisk", cph(2025, 3, 3, 9, 0)).unwrap();
    let timer = d.resolution.unwrap();
    let pause = sla::Pause {
        start: cph(2025, 3, 3, 10, 0),
        end: Some(cph(2025, 3, 3, 11, 30)),
    };
    // Continuous: 1 h 30 m of wall time.
    assert_eq!(
        sla::paused_deadline(cal, &timer, &[pause], None, cph(2025, 3, 4, 0, 0)).unwrap(),
        cph(2025, 3, 3, 15, 30)
    );
    // Business (laaseenhed resolution Tue 15:45): a pause over Monday night counts only window time.
    let d = sla::deadlines_for(cal, c, "laaseenhed", cph(2025, 3, 3, 10, 0)).unwrap();
    let timer = d.resolution.unwrap();
    let pause = sla::Pause {
        start: cph(2025, 3, 3, 16, 0),
        end: Some(cph(2025, 3, 4, 7, 30)),
    };
    // 15 m Monday + 30 m Tuesday = 45 m → 16:30 is past Tuesday's close, so Wed 07:15.
    assert_eq!(
        sla::paused_deadline(cal, &timer, &[pause], None, cph(2025, 3, 5, 0, 0)).unwrap(),
        cph(2025, 3, 5, 7, 15)
    );
    // A pause begun after the deadline has passed does not undo the breach.
    let late = sla::Pause {
        start: cph(2025, 3, 4, 16, 0),
        end: Some(cph(2025, 3, 5, 12, 0)),
    };
    assert_eq!(
        sla::paused_deadline(cal, &timer, &[late], None, cph(2025, 3, 6, 0, 0)).unwrap(),
        timer.deadline
    );
}

#[test]
fn at_risk_is_the_last_quarter_in_the_targets_own_clock() {
    let (c, cal) = lock_contract();
    // laaseenhed reaction 8 h of window time from Mon 10:00 → Tue 08:45; the last 2 h of window
    // time begin Mon 16:00 (15 m Monday + 1 h 45 m Tuesday).
    let d = sla::deadlines_for(cal, c, "laaseenhed", cph(2025, 3, 3, 10, 0)).unwrap();
    let t = d.reaction.unwrap();
    let risk = sla::at_risk_from(cal, &t, t.deadline).unwrap();
    assert_eq!(risk, cph(2025, 3, 3, 16, 0));
    assert_eq!(
        sla::status(t.deadline, risk, None, cph(2025, 3, 3, 15, 59)),
        sla::Status::Running
    );
    // Exactly a quarter left at 16:00 is still running (domain §4.6); a minute later it is not.
    assert_eq!(
        sla::status(t.deadline, risk, None, cph(2025, 3, 3, 16, 0)),
        sla::Status::Running
    );
    assert_eq!(
        sla::status(t.deadline, risk, None, cph(2025, 3, 3, 16, 1)),
        sla::Status::AtRisk
    );
    assert_eq!(
        sla::status(
            t.deadline,
            risk,
            Some(cph(2025, 3, 4, 8, 45)),
            cph(2025, 3, 9, 0, 0)
        ),
        sla::Status::Met
    );
    assert_eq!(
        sla::status(
            t.deadline,
            risk,
            Some(cph(2025, 3, 4, 8, 46)),
            cph(2025, 3, 9, 0, 0)
        ),
        sla::Status::Breached
    );
}

#[test]
fn dates_outside_the_calendar_are_errors_not_panics() {
    let (c, cal) = lock_contract();
    let r = cph(2099, 12, 30, 10, 0);
    let e = sla::deadlines_for(cal, c, "systemteknisk", r).unwrap_err();
    assert!(e.to_string().contains("outside the calendar"), "{e}");
    let e = sla::deadlines_for(cal, c, "kritisk", utc("1999-06-01T10:00:00Z")).unwrap_err();
    assert!(e.to_string().contains("2000"), "{e}");
}

#[test]
fn the_ddh_contract_loads_with_its_own_targets() {
    let c = Contract::builtin("ddh-chatbot").unwrap();
    let cal = c.calendar(&frist::calendar::HolidayRules::danish());
    assert!(
        c.categories.iter().all(|k| k.fine.is_none()),
        "the seed states no fines"
    );
    // kategori-3: 2 working days reaction, 14 calendar days resolution.
    let r = cph(2025, 3, 3, 10, 0);
    let (_, a, b) = deadline_pair(&c, &cal, "kategori-3", r);
    assert_eq!(a.as_deref(), Some("2025-03-05T10:00:00+01:00"));
    assert_eq!(b.as_deref(), Some("2025-03-17T10:00:00+01:00"));
    let (_, a, b) = deadline_pair(&c, &cal, "kategori-2", r);
    assert_eq!(a.as_deref(), Some("2025-03-03T12:00:00+01:00"));
    assert_eq!(b.as_deref(), Some("2025-03-06T10:00:00+01:00"));
}
