//! A ticket's timers, statuses and dagsbod at an instant (domain §4–§5).

use super::{State, Ticket};
use crate::calendar::WorkCalendar;
use crate::contract::Contract;
use crate::error::Result;
use crate::sla::{self, Deadlines, Fine, Pause, Status, Timer, Window};
use chrono::{DateTime, Utc};

/// One timer of a ticket, evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerEval {
    /// The target and unpaused deadline; `None` when the category has no such target.
    pub timer: Option<Timer>,
    /// The deadline after pauses (an open pause counts up to `now`).
    pub deadline: Option<DateTime<Utc>>,
    /// After this instant a running timer is at risk (at it, exactly 25 % is left).
    pub risk_from: Option<DateTime<Utc>>,
    /// When the timer was met (reaction, or the resolution that currently counts).
    pub done: Option<DateTime<Utc>>,
    pub status: Option<Status>,
    /// The ticket is paused and this timer still runs: its remaining time is frozen.
    pub paused: bool,
}

impl TimerEval {
    /// The status at another instant without recomputing deadlines (for ticking views).
    /// A paused timer keeps the status it had when evaluated.
    pub fn status_at(&self, now: DateTime<Utc>) -> Option<Status> {
        if self.paused {
            return self.status;
        }
        Some(sla::status(self.deadline?, self.risk_from?, self.done, now))
    }
}

/// A ticket's timers and fine at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub deadlines: Deadlines,
    pub window: Window,
    pub reaction: TimerEval,
    pub resolution: TimerEval,
    pub fine: Fine,
    pub now: DateTime<Utc>,
}

impl Evaluation {
    /// The worst status of the two timers (breached < at-risk < running < met).
    pub fn worst(&self) -> Option<Status> {
        [self.reaction.status, self.resolution.status]
            .into_iter()
            .flatten()
            .min()
    }

    /// Whether any timer is breached.
    pub fn breached(&self) -> bool {
        self.worst() == Some(Status::Breached)
    }

    /// The nearest deadline of a timer still running (for sorting the board).
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        [&self.reaction, &self.resolution]
            .into_iter()
            .filter(|t| t.done.is_none())
            .filter_map(|t| t.deadline)
            .min()
    }
}

/// Evaluates a ticket's timers and fine at `now` with its contract and calendar.
pub fn evaluate(
    ticket: &Ticket,
    contract: &Contract,
    cal: &WorkCalendar,
    now: DateTime<Utc>,
) -> Result<Evaluation> {
    let category = contract.category(&ticket.category)?;
    let deadlines = sla::deadlines(cal, category, ticket.reported)?;
    let pauses: Vec<Pause> = ticket
        .pauses
        .iter()
        .map(|p| Pause {
            start: p.start,
            end: p.end,
        })
        .collect();
    let paused_now = ticket.state == State::Paused;
    // A resolution also tells the municipality what was wrong: it meets a reaction not yet made.
    // A rejected resolution still told the municipality what was wrong: the first reaction,
    // by whichever step it came, stays valid after a reopening (domain §4.5).
    let reaction_done = [ticket.reacted, ticket.resolved]
        .into_iter()
        .flatten()
        .chain(ticket.rejected_resolutions.iter().copied())
        .min();
    let eval = |timer: Option<Timer>, done: Option<DateTime<Utc>>| -> Result<TimerEval> {
        let Some(timer) = timer else {
            return Ok(TimerEval {
                timer: None,
                deadline: None,
                risk_from: None,
                done,
                status: None,
                paused: false,
            });
        };
        let deadline = sla::paused_deadline(cal, &timer, &pauses, done, now)?;
        let risk_from = sla::at_risk_from(cal, &timer, deadline)?;
        let status = sla::status(deadline, risk_from, done, now);
        Ok(TimerEval {
            timer: Some(timer),
            deadline: Some(deadline),
            risk_from: Some(risk_from),
            done,
            status: Some(status),
            paused: paused_now && done.is_none() && status != Status::Breached,
        })
    };
    let reaction = eval(deadlines.reaction, reaction_done)?;
    let resolution = eval(deadlines.resolution, ticket.resolved)?;
    let fine = match (category.fine.as_ref(), resolution.deadline) {
        (Some(table), Some(deadline)) => {
            sla::fine(cal, table, deadline, resolution.done.unwrap_or(now))?
        }
        _ => Fine::default(),
    };
    Ok(Evaluation {
        window: deadlines.window,
        deadlines,
        reaction,
        resolution,
        fine,
        now,
    })
}
