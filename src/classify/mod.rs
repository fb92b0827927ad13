//! Severity classification of a ticket's text: which of the contract's categories it most
//! likely belongs to, how sure, and why.
//!
//! Two halves, both pure (no I/O, no clock):
//! - **rules** ([`rules`]): the contract's keywords, category names and descriptions, plus a
//!   small set of general signals of scope and severity ("ingen kan", "hele kommunen", "nede"
//!   lean critical; "nogle brugere", "workaround", "hvordan" lean lower), matched on folded
//!   (æ→ae, ø→oe, å→aa), stemmed, typo-tolerant tokens, with negation ("ikke nede");
//! - **learning** ([`Model`]): naive Bayes over tickets whose category an agent set or changed,
//!   blended in with a weight that grows with the number of such tickets.
//!
//! The classifier only suggests; it never changes a ticket's category by itself.

mod bayes;
mod rules;
pub mod text;

pub use bayes::Model;

use crate::contract::{Contract, Signal};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Temperature of the softmax that turns rule scores into probabilities.
const TEMPERATURE: f64 = 0.6;
/// Score of the "none of them" outcome in that softmax: a text needs more evidence than this
/// for a category to become likely, so a thin text gets a low confidence.
const NULL_SCORE: f64 = 1.0;
/// Below this best rule score the text is uninformative and the default category is suggested.
const MIN_EVIDENCE: f64 = 0.6;
/// The learned model's share is `MAX_HISTORY_SHARE · n / (n + HALF_HISTORY)` for `n` labelled
/// tickets: 0.15 at 58, 0.2 at 100, 0.36 at 1000. The rules stay the larger part, because
/// agents label mostly the tickets the rules got wrong, and a few dozen labels are noisy.
const MAX_HISTORY_SHARE: f64 = 0.4;
const HALF_HISTORY: f64 = 100.0;

/// A ticket an agent has labelled: the category set or changed and the ticket's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Labelled {
    pub category: String,
    pub text: String,
}

/// Where a reason comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A keyword of the category in the contract.
    Keyword,
    /// A word of the category's name or description.
    Description,
    /// A general signal of scope or severity.
    Signal,
    /// Learned from agents' earlier corrections.
    Learned,
    /// Nothing clear was found; the default category.
    Fallback,
}

/// One word or phrase that counted, and for (or, with a negative weight, against) which
/// category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The words as written in the ticket (with the negator, if negated).
    pub phrase: String,
    pub category: String,
    pub weight: f64,
    /// The phrase stood after a negation ("ikke nede") and counted against its category.
    pub negated: bool,
    pub source: Source,
}

impl Reason {
    /// The reason as one line: `"ingen kan" → kritisk`, `"ikke nede" ↛ kritisk (negeret)`.
    pub fn text(&self, lang: Lang) -> String {
        if self.source == Source::Fallback {
            return format!(
                "{} → {} ({})",
                lang.t("ingen tydelige ord", "no clear words"),
                self.category,
                lang.t("standard", "default")
            );
        }
        let arrow = if self.weight < 0.0 { "↛" } else { "→" };
        let mut s = format!("\"{}\" {arrow} {}", self.phrase, self.category);
        if self.negated {
            s.push_str(lang.t(" (negeret)", " (negated)"));
        }
        if self.source == Source::Learned {
            s.push_str(lang.t(
                " (lært af tidligere sager)",
                " (learned from earlier tickets)",
            ));
        }
        s
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::Da))
    }
}

/// The classifier's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The suggested category id.
    pub category: String,
    /// How likely the suggestion is, 0–1.
    pub confidence: f64,
    /// Why: the suggested category's reasons first, then negations and the runner-up's.
    pub reasons: Vec<Reason>,
    /// Every category with its probability, most likely first.
    pub scores: Vec<(String, f64)>,
}

/// Built once per contract (and model); cheap to call on every keystroke.
#[derive(Debug, Clone)]
pub struct Classifier {
    rules: rules::Rules,
    model: Option<Model>,
    /// Contract category index → the model's index.
    model_index: Vec<Option<usize>>,
    fallback: usize,
}

impl Classifier {
    /// Rules only: the contract's keywords, names, descriptions and the general signals.
    pub fn new(contract: &Contract) -> Classifier {
        let cats = &contract.categories;
        let fallback = cats
            .iter()
            .position(|c| c.signals.contains(&Signal::Degraded))
            .or_else(|| cats.iter().position(|c| !c.service_order))
            .unwrap_or(0);
        Classifier {
            rules: rules::Rules::new(contract),
            model: None,
            model_index: Vec::new(),
            fallback,
        }
    }

