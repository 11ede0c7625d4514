//! The HR syncs (http-api.md H2.3): read every page of the upstream directory, then make the
//! local copy match it in one store transaction. Nothing is written unless every page was read
//! (H2.3.4): a failed page fails the directory call before the store is touched.

use super::window::{last_week, local_today};
use crate::ports::{
    Clock, EmployeeStore, HrDirectory, HrError, LeaveRequest, OnPage, StoreError, SyncSummary,
    UpstreamLeaveRequest,
};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// What an employee sync did (H2.3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmployeeSyncReport {
    /// Employees the upstream listed.
    pub fetched: usize,
    pub pages: u32,
    pub summary: SyncSummary,
    pub finished_at: DateTime<Utc>,
}

/// What a leave sync did (H2.3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaveSyncReport {
    /// Leave requests the upstream listed, before filtering.
    pub fetched: usize,
    pub pages: u32,
    /// Requests left out because they are not approved or end before the window.
    pub skipped_filtered: usize,
    /// Requests whose dates do not parse or end before they start.
    pub skipped_invalid: usize,
    /// The store's counts, `skipped_unknown_employee` included.
    pub summary: SyncSummary,
    pub window_start: NaiveDate,
    pub finished_at: DateTime<Utc>,
}

/// A failed sync: nothing was written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Directory(#[from] HrError),
    #[error("the sync could not be stored: {0}")]
    Store(#[from] StoreError),
}

impl SyncError {
    /// The stable snake_case name of the failure (H2.3.4).
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Directory(e) => e.code(),
            SyncError::Store(e) => e.code(),
        }
    }
}

/// The two syncs over an HR directory and the local employee store. `tz` is the firm's zone,
/// which names the week the leave window starts from.
#[derive(Debug)]
pub struct SyncHr<D, S, C> {
    directory: D,
    store: S,
    clock: C,
    tz: Tz,
}

impl<D: HrDirectory, S: EmployeeStore, C: Clock> SyncHr<D, S, C> {
    pub fn new(directory: D, store: S, clock: C, tz: Tz) -> Self {
        SyncHr {
            directory,
            store,
            clock,
            tz,
        }
    }

    /// H2.3.2: the stored employees become the upstream's (an empty answer deletes nothing).
    pub async fn employees(&self, on_page: OnPage<'_>) -> Result<EmployeeSyncReport, SyncError> {
        let listing = self.directory.employees(on_page).await?;
        let fetched = listing.items.len();
        let summary = self
            .store
            .sync_employees(listing.items, self.clock.now())
            .await?;
        Ok(EmployeeSyncReport {
            fetched,
            pages: listing.pages,
            summary,
            finished_at: self.clock.now(),
        })
    }

    /// H2.3.3: the stored leave becomes the approved, valid requests that end on or after the
    /// window start (Monday of the current firm-local week − 7 days).
    pub async fn leave(&self, on_page: OnPage<'_>) -> Result<LeaveSyncReport, SyncError> {
        let window_start = last_week(local_today(self.clock.now(), self.tz));
        let listing = self.directory.leave_requests(on_page).await?;
        let fetched = listing.items.len();
        let (mut skipped_filtered, mut skipped_invalid) = (0, 0);
        let mut kept = Vec::with_capacity(fetched);
        for item in listing.items {
            match keep_leave(item, window_start) {
                Kept::Yes(request) => kept.push(request),
                Kept::Filtered => skipped_filtered += 1,
                Kept::Invalid => skipped_invalid += 1,
            }
        }
        let summary = self.store.sync_leave(kept, self.clock.now()).await?;
        Ok(LeaveSyncReport {
            fetched,
            pages: listing.pages,
            skipped_filtered,
            skipped_invalid,
            summary,
            window_start,
            finished_at: self.clock.now(),
        })
    }
}

enum Kept {
    Yes(LeaveRequest),
    Filtered,
    Invalid,
}

fn keep_leave(item: UpstreamLeaveRequest, window_start: NaiveDate) -> Kept {
    let (Some(start), Some(end)) = (leave_date(&item.start_date), leave_date(&item.end_date))
    else {
        return Kept::Invalid;
    };
    if end < start {
        return Kept::Invalid;
    }
    let request = LeaveRequest {
        leave_request_id: item.leave_request_id,
        employee_id: item.employee_id,
        start_date: start,
        end_date: end,
        status: item.status,
        leave_category: item.leave_category,
    };
    if !request.counts_as_absence() || end < window_start {
        return Kept::Filtered;
    }
    Kept::Yes(request)
}

