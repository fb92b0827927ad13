//! Every entry of `--help` says what it is for: a user who types `frist pause --help` meets no
//! bare `--reason <REASON>` line.

use clap::CommandFactory;

/// Walks the command tree and names every subcommand and argument without help text.
fn unexplained(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
    for arg in cmd.get_arguments() {
        let id = arg.get_id().as_str();
        if id == "help" || id == "version" {
            continue;
        }
        let empty = |s: Option<&clap::builder::StyledStr>| {
            s.is_none_or(|s| s.to_string().trim().is_empty())
        };
        if empty(arg.get_help()) && empty(arg.get_long_help()) {
            out.push(format!("{path} {id}"));
        }
        // A list of choices explains all of them or none (clap prints the explained ones as
        // a list, where a bare entry reads as forgotten).
        let values = arg.get_possible_values();
        if values.iter().any(|v| v.get_help().is_some()) {
            for v in values.iter().filter(|v| empty(v.get_help())) {
                out.push(format!("{path} {id}={}", v.get_name()));
            }
        }
    }
    for sub in cmd.get_subcommands() {
        let name = format!("{path} {}", sub.get_name());
        if sub.get_name() != "help"
            && sub
                .get_about()
                .is_none_or(|s| s.to_string().trim().is_empty())
            && sub
                .get_long_about()
                .is_none_or(|s| s.to_string().trim().is_empty())
        {
            out.push(format!("{name} (subcommand)"));
        }
        unexplained(sub, &name, out);
    }
}

#[test]
fn every_argument_and_subcommand_has_help_text() {
    let cmd = frist::cli::Cli::command();
    let mut missing = Vec::new();
    unexplained(&cmd, "frist", &mut missing);
    // The walk reaches the deep corners, so an empty list means something.
    assert!(
        cmd.get_subcommands()
            .any(|s| s.get_name() == "db" && s.get_subcommands().next().is_some()),
        "the tree walk found no nested subcommands"
    );
    assert!(
        missing.is_empty(),
        "empty entries in --help ({}):\n{}",
        missing.len(),
        missing.join("\n")
    );
}
