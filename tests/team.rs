//! Team mode on PostgreSQL, against a real throwaway cluster (see `common/pg.rs`): the schema,
//! people and roles, the rules the database enforces (through frist and through raw SQL),
//! several writers at once, the audit chain under tampering, and moving a log between sled and
//! PostgreSQL.

mod common;
#[path = "common/pg.rs"]
mod pg;
#[path = "common/smtp.rs"]
mod smtp;

use common::{out, Run, NOW};
use frist::store::postgres::{self as fpg, PgStore, Role};
use frist::store::{Store, StoreError, VerifyOutcome};
use frist::ticket::{EventKind, State};
use pg::Db;
use std::process::Command;

fn frist(url: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_frist"));
    c.args(args)
        .env("FRIST_DB", url)
        .env("FRIST_NOW", NOW)
        // Checkpoint keys beside the throwaway cluster, never the runner's config directory.
        .env("FRIST_KEYS", pg::cluster().dir.join("keys"))
        // Mail settings and the outbox beside the cluster too.
        .env("FRIST_CONFIG", pg::cluster().dir.join("config.toml"))
        .env("FRIST_OUTBOX", pg::cluster().dir.join("outbox"))
        .env_remove("FRIST_SMTP")
        .env_remove("FRIST_USER")
        .env_remove("FRIST_LANG")
        .env_remove("FRIST_CONTRACT")
        .env_remove("PGPASSWORD")
        .env_remove("PGHOST")
        .env_remove("PGUSER");
    c
}

fn run(url: &str, args: &[&str]) -> Run {
    out(frist(url, args).output().unwrap())
}

fn ok(url: &str, args: &[&str]) -> String {
    let r = run(url, args);
    assert_eq!(r.code, 0, "frist {args:?} failed: {}", r.stderr);
    r.stdout
}

/// A database set up with `frist db init` and four people: agent `ann`, supervisor `sup`,
/// and the IT contacts of Aarhus (`aarhus`) and Odense (`odense`).
fn desk(tag: &str) -> Db {
    let db = Db::new(tag);
    let owner = db.url("owner");
    ok(&owner, &["db", "init"]);
    for (who, role, m) in [
        ("ann", "agent", None),
        ("bo", "agent", None),
        ("sup", "supervisor", None),
        ("aarhus", "municipality", Some("Aarhus")),
        ("odense", "municipality", Some("Odense")),
    ] {
        let login = db.login(who);
        let mut args = vec!["user", "add", login.as_str(), "--role", role];
        if let Some(m) = m {
            args.extend(["--municipality", m]);
        }
        ok(&owner, &args);
    }
    db
}

fn add(url: &str, municipality: &str, title: &str) -> u64 {
    ok(
        url,
        &[
            "add",
            "--municipality",
            municipality,
            "--title",
            title,
            "--category",
            "systemfejl",
            "--at",
            "2025-03-10 09:00",
        ],
    )
    .trim()
    .parse()
    .unwrap()
}

fn store(db: &Db, who: &str) -> PgStore {
    PgStore::open(&fpg::parse_url(&db.url(who)).unwrap()).unwrap()
}

