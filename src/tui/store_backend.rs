//! The TUI on the support log: the store as a [`Backend`], and the classifier (with what
//! agents taught it) as [`Suggest`].

use super::{Backend, NewTicket, Suggest, SuggestionView};
use crate::classify::{Classifier, Labelled};
use crate::contract::Contract;
use crate::i18n::Lang;
use crate::store::{labels, Filter, Log, Store, StoreError};
use crate::ticket::{ClassifiedBy, Event, EventKind, Ticket, TicketId};
use chrono::{DateTime, Utc};
use std::cell::{Cell, RefCell};
use std::path::PathBuf;

/// Where the board's log comes from.
pub enum Source<'a> {
    /// A log open for the whole session (a shared log: others write through the database).
    Held(&'a dyn Store),
    /// A local log, which a writer has to itself: opened for a turn of the
    /// board and let go of after it ([`Backend::release`]), so that commands and scripts can
    /// use it in between.
    Turns(Box<Turns<'a>>),
}

/// A local log the board opens for each turn, and the changes other processes made to it.
pub struct Turns<'a> {
    path: PathBuf,
    open: Box<dyn Fn() -> Result<Log, String> + 'a>,
    held: RefCell<Option<Log>>,
    /// The log's head when the board last looked (`None` before it first opened the log).
    seen: Cell<Option<u64>>,
}

impl<'a> Turns<'a> {
    /// The log at `path`, opened by `open` (which waits while another process has it).
    pub fn new(path: PathBuf, open: Box<dyn Fn() -> Result<Log, String> + 'a>) -> Turns<'a> {
        Turns {
            path,
            open,
            held: RefCell::new(None),
            seen: Cell::new(None),
        }
    }

    /// The log, opened if this turn has not opened it yet.
    fn log(&self) -> Result<std::cell::Ref<'_, Log>, String> {
        if self.held.borrow().is_none() {
            let log = (self.open)()?;
            if self.seen.get().is_none() {
                let head = log.head().map_err(|e| e.to_string())?;
                self.seen.set(Some(head.0));
            }
            *self.held.borrow_mut() = Some(log);
        }
        Ok(std::cell::Ref::map(self.held.borrow(), |l| {
            l.as_ref().expect("opened above")
        }))
    }

    /// The tickets other processes changed since the board last looked. Reads the head the
    /// last write published, without the log; only when it moved, opens the log and reads the
    /// events after the one seen.
    fn changes(&self) -> Result<Vec<TicketId>, String> {
        let (Some(seen), Some(head)) = (self.seen.get(), crate::store::published_head(&self.path))
        else {
            return Ok(Vec::new());
        };
        if head == seen {
            return Ok(Vec::new());
        }
        let log = self.log()?;
        let Log::Local(s) = &*log else {
            return Ok(Vec::new());
        };
        let (head, ids) = s.changed_since(seen).map_err(|e| e.to_string())?;
        self.seen.set(Some(head));
        Ok(ids)
    }

    /// Lets go of the log until the next turn.
    fn release(&self) {
        match self.held.borrow_mut().take() {
            Some(Log::Local(s)) => {
                let _ = s.close();
            }
            other => drop(other),
        }
    }
}

/// Mails the municipality when a ticket is resolved, through the store of the board's turn.
pub type MailOnResolve<'a> = dyn Fn(&dyn Store, TicketId, DateTime<Utc>) + 'a;

/// The store as the TUI sees it.
pub struct StoreBackend<'a> {
    pub source: Source<'a>,
    pub contract: &'a Contract,
    pub calendar: &'a crate::calendar::WorkCalendar,
    pub lang: Lang,
    /// Other people's changes to a shared log (team mode).
    pub watch: Option<std::cell::RefCell<crate::store::postgres::Watcher>>,
    /// Mails the municipality about a ticket just resolved (at the evaluation instant given);
    /// the mail is recorded on the ticket, sent or kept for `frist mail send`.
    pub mail: Option<&'a MailOnResolve<'a>>,
}

