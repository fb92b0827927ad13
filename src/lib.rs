//! frist — service-target timers, dagsbod and the support log for vendors to Danish
//! municipalities.
//!
//! The pure core (`calendar`, `contract`, `sla`) never reads the clock or touches disk: `now`
//! is an argument. The binary's edges (`cli`, `load`) do the I/O.

pub mod calendar;
pub mod checkpoint;
pub mod classify;
pub mod cli;
pub mod config;
pub mod contact;
pub mod contract;
pub mod contracts;
pub mod edge;
pub mod error;
pub mod i18n;
pub mod load;
pub mod mail;
pub mod notify;
pub mod progress;
pub mod report;
pub mod safe;
pub mod sla;
pub mod store;
pub mod ticket;
pub mod time;
pub mod tui;
pub mod wrap;

pub use error::{Error, Result};
