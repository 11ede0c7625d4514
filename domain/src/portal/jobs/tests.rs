use super::*;
use chrono::TimeZone;

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_763_596_800 + secs, 0).unwrap()
}

fn job(id: i64, role: &str, posted: i64) -> Job {
    Job {
        id,
        external_id: (1000 + id).to_string(),
        title: format!("Job {id}"),
        role: role.into(),
        company: String::new(),
        location: "Sydney NSW".into(),
        description: String::new(),
        required_skills: vec!["Food Safety".into()],
        required_certifications: vec![],
        posted_at: at(posted),
        first_seen_at: at(0),
        updated_at: at(0),
        last_seen_at: at(0),
        removed_at: None,
    }
}

#[test]
fn p6_3_ttl_is_strict_and_failures_back_off() {
    let policy = CachePolicy::default();
    let mut state = JobSyncState::default();
    assert!(policy.sync_needed(&state, at(0)), "never synced");
    state.last_success_at = Some(at(0));
    assert!(
        !policy.sync_needed(&state, at(900)),
        "exactly the TTL is fresh"
    );
    assert!(policy.sync_needed(&state, at(901)));
    state.last_error_at = Some(at(880));
    state.last_error_code = Some("employer_api_unavailable".into());
    assert!(!policy.sync_needed(&state, at(901)), "failure 21 s ago");
    assert!(policy.sync_needed(&state, at(941)));
    assert_eq!(sync_error(&state), Some("employer_api_unavailable"));
    state.last_success_at = Some(at(890));
    assert_eq!(sync_error(&state), None, "success after the failure");
}

#[test]
fn p6_5_items_are_cleaned_or_skipped() {
    let good = UpstreamJob {
        id: Some(1001),
        title: Some(format!("  {}  ", "é".repeat(250))),
        role: Some(" Chef ".into()),
        location: Some("Sydney".into()),
        company: String::new(),
        description: "d".into(),
        required_skills: vec![" Cooking ".into(), "  ".into(), "Cooking".into()],
        required_certifications: vec![],
        posted_at: None,
    };
    let blank_role = UpstreamJob {
        id: Some(1002),
        role: Some("   ".into()),
        ..good.clone()
    };
    let no_id = UpstreamJob {
        id: None,
        ..good.clone()
    };
    let (batch, skipped) = sync_batch(&[good, blank_role, no_id]);
    assert_eq!(batch.fetched_count, 3);
    assert_eq!(batch.listed_external_ids, vec!["1001", "1002"]);
    assert_eq!(skipped, vec![Some(1002), None]);
    let clean = &batch.jobs[0];
    assert_eq!(clean.title.chars().count(), TITLE_MAX);
    assert_eq!(clean.role, "Chef");
    assert_eq!(
        clean.required_skills,
        vec!["Cooking", "Cooking"],
        "not deduplicated"
    );
}

#[test]
fn p6_8_status() {
    let cutoff = at(0);
    assert_eq!(JobStatus::of(None, at(0), cutoff), JobStatus::Active);
    assert_eq!(JobStatus::of(None, at(-1), cutoff), JobStatus::Archived);
    assert_eq!(
        JobStatus::of(Some(at(5)), at(5), cutoff),
        JobStatus::Removed
    );
}

#[test]
fn p6_9_filters_are_literal_and_case_insensitive() {
    let chef = job(1, "Chef", 0);
    let f = |role: Option<&str>, contains: Option<&str>, skill: Option<&str>| JobFilter {
        role: role.map(Into::into),
        role_contains: contains.map(Into::into),
        location: None,
        skill: skill.map(Into::into),
    };
    assert!(f(Some("chef"), None, None).matches(&chef));
    assert!(!f(Some("che"), None, None).matches(&chef));
    assert!(f(None, Some("HE"), None).matches(&chef));
    assert!(f(None, None, Some("safe")).matches(&chef));
    assert!(!f(None, Some("%"), None).matches(&chef));
}

#[test]
fn p6_9_orders() {
    let score = |percent| MatchScore {
        percent,
        ..MatchScore::default()
    };
    let jobs = vec![
        ScoredJob {
            job: job(1, "Chef", 10),
            score: score(50),
        },
        ScoredJob {
            job: job(2, "Chef", 20),
            score: score(50),
        },
        ScoredJob {
            job: job(3, "Chef", 0),
            score: score(75),
        },
        ScoredJob {
            job: job(4, "Chef", 20),
            score: score(50),
        },
    ];
    let ids = |sort| -> Vec<i64> {
        filter_and_sort(jobs.clone(), &JobFilter::default(), sort)
            .iter()
            .map(|j| j.job.id)
            .collect()
    };
    assert_eq!(ids(JobSort::Match), vec![3, 2, 4, 1]);
    assert_eq!(ids(JobSort::PostedAt), vec![2, 4, 1, 3]);
    assert_eq!(ids(JobSort::Title), vec![1, 2, 3, 4]);
}

#[test]
fn p6_11_slugs_and_categories() {
    assert_eq!(role_slug("Food Safety Inspector"), "food-safety-inspector");
    assert_eq!(role_slug("  C++ / Rust!! "), "c-rust");
    assert_eq!(role_slug("Café"), "caf");
    assert_eq!(role_slug("¿?"), "other");
    let jobs = vec![
        job(1, "Chef", 0),
        job(2, "chef", 50),
        job(3, "Driver", 10),
        job(4, "Barista", 10),
        job(5, "Driver", 5),
    ];
    let cats = categories(&jobs);
    let view: Vec<(&str, &str, u32)> = cats
        .iter()
        .map(|c| (c.slug.as_str(), c.label.as_str(), c.count))
        .collect();
    assert_eq!(
        view,
        vec![
            ("chef", "chef", 2),
            ("driver", "Driver", 2),
            ("barista", "Barista", 1)
        ]
    );
}
