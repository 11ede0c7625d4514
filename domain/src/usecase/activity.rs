//! Fetching the activity of the advisers that need it (allocation.md §3.1, C7, C9; upstreams.md
//! U1.8, U1.9; http-api.md H2.3): meeting batches, the deals query and the leave query run
//! concurrently, and a failed source makes exactly the advisers it covers `Unavailable`.

use crate::allocation::{Activity, ActivityData, AdviserProfile, DataSource, ekey};
use crate::ports::{
    Crm, DealsByAdviser, LeaveByAdviser, LeaveSource, MeetingsByOwner, UpstreamError,
};
use chrono::{DateTime, Utc};
use futures::future::join_all;
use std::collections::HashSet;

/// Fetches what the activity of these advisers needs. Makes no call when `advisers` is empty.
pub(crate) async fn fetch_activity<C, H>(
    crm: &C,
    hr: &H,
    advisers: &[&AdviserProfile],
    since: DateTime<Utc>,
) -> Fetched
where
    C: Crm + ?Sized,
    H: LeaveSource + ?Sized,
{
    if advisers.is_empty() {
        return Fetched {
            meetings: Meetings::gather(&[], Vec::new()),
            deals: Ok(DealsByAdviser::new()),
            leave: Ok(LeaveByAdviser::new()),
        };
    }
    let batches = owner_batches(advisers, crm.meeting_batch_size());
    let emails: Vec<String> = advisers.iter().map(|a| a.email.clone()).collect();
    let (meetings, deals, leave) = futures::join!(
        join_all(batches.iter().map(|batch| crm.meetings(batch, since))),
        crm.deals_without_clarify(),
        hr.leave(&emails),
    );
    Fetched {
        meetings: Meetings::gather(&batches, meetings),
        deals,
        leave,
    }
}

/// The adviser's owner id, when it has a non-blank one.
fn owner_id(profile: &AdviserProfile) -> Option<&str> {
    profile
        .hubspot_owner_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
}

/// The distinct owner ids of the advisers, in order, cut into batches of at most `size`.
fn owner_batches(advisers: &[&AdviserProfile], size: usize) -> Vec<Vec<String>> {
    let mut seen = HashSet::new();
    let owners: Vec<String> = advisers
        .iter()
        .filter_map(|a| owner_id(a))
        .filter(|id| seen.insert(*id))
        .map(String::from)
        .collect();
    owners.chunks(size.max(1)).map(<[String]>::to_vec).collect()
}

/// The merged answers of every meeting batch, and the owners of the batches that failed.
struct Meetings {
    found: MeetingsByOwner,
    failed: HashSet<String>,
}

impl Meetings {
    fn gather(
        batches: &[Vec<String>],
        answers: Vec<Result<MeetingsByOwner, UpstreamError>>,
    ) -> Meetings {
        let mut meetings = Meetings {
            found: MeetingsByOwner::new(),
            failed: HashSet::new(),
        };
        for (batch, answer) in batches.iter().zip(answers) {
            match answer {
                Ok(found) => meetings.found.extend(found),
                Err(_) => meetings.failed.extend(batch.iter().cloned()),
            }
        }
        meetings
    }
}

/// The answers of every activity source, to be read per adviser.
pub(crate) struct Fetched {
    meetings: Meetings,
    deals: Result<DealsByAdviser, UpstreamError>,
    leave: Result<LeaveByAdviser, UpstreamError>,
}

impl Fetched {
    /// C7: any source that could not be read makes the adviser Unavailable, naming the first
    /// failed source in the order meetings, deals, leave.
    pub(crate) fn activity_of(&self, profile: &AdviserProfile) -> Activity {
        let meetings = match owner_id(profile) {
            None => Vec::new(),
            Some(id) if self.meetings.failed.contains(id) => {
                return Activity::Unavailable(DataSource::Meetings);
            }
            Some(id) => self.meetings.found.get(id).cloned().unwrap_or_default(),
        };
        let key = ekey(&profile.email);
        let Ok(deals) = &self.deals else {
            return Activity::Unavailable(DataSource::Deals);
        };
        let Ok(leave) = &self.leave else {
            return Activity::Unavailable(DataSource::Leave);
        };
        Activity::Available(ActivityData {
            meetings,
            deals_without_clarify: deals.get(&key).cloned().unwrap_or_default(),
            leave: leave.get(&key).cloned().unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(email: &str, owner: Option<&str>) -> AdviserProfile {
        AdviserProfile {
            hubspot_owner_id: owner.map(String::from),
            ..AdviserProfile::new(email)
        }
    }

    #[test]
    fn batches_skip_blank_and_repeated_owner_ids() {
        let a = profile("a@x.com", Some("1"));
        let b = profile("b@x.com", Some(" "));
        let c = profile("c@x.com", None);
        let d = profile("d@x.com", Some(" 2 "));
        let e = profile("e@x.com", Some("1"));
        let f = profile("f@x.com", Some("3"));
        let all = [&a, &b, &c, &d, &e, &f];
        assert_eq!(
            owner_batches(&all, 2),
            vec![vec!["1".to_owned(), "2".to_owned()], vec!["3".to_owned()]]
        );
        // A batch size of 0 would never make progress; it is read as 1.
        assert_eq!(owner_batches(&all, 0).len(), 3);
        assert!(owner_batches(&[&b, &c], 50).is_empty());
    }
}
