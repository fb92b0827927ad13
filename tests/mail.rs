//! Incoming mail through the real binary: .eml files shaped like Outlook's and Gmail's replies
//! (quoted-printable windows-1252, base64 UTF-8), an mbox and a Maildir, all with Danish text
//! (tests/mail/). The loop resolve → reply → import → accept → closed, the refusals, the
//! suggested ticket, and importing twice — on sled, and the core of it on PostgreSQL.

mod common;
#[path = "common/pg.rs"]
mod pg;

use common::*;
use sha2::{Digest, Sha256};

const OUTLOOK_ID: &str = "AM0PR07MB1234A1B2C3D4E5F6@AM0PR07MB1234.eurprd07.prod.outlook.com";
const GMAIL_ID: &str = "CAF=x7Yq2Jv4mB3dT9u0pE+Z1wQ@mail.gmail.com";

fn fixture(name: &str) -> String {
    format!("{}/tests/mail/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A log with ticket 1 (Aarhus) and 2 (Odense), both resolved, and a contact for each.
fn desk(run: &dyn Fn(&[&str]) -> Run) {
    let ok = |args: &[&str]| {
        let r = run(args);
        assert_eq!(r.code, 0, "frist {args:?}: {}", r.stderr);
        r.stdout
    };
    ok(&[
        "add",
        "--municipality",
        "Aarhus",
        "--title",
        "Ingen kan åbne låse i hjemmeplejen",
        "--category",
        "kritisk",
        "--at",
        "2025-03-03 15:30",
    ]);
    ok(&[
        "add",
        "--municipality",
        "Odense",
        "--title",
        "Printeren på rådhuset",
        "--category",
        "systemfejl",
        "--at",
        "2025-03-03 15:40",
    ]);
    for (m, n, e) in [
        ("Aarhus", "Lone Berg", "lone@aarhus.dk"),
        ("Odense", "Ib Holm", "ib@odense.dk"),
    ] {
        ok(&[
            "contact",
            "add",
            "--municipality",
            m,
            "--name",
            n,
            "--email",
            e,
        ]);
    }
    ok(&["resolve", "1", "--at", "2025-03-03 21:00"]);
    ok(&["resolve", "2", "--at", "2025-03-03 22:00"]);
}

#[test]
fn replies_from_outlook_and_gmail_close_and_reopen_their_tickets() {
    let log = Log::new();
    desk(&|a| log.run(a));
    let out = log.ok(&[
        "mail",
        "import",
        &fixture("outlook_accept.eml"),
        &fixture("gmail_reject.eml"),
    ]);
    assert!(
        out.contains("sag 1: mail fra lone@aarhus.dk ([frist #ID] i emnet)"),
        "{out}"
    );
    assert!(out.contains("sag 2: mail fra ib@odense.dk"), "{out}");
    assert!(out.contains("2 på sager"), "{out}");

    // The inbox reads both answers and suggests a verdict from the new text only.
    let inbox = log.json(&["mail", "inbox", "--json"]);
    let awaiting = inbox["awaiting"].as_array().unwrap();
    assert_eq!(awaiting.len(), 2, "{inbox}");
    assert_eq!(awaiting[0]["ticket"], 1);
    assert_eq!(awaiting[0]["suggestion"]["verdict"], "accept");
    assert_eq!(
        awaiting[0]["subject"],
        "SV: [frist #1] Løst: Ingen kan åbne låse i hjemmeplejen"
    );
    assert!(awaiting[0]["text"]
        .as_str()
        .unwrap()
        .contains("låsene virker igen"));
    assert_eq!(awaiting[1]["suggestion"]["verdict"], "reject");
    assert!(awaiting[1]["text"]
        .as_str()
        .unwrap()
        .contains("fejlen er der stadig på 2. sal"));
    let human = log.ok(&["mail", "inbox"]);
    assert!(human.contains("forslag: accepter"), "{human}");

    // Accept from the mail: by = its sender, ref = its Message-ID and the hash of its bytes.
    log.ok(&["accept", "1", "--mail", &format!("<{OUTLOOK_ID}>")]);
    let v = log.json(&["show", "1", "--json"]);
    assert_eq!(v["state"], "closed");
    let hash = hex(&std::fs::read(fixture("outlook_accept.eml")).unwrap());
    let reference = format!("mail <{OUTLOOK_ID}> sha256:{hash}");
    let events = v["events"].as_array().unwrap();
    let accepted = events.last().unwrap();
    assert_eq!(accepted["type"], "accepted");
    assert_eq!(accepted["by"], "Lone Berg <lone@aarhus.dk>");
    assert_eq!(accepted["reference"], reference);
    // It took effect when the answer came, not when it was imported.
    assert_eq!(accepted["effective"], "2025-03-04T09:15:00Z");
    // The raw bytes are kept unchanged, with their hash.
    let export = log.export();
    let mail_line = export
        .lines()
        .find(|l| l.contains("\"mail-received\"") && l.contains(OUTLOOK_ID))
        .unwrap();
    let ev: serde_json::Value = serde_json::from_str(mail_line).unwrap();
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(ev["event"]["raw"].as_str().unwrap())
        .unwrap();
    assert_eq!(raw, std::fs::read(fixture("outlook_accept.eml")).unwrap());
    assert_eq!(ev["event"]["sha256"], hash);

    log.ok(&[
        "reject",
        "2",
        "--mail",
        GMAIL_ID,
        "--reason",
        "fejlen er der stadig på 2. sal",
    ]);
    let v = log.json(&["show", "2", "--json"]);
    assert_eq!(v["state"], "open");
    assert!(log.ok(&["show", "2"]).contains("Ib Holm <ib@odense.dk>"));

    // The same mails again, from the Maildir too: nothing added.
    let before = log.export();
    let again = log.ok(&[
        "mail",
        "import",
        &fixture("outlook_accept.eml"),
        &fixture("gmail_reject.eml"),
    ]);
    assert!(again.contains("2 kendt i forvejen"), "{again}");
    assert_eq!(log.export(), before);
    assert!(log.ok(&["verify"]).contains("verificeret"));
}

#[test]
fn mbox_and_maildir_flag_strangers_suggest_tickets_and_follow_threads() {
    let log = Log::new();
    desk(&|a| log.run(a));
    let out = log.ok(&["mail", "import", &fixture("inbox.mbox")]);
    assert!(
        out.contains("sag 2: mail fra mallory@example.net ([frist #ID] i emnet) ⚠ ubekræftet: afsenderen er ikke kontaktperson"),
        "{out}"
    );
    assert!(
        out.contains("sag 2: mail fra lone@aarhus.dk ([frist #ID] i emnet) ⚠ ubekræftet: afsenderen er kontaktperson for Aarhus"),
        "{out}"
    );
    assert!(out.contains("forslag til ny sag fra (Aarhus"), "{out}");

    // Neither stranger's mail is the municipality's written answer.
    for id in ["m1@example.net", "m2@aarhus.dk"] {
        let r = log.run(&["accept", "2", "--mail", id]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("er ikke kontaktperson for Odense"),
            "{}",
            r.stderr
        );
    }
    // A mail that is not on the ticket, or not in the log at all.
    log.ok(&[
        "mail",
        "import",
        &fixture("outlook_accept.eml"),
        &fixture("gmail_reject.eml"),
    ]);
    let r = log.run(&["accept", "2", "--mail", OUTLOOK_ID]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("hører til sag 1, ikke sag 2"),
        "{}",
        r.stderr
    );
    let r = log.run(&["reject", "2", "--mail", "nobody@x", "--reason", "x"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("sag 2 har ingen mail <nobody@x>"),
        "{}",
        r.stderr
    );
    assert_eq!(log.json(&["show", "2", "--json"])["state"], "resolved");

    // The suggested ticket: listed, confirmed into ticket 3 with the mail on it.
    let inbox = log.json(&["mail", "inbox", "--json"]);
    let suggested = inbox["suggested_tickets"].as_array().unwrap();
    assert_eq!(suggested.len(), 1, "{inbox}");
    assert_eq!(suggested[0]["suggestion"]["municipality"], "Aarhus");
    let id = log.ok(&["mail", "confirm", "<m3@aarhus.dk>", "--category", "kritisk"]);
    assert_eq!(id.trim(), "3");
    let v = log.json(&["show", "3", "--json"]);
    assert_eq!(v["title"], "Dørene på plejecentret åbner ikke");
    assert_eq!(v["municipality"], "Aarhus");
    // The mbox's escaped ">From" line is the sender's "From" again.
    assert!(log.export().contains("From nu af bruger vi nøgler"));
    assert_eq!(
        v["events"].as_array().unwrap().last().unwrap()["type"],
        "mail-received"
    );
    let inbox = log.json(&["mail", "inbox", "--json"]);
    assert_eq!(inbox["suggested_tickets"], serde_json::json!([]));
    let r = log.run(&["mail", "confirm", "m3@aarhus.dk"]);
    assert_eq!(r.code, 2);

    // The Maildir: a Gmail reply to a reply (found by References) that accepts and says the
    // fault is still there is unclear; the Outlook mail in new/ is known already.
    let out = log.ok(&["mail", "import", &fixture("Maildir")]);
    assert!(
        out.contains("sag 2: mail fra ib@odense.dk (svar på sagens mail)"),
        "{out}"
    );
    assert!(out.contains("1 kendt i forvejen"), "{out}");
    let inbox = log.json(&["mail", "inbox", "--json"]);
    let last = inbox["awaiting"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["message_id"] == "CAF=second-reply@mail.gmail.com")
        .cloned()
        .unwrap_or_else(|| panic!("{out}\n{inbox}"));
    assert_eq!(last["suggestion"]["verdict"], "unclear");
    // Everything once more: nothing new.
    let before = log.export();
    log.ok(&[
        "mail",
        "import",
        &fixture("inbox.mbox"),
        &fixture("Maildir"),
    ]);
    assert_eq!(log.export(), before);
    assert!(log.ok(&["verify"]).contains("verificeret"));
}

#[test]
fn a_path_that_is_no_mail_is_named_and_the_rest_imported() {
    let log = Log::new();
    desk(&|a| log.run(a));
    let junk = log.dir.path().join("junk.eml");
    std::fs::write(&junk, b"this is not a mail").unwrap();
    let r = log.run(&[
        "mail",
        "import",
        path_str(&junk),
        &fixture("outlook_accept.eml"),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("junk.eml: kan ikke læses som en mail"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("1 på sager"), "{}", r.stdout);
    let r = log.run(&["mail", "import", "/nonexistent/box"]);
    assert_eq!(r.code, 2);
    let folder = log.dir.path().join("plain");
    std::fs::create_dir(&folder).unwrap();
    let r = log.run(&["mail", "import", path_str(&folder)]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("ikke en Maildir"), "{}", r.stderr);
}

#[test]
fn the_loop_holds_on_postgres() {
    let db = pg::Db::new("mailloop");
    let url = db.url("owner");
    let keys = pg::cluster().dir.join("keys");
    let run = |args: &[&str]| run_at(&url, &keys, args);
    let r = run(&["db", "init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    desk(&run);
    let r = run(&[
        "mail",
        "import",
        &fixture("gmail_reject.eml"),
        &fixture("inbox.mbox"),
        &fixture("Maildir"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("svar på sagens mail"), "{}", r.stdout);
    let r = run(&["accept", "2", "--mail", "m1@example.net"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(&["accept", "1", "--mail", OUTLOOK_ID]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["show", "1", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["state"], "closed");
    let before = run(&["export"]).stdout;
    let r = run(&[
        "mail",
        "import",
        &fixture("Maildir"),
        &fixture("inbox.mbox"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(run(&["export"]).stdout, before);
    let r = run(&["verify"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

fn hex(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}
