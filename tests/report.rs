//! The monthly service report: a hand-built month whose every figure is worked out by hand
//! below, the edges of availability and response-time faults, and the output formats.

use chrono::{DateTime, TimeZone, Utc};
use frist::cli::report::{report, write_atomically, ReportArgs};
use frist::cli::Ctx;
use frist::contract::Contract;
use frist::i18n::Lang;
use frist::load::{self, Loaded};
use frist::report::{
    self, build, fault_category, half_points_below, parse_measurements_csv, FaultCategory, Format,
    Report, ReportInput,
};
use frist::sla::{Measurement, TimerKind};
use frist::ticket::{fold, Event, EventKind, Ticket};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Copenhagen
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .expect("valid local time")
}

/// Builds a ticket's log step by step.
struct Log {
    id: u64,
    events: Vec<Event>,
}

impl Log {
    fn new(id: u64, category: &str, reported: DateTime<Utc>, title: &str) -> Log {
        Log::in_municipality(id, category, reported, title, "Aarhus")
    }

    fn in_municipality(
        id: u64,
        category: &str,
        reported: DateTime<Utc>,
        title: &str,
        municipality: &str,
    ) -> Log {
        let mut l = Log {
            id,
            events: Vec::new(),
        };
        l.push(
            reported,
            EventKind::Reported {
                municipality: municipality.into(),
                reporter: "IT".into(),
                title: title.into(),
                description: String::new(),
                category: category.into(),
                contract: "laasesystem".into(),
            },
        );
        l
    }

    fn push(&mut self, t: DateTime<Utc>, kind: EventKind) -> &mut Self {
        self.events.push(Event {
            ticket: self.id,
            seq: self.events.len() as u32,
            user: "agent".into(),
            recorded: t,
            effective: t,
            kind,
        });
        self
    }
    fn react(&mut self, t: DateTime<Utc>) -> &mut Self {
        self.push(
            t,
            EventKind::Reacted {
                note: "Ringet op".into(),
            },
        )
    }
    fn resolve(&mut self, t: DateTime<Utc>, note: &str) -> &mut Self {
        self.push(t, EventKind::Resolved { note: note.into() })
    }
    fn pause(&mut self, t: DateTime<Utc>, reason: &str) -> &mut Self {
        self.push(
            t,
            EventKind::Paused {
                reason: reason.into(),
            },
        )
    }
    fn resume(&mut self, t: DateTime<Utc>) -> &mut Self {
        self.push(t, EventKind::Resumed)
    }
    fn reject(&mut self, t: DateTime<Utc>) -> &mut Self {
        self.push(
            t,
            EventKind::Rejected {
                by: "Jens, IT".into(),
                reason: "Fejlen er der stadig".into(),
            },
        )
    }
    fn done(&self) -> (Ticket, Vec<Event>) {
        (
            fold(&self.events).expect("reported first"),
            self.events.clone(),
        )
    }
}

fn loaded() -> Loaded {
    load::contract("laasesystem").expect("built-in contract")
}

fn build_report(
    l: &Loaded,
    month: (i32, u32),
    municipality: Option<&str>,
    tickets: &[(Ticket, Vec<Event>)],
    measurements: &[Measurement],
    now: DateTime<Utc>,
) -> Report {
    build(&ReportInput {
        contract: &l.contract,
        calendar: &l.calendar,
        month,
        municipality,
        tickets,
        measurements,
        now,
        versions: &[],
    })
    .expect("report builds")
}

