//! The allocation webhook (http-api.md H2.1.2–H2.1.5; decision C12): look at the deal's claim,
//! claim it, compute, record the decision durably, then write the owner to the CRM. Replays of an
//! allocated deal answer the first decision and write nothing new.
//!
//! The caller (the HTTP adapter) has verified the signature and parsed the body, and holds one of
//! the computation slots between [`AllocationWebhook::look`] and [`AllocationWebhook::run`].

mod answer;
mod outbox;
mod owner_write;
mod settings;

pub use answer::{AllocatedAnswer, WebhookAnswer};
pub use outbox::{OUTBOX_BATCH, OutboxPass, run_outbox_pass};
pub use owner_write::{OwnerWriteResult, next_retry_delay, write_owner};
pub use settings::WebhookSettings;

use super::allocate_deal::AllocateDeal;
use super::error::AllocateError;
use crate::allocation::{AllocationFailure, AllocationResult, DealRequest};
use crate::ports::{
    AllocationClaims, ChosenAdviser, ClaimCheck, ClaimOutcome, ClaimState, Clock, ClosureStore,
    Crm, DecisionOutcome, DecisionStore, HubspotWrite, HubspotWriteStatus, LeaveSource,
    NewDecision, OverrideStore, OwnerWriteOutbox, RecordDecisionError, Sleeper, StoreError,
};
use chrono::{DateTime, Utc};
use futures::future::{Either, select};
use std::pin::pin;

/// One signature-valid, well-formed delivery.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub deal: DealRequest,
    /// The deal id (digits), also inside `deal`.
    pub deal_id: String,
    pub body_sha256: String,
    /// The agreement date as received (H3.1 `agreement_start_raw`).
    pub agreement_start_raw: Option<String>,
    pub client_email: Option<String>,
    pub received_at: DateTime<Utc>,
}

/// What the explanation writer is given to build the stored `AllocationDecision` JSON (H3.1).
#[derive(Debug)]
pub struct Explained<'a> {
    pub decision_id: &'a str,
    pub decided_at: DateTime<Utc>,
    pub delivery: &'a Delivery,
    pub outcome: DecisionOutcome,
    /// `None` when the adviser listing (or another firm-wide input) failed.
    pub result: Option<&'a AllocationResult>,
}

/// Serialises a decision's explanation. The domain decides what is recorded; the format is the
/// adapter's.
pub trait ExplainDecision: Send + Sync {
    fn explain(&self, explained: &Explained<'_>) -> String;
}

/// The webhook use case over its ports.
pub struct AllocationWebhook<'a, C, H, Cl, O, K, S, St, E> {
    pub allocate: &'a AllocateDeal<C, H, Cl, O, K>,
    pub crm: &'a C,
    pub clock: &'a K,
    pub sleeper: &'a S,
    pub store: &'a St,
    pub explain: &'a E,
    pub settings: &'a WebhookSettings,
}

impl<C, H, Cl, O, K, S, St, E> std::fmt::Debug for AllocationWebhook<'_, C, H, Cl, O, K, S, St, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AllocationWebhook")
            .field("settings", self.settings)
            .finish_non_exhaustive()
    }
}

/// What [`AllocationWebhook::look`] found before a slot is taken.
#[derive(Debug)]
pub enum Look {
    /// Answer this at once (a replay, or what a running duplicate ended with).
    Answered(WebhookAnswer),
    /// Take a slot and [`AllocationWebhook::run`].
    Compute,
}

