//! `frist add --from FILE`: many new tickets from a script in one open of the log. Every line
//! is checked and classified as `add` does before anything is written, so a bad line refuses
//! the whole file; the tickets are then written a batch to a transaction and their ids
//! printed, one a line, in the file's order.

use super::log::{check_municipality, learn, prepare, store_failure, Fields, Prepared};
use super::{CmdResult, Ctx, Failure};
use crate::i18n::Lang;
use crate::safe;
use crate::store::Store;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::{Read, Write};

/// Tickets to a transaction: a stop (a full disk, a killed process) loses at most the batch
/// being written, and every batch before it is logged and its ids printed.
const BATCH: usize = 1_000;

/// The fields of a line, named as `add`'s options.
const FIELDS: [&str; 6] = [
    "municipality",
    "title",
    "description",
    "reporter",
    "category",
    "at",
];

/// One line of the file. Missing text fields are empty (and `add`'s checks say what is
/// missing); an empty category or time is as if not given.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Row {
    municipality: String,
    title: String,
    description: String,
    reporter: String,
    category: Option<String>,
    at: Option<String>,
}

/// `frist add --from FILE`.
pub fn run(
    ctx: &Ctx,
    store: &dyn Store,
    user: &str,
    from: &str,
    new_municipality: bool,
    out: &mut impl Write,
) -> CmdResult {
    let l = ctx.lang;
    let (name, text) = read(from, l)?;
    let rows = rows(&text, l).map_err(|(line, what)| at_line(l, &name, line, &what))?;
    if rows.is_empty() {
        return Err(Failure::usage(format!(
            "{name}: {}",
            l.t(
                "ingen sager i filen; skriv én sag pr. linje (JSON) eller en CSV-fil med overskrifterne municipality,title,…",
                "no tickets in the file; write one ticket a line (JSON) or a CSV file with the headers municipality,title,…"
            )
        )));
    }
    let mut known: HashMap<String, String> = HashMap::new();
    let mut classifier = None;
    let mut prepared: Vec<Prepared> = Vec::with_capacity(rows.len());
    for (line, row) in &rows {
        let checked = (|| {
            let municipality = match known.get(&row.municipality) {
                Some(m) => m.clone(),
                None => {
                    let m = check_municipality(ctx, store, &row.municipality, new_municipality)?;
                    known.insert(row.municipality.clone(), m.clone());
                    m
                }
            };
            let given = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
            let (category, at) = (given(&row.category), given(&row.at));
            let fields = Fields {
                title: &row.title,
                description: &row.description,
                reporter: &row.reporter,
                category: category.as_deref(),
                at: at.as_deref(),
            };
            prepare(ctx, store, &mut classifier, municipality, &fields)
        })();
        match checked {
            Ok(p) => prepared.push(p),
            Err(f) => {
                // `add`'s messages name its options; in a file they are fields.
                let mut what = f.message;
                for field in FIELDS {
                    what = what.replace(&format!("--{field}"), &format!("\"{field}\""));
                }
                return Err(at_line(l, &name, *line, &what));
            }
        }
    }
    let mut labels = Vec::new();
    let mut unsure = Vec::new();
    let threshold = ctx.loaded.contract.suggest_threshold;
    for batch in prepared.chunks(BATCH) {
        let new: Vec<_> = batch.iter().map(|p| p.new.clone()).collect();
        let tickets = store
            .create_many(&new, user, crate::edge::recorded_now())
            .map_err(|e| store_failure(e, ctx))?;
        for (t, p) in tickets.iter().zip(batch) {
            writeln!(out, "{}", t.id)?;
            labels.extend(p.label.clone());
            if p.guessed.as_ref().is_some_and(|(c, _)| *c < threshold) {
                unsure.push(t.id.to_string());
            }
        }
    }
    learn(ctx, store, &labels);
    if !unsure.is_empty() {
        // The first few by number; a script's log need not carry thousands.
        const SHOWN: usize = 20;
        let mut named = unsure[..unsure.len().min(SHOWN)].join(", ");
        if unsure.len() > SHOWN {
            named.push_str(&format!(
                " {} {} {}",
                l.t("og", "and"),
                unsure.len() - SHOWN,
                l.t("flere", "more")
            ));
        }
        crate::say_err!(
            "{} {} {} ({:.0} %): {named}. {}",
            l.t(
                "Advarsel: frist gættede kategorien usikkert for",
                "Warning: frist's guess of the category is unsure for"
            ),
            unsure.len(),
            l.t(
                "sager, under kontraktens grænse",
                "tickets, below the contract's threshold"
            ),
            threshold * 100.0,
            l.t(
                "Kontrollér dem med `frist show ID`; ret med `frist reclassify`",
                "Check them with `frist show ID`; correct them with `frist reclassify`"
            )
        );
    }
    Ok(())
}

