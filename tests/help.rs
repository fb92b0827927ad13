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

/// The built command tree in a language (building adds `--help`, `--version` and `help`).
fn built(lang: frist::i18n::Lang) -> clap::Command {
    let mut cmd = frist::cli::command(lang);
    cmd.build();
    cmd
}

#[test]
fn every_help_text_has_a_danish_translation() {
    use frist::cli::help_da::{da, texts};
    let english = texts(&built(frist::i18n::Lang::En));
    assert!(
        english.len() > 100,
        "the walk found {} texts",
        english.len()
    );
    let mut missing: Vec<&String> = english.iter().filter(|t| da(t).is_none()).collect();
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "help texts without a Danish translation in src/cli/help_da.rs ({}):\n{}",
        missing.len(),
        missing
            .iter()
            .map(|t| format!("{t:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    // And the Danish tree uses them: not one English text is left in it, the explained
    // values of `--format` and `--role` included.
    let danish = texts(&built(frist::i18n::Lang::Da));
    assert_eq!(danish.len(), english.len());
    let left: Vec<&String> = danish.iter().filter(|t| english.contains(t)).collect();
    assert!(
        left.is_empty(),
        "English left in the Danish --help: {left:?}"
    );
}

#[test]
fn the_language_of_help_is_decided_before_parsing() {
    use frist::cli::help_da::lang_of;
    use frist::i18n::Lang;
    let args = |a: &[&str]| -> Vec<std::ffi::OsString> {
        std::iter::once("frist")
            .chain(a.iter().copied())
            .map(Into::into)
            .collect()
    };
    assert_eq!(lang_of(&args(&["--help"]), None), Lang::Da);
    assert_eq!(lang_of(&args(&["--lang", "en", "--help"]), None), Lang::En);
    assert_eq!(
        lang_of(&args(&["pause", "--help", "--lang=en"]), None),
        Lang::En
    );
    assert_eq!(lang_of(&args(&["--help"]), Some("en")), Lang::En);
    // The command line wins over the environment, as in clap.
    assert_eq!(
        lang_of(&args(&["--lang", "da", "--help"]), Some("en")),
        Lang::Da
    );
    // After `--` a word is a value, not an option.
    assert_eq!(
        lang_of(&args(&["add", "--", "--lang", "en"]), None),
        Lang::Da
    );
}

fn help(args: &[&str], env_lang: Option<&str>) -> String {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_frist"));
    c.args(args).env_remove("FRIST_LANG");
    if let Some(l) = env_lang {
        c.env("FRIST_LANG", l);
    }
    let o = c.output().expect("the binary runs");
    assert!(
        o.status.success(),
        "frist {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 help")
}

#[test]
fn help_speaks_danish_by_default_and_english_on_request() {
    let da = help(&["--help"], None);
    assert!(da.contains("Tildel en sag til en medarbejder"), "{da}");
    assert!(da.contains("Brug: frist"), "{da}");
    assert!(da.contains("Kommandoer:"), "{da}");
    assert!(!da.contains("Give a ticket to an agent"), "{da}");

    let en = help(&["--lang", "en", "--help"], None);
    assert!(en.contains("Give a ticket to an agent"), "{en}");
    assert!(en.contains("Usage: frist"), "{en}");
    assert!(!en.contains("Tildel en sag"), "{en}");
    let env = help(&["--help"], Some("en"));
    assert!(
        env.contains("Give a ticket to an agent"),
        "FRIST_LANG=en: {env}"
    );

    let pause = help(&["pause", "--help"], None);
    assert!(pause.contains("Sæt uret på pause"), "{pause}");
    assert!(
        pause.contains("Sproget i uddata"),
        "the global options too: {pause}"
    );
    let pause = help(&["pause", "--help", "--lang=en"], None);
    assert!(pause.contains("Pause the clock while waiting"), "{pause}");

    // Explained values in the same language.
    let report = help(&["report", "--help"], None);
    assert!(report.contains("CSV til dansk Excel"), "{report}");
    let report = help(&["--lang", "en", "report", "--help"], None);
    assert!(report.contains("CSV for Danish Excel"), "{report}");
}
