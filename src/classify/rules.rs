//! The rule half of the classifier: terms drawn from the contract (keywords, names,
//! descriptions) and a small set of general severity and scope signals, matched against the
//! ticket's tokens with stems, typo tolerance, compounds and negation.

use super::text::{tokens, within_one_edit, Token};
use super::{Reason, Source};
use crate::contract::{Contract, Signal};
use std::collections::HashMap;

/// Weight of a one-word keyword; a phrase of several words weighs more, being more specific.
const KEYWORD: f64 = 1.0;
const KEYWORD_PHRASE: f64 = 1.5;
/// Words of a category's name and description, divided by how many categories use the word.
const NAME_WORD: f64 = 0.8;
const DESCRIPTION_WORD: f64 = 0.3;
/// A word one typo away counts this share; a word found inside a compound, this share.
const FUZZY: f64 = 0.8;
const COMPOUND: f64 = 0.6;
/// A negated term ("ikke nede") counts this share against its category.
const NEGATED: f64 = -0.5;

/// How a general signal acts on the categories that carry the matching [`Signal`].
#[derive(Debug, Clone, Copy)]
enum Effect {
    /// Everyone or everything is hit; a little against a single unit.
    Critical(f64),
    /// Part of the solution is hit; also a little against critical and questions.
    Degraded(f64),
    /// Something is broken ("virker ikke"): against questions, a little towards degraded.
    Fault(f64),
    /// The rest still works: against critical only.
    Limited(f64),
    /// One lock, one citizen; against critical.
    Single(f64),
    Question(f64),
    /// Minor or not urgent: against critical.
    Minor(f64),
    /// An order for on-site service: towards every `service_order` category, a little away
    /// from a fault on a single unit (the lock is what the order is about, not what is broken).
    Order(f64),
}

