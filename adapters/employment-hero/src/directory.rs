//! The HR directory over Employment Hero (upstreams.md U2.5–U2.8): the organisation, then every
//! page of employees or leave requests. A 401 on a page refreshes the token once (single flight)
//! and asks for the same page again; any page failing fails the whole listing (H2.3.4).

use crate::cipher::TokenCipher;
use crate::config::{EhConfig, EhConfigError};
use crate::http::EhHttp;
use crate::tokens::{TokenSettings, Tokens};
use crate::wire::{EmployeeItem, Envelope, LeaveItem, Organisation};
use async_trait::async_trait;
use domain::ports::{
    Clock, EhCredentialStore, Employee, HrDirectory, HrError, HrOrganisation, Listing, OnPage,
    PageProgress, UpstreamError, UpstreamLeaveRequest,
};
use reqwest::Url;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The system clock, for production.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

/// Employment Hero: the [`HrDirectory`] and [`domain::ports::HrConnection`] ports. Holds the
/// credential store `S` the tokens live in (encrypted with the [`TokenCipher`]).
pub struct EmploymentHero<S> {
    pub(crate) config: EhConfig,
    pub(crate) http: Arc<EhHttp>,
    pub(crate) tokens: Tokens<S>,
}

impl<S> std::fmt::Debug for EmploymentHero<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmploymentHero")
            .field("config", &self.config)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

impl<S> EmploymentHero<S> {
    /// The circuit breaker state now (U0.6), for `/readyz` (H2.11).
    pub fn breaker_state(&self) -> upstream_http::BreakerState {
        self.http.breaker_state()
    }
}

impl<S: EhCredentialStore> EmploymentHero<S> {
    pub fn new(
        config: EhConfig,
        store: S,
        cipher: TokenCipher,
    ) -> Result<EmploymentHero<S>, EhConfigError> {
        EmploymentHero::with_clock(config, store, cipher, Arc::new(SystemClock))
    }

    /// With the clock token lifetimes are measured on (tests use a fake one).
    pub fn with_clock(
        config: EhConfig,
        store: S,
        cipher: TokenCipher,
        clock: Arc<dyn Clock>,
    ) -> Result<EmploymentHero<S>, EhConfigError> {
        let http = Arc::new(EhHttp::new(&config)?);
        let settings = TokenSettings {
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            send_verifier_on_refresh: config.send_verifier_on_refresh,
            refresh_wait: config.refresh_wait,
            refresh_poll: config.refresh_poll,
        };
        let tokens = Tokens::new(store, cipher, clock, Arc::clone(&http), settings);
        Ok(EmploymentHero {
            config,
            http,
            tokens,
        })
    }

    /// One API page with a valid token; a 401 refreshes once and asks again (U2.8).
    async fn get<T: DeserializeOwned>(
        &self,
        label: &'static str,
        url: &Url,
        query: &[(&str, String)],
    ) -> Result<T, HrError> {
        let token = self.tokens.access(None).await?;
        match self.http.get(label, url, query, &token).await {
            Err(UpstreamError::Unauthorized) => {
                let token = self.tokens.access(Some(&token)).await?;
                match self.http.get(label, url, query, &token).await {
                    Err(UpstreamError::Unauthorized) => Err(HrError::ReauthRequired),
                    other => other.map_err(HrError::from),
                }
            }
            other => other.map_err(HrError::from),
        }
    }

