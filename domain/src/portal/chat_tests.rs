use super::*;
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-11-20T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn p9_3_body_rule() {
    assert_eq!(check_body(""), Err("required"));
    assert_eq!(check_body(" \n\t "), Err("required"));
    assert_eq!(check_body(&"x".repeat(2001)), Err("too_long"));
    assert_eq!(check_body(&"é".repeat(2000)), Ok(()));
    assert_eq!(check_body("a\0b"), Err("invalid_characters"));
    assert_eq!(check_body("  <script>  "), Ok(()));
}

#[test]
fn p2_17_client_msg_id() {
    assert_eq!(check_client_msg_id("m1"), Ok(()));
    assert_eq!(check_client_msg_id(&"a".repeat(64)), Ok(()));
    assert_eq!(check_client_msg_id(&"a".repeat(65)), Err("invalid_format"));
    assert_eq!(check_client_msg_id(""), Err("invalid_format"));
    assert_eq!(check_client_msg_id("a b"), Err("invalid_format"));
    assert_eq!(check_client_msg_id("é"), Err("invalid_format"));
}

#[test]
fn p9_7_cursor_rules() {
    assert_eq!(
        history_query(None, None, None),
        Ok((HistoryCursor::Latest, 50))
    );
    assert_eq!(
        history_query(Some(7), None, Some(100)),
        Ok((HistoryCursor::Before(7), 100))
    );
    assert_eq!(
        history_query(None, Some(3), Some(1)),
        Ok((HistoryCursor::After(3), 1))
    );
    assert!(history_query(Some(1), Some(2), None).is_err());
    assert_eq!(
        history_query(None, None, Some(0)),
        Err(("limit", "invalid_value"))
    );
    assert_eq!(
        history_query(None, None, Some(101)),
        Err(("limit", "invalid_value"))
    );
    assert_eq!(
        history_query(Some(0), None, None),
        Err(("before", "invalid_value"))
    );
}

#[test]
fn p9_12_sixty_messages_per_rolling_minute() {
    let mut w = RollingWindow::new(60, TimeDelta::minutes(1));
    for i in 0..60 {
        assert!(
            w.try_acquire(t0() + TimeDelta::milliseconds(i * 100))
                .is_ok()
        );
    }
    let refused = w.try_acquire(t0() + TimeDelta::seconds(30));
    assert_eq!(refused, Err(30));
    // The first slot frees exactly one minute after it was taken.
    assert!(w.try_acquire(t0() + TimeDelta::minutes(1)).is_ok());
    assert!(w.try_acquire(t0() + TimeDelta::minutes(1)).is_err());
}

#[test]
fn p9_12_token_bucket_burst_then_refill() {
    let mut b = TokenBucket::new(20, 20, t0());
    for _ in 0..20 {
        assert!(b.try_take(t0()));
    }
    assert!(!b.try_take(t0()));
    assert!(b.try_take(t0() + TimeDelta::milliseconds(50)));
    assert!(!b.try_take(t0() + TimeDelta::milliseconds(50)));
}

#[test]
fn p9_9_one_typing_start_per_second() {
    assert!(typing_start_allowed(None, t0()));
    assert!(!typing_start_allowed(
        Some(t0()),
        t0() + TimeDelta::milliseconds(999)
    ));
    assert!(typing_start_allowed(
        Some(t0()),
        t0() + TimeDelta::seconds(1)
    ));
}

proptest! {
    /// P9.12: whatever the arrival times, no window of one minute admits more than 60.
    #[test]
    fn rolling_window_never_admits_more_than_the_limit(gaps in proptest::collection::vec(0i64..3000, 1..300)) {
        let mut w = RollingWindow::new(60, TimeDelta::minutes(1));
        let mut admitted = Vec::new();
        let mut now = t0();
        for gap in gaps {
            now += TimeDelta::milliseconds(gap);
            if w.try_acquire(now).is_ok() {
                admitted.push(now);
            }
        }
        for (i, &start) in admitted.iter().enumerate() {
            let within = admitted[i..].iter().take_while(|&&t| t < start + TimeDelta::minutes(1)).count();
            prop_assert!(within <= 60);
        }
    }

    /// P9.12: over any span, the bucket admits at most burst + rate × seconds.
    #[test]
    fn token_bucket_bounds_the_rate(gaps in proptest::collection::vec(0i64..200, 1..400)) {
        let mut b = TokenBucket::new(20, 20, t0());
        let mut now = t0();
        let mut taken = 0u64;
        for gap in gaps {
            now += TimeDelta::milliseconds(gap);
            if b.try_take(now) {
                taken += 1;
            }
        }
        let elapsed = (now - t0()).num_milliseconds() as f64 / 1000.0;
        prop_assert!(taken as f64 <= 20.0 + 20.0 * elapsed + 1e-6);
    }

    /// P9.3: a body is accepted exactly when it has a non-space character, ≤2000 chars, no NUL.
    #[test]
    fn body_rule_matches_its_definition(body in "\\PC{0,10}|[ a\\x00]{0,3}") {
        let expected = !body.trim().is_empty() && body.chars().count() <= 2000 && !body.contains('\0');
        prop_assert_eq!(check_body(&body).is_ok(), expected);
    }
}
