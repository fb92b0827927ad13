//! The Rapport tab's own state: the month and the municipality it reports on, and the report
//! the runner built for them. They are the tab's own: moving Rapport's month does not move
//! Brud's, and choosing its municipality does not filter the board (the board's filter is a
//! different question: which tickets to work on). The heading names both.

use super::action::Action;
use super::app::Effect;
use crate::report::Report;
use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone)]
pub struct Rapport {
    /// The first day of the month shown.
    pub month: NaiveDate,
    /// `None`: every municipality.
    pub municipality: Option<String>,
    /// As the runner built it (or why it could not); `None` until asked for.
    pub report: Option<Result<Report, String>>,
}

impl Rapport {
    pub fn new(month: NaiveDate) -> Rapport {
        Rapport {
            month,
            municipality: None,
            report: None,
        }
    }

    /// Asks the runner for the report of the tab's month and municipality.
    pub fn effect(&self) -> Effect {
        Effect::LoadReport {
            month: (self.month.year(), self.month.month()),
            municipality: self.municipality.clone(),
        }
    }

    /// The runner's answer. A report of another month or municipality (asked for before the
    /// agent moved on) is dropped: the next answer is the one asked for last.
    pub fn set(&mut self, r: Result<Report, String>) {
        if let Ok(rep) = &r {
            let month = format!("{:04}-{:02}", self.month.year(), self.month.month());
            let same_muni = match (&rep.municipality, &self.municipality) {
                (None, None) => true,
                (Some(a), Some(b)) => crate::report::same_municipality(a, b),
                _ => false,
            };
            if rep.month != month || !same_muni {
                return;
            }
        }
        self.report = Some(r);
    }

    /// Chooses the municipality (`None`: all) and asks for its report.
    pub fn choose(&mut self, municipality: Option<String>) -> Vec<Effect> {
        self.municipality = municipality;
        // The report on screen is of another municipality now: never show it under this one.
        self.report = None;
        vec![self.effect()]
    }

    /// The tab's own keys: the month (`<`/`>`, ←/→). Others are not its business.
    pub fn update(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::PrevMonth | Action::Left => self.month = super::app::prev_month(self.month),
            Action::NextMonth | Action::Right => self.month = super::app::next_month(self.month),
            _ => return None,
        }
        self.report = None;
        Some(vec![self.effect()])
    }
}
