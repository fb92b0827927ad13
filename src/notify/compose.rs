//! The mails frist writes, composed from a ticket and its evaluation. Pure: no clock, no disk,
//! no network; the Message-ID and the date are arguments, so a message can be compared whole.
//!
//! The municipality's mails are in Danish whatever `--lang` says: they go to the municipality,
//! in the contract's words. An agent's alert follows the desk's language.

use crate::contract::Contract;
use crate::i18n::{kroner, Lang};
use crate::sla::explain::target_words;
use crate::sla::Status;
use crate::ticket::{Evaluation, MailKind, Ticket, TicketId, TimerEval};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A file sent with a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A composed mail, before it has a sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// An HTML body shown instead of the text by mail programs that can.
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    /// With angle brackets: `<frist.12.3f9a…@leverandor.dk>`.
    pub message_id: String,
    /// The earlier mail this one follows up (a reminder names the resolution notice).
    pub in_reply_to: Option<String>,
    pub date: DateTime<Utc>,
    pub kind: Option<MailKind>,
    /// The tickets the mail is about, with what it said of each (see `EventKind::MailSent`).
    pub about: Vec<(TicketId, String)>,
}

/// The tag in a subject that a reply keeps and `frist mail import` matches: `[frist #12]`.
pub fn tag(id: TicketId) -> String {
    format!("[frist #{id}]")
}

fn local(tz: &Tz, t: DateTime<Utc>) -> String {
    Lang::Da.datetime(t.with_timezone(tz).naive_local())
}

/// One timer of the notice: `Reaktionstid: … frist …, servicemål 3t — overholdt`.
fn timer_line(name: &str, t: &TimerEval, tz: &Tz) -> Option<String> {
    let timer = t.timer?;
    let deadline = t.deadline?;
    let target = target_words(Lang::Da, timer.target);
    let verdict = match (t.done, t.status) {
        (Some(done), Some(Status::Breached)) => {
            format!("overskredet med {}", Lang::Da.duration(done - deadline))
        }
        (Some(_), _) => "overholdt".to_string(),
        (None, _) => "ikke opfyldt endnu".to_string(),
    };
    Some(format!(
        "{name}: {} — frist {}, servicemål {target}: {verdict}",
        t.done.map_or_else(|| "—".into(), |d| local(tz, d)),
        local(tz, deadline),
    ))
}

/// What was done: the resolution's note.
fn what_was_done(resolution_note: &str) -> String {
    match resolution_note.trim() {
        "" => "(ingen beskrivelse registreret)".into(),
        note => note.to_string(),
    }
}

/// The notice to the municipality that a ticket is resolved and waits for its written
/// acceptance: the fault, what was done, the times against the targets, any dagsbod, and how to
/// answer.
pub fn resolution_notice(
    ticket: &Ticket,
    resolution_note: &str,
    ev: &Evaluation,
    contract: &Contract,
    to: &[String],
    message_id: &str,
    date: DateTime<Utc>,
) -> Mail {
    let tz = &contract.tz;
    let category = contract
        .category(&ticket.category)
        .map(|c| format!("{} ({})", c.name, c.id))
        .unwrap_or_else(|_| ticket.category.clone());
    let mut b = String::new();
    b.push_str(&format!("Til {}\n\n", ticket.municipality));
    b.push_str(&format!(
        "Sag {} er løst og venter på jeres skriftlige accept.\n\n",
        ticket.id
    ));
    b.push_str("FEJLEN\n");
    b.push_str(&format!("{}\n", ticket.title.trim()));
    if !ticket.description.trim().is_empty() {
        b.push_str(&format!("{}\n", ticket.description.trim()));
    }
    b.push_str(&format!("Fejlkategori: {category}\n"));
    b.push_str(&format!("Anmeldt: {}", local(tz, ticket.reported)));
    if !ticket.reporter.trim().is_empty() {
        b.push_str(&format!(" af {}", ticket.reporter.trim()));
    }
    b.push_str("\n\nHVAD VI HAR GJORT\n");
    b.push_str(&what_was_done(resolution_note));
    b.push_str("\n\nSERVICEMÅL\n");
    for line in [
        timer_line("Reaktionstid", &ev.reaction, tz),
        timer_line("Løsningstid", &ev.resolution, tz),
    ]
    .into_iter()
    .flatten()
    {
        b.push_str(&line);
        b.push('\n');
    }
    if ev.fine.total > 0 {
        b.push_str(&format!(
            "Dagsbod: {} ({} påbegyndte dage)\n",
            kroner(ev.fine.total),
            ev.fine.days.len()
        ));
    } else {
        b.push_str("Dagsbod: ingen\n");
    }
    b.push_str(&answer_how(ticket.id));
    let subject = format!(
        "{} Sag {} er løst: {}",
        tag(ticket.id),
        ticket.id,
        one_line(&ticket.title)
    );
    Mail {
        to: to.to_vec(),
        subject,
        text: b,
        html: None,
        attachments: Vec::new(),
        message_id: message_id.to_string(),
        in_reply_to: None,
        date,
        kind: Some(MailKind::ResolutionNotice),
        about: vec![(ticket.id, String::new())],
    }
}

