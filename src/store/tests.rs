use super::*;
use crate::ticket::{ClassifiedBy, State};
use chrono::TimeZone;

fn t(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, h, m, 0).unwrap()
}

fn report(municipality: &str) -> EventKind {
    EventKind::Reported {
        municipality: municipality.into(),
        reporter: "Lone".into(),
        title: "Døre i rådhuset åbner ikke".into(),
        description: "Ingen brikker virker".into(),
        category: "kritisk".into(),
        contract: "laasesystem".into(),
    }
}

fn classified() -> EventKind {
    EventKind::Classified {
        category: "kritisk".into(),
        by: ClassifiedBy::Agent,
        confidence: None,
        reasons: vec![],
    }
}

fn open_store(dir: &tempfile::TempDir) -> LocalStore {
    LocalStore::open(&dir.path().join("db")).unwrap()
}

fn with_ticket(s: &dyn Store) -> Ticket {
    s.create(
        report("Aarhus"),
        Some(classified()),
        "ann",
        t(14, 0),
        t(14, 0),
    )
    .unwrap()
}

#[test]
fn create_assigns_increasing_ids_and_keeps_the_events() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_store(&dir);
    assert!(s.is_empty().unwrap());
    let a = with_ticket(&s);
    let b = with_ticket(&s);
    assert_eq!((a.id, b.id), (1, 2));
    assert_eq!(a.state, State::Open);
    let evs = s.events(1).unwrap();
    assert_eq!(evs.len(), 2);
    assert_eq!(evs[1].kind.name(), "classified");
    assert_eq!(s.municipalities().unwrap(), vec!["Aarhus".to_string()]);
}

#[test]
fn lifecycle_through_acceptance_updates_state_and_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_store(&dir);
    let tk = with_ticket(&s);
    let now = t(20, 0);
    s.append(
        tk.id,
        EventKind::Reacted { note: "".into() },
        "ann",
        now,
        t(15, 0),
        now,
    )
    .unwrap();
    s.append(
        tk.id,
        EventKind::Resolved { note: "".into() },
        "ann",
        now,
        t(16, 0),
        now,
    )
    .unwrap();
    assert_eq!(s.tickets(Filter::NotClosed).unwrap().len(), 1);
    let closed = s
        .append(
            tk.id,
            EventKind::Accepted {
                by: "Lone".into(),
                reference: "mail 7".into(),
            },
            "ann",
            now,
            t(17, 0),
            now,
        )
        .unwrap();
    assert_eq!(closed.state, State::Closed);
    assert!(s.tickets(Filter::NotClosed).unwrap().is_empty());
    assert_eq!(s.tickets(Filter::Closed).unwrap().len(), 1);
    assert_eq!(s.ticket(tk.id).unwrap().unwrap(), closed);
    assert_eq!(
        s.verify().unwrap(),
        VerifyOutcome::Intact {
            events: 5,
            tickets: 1
        }
    );
}

#[test]
fn a_refused_step_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_store(&dir);
    let tk = with_ticket(&s);
    let err = s
        .append(
            tk.id,
            EventKind::Resumed,
            "ann",
            t(15, 0),
            t(15, 0),
            t(15, 0),
        )
        .unwrap_err();
    assert!(err.to_string().contains("is open"), "{err}");
    assert_eq!(err.code(), 2);
    assert_eq!(s.events(tk.id).unwrap().len(), 2);
    let err = s
        .append(99, EventKind::Resumed, "ann", t(15, 0), t(15, 0), t(15, 0))
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownTicket(99)));
}

#[test]
fn verify_catches_an_edited_event() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_store(&dir);
    with_ticket(&s);
    with_ticket(&s);
    let mut raw = s.raw_event(3).unwrap().unwrap();
    let pos = raw.windows(6).position(|w| w == b"Aarhus").unwrap();
    raw[pos..pos + 6].copy_from_slice(b"Aarhuz");
    s.tamper_event(3, Some(&raw)).unwrap();
    match s.verify().unwrap() {
        VerifyOutcome::Broken(b) => {
            assert_eq!((b.position, b.ticket, b.event), (Some(3), Some(2), Some(0)));
            assert!(b.what.contains("hash differs"), "{}", b.what);
        }
        o => panic!("not caught: {o:?}"),
    }
}

