//! `frist classify`: suggest a category for a ticket's text, with the reasons.

use super::engine::json_out;
use super::{CmdResult, Ctx, Failure};
use crate::classify::{Classifier, Suggestion};
use crate::i18n::Lang;
use clap::Args;
use serde_json::json;
use std::io::Write;

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The ticket's text (several words need no quotes). Read as the title.
    pub text: Vec<String>,
    /// The ticket's title, instead of TEXT.
    #[arg(long, conflicts_with = "text")]
    pub title: Option<String>,
    /// The ticket's description, read after the title.
    #[arg(long)]
    pub description: Option<String>,
    /// Rebuild the learned model from the categories agents set or changed in the log. It
    /// never changes a ticket's category.
    #[arg(long)]
    pub retrain: bool,
    /// Print JSON: {"category", "confidence", "reasons": [..]} and more.
    #[arg(long)]
    pub json: bool,
}

pub fn classify(ctx: &Ctx, a: &ClassifyArgs, cli: &super::Cli, out: &mut impl Write) -> CmdResult {
    let l = ctx.lang;
    if a.retrain {
        let path = super::log::db_path(cli.db.as_deref())?;
        if !super::log::log_exists(cli.db.as_deref()) {
            return Err(Failure::usage(format!(
                "{} {}{}",
                l.t("der er ingen log endnu i", "there is no log yet at"),
                path.display(),
                l.t(
                    ": opret sager med frist add (eller frist demo), eller giv --db STI",
                    ": log tickets with frist add (or frist demo), or give --db PATH"
                )
            )));
        }
        let store = super::log::open_store(ctx, cli.db.as_deref(), &cli.contract)?;
        let n = crate::store::labels::retrain(&*store).map_err(|e| Failure {
            message: e.message(l, &ctx.loaded.contract.tz),
            code: e.code(),
        })?;
        writeln!(
            out,
            "{} {n} {}",
            l.t(
                "Modellen er genopbygget ud fra",
                "The model was rebuilt from"
            ),
            l.t(
                "sager, hvor en medarbejder satte eller ændrede kategorien. Ingen sag er ændret.",
                "tickets whose category an agent set or changed. No ticket was changed."
            )
        )?;
        return Ok(());
    }
    let title = match &a.title {
        Some(t) => t.clone(),
        None => a.text.join(" "),
    };
    let description = a.description.clone().unwrap_or_default();
    if title.trim().is_empty() && description.trim().is_empty() {
        return Err(Failure::usage(l.t(
            "giv sagens tekst, fx: frist classify \"Ingen kan logge ind i app'en\"",
            "give the ticket's text, e.g. frist classify \"No one can log in to the app\"",
        )));
    }
    let s = learned(ctx, cli).classify(&title, &description);
    if a.json {
        return json_out(out, &suggestion_json(ctx, &s));
    }
    let name = category_name(ctx, &s.category);
    writeln!(
        out,
        "{}: {} — {} ({:.0} %)",
        l.t("Forslag", "Suggestion"),
        s.category,
        name,
        s.confidence * 100.0
    )?;
    writeln!(out, "{}:", l.t("Fordi", "Because"))?;
    for r in &s.reasons {
        writeln!(out, "  {}", r.text(l))?;
    }
    let others: Vec<String> = s
        .scores
        .iter()
        .filter(|(c, _)| *c != s.category)
        .take(3)
        .map(|(c, p)| format!("{c} {:.0} %", p * 100.0))
        .collect();
    if !others.is_empty() {
        writeln!(out, "{}: {}", l.t("Ellers", "Otherwise"), others.join(", "))?;
    }
    writeln!(
        out,
        "{}",
        l.t(
            "Et forslag: bekræft eller ret kategorien på sagen.",
            "A suggestion: confirm or change the ticket's category."
        )
    )?;
    Ok(())
}

/// The contract's rules, blended with what agents taught the log's model when a database
/// exists and is free; otherwise the rules alone (a suggestion must never wait for the log).
fn learned(ctx: &Ctx, cli: &super::Cli) -> Classifier {
    let contract = &ctx.loaded.contract;
    if !super::log::log_exists(cli.db.as_deref()) {
        return Classifier::new(contract);
    }
    match super::log::open_store(ctx, cli.db.as_deref(), &cli.contract) {
        Ok(store) => crate::store::labels::classifier(contract, &*store)
            .unwrap_or_else(|_| Classifier::new(contract)),
        Err(_) => Classifier::new(contract),
    }
}

fn category_name(ctx: &Ctx, id: &str) -> String {
    match ctx.loaded.contract.category(id) {
        Ok(c) if ctx.lang == Lang::En && !c.name_en.is_empty() => c.name_en.clone(),
        Ok(c) => c.name.clone(),
        Err(_) => String::new(),
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn suggestion_json(ctx: &Ctx, s: &Suggestion) -> serde_json::Value {
    json!({
        "category": s.category,
        "confidence": round2(s.confidence),
        "reasons": s.reasons.iter().map(|r| r.text(ctx.lang)).collect::<Vec<_>>(),
        "name": category_name(ctx, &s.category),
        "scores": s.scores.iter().map(|(c, p)| json!({"category": c, "p": round2(*p)})).collect::<Vec<_>>(),
        "reason_details": s.reasons,
    })
}
