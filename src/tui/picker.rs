//! The municipality picker (`m`): a list of the municipalities in the log that typing
//! narrows (prefix matches first, then names that contain the text), ↑/↓ to move, Enter to
//! choose, Esc to leave the choice as it was. The first entry is "every municipality". It
//! chooses for the view it was opened from: the board's filter, or Rapport's municipality.

use super::action::Action;

/// Whose municipality the picker chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    Board,
    Report,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub target: PickFor,
    pub query: String,
    /// Every municipality in the log, sorted.
    pub options: Vec<String>,
    /// The choice when the picker opened (`None`: all), marked in the list.
    pub current: Option<String>,
    /// Index into [`Picker::shown`].
    pub selected: usize,
}

/// What a key did to the picker.
#[derive(Debug, Clone, PartialEq)]
pub enum Picked {
    /// Still choosing.
    Open,
    /// Esc: nothing changes.
    Cancelled,
    /// Enter on an entry: `None` is every municipality.
    Chosen(Option<String>),
}

impl Picker {
    pub fn new(target: PickFor, options: Vec<String>, current: Option<String>) -> Picker {
        let mut p = Picker {
            target,
            query: String::new(),
            options,
            current,
            selected: 0,
        };
        // Start on the current choice.
        if let Some(c) = &p.current {
            p.selected = p
                .shown()
                .iter()
                .position(|x| x.as_deref() == Some(c.as_str()))
                .unwrap_or(0);
        }
        p
    }

    /// The entries the query leaves, in order: "every municipality" (while nothing is typed),
    /// the names that begin with the text, then those that contain it.
    pub fn shown(&self) -> Vec<Option<String>> {
        let q = self.query.trim().to_lowercase();
        if q.is_empty() {
            return std::iter::once(None)
                .chain(self.options.iter().cloned().map(Some))
                .collect();
        }
        let lower: Vec<String> = self.options.iter().map(|o| o.to_lowercase()).collect();
        let prefix = self
            .options
            .iter()
            .zip(&lower)
            .filter(|(_, l)| l.starts_with(&q));
        let inside = self
            .options
            .iter()
            .zip(&lower)
            .filter(|(_, l)| !l.starts_with(&q) && l.contains(&q));
        prefix.chain(inside).map(|(o, _)| Some(o.clone())).collect()
    }

    pub fn update(&mut self, action: Action) -> Picked {
        let n = self.shown().len();
        match action {
            Action::Back => return Picked::Cancelled,
            Action::Confirm => {
                return match self.shown().into_iter().nth(self.selected) {
                    Some(choice) => Picked::Chosen(choice),
                    None => Picked::Open,
                }
            }
            Action::Input(c) => {
                self.query.push(c);
                self.selected = 0;
            }
            Action::Backspace => {
                self.query.pop();
                self.selected = 0;
            }
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down | Action::NextField => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1))
            }
            Action::PrevField => self.selected = self.selected.saturating_sub(1),
            Action::PageUp => self.selected = self.selected.saturating_sub(10),
            Action::PageDown => self.selected = (self.selected + 10).min(n.saturating_sub(1)),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = n.saturating_sub(1),
            _ => {}
        }
        Picked::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picker() -> Picker {
        let names = [
            "Aalborg",
            "Aarhus",
            "Herning",
            "Kolding",
            "Vejle",
            "Vesthimmerland",
        ];
        Picker::new(
            PickFor::Board,
            names.iter().map(|s| s.to_string()).collect(),
            None,
        )
    }

    #[test]
    fn typing_narrows_prefixes_first_and_enter_chooses() {
        let mut p = picker();
        assert_eq!(p.shown().len(), 7, "every municipality, then the six");
        for c in "ve".chars() {
            p.update(Action::Input(c));
        }
        assert_eq!(
            p.shown(),
            vec![Some("Vejle".into()), Some("Vesthimmerland".into())]
        );
        p.update(Action::Down);
        assert_eq!(
            p.update(Action::Confirm),
            Picked::Chosen(Some("Vesthimmerland".into()))
        );
        let mut p = picker();
        for c in "ING".chars() {
            p.update(Action::Input(c));
        }
        // Contained, not only at the start, in any case.
        assert_eq!(
            p.shown(),
            vec![Some("Herning".into()), Some("Kolding".into())]
        );
        let mut p = picker();
        assert_eq!(p.update(Action::Confirm), Picked::Chosen(None));
        assert_eq!(picker().update(Action::Back), Picked::Cancelled);
        let mut p = picker();
        p.update(Action::Input('x'));
        assert_eq!(p.update(Action::Confirm), Picked::Open, "nothing to choose");
    }
}