#[test]
fn verify_catches_a_removed_last_event_and_a_changed_state() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_store(&dir);
    with_ticket(&s);
    s.tamper_event(2, None).unwrap();
    assert!(matches!(s.verify().unwrap(), VerifyOutcome::Broken(_)));

    let dir = tempfile::tempdir().unwrap();
    let s = open_store(&dir);
    with_ticket(&s);
    s.tamper_state(1, |t| t.municipality = "Odense".into())
        .unwrap();
    match s.verify().unwrap() {
        VerifyOutcome::Broken(b) => assert!(b.what.contains("differs from the fold"), "{b:?}"),
        o => panic!("not caught: {o:?}"),
    }
}

#[test]
fn verify_catches_a_ticket_listed_twice_in_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_store(&dir);
    for _ in 0..3 {
        with_ticket(&s);
    }
    assert!(matches!(s.verify().unwrap(), VerifyOutcome::Intact { .. }));
    drop(s);
    // A tamperer copies ticket 2's entry (40 bytes) in after it: 1, 2, 2, 3.
    let slots = dir.path().join("db").join("slots");
    let mut b = std::fs::read(&slots).unwrap();
    let second = b[40..80].to_vec();
    b.splice(80..80, second);
    std::fs::write(&slots, b).unwrap();
    let s = open_store(&dir);
    match s.verify().unwrap() {
        VerifyOutcome::Broken(b) => assert!(b.what.contains("twice"), "{b:?}"),
        o => panic!("not caught: {o:?}"),
    }
}

#[test]
fn import_rebuilds_the_same_chain() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_store(&dir);
    let tk = with_ticket(&s);
    with_ticket(&s);
    s.append(
        tk.id,
        EventKind::Note {
            text: "ringet".into(),
        },
        "bo",
        t(15, 0),
        t(15, 0),
        t(15, 0),
    )
    .unwrap();
    let mut recs = Vec::new();
    s.for_each_event(&mut |r| {
        recs.push(r.clone());
        Ok(())
    })
    .unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let s2 = open_store(&dir2);
    let n = s2
        .import(&mut recs.iter().map(|r| r.event.clone()))
        .unwrap();
    assert_eq!(n, 5);
    let mut recs2 = Vec::new();
    s2.for_each_event(&mut |r| {
        recs2.push(r.clone());
        Ok(())
    })
    .unwrap();
    assert_eq!(recs, recs2);
    assert!(matches!(s2.verify().unwrap(), VerifyOutcome::Intact { .. }));
    assert_eq!(s2.ticket(1).unwrap(), s.ticket(1).unwrap());
    // The id counter continues after the imported tickets.
    assert_eq!(with_ticket(&s2).id, 3);
    assert!(matches!(
        s2.import(&mut recs.iter().map(|r| r.event.clone())),
        Err(StoreError::NotEmpty)
    ));
}

#[test]
fn a_newer_schema_and_a_second_writer_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let at_once = |p: &std::path::Path| {
        LocalStore::open_with(
            p,
            std::time::Duration::ZERO,
            Box::new(|| {}),
            Box::new(|_| Vec::new()),
        )
    };
    {
        let s = at_once(&path).unwrap();
        // Readers share the log.
        let reader = at_once(&path).expect("a second reader opens");
        assert!(reader.is_empty().unwrap());
        // A write waits for the readers to let go: here not at all.
        let refused = s.create(report("Aarhus"), None, "ann", t(14, 0), t(14, 0));
        assert!(matches!(refused, Err(StoreError::Locked(_))), "{refused:?}");
        drop(reader);
        with_ticket(&s);
        // A writer keeps the log to itself until it lets go.
        let second = at_once(&path);
        assert!(
            matches!(second, Err(StoreError::Locked(_))),
            "{:?}",
            second.err()
        );
        s.tamper_head(|h| h["layout"] = 99.into()).unwrap();
    }
    let err = LocalStore::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::NewerSchema { found: 99, .. }));
    assert!(err
        .message(crate::i18n::Lang::Da, &chrono_tz::UTC)
        .contains("nyere frist"));
}

