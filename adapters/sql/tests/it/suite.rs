//! The shared store suite (crate `store-suite`, style.md 6): closures (H2.5, H7.3), overrides
//! (H2.6, H7.4), employees and leave (H2.3, H2.4, H7.1, H7.2) on SQLite and on PostgreSQL, as
//! `suite::sqlite::<behaviour>` and `suite::postgres::<behaviour>`.

use crate::harness::TestDb;
use diesel::connection::SimpleConnection;

/// SQL ids are UUIDs.
fn is_uuid(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok()
}

/// Makes every leave read fail, as a lost table would.
async fn drop_leave_table(db: &TestDb) {
    db.store
        .db()
        .run(|conn| conn.batch_execute("DROP TABLE leave_requests"))
        .await
        .unwrap();
}

macro_rules! shared_suite {
    ($setup:expr) => {
        store_suite::tests! {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            let Some(db) = $setup;
            store = db.store;
            closures::closures_roundtrip(super::is_uuid),
            closures::closures_overlap_filter,
            closures::closures_update_and_delete,
            overrides::overrides_roundtrip,
            overrides::overrides_duplicate_is_a_domain_error,
            overrides::overrides_update_and_delete,
            overrides::overrides_duplicate_pair_is_keyed_by_ekey,
            employees::employees_sync_upserts_and_deletes,
            employees::employees_empty_sync_deletes_nothing,
            employees::employees_repeated_id_last_wins,
            employees::employee_deletion_cascades_to_leave,
            employees::employee_lookups,
            // Three more handles on the same database, as other processes would hold.
            employees::concurrent_syncs_serialise(vec![db.reopen(), db.reopen(), db.reopen()]),
            leave::leave_sync_becomes_exactly_the_set,
            leave::leave_listing_filters_and_orders,
            leave::leave_source_matches_by_ekey,
            leave::leave_source_failure_is_unavailable(|| super::drop_leave_table(&db)),
        }
    };
}

mod sqlite {
    shared_suite!(Some(crate::harness::sqlite().await));
}

mod postgres {
    shared_suite!(crate::harness::postgres().await);
}
