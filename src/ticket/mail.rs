//! The mail frist writes about a ticket, as its events name it (`mail-sent`, `mail-failed`).

use super::EventKind;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// Why frist wrote a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailKind {
    /// To the municipality: the ticket is resolved, please accept or reject it.
    ResolutionNotice,
    /// To the municipality: a resolution still waits for its acceptance.
    AcceptanceReminder,
    /// To the assigned agent (and supervisors for a breach): a timer is at risk or breached.
    TimerAlert,
}

impl MailKind {
    pub fn label(self, l: Lang) -> &'static str {
        match self {
            MailKind::ResolutionNotice => l.t("besked om løsning", "resolution notice"),
            MailKind::AcceptanceReminder => l.t("påmindelse om accept", "acceptance reminder"),
            MailKind::TimerAlert => l.t("varsel om frist", "timer alert"),
        }
    }
}

/// How a sent mail left frist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailVia {
    /// Handed to the SMTP server, which accepted it.
    Smtp,
    /// Written as an `.eml` file into the outbox folder, for the desk's own mail client.
    Outbox,
}

impl EventKind {
    /// A mail event in words for a timeline: what was mailed, to whom, how, or why it waits.
    /// `None` for the other kinds.
    pub fn mail_summary(&self, l: Lang) -> Option<String> {
        match self {
            EventKind::MailSent {
                to,
                kind,
                via,
                subject,
                ..
            } => Some(format!(
                "{} {} {} ({}): {subject}",
                kind.label(l),
                match via {
                    MailVia::Smtp => l.t("sendt til", "sent to"),
                    MailVia::Outbox => l.t("lagt i udbakken til", "put in the outbox for"),
                },
                to.join(", "),
                match via {
                    MailVia::Smtp => "SMTP",
                    MailVia::Outbox =>
                        l.t("sendes fra eget mailprogram", "to send from a mail client"),
                }
            )),
            EventKind::MailFailed {
                to, kind, error, ..
            } => Some(format!(
                "{} {} {}: {error} — {}",
                kind.label(l),
                l.t("til", "to"),
                to.join(", "),
                l.t(
                    "ikke sendt; frist mail send prøver igen",
                    "not sent; frist mail send tries again"
                )
            )),
            _ => None,
        }
    }
}
