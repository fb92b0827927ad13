//! The terminal UI: the agents' live board, ticket detail, new-ticket form, acceptance queue
//! and breach list.
//!
//! One direction of flow: key → [`Action`] (through the [`Keymap`]) → [`update`] on the
//! [`App`] (pure: `now` is an argument) → [`Effect`]s the runner carries out against a
//! [`Backend`] → draw ([`views`], which only draw).
//!
//! The TUI talks to the store and the classifier through two small seams, [`Backend`] and
//! [`Suggest`], so it can be tested without either.

pub mod action;
pub mod app;
pub mod format;
pub mod inbox;
pub mod keymap;
pub mod picker;
pub mod rapport;
pub mod run;
mod signals;
pub mod store_backend;
pub mod views;

pub use action::Action;
pub use app::{update, App, Effect};
pub use keymap::Keymap;

use crate::contract::Contract;
use crate::ticket::{ClassifiedBy, Event, EventKind, Ticket, TicketId};
use chrono::{DateTime, Utc};

/// A ticket the agent filled in on the new-ticket form.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    pub municipality: String,
    pub reporter: String,
    pub title: String,
    pub description: String,
    pub category: String,
    /// `Auto` when the suggestion was taken as it was, `Agent` when the agent chose.
    pub classified_by: ClassifiedBy,
    pub confidence: Option<f64>,
    pub reasons: Vec<String>,
    /// When the municipality reported it (defaults to now; may be set back).
    pub reported: DateTime<Utc>,
}

/// What the TUI needs from the support log. The store implements it; every call returns
/// the ticket as it is after the write, so the board can update that one row.
pub trait Backend {
    /// The tickets the filter selects, folded. The TUI asks for what it shows: at start the
    /// tickets not closed and the month's breached ones ([`app::initial_load`]), more when
    /// the agent turns to another month or to all or closed tickets.
    fn tickets(&self, filter: crate::store::Filter) -> Result<Vec<Ticket>, String>;
    /// One ticket's events, oldest first.
    fn events(&self, id: TicketId) -> Result<Vec<Event>, String>;
    /// Writes `reported` and `classified` for a new ticket.
    fn create(&self, new: &NewTicket, user: &str, now: DateTime<Utc>) -> Result<Ticket, String>;
    /// Appends one event after the lifecycle check.
    fn append(
        &self,
        id: TicketId,
        kind: EventKind,
        user: &str,
        effective: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Ticket, String>;
    /// The month's service report, of one municipality or all.
    fn report(
        &self,
        month: (i32, u32),
        municipality: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<crate::report::Report, String>;
    /// The mail on resolved tickets that waits for a decision (the Indbakke).
    fn inbox(&self) -> Result<Vec<inbox::InboxMail>, String> {
        Ok(Vec::new())
    }
    /// The contact people of a municipality (shown with its tickets).
    fn contacts(&self, _municipality: &str) -> Result<Vec<crate::contact::Contact>, String> {
        Ok(Vec::new())
    }
    /// The tickets other people changed since the last call, without waiting (a shared log);
    /// `Err` says the link to those changes is lost for now.
    fn changes(&self) -> Result<Vec<TicketId>, String> {
        Ok(Vec::new())
    }
}

/// A suggested category for a new ticket.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SuggestionView {
    /// `None` when nothing in the text points anywhere: the agent must choose.
    pub category: Option<String>,
    /// 0.0–1.0.
    pub confidence: f64,
    pub reasons: Vec<String>,
}

/// The classifier as the new-ticket form sees it; called as the agent types.
pub trait Suggest {
    fn suggest(&self, title: &str, description: &str) -> SuggestionView;
}

/// A stand-in classifier until the real one is wired: counts each category's contract
/// keywords in the title (twice) and the description.
pub struct KeywordSuggest<'a> {
    pub contract: &'a Contract,
}

impl Suggest for KeywordSuggest<'_> {
    fn suggest(&self, title: &str, description: &str) -> SuggestionView {
        let (t, d) = (title.to_lowercase(), description.to_lowercase());
        let mut scored: Vec<(usize, &str, Vec<String>)> = self
            .contract
            .categories
            .iter()
            .map(|c| {
                let mut score = 0;
                let mut reasons = Vec::new();
                for k in &c.keywords {
                    let k = k.to_lowercase();
                    if t.contains(&k) {
                        score += 2;
                        reasons.push(format!("'{k}' (titel)"));
                    } else if d.contains(&k) {
                        score += 1;
                        reasons.push(format!("'{k}'"));
                    }
                }
                (score, c.id.as_str(), reasons)
            })
            .collect();
        let total: usize = scored.iter().map(|s| s.0).sum();
        scored.sort_by_key(|s| std::cmp::Reverse(s.0));
        match scored.into_iter().next() {
            Some((score, id, reasons)) if score > 0 => SuggestionView {
                category: Some(id.to_string()),
                confidence: score as f64 / total as f64,
                reasons,
            },
            _ => SuggestionView::default(),
        }
    }
}
