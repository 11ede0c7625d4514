use super::*;
use crate::portal::profile::normalise_list;
use proptest::prelude::*;

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| (*i).to_owned()).collect()
}

/// The profile as stored: the lists as sent, after P4.2.
fn scored(skills: &[&str], certs: &[&str], job_skills: &[&str], job_certs: &[&str]) -> MatchScore {
    let (ps, pc) = (normalise_list(skills), normalise_list(certs));
    match_score(
        Some(ProfileLists {
            skills: &ps,
            certifications: &pc,
        }),
        &s(job_skills),
        &s(job_certs),
    )
}

#[test]
fn p5_8_e1() {
    let r = scored(
        &[" cooking , Food Safety,"],
        &["Food Handler Certification"],
        &["Cooking", "Food Safety", "Inventory Management"],
        &["Food Handler Certification"],
    );
    assert_eq!((r.matched_count, r.required_count, r.percent), (3, 4, 75));
    assert_eq!(r.score(), 0.75);
    assert_eq!(r.matched_skills, s(&["Cooking", "Food Safety"]));
    assert_eq!(r.missing_skills, s(&["Inventory Management"]));
    assert_eq!(r.matched_certifications, s(&["Food Handler Certification"]));
    assert!(r.missing_certifications.is_empty());
}

#[test]
fn p5_8_e2_no_role_table() {
    let r = scored(
        &["Cooking, Inventory Management"],
        &["Food Handler Certification"],
        &["Cooking", "Knife Skills"],
        &["ServSafe"],
    );
    assert_eq!((r.matched_count, r.required_count, r.percent), (1, 3, 33));
    assert_eq!(r.missing_skills, s(&["Knife Skills"]));
    assert_eq!(r.missing_certifications, s(&["ServSafe"]));
}

#[test]
fn p5_8_e3_tie_rounds_to_even() {
    let r = scored(
        &["Python"],
        &["AWS"],
        &[
            "Python",
            "Rust",
            "Go",
            "SQL",
            "Docker",
            "Kubernetes",
            "Linux",
            "Git",
        ],
        &[],
    );
    assert_eq!((r.matched_count, r.required_count, r.percent), (1, 8, 12));
    assert_eq!(r.score(), 0.12);
}

#[test]
fn p5_8_e4_job_spelling() {
    let r = scored(&["Cooking"], &[], &["cooking "], &[]);
    assert_eq!(
        (r.percent, r.matched_skills.clone()),
        (100, s(&["cooking"]))
    );
    assert_eq!(r.score(), 1.0);
}

#[test]
fn p5_8_e5_namespaces_are_separate() {
    let r = scored(
        &["Food Safety", "HACCP Level 2"],
        &["food safety certification", "First Aid"],
        &["Food Safety", "food safety ", ""],
        &[
            "Food Safety Certification",
            "CGLI Inspector",
            "ServSafe",
            "First Aid",
            "Forklift Licence",
            "HACCP Level 2",
            "Allergen Awareness",
        ],
    );
    assert_eq!((r.matched_count, r.required_count, r.percent), (3, 8, 38));
    assert_eq!(
        r.missing_certifications,
        s(&[
            "CGLI Inspector",
            "ServSafe",
            "Forklift Licence",
            "HACCP Level 2",
            "Allergen Awareness"
        ])
    );
}

#[test]
fn p5_8_e6_no_profile_or_empty_lists() {
    let none = match_score(None, &s(&["Cooking"]), &s(&["X"]));
    assert_eq!((none.percent, none.matched_count), (0, 0));
    assert_eq!(scored(&[], &[], &["Cooking"], &["X"]).percent, 0);
}

#[test]
fn p5_8_e7_job_without_requirements() {
    let r = scored(&["Cooking"], &["X"], &[], &[" "]);
    assert_eq!(r, MatchScore::default());
}

#[test]
fn p5_7_rounding_table() {
    let table = [
        (1, 8, 12),
        (3, 8, 38),
        (5, 8, 62),
        (7, 8, 88),
        (1, 40, 2),
        (3, 40, 8),
        (1, 3, 33),
        (2, 3, 67),
        (1, 6, 17),
        (5, 6, 83),
        (1, 200, 0),
        (1, 4, 25),
        (1, 1, 100),
        (0, 5, 0),
    ];
    for (m, n, percent) in table {
        assert_eq!(round_percent(m, n), percent, "{m}/{n}");
    }
}

/// Fixture requirement sets by role (upstreams.md U5.7).
fn fixture_role(role: &str) -> (Vec<String>, Vec<String>) {
    match role {
        "Chef" => (
            s(&["Cooking", "Food Safety", "Inventory Management"]),
            s(&["Food Handler Certification"]),
        ),
        "Cashier" => (
            s(&["Customer Service", "Cash Handling", "Food Safety"]),
            s(&["Food Handler Certification"]),
        ),
        "Driver" => (
            s(&["Driving", "Customer Service", "Food Safety"]),
            s(&["Driver's License"]),
        ),
        "Marketing Specialist" => (
            s(&["Marketing", "Customer Service", "Food Safety"]),
            s(&["Marketing Certification"]),
        ),
        "Food Safety Inspector" => (
            s(&["Food Safety", "Inventory Management"]),
            s(&["Food Safety Certification"]),
        ),
        _ => (
            s(&["Gas leak tests", "City code adherence"]),
            s(&["CGLI Inspector"]),
        ),
    }
}

