//! SIGINT, SIGTERM and SIGHUP while the TUI holds the terminal. Their default action ends the
//! process at once and leaves the terminal raw and on the alternate screen: the shell the
//! agent returns to echoes nothing and ignores Enter. Instead the event loop is told (it ends
//! within a quarter of a second, restores the terminal and closes the log as on `q`); should
//! it be stuck in a long read, or a second signal come, the terminal is restored here and the
//! process ends with the conventional code 128 + signal.
//!
//! In raw mode the terminal sends Ctrl-C as a key, not as SIGINT: that is handled as the quit
//! action (see [`super::app::App::key`]).

/// How long the event loop has to end by itself after a signal.
#[cfg(unix)]
const GRACE: std::time::Duration = std::time::Duration::from_secs(1);

/// Watches for the termination signals while it lives.
pub struct Watch {
    #[cfg(unix)]
    got: std::sync::Arc<std::sync::atomic::AtomicI32>,
    #[cfg(unix)]
    handle: Option<signal_hook::iterator::Handle>,
    /// Dropped with the watch: tells a waiting watchdog that the session has ended.
    #[cfg(unix)]
    _done: std::sync::mpsc::Sender<()>,
}

/// A signal's name, for the message.
pub fn name(sig: i32) -> &'static str {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        match sig {
            SIGINT => "SIGINT",
            SIGTERM => "SIGTERM",
            SIGHUP => "SIGHUP",
            _ => "signal",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = sig;
        "signal"
    }
}

/// Gives the terminal back and ends the process: the last resort when the event loop does not
/// end by itself.
#[cfg(unix)]
fn restore_and_exit(sig: i32) -> ! {
    use ratatui::crossterm::{cursor::Show, execute};
    ratatui::restore();
    let _ = execute!(std::io::stdout(), Show);
    crate::say_err!("frist: {}", name(sig));
    std::process::exit(128 + sig);
}

impl Watch {
    /// Starts watching. A platform without these signals (or a failure to register) watches
    /// nothing: the TUI still works, as before.
    pub fn start() -> Watch {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            use std::sync::atomic::Ordering;
            let got = std::sync::Arc::new(std::sync::atomic::AtomicI32::new(0));
            let (done, done_rx) = std::sync::mpsc::channel::<()>();
            let handle = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
                Ok(mut signals) => {
                    let handle = signals.handle();
                    let seen = got.clone();
                    let mut done_rx = Some(done_rx);
                    std::thread::spawn(move || {
                        for sig in signals.forever() {
                            if seen.swap(sig, Ordering::SeqCst) != 0 {
                                // A second signal: the agent means it.
                                restore_and_exit(sig);
                            }
                            if let Some(rx) = done_rx.take() {
                                std::thread::spawn(move || {
                                    if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                                        rx.recv_timeout(GRACE)
                                    {
                                        restore_and_exit(sig);
                                    }
                                });
                            }
                        }
                    });
                    Some(handle)
                }
                Err(_) => None,
            };
            Watch {
                got,
                handle,
                _done: done,
            }
        }
        #[cfg(not(unix))]
        Watch {}
    }

    /// The signal received, if any.
    pub fn received(&self) -> Option<i32> {
        #[cfg(unix)]
        {
            match self.got.load(std::sync::atomic::Ordering::SeqCst) {
                0 => None,
                s => Some(s),
            }
        }
        #[cfg(not(unix))]
        None
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(h) = self.handle.take() {
            h.close();
        }
    }
}
