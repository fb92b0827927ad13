use super::*;
use crate::calendar::HolidayRules;
use crate::contract::Contract;
use crate::sla::Status;
use chrono::TimeZone;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Copenhagen
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .expect("valid local time")
}

fn ev(seq: u32, effective: DateTime<Utc>, kind: EventKind) -> Event {
    Event {
        ticket: 1,
        seq,
        user: "agent".into(),
        recorded: effective,
        effective,
        kind,
    }
}

fn reported(category: &str, t: DateTime<Utc>) -> Event {
    ev(
        0,
        t,
        EventKind::Reported {
            municipality: "Aarhus".into(),
            reporter: "IT".into(),
            title: "App'en svarer ikke".into(),
            description: String::new(),
            category: category.into(),
            contract: "laasesystem".into(),
        },
    )
}

/// Applies events one by one through `check`, as the store does.
fn run(events: Vec<Event>, now: DateTime<Utc>) -> Result<Ticket, LifecycleError> {
    let mut t = fold(&events[..1]).expect("reported first");
    for e in &events[1..] {
        t.check(&e.kind, e.effective, now)?;
        t.apply(e);
    }
    Ok(t)
}

#[test]
fn lifecycle_closes_only_on_written_acceptance() {
    let r = at(2025, 3, 3, 9, 0);
    let now = at(2025, 3, 4, 12, 0);
    let t = run(
        vec![
            reported("kritisk", r),
            ev(
                1,
                at(2025, 3, 3, 9, 30),
                EventKind::Reacted {
                    note: String::new(),
                },
            ),
            ev(
                2,
                at(2025, 3, 3, 11, 0),
                EventKind::Resolved {
                    note: String::new(),
                },
            ),
        ],
        now,
    )
    .unwrap();
    assert_eq!(t.state, State::Resolved);
    assert!(t.awaiting_acceptance());
    let accept = EventKind::Accepted {
        by: "Jens, IT".into(),
        reference: "mail 2025-03-04".into(),
    };
    let mut closed = t.clone();
    closed.check(&accept, at(2025, 3, 4, 10, 0), now).unwrap();
    closed.apply(&ev(3, at(2025, 3, 4, 10, 0), accept));
    assert_eq!(closed.state, State::Closed);
    // A closed ticket cannot be resolved again; the message names the state and the options.
    let e = closed
        .check(
            &EventKind::Resolved {
                note: String::new(),
            },
            now,
            now,
        )
        .unwrap_err();
    assert!(e.to_string().contains("closed"), "{}", e.to_string());
    assert!(
        e.to_string().contains("possible now: note"),
        "{}",
        e.to_string()
    );
    // An acceptance without a reference is refused.
    let e = t
        .check(
            &EventKind::Accepted {
                by: "Jens".into(),
                reference: " ".into(),
            },
            now,
            now,
        )
        .unwrap_err();
    assert!(e.to_string().contains("--ref"), "{}", e.to_string());
}

#[test]
fn accepting_an_unresolved_ticket_is_refused() {
    let r = at(2025, 3, 3, 9, 0);
    let t = run(vec![reported("kritisk", r)], r).unwrap();
    let e = t
        .check(
            &EventKind::Accepted {
                by: "a".into(),
                reference: "b".into(),
            },
            r,
            r,
        )
        .unwrap_err();
    assert!(e.to_string().contains("is open"), "{}", e.to_string());
    assert!(
        e.to_string().contains("react, pause, resolve"),
        "{}",
        e.to_string()
    );
}

#[test]
fn resuming_an_unpaused_ticket_is_refused() {
    let r = at(2025, 3, 3, 9, 0);
    let t = run(vec![reported("kritisk", r)], r).unwrap();
    let e = t.check(&EventKind::Resumed, r, r).unwrap_err();
    assert!(e.to_string().contains("not paused"), "{}", e.to_string());
}

#[test]
fn future_and_pre_report_times_are_refused() {
    let r = at(2025, 3, 3, 9, 0);
    let t = run(vec![reported("kritisk", r)], r).unwrap();
    let now = at(2025, 3, 3, 10, 0);
    let react = EventKind::Reacted {
        note: String::new(),
    };
    assert!(t
        .check(&react, at(2025, 3, 3, 11, 0), now)
        .unwrap_err()
        .to_string()
        .contains("future"));
    assert!(t
        .check(&react, at(2025, 3, 3, 8, 0), now)
        .unwrap_err()
        .to_string()
        .contains("before the report"));
}