    /// Rules blended with naive Bayes over agent-labelled tickets, weighted by their number.
    pub fn with_examples(contract: &Contract, examples: &[Labelled]) -> Classifier {
        Classifier::new(contract).with_model(Model::train(examples))
    }

    /// Rules blended with a trained model (e.g. one the store kept).
    pub fn with_model(mut self, model: Model) -> Classifier {
        self.model_index = self.rules.ids().iter().map(|id| model.index(id)).collect();
        self.model = (model.examples() > 0).then_some(model);
        self
    }

    /// The learned model's share of the blend, 0 without history.
    pub fn history_share(&self) -> f64 {
        match &self.model {
            Some(m) => {
                let n = m.examples() as f64;
                MAX_HISTORY_SHARE * n / (n + HALF_HISTORY)
            }
            None => 0.0,
        }
    }

    /// Suggests a category for a ticket's title and description.
    pub fn classify(&self, title: &str, description: &str) -> Suggestion {
        let ids = self.rules.ids();
        if ids.is_empty() {
            return Suggestion {
                category: String::new(),
                confidence: 0.0,
                reasons: Vec::new(),
                scores: Vec::new(),
            };
        }
        let text = if description.is_empty() {
            title.to_string()
        } else {
            format!("{title}\n{description}")
        };
        let found = self.rules.score(&text);
        // Rules → probabilities, with a "none of them" outcome that absorbs thin evidence.
        let max = found.scores.iter().copied().fold(NULL_SCORE, f64::max);
        let exp: Vec<f64> = found
            .scores
            .iter()
            .map(|s| ((s - max) / TEMPERATURE).exp())
            .collect();
        let sum: f64 = exp.iter().sum::<f64>() + ((NULL_SCORE - max) / TEMPERATURE).exp();
        let rule_p: Vec<f64> = exp.iter().map(|e| e / sum).collect();
        let best_rule = found.scores.iter().copied().fold(0.0, f64::max);

        let share = self.history_share();
        let learned = self
            .model
            .as_ref()
            .filter(|_| !found.tokens.is_empty())
            .map(|m| m.posterior(&found.tokens, &self.model_index));
        let p: Vec<f64> = match &learned {
            Some(l) => rule_p
                .iter()
                .zip(&l.p)
                .map(|(r, n)| (1.0 - share) * r + share * n)
                .collect(),
            None => rule_p,
        };
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
        // Without clear words, the model may speak if it finds its best category at least
        // twice as likely as an even spread would.
        let learned_sure = learned.as_ref().is_some_and(|l| {
            l.p.iter().copied().fold(0.0, f64::max) >= 2.0 / l.p.len().max(1) as f64
        });
        let uninformative = best_rule < MIN_EVIDENCE && !learned_sure;
        let chosen = if uninformative {
            self.fallback
        } else {
            order[0]
        };
        let runner_up = order.iter().copied().find(|&c| c != chosen);

        let mut reasons: Vec<Reason> = Vec::new();
        let mut take = |r: &Reason| {
            if !reasons
                .iter()
                .any(|o| o.phrase == r.phrase && o.category == r.category)
            {
                reasons.push(r.clone());
            }
        };
        let mut own: Vec<&Reason> = found
            .reasons
            .iter()
            .filter(|r| r.category == ids[chosen])
            .collect();
        own.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
        own.into_iter().for_each(&mut take);
        if let (Some(l), false) = (&learned, uninformative) {
            for &(ti, w) in &l.words[chosen] {
                let t = &found.tokens[ti];
                take(&Reason {
                    phrase: text.get(t.start..t.end).unwrap_or("").to_string(),
                    category: ids[chosen].clone(),
                    weight: share * w,
                    negated: false,
                    source: Source::Learned,
                });
            }
        }
        if uninformative {
            take(&Reason {
                phrase: String::new(),
                category: ids[chosen].clone(),
                weight: 0.0,
                negated: false,
                source: Source::Fallback,
            });
        }
        found
            .reasons
            .iter()
            .filter(|r| r.negated && r.category != ids[chosen])
            .for_each(&mut take);
        if let Some(ru) = runner_up {
            let mut other: Vec<&Reason> = found
                .reasons
                .iter()
                .filter(|r| r.category == ids[ru] && r.weight > 0.0)
                .collect();
            other.sort_by(|a, b| b.weight.total_cmp(&a.weight));
            other.into_iter().take(3).for_each(&mut take);
        }
        let confidence = if uninformative {
            p[chosen].min(0.3)
        } else {
            p[chosen]
        };
        Suggestion {
            category: ids[chosen].clone(),
            confidence: confidence.clamp(0.0, 1.0),
            reasons,
            scores: order.iter().map(|&c| (ids[c].clone(), p[c])).collect(),
        }
    }
}
