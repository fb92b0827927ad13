//! Text normalisation for the classifier: folding (æ→ae, ø→oe, å→aa), tokens with their place
//! in the original text, a small Danish stemmer (after Snowball's Danish step 1, 2 and the
//! undoubling of step 4), and a bounded edit distance for typos.

/// At most this many tokens of a text are read, so a pasted log file cannot slow the form.
pub const MAX_TOKENS: usize = 600;

/// One word (or a `?`) of the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Lower-case and folded: `låseenheden` → `laaseenheden`.
    pub folded: String,
    /// The stem of `folded`: `laaseenhed`.
    pub stem: String,
    /// Byte range in the original text, for quoting it back in a reason.
    pub start: usize,
    pub end: usize,
    /// A clause boundary (`,` `.` `!` `;` `:` a dash, a new line) precedes this token.
    pub after_break: bool,
}

/// Lower-cases and folds one character into `out`: æ→ae, ø→oe, å→aa, accents dropped.
fn fold_char(c: char, out: &mut String) {
    for l in c.to_lowercase() {
        match l {
            'æ' | 'ä' => out.push_str("ae"),
            'ø' | 'ö' => out.push_str("oe"),
            'å' => out.push_str("aa"),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'á' | 'à' | 'â' => out.push('a'),
            'ó' | 'ò' | 'ô' => out.push('o'),
            'ú' | 'ù' | 'û' | 'ü' => out.push('u'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            _ => out.push(l),
        }
    }
}

/// Folds a whole string (used for the contract's keywords).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    s.chars().for_each(|c| fold_char(c, &mut out));
    out
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '´' | '`')
}

fn is_break(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | '!' | ';' | ':' | '\n' | '–' | '—' | '(' | ')' | '"' | '«' | '»'
    )
}

/// Splits a text into tokens. An apostrophe inside a word joins it (`app'en` → `appen`); a
/// hyphen splits (`sign-on` → `sign`, `on`), a dash between spaces is a clause break; `?` is a
/// token of its own because it marks a question.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    let mut pending_break = false;
    let mut prev_space = true;
    let push =
        |out: &mut Vec<Token>, cur: &mut String, start: usize, end: usize, brk: &mut bool| {
            if !cur.is_empty() {
                let stem = stem(cur);
                out.push(Token {
                    folded: std::mem::take(cur),
                    stem,
                    start,
                    end,
                    after_break: std::mem::take(brk),
                });
            }
        };
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if out.len() >= MAX_TOKENS {
            break;
        }
        if c.is_alphanumeric() {
            if cur.is_empty() {
                start = i;
            }
            fold_char(c, &mut cur);
            prev_space = false;
            continue;
        }
        if is_apostrophe(c) && !cur.is_empty() {
            if let Some((_, n)) = iter.peek() {
                if n.is_alphanumeric() {
                    continue;
                }
            }
        }
        push(&mut out, &mut cur, start, i, &mut pending_break);
        if c == '?' {
            out.push(Token {
                folded: "?".into(),
                stem: "?".into(),
                start: i,
                end: i + 1,
                after_break: pending_break,
            });
            pending_break = true;
        } else if is_break(c) || (c == '-' && prev_space) {
            pending_break = true;
        }
        prev_space = c.is_whitespace();
    }
    if out.len() < MAX_TOKENS {
        push(&mut out, &mut cur, start, text.len(), &mut pending_break);
    }
    out
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Start of Snowball's R1: after the first non-vowel that follows a vowel, at least 3.
fn r1(w: &[u8]) -> usize {
    let mut i = 0;
    while i < w.len() && !is_vowel(w[i]) {
        i += 1;
    }
    while i < w.len() && is_vowel(w[i]) {
        i += 1;
    }
    (i + 1).clamp(3, w.len().max(3))
}

