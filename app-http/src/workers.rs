//! Background workers (security.md S9.5): each runs in one process at a time, under a database
//! lease of 60 s renewed on every 20 s tick. The HubSpot owner write outbox passes every 30 s.

use crate::state::AppState;
use chrono::TimeDelta;
use domain::ports::WorkerLeases;
use domain::usecase::webhook::run_outbox_pass;
use std::time::Duration;

const OUTBOX_LEASE: &str = "hubspot_owner_outbox";

/// Starts the workers on the runtime; they stop with the process.
pub fn spawn(state: AppState) {
    let holder = uuid::Uuid::new_v4().to_string();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            outbox_tick(&state, &holder).await;
        }
    });
}

async fn outbox_tick(state: &AppState, holder: &str) {
    let leased = state
        .store
        .try_acquire(
            OUTBOX_LEASE,
            holder,
            state.clock.now(),
            TimeDelta::seconds(60),
        )
        .await;
    match leased {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            tracing::warn!(error = %e, "outbox lease unavailable");
            return;
        }
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
