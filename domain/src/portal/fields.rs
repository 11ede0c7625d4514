//! Field validation (portal.md P2): the field codes, the checks shared by several fields, and
//! the rules of the registration form (P2.1–P2.4). Profile fields are in `profile_input`, the
//! password policy in `password`.

use super::password::{PasswordBlocklist, password_violation};
use std::collections::BTreeMap;

/// The field codes of P2, each the first failing rule of its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldCode {
    Required,
    TooShort,
    TooLong,
    InvalidFormat,
    InvalidUrl,
    Mismatch,
    InvalidCharacters,
    TooManyItems,
    ItemTooLong,
    DomainNotAllowed,
    InvalidValue,
}

impl FieldCode {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldCode::Required => "required",
            FieldCode::TooShort => "too_short",
            FieldCode::TooLong => "too_long",
            FieldCode::InvalidFormat => "invalid_format",
            FieldCode::InvalidUrl => "invalid_url",
            FieldCode::Mismatch => "mismatch",
            FieldCode::InvalidCharacters => "invalid_characters",
            FieldCode::TooManyItems => "too_many_items",
            FieldCode::ItemTooLong => "item_too_long",
            FieldCode::DomainNotAllowed => "domain_not_allowed",
            FieldCode::InvalidValue => "invalid_value",
        }
    }
}

/// Every failing field with its code (400 `validation_failed`, `details.fields`).
pub type FieldErrors = BTreeMap<&'static str, FieldCode>;

/// P0.4: length in Unicode scalar values.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// P0.5: U+0000 anywhere.
pub fn has_nul(s: &str) -> bool {
    s.contains('\u{0}')
}

/// P2.19, on an already trimmed and lowercased value (shared with the admin side's adviser
/// emails).
pub use crate::admin_input::email_format_ok as is_email;

/// P0.8 `PORTAL_REGISTRATION_EMAIL_DOMAINS`: empty allows every domain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmailDomains(Vec<String>);

impl EmailDomains {
    /// A comma list; entries trimmed and lowercased, blanks dropped, a leading `@` tolerated.
    pub fn parse(list: &str) -> EmailDomains {
        EmailDomains(
            list.split(',')
                .map(|d| d.trim().trim_start_matches('@').to_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
        )
    }

    pub fn allows(&self, email: &str) -> bool {
        self.0.is_empty()
            || email
                .rsplit_once('@')
                .is_some_and(|(_, domain)| self.0.iter().any(|d| d == domain))
    }
}

/// What the register form sends (H4.1); absent fields are `None`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RegistrationInput {
    pub username: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub confirm_password: Option<String>,
}

// Passwords never reach a log.
impl std::fmt::Debug for RegistrationInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrationInput")
            .field("username", &self.username)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// A registration that passed P2.1–P2.4: username trimmed, email trimmed and lowercased.
#[derive(Clone, PartialEq, Eq)]
pub struct Registration {
    pub username: String,
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("username", &self.username)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// The configured parts of the registration rules (P0.8, S1.4).
#[derive(Clone, Debug, Default)]
pub struct RegistrationRules {
    pub email_domains: EmailDomains,
    pub blocklist: PasswordBlocklist,
}

/// P2.1 on the trimmed username.
pub fn username_violation(username: &str) -> Option<FieldCode> {
    let len = char_len(username);
    if len == 0 {
        return Some(FieldCode::Required);
    }
    if has_nul(username) {
        return Some(FieldCode::InvalidCharacters);
    }
    if len < 3 {
        return Some(FieldCode::TooShort);
    }
    if len > 80 {
        return Some(FieldCode::TooLong);
    }
    let mut chars = username.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    (!first_ok || !rest_ok).then_some(FieldCode::InvalidFormat)
}

/// P2.2 on the trimmed, lowercased email.
pub fn email_violation(email: &str, domains: &EmailDomains) -> Option<FieldCode> {
    if email.is_empty() {
        Some(FieldCode::Required)
    } else if has_nul(email) {
        Some(FieldCode::InvalidCharacters)
    } else if char_len(email) > 120 {
        Some(FieldCode::TooLong)
    } else if !is_email(email) {
        Some(FieldCode::InvalidFormat)
    } else if !domains.allows(email) {
        Some(FieldCode::DomainNotAllowed)
    } else {
        None
    }
}

/// P2.1–P2.4, every field reported together.
pub fn validate_registration(
    input: &RegistrationInput,
    rules: &RegistrationRules,
) -> Result<Registration, FieldErrors> {
    let username = input.username.as_deref().unwrap_or("").trim().to_owned();
    let email = crate::allocation::ekey(input.email.as_deref().unwrap_or(""));
    let password = input.password.clone().unwrap_or_default();
    let mut errors = FieldErrors::new();
    if let Some(code) = username_violation(&username) {
        errors.insert("username", code);
    }
    if let Some(code) = email_violation(&email, &rules.email_domains) {
        errors.insert("email", code);
    }
    let password_code = if password.is_empty() {
        Some(FieldCode::Required)
    } else {
        password_violation(&password, &username, &email, &rules.blocklist)
    };
    if let Some(code) = password_code {
        errors.insert("password", code);
    }
    match input.confirm_password.as_deref() {
        None | Some("") => {
            errors.insert("confirm_password", FieldCode::Required);
        }
        Some(confirm) if confirm != password => {
            errors.insert("confirm_password", FieldCode::Mismatch);
        }
        Some(_) => {}
    }
    if errors.is_empty() {
        Ok(Registration {
            username,
            email,
            password,
        })
    } else {
        Err(errors)
    }
}

/// P2.5: both fields present; `login` trimmed. The password is never trimmed.
pub fn validate_login(
    login: Option<&str>,
    password: Option<&str>,
) -> Result<(String, String), FieldErrors> {
    let login = login.unwrap_or("").trim();
    let password = password.unwrap_or("");
    let mut errors = FieldErrors::new();
    if login.is_empty() {
        errors.insert("login", FieldCode::Required);
    }
    if password.is_empty() {
        errors.insert("password", FieldCode::Required);
    }
    if errors.is_empty() {
        Ok((login.to_owned(), password.to_owned()))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests;
