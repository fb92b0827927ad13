//! Outgoing mail through the real binary: the resolution notice over SMTP (to a server this
//! test starts on a loopback port) and into the outbox, a send that fails and is sent later,
//! reminders and alerts that are never sent twice, and the monthly report with its attachments.

mod common;
#[path = "common/smtp.rs"]
mod smtp;

use common::*;
use mail_parser::{MessageParser, MimeHeaders};
use std::path::Path;

fn with_contact(log: &Log) {
    log.ok(&[
        "contact",
        "add",
        "--municipality",
        "Aarhus",
        "--name",
        "Lone Hansen",
        "--email",
        "lone@aarhus.dk",
    ]);
}

fn smtp_run(log: &Log, url: &str, args: &[&str]) -> Run {
    out(log.cmd(args).env("FRIST_SMTP", url).output().unwrap())
}

fn smtp_ok(log: &Log, url: &str, args: &[&str]) -> String {
    let r = smtp_run(log, url, args);
    assert_eq!(r.code, 0, "frist {args:?} failed: {}", r.stderr);
    r.stdout
}

/// The events of a ticket of one kind, as `show --json` gives them.
fn events_of(log: &Log, id: &str, kind: &str) -> Vec<serde_json::Value> {
    let v = log.json(&["show", id, "--json"]);
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .cloned()
        .collect()
}

/// A kritisk ticket reported a week ago and resolved today: six started days of dagsbod.
fn late_kritisk(log: &Log) {
    log.add(&["--category", "kritisk", "--at", "2025-03-03 08:00"]);
    with_contact(log);
}

#[test]
fn the_resolution_notice_reaches_the_municipalitys_contact_over_smtp() {
    let server = smtp::Server::start();
    let log = Log::new();
    late_kritisk(&log);
    let said = smtp_ok(
        &log,
        &server.url(),
        &[
            "resolve",
            "1",
            "--note",
            "Adgangsserveren genstartet; certifikatet fornyet",
            "--at",
            "2025-03-10 11:00",
        ],
    );
    assert!(said.contains("sendt til lone@aarhus.dk"), "{said}");
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["lone@aarhus.dk".to_string()]);
    let m = MessageParser::default()
        .parse(got[0].data.as_bytes())
        .unwrap();
    let subject = m.subject().unwrap();
    assert!(subject.starts_with("[frist #1] "), "{subject}");
    let body = m.body_text(0).unwrap();
    for want in [
        "Låsen reagerer ikke",
        "Adgangsserveren genstartet; certifikatet fornyet",
        "Løsningstid:",
        "overskredet",
        "Dagsbod: 50.000 kr. (6 påbegyndte dage)",
        "svar ACCEPTERET, eller AFVIST og hvorfor",
    ] {
        assert!(body.contains(want), "the notice lacks {want:?}:\n{body}");
    }
    // The Message-ID a reply will name is kept on the ticket.
    let sent = events_of(&log, "1", "mail-sent");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["message_id"].as_str().unwrap(),
        m.message_id().unwrap()
    );
    assert_eq!(sent[0]["via"], "smtp");
    // The timeline says what was sent and when; the fine is the one frist shows.
    let show = log.ok(&["show", "1"]);
    assert!(show.contains("Dagsbod: 50.000 kr."), "{show}");
    assert!(
        show.contains("besked om løsning sendt til lone@aarhus.dk"),
        "{show}"
    );
}

#[test]
fn without_smtp_the_notice_is_an_eml_file_a_mail_program_reads() {
    let log = Log::new();
    late_kritisk(&log);
    let outbox = log.dir.path().join("udbakke");
    let said = log.ok(&[
        "resolve",
        "1",
        "--at",
        "2025-03-10 11:00",
        "--outbox",
        outbox.to_str().unwrap(),
    ]);
    assert!(said.contains("lagt i udbakken"), "{said}");
    let files = eml_files(&outbox);
    assert_eq!(files.len(), 1, "{files:?}");
    let bytes = std::fs::read(&files[0]).unwrap();
    let m = MessageParser::default().parse(&bytes).unwrap();
    assert!(m.subject().unwrap().contains("[frist #1]"));
    assert_eq!(
        m.to().unwrap().first().unwrap().address().unwrap(),
        "lone@aarhus.dk"
    );
    assert!(m
        .body_text(0)
        .unwrap()
        .contains("svar ACCEPTERET, eller AFVIST og hvorfor"));
    let sent = events_of(&log, "1", "mail-sent");
    assert_eq!(sent[0]["via"], "outbox");
    assert_eq!(
        sent[0]["message_id"].as_str().unwrap(),
        m.message_id().unwrap()
    );
}

