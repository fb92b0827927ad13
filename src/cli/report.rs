//! `frist report` and `frist svartider import`: the monthly service report and the import of
//! response-time measurements. The functions take the tickets and measurements as arguments;
//! the store that supplies them is wired in by the caller.

use super::{CmdResult, Ctx, Failure};
use crate::report::{self, Format, ReportInput};
use crate::sla::Measurement;
use crate::ticket::{Event, Ticket};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The month as YYYY-MM, e.g. 2025-03.
    #[arg(long)]
    pub month: String,
    /// Only this municipality's tickets (kommune); all when left out.
    #[arg(long)]
    pub municipality: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Md)]
    pub format: Format,
    /// Write to this file (atomically: all or nothing) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Mail the report to the municipality's contacts (HTML in the mail, CSV and JSON
    /// attached, with the checkpoint).
    #[arg(long, requires = "municipality")]
    pub mail: bool,
}

#[derive(Debug, Args)]
pub struct SvartiderArgs {
    #[command(subcommand)]
    pub command: SvartiderCommand,
}

#[derive(Debug, Subcommand)]
pub enum SvartiderCommand {
    /// Import response-time measurements from a CSV file: transaction type; instant; seconds.
    Import {
        /// The CSV file (header optional; ';' or ',' separated).
        file: PathBuf,
    },
}

/// Builds and renders the report; writes it to `out`, or to `--out` atomically.
pub fn report(
    ctx: &Ctx,
    args: &ReportArgs,
    tickets: &[(Ticket, Vec<Event>)],
    measurements: &[Measurement],
    out: &mut impl Write,
) -> CmdResult {
    report_with(ctx, args, tickets, measurements, None, &[], out)
}

/// [`report`] carrying the checkpoint of the log taken as the report was made.
pub fn report_with(
    ctx: &Ctx,
    args: &ReportArgs,
    tickets: &[(Ticket, Vec<Event>)],
    measurements: &[Measurement],
    checkpoint: Option<crate::checkpoint::Checkpoint>,
    versions: &[report::Version],
    out: &mut impl Write,
) -> CmdResult {
    let r = build(ctx, args, tickets, measurements, checkpoint, versions)?;
    let text = report::render(&r, args.format, ctx.lang);
    match &args.out {
        None => {
            out.write_all(text.as_bytes())?;
            Ok(())
        }
        Some(path) => {
            write_atomically(path, text.as_bytes())?;
            writeln!(
                out,
                "{} {}",
                ctx.lang
                    .t("Rapporten er skrevet til", "The report was written to"),
                path.display()
            )?;
            Ok(())
        }
    }
}

/// The month's report with its checkpoint.
pub fn build(
    ctx: &Ctx,
    args: &ReportArgs,
    tickets: &[(Ticket, Vec<Event>)],
    measurements: &[Measurement],
    checkpoint: Option<crate::checkpoint::Checkpoint>,
    versions: &[report::Version],
) -> Result<report::Report, Failure> {
    let month = report::parse_month(&args.month)
        .map_err(|e| Failure::usage(format!("--month: {}", e.message(ctx.lang))))?;
    let municipality = args
        .municipality
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let mut r = report::build(&ReportInput {
        contract: &ctx.loaded.contract,
        calendar: &ctx.loaded.calendar,
        month,
        municipality,
        tickets,
        measurements,
        now: ctx.now,
        versions,
    })
    .map_err(|e| Failure::of(e, ctx.lang))?;
    r.checkpoint = checkpoint;
    Ok(r)
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so a failed
/// export leaves nothing half-written (and an earlier file stays as it was).
///
/// A path that is not a regular file (`/dev/null`, `/dev/stdout`, a named pipe) is written
/// into as it is: renaming over it would replace the device with a file (as root, `--out
/// /dev/null` left every later `> /dev/null` of the machine writing to disk). A symbolic link
/// is followed, so the file it names is replaced and the link stays.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure {
        message: format!(
            "cannot write {}: {e}; check that the folder exists and is writable",
            path.display()
        ),
        code: 2,
    };
    let resolved;
    let path = match std::fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(fail)?;
            return f.write_all(bytes).and_then(|_| f.flush()).map_err(fail);
        }
        Ok(m) if m.is_file() && path.is_symlink() => {
            resolved = std::fs::canonicalize(path).map_err(fail)?;
            resolved.as_path()
        }
        _ => path,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".frist-report-")
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Reads and checks a measurement file; nothing is returned unless every line is good.
pub fn parse_svartider(ctx: &Ctx, path: &Path) -> Result<Vec<Measurement>, Failure> {
    let src = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "{} {}: {e}; {}",
            ctx.lang.t("kan ikke læse", "cannot read"),
            path.display(),
            ctx.lang.t(
                "angiv en læsbar CSV-fil i UTF-8",
                "give a readable UTF-8 CSV file"
            )
        ))
    })?;
    let c = &ctx.loaded.contract;
    report::parse_measurements_csv(&src, &path.display().to_string(), &c.tz, &c.response_times)
        .map_err(|e| Failure::of(e, ctx.lang))
}