fn answer_how(id: TicketId) -> String {
    format!(
        "\nSÅDAN SVARER I\n\
         Svar på denne mail: svar ACCEPTERET, eller AFVIST og hvorfor.\n\
         Sagen lukkes først, når I har accepteret løsningen skriftligt; afviser I den, genåbnes\n\
         sagen, og fristerne regnes fra jeres oprindelige fejlmelding.\n\
         Behold {} i emnefeltet, så finder svaret sagen.\n\n\
         Med venlig hilsen\nsupporten\n",
        tag(id)
    )
}

/// A title on one line (a subject has no line breaks).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The reminder that a resolution still waits for the municipality's acceptance.
#[allow(clippy::too_many_arguments)]
pub fn acceptance_reminder(
    ticket: &Ticket,
    contract: &Contract,
    number: u32,
    to: &[String],
    notice: Option<&str>,
    message_id: &str,
    date: DateTime<Utc>,
) -> Mail {
    let tz = &contract.tz;
    let resolved = ticket.resolved.map_or_else(|| "—".into(), |r| local(tz, r));
    let mut b = format!(
        "Til {}\n\nSag {} blev løst {resolved} og venter stadig på jeres skriftlige accept \
         ({}. påmindelse).\n\nFEJLEN\n{}\n",
        ticket.municipality,
        ticket.id,
        number,
        ticket.title.trim()
    );
    b.push_str(&answer_how(ticket.id));
    Mail {
        to: to.to_vec(),
        subject: format!(
            "{} Påmindelse: sag {} venter på jeres accept",
            tag(ticket.id),
            ticket.id
        ),
        text: b,
        html: None,
        attachments: Vec::new(),
        message_id: message_id.to_string(),
        in_reply_to: notice.map(str::to_string),
        date,
        kind: Some(MailKind::AcceptanceReminder),
        about: vec![(ticket.id, String::new())],
    }
}

/// One timer that went at risk or was breached, for an agent's alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub ticket: TicketId,
    pub municipality: String,
    pub title: String,
    /// `reaction` or `resolution`.
    pub timer: &'static str,
    pub status: Status,
    pub deadline: DateTime<Utc>,
}

impl Alert {
    /// What the alert is about, as kept on the ticket: `resolution:breached`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.timer, self.status.as_str())
    }
}

/// One mail to one person with every alert due for them.
pub fn timer_alerts(
    alerts: &[Alert],
    to: &[String],
    l: Lang,
    tz: &Tz,
    message_id: &str,
    date: DateTime<Utc>,
) -> Mail {
    let breached = alerts
        .iter()
        .filter(|a| a.status == Status::Breached)
        .count();
    let subject = format!(
        "[frist] {}: {} {}, {} {}",
        l.t("Frister", "Deadlines"),
        breached,
        l.t("overskredet", "breached"),
        alerts.len() - breached,
        l.t("i fare", "at risk")
    );
    let mut b = String::from(l.t(
        "Disse frister kræver opmærksomhed:\n\n",
        "These deadlines need attention:\n\n",
    ));
    for a in alerts {
        let timer = match a.timer {
            "reaction" => l.t("reaktionstid", "reaction"),
            _ => l.t("løsningstid", "resolution"),
        };
        let status = match a.status {
            Status::Breached => l.t("OVERSKREDET", "BREACHED"),
            _ => l.t("i fare", "at risk"),
        };
        b.push_str(&format!(
            "{} #{} ({}): {timer} {status}, {} {}\n  {}\n",
            l.t("sag", "ticket"),
            a.ticket,
            a.municipality,
            l.t("frist", "deadline"),
            l.datetime(a.deadline.with_timezone(tz).naive_local()),
            one_line(&a.title)
        ));
    }
    b.push_str(l.t(
        "\nSe sagerne med `frist show ID` eller i frist.\n",
        "\nSee the tickets with `frist show ID` or in frist.\n",
    ));
    Mail {
        to: to.to_vec(),
        subject,
        text: b,
        html: None,
        attachments: Vec::new(),
        message_id: message_id.to_string(),
        in_reply_to: None,
        date,
        kind: Some(MailKind::TimerAlert),
        about: alerts.iter().map(|a| (a.ticket, a.key())).collect(),
    }
}

