//! The validation rules of the admin JSON routes for office closures and capacity overrides
//! (http-api.md H2.5, H2.6): dates, tags, emails and the derived `workdays` / `effective_week`.
//! Pure functions; the HTTP layer maps the field errors to `validation_failed`.

use crate::allocation::{CapacityOverride, ClientLimit, OfficeClosure};
use chrono::{Datelike, Days, NaiveDate, Weekday};

/// A field at fault and its code (H0.11), e.g. `("end_date", "invalid_date_range")`.
pub type FieldError = (String, &'static str);

/// The earliest date the admin routes accept.
pub const MIN_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};
/// The latest date the admin routes accept.
pub const MAX_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2100, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};
/// The longest closure, in days counting both ends.
pub const MAX_CLOSURE_DAYS: i64 = 366;
pub const MAX_DESCRIPTION_CHARS: usize = 200;
pub const MAX_TAG_CHARS: usize = 32;
pub const MAX_TAGS: usize = 10;
pub const MAX_NOTES_CHARS: usize = 500;
pub const MAX_EMAIL_CHARS: usize = 120;
pub const MIN_CLIENT_LIMIT: i64 = 1;
pub const MAX_CLIENT_LIMIT: i64 = 100;
/// The accepted `pod_type` values; `""` is "none".
pub const POD_TYPES: [&str; 4] = ["", "Standard Pod", "Solo Adviser", "Team Pod"];

/// A `YYYY-MM-DD` calendar date within [`MIN_DATE`]..=[`MAX_DATE`]: a malformed or impossible
/// date is `invalid_date`, a real one outside the range `out_of_range`.
pub fn parse_admin_date(raw: &str) -> Result<NaiveDate, &'static str> {
    let raw = raw.trim();
    let shape_ok = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err("invalid_date");
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| "invalid_date")?;
    if date < MIN_DATE || date > MAX_DATE {
        return Err("out_of_range");
    }
    Ok(date)
}

/// Tags as the routes accept them: every string is split on commas, each piece trimmed, blanks
/// dropped, duplicates (case-insensitive) dropped keeping the first spelling. Then each must be
/// ≤32 chars (`item_too_long`) and there may be ≤10 (`too_many_items`).
pub fn normalize_tags<S: AsRef<str>>(raw: &[S]) -> Result<Vec<String>, &'static str> {
    let mut tags: Vec<String> = Vec::new();
    for piece in raw.iter().flat_map(|s| s.as_ref().split(',')) {
        let tag = piece.trim();
        if tag.is_empty() {
            continue;
        }
        let key = tag.to_lowercase();
        if tags.iter().any(|t| t.to_lowercase() == key) {
            continue;
        }
        tags.push(tag.to_owned());
    }
    if tags.iter().any(|t| t.chars().count() > MAX_TAG_CHARS) {
        return Err("item_too_long");
    }
    if tags.len() > MAX_TAGS {
        return Err("too_many_items");
    }
    Ok(tags)
}

/// A closure's fields as text, after any merging, before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClosureFields {
    pub start_date: Option<String>,
    /// `None` = the start date.
    pub end_date: Option<String>,
    pub description: String,
    pub tags: Vec<String>,
}

/// Validates a closure as a whole (H2.5), collecting every field at fault.
pub fn validate_closure(fields: &ClosureFields) -> Result<OfficeClosure, Vec<FieldError>> {
    let mut errors: Vec<FieldError> = Vec::new();
    let start = match fields.start_date.as_deref() {
        None => {
            errors.push(("start_date".into(), "required"));
            None
        }
        Some(raw) => parse_admin_date(raw)
            .map_err(|code| errors.push(("start_date".into(), code)))
            .ok(),
    };
    let end = match fields.end_date.as_deref() {
        None => start,
        Some(raw) => parse_admin_date(raw)
            .map_err(|code| errors.push(("end_date".into(), code)))
            .ok(),
    };
    if let (Some(start), Some(end)) = (start, end)
        && let Err(code) = check_range(start, end)
    {
        errors.push(("end_date".into(), code));
    }
    let description = fields.description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.push(("description".into(), "too_long"));
    }
    let tags = normalize_tags(&fields.tags)
        .map_err(|code| errors.push(("tags".into(), code)))
        .ok();
    match (start, end, tags) {
        (Some(start), Some(end), Some(tags)) if errors.is_empty() => Ok(OfficeClosure {
            start_date: start,
            end_date: Some(end),
            description: description.to_owned(),
            tags,
        }),
        _ => Err(errors),
    }
}

