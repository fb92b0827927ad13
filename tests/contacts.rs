//! The municipalities' contact people: the same behaviour on sled and on PostgreSQL (a real
//! throwaway cluster), who may keep them in team mode, and `frist contact` through the binary.

mod common;
#[path = "common/pg.rs"]
mod pg;

use common::*;
use frist::store::postgres::{self as fpg, PgStore, Role};
use frist::store::{LocalStore, Store, StoreError, VerifyOutcome};
use frist::ticket::{EventKind, LOG_STREAM};

fn added(m: &str, name: &str, email: &str) -> EventKind {
    EventKind::ContactAdded {
        municipality: m.into(),
        name: name.into(),
        email: email.into(),
        phone: "86 12 34 56".into(),
    }
}

fn removed(m: &str, email: &str) -> EventKind {
    EventKind::ContactRemoved {
        municipality: m.into(),
        email: email.into(),
    }
}

/// One behaviour, both backends: contacts are kept as audited events in the log's own stream,
/// refused when doubled or unknown, and the chain holds them with the tickets' events.
fn suite(s: &dyn Store, user: &str) {
    let now = chrono::Utc::now();
    let t = s
        .create(
            EventKind::Reported {
                municipality: "Aarhus".into(),
                reporter: "Lone".into(),
                title: "Døre åbner ikke".into(),
                description: String::new(),
                category: "kritisk".into(),
                contract: "laasesystem".into(),
            },
            None,
            user,
            now,
            now,
        )
        .unwrap();
    let first = s
        .append_log(added("Aarhus", "Lone Berg", "lone@aarhus.dk"), user, now)
        .unwrap();
    assert_eq!((first.ticket, first.seq), (LOG_STREAM, 0));
    s.append_log(added("Odense", "Ib Holm", "ib@odense.dk"), user, now)
        .unwrap();
    s.append_log(added("Aarhus", "Åse Ørn", "aase@aarhus.dk"), user, now)
        .unwrap();
    // The same address again in the same municipality, whatever its case: refused, nothing
    // written.
    let e = s
        .append_log(added("Aarhus", "Lone B.", "LONE@aarhus.dk"), user, now)
        .unwrap_err();
    assert!(matches!(e, StoreError::Contact(_)), "{e:?}");
    assert_eq!(e.code(), 2);
    let aarhus: Vec<String> = s
        .contacts(Some("Aarhus"))
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(aarhus, ["Lone Berg", "Åse Ørn"]);
    assert_eq!(s.contacts(None).unwrap().len(), 3);
    s.append_log(removed("Aarhus", "lone@aarhus.dk"), user, now)
        .unwrap();
    let e = s
        .append_log(removed("Aarhus", "lone@aarhus.dk"), user, now)
        .unwrap_err();
    assert!(matches!(e, StoreError::Contact(_)), "{e:?}");
    assert_eq!(s.contacts(Some("Aarhus")).unwrap().len(), 1);
    // A contact is no step on a ticket, and a step is no contact.
    assert!(s
        .append(
            t.id,
            added("Aarhus", "X", "x@aarhus.dk"),
            user,
            now,
            now,
            now
        )
        .is_err());
    assert!(s
        .append_log(EventKind::Note { text: "x".into() }, user, now)
        .is_err());
    // Audited: every change is an event of the stream, by its user, in the one chain.
    let stream = s.log_events().unwrap();
    assert_eq!(stream.len(), 4);
    assert_eq!(stream[3].kind.name(), "contact-removed");
    assert!(stream.iter().all(|e| e.ticket == LOG_STREAM));
    assert_eq!(s.events(t.id).unwrap().len(), 1);
    assert_eq!(s.tickets(frist::store::Filter::All).unwrap().len(), 1);
    assert_eq!(
        s.verify().unwrap(),
        VerifyOutcome::Intact {
            events: 5,
            tickets: 1
        }
    );
}

