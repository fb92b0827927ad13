//! Times the real binary as an agent sees it: `frist` is started in a pseudo-terminal and its
//! output is fed to a terminal emulator until the board is on screen, then until every count in
//! the footer is in.
//!
//! `cargo build --release && cargo run --release --example first_board -- DB [RUNS]`
//!
//! Make a big log first, e.g.
//! `frist --db /tmp/big/db --now "2026-11-23 12:00" demo --tickets 1000000`.

use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

/// Milliseconds from start until the board was on screen, and until the footer was complete.
fn one_run(frist: &PathBuf, db: &str) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let pair = native_pty_system().openpty(PtySize {
        rows: 36,
        cols: 120,
        pixel_width: 0,
        pixel_height: 0,
    })?;
    let mut cmd = CommandBuilder::new(frist);
    cmd.args(["--db", db, "--now", "2026-11-23 12:00"]);
    cmd.env("TERM", "xterm-256color");
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd)?;
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader()?;
    let mut input = pair.master.take_writer()?;
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut screen = vt100::Parser::new(36, 120, 0);
    let (mut board, mut complete) = (None, None);
    let limit = start + Duration::from_secs(60);
    while complete.is_none() {
        let left = limit.saturating_duration_since(Instant::now());
        let bytes = rx
            .recv_timeout(left)
            .map_err(|_| "the board did not appear within a minute")?;
        screen.process(&bytes);
        let text = screen.screen().contents();
        let reading = text.contains("Indlæser sagerne fra loggen");
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        if board.is_none() && text.contains("Åbne ") && !reading {
            board = Some(ms);
        }
        if board.is_some() && !text.contains("dagsbod …") {
            complete = Some(ms);
        }
    }
    input.write_all(b"q")?;
    input.flush()?;
    child.wait()?;
    Ok((board.unwrap_or(f64::NAN), complete.unwrap_or(f64::NAN)))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let db = args.next().ok_or("give the database's path")?;
    let runs: usize = args.next().map_or(Ok(5), |r| r.parse())?;
    // The binary beside this example's directory: target/release/frist.
    let exe = std::env::current_exe()?;
    let frist = exe
        .parent()
        .and_then(|examples| examples.parent())
        .map(|dir| dir.join("frist"))
        .filter(|p| p.exists())
        .ok_or("build the binary first: cargo build --release")?;
    let (mut boards, mut completes) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (b, c) = one_run(&frist, &db)?;
        println!("board on screen {b:.0} ms after start, every count in {c:.0} ms");
        boards.push(b);
        completes.push(c);
    }
    println!(
        "median of {runs}: board {:.0} ms, complete {:.0} ms",
        median(boards),
        median(completes)
    );
    Ok(())
}