/// The general signals, Danish and English. Words, not sentences: they must hold for any
/// contract whose categories carry the matching `signals`.
const SIGNALS: &[(&str, Effect)] = &[
    // Everyone / everything.
    ("ingen kan", Effect::Critical(1.5)),
    ("ingen af", Effect::Critical(1.0)),
    ("ingen brugere", Effect::Critical(1.5)),
    ("ingen medarbejdere", Effect::Critical(1.5)),
    ("ingen adgang", Effect::Critical(1.0)),
    ("ingen har", Effect::Critical(1.0)),
    ("alle brugere", Effect::Critical(1.5)),
    ("alle medarbejdere", Effect::Critical(1.5)),
    ("alle borgere", Effect::Critical(1.0)),
    ("alle låse", Effect::Critical(1.0)),
    ("alle enheder", Effect::Critical(1.0)),
    ("alle telefoner", Effect::Critical(1.0)),
    ("for alle", Effect::Critical(1.0)),
    ("alle", Effect::Critical(0.4)),
    ("samtlige", Effect::Critical(1.5)),
    ("hele kommunen", Effect::Critical(1.5)),
    ("hele løsningen", Effect::Critical(1.5)),
    ("hele systemet", Effect::Critical(1.5)),
    ("i hele", Effect::Critical(1.0)),
    ("for nogen", Effect::Critical(1.0)),
    ("hos nogen", Effect::Critical(1.0)),
    ("nogen borgere", Effect::Critical(1.0)),
    ("nede", Effect::Critical(1.5)),
    ("går ned", Effect::Critical(1.0)),
    ("gået ned", Effect::Critical(1.0)),
    ("nedbrud", Effect::Critical(2.0)),
    ("nedbruddet", Effect::Critical(2.0)),
    ("ligger ned", Effect::Critical(1.0)),
    ("utilgængelig", Effect::Critical(1.5)),
    ("kan ikke bruges", Effect::Critical(1.5)),
    ("akut", Effect::Critical(0.8)),
    ("haster", Effect::Critical(0.8)),
    ("kritisk", Effect::Critical(1.0)),
    ("no one", Effect::Critical(1.5)),
    ("nobody", Effect::Critical(1.5)),
    ("none of", Effect::Critical(1.0)),
    ("no users", Effect::Critical(1.5)),
    ("all users", Effect::Critical(1.5)),
    ("everyone", Effect::Critical(1.5)),
    ("all", Effect::Critical(0.4)),
    ("any", Effect::Critical(0.4)),
    ("whole", Effect::Critical(1.0)),
    ("entire", Effect::Critical(1.0)),
    ("down", Effect::Critical(1.5)),
    ("outage", Effect::Critical(2.0)),
    ("unavailable", Effect::Critical(1.5)),
    ("critical", Effect::Critical(1.0)),
    ("urgent", Effect::Critical(0.8)),
    // Part of it.
    ("nogle brugere", Effect::Degraded(1.5)),
    ("nogle medarbejdere", Effect::Degraded(1.5)),
    ("enkelte brugere", Effect::Degraded(1.5)),
    ("enkelte medarbejdere", Effect::Degraded(1.5)),
    ("nogle", Effect::Degraded(0.5)),
    ("langsom", Effect::Degraded(1.0)),
    ("langsomt", Effect::Degraded(1.0)),
    ("langsomme", Effect::Degraded(1.0)),
    ("tager lang tid", Effect::Degraded(1.0)),
    ("timer ud", Effect::Degraded(1.0)),
    ("hænger", Effect::Degraded(0.8)),
    ("hang", Effect::Degraded(0.8)),
    ("hænger fast", Effect::Degraded(0.8)),
    ("fryser", Effect::Degraded(0.8)),
    ("delvis", Effect::Degraded(1.0)),
    ("periodevis", Effect::Degraded(1.0)),
    ("af og til", Effect::Degraded(0.8)),
    ("ustabil", Effect::Degraded(1.0)),
    ("some users", Effect::Degraded(1.5)),
    ("some", Effect::Degraded(0.5)),
    ("slow", Effect::Degraded(1.0)),
    ("degraded", Effect::Degraded(1.0)),
    ("intermittent", Effect::Degraded(1.0)),
    ("sometimes", Effect::Degraded(0.8)),
    // Something is broken: not a question.
    ("virker ikke", Effect::Fault(1.0)),
    ("fungerer ikke", Effect::Fault(1.0)),
    ("kan ikke", Effect::Fault(0.6)),
    ("fejler", Effect::Fault(1.0)),
    ("fejlbesked", Effect::Fault(1.0)),
    ("fejl", Effect::Fault(0.6)),
    ("fejlen", Effect::Fault(0.6)),
    ("fejlede", Effect::Fault(0.6)),
    ("går ikke", Effect::Fault(0.6)),
    ("does not work", Effect::Fault(1.0)),
    ("doesnt work", Effect::Fault(1.0)),
    ("not working", Effect::Fault(1.0)),
    ("fails", Effect::Fault(1.0)),
    ("error", Effect::Fault(0.6)),
    ("cannot", Effect::Fault(0.6)),
    ("cant", Effect::Fault(0.6)),
    // The rest still works.
    ("men andre", Effect::Limited(1.0)),
    ("andre", Effect::Limited(0.5)),
    ("resten virker", Effect::Limited(1.5)),
    ("virker fint", Effect::Limited(1.0)),
    ("virker godt", Effect::Limited(1.0)),
    ("de andre", Effect::Limited(1.0)),
    ("andre virker", Effect::Limited(1.0)),
    ("virker til sidst", Effect::Limited(1.0)),
    ("men appen virker", Effect::Limited(1.0)),
    ("kun", Effect::Limited(0.7)),
    ("stadig", Effect::Limited(0.5)),
    ("manuelt", Effect::Limited(0.7)),
    ("only", Effect::Limited(0.7)),
    ("still works", Effect::Limited(1.0)),
    ("the rest", Effect::Limited(1.0)),
    // One unit, one citizen.
    ("en enkelt", Effect::Single(1.0)),
    ("én lås", Effect::Single(1.0)),
    ("en bestemt", Effect::Single(0.8)),
    ("hos borgeren", Effect::Single(0.5)),
    ("hos en borger", Effect::Single(0.5)),
    ("på adressen", Effect::Single(0.8)),
    ("a single", Effect::Single(1.0)),
    ("one lock", Effect::Single(1.0)),
    ("one citizen", Effect::Single(1.0)),
    // Questions.
    ("?", Effect::Question(1.0)),
    ("spørgsmål", Effect::Question(1.0)),
    ("spørgsmålet", Effect::Question(1.0)),
    ("hvordan", Effect::Question(1.0)),
    ("hvorfor", Effect::Question(0.6)),
    ("hvilke", Effect::Question(0.8)),
    ("hvilken", Effect::Question(0.8)),
    ("hvornår", Effect::Question(0.8)),
    ("hvor ofte", Effect::Question(0.8)),
    ("hvor finder", Effect::Question(1.0)),
    ("hvad kræver", Effect::Question(0.8)),
    ("kan man", Effect::Question(0.6)),
    ("kan vi", Effect::Question(0.6)),
    ("kan i", Effect::Question(0.6)),
    ("vejledning", Effect::Question(1.0)),
    ("procedure", Effect::Question(0.8)),
    ("question", Effect::Question(1.0)),
    ("how", Effect::Question(1.0)),
    ("which", Effect::Question(0.8)),
    ("what", Effect::Question(0.6)),
    ("when", Effect::Question(0.6)),
    ("guide", Effect::Question(0.8)),
    // Minor, not urgent.
    ("workaround", Effect::Minor(1.0)),
    ("kosmetisk", Effect::Minor(1.0)),
    ("stavefejl", Effect::Minor(1.0)),
    ("mindre", Effect::Minor(0.6)),
    ("haster ikke", Effect::Minor(1.0)),
    ("når i har tid", Effect::Minor(1.0)),
    ("lav prioritet", Effect::Minor(1.0)),
    ("minor", Effect::Minor(1.0)),
    ("cosmetic", Effect::Minor(1.0)),
    ("low priority", Effect::Minor(1.0)),
    // Orders for on-site service.
    ("bestilling", Effect::Order(0.8)),
    ("bestil", Effect::Order(0.8)),
    ("bestiller", Effect::Order(0.8)),
    ("bestille", Effect::Order(0.8)),
    ("bestilles", Effect::Order(0.8)),
    ("bestilt", Effect::Order(0.8)),
    ("ønskes", Effect::Order(0.8)),
    ("ønsker", Effect::Order(0.5)),
    ("order", Effect::Order(0.8)),
    ("please", Effect::Order(0.5)),
];