fn eml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    v.sort();
    v
}

#[test]
fn a_send_that_fails_is_kept_shown_and_sent_when_the_server_is_back() {
    let log = Log::new();
    late_kritisk(&log);
    let down = format!("smtp://127.0.0.1:{}", smtp::closed_port());
    let r = smtp_run(&log, &down, &["resolve", "1", "--at", "2025-03-10 11:00"]);
    // The resolution is recorded whatever the mail does.
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("blev ikke sendt"), "{}", r.stdout);
    assert_eq!(log.json(&["show", "1", "--json"])["state"], "resolved");
    let failed = events_of(&log, "1", "mail-failed");
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["raw"].as_str().unwrap().contains("Message-ID:"));
    let listed = log.ok(&["list"]);
    assert!(listed.contains("mail ikke sendt"), "{listed}");

    // Still down: still kept, nothing lost.
    let r = smtp_run(&log, &down, &["mail", "send"]);
    assert!(
        r.stdout.contains("kunne stadig ikke sendes"),
        "{}",
        r.stdout
    );

    let server = smtp::Server::start();
    let said = smtp_ok(&log, &server.url(), &["mail", "send"]);
    assert!(said.contains("sendt til lone@aarhus.dk"), "{said}");
    let got = server.received();
    assert_eq!(got.len(), 1);
    let m = MessageParser::default()
        .parse(got[0].data.as_bytes())
        .unwrap();
    let sent = events_of(&log, "1", "mail-sent");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["message_id"].as_str().unwrap(),
        m.message_id().unwrap(),
        "the kept message goes out with the Message-ID the log has"
    );
    assert_eq!(sent[0]["message_id"], failed[0]["message_id"]);
    // Sent once; a second run has nothing to send.
    let again = smtp_ok(&log, &server.url(), &["mail", "send"]);
    assert!(again.contains("Ingen mail at sende nu"), "{again}");
    assert_eq!(server.received().len(), 1);
    assert!(!log.ok(&["list"]).contains("mail ikke sendt"));
}

#[test]
fn a_waiting_resolution_is_reminded_once_a_period_inside_the_service_window() {
    let server = smtp::Server::start();
    let log = Log::new();
    log.add(&["--category", "laaseenhed", "--at", "2025-03-03 08:00"]);
    with_contact(&log);
    // Resolved Monday 03.03 10:00; notice sent then (the outbox: no SMTP yet).
    log.ok(&[
        "resolve",
        "1",
        "--at",
        "2025-03-03 10:00",
        "--now",
        "2025-03-03 10:00",
    ]);
    let at = |now: &str, args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(["--now", now]);
        smtp_ok(&log, &server.url(), &a)
    };
    // Three working days on is Thursday 10:00: not yet on Thursday 09:59.
    assert!(at("2025-03-06 09:59", &["mail", "remind"]).contains("Ingen mail"));
    // Due, but the service window has closed: nothing at 20:00.
    assert!(at("2025-03-06 20:00", &["mail", "remind"]).contains("Ingen mail"));
    assert!(server.received().is_empty());
    let said = at("2025-03-07 08:00", &["mail", "remind"]);
    assert!(
        said.contains("påmindelse om accept sendt til lone@aarhus.dk"),
        "{said}"
    );
    assert_eq!(server.received().len(), 1);
    // A rerun (cron every quarter of an hour) sends nothing new.
    assert!(at("2025-03-07 08:15", &["mail", "remind"]).contains("Ingen mail"));
    assert_eq!(server.received().len(), 1);
    // The reminder follows up the notice, so a reply to either finds the ticket.
    let first = server.received();
    let m = MessageParser::default()
        .parse(first[0].data.as_bytes())
        .unwrap();
    let notice = &events_of(&log, "1", "mail-sent")[0];
    assert_eq!(
        m.in_reply_to().as_text().unwrap(),
        notice["message_id"].as_str().unwrap()
    );
    // The next one a period later: Wednesday 12.03 08:00.
    assert!(at("2025-03-12 07:59", &["mail", "remind"]).contains("Ingen mail"));
    assert!(at("2025-03-12 08:00", &["mail", "remind"]).contains("påmindelse"));
    assert_eq!(server.received().len(), 2);
    // The board marks the overdue acceptance.
    let listed = log.ok(&["list", "--now", "2025-03-12 08:00"]);
    assert!(listed.contains("accept forsinket"), "{listed}");
}

