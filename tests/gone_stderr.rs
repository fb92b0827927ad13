//! Standard error a pipe whose reader is gone: a warning or an error that cannot be written is
//! dropped, and the command ends with its own exit code, never a panic's 101. (A closed stderr,
//! `2>&-`, never reaches frist: Rust's start-up reopens a closed descriptor 0–2 on /dev/null.)

mod common;
use common::*;

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