#[test]
fn db_init_creates_the_schema_and_two_at_once_are_safe() {
    let db = Db::new("init");
    let owner = db.url("owner");
    let runs: Vec<_> = (0..2)
        .map(|_| {
            frist(&owner, &["db", "init"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for r in runs {
        assert!(r.wait_with_output().unwrap().status.success());
    }
    let again = ok(&owner, &["db", "init"]);
    let version = fpg::PG_SCHEMA_VERSION;
    assert!(
        again.contains(&format!("har allerede skema {version}")),
        "{again}"
    );
    let mut c = db.connect("owner");
    let n: i64 = c
        .query_one("SELECT count(*) FROM frist.schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, i64::from(version));
    // A database from a newer frist is refused, as the local store's is.
    c.batch_execute("INSERT INTO frist.schema_migrations (version, name) VALUES (99, 'future')")
        .unwrap();
    let r = run(&owner, &["list"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nyere frist (skema 99)"), "{}", r.stderr);
}

#[test]
fn a_connection_failure_names_the_database_and_what_to_check() {
    let db = Db::new("conn");
    // Nothing listens on port 1.
    let r = run(
        "postgres://ann@127.0.0.1:1/frist?sslmode=disable",
        &["list"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("127.0.0.1:1"), "{}", r.stderr);
    assert!(r.stderr.contains("serveren svarer ikke"), "{}", r.stderr);
    // No such database.
    let url = db
        .url("owner")
        .replace(&format!("/{}?", db.name), "/nosuchdb?");
    let r = run(&url, &["list"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nosuchdb findes ikke"), "{}", r.stderr);
    // The database is there but frist's schema is not.
    let r = run(&db.url("owner"), &["list"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("frist db init"), "{}", r.stderr);
    // In English on request.
    let r = run(&db.url("owner"), &["--lang", "en", "list"]);
    assert!(r.stderr.contains("not set up for frist"), "{}", r.stderr);
    // A login the database does not know.
    ok(&db.url("owner"), &["db", "init"]);
    let r = run(&db.url("stranger"), &["list"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("login afvist"), "{}", r.stderr);
}

#[test]
fn people_and_roles_and_the_acting_login() {
    let db = desk("people");
    let owner = db.url("owner");
    let list = ok(&owner, &["user", "list"]);
    assert!(
        list.contains(&db.login("aarhus")) && list.contains("Aarhus"),
        "{list}"
    );
    assert!(list.contains("supervisor"), "{list}");
    let me = ok(&db.url("aarhus"), &["whoami"]);
    assert_eq!(me.trim(), format!("{} kommune Aarhus", db.login("aarhus")));
    // --user cannot change who the database records.
    let ann = db.url("ann");
    let r = out(frist(
        &ann,
        &[
            "add",
            "--municipality",
            "Aarhus",
            "--title",
            "Låse svarer ikke",
            "--category",
            "laaseenhed",
        ],
    )
    .env("FRIST_USER", "someone-else")
    .output()
    .unwrap());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("gælder ikke for en fælles log"),
        "{}",
        r.stderr
    );
    let id: u64 = r.stdout.trim().parse().unwrap();
    let events = store(&db, "ann").events(id).unwrap();
    assert!(events.iter().all(|e| e.user == db.login("ann")));
    // The recorded instant is the database server's clock, not FRIST_NOW (2025).
    let now = chrono::Utc::now();
    for e in &events {
        assert!(
            (now - e.recorded).num_seconds().abs() < 300,
            "{:?}",
            e.recorded
        );
        assert!(e.effective.to_rfc3339().starts_with("2025-03-10"));
    }
    // A municipality's login needs its municipality, and only it has one.
    let x = db.login("x");
    let r = run(&owner, &["user", "add", &x, "--role", "municipality"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--municipality"), "{}", r.stderr);
    let r = run(
        &owner,
        &[
            "user",
            "add",
            &x,
            "--role",
            "agent",
            "--municipality",
            "Aarhus",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        !ok(&owner, &["user", "list"]).contains(&x),
        "nothing half-made"
    );
    // Only the schema's owner sets it up or upgrades it.
    let r = run(&db.url("ann"), &["db", "init"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("skemaet frist tilhører {}", db.owner)),
        "{}",
        r.stderr
    );
    // A removed person can no longer use the log; the events stay.
    ok(&owner, &["user", "remove", &db.login("bo")]);
    let r = run(&db.url("bo"), &["list"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(ok(&owner, &["verify"]).contains("OK") || ok(&owner, &["verify"]).contains("ok"));
}

#[test]
fn the_database_enforces_who_sees_and_does_what() {
    let db = desk("rls");
    let (ann, sup, aarhus, odense) = (
        db.url("ann"),
        db.url("sup"),
        db.url("aarhus"),
        db.url("odense"),
    );
    let a1 = add(&ann, "Aarhus", "Aarhus-hemmelighed: dørene på rådhuset");
    let a2 = add(&ann, "Aarhus", "Aarhus: integration fejler");
    let o1 = add(&ann, "Odense", "Odense-hemmelighed: skolernes låse");
    for id in [a1, o1] {
        ok(&ann, &["resolve", &id.to_string()]);
    }
    ok(&ann, &["note", &o1.to_string(), "Odense-notat om skolerne"]);

    // Through frist: a municipality sees its own tickets only.
    let list = ok(&aarhus, &["list"]);
    assert!(
        list.contains("Aarhus-hemmelighed") && !list.contains("Odense"),
        "{list}"
    );
    let r = run(&aarhus, &["show", &o1.to_string()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!r.stdout.contains("Odense-hemmelighed"));
    // … may accept its own resolved ticket, but not another municipality's, nor resolve.
    ok(
        &aarhus,
        &[
            "accept",
            &a1.to_string(),
            "--by",
            "Lone",
            "--ref",
            "mail 12.03",
        ],
    );
    assert_eq!(
        run(
            &aarhus,
            &["accept", &o1.to_string(), "--by", "x", "--ref", "y"]
        )
        .code,
        2
    );
    let r = run(&aarhus, &["resolve", &a2.to_string()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("kan kun acceptere eller afvise"),
        "{}",
        r.stderr
    );
    ok(&aarhus, &["note", &a2.to_string(), "Vi venter på jer"]);
    // Odense may reject its own.
    ok(
        &odense,
        &[
            "reject",
            &o1.to_string(),
            "--by",
            "Per",
            "--reason",
            "Fejlen er der stadig",
        ],
    );

    // A supervisor reads everything and writes notes only.
    let all = ok(&sup, &["list"]);
    assert!(
        all.contains("Aarhus-hemmelighed") && all.contains("Odense-hemmelighed"),
        "{all}"
    );
    ok(&sup, &["note", &a2.to_string(), "Set af supervisor"]);
    let r = run(&sup, &["react", &a2.to_string()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("supervisor"), "{}", r.stderr);

    // Through raw SQL: the municipality's login finds no other municipality's text anywhere.
    let mut c = db.connect("aarhus");
    let tables: Vec<String> = c
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'frist'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(tables.contains(&"events".to_string()) && tables.contains(&"tickets".to_string()));
    let mut seen = String::new();
    for t in &tables {
        if let Ok(rows) = c.query(&format!("SELECT t::text FROM frist.{t} t"), &[]) {
            for r in rows {
                seen.push_str(r.get::<_, &str>(0));
            }
        }
    }
    assert!(seen.contains("Aarhus-hemmelighed"), "{seen}");
    assert!(
        !seen.contains("Odense"),
        "a municipality sees another's text: {seen}"
    );
    // … and cannot write around frist.
    for sql in [
        "UPDATE frist.events SET body = body",
        "DELETE FROM frist.events",
        "UPDATE frist.tickets SET state = 'closed'",
        "INSERT INTO frist.tickets (id, municipality, state, category, reported, events, updated) VALUES (999, 'Aarhus', 'open', 'x', now(), 1, now())",
        "SELECT * FROM frist.chain FOR UPDATE",
        "SELECT set_config('x', 'y', false); SELECT frist.set_classifier_model('\\x00')",
    ] {
        let r = c.batch_execute(sql);
        assert!(r.is_err(), "a municipality could run: {sql}");
    }
    let resolved_event = format!(
        r#"{{"ticket":{a2},"seq":9,"user":"{}","recorded":"2025-01-01T00:00:00Z","effective":"2025-01-01T00:00:00Z","type":"resolved","note":""}}"#,
        db.login("aarhus")
    );
    assert!(c
        .execute(
            "INSERT INTO frist.events (ticket, seq, body) VALUES ($1, 9, $2)",
            &[&(a2 as i64), &resolved_event],
        )
        .is_err());

    // No login but the owner may update or delete; agents neither.
    let mut agent = db.connect("ann");
    for sql in [
        "UPDATE frist.events SET body = body",
        "DELETE FROM frist.tickets",
        "SELECT * FROM frist.chain FOR UPDATE",
        "SELECT pg_advisory_xact_lock(1); UPDATE frist.chain SET n = 0",
    ] {
        assert!(
            agent.batch_execute(sql).is_err(),
            "an agent could run: {sql}"
        );
    }
    // An agent cannot write an event in someone else's name or at another time.
    let forged = format!(
        r#"{{"ticket":{a2},"seq":{},"user":"{}","recorded":"2025-01-01T00:00:00Z","effective":"2025-03-10T09:00:00Z","type":"note","text":"x"}}"#,
        store(&db, "ann").ticket(a2).unwrap().unwrap().events,
        db.login("sup")
    );
    let err = agent
        .execute(
            "INSERT INTO frist.events (ticket, seq, body) VALUES ($1, $2, $3)",
            &[
                &(a2 as i64),
                &(store(&db, "ann").ticket(a2).unwrap().unwrap().events as i32),
                &forged,
            ],
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("written as its login")
            || format!("{err:?}").contains("written as its login")
    );

    // The states the database derived agree with frist's fold, and the chain holds.
    let v = ok(&db.url("owner"), &["verify"]);
    assert!(v.contains("OK"), "{v}");
    let t = store(&db, "sup").ticket(o1).unwrap().unwrap();
    assert_eq!(t.state, State::Open);
    assert_eq!(
        store(&db, "sup").ticket(a1).unwrap().unwrap().state,
        State::Closed
    );
    // A municipality's verify is refused with a reason, not a false break.
    let r = run(&aarhus, &["verify"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn two_agents_doing_the_same_step_at_once_one_wins_the_other_is_refused() {
    let db = desk("race");
    let ann = db.url("ann");
    let ids: Vec<u64> = (0..6)
        .map(|i| add(&ann, "Aarhus", &format!("Fejl {i}")))
        .collect();
    let now = chrono::Utc::now();
    for id in ids {
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let results: Vec<_> = ["ann", "bo"]
            .into_iter()
            .map(|who| {
                let s = store(&db, who);
                let b = barrier.clone();
                std::thread::spawn(move || {
                    b.wait();
                    s.append(
                        id,
                        EventKind::Resolved { note: who.into() },
                        "",
                        now,
                        now,
                        now,
                    )
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect();
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "ticket {id}: {results:?}");
        let lost = results.into_iter().find_map(|r| r.err()).unwrap();
        match &lost {
            StoreError::Lifecycle(e) => assert_eq!(e.state, State::Resolved),
            other => panic!("expected the lifecycle refusal, got {other:?}"),
        }
        assert_eq!(lost.code(), 2);
    }
    assert!(matches!(
        store(&db, "ann").verify().unwrap(),
        VerifyOutcome::Intact { .. }
    ));
}

#[test]
fn a_step_that_loses_the_race_is_checked_again_against_the_new_state() {
    // Deterministic interleaving: the owner's transaction holds the chain while an agent's
    // step waits for it; when the owner's note commits, the agent's step finds the ticket
    // changed, reads it again and is written after it.
    let db = desk("interleave");
    let ann = db.url("ann");
    let id = add(&ann, "Aarhus", "Fejl");
    let s = store(&db, "ann");
    let t = s.ticket(id).unwrap().unwrap();
    let mut holder = db.connect("bo");
    let mut tx = holder.transaction().unwrap();
    let (recorded, user): (chrono::DateTime<chrono::Utc>, String) = {
        let r = tx
            .query_one("SELECT now(), session_user::text", &[])
            .unwrap();
        (r.get(0), r.get(1))
    };
    let note = frist::ticket::Event {
        ticket: id,
        seq: t.events,
        user,
        recorded,
        effective: recorded,
        kind: EventKind::Note {
            text: "først".into(),
        },
    };
    let body = String::from_utf8(frist::store::chain::canonical(&note)).unwrap();
    tx.execute(
        "INSERT INTO frist.events (ticket, seq, body) VALUES ($1, $2, $3)",
        &[&(id as i64), &(t.events as i32), &body],
    )
    .unwrap();
    let now = chrono::Utc::now();
    let waiting = std::thread::spawn(move || {
        s.append(
            id,
            EventKind::Reacted {
                note: String::new(),
            },
            "",
            now,
            now,
            now,
        )
    });
    // Wait until the agent's insert is blocked on the chain's lock.
    let mut watcher = pg::connect("postgres", "postgres");
    loop {
        let blocked: i64 = watcher
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND usename = $1",
                &[&db.login("ann")],
            )
            .unwrap()
            .get(0);
        if blocked > 0 {
            break;
        }
        std::thread::yield_now();
    }
    tx.commit().unwrap();
    let t = waiting
        .join()
        .unwrap()
        .expect("written after a second look");
    assert_eq!(t.state, State::Reacted);
    let evs = store(&db, "ann").events(id).unwrap();
    assert_eq!(
        evs[evs.len() - 2].kind,
        EventKind::Note {
            text: "først".into()
        }
    );
    assert!(matches!(
        evs.last().unwrap().kind,
        EventKind::Reacted { .. }
    ));
}

#[test]
fn eight_agents_writing_at_once_lose_nothing() {
    let db = desk("eight");
    let owner = db.url("owner");
    for i in 0..8 {
        ok(
            &owner,
            &[
                "user",
                "add",
                &db.login(&format!("w{i}")),
                "--role",
                "agent",
            ],
        );
    }
    let exe = env!("CARGO_BIN_EXE_frist");
    let children: Vec<_> = (0..8)
        .map(|i| {
            let url = db.url(&format!("w{i}"));
            Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "for n in $(seq 100); do \"$0\" add --municipality Aarhus --title \"w{i} nr $n\" --category systemfejl || exit 1; done"
                ))
                .arg(exe)
                .env("FRIST_DB", url)
                .env("FRIST_NOW", NOW)
                .env_remove("FRIST_USER")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ids = Vec::new();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        ids.extend(
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(|l| l.trim().parse::<u64>().unwrap()),
        );
    }
    assert_eq!(ids.len(), 800);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 800, "ids are unique");
    match store(&db, "sup").verify().unwrap() {
        VerifyOutcome::Intact { tickets, .. } => assert_eq!(tickets, 800),
        b => panic!("{b:?}"),
    }
}

/// Tampers as the owner (who alone may) and expects `verify` to name the break.
fn tampered(tag: &str, sql: &str) -> VerifyOutcome {
    let db = desk(tag);
    let ann = db.url("ann");
    for i in 0..3 {
        let id = add(&ann, "Aarhus", &format!("Fejl {i}"));
        ok(&ann, &["react", &id.to_string()]);
    }
    assert!(matches!(
        store(&db, "ann").verify().unwrap(),
        VerifyOutcome::Intact { events: 9, .. }
    ));
    db.connect("owner").batch_execute(sql).unwrap();
    store(&db, "sup").verify().unwrap()
}

#[test]
fn verify_finds_an_edited_deleted_inserted_or_reordered_event_and_a_deleted_ticket() {
    let cases = [
        ("edit", "ALTER TABLE frist.events DISABLE TRIGGER USER; UPDATE frist.events SET body = replace(body, 'Fejl 1', 'Fejl X') WHERE n = 4"),
        ("delete", "DELETE FROM frist.events WHERE n = 5"),
        ("tail", "DELETE FROM frist.events WHERE n = 9"),
        ("reorder", "UPDATE frist.events SET n = -1 WHERE n = 2; UPDATE frist.events SET n = 2 WHERE n = 3; UPDATE frist.events SET n = 3 WHERE n = -1"),
        ("insert", "ALTER TABLE frist.events DISABLE TRIGGER USER; INSERT INTO frist.events (n, ticket, seq, kind, municipality, login, recorded, body, hash) SELECT 10, ticket, seq + 1, kind, municipality, login, recorded, replace(body, '\"seq\":1', '\"seq\":2'), hash FROM frist.events WHERE n = 9"),
        ("ticket", "DELETE FROM frist.tickets WHERE id = 2"),
        ("rehash", "UPDATE frist.events SET body = replace(body, 'Fejl 1', 'Fejl X'), hash = sha256(decode(repeat('00', 32), 'hex')) WHERE n = 3"),
    ];
    for (tag, sql) in cases {
        match tampered(tag, sql) {
            VerifyOutcome::Broken(b) => assert!(!b.what.is_empty(), "{tag}"),
            VerifyOutcome::Intact { .. } => panic!("{tag}: verify did not notice"),
        }
    }
}

#[test]
fn a_log_moves_from_sled_to_postgres_and_back_unchanged() {
    let sled = common::Log::new();
    sled.ok(&["demo", "--tickets", "40"]);
    let exported = sled.export();
    let db = desk("move");
    let owner = db.url("owner");
    let file = sled.dir.path().join("export.jsonl");
    // A file cut at a line boundary is refused here as on sled (the checks of an import are
    // the command's, before either store writes), and leaves the shared log empty.
    let cut: String = exported
        .lines()
        .take(10)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&file, cut).unwrap();
    let r = run(&owner, &["import", file.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("er skåret af"), "{}", r.stderr);
    assert_eq!(
        ok(&owner, &["export"]).lines().count(),
        2,
        "start and end line only"
    );
    std::fs::write(&file, &exported).unwrap();
    let r = ok(&owner, &["import", file.to_str().unwrap()]);
    assert!(!r.is_empty());
    let v_sled = sled.ok(&["verify"]);
    let v_pg = ok(&owner, &["verify"]);
    assert_eq!(v_sled, v_pg);
    // The same events in the same order make the same chain: the exports are identical.
    let back = ok(&owner, &["export"]);
    assert_eq!(back, exported);
    // And back into a new sled log.
    let again = common::Log::new();
    let file2 = again.dir.path().join("back.jsonl");
    std::fs::write(&file2, &back).unwrap();
    again.ok(&["import", file2.to_str().unwrap()]);
    assert_eq!(again.export(), exported);
    // New tickets in PostgreSQL continue after the imported ids.
    let ann = db.url("ann");
    let id = add(&ann, "Aarhus", "Ny sag efter flytningen");
    assert_eq!(id, 41);
    // The moved log obeys the same rules: Aarhus's contact sees Aarhus's tickets only.
    let seen = ok(&db.url("aarhus"), &["list"]);
    let rows: Vec<&str> = seen.lines().skip(1).filter(|l| l.contains("  ")).collect();
    assert!(!rows.is_empty(), "{seen}");
    assert!(
        rows.iter().all(|l| l.contains("Aarhus")),
        "a municipality sees others' tickets after a move: {seen}"
    );
    // Only the owner moves a log in.
    let r = run(&ann, &["import", file.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn the_store_suite_holds_on_postgres_as_on_the_local_log() {
    let dir = tempfile::tempdir().unwrap();
    let local = frist::store::LocalStore::open(&dir.path().join("db")).unwrap();
    suite(&local, "mette");
    let db = desk("suite");
    let pg = store(&db, "ann");
    suite(&pg, &db.login("ann"));
    assert_eq!(pg.whoami().role, Role::Agent);
}

/// One behaviour, both backends: ids, lifecycle, filters, refusals, measurements, the model.
fn suite(s: &dyn Store, user: &str) {
    use chrono::TimeZone;
    let t = |d: u32, h: u32| chrono::Utc.with_ymd_and_hms(2025, 3, d, h, 0, 0).unwrap();
    let now = t(20, 12);
    let report = |m: &str| EventKind::Reported {
        municipality: m.into(),
        reporter: "Lone".into(),
        title: "Døre åbner ikke".into(),
        description: "Ingen brikker virker".into(),
        category: "kritisk".into(),
        contract: "laasesystem".into(),
    };
    assert!(s.is_empty().unwrap());
    let a = s
        .create(report("Aarhus"), None, user, now, t(3, 9))
        .unwrap();
    let b = s
        .create(report("Odense"), None, user, now, t(4, 9))
        .unwrap();
    assert_eq!(b.id, a.id + 1);
    s.append(
        a.id,
        EventKind::Reacted {
            note: String::new(),
        },
        user,
        now,
        t(3, 10),
        now,
    )
    .unwrap();
    let r = s
        .append(
            a.id,
            EventKind::Resolved {
                note: String::new(),
            },
            user,
            now,
            t(3, 11),
            now,
        )
        .unwrap();
    assert_eq!(r.state, State::Resolved);
    // The lifecycle refuses a second resolution with the ticket's state.
    match s.append(
        a.id,
        EventKind::Resolved {
            note: String::new(),
        },
        user,
        now,
        t(3, 12),
        now,
    ) {
        Err(StoreError::Lifecycle(e)) => assert_eq!(e.state, State::Resolved),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        s.append(999, EventKind::Resumed, user, now, now, now),
        Err(StoreError::UnknownTicket(999))
    ));
    // The head and each event's hash, read directly, agree with a walk of the log (what a
    // report's checkpoint reads instead of walking).
    let mut walked = Vec::new();
    s.for_each_event(&mut |r| {
        walked.push(r.hash);
        Ok(())
    })
    .unwrap();
    assert_eq!(
        s.head().unwrap(),
        (walked.len() as u64, *walked.last().unwrap())
    );
    for (i, h) in walked.iter().enumerate() {
        assert_eq!(s.link_at(i as u64 + 1).unwrap(), Some(*h));
    }
    assert_eq!(s.link_at(walked.len() as u64 + 1).unwrap(), None);
    assert_eq!(s.link_at(0).unwrap(), None);
    s.append(
        a.id,
        EventKind::Accepted {
            by: "Lone".into(),
            reference: "mail".into(),
        },
        user,
        now,
        t(5, 9),
        now,
    )
    .unwrap();
    // Every kind of step on b, so that the database's fold meets them all.
    let steps = [
        (
            EventKind::Paused {
                reason: "venter på kommunen".into(),
            },
            t(4, 10),
        ),
        (EventKind::Resumed, t(4, 11)),
        (
            EventKind::Reclassified {
                from: "kritisk".into(),
                to: "systemfejl".into(),
                reason: "kun én skole".into(),
            },
            t(4, 11),
        ),
        (EventKind::Assigned { to: user.into() }, t(4, 11)),
        (
            EventKind::Resolved {
                note: "genstartet".into(),
            },
            t(4, 12),
        ),
        (
            EventKind::Rejected {
                by: "Per".into(),
                reason: "stadig fejl".into(),
            },
            t(4, 13),
        ),
        (
            EventKind::Paused {
                reason: "adgang".into(),
            },
            t(4, 14),
        ),
        (
            EventKind::Resolved {
                note: String::new(),
            },
            t(4, 15),
        ),
        (
            EventKind::Note {
                text: "\u{a0} tjek i morgen\n".into(),
            },
            t(4, 16),
        ),
    ];
    for (k, at) in steps {
        s.append(b.id, k, user, now, at, now).unwrap();
    }
    let b_now = s.ticket(b.id).unwrap().unwrap();
    assert_eq!(b_now.state, State::Resolved);
    assert_eq!(b_now.pauses.len(), 2);
    assert_eq!(b_now.pauses[1].end, Some(t(4, 15)));
    assert_eq!(b_now.rejected_resolutions, vec![t(4, 12)]);
    assert_eq!(b_now.assignee.as_deref(), Some(user));
    assert_eq!(b_now.category, "systemfejl");
    assert_eq!(
        b_now.notes,
        vec!["genstartet".to_string(), "tjek i morgen".to_string()]
    );
    s.append(
        b.id,
        EventKind::Rejected {
            by: "Per".into(),
            reason: "igen".into(),
        },
        user,
        now,
        t(4, 17),
        now,
    )
    .unwrap();
    // The lists read the same tickets as the events fold to.
    for listed in s.tickets(frist::store::Filter::All).unwrap() {
        assert_eq!(
            Some(listed.clone()),
            s.ticket(listed.id).unwrap(),
            "ticket {}",
            listed.id
        );
    }
    let ids = |f| {
        let mut v: Vec<u64> = s.tickets(f).unwrap().iter().map(|t| t.id).collect();
        v.sort();
        v
    };
    use frist::store::Filter;
    assert_eq!(ids(Filter::All), vec![a.id, b.id]);
    assert_eq!(ids(Filter::Closed), vec![a.id]);
    assert_eq!(ids(Filter::NotClosed), vec![b.id]);
    assert_eq!(ids(Filter::Unresolved), vec![b.id]);
    assert_eq!(
        ids(Filter::Active {
            from: t(4, 0),
            to: t(5, 0)
        }),
        vec![b.id],
        "a ticket resolved before the window is not active in it"
    );
    // Candidates: at least every ticket not closed (a store may add finished ones to check).
    assert!(ids(Filter::BreachCandidates(Some(202503))).contains(&b.id));
    assert_eq!(
        s.municipalities().unwrap(),
        vec!["Aarhus".to_string(), "Odense".to_string()]
    );
    let evs = s.events(a.id).unwrap();
    assert_eq!(evs.len(), 4);
    assert!(evs.iter().enumerate().all(|(i, e)| e.seq as usize == i));
    assert_eq!(s.ticket(a.id).unwrap().unwrap().state, State::Closed);
    let mut n = 0;
    s.for_each_event(&mut |r| {
        n += 1;
        assert_eq!(r.n, n);
        Ok(())
    })
    .unwrap();
    assert_eq!(n, 15);
    assert_eq!(
        s.verify().unwrap(),
        VerifyOutcome::Intact {
            events: 15,
            tickets: 2
        }
    );
    assert_eq!(s.classifier_model().unwrap(), None);
    s.set_classifier_model(b"{\"x\":1}").unwrap();
    s.set_classifier_model(b"{\"x\":2}").unwrap();
    assert_eq!(
        s.classifier_model().unwrap().as_deref(),
        Some(&b"{\"x\":2}"[..])
    );
    let m = frist::sla::Measurement {
        at: t(6, 10),
        kind: "login".into(),
        seconds: 1.5,
    };
    s.add_measurements(std::slice::from_ref(&m)).unwrap();
    assert_eq!(s.measurements(t(6, 0), t(7, 0)).unwrap(), vec![m]);
    assert!(s.measurements(t(7, 0), t(8, 0)).unwrap().is_empty());

    // Many tickets in one transaction (`add --from`): ids in the order given, each as
    // `create` logs it; a batch with one ticket that is not a report logs none of them.
    let new = |m: &str, d: u32| frist::store::NewTicket {
        reported: report(m),
        classified: Some(EventKind::Classified {
            category: "systemfejl".into(),
            by: frist::ticket::ClassifiedBy::Agent,
            confidence: None,
            reasons: Vec::new(),
        }),
        effective: t(d, 9),
    };
    let not_a_report = frist::store::NewTicket {
        reported: EventKind::Resumed,
        classified: None,
        effective: t(7, 9),
    };
    assert!(s
        .create_many(&[new("Aarhus", 7), not_a_report], user, now)
        .is_err());
    assert_eq!(s.head().unwrap().0, 15, "a refused batch writes nothing");
    let many = s
        .create_many(
            &[new("Aarhus", 7), new("Odense", 8), new("Aarhus", 9)],
            user,
            now,
        )
        .unwrap();
    let many_ids: Vec<u64> = many.iter().map(|t| t.id).collect();
    assert_eq!(many_ids, vec![b.id + 1, b.id + 2, b.id + 3]);
    assert_eq!(many[1].municipality, "Odense");
    assert_eq!(many[1].category, "systemfejl");
    assert_eq!(many[2].reported, t(9, 9));
    for t in &many {
        assert_eq!(s.ticket(t.id).unwrap().as_ref(), Some(t));
        assert_eq!(s.events(t.id).unwrap().len(), 2);
    }
    assert_eq!(
        s.verify().unwrap(),
        VerifyOutcome::Intact {
            events: 21,
            tickets: 5
        }
    );
}

/// A board as the TUI runs it on a shared log: the store as its backend, listening for other
/// people's changes, and an empty app as `user`.
fn board<'a>(
    l: &'a frist::load::Loaded,
    store: &'a PgStore,
    user: String,
) -> (
    frist::tui::store_backend::StoreBackend<'a>,
    frist::tui::App<'a>,
) {
    let backend = frist::tui::store_backend::StoreBackend {
        source: frist::tui::store_backend::Source::Held(store),
        contract: &l.contract,
        calendar: &l.calendar,
        lang: frist::i18n::Lang::Da,
        watch: Some(std::cell::RefCell::new(store.watch())),
        mail: None,
    };
    let mut app = frist::tui::App::new(
        &l.contract,
        &l.calendar,
        frist::i18n::Lang::Da,
        frist::tui::keymap::Keymap::default_keymap(),
        Vec::new(),
        chrono::Utc::now(),
    );
    app.user = user;
    (backend, app)
}

#[test]
fn another_agents_change_reaches_an_open_board_within_a_second() {
    use frist::tui::Backend;
    let db = desk("live");
    let ann = store(&db, "ann");
    let l = frist::load::contract("laasesystem").unwrap();
    let (backend, mut app) = board(&l, &ann, db.login("ann"));
    // The board listens from its first poll.
    assert_eq!(backend.changes().unwrap(), Vec::<u64>::new());
    let bo = db.url("bo");
    let id = add(&bo, "Aarhus", "Ny fejl fra Bo");
    let written = std::time::Instant::now();
    while !app.rows.iter().any(|r| r.ticket.id == id) {
        assert!(
            written.elapsed() < std::time::Duration::from_secs(1),
            "bo's ticket did not reach ann's board within a second"
        );
        frist::tui::run::refresh(&mut app, &backend);
    }
    let (status, _) = app.status.clone().unwrap();
    assert!(
        status.contains(&format!("af {}", db.login("bo"))),
        "{status}"
    );
    ok(&bo, &["resolve", &id.to_string()]);
    let written = std::time::Instant::now();
    loop {
        frist::tui::run::refresh(&mut app, &backend);
        let row = app.rows.iter().find(|r| r.ticket.id == id).unwrap();
        if row.ticket.state == State::Resolved {
            break;
        }
        assert!(written.elapsed() < std::time::Duration::from_secs(1));
    }
    assert!(app
        .status
        .clone()
        .unwrap()
        .0
        .contains(&format!("sag {id} løst")));
    // A municipality's board hears of every change but reads only its own tickets.
    let aarhus = store(&db, "aarhus");
    let (backend, mut app) = board(&l, &aarhus, db.login("aarhus"));
    assert!(backend.changes().unwrap().is_empty());
    let odense = add(&bo, "Odense", "Odense-hemmelighed");
    let mine = add(&bo, "Aarhus", "Aarhus igen");
    let written = std::time::Instant::now();
    while !app.rows.iter().any(|r| r.ticket.id == mine) {
        assert!(written.elapsed() < std::time::Duration::from_secs(1));
        frist::tui::run::refresh(&mut app, &backend);
    }
    assert!(!app.rows.iter().any(|r| r.ticket.id == odense));
}

#[test]
fn tickets_are_assigned_to_the_desks_logins_and_mine_lists_ones_own() {
    let db = desk("assign");
    let (ann, bo) = (db.url("ann"), db.url("bo"));
    let a = add(&ann, "Aarhus", "Første");
    let b = add(&ann, "Aarhus", "Anden");
    ok(&ann, &["assign", &a.to_string(), "--to", &db.login("bo")]);
    ok(&ann, &["assign", &b.to_string(), "--to", &db.login("ann")]);
    // Only to a person of the log.
    let r = run(&ann, &["assign", &b.to_string(), "--to", "nobody"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&db.login("bo")), "{}", r.stderr);
    let mine = ok(&bo, &["list", "--mine"]);
    assert!(mine.contains("Første") && !mine.contains("Anden"), "{mine}");
    assert!(
        mine.contains(&db.login("bo")),
        "the assignee column: {mine}"
    );
    // A supervisor cannot assign (the database refuses it).
    let r = run(
        &db.url("sup"),
        &["assign", &a.to_string(), "--to", &db.login("ann")],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v = ok(&db.url("owner"), &["verify"]);
    assert!(v.contains("OK"), "{v}");
}

#[test]
fn tls_checks_the_servers_certificate_and_host_name() {
    let db = Db::new("tls");
    let c = pg::cluster();
    let ca = c.ca.display().to_string();
    let url = |host: &str, extra: &str| {
        format!(
            "postgres://{}@{host}:{}/{}?sslmode=require{extra}",
            db.owner, c.port, db.name
        )
    };
    // With the CA that signed it, over TLS.
    let good = url("localhost", &format!("&sslrootcert={ca}"));
    ok(&good, &["db", "init"]);
    let mut client = fpg::connect(&fpg::parse_url(&good).unwrap()).unwrap();
    let tls: bool = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(tls, "the connection is encrypted");
    // verify-full, as libpq's users write it, means the same.
    ok(
        &good.replace("sslmode=require", "sslmode=verify-full"),
        &["whoami"],
    );
    // A certificate the system does not trust is refused.
    let r = run(&url("localhost", ""), &["list"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("TLS mislykkedes"), "{}", r.stderr);
    // The right CA but another host name than the certificate's is refused too.
    let r = run(&url("127.0.0.1", &format!("&sslrootcert={ca}")), &["list"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("TLS mislykkedes"), "{}", r.stderr);
}

#[test]
fn a_board_whose_connection_drops_says_so_and_comes_back() {
    let db = desk("drop");
    let ann = store(&db, "ann");
    let l = frist::load::contract("laasesystem").unwrap();
    let (backend, mut app) = board(&l, &ann, db.login("ann"));
    frist::tui::run::refresh(&mut app, &backend);
    assert!(!app.offline);
    // The server ends every connection of ann's (a restart, a network break).
    pg::connect("postgres", "postgres")
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
            &[&db.login("ann")],
        )
        .unwrap();
    let start = std::time::Instant::now();
    while !app.offline {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "the loss went unnoticed"
        );
        frist::tui::run::refresh(&mut app, &backend);
    }
    assert!(app
        .status
        .clone()
        .unwrap()
        .0
        .contains("forbindelsen til databasen er tabt"));
    // A ticket logged meanwhile shows once the board is back, and the board says it is back.
    let id = add(&db.url("bo"), "Aarhus", "Mens forbindelsen var væk");
    while app.offline || !app.rows.iter().any(|r| r.ticket.id == id) {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(15),
            "the board did not come back"
        );
        frist::tui::run::refresh(&mut app, &backend);
    }
    // The store's own connection comes back too: a step works without restarting frist.
    let now = chrono::Utc::now();
    ann.append(
        id,
        EventKind::Reacted {
            note: String::new(),
        },
        "",
        now,
        now,
        now,
    )
    .unwrap();
}

#[test]
fn a_checkpoint_of_a_shared_log_holds_as_it_grows_and_catches_a_cut_tail() {
    let db = desk("checkpoint");
    let ann = db.url("ann");
    for i in 0..3 {
        let id = add(&ann, "Aarhus", &format!("Fejl {i}"));
        ok(&ann, &["react", &id.to_string()]);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cp.json");
    let said = ok(&ann, &["checkpoint", "--out", file.to_str().unwrap()]);
    assert!(said.contains("9 hændelser"), "{said}");
    add(&ann, "Odense", "Døren åbner ikke");
    let v = ok(
        &db.url("sup"),
        &["verify", "--checkpoint", file.to_str().unwrap()],
    );
    assert!(
        v.contains("holder") && v.contains("2 hændelser er tilføjet"),
        "{v}"
    );
    // A municipality's report carries no checkpoint of a log it sees only part of.
    let r = ok(
        &db.url("aarhus"),
        &["report", "--month", "2025-03", "--format", "json"],
    );
    let r: serde_json::Value = serde_json::from_str(&r).unwrap();
    assert!(r["checkpoint"].is_null(), "{r}");
    // The last two tickets cut off cleanly, as a restore of an older dump would leave it.
    db.connect("owner")
        .batch_execute(
            "ALTER TABLE frist.events DISABLE TRIGGER USER; \
             DELETE FROM frist.events WHERE n > 6; \
             DELETE FROM frist.tickets WHERE id > 2; \
             UPDATE frist.chain SET n = 6, hash = (SELECT hash FROM frist.events WHERE n = 6); \
             ALTER TABLE frist.events ENABLE TRIGGER USER",
        )
        .unwrap();
    let r = run(
        &db.url("sup"),
        &["verify", "--checkpoint", file.to_str().unwrap()],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("loggen har 6 hændelser") && r.stderr.contains("bekræftede 9"),
        "{}",
        r.stderr
    );
}

/// Withdraws, edits and disputes on one ticket; the same on both backends.
/// `sup` disputes the breach (a supervisor in team mode).
fn corrections(s: &dyn Store, user: &str, sup: (&dyn Store, &str)) {
    use chrono::TimeZone;
    let t = |h: u32| chrono::Utc.with_ymd_and_hms(2025, 3, 3, h, 0, 0).unwrap();
    let now = t(20);
    let tk = s
        .create(
            EventKind::Reported {
                municipality: "Aarhus".into(),
                reporter: "Lone".into(),
                title: "Døre åbenr ikke".into(),
                description: String::new(),
                category: "kritisk".into(),
                contract: "laasesystem".into(),
            },
            None,
            user,
            now,
            t(9),
        )
        .unwrap();
    let id = tk.id;
    let step = |kind: EventKind, at: u32| s.append(id, kind, user, now, t(at), now).unwrap();
    step(
        EventKind::Paused {
            reason: "Venter på adgang".into(),
        },
        10,
    );
    step(
        EventKind::Resolved {
            note: "Ny controller".into(),
        },
        11,
    );
    step(
        EventKind::Accepted {
            by: "Per".into(),
            reference: "mail 7".into(),
        },
        12,
    );
    let retract = |seq: u32, reason: &str| {
        let kind = frist::ticket::retraction(&s.events(id).unwrap(), seq, reason)?;
        s.append(id, kind, user, now, now, now)
            .map_err(|e| match e {
                StoreError::Lifecycle(l) => l,
                e => panic!("{e}"),
            })
    };
    // The acceptance first, then the resolution it built on: the pause is open again.
    let after = retract(3, "Accepten gjaldt en anden sag").unwrap();
    assert_eq!(
        (after.state, after.accepted.is_none()),
        (State::Resolved, true)
    );
    let err = retract(2, "").unwrap_err();
    assert!(err.to_string().contains("reason"), "{err}");
    let after = retract(2, "Controlleren virkede ikke").unwrap();
    assert_eq!(after.state, State::Paused);
    assert_eq!((after.resolved, after.pauses[0].end), (None, None));
    // Twice, and a step a later one builds on, are refused.
    let err = retract(3, "igen").unwrap_err();
    assert!(err.to_string().contains("already retracted"), "{err}");
    step(
        EventKind::Resolved {
            note: String::new(),
        },
        13,
    );
    let err = retract(1, "pausen").unwrap_err();
    assert!(err.to_string().contains("builds on"), "{err}");
    // A retraction that misstates the step it withdraws is refused before it is written.
    let forged = EventKind::Retracted {
        retracts: 6,
        step: "resolved".into(),
        restores: State::Open,
        reason: "x".into(),
    };
    assert!(s.append(id, forged, user, now, now, now).is_err());
    step(
        EventKind::Edited {
            title: Some("Døre åbner ikke".into()),
            description: None,
            reporter: None,
            reason: "Stavefejl".into(),
        },
        20,
    );
    let last = sup
        .0
        .append(
            id,
            EventKind::BreachDisputed {
                reason: "Adgang blev nægtet".into(),
            },
            sup.1,
            now,
            now,
            now,
        )
        .unwrap();
    assert_eq!(last.title, "Døre åbner ikke");
    assert_eq!(last.disputed.as_ref().unwrap().text, "Adgang blev nægtet");
    // The other steps' withdrawals: a resumption, a reaction, a pause and a rejection.
    let other = s
        .create(
            EventKind::Reported {
                municipality: "Odense".into(),
                reporter: String::new(),
                title: "Skærmen er sort".into(),
                description: String::new(),
                category: "kritisk".into(),
                contract: "laasesystem".into(),
            },
            None,
            user,
            now,
            t(9),
        )
        .unwrap()
        .id;
    let on = |kind: EventKind, at: u32| s.append(other, kind, user, now, t(at), now).unwrap();
    let withdraw = |seq: u32| {
        let kind = frist::ticket::retraction(&s.events(other).unwrap(), seq, "Fejl").unwrap();
        s.append(other, kind, user, now, now, now).unwrap()
    };
    on(
        EventKind::Paused {
            reason: "Venter".into(),
        },
        10,
    );
    on(
        EventKind::Reacted {
            note: String::new(),
        },
        11,
    );
    on(EventKind::Resumed, 12);
    assert_eq!(withdraw(3).state, State::Paused);
    assert_eq!(withdraw(2).reacted, None);
    assert!(withdraw(1).pauses.is_empty());
    on(
        EventKind::Resolved {
            note: String::new(),
        },
        13,
    );
    on(
        EventKind::Rejected {
            by: "Per".into(),
            reason: "Nej".into(),
        },
        14,
    );
    let back = withdraw(8);
    assert_eq!((back.state, back.resolved), (State::Resolved, Some(t(13))));
    assert_eq!(
        s.ticket(other).unwrap().unwrap(),
        frist::ticket::fold(&s.events(other).unwrap()).unwrap()
    );
    // The store's ticket is the fold of its events, and the chain (with the database's own fold
    // on PostgreSQL) still verifies.
    let folded = frist::ticket::fold(&s.events(id).unwrap()).unwrap();
    assert_eq!(s.ticket(id).unwrap().unwrap(), folded);
    assert_eq!(folded, last);
    assert!(matches!(s.verify().unwrap(), VerifyOutcome::Intact { .. }));
}

#[test]
fn corrections_fold_the_same_on_postgres_as_on_sled() {
    let dir = tempfile::tempdir().unwrap();
    let sled = frist::store::LocalStore::open(&dir.path().join("db")).unwrap();
    corrections(&sled, "mette", (&sled, "mette"));
    let db = desk("corrections");
    let (agent, supervisor) = (store(&db, "ann"), store(&db, "sup"));
    corrections(&agent, &db.login("ann"), (&supervisor, &db.login("sup")));
    // A supervisor disputes, an agent retracts and edits; a municipality does none of these,
    // and an agent does not dispute.
    let (ann, sup, aarhus) = (db.url("ann"), db.url("sup"), db.url("aarhus"));
    // Reported at 7, reacted to at 10:30: the reaction deadline (3 hours) was missed.
    let id = ok(
        &ann,
        &[
            "add",
            "--municipality",
            "Aarhus",
            "--title",
            "Skærmen er sort",
            "--category",
            "kritisk",
            "--at",
            "2025-03-10 07:00",
        ],
    )
    .trim()
    .to_string();
    ok(&ann, &["react", &id, "--at", "2025-03-10 10:30"]);
    let r = run(
        &aarhus,
        &["retract", &id, "--event", "2", "--reason", "nej"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(
        &aarhus,
        &["edit", &id, "--title", "Sort skærm", "--reason", "nej"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    ok(
        &ann,
        &["edit", &id, "--title", "Sort skærm", "--reason", "Kortere"],
    );
    let r = run(&ann, &["dispute", &id, "--reason", "Strømsvigt"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    ok(
        &sup,
        &["dispute", &id, "--reason", "Strømsvigt hos kommunen"],
    );
    ok(
        &sup,
        &[
            "retract",
            &id,
            "--event",
            "2",
            "--reason",
            "Reaktionen var på en anden sag",
        ],
    );
    // By hand, past frist: the database checks a retraction against the events itself.
    let mut c = db.connect("ann");
    let ticket: i64 = id.parse().unwrap();
    let n: i32 = c
        .query_one(
            "SELECT count(*)::int FROM frist.events WHERE ticket = $1",
            &[&ticket],
        )
        .unwrap()
        .get(0);
    let err = c
        .execute(
            "INSERT INTO frist.events (ticket, seq, body) SELECT $1, $2, jsonb_build_object( \
             'ticket', $1::bigint, 'seq', $2::int, 'user', session_user::text, \
             'recorded', now(), 'effective', now(), 'type', 'retracted', 'retracts', 1, \
             'step', 'classified', 'restores', 'open', 'reason', 'x')::text",
            &[&ticket, &n],
        )
        .unwrap_err();
    let why = err.as_db_error().map(|e| e.message().to_string());
    assert!(
        why.as_deref().unwrap_or("").contains("to retract"),
        "{err:?}"
    );
    let shown = ok(&sup, &["show", &id]);
    assert!(shown.contains("TRUKKET TILBAGE"), "{shown}");
    assert!(matches!(
        store(&db, "sup").verify().unwrap(),
        VerifyOutcome::Intact { .. }
    ));
}
/// Outgoing mail (schema 4): `mail-sent` and `mail-failed` fold the same in the database as in
/// frist — the failed Message-IDs wait in `mail_unsent` until sent — and verify holds. A
/// supervisor's login may record mail (reminders from cron); a municipality's may not.
#[test]
fn mail_events_fold_alike_on_both_backends_and_supervisors_may_record_them() {
    use frist::ticket::{MailKind, MailVia};
    fn mails(s: &dyn Store, user: &str) -> u64 {
        use chrono::TimeZone;
        let t = |h: u32| chrono::Utc.with_ymd_and_hms(2025, 3, 10, h, 0, 0).unwrap();
        let tk = s
            .create(
                EventKind::Reported {
                    municipality: "Aarhus".into(),
                    reporter: String::new(),
                    title: "Døre".into(),
                    description: String::new(),
                    category: "kritisk".into(),
                    contract: "laasesystem".into(),
                },
                None,
                user,
                t(12),
                t(9),
            )
            .unwrap();
        let failed = |id: &str| EventKind::MailFailed {
            message_id: id.into(),
            to: vec!["lone@aarhus.dk".into()],
            subject: "[frist #1] løst".into(),
            kind: MailKind::ResolutionNotice,
            key: String::new(),
            error: "connection refused".into(),
            raw: "From: a@b\r\n\r\nhej".into(),
        };
        let sent = |id: &str| EventKind::MailSent {
            message_id: id.into(),
            to: vec!["lone@aarhus.dk".into()],
            subject: "[frist #1] løst".into(),
            kind: MailKind::ResolutionNotice,
            via: MailVia::Smtp,
            key: String::new(),
        };
        for k in [failed("<a@x>"), failed("<b@x>"), sent("<a@x>")] {
            s.append(tk.id, k, user, t(12), t(10), t(12)).unwrap();
        }
        let now = s.ticket(tk.id).unwrap().unwrap();
        assert_eq!(now.mail_unsent, vec!["<b@x>".to_string()]);
        let after = s
            .append(tk.id, sent("<b@x>"), user, t(12), t(11), t(12))
            .unwrap();
        assert!(after.mail_unsent.is_empty());
        assert!(s.ticket(tk.id).unwrap().unwrap().mail_unsent.is_empty());
        assert!(matches!(s.verify().unwrap(), VerifyOutcome::Intact { .. }));
        tk.id
    }
    let dir = tempfile::tempdir().unwrap();
    let sled = frist::store::LocalStore::open(&dir.path().join("db")).unwrap();
    mails(&sled, "mette");
    let db = desk("mail");
    let id = mails(&store(&db, "ann"), &db.login("ann"));
    let sup = store(&db, "sup");
    let note = EventKind::MailSent {
        message_id: "<r@x>".into(),
        to: vec!["lone@aarhus.dk".into()],
        subject: "påmindelse".into(),
        kind: MailKind::AcceptanceReminder,
        via: MailVia::Outbox,
        key: String::new(),
    };
    let at = chrono::Utc::now();
    sup.append(id, note.clone(), &db.login("sup"), at, at, at)
        .unwrap();
    let aarhus = store(&db, "aarhus");
    assert!(matches!(
        aarhus.append(id, note, &db.login("aarhus"), at, at, at),
        Err(StoreError::Denied { .. })
    ));
}

/// Timer alerts in team mode go to the addresses `frist user add --email` gave: the assigned
/// agent's, and the supervisor's for a breach; an agent's login runs `mail remind`.
#[test]
fn alerts_go_to_the_addresses_the_team_was_given() {
    let db = desk("alerts");
    let owner = db.url("owner");
    let bo = db.login("bo");
    ok(
        &owner,
        &[
            "user",
            "add",
            &bo,
            "--role",
            "agent",
            "--email",
            "bo@leverandor.dk",
        ],
    );
    let sup = db.login("sup");
    ok(
        &owner,
        &[
            "user",
            "add",
            &sup,
            "--role",
            "supervisor",
            "--email",
            "chef@leverandor.dk",
        ],
    );
    let bad = run(
        &owner,
        &[
            "user",
            "add",
            &bo,
            "--role",
            "agent",
            "--email",
            "bo hos os",
        ],
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    let ann = db.url("ann");
    // systemfejl at 09:00 on Monday 10.03: its reaction (5h, continuous) is at risk after
    // 12:45 and breached after 14:00.
    let id = add(&ann, "Aarhus", "Rapporter fejler").to_string();
    ok(&ann, &["assign", &id, "--to", &bo]);
    let server = smtp::Server::start();
    let r = out(
        frist(&ann, &["mail", "remind", "--now", "2025-03-10 13:00"])
            .env("FRIST_SMTP", server.url())
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let to: Vec<Vec<String>> = server.received().into_iter().map(|m| m.to).collect();
    assert_eq!(
        to,
        vec![vec!["bo@leverandor.dk".to_string()]],
        "{}",
        r.stdout
    );
    // Breached: the agent and the supervisor hear of it, once.
    let r = out(
        frist(&ann, &["mail", "remind", "--now", "2025-03-10 15:00"])
            .env("FRIST_SMTP", server.url())
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut to: Vec<String> = server.received()[1..]
        .iter()
        .flat_map(|m| m.to.clone())
        .collect();
    to.sort();
    assert_eq!(
        to,
        vec!["bo@leverandor.dk", "chef@leverandor.dk"],
        "{}",
        r.stdout
    );
    let again = out(
        frist(&ann, &["mail", "remind", "--now", "2025-03-10 15:00"])
            .env("FRIST_SMTP", server.url())
            .output()
            .unwrap(),
    );
    assert!(again.stdout.contains("Ingen mail"), "{}", again.stdout);
    assert_eq!(server.received().len(), 3);
}

#[test]
fn add_from_a_file_logs_many_tickets_on_a_shared_log_all_or_none() {
    let db = desk("addfrom");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nye.csv");
    std::fs::write(
        &file,
        "municipality,title,category,at\nAarhus,Døre åbner ikke,kritisk,2025-03-10 09:00\nOdense,Server nede,systemfejl,\nAarhus,Batteri fladt,batteriskift,2025-03-07 08:00\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let ann = db.url("ann");
    assert_eq!(ok(&ann, &["add", "--from", path]), "1\n2\n3\n");
    let two: serde_json::Value = serde_json::from_str(&ok(&ann, &["show", "2", "--json"])).unwrap();
    assert_eq!(
        (two["municipality"].as_str(), two["category"].as_str()),
        (Some("Odense"), Some("systemfejl"))
    );
    // Aarhus's IT contact may report only Aarhus's faults: the database refuses the Odense
    // line, and the whole file with it.
    let r = run(&db.url("aarhus"), &["add", "--from", path]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let listed: serde_json::Value = serde_json::from_str(&ok(&ann, &["list", "--json"])).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 3);
    assert!(ok(&ann, &["verify"]).contains("3 sager"));
}