#[test]
fn measurements_are_found_by_time() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_store(&dir);
    let m = |h, secs| Measurement {
        kind: "Login".into(),
        at: t(h, 0),
        seconds: secs,
    };
    s.add_measurements(&[m(12, 1.5), m(9, 0.5), m(15, 2.0)])
        .unwrap();
    let got = s.measurements(t(9, 0), t(15, 0)).unwrap();
    assert_eq!(got, vec![m(9, 0.5), m(12, 1.5)]);
}

fn day(m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, m, d, 9, 0, 0).unwrap()
}

/// Logs a ticket at `reported` and, when given, resolves it at `resolved`.
fn logged(s: &dyn Store, reported: DateTime<Utc>, resolved: Option<DateTime<Utc>>) -> TicketId {
    let tk = s
        .create(
            report("Aarhus"),
            Some(classified()),
            "ann",
            reported,
            reported,
        )
        .unwrap();
    if let Some(r) = resolved {
        let now = day(12, 31);
        s.append(
            tk.id,
            EventKind::Reacted { note: "".into() },
            "ann",
            now,
            reported,
            now,
        )
        .unwrap();
        s.append(
            tk.id,
            EventKind::Resolved { note: "".into() },
            "ann",
            now,
            r,
            now,
        )
        .unwrap();
    }
    tk.id
}

fn active(s: &dyn Store, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<TicketId> {
    let mut ids: Vec<TicketId> = s
        .tickets(Filter::Active { from, to })
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    ids.sort_unstable();
    ids
}

#[test]
fn a_month_reads_the_tickets_active_in_it_and_follows_a_rejection() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_store(&dir);
    let spanning = logged(&s, day(1, 20), Some(day(3, 10)));
    let january = logged(&s, day(1, 6), Some(day(1, 8)));
    let unresolved = logged(&s, day(1, 7), None);
    let april = logged(&s, day(4, 2), Some(day(4, 3)));
    assert_eq!(active(&s, day(3, 1), day(4, 1)), vec![spanning, unresolved]);
    assert_eq!(active(&s, day(2, 1), day(3, 1)), vec![spanning, unresolved]);
    assert_eq!(
        active(&s, day(1, 1), day(2, 1)),
        vec![spanning, january, unresolved]
    );
    assert_eq!(active(&s, day(4, 1), day(5, 1)), vec![unresolved, april]);

    // Rejected in June: the March ticket is worked on again, and so active in every month
    // until it is resolved anew in August.
    let now = day(12, 31);
    let reject = EventKind::Rejected {
        by: "Lone".into(),
        reason: "virker stadig ikke".into(),
    };
    s.append(spanning, reject, "ann", now, day(6, 2), now)
        .unwrap();
    assert_eq!(active(&s, day(7, 1), day(8, 1)), vec![spanning, unresolved]);
    let resolved = EventKind::Resolved { note: "".into() };
    s.append(spanning, resolved, "ann", now, day(8, 4), now)
        .unwrap();
    assert_eq!(active(&s, day(9, 1), day(10, 1)), vec![unresolved]);
    assert_eq!(active(&s, day(8, 1), day(9, 1)), vec![spanning, unresolved]);
    assert!(matches!(s.verify().unwrap(), VerifyOutcome::Intact { .. }));
}

