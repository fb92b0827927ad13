//! Tickets as events. A ticket's state is a fold over its append-only events; the rules of
//! domain §4 decide deadlines, statuses and fines from that state (see [`evaluate`]).
//!
//! Pure: no clock, no disk. Lifecycle checks take `now` as an argument.

mod eval;
mod mail;

use crate::i18n::Lang;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
pub use eval::{evaluate, Evaluation, TimerEval};
pub use mail::{MailKind, MailVia};
use serde::{Deserialize, Serialize};
use std::fmt;

pub type TicketId = u64;

/// The log's own stream of events: what belongs to the whole log rather than to one ticket
/// (the municipalities' contacts). Its events carry this id in place of a ticket's, number
/// 0, 1, 2, … like a ticket's and are linked into the same audit chain; no ticket has id 0.
pub const LOG_STREAM: TicketId = 0;

/// Who set a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClassifiedBy {
    /// The classifier's suggestion, accepted as it was.
    Auto,
    /// An agent chose or confirmed it.
    Agent,
}

/// What happened. Serialized with a `type` tag in kebab-case; this is the log's vocabulary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum EventKind {
    /// The municipality reported a fault; always the first event.
    Reported {
        municipality: String,
        #[serde(default)]
        reporter: String,
        title: String,
        #[serde(default)]
        description: String,
        category: String,
        contract: String,
    },
    /// The category was set at creation (by the classifier or an agent).
    Classified {
        category: String,
        by: ClassifiedBy,
        #[serde(default)]
        confidence: Option<f64>,
        #[serde(default)]
        reasons: Vec<String>,
    },
    /// An agent changed the category; both deadlines are recomputed from the report.
    Reclassified {
        from: String,
        to: String,
        reason: String,
    },
    /// The vendor contacted the municipality with a diagnosis and a plan.
    Reacted {
        #[serde(default)]
        note: String,
    },
    /// Waiting for the municipality; paused time does not count.
    Paused {
        reason: String,
    },
    Resumed,
    /// Fixed, or a workaround shown; waits for the municipality's written acceptance.
    Resolved {
        #[serde(default)]
        note: String,
    },
    /// The municipality accepted the resolution in writing; the ticket closes.
    Accepted {
        by: String,
        reference: String,
    },
    /// The municipality rejected the resolution; the ticket reopens.
    Rejected {
        by: String,
        reason: String,
    },
    Note {
        text: String,
    },
    /// The ticket was given to an agent (a login in team mode, a name on a local log).
    Assigned {
        to: String,
    },
    /// The report instant was wrong; deadlines are recomputed from the corrected one.
    ReportTimeCorrected {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        reason: String,
    },
    /// frist mailed someone about the ticket (or wrote the message into the outbox for the
    /// desk's own mail client). A reply names `message_id` in In-Reply-To/References.
    MailSent {
        message_id: String,
        to: Vec<String>,
        subject: String,
        kind: MailKind,
        via: MailVia,
        /// What the mail was about, so that a rerun sends nothing twice: the timer and status
        /// of an alert (`resolution:breached`), empty for a notice or a reminder.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        key: String,
    },
    /// A mail could not be sent. The whole message is kept here, in the log, until
    /// `frist mail send` (or the next run that sends mail) delivers it as a `mail-sent` with the
    /// same `message_id`.
    MailFailed {
        message_id: String,
        to: Vec<String>,
        subject: String,
        kind: MailKind,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        key: String,
        error: String,
        /// The message as it would have gone out (RFC 5322).
        raw: String,
    },
    /// A municipality's contact person was registered (the log's own stream, [`LOG_STREAM`]).
    ContactAdded {
        municipality: String,
        name: String,
        email: String,
        #[serde(default)]
        phone: String,
    },
    /// A municipality's contact person was taken off the list (the log's own stream).
    ContactRemoved {
        municipality: String,
        email: String,
    },
    /// A mail came in about the ticket (`frist mail import`): its raw bytes unchanged, as
    /// written evidence. Takes effect when it arrived (its `Date`, kept within the ticket's
    /// steps and now); like a step, it moves the ticket's last instant (as the database's
    /// fold does for every kind it does not name).
    MailReceived(Box<crate::mail::Received>),
    /// A mail from a contact matched no ticket: a suggested new ticket for an agent to
    /// confirm (`frist mail confirm`) or dismiss (the log's own stream).
    MailSuggested(Box<crate::mail::Received>),
    /// An agent dismissed a suggested new ticket (the log's own stream).
    MailDismissed {
        message_id: String,
        reason: String,
    },
    // --- Corrections (issue 13; PostgreSQL migration 0002_corrections.sql). Nothing stored is
    // changed: a mistake is mended by one of these, and both stay in the log (domain §9).
    /// An earlier step (a reaction, pause, resumption, resolution, acceptance or rejection) is
    /// withdrawn; the fold undoes it. Only the latest step still in force can be withdrawn, so
    /// nothing later builds on it (see [`retraction`]).
    Retracted {
        /// The `seq` of the withdrawn event.
        retracts: u32,
        /// Its kind (`resolved`, …), so that a reader of the log sees what went.
        step: String,
        /// The ticket's state before the withdrawn step, which it returns to.
        restores: State,
        reason: String,
    },
    /// The report's text is mended; only the fields given change.
    Edited {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reporter: Option<String>,
        reason: String,
    },
    /// A supervisor disputes the ticket's breach (the vendor does not accept the fine as it
    /// stands); shown in the breaches and the report with the reason.
    BreachDisputed {
        reason: String,
    },
}