#[test]
fn p5_9_fixture_scores_for_the_e1_profile() {
    let ps = s(&["Food Safety", "cooking"]);
    let pc = s(&["Food Handler Certification"]);
    let expected = [
        ("Chef", 75),
        ("Cashier", 50),
        ("Food Safety Inspector", 33),
        ("Driver", 25),
        ("Marketing Specialist", 25),
        ("Fire Safety Inspector", 0),
    ];
    for (role, percent) in expected {
        let (js, jc) = fixture_role(role);
        let r = match_score(
            Some(ProfileLists {
                skills: &ps,
                certifications: &pc,
            }),
            &js,
            &jc,
        );
        assert_eq!(r.percent, percent, "{role}");
    }
}

fn lists() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop_oneof![
            Just(String::new()),
            Just("  ".to_owned()),
            Just("Food Safety".to_owned()),
            Just("food safety ".to_owned()),
            Just("Crème, brûlée".to_owned()),
            Just("ÉCOLE".to_owned()),
            "[a-cA-C ,]{0,4}",
        ],
        0..7,
    )
}

fn score_of(ps: &[String], pc: &[String], js: &[String], jc: &[String]) -> MatchScore {
    match_score(
        Some(ProfileLists {
            skills: ps,
            certifications: pc,
        }),
        js,
        jc,
    )
}

/// Re-cased, padded, reversed, with a duplicate and a blank item.
fn disguised(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = list
        .iter()
        .rev()
        .map(|i| format!("  {}\t", i.to_uppercase()))
        .collect();
    out.extend(list.first().cloned());
    out.push("   ".into());
    out
}

proptest! {
    // P5.10.1 and P5.10.2.
    #[test]
    fn p5_10_1_2_bounds_and_exact_hundredths(ps in lists(), pc in lists(), js in lists(), jc in lists()) {
        let r = score_of(&ps, &pc, &js, &jc);
        prop_assert!(r.percent <= 100);
        // The shortest decimal form of the score is the percent in hundredths.
        let text = format!("{}", r.score());
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        prop_assert!(frac.len() <= 2);
        let hundredths: u32 = int.parse::<u32>().unwrap() * 100
            + format!("{frac:0<2}").parse::<u32>().unwrap();
        prop_assert_eq!(hundredths, u32::from(r.percent));
        prop_assert_eq!(
            r.percent == 100,
            r.required_count > 0 && r.matched_count == r.required_count
        );
    }

    // P5.10.3.
    #[test]
    fn p5_10_3_order_case_padding_duplicates_do_not_matter(ps in lists(), pc in lists(), js in lists(), jc in lists()) {
        let plain = score_of(&ps, &pc, &js, &jc);
        let other = score_of(&disguised(&ps), &disguised(&pc), &disguised(&js), &disguised(&jc));
        prop_assert_eq!(plain.percent, other.percent);
        prop_assert_eq!(plain.matched_count, other.matched_count);
        prop_assert_eq!(plain.required_count, other.required_count);
    }

    // P5.10.4.
    #[test]
    fn p5_10_4_adding_to_the_profile(ps in lists(), pc in lists(), js in lists(), jc in lists(), pick in 0usize..8) {
        let before = score_of(&ps, &pc, &js, &jc);
        let stranger = "zz-not-required-zz".to_owned();
        let mut more = ps.clone();
        more.push(stranger);
        prop_assert_eq!(&score_of(&more, &pc, &js, &jc), &before);
        if let Some(req) = js.get(pick % js.len().max(1)) {
            let mut more = ps.clone();
            more.push(req.clone());
            prop_assert!(score_of(&more, &pc, &js, &jc).percent >= before.percent);
        }
    }

    // P5.10.5: against exact rational arithmetic (cross-multiplication in u128).
    #[test]
    fn p5_10_5_half_to_even_of_the_exact_rational(n in 1u32..100_000, m_seed in 0u32..100_000) {
        let m = m_seed % (n + 1);
        let p = u128::from(round_percent(m, n));
        let (m, n) = (u128::from(m), u128::from(n));
        // |100m/n − p| ≤ 1/2  ⇔  |200m − 2pn| ≤ n, and a tie (= n) picks the even p.
        let twice_diff = (200 * m).abs_diff(2 * p * n);
        prop_assert!(twice_diff <= n);
        if twice_diff == n {
            prop_assert_eq!(p % 2, 0);
        }
    }

    // P5.10.6 (the P4.2 list normalisation has its own test in `profile`): P5.2 is idempotent.
    #[test]
    fn p5_10_6_normalisation_is_idempotent(list in lists()) {
        let once: Vec<String> = normalised_items(&list).into_iter().map(|(_, s)| s).collect();
        let twice: Vec<String> = normalised_items(&once).into_iter().map(|(_, s)| s).collect();
        prop_assert_eq!(once, twice);
    }

    // P5.10.7.
    #[test]
    fn p5_10_7_matched_and_missing_partition(ps in lists(), pc in lists(), js in lists(), jc in lists()) {
        let r = score_of(&ps, &pc, &js, &jc);
        let folded = |v: &[String]| -> Vec<String> { v.iter().map(|i| i.to_lowercase()).collect() };
        let mut skills = folded(&r.matched_skills);
        skills.extend(folded(&r.missing_skills));
        skills.sort();
        let mut expected: Vec<String> = normalised_items(&js).into_iter().map(|(f, _)| f).collect();
        expected.sort();
        prop_assert_eq!(skills, expected);
        let mut certs = folded(&r.matched_certifications);
        certs.extend(folded(&r.missing_certifications));
        certs.sort();
        let mut expected: Vec<String> = normalised_items(&jc).into_iter().map(|(f, _)| f).collect();
        expected.sort();
        prop_assert_eq!(certs, expected);
        prop_assert_eq!(
            (r.matched_skills.len() + r.matched_certifications.len()) as u32,
            r.matched_count
        );
    }
}
