//! Keymaps as data: `keymaps/default.toml` and `keymaps/vim.toml` bind each [`Action`] to
//! keys (`"q"`, `"ctrl-c"`, `"alt-f"`, `"enter"`, `"g g"`) with a description that the help
//! screen shows. A user file overrides per action.
//!
//! ```toml
//! [quit]
//! keys = ["q", "ctrl-c"]
//! desc = "Afslut"
//! desc_en = "Quit"
//! ```

use super::action::Action;
use crate::error::{line_of, Error, Result};
use crate::i18n::Lang;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use toml::Spanned;

/// The built-in keymaps: (name, TOML text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
];

/// A key without modifiers' noise: a typed character is the character itself (`G`, `?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

/// One key press: a code and the ctrl and alt modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: Code,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: Code) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn char(c: char) -> Key {
        Key::plain(Code::Char(c))
    }

    /// Ctrl-C: always quits, whatever a keymap says, so that a user file can never leave
    /// the TUI without a way out.
    pub const CTRL_C: Key = Key {
        code: Code::Char('c'),
        ctrl: true,
        alt: false,
    };

    /// Reads one chord: `q`, `G`, `?`, `ctrl-c`, `alt-f`, `shift-tab`, `enter`, `esc`, `up`,
    /// `pagedown`, `f1`, `space`, `-`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") && rest.len() > 5 {
                (&mut ctrl, 5)
            } else if lower.starts_with("alt-") && rest.len() > 4 {
                (&mut alt, 4)
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                (&mut shift, 6)
            } else {
                break;
            };
            if *m {
                return None;
            }
            *m = true;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_whitespace() && !c.is_control() => {
                if shift {
                    Code::Char(c.to_uppercase().next().unwrap_or(c))
                } else if ctrl || alt {
                    Code::Char(c.to_ascii_lowercase())
                } else {
                    Code::Char(c)
                }
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => Code::Enter,
                "esc" | "escape" => Code::Esc,
                "tab" if shift => Code::BackTab,
                "tab" => Code::Tab,
                "backtab" => Code::BackTab,
                "backspace" => Code::Backspace,
                "delete" | "del" => Code::Delete,
                "up" => Code::Up,
                "down" => Code::Down,
                "left" => Code::Left,
                "right" => Code::Right,
                "home" => Code::Home,
                "end" => Code::End,
                "pageup" | "pgup" => Code::PageUp,
                "pagedown" | "pgdn" => Code::PageDown,
                "space" => Code::Char(' '),
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=12).contains(&n) => Code::F(n),
                    _ => return None,
                },
                _ => return None,
            },
        };
        Some(Key { code, ctrl, alt })
    }

    /// Reads a sequence of chords separated by spaces: `g g`.
    pub fn parse_seq(s: &str) -> Option<Vec<Key>> {
        let seq: Option<Vec<Key>> = s.split_whitespace().map(Key::parse).collect();
        seq.filter(|v| !v.is_empty())
    }

    /// From a terminal key event.
    pub fn from_event(ev: &ratatui::crossterm::event::KeyEvent) -> Option<Key> {
        use ratatui::crossterm::event::{KeyCode, KeyModifiers};
        let code = match ev.code {
            KeyCode::Char(c) => Code::Char(c),
            KeyCode::Enter => Code::Enter,
            KeyCode::Esc => Code::Esc,
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => Code::BackTab,
            KeyCode::Tab => Code::Tab,
            KeyCode::BackTab => Code::BackTab,
            KeyCode::Backspace => Code::Backspace,
            KeyCode::Delete => Code::Delete,
            KeyCode::Up => Code::Up,
            KeyCode::Down => Code::Down,
            KeyCode::Left => Code::Left,
            KeyCode::Right => Code::Right,
            KeyCode::Home => Code::Home,
            KeyCode::End => Code::End,
            KeyCode::PageUp => Code::PageUp,
            KeyCode::PageDown => Code::PageDown,
            KeyCode::F(n) => Code::F(n),
            _ => return None,
        };
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let code = match code {
            Code::Char(c) if ctrl => Code::Char(c.to_ascii_lowercase()),
            c => c,
        };
        Some(Key {
            code,
            ctrl,
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            Code::Char(' ') => f.write_str("space"),
            Code::Char(c) => write!(f, "{c}"),
            Code::Enter => f.write_str("enter"),
            Code::Esc => f.write_str("esc"),
            Code::Tab => f.write_str("tab"),
            Code::BackTab => f.write_str("shift-tab"),
            Code::Backspace => f.write_str("backspace"),
            Code::Delete => f.write_str("delete"),
            Code::Up => f.write_str("↑"),
            Code::Down => f.write_str("↓"),
            Code::Left => f.write_str("←"),
            Code::Right => f.write_str("→"),
            Code::Home => f.write_str("home"),
            Code::End => f.write_str("end"),
            Code::PageUp => f.write_str("pageup"),
            Code::PageDown => f.write_str("pagedown"),
            Code::F(n) => write!(f, "f{n}"),
        }
    }
}

