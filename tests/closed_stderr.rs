//! Standard error closed (`2>&-`) or a pipe whose reader is gone: a warning or an error that
//! cannot be written is dropped, and the command ends with its own exit code, never a panic's
//! 101.

mod common;
use common::*;
use std::process::{Command, Stdio};

/// The warning (`add` without `--category` says its guess on stderr, exit 0) and the error
/// (`list` of a municipality that is not in the log, exit 2), with their exit codes.
const CASES: [(&[&str], i32); 2] = [
    (
        &[
            "add",
            "--municipality",
            "Aarhus",
            "--title",
            "Låsen reagerer ikke",
        ],
        0,
    ),
    (&["list", "--municipality", "Arhus"], 2),
];

#[test]
fn a_pipe_whose_reader_is_gone_does_not_change_the_exit_code() {
    let log = Log::new();
    log.add(&["--category", "kritisk"]);
    for (args, code) in CASES {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let r = out(log.cmd(args).stderr(writer).output().unwrap());
        assert_eq!(r.code, code, "frist {args:?} with its stderr's reader gone");
    }
    // The ticket added with nobody reading its warning is logged.
    assert_eq!(log.json(&["list", "--json"]).as_array().unwrap().len(), 2);
}

#[cfg(unix)]
#[test]
fn a_closed_stderr_does_not_change_the_exit_code() {
    let log = Log::new();
    log.add(&["--category", "kritisk"]);
    for (args, code) in CASES {
        let frist = log.cmd(args);
        // `exec 2>&-` closes the descriptor, as a shell's `frist … 2>&-` does.
        let mut sh = Command::new("sh");
        sh.args(["-c", "exec \"$0\" \"$@\" 2>&-"])
            .arg(frist.get_program())
            .args(frist.get_args())
            .stdout(Stdio::piped());
        for (k, v) in frist.get_envs() {
            match v {
                Some(v) => sh.env(k, v),
                None => sh.env_remove(k),
            };
        }
        let r = out(sh.output().unwrap());
        assert_eq!(r.code, code, "frist {args:?} 2>&-: {}", r.stdout);
    }
}