impl EventKind {
    /// What happened, in words.
    pub fn label(&self, l: Lang) -> &'static str {
        use EventKind as K;
        match self {
            K::Reported { .. } => l.t("anmeldt", "reported"),
            K::Classified { .. } => l.t("klassificeret", "classified"),
            K::Reclassified { .. } => l.t("kategori skiftet", "reclassified"),
            K::Reacted { .. } => l.t("reaktion registreret", "reaction recorded"),
            K::Paused { .. } => l.t("sat på pause", "paused"),
            K::Resumed => l.t("genoptaget", "resumed"),
            K::Resolved { .. } => l.t(
                "løst, afventer kommunens accept",
                "resolved, awaiting acceptance",
            ),
            K::Accepted { .. } => l.t("accepteret og lukket", "accepted and closed"),
            K::Rejected { .. } => l.t("afvist og genåbnet", "rejected and reopened"),
            K::Note { .. } => l.t("bemærkning tilføjet", "note added"),
            K::Assigned { .. } => l.t("tildelt", "assigned"),
            K::ReportTimeCorrected { .. } => l.t("anmeldelsestid rettet", "report time corrected"),
            K::MailSent { .. } => l.t("mail sendt", "mail sent"),
            K::MailFailed { .. } => l.t(
                "mail ikke sendt, venter i køen",
                "mail not sent, waiting in the queue",
            ),
            K::ContactAdded { .. } => l.t("kontaktperson tilføjet", "contact added"),
            K::ContactRemoved { .. } => l.t("kontaktperson fjernet", "contact removed"),
            K::MailReceived(_) => l.t("mail modtaget", "mail received"),
            K::MailSuggested(_) => l.t("mail foreslået som ny sag", "mail suggested as a ticket"),
            K::MailDismissed { .. } => l.t("forslag afvist", "suggestion dismissed"),
            K::Retracted { .. } => l.t("skridt trukket tilbage", "step retracted"),
            K::Edited { .. } => l.t("sagens tekst rettet", "text edited"),
            K::BreachDisputed { .. } => l.t("brud bestridt", "breach disputed"),
        }
    }

    /// The kebab-case name used in the log and in messages.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Reported { .. } => "reported",
            EventKind::Classified { .. } => "classified",
            EventKind::Reclassified { .. } => "reclassified",
            EventKind::Reacted { .. } => "reacted",
            EventKind::Paused { .. } => "paused",
            EventKind::Resumed => "resumed",
            EventKind::Resolved { .. } => "resolved",
            EventKind::Accepted { .. } => "accepted",
            EventKind::Rejected { .. } => "rejected",
            EventKind::Note { .. } => "note",
            EventKind::Assigned { .. } => "assigned",
            EventKind::ReportTimeCorrected { .. } => "report-time-corrected",
            EventKind::MailSent { .. } => "mail-sent",
            EventKind::MailFailed { .. } => "mail-failed",
            EventKind::ContactAdded { .. } => "contact-added",
            EventKind::ContactRemoved { .. } => "contact-removed",
            EventKind::MailReceived(_) => "mail-received",
            EventKind::MailSuggested(_) => "mail-suggested",
            EventKind::MailDismissed { .. } => "mail-dismissed",
            EventKind::Retracted { .. } => "retracted",
            EventKind::Edited { .. } => "edited",
            EventKind::BreachDisputed { .. } => "breach-disputed",
        }
    }

    /// Whether the event belongs to the log's own stream ([`LOG_STREAM`]), never to a ticket.
    pub fn is_log_level(&self) -> bool {
        matches!(
            self,
            EventKind::ContactAdded { .. }
                | EventKind::ContactRemoved { .. }
                | EventKind::MailSuggested(_)
                | EventKind::MailDismissed { .. }
        )
    }

    /// The municipality a log-level event concerns (what a municipality's login may read in
    /// team mode); empty for one that concerns none.
    pub fn log_municipality(&self) -> &str {
        match self {
            EventKind::ContactAdded { municipality, .. }
            | EventKind::ContactRemoved { municipality, .. } => municipality,
            _ => "",
        }
    }

    /// What a correction says, in words, for a timeline (the CLI's `show`, the TUI's detail
    /// view and the report); `None` for every other kind.
    pub fn correction_text(&self, l: Lang) -> Option<String> {
        match self {
            EventKind::Retracted {
                retracts,
                step,
                restores,
                reason,
            } => {
                let step = match step.as_str() {
                    "reacted" => l.t("reaktionen", "the reaction"),
                    "paused" => l.t("pausen", "the pause"),
                    "resumed" => l.t("genoptagelsen", "the resumption"),
                    "resolved" => l.t("løsningen", "the resolution"),
                    "accepted" => l.t("accepten", "the acceptance"),
                    "rejected" => l.t("afvisningen", "the rejection"),
                    other => other,
                };
                Some(match l {
                    Lang::Da => format!(
                        "{step} (nr. {retracts}) trukket tilbage, sagen er igen {}: {reason}",
                        restores.label(l)
                    ),
                    Lang::En => format!(
                        "{step} (event {retracts}) retracted, the ticket is {} again: {reason}",
                        restores.label(l)
                    ),
                })
            }
            EventKind::Edited {
                title,
                description,
                reporter,
                reason,
            } => {
                let mut parts = Vec::new();
                if let Some(t) = title {
                    parts.push(format!("{} «{t}»", l.t("titel", "title")));
                }
                if description.is_some() {
                    parts.push(l.t("beskrivelse rettet", "description mended").to_string());
                }
                if let Some(r) = reporter {
                    parts.push(format!("{} «{r}»", l.t("anmelder", "reporter")));
                }
                Some(format!("{}: {reason}", parts.join(", ")))
            }
            EventKind::BreachDisputed { reason } => Some(reason.clone()),
            _ => None,
        }
    }

    /// Whether the event moves the lifecycle (and so must not go back in time).
    fn is_lifecycle(&self) -> bool {
        !matches!(
            self,
            EventKind::Note { .. }
                | EventKind::Assigned { .. }
                | EventKind::Classified { .. }
                | EventKind::Reclassified { .. }
                | EventKind::MailSent { .. }
                | EventKind::MailFailed { .. }
                | EventKind::ContactAdded { .. }
                | EventKind::ContactRemoved { .. }
                | EventKind::MailSuggested(_)
                | EventKind::MailDismissed { .. }
                | EventKind::Retracted { .. }
                | EventKind::Edited { .. }
                | EventKind::BreachDisputed { .. }
        )
    }

    /// Whether a later step may build on this one: the steps [`retraction`] can withdraw.
    fn is_retractable(&self) -> bool {
        matches!(
            self,
            EventKind::Reacted { .. }
                | EventKind::Paused { .. }
                | EventKind::Resumed
                | EventKind::Resolved { .. }
                | EventKind::Accepted { .. }
                | EventKind::Rejected { .. }
        )
    }
}

