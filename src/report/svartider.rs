//! Response times (svartider, domain §7, seed 003 §3.2): reading measurements, the month's
//! figures per transaction type, faults of category I–IV and their fine.

use super::Period;
use crate::calendar::WorkCalendar;
use crate::contract::{Contract, ResponseLimit};
use crate::error::{Error, LineProblem, Result};
use crate::sla::Measurement;
use crate::time::parse_time;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// A fault category of table 2: how far a measurement went over the max limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum FaultCategory {
    /// More than 100 % over.
    I,
    /// More than 75 % over.
    II,
    /// More than 50 % over.
    III,
    /// More than 25 % over.
    IV,
}

impl FaultCategory {
    /// Table 3's weighted value.
    pub fn points(self) -> u32 {
        match self {
            FaultCategory::I => 10,
            FaultCategory::II => 5,
            FaultCategory::III => 3,
            FaultCategory::IV => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FaultCategory::I => "I",
            FaultCategory::II => "II",
            FaultCategory::III => "III",
            FaultCategory::IV => "IV",
        }
    }
}

/// Whole milliseconds, so the 25/50/75/100 % edges compare exactly.
fn millis(s: f64) -> i64 {
    (s * 1000.0).round() as i64
}

/// The fault category of one measurement against a max limit; `None` when at most 25 % over.
/// Exactly 25 % over is no fault, exactly 50 % is IV, 75 % is III, 100 % is II.
pub fn fault_category(seconds: f64, max: f64) -> Option<FaultCategory> {
    let (s, m) = (i128::from(millis(seconds)), i128::from(millis(max)));
    if m <= 0 {
        return None;
    }
    // s > m × (1 + k) ⇔ 4s > m × (4 + 4k), all in integers.
    if s > 2 * m {
        Some(FaultCategory::I)
    } else if 4 * s > 7 * m {
        Some(FaultCategory::II)
    } else if 2 * s > 3 * m {
        Some(FaultCategory::III)
    } else if 4 * s > 5 * m {
        Some(FaultCategory::IV)
    } else {
        None
    }
}

/// One transaction type's month.
#[derive(Debug, Clone, Serialize)]
pub struct TypeStats {
    pub name: String,
    pub group: String,
    pub count: u32,
    /// The contract's limits in seconds (`None` for batch steps).
    pub p95_limit: Option<f64>,
    pub max_limit: Option<f64>,
    /// The 95th percentile (nearest rank) and the longest, in seconds.
    pub p95: Option<f64>,
    pub max: Option<f64>,
    /// Whether there were enough measurements to judge the 95 % figure.
    pub p95_judged: bool,
    /// `Some(true)` met, `Some(false)` not met, `None` not judged.
    pub p95_met: Option<bool>,
    /// Faults per category I, II, III, IV.
    pub faults: [u32; 4],
    pub points: u32,
}

/// One measurement over the max limit by more than 25 %.
#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    pub kind: String,
    pub at: DateTime<Utc>,
    pub seconds: f64,
    pub max_limit: f64,
    /// How far over the max, in percent.
    pub over_percent: f64,
    pub category: FaultCategory,
    pub points: u32,
}

/// The month's response times.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ResponseReport {
    /// Measurements in the month.
    pub measurements: u32,
    pub types: Vec<TypeStats>,
    pub faults: Vec<Fault>,
    pub points: u32,
    /// Kroner per point: the larger of the percentage of the monthly fee and the minimum.
    pub per_point: u64,
    pub fine: u64,
    /// Measurements needed before a type's 95 % figure is judged.
    pub min_measurements: u32,
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The month's response-time figures from the measurements inside the period.
pub fn response_times(
    contract: &Contract,
    _cal: &WorkCalendar,
    p: &Period,
    measurements: &[Measurement],
) -> ResponseReport {
    let in_month: Vec<&Measurement> = measurements
        .iter()
        .filter(|m| m.at >= p.start && m.at < p.until)
        .collect();
    let min_measurements = contract.response_fine.map_or(20, |f| f.min_measurements);
    let mut types = Vec::new();
    let mut faults = Vec::new();
    let mut limits: Vec<ResponseLimit> = contract.response_times.clone();
    // Measurements of a type the contract does not name still show, without limits.
    for m in &in_month {
        if !limits.iter().any(|l| same_name(&l.name, &m.kind)) {
            limits.push(ResponseLimit {
                name: m.kind.clone(),
                group: String::new(),
                p95: None,
                max: None,
            });
        }
    }
    for l in &limits {
        let mine: Vec<&&Measurement> = in_month
            .iter()
            .filter(|m| same_name(&m.kind, &l.name))
            .collect();
        let mut secs: Vec<f64> = mine.iter().map(|m| m.seconds).collect();
        secs.sort_by(f64::total_cmp);
        let n = secs.len();
        let p95 = (n > 0).then(|| secs[(n * 95).div_ceil(100).max(1) - 1]);
        let judged = n as u32 >= min_measurements;
        let mut counts = [0u32; 4];
        let mut points: u32 = 0;
        if let Some(max) = l.max {
            for m in &mine {
                if let Some(c) = fault_category(m.seconds, max) {
                    counts[c as usize] += 1;
                    points = points.saturating_add(c.points());
                    faults.push(Fault {
                        kind: l.name.clone(),
                        at: m.at,
                        seconds: m.seconds,
                        max_limit: max,
                        over_percent: ((m.seconds - max) / max * 1000.0).round() / 10.0,
                        category: c,
                        points: c.points(),
                    });
                }
            }
        }
        types.push(TypeStats {
            name: l.name.clone(),
            group: l.group.clone(),
            count: n as u32,
            p95_limit: l.p95,
            max_limit: l.max,
            p95,
            max: secs.last().copied(),
            p95_judged: judged,
            p95_met: match (judged, p95, l.p95) {
                (true, Some(v), Some(lim)) => Some(millis(v) <= millis(lim)),
                _ => None,
            },
            faults: counts,
            points,
        });
    }
    faults.sort_by(|a, b| a.at.cmp(&b.at).then(a.kind.cmp(&b.kind)));
    let points = faults
        .iter()
        .fold(0u32, |sum, f| sum.saturating_add(f.points));
    let per_point = contract.response_fine.map_or(0, |f| {
        let share = (f.monthly_fee as f64 * f.percent_per_point / 100.0).round() as u64;
        share.max(f.min_per_point)
    });
    ResponseReport {
        measurements: in_month.len() as u32,
        types,
        faults,
        points,
        per_point,
        fine: u64::from(points).saturating_mul(per_point),
        min_measurements,
    }
}

