//! The real binary in a pseudo-terminal: open the TUI on an empty log, create a ticket through
//! the form, see it on the board, react to it, quit, and find it with `frist show`.

mod common;

use common::{custom_contract, path_str, Log, NOW};
use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

struct Screen {
    parser: vt100::Parser,
    rx: Receiver<Vec<u8>>,
    input: Box<dyn Write + Send>,
    /// Kept to read the terminal's mode after the TUI has gone.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Screen {
    /// Feeds output to the terminal emulator until `text` is on the screen (or fails after
    /// a generous limit, showing the screen).
    fn wait_for(&mut self, text: &str) {
        let limit = Instant::now() + Duration::from_secs(30);
        loop {
            if self.parser.screen().contents().contains(text) {
                return;
            }
            // The clock ticks every second, so output never stops: the limit is checked here,
            // not left to the channel's timeout.
            let left = limit.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(bytes) if !left.is_zero() => self.parser.process(&bytes),
                _ => panic!(
                    "{text:?} never appeared; the screen shows:\n{}",
                    self.parser.screen().contents()
                ),
            }
        }
    }

    fn keys(&mut self, s: &str) {
        self.input.write_all(s.as_bytes()).unwrap();
        self.input.flush().unwrap();
    }
}

/// Starts the TUI on the log in an 80×24 pseudo-terminal.
fn spawn(log: &Log) -> (Screen, Box<dyn portable_pty::Child + Send + Sync>) {
    spawn_with(log, &[])
}

/// Starts `frist ARGS` (the TUI when no command is given) on the log in the pseudo-terminal.
fn spawn_with(log: &Log, args: &[&str]) -> (Screen, Box<dyn portable_pty::Child + Send + Sync>) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_frist"));
    cmd.args(args);
    cmd.env("FRIST_DB", path_str(&log.db));
    cmd.env("FRIST_NOW", NOW);
    cmd.env("FRIST_USER", "mette");
    // Mail settings from the test's folder, never the runner's config directory.
    cmd.env("FRIST_CONFIG", log.dir.path().join("config.toml"));
    cmd.env_remove("FRIST_SMTP");
    cmd.env_remove("FRIST_OUTBOX");
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("FRIST_LANG");
    let child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let s = Screen {
        parser: vt100::Parser::new(24, 80, 0),
        rx,
        input: pty.master.take_writer().unwrap(),
        master: pty.master,
    };
    (s, child)
}