#[test]
fn contacts_behave_the_same_on_sled_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let sled = LocalStore::open(&dir.path().join("db")).unwrap();
    suite(&sled, "mette");
    let db = pg::Db::new("contacts");
    let owner = fpg::parse_url(&db.url("owner")).unwrap();
    fpg::init(&owner).unwrap();
    let o = PgStore::open(&owner).unwrap();
    o.add_user(&db.login("ann"), Role::Agent, None, None, None)
        .unwrap();
    let ann = PgStore::open(&fpg::parse_url(&db.url("ann")).unwrap()).unwrap();
    suite(&ann, &db.login("ann"));
}

#[test]
fn an_exported_log_with_contacts_imports_into_sled_and_postgres_unchanged() {
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]);
    log.ok(&[
        "contact",
        "add",
        "--municipality",
        "Aarhus",
        "--name",
        "Lone Berg",
        "--email",
        "lone@aarhus.dk",
    ]);
    log.add(&["--category", "kritisk", "--at", "2025-03-04 15:30"]);
    let file = log.dir.path().join("log.jsonl");
    std::fs::write(&file, log.export()).unwrap();
    let again = Log::new();
    again.ok(&["import", path_str(&file)]);
    assert_eq!(again.export(), log.export());
    assert!(again.ok(&["verify"]).contains("verificeret"));
    assert!(again.ok(&["contact", "list"]).contains("lone@aarhus.dk"));
    // A local log whose stored contacts were changed behind frist's back fails verify.
    let s = LocalStore::open(&again.db).unwrap();
    s.tamper_head(|h| {
        let forged = h.to_string().replace("lone@aarhus.dk", "mallory@evil.dk");
        *h = serde_json::from_str(&forged).unwrap();
    })
    .unwrap();
    assert!(matches!(s.verify().unwrap(), VerifyOutcome::Broken(_)));
    drop(s);

    let db = pg::Db::new("contactsimport");
    let url = db.url("owner");
    let owner = fpg::parse_url(&url).unwrap();
    fpg::init(&owner).unwrap();
    let keys = pg::cluster().dir.join("keys");
    let run = |args: &[&str]| run_at(&url, &keys, args);
    let r = run(&["import", path_str(&file)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(run(&["export"]).stdout, log.export());
    let v = run(&["verify"]);
    assert_eq!(v.code, 0, "{}", v.stderr);
    assert!(run(&["contact", "list"]).stdout.contains("Lone Berg"));
}

#[test]
fn the_desk_keeps_the_contacts_and_a_municipality_sees_only_its_own() {
    let db = pg::Db::new("contactrights");
    let owner_url = fpg::parse_url(&db.url("owner")).unwrap();
    fpg::init(&owner_url).unwrap();
    let owner = PgStore::open(&owner_url).unwrap();
    for (who, role, m) in [
        ("ann", Role::Agent, None),
        ("sup", Role::Supervisor, None),
        ("aarhus", Role::Municipality, Some("Aarhus")),
    ] {
        owner.add_user(&db.login(who), role, m, None, None).unwrap();
    }
    let open = |who: &str| PgStore::open(&fpg::parse_url(&db.url(who)).unwrap()).unwrap();
    let now = chrono::Utc::now();
    let (ann, sup, aarhus) = (open("ann"), open("sup"), open("aarhus"));
    ann.append_log(added("Aarhus", "Lone Berg", "lone@aarhus.dk"), "", now)
        .unwrap();
    sup.append_log(added("Odense", "Ib Holm", "ib@odense.dk"), "", now)
        .unwrap();
    owner
        .append_log(added("Aarhus", "Åse Ørn", "aase@aarhus.dk"), "", now)
        .unwrap();
    // A municipality cannot make itself a contact (its mail would then count as the
    // written acceptance), neither through frist nor around it.
    let e = aarhus
        .append_log(added("Aarhus", "Mallory", "m@evil.dk"), "", now)
        .unwrap_err();
    assert!(matches!(e, StoreError::Denied { .. }), "{e:?}");
    let mut raw = db.connect("aarhus");
    let body = |seq: u32, user: &str| {
        serde_json::json!({
            "ticket": 0, "seq": seq, "user": user, "recorded": "2025-03-10T12:00:00Z",
            "effective": "2025-03-10T12:00:00Z", "type": "contact-added",
            "municipality": "Aarhus", "name": "M", "email": "m@evil.dk", "phone": ""
        })
        .to_string()
    };
    let r = raw.execute(
        "INSERT INTO frist.events (ticket, seq, body) VALUES (0, 3, $1)",
        &[&body(3, &db.login("aarhus"))],
    );
    assert!(r.is_err());
    // It reads its own municipality's contacts only.
    let mine: Vec<String> = aarhus
        .contacts(None)
        .unwrap()
        .into_iter()
        .map(|c| c.email)
        .collect();
    assert_eq!(mine, ["lone@aarhus.dk", "aase@aarhus.dk"]);
    assert_eq!(ann.contacts(None).unwrap().len(), 3);
    // A contact event on a ticket is refused by the database itself.
    let mut raw = db.connect("ann");
    let r = raw.execute(
        "INSERT INTO frist.events (ticket, seq, body) VALUES (1, 0, $1)",
        &[&body(0, &db.login("ann")).replace("\"ticket\":0", "\"ticket\":1")],
    );
    assert!(r.is_err());
    assert!(matches!(
        ann.verify().unwrap(),
        VerifyOutcome::Intact { .. }
    ));
}

#[test]
fn contact_add_list_remove_through_the_binary() {
    let log = Log::new();
    let out = log.ok(&[
        "contact",
        "add",
        "--municipality",
        "aarhus",
        "--name",
        "Lone Berg",
        "--email",
        "lone@aarhus.dk",
        "--phone",
        "86 12 34 56",
    ]);
    assert!(
        out.contains("Lone Berg <lone@aarhus.dk> tilføjet for Aarhus"),
        "{out}"
    );
    log.ok(&[
        "contact",
        "add",
        "--municipality",
        "Skanderborg",
        "--name",
        "Lone Berg",
        "--email",
        "lone@aarhus.dk",
    ]);
    let table = log.ok(&["contact", "list", "--municipality", "Aarhus"]);
    assert!(
        table.contains("Kommune") && table.contains("86 12 34 56"),
        "{table}"
    );
    assert!(!table.contains("Skanderborg"), "{table}");
    let v = log.json(&["contact", "list", "--json"]);
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["added_by"], "mette");

    // Refusals say what is wrong and how to mend it, with exit code 2.
    let refused = |municipality: &str, email: &str, why: &str| {
        let r = log.run(&[
            "contact",
            "add",
            "--municipality",
            municipality,
            "--name",
            "L",
            "--email",
            email,
        ]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains(why), "{}", r.stderr);
    };
    refused("Aarhus", "lone@aarhus", "er ikke en mailadresse");
    refused(
        "Aarhus",
        "Lone@Aarhus.dk",
        "allerede kontaktperson for Aarhus",
    );
    refused("Arhus", "l@x.dk", "ukendt kommune 'Arhus'");
    let r = log.run(&["contact", "remove", "lone@aarhus.dk"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--municipality"), "{}", r.stderr);

    log.ok(&[
        "contact",
        "remove",
        "lone@aarhus.dk",
        "--municipality",
        "Skanderborg",
    ]);
    let v = log.json(&["contact", "list", "--json"]);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["municipality"], "Aarhus");
    // Every change is in the audit trail.
    let exported = log.export();
    assert_eq!(exported.matches("\"contact-added\"").count(), 2);
    assert_eq!(exported.matches("\"contact-removed\"").count(), 1);
    assert!(log.ok(&["verify"]).contains("3 hændelser"));
}