/// A phrase of scope and failure with words between its parts: "ingen i hjemmeplejen kan",
/// "alle vores brugere får fejl", "ingen af borgerne kan åbne". A scope word opens it; a
/// failure marker at most [`SCOPE_GAP`] words later in the same clause closes it. What counts
/// as failure depends on the scope's polarity: after "ingen" (nobody) a plain "kan" or
/// "virker" already says that nobody can or nothing works; after "alle" (everyone) the failure
/// must be said ("kan ikke", "får fejl", "virker ikke").
const SCOPE_FAILURE: f64 = 1.5;
/// When the scope already counted clearly on its own ("ingen af", "alle brugere"), the failure
/// adds this much more: a scope with a failure says more than the scope alone.
const SCOPE_FAILURE_EXTRA: f64 = 1.0;
/// At most this many words between the scope word and the failure marker.
const SCOPE_GAP: usize = 4;
/// Scope words whose failure is a plain ability or function verb: nobody can, nothing works.
const SCOPE_NONE: &[&str] = &[
    "ingen",
    "intet",
    "ingenting",
    "nobody",
    "none",
    "nothing",
    "no",
    "noone",
];
/// Scope words whose failure must be said: everyone cannot, all get errors.
const SCOPE_ALL: &[&str] = &["alle", "samtlige", "all", "everyone", "everybody", "every"];
/// Failure markers after a "none" scope (folded words, matched in sequence).
const FAILS_AFTER_NONE: &[&[&str]] = &[
    &["kan"],
    &["kunne"],
    &["faar"],
    &["virker"],
    &["fungerer"],
    &["can"],
    &["could"],
    &["works"],
    &["work"],
    &["is", "able"],
    &["are", "able"],
];
/// Failure markers after an "all" scope.
const FAILS_AFTER_ALL: &[&[&str]] = &[
    &["kan", "ikke"],
    &["kunne", "ikke"],
    &["faar", "ikke"],
    &["virker", "ikke"],
    &["fungerer", "ikke"],
    &["faar", "fejl"],
    &["faar", "en", "fejl"],
    &["faar", "fejlbesked"],
    &["faar", "fejlbeskeder"],
    &["faar", "fejlmeddelelse"],
    &["fejler"],
    &["er", "ramt"],
    &["er", "logget", "ud"],
    &["cannot"],
    &["cant"],
    &["can", "not"],
    &["get", "errors"],
    &["get", "an", "error"],
    &["fail"],
    &["are", "affected"],
];

