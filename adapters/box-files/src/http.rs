//! Every HTTP call to Box goes through here, and through the shared client policy (upstreams.md
//! U0) of `upstream-http`: the bearer token with one renewal after a 401 (U3.3), the `As-User`
//! header (U3.4), the budget (U3.7) and the reading of answers.

use crate::config::{BoxConfig, BoxConfigError};
use crate::credentials::CredentialsError;
use crate::error_body::describe;
use crate::jwt::AssertionSigner;
use crate::token::TokenSource;
use reqwest::header::ACCEPT;
use reqwest::{Client, RequestBuilder, Url};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use tokio::sync::OnceCell;
use upstream_http::{Call, Policy, RateBudget, Upstream, UpstreamError};

/// Who the calls act as (U3.4).
#[derive(Debug)]
enum AsUser {
    ServiceAccount,
    Id(String),
    /// A login email, resolved to a user id on first use.
    Email(String, OnceCell<String>),
}

#[derive(Debug)]
pub(crate) struct BoxHttp {
    base: Url,
    pub(crate) api: Upstream,
    tokens: TokenSource,
    as_user: AsUser,
    pub(crate) max_attempts: u32,
    pub(crate) backoff_base: Duration,
    pub(crate) backoff_cap: Duration,
}

fn parse_url(text: &str, name: &'static str) -> Result<Url, BoxConfigError> {
    Url::parse(text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base())
        .ok_or(BoxConfigError::Url(name))
}

impl BoxHttp {
    pub(crate) fn new(config: &BoxConfig) -> Result<BoxHttp, BoxConfigError> {
        let creds = &config.credentials;
        if creds.client_secret.expose_secret().trim().is_empty() {
            return Err(CredentialsError::Missing("boxAppSettings.clientSecret").into());
        }
        let signer = AssertionSigner::new(creds)?;
        let policy = |name, timeout| Policy {
            connect_timeout: config.connect_timeout,
            request_timeout: timeout,
            backoff_base: config.backoff_base,
            backoff_cap: config.backoff_cap,
            ..Policy::new(name)
        };
        let api_policy = Policy {
            budget: (config.calls_per_minute > 0 && config.burst > 0).then(|| RateBudget {
                burst: config.burst,
                per: Duration::from_secs(60) * config.burst / config.calls_per_minute,
            }),
            ..policy("box", config.request_timeout)
        };
        let client =
            |p| Upstream::new(p, describe).map_err(|e| BoxConfigError::Client(e.to_string()));
        let api = client(api_policy)?;
        // One breaker for Box (U0.6): the token endpoint is on the same host.
        let token_upstream =
            client(policy("box-token", config.token_timeout))?.sharing_breaker_with(&api);
        let as_user = match config.impersonation_user.as_deref().map(str::trim) {
            None | Some("") => AsUser::ServiceAccount,
            Some(email) if email.contains('@') => AsUser::Email(email.to_owned(), OnceCell::new()),
            Some(id) => AsUser::Id(id.to_owned()),
        };
        Ok(BoxHttp {
            base: parse_url(&config.api_base_url, "BOX_API_BASE_URL")?,
            max_attempts: api.policy().max_attempts,
            api,
            tokens: TokenSource::new(
                token_upstream,
                parse_url(&config.token_url, "BOX_TOKEN_URL")?,
                signer,
                creds.client_id.clone(),
                creds.client_secret.clone(),
                config.token_refresh_margin,
            ),
            as_user,
            backoff_base: config.backoff_base,
            backoff_cap: config.backoff_cap,
        })
    }

    /// The URL of an API path given as its segments (each one percent-encoded).
    pub(crate) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        // `new` refused bases that cannot take path segments, so this always applies.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// One call with the token and `As-User`; a 401 gets one new token and one more try (U3.3).
    pub(crate) async fn send<T>(
        &self,
        call: Call,
        build: impl Fn(&Client) -> RequestBuilder,
        parse: impl Fn(&[u8]) -> Result<T, String>,
    ) -> Result<T, UpstreamError> {
        let as_user = self.as_user().await?;
        self.send_as(as_user, call, build, parse).await
    }

    /// A JSON GET with query parameters.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        label: &'static str,
        url: &Url,
        query: &[(&str, &str)],
    ) -> Result<T, UpstreamError> {
        self.send(
            Call::read(label),
            |c| c.get(url.clone()).query(query),
            parse_json,
        )
        .await
    }

    async fn send_as<T>(
        &self,
        as_user: Option<&str>,
        call: Call,
        build: impl Fn(&Client) -> RequestBuilder,
        parse: impl Fn(&[u8]) -> Result<T, String>,
    ) -> Result<T, UpstreamError> {
        let mut token = self.tokens.current().await?;
        let mut renewed = false;
        loop {
            let result = self
                .api
                .call(
                    call,
                    |client| {
                        let request = build(client)
                            .bearer_auth(token.value.expose_secret())
                            .header(ACCEPT, "application/json");
                        match as_user {
                            Some(user) => request.header("As-User", user),
                            None => request,
                        }
                    },
                    &parse,
                )
                .await;
            match result {
                // 403 reaches here too (upstream-http maps both to Unauthorized): one wasted
                // token at most, since the renewal happens once per call.
                Err(UpstreamError::Unauthorized) if !renewed => {
                    renewed = true;
                    token = self.tokens.replace(&token).await?;
                }
                other => return other,
            }
        }
    }

    /// The user id for `As-User`, resolving a login email once per process (U3.4).
    async fn as_user(&self) -> Result<Option<&str>, UpstreamError> {
        match &self.as_user {
            AsUser::ServiceAccount => Ok(None),
            AsUser::Id(id) => Ok(Some(id)),
            AsUser::Email(email, id) => id
                .get_or_try_init(|| self.user_id_of(email))
                .await
                .map(|id| Some(id.as_str())),
        }
    }

    async fn user_id_of(&self, email: &str) -> Result<String, UpstreamError> {
        #[derive(Deserialize)]
        struct Users {
            entries: Vec<User>,
        }
        #[derive(Deserialize)]
        struct User {
            id: String,
            login: Option<String>,
        }
        let url = self.url(&["users"]);
        let query = [
            ("filter_term", email),
            ("user_type", "all"),
            ("limit", "100"),
        ];
        let users: Users = self
            .send_as(
                None,
                Call::read("/users"),
                |c| c.get(url.clone()).query(&query),
                parse_json,
            )
            .await?;
        users
            .entries
            .into_iter()
            .find(|u| {
                u.login
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(email))
            })
            .map(|u| u.id)
            .ok_or_else(|| {
                // U3.4: Box is not usable as configured; logged without the address.
                tracing::error!(
                    upstream = "box",
                    "BOX_IMPERSONATION_USER matches no Box user"
                );
                UpstreamError::Unauthorized
            })
    }
}

/// A 2xx body into its wire type. The detail names where it broke, never what it read.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| {
        format!(
            "unexpected JSON ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        )
    })
}