/// The monthly service report: the HTML report as the body, with the CSV and JSON attached.
#[allow(clippy::too_many_arguments)]
pub fn report_mail(
    municipality: &str,
    month_label: &str,
    month: &str,
    html: String,
    csv: String,
    json: String,
    to: &[String],
    message_id: &str,
    date: DateTime<Utc>,
) -> Mail {
    let file = |ext: &str| format!("servicerapport-{}-{month}.{ext}", slug(municipality));
    Mail {
        to: to.to_vec(),
        subject: format!("[frist] Servicerapport {month_label} — {municipality}"),
        text: format!(
            "Til {municipality}\n\nHer er servicerapporten for {month_label}. Rapporten står i \
             mailen; tallene er vedhæftet som CSV og JSON. JSON-filen indeholder et \
             kontrolpunkt (checkpoint), som beviser, hvilken tilstand af sagsloggen rapporten \
             er lavet af.\n\nMed venlig hilsen\nsupporten\n"
        ),
        html: Some(html),
        attachments: vec![
            Attachment {
                name: file("csv"),
                content_type: "text/csv; charset=utf-8".into(),
                bytes: csv.into_bytes(),
            },
            Attachment {
                name: file("json"),
                content_type: "application/json".into(),
                bytes: json.into_bytes(),
            },
        ],
        message_id: message_id.to_string(),
        in_reply_to: None,
        date,
        kind: None,
        about: Vec::new(),
    }
}

/// A municipality's name as part of a file name: `aarhus`, `koebenhavn`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'æ' => out.push_str("ae"),
            'ø' => out.push_str("oe"),
            'å' => out.push_str("aa"),
            _ if !out.ends_with('-') && !out.is_empty() => out.push('-'),
            _ => {}
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Contract;
    use crate::ticket::{fold, Event, EventKind};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn ev(seq: u32, t: &str, kind: EventKind) -> Event {
        Event {
            ticket: 12,
            seq,
            user: "mette".into(),
            recorded: at(t),
            effective: at(t),
            kind,
        }
    }

    /// The public kritisk example: reported Monday 15:30, resolved 30 days after its deadline.
    fn late_kritisk() -> (Ticket, Evaluation, Contract) {
        let contract = Contract::default_contract();
        let events = vec![
            ev(
                0,
                "2025-03-03T14:30:00Z",
                EventKind::Reported {
                    municipality: "Aarhus".into(),
                    reporter: "Lone, IT".into(),
                    title: "Ingen kan åbne låse i hjemmeplejen".into(),
                    description: "Alle brikker afvises siden 15:20.".into(),
                    category: "kritisk".into(),
                    contract: "laasesystem".into(),
                },
            ),
            ev(
                1,
                "2025-03-03T15:50:00Z",
                EventKind::Reacted {
                    note: "Ringet til Lone".into(),
                },
            ),
            ev(
                2,
                "2025-03-07T07:00:00Z",
                EventKind::Resolved {
                    note: "Adgangsserveren genstartet; certifikatet fornyet.".into(),
                },
            ),
        ];
        let t = fold(&events).unwrap();
        let rules = crate::calendar::HolidayRules::danish();
        let cal = contract.calendar(&rules);
        let e = crate::ticket::evaluate(&t, &contract, &cal, at("2025-03-07T08:00:00Z")).unwrap();
        (t, e, contract)
    }

    #[test]
    fn the_resolution_notice_says_what_the_municipality_must_know() {
        let (t, e, c) = late_kritisk();
        let m = resolution_notice(
            &t,
            "Adgangsserveren genstartet; certifikatet fornyet.",
            &e,
            &c,
            &["lone@aarhus.dk".into()],
            "<frist.12.test@leverandor.dk>",
            at("2025-03-07T08:00:00Z"),
        );
        assert!(m.subject.starts_with("[frist #12] "), "{}", m.subject);
        insta::assert_snapshot!(m.text);
    }

    #[test]
    fn a_report_attachment_is_named_for_the_municipality() {
        assert_eq!(slug("Københavns Kommune"), "koebenhavns-kommune");
        assert_eq!(slug("Aarhus"), "aarhus");
    }
}