/// U2.6: `YYYY-MM-DD`, or a datetime whose first 10 characters are that date, taken as written
/// (no zone conversion).
fn leave_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{Employee, Listing, MockClock, MockEmployeeStore, MockHrDirectory};
    use crate::ports::{PageProgress, UpstreamError};
    use std::sync::Mutex;

    /// Wednesday 2025-03-12 01:00 UTC, 12:00 in Sydney: the window starts Monday 2025-03-03.
    fn clock() -> MockClock {
        let mut clock = MockClock::new();
        clock
            .expect_now()
            .returning(|| "2025-03-12T01:00:00Z".parse().unwrap());
        clock
    }

    fn employee(id: &str) -> Employee {
        Employee {
            employee_id: id.into(),
            name: format!("E {id}"),
            company_email: Some(format!("{id}@x.com")),
            account_email: None,
        }
    }

    fn leave(id: &str, start: &str, end: &str, status: &str) -> UpstreamLeaveRequest {
        UpstreamLeaveRequest {
            leave_request_id: id.into(),
            employee_id: "7".into(),
            start_date: start.into(),
            end_date: end.into(),
            status: status.into(),
            leave_category: Some("Annual Leave".into()),
        }
    }

    fn sync(
        directory: MockHrDirectory,
        store: MockEmployeeStore,
    ) -> SyncHr<MockHrDirectory, MockEmployeeStore, MockClock> {
        SyncHr::new(directory, store, clock(), chrono_tz::Australia::Sydney)
    }

    #[test]
    fn employees_are_stored_as_listed_and_progress_is_reported() {
        futures::executor::block_on(async {
            let mut directory = MockHrDirectory::new();
            directory.expect_employees().times(1).returning(|on_page| {
                on_page(PageProgress {
                    page: 1,
                    total_pages: 2,
                    items: 1,
                });
                on_page(PageProgress {
                    page: 2,
                    total_pages: 2,
                    items: 2,
                });
                Ok(Listing {
                    items: vec![employee("1"), employee("2")],
                    pages: 2,
                })
            });
            let mut store = MockEmployeeStore::new();
            store
                .expect_sync_employees()
                .withf(|e, _| e.len() == 2 && e[0].employee_id == "1")
                .times(1)
                .returning(|_, _| {
                    Ok(SyncSummary {
                        inserted: 1,
                        updated: 1,
                        deleted: 3,
                        ..SyncSummary::default()
                    })
                });
            let seen = Mutex::new(Vec::new());
            let on_page = |p: PageProgress| seen.lock().unwrap().push(p.page);
            let report = sync(directory, store).employees(&on_page).await.unwrap();
            assert_eq!(report.fetched, 2);
            assert_eq!(report.pages, 2);
            assert_eq!(report.summary.deleted, 3);
            assert_eq!(report.summary.synced(), 2);
            assert_eq!(*seen.lock().unwrap(), [1, 2]);
        })
    }

    #[test]
    fn a_failed_listing_writes_nothing() {
        futures::executor::block_on(async {
            for error in [
                HrError::ReauthRequired,
                HrError::Upstream(UpstreamError::unavailable("503")),
            ] {
                let mut directory = MockHrDirectory::new();
                let e = error.clone();
                directory
                    .expect_employees()
                    .returning(move |_| Err(e.clone()));
                let e = error.clone();
                directory
                    .expect_leave_requests()
                    .returning(move |_| Err(e.clone()));
                let mut store = MockEmployeeStore::new();
                store.expect_sync_employees().never();
                store.expect_sync_leave().never();
                let sync = sync(directory, store);
                let err = sync.employees(&|_| {}).await.unwrap_err();
                assert_eq!(err, SyncError::Directory(error.clone()));
                assert_eq!(sync.leave(&|_| {}).await.unwrap_err().code(), error.code());
            }
        })
    }

    #[test]
    fn leave_keeps_approved_valid_requests_ending_in_the_window() {
        futures::executor::block_on(async {
            let mut directory = MockHrDirectory::new();
            directory.expect_leave_requests().returning(|_| {
                Ok(Listing {
                    items: vec![
                        leave("ok", "2025-03-10", "2025-03-14", " approved "),
                        leave(
                            "datetime",
                            "2025-03-01T09:00:00+11:00",
                            "2025-03-03T17:00:00",
                            "Approved",
                        ),
                        leave("pending", "2025-03-10", "2025-03-14", "Pending"),
                        leave("old", "2025-02-20", "2025-03-02", "Approved"),
                        leave("backwards", "2025-03-14", "2025-03-10", "Approved"),
                        leave("garbage", "14/03/2025", "2025-03-10", "Approved"),
                        leave("short", "2025-3-1", "2025-03-10", "Approved"),
                    ],
                    pages: 1,
                })
            });
            let mut store = MockEmployeeStore::new();
            store
                .expect_sync_leave()
                .withf(|kept, _| {
                    let ids: Vec<_> = kept.iter().map(|r| r.leave_request_id.as_str()).collect();
                    ids == ["ok", "datetime"]
                        && kept[1].start_date == NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()
                        && kept[1].end_date == NaiveDate::from_ymd_opt(2025, 3, 3).unwrap()
                })
                .times(1)
                .returning(|_, _| {
                    Ok(SyncSummary {
                        inserted: 2,
                        deleted: 1,
                        skipped_unknown_employee: 0,
                        ..SyncSummary::default()
                    })
                });
            let report = sync(directory, store).leave(&|_| {}).await.unwrap();
            assert_eq!(
                report.window_start,
                NaiveDate::from_ymd_opt(2025, 3, 3).unwrap()
            );
            assert_eq!(report.fetched, 7);
            assert_eq!(report.skipped_filtered, 2);
            assert_eq!(report.skipped_invalid, 3);
            assert_eq!(report.summary.deleted, 1);
        })
    }

    #[test]
    fn a_store_failure_is_reported() {
        futures::executor::block_on(async {
            let mut directory = MockHrDirectory::new();
            directory.expect_employees().returning(|_| {
                Ok(Listing {
                    items: vec![employee("1")],
                    pages: 1,
                })
            });
            let mut store = MockEmployeeStore::new();
            store
                .expect_sync_employees()
                .returning(|_, _| Err(StoreError::Unavailable("locked".into())));
            let err = sync(directory, store).employees(&|_| {}).await.unwrap_err();
            assert_eq!(err.code(), "store_unavailable");
        })
    }
}
