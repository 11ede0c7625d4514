//! Parsing rules IN1–IN5: raw upstream values into domain values.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// IN1: the three states of `taking_on_clients`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TakingOnClients {
    Blank,
    Yes,
    No,
}

/// A raw `taking_on_clients` value as the CRM or a scenario file gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawFlag {
    /// Absent in adapter data, or JSON null.
    Missing,
    Bool(bool),
    Text(String),
}

impl RawFlag {
    /// IN1 (C4): trim, then compare with `true` case-insensitively.
    pub fn state(&self) -> TakingOnClients {
        match self {
            RawFlag::Missing => TakingOnClients::Blank,
            RawFlag::Bool(true) => TakingOnClients::Yes,
            RawFlag::Bool(false) => TakingOnClients::No,
            RawFlag::Text(s) => {
                let t = s.trim();
                if t.is_empty() {
                    TakingOnClients::Blank
                } else if t.eq_ignore_ascii_case("true") {
                    TakingOnClients::Yes
                } else {
                    TakingOnClients::No
                }
            }
        }
    }
}

/// A raw multi-value field (`service_packages`, `household_types`): a string or a list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RawMulti {
    #[default]
    Missing,
    Text(String),
    List(Vec<String>),
}

impl RawMulti {
    /// IN2 `norm`: join a list with `;`, split on runs of `; , / |`, trim, lowercase, drop empties.
    pub fn norm(&self) -> BTreeSet<String> {
        let parts: Vec<&str> = match self {
            RawMulti::Missing => Vec::new(),
            RawMulti::Text(s) => vec![s.as_str()],
            RawMulti::List(items) => items.iter().map(String::as_str).collect(),
        };
        parts
            .into_iter()
            .flat_map(|p| p.split([';', ',', '/', '|']))
            .map(|p| p.trim().to_lowercase())
            .filter(|p| !p.is_empty())
            .collect()
    }

    /// The raw value as one display string (a list joined with `; `).
    pub fn display(&self) -> String {
        match self {
            RawMulti::Missing => String::new(),
            RawMulti::Text(s) => s.clone(),
            RawMulti::List(items) => items.join("; "),
        }
    }
}