/// The keys of one action and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub action: Action,
    pub keys: Vec<Vec<Key>>,
    pub desc: String,
    pub desc_en: String,
}

impl Binding {
    pub fn desc(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.desc_en.is_empty() => &self.desc_en,
            _ => &self.desc,
        }
    }

    /// The keys as written: `q, ctrl-c`, `g g`.
    pub fn keys_text(&self) -> String {
        self.keys
            .iter()
            .map(|seq| seq.iter().map(Key::to_string).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a sequence of keys means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Action(Action),
    /// The start of a longer binding (`g` of `g g`): wait for the next key.
    Pending,
    None,
}

/// The active bindings, one per action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    pub name: String,
    pub bindings: Vec<Binding>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    keys: Option<Vec<Spanned<String>>>,
    desc: Option<String>,
    desc_en: Option<String>,
}

impl Keymap {
    /// A built-in keymap by name.
    pub fn builtin(name: &str) -> Option<Keymap> {
        let (n, src) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        let mut km = Keymap::parse(src, &format!("keymaps/{n}.toml"), None).ok()?;
        km.name = n.to_string();
        Some(km)
    }

    /// The default keymap (arrows, Enter, Esc and letters).
    pub fn default_keymap() -> Keymap {
        Keymap::builtin("default").unwrap_or(Keymap {
            name: "default".into(),
            bindings: Vec::new(),
        })
    }