// March 2025 (lock-system contract, Europe/Copenhagen). All times local.
//
// T1 kritisk, Mon 03-03 10:00 (in the window → 3h / 5h continuous). Reacted 10:30 (30 min),
//    resolved 12:00 (120 min). Both met. Downtime 120 min.
// T2 kritisk, Tue 03-04 09:00. Reacted 12:30 (210 min > 180: reaction breached by 30 min,
//    deadline 12:00). Resolved 15:00 (360 min; deadline 14:00, 60 min over ≥ 15 min grace
//    → day 1 at 5 000; no working midnight before 15:00 → 5 000). Downtime 360 min.
// T3 kritisk, Wed 03-05 08:00. Reacted 09:00 (60). Resolved 10:00, the municipality rejected
//    it at 11:00, resolved again 13:30: the clock runs from the original report → 330 min,
//    deadline 13:00, 30 min over → 5 000. Downtime [08:00, 13:30) = 330 min (the rejected
//    resolution does not end it).
// T4 laaseenhed, Mon 03-10 10:00 (business 8h / 15h, window Mon–Thu 07:00–16:15).
//    Reacted Mon 15:00 → 300 window min, met. Paused Tue 09:00 → Wed 09:00 (window time
//    Tue 09:00–16:15 = 435 + Wed 07:00–09:00 = 120 → 555 min). Resolved Wed 12:00: window time
//    Mon 375 + Tue 555 + Wed 300 = 1230, less the pause 555 → 675 min (11t 15m), met.
// T5 fejlfinding, Thu 03-27 10:00 (business 15h = 900 min, no reaction target). Window time
//    Thu 375 + Fri 435 (07:00–14:15) = 810, so the deadline is Mon 03-31 08:30 (in March).
//    Resolved Wed 04-02 10:00, after the month's end. Window time Thu 375 + Fri 435 + Mon 555
//    + Tue 555 + Wed 180 = 2100 min; overrun Mon 08:30–16:15 465 + Tue 555 + Wed 180 = 1200.
//    Fine 200/600: day 1 at Mon 08:30 (200), Tue 00:00 (15.5 h after → 200), Wed 00:00
//    (39.5 h after → 600) = 1 000.
// T6 systemfejl (downtime), Thu 03-06 10:00 (5h / 10h continuous). Reacted 11:00 (60).
//    Paused 11:00–12:00 "Venter på log fra kommunen". Resolved 13:51: 231 min less the 60 min
//    pause → 171 min, met. Downtime 231 − 60 = 171 min.
// T7 systemteknisk, Tue 03-11 10:00 (1wd / 10wd). Reacted Tue 14:00: 240 window min; one
//    working day for this ticket = window time Tue 10:00 → Wed 10:00 = 375 + 180 = 555 min →
//    240 / 555 = 0.43 → 0,4 working days. Resolved Thu 03-13 10:00: 375 + 555 + 180 = 1110
//    window min; ten working days Tue 03-11 10:00 → Tue 03-25 10:00 = 375 + 7 × 555 (Mon–Thu)
//    + 2 × 435 (Fri) + 180 = 5310 min, one day = 531 → 1110 / 531 = 2.09 → 2,1 working days.
// T8 kritisk, reported in Copenhagen municipality, Mon 03-17 10:00, reacted 10:10,
//    resolved 10:20 (met). Not in Aarhus's report.
// T9 kritisk, reported Thu 2025-02-20 10:00 and resolved 2025-02-20 11:00: outside March.
//
// Downtime (Aarhus) = 120 + 360 + 330 + 171 = 981 min of 743 h = 44 580 min (March has 31 days
// but loses an hour to summer time). Availability 43 599 / 44 580 = 97.7995 %: 1.2005 points
// below 99 % → 3 started half points → 60 000 kr.
// Fines: 5 000 (T2) + 5 000 (T3) + 1 000 (T5) = 11 000; availability 60 000; total 71 000.
fn march() -> Vec<(Ticket, Vec<Event>)> {
    vec![
        Log::new(1, "kritisk", at(2025, 3, 3, 10, 0), "Ingen kan logge ind")
            .react(at(2025, 3, 3, 10, 30))
            .resolve(at(2025, 3, 3, 12, 0), "Genstartet login-service")
            .done(),
        Log::new(2, "kritisk", at(2025, 3, 4, 9, 0), "Låse åbner ikke")
            .react(at(2025, 3, 4, 12, 30))
            .resolve(at(2025, 3, 4, 15, 0), "Certifikat fornyet")
            .done(),
        Log::new(3, "kritisk", at(2025, 3, 5, 8, 0), "App'en svarer ikke")
            .react(at(2025, 3, 5, 9, 0))
            .resolve(at(2025, 3, 5, 10, 0), "Cache tømt")
            .reject(at(2025, 3, 5, 11, 0))
            .resolve(at(2025, 3, 5, 13, 30), "Database-forbindelse rettet")
            .done(),
        Log::new(
            4,
            "laaseenhed",
            at(2025, 3, 10, 10, 0),
            "Lås melder offline",
        )
        .react(at(2025, 3, 10, 15, 0))
        .pause(at(2025, 3, 11, 9, 0), "Venter på adgang hos borger")
        .resume(at(2025, 3, 12, 9, 0))
        .resolve(at(2025, 3, 12, 12, 0), "Lås skiftet")
        .done(),
        Log::new(
            5,
            "fejlfinding",
            at(2025, 3, 27, 10, 0),
            "Reparation af lås",
        )
        .resolve(at(2025, 4, 2, 10, 0), "Repareret")
        .done(),
        Log::new(6, "systemfejl", at(2025, 3, 6, 10, 0), "Rapporter fejler")
            .react(at(2025, 3, 6, 11, 0))
            .pause(at(2025, 3, 6, 11, 0), "Venter på log fra kommunen")
            .resume(at(2025, 3, 6, 12, 0))
            .resolve(at(2025, 3, 6, 13, 51), "Rapportjob genstartet")
            .done(),
        Log::new(
            7,
            "systemteknisk",
            at(2025, 3, 11, 10, 0),
            "Integration til FSIII",
        )
        .react(at(2025, 3, 11, 14, 0))
        .resolve(at(2025, 3, 13, 10, 0), "Opsætning forklaret")
        .done(),
        Log::in_municipality(8, "kritisk", at(2025, 3, 17, 10, 0), "Nede", "København")
            .react(at(2025, 3, 17, 10, 10))
            .resolve(at(2025, 3, 17, 10, 20), "Ok")
            .done(),
        Log::new(9, "kritisk", at(2025, 2, 20, 10, 0), "Februar")
            .react(at(2025, 2, 20, 10, 30))
            .resolve(at(2025, 2, 20, 11, 0), "Ok")
            .done(),
    ]
}

fn now() -> DateTime<Utc> {
    at(2025, 4, 3, 12, 0)
}

fn category<'a>(r: &'a Report, id: &str) -> &'a report::CategoryRow {
    r.categories.iter().find(|c| c.id == id).expect("category")
}