/// One entry of a ticket's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub ticket: TicketId,
    /// 0 for `reported`, then 1, 2, …
    pub seq: u32,
    /// The acting user.
    pub user: String,
    /// When it was written down.
    pub recorded: DateTime<Utc>,
    /// When it took effect (`--at`); never in the future, never before the report.
    pub effective: DateTime<Utc>,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// How long after a step took effect it may be written down before the timeline and the
/// monthly report mark it as recorded late (domain §4.8): the municipality may dispute a step
/// that was logged long after the fact.
pub const LATE_RECORDING: chrono::TimeDelta = chrono::TimeDelta::hours(1);

impl Event {
    /// How much later than it took effect the step was recorded, when that is more than
    /// [`LATE_RECORDING`].
    pub fn recorded_late(&self) -> Option<chrono::TimeDelta> {
        let lag = self.recorded - self.effective;
        (lag > LATE_RECORDING).then_some(lag)
    }
}

/// A ticket's place in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Open,
    Reacted,
    Paused,
    Resolved,
    Closed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Reacted => "reacted",
            State::Paused => "paused",
            State::Resolved => "resolved",
            State::Closed => "closed",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pause and its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PauseSpan {
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub reason: String,
}

/// A written acceptance or rejection by the municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub at: DateTime<Utc>,
    pub by: String,
    /// The written reference (acceptance) or the reason (rejection).
    pub text: String,
}

/// A ticket's current state: the fold of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub municipality: String,
    pub reporter: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub contract: String,
    pub reported: DateTime<Utc>,
    pub state: State,
    /// The first reaction; it stays valid when a rejection reopens the ticket.
    pub reacted: Option<DateTime<Utc>>,
    /// The resolution that currently counts (cleared by a rejection).
    pub resolved: Option<DateTime<Utc>>,
    /// Earlier resolutions the municipality rejected.
    pub rejected_resolutions: Vec<DateTime<Utc>>,
    pub pauses: Vec<PauseSpan>,
    pub accepted: Option<Verdict>,
    pub rejections: Vec<Verdict>,
    /// Effective instant of the last lifecycle event; later ones may not precede it.
    pub last_effective: DateTime<Utc>,
    /// The agent the ticket is assigned to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Number of events folded.
    pub events: u32,
    /// The free text written after the report, oldest first: notes and the reaction's and
    /// resolutions' notes (what a search looks in besides the title and description).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The latest dispute of the ticket's breach by a supervisor (`by` is the supervisor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disputed: Option<Verdict>,
    /// The Message-IDs of mails about the ticket that failed and are not sent yet (the board
    /// shows them; `frist mail send` retries them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mail_unsent: Vec<String>,
}

/// A step the lifecycle refuses, with the ticket's state and what is possible. `Display` is
/// English with UTC times; [`LifecycleError::message`] speaks the user's language and time zone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(Lang::En, &chrono_tz::UTC))]
pub struct LifecycleError {
    pub ticket: TicketId,
    pub state: State,
    pub refusal: Refusal,
    /// The steps possible now, by command name.
    pub possible: Vec<&'static str>,
}

/// Why the lifecycle refuses a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    InFuture {
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    BeforeReport {
        at: DateTime<Utc>,
        reported: DateTime<Utc>,
    },
    BeforeLastStep {
        at: DateTime<Utc>,
        last: DateTime<Utc>,
    },
    AlreadyReported,
    ClassifiedOnce,
    WrongCategory {
        has: String,
        given: String,
    },
    SameCategory(String),
    ReclassifyNeedsReason,
    PauseNeedsReason,
    AlreadyReacted,
    /// The step is not possible in the ticket's state.
    NotNow(Step),
    AcceptanceNotWritten,
    RejectionIncomplete,
    AssignNeedsSomeone,
    WrongReportTime {
        is: DateTime<Utc>,
        given: DateTime<Utc>,
    },
    CorrectionNeedsReason,
    CorrectedInFuture,
    CorrectedAfterFirstStep {
        to: DateTime<Utc>,
        first: DateTime<Utc>,
    },
    /// A log-level event (a contact, a suggested ticket) is not a step on a ticket.
    NotATicketStep,
    /// A retraction, an edit or a dispute without its reason.
    CorrectionUnexplained,
    /// The ticket has no event with this number.
    NoSuchEvent(u32),
    /// This kind of event is not withdrawn but corrected another way.
    NotRetractable {
        seq: u32,
        kind: &'static str,
    },
    AlreadyRetracted {
        seq: u32,
        by: u32,
    },
    /// A later step still in force builds on the one to withdraw.
    BuiltOn {
        seq: u32,
        later: u32,
        kind: &'static str,
    },
    /// An edit that changes nothing (no field given, or each as it already is).
    NothingEdited,
    EmptyTitle,
}

/// The steps an agent takes on a ticket after its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    React,
    Pause,
    Resume,
    Resolve,
    Accept,
    Reject,
    Reclassify,
    Note,
    CorrectReportTime,
    Assign,
    /// Corrections (offered from a ticket's detail view): withdraw a step, mend the text,
    /// dispute the breach.
    Retract,
    Edit,
    Dispute,
}

impl State {
    /// The state in words.
    pub fn label(self, l: Lang) -> &'static str {
        match self {
            State::Open => l.t("åben", "open"),
            State::Reacted => l.t("reageret", "reacted"),
            State::Paused => l.t("på pause", "paused"),
            State::Resolved => l.t(
                "løst, afventer kommunens accept",
                "resolved, awaiting acceptance",
            ),
            State::Closed => l.t("lukket", "closed"),
        }
    }

    /// The state in a table's column: shorter than [`State::label`].
    pub fn short_label(self, l: Lang) -> &'static str {
        match self {
            State::Resolved => l.t("løst, afventer", "resolved, awaiting"),
            _ => self.label(l),
        }
    }
}

/// Where a refusal is read. The command line names its flags and commands; a form in the TUI
/// names its own fields and steps, never a flag the agent cannot type there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Cli,
    Form,
}