/// T9: the email key, `lowercase(trim(e))`.
pub fn ekey(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A date-time in the IN5 grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTimeValue {
    pub local: NaiveDateTime,
    /// Offset east of UTC in seconds, when one was written.
    pub offset_secs: Option<i32>,
}

impl DateTimeValue {
    /// IN5: the meeting date. With an offset, the local date of that instant in `tz`;
    /// without one, the written date.
    pub fn date_in(&self, tz: Tz) -> NaiveDate {
        match self.offset_secs {
            None => self.local.date(),
            Some(off) => {
                let utc = self.local - chrono::Duration::seconds(i64::from(off));
                tz.from_utc_datetime(&utc).date_naive()
            }
        }
    }
}

/// Parses `YYYY-MM-DD` exactly (four-digit year, two-digit month and day, a date that exists in
/// the Gregorian calendar, which has no year 0).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(&b[0..4]).filter(|y| *y >= 1)?;
    let m = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// Parses the IN5 date-time grammar:
/// `YYYY-MM-DD (T|t) hh:mm [:ss [.1*9DIGIT]] [Z|z|(+|-)hh:mm]`.
pub fn parse_date_time(s: &str) -> Option<DateTimeValue> {
    let b = s.as_bytes();
    if b.len() < 16 || !matches!(b[10], b'T' | b't') {
        return None;
    }
    let date = parse_date(s.get(0..10)?)?;
    let (hh, mm) = (digits(&b[11..13])?, digits(&b[14..16])?);
    if b[13] != b':' || hh > 23 || mm > 59 {
        return None;
    }
    let mut i = 16;
    let mut ss = 0;
    if b.get(i) == Some(&b':') {
        ss = digits(b.get(i + 1..i + 3)?)?;
        if ss > 59 {
            return None;
        }
        i += 3;
        if b.get(i) == Some(&b'.') {
            let frac = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if !(1..=9).contains(&frac) {
                return None;
            }
            i += 1 + frac;
        }
    }
    let offset_secs = match &b[i..] {
        [] => None,
        [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (oh, om) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = (oh * 3600 + om * 60) as i32;
            Some(if *sign == b'-' { -secs } else { secs })
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_opt(hh, mm, ss)?;
    Some(DateTimeValue {
        local: date.and_time(time),
        offset_secs,
    })
}

/// IN3: a calendar-date field. `YYYY-MM-DD`, or an IN5 date-time whose written date is used.
/// Not trimmed; not converted to the firm's zone.
pub fn parse_cal_date(s: &str) -> Option<NaiveDate> {
    if s.len() == 10 {
        parse_date(s)
    } else {
        parse_date_time(s).map(|dt| dt.local.date())
    }
}

/// A value that is not a date in the formats its rule allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a date")]
pub struct Unparseable;

/// A raw deal-date value (IN4) as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawDealDate {
    /// Absent or null.
    Missing,
    /// A JSON integer: epoch milliseconds.
    Millis(i64),
    Text(String),
}

impl RawDealDate {
    /// The raw value as text, for warnings and records.
    pub fn raw_text(&self) -> Option<String> {
        match self {
            RawDealDate::Missing => None,
            RawDealDate::Millis(ms) => Some(ms.to_string()),
            RawDealDate::Text(s) => Some(s.clone()),
        }
    }

    /// IN4 (C8): `Ok(None)` when there is no date.
    pub fn resolve(&self, tz: Tz) -> Result<Option<NaiveDate>, Unparseable> {
        let date = match self {
            RawDealDate::Missing => return Ok(None),
            RawDealDate::Millis(ms) => millis_date(*ms, tz),
            RawDealDate::Text(s) => {
                let t = s.trim();
                if t.is_empty() {
                    return Ok(None);
                } else if t.bytes().all(|c| c.is_ascii_digit()) {
                    t.parse().ok().and_then(|ms| millis_date(ms, tz))
                } else if t.len() == 10 {
                    parse_date(t)
                } else {
                    parse_date_time(t).map(|dt| dt.date_in(tz))
                }
            }
        };
        // IN4: a value outside 0001-01-01..9999-12-31 is unparseable.
        match date {
            Some(d) if (1..=9999).contains(&d.year()) => Ok(Some(d)),
            _ => Err(Unparseable),
        }
    }
}

fn millis_date(ms: i64, tz: Tz) -> Option<NaiveDate> {
    let utc = chrono::DateTime::from_timestamp_millis(ms)?;
    Some(utc.with_timezone(&tz).date_naive())
}

/// ASCII digits to a number; `None` when any byte is not a digit.
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, c| n * 10 + u32::from(c - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn in1_taking_on_clients_states() {
        use TakingOnClients::*;
        let text = |s: &str| RawFlag::Text(s.into()).state();
        assert_eq!(RawFlag::Missing.state(), Blank);
        assert_eq!(text("   "), Blank);
        assert_eq!(text(""), Blank);
        assert_eq!(RawFlag::Bool(true).state(), Yes);
        assert_eq!(text(" TRUE "), Yes);
        assert_eq!(text("True"), Yes);
        assert_eq!(RawFlag::Bool(false).state(), No);
        for s in ["False", "no", "yes", "1", "truee"] {
            assert_eq!(text(s), No, "{s}");
        }
    }

    #[test]
    fn in2_norm_splits_trims_lowercases() {
        let t = RawMulti::Text("IPO / Series B".into()).norm();
        assert_eq!(t, ["ipo", "series b"].map(String::from).into());
        let l = RawMulti::List(vec!["Seed".into(), " series a|IPO".into()]).norm();
        assert_eq!(l, ["seed", "series a", "ipo"].map(String::from).into());
        assert!(RawMulti::Text(" ;;, / ".into()).norm().is_empty());
        assert!(RawMulti::Missing.norm().is_empty());
    }

    #[test]
    fn t9_ekey() {
        assert_eq!(ekey("  Eli.East@Example.com "), "eli.east@example.com");
    }

    #[test]
    fn in3_cal_dates() {
        assert_eq!(parse_cal_date("2025-03-01"), Some(d("2025-03-01")));
        assert_eq!(
            parse_cal_date("2025-03-20T00:00:00+11:00"),
            Some(d("2025-03-20"))
        );
        assert_eq!(parse_cal_date("2025-03-20T23:30"), Some(d("2025-03-20")));
        for bad in [
            "2025-02-30",
            "0000-01-01",
            " 2025-03-01",
            "2025-3-1",
            "2025-03-20T24:00",
            "2025-03-20 10:00",
            "20250301",
            "",
        ] {
            assert_eq!(parse_cal_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn in5_grammar() {
        for ok in [
            "2025-03-24T09:00",
            "2025-03-24t09:00:59",
            "2025-03-24T09:00:00.123456789Z",
            "2025-03-24T09:00:00-05:30",
            "2025-03-24T09:00z",
        ] {
            assert!(parse_date_time(ok).is_some(), "{ok}");
        }
        for bad in [
            "2025-03-24T09:00:60",
            "2025-03-24T09:00:00.",
            "2025-03-24T09:00:00.1234567890",
            "2025-03-24T09:00+1100",
            "2025-03-24T09:00+24:00",
            "2025-03-24T9:00",
            "2025-03-24",
            "2025-03-24T09:00 ",
        ] {
            assert!(parse_date_time(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn in5_meeting_date_in_firm_zone() {
        let tz = chrono_tz::Australia::Sydney;
        let with_offset = parse_date_time("2025-03-02T23:30:00Z").unwrap();
        assert_eq!(with_offset.date_in(tz), d("2025-03-03"));
        let local = parse_date_time("2025-03-03T09:30").unwrap();
        assert_eq!(local.date_in(tz), d("2025-03-03"));
    }

    #[test]
    fn in4_deal_dates() {
        let tz = chrono_tz::Australia::Sydney;
        let text = |s: &str| RawDealDate::Text(s.into()).resolve(tz);
        assert_eq!(
            RawDealDate::Millis(1_742_169_600_000).resolve(tz),
            Ok(Some(d("2025-03-17")))
        );
        assert_eq!(text(" 1742169600000 "), Ok(Some(d("2025-03-17"))));
        assert_eq!(text("2025-03-26"), Ok(Some(d("2025-03-26"))));
        assert_eq!(text("2025-03-16T20:00:00Z"), Ok(Some(d("2025-03-17"))));
        assert_eq!(text("2025-03-16T20:00"), Ok(Some(d("2025-03-16"))));
        assert_eq!(text("  "), Ok(None));
        assert_eq!(RawDealDate::Missing.resolve(tz), Ok(None));
        for bad in [
            "soon",
            "2025-13-01",
            "2025-3-5",
            "-5",
            "99999999999999999999",
        ] {
            assert_eq!(text(bad), Err(Unparseable), "{bad}");
        }
        assert_eq!(RawDealDate::Millis(i64::MAX).resolve(tz), Err(Unparseable));
        assert_eq!(text("0000-05-01"), Err(Unparseable));
        assert_eq!(text("9999-12-31T23:00:00-05:00"), Err(Unparseable));
        assert_eq!(text("9999-12-31T23:00"), Ok(Some(d("9999-12-31"))));
        assert_eq!(
            RawDealDate::Millis(-62_200_000_000_000).resolve(tz),
            Err(Unparseable)
        );
    }
}
