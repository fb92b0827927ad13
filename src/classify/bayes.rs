//! The learning half: a multinomial naive Bayes model over agent-labelled tickets. Each word
//! (stem) counts once per ticket, so one long ticket cannot outweigh many short ones.

use super::rules::STOPWORDS;
use super::text::{tokens, Token};
use super::Labelled;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Laplace smoothing.
const ALPHA: f64 = 1.0;

/// A trained model: per category, how many tickets and how many word occurrences; per word,
/// its count in each category. Serialisable, so the store can keep it as JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Category ids in the order of the count vectors.
    pub categories: Vec<String>,
    /// Tickets per category.
    pub docs: Vec<u32>,
    /// Word occurrences per category.
    pub totals: Vec<u64>,
    /// Stem → occurrences per category.
    pub counts: BTreeMap<String, Vec<u32>>,
}

/// The words of a text that the model reads: stems, without stop words; `?` is kept.
pub(crate) fn features(toks: &[Token]) -> Vec<(usize, &str)> {
    let mut seen: Vec<(usize, &str)> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if t.stem.is_empty() || STOPWORDS.contains(&t.folded.as_str()) {
            continue;
        }
        if !seen.iter().any(|(_, s)| *s == t.stem) {
            seen.push((i, t.stem.as_str()));
        }
    }
    seen
}

impl Model {
    /// Learns from labelled tickets (an agent's set or changed category and the ticket's text).
    pub fn train(examples: &[Labelled]) -> Model {
        let mut m = Model::default();
        for e in examples {
            m.learn(e);
        }
        m
    }

    /// Adds one labelled ticket.
    pub fn learn(&mut self, e: &Labelled) {
        let c = match self.categories.iter().position(|c| *c == e.category) {
            Some(c) => c,
            None => {
                self.categories.push(e.category.clone());
                self.docs.push(0);
                self.totals.push(0);
                self.counts.values_mut().for_each(|v| v.push(0));
                self.categories.len() - 1
            }
        };
        let ncat = self.categories.len();
        self.docs[c] += 1;
        let toks = tokens(&e.text);
        for (_, stem) in features(&toks) {
            let v = self
                .counts
                .entry(stem.to_string())
                .or_insert_with(|| vec![0; ncat]);
            v.resize(ncat, 0);
            v[c] += 1;
            self.totals[c] += 1;
        }
    }

    /// How many labelled tickets the model has seen.
    pub fn examples(&self) -> usize {
        self.docs.iter().map(|&d| d as usize).sum()
    }

    /// The model's index of a category id.
    pub fn index(&self, id: &str) -> Option<usize> {
        self.categories.iter().position(|c| c == id)
    }

    /// Log-likelihood of one stem in a model category; for a category the model never saw
    /// (`None`), the stem's share over all categories, which favours none of them.
    fn log_word(&self, counts: &[u32], cat: Option<usize>) -> f64 {
        let v = (self.counts.len() as f64 + 1.0) * ALPHA;
        let (n, total) = match cat {
            Some(c) => (
                counts.get(c).copied().unwrap_or(0) as f64,
                self.totals.get(c).copied().unwrap_or(0) as f64,
            ),
            None => (
                counts.iter().map(|&x| f64::from(x)).sum(),
                self.totals.iter().map(|&x| x as f64).sum(),
            ),
        };
        ((n + ALPHA) / (total + v)).ln()
    }

    /// Posterior over the given categories (mapped to the model's indexes) for a text's
    /// tokens; and per category the words that spoke most for it (token index, log-ratio).
    ///
    /// The prior is uniform, not the labelled tickets' shares: agents label mostly the tickets
    /// the rules got wrong, so those shares say little about the next ticket. The summed
    /// log-likelihood is divided by √(known words), so a long ticket does not become
    /// absolutely sure.
    pub(crate) fn posterior(&self, toks: &[Token], cats: &[Option<usize>]) -> Posterior {
        let k = cats.len();
        let feats = features(toks);
        let known: Vec<(usize, &Vec<u32>)> = feats
            .iter()
            .filter_map(|(i, s)| self.counts.get(*s).map(|v| (*i, v)))
            .collect();
        let temper = (known.len() as f64).sqrt().max(1.0);
        let mut logp = vec![0.0; k];
        let mut words: Vec<Vec<(usize, f64)>> = vec![Vec::new(); k];
        for (c, mc) in cats.iter().enumerate() {
            let mut like = 0.0;
            for (ti, v) in &known {
                let here = self.log_word(v, *mc);
                let mean = cats.iter().map(|o| self.log_word(v, *o)).sum::<f64>() / k as f64;
                like += here;
                if here > mean {
                    words[c].push((*ti, here - mean));
                }
            }
            logp[c] = like / temper;
            words[c].sort_by(|a, b| b.1.total_cmp(&a.1));
            words[c].truncate(3);
        }
        let max = logp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = logp.iter().map(|l| (l - max).exp()).collect();
        let sum: f64 = exp.iter().sum();
        Posterior {
            p: exp.iter().map(|e| e / sum).collect(),
            words,
        }
    }
}

pub(crate) struct Posterior {
    pub p: Vec<f64>,
    pub words: Vec<Vec<(usize, f64)>>,
}
