//! The TUI on the support log: the sled store as a [`Backend`], and the classifier (with what
//! agents taught it) as [`Suggest`].

use super::{Backend, NewTicket, Suggest, SuggestionView};
use crate::classify::{Classifier, Labelled};
use crate::contract::Contract;
use crate::i18n::Lang;
use crate::store::{labels, Filter, Store, StoreError};
use crate::ticket::{ClassifiedBy, Event, EventKind, Ticket, TicketId};
use chrono::{DateTime, Utc};

/// The store as the TUI sees it.
pub struct StoreBackend<'a> {
    pub store: &'a dyn Store,
    pub contract: &'a Contract,
    pub calendar: &'a crate::calendar::WorkCalendar,
    pub lang: Lang,
    /// Other people's changes to a shared log (team mode).
    pub watch: Option<std::cell::RefCell<crate::store::postgres::Watcher>>,
    /// Mails the municipality about a ticket just resolved (at the evaluation instant given);
    /// the mail is recorded on the ticket, sent or kept for `frist mail send`.
    pub mail: Option<&'a dyn Fn(TicketId, DateTime<Utc>)>,
}

impl StoreBackend<'_> {
    fn err(&self, e: StoreError) -> String {
        match e {
            // A refused step is read in a form: its fields, not the command line's flags.
            StoreError::Lifecycle(le) => {
                le.message_on(self.lang, &self.contract.tz, crate::ticket::Surface::Form)
            }
            e => e.message(self.lang, &self.contract.tz),
        }
    }

    /// Teaches the classifier an agent's category; the ticket is already stored and the model
    /// is derived data, so a failure is only reported.
    fn learn(&self, category: &str, title: &str, description: &str) -> Result<(), String> {
        labels::learn(
            self.store,
            &Labelled {
                category: category.to_string(),
                text: labels::text(title, description),
            },
        )
        .map_err(|e| self.err(e))
    }
}

impl Backend for StoreBackend<'_> {
    fn changes(&self) -> Result<Vec<TicketId>, String> {
        let Some(w) = &self.watch else {
            return Ok(Vec::new());
        };
        w.borrow_mut().poll().map_err(|_| {
            self.lang
                .t(
                    "forbindelsen til databasen er tabt; prøver igen – tavlen kan stadig læses",
                    "the connection to the database is lost; retrying – the board can still be read",
                )
                .to_string()
        })
    }

    fn report(
        &self,
        month: (i32, u32),
        municipality: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<crate::report::Report, String> {
        let (tickets, measurements) = crate::load::load_month(
            self.store,
            self.contract,
            self.calendar,
            month,
            municipality,
            now,
            self.lang,
        )
        .map_err(|f| f.message)?;
        crate::report::build(&crate::report::ReportInput {
            contract: self.contract,
            calendar: self.calendar,
            month,
            municipality: municipality.map(str::trim).filter(|m| !m.is_empty()),
            tickets: &tickets,
            measurements: &measurements,
            now,
        })
        .map_err(|e| e.to_string())
    }

    fn inbox(&self) -> Result<Vec<super::inbox::InboxMail>, String> {
        let items = crate::mail::inbox::items(self.store).map_err(|e| self.err(e))?;
        let mut out = Vec::with_capacity(items.len());
        for i in &items {
            let arrived = self
                .store
                .events(i.ticket.id)
                .map_err(|e| self.err(e))?
                .get(i.seq as usize)
                .map_or(i.ticket.last_effective, |e| e.effective);
            out.push(super::inbox::InboxMail::of(i, arrived));
        }
        Ok(out)
    }

    fn contacts(&self, municipality: &str) -> Result<Vec<crate::contact::Contact>, String> {
        self.store
            .contacts(Some(municipality))
            .map_err(|e| self.err(e))
    }

    fn tickets(&self, filter: Filter) -> Result<Vec<Ticket>, String> {
        self.store.tickets(filter).map_err(|e| self.err(e))
    }

    fn events(&self, id: TicketId) -> Result<Vec<Event>, String> {
        self.store.events(id).map_err(|e| self.err(e))
    }

    fn create(&self, new: &NewTicket, user: &str, now: DateTime<Utc>) -> Result<Ticket, String> {
        let reported = EventKind::Reported {
            municipality: new.municipality.clone(),
            reporter: new.reporter.clone(),
            title: new.title.clone(),
            description: new.description.clone(),
            category: new.category.clone(),
            contract: self.contract.id.clone(),
        };
        let classified = EventKind::Classified {
            category: new.category.clone(),
            by: new.classified_by,
            confidence: new.confidence,
            reasons: new.reasons.clone(),
        };
        // Recorded at the real clock, whatever clock the board evaluates with (domain §4.8).
        let recorded = crate::edge::recorded_now();
        let t = self
            .store
            .create(reported, Some(classified), user, recorded, new.reported)
            .map_err(|e| self.err(e))?;
        // The author takes the ticket they logged (another agent can take it over).
        let t = self
            .store
            .append(
                t.id,
                EventKind::Assigned { to: user.into() },
                user,
                recorded,
                new.reported,
                now,
            )
            .map_err(|e| self.err(e))?;
        if new.classified_by == ClassifiedBy::Agent {
            // The ticket is stored; a model that could not learn is not worth an error.
            let _ = self.learn(&new.category, &new.title, &new.description);
        }
        Ok(t)
    }

    fn append(
        &self,
        id: TicketId,
        kind: EventKind,
        user: &str,
        effective: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Ticket, String> {
        let learned = match &kind {
            EventKind::Reclassified { to, .. } => Some(to.clone()),
            _ => None,
        };
        let resolved = matches!(kind, EventKind::Resolved { .. });
        let mut t = self
            .store
            .append(id, kind, user, crate::edge::recorded_now(), effective, now)
            .map_err(|e| self.err(e))?;
        if let Some(category) = learned {
            let _ = self.learn(&category, &t.title, &t.description);
        }
        if let (true, Some(mail)) = (resolved, self.mail) {
            mail(id, now);
            if let Ok(Some(after)) = self.store.ticket(id) {
                t = after;
            }
        }
        Ok(t)
    }
}

/// The classifier as the new-ticket form uses it.
pub struct ClassifierSuggest {
    pub classifier: Classifier,
    pub lang: Lang,
}

impl Suggest for ClassifierSuggest {
    fn suggest(&self, title: &str, description: &str) -> SuggestionView {
        if title.trim().is_empty() && description.trim().is_empty() {
            return SuggestionView::default();
        }
        let s = self.classifier.classify(title, description);
        let fallback = s
            .reasons
            .iter()
            .all(|r| r.source == crate::classify::Source::Fallback);
        SuggestionView {
            category: (!s.category.is_empty() && !fallback).then_some(s.category),
            confidence: s.confidence,
            reasons: s.reasons.iter().map(|r| r.text(self.lang)).collect(),
        }
    }
}
