//! Employment Hero (upstreams.md U2): the domain's HR directory (employees and leave requests,
//! every page) and the OAuth 2 connection with PKCE (S256), with token refresh that persists the
//! rotated refresh token before use and never refreshes twice at once.
//!
//! Every call goes through the shared client policy of `upstream-http` (U0) with EH's budget
//! (U2.8). Tokens and verifiers are stored encrypted ([`TokenCipher`], security.md S10.5) through
//! the domain's `EhCredentialStore`; secrets are `SecretString`s and never print.

mod cipher;
mod config;
mod connect;
mod directory;
mod http;
mod tokens;
mod wire;

pub mod pkce;

pub use cipher::{CipherError, TokenCipher};
pub use config::{
    DEFAULT_API_BASE_URL, DEFAULT_AUTHORIZE_URL, DEFAULT_TOKEN_URL, EhConfig, EhConfigError,
    setting,
};
pub use directory::{EmploymentHero, SystemClock};
