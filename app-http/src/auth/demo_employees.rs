//! The demo portal employees (`fixtures/demo/employees.json`): alex, brett, casey, dana and
//! ebony with profiles built from the fixture jobs' requirements, created at start-up in demo
//! mode only. Idempotent: an existing username is skipped. Every value passes the same rules
//! as a registration (P2.1–P2.3) and a profile save (P2.6–P2.10).

use super::passwords::Hasher;
use crate::state::StartError;
use chrono::{DateTime, Utc};
use domain::portal::fields::{RegistrationInput, RegistrationRules, validate_registration};
use domain::portal::profile_input::{ProfileInput, validate_profile};
use domain::ports::{LoginKey, NewUser, ProfileStore, Role, UserStore};
use serde::Deserialize;
use sql_store::SqlStore;

const EMPLOYEES: &str = include_str!("../../../fixtures/demo/employees.json");

#[derive(Deserialize)]
struct DemoFile {
    password: String,
    employees: Vec<DemoEmployee>,
}

#[derive(Deserialize)]
struct DemoEmployee {
    username: String,
    headline: Option<String>,
    summary: Option<String>,
    skills: Vec<String>,
    certifications: Vec<String>,
    resume_link: Option<String>,
    experience: Option<String>,
}

fn demo(e: impl std::fmt::Display) -> StartError {
    StartError::Demo(format!("demo employees: {e}"))
}

/// Creates the demo employees that do not exist yet; returns how many were created.
pub async fn seed(
    store: &SqlStore,
    hasher: &Hasher,
    now: DateTime<Utc>,
) -> Result<u32, StartError> {
    let file: DemoFile = serde_json::from_str(EMPLOYEES).map_err(demo)?;
    let mut created = 0;
    for e in file.employees {
        if store
            .find_user_by_login(&LoginKey::parse(&e.username))
            .await
            .map_err(demo)?
            .is_some()
        {
            continue;
        }
        let input = RegistrationInput {
            username: Some(e.username.clone()),
            email: Some(format!("{}@example.com", e.username)),
            password: Some(file.password.clone()),
            confirm_password: Some(file.password.clone()),
        };
        let valid = validate_registration(&input, &RegistrationRules::default())
            .map_err(|f| demo(format!("{} breaks {f:?}", e.username)))?;
        let fields = validate_profile(&ProfileInput {
            headline: e.headline,
            summary: e.summary,
            skills: Some(e.skills),
            certifications: Some(e.certifications),
            resume_link: e.resume_link,
            experience: e.experience,
        })
        .map_err(|f| demo(format!("{}'s profile breaks {f:?}", e.username)))?;
        let password_hash = hasher.hash(valid.password).await.map_err(demo)?;
        let user = store
            .create_user(
                &NewUser {
                    username: valid.username,
                    email: valid.email,
                    password_hash,
                    role: Role::Employee,
                },
                now,
            )
            .await
            .map_err(demo)?;
        store
            .save_profile(user.id, &fields, now)
            .await
            .map_err(demo)?;
        created += 1;
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_passes_the_account_and_profile_rules() {
        let file: DemoFile = serde_json::from_str(EMPLOYEES).unwrap();
        let names: Vec<&str> = file.employees.iter().map(|e| e.username.as_str()).collect();
        assert_eq!(names, ["alex", "brett", "casey", "dana", "ebony"]);
        for e in &file.employees {
            let input = RegistrationInput {
                username: Some(e.username.clone()),
                email: Some(format!("{}@example.com", e.username)),
                password: Some(file.password.clone()),
                confirm_password: Some(file.password.clone()),
            };
            assert!(validate_registration(&input, &RegistrationRules::default()).is_ok());
        }
    }
}