#[test]
fn hand_built_march_gives_every_figure() {
    let l = loaded();
    let r = build_report(&l, (2025, 3), Some("aarhus"), &march(), &[], now());

    let k = category(&r, "kritisk");
    assert_eq!(
        k.count, 3,
        "T1, T2, T3; T8 is another municipality, T9 February"
    );
    let re = k.reaction.as_ref().unwrap();
    assert_eq!(re.target, "3h");
    assert_eq!(re.target_outside.as_deref(), Some("4h30m"));
    // (30 + 210 + 60) / 3 = 100; max 210.
    assert_eq!((re.average_minutes, re.max_minutes), (Some(100), Some(210)));
    assert_eq!((re.met, re.breached), (2, 1));
    let rs = k.resolution.as_ref().unwrap();
    // (120 + 360 + 330) / 3 = 270; max 360.
    assert_eq!((rs.average_minutes, rs.max_minutes), (Some(270), Some(360)));
    assert_eq!((rs.met, rs.breached), (1, 2));

    let s = category(&r, "systemfejl");
    assert_eq!(s.count, 1);
    assert_eq!(s.reaction.as_ref().unwrap().average_minutes, Some(60));
    assert_eq!(
        s.resolution.as_ref().unwrap().average_minutes,
        Some(171),
        "the pause is left out"
    );

    let u = category(&r, "laaseenhed");
    assert_eq!(u.reaction.as_ref().unwrap().average_minutes, Some(300));
    let ur = u.resolution.as_ref().unwrap();
    assert_eq!((ur.average_minutes, ur.met, ur.breached), (Some(675), 1, 0));

    let f = category(&r, "fejlfinding");
    assert!(f.reaction.is_none(), "no reaction target");
    let fr = f.resolution.as_ref().unwrap();
    assert_eq!((fr.average_minutes, fr.breached), (Some(2100), 1));

    let t = category(&r, "systemteknisk");
    let tr = t.reaction.as_ref().unwrap();
    assert_eq!(tr.average_minutes, Some(240));
    assert_eq!(tr.average_working_days, Some(0.4));
    let tl = t.resolution.as_ref().unwrap();
    assert_eq!(tl.average_minutes, Some(1110));
    assert_eq!(tl.average_working_days, Some(2.1));

    let empty = category(&r, "batteriskift");
    assert_eq!(empty.count, 0);
    assert_eq!(empty.resolution.as_ref().unwrap().average_minutes, None);

    // Breaches in deadline order: T2 reaction, T2 resolution, T3 resolution, T5 resolution.
    let b: Vec<(u64, TimerKind, i64, u64)> = r
        .breaches
        .iter()
        .map(|b| (b.ticket, b.timer, b.overrun_minutes, b.fine))
        .collect();
    assert_eq!(
        b,
        vec![
            (2, TimerKind::Reaction, 30, 0),
            (2, TimerKind::Resolution, 60, 5_000),
            (3, TimerKind::Resolution, 30, 5_000),
            (5, TimerKind::Resolution, 1200, 1_000),
        ]
    );
    assert_eq!(r.breaches[2].rejections, 1);

    assert_eq!(r.availability.period_minutes, 44_580, "31 × 24 h − 1 h");
    assert_eq!(r.availability.downtime_minutes, 981);
    assert!((r.availability.percent - 97.7995).abs() < 0.0001);
    assert_eq!(r.availability.half_points_below, 3);
    assert_eq!(r.fines.resolution, 11_000);
    assert_eq!(r.fines.availability, 60_000);
    assert_eq!(r.fines.response_times, 0);
    assert_eq!(r.fines.total, 71_000);

    let inc: Vec<(u64, i64)> = r
        .availability
        .incidents
        .iter()
        .map(|i| (i.ticket, i.minutes_in_month))
        .collect();
    assert_eq!(inc, vec![(1, 120), (2, 360), (3, 330), (6, 171)]);
    assert_eq!(
        r.availability.incidents[2].remedy, "Database-forbindelse rettet / Cache tømt",
        "the latest resolution note first"
    );
    assert_eq!(r.availability.incidents[0].cause, "Ingen kan logge ind");
    let pauses: Vec<(u64, i64, &str)> = r
        .pauses
        .iter()
        .map(|p| (p.ticket, p.minutes_in_month, p.reason.as_str()))
        .collect();
    assert_eq!(
        pauses,
        vec![
            (6, 60, "Venter på log fra kommunen"),
            (4, 1440, "Venter på adgang hos borger")
        ]
    );

    // Breaches fell due on 03-04, 03-05 and 03-31: the month ends on a broken day.
    assert_eq!(r.operational_test.streak_working_days, 0);
    assert!(!r.operational_test.passed);
    assert_eq!(
        r.operational_test.broken_on,
        Some(chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap())
    );
}

#[test]
fn all_municipalities_include_the_others() {
    let l = loaded();
    let r = build_report(&l, (2025, 3), None, &march(), &[], now());
    assert_eq!(category(&r, "kritisk").count, 4);
    // T8 adds [10:00, 10:20) = 20 min.
    assert_eq!(r.availability.downtime_minutes, 1001);
}

#[test]
fn a_ticket_spanning_the_months_end_counts_once_where_it_fell_due() {
    let l = loaded();
    let april = build_report(&l, (2025, 4), Some("Aarhus"), &march(), &[], now());
    assert!(
        april.breaches.is_empty(),
        "T5 fell due in March and is counted there only"
    );
    assert_eq!(category(&april, "fejlfinding").count, 0);
    assert!(april.period.partial);
    // April to date: 04-01 00:00 → 04-03 12:00 = 60 h.
    assert_eq!(april.availability.period_minutes, 3600);
}

#[test]
fn downtime_spanning_the_months_end_is_clipped_and_open_tickets_run_to_now() {
    let l = loaded();
    // systemfejl reported Mon 03-31 20:00 CEST, still open at now = 04-01 06:00.
    let t = Log::new(1, "systemfejl", at(2025, 3, 31, 20, 0), "Langsom søgning").done();
    let now = at(2025, 4, 1, 6, 0);
    let march = build_report(&l, (2025, 3), None, std::slice::from_ref(&t), &[], now);
    assert_eq!(march.availability.downtime_minutes, 240, "20:00 → 24:00");
    assert_eq!(march.availability.incidents[0].end, None);
    let april = build_report(&l, (2025, 4), None, &[t], &[], now);
    assert_eq!(
        april.availability.downtime_minutes, 360,
        "00:00 → now 06:00"
    );
    assert_eq!(april.availability.period_minutes, 360);
    assert_eq!(april.availability.percent, 0.0);
}