/// Snowball Danish step 1, longest first, without the `-hed` family (which would stem
/// `laaseenheden` and `laaseenhederne` differently).
const SUFFIXES: &[&str] = &[
    "erendes", "erende", "erede", "endes", "ernes", "erens", "erets", "ered", "ende", "erne",
    "eres", "eren", "erer", "enes", "eret", "ene", "ere", "ens", "ers", "ets", "en", "er", "es",
    "et", "e",
];

/// A light Danish stemmer on folded text: `laaseenhederne`, `laaseenheden` → `laaseenhed`;
/// `doerene`, `doeren` → `doer`; English plurals lose their `s`. Non-ASCII words are left whole.
pub fn stem(word: &str) -> String {
    if !word.is_ascii() || word.len() < 4 {
        return word.to_string();
    }
    let w = word.as_bytes();
    let r = r1(w);
    let mut end = w.len();
    // Step 1.
    let mut stripped = false;
    for suf in SUFFIXES {
        let s = suf.as_bytes();
        if end >= r + s.len() && w[..end].ends_with(s) {
            end -= s.len();
            stripped = true;
            break;
        }
    }
    if !stripped && end > r && w[end - 1] == b's' {
        if let Some(&p) = w[..end - 1].last() {
            if b"abcdfghjklmnoprtvyz".contains(&p) {
                end -= 1;
            }
        }
    }
    // Step 2: gd dt gt kt → drop the last letter.
    if end >= r + 2 {
        let pair = &w[end - 2..end];
        if matches!(pair, b"gd" | b"dt" | b"gt" | b"kt") {
            end -= 1;
        }
    }
    // Undouble a final double consonant in R1.
    if end >= r + 2 && end >= 2 {
        let (a, b) = (w[end - 2], w[end - 1]);
        if a == b && !is_vowel(a) && a.is_ascii_alphabetic() {
            end -= 1;
        }
    }
    word[..end].to_string()
}

/// Whether `a` and `b` differ by at most one edit (insert, delete, substitute, or swap of two
/// neighbours). Linear time, no allocation for ASCII (the folded text almost always is).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        let rest_a = &short[prefix + 1..];
        let rest_b = &long[prefix + 1..];
        if rest_a == rest_b {
            return true; // one substitution
        }
        // a swap of neighbours: ab ↔ ba
        prefix + 1 < short.len()
            && short[prefix] == long[prefix + 1]
            && short[prefix + 1] == long[prefix]
            && short[prefix + 2..] == long[prefix + 2..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_and_stems() {
        assert_eq!(fold("Låseenheden ØÆ"), "laaseenheden oeae");
        for w in [
            "laaseenhed",
            "laaseenheden",
            "laaseenhederne",
            "laaseenheder",
        ] {
            assert_eq!(stem(w), "laaseenhed", "{w}");
        }
        assert_eq!(stem("doeren"), stem("doerene"));
        assert_eq!(stem("laasen"), stem("laase"));
        assert_eq!(stem("borgerne"), stem("borger"));
        assert_eq!(stem("users"), "user");
        assert_eq!(stem("nede"), "ned");
    }

    #[test]
    fn tokens_keep_places_and_breaks() {
        let t = tokens("App'en svarer ikke - hvad nu?");
        let f: Vec<&str> = t.iter().map(|t| t.folded.as_str()).collect();
        assert_eq!(f, ["appen", "svarer", "ikke", "hvad", "nu", "?"]);
        assert!(t[3].after_break);
        assert_eq!(&"App'en svarer"[t[0].start..t[0].end], "App'en");
        assert!(tokens("").is_empty());
        assert!(tokens("💥💥 ?? ''").len() == 2);
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("laaseenhed", "laaseenhd"));
        assert!(within_one_edit("batteri", "batetri"));
        assert!(within_one_edit("montering", "monteering"));
        assert!(within_one_edit("nedbrud", "nedbrug"));
        assert!(!within_one_edit("montering", "afmontering"));
        assert!(!within_one_edit("abc", "cba"));
    }
}