#[test]
fn timer_alerts_go_to_the_agent_and_breaches_to_supervisors_once() {
    let server = smtp::Server::start();
    let log = Log::new();
    std::fs::write(
        log.dir.path().join("config.toml"),
        "[mail]\nfrom = \"Support <support@leverandor.dk>\"\nsupervisors = [\"chef@leverandor.dk\"]\n\n[agents]\nmette = \"mette@leverandor.dk\"\n",
    )
    .unwrap();
    // Kritisk at 07:00: at 12:00 the reaction (3h) is breached, the resolution (5h) at risk.
    log.add(&["--category", "kritisk", "--at", "2025-03-10 07:00"]);
    log.ok(&["assign", "1", "--to", "mette"]);
    let said = smtp_ok(&log, &server.url(), &["mail", "remind"]);
    assert!(said.contains("varsel om frist"), "{said}");
    let got = server.received();
    assert_eq!(got.len(), 2, "{got:?}");
    let to_mette = got
        .iter()
        .find(|r| r.to == vec!["mette@leverandor.dk".to_string()])
        .expect("the agent is alerted");
    let to_chef = got
        .iter()
        .find(|r| r.to == vec!["chef@leverandor.dk".to_string()])
        .expect("the supervisor hears of the breach");
    let body = |r: &smtp::Received| {
        MessageParser::default()
            .parse(r.data.as_bytes())
            .unwrap()
            .body_text(0)
            .unwrap()
            .into_owned()
    };
    let mette = body(to_mette);
    assert!(mette.contains("reaktionstid OVERSKREDET"), "{mette}");
    assert!(mette.contains("løsningstid i fare"), "{mette}");
    let chef = body(to_chef);
    assert!(chef.contains("reaktionstid OVERSKREDET"), "{chef}");
    assert!(!chef.contains("i fare,"), "{chef}");
    assert_eq!(got[0].from, "support@leverandor.dk");
    // A rerun sends nothing for the same timers.
    let again = smtp_ok(&log, &server.url(), &["mail", "remind"]);
    assert!(again.contains("Ingen mail"), "{again}");
    assert_eq!(server.received().len(), 2);
    // When the resolution is breached too, that is new: one more to each.
    smtp_ok(
        &log,
        &server.url(),
        &["mail", "remind", "--now", "2025-03-10 12:30"],
    );
    assert_eq!(server.received().len(), 4);
}

#[test]
fn the_monthly_report_is_mailed_with_its_csv_and_json_attached() {
    let server = smtp::Server::start();
    let log = Log::new();
    late_kritisk(&log);
    log.ok(&["resolve", "1", "--at", "2025-03-10 11:00"]);
    let said = smtp_ok(
        &log,
        &server.url(),
        &[
            "report",
            "--month",
            "2025-03",
            "--municipality",
            "Aarhus",
            "--mail",
        ],
    );
    assert!(said.contains("sendt til lone@aarhus.dk"), "{said}");
    let got = server.received();
    assert_eq!(got.len(), 1);
    let m = MessageParser::default()
        .parse(got[0].data.as_bytes())
        .unwrap();
    assert!(m.subject().unwrap().contains("Servicerapport marts 2025"));
    assert!(m.body_html(0).unwrap().contains("<html"));
    let names: Vec<String> = m
        .attachments()
        .map(|a| a.attachment_name().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        names,
        vec![
            "servicerapport-aarhus-2025-03.csv".to_string(),
            "servicerapport-aarhus-2025-03.json".to_string()
        ]
    );
    let json = m.attachments().nth(1).unwrap().contents();
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    assert!(v.get("checkpoint").is_some_and(|c| !c.is_null()), "{v}");
    // Without a municipality there is nobody to send it to: clap refuses.
    let r = smtp_run(
        &log,
        &server.url(),
        &["report", "--month", "2025-03", "--mail"],
    );
    assert_eq!(r.code, 2);
}