fn kritisk_down(id: u64, from: DateTime<Utc>, minutes: i64) -> (Ticket, Vec<Event>) {
    Log::new(id, "kritisk", from, "Nede")
        .resolve(from + chrono::TimeDelta::minutes(minutes), "Ok")
        .done()
}

#[test]
fn availability_fine_edges_in_a_thirty_day_month() {
    // April 2025: 30 × 24 h = 43 200 min; 1 % = 432 min, half a point = 216 min.
    let l = loaded();
    let now = at(2025, 5, 5, 12, 0);
    let case = |minutes: i64| {
        let t = kritisk_down(1, at(2025, 4, 8, 2, 0), minutes);
        build_report(&l, (2025, 4), None, &[t], &[], now).availability
    };
    assert_eq!(case(432).percent, 99.0);
    assert_eq!(case(432).fine, 0, "exactly 99 % costs nothing");
    assert_eq!(case(433).fine, 20_000, "a started half point");
    assert_eq!(case(648).fine, 20_000, "exactly half a point below");
    assert_eq!(case(649).fine, 40_000);
    assert_eq!(case(1080).fine, 60_000, "97.5 % → 60 000 kr (domain §6)");
}

#[test]
fn overlapping_incidents_count_once_and_pauses_are_left_out() {
    let l = loaded();
    let now = at(2025, 5, 5, 12, 0);
    // A: 10:00–12:00; B: 11:00–13:00 with a pause 11:30–12:30 → B's own downtime 60 min.
    // Union: [10:00, 12:00) ∪ [11:00, 11:30) ∪ [12:30, 13:00) = 120 + 30 = 150 min.
    let a = kritisk_down(1, at(2025, 4, 8, 10, 0), 120);
    let b = Log::new(2, "systemfejl", at(2025, 4, 8, 11, 0), "Langsom")
        .pause(at(2025, 4, 8, 11, 30), "Venter på kommunen")
        .resume(at(2025, 4, 8, 12, 30))
        .resolve(at(2025, 4, 8, 13, 0), "Ok")
        .done();
    let r = build_report(&l, (2025, 4), None, &[a, b], &[], now);
    assert_eq!(r.availability.downtime_minutes, 150);
    assert_eq!(r.availability.incidents[1].minutes_in_month, 60);
    assert_eq!(r.availability.incidents[1].pauses.len(), 1);
}

#[test]
fn month_lengths_follow_summer_time() {
    let l = loaded();
    let len = |y, m| {
        build_report(&l, (y, m), None, &[], &[], at(2026, 1, 1, 0, 0))
            .availability
            .period_minutes
    };
    assert_eq!(len(2025, 3), 743 * 60);
    assert_eq!(len(2025, 10), 745 * 60);
    assert_eq!(len(2025, 2), 28 * 24 * 60);
}

#[test]
fn half_points_are_counted_without_float_drift() {
    // 97.8 % → 1.2 points below → 3 started half points.
    assert_eq!(half_points_below(99.0, 22, 1000), 3);
    assert_eq!(half_points_below(99.0, 10, 1000), 0);
    assert_eq!(half_points_below(99.0, 15, 1000), 1);
    assert_eq!(half_points_below(99.0, 16, 1000), 2);
}

#[test]
fn operational_test_counts_working_days_back_from_the_months_end() {
    let l = loaded();
    // One late resolution that fell due Thu 2025-02-27; March then has no breach.
    // Working days from Fri 02-28 to Mon 03-31: 1 + 21 = 22.
    let late = Log::new(1, "kritisk", at(2025, 2, 27, 8, 0), "Nede")
        .react(at(2025, 2, 27, 8, 30))
        .resolve(at(2025, 2, 27, 16, 0), "Ok")
        .done();
    let r = build_report(&l, (2025, 3), None, &[late], &[], at(2025, 4, 10, 9, 0));
    let o = &r.operational_test;
    assert_eq!(o.streak_working_days, 22);
    assert!(o.passed);
    assert_eq!(o.since, chrono::NaiveDate::from_ymd_opt(2025, 2, 28));
    assert!(!o.at_least);

    // Mid-month, the streak ends today: now = Wed 03-12 → 02-28 .. 03-12 = 1 + 8 = 9 days.
    let r = build_report(
        &l,
        (2025, 3),
        None,
        &[Log::new(1, "kritisk", at(2025, 2, 27, 8, 0), "Nede")
            .react(at(2025, 2, 27, 8, 30))
            .resolve(at(2025, 2, 27, 16, 0), "Ok")
            .done()],
        &[],
        at(2025, 3, 12, 9, 0),
    );
    assert_eq!(r.operational_test.streak_working_days, 9);
    assert!(!r.operational_test.passed);
}