#[test]
fn rejection_reopens_and_the_clock_runs_from_the_report() {
    let contract = Contract::default_contract();
    let cal = contract.calendar(&HolidayRules::danish());
    // kritisk, Mon 09:00 inside the window: resolution due 14:00.
    let r = at(2025, 3, 3, 9, 0);
    let t = run(
        vec![
            reported("kritisk", r),
            ev(
                1,
                at(2025, 3, 3, 9, 30),
                EventKind::Reacted {
                    note: String::new(),
                },
            ),
            ev(
                2,
                at(2025, 3, 3, 11, 0),
                EventKind::Resolved {
                    note: String::new(),
                },
            ),
            ev(
                3,
                at(2025, 3, 3, 15, 0),
                EventKind::Rejected {
                    by: "Jens".into(),
                    reason: "Fejlen er der stadig".into(),
                },
            ),
        ],
        at(2025, 3, 3, 15, 0),
    )
    .unwrap();
    assert_eq!(t.state, State::Reacted, "the first reaction stays valid");
    assert_eq!(t.resolved, None);
    let e = evaluate(&t, &contract, &cal, at(2025, 3, 3, 15, 0)).unwrap();
    assert_eq!(e.reaction.status, Some(Status::Met));
    assert_eq!(e.resolution.deadline, Some(at(2025, 3, 3, 14, 0)));
    assert_eq!(
        e.resolution.status,
        Some(Status::Breached),
        "the rejected resolution no longer counts"
    );
    assert_eq!(e.fine.total, 5000);
}

#[test]
fn a_pause_moves_a_business_deadline_by_window_time() {
    let contract = Contract::default_contract();
    let cal = contract.calendar(&HolidayRules::danish());
    // laaseenhed Mon 10:00: reaction due Tue 08:45 (8h window time).
    let r = at(2025, 3, 3, 10, 0);
    let now = at(2025, 3, 4, 12, 0);
    let t = run(
        vec![
            reported("laaseenhed", r),
            ev(
                1,
                at(2025, 3, 3, 15, 0),
                EventKind::Paused {
                    reason: "Venter på kommunen".into(),
                },
            ),
            // Paused 15:00 Mon → 08:00 Tue: 1h15 + 1h of window time.
            ev(2, at(2025, 3, 4, 8, 0), EventKind::Resumed),
        ],
        now,
    )
    .unwrap();
    let e = evaluate(&t, &contract, &cal, now).unwrap();
    assert_eq!(e.reaction.deadline, Some(at(2025, 3, 4, 11, 0)));
    assert_eq!(t.pauses[0].reason, "Venter på kommunen");
}

#[test]
fn statuses_run_through_at_risk_to_breached() {
    let contract = Contract::default_contract();
    let cal = contract.calendar(&HolidayRules::danish());
    let r = at(2025, 3, 3, 15, 30);
    let t = run(vec![reported("kritisk", r)], r).unwrap();
    // Reaction 3h → 18:30; exactly a quarter left at 17:45 (still running), at risk after it;
    // at 18:30 itself not yet breached.
    let s = |h, m| {
        evaluate(&t, &contract, &cal, at(2025, 3, 3, h, m))
            .unwrap()
            .reaction
            .status
    };
    assert_eq!(s(17, 44), Some(Status::Running));
    assert_eq!(s(17, 45), Some(Status::Running));
    assert_eq!(s(17, 46), Some(Status::AtRisk));
    assert_eq!(s(18, 30), Some(Status::AtRisk));
    assert_eq!(s(18, 31), Some(Status::Breached));
}

#[test]
fn a_rejected_resolution_that_came_first_still_counts_as_the_reaction() {
    let contract = Contract::default_contract();
    let cal = contract.calendar(&HolidayRules::danish());
    // kritisk, Mon 09:00: reaction due 10:00. Resolved at 09:40 without a separate reaction,
    // rejected at 15:00: the municipality was told what was wrong at 09:40.
    let r = at(2025, 3, 3, 9, 0);
    let t = run(
        vec![
            reported("kritisk", r),
            ev(
                1,
                at(2025, 3, 3, 9, 40),
                EventKind::Resolved {
                    note: String::new(),
                },
            ),
            ev(
                2,
                at(2025, 3, 3, 15, 0),
                EventKind::Rejected {
                    by: "Jens".into(),
                    reason: "Fejlen er der stadig".into(),
                },
            ),
        ],
        at(2025, 3, 3, 15, 0),
    )
    .unwrap();
    let e = evaluate(&t, &contract, &cal, at(2025, 3, 3, 15, 0)).unwrap();
    assert_eq!(e.reaction.done, Some(at(2025, 3, 3, 9, 40)));
    assert_eq!(e.reaction.status, Some(Status::Met));
    assert_eq!(e.resolution.status, Some(Status::Breached));
}

