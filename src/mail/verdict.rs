//! What a municipality's answer seems to say about a resolution: accept, reject, or unclear.
//! A suggestion for the agent, who decides; only the new text counts, not the quoted notice.
//!
//! Pure: no clock, no disk.

use serde::Serialize;

/// The suggestion for an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Accept,
    Reject,
    /// Both or neither: the agent reads it.
    Unclear,
}

impl Verdict {
    /// The suggestion in words.
    pub fn words(self, l: crate::i18n::Lang) -> &'static str {
        match self {
            Verdict::Accept => l.t("forslag: accepter", "suggestion: accept"),
            Verdict::Reject => l.t("forslag: afvis", "suggestion: reject"),
            Verdict::Unclear => l.t("uklart: læs mailen", "unclear: read the mail"),
        }
    }
}

/// The suggestion and the words it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judgement {
    pub verdict: Verdict,
    /// The phrases found, as written in the mail.
    pub accept: Vec<String>,
    pub reject: Vec<String>,
}

/// Phrases that say the fault is not gone or the resolution is not accepted. Looked for
/// first, and taken out before the accepting ones, so that "ikke accepteret" is no
/// acceptance.
const REJECT: &[&str] = &[
    "ikke accepteret",
    "kan ikke accepteres",
    "accepterer ikke",
    "ikke godkendt",
    "godkender ikke",
    "afvist",
    "afviser",
    "ikke løst",
    "er ikke løst",
    "virker ikke",
    "virker stadig ikke",
    "fungerer ikke",
    "fejlen er der stadig",
    "fejlen består",
    "stadig fejl",
    "stadig ikke",
    "opstået igen",
    "sker igen",
    "not accepted",
    "rejected",
    "reject",
    "not fixed",
    "not resolved",
    "still not",
    "still broken",
    "does not work",
    "doesn't work",
];

/// Phrases that accept the resolution.
const ACCEPT: &[&str] = &[
    "accepteret",
    "accepterer",
    "accepter",
    "godkendt",
    "godkender",
    "kan lukkes",
    "luk sagen",
    "lukke sagen",
    "virker nu",
    "virker igen",
    "fungerer nu",
    "fungerer igen",
    "i orden",
    "accepted",
    "accept",
    "approved",
    "works now",
    "can be closed",
];

/// The mail's own words: the text before the quoted message (`>` lines, and everything from
/// an Outlook "-----Original Message-----" / "Fra:" header block or a Gmail "… skrev:" /
/// "… wrote:" line on).
pub fn fresh_text(text: &str) -> String {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        let lower = t.to_lowercase();
        let starts_quote = lower.starts_with("-----original message")
            || lower.starts_with("-----oprindelig meddelelse")
            || lower.starts_with("________________________________")
            || ((lower.starts_with("fra:") || lower.starts_with("from:")) && !out.is_empty())
            || ((lower.ends_with("skrev:") || lower.ends_with("wrote:"))
                && (lower.starts_with("den ") || lower.starts_with("on ")));
        if starts_quote {
            break;
        }
        if t.starts_with('>') {
            continue;
        }
        out.push(line);
    }
    out.join("\n")
}

/// Whether `phrase` stands in `text` as words (not inside a longer word).
fn find_words(text: &str, phrase: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(phrase) {
        let at = from + i;
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if edge(before) && edge(after) {
            return Some(at);
        }
        from = at + phrase.len();
    }
    None
}

/// The phrases of `list` found in `t`, each blanked out of it once found (so that a shorter
/// phrase does not count again inside a longer one).
fn take(t: &mut String, list: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for p in list {
        while let Some(i) = find_words(t, p) {
            if !found.iter().any(|r: &String| r == p) {
                found.push(p.to_string());
            }
            t.replace_range(i..i + p.len(), &" ".repeat(p.len()));
        }
    }
    found
}

/// Judges a mail's text (the quoted part is left out).
pub fn judge(text: &str) -> Judgement {
    let mut t = fresh_text(text).to_lowercase();
    let reject = take(&mut t, REJECT);
    let accept = take(&mut t, ACCEPT);
    let verdict = match (accept.is_empty(), reject.is_empty()) {
        (false, true) => Verdict::Accept,
        (true, false) => Verdict::Reject,
        _ => Verdict::Unclear,
    };
    Judgement {
        verdict,
        accept,
        reject,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(t: &str) -> Verdict {
        judge(t).verdict
    }

    #[test]
    fn a_plain_acceptance_or_rejection_is_suggested_as_such() {
        assert_eq!(
            v("Hej\n\nAccepteret, tak for hjælpen.\n\nLone"),
            Verdict::Accept
        );
        assert_eq!(
            v("Vi har testet, låsene virker igen. Sagen kan lukkes."),
            Verdict::Accept
        );
        assert_eq!(
            v("AFVIST – dørene på plejecentret virker ikke."),
            Verdict::Reject
        );
        assert_eq!(v("Looks good, accepted."), Verdict::Accept);
        assert_eq!(v("Still broken on floor 2."), Verdict::Reject);
    }

    #[test]
    fn accepted_but_the_fault_is_still_there_is_unclear() {
        let j = judge("Accepteret, men fejlen er der stadig på 2. sal.");
        assert_eq!(j.verdict, Verdict::Unclear);
        assert_eq!(j.accept, vec!["accepteret".to_string()]);
        assert_eq!(j.reject, vec!["fejlen er der stadig".to_string()]);
        assert_eq!(v("Tak for mailen."), Verdict::Unclear);
    }

    #[test]
    fn a_negated_acceptance_is_a_rejection() {
        assert_eq!(v("Løsningen er ikke accepteret."), Verdict::Reject);
        assert_eq!(v("Vi accepterer ikke løsningen"), Verdict::Reject);
    }

    #[test]
    fn the_quoted_notice_does_not_count() {
        let gmail = "Accepteret.\n\nDen tir. 4. mar. 2025 kl. 09.00 skrev frist <desk@leverandor.dk>:\n> svar ACCEPTERET, eller AFVIST og hvorfor\n";
        assert_eq!(v(gmail), Verdict::Accept);
        let outlook = "Fejlen er der stadig.\r\n\r\nFra: Support <desk@leverandor.dk>\r\nSendt: 4. marts 2025 09:00\r\nEmne: [frist #3] Løst\r\n\r\nsvar ACCEPTERET, eller AFVIST og hvorfor\r\n";
        assert_eq!(v(outlook), Verdict::Reject);
        assert_eq!(
            v("> Accepteret\nHvad betyder det?"),
            Verdict::Unclear,
            "only the quoted line accepts"
        );
    }

    #[test]
    fn a_word_inside_another_is_not_the_word() {
        // "acceptabel" is no acceptance; "uafviselig" no rejection.
        assert_eq!(v("Svartiden er acceptabel"), Verdict::Unclear);
    }
}