#[test]
fn relevant_keeps_what_the_month_needs() {
    let l = loaded();
    let (from, to) = report::data_window(&l.calendar, (2025, 3), now()).unwrap();
    let tickets = march();
    let keep: Vec<u64> = tickets
        .iter()
        .filter(|(t, _)| report::relevant(t, from, to))
        .map(|(t, _)| t.id)
        .collect();
    // T9 (February) is inside the 42-day look-back for the operational test.
    assert_eq!(keep, vec![1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let old = kritisk_down(10, at(2024, 12, 2, 10, 0), 60);
    assert!(!report::relevant(&old.0, from, to));
    let still_open = Log::new(11, "kritisk", at(2024, 12, 2, 10, 0), "Nede").done();
    assert!(report::relevant(&still_open.0, from, to));
    let later = kritisk_down(12, at(2025, 4, 20, 10, 0), 60);
    assert!(!report::relevant(&later.0, from, to));
}

#[test]
fn a_month_not_begun_is_refused() {
    let l = loaded();
    let err = build(&ReportInput {
        contract: &l.contract,
        calendar: &l.calendar,
        month: (2025, 5),
        municipality: None,
        tickets: &[],
        measurements: &[],
        now: now(),
        versions: &[],
    })
    .unwrap_err();
    assert!(err.to_string().contains("has not begun"), "{err}");
    assert!(report::parse_month("2025-13").is_err());
    assert!(report::parse_month("marts").is_err());
    assert_eq!(report::parse_month("2025-3").unwrap(), (2025, 3));
}

// ---- response times ----

#[test]
fn fault_categories_at_the_edges() {
    // Max 8 s: 25 % over = 10 s, 50 % = 12 s, 75 % = 14 s, 100 % = 16 s.
    assert_eq!(
        fault_category(10.0, 8.0),
        None,
        "exactly 25 % over is no fault"
    );
    assert_eq!(fault_category(10.001, 8.0), Some(FaultCategory::IV));
    assert_eq!(
        fault_category(12.0, 8.0),
        Some(FaultCategory::IV),
        "exactly 50 %"
    );
    assert_eq!(fault_category(12.001, 8.0), Some(FaultCategory::III));
    assert_eq!(
        fault_category(14.0, 8.0),
        Some(FaultCategory::III),
        "exactly 75 %"
    );
    assert_eq!(fault_category(14.001, 8.0), Some(FaultCategory::II));
    assert_eq!(
        fault_category(16.0, 8.0),
        Some(FaultCategory::II),
        "exactly 100 %"
    );
    assert_eq!(fault_category(16.001, 8.0), Some(FaultCategory::I));
    // Limits that are not exact in binary floating point: 3 s → 25 % = 3.75 s.
    assert_eq!(fault_category(3.75, 3.0), None);
    assert_eq!(fault_category(4.5, 3.0), Some(FaultCategory::IV));
    assert_eq!(fault_category(5.25, 3.0), Some(FaultCategory::III));
}

fn m(kind: &str, t: DateTime<Utc>, seconds: f64) -> Measurement {
    Measurement {
        kind: kind.into(),
        at: t,
        seconds,
    }
}

#[test]
fn response_time_points_and_fine() {
    let l = loaded();
    let login = "Login i App'en"; // 95 % ≤ 5 s, max 8 s
    let t = at(2025, 3, 10, 9, 0);
    let ms: Vec<Measurement> = [10.0, 10.001, 12.0, 12.001, 14.0, 14.001, 16.0, 16.001]
        .iter()
        .map(|s| m(login, t, *s))
        .chain([m(login, at(2025, 2, 28, 9, 0), 99.0)]) // February: not counted
        .collect();
    let r = build_report(&l, (2025, 3), None, &[], &ms, now());
    let rt = &r.response_times;
    // 0 + 2 + 2 + 3 + 3 + 5 + 5 + 10 = 30 points; the built-in fee is 0 → 2 000 kr per point.
    assert_eq!(rt.points, 30);
    assert_eq!(rt.per_point, 2_000);
    assert_eq!(rt.fine, 60_000);
    assert_eq!(r.fines.response_times, 60_000);
    let row = rt.types.iter().find(|t| t.name == login).unwrap();
    assert_eq!(row.count, 8);
    assert_eq!(row.faults, [1, 2, 2, 2]);
    assert_eq!(row.max, Some(16.001));
    assert!(
        !row.p95_judged,
        "8 measurements are too few to judge the 95 % figure"
    );

    // With a monthly fee of 50 000 kr, 10 % = 5 000 kr per point.
    let mut c: Contract = l.contract.clone();
    c.response_fine.as_mut().unwrap().monthly_fee = 50_000;
    let r = build(&ReportInput {
        contract: &c,
        calendar: &l.calendar,
        month: (2025, 3),
        municipality: None,
        tickets: &[],
        measurements: &ms,
        now: now(),
        versions: &[],
    })
    .unwrap();
    assert_eq!(r.response_times.per_point, 5_000);
    assert_eq!(r.fines.response_times, 150_000);
}

#[test]
fn the_95_percent_figure_needs_twenty_measurements() {
    let l = loaded();
    let kind = "Fremsøgning af borger"; // 95 % ≤ 2 s, max 5 s
    let t = at(2025, 3, 10, 9, 0);
    let twenty: Vec<Measurement> = (1..=20).map(|i| m(kind, t, f64::from(i) / 5.0)).collect();
    // 0.2, 0.4 … 4.0; nearest rank ⌈0.95 × 20⌉ = 19th = 3.8 s > 2 s.
    let r = build_report(&l, (2025, 3), None, &[], &twenty, now());
    let row = r
        .response_times
        .types
        .iter()
        .find(|t| t.name == kind)
        .unwrap();
    assert_eq!(row.p95, Some(3.8));
    assert_eq!(row.p95_met, Some(false));
    assert_eq!(row.points, 0, "none over the max");
    let r = build_report(&l, (2025, 3), None, &[], &twenty[..19], now());
    let row = r
        .response_times
        .types
        .iter()
        .find(|t| t.name == kind)
        .unwrap();
    assert!(!row.p95_judged);
    assert_eq!(row.p95_met, None);
}

#[test]
fn measurement_csv_reads_excel_and_script_files() {
    let l = loaded();
    let c = &l.contract;
    let src = "\u{feff}Transaktionstype;Tidspunkt;Sekunder\n\
               login i app'en;2025-03-10 09:00:00;2,5\n\
               \n\
               Fremsøgning af borger;2025-03-10T08:00:00Z;1.25\n";
    let v = parse_measurements_csv(src, "svar.csv", &c.tz, &c.response_times).unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(
        v[0].kind, "Login i App'en",
        "spelt as the contract spells it"
    );
    assert_eq!(v[0].at, at(2025, 3, 10, 9, 0));
    assert_eq!(v[0].seconds, 2.5);
    assert_eq!(v[1].seconds, 1.25);

    let comma = "Login i App'en,2025-03-10 09:00,\"3,5\"\n";
    let v = parse_measurements_csv(comma, "svar.csv", &c.tz, &c.response_times).unwrap();
    assert_eq!(v[0].seconds, 3.5);
}

#[test]
fn a_bad_measurement_line_refuses_the_file_with_its_line_number() {
    let l = loaded();
    let c = &l.contract;
    let src = "Login i App'en;2025-03-10 09:00;2\nLogin i App'en;10.03.2025 kl 9;2\n";
    let err = parse_measurements_csv(src, "svar.csv", &c.tz, &c.response_times).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("svar.csv, line 2"), "{msg}");
    assert!(msg.contains("nothing was imported"), "{msg}");

    let src = "Login;2025-03-10 09:00;2\n";
    let msg = parse_measurements_csv(src, "svar.csv", &c.tz, &c.response_times)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("unknown transaction type \"Login\""), "{msg}");
    assert!(
        msg.contains("\"Fremsøgning af borger\""),
        "lists the valid names: {msg}"
    );

    let src = "Login i App'en;2025-03-10 09:00;-1\n";
    let msg = parse_measurements_csv(src, "svar.csv", &c.tz, &c.response_times)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("line 1") && msg.contains("not a number"),
        "{msg}"
    );
}

