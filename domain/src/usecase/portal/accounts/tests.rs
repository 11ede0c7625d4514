use super::*;
use crate::portal::fields::FieldCode;
use crate::ports::{MockLoginThrottle, MockPasswordHasher, MockUserStore};
use futures::executor::block_on;

fn now() -> DateTime<Utc> {
    "2025-11-20T00:00:00Z".parse().unwrap()
}

fn account(id: i64, username: &str, hash: &str) -> UserAccount {
    UserAccount {
        id,
        username: username.into(),
        email: format!("{username}@example.com"),
        password_hash: hash.into(),
        role: Role::Employee,
        created_at: now(),
        updated_at: now(),
    }
}

fn open_throttle() -> MockLoginThrottle {
    let mut t = MockLoginThrottle::new();
    t.expect_check_login()
        .returning(|_, _| Ok(ThrottleStatus::Allowed));
    t.expect_record_login_failure()
        .returning(|_, _, _| Ok(ThrottleStatus::Allowed));
    t.expect_record_login_success().returning(|_, _| Ok(()));
    t
}

fn hasher(verdict: bool) -> MockPasswordHasher {
    let mut h = MockPasswordHasher::new();
    h.expect_hash_password()
        .returning(|p| Ok(format!("hash:{p}")));
    h.expect_verify_password()
        .returning(move |_, _| Ok(verdict));
    h.expect_needs_rehash().returning(|_| false);
    h
}

fn registration(username: &str, email: &str) -> RegistrationInput {
    RegistrationInput {
        username: Some(username.into()),
        email: Some(email.into()),
        password: Some("Password123!".into()),
        confirm_password: Some("Password123!".into()),
    }
}

fn try_register<U: UserStore, T: LoginThrottle, H: PasswordHasher>(
    accounts: &Accounts<U, T, H>,
    username: &str,
    email: &str,
) -> Result<UserAccount, RegisterError> {
    block_on(accounts.register(
        &registration(username, email),
        &RegistrationRules::default(),
        "ip",
        now(),
    ))
}

/// A throttle whose `check_login` allows everything.
fn allowing() -> MockLoginThrottle {
    let mut t = MockLoginThrottle::new();
    t.expect_check_login()
        .returning(|_, _| Ok(ThrottleStatus::Allowed));
    t
}

#[test]
fn register_creates_an_employee_with_normalised_fields_p3_2() {
    let mut users = MockUserStore::new();
    users.expect_find_user_by_login().returning(|_| Ok(None));
    users
        .expect_create_user()
        .withf(|u, _| {
            u.username == "alex"
                && u.email == "alex@example.com"
                && u.role == Role::Employee
                && u.password_hash == "hash:Password123!"
        })
        .returning(|u, _| Ok(account(1, &u.username, &u.password_hash)));
    let accounts = Accounts::new(users, open_throttle(), hasher(true));
    let user = try_register(&accounts, " alex ", " Alex@Example.com ").unwrap();
    assert_eq!(user.id, 1);
}

#[test]
fn email_taken_is_checked_before_username_taken_p3_2() {
    let mut users = MockUserStore::new();
    users
        .expect_find_user_by_login()
        .returning(|_| Ok(Some(account(1, "alex", "h"))));
    let accounts = Accounts::new(users, open_throttle(), hasher(true));
    let err = try_register(&accounts, "ALEX", "alex@example.com").unwrap_err();
    assert_eq!(err, RegisterError::EmailTaken);
}

#[test]
fn a_lost_unique_race_maps_to_the_same_409_p3_2() {
    for (race, expected) in [
        (CreateUserError::EmailTaken, RegisterError::EmailTaken),
        (CreateUserError::UsernameTaken, RegisterError::UsernameTaken),
    ] {
        let mut users = MockUserStore::new();
        users.expect_find_user_by_login().returning(|_| Ok(None));
        users
            .expect_create_user()
            .returning(move |_, _| Err(race.clone()));
        let accounts = Accounts::new(users, open_throttle(), hasher(true));
        let err = try_register(&accounts, "alex", "alex@example.com").unwrap_err();
        assert_eq!(err, expected);
    }
}

#[test]
fn invalid_registrations_touch_no_store() {
    let accounts = Accounts::new(
        MockUserStore::new(),
        open_throttle(),
        MockPasswordHasher::new(),
    );
    let err = try_register(&accounts, "ab", "zed@").unwrap_err();
    let RegisterError::Invalid(fields) = err else {
        panic!("{err:?}")
    };
    assert_eq!(fields.get("username"), Some(&FieldCode::TooShort));
    assert_eq!(fields.get("email"), Some(&FieldCode::InvalidFormat));
}