/// Reads response-time measurements: one per line, `transaction type; instant; seconds`.
/// The header line is optional; fields are separated by `;`, `,` or a tab (the first line
/// decides); the instant is RFC 3339 or `YYYY-MM-DD HH:MM[:SS]` local to `tz`; seconds take a
/// decimal point or comma (`1,5` must be quoted in a comma-separated file). Type names match
/// the contract's table case-insensitively and come out spelt as the contract spells them.
/// A bad line refuses the whole file with its line number.
pub fn parse_measurements_csv(
    src: &str,
    file: &str,
    tz: &Tz,
    limits: &[ResponseLimit],
) -> Result<Vec<Measurement>> {
    let bad = |line: usize, problem: LineProblem| Error::BadLine {
        file: file.to_string(),
        line,
        problem,
    };
    if limits.is_empty() {
        return Err(Error::Said {
            da: "kontrakten har ingen svartidstabel ([[response_time]]); tilføj transaktionstyperne og deres krav til kontrakten først".into(),
            en: "the contract has no response-time table ([[response_time]]); add the transaction types and their limits to the contract first".into(),
        });
    }
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let first = src.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if first.contains(';') {
        b';'
    } else if first.contains('\t') {
        b'\t'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(src.as_bytes());
    let valid = || limits.iter().map(|l| l.name.clone()).collect::<Vec<_>>();
    let mut out = Vec::new();
    let mut first_record = true;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            bad(line, LineProblem::Unreadable(e.to_string()))
        })?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let fields: Vec<&str> = rec.iter().collect();
        let fields: Vec<&str> = match fields.iter().rposition(|f| !f.is_empty()) {
            Some(last) => fields[..=last].to_vec(),
            None => continue,
        };
        let is_first = std::mem::take(&mut first_record);
        if fields.len() != 3 {
            if is_first && fields.iter().all(|f| parse_seconds(f).is_none()) {
                continue;
            }
            return Err(bad(
                line,
                LineProblem::FieldCount {
                    delimiter: delimiter as char,
                    found: fields.len(),
                },
            ));
        }
        let seconds = parse_seconds(fields[2]);
        let known = limits.iter().any(|l| same_name(&l.name, fields[0]));
        if is_first && !known && seconds.is_none() && parse_time(fields[1], tz).is_err() {
            // A header line.
            continue;
        }
        let kind = limits
            .iter()
            .find(|l| same_name(&l.name, fields[0]))
            .ok_or_else(|| {
                bad(
                    line,
                    LineProblem::UnknownType {
                        name: fields[0].to_string(),
                        valid: valid(),
                    },
                )
            })?;
        let at = parse_time(fields[1], tz).map_err(|e| match e {
            Error::BadTime { input, reason } => bad(line, LineProblem::Time { input, reason }),
            e => bad(line, LineProblem::Unreadable(e.to_string())),
        })?;
        let seconds =
            seconds.ok_or_else(|| bad(line, LineProblem::Seconds(fields[2].to_string())))?;
        out.push(Measurement {
            kind: kind.name.clone(),
            at,
            seconds,
        });
    }
    if out.is_empty() {
        return Err(Error::NoMeasurements {
            file: file.to_string(),
        });
    }
    Ok(out)
}

fn parse_seconds(s: &str) -> Option<f64> {
    let v: f64 = s.trim().replace(',', ".").parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v)
}