impl Step {
    /// The command that takes this step (`frist react`, …) and its name in [`Ticket::possible`].
    pub fn command(self) -> &'static str {
        match self {
            Step::React => "react",
            Step::Pause => "pause",
            Step::Resume => "resume",
            Step::Resolve => "resolve",
            Step::Accept => "accept",
            Step::Reject => "reject",
            Step::Reclassify => "reclassify",
            Step::Note => "note",
            Step::CorrectReportTime => "correct-report-time",
            Step::Assign => "assign",
            Step::Retract => "retract",
            Step::Edit => "edit",
            Step::Dispute => "dispute",
        }
    }

    /// The step in words, lower-case, for running text: `registrér reaktion`.
    pub fn words(self, l: Lang) -> &'static str {
        match self {
            Step::React => l.t("registrér reaktion", "record the reaction"),
            Step::Pause => l.t("sæt på pause", "pause"),
            Step::Resume => l.t("genoptag", "resume"),
            Step::Resolve => l.t("løs sagen", "resolve"),
            Step::Accept => l.t("kommunens accept", "acceptance"),
            Step::Reject => l.t("kommunens afvisning", "rejection"),
            Step::Reclassify => l.t("skift kategori", "reclassify"),
            Step::Note => l.t("tilføj bemærkning", "add a note"),
            Step::CorrectReportTime => l.t("ret anmeldelsestidspunktet", "correct the report time"),
            Step::Assign => l.t("tildel sagen", "assign"),
            Step::Retract => l.t("træk et skridt tilbage", "retract a step"),
            Step::Edit => l.t("ret sagens tekst", "edit the text"),
            Step::Dispute => l.t("bestrid bruddet", "dispute the breach"),
        }
    }

    /// Whether the step corrects the log rather than moving the ticket (never in
    /// [`Ticket::possible`]; offered from the detail view).
    pub fn is_correction(self) -> bool {
        matches!(self, Step::Retract | Step::Edit | Step::Dispute)
    }

    pub const ALL: [Step; 13] = [
        Step::React,
        Step::Pause,
        Step::Resume,
        Step::Resolve,
        Step::Accept,
        Step::Reject,
        Step::Reclassify,
        Step::Note,
        Step::CorrectReportTime,
        Step::Assign,
        Step::Retract,
        Step::Edit,
        Step::Dispute,
    ];
}

impl LifecycleError {
    /// The refusal in the user's language, times in `tz`, for the command line.
    pub fn message(&self, l: Lang, tz: &Tz) -> String {
        self.message_on(l, tz, Surface::Cli)
    }