/// The input's name (for messages) and its text: a file, or standard input for `-`.
fn read(from: &str, l: Lang) -> Result<(String, String), Failure> {
    let mut text = String::new();
    let (name, r) = if from == "-" {
        (
            l.t("standardinput", "standard input").to_string(),
            std::io::stdin().read_to_string(&mut text),
        )
    } else {
        (
            from.to_string(),
            std::fs::File::open(from).and_then(|mut f| f.read_to_string(&mut text)),
        )
    };
    r.map_err(|e| {
        Failure::usage(format!(
            "--from {}: {e}; {}",
            safe::text(&name),
            l.t(
                "angiv en fil der kan læses (UTF-8), eller - for standard input",
                "give a readable file (UTF-8), or - for standard input"
            )
        ))
    })?;
    Ok((safe::text(&name).into_owned(), text))
}

fn at_line(l: Lang, name: &str, line: usize, what: &str) -> Failure {
    Failure::usage(format!(
        "{name}, {} {line}: {what}; {}",
        l.t("linje", "line"),
        l.t(
            "intet er skrevet; ret linjen og kør kommandoen igen",
            "nothing was written; mend the line and run the command again"
        )
    ))
}

/// The rows of JSON lines (when the first line that is not blank starts with `{`) or of CSV
/// with a header, each with its line number; or the first bad line and what is wrong with it.
/// Pure (no disk, no log): public for the fuzz target and the property tests.
pub fn rows(text: &str, l: Lang) -> Result<Vec<(usize, Row)>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let json = text
        .lines()
        .find(|s| !s.trim().is_empty())
        .is_some_and(|s| s.trim_start().starts_with('{'));
    if json {
        json_rows(text, l)
    } else {
        csv_rows(text, l)
    }
}

fn json_rows(text: &str, l: Lang) -> Result<Vec<(usize, Row)>, (usize, String)> {
    let mut out = Vec::new();
    for (i, s) in text.lines().enumerate() {
        if s.trim().is_empty() {
            continue;
        }
        let row = serde_json::from_str::<Row>(s).map_err(|e| {
            (
                i + 1,
                format!(
                    "{} ({}: {}): {e}",
                    l.t("ikke en sag i JSON", "not a ticket in JSON"),
                    l.t("felterne", "the fields"),
                    FIELDS.join(", ")
                ),
            )
        })?;
        out.push((i + 1, row));
    }
    Ok(out)
}

fn csv_rows(text: &str, l: Lang) -> Result<Vec<(usize, Row)>, (usize, String)> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .from_reader(text.as_bytes());
    let headers = r.headers().map_err(|e| (1, e.to_string()))?.clone();
    if let Some(h) = headers.iter().find(|h| !FIELDS.contains(h)) {
        return Err((
            1,
            format!(
                "{} '{}'; {}: {}",
                l.t("ukendt kolonne", "unknown column"),
                safe::text(h),
                l.t("kolonnerne hedder", "the columns are"),
                FIELDS.join(", ")
            ),
        ));
    }
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            (line, e.to_string())
        })?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let row: Row = rec
            .deserialize(Some(&headers))
            .map_err(|e| (line, e.to_string()))?;
        out.push((line, row));
    }
    Ok(out)
}
