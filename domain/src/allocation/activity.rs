//! Reading an adviser's activity into dated events: meeting weeks (WC1, WC2, IN5, IN6), deal
//! weeks (WC3, IN4) and absence intervals (AB1), with the warnings W2–W4.

use super::config::{CLARIFY, KICK_OFF};
use super::input::{ActivityData, OfficeClosure};
use super::parse::{parse_cal_date, parse_date_time};
use super::result::Warning;
use super::week::{day_number, monday_of_day};
use chrono_tz::Tz;

/// An adviser's activity as week-level events. Days and weeks are day numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Events {
    /// Week of every counted Clarify (any week; the table drops weeks before its start).
    pub clarify_weeks: Vec<i64>,
    pub kickoff_weeks: Vec<i64>,
    /// Week of every dated deal without a Clarify.
    pub deal_weeks: Vec<i64>,
    /// Closed day intervals of leave, each with start ≤ end.
    pub leave: Vec<(i64, i64)>,
    pub warnings: Vec<Warning>,
}

/// Reads the activity of one adviser in the firm's zone `tz`.
pub(crate) fn read_activity(data: &ActivityData, tz: Tz) -> Events {
    let mut ev = Events::default();
    // ER3 order: W2 (deals), W3 (meetings), W4 (leave).
    for (i, deal) in data.deals_without_clarify.iter().enumerate() {
        match deal.agreement_start_date.resolve(tz) {
            Ok(Some(date)) => ev.deal_weeks.push(monday_of_day(day_number(date))),
            Ok(None) => {}
            Err(_) => ev.warnings.push(Warning::DealDate {
                id: record_id(deal.id.as_deref(), i),
                raw: deal.agreement_start_date.raw_text().unwrap_or_default(),
            }),
        }
    }
    for (i, meeting) in data.meetings.iter().enumerate() {
        let is_clarify = meeting.kind == CLARIFY;
        if !is_clarify && meeting.kind != KICK_OFF {
            continue; // IN6: other types are ignored without a warning
        }
        match parse_date_time(&meeting.start) {
            Some(dt) => {
                let week = monday_of_day(day_number(dt.date_in(tz)));
                if is_clarify {
                    ev.clarify_weeks.push(week);
                } else {
                    ev.kickoff_weeks.push(week);
                }
            }
            None => ev.warnings.push(Warning::MeetingStart {
                id: record_id(meeting.id.as_deref(), i),
                raw: meeting.start.clone(),
            }),
        }
    }
    for (i, leave) in data.leave.iter().enumerate() {
        let start = leave.start_date.as_deref().and_then(parse_cal_date);
        let end = leave.end_date.as_deref().and_then(parse_cal_date);
        match (start, end) {
            (Some(s), Some(e)) => {
                if s <= e {
                    ev.leave.push((day_number(s), day_number(e)));
                }
            }
            _ => ev.warnings.push(Warning::LeaveDates {
                id: record_id(leave.id.as_deref(), i),
                start: leave.start_date.clone().unwrap_or_default(),
                end: leave.end_date.clone().unwrap_or_default(),
            }),
        }
    }
    ev
}

/// AB1: closures as closed day intervals (no end date = one day; end < start covers nothing).
pub(crate) fn closure_intervals(closures: &[OfficeClosure]) -> Vec<(i64, i64)> {
    closures
        .iter()
        .map(|c| {
            let start = day_number(c.start_date);
            (start, c.end_date.map_or(start, day_number))
        })
        .filter(|(s, e)| s <= e)
        .collect()
}

/// ER3: a record's id, or its 0-based position in its list.
fn record_id(id: Option<&str>, position: usize) -> String {
    id.map_or_else(|| position.to_string(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::input::{RawDeal, RawLeave, RawMeeting};
    use crate::allocation::parse::RawDealDate;
    use chrono::NaiveDate;

    fn dn(s: &str) -> i64 {
        day_number(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }
    fn meeting(start: &str, kind: &str) -> RawMeeting {
        RawMeeting {
            id: None,
            start: start.into(),
            kind: kind.into(),
        }
    }

    #[test]
    fn wc1_in6_meeting_weeks_in_firm_zone_and_types() {
        // X8: a Monday 10:59 AEDT meeting is in that Monday's week, not the previous one (C3).
        let data = ActivityData {
            meetings: vec![
                meeting("2025-03-03T10:59:00+11:00", "Clarify"),
                meeting("2025-03-23T22:00:00Z", "Clarify"),
                meeting("2025-03-26T14:00", "Review"),
                meeting("2025-03-27T14:00", "Kick Off"),
                meeting("2025-03-27T14:00", "clarify"),
            ],
            ..ActivityData::default()
        };
        let ev = read_activity(&data, chrono_tz::Australia::Sydney);
        assert_eq!(ev.clarify_weeks, vec![dn("2025-03-03"), dn("2025-03-24")]);
        assert_eq!(ev.kickoff_weeks, vec![dn("2025-03-24")]);
        assert!(ev.warnings.is_empty());
    }

    #[test]
    fn er3_warnings_in_order_with_positions_for_missing_ids() {
        let data = ActivityData {
            meetings: vec![meeting("2025-03-03 10:00", "Clarify")],
            deals_without_clarify: vec![
                RawDeal {
                    id: None,
                    agreement_start_date: RawDealDate::Text("soon".into()),
                },
                RawDeal {
                    id: Some("D-2".into()),
                    agreement_start_date: RawDealDate::Text(" ".into()),
                },
            ],
            leave: vec![RawLeave {
                id: Some("L1".into()),
                start_date: Some("2025-03-03".into()),
                end_date: None,
            }],
        };
        let ev = read_activity(&data, chrono_tz::Australia::Sydney);
        let texts: Vec<String> = ev.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "deal 0: agreement_start_date \"soon\" is not a date; deal skipped",
                "meeting 0: start \"2025-03-03 10:00\" is not a date-time; meeting skipped",
                "leave L1: dates \"2025-03-03\"..\"\" are not dates; leave skipped",
            ]
        );
        assert!(ev.deal_weeks.is_empty());
    }
}
