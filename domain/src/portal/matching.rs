//! The per-user match score of a job (portal.md P5): exact set matching on normalised skills and
//! certifications, rounded half-to-even on the exact rational with integers only.

use std::collections::HashSet;

/// A score with its explanation (P5.5, P5.6; the `Match` shape of http-api.md H4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatchScore {
    /// `round_half_even(100·m / n)`, 0..=100.
    pub percent: u8,
    /// m.
    pub matched_count: u32,
    /// n.
    pub required_count: u32,
    pub matched_skills: Vec<String>,
    pub missing_skills: Vec<String>,
    pub matched_certifications: Vec<String>,
    pub missing_certifications: Vec<String>,
}

impl MatchScore {
    /// `percent / 100`: its shortest decimal form has at most two decimals, so the JSON number
    /// is exactly the percent in hundredths (P5.5).
    pub fn score(&self) -> f64 {
        f64::from(self.percent) / 100.0
    }
}

/// The profile side of a match: the stored (P4.2-normalised) lists.
#[derive(Clone, Copy, Debug)]
pub struct ProfileLists<'a> {
    pub skills: &'a [String],
    pub certifications: &'a [String],
}

/// P5.5: `100·m / n` rounded half-to-even, integers only; 0 when `n = 0`.
pub fn round_percent(m: u32, n: u32) -> u8 {
    if n == 0 {
        return 0;
    }
    let (m, n) = (u64::from(m.min(n)), u64::from(n));
    let mut q = (100 * m) / n;
    let r = (100 * m) % n;
    if 2 * r > n || (2 * r == n && q % 2 == 1) {
        q += 1;
    }
    // m ≤ n, so q ≤ 100.
    u8::try_from(q).unwrap_or(100)
}

/// P5.2: trimmed, blanks dropped, case-folded, deduplicated; the first spelling (trimmed) of each
/// folded item is kept, in order.
pub fn normalised_items<S: AsRef<str>>(list: &[S]) -> Vec<(String, String)> {
    let mut seen = HashSet::new();
    list.iter()
        .map(|item| item.as_ref().trim())
        .filter(|item| !item.is_empty())
        .filter_map(|item| {
            let folded = item.to_lowercase();
            seen.insert(folded.clone())
                .then(|| (folded, item.to_owned()))
        })
        .collect()
}

fn folded_set<S: AsRef<str>>(list: &[S]) -> HashSet<String> {
    normalised_items(list).into_iter().map(|(f, _)| f).collect()
}

/// Splits the job's normalised requirements into (matched, missing), job order, job spelling.
fn split(required: &[String], have: &HashSet<String>) -> (Vec<String>, Vec<String>) {
    let (mut matched, mut missing) = (Vec::new(), Vec::new());
    for (folded, spelling) in normalised_items(required) {
        if have.contains(&folded) {
            matched.push(spelling);
        } else {
            missing.push(spelling);
        }
    }
    (matched, missing)
}

/// P5.3–P5.6: the score of a job for a profile (`None`: the user has none, P5.4).
pub fn match_score(
    profile: Option<ProfileLists<'_>>,
    required_skills: &[String],
    required_certifications: &[String],
) -> MatchScore {
    let empty: &[String] = &[];
    let profile = profile.unwrap_or(ProfileLists {
        skills: empty,
        certifications: empty,
    });
    let (ps, pc) = (
        folded_set(profile.skills),
        folded_set(profile.certifications),
    );
    let (matched_skills, missing_skills) = split(required_skills, &ps);
    let (matched_certifications, missing_certifications) = split(required_certifications, &pc);
    let m = matched_skills.len() + matched_certifications.len();
    let n = m + missing_skills.len() + missing_certifications.len();
    let (m, n) = (
        u32::try_from(m).unwrap_or(u32::MAX),
        u32::try_from(n).unwrap_or(u32::MAX),
    );
    MatchScore {
        percent: round_percent(m, n),
        matched_count: m,
        required_count: n,
        matched_skills,
        missing_skills,
        matched_certifications,
        missing_certifications,
    }
}

#[cfg(test)]
mod tests;
