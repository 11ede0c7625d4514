//! Background workers (security.md S9.5): each runs in one process at a time, under a database
//! lease of 60 s renewed on every 30 s tick. The HubSpot owner write outbox and the portal's
//! application outbox (portal.md P7.8) each pass every 30 s.

use crate::state::AppState;
use chrono::TimeDelta;
use domain::ports::WorkerLeases;
use domain::usecase::portal::applications::OutboxReport;
use domain::usecase::webhook::run_outbox_pass;
use std::time::Duration;

/// The leased background passes, each every 30 s in one process at a time.
#[derive(Clone, Copy, Debug)]
enum Worker {
    /// The HubSpot owner writes (U1.6.3).
    OwnerOutbox,
    /// The portal's applications to the Employer API (P7.8).
    PortalOutbox,
}

impl Worker {
    fn lease(self) -> &'static str {
        match self {
            Worker::OwnerOutbox => "hubspot_owner_outbox",
            Worker::PortalOutbox => "portal_application_outbox",
        }
    }

    async fn pass(self, state: &AppState) {
        let (name, result) = match self {
            Worker::OwnerOutbox => (
                "hubspot owner outbox pass",
                run_outbox_pass(&state.crm, &state.store, &state.clock, &jitter)
                    .await
                    .map(|pass| (pass != Default::default()).then(|| format!("{pass:?}"))),
            ),
            Worker::PortalOutbox => (
                "portal application outbox pass",
                run_portal_outbox_once(state)
                    .await
                    .map(|pass| (pass != Default::default()).then(|| format!("{pass:?}"))),
            ),
        };
        match result {
            Ok(Some(pass)) => tracing::info!(%pass, "{name}"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "{name} failed"),
        }
    }
}

/// Starts the workers on the runtime; they stop with the process.
pub fn spawn(state: AppState) {
    let holder = uuid::Uuid::new_v4().to_string();
    for worker in [Worker::OwnerOutbox, Worker::PortalOutbox] {
        let (state, holder) = (state.clone(), holder.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(30));
            loop {
                tick.tick().await;
                if leased(&state, worker.lease(), &holder).await {
                    worker.pass(&state).await;
                }
            }
        });
    }
}

/// Whether this process holds (or just took) the lease `name`.
async fn leased(state: &AppState, name: &str, holder: &str) -> bool {
    let leased = state
        .store
        .try_acquire(name, holder, state.clock.now(), TimeDelta::seconds(60))
        .await;
    match leased {
        Ok(taken) => taken,
        Err(e) => {
            tracing::warn!(error = %e, lease = name, "worker lease unavailable");
            false
        }
    }
}

/// The ±10 % retry jitter of both outboxes (U1.6.3, P7.8), as a fraction in [-0.1, 0.1).
pub(crate) fn jitter() -> f64 {
    (fastrand::f64() - 0.5) / 5.0
}

/// One pass of the portal's application outbox (P7.8), without the lease (tests call it).
pub async fn run_portal_outbox_once(
    state: &AppState,
) -> Result<OutboxReport, domain::ports::StoreError> {
    crate::routes::portal::applications::use_case(state)
        .outbox_pass()
        .await
}
