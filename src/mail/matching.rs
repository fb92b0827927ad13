//! Which ticket an incoming mail belongs to, and whether its sender speaks for that ticket's
//! municipality.
//!
//! A mail answers a ticket when its In-Reply-To or References name a Message-ID recorded on
//! the ticket (a notice frist sent, or a mail imported earlier): any event of the ticket with
//! a `message_id` counts. Else its subject's `[frist #ID]` tag names the ticket. A mail that
//! matches no ticket and comes from a registered contact becomes a suggested new ticket for
//! the contact's municipality; one from nobody known is left out.
//!
//! Pure: the lookups are given.

use super::{MatchedBy, Parsed, SenderCheck};
use crate::contact::Book;
use crate::ticket::TicketId;

/// Where a mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// On this ticket.
    Ticket {
        id: TicketId,
        by: MatchedBy,
        sender: SenderCheck,
        /// The municipality the sender is a contact of, when it is another one's.
        sender_municipality: String,
    },
    /// A suggested new ticket for the sender's municipality.
    Suggest { municipality: String },
    /// Matched no ticket and the sender is no contact: not imported.
    Unmatched,
}

/// Checks a sender against the contacts of the ticket's municipality.
pub fn check_sender(book: &Book, municipality: &str, from: &str) -> (SenderCheck, String) {
    if book.find(municipality, from).is_some() {
        return (SenderCheck::Contact, String::new());
    }
    match book.by_address(from).next() {
        Some(c) => (SenderCheck::OtherMunicipality, c.municipality.clone()),
        None => (SenderCheck::Unknown, String::new()),
    }
}

/// Places a mail. `ticket_of` finds the ticket carrying a Message-ID; `municipality_of` a
/// ticket's municipality (`None`: no such ticket).
pub fn place(
    mail: &Parsed,
    book: &Book,
    ticket_of: &dyn Fn(&str) -> Option<TicketId>,
    municipality_of: &dyn Fn(TicketId) -> Option<String>,
) -> Placement {
    let found = mail
        .answers
        .iter()
        .find_map(|id| ticket_of(id))
        .and_then(|t| municipality_of(t).map(|m| (t, m, MatchedBy::Reply)))
        .or_else(|| {
            super::subject_tag(&mail.subject)
                .and_then(|t| municipality_of(t).map(|m| (t, m, MatchedBy::SubjectTag)))
        });
    if let Some((id, municipality, by)) = found {
        let (sender, sender_municipality) = check_sender(book, &municipality, &mail.from);
        return Placement::Ticket {
            id,
            by,
            sender,
            sender_municipality,
        };
    }
    match book.by_address(&mail.from).next() {
        Some(c) => Placement::Suggest {
            municipality: c.municipality.clone(),
        },
        None => Placement::Unmatched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::{Event, EventKind, LOG_STREAM};

    fn book() -> Book {
        let t = "2025-03-01T09:00:00Z".parse().unwrap();
        let ev = |seq, m: &str, e: &str| Event {
            ticket: LOG_STREAM,
            seq,
            user: "mette".into(),
            recorded: t,
            effective: t,
            kind: EventKind::ContactAdded {
                municipality: m.into(),
                name: "N".into(),
                email: e.into(),
                phone: String::new(),
            },
        };
        Book::fold(&[
            ev(0, "Aarhus", "lone@aarhus.dk"),
            ev(1, "Odense", "ib@odense.dk"),
        ])
    }

    fn mail(from: &str, subject: &str, answers: &[&str]) -> Parsed {
        Parsed {
            raw: Vec::new(),
            sha256: String::new(),
            message_id: "m@x".into(),
            answers: answers.iter().map(|s| s.to_string()).collect(),
            from: from.into(),
            from_name: String::new(),
            subject: subject.into(),
            date: None,
            text: String::new(),
        }
    }

    fn at(m: &Parsed) -> Placement {
        let ticket_of = |id: &str| (id == "notice-3@frist").then_some(3);
        let municipality_of = |t: TicketId| match t {
            3 => Some("Aarhus".to_string()),
            5 => Some("Odense".to_string()),
            _ => None,
        };
        place(m, &book(), &ticket_of, &municipality_of)
    }

    #[test]
    fn a_reply_to_a_notice_goes_to_its_ticket_before_any_subject_tag() {
        let p = at(&mail(
            "Lone@Aarhus.dk",
            "SV: [frist #5] Løst",
            &["other@x", "notice-3@frist"],
        ));
        assert_eq!(
            p,
            Placement::Ticket {
                id: 3,
                by: MatchedBy::Reply,
                sender: SenderCheck::Contact,
                sender_municipality: String::new()
            }
        );
    }

    #[test]
    fn a_subject_tag_places_it_and_a_foreign_or_unknown_sender_is_flagged() {
        let p = at(&mail("lone@aarhus.dk", "Re: [frist #5] Løst", &[]));
        assert_eq!(
            p,
            Placement::Ticket {
                id: 5,
                by: MatchedBy::SubjectTag,
                sender: SenderCheck::OtherMunicipality,
                sender_municipality: "Aarhus".into()
            }
        );
        let p = at(&mail("mallory@evil.dk", "Re: [frist #5] Løst", &[]));
        assert!(matches!(
            p,
            Placement::Ticket {
                sender: SenderCheck::Unknown,
                ..
            }
        ));
    }

    #[test]
    fn an_unmatched_mail_is_a_suggestion_from_a_contact_and_nothing_from_a_stranger() {
        assert_eq!(
            at(&mail("ib@odense.dk", "Printeren virker ikke", &[])),
            Placement::Suggest {
                municipality: "Odense".into()
            }
        );
        // A tag naming no ticket is no match.
        assert_eq!(
            at(&mail("x@y.dk", "[frist #99] hej", &[])),
            Placement::Unmatched
        );
    }
}
