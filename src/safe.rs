//! Text from the log made safe for where it is written. Titles, notes, reporters, municipality
//! and user names are typed by people (or imported from files and mail) and may hold anything:
//!
//! - a terminal or a Markdown mail must not receive control characters, or a title such as
//!   `"\x1b]0;pwned\x07"` sets the window title, `"\x1b[2J"` clears the screen and OSC 52 writes
//!   the clipboard. [`text`] shows them escaped (`\x1b`), so the agent sees what was typed;
//! - a spreadsheet must not run a cell as a formula (`=HYPERLINK(…)`): [`Sheet`] is the one CSV
//!   writer of frist, for the report and the TUI's breach export.
//!
//! JSON needs neither: serde escapes control characters and keeps the text exact.
//! Pure: no clock, no disk; used by `cli`, `report` and `tui` alike.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls and DEL, the Unicode line
/// and paragraph separators, and the bidirectional overrides that reorder what is shown
/// ("Trojan Source").
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

fn escape(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// One line of text for a terminal or a Markdown document: every control character (newlines
/// and tabs too) shown as an escape such as `\x1b` or `\n`. Text without any is borrowed as is.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`text`], but keeps line breaks and tabs: for a message of several lines.
pub fn lines(s: &str) -> Cow<'_, str> {
    let bad = |c: char| unsafe_char(c) && c != '\n' && c != '\t';
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `s` is a plain number (`-12`, `3,5`, `0.25`): a spreadsheet reads it as a number
/// and cannot run it, so a leading minus stays.
fn plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once([',', '.']) {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// A CSV cell that a spreadsheet shows as text and never runs as a formula (OWASP's
/// CSV-injection rule): a cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is
/// prefixed with a single quote. Plain numbers such as `-5` stay numbers.
pub fn cell(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !plain_number(s) => {
            Cow::Owned(format!("'{s}"))
        }
        _ => Cow::Borrowed(s),
    }
}

/// The CSV writer for Danish Excel: UTF-8 with a byte-order mark (or Excel shows "Ã¸" for
/// "ø"), `;` between fields, CRLF line ends, fields quoted when they hold `;`, `"` or a line
/// break, and every cell neutralised by [`cell`]. Rows may differ in length.
pub struct Sheet {
    w: csv::Writer<Vec<u8>>,
}

impl Default for Sheet {
    fn default() -> Self {
        Self::new()
    }
}

impl Sheet {
    pub fn new() -> Sheet {
        Sheet {
            w: csv::WriterBuilder::new()
                .delimiter(b';')
                .flexible(true)
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new()),
        }
    }

    /// Appends one row.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // Writing into a Vec cannot fail.
        let _ = self
            .w
            .write_record(cells.into_iter().map(|c| cell(c.as_ref()).into_owned()));
    }

    /// The document: the byte-order mark, then the rows.
    pub fn finish(self) -> String {
        let bytes = self.w.into_inner().unwrap_or_default();
        let mut out = String::with_capacity(bytes.len() + 3);
        out.push('\u{feff}');
        // Every cell came from a `&str`, so the bytes are UTF-8.
        out.push_str(&String::from_utf8_lossy(&bytes));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_sequences_and_keeps_danish() {
        assert_eq!(text("Låse i Ærø"), "Låse i Ærø");
        assert_eq!(text("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
        assert_eq!(text("a\nb\tc\u{9b}d\u{202e}"), "a\\nb\\tc\\u{9b}d\\u{202e}");
        assert_eq!(lines("a\nb\x1b[2J"), "a\nb\\x1b[2J");
    }

    #[test]
    fn cells_that_could_run_are_quoted() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+45 1234"), "'+45 1234");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("\rx"), "'\rx");
        assert_eq!(cell("-5"), "-5");
        assert_eq!(cell("-0,5"), "-0,5");
        assert_eq!(cell("Aarhus"), "Aarhus");
        assert_eq!(cell(""), "");
        assert_eq!(cell("-"), "'-");
    }

    #[test]
    fn a_sheet_has_a_bom_semicolons_and_quotes() {
        let mut s = Sheet::new();
        s.row(["a;b", "=HYPERLINK(\"x\")", "ø"]);
        assert_eq!(
            s.finish(),
            "\u{feff}\"a;b\";\"'=HYPERLINK(\"\"x\"\")\";ø\r\n"
        );
    }
}
