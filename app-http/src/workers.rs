//! Background workers (security.md S9.5): each runs in one process at a time, under a database
//! lease of 60 s renewed on every 20 s tick. The HubSpot owner write outbox and the portal's
//! application outbox (portal.md P7.8) each pass every 30 s.

use crate::state::AppState;
use chrono::TimeDelta;
use domain::ports::WorkerLeases;
use domain::usecase::portal::applications::OutboxReport;
use domain::usecase::webhook::run_outbox_pass;
use std::time::Duration;

const OUTBOX_LEASE: &str = "hubspot_owner_outbox";
const PORTAL_OUTBOX_LEASE: &str = "portal_application_outbox";

/// Starts the workers on the runtime; they stop with the process.
pub fn spawn(state: AppState) {
    let holder = uuid::Uuid::new_v4().to_string();
    let portal = (state.clone(), holder.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            outbox_tick(&state, &holder).await;
        }
    });
    tokio::spawn(async move {
        let (state, holder) = portal;
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            if leased(&state, PORTAL_OUTBOX_LEASE, &holder).await {
                match run_portal_outbox_once(&state).await {
                    Ok(pass) if pass != Default::default() => {
                        tracing::info!(?pass, "portal application outbox pass")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "portal application outbox pass failed"),
                }
            }
        }
    });
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

/// One pass of the portal's application outbox (P7.8), without the lease (tests call it).
pub async fn run_portal_outbox_once(
    state: &AppState,
) -> Result<OutboxReport, domain::ports::StoreError> {
    crate::routes::portal::applications::use_case(state)
        .outbox_pass()
        .await
}

async fn outbox_tick(state: &AppState, holder: &str) {
    if !leased(state, OUTBOX_LEASE, holder).await {
        return;
    }
    let jitter = || (fastrand::f64() - 0.5) / 5.0;
    match run_outbox_pass(&state.crm, &state.store, &state.clock, &jitter).await {
        Ok(pass) if pass != Default::default() => {
            tracing::info!(?pass, "hubspot owner outbox pass")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "hubspot owner outbox pass failed"),
    }
}