#[test]
fn a_locked_register_key_answers_rate_limited_s3_3() {
    let mut throttle = MockLoginThrottle::new();
    throttle
        .expect_check_login()
        .withf(|k, _| k.account == "register:ip")
        .returning(|_, _| {
            Ok(ThrottleStatus::Locked {
                retry_after: Duration::from_secs(60),
            })
        });
    let accounts = Accounts::new(MockUserStore::new(), throttle, MockPasswordHasher::new());
    let err = try_register(&accounts, "alex", "alex@example.com").unwrap_err();
    assert!(matches!(err, RegisterError::RateLimited { .. }));
}

#[test]
fn login_normalises_the_key_and_verifies_p3_3() {
    let mut users = MockUserStore::new();
    users
        .expect_find_user_by_login()
        .withf(|k| *k == LoginKey::Email("alex@example.com".into()))
        .returning(|_| Ok(Some(account(7, "alex", "h"))));
    let mut throttle = MockLoginThrottle::new();
    throttle
        .expect_check_login()
        .withf(|k, _| k.account == "acct:alex@example.com" && k.ip == "ip:ip")
        .returning(|_, _| Ok(ThrottleStatus::Allowed));
    throttle
        .expect_record_login_success()
        .times(1)
        .returning(|_, _| Ok(()));
    let accounts = Accounts::new(users, throttle, hasher(true));
    let user = block_on(accounts.login(
        Some(" ALEX@EXAMPLE.COM "),
        Some("Password123!"),
        "ip",
        now(),
    ))
    .unwrap();
    assert_eq!(user.id, 7);
}

#[test]
fn unknown_accounts_verify_a_dummy_hash_and_count_s1_6() {
    let mut users = MockUserStore::new();
    users.expect_find_user_by_login().returning(|_| Ok(None));
    let mut h = MockPasswordHasher::new();
    h.expect_verify_password()
        .withf(|phc, _| phc.is_none())
        .times(1)
        .returning(|_, _| Ok(false));
    let mut throttle = allowing();
    throttle
        .expect_record_login_failure()
        .times(1)
        .returning(|_, _, _| Ok(ThrottleStatus::Allowed));
    let accounts = Accounts::new(users, throttle, h);
    let err = block_on(accounts.login(Some("nobody@example.com"), Some("x"), "ip", now()));
    assert_eq!(err.unwrap_err(), LoginError::InvalidCredentials);
}

#[test]
fn over_long_passwords_fail_without_hashing_p2_5() {
    let mut throttle = allowing();
    throttle
        .expect_record_login_failure()
        .times(1)
        .returning(|_, _, _| Ok(ThrottleStatus::Allowed));
    let accounts = Accounts::new(MockUserStore::new(), throttle, MockPasswordHasher::new());
    let long = "x".repeat(129);
    let err = block_on(accounts.login(Some("alex"), Some(&long), "ip", now()));
    assert_eq!(err.unwrap_err(), LoginError::InvalidCredentials);
}

#[test]
fn a_locked_key_refuses_even_the_right_password_s3_2() {
    let mut throttle = MockLoginThrottle::new();
    throttle.expect_check_login().returning(|_, _| {
        Ok(ThrottleStatus::Locked {
            retry_after: Duration::from_secs(90),
        })
    });
    let accounts = Accounts::new(MockUserStore::new(), throttle, MockPasswordHasher::new());
    let err = block_on(accounts.login(Some("alex"), Some("Password123!"), "ip", now()));
    assert_eq!(
        err.unwrap_err(),
        LoginError::RateLimited {
            retry_after: Duration::from_secs(90)
        }
    );
}

#[test]
fn outdated_hashes_are_upgraded_after_login_s1_2() {
    let mut users = MockUserStore::new();
    users
        .expect_find_user_by_login()
        .returning(|_| Ok(Some(account(3, "alex", "old"))));
    users
        .expect_upgrade_password_hash()
        .withf(|id, current, upgraded, _| *id == 3 && current == "old" && upgraded == "hash:pw")
        .times(1)
        .returning(|_, _, _, _| Ok(true));
    let mut h = MockPasswordHasher::new();
    h.expect_verify_password().returning(|_, _| Ok(true));
    h.expect_needs_rehash().returning(|phc| phc == "old");
    h.expect_hash_password()
        .returning(|p| Ok(format!("hash:{p}")));
    let accounts = Accounts::new(users, open_throttle(), h);
    assert!(block_on(accounts.login(Some("alex"), Some("pw"), "ip", now())).is_ok());
}

#[test]
fn missing_login_fields_are_validation_errors_p2_5() {
    let accounts = Accounts::new(
        MockUserStore::new(),
        MockLoginThrottle::new(),
        MockPasswordHasher::new(),
    );
    let err = block_on(accounts.login(None, Some("pw"), "ip", now())).unwrap_err();
    assert!(matches!(err, LoginError::Invalid(f) if f.get("login") == Some(&FieldCode::Required)));
}
