//! Portal users for tests: a user created straight through the stores with a live session, and
//! request builders that carry its cookie, CSRF token and the allowed Origin. (The register and
//! login routes have their own tests; these helpers do not depend on them.)

#![allow(dead_code)] // a shared helper: not every suite uses every part

use crate::support::TestApp;
use app_http::auth::cookies;
use domain::ports::{NewSession, NewUser, Role, SessionLifetimes, SessionStore, UserStore};
use serde_json::Value;

/// The password of every helper-made user (also used by the acceptance scenarios).
pub const PASSWORD: &str = "Password123!";

/// A signed-in portal user.
#[derive(Clone, Debug)]
pub struct PortalUser {
    pub id: i64,
    pub username: String,
    /// `sid=<token>`, for the `Cookie` header.
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    /// Creates `username` (email `<username>@example.com`, password `PASSWORD`) and a session.
    pub async fn portal_user(&self, username: &str) -> PortalUser {
        self.user_with_role(username, Role::Employee).await
    }

    /// As `portal_user`, with role `admin`.
    pub async fn portal_admin(&self, username: &str) -> PortalUser {
        self.user_with_role(username, Role::Admin).await
    }

    async fn user_with_role(&self, username: &str, role: Role) -> PortalUser {
        let now = self.state.clock.now();
        let hash = self.state.hasher.hash(PASSWORD.to_owned()).await.unwrap();
        let user = self
            .state
            .store
            .create_user(
                &NewUser {
                    username: username.to_owned(),
                    email: format!("{}@example.com", username.to_lowercase()),
                    password_hash: hash,
                    role,
                },
                now,
            )
            .await
            .unwrap();
        let session = self.session_for(user.id, role).await;
        PortalUser {
            id: user.id,
            username: username.to_owned(),
            ..session
        }
    }

    /// A fresh session for an existing user (e.g. after moving the clock past its lifetime).
    pub async fn session_for(&self, user_id: i64, role: Role) -> PortalUser {
        let now = self.state.clock.now();
        let token = cookies::random_token().unwrap();
        let csrf = cookies::random_token().unwrap();
        let new = NewSession {
            id_hash: cookies::sha256_hex(&token),
            user_id,
            csrf_token: csrf.clone(),
            absolute_expires_at: now + SessionLifetimes::SPEC.for_role(role).absolute,
            ip: None,
            user_agent: None,
        };
        self.state.store.create_session(&new, now).await.unwrap();
        PortalUser {
            id: user_id,
            username: String::new(),
            cookie: format!("sid={token}"),
            csrf,
        }
    }

    /// GET as `user`.
    pub fn get_as(&self, user: &PortalUser, path: &str) -> reqwest::RequestBuilder {
        self.client
            .get(self.url(path))
            .header("cookie", &user.cookie)
    }

    /// A write (POST, PUT, DELETE, ...) as `user`, with its CSRF token and our Origin.
    pub fn write_as(
        &self,
        user: &PortalUser,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("cookie", &user.cookie)
            .header("x-csrf-token", &user.csrf)
            .header("origin", &self.base)
    }

    /// POST `body` as JSON as `user`; the status and the JSON answer.
    pub async fn post_json_as(&self, user: &PortalUser, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .write_as(user, reqwest::Method::POST, path)
            .json(&body)
            .send()
            .await
            .unwrap();
        crate::support::status_json(r).await
    }

    /// PUT `body` as JSON as `user`.
    pub async fn put_json_as(&self, user: &PortalUser, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .write_as(user, reqwest::Method::PUT, path)
            .json(&body)
            .send()
            .await
            .unwrap();
        crate::support::status_json(r).await
    }

    /// A body-less POST or DELETE as `user`.
    pub async fn send_as(
        &self,
        user: &PortalUser,
        method: reqwest::Method,
        path: &str,
    ) -> (u16, Value) {
        let r = self.write_as(user, method, path).send().await.unwrap();
        crate::support::status_json(r).await
    }

    /// GET as `user`; the status and the JSON answer.
    pub async fn get_json_as(&self, user: &PortalUser, path: &str) -> (u16, Value) {
        let r = self.get_as(user, path).send().await.unwrap();
        crate::support::status_json(r).await
    }
}
