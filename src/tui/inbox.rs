//! Indbakke: the municipality's mail on resolved tickets that waits for the agent's decision,
//! with the text and a suggested verdict ([`crate::mail::verdict`]); `a` accepts and `x`
//! rejects the resolution with the selected mail as the written reference, in one key.

use super::action::Action;
use super::app::Effect;
use crate::i18n::Lang;
use crate::mail::verdict::Judgement;
use crate::ticket::{EventKind, TicketId};
use chrono::{DateTime, Utc};

/// One mail awaiting a decision, as the inbox shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxMail {
    pub ticket: TicketId,
    pub municipality: String,
    pub title: String,
    pub message_id: String,
    /// The sender as a verdict's `by`.
    pub by: String,
    pub subject: String,
    /// The mail's own words (the quoted notice left out).
    pub text: String,
    pub judgement: Judgement,
    /// Whether the sender is a contact of the ticket's municipality.
    pub verified: bool,
    /// A verdict's written reference: Message-ID and hash.
    pub reference: String,
    /// When the mail took effect on the ticket; the verdict takes effect then.
    pub arrived: DateTime<Utc>,
}

impl InboxMail {
    /// From the inbox as the store reads it.
    pub fn of(i: &crate::mail::inbox::Item, arrived: DateTime<Utc>) -> InboxMail {
        InboxMail {
            ticket: i.ticket.id,
            municipality: i.ticket.municipality.clone(),
            title: i.ticket.title.clone(),
            message_id: i.mail.message_id.clone(),
            by: i.mail.by(),
            subject: i.mail.subject.clone(),
            text: crate::mail::verdict::fresh_text(&i.text).trim().to_string(),
            judgement: i.judgement.clone(),
            verified: i.mail.verified(),
            reference: i.mail.reference(),
            arrived,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Inbox {
    pub mails: Vec<InboxMail>,
    pub selected: usize,
    /// Why the inbox could not be read, if it could not.
    pub error: Option<String>,
}

impl Inbox {
    /// The runner's answer to [`Effect::LoadInbox`].
    pub fn set(&mut self, r: Result<Vec<InboxMail>, String>) {
        match r {
            Ok(m) => {
                self.mails = m;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
        self.selected = self.selected.min(self.mails.len().saturating_sub(1));
    }

    pub fn current(&self) -> Option<&InboxMail> {
        self.mails.get(self.selected)
    }

    pub fn move_cursor(&mut self, delta: isize) {
        let last = self.mails.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }

    /// Accept or reject with the selected mail: the step to write, or why not. The ticket's
    /// last step is given, as the verdict may not precede it.
    pub fn decide(
        &self,
        action: Action,
        last_step: Option<DateTime<Utc>>,
        l: Lang,
    ) -> Result<Effect, String> {
        let Some(m) = self.current() else {
            return Err(l.t("indbakken er tom", "the inbox is empty").to_string());
        };
        if !m.verified {
            return Err(format!(
                "{} {}",
                crate::safe::text(&m.by),
                l.t(
                    "er ikke kontaktperson for sagens kommune, så mailen er ikke kommunens skriftlige svar (frist contact add)",
                    "is not a contact of the ticket's municipality, so the mail is not the municipality's written answer (frist contact add)"
                )
            ));
        }
        let kind = match action {
            Action::Accept => EventKind::Accepted {
                by: m.by.clone(),
                reference: m.reference.clone(),
            },
            _ => {
                let first = m
                    .text
                    .lines()
                    .map(str::trim)
                    .find(|s| !s.is_empty())
                    .unwrap_or(l.t("afvist pr. mail", "rejected by mail"));
                EventKind::Rejected {
                    by: m.by.clone(),
                    reason: format!("{first} ({})", m.reference),
                }
            }
        };
        Ok(Effect::Append {
            id: m.ticket,
            kind,
            effective: last_step.map_or(m.arrived, |s| s.max(m.arrived)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(verified: bool) -> InboxMail {
        InboxMail {
            ticket: 4,
            municipality: "Aarhus".into(),
            title: "Låse".into(),
            message_id: "m@x".into(),
            by: "Lone <lone@aarhus.dk>".into(),
            subject: "SV: [frist #4]".into(),
            text: "\nFejlen er der stadig.\nMvh".into(),
            judgement: crate::mail::verdict::judge("Fejlen er der stadig."),
            verified,
            reference: "mail <m@x> sha256:ab".into(),
            arrived: "2025-03-04T09:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn one_key_records_the_verdict_with_the_mail_as_reference() {
        let inbox = Inbox {
            mails: vec![mail(true)],
            ..Inbox::default()
        };
        let later = "2025-03-05T09:00:00Z".parse().unwrap();
        match inbox.decide(Action::Reject, Some(later), Lang::Da).unwrap() {
            Effect::Append {
                id,
                kind: EventKind::Rejected { by, reason },
                effective,
            } => {
                assert_eq!(id, 4);
                assert_eq!(by, "Lone <lone@aarhus.dk>");
                assert_eq!(reason, "Fejlen er der stadig. (mail <m@x> sha256:ab)");
                assert_eq!(effective, later);
            }
            e => panic!("{e:?}"),
        }
        assert!(matches!(
            inbox.decide(Action::Accept, None, Lang::Da),
            Ok(Effect::Append {
                kind: EventKind::Accepted { .. },
                ..
            })
        ));
    }

    #[test]
    fn an_unverified_sender_cannot_accept_for_the_municipality() {
        let inbox = Inbox {
            mails: vec![mail(false)],
            ..Inbox::default()
        };
        let e = inbox.decide(Action::Accept, None, Lang::Da).unwrap_err();
        assert!(e.contains("ikke kontaktperson"), "{e}");
        assert!(Inbox::default()
            .decide(Action::Accept, None, Lang::Da)
            .is_err());
    }
}
