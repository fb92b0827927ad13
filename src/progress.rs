//! Progress of long work (import, demo, verify, export, mail import) on the terminal: a bar on
//! standard error when it is a terminal, nothing at all when it is piped or redirected, so a
//! script's output and logs stay clean.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A progress bar that is drawn only on a terminal.
pub struct Progress(ProgressBar);

impl Progress {
    /// A bar for `len` steps (or a spinner when the length is unknown) labelled `what`
    /// ("importerer hændelser", …); hidden when standard error is no terminal.
    pub fn new(len: Option<u64>, what: &str, lang: crate::i18n::Lang) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(ProgressBar::hidden());
        }
        let bar = match len {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template(lang.t(
                    "{msg} {wide_bar} {human_pos}/{human_len} ({percent} %, {eta} tilbage)",
                    "{msg} {wide_bar} {human_pos}/{human_len} ({percent} %, {eta} left)",
                ))
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {msg} {human_pos}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_message(what.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Progress(bar)
    }

    /// A bar that is never drawn (for callers that report progress themselves, and tests).
    pub fn hidden() -> Progress {
        Progress(ProgressBar::hidden())
    }

    /// `n` more steps done.
    pub fn inc(&self, n: u64) {
        self.0.inc(n);
    }

    /// Sets how many steps there are, once it is known.
    pub fn set_len(&self, n: u64) {
        self.0.set_length(n);
    }

    /// Runs `f` (which prints) with the bar taken off the terminal meanwhile.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.0.suspend(f)
    }

    /// Removes the bar from the terminal: what the command prints next stands alone.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