    /// Reads a keymap file. With `base`, the file overrides `base` per action (a user file);
    /// without, it stands alone. `file` names it in error messages.
    pub fn parse(src: &str, file: &str, base: Option<&Keymap>) -> Result<Keymap> {
        let raw: BTreeMap<Spanned<String>, RawEntry> = crate::config::parse_toml(src, file)?;
        let mut out = base.cloned().unwrap_or(Keymap {
            name: file.to_string(),
            bindings: Vec::new(),
        });
        out.name = file.to_string();
        // Where each key sequence read from this file stands: (action, keys) → offset.
        let mut spans: Vec<(Action, Vec<Key>, usize)> = Vec::new();
        for (name, entry) in raw {
            let err = |offset: usize, message: String| Error::Config {
                file: file.to_string(),
                line: line_of(src, offset),
                field: name.get_ref().clone(),
                message,
            };
            let action = Action::from_name(name.get_ref()).ok_or_else(|| {
                err(
                    name.span().start,
                    format!(
                        "unknown action '{}'; the actions are: {}",
                        name.get_ref(),
                        Action::BINDABLE
                            .iter()
                            .map(Action::name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            let mut keys = Vec::new();
            for k in entry.keys.iter().flatten() {
                let seq = Key::parse_seq(k.get_ref()).ok_or_else(|| {
                    err(
                        k.span().start,
                        format!(
                            "cannot read the key '{}'; write a character (\"q\", \"G\", \"?\"), a name (\"enter\", \"esc\", \"tab\", \"up\", \"pagedown\", \"f1\", \"space\"), a modifier with a key (\"ctrl-c\", \"alt-f\", \"shift-tab\") or a sequence separated by spaces (\"g g\")",
                            k.get_ref()
                        ),
                    )
                })?;
                spans.push((action, seq.clone(), k.span().start));
                keys.push(seq);
            }
            match out.bindings.iter_mut().find(|b| b.action == action) {
                Some(b) => {
                    if entry.keys.is_some() {
                        b.keys = keys;
                    }
                    if let Some(d) = entry.desc {
                        b.desc = d;
                    }
                    if let Some(d) = entry.desc_en {
                        b.desc_en = d;
                    }
                }
                None => out.bindings.push(Binding {
                    action,
                    keys,
                    desc: entry.desc.unwrap_or_else(|| action.name()),
                    desc_en: entry.desc_en.unwrap_or_default(),
                }),
            }
        }
        out.bindings.sort_by_key(|b| {
            Action::BINDABLE
                .iter()
                .position(|a| *a == b.action)
                .unwrap_or(usize::MAX)
        });
        out.check(src, file, &spans)?;
        out.keep_ctrl_c();
        Ok(out)
    }

    /// Refuses a keymap in which one key would do two things: a key (or sequence) bound to
    /// two actions, a key that begins another action's sequence (`g` and `g g`: the longer
    /// could never be typed), or Ctrl-C bound to anything but quit. The error stands at the
    /// key as this file writes it and names both actions.
    fn check(&self, src: &str, file: &str, spans: &[(Action, Vec<Key>, usize)]) -> Result<()> {
        let at = |action: Action, seq: &[Key]| {
            spans
                .iter()
                .find(|(a, k, _)| *a == action && k.as_slice() == seq)
                .map(|(_, _, o)| *o)
        };
        let refuse = |action: Action, offset: Option<usize>, message: String| Error::Config {
            file: file.to_string(),
            line: offset.map_or(0, |o| line_of(src, o)),
            field: action.name(),
            message,
        };
        let text = |seq: &[Key]| seq.iter().map(Key::to_string).collect::<Vec<_>>().join(" ");
        for b in &self.bindings {
            if b.action == Action::Quit {
                continue;
            }
            if let Some(seq) = b.keys.iter().find(|k| k.first() == Some(&Key::CTRL_C)) {
                return Err(refuse(
                    b.action,
                    at(b.action, seq),
                    format!(
                        "'{}' cannot be bound to {}: ctrl-c always quits frist; give {} another key",
                        text(seq),
                        b.action.name(),
                        b.action.name()
                    ),
                ));
            }
        }
        for (i, a) in self.bindings.iter().enumerate() {
            for b in &self.bindings[i + 1..] {
                for ka in &a.keys {
                    for kb in &b.keys {
                        let (short, long) = if ka.len() <= kb.len() {
                            ((a.action, ka), (b.action, kb))
                        } else {
                            ((b.action, kb), (a.action, ka))
                        };
                        if long.1[..short.1.len()] != short.1[..] {
                            continue;
                        }
                        // Stand at the key this file wrote (the other may come from the base).
                        let (here, offset) = match at(b.action, kb) {
                            Some(o) => (b.action, Some(o)),
                            None => (a.action, at(a.action, ka)),
                        };
                        let message = if short.1.len() == long.1.len() {
                            format!(
                                "the key '{}' is bound to both {} and {}; a key does one thing: remove it from one of them (keys = [] unbinds an action)",
                                text(short.1),
                                a.action.name(),
                                b.action.name()
                            )
                        } else {
                            format!(
                                "'{}' of {} is the start of '{}' of {}, so '{}' could never be typed; give one of them another key",
                                text(short.1),
                                short.0.name(),
                                text(long.1),
                                long.0.name(),
                                text(long.1)
                            )
                        };
                        return Err(refuse(here, offset, message));
                    }
                }
            }
        }
        Ok(())
    }

    /// Puts ctrl-c among quit's keys (so the help screen shows it), whatever the file says.
    fn keep_ctrl_c(&mut self) {
        let ctrl_c = vec![Key::CTRL_C];
        match self.bindings.iter_mut().find(|b| b.action == Action::Quit) {
            Some(b) if !b.keys.contains(&ctrl_c) => b.keys.push(ctrl_c),
            Some(_) => {}
            None => self.bindings.push(Binding {
                action: Action::Quit,
                keys: vec![ctrl_c],
                desc: "Afslut".into(),
                desc_en: "Quit".into(),
            }),
        }
    }

    /// `--keymap NAME|PATH` (default: `default`), then the user's override file if it exists.
    /// A path overrides the default keymap per action, like the user file.
    pub fn load(spec: Option<&str>, user_file: Option<&Path>) -> Result<Keymap> {
        let spec = spec.unwrap_or("default");
        let mut km = match BUILTIN.iter().find(|(n, _)| *n == spec) {
            Some((n, src)) => {
                let mut km = Keymap::parse(src, &format!("keymaps/{n}.toml"), None)?;
                km.name = n.to_string();
                km
            }
            None => {
                let src = std::fs::read_to_string(spec).map_err(|e| {
                    let names = BUILTIN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
                    Error::Said {
                        da: format!(
                            "kan ikke læse tastaturfilen {spec}: {e}; angiv et indbygget navn ({names}) eller stien til en tastaturfil"
                        ),
                        en: format!(
                            "cannot read keymap {spec}: {e}; give a built-in name ({names}) or the path of a keymap file"
                        ),
                    }
                })?;
                Keymap::parse(&src, spec, Some(&Keymap::default_keymap()))?
            }
        };
        if let Some(p) = user_file.filter(|p| p.is_file()) {
            let src = std::fs::read_to_string(p)
                .map_err(|e| Error::NotFound(format!("cannot read keymap {}: {e}", p.display())))?;
            let name = km.name.clone();
            km = Keymap::parse(&src, &p.display().to_string(), Some(&km))?;
            km.name = format!("{name} + {}", p.display());
        }
        Ok(km)
    }

    /// What the keys pressed so far mean.
    pub fn lookup(&self, seq: &[Key]) -> Lookup {
        let mut pending = false;
        for b in &self.bindings {
            for k in &b.keys {
                if k.as_slice() == seq {
                    return Lookup::Action(b.action);
                }
                if k.len() > seq.len() && k[..seq.len()] == *seq {
                    pending = true;
                }
            }
        }
        if pending {
            Lookup::Pending
        } else {
            Lookup::None
        }
    }

    pub fn binding(&self, action: Action) -> Option<&Binding> {
        self.bindings.iter().find(|b| b.action == action)
    }

    /// The first key of an action, for hints in the footer (`?`, `n`).
    pub fn hint(&self, action: Action) -> String {
        self.binding(action)
            .and_then(|b| b.keys.first())
            .map(|seq| seq.iter().map(Key::to_string).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords_parse_as_written() {
        let cases: &[(&str, Option<Key>)] = &[
            ("q", Some(Key::char('q'))),
            ("G", Some(Key::char('G'))),
            ("?", Some(Key::char('?'))),
            ("/", Some(Key::char('/'))),
            ("-", Some(Key::char('-'))),
            ("ø", Some(Key::char('ø'))),
            ("space", Some(Key::char(' '))),
            ("enter", Some(Key::plain(Code::Enter))),
            ("Esc", Some(Key::plain(Code::Esc))),
            ("up", Some(Key::plain(Code::Up))),
            ("pagedown", Some(Key::plain(Code::PageDown))),
            ("f5", Some(Key::plain(Code::F(5)))),
            ("shift-tab", Some(Key::plain(Code::BackTab))),
            ("shift-g", Some(Key::char('G'))),
            (
                "ctrl-c",
                Some(Key {
                    code: Code::Char('c'),
                    ctrl: true,
                    alt: false,
                }),
            ),
            (
                "ctrl-C",
                Some(Key {
                    code: Code::Char('c'),
                    ctrl: true,
                    alt: false,
                }),
            ),
            (
                "alt-f",
                Some(Key {
                    code: Code::Char('f'),
                    ctrl: false,
                    alt: true,
                }),
            ),
            (
                "ctrl-alt-x",
                Some(Key {
                    code: Code::Char('x'),
                    ctrl: true,
                    alt: true,
                }),
            ),
            (
                "ctrl--",
                Some(Key {
                    code: Code::Char('-'),
                    ctrl: true,
                    alt: false,
                }),
            ),
            ("ctrl-", None),
            ("ctrl-ctrl-c", None),
            ("hyper-x", None),
            ("f13", None),
            ("enterr", None),
            ("", None),
        ];
        for (s, want) in cases {
            assert_eq!(Key::parse(s), *want, "{s:?}");
        }
    }

    #[test]
    fn sequences_split_on_spaces() {
        assert_eq!(
            Key::parse_seq("g g"),
            Some(vec![Key::char('g'), Key::char('g')])
        );
        assert_eq!(Key::parse_seq("  "), None);
        assert_eq!(Key::parse_seq("g blah"), None);
    }

    #[test]
    fn builtin_keymaps_bind_every_bindable_action() {
        for (name, _) in BUILTIN {
            let km = Keymap::builtin(name).expect(name);
            for a in Action::BINDABLE {
                let b = km.binding(*a).unwrap_or_else(|| panic!("{name}: {a:?}"));
                assert!(!b.keys.is_empty(), "{name}: {a:?} has no key");
                assert!(!b.desc_en.is_empty(), "{name}: {a:?} has no English text");
            }
        }
    }

    #[test]
    fn lookup_waits_for_sequences() {
        let km = Keymap::builtin("vim").unwrap();
        assert_eq!(km.lookup(&[Key::char('g')]), Lookup::Pending);
        assert_eq!(
            km.lookup(&[Key::char('g'), Key::char('g')]),
            Lookup::Action(Action::Top)
        );
        assert_eq!(km.lookup(&[Key::char('G')]), Lookup::Action(Action::Bottom));
        assert_eq!(km.lookup(&[Key::char('j')]), Lookup::Action(Action::Down));
        assert_eq!(km.lookup(&[Key::char('Z')]), Lookup::None);
        let d = Keymap::default_keymap();
        assert_eq!(
            d.lookup(&[Key::char('n')]),
            Lookup::Action(Action::NewTicket)
        );
        assert_eq!(
            d.lookup(&[Key::plain(Code::Esc)]),
            Lookup::Action(Action::Back)
        );
    }

    #[test]
    fn a_user_file_overrides_per_action() {
        let base = Keymap::default_keymap();
        let km = Keymap::parse("[quit]\nkeys = [\"ctrl-q\"]\n", "user.toml", Some(&base)).unwrap();
        // Ctrl-C stays: it always quits.
        assert_eq!(
            km.binding(Action::Quit).unwrap().keys_text(),
            "ctrl-q, ctrl-c"
        );
        assert_eq!(
            km.binding(Action::Quit).unwrap().desc,
            base.binding(Action::Quit).unwrap().desc
        );
        assert_eq!(km.binding(Action::Help), base.binding(Action::Help));
    }

    #[test]
    fn a_broken_file_names_its_line_and_key() {
        let src = "[quit]\nkeys = [\"q\"]\n\n[help]\nkeys = [\"?\", \"ctrl-\"]\n";
        let e = Keymap::parse(src, "my.toml", None).unwrap_err().to_string();
        assert!(
            e.starts_with("my.toml:5: help: cannot read the key 'ctrl-'"),
            "{e}"
        );

        let e = Keymap::parse("[fly]\nkeys = [\"f\"]\n", "my.toml", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("my.toml:1: fly: unknown action 'fly'"), "{e}");

        let e = Keymap::parse("[quit]\nkeys = \"q\"\n", "my.toml", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("my.toml:2:"), "{e}");
    }
}
