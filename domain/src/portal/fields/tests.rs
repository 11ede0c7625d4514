use super::*;
use proptest::prelude::*;

fn input(username: &str, email: &str, password: &str, confirm: &str) -> RegistrationInput {
    RegistrationInput {
        username: Some(username.into()),
        email: Some(email.into()),
        password: Some(password.into()),
        confirm_password: Some(confirm.into()),
    }
}

fn code_of(i: &RegistrationInput, field: &str) -> Option<FieldCode> {
    validate_registration(i, &RegistrationRules::default())
        .err()
        .and_then(|e| e.get(field).copied())
}

const PW: &str = "Password123!";

#[test]
fn scenario_2_registration_codes() {
    let with_user = |u: &str| input(u, "x@example.com", PW, PW);
    assert_eq!(
        code_of(&with_user("ab"), "username"),
        Some(FieldCode::TooShort)
    );
    assert_eq!(
        code_of(&with_user("  ab  "), "username"),
        Some(FieldCode::TooShort)
    );
    assert_eq!(
        code_of(&with_user("a b c"), "username"),
        Some(FieldCode::InvalidFormat)
    );
    assert_eq!(
        code_of(&with_user(".abc"), "username"),
        Some(FieldCode::InvalidFormat)
    );
    assert_eq!(
        code_of(&with_user(&"a".repeat(81)), "username"),
        Some(FieldCode::TooLong)
    );
    let with_pw = |p: &str| input("alex", "x@example.com", p, p);
    assert_eq!(
        code_of(&with_pw("short"), "password"),
        Some(FieldCode::TooShort)
    );
    assert_eq!(
        code_of(&with_pw(&"p".repeat(11)), "password"),
        Some(FieldCode::TooShort)
    );
    assert_eq!(
        code_of(&with_pw(&"p".repeat(129)), "password"),
        Some(FieldCode::TooLong)
    );
    assert!(
        validate_registration(&with_pw(&"p".repeat(12)), &RegistrationRules::default()).is_ok()
    );
    assert!(
        validate_registration(&with_pw(&"p".repeat(128)), &RegistrationRules::default()).is_ok()
    );
    let mismatch = input("alex", "x@example.com", PW, "Password123?");
    assert_eq!(
        code_of(&mismatch, "confirm_password"),
        Some(FieldCode::Mismatch)
    );
    assert_eq!(
        code_of(&input("alex", "zed@", PW, PW), "email"),
        Some(FieldCode::InvalidFormat)
    );
    let bob = validate_registration(
        &input("  bob  ", " Bob@Example.COM ", PW, PW),
        &RegistrationRules::default(),
    )
    .unwrap();
    assert_eq!(
        (bob.username.as_str(), bob.email.as_str()),
        ("bob", "bob@example.com")
    );
}

#[test]
fn all_fields_are_reported_together_p3_2() {
    let errors =
        validate_registration(&RegistrationInput::default(), &RegistrationRules::default())
            .unwrap_err();
    for field in ["username", "email", "password", "confirm_password"] {
        assert_eq!(errors.get(field), Some(&FieldCode::Required), "{field}");
    }
    let errors = validate_registration(
        &input("ab", "zed@", "short", "x"),
        &RegistrationRules::default(),
    )
    .unwrap_err();
    assert_eq!(errors.len(), 4);
}

#[test]
fn the_domain_allow_list_p0_8() {
    let rules = RegistrationRules {
        email_domains: EmailDomains::parse(" Example.com, @corp.example ,"),
        ..RegistrationRules::default()
    };
    let ok = validate_registration(&input("alex", "alex@example.com", PW, PW), &rules);
    assert!(ok.is_ok());
    let ok = validate_registration(&input("alex", "alex@corp.example", PW, PW), &rules);
    assert!(ok.is_ok());
    let refused =
        validate_registration(&input("alex", "alex@sub.example.com", PW, PW), &rules).unwrap_err();
    assert_eq!(refused.get("email"), Some(&FieldCode::DomainNotAllowed));
    assert!(EmailDomains::parse("").allows("a@anything.io"));
}

#[test]
fn login_needs_both_fields_p2_5() {
    assert_eq!(
        validate_login(Some(" Alex "), Some(" pw ")),
        Ok(("Alex".into(), " pw ".into()))
    );
    let errors = validate_login(Some("  "), None).unwrap_err();
    assert_eq!(errors.get("login"), Some(&FieldCode::Required));
    assert_eq!(errors.get("password"), Some(&FieldCode::Required));
}

proptest! {
    /// P2.1: an accepted username is trimmed, 3..=80 ASCII characters of the allowed set.
    #[test]
    fn accepted_usernames_are_well_formed(u in "\\PC{0,90}") {
        let i = input(&u, "x@example.com", PW, PW);
        if let Ok(r) = validate_registration(&i, &RegistrationRules::default()) {
            prop_assert_eq!(r.username.trim(), r.username.as_str());
            prop_assert!((3..=80).contains(&r.username.len()));
            prop_assert!(r.username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
        }
    }

    /// P2.2: an accepted email is lowercased and has one `@` and a dotted domain.
    #[test]
    fn accepted_emails_are_normalised(e in "[A-Za-z0-9.@+-]{0,30}") {
        if email_violation(&e.trim().to_lowercase(), &EmailDomains::default()).is_none() {
            let lower = e.trim().to_lowercase();
            prop_assert_eq!(lower.matches('@').count(), 1);
            prop_assert!(lower.rsplit_once('@').is_some_and(|(_, d)| d.contains('.')));
        }
    }
}
