//! Word wrapping for text a user must read whole (a ticket's title and description), shared by
//! the TUI's detail view and `frist show` so both break lines the same way. Pure.
//!
//! Widths are counted in characters: the Danish text frist shows (æ, ø, å) is one column a
//! character.

/// The byte ranges of `text` that make up its lines when wrapped at `width` columns: words
/// are kept whole where they fit, a word longer than a line is cut, a line break in the text
/// starts a new line (an empty line stays empty). The spaces a line is broken at are left out.
pub fn ranges(text: &str, width: usize) -> Vec<(usize, usize)> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut p_start = 0;
    for para in text.split('\n') {
        let para_trim = para.strip_suffix('\r').unwrap_or(para);
        let words = words(para_trim);
        if words.is_empty() {
            out.push((p_start, p_start));
        }
        // The line being filled: (start, end, width so far).
        let mut line: Option<(usize, usize, usize)> = None;
        for (ws, we) in words {
            let (ws, we) = (p_start + ws, p_start + we);
            let w = text[ws..we].chars().count();
            if let Some((s, e, lw)) = line {
                let gap = text[e..ws].chars().count();
                if lw + gap + w <= width {
                    line = Some((s, we, lw + gap + w));
                    continue;
                }
                out.push((s, e));
            }
            // The word begins a line; cut it while it is longer than a line.
            let mut start = ws;
            let mut left = w;
            while left > width {
                let cut = text[start..]
                    .char_indices()
                    .nth(width)
                    .map_or(we, |(i, _)| start + i);
                out.push((start, cut));
                start = cut;
                left -= width;
            }
            line = Some((start, we, left));
        }
        if let Some((s, e, _)) = line {
            out.push((s, e));
        }
        p_start += para.len() + 1;
    }
    out
}

/// `text` wrapped at `width` columns, one string a line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    ranges(text, width)
        .into_iter()
        .map(|(a, b)| text[a..b].to_string())
        .collect()
}

/// The byte ranges of the words (runs of non-whitespace) of one line of text.
fn words(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(st)) => {
                out.push((st, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn words_stay_whole_and_nothing_is_lost() {
        let text = "Ingen i hjemmeplejen kan logge ind i appen siden klokken syv";
        let lines = wrap(text, 20);
        assert_eq!(
            lines,
            vec![
                "Ingen i hjemmeplejen",
                "kan logge ind i",
                "appen siden klokken",
                "syv"
            ]
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 20));
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn long_words_are_cut_and_line_breaks_kept() {
        assert_eq!(
            wrap("abcdefghij kl\n\nææææææ", 4),
            vec!["abcd", "efgh", "ij", "kl", "", "ææææ", "ææ"]
        );
        assert_eq!(wrap("", 10), vec![""]);
    }
}