#[test]
fn a_pause_from_exactly_the_deadline_keeps_a_critical_fault_met_and_free() {
    let contract = Contract::default_contract();
    let cal = contract.calendar(&HolidayRules::danish());
    // kritisk Mon 10:00: resolution due 15:00. Paused 15:00–16:00 (waiting for the
    // municipality), resolved 16:00 → the pause moved the deadline to 16:00: met, 0 kr.
    let r = at(2025, 3, 3, 10, 0);
    let now = at(2025, 3, 3, 17, 0);
    let t = run(
        vec![
            reported("kritisk", r),
            ev(
                1,
                at(2025, 3, 3, 11, 0),
                EventKind::Reacted {
                    note: String::new(),
                },
            ),
            ev(
                2,
                at(2025, 3, 3, 15, 0),
                EventKind::Paused {
                    reason: "Venter på kommunens logfiler".into(),
                },
            ),
            ev(3, at(2025, 3, 3, 16, 0), EventKind::Resumed),
            ev(
                4,
                at(2025, 3, 3, 16, 0),
                EventKind::Resolved {
                    note: String::new(),
                },
            ),
        ],
        now,
    )
    .unwrap();
    let e = evaluate(&t, &contract, &cal, now).unwrap();
    assert_eq!(e.resolution.deadline, Some(at(2025, 3, 3, 16, 0)));
    assert_eq!(e.resolution.status, Some(Status::Met));
    assert_eq!(e.fine.total, 0);
}

#[test]
fn a_refusal_read_in_a_form_names_no_flag_and_no_command() {
    use super::{LifecycleError, Refusal, Step, Surface};
    let t0 = chrono::Utc::now();
    let refusals = vec![
        Refusal::InFuture { at: t0, now: t0 },
        Refusal::ClassifiedOnce,
        Refusal::ReclassifyNeedsReason,
        Refusal::PauseNeedsReason,
        Refusal::AlreadyReacted,
        Refusal::NotNow(Step::Accept),
        Refusal::AcceptanceNotWritten,
        Refusal::RejectionIncomplete,
        Refusal::AssignNeedsSomeone,
        Refusal::CorrectionNeedsReason,
    ];
    for refusal in refusals {
        let e = LifecycleError {
            ticket: 7,
            state: State::Reacted,
            refusal,
            possible: vec!["pause", "resolve", "correct-report-time"],
        };
        for l in [Lang::Da, Lang::En] {
            let form = e.message_on(l, &chrono_tz::Europe::Copenhagen, Surface::Form);
            assert!(!form.contains("--"), "{form}");
            assert!(!form.contains("correct-report-time"), "{form}");
            // ("reclassify" is the English UI's own word for the step.)
            assert!(l == Lang::En || !form.contains("reclassify"), "{form}");
        }
        // The command line keeps its flags and command names.
        let cli = e.message_on(Lang::Da, &chrono_tz::Europe::Copenhagen, Surface::Cli);
        assert!(
            cli.contains("--") || cli.contains("correct-report-time") || cli.contains("reclassify"),
            "{cli}"
        );
    }
}

/// Every withdrawable step, withdrawn right after it was taken, leaves the ticket as the fold
/// without it: state, timers' instants, pauses and verdicts (notes stay searchable).
#[test]
fn a_retraction_undoes_exactly_the_step_it_withdraws() {
    let r = at(2025, 3, 3, 9, 0);
    let h = |hour| at(2025, 3, 3, hour, 0);
    let steps: Vec<EventKind> = vec![
        EventKind::Paused {
            reason: "Venter".into(),
        },
        EventKind::Reacted {
            note: String::new(),
        },
        EventKind::Resumed,
        EventKind::Paused {
            reason: "Igen".into(),
        },
        EventKind::Resolved {
            note: String::new(),
        },
        EventKind::Rejected {
            by: "Per".into(),
            reason: "Virker ikke".into(),
        },
        EventKind::Resolved {
            note: String::new(),
        },
        EventKind::Accepted {
            by: "Per".into(),
            reference: "mail".into(),
        },
    ];
    let mut events = vec![reported("kritisk", r)];
    for (i, kind) in steps.into_iter().enumerate() {
        events.push(ev(events.len() as u32, h(10 + i as u32), kind));
        let before = fold(&events[..events.len() - 1]).unwrap();
        let seq = events.len() as u32 - 1;
        let retraction = retraction(&events, seq, "Fejl").unwrap();
        let mut withdrawn = events.clone();
        withdrawn.push(ev(seq + 1, h(10 + i as u32), retraction));
        let after = fold(&withdrawn).unwrap();
        let strip = |t: &Ticket| {
            let mut t = t.clone();
            (t.events, t.notes, t.last_effective) = (0, Vec::new(), r);
            t
        };
        assert_eq!(strip(&after), strip(&before), "withdrawing event {seq}");
    }
    // Only the latest step in force goes; the report never does.
    let refusal = |seq| retraction(&events, seq, "Fejl").unwrap_err().refusal;
    assert!(matches!(refusal(5), Refusal::BuiltOn { later: 8, .. }));
    assert!(matches!(refusal(0), Refusal::NotRetractable { .. }));
}