    /// The refusal in the user's language, times in `tz`, worded for where it is read.
    pub fn message_on(&self, l: Lang, tz: &Tz, surface: Surface) -> String {
        let cli = surface == Surface::Cli;
        // A flag on the command line; nothing in a form, whose field is in front of the agent.
        let flag = |f: &str| {
            if cli {
                format!(" ({f})")
            } else {
                String::new()
            }
        };
        let at = |t: &DateTime<Utc>| match l {
            Lang::Da => l.datetime(t.with_timezone(tz).naive_local()),
            Lang::En if *tz == chrono_tz::UTC => t.format("%Y-%m-%d %H:%M UTC").to_string(),
            Lang::En => l.datetime(t.with_timezone(tz).naive_local()),
        };
        let id = self.ticket;
        let possible = if self.possible.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = if cli {
                self.possible.clone()
            } else {
                self.possible
                    .iter()
                    .filter_map(|n| Step::ALL.iter().find(|s| s.command() == *n))
                    .map(|s| s.words(l))
                    .collect()
            };
            format!(
                "; {} {}",
                l.t("muligt nu:", "possible now:"),
                names.join(", ")
            )
        };
        let state = self.state.label(l);
        match (&self.refusal, l) {
            (Refusal::InFuture { at: a, now }, Lang::Da) => format!(
                "tidspunktet {} ligger i fremtiden (nu er {}); angiv et tidspunkt der er passeret, eller {}",
                at(a), at(now), if cli { "udelad --at" } else { "lad tidspunktet stå tomt (= nu)" }
            ),
            (Refusal::InFuture { at: a, now }, Lang::En) => format!(
                "the time {} lies in the future (now is {}); give a time that has passed, or {}",
                at(a), at(now), if cli { "leave out --at" } else { "leave the time empty (= now)" }
            ),
            (Refusal::BeforeReport { at: a, reported }, Lang::Da) => format!(
                "tidspunktet {} ligger før anmeldelsen ({}); et skridt kan ikke komme før anmeldelsen",
                at(a), at(reported)
            ),
            (Refusal::BeforeReport { at: a, reported }, Lang::En) => format!(
                "the time {} lies before the report ({}); a step cannot precede the report",
                at(a), at(reported)
            ),
            (Refusal::BeforeLastStep { at: a, last }, Lang::Da) => format!(
                "tidspunktet {} ligger før sagens seneste skridt ({}); skridt registreres i rækkefølge",
                at(a), at(last)
            ),
            (Refusal::BeforeLastStep { at: a, last }, Lang::En) => format!(
                "the time {} lies before the ticket's last step ({}); steps are recorded in order",
                at(a), at(last)
            ),
            (Refusal::AlreadyReported, Lang::Da) => format!("sag {id} er allerede anmeldt"),
            (Refusal::AlreadyReported, Lang::En) => format!("ticket {id} is already reported"),
            (Refusal::ClassifiedOnce, _) => format!(
                "{} {}",
                l.t(
                    "en sag klassificeres én gang, ved oprettelsen; brug",
                    "a ticket is classified once, at creation; use",
                ),
                if cli {
                    l.t("reclassify med en begrundelse", "reclassify with a reason")
                } else {
                    l.t("skift kategori med en begrundelse", "reclassify with a reason")
                }
            ),
            (Refusal::WrongCategory { has, given }, Lang::Da) => {
                format!("sag {id} har kategori {has}, ikke {given}")
            }
            (Refusal::WrongCategory { has, given }, Lang::En) => {
                format!("ticket {id} has category {has}, not {given}")
            }
            (Refusal::SameCategory(c), Lang::Da) => format!("sag {id} har allerede kategori {c}"),
            (Refusal::SameCategory(c), Lang::En) => format!("ticket {id} already has category {c}"),
            (Refusal::ReclassifyNeedsReason, _) => format!(
                "{}{}",
                l.t("et skift af kategori kræver en begrundelse", "a reclassification needs a reason"),
                flag("--reason")
            ),
            (Refusal::PauseNeedsReason, _) => format!(
                "{}{}{}",
                l.t("en pause kræver en begrundelse", "a pause needs a reason"),
                flag("--reason"),
                l.t(", for kommunen kan bestride den", ", because the municipality may dispute it")
            ),
            (Refusal::AlreadyReacted, Lang::Da) => format!(
                "sag {id} er {state}: reaktionen er allerede registreret{possible}"
            ),
            (Refusal::AlreadyReacted, Lang::En) => format!(
                "ticket {id} is {state}: the reaction was already recorded{possible}"
            ),
            (Refusal::NotNow(step), Lang::Da) => {
                let what = match step {
                    Step::React => "reagere",
                    Step::Pause => "sætte på pause",
                    Step::Resume => "genoptage (den er ikke på pause)",
                    Step::Resolve => "løse",
                    Step::Accept => "registrere kommunens accept (kun en løst sag kan accepteres)",
                    Step::Reject => "afvise (kun en løst sag kan afvises)",
                    Step::Reclassify => "omklassificere",
                    Step::Note => "tilføje en bemærkning",
                    Step::Assign => "tildele den (den er lukket)",
                    Step::Retract => "trække et skridt tilbage",
                    Step::Edit => "rette teksten",
                    Step::Dispute => "bestride bruddet",
                    Step::CorrectReportTime => "rette anmeldelsestidspunktet",
                };
                format!("sag {id} er {state}: kan ikke {what}{possible}")
            }
            (Refusal::NotNow(step), Lang::En) => {
                let what = match step {
                    Step::React => "react",
                    Step::Pause => "pause",
                    Step::Resume => "resume (it is not paused)",
                    Step::Resolve => "resolve",
                    Step::Accept => "accept (only a resolved ticket can be accepted)",
                    Step::Reject => "reject (only a resolved ticket can be rejected)",
                    Step::Reclassify => "reclassify",
                    Step::Note => "add a note",
                    Step::Assign => "assign it (it is closed)",
                    Step::Retract => "retract a step",
                    Step::Edit => "edit the text",
                    Step::Dispute => "dispute the breach",
                    Step::CorrectReportTime => "correct the report time",
                };
                format!("ticket {id} is {state}: cannot {what}{possible}")
            }
            (Refusal::AcceptanceNotWritten, _) => format!(
                "{}{} {}{}",
                l.t(
                    "kommunens accept skal være skriftlig: angiv hvem der accepterede",
                    "an acceptance must be written: give who accepted",
                ),
                flag("--by"),
                l.t("og den skriftlige reference", "and the written reference"),
                flag("--ref")
            ),
            (Refusal::AssignNeedsSomeone, _) => format!(
                "{}{}",
                l.t("angiv hvem sagen tildeles", "give who the ticket is assigned to"),
                flag("--to")
            ),
            (Refusal::RejectionIncomplete, _) => format!(
                "{}{} {}{}",
                l.t("en afvisning kræver hvem der afviste", "a rejection needs who rejected"),
                flag("--by"),
                l.t("og en begrundelse", "and a reason"),
                flag("--reason")
            ),
            (Refusal::WrongReportTime { is, given }, Lang::Da) => {
                format!("anmeldelsestidspunktet er {}, ikke {}", at(is), at(given))
            }
            (Refusal::WrongReportTime { is, given }, Lang::En) => {
                format!("the report time is {}, not {}", at(is), at(given))
            }
            (Refusal::CorrectionNeedsReason, _) => format!(
                "{}{}",
                l.t(
                    "en rettelse af anmeldelsestidspunktet kræver en begrundelse",
                    "a correction of the report time needs a reason",
                ),
                flag("--reason")
            ),
            (Refusal::CorrectedInFuture, _) => l.t(
                "det rettede anmeldelsestidspunkt ligger i fremtiden",
                "the corrected report time lies in the future",
            ).into(),
            (Refusal::CorrectedAfterFirstStep { to, first }, Lang::Da) => format!(
                "det rettede anmeldelsestidspunkt {} ligger efter sagens første skridt ({}); det skal ligge før",
                at(to), at(first)
            ),
            (Refusal::CorrectedAfterFirstStep { to, first }, Lang::En) => format!(
                "the corrected report time {} lies after the ticket's first step ({}); it must come before",
                at(to), at(first)
            ),
            (Refusal::NotATicketStep, _) => l.t(
                "en kontaktperson hører til kommunen, ikke til en sag; brug `frist contact`",
                "a contact belongs to the municipality, not to a ticket; use `frist contact`",
            ).into(),
            (Refusal::CorrectionUnexplained, _) => format!(
                "{}{}",
                l.t(
                    "en rettelse kræver en begrundelse, for den står i revisionssporet",
                    "a correction needs a reason, as it stays in the audit trail",
                ),
                flag("--reason")
            ),
            (Refusal::NoSuchEvent(seq), Lang::Da) => format!(
                "sag {id} har ingen hændelse nr. {seq}; se numrene med `frist show {id}`"
            ),
            (Refusal::NoSuchEvent(seq), Lang::En) => format!(
                "ticket {id} has no event number {seq}; see the numbers with `frist show {id}`"
            ),
            (Refusal::NotRetractable { seq, kind }, _) => {
                let how = match (*kind, cli) {
                    ("reported", true) => l.t("ret anmeldelsen med edit eller correct-report-time", "mend the report with edit or correct-report-time"),
                    ("reported", false) => l.t("ret sagens tekst eller anmeldelsestidspunktet", "edit the text or correct the report time"),
                    ("classified" | "reclassified", true) => l.t("skift kategori med reclassify", "change the category with reclassify"),
                    ("classified" | "reclassified", false) => l.t("skift kategori", "reclassify"),
                    ("assigned", _) => l.t("tildel sagen igen", "assign the ticket again"),
                    ("note", _) => l.t("en bemærkning bliver stående; tilføj en ny, der retter den", "a note stays; add one that corrects it"),
                    ("report-time-corrected", _) => l.t("ret anmeldelsestidspunktet igen", "correct the report time again"),
                    _ => l.t("en rettelse trækkes ikke tilbage; registrér skridtet igen", "a correction is not withdrawn; record the step again"),
                };
                match l {
                    Lang::Da => format!("hændelse nr. {seq} i sag {id} ({kind}) kan ikke trækkes tilbage: {how}"),
                    Lang::En => format!("event {seq} of ticket {id} ({kind}) cannot be retracted: {how}"),
                }
            }
            (Refusal::AlreadyRetracted { seq, by }, Lang::Da) => format!(
                "hændelse nr. {seq} i sag {id} er allerede trukket tilbage (hændelse nr. {by})"
            ),
            (Refusal::AlreadyRetracted { seq, by }, Lang::En) => format!(
                "event {seq} of ticket {id} was already retracted (event {by})"
            ),
            (Refusal::BuiltOn { seq, later, kind }, Lang::Da) => format!(
                "hændelse nr. {later} ({kind}) bygger på hændelse nr. {seq} i sag {id}; træk nr. {later} tilbage først"
            ),
            (Refusal::BuiltOn { seq, later, kind }, Lang::En) => format!(
                "event {later} ({kind}) builds on event {seq} of ticket {id}; retract event {later} first"
            ),
            (Refusal::NothingEdited, _) => format!(
                "{}{}",
                l.t("rettelsen ændrer intet; angiv den nye tekst", "the edit changes nothing; give the new text"),
                if cli { " (--title, --description, --reporter)" } else { "" }
            ),
            (Refusal::EmptyTitle, _) => l.t("en sag skal have en titel", "a ticket needs a title").into(),
        }
    }
}