/// Tells how many measurements were imported (after the store has saved them) and how many
/// were in the log already.
pub fn imported(
    ctx: &Ctx,
    path: &Path,
    new: usize,
    known: usize,
    out: &mut impl Write,
) -> CmdResult {
    writeln!(
        out,
        "{} {}: {new} {}, {known} {}",
        ctx.lang.t(
            "Importerede svartidsmålinger fra",
            "Imported response-time measurements from"
        ),
        path.display(),
        ctx.lang.t("nye", "new"),
        ctx.lang.t("fandtes allerede", "already in the log")
    )?;
    Ok(())
}

/// Splits measurements into those not in the log yet and the number already there: the same
/// type at the same instant with the same response time is the same measurement, so a file
/// imported twice does not count its faults (and the fine) twice.
fn only_new(
    ctx: &Ctx,
    store: &dyn crate::store::Store,
    ms: Vec<Measurement>,
) -> Result<(Vec<Measurement>, usize), Failure> {
    let (Some(from), Some(last)) = (ms.iter().map(|m| m.at).min(), ms.iter().map(|m| m.at).max())
    else {
        return Ok((ms, 0));
    };
    let key = |m: &Measurement| (m.kind.clone(), m.at, m.seconds.to_bits());
    let known: std::collections::HashSet<_> = store
        .measurements(from, last + chrono::TimeDelta::microseconds(1))
        .map_err(|e| Failure {
            message: e.message(ctx.lang, &ctx.loaded.contract.tz),
            code: e.code(),
        })?
        .iter()
        .map(key)
        .collect();
    let total = ms.len();
    let new: Vec<Measurement> = ms
        .into_iter()
        .filter(|m| !known.contains(&key(m)))
        .collect();
    let old = total - new.len();
    Ok((new, old))
}

/// `frist report` over the support log: only the tickets that can matter to the month are
/// loaded with their events.
pub fn from_store(
    ctx: &Ctx,
    store: &dyn crate::store::Store,
    place: Option<&str>,
    postman: Option<&crate::notify::send::Postman>,
    args: &ReportArgs,
    out: &mut impl Write,
) -> CmdResult {
    let month = report::parse_month(&args.month)
        .map_err(|e| Failure::usage(format!("--month: {}", e.message(ctx.lang))))?;
    // A name that is neither in the log nor a known municipality is refused (with the nearest
    // one), and "aarhus kommune" reads as Aarhus.
    let municipality = match args.municipality.as_deref().map(str::trim) {
        Some(m) if !m.is_empty() => Some(super::log::read_municipality(ctx, store, m)?),
        _ => None,
    };
    let args = &ReportArgs {
        month: args.month.clone(),
        municipality: municipality.clone(),
        format: args.format,
        out: args.out.clone(),
        mail: args.mail,
    };
    // Signed before the month is read: the report's figures come from this state or a later
    // one, and whoever reads the report can prove the log still holds it.
    let checkpoint = super::checkpoint::for_report(ctx, store, place)?;
    let (tickets, measurements) = load_month(
        store,
        &ctx.loaded.contract,
        &ctx.loaded.calendar,
        month,
        municipality.as_deref(),
        ctx.now,
        ctx.lang,
    )?;
    // Each ticket is computed with the contract version in force on its report day.
    let all = store
        .contract_versions()
        .map_err(|e| super::log::store_failure(e, ctx))?;
    let kept = crate::contracts::kept_versions(&all, &ctx.loaded.contract.id)
        .map_err(|e| Failure::of(e, ctx.lang))?;
    let versions = crate::contracts::report_versions(&kept);
    if let (true, Some(postman)) = (args.mail, postman) {
        let r = build(ctx, args, &tickets, &measurements, checkpoint, &versions)?;
        return mail_report(ctx, store, postman, &r, args, out);
    }
    report_with(
        ctx,
        args,
        &tickets,
        &measurements,
        checkpoint,
        &versions,
        out,
    )
}