    /// Every page of a listing (U2.7): from `page_index` 1 while it is below `total_pages`,
    /// stopping early on an empty page.
    async fn all_pages<W: DeserializeOwned, T>(
        &self,
        label: &'static str,
        segments: &[&str],
        on_page: OnPage<'_>,
        map: impl Fn(W) -> T,
    ) -> Result<Listing<T>, HrError> {
        let url = self.http.api_url(segments);
        let mut items = Vec::new();
        let mut page_index = 1u32;
        loop {
            if page_index > self.config.max_pages {
                return Err(UpstreamError::InvalidResponse {
                    detail: format!(
                        "employment-hero: {label} has more than {} pages",
                        self.config.max_pages
                    ),
                }
                .into());
            }
            let query = [
                ("page_index", page_index.to_string()),
                ("item_per_page", self.config.item_per_page.to_string()),
            ];
            let page: Envelope<W> = self.get(label, &url, &query).await?;
            let page = page.data;
            if page_index == 1
                && page
                    .item_per_page
                    .is_some_and(|n| n != self.config.item_per_page)
            {
                tracing::warn!(
                    upstream = "employment-hero",
                    call = label,
                    asked = self.config.item_per_page,
                    got = page.item_per_page,
                    "item_per_page was not honoured; following total_pages keeps the result complete"
                );
            }
            let empty = page.items.is_empty();
            items.extend(page.items.into_iter().map(&map));
            on_page(PageProgress {
                page: page_index,
                total_pages: page.total_pages.max(page_index),
                items: items.len(),
            });
            if empty || page_index >= page.total_pages {
                return Ok(Listing {
                    items,
                    pages: page_index,
                });
            }
            page_index += 1;
        }
    }

    /// The organisation the syncs read: the cached one while it matches the setting, else
    /// resolved and cached (U2.5).
    pub(crate) async fn organisation_id(&self) -> Result<String, HrError> {
        let stored = self
            .tokens
            .store
            .get_credentials()
            .await?
            .ok_or(HrError::ReauthRequired)?;
        if let Some(id) = stored.organisation_id
            && self
                .config
                .organisation_id
                .as_ref()
                .is_none_or(|want| *want == id)
        {
            return Ok(id);
        }
        let org = self.resolve_organisation().await?;
        let now = self.tokens.clock.now();
        self.tokens
            .store
            .save_organisation(org.id.clone(), org.name.clone(), now)
            .await?;
        Ok(org.id)
    }

    /// `EH_ORGANISATION_ID` if listed, else the only organisation, else the first with a
    /// warning (U2.5).
    pub(crate) async fn resolve_organisation(&self) -> Result<HrOrganisation, HrError> {
        let listing = self
            .all_pages(
                "GET /api/v1/organisations",
                &["api", "v1", "organisations"],
                &|_| {},
                |o: Organisation| HrOrganisation {
                    id: o.id(),
                    name: o.name,
                },
            )
            .await?;
        let mut orgs = listing.items;
        if let Some(want) = &self.config.organisation_id {
            return orgs.into_iter().find(|o| o.id == *want).ok_or_else(|| {
                HrError::NotConfigured(
                    "EH_ORGANISATION_ID names no organisation this connection can read".into(),
                )
            });
        }
        if orgs.len() > 1 {
            tracing::warn!(
                upstream = "employment-hero",
                count = orgs.len(),
                "several organisations and no EH_ORGANISATION_ID; using the first"
            );
        }
        if orgs.is_empty() {
            return Err(HrError::NotConfigured(
                "the Employment Hero connection can read no organisation".into(),
            ));
        }
        Ok(orgs.swap_remove(0))
    }
}

#[async_trait]
impl<S: EhCredentialStore> HrDirectory for EmploymentHero<S> {
    async fn employees<'a>(&self, on_page: OnPage<'a>) -> Result<Listing<Employee>, HrError> {
        let org = self.organisation_id().await?;
        self.all_pages(
            "GET /api/v1/organisations/{id}/employees",
            &["api", "v1", "organisations", &org, "employees"],
            on_page,
            |e: EmployeeItem| Employee::from(e),
        )
        .await
    }

    async fn leave_requests<'a>(
        &self,
        on_page: OnPage<'a>,
    ) -> Result<Listing<UpstreamLeaveRequest>, HrError> {
        let org = self.organisation_id().await?;
        self.all_pages(
            "GET /api/v1/organisations/{id}/leave_requests",
            &["api", "v1", "organisations", &org, "leave_requests"],
            on_page,
            |l: LeaveItem| UpstreamLeaveRequest::from(l),
        )
        .await
    }
}