impl Ticket {
    /// The steps an agent can take now, by event name.
    pub fn possible(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        match self.state {
            State::Open => v.extend(["react", "pause", "resolve"]),
            State::Reacted => v.extend(["pause", "resolve"]),
            State::Paused if self.reacted.is_none() => v.extend(["react", "resume", "resolve"]),
            State::Paused => v.extend(["resume", "resolve"]),
            State::Resolved => v.extend(["accept", "reject"]),
            State::Closed => {}
        }
        if self.state != State::Closed {
            v.extend(["reclassify", "correct-report-time", "assign"]);
        }
        v.push("note");
        v
    }

    fn refuse(&self, refusal: Refusal) -> LifecycleError {
        LifecycleError {
            ticket: self.id,
            state: self.state,
            refusal,
            possible: self.possible(),
        }
    }

    /// Checks that `kind` may happen at `effective` (given `now`) without changing anything.
    pub fn check(
        &self,
        kind: &EventKind,
        effective: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), LifecycleError> {
        let err = |r: Refusal| {
            let mut e = self.refuse(r);
            e.possible.clear();
            e
        };
        if effective > now {
            return Err(err(Refusal::InFuture { at: effective, now }));
        }
        let floor = match kind {
            EventKind::ReportTimeCorrected { .. } => None,
            _ => Some(self.reported),
        };
        if let Some(f) = floor {
            if effective < f {
                return Err(err(Refusal::BeforeReport {
                    at: effective,
                    reported: f,
                }));
            }
        }
        if kind.is_lifecycle()
            && !matches!(kind, EventKind::ReportTimeCorrected { .. })
            && effective < self.last_effective
        {
            return Err(err(Refusal::BeforeLastStep {
                at: effective,
                last: self.last_effective,
            }));
        }
        match kind {
            EventKind::ContactAdded { .. }
            | EventKind::ContactRemoved { .. }
            | EventKind::MailSuggested(_)
            | EventKind::MailDismissed { .. } => Err(err(Refusal::NotATicketStep)),
            EventKind::MailReceived(_) => Ok(()),
            EventKind::Reported { .. } => Err(err(Refusal::AlreadyReported)),
            EventKind::Classified { .. } if self.events > 1 => Err(err(Refusal::ClassifiedOnce)),
            EventKind::Classified { .. }
            | EventKind::Note { .. }
            | EventKind::MailSent { .. }
            | EventKind::MailFailed { .. } => Ok(()),
            EventKind::Assigned { .. } if self.state == State::Closed => {
                Err(self.refuse(Refusal::NotNow(Step::Assign)))
            }
            EventKind::Assigned { to } if to.trim().is_empty() => {
                Err(err(Refusal::AssignNeedsSomeone))
            }
            EventKind::Assigned { .. } => Ok(()),
            EventKind::Reclassified { from, to, reason } => {
                if self.state == State::Closed {
                    Err(self.refuse(Refusal::NotNow(Step::Reclassify)))
                } else if from != &self.category {
                    Err(err(Refusal::WrongCategory {
                        has: self.category.clone(),
                        given: from.clone(),
                    }))
                } else if to == &self.category {
                    Err(err(Refusal::SameCategory(to.clone())))
                } else if reason.trim().is_empty() {
                    Err(err(Refusal::ReclassifyNeedsReason))
                } else {
                    Ok(())
                }
            }
            EventKind::Reacted { .. } => match self.state {
                State::Open | State::Paused if self.reacted.is_none() => Ok(()),
                _ if self.reacted.is_some()
                    && self.state != State::Closed
                    && self.state != State::Resolved =>
                {
                    Err(self.refuse(Refusal::AlreadyReacted))
                }
                _ => Err(self.refuse(Refusal::NotNow(Step::React))),
            },
            EventKind::Paused { reason } => match self.state {
                State::Open | State::Reacted if !reason.trim().is_empty() => Ok(()),
                State::Open | State::Reacted => Err(err(Refusal::PauseNeedsReason)),
                _ => Err(self.refuse(Refusal::NotNow(Step::Pause))),
            },
            EventKind::Resumed => match self.state {
                State::Paused => Ok(()),
                _ => Err(self.refuse(Refusal::NotNow(Step::Resume))),
            },
            EventKind::Resolved { .. } => match self.state {
                State::Open | State::Reacted | State::Paused => Ok(()),
                _ => Err(self.refuse(Refusal::NotNow(Step::Resolve))),
            },
            EventKind::Accepted { by, reference } => match self.state {
                State::Resolved if by.trim().is_empty() || reference.trim().is_empty() => {
                    Err(err(Refusal::AcceptanceNotWritten))
                }
                State::Resolved => Ok(()),
                _ => Err(self.refuse(Refusal::NotNow(Step::Accept))),
            },
            EventKind::Rejected { by, reason } => match self.state {
                State::Resolved if by.trim().is_empty() || reason.trim().is_empty() => {
                    Err(err(Refusal::RejectionIncomplete))
                }
                State::Resolved => Ok(()),
                _ => Err(self.refuse(Refusal::NotNow(Step::Reject))),
            },
            EventKind::Retracted { reason, .. } | EventKind::BreachDisputed { reason }
                if reason.trim().is_empty() =>
            {
                Err(err(Refusal::CorrectionUnexplained))
            }
            // Which step a retraction may withdraw is decided on the events ([`retraction`]).
            EventKind::Retracted { .. } | EventKind::BreachDisputed { .. } => Ok(()),
            EventKind::Edited {
                title,
                description,
                reporter,
                reason,
            } => {
                if title.as_ref().is_some_and(|t| t.trim().is_empty()) {
                    Err(err(Refusal::EmptyTitle))
                } else if title.as_ref().is_none_or(|t| *t == self.title)
                    && description.as_ref().is_none_or(|d| *d == self.description)
                    && reporter.as_ref().is_none_or(|r| *r == self.reporter)
                {
                    Err(err(Refusal::NothingEdited))
                } else if reason.trim().is_empty() {
                    Err(err(Refusal::CorrectionUnexplained))
                } else {
                    Ok(())
                }
            }
            EventKind::ReportTimeCorrected { from, to, reason } => {
                if self.state == State::Closed {
                    return Err(self.refuse(Refusal::NotNow(Step::CorrectReportTime)));
                }
                if *from != self.reported {
                    return Err(err(Refusal::WrongReportTime {
                        is: self.reported,
                        given: *from,
                    }));
                }
                if reason.trim().is_empty() {
                    return Err(err(Refusal::CorrectionNeedsReason));
                }
                if *to > now {
                    return Err(err(Refusal::CorrectedInFuture));
                }
                let first_step = [
                    self.reacted,
                    self.resolved,
                    self.pauses.first().map(|p| p.start),
                ]
                .into_iter()
                .flatten()
                .min();
                if let Some(s) = first_step {
                    if *to > s {
                        return Err(err(Refusal::CorrectedAfterFirstStep { to: *to, first: s }));
                    }
                }
                Ok(())
            }
        }
    }