/// Negators that reach up to three words ahead within the clause: "er ikke helt nede".
const NEGATORS: &[&str] = &[
    "ikke", "ik", "not", "never", "aldrig", "ej", "isnt", "arent", "wasnt",
];
/// Negators that reach only the next word: "ingen nedetid", "no outage".
const NEGATORS_NEXT: &[&str] = &[
    "ingen",
    "intet",
    "ingenting",
    "no",
    "none",
    "nothing",
    "uden",
    "without",
];
/// A modal before "ikke" makes a failure, not a negation: "kan ikke åbne låsen".
const MODALS: &[&str] = &[
    "kan", "kunne", "vil", "ville", "skal", "skulle", "maa", "maatte", "can", "could", "will",
    "would", "do", "does", "did", "should", "may", "might", "must",
];

/// Words that say nothing about a category, left out of names and descriptions (folded).
pub(crate) const STOPWORDS: &[&str] = &[
    "og", "i", "paa", "af", "til", "en", "et", "den", "det", "de", "er", "at", "som", "med", "for",
    "kan", "vi", "der", "har", "hos", "fx", "eller", "men", "jeg", "du", "han", "hun", "man", "os",
    "jer", "sig", "sin", "sit", "sine", "vores", "jeres", "deres", "fra", "om", "ud", "ind", "op",
    "over", "under", "efter", "naar", "hvis", "saa", "ogsaa", "meget", "mere", "bare", "lige",
    "nu", "her", "da", "skal", "vil", "blev", "bliver", "vaere", "vaeret", "havde", "ham", "hende",
    "dem", "dette", "disse", "denne", "anden", "andet", "samme", "lignende", "stadig", "kun",
    "the", "a", "an", "of", "to", "in", "on", "is", "are", "was", "were", "be", "been", "it",
    "this", "that", "with", "and", "or", "but", "by", "from", "as", "we", "our", "you", "your",
    "they", "their",
];

/// One thing to look for: a word or phrase (as stems) and what it does to which categories.
#[derive(Debug, Clone)]
struct Term {
    stems: Vec<String>,
    folded: Vec<String>,
    /// (category index, weight); a weight may be negative.
    effects: Vec<(usize, f64)>,
    source: Source,
    /// Holds a negator itself ("svarer ikke", "ingen kan"), so no negation is sought before it.
    has_negator: bool,
    /// Match the written forms, not stems: general signals list their forms, because
    /// "hos borgeren" (one citizen) and "hos borgerne" (all of them) share a stem.
    forms_only: bool,
}

/// The compiled rules of one contract.
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    terms: Vec<Term>,
    /// Category ids, in contract order.
    ids: Vec<String>,
    /// Categories that carry the critical signal, and the single-unit one (for scope phrases).
    critical: Vec<usize>,
    single: Vec<usize>,
}

/// What the rules found in one text.
pub(crate) struct Found {
    pub scores: Vec<f64>,
    pub reasons: Vec<Reason>,
    pub tokens: Vec<Token>,
}

fn phrase(s: &str) -> (Vec<String>, Vec<String>) {
    let toks = tokens(s);
    (
        toks.iter().map(|t| t.stem.clone()).collect(),
        toks.into_iter().map(|t| t.folded).collect(),
    )
}

fn is_negator(folded: &str) -> bool {
    NEGATORS.contains(&folded) || NEGATORS_NEXT.contains(&folded)
}

/// The words of a name or description that can point to a category (stems).
fn content_words(s: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for t in tokens(s) {
        let content = t.folded.chars().count() >= 3
            && !t.folded.chars().all(|c| c.is_ascii_digit())
            && !STOPWORDS.contains(&t.folded.as_str())
            && !is_negator(&t.folded);
        if content && !out.iter().any(|(s, _)| *s == t.stem) {
            out.push((t.stem, t.folded));
        }
    }
    out
}