// ---- formats ----

fn march_report(lang_measurements: bool) -> Report {
    let l = loaded();
    let ms = if lang_measurements {
        vec![m("Login i App'en", at(2025, 3, 10, 9, 0), 12.5)]
    } else {
        vec![]
    };
    build_report(&l, (2025, 3), Some("Aarhus"), &march(), &ms, now())
}

#[test]
fn json_has_the_agreed_shape() {
    let r = march_report(false);
    let v: serde_json::Value = serde_json::from_str(&report::render_json(&r)).unwrap();
    assert_eq!(v["month"], "2025-03");
    assert_eq!(v["municipality"], "Aarhus");
    let k = &v["categories"][0];
    assert_eq!(k["id"], "kritisk");
    assert_eq!(k["count"], 3);
    for key in [
        "target",
        "average_minutes",
        "max_minutes",
        "met",
        "breached",
    ] {
        assert!(!k["reaction"][key].is_null(), "reaction.{key}");
        assert!(!k["resolution"][key].is_null(), "resolution.{key}");
    }
    assert!(
        v["categories"][5]["reaction"].is_null(),
        "montering has none"
    );
    assert_eq!(v["fines"]["total"], 71_000);
    assert_eq!(v["fines"]["resolution"], 11_000);
    assert_eq!(v["fines"]["availability"], 60_000);
    assert_eq!(v["fines"]["response_times"], 0);
    assert!(v["availability"]["percent"].is_f64());
    assert_eq!(v["availability"]["downtime_minutes"], 981);
    assert_eq!(v["operational_test"]["streak_working_days"], 0);
    assert_eq!(v["operational_test"]["passed"], false);

    let all = build_report(&loaded(), (2025, 3), None, &[], &[], now());
    let v: serde_json::Value = serde_json::from_str(&report::render_json(&all)).unwrap();
    assert!(v["municipality"].is_null());
}

#[test]
fn csv_opens_in_danish_excel() {
    let s = report::render_csv(&march_report(false), Lang::Da);
    assert!(s.starts_with('\u{feff}'), "UTF-8 with BOM");
    assert!(
        s.contains("Driftseffektivitet (%) (krav 99,0 %);97,79\r\n"),
        "{s}"
    );
    assert!(s.contains("I alt;71000\r\n"), "plain kroner for sums: {s}");
    assert!(s.contains("Fejlkategori;Sager;"), "{s}");
    // Business-clock and working-day figures: plain numbers with a decimal comma.
    assert!(s.contains("2,1 (arbejdsdage)"), "{s}");
    assert!(!s.contains("97.79"), "no decimal point");
}

#[test]
fn markdown_reads_as_an_email() {
    let s = report::render_markdown(&march_report(true), Lang::Da);
    assert!(s.starts_with("# Servicerapport marts 2025"), "{s}");
    assert!(
        s.contains(
            "| Kritisk fejl | 3 | 3t (uden for dagtimer 4t 30m) | 1t 40m | 3t 30m | 2 / 1 |"
        ),
        "{s}"
    );
    // 11 000 + 60 000 + one category III fault (12.5 s against 8 s: 56 % over) = 3 × 2 000.
    assert!(s.contains("| Bod for svartider | 6.000 kr. |"), "{s}");
    assert!(s.contains("| I alt | 77.000 kr. |"), "{s}");
    assert!(
        s.contains("| Fejlfinding/reparation | 1 | – | – | – | – | 15t | 35t | 35t | 0 / 1 |"),
        "window hours, not days: {s}"
    );
    assert!(s.contains("Periode: 01.03.2025 – 31.03.2025"), "{s}");
    assert!(s.contains("97,79"), "{s}");
    assert!(
        s.contains("Venter på adgang hos borger"),
        "pause reasons: {s}"
    );
    assert!(s.contains("## Svartider"), "{s}");
    let en = report::render_markdown(&march_report(false), Lang::En);
    assert!(en.starts_with("# Service report March 2025"), "{en}");
    assert!(en.contains("97.79"), "{en}");
    assert!(
        !en.contains("## Response times"),
        "no measurements, no section"
    );
}

