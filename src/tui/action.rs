//! The one vocabulary of the TUI: every key press becomes an [`Action`]. The kebab-case names
//! are the names used in keymap files, on the help screen and in tests.

use serde::{Deserialize, Serialize};

/// Something the user asked for. Unit variants can be bound in keymap files; the variants
/// carrying data are produced by the runner (typed text, the clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Leave the program.
    Quit,
    /// Show or hide the key bindings.
    Help,
    /// Close a form or overlay, clear a search, go back to the board.
    Back,
    /// Open the selected ticket, submit a form.
    Confirm,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// In a form: the next field (completing the municipality). Elsewhere: the next view
    /// (board → awaiting acceptance → breaches → report).
    NextField,
    PrevField,
    TabBoard,
    TabAcceptance,
    TabBreaches,
    TabReport,
    /// The Indbakke: the municipality's mail awaiting a decision.
    TabInbox,
    /// Type to search id, municipality, category, title, reporter, description and notes.
    Search,
    /// Cycle the board's filter: open, all, breached, closed, awaiting acceptance.
    Filter,
    /// Open the municipality picker (typing narrows it) for the board's filter, or for
    /// Rapport's own municipality there.
    FilterMunicipality,
    NewTicket,
    React,
    /// Pause a running ticket, or resume a paused one.
    PauseResume,
    Resolve,
    Accept,
    Reject,
    Reclassify,
    Note,
    CorrectReportTime,
    /// Breaches: previous and next month.
    PrevMonth,
    NextMonth,
    /// Breaches: sort by amount or by deadline.
    Sort,
    /// Breaches: write the month's list as CSV.
    Export,
    /// Delete the character before the cursor in a text field.
    Backspace,
    /// A typed character (not bindable: produced while a text field has the focus).
    #[serde(skip)]
    Input(char),
    /// The clock ticked (not bindable: produced by the runner once a second).
    #[serde(skip)]
    Tick,
}

impl Action {
    /// The kebab-case name, as in keymap files.
    pub fn name(&self) -> String {
        match self {
            Action::Input(_) => "input".into(),
            Action::Tick => "tick".into(),
            a => serde_json::to_value(a)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        }
    }

    /// Reads a kebab-case name; `None` for an unknown or unbindable one.
    pub fn from_name(name: &str) -> Option<Action> {
        serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
    }

    /// Every bindable action, in the order of the help screen.
    pub const BINDABLE: &'static [Action] = &[
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Left,
        Action::Right,
        Action::Confirm,
        Action::Back,
        Action::NextField,
        Action::PrevField,
        Action::Backspace,
        Action::TabBoard,
        Action::TabAcceptance,
        Action::TabBreaches,
        Action::TabReport,
        Action::TabInbox,
        Action::Search,
        Action::Filter,
        Action::FilterMunicipality,
        Action::NewTicket,
        Action::React,
        Action::PauseResume,
        Action::Resolve,
        Action::Accept,
        Action::Reject,
        Action::Reclassify,
        Action::Note,
        Action::CorrectReportTime,
        Action::PrevMonth,
        Action::NextMonth,
        Action::Sort,
        Action::Export,
        Action::Help,
        Action::Quit,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_data_variants_are_not_bindable() {
        for a in Action::BINDABLE {
            assert_eq!(Action::from_name(&a.name()), Some(*a), "{a:?}");
        }
        assert_eq!(Action::PauseResume.name(), "pause-resume");
        assert_eq!(Action::from_name("input"), None);
        assert_eq!(Action::from_name("tick"), None);
        assert_eq!(Action::from_name("fly"), None);
    }
}