impl<C, H, Cl, O, K, S, St, E> AllocationWebhook<'_, C, H, Cl, O, K, S, St, E>
where
    C: Crm,
    H: LeaveSource,
    Cl: ClosureStore,
    O: OverrideStore,
    K: Clock,
    S: Sleeper,
    St: AllocationClaims + DecisionStore + OwnerWriteOutbox,
    E: ExplainDecision,
{
    /// H2.1.2 step 6: the claim row read without locking.
    pub async fn look(&self, delivery: &Delivery) -> Look {
        let row = match self.store.peek(&delivery.deal_id).await {
            Ok(row) => row,
            Err(e) => return Look::Answered(database_unavailable(e)),
        };
        let Some(row) = row else {
            return Look::Compute;
        };
        let s = self.settings;
        match row.check(self.clock.now(), s.dedupe_window, s.stale_after) {
            ClaimCheck::Open => Look::Compute,
            ClaimCheck::Replay { decision_id } => Look::Answered(self.replay(&decision_id).await),
            ClaimCheck::InProgress { .. } => {
                Look::Answered(self.wait_for_duplicate(delivery).await)
            }
        }
    }

    /// H2.1.2 steps 8–11: claim, compute under the deadline, record, write the owner.
    pub async fn run(&self, delivery: &Delivery) -> WebhookAnswer {
        let s = self.settings;
        let claimed = self
            .store
            .claim(
                &delivery.deal_id,
                self.clock.now(),
                s.dedupe_window,
                s.stale_after,
            )
            .await;
        let decision_id = match claimed {
            Ok(ClaimOutcome::Compute { decision_id, .. }) => decision_id,
            Ok(ClaimOutcome::Replay { decision_id }) => return self.replay(&decision_id).await,
            Ok(ClaimOutcome::InProgress { .. }) => return self.wait_for_duplicate(delivery).await,
            Err(e) => return database_unavailable(e),
        };

        let computed = {
            let compute = pin!(self.allocate.decide(&delivery.deal));
            let deadline = pin!(self.sleeper.sleep(s.compute_deadline));
            match select(compute, deadline).await {
                Either::Left((result, _)) => Some(result),
                Either::Right(_) => None,
            }
        };
        let decided_at = self.clock.now();
        let (result, upstream) = match computed {
            Some(Ok(result)) => (Some(result), None),
            Some(Err(AllocateError::UpstreamUnavailable { which, .. })) => {
                (None, Some(which.code()))
            }
            // `decide` never writes the owner; kept total for the error type.
            Some(Err(AllocateError::OwnerWriteFailed(_))) => (None, Some("hubspot")),
            None => (None, Some("deadline")),
        };
        let outcome = match result.as_ref().map(|r| r.error) {
            None | Some(Some(AllocationFailure::UpstreamUnavailable)) => {
                DecisionOutcome::UpstreamUnavailable
            }
            Some(Some(AllocationFailure::NoEligibleAdviser)) => DecisionOutcome::NoEligibleAdviser,
            Some(None) => DecisionOutcome::Allocated,
        };
        let decision =
            self.new_decision(delivery, &decision_id, decided_at, outcome, result.as_ref());
        match self.store.record_decision(&decision).await {
            Ok(()) => {}
            Err(RecordDecisionError::ClaimLost) => return self.wait_for_duplicate(delivery).await,
            Err(RecordDecisionError::Store(e)) => return database_unavailable(e),
        }

        match outcome {
            DecisionOutcome::Allocated => {
                let write = match decision
                    .chosen
                    .as_ref()
                    .and_then(|c| c.hubspot_owner_id.clone())
                {
                    Some(owner) if decision.hubspot_write.status == HubspotWriteStatus::Pending => {
                        self.write_inline(&decision_id, &delivery.deal_id, &owner, 0)
                            .await
                    }
                    _ => decision.hubspot_write.status,
                };
                WebhookAnswer::Allocated(AllocatedAnswer::from_decision(&decision, false, write))
            }
            DecisionOutcome::NoEligibleAdviser => WebhookAnswer::NoEligibleAdviser {
                allocation_id: decision_id,
            },
            DecisionOutcome::UpstreamUnavailable => WebhookAnswer::UpstreamUnavailable {
                upstream: upstream.unwrap_or("hubspot").to_owned(),
                allocation_id: Some(decision_id),
            },
        }
    }

    fn new_decision(
        &self,
        delivery: &Delivery,
        decision_id: &str,
        decided_at: DateTime<Utc>,
        outcome: DecisionOutcome,
        result: Option<&AllocationResult>,
    ) -> NewDecision {
        let chosen_outcome = result.and_then(|r| r.chosen());
        let chosen = (outcome == DecisionOutcome::Allocated)
            .then_some(chosen_outcome)
            .flatten()
            .map(|a| ChosenAdviser {
                email: a.email.clone(),
                name: a.name.clone(),
                hubspot_owner_id: a
                    .hubspot_owner_id
                    .as_deref()
                    .map(str::trim)
                    .filter(|id| !id.is_empty())
                    .map(String::from),
            });
        let hubspot_write = match &chosen {
            None => HubspotWrite::not_applicable(),
            Some(c) if c.hubspot_owner_id.is_none() => HubspotWrite {
                status: HubspotWriteStatus::Failed,
                last_error: Some("adviser_has_no_owner_id".into()),
                ..HubspotWrite::not_applicable()
            },
            Some(_) => HubspotWrite::pending(decided_at + self.settings.inline_lease),
        };
        let selection = result.and_then(|r| r.selection.as_ref());
        let explanation = self.explain.explain(&Explained {
            decision_id,
            decided_at,
            delivery,
            outcome,
            result,
        });
        NewDecision {
            id: decision_id.to_owned(),
            deal_id: delivery.deal_id.clone(),
            decided_at,
            outcome,
            service_package: delivery.deal.service_package().to_owned(),
            household_type: Some(delivery.deal.household_type().to_owned())
                .filter(|h| !h.is_empty()),
            agreement_start_date: delivery.deal.agreement_date(),
            earliest_week: chosen
                .as_ref()
                .and(selection)
                .map(|s| s.earliest_week.monday()),
            fallback: chosen.is_some() && selection.is_some_and(|s| s.fallback),
            chosen,
            explanation,
            request_sha256: delivery.body_sha256.clone(),
            hubspot_write,
        }
    }

    /// H2.1.5: one inline attempt within the remaining budget; the outbox takes over otherwise.
    async fn write_inline(
        &self,
        decision_id: &str,
        deal_id: &str,
        owner: &str,
        attempts: u32,
    ) -> HubspotWriteStatus {
        let attempt = {
            let write = pin!(write_owner(self.crm, deal_id, owner));
            let limit = pin!(self.sleeper.sleep(self.settings.inline_write_for));
            match select(write, limit).await {
                Either::Left((result, _)) => result,
                Either::Right(_) => OwnerWriteResult::Retry {
                    error: "timeout".into(),
                    retry_after: None,
                },
            }
        };
        let now = self.clock.now();
        let attempts = attempts + 1;
        let stored = match &attempt {
            OwnerWriteResult::Done => self.store.mark_owner_write_done(decision_id, now).await,
            OwnerWriteResult::Failed { error } => {
                self.store.mark_owner_write_failed(decision_id, error).await
            }
            OwnerWriteResult::Retry { error, retry_after } => {
                let delay = retry_after.unwrap_or_else(|| next_retry_delay(attempts, 0.0));
                self.store
                    .reschedule_owner_write(decision_id, attempts, now + delay, error)
                    .await
            }
        };
        match (attempt, stored) {
            (OwnerWriteResult::Done, Ok(_)) => HubspotWriteStatus::Done,
            (OwnerWriteResult::Failed { .. }, Ok(_)) => HubspotWriteStatus::Failed,
            // The write itself is idempotent (U1.6.2): an unrecorded success is redone later.
            _ => HubspotWriteStatus::Pending,
        }
    }

    /// The replay of an allocated decision (H2.1.3): counted, and its pending write retried.
    async fn replay(&self, decision_id: &str) -> WebhookAnswer {
        if let Err(e) = self.store.add_replay(decision_id).await {
            return database_unavailable(e);
        }
        self.answer_of(decision_id, true).await
    }

    /// The answer a recorded decision gives (a replay, or a duplicate's outcome).
    async fn answer_of(&self, decision_id: &str, replayed: bool) -> WebhookAnswer {
        let stored = match self.store.get_decision(decision_id).await {
            Ok(Some(stored)) => stored,
            Ok(None) => {
                return database_unavailable(StoreError::InvalidData(
                    "a claim points at a missing decision".into(),
                ));
            }
            Err(e) => return database_unavailable(e),
        };
        let summary = &stored.summary;
        match summary.outcome {
            DecisionOutcome::Allocated => {
                let mut write = stored.hubspot_write.status;
                let owner = summary
                    .chosen
                    .as_ref()
                    .and_then(|c| c.hubspot_owner_id.clone());
                // H2.1.3 retries a pending write, except one never attempted whose first
                // delivery's inline lease still runs: that attempt may be in flight (S14.2).
                let w = &stored.hubspot_write;
                let due =
                    w.attempts > 0 || w.next_attempt_at.is_none_or(|at| at <= self.clock.now());
                if let (HubspotWriteStatus::Pending, Some(owner), true) = (write, owner, due) {
                    write = self
                        .write_inline(
                            decision_id,
                            &summary.deal_id,
                            &owner,
                            stored.hubspot_write.attempts,
                        )
                        .await;
                }
                WebhookAnswer::Allocated(AllocatedAnswer::from_summary(summary, replayed, write))
            }
            DecisionOutcome::NoEligibleAdviser => WebhookAnswer::NoEligibleAdviser {
                allocation_id: summary.id.clone(),
            },
            DecisionOutcome::UpstreamUnavailable => WebhookAnswer::UpstreamUnavailable {
                upstream: "hubspot".into(),
                allocation_id: Some(summary.id.clone()),
            },
        }
    }

    /// A duplicate is computing: poll its row every `poll_every` for up to `poll_for`.
    async fn wait_for_duplicate(&self, delivery: &Delivery) -> WebhookAnswer {
        let s = self.settings;
        let polls = (s.poll_for.as_millis() / s.poll_every.as_millis().max(1)).max(1);
        for _ in 0..polls {
            self.sleeper.sleep(s.poll_every).await;
            let row = match self.store.peek(&delivery.deal_id).await {
                Ok(row) => row,
                Err(e) => return database_unavailable(e),
            };
            match row {
                Some(row) if row.state == ClaimState::InProgress => {
                    if self.clock.now() - row.claimed_at >= s.stale_after {
                        // The worker crashed while we waited: HubSpot's retry takes over.
                        break;
                    }
                }
                Some(row) => {
                    let replayed = row.state == ClaimState::Decided(DecisionOutcome::Allocated);
                    return if replayed {
                        self.replay(&row.decision_id).await
                    } else {
                        self.answer_of(&row.decision_id, false).await
                    };
                }
                None => break,
            }
        }
        WebhookAnswer::DuplicateInProgress
    }
}

fn database_unavailable(error: StoreError) -> WebhookAnswer {
    WebhookAnswer::DatabaseUnavailable {
        reason: error.to_string(),
    }
}