impl StoreBackend<'_> {
    /// Runs `f` on the log (opening it for this turn when it is a local one).
    fn with<T>(&self, f: impl FnOnce(&dyn Store) -> Result<T, StoreError>) -> Result<T, String> {
        match &self.source {
            Source::Held(s) => f(*s).map_err(|e| self.err(e)),
            Source::Turns(t) => f(&**t.log()?).map_err(|e| self.err(e)),
        }
    }

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
        self.with(|s| {
            labels::learn(
                s,
                &Labelled {
                    category: category.to_string(),
                    text: labels::text(title, description),
                },
            )
        })
    }
}

impl Backend for StoreBackend<'_> {
    fn changes(&self) -> Result<Vec<TicketId>, String> {
        if let Source::Turns(t) = &self.source {
            return t.changes();
        }
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
        let loaded = |s: &dyn Store| {
            crate::load::load_month(
                s,
                self.contract,
                self.calendar,
                month,
                municipality,
                now,
                self.lang,
            )
            .map_err(|f| f.message)
            .and_then(|m| {
                let all = s.contract_versions().map_err(|e| self.err(e))?;
                Ok((m, all))
            })
        };
        let ((tickets, measurements), all) = match &self.source {
            Source::Held(s) => loaded(*s)?,
            Source::Turns(t) => loaded(&**t.log()?)?,
        };
        // Each ticket is computed with the contract version in force on its report day.
        let kept = crate::contracts::kept_versions(&all, &self.contract.id)
            .map_err(|e| e.message(self.lang))?;
        crate::report::build(&crate::report::ReportInput {
            contract: self.contract,
            calendar: self.calendar,
            month,
            municipality: municipality.map(str::trim).filter(|m| !m.is_empty()),
            tickets: &tickets,
            measurements: &measurements,
            now,
            versions: &crate::contracts::report_versions(&kept),
        })
        .map_err(|e| e.to_string())
    }

    fn inbox(&self) -> Result<Vec<super::inbox::InboxMail>, String> {
        self.with(|s| {
            let items = crate::mail::inbox::items(s)?;
            let mut out = Vec::with_capacity(items.len());
            for i in &items {
                let arrived = s
                    .events(i.ticket.id)?
                    .get(i.seq as usize)
                    .map_or(i.ticket.last_effective, |e| e.effective);
                out.push(super::inbox::InboxMail::of(i, arrived));
            }
            Ok(out)
        })
    }

    fn contacts(&self, municipality: &str) -> Result<Vec<crate::contact::Contact>, String> {
        self.with(|s| s.contacts(Some(municipality)))
    }

    fn tickets(&self, filter: Filter) -> Result<Vec<Ticket>, String> {
        self.with(|s| s.tickets(filter))
    }

    fn events(&self, id: TicketId) -> Result<Vec<Event>, String> {
        self.with(|s| s.events(id))
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
        let t = self.with(|s| {
            let t = s.create(reported, Some(classified), user, recorded, new.reported)?;
            // The author takes the ticket they logged (another agent can take it over).
            s.append(
                t.id,
                EventKind::Assigned { to: user.into() },
                user,
                recorded,
                new.reported,
                now,
            )
        })?;
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
        let mut t =
            self.with(|s| s.append(id, kind, user, crate::edge::recorded_now(), effective, now))?;
        if let Some(category) = learned {
            let _ = self.learn(&category, &t.title, &t.description);
        }
        if let (true, Some(mail)) = (resolved, self.mail) {
            let after = self.with(|s| {
                mail(s, id, now);
                s.ticket(id)
            });
            if let Ok(Some(after)) = after {
                t = after;
            }
        }
        Ok(t)
    }

    fn release(&self) {
        if let Source::Turns(t) = &self.source {
            t.release();
        }
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
