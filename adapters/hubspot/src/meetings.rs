//! The meetings search (upstreams.md U1.8): Clarify and Kick Off meetings of up to 50 owners per
//! query that start at or after `since`, all pages, past the 10,000-result window, partitioned by
//! owner. Start times stay raw for the domain (IN5), except that epoch milliseconds are written as
//! an RFC 3339 UTC instant, which the domain's grammar reads.

use crate::http::HubSpotHttp;
use crate::search::{SearchSpec, filter, filter_in, search_all, search_body};
use crate::wire::Record;
use chrono::{DateTime, SecondsFormat, Utc};
use domain::allocation::RawMeeting;
use domain::ports::MeetingsByOwner;
use std::collections::HashSet;
use upstream_http::UpstreamError;

/// The two activity types the algorithm counts (allocation.md CF2).
pub const MEETING_TYPES: [&str; 2] = ["Clarify", "Kick Off"];
/// The properties each meeting is read with.
pub(crate) const MEETING_PROPERTIES: [&str; 5] = [
    "hs_meeting_start_time",
    "hs_activity_type",
    "hubspot_owner_id",
    "hs_meeting_title",
    "hs_meeting_outcome",
];
const START: &str = "hs_meeting_start_time";

/// The meetings of these owners since `since`, `batch` owner ids per query, keyed by owner id.
/// Every owner asked about has an entry, empty when it has no meetings.
pub(crate) async fn meetings(
    http: &HubSpotHttp,
    owner_ids: &[String],
    since: DateTime<Utc>,
    batch: usize,
) -> Result<MeetingsByOwner, UpstreamError> {
    let mut distinct = HashSet::new();
    let owners: Vec<String> = owner_ids
        .iter()
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty() && distinct.insert(id.clone()))
        .collect();
    let mut by_owner: MeetingsByOwner = owners.iter().map(|o| (o.clone(), Vec::new())).collect();
    for chunk in owners.chunks(batch.max(1)) {
        for record in search_batch(http, chunk, since).await? {
            let Some(owner) = record.id_text("hubspot_owner_id") else {
                tracing::warn!(
                    meeting_id = record.id,
                    "hubspot meeting without an owner skipped"
                );
                continue;
            };
            by_owner.entry(owner).or_default().push(RawMeeting {
                start: record.text(START).map(raw_start).unwrap_or_default(),
                kind: record.text("hs_activity_type").unwrap_or_default(),
                id: Some(record.id),
            });
        }
    }
    Ok(by_owner)
}

/// One query of at most `batch` owners, all pages and continuations.
async fn search_batch(
    http: &HubSpotHttp,
    owners: &[String],
    since: DateTime<Utc>,
) -> Result<Vec<Record>, UpstreamError> {
    let since_ms = since.timestamp_millis().to_string();
    let types = MEETING_TYPES.map(String::from);
    let body = |resume: Option<&str>, after: Option<&str>| {
        let filters = vec![
            filter_in("hubspot_owner_id", owners),
            filter(START, "GTE", resume.unwrap_or(&since_ms)),
            filter_in("hs_activity_type", &types),
        ];
        search_body(filters, &MEETING_PROPERTIES, START, after)
    };
    let resume_from = |r: &Record| {
        r.text(START)
            .and_then(|s| start_millis(&s))
            .map(|ms| ms.to_string())
    };
    let spec = SearchSpec {
        label: "/crm/v3/objects/meetings/search",
        path: &["crm", "v3", "objects", "meetings", "search"],
        body: &body,
        resume_from: &resume_from,
    };
    search_all(http, &spec).await
}

/// A start time as the domain reads it: epoch-ms digits become an RFC 3339 UTC instant; anything
/// else is kept as sent (RFC 3339, firm-local, or unparseable for the domain to warn about).
pub(crate) fn raw_start(value: String) -> String {
    if is_digits(&value)
        && let Some(at) = value
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_millis)
    {
        return at.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    }
    value
}

/// The instant of a start time in epoch milliseconds, when it names one (digits, or RFC 3339 with
/// an offset); the continuation past 10,000 results starts there.
fn start_millis(value: &str) -> Option<i64> {
    if is_digits(value) {
        value.parse().ok()
    } else {
        DateTime::parse_from_rfc3339(value)
            .ok()
            .map(|t| t.timestamp_millis())
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u1_8_epoch_millis_become_rfc3339_and_the_rest_stays_raw() {
        assert_eq!(raw_start("1742788800000".into()), "2025-03-24T04:00:00Z");
        assert_eq!(
            raw_start("1742788800123".into()),
            "2025-03-24T04:00:00.123Z"
        );
        assert_eq!(
            raw_start("2025-03-24T03:00:00Z".into()),
            "2025-03-24T03:00:00Z"
        );
        assert_eq!(raw_start("2025-03-24T14:00".into()), "2025-03-24T14:00");
        assert_eq!(raw_start("soon".into()), "soon");
        assert_eq!(
            raw_start("99999999999999999999".into()),
            "99999999999999999999"
        );
    }

    #[test]
    fn u1_8_continuation_points() {
        assert_eq!(start_millis("1742788800000"), Some(1_742_788_800_000));
        assert_eq!(
            start_millis("2025-03-24T04:00:00Z"),
            Some(1_742_788_800_000)
        );
        assert_eq!(
            start_millis("2025-03-24T15:00:00+11:00"),
            Some(1_742_788_800_000)
        );
        assert_eq!(start_millis("2025-03-24T15:00"), None);
    }
}
