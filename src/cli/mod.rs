//! The command line (clap): every action of frist, for scripts and for people who prefer a
//! prompt. The binary's edge: it reads the clock, the environment and the disk.

pub mod add_from;
pub mod checkpoint;
mod classify;
pub mod contact;
mod contract;
pub mod demo;
mod engine;
pub mod exchange;
pub mod help_da;
pub mod import;
pub mod log;
pub mod mail;
pub mod mail_out;
pub mod report;
mod team;

use crate::i18n::Lang;
use crate::store::{Log, Store, StoreError};
use chrono::Utc;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;

/// frist — servicemål, frister og dagsbod for leverandører til danske kommuner.
#[derive(Debug, Parser)]
#[command(name = "frist", version, about, long_about = None)]
pub struct Cli {
    /// Contract: a built-in name (laasesystem, ddh-chatbot) or the path of a contract file.
    #[arg(long, global = true, env = "FRIST_CONTRACT", default_value = crate::contract::DEFAULT)]
    pub contract: String,
    /// Evaluate as of this instant: 'YYYY-MM-DD HH:MM' (contract-local) or RFC 3339. It is
    /// also the default of `--at`; a write is still recorded at the real clock.
    #[arg(long, global = true, env = "FRIST_NOW")]
    pub now: Option<String>,
    /// Language of the output.
    #[arg(long, global = true, env = "FRIST_LANG", value_enum, default_value_t = Lang::Da)]
    pub lang: Lang,
    /// The support log: a local log's folder (default: the platform's data directory), or a shared
    /// PostgreSQL database as postgres://USER@HOST[:PORT]/DB[?sslmode=require] (team mode).
    #[arg(long, global = true, env = "FRIST_DB")]
    pub db: Option<PathBuf>,
    /// The acting user recorded with each event on a local log (default: the OS user). In
    /// team mode the database login is the acting user.
    #[arg(long, global = true, env = "FRIST_USER")]
    pub user: Option<String>,
    /// TUI keymap: a built-in name (default, vim) or the path of a keymap file.
    #[arg(long, global = true, env = "FRIST_KEYMAP")]
    pub keymap: Option<String>,
    /// How long a command waits for a local log that another frist process (the board, a
    /// script) is using, in seconds.
    #[arg(
        long,
        global = true,
        env = "FRIST_WAIT",
        value_name = "SECS",
        default_value_t = 10
    )]
    pub wait: u64,
    /// Where mail goes as .eml files when no SMTP server is configured (FRIST_SMTP or the
    /// config file); default: a folder beside the log.
    #[arg(long, global = true, env = "FRIST_OUTBOX")]
    pub outbox: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the closed and shortened days of a year in the contract's calendar.
    Holidays(engine::HolidaysArgs),
    /// Draw a month: working days, closed days, shortened days and the service window.
    Calendar(engine::CalendarArgs),
    /// List the known contracts with their categories and targets.
    Contracts(engine::ContractsArgs),
    /// The contract versions the log keeps: `contract amend FILE --from DATE` records a new
    /// one.
    Contract(contract::ContractArgs),
    /// Compute the reaction and resolution deadlines of a report, with an explanation.
    Deadline(engine::DeadlineArgs),
    /// Compute the dagsbod (daily fine) of a late resolution.
    Fine(engine::FineArgs),
    /// Suggest a category for a ticket's text, with confidence and reasons.
    Classify(classify::ClassifyArgs),
    /// Log a new ticket; prints its id.
    Add(log::AddArgs),
    /// Record the reaction: the municipality was contacted with a diagnosis and a plan.
    React(log::StepArgs),
    /// Pause the clock while waiting for the municipality.
    Pause(log::ReasonArgs),
    /// Resume a paused ticket.
    Resume(log::StepArgs),
    /// Record the resolution (fixed, or a workaround shown).
    Resolve(log::StepArgs),
    /// Record the municipality's written acceptance; the ticket closes.
    Accept(log::AcceptArgs),
    /// Record the municipality's rejection; the ticket reopens.
    Reject(log::RejectArgs),
    /// The municipalities' contact people: whose mail counts as the municipality's.
    Contact(contact::ContactArgs),
    /// Mail: import the municipality's answers, the inbox, suggested tickets; send what
    /// failed before (`send`), reminders and timer alerts (`remind`).
    Mail(mail::MailArgs),
    /// Give a ticket to an agent (`--to LOGIN`); `list --mine` shows one's own.
    Assign(log::AssignArgs),
    /// Change a ticket's category, with a reason.
    Reclassify(log::ReclassifyArgs),
    /// Add a note to a ticket.
    Note(log::NoteArgs),
    /// Correct a ticket's report time, with a reason.
    CorrectReportTime(log::CorrectArgs),
    /// Withdraw a step (a reaction, pause, resumption, resolution, acceptance or rejection)
    /// by a new event; the step stays in the log, marked as withdrawn.
    Retract(log::RetractArgs),
    /// Mend a ticket's title, description or reporter, with a reason; the old text stays in
    /// the log.
    Edit(log::EditArgs),
    /// Mark a ticket's breach as disputed, with a reason (supervisors in team mode).
    Dispute(log::DisputeArgs),
    /// Show a ticket with its deadlines, fine and events.
    Show(log::ShowArgs),
    /// List tickets.
    List(log::ListArgs),
    /// List the tickets whose deadlines were missed in a month.
    Breaches(log::BreachesArgs),
    /// Write every event as JSON lines (lossless, with the audit chain's hashes).
    Export,
    /// Load a file written by `export` into an empty database.
    Import(import::ImportArgs),
    /// Walk the audit chain and check every event and ticket, then compare the log with a
    /// checkpoint (`--checkpoint FILE`, else the last one this machine made of the log).
    Verify(checkpoint::VerifyArgs),
    /// Write a signed statement of the log's state (events, head hash), so that a log later
    /// cut, rolled back or rewritten is caught; `--key` prints the public key.
    Checkpoint(checkpoint::CheckpointArgs),
    /// Fill the database with realistic demo tickets.
    Demo(demo::DemoArgs),
    /// The monthly service report for the municipality: targets, breaches, dagsbod,
    /// availability, response times.
    Report(report::ReportArgs),
    /// Response-time measurements (svartider) for the report.
    Svartider(report::SvartiderArgs),
    /// Team mode: set up the PostgreSQL database (`db init`).
    Db(team::DbArgs),
    /// Team mode: the people of the shared log and their roles.
    User(team::UserArgs),
    /// Who the log records as the acting user, with role and municipality in team mode.
    Whoami,
    /// Print shell completions.
    Completions {
        /// The shell to write completions for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

pub use crate::edge::{CmdResult, Ctx, Failure};

impl Cli {
    /// Loads the contract and fixes the clock.
    pub fn context(&self) -> Result<Ctx, Failure> {
        let loaded =
            crate::load::contract(&self.contract).map_err(|e| Failure::of(e, self.lang))?;
        let now = match &self.now {
            Some(s) => crate::time::parse_time(s, &loaded.contract.tz).map_err(|e| {
                Failure::usage(format!("--now / FRIST_NOW: {}", e.message(self.lang)))
            })?,
            None => Utc::now(),
        };
        Ok(Ctx {
            loaded,
            now,
            fixed: self.now.is_some(),
            lang: self.lang,
            wait: std::time::Duration::from_secs(self.wait),
        })
    }
}

/// The command tree with `--help` in `lang`.
pub fn command(lang: Lang) -> clap::Command {
    match lang {
        Lang::Da => help_da::translate(Cli::command()),
        Lang::En => Cli::command(),
    }
}

/// Parses the process's command line, with `--help` and clap's refusals in the language the
/// command line or `FRIST_LANG` asks for (clap itself knows no languages).
pub fn parse() -> Cli {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = help_da::lang_of(&args, std::env::var("FRIST_LANG").ok().as_deref());
    let matches = command(lang).get_matches_from(args);
    Cli::from_arg_matches(&matches)
        .map_err(|e| e.format(&mut command(lang)))
        .unwrap_or_else(|e| e.exit())
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> CmdResult {
    if let Some(Command::Completions { shell }) = cli.command {
        clap_complete::generate(
            shell,
            &mut command(cli.lang),
            "frist",
            &mut std::io::stdout(),
        );
        return Ok(());
    }
    let ctx = cli.context()?;
    let mut out = std::io::stdout().lock();
    if let Some(cmd) = &cli.command {
        if let Some(r) = run_log(&cli, &ctx, cmd, &mut out) {
            return r;
        }
    }
    match &cli.command {
        None => {
            use std::io::IsTerminal;
            if std::io::stdout().is_terminal() {
                drop(out);
                tui(&ctx, &cli)
            } else {
                engine::overview(&ctx, &mut out)
            }
        }
        Some(Command::Holidays(a)) => engine::holidays(&ctx, a, &mut out),
        Some(Command::Calendar(a)) => engine::calendar(&ctx, a, &mut out),
        Some(Command::Contracts(a)) => {
            engine::contracts(&ctx, a, &mut out)?;
            // With a log, the versions it keeps and the days they apply from.
            if a.json || !log::log_exists(cli.db.as_deref()) {
                return Ok(());
            }
            let store = log::open_store(&ctx, cli.db.as_deref(), &cli.contract)?;
            contract::versions(&ctx, &*store, &mut out)
        }
        Some(Command::Deadline(a)) => engine::deadline(&ctx, a, &mut out),
        Some(Command::Fine(a)) => engine::fine(&ctx, a, &mut out),
        Some(Command::Classify(a)) => classify::classify(&ctx, a, &cli, &mut out),
        Some(Command::Db(a)) => team::db(&ctx, cli.db.as_deref(), a, &mut out),
        Some(Command::User(a)) => team::user(&ctx, cli.db.as_deref(), a, &mut out),
        Some(Command::Whoami) => team::whoami(
            &ctx,
            cli.db.as_deref(),
            &log::user(cli.user.as_deref()),
            &mut out,
        ),
        Some(_) => Ok(()),
    }
}

/// The support-log commands: they open the store. `None` for other commands.
fn run_log(
    cli: &Cli,
    ctx: &Ctx,
    cmd: &Command,
    out: &mut impl std::io::Write,
) -> Option<CmdResult> {
    use crate::ticket::EventKind as K;
    if matches!(
        cmd,
        Command::Holidays(_)
            | Command::Calendar(_)
            | Command::Contracts(_)
            | Command::Deadline(_)
            | Command::Fine(_)
            | Command::Classify(_)
            | Command::Db(_)
            | Command::User(_)
            | Command::Whoami
            | Command::Completions { .. }
    ) {
        return None;
    }
    // Only a write may make a log; a first write that is refused leaves nothing behind.
    let writes = matches!(
        cmd,
        Command::Add(_) | Command::Import(_) | Command::Demo(_) | Command::Svartider(_)
    ) || matches!(
        cmd,
        Command::Contact(contact::ContactArgs {
            command: contact::ContactCommand::Add { .. }
        })
    );
    let before = match log::db_path(cli.db.as_deref()) {
        Ok(p) if !log::is_team(cli.db.as_deref()) => Some(crate::store::files::Before::of(&p)),
        _ => None,
    };
    if !writes {
        if let Err(f) = log::no_log(ctx, cli.db.as_deref()) {
            return Some(Err(f));
        }
    }
    let fresh = before.filter(|b| !b.had_log());
    let store = match log::open_store(ctx, cli.db.as_deref(), &cli.contract) {
        Ok(s) => s,
        Err(f) => {
            // Not when another process has begun a log there meanwhile (it holds it: the open
            // waited and gave up).
            if let Some(b) = fresh
                .as_ref()
                .filter(|b| !crate::store::files::holds_log_here(b.path()))
            {
                b.undo();
            }
            return Some(Err(f));
        }
    };
    let user = acting_user(ctx, cli, &store);
    let place = log::place(cli.db.as_deref());
    if matches!(cmd, Command::List(_)) {
        if let Some(w) = checkpoint::behind(ctx, &*store, &place) {
            crate::say_err!("{w}");
        }
    }
    let s: &dyn Store = &*store;
    if let Command::Contract(contract::ContractArgs {
        command: contract::ContractCommand::Amend(a),
    }) = cmd
    {
        return Some(contract::amend(ctx, s, &user, a, out));
    }
    // The log, not the file in the working directory, says which contract text tickets are
    // computed with (domain §10).
    // A command that only reads writes nothing, not even the first kept version.
    let reads_only = matches!(
        cmd,
        Command::Show(_)
            | Command::List(_)
            | Command::Breaches(_)
            | Command::Export
            | Command::Verify(_)
            | Command::Checkpoint(_)
            | Command::Contracts(_)
    ) || matches!(cmd, Command::Report(a) if !a.mail);
    if let Err(f) = contract::pin(ctx, s, &user, !reads_only) {
        return Some(Err(f));
    }
    let result = match cmd {
        Command::Add(a) => log::add(ctx, s, &user, a, out),
        Command::React(a) => log::step(
            ctx,
            s,
            &user,
            a.id,
            K::Reacted {
                note: a.note.clone(),
            },
            a.at.as_deref(),
            out,
        ),
        Command::Pause(a) => log::step(
            ctx,
            s,
            &user,
            a.id,
            K::Paused {
                reason: a.reason.clone(),
            },
            a.at.as_deref(),
            out,
        ),
        Command::Resume(a) => log::step(ctx, s, &user, a.id, K::Resumed, a.at.as_deref(), out),
        // The mail set-up is read first: a broken one is refused before anything is written.
        Command::Resolve(a) => mail_out::postman(ctx, cli.db.as_deref(), cli.outbox.as_deref())
            .and_then(|postman| {
                log::step(
                    ctx,
                    s,
                    &user,
                    a.id,
                    K::Resolved {
                        note: a.note.clone(),
                    },
                    a.at.as_deref(),
                    out,
                )?;
                // The municipality is told at once; a mail that fails is kept and retried.
                mail_out::with_notifier(
                    ctx,
                    &store,
                    &user,
                    &postman,
                    |n| n.resolution_notice(a.id),
                    out,
                )
            }),
        Command::Accept(a) => match &a.mail {
            Some(m) => mail::verdict(ctx, s, &user, a.id, m, None, a.at.as_deref(), out),
            None => log::step(
                ctx,
                s,
                &user,
                a.id,
                K::Accepted {
                    by: a.by.clone().unwrap_or_default(),
                    reference: a.reference.clone().unwrap_or_default(),
                },
                a.at.as_deref(),
                out,
            ),
        },
        Command::Reject(a) => match &a.mail {
            Some(m) => mail::verdict(
                ctx,
                s,
                &user,
                a.id,
                m,
                Some(&a.reason),
                a.at.as_deref(),
                out,
            ),
            None => log::step(
                ctx,
                s,
                &user,
                a.id,
                K::Rejected {
                    by: a.by.clone().unwrap_or_default(),
                    reason: a.reason.clone(),
                },
                a.at.as_deref(),
                out,
            ),
        },
        Command::Reclassify(a) => log::reclassify(ctx, s, &user, a, out),
        Command::Note(a) => log::step(
            ctx,
            s,
            &user,
            a.id,
            K::Note {
                text: a.text.clone(),
            },
            a.at.as_deref(),
            out,
        ),
        Command::CorrectReportTime(a) => log::correct(ctx, s, &user, a, out),
        Command::Retract(a) => log::retract(ctx, s, &user, a, out),
        Command::Edit(a) => log::edit(ctx, s, &user, a, out),
        Command::Dispute(a) => log::dispute(ctx, s, &user, a, out),
        Command::Show(a) => log::show(ctx, s, a, out),
        Command::List(a) => log::list(ctx, s, &user, a, out),
        Command::Assign(a) => log::assign(ctx, &store, &user, a, out),
        Command::Contact(a) => contact::run(ctx, s, &user, a, out),
        Command::Mail(mail::MailArgs {
            command: c @ (mail::MailCommand::Send | mail::MailCommand::Remind),
        }) => mail_out::run(
            ctx,
            &store,
            &user,
            cli.db.as_deref(),
            cli.outbox.as_deref(),
            matches!(c, mail::MailCommand::Remind),
            out,
        ),
        Command::Mail(a) => mail::run(ctx, s, &user, a, out),
        Command::Breaches(a) => log::breaches(ctx, s, a, out),
        Command::Export => exchange::export(ctx, s, out),
        Command::Import(a) => import::import(ctx, s, a, out),
        Command::Verify(a) => exchange::verify(ctx, s, &place, a.checkpoint.as_deref(), out),
        Command::Checkpoint(a) => checkpoint::checkpoint(ctx, s, &place, a, out),
        Command::Demo(a) => demo::run(ctx, s, &user, a, out),
        Command::Report(a) => {
            // A municipality's login sees only its own tickets: its report carries no
            // checkpoint of the whole log.
            let whole = store
                .team()
                .is_none_or(|p| p.whoami().role != crate::store::postgres::Role::Municipality);
            let postman = match a.mail {
                true => match mail_out::postman(ctx, cli.db.as_deref(), cli.outbox.as_deref()) {
                    Ok(p) => Some(p),
                    Err(f) => return Some(close(store, ctx).and(Err(f))),
                },
                false => None,
            };
            report::from_store(
                ctx,
                s,
                whole.then_some(place.as_str()),
                postman.as_ref(),
                a,
                out,
            )
        }
        Command::Svartider(a) => report::svartider(ctx, s, a, out),
        _ => unreachable!("only log commands reach here"),
    };
    let result = result.map_err(|f| name_damaged(f, &store, ctx));
    // A refused first command leaves nothing behind: removed while this process still holds
    // the log, and only when nobody logged anything in it.
    if let (Err(_), Some(b), Log::Local(s)) = (&result, &fresh, &store) {
        if s.holds_nothing() {
            b.undo();
        }
    }
    Some(close(store, ctx).and(result))
}

/// A log found damaged while the command read it (an error that knows no path): the message
/// names the database.
fn name_damaged(f: Failure, store: &Log, ctx: &Ctx) -> Failure {
    let Log::Local(s) = store else { return f };
    let tz = &ctx.loaded.contract.tz;
    let vague =
        StoreError::Sled(::sled::Error::Corruption { at: None, bt: () }).message(ctx.lang, tz);
    if !f.message.contains(&vague) {
        return f;
    }
    let named = StoreError::Damaged(s.path().to_path_buf()).message(ctx.lang, tz);
    Failure {
        message: f.message.replace(&vague, &named),
        code: f.code,
    }
}

/// The acting user: the database login in team mode (a `--user` there is only noted), else
/// `--user`, `FRIST_USER` or the OS user.
fn acting_user(ctx: &Ctx, cli: &Cli, store: &Log) -> String {
    match store.team() {
        Some(pg) => {
            let me = &pg.whoami().login;
            if cli.user.as_deref().is_some_and(|u| u != me) {
                crate::say_err!(
                    "{} {me}",
                    ctx.lang.t(
                        "bemærk: --user/FRIST_USER gælder ikke for en fælles log; databasen registrerer hændelserne som",
                        "note: --user/FRIST_USER does not apply to a shared log; the database records events as"
                    )
                );
            }
            me.clone()
        }
        None => log::user(cli.user.as_deref()),
    }
}

/// Lets go of the store as the process ends.
fn close(store: Log, ctx: &Ctx) -> CmdResult {
    let store = match store {
        Log::Local(s) => s,
        Log::Postgres(_) => return Ok(()),
    };
    store.close().map_err(|e| Failure {
        message: e.message(ctx.lang, &ctx.loaded.contract.tz),
        code: e.code(),
    })
}

/// `frist` without a subcommand: the TUI on the support log. The first frame is drawn before
/// the log is opened and read; an empty log is offered demo tickets on the plain terminal.
fn tui(ctx: &Ctx, cli: &Cli) -> CmdResult {
    let keymap = crate::tui::run::load_keymap(cli.keymap.as_deref(), ctx.lang)?;
    let store_failure = |e: crate::store::StoreError| Failure {
        message: e.message(ctx.lang, &ctx.loaded.contract.tz),
        code: e.code(),
    };
    let demo_args = demo::DemoArgs {
        tickets: 200,
        seed: 1,
        days: None,
        force: false,
    };
    // A log that does not exist yet is empty: ask before the screen is taken. A shared log is
    // connected to first, so that a refused login is said on the plain terminal.
    let team = log::is_team(cli.db.as_deref());
    let fresh = !log::log_exists(cli.db.as_deref());
    let early = if fresh {
        let store = log::open_store(ctx, cli.db.as_deref(), &cli.contract)?;
        if offer_demo(ctx, cli)? {
            demo::run(ctx, &*store, "demo", &demo_args, &mut std::io::stderr())?;
        }
        Some(store)
    } else if team {
        Some(log::open_store(ctx, cli.db.as_deref(), &cli.contract)?)
    } else {
        None
    };
    let user = match &early {
        Some(s) => acting_user(ctx, cli, s),
        None => log::user(cli.user.as_deref()),
    };
    let mut session = crate::tui::run::Session::start(ctx, keymap, &user)?;
    if let Some(pg) = early.as_ref().and_then(|s| s.team()) {
        use crate::store::postgres::Role;
        use crate::tui::app::Rights;
        match pg.whoami().role {
            Role::Municipality => session.set_rights(
                Rights::municipality(ctx.lang),
                pg.whoami().municipality.clone(),
            ),
            Role::Supervisor => session.set_rights(Rights::supervisor(ctx.lang), None),
            Role::Agent | Role::Owner => {}
        }
    }
    let store = match early {
        Some(s) => s,
        // The screen is the board's: no "waiting" line on it.
        None => log::open_store_waiting(ctx, cli.db.as_deref(), &cli.contract, false)?,
    };
    // The log, not the file in the working directory, says which contract text tickets are
    // computed with (domain §10): a file changed without an amendment is refused here as by
    // every command, and each ticket is computed with the version in force on its report day.
    contract::pin(ctx, &*store, &user, true)?;
    session.set_contracts(crate::contracts::Contracts::new(
        &ctx.loaded,
        store.contract_versions().map_err(store_failure)?,
    ));
    // Only the owner fills a shared log (demo data keeps its own users and times).
    let may_fill = store
        .team()
        .is_none_or(|p| p.whoami().role == crate::store::postgres::Role::Owner);
    if !fresh && may_fill && store.is_empty().map_err(store_failure)? {
        session.suspend();
        if offer_demo(ctx, cli)? {
            demo::run(ctx, &*store, "demo", &demo_args, &mut std::io::stderr())?;
        }
        session.resume()?;
    }
    let contract = &ctx.loaded.contract;
    // A resolution in the TUI mails the municipality as `frist resolve` does; a broken mail
    // set-up is said before the screen is taken, and then no mail is sent from this session.
    let postman = match mail_out::postman(ctx, cli.db.as_deref(), cli.outbox.as_deref()) {
        Ok(p) => Some(p),
        Err(f) => {
            crate::say_err!("{}", f.message);
            None
        }
    };
    let suggest = crate::tui::store_backend::ClassifierSuggest {
        classifier: crate::store::labels::classifier(contract, &*store).map_err(store_failure)?,
        lang: ctx.lang,
    };
    // Said once the screen is given back, where it stays readable.
    let behind = checkpoint::behind(ctx, &*store, &log::place(cli.db.as_deref()));
    use crate::tui::store_backend::{Source, Turns};
    // A local log is the board's only between its turns: other commands use it in between.
    let shared = match store {
        Log::Local(s) => {
            s.close().map_err(store_failure)?;
            None
        }
        team => Some(team),
    };
    let source = match &shared {
        Some(s) => Source::Held(&**s),
        None => Source::Turns(Box::new(Turns::new(
            log::db_path(cli.db.as_deref())?,
            Box::new(|| {
                log::open_store_waiting(ctx, cli.db.as_deref(), &cli.contract, false)
                    .map_err(|f| f.message)
            }),
        ))),
    };
    let team = shared.as_ref().and_then(|s| s.team());
    let send_notice = |s: &dyn Store, id: crate::ticket::TicketId, now: chrono::DateTime<Utc>| {
        let Some(postman) = postman.as_ref() else {
            return;
        };
        let book = mail_out::Book {
            store: s,
            team,
            config: &postman.config,
        };
        let n = crate::notify::Notifier {
            store: s,
            postman,
            book: &book,
            loaded: &ctx.loaded,
            user: &user,
            now,
            lang: ctx.lang,
        };
        // What became of the mail is on the ticket's timeline (sent, or kept for retry).
        let _ = n.resolution_notice(id);
    };
    let backend = crate::tui::store_backend::StoreBackend {
        source,
        contract,
        calendar: &ctx.loaded.calendar,
        lang: ctx.lang,
        watch: team.map(|p| std::cell::RefCell::new(p.watch())),
        mail: Some(&send_notice),
    };
    session.load(&backend)?;
    let result = session.run(&backend, &suggest);
    drop(backend);
    let result = match shared {
        Some(s) => close(s, ctx).and(result),
        None => result,
    };
    if let Some(w) = behind {
        crate::say_err!("{w}");
    }
    result
}

/// An empty log: asks on the terminal whether to fill it with demo tickets (default no).
fn offer_demo(ctx: &Ctx, cli: &Cli) -> Result<bool, Failure> {
    use std::io::{BufRead, Write};
    let l = ctx.lang;
    let path = log::db_path(cli.db.as_deref())?;
    let mut err = std::io::stderr();
    write!(
        err,
        "{} {}\n{} ",
        l.t("Loggen er tom:", "The log is empty:"),
        path.display(),
        l.t(
            "Vil du fylde den med demodata (200 sager fra de seneste tre måneder)? [j/N]",
            "Fill it with demo data (200 tickets from the last three months)? [y/N]"
        )
    )?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_lowercase().as_str(),
        "j" | "ja" | "y" | "yes"
    ))
}