#[test]
fn html_is_one_self_contained_file_with_charts() {
    let s = report::render_html(&march_report(false), Lang::Da);
    assert!(s.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        s.matches("<svg").count(),
        2,
        "resolution and availability charts"
    );
    for external in ["http:", "https:", "src=", "href=", "@import", "url("] {
        assert!(!s.contains(external), "refers outside: {external}");
    }
    assert!(s.contains("@media print"));
    // Fits a 1000-pixel window and an A4 page (checked by eye in headless Chromium, see
    // docs/report.md): tables of many columns take the page's width and wrap their cells,
    // charts scale down to the page.
    assert!(s.contains("<table class=\"wide\">"), "{s}");
    assert!(s.contains("max-width:100%;height:auto"), "{s}");
    // The resolution chart's label column is wide enough for the longest category name
    // (about 7 px a character at 12 px), so no label is cut at the left.
    let longest = "Fejl på låseenheder og den adgangsgivende enhed";
    let label_end = s
        .split("<text x=\"")
        .skip(1)
        .find(|t| t.contains(&format!(">{longest}<")))
        .and_then(|t| t.split('"').next())
        .and_then(|x| x.parse::<f64>().ok())
        .expect("the longest category label");
    assert!(
        label_end >= 6.5 * longest.chars().count() as f64,
        "{label_end}"
    );
    assert!(s.contains("App&#39;en svarer ikke") || s.contains("Ingen kan logge ind"));
    assert!(s.contains("</html>"));
}

// ---- the command ----

fn ctx(now: DateTime<Utc>, lang: Lang) -> Ctx {
    Ctx {
        loaded: loaded(),
        now,
        fixed: true,
        lang,
        wait: std::time::Duration::ZERO,
    }
}

#[test]
fn report_command_writes_the_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("marts.csv");
    let args = ReportArgs {
        month: "2025-03".into(),
        municipality: Some("Aarhus".into()),
        format: Format::Csv,
        out: Some(path.clone()),
        mail: false,
    };
    let mut out = Vec::new();
    report(&ctx(now(), Lang::Da), &args, &march(), &[], &mut out).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.starts_with('\u{feff}'));
    assert!(String::from_utf8(out).unwrap().contains("marts.csv"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "marts.csv")
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left behind");

    // A bad month fails with exit code 2 and leaves the earlier file as it was.
    let bad = ReportArgs {
        month: "2025-13".into(),
        ..args
    };
    let err = report(&ctx(now(), Lang::Da), &bad, &march(), &[], &mut Vec::new()).unwrap_err();
    assert_eq!(err.code, 2);
    assert!(err.message.contains("--month"), "{}", err.message);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);
}

#[test]
fn export_to_a_missing_folder_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope").join("r.md");
    let err = write_atomically(&path, b"x").unwrap_err();
    assert_eq!(err.code, 2);
    assert!(err.message.contains("folder exists"), "{}", err.message);
    assert!(!path.exists());
}

#[test]
fn report_command_prints_markdown_by_default() {
    let args = ReportArgs {
        month: "2025-03".into(),
        municipality: None,
        format: Format::Md,
        out: None,
        mail: false,
    };
    let mut out = Vec::new();
    report(&ctx(now(), Lang::En), &args, &march(), &[], &mut out).unwrap();
    let s = String::from_utf8(out).unwrap();
    assert!(s.starts_with("# Service report March 2025"), "{s}");
    assert!(s.contains("all municipalities"), "{s}");
}

#[test]
fn a_quiet_stretch_reports_at_least_the_look_back() {
    let l = loaded();
    // No breach at all: the look-back starts 42 days before 03-01, on Sat 01-18; working days
    // Mon 01-20 .. 01-31 = 10, February 20, March 21 → at least 51.
    let r = build_report(&l, (2025, 3), None, &[], &[], now());
    assert_eq!(r.operational_test.streak_working_days, 51);
    assert!(r.operational_test.at_least);
    // ...but an empty log has nothing to judge: it does not claim the test passed.
    assert_eq!(r.operational_test.deadlines_fell_due, 0);
    assert!(!r.operational_test.passed);
}

#[test]
fn a_breach_on_a_weekend_breaks_the_streak_on_the_next_working_day() {
    let l = loaded();
    // kritisk reported Sat 03-29 10:00 (outside the window: 4h30m reaction), reacted only
    // on Mon 03-31 08:00: the reaction fell due unmet on Saturday 14:30 → counts on Monday.
    let t = Log::new(1, "kritisk", at(2025, 3, 29, 10, 0), "Nede i weekenden")
        .react(at(2025, 3, 31, 8, 0))
        .resolve(at(2025, 3, 31, 9, 0), "Ok")
        .done();
    let r = build_report(&l, (2025, 3), None, &[t], &[], now());
    assert_eq!(r.operational_test.streak_working_days, 0);
    assert_eq!(
        r.operational_test.broken_on,
        chrono::NaiveDate::from_ymd_opt(2025, 3, 31)
    );
}

#[test]
fn a_bad_first_line_is_not_mistaken_for_a_header() {
    let l = loaded();
    let c = &l.contract;
    let src = "Login i App'en;i går;lang tid\nLogin i App'en;2025-03-10 09:00;2\n";
    let msg = parse_measurements_csv(src, "svar.csv", &c.tz, &c.response_times)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("line 1"), "{msg}");
}