/// `report --mail`: the HTML report as the mail, its CSV and JSON attached, to the
/// municipality's contacts. A mail that cannot be sent is written into the outbox instead, so
/// that it is not lost.
fn mail_report(
    ctx: &Ctx,
    store: &dyn crate::store::Store,
    postman: &crate::notify::send::Postman,
    r: &report::Report,
    args: &ReportArgs,
    out: &mut impl Write,
) -> CmdResult {
    use crate::notify::{compose, send};
    let l = ctx.lang;
    let municipality = args.municipality.clone().unwrap_or_default();
    let to = super::mail_out::contacts_of(store, &municipality)
        .map_err(|e| super::log::store_failure(e, ctx))?;
    if to.is_empty() {
        return Err(Failure::usage(format!(
            "{} {}; {} `frist contact add --municipality \"{}\" --name … --email …`",
            crate::safe::text(&municipality),
            l.t(
                "har ingen kontakter med mail, så rapporten kan ikke sendes",
                "has no contacts with mail, so the report cannot be sent"
            ),
            l.t("tilføj en med", "add one with"),
            crate::safe::text(&municipality)
        )));
    }
    let (year, m) = args.month.split_once('-').unwrap_or(("", ""));
    let label = format!(
        "{} {year}",
        crate::i18n::Lang::Da.month_name(m.parse().unwrap_or(1))
    );
    let mail = compose::report_mail(
        &municipality,
        &label,
        &args.month,
        report::render(r, Format::Html, crate::i18n::Lang::Da),
        report::render(r, Format::Csv, crate::i18n::Lang::Da),
        report::render(r, Format::Json, crate::i18n::Lang::Da),
        &to,
        &send::new_message_id("report", &postman.domain()),
        ctx.now,
    );
    match postman.deliver(&mail).map_err(Failure::usage)? {
        send::Delivery::Smtp => writeln!(
            out,
            "{} {}",
            l.t("Rapporten er sendt til", "The report was sent to"),
            to.join(", ")
        )?,
        send::Delivery::Outbox(p) => writeln!(
            out,
            "{} {}",
            l.t(
                "Rapporten er lagt i udbakken:",
                "The report is in the outbox:"
            ),
            p.display()
        )?,
        send::Delivery::Failed { error, raw } => {
            let kept = postman.keep(&raw, &mail.message_id);
            return Err(Failure {
                message: format!(
                    "{}: {error}; {}",
                    l.t(
                        "rapporten kunne ikke sendes",
                        "the report could not be sent"
                    ),
                    match kept {
                        Ok(p) => format!(
                            "{} {}",
                            l.t("den er gemt som", "it is kept as"),
                            p.display()
                        ),
                        Err(e) => e,
                    }
                ),
                code: 1,
            });
        }
    }
    Ok(())
}
pub use crate::load::TicketLog;

pub use crate::load::load_month;

/// `frist svartider import FILE`: every line is checked before anything is stored.
pub fn svartider(
    ctx: &Ctx,
    store: &dyn crate::store::Store,
    args: &SvartiderArgs,
    out: &mut impl Write,
) -> CmdResult {
    match &args.command {
        SvartiderCommand::Import { file } => {
            let ms = parse_svartider(ctx, file)?;
            // A measurement cannot have been taken after now; the file is refused whole.
            if let Some(m) = ms.iter().find(|m| m.at > ctx.now) {
                let l = ctx.lang;
                let cal = &ctx.loaded.calendar;
                return Err(Failure::usage(format!(
                    "{}: {} {} {} {} {} ({} {}); {}",
                    file.display(),
                    l.t("målingen af", "the measurement of"),
                    crate::safe::text(&m.kind),
                    l.t("kl.", "at"),
                    l.datetime(cal.local(m.at)),
                    l.t("ligger i fremtiden", "lies in the future"),
                    l.t("nu er", "now is"),
                    l.datetime(cal.local(ctx.now)),
                    l.t("intet er importeret", "nothing was imported")
                )));
            }
            let (new, known) = only_new(ctx, store, ms)?;
            if !new.is_empty() {
                store.add_measurements(&new).map_err(|e| Failure {
                    message: e.message(ctx.lang, &ctx.loaded.contract.tz),
                    code: e.code(),
                })?;
            }
            imported(ctx, file, new.len(), known, out)
        }
    }
}