impl Rules {
    pub fn new(contract: &Contract) -> Rules {
        let cats = &contract.categories;
        // The contract's terms by their stems, each with its best weight per category.
        let mut table: HashMap<Vec<String>, Term> = HashMap::new();
        let mut add = |stems: Vec<String>,
                       folded: Vec<String>,
                       cat: usize,
                       w: f64,
                       src: Source,
                       name: bool| {
            if stems.is_empty() {
                return;
            }
            let t = table.entry(stems.clone()).or_insert_with(|| Term {
                has_negator: folded.iter().any(|f| is_negator(f)),
                stems,
                folded,
                effects: Vec::new(),
                source: src,
                forms_only: false,
            });
            // A term from a keyword beats the same word from a description.
            if src == Source::Keyword {
                t.source = Source::Keyword;
            }
            match t.effects.iter_mut().find(|(c, _)| *c == cat) {
                // A word of the category's own name adds to the same keyword: the ticket
                // names the category.
                Some(x) if name => x.1 += w,
                Some(x) => x.1 = x.1.max(w),
                None => t.effects.push((cat, w)),
            }
        };
        // Names and descriptions: weight shared among the categories that use the word.
        let names: Vec<Vec<(String, String)>> = cats
            .iter()
            .map(|c| content_words(&format!("{} {}", c.name, c.name_en)))
            .collect();
        let descs: Vec<Vec<(String, String)>> =
            cats.iter().map(|c| content_words(&c.description)).collect();
        let df = |stem: &str| {
            names
                .iter()
                .zip(&descs)
                .filter(|(n, d)| n.iter().chain(d.iter()).any(|(s, _)| s == stem))
                .count()
                .max(1) as f64
        };
        for (i, c) in cats.iter().enumerate() {
            for (s, f) in &descs[i] {
                let w = DESCRIPTION_WORD / df(s);
                add(
                    vec![s.clone()],
                    vec![f.clone()],
                    i,
                    w,
                    Source::Description,
                    false,
                );
            }
            for k in &c.keywords {
                let (stems, folded) = phrase(k);
                let w = if stems.len() > 1 {
                    KEYWORD_PHRASE
                } else {
                    KEYWORD
                };
                add(stems, folded, i, w, Source::Keyword, false);
            }
            for (s, f) in &names[i] {
                let w = NAME_WORD / df(s);
                add(
                    vec![s.clone()],
                    vec![f.clone()],
                    i,
                    w,
                    Source::Description,
                    true,
                );
            }
        }
        let mut terms: Vec<Term> = table.into_values().collect();
        // General signals, through the categories that carry them.
        let with = |sig: Signal| -> Vec<usize> {
            cats.iter()
                .enumerate()
                .filter(|(_, c)| c.signals.contains(&sig))
                .map(|(i, _)| i)
                .collect()
        };
        let orders: Vec<usize> = cats
            .iter()
            .enumerate()
            .filter(|(_, c)| c.service_order)
            .map(|(i, _)| i)
            .collect();
        for (text, effect) in SIGNALS {
            let mut effects: Vec<(usize, f64)> = Vec::new();
            let mut push = |idx: &[usize], w: f64| effects.extend(idx.iter().map(|&i| (i, w)));
            match *effect {
                Effect::Critical(w) => {
                    push(&with(Signal::Critical), w);
                    push(&with(Signal::Single), -w / 2.0);
                }
                Effect::Degraded(w) => {
                    push(&with(Signal::Degraded), w);
                    push(&with(Signal::Critical), -w / 2.0);
                    push(&with(Signal::Question), -w / 2.0);
                }
                Effect::Fault(w) => {
                    push(&with(Signal::Degraded), w / 2.0);
                    push(&with(Signal::Question), -w);
                }
                Effect::Limited(w) => push(&with(Signal::Critical), -w),
                Effect::Single(w) => {
                    push(&with(Signal::Single), w);
                    push(&with(Signal::Critical), -w);
                }
                Effect::Question(w) => push(&with(Signal::Question), w),
                Effect::Minor(w) => {
                    push(&with(Signal::Minor), w);
                    push(&with(Signal::Critical), -w);
                }
                Effect::Order(w) => {
                    push(&orders, w);
                    push(&with(Signal::Single), -w / 2.0);
                }
            }
            if effects.is_empty() {
                continue;
            }
            let (stems, folded) = phrase(text);
            terms.push(Term {
                has_negator: folded.iter().any(|f| is_negator(f)),
                stems,
                folded,
                effects,
                source: Source::Signal,
                forms_only: true,
            });
        }
        // Longer phrases first, so "ingen kan" is taken before "kan"; then the heavier term.
        terms.sort_by(|a, b| {
            let wa = a.effects.iter().map(|e| e.1.abs()).fold(0.0, f64::max);
            let wb = b.effects.iter().map(|e| e.1.abs()).fold(0.0, f64::max);
            b.stems
                .len()
                .cmp(&a.stems.len())
                .then(wb.total_cmp(&wa))
                .then(a.stems.cmp(&b.stems))
        });
        Rules {
            terms,
            ids: cats.iter().map(|c| c.id.clone()).collect(),
            critical: with(Signal::Critical),
            single: with(Signal::Single),
        }
    }

