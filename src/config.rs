//! Reading the project's TOML data files (contracts, holiday files, keymaps) with messages
//! that name the file, the line and the field at fault.

use crate::error::{line_of, Error, Result};
use serde::de::DeserializeOwned;

/// Parses `src` as TOML into `T`; an error names `file`, the line and the field.
pub fn parse_toml<T: DeserializeOwned>(src: &str, file: &str) -> Result<T> {
    toml::from_str(src).map_err(|e| {
        let (line, field) = match e.span() {
            Some(span) => {
                let line = line_of(src, span.start);
                (line, field_at(src, line))
            }
            None => (0, String::new()),
        };
        Error::Config {
            file: file.to_string(),
            line,
            field,
            message: e.message().trim().to_string(),
        }
    })
}

/// The key named on a line of TOML (`key = …` → `key`, `[[category]]` → `category`).
pub fn field_at(src: &str, line: usize) -> String {
    let text = src.lines().nth(line.saturating_sub(1)).unwrap_or("").trim();
    if let Some(stripped) = text.strip_prefix('[') {
        return stripped
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_string();
    }
    let key = match text.split_once('=') {
        Some((key, _)) => key.trim().trim_matches('"').to_string(),
        None => return text.to_string(),
    };
    // Qualify a key with the table it stands in: `category.day`, `window.mon`.
    let table = src
        .lines()
        .take(line.saturating_sub(1))
        .filter_map(|l| l.trim().strip_prefix('['))
        .last()
        .map(|h| h.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    match table {
        Some(t) => format!("{t}.{key}"),
        None => key,
    }
}

/// A config error at a known byte offset.
pub fn error_at(src: &str, file: &str, offset: usize, message: impl Into<String>) -> Error {
    let line = line_of(src, offset);
    Error::Config {
        file: file.to_string(),
        line,
        field: field_at(src, line),
        message: message.into(),
    }
}