    /// Applies an event that [`check`](Self::check) accepted (the fold does not re-check time
    /// rules, so a log imported as it was stays readable).
    pub fn apply(&mut self, ev: &Event) {
        self.events += 1;
        if ev.kind.is_lifecycle() {
            self.last_effective = self.last_effective.max(ev.effective);
        }
        let t = ev.effective;
        match &ev.kind {
            EventKind::Reported { .. } => {}
            EventKind::Note { text } => self.note(text),
            EventKind::Assigned { to } => self.assignee = Some(to.clone()),
            EventKind::Classified { category, .. } => self.category = category.clone(),
            EventKind::Reclassified { to, .. } => self.category = to.clone(),
            EventKind::Reacted { note } => {
                self.note(note);
                self.reacted.get_or_insert(t);
                if self.state == State::Open {
                    self.state = State::Reacted;
                }
            }
            EventKind::Paused { reason } => {
                self.pauses.push(PauseSpan {
                    start: t,
                    end: None,
                    reason: reason.clone(),
                });
                self.state = State::Paused;
            }
            EventKind::Resumed => {
                self.close_pause(t);
                self.state = if self.reacted.is_some() {
                    State::Reacted
                } else {
                    State::Open
                };
            }
            EventKind::Resolved { note } => {
                self.note(note);
                self.close_pause(t);
                self.resolved = Some(t);
                self.state = State::Resolved;
            }
            EventKind::Accepted { by, reference } => {
                self.accepted = Some(Verdict {
                    at: t,
                    by: by.clone(),
                    text: reference.clone(),
                });
                self.state = State::Closed;
            }
            EventKind::Rejected { by, reason } => {
                self.rejections.push(Verdict {
                    at: t,
                    by: by.clone(),
                    text: reason.clone(),
                });
                if let Some(r) = self.resolved.take() {
                    self.rejected_resolutions.push(r);
                }
                self.state = if self.reacted.is_some() {
                    State::Reacted
                } else {
                    State::Open
                };
            }
            EventKind::ReportTimeCorrected { to, .. } => self.reported = *to,
            EventKind::MailSent { message_id, .. } => self.mail_unsent.retain(|m| m != message_id),
            EventKind::MailFailed { message_id, .. } => {
                if !self.mail_unsent.contains(message_id) {
                    self.mail_unsent.push(message_id.clone());
                }
            }
            EventKind::ContactAdded { .. }
            | EventKind::ContactRemoved { .. }
            | EventKind::MailReceived(_)
            | EventKind::MailSuggested(_)
            | EventKind::MailDismissed { .. } => {}
            EventKind::Retracted { step, restores, .. } => self.undo(step, *restores),
            EventKind::Edited {
                title,
                description,
                reporter,
                ..
            } => {
                if let Some(x) = title {
                    self.title = x.clone();
                }
                if let Some(x) = description {
                    self.description = x.clone();
                }
                if let Some(x) = reporter {
                    self.reporter = x.clone();
                }
            }
            EventKind::BreachDisputed { reason } => {
                self.disputed = Some(Verdict {
                    at: t,
                    by: ev.user.clone(),
                    text: reason.clone(),
                })
            }
        }
    }