    /// Scores every category for a text and says why.
    pub fn score(&self, text: &str) -> Found {
        let toks = tokens(text);
        let n = toks.len();
        let ncat = self.ids.len();
        let mut scores = vec![0.0; ncat];
        let mut reasons: Vec<Reason> = Vec::new();
        // Which tokens already counted for which category.
        let mut used = vec![false; ncat * n];
        // Which tokens already counted as clear evidence for a critical category (a keyword or
        // signal of weight ≥ 1), so a scope phrase does not count them again.
        let mut strong = vec![false; n];
        // Whole words first, so a word found whole is not also taken inside a compound.
        for compounds in [false, true] {
            for term in &self.terms {
                self.match_term(
                    term,
                    &toks,
                    text,
                    compounds,
                    &mut used,
                    &mut strong,
                    &mut scores,
                    &mut reasons,
                );
            }
        }
        self.scope_failures(&toks, text, &mut used, &strong, &mut scores, &mut reasons);
        Found {
            scores,
            reasons,
            tokens: toks,
        }
    }

    /// Phrases of scope and failure with words between ([`SCOPE_FAILURE`]): they point to the
    /// critical categories (and a little away from a single unit), like the adjacent signals
    /// ("ingen kan") they generalise. A failure already counted as critical ("er nede") or a
    /// negated scope ("ikke alle") is left alone.
    fn scope_failures(
        &self,
        toks: &[Token],
        text: &str,
        used: &mut [bool],
        strong: &[bool],
        scores: &mut [f64],
        reasons: &mut Vec<Reason>,
    ) {
        if self.critical.is_empty() {
            return;
        }
        let n = toks.len();
        let mut i = 0;
        while i < n {
            let word = toks[i].folded.as_str();
            let fails = if SCOPE_NONE.contains(&word) {
                FAILS_AFTER_NONE
            } else if SCOPE_ALL.contains(&word) {
                FAILS_AFTER_ALL
            } else {
                i += 1;
                continue;
            };
            if negator_before(toks, i).is_some() {
                i += 1;
                continue;
            }
            let mut found = None;
            'search: for j in i + 1..n.min(i + 2 + SCOPE_GAP) {
                if toks[j].after_break {
                    break;
                }
                for marker in fails {
                    let end = j + marker.len();
                    if end <= n
                        && marker
                            .iter()
                            .zip(&toks[j..end])
                            .all(|(m, t)| t.folded == *m)
                        && !toks[j + 1..end].iter().any(|t| t.after_break)
                    {
                        found = Some((j, end));
                        break 'search;
                    }
                }
            }
            let Some((from, end)) = found else {
                i += 1;
                continue;
            };
            // "ingen kan ikke" is a double negation, not a failure.
            let doubled = SCOPE_NONE.contains(&word)
                && toks
                    .get(end)
                    .is_some_and(|t| NEGATORS.contains(&t.folded.as_str()) && !t.after_break);
            let failure_counted = (from..end).any(|k| strong[k]);
            if doubled || failure_counted {
                i += 1;
                continue;
            }
            let w = if strong[i] {
                SCOPE_FAILURE_EXTRA
            } else {
                SCOPE_FAILURE
            };
            let quote = text
                .get(toks[i].start..toks[end - 1].end)
                .unwrap_or("")
                .to_string();
            let effects = self
                .critical
                .iter()
                .map(|&c| (c, w))
                .chain(self.single.iter().map(|&c| (c, -w / 2.0)));
            for (cat, weight) in effects {
                used[cat * n + i] = true;
                used[cat * n + from..cat * n + end]
                    .iter_mut()
                    .for_each(|u| *u = true);
                scores[cat] += weight;
                reasons.push(Reason {
                    phrase: quote.clone(),
                    category: self.ids[cat].clone(),
                    weight,
                    negated: false,
                    source: Source::Signal,
                });
            }
            i = end;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn match_term(
        &self,
        term: &Term,
        toks: &[Token],
        text: &str,
        compounds: bool,
        used: &mut [bool],
        strong: &mut [bool],
        scores: &mut [f64],
        reasons: &mut Vec<Reason>,
    ) {
        let n = toks.len();
        let len = term.stems.len();
        if len == 0 || len > n || (compounds && (len > 1 || term.forms_only)) {
            return;
        }
        for i in 0..=n - len {
            let mut factor = 1.0;
            for k in 0..len {
                let f = if compounds {
                    compound_match(&toks[i + k], &term.stems[k])
                } else {
                    token_match(
                        &toks[i + k],
                        &term.stems[k],
                        &term.folded[k],
                        term.forms_only,
                    )
                };
                factor = f64::min(factor, f);
                if f == 0.0 {
                    break;
                }
            }
            if factor == 0.0 || (len > 1 && toks[i + 1..i + len].iter().any(|t| t.after_break)) {
                continue;
            }
            let neg = if term.has_negator {
                None
            } else {
                negator_before(toks, i)
            };
            let from = neg.unwrap_or(i);
            let quote = text
                .get(toks[from].start..toks[i + len - 1].end)
                .unwrap_or("")
                .to_string();
            for &(cat, w) in &term.effects {
                let slots = &mut used[cat * n + i..cat * n + i + len];
                if slots.iter().any(|u| *u) {
                    continue;
                }
                slots.iter_mut().for_each(|u| *u = true);
                let weight = match neg {
                    None => w * factor,
                    Some(_) if w > 0.0 => NEGATED * w * factor,
                    Some(_) => 0.0,
                };
                if weight == 0.0 {
                    continue;
                }
                if weight >= KEYWORD && self.critical.contains(&cat) {
                    strong[i..i + len].iter_mut().for_each(|u| *u = true);
                }
                scores[cat] += weight;
                reasons.push(Reason {
                    phrase: quote.clone(),
                    category: self.ids[cat].clone(),
                    weight,
                    negated: neg.is_some(),
                    source: term.source,
                });
            }
        }
    }

    pub fn ids(&self) -> &[String] {
        &self.ids
    }
}

/// How well a token matches one word of a term: 1 exact (stem or written form; only the
/// written form for `forms_only`), [`FUZZY`] one typo away (words of 5+ letters), else 0.
fn token_match(tok: &Token, stem: &str, folded: &str, forms_only: bool) -> f64 {
    if tok.folded == folded || (!forms_only && tok.stem == stem) {
        return 1.0;
    }
    // Signals list their forms and are not read fuzzily: "borgeren" and "borgerne" are one
    // swap apart but mean one citizen and all of them.
    let fuzzy = !forms_only
        && tok.stem.len().min(stem.len()) >= 5
        && (within_one_edit(&tok.stem, stem) || within_one_edit(&tok.folded, folded));
    if fuzzy {
        FUZZY
    } else {
        0.0
    }
}

/// [`COMPOUND`] if a one-word term is the head or (5+ letters) the first part of a compound:
/// `tjenestetelefonen` holds `telefon`, `batterirapporten` holds `batteri`; else 0.
fn compound_match(tok: &Token, stem: &str) -> f64 {
    let hit = stem.len() >= 4
        && tok.stem.len() >= stem.len() + 3
        && (tok.stem.ends_with(stem) || (stem.len() >= 5 && tok.stem.starts_with(stem)));
    if hit {
        COMPOUND
    } else {
        0.0
    }
}

/// The index of a negator that governs the token at `i`, within its clause.
fn negator_before(toks: &[Token], i: usize) -> Option<usize> {
    for back in 1..=3 {
        let j = i.checked_sub(back)?;
        if toks[j + 1].after_break {
            return None;
        }
        let f = toks[j].folded.as_str();
        if NEGATORS_NEXT.contains(&f) {
            return (back == 1).then_some(j);
        }
        if NEGATORS.contains(&f) {
            let modal = j
                .checked_sub(1)
                .is_some_and(|m| MODALS.contains(&toks[m].folded.as_str()) && !toks[j].after_break);
            return (!modal).then_some(j);
        }
    }
    None
}
