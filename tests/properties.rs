//! Properties of the clock that must hold for every report instant and category.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::lock_contract;
use frist::sla;
use proptest::prelude::*;

/// Instants spread over 2024–2027 (UTC seconds), at minute resolution.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let start = common::utc("2024-01-01T00:00:00Z").timestamp() / 60;
    let end = common::utc("2027-12-31T00:00:00Z").timestamp() / 60;
    (start..end).prop_map(|m| DateTime::from_timestamp(m * 60, 0).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_deadline_never_precedes_the_report(r in instant(), idx in 0usize..10) {
        let (c, cal) = lock_contract();
        let cat = &c.categories[idx % c.categories.len()];
        let d = sla::deadlines(cal, cat, r).unwrap();
        for t in [d.reaction, d.resolution].into_iter().flatten() {
            prop_assert!(t.start >= r, "{} starts before the report", cat.id);
            prop_assert!(t.deadline > r, "{}: deadline {} not after report {}", cat.id, t.deadline, r);
        }
        if let (Some(a), Some(b)) = (d.reaction, d.resolution) {
            prop_assert!(a.deadline <= b.deadline, "{}: reaction after resolution", cat.id);
        }
    }

    #[test]
    fn business_time_added_then_measured_is_the_same(r in instant(), minutes in 1i64..20_000) {
        let (_, cal) = lock_contract();
        let amount = TimeDelta::minutes(minutes);
        let end = cal.add_business(r, amount, None).unwrap();
        prop_assert_eq!(cal.business_between(r, end).unwrap(), amount);
        // And taking it away again lands where the counting started (in the window).
        let back = cal.sub_business(end, amount).unwrap();
        prop_assert_eq!(back, cal.next_opening(r).unwrap());
    }

    #[test]
    fn a_later_resolution_never_lowers_the_fine(d in instant(), a in 0i64..60*24*60, extra in 0i64..60*24*30, idx in 0usize..10) {
        let (c, cal) = lock_contract();
        let Some(table) = c.categories[idx % c.categories.len()].fine else { return Ok(()); };
        let early = sla::fine(cal, &table, d, d + TimeDelta::minutes(a)).unwrap();
        let late = sla::fine(cal, &table, d, d + TimeDelta::minutes(a + extra)).unwrap();
        prop_assert!(late.total >= early.total, "{} then {}", early.total, late.total);
    }

    #[test]
    fn a_fine_never_exceeds_cap_times_the_higher_rate(d in instant(), a in 0i64..60*24*400, idx in 0usize..10) {
        let (c, cal) = lock_contract();
        let Some(table) = c.categories[idx % c.categories.len()].fine else { return Ok(()); };
        let f = sla::fine(cal, &table, d, d + TimeDelta::minutes(a)).unwrap();
        prop_assert!(f.total <= u64::from(table.cap_days) * table.higher);
        prop_assert!(f.total <= table.max_total());
        prop_assert!(f.days.len() as u32 <= table.cap_days);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever a user types as a time (a CLI flag, FRIST_NOW, a svartider line, the TUI form
    /// while typing), reading it returns a value or an error, never a panic.
    #[test]
    fn parse_time_never_panics(s in any::<String>()) {
        let _ = frist::time::parse_time(&s, &chrono_tz::Europe::Copenhagen);
    }

    /// The same for strings shaped like times with any character in any place, where a
    /// byte-index slice would cut a multi-byte character.
    #[test]
    fn parse_time_never_panics_on_time_shaped_text(
        s in "[0-9]{0,4}[-.]?[0-9ø€🔒]{0,3}[-.]?[0-9ø€🔒]{0,3}[ T]?[0-9:ø]{0,8}"
    ) {
        let _ = frist::time::parse_time(&s, &chrono_tz::Europe::Copenhagen);
    }
}
