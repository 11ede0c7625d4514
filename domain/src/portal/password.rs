//! The password policy (security.md S1.3, S1.4; portal.md P2.3): used at registration, by the
//! CLI and by the first-admin bootstrap.

use super::fields::{FieldCode, char_len, has_nul};
use std::collections::HashSet;

/// S1.3: a password has 12..=128 characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// S1.4: `PASSWORD_BLOCKLIST_FILE`, one password per line, compared case-folded. Empty when the
/// setting is unset.
#[derive(Clone, Default)]
pub struct PasswordBlocklist(HashSet<String>);

impl PasswordBlocklist {
    /// The file's text; blank lines are ignored, a trailing `\r` is dropped.
    pub fn from_lines(text: &str) -> PasswordBlocklist {
        PasswordBlocklist(
            text.lines()
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .filter(|l| !l.is_empty())
                .map(str::to_lowercase)
                .collect(),
        )
    }

    pub fn contains(&self, password: &str) -> bool {
        self.0.contains(&password.to_lowercase())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

// The list is not printed (it is long, and it is a list of passwords).
impl std::fmt::Debug for PasswordBlocklist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PasswordBlocklist({} entries)", self.0.len())
    }
}

/// P2.3 / S1.3 for a non-empty password: the first rule it breaks. Never trimmed or normalised.
pub fn password_violation(
    password: &str,
    username: &str,
    email: &str,
    blocklist: &PasswordBlocklist,
) -> Option<FieldCode> {
    let chars = char_len(password);
    if chars < MIN_PASSWORD_CHARS {
        return Some(FieldCode::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Some(FieldCode::TooLong);
    }
    if has_nul(password) {
        return Some(FieldCode::InvalidCharacters);
    }
    if password.chars().all(char::is_whitespace) {
        return Some(FieldCode::InvalidValue);
    }
    let folded = password.to_lowercase();
    if folded == username.to_lowercase() || folded == email.to_lowercase() {
        return Some(FieldCode::InvalidValue);
    }
    blocklist
        .contains(password)
        .then_some(FieldCode::InvalidValue)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violation(password: &str) -> Option<FieldCode> {
        password_violation(
            password,
            "alex",
            "alex@example.com",
            &PasswordBlocklist::default(),
        )
    }

    #[test]
    fn lengths_follow_s1_3_in_characters() {
        assert_eq!(violation("short"), Some(FieldCode::TooShort));
        assert_eq!(violation(&"x".repeat(11)), Some(FieldCode::TooShort));
        assert_eq!(violation(&"x".repeat(12)), None);
        assert_eq!(violation(&"x".repeat(128)), None);
        assert_eq!(violation(&"x".repeat(129)), Some(FieldCode::TooLong));
        assert_eq!(violation(&"é".repeat(12)), None, "12 scalars, 24 bytes");
        assert_eq!(violation("a perfectly fine 🔑"), None);
    }

    #[test]
    fn blank_nul_and_names_are_refused() {
        assert_eq!(violation(&" ".repeat(12)), Some(FieldCode::InvalidValue));
        assert_eq!(
            violation("abcdefghijk\u{0}"),
            Some(FieldCode::InvalidCharacters)
        );
        assert_eq!(
            password_violation(
                "AdministratorX",
                "administratorx",
                "a@x.io",
                &PasswordBlocklist::default()
            ),
            Some(FieldCode::InvalidValue)
        );
        assert_eq!(violation("ALEX@EXAMPLE.COM"), Some(FieldCode::InvalidValue));
    }

    #[test]
    fn the_blocklist_compares_case_folded_s1_4() {
        let list = PasswordBlocklist::from_lines("Password1234\r\n\ncorrecthorse1\n");
        assert_eq!(list.len(), 2);
        let v = |p: &str| password_violation(p, "alex", "alex@example.com", &list);
        assert_eq!(v("PASSWORD1234"), Some(FieldCode::InvalidValue));
        assert_eq!(v("password12345"), None);
    }
}