#[test]
fn a_broken_mail_set_up_is_refused_before_the_resolution_is_written() {
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-10 08:00"]);
    let config = log.dir.path().join("config.toml");
    std::fs::write(&config, "[mail]\nfrom = \"support hos leverandøren\"\n").unwrap();
    let r = log.run(&["resolve", "1"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("from"), "{}", r.stderr);
    assert_eq!(log.json(&["show", "1", "--json"])["state"], "open");
    std::fs::write(&config, "[mail]\nfrom = \"a@b.dk\"\nsmtp_host = \"x\"\n").unwrap();
    let r = log.run(&["resolve", "1"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("config.toml") && r.stderr.contains("smtp_host"),
        "{}",
        r.stderr
    );
    std::fs::remove_file(&config).unwrap();
    let r = out(log
        .cmd(&["resolve", "1"])
        .env("FRIST_SMTP", "gopher://x")
        .output()
        .unwrap());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("FRIST_SMTP"), "{}", r.stderr);
    assert_eq!(log.json(&["show", "1", "--json"])["state"], "open");
    log.ok(&["resolve", "1"]);
}

/// The whole loop: the notice goes out, the municipality answers it, the answer is imported
/// onto the ticket by its In-Reply-To, and the acceptance names that mail.
#[test]
fn a_reply_to_the_notice_finds_its_ticket_and_closes_it() {
    let log = Log::new();
    late_kritisk(&log);
    let outbox = log.dir.path().join("udbakke");
    log.ok(&[
        "resolve",
        "1",
        "--at",
        "2025-03-10 11:00",
        "--outbox",
        outbox.to_str().unwrap(),
    ]);
    let notice = events_of(&log, "1", "mail-sent")[0]["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Outlook keeps neither the tag's place nor the subject: only In-Reply-To finds the ticket.
    let reply = format!(
        "From: Lone Hansen <lone@aarhus.dk>\r\nTo: support@leverandor.dk\r\n\
         Subject: SV: Løst\r\nDate: Mon, 10 Mar 2025 11:30:00 +0100\r\n\
         Message-ID: <svar-1@aarhus.dk>\r\nIn-Reply-To: <{notice}>\r\nReferences: <{notice}>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nACCEPTERET\r\n\r\nLone\r\n"
    );
    let file = log.dir.path().join("svar.eml");
    std::fs::write(&file, reply).unwrap();
    log.ok(&["mail", "import", file.to_str().unwrap()]);
    assert_eq!(events_of(&log, "1", "mail-received").len(), 1);
    log.ok(&["accept", "1", "--mail", "svar-1@aarhus.dk"]);
    assert_eq!(log.json(&["show", "1", "--json"])["state"], "closed");
}

/// The notice quotes the dagsbod of the ticket's own contract version, as the board and the
/// report do, not whatever the contract file in the working directory says today.
#[test]
fn the_notice_quotes_the_fine_of_the_tickets_kept_contract_version() {
    let log = Log::new();
    let c = custom_contract(&log, 1);
    log.add(&[
        "--contract",
        &c,
        "--category",
        "kritisk",
        "--at",
        "2025-03-03 08:00",
    ]);
    with_contact(&log);
    let kept = log.json(&["--contract", &c, "show", "1", "--json"])["fine"]["total"]
        .as_u64()
        .unwrap();
    // A new version for later tickets: ten thousand times the fine.
    custom_contract(&log, 10_000);
    log.ok(&[
        "--contract",
        &c,
        "contract",
        "amend",
        &c,
        "--from",
        "2025-03-05",
    ]);
    let outbox = log.dir.path().join("udbakke");
    log.ok(&[
        "--contract",
        &c,
        "resolve",
        "1",
        "--at",
        "2025-03-10 11:00",
        "--outbox",
        outbox.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&eml_files(&outbox)[0]).unwrap();
    let m = MessageParser::default().parse(&bytes).unwrap();
    let body = m.body_text(0).unwrap().into_owned();
    let fine = log.json(&["--contract", &c, "show", "1", "--json"])["fine"]["total"]
        .as_u64()
        .unwrap();
    assert!(fine > 0 && fine < 1000, "{fine} (was {kept})");
    assert!(
        body.contains(&format!("Dagsbod: {}", frist::i18n::kroner(fine))),
        "{fine}: {body}"
    );
    // The new version's daily fine, for the same days, is in no line of it.
    assert!(!body.contains("0.000 kr."), "{body}");
}