/// Waits (within a limit) for the TUI to end; `what` it was expected to do, for the failure.
fn exit_of(
    child: &mut Box<dyn portable_pty::Child + Send + Sync>,
    what: &str,
) -> portable_pty::ExitStatus {
    let limit = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > limit {
            child.kill().ok();
            panic!("the TUI did not {what}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends `q` on the board and waits (within a limit) for a clean exit.
fn quit(s: &mut Screen, mut child: Box<dyn portable_pty::Child + Send + Sync>) {
    // Only the board shows its filter line; until it shows, a 'q' sent now could follow an
    // Esc closely enough to be read as Alt-q.
    s.wait_for("Filter:");
    s.keys("q");
    let status = exit_of(&mut child, "quit on 'q'");
    assert!(status.success(), "the TUI exits cleanly: {status:?}");
}

#[test]
fn a_ticket_made_in_the_tui_is_in_the_log() {
    let log = Log::new();
    let (mut s, child) = spawn(&log);

    s.wait_for("Loggen er tom");
    s.keys("n\r");
    s.wait_for("Sager");
    s.keys("n");
    s.wait_for("Ny sag");
    s.keys("Lemvig\tBirthe Holm\tIngen kan logge ind i app'en");
    s.wait_for("Forslag");
    s.keys("\r");
    // At 80 columns the board cuts the title.
    s.wait_for("Ingen kan logge");
    // Open it, record the reaction (the form's defaults: no note, now), back, quit.
    s.keys("\r");
    s.wait_for("Forløb");
    s.keys("r");
    s.wait_for("Reaktion");
    s.keys("\r");
    s.wait_for("Tilstand: reageret");
    s.keys("\x1b");
    quit(&mut s, child);

    let v = log.json(&["show", "1", "--json"]);
    assert_eq!(v["municipality"], "Lemvig");
    assert_eq!(v["title"], "Ingen kan logge ind i app'en");
    assert_eq!(v["state"], "reacted", "{v}");
    assert_eq!(v["reaction"]["status"], "met", "{v}");
    assert_eq!(v["events"][0]["user"], "mette", "{v}");
}

#[test]
fn an_empty_log_that_exists_is_offered_demo_tickets_before_the_board() {
    let log = Log::new();
    // An empty database (a read command no longer makes one): the TUI finds it empty only
    // after opening it.
    drop(frist::store::LocalStore::open(&log.db).unwrap());
    let (mut s, child) = spawn(&log);
    s.wait_for("Loggen er tom");
    s.keys("j\r");
    // The board over the demo tickets: the acceptance tab counts the resolved ones.
    s.wait_for("Afventer kommunen (");
    quit(&mut s, child);
    assert!(log.ok(&["verify"]).contains("200 sager"));
}

/// SIGINT, SIGTERM and SIGHUP to the TUI: it ends with 128 + the signal, and the terminal it
/// leaves is the one it found: off the alternate screen, out of raw mode (the line
/// discipline echoes and waits for Enter again), cursor shown.
#[cfg(target_os = "linux")]
#[test]
fn a_signal_to_the_tui_gives_the_terminal_back() {
    // ICANON and ECHO of Linux's termios c_lflag.
    const ICANON: u32 = 0o2;
    const ECHO: u32 = 0o10;
    let log = Log::new();
    log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]);
    for (name, number) in [("INT", 2), ("TERM", 15), ("HUP", 1)] {
        let (mut s, mut child) = spawn(&log);
        s.wait_for("Filter:");
        let raw = s.master.get_termios().expect("termios").local_flags.bits();
        assert_eq!(raw & (ICANON | ECHO), 0, "the TUI runs in raw mode");
        assert!(s.parser.screen().alternate_screen());
        let pid = child.process_id().expect("a pid").to_string();
        let killed = std::process::Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .unwrap();
        assert!(killed.success());
        // Everything the TUI writes until it has gone (the reader ends when it exits).
        while let Ok(bytes) = s.rx.recv_timeout(Duration::from_secs(30)) {
            s.parser.process(&bytes);
        }
        let status = child.wait().unwrap();
        assert_eq!(status.exit_code(), 128 + number, "SIG{name}: {status:?}");
        assert!(
            !s.parser.screen().alternate_screen(),
            "SIG{name}: the alternate screen is left"
        );
        assert!(!s.parser.screen().hide_cursor(), "SIG{name}: cursor shown");
        let mode = s.master.get_termios().expect("termios").local_flags.bits();
        assert_eq!(
            mode & (ICANON | ECHO),
            ICANON | ECHO,
            "SIG{name}: raw mode is off"
        );
        // The start line, the two events, the end line.
        assert_eq!(log.export().lines().count(), 4, "the log is intact");
    }
}

/// The board open on a local log: commands on the same log work meanwhile, the board shows
/// their tickets within two seconds without a key pressed, and a stopped board (Ctrl-Z,
/// SIGSTOP) holds nothing between its turns (the --wait covers a turn that was ending).
#[cfg(target_os = "linux")]
#[test]
fn commands_work_while_the_board_is_open_and_the_board_shows_them() {
    let log = Log::new();
    log.add(&["--category", "kritisk"]);
    let (mut s, child) = spawn(&log);
    s.wait_for("Låsen reag");
    s.wait_for("Filter:");
    let r = log.run(&[
        "add",
        "--municipality",
        "Odense",
        "--title",
        "Porten binder",
        "--category",
        "kritisk",
    ]);
    assert_eq!(r.code, 0, "add while the board is open: {}", r.stderr);
    let written = Instant::now();
    s.wait_for("Porten bind");
    assert!(
        written.elapsed() < Duration::from_secs(2),
        "the board showed it after {:?}",
        written.elapsed()
    );
    let pid = child.process_id().expect("a pid").to_string();
    let signal = |sig: &str| {
        let sent = std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap();
        assert!(sent.success());
    };
    // The board read the new ticket in a turn of its own; once that turn has let go of the log
    // (a command that will not wait gets in), the board is stopped between turns.
    let free = Instant::now() + Duration::from_secs(10);
    while log.run(&["--wait", "0", "show", "1"]).code != 0 {
        assert!(
            Instant::now() < free,
            "the board kept the log after its turn"
        );
    }
    signal("-STOP");
    let stopped = log.run(&["--wait", "3", "note", "1", "ringede"]);
    signal("-CONT");
    assert_eq!(
        stopped.code, 0,
        "a stopped board holds the log: {}",
        stopped.stderr
    );
    quit(&mut s, child);
    assert_eq!(log.run(&["verify"]).code, 0);
}

/// Long work shows its progress on a terminal and says nothing of it when piped.
#[test]
fn a_demo_shows_progress_on_a_terminal_and_none_when_piped() {
    let log = Log::new();
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_frist"));
    cmd.args(["--db", path_str(&log.db), "demo", "--tickets", "2000"]);
    cmd.env("FRIST_NOW", NOW);
    cmd.env("FRIST_CONFIG", log.dir.path().join("config.toml"));
    cmd.env("FRIST_KEYS", log.dir.path().join("keys"));
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("FRIST_LANG");
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let reading = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        all
    });
    assert!(child.wait().unwrap().success());
    drop(pty.master);
    let shown = String::from_utf8_lossy(&reading.join().unwrap()).into_owned();
    assert!(shown.contains("laver demo-sager"), "{shown}");
    // Piped, as in a script: the same work, no bar.
    let piped = Log::new();
    let r = piped.run(&["demo", "--tickets", "2000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("demo-sager"), "{}", r.stderr);
}

#[test]
fn the_board_refuses_a_contract_file_changed_without_an_amendment() {
    let log = Log::new();
    let c = custom_contract(&log, 1);
    log.add(&[
        "--contract",
        &c,
        "--category",
        "kritisk",
        "--at",
        "2025-03-05 07:00",
    ]);
    custom_contract(&log, 999_999);
    let (mut s, mut child) = spawn_with(&log, &["--contract", &c]);
    s.wait_for("afviger fra den version");
    let status = exit_of(&mut child, "stop on the changed contract");
    assert_eq!(status.exit_code(), 2, "{}", s.parser.screen().contents());
    assert!(s.parser.screen().contents().contains("contract amend"));
}
