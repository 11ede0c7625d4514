use super::*;
use crate::portal::profile::{ProfileItem, completeness};
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 11, 20, 0, 0, 0).unwrap()
}

#[test]
fn p2_6_resume_links() {
    let link = |raw: &str| resume_link(Some(raw)).map_err(|c| c.as_str());
    assert_eq!(link("  "), Ok(None));
    assert_eq!(
        link(" https://example.com/cv.pdf "),
        Ok(Some("https://example.com/cv.pdf".into()))
    );
    assert_eq!(
        link("javascript://example.com/%0Aalert(1)"),
        Err("invalid_url")
    );
    assert_eq!(link("ftp://example.com/cv"), Err("invalid_url"));
    assert_eq!(link("https://u:p@example.com/"), Err("invalid_url"));
    assert_eq!(link("not a url"), Err("invalid_url"));
    let long = format!("https://example.com/{}", "a".repeat(500));
    assert_eq!(link(&long), Err("too_long"));
}

#[test]
fn p2_12_cover_letters() {
    assert_eq!(cover_letter(None), Ok(String::new()));
    assert_eq!(cover_letter(Some(" Hello ")), Ok(" Hello ".into()));
    assert_eq!(cover_letter(Some(&"x".repeat(5001))), Err("too_long"));
    assert_eq!(cover_letter(Some("a\0b")), Err("invalid_characters"));
}

#[test]
fn p7_1_job_is_checked_before_the_profile() {
    assert_eq!(
        precheck(None, completeness(None)),
        Err(ApplyPrecheck::JobNotFound)
    );
    let job = crate::ports::Job {
        id: 1,
        external_id: "1001".into(),
        title: "Sous Chef".into(),
        role: "Chef".into(),
        company: String::new(),
        location: String::new(),
        description: String::new(),
        required_skills: vec![],
        required_certifications: vec![],
        posted_at: now(),
        first_seen_at: now(),
        updated_at: now(),
        last_seen_at: now(),
        removed_at: None,
    };
    match precheck(Some(&job), completeness(None)) {
        Err(ApplyPrecheck::ProfileIncomplete(c)) => {
            assert_eq!(c.missing, ProfileItem::ALL.to_vec())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn p7_8_backoff_schedule_and_jitter() {
    let minutes: Vec<i64> = (1..=7)
        .map(|a| retry_delay(a).unwrap().num_minutes())
        .collect();
    assert_eq!(minutes, vec![1, 5, 30, 120, 360, 720, 1440]);
    assert_eq!(retry_delay(8), None);
    assert_eq!(
        jittered(TimeDelta::minutes(10), 0.1),
        TimeDelta::minutes(11)
    );
    assert_eq!(
        jittered(TimeDelta::minutes(10), -0.5),
        TimeDelta::minutes(9)
    );
    assert_eq!(
        jittered(TimeDelta::minutes(10), 0.0),
        TimeDelta::minutes(10)
    );
}

#[test]
fn p7_5_classes() {
    let sent = attempt_outcome(Ok(UpstreamApplicationId(42)), 0, now(), 0.0);
    assert_eq!(
        sent,
        RemoteOutcome::Sent {
            remote_application_id: Some("42".into())
        }
    );
    assert_eq!(apply_warning(&sent), None);
    let rejected = attempt_outcome(
        Err(UpstreamError::rejected(404, "", "job closed\nupstream")),
        0,
        now(),
        0.0,
    );
    let warning = apply_warning(&rejected).unwrap();
    assert_eq!(warning.code, "employer_api_rejected");
    assert!(warning.message.contains("job closedupstream"));
    let bare = attempt_outcome(Err(UpstreamError::rejected(400, "", "")), 0, now(), 0.0);
    assert_eq!(
        bare,
        RemoteOutcome::Rejected {
            error: "HTTP 400".into()
        }
    );
    for error in [
        UpstreamError::unavailable("refused"),
        UpstreamError::RateLimited { retry_after: None },
        UpstreamError::Unauthorized,
        UpstreamError::InvalidResponse { detail: "x".into() },
    ] {
        let outcome = attempt_outcome(Err(error), 0, now(), 0.0);
        assert_eq!(outcome.status(), RemoteStatus::Retrying);
        assert_eq!(
            apply_warning(&outcome).unwrap().code,
            "employer_api_unavailable"
        );
        let RemoteOutcome::Retrying {
            attempts,
            next_attempt_at,
            ..
        } = outcome
        else {
            unreachable!()
        };
        assert_eq!(
            (attempts, next_attempt_at),
            (1, now() + TimeDelta::minutes(1))
        );
    }
    let last = attempt_outcome(Err(UpstreamError::unavailable("x")), 7, now(), 0.0);
    assert_eq!(last.status(), RemoteStatus::Failed);
}

#[test]
fn p7_6_p7_7_machines_and_p10_4_resend() {
    assert!(ApplicationStatus::Submitted.can_withdraw());
    assert!(!ApplicationStatus::Withdrawn.can_withdraw());
    assert!(RemoteStatus::Pending.can_record(RemoteStatus::Retrying));
    assert!(!RemoteStatus::Pending.can_record(RemoteStatus::Failed));
    assert!(may_resend(
        ApplicationStatus::Submitted,
        RemoteStatus::Failed
    ));
    assert!(may_resend(
        ApplicationStatus::Submitted,
        RemoteStatus::Rejected
    ));
    assert!(!may_resend(
        ApplicationStatus::Submitted,
        RemoteStatus::Sent
    ));
    assert!(!may_resend(
        ApplicationStatus::Withdrawn,
        RemoteStatus::Rejected
    ));
}