/// `end ≥ start` (`invalid_date_range`) and at most [`MAX_CLOSURE_DAYS`] days inclusive
/// (`out_of_range`).
pub fn check_range(start: NaiveDate, end: NaiveDate) -> Result<(), &'static str> {
    if end < start {
        return Err("invalid_date_range");
    }
    if (end - start).num_days() + 1 > MAX_CLOSURE_DAYS {
        return Err("out_of_range");
    }
    Ok(())
}

/// The number of Monday–Friday dates in `start..=end` (0 when `end < start`).
pub fn workdays(start: NaiveDate, end: NaiveDate) -> u32 {
    if end < start {
        return 0;
    }
    let days = (end - start).num_days() + 1;
    let full_weeks = days / 7;
    let mut count = full_weeks * 5;
    let mut day = start + Days::new((full_weeks * 7) as u64);
    while day <= end {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            count += 1;
        }
        day = day + Days::new(1);
    }
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// The first Monday on or after `date` (H2.6 `effective_week`).
pub fn effective_week(date: NaiveDate) -> NaiveDate {
    let ahead = (7 - date.weekday().num_days_from_monday()) % 7;
    date + Days::new(u64::from(ahead))
}

/// Whether `email` (already trimmed and lowercased) matches the portal P2.19 pattern.
pub fn email_format_ok(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || ".!#$%&'*+/=?^_{|}~-".contains(c)
        });
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            && b.first() != Some(&b'-')
            && b.last() != Some(&b'-')
    };
    local_ok && labels.len() >= 2 && labels.iter().all(label_ok)
}

/// An adviser email as the override routes take it: trimmed, lowercased; blank `required`,
/// >120 chars `too_long`, else the P2.19 pattern or `invalid_format`.
pub fn normalize_adviser_email(raw: &str) -> Result<String, &'static str> {
    let email = crate::allocation::ekey(raw);
    if email.is_empty() {
        return Err("required");
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err("too_long");
    }
    if !email_format_ok(&email) {
        return Err("invalid_format");
    }
    Ok(email)
}

/// An override's fields after any merging, before validation (H2.6).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OverrideFields {
    pub adviser_email: Option<String>,
    pub effective_date: Option<String>,
    pub client_limit_monthly: Option<i64>,
    /// `""` = none.
    pub pod_type: String,
    pub notes: String,
}

/// Validates an override as a whole, collecting every field at fault. A `pod_type` of `""` and
/// blank notes are stored as `None`.
pub fn validate_override(fields: &OverrideFields) -> Result<CapacityOverride, Vec<FieldError>> {
    let mut errors: Vec<FieldError> = Vec::new();
    let email = match fields.adviser_email.as_deref() {
        None => Err("required"),
        Some(raw) => normalize_adviser_email(raw),
    }
    .map_err(|code| errors.push(("adviser_email".into(), code)))
    .ok();
    let date = match fields.effective_date.as_deref() {
        None => Err("required"),
        Some(raw) => parse_admin_date(raw),
    }
    .map_err(|code| errors.push(("effective_date".into(), code)))
    .ok();
    let limit = match fields.client_limit_monthly {
        None => Err("required"),
        Some(n) if !(MIN_CLIENT_LIMIT..=MAX_CLIENT_LIMIT).contains(&n) => Err("out_of_range"),
        Some(n) => u32::try_from(n)
            .ok()
            .and_then(|n| ClientLimit::new(n).ok())
            .ok_or("out_of_range"),
    }
    .map_err(|code| errors.push(("client_limit_monthly".into(), code)))
    .ok();
    if !POD_TYPES.contains(&fields.pod_type.as_str()) {
        errors.push(("pod_type".into(), "invalid_value"));
    }
    let notes = fields.notes.trim();
    if notes.chars().count() > MAX_NOTES_CHARS {
        errors.push(("notes".into(), "too_long"));
    }
    match (email, date, limit) {
        (Some(adviser_email), Some(effective_date), Some(client_limit_monthly))
            if errors.is_empty() =>
        {
            Ok(CapacityOverride {
                adviser_email,
                effective_date,
                client_limit_monthly,
                pod_type: Some(fields.pod_type.clone()).filter(|p| !p.is_empty()),
                notes: Some(notes.to_owned()).filter(|n| !n.is_empty()),
            })
        }
        _ => Err(errors),
    }
}

