//! The OAuth connection (http-api.md H2.9, upstreams.md U2.2, U2.3): the authorise URL with a
//! fresh state and S256 challenge, and the single-use code exchange that stores the tokens.

use crate::directory::EmploymentHero;
use crate::pkce;
use crate::tokens::cipher_error;
use crate::wire::TokenResponse;
use async_trait::async_trait;
use chrono::TimeDelta;
use domain::ports::{
    AuthorizationRequest, EhCredentialStore, HrConnection, HrError, HrOrganisation,
    NewEhCredentials, UpstreamError,
};
use secrecy::{ExposeSecret, SecretString};

fn no_randomness(_: getrandom::Error) -> HrError {
    UpstreamError::unavailable("the system random source failed").into()
}

impl<S: EhCredentialStore> EmploymentHero<S> {
    fn redirect_uri(&self) -> Result<&str, HrError> {
        self.config
            .redirect_uri
            .as_deref()
            .ok_or_else(|| HrError::NotConfigured("REDIRECT_URI".into()))
    }

    /// `{EH_AUTHORIZE_URL}?client_id&redirect_uri&response_type=code&state&code_challenge
    /// &code_challenge_method=S256` (U2.2). No `scope`: it is fixed in the EH app (U2.1).
    pub fn authorize_url(&self, state: &str, code_challenge: &str) -> Result<String, HrError> {
        let mut url = self.http.authorize_url.clone();
        url.query_pairs_mut()
            .append_pair("client_id", self.tokens.client_id().expose_secret())
            .append_pair("redirect_uri", self.redirect_uri()?)
            .append_pair("response_type", "code")
            .append_pair("state", state)
            .append_pair("code_challenge", code_challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url.into())
    }

    /// The code exchange (U2.3), sent once: the code is single-use.
    pub async fn exchange_code(
        &self,
        code: &str,
        code_verifier: &SecretString,
    ) -> Result<(SecretString, SecretString, TimeDelta), HrError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.redirect_uri()?),
            ("client_id", self.tokens.client_id().expose_secret()),
            ("client_secret", self.tokens.client_secret().expose_secret()),
            ("code_verifier", code_verifier.expose_secret()),
        ];
        let t: TokenResponse = self
            .http
            .token("POST /oauth2/token (authorization_code)", &form)
            .await?;
        let refresh = t
            .refresh_token
            .ok_or_else(|| UpstreamError::InvalidResponse {
                detail: "employment-hero: the code exchange returned no refresh token".into(),
            })?;
        let lifetime = TimeDelta::seconds(t.expires_in.unwrap_or(900).max(0));
        Ok((
            SecretString::from(t.access_token),
            SecretString::from(refresh),
            lifetime,
        ))
    }
}

#[async_trait]
impl<S: EhCredentialStore> HrConnection for EmploymentHero<S> {
    fn begin_authorization(&self) -> Result<AuthorizationRequest, HrError> {
        let state = pkce::new_state().map_err(no_randomness)?;
        let verifier = pkce::new_code_verifier().map_err(no_randomness)?;
        let authorize_url = self.authorize_url(&state, &pkce::code_challenge(&verifier))?;
        Ok(AuthorizationRequest {
            authorize_url,
            state,
            code_verifier_enc: self.tokens.encrypt(&verifier)?,
        })
    }

    async fn complete_authorization(
        &self,
        code: &str,
        code_verifier_enc: &str,
    ) -> Result<HrOrganisation, HrError> {
        let verifier = self
            .tokens
            .cipher
            .decrypt(code_verifier_enc)
            .map_err(cipher_error)?;
        let (access, refresh, lifetime) = self.exchange_code(code, &verifier).await?;
        let now = self.tokens.clock.now();
        let expires_at = now + lifetime;
        let credentials = NewEhCredentials {
            access_token_enc: self.tokens.encrypt(&access)?,
            refresh_token_enc: self.tokens.encrypt(&refresh)?,
            // Kept for refreshes that need it (U2.4), under the current key.
            code_verifier_enc: self.tokens.encrypt(&verifier)?,
            expires_at,
            organisation_id: None,
            organisation_name: None,
        };
        self.tokens.store.save_credentials(credentials, now).await?;
        self.tokens.install(access, expires_at).await;
        let org = self.resolve_organisation().await?;
        self.tokens
            .store
            .save_organisation(org.id.clone(), org.name.clone(), now)
            .await?;
        tracing::info!(upstream = "employment-hero", organisation = %org.id, "connected");
        Ok(org)
    }
}