    /// Undoes the latest step still in force, of kind `step`, that moved the ticket from
    /// `restores` ([`retraction`] made sure nothing later builds on it). Notes the step carried
    /// stay searchable; `last_effective` stays, so steps are still recorded in order.
    fn undo(&mut self, step: &str, restores: State) {
        match step {
            "reacted" => self.reacted = None,
            "paused" => {
                self.pauses.pop();
            }
            "resumed" => self.reopen_pause(),
            "resolved" => {
                self.resolved = None;
                if restores == State::Paused {
                    self.reopen_pause();
                }
            }
            "accepted" => self.accepted = None,
            "rejected" => {
                self.rejections.pop();
                self.resolved = self.rejected_resolutions.pop();
            }
            _ => return,
        }
        self.state = restores;
    }

    fn reopen_pause(&mut self) {
        if let Some(p) = self.pauses.last_mut() {
            p.end = None;
        }
    }

    /// The lower-case text a search looks in: id, municipality, category, title, reporter,
    /// description, notes (with the reaction's and resolutions' notes), pause reasons and the
    /// municipality's acceptance or rejections.
    pub fn search_text(&self) -> String {
        let t = self;
        let mut s = format!(
            "{} {} {} {} {} {}",
            t.id, t.municipality, t.category, t.title, t.reporter, t.description
        );
        for n in &t.notes {
            s.push('\n');
            s.push_str(n);
        }
        for p in &t.pauses {
            s.push('\n');
            s.push_str(&p.reason);
        }
        for v in t.rejections.iter().chain(&t.accepted) {
            s.push('\n');
            s.push_str(&v.by);
            s.push(' ');
            s.push_str(&v.text);
        }
        s.to_lowercase()
    }

    fn note(&mut self, text: &str) {
        if !text.trim().is_empty() {
            self.notes.push(text.trim().to_string());
        }
    }

    fn close_pause(&mut self, t: DateTime<Utc>) {
        if let Some(p) = self.pauses.last_mut() {
            if p.end.is_none() {
                p.end = Some(t);
            }
        }
    }

    /// Whether the ticket waits for the municipality's acceptance.
    pub fn awaiting_acceptance(&self) -> bool {
        self.state == State::Resolved
    }

    /// Whether it is still being worked on (not resolved or closed).
    pub fn is_open(&self) -> bool {
        matches!(self.state, State::Open | State::Reacted | State::Paused)
    }
}

/// Folds a ticket's events (the first must be `reported`) into its state.
pub fn fold(events: &[Event]) -> Option<Ticket> {
    let first = events.first()?;
    let EventKind::Reported {
        municipality,
        reporter,
        title,
        description,
        category,
        contract,
    } = &first.kind
    else {
        return None;
    };
    let mut t = Ticket {
        id: first.ticket,
        municipality: municipality.clone(),
        reporter: reporter.clone(),
        title: title.clone(),
        description: description.clone(),
        category: category.clone(),
        contract: contract.clone(),
        reported: first.effective,
        state: State::Open,
        reacted: None,
        resolved: None,
        rejected_resolutions: Vec::new(),
        pauses: Vec::new(),
        accepted: None,
        rejections: Vec::new(),
        last_effective: first.effective,
        events: 1,
        assignee: None,
        notes: Vec::new(),
        disputed: None,
        mail_unsent: Vec::new(),
    };
    for ev in &events[1..] {
        t.apply(ev);
    }
    Some(t)
}

/// Which events of a ticket were retracted, and by which event: `(retracted, by)`.
pub fn retractions(events: &[Event]) -> Vec<(u32, u32)> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Retracted { retracts, .. } => Some((retracts, e.seq)),
            _ => None,
        })
        .collect()
}

/// The retraction of event `seq` of a ticket whose events (oldest first) are `events`, or why
/// it is refused: the report, the category, notes, assignments and corrections are mended
/// another way; a step already withdrawn is not withdrawn twice; and only the latest step still
/// in force can go, as every later step built on it (withdraw those first, latest first).
pub fn retraction(events: &[Event], seq: u32, reason: &str) -> Result<EventKind, LifecycleError> {
    let Some(ticket) = fold(events) else {
        return Err(LifecycleError {
            ticket: events.first().map_or(0, |e| e.ticket),
            state: State::Open,
            refusal: Refusal::NoSuchEvent(seq),
            possible: Vec::new(),
        });
    };
    let refuse = |refusal| LifecycleError {
        ticket: ticket.id,
        state: ticket.state,
        refusal,
        possible: Vec::new(),
    };
    let retracted = retractions(events);
    let retracted_by = |n: u32| retracted.iter().find(|r| r.0 == n).map(|r| r.1);
    let Some(index) = events.iter().position(|e| e.seq == seq) else {
        return Err(refuse(Refusal::NoSuchEvent(seq)));
    };
    let target = &events[index];
    if !target.kind.is_retractable() {
        return Err(refuse(Refusal::NotRetractable {
            seq,
            kind: target.kind.name(),
        }));
    }
    if let Some(by) = retracted_by(seq) {
        return Err(refuse(Refusal::AlreadyRetracted { seq, by }));
    }
    if let Some(later) = events[index + 1..]
        .iter()
        .rev()
        .find(|e| e.kind.is_retractable() && retracted_by(e.seq).is_none())
    {
        return Err(refuse(Refusal::BuiltOn {
            seq,
            later: later.seq,
            kind: later.kind.name(),
        }));
    }
    if reason.trim().is_empty() {
        return Err(refuse(Refusal::CorrectionUnexplained));
    }
    let before = fold(&events[..index]).map_or(State::Open, |t| t.state);
    Ok(EventKind::Retracted {
        retracts: seq,
        step: target.kind.name().to_string(),
        restores: before,
        reason: reason.to_string(),
    })
}

/// Whether a ticket's [`Ticket::search_text`] matches what was typed: every word of it, in any
/// order and case (`login hjemmeplejen` finds "Ingen i hjemmeplejen kan logge ind … login").
/// An empty query matches everything.
pub fn search_matches(haystack: &str, query: &str) -> bool {
    query
        .split_whitespace()
        .all(|w| haystack.contains(&w.to_lowercase()))
}

#[cfg(test)]
mod tests;