/// Whether a path id is 1..64 chars of `[A-Za-z0-9_-]`.
pub fn path_id_ok(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn closure(start: Option<&str>, end: Option<&str>) -> ClosureFields {
        ClosureFields {
            start_date: start.map(String::from),
            end_date: end.map(String::from),
            ..ClosureFields::default()
        }
    }

    #[test]
    fn dates_must_be_real_and_in_range() {
        assert_eq!(parse_admin_date("2025-04-18"), Ok(d("2025-04-18")));
        assert_eq!(parse_admin_date("2000-01-01"), Ok(MIN_DATE));
        assert_eq!(parse_admin_date("2100-12-31"), Ok(MAX_DATE));
        assert_eq!(parse_admin_date("1999-12-31"), Err("out_of_range"));
        assert_eq!(parse_admin_date("2101-01-01"), Err("out_of_range"));
        assert_eq!(parse_admin_date("2025-02-30"), Err("invalid_date"));
        assert_eq!(parse_admin_date("2025-2-3"), Err("invalid_date"));
        assert_eq!(parse_admin_date("18/04/2025"), Err("invalid_date"));
        assert_eq!(parse_admin_date(""), Err("invalid_date"));
        assert_eq!(
            parse_admin_date("2025-04-18T00:00:00Z"),
            Err("invalid_date")
        );
        assert_eq!(parse_admin_date("+025-04-18"), Err("invalid_date"));
    }

    #[test]
    fn tags_are_split_trimmed_and_deduplicated_keeping_the_first_spelling() {
        assert_eq!(
            normalize_tags(&["Public Holiday, qld ,", " ", "QLD", "public holiday", "x"]),
            Ok(vec![
                "Public Holiday".to_owned(),
                "qld".to_owned(),
                "x".to_owned()
            ])
        );
        assert_eq!(normalize_tags::<&str>(&[]), Ok(vec![]));
        assert_eq!(normalize_tags(&[",,  ,"]), Ok(vec![]));
    }

    #[test]
    fn tags_have_limits() {
        let long = "a".repeat(33);
        assert_eq!(normalize_tags(&[long.as_str()]), Err("item_too_long"));
        let ok = "é".repeat(32);
        assert_eq!(normalize_tags(&[ok.as_str()]), Ok(vec![ok.clone()]));
        let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert_eq!(normalize_tags(&eleven), Err("too_many_items"));
        // Duplicates do not count towards the limit.
        let mut ten: Vec<String> = (0..10).map(|i| format!("t{i}")).collect();
        ten.push("T0".into());
        assert_eq!(normalize_tags(&ten).map(|t| t.len()), Ok(10));
    }

    #[test]
    fn closure_defaults_end_to_start_and_trims_description() {
        let mut f = closure(Some("2025-04-18"), None);
        f.description = "  Good Friday ".into();
        f.tags = vec!["holiday".into()];
        let c = validate_closure(&f).unwrap();
        assert_eq!(c.start_date, d("2025-04-18"));
        assert_eq!(c.end_date, Some(d("2025-04-18")));
        assert_eq!(c.description, "Good Friday");
        assert_eq!(c.tags, vec!["holiday".to_owned()]);
    }

    #[test]
    fn closure_field_errors() {
        assert_eq!(
            validate_closure(&closure(None, None)),
            Err(vec![("start_date".into(), "required")])
        );
        assert_eq!(
            validate_closure(&closure(Some("2025-04-18"), Some("2025-04-17"))),
            Err(vec![("end_date".into(), "invalid_date_range")])
        );
        assert_eq!(
            validate_closure(&closure(Some("nope"), Some("2025-13-01"))),
            Err(vec![
                ("start_date".into(), "invalid_date"),
                ("end_date".into(), "invalid_date")
            ])
        );
        assert_eq!(
            validate_closure(&closure(Some("1999-01-01"), None)),
            Err(vec![("start_date".into(), "out_of_range")])
        );
        let mut f = closure(Some("2025-01-01"), None);
        f.description = "x".repeat(201);
        f.tags = vec!["y".repeat(33)];
        assert_eq!(
            validate_closure(&f),
            Err(vec![
                ("description".into(), "too_long"),
                ("tags".into(), "item_too_long")
            ])
        );
        f.description = format!("  {}  ", "x".repeat(200));
        f.tags = vec![];
        assert!(validate_closure(&f).is_ok());
    }

    #[test]
    fn closure_span_is_at_most_366_days() {
        assert!(validate_closure(&closure(Some("2024-01-01"), Some("2024-12-31"))).is_ok());
        assert_eq!(
            validate_closure(&closure(Some("2024-01-01"), Some("2025-01-01"))),
            Err(vec![("end_date".into(), "out_of_range")])
        );
        assert_eq!(check_range(d("2025-01-01"), d("2026-01-01")), Ok(()));
        assert_eq!(
            check_range(d("2025-01-01"), d("2026-01-02")),
            Err("out_of_range")
        );
    }

    #[test]
    fn workdays_count_monday_to_friday() {
        // 2025-04-18 is a Friday.
        assert_eq!(workdays(d("2025-04-18"), d("2025-04-18")), 1);
        assert_eq!(workdays(d("2025-04-19"), d("2025-04-20")), 0);
        assert_eq!(workdays(d("2025-04-18"), d("2025-04-21")), 2);
        assert_eq!(workdays(d("2025-04-14"), d("2025-04-27")), 10);
        assert_eq!(workdays(d("2024-01-01"), d("2024-12-31")), 262);
        assert_eq!(workdays(d("2025-04-21"), d("2025-04-18")), 0);
        // Against a day-by-day count.
        let start = d("2025-03-05");
        for len in 0..40u64 {
            let end = start + Days::new(len);
            let slow = start
                .iter_days()
                .take_while(|x| *x <= end)
                .filter(|x| x.weekday().num_days_from_monday() < 5)
                .count() as u32;
            assert_eq!(workdays(start, end), slow, "len {len}");
        }
    }

    #[test]
    fn effective_week_is_the_first_monday_on_or_after() {
        assert_eq!(effective_week(d("2025-04-14")), d("2025-04-14"));
        assert_eq!(effective_week(d("2025-04-15")), d("2025-04-21"));
        assert_eq!(effective_week(d("2025-04-20")), d("2025-04-21"));
        assert_eq!(effective_week(d("2100-12-31")), d("2101-01-03"));
    }

    #[test]
    fn email_pattern_matches_p2_19() {
        for ok in [
            "alex@example.com",
            "a.b+tag@sub.example.co",
            "root@admin.invalid",
        ] {
            assert!(email_format_ok(ok), "{ok}");
        }
        for bad in [
            "zed@",
            "@example.com",
            "a@b",
            "a b@example.com",
            "a@-x.com",
            "a@x-.com",
            "a@@x.com",
            "a@x..com",
        ] {
            assert!(!email_format_ok(bad), "{bad}");
        }
        assert_eq!(
            normalize_adviser_email("  Alex@Example.COM "),
            Ok("alex@example.com".into())
        );
        assert_eq!(normalize_adviser_email("  "), Err("required"));
        assert_eq!(normalize_adviser_email("nope"), Err("invalid_format"));
        let long = format!("{}@example.com", "a".repeat(120));
        assert_eq!(normalize_adviser_email(&long), Err("too_long"));
    }

    fn ov() -> OverrideFields {
        OverrideFields {
            adviser_email: Some(" Sam@Firm.com.au ".into()),
            effective_date: Some("2025-04-16".into()),
            client_limit_monthly: Some(8),
            pod_type: "Team Pod".into(),
            notes: "  busy  ".into(),
        }
    }

    #[test]
    fn override_is_normalised() {
        let o = validate_override(&ov()).unwrap();
        assert_eq!(o.adviser_email, "sam@firm.com.au");
        assert_eq!(o.effective_date, d("2025-04-16"));
        assert_eq!(o.client_limit_monthly.get(), 8);
        assert_eq!(o.pod_type.as_deref(), Some("Team Pod"));
        assert_eq!(o.notes.as_deref(), Some("busy"));
        let plain = validate_override(&OverrideFields {
            pod_type: String::new(),
            notes: "  ".into(),
            ..ov()
        })
        .unwrap();
        assert_eq!((plain.pod_type, plain.notes), (None, None));
    }

    #[test]
    fn override_field_errors() {
        assert_eq!(
            validate_override(&OverrideFields::default()),
            Err(vec![
                ("adviser_email".into(), "required"),
                ("effective_date".into(), "required"),
                ("client_limit_monthly".into(), "required"),
            ])
        );
        for (limit, ok) in [
            (0, false),
            (1, true),
            (100, true),
            (101, false),
            (-5, false),
        ] {
            let r = validate_override(&OverrideFields {
                client_limit_monthly: Some(limit),
                ..ov()
            });
            assert_eq!(r.is_ok(), ok, "{limit}");
            if !ok {
                assert_eq!(
                    r,
                    Err(vec![("client_limit_monthly".into(), "out_of_range")])
                );
            }
        }
        assert_eq!(
            validate_override(&OverrideFields {
                pod_type: "team pod".into(),
                notes: "n".repeat(501),
                effective_date: Some("2101-01-01".into()),
                ..ov()
            }),
            Err(vec![
                ("effective_date".into(), "out_of_range"),
                ("pod_type".into(), "invalid_value"),
                ("notes".into(), "too_long"),
            ])
        );
        assert_eq!(
            validate_override(&OverrideFields {
                adviser_email: Some("a@b".into()),
                ..ov()
            }),
            Err(vec![("adviser_email".into(), "invalid_format")])
        );
    }

    #[test]
    fn path_ids() {
        assert!(path_id_ok("abc-DEF_123"));
        assert!(path_id_ok(&"a".repeat(64)));
        assert!(!path_id_ok(&"a".repeat(65)));
        assert!(!path_id_ok(""));
        assert!(!path_id_ok("a.b"));
        assert!(!path_id_ok("a b"));
        assert!(!path_id_ok("é"));
    }
}