#[test]
fn svartider_import_reads_the_file_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("svar.csv");
    std::fs::write(&path, "Login i App'en;2025-03-10 09:00;2,5\n").unwrap();
    let c = ctx(now(), Lang::Da);
    let v = frist::cli::report::parse_svartider(&c, &path).unwrap();
    assert_eq!(v.len(), 1);
    let err = frist::cli::report::parse_svartider(&c, &dir.path().join("mangler.csv")).unwrap_err();
    assert_eq!(err.code, 2);
    assert!(err.message.contains("mangler.csv"), "{}", err.message);
    assert!(err.message.contains("kan ikke læse"), "{}", err.message);

    // A bad line is named in the user's language.
    std::fs::write(&path, "Login;2025-03-10 09:00;2\n").unwrap();
    let err = frist::cli::report::parse_svartider(&c, &path).unwrap_err();
    assert!(
        err.message
            .contains("linje 1: ukendt transaktionstype \"Login\"")
            && err.message.contains("intet er importeret"),
        "{}",
        err.message
    );
    std::fs::write(&path, "Login i App'en;2025-03-10 kl 9;2\n").unwrap();
    let err = frist::cli::report::parse_svartider(&c, &path).unwrap_err();
    assert!(
        err.message
            .contains("kan ikke læse tidspunktet '2025-03-10 kl 9'"),
        "{}",
        err.message
    );
    let en = ctx(now(), Lang::En);
    let err = frist::cli::report::parse_svartider(&en, &path).unwrap_err();
    assert!(
        err.message.contains("line 1: cannot read the time"),
        "{}",
        err.message
    );

    // A file without a single measurement (only a header, or something else entirely) is
    // refused rather than imported as nothing.
    for text in ["transaktion;tidspunkt;sekunder\n", "{\"n\": 1}\n", ""] {
        std::fs::write(&path, text).unwrap();
        let err = frist::cli::report::parse_svartider(&c, &path).unwrap_err();
        assert_eq!(err.code, 2);
        assert!(
            err.message.contains("har ingen målinger"),
            "{text:?}: {}",
            err.message
        );
    }
}

/// `--out` naming a device (through a link here, so that a regression replaces only the
/// link): written into, never replaced by a file. As root, renaming over `/dev/null` once left
/// every later `> /dev/null` of the machine writing to a regular file.
#[cfg(unix)]
#[test]
fn export_to_a_device_writes_into_it_and_leaves_it_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("out.md");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    write_atomically(&link, b"# report").unwrap();
    assert!(link.is_symlink(), "the link stays a link");
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device(),
        "/dev/null stays a device"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );

    // A link to a regular file: the file is replaced, the link stays.
    let target = dir.path().join("real.md");
    std::fs::write(&target, "old").unwrap();
    let link2 = dir.path().join("link.md");
    std::os::unix::fs::symlink(&target, &link2).unwrap();
    write_atomically(&link2, b"new").unwrap();
    assert!(link2.is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
}

/// A question of ten working days, reported Mon 03-03 10:00 (deadline Mon 03-17 10:00) and
/// answered Mon 03-31 10:00: 5 310 window minutes late, which is 9,6 working days of the
/// contract's full window day (555 min), as the board counts them, and not `88t 30m`.
#[test]
fn a_working_days_breach_reads_in_working_days_in_every_format() {
    let l = loaded();
    let tickets = vec![Log::new(
        20,
        "systemteknisk",
        at(2025, 3, 3, 10, 0),
        "Hvordan tildeler vi roller?",
    )
    .react(at(2025, 3, 3, 11, 0))
    .resolve(at(2025, 3, 31, 10, 0), "Svar sendt")
    .done()];
    let r = build_report(&l, (2025, 3), None, &tickets, &[], now());
    assert_eq!(r.breaches.len(), 1);
    assert_eq!(r.breaches[0].overrun_minutes, 5310);
    assert_eq!(r.breaches[0].overrun_working_days, Some(9.6));
    let md = report::render_markdown(&r, Lang::Da);
    let row = md
        .lines()
        .find(|x| x.contains("Hvordan tildeler vi roller?"))
        .expect("breach row");
    assert!(row.contains("| 9,6 arbejdsdage | 7.000 kr. |"), "{row}");
    assert!(!row.contains("dagtimer"), "{row}");
    let html = report::render_html(&r, Lang::Da);
    assert!(
        html.contains("<td class=\"n\">9,6 arbejdsdage</td>"),
        "{html}"
    );
    let en = report::render_html(&r, Lang::En);
    assert!(en.contains("<td class=\"n\">9.6 working days</td>"), "{en}");
    let csv = report::render_csv(&r, Lang::Da);
    assert!(csv.contains(";9,6;arbejdsdage;7000\r\n"), "{csv}");
    let json: serde_json::Value = serde_json::from_str(&report::render_json(&r)).unwrap();
    assert_eq!(json["breaches"][0]["overrun_working_days"], 9.6);
}

#[test]
fn an_empty_log_does_not_claim_the_operational_test_is_passed() {
    let args = ReportArgs {
        month: "2025-03".into(),
        municipality: None,
        format: Format::Md,
        out: None,
        mail: false,
    };
    let mut out = Vec::new();
    report(&ctx(now(), Lang::Da), &args, &[], &[], &mut out).unwrap();
    let s = String::from_utf8(out).unwrap();
    assert!(!s.contains("driftsprøven er bestået"), "{s}");
    assert!(s.contains("kan ikke vurderes"), "{s}");
    // A month name in running Danish text is lower-case.
    assert!(s.contains("marts 2025"), "{s}");
    assert!(!s.contains("Marts"), "{s}");
}