#[test]
fn a_schema_1_database_gets_the_month_index_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (spanning, unresolved) = {
        let s = SledStore::open(&path).unwrap();
        let ids = (
            logged(&s, day(1, 20), Some(day(3, 10))),
            logged(&s, day(1, 7), None),
        );
        // As schema 1 left it: no month index, one key per event.
        s.downgrade_to_schema_2().unwrap();
        s.active.clear().unwrap();
        s.tamper("meta", b"schema", Some(&1u32.to_be_bytes()))
            .unwrap();
        assert!(active(&s, day(3, 1), day(4, 1)).is_empty());
        ids
    };
    let s = SledStore::open(&path).unwrap();
    assert_eq!(active(&s, day(3, 1), day(4, 1)), vec![spanning, unresolved]);
    assert_eq!(
        s.raw("meta", b"schema").unwrap(),
        Some(SLED_SCHEMA_VERSION.to_be_bytes().to_vec())
    );
    assert!(matches!(s.verify().unwrap(), VerifyOutcome::Intact { .. }));
}

#[test]
fn a_schema_2_database_gets_its_events_moved_into_blocks_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    // 20 tickets of two or four events: the 60 events span four blocks of sixteen.
    let (before, ids) = {
        let s = SledStore::open(&path).unwrap();
        let ids: Vec<TicketId> = (0..20)
            .map(|i| logged(&s, day(1, 1 + i % 28), (i % 2 == 0).then(|| day(2, 1))))
            .collect();
        let before: Vec<Vec<Event>> = ids.iter().map(|id| s.events(*id).unwrap()).collect();
        s.downgrade_to_schema_2().unwrap();
        assert!(
            s.events(ids[0]).unwrap().is_empty(),
            "the downgrade took effect"
        );
        (before, ids)
    };
    let s = SledStore::open(&path).unwrap();
    assert_eq!(
        s.raw("meta", b"schema").unwrap(),
        Some(SLED_SCHEMA_VERSION.to_be_bytes().to_vec())
    );
    let after: Vec<Vec<Event>> = ids.iter().map(|id| s.events(*id).unwrap()).collect();
    assert_eq!(after, before);
    match s.verify().unwrap() {
        VerifyOutcome::Intact { events, tickets } => assert_eq!(
            (events, tickets),
            (before.iter().map(|e| e.len() as u64).sum(), 20)
        ),
        o => panic!("{o:?}"),
    }
    let names = s.db_tree_names();
    assert!(!names.contains(&"events".to_string()) && !names.contains(&"by_ticket".to_string()));
    // And it goes on from there.
    let more = logged(&s, day(3, 2), None);
    assert_eq!(s.events(more).unwrap().len(), 2);
    assert!(matches!(s.verify().unwrap(), VerifyOutcome::Intact { .. }));
}

#[test]
fn unresolved_reads_only_the_tickets_being_worked_on() {
    let dir = tempfile::tempdir().unwrap();
    let s = open_store(&dir);
    let resolved = logged(&s, day(1, 20), Some(day(3, 10)));
    let open = logged(&s, day(1, 7), None);
    let ids: Vec<TicketId> = s
        .tickets(Filter::Unresolved)
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(ids, vec![open]);
    let not_closed: Vec<TicketId> = s
        .tickets(Filter::NotClosed)
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        not_closed,
        vec![resolved, open],
        "the resolved one waits for acceptance"
    );
}

#[test]
fn a_snapshot_left_half_written_by_a_killed_process_does_not_lock_the_log_away() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let id = {
        let s = SledStore::open(&path).unwrap();
        logged(&s, day(1, 20), None)
    };
    // What sled leaves when the process is killed while it writes its snapshot: a newer
    // snapshot file that was never finished (sled 0.34 then refuses the log as corrupt).
    std::fs::write(
        path.join("snap.FFFFFFFFFFFFFFFF.generating"),
        b"half written",
    )
    .unwrap();
    let s = SledStore::open(&path).expect("the log opens");
    assert_eq!(s.ticket(id).unwrap().map(|t| t.id), Some(id));
    assert!(matches!(s.verify().unwrap(), VerifyOutcome::Intact { .. }));
    assert!(!path.join("snap.FFFFFFFFFFFFFFFF.generating").exists());
}

#[test]
fn a_rewrite_killed_between_its_renames_is_mended_not_replaced_by_an_empty_log() {
    // (An earlier frist rewrote a sled log after every demo and import; a log it left so is
    // mended before it moves into the local layout.)
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let old = dir.path().join("db.old");
    let fresh = dir.path().join("db.compacting");
    let id = {
        let s = SledStore::open(&path).unwrap();
        logged(&s, day(1, 20), None)
    };
    // As if frist was killed after moving the original aside and before moving the copy in,
    // with a copy half-written.
    std::fs::rename(&path, &old).unwrap();
    std::fs::create_dir(&fresh).unwrap();
    std::fs::write(fresh.join("db"), b"half a copy").unwrap();
    {
        // While the rewrite still runs (it holds the original), the log is busy.
        let running = SledStore::open(&old).unwrap();
        assert!(matches!(SledStore::open(&path), Err(StoreError::Locked(_))));
        assert!(!path.exists(), "no empty log was made in its place");
        running.release().unwrap();
    }
    let s = SledStore::open(&path).expect("the original is put back");
    assert!(s.ticket(id).unwrap().is_some());
    assert!(
        !old.exists() && !fresh.exists(),
        "nothing is left beside it"
    );
}

#[test]
fn a_schema_3_database_gets_the_notes_into_the_tickets_states_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let id = {
        let s = SledStore::open(&path).unwrap();
        let tk = with_ticket(&s);
        let now = t(20, 0);
        s.append(
            tk.id,
            EventKind::Reacted {
                note: "Ringet til Bo".into(),
            },
            "ann",
            now,
            t(15, 0),
            now,
        )
        .unwrap();
        s.append(
            tk.id,
            EventKind::Note {
                text: "Logs bedt om".into(),
            },
            "ann",
            now,
            now,
            now,
        )
        .unwrap();
        assert_eq!(
            s.ticket(tk.id).unwrap().unwrap().notes,
            vec!["Ringet til Bo", "Logs bedt om"]
        );
        // As schema 3 left it: states without notes.
        let key = tk.id.to_be_bytes();
        for tree in ["tickets", "open"] {
            let raw = s.raw(tree, &key).unwrap().expect("stored");
            let mut v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
            v["t"].as_object_mut().unwrap().remove("notes");
            s.tamper(tree, &key, Some(&serde_json::to_vec(&v).unwrap()))
                .unwrap();
        }
        s.tamper("meta", b"schema", Some(&3u32.to_be_bytes()))
            .unwrap();
        assert!(s.ticket(tk.id).unwrap().unwrap().notes.is_empty());
        tk.id
    };
    let s = SledStore::open(&path).unwrap();
    assert_eq!(
        s.ticket(id).unwrap().unwrap().notes,
        vec!["Ringet til Bo", "Logs bedt om"]
    );
    let open = s.tickets(Filter::NotClosed).unwrap();
    assert_eq!(open[0].notes, vec!["Ringet til Bo", "Logs bedt om"]);
    assert_eq!(
        s.raw("meta", b"schema").unwrap(),
        Some(SLED_SCHEMA_VERSION.to_be_bytes().to_vec())
    );
    assert!(matches!(s.verify().unwrap(), VerifyOutcome::Intact { .. }));
}

#[test]
fn a_schema_4_database_is_only_renumbered_and_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (id, before) = {
        let s = SledStore::open(&path).unwrap();
        let id = logged(&s, day(1, 20), Some(day(3, 10)));
        let before = s.events(id).unwrap();
        s.tamper("meta", b"schema", Some(&4u32.to_be_bytes()))
            .unwrap();
        (id, before)
    };
    let s = SledStore::open(&path).unwrap();
    assert_eq!(
        s.raw("meta", b"schema").unwrap(),
        Some(SLED_SCHEMA_VERSION.to_be_bytes().to_vec())
    );
    // Nothing moved, so the command that opened it need not rewrite the file.
    assert!(!s.migrated());
    assert_eq!(s.events(id).unwrap(), before);
    assert!(matches!(s.verify().unwrap(), VerifyOutcome::Intact { .. }));
}
